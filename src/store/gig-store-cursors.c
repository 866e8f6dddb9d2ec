/* gig-store-cursors.c: pull cursors and the times of the last full pull and reconciliation
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

gboolean
gig_store_cursor_is_valid (const char *updated,
                           const char *id,
                           GError    **error)
{
  if (gig_stamp_is_valid (updated) && (id == NULL || gig_id_is_valid (id)))
    return TRUE;
  g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                       _("A sync cursor that is not a valid timestamp and id was refused"));
  return FALSE;
}

gboolean
gig_store_set_cursor_on_writer (GigStore       *self,
                                GigCollection   collection,
                                const char     *updated,
                                const char     *id,
                                GError        **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
    "INSERT INTO sync_state (collection, cursor_updated, cursor_id) VALUES (?, ?, ?)"
    " ON CONFLICT (collection) DO UPDATE SET cursor_updated = excluded.cursor_updated,"
    " cursor_id = excluded.cursor_id", error);

  if (stmt == NULL || (updated != NULL && !gig_store_cursor_is_valid (updated, id, error)))
    return FALSE;
  gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 2, updated);
  gig_store_bind_text (stmt, 3, id);
  return gig_store_step_done (self, stmt, NULL, error);
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
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
      "SELECT cursor_updated, cursor_id FROM sync_state WHERE collection = ?"
      " AND cursor_updated IS NOT NULL", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            found = TRUE;
            if (out_updated)
              *out_updated = gig_store_column_dup (stmt, 0);
            if (out_id)
              *out_id = gig_store_column_dup (stmt, 1);
          }
      }
  }
  g_mutex_unlock (&self->read_lock);
  return found;
}

typedef struct {
  GigCollection  collection;
  const char    *updated;
  const char    *id;
} CursorJob;

static gboolean
set_cursor_on_writer (GigStore  *self,
                      gpointer   data,
                      GError   **error)
{
  CursorJob *job = data;

  return gig_store_set_cursor_on_writer (self, job->collection, job->updated, job->id, error);
}

gboolean
gig_store_set_cursor (GigStore       *self,
                      GigCollection   collection,
                      const char     *updated,
                      const char     *id,
                      GError        **error)
{
  CursorJob job = { collection, updated, id };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return gig_store_check_record_collection (collection, error);

  return gig_store_write (self, set_cursor_on_writer, &job, error);
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
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
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
  GigStoreValue values[] = { GIG_STORE_TEXT (gig_collection_to_string (collection)), GIG_STORE_INT (when) };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return gig_store_check_record_collection (collection, error);

  return gig_store_write_statement (self, sql, NULL, values, G_N_ELEMENTS (values), error);
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

