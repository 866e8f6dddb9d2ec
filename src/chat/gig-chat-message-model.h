/* gig-chat-message-model.h: a channel's cached messages as a lazy GListModel
 *
 * SPDX-License-Identifier: MIT
 *
 * Items are GigChatMessageItem, oldest first. The model starts with the newest page of the cache
 * only and grows at the top (items-changed at 0) as older cached history is asked for, so opening
 * a channel with many thousands of cached messages makes widgets for one page, not for the list
 * view's whole row budget. Rows are read from the store in pages when asked for, and only a
 * bounded number of pages is kept. Store changes become precise items-changed where the change
 * is at the end (new messages, the usual case) and a refresh from the first changed row otherwise.
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

GigChatMessageModel *gig_chat_message_model_new          (GigStore            *store,
                                                          const char          *cid);
const char          *gig_chat_message_model_get_cid      (GigChatMessageModel *self);
/* The message just before @position in the channel, also when that one is not in the model yet
 * (for grouping the first row with its predecessor), or NULL. */
GigChatMessageItem  *gig_chat_message_model_get_previous (GigChatMessageModel *self,
                                                          guint                position);
/* Cached messages older than the first item, not in the model yet. */
guint                gig_chat_message_model_get_n_older  (GigChatMessageModel *self);
/* Adds up to @count of them at the top; returns how many were added. */
guint                gig_chat_message_model_load_older   (GigChatMessageModel *self,
                                                          guint                count);
/* Re-announces the last @count rows (e.g. read receipts changed). */
void                 gig_chat_message_model_refresh_tail (GigChatMessageModel *self,
                                                          guint                count);

G_END_DECLS
