/* gig-chat-client-connection.c: the websocket: connect under a deadline, the first frame,
 * health checks, a watchdog for silence, reconnects with backoff.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat/gig-chat-client-private.h"
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-http.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

#define FIRST_FRAME_TIMEOUT_MS    15000

void
_gig_chat_client_clear_source (guint *source)
{
  if (*source != 0)
    {
      g_source_remove (*source);
      *source = 0;
    }
}

void
_gig_chat_client_teardown_socket (GigChatClient *self)
{
  _gig_chat_client_clear_source (&self->ping_source);
  _gig_chat_client_clear_source (&self->watchdog_source);
  if (self->attempt_cancellable != NULL)
    {
      g_cancellable_cancel (self->attempt_cancellable);
      g_clear_object (&self->attempt_cancellable);
    }
  if (self->ws != NULL)
    {
      g_clear_signal_handler (&self->ws_message_id, self->ws);
      g_clear_signal_handler (&self->ws_closed_id, self->ws);
      g_clear_signal_handler (&self->ws_error_id, self->ws);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                         "Manually closed connection by calling client.disconnect()");
      g_clear_object (&self->ws);
    }
  self->ws_greeted = FALSE;
  _gig_chat_client_set_connection_id (self, NULL);
}

/* The connection broke or an attempt failed: try again later (or at once after a token refresh). */
void
_gig_chat_client_connection_failed (GigChatClient *self,
                                    const char    *why,
                                    gboolean       immediately)
{
  _gig_chat_client_teardown_socket (self);
  if (!self->wanted)
    {
      _gig_chat_client_set_state (self, GIG_CHAT_STATE_OFFLINE);
      return;
    }
  _gig_chat_client_set_last_error (self, why);
  _gig_chat_client_set_state (self, GIG_CHAT_STATE_OFFLINE);
  if (immediately)
    _gig_chat_client_schedule_reconnect (self, 0);
  else
    {
      guint delay = gig_backoff_next_ms (&self->backoff);
      g_debug ("Chat connection lost (%s); reconnecting in %u ms", why, delay);
      _gig_chat_client_schedule_reconnect (self, delay);
    }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  GigChatClient *self = user_data;

  self->reconnect_source = 0;
  _gig_chat_client_start_attempt (self);
  return G_SOURCE_REMOVE;
}

void
_gig_chat_client_schedule_reconnect (GigChatClient *self,
                                     guint          delay_ms)
{
  _gig_chat_client_clear_source (&self->reconnect_source);
  self->reconnect_source = g_timeout_add (delay_ms, reconnect_cb, self);
}

static void
send_frame (GigChatClient *self,
            JsonNode      *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  if (self->ws == NULL || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  soup_websocket_connection_send_text (self->ws, text);
}

static gboolean
ping_cb (gpointer user_data)
{
  GigChatClient *self = user_data;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonArray) arr = json_array_new ();
  JsonObject *check = json_object_new ();
  g_autofree char *client_id = g_strdup_printf ("%s--%s", self->user_id, self->connection_id);

  /* The same shape stream-chat-js sends; the service answers with a health.check. */
  json_object_set_string_member (check, "type", "health.check");
  json_object_set_string_member (check, "client_id", client_id);
  json_array_add_object_element (arr, check);
  json_node_set_array (node, arr);
  send_frame (self, node);
  return G_SOURCE_CONTINUE;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  GigChatClient *self = user_data;
  gint64 silent_ms = (g_get_monotonic_time () - self->last_frame_at) / 1000;

  if (silent_ms > (gint64) self->dead_timeout_ms)
    {
      self->watchdog_source = 0;
      g_message ("Chat socket silent for %" G_GINT64_FORMAT " ms; reconnecting", silent_ms);
      _gig_chat_client_connection_failed (self, _("The chat connection stopped answering"), FALSE);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
_gig_chat_client_start_health_timers (GigChatClient *self)
{
  _gig_chat_client_clear_source (&self->ping_source);
  _gig_chat_client_clear_source (&self->watchdog_source);
  self->ping_source = g_timeout_add (self->ping_interval_ms, ping_cb, self);
  self->watchdog_source = g_timeout_add (MAX (self->dead_timeout_ms / 5, 50u), watchdog_cb, self);
}

static void
on_first_frame (GigChatClient *self,
                JsonObject    *frame)
{
  JsonObject *error = gig_json_object_get_object (frame, "error");

  if (error != NULL)
    {
      gint64 code = gig_json_object_get_int (error, "code", -1);
      const char *message = gig_json_object_get_string (error, "message");

      if (code == 40 && !self->refreshed_for_this_attempt)
        {
          /* Token expired: fetch a new one and reconnect at once. */
          g_debug ("Chat token expired; refreshing");
          self->token_stale = TRUE;
          self->refreshed_for_this_attempt = TRUE;
          gig_backoff_reset (&self->backoff);
          _gig_chat_client_connection_failed (self, _("Chat token expired"), TRUE);
          return;
        }
      if (code == 40)
        {
          self->token_stale = TRUE;
          _gig_chat_client_connection_failed (self, message != NULL ? message : _("Chat token expired"), FALSE);
          return;
        }
      /* Anything else is the service saying no: don't hammer it until something changes. */
      g_warning ("The chat service refused the connection (code %" G_GINT64_FORMAT "): %s",
                 code, message != NULL ? message : "no message");
      self->rejected = TRUE;
      _gig_chat_client_teardown_socket (self);
      _gig_chat_client_set_last_error (self, message != NULL ? message : _("The chat service refused the connection"));
      _gig_chat_client_set_state (self, GIG_CHAT_STATE_OFFLINE);
      return;
    }

  if (g_strcmp0 (gig_json_object_get_string (frame, "type"), "health.check") != 0 || gig_json_object_get_string (frame, "connection_id") == NULL)
    {
      g_warning ("Ignoring chat event before the connection was confirmed: %s",
                 gig_json_object_get_string (frame, "type") ? gig_json_object_get_string (frame, "type") : "(no type)");
      return;
    }

  self->ws_greeted = TRUE;
  gig_backoff_reset (&self->backoff);
  self->refreshed_for_this_attempt = FALSE;
  _gig_chat_client_set_connection_id (self, gig_json_object_get_string (frame, "connection_id"));
  _gig_chat_client_set_last_error (self, NULL);
  _gig_chat_client_start_health_timers (self);
  _gig_chat_client_set_state (self, GIG_CHAT_STATE_ONLINE);
  _gig_chat_client_pump_outbox (self);
  _gig_chat_client_recover (self);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  GigChatClient *self = user_data;
  g_autoptr(JsonObject) frame = NULL;
  g_autoptr(GError) parse_error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);

  self->last_frame_at = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_warning ("Ignoring a binary chat frame of %" G_GSIZE_FORMAT " bytes", len);
      return;
    }
  frame = gig_chat_parse_frame (data, len, &parse_error);
  if (frame == NULL)
    {
      g_warning ("Ignoring a malformed chat event of %" G_GSIZE_FORMAT " bytes: %s", len, parse_error->message);
      return;
    }
  if (!self->ws_greeted)
    {
      on_first_frame (self, frame);
      return;
    }
  if (gig_json_object_get_object (frame, "error") != NULL)
    {
      JsonObject *error = gig_json_object_get_object (frame, "error");
      g_warning ("Chat service error on the socket (code %" G_GINT64_FORMAT "): %s",
                 gig_json_object_get_int (error, "code", -1), gig_json_object_get_string (error, "message") ? gig_json_object_get_string (error, "message") : "");
      if (gig_json_object_get_int (error, "code", -1) == 40)
        self->token_stale = TRUE;
      return;
    }
  _gig_chat_client_apply_event (self, frame, FALSE);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  GigChatClient *self = user_data;
  g_autofree char *why = g_strdup_printf (_("The chat connection closed (%u)"),
                                          soup_websocket_connection_get_close_code (ws));

  /* Unlike stream-chat-js, a close without an error frame is retried even with code 1000: a
   * restarting service closes that way, and a desktop app should come back by itself. */
  _gig_chat_client_connection_failed (self, why, FALSE);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  g_debug ("Chat socket error: %s", error->message);
}

static gboolean
first_frame_timeout_cb (gpointer user_data)
{
  GigChatClient *self = user_data;

  self->watchdog_source = 0;
  _gig_chat_client_connection_failed (self, _("The chat service did not answer"), FALSE);
  return G_SOURCE_REMOVE;
}

/* One websocket handshake in flight: the client and the deadline of the whole handshake. */
typedef struct
{
  GigChatClient *client;
  GigDeadline   *deadline;
  guint          deadline_s;
} Handshake;

static void
handshake_free (Handshake *handshake)
{
  g_clear_object (&handshake->client);
  g_clear_pointer (&handshake->deadline, gig_deadline_free);
  g_free (handshake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Handshake, handshake_free)

static void
ws_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Handshake) handshake = user_data;
  GigChatClient *self = handshake->client;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && gig_deadline_expired (handshake->deadline))
        {
          g_autofree char *why = g_strdup_printf (ngettext ("The chat server took longer than %u second to open the connection",
                                                            "The chat server took longer than %u seconds to open the connection",
                                                            handshake->deadline_s),
                                                  handshake->deadline_s);

          _gig_chat_client_connection_failed (self, why, FALSE);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _gig_chat_client_connection_failed (self, error->message, FALSE);
      return;
    }
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, GIG_CHAT_MAX_FRAME);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  self->ws_message_id = g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  self->ws_closed_id = g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  self->ws_error_id = g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);
  self->last_frame_at = g_get_monotonic_time ();
  _gig_chat_client_clear_source (&self->watchdog_source);
  self->watchdog_source = g_timeout_add (FIRST_FRAME_TIMEOUT_MS, first_frame_timeout_cb, self);
}

static void
open_socket (GigChatClient *self)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonObject) details = json_object_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *json = NULL, *json_e = NULL, *key_e = NULL, *token_e = NULL, *client_e = NULL;
  g_autofree char *ws_base = NULL, *uri = NULL, *request_id = g_uuid_string_random ();
  Handshake *handshake;

  json_object_set_string_member (details, "id", self->user_id);
  json_object_set_string_member (payload, "user_id", self->user_id);
  json_object_set_object_member (payload, "user_details", g_steal_pointer (&details));
  json_object_set_boolean_member (payload, "server_determines_connection_id", TRUE);
  json_object_set_string_member (payload, "client_request_id", request_id);
  json = _gig_chat_client_json_object_to_data (payload);

  if (g_str_has_prefix (self->base_url, "https://"))
    ws_base = g_strconcat ("wss://", self->base_url + strlen ("https://"), NULL);
  else if (g_str_has_prefix (self->base_url, "http://"))
    ws_base = g_strconcat ("ws://", self->base_url + strlen ("http://"), NULL);
  else
    ws_base = g_strdup (self->base_url);

  json_e = g_uri_escape_string (json, NULL, FALSE);
  key_e = g_uri_escape_string (self->api_key, NULL, FALSE);
  token_e = g_uri_escape_string (self->token, NULL, FALSE);
  client_e = g_uri_escape_string (CLIENT_NAME, NULL, FALSE);
  uri = g_strdup_printf ("%s/connect?json=%s&api_key=%s&authorization=%s&stream-auth-type=jwt&X-Stream-Client=%s",
                         ws_base, json_e, key_e, token_e, client_e);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    {
      _gig_chat_client_connection_failed (self, _("Bad chat address"), FALSE);
      return;
    }
  /* The session's idle timeout never fires for a server that sends its 101 answer a byte at a
   * time: the whole handshake has a deadline, after which the reconnect backoff takes over. */
  handshake = g_new0 (Handshake, 1);
  handshake->client = g_object_ref (self);
  handshake->deadline_s = self->deadline_s;
  handshake->deadline = gig_deadline_new (self->deadline_s * 1000, self->attempt_cancellable);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        gig_deadline_get_cancellable (handshake->deadline),
                                        ws_connect_done, handshake);
}

static void
attempt_token_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GigChatClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!_gig_chat_client_fetch_token_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH))
        {
          /* Only a new PocketBase token can fix this (gig_chat_client_set_pb_token). */
          self->rejected = TRUE;
          _gig_chat_client_teardown_socket (self);
          _gig_chat_client_set_last_error (self, error->message);
          _gig_chat_client_set_state (self, GIG_CHAT_STATE_OFFLINE);
          return;
        }
      _gig_chat_client_connection_failed (self, error->message, FALSE);
      return;
    }
  open_socket (self);
}

void
_gig_chat_client_start_attempt (GigChatClient *self)
{
  if (!self->wanted || self->rejected)
    return;
  _gig_chat_client_clear_source (&self->reconnect_source);
  _gig_chat_client_teardown_socket (self);
  self->attempt_cancellable = g_cancellable_new ();
  _gig_chat_client_set_state (self, GIG_CHAT_STATE_CONNECTING);
  if (self->token == NULL || self->token_stale)
    _gig_chat_client_fetch_token_async (self, self->attempt_cancellable, attempt_token_done, g_object_ref (self));
  else
    open_socket (self);
}

void
_gig_chat_client_on_network_changed (GNetworkMonitor *monitor,
                                     gboolean         available,
                                     gpointer         user_data)
{
  GigChatClient *self = user_data;

  /* Back online: don't wait for the backoff. */
  if (available && self->wanted && !self->rejected && self->state == GIG_CHAT_STATE_OFFLINE)
    {
      g_debug ("Network is back; reconnecting chat now");
      gig_backoff_reset (&self->backoff);
      _gig_chat_client_schedule_reconnect (self, 10);
    }
}
