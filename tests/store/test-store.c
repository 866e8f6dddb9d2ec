/* test-store.c: GigStore against real SQLite files
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "core/gig-id.h"
#include "gig-test-log.h"
#include "pocketbase/gig-pb-parser.h"
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

  f->dir = g_dir_make_tmp ("gig-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* ---- helpers -------------------------------------------------------------------------------- */

static JsonObject *
json_parse_object (const char *text)
{
  JsonObject *object = gig_store_json_from_string (text);

  g_assert_nonnull (object);
  return object;
}

static JsonObject *
server_project (const char *id,
                const char *title,
                double      budget,
                const char *updated)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "collectionName", "projects");
  json_object_set_string_member (o, "title", title);
  json_object_set_string_member (o, "description", "A description of the work");
  json_object_set_double_member (o, "budget", budget);
  json_object_set_string_member (o, "currency", "EUR");
  json_object_set_string_member (o, "status", "open");
  json_object_set_string_member (o, "owner", "usralice0000001");
  json_object_set_string_member (o, "hired_freelancer", "");
  json_object_set_boolean_member (o, "deleted", FALSE);
  json_object_set_string_member (o, "deleted_at", "");
  json_object_set_string_member (o, "created", updated);
  json_object_set_string_member (o, "updated", updated);
  return o;
}

static GPtrArray *
page_of (JsonObject *first,
         ...)
{
  GPtrArray *page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  va_list args;

  va_start (args, first);
  for (JsonObject *o = first; o; o = va_arg (args, JsonObject *))
    g_ptr_array_add (page, o);
  va_end (args);
  return page;
}

static void
apply_page (GigStore            *store,
            GigCollection        collection,
            GPtrArray           *page,
            GigStoreApplyResult *result)
{
  g_autoptr(GError) error = NULL;
  GigStoreApplyResult r;

  g_assert_true (gig_store_apply_server_page (store, collection, page, NULL, NULL, &r, &error));
  g_assert_no_error (error);
  if (result)
    *result = r;
}

static char *
record_string (GigStore      *store,
               GigCollection  collection,
               const char    *id,
               const char    *member)
{
  g_autoptr(JsonObject) record = gig_store_get_record (store, collection, id);

  if (record == NULL)
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (record, member, NULL));
}

static gboolean
record_exists (GigStore      *store,
               GigCollection  collection,
               const char    *id)
{
  g_autoptr(JsonObject) record = gig_store_get_record (store, collection, id);

  return record != NULL;
}

static GigLocalState
record_state (GigStore      *store,
              GigCollection  collection,
              const char    *id)
{
  GigLocalState state = -1;

  g_assert_true (gig_store_get_record_meta (store, collection, id, &state, NULL, NULL));
  return state;
}

static gint64
sql_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
sql_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* What SQLite plans for @sql: the details of EXPLAIN QUERY PLAN, one per line. */
static char *
query_plan (const char *path,
            const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  GString *plan = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (plan, FALSE);
}

/* FTS5's own check of the index against what it was told (fails on a bad 'delete'). */
static void
assert_fts_consistent (const char *path)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, "INSERT INTO search_index (search_index) VALUES ('integrity-check')",
                    NULL, NULL, &message) != SQLITE_OK)
    g_error ("FTS index inconsistent: %s", message);
  sqlite3_close (db);
}

static guint
query_count (GigStore      *store,
             GigStoreQuery *query)
{
  g_autoptr(GError) error = NULL;
  guint count = G_MAXUINT;

  g_assert_true (gig_store_query_count (store, query, &count, &error));
  g_assert_no_error (error);
  return count;
}

static GStrv
search (GigStore      *store,
        GigCollection  collection,
        const char    *text)
{
  g_autoptr(GigStoreQuery) query = gig_store_query_new (collection, GIG_STORE_SCOPE_ALL);
  g_autoptr(GError) error = NULL;
  GStrv ids;

  query->text = g_strdup (text);
  ids = gig_store_query_ids (store, query, 0, 100, &error);
  g_assert_no_error (error);
  return ids;
}

typedef struct {
  guint       emissions;
  int         collection;
  GPtrArray  *ids;
  GThread    *thread;
} ChangedLog;

static void
on_changed (GigStore    *store,
            int          collection,
            char       **ids,
            ChangedLog  *log)
{
  log->emissions++;
  log->collection = collection;
  log->thread = g_thread_self ();
  for (guint i = 0; ids[i]; i++)
    g_ptr_array_add (log->ids, g_strdup (ids[i]));
}

/* ---- ids and paths -------------------------------------------------------------------------- */

static void
test_ids (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint histogram[36] = { 0 };

  for (guint i = 0; i < 2000; i++)
    {
      char *id = gig_id_new ();

      g_assert_cmpuint (strlen (id), ==, 15);
      g_assert_true (gig_id_is_valid (id));
      for (const char *p = id; *p; p++)
        histogram[g_ascii_isdigit (*p) ? 26 + (*p - '0') : *p - 'a']++;
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
  /* 30 000 characters over 36 symbols: every symbol shows up. */
  for (guint i = 0; i < 36; i++)
    g_assert_cmpuint (histogram[i], >, 400);

  g_assert_false (gig_id_is_valid ("ABCDEFGHIJ12345"));
  g_assert_false (gig_id_is_valid ("abc"));
  g_assert_false (gig_id_is_valid ("abcdefghij1234-"));
  g_assert_false (gig_id_is_valid ("abcdefghij123456"));
  g_assert_false (gig_id_is_valid (NULL));
}

static void
test_default_path (void)
{
  g_autofree char *path = gig_store_default_path ("usralice0000001");
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "gigdesk", "accounts",
                                                "usralice0000001", "cache.sqlite", NULL);

  g_assert_cmpstr (path, ==, expected);
  g_assert_null (gig_store_default_path ("../etc"));
  g_assert_null (gig_store_default_path ("a/b"));
  g_assert_null (gig_store_default_path (""));
  /* what the server chose must be a record id, for the tool's --data-dir as for the app */
  g_assert_null (gig_store_account_path ("/srv/caches", "../../../tmp/evil"));
  g_assert_null (gig_store_account_path ("/srv/caches", ".."));
  g_assert_null (gig_store_account_path ("/srv/caches", "usr-alice000001"));
  g_assert_null (gig_store_account_path ("/srv/caches", "USRALICE0000001"));
  g_assert_null (gig_store_account_path ("/srv/caches", NULL));
  g_free (path);
  path = gig_store_account_path ("/srv/caches", "usralice0000001");
  g_assert_cmpstr (path, ==, "/srv/caches/usralice0000001/cache.sqlite");
}

static void
test_stamps (void)
{
  g_autofree char *now = gig_stamp_now ();

  g_assert_true (gig_stamp_is_valid (now));
  g_assert_true (gig_stamp_is_valid ("2030-01-31 23:59:59.999Z"));
  g_assert_false (gig_stamp_is_valid (NULL));
  g_assert_false (gig_stamp_is_valid (""));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 00:00:00.000Z\""));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 00:00:00.00\"Z"));
  g_assert_false (gig_stamp_is_valid ("2030-01-01T00:00:00.000Z"));
  g_assert_false (gig_stamp_is_valid ("2030-13-01 00:00:00.000Z"));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 24:00:00.000Z"));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 00:00:00.000"));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 00:00:00.000Z "));
  g_assert_false (gig_stamp_is_valid ("2030-01-01 00:00:00\\00Z"));
}

/* ---- migrations ----------------------------------------------------------------------------- */

static void
test_fresh_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *mode = NULL;
  g_autofree char *plan = NULL;

  g_assert_cmpint (gig_store_get_schema_version (f->store), ==, GIG_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, GIG_STORE_SCHEMA_VERSION);
  mode = sql_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  for (const char *const *t = (const char *const[]) { "users", "projects", "proposals", "milestones",
                                                      "outbox", "sync_state", "search_index",
                                                      "chat_channels", "chat_messages",
                                                      "chat_outbox", "chat_reads", NULL }; *t; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE name = '%s'", *t);
      g_assert_cmpint (sql_int (f->path, sql), ==, 1);
    }
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'chat_messages_channel'"), ==, 1);
  /* a message's outbox row is found by its id without reading the whole outbox */
  plan = query_plan (f->path, "SELECT seq FROM chat_outbox WHERE message_id = 'm1'");
  g_assert_nonnull (strstr (plan, "INDEX chat_outbox_message (message_id=?)"));
}

/* Loads a fixture dump (a file as an older version wrote it) into a new database file. */
static char *
load_fixture (const char *dir,
              const char *name)
{
  const char *root = g_getenv ("GIG_SOURCE_ROOT");
  g_autofree char *sql_path = root ? g_build_filename (root, "tests", "store", "data", name, NULL)
                                   : g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "old.sqlite", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_file_get_contents (sql_path, &sql, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("Loading %s: %s", name, message);
  sqlite3_close (db);
  return path;
}

/* What the migrated file must hold from the fixture's rows. */
static void
check_migrated (GigStore *store)
{
  g_autoptr(GigStoreQuery) trash = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_TRASH);
  g_autoptr(GigStoreQuery) drafts = gig_store_query_new (GIG_COLLECTION_PROPOSALS, GIG_STORE_SCOPE_DRAFTS);
  g_auto(GStrv) found = NULL;
  g_auto(GStrv) letters = NULL;
  g_auto(GStrv) gone = NULL;
  g_autofree char *title = NULL;
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  GigOutboxEntry *entry;

  g_assert_cmpint (gig_store_get_schema_version (store), ==, GIG_STORE_SCHEMA_VERSION);

  title = record_string (store, GIG_COLLECTION_PROJECTS, "prjlegacy000001", "title");
  g_assert_cmpstr (title, ==, "Legacy payroll migration");

  /* Rows from before the FTS step are searchable; deleted ones are not. */
  found = search (store, GIG_COLLECTION_PROJECTS, "mainframe");
  g_assert_cmpuint (g_strv_length (found), ==, 1);
  g_assert_cmpstr (found[0], ==, "prjlegacy000001");
  gone = search (store, GIG_COLLECTION_PROJECTS, "planting");
  g_assert_cmpuint (g_strv_length (gone), ==, 0);
  letters = search (store, GIG_COLLECTION_PROPOSALS, "cobol");
  g_assert_cmpuint (g_strv_length (letters), ==, 0);   /* a draft: not in ALL */

  trash->me = g_strdup ("usralice0000001");
  g_assert_cmpuint (query_count (store, trash), ==, 1);
  g_assert_cmpuint (query_count (store, drafts), ==, 1);

  g_assert_true (gig_store_get_cursor (store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
  g_assert_cmpstr (cursor_updated, ==, "2026-11-04 10:00:00.000Z");
  g_assert_cmpstr (cursor_id, ==, "prjgarden000002");

  /* The queued offline create is still there and goes out. */
  g_assert_cmpuint (gig_store_pending_count (store), ==, 1);
  outbox = gig_store_outbox_next (store, 10);
  g_assert_cmpuint (outbox->len, ==, 1);
  entry = g_ptr_array_index (outbox, 0);
  g_assert_cmpint (entry->op, ==, GIG_OUTBOX_OP_CREATE);
  g_assert_cmpstr (entry->record_id, ==, "prjoffline00003");
  g_assert_cmpstr (json_object_get_string_member (entry->fields, "title"), ==, "Offline written project");
}

static void
test_migrate_from_file (gconstpointer data)
{
  const char *fixture = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);
  g_autofree char *path = load_fixture (dir, fixture);
  g_autoptr(GigStore) store = NULL;
  int old_version = sql_int (path, "PRAGMA user_version");

  g_assert_cmpint (old_version, <, GIG_STORE_SCHEMA_VERSION);
  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  check_migrated (store);
  gig_store_close (store);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, GIG_STORE_SCHEMA_VERSION);
  g_autofree char *integrity = sql_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  assert_fts_consistent (path);
  rm_rf (dir);
}

/* The fixtures really are what each step made: same schema as running the steps today. */
static void
test_fixture_matches_steps (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);

  for (int version = 1; version < GIG_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *name = g_strdup_printf ("cache-v%d.sql", version);
      g_autofree char *made = g_strdup_printf ("%s/made-v%d.sqlite", dir, version);
      g_autofree char *loaded = load_fixture (dir, name);
      g_autoptr(GError) error = NULL;
      const char *schema_sql = "SELECT group_concat (type || name || coalesce (sql, ''), '|')"
                               " FROM (SELECT * FROM sqlite_master ORDER BY name)";
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      g_assert_true (gig_store_create_file_at_version (made, version, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sql_int (made, "PRAGMA user_version"), ==, version);
      a = sql_text (made, schema_sql);
      b = sql_text (loaded, schema_sql);
      g_assert_cmpstr (a, ==, b);
      g_unlink (loaded);
    }
  rm_rf (dir);
}

/* Each step on its own, from a file made by the steps before it. */
static void
test_migrate_each_step (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);

  for (int from = 1; from < GIG_STORE_SCHEMA_VERSION; from++)
    {
      g_autofree char *path = g_strdup_printf ("%s/step-%d.sqlite", dir, from);
      g_autoptr(GError) error = NULL;
      g_autoptr(GigStore) store = NULL;

      g_assert_true (gig_store_create_file_at_version (path, from, &error));
      g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, from);
      g_assert_true (gig_store_create_file_at_version (path, from + 1, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, from + 1);
      store = gig_store_new_for_path (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gig_store_get_schema_version (store), ==, GIG_STORE_SCHEMA_VERSION);
    }
  rm_rf (dir);
}

/* Step 4 edits the record tables' CHECK in place: it must still refuse what it refused, in
 * files migrated from an older version and in new ones alike, on every record table. */
static void
test_state_check_kept (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);
  static const char *tables[] = { "users", "projects", "proposals", "milestones" };

  for (int from = 3; from <= GIG_STORE_SCHEMA_VERSION; from++)
    {
      g_autofree char *path = g_strdup_printf ("%s/check-%d.sqlite", dir, from);
      g_autoptr(GError) error = NULL;
      g_autoptr(GigStore) store = NULL;
      sqlite3 *db = NULL;

      g_assert_true (gig_store_create_file_at_version (path, from, &error));
      g_assert_no_error (error);
      store = gig_store_new_for_path (path, &error);
      g_assert_no_error (error);
      gig_store_close (store);

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        {
          g_autofree char *bad = g_strdup_printf ("INSERT INTO %s (id, local_state) VALUES ('zzzzzzzzzzzzzz1', 'bogus')", tables[i]);
          g_autofree char *good = g_strdup_printf ("INSERT INTO %s (id, local_state) VALUES ('zzzzzzzzzzzzzz2', 'conflict')", tables[i]);
          g_autofree char *schema = g_strdup_printf ("SELECT sql FROM sqlite_schema WHERE name = '%s'", tables[i]);
          sqlite3_stmt *stmt = NULL;

          g_assert_cmpint (sqlite3_exec (db, bad, NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
          g_assert_cmpint (sqlite3_extended_errcode (db), ==, SQLITE_CONSTRAINT_CHECK);
          g_assert_cmpint (sqlite3_exec (db, good, NULL, NULL, NULL), ==, SQLITE_OK);
          /* the per-row temporary b-tree of the IN list is gone */
          g_assert_cmpint (sqlite3_prepare_v2 (db, schema, -1, &stmt, NULL), ==, SQLITE_OK);
          g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
          g_assert_null (strstr ((const char *) sqlite3_column_text (stmt, 0), "local_state IN"));
          sqlite3_finalize (stmt);
        }
      sqlite3_close (db);
      assert_fts_consistent (path);
    }
  rm_rf (dir);
}

/* The store writes JSON itself (server_json, local_json, the outbox): whatever it writes must
 * read back as the same value, escapes, numbers and nesting included. */
static void
test_json_round_trip (void)
{
  static const char *texts[] = {
    "{}",
    "{\"id\":\"prjaaaaaaaaaaa1\",\"title\":\"Quote \\\" backslash \\\\ slash / tab \\t newline \\n cr \\r\","
    "\"ctl\":\"\\u0001\\u001f\\b\\f\",\"utf8\":\"Grüße – 日本 😀\",\"empty\":\"\"}",
    "{\"budget\":1234.5,\"whole\":12000.0,\"tiny\":1e-300,\"huge\":1.7976931348623157e308,"
    "\"third\":0.1,\"neg\":-0.25,\"int\":42,\"big\":9223372036854775807,\"min\":-9223372036854775808}",
    "{\"deleted\":false,\"open\":true,\"hired_freelancer\":null,\"skills\":[\"gtk\",\"c\",[],{},[1,2.5,null]],"
    "\"expand\":{\"owner\":{\"name\":\"A \\\"B\\\"\",\"tags\":[{\"x\":[true]}]}}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonObject) object = gig_store_json_from_string (texts[i]);
      g_autofree char *written = NULL;
      g_autoptr(JsonObject) back = NULL;
      g_autoptr(JsonNode) a = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonNode) b = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonParser) strict = json_parser_new ();

      g_assert_nonnull (object);
      written = gig_store_json_to_string (object);
      /* valid JSON for any parser, not only for the store's */
      g_assert_true (json_parser_load_from_data (strict, written, -1, NULL));
      back = gig_store_json_from_string (written);
      g_assert_nonnull (back);
      json_node_set_object (a, object);
      json_node_set_object (b, back);
      if (!json_node_equal (a, b))
        g_error ("%s came back as %s", texts[i], written);
      /* member order is kept */
      {
        GList *ma = json_object_get_members (object);
        GList *mb = json_object_get_members (back);

        for (GList *x = ma, *y = mb; x || y; x = x->next, y = y->next)
          {
            g_assert_true (x != NULL && y != NULL);
            g_assert_cmpstr (x->data, ==, y->data);
          }
        g_list_free (ma);
        g_list_free (mb);
      }
    }

  /* Doubles stay doubles (a typed REAL column and the UI read them so), ints stay ints. */
  {
    g_autoptr(JsonObject) o = json_object_new ();
    g_autofree char *written = NULL;
    g_autoptr(JsonObject) back = NULL;

    json_object_set_double_member (o, "amount", 300);
    json_object_set_int_member (o, "days", 3);
    written = gig_store_json_to_string (o);
    g_assert_cmpstr (written, ==, "{\"amount\":300.0,\"days\":3}");
    back = gig_store_json_from_string (written);
    g_assert_cmpint (json_node_get_value_type (json_object_get_member (back, "amount")), ==, G_TYPE_DOUBLE);
    g_assert_cmpint (json_node_get_value_type (json_object_get_member (back, "days")), ==, G_TYPE_INT64);
  }
}

static void
test_too_new (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = gig_store_new_for_path (path, &error);
  g_assert_null (store);
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_TOO_NEW);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, 99);

  /* Not a database at all. */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "this is not sqlite, just some text padding it out to a header", -1, NULL));
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_unlink (wal);
  }
  store = gig_store_new_for_path (path, &error);
  g_assert_null (store);
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  rm_rf (dir);
}

/* ---- local writes and the outbox ------------------------------------------------------------ */

static void
test_create_update_outbox (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_parse_object (
    "{\"title\":\"Logo\",\"description\":\"A logo\",\"budget\":100,\"currency\":\"EUR\","
    "\"status\":\"open\",\"owner\":\"usralice0000001\",\"created\":\"2000-01-01 00:00:00.000Z\"}");
  g_autoptr(JsonObject) change1 = json_parse_object ("{\"budget\":150}");
  g_autoptr(JsonObject) change2 = json_parse_object ("{\"title\":\"Logo and icon\"}");
  g_autoptr(JsonObject) echo = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  GigOutboxEntry *entry;
  ChangedLog log = { .ids = g_ptr_array_new_with_free_func (g_free) };

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &log);

  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  g_assert_no_error (error);
  g_assert_true (gig_id_is_valid (id));
  g_assert_cmpuint (log.emissions, ==, 1);
  g_assert_cmpint (log.collection, ==, GIG_COLLECTION_PROJECTS);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 0), ==, id);
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_PENDING);
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 1);
  /* The record and its outbox row landed together, and `created` is the server's business. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM outbox WHERE op = 'create'"), ==, 1);
  record = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, id);
  g_assert_false (json_object_has_member (record, "created"));

  /* Not yet handed out: the edit folds into the create. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, id, change1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 1);

  batch = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (batch->len, ==, 1);
  entry = g_ptr_array_index (batch, 0);
  g_assert_cmpint (entry->op, ==, GIG_OUTBOX_OP_CREATE);
  g_assert_cmpstr (entry->record_id, ==, id);
  g_assert_cmpstr (json_object_get_string_member (entry->fields, "id"), ==, id);
  g_assert_cmpfloat (json_object_get_double_member (entry->fields, "budget"), ==, 150);
  g_assert_cmpuint (entry->attempts, ==, 1);

  /* In flight: a new edit must not change what is being sent, and waits behind it. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, id, change2, &error));
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 2);
  none = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (none->len, ==, 0);

  /* The server's answer to the create. */
  echo = server_project (id, "Logo", 150, "2026-11-24 10:00:00.000Z");
  g_assert_true (gig_store_outbox_done (f->store, entry->seq, echo, &error));
  g_assert_no_error (error);
  title = record_string (f->store, GIG_COLLECTION_PROJECTS, id, "title");
  g_assert_cmpstr (title, ==, "Logo and icon");   /* the pending edit stays visible */
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_PENDING);

  g_clear_pointer (&batch, g_ptr_array_unref);
  batch = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (batch->len, ==, 1);
  entry = g_ptr_array_index (batch, 0);
  g_assert_cmpint (entry->op, ==, GIG_OUTBOX_OP_UPDATE);
  g_assert_cmpuint (json_object_get_size (entry->fields), ==, 1);   /* only the changed field */
  g_assert_cmpstr (json_object_get_string_member (entry->fields, "title"), ==, "Logo and icon");
  g_assert_cmpstr (entry->base_updated, ==, "2026-11-24 10:00:00.000Z");

  g_clear_pointer (&echo, json_object_unref);
  echo = server_project (id, "Logo and icon", 150, "2026-11-24 10:00:01.000Z");
  g_assert_true (gig_store_outbox_done (f->store, entry->seq, echo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_SYNCED);
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 0);
  /* Synced rows keep a single copy of the JSON. */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM projects WHERE local_json IS NULL"), ==, 1);

  /* An id given by the caller is used; a clash is refused. */
  {
    g_autoptr(JsonObject) again = json_parse_object ("{\"title\":\"Again\"}");
    json_object_set_string_member (again, "id", id);
    g_assert_false (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, again, NULL, &error));
    g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
    g_clear_error (&error);
    json_object_set_string_member (again, "id", "NOT-AN-ID");
    g_assert_false (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, again, NULL, &error));
    g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_false (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "nosuchrecord123", change1, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND);

  g_ptr_array_unref (log.ids);
}

static void
test_outbox_order_and_retry (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "A", 1, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjbbbbbbbbbbb2", "B", 2, "2026-11-24 10:00:00.000Z"),
                                       NULL);
  g_autoptr(JsonObject) change = json_parse_object ("{\"budget\":5}");
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) third = NULL;
  g_autofree char *message = NULL;
  GigLocalState state;
  gint64 seq_a, seq_b;

  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", change, &error));
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", change, &error));
  g_assert_no_error (error);

  first = gig_store_outbox_next (f->store, 1);
  g_assert_cmpuint (first->len, ==, 1);
  seq_a = ((GigOutboxEntry *) g_ptr_array_index (first, 0))->seq;
  second = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (second->len, ==, 1);
  seq_b = ((GigOutboxEntry *) g_ptr_array_index (second, 0))->seq;
  g_assert_cmpint (seq_a, <, seq_b);
  g_assert_cmpstr (((GigOutboxEntry *) g_ptr_array_index (second, 0))->record_id, ==, "prjbbbbbbbbbbb2");

  /* Transient failure: not handed out before its time. */
  g_assert_true (gig_store_outbox_retry_later (f->store, seq_a, 60 * 1000, "Network down", &error));
  third = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (third->len, ==, 0);
  g_clear_pointer (&third, g_ptr_array_unref);
  g_assert_true (gig_store_outbox_retry_later (f->store, seq_a, 0, "Network down", &error));
  third = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (third->len, ==, 1);
  g_assert_cmpuint (((GigOutboxEntry *) g_ptr_array_index (third, 0))->attempts, ==, 2);
  g_assert_cmpstr (((GigOutboxEntry *) g_ptr_array_index (third, 0))->last_error, ==, "Network down");

  /* Permanent failure: kept and visible, not counted as pending. */
  g_assert_true (gig_store_outbox_fail (f->store, seq_b, "Budget must be at least 10", &error));
  g_assert_no_error (error);
  g_assert_true (gig_store_get_record_meta (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", &state, &message, NULL));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_FAILED);
  g_assert_cmpstr (message, ==, "Budget must be at least 10");
  g_assert_cmpuint (gig_store_failed_count (f->store), ==, 1);
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 1);

  g_assert_true (gig_store_outbox_requeue (f->store, seq_b, &error));
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2"), ==, GIG_LOCAL_STATE_PENDING);
  g_assert_cmpuint (gig_store_failed_count (f->store), ==, 0);

  g_assert_false (gig_store_outbox_done (f->store, 9999, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND);
}

/* Rows handed out when the app died are sent again after a restart. */
static void
test_outbox_survives_reopen (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_parse_object ("{\"title\":\"Offline\",\"status\":\"open\"}");
  g_autoptr(GPtrArray) handed = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *id = NULL;

  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  handed = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (handed->len, ==, 1);
  g_clear_object (&f->store);

  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_no_error (error);
  again = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpstr (((GigOutboxEntry *) g_ptr_array_index (again, 0))->record_id, ==, id);
  g_assert_cmpuint (((GigOutboxEntry *) g_ptr_array_index (again, 0))->attempts, ==, 2);
}

/* ---- server pages ---------------------------------------------------------------------------- */

static void
test_apply_page_dedupe (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "A", 1, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjbbbbbbbbbbb2", "B", 2, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjccccccccccc3", "C", 3, "2026-11-24 10:00:01.000Z"),
                                       NULL);
  g_autoptr(GPtrArray) overlap = page_of (server_project ("prjccccccccccc3", "C", 3, "2026-11-24 10:00:01.000Z"),
                                          server_project ("prjaaaaaaaaaaa1", "A2", 1, "2026-11-24 10:00:02.000Z"),
                                          NULL);
  g_autoptr(GPtrArray) bad = page_of (server_project ("prjddddddddddd4", "D", 4, "2026-11-24 10:00:03.000Z"),
                                      json_parse_object ("{\"title\":\"no id\"}"),
                                      server_project ("prjeeeeeeeeeee5", "E", 5, "2026-11-24 10:00:04.000Z\""),
                                      server_project ("prj/../../eeee6", "E", 5, "2026-11-24 10:00:04.000Z"),
                                      NULL);
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  g_autofree char *title = NULL;
  g_autoptr(JsonObject) stored = NULL;
  GigStoreApplyResult result;
  ChangedLog log = { .ids = g_ptr_array_new_with_free_func (g_free) };

  g_assert_false (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, NULL, NULL));
  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &log);

  g_assert_true (gig_store_apply_server_page (f->store, GIG_COLLECTION_PROJECTS, page,
                                              "2026-11-24 10:00:01.000Z", "prjccccccccccc3",
                                              &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.inserted, ==, 3);
  g_assert_cmpuint (result.unchanged, ==, 0);
  g_assert_cmpuint (log.emissions, ==, 1);
  g_assert_cmpuint (log.ids->len, ==, 3);
  g_assert_true (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, &cursor_updated, &cursor_id));
  g_assert_cmpstr (cursor_updated, ==, "2026-11-24 10:00:01.000Z");
  g_assert_cmpstr (cursor_id, ==, "prjccccccccccc3");

  /* The overlap window brings C again: skipped, and views hear only of A. */
  g_ptr_array_set_size (log.ids, 0);
  apply_page (f->store, GIG_COLLECTION_PROJECTS, overlap, &result);
  g_assert_cmpuint (result.unchanged, ==, 1);
  g_assert_cmpuint (result.updated, ==, 1);
  g_assert_cmpuint (log.ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 0), ==, "prjaaaaaaaaaaa1");
  title = record_string (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", "title");
  g_assert_cmpstr (title, ==, "A2");

  /* An older version (a page read before a live event) never takes a record back in time. */
  {
    g_autoptr(GPtrArray) stale = page_of (server_project ("prjaaaaaaaaaaa1", "A-old", 1, "2026-11-24 09:00:00.000Z"), NULL);
    g_autofree char *still = NULL;

    apply_page (f->store, GIG_COLLECTION_PROJECTS, stale, &result);
    g_assert_cmpuint (result.unchanged, ==, 1);
    still = record_string (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", "title");
    g_assert_cmpstr (still, ==, "A2");
  }

  /* Several at once, with holes for ids not cached. */
  {
    const char *ids[] = { "prjccccccccccc3", "prjnotcached001", "prjaaaaaaaaaaa1", NULL };
    g_autoptr(GPtrArray) records = gig_store_get_records (f->store, GIG_COLLECTION_PROJECTS, ids);

    g_assert_cmpuint (records->len, ==, 3);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 0), "title"), ==, "C");
    g_assert_null (g_ptr_array_index (records, 1));
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (records, 2), "title"), ==, "A2");
  }

  /* The whole server record is kept, members the views don't show included. */
  stored = gig_store_get_server_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1");
  g_assert_cmpstr (json_object_get_string_member (stored, "collectionName"), ==, "projects");

  /* Records without a valid id or stamp are skipped and counted, each with a warning; the
   * rest of the page is kept. */
  gig_test_log_expect ("gig-store", "Skipped a projects record from the server");
  g_assert_true (gig_store_apply_server_page (f->store, GIG_COLLECTION_PROJECTS, bad,
                                              "2026-11-24 10:00:03.000Z", "prjddddddddddd4", &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_test_log_done (), ==, 3);
  g_assert_cmpuint (result.skipped, ==, 3);
  g_assert_cmpuint (result.inserted, ==, 1);
  g_assert_true (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjddddddddddd4"));
  g_assert_false (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjeeeeeeeeeee5"));
  g_clear_pointer (&cursor_updated, g_free);
  g_assert_true (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, &cursor_updated, NULL));
  g_assert_cmpstr (cursor_updated, ==, "2026-11-24 10:00:03.000Z");

  /* A cursor made from such a stamp is refused, and the page with it. */
  g_assert_false (gig_store_apply_server_page (f->store, GIG_COLLECTION_PROJECTS, page,
                                               "2026-11-24 10:00:04.000Z\"", "prjeeeeeeeeeee5", NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
  g_clear_pointer (&cursor_updated, g_free);
  g_assert_true (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, &cursor_updated, NULL));
  g_assert_cmpstr (cursor_updated, ==, "2026-11-24 10:00:03.000Z");

  g_ptr_array_unref (log.ids);
}

static void
test_pending_protection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "Original", 100, "2026-11-24 10:00:00.000Z"), NULL);
  g_autoptr(GPtrArray) newer = page_of (server_project ("prjaaaaaaaaaaa1", "Server title", 900, "2026-11-24 11:00:00.000Z"), NULL);
  g_autoptr(JsonObject) change = json_parse_object ("{\"title\":\"My title\"}");
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) base = NULL;
  GigStoreApplyResult result;

  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", change, &error));
  g_assert_no_error (error);

  apply_page (f->store, GIG_COLLECTION_PROJECTS, newer, &result);
  g_assert_cmpuint (result.kept_local, ==, 1);
  record = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1");
  g_assert_cmpstr (json_object_get_string_member (record, "title"), ==, "My title");
  g_assert_cmpfloat (json_object_get_double_member (record, "budget"), ==, 900);
  g_assert_cmpstr (json_object_get_string_member (record, "updated"), ==, "2026-11-24 11:00:00.000Z");
  base = gig_store_get_server_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1");
  g_assert_cmpstr (json_object_get_string_member (base, "title"), ==, "Server title");
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1"), ==, GIG_LOCAL_STATE_PENDING);
  /* The typed columns follow what the user sees. */
  g_assert_cmpint (sql_int (f->path, "SELECT budget FROM projects WHERE title = 'My title'"), ==, 900);
}

static void
test_soft_delete (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "Harbour crane telemetry", 100, "2026-11-24 10:00:00.000Z"), NULL);
  g_autoptr(JsonObject) deleted = server_project ("prjaaaaaaaaaaa1", "Harbour crane telemetry", 100, "2026-11-24 10:05:00.000Z");
  g_autoptr(GPtrArray) page2 = NULL;
  g_autoptr(GigStoreQuery) all = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_ALL);
  g_autoptr(GigStoreQuery) trash = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_TRASH);
  g_autoptr(GigStoreQuery) other_trash = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_TRASH);
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_autoptr(JsonObject) record = NULL;

  trash->me = g_strdup ("usralice0000001");
  other_trash->me = g_strdup ("usrbob000000001");
  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);
  before = search (f->store, GIG_COLLECTION_PROJECTS, "crane");
  g_assert_cmpuint (g_strv_length (before), ==, 1);
  g_assert_cmpuint (query_count (f->store, all), ==, 1);

  json_object_set_boolean_member (deleted, "deleted", TRUE);
  json_object_set_string_member (deleted, "deleted_at", "2026-11-24 10:05:00.000Z");
  page2 = page_of (json_object_ref (deleted), NULL);
  apply_page (f->store, GIG_COLLECTION_PROJECTS, page2, NULL);

  record = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1");
  g_assert_nonnull (record);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpuint (query_count (f->store, all), ==, 0);
  g_assert_cmpuint (query_count (f->store, trash), ==, 1);
  g_assert_cmpuint (query_count (f->store, other_trash), ==, 0);
  after = search (f->store, GIG_COLLECTION_PROJECTS, "crane");
  g_assert_cmpuint (g_strv_length (after), ==, 0);
  assert_fts_consistent (f->path);
}

static void
test_reconcile (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "A", 1, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjbbbbbbbbbbb2", "B", 2, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjccccccccccc3", "C", 3, "2026-11-24 10:00:00.000Z"),
                                       NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) change = json_parse_object ("{\"title\":\"Edited\"}");
  g_autoptr(JsonObject) fields = json_parse_object ("{\"title\":\"Mine, offline\"}");
  g_autofree char *local_id = NULL;
  guint removed = 0;
  ChangedLog log = { .ids = g_ptr_array_new_with_free_func (g_free) };

  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjccccccccccc3", change, &error));
  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &local_id, &error));
  g_assert_no_error (error);
  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &log);

  g_hash_table_add (seen, (gpointer) "prjaaaaaaaaaaa1");
  g_assert_true (gig_store_remove_records_not_in (f->store, GIG_COLLECTION_PROJECTS, seen, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (log.ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.ids, 0), ==, "prjbbbbbbbbbbb2");
  g_assert_true (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1"));
  g_assert_false (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2"));
  /* Local work survives even when the listing does not know it. */
  g_assert_true (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjccccccccccc3"));
  g_assert_true (record_exists (f->store, GIG_COLLECTION_PROJECTS, local_id));
  assert_fts_consistent (f->path);
  g_ptr_array_unref (log.ids);
}

static void
test_sync_stamps (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (gig_store_get_last_full_sync (f->store, GIG_COLLECTION_MILESTONES), ==, 0);
  g_assert_true (gig_store_set_last_full_sync (f->store, GIG_COLLECTION_MILESTONES, 1234, &error));
  g_assert_true (gig_store_set_last_reconcile (f->store, GIG_COLLECTION_MILESTONES, 5678, &error));
  g_assert_true (gig_store_set_cursor (f->store, GIG_COLLECTION_MILESTONES, "2026-11-24 10:00:00.000Z", "mlsaaaaaaaaaaa1", &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);
  f->store = gig_store_new_for_path (f->path, &error);
  g_assert_cmpint (gig_store_get_last_full_sync (f->store, GIG_COLLECTION_MILESTONES), ==, 1234);
  g_assert_cmpint (gig_store_get_last_reconcile (f->store, GIG_COLLECTION_MILESTONES), ==, 5678);
  g_assert_true (gig_store_get_cursor (f->store, GIG_COLLECTION_MILESTONES, NULL, NULL));
}

/* ---- async page writes ----------------------------------------------------------------------- */

typedef struct {
  GMainLoop          *loop;
  guint               done;
  guint               emissions_at_done;
  ChangedLog         *log;
  GigStoreApplyResult result;
  GError             *error;
} AsyncState;

static void
page_applied (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  AsyncState *state = user_data;

  g_assert_true (gig_store_apply_server_page_finish (GIG_STORE (source), res, &state->result,
                                                     state->done == 0 ? &state->error : NULL));
  state->emissions_at_done = state->log->emissions;
  if (++state->done == 2)
    g_main_loop_quit (state->loop);
}

static void
test_apply_page_async (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) page1 = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) page2 = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *cursor = NULL;
  ChangedLog log = { .ids = g_ptr_array_new_with_free_func (g_free) };
  AsyncState state = { .loop = g_main_loop_new (NULL, FALSE), .log = &log };

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *id = g_strdup_printf ("prj%012u", i);
      g_autofree char *updated = g_strdup_printf ("2026-11-24 10:%02u:%02u.000Z", i / 60, i % 60);
      g_ptr_array_add (i < 250 ? page1 : page2, server_project (id, "Page test", i, updated));
    }
  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &log);

  gig_store_apply_server_page_async (f->store, GIG_COLLECTION_PROJECTS, page1,
                                     "2026-11-24 10:04:09.000Z", "prj000000000249", NULL, page_applied, &state);
  gig_store_apply_server_page_async (f->store, GIG_COLLECTION_PROJECTS, page2,
                                     "2026-11-24 10:08:19.000Z", "prj000000000499", NULL, page_applied, &state);
  g_main_loop_run (state.loop);

  g_assert_no_error (state.error);
  g_assert_cmpuint (state.result.inserted, ==, 250);
  /* Views heard of both pages, on this thread, before the callback of the last. */
  g_assert_cmpuint (log.emissions, ==, 2);
  g_assert_cmpuint (state.emissions_at_done, ==, 2);
  g_assert_true (log.thread == g_thread_self ());
  g_assert_cmpuint (log.ids->len, ==, 500);
  /* Pages are applied in the order they were queued: the last cursor wins. */
  g_assert_true (gig_store_get_cursor (f->store, GIG_COLLECTION_PROJECTS, &cursor, NULL));
  g_assert_cmpstr (cursor, ==, "2026-11-24 10:08:19.000Z");

  g_main_loop_unref (state.loop);
  g_ptr_array_unref (log.ids);
}

/* ---- server pages kept as text ---------------------------------------------------------------- */

/* The same records, as the server's text, for the tree path (JsonObject) and the raw path
 * (GigRawRecord). Numbers and booleans in number and flag columns, strings where numbers belong
 * and the reverse, nulls, escapes in values and in names, repeated names, a missing `created`
 * and a missing `updated`. */
static const char *const raw_users_1[] = {
  "{\"id\":\"usr000000000001\",\"collectionName\":\"users\",\"name\":\"Ren\\u00e9e \\\"Rae\\\" O\\u2019Brien\","
  "\"headline\":\"GTK \\\\ C developer\\nand tester \\ud83d\\ude00\",\"skills\":[\"gtk\",\"c\",\"rust\"],"
  "\"avatar\":\"\",\"deleted\":false,\"deleted_at\":\"\",\"created\":\"2026-11-01 10:00:00.000Z\","
  "\"updated\":\"2026-11-01 10:00:00.000Z\",\"verified\":true}",
  "{\"id\":\"usr000000000002\",\"name\":\"Gone\",\"skills\":[],\"avatar\":null,\"deleted\":true,"
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-01 10:00:01.000Z\"}",
  "{\"id\":\"usr000000000003\",\"name\":5,\"headline\":[\"not\",\"text\"],\"skills\":null,\"deleted\":\"true\","
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-01 10:00:02.000Z\"}",
  "{\"id\":\"usr000000000004\",\"skills\":[\"old\"],\"name\":\"Twice\",\"skills\":{\"level\":{\"c\":3,\"gtk\":2.5},\"tags\":[true,null]},"
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-01 10:00:03.000Z\"}",
  "{\"id\":\"usr000000000005\",\"name\":\"No dates\",\"skills\":\"c\",\"deleted\":1}",
  "{\"id\":\"usr000000000006\",\"name\":\"Numbers\",\"skills\":[1,2.5,-3],\"deleted\":0.0,\"avatar\":\"a.png\","
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-01 10:00:05.000Z\"}",
  /* JSON columns in the server's spelling (Go escapes & < >; spaces, exponents) */
  "{\"id\":\"usr000000000007\",\"name\":\"Spelled\",\"skills\":[\"R\\u0026D\",\"caf\\u00e9\", 1.0, 1e3 ],"
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-01 10:00:06.000Z\"}",
  NULL,
};
static const char *const raw_projects_1[] = {
  "{\"id\":\"prj000000000001\",\"collectionName\":\"projects\",\"title\":\"Caf\\u00e9 \\\"menu\\\" redesign \\ud83d\\ude00\","
  "\"description\":\"Printed and online menus\\nfor a small caf\\u00e9, \\\\ and / more\",\"budget\":12,"
  "\"currency\":\"EUR\",\"status\":\"open\",\"owner\":\"usr000000000001\",\"hired_freelancer\":\"\","
  "\"deleted\":false,\"deleted_at\":\"\",\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-02 10:00:00.000Z\"}",
  "{\"id\":\"prj000000000002\",\"title\":\"Harbour crane telemetry\",\"budget\":12.5,\"deleted\":true,"
  "\"deleted_at\":\"2026-11-02 11:00:00.000Z\",\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-02 11:00:00.000Z\"}",
  "{\"id\":\"prj000000000003\",\"title\":\"Removed by a number\",\"deleted\":1,\"budget\":\"1200\",\"currency\":null,"
  "\"status\":5,\"hired_freelancer\":null,\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-02 10:00:03.000Z\"}",
  "{\"id\":\"prj000000000004\",\"title\":\"first\",\"budget\":1,\"title\":\"Duplicated heading wins\",\"budget\":null,"
  "\"status\":\"open\",\"updated\":\"2026-11-02 10:00:04.000Z\"}",
  "{\"id\":\"prj000000000005\",\"ti\\u0074le\":\"Escaped member names\",\"descr\\u0069ption\":\"Read through escapes\","
  "\"status\":\"open\",\"st\\u0061tus\":\"closed\",\"deleted\":0,\"budget\":1e3,"
  "\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-02 10:00:05.000Z\"}",
  "{\"id\":\"prj000000000006\",\"title\":\"Nested members\",\"deleted\":0.0,\"budget\":9223372036854775807,\"created\":null,"
  "\"expand\":{\"owner\":{\"id\":\"usr000000000001\",\"name\":\"A\",\"skills\":[\"x\"]}},\"tags\":[1,[2,{\"x\":null}]],"
  "\"deleted\":null,\"updated\":\"2026-11-02 10:00:06.000Z\"}",
  "{\"id\":\"prj000000000007\",\"title\":\"Odd types\",\"deleted\":\"true\",\"budget\":true,\"owner\":{\"id\":\"x\"},"
  "\"created\":5,\"updated\":\"2026-11-02 10:00:07.000Z\"}",
  "{\"id\":\"prj000000000008\",\"title\":\"Half deleted\",\"deleted\":0.5,\"budget\":-0.0,\"description\":[\"a list\"],"
  "\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-02 10:00:08.000Z\"}",
  "{\"id\":\"prj000000000009\",\"title\":\"Never updated\",\"budget\":-2E-2,\"created\":\"2026-11-02 10:00:00.000Z\"}",
  NULL,
};
static const char *const raw_proposals_1[] = {
  "{\"id\":\"prp000000000001\",\"project\":\"prj000000000001\",\"freelancer\":\"usr000000000002\","
  "\"cover_letter\":\"I have built twelve dashboards \\u2014 in Rust\",\"amount\":12,\"estimated_days\":3.9,"
  "\"status\":\"sent\",\"deleted\":false,\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:01.000Z\"}",
  "{\"id\":\"prp000000000002\",\"cover_letter\":\"Dear Alice\",\"amount\":12.5,\"estimated_days\":-3.9,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:02.000Z\"}",
  "{\"id\":\"prp000000000003\",\"cover_letter\":null,\"amount\":\"800\",\"estimated_days\":\"4\","
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:03.000Z\"}",
  "{\"id\":\"prp000000000004\",\"amount\":false,\"estimated_days\":true,\"deleted\":true,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:04.000Z\"}",
  /* numbers out of range in an integer column (2^63 written out is left alone: json-glib, which
   * reads server_json back, reads it differently from how it reads its own spelling) */
  "{\"id\":\"prp000000000011\",\"estimated_days\":1e300,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:05.000Z\"}",
  "{\"id\":\"prp000000000012\",\"estimated_days\":-1e300,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:05.000Z\"}",
  "{\"id\":\"prp000000000005\",\"amount\":1.5e2,\"estimated_days\":1e3,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:05.000Z\"}",
  "{\"id\":\"prp000000000006\",\"amount\":null,\"estimated_days\":9223372036854775807,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:06.000Z\"}",
  "{\"id\":\"prp000000000007\",\"amount\":-9223372036854775808,\"estimated_days\":-0,"
  "\"created\":\"2026-11-03 10:00:00.000Z\",\"updated\":\"2026-11-03 10:00:07.000Z\"}",
  NULL,
};
static const char *const raw_milestones_1[] = {
  "{\"id\":\"mls000000000001\",\"project\":\"prj000000000001\",\"title\":\"Sketches\",\"position\":2.5,"
  "\"amount\":1.5e2,\"due_date\":\"2026-12-01\",\"status\":\"pending\","
  "\"created\":\"2026-11-04 10:00:00.000Z\",\"updated\":\"2026-11-04 10:00:01.000Z\"}",
  "{\"id\":\"mls000000000002\",\"project\":\"prj000000000001\",\"position\":null,\"amount\":-2E-2,\"deleted\":-0.0,"
  "\"created\":\"2026-11-04 10:00:00.000Z\",\"updated\":\"2026-11-04 10:00:02.000Z\"}",
  "{\"id\":\"mls000000000003\",\"project\":\"prj000000000001\",\"position\":-0,\"position\":7,\"amount\":0,"
  "\"updated\":\"2026-11-04 10:00:03.000Z\"}",
  NULL,
};

/* Newer versions (updates of synced rows), the same and older versions (unchanged), a record
 * without `updated` again (always taken) and new ones. */
static const char *const raw_users_2[] = {
  "{\"id\":\"usr000000000001\",\"name\":\"Ren\\u00e9e\",\"skills\":[\"gtk\",\"c\",\"rust\",\"go\"],\"deleted\":false,"
  "\"created\":\"2026-11-01 10:00:00.000Z\",\"updated\":\"2026-11-05 10:00:00.000Z\"}",
  "{\"id\":\"usr000000000002\",\"name\":\"Same version\",\"updated\":\"2026-11-01 10:00:01.000Z\"}",
  "{\"id\":\"usr000000000005\",\"name\":\"Still no dates\",\"skills\":[\"c\"]}",
  NULL,
};
static const char *const raw_projects_2[] = {
  "{\"id\":\"prj000000000001\",\"title\":\"Caf\\u00e9 menu, second edition\",\"description\":\"Now with a wine list\","
  "\"budget\":13.25,\"deleted\":false,\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-05 10:00:00.000Z\"}",
  "{\"id\":\"prj000000000002\",\"title\":\"Same version, other text\",\"deleted\":false,"
  "\"updated\":\"2026-11-02 11:00:00.000Z\"}",
  "{\"id\":\"prj000000000003\",\"title\":\"Older version\",\"deleted\":false,\"updated\":\"2026-11-01 10:00:00.000Z\"}",
  "{\"id\":\"prj000000000008\",\"title\":\"Whole again\",\"deleted\":false,\"budget\":8,"
  "\"created\":\"2026-11-02 10:00:00.000Z\",\"updated\":\"2026-11-05 10:00:08.000Z\"}",
  "{\"id\":\"prj000000000009\",\"title\":\"Never updated, rewritten\",\"budget\":9}",
  "{\"id\":\"prj000000000010\",\"title\":\"Brand new orchard\",\"description\":\"Apple trees\",\"budget\":10,"
  "\"created\":\"2026-11-05 10:00:00.000Z\",\"updated\":\"2026-11-05 10:00:10.000Z\"}",
  NULL,
};
static const char *const raw_proposals_2[] = {
  "{\"id\":\"prp000000000001\",\"cover_letter\":\"I have built twelve dashboards \\u2014 in Rust\",\"deleted\":true,"
  "\"estimated_days\":4.5,\"updated\":\"2026-11-05 10:00:01.000Z\"}",
  NULL,
};

static void
store_async_result (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Applies @texts as one page, by the raw path (GigRawRecord, on the worker thread) or the tree
 * path (JsonObject), with the last record as the cursor. */
static void
apply_texts (GigStore            *store,
             GigCollection        collection,
             const char *const   *texts,
             gboolean             raw,
             GigStoreApplyResult *out_result)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (raw ? (GDestroyNotify) gig_raw_record_free
                                                                  : (GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) last = NULL;
  GigStoreApplyResult result;

  for (guint i = 0; texts[i]; i++)
    {
      if (raw)
        g_ptr_array_add (page, gig_pb_record_new (texts[i], -1, &error));
      else
        g_ptr_array_add (page, gig_pb_parse_record (texts[i], -1, &error));
      g_assert_no_error (error);
    }
  last = gig_pb_parse_record (texts[page->len - 1], -1, &error);
  g_assert_no_error (error);

  if (raw)
    {
      g_autoptr(GAsyncResult) async_result = NULL;

      gig_store_apply_server_records_async (store, collection, page,
                                            json_object_get_string_member_with_default (last, "updated", NULL),
                                            json_object_get_string_member (last, "id"),
                                            NULL, store_async_result, &async_result);
      while (async_result == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (gig_store_apply_server_page_finish (store, async_result, &result, &error));
    }
  else
    g_assert_true (gig_store_apply_server_page (store, collection, page,
                                                json_object_get_string_member_with_default (last, "updated", NULL),
                                                json_object_get_string_member (last, "id"),
                                                &result, &error));
  g_assert_no_error (error);
  if (out_result)
    *out_result = result;
}

/* Applies @texts to @raw_store by the raw path and to @tree_store by the tree path: the counts
 * must be the same. */
static GigStoreApplyResult
apply_texts_both (GigStore          *raw_store,
                  GigStore          *tree_store,
                  GigCollection      collection,
                  const char *const *texts)
{
  GigStoreApplyResult raw_result, tree_result;

  apply_texts (raw_store, collection, texts, TRUE, &raw_result);
  apply_texts (tree_store, collection, texts, FALSE, &tree_result);
  g_assert_cmpuint (raw_result.inserted, ==, tree_result.inserted);
  g_assert_cmpuint (raw_result.updated, ==, tree_result.updated);
  g_assert_cmpuint (raw_result.unchanged, ==, tree_result.unchanged);
  g_assert_cmpuint (raw_result.kept_local, ==, tree_result.kept_local);
  return raw_result;
}

static gboolean
is_store_timestamp (const char *text)
{
  return text != NULL &&
         g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$", text, 0, 0);
}

/* One column of one row, the same in both files. server_json only reads as the same JSON (the
 * raw path keeps the server's text, the tree path writes its own); a `created` the record left
 * out is the time of the write, in the same format. */
static void
assert_same_value (sqlite3_stmt *a,
                   sqlite3_stmt *b,
                   int           column)
{
  const char *name = sqlite3_column_name (a, column);
  int type = sqlite3_column_type (a, column);

  g_assert_cmpstr (name, ==, sqlite3_column_name (b, column));
  if (g_str_equal (name, "server_json"))
    {
      g_autoptr(JsonObject) x = json_parse_object ((const char *) sqlite3_column_text (a, column));
      g_autoptr(JsonObject) y = json_parse_object ((const char *) sqlite3_column_text (b, column));
      g_autoptr(JsonNode) nx = json_node_init_object (json_node_alloc (), x);
      g_autoptr(JsonNode) ny = json_node_init_object (json_node_alloc (), y);

      if (!json_node_equal (nx, ny))
        g_error ("server_json differs: %s / %s", sqlite3_column_text (a, column), sqlite3_column_text (b, column));
      return;
    }
  if (g_str_equal (name, "created") && type == SQLITE_TEXT &&
      strcmp ((const char *) sqlite3_column_text (a, column), (const char *) sqlite3_column_text (b, column)) != 0)
    {
      int json_column = -1;
      g_autoptr(JsonObject) server = NULL;

      for (int i = 0; i < sqlite3_column_count (a); i++)
        if (g_str_equal (sqlite3_column_name (a, i), "server_json"))
          json_column = i;
      server = json_parse_object ((const char *) sqlite3_column_text (a, json_column));
      if (json_object_has_member (server, "created"))
        g_error ("column created: %s / %s", sqlite3_column_text (a, column), sqlite3_column_text (b, column));
      g_assert_true (is_store_timestamp ((const char *) sqlite3_column_text (a, column)));
      g_assert_true (is_store_timestamp ((const char *) sqlite3_column_text (b, column)));
      return;
    }

  if (type != sqlite3_column_type (b, column))
    g_error ("column %s: %s / %s", name, sqlite3_column_text (a, column), sqlite3_column_text (b, column));
  switch (type)
    {
    case SQLITE_NULL:
      break;
    case SQLITE_INTEGER:
      g_assert_cmpint (sqlite3_column_int64 (a, column), ==, sqlite3_column_int64 (b, column));
      break;
    case SQLITE_FLOAT:
      g_assert_cmpfloat (sqlite3_column_double (a, column), ==, sqlite3_column_double (b, column));
      break;
    default:
      g_assert_cmpmem (sqlite3_column_blob (a, column), sqlite3_column_bytes (a, column),
                       sqlite3_column_blob (b, column), sqlite3_column_bytes (b, column));
      break;
    }
}

/* Every row of every record table (and the cursors) is the same in the two files, which have
 * some. */
static void
assert_same_rows (const char *path_a,
                  const char *path_b)
{
  static const char *tables[] = { "users", "projects", "proposals", "milestones", "sync_state" };
  sqlite3 *a = NULL;
  sqlite3 *b = NULL;
  guint rows = 0;

  g_assert_cmpint (sqlite3_open_v2 (path_a, &a, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_open_v2 (path_b, &b, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s ORDER BY 1", tables[t]);
      sqlite3_stmt *sa = NULL;
      sqlite3_stmt *sb = NULL;
      int rc;

      g_assert_cmpint (sqlite3_prepare_v2 (a, sql, -1, &sa, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (b, sql, -1, &sb, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_column_count (sa), ==, sqlite3_column_count (sb));
      while ((rc = sqlite3_step (sa)) == SQLITE_ROW)
        {
          g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_ROW);
          g_test_message ("%s row %s", tables[t], sqlite3_column_text (sa, 1));
          for (int i = 0; i < sqlite3_column_count (sa); i++)
            assert_same_value (sa, sb, i);
          rows++;
        }
      g_assert_cmpint (rc, ==, SQLITE_DONE);
      g_assert_cmpint (sqlite3_step (sb), ==, SQLITE_DONE);
      sqlite3_finalize (sa);
      sqlite3_finalize (sb);
    }
  sqlite3_close (a);
  sqlite3_close (b);
  g_assert_cmpuint (rows, >, 0);
}

/* The same search gives the same ids in both stores, and these. */
static void
assert_same_search (GigStore      *raw_store,
                    GigStore      *tree_store,
                    GigCollection  collection,
                    const char    *text,
                    const char    *const *expected)
{
  g_auto(GStrv) raw_ids = search (raw_store, collection, text);
  g_auto(GStrv) tree_ids = search (tree_store, collection, text);

  g_test_message ("search %s", text);
  g_assert_cmpstrv (raw_ids, expected);
  g_assert_cmpstrv (tree_ids, expected);
}

/* A second store beside the fixture's, written by the tree path where the fixture's is written
 * by the raw path. */
static GigStore *
open_tree_store (Fixture  *f,
                 char    **out_path)
{
  g_autoptr(GError) error = NULL;
  GigStore *store;

  *out_path = g_build_filename (f->dir, "tree.sqlite", NULL);
  store = gig_store_new_for_path (*out_path, &error);
  g_assert_no_error (error);
  return store;
}

/* Closes both stores and compares their files row by row. */
static void
close_and_compare (Fixture    *f,
                   GigStore   *tree_store,
                   const char *tree_path)
{
  gig_store_close (f->store);
  gig_store_close (tree_store);
  assert_same_rows (f->path, tree_path);
}

static void
test_raw_pages_equal_trees (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *tree_path = NULL;
  g_autoptr(GigStore) tree_store = open_tree_store (f, &tree_path);
  GigStoreApplyResult result;

  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_USERS, raw_users_1);
  g_assert_cmpuint (result.inserted, ==, 7);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, raw_projects_1);
  g_assert_cmpuint (result.inserted, ==, 9);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROPOSALS, raw_proposals_1);
  g_assert_cmpuint (result.inserted, ==, 9);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_MILESTONES, raw_milestones_1);
  g_assert_cmpuint (result.inserted, ==, 3);

  /* Found the same way: escaped text, names read through escapes, the last of repeated names;
   * deleted records (true, 1, 0.5) are not. */
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "cafe menu",
                      (const char *const[]) { "prj000000000001", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "escapes",
                      (const char *const[]) { "prj000000000005", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "heading",
                      (const char *const[]) { "prj000000000004", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "first", (const char *const[]) { NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "crane", (const char *const[]) { NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "removed", (const char *const[]) { NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "half", (const char *const[]) { NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROPOSALS, "dashboards rust",
                      (const char *const[]) { "prp000000000001", NULL });

  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_USERS, raw_users_2);
  g_assert_cmpuint (result.updated, ==, 2);
  g_assert_cmpuint (result.unchanged, ==, 1);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, raw_projects_2);
  g_assert_cmpuint (result.inserted, ==, 1);
  g_assert_cmpuint (result.updated, ==, 3);
  g_assert_cmpuint (result.unchanged, ==, 2);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROPOSALS, raw_proposals_2);
  g_assert_cmpuint (result.updated, ==, 1);

  /* Updates reach the index the same way. */
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "cafe",
                      (const char *const[]) { "prj000000000001", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "redesign", (const char *const[]) { NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "whole",
                      (const char *const[]) { "prj000000000008", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROJECTS, "orchard apple",
                      (const char *const[]) { "prj000000000010", NULL });
  assert_same_search (f->store, tree_store, GIG_COLLECTION_PROPOSALS, "dashboards", (const char *const[]) { NULL });

  close_and_compare (f, tree_store, tree_path);
  assert_fts_consistent (f->path);
  assert_fts_consistent (tree_path);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM search_index_docsize"), ==,
                   sql_int (tree_path, "SELECT count(*) FROM search_index_docsize"));
}

/* A row with a pending local edit takes a raw server page as the tree path does: the pending
 * field keeps the local value, the others follow the server; the same or an older version is
 * skipped. */
static void
test_raw_pages_pending_edit (Fixture       *f,
                             gconstpointer  data)
{
  static const char *const base[] = {
    "{\"id\":\"prj000000000001\",\"title\":\"Original\",\"description\":\"Base text\",\"budget\":100,"
    "\"status\":\"open\",\"deleted\":false,\"created\":\"2026-11-24 10:00:00.000Z\",\"updated\":\"2026-11-24 10:00:00.000Z\"}",
    "{\"id\":\"prj000000000002\",\"title\":\"Untouched\",\"budget\":1,\"created\":\"2026-11-24 10:00:00.000Z\","
    "\"updated\":\"2026-11-24 10:00:00.000Z\"}",
    NULL,
  };
  static const char *const newer[] = {
    "{\"id\":\"prj000000000001\",\"ti\\u0074le\":\"Server title\",\"description\":\"Server text \\u00e9\",\"budget\":900,"
    "\"status\":\"closed\",\"deleted\":false,\"created\":\"2026-11-24 10:00:00.000Z\",\"updated\":\"2026-11-24 11:00:00.000Z\"}",
    NULL,
  };
  static const char *const same[] = {
    "{\"id\":\"prj000000000001\",\"title\":\"Same version\",\"budget\":5,\"updated\":\"2026-11-24 11:00:00.000Z\"}",
    "{\"id\":\"prj000000000002\",\"title\":\"Same version\",\"budget\":5,\"updated\":\"2026-11-24 10:00:00.000Z\"}",
    NULL,
  };
  static const char *const older[] = {
    "{\"id\":\"prj000000000001\",\"title\":\"Older version\",\"budget\":6,\"updated\":\"2026-11-24 10:30:00.000Z\"}",
    "{\"id\":\"prj000000000002\",\"title\":\"Older version\",\"budget\":6,\"updated\":\"2026-11-24 09:00:00.000Z\"}",
    NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *tree_path = NULL;
  g_autoptr(GigStore) tree_store = open_tree_store (f, &tree_path);
  g_autoptr(JsonObject) change = json_parse_object ("{\"title\":\"My title\"}");
  GigStore *stores[2];
  GigStoreApplyResult result;

  stores[0] = f->store;
  stores[1] = tree_store;

  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, base);
  g_assert_cmpuint (result.inserted, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_assert_true (gig_store_update_record (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000001", change, &error));
      g_assert_no_error (error);
    }

  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, newer);
  g_assert_cmpuint (result.kept_local, ==, 1);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, same);
  g_assert_cmpuint (result.unchanged, ==, 2);
  result = apply_texts_both (f->store, tree_store, GIG_COLLECTION_PROJECTS, older);
  g_assert_cmpuint (result.unchanged, ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (stores); i++)
    {
      g_autoptr(JsonObject) record = gig_store_get_record (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000001");
      g_autoptr(JsonObject) server = gig_store_get_server_record (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000001");
      g_autoptr(JsonObject) untouched = gig_store_get_record (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000002");
      g_autoptr(GPtrArray) outbox = gig_store_outbox_next (stores[i], 10);
      GigOutboxEntry *entry;

      g_test_message ("store %u", i);
      g_assert_cmpstr (json_object_get_string_member (record, "title"), ==, "My title");
      g_assert_cmpstr (json_object_get_string_member (record, "description"), ==, "Server text \xc3\xa9");
      g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, "closed");
      g_assert_cmpfloat (json_object_get_double_member (record, "budget"), ==, 900);
      g_assert_cmpstr (json_object_get_string_member (record, "updated"), ==, "2026-11-24 11:00:00.000Z");
      g_assert_cmpstr (json_object_get_string_member (server, "title"), ==, "Server title");
      g_assert_cmpint (record_state (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000001"), ==, GIG_LOCAL_STATE_PENDING);
      g_assert_cmpstr (json_object_get_string_member (untouched, "title"), ==, "Untouched");
      g_assert_cmpint (record_state (stores[i], GIG_COLLECTION_PROJECTS, "prj000000000002"), ==, GIG_LOCAL_STATE_SYNCED);
      /* the edit still goes out, on top of nothing newer than the server's last version */
      g_assert_cmpuint (outbox->len, ==, 1);
      entry = g_ptr_array_index (outbox, 0);
      g_assert_cmpstr (json_object_get_string_member (entry->fields, "title"), ==, "My title");
    }
  g_assert_cmpint (sql_int (f->path, "SELECT budget FROM projects WHERE title = 'My title' AND status = 'closed'"), ==, 900);

  close_and_compare (f, tree_store, tree_path);
}

static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_parse_object ("{\"title\":\"Late\"}");

  gig_store_close (f->store);
  g_assert_false (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED);
  g_assert_false (record_exists (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1"));
  g_assert_true (gig_store_remove_files (f->path, &error));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* ---- drafts ---------------------------------------------------------------------------------- */

static void
test_drafts (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) first = json_parse_object (
    "{\"project\":\"prjaaaaaaaaaaa1\",\"freelancer\":\"usrbob000000001\",\"cover_letter\":\"Dear\",\"status\":\"sent\"}");
  g_autoptr(JsonObject) more = json_parse_object ("{\"cover_letter\":\"Dear Alice, I have built twelve dashboards\",\"amount\":800}");
  g_autoptr(GigStoreQuery) drafts = gig_store_query_new (GIG_COLLECTION_PROPOSALS, GIG_STORE_SCOPE_DRAFTS);
  g_autoptr(GigStoreQuery) mine = gig_store_query_new (GIG_COLLECTION_PROPOSALS, GIG_STORE_SCOPE_MY_PROPOSALS);
  g_autoptr(GigStoreQuery) page = gig_store_query_new (GIG_COLLECTION_PROPOSALS, GIG_STORE_SCOPE_WITH_DRAFTS);
  g_autoptr(GigStoreQuery) page_live = gig_store_query_new (GIG_COLLECTION_PROPOSALS, GIG_STORE_SCOPE_ALL);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *letter = NULL;
  g_auto(GStrv) found = NULL;

  mine->me = g_strdup ("usrbob000000001");
  page->project = g_strdup ("prjaaaaaaaaaaa1");
  page_live->project = g_strdup ("prjaaaaaaaaaaa1");
  g_assert_true (gig_store_save_draft (f->store, first, NULL, &id, &error));
  g_assert_no_error (error);
  g_assert_true (gig_store_save_draft (f->store, more, id, &id2, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, id2);

  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROPOSALS, id), ==, GIG_LOCAL_STATE_DRAFT);
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM outbox"), ==, 0);
  outbox = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);
  g_assert_cmpuint (query_count (f->store, drafts), ==, 1);
  g_assert_cmpuint (query_count (f->store, mine), ==, 0);
  /* The project's page lists the draft; the live-only scope does not. */
  g_assert_cmpuint (query_count (f->store, page), ==, 1);
  g_assert_cmpuint (query_count (f->store, page_live), ==, 0);
  letter = record_string (f->store, GIG_COLLECTION_PROPOSALS, id, "cover_letter");
  g_assert_cmpstr (letter, ==, "Dear Alice, I have built twelve dashboards");

  /* Updating a draft through the general path queues nothing either. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROPOSALS, id, more, &error));
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 0);

  g_assert_true (gig_store_send_draft (f->store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROPOSALS, id), ==, GIG_LOCAL_STATE_PENDING);
  g_assert_cmpuint (query_count (f->store, drafts), ==, 0);
  g_assert_cmpuint (query_count (f->store, mine), ==, 1);
  outbox = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (outbox->len, ==, 1);
  g_assert_cmpint (((GigOutboxEntry *) g_ptr_array_index (outbox, 0))->op, ==, GIG_OUTBOX_OP_CREATE);
  g_assert_cmpfloat (json_object_get_double_member (((GigOutboxEntry *) g_ptr_array_index (outbox, 0))->fields, "amount"), ==, 800);

  /* No longer a draft: can't be sent or discarded as one. */
  g_assert_false (gig_store_send_draft (f->store, id, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (gig_store_discard_draft (f->store, id, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The cover letter is searchable. */
  found = search (f->store, GIG_COLLECTION_PROPOSALS, "dashboards");
  g_assert_cmpuint (g_strv_length (found), ==, 1);

  g_clear_pointer (&id, g_free);
  g_assert_true (gig_store_save_draft (f->store, first, NULL, &id, &error));
  g_assert_true (gig_store_discard_draft (f->store, id, &error));
  g_assert_false (record_exists (f->store, GIG_COLLECTION_PROPOSALS, id));
}

/* ---- conflicts -------------------------------------------------------------------------------- */

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = page_of (server_project ("prjaaaaaaaaaaa1", "Base", 100, "2026-11-24 10:00:00.000Z"),
                                       server_project ("prjbbbbbbbbbbb2", "Base B", 100, "2026-11-24 10:00:00.000Z"),
                                       NULL);
  g_autoptr(GPtrArray) theirs = page_of (server_project ("prjaaaaaaaaaaa1", "Theirs", 100, "2026-11-24 11:00:00.000Z"),
                                         server_project ("prjbbbbbbbbbbb2", "Theirs B", 100, "2026-11-24 11:00:00.000Z"),
                                         NULL);
  g_autoptr(JsonObject) change = json_parse_object ("{\"title\":\"Mine\",\"budget\":200}");
  g_autoptr(JsonObject) clash = json_parse_object ("{\"title\":\"Theirs\"}");
  g_autoptr(JsonObject) clash_b = json_parse_object ("{\"title\":\"Theirs B\"}");
  g_autoptr(JsonObject) conflict = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(JsonObject) record = NULL;
  GigOutboxEntry *entry;
  GigLocalState state;

  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", change, &error));
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", change, &error));
  g_assert_no_error (error);

  /* Sync found both sides changed the title. */
  outbox = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_clear_pointer (&outbox, g_ptr_array_unref);
  apply_page (f->store, GIG_COLLECTION_PROJECTS, theirs, NULL);
  g_assert_true (gig_store_mark_conflict (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", clash, &error));
  g_assert_true (gig_store_mark_conflict (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", clash_b, &error));
  g_assert_no_error (error);

  g_assert_true (gig_store_get_record_meta (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", &state, NULL, &conflict));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_CONFLICT);
  g_assert_cmpstr (json_object_get_string_member (conflict, "title"), ==, "Theirs");
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 2);
  /* Held until the user decides. */
  outbox = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (outbox->len, ==, 0);
  g_clear_pointer (&outbox, g_ptr_array_unref);

  /* A: take theirs. The title leaves the outbox, the budget still goes. */
  g_assert_true (gig_store_resolve_conflict (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", "title", FALSE, &error));
  g_assert_no_error (error);
  record = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1");
  g_assert_cmpstr (json_object_get_string_member (record, "title"), ==, "Theirs");
  g_assert_cmpfloat (json_object_get_double_member (record, "budget"), ==, 200);
  g_assert_cmpint (record_state (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1"), ==, GIG_LOCAL_STATE_PENDING);

  /* B: keep mine, sent on top of the server's current version. */
  g_assert_true (gig_store_resolve_conflict (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", "title", TRUE, &error));
  g_assert_no_error (error);

  outbox = gig_store_outbox_next (f->store, 10);
  g_assert_cmpuint (outbox->len, ==, 2);
  entry = g_ptr_array_index (outbox, 0);
  g_assert_cmpstr (entry->record_id, ==, "prjaaaaaaaaaaa1");
  g_assert_false (json_object_has_member (entry->fields, "title"));
  g_assert_true (json_object_has_member (entry->fields, "budget"));
  g_assert_cmpstr (entry->base_updated, ==, "2026-11-24 11:00:00.000Z");
  entry = g_ptr_array_index (outbox, 1);
  g_assert_cmpstr (json_object_get_string_member (entry->fields, "title"), ==, "Mine");
  g_assert_cmpstr (entry->base_updated, ==, "2026-11-24 11:00:00.000Z");

  g_assert_false (gig_store_resolve_conflict (f->store, GIG_COLLECTION_PROJECTS, "prjbbbbbbbbbbb2", "title", TRUE, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND);
}

/* ---- search and list queries ---------------------------------------------------------------- */

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) a = server_project ("prjaaaaaaaaaaa1", "Rust backend for invoices", 1, "2026-11-24 10:00:00.000Z");
  g_autoptr(JsonObject) b = server_project ("prjbbbbbbbbbbb2", "Café menu redesign", 2, "2026-11-24 10:00:00.000Z");
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(JsonObject) rename = json_parse_object ("{\"title\":\"Go backend for invoices\"}");
  g_auto(GStrv) r1 = NULL;
  g_auto(GStrv) r2 = NULL;
  g_auto(GStrv) r3 = NULL;
  g_auto(GStrv) r4 = NULL;
  g_auto(GStrv) r5 = NULL;
  g_auto(GStrv) r6 = NULL;
  g_auto(GStrv) r7 = NULL;

  json_object_set_string_member (b, "description", "Printed and online menus for a small café");
  page = page_of (json_object_ref (a), json_object_ref (b), NULL);
  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);

  r1 = search (f->store, GIG_COLLECTION_PROJECTS, "rust");
  g_assert_cmpuint (g_strv_length (r1), ==, 1);
  g_assert_cmpstr (r1[0], ==, "prjaaaaaaaaaaa1");
  r2 = search (f->store, GIG_COLLECTION_PROJECTS, "INVOI");       /* prefix, any case */
  g_assert_cmpuint (g_strv_length (r2), ==, 1);
  r3 = search (f->store, GIG_COLLECTION_PROJECTS, "cafe online");  /* diacritics, description, AND */
  g_assert_cmpuint (g_strv_length (r3), ==, 1);
  g_assert_cmpstr (r3[0], ==, "prjbbbbbbbbbbb2");
  r4 = search (f->store, GIG_COLLECTION_PROJECTS, "\"rust* OR (NEAR");  /* FTS syntax is just text */
  g_assert_cmpuint (g_strv_length (r4), ==, 0);
  r5 = search (f->store, GIG_COLLECTION_PROJECTS, "*** ()");
  g_assert_cmpuint (g_strv_length (r5), ==, 0);

  /* A local edit updates the index at once. */
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "prjaaaaaaaaaaa1", rename, &error));
  g_assert_no_error (error);
  r6 = search (f->store, GIG_COLLECTION_PROJECTS, "rust");
  g_assert_cmpuint (g_strv_length (r6), ==, 0);
  r7 = search (f->store, GIG_COLLECTION_PROJECTS, "go invoices");
  g_assert_cmpuint (g_strv_length (r7), ==, 1);

  {
    g_autoptr(GigStoreQuery) q = gig_store_query_new (GIG_COLLECTION_USERS, GIG_STORE_SCOPE_ALL);
    q->text = g_strdup ("x");
    g_assert_null (gig_store_query_ids (f->store, q, 0, 10, &error));
    g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
  }
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM search_index_docsize"), ==, 2);
  assert_fts_consistent (f->path);
}

static void
test_list_queries (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GigStoreQuery) open = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_autoptr(GigStoreQuery) mine = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_MY_PROJECTS);
  g_autoptr(GigStoreQuery) hired = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_HIRED);
  g_autoptr(GigStoreQuery) milestones = gig_store_query_new (GIG_COLLECTION_MILESTONES, GIG_STORE_SCOPE_ALL);
  g_autoptr(GigStoreQuery) copy = NULL;
  g_auto(GStrv) newest = NULL;
  g_auto(GStrv) by_budget = NULL;
  g_auto(GStrv) second_page = NULL;
  g_auto(GStrv) ordered = NULL;

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *id = g_strdup_printf ("prj%012u", i);
      g_autofree char *created = g_strdup_printf ("2026-11-%02u 10:00:00.000Z", i + 1);
      JsonObject *p = server_project (id, "Project", (i * 7) % 30, created);

      if (i % 3 == 0)
        json_object_set_string_member (p, "owner", "usrbob000000001");
      if (i % 5 == 0)
        {
          json_object_set_string_member (p, "status", "in_progress");
          json_object_set_string_member (p, "hired_freelancer", "usrcarol0000001");
        }
      g_ptr_array_add (page, p);
    }
  apply_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL);

  mine->me = g_strdup ("usrbob000000001");
  hired->me = g_strdup ("usrcarol0000001");
  g_assert_cmpuint (query_count (f->store, open), ==, 24);
  g_assert_cmpuint (query_count (f->store, mine), ==, 10);
  g_assert_cmpuint (query_count (f->store, hired), ==, 6);

  newest = gig_store_query_ids (f->store, open, 0, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (newest), ==, 5);
  g_assert_cmpstr (newest[0], ==, "prj000000000029");
  g_assert_cmpstr (newest[1], ==, "prj000000000028");
  second_page = gig_store_query_ids (f->store, open, 5, 5, &error);
  g_assert_cmpstr (second_page[0], ==, "prj000000000023");   /* 25 is in progress */
  g_assert_cmpint (gig_store_query_position (f->store, open, "prj000000000023", &error), ==, 5);
  g_assert_cmpint (gig_store_query_position (f->store, open, "prj000000000025", &error), ==, -1);

  open->sort = GIG_STORE_SORT_BUDGET;
  by_budget = gig_store_query_ids (f->store, open, 0, 2, &error);
  /* budget = i*7 % 30; 29 is the highest (i = 17), then 28 (i = 4). */
  g_assert_cmpstr (by_budget[0], ==, "prj000000000017");
  g_assert_cmpstr (by_budget[1], ==, "prj000000000004");

  for (guint i = 0; i < 4; i++)
    {
      JsonObject *m = json_object_new ();
      g_autofree char *id = g_strdup_printf ("mls%012u", i);
      json_object_set_string_member (m, "id", id);
      json_object_set_string_member (m, "project", i < 3 ? "prj000000000001" : "prj000000000002");
      json_object_set_string_member (m, "title", "Step");
      json_object_set_int_member (m, "position", 10 - i);
      json_object_set_string_member (m, "status", "pending");
      json_object_set_boolean_member (m, "deleted", FALSE);
      json_object_set_string_member (m, "updated", "2026-11-24 10:00:00.000Z");
      g_ptr_array_add (children, m);
    }
  apply_page (f->store, GIG_COLLECTION_MILESTONES, children, NULL);
  milestones->project = g_strdup ("prj000000000001");
  ordered = gig_store_query_ids (f->store, milestones, 0, 10, &error);
  g_assert_cmpuint (g_strv_length (ordered), ==, 3);
  g_assert_cmpstr (ordered[0], ==, "mls000000000002");
  g_assert_cmpstr (ordered[2], ==, "mls000000000000");

  /* Positions agree with the listing for every order, ties on the sort key included. */
  {
    g_autoptr(GPtrArray) ties = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
    GigStoreSort sorts[] = { GIG_STORE_SORT_NEWEST, GIG_STORE_SORT_UPDATED, GIG_STORE_SORT_BUDGET };

    for (guint i = 0; i < 5; i++)
      {
        g_autofree char *id = g_strdup_printf ("prjtie%09u", i);
        g_ptr_array_add (ties, server_project (id, "Tie", 7, "2026-11-15 10:00:00.000Z"));
      }
    apply_page (f->store, GIG_COLLECTION_PROJECTS, ties, NULL);

    for (guint s = 0; s < G_N_ELEMENTS (sorts); s++)
      {
        g_auto(GStrv) all = NULL;

        open->sort = sorts[s];
        all = gig_store_query_ids (f->store, open, 0, 1000, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_strv_length (all), ==, 29);
        for (guint i = 0; all[i]; i++)
          g_assert_cmpint (gig_store_query_position (f->store, open, all[i], &error), ==, i);
        g_assert_cmpint (gig_store_query_position (f->store, open, "prj000000000025", &error), ==, -1);
      }
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (gig_store_query_position (f->store, milestones, ordered[i] ? ordered[i] : "mls000000000003", &error),
                       ==, ordered[i] ? (gint64) i : -1);
  }

  copy = gig_store_query_copy (milestones);
  g_assert_true (gig_store_query_equal (copy, milestones));
  g_free (copy->project);
  copy->project = NULL;
  g_assert_false (gig_store_query_equal (copy, milestones));

  /* Queries that make no sense are refused, not guessed. */
  g_clear_pointer (&mine->me, g_free);
  g_assert_false (gig_store_query_count (f->store, mine, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
  g_clear_error (&error);
  open->sort = GIG_STORE_SORT_POSITION;
  g_assert_false (gig_store_query_count (f->store, open, NULL, &error));
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID);
}

/* ---- crash safety ---------------------------------------------------------------------------- */

/* Child: writes until killed, printing each committed write's id after the commit returned. */
static int
crash_child (const char *mode,
             const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }

  for (guint n = 0; ; n++)
    {
      if (g_str_equal (mode, "local"))
        {
          g_autoptr(JsonObject) fields = json_object_new ();
          g_autofree char *id = NULL;
          g_autofree char *title = g_strdup_printf ("Offline project %u with some text to write", n);

          json_object_set_string_member (fields, "title", title);
          json_object_set_string_member (fields, "description", "Written while the network was down, again and again");
          json_object_set_string_member (fields, "status", "open");
          if (!gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields, &id, &error))
            return 2;
          g_print ("%s\n", id);
        }
      else
        {
          g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

          for (guint i = 0; i < 200; i++)
            {
              g_autofree char *id = g_strdup_printf ("prj%06u%06u", n, i);
              g_ptr_array_add (page, server_project (id, "Pulled while being killed", i, "2026-11-24 10:00:00.000Z"));
            }
          g_autofree char *last = g_strdup_printf ("prj%06u%06u", n, 199u);

          if (!gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page,
                                            "2026-11-24 10:00:00.000Z", last, NULL, &error))
            return 2;
          g_print ("page%u\n", n);
        }
      fflush (stdout);
    }
  return 0;
}

static void
test_crash (gconstpointer data)
{
  const char *mode = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gig-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  const char *argv[] = { "/proc/self/exe", "--crash-child", mode, path, NULL };
  g_autoptr(GPtrArray) committed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GigStore) store = NULL;
  g_autofree char *integrity = NULL;
  g_autoptr(GIOChannel) channel = NULL;
  GPid pid;
  int out_fd;
  int status;
  char *line;
  gsize len;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);

  /* Let it commit a fair number, then kill it wherever it is (usually mid-transaction). */
  while (committed->len < (g_str_equal (mode, "local") ? 300u : 20u) &&
         g_io_channel_read_line (channel, &line, &len, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      g_strchomp (line);
      g_ptr_array_add (committed, line);
    }
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
  /* Whatever it reported before dying was committed too. */
  while (g_io_channel_read_line (channel, &line, &len, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      g_strchomp (line);
      g_ptr_array_add (committed, line);
    }

  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  integrity = sql_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");

  if (g_str_equal (mode, "local"))
    {
      gint64 records = sql_int (path, "SELECT count(*) FROM projects");
      gint64 rows = sql_int (path, "SELECT count(*) FROM outbox");

      for (guint i = 0; i < committed->len; i++)
        {
          GigLocalState state;
          g_assert_true (gig_store_get_record_meta (store, GIG_COLLECTION_PROJECTS,
                                                    g_ptr_array_index (committed, i), &state, NULL, NULL));
          g_assert_cmpint (state, ==, GIG_LOCAL_STATE_PENDING);
        }
      /* Never a record without its outbox row, or the reverse. */
      g_assert_cmpint (records, ==, rows);
      g_assert_cmpint (records, >=, committed->len);
      g_assert_cmpint (records, <=, committed->len + 1);
      g_assert_cmpuint (gig_store_pending_count (store), ==, rows);
    }
  else
    {
      gint64 records = sql_int (path, "SELECT count(*) FROM projects");

      /* Whole pages only. */
      g_assert_cmpint (records % 200, ==, 0);
      g_assert_cmpint (records / 200, >=, committed->len);
      g_assert_cmpint (records / 200, <=, committed->len + 1);
      g_assert_cmpint (sql_int (path, "SELECT count(*) FROM search_index_docsize"), ==, records);
      assert_fts_consistent (path);
    }

  g_clear_object (&store);
  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--crash-child"))
    return crash_child (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  gig_test_log_init ();

#define ADD(name, fn) g_test_add ("/store/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/store/ids", test_ids);
  g_test_add_func ("/store/json-round-trip", test_json_round_trip);
  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/stamps", test_stamps);
  ADD ("migrations/fresh", test_fresh_file);
  g_test_add_data_func ("/store/migrations/from-v1", "cache-v1.sql", test_migrate_from_file);
  g_test_add_data_func ("/store/migrations/from-v2", "cache-v2.sql", test_migrate_from_file);
  g_test_add_data_func ("/store/migrations/from-v3", "cache-v3.sql", test_migrate_from_file);
  g_test_add_data_func ("/store/migrations/from-v4", "cache-v4.sql", test_migrate_from_file);
  g_test_add_func ("/store/migrations/fixtures-match-steps", test_fixture_matches_steps);
  g_test_add_func ("/store/migrations/each-step", test_migrate_each_step);
  g_test_add_func ("/store/migrations/state-check-kept", test_state_check_kept);
  g_test_add_func ("/store/migrations/too-new-or-corrupt", test_too_new);
  ADD ("outbox/create-update", test_create_update_outbox);
  ADD ("outbox/order-retry-fail", test_outbox_order_and_retry);
  ADD ("outbox/survives-reopen", test_outbox_survives_reopen);
  ADD ("server/dedupe-cursor", test_apply_page_dedupe);
  ADD ("server/pending-protection", test_pending_protection);
  ADD ("server/soft-delete", test_soft_delete);
  ADD ("server/reconcile", test_reconcile);
  ADD ("server/async-pages", test_apply_page_async);
  ADD ("server/raw-pages-equal-trees", test_raw_pages_equal_trees);
  ADD ("server/raw-pages-pending-edit", test_raw_pages_pending_edit);
  ADD ("sync-state", test_sync_stamps);
  ADD ("closed", test_closed);
  ADD ("drafts", test_drafts);
  ADD ("conflicts", test_conflict);
  ADD ("search", test_search);
  ADD ("queries", test_list_queries);
  g_test_add_data_func ("/store/crash/local-writes", "local", test_crash);
  g_test_add_data_func ("/store/crash/server-pages", "pages", test_crash);
#undef ADD

  return g_test_run ();
}
