/* gig-chat-http.h: one HTTP exchange of the chat client, under a deadline and a size cap.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Sends @message and reads its answer (any status) whole, at most @max_size bytes, all within
 * @deadline_s seconds. Errors: GIG_CHAT_ERROR_NETWORK (unreachable, or too slow: the message
 * says so), GIG_CHAT_ERROR_MALFORMED (larger than @max_size), G_IO_ERROR_CANCELLED. */
void    gig_chat_http_send_async   (SoupSession         *session,
                                    SoupMessage         *message,
                                    gsize                max_size,
                                    guint                deadline_s,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
GBytes *gig_chat_http_send_finish  (SoupSession         *session,
                                    GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
