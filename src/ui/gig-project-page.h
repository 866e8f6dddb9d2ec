/* gig-project-page.h: one project with its proposals, milestones and chat
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"
#include "chat/gig-chat-client.h"

G_BEGIN_DECLS

#define GIG_TYPE_PROJECT_PAGE (gig_project_page_get_type ())

G_DECLARE_FINAL_TYPE (GigProjectPage, gig_project_page, GIG, PROJECT_PAGE, AdwBin)

/* @me is the signed-in user's id: it decides which actions the page offers. */
void        gig_project_page_set_context    (GigProjectPage *self,
                                             GigStore       *store,
                                             const char     *me);
void        gig_project_page_set_project    (GigProjectPage *self,
                                             const char     *project_id);
const char *gig_project_page_get_project    (GigProjectPage *self);
/* "overview", "proposals", "milestones" or "chat". */
void        gig_project_page_set_view       (GigProjectPage *self,
                                             const char     *name);
/* The chat of the signed-in account (NULL: the Chat tab shows why there is none). */
void        gig_project_page_set_chat_client (GigProjectPage *self,
                                              GigChatClient  *client);
/* Re-reads the project and its children from the store. */
void        gig_project_page_reload         (GigProjectPage *self);
/* Whether the Chat tab shows channel @cid and is on screen (its messages are being read). */
gboolean    gig_project_page_shows_chat     (GigProjectPage *self,
                                             const char     *cid);
/* Unread chat messages of the shown project: a badge on the Chat tab. */
void        gig_project_page_set_chat_unread (GigProjectPage *self,
                                              guint           unread);
guint       gig_project_page_get_chat_unread (GigProjectPage *self);

G_END_DECLS
