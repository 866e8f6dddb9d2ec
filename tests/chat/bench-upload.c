/* bench-upload.c: chat upload figures for `make bench`, printed as `name: value (target T)`
 *
 * SPDX-License-Identifier: MIT
 *
 * A 50 MB file uploaded by a GigChatClient to the local chat server over loopback (multipart,
 * streamed from disk, stored to disk by the server), against a plain HTTP POST of the same
 * file with the same libsoup to a plain sink that also writes it to disk (this program run with
 * --sink, in its own process like the chat server). Several rounds of each, alternated; the
 * medians' ratio is the figure (target <= 1.2x). Peak RSS is the process's high-water mark
 * while the chat uploads run, reset before them (/proc/self/clear_refs), next to the RSS
 * before: the file is streamed, never read whole into memory.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat/gig-chat-client.h"
#include "chat/gig-chat-upload.h"
#include "gig-bench-chat.h"

#define FILE_SIZE (50 * 1000 * 1000)
#define ROUNDS    5
#define CID       "messaging:bench-upload"

/* ---- the plain sink (--sink) ----------------------------------------------------------------- */

typedef struct {
  int   fd;
  char *path;
} Sink;

static void
sink_free (Sink *sink)
{
  if (sink->fd >= 0)
    close (sink->fd);
  g_unlink (sink->path);
  g_free (sink->path);
  g_free (sink);
}

static void
sink_chunk (SoupServerMessage *msg,
            GBytes            *chunk,
            gpointer           user_data)
{
  Sink *sink = user_data;
  gsize n = 0;
  const char *data = g_bytes_get_data (chunk, &n);

  while (n > 0)
    {
      gssize w = write (sink->fd, data, n);

      if (w <= 0)
        g_error ("sink: write failed");
      data += w;
      n -= (gsize) w;
    }
}

static void
sink_early (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Sink *sink = g_new0 (Sink, 1);

  sink->path = g_build_filename (user_data, "sink-XXXXXX", NULL);
  sink->fd = g_mkstemp (sink->path);
  g_assert_cmpint (sink->fd, >=, 0);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (sink_chunk), sink);
  g_object_set_data_full (G_OBJECT (msg), "sink", sink, (GDestroyNotify) sink_free);
}

static void
sink_done (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  soup_server_message_set_status (msg, 201, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static int
run_sink (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gigdesk-bench-sink-XXXXXX", &error);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GSList *uris;

  g_assert_no_error (error);
  soup_server_add_early_handler (server, NULL, sink_early, dir, NULL);
  soup_server_add_handler (server, NULL, sink_done, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  {
    g_autofree char *url = g_uri_to_string (uris->data);

    printf ("url=%s\n", url);
    fflush (stdout);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (loop);
  return 0;
}

/* ---- rounds ---------------------------------------------------------------------------------- */

static void
plain_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Asynchronous, as the app does every request (the blocking call skips the main loop). */
static double
plain_upload_ms (SoupSession *session,
                 const char  *url,
                 GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, &error);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  gint64 start = g_get_monotonic_time ();
  gboolean done = FALSE;

  g_assert_no_error (error);
  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (in), FILE_SIZE);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, plain_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  return (g_get_monotonic_time () - start) / 1000.0;
}

typedef struct {
  gboolean           done;
  GigChatAttachment *attachment;
} Upload;

static void
upload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Upload *up = user_data;
  g_autoptr(GError) error = NULL;

  up->attachment = gig_chat_client_upload_finish (GIG_CHAT_CLIENT (source), result, &error);
  g_assert_no_error (error);
  up->done = TRUE;
}

static double
chat_upload_ms (GigChatClient *client,
                GFile         *file)
{
  Upload up = { FALSE, NULL };
  gint64 start = g_get_monotonic_time ();
  double ms;

  gig_chat_client_upload_async (client, CID, file, NULL, NULL, NULL, NULL, upload_done, &up);
  while (!up.done)
    g_main_context_iteration (NULL, TRUE);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  g_assert_cmpint (up.attachment->file_size, ==, FILE_SIZE);
  gig_chat_attachment_free (up.attachment);
  return ms;
}

/* The server keeps every upload: drop them between rounds (untimed), and at the end. */
static void
empty_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      g_unlink (p);
    }
}

static double
status_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (at = strstr (status, field)) == NULL)
    return -1;
  return g_ascii_strtod (at + strlen (field), NULL) / 1024.0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *files_dir = NULL, *path = NULL, *tokens_url = NULL, *sink_url = NULL;
  g_autoptr(SoupServer) tokens = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GigChatClient) client = NULL;
  g_autoptr(GFile) file = NULL;
  double plain[ROUNDS], chat[ROUNDS], plain_median, chat_median, rss_before;
  GPid server_pid, sink_pid;

  if (argc > 1 && g_str_equal (argv[1], "--sink"))
    return run_sink ();

  dir = g_dir_make_tmp ("gigdesk-bench-upload-XXXXXX", &error);
  g_assert_no_error (error);
  files_dir = g_build_filename (dir, "server-files", NULL);
  {
    const char *extra[] = { "--files", files_dir, NULL };

    server_pid = gig_bench_start_chat_server (extra);
  }
  {
    const char *sink_argv[] = { argv[0], "--sink", NULL };

    sink_pid = gig_bench_spawn_for_url (sink_argv, NULL, &sink_url);
  }
  tokens = gig_bench_token_server_new (&tokens_url);
  session = soup_session_new ();
  gig_bench_server_call (session, "POST", "/users", "{\"users\":{\"alice\":{\"id\":\"alice\"}}}");
  gig_bench_server_call (session, "POST", "/channels/messaging/bench-upload/query",
                         "{\"data\":{\"created_by_id\":\"alice\",\"members\":[\"alice\"]}}");

  /* the file: incompressible bytes, written in 1 MB pieces */
  path = g_build_filename (dir, "deliverable.bin", NULL);
  {
    FILE *f = fopen (path, "wb");
    g_autofree guint32 *block = g_new (guint32, 250000);
    g_autoptr(GRand) rand = g_rand_new_with_seed (15);

    g_assert_nonnull (f);
    for (guint i = 0; i < FILE_SIZE / 1000000; i++)
      {
        for (guint j = 0; j < 250000; j++)
          block[j] = g_rand_int (rand);
        g_assert_cmpuint (fwrite (block, 1, 1000000, f), ==, 1000000);
      }
    fclose (f);
  }
  file = g_file_new_for_path (path);

  {
    g_autofree char *db = g_build_filename (dir, "alice.sqlite", NULL);

    store = gig_store_new_for_path (db, &error);
    g_assert_no_error (error);
  }
  client = gig_chat_client_new (tokens_url, store, "alice");
  gig_chat_client_set_pb_token (client, "alice");

  /* once each to warm caches, connections and the token; then alternated rounds */
  plain_upload_ms (session, sink_url, file);
  chat_upload_ms (client, file);
  empty_dir (files_dir);
  rss_before = status_mb ("VmRSS:");
  /* resets the high-water mark, so it shows the upload's peak only (Linux >= 4.0) */
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
  for (guint i = 0; i < ROUNDS; i++)
    {
      chat[i] = chat_upload_ms (client, file);
      empty_dir (files_dir);
      plain[i] = plain_upload_ms (session, sink_url, file);
    }

  gig_bench_print_spread ("upload 50 MB, chat client (multipart, streamed)", chat, ROUNDS, "ms", "none");
  gig_bench_print_spread ("upload 50 MB, plain HTTP POST of the same file", plain, ROUNDS, "ms", "none");
  chat_median = chat[ROUNDS / 2];
  plain_median = plain[ROUNDS / 2];
  g_print ("upload 50 MB throughput, chat client: %.0f MB/s (target none)\n", FILE_SIZE / 1e6 / (chat_median / 1000));
  g_print ("upload 50 MB throughput, plain HTTP: %.0f MB/s (target none)\n", FILE_SIZE / 1e6 / (plain_median / 1000));
  g_print ("upload 50 MB chat time / plain time (medians): %.2fx (target <= 1.2x)\n", chat_median / plain_median);
  g_print ("upload peak RSS while uploading 50 MB: %.1f MB (target well under the file's 50 MB; RSS before: %.1f MB)\n",
           status_mb ("VmHWM:"), rss_before);

  g_clear_object (&client);
  kill (server_pid, SIGTERM);
  kill (sink_pid, SIGTERM);
  g_spawn_close_pid (server_pid);
  g_spawn_close_pid (sink_pid);
  g_unlink (path);
  empty_dir (files_dir);
  g_rmdir (files_dir);
  {
    g_autofree char *db = g_build_filename (dir, "alice.sqlite", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  return 0;
}
