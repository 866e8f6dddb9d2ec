/* test-sync.c: GigSync against a real PocketBase, real SQLite files and the real keyring
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include <libsoup/soup.h>

#include "gig-test-pb.h"
#include "gig-test-token.h"
#include "core/gig-id.h"
#include "pocketbase/gig-pb-client.h"
#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */

typedef struct
{
  GigPbClient *client;
  GigSession  *session;
  GigStore    *store;
  GigSync     *sync;
  char        *path;
  guint        conflicts;
  guint        remote_changes;
} Client;

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
conflict_cb (GigSync *sync, int collection, const char *id, Client *c)
{
  c->conflicts++;
}

static void
remote_cb (GigSync *sync, int collection, const char *id, JsonObject *before, JsonObject *after,
           Client *c)
{
  g_assert_nonnull (after);
  c->remote_changes++;
}

static Client *
client_open_at (const char *url, const char *email, const char *password, const char *path)
{
  Client *c = g_new0 (Client, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  c->client = gig_pb_client_new (url);
  c->session = gig_session_new (c->client);
  gig_session_sign_in_async (c->session, email, password, NULL, store_result, &result);
  g_assert_true (gig_session_sign_in_finish (c->session, wait_result (&result), &error));
  g_assert_no_error (error);

  c->path = g_strdup (path);
  c->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  c->sync = gig_sync_new (c->store, c->client, c->session);
  g_signal_connect (c->sync, "conflict", G_CALLBACK (conflict_cb), c);
  g_signal_connect (c->sync, "remote-record-changed", G_CALLBACK (remote_cb), c);
  return c;
}

static Client *
client_open (GigTestPb *pb, GigTestPbUser *user, const char *path)
{
  return client_open_at (gig_test_pb_get_url (pb), user->email, user->password, path);
}

static void
client_close (Client *c)
{
  gig_sync_stop (c->sync);
  /* a cycle that was stopped may still be finishing: it must not call into freed test data */
  g_signal_handlers_disconnect_by_data (c->sync, c);
  g_clear_object (&c->sync);
  gig_store_close (c->store);
  g_clear_object (&c->store);
  g_clear_object (&c->session);
  g_clear_object (&c->client);
  g_free (c->path);
  g_free (c);
}

static gboolean
sync_once (Client *c, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_sync_once_async (c->sync, NULL, store_result, &result);
  return gig_sync_once_finish (c->sync, wait_result (&result), error);
}

static char *
temp_db (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gigdesk-sync-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, name, NULL);
}

static JsonObject *
call_object (GigTestPb *pb, const char *token, const char *method, const char *path,
             const char *body, guint expect_status)
{
  guint status = 0;
  g_autoptr(JsonNode) node = gig_test_pb_call (pb, token, method, path, body, &status);

  if (status != expect_status)
    g_error ("%s %s: status %u, expected %u", method, path, status, expect_status);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static char *
server_create_project (GigTestPb *pb, GigTestPbUser *owner, const char *title)
{
  g_autofree char *body = g_strdup_printf (
    "{\"title\":\"%s\",\"description\":\"Work for %s\",\"budget\":500,\"currency\":\"EUR\","
    "\"status\":\"open\",\"owner\":\"%s\"}", title, title, owner->id);
  g_autoptr(JsonObject) record = call_object (pb, owner->token, "POST",
                                              "/api/collections/projects/records", body, 200);

  return g_strdup (json_object_get_string_member (record, "id"));
}

static void
server_patch (GigTestPb *pb, const char *token, const char *collection, const char *id,
              const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/collections/%s/records/%s", collection, id);
  g_autoptr(JsonObject) record = call_object (pb, token, "PATCH", path, body, 200);
}

static JsonObject *
server_get (GigTestPb *pb, const char *collection, const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/collections/%s/records/%s", collection, id);
  guint status = 0;
  g_autoptr(JsonNode) node = gig_test_pb_call (pb, gig_test_pb_get_superuser_token (pb), "GET",
                                               path, NULL, &status);

  if (status != 200)
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* Every record @token may list in @collection: id → updated. */
static GHashTable *
server_visible (GigTestPb *pb, const char *token, const char *collection)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint page = 1; ; page++)
    {
      g_autofree char *path = g_strdup_printf (
        "/api/collections/%s/records?perPage=500&page=%u&sort=id&fields=id,updated&skipTotal=1",
        collection, page);
      g_autoptr(JsonObject) answer = call_object (pb, token, "GET", path, NULL, 200);
      JsonArray *items = json_object_get_array_member (answer, "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          g_hash_table_insert (seen, g_strdup (json_object_get_string_member (item, "id")),
                               g_strdup (json_object_get_string_member (item, "updated")));
        }
      if (json_array_get_length (items) < 500)
        break;
    }
  return seen;
}

/* What the cache holds with a server version: id → updated, straight from the file. */
static GHashTable *
cache_contents (const char *path, const char *collection)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf (
    "SELECT id, json_extract(server_json, '$.updated') FROM %s WHERE server_json IS NOT NULL",
    collection);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (seen, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return seen;
}

static void
assert_same_sets (GHashTable *server, GHashTable *cache, const char *what)
{
  GHashTableIter iter;
  const char *id, *updated;

  g_hash_table_iter_init (&iter, server);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, (gpointer *) &updated))
    {
      const char *cached = g_hash_table_lookup (cache, id);
      if (g_strcmp0 (cached, updated) != 0)
        g_error ("%s: %s is %s on the server but %s in the cache", what, id, updated,
                 cached ? cached : "missing");
    }
  g_hash_table_iter_init (&iter, cache);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    if (!g_hash_table_contains (server, id))
      g_error ("%s: %s is in the cache but not visible on the server", what, id);
}

static JsonObject *
fields_new (const char *first_name, ...)
{
  JsonObject *object = json_object_new ();
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    json_object_set_string_member (object, name, va_arg (args, const char *));
  va_end (args);
  return object;
}

static char *
local_create_project (Client *c, const char *owner, const char *title)
{
  g_autoptr(JsonObject) fields = fields_new ("title", title, "status", "open", "owner", owner,
                                             "currency", "EUR", NULL);
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  json_object_set_int_member (fields, "budget", 100);
  g_assert_true (gig_store_create_record (c->store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  g_assert_no_error (error);
  return id;
}

static const char *
string_member (JsonObject *object, const char *name)
{
  return json_object_get_string_member_with_default (object, name, NULL);
}

static guint
server_count_with_id (GigTestPb *pb, const char *collection, const char *id)
{
  g_autofree char *filter = g_strdup_printf ("id=\"%s\"", id);
  g_autofree char *escaped = g_uri_escape_string (filter, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/collections/%s/records?filter=%s", collection, escaped);
  g_autoptr(JsonObject) answer = call_object (pb, gig_test_pb_get_superuser_token (pb), "GET",
                                              path, NULL, 200);

  return json_object_get_int_member (answer, "totalItems");
}

/* ------------------------------------------------------------------------------------------ */
/* Pull                                                                                       */

static void
progress_cb (GigSync *sync, GParamSpec *pspec, gboolean *seen)
{
  const char *text = gig_sync_get_progress_text (sync);

  if (text != NULL && g_str_has_suffix (text, "records received") && gig_sync_get_progress (sync) < 0)
    *seen = TRUE;
}

static void
test_pull_full_and_incremental (void)
{
  gboolean progress_seen = FALSE;
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) server = NULL;
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(JsonObject) record = NULL;
  Client *c;

  /* 1 200 records in batches share few `updated` values: paging must neither skip nor repeat */
  for (guint part = 0; part < 6; part++)
    {
      /* the server allows 200 requests per batch */
      g_autoptr(GString) chunk = g_string_new ("{\"requests\":[");
      for (guint i = part * 200; i < (part + 1) * 200; i++)
        g_string_append_printf (chunk, "%s{\"method\":\"POST\",\"url\":\"/api/collections/projects/records\","
                                "\"body\":{\"title\":\"Batch %u\",\"status\":\"open\",\"owner\":\"%s\"}}",
                                i > part * 200 ? "," : "", i, alice->id);
      g_string_append (chunk, "]}");
      g_autoptr(JsonNode) answer = gig_test_pb_superuser_call (pb, "POST", "/api/batch", chunk->str);
    }

  c = client_open (pb, alice, path);
  g_signal_connect (c->sync, "notify::progress-text", G_CALLBACK (progress_cb), &progress_seen);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_IDLE);
  /* a first pull cannot know the total: progress is counted, not a fraction */
  g_assert_true (progress_seen);
  g_signal_handlers_disconnect_by_data (c->sync, &progress_seen);
  g_assert_nonnull (gig_sync_get_last_synced (c->sync));

  server = server_visible (pb, alice->token, "projects");
  cache = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (server), ==, 1200);
  assert_same_sets (server, cache, "full pull");
  g_clear_pointer (&server, g_hash_table_unref);
  g_clear_pointer (&cache, g_hash_table_unref);

  /* incremental: a new record, a changed one, a soft-deleted one */
  g_ptr_array_add (ids, server_create_project (pb, alice, "Fresh"));
  g_ptr_array_add (ids, server_create_project (pb, alice, "To edit"));
  g_ptr_array_add (ids, server_create_project (pb, alice, "To delete"));
  g_assert_true (sync_once (c, &error));
  server_patch (pb, alice->token, "projects", ids->pdata[1], "{\"title\":\"Edited elsewhere\"}");
  server_patch (pb, alice->token, "projects", ids->pdata[2], "{\"deleted\":true}");
  c->remote_changes = 0;
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  /* the two changes were made by "someone else" (not pushed by this client) */
  g_assert_cmpuint (c->remote_changes, ==, 2);

  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, ids->pdata[1]);
  g_assert_cmpstr (string_member (record, "title"), ==, "Edited elsewhere");
  g_clear_pointer (&record, json_object_unref);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, ids->pdata[2]);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));

  server = server_visible (pb, alice->token, "projects");
  cache = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (server), ==, 1203);
  assert_same_sets (server, cache, "incremental pull");
  client_close (c);
}

/* A transaction that stamped `updated` before our read and committed after it: its record sorts
 * before the cursor. Written straight into the server's database (stopped), like such a late
 * commit looks once it is visible. The overlap re-read must find it; the re-read of records we
 * already have must not look like changes. */
static void
test_pull_overlap_catches_late_commit (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autofree char *db_path = g_build_filename (gig_test_pb_get_data_dir (pb), "data.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  g_autofree char *late_id = gig_id_new ();
  g_autofree char *late_updated = NULL;
  g_autoptr(GDateTime) cursor = NULL;
  g_autoptr(GDateTime) earlier = NULL;
  g_autoptr(JsonObject) record = NULL;
  Client *c;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *title = g_strdup_printf ("Before %u", i);
      g_free (server_create_project (pb, alice, title));
    }
  c = client_open (pb, alice, path);
  g_assert_true (sync_once (c, &error));
  g_assert_true (gig_store_get_cursor (c->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));

  cursor = gig_stamp_parse (cursor_updated);
  earlier = g_date_time_add_seconds (cursor, -2);
  late_updated = gig_stamp_format (earlier);
  gig_test_pb_stop (pb);
  {
    sqlite3 *db = NULL;
    g_autofree char *sql = g_strdup_printf (
      "INSERT INTO projects (id, title, status, owner, created, updated)"
      " VALUES ('%s', 'Committed late', 'open', '%s', '%s', '%s')",
      late_id, alice->id, late_updated, late_updated);

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  gig_test_pb_restart (pb);

  c->remote_changes = 0;
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, late_id);
  g_assert_nonnull (record);
  g_assert_cmpstr (string_member (record, "title"), ==, "Committed late");
  g_assert_cmpuint (c->remote_changes, ==, 1);
  client_close (c);
}

/* Live: a change made elsewhere shows up in the cache without asking. */
static gboolean
record_title_is (gpointer data)
{
  gpointer *args = data;
  g_autoptr(JsonObject) record = gig_store_get_record (args[0], GIG_COLLECTION_PROJECTS, args[1]);

  return record != NULL && g_strcmp0 (string_member (record, "title"), args[2]) == 0;
}

static gboolean
wait_until (gboolean (*condition) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return condition (data);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
sync_is_idle (gpointer data)
{
  return gig_sync_get_state (data) == GIG_SYNC_STATE_IDLE && gig_sync_get_last_synced (data) != NULL;
}

static void
test_live_updates (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autofree char *id = NULL;
  Client *c = client_open (pb, alice, path);
  gpointer args[3];

  gig_sync_start (c->sync);
  g_assert_true (wait_until (sync_is_idle, c->sync, 20000));
  spin (500);  /* let the realtime subscription settle */

  id = server_create_project (pb, alice, "Live one");
  args[0] = c->store;
  args[1] = id;
  args[2] = "Live one";
  g_assert_true (wait_until (record_title_is, args, 10000));

  server_patch (pb, alice->token, "projects", id, "{\"title\":\"Live two\"}");
  args[2] = "Live two";
  g_assert_true (wait_until (record_title_is, args, 10000));

  /* soft delete arrives as an update */
  server_patch (pb, alice->token, "projects", id, "{\"deleted\":true,\"title\":\"Live gone\"}");
  args[2] = "Live gone";
  g_assert_true (wait_until (record_title_is, args, 10000));
  {
    g_autoptr(JsonObject) record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, id);
    g_assert_true (json_object_get_boolean_member (record, "deleted"));
  }

  /* a local write made while live is pushed by itself */
  {
    g_autofree char *local = local_create_project (c, alice->id, "Made here");
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (server_count_with_id (pb, "projects", local) == 0 && g_get_monotonic_time () < deadline)
      spin (100);
    g_assert_cmpuint (server_count_with_id (pb, "projects", local), ==, 1);
  }
  client_close (c);
}

/* ------------------------------------------------------------------------------------------ */
/* Push                                                                                       */

static void
test_offline_writes_survive_restart (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *existing = server_create_project (pb, alice, "Existing");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(JsonObject) changed = fields_new ("description", "edited offline", NULL);
  g_autoptr(JsonObject) record = NULL;
  Client *c = client_open (pb, alice, path);

  g_assert_true (sync_once (c, &error));

  gig_test_pb_stop (pb);
  a = local_create_project (c, alice->id, "Offline A");
  b = local_create_project (c, alice->id, "Offline B");
  g_assert_true (gig_store_update_record (c->store, GIG_COLLECTION_PROJECTS, existing, changed, &error));
  g_assert_no_error (error);

  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_OFFLINE);
  g_assert_nonnull (gig_sync_get_last_error (c->sync));
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 3);

  /* the client restarts while the server is away */
  client_close (c);
  gig_test_pb_restart (pb);
  c = client_open (pb, alice, path);
  g_assert_cmpuint (gig_sync_get_pending_count (c->sync), ==, 3);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 0);
  g_assert_cmpuint (gig_sync_get_pending_count (c->sync), ==, 0);

  /* exactly once, and a second sync sends nothing again */
  g_assert_true (sync_once (c, &error));
  g_assert_cmpuint (server_count_with_id (pb, "projects", a), ==, 1);
  g_assert_cmpuint (server_count_with_id (pb, "projects", b), ==, 1);
  record = server_get (pb, "projects", existing);
  g_assert_cmpstr (string_member (record, "description"), ==, "edited offline");
  g_assert_cmpstr (string_member (record, "title"), ==, "Existing");
  g_clear_pointer (&record, json_object_unref);
  record = server_get (pb, "projects", a);
  g_assert_cmpstr (string_member (record, "title"), ==, "Offline A");
  {
    GigLocalState state;
    g_assert_true (gig_store_get_record_meta (c->store, GIG_COLLECTION_PROJECTS, a, &state, NULL, NULL));
    g_assert_cmpint (state, ==, GIG_LOCAL_STATE_SYNCED);
  }
  client_close (c);
}

static gboolean
sync_is_offline (gpointer data)
{
  return gig_sync_get_state (data) == GIG_SYNC_STATE_OFFLINE;
}

static gboolean
sync_drained (gpointer data)
{
  return gig_sync_get_state (data) == GIG_SYNC_STATE_IDLE && gig_sync_get_pending_count (data) == 0;
}

/* A started engine notices the outage, backs off, and sends the waiting write by itself once
 * the server is back. */
static void
test_follow_recovers_after_outage (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autofree char *id = NULL;
  Client *c = client_open (pb, alice, path);

  gig_sync_set_backoff_ms (c->sync, 100, 1000);
  gig_sync_start (c->sync);
  g_assert_true (wait_until (sync_is_idle, c->sync, 20000));

  gig_test_pb_stop (pb);
  id = local_create_project (c, alice->id, "Written during the outage");
  g_assert_true (wait_until (sync_is_offline, c->sync, 20000));
  g_assert_nonnull (gig_sync_get_last_error (c->sync));
  g_assert_cmpuint (gig_sync_get_pending_count (c->sync), ==, 1);
  /* A few retries fail meanwhile. Each retry shows SYNCING for a moment, so what must hold at
   * every instant is that the engine never claims to be done and never drops the write. */
  for (gint64 end = g_get_monotonic_time () + 1500 * 1000; g_get_monotonic_time () < end;)
    {
      g_main_context_iteration (NULL, FALSE);
      g_assert_cmpint (gig_sync_get_state (c->sync), !=, GIG_SYNC_STATE_IDLE);
      g_assert_cmpuint (gig_sync_get_pending_count (c->sync), ==, 1);
      g_usleep (1000);
    }
  g_assert_true (wait_until (sync_is_offline, c->sync, 20000));

  gig_test_pb_restart (pb);
  g_assert_true (wait_until (sync_drained, c->sync, 30000));
  g_assert_null (gig_sync_get_last_error (c->sync));
  g_assert_cmpuint (server_count_with_id (pb, "projects", id), ==, 1);
  client_close (c);
}

/* The server committed a create and died before answering: the resend must not duplicate. */
static void
test_lost_create_response (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonObject) record = NULL;
  Client *c = client_open (pb, alice, path);
  GigLocalState state;

  g_assert_true (sync_once (c, &error));
  id = local_create_project (c, alice->id, "Sent once");

  /* The same create, as the first attempt delivered it; then the server is killed, so the
   * answer never arrived. */
  body = g_strdup_printf ("{\"id\":\"%s\",\"title\":\"Sent once\",\"status\":\"open\",\"owner\":\"%s\","
                          "\"budget\":100,\"currency\":\"EUR\"}", id, alice->id);
  record = call_object (pb, alice->token, "POST", "/api/collections/projects/records", body, 200);
  gig_test_pb_kill (pb);
  gig_test_pb_restart (pb);

  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (server_count_with_id (pb, "projects", id), ==, 1);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 0);
  g_assert_cmpuint (gig_store_failed_count (c->store), ==, 0);
  g_assert_true (gig_store_get_record_meta (c->store, GIG_COLLECTION_PROJECTS, id, &state, NULL, NULL));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_SYNCED);
  client_close (c);
}

static void
test_merge_and_conflict (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = server_create_project (pb, alice, "Original");
  g_autoptr(JsonObject) mine = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) clash = NULL;
  Client *c = client_open (pb, alice, path);
  GigLocalState state;

  g_assert_true (sync_once (c, &error));

  /* disjoint fields: title here, description there → both kept */
  mine = fields_new ("title", "Title from here", NULL);
  g_assert_true (gig_store_update_record (c->store, GIG_COLLECTION_PROJECTS, id, mine, &error));
  server_patch (pb, alice->token, "projects", id, "{\"description\":\"Description from there\"}");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->conflicts, ==, 0);
  record = server_get (pb, "projects", id);
  g_assert_cmpstr (string_member (record, "title"), ==, "Title from here");
  g_assert_cmpstr (string_member (record, "description"), ==, "Description from there");
  g_clear_pointer (&record, json_object_unref);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, id);
  g_assert_cmpstr (string_member (record, "title"), ==, "Title from here");
  g_assert_cmpstr (string_member (record, "description"), ==, "Description from there");
  g_clear_pointer (&record, json_object_unref);

  /* same field on both sides → a conflict the user sees; the server keeps its value */
  g_clear_pointer (&mine, json_object_unref);
  mine = fields_new ("title", "Mine", NULL);
  g_assert_true (gig_store_update_record (c->store, GIG_COLLECTION_PROJECTS, id, mine, &error));
  server_patch (pb, alice->token, "projects", id, "{\"title\":\"Theirs\"}");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->conflicts, ==, 1);
  g_assert_true (gig_store_get_record_meta (c->store, GIG_COLLECTION_PROJECTS, id, &state, NULL, &clash));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_CONFLICT);
  g_assert_nonnull (clash);
  g_assert_cmpstr (string_member (clash, "title"), ==, "Theirs");
  record = server_get (pb, "projects", id);
  g_assert_cmpstr (string_member (record, "title"), ==, "Theirs");
  g_clear_pointer (&record, json_object_unref);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, id);
  g_assert_cmpstr (string_member (record, "title"), ==, "Mine");
  g_clear_pointer (&record, json_object_unref);

  /* the user keeps theirs... rather mine: it is pushed on the next sync */
  g_assert_true (gig_store_resolve_conflict (c->store, GIG_COLLECTION_PROJECTS, id, "title", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  record = server_get (pb, "projects", id);
  g_assert_cmpstr (string_member (record, "title"), ==, "Mine");
  client_close (c);
}

/* A refused change is kept with the server's message; the others still go out. */
static void
test_refused_change_kept (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *message = NULL;
  Client *c = client_open (pb, alice, path);
  GigLocalState state;

  g_assert_true (sync_once (c, &error));
  good = local_create_project (c, alice->id, "Fine");
  bad = local_create_project (c, alice->id, "Bad currency");
  {
    g_autoptr(JsonObject) changed = fields_new ("currency", "euros", NULL);
    g_assert_true (gig_store_update_record (c->store, GIG_COLLECTION_PROJECTS, bad, changed, &error));
  }
  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED);
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_ERROR);
  g_assert_cmpuint (server_count_with_id (pb, "projects", good), ==, 1);
  g_assert_cmpuint (server_count_with_id (pb, "projects", bad), ==, 0);
  g_assert_cmpuint (gig_store_failed_count (c->store), ==, 1);
  g_assert_true (gig_store_get_record_meta (c->store, GIG_COLLECTION_PROJECTS, bad, &state, &message, NULL));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_FAILED);
  g_assert_nonnull (message);
  client_close (c);
}

/* ------------------------------------------------------------------------------------------ */
/* Auth                                                                                       */

static void
test_revoked_token_keeps_everything (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *users_path = NULL;
  g_autofree char *local = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  Client *c;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *title = g_strdup_printf ("Kept %u", i);
      g_free (server_create_project (pb, alice, title));
    }
  c = client_open (pb, alice, path);
  g_assert_true (sync_once (c, &error));
  before = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (before), ==, 5);

  /* a password change revokes every token; PocketBase then answers as to a guest */
  users_path = g_strdup_printf ("/api/collections/users/records/%s", alice->id);
  {
    g_autoptr(JsonNode) answer = gig_test_pb_superuser_call (pb, "PATCH", users_path,
      "{\"password\":\"another-password-1\",\"passwordConfirm\":\"another-password-1\"}");
  }

  local = local_create_project (c, alice->id, "Written after the revocation");
  gig_sync_request_reconcile (c->sync);
  g_assert_false (sync_once (c, &error));
  g_assert_true (g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED) ||
                 g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED));
  g_clear_error (&error);
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_SIGN_IN_NEEDED);
  g_assert_cmpint (gig_session_get_state (c->session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);

  after = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (after), ==, 5);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 1);
  g_assert_cmpuint (gig_store_failed_count (c->store), ==, 0);

  /* nothing happens until the user signs in again */
  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED);
  g_clear_error (&error);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 1);
  {
    g_autoptr(GAsyncResult) result = NULL;

    gig_session_sign_in_async (c->session, alice->email, "another-password-1", NULL, store_result, &result);
    g_assert_true (gig_session_sign_in_finish (c->session, wait_result (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (server_count_with_id (pb, "projects", local), ==, 1);
  client_close (c);
}

/* PocketBase would treat an expired token as a guest's (empty lists): the engine must notice it
 * from `exp` before asking anything, and keep everything. */
static void
test_expired_token_keeps_everything (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = NULL;
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *local = NULL;
  Client *c;

  /* the shortest lifetime PocketBase accepts */
  {
    g_autoptr(JsonNode) answer = gig_test_pb_superuser_call (pb, "PATCH", "/api/collections/users",
                                                             "{\"authToken\":{\"duration\":10}}");
  }
  alice = gig_test_pb_create_user (pb, "alice");
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *title = g_strdup_printf ("Expiring %u", i);
      g_free (server_create_project (pb, alice, title));
    }
  c = client_open (pb, alice, path);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  before = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (before), ==, 4);
  local = local_create_project (c, alice->id, "Waiting for a sign-in");

  /* no main loop meanwhile, so that nothing refreshes the token ahead of its expiry */
  g_usleep (11 * G_USEC_PER_SEC);
  gig_sync_request_reconcile (c->sync);
  g_assert_false (sync_once (c, &error));
  g_assert_true (g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED) ||
                 g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED));
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_SIGN_IN_NEEDED);
  after = cache_contents (path, "projects");
  g_assert_cmpuint (g_hash_table_size (after), ==, 4);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 1);
  g_assert_cmpuint (server_count_with_id (pb, "projects", local), ==, 0);
  client_close (c);
}

/* Records that leave the user's view (no event is sent to them) leave the cache at the next
 * pull, through the server's departures; without a departure (an older server, or one pruned),
 * at reconciliation. */
static void
test_reconcile_removes_invisible (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autoptr(GigTestPbUser) dave = gig_test_pb_create_user (pb, "dave");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;
  g_autofree char *stays = server_create_project (pb, alice, "Stays open");
  g_autofree char *leaves = server_create_project (pb, alice, "Gets deleted");
  g_autofree char *unannounced = server_create_project (pb, alice, "Gets cancelled");
  g_autoptr(JsonObject) record = NULL;
  Client *c = client_open (pb, dave, path);

  g_assert_true (sync_once (c, &error));
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, leaves);
  g_assert_nonnull (record);
  g_clear_pointer (&record, json_object_unref);

  /* deleted open projects are visible only to those who took part: dave loses it silently,
   * and the server's departure tells his next pull to look */
  server_patch (pb, alice->token, "projects", leaves, "{\"deleted\":true}");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, leaves);
  g_assert_null (record);

  /* without the departure only the reconciliation finds it */
  server_patch (pb, alice->token, "projects", unannounced, "{\"status\":\"cancelled\"}");
  gig_test_pb_exec_sql (pb, "DELETE FROM sync_departures;");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, unannounced);
  g_assert_nonnull (record);
  g_clear_pointer (&record, json_object_unref);

  gig_sync_request_reconcile (c->sync);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, unannounced);
  g_assert_null (record);
  record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, stays);
  g_assert_nonnull (record);
  client_close (c);
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed answers                                                                          */

typedef struct
{
  guint mode;
  char *token;
} FakeServer;

static void
fake_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  FakeServer *fake = user_data;
  g_autofree char *body = NULL;

  if (g_str_has_suffix (path, "/auth-with-password") || g_str_has_suffix (path, "/auth-refresh"))
    body = g_strdup_printf ("{\"token\":\"%s\",\"record\":{\"id\":\"fakeuser0000001\","
                            "\"email\":\"fake@example.com\",\"collectionName\":\"users\"}}",
                            fake->token);
  else if (g_str_has_prefix (path, "/api/collections/projects/records"))
    {
      if (fake->mode == 0)  /* cut short in the middle of a record */
        body = g_strdup ("{\"items\":[{\"id\":\"aaaaaaaaaaaaaa1\",\"updated\":\"2030-01-01 00:00:00.000Z\","
                         "\"title\":\"Bad\"},{\"id\":\"aaaaaaaaaaaaaa2\",\"tit");
      else if (fake->mode == 1)  /* not JSON at all */
        body = g_strdup ("<html>502 Bad Gateway</html>");
      else  /* well-formed, but a record without id */
        body = g_strdup ("{\"items\":[{\"title\":\"no id\",\"updated\":\"2030-01-01 00:00:00.000Z\"}],"
                         "\"page\":1,\"perPage\":1000}");
    }
  else
    body = g_strdup ("{\"items\":[],\"page\":1,\"perPage\":1000}");

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
test_malformed_answers_leave_cache (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = temp_db ("cache.sqlite");
  FakeServer fake = { 0 };
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) known = fields_new ("id", "knownrecord0001", "title", "Known",
                                            "updated", "2029-01-01 00:00:00.000Z", "status", "open",
                                            "owner", "fakeuser0000001", NULL);
  Client *c;

  fake.token = gig_test_token_new ("fakeuser0000001");
  soup_server_add_handler (server, NULL, fake_handler, &fake, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  c = client_open_at (url, "fake@example.com", "whatever", path);
  g_ptr_array_add (page, json_object_ref (known));
  g_assert_true (gig_store_apply_server_page (c->store, GIG_COLLECTION_PROJECTS, page,
                                              "2029-01-01 00:00:00.000Z", "knownrecord0001", NULL, &error));

  for (fake.mode = 0; fake.mode < 3; fake.mode++)
    {
      g_autoptr(GHashTable) cache = NULL;
      g_autofree char *cursor_updated = NULL;
      g_autofree char *cursor_id = NULL;
      g_autoptr(JsonObject) record = NULL;

      g_assert_false (sync_once (c, &error));
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_nonnull (error->message);
      g_clear_error (&error);
      g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_ERROR);

      cache = cache_contents (path, "projects");
      g_assert_cmpuint (g_hash_table_size (cache), ==, 1);
      g_assert_cmpstr (g_hash_table_lookup (cache, "knownrecord0001"), ==, "2029-01-01 00:00:00.000Z");
      g_assert_true (gig_store_get_cursor (c->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
      g_assert_cmpstr (cursor_id, ==, "knownrecord0001");
      record = gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, "knownrecord0001");
      g_assert_cmpstr (string_member (record, "title"), ==, "Known");
    }
  client_close (c);
  g_free (fake.token);
}

/* ------------------------------------------------------------------------------------------ */
/* Convergence under concurrent writers, restarts and cut-offs                                */

typedef struct
{
  GigTestPb     *pb;
  GigTestPbUser *owner;
  GigTestPbUser *freelancer;
  guint          seed;
  volatile gint  stop;
  GPtrArray     *project_ids;  /* written by the writer thread only */
} Writers;

static gpointer
writer_thread (gpointer data)
{
  Writers *w = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (w->seed);
  guint n = 0;

  while (!g_atomic_int_get (&w->stop) && n < 400)
    {
      guint what = g_rand_int_range (rand, 0, 10);
      guint status = 0;

      if (what < 4 || w->project_ids->len < 3)
        {
          g_autofree char *body = g_strdup_printf (
            "{\"title\":\"Writer %u\",\"status\":\"open\",\"owner\":\"%s\"}", n, w->owner->id);
          g_autoptr(JsonNode) node = gig_test_pb_call (w->pb, w->owner->token, "POST",
                                                       "/api/collections/projects/records", body, &status);
          if (status == 200)
            g_ptr_array_add (w->project_ids,
                             g_strdup (json_object_get_string_member (json_node_get_object (node), "id")));
        }
      else if (what < 7)
        {
          const char *id = w->project_ids->pdata[g_rand_int_range (rand, 0, w->project_ids->len)];
          g_autofree char *path = g_strdup_printf ("/api/collections/projects/records/%s", id);
          g_autofree char *body = g_strdup_printf ("{\"description\":\"edit %u\"%s}", n,
                                                   what == 6 ? ",\"deleted\":true" : "");
          g_autoptr(JsonNode) node = gig_test_pb_call (w->pb, w->owner->token, "PATCH", path, body, &status);
        }
      else if (what < 9)
        {
          /* a batch of creates in one transaction: `updated` stamped before the commit */
          g_autoptr(GString) body = g_string_new ("{\"requests\":[");
          for (guint i = 0; i < 20; i++)
            g_string_append_printf (body, "%s{\"method\":\"POST\",\"url\":\"/api/collections/projects/records\","
                                    "\"body\":{\"title\":\"Batch %u.%u\",\"status\":\"open\",\"owner\":\"%s\"}}",
                                    i ? "," : "", n, i, w->owner->id);
          g_string_append (body, "]}");
          g_autoptr(JsonNode) node = gig_test_pb_call (w->pb, w->owner->token, "POST", "/api/batch",
                                                       body->str, &status);
        }
      else
        {
          /* a proposal by the freelancer (visible to the owner); also a record another writer
           * made visible to our user */
          const char *id = w->project_ids->pdata[g_rand_int_range (rand, 0, w->project_ids->len)];
          g_autofree char *body = g_strdup_printf (
            "{\"project\":\"%s\",\"freelancer\":\"%s\",\"status\":\"sent\",\"cover_letter\":\"Hi %u\",\"amount\":10}",
            id, w->freelancer->id, n);
          g_autoptr(JsonNode) node = gig_test_pb_call (w->pb, w->freelancer->token, "POST",
                                                       "/api/collections/proposals/records", body, &status);
        }
      n++;
      g_usleep (g_rand_int_range (rand, 0, 15000));
    }
  return NULL;
}

static void
test_convergence (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) owner = gig_test_pb_create_user (pb, "owner");
  g_autoptr(GigTestPbUser) freelancer = gig_test_pb_create_user (pb, "freelancer");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GRand) rand = NULL;
  g_autoptr(GError) error = NULL;
  Writers w[2] = { { 0 } };
  GThread *threads[2];
  Client *c;
  guint seed = g_test_rand_int ();
  const char *collections[] = { "projects", "proposals" };

  g_test_message ("seed %u", seed);
  rand = g_rand_new_with_seed (seed);
  for (guint i = 0; i < 2; i++)
    {
      w[i].pb = pb;
      w[i].owner = owner;
      w[i].freelancer = freelancer;
      w[i].seed = seed + 1 + i;
      w[i].project_ids = g_ptr_array_new_with_free_func (g_free);
    }
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("writer", writer_thread, &w[i]);

  c = client_open (pb, owner, path);
  /* short windows, so that the final pull is incremental and not a re-read of everything */
  gig_sync_set_overlap_ms (c->sync, 2000);
  gig_sync_set_backoff_ms (c->sync, 50, 500);
  for (guint round = 0; round < 8; round++)
    {
      guint action = g_rand_int_range (rand, 0, 3);

      gig_sync_start (c->sync);
      spin (g_rand_int_range (rand, 100, 600));
      if (action == 0)
        {
          /* cut off in the middle: stop whatever runs */
          gig_sync_stop (c->sync);
        }
      else if (action == 1)
        {
          /* restart the client */
          client_close (c);
          c = client_open (pb, owner, path);
          gig_sync_set_overlap_ms (c->sync, 2000);
          gig_sync_set_backoff_ms (c->sync, 50, 500);
        }
      else if (!sync_once (c, &error))
        {
          g_test_message ("round %u: %s", round, error->message);
          g_clear_error (&error);
        }
    }
  for (guint i = 0; i < 2; i++)
    {
      g_atomic_int_set (&w[i].stop, 1);
      g_thread_join (threads[i]);
    }

  /* writers stopped: after the overlap window one more sync must converge exactly */
  gig_sync_stop (c->sync);
  gig_sync_request_reconcile (c->sync);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (collections); i++)
    {
      g_autoptr(GHashTable) server = server_visible (pb, owner->token, collections[i]);
      g_autoptr(GHashTable) cache = cache_contents (path, collections[i]);

      g_test_message ("%s: %u on the server", collections[i], g_hash_table_size (server));
      g_assert_cmpuint (g_hash_table_size (server), >, 0);
      assert_same_sets (server, cache, collections[i]);
    }
  client_close (c);
  for (guint i = 0; i < 2; i++)
    g_ptr_array_unref (w[i].project_ids);
}

/* ------------------------------------------------------------------------------------------ */
/* SIGKILL mid-sync and mid-write                                                             */

/* The child: syncs with the live stream and writes locally in a loop, printing each id after
 * its transaction committed. */
static int
child_main (const char *url, const char *email, const char *path)
{
  const char *password = g_getenv ("GIG_TEST_CHILD_PASSWORD");
  Client *c = client_open_at (url, email, password, path);
  const char *owner = gig_session_get_user_id (c->session);

  gig_sync_start (c->sync);
  for (guint i = 0; ; i++)
    {
      g_autofree char *title = g_strdup_printf ("Child %u", i);
      g_autofree char *id = local_create_project (c, owner, title);

      g_print ("%s\n", id);
      fflush (stdout);
      spin (3);
    }
  return 0;
}

static void
test_sigkill_mid_sync (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *path = temp_db ("cache.sqlite");
  g_autoptr(GError) error = NULL;

  /* something to pull while the child writes */
  for (guint part = 0; part < 5; part++)
    {
      g_autoptr(GString) chunk = g_string_new ("{\"requests\":[");
      for (guint i = 0; i < 200; i++)
        g_string_append_printf (chunk, "%s{\"method\":\"POST\",\"url\":\"/api/collections/projects/records\","
                                "\"body\":{\"title\":\"Seed %u\",\"description\":\"%s\",\"status\":\"open\",\"owner\":\"%s\"}}",
                                i ? "," : "", part * 200 + i,
                                "A longer description so that pages take a while to write.", alice->id);
      g_string_append (chunk, "]}");
      g_autoptr(JsonNode) answer = gig_test_pb_superuser_call (pb, "POST", "/api/batch", chunk->str);
    }

  for (guint run = 0; run < 3; run++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GHashTable) committed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GDataInputStream) lines = NULL;
      gint64 deadline = 0;
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;
      GHashTableIter iter;
      const char *id;

      g_subprocess_launcher_setenv (launcher, "GIG_TEST_CHILD_PASSWORD", alice->password, TRUE);
      child = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe",
                                           "--child", gig_test_pb_get_url (pb), alice->email, path, NULL);
      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

      /* read ids for a while after the first one (the child has signed in and syncs by then),
       * then kill -9 in the middle of whatever it does */
      while (deadline == 0 || g_get_monotonic_time () < deadline)
        {
          g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);
          g_assert_no_error (error);
          if (line == NULL)
            break;
          g_hash_table_add (committed, g_steal_pointer (&line));
          if (deadline == 0)
            deadline = g_get_monotonic_time () + (100 + run * 300) * 1000;
        }
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, NULL);
      g_test_message ("run %u: %u committed writes seen before SIGKILL", run, g_hash_table_size (committed));
      g_assert_cmpuint (g_hash_table_size (committed), >, 0);

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT 1 FROM projects WHERE id = ?", -1, &stmt, NULL), ==, SQLITE_OK);
      g_hash_table_iter_init (&iter, committed);
      while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
        {
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
          if (sqlite3_step (stmt) != SQLITE_ROW)
            g_error ("committed write %s was lost", id);
          sqlite3_reset (stmt);
        }
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }

  /* and the store still opens, and a sync finishes the job: every local write reaches the server */
  {
    Client *c = client_open (pb, alice, path);
    g_autoptr(GHashTable) server = NULL;
    g_autoptr(GHashTable) cache = NULL;

    g_assert_true (sync_once (c, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (gig_store_pending_count (c->store), ==, 0);
    server = server_visible (pb, alice->token, "projects");
    cache = cache_contents (path, "projects");
    assert_same_sets (server, cache, "after SIGKILL");
    client_close (c);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The command-line tool                                                                      */

static int
run_tool (const char *const *args, const char *input, char **out_stdout)
{
  return gig_test_run_sync_tool (args, input, out_stdout, NULL);
}

static void
test_tool (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gigdesk-tool-XXXXXX", &error);
  g_autofree char *password_line = g_strdup_printf ("%s\n", alice->password);
  g_autofree char *out = NULL;
  g_autofree char *db = NULL;
  g_autoptr(GHashTable) cache = NULL;
  const char *sign_in[] = { "--server", gig_test_pb_get_url (pb), "--email", alice->email,
                            "--password-stdin", "--data-dir", dir, "--quiet", NULL };
  const char *keyring[] = { "--server", gig_test_pb_get_url (pb), "--data-dir", dir, "--quiet", NULL };
  const char *no_server[] = { "--email", alice->email, NULL };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *title = g_strdup_printf ("Tool %u", i);
      g_free (server_create_project (pb, alice, title));
    }

  g_assert_cmpint (run_tool (no_server, NULL, &out), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_tool (sign_in, "wrong-password\n", &out), ==, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_tool (sign_in, password_line, &out), ==, 0);
  g_assert_nonnull (strstr (out, "synced in "));
  g_assert_nonnull (strstr (out, "projects: 3\n"));
  g_assert_nonnull (strstr (out, "pending changes: 0\n"));
  g_clear_pointer (&out, g_free);
  db = g_build_filename (dir, alice->id, "cache.sqlite", NULL);
  cache = cache_contents (db, "projects");
  g_assert_cmpuint (g_hash_table_size (cache), ==, 3);

  /* the token saved in the keyring by the first run signs the second one in */
  g_free (server_create_project (pb, alice, "One more"));
  g_assert_cmpint (run_tool (keyring, NULL, &out), ==, 0);
  g_assert_nonnull (strstr (out, "projects: 4\n"));
}

int
main (int argc, char *argv[])
{
  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3], argv[4]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/pull/full-and-incremental", test_pull_full_and_incremental);
  g_test_add_func ("/sync/pull/malformed-answers", test_malformed_answers_leave_cache);
  g_test_add_func ("/sync/pull/overlap-late-commit", test_pull_overlap_catches_late_commit);
  g_test_add_func ("/sync/live/updates", test_live_updates);
  g_test_add_func ("/sync/push/offline-restart", test_offline_writes_survive_restart);
  g_test_add_func ("/sync/push/follow-recovers", test_follow_recovers_after_outage);
  g_test_add_func ("/sync/push/lost-create-response", test_lost_create_response);
  g_test_add_func ("/sync/push/merge-and-conflict", test_merge_and_conflict);
  g_test_add_func ("/sync/push/refused-change", test_refused_change_kept);
  g_test_add_func ("/sync/auth/revoked-token", test_revoked_token_keeps_everything);
  g_test_add_func ("/sync/auth/expired-token", test_expired_token_keeps_everything);
  g_test_add_func ("/sync/reconcile/invisible-records", test_reconcile_removes_invisible);
  g_test_add_func ("/sync/crash/sigkill", test_sigkill_mid_sync);
  g_test_add_func ("/sync/convergence", test_convergence);
  g_test_add_func ("/sync/tool", test_tool);

  return g_test_run ();
}
