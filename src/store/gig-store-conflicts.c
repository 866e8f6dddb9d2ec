/* gig-store-conflicts.c: fields changed on both sides: marked, then resolved field by field
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

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
  gig_store_bind_text (stmt, 1, to_state);
  gig_store_bind_text (stmt, 2, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 3, id);
  return gig_store_step_done (self, stmt, NULL, error);
}

static gboolean
write_conflict (GigStore       *self,
                GigCollection   collection,
                const char     *id,
                const char     *conflict_json,
                GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET conflict_json = ? WHERE id = ?",
                                          gig_collection_to_string (collection));
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  gig_store_bind_text (stmt, 1, conflict_json);
  gig_store_bind_text (stmt, 2, id);
  return gig_store_step_done (self, stmt, NULL, error);
}

typedef struct {
  GigCollection  collection;
  const char    *id;
  JsonObject    *server_values;
  const char    *field;
  gboolean       keep_mine;
} ConflictJob;

static gboolean
mark_conflict_on_writer (GigStore  *self,
                         gpointer   data,
                         GError   **error)
{
  ConflictJob *job = data;
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(JsonObject) conflict = NULL;
  g_autofree char *conflict_json = NULL;

  if (!gig_store_read_row (self, job->collection, job->id, &row, error))
    return FALSE;
  if (!row.found)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No %s record with id %s"), gig_collection_to_string (job->collection), job->id);
      return FALSE;
    }
  if (!gig_store_begin (self, error))
    return FALSE;

  conflict = gig_store_json_from_string (row.conflict_json);
  if (conflict == NULL)
    conflict = json_object_new ();
  gig_store_merge_fields (conflict, job->server_values);
  conflict_json = gig_store_json_to_string (conflict);

  if (set_record_rows_state (self, job->collection, job->id, "'queued','sending'", "held", error) &&
      write_conflict (self, job->collection, job->id, conflict_json, error) &&
      gig_store_refresh_record_state (self, job->collection, job->id, NULL, error) &&
      gig_store_commit (self, error))
    return TRUE;
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_mark_conflict (GigStore       *self,
                         GigCollection   collection,
                         const char     *id,
                         JsonObject     *server_values,
                         GError        **error)
{
  ConflictJob job = { collection, id, server_values };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (server_values != NULL, FALSE);

  if (!gig_store_check_record_collection (collection, error) ||
      !gig_store_write (self, mark_conflict_on_writer, &job, error))
    return FALSE;
  gig_store_emit_changed_one (self, collection, id);
  return TRUE;
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
    gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
    gig_store_bind_text (stmt, 2, id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 seq = sqlite3_column_int64 (stmt, 0);
        JsonObject *object = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 1));

        g_array_append_val (seqs, seq);
        g_ptr_array_add (fields, object ? object : json_object_new ());
        g_ptr_array_add (ops, gig_store_column_dup (stmt, 2));
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
          if (!gig_store_delete_outbox_row (self, seq, error))
            return FALSE;
        }
      else if (!gig_store_update_outbox_fields (self, seq, object, error))
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
  gig_store_bind_text (stmt, 1, base_updated);
  gig_store_bind_text (stmt, 2, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 3, id);
  return gig_store_step_done (self, stmt, NULL, error);
}

static gboolean
resolve_on_writer (GigStore  *self,
                   gpointer   data,
                   GError   **error)
{
  ConflictJob *job = data;
  GigCollection collection = job->collection;
  const char *id = job->id;
  const char *field = job->field;
  gboolean keep_mine = job->keep_mine;
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(JsonObject) conflict = NULL;
  g_autofree char *conflict_json = NULL;

  if (!gig_store_read_row (self, collection, id, &row, error))
    return FALSE;
  conflict = row.found ? gig_store_json_from_string (row.conflict_json) : NULL;
  if (conflict == NULL || !json_object_has_member (conflict, field))
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("The %s record %s has no conflict on “%s”"), gig_collection_to_string (collection), id, field);
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
      g_autoptr(JsonObject) view = gig_store_json_from_string (gig_store_row_view_json (&row));
      g_autofree char *local_json = NULL;

      if (view == NULL)
        view = json_object_new ();
      json_object_set_member (view, field, json_node_copy (json_object_get_member (conflict, field)));
      local_json = gig_store_json_to_string (view);
      if (!drop_field_from_outbox (self, collection, id, field, error) ||
          !gig_store_write_row (self, collection, id, view, row.server_updated, row.server_json, local_json,
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
  if (!gig_store_refresh_record_state (self, collection, id, NULL, error) ||
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
  ConflictJob job = { collection, id, NULL, field, keep_mine };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL && field != NULL, FALSE);

  if (!gig_store_check_record_collection (collection, error) ||
      !gig_store_write (self, resolve_on_writer, &job, error))
    return FALSE;
  gig_store_emit_changed_one (self, collection, id);
  return TRUE;
}

