/* gig-store-departures.c: departures cursor, removal of departed records, reconcile flag
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-departures.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

/* The cursor lives in sync_state beside the collections' cursors, under a name no record
 * collection has. */
#define DEPARTURES_KEY "sync_departures"

gboolean
gig_store_get_departures_cursor (GigStore  *self,
                                 char     **out_updated,
                                 char     **out_id,
                                 gint64    *out_pulled_at)
{
  gboolean found = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
      "SELECT cursor_updated, cursor_id, last_full_sync FROM sync_state"
      " WHERE collection = '" DEPARTURES_KEY "' AND cursor_updated IS NOT NULL", NULL);

    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      {
        found = TRUE;
        if (out_updated)
          *out_updated = gig_store_column_dup (stmt, 0);
        if (out_id)
          *out_id = gig_store_column_dup (stmt, 1);
        if (out_pulled_at)
          *out_pulled_at = sqlite3_column_int64 (stmt, 2);
      }
  }
  gig_store_read_unlock (self);
  return found;
}

gboolean
gig_store_set_departures_cursor (GigStore    *self,
                                 const char  *updated,
                                 const char  *id,
                                 gint64       pulled_at,
                                 GError     **error)
{
  GigStoreValue values[] = { GIG_STORE_TEXT (updated), GIG_STORE_TEXT (id), GIG_STORE_INT (pulled_at) };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (updated != NULL, FALSE);

  return gig_store_write_statement (self,
    "INSERT INTO sync_state (collection, cursor_updated, cursor_id, last_full_sync)"
    " VALUES ('" DEPARTURES_KEY "', ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET"
    " cursor_updated = excluded.cursor_updated, cursor_id = excluded.cursor_id,"
    " last_full_sync = excluded.last_full_sync", NULL, values, G_N_ELEMENTS (values), error);
}

typedef struct {
  const char         *sql;
  const char * const *ids;
  const char * const *stamps;
  guint               n_ids;
  GPtrArray          *removed;
} DepartedJob;

static gboolean
remove_departed_on_writer (GigStore  *self,
                           gpointer   data,
                           GError   **error)
{
  DepartedJob *job = data;
  gboolean ok;

  if (!gig_store_begin (self, error))
    return FALSE;
  {
    g_autoptr(GigStoreStmt) del = gig_store_prepare (self, job->sql, error);

    ok = del != NULL;
    for (guint i = 0; ok && i < job->n_ids; i++)
      {
        gig_store_bind_text (del, 1, job->ids[i]);
        gig_store_bind_text (del, 2, job->stamps[i] ? job->stamps[i] : "");
        ok = gig_store_step_done (self, del, NULL, error);
        if (ok && sqlite3_changes (gig_store_get_db (self)) > 0)
          g_ptr_array_add (job->removed, (gpointer) job->ids[i]);
        sqlite3_reset (del);
        sqlite3_clear_bindings (del);
      }
  }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  if (!ok)
    g_ptr_array_set_size (job->removed, 0);
  return ok;
}

gboolean
gig_store_remove_departed (GigStore           *self,
                           GigCollection       collection,
                           const char * const *ids,
                           const char * const *stamps,
                           guint               n_ids,
                           guint              *out_removed,
                           GError            **error)
{
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autofree char *sql = NULL;
  const char *table;
  DepartedJob job;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_ids == 0 || (ids != NULL && stamps != NULL), FALSE);

  if (!gig_store_check_record_collection (collection, error))
    return FALSE;
  table = gig_collection_to_string (collection);
  if (out_removed)
    *out_removed = 0;
  if (n_ids == 0)
    return TRUE;

  /* Only synced rows: anything with local work (pending, draft, conflict, failed) stays. */
  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ? AND local_state = 'synced'"
                         " AND (?2 = '' OR server_updated IS NULL OR server_updated <= ?2)", table);

  job = (DepartedJob) { sql, ids, stamps, n_ids, removed };
  if (!gig_store_write (self, remove_departed_on_writer, &job, error))
    return FALSE;
  if (out_removed)
    *out_removed = removed->len;
  if (removed->len > 0)
    {
      g_ptr_array_add (removed, NULL);
      gig_store_emit_changed (self, collection, (const char * const *) removed->pdata);
    }
  return TRUE;
}

gboolean
gig_store_request_reconcile (GigStore  *self,
                             GError   **error)
{
  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    if (!gig_store_set_last_reconcile (self, c, 0, error))
      return FALSE;
  return TRUE;
}

gint64
gig_store_get_oldest_reconcile (GigStore *self)
{
  gint64 oldest = G_MAXINT64;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    oldest = MIN (oldest, gig_store_get_last_reconcile (self, c));
  return oldest;
}
