/* test-chat-server-load.c: 200 concurrent websocket clients exchanging messages
 *
 * 20 channels of 10 members; every member sends 5 messages with its own ids, all
 * requests in flight at once. Every message must reach every member exactly once.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server-test"

#include <string.h>

#include "gcs-test-util.h"

#define N_CHANNELS     20
#define PER_CHANNEL    10
#define N_CLIENTS      (N_CHANNELS * PER_CHANNEL)
#define PER_CLIENT     5
#define DEADLINE_SEC   90
#define WINDOW         32

typedef struct {
  GcsTestServer *server;
  SoupSession   *rest;     /* its own session: the websockets' session tracks 200 connections */
  guint          sends_started;
  guint          sends_done;
  guint          sends_failed;
  guint          delivered;
} Load;

typedef struct {
  Load       *load;
  SoupMessage *msg;
} Send;

static void send_next (Load *load);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Send *send = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (error != NULL || soup_message_get_status (send->msg) != SOUP_STATUS_CREATED)
    {
      g_test_message ("send failed: %s (status %u)", error ? error->message : "-",
                      soup_message_get_status (send->msg));
      send->load->sends_failed++;
    }
  send->load->sends_done++;
  send_next (send->load);
  g_object_unref (send->msg);
  g_free (send);
}

/* Message k of client i, in round-robin order so all channels are busy at once. */
static void
send_next (Load *load)
{
  guint n = load->sends_started, i, k;
  g_autofree char *uid = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Send *send;

  if (n >= N_CLIENTS * PER_CLIENT)
    return;
  load->sends_started++;
  i = n % N_CLIENTS;
  k = n / N_CLIENTS;
  uid = g_strdup_printf ("u%03u", i);
  token = gcs_test_user_token (uid, 0);
  url = g_strdup_printf ("%s/channels/messaging/load-%u/message?api_key=%s",
                         load->server->url, i / PER_CHANNEL, GCS_TEST_KEY);
  body = g_strdup_printf ("{\"message\":{\"id\":\"m-%s-%u\",\"text\":\"%u from %s\"}}", uid, k, k, uid);
  bytes = g_bytes_new (body, strlen (body));
  send = g_new0 (Send, 1);
  send->load = load;
  send->msg = soup_message_new ("POST", url);
  soup_message_headers_append (soup_message_get_request_headers (send->msg), "Authorization", token);
  soup_message_headers_append (soup_message_get_request_headers (send->msg), "Stream-Auth-Type", "jwt");
  soup_message_set_request_body_from_bytes (send->msg, "application/json", bytes);
  soup_session_send_and_read_async (load->rest, send->msg, G_PRIORITY_DEFAULT, NULL, on_sent, send);
}

static gboolean
on_progress (gpointer user_data)
{
  Load *load = user_data;

  g_test_message ("progress: %u/%u sends done, %u deliveries", load->sends_done, load->sends_started,
                  load->delivered);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_load (void)
{
  Load load = { 0 };
  GcsTestSocket *socks[N_CLIENTS];
  g_autofree char *admin = gcs_test_server_token ();
  g_autoptr(GString) users = g_string_new ("{\"users\":{");
  g_autoptr(JsonObject) upserted = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  gboolean expired = FALSE;
  guint deadline, progress, status, i, c, k;

  load.server = gcs_test_server_start (NULL);
  load.rest = soup_session_new_with_options ("max-conns", 32, "max-conns-per-host", 32, "timeout", 60, NULL);

  for (i = 0; i < N_CLIENTS; i++)
    g_string_append_printf (users, "%s\"u%03u\":{\"id\":\"u%03u\",\"name\":\"User %u\"}", i ? "," : "", i, i, i);
  g_string_append (users, "}}");
  upserted = gcs_test_request (load.server, "POST", "/users", admin, NULL, users->str, &status);
  g_assert_cmpuint (status, ==, 201);

  for (c = 0; c < N_CHANNELS; c++)
    {
      g_autoptr(GString) body = g_string_new (NULL);
      g_autofree char *path = g_strdup_printf ("/channels/messaging/load-%u/query", c);
      g_autoptr(JsonObject) reply = NULL;

      g_string_printf (body, "{\"data\":{\"created_by_id\":\"u%03u\",\"members\":[", c * PER_CHANNEL);
      for (k = 0; k < PER_CHANNEL; k++)
        g_string_append_printf (body, "%s\"u%03u\"", k ? "," : "", c * PER_CHANNEL + k);
      g_string_append (body, "]}}");
      reply = gcs_test_request (load.server, "POST", path, admin, NULL, body->str, &status);
      g_assert_cmpuint (status, ==, 201);
    }

  /* Connect and watch, one client per user. */
  for (i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *uid = g_strdup_printf ("u%03u", i);
      g_autofree char *token = gcs_test_user_token (uid, 0);
      g_autoptr(JsonObject) first = NULL;
      g_autoptr(JsonObject) reply = NULL;
      g_autofree char *path = NULL;

      socks[i] = gcs_test_socket_open (load.server, uid, token, NULL);
      first = gcs_test_socket_next (socks[i], "health.check", 10000);
      g_assert_nonnull (first);
      socks[i]->counter = &load.delivered;
      socks[i]->count_type = "message.new";
      path = g_strdup_printf ("/channels/messaging/load-%u/query?connection_id=%s", i / PER_CHANNEL,
                              json_object_get_string_member (first, "connection_id"));
      reply = gcs_test_request (load.server, "POST", path, token, NULL,
                                "{\"state\":true,\"watch\":true,\"messages\":{\"limit\":0}}", &status);
      g_assert_cmpuint (status, ==, 201);
    }
  g_test_message ("%u clients connected and watching after %.2f s", N_CLIENTS, g_timer_elapsed (timer, NULL));
  g_timer_start (timer);

  /* Every client sends its messages, WINDOW requests in flight at any time. */
  for (i = 0; i < WINDOW; i++)
    send_next (&load);

  deadline = g_timeout_add_seconds (DEADLINE_SEC, on_deadline, &expired);
  progress = g_timeout_add_seconds (5, on_progress, &load);
  while (!expired && (load.sends_done < N_CLIENTS * PER_CLIENT ||
                      load.delivered < N_CLIENTS * PER_CHANNEL * PER_CLIENT))
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("%u sends, %u deliveries in %.2f s", load.sends_done, load.delivered,
                  g_timer_elapsed (timer, NULL));
  g_source_remove (progress);
  g_assert_false (expired);
  g_assert_cmpuint (load.sends_failed, ==, 0);

  /* A ping round-trip per socket flushes anything still queued behind the last delivery,
   * so a late duplicate would be counted. */
  for (i = 0; i < N_CLIENTS; i++)
    gcs_test_socket_send (socks[i], "{\"type\":\"health.check\"}");
  for (i = 0; i < N_CLIENTS; i++)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autofree char *cid = g_strdup_printf ("messaging:load-%u", i / PER_CHANNEL);
      guint base = (i / PER_CHANNEL) * PER_CHANNEL;
      gboolean pong = FALSE;

      while (!pong && !expired)
        {
          JsonObject *frame;

          while ((frame = g_queue_pop_head (&socks[i]->frames)) != NULL)
            {
              const char *type = json_object_get_string_member_with_default (frame, "type", "");

              if (g_str_equal (type, "health.check"))
                pong = TRUE;
              else if (g_str_equal (type, "message.new"))
                {
                  const char *mid = json_object_get_string_member (json_object_get_object_member (frame, "message"), "id");
                  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, mid));

                  g_assert_cmpstr (json_object_get_string_member (frame, "cid"), ==, cid);
                  g_hash_table_replace (seen, g_strdup (mid), GUINT_TO_POINTER (n + 1));
                }
              json_object_unref (frame);
            }
          if (!pong)
            g_main_context_iteration (NULL, TRUE);
        }
      g_assert_true (pong);

      g_assert_cmpuint (g_hash_table_size (seen), ==, PER_CHANNEL * PER_CLIENT);
      for (c = 0; c < PER_CHANNEL; c++)
        for (k = 0; k < PER_CLIENT; k++)
          {
            g_autofree char *mid = g_strdup_printf ("m-u%03u-%u", base + c, k);
            g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, mid)), ==, 1);
          }
    }
  if (!expired)
    g_source_remove (deadline);

  for (i = 0; i < N_CLIENTS; i++)
    gcs_test_socket_free (socks[i]);
  g_clear_object (&load.rest);
  gcs_test_server_stop (load.server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Per-frame debug logging of 10,000 deliveries would dominate the run. */
  g_log_set_debug_enabled (FALSE);
  g_test_add_func ("/chat-server/load/200-clients", test_load);
  return g_test_run ();
}
