/* gcs-test-util.c: start gigdesk-chat-server and talk to it, for the C tests
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server-test"

#include "gcs-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "gcs-jwt.h"
#include "core/gig-json.h"

JsonObject *
gcs_test_parse (const char *text)
{
  return text != NULL ? gig_json_parse_object (text, -1, G_MAXSIZE, NULL) : NULL;
}

char *
gcs_test_to_string (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

/* If a test aborts, its server must not outlive it holding the test's pipes. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

GcsTestServer *
gcs_test_server_start (const char *const *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *exe = g_getenv ("GIG_CHAT_SERVER");
  GcsTestServer *server;

  g_assert_nonnull (exe);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "STREAM_API_KEY", GCS_TEST_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "STREAM_API_SECRET", GCS_TEST_SECRET, TRUE);
  g_ptr_array_add (argv, (gpointer) exe);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  for (; extra_args != NULL && *extra_args != NULL; extra_args++)
    g_ptr_array_add (argv, (gpointer) *extra_args);
  g_ptr_array_add (argv, NULL);

  server = g_new0 (GcsTestServer, 1);
  server->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* The first stdout line is the only one: url=http://127.0.0.1:PORT */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "url=http://127.0.0.1:"));
  server->url = g_strdup (line + strlen ("url="));
  server->ws_url = g_strconcat ("ws", server->url + strlen ("http"), NULL);
  server->session = soup_session_new_with_options ("max-conns", 400, "max-conns-per-host", 400,
                                                   "timeout", 30, NULL);
  return server;
}

void
gcs_test_server_stop (GcsTestServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;
  g_clear_object (&server->session);
  g_subprocess_send_signal (server->proc, SIGTERM);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  /* A clean SIGTERM exit proves the shutdown path (and closes the database). */
  g_assert_true (g_subprocess_get_if_exited (server->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (server->proc), ==, 0);
  g_clear_object (&server->proc);
  g_free (server->url);
  g_free (server->ws_url);
  g_free (server);
}

char *
gcs_test_user_token (const char *user_id,
                     gint64      exp)
{
  g_autoptr(JsonObject) claims = json_object_new ();

  json_object_set_string_member (claims, "user_id", user_id);
  if (exp != 0)
    json_object_set_int_member (claims, "exp", exp);
  return gcs_jwt_sign (claims, GCS_TEST_SECRET);
}

char *
gcs_test_server_token (void)
{
  g_autoptr(JsonObject) claims = json_object_new ();

  json_object_set_boolean_member (claims, "server", TRUE);
  return gcs_jwt_sign (claims, GCS_TEST_SECRET);
}

JsonObject *
gcs_test_request (GcsTestServer *server,
                  const char    *method,
                  const char    *path,
                  const char    *token,
                  const char    *api_key,
                  const char    *body,
                  guint         *out_status)
{
  g_autofree char *url = g_strdup_printf ("%s%s%sapi_key=%s", server->url, path,
                                          strchr (path, '?') ? "&" : "?",
                                          api_key ? api_key : GCS_TEST_KEY);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *obj;

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", token);
      soup_message_headers_append (soup_message_get_request_headers (msg), "Stream-Auth-Type", "jwt");
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (server->session, msg, NULL, &error);
  g_assert_no_error (error);
  *out_status = soup_message_get_status (msg);
  text = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  obj = gcs_test_parse (text);
  if (obj == NULL)
    g_error ("%s %s answered %u with a body that is not a JSON object: %s", method, path, *out_status, text);
  return obj;
}

static void
on_frame (SoupWebsocketConnection *ws,
          gint                     type,
          GBytes                  *message,
          gpointer                 user_data)
{
  GcsTestSocket *sock = user_data;
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  JsonObject *obj = gcs_test_parse (text);

  g_assert_nonnull (obj);
  if (sock->counter != NULL &&
      g_strcmp0 (json_object_get_string_member_with_default (obj, "type", ""), sock->count_type) == 0)
    (*sock->counter)++;
  g_queue_push_tail (&sock->frames, obj);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  GcsTestSocket *sock = user_data;

  sock->closed = TRUE;
  sock->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GcsTestSocket *sock = user_data;

  sock->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &sock->error);
  if (sock->ws != NULL)
    {
      g_signal_connect (sock->ws, "message", G_CALLBACK (on_frame), sock);
      g_signal_connect (sock->ws, "closed", G_CALLBACK (on_closed), sock);
    }
}

static GcsTestSocket *
socket_open (GcsTestServer *server,
             const char    *user_id,
             const char    *token,
             const char    *api_key,
             gboolean       in_headers)
{
  g_autofree char *json = g_strdup_printf ("{\"user_id\":\"%s\",\"user_details\":{\"id\":\"%s\"},"
                                           "\"server_determines_connection_id\":true}", user_id, user_id);
  g_autofree char *q_json = g_uri_escape_string (json, NULL, FALSE);
  g_autofree char *q_token = g_uri_escape_string (token, NULL, FALSE);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  GcsTestSocket *sock = g_new0 (GcsTestSocket, 1);

  if (in_headers)
    url = g_strdup_printf ("%s/connect?json=%s&api_key=%s", server->ws_url, q_json,
                           api_key ? api_key : GCS_TEST_KEY);
  else
    url = g_strdup_printf ("%s/connect?json=%s&api_key=%s&authorization=%s&stream-auth-type=jwt",
                           server->ws_url, q_json, api_key ? api_key : GCS_TEST_KEY, q_token);
  msg = soup_message_new ("GET", url);
  if (in_headers)
    {
      soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", token);
      soup_message_headers_append (soup_message_get_request_headers (msg), "Stream-Auth-Type", "jwt");
    }

  g_queue_init (&sock->frames);
  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, sock);
  while (sock->ws == NULL && sock->error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (sock->error);
  return sock;
}

GcsTestSocket *
gcs_test_socket_open (GcsTestServer *server,
                      const char    *user_id,
                      const char    *token,
                      const char    *api_key)
{
  return socket_open (server, user_id, token, api_key, FALSE);
}

GcsTestSocket *
gcs_test_socket_open_headers (GcsTestServer *server,
                              const char    *user_id,
                              const char    *token)
{
  return socket_open (server, user_id, token, NULL, TRUE);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

JsonObject *
gcs_test_socket_next (GcsTestSocket *sock,
                      const char    *type,
                      guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (timeout_ms, on_timeout, &expired);
  JsonObject *found = NULL;

  while (found == NULL)
    {
      while (!g_queue_is_empty (&sock->frames))
        {
          JsonObject *obj = g_queue_pop_head (&sock->frames);

          if (type == NULL || g_strcmp0 (json_object_get_string_member_with_default (obj, "type", ""), type) == 0)
            {
              found = obj;
              break;
            }
          json_object_unref (obj);
        }
      if (found != NULL || expired)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  if (!expired)
    g_source_remove (source);
  return found;
}

gboolean
gcs_test_socket_wait_closed (GcsTestSocket *sock,
                             guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (timeout_ms, on_timeout, &expired);

  while (!sock->closed && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return sock->closed;
}

void
gcs_test_socket_send (GcsTestSocket *sock,
                      const char    *text)
{
  soup_websocket_connection_send_text (sock->ws, text);
}

void
gcs_test_socket_free (GcsTestSocket *sock)
{
  if (sock == NULL)
    return;
  if (sock->ws != NULL)
    {
      if (soup_websocket_connection_get_state (sock->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          soup_websocket_connection_close (sock->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          gcs_test_socket_wait_closed (sock, 2000);
        }
      g_signal_handlers_disconnect_by_data (sock->ws, sock);
      g_clear_object (&sock->ws);
    }
  g_queue_clear_full (&sock->frames, (GDestroyNotify) json_object_unref);
  g_clear_error (&sock->error);
  g_free (sock);
}
