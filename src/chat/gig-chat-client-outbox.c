/* gig-chat-client-outbox.c: sending through the store's chat outbox (one message at a time,
 * in the order written, client-made ids), retrying, discarding, editing and deleting.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat/gig-chat-client-private.h"
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-attachment.h"
#include "chat/gig-chat-outbox-files.h"
#include "chat/gig-chat-http.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

static gboolean
pump_retry_cb (gpointer user_data)
{
  GigChatClient *self = user_data;

  self->pump_retry_source = 0;
  _gig_chat_client_pump_outbox (self);
  return G_SOURCE_REMOVE;
}

/* A message that could not go out yet (or ever): back to the queue with backoff, or failed for
 * good. FALSE when the pump must wait (cancelled, or a retry is scheduled). */
static gboolean
entry_not_sent (GigChatClient      *self,
                GigChatOutboxEntry *entry,
                const GError       *error)
{
  g_autoptr(GError) store_error = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gig_store_chat_outbox_release (self->store, entry->seq, NULL, NULL);
      return FALSE;
    }
  if (gig_chat_error_is_transient (error))
    {
      g_debug ("Chat message %s not sent yet: %s", entry->message_id, error->message);
      gig_store_chat_outbox_release (self->store, entry->seq, error->message, NULL);
      _gig_chat_client_clear_source (&self->pump_retry_source);
      self->pump_retry_source = g_timeout_add (gig_backoff_delay_ms (&self->backoff, entry->attempts),
                                               pump_retry_cb, self);
      return FALSE;
    }
  g_message ("Chat message %s refused: %s", entry->message_id, error->message);
  if (!gig_store_chat_outbox_fail (self->store, entry->seq, error->message, &store_error))
    g_warning ("Could not record a failed chat message: %s", store_error->message);
  _gig_chat_client_emit_message_failed (self, entry->cid, entry->message_id, error->message);
  return TRUE;
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  GigChatOutboxEntry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _gig_chat_client_rest_finish (self, result, &error);
  g_autoptr(GError) store_error = NULL;
  gboolean go_on = TRUE;

  self->pumping = FALSE;
  if (answer != NULL)
    {
      JsonObject *message = gig_json_object_get_object (answer, "message");
      if (!gig_store_chat_outbox_done (self->store, entry->seq, message, &store_error))
        g_warning ("Could not record a delivered chat message: %s", store_error->message);
    }
  else if (g_error_matches (error, GIG_CHAT_API_ERROR, 4) && strstr (error->message, "already exists") != NULL)
    {
      /* Our earlier attempt reached the service but its answer was lost: delivered. */
      g_debug ("Chat message %s was already delivered", entry->message_id);
      gig_store_chat_outbox_done (self->store, entry->seq, NULL, NULL);
    }
  else
    go_on = entry_not_sent (self, entry, error);
  gig_chat_outbox_entry_free (entry);
  if (go_on)
    _gig_chat_client_pump_outbox (self);
}

static void
send_entry (GigChatClient      *self,
            GigChatOutboxEntry *entry,
            const char         *channel_path)
{
  g_autofree char *send_path = g_strconcat (channel_path, "/message", NULL);
  JsonObject *body = json_object_new ();

  self->pumping = TRUE;
  json_object_set_object_member (body, "message", json_object_ref (entry->message));
  _gig_chat_client_rest_async (self, "POST", send_path, body, self->cancellable, send_done, entry);
}

/* Files attached offline are uploaded first (gig-chat-outbox-files.c); then the message goes. */
static void
files_uploaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  GigChatOutboxEntry *entry = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = _gig_chat_client_cid_path (entry->cid);

  self->pumping = FALSE;
  if (!gig_chat_outbox_files_upload_finish (self, result, &error))
    {
      gboolean go_on = entry_not_sent (self, entry, error);

      gig_chat_outbox_entry_free (entry);
      if (go_on)
        _gig_chat_client_pump_outbox (self);
      return;
    }
  send_entry (self, entry, path);
}

/* One message at a time, oldest first, so the order the user sent is the order delivered. */
void
_gig_chat_client_pump_outbox (GigChatClient *self)
{
  GigChatOutboxEntry *entry;
  g_autofree char *path = NULL;

  if (self->pumping || self->state != GIG_CHAT_STATE_ONLINE || self->pump_retry_source != 0)
    return;
  entry = gig_store_chat_outbox_next (self->store);
  if (entry == NULL)
    return;
  path = _gig_chat_client_cid_path (entry->cid);
  if (path == NULL)
    {
      gig_store_chat_outbox_fail (self->store, entry->seq, _("Not a channel id"), NULL);
      gig_chat_outbox_entry_free (entry);
      _gig_chat_client_pump_outbox (self);
      return;
    }
  if (gig_chat_outbox_files_pending (entry->message))
    {
      self->pumping = TRUE;
      gig_chat_outbox_files_upload_async (self, entry, self->cancellable, files_uploaded, entry);
      return;
    }
  send_entry (self, entry, path);
}

char *
gig_chat_client_send_message (GigChatClient  *self,
                              const char     *cid,
                              const char     *text,
                              GError        **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  return gig_chat_client_send_message_with_attachments (self, cid, text, NULL, error);
}

char *
gig_chat_client_send_message_with_attachments (GigChatClient  *self,
                                               const char     *cid,
                                               const char     *text,
                                               GPtrArray      *attachments,
                                               GError        **error)
{
  g_autoptr(JsonObject) message = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  GError *store_error = NULL;

  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  g_return_val_if_fail (text != NULL || (attachments != NULL && attachments->len > 0), NULL);
  g_return_val_if_fail (attachments == NULL || attachments->len <= GIG_CHAT_MAX_ATTACHMENTS, NULL);

  path = _gig_chat_client_cid_path (cid);
  if (path == NULL)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return NULL;
    }
  if (self->user_id == NULL)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED, _("Chat has not been set up yet"));
      return NULL;
    }
  if (gig_store_chat_channel_is_frozen (self->store, cid))
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID,
                   _("This conversation is closed: its project was deleted"));
      return NULL;
    }
  /* The id is ours so that a resend after a lost answer cannot make a copy. */
  id = g_uuid_string_random ();
  message = json_object_new ();
  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "text", text != NULL ? text : "");
  if (attachments != NULL && attachments->len > 0)
    {
      JsonArray *list = json_array_new ();

      for (guint i = 0; i < attachments->len; i++)
        json_array_add_object_element (list, gig_chat_attachment_to_json (g_ptr_array_index (attachments, i)));
      json_object_set_array_member (message, "attachments", list);
    }
  if (!gig_store_chat_queue_message (self->store, cid, self->user_id, message, &store_error))
    {
      g_propagate_error (error, store_error);
      return NULL;
    }
  _gig_chat_client_pump_outbox (self);
  return g_steal_pointer (&id);
}

gboolean
gig_chat_client_retry_message (GigChatClient  *self,
                               const char     *message_id,
                               GError        **error)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), FALSE);

  if (!gig_store_chat_outbox_retry (self->store, message_id, error))
    return FALSE;
  _gig_chat_client_pump_outbox (self);
  return TRUE;
}

gboolean
gig_chat_client_discard_message (GigChatClient  *self,
                                 const char     *message_id,
                                 GError        **error)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), FALSE);
  if (!gig_store_chat_outbox_discard (self->store, message_id, error))
    return FALSE;
  gig_chat_outbox_files_sweep (self); /* its waiting files, if it had any */
  return TRUE;
}

/* ---------------------------------------------------------------------------------------------- */
/* Edit, delete                                                                                    */

static gboolean
check_own_message (GigChatClient  *self,
                   const char     *message_id,
                   GError        **error)
{
  g_autoptr(GigChatMessage) message = gig_store_chat_get_message (self->store, message_id);

  if (message == NULL || message->state != GIG_CHAT_MESSAGE_SENT)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("No delivered message %s"), message_id);
      return FALSE;
    }
  if (g_strcmp0 (message->user_id, self->user_id) != 0)
    {
      g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Only your own messages can be changed"));
      return FALSE;
    }
  return TRUE;
}

static void
message_change_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _gig_chat_client_rest_finish (self, result, &error);
  JsonObject *message;

  if (answer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message = gig_json_object_get_object (answer, "message");
  if (message == NULL || gig_json_object_get_string (message, "id") == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED, _("The answer carries no message"));
      return;
    }
  {
    g_autoptr(GigChatMessage) cached = gig_store_chat_get_message (self->store, gig_json_object_get_string (message, "id"));
    g_autoptr(GPtrArray) arr = _gig_chat_client_message_array (message);
    const char *cid = gig_json_object_get_string (message, "cid");

    if (cid == NULL && cached != NULL)
      cid = cached->cid;
    if (cid != NULL && !gig_store_chat_put_messages (self->store, cid, arr, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }
  g_task_return_pointer (task, json_object_ref (message), (GDestroyNotify) json_object_unref);
}

void
gig_chat_client_update_message_async (GigChatClient       *self,
                                      const char          *message_id,
                                      const char          *text,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_e = NULL, *path = NULL;
  JsonObject *body, *message;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (message_id != NULL && text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_update_message_async);
  if (!check_own_message (self, message_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id_e = g_uri_escape_string (message_id, NULL, FALSE);
  path = g_strconcat ("/messages/", id_e, NULL);
  body = json_object_new ();
  message = json_object_new ();
  json_object_set_string_member (message, "id", message_id);
  json_object_set_string_member (message, "text", text);
  json_object_set_object_member (body, "message", message);
  _gig_chat_client_rest_async (self, "POST", path, body, cancellable, message_change_done, g_steal_pointer (&task));
}

JsonObject *
gig_chat_client_update_message_finish (GigChatClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_chat_client_delete_message_async (GigChatClient       *self,
                                      const char          *message_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_e = NULL, *path = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (message_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_delete_message_async);
  if (!check_own_message (self, message_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  id_e = g_uri_escape_string (message_id, NULL, FALSE);
  path = g_strconcat ("/messages/", id_e, NULL);
  _gig_chat_client_rest_async (self, "DELETE", path, NULL, cancellable, message_change_done, g_steal_pointer (&task));
}

gboolean
gig_chat_client_delete_message_finish (GigChatClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_autoptr(JsonObject) message = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  message = g_task_propagate_pointer (G_TASK (result), error);
  return message != NULL;
}
