/* gcs-main.c: gigdesk-chat-server, a local server speaking GetStream Chat's protocol
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcs-server.h"
#include "gcs-state.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *data = NULL;
  int port = 0;
  int health_interval = 30;
  gint64 max_body = 1024 * 1024;
  g_autofree char *files = NULL;
  gint64 max_upload = GCS_MAX_UPLOAD_SIZE;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address to listen on (default 127.0.0.1)", "ADDRESS" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port, 0 for any free port (default 0)", "PORT" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "SQLite data file, or :memory: (default)", "FILE" },
    { "health-interval", 0, 0, G_OPTION_ARG_INT, &health_interval,
      "Seconds between server health checks on each socket (default 30)", "SECONDS" },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &max_body, "Largest accepted request body (default 1 MiB)", "BYTES" },
    { "files", 0, 0, G_OPTION_ARG_FILENAME, &files,
      "Directory of uploaded files (default: beside --data FILE, or a temporary one for :memory:)", "DIR" },
    { "max-upload", 0, 0, G_OPTION_ARG_INT64, &max_upload,
      "Largest accepted file or image upload (default 100 MB, the service's)", "BYTES" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- local GetStream Chat protocol server");
  g_autoptr(GError) error = NULL;
  g_autoptr(GcsState) state = NULL;
  g_autoptr(GcsServer) server = NULL;
  g_autoptr(GcsUploads) uploads = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  const char *api_key = g_getenv ("STREAM_API_KEY");
  const char *api_secret = g_getenv ("STREAM_API_SECRET");
  guint bound_port = 0;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The API key and secret are read from the environment variables STREAM_API_KEY and\n"
    "STREAM_API_SECRET, never from the command line.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gigdesk-chat-server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (listen == NULL)
    listen = g_strdup ("127.0.0.1");
  if (data == NULL)
    data = g_strdup (":memory:");
  if (api_key == NULL || *api_key == '\0' || api_secret == NULL || *api_secret == '\0')
    {
      g_printerr ("gigdesk-chat-server: STREAM_API_KEY and STREAM_API_SECRET must be set in the environment\n");
      return EXIT_FAILURE;
    }
  if (port < 0 || port > 65535 || health_interval < 1 || max_body < 1 ||
      max_upload < 1 || max_upload > GCS_MAX_UPLOAD_SIZE)
    {
      g_printerr ("gigdesk-chat-server: --port must be 0-65535, --health-interval and --max-body positive,"
                  " --max-upload 1-%d\n", GCS_MAX_UPLOAD_SIZE);
      return EXIT_FAILURE;
    }

  state = gcs_state_open (data, &error);
  if (state == NULL)
    {
      g_printerr ("gigdesk-chat-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (files == NULL && !g_str_equal (data, ":memory:"))
    files = g_strconcat (data, ".files", NULL);
  uploads = gcs_uploads_new (files, api_secret, (gsize) max_upload, &error);
  if (uploads == NULL)
    {
      g_printerr ("gigdesk-chat-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  server = gcs_server_new (api_key, api_secret, state, (guint) health_interval, (gsize) max_body);
  gcs_server_set_uploads (server, uploads);
  if (!gcs_server_listen (server, listen, (guint) port, &bound_port, &error))
    {
      g_printerr ("gigdesk-chat-server: cannot listen on %s:%d: %s\n", listen, port, error->message);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);

  if (strchr (listen, ':') != NULL)
    printf ("url=http://[%s]:%u\n", listen, bound_port);
  else
    printf ("url=http://%s:%u\n", listen, bound_port);
  fflush (stdout);
  g_message ("Listening on %s port %u, data %s", listen, bound_port, data);

  g_main_loop_run (loop);

  gcs_server_close (server);
  g_clear_object (&server);
  g_clear_pointer (&uploads, gcs_uploads_free);
  g_clear_pointer (&state, gcs_state_free);
  g_message ("Stopped");
  return EXIT_SUCCESS;
}
