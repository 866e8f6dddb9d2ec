/* gig-store.c: the offline SQLite cache of one account
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/gig-json.h"
#include "gig-store-private.h"
#include "gig-store-schema.h"
#include "core/gig-id.h"
#include "pocketbase/gig-pb-parser.h"

G_DEFINE_QUARK (gig-store-error-quark, gig_store_error)

/* ---------------------------------------------------------------------------------------------- */
/* Collections and their typed columns */

typedef enum {
  COL_TEXT,
  COL_REAL,
  COL_INT,
  COL_BOOL,
  COL_JSON,   /* any JSON value, stored as its text (users.skills) */
} ColType;

typedef struct {
  const char *name;
  ColType     type;
} ColumnSpec;

#define COMMON_COLUMNS \
  { "deleted", COL_BOOL }, { "deleted_at", COL_TEXT }, { "created", COL_TEXT }, { "updated", COL_TEXT }

static const ColumnSpec user_columns[] = {
  { "name", COL_TEXT }, { "headline", COL_TEXT }, { "skills", COL_JSON }, { "avatar", COL_TEXT },
  COMMON_COLUMNS, { NULL, 0 }
};
static const ColumnSpec project_columns[] = {
  { "title", COL_TEXT }, { "description", COL_TEXT }, { "budget", COL_REAL },
  { "currency", COL_TEXT }, { "status", COL_TEXT }, { "owner", COL_TEXT },
  { "hired_freelancer", COL_TEXT }, COMMON_COLUMNS, { NULL, 0 }
};
static const ColumnSpec proposal_columns[] = {
  { "project", COL_TEXT }, { "freelancer", COL_TEXT }, { "cover_letter", COL_TEXT },
  { "amount", COL_REAL }, { "estimated_days", COL_INT }, { "status", COL_TEXT },
  COMMON_COLUMNS, { NULL, 0 }
};
static const ColumnSpec milestone_columns[] = {
  { "project", COL_TEXT }, { "title", COL_TEXT }, { "description", COL_TEXT },
  { "amount", COL_REAL }, { "due_date", COL_TEXT }, { "position", COL_INT },
  { "status", COL_TEXT }, COMMON_COLUMNS, { NULL, 0 }
};

static const ColumnSpec *collection_columns[GIG_N_RECORD_COLLECTIONS] = {
  user_columns, project_columns, proposal_columns, milestone_columns,
};

static const char *collection_names[GIG_N_COLLECTIONS] = {
  "users", "projects", "proposals", "milestones", "chat_channels", "chat_messages",
};

const char *
gig_collection_to_string (GigCollection collection)
{
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return NULL;
  return collection_names[collection];
}

gboolean
gig_collection_from_string (const char    *name,
                            GigCollection *out_collection)
{
  for (guint i = 0; name != NULL && i < GIG_N_COLLECTIONS; i++)
    if (g_str_equal (name, collection_names[i]))
      {
        if (out_collection)
          *out_collection = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
check_record_collection (GigCollection   collection,
                         GError        **error)
{
  if ((guint) collection < GIG_N_RECORD_COLLECTIONS)
    return TRUE;
  g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
               _("The cache keeps no records of collection %d"), (int) collection);
  return FALSE;
}

static const char *local_state_names[] = { "synced", "pending", "draft", "conflict", "failed" };

const char *
gig_local_state_to_string (GigLocalState state)
{
  if ((guint) state >= G_N_ELEMENTS (local_state_names))
    return NULL;
  return local_state_names[state];
}

gboolean
gig_local_state_from_string (const char    *str,
                             GigLocalState *out_state)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (local_state_names); i++)
    if (g_str_equal (str, local_state_names[i]))
      {
        if (out_state)
          *out_state = i;
        return TRUE;
      }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------------- */
/* JSON */

/* Compact JSON, written here rather than by JsonGenerator: a page write serialises every record
 * it stores, and the generator's byte-at-a-time escaping was a fifth of that write's CPU time. */
static void
json_append_string (GString    *out,
                    const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      char code[8];
      const char *escape;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      switch (c)
        {
        case '"':  escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          g_snprintf (code, sizeof code, "\\u%04x", c);
          escape = code;
          break;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void json_append_node (GString *out, JsonNode *node);

static void
json_append_object (GString    *out,
                    JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  /* In the order the members were set (or parsed), as JsonGenerator writes them. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      json_append_string (out, name);
      g_string_append_c (out, ':');
      json_append_node (out, member);
    }
  g_string_append_c (out, '}');
}

static void
json_append_node (GString  *out,
                  JsonNode *node)
{
  switch (node ? JSON_NODE_TYPE (node) : JSON_NODE_NULL)
    {
    case JSON_NODE_OBJECT:
      json_append_object (out, json_node_get_object (node));
      return;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            json_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      return;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          if (json_node_get_string (node) == NULL)
            break;
          json_append_string (out, json_node_get_string (node));
          return;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          return;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          return;
        case G_TYPE_DOUBLE:
          {
            char number[G_ASCII_DTOSTR_BUF_SIZE];
            double value = json_node_get_double (node);

            if (!isfinite (value))
              break;  /* JSON has no such number */
            g_ascii_dtostr (number, sizeof number, value);
            g_string_append (out, number);
            /* still a double when read back */
            if (strpbrk (number, ".eE") == NULL)
              g_string_append (out, ".0");
          }
          return;
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  g_string_append (out, "null");
}

char *
gig_store_json_to_string (JsonObject *object)
{
  GString *out = g_string_sized_new (1024);

  json_append_object (out, object);
  return g_string_free (out, FALSE);
}

JsonObject *
gig_store_json_from_string (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (text == NULL)
    return NULL;
  /* The cache is a file anyone could have changed: read it as boundedly as the network. */
  root = gig_json_parse (text, -1, G_MAXSIZE, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("A cached JSON column that is not an object: %s", error ? error->message : "not an object");
      return NULL;
    }
  /* Sealed, as json-glib's immutable parser made them: copies share nodes instead of copying. */
  json_node_seal (root);
  return json_object_ref (json_node_get_object (root));
}

/* A deep enough copy: members are shared nodes copied on set, so changing the copy's members
 * never touches @object. */
static JsonObject *
json_object_copy_shallow (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (object == NULL)
    return copy;
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (copy, name, json_node_copy (node));
  return copy;
}

/* Members the server owns: never part of a local edit. */
static gboolean
is_server_field (const char *name)
{
  return g_str_equal (name, "id") || g_str_equal (name, "created") ||
         g_str_equal (name, "updated") || g_str_equal (name, "collectionId") ||
         g_str_equal (name, "collectionName") || g_str_equal (name, "expand");
}

static void
merge_into (JsonObject *target,
            JsonObject *source)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, source);
  while (json_object_iter_next (&iter, &name, &node))
    if (!is_server_field (name))
      json_object_set_member (target, name, json_node_copy (node));
}

/* ---------------------------------------------------------------------------------------------- */
/* Boxed types */

GigOutboxEntry *
gig_outbox_entry_copy (const GigOutboxEntry *entry)
{
  GigOutboxEntry *copy = g_new0 (GigOutboxEntry, 1);

  *copy = *entry;
  copy->record_id = g_strdup (entry->record_id);
  copy->fields = entry->fields ? json_object_ref (entry->fields) : NULL;
  copy->base_updated = g_strdup (entry->base_updated);
  copy->last_error = g_strdup (entry->last_error);
  return copy;
}

void
gig_outbox_entry_free (GigOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->record_id);
  g_clear_pointer (&entry->fields, json_object_unref);
  g_free (entry->base_updated);
  g_free (entry->last_error);
  g_free (entry);
}

G_DEFINE_BOXED_TYPE (GigOutboxEntry, gig_outbox_entry, gig_outbox_entry_copy, gig_outbox_entry_free)

GigStoreQuery *
gig_store_query_new (GigCollection collection,
                     GigStoreScope scope)
{
  GigStoreQuery *query = g_new0 (GigStoreQuery, 1);

  query->collection = collection;
  query->scope = scope;
  query->sort = collection == GIG_COLLECTION_MILESTONES ? GIG_STORE_SORT_POSITION
                                                        : GIG_STORE_SORT_NEWEST;
  return query;
}

GigStoreQuery *
gig_store_query_copy (const GigStoreQuery *query)
{
  GigStoreQuery *copy = g_new0 (GigStoreQuery, 1);

  *copy = *query;
  copy->me = g_strdup (query->me);
  copy->text = g_strdup (query->text);
  copy->project = g_strdup (query->project);
  return copy;
}

void
gig_store_query_free (GigStoreQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->me);
  g_free (query->text);
  g_free (query->project);
  g_free (query);
}

gboolean
gig_store_query_equal (const GigStoreQuery *a,
                       const GigStoreQuery *b)
{
  return a->collection == b->collection && a->scope == b->scope && a->sort == b->sort &&
         g_strcmp0 (a->me, b->me) == 0 && g_strcmp0 (a->text, b->text) == 0 &&
         g_strcmp0 (a->project, b->project) == 0;
}

G_DEFINE_BOXED_TYPE (GigStoreQuery, gig_store_query, gig_store_query_copy, gig_store_query_free)

/* ---------------------------------------------------------------------------------------------- */
/* The object */

typedef enum {
  HOT_READ_ROW,
  HOT_INSERT,
  HOT_UPDATE,
  HOT_UPSERT,
  HOT_INSERT_IF_NEW,
  N_HOT
} HotStatement;

struct _GigStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  GRecMutex     lock;
  GHashTable   *statements;   /* SQL text -> sqlite3_stmt */
  /* The statements a page write runs per record, by collection: looked up without hashing
   * their long SQL text. Owned by `statements`. */
  sqlite3_stmt *hot[GIG_N_RECORD_COLLECTIONS][N_HOT];
  GThreadPool  *worker;       /* one thread: page writes in queue order */
  GMainContext *context;      /* where `changed` is emitted */
  GThread      *owner;
  int           schema_version;

  /* Reads made for views go through a second, read-only connection: under WAL it reads the last
   * commit while the worker writes a page, so a list never waits for a pull. */
  sqlite3      *reader;
  GMutex        read_lock;
  GHashTable   *read_statements;
};

G_DEFINE_FINAL_TYPE (GigStore, gig_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void apply_page_worker (gpointer data, gpointer user_data);

void
gig_store_stmt_release (GigStoreStmt *stmt)
{
  if (stmt == NULL)
    return;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

sqlite3 *
gig_store_get_db (GigStore *self)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  return self->db;
}

void
gig_store_lock (GigStore *self)
{
  g_rec_mutex_lock (&self->lock);
}

void
gig_store_unlock (GigStore *self)
{
  g_rec_mutex_unlock (&self->lock);
}

void
gig_store_set_sqlite_error (GError     **error,
                            sqlite3     *db,
                            const char  *what)
{
  int code = db ? sqlite3_extended_errcode (db) : SQLITE_ERROR;
  int primary = code & 0xff;

  if (primary == SQLITE_FULL)
    {
      /* SQLite rolls the statement (and a failed COMMIT the transaction) back */
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_DISK_FULL,
                   _("%s: the disk is full, nothing was saved (free some space and try again)"), what);
      return;
    }
  g_set_error (error, GIG_STORE_ERROR,
               (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) ? GIG_STORE_ERROR_CORRUPT
                                                                       : GIG_STORE_ERROR_FAILED,
               "%s: %s", what, db ? sqlite3_errmsg (db) : sqlite3_errstr (code));
}

static gboolean
check_open (GigStore  *self,
            GError   **error)
{
  if (self->db != NULL)
    return TRUE;
  g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
  return FALSE;
}

GigStoreStmt *
gig_store_prepare (GigStore    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt;

  if (!check_open (self, error))
    return NULL;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->db, _("Could not prepare a query"));
      g_debug ("Failed SQL: %s", sql);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/* The read connection's own statement cache; read_lock held. */
static GigStoreStmt *
prepare_read (GigStore    *self,
              const char  *sql,
              GError     **error)
{
  sqlite3_stmt *stmt;

  if (self->reader == NULL)
    {
      g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
      return NULL;
    }

  stmt = g_hash_table_lookup (self->read_statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->reader, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->reader, _("Could not prepare a query"));
      return NULL;
    }
  g_hash_table_insert (self->read_statements, g_strdup (sql), stmt);
  return stmt;
}

/* gig_store_prepare() for the per-record statements of page writes; @sql must always be the
 * same text for the same (@collection, @kind). */
static GigStoreStmt *
prepare_hot (GigStore      *self,
             GigCollection  collection,
             HotStatement   kind,
             const char    *sql,
             GError       **error)
{
  sqlite3_stmt *stmt = self->hot[collection][kind];

  if (stmt != NULL && self->db != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = gig_store_prepare (self, sql, error);
  self->hot[collection][kind] = stmt;
  return stmt;
}

static sqlite3 *
db_on (GigStore *self,
       gboolean  reader)
{
  return reader ? self->reader : self->db;
}

gboolean
gig_store_exec (GigStore    *self,
                const char  *sql,
                GError     **error)
{
  if (!check_open (self, error))
    return FALSE;
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->db, _("Could not write the cache"));
      return FALSE;
    }
  return TRUE;
}

gboolean
gig_store_begin (GigStore  *self,
                 GError   **error)
{
  return gig_store_exec (self, "BEGIN IMMEDIATE", error);
}

/* Moves what the triggers queued into the FTS index: one statement per transaction. */
static gboolean
flush_search_queue (GigStore  *self,
                    GError   **error)
{
  g_autoptr(GigStoreStmt) count = gig_store_prepare (self, "SELECT EXISTS (SELECT 1 FROM search_queue)", error);
  gboolean pending;

  if (count == NULL)
    return FALSE;
  pending = sqlite3_step (count) == SQLITE_ROW && sqlite3_column_int (count, 0);
  g_clear_pointer (&count, gig_store_stmt_release);
  if (!pending)
    return TRUE;

  {
    g_autoptr(GigStoreStmt) flush = gig_store_prepare (self, gig_store_schema_search_flush (), error);
    g_autoptr(GigStoreStmt) clear = NULL;

    if (flush == NULL || sqlite3_step (flush) != SQLITE_DONE)
      {
        if (flush != NULL)
          gig_store_set_sqlite_error (error, self->db, _("Could not update the search index"));
        return FALSE;
      }
    clear = gig_store_prepare (self, "DELETE FROM search_queue", error);
    if (clear == NULL || sqlite3_step (clear) != SQLITE_DONE)
      {
        if (clear != NULL)
          gig_store_set_sqlite_error (error, self->db, _("Could not update the search index"));
        return FALSE;
      }
  }
  return TRUE;
}

gboolean
gig_store_commit (GigStore  *self,
                  GError   **error)
{
  if (!flush_search_queue (self, error))
    {
      gig_store_rollback (self);
      return FALSE;
    }
  if (gig_store_exec (self, "COMMIT", error))
    return TRUE;
  gig_store_rollback (self);
  return FALSE;
}

void
gig_store_rollback (GigStore *self)
{
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step helpers: TRUE for SQLITE_DONE, error otherwise. */
static gboolean
step_done (GigStore      *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  if (sqlite3_step (stmt) == SQLITE_DONE)
    return TRUE;
  gig_store_set_sqlite_error (error, self->db, _("Could not write the cache"));
  return FALSE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           pos,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, pos, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, pos);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

typedef struct {
  GigStore       *store;
  GigCollection   collection;
  char          **ids;
} ChangedIdle;

static gboolean
emit_changed_idle (gpointer data)
{
  ChangedIdle *idle = data;

  g_signal_emit (idle->store, signals[CHANGED], 0, (int) idle->collection, idle->ids);
  return G_SOURCE_REMOVE;
}

static void
changed_idle_free (gpointer data)
{
  ChangedIdle *idle = data;

  g_object_unref (idle->store);
  g_strfreev (idle->ids);
  g_free (idle);
}

void
gig_store_emit_changed (GigStore           *self,
                        GigCollection       collection,
                        const char * const *ids)
{
  g_return_if_fail (GIG_IS_STORE (self));

  if (ids == NULL || ids[0] == NULL)
    return;

  if (g_thread_self () == self->owner)
    {
      g_signal_emit (self, signals[CHANGED], 0, (int) collection, ids);
    }
  else
    {
      ChangedIdle *idle = g_new0 (ChangedIdle, 1);

      idle->store = g_object_ref (self);
      idle->collection = collection;
      idle->ids = g_strdupv ((char **) ids);
      g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_changed_idle, idle,
                                  changed_idle_free);
    }
}

static void
emit_changed_one (GigStore      *self,
                  GigCollection  collection,
                  const char    *id)
{
  const char *ids[] = { id, NULL };

  gig_store_emit_changed (self, collection, ids);
}

/* ---------------------------------------------------------------------------------------------- */
/* Opening and migrations */

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

static gboolean
read_user_version (sqlite3  *db,
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
static gboolean
migrate (sqlite3  *db,
         int       target,
         int      *out_version,
         GError  **error)
{
  int version;

  if (!read_user_version (db, &version, error))
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

  if (!read_user_version (db, &version, error))
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

static void
set_damaged_error (GError     **error,
                   const char  *path,
                   const char  *problem)
{
  g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT,
               _("The offline copy %s is damaged (%.200s)"), path, problem);
}

static sqlite3 *
open_db (const char  *path,
         GError     **error)
{
  sqlite3 *db = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_FAILED,
                   _("Could not create the folder of the cache %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  /* NOMUTEX: the store's own lock serialises every use of the connection. */
  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf (_("Could not open the cache %s"), path);
      gig_store_set_sqlite_error (error, db, what);
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);

  /* WAL: readers don't block the writer. synchronous=NORMAL is durable against application
   * crashes (the WAL survives a killed process); only a power loss may undo the last commits. */
  if (sqlite3_exec (db,
                    /* Only takes effect on a new file (before its first table). A record row is
                     * 1-2 KB: on 4 KiB pages a third of every page stayed empty. */
                    "PRAGMA page_size = 8192;"
                    "PRAGMA journal_mode = WAL;"
                    "PRAGMA synchronous = NORMAL;"
                    "PRAGMA foreign_keys = ON;"
                    "PRAGMA temp_store = MEMORY;"
                    /* 16 MiB of page cache: a long list's index stays in memory. */
                    "PRAGMA cache_size = -16384;"
                    /* Checkpoints (the only fsyncs under WAL + NORMAL) every ~40 MB rather than
                     * 4 MB: an initial pull writes hundreds of MB. */
                    "PRAGMA wal_autocheckpoint = 10000;",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf (_("Could not open the cache %s"), path);
      int primary = sqlite3_errcode (db) & 0xff;

      /* the first read of the file: its header is not SQLite's */
      if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        set_damaged_error (error, path, sqlite3_errmsg (db));
      else
        gig_store_set_sqlite_error (error, db, what);
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

gboolean
gig_store_create_file_at_version (const char  *path,
                                  int          version,
                                  GError     **error)
{
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (version >= 1 && version <= GIG_STORE_SCHEMA_VERSION, FALSE);

  db = open_db (path, error);
  if (db == NULL)
    return FALSE;
  ok = migrate (db, version, NULL, error);
  sqlite3_close (db);
  return ok;
}

char *
gig_store_account_path (const char *folder,
                        const char *account_id)
{
  g_return_val_if_fail (folder != NULL, NULL);

  /* It comes from the server and becomes a path component: nothing but a record id. */
  if (!gig_id_is_valid (account_id))
    return NULL;

  return g_build_filename (folder, account_id, "cache.sqlite", NULL);
}

char *
gig_store_default_path (const char *account_id)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "gigdesk", "accounts", NULL);

  return gig_store_account_path (folder, account_id);
}

static gsize sqlite_configured;

/* A damaged page is otherwise found only by the query that reads it, maybe in the middle of a
 * sync: check every page of an existing file once, when it is opened (quick_check skips the
 * index-to-table cross check that makes integrity_check slow). */
static gboolean
check_intact (sqlite3     *db,
              const char  *path,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *problem = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check(1)", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (text, "ok") != 0)
        {
          /* "*** in database main ***\nPage 170: btreeInitPage() returns error code 11": the
           * first finding, without the heading */
          const char *start = text ? text : "?";
          const char *heading_end = g_str_has_prefix (start, "*** ") ? strchr (start, '\n') : NULL;

          if (heading_end != NULL)
            start = heading_end + 1;
          problem = g_strndup (start, strcspn (start, "\n"));
        }
    }
  else
    problem = g_strdup (sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  if (problem == NULL)
    return TRUE;
  g_debug ("quick_check of %s: %s", path, problem);
  set_damaged_error (error, path, problem);
  return FALSE;
}

GigStore *
gig_store_new_for_path (const char  *path,
                        GError     **error)
{
  g_autoptr(GigStore) self = NULL;
  GStatBuf info;
  sqlite3 *db;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Before SQLite's first use in the process (later it is a no-op): its allocation counters
   * take a global mutex around every malloc and free, a few percent of a page write, and
   * nothing here reads them. */
  if (g_once_init_enter (&sqlite_configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&sqlite_configured, 1);
    }

  /* SQLite takes an empty file for a new database: a cache cut to nothing would be replaced by
   * a fresh one without a word, its waiting changes gone. */
  if (g_stat (path, &info) == 0 && S_ISREG (info.st_mode) && info.st_size == 0)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT,
                   _("The offline copy %s is empty: it was cut short"), path);
      return NULL;
    }

  db = open_db (path, error);
  if (db == NULL)
    return NULL;

  self = g_object_new (GIG_TYPE_STORE, "path", path, NULL);
  self->db = db;

  if (!check_intact (db, path, error) ||
      !migrate (db, GIG_STORE_SCHEMA_VERSION, &self->schema_version, error))
    return NULL;

  /* Rows handed to a sync that never finished (the app was killed): send them again. */
  if (!gig_store_exec (self, "UPDATE outbox SET state = 'queued' WHERE state = 'sending'", error))
    return NULL;
  /* Rows written by other means (tools, an older build) reach the search index too. */
  if (!gig_store_begin (self, error) || !gig_store_commit (self, error))
    return NULL;

  if (sqlite3_open_v2 (path, &self->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_exec (self->reader, "PRAGMA cache_size = -16384", NULL, NULL, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->reader, _("Could not open the cache for reading"));
      return NULL;
    }
  sqlite3_extended_result_codes (self->reader, 1);
  sqlite3_busy_timeout (self->reader, 5000);

  self->worker = g_thread_pool_new (apply_page_worker, self, 1, FALSE, error);
  if (self->worker == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
gig_store_get_path (GigStore *self)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  return self->path;
}

int
gig_store_get_schema_version (GigStore *self)
{
  g_return_val_if_fail (GIG_IS_STORE (self), 0);
  return self->schema_version;
}

void
gig_store_close (GigStore *self)
{
  g_return_if_fail (GIG_IS_STORE (self));

  /* Let queued pages finish: they were accepted, so they must land. */
  if (self->worker != NULL)
    g_thread_pool_free (g_steal_pointer (&self->worker), FALSE, TRUE);

  g_mutex_lock (&self->read_lock);
  g_hash_table_remove_all (self->read_statements);
  if (self->reader != NULL)
    {
      sqlite3_close (self->reader);
      self->reader = NULL;
    }
  g_mutex_unlock (&self->read_lock);

  g_rec_mutex_lock (&self->lock);
  memset (self->hot, 0, sizeof self->hot);
  g_hash_table_remove_all (self->statements);
  if (self->db != NULL)
    {
      /* Fold the WAL back so that the file alone is the whole cache. */
      sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Closing the cache: %s", sqlite3_errmsg (self->db));
      self->db = NULL;
    }
  g_rec_mutex_unlock (&self->lock);
}

gboolean
gig_store_remove_files (const char  *path,
                        GError     **error)
{
  static const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_return_val_if_fail (path != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_unlink (file) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_FAILED,
                       _("Could not remove %s: %s"), file, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

static void
gig_store_finalize (GObject *object)
{
  GigStore *self = (GigStore *) object;

  gig_store_close (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->read_statements, g_hash_table_unref);
  g_mutex_clear (&self->read_lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->path, g_free);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gig_store_parent_class)->finalize (object);
}

static void
gig_store_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GigStore *self = GIG_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_store_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  GigStore *self = GIG_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_store_class_init (GigStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gig_store_finalize;
  object_class->get_property = gig_store_get_property;
  object_class->set_property = gig_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GigStore::changed:
   * @collection: a #GigCollection
   * @ids: the ids of the records that changed, appeared or went away
   *
   * Emitted on the store's thread after each commit.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRV);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
gig_store_init (GigStore *self)
{
  g_rec_mutex_init (&self->lock);
  g_mutex_init (&self->read_lock);
  self->read_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
}

/* ---------------------------------------------------------------------------------------------- */
/* Rows */

typedef struct {
  gboolean       found;
  gint64         rid;
  char          *server_updated;
  char          *server_json;
  char          *local_json;
  GigLocalState  state;
  char          *local_error;
  char          *conflict_json;
} Row;

static void
row_clear (Row *row)
{
  g_free (row->server_updated);
  g_free (row->server_json);
  g_free (row->local_json);
  g_free (row->local_error);
  g_free (row->conflict_json);
  memset (row, 0, sizeof *row);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Row, row_clear)

static gboolean
read_row_on (GigStore       *self,
             gboolean        reader,
             GigCollection   collection,
             const char     *id,
             Row            *row,
             GError        **error)
{
#define READ_ROW_SQL(table) \
  "SELECT rid, server_updated, server_json, local_json, local_state, local_error, conflict_json" \
  " FROM " table " WHERE id = ?"
  /* Literal per collection: this runs for every record of every page. */
  static const char *sql[GIG_N_RECORD_COLLECTIONS] = {
    READ_ROW_SQL ("users"), READ_ROW_SQL ("projects"), READ_ROW_SQL ("proposals"),
    READ_ROW_SQL ("milestones"),
  };
#undef READ_ROW_SQL
  g_autoptr(GigStoreStmt) stmt = reader ? prepare_read (self, sql[collection], error)
                                         : prepare_hot (self, collection, HOT_READ_ROW, sql[collection], error);
  int rc;

  memset (row, 0, sizeof *row);
  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      gig_store_set_sqlite_error (error, db_on (self, reader), _("Could not read the cache"));
      return FALSE;
    }

  row->found = TRUE;
  row->rid = sqlite3_column_int64 (stmt, 0);
  row->server_updated = column_dup (stmt, 1);
  row->server_json = column_dup (stmt, 2);
  row->local_json = column_dup (stmt, 3);
  if (!gig_local_state_from_string ((const char *) sqlite3_column_text (stmt, 4), &row->state))
    row->state = GIG_LOCAL_STATE_SYNCED;
  row->local_error = column_dup (stmt, 5);
  row->conflict_json = column_dup (stmt, 6);
  return TRUE;
}

static gboolean
read_row (GigStore       *self,
          GigCollection   collection,
          const char     *id,
          Row            *row,
          GError        **error)
{
  return read_row_on (self, FALSE, collection, id, row, error);
}

static const char *
row_view_json (const Row *row)
{
  return row->local_json ? row->local_json : row->server_json;
}

/* A double as an integer column takes it: truncated, and clamped where a cast is undefined. */
static gint64
double_to_int64 (double value)
{
  if (value >= 9223372036854775807.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) value;
}

static void
bind_column (sqlite3_stmt     *stmt,
             int               pos,
             const ColumnSpec *spec,
             JsonObject       *view)
{
  JsonNode *node = json_object_get_member (view, spec->name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (spec->type == COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      else
        sqlite3_bind_null (stmt, pos);
      return;
    }

  switch (spec->type)
    {
    case COL_TEXT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        sqlite3_bind_text (stmt, pos, json_node_get_string (node), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case COL_REAL:
    case COL_INT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING)
        {
          if (spec->type == COL_REAL)
            sqlite3_bind_double (stmt, pos, json_node_get_double (node));
          else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            /* json_node_get_int casts, which is undefined out of range */
            sqlite3_bind_int64 (stmt, pos, double_to_int64 (json_node_get_double (node)));
          else
            sqlite3_bind_int64 (stmt, pos, json_node_get_int (node));
        }
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case COL_BOOL:
      sqlite3_bind_int (stmt, pos,
                        JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) != G_TYPE_STRING &&
                        json_node_get_boolean (node));
      break;
    case COL_JSON:
      {
        GString *text = g_string_new (NULL);
        gsize len;

        json_append_node (text, node);
        len = text->len;
        sqlite3_bind_text (stmt, pos, g_string_free (text, FALSE), len, g_free);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The SQL that writes a whole row of @collection: an upsert, a plain INSERT (a row known to be
 * new) or an UPDATE by rid (a row known to exist). The INSERT and UPDATE save the upsert's
 * conflict handling on every record of a page; read_row() has already told which one applies.
 *
 * They are OR ROLLBACK: every caller rolls the whole transaction back when a write fails, and
 * without a statement that may abort on its own SQLite keeps no statement journal (a copy of
 * every page the statement and its search-queue trigger touch) for each record.
 *
 * Parameters: id, the typed columns, server_updated, server_json, local_json, local_state,
 * local_error, conflict_json (and rid last for the UPDATE). */
static const char *
row_write_sql (GigCollection collection,
               HotStatement  kind)
{
  static char *sql_cache[GIG_N_RECORD_COLLECTIONS][N_HOT];
  char **slot = &sql_cache[collection][kind];

  if (g_once_init_enter (slot))
    {
      const ColumnSpec *columns = collection_columns[collection];
      static const char *tail[] = { "server_updated", "server_json", "local_json", "local_state",
                                    "local_error", "conflict_json" };
      GString *sql = g_string_new (NULL);

      if (kind == HOT_UPDATE)
        {
          /* Numbered: ?1 (the id) is bound but left out, it never changes; SET id would
           * rewrite the id index entry for nothing. */
          guint n = 2;

          g_string_append_printf (sql, "UPDATE OR ROLLBACK %s SET ", collection_names[collection]);
          for (const ColumnSpec *c = columns; c->name; c++, n++)
            g_string_append_printf (sql, "%s%s = ?%u", n > 2 ? ", " : "", c->name, n);
          for (guint i = 0; i < G_N_ELEMENTS (tail); i++, n++)
            g_string_append_printf (sql, ", %s = ?%u", tail[i], n);
          g_string_append_printf (sql, " WHERE rid = ?%u", n);
        }
      else
        {
          guint n = 1;

          g_string_append_printf (sql, "INSERT %sINTO %s (id",
                                  kind == HOT_INSERT || kind == HOT_INSERT_IF_NEW ? "OR ROLLBACK " : "",
                                  collection_names[collection]);
          for (const ColumnSpec *c = columns; c->name; c++, n++)
            g_string_append_printf (sql, ", %s", c->name);
          for (guint i = 0; i < G_N_ELEMENTS (tail); i++, n++)
            g_string_append_printf (sql, ", %s", tail[i]);
          g_string_append (sql, ") VALUES (?");
          for (guint i = 1; i < n; i++)
            g_string_append (sql, ", ?");
          g_string_append (sql, ")");
          if (kind == HOT_INSERT_IF_NEW)
            g_string_append (sql, " ON CONFLICT (id) DO NOTHING");
          if (kind == HOT_UPSERT)
            {
              g_string_append (sql, " ON CONFLICT (id) DO UPDATE SET ");
              for (const ColumnSpec *c = columns; c->name; c++)
                g_string_append_printf (sql, "%s = excluded.%s, ", c->name, c->name);
              for (guint i = 0; i < G_N_ELEMENTS (tail); i++)
                g_string_append_printf (sql, "%s%s = excluded.%s", i ? ", " : "", tail[i], tail[i]);
            }
        }
      g_once_init_leave (slot, g_string_free (sql, FALSE));
    }
  return *slot;
}

/* Writes a whole row. @view gives the typed columns (what the user sees); @server_json and
 * @local_json are stored as given (local_json NULL: same as the server's). @rid: the row's rid
 * if it exists, 0 if it is known not to exist, -1 if unknown. */
static gboolean
write_row_rid (GigStore       *self,
               GigCollection   collection,
               gint64          rid,
               const char     *id,
               JsonObject     *view,
               const char     *server_updated,
               const char     *server_json,
               const char     *local_json,
               GigLocalState   state,
               const char     *local_error,
               const char     *conflict_json,
               GError        **error)
{
  const ColumnSpec *columns = collection_columns[collection];
  HotStatement kind = rid > 0 ? HOT_UPDATE : rid == 0 ? HOT_INSERT : HOT_UPSERT;
  g_autoptr(GigStoreStmt) stmt = prepare_hot (self, collection, kind,
                                              row_write_sql (collection, kind), error);
  int pos = 1;

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, pos++, id);
  for (const ColumnSpec *c = columns; c->name; c++)
    {
      /* A record that was never on the server sorts as made now. */
      if (g_str_equal (c->name, "created") && !json_object_has_member (view, "created"))
        {
          g_autofree char *now = gig_stamp_now ();
          bind_text (stmt, pos++, now);
          continue;
        }
      bind_column (stmt, pos++, c, view);
    }
  bind_text (stmt, pos++, server_updated);
  bind_text (stmt, pos++, server_json);
  bind_text (stmt, pos++, local_json);
  bind_text (stmt, pos++, gig_local_state_to_string (state));
  bind_text (stmt, pos++, local_error);
  bind_text (stmt, pos++, conflict_json);
  if (kind == HOT_UPDATE)
    sqlite3_bind_int64 (stmt, pos++, rid);

  return step_done (self, stmt, error);
}

static gboolean
write_row (GigStore       *self,
           GigCollection   collection,
           const char     *id,
           JsonObject     *view,
           const char     *server_updated,
           const char     *server_json,
           const char     *local_json,
           GigLocalState   state,
           const char     *local_error,
           const char     *conflict_json,
           GError        **error)
{
  return write_row_rid (self, collection, -1, id, view, server_updated, server_json, local_json,
                        state, local_error, conflict_json, error);
}

/* bind_column for a member of a record kept as text: the same values for the same JSON. */
static void
bind_member (sqlite3_stmt      *stmt,
             int                pos,
             const ColumnSpec  *spec,
             const GigPbMember *member)
{
  gint64 as_int = 0;
  double as_double = 0;

  if (member->type == GIG_PB_VALUE_NULL)
    {
      if (spec->type == COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      else
        sqlite3_bind_null (stmt, pos);
      return;
    }
  if (member->type == GIG_PB_VALUE_NUMBER)
    gig_pb_member_get_number (member, &as_int, &as_double);
  else if (member->type == GIG_PB_VALUE_BOOLEAN)
    as_int = as_double = member->value[0] == 't';

  switch (spec->type)
    {
    case COL_TEXT:
      if (member->type != GIG_PB_VALUE_STRING)
        sqlite3_bind_null (stmt, pos);
      else if (!member->value_escaped)
        /* the record outlives the statement's use of it (prepare_hot clears bindings) */
        sqlite3_bind_text (stmt, pos, member->value + 1, (int) member->value_length - 2, SQLITE_STATIC);
      else
        sqlite3_bind_text (stmt, pos, gig_pb_member_dup_string (member), -1, g_free);
      break;
    case COL_REAL:
    case COL_INT:
      if (member->type == GIG_PB_VALUE_NUMBER || member->type == GIG_PB_VALUE_BOOLEAN)
        {
          if (spec->type == COL_REAL)
            sqlite3_bind_double (stmt, pos, as_double);
          else
            sqlite3_bind_int64 (stmt, pos, as_int);
        }
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case COL_BOOL:
      sqlite3_bind_int (stmt, pos, (member->type == GIG_PB_VALUE_NUMBER || member->type == GIG_PB_VALUE_BOOLEAN) &&
                                   as_double != 0);
      break;
    case COL_JSON:
      /* write_row_raw hands these to bind_column: stored as the store writes JSON */
    default:
      g_assert_not_reached ();
    }
}

/* write_row_rid for a synced row whose server version is @raw: the typed columns come from its
 * members and server_json is its text as the server sent it, without a tree in between.
 * @rid: the row's, 0 if it is known not to exist, -1 to insert it only if its id is new
 * (@out_written tells whether it was). */
static gboolean
write_row_raw (GigStore           *self,
               GigCollection       collection,
               gint64              rid,
               const GigPbRecord  *raw,
               gboolean           *out_written,
               GError            **error)
{
  const ColumnSpec *columns = collection_columns[collection];
  HotStatement kind = rid > 0 ? HOT_UPDATE : rid == 0 ? HOT_INSERT : HOT_INSERT_IF_NEW;
  g_autoptr(GigStoreStmt) stmt = prepare_hot (self, collection, kind,
                                              row_write_sql (collection, kind), error);
  guint n_members = gig_pb_record_get_n_members (raw);
  g_autoptr(JsonObject) tree = NULL;
  int created_pos = 0;
  gboolean has_created = FALSE;
  const char *text;
  gsize length;
  int pos = 2;
  int tail;

  if (stmt == NULL)
    return FALSE;

  bind_text (stmt, 1, gig_pb_record_get_id (raw));
  /* What the record leaves out is NULL (false for flags), as with bind_column. */
  for (const ColumnSpec *c = columns; c->name; c++, pos++)
    {
      if (c->type == COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      if (g_str_equal (c->name, "created"))
        created_pos = pos;
    }
  tail = pos;
  for (guint i = 0; i < n_members; i++)
    {
      GigPbMember member;

      gig_pb_record_get_member (raw, i, &member);
      pos = 2;
      for (const ColumnSpec *c = columns; c->name; c++, pos++)
        if (gig_pb_member_has_name (&member, c->name))
          {
            /* a repeated name: the last one counts, as in a tree */
            if (c->type == COL_JSON && member.type != GIG_PB_VALUE_NULL)
              {
                /* any JSON value, kept in the store's own spelling (users.skills): rare and
                 * small, so through a tree */
                if (tree == NULL)
                  tree = gig_pb_record_to_object (raw);
                bind_column (stmt, pos, c, tree);
              }
            else
              bind_member (stmt, pos, c, &member);
            if (pos == created_pos)
              has_created = TRUE;
            break;
          }
    }
  if (!has_created && created_pos > 0)
    {
      g_autofree char *now = gig_stamp_now ();
      bind_text (stmt, created_pos, now);
    }
  text = gig_pb_record_get_text (raw, &length);
  pos = tail;
  bind_text (stmt, pos++, gig_pb_record_get_updated (raw));
  sqlite3_bind_text (stmt, pos++, text, (int) length, SQLITE_STATIC);
  sqlite3_bind_null (stmt, pos++);
  bind_text (stmt, pos++, gig_local_state_to_string (GIG_LOCAL_STATE_SYNCED));
  sqlite3_bind_null (stmt, pos++);
  sqlite3_bind_null (stmt, pos++);
  if (kind == HOT_UPDATE)
    sqlite3_bind_int64 (stmt, pos++, rid);

  if (!step_done (self, stmt, error))
    return FALSE;
  if (out_written)
    *out_written = kind != HOT_INSERT_IF_NEW || sqlite3_changes (self->db) > 0;
  return TRUE;
}

/* The fields of @id still waiting in the outbox (any state but done), as a set. */
static GHashTable *
pending_fields (GigStore       *self,
                GigCollection   collection,
                const char     *id,
                gboolean       *out_has_failed,
                GError        **error)
{
  g_autoptr(GigStoreStmt) stmt =
    gig_store_prepare (self, "SELECT fields, state FROM outbox WHERE collection = ? AND record_id = ?",
                       error);
  g_autoptr(GHashTable) set = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (out_has_failed)
    *out_has_failed = FALSE;
  bind_text (stmt, 1, collection_names[collection]);
  bind_text (stmt, 2, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) fields = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 0));
      GList *names;

      if (out_has_failed && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "failed") == 0)
        *out_has_failed = TRUE;
      if (fields == NULL)
        continue;
      names = json_object_get_members (fields);
      for (GList *l = names; l; l = l->next)
        if (!is_server_field (l->data))
          g_hash_table_add (set, g_strdup (l->data));
      g_list_free (names);
    }
  if (rc != SQLITE_DONE)
    {
      gig_store_set_sqlite_error (error, self->db, _("Could not read the outbox"));
      return NULL;
    }
  return g_steal_pointer (&set);
}

static gboolean
conflict_is_empty (const char *conflict_json)
{
  g_autoptr(JsonObject) conflict = gig_store_json_from_string (conflict_json);

  return conflict == NULL || json_object_get_size (conflict) == 0;
}

/* The state that follows from what is left to do for a record. */
static GigLocalState
derive_state (GigLocalState  current,
              guint          n_pending,
              gboolean       has_failed,
              const char    *conflict_json)
{
  if (current == GIG_LOCAL_STATE_DRAFT)
    return GIG_LOCAL_STATE_DRAFT;
  if (!conflict_is_empty (conflict_json))
    return GIG_LOCAL_STATE_CONFLICT;
  if (has_failed)
    return GIG_LOCAL_STATE_FAILED;
  if (n_pending > 0)
    return GIG_LOCAL_STATE_PENDING;
  return GIG_LOCAL_STATE_SYNCED;
}

typedef enum {
  APPLIED_UNCHANGED,
  APPLIED_INSERTED,
  APPLIED_UPDATED,
  APPLIED_KEPT_LOCAL,
} AppliedKind;

/* Takes @record as the new server version of its row. Lock held, inside a transaction.
 * @force: also when the cached server copy has the same `updated` (after a push). */
static gboolean
apply_server_record (GigStore       *self,
                     GigCollection   collection,
                     JsonObject     *record,
                     gboolean        force,
                     AppliedKind    *out_kind,
                     GError        **error)
{
  const char *id = gig_json_object_get_string (record, "id");
  const char *updated = gig_json_object_get_string (record, "updated");
  g_auto(Row) row = { 0 };
  g_autofree char *server_json = NULL;

  if (id == NULL || *id == '\0')
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("A %s record from the server has no id"), collection_names[collection]);
      return FALSE;
    }

  if (!read_row (self, collection, id, &row, error))
    return FALSE;

  /* The overlap window re-reads records we already have: skip them. And a page read before a
   * live event arrived must not take the record back to an older version (the timestamps are
   * fixed-width UTC text, so text order is time order). */
  if (row.found && updated != NULL && row.server_updated != NULL &&
      (strcmp (updated, row.server_updated) < 0 ||
       (!force && strcmp (updated, row.server_updated) == 0)))
    {
      *out_kind = APPLIED_UNCHANGED;
      return TRUE;
    }

  server_json = gig_store_json_to_string (record);

  if (!row.found || row.state == GIG_LOCAL_STATE_SYNCED)
    {
      *out_kind = row.found ? APPLIED_UPDATED : APPLIED_INSERTED;
      return write_row_rid (self, collection, row.found ? row.rid : 0, id, record, updated,
                            server_json, NULL, GIG_LOCAL_STATE_SYNCED, NULL, NULL, error);
    }

  if (row.state == GIG_LOCAL_STATE_DRAFT)
    {
      /* Only a draft's own creator has it; keep what is being written. */
      g_autoptr(JsonObject) view = gig_store_json_from_string (row.local_json);

      *out_kind = APPLIED_KEPT_LOCAL;
      if (view == NULL)
        view = json_object_ref (record);
      return write_row (self, collection, id, view, updated, server_json, row.local_json,
                        GIG_LOCAL_STATE_DRAFT, row.local_error, row.conflict_json, error);
    }

  {
    gboolean has_failed = FALSE;
    g_autoptr(GHashTable) pending = pending_fields (self, collection, id, &has_failed, error);
    g_autoptr(JsonObject) local = NULL;
    g_autoptr(JsonObject) view = NULL;
    g_autofree char *local_json = NULL;
    GHashTableIter iter;
    const char *name;
    GigLocalState state;

    if (pending == NULL)
      return FALSE;

    /* Pending local fields win over the server's until they are pushed; the rest follows the
     * server. */
    local = gig_store_json_from_string (row_view_json (&row));
    view = json_object_copy_shallow (record);
    g_hash_table_iter_init (&iter, pending);
    while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
      {
        JsonNode *node = local ? json_object_get_member (local, name) : NULL;
        if (node != NULL)
          json_object_set_member (view, name, json_node_copy (node));
      }

    state = derive_state (row.state, g_hash_table_size (pending), has_failed, row.conflict_json);
    if (state != GIG_LOCAL_STATE_SYNCED)
      local_json = gig_store_json_to_string (view);
    *out_kind = g_hash_table_size (pending) > 0 ? APPLIED_KEPT_LOCAL : APPLIED_UPDATED;
    return write_row (self, collection, id, view, updated, server_json, local_json, state,
                      state == GIG_LOCAL_STATE_SYNCED ? NULL : row.local_error,
                      row.conflict_json, error);
  }
}

/* apply_server_record for a record kept as the server's text: a row that is new or synced
 * (every row of a first pull) is written straight from the text; a row with local work goes
 * the general way. */
static gboolean
apply_server_raw (GigStore           *self,
                  GigCollection       collection,
                  const GigPbRecord  *raw,
                  AppliedKind        *out_kind,
                  GError            **error)
{
  const char *updated = gig_pb_record_get_updated (raw);
  g_auto(Row) row = { 0 };
  gboolean inserted = FALSE;

  /* Nearly every record of a first pull is new: insert it unless its id is taken, and look at
   * the cached row only when it is. */
  if (!write_row_raw (self, collection, -1, raw, &inserted, error))
    return FALSE;
  if (inserted)
    {
      *out_kind = APPLIED_INSERTED;
      return TRUE;
    }

  if (!read_row (self, collection, gig_pb_record_get_id (raw), &row, error))
    return FALSE;

  if (row.found && updated != NULL && row.server_updated != NULL &&
      strcmp (updated, row.server_updated) <= 0)
    {
      *out_kind = APPLIED_UNCHANGED;
      return TRUE;
    }

  if (!row.found || row.state == GIG_LOCAL_STATE_SYNCED)
    {
      *out_kind = row.found ? APPLIED_UPDATED : APPLIED_INSERTED;
      return write_row_raw (self, collection, row.found ? row.rid : 0, raw, NULL, error);
    }

  {
    g_autoptr(JsonObject) record = gig_pb_record_to_object (raw);

    return apply_server_record (self, collection, record, FALSE, out_kind, error);
  }
}

static gboolean
cursor_is_valid (const char *updated,
                 const char *id,
                 GError    **error)
{
  if (gig_stamp_is_valid (updated) && (id == NULL || gig_id_is_valid (id)))
    return TRUE;
  g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                       _("A sync cursor that is not a valid timestamp and id was refused"));
  return FALSE;
}

static gboolean
set_cursor_locked (GigStore       *self,
                   GigCollection   collection,
                   const char     *updated,
                   const char     *id,
                   GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "INSERT INTO sync_state (collection, cursor_updated, cursor_id) VALUES (?, ?, ?)"
    " ON CONFLICT (collection) DO UPDATE SET cursor_updated = excluded.cursor_updated,"
    " cursor_id = excluded.cursor_id", error);

  if (stmt == NULL || (updated != NULL && !cursor_is_valid (updated, id, error)))
    return FALSE;
  bind_text (stmt, 1, collection_names[collection]);
  bind_text (stmt, 2, updated);
  bind_text (stmt, 3, id);
  return step_done (self, stmt, error);
}

/* A string member of a tree record, NULL if absent or not a string. */
static const char *
tree_string (JsonObject *record,
             const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A record from the server becomes a row, a cursor and a filter literal only with an id and a
 * stamp (if it has one: the store keeps a record without `updated`, but never as a cursor) of
 * the sync contract's form; one that is not is skipped with a warning, so that it can never
 * wedge the collection's later pulls. */
static gboolean
server_record_is_valid (GigCollection  collection,
                        gpointer       record,
                        gboolean       raw)
{
  const char *id = raw ? gig_pb_record_get_id (record) : tree_string (record, "id");
  const char *updated = raw ? gig_pb_record_get_updated (record) : tree_string (record, "updated");
  gboolean has_updated = raw ? updated != NULL
                             : json_object_has_member (record, "updated") &&
                               !JSON_NODE_HOLDS_NULL (json_object_get_member (record, "updated"));
  g_autofree char *shown_id = NULL;
  g_autofree char *shown_updated = NULL;

  if (gig_id_is_valid (id) && (!has_updated || gig_stamp_is_valid (updated)))
    return TRUE;
  shown_id = g_strescape (id ? id : "(none)", NULL);
  shown_updated = g_strescape (updated ? updated : "(none)", NULL);
  g_warning ("Skipped a %s record from the server: id “%.40s” or updated “%.40s” is not valid",
             collection_names[collection], shown_id, shown_updated);
  return FALSE;
}

/* One page in one transaction. Lock held. @changed collects the ids that views must refresh.
 * @records: JsonObject, or GigPbRecord if @raw. */
static gboolean
apply_page_locked (GigStore            *self,
                   GigCollection        collection,
                   GPtrArray           *records,
                   gboolean             raw,
                   const char          *cursor_updated,
                   const char          *cursor_id,
                   GigStoreApplyResult *result,
                   GPtrArray           *changed,
                   GError             **error)
{
  memset (result, 0, sizeof *result);

  if (!check_record_collection (collection, error) ||
      (cursor_updated != NULL && !cursor_is_valid (cursor_updated, cursor_id, error)) ||
      !gig_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      gpointer record = g_ptr_array_index (records, i);
      AppliedKind kind;
      gboolean ok;

      if (!server_record_is_valid (collection, record, raw))
        {
          result->skipped++;
          continue;
        }
      ok = raw ? apply_server_raw (self, collection, record, &kind, error)
               : apply_server_record (self, collection, record, FALSE, &kind, error);
      if (!ok)
        {
          gig_store_rollback (self);
          g_ptr_array_set_size (changed, 0);
          return FALSE;
        }
      switch (kind)
        {
        case APPLIED_UNCHANGED:
          result->unchanged++;
          continue;
        case APPLIED_INSERTED:
          result->inserted++;
          break;
        case APPLIED_UPDATED:
          result->updated++;
          break;
        case APPLIED_KEPT_LOCAL:
          result->kept_local++;
          break;
        default:
          g_assert_not_reached ();
        }
      g_ptr_array_add (changed, g_strdup (raw ? gig_pb_record_get_id (record)
                                              : json_object_get_string_member (record, "id")));
    }

  if (cursor_updated != NULL &&
      !set_cursor_locked (self, collection, cursor_updated, cursor_id, error))
    {
      gig_store_rollback (self);
      g_ptr_array_set_size (changed, 0);
      return FALSE;
    }

  if (!gig_store_commit (self, error))
    {
      g_ptr_array_set_size (changed, 0);
      return FALSE;
    }
  g_ptr_array_add (changed, NULL);
  return TRUE;
}

gboolean
gig_store_apply_server_page (GigStore            *self,
                             GigCollection        collection,
                             GPtrArray           *records,
                             const char          *cursor_updated,
                             const char          *cursor_id,
                             GigStoreApplyResult *out_result,
                             GError             **error)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  GigStoreApplyResult result;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  g_rec_mutex_lock (&self->lock);
  ok = apply_page_locked (self, collection, records, FALSE, cursor_updated, cursor_id, &result,
                          changed, error);
  g_rec_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;
  if (out_result)
    *out_result = result;
  gig_store_emit_changed (self, collection, (const char * const *) changed->pdata);
  return TRUE;
}

typedef struct {
  GigCollection        collection;
  GPtrArray           *records;
  gboolean             raw;
  char                *cursor_updated;
  char                *cursor_id;
  GigStoreApplyResult  result;
  GPtrArray           *changed;
  GError              *error;
} PageJob;

static void
page_job_free (PageJob *job)
{
  g_ptr_array_unref (job->records);
  g_free (job->cursor_updated);
  g_free (job->cursor_id);
  g_clear_pointer (&job->changed, g_ptr_array_unref);
  g_clear_error (&job->error);
  g_free (job);
}

/* Back on the store's thread: tell views first, then the caller. */
static gboolean
page_job_complete (gpointer data)
{
  GTask *task = data;
  GigStore *self = g_task_get_source_object (task);
  PageJob *job = g_task_get_task_data (task);

  if (job->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&job->error));
      return G_SOURCE_REMOVE;
    }
  gig_store_emit_changed (self, job->collection, (const char * const *) job->changed->pdata);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
apply_page_worker (gpointer data,
                   gpointer user_data)
{
  GTask *task = data;
  GigStore *self = g_task_get_source_object (task);
  PageJob *job = g_task_get_task_data (task);

  job->changed = g_ptr_array_new_with_free_func (g_free);
  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &job->error))
    {
      g_rec_mutex_lock (&self->lock);
      apply_page_locked (self, job->collection, job->records, job->raw, job->cursor_updated,
                         job->cursor_id, &job->result, job->changed, &job->error);
      g_rec_mutex_unlock (&self->lock);
    }

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, page_job_complete, task,
                              g_object_unref);
}

static void
apply_page_async (GigStore            *self,
                  GigCollection        collection,
                  GPtrArray           *records,
                  gboolean             raw,
                  const char          *cursor_updated,
                  const char          *cursor_id,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PageJob *job;

  g_return_if_fail (GIG_IS_STORE (self));
  g_return_if_fail (records != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_store_apply_server_page_async);

  if (self->worker == NULL || self->db == NULL)
    {
      g_task_return_new_error (task, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
      return;
    }
  if (!check_record_collection (collection, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = g_new0 (PageJob, 1);
  job->collection = collection;
  job->records = g_ptr_array_ref (records);
  job->raw = raw;
  job->cursor_updated = g_strdup (cursor_updated);
  job->cursor_id = g_strdup (cursor_id);
  g_task_set_task_data (task, job, (GDestroyNotify) page_job_free);

  /* The pool owns a reference until page_job_complete runs. */
  g_thread_pool_push (self->worker, g_steal_pointer (&task), NULL);
}

void
gig_store_apply_server_page_async (GigStore            *self,
                                   GigCollection        collection,
                                   GPtrArray           *records,
                                   const char          *cursor_updated,
                                   const char          *cursor_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  apply_page_async (self, collection, records, FALSE, cursor_updated, cursor_id, cancellable,
                    callback, user_data);
}

void
gig_store_apply_server_records_async (GigStore            *self,
                                      GigCollection        collection,
                                      GPtrArray           *records,
                                      const char          *cursor_updated,
                                      const char          *cursor_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  apply_page_async (self, collection, records, TRUE, cursor_updated, cursor_id, cancellable,
                    callback, user_data);
}

gboolean
gig_store_apply_server_page_finish (GigStore            *self,
                                    GAsyncResult        *result,
                                    GigStoreApplyResult *out_result,
                                    GError             **error)
{
  PageJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  job = g_task_get_task_data (G_TASK (result));
  if (out_result)
    *out_result = job->result;
  return TRUE;
}

gboolean
gig_store_remove_records_not_in (GigStore      *self,
                                 GigCollection  collection,
                                 GHashTable    *ids_seen,
                                 guint         *out_removed,
                                 GError       **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *select_sql = NULL;
  g_autofree char *delete_sql = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids_seen != NULL, FALSE);

  if (!check_record_collection (collection, error))
    return FALSE;

  /* Only synced rows: anything with local work (pending, draft, conflict, failed) stays. */
  select_sql = g_strdup_printf ("SELECT id FROM %s WHERE local_state = 'synced'",
                                collection_names[collection]);
  delete_sql = g_strdup_printf ("DELETE FROM %s WHERE id = ? AND local_state = 'synced'",
                                collection_names[collection]);

  g_rec_mutex_lock (&self->lock);
  if (gig_store_begin (self, error))
    {
      g_autoptr(GigStoreStmt) select = gig_store_prepare (self, select_sql, error);
      int rc = SQLITE_ERROR;

      if (select != NULL)
        {
          while ((rc = sqlite3_step (select)) == SQLITE_ROW)
            {
              const char *id = (const char *) sqlite3_column_text (select, 0);
              if (!g_hash_table_contains (ids_seen, id))
                g_ptr_array_add (removed, g_strdup (id));
            }
          if (rc != SQLITE_DONE)
            gig_store_set_sqlite_error (error, self->db, _("Could not read the cache"));
          g_clear_pointer (&select, gig_store_stmt_release);
        }

      if (rc == SQLITE_DONE)
        {
          ok = TRUE;
          for (guint i = 0; ok && i < removed->len; i++)
            {
              g_autoptr(GigStoreStmt) del = gig_store_prepare (self, delete_sql, error);
              ok = del != NULL;
              if (ok)
                {
                  bind_text (del, 1, g_ptr_array_index (removed, i));
                  ok = step_done (self, del, error);
                }
            }
        }
      if (ok)
        ok = gig_store_commit (self, error);
      else
        gig_store_rollback (self);
    }
  g_rec_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;
  if (out_removed)
    *out_removed = removed->len;
  g_ptr_array_add (removed, NULL);
  gig_store_emit_changed (self, collection, (const char * const *) removed->pdata);
  return TRUE;
}

/* ---------------------------------------------------------------------------------------------- */
/* Cursors */

gboolean
gig_store_get_cursor (GigStore      *self,
                      GigCollection  collection,
                      char         **out_updated,
                      char         **out_id)
{
  gboolean found = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return FALSE;

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self,
      "SELECT cursor_updated, cursor_id FROM sync_state WHERE collection = ?"
      " AND cursor_updated IS NOT NULL", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, collection_names[collection]);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            found = TRUE;
            if (out_updated)
              *out_updated = column_dup (stmt, 0);
            if (out_id)
              *out_id = column_dup (stmt, 1);
          }
      }
  }
  g_mutex_unlock (&self->read_lock);
  return found;
}

gboolean
gig_store_set_cursor (GigStore       *self,
                      GigCollection   collection,
                      const char     *updated,
                      const char     *id,
                      GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return check_record_collection (collection, error);

  g_rec_mutex_lock (&self->lock);
  ok = set_cursor_locked (self, collection, updated, id, error);
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

static gint64
get_stamp (GigStore      *self,
           GigCollection  collection,
           const char    *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM sync_state WHERE collection = ?", column);
  gint64 value = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return 0;

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, sql, NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, collection_names[collection]);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          value = sqlite3_column_int64 (stmt, 0);
      }
  }
  g_mutex_unlock (&self->read_lock);
  return value;
}

static gboolean
set_stamp (GigStore       *self,
           GigCollection   collection,
           const char     *column,
           gint64          when,
           GError        **error)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO sync_state (collection, %s) VALUES (?, ?)"
    " ON CONFLICT (collection) DO UPDATE SET %s = excluded.%s", column, column, column);
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return check_record_collection (collection, error);

  g_rec_mutex_lock (&self->lock);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, error);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, collection_names[collection]);
        sqlite3_bind_int64 (stmt, 2, when);
        ok = step_done (self, stmt, error);
      }
  }
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

gint64
gig_store_get_last_full_sync (GigStore      *self,
                              GigCollection  collection)
{
  return get_stamp (self, collection, "last_full_sync");
}

gboolean
gig_store_set_last_full_sync (GigStore       *self,
                              GigCollection   collection,
                              gint64          when,
                              GError        **error)
{
  return set_stamp (self, collection, "last_full_sync", when, error);
}

gint64
gig_store_get_last_reconcile (GigStore      *self,
                              GigCollection  collection)
{
  return get_stamp (self, collection, "last_reconcile");
}

gboolean
gig_store_set_last_reconcile (GigStore       *self,
                              GigCollection   collection,
                              gint64          when,
                              GError        **error)
{
  return set_stamp (self, collection, "last_reconcile", when, error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Local writes */

static gboolean
insert_outbox (GigStore       *self,
               GigCollection   collection,
               const char     *id,
               GigOutboxOp     op,
               JsonObject     *fields,
               const char     *base_updated,
               GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "INSERT INTO outbox (collection, record_id, op, fields, base_updated) VALUES (?, ?, ?, ?, ?)",
    error);
  g_autofree char *text = NULL;

  if (stmt == NULL)
    return FALSE;
  text = gig_store_json_to_string (fields);
  bind_text (stmt, 1, collection_names[collection]);
  bind_text (stmt, 2, id);
  bind_text (stmt, 3, op == GIG_OUTBOX_OP_CREATE ? "create" : "update");
  bind_text (stmt, 4, text);
  bind_text (stmt, 5, base_updated);
  return step_done (self, stmt, error);
}

static gboolean
create_locked (GigStore       *self,
               GigCollection   collection,
               JsonObject     *fields,
               gboolean        draft,
               char          **out_id,
               GError        **error)
{
  const char *given = gig_json_object_get_string (fields, "id");
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) view = json_object_new ();
  g_autofree char *local_json = NULL;
  g_auto(Row) row = { 0 };

  if (given != NULL && !gig_id_is_valid (given))
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("“%s” is not a valid record id"), given);
      return FALSE;
    }
  id = given ? g_strdup (given) : gig_id_new ();

  if (!read_row (self, collection, id, &row, error))
    return FALSE;
  if (row.found)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("A %s record with id %s exists already"), collection_names[collection], id);
      return FALSE;
    }

  merge_into (view, fields);
  json_object_set_string_member (view, "id", id);
  local_json = gig_store_json_to_string (view);

  if (!gig_store_begin (self, error))
    return FALSE;
  if (!write_row (self, collection, id, view, NULL, NULL, local_json,
                  draft ? GIG_LOCAL_STATE_DRAFT : GIG_LOCAL_STATE_PENDING, NULL, NULL, error) ||
      (!draft && !insert_outbox (self, collection, id, GIG_OUTBOX_OP_CREATE, view, NULL, error)) ||
      !gig_store_commit (self, error))
    {
      gig_store_rollback (self);
      return FALSE;
    }

  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

gboolean
gig_store_create_record (GigStore       *self,
                         GigCollection   collection,
                         JsonObject     *fields,
                         char          **out_id,
                         GError        **error)
{
  g_autofree char *id = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!check_record_collection (collection, error))
    return FALSE;

  g_rec_mutex_lock (&self->lock);
  ok = check_open (self, error) && create_locked (self, collection, fields, FALSE, &id, error);
  g_rec_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;
  emit_changed_one (self, collection, id);
  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

/* The newest outbox row of a record if a change may still be folded into it: queued (not
 * handed out), and for creates never attempted (a create that may have reached the server must
 * stay as it was sent). */
static gboolean
find_coalescible_row (GigStore       *self,
                      GigCollection   collection,
                      const char     *id,
                      gint64         *out_seq,
                      JsonObject    **out_fields,
                      GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "SELECT seq, op, fields, attempts, state FROM outbox WHERE collection = ? AND record_id = ?"
    " ORDER BY seq DESC LIMIT 1", error);
  int rc;

  *out_seq = 0;
  *out_fields = NULL;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, collection_names[collection]);
  bind_text (stmt, 2, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *op = (const char *) sqlite3_column_text (stmt, 1);
      const char *state = (const char *) sqlite3_column_text (stmt, 4);
      int attempts = sqlite3_column_int (stmt, 3);

      if ((g_strcmp0 (state, "queued") == 0 || g_strcmp0 (state, "held") == 0) &&
          (g_strcmp0 (op, "update") == 0 || attempts == 0))
        {
          *out_seq = sqlite3_column_int64 (stmt, 0);
          *out_fields = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 2));
        }
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;
  gig_store_set_sqlite_error (error, self->db, _("Could not read the outbox"));
  return FALSE;
}

static gboolean
update_outbox_fields (GigStore    *self,
                      gint64       seq,
                      JsonObject  *fields,
                      GError     **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "UPDATE outbox SET fields = ? WHERE seq = ?", error);
  g_autofree char *text = NULL;

  if (stmt == NULL)
    return FALSE;
  text = gig_store_json_to_string (fields);
  bind_text (stmt, 1, text);
  sqlite3_bind_int64 (stmt, 2, seq);
  return step_done (self, stmt, error);
}

static gboolean
update_locked (GigStore       *self,
               GigCollection   collection,
               const char     *id,
               JsonObject     *changed_fields,
               GError        **error)
{
  g_auto(Row) row = { 0 };
  g_autoptr(JsonObject) view = NULL;
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *local_json = NULL;
  GigLocalState state;

  if (!read_row (self, collection, id, &row, error))
    return FALSE;
  if (!row.found)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No %s record with id %s"), collection_names[collection], id);
      return FALSE;
    }

  merge_into (changes, changed_fields);
  view = gig_store_json_from_string (row_view_json (&row));
  if (view == NULL)
    view = json_object_new ();
  merge_into (view, changes);
  local_json = gig_store_json_to_string (view);

  if (!gig_store_begin (self, error))
    return FALSE;

  state = row.state;
  if (row.state != GIG_LOCAL_STATE_DRAFT && json_object_get_size (changes) > 0)
    {
      gint64 seq;
      g_autoptr(JsonObject) queued = NULL;

      if (!find_coalescible_row (self, collection, id, &seq, &queued, error))
        goto fail;
      if (queued != NULL)
        {
          merge_into (queued, changes);
          if (!update_outbox_fields (self, seq, queued, error))
            goto fail;
        }
      else if (!insert_outbox (self, collection, id, GIG_OUTBOX_OP_UPDATE, changes,
                               row.server_updated, error))
        goto fail;

      if (state == GIG_LOCAL_STATE_SYNCED)
        state = GIG_LOCAL_STATE_PENDING;
    }

  if (!write_row (self, collection, id, view, row.server_updated, row.server_json, local_json,
                  state, row.local_error, row.conflict_json, error) ||
      !gig_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_update_record (GigStore       *self,
                         GigCollection   collection,
                         const char     *id,
                         JsonObject     *changed_fields,
                         GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (changed_fields != NULL, FALSE);

  if (!check_record_collection (collection, error))
    return FALSE;

  g_rec_mutex_lock (&self->lock);
  ok = check_open (self, error) && update_locked (self, collection, id, changed_fields, error);
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, collection, id);
  return ok;
}

gboolean
gig_store_save_draft (GigStore     *self,
                      JsonObject   *proposal_fields,
                      const char   *id_or_null,
                      char        **out_id,
                      GError      **error)
{
  g_autofree char *id = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (proposal_fields != NULL, FALSE);

  g_rec_mutex_lock (&self->lock);
  if (!check_open (self, error))
    ;
  else if (id_or_null == NULL)
    {
      ok = create_locked (self, GIG_COLLECTION_PROPOSALS, proposal_fields, TRUE, &id, error);
    }
  else
    {
      g_auto(Row) row = { 0 };

      if (read_row (self, GIG_COLLECTION_PROPOSALS, id_or_null, &row, error))
        {
          if (!row.found || row.state != GIG_LOCAL_STATE_DRAFT)
            g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                         _("No proposal draft with id %s"), id_or_null);
          else if (update_locked (self, GIG_COLLECTION_PROPOSALS, id_or_null, proposal_fields, error))
            {
              ok = TRUE;
              id = g_strdup (id_or_null);
            }
        }
    }
  g_rec_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;
  emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
read_draft (GigStore     *self,
            const char   *id,
            Row          *row,
            GError      **error)
{
  if (!read_row (self, GIG_COLLECTION_PROPOSALS, id, row, error))
    return FALSE;
  if (!row->found || row->state != GIG_LOCAL_STATE_DRAFT)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No proposal draft with id %s"), id);
      return FALSE;
    }
  return TRUE;
}

gboolean
gig_store_send_draft (GigStore    *self,
                      const char  *id,
                      GError     **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_rec_mutex_lock (&self->lock);
  {
    g_auto(Row) row = { 0 };
    g_autoptr(JsonObject) view = NULL;

    if (check_open (self, error) && read_draft (self, id, &row, error))
      {
        view = gig_store_json_from_string (row.local_json);
        if (view == NULL)
          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT,
                       _("The draft %s is unreadable"), id);
        else if (gig_store_begin (self, error))
          {
            ok = write_row (self, GIG_COLLECTION_PROPOSALS, id, view, NULL, NULL, row.local_json,
                            GIG_LOCAL_STATE_PENDING, NULL, NULL, error) &&
                 insert_outbox (self, GIG_COLLECTION_PROPOSALS, id, GIG_OUTBOX_OP_CREATE, view,
                                NULL, error) &&
                 gig_store_commit (self, error);
            if (!ok)
              gig_store_rollback (self);
          }
      }
  }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  return ok;
}

gboolean
gig_store_discard_draft (GigStore    *self,
                         const char  *id,
                         GError     **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_rec_mutex_lock (&self->lock);
  {
    g_auto(Row) row = { 0 };

    if (check_open (self, error) && read_draft (self, id, &row, error))
      {
        if (gig_store_begin (self, error))
          {
            g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
              "DELETE FROM proposals WHERE id = ? AND local_state = 'draft'", error);
            if (stmt != NULL)
              {
                bind_text (stmt, 1, id);
                ok = step_done (self, stmt, error);
              }
            g_clear_pointer (&stmt, gig_store_stmt_release);
            if (ok)
              ok = gig_store_commit (self, error);
            else
              gig_store_rollback (self);
          }
      }
  }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  return ok;
}

/* ---------------------------------------------------------------------------------------------- */
/* Outbox */

GPtrArray *
gig_store_outbox_next (GigStore *self,
                       guint     limit)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_outbox_entry_free);

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  if (limit == 0)
    return g_steal_pointer (&entries);

  g_rec_mutex_lock (&self->lock);
  {
    g_autoptr(GigStoreStmt) stmt = NULL;
    int rc = SQLITE_ERROR;

    if (self->db != NULL && gig_store_begin (self, NULL))
      {
        /* Only the oldest row of a record: its later rows wait, whatever their state. */
        stmt = gig_store_prepare (self,
          "SELECT o.seq, o.collection, o.record_id, o.op, o.fields, o.base_updated, o.attempts,"
          "       o.last_error"
          " FROM outbox o"
          " WHERE o.state = 'queued' AND o.next_attempt_at <= ?"
          "   AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.collection = o.collection"
          "                   AND p.record_id = o.record_id AND p.seq < o.seq)"
          " ORDER BY o.seq LIMIT ?", NULL);
        if (stmt != NULL)
          {
            sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
            sqlite3_bind_int64 (stmt, 2, limit);
            while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
              {
                GigOutboxEntry *entry = g_new0 (GigOutboxEntry, 1);
                GigCollection collection;

                entry->seq = sqlite3_column_int64 (stmt, 0);
                if (!gig_collection_from_string ((const char *) sqlite3_column_text (stmt, 1), &collection))
                  {
                    g_warning ("Outbox row %" G_GINT64_FORMAT " names an unknown collection", entry->seq);
                    gig_outbox_entry_free (entry);
                    continue;
                  }
                entry->collection = collection;
                entry->record_id = column_dup (stmt, 2);
                entry->op = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "create") == 0
                            ? GIG_OUTBOX_OP_CREATE : GIG_OUTBOX_OP_UPDATE;
                entry->fields = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 4));
                if (entry->fields == NULL)
                  entry->fields = json_object_new ();
                entry->base_updated = column_dup (stmt, 5);
                entry->attempts = sqlite3_column_int (stmt, 6) + 1;
                entry->last_error = column_dup (stmt, 7);
                g_ptr_array_add (entries, entry);
              }
            g_clear_pointer (&stmt, gig_store_stmt_release);
          }

        for (guint i = 0; rc == SQLITE_DONE && i < entries->len; i++)
          {
            GigOutboxEntry *entry = g_ptr_array_index (entries, i);
            g_autoptr(GigStoreStmt) mark = gig_store_prepare (self,
              "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE seq = ?", NULL);

            if (mark == NULL)
              rc = SQLITE_ERROR;
            else
              {
                sqlite3_bind_int64 (mark, 1, entry->seq);
                rc = sqlite3_step (mark);
              }
          }

        if (rc != SQLITE_DONE || !gig_store_commit (self, NULL))
          {
            g_warning ("Could not read the outbox: %s", self->db ? sqlite3_errmsg (self->db) : "closed");
            gig_store_rollback (self);
            g_ptr_array_set_size (entries, 0);
          }
      }
  }
  g_rec_mutex_unlock (&self->lock);

  return g_steal_pointer (&entries);
}

typedef struct {
  gboolean      found;
  GigCollection collection;
  char         *record_id;
  char         *op;
  char         *state;
} OutboxRow;

static void
outbox_row_clear (OutboxRow *row)
{
  g_free (row->record_id);
  g_free (row->op);
  g_free (row->state);
  memset (row, 0, sizeof *row);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OutboxRow, outbox_row_clear)

static gboolean
read_outbox_row (GigStore   *self,
                 gint64      seq,
                 OutboxRow  *row,
                 GError    **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "SELECT collection, record_id, op, state FROM outbox WHERE seq = ?", error);
  int rc;

  memset (row, 0, sizeof *row);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW &&
      gig_collection_from_string ((const char *) sqlite3_column_text (stmt, 0), &row->collection))
    {
      row->found = TRUE;
      row->record_id = column_dup (stmt, 1);
      row->op = column_dup (stmt, 2);
      row->state = column_dup (stmt, 3);
      return TRUE;
    }
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No outbox entry %lld"), (long long) seq);
      return FALSE;
    }
  gig_store_set_sqlite_error (error, self->db, _("Could not read the outbox"));
  return FALSE;
}

/* Re-derives the state of a record from its outbox rows and conflict (lock held, in a
 * transaction). When nothing is left, the local copy folds into the server copy. */
static gboolean
refresh_record_state (GigStore       *self,
                      GigCollection   collection,
                      const char     *id,
                      const char     *error_message,
                      GError        **error)
{
  g_auto(Row) row = { 0 };
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(JsonObject) view = NULL;
  gboolean has_failed = FALSE;
  GigLocalState state;
  const char *local_json;
  const char *server_json;
  const char *message;

  if (!read_row (self, collection, id, &row, error))
    return FALSE;
  if (!row.found)
    return TRUE;
  pending = pending_fields (self, collection, id, &has_failed, error);
  if (pending == NULL)
    return FALSE;

  state = derive_state (row.state, g_hash_table_size (pending), has_failed, row.conflict_json);
  local_json = row_view_json (&row);
  server_json = row.server_json;
  if (state == GIG_LOCAL_STATE_SYNCED && row.server_json == NULL)
    server_json = local_json;   /* pushed, but the server's answer is not known yet */
  if (state == GIG_LOCAL_STATE_SYNCED)
    local_json = NULL;
  message = error_message ? error_message : (state == GIG_LOCAL_STATE_FAILED ? row.local_error : NULL);

  view = gig_store_json_from_string (local_json ? local_json : server_json);
  if (view == NULL)
    view = json_object_new ();
  return write_row (self, collection, id, view, row.server_updated, server_json, local_json,
                    state, message, row.conflict_json, error);
}

static gboolean
delete_outbox_row (GigStore  *self,
                   gint64     seq,
                   GError   **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, "DELETE FROM outbox WHERE seq = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  return step_done (self, stmt, error);
}

static gboolean
fill_missing_base (GigStore       *self,
                   GigCollection   collection,
                   const char     *id,
                   const char     *updated,
                   GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = NULL;

  if (updated == NULL)
    return TRUE;
  stmt = gig_store_prepare (self,
    "UPDATE outbox SET base_updated = ? WHERE collection = ? AND record_id = ? AND op = 'update'"
    " AND base_updated IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, updated);
  bind_text (stmt, 2, collection_names[collection]);
  bind_text (stmt, 3, id);
  return step_done (self, stmt, error);
}

gboolean
gig_store_outbox_done (GigStore     *self,
                       gint64        seq,
                       JsonObject   *server_record,
                       GError      **error)
{
  g_auto(OutboxRow) row = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  if (check_open (self, error) && read_outbox_row (self, seq, &row, error) &&
      gig_store_begin (self, error))
    {
      AppliedKind kind;

      ok = delete_outbox_row (self, seq, error);
      /* an answer that cannot be stored leaves the row to the next pull, like no answer */
      if (server_record != NULL && !server_record_is_valid (row.collection, server_record, FALSE))
        server_record = NULL;
      if (ok && server_record != NULL)
        ok = apply_server_record (self, row.collection, server_record, TRUE, &kind, error);
      /* Edits made while the create was on its way were made on what it created. */
      if (ok && server_record != NULL)
        ok = fill_missing_base (self, row.collection, row.record_id,
                                gig_json_object_get_string (server_record, "updated"),
                                error);
      if (ok)
        ok = refresh_record_state (self, row.collection, row.record_id, NULL, error);
      if (ok)
        ok = gig_store_commit (self, error);
      else
        gig_store_rollback (self);
    }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, row.collection, row.record_id);
  return ok;
}

gboolean
gig_store_outbox_retry_later (GigStore     *self,
                              gint64        seq,
                              guint         delay_ms,
                              const char   *message,
                              GError      **error)
{
  g_auto(OutboxRow) row = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  if (check_open (self, error) && read_outbox_row (self, seq, &row, error))
    {
      /* A row held for a conflict meanwhile stays held. */
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "UPDATE outbox SET state = CASE state WHEN 'held' THEN 'held' ELSE 'queued' END,"
        " next_attempt_at = ?, last_error = ? WHERE seq = ?", error);
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, g_get_real_time () + (gint64) delay_ms * 1000);
          bind_text (stmt, 2, message);
          sqlite3_bind_int64 (stmt, 3, seq);
          ok = step_done (self, stmt, error);
        }
    }
  g_rec_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
set_outbox_state (GigStore    *self,
                  gint64       seq,
                  const char  *state,
                  const char  *message,
                  GError     **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = 0 WHERE seq = ?", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, state);
  bind_text (stmt, 2, message);
  sqlite3_bind_int64 (stmt, 3, seq);
  return step_done (self, stmt, error);
}

gboolean
gig_store_outbox_fail (GigStore    *self,
                       gint64       seq,
                       const char  *message,
                       GError     **error)
{
  g_auto(OutboxRow) row = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  if (check_open (self, error) && read_outbox_row (self, seq, &row, error) &&
      gig_store_begin (self, error))
    {
      ok = set_outbox_state (self, seq, "failed", message, error) &&
           refresh_record_state (self, row.collection, row.record_id,
                                 message ? message : _("The server refused the change"), error) &&
           gig_store_commit (self, error);
      if (!ok)
        gig_store_rollback (self);
    }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, row.collection, row.record_id);
  return ok;
}

gboolean
gig_store_outbox_requeue (GigStore    *self,
                          gint64       seq,
                          GError     **error)
{
  g_auto(OutboxRow) row = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  g_rec_mutex_lock (&self->lock);
  if (check_open (self, error) && read_outbox_row (self, seq, &row, error) &&
      gig_store_begin (self, error))
    {
      ok = set_outbox_state (self, seq, "queued", NULL, error) &&
           refresh_record_state (self, row.collection, row.record_id, NULL, error) &&
           gig_store_commit (self, error);
      if (!ok)
        gig_store_rollback (self);
    }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, row.collection, row.record_id);
  return ok;
}

static gboolean
set_record_rows_state (GigStore       *self,
                       GigCollection   collection,
                       const char     *id,
                       const char     *from_states_sql,
                       const char     *to_state,
                       GError        **error)
{
  g_autofree char *sql = g_strdup_printf (
    "UPDATE outbox SET state = ? WHERE collection = ? AND record_id = ? AND state IN (%s)",
    from_states_sql);
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, to_state);
  bind_text (stmt, 2, collection_names[collection]);
  bind_text (stmt, 3, id);
  return step_done (self, stmt, error);
}

static gboolean
write_conflict (GigStore       *self,
                GigCollection   collection,
                const char     *id,
                const char     *conflict_json,
                GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET conflict_json = ? WHERE id = ?",
                                          collection_names[collection]);
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, conflict_json);
  bind_text (stmt, 2, id);
  return step_done (self, stmt, error);
}

gboolean
gig_store_mark_conflict (GigStore       *self,
                         GigCollection   collection,
                         const char     *id,
                         JsonObject     *server_values,
                         GError        **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (server_values != NULL, FALSE);

  if (!check_record_collection (collection, error))
    return FALSE;

  g_rec_mutex_lock (&self->lock);
  {
    g_auto(Row) row = { 0 };

    if (check_open (self, error) && read_row (self, collection, id, &row, error))
      {
        if (!row.found)
          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                       _("No %s record with id %s"), collection_names[collection], id);
        else if (gig_store_begin (self, error))
          {
            g_autoptr(JsonObject) conflict = gig_store_json_from_string (row.conflict_json);
            g_autofree char *conflict_json = NULL;

            if (conflict == NULL)
              conflict = json_object_new ();
            merge_into (conflict, server_values);
            conflict_json = gig_store_json_to_string (conflict);

            ok = set_record_rows_state (self, collection, id, "'queued','sending'", "held", error) &&
                 write_conflict (self, collection, id, conflict_json, error) &&
                 refresh_record_state (self, collection, id, NULL, error) &&
                 gig_store_commit (self, error);
            if (!ok)
              gig_store_rollback (self);
          }
      }
  }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, collection, id);
  return ok;
}

/* Drops @field from the unsent rows of a record (the user took the server's value). */
static gboolean
drop_field_from_outbox (GigStore       *self,
                        GigCollection   collection,
                        const char     *id,
                        const char     *field,
                        GError        **error)
{
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);

  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
      "SELECT seq, fields, op FROM outbox WHERE collection = ? AND record_id = ?"
      " AND state IN ('held','queued')", error);
    int rc;

    if (stmt == NULL)
      return FALSE;
    bind_text (stmt, 1, collection_names[collection]);
    bind_text (stmt, 2, id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 seq = sqlite3_column_int64 (stmt, 0);
        JsonObject *object = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 1));

        g_array_append_val (seqs, seq);
        g_ptr_array_add (fields, object ? object : json_object_new ());
        g_ptr_array_add (ops, column_dup (stmt, 2));
      }
    if (rc != SQLITE_DONE)
      {
        gig_store_set_sqlite_error (error, self->db, _("Could not read the outbox"));
        return FALSE;
      }
  }

  for (guint i = 0; i < seqs->len; i++)
    {
      gint64 seq = g_array_index (seqs, gint64, i);
      JsonObject *object = g_ptr_array_index (fields, i);
      gboolean is_update = g_strcmp0 (g_ptr_array_index (ops, i), "update") == 0;

      /* A create keeps the whole record (with the server's value there is nothing to undo). */
      if (!is_update || !json_object_has_member (object, field))
        continue;
      json_object_remove_member (object, field);
      if (json_object_get_size (object) == 0)
        {
          if (!delete_outbox_row (self, seq, error))
            return FALSE;
        }
      else if (!update_outbox_fields (self, seq, object, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
rebase_outbox (GigStore       *self,
               GigCollection   collection,
               const char     *id,
               const char     *base_updated,
               GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "UPDATE outbox SET base_updated = ? WHERE collection = ? AND record_id = ? AND op = 'update'"
    " AND state IN ('held','queued')", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, base_updated);
  bind_text (stmt, 2, collection_names[collection]);
  bind_text (stmt, 3, id);
  return step_done (self, stmt, error);
}

static gboolean
resolve_locked (GigStore       *self,
                GigCollection   collection,
                const char     *id,
                const char     *field,
                gboolean        keep_mine,
                GError        **error)
{
  g_auto(Row) row = { 0 };
  g_autoptr(JsonObject) conflict = NULL;
  g_autofree char *conflict_json = NULL;

  if (!read_row (self, collection, id, &row, error))
    return FALSE;
  conflict = row.found ? gig_store_json_from_string (row.conflict_json) : NULL;
  if (conflict == NULL || !json_object_has_member (conflict, field))
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("The %s record %s has no conflict on “%s”"), collection_names[collection], id, field);
      return FALSE;
    }

  if (!gig_store_begin (self, error))
    return FALSE;

  if (keep_mine)
    {
      /* Mine goes out on top of the server's current version. */
      if (!rebase_outbox (self, collection, id, row.server_updated, error))
        goto fail;
    }
  else
    {
      g_autoptr(JsonObject) view = gig_store_json_from_string (row_view_json (&row));
      g_autofree char *local_json = NULL;

      if (view == NULL)
        view = json_object_new ();
      json_object_set_member (view, field, json_node_copy (json_object_get_member (conflict, field)));
      local_json = gig_store_json_to_string (view);
      if (!drop_field_from_outbox (self, collection, id, field, error) ||
          !write_row (self, collection, id, view, row.server_updated, row.server_json, local_json,
                      row.state, row.local_error, row.conflict_json, error))
        goto fail;
    }

  json_object_remove_member (conflict, field);
  if (json_object_get_size (conflict) > 0)
    conflict_json = gig_store_json_to_string (conflict);

  if (!write_conflict (self, collection, id, conflict_json, error))
    goto fail;
  if (conflict_json == NULL &&
      (!set_record_rows_state (self, collection, id, "'held'", "queued", error) ||
       !rebase_outbox (self, collection, id, row.server_updated, error)))
    goto fail;
  if (!refresh_record_state (self, collection, id, NULL, error) ||
      !gig_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_resolve_conflict (GigStore       *self,
                            GigCollection   collection,
                            const char     *id,
                            const char     *field,
                            gboolean        keep_mine,
                            GError        **error)
{
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && field != NULL, FALSE);

  if (!check_record_collection (collection, error))
    return FALSE;

  g_rec_mutex_lock (&self->lock);
  ok = check_open (self, error) && resolve_locked (self, collection, id, field, keep_mine, error);
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    emit_changed_one (self, collection, id);
  return ok;
}

static guint
count_outbox (GigStore   *self,
              const char *sql)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, sql, NULL);
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      count = sqlite3_column_int (stmt, 0);
  }
  g_mutex_unlock (&self->read_lock);
  return count;
}

guint
gig_store_pending_count (GigStore *self)
{
  return count_outbox (self, "SELECT count(*) FROM outbox WHERE state != 'failed'");
}

guint
gig_store_failed_count (GigStore *self)
{
  return count_outbox (self, "SELECT count(*) FROM outbox WHERE state = 'failed'");
}

guint
gig_store_conflict_count (GigStore *self)
{
  /* A record in conflict holds its outbox rows until every field is resolved. */
  return count_outbox (self, "SELECT count(*) FROM (SELECT DISTINCT collection, record_id"
                             " FROM outbox WHERE state = 'held')");
}

/* ---------------------------------------------------------------------------------------------- */
/* Reads */

gboolean
gig_store_get_row (GigStore       *self,
                   GigCollection   collection,
                   const char     *id,
                   JsonObject    **out_record,
                   GigLocalState  *out_state)
{
  g_auto(Row) row = { 0 };
  gboolean found = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return FALSE;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL && read_row_on (self, TRUE, collection, id, &row, NULL) && row.found)
    found = TRUE;
  g_mutex_unlock (&self->read_lock);

  if (!found)
    return FALSE;
  if (out_record)
    {
      *out_record = gig_store_json_from_string (row_view_json (&row));
      if (*out_record == NULL)
        return FALSE;
    }
  if (out_state)
    *out_state = row.state;
  return TRUE;
}

JsonObject *
gig_store_get_record (GigStore      *self,
                      GigCollection  collection,
                      const char    *id)
{
  JsonObject *record = NULL;

  if (!gig_store_get_row (self, collection, id, &record, NULL))
    return NULL;
  return record;
}

GHashTable *
gig_store_get_server_versions (GigStore           *self,
                               GigCollection       collection,
                               const char * const *ids,
                               guint               n_ids)
{
#define VERSION_SQL(table) "SELECT server_updated FROM " table " WHERE id = ? AND server_updated IS NOT NULL"
  static const char *sql[GIG_N_RECORD_COLLECTIONS] = {
    VERSION_SQL ("users"), VERSION_SQL ("projects"), VERSION_SQL ("proposals"), VERSION_SQL ("milestones"),
  };
#undef VERSION_SQL
  GHashTable *versions;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS)
    return versions;

  g_mutex_lock (&self->read_lock);
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(GigStoreStmt) stmt = prepare_read (self, sql[collection], NULL);

      if (stmt == NULL)
        break;
      bind_text (stmt, 1, ids[i]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_replace (versions, g_strdup (ids[i]),
                              g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  g_mutex_unlock (&self->read_lock);
  return versions;
}

JsonObject *
gig_store_get_server_record (GigStore      *self,
                             GigCollection  collection,
                             const char    *id)
{
  g_auto(Row) row = { 0 };

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return NULL;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL)
    read_row_on (self, TRUE, collection, id, &row, NULL);
  g_mutex_unlock (&self->read_lock);

  return gig_store_json_from_string (row.server_json);
}

gboolean
gig_store_get_record_meta (GigStore       *self,
                           GigCollection   collection,
                           const char     *id,
                           GigLocalState  *out_state,
                           char          **out_error,
                           JsonObject    **out_conflict)
{
  g_auto(Row) row = { 0 };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return FALSE;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL)
    read_row_on (self, TRUE, collection, id, &row, NULL);
  g_mutex_unlock (&self->read_lock);

  if (!row.found)
    return FALSE;
  if (out_state)
    *out_state = row.state;
  if (out_error)
    *out_error = g_steal_pointer (&row.local_error);
  if (out_conflict)
    *out_conflict = gig_store_json_from_string (row.conflict_json);
  return TRUE;
}

static void
json_object_unref_nullable (gpointer object)
{
  if (object != NULL)
    json_object_unref (object);
}

GPtrArray *
gig_store_get_records (GigStore           *self,
                       GigCollection       collection,
                       const char * const *ids)
{
  /* Holes are NULL: the free function must take them. */
  GPtrArray *records = g_ptr_array_new_with_free_func (json_object_unref_nullable);

  g_return_val_if_fail (GIG_IS_STORE (self), records);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_ptr_array_add (records, gig_store_get_record (self, collection, ids[i]));
  return records;
}

/* "web dev" -> "\"web\"* \"dev\"*": every word must match, as a prefix; whatever FTS5 would
 * read as syntax is dropped. NULL if no word is left. */
static char *
fts_match_expression (const char *text)
{
  GString *expr = g_string_new (NULL);
  GString *word = g_string_new (NULL);

  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          g_string_append_printf (expr, "%s\"%s\"*", expr->len ? " " : "", word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  g_string_free (word, TRUE);
  if (expr->len == 0)
    {
      g_string_free (expr, TRUE);
      return NULL;
    }
  return g_string_free (expr, FALSE);
}

typedef struct {
  GString *where;
  char    *binds[4];
  guint    n_binds;
} QuerySql;

static void
query_sql_clear (QuerySql *q)
{
  if (q->where)
    g_string_free (q->where, TRUE);
  for (guint i = 0; i < q->n_binds; i++)
    g_free (q->binds[i]);
  memset (q, 0, sizeof *q);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QuerySql, query_sql_clear)

static void
query_add (QuerySql   *q,
           const char *clause,
           const char *bind)
{
  g_string_append_printf (q->where, " AND %s", clause);
  if (bind != NULL || strchr (clause, '?') != NULL)
    {
      g_assert (q->n_binds < G_N_ELEMENTS (q->binds));
      q->binds[q->n_binds++] = g_strdup (bind ? bind : "");
    }
}

/* Builds the FROM/WHERE and ORDER BY of a query, or fails for combinations that make no sense. */
static gboolean
build_query (const GigStoreQuery  *query,
             QuerySql             *q,
             char                **out_order,
             GError              **error)
{
  GigCollection c = query->collection;
  const char *table;
  const char *order = NULL;

  if (!check_record_collection (c, error))
    return FALSE;
  table = collection_names[c];
  q->where = g_string_new (NULL);
  g_string_append_printf (q->where, "FROM %s t WHERE 1", table);

#define NEED(cond) G_STMT_START { if (!(cond)) goto invalid; } G_STMT_END
  switch (query->scope)
    {
    case GIG_STORE_SCOPE_ALL:
      query_add (q, "t.deleted = 0 AND t.local_state != 'draft'", NULL);
      break;
    case GIG_STORE_SCOPE_OPEN_PROJECTS:
      NEED (c == GIG_COLLECTION_PROJECTS);
      query_add (q, "t.deleted = 0 AND t.status = 'open'", NULL);
      break;
    case GIG_STORE_SCOPE_MY_PROJECTS:
      NEED (c == GIG_COLLECTION_PROJECTS && query->me);
      query_add (q, "t.owner = ? AND t.deleted = 0", query->me);
      break;
    case GIG_STORE_SCOPE_HIRED:
      NEED (c == GIG_COLLECTION_PROJECTS && query->me);
      query_add (q, "t.hired_freelancer = ? AND t.deleted = 0", query->me);
      break;
    case GIG_STORE_SCOPE_MY_PROPOSALS:
      NEED (c == GIG_COLLECTION_PROPOSALS && query->me);
      query_add (q, "t.freelancer = ? AND t.deleted = 0 AND t.local_state != 'draft'", query->me);
      break;
    case GIG_STORE_SCOPE_DRAFTS:
      NEED (c == GIG_COLLECTION_PROPOSALS);
      query_add (q, "t.local_state = 'draft'", NULL);
      break;
    case GIG_STORE_SCOPE_WITH_DRAFTS:
      NEED (c == GIG_COLLECTION_PROPOSALS);
      query_add (q, "t.deleted = 0", NULL);
      break;
    case GIG_STORE_SCOPE_TRASH:
      NEED (query->me);
      if (c == GIG_COLLECTION_PROJECTS)
        query_add (q, "t.deleted = 1 AND t.owner = ?", query->me);
      else if (c == GIG_COLLECTION_PROPOSALS)
        query_add (q, "t.deleted = 1 AND t.freelancer = ?", query->me);
      else if (c == GIG_COLLECTION_MILESTONES)
        query_add (q, "t.deleted = 1 AND t.project IN (SELECT id FROM projects WHERE owner = ?)",
                   query->me);
      else
        goto invalid;
      break;
    default:
      goto invalid;
    }

  if (query->project != NULL)
    {
      NEED (c == GIG_COLLECTION_PROPOSALS || c == GIG_COLLECTION_MILESTONES);
      query_add (q, "t.project = ?", query->project);
    }

  if (query->text != NULL && *query->text != '\0')
    {
      g_autofree char *match = fts_match_expression (query->text);
      g_autofree char *clause = NULL;

      NEED (c == GIG_COLLECTION_PROJECTS || c == GIG_COLLECTION_PROPOSALS);
      clause = g_strdup_printf ("t.rid IN (SELECT rowid / 4 FROM search_index"
                                " WHERE search_index MATCH ? AND rowid %% 4 = %d)",
                                c == GIG_COLLECTION_PROJECTS ? 1 : 2);
      /* Nothing searchable in the text: nothing matches. */
      if (match == NULL)
        query_add (q, "0", NULL);
      else
        query_add (q, clause, match);
    }

  switch (query->sort)
    {
    case GIG_STORE_SORT_NEWEST:
      order = "t.created DESC, t.id DESC";
      break;
    case GIG_STORE_SORT_UPDATED:
      order = "t.updated DESC, t.id DESC";
      break;
    case GIG_STORE_SORT_BUDGET:
      if (c == GIG_COLLECTION_PROJECTS)
        order = "t.budget DESC, t.id DESC";
      else if (c == GIG_COLLECTION_PROPOSALS || c == GIG_COLLECTION_MILESTONES)
        order = "t.amount DESC, t.id DESC";
      else
        goto invalid;
      break;
    case GIG_STORE_SORT_POSITION:
      NEED (c == GIG_COLLECTION_MILESTONES);
      order = "t.position, t.created, t.id";
      break;
    default:
      goto invalid;
    }
#undef NEED

  *out_order = g_strdup (order);
  return TRUE;

invalid:
  g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
               _("This list query does not apply to %s"), table);
  return FALSE;
}

static void
bind_query (sqlite3_stmt *stmt,
            QuerySql     *q)
{
  for (guint i = 0; i < q->n_binds; i++)
    bind_text (stmt, i + 1, q->binds[i]);
}

gboolean
gig_store_query_count (GigStore             *self,
                       const GigStoreQuery  *query,
                       guint                *out_count,
                       GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);

  if (!build_query (query, &q, &order, error))
    return FALSE;
  sql = g_strdup_printf ("SELECT count(*) %s", q.where->str);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, sql, error);
    if (stmt != NULL)
      {
        bind_query (stmt, &q);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            ok = TRUE;
            if (out_count)
              *out_count = sqlite3_column_int (stmt, 0);
          }
        else
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok;
}

GStrv
gig_store_query_ids (GigStore             *self,
                     const GigStoreQuery  *query,
                     guint                 offset,
                     guint                 limit,
                     GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!build_query (query, &q, &order, error))
    return NULL;
  sql = g_strdup_printf ("SELECT t.id %s ORDER BY %s LIMIT ? OFFSET ?", q.where->str, order);
  ids = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, sql, error);
    if (stmt != NULL)
      {
        int rc;

        bind_query (stmt, &q);
        sqlite3_bind_int64 (stmt, q.n_binds + 1, limit);
        sqlite3_bind_int64 (stmt, q.n_binds + 2, offset);
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          g_ptr_array_add (ids, column_dup (stmt, 0));
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      }
  }
  g_mutex_unlock (&self->read_lock);

  if (!ok)
    return NULL;
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* The sort key column of orders of the form "<key> DESC, t.id DESC", or NULL. */
static const char *
descending_key (const char *order)
{
  static const char *keys[] = { "t.created", "t.updated", "t.budget", "t.amount" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *form = g_strdup_printf ("%s DESC, t.id DESC", keys[i]);
      if (g_str_equal (order, form))
        return keys[i];
    }
  return NULL;
}

/* Position by counting the rows sorted before @id: a range over the list's index instead of
 * numbering the whole list. FALSE if that doesn't apply (other orders, a NULL key). */
static gboolean
query_position_by_key (GigStore     *self,
                       QuerySql     *q,
                       const char   *order,
                       const char   *id,
                       gint64       *out_position,
                       GError      **error)
{
  const char *key = descending_key (order);
  g_autofree char *key_sql = NULL;
  g_autofree char *count_sql = NULL;
  sqlite3_value *value = NULL;
  int rc;

  if (key == NULL)
    return FALSE;

  key_sql = g_strdup_printf ("SELECT %s %s AND t.id = ?", key, q->where->str);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, key_sql, error);

    if (stmt == NULL)
      return FALSE;
    bind_query (stmt, q);
    bind_text (stmt, q->n_binds + 1, id);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      {
        *out_position = -1;     /* not in the list */
        return TRUE;
      }
    if (rc != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
      return FALSE;
    value = sqlite3_value_dup (sqlite3_column_value (stmt, 0));
  }

  /* Sorted before: a greater key, or the same key and a greater id. */
  count_sql = g_strdup_printf ("SELECT count(*) %s AND (%s > ?1000 OR (%s = ?1000 AND t.id > ?1001))",
                               q->where->str, key, key);
  {
    g_autoptr(GigStoreStmt) stmt = prepare_read (self, count_sql, error);
    gboolean ok = FALSE;

    if (stmt != NULL)
      {
        bind_query (stmt, q);
        sqlite3_bind_value (stmt, 1000, value);
        bind_text (stmt, 1001, id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            *out_position = sqlite3_column_int64 (stmt, 0);
            ok = TRUE;
          }
      }
    sqlite3_value_free (value);
    return ok;
  }
}

gint64
gig_store_query_position (GigStore             *self,
                          const GigStoreQuery  *query,
                          const char           *id,
                          GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  gint64 position = -1;

  g_return_val_if_fail (GIG_IS_STORE (self), -1);
  g_return_val_if_fail (query != NULL && id != NULL, -1);

  if (!build_query (query, &q, &order, error))
    return -1;

  g_mutex_lock (&self->read_lock);
  if (!query_position_by_key (self, &q, order, id, &position, NULL))
    {
      g_autoptr(GigStoreStmt) stmt = NULL;

      sql = g_strdup_printf ("SELECT pos FROM (SELECT t.id AS id, row_number () OVER (ORDER BY %s) - 1"
                             " AS pos %s) WHERE id = ?", order, q.where->str);
      stmt = prepare_read (self, sql, error);
      position = -1;
      if (stmt != NULL)
        {
          int rc;

          bind_query (stmt, &q);
          bind_text (stmt, q.n_binds + 1, id);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            position = sqlite3_column_int64 (stmt, 0);
          else if (rc != SQLITE_DONE)
            gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
        }
    }
  g_mutex_unlock (&self->read_lock);
  return position;
}
