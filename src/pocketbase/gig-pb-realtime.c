/* gig-pb-realtime.c: one server-sent events stream with subscriptions and reconnects.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "config.h"

#include "pocketbase/gig-pb-realtime.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-private.h"
#include "core/gig-backoff.h"
#include "core/gig-io.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#define INITIAL_BACKOFF_MS 250
#define DEFAULT_MAX_BACKOFF_MS 30000
/* The subscription request is small both ways: a server slower than this is not answering. */
#define SUBSCRIBE_DEADLINE_S 30
/* From the request to the stream's first message (PB_CONNECT, sent at once): the stream itself
 * may stay silent for minutes, so its session has no timeouts, and a server that trickles its
 * headers or never says PB_CONNECT would otherwise hold the stream for ever. */
#define DEFAULT_CONNECT_DEADLINE_S 30

/* Capped exponential backoff with "equal jitter": half fixed, half random, so many clients cut
 * off together do not come back in lockstep. */
static const GigBackoffPolicy reconnect_policy = {
  .first_ms = INITIAL_BACKOFF_MS, .max_ms = DEFAULT_MAX_BACKOFF_MS, .jitter_below_percent = 50,
};

struct _GigPbRealtime
{
  GObject         parent_instance;

  GigPbClient    *client;
  /* Its own session: the stream stays silent for minutes, which the client's I/O timeout
   * would take for a dead connection. */
  SoupSession    *session;
  GStrv           topics;

  GCancellable   *cancellable;   /* the current connection attempt and stream */
  SoupMessage    *message;
  GInputStream   *stream;
  GigPbSseParser *sse;
  char           *client_id;
  gboolean        running;
  gboolean        connected;
  gboolean        ever_connected;
  GigBackoff      backoff;        /* reconnects; reset once the stream is up */
  guint           reconnect_source;
  guint           connect_deadline_s;
  guint           connect_timeout_source; /* until PB_CONNECT arrives */
  gulong          token_handler;
};

G_DEFINE_FINAL_TYPE (GigPbRealtime, gig_pb_realtime, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_CONNECTED,
  PROP_CLIENT_ID,
  PROP_MAX_BACKOFF_MS,
  N_PROPS
};

enum {
  SIGNAL_CONNECTED,
  SIGNAL_DISCONNECTED,
  SIGNAL_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_stream (GigPbRealtime *self);
static void post_subscriptions (GigPbRealtime *self);

static void
set_connected (GigPbRealtime *self, gboolean connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
set_client_id (GigPbRealtime *self, const char *client_id)
{
  if (g_strcmp0 (self->client_id, client_id) == 0)
    return;
  g_free (self->client_id);
  self->client_id = g_strdup (client_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT_ID]);
}

/* Drops the current stream (if any) without scheduling anything. */
static void
teardown (GigPbRealtime *self)
{
  g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->message);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->sse, gig_pb_sse_parser_free);
  set_client_id (self, NULL);
  set_connected (self, FALSE);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  GigPbRealtime *self = user_data;

  self->reconnect_source = 0;
  if (self->running)
    connect_stream (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (GigPbRealtime *self, const GError *error)
{

  teardown (self);
  if (error != NULL)
    g_debug ("Realtime stream ended: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, error);

  if (!self->running || self->reconnect_source != 0)
    return;

  self->reconnect_source = g_timeout_add (gig_backoff_next_ms (&self->backoff), reconnect_cb, self);
}

static void
handle_event (const char *event, const char *id, const char *data, gpointer user_data)
{
  GigPbRealtime *self = user_data;
  g_auto(GigPbRealtimeEvent) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  if (!gig_pb_parse_realtime_event (event, data, &parsed, &error))
    {
      g_debug ("Ignoring a realtime message: %s", error->message);
      return;
    }
  if (parsed.client_id != NULL)
    {
      g_clear_handle_id (&self->connect_timeout_source, g_source_remove);
      set_client_id (self, parsed.client_id);
      post_subscriptions (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, parsed.collection, parsed.action, parsed.record);
}

typedef struct
{
  GigPbRealtime *self;
  GigDeadline   *deadline;
} Subscribing;

static void
subscribing_free (Subscribing *subscribing)
{
  g_object_unref (subscribing->self);
  gig_deadline_free (subscribing->deadline);
  g_free (subscribing);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Subscribing, subscribing_free)

static void
subscribe_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Subscribing) subscribing = user_data;
  GigPbRealtime *self = subscribing->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status;

  /* Only the status matters: the body (empty from PocketBase) is never read. */
  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      gig_deadline_expired (subscribing->deadline))
    {
      g_autoptr(GError) late = gig_pb_error_new_too_slow (SUBSCRIBE_DEADLINE_S);
      schedule_reconnect (self, late);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (stream == NULL)
    {
      schedule_reconnect (self, error);
      return;
    }
  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(GError) http_error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_SERVER,
                                                  _("Subscribing failed (HTTP %u)"), status);
      schedule_reconnect (self, http_error);
      return;
    }

  if (!self->connected)
    {
      gboolean is_reconnect = self->ever_connected;

      self->ever_connected = TRUE;
      gig_backoff_reset (&self->backoff);
      set_connected (self, TRUE);
      g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, self->client_id, is_reconnect);
    }
}

static void
post_subscriptions (GigPbRealtime *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SoupMessage) message = NULL;
  Subscribing *subscribing;
  const char *token;

  if (self->client_id == NULL || self->cancellable == NULL)
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "clientId");
  json_builder_add_string_value (builder, self->client_id);
  json_builder_set_member_name (builder, "subscriptions");
  json_builder_begin_array (builder);
  for (guint i = 0; self->topics && self->topics[i]; i++)
    json_builder_add_string_value (builder, self->topics[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);

  uri = g_strconcat (gig_pb_client_get_base_url (self->client), "/api/realtime", NULL);
  message = soup_message_new ("POST", uri);
  if (message == NULL)
    return;
  /* The subscription request is what carries the auth for the whole stream. */
  token = gig_pb_client_get_token (self->client);
  if (token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", token);
  bytes = g_bytes_new (text, strlen (text));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  subscribing = g_new0 (Subscribing, 1);
  subscribing->self = g_object_ref (self);
  subscribing->deadline = gig_deadline_new (SUBSCRIBE_DEADLINE_S * 1000, self->cancellable);
  soup_session_send_async (self->session, message, G_PRIORITY_DEFAULT,
                           gig_deadline_get_cancellable (subscribing->deadline), subscribe_cb, subscribing);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GigPbRealtime) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *chunk;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || source != (GObject *) self->stream)
    return;
  if (bytes == NULL)
    {
      g_autoptr(GError) wrapped = gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0, error->message);
      schedule_reconnect (self, wrapped);
      return;
    }
  chunk = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      /* PocketBase closes a stream after 300 s without events: an ordinary reconnect. */
      g_autoptr(GError) closed = gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0,
                                                   _("The server closed the realtime stream"));
      schedule_reconnect (self, closed);
      return;
    }
  {
    /* A signal handler may stop or restart the stream while the parser is running: keep the
     * parser out of teardown's reach until it returns. */
    GigPbSseParser *sse = g_steal_pointer (&self->sse);
    gboolean ok = gig_pb_sse_parser_feed (sse, chunk, length, &error);

    if (self->stream != (GInputStream *) source)
      {
        gig_pb_sse_parser_free (sse);
        return;
      }
    self->sse = sse;
    if (!ok)
      {
        schedule_reconnect (self, error);
        return;
      }
  }
  g_input_stream_read_bytes_async (self->stream, 16 * 1024, G_PRIORITY_DEFAULT, self->cancellable,
                                     read_cb, g_object_ref (self));
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GigPbRealtime) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || message != self->message)
    return;
  if (stream == NULL)
    {
      g_autoptr(GError) wrapped = gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0, error->message);
      schedule_reconnect (self, wrapped);
      return;
    }
  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_autoptr(GError) http_error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_SERVER,
                                                  _("The realtime stream was refused (HTTP %u)"), status);
      schedule_reconnect (self, http_error);
      return;
    }

  self->stream = g_steal_pointer (&stream);
  self->sse = gig_pb_sse_parser_new (handle_event, self);
  g_input_stream_read_bytes_async (self->stream, 16 * 1024, G_PRIORITY_DEFAULT, self->cancellable,
                                   read_cb, g_object_ref (self));
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  GigPbRealtime *self = user_data;
  g_autoptr(GError) late = gig_pb_error_new_too_slow (self->connect_deadline_s);

  self->connect_timeout_source = 0;
  schedule_reconnect (self, late);
  return G_SOURCE_REMOVE;
}

static void
connect_stream (GigPbRealtime *self)
{
  g_autofree char *uri = NULL;

  teardown (self);
  uri = g_strconcat (gig_pb_client_get_base_url (self->client), "/api/realtime", NULL);
  self->message = soup_message_new ("GET", uri);
  if (self->message == NULL)
    {
      g_autoptr(GError) error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_NETWORK,
                                             _("Invalid server address “%s”"),
                                             gig_pb_client_get_base_url (self->client));
      self->running = FALSE;
      g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, error);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (self->message),
                                "Accept", "text/event-stream");
  self->cancellable = g_cancellable_new ();
  soup_session_send_async (self->session, self->message, G_PRIORITY_DEFAULT, self->cancellable,
                           send_cb, g_object_ref (self));
  self->connect_timeout_source = g_timeout_add (self->connect_deadline_s * 1000, connect_timeout_cb, self);
}

/* ------------------------------------------------------------------------------------------ */

/* A stream keeps the auth it was subscribed with: after a refresh or a new sign-in, subscribe
 * again with the new token (a different user is refused, which reconnects from scratch). */
static void
on_token_changed (GigPbClient *client, GParamSpec *pspec, GigPbRealtime *self)
{
  if (self->client_id != NULL && gig_pb_client_get_token (client) != NULL)
    post_subscriptions (self);
}

static void
gig_pb_realtime_constructed (GObject *object)
{
  GigPbRealtime *self = (GigPbRealtime *) object;

  G_OBJECT_CLASS (gig_pb_realtime_parent_class)->constructed (object);

  self->token_handler = g_signal_connect (self->client, "notify::token", G_CALLBACK (on_token_changed), self);
}

static void
gig_pb_realtime_dispose (GObject *object)
{
  GigPbRealtime *self = (GigPbRealtime *) object;

  if (self->client != NULL)
    g_clear_signal_handler (&self->token_handler, self->client);
  self->running = FALSE;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  teardown (self);
  g_clear_object (&self->session);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (gig_pb_realtime_parent_class)->dispose (object);
}

static void
gig_pb_realtime_finalize (GObject *object)
{
  GigPbRealtime *self = (GigPbRealtime *) object;

  g_clear_pointer (&self->topics, g_strfreev);
  g_clear_pointer (&self->client_id, g_free);

  G_OBJECT_CLASS (gig_pb_realtime_parent_class)->finalize (object);
}

static void
gig_pb_realtime_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GigPbRealtime *self = GIG_PB_REALTIME (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    case PROP_MAX_BACKOFF_MS:
      g_value_set_uint (value, gig_backoff_get_policy (&self->backoff)->max_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_pb_realtime_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GigPbRealtime *self = GIG_PB_REALTIME (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_MAX_BACKOFF_MS:
      gig_pb_realtime_set_max_backoff_ms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_pb_realtime_class_init (GigPbRealtimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gig_pb_realtime_constructed;
  object_class->dispose = gig_pb_realtime_dispose;
  object_class->finalize = gig_pb_realtime_finalize;
  object_class->get_property = gig_pb_realtime_get_property;
  object_class->set_property = gig_pb_realtime_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, GIG_TYPE_PB_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT_ID] =
    g_param_spec_string ("client-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_BACKOFF_MS] =
    g_param_spec_uint ("max-backoff-ms", NULL, NULL, INITIAL_BACKOFF_MS, G_MAXINT, DEFAULT_MAX_BACKOFF_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
}

static void
gig_pb_realtime_init (GigPbRealtime *self)
{
  gig_backoff_init (&self->backoff, &reconnect_policy);
  self->connect_deadline_s = DEFAULT_CONNECT_DEADLINE_S;
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "idle-timeout", 0,
                                                 "user-agent", "Gigdesk/" PACKAGE_VERSION,
                                                 NULL);
}

GigPbRealtime *
gig_pb_realtime_new (GigPbClient *client)
{
  g_return_val_if_fail (GIG_IS_PB_CLIENT (client), NULL);
  return g_object_new (GIG_TYPE_PB_REALTIME, "client", client, NULL);
}

GigPbClient *
gig_pb_realtime_get_client (GigPbRealtime *self)
{
  g_return_val_if_fail (GIG_IS_PB_REALTIME (self), NULL);
  return self->client;
}

void
gig_pb_realtime_set_subscriptions (GigPbRealtime *self, const char * const *topics)
{
  g_return_if_fail (GIG_IS_PB_REALTIME (self));

  g_strfreev (self->topics);
  self->topics = g_strdupv ((char **) topics);
  if (self->client_id != NULL)
    post_subscriptions (self);
}

void
gig_pb_realtime_start (GigPbRealtime *self)
{
  g_return_if_fail (GIG_IS_PB_REALTIME (self));

  if (self->running)
    return;
  self->running = TRUE;
  gig_backoff_reset (&self->backoff);
  connect_stream (self);
}

void
gig_pb_realtime_stop (GigPbRealtime *self)
{
  g_return_if_fail (GIG_IS_PB_REALTIME (self));

  self->running = FALSE;
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  teardown (self);
}

gboolean
gig_pb_realtime_get_connected (GigPbRealtime *self)
{
  g_return_val_if_fail (GIG_IS_PB_REALTIME (self), FALSE);
  return self->connected;
}

const char *
gig_pb_realtime_get_client_id (GigPbRealtime *self)
{
  g_return_val_if_fail (GIG_IS_PB_REALTIME (self), NULL);
  return self->client_id;
}

void
gig_pb_realtime_set_max_backoff_ms (GigPbRealtime *self, guint max_backoff_ms)
{
  g_return_if_fail (GIG_IS_PB_REALTIME (self));

  max_backoff_ms = MAX (max_backoff_ms, INITIAL_BACKOFF_MS);
  if (gig_backoff_get_policy (&self->backoff)->max_ms == max_backoff_ms)
    return;
  gig_backoff_set_limits (&self->backoff, INITIAL_BACKOFF_MS, max_backoff_ms);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BACKOFF_MS]);
}

void
gig_pb_realtime_set_connect_deadline (GigPbRealtime *self, guint seconds)
{
  g_return_if_fail (GIG_IS_PB_REALTIME (self));
  g_return_if_fail (seconds > 0 && seconds <= G_MAXUINT / 1000);

  self->connect_deadline_s = seconds;
}
