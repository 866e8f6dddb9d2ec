/* gig-chat-client.c: a GetStream Chat client over libsoup (websocket + REST): the object, its
 * state and the public connection control. The rest is split by concern: -rest.c, -connection.c,
 * -events.c, -outbox.c and -presence.c (see gig-chat-client-private.h).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "chat/gig-chat-client-private.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

#define DEFAULT_PING_INTERVAL_MS  25000
#define DEFAULT_DEAD_TIMEOUT_MS   35000
/* Seconds a whole REST request or websocket handshake may take (the session's idle timeout only
 * catches silence, not a server that trickles its answer). */
#define DEFAULT_DEADLINE_S        60

/* Linear growth to 25 s, as the official SDKs reconnect, with "equal jitter" (half fixed, half
 * random) so that clients dropped together by a restarting service do not return together. */
static const GigBackoffPolicy reconnect_policy = {
  .first_ms = 2500, .step_ms = 2000, .max_ms = 25000, .jitter_below_percent = 50,
};

G_DEFINE_ENUM_TYPE (GigChatState, gig_chat_state,
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (GIG_CHAT_STATE_ONLINE, "online"))

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
char *
_gig_chat_client_cid_path (const char *cid)
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

char *
_gig_chat_client_json_object_to_data (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

void
_gig_chat_client_set_last_error (GigChatClient *self,
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

void
_gig_chat_client_set_state (GigChatClient *self,
                            GigChatState   state)
{
  if (self->state == state)
    return;
  g_debug ("Chat connection: %s → %s", state_name (self->state), state_name (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_gig_chat_client_set_connection_id (GigChatClient *self,
                                    const char    *connection_id)
{
  if (g_strcmp0 (self->connection_id, connection_id) == 0)
    return;
  g_free (self->connection_id);
  self->connection_id = g_strdup (connection_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ID]);
}

void
_gig_chat_client_note_event_time (GigChatClient *self,
                                  const char    *created_at)
{
  g_autofree char *norm = gig_store_chat_normalize_time (created_at);

  if (norm != NULL && (self->last_event_at == NULL || strcmp (norm, self->last_event_at) > 0))
    {
      g_free (self->last_event_at);
      self->last_event_at = g_steal_pointer (&norm);
    }
}

void
_gig_chat_client_emit_event (GigChatClient *self,
                             const char    *type,
                             const char    *cid,
                             JsonObject    *event)
{
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (type), type, cid, event);
}

void
_gig_chat_client_emit_typing (GigChatClient *self,
                              const char    *cid,
                              const char    *user_id,
                              gboolean       started)
{
  g_signal_emit (self, signals[SIGNAL_TYPING], 0, cid, user_id, started);
}

void
_gig_chat_client_emit_recovered (GigChatClient *self)
{
  g_signal_emit (self, signals[SIGNAL_RECOVERED], 0);
}

void
_gig_chat_client_emit_message_failed (GigChatClient *self,
                                      const char    *cid,
                                      const char    *message_id,
                                      const char    *error_message)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE_FAILED], 0, cid, message_id, error_message);
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
        _gig_chat_client_schedule_reconnect (self, 0);
    }
}

void
gig_chat_client_connect (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  self->wanted = TRUE;
  if (self->state == GIG_CHAT_STATE_OFFLINE && self->reconnect_source == 0)
    _gig_chat_client_start_attempt (self);
}

void
gig_chat_client_disconnect (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  self->wanted = FALSE;
  _gig_chat_client_clear_source (&self->reconnect_source);
  _gig_chat_client_clear_source (&self->pump_retry_source);
  _gig_chat_client_teardown_socket (self);
  _gig_chat_client_set_state (self, GIG_CHAT_STATE_OFFLINE);
}

void
gig_chat_client_drop_connection (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  if (self->ws != NULL || self->state != GIG_CHAT_STATE_OFFLINE)
    _gig_chat_client_connection_failed (self, _("Connection dropped"), FALSE);
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
  _gig_chat_client_clear_source (&self->reconnect_source);
  _gig_chat_client_clear_source (&self->pump_retry_source);
  _gig_chat_client_teardown_socket (self);
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
            _gig_chat_client_start_health_timers (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEAD_TIMEOUT:
      if (self->dead_timeout_ms != g_value_get_uint (value))
        {
          self->dead_timeout_ms = g_value_get_uint (value);
          if (self->watchdog_source != 0 && self->ws_greeted)
            _gig_chat_client_start_health_timers (self);
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
  self->monitor_id = g_signal_connect (self->monitor, "network-changed", G_CALLBACK (_gig_chat_client_on_network_changed), self);
}
