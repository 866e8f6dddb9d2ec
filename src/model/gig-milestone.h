/* gig-milestone.h: a step of a project's work
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

G_BEGIN_DECLS

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

G_END_DECLS
