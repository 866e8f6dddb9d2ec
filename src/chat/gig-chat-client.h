/* gig-chat-client.h: a GetStream Chat client over libsoup (websocket + REST)
 *
 * SPDX-License-Identifier: MIT
 *
 * The client gets its Stream user token from PocketBase (`GET /api/chat/token`), keeps one
 * websocket open while it is wanted (health checks both ways, dead-socket detection, reconnect
 * with jittered capped backoff, at once when the network comes back), refreshes the token on
 * error code 40, re-watches open channels and replays missed events (`/sync`) after every
 * reconnect, and writes everything it learns into the chat cache of a GigStore. Messages are
 * sent through the cache's outbox with client-made ids, so they survive restarts and are
 * delivered once, in order.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

/* Client-side failures. */
#define GIG_CHAT_ERROR (gig_chat_error_quark ())
typedef enum {
  GIG_CHAT_ERROR_NETWORK,        /* no connection, reset, timeout: worth retrying */
  GIG_CHAT_ERROR_AUTH,           /* PocketBase refused the token request or chat is not configured */
  GIG_CHAT_ERROR_MALFORMED,      /* a response that is not what the service sends */
  GIG_CHAT_ERROR_NOT_CONNECTED,  /* needs an open connection (e.g. typing events) */
  GIG_CHAT_ERROR_INVALID,        /* bad argument (unknown message, not own message, bad cid) */
} GigChatError;
GQuark gig_chat_error_quark (void);

/* Errors the chat service answered: the GError code is Stream's own error code (4 input error,
 * 16 does not exist, 17 not allowed, 40 token expired, ...) and the message is the service's. */
#define GIG_CHAT_API_ERROR (gig_chat_api_error_quark ())
GQuark gig_chat_api_error_quark (void);

/* TRUE for errors a later retry may fix (network, rate limits, timeouts, server errors). */
gboolean gig_chat_error_is_transient (const GError *error);

typedef enum {
  GIG_CHAT_STATE_OFFLINE,
  GIG_CHAT_STATE_CONNECTING,
  GIG_CHAT_STATE_ONLINE,
} GigChatState;

#define GIG_TYPE_CHAT_STATE (gig_chat_state_get_type ())
GType gig_chat_state_get_type (void);

/* "messaging:project-<id>" for a project id. */
char *gig_chat_cid_for_project (const char *project_id);

#define GIG_TYPE_CHAT_CLIENT (gig_chat_client_get_type ())
G_DECLARE_FINAL_TYPE (GigChatClient, gig_chat_client, GIG, CHAT_CLIENT, GObject)

/* @pb_base_url: PocketBase, e.g. "http://127.0.0.1:8090". @store: the signed-in account's
 * store (the chat cache lives there). @user_id: the signed-in user (the chat user has the same
 * id), so messages can be written offline before any token was fetched; may be NULL (then
 * known after the first token).
 *
 * Properties: "store" (construct-only), "pb-url" (construct-only), "state" (GigChatState),
 * "user-id" (construct-only), "connection-id", "last-error" (string, nullable), "ping-interval" and
 * "dead-timeout" (ms; 25000 and 35000 by default: how often a health check is sent and how
 * long a silent socket is trusted).
 *
 * Signals:
 * - "event" (const char *type, const char *cid (nullable), JsonObject *event): every event
 *   received over the websocket or replayed by /sync, after the cache has been updated.
 * - "typing" (const char *cid, const char *user_id, gboolean typing): another member's typing.
 * - "recovered": a reconnect finished re-watching and replaying; nothing was missed.
 * - "message-failed" (const char *cid, const char *message_id, const char *error): a send was
 *   refused for good; the message shows as failed in the cache. */
GigChatClient *gig_chat_client_new               (const char     *pb_base_url,
                                                  GigStore       *store,
                                                  const char     *user_id);

/* The PocketBase auth token used to ask for chat tokens (never stored by the client). Setting
 * it while wanted reconnects when it changes from NULL. */
void           gig_chat_client_set_pb_token      (GigChatClient  *self,
                                                  const char     *pb_token);

/* Starts (or keeps) connecting and stays connected until gig_chat_client_disconnect(). */
void           gig_chat_client_connect           (GigChatClient  *self);
void           gig_chat_client_disconnect        (GigChatClient  *self);
/* Drops the socket as if the network had failed (after a resume, or for tests); the client
 * reconnects with backoff. */
void           gig_chat_client_drop_connection   (GigChatClient  *self);

GigChatState   gig_chat_client_get_state         (GigChatClient  *self);
const char    *gig_chat_client_get_user_id       (GigChatClient  *self);
const char    *gig_chat_client_get_connection_id (GigChatClient  *self);
const char    *gig_chat_client_get_last_error    (GigChatClient  *self);
GigStore      *gig_chat_client_get_store         (GigChatClient  *self);

/* Queries the channel with watch (kept across reconnects) and its latest @limit messages
 * (0 → 50), stores them and resolves with the channel's state object as the service returns it. */
void           gig_chat_client_watch_channel_async  (GigChatClient       *self,
                                                     const char          *cid,
                                                     guint                limit,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
JsonObject    *gig_chat_client_watch_channel_finish (GigChatClient       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
void           gig_chat_client_unwatch_channel      (GigChatClient       *self,
                                                     const char          *cid);

/* Loads up to @limit messages older than @before_id into the cache; resolves with how many
 * came (0: the start of history was reached). */
void           gig_chat_client_load_older_async     (GigChatClient       *self,
                                                     const char          *cid,
                                                     const char          *before_id,
                                                     guint                limit,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gint           gig_chat_client_load_older_finish    (GigChatClient       *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Queues a message (cached at once as *sending* with a client-made id) and delivers it as soon
 * as the connection allows. Returns the message id. */
char          *gig_chat_client_send_message      (GigChatClient  *self,
                                                  const char     *cid,
                                                  const char     *text,
                                                  GError        **error);
/* The same with file and image attachments (GigChatAttachment *, at most
 * GIG_CHAT_MAX_ATTACHMENTS, uploaded already: see gig-chat-upload.h); @text may then be NULL. */
char          *gig_chat_client_send_message_with_attachments (GigChatClient  *self,
                                                              const char     *cid,
                                                              const char     *text,
                                                              GPtrArray      *attachments,
                                                              GError        **error);
/* A failed message goes back to the queue / is thrown away. */
gboolean       gig_chat_client_retry_message     (GigChatClient  *self,
                                                  const char     *message_id,
                                                  GError        **error);
gboolean       gig_chat_client_discard_message   (GigChatClient  *self,
                                                  const char     *message_id,
                                                  GError        **error);
/* Resolves with the server's message. */
void           gig_chat_client_update_message_async  (GigChatClient       *self,
                                                      const char          *message_id,
                                                      const char          *text,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonObject    *gig_chat_client_update_message_finish (GigChatClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void           gig_chat_client_delete_message_async  (GigChatClient       *self,
                                                      const char          *message_id,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean       gig_chat_client_delete_message_finish (GigChatClient       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Call on every keystroke in the composer: sends typing.start at most every 3 s and
 * typing.stop after 5 s without keystrokes. */
void           gig_chat_client_keystroke         (GigChatClient  *self,
                                                  const char     *cid);
/* The composer was sent or cleared: typing.stop now if a start was sent. */
void           gig_chat_client_stop_typing       (GigChatClient  *self,
                                                  const char     *cid);

/* Marks the channel read up to its newest message (locally at once, on the server when online). */
void           gig_chat_client_mark_read_async   (GigChatClient       *self,
                                                  const char          *cid,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       gig_chat_client_mark_read_finish  (GigChatClient       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
