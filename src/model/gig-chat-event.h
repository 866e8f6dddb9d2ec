/* gig-chat-event.h: what views read from a chat event, without knowing its JSON
 *
 * Events arrive as the chat service sends them (GigChatClient::event); these readers name the
 * few members views need, so that no widget looks members up by name.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The user the event is about (who types, who read): id, and the name, else the id. NULL when
 * the event names nobody. */
const char *gig_chat_event_get_user_id     (JsonObject *event);
const char *gig_chat_event_get_user_name   (JsonObject *event);
/* For events that carry a message (message.new): its author's id and name (else the id), and
 * its text ("" without one). NULL when there is no message or author. */
const char *gig_chat_event_get_author_id   (JsonObject *event);
const char *gig_chat_event_get_author_name (JsonObject *event);
const char *gig_chat_event_get_text        (JsonObject *event);
gboolean    gig_chat_event_has_message     (JsonObject *event);

G_END_DECLS
