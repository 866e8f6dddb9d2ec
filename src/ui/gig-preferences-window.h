/* gig-preferences-window.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GIG_TYPE_PREFERENCES_WINDOW (gig_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (GigPreferencesWindow, gig_preferences_window, GIG, PREFERENCES_WINDOW, AdwPreferencesWindow)

GigPreferencesWindow *gig_preferences_window_new (GSettings *settings);

/* TRUE when @text is an absolute http or https URL with a host; @error says why not. */
gboolean gig_server_url_is_valid (const char  *text,
                                  GError     **error);

G_END_DECLS
