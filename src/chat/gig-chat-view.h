/* gig-chat-view.h: the chat of one project (panel on the project page, and the chat window)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "chat/gig-chat-client.h"
#include "chat/gig-chat-message-model.h"

G_BEGIN_DECLS

#define GIG_TYPE_CHAT_VIEW (gig_chat_view_get_type ())
G_DECLARE_FINAL_TYPE (GigChatView, gig_chat_view, GIG, CHAT_VIEW, AdwBin)

/* Shows channel @cid from the client's cache at once and watches it. @title names the project
 * (for the pop-out window and notifications). */
GtkWidget           *gig_chat_view_new           (GigChatClient *client,
                                                  const char    *cid,
                                                  const char    *title);
const char          *gig_chat_view_get_cid       (GigChatView   *self);
GigChatMessageModel *gig_chat_view_get_model     (GigChatView   *self);
/* The composer's text (tests; drafts). */
void                 gig_chat_view_set_draft     (GigChatView   *self,
                                                  const char    *text);
char                *gig_chat_view_get_draft     (GigChatView   *self);
/* Puts the keyboard focus in the composer, the cursor after its text. */
void                 gig_chat_view_focus_composer (GigChatView *self);
/* Scrolls to the newest message. */
void                 gig_chat_view_scroll_to_end (GigChatView   *self);

G_END_DECLS
