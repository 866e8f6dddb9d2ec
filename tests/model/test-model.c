/* test-model.c: domain objects and GigRecordListModel over a real store file
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>

#include "model/gig-milestone.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"
#include "model/gig-record-list-model.h"
#include "model/gig-user.h"
#include "store/gig-store-private.h"

typedef struct {
  char     *dir;
  char     *path;
  GigStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gig-model-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_clear_object (&f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static JsonObject *
project_json (guint       n,
              const char *owner,
              double      budget)
{
  JsonObject *o = json_object_new ();
  g_autofree char *id = g_strdup_printf ("prj%012u", n);
  g_autofree char *title = g_strdup_printf ("Project number %u", n);
  g_autofree char *stamp = g_strdup_printf ("2026-%02u-%02u %02u:%02u:%02u.%03uZ", 1 + n / 2678400 % 12,
                                            1 + n / 86400 % 28, n / 3600 % 24, n / 60 % 60, n % 60, n % 1000);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "title", title);
  json_object_set_string_member (o, "description",
                                 "We need an experienced developer to help with a web application: "
                                 "a booking flow, payments, emails and an admin dashboard.");
  json_object_set_double_member (o, "budget", budget);
  json_object_set_string_member (o, "currency", "EUR");
  json_object_set_string_member (o, "status", "open");
  json_object_set_string_member (o, "owner", owner);
  json_object_set_string_member (o, "hired_freelancer", "");
  json_object_set_boolean_member (o, "deleted", FALSE);
  json_object_set_string_member (o, "deleted_at", "");
  json_object_set_string_member (o, "created", stamp);
  json_object_set_string_member (o, "updated", stamp);
  return o;
}

static void
apply (GigStore      *store,
       GigCollection  collection,
       GPtrArray     *page)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gig_store_apply_server_page (store, collection, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- domain objects -------------------------------------------------------------------------- */

static void
test_objects (void)
{
  g_autoptr(JsonObject) project = project_json (7, "usralice0000001", 1250.5);
  g_autoptr(JsonObject) proposal = gig_store_json_from_string (
    "{\"id\":\"prp000000000001\",\"project\":\"prj000000000007\",\"freelancer\":\"usrbob000000001\","
    "\"cover_letter\":\"I can do it\",\"amount\":900,\"estimated_days\":12,\"status\":\"sent\"}");
  g_autoptr(JsonObject) milestone = gig_store_json_from_string (
    "{\"id\":\"mls000000000001\",\"project\":\"prj000000000007\",\"title\":\"Design\","
    "\"amount\":300,\"due_date\":\"2026-12-15 00:00:00.000Z\",\"position\":2,\"status\":\"pending\"}");
  g_autoptr(JsonObject) user = gig_store_json_from_string (
    "{\"id\":\"usrbob000000001\",\"name\":\"Bob\",\"headline\":\"C and GTK\",\"skills\":[\"c\",\"gtk\",3]}");
  g_autoptr(GigRecord) p = gig_record_new_for_collection (GIG_COLLECTION_PROJECTS, project, GIG_LOCAL_STATE_PENDING);
  g_autoptr(GigRecord) q = gig_record_new_for_collection (GIG_COLLECTION_PROPOSALS, proposal, GIG_LOCAL_STATE_DRAFT);
  g_autoptr(GigRecord) m = gig_record_new_for_collection (GIG_COLLECTION_MILESTONES, milestone, GIG_LOCAL_STATE_SYNCED);
  g_autoptr(GigRecord) u = gig_record_new_for_collection (GIG_COLLECTION_USERS, user, GIG_LOCAL_STATE_SYNCED);
  g_autofree char *title = NULL;
  g_autofree char *cover = NULL;
  g_auto(GStrv) skills = NULL;
  g_auto(GStrv) skills2 = NULL;
  double budget = 0;
  gint64 days = 0, position = 0;
  int state = -1;
  gboolean deleted = TRUE;

  g_assert_true (GIG_IS_PROJECT (p));
  g_assert_true (GIG_IS_PROPOSAL (q));
  g_assert_true (GIG_IS_MILESTONE (m));
  g_assert_true (GIG_IS_USER (u));
  g_assert_cmpint (gig_record_get_collection (p), ==, GIG_COLLECTION_PROJECTS);
  g_assert_cmpint (gig_record_get_collection (u), ==, GIG_COLLECTION_USERS);

  g_object_get (p, "title", &title, "budget", &budget, "local-state", &state, "deleted", &deleted, NULL);
  g_assert_cmpstr (title, ==, "Project number 7");
  g_assert_cmpfloat (budget, ==, 1250.5);
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_PENDING);
  g_assert_false (deleted);
  g_assert_cmpstr (gig_project_get_owner (GIG_PROJECT (p)), ==, "usralice0000001");
  g_assert_cmpstr (gig_project_get_hired_freelancer (GIG_PROJECT (p)), ==, "");
  g_assert_cmpstr (gig_record_get_id (p), ==, "prj000000000007");

  g_object_get (q, "cover-letter", &cover, "estimated-days", &days, NULL);
  g_assert_cmpstr (cover, ==, "I can do it");
  g_assert_cmpint (days, ==, 12);
  g_assert_cmpint (gig_record_get_local_state (q), ==, GIG_LOCAL_STATE_DRAFT);
  g_assert_cmpfloat (gig_proposal_get_amount (GIG_PROPOSAL (q)), ==, 900);

  g_object_get (m, "position", &position, NULL);
  g_assert_cmpint (position, ==, 2);
  g_assert_cmpstr (gig_milestone_get_due_date (GIG_MILESTONE (m)), ==, "2026-12-15 00:00:00.000Z");
  /* Missing members read as defaults. */
  g_assert_null (gig_milestone_get_description (GIG_MILESTONE (m)));
  g_assert_null (gig_record_get_created (m));

  g_object_get (u, "skills", &skills, NULL);
  g_assert_cmpuint (g_strv_length (skills), ==, 2);
  g_assert_cmpstr (skills[1], ==, "gtk");
  skills2 = gig_user_get_skills (GIG_USER (u));
  g_assert_true (g_strv_equal ((const char * const *) skills, (const char * const *) skills2));
  g_assert_cmpstr (gig_user_get_headline (GIG_USER (u)), ==, "C and GTK");

  g_assert_true (gig_record_type_for_collection (GIG_COLLECTION_CHAT_MESSAGES) == G_TYPE_INVALID);
}

/* ---- list model ------------------------------------------------------------------------------ */

static void
test_item_types (Fixture       *f,
                 gconstpointer  data)
{
  for (GigCollection c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_autoptr(GigStoreQuery) query = gig_store_query_new (c, GIG_STORE_SCOPE_ALL);
      g_autoptr(GigRecordListModel) model = gig_record_list_model_new (f->store, query);

      g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == gig_record_type_for_collection (c));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
      g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
    }
}

static void
test_large_list (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_autoptr(GigRecordListModel) model = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  const guint total = 100000;

  for (guint p = 0; p < total / 1000; p++)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      for (guint i = 0; i < 1000; i++)
        g_ptr_array_add (page, project_json (p * 1000 + i, "usralice0000001", (p * 1000 + i) % 5000));
      apply (f->store, GIG_COLLECTION_PROJECTS, page);
    }

  model = gig_record_list_model_new (f->store, query);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, total);
  /* Knowing the count read no rows. */
  g_assert_cmpuint (gig_record_list_model_get_cached_pages (model), ==, 0);
  g_assert_cmpuint (gig_record_list_model_get_cached_items (model), ==, 0);

  /* Scroll through, then jump around: the caches stay bounded and the rows are right. */
  for (guint pos = 0; pos < total; pos += 97)
    {
      g_autoptr(GigRecord) item = g_list_model_get_item (G_LIST_MODEL (model), pos);
      g_assert_nonnull (item);
    }
  for (guint i = 0; i < 300; i++)
    {
      guint pos = g_rand_int_range (rand, 0, total);
      g_autoptr(GigRecord) item = g_list_model_get_item (G_LIST_MODEL (model), pos);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) expected = gig_store_query_ids (f->store, query, pos, 1, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (gig_record_get_id (item), ==, expected[0]);
      g_assert_true (GIG_IS_PROJECT (item));
    }
  g_assert_cmpuint (gig_record_list_model_get_cached_pages (model), <=, 8);
  g_assert_cmpuint (gig_record_list_model_get_cached_items (model), <=, 400);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), total));

  /* Newest first: the last one written is on top. */
  {
    g_autoptr(GigRecord) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) top = gig_store_query_ids (f->store, query, 0, 1, &error);
    g_assert_cmpstr (gig_record_get_id (first), ==, top[0]);
  }
}

typedef struct {
  guint position, removed, added;
  guint n_at_signal;
  guint count_at_signal;
} Change;

typedef struct {
  GArray   *changes;
  GigStore *store;
  GigRecordListModel *model;
} Recorder;

static void
on_items_changed (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Recorder   *rec)
{
  Change change = { position, removed, added, g_list_model_get_n_items (list), 0 };

  g_assert_true (gig_store_query_count (rec->store, gig_record_list_model_get_query (rec->model),
                                        &change.count_at_signal, NULL));
  g_array_append_val (rec->changes, change);
}

/* The model, read item by item, equals the query. */
static void
assert_model_matches (Fixture            *f,
                      GigRecordListModel *model)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = gig_store_query_ids (f->store, gig_record_list_model_get_query (model), 0, 10000, &error);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, g_strv_length (ids));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GigRecord) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_assert_cmpstr (gig_record_get_id (item), ==, ids[i]);
    }
}

static Change *
last_change (Recorder *rec)
{
  g_assert_cmpuint (rec->changes->len, >, 0);
  return &g_array_index (rec->changes, Change, rec->changes->len - 1);
}

/* The last two signals replaced @old_n items with @new_n: first all removed (the model then
 * empty), then all added (the count already the store's). */
static void
assert_replaced (Recorder *rec,
                 guint     old_n,
                 guint     new_n)
{
  Change *removed, *added;

  g_assert_cmpuint (rec->changes->len, >=, 2);
  removed = &g_array_index (rec->changes, Change, rec->changes->len - 2);
  added = &g_array_index (rec->changes, Change, rec->changes->len - 1);
  g_assert_cmpuint (removed->position, ==, 0);
  g_assert_cmpuint (removed->removed, ==, old_n);
  g_assert_cmpuint (removed->added, ==, 0);
  g_assert_cmpuint (removed->n_at_signal, ==, 0);
  g_assert_cmpuint (added->position, ==, 0);
  g_assert_cmpuint (added->removed, ==, 0);
  g_assert_cmpuint (added->added, ==, new_n);
  g_assert_cmpuint (added->n_at_signal, ==, new_n);
  g_assert_cmpuint (added->count_at_signal, ==, new_n);
}

static void
test_items_changed (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_MY_PROJECTS);
  g_autoptr(GigRecordListModel) model = NULL;
  g_autoptr(JsonObject) budget = gig_store_json_from_string ("{\"budget\":4242}");
  g_autoptr(JsonObject) fields = gig_store_json_from_string (
    "{\"title\":\"Brand new\",\"status\":\"open\",\"owner\":\"usralice0000001\",\"budget\":10}");
  g_autoptr(GigRecord) item = NULL;
  g_autofree char *new_id = NULL;
  Recorder rec = { g_array_new (FALSE, FALSE, sizeof (Change)), f->store, NULL };
  Change *c;

  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (page, project_json (i, i % 2 ? "usrbob000000001" : "usralice0000001", i * 10));
  apply (f->store, GIG_COLLECTION_PROJECTS, page);

  query->me = g_strdup ("usralice0000001");
  model = gig_record_list_model_new (f->store, query);
  rec.model = model;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &rec);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  assert_model_matches (f, model);

  /* An edit that keeps the row in place: that row only, and the new value shows. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prj000000000014", budget, &error));
  g_assert_no_error (error);
  c = last_change (&rec);
  g_assert_cmpuint (rec.changes->len, ==, 1);
  g_assert_cmpuint (c->position, ==, 2);   /* 18, 16, 14, ... */
  g_assert_cmpuint (c->removed, ==, 1);
  g_assert_cmpuint (c->added, ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (model), 2);
  g_assert_cmpfloat (gig_project_get_budget (GIG_PROJECT (item)), ==, 4242);
  g_assert_cmpint (gig_record_get_local_state (item), ==, GIG_LOCAL_STATE_PENDING);
  g_clear_object (&item);

  /* A change to a row of somebody else's project: not in this list, no signal. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prj000000000013", budget, &error));
  g_assert_cmpuint (rec.changes->len, ==, 1);

  /* A new project: inserted on top, the count already right when the signal comes. */
  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &new_id, &error));
  g_assert_cmpuint (rec.changes->len, ==, 2);
  c = last_change (&rec);
  g_assert_cmpuint (c->position, ==, 0);
  g_assert_cmpuint (c->removed, ==, 0);
  g_assert_cmpuint (c->added, ==, 1);
  g_assert_cmpuint (c->n_at_signal, ==, 11);
  g_assert_cmpuint (c->count_at_signal, ==, 11);
  assert_model_matches (f, model);

  /* A soft delete from the server: that row goes. */
  {
    g_autoptr(GPtrArray) deleted = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
    JsonObject *o = project_json (10, "usralice0000001", 100);
    json_object_set_boolean_member (o, "deleted", TRUE);
    json_object_set_string_member (o, "updated", "2026-12-01 00:00:00.000Z");
    g_ptr_array_add (deleted, o);
    apply (f->store, GIG_COLLECTION_PROJECTS, deleted);
  }
  g_assert_cmpuint (rec.changes->len, ==, 3);
  c = last_change (&rec);
  g_assert_cmpuint (c->position, ==, 5);   /* new, 18, 16, 14, 12, 10 */
  g_assert_cmpuint (c->removed, ==, 1);
  g_assert_cmpuint (c->added, ==, 0);
  g_assert_cmpuint (c->n_at_signal, ==, 10);
  assert_model_matches (f, model);

  /* A new query replaces the items in two signals: all removed, then all added. */
  query->sort = GIG_STORE_SORT_BUDGET;
  gig_record_list_model_set_query (model, query);
  g_assert_cmpuint (rec.changes->len, ==, 5);
  assert_replaced (&rec, 10, 10);
  assert_model_matches (f, model);

  /* A move (sorted by budget): one signal spanning the rows that shifted. */
  {
    g_autoptr(JsonObject) cheaper = gig_store_json_from_string ("{\"budget\":1}");
    gint64 before = gig_record_list_model_find (model, "prj000000000014");

    g_assert_cmpint (before, ==, 0);   /* 4242 is the highest */
    g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prj000000000014", cheaper, &error));
    g_assert_cmpuint (rec.changes->len, ==, 6);
    c = last_change (&rec);
    g_assert_cmpuint (c->position, ==, 0);
    /* 180 160 120 80 60 40 20 10(new) 1 0: it lands at 8. */
    g_assert_cmpuint (c->removed, ==, 9);
    g_assert_cmpuint (c->added, ==, 9);
    g_assert_cmpint (gig_record_list_model_find (model, "prj000000000014"), ==, 8);
    assert_model_matches (f, model);
  }

  /* Many ids at once: one full refresh. */
  {
    g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
    for (guint i = 100; i < 130; i++)
      g_ptr_array_add (more, project_json (i, "usralice0000001", i));
    apply (f->store, GIG_COLLECTION_PROJECTS, more);
  }
  g_assert_cmpuint (rec.changes->len, ==, 8);
  assert_replaced (&rec, 10, 40);
  assert_model_matches (f, model);

  /* Search narrows the list. */
  g_free (query->text);
  query->text = g_strdup ("brand");
  gig_record_list_model_set_query (model, query);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpstr (gig_record_get_id (item), ==, new_id);

  /* Other collections are not this list's business. */
  {
    guint before = rec.changes->len;
    g_autoptr(JsonObject) draft = gig_store_json_from_string ("{\"project\":\"prj000000000000\",\"cover_letter\":\"brand\"}");
    g_assert_true (gig_store_save_draft (f->store, draft, NULL, NULL, &error));
    g_assert_cmpuint (rec.changes->len, ==, before);
  }

  g_array_unref (rec.changes);
}

/* Sorted by budget, with a search, new rows, edits in place and refreshes: the cases the
 * sidebar list meets. */
static void
test_budget_search_refresh (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_autoptr(GigRecordListModel) model = NULL;
  g_autoptr(GigStoreQuery) search = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = gig_store_json_from_string (
    "{\"title\":\"Cheap one\",\"status\":\"open\",\"owner\":\"usrbob000000001\",\"budget\":5}");
  g_autofree char *new_id = NULL;
  Recorder rec = { g_array_new (FALSE, FALSE, sizeof (Change)), f->store, NULL };
  const guint n = 3000, n_open = n - n / 10;
  Change *c;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *o = project_json (i, "usrbob000000001", i);

      if (i % 7 == 0)
        json_object_set_string_member (o, "title", "Bakery logo");
      if (i % 10 == 9)
        json_object_set_string_member (o, "status", "completed");
      g_ptr_array_add (page, o);
    }
  apply (f->store, GIG_COLLECTION_PROJECTS, page);

  query->sort = GIG_STORE_SORT_BUDGET;
  model = gig_record_list_model_new (f->store, query);
  rec.model = model;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &rec);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_open);
  g_assert_cmpuint (gig_record_list_model_get_cached_pages (model), ==, 0);

  /* Highest budget first (2999 is completed). */
  {
    g_autoptr(GigRecord) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_cmpstr (gig_record_get_id (first), ==, "prj000000002998");
  }
  for (guint i = 0; i < n_open; i++)
    {
      g_autoptr(GigRecord) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_assert_nonnull (item);
    }
  g_assert_cmpuint (gig_record_list_model_get_cached_pages (model), <=, 8);

  /* A new row with the lowest budget: one insertion at the end. */
  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &new_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec.changes->len, ==, 1);
  c = last_change (&rec);
  g_assert_cmpuint (c->removed, ==, 0);
  g_assert_cmpuint (c->added, ==, 1);
  g_assert_cmpint (gig_record_list_model_find (model, new_id), ==, c->position);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n_open + 1);

  /* An edit that moves a row on screen to the top: one signal over the rows that shifted. */
  {
    g_autoptr(JsonObject) edit = gig_store_json_from_string ("{\"budget\":1000000}");
    g_autoptr(GigRecord) first = NULL;
    g_autoptr(GigRecord) shown = NULL;
    gint64 old_pos = gig_record_list_model_find (model, "prj000000000007");

    g_assert_cmpint (old_pos, >, 0);
    shown = g_list_model_get_item (G_LIST_MODEL (model), old_pos);
    g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prj000000000007", edit, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (rec.changes->len, ==, 2);
    c = last_change (&rec);
    g_assert_cmpuint (c->position, ==, 0);
    g_assert_cmpuint (c->removed, ==, old_pos + 1);
    g_assert_cmpuint (c->added, ==, old_pos + 1);
    first = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_cmpstr (gig_record_get_id (first), ==, "prj000000000007");
  }

  /* A refresh with the same count re-reads the pages read last, in place. */
  {
    g_autoptr(GigRecord) before = g_list_model_get_item (G_LIST_MODEL (model), 150);
    g_autoptr(GigRecord) after = NULL;
    guint cached = gig_record_list_model_get_cached_pages (model);

    g_assert_cmpuint (cached, >=, 1);
    rec.changes->len = 0;
    gig_record_list_model_refresh (model);
    g_assert_cmpuint (rec.changes->len, ==, cached);
    for (guint i = 0; i < rec.changes->len; i++)
      {
        c = &g_array_index (rec.changes, Change, i);
        g_assert_cmpuint (c->removed, ==, c->added);
        g_assert_cmpuint (c->n_at_signal, ==, n_open + 1);
      }
    after = g_list_model_get_item (G_LIST_MODEL (model), 150);
    g_assert_true (before != after);
    g_assert_cmpstr (gig_record_get_id (before), ==, gig_record_get_id (after));
  }

  /* Search narrows it: every item removed, then the matches added. */
  rec.changes->len = 0;
  search = gig_store_query_copy (query);
  search->text = g_strdup ("bake");
  gig_record_list_model_set_query (model, search);
  g_assert_cmpuint (rec.changes->len, ==, 2);
  assert_replaced (&rec, n_open + 1, 386);
  assert_model_matches (f, model);

  g_array_unref (rec.changes);
}

/* The milestone rules mirror the server's (pb/README.md, "Milestone agreements"): every status
 * string maps both ways, only pending terms are editable, and each move belongs to its role. */
static void
test_milestone_rules (void)
{
  static const char *names[] = { "pending", "in_progress", "submitted", "approved" };
  static const struct { GigMilestoneStatus from, to; GigProjectRole role; } allowed[] = {
    { GIG_MILESTONE_STATUS_PENDING, GIG_MILESTONE_STATUS_IN_PROGRESS, GIG_PROJECT_ROLE_HIRED },
    { GIG_MILESTONE_STATUS_IN_PROGRESS, GIG_MILESTONE_STATUS_SUBMITTED, GIG_PROJECT_ROLE_HIRED },
    { GIG_MILESTONE_STATUS_SUBMITTED, GIG_MILESTONE_STATUS_IN_PROGRESS, GIG_PROJECT_ROLE_HIRED },
    { GIG_MILESTONE_STATUS_SUBMITTED, GIG_MILESTONE_STATUS_IN_PROGRESS, GIG_PROJECT_ROLE_OWNER },
    { GIG_MILESTONE_STATUS_SUBMITTED, GIG_MILESTONE_STATUS_APPROVED, GIG_PROJECT_ROLE_OWNER },
  };
  guint n_allowed = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GigMilestoneStatus status = gig_milestone_status_from_string (names[i]);
      g_autofree char *json = g_strdup_printf ("{\"id\":\"mls000000000001\",\"title\":\"Design\",\"status\":\"%s\"}",
                                               names[i]);
      g_autoptr(JsonObject) record = gig_store_json_from_string (json);
      g_autoptr(GigRecord) m = gig_record_new_for_collection (GIG_COLLECTION_MILESTONES, record, GIG_LOCAL_STATE_SYNCED);

      g_assert_cmpint (status, !=, GIG_MILESTONE_STATUS_UNKNOWN);
      g_assert_cmpstr (gig_milestone_status_to_string (status), ==, names[i]);
      g_assert_cmpint (gig_milestone_get_status_value (GIG_MILESTONE (m)), ==, status);
      g_assert_cmpint (gig_milestone_can_edit_terms (GIG_MILESTONE (m)), ==, i == 0);
    }
  g_assert_cmpint (gig_milestone_status_from_string ("done"), ==, GIG_MILESTONE_STATUS_UNKNOWN);
  g_assert_cmpint (gig_milestone_status_from_string (NULL), ==, GIG_MILESTONE_STATUS_UNKNOWN);
  g_assert_null (gig_milestone_status_to_string (GIG_MILESTONE_STATUS_UNKNOWN));

  for (int from = GIG_MILESTONE_STATUS_UNKNOWN; from <= GIG_MILESTONE_STATUS_APPROVED; from++)
    for (int to = GIG_MILESTONE_STATUS_UNKNOWN; to <= GIG_MILESTONE_STATUS_APPROVED; to++)
      for (int role = GIG_PROJECT_ROLE_OTHER; role <= GIG_PROJECT_ROLE_HIRED; role++)
        {
          gboolean expected = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
            expected |= allowed[i].from == (GigMilestoneStatus) from && allowed[i].to == (GigMilestoneStatus) to &&
                        allowed[i].role == (GigProjectRole) role;
          n_allowed += expected;
          g_assert_cmpint (gig_milestone_status_move_allowed (from, to, role), ==, expected);
        }
  g_assert_cmpuint (n_allowed, ==, G_N_ELEMENTS (allowed));

  /* A deleted milestone moves nowhere. */
  {
    g_autoptr(JsonObject) record = gig_store_json_from_string (
      "{\"id\":\"mls000000000002\",\"title\":\"Gone\",\"status\":\"submitted\",\"deleted\":true}");
    g_autoptr(GigRecord) m = gig_record_new_for_collection (GIG_COLLECTION_MILESTONES, record, GIG_LOCAL_STATE_SYNCED);

    g_assert_false (gig_milestone_can_move_to (GIG_MILESTONE (m), GIG_PROJECT_ROLE_OWNER, GIG_MILESTONE_STATUS_APPROVED));
  }
}

/* ---- objects read from the store, and what a new record holds ------------------------------ */

#define OWNER  "usrowner0000001"
#define AUTHOR "usrauthor000001"

static void
apply_json (GigStore      *store,
            GigCollection  collection,
            const char    *json)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page, gig_store_json_from_string (json));
  g_assert_true (gig_store_apply_server_page (store, collection, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Objects come with their local state; a missing record is NULL, not an empty object. */
static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GigProject) missing = gig_project_load (f->store, "prj000000000404");
  g_autoptr(GigProject) loaded = NULL;
  g_autoptr(GigProposal) draft = NULL;
  g_autoptr(GigUser) user = NULL;
  g_autoptr(JsonObject) fields = gig_proposal_input_fields ("900", "5", "Me", TRUE);
  g_autoptr(GPtrArray) many = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *draft_id = NULL;
  const char *ids[] = { "prj000000000001", "prj000000000404", NULL };

  g_assert_null (missing);
  g_assert_null (gig_project_load (f->store, NULL));
  g_assert_null (gig_project_load (f->store, ""));

  apply_json (f->store, GIG_COLLECTION_PROJECTS,
              "{\"id\":\"prj000000000001\",\"title\":\"Logo\",\"owner\":\"" OWNER "\",\"status\":\"open\","
              "\"budget\":1500,\"currency\":\"EUR\",\"deleted\":false,"
              "\"created\":\"2026-01-01 10:00:00.000Z\",\"updated\":\"2026-01-01 10:00:00.000Z\"}");
  apply_json (f->store, GIG_COLLECTION_USERS,
              "{\"id\":\"" OWNER "\",\"name\":\"Olga\",\"created\":\"2026-01-01 10:00:00.000Z\","
              "\"updated\":\"2026-01-01 10:00:00.000Z\"}");
  loaded = gig_project_load (f->store, "prj000000000001");
  g_assert_nonnull (loaded);
  g_assert_cmpstr (gig_project_get_title (loaded), ==, "Logo");
  g_assert_cmpint (gig_project_get_status_value (loaded), ==, GIG_PROJECT_STATUS_OPEN);
  g_assert_cmpint (gig_record_get_local_state (GIG_RECORD (loaded)), ==, GIG_LOCAL_STATE_SYNCED);
  user = gig_user_load (f->store, OWNER);
  g_assert_cmpstr (gig_user_get_name (user), ==, "Olga");

  many = gig_record_load_many (f->store, GIG_COLLECTION_PROJECTS, ids);
  g_assert_cmpuint (many->len, ==, 1);
  g_assert_true (GIG_IS_PROJECT (g_ptr_array_index (many, 0)));

  gig_proposal_add_draft_fields (fields, "prj000000000001", AUTHOR);
  g_assert_true (gig_store_save_draft (f->store, fields, NULL, &draft_id, &error));
  g_assert_no_error (error);
  draft = gig_proposal_load (f->store, draft_id);
  g_assert_nonnull (draft);
  g_assert_true (gig_record_is_draft (GIG_RECORD (draft)));
  g_assert_true (gig_proposal_can_edit (draft, AUTHOR));
  g_assert_false (gig_proposal_can_withdraw (draft, AUTHOR));
  g_assert_false (gig_proposal_is_visible_to (draft, loaded, OWNER));
}

/* A new milestone goes last and starts pending, whatever the order of the others. */
static void
test_milestone_new_fields (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) first = gig_milestone_new_fields (f->store, "prj000000000001", "Sketch", 300, "");
  g_autoptr(JsonObject) next = NULL;
  g_autoptr(JsonObject) terms = gig_milestone_terms_fields ("Final", 900, "2026-12-24 00:00:00.000Z");

  g_assert_cmpint (json_object_get_int_member (first, "position"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (first, "project"), ==, "prj000000000001");
  g_assert_false (json_object_get_boolean_member (first, "deleted"));

  apply_json (f->store, GIG_COLLECTION_MILESTONES,
              "{\"id\":\"mls000000000001\",\"project\":\"prj000000000001\",\"title\":\"A\",\"position\":7,"
              "\"status\":\"approved\",\"deleted\":false,\"created\":\"2026-01-01 10:00:00.000Z\","
              "\"updated\":\"2026-01-01 10:00:00.000Z\"}");
  apply_json (f->store, GIG_COLLECTION_MILESTONES,
              "{\"id\":\"mls000000000002\",\"project\":\"prj000000000001\",\"title\":\"B\",\"position\":3,"
              "\"status\":\"pending\",\"deleted\":false,\"created\":\"2026-01-01 10:00:00.000Z\","
              "\"updated\":\"2026-01-01 10:00:01.000Z\"}");
  /* Another project's milestones do not count. */
  apply_json (f->store, GIG_COLLECTION_MILESTONES,
              "{\"id\":\"mls000000000003\",\"project\":\"prj000000000002\",\"title\":\"C\",\"position\":40,"
              "\"status\":\"pending\",\"deleted\":false,\"created\":\"2026-01-01 10:00:00.000Z\","
              "\"updated\":\"2026-01-01 10:00:02.000Z\"}");
  next = gig_milestone_new_fields (f->store, "prj000000000001", "Final", 900, "");
  g_assert_cmpint (json_object_get_int_member (next, "position"), ==, 8);

  g_assert_cmpuint (json_object_get_size (terms), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (terms, "title"), ==, "Final");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model/objects", test_objects);
  g_test_add_func ("/model/milestone-rules", test_milestone_rules);
  g_test_add ("/model/load", Fixture, NULL, fixture_setup, test_load, fixture_teardown);
  g_test_add ("/model/milestone/new-fields", Fixture, NULL, fixture_setup, test_milestone_new_fields,
              fixture_teardown);
  g_test_add ("/model/list/item-types", Fixture, NULL, fixture_setup, test_item_types, fixture_teardown);
  g_test_add ("/model/list/100k-rows", Fixture, NULL, fixture_setup, test_large_list, fixture_teardown);
  g_test_add ("/model/list/items-changed", Fixture, NULL, fixture_setup, test_items_changed, fixture_teardown);
  g_test_add ("/model/list/budget-search-refresh", Fixture, NULL, fixture_setup, test_budget_search_refresh, fixture_teardown);

  return g_test_run ();
}
