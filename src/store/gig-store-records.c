/* gig-store-records.c: server records taken in: pages on the worker, upserts, reconciliation
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "core/gig-raw-record.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

/* Takes @record as the new server version of its row. On the writer, inside a transaction.
 * @force: also when the cached server copy has the same `updated` (after a push). */
gboolean
gig_store_apply_server_record (GigStore       *self,
                               GigCollection   collection,
                               JsonObject     *record,
                               gboolean        force,
                               GigStoreApplied *out_kind,
                               GError        **error)
{
  const char *id = gig_json_object_get_string (record, "id");
  const char *updated = gig_json_object_get_string (record, "updated");
  g_auto(GigStoreRow) row = { 0 };
  g_autofree char *server_json = NULL;

  if (id == NULL || *id == '\0')
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("A %s record from the server has no id"), gig_collection_to_string (collection));
      return FALSE;
    }

  if (!gig_store_read_row (self, collection, id, &row, error))
    return FALSE;

  /* The overlap window re-reads records we already have: skip them. And a page read before a
   * live event arrived must not take the record back to an older version (the timestamps are
   * fixed-width UTC text, so text order is time order). */
  if (row.found && updated != NULL && row.server_updated != NULL &&
      (strcmp (updated, row.server_updated) < 0 ||
       (!force && strcmp (updated, row.server_updated) == 0)))
    {
      *out_kind = GIG_STORE_APPLIED_UNCHANGED;
      return TRUE;
    }

  server_json = gig_store_json_to_string (record);

  if (!row.found || row.state == GIG_LOCAL_STATE_SYNCED)
    {
      *out_kind = row.found ? GIG_STORE_APPLIED_UPDATED : GIG_STORE_APPLIED_INSERTED;
      return gig_store_write_row_rid (self, collection, row.found ? row.rid : 0, id, record, updated,
                                      server_json, NULL, GIG_LOCAL_STATE_SYNCED, NULL, NULL, error);
    }

  if (row.state == GIG_LOCAL_STATE_DRAFT)
    {
      /* Only a draft's own creator has it; keep what is being written. */
      g_autoptr(JsonObject) view = gig_store_json_from_string (row.local_json);

      *out_kind = GIG_STORE_APPLIED_KEPT_LOCAL;
      if (view == NULL)
        view = json_object_ref (record);
      return gig_store_write_row (self, collection, id, view, updated, server_json, row.local_json,
                                  GIG_LOCAL_STATE_DRAFT, row.local_error, row.conflict_json, error);
    }

  {
    gboolean has_failed = FALSE;
    g_autoptr(GHashTable) pending = gig_store_pending_fields (self, collection, id, &has_failed, error);
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
    local = gig_store_json_from_string (gig_store_row_view_json (&row));
    view = gig_store_json_copy (record);
    g_hash_table_iter_init (&iter, pending);
    while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
      {
        JsonNode *node = local ? json_object_get_member (local, name) : NULL;
        if (node != NULL)
          json_object_set_member (view, name, json_node_copy (node));
      }

    state = gig_store_derive_state (row.state, g_hash_table_size (pending), has_failed, row.conflict_json);
    if (state != GIG_LOCAL_STATE_SYNCED)
      local_json = gig_store_json_to_string (view);
    *out_kind = g_hash_table_size (pending) > 0 ? GIG_STORE_APPLIED_KEPT_LOCAL : GIG_STORE_APPLIED_UPDATED;
    return gig_store_write_row (self, collection, id, view, updated, server_json, local_json, state,
                                state == GIG_LOCAL_STATE_SYNCED ? NULL : row.local_error,
                                row.conflict_json, error);
  }
}

/* gig_store_apply_server_record for a record kept as the server's text: a row that is new or synced
 * (every row of a first pull) is written straight from the text; a row with local work goes
 * the general way. */
static gboolean
apply_server_raw (GigStore           *self,
                  GigCollection       collection,
                  const GigRawRecord *raw,
                  GigStoreApplied    *out_kind,
                  GError            **error)
{
  const char *updated = gig_raw_record_get_updated (raw);
  g_auto(GigStoreRow) row = { 0 };
  gboolean inserted = FALSE;

  /* Nearly every record of a first pull is new: insert it unless its id is taken, and look at
   * the cached row only when it is. */
  if (!gig_store_write_row_raw (self, collection, -1, raw, &inserted, error))
    return FALSE;
  if (inserted)
    {
      *out_kind = GIG_STORE_APPLIED_INSERTED;
      return TRUE;
    }

  if (!gig_store_read_row (self, collection, gig_raw_record_get_id (raw), &row, error))
    return FALSE;

  if (row.found && updated != NULL && row.server_updated != NULL &&
      strcmp (updated, row.server_updated) <= 0)
    {
      *out_kind = GIG_STORE_APPLIED_UNCHANGED;
      return TRUE;
    }

  if (!row.found || row.state == GIG_LOCAL_STATE_SYNCED)
    {
      *out_kind = row.found ? GIG_STORE_APPLIED_UPDATED : GIG_STORE_APPLIED_INSERTED;
      return gig_store_write_row_raw (self, collection, row.found ? row.rid : 0, raw, NULL, error);
    }

  {
    g_autoptr(JsonObject) record = gig_raw_record_to_object (raw);

    return gig_store_apply_server_record (self, collection, record, FALSE, out_kind, error);
  }
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
gboolean
gig_store_server_record_is_valid (GigCollection  collection,
                                  gpointer       record,
                                  gboolean       raw)
{
  const char *id = raw ? gig_raw_record_get_id (record) : tree_string (record, "id");
  const char *updated = raw ? gig_raw_record_get_updated (record) : tree_string (record, "updated");
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
             gig_collection_to_string (collection), shown_id, shown_updated);
  return FALSE;
}

/* One page in one transaction, on the writer. @changed collects the ids that views must refresh.
 * @records: JsonObject, or GigRawRecord if @raw. */
static gboolean
apply_page (GigStore            *self,
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

  if (!gig_store_check_record_collection (collection, error) ||
      (cursor_updated != NULL && !gig_store_cursor_is_valid (cursor_updated, cursor_id, error)) ||
      !gig_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < records->len; i++)
    {
      gpointer record = g_ptr_array_index (records, i);
      GigStoreApplied kind;
      gboolean ok;

      if (!gig_store_server_record_is_valid (collection, record, raw))
        {
          result->skipped++;
          continue;
        }
      ok = raw ? apply_server_raw (self, collection, record, &kind, error)
               : gig_store_apply_server_record (self, collection, record, FALSE, &kind, error);
      if (!ok)
        {
          gig_store_rollback (self);
          g_ptr_array_set_size (changed, 0);
          return FALSE;
        }
      switch (kind)
        {
        case GIG_STORE_APPLIED_UNCHANGED:
          result->unchanged++;
          continue;
        case GIG_STORE_APPLIED_INSERTED:
          result->inserted++;
          break;
        case GIG_STORE_APPLIED_UPDATED:
          result->updated++;
          break;
        case GIG_STORE_APPLIED_KEPT_LOCAL:
          result->kept_local++;
          break;
        default:
          g_assert_not_reached ();
        }
      g_ptr_array_add (changed, g_strdup (raw ? gig_raw_record_get_id (record)
                                              : json_object_get_string_member (record, "id")));
    }

  if (cursor_updated != NULL &&
      !gig_store_set_cursor_on_writer (self, collection, cursor_updated, cursor_id, error))
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

static gboolean
apply_page_on_writer (GigStore  *self,
                      gpointer   data,
                      GError   **error)
{
  PageJob *job = data;

  return apply_page (self, job->collection, job->records, job->raw, job->cursor_updated,
                     job->cursor_id, &job->result, job->changed, error);
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
  PageJob job = { collection, records, FALSE, (char *) cursor_updated, (char *) cursor_id, { 0 }, changed };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  if (!gig_store_write (self, apply_page_on_writer, &job, error))
    return FALSE;
  if (out_result)
    *out_result = job.result;
  gig_store_emit_changed (self, collection, (const char * const *) changed->pdata);
  return TRUE;
}

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

/* On the writer thread, in queue order. */
static void
page_job_run (GigStore *self,
              gpointer  data)
{
  GTask *task = data;
  PageJob *job = g_task_get_task_data (task);

  job->changed = g_ptr_array_new_with_free_func (g_free);
  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &job->error) &&
      gig_store_check_open (self, &job->error))
    apply_page_on_writer (self, job, &job->error);

  gig_store_invoke (self, page_job_complete, task, g_object_unref);
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

  if (self->jobs == NULL)
    {
      g_task_return_new_error (task, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
      return;
    }
  if (!gig_store_check_record_collection (collection, &error))
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

  /* The queue owns a reference until page_job_complete runs. */
  gig_store_writer_push (self, page_job_run, g_steal_pointer (&task));
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

typedef struct {
  const char *select_sql;
  const char *delete_sql;
  GHashTable *ids_seen;
  GPtrArray  *removed;
} RemoveJob;

static gboolean
remove_not_in_on_writer (GigStore  *self,
                         gpointer   data,
                         GError   **error)
{
  RemoveJob *job = data;
  gboolean ok = FALSE;
  int rc = SQLITE_ERROR;

  if (!gig_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(GigStoreStmt) select = gig_store_prepare (self, job->select_sql, error);

    if (select != NULL)
      {
        while ((rc = sqlite3_step (select)) == SQLITE_ROW)
          {
            const char *id = gig_store_column_text (select, 0);
            if (!g_hash_table_contains (job->ids_seen, id))
              g_ptr_array_add (job->removed, g_strdup (id));
          }
        if (rc != SQLITE_DONE)
          gig_store_set_sqlite_error (error, self->db, _("Could not read the cache"));
      }
  }

  if (rc == SQLITE_DONE)
    {
      ok = TRUE;
      for (guint i = 0; ok && i < job->removed->len; i++)
        {
          g_autoptr(GigStoreStmt) del = gig_store_prepare (self, job->delete_sql, error);
          ok = del != NULL;
          if (ok)
            {
              gig_store_bind_text (del, 1, g_ptr_array_index (job->removed, i));
              ok = gig_store_step_done (self, del, NULL, error);
            }
        }
    }
  if (ok)
    return gig_store_commit (self, error);
  gig_store_rollback (self);
  g_ptr_array_set_size (job->removed, 0);
  return FALSE;
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
  RemoveJob job;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids_seen != NULL, FALSE);

  if (!gig_store_check_record_collection (collection, error))
    return FALSE;

  /* Only synced rows: anything with local work (pending, draft, conflict, failed) stays. */
  select_sql = g_strdup_printf ("SELECT id FROM %s WHERE local_state = 'synced'",
                                gig_collection_to_string (collection));
  delete_sql = g_strdup_printf ("DELETE FROM %s WHERE id = ? AND local_state = 'synced'",
                                gig_collection_to_string (collection));

  job = (RemoveJob) { select_sql, delete_sql, ids_seen, removed };
  if (!gig_store_write (self, remove_not_in_on_writer, &job, error))
    return FALSE;
  if (out_removed)
    *out_removed = removed->len;
  g_ptr_array_add (removed, NULL);
  gig_store_emit_changed (self, collection, (const char * const *) removed->pdata);
  return TRUE;
}
