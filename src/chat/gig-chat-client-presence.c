/* gig-chat-client-presence.c: typing indicators and read state.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat/gig-chat-client-private.h"
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-http.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

#define TYPING_THROTTLE_US        (3 * G_USEC_PER_SEC)
#define TYPING_IDLE_MS            5000

static void
event_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _gig_chat_client_rest_finish (GIG_CHAT_CLIENT (source), result, &error);

  if (answer == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Chat event not sent: %s", error->message);
}

static void
send_channel_event (GigChatClient *self,
                    const char    *cid,
                    const char    *type)
{
  g_autofree char *path = _gig_chat_client_cid_path (cid);
  g_autofree char *event_path = NULL;
  JsonObject *body, *event;

  if (path == NULL || self->state != GIG_CHAT_STATE_ONLINE)
    return;
  event_path = g_strconcat (path, "/event", NULL);
  body = json_object_new ();
  event = json_object_new ();
  json_object_set_string_member (event, "type", type);
  json_object_set_object_member (body, "event", event);
  _gig_chat_client_rest_async (self, "POST", event_path, body, self->cancellable, event_sent, NULL);
}

typedef struct {
  GigChatClient *self;
  char          *cid;
} TypingTimer;

static void
typing_timer_free (gpointer data)
{
  TypingTimer *timer = data;

  g_free (timer->cid);
  g_free (timer);
}

static gboolean
typing_idle_cb (gpointer user_data)
{
  TypingTimer *timer = user_data;
  GigChatClient *self = timer->self;
  g_autofree char *cid = g_strdup (timer->cid);

  /* The source (and @timer with it) goes away when we return. */
  g_hash_table_remove (self->typing_timers, cid);
  gig_chat_client_stop_typing (self, cid);
  return G_SOURCE_REMOVE;
}

void
gig_chat_client_keystroke (GigChatClient *self,
                           const char    *cid)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last;
  TypingTimer *timer;
  guint source;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (cid != NULL);

  last = g_hash_table_lookup (self->typing_started, cid);
  if (last == NULL || now - *last >= TYPING_THROTTLE_US)
    {
      gint64 *stamp = g_new (gint64, 1);
      *stamp = now;
      g_hash_table_insert (self->typing_started, g_strdup (cid), stamp);
      send_channel_event (self, cid, "typing.start");
    }

  source = GPOINTER_TO_UINT (g_hash_table_lookup (self->typing_timers, cid));
  if (source != 0)
    g_source_remove (source);
  timer = g_new0 (TypingTimer, 1);
  timer->self = self;
  timer->cid = g_strdup (cid);
  source = g_timeout_add_full (G_PRIORITY_DEFAULT, TYPING_IDLE_MS, typing_idle_cb, timer, typing_timer_free);
  g_hash_table_insert (self->typing_timers, g_strdup (cid), GUINT_TO_POINTER (source));
}

void
gig_chat_client_stop_typing (GigChatClient *self,
                             const char    *cid)
{
  guint source;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  source = GPOINTER_TO_UINT (g_hash_table_lookup (self->typing_timers, cid));
  if (source != 0)
    {
      g_hash_table_remove (self->typing_timers, cid);
      g_source_remove (source);
    }
  if (g_hash_table_remove (self->typing_started, cid))
    send_channel_event (self, cid, "typing.stop");
}

static void
mark_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _gig_chat_client_rest_finish (GIG_CHAT_CLIENT (source), result, &error);

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
gig_chat_client_mark_read_async (GigChatClient       *self,
                                 const char          *cid,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL, *read_path = NULL, *newest = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_mark_read_async);
  path = _gig_chat_client_cid_path (cid);
  if (path == NULL || self->user_id == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Cannot mark “%s” read"), cid);
      return;
    }
  newest = gig_store_chat_newest_id (self->store, cid);
  if (!gig_store_chat_set_read (self->store, cid, self->user_id, NULL, newest, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->state != GIG_CHAT_STATE_ONLINE)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED,
                               _("Marked read here; the others see it once connected"));
      return;
    }
  read_path = g_strconcat (path, "/read", NULL);
  body = json_object_new ();
  if (newest != NULL)
    json_object_set_string_member (body, "message_id", newest);
  _gig_chat_client_rest_async (self, "POST", read_path, body, cancellable, mark_read_done, g_steal_pointer (&task));
}

gboolean
gig_chat_client_mark_read_finish (GigChatClient  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
