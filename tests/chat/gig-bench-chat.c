/* gig-bench-chat.c: what the chat benchmarks share
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../chat-server/gcs-jwt.h"
#include "gig-bench-chat.h"

char *gig_bench_chat_url;

char *
gig_bench_token_for (const char *user_id)
{
  g_autoptr(JsonObject) claims = json_object_new ();

  if (user_id != NULL)
    json_object_set_string_member (claims, "user_id", user_id);
  else
    json_object_set_boolean_member (claims, "server", TRUE);
  return gcs_jwt_sign (claims, GIG_BENCH_SECRET);
}

static void
token_route (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  const char *user = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *token = gig_bench_token_for (user);
  g_autofree char *body = g_strdup_printf ("{\"token\":\"%s\",\"api_key\":\"" GIG_BENCH_KEY "\",\"user_id\":\"%s\","
                                           "\"base_url\":\"%s\",\"expires_at\":0}", token, user, gig_bench_chat_url);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

SoupServer *
gig_bench_token_server_new (char **out_url)
{
  SoupServer *tokens = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (tokens, "/api/chat/token", token_route, NULL, NULL);
  soup_server_listen_local (tokens, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (tokens);
  *out_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (*out_url, "/"))
    (*out_url)[strlen (*out_url) - 1] = '\0';
  return tokens;
}

GPid
gig_bench_spawn_for_url (const char * const *argv,
                         char              **env,
                         char              **out_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOChannel) out = NULL;
  g_autofree char *line = NULL;
  GPid pid;
  int out_fd;

  g_spawn_async_with_pipes (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &pid, NULL, &out_fd,
                            NULL, &error);
  g_assert_no_error (error);
  out = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (out, TRUE);
  g_io_channel_read_line (out, &line, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "url="));
  *out_url = g_strstrip (g_strdup (line + 4));
  return pid;
}

GPid
gig_bench_start_chat_server (const char * const *extra_args)
{
  const char *exe = g_getenv ("GIG_CHAT_SERVER");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (gpointer) exe);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);
  env = g_environ_setenv (env, "STREAM_API_KEY", GIG_BENCH_KEY, TRUE);
  env = g_environ_setenv (env, "STREAM_API_SECRET", GIG_BENCH_SECRET, TRUE);
  return gig_bench_spawn_for_url ((const char * const *) argv->pdata, env, &gig_bench_chat_url);
}

void
gig_bench_server_call (SoupSession *session,
                       const char  *method,
                       const char  *path,
                       const char  *body)
{
  g_autofree char *uri = g_strdup_printf ("%s%s?api_key=" GIG_BENCH_KEY, gig_bench_chat_url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autofree char *token = gig_bench_token_for (NULL);
  g_autoptr(GBytes) req = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) res = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", token);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "stream-auth-type", "jwt");
  soup_message_set_request_body_from_bytes (msg, "application/json", req);
  res = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg) / 100, ==, 2);
}

void
gig_bench_spin_until (gboolean *flag)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (*flag);
}

int
gig_bench_compare_doubles (gconstpointer a,
                           gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

void
gig_bench_print_spread (const char *name,
                        double     *samples,
                        guint       n,
                        const char *unit,
                        const char *target)
{
  qsort (samples, n, sizeof (double), gig_bench_compare_doubles);
  g_print ("%s: %.1f %s (target %s)\n", name, samples[n / 2], unit, target);
  g_print ("%s spread over %u: min %.1f, max %.1f %s (target none)\n", name, n, samples[0], samples[n - 1], unit);
}
