/* test-store-damage.c: real cache files cut to nothing, cut short, overwritten in the middle, and
 * a disk that is full (SQLite's max_page_count gives a real SQLITE_FULL on a real file). Each
 * must give a clear error, keep the damaged file as it was, and lose nothing without saying so.
 *
 * SPDX-License-Identifier: MIT
 */
/* truncate(), pwrite() */
#define _GNU_SOURCE

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gig-test-files.h"
#include "store/gig-store-chat.h"
#include "store/gig-store-private.h"

#define N_SYNCED 400
#define PAGE_SIZE 8192

typedef struct
{
  char  *dir;
  char  *path;
  char  *draft_id;
  char  *pending_ids[3];
} Cache;

static void
cache_free (Cache *cache)
{
  gig_test_remove_tree (cache->dir);
  g_free (cache->dir);
  g_free (cache->path);
  g_free (cache->draft_id);
  for (guint i = 0; i < G_N_ELEMENTS (cache->pending_ids); i++)
    g_free (cache->pending_ids[i]);
  g_free (cache);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cache, cache_free)

static JsonObject *
server_project (guint n)
{
  JsonObject *o = json_object_new ();
  g_autofree char *id = g_strdup_printf ("prj%012u", n);
  g_autofree char *updated = g_strdup_printf ("2026-11-24 10:%02u:%02u.000Z", n / 60 % 60, n % 60);
  g_autofree char *description = g_strnfill (1500, 'a' + n % 26);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "title", "Synced from the server");
  json_object_set_string_member (o, "description", description);
  json_object_set_string_member (o, "status", "open");
  json_object_set_string_member (o, "owner", "usralice0000001");
  json_object_set_string_member (o, "created", updated);
  json_object_set_string_member (o, "updated", updated);
  return o;
}

/* A cache as a user has it: many synced records, then what only this computer has: a draft
 * proposal, three projects created offline (their rows last in the file), two unsent chat
 * messages. Closed, so the file alone holds it all. */
static Cache *
cache_new (void)
{
  Cache *cache = g_new0 (Cache, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) draft = json_object_new ();

  cache->dir = g_dir_make_tmp ("gig-store-damage-XXXXXX", &error);
  g_assert_no_error (error);
  cache->path = g_build_filename (cache->dir, "cache.sqlite", NULL);
  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_SYNCED; i++)
    g_ptr_array_add (page, server_project (i));
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page,
                                              "2026-11-24 10:06:39.000Z", "prj000000000399", NULL, &error));
  g_assert_no_error (error);

  json_object_set_string_member (draft, "project", "prj000000000001");
  json_object_set_string_member (draft, "cover_letter", "Half-written cover letter");
  g_assert_true (gig_store_save_draft (store, draft, NULL, &cache->draft_id, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cache->pending_ids); i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *title = g_strdup_printf ("Written offline %u", i);

      json_object_set_string_member (fields, "title", title);
      json_object_set_string_member (fields, "status", "open");
      g_assert_true (gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields,
                                              &cache->pending_ids[i], &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) message = json_object_new ();
      g_autofree char *id = g_strdup_printf ("msg-offline-%u", i);

      json_object_set_string_member (message, "id", id);
      json_object_set_string_member (message, "text", "Sent while offline");
      g_assert_true (gig_store_chat_queue_message (store, "messaging:project-prj000000000001",
                                                   "usralice0000001", message, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (gig_store_pending_count (store), ==, 3);
  gig_store_close (store);
  return cache;
}

static GBytes *
read_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (g_steal_pointer (&data), length);
}

/* Refused: when it is opened (not SQLite's, or cut short), or, for a file that opens, by the
 * check of every page that opening starts without waiting for it; either way nothing is written
 * to it. */
static void
assert_refused (Cache *cache, const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GBytes) before = read_file (cache->path);
  g_autoptr(GBytes) after = NULL;

  store = gig_store_new_for_path (cache->path, &error);
  if (store != NULL)
    {
      g_assert_no_error (error);
      g_assert_false (gig_store_wait_checked (store, &error));
      gig_store_close (store);
    }
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, words));
  g_assert_nonnull (strstr (error->message, cache->path));
  /* refused, not replaced or repaired */
  after = read_file (cache->path);
  g_assert_true (g_bytes_equal (before, after));
}

/* Recovers and checks that the damaged file was kept as it was and the fresh one opens. */
static GigStoreRecovery *
recover (Cache *cache, GigStore **out_store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) damaged = read_file (cache->path);
  g_autoptr(GBytes) kept = NULL;
  GigStoreRecovery *recovery = gig_store_recover (cache->path, &error);
  g_autofree char *base = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (recovery);
  base = g_path_get_basename (recovery->kept_path);
  g_assert_true (g_str_has_prefix (base, "cache.sqlite.damaged-"));
  kept = read_file (recovery->kept_path);
  g_assert_true (g_bytes_equal (damaged, kept));

  *out_store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);
  return recovery;
}

static void
test_zero_length (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStoreRecovery) recovery = NULL;
  g_autoptr(GigStore) store = NULL;

  g_assert_cmpint (truncate (cache->path, 0), ==, 0);
  assert_refused (cache, "empty");

  recovery = recover (cache, &store);
  g_assert_cmpuint (recovery->changes, ==, 0);
  g_assert_false (recovery->complete);
  g_assert_nonnull (strstr (recovery->unreadable, "waiting changes"));
  g_assert_nonnull (strstr (recovery->unreadable, "drafts"));
  g_assert_nonnull (strstr (recovery->unreadable, "unsent messages"));
  g_assert_cmpuint (gig_store_pending_count (store), ==, 0);
}

static void
test_not_a_database (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStoreRecovery) recovery = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int fd = open (cache->path, O_WRONLY);

  /* the header overwritten: SQLite does not know the file any more */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "this is not sqlite at all", 25), ==, 25);
  close (fd);
  assert_refused (cache, "damaged");

  recovery = recover (cache, &store);
  g_assert_false (recovery->complete);
  g_assert_cmpuint (gig_store_pending_count (store), ==, 0);
}

static void
test_truncated (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStoreRecovery) recovery = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GigChatOutboxEntry) message = NULL;
  GStatBuf info;

  g_assert_cmpint (g_stat (cache->path, &info), ==, 0);
  g_assert_cmpint (info.st_size, >, 40 * PAGE_SIZE);
  g_assert_cmpint (truncate (cache->path, info.st_size / 2 / PAGE_SIZE * PAGE_SIZE), ==, 0);
  assert_refused (cache, "damaged");

  recovery = recover (cache, &store);
  /* the small tables lie before the cut: every waiting change, the draft and both messages */
  g_assert_cmpuint (recovery->changes, ==, 3);
  g_assert_cmpuint (recovery->drafts, ==, 1);
  g_assert_cmpuint (recovery->messages, ==, 2);
  g_assert_cmpuint (recovery->message_rows, ==, 2);
  /* the projects' rows after the cut are lost, and the report says so */
  g_assert_false (recovery->complete);
  g_assert_nonnull (strstr (recovery->unreadable, "edited records"));

  g_assert_cmpuint (gig_store_pending_count (store), ==, 3);
  g_assert_cmpuint (gig_store_chat_outbox_count (store), ==, 2);
  {
    g_autoptr(JsonObject) draft = gig_store_get_record (store, GIG_COLLECTION_PROPOSALS, cache->draft_id);

    g_assert_nonnull (draft);
    g_assert_cmpstr (json_object_get_string_member (draft, "cover_letter"), ==, "Half-written cover letter");
  }
  /* the carried outbox is sent as before */
  {
    g_autoptr(GPtrArray) entries = gig_store_outbox_next (store, 10);

    g_assert_cmpuint (entries->len, ==, 3);
    g_assert_cmpstr (((GigOutboxEntry *) g_ptr_array_index (entries, 0))->record_id, ==, cache->pending_ids[0]);
  }
  message = gig_store_chat_outbox_next (store);
  g_assert_nonnull (message);
  g_assert_cmpstr (message->message_id, ==, "msg-offline-0");
}

/* Four pages in the middle of the synced projects' rows: a file that opens, damaged inside. */
static void
overwrite_pages (Cache *cache)
{
  g_autofree char *garbage = g_strnfill (4 * PAGE_SIZE, '\x5a');
  GStatBuf info;
  gint64 pages;
  int fd;

  g_assert_cmpint (g_stat (cache->path, &info), ==, 0);
  pages = info.st_size / PAGE_SIZE;
  fd = open (cache->path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, garbage, 4 * PAGE_SIZE, (pages / 2) * PAGE_SIZE), ==, 4 * PAGE_SIZE);
  close (fd);
}

static void
test_overwritten_pages (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStoreRecovery) recovery = NULL;
  g_autoptr(GigStore) store = NULL;

  overwrite_pages (cache);
  assert_refused (cache, "damaged");

  recovery = recover (cache, &store);
  g_assert_cmpuint (recovery->changes, ==, 3);
  g_assert_cmpuint (recovery->drafts, ==, 1);
  g_assert_cmpuint (recovery->messages, ==, 2);
  /* the rows after the damage are read backwards from the end: the offline creates are there */
  g_assert_cmpuint (recovery->edits, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (cache->pending_ids); i++)
    {
      g_autoptr(JsonObject) record = gig_store_get_record (store, GIG_COLLECTION_PROJECTS, cache->pending_ids[i]);

      g_assert_nonnull (record);
    }
  g_assert_false (recovery->complete);
  g_assert_cmpuint (gig_store_pending_count (store), ==, 3);
}

/* "Work only this computer has" is one definition: what the sign-out guard counts is what a
 * recovery carries over, for every kind of local work, the user's own profile included. */
static void
test_unsent_is_what_recovery_carries (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GigStoreRecovery) recovery = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) me = json_object_new ();
  g_autoptr(JsonObject) headline = json_object_new ();
  g_autoptr(JsonObject) title = json_object_new ();
  g_autoptr(JsonObject) theirs = json_object_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GigStoreUnsent unsent = { 0 };

  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);
  /* a profile edit, an edit of a synced project, one refused and one in conflict */
  json_object_set_string_member (me, "id", "usralice0000001");
  json_object_set_string_member (me, "name", "Alice");
  json_object_set_string_member (me, "updated", "2026-11-24 10:00:00.000Z");
  g_ptr_array_add (users, json_object_ref (me));
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_USERS, users, NULL, NULL, NULL, &error));
  json_object_set_string_member (headline, "headline", "Written offline");
  g_assert_true (gig_store_update_record (store, GIG_COLLECTION_USERS, "usralice0000001", headline, &error));
  json_object_set_string_member (title, "title", "Edited offline");
  g_assert_true (gig_store_update_record (store, GIG_COLLECTION_PROJECTS, "prj000000000010", title, &error));
  g_assert_true (gig_store_update_record (store, GIG_COLLECTION_PROJECTS, "prj000000000011", title, &error));
  g_assert_true (gig_store_update_record (store, GIG_COLLECTION_PROJECTS, "prj000000000012", title, &error));
  g_assert_no_error (error);
  entries = gig_store_outbox_next (store, 100);
  for (guint i = 0; i < entries->len; i++)
    {
      GigOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->record_id, "prj000000000011") == 0)
        g_assert_true (gig_store_outbox_fail (store, entry->seq, "refused", &error));
      else
        g_assert_true (gig_store_outbox_retry_later (store, entry->seq, 0, NULL, &error));
    }
  json_object_set_string_member (theirs, "title", "Edited on the server");
  g_assert_true (gig_store_mark_conflict (store, GIG_COLLECTION_PROJECTS, "prj000000000012", theirs, &error));
  g_assert_no_error (error);

  g_assert_true (gig_store_count_unsent (store, &unsent, &error));
  g_assert_no_error (error);
  gig_store_close (store);
  g_clear_object (&store);

  /* a healthy file recovers whole: every part read to its end */
  recovery = gig_store_recover (cache->path, &error);
  g_assert_no_error (error);
  g_assert_true (recovery->complete);

  g_assert_cmpuint (unsent.users, ==, 1);
  g_assert_cmpuint (unsent.projects, ==, 3 + 3);
  g_assert_cmpuint (unsent.drafts, ==, recovery->drafts);
  g_assert_cmpuint (unsent.users + unsent.projects + unsent.proposals + unsent.milestones, ==, recovery->edits);
  g_assert_cmpuint (unsent.chat_messages, ==, recovery->messages);
  g_assert_cmpuint (gig_store_unsent_total (&unsent), ==, recovery->edits + recovery->drafts + recovery->messages);
}

static void
on_damaged (GigStore     *store,
            const GError *error,
            gpointer      user_data)
{
  GError **out = user_data;

  g_assert_null (*out);
  *out = g_error_copy (error);
}

static gboolean
give_up (gpointer user_data)
{
  g_error ("no damage report within 30 s");
  return G_SOURCE_REMOVE;
}

static void
page_applied (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **out = user_data;

  g_assert_false (gig_store_apply_server_page_finish (GIG_STORE (source), result, NULL, out));
}

/* The opening does not wait for the check of every page: a damaged file opens, the damage is
 * reported by a signal, and nothing is written to the file from then on. */
static void
test_damage_reported (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) damage = NULL;
  g_autoptr(GError) page_error = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) fields = json_object_new ();
  guint timeout;

  overwrite_pages (cache);
  before = read_file (cache->path);

  /* the check would have refused it: opening did not wait for it */
  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_signal_connect (store, "damaged", G_CALLBACK (on_damaged), &damage);

  /* the report arrives on this thread */
  timeout = g_timeout_add_seconds (30, give_up, NULL);
  while (damage == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_assert_error (damage, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (damage->message, "damaged"));
  g_assert_nonnull (strstr (damage->message, cache->path));

  /* nothing is written to it any more, by any way */
  json_object_set_string_member (fields, "title", "Written on a damaged file");
  g_assert_false (gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_ptr_array_add (page, server_project (N_SYNCED));
  gig_store_apply_server_page_async (store, GIG_COLLECTION_PROJECTS, page, NULL, NULL, NULL,
                                     page_applied, &page_error);
  while (page_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (page_error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  g_assert_false (gig_store_wait_checked (store, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  gig_store_close (store);

  after = read_file (cache->path);
  g_assert_true (g_bytes_equal (before, after));
}

/* A healthy file: the check finds nothing and says nothing. */
static void
test_healthy_not_reported (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) damage = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);
  g_signal_connect (store, "damaged", G_CALLBACK (on_damaged), &damage);
  g_assert_true (gig_store_wait_checked (store, &error));
  g_assert_no_error (error);
  /* a report would have been queued before the wait's answer */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_no_error (damage);
  /* and the cache works as ever */
  entries = gig_store_outbox_next (store, 10);
  g_assert_cmpuint (entries->len, ==, 3);
}

/* On the store's writer thread, the only one that may use its connection: caps the file at
 * @data more pages than it has (0: no cap). */
static gboolean
limit_pages (GigStore  *store,
             gpointer   data,
             GError   **error)
{
  int more = GPOINTER_TO_INT (data);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *limit = NULL;
  int count;

  if (more == 0)
    return gig_store_exec (store, "PRAGMA max_page_count = 1000000", error);
  g_assert_cmpint (sqlite3_prepare_v2 (gig_store_get_db (store), "PRAGMA page_count", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  limit = g_strdup_printf ("PRAGMA max_page_count = %d", count + more);
  return gig_store_exec (store, limit, error);
}

static void
test_disk_full (void)
{
  g_autoptr(Cache) cache = cache_new ();
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  guint created = 0;

  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);

  /* room for a few more pages, no more */
  g_assert_true (gig_store_write (store, limit_pages, GINT_TO_POINTER (3), &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *description = g_strnfill (3000, 'x');
      g_autofree char *id = NULL;

      json_object_set_string_member (fields, "title", "Written on a full disk");
      json_object_set_string_member (fields, "description", description);
      if (!gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields, &id, &error))
        break;
      created++;
    }
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_clear_error (&error);
  g_assert_cmpuint (created, <, 1000);
  /* every write before the full one is there, whole; the full one left nothing behind */
  g_assert_cmpuint (gig_store_pending_count (store), ==, 3 + created);

  /* a page from the server does not fit either: the cursor stays where it was */
  for (guint i = N_SYNCED; i < N_SYNCED + 200; i++)
    g_ptr_array_add (page, server_project (i));
  g_assert_false (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page,
                                               "2026-11-24 10:09:59.000Z", "prj000000000599", NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_DISK_FULL);
  g_clear_error (&error);
  g_assert_true (gig_store_get_cursor (store, GIG_COLLECTION_PROJECTS, &cursor_updated, NULL));
  g_assert_cmpstr (cursor_updated, ==, "2026-11-24 10:06:39.000Z");

  /* room again: the same page goes in */
  g_assert_true (gig_store_write (store, limit_pages, GINT_TO_POINTER (0), &error));
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page,
                                              "2026-11-24 10:09:59.000Z", "prj000000000599", NULL, &error));
  g_assert_no_error (error);
  gig_store_close (store);
  g_clear_object (&store);

  /* and the file is whole */
  store = gig_store_new_for_path (cache->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gig_store_pending_count (store), ==, 3 + created);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/damage/zero-length", test_zero_length);
  g_test_add_func ("/store/damage/not-a-database", test_not_a_database);
  g_test_add_func ("/store/damage/truncated", test_truncated);
  g_test_add_func ("/store/damage/overwritten-pages", test_overwritten_pages);
  g_test_add_func ("/store/damage/disk-full", test_disk_full);
  g_test_add_func ("/store/damage/reported-after-open", test_damage_reported);
  g_test_add_func ("/store/damage/healthy-not-reported", test_healthy_not_reported);
  g_test_add_func ("/store/unsent-is-what-recovery-carries", test_unsent_is_what_recovery_carries);

  return g_test_run ();
}
