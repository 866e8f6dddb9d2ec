/* gig-chat-upload.h: chat files and images, uploaded and downloaded as streams
 *
 * SPDX-License-Identifier: MIT
 *
 * An upload sends the file from disk as the service's multipart form
 * (`POST /channels/{type}/{id}/file` or `/image`, by the file's type), never holding it in
 * memory, and resolves with the attachment to send in a message
 * (gig_chat_client_send_message_with_attachments). A download writes a stored file to disk the
 * same way; the chat token goes only to the chat service's own address, never to another host
 * (a CDN's URLs are signed on their own). Both report progress, give up on a transfer that
 * makes no progress for a while (rather than on a fixed total time, which a large file on a
 * slow line would exceed), and are bounded in size.
 */
#pragma once

#include <gio/gio.h>

#include "chat/gig-chat-attachment.h"
#include "chat/gig-chat-client.h"

G_BEGIN_DECLS

/* Progress of a transfer: @done of @total bytes (@total -1 when unknown). Called on the
 * caller's main context, at most every 100 ms and once at the end. */
typedef void (*GigChatProgressFunc) (goffset  done,
                                     goffset  total,
                                     gpointer user_data);

/* Seconds without any progress after which a transfer is given up (a network error). */
#define GIG_CHAT_TRANSFER_STALL_S 30

/* Uploads @file to the channel: to the image endpoint if it is an image of a type the service
 * takes there, else to the file endpoint. @title: the name to show (NULL: the file's display
 * name). Refused before any byte is sent: an empty file, one larger than
 * GIG_CHAT_MAX_UPLOAD_SIZE, a cid that is not one. */
void               gig_chat_client_upload_async     (GigChatClient        *self,
                                                     const char           *cid,
                                                     GFile                *file,
                                                     const char           *title,
                                                     GigChatProgressFunc   progress,
                                                     gpointer              progress_data,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GigChatAttachment *gig_chat_client_upload_finish    (GigChatClient        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Downloads @url to @destination (replaced only once the whole file has arrived; on failure
 * an existing file is left as it was). At most GIG_CHAT_MAX_UPLOAD_SIZE bytes. */
void               gig_chat_client_download_async   (GigChatClient        *self,
                                                     const char           *url,
                                                     GFile                *destination,
                                                     GigChatProgressFunc   progress,
                                                     gpointer              progress_data,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean           gig_chat_client_download_finish  (GigChatClient        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Whether a file (its standard::type and ::size) may go to the chat: a regular, non-empty file
 * of at most GIG_CHAT_MAX_UPLOAD_SIZE bytes; else the reason, naming it @name. */
gboolean           gig_chat_upload_check_file       (GFileInfo            *info,
                                                     const char           *name,
                                                     GError              **error);

/* TRUE if @url is on the chat service's own address (scheme, host and port of @base_url), so
 * the chat token may go with it. */
gboolean           gig_chat_url_is_same_origin      (const char           *url,
                                                     const char           *base_url);

G_END_DECLS
