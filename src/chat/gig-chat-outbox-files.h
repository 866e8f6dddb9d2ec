/* gig-chat-outbox-files.h: files attached to chat messages while offline
 *
 * SPDX-License-Identifier: MIT
 *
 * Attaching copies each file into the account's data (gig_store_uploads_dir(), after checking
 * its size) and queues the message with the copies' paths in its attachments, in the outbox's
 * one transaction, so the message shows at once and survives restarts. When the outbox reaches
 * the message, its files are uploaded one by one; each URL is written back to the queued message
 * as soon as it is known (a file is never uploaded again once its URL is stored) and the copy is
 * removed; then the message goes, once (its id is ours). A failure is the outbox's: retried with
 * backoff while it is transient, else the message fails and offers Retry / Discard.
 */
#pragma once

#include <gio/gio.h>

#include "chat/gig-chat-client.h"
#include "store/gig-store-chat.h"

G_BEGIN_DECLS

/* Copies @files (GFile *, at most GIG_CHAT_MAX_ATTACHMENTS) into the account's data and queues a
 * message with them (and @text, may be NULL); resolves with the message id. Nothing is queued if
 * any file cannot be read, is empty or too large: the error names it. */
void      gig_chat_client_attach_files_async   (GigChatClient        *self,
                                                const char           *cid,
                                                const char           *text,
                                                GPtrArray            *files,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
char     *gig_chat_client_attach_files_finish  (GigChatClient        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* For the outbox pump: TRUE if the queued @message still has files to upload. */
gboolean  gig_chat_outbox_files_pending        (JsonObject           *message);
/* Uploads the entry's waiting files, updating @entry->message and the store after each. */
void      gig_chat_outbox_files_upload_async   (GigChatClient        *self,
                                                GigChatOutboxEntry   *entry,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  gig_chat_outbox_files_upload_finish  (GigChatClient        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Removes copies in the uploads directory that no outbox row needs any more (a discarded
 * message's, or ones left by a crash between copying and queueing). */
void      gig_chat_outbox_files_sweep          (GigChatClient        *self);

G_END_DECLS
