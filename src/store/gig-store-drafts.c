/* gig-store-drafts.c: proposal drafts: saved, sent, discarded
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

typedef struct {
  JsonObject *fields;
  const char *id;       /* the draft's id; for a new draft, NULL until it is made */
  char       *new_id;
} DraftJob;

static gboolean
read_draft (GigStore     *self,
            const char   *id,
            GigStoreRow  *row,
            GError      **error)
{
  if (!gig_store_read_row (self, GIG_COLLECTION_PROPOSALS, id, row, error))
    return FALSE;
  if (!row->found || row->state != GIG_LOCAL_STATE_DRAFT)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("No proposal draft with id %s"), id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_draft_on_writer (GigStore  *self,
                      gpointer   data,
                      GError   **error)
{
  DraftJob *job = data;
  g_auto(GigStoreRow) row = { 0 };

  if (job->id == NULL)
    return gig_store_create_on_writer (self, GIG_COLLECTION_PROPOSALS, job->fields, TRUE, &job->new_id, error);
  if (!read_draft (self, job->id, &row, error) ||
      !gig_store_update_on_writer (self, GIG_COLLECTION_PROPOSALS, job->id, job->fields, error))
    return FALSE;
  job->new_id = g_strdup (job->id);
  return TRUE;
}

gboolean
gig_store_save_draft (GigStore     *self,
                      JsonObject   *proposal_fields,
                      const char   *id_or_null,
                      char        **out_id,
                      GError      **error)
{
  DraftJob job = { proposal_fields, id_or_null };
  g_autofree char *id = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (proposal_fields != NULL, FALSE);

  ok = gig_store_write (self, save_draft_on_writer, &job, error);
  id = job.new_id;
  if (!ok)
    return FALSE;
  gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
send_draft_on_writer (GigStore  *self,
                      gpointer   data,
                      GError   **error)
{
  DraftJob *job = data;
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(JsonObject) view = NULL;

  if (!read_draft (self, job->id, &row, error))
    return FALSE;
  view = gig_store_json_from_string (row.local_json);
  if (view == NULL)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT,
                   _("The draft %s is unreadable"), job->id);
      return FALSE;
    }
  if (!gig_store_begin (self, error))
    return FALSE;
  if (gig_store_write_row (self, GIG_COLLECTION_PROPOSALS, job->id, view, NULL, NULL, row.local_json,
                           GIG_LOCAL_STATE_PENDING, NULL, NULL, error) &&
      gig_store_insert_outbox (self, GIG_COLLECTION_PROPOSALS, job->id, GIG_OUTBOX_OP_CREATE, view,
                               NULL, error) &&
      gig_store_commit (self, error))
    return TRUE;
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_send_draft (GigStore    *self,
                      const char  *id,
                      GError     **error)
{
  DraftJob job = { NULL, id };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!gig_store_write (self, send_draft_on_writer, &job, error))
    return FALSE;
  gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  return TRUE;
}

static gboolean
discard_draft_on_writer (GigStore  *self,
                         gpointer   data,
                         GError   **error)
{
  DraftJob *job = data;
  g_auto(GigStoreRow) row = { 0 };
  g_autoptr(GigStoreStmt) stmt = NULL;

  if (!read_draft (self, job->id, &row, error) || !gig_store_begin (self, error))
    return FALSE;
  stmt = gig_store_prepare (self, "DELETE FROM proposals WHERE id = ? AND local_state = 'draft'", error);
  if (stmt != NULL)
    gig_store_bind_text (stmt, 1, job->id);
  if (stmt != NULL && gig_store_step_done (self, stmt, NULL, error))
    {
      g_clear_pointer (&stmt, gig_store_stmt_release);
      return gig_store_commit (self, error);
    }
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_discard_draft (GigStore    *self,
                         const char  *id,
                         GError     **error)
{
  DraftJob job = { NULL, id };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!gig_store_write (self, discard_draft_on_writer, &job, error))
    return FALSE;
  gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  return TRUE;
}
