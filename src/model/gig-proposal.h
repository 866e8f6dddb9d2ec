/* gig-proposal.h: a freelancer's proposal for a project
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"
#include "gig-project.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROPOSAL (gig_proposal_get_type ())

G_DECLARE_FINAL_TYPE (GigProposal, gig_proposal, GIG, PROPOSAL, GigRecord)

const char * gig_proposal_get_project        (GigProposal *self);
const char * gig_proposal_get_freelancer     (GigProposal *self);
const char * gig_proposal_get_cover_letter   (GigProposal *self);
double       gig_proposal_get_amount         (GigProposal *self);
gint64       gig_proposal_get_estimated_days (GigProposal *self);
const char * gig_proposal_get_status         (GigProposal *self);
const char * gig_proposal_get_deleted_at     (GigProposal *self);

GigProposal *     gig_proposal_load             (GigStore    *store,
                                                 const char  *id);
GigProposalStatus gig_proposal_get_status_value (GigProposal *self);
/* Whether @user_id wrote this proposal. */
gboolean          gig_proposal_is_by            (GigProposal *self,
                                                 const char  *user_id);

/* The rules of pb/README.md ("proposals"), for @user_id on @project. The project's owner
 * accepts or rejects a sent proposal someone else wrote (accepting only while the project takes
 * proposals); its author edits or withdraws it while it is sent. A draft (never sent) is its
 * author's to edit and nobody else's business. Nothing moves a proposal in the trash. */
gboolean          gig_proposal_can_accept       (GigProposal *self,
                                                 GigProject  *project,
                                                 const char  *user_id);
gboolean          gig_proposal_can_reject       (GigProposal *self,
                                                 GigProject  *project,
                                                 const char  *user_id);
gboolean          gig_proposal_can_withdraw     (GigProposal *self,
                                                 const char  *user_id);
gboolean          gig_proposal_can_edit         (GigProposal *self,
                                                 const char  *user_id);
/* Whether @user_id sees this proposal on the project's page: the owner every sent one, a
 * freelancer only their own (drafts included). */
gboolean          gig_proposal_is_visible_to    (GigProposal *self,
                                                 GigProject  *project,
                                                 const char  *user_id);

#define GIG_PROPOSAL_ERROR (gig_proposal_error_quark ())
GQuark gig_proposal_error_quark (void);

/* Which field of a proposal being written is wrong. */
typedef enum {
  GIG_PROPOSAL_ERROR_AMOUNT,
  GIG_PROPOSAL_ERROR_DAYS,
  GIG_PROPOSAL_ERROR_COVER_LETTER,
} GigProposalError;

/* Checks what a freelancer typed, in the order the form shows it, and says the first problem
 * in words they can act on. While writing (@sending FALSE) only text that is wrong counts;
 * to send, the amount must be above zero and the cover letter must say something. */
gboolean          gig_proposal_check_input      (const char  *amount_text,
                                                 const char  *days_text,
                                                 const char  *cover_letter,
                                                 gboolean     sending,
                                                 GError     **error);
/* Whether @days_text is a number of days: empty, or a whole number ≥ 0. */
gboolean          gig_proposal_days_valid       (const char  *days_text);

/* The terms as a draft saves them. A half-typed amount is not read as a number it is not ("1,2"
 * is not 1): the field is left out, so the draft keeps the last amount that parsed, unless
 * @is_new (a new draft starts at 0). */
JsonObject *      gig_proposal_input_fields     (const char  *amount_text,
                                                 const char  *days_text,
                                                 const char  *cover_letter,
                                                 gboolean     is_new);
/* Adds to @fields what a new draft by @freelancer_id on @project_id holds besides its terms:
 * it says "sent" from the start (the server's only starting status) and is not in the trash. */
void              gig_proposal_add_draft_fields (JsonObject  *fields,
                                                 const char  *project_id,
                                                 const char  *freelancer_id);
/* The fields that set the status to @status. */
JsonObject *      gig_proposal_status_fields    (GigProposalStatus status);

G_END_DECLS
