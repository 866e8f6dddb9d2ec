/* gig-notifications.h: what to tell the user about other people's changes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

/* A notification for a record someone else changed (GigSync's "remote-record-changed"), or NULL
 * when it does not concern @me: one of my proposals accepted or rejected, or a new proposal on a
 * project of mine. @out_id receives the notification id (one per proposal, so an update replaces
 * the earlier one). Clicking it activates app.show-project with the project id. */
GNotification *gig_notification_for_remote_change (GigStore      *store,
                                                   const char    *me,
                                                   GigCollection  collection,
                                                   JsonObject    *before,
                                                   JsonObject    *after,
                                                   char         **out_id);

/* A notification for a chat message from someone else (the "message" of a chat client's
 * message.new or notification.message_new event on channel @cid), or NULL for @me's own messages
 * and malformed events. Titled with the sender and the project; @out_id receives "chat-<cid>", so
 * a newer message replaces the earlier one. Clicking it activates app.show-project. */
GNotification *gig_notification_for_chat_message (GigStore      *store,
                                                  const char    *me,
                                                  const char    *cid,
                                                  JsonObject    *event,
                                                  char         **out_id);
/* What that notification says: FALSE when there is none. @out_project_id: the project it opens,
 * or NULL. */
gboolean       gig_notification_chat_text        (GigStore      *store,
                                                  const char    *me,
                                                  const char    *cid,
                                                  JsonObject    *event,
                                                  char         **out_title,
                                                  char         **out_body,
                                                  char         **out_project_id);

G_END_DECLS
