/* gig-chat-window.h: one project's chat in its own window
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "chat/gig-chat-client.h"

G_BEGIN_DECLS

#define GIG_TYPE_CHAT_WINDOW (gig_chat_window_get_type ())
G_DECLARE_FINAL_TYPE (GigChatWindow, gig_chat_window, GIG, CHAT_WINDOW, AdwWindow)

/* @application may be NULL (tests). @title: the project's title, shown in the header bar. */
GtkWidget  *gig_chat_window_new      (GtkApplication *application,
                                      GigChatClient  *client,
                                      const char     *cid,
                                      const char     *title);
GtkWidget  *gig_chat_window_get_view (GigChatWindow  *self);

G_END_DECLS
