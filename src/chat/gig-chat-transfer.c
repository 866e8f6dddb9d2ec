/* gig-chat-transfer.c: watching an upload or a download
 *
 * SPDX-License-Identifier: MIT
 *
 * A watchdog gives up when nothing moved for GIG_CHAT_TRANSFER_STALL_S seconds (a large file on
 * a slow line may take long, but never stands still that long), and on the answer after the
 * client's usual deadline once the body is sent.
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>

#include "chat/gig-chat-transfer.h"

#define PROGRESS_EVERY_US (100 * 1000)
#define CLIENT_NAME       "stream-chat-gigdesk-v" PACKAGE_VERSION


static void
on_parent_cancelled (GCancellable *parent,
                     gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static gboolean
watchdog_tick (gpointer user_data)
{
  Transfer *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (t->answer_since_us == 0 && now - t->last_progress_us > GIG_CHAT_TRANSFER_STALL_S * G_USEC_PER_SEC)
    {
      t->stalled = TRUE;
      g_cancellable_cancel (t->op);
    }
  else if (t->answer_since_us != 0 && now - t->answer_since_us > (gint64) t->answer_deadline_s * G_USEC_PER_SEC)
    {
      t->too_slow = TRUE;
      g_cancellable_cancel (t->op);
    }
  return G_SOURCE_CONTINUE;
}

void
gig_chat_transfer_init (Transfer            *t,
               GCancellable        *parent,
               goffset              total,
               guint                answer_deadline_s,
               GigChatProgressFunc  progress,
               gpointer             progress_data)
{
  t->op = g_cancellable_new ();
  if (parent != NULL)
    {
      t->parent = g_object_ref (parent);
      t->parent_handler = g_cancellable_connect (parent, G_CALLBACK (on_parent_cancelled), t->op, NULL);
    }
  t->total = total;
  t->answer_deadline_s = answer_deadline_s;
  t->progress = progress;
  t->progress_data = progress_data;
  t->last_progress_us = g_get_monotonic_time ();
  t->watchdog = g_timeout_add_seconds (1, watchdog_tick, t);
}

void
gig_chat_transfer_clear (Transfer *t)
{
  g_clear_handle_id (&t->watchdog, g_source_remove);
  if (t->parent != NULL)
    g_cancellable_disconnect (t->parent, t->parent_handler);
  g_clear_object (&t->parent);
  g_clear_object (&t->op);
}

void
gig_chat_transfer_moved (Transfer *t,
                goffset   bytes)
{
  gint64 now = g_get_monotonic_time ();

  t->raw += bytes;
  t->done = MAX (t->raw - t->skip, 0);
  if (t->total >= 0)
    t->done = MIN (t->done, t->total);
  t->last_progress_us = now;
  if (t->progress != NULL && now - t->last_report_us >= PROGRESS_EVERY_US)
    {
      t->last_report_us = now;
      t->progress (t->done, t->total, t->progress_data);
    }
}

void
gig_chat_transfer_finished (Transfer *t)
{
  if (t->progress != NULL)
    t->progress (t->done, t->total, t->progress_data);
}

/* The error to report for a failed step: the watchdog's reasons become readable network errors. */
GError *
gig_chat_transfer_error (Transfer *t,
                GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && t->stalled)
    return g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                        ngettext ("The transfer stopped: nothing moved for %u second",
                                  "The transfer stopped: nothing moved for %u seconds",
                                  GIG_CHAT_TRANSFER_STALL_S),
                        GIG_CHAT_TRANSFER_STALL_S);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && t->too_slow)
    return g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                        ngettext ("The chat server took longer than %u second to answer",
                                  "The chat server took longer than %u seconds to answer",
                                  t->answer_deadline_s),
                        t->answer_deadline_s);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (error->domain == GIG_CHAT_ERROR || error->domain == GIG_CHAT_API_ERROR)
    return g_error_copy (error);
  return g_error_new (GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK, "%s", error->message);
}

gboolean
gig_chat_url_is_same_origin (const char *url,
                             const char *base_url)
{
  g_autoptr(GUri) a = NULL;
  g_autoptr(GUri) b = NULL;

  if (url == NULL || base_url == NULL)
    return FALSE;
  a = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  b = g_uri_parse (base_url, SOUP_HTTP_URI_FLAGS, NULL);
  return a != NULL && b != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_uri_get_host (a) != NULL && g_uri_get_host (b) != NULL &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* The chat token, the key and the client name, as on every REST call. */
void
gig_chat_transfer_add_credentials (SoupMessage        *msg,
                 GigChatCredentials *creds)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Authorization", creds->token);
  soup_message_headers_replace (headers, "stream-auth-type", "jwt");
  soup_message_headers_replace (headers, "X-Stream-Client", CLIENT_NAME);
}
