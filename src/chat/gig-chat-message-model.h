/* gig-chat-message-model.h: a channel's cached messages as a lazy GListModel
 *
 * SPDX-License-Identifier: MIT
 *
 * Items are GigChatMessageItem, oldest first. Rows are read from the store in pages when asked
 * for, and only a bounded number of pages is kept, so a channel with many thousands of cached
 * messages opens at once. Store changes become precise items-changed where the change is at the
 * end (new messages, the usual case) and a refresh from the first changed row otherwise.
 */
#pragma once

#include <gio/gio.h>

#include "store/gig-store-chat.h"

G_BEGIN_DECLS

#define GIG_TYPE_CHAT_MESSAGE_ITEM (gig_chat_message_item_get_type ())
G_DECLARE_FINAL_TYPE (GigChatMessageItem, gig_chat_message_item, GIG, CHAT_MESSAGE_ITEM, GObject)

/* The message (owned by the item). */
const GigChatMessage *gig_chat_message_item_get_message (GigChatMessageItem *self);

#define GIG_TYPE_CHAT_MESSAGE_MODEL (gig_chat_message_model_get_type ())
G_DECLARE_FINAL_TYPE (GigChatMessageModel, gig_chat_message_model, GIG, CHAT_MESSAGE_MODEL, GObject)

GigChatMessageModel *gig_chat_message_model_new      (GigStore            *store,
                                                      const char          *cid);
const char          *gig_chat_message_model_get_cid  (GigChatMessageModel *self);
/* Re-announces the last @count rows (e.g. read receipts changed). */
void                 gig_chat_message_model_refresh_tail (GigChatMessageModel *self,
                                                          guint                count);

G_END_DECLS
