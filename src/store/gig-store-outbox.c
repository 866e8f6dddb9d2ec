/* gig-store-outbox.c: local writes and the outbox that carries them to the server
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

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

/* ---------------------------------------------------------------------------------------------- */
/* Local writes */

gboolean
gig_store_insert_outbox (GigStore       *self,
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
  gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 2, id);
  gig_store_bind_text (stmt, 3, op == GIG_OUTBOX_OP_CREATE ? "create" : "update");
  gig_store_bind_text (stmt, 4, text);
  gig_store_bind_text (stmt, 5, base_updated);
  return gig_store_step_done (self, stmt, NULL, error);
}

gboolean
gig_store_create_on_writer (GigStore       *self,
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
  g_auto(GigStoreRow) row = { 0 };

  if (given != NULL && !gig_id_is_valid (given))
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("“%s” is not a valid record id"), given);
      return FALSE;
    }
  id = given ? g_strdup (given) : gig_id_new ();

  if (!gig_store_read_row (self, collection, id, &row, error))
    return FALSE;
  if (row.found)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
                   _("A %s record with id %s exists already"), gig_collection_to_string (collection), id);
      return FALSE;
    }

  gig_store_merge_fields (view, fields);
  json_object_set_string_member (view, "id", id);
  local_json = gig_store_json_to_string (view);

  if (!gig_store_begin (self, error))
    return FALSE;
  if (!gig_store_write_row (self, collection, id, view, NULL, NULL, local_json,
                            draft ? GIG_LOCAL_STATE_DRAFT : GIG_LOCAL_STATE_PENDING, NULL, NULL, error) ||
      (!draft && !gig_store_insert_outbox (self, collection, id, GIG_OUTBOX_OP_CREATE, view, NULL, error)) ||
      !gig_store_commit (self, error))
    {
      gig_store_rollback (self);
      return FALSE;
    }

  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

typedef struct {
  GigCollection  collection;
  JsonObject    *fields;
  char          *id;
} CreateJob;

static gboolean
create_on_writer (GigStore  *self,
                  gpointer   data,
                  GError   **error)
{
  CreateJob *job = data;

  return gig_store_create_on_writer (self, job->collection, job->fields, FALSE, &job->id, error);
}

gboolean
gig_store_create_record (GigStore       *self,
                         GigCollection   collection,
                         JsonObject     *fields,
                         char          **out_id,
                         GError        **error)
{
  CreateJob job = { collection, fields, NULL };
  g_autofree char *id = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  if (!gig_store_check_record_collection (collection, error))
    return FALSE;

  ok = gig_store_write (self, create_on_writer, &job, error);
  id = job.id;
  if (!ok)
    return FALSE;
  gig_store_emit_changed_one (self, collection, id);
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
  gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 2, id);
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

gboolean
gig_store_update_outbox_fields (GigStore    *self,
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
  gig_store_bind_text (stmt, 1, text);
  sqlite3_bind_int64 (stmt, 2, seq);
  return gig_store_step_done (self, stmt, NULL, error);
}

gboolean
gig_store_update_on_writer (GigStore       *self,
                            GigCollection   collection,
                            const char     *id,
                            JsonObject     *changed_fields,
                            GError        **error)
{
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(JsonObject) view = NULL;
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *local_json = NULL;
  GigLocalState state;

  if (!gig_store_read_row (self, collection, id, &row, error))
    return FALSE;
  if (!row.found)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No %s record with id %s"), gig_collection_to_string (collection), id);
      return FALSE;
    }

  gig_store_merge_fields (changes, changed_fields);
  view = gig_store_json_from_string (gig_store_row_view_json (&row));
  if (view == NULL)
    view = json_object_new ();
  gig_store_merge_fields (view, changes);
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
          gig_store_merge_fields (queued, changes);
          if (!gig_store_update_outbox_fields (self, seq, queued, error))
            goto fail;
        }
      else if (!gig_store_insert_outbox (self, collection, id, GIG_OUTBOX_OP_UPDATE, changes,
                                         row.server_updated, error))
        goto fail;

      if (state == GIG_LOCAL_STATE_SYNCED)
        state = GIG_LOCAL_STATE_PENDING;
    }

  if (!gig_store_write_row (self, collection, id, view, row.server_updated, row.server_json, local_json,
                            state, row.local_error, row.conflict_json, error) ||
      !gig_store_commit (self, error))
    goto fail;
  return TRUE;

fail:
  gig_store_rollback (self);
  return FALSE;
}

typedef struct {
  GigCollection  collection;
  const char    *id;
  JsonObject    *changed_fields;
} UpdateJob;

static gboolean
update_on_writer (GigStore  *self,
                  gpointer   data,
                  GError   **error)
{
  UpdateJob *job = data;

  return gig_store_update_on_writer (self, job->collection, job->id, job->changed_fields, error);
}

gboolean
gig_store_update_record (GigStore       *self,
                         GigCollection   collection,
                         const char     *id,
                         JsonObject     *changed_fields,
                         GError        **error)
{
  UpdateJob job = { collection, id, changed_fields };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (changed_fields != NULL, FALSE);

  if (!gig_store_check_record_collection (collection, error))
    return FALSE;

  ok = gig_store_write (self, update_on_writer, &job, error);
  if (ok)
    gig_store_emit_changed_one (self, collection, id);
  return ok;
}

/* ---------------------------------------------------------------------------------------------- */
/* Outbox */

typedef struct {
  guint      limit;
  GPtrArray *entries;
} NextJob;

static gboolean
outbox_next_on_writer (GigStore  *self,
                       gpointer   data,
                       GError   **error)
{
  NextJob *job = data;
  GPtrArray *entries = job->entries;
  guint limit = job->limit;

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
              entry->record_id = gig_store_column_dup (stmt, 2);
              entry->op = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "create") == 0
                          ? GIG_OUTBOX_OP_CREATE : GIG_OUTBOX_OP_UPDATE;
              entry->fields = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 4));
              if (entry->fields == NULL)
                entry->fields = json_object_new ();
              entry->base_updated = gig_store_column_dup (stmt, 5);
              entry->attempts = sqlite3_column_int (stmt, 6) + 1;
              entry->last_error = gig_store_column_dup (stmt, 7);
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
  return TRUE;
}

GPtrArray *
gig_store_outbox_next (GigStore *self,
                       guint     limit)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_outbox_entry_free);
  NextJob job = { limit, entries };

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  if (limit == 0)
    return g_steal_pointer (&entries);

  /* Nothing to hand out from a closed cache. */
  gig_store_write (self, outbox_next_on_writer, &job, NULL);
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
      row->record_id = gig_store_column_dup (stmt, 1);
      row->op = gig_store_column_dup (stmt, 2);
      row->state = gig_store_column_dup (stmt, 3);
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

/* Re-derives the state of a record from its outbox rows and conflict (on the writer, in a
 * transaction). When nothing is left, the local copy folds into the server copy. */
gboolean
gig_store_refresh_record_state (GigStore       *self,
                                GigCollection   collection,
                                const char     *id,
                                const char     *error_message,
                                GError        **error)
{
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(JsonObject) view = NULL;
  gboolean has_failed = FALSE;
  GigLocalState state;
  const char *local_json;
  const char *server_json;
  const char *message;

  if (!gig_store_read_row (self, collection, id, &row, error))
    return FALSE;
  if (!row.found)
    return TRUE;
  pending = gig_store_pending_fields (self, collection, id, &has_failed, error);
  if (pending == NULL)
    return FALSE;

  state = gig_store_derive_state (row.state, g_hash_table_size (pending), has_failed, row.conflict_json);
  local_json = gig_store_row_view_json (&row);
  server_json = row.server_json;
  if (state == GIG_LOCAL_STATE_SYNCED && row.server_json == NULL)
    server_json = local_json;   /* pushed, but the server's answer is not known yet */
  if (state == GIG_LOCAL_STATE_SYNCED)
    local_json = NULL;
  message = error_message ? error_message : (state == GIG_LOCAL_STATE_FAILED ? row.local_error : NULL);

  view = gig_store_json_from_string (local_json ? local_json : server_json);
  if (view == NULL)
    view = json_object_new ();
  return gig_store_write_row (self, collection, id, view, row.server_updated, server_json, local_json,
                              state, message, row.conflict_json, error);
}

gboolean
gig_store_delete_outbox_row (GigStore  *self,
                             gint64     seq,
                             GError   **error)
{
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, "DELETE FROM outbox WHERE seq = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  return gig_store_step_done (self, stmt, NULL, error);
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
  gig_store_bind_text (stmt, 1, updated);
  gig_store_bind_text (stmt, 2, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 3, id);
  return gig_store_step_done (self, stmt, NULL, error);
}

/* An outbox row by its seq, and what a change of it needs to know. */
typedef struct {
  gint64      seq;
  JsonObject *server_record;
  const char *message;
  guint       delay_ms;
  const char *state;        /* the row's new state */
  const char *shown;        /* what the record shows (a refusal), or NULL */
  OutboxRow   row;
} RowJob;

static gboolean
outbox_done_on_writer (GigStore  *self,
                       gpointer   data,
                       GError   **error)
{
  RowJob *job = data;
  JsonObject *server_record = job->server_record;
  GigStoreApplied kind;
  gboolean ok;

  if (!read_outbox_row (self, job->seq, &job->row, error) || !gig_store_begin (self, error))
    return FALSE;

  ok = gig_store_delete_outbox_row (self, job->seq, error);
  /* an answer that cannot be stored leaves the row to the next pull, like no answer */
  if (server_record != NULL && !gig_store_server_record_is_valid (job->row.collection, server_record, FALSE))
    server_record = NULL;
  if (ok && server_record != NULL)
    ok = gig_store_apply_server_record (self, job->row.collection, server_record, TRUE, &kind, error);
  /* Edits made while the create was on its way were made on what it created. */
  if (ok && server_record != NULL)
    ok = fill_missing_base (self, job->row.collection, job->row.record_id,
                            gig_json_object_get_string (server_record, "updated"),
                            error);
  if (ok)
    ok = gig_store_refresh_record_state (self, job->row.collection, job->row.record_id, NULL, error);
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  return ok;
}

gboolean
gig_store_outbox_done (GigStore     *self,
                       gint64        seq,
                       JsonObject   *server_record,
                       GError      **error)
{
  RowJob job = { seq, server_record };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  ok = gig_store_write (self, outbox_done_on_writer, &job, error);
  if (ok)
    gig_store_emit_changed_one (self, job.row.collection, job.row.record_id);
  outbox_row_clear (&job.row);
  return ok;
}

static gboolean
retry_later_on_writer (GigStore  *self,
                       gpointer   data,
                       GError   **error)
{
  RowJob *job = data;
  g_autoptr(GigStoreStmt) stmt = NULL;

  if (!read_outbox_row (self, job->seq, &job->row, error))
    return FALSE;
  /* A row held for a conflict meanwhile stays held. */
  stmt = gig_store_prepare (self,
    "UPDATE outbox SET state = CASE state WHEN 'held' THEN 'held' ELSE 'queued' END,"
    " next_attempt_at = ?, last_error = ? WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () + (gint64) job->delay_ms * 1000);
  gig_store_bind_text (stmt, 2, job->message);
  sqlite3_bind_int64 (stmt, 3, job->seq);
  return gig_store_step_done (self, stmt, NULL, error);
}

gboolean
gig_store_outbox_retry_later (GigStore     *self,
                              gint64        seq,
                              guint         delay_ms,
                              const char   *message,
                              GError      **error)
{
  RowJob job = { seq, NULL, message, delay_ms };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  ok = gig_store_write (self, retry_later_on_writer, &job, error);
  outbox_row_clear (&job.row);
  return ok;
}

/* A row's new state, in one transaction with its record's. */
static gboolean
set_outbox_state_on_writer (GigStore  *self,
                            gpointer   data,
                            GError   **error)
{
  RowJob *job = data;
  g_autoptr(GigStoreStmt) stmt = NULL;

  if (!read_outbox_row (self, job->seq, &job->row, error) || !gig_store_begin (self, error))
    return FALSE;

  stmt = gig_store_prepare (self,
    "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = 0 WHERE seq = ?", error);
  if (stmt != NULL)
    {
      gig_store_bind_text (stmt, 1, job->state);
      gig_store_bind_text (stmt, 2, job->message);
      sqlite3_bind_int64 (stmt, 3, job->seq);
    }
  if (stmt != NULL && gig_store_step_done (self, stmt, NULL, error) &&
      gig_store_refresh_record_state (self, job->row.collection, job->row.record_id, job->shown, error) &&
      gig_store_commit (self, error))
    return TRUE;
  gig_store_rollback (self);
  return FALSE;
}

static gboolean
set_outbox_state (GigStore    *self,
                  gint64       seq,
                  const char  *state,
                  const char  *message,
                  const char  *shown,
                  GError     **error)
{
  RowJob job = { seq, NULL, message, 0, state, shown };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  ok = gig_store_write (self, set_outbox_state_on_writer, &job, error);
  if (ok)
    gig_store_emit_changed_one (self, job.row.collection, job.row.record_id);
  outbox_row_clear (&job.row);
  return ok;
}

gboolean
gig_store_outbox_fail (GigStore    *self,
                       gint64       seq,
                       const char  *message,
                       GError     **error)
{
  return set_outbox_state (self, seq, "failed", message,
                           message ? message : _("The server refused the change"), error);
}

gboolean
gig_store_outbox_requeue (GigStore    *self,
                          gint64       seq,
                          GError     **error)
{
  return set_outbox_state (self, seq, "queued", NULL, NULL, error);
}

static guint
count_outbox (GigStore   *self,
              const char *sql)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, NULL);
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

