/* gig-proposal-row.h: one proposal on a project's Proposals tab
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"
#include "model/gig-record.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROPOSAL_ROW (gig_proposal_row_get_type ())
G_DECLARE_FINAL_TYPE (GigProposalRow, gig_proposal_row, GIG, PROPOSAL_ROW, GtkListBoxRow)

/* What the user can do with the proposal from its row. */
typedef enum
{
  GIG_PROPOSAL_ROW_NO_ACTIONS,
  GIG_PROPOSAL_ROW_DECIDE,     /* the client: Accept (the one suggested action) or Reject */
  GIG_PROPOSAL_ROW_OWN_SENT,   /* the freelancer's sent proposal: Edit or Withdraw */
  GIG_PROPOSAL_ROW_OWN_DRAFT,  /* the freelancer's draft: Continue */
} GigProposalRowActions;

/* A cover letter longer than this many characters is shortened until "Show More". */
#define GIG_PROPOSAL_ROW_SHORT_LETTER 600

/* The buttons activate project.accept-proposal, project.reject-proposal,
 * project.withdraw-proposal and project.edit-proposal with @proposal_id as the target. */
GtkWidget  *gig_proposal_row_new               (const char            *proposal_id);
const char *gig_proposal_row_get_proposal_id   (GigProposalRow        *self);
/* Who wrote it and the terms: "€1,100 · 10 days". */
void        gig_proposal_row_set_heading       (GigProposalRow        *self,
                                                const char            *name,
                                                const char            *terms);
/* The status pill as the user may rely on it ("Draft", "Waiting to Send", …): see
 * gig_ui_record_status_label(). */
void        gig_proposal_row_set_record_status (GigProposalRow    *self,
                                                GigRecord         *record,
                                                GigStore          *store);
/* Shown wrapped; a long one is cut after a few lines with a Show More button. */
void        gig_proposal_row_set_cover_letter  (GigProposalRow        *self,
                                                const char            *text);
gboolean    gig_proposal_row_get_letter_shortened (GigProposalRow     *self);
void        gig_proposal_row_set_actions       (GigProposalRow        *self,
                                                GigProposalRowActions  actions);
/* A sync-state icon or a Resolve button beside the pill. */
void        gig_proposal_row_add_suffix        (GigProposalRow        *self,
                                                GtkWidget             *widget);

G_END_DECLS
