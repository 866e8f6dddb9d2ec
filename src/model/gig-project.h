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

/* Reads the project @id from @store (NULL when it has none). */
GigProject *     gig_project_load             (GigStore   *store,
                                               const char *id);
GigProjectStatus gig_project_get_status_value (GigProject *self);
/* Who @user_id is to this project (OTHER for NULL). */
GigProjectRole   gig_project_get_role         (GigProject *self,
                                               const char *user_id);
/* Whether someone is hired (the project then has a chat between owner and freelancer). */
gboolean         gig_project_has_hired        (GigProject *self);

/* The owner's moves (pb/README.md, "projects"); none for a project in the trash. Completing
 * needs work under way; cancelling, adding milestones need an open or running project. */
gboolean         gig_project_is_active        (GigProject *self);
gboolean         gig_project_can_complete     (GigProject *self);
gboolean         gig_project_can_cancel       (GigProject *self);
/* Whether a freelancer may still send a proposal: open and not in the trash. */
gboolean         gig_project_takes_proposals  (GigProject *self);
/* Whether milestones move (start, submit, approve): only while the work is in progress. */
gboolean         gig_project_milestones_move  (GigProject *self);

/* The fields the owner edits. */
JsonObject *     gig_project_edit_fields      (const char *title,
                                               double      budget,
                                               const char *description);
/* The fields of a new project @owner_id posts: open, in euros, not in the trash. */
JsonObject *     gig_project_new_fields       (const char *owner_id,
                                               const char *title,
                                               double      budget,
                                               const char *description);
/* The fields that set the status to @status. */
JsonObject *     gig_project_status_fields    (GigProjectStatus status);

G_END_DECLS
