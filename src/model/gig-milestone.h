/* gig-milestone.h: a step of a project's work
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

G_BEGIN_DECLS

/* Whether @role may move a milestone from @from to @to (the server's rules, pb/README.md:
 * Start and Submit are the freelancer's, Approve the owner's, and either may send submitted
 * work back to in progress — Request Changes). */
gboolean           gig_milestone_status_move_allowed (GigMilestoneStatus from,
                                                      GigMilestoneStatus to,
                                                      GigProjectRole     role);

#define GIG_TYPE_MILESTONE (gig_milestone_get_type ())

G_DECLARE_FINAL_TYPE (GigMilestone, gig_milestone, GIG, MILESTONE, GigRecord)

const char * gig_milestone_get_project     (GigMilestone *self);
const char * gig_milestone_get_title       (GigMilestone *self);
const char * gig_milestone_get_description (GigMilestone *self);
double       gig_milestone_get_amount      (GigMilestone *self);
const char * gig_milestone_get_due_date    (GigMilestone *self);
gint64       gig_milestone_get_position    (GigMilestone *self);
const char * gig_milestone_get_status      (GigMilestone *self);
const char * gig_milestone_get_deleted_at  (GigMilestone *self);

GigMilestoneStatus gig_milestone_get_status_value (GigMilestone *self);
/* The terms (title, amount, due date) are agreed once work starts: the owner changes them, or
 * deletes the milestone, only while it is pending. Description and order stay editable. */
gboolean     gig_milestone_can_edit_terms  (GigMilestone *self);
gboolean     gig_milestone_can_move_to     (GigMilestone       *self,
                                            GigProjectRole      role,
                                            GigMilestoneStatus  to);

GigMilestone *gig_milestone_load           (GigStore           *store,
                                            const char         *id);
/* The position after the last of @project_id's milestones (1 for the first). */
gint64       gig_milestone_next_position   (GigStore           *store,
                                            const char         *project_id);
/* The terms the owner sets (see gig_milestone_can_edit_terms). */
JsonObject * gig_milestone_terms_fields    (const char         *title,
                                            double              amount,
                                            const char         *due_date);
/* A new milestone: its terms, last in @project_id's order, pending, not in the trash. */
JsonObject * gig_milestone_new_fields      (GigStore           *store,
                                            const char         *project_id,
                                            const char         *title,
                                            double              amount,
                                            const char         *due_date);
/* The fields that set the status to @status. */
JsonObject * gig_milestone_status_fields   (GigMilestoneStatus  status);
/* The fields that move a milestone to @position. */
JsonObject * gig_milestone_position_fields (gint64              position);

G_END_DECLS
