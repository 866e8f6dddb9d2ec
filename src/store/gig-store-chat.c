/* gig-store-chat.c: the chat cache in the account's store: messages as the service sent them, channels, read state
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "core/gig-json.h"
#include "gig-store-chat.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

G_DEFINE_BOXED_TYPE (GigChatMessage, gig_chat_message, gig_chat_message_copy, gig_chat_message_free)

GigChatMessage *
gig_chat_message_copy (const GigChatMessage *message)
{
  GigChatMessage *copy = g_new0 (GigChatMessage, 1);

  copy->id = g_strdup (message->id);
  copy->cid = g_strdup (message->cid);
  copy->user_id = g_strdup (message->user_id);
  copy->user_name = g_strdup (message->user_name);
  copy->text = g_strdup (message->text);
  copy->created_at = g_strdup (message->created_at);
  copy->updated_at = g_strdup (message->updated_at);
  copy->deleted_at = g_strdup (message->deleted_at);
  copy->state = message->state;
  copy->error = g_strdup (message->error);
  return copy;
}

void
gig_chat_message_free (GigChatMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->id);
  g_free (message->cid);
  g_free (message->user_id);
  g_free (message->user_name);
  g_free (message->text);
  g_free (message->created_at);
  g_free (message->updated_at);
  g_free (message->deleted_at);
  g_free (message->error);
  g_free (message);
}

void
gig_chat_outbox_entry_free (GigChatOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->cid);
  g_free (entry->message_id);
  g_clear_pointer (&entry->message, json_object_unref);
  g_free (entry);
}

/* ---------------------------------------------------------------------------------------------- */

static char *
format_time (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

char *
gig_store_chat_normalize_time (const char *timestamp)
{
  g_autoptr(GDateTime) dt = NULL;

  if (timestamp == NULL || *timestamp == '\0')
    return NULL;
  dt = g_date_time_new_from_iso8601 (timestamp, NULL);
  if (dt == NULL)
    return NULL;
  return format_time (dt);
}

char *
gig_store_chat_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return format_time (now);
}

void
gig_store_chat_emit_changed (GigStore   *self,
                             const char *cid,
                             GPtrArray  *ids)
{
  const char *cids[] = { cid, NULL };

  if (ids != NULL && ids->len > 0)
    {
      g_ptr_array_add (ids, NULL);
      gig_store_emit_changed (self, GIG_COLLECTION_CHAT_MESSAGES, (const char * const *) ids->pdata);
      g_ptr_array_remove_index (ids, ids->len - 1);
    }
  if (cid != NULL)
    gig_store_emit_changed (self, GIG_COLLECTION_CHAT_CHANNELS, cids);
}

void
gig_store_chat_emit_one (GigStore   *self,
                         const char *cid,
                         const char *message_id)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (message_id != NULL)
    g_ptr_array_add (ids, g_strdup (message_id));
  gig_store_chat_emit_changed (self, cid, ids);
}

/* ---- channels --------------------------------------------------------------------------------- */

gboolean
gig_store_chat_put_channel (GigStore    *self,
                            const char  *cid,
                            JsonObject  *channel,
                            GError     **error)
{
  g_autofree char *json = NULL;
  const char *project = NULL, *name = NULL;
  g_autofree char *last = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (cid != NULL && channel != NULL, FALSE);

  json = gig_store_json_to_string (channel);
  if (json_object_has_member (channel, "project_id"))
    project = gig_json_object_get_string (channel, "project_id");
  name = gig_json_object_get_string (channel, "name");
  last = gig_store_chat_normalize_time (gig_json_object_get_string (channel, "last_message_at"));

  {
    GigStoreValue values[] = { GIG_STORE_TEXT (cid), GIG_STORE_TEXT (project), GIG_STORE_TEXT (name),
                               GIG_STORE_TEXT (last), GIG_STORE_TEXT (json) };

    ok = gig_store_write_statement (self,
        "INSERT INTO chat_channels (cid, project, name, last_message_at, json) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (cid) DO UPDATE SET project = coalesce(excluded.project, project), "
        "name = excluded.name, last_message_at = coalesce(excluded.last_message_at, last_message_at), "
        "json = excluded.json", _("storing a chat channel"), values, G_N_ELEMENTS (values), error);
  }
  if (ok)
    gig_store_chat_emit_one (self, cid, NULL);
  return ok;
}

JsonObject *
gig_store_chat_get_channel (GigStore   *self,
                            const char *cid)
{
  JsonObject *result = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, "SELECT json FROM chat_channels WHERE cid = ?1", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW && gig_store_column_text (stmt, 0) != NULL)
          result = gig_store_json_from_string (gig_store_column_text (stmt, 0));
      }
  }
  gig_store_read_unlock (self);
  return result;
}

gboolean
gig_store_chat_channel_is_frozen (GigStore   *self,
                                  const char *cid)
{
  g_autoptr(JsonObject) channel = gig_store_chat_get_channel (self, cid);

  if (channel == NULL || !json_object_has_member (channel, "frozen"))
    return FALSE;
  return json_node_get_value_type (json_object_get_member (channel, "frozen")) == G_TYPE_BOOLEAN &&
         json_object_get_boolean_member (channel, "frozen");
}

gboolean
gig_store_chat_set_frozen (GigStore    *self,
                           const char  *cid,
                           gboolean     frozen,
                           GError     **error)
{
  g_autoptr(JsonObject) channel = gig_store_chat_get_channel (self, cid);

  if (channel == NULL)
    channel = json_object_new ();
  json_object_set_boolean_member (channel, "frozen", frozen);
  return gig_store_chat_put_channel (self, cid, channel, error);
}

/* ---- read state ------------------------------------------------------------------------------- */

gboolean
gig_store_chat_set_read (GigStore    *self,
                         const char  *cid,
                         const char  *user_id,
                         const char  *last_read_at,
                         const char  *last_read_message_id,
                         GError     **error)
{
  g_autofree char *when = gig_store_chat_normalize_time (last_read_at);
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (cid != NULL && user_id != NULL, FALSE);

  if (when == NULL)
    when = gig_store_chat_now ();

  {
    GigStoreValue values[] = { GIG_STORE_TEXT (cid), GIG_STORE_TEXT (user_id), GIG_STORE_TEXT (when),
                               GIG_STORE_TEXT (last_read_message_id) };

    /* Reads only move forward: a replayed older event must not mark messages unread again. */
    ok = gig_store_write_statement (self,
        "INSERT INTO chat_reads (cid, user_id, last_read_at, last_read_message_id) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (cid, user_id) DO UPDATE SET last_read_at = excluded.last_read_at, "
        "last_read_message_id = coalesce(excluded.last_read_message_id, last_read_message_id) "
        "WHERE last_read_at IS NULL OR last_read_at <= excluded.last_read_at",
        _("storing chat read state"), values, G_N_ELEMENTS (values), error);
  }
  if (ok)
    gig_store_chat_emit_one (self, cid, NULL);
  return ok;
}

/* One text value from a statement binding a channel and a user. */
static char *
query_read_time (GigStore   *self,
                 const char *sql,
                 const char *cid,
                 const char *user_id)
{
  char *result = NULL;

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        gig_store_bind_text (stmt, 2, user_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = g_strdup (gig_store_column_text (stmt, 0));
      }
  }
  gig_store_read_unlock (self);
  return result;
}

char *
gig_store_chat_get_last_read (GigStore   *self,
                              const char *cid,
                              const char *user_id)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  return query_read_time (self, "SELECT last_read_at FROM chat_reads WHERE cid = ?1 AND user_id = ?2",
                          cid, user_id);
}

char *
gig_store_chat_others_last_read (GigStore   *self,
                                 const char *cid,
                                 const char *me)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  return query_read_time (self,
                          "SELECT max(last_read_at) FROM chat_reads WHERE cid = ?1 AND user_id IS NOT ?2",
                          cid, me);
}

guint
gig_store_chat_unread_count (GigStore   *self,
                             const char *cid,
                             const char *me)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT count(*) FROM chat_messages m WHERE m.cid = ?1 AND m.user_id IS NOT ?2 "
        "AND m.deleted_at IS NULL AND m.created_at > coalesce("
        "(SELECT last_read_at FROM chat_reads r WHERE r.cid = ?1 AND r.user_id = ?2), '')", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        gig_store_bind_text (stmt, 2, me);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_read_unlock (self);
  return count;
}

GHashTable *
gig_store_chat_unread_counts (GigStore   *self,
                              const char *me)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (GIG_IS_STORE (self), counts);

  gig_store_read_lock (self);
  {
    /* The same rule as gig_store_chat_unread_count, for every channel in one pass. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT m.cid, count(*) FROM chat_messages m "
        "LEFT JOIN chat_reads r ON r.cid = m.cid AND r.user_id = ?1 "
        "WHERE m.user_id IS NOT ?1 AND m.deleted_at IS NULL "
        "AND m.created_at > coalesce(r.last_read_at, '') GROUP BY m.cid", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, me);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_hash_table_insert (counts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                               GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
      }
  }
  gig_store_read_unlock (self);
  return counts;
}
