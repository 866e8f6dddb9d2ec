/* gig-proposal.h: a freelancer's proposal for a project
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

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

G_END_DECLS
