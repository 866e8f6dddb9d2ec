/* gig-milestone.h: a step of a project's work
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

G_BEGIN_DECLS

/* The milestone's `status`; the on-disk / server strings are mapped only here. */
typedef enum {
  GIG_MILESTONE_STATUS_UNKNOWN,      /* missing or a value this build does not know */
  GIG_MILESTONE_STATUS_PENDING,      /* "pending": planned, terms still the owner's to change */
  GIG_MILESTONE_STATUS_IN_PROGRESS,  /* "in_progress": started (or sent back for changes) */
  GIG_MILESTONE_STATUS_SUBMITTED,    /* "submitted": delivered, waiting for the owner */
  GIG_MILESTONE_STATUS_APPROVED,     /* "approved": accepted; the money is released */
} GigMilestoneStatus;

/* Who is looking at a milestone, relative to its project. */
typedef enum {
  GIG_MILESTONE_ROLE_OTHER,          /* neither owner nor hired (never moves or edits) */
  GIG_MILESTONE_ROLE_OWNER,          /* the project's owner (the client) */
  GIG_MILESTONE_ROLE_HIRED,          /* the project's hired freelancer */
} GigMilestoneRole;

GigMilestoneStatus gig_milestone_status_from_string (const char         *status);
/* The server's string, or NULL for UNKNOWN. */
const char *       gig_milestone_status_to_string   (GigMilestoneStatus  status);

/* Whether @role may move a milestone from @from to @to (the server's rules, pb/README.md:
 * Start and Submit are the freelancer's, Approve the owner's, and either may send submitted
 * work back to in progress — Request Changes). */
gboolean           gig_milestone_status_move_allowed (GigMilestoneStatus from,
                                                      GigMilestoneStatus to,
                                                      GigMilestoneRole   role);

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
                                            GigMilestoneRole    role,
                                            GigMilestoneStatus  to);

G_END_DECLS
