/* gig-chat-client-events.c: events from the socket into the store, watched channels, recovery
 * after a reconnect, older history.
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

#define DEFAULT_WATCH_LIMIT       50

GPtrArray *
_gig_chat_client_message_array (JsonObject *message)
{
  GPtrArray *arr = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_ptr_array_add (arr, json_object_ref (message));
  return arr;
}

static gboolean
validate_event (JsonObject *event,
                const char *type)
{
  JsonNode *cid = json_object_get_member (event, "cid");

  if (cid != NULL && !JSON_NODE_HOLDS_NULL (cid) &&
      (!JSON_NODE_HOLDS_VALUE (cid) || json_node_get_value_type (cid) != G_TYPE_STRING))
    return FALSE;
  if (g_str_has_prefix (type, "message.") || g_str_equal (type, "notification.message_new"))
    {
      if (g_str_equal (type, "message.read"))
        return gig_json_object_get_object (event, "user") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id") != NULL;
      return gig_json_object_get_object (event, "message") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "message"), "id") != NULL &&
             gig_json_object_get_string (event, "cid") != NULL;
    }
  if (g_str_has_prefix (type, "typing."))
    return gig_json_object_get_object (event, "user") != NULL && gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id") != NULL &&
           gig_json_object_get_string (event, "cid") != NULL;
  return TRUE;
}

void
_gig_chat_client_apply_event (GigChatClient *self,
                              JsonObject    *event,
                              gboolean       replayed)
{
  const char *type = gig_json_object_get_string (event, "type");
  const char *cid;
  g_autoptr(GError) error = NULL;

  if (type == NULL)
    {
      g_warning ("Ignoring a malformed chat event without a type");
      return;
    }
  if (g_str_equal (type, "health.check"))
    return;
  if (!validate_event (event, type))
    {
      g_warning ("Ignoring a malformed chat event of type %s", type);
      return;
    }
  cid = gig_json_object_get_string (event, "cid");
  _gig_chat_client_note_event_time (self, gig_json_object_get_string (event, "created_at"));

  if (g_str_equal (type, "message.new") || g_str_equal (type, "message.updated") ||
      g_str_equal (type, "message.undeleted") || g_str_equal (type, "notification.message_new"))
    {
      g_autoptr(GPtrArray) arr = _gig_chat_client_message_array (gig_json_object_get_object (event, "message"));
      if (!gig_store_chat_put_messages (self->store, cid, arr, &error))
        g_warning ("Could not cache a chat message: %s", error->message);
    }
  else if (g_str_equal (type, "message.deleted"))
    {
      JsonObject *message = gig_json_object_get_object (event, "message");
      JsonNode *hard = json_object_get_member (event, "hard_delete");
      gboolean is_hard = hard != NULL && JSON_NODE_HOLDS_VALUE (hard) &&
                         json_node_get_value_type (hard) == G_TYPE_BOOLEAN && json_node_get_boolean (hard);

      if (is_hard)
        gig_store_chat_delete_message (self->store, gig_json_object_get_string (message, "id"),
                                       gig_json_object_get_string (message, "deleted_at"), TRUE, &error);
      else
        {
          g_autoptr(GPtrArray) arr = _gig_chat_client_message_array (message);
          if (gig_json_object_get_string (message, "deleted_at") == NULL)
            json_object_set_string_member (message, "deleted_at",
                                           gig_json_object_get_string (event, "created_at") ? gig_json_object_get_string (event, "created_at") : "");
          gig_store_chat_put_messages (self->store, cid, arr, &error);
        }
      if (error != NULL)
        g_warning ("Could not apply a deleted chat message: %s", error->message);
    }
  else if (g_str_equal (type, "message.read") && cid != NULL)
    {
      const char *user = gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id");
      if (!gig_store_chat_set_read (self->store, cid, user, gig_json_object_get_string (event, "created_at"),
                                    gig_json_object_get_string (event, "last_read_message_id"), &error))
        g_warning ("Could not store chat read state: %s", error->message);
    }
  else if (g_str_equal (type, "notification.mark_read") && cid != NULL && self->user_id != NULL)
    {
      gig_store_chat_set_read (self->store, cid, self->user_id, gig_json_object_get_string (event, "created_at"),
                               gig_json_object_get_string (event, "last_read_message_id"), NULL);
    }
  else if ((g_str_equal (type, "typing.start") || g_str_equal (type, "typing.stop")) && !replayed)
    {
      const char *user = gig_json_object_get_string (gig_json_object_get_object (event, "user"), "id");
      if (g_strcmp0 (user, self->user_id) != 0)
        _gig_chat_client_emit_typing (self, cid, user, g_str_equal (type, "typing.start"));
    }
  else if ((g_str_equal (type, "channel.updated") || g_str_equal (type, "channel.created") ||
            g_str_equal (type, "channel.visible")) && cid != NULL && gig_json_object_get_object (event, "channel") != NULL)
    {
      gig_store_chat_put_channel (self->store, cid, gig_json_object_get_object (event, "channel"), NULL);
    }
  else if (g_str_equal (type, "channel.deleted") && cid != NULL)
    {
      gig_store_chat_set_frozen (self->store, cid, TRUE, NULL);
    }

  _gig_chat_client_emit_event (self, type, cid, event);
}

/* Stores what a channel query answered: channel, messages, read states. */
static void
apply_channel_state (GigChatClient *self,
                     const char    *cid,
                     JsonObject    *state)
{
  JsonObject *channel = gig_json_object_get_object (state, "channel");
  JsonArray *messages = gig_json_object_get_array (state, "messages");
  JsonArray *reads = gig_json_object_get_array (state, "read");
  g_autoptr(GError) error = NULL;
  guint i;

  if (channel != NULL)
    gig_store_chat_put_channel (self->store, cid, channel, NULL);
  if (messages != NULL)
    {
      g_autoptr(GPtrArray) arr = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      for (i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *node = json_array_get_element (messages, i);
          if (JSON_NODE_HOLDS_OBJECT (node) && gig_json_object_get_string (json_node_get_object (node), "id") != NULL)
            g_ptr_array_add (arr, json_object_ref (json_node_get_object (node)));
        }
      if (!gig_store_chat_put_messages (self->store, cid, arr, &error))
        g_warning ("Could not cache chat messages: %s", error->message);
    }
  for (i = 0; reads != NULL && i < json_array_get_length (reads); i++)
    {
      JsonNode *node = json_array_get_element (reads, i);
      JsonObject *read = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *user = gig_json_object_get_string (gig_json_object_get_object (read, "user"), "id");

      if (user != NULL && gig_json_object_get_string (read, "last_read") != NULL)
        gig_store_chat_set_read (self->store, cid, user, gig_json_object_get_string (read, "last_read"),
                                 gig_json_object_get_string (read, "last_read_message_id"), NULL);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Watching and recovery                                                                           */

static JsonObject *
channel_query_body (gboolean    watch,
                    guint       limit,
                    const char *before_id)
{
  JsonObject *body = json_object_new ();
  JsonObject *messages = json_object_new ();

  json_object_set_boolean_member (body, "state", TRUE);
  json_object_set_boolean_member (body, "watch", watch);
  json_object_set_boolean_member (body, "presence", FALSE);
  json_object_set_int_member (messages, "limit", limit);
  if (before_id != NULL)
    json_object_set_string_member (messages, "id_lt", before_id);
  json_object_set_object_member (body, "messages", messages);
  return body;
}

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  const char *cid = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = _gig_chat_client_rest_finish (self, result, &error);

  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  apply_channel_state (self, cid, state);
  g_task_return_pointer (task, json_object_ref (gig_json_object_get_object (state, "channel") ? gig_json_object_get_object (state, "channel") : state),
                         (GDestroyNotify) json_object_unref);
}

void
gig_chat_client_watch_channel_async (GigChatClient       *self,
                                     const char          *cid,
                                     guint                limit,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (cid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_watch_channel_async);
  g_task_set_task_data (task, g_strdup (cid), g_free);
  path = _gig_chat_client_cid_path (cid);
  if (path == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return;
    }
  if (limit == 0)
    limit = DEFAULT_WATCH_LIMIT;
  g_hash_table_insert (self->watched, g_strdup (cid), GUINT_TO_POINTER (limit));
  if (self->state != GIG_CHAT_STATE_ONLINE)
    {
      /* Watched as soon as the connection is up; the cache serves the view meanwhile. */
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED,
                               _("Not connected to chat; the channel is watched once connected"));
      return;
    }
  query = g_strconcat (path, "/query", NULL);
  _gig_chat_client_rest_async (self, "POST", query, channel_query_body (TRUE, limit, NULL), cancellable,
                               watch_done, g_steal_pointer (&task));
}

JsonObject *
gig_chat_client_watch_channel_finish (GigChatClient  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_chat_client_unwatch_channel (GigChatClient *self,
                                 const char    *cid)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_hash_table_remove (self->watched, cid);
}

typedef struct {
  guint pending;
  gboolean failed;
  char *sync_since;
} Recovery;

static void
recovery_step_done (GigChatClient *self,
                    Recovery      *rec)
{
  if (--rec->pending > 0)
    return;
  if (!rec->failed)
    {
      g_debug ("Chat state recovered");
      _gig_chat_client_emit_recovered (self);
    }
  g_free (rec->sync_since);
  g_free (rec);
  g_object_unref (self);
}

static void
recover_watch_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  Recovery *rec = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) channel = gig_chat_client_watch_channel_finish (self, result, &error);

  if (channel == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Re-watching a chat channel failed: %s", error->message);
      rec->failed = TRUE;
    }
  recovery_step_done (self, rec);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  JsonObject *ea = *(JsonObject **) a, *eb = *(JsonObject **) b;
  g_autofree char *ta = gig_store_chat_normalize_time (gig_json_object_get_string (ea, "created_at"));
  g_autofree char *tb = gig_store_chat_normalize_time (gig_json_object_get_string (eb, "created_at"));

  return g_strcmp0 (ta, tb);
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  Recovery *rec = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = _gig_chat_client_rest_finish (self, result, &error);
  JsonArray *events;

  if (answer == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Chat /sync failed (the channel queries still refreshed the cache): %s", error->message);
      rec->failed = TRUE;
    }
  else if ((events = gig_json_object_get_array (answer, "events")) != NULL)
    {
      g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      guint i;

      for (i = 0; i < json_array_get_length (events); i++)
        {
          JsonNode *node = json_array_get_element (events, i);
          if (JSON_NODE_HOLDS_OBJECT (node))
            g_ptr_array_add (sorted, json_object_ref (json_node_get_object (node)));
          else
            g_warning ("Ignoring a malformed replayed chat event");
        }
      g_ptr_array_sort (sorted, compare_events);
      for (i = 0; i < sorted->len; i++)
        _gig_chat_client_apply_event (self, g_ptr_array_index (sorted, i), TRUE);
    }
  recovery_step_done (self, rec);
}

/* After every (re)connect: re-watch each open channel with the new connection id (watches belong
 * to a connection) and replay what happened since the last event seen, so nothing is missed. */
void
_gig_chat_client_recover (GigChatClient *self)
{
  Recovery *rec;
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonArray) cids = json_array_new ();
  g_autofree char *since = NULL;

  rec = g_new0 (Recovery, 1);
  rec->pending = 1;
  g_object_ref (self);

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(GPtrArray) newest = NULL;
      guint count;

      json_array_add_string_element (cids, key);
      /* Since when to replay: the newest event this run saw, else the newest cached message. */
      count = gig_store_chat_count_messages (self->store, key);
      if (count > 0)
        {
          newest = gig_store_chat_get_messages (self->store, key, count - 1, 1);
          if (newest->len > 0)
            {
              GigChatMessage *m = g_ptr_array_index (newest, 0);
              if (since == NULL || g_strcmp0 (m->created_at, since) < 0)
                {
                  g_free (since);
                  since = g_strdup (m->created_at);
                }
            }
        }
      rec->pending++;
      gig_chat_client_watch_channel_async (self, key, GPOINTER_TO_UINT (value), self->cancellable,
                                           recover_watch_done, rec);
    }
  if (self->last_event_at != NULL && (since == NULL || strcmp (self->last_event_at, since) < 0))
    {
      g_free (since);
      since = g_strdup (self->last_event_at);
    }

  if (json_array_get_length (cids) > 0 && since != NULL)
    {
      body = json_object_new ();
      json_object_set_array_member (body, "channel_cids", json_array_ref (cids));
      json_object_set_string_member (body, "last_sync_at", since);
      rec->pending++;
      _gig_chat_client_rest_async (self, "POST", "/sync", g_steal_pointer (&body), self->cancellable, sync_done, rec);
    }
  recovery_step_done (self, rec);
}

/* ---------------------------------------------------------------------------------------------- */
/* Older history                                                                                   */

static void
older_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  const char *cid = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) state = _gig_chat_client_rest_finish (self, result, &error);
  JsonArray *messages;

  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  messages = gig_json_object_get_array (state, "messages");
  apply_channel_state (self, cid, state);
  g_task_return_int (task, messages != NULL ? (gssize) json_array_get_length (messages) : 0);
}

void
gig_chat_client_load_older_async (GigChatClient       *self,
                                  const char          *cid,
                                  const char          *before_id,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL, *query = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_load_older_async);
  g_task_set_task_data (task, g_strdup (cid), g_free);
  path = _gig_chat_client_cid_path (cid);
  if (path == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return;
    }
  query = g_strconcat (path, "/query", NULL);
  _gig_chat_client_rest_async (self, "POST", query, channel_query_body (FALSE, limit > 0 ? limit : DEFAULT_WATCH_LIMIT, before_id),
                               cancellable, older_done, g_steal_pointer (&task));
}

gint
gig_chat_client_load_older_finish (GigChatClient  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return (gint) g_task_propagate_int (G_TASK (result), error);
}
