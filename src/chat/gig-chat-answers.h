/* gig-chat-answers.h: what the chat client reads from the service, parsed by the bounded JSON
 * reader and capped in size (pure: fuzzed on their own). Errors are GIG_CHAT_ERROR_MALFORMED.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One websocket event: a message with its channel, user and a few reactions. Stream caps a
 * message's text at 5,000 characters and its custom data at 5 KB, so 1 MiB is ample; the
 * socket refuses larger frames before they are buffered. */
#define GIG_CHAT_MAX_FRAME           (1024 * 1024)
/* A REST answer: at most a channel with its 50 newest messages, members and read states, or
 * a page of replayed events. */
#define GIG_CHAT_MAX_REST_ANSWER     (8 * 1024 * 1024)
/* PocketBase's chat token answer: a token, a key, a user id and an address. */
#define GIG_CHAT_MAX_TOKEN_ANSWER    (64 * 1024)

/* A JSON object of at most @max_size bytes. */
JsonObject *gig_chat_parse_answer (const char  *data,
                                   gsize        length,
                                   gsize        max_size,
                                   GError     **error);
/* A websocket text frame: an object within GIG_CHAT_MAX_FRAME. */
JsonObject *gig_chat_parse_frame  (const char  *data,
                                   gsize        length,
                                   GError     **error);

G_END_DECLS
