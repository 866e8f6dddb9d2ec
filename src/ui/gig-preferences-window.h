/* gig-preferences-window.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "session/gig-session.h"

G_BEGIN_DECLS

#define GIG_TYPE_PREFERENCES_WINDOW (gig_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (GigPreferencesWindow, gig_preferences_window, GIG, PREFERENCES_WINDOW, AdwPreferencesWindow)

GigPreferencesWindow *gig_preferences_window_new (GSettings *settings);
/* Shows who is signed in (name, email, server); while signed in, a new server address is
 * applied as a confirmed switch: the application's "switch-server" action. */
void                  gig_preferences_window_set_account (GigPreferencesWindow *self,
                                                          GigSession           *session);

/* TRUE when @text is an absolute http or https URL with a host; @error says why not. */
gboolean gig_server_url_is_valid (const char  *text,
                                  GError     **error);

G_END_DECLS
