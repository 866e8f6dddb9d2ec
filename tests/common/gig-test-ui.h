/* gig-test-ui.h: helpers for widget tests that run under Xvfb.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "gig-application.h"
#include "sync/gig-sync.h"
#include "ui/gig-window.h"

G_BEGIN_DECLS

/* Initialises GTK and libadwaita; fails the whole program (not a skip) without a display. */
void      gig_test_ui_init          (int        *argc,
                                     char     ***argv);

/* Spins the main loop until @window is mapped and has drawn at least @frames frames. */
void      gig_test_ui_wait_for_draw (GtkWindow  *window,
                                     guint       frames);

/* Spins the main loop until @condition returns TRUE or @timeout_ms passes; returns the last result. */
gboolean  gig_test_ui_wait_until    (gboolean  (*condition) (gpointer data),
                                     gpointer    data,
                                     guint       timeout_ms);

/* Renders @window as it is now, drawing more frames first if it has nothing to show yet. */
GdkTexture *gig_test_ui_render      (GtkWindow  *window);

/* The colour at (@x, @y) of a rendered window, as 0xRRGGBB. */
guint32   gig_test_ui_pixel         (GdkTexture *texture,
                                     int         x,
                                     int         y);

/* Renders @window as it is now to <build dir>/screenshots/@name.png and returns the path. */
char     *gig_test_ui_screenshot    (GtkWindow  *window,
                                     const char *name);

/* Switches the process to English ("en", en_US.UTF-8) or German ("de", de_DE.UTF-8): money,
 * dates and the app's translations from the build tree. A locale that is not installed fails
 * the program (run build-aux/install-deps), it does not skip. */
void      gig_test_ui_use_language  (const char *language);

/* A GAsyncReadyCallback that keeps a reference to the result in *(GAsyncResult **) @user_data;
 * gig_test_ui_wait_result spins the main loop until it is set and returns it. */
void          gig_test_ui_store_result (GObject       *source,
                                        GAsyncResult  *result,
                                        gpointer       user_data);
GAsyncResult *gig_test_ui_wait_result  (GAsyncResult **result);

/* The template child @name of @widget (a @type); fails the test when there is none. */
GObject  *gig_test_ui_child         (gpointer    widget,
                                     GType       type,
                                     const char *name);

/* The same for an open popover (it has a surface of its own, apart from its window's). */
char     *gig_test_ui_screenshot_popover (GtkPopover *popover,
                                          const char *name);

/* Forces the light or dark style for the whole process. */
void      gig_test_ui_set_dark      (gboolean    dark);

/* Renders @window (any GtkWindow) to the screenshot @name once it has a frame to show, and says
 * so in the test log. */
void      gig_test_ui_shot          (gpointer    window,
                                     const char *name);

/* A main window of @width x @height (not maximized, through the window settings), drawn. */
GigWindow *gig_test_ui_new_window   (int         width,
                                     int         height);

/* Conditions for gig_test_ui_wait_until on a GigWindow: an account is open; the sign-in page is
 * up; either. */
gboolean  gig_test_ui_window_signed_in  (gpointer window);
gboolean  gig_test_ui_window_signed_out (gpointer window);
gboolean  gig_test_ui_window_settled    (gpointer window);

/* The application as `gigdesk` starts it (not unique, registered, activated) against
 * @server_url, its window 1000 x 700; its main window in *@out_window. */
GigApplication *gig_test_ui_start_app (const char  *server_url,
                                       GigWindow  **out_window);

/* One sync cycle, which must succeed. */
void      gig_test_ui_sync_once     (GigSync    *sync);

G_END_DECLS
