/* test-sync-hostile.c: GigSync and gigdesk-sync against a fake PocketBase on loopback that
 * answers what a hostile or broken server would: pages that ignore the list cursor, records
 * whose id or `updated` is not of the sync contract's form, departures whose members have the
 * wrong JSON types, a user id that is a path.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "core/gig-id.h"
#include "../pocketbase/gig-test-async.h"
#include "gig-test-files.h"
#include "gig-test-log.h"
#include "gig-test-token.h"
#include "pocketbase/gig-pb-client.h"
#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"

/* ------------------------------------------------------------------------------------------ */
/* The fake server                                                                            */

typedef struct
{
  char *id;
  char *updated;
  char *text;      /* the record as the server sends it */
} FakeRecord;

typedef struct
{
  SoupServer *server;
  char       *url;
  char       *token;
  char       *user_id;          /* record.id of the sign-in answer */
  GPtrArray  *projects;         /* FakeRecord, in the server's (updated, id) order */
  gboolean    ignore_cursor;    /* answer every list with the first full page */
  char       *departures;       /* the sync_departures page, if not empty */
  guint       project_lists;    /* list requests for projects */
} Fake;

static void
fake_record_free (FakeRecord *record)
{
  g_free (record->id);
  g_free (record->updated);
  g_free (record->text);
  g_free (record);
}

static int
fake_record_compare (gconstpointer a,
                     gconstpointer b)
{
  const FakeRecord *x = *(const FakeRecord **) a;
  const FakeRecord *y = *(const FakeRecord **) b;
  int order = strcmp (x->updated, y->updated);

  return order != 0 ? order : strcmp (x->id, y->id);
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_alloc ();

  json_node_init_object (node, object);
  return json_to_string (node, FALSE);
}

static void
fake_add_project (Fake       *fake,
                  const char *id,
                  const char *updated,
                  const char *title)
{
  FakeRecord *record = g_new0 (FakeRecord, 1);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "collectionName", "projects");
  json_object_set_string_member (object, "title", title);
  json_object_set_string_member (object, "description", "");
  json_object_set_int_member (object, "budget", 100);
  json_object_set_string_member (object, "currency", "EUR");
  json_object_set_string_member (object, "status", "open");
  json_object_set_string_member (object, "owner", "fakeuser0000001");
  json_object_set_string_member (object, "created", "2030-01-01 00:00:00.000Z");
  json_object_set_string_member (object, "updated", updated);
  record->id = g_strdup (id);
  record->updated = g_strdup (updated);
  record->text = object_to_text (object);
  g_ptr_array_add (fake->projects, record);
  g_ptr_array_sort (fake->projects, fake_record_compare);
}

static void
fake_remove_project (Fake       *fake,
                     const char *id)
{
  for (guint i = 0; i < fake->projects->len; i++)
    if (g_str_equal (((FakeRecord *) g_ptr_array_index (fake->projects, i))->id, id))
      {
        g_ptr_array_remove_index (fake->projects, i);
        return;
      }
  g_assert_not_reached ();
}

/* Whether @record is past the filter's cursor: the client's two forms, read back. */
static gboolean
after_cursor (const FakeRecord *record,
              const char       *filter)
{
  g_autoptr(GRegex) keyset = g_regex_new ("^\\(updated > \"([^\"]*)\" \\|\\| \\(updated = \"[^\"]*\" && id > \"([^\"]*)\"\\)\\)$",
                                          0, 0, NULL);
  g_autoptr(GRegex) overlap = g_regex_new ("^updated >= \"([^\"]*)\"$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (filter == NULL)
    return TRUE;
  if (g_str_has_prefix (filter, "((id=\""))
    {
      /* a re-check by id: `((id="a"||id="b"))` */
      g_autofree char *wanted = g_strdup_printf ("id=\"%s\"", record->id);

      return strstr (filter, wanted) != NULL;
    }
  if (g_regex_match (keyset, filter, 0, &match))
    {
      g_autofree char *updated = g_match_info_fetch (match, 1);
      g_autofree char *id = g_match_info_fetch (match, 2);
      int order = strcmp (record->updated, updated);

      return order > 0 || (order == 0 && strcmp (record->id, id) > 0);
    }
  g_clear_pointer (&match, g_match_info_free);
  if (g_regex_match (overlap, filter, 0, &match))
    {
      g_autofree char *updated = g_match_info_fetch (match, 1);

      return strcmp (record->updated, updated) >= 0;
    }
  g_error ("the fake server does not know the filter %s", filter);
  return FALSE;
}

static char *
fake_list (Fake       *fake,
           GHashTable *query)
{
  const char *filter = query ? g_hash_table_lookup (query, "filter") : NULL;
  GString *body = g_string_new ("{\"page\":1,\"perPage\":1000,\"items\":[");
  guint n = 0;

  fake->project_lists++;
  for (guint i = 0; i < fake->projects->len && n < GIG_PB_LIST_MAX_PER_PAGE; i++)
    {
      FakeRecord *record = g_ptr_array_index (fake->projects, i);

      if (!fake->ignore_cursor && !after_cursor (record, filter))
        continue;
      if (n++ > 0)
        g_string_append_c (body, ',');
      g_string_append (body, record->text);
    }
  g_string_append (body, "]}");
  return g_string_free (body, FALSE);
}

static void
fake_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;
  g_autofree char *body = NULL;

  if (g_str_has_suffix (path, "/auth-with-password") || g_str_has_suffix (path, "/auth-refresh"))
    {
      g_autoptr(JsonObject) answer = json_object_new ();
      JsonObject *record = json_object_new ();

      json_object_set_string_member (record, "id", fake->user_id);
      json_object_set_string_member (record, "email", "fake@example.com");
      json_object_set_string_member (record, "collectionName", "users");
      json_object_set_string_member (answer, "token", fake->token);
      json_object_set_object_member (answer, "record", record);
      body = object_to_text (answer);
    }
  else if (g_str_equal (path, "/api/collections/projects/records"))
    body = fake_list (fake, query);
  else if (g_str_equal (path, "/api/collections/sync_departures/records") && fake->departures != NULL)
    body = g_strdup (fake->departures);
  else
    body = g_strdup ("{\"items\":[],\"page\":1,\"perPage\":1000}");

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static Fake *
fake_start (const char *user_id)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  fake->token = gig_test_token_new ("fakeuser0000001");
  fake->user_id = g_strdup (user_id);
  fake->projects = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_record_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_handler, fake, NULL);
  g_assert_true (soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (fake->url, "/"))
    fake->url[strlen (fake->url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return fake;
}

static void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_ptr_array_unref (fake->projects);
  g_free (fake->url);
  g_free (fake->token);
  g_free (fake->user_id);
  g_free (fake->departures);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* ------------------------------------------------------------------------------------------ */
/* The client side                                                                            */

typedef struct
{
  GigPbClient *client;
  GigSession  *session;
  GigStore    *store;
  GigSync     *sync;
  char        *dir;
  char        *path;
} Client;

static Client *
client_open (Fake *fake)
{
  Client *c = g_new0 (Client, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  c->client = gig_pb_client_new (fake->url);
  c->session = gig_session_new (c->client);
  gig_session_sign_in_async (c->session, "fake@example.com", "whatever", NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_sign_in_finish (c->session, gig_test_async_wait (&result), &error));
  g_assert_no_error (error);

  c->dir = g_dir_make_tmp ("gigdesk-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  c->path = g_build_filename (c->dir, "cache.sqlite", NULL);
  c->store = gig_store_new_for_path (c->path, &error);
  g_assert_no_error (error);
  c->sync = gig_sync_new (c->store, c->client, c->session);
  return c;
}

static void
client_close (Client *c)
{
  g_autofree char *wal = g_strconcat (c->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (c->path, "-shm", NULL);

  gig_sync_stop (c->sync);
  g_clear_object (&c->sync);
  gig_store_close (c->store);
  g_clear_object (&c->store);
  g_clear_object (&c->session);
  g_clear_object (&c->client);
  g_unlink (c->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (c->dir);
  g_free (c->path);
  g_free (c->dir);
  g_free (c);
}

static gboolean
sync_once (Client *c, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_sync_once_async (c->sync, NULL, gig_test_async_store, &result);
  return gig_sync_once_finish (c->sync, gig_test_async_wait (&result), error);
}

/* The projects the cache holds from the server, id → `updated`, straight from the file. */
static GHashTable *
cached_projects (Client *c)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (c->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, json_extract(server_json, '$.updated') FROM projects"
                                           " WHERE server_json IS NOT NULL", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (seen, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return seen;
}

static char *
project_id (guint n)
{
  return g_strdup_printf ("prj%012u", n);
}

static char *
stamp_at (guint second)
{
  return g_strdup_printf ("2030-01-01 %02u:%02u:%02u.000Z", second / 3600, second / 60 % 60, second % 60);
}

/* ------------------------------------------------------------------------------------------ */
/* A server that ignores the cursor                                                           */

static void
test_ignored_cursor (void)
{
  g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) seed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) known = json_object_new ();
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GHashTable) cache = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  Client *c;

  for (guint i = 0; i < GIG_PB_LIST_MAX_PER_PAGE; i++)
    {
      g_autofree char *id = project_id (i);
      g_autofree char *updated = stamp_at (i);

      fake_add_project (fake, id, updated, "Served again and again");
    }
  fake->ignore_cursor = TRUE;
  c = client_open (fake);

  /* what the cache had before: a server record and a write waiting to be pushed */
  json_object_set_string_member (known, "id", "knownrecord0001");
  json_object_set_string_member (known, "title", "Known");
  json_object_set_string_member (known, "updated", "2029-01-01 00:00:00.000Z");
  g_ptr_array_add (seed, json_object_ref (known));
  g_assert_true (gig_store_apply_server_page (c->store, GIG_COLLECTION_PROJECTS, seed,
                                              "2029-01-01 00:00:00.000Z", "knownrecord0001", NULL, &error));
  g_assert_no_error (error);
  json_object_set_string_member (fields, "title", "Written offline");
  json_object_set_string_member (fields, "status", "open");
  g_assert_true (gig_store_create_record (c->store, GIG_COLLECTION_PROJECTS, fields, &local_id, &error));
  g_assert_no_error (error);

  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "ignored the list cursor"));
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_ERROR);
  g_assert_cmpstr (gig_sync_get_last_error (c->sync), ==, error->message);
  /* the first page, then the same page again: the pull stops there */
  g_assert_cmpuint (fake->project_lists, ==, 2);

  /* nothing lost: the known record, the first page, the waiting write, a cursor that moved on */
  cache = cached_projects (c);
  g_assert_cmpstr (g_hash_table_lookup (cache, "knownrecord0001"), ==, "2029-01-01 00:00:00.000Z");
  g_assert_cmpuint (g_hash_table_size (cache), ==, GIG_PB_LIST_MAX_PER_PAGE + 1);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 1);
  g_assert_nonnull (gig_store_get_record (c->store, GIG_COLLECTION_PROJECTS, local_id));
  g_assert_true (gig_store_get_cursor (c->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
  g_assert_cmpstr (cursor_id, ==, "prj000000000999");

  /* and the next sync stops as quickly */
  g_clear_error (&error);
  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  g_assert_cmpuint (fake->project_lists, <=, 4);
  g_assert_cmpuint (gig_store_pending_count (c->store), ==, 1);
  client_close (c);
}

/* ------------------------------------------------------------------------------------------ */
/* Records whose id or stamp is not of the contract's form                                    */

static void
assert_skipped (Client *c, const char *count_text)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (sync_once (c, &error));
  g_assert_error (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED);
  g_assert_nonnull (strstr (error->message, count_text));
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_ERROR);
  g_assert_cmpstr (gig_sync_get_last_error (c->sync), ==, error->message);
}

static void
test_bad_records_skipped (void)
{
  g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  Client *c;

  fake_add_project (fake, "goodaaaaaaaaaa1", "2030-01-01 00:00:01.000Z", "Good one");
  fake_add_project (fake, "badstampaaaaaa2", "2030-01-01 00:00:02.000Z\"", "Quote in updated");
  fake_add_project (fake, "goodaaaaaaaaaa3", "2030-01-01 00:00:03.000Z", "Good three");
  /* the last of the page: it would have become the cursor */
  fake_add_project (fake, "badstampaaaaaa4", "2030-01-01 00:00:04.000Z\" || id != \"", "Filter in updated");
  fake_add_project (fake, "../../escape/x5", "2030-01-01 00:00:03.500Z", "Path as id");
  c = client_open (fake);

  /* A first pull: the records are stored as the server's text. */
  gig_test_log_expect ("gig-store", "Skipped a projects record from the server");
  assert_skipped (c, "3 records from the server were not valid and were skipped");
  cache = cached_projects (c);
  g_assert_cmpuint (gig_test_log_done (), ==, 3);
  g_assert_cmpuint (g_hash_table_size (cache), ==, 2);
  g_assert_true (g_hash_table_contains (cache, "goodaaaaaaaaaa1"));
  g_assert_true (g_hash_table_contains (cache, "goodaaaaaaaaaa3"));
  g_assert_true (gig_store_get_cursor (c->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
  g_assert_cmpstr (cursor_updated, ==, "2030-01-01 00:00:03.000Z");
  g_assert_cmpstr (cursor_id, ==, "goodaaaaaaaaaa3");
  g_clear_pointer (&cache, g_hash_table_unref);

  /* The next pull reads them again, as trees this time, and still takes in what is new. */
  fake_add_project (fake, "goodaaaaaaaaaa5", "2030-01-01 00:00:05.000Z", "Good five");
  gig_test_log_expect ("gig-store", "Skipped a projects record from the server");
  assert_skipped (c, "3 records");
  g_assert_cmpuint (gig_test_log_done (), ==, 3);
  cache = cached_projects (c);
  g_assert_cmpuint (g_hash_table_size (cache), ==, 3);
  g_assert_true (g_hash_table_contains (cache, "goodaaaaaaaaaa5"));
  g_clear_pointer (&cache, g_hash_table_unref);

  /* The server fixes two of them: they arrive, the one left is still reported. */
  fake_remove_project (fake, "badstampaaaaaa2");
  fake_remove_project (fake, "badstampaaaaaa4");
  fake_add_project (fake, "badstampaaaaaa2", "2030-01-01 00:00:06.000Z", "Quote in updated");
  fake_add_project (fake, "badstampaaaaaa4", "2030-01-01 00:00:07.000Z", "Filter in updated");
  gig_test_log_expect ("gig-store", "Skipped a projects record from the server");
  assert_skipped (c, "1 record from the server was not valid and was skipped");
  g_assert_cmpuint (gig_test_log_done (), ==, 1);
  cache = cached_projects (c);
  g_assert_cmpuint (g_hash_table_size (cache), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (cache, "badstampaaaaaa4"), ==, "2030-01-01 00:00:07.000Z");
  g_clear_pointer (&cache, g_hash_table_unref);

  /* And once it is gone, a sync is a plain success. */
  fake_remove_project (fake, "../../escape/x5");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_sync_get_state (c->sync), ==, GIG_SYNC_STATE_IDLE);
  g_assert_null (gig_sync_get_last_error (c->sync));
  client_close (c);
}

/* A cache written before stamps were checked may hold a cursor made from a bad record: it must
 * not wedge the collection, and nothing may store or send such a cursor again. */
static void
test_bad_cursor_refused (void)
{
  g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  const char *bad = "2030-01-01 00:00:04.000Z\"";
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint lists;
  Client *c;

  fake_add_project (fake, "goodaaaaaaaaaa1", "2030-01-01 00:00:01.000Z", "Good one");
  fake_add_project (fake, "goodaaaaaaaaaa2", "2030-01-01 00:00:02.000Z", "Good two");
  c = client_open (fake);

  g_assert_false (gig_store_set_cursor (c->store, GIG_COLLECTION_PROJECTS, bad, "goodaaaaaaaaaa2", &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gig_store_set_cursor (c->store, GIG_COLLECTION_PROJECTS, "2030-01-01 00:00:02.000Z",
                                        "x\" || id != \"y", &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* the filter builder refuses it without asking the server */
  lists = fake->project_lists;
  gig_pb_client_list_records_async (c->client, "projects", bad, "goodaaaaaaaaaa2", NULL, NULL, 10,
                                    NULL, gig_test_async_store, &result);
  g_assert_null (gig_pb_client_list_records_finish (c->client, gig_test_async_wait (&result), &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  g_assert_cmpuint (fake->project_lists, ==, lists);
  g_clear_error (&error);

  /* an old file with such a cursor: the pull starts over and puts a valid one in its place */
  g_assert_cmpint (sqlite3_open (c->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO sync_state (collection, cursor_updated, cursor_id)"
                                           " VALUES ('projects', ?, 'badstampaaaaaa4')"
                                           " ON CONFLICT (collection) DO UPDATE SET cursor_updated ="
                                           " excluded.cursor_updated, cursor_id = excluded.cursor_id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, bad, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  gig_test_log_expect ("GigSync", "The projects cursor is not valid");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_test_log_done (), ==, 1);
  cache = cached_projects (c);
  g_assert_cmpuint (g_hash_table_size (cache), ==, 2);
  g_assert_true (gig_store_get_cursor (c->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
  g_assert_cmpstr (cursor_updated, ==, "2030-01-01 00:00:02.000Z");
  g_assert_cmpstr (cursor_id, ==, "goodaaaaaaaaaa2");
  client_close (c);
}

/* ------------------------------------------------------------------------------------------ */
/* gigdesk-sync and a user id that is a path                                                  */

static int
run_tool (const char *const *args,
          const char        *input,
          char             **out_stderr)
{
  g_autofree char *tool = g_build_filename (g_getenv ("GIG_BUILD_ROOT"), "src", "tools",
                                            "gigdesk-sync", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_ptr_array_add (argv, tool);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  /* the fake server runs on this thread's main context: communicate without blocking it */
  {
    g_autoptr(GAsyncResult) result = NULL;

    g_subprocess_communicate_utf8_async (child, input, NULL, gig_test_async_store, &result);
    g_assert_true (g_subprocess_communicate_utf8_finish (child, gig_test_async_wait (&result), &out,
                                                         out_stderr, &error));
  }
  g_assert_no_error (error);
  g_test_message ("gigdesk-sync stdout: %s\nstderr: %s", out, *out_stderr);
  g_assert_true (g_subprocess_get_if_exited (child));
  return g_subprocess_get_exit_status (child);
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_tool_hostile_user_id (void)
{
  static const char *const hostile[] = { "../escape", "../../../tmp/evil", "..", "a/b/c/d/e/f/g/h",
                                         "ABCDEFGHIJKLMNO", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("gigdesk-tool-root-XXXXXX", &error);
  g_autofree char *data = g_build_filename (root, "data", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (data, 0700), ==, 0);
  for (guint i = 0; hostile[i] != NULL; i++)
    {
      g_autoptr(Fake) fake = fake_start (hostile[i]);
      g_autofree char *err = NULL;
      const char *args[] = { "--server", fake->url, "--email", "fake@example.com", "--password-stdin",
                             "--data-dir", data, "--quiet", NULL };

      g_assert_cmpint (run_tool (args, "whatever\n", &err), ==, 2);
      g_assert_nonnull (strstr (err, "not a record id"));
      g_assert_nonnull (strstr (err, "nothing was written"));
      /* nothing beside the data folder, nothing in it */
      g_assert_cmpuint (count_entries (root), ==, 1);
      g_assert_cmpuint (count_entries (data), ==, 0);
      g_assert_cmpuint (fake->project_lists, ==, 0);
    }

  /* a record id is used as the folder's name */
  {
    g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
    g_autofree char *err = NULL;
    g_autofree char *cache = g_build_filename (data, "fakeuser0000001", "cache.sqlite", NULL);
    const char *args[] = { "--server", fake->url, "--email", "fake@example.com", "--password-stdin",
                           "--data-dir", data, "--quiet", NULL };

    fake_add_project (fake, "goodaaaaaaaaaa1", "2030-01-01 00:00:01.000Z", "Good one");
    g_assert_cmpint (run_tool (args, "whatever\n", &err), ==, 0);
    g_assert_true (g_file_test (cache, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpuint (count_entries (root), ==, 1);
  }
  gig_test_remove_tree (root);
}

/* A damaged cache: refused with a clear message and its own exit status, never replaced; with
 * --recover kept aside, what can be read carried over, and the sync goes on. */
static void
test_tool_damaged_cache (void)
{
  g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("gigdesk-tool-damaged-XXXXXX", &error);
  g_autofree char *account = g_build_filename (root, "fakeuser0000001", NULL);
  g_autofree char *cache = g_build_filename (account, "cache.sqlite", NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "--server", fake->url, "--email", "fake@example.com", "--password-stdin",
                         "--data-dir", root, "--quiet", NULL };
  const char *recover_args[] = { "--server", fake->url, "--email", "fake@example.com", "--password-stdin",
                                 "--data-dir", root, "--quiet", "--recover", NULL };
  GStatBuf info;

  g_assert_no_error (error);
  fake_add_project (fake, "goodaaaaaaaaaa1", "2030-01-01 00:00:01.000Z", "Good one");
  g_assert_cmpint (g_mkdir (account, 0700), ==, 0);
  g_assert_true (g_file_set_contents (cache, "", 0, &error));

  g_assert_cmpint (run_tool (args, "whatever\n", &err), ==, 7);
  g_assert_nonnull (strstr (err, "is empty"));
  g_assert_nonnull (strstr (err, "--recover"));
  g_assert_cmpint (g_stat (cache, &info), ==, 0);
  g_assert_cmpint (info.st_size, ==, 0);
  g_assert_cmpuint (count_entries (account), ==, 1);
  g_assert_cmpuint (fake->project_lists, ==, 0);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_tool (recover_args, "whatever\n", &err), ==, 0);
  g_assert_nonnull (strstr (err, "The damaged cache was kept as"));
  g_assert_nonnull (strstr (err, "0 waiting changes"));
  g_assert_nonnull (strstr (err, "Could not be read whole"));
  /* the fresh cache, and the empty file kept beside it */
  g_assert_cmpint (g_stat (cache, &info), ==, 0);
  g_assert_cmpint (info.st_size, >, 0);
  {
    g_autoptr(GDir) dir = g_dir_open (account, 0, NULL);
    const char *name;
    gboolean kept = FALSE;

    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "cache.sqlite.damaged-"))
        {
          g_autofree char *path = g_build_filename (account, name, NULL);

          g_assert_cmpint (g_stat (path, &info), ==, 0);
          g_assert_cmpint (info.st_size, ==, 0);
          kept = TRUE;
        }
    g_assert_true (kept);
  }
  gig_test_remove_tree (root);
}

/* ------------------------------------------------------------------------------------------ */
/* Departures whose members are not strings                                                   */

/* A departure row's source, record and stamp are read with the core getters: members of another
 * JSON type never make a critical. A source that is not a name is not ours; a record that is not
 * an id is ignored with a warning; a stamp that is not a string is as good as none, so the record
 * is listed again by id, and stays because the server still lists it. */
static void
test_departures_wrong_types (void)
{
  g_autoptr(Fake) fake = fake_start ("fakeuser0000001");
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GError) error = NULL;
  Client *c;

  fake_add_project (fake, "prjaaaaaaaaaaa1", "2030-01-01 00:00:01.000Z", "Stays");
  c = client_open (fake);
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);

  fake->departures = g_strdup (
    "{\"page\":1,\"perPage\":1000,\"items\":["
    "{\"id\":\"depaaaaaaaaaaa1\",\"updated\":\"2030-01-01 00:00:02.000Z\","
    "\"source\":{\"collection\":\"projects\"},\"record\":\"prjaaaaaaaaaaa1\",\"record_updated\":\"\"},"
    "{\"id\":\"depaaaaaaaaaaa2\",\"updated\":\"2030-01-01 00:00:03.000Z\","
    "\"source\":\"projects\",\"record\":[\"prjaaaaaaaaaaa1\"],\"record_updated\":{\"at\":1}},"
    "{\"id\":\"depaaaaaaaaaaa3\",\"updated\":\"2030-01-01 00:00:04.000Z\","
    "\"source\":\"projects\",\"record\":\"prjaaaaaaaaaaa1\",\"record_updated\":[1]}"
    "]}");
  gig_test_log_expect ("GigSync", "Ignoring a departure with a malformed record id or stamp");
  g_assert_true (sync_once (c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_test_log_done (), ==, 1);
  cache = cached_projects (c);
  g_assert_true (g_hash_table_contains (cache, "prjaaaaaaaaaaa1"));
  client_close (c);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gig_test_log_init ();

  g_test_add_func ("/sync/hostile/ignored-cursor", test_ignored_cursor);
  g_test_add_func ("/sync/hostile/bad-records-skipped", test_bad_records_skipped);
  g_test_add_func ("/sync/hostile/bad-cursor-refused", test_bad_cursor_refused);
  g_test_add_func ("/sync/hostile/departures-wrong-types", test_departures_wrong_types);
  g_test_add_func ("/sync/hostile/tool-user-id", test_tool_hostile_user_id);
  g_test_add_func ("/sync/hostile/tool-damaged-cache", test_tool_damaged_cache);

  return g_test_run ();
}
