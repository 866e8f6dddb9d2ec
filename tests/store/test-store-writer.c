/* test-store-writer.c: one owner for the cache's writes, on a real SQLite file
 *
 * SPDX-License-Identifier: MIT
 *
 * Every row the cache changes is changed on the store's writer thread, whichever thread asked
 * and whichever way (local edits, outbox updates, live pages, queued pages, chat): an SQLite
 * update hook on the writer connection records the thread of each change. Using the writer
 * connection from another thread stops the program.
 */
#include <glib/gstdio.h>

#include "store/gig-store-chat.h"
#include "store/gig-store-departures.h"
#include "store/gig-store-private.h"

typedef struct {
  GMutex      lock;
  GHashTable *threads;   /* GThread * of every row change */
  guint       changes;
} Changes;

static void
on_row_changed (void          *data,
                int            op,
                const char    *database,
                const char    *table,
                sqlite3_int64  rowid)
{
  Changes *changes = data;

  g_mutex_lock (&changes->lock);
  g_hash_table_add (changes->threads, g_thread_self ());
  changes->changes++;
  g_mutex_unlock (&changes->lock);
}

static gboolean
install_hook (GigStore  *store,
              gpointer   data,
              GError   **error)
{
  sqlite3_update_hook (gig_store_get_db (store), data ? on_row_changed : NULL, data);
  return TRUE;
}

static JsonObject *
server_project (const char *id,
                const char *updated)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "title", "From the server");
  json_object_set_string_member (o, "status", "open");
  json_object_set_string_member (o, "owner", "usralice0000001");
  json_object_set_string_member (o, "created", updated);
  json_object_set_string_member (o, "updated", updated);
  return o;
}

static void
on_page_applied (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gig_store_apply_server_page_finish (GIG_STORE (source), result, NULL, &error));
  g_assert_no_error (error);
  g_main_loop_quit (user_data);
}

static void
test_one_writer (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-writer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) edit = json_object_new ();
  g_autoptr(JsonObject) message = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *draft = NULL;
  Changes changes = { .threads = g_hash_table_new (NULL, NULL) };
  GigOutboxEntry *entry;
  GHashTableIter iter;
  gpointer thread;

  g_assert_no_error (error);
  g_mutex_init (&changes.lock);
  g_assert_true (gig_store_write (store, install_hook, &changes, &error));

  /* a queued page, as a pull writes it */
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *pid = g_strdup_printf ("prj%012u", i);
      g_ptr_array_add (page, server_project (pid, "2026-06-01 10:00:00.000Z"));
    }
  gig_store_apply_server_page_async (store, GIG_COLLECTION_PROJECTS, page, "2026-06-01 10:00:00.000Z",
                                     "prj000000000049", NULL, on_page_applied, loop);
  g_main_loop_run (loop);

  /* a live event, applied at once */
  g_ptr_array_add (live, server_project ("prj000000000001", "2026-06-02 10:00:00.000Z"));
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, live, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* the user's edits, drafts and their way through the outbox */
  json_object_set_string_member (fields, "title", "Made here");
  g_assert_true (gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  json_object_set_string_member (edit, "title", "Edited here");
  g_assert_true (gig_store_update_record (store, GIG_COLLECTION_PROJECTS, "prj000000000002", edit, &error));
  g_assert_true (gig_store_save_draft (store, fields, NULL, &draft, &error));
  g_assert_true (gig_store_discard_draft (store, draft, &error));
  entries = gig_store_outbox_next (store, 10);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = g_ptr_array_index (entries, 0);
  g_assert_true (gig_store_outbox_done (store, entry->seq, NULL, &error));
  entry = g_ptr_array_index (entries, 1);
  g_assert_true (gig_store_outbox_fail (store, entry->seq, "refused", &error));
  g_assert_true (gig_store_outbox_requeue (store, entry->seq, &error));
  g_assert_no_error (error);

  /* cursors, stamps, departures and chat */
  g_assert_true (gig_store_set_cursor (store, GIG_COLLECTION_USERS, "2026-06-01 10:00:00.000Z",
                                       "usralice0000001", &error));
  g_assert_true (gig_store_set_last_full_sync (store, GIG_COLLECTION_USERS, 1, &error));
  g_assert_true (gig_store_set_departures_cursor (store, "2026-06-01 10:00:00.000Z", NULL, 1, &error));
  json_object_set_string_member (message, "id", "msg-1");
  json_object_set_string_member (message, "text", "Hello");
  g_assert_true (gig_store_chat_queue_message (store, "messaging:project-1", "usralice0000001", message, &error));
  g_assert_no_error (error);

  g_assert_true (gig_store_write (store, install_hook, NULL, &error));
  g_mutex_clear (&changes.lock);

  /* every change, on one thread that is not this one */
  g_assert_cmpuint (changes.changes, >, 50);
  g_assert_cmpuint (g_hash_table_size (changes.threads), ==, 1);
  g_hash_table_iter_init (&iter, changes.threads);
  g_assert_true (g_hash_table_iter_next (&iter, &thread, NULL));
  g_assert_true (thread != (gpointer) g_thread_self ());
  g_hash_table_unref (changes.threads);

  gig_store_close (store);
  g_assert_true (gig_store_remove_files (path, NULL));
  g_rmdir (dir);
}

static void
on_page_landed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gig_store_apply_server_page_finish (GIG_STORE (source), result, NULL, &error));
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

/* Closing lets the pages already queued land, on the writer, before it closes the file. */
static void
test_close_lands_queued_pages (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-writer-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);
  guint landed = 0;

  g_assert_no_error (error);
  for (guint p = 0; p < 5; p++)
    {
      g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

      for (guint i = 0; i < 200; i++)
        {
          g_autofree char *id = g_strdup_printf ("prj%012u", p * 200 + i);
          g_ptr_array_add (page, server_project (id, "2026-06-01 10:00:00.000Z"));
        }
      gig_store_apply_server_page_async (store, GIG_COLLECTION_PROJECTS, page, NULL, NULL, NULL,
                                         on_page_landed, &landed);
    }
  gig_store_close (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (landed, ==, 5);
  g_clear_object (&store);

  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_ALL);
    guint count = 0;

    g_assert_true (gig_store_query_count (store, query, &count, &error));
    g_assert_cmpuint (count, ==, 1000);
  }
  gig_store_close (store);
  g_assert_true (gig_store_remove_files (path, NULL));
  g_rmdir (dir);
}

static void
test_foreign_use_aborts (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(GigStore) store = NULL;

      path = g_build_filename (g_getenv ("GIG_TEST_STORE_DIR"), "cache.sqlite", NULL);
      store = gig_store_new_for_path (path, NULL);
      g_assert_nonnull (store);
      /* the writer connection, from the thread that opened the store */
      gig_store_exec (store, "DELETE FROM outbox", NULL);
      return;
    }

  /* the child inherits it */
  dir = g_dir_make_tmp ("gig-store-writer-XXXXXX", NULL);
  g_setenv ("GIG_TEST_STORE_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*gig_store_is_writer*");

  path = g_build_filename (dir, "cache.sqlite", NULL);
  g_assert_true (gig_store_remove_files (path, NULL));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/writer/one-thread", test_one_writer);
  g_test_add_func ("/store/writer/close-lands-queued-pages", test_close_lands_queued_pages);
  g_test_add_func ("/store/writer/foreign-use-aborts", test_foreign_use_aborts);

  return g_test_run ();
}
