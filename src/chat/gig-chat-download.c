/* gig-chat-download.c: chat files downloaded to disk as a stream
 *
 * SPDX-License-Identifier: MIT
 *
 * Written through a replace stream, so a failed download leaves an existing file alone; bounded
 * to GIG_CHAT_MAX_UPLOAD_SIZE; the chat token only for the chat service's own address.
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "chat/gig-chat-credentials.h"
#include "chat/gig-chat-transfer.h"
#include "chat/gig-chat-upload.h"

#define DOWNLOAD_CHUNK (64 * 1024)

typedef struct {
  Transfer           transfer;
  char              *url;
  GFile             *destination;
  GigChatCredentials *creds;
  gboolean           refreshed;
  SoupMessage       *msg;
  GInputStream      *in;
  GFileOutputStream *out;
} Download;

static void
download_free (Download *dl)
{
  gig_chat_transfer_clear (&dl->transfer);
  g_free (dl->url);
  g_clear_object (&dl->destination);
  g_clear_pointer (&dl->creds, gig_chat_credentials_free);
  g_clear_object (&dl->msg);
  g_clear_object (&dl->in);
  g_clear_object (&dl->out);
  g_free (dl);
}

static void download_start (GTask *task);
static void download_read (GTask *task);

/* On any failure: the partial file goes (closing a replace stream cancelled keeps the old file). */
static void
download_fail (GTask  *task,
               GError *error)
{
  Download *dl = g_task_get_task_data (task);

  if (dl->out != NULL)
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (dl->out), abandon, NULL);
      g_clear_object (&dl->out);
    }
  g_task_return_error (task, gig_chat_transfer_error (&dl->transfer, error));
}

static void
download_closed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *dl = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      g_clear_object (&dl->out);
      g_task_return_new_error (task, G_IO_ERROR, error->code, _("Could not save the file: %s"), error->message);
      return;
    }
  g_clear_object (&dl->out);
  gig_chat_transfer_finished (&dl->transfer);
  g_task_return_boolean (task, TRUE);
}

static void
download_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_autoptr(GError) readable = g_error_new (G_IO_ERROR, error->code, _("Could not save the file: %s"),
                                                error->message);

      download_fail (task, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? error : readable);
      return;
    }
  download_read (g_steal_pointer (&task));
}

static void
download_chunk (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *dl = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize size;

  if (chunk == NULL)
    {
      download_fail (task, error);
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      if (dl->transfer.total >= 0 && dl->transfer.done != dl->transfer.total)
        {
          g_autoptr(GError) cut = g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                                               _("The download ended early"));

          download_fail (task, cut);
          return;
        }
      g_output_stream_close_async (G_OUTPUT_STREAM (dl->out), G_PRIORITY_DEFAULT, dl->transfer.op,
                                   download_closed, g_steal_pointer (&task));
      return;
    }
  if (dl->transfer.done + (goffset) size > GIG_CHAT_MAX_UPLOAD_SIZE)
    {
      g_autofree char *limit = g_format_size (GIG_CHAT_MAX_UPLOAD_SIZE);
      g_autoptr(GError) big = g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                           _("The file is larger than a chat file can be (%s)"), limit);

      download_fail (task, big);
      return;
    }
  gig_chat_transfer_moved (&dl->transfer, (goffset) size);
  g_output_stream_write_all_async (G_OUTPUT_STREAM (dl->out), g_bytes_get_data (chunk, NULL), size,
                                   G_PRIORITY_DEFAULT, dl->transfer.op, download_written, g_steal_pointer (&task));
  /* the chunk must outlive the write */
  g_object_set_data_full (G_OBJECT (dl->out), "gig-chunk", g_steal_pointer (&chunk), (GDestroyNotify) g_bytes_unref);
}

static void
download_read (GTask *task)
{
  Download *dl = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (dl->in, DOWNLOAD_CHUNK, G_PRIORITY_DEFAULT, dl->transfer.op,
                                   download_chunk, task);
}

static void
download_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *dl = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  dl->out = g_file_replace_finish (G_FILE (source), result, &error);
  if (dl->out == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, error->code, _("Could not save the file: %s"), error->message);
      return;
    }
  download_read (g_steal_pointer (&task));
}

static void download_credentials_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
download_answered (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *dl = g_task_get_task_data (task);
  GigChatClient *client = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  guint status;
  goffset announced;

  dl->in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (dl->in == NULL)
    {
      download_fail (task, error);
      return;
    }
  dl->transfer.last_progress_us = g_get_monotonic_time ();
  status = soup_message_get_status (dl->msg);
  if (status == 401 && !dl->refreshed && dl->creds != NULL)
    {
      dl->refreshed = TRUE;
      g_clear_object (&dl->in);
      gig_chat_client_credentials_async (client, TRUE, dl->transfer.op, download_credentials_done,
                                         g_steal_pointer (&task));
      return;
    }
  if (status != 200)
    {
      g_autoptr(GError) refused = NULL;

      if (status == 401 || status == 403 || status == 404 || status == 410)
        refused = g_error_new (GIG_CHAT_API_ERROR, status == 404 || status == 410 ? 16 : 17,
                               _("The chat server does not give out this file (HTTP %u)"), status);
      else
        refused = g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("The chat server could not send the file (HTTP %u)"), status);
      download_fail (task, refused);
      return;
    }
  announced = soup_message_headers_get_content_length (soup_message_get_response_headers (dl->msg));
  if (announced > GIG_CHAT_MAX_UPLOAD_SIZE)
    {
      g_autofree char *limit = g_format_size (GIG_CHAT_MAX_UPLOAD_SIZE);
      g_autoptr(GError) big = g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                           _("The file is larger than a chat file can be (%s)"), limit);

      download_fail (task, big);
      return;
    }
  if (soup_message_headers_get_encoding (soup_message_get_response_headers (dl->msg)) == SOUP_ENCODING_CONTENT_LENGTH)
    dl->transfer.total = announced;
  g_file_replace_async (dl->destination, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                        dl->transfer.op, download_opened, g_steal_pointer (&task));
}

static void
download_start (GTask *task)
{
  Download *dl = g_task_get_task_data (task);
  GigChatClient *client = g_task_get_source_object (task);
  g_autofree char *url = NULL;

  /* the token and key only for the chat service's own address */
  if (dl->creds != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (dl->url, SOUP_HTTP_URI_FLAGS, NULL);
      g_autofree char *key = g_uri_escape_string (dl->creds->api_key, NULL, FALSE);
      const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;

      url = g_strdup_printf ("%s%sapi_key=%s", dl->url, query != NULL ? "&" : "?", key);
    }
  g_clear_object (&dl->msg);
  dl->msg = soup_message_new ("GET", url != NULL ? url : dl->url);
  if (dl->msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad file address “%s”"), dl->url);
      g_object_unref (task);
      return;
    }
  if (dl->creds != NULL)
    gig_chat_transfer_add_credentials (dl->msg, dl->creds);
  dl->transfer.last_progress_us = g_get_monotonic_time ();
  soup_session_send_async (gig_chat_client_get_session (client), dl->msg, G_PRIORITY_DEFAULT, dl->transfer.op,
                           download_answered, task);
}

static void
download_credentials_done (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *dl = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&dl->creds, gig_chat_credentials_free);
  dl->creds = gig_chat_client_credentials_finish (GIG_CHAT_CLIENT (source), result, &error);
  if (dl->creds == NULL)
    {
      download_fail (task, error);
      return;
    }
  if (!gig_chat_url_is_same_origin (dl->url, dl->creds->base_url))
    g_clear_pointer (&dl->creds, gig_chat_credentials_free);
  download_start (g_steal_pointer (&task));
}

void
gig_chat_client_download_async (GigChatClient       *self,
                                const char          *url,
                                GFile               *destination,
                                GigChatProgressFunc  progress,
                                gpointer             progress_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  Download *dl;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (G_IS_FILE (destination));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_download_async);
  uri = url != NULL && strlen (url) <= GIG_CHAT_MAX_ATTACHMENT_URL ? g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad file address “%s”"),
                               url != NULL ? url : "");
      return;
    }
  dl = g_new0 (Download, 1);
  dl->url = g_strdup (url);
  dl->destination = g_object_ref (destination);
  g_task_set_task_data (task, dl, (GDestroyNotify) download_free);
  gig_chat_transfer_init (&dl->transfer, cancellable, -1, 30, progress, progress_data);
  gig_chat_client_credentials_async (self, FALSE, dl->transfer.op, download_credentials_done, g_steal_pointer (&task));
}

gboolean
gig_chat_client_download_finish (GigChatClient  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
