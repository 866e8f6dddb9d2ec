/* gig-store-drafts.c: proposal drafts: saved, sent, discarded
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

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
  if (!gig_store_check_open (self, error))
    ;
  else if (id_or_null == NULL)
    {
      ok = gig_store_create_locked (self, GIG_COLLECTION_PROPOSALS, proposal_fields, TRUE, &id, error);
    }
  else
    {
      g_auto(GigStoreRow) row = { 0 };

      if (gig_store_read_row (self, GIG_COLLECTION_PROPOSALS, id_or_null, &row, error))
        {
          if (!row.found || row.state != GIG_LOCAL_STATE_DRAFT)
            g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                         _("No proposal draft with id %s"), id_or_null);
          else if (gig_store_update_locked (self, GIG_COLLECTION_PROPOSALS, id_or_null, proposal_fields, error))
            {
              ok = TRUE;
              id = g_strdup (id_or_null);
            }
        }
    }
  g_rec_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;
  gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

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
    g_auto(GigStoreRow) row = { 0 };
    g_autoptr(JsonObject) view = NULL;

    if (gig_store_check_open (self, error) && read_draft (self, id, &row, error))
      {
        view = gig_store_json_from_string (row.local_json);
        if (view == NULL)
          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT,
                       _("The draft %s is unreadable"), id);
        else if (gig_store_begin (self, error))
          {
            ok = gig_store_write_row (self, GIG_COLLECTION_PROPOSALS, id, view, NULL, NULL, row.local_json,
                                      GIG_LOCAL_STATE_PENDING, NULL, NULL, error) &&
                 gig_store_insert_outbox (self, GIG_COLLECTION_PROPOSALS, id, GIG_OUTBOX_OP_CREATE, view,
                                          NULL, error) &&
                 gig_store_commit (self, error);
            if (!ok)
              gig_store_rollback (self);
          }
      }
  }
  g_rec_mutex_unlock (&self->lock);

  if (ok)
    gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
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
    g_auto(GigStoreRow) row = { 0 };

    if (gig_store_check_open (self, error) && read_draft (self, id, &row, error))
      {
        if (gig_store_begin (self, error))
          {
            g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
              "DELETE FROM proposals WHERE id = ? AND local_state = 'draft'", error);
            if (stmt != NULL)
              {
                gig_store_bind_text (stmt, 1, id);
                ok = gig_store_step_done (self, stmt, NULL, error);
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
    gig_store_emit_changed_one (self, GIG_COLLECTION_PROPOSALS, id);
  return ok;
}

