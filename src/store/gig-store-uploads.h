/* gig-store-uploads.h: files in the account's store — chat attachments as cached
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "store/gig-store.h"

G_BEGIN_DECLS

/* The cached message as the service sent it (or as queued, for one not yet sent): its
 * `attachments` among the rest. NULL if there is no such message. */
JsonObject *gig_store_chat_get_message_json (GigStore   *self,
                                             const char *message_id);

/* The directory where files attached offline wait for their upload: beside the store's file
 * ("<store>.attachments"), so signing out, which removes the account's data, removes them too.
 * NULL for an in-memory store. */
char       *gig_store_uploads_dir           (GigStore   *self);

/* Rewrites the queued message of outbox row @seq (after one of its files was uploaded: the
 * attachment now carries its URL), in the outbox and in the cached copy, in one transaction. */
gboolean    gig_store_chat_outbox_set_message (GigStore    *self,
                                               gint64       seq,
                                               JsonObject  *message,
                                               GError     **error);

/* The messages of every outbox row (queued, being sent or failed): what still needs the files
 * waiting in gig_store_uploads_dir(). */
GPtrArray  *gig_store_chat_outbox_messages  (GigStore   *self);

G_END_DECLS
