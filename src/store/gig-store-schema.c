/* gig-store-schema.c: the migration steps of the cache file
 *
 * SPDX-License-Identifier: MIT
 *
 * Each step is frozen once released: never edit a step, add a new one. A file at version N
 * runs steps N+1.. in one transaction each (gig_store_schema_migrate, below).
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-schema.h"

/* Step 1: the records, the outbox and the pull cursors.
 *
 * Record tables have an explicit INTEGER PRIMARY KEY `rid` besides the PocketBase `id`: the FTS
 * index (step 2) refers to rows by rowid, and only an explicit INTEGER PRIMARY KEY keeps rowids
 * stable across VACUUM.
 *
 * The list indexes end in `id` (and the columns the scopes filter on) so that a page of a
 * sorted list is read from the index alone, without a table lookup per skipped row.
 *
 * local_json is NULL while the record equals its server version (server_json): most rows are
 * synced, and storing the same JSON twice would double the file and the write cost of a pull. */
static const char step1[] =
  "CREATE TABLE users ("
  "  rid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  name TEXT, headline TEXT, skills TEXT, avatar TEXT,"
  "  deleted INTEGER NOT NULL DEFAULT 0, deleted_at TEXT,"
  "  created TEXT, updated TEXT,"
  "  server_updated TEXT, server_json TEXT, local_json TEXT,"
  "  local_state TEXT NOT NULL DEFAULT 'synced'"
  "    CHECK (local_state IN ('synced','pending','draft','conflict','failed')),"
  "  local_error TEXT, conflict_json TEXT);"
  "CREATE TABLE projects ("
  "  rid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  title TEXT, description TEXT, budget REAL, currency TEXT, status TEXT,"
  "  owner TEXT, hired_freelancer TEXT,"
  "  deleted INTEGER NOT NULL DEFAULT 0, deleted_at TEXT,"
  "  created TEXT, updated TEXT,"
  "  server_updated TEXT, server_json TEXT, local_json TEXT,"
  "  local_state TEXT NOT NULL DEFAULT 'synced'"
  "    CHECK (local_state IN ('synced','pending','draft','conflict','failed')),"
  "  local_error TEXT, conflict_json TEXT);"
  "CREATE INDEX projects_status ON projects (deleted, status, created, id);"
  "CREATE INDEX projects_owner ON projects (owner, deleted, created, id);"
  "CREATE INDEX projects_hired ON projects (hired_freelancer, deleted, created, id);"
  "CREATE INDEX projects_budget ON projects (deleted, status, budget, id);"
  "CREATE INDEX projects_created ON projects (deleted, created, id, local_state);"
  "CREATE INDEX projects_local ON projects (local_state) WHERE local_state != 'synced';"
  "CREATE TABLE proposals ("
  "  rid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  project TEXT, freelancer TEXT, cover_letter TEXT, amount REAL, estimated_days INTEGER,"
  "  status TEXT,"
  "  deleted INTEGER NOT NULL DEFAULT 0, deleted_at TEXT,"
  "  created TEXT, updated TEXT,"
  "  server_updated TEXT, server_json TEXT, local_json TEXT,"
  "  local_state TEXT NOT NULL DEFAULT 'synced'"
  "    CHECK (local_state IN ('synced','pending','draft','conflict','failed')),"
  "  local_error TEXT, conflict_json TEXT);"
  "CREATE INDEX proposals_project ON proposals (project, deleted, created, id);"
  "CREATE INDEX proposals_freelancer ON proposals (freelancer, deleted, created, id, local_state);"
  "CREATE INDEX proposals_created ON proposals (deleted, created, id, local_state);"
  "CREATE INDEX proposals_local ON proposals (local_state) WHERE local_state != 'synced';"
  "CREATE TABLE milestones ("
  "  rid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  project TEXT, title TEXT, description TEXT, amount REAL, due_date TEXT,"
  "  position INTEGER, status TEXT,"
  "  deleted INTEGER NOT NULL DEFAULT 0, deleted_at TEXT,"
  "  created TEXT, updated TEXT,"
  "  server_updated TEXT, server_json TEXT, local_json TEXT,"
  "  local_state TEXT NOT NULL DEFAULT 'synced'"
  "    CHECK (local_state IN ('synced','pending','draft','conflict','failed')),"
  "  local_error TEXT, conflict_json TEXT);"
  "CREATE INDEX milestones_project ON milestones (project, deleted, position, created, id);"
  "CREATE INDEX milestones_created ON milestones (deleted, created, id, local_state);"
  "CREATE INDEX milestones_local ON milestones (local_state) WHERE local_state != 'synced';"
  /* state: queued, sending (handed to sync; back to queued on reopen), held (record in
   * conflict), failed (refused for good, kept for the user). */
  "CREATE TABLE outbox ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  collection TEXT NOT NULL,"
  "  record_id TEXT NOT NULL,"
  "  op TEXT NOT NULL CHECK (op IN ('create','update')),"
  "  fields TEXT NOT NULL,"
  "  base_updated TEXT,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  state TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (state IN ('queued','sending','held','failed')));"
  "CREATE INDEX outbox_record ON outbox (collection, record_id, seq);"
  "CREATE INDEX outbox_state ON outbox (state, next_attempt_at);"
  "CREATE TABLE sync_state ("
  "  collection TEXT PRIMARY KEY NOT NULL,"
  "  cursor_updated TEXT, cursor_id TEXT,"
  "  last_full_sync INTEGER NOT NULL DEFAULT 0,"
  "  last_reconcile INTEGER NOT NULL DEFAULT 0);";

/* Step 2: full-text search over project titles and descriptions and proposal cover letters.
 *
 * Contentless (content=''): the text is already in the record tables, so the index keeps only
 * the index; rowid = record rid * 4 + 1 for projects, + 2 for proposals. A contentless table
 * forgets a row through the 'delete' command with the exact values it indexed. Deleted records
 * leave the index.
 *
 * The triggers don't touch the index: they queue what to index in `search_queue`, and the store
 * applies the queue with one statement before each commit (gig_store_commit). FTS5 flushes its
 * in-memory terms at every statement savepoint, so a trigger writing to it from each row's upsert
 * turned a page of 1000 records into 1000 tiny index segments. The update triggers only fire when
 * an indexed column really changes. */
static const char step2[] =
  "CREATE VIRTUAL TABLE search_index USING fts5 (title, body, content = '',"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE TABLE search_queue ("
  "  seq INTEGER PRIMARY KEY,"
  "  command TEXT,"             /* NULL: index the row; 'delete': forget it */
  "  doc INTEGER NOT NULL,"
  "  title TEXT, body TEXT);"
  "CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects WHEN new.deleted = 0 BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    VALUES (NULL, new.rid * 4 + 1, new.title, new.description);"
  "END;"
  "CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects WHEN old.deleted = 0 BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    VALUES ('delete', old.rid * 4 + 1, old.title, old.description);"
  "END;"
  "CREATE TRIGGER projects_fts_update AFTER UPDATE ON projects"
  "  WHEN old.title IS NOT new.title OR old.description IS NOT new.description"
  "    OR old.deleted IS NOT new.deleted BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    SELECT 'delete', old.rid * 4 + 1, old.title, old.description WHERE old.deleted = 0;"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    SELECT NULL, new.rid * 4 + 1, new.title, new.description WHERE new.deleted = 0;"
  "END;"
  "CREATE TRIGGER proposals_fts_insert AFTER INSERT ON proposals WHEN new.deleted = 0 BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    VALUES (NULL, new.rid * 4 + 2, NULL, new.cover_letter);"
  "END;"
  "CREATE TRIGGER proposals_fts_delete AFTER DELETE ON proposals WHEN old.deleted = 0 BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    VALUES ('delete', old.rid * 4 + 2, NULL, old.cover_letter);"
  "END;"
  "CREATE TRIGGER proposals_fts_update AFTER UPDATE ON proposals"
  "  WHEN old.cover_letter IS NOT new.cover_letter OR old.deleted IS NOT new.deleted BEGIN"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    SELECT 'delete', old.rid * 4 + 2, NULL, old.cover_letter WHERE old.deleted = 0;"
  "  INSERT INTO search_queue (command, doc, title, body)"
  "    SELECT NULL, new.rid * 4 + 2, NULL, new.cover_letter WHERE new.deleted = 0;"
  "END;"
  /* Rows cached before this step. */
  "INSERT INTO search_index (rowid, title, body)"
  "  SELECT rid * 4 + 1, title, description FROM projects WHERE deleted = 0;"
  "INSERT INTO search_index (rowid, title, body)"
  "  SELECT rid * 4 + 2, NULL, cover_letter FROM proposals WHERE deleted = 0;";

/* Step 3: chat (the chat layer owns what goes in). */
static const char step3[] =
  "CREATE TABLE chat_channels ("
  "  cid TEXT PRIMARY KEY NOT NULL,"
  "  project TEXT,"
  "  name TEXT,"
  "  last_message_at TEXT,"
  "  json TEXT);"
  "CREATE TABLE chat_messages ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  cid TEXT NOT NULL,"
  "  user_id TEXT,"
  "  text TEXT,"
  "  created_at TEXT,"
  "  updated_at TEXT,"
  "  deleted_at TEXT,"
  "  local_state TEXT NOT NULL DEFAULT 'sent' CHECK (local_state IN ('sent','sending','failed')),"
  "  json TEXT);"
  "CREATE INDEX chat_messages_channel ON chat_messages (cid, created_at, id);"
  "CREATE TABLE chat_outbox ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  cid TEXT NOT NULL,"
  "  message_id TEXT NOT NULL,"
  "  json TEXT NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','failed')));"
  "CREATE TABLE chat_reads ("
  "  cid TEXT NOT NULL,"
  "  user_id TEXT NOT NULL,"
  "  last_read_at TEXT,"
  "  last_read_message_id TEXT,"
  "  PRIMARY KEY (cid, user_id));";

/* Step 4: cheaper page writes.
 *
 * The record tables' CHECK (local_state IN (five values)) made SQLite build a temporary b-tree
 * of the five values for every row written (an IN list of more than two values in a CHECK is
 * not evaluated once per statement); the same test as comparisons costs next to nothing. A
 * CHECK that accepts exactly the same values changes nothing stored, so the table definitions
 * are edited in place (SQLite's documented writable_schema procedure) rather than rebuilt.
 *
 * The search index keeps no word positions (detail = column): searches are words matched as
 * prefixes, never phrases or NEAR, so the positions were never read but were a third of the
 * index and of its write cost. (detail = none writes a little less again, but a search then
 * takes half as long again.) */
#define OLD_STATE_CHECK \
  "CHECK (local_state IN (''synced'',''pending'',''draft'',''conflict'',''failed''))"
#define NEW_STATE_CHECK \
  "CHECK (local_state = ''synced'' OR local_state = ''pending'' OR local_state = ''draft''" \
  " OR local_state = ''conflict'' OR local_state = ''failed'')"
static const char step4[] =
  "PRAGMA writable_schema = ON;"
  "UPDATE sqlite_schema SET sql = replace (sql, '" OLD_STATE_CHECK "', '" NEW_STATE_CHECK "')"
  "  WHERE type = 'table' AND name IN ('users', 'projects', 'proposals', 'milestones');"
  "PRAGMA writable_schema = RESET;"
  /* A DDL statement (below) changes the schema cookie: other connections reload the schema. */
  "DROP TABLE search_index;"
  "CREATE VIRTUAL TABLE search_index USING fts5 (title, body, content = '', detail = column,"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  /* Whatever was queued is in the tables, which the index is rebuilt from. */
  "DELETE FROM search_queue;"
  "INSERT INTO search_index (rowid, title, body)"
  "  SELECT rid * 4 + 1, title, description FROM projects WHERE deleted = 0;"
  "INSERT INTO search_index (rowid, title, body)"
  "  SELECT rid * 4 + 2, NULL, cover_letter FROM proposals WHERE deleted = 0;";
#undef OLD_STATE_CHECK
#undef NEW_STATE_CHECK

/* Step 5: the chat outbox is looked up by message id (a message's delivery state on every read of
 * a channel's messages, retry, discard, a repeat from the server), which scanned the table. */
static const char step5[] =
  "CREATE INDEX chat_outbox_message ON chat_outbox (message_id);";

const char *
gig_store_schema_search_flush (void)
{
  /* In queue order: a row changed twice in one transaction is forgotten before it is indexed
   * again. */
  return "INSERT INTO search_index (search_index, rowid, title, body)"
         " SELECT command, doc, title, body FROM search_queue ORDER BY seq";
}

const char *
gig_store_schema_step (int version)
{
  switch (version)
    {
    case 1:
      return step1;
    case 2:
      return step2;
    case 3:
      return step3;
    case 4:
      return step4;
    case 5:
      return step5;
    default:
      return NULL;
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Running the steps */

static gboolean
run_step (sqlite3     *db,
          int          version,
          GError     **error)
{
  const char *sql = gig_store_schema_step (version);
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", version);

  g_assert (sql != NULL);

  /* One transaction per step: a crash mid-migration leaves the previous version intact. */
  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  if (sqlite3_exec (db, pragma, NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  g_debug ("Cache migrated to version %d", version);
  return TRUE;

fail:
  {
    g_autofree char *what = g_strdup_printf (_("Could not update the cache to version %d"), version);
    gig_store_set_sqlite_error (error, db, what);
  }
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
gig_store_schema_read_version (sqlite3  *db,
                               int      *out_version,
                               GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_version = sqlite3_column_int (stmt, 0);
      ok = TRUE;
    }
  else
    gig_store_set_sqlite_error (error, db, _("Could not read the cache"));
  sqlite3_finalize (stmt);
  return ok;
}

/* Migrates @db from whatever version it is at to @target, one step at a time. */
gboolean
gig_store_schema_migrate (sqlite3  *db,
                          int       target,
                          int      *out_version,
                          GError  **error)
{
  int version;

  if (!gig_store_schema_read_version (db, &version, error))
    return FALSE;

  if (version > GIG_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_TOO_NEW,
                   _("The cache was written by a newer version of Gigdesk (schema %d, this one knows %d)"),
                   version, GIG_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Fall through on purpose: a file at version N runs every step after N. */
  switch (version)
    {
    case 0:
      if (target < 1 || !run_step (db, 1, error))
        break;
      G_GNUC_FALLTHROUGH;
    case 1:
      if (target < 2 || !run_step (db, 2, error))
        break;
      G_GNUC_FALLTHROUGH;
    case 2:
      if (target < 3 || !run_step (db, 3, error))
        break;
      G_GNUC_FALLTHROUGH;
    case 3:
      if (target < 4 || !run_step (db, 4, error))
        break;
      G_GNUC_FALLTHROUGH;
    case 4:
      if (target < 5 || !run_step (db, 5, error))
        break;
      G_GNUC_FALLTHROUGH;
    default:
      break;
    }

  if (!gig_store_schema_read_version (db, &version, error))
    return FALSE;
  if (out_version)
    *out_version = version;
  if (version < MIN (target, GIG_STORE_SCHEMA_VERSION))
    {
      if (error && *error == NULL)
        g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_FAILED,
                     _("The cache stayed at schema version %d"), version);
      return FALSE;
    }
  return TRUE;
}

