/* gig-conflict-dialog.h: both versions of each clashing field, and the user's pick
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_CONFLICT_DIALOG (gig_conflict_dialog_get_type ())

G_DECLARE_FINAL_TYPE (GigConflictDialog, gig_conflict_dialog, GIG, CONFLICT_DIALOG, AdwMessageDialog)

/* NULL when the record has no conflict. */
GigConflictDialog *gig_conflict_dialog_new       (GtkWindow         *parent,
                                                  GigStore          *store,
                                                  GigCollection      collection,
                                                  const char        *id);
/* Field names in conflict, in the order shown. */
GStrv              gig_conflict_dialog_get_fields (GigConflictDialog *self);
/* Picks a side for @field (the default is the server's). */
void               gig_conflict_dialog_choose    (GigConflictDialog *self,
                                                  const char        *field,
                                                  gboolean           keep_mine);
/* Resolves every field as chosen; what the "apply" response does. */
gboolean           gig_conflict_dialog_apply     (GigConflictDialog *self,
                                                  GError           **error);

G_END_DECLS
