/* gig-chat-client-private.h: what the parts of GigChatClient share: the instance and the calls
 * between gig-chat-client.c (object, state, public connection control), -rest.c (the chat token
 * and REST calls), -connection.c (the websocket, health checks, reconnects), -events.c (events,
 * watching, recovery, older history), -outbox.c (sending, editing, deleting) and -presence.c
 * (typing and read state).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "chat/gig-chat-client.h"
#include "core/gig-backoff.h"

G_BEGIN_DECLS

#define CLIENT_NAME "stream-chat-gigdesk-v" PACKAGE_VERSION

struct _GigChatClient
{
  GObject          parent_instance;

  GigStore        *store;
  SoupSession     *session;
  char            *pb_url;
  char            *pb_token;

  /* What /api/chat/token answered; the token itself is only ever kept in memory. */
  char            *token;
  char            *api_key;
  char            *user_id;
  char            *base_url;
  gboolean         token_stale;
  gboolean         refreshed_for_this_attempt;

  GigChatState     state;
  char            *connection_id;
  char            *last_error;
  gboolean         wanted;
  gboolean         rejected;      /* the service refused us for good: wait for a new pb token */

  SoupWebsocketConnection *ws;
  gboolean         ws_greeted;    /* the first health.check (with `me`) arrived */
  gulong           ws_message_id;
  gulong           ws_closed_id;
  gulong           ws_error_id;
  GCancellable    *attempt_cancellable;
  GCancellable    *cancellable;   /* everything; cancelled in dispose */
  GigBackoff       backoff;       /* reconnects, and the outbox's retries by their attempts */
  gint64           last_frame_at; /* monotonic µs */
  guint            ping_source;
  guint            watchdog_source;
  guint            reconnect_source;
  guint            pump_retry_source;
  guint            ping_interval_ms;
  guint            dead_timeout_ms;
  guint            deadline_s;

  GNetworkMonitor *monitor;
  gulong           monitor_id;

  GHashTable      *watched;       /* cid → limit (GUINT_TO_POINTER) */
  char            *last_event_at; /* newest event time seen, for /sync */
  gboolean         pumping;

  GHashTable      *typing_started; /* cid → gint64* time of the last typing.start sent */
  GHashTable      *typing_timers;  /* cid → source id */
};

/* gig-chat-client.c: state and small helpers */
char *
_gig_chat_client_cid_path (const char *cid);
char *
_gig_chat_client_json_object_to_data (JsonObject *object);
void
_gig_chat_client_note_event_time (GigChatClient *self,
                                  const char    *created_at);
void
_gig_chat_client_set_connection_id (GigChatClient *self,
                                    const char    *connection_id);
void
_gig_chat_client_set_last_error (GigChatClient *self,
                                 const char    *message);
void
_gig_chat_client_set_state (GigChatClient *self,
                            GigChatState   state);
void
_gig_chat_client_emit_event (GigChatClient *self,
                             const char    *type,
                             const char    *cid,
                             JsonObject    *event);
void
_gig_chat_client_emit_typing (GigChatClient *self,
                              const char    *cid,
                              const char    *user_id,
                              gboolean       started);
void
_gig_chat_client_emit_recovered (GigChatClient *self);
void
_gig_chat_client_emit_message_failed (GigChatClient *self,
                                      const char    *cid,
                                      const char    *message_id,
                                      const char    *error_message);

/* gig-chat-client-rest.c: the chat token from PocketBase, REST calls to the chat service */
void
_gig_chat_client_fetch_token_async (GigChatClient       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean
_gig_chat_client_fetch_token_finish (GigChatClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error);
void
_gig_chat_client_rest_async (GigChatClient       *self,
                             const char          *method,
                             const char          *path,
                             JsonObject          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);
JsonObject *
_gig_chat_client_rest_finish (GigChatClient  *self,
                              GAsyncResult   *result,
                              GError        **error);

/* gig-chat-client-connection.c: the websocket, its health checks and reconnects */
void
_gig_chat_client_clear_source (guint *source);
void
_gig_chat_client_connection_failed (GigChatClient *self,
                                    const char    *why,
                                    gboolean       immediately);
void
_gig_chat_client_on_network_changed (GNetworkMonitor *monitor,
                                     gboolean         available,
                                     gpointer         user_data);
void
_gig_chat_client_schedule_reconnect (GigChatClient *self,
                                     guint          delay_ms);
void
_gig_chat_client_start_attempt (GigChatClient *self);
void
_gig_chat_client_start_health_timers (GigChatClient *self);
void
_gig_chat_client_teardown_socket (GigChatClient *self);

/* gig-chat-client-events.c: events, watched channels, recovery after a reconnect */
void
_gig_chat_client_apply_event (GigChatClient *self,
                              JsonObject    *event,
                              gboolean       replayed);
GPtrArray *
_gig_chat_client_message_array (JsonObject *message);
void
_gig_chat_client_recover (GigChatClient *self);

/* gig-chat-client-outbox.c: messages sent in the order written, through the store's outbox */
void
_gig_chat_client_pump_outbox (GigChatClient *self);

G_END_DECLS
