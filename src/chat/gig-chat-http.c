/* gig-chat-http.c: one HTTP exchange of the chat client, under a deadline and a size cap.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "chat/gig-chat-http.h"
#include "chat/gig-chat-client.h"
#include "core/gig-io.h"

#include <glib/gi18n.h>

typedef struct
{
  SoupMessage *message;
  GigDeadline *deadline;
  guint        deadline_s;
  gsize        max_size;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  g_clear_object (&exchange->message);
  g_clear_pointer (&exchange->deadline, gig_deadline_free);
  g_free (exchange);
}

static void
return_error (GTask *task, GError *error)
{
  Exchange *exchange = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && gig_deadline_expired (exchange->deadline))
    g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                             ngettext ("The chat server took longer than %u second to answer",
                                       "The chat server took longer than %u seconds to answer",
                                       exchange->deadline_s),
                             exchange->deadline_s);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    {
      g_autofree char *size = g_format_size (exchange->max_size);

      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                               _("The chat server’s answer is larger than %s"), size);
    }
  else
    g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK, "%s", error->message);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = gig_read_bounded_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  goffset announced;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      return_error (task, error);
      return;
    }
  /* An answer that says up front it is too large is refused before a byte of it is read. */
  announced = soup_message_headers_get_content_length (soup_message_get_response_headers (exchange->message));
  if (announced > 0 && (guint64) announced > exchange->max_size)
    {
      g_autoptr(GError) too_large = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "");

      return_error (task, too_large);
      return;
    }
  gig_read_bounded_async (stream, exchange->max_size, gig_deadline_get_cancellable (exchange->deadline),
                          read_cb, g_steal_pointer (&task));
}

void
gig_chat_http_send_async (SoupSession         *session,
                          SoupMessage         *message,
                          gsize                max_size,
                          guint                deadline_s,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  Exchange *exchange;

  g_return_if_fail (SOUP_IS_SESSION (session) && SOUP_IS_MESSAGE (message));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_http_send_async);
  exchange = g_new0 (Exchange, 1);
  exchange->message = g_object_ref (message);
  exchange->deadline = gig_deadline_new (deadline_s * 1000, cancellable);
  exchange->deadline_s = deadline_s;
  exchange->max_size = max_size;
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT,
                           gig_deadline_get_cancellable (exchange->deadline), send_cb, task);
}

GBytes *
gig_chat_http_send_finish (SoupSession *session, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
