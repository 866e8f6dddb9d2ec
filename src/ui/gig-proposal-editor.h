/* gig-proposal-editor.h: write a proposal; saved as a draft as you type
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROPOSAL_EDITOR (gig_proposal_editor_get_type ())

G_DECLARE_FINAL_TYPE (GigProposalEditor, gig_proposal_editor, GIG, PROPOSAL_EDITOR, AdwWindow)

/* @proposal_id NULL: a new proposal by @me on @project_id (a draft appears at the first edit).
 * A draft keeps saving as you type; a sent proposal is saved with Save Changes. */
GigProposalEditor *gig_proposal_editor_new          (GigStore          *store,
                                                     const char        *me,
                                                     const char        *project_id,
                                                     const char        *proposal_id);
/* NULL until the first save of a new proposal. */
const char        *gig_proposal_editor_get_proposal_id (GigProposalEditor *self);
/* "Saving…", "Draft saved" or "" (nothing typed yet). */
const char        *gig_proposal_editor_get_save_state  (GigProposalEditor *self);
gboolean           gig_proposal_editor_get_save_pending (GigProposalEditor *self);
void               gig_proposal_editor_set_values   (GigProposalEditor *self,
                                                     const char        *amount,
                                                     const char        *days,
                                                     const char        *cover_letter);
/* Writes a pending debounced save now. */
gboolean           gig_proposal_editor_flush        (GigProposalEditor *self,
                                                     GError           **error);
/* Sends the draft (queued for sync) or saves the changes of a sent proposal. */
gboolean           gig_proposal_editor_send         (GigProposalEditor *self,
                                                     GError           **error);

G_END_DECLS
