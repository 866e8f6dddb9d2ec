/* gig-store-recover.c: a damaged cache kept aside, what can be read carried into a fresh one
 *
 * SPDX-License-Identifier: MIT
 *
 * What only this computer has is carried over, as gig-store-unsent.c defines it (the rows the
 * sign-out guard counts): outbox rows (changes waiting to be pushed), record rows with local work
 * (drafts, edits not yet pushed, conflicts, refused changes), and unsent chat messages with their
 * outbox rows. Everything else came from the servers and comes back with the next sync. The
 * damaged file (and its WAL) is renamed, never changed or deleted: it is opened without a
 * checkpoint on close and with writes refused.
 *
 * A damaged b-tree can end a table scan early. Each table is read forwards until the first
 * error, then backwards from the end down to where the forward scan stopped, and read without its
 * indexes (which may be what is damaged), so only the rows on damaged pages themselves are lost.
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gig-store-private.h"

void
gig_store_recovery_free (GigStoreRecovery *recovery)
{
  if (recovery == NULL)
    return;
  g_free (recovery->kept_path);
  g_free (recovery->unreadable);
  g_free (recovery);
}

/* The columns of @table in the fresh file (the damaged one may be an older schema version: only
 * the columns both have are carried). */
static GHashTable *
fresh_columns (sqlite3    *db,
               const char *table)
{
  GHashTable *columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(%s)", table);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_hash_table_add (columns, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  return columns;
}

/* Copies the current row of @from into @table of @to. */
static gboolean
copy_row (sqlite3      *to,
          const char   *table,
          sqlite3_stmt *from,
          GHashTable   *columns)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) marks = g_string_new (NULL);
  g_autoptr(GArray) sources = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *sql = NULL;
  sqlite3_stmt *insert = NULL;
  int rc;

  /* column 0 is the rowid the scan orders by */
  for (int i = 1; i < sqlite3_column_count (from); i++)
    {
      const char *name = sqlite3_column_name (from, i);

      if (!g_hash_table_contains (columns, name))
        continue;
      g_string_append_printf (names, "%s\"%s\"", names->len ? ", " : "", name);
      g_string_append (marks, marks->len ? ", ?" : "?");
      g_array_append_val (sources, i);
    }
  sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (%s) VALUES (%s)", table, names->str, marks->str);
  if (sqlite3_prepare_v2 (to, sql, -1, &insert, NULL) != SQLITE_OK)
    {
      g_warning ("Recovering %s: %s", table, sqlite3_errmsg (to));
      return FALSE;
    }
  for (guint i = 0; i < sources->len; i++)
    sqlite3_bind_value (insert, (int) i + 1, sqlite3_column_value (from, g_array_index (sources, int, i)));
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    g_warning ("Recovering a row of %s: %s", table, sqlite3_errmsg (to));
  sqlite3_finalize (insert);
  return rc == SQLITE_DONE;
}

/* Reads @part's rows of @from forwards, or backwards down to the rows after @after (if
 * @has_after); copies each. Returns TRUE if the scan reached its end. @last_rowid: the last
 * rowid read. */
static gboolean
scan_part (sqlite3               *from,
           sqlite3               *to,
           const GigStoreOwnPart *part,
           GHashTable            *columns,
           gboolean               backwards,
           gboolean               has_after,
           gint64                 after,
           gint64                *last_rowid,
           guint                 *copied)
{
  g_autofree char *bound = has_after ? g_strdup_printf (" AND rowid > %" G_GINT64_FORMAT, after)
                                     : g_strdup ("");
  g_autofree char *sql = g_strdup_printf ("SELECT rowid, * FROM %s NOT INDEXED WHERE (%s)%s ORDER BY rowid %s",
                                          part->table, part->where, bound, backwards ? "DESC" : "ASC");
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (from, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_debug ("recovery: cannot read %s: %s", part->table, sqlite3_errmsg (from));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *last_rowid = sqlite3_column_int64 (stmt, 0);
      if (copy_row (to, part->table, stmt, columns))
        (*copied)++;
    }
  if (rc != SQLITE_DONE)
    g_debug ("recovery: %s %s stopped: %s", part->table, backwards ? "backwards" : "forwards",
             sqlite3_errmsg (from));
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* Where the report counts a part's rows. */
static guint *
report_slot (GigStoreRecovery      *recovery,
             const GigStoreOwnPart *part)
{
  switch (part->kind)
    {
    case GIG_STORE_OWN_CHANGES:
      return &recovery->changes;
    case GIG_STORE_OWN_DRAFTS:
      return &recovery->drafts;
    case GIG_STORE_OWN_EDITS:
      return &recovery->edits;
    case GIG_STORE_OWN_MESSAGES:
      return &recovery->messages;
    case GIG_STORE_OWN_MESSAGE_ROWS:
      return &recovery->message_rows;
    default:
      g_assert_not_reached ();
    }
}

/* Copies @part, counting its rows in @count; TRUE if every row of it could be read. */
static gboolean
recover_part (sqlite3               *from,
              sqlite3               *to,
              const GigStoreOwnPart *part,
              guint                 *count)
{
  g_autoptr(GHashTable) columns = fresh_columns (to, part->table);
  gint64 forward_last = 0;
  gint64 backward_last = 0;
  guint copied = 0;
  gboolean complete;

  complete = scan_part (from, to, part, columns, FALSE, FALSE, 0, &forward_last, &copied);
  if (!complete)
    /* from the end back to where the damage stopped the forward scan */
    scan_part (from, to, part, columns, TRUE, copied > 0, forward_last, &backward_last, &copied);
  *count += copied;
  return complete;
}

static gboolean
keep_aside (const char  *path,
            const char  *kept,
            GError     **error)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal", NULL };

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (kept, suffixes[i], NULL);

      if (!g_file_test (from, G_FILE_TEST_EXISTS))
        continue;
      if (g_rename (from, to) != 0)
        {
          int saved = errno;

          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_FAILED,
                       _("Could not keep the damaged cache aside as %s: %s"), to, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct {
  sqlite3          *damaged;     /* NULL if it could not be opened */
  GigStoreRecovery *recovery;
  GPtrArray        *unreadable;  /* the labels of the parts not read whole */
} CopyJob;

/* Every part into the fresh cache, in one transaction on its writer. */
static gboolean
copy_on_writer (GigStore  *self,
                gpointer   data,
                GError   **error)
{
  CopyJob *job = data;
  guint n_parts;
  const GigStoreOwnPart *parts = gig_store_own_parts (&n_parts);

  if (!gig_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < n_parts; i++)
    if (job->damaged == NULL ||
        !recover_part (job->damaged, gig_store_get_db (self), &parts[i], report_slot (job->recovery, &parts[i])))
      {
        const char *label = _(parts[i].label);

        if (!g_ptr_array_find_with_equal_func (job->unreadable, label, g_str_equal, NULL))
          g_ptr_array_add (job->unreadable, (gpointer) label);
      }
  return gig_store_commit (self, error);
}

GigStoreRecovery *
gig_store_recover (const char  *path,
                   GError     **error)
{
  g_autoptr(GigStoreRecovery) recovery = g_new0 (GigStoreRecovery, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autoptr(GigStore) fresh = NULL;
  g_autoptr(GPtrArray) unreadable = g_ptr_array_new ();
  sqlite3 *damaged = NULL;
  CopyJob job;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  /* A second recovery in the same second must not overwrite the first one's file. */
  recovery->kept_path = g_strdup_printf ("%s.damaged-%s", path, stamp);
  for (guint n = 2; g_file_test (recovery->kept_path, G_FILE_TEST_EXISTS); n++)
    {
      g_free (recovery->kept_path);
      recovery->kept_path = g_strdup_printf ("%s.damaged-%s-%u", path, stamp, n);
    }
  if (!keep_aside (path, recovery->kept_path, error))
    return NULL;

  fresh = gig_store_new_for_path (path, error);
  if (fresh == NULL)
    return NULL;

  if (sqlite3_open_v2 (recovery->kept_path, &damaged, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_db_config (damaged, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK ||
      /* writable_schema lets SQLite read a file shorter than its header says (it refuses that
       * as corrupt otherwise); query_only keeps every write out. */
      sqlite3_exec (damaged, "PRAGMA query_only = ON; PRAGMA writable_schema = ON", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_debug ("recovery: cannot open %s: %s", recovery->kept_path, sqlite3_errmsg (damaged));
      g_clear_pointer (&damaged, sqlite3_close);
    }

  job = (CopyJob) { damaged, recovery, unreadable };
  ok = gig_store_write (fresh, copy_on_writer, &job, error);
  sqlite3_close (damaged);
  if (!ok)
    return NULL;
  gig_store_close (fresh);

  recovery->complete = unreadable->len == 0;
  if (unreadable->len > 0)
    {
      g_ptr_array_add (unreadable, NULL);
      recovery->unreadable = g_strjoinv (", ", (char **) unreadable->pdata);
    }
  g_message ("Recovered the cache %s: %u changes, %u drafts, %u edited records, %u unsent messages%s%s; "
             "the damaged file is %s", path, recovery->changes, recovery->drafts, recovery->edits,
             recovery->messages, recovery->unreadable ? "; not all read: " : "",
             recovery->unreadable ? recovery->unreadable : "", recovery->kept_path);
  return g_steal_pointer (&recovery);
}

static void
recover_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GigStoreRecovery *recovery = gig_store_recover (task_data, &error);

  if (recovery == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, recovery, (GDestroyNotify) gig_store_recovery_free);
}

void
gig_store_recover_async (const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gig_store_recover_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, recover_thread);
}

GigStoreRecovery *
gig_store_recover_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
