/* gig-store-chat.h: the chat cache in the account's store
 *
 * SPDX-License-Identifier: MIT
 *
 * Messages per channel (for offline reading and instant open), read state, and the queue of
 * messages waiting to be sent. Messages are ordered by (created_at, id); timestamps are kept in
 * one fixed-width UTC form so that text order is time order.
 */
#pragma once

#include "store/gig-store.h"

G_BEGIN_DECLS

typedef enum {
  GIG_CHAT_MESSAGE_SENT,     /* the service has it */
  GIG_CHAT_MESSAGE_SENDING,  /* queued or on its way */
  GIG_CHAT_MESSAGE_FAILED,   /* refused for good: retry or discard */
} GigChatMessageState;

#define GIG_TYPE_CHAT_MESSAGE (gig_chat_message_get_type ())

typedef struct {
  char                *id;
  char                *cid;
  char                *user_id;
  char                *user_name;    /* from the message's `user`, may be NULL */
  char                *text;
  char                *created_at;   /* normalised: YYYY-MM-DDTHH:MM:SS.ffffffZ */
  char                *updated_at;
  char                *deleted_at;   /* non-NULL for deleted messages */
  GigChatMessageState  state;
  char                *error;        /* why a failed message failed */
} GigChatMessage;

GType           gig_chat_message_get_type (void) G_GNUC_CONST;
GigChatMessage *gig_chat_message_copy     (const GigChatMessage *message);
void            gig_chat_message_free     (GigChatMessage       *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigChatMessage, gig_chat_message_free)

/* A Stream timestamp ("2026-06-24T11:44:48.215772568Z", any precision or zone) in the cache's
 * fixed-width form, or NULL if it is not one. */
char           *gig_store_chat_normalize_time (const char *timestamp);
/* Now, in the same form. */
char           *gig_store_chat_now            (void);

/* ---- channels --------------------------------------------------------------------------------- */

/* Stores the channel object the service returned (name, frozen, project_id, ...). */
gboolean        gig_store_chat_put_channel       (GigStore    *self,
                                                  const char  *cid,
                                                  JsonObject  *channel,
                                                  GError     **error);
/* The stored channel object, or NULL. */
JsonObject     *gig_store_chat_get_channel       (GigStore    *self,
                                                  const char  *cid);
gboolean        gig_store_chat_channel_is_frozen (GigStore    *self,
                                                  const char  *cid);
/* Sets or clears the channel's frozen flag (e.g. from channel.updated). */
gboolean        gig_store_chat_set_frozen        (GigStore    *self,
                                                  const char  *cid,
                                                  gboolean     frozen,
                                                  GError     **error);

/* ---- messages --------------------------------------------------------------------------------- */

/* Upserts server messages (JsonObject *, as the service sends them) in one transaction. A
 * message still queued locally is now known to be delivered: its outbox row goes. */
gboolean        gig_store_chat_put_messages      (GigStore    *self,
                                                  const char  *cid,
                                                  GPtrArray   *messages,
                                                  GError     **error);
/* Marks a message deleted (soft) or removes it (hard). */
gboolean        gig_store_chat_delete_message    (GigStore    *self,
                                                  const char  *message_id,
                                                  const char  *deleted_at,
                                                  gboolean     hard,
                                                  GError     **error);
GigChatMessage *gig_store_chat_get_message       (GigStore    *self,
                                                  const char  *message_id);
guint           gig_store_chat_count_messages    (GigStore    *self,
                                                  const char  *cid);
/* Messages [@offset, @offset + @limit) of the channel in time order (oldest first). */
GPtrArray      *gig_store_chat_get_messages      (GigStore    *self,
                                                  const char  *cid,
                                                  guint        offset,
                                                  guint        limit);
/* How many of the channel's messages come before (@created_at, @message_id) in its order; the
 * message itself need not exist (any more). */
guint           gig_store_chat_count_before      (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *created_at,
                                                  const char  *message_id);
/* Position of the message in its channel's order, or -1. */
gint64          gig_store_chat_message_position  (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *message_id);
/* Id of the oldest / newest message the service has (not local-only ones), or NULL. */
char           *gig_store_chat_oldest_id         (GigStore    *self,
                                                  const char  *cid);
char           *gig_store_chat_newest_id         (GigStore    *self,
                                                  const char  *cid);

/* ---- read state ------------------------------------------------------------------------------- */

gboolean        gig_store_chat_set_read          (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *user_id,
                                                  const char  *last_read_at,
                                                  const char  *last_read_message_id,
                                                  GError     **error);
/* When @user_id last read the channel (normalised), or NULL. */
char           *gig_store_chat_get_last_read     (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *user_id);
/* The latest time any member other than @me read the channel (for read receipts), or NULL. */
char           *gig_store_chat_others_last_read  (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *me);
/* Messages of others newer than @me's last read (all of them if never read). */
guint           gig_store_chat_unread_count      (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *me);
/* The same for every channel with unread messages: cid → count (GUINT_TO_POINTER). */
GHashTable     *gig_store_chat_unread_counts     (GigStore    *self,
                                                  const char  *me);

/* ---- outbox ----------------------------------------------------------------------------------- */

typedef struct {
  gint64      seq;
  char       *cid;
  char       *message_id;
  JsonObject *message;     /* the request's `message` object (id, text) */
  guint       attempts;
} GigChatOutboxEntry;

void            gig_chat_outbox_entry_free       (GigChatOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigChatOutboxEntry, gig_chat_outbox_entry_free)

/* Caches the message as *sending* and queues it, in one transaction. @message must have `id`. */
gboolean        gig_store_chat_queue_message     (GigStore    *self,
                                                  const char  *cid,
                                                  const char  *user_id,
                                                  JsonObject  *message,
                                                  GError     **error);
/* The oldest queued row, marked as being sent (attempts + 1); NULL if none. */
GigChatOutboxEntry *gig_store_chat_outbox_next   (GigStore    *self);
/* Delivered: the row goes, the message takes the server's version (@server_message may be NULL). */
gboolean        gig_store_chat_outbox_done       (GigStore    *self,
                                                  gint64       seq,
                                                  JsonObject  *server_message,
                                                  GError     **error);
/* Not delivered this time (transient): back to the queue, at the same place. */
gboolean        gig_store_chat_outbox_release    (GigStore    *self,
                                                  gint64       seq,
                                                  const char  *last_error,
                                                  GError     **error);
/* Refused for good: the row is kept as failed and the message shows it. */
gboolean        gig_store_chat_outbox_fail       (GigStore    *self,
                                                  gint64       seq,
                                                  const char  *message,
                                                  GError     **error);
/* A failed message back to the queue (at its old place in the order). */
gboolean        gig_store_chat_outbox_retry      (GigStore    *self,
                                                  const char  *message_id,
                                                  GError     **error);
/* A failed (or still queued) message removed with its row. */
gboolean        gig_store_chat_outbox_discard    (GigStore    *self,
                                                  const char  *message_id,
                                                  GError     **error);
/* Rows left "being sent" by a previous run go back to the queue. */
gboolean        gig_store_chat_outbox_reset      (GigStore    *self,
                                                  GError     **error);
guint           gig_store_chat_outbox_count      (GigStore    *self);

G_END_DECLS
