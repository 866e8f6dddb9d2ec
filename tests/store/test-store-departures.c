/* test-store-departures.c: the departures cursor, removal of departed records, the persisted
 * reconcile flag, and the Open Projects scope, on real SQLite files
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>

#include "store/gig-store.h"
#include "store/gig-store-departures.h"

typedef struct {
  char     *dir;
  char     *path;
  GigStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gigdesk-store-departures-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gig_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_true (gig_store_remove_files (f->path, NULL));
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static JsonObject *
project (const char *id,
         const char *status,
         gboolean    deleted,
         const char *updated)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "collectionName", "projects");
  json_object_set_string_member (o, "title", id);
  json_object_set_string_member (o, "status", status);
  json_object_set_string_member (o, "owner", "usralice0000001");
  json_object_set_string_member (o, "hired_freelancer", "");
  json_object_set_boolean_member (o, "deleted", deleted);
  json_object_set_string_member (o, "created", updated);
  json_object_set_string_member (o, "updated", updated);
  return o;
}

static void
apply (GigStore   *store,
       JsonObject *record)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page, record);
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
exists (GigStore   *store,
        const char *id)
{
  g_autoptr(JsonObject) record = gig_store_get_record (store, GIG_COLLECTION_PROJECTS, id);

  return record != NULL;
}

static void
on_changed (GigStore  *store,
            int        collection,
            GStrv      ids,
            GPtrArray *log)
{
  for (guint i = 0; ids[i] != NULL; i++)
    g_ptr_array_add (log, g_strdup (ids[i]));
}

static void
test_remove_departed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) edit = json_object_new ();
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  const char *ids[] = { "prjaaaaaaaaaaa1", "prjbbbbbbbbbbb2", "prjccccccccccc3", "prjddddddddddd4", "prjeeeeeeeeeee5" };
  const char *stamps[] = { "2026-11-24 10:00:01.000Z", "2026-11-24 10:00:01.000Z",
                           "2026-11-24 10:00:01.000Z", "", "2026-11-24 10:00:01.000Z" };
  guint removed = 99;

  apply (f->store, project (ids[0], "open", FALSE, "2026-11-24 10:00:00.000Z"));
  /* back in view after the change: a newer copy than the departure's stamp */
  apply (f->store, project (ids[1], "open", FALSE, "2026-11-24 10:00:02.000Z"));
  /* local work waiting: never dropped */
  apply (f->store, project (ids[2], "open", FALSE, "2026-11-24 10:00:00.000Z"));
  json_object_set_string_member (edit, "title", "mine");
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, ids[2], edit, &error));
  g_assert_no_error (error);
  /* no stamp (unknown): removed whatever its version */
  apply (f->store, project (ids[3], "open", FALSE, "2026-11-24 10:00:05.000Z"));
  /* ids[4] is not cached at all */

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), log);
  g_assert_true (gig_store_remove_departed (f->store, GIG_COLLECTION_PROJECTS, ids, stamps, 5, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 2);
  g_assert_false (exists (f->store, ids[0]));
  g_assert_true (exists (f->store, ids[1]));
  g_assert_true (exists (f->store, ids[2]));
  g_assert_false (exists (f->store, ids[3]));
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, ids[0]);
  g_assert_cmpstr (g_ptr_array_index (log, 1), ==, ids[3]);

  /* a record collection only */
  g_assert_false (gig_store_remove_departed (f->store, GIG_COLLECTION_CHAT_MESSAGES, ids, stamps, 1, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
}

static void
test_cursor_and_flag_survive_restart (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *id = NULL;
  gint64 pulled_at = 0;

  g_assert_false (gig_store_get_departures_cursor (f->store, NULL, NULL, NULL));
  g_assert_cmpint (gig_store_get_oldest_reconcile (f->store), ==, 0);
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    g_assert_true (gig_store_set_last_reconcile (f->store, c, 1000 + c, &error));
  g_assert_cmpint (gig_store_get_oldest_reconcile (f->store), ==, 1000);
  g_assert_true (gig_store_set_departures_cursor (f->store, "2026-11-24 10:00:00.000Z", "depaaaaaaaaaaa1", 4242, &error));
  g_assert_no_error (error);
  /* the departures cursor is not a record collection's */
  g_assert_false (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, NULL, NULL));

  /* "reconcile needed" is written to the file: a crash before it ran keeps it */
  g_assert_true (gig_store_request_reconcile (f->store, &error));
  gig_store_close (f->store);
  g_clear_object (&f->store);
  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (gig_store_get_departures_cursor (f->store, &updated, &id, &pulled_at));
  g_assert_cmpstr (updated, ==, "2026-11-24 10:00:00.000Z");
  g_assert_cmpstr (id, ==, "depaaaaaaaaaaa1");
  g_assert_cmpint (pulled_at, ==, 4242);
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    g_assert_cmpint (gig_store_get_last_reconcile (f->store, c), ==, 0);
}

/* Open Projects: open and live only, whatever else the cache holds. */
static void
test_open_scope (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  apply (f->store, project ("prjopen00000001", "open", FALSE, "2026-11-24 10:00:00.000Z"));
  apply (f->store, project ("prjgone00000002", "open", TRUE, "2026-11-24 10:00:00.000Z"));
  apply (f->store, project ("prjwork00000003", "in_progress", FALSE, "2026-11-24 10:00:00.000Z"));
  apply (f->store, project ("prjcanc00000004", "cancelled", FALSE, "2026-11-24 10:00:00.000Z"));
  apply (f->store, project ("prjdone00000005", "completed", FALSE, "2026-11-24 10:00:00.000Z"));
  g_assert_true (gig_store_query_count (f->store, query, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/store/departures/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("remove-departed", test_remove_departed);
  ADD ("cursor-and-flag-survive-restart", test_cursor_and_flag_survive_restart);
  ADD ("open-scope", test_open_scope);
  return g_test_run ();
}
