/* test-chat-hostile.c: GigChatClient against a hostile fake chat service on loopback (its token
 * endpoint, its websocket and its REST API): frames and answers nested 200,000 deep, frames and
 * answers far over their caps, a service that trickles (its REST answers, or the 101 answer of
 * the websocket handshake on a bare socket), huge messages. Each must end in a clean
 * error (criticals are fatal here) with the client alive and still usable.
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-client.h"
#include "store/gig-store.h"
#include "../pocketbase/gig-test-async.h"
#include "../common/gig-test-hostile.h"

#define CID "messaging:project-hostile000001"

typedef struct
{
  SoupServer              *server;
  char                    *url;
  const char              *token_mode;   /* "good" or "deep" */
  const char              *rest_mode;    /* "good", "deep", "huge", "trickle", "long-message" */
  SoupWebsocketConnection *ws;           /* the client's socket, server side */
  guint                    connections;
  gsize                    streamed;
  guint                    trickle_source;
  char                    *dir;
  GigStore                *store;
  GigChatClient           *client;
  /* A bare socket server that answers the websocket handshake one byte at a time. */
  GSocketService          *trickle_service;
  char                    *socket_url;   /* the base_url the token answer names; NULL: url */
  GPtrArray               *tricklers;
} Fake;

/* One connection to the trickling socket server. */
typedef struct
{
  GSocketConnection *connection;
  gsize              sent;
  guint              source;
} Trickler;

/* A 101 answer as a server would send it, were it not sending it a byte every 100 ms. */
static const char trickled_answer[] =
  "HTTP/1.1 101 Switching Protocols\r\n"
  "Upgrade: websocket\r\n"
  "Connection: Upgrade\r\n"
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
  "\r\n";

static void
respond (SoupServerMessage *msg, guint status, char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
wrote_chunk_cb (SoupServerMessage *msg, gpointer user_data)
{
  static char filler[64 * 1024];
  Fake *fake = user_data;

  if (fake->streamed >= 64 * 1024 * 1024)
    return;
  memset (filler, ' ', sizeof filler);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            filler, sizeof filler);
  fake->streamed += sizeof filler;
}

static gboolean
trickle_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, " ", 1);
  soup_server_message_unpause (msg);
  return G_SOURCE_CONTINUE;
}

static void
trickle_finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  Fake *fake = user_data;

  g_clear_handle_id (&fake->trickle_source, g_source_remove);
}

static void
serve (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/api/chat/token"))
    {
      g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);

      if (g_str_equal (fake->token_mode, "deep"))
        respond (msg, 200, g_strdup_printf ("{\"token\":%s}", deep));
      else
        respond (msg, 200, g_strdup_printf ("{\"token\":\"t\",\"api_key\":\"k\",\"user_id\":\"u1\",\"base_url\":\"%s\"}",
                                            fake->socket_url != NULL ? fake->socket_url : fake->url));
      return;
    }

  if (g_str_equal (fake->rest_mode, "deep"))
    {
      g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);

      respond (msg, 201, g_strdup_printf ("{\"event\":%s}", deep));
    }
  else if (g_str_equal (fake->rest_mode, "huge"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), fake);
      wrote_chunk_cb (msg, fake);
    }
  else if (g_str_equal (fake->rest_mode, "trickle"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      g_signal_connect (msg, "finished", G_CALLBACK (trickle_finished_cb), fake);
      g_clear_handle_id (&fake->trickle_source, g_source_remove);
      fake->trickle_source = g_timeout_add (20, trickle_cb, msg);
    }
  else if (g_str_equal (fake->rest_mode, "long-message"))
    {
      g_autoptr(GString) message = g_string_new (NULL);

      while (message->len < 100 * 1024)
        g_string_append (message, "Überlänge ");
      respond (msg, 400, g_strdup_printf ("{\"code\":4,\"message\":\"%s\",\"StatusCode\":400}", message->str));
    }
  else
    respond (msg, 201, g_strdup ("{\"duration\":\"1ms\"}"));
}

static void
ws_closed_cb (SoupWebsocketConnection *ws, gpointer user_data)
{
  Fake *fake = user_data;

  if (fake->ws == ws)
    g_clear_object (&fake->ws);
}

static void
on_socket (SoupServer *server, SoupServerMessage *msg, const char *path, SoupWebsocketConnection *ws,
           gpointer user_data)
{
  Fake *fake = user_data;

  fake->connections++;
  g_clear_object (&fake->ws);
  fake->ws = g_object_ref (ws);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), fake);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 1024 * 1024);
  soup_websocket_connection_send_text (ws, "{\"type\":\"health.check\",\"connection_id\":\"c1\",\"cid\":\"*\","
                                           "\"me\":{\"id\":\"u1\"}}");
}

static void
trickler_free (Trickler *trickler)
{
  g_clear_handle_id (&trickler->source, g_source_remove);
  g_io_stream_close (G_IO_STREAM (trickler->connection), NULL, NULL);
  g_object_unref (trickler->connection);
  g_free (trickler);
}

static gboolean
trickle_byte_cb (gpointer user_data)
{
  Trickler *trickler = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (trickler->connection));

  /* Stops when the client hung up, and after the whole answer in any case. */
  if (trickler->sent >= strlen (trickled_answer) ||
      g_output_stream_write (out, trickled_answer + trickler->sent, 1, NULL, NULL) != 1)
    {
      trickler->source = 0;
      return G_SOURCE_REMOVE;
    }
  trickler->sent++;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_trickle_incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object,
                     gpointer user_data)
{
  Fake *fake = user_data;
  Trickler *trickler = g_new0 (Trickler, 1);

  trickler->connection = g_object_ref (connection);
  trickler->source = g_timeout_add (100, trickle_byte_cb, trickler);
  g_ptr_array_add (fake->tricklers, trickler);
  return TRUE;
}

/* Starts the trickling socket server on 127.0.0.1, a free port, and names it in the token answer. */
static void
fake_trickle_handshake (Fake *fake)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  fake->trickle_service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->trickle_service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (fake->trickle_service, "incoming", G_CALLBACK (on_trickle_incoming), fake);
  g_socket_service_start (fake->trickle_service);
  fake->socket_url = g_strdup_printf ("http://127.0.0.1:%u",
                                      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

static Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fake->token_mode = "good";
  fake->rest_mode = "good";
  fake->tricklers = g_ptr_array_new_with_free_func ((GDestroyNotify) trickler_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (fake->server, "/connect", NULL, NULL, on_socket, fake, NULL);
  soup_server_add_handler (fake->server, NULL, serve, fake, NULL);
  fake->url = gig_test_listen_loopback (fake->server);

  fake->dir = g_dir_make_tmp ("gigdesk-chat-hostile-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fake->dir, "cache.db", NULL);
  fake->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  fake->client = gig_chat_client_new (fake->url, fake->store, "u1");
  g_object_set (fake->client, "deadline", 1, NULL);
  return fake;
}

static void
fake_free (Fake *fake)
{
  g_autofree char *path = g_build_filename (fake->dir, "cache.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  gig_chat_client_disconnect (fake->client);
  g_clear_object (&fake->client);
  g_clear_object (&fake->store);
  g_clear_handle_id (&fake->trickle_source, g_source_remove);
  g_clear_object (&fake->ws);
  g_ptr_array_unref (fake->tricklers);
  if (fake->trickle_service != NULL)
    {
      g_socket_service_stop (fake->trickle_service);
      g_socket_listener_close (G_SOCKET_LISTENER (fake->trickle_service));
      g_object_unref (fake->trickle_service);
    }
  g_free (fake->socket_url);
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fake->dir);
  g_free (fake->dir);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* The client warns about what it drops; count those warnings instead of dying of them (tests
 * make warnings fatal). */
static guint dropped_warnings;

static GLogWriterOutput
log_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (log_level & G_LOG_LEVEL_WARNING)
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE") && strstr (fields[i].value, "Ignoring a malformed chat event") != NULL &&
            strstr (fields[i].value, "nested too deeply") != NULL)
          {
            dropped_warnings++;
            return G_LOG_WRITER_HANDLED;
          }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static gboolean
is_online (gpointer data)
{
  return gig_chat_client_get_state (((Fake *) data)->client) == GIG_CHAT_STATE_ONLINE;
}

static void
connect_online (Fake *fake)
{
  gig_chat_client_set_pb_token (fake->client, "pb-token");
  gig_chat_client_connect (fake->client);
  g_assert_true (gig_test_wait_until (is_online, fake, 20000));
  g_assert_nonnull (fake->ws);
}

static void
on_event (GigChatClient *client, const char *type, const char *cid, JsonObject *event, gpointer user_data)
{
  GPtrArray *types = user_data;

  g_ptr_array_add (types, g_strdup (type));
}

static gboolean
has_message_new (gpointer data)
{
  GPtrArray *types = data;

  for (guint i = 0; i < types->len; i++)
    if (g_str_equal (g_ptr_array_index (types, i), "message.new"))
      return TRUE;
  return FALSE;
}

static void
send_good_event (Fake *fake)
{
  soup_websocket_connection_send_text (fake->ws,
    "{\"type\":\"message.new\",\"cid\":\"" CID "\",\"channel_type\":\"messaging\",\"channel_id\":\"project-hostile000001\","
    "\"created_at\":\"2026-11-24T21:40:15.752Z\",\"message\":{\"id\":\"m-good\",\"text\":\"still here\","
    "\"type\":\"regular\",\"user\":{\"id\":\"u2\"},\"created_at\":\"2026-11-24T21:40:15.752Z\","
    "\"updated_at\":\"2026-11-24T21:40:15.752Z\"},\"user\":{\"id\":\"u2\"}}");
}

/* A frame nested 200,000 deep (400 KB, under the frame cap) is dropped; the socket stays up and
 * the next event arrives. */
static void
test_deep_frame (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);
  g_autofree char *frame = g_strdup_printf ("{\"type\":\"message.new\",\"cid\":\"" CID "\",\"message\":%s}", deep);

  g_signal_connect (fake->client, "event", G_CALLBACK (on_event), types);
  connect_online (fake);
  dropped_warnings = 0;
  soup_websocket_connection_send_text (fake->ws, frame);
  send_good_event (fake);
  g_assert_true (gig_test_wait_until (has_message_new, types, 20000));
  g_assert_cmpuint (dropped_warnings, ==, 1);
  g_assert_cmpint (gig_chat_client_get_state (fake->client), ==, GIG_CHAT_STATE_ONLINE);
  g_assert_cmpuint (fake->connections, ==, 1);
}

static gboolean
reconnected (gpointer data)
{
  Fake *fake = data;

  return fake->connections >= 2 && is_online (fake);
}

/* A frame over the cap (2 MiB; the cap is 1 MiB, the old one 16 MiB) closes that socket before
 * it is buffered; the client comes back on a new one. */
static void
test_oversized_frame (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autofree char *big = g_malloc (2 * 1024 * 1024 + 1);

  g_assert_cmpint (GIG_CHAT_MAX_FRAME, <, 2 * 1024 * 1024);
  memset (big, ' ', 2 * 1024 * 1024);
  big[0] = '{';
  big[2 * 1024 * 1024 - 1] = '}';
  big[2 * 1024 * 1024] = '\0';
  connect_online (fake);
  soup_websocket_connection_send_text (fake->ws, big);
  g_assert_true (gig_test_wait_until (reconnected, fake, 30000));
}

static GError *
mark_read (Fake *fake)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  gig_chat_client_mark_read_async (fake->client, CID, NULL, gig_test_async_store, &result);
  g_assert_false (gig_chat_client_mark_read_finish (fake->client, gig_test_async_wait (&result), &error));
  return error;
}

/* REST answers: nested too deep, far too large, trickled, with a 100 KB message. */
static void
test_rest_answers (void)
{
  g_autoptr(Fake) fake = fake_new ();

  connect_online (fake);
  {
    g_autoptr(GError) error = NULL;

    fake->rest_mode = "deep";
    error = mark_read (fake);
    g_assert_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "nested too deeply"));
  }
  {
    g_autoptr(GError) error = NULL;

    fake->rest_mode = "huge";
    fake->streamed = 0;
    error = mark_read (fake);
    g_assert_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "larger than"));
    g_test_message ("%" G_GSIZE_FORMAT " bytes produced for a cap of %d", fake->streamed, GIG_CHAT_MAX_REST_ANSWER);
    g_assert_cmpuint (fake->streamed, <, GIG_CHAT_MAX_REST_ANSWER + 12 * 1024 * 1024);
  }
  {
    g_autoptr(GError) error = NULL;

    fake->rest_mode = "trickle";
    error = mark_read (fake);
    g_assert_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK);
    g_assert_nonnull (strstr (error->message, "The chat server took longer than 1 second to answer"));
  }
  {
    g_autoptr(GError) error = NULL;

    fake->rest_mode = "long-message";
    error = mark_read (fake);
    g_assert_true (error->domain == GIG_CHAT_API_ERROR);
    g_assert_cmpint (g_utf8_strlen (error->message, -1), ==, 201);
    g_assert_true (g_str_has_suffix (error->message, "…"));
  }
  /* and the client still works */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    fake->rest_mode = "good";
    gig_chat_client_mark_read_async (fake->client, CID, NULL, gig_test_async_store, &result);
    g_assert_true (gig_chat_client_mark_read_finish (fake->client, gig_test_async_wait (&result), &error));
    g_assert_no_error (error);
  }
}

static gboolean
has_error (gpointer data)
{
  return gig_chat_client_get_last_error (((Fake *) data)->client) != NULL;
}

/* The chat token answer nested 200,000 deep: no connection, an error to show, nothing worse. */
static void
test_deep_token_answer (void)
{
  g_autoptr(Fake) fake = fake_new ();

  fake->token_mode = "deep";
  gig_chat_client_set_pb_token (fake->client, "pb-token");
  gig_chat_client_connect (fake->client);
  g_assert_true (gig_test_wait_until (has_error, fake, 20000));
  g_assert_cmpint (gig_chat_client_get_state (fake->client), !=, GIG_CHAT_STATE_ONLINE);
  g_assert_cmpuint (fake->connections, ==, 0);
}

/* What the client showed first, and how much of the 101 answer had arrived by then. */
typedef struct
{
  Fake  *fake;
  char  *first_error;
  gsize  sent_at_first_error;
  gboolean went_online;
} HandshakeWatch;

static void
on_handshake_notify (GObject *client, GParamSpec *pspec, gpointer user_data)
{
  HandshakeWatch *watch = user_data;
  const char *error = gig_chat_client_get_last_error (watch->fake->client);

  if (gig_chat_client_get_state (watch->fake->client) == GIG_CHAT_STATE_ONLINE)
    watch->went_online = TRUE;
  if (error != NULL && watch->first_error == NULL)
    {
      watch->first_error = g_strdup (error);
      if (watch->fake->tricklers->len > 0)
        watch->sent_at_first_error = ((Trickler *) g_ptr_array_index (watch->fake->tricklers, 0))->sent;
    }
}

static gboolean
retried_after_error (gpointer data)
{
  HandshakeWatch *watch = data;

  return watch->first_error != NULL && watch->fake->tricklers->len >= 2;
}

/* A server that accepts the connection and trickles its 101 answer a byte at a time: the
 * handshake ends at its deadline (1 s here) with an error that says so, long before the answer
 * is complete, and the reconnect backoff tries again. */
static void
test_trickled_handshake (void)
{
  g_autoptr(Fake) fake = fake_new ();
  HandshakeWatch watch = { fake, NULL, 0, FALSE };

  fake_trickle_handshake (fake);
  g_signal_connect (fake->client, "notify::last-error", G_CALLBACK (on_handshake_notify), &watch);
  g_signal_connect (fake->client, "notify::state", G_CALLBACK (on_handshake_notify), &watch);
  gig_chat_client_set_pb_token (fake->client, "pb-token");
  gig_chat_client_connect (fake->client);
  g_assert_true (gig_test_wait_until (retried_after_error, &watch, 20000));

  g_assert_cmpstr (watch.first_error, ==, "The chat server took longer than 1 second to open the connection");
  g_test_message ("%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes of the 101 answer sent at the error",
                  watch.sent_at_first_error, strlen (trickled_answer));
  g_assert_cmpuint (watch.sent_at_first_error, <, strlen (trickled_answer));
  g_assert_false (watch.went_online);
  g_assert_cmpuint (fake->connections, ==, 0);
  g_signal_handlers_disconnect_by_data (fake->client, &watch);
  g_free (watch.first_error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_add_func ("/chat-hostile/deep-frame", test_deep_frame);
  g_test_add_func ("/chat-hostile/oversized-frame", test_oversized_frame);
  g_test_add_func ("/chat-hostile/rest-answers", test_rest_answers);
  g_test_add_func ("/chat-hostile/deep-token-answer", test_deep_token_answer);
  g_test_add_func ("/chat-hostile/trickled-handshake", test_trickled_handshake);
  return g_test_run ();
}
