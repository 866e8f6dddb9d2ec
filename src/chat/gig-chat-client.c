/* gig-chat-client.c: a GetStream Chat client over libsoup (websocket + REST)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "gig-chat-client.h"
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-http.h"
#include "core/gig-backoff.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

#define DEFAULT_PING_INTERVAL_MS  25000
#define DEFAULT_DEAD_TIMEOUT_MS   35000
#define FIRST_FRAME_TIMEOUT_MS    15000
#define TYPING_THROTTLE_US        (3 * G_USEC_PER_SEC)
#define TYPING_IDLE_MS            5000
#define DEFAULT_WATCH_LIMIT       50
/* Seconds a whole REST request or websocket handshake may take (the session's idle timeout only
 * catches silence, not a server that trickles its answer). */
#define DEFAULT_DEADLINE_S        60
#define CLIENT_NAME               "stream-chat-gigdesk-v" PACKAGE_VERSION

/* Linear growth to 25 s, as the official SDKs reconnect, with "equal jitter" (half fixed, half
 * random) so that clients dropped together by a restarting service do not return together. */
static const GigBackoffPolicy reconnect_policy = {
  .first_ms = 2500, .step_ms = 2000, .max_ms = 25000, .jitter_below_percent = 50,
};


G_DEFINE_ENUM_TYPE (GigChatState, gig_chat_state,
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_ONLINE, "online"))

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

G_DEFINE_FINAL_TYPE (GigChatClient, gig_chat_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PB_URL,
  PROP_STATE,
  PROP_USER_ID,
  PROP_CONNECTION_ID,
  PROP_LAST_ERROR,
  PROP_PING_INTERVAL,
  PROP_DEAD_TIMEOUT,
  PROP_DEADLINE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT,
  SIGNAL_TYPING,
  SIGNAL_RECOVERED,
  SIGNAL_MESSAGE_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_attempt       (GigChatClient *self);
static void schedule_reconnect  (GigChatClient *self,
                                 guint          delay_ms);
static void pump_outbox         (GigChatClient *self);
static void recover             (GigChatClient *self);
static void apply_event         (GigChatClient *self,
                                 JsonObject    *event,
                                 gboolean       replayed);

/* ---------------------------------------------------------------------------------------------- */
/* Small helpers                                                                                   */

gboolean
gig_chat_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == GIG_CHAT_ERROR)
    return error->code == GIG_CHAT_ERROR_NETWORK || error->code == GIG_CHAT_ERROR_NOT_CONNECTED;
  if (error->domain == GIG_CHAT_API_ERROR)
    return error->code == -1 || error->code == 3 || error->code == 9 || error->code == 23 ||
           error->code == 71 || error->code == 40;
  return FALSE;
}

char *
gig_chat_cid_for_project (const char *project_id)
{
  g_return_val_if_fail (project_id != NULL, NULL);
  return g_strconcat ("messaging:project-", project_id, NULL);
}

/* "type:id" → "type/id" for REST paths; NULL if @cid is not a cid. */
static char *
cid_path (const char *cid)
{
  const char *colon;
  g_autofree char *type = NULL;
  g_autofree char *type_e = NULL, *id_e = NULL;

  if (cid == NULL || (colon = strchr (cid, ':')) == NULL || colon == cid || colon[1] == '\0')
    return NULL;
  type = g_strndup (cid, (gsize) (colon - cid));
  type_e = g_uri_escape_string (type, NULL, FALSE);
  id_e = g_uri_escape_string (colon + 1, NULL, FALSE);
  return g_strdup_printf ("/channels/%s/%s", type_e, id_e);
}

static char *
json_object_to_data (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void
set_last_error (GigChatClient *self,
                const char    *message)
{
  g_autofree char *shown = gig_text_shorten (message, GIG_TEXT_SHOWN_MAX_CHARS);

  if (g_strcmp0 (self->last_error, shown) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_steal_pointer (&shown);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static const char *
state_name (GigChatState state)
{
  switch (state)
    {
    case GIG_CHAT_STATE_CONNECTING: return "connecting";
    case GIG_CHAT_STATE_ONLINE: return "online";
    case GIG_CHAT_STATE_OFFLINE:
    default: return "offline";
    }
}

static void
set_state (GigChatClient *self,
           GigChatState   state)
{
  if (self->state == state)
    return;
  g_debug ("Chat connection: %s → %s", state_name (self->state), state_name (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_connection_id (GigChatClient *self,
                   const char    *connection_id)
{
  if (g_strcmp0 (self->connection_id, connection_id) == 0)
    return;
  g_free (self->connection_id);
  self->connection_id = g_strdup (connection_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ID]);
}

static void
note_event_time (GigChatClient *self,
                 const char    *created_at)
{
  g_autofree char *norm = gig_store_chat_normalize_time (created_at);

  if (norm != NULL && (self->last_event_at == NULL || strcmp (norm, self->last_event_at) > 0))
    {
      g_free (self->last_event_at);
      self->last_event_at = g_steal_pointer (&norm);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Chat token from PocketBase                                                                      */

static void
token_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint status;
  const char *token, *api_key, *user_id, *base_url;

  bytes = gig_chat_http_send_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK))
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                                 _("Could not reach the server for a chat token: %s"), error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  body = gig_chat_parse_answer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                GIG_CHAT_MAX_TOKEN_ANSWER, &parse_error);
  if (status == 401 || status == 403 || status == 503)
    {
      g_autofree char *message = gig_text_shorten (gig_json_object_get_string (body, "message"),
                                                   GIG_TEXT_SHOWN_MAX_CHARS);
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH, "%s",
                               message != NULL ? message : _("The server refused a chat token"));
      return;
    }
  if (status >= 500 || status == 0)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("The server could not make a chat token (HTTP %u)"), status);
      return;
    }
  token = gig_json_object_get_string (body, "token");
  api_key = gig_json_object_get_string (body, "api_key");
  user_id = gig_json_object_get_string (body, "user_id");
  base_url = gig_json_object_get_string (body, "base_url");
  if (status != 200 || token == NULL || api_key == NULL || user_id == NULL || base_url == NULL)
    {
      if (parse_error != NULL)
        g_debug ("Chat token answer: %s", parse_error->message);
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                               _("Unexpected answer to the chat token request (HTTP %u)"), status);
      return;
    }

  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  while (self->base_url[0] != '\0' && g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  if (self->user_id == NULL)
    self->user_id = g_strdup (user_id);
  else if (g_strcmp0 (self->user_id, user_id) != 0)
    {
      /* Never mix two accounts in one cache. */
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH,
                               _("The chat token is for another user"));
      return;
    }
  self->token_stale = FALSE;
  g_task_return_boolean (task, TRUE);
}

static void
fetch_token_async (GigChatClient       *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *uri = NULL;
  SoupMessage *msg;

  g_task_set_source_tag (task, fetch_token_async);
  if (self->pb_token == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH, _("Not signed in"));
      return;
    }
  uri = g_strconcat (self->pb_url, "/api/chat/token", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad server address “%s”"), self->pb_url);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", self->pb_token);
  g_task_set_task_data (task, msg, g_object_unref);
  gig_chat_http_send_async (self->session, msg, GIG_CHAT_MAX_TOKEN_ANSWER, self->deadline_s, cancellable,
                            token_done, g_object_ref (task));
}

static gboolean
fetch_token_finish (GigChatClient  *self,
                    GAsyncResult   *result,
                    GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* REST                                                                                            */

typedef struct {
  char        *method;
  char        *path;   /* may carry its own query */
  char        *body;   /* JSON or NULL */
  SoupMessage *msg;
  gboolean     retried_token;
} RestCall;

static void
rest_call_free (RestCall *call)
{
  g_free (call->method);
  g_free (call->path);
  g_free (call->body);
  g_clear_object (&call->msg);
  g_free (call);
}

static void rest_send (GTask *task);

static void
rest_token_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!fetch_token_finish (GIG_CHAT_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rest_send (g_steal_pointer (&task));
}

static void
rest_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = g_task_get_source_object (task);
  RestCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint status;

  bytes = gig_chat_http_send_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK))
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                                 "%s %s: %s", call->method, call->path, error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (call->msg);
  body = gig_chat_parse_answer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                GIG_CHAT_MAX_REST_ANSWER, &parse_error);

  if (status >= 200 && status < 300)
    {
      if (body == NULL)
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                 "%s %s: %s", call->method, call->path, parse_error->message);
      else
        g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) json_object_unref);
      return;
    }

  {
    gint64 code = gig_json_object_get_int (body, "code", status >= 500 ? -1 : 4);
    g_autofree char *message = gig_text_shorten (gig_json_object_get_string (body, "message"),
                                                 GIG_TEXT_SHOWN_MAX_CHARS);

    /* An expired token: get a new one and try once more, without the caller noticing. */
    if (code == 40 && !call->retried_token)
      {
        g_debug ("Chat token expired during %s %s; refreshing", call->method, call->path);
        GCancellable *cancellable = g_task_get_cancellable (task);

        call->retried_token = TRUE;
        fetch_token_async (self, cancellable, rest_token_done, g_steal_pointer (&task));
        return;
      }
    if (status >= 500 && body == NULL)
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("%s %s: HTTP %u"), call->method, call->path, status);
    else
      g_task_return_new_error (task, GIG_CHAT_API_ERROR, (gint) CLAMP (code, G_MININT, G_MAXINT), "%s",
                               message != NULL ? message : soup_status_get_phrase (status));
  }
}

static void
rest_send (GTask *task)
{
  GigChatClient *self = g_task_get_source_object (task);
  RestCall *call = g_task_get_task_data (task);
  g_autoptr(GString) uri = NULL;
  g_autofree char *key = NULL, *user = NULL;
  SoupMessageHeaders *headers;

  if (self->token == NULL || self->base_url == NULL)
    {
      fetch_token_async (self, g_task_get_cancellable (task), rest_token_done, task);
      return;
    }

  key = g_uri_escape_string (self->api_key, NULL, FALSE);
  user = g_uri_escape_string (self->user_id, NULL, FALSE);
  uri = g_string_new (self->base_url);
  g_string_append (uri, call->path);
  g_string_append_c (uri, strchr (call->path, '?') ? '&' : '?');
  g_string_append_printf (uri, "api_key=%s&user_id=%s", key, user);
  if (self->connection_id != NULL && self->state == GIG_CHAT_STATE_ONLINE)
    {
      g_autofree char *conn = g_uri_escape_string (self->connection_id, NULL, FALSE);
      g_string_append_printf (uri, "&connection_id=%s", conn);
    }

  g_clear_object (&call->msg);
  call->msg = soup_message_new (call->method, uri->str);
  if (call->msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad chat address “%s”"), uri->str);
      g_object_unref (task);
      return;
    }
  headers = soup_message_get_request_headers (call->msg);
  soup_message_headers_replace (headers, "Authorization", self->token);
  soup_message_headers_replace (headers, "stream-auth-type", "jwt");
  soup_message_headers_replace (headers, "X-Stream-Client", CLIENT_NAME);
  if (call->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (call->body, strlen (call->body));
      soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
    }
  gig_chat_http_send_async (self->session, call->msg, GIG_CHAT_MAX_REST_ANSWER, self->deadline_s,
                            g_task_get_cancellable (task), rest_done, task);
}

/* Takes ownership of @body (may be NULL). Resolves with the answer's JsonObject. */
static void
rest_async (GigChatClient       *self,
            const char          *method,
            const char          *path,
            JsonObject          *body,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, callback, user_data);
  RestCall *call = g_new0 (RestCall, 1);

  g_task_set_source_tag (task, rest_async);
  call->method = g_strdup (method);
  call->path = g_strdup (path);
  if (body != NULL)
    {
      call->body = json_object_to_data (body);
      json_object_unref (body);
    }
  g_task_set_task_data (task, call, (GDestroyNotify) rest_call_free);
  rest_send (task);
}

static JsonObject *
rest_finish (GigChatClient  *self,
             GAsyncResult   *result,
             GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Websocket                                                                                       */

static void
clear_source (guint *source)
{
  if (*source != 0)
    {
      g_source_remove (*source);
      *source = 0;
    }
}

static void
teardown_socket (GigChatClient *self)
{
  clear_source (&self->ping_source);
  clear_source (&self->watchdog_source);
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
  set_connection_id (self, NULL);
}

/* The connection broke or an attempt failed: try again later (or at once after a token refresh). */
static void
connection_failed (GigChatClient *self,
                   const char    *why,
                   gboolean       immediately)
{
  teardown_socket (self);
  if (!self->wanted)
    {
      set_state (self, GIG_CHAT_STATE_OFFLINE);
      return;
    }
  set_last_error (self, why);
  set_state (self, GIG_CHAT_STATE_OFFLINE);
  if (immediately)
    schedule_reconnect (self, 0);
  else
    {
      guint delay = gig_backoff_next_ms (&self->backoff);
      g_debug ("Chat connection lost (%s); reconnecting in %u ms", why, delay);
      schedule_reconnect (self, delay);
    }
}

static gboolean
reconnect_cb (gpointer user_data)
{
  GigChatClient *self = user_data;

  self->reconnect_source = 0;
  start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (GigChatClient *self,
                    guint          delay_ms)
{
  clear_source (&self->reconnect_source);
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
      connection_failed (self, _("The chat connection stopped answering"), FALSE);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_health_timers (GigChatClient *self)
{
  clear_source (&self->ping_source);
  clear_source (&self->watchdog_source);
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
          connection_failed (self, _("Chat token expired"), TRUE);
          return;
        }
      if (code == 40)
        {
          self->token_stale = TRUE;
          connection_failed (self, message != NULL ? message : _("Chat token expired"), FALSE);
          return;
        }
      /* Anything else is the service saying no: don't hammer it until something changes. */
      g_warning ("The chat service refused the connection (code %" G_GINT64_FORMAT "): %s",
                 code, message != NULL ? message : "no message");
      self->rejected = TRUE;
      teardown_socket (self);
      set_last_error (self, message != NULL ? message : _("The chat service refused the connection"));
      set_state (self, GIG_CHAT_STATE_OFFLINE);
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
  set_connection_id (self, gig_json_object_get_string (frame, "connection_id"));
  set_last_error (self, NULL);
  start_health_timers (self);
  set_state (self, GIG_CHAT_STATE_ONLINE);
  pump_outbox (self);
  recover (self);
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
  apply_event (self, frame, FALSE);
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
  connection_failed (self, why, FALSE);
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
  connection_failed (self, _("The chat service did not answer"), FALSE);
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

          connection_failed (self, why, FALSE);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connection_failed (self, error->message, FALSE);
      return;
    }
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, GIG_CHAT_MAX_FRAME);
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  self->ws_message_id = g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  self->ws_closed_id = g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  self->ws_error_id = g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);
  self->last_frame_at = g_get_monotonic_time ();
  clear_source (&self->watchdog_source);
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
  json = json_object_to_data (payload);

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
      connection_failed (self, _("Bad chat address"), FALSE);
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

  if (!fetch_token_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH))
        {
          /* Only a new PocketBase token can fix this (gig_chat_client_set_pb_token). */
          self->rejected = TRUE;
          teardown_socket (self);
          set_last_error (self, error->message);
          set_state (self, GIG_CHAT_STATE_OFFLINE);
          return;
        }
      connection_failed (self, error->message, FALSE);
      return;
    }
  open_socket (self);
}

static void
start_attempt (GigChatClient *self)
{
  if (!self->wanted || self->rejected)
    return;
  clear_source (&self->reconnect_source);
  teardown_socket (self);
  self->attempt_cancellable = g_cancellable_new ();
  set_state (self, GIG_CHAT_STATE_CONNECTING);
  if (self->token == NULL || self->token_stale)
    fetch_token_async (self, self->attempt_cancellable, attempt_token_done, g_object_ref (self));
  else
    open_socket (self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  GigChatClient *self = user_data;

  /* Back online: don't wait for the backoff. */
  if (available && self->wanted && !self->rejected && self->state == GIG_CHAT_STATE_OFFLINE)
    {
      g_debug ("Network is back; reconnecting chat now");
      gig_backoff_reset (&self->backoff);
      schedule_reconnect (self, 10);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Events                                                                                          */

static GPtrArray *
message_array (JsonObject *message)
{
  GPtrArray *arr = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_ptr_array_add (arr, json_object_ref (message));
  return arr;
}

static gboolean
validate_event (JsonObject *event,
                const char *type)
{
  JsonNode *cid = json_object_get_member (event, "cid");

  if (cid != NULL && !JSON_NODE_HOLDS_NULL (cid) &&
      (!JSON_NODE_HOLDS_VALUE (cid) || json_node_get_value_type (cid) != G_TYPE_STRING))
    return FALSE;
  if (g_str_has_prefix (type, "message.") || g_str_equal (type, "notification.message_new"))
    {
      if (g_str_equal (type, "message.read"))
        return gig_json_object_get_object (event, "user") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id") != NULL;
      return gig_json_object_get_object (event, "message") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "message"), "id") != NULL &&
             gig_json_object_get_string (event, "cid") != NULL;
    }
  if (g_str_has_prefix (type, "typing."))
    return gig_json_object_get_object (event, "user") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id") != NULL &&
           gig_json_object_get_string (event, "cid") != NULL;
  return TRUE;
}

static void
apply_event (GigChatClient *self,
             JsonObject    *event,
             gboolean       replayed)
{
  const char *type = gig_json_object_get_string (event, "type");
  const char *cid;
  g_autoptr(GError) error = NULL;

  if (type == NULL)
    {
      g_warning ("Ignoring a malformed chat event without a type");
      return;
    }
  if (g_str_equal (type, "health.check"))
    return;
  if (!validate_event (event, type))
    {
      g_warning ("Ignoring a malformed chat event of type %s", type);
      return;
    }
  cid = gig_json_object_get_string (event, "cid");
  note_event_time (self, gig_json_object_get_string (event, "created_at"));

  if (g_str_equal (type, "message.new") || g_str_equal (type, "message.updated") ||
      g_str_equal (type, "message.undeleted") || g_str_equal (type, "notification.message_new"))
    {
      g_autoptr(GPtrArray) arr = message_array (gig_json_object_get_object (event, "message"));
      if (!gig_store_chat_put_messages (self->store, cid, arr, &error))
        g_warning ("Could not cache a chat message: %s", error->message);
    }
  else if (g_str_equal (type, "message.deleted"))
    {
      JsonObject *message = gig_json_object_get_object (event, "message");
      JsonNode *hard = json_object_get_member (event, "hard_delete");
      gboolean is_hard = hard != NULL && JSON_NODE_HOLDS_VALUE (hard) &&
                         json_node_get_value_type (hard) == G_TYPE_BOOLEAN && json_node_get_boolean (hard);

      if (is_hard)
        gig_store_chat_delete_message (self->store, gig_json_object_get_string (message, "id"),
                                       gig_json_object_get_string (message, "deleted_at"), TRUE, &error);
      else
        {
          g_autoptr(GPtrArray) arr = message_array (message);
          if (gig_json_object_get_string (message, "deleted_at") == NULL)
            json_object_set_string_member (message, "deleted_at",
                                           gig_json_object_get_string (event, "created_at") ? gig_json_object_get_string (event, "created_at") : "");
          gig_store_chat_put_messages (self->store, cid, arr, &error);
        }
      if (error != NULL)
        g_warning ("Could not apply a deleted chat message: %s", error->message);
    }
  else if (g_str_equal (type, "message.read") && cid != NULL)
    {
      const char *user = gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id");
      if (!gig_store_chat_set_read (self->store, cid, user, gig_json_object_get_string (event, "created_at"),
                                    gig_json_object_get_string (event, "last_read_message_id"), &error))
        g_warning ("Could not store chat read state: %s", error->message);
    }
  else if (g_str_equal (type, "notification.mark_read") && cid != NULL && self->user_id != NULL)
    {
      gig_store_chat_set_read (self->store, cid, self->user_id, gig_json_object_get_string (event, "created_at"),
                               gig_json_object_get_string (event, "last_read_message_id"), NULL);
    }
  else if ((g_str_equal (type, "typing.start") || g_str_equal (type, "typing.stop")) && !replayed)
    {
      const char *user = gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id");
      if (g_strcmp0 (user, self->user_id) != 0)
        g_signal_emit (self, signals[SIGNAL_TYPING], 0, cid, user, g_str_equal (type, "typing.start"));
    }
  else if ((g_str_equal (type, "channel.updated") || g_str_equal (type, "channel.created") ||
            g_str_equal (type, "channel.visible")) && cid != NULL && gig_json_object_get_object (event, "channel") != NULL)
    {
      gig_store_chat_put_channel (self->store, cid, gig_json_object_get_object (event, "channel"), NULL);
    }
  else if (g_str_equal (type, "channel.deleted") && cid != NULL)
    {
      gig_store_chat_set_frozen (self->store, cid, TRUE, NULL);
    }

  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (type), type, cid, event);
}

/* Stores what a channel query answered: channel, messages, read states. */
static void
apply_channel_state (GigChatClient *self,
                     const char    *cid,
                     JsonObject    *state)
{
  JsonObject *channel = gig_json_object_get_object (state, "channel");
  JsonArray *messages = gig_json_object_get_array (state, "messages");
  JsonArray *reads = gig_json_object_get_array (state, "read");
  g_autoptr(GError) error = NULL;
  guint i;

  if (channel != NULL)
    gig_store_chat_put_channel (self->store, cid, channel, NULL);
  if (messages != NULL)
    {
      g_autoptr(GPtrArray) arr = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      for (i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *node = json_array_get_element (messages, i);
          if (JSON_NODE_HOLDS_OBJECT (node) && gig_json_object_get_string (json_node_get_object (node), "id") != NULL)
            g_ptr_array_add (arr, json_object_ref (json_node_get_object (node)));
        }
      if (!gig_store_chat_put_messages (self->store, cid, arr, &error))
        g_warning ("Could not cache chat messages: %s", error->message);
    }
  for (i = 0; reads != NULL && i < json_array_get_length (reads); i++)
    {
      JsonNode *node = json_array_get_element (reads, i);
      JsonObject *read = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *user = gig_json_object_get_string (gig_json_object_get_object (read, "user"), "id");

      if (user != NULL && gig_json_object_get_string (read, "last_read") != NULL)
        gig_store_chat_set_read (self->store, cid, user, gig_json_object_get_string (read, "last_read"),
                                 gig_json_object_get_string (read, "last_read_message_id"), NULL);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Watching and recovery                                                                           */

static JsonObject *
channel_query_body (gboolean    watch,
                    guint       limit,
                    const char *before_id)
{
  JsonObject *body = json_object_new ();
  JsonObject *messages = json_object_new ();

  json_object_set_boolean_member (body, "state", TRUE);
  json_object_set_boolean_member (body, "watch", watch);
  json_object_set_boolean_member (body, "presence", FALSE);
  json_object_set_int_member (messages, "limit", limit);
  if (before_id != NULL)
    json_object_set_string_member (messages, "id_lt", before_id);
  json_object_set_object_member (body, "messages", messages);
  return body;
}

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  const char *cid = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = rest_finish (self, result, &error);

  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  apply_channel_state (self, cid, state);
  g_task_return_pointer (task, json_object_ref (gig_json_object_get_object (state, "channel") ? gig_json_object_get_object (state, "channel") : state),
                         (GDestroyNotify) json_object_unref);
}

void
gig_chat_client_watch_channel_async (GigChatClient       *self,
                                     const char          *cid,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (cid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_watch_channel_async);
  g_task_set_task_data (task, g_strdup (cid), g_free);
  path = cid_path (cid);
  if (path == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return;
    }
  if (limit == 0)
    limit = DEFAULT_WATCH_LIMIT;
  g_hash_table_insert (self->watched, g_strdup (cid), GUINT_TO_POINTER (limit));
  if (self->state != GIG_CHAT_STATE_ONLINE)
    {
      /* Watched as soon as the connection is up; the cache serves the view meanwhile. */
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED,
                               _("Not connected to chat; the channel is watched once connected"));
      return;
    }
  query = g_strconcat (path, "/query", NULL);
  rest_async (self, "POST", query, channel_query_body (TRUE, limit, NULL), cancellable,
              watch_done, g_steal_pointer (&task));
}

JsonObject *
gig_chat_client_watch_channel_finish (GigChatClient  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_chat_client_unwatch_channel (GigChatClient *self,
                                 const char    *cid)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_hash_table_remove (self->watched, cid);
}

typedef struct {
  guint pending;
  gboolean failed;
  char *sync_since;
} Recovery;

static void
recovery_step_done (GigChatClient *self,
                    Recovery      *rec)
{
  if (--rec->pending > 0)
    return;
  if (!rec->failed)
    {
      g_debug ("Chat state recovered");
      g_signal_emit (self, signals[SIGNAL_RECOVERED], 0);
    }
  g_free (rec->sync_since);
  g_free (rec);
  g_object_unref (self);
}

static void
recover_watch_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  Recovery *rec = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) channel = gig_chat_client_watch_channel_finish (self, result, &error);

  if (channel == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Re-watching a chat channel failed: %s", error->message);
      rec->failed = TRUE;
    }
  recovery_step_done (self, rec);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  JsonObject *ea = *(JsonObject **) a, *eb = *(JsonObject **) b;
  g_autofree char *ta = gig_store_chat_normalize_time (gig_json_object_get_string (ea, "created_at"));
  g_autofree char *tb = gig_store_chat_normalize_time (gig_json_object_get_string (eb, "created_at"));

  return g_strcmp0 (ta, tb);
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  Recovery *rec = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = rest_finish (self, result, &error);
  JsonArray *events;

  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Chat /sync failed (the channel queries still refreshed the cache): %s", error->message);
      rec->failed = TRUE;
    }
  else if ((events = gig_json_object_get_array (answer, "events")) != NULL)
    {
      g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      guint i;

      for (i = 0; i < json_array_get_length (events); i++)
        {
          JsonNode *node = json_array_get_element (events, i);
          if (JSON_NODE_HOLDS_OBJECT (node))
            g_ptr_array_add (sorted, json_object_ref (json_node_get_object (node)));
          else
            g_warning ("Ignoring a malformed replayed chat event");
        }
      g_ptr_array_sort (sorted, compare_events);
      for (i = 0; i < sorted->len; i++)
        apply_event (self, g_ptr_array_index (sorted, i), TRUE);
    }
  recovery_step_done (self, rec);
}

/* After every (re)connect: re-watch each open channel with the new connection id (watches belong
 * to a connection) and replay what happened since the last event seen, so nothing is missed. */
static void
recover (GigChatClient *self)
{
  Recovery *rec;
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonArray) cids = json_array_new ();
  g_autofree char *since = NULL;

  rec = g_new0 (Recovery, 1);
  rec->pending = 1;
  g_object_ref (self);

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(GPtrArray) newest = NULL;
      guint count;

      json_array_add_string_element (cids, key);
      /* Since when to replay: the newest event this run saw, else the newest cached message. */
      count = gig_store_chat_count_messages (self->store, key);
      if (count > 0)
        {
          newest = gig_store_chat_get_messages (self->store, key, count - 1, 1);
          if (newest->len > 0)
            {
              GigChatMessage *m = g_ptr_array_index (newest, 0);
              if (since == NULL || g_strcmp0 (m->created_at, since) < 0)
                {
                  g_free (since);
                  since = g_strdup (m->created_at);
                }
            }
        }
      rec->pending++;
      gig_chat_client_watch_channel_async (self, key, GPOINTER_TO_UINT (value), self->cancellable,
                                           recover_watch_done, rec);
    }
  if (self->last_event_at != NULL && (since == NULL || strcmp (self->last_event_at, since) < 0))
    {
      g_free (since);
      since = g_strdup (self->last_event_at);
    }

  if (json_array_get_length (cids) > 0 && since != NULL)
    {
      body = json_object_new ();
      json_object_set_array_member (body, "channel_cids", json_array_ref (cids));
      json_object_set_string_member (body, "last_sync_at", since);
      rec->pending++;
      rest_async (self, "POST", "/sync", g_steal_pointer (&body), self->cancellable, sync_done, rec);
    }
  recovery_step_done (self, rec);
}

/* ---------------------------------------------------------------------------------------------- */
/* Older history                                                                                   */

static void
older_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  const char *cid = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = rest_finish (self, result, &error);
  JsonArray *messages;

  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  messages = gig_json_object_get_array (state, "messages");
  apply_channel_state (self, cid, state);
  g_task_return_int (task, messages != NULL ? (gssize) json_array_get_length (messages) : 0);
}

void
gig_chat_client_load_older_async (GigChatClient       *self,
                                  const char          *cid,
                                  const char          *before_id,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL, *query = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_load_older_async);
  g_task_set_task_data (task, g_strdup (cid), g_free);
  path = cid_path (cid);
  if (path == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return;
    }
  query = g_strconcat (path, "/query", NULL);
  rest_async (self, "POST", query, channel_query_body (FALSE, limit > 0 ? limit : DEFAULT_WATCH_LIMIT, before_id),
              cancellable, older_done, g_steal_pointer (&task));
}

gint
gig_chat_client_load_older_finish (GigChatClient  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return (gint) g_task_propagate_int (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Sending: the outbox pump                                                                        */

static gboolean
pump_retry_cb (gpointer user_data)
{
  GigChatClient *self = user_data;

  self->pump_retry_source = 0;
  pump_outbox (self);
  return G_SOURCE_REMOVE;
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  GigChatOutboxEntry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = rest_finish (self, result, &error);
  g_autoptr(GError) store_error = NULL;

  self->pumping = FALSE;
  if (answer != NULL)
    {
      JsonObject *message = gig_json_object_get_object (answer, "message");
      if (!gig_store_chat_outbox_done (self->store, entry->seq, message, &store_error))
        g_warning ("Could not record a delivered chat message: %s", store_error->message);
    }
  else if (g_error_matches (error, GIG_CHAT_API_ERROR, 4) && strstr (error->message, "already exists") != NULL)
    {
      /* Our earlier attempt reached the service but its answer was lost: delivered. */
      g_debug ("Chat message %s was already delivered", entry->message_id);
      gig_store_chat_outbox_done (self->store, entry->seq, NULL, NULL);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gig_store_chat_outbox_release (self->store, entry->seq, NULL, NULL);
      gig_chat_outbox_entry_free (entry);
      return;
    }
  else if (gig_chat_error_is_transient (error))
    {
      g_debug ("Chat message %s not sent yet: %s", entry->message_id, error->message);
      gig_store_chat_outbox_release (self->store, entry->seq, error->message, NULL);
      clear_source (&self->pump_retry_source);
      self->pump_retry_source = g_timeout_add (gig_backoff_delay_ms (&self->backoff, entry->attempts),
                                               pump_retry_cb, self);
      gig_chat_outbox_entry_free (entry);
      return;
    }
  else
    {
      g_message ("Chat message %s refused: %s", entry->message_id, error->message);
      if (!gig_store_chat_outbox_fail (self->store, entry->seq, error->message, &store_error))
        g_warning ("Could not record a failed chat message: %s", store_error->message);
      g_signal_emit (self, signals[SIGNAL_MESSAGE_FAILED], 0, entry->cid, entry->message_id, error->message);
    }
  gig_chat_outbox_entry_free (entry);
  pump_outbox (self);
}

/* One message at a time, oldest first, so the order the user sent is the order delivered. */
static void
pump_outbox (GigChatClient *self)
{
  GigChatOutboxEntry *entry;
  g_autofree char *path = NULL, *send_path = NULL;
  JsonObject *body;

  if (self->pumping || self->state != GIG_CHAT_STATE_ONLINE || self->pump_retry_source != 0)
    return;
  entry = gig_store_chat_outbox_next (self->store);
  if (entry == NULL)
    return;
  path = cid_path (entry->cid);
  if (path == NULL)
    {
      gig_store_chat_outbox_fail (self->store, entry->seq, _("Not a channel id"), NULL);
      gig_chat_outbox_entry_free (entry);
      pump_outbox (self);
      return;
    }
  self->pumping = TRUE;
  send_path = g_strconcat (path, "/message", NULL);
  body = json_object_new ();
  json_object_set_object_member (body, "message", json_object_ref (entry->message));
  rest_async (self, "POST", send_path, body, self->cancellable, send_done, entry);
}

char *
gig_chat_client_send_message (GigChatClient  *self,
                              const char     *cid,
                              const char     *text,
                              GError        **error)
{
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  GError *store_error = NULL;

  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  path = cid_path (cid);
  if (path == NULL)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return NULL;
    }
  if (self->user_id == NULL)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED, _("Chat has not been set up yet"));
      return NULL;
    }
  if (gig_store_chat_channel_is_frozen (self->store, cid))
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID,
                   _("This conversation is closed: its project was deleted"));
      return NULL;
    }
  /* The id is ours so that a resend after a lost answer cannot make a copy. */
  id = g_uuid_string_random ();
  message = json_object_new ();
  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "text", text);
  if (!gig_store_chat_queue_message (self->store, cid, self->user_id, message, &store_error))
    {
      g_propagate_error (error, store_error);
      return NULL;
    }
  pump_outbox (self);
  return g_steal_pointer (&id);
}

gboolean
gig_chat_client_retry_message (GigChatClient  *self,
                               const char     *message_id,
                               GError        **error)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), FALSE);

  if (!gig_store_chat_outbox_retry (self->store, message_id, error))
    return FALSE;
  pump_outbox (self);
  return TRUE;
}

gboolean
gig_chat_client_discard_message (GigChatClient  *self,
                                 const char     *message_id,
                                 GError        **error)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), FALSE);
  return gig_store_chat_outbox_discard (self->store, message_id, error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Edit, delete                                                                                    */

static gboolean
check_own_message (GigChatClient  *self,
                   const char     *message_id,
                   GError        **error)
{
  g_autoptr(GigChatMessage) message = gig_store_chat_get_message (self->store, message_id);

  if (message == NULL || message->state != GIG_CHAT_MESSAGE_SENT)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("No delivered message %s"), message_id);
      return FALSE;
    }
  if (g_strcmp0 (message->user_id, self->user_id) != 0)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Only your own messages can be changed"));
      return FALSE;
    }
  return TRUE;
}

static void
message_change_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = rest_finish (self, result, &error);
  JsonObject *message;

  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message = gig_json_object_get_object (answer, "message");
  if (message == NULL || gig_json_object_get_string (message, "id") == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED, _("The answer carries no message"));
      return;
    }
  {
    g_autoptr(GigChatMessage) cached = gig_store_chat_get_message (self->store, gig_json_object_get_string (message, "id"));
    g_autoptr(GPtrArray) arr = message_array (message);
    const char *cid = gig_json_object_get_string (message, "cid");

    if (cid == NULL && cached != NULL)
      cid = cached->cid;
    if (cid != NULL && !gig_store_chat_put_messages (self->store, cid, arr, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }
  g_task_return_pointer (task, json_object_ref (message), (GDestroyNotify) json_object_unref);
}

void
gig_chat_client_update_message_async (GigChatClient       *self,
                                      const char          *message_id,
                                      const char          *text,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_e = NULL, *path = NULL;
  JsonObject *body, *message;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (message_id != NULL && text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_update_message_async);
  if (!check_own_message (self, message_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id_e = g_uri_escape_string (message_id, NULL, FALSE);
  path = g_strconcat ("/messages/", id_e, NULL);
  body = json_object_new ();
  message = json_object_new ();
  json_object_set_string_member (message, "id", message_id);
  json_object_set_string_member (message, "text", text);
  json_object_set_object_member (body, "message", message);
  rest_async (self, "POST", path, body, cancellable, message_change_done, g_steal_pointer (&task));
}

JsonObject *
gig_chat_client_update_message_finish (GigChatClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_chat_client_delete_message_async (GigChatClient       *self,
                                      const char          *message_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_e = NULL, *path = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (message_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_delete_message_async);
  if (!check_own_message (self, message_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id_e = g_uri_escape_string (message_id, NULL, FALSE);
  path = g_strconcat ("/messages/", id_e, NULL);
  rest_async (self, "DELETE", path, NULL, cancellable, message_change_done, g_steal_pointer (&task));
}

gboolean
gig_chat_client_delete_message_finish (GigChatClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_autoptr(JsonObject) message = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  message = g_task_propagate_pointer (G_TASK (result), error);
  return message != NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* Typing and read state                                                                           */

static void
event_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = rest_finish (GIG_CHAT_CLIENT (source), result, &error);

  if (answer == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Chat event not sent: %s", error->message);
}

static void
send_channel_event (GigChatClient *self,
                    const char    *cid,
                    const char    *type)
{
  g_autofree char *path = cid_path (cid);
  g_autofree char *event_path = NULL;
  JsonObject *body, *event;

  if (path == NULL || self->state != GIG_CHAT_STATE_ONLINE)
    return;
  event_path = g_strconcat (path, "/event", NULL);
  body = json_object_new ();
  event = json_object_new ();
  json_object_set_string_member (event, "type", type);
  json_object_set_object_member (body, "event", event);
  rest_async (self, "POST", event_path, body, self->cancellable, event_sent, NULL);
}

typedef struct {
  GigChatClient *self;
  char          *cid;
} TypingTimer;

static void
typing_timer_free (gpointer data)
{
  TypingTimer *timer = data;

  g_free (timer->cid);
  g_free (timer);
}

static gboolean
typing_idle_cb (gpointer user_data)
{
  TypingTimer *timer = user_data;
  GigChatClient *self = timer->self;
  g_autofree char *cid = g_strdup (timer->cid);

  /* The source (and @timer with it) goes away when we return. */
  g_hash_table_remove (self->typing_timers, cid);
  gig_chat_client_stop_typing (self, cid);
  return G_SOURCE_REMOVE;
}

void
gig_chat_client_keystroke (GigChatClient *self,
                           const char    *cid)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last;
  TypingTimer *timer;
  guint source;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (cid != NULL);

  last = g_hash_table_lookup (self->typing_started, cid);
  if (last == NULL || now - *last >= TYPING_THROTTLE_US)
    {
      gint64 *stamp = g_new (gint64, 1);
      *stamp = now;
      g_hash_table_insert (self->typing_started, g_strdup (cid), stamp);
      send_channel_event (self, cid, "typing.start");
    }

  source = GPOINTER_TO_UINT (g_hash_table_lookup (self->typing_timers, cid));
  if (source != 0)
    g_source_remove (source);
  timer = g_new0 (TypingTimer, 1);
  timer->self = self;
  timer->cid = g_strdup (cid);
  source = g_timeout_add_full (G_PRIORITY_DEFAULT, TYPING_IDLE_MS, typing_idle_cb, timer, typing_timer_free);
  g_hash_table_insert (self->typing_timers, g_strdup (cid), GUINT_TO_POINTER (source));
}

void
gig_chat_client_stop_typing (GigChatClient *self,
                             const char    *cid)
{
  guint source;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  source = GPOINTER_TO_UINT (g_hash_table_lookup (self->typing_timers, cid));
  if (source != 0)
    {
      g_hash_table_remove (self->typing_timers, cid);
      g_source_remove (source);
    }
  if (g_hash_table_remove (self->typing_started, cid))
    send_channel_event (self, cid, "typing.stop");
}

static void
mark_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = rest_finish (GIG_CHAT_CLIENT (source), result, &error);

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
gig_chat_client_mark_read_async (GigChatClient       *self,
                                 const char          *cid,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL, *read_path = NULL, *newest = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_mark_read_async);
  path = cid_path (cid);
  if (path == NULL || self->user_id == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Cannot mark “%s” read"), cid);
      return;
    }
  newest = gig_store_chat_newest_id (self->store, cid);
  if (!gig_store_chat_set_read (self->store, cid, self->user_id, NULL, newest, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->state != GIG_CHAT_STATE_ONLINE)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED,
                               _("Marked read here; the others see it once connected"));
      return;
    }
  read_path = g_strconcat (path, "/read", NULL);
  body = json_object_new ();
  if (newest != NULL)
    json_object_set_string_member (body, "message_id", newest);
  rest_async (self, "POST", read_path, body, cancellable, mark_read_done, g_steal_pointer (&task));
}

gboolean
gig_chat_client_mark_read_finish (GigChatClient  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Connection control                                                                              */

void
gig_chat_client_set_pb_token (GigChatClient *self,
                              const char    *pb_token)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  if (g_strcmp0 (self->pb_token, pb_token) == 0)
    return;
  g_free (self->pb_token);
  self->pb_token = g_strdup (pb_token);
  self->token_stale = TRUE;
  /* A new sign-in may fix what made the service refuse us. */
  if (self->rejected && pb_token != NULL)
    {
      self->rejected = FALSE;
      if (self->wanted)
        schedule_reconnect (self, 0);
    }
}

void
gig_chat_client_connect (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  self->wanted = TRUE;
  if (self->state == GIG_CHAT_STATE_OFFLINE && self->reconnect_source == 0)
    start_attempt (self);
}

void
gig_chat_client_disconnect (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  self->wanted = FALSE;
  clear_source (&self->reconnect_source);
  clear_source (&self->pump_retry_source);
  teardown_socket (self);
  set_state (self, GIG_CHAT_STATE_OFFLINE);
}

void
gig_chat_client_drop_connection (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  if (self->ws != NULL || self->state != GIG_CHAT_STATE_OFFLINE)
    connection_failed (self, _("Connection dropped"), FALSE);
}

GigChatState
gig_chat_client_get_state (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), GIG_CHAT_STATE_OFFLINE);
  return self->state;
}

const char *
gig_chat_client_get_user_id (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  return self->user_id;
}

const char *
gig_chat_client_get_connection_id (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  return self->connection_id;
}

const char *
gig_chat_client_get_last_error (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  return self->last_error;
}

GigStore *
gig_chat_client_get_store (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  return self->store;
}

GigChatClient *
gig_chat_client_new (const char *pb_base_url,
                     GigStore   *store,
                     const char *user_id)
{
  g_return_val_if_fail (pb_base_url != NULL, NULL);
  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  return g_object_new (GIG_TYPE_CHAT_CLIENT, "pb-url", pb_base_url, "store", store, "user-id", user_id, NULL);
}

/* ---------------------------------------------------------------------------------------------- */
/* GObject                                                                                         */

static void
gig_chat_client_constructed (GObject *object)
{
  GigChatClient *self = GIG_CHAT_CLIENT (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (gig_chat_client_parent_class)->constructed (object);

  /* A previous run may have died with a message on its way: it goes out again (same id). */
  if (self->store != NULL && !gig_store_chat_outbox_reset (self->store, &error))
    g_warning ("Could not requeue chat messages: %s", error->message);
}

static void
gig_chat_client_dispose (GObject *object)
{
  GigChatClient *self = GIG_CHAT_CLIENT (object);

  self->wanted = FALSE;
  g_cancellable_cancel (self->cancellable);
  clear_source (&self->reconnect_source);
  clear_source (&self->pump_retry_source);
  teardown_socket (self);
  {
    GHashTableIter iter;
    gpointer source;

    g_hash_table_iter_init (&iter, self->typing_timers);
    while (g_hash_table_iter_next (&iter, NULL, &source))
      g_source_remove (GPOINTER_TO_UINT (source));
    g_hash_table_remove_all (self->typing_timers);
  }
  g_clear_signal_handler (&self->monitor_id, self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (gig_chat_client_parent_class)->dispose (object);
}

static void
gig_chat_client_finalize (GObject *object)
{
  GigChatClient *self = GIG_CHAT_CLIENT (object);

  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_free (self->pb_url);
  g_free (self->pb_token);
  g_free (self->token);
  g_free (self->api_key);
  g_free (self->user_id);
  g_free (self->base_url);
  g_free (self->connection_id);
  g_free (self->last_error);
  g_free (self->last_event_at);
  g_hash_table_unref (self->watched);
  g_hash_table_unref (self->typing_started);
  g_hash_table_unref (self->typing_timers);

  G_OBJECT_CLASS (gig_chat_client_parent_class)->finalize (object);
}

static void
gig_chat_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GigChatClient *self = GIG_CHAT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_PB_URL:
      g_value_set_string (value, self->pb_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_CONNECTION_ID:
      g_value_set_string (value, self->connection_id);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_PING_INTERVAL:
      g_value_set_uint (value, self->ping_interval_ms);
      break;
    case PROP_DEAD_TIMEOUT:
      g_value_set_uint (value, self->dead_timeout_ms);
      break;
    case PROP_DEADLINE:
      g_value_set_uint (value, self->deadline_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_chat_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  GigChatClient *self = GIG_CHAT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_PB_URL:
      g_free (self->pb_url);
      self->pb_url = g_value_dup_string (value);
      while (self->pb_url != NULL && g_str_has_suffix (self->pb_url, "/"))
        self->pb_url[strlen (self->pb_url) - 1] = '\0';
      break;
    case PROP_USER_ID:
      g_free (self->user_id);
      self->user_id = g_value_dup_string (value);
      break;
    case PROP_PING_INTERVAL:
      if (self->ping_interval_ms != g_value_get_uint (value))
        {
          self->ping_interval_ms = g_value_get_uint (value);
          if (self->ping_source != 0)
            start_health_timers (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEAD_TIMEOUT:
      if (self->dead_timeout_ms != g_value_get_uint (value))
        {
          self->dead_timeout_ms = g_value_get_uint (value);
          if (self->watchdog_source != 0 && self->ws_greeted)
            start_health_timers (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEADLINE:
      if (self->deadline_s != g_value_get_uint (value))
        {
          self->deadline_s = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_chat_client_class_init (GigChatClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gig_chat_client_constructed;
  object_class->dispose = gig_chat_client_dispose;
  object_class->finalize = gig_chat_client_finalize;
  object_class->get_property = gig_chat_client_get_property;
  object_class->set_property = gig_chat_client_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, GIG_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PB_URL] =
    g_param_spec_string ("pb-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GIG_TYPE_CHAT_STATE, GIG_CHAT_STATE_OFFLINE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION_ID] =
    g_param_spec_string ("connection-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PING_INTERVAL] =
    g_param_spec_uint ("ping-interval", NULL, NULL, 10, G_MAXUINT, DEFAULT_PING_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEAD_TIMEOUT] =
    g_param_spec_uint ("dead-timeout", NULL, NULL, 50, G_MAXUINT, DEFAULT_DEAD_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Seconds a whole REST request may take, however the server trickles. */
  properties[PROP_DEADLINE] =
    g_param_spec_uint ("deadline", NULL, NULL, 1, G_MAXUINT / 1000, DEFAULT_DEADLINE_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_TYPING] =
    g_signal_new ("typing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_RECOVERED] =
    g_signal_new ("recovered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE_FAILED] =
    g_signal_new ("message-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gig_chat_client_init (GigChatClient *self)
{
  self->session = soup_session_new_with_options ("user-agent", CLIENT_NAME, "timeout", 30, NULL);
  self->cancellable = g_cancellable_new ();
  self->ping_interval_ms = DEFAULT_PING_INTERVAL_MS;
  self->dead_timeout_ms = DEFAULT_DEAD_TIMEOUT_MS;
  self->deadline_s = DEFAULT_DEADLINE_S;
  gig_backoff_init (&self->backoff, &reconnect_policy);
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->typing_started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->typing_timers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->monitor_id = g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
}
