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

G_END_DECLS
