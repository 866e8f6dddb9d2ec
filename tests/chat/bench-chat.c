/* bench-chat.c: chat figures for `make bench`, printed as `name: value (target T)`
 *
 * SPDX-License-Identifier: MIT
 *
 * - send-to-receive latency between two GigChatClients through the local chat server over
 *   loopback (median, p99), next to the raw websocket round trip of a health check;
 * - time from creating a chat view over 10 000 cached messages to its first frame (median and
 *   spread of several opens, next to an empty channel's), and from scrolling to the top to the
 *   frame with the next page of older cached messages;
 * - peak RSS with those 10 000 messages loaded.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/resource.h>

#include "gig-bench-chat.h"
#include "chat/gig-chat-client.h"
#include "chat/gig-chat-view.h"
#include "gig-test-ui.h"
#include "store/gig-store-chat.h"

#define ROUNDS  200
#define CID     "messaging:bench"
#define OPENS   9

/* ---- latency ------------------------------------------------------------------------------------ */

typedef struct {
  const char *waiting_for;
  gboolean    got;
} Receive;

static void
on_event (GigChatClient *client,
          const char    *type,
          const char    *cid,
          JsonObject    *event,
          gpointer       user_data)
{
  Receive *r = user_data;
  JsonObject *m;

  if (g_strcmp0 (type, "message.new") != 0 || r->waiting_for == NULL)
    return;
  m = json_object_get_object_member (event, "message");
  if (g_strcmp0 (json_object_get_string_member_with_default (m, "id", ""), r->waiting_for) == 0)
    r->got = TRUE;
}

static void
on_online (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  if (gig_chat_client_get_state (GIG_CHAT_CLIENT (object)) == GIG_CHAT_STATE_ONLINE)
    *(gboolean *) user_data = TRUE;
}

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) channel = gig_chat_client_watch_channel_finish (GIG_CHAT_CLIENT (source), result, &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static GigChatClient *
online_client (SoupServer *tokens,
               const char *dir,
               const char *user)
{
  g_autofree char *path = g_build_filename (dir, user, NULL);
  g_autoptr(GError) error = NULL;
  GigStore *store = gig_store_new_for_path (path, &error);
  GSList *uris = soup_server_get_uris (tokens);
  g_autofree char *pb = g_uri_to_string (uris->data);
  GigChatClient *client;
  gboolean online = FALSE, watched = FALSE;

  g_assert_no_error (error);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (pb, "/"))
    pb[strlen (pb) - 1] = '\0';
  client = gig_chat_client_new (pb, store, user);
  g_object_unref (store);
  g_signal_connect (client, "notify::state", G_CALLBACK (on_online), &online);
  gig_chat_client_set_pb_token (client, user);
  gig_chat_client_connect (client);
  gig_bench_spin_until (&online);
  g_signal_handlers_disconnect_by_func (client, on_online, &online);
  gig_chat_client_watch_channel_async (client, CID, 10, NULL, watch_done, &watched);
  gig_bench_spin_until (&watched);
  return client;
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  *(guint *) user_data += 1;
}

static void
ws_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(SoupWebsocketConnection **) user_data = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static double
raw_round_trip_ms (SoupSession *session)
{
  g_autofree char *token = gig_bench_token_for ("carol");
  g_autofree char *ws_base = g_strconcat ("ws", gig_bench_chat_url + 4, NULL);
  g_autofree char *uri = g_strdup_printf ("%s/connect?json=%%7B%%22user_id%%22%%3A%%22carol%%22%%2C%%22user_details%%22%%3A%%7B%%22id%%22%%3A%%22carol%%22%%7D%%7D"
                                          "&api_key=" GIG_BENCH_KEY "&authorization=%s&stream-auth-type=jwt", ws_base, token);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  SoupWebsocketConnection *ws = NULL;
  double samples[ROUNDS];
  guint frames = 0, i;

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, ws_connected, &ws);
  while (ws == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), &frames);
  while (frames == 0)
    g_main_context_iteration (NULL, TRUE);
  for (i = 0; i < ROUNDS; i++)
    {
      guint before = frames;
      gint64 t0 = g_get_monotonic_time ();

      soup_websocket_connection_send_text (ws, "{\"type\":\"health.check\"}");
      while (frames == before)
        g_main_context_iteration (NULL, TRUE);
      samples[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (ws);
  qsort (samples, ROUNDS, sizeof (double), gig_bench_compare_doubles);
  return samples[ROUNDS / 2];
}

/* ---- opening a big channel ------------------------------------------------------------------------ */

static void
fill (GigStore *store,
      guint     n)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint i;

  for (i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, -((double) (n - i)) * 30.0);
      g_autofree char *ts = g_date_time_format_iso8601 (when);
      g_autofree char *id = g_strdup_printf ("m-%06u", i);
      g_autofree char *text = g_strdup_printf ("Message %u about the milestones and the budget of the project.", i);
      JsonObject *m = json_object_new ();
      JsonObject *u = json_object_new ();

      json_object_set_string_member (m, "id", id);
      json_object_set_string_member (m, "text", text);
      json_object_set_string_member (m, "created_at", ts);
      json_object_set_string_member (u, "id", i % 7 < 3 ? "alice" : "bob");
      json_object_set_object_member (m, "user", u);
      g_ptr_array_add (batch, m);
      if (batch->len == 1000)
        {
          g_assert_true (gig_store_chat_put_messages (store, "messaging:big", batch, NULL));
          g_ptr_array_set_size (batch, 0);
        }
    }
  if (batch->len > 0)
    g_assert_true (gig_store_chat_put_messages (store, "messaging:big", batch, NULL));
}

static void
after_paint (GdkFrameClock *clock,
             gpointer       user_data)
{
  gint64 *painted = user_data;

  if (*painted == 0)
    *painted = g_get_monotonic_time ();
}

/* Milliseconds from creating a view over @cid to the first frame painted with it. */
static double
open_to_first_frame (GtkWindow     *window,
                     GigChatClient *client,
                     const char    *cid,
                     double        *build_ms)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gint64 t0, painted = 0;
  gulong id;
  GtkWidget *view;

  gtk_window_set_child (window, NULL);
  gig_test_ui_wait_for_draw (window, 2);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), &painted);
  t0 = g_get_monotonic_time ();
  view = gig_chat_view_new (client, cid, "Bench");
  if (build_ms != NULL)
    *build_ms = (g_get_monotonic_time () - t0) / 1000.0;
  gtk_window_set_child (window, view);
  while (painted == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
  return (painted - t0) / 1000.0;
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  GtkWidget *child, *found = NULL;

  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL && found == NULL; child = gtk_widget_get_next_sibling (child))
    found = find_list_view (child);
  return found;
}

/* Scrolls the open view to the top and times the frame that shows older cached messages. */
static double
older_page_to_frame (GtkWindow *window)
{
  GigChatView *view = GIG_CHAT_VIEW (gtk_window_get_child (window));
  GListModel *model = G_LIST_MODEL (gig_chat_view_get_model (view));
  GtkWidget *list = find_list_view (GTK_WIDGET (view));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  GtkAdjustment *adj;
  guint before = g_list_model_get_n_items (model);
  gint64 t0, painted = 0;
  gulong id;

  gig_test_ui_wait_for_draw (window, 2);
  g_assert_nonnull (list);
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  t0 = g_get_monotonic_time ();
  gtk_adjustment_set_value (adj, 0);
  while (g_list_model_get_n_items (model) == before)
    g_main_context_iteration (NULL, TRUE);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), &painted);
  while (painted == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
  return (painted - t0) / 1000.0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *big_path = NULL;
  g_autoptr(SoupServer) tokens = NULL;
  g_autofree char *tokens_url = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GigChatClient) alice = NULL, bob = NULL;
  g_autoptr(GigStore) big = NULL;
  g_autoptr(GigChatClient) viewer = NULL;
  double lat[ROUNDS], raw, open[OPENS], empty[OPENS], build[OPENS], older[OPENS];
  Receive r = { NULL, FALSE };
  GtkWindow *window;
  struct rusage usage;
  GPid pid;
  guint i;

  gig_test_ui_init (&argc, &argv);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  dir = g_dir_make_tmp ("gigdesk-bench-chat-XXXXXX", &error);
  g_assert_no_error (error);

  pid = gig_bench_start_chat_server (NULL);
  tokens = gig_bench_token_server_new (&tokens_url);
  session = soup_session_new ();
  gig_bench_server_call (session, "POST", "/users", "{\"users\":{\"alice\":{\"id\":\"alice\"},\"bob\":{\"id\":\"bob\"},\"carol\":{\"id\":\"carol\"}}}");
  gig_bench_server_call (session, "POST", "/channels/messaging/bench/query",
               "{\"data\":{\"created_by_id\":\"alice\",\"members\":[\"alice\",\"bob\"]}}");

  alice = online_client (tokens, dir, "alice");
  bob = online_client (tokens, dir, "bob");
  g_signal_connect (bob, "event", G_CALLBACK (on_event), &r);

  for (i = 0; i < ROUNDS; i++)
    {
      g_autofree char *text = g_strdup_printf ("ping %u", i);
      g_autofree char *id = NULL;
      gint64 start = g_get_monotonic_time ();

      r.got = FALSE;
      id = gig_chat_client_send_message (alice, CID, text, &error);
      g_assert_no_error (error);
      r.waiting_for = id;
      gig_bench_spin_until (&r.got);
      lat[i] = (g_get_monotonic_time () - start) / 1000.0;
      r.waiting_for = NULL;
    }
  qsort (lat, ROUNDS, sizeof (double), gig_bench_compare_doubles);
  raw = raw_round_trip_ms (session);
  g_print ("chat send-to-receive median: %.2f ms (target <= raw ws round trip + 5 ms = %.2f ms)\n", lat[ROUNDS / 2], raw + 5);
  g_print ("chat send-to-receive p99: %.2f ms (target none)\n", lat[ROUNDS * 99 / 100]);
  g_print ("raw websocket round trip median: %.2f ms (target none)\n", raw);
  gig_chat_client_disconnect (alice);
  gig_chat_client_disconnect (bob);

  big_path = g_build_filename (dir, "big", NULL);
  big = gig_store_new_for_path (big_path, &error);
  g_assert_no_error (error);
  fill (big, 10000);
  viewer = gig_chat_client_new ("http://127.0.0.1:9", big, "alice");

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 800, 700);
  gtk_window_present (window);
  gig_test_ui_wait_for_draw (window, 2);
  /* Warm up once on an empty channel: type registration, templates and CSS are paid once per
   * process, not per channel opened. */
  open_to_first_frame (window, viewer, "messaging:empty", NULL);
  for (i = 0; i < OPENS; i++)
    empty[i] = open_to_first_frame (window, viewer, "messaging:empty", NULL);
  for (i = 0; i < OPENS; i++)
    {
      open[i] = open_to_first_frame (window, viewer, "messaging:big", &build[i]);
      older[i] = older_page_to_frame (window);
    }
  gig_bench_print_spread ("chat view built over 10000 messages", build, OPENS, "ms", "none");
  gig_bench_print_spread ("chat open empty channel to first frame", empty, OPENS, "ms", "none");
  gig_bench_print_spread ("chat open 10000 cached messages to first frame", open, OPENS, "ms", "<= 100 ms");
  gig_bench_print_spread ("chat scroll to top to frame with older cached page", older, OPENS, "ms", "none");
  getrusage (RUSAGE_SELF, &usage);
  g_print ("chat peak RSS with 10000 messages: %.1f MB (target none)\n", usage.ru_maxrss / 1024.0);

  gtk_window_destroy (window);
  kill (pid, SIGTERM);
  g_spawn_close_pid (pid);
  return 0;
}
