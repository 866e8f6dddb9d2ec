/* gig-milestone-dialog.h: add or edit a milestone
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_MILESTONE_DIALOG (gig_milestone_dialog_get_type ())

G_DECLARE_FINAL_TYPE (GigMilestoneDialog, gig_milestone_dialog, GIG, MILESTONE_DIALOG, AdwMessageDialog)

GigMilestoneDialog *gig_milestone_dialog_new        (GtkWindow          *parent,
                                                     GigStore           *store,
                                                     const char         *project_id,
                                                     const char         *milestone_id);
/* @due: a date as typed (the locale's form or "YYYY-MM-DD") or empty. */
void                gig_milestone_dialog_set_values (GigMilestoneDialog *self,
                                                     const char         *title,
                                                     const char         *amount,
                                                     const char         *due);
gboolean            gig_milestone_dialog_is_valid   (GigMilestoneDialog *self);
/* Saves to the store; returns the id or NULL. */
char               *gig_milestone_dialog_save       (GigMilestoneDialog *self,
                                                     GError            **error);

G_END_DECLS
