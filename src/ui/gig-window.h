/* gig-window.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "gig-application.h"

G_BEGIN_DECLS

#define GIG_TYPE_WINDOW (gig_window_get_type ())

G_DECLARE_FINAL_TYPE (GigWindow, gig_window, GIG, WINDOW, AdwApplicationWindow)

GigWindow *gig_window_new            (GigApplication *application);
gboolean   gig_window_get_folded     (GigWindow      *self);
void       gig_window_add_toast      (GigWindow      *self,
                                      AdwToast       *toast);

G_END_DECLS
