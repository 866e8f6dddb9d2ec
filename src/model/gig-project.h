/* gig-project.h: a project offered on the marketplace
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROJECT (gig_project_get_type ())

G_DECLARE_FINAL_TYPE (GigProject, gig_project, GIG, PROJECT, GigRecord)

const char * gig_project_get_title            (GigProject *self);
const char * gig_project_get_description      (GigProject *self);
double       gig_project_get_budget           (GigProject *self);
const char * gig_project_get_currency         (GigProject *self);
const char * gig_project_get_status           (GigProject *self);
const char * gig_project_get_owner            (GigProject *self);
const char * gig_project_get_hired_freelancer (GigProject *self);
const char * gig_project_get_deleted_at       (GigProject *self);

G_END_DECLS
