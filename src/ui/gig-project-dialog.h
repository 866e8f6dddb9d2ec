/* gig-project-dialog.h: post a new project or edit one
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROJECT_DIALOG (gig_project_dialog_get_type ())

G_DECLARE_FINAL_TYPE (GigProjectDialog, gig_project_dialog, GIG, PROJECT_DIALOG, AdwMessageDialog)

/* @project_id NULL: a new project owned by @me. Saving writes to the store (and the outbox). */
GigProjectDialog *gig_project_dialog_new  (GtkWindow        *parent,
                                           GigStore         *store,
                                           const char       *me,
                                           const char       *project_id);
/* Fills the form (tests and keyboard users alike go through the same rows). */
void              gig_project_dialog_set_values (GigProjectDialog *self,
                                                 const char       *title,
                                                 const char       *budget,
                                                 const char       *description);
/* Validates and saves; returns the id, or NULL with the form showing why. */
char             *gig_project_dialog_save (GigProjectDialog *self,
                                           GError          **error);

G_END_DECLS
