/* gig-store.c: the offline SQLite cache of one account
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/gig-id.h"
#include "gig-store-private.h"
#include "gig-store-schema.h"
#include "gig-store-sql.h"

G_DEFINE_QUARK (gig-store-error-quark, gig_store_error)

/* ---------------------------------------------------------------------------------------------- */
/* The object */

G_DEFINE_FINAL_TYPE (GigStore, gig_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  DAMAGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
  gig_store_assert_writer (self);
  return self->db;
}

void
gig_store_read_lock (GigStore *self)
{
  g_mutex_lock (&self->read_lock);
}

void
gig_store_read_unlock (GigStore *self)
{
  g_mutex_unlock (&self->read_lock);
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

gboolean
gig_store_check_open (GigStore  *self,
                      GError   **error)
{
  if (self->damage != NULL)
    {
      g_propagate_error (error, g_error_copy (self->damage));
      return FALSE;
    }
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

  gig_store_assert_writer (self);
  if (!gig_store_check_open (self, error))
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
GigStoreStmt *
gig_store_prepare_read (GigStore    *self,
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

gboolean
gig_store_read_count (GigStore    *self,
                      const char  *sql,
                      const char  *bind,
                      guint       *out_count,
                      GError     **error)
{
  gboolean ok = FALSE;

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, error);

    if (stmt != NULL)
      {
        if (bind != NULL)
          gig_store_bind_text (stmt, 1, bind);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            *out_count = (guint) sqlite3_column_int64 (stmt, 0);
            ok = TRUE;
          }
        else
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok;
}

gboolean
gig_store_exec (GigStore    *self,
                const char  *sql,
                GError     **error)
{
  gig_store_assert_writer (self);
  if (!gig_store_check_open (self, error))
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
  gig_store_assert_writer (self);
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
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
gig_store_emit_damaged (GigStore     *self,
                        const GError *error)
{
  g_signal_emit (self, signals[DAMAGED], 0, error);
}

void
gig_store_invoke (GigStore       *self,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  destroy)
{
  /* Always through the context's loop: g_main_context_invoke() would run @func right here on
   * a thread that can acquire the context, such as the writer while the store's thread waits
   * for a write. */
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[gigdesk] store result");
  g_source_attach (source, self->context);
  g_source_unref (source);
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
      gig_store_invoke (self, emit_changed_idle, idle, changed_idle_free);
    }
}

void
gig_store_emit_changed_one (GigStore      *self,
                            GigCollection  collection,
                            const char    *id)
{
  const char *ids[] = { id, NULL };

  gig_store_emit_changed (self, collection, ids);
}

/* ---------------------------------------------------------------------------------------------- */
/* Opening and migrations */

void
gig_store_set_damaged_error (GError     **error,
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

  /* NOMUTEX: one thread uses the connection, the writer (or the caller, for a file alone). */
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
        gig_store_set_damaged_error (error, path, sqlite3_errmsg (db));
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
  ok = gig_store_schema_migrate (db, version, NULL, error);
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

/* The writer connection is opened and migrated on the writer thread, like every other use of
 * it. A file that needs a migration is checked first: a damaged file is never migrated. */
static gboolean
open_on_writer (GigStore  *self,
                gpointer   data,
                GError   **error)
{
  int version;

  self->db = open_db (self->path, error);
  if (self->db == NULL)
    return FALSE;

  if (!gig_store_schema_read_version (self->db, &version, error))
    return FALSE;
  if (version > 0 && version < GIG_STORE_SCHEMA_VERSION)
    {
      if (!gig_store_check_intact (self->db, self->path, error))
        return FALSE;
      self->checked = TRUE;
    }
  return gig_store_schema_migrate (self->db, GIG_STORE_SCHEMA_VERSION, &self->schema_version, error);
}

GigStore *
gig_store_new_for_path (const char  *path,
                        GError     **error)
{
  g_autoptr(GigStore) self = NULL;
  GStatBuf info;

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

  self = g_object_new (GIG_TYPE_STORE, "path", path, NULL);
  if (!gig_store_writer_start (self, error) ||
      !gig_store_writer_call (self, open_on_writer, NULL, FALSE, error))
    return NULL;
  gig_store_writer_push (self, gig_store_check_on_writer, NULL);

  if (sqlite3_open_v2 (path, &self->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_exec (self->reader, "PRAGMA cache_size = -16384", NULL, NULL, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->reader, _("Could not open the cache for reading"));
      return NULL;
    }
  sqlite3_extended_result_codes (self->reader, 1);
  sqlite3_busy_timeout (self->reader, 5000);

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

static void
close_on_writer (GigStore *self,
                 gpointer  data)
{
  memset (self->hot, 0, sizeof self->hot);
  g_hash_table_remove_all (self->statements);
  if (self->db != NULL)
    {
      /* Fold the WAL back so that the file alone is the whole cache (a damaged one is left as
       * it was found). */
      if (self->damage == NULL)
        sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_warning ("Closing the cache: %s", sqlite3_errmsg (self->db));
      self->db = NULL;
    }
}

void
gig_store_close (GigStore *self)
{
  g_return_if_fail (GIG_IS_STORE (self));

  /* Queued pages finish first: they were accepted, so they must land. Then the writer closes
   * its connection and ends. */
  if (self->writer_thread != NULL)
    {
      if (gig_store_is_writer (self))
        {
          g_critical ("The cache was closed from its own writer thread");
          return;
        }
      gig_store_writer_stop (self, close_on_writer, NULL);
    }

  g_mutex_lock (&self->read_lock);
  g_hash_table_remove_all (self->read_statements);
  if (self->reader != NULL)
    {
      sqlite3_close (self->reader);
      self->reader = NULL;
    }
  g_mutex_unlock (&self->read_lock);
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
  g_clear_error (&self->damage);

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

  /**
   * GigStore::damaged:
   * @error: a GIG_STORE_ERROR_CORRUPT naming the file and the first damage found
   *
   * The check of every page that opening starts (on the writer thread) found the file damaged.
   * Nothing is written to it from then on: every write fails with @error. Close the store and
   * offer gig_store_recover(). Emitted once, on the store's thread.
   */
  signals[DAMAGED] =
    g_signal_new ("damaged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
gig_store_init (GigStore *self)
{
  g_mutex_init (&self->read_lock);
  self->read_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
}

