/* gig-store-chat.c: the chat cache in the account's store
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-store"

#include "config.h"

#include "gig-store-chat.h"
#include "gig-store-private.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>

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

static GigChatMessageState
state_from_string (const char *text)
{
  if (g_strcmp0 (text, "sending") == 0)
    return GIG_CHAT_MESSAGE_SENDING;
  if (g_strcmp0 (text, "failed") == 0)
    return GIG_CHAT_MESSAGE_FAILED;
  return GIG_CHAT_MESSAGE_SENT;
}

static const char *
col_text (sqlite3_stmt *stmt,
          int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           idx,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
}

static gboolean
step_done (GigStore     *self,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gig_store_set_sqlite_error (error, gig_store_get_db (self), what);
      return FALSE;
    }
  return TRUE;
}

static void
emit_message_changed (GigStore   *self,
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

static void
emit_one (GigStore   *self,
          const char *cid,
          const char *message_id)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (message_id != NULL)
    g_ptr_array_add (ids, g_strdup (message_id));
  emit_message_changed (self, cid, ids);
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

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "INSERT INTO chat_channels (cid, project, name, last_message_at, json) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (cid) DO UPDATE SET project = coalesce(excluded.project, project), "
        "name = excluded.name, last_message_at = coalesce(excluded.last_message_at, last_message_at), "
        "json = excluded.json", error);
    ok = stmt != NULL;
    if (ok)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, project);
        bind_text (stmt, 3, name);
        bind_text (stmt, 4, last);
        bind_text (stmt, 5, json);
        ok = step_done (self, stmt, _("storing a chat channel"), error);
      }
  }
  gig_store_unlock (self);
  if (ok)
    emit_one (self, cid, NULL);
  return ok;
}

JsonObject *
gig_store_chat_get_channel (GigStore   *self,
                            const char *cid)
{
  JsonObject *result = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, "SELECT json FROM chat_channels WHERE cid = ?1", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW && col_text (stmt, 0) != NULL)
          result = gig_store_json_from_string (col_text (stmt, 0));
      }
  }
  gig_store_unlock (self);
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

/* ---- messages --------------------------------------------------------------------------------- */

static gboolean
put_message_locked (GigStore    *self,
                    const char  *cid,
                    JsonObject  *message,
                    GPtrArray   *ids,
                    GError     **error)
{
  const char *id = gig_json_object_get_string (message, "id");
  const char *user_id = NULL;
  JsonObject *user = NULL;
  g_autofree char *created = NULL, *updated = NULL, *deleted = NULL, *json = NULL;
  const char *text;

  if (id == NULL || *id == '\0')
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID, _("A chat message without an id"));
      return FALSE;
    }
  if (json_object_has_member (message, "user") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (message, "user")))
    user = json_object_get_object_member (message, "user");
  if (user != NULL)
    user_id = gig_json_object_get_string (user, "id");
  if (user_id == NULL)
    user_id = gig_json_object_get_string (message, "user_id");
  text = gig_json_object_get_string_or (message, "text", "");
  created = gig_store_chat_normalize_time (gig_json_object_get_string (message, "created_at"));
  if (created == NULL)
    created = gig_store_chat_now ();
  updated = gig_store_chat_normalize_time (gig_json_object_get_string (message, "updated_at"));
  deleted = gig_store_chat_normalize_time (gig_json_object_get_string (message, "deleted_at"));
  if (deleted == NULL && g_strcmp0 (gig_json_object_get_string (message, "type"), "deleted") == 0)
    deleted = g_strdup (updated != NULL ? updated : created);
  json = gig_store_json_to_string (message);

  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "INSERT INTO chat_messages (id, cid, user_id, text, created_at, updated_at, deleted_at, local_state, json) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sent', ?8) "
        "ON CONFLICT (id) DO UPDATE SET cid = excluded.cid, user_id = excluded.user_id, text = excluded.text, "
        "created_at = excluded.created_at, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at, "
        "local_state = 'sent', json = excluded.json", error);
    if (stmt == NULL)
      return FALSE;
    bind_text (stmt, 1, id);
    bind_text (stmt, 2, cid);
    bind_text (stmt, 3, user_id);
    bind_text (stmt, 4, text);
    bind_text (stmt, 5, created);
    bind_text (stmt, 6, updated);
    bind_text (stmt, 7, deleted);
    bind_text (stmt, 8, json);
    if (!step_done (self, stmt, _("storing a chat message"), error))
      return FALSE;
  }
  /* The service has it: a copy still waiting in the outbox was delivered (its ack got lost). */
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "DELETE FROM chat_outbox WHERE message_id = ?1 AND state != 'sending'", error);
    if (stmt == NULL)
      return FALSE;
    bind_text (stmt, 1, id);
    if (!step_done (self, stmt, _("clearing a delivered chat message"), error))
      return FALSE;
  }
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "UPDATE chat_channels SET last_message_at = ?2 WHERE cid = ?1 AND "
        "(last_message_at IS NULL OR last_message_at < ?2)", error);
    if (stmt == NULL)
      return FALSE;
    bind_text (stmt, 1, cid);
    bind_text (stmt, 2, created);
    if (!step_done (self, stmt, _("updating a chat channel"), error))
      return FALSE;
  }
  if (ids != NULL)
    g_ptr_array_add (ids, g_strdup (id));
  return TRUE;
}

gboolean
gig_store_chat_put_messages (GigStore    *self,
                             const char  *cid,
                             GPtrArray   *messages,
                             GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;
  guint i;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (cid != NULL && messages != NULL, FALSE);

  if (messages->len == 0)
    return TRUE;

  gig_store_lock (self);
  ok = gig_store_begin (self, error);
  for (i = 0; ok && i < messages->len; i++)
    ok = put_message_locked (self, cid, g_ptr_array_index (messages, i), ids, error);
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  gig_store_unlock (self);

  if (ok)
    emit_message_changed (self, cid, ids);
  return ok;
}

gboolean
gig_store_chat_delete_message (GigStore    *self,
                               const char  *message_id,
                               const char  *deleted_at,
                               gboolean     hard,
                               GError     **error)
{
  g_autoptr(GigChatMessage) old = gig_store_chat_get_message (self, message_id);
  g_autofree char *when = gig_store_chat_normalize_time (deleted_at);
  gboolean ok;

  if (old == NULL)
    return TRUE;
  if (when == NULL)
    when = gig_store_chat_now ();

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, hard
        ? "DELETE FROM chat_messages WHERE id = ?1"
        : "UPDATE chat_messages SET deleted_at = ?2, text = '' WHERE id = ?1", error);
    ok = stmt != NULL;
    if (ok)
      {
        bind_text (stmt, 1, message_id);
        if (!hard)
          bind_text (stmt, 2, when);
        ok = step_done (self, stmt, _("deleting a chat message"), error);
      }
  }
  gig_store_unlock (self);
  if (ok)
    emit_one (self, old->cid, message_id);
  return ok;
}

#define MESSAGE_COLUMNS \
  "m.id, m.cid, m.user_id, m.text, m.created_at, m.updated_at, m.deleted_at, m.local_state, " \
  "json_extract(m.json, '$.user.name'), o.last_error"

static GigChatMessage *
message_from_row (sqlite3_stmt *stmt)
{
  GigChatMessage *m = g_new0 (GigChatMessage, 1);

  m->id = g_strdup (col_text (stmt, 0));
  m->cid = g_strdup (col_text (stmt, 1));
  m->user_id = g_strdup (col_text (stmt, 2));
  m->text = g_strdup (col_text (stmt, 3) ? col_text (stmt, 3) : "");
  m->created_at = g_strdup (col_text (stmt, 4));
  m->updated_at = g_strdup (col_text (stmt, 5));
  m->deleted_at = g_strdup (col_text (stmt, 6));
  m->state = state_from_string (col_text (stmt, 7));
  m->user_name = g_strdup (col_text (stmt, 8));
  m->error = g_strdup (col_text (stmt, 9));
  return m;
}

GigChatMessage *
gig_store_chat_get_message (GigStore   *self,
                            const char *message_id)
{
  GigChatMessage *result = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT " MESSAGE_COLUMNS " FROM chat_messages m "
        "LEFT JOIN chat_outbox o ON o.message_id = m.id WHERE m.id = ?1", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = message_from_row (stmt);
      }
  }
  gig_store_unlock (self);
  return result;
}

guint
gig_store_chat_count_messages (GigStore   *self,
                               const char *cid)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT count(*) FROM chat_messages WHERE cid = ?1", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_unlock (self);
  return count;
}

GPtrArray *
gig_store_chat_get_messages (GigStore   *self,
                             const char *cid,
                             guint       offset,
                             guint       limit)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_chat_message_free);

  g_return_val_if_fail (GIG_IS_STORE (self), result);

  gig_store_lock (self);
  {
    /* Keyed by the (cid, created_at, id) index; offsets stay cheap for the pages a view needs. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT " MESSAGE_COLUMNS " FROM chat_messages m "
        "LEFT JOIN chat_outbox o ON o.message_id = m.id "
        "WHERE m.cid = ?1 ORDER BY m.created_at, m.id LIMIT ?2 OFFSET ?3", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        sqlite3_bind_int64 (stmt, 2, limit);
        sqlite3_bind_int64 (stmt, 3, offset);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_ptr_array_add (result, message_from_row (stmt));
      }
  }
  gig_store_unlock (self);
  return result;
}

guint
gig_store_chat_count_before (GigStore   *self,
                             const char *cid,
                             const char *created_at,
                             const char *message_id)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);
  g_return_val_if_fail (created_at != NULL && message_id != NULL, 0);

  gig_store_lock (self);
  {
    /* A range of the (cid, created_at, id) index: counted without touching the rows. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT count(*) FROM chat_messages WHERE cid = ?1 AND "
        "(created_at < ?2 OR (created_at = ?2 AND id < ?3))", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, created_at);
        bind_text (stmt, 3, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_unlock (self);
  return count;
}

gint64
gig_store_chat_message_position (GigStore   *self,
                                 const char *cid,
                                 const char *message_id)
{
  gint64 pos = -1;

  g_return_val_if_fail (GIG_IS_STORE (self), -1);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT (SELECT count(*) FROM chat_messages o WHERE o.cid = m.cid AND "
        "(o.created_at < m.created_at OR (o.created_at = m.created_at AND o.id < m.id))) "
        "FROM chat_messages m WHERE m.id = ?2 AND m.cid = ?1", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          pos = sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_unlock (self);
  return pos;
}

static char *
edge_id (GigStore   *self,
         const char *cid,
         const char *sql)
{
  char *result = NULL;

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = g_strdup (col_text (stmt, 0));
      }
  }
  gig_store_unlock (self);
  return result;
}

char *
gig_store_chat_oldest_id (GigStore   *self,
                          const char *cid)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  return edge_id (self, cid,
                  "SELECT id FROM chat_messages WHERE cid = ?1 AND local_state = 'sent' "
                  "ORDER BY created_at, id LIMIT 1");
}

char *
gig_store_chat_newest_id (GigStore   *self,
                          const char *cid)
{
  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  return edge_id (self, cid,
                  "SELECT id FROM chat_messages WHERE cid = ?1 AND local_state = 'sent' "
                  "ORDER BY created_at DESC, id DESC LIMIT 1");
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

  gig_store_lock (self);
  {
    /* Reads only move forward: a replayed older event must not mark messages unread again. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "INSERT INTO chat_reads (cid, user_id, last_read_at, last_read_message_id) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (cid, user_id) DO UPDATE SET last_read_at = excluded.last_read_at, "
        "last_read_message_id = coalesce(excluded.last_read_message_id, last_read_message_id) "
        "WHERE last_read_at IS NULL OR last_read_at <= excluded.last_read_at", error);
    ok = stmt != NULL;
    if (ok)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, user_id);
        bind_text (stmt, 3, when);
        bind_text (stmt, 4, last_read_message_id);
        ok = step_done (self, stmt, _("storing chat read state"), error);
      }
  }
  gig_store_unlock (self);
  if (ok)
    emit_one (self, cid, NULL);
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

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, user_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = g_strdup (col_text (stmt, 0));
      }
  }
  gig_store_unlock (self);
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

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT count(*) FROM chat_messages m WHERE m.cid = ?1 AND m.user_id IS NOT ?2 "
        "AND m.deleted_at IS NULL AND m.created_at > coalesce("
        "(SELECT last_read_at FROM chat_reads r WHERE r.cid = ?1 AND r.user_id = ?2), '')", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, cid);
        bind_text (stmt, 2, me);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_unlock (self);
  return count;
}

GHashTable *
gig_store_chat_unread_counts (GigStore   *self,
                              const char *me)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (GIG_IS_STORE (self), counts);

  gig_store_lock (self);
  {
    /* The same rule as gig_store_chat_unread_count, for every channel in one pass. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT m.cid, count(*) FROM chat_messages m "
        "LEFT JOIN chat_reads r ON r.cid = m.cid AND r.user_id = ?1 "
        "WHERE m.user_id IS NOT ?1 AND m.deleted_at IS NULL "
        "AND m.created_at > coalesce(r.last_read_at, '') GROUP BY m.cid", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, me);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_hash_table_insert (counts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                               GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
      }
  }
  gig_store_unlock (self);
  return counts;
}

/* ---- outbox ----------------------------------------------------------------------------------- */

gboolean
gig_store_chat_queue_message (GigStore    *self,
                              const char  *cid,
                              const char  *user_id,
                              JsonObject  *message,
                              GError     **error)
{
  const char *id;
  g_autofree char *now = gig_store_chat_now ();
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) cached = NULL;
  g_autoptr(JsonObject) user = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (cid != NULL && message != NULL, FALSE);

  id = gig_json_object_get_string (message, "id");
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID, _("A queued chat message needs an id"));
      return FALSE;
    }
  json = gig_store_json_to_string (message);

  /* The cached copy looks like a server message of ours, so the views need no special case. */
  cached = gig_store_json_from_string (json);
  user = json_object_new ();
  json_object_set_string_member (user, "id", user_id);
  json_object_set_object_member (cached, "user", g_steal_pointer (&user));
  json_object_set_string_member (cached, "created_at", now);
  g_clear_pointer (&json, g_free);
  json = gig_store_json_to_string (cached);

  gig_store_lock (self);
  ok = gig_store_begin (self, error);
  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "INSERT INTO chat_messages (id, cid, user_id, text, created_at, local_state, json) "
          "VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6)", error);
      ok = stmt != NULL;
      if (ok)
        {
          bind_text (stmt, 1, id);
          bind_text (stmt, 2, cid);
          bind_text (stmt, 3, user_id);
          bind_text (stmt, 4, gig_json_object_get_string_or (message, "text", ""));
          bind_text (stmt, 5, now);
          bind_text (stmt, 6, json);
          ok = step_done (self, stmt, _("caching a chat message"), error);
        }
    }
  if (ok)
    {
      g_autofree char *body = gig_store_json_to_string (message);
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "INSERT INTO chat_outbox (cid, message_id, json) VALUES (?1, ?2, ?3)", error);
      ok = stmt != NULL;
      if (ok)
        {
          bind_text (stmt, 1, cid);
          bind_text (stmt, 2, id);
          bind_text (stmt, 3, body);
          ok = step_done (self, stmt, _("queueing a chat message"), error);
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  gig_store_unlock (self);

  if (ok)
    emit_one (self, cid, id);
  return ok;
}

GigChatOutboxEntry *
gig_store_chat_outbox_next (GigStore *self)
{
  GigChatOutboxEntry *entry = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT seq, cid, message_id, json, attempts FROM chat_outbox WHERE state = 'queued' "
        "ORDER BY seq LIMIT 1", NULL);
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      {
        entry = g_new0 (GigChatOutboxEntry, 1);
        entry->seq = sqlite3_column_int64 (stmt, 0);
        entry->cid = g_strdup (col_text (stmt, 1));
        entry->message_id = g_strdup (col_text (stmt, 2));
        entry->message = gig_store_json_from_string (col_text (stmt, 3));
        entry->attempts = (guint) sqlite3_column_int64 (stmt, 4) + 1;
        if (entry->message == NULL)
          entry->message = json_object_new ();
      }
  }
  if (entry != NULL)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "UPDATE chat_outbox SET state = 'sending', attempts = attempts + 1 WHERE seq = ?1", NULL);
      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, entry->seq);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            g_warning ("Could not mark chat message %s as being sent: %s",
                       entry->message_id, sqlite3_errmsg (gig_store_get_db (self)));
        }
    }
  gig_store_unlock (self);
  return entry;
}

/* Runs @sql (?1 = seq, ?2 = @text if the SQL uses it) on the row, and @msg_sql (?1 = message
 * id) on its message, in one transaction; returns the row's cid and message id for `changed`. */
static gboolean
outbox_update (GigStore    *self,
               gint64       seq,
               const char  *sql,
               const char  *msg_sql,
               const char  *text,
               char       **out_cid,
               char       **out_message_id,
               GError     **error)
{
  gboolean ok;

  gig_store_lock (self);
  ok = gig_store_begin (self, error);
  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "SELECT cid, message_id FROM chat_outbox WHERE seq = ?1", error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, seq);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              *out_cid = g_strdup (col_text (stmt, 0));
              *out_message_id = g_strdup (col_text (stmt, 1));
            }
        }
    }
  if (ok && msg_sql != NULL && *out_message_id != NULL)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, msg_sql, error);
      ok = stmt != NULL;
      if (ok)
        {
          bind_text (stmt, 1, *out_message_id);
          ok = step_done (self, stmt, _("updating a queued chat message"), error);
        }
    }
  if (ok && sql != NULL)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, sql, error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, seq);
          if (sqlite3_bind_parameter_count (stmt) >= 2)
            bind_text (stmt, 2, text);
          ok = step_done (self, stmt, _("updating the chat outbox"), error);
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  gig_store_unlock (self);
  return ok;
}

gboolean
gig_store_chat_outbox_done (GigStore    *self,
                            gint64       seq,
                            JsonObject  *server_message,
                            GError     **error)
{
  g_autofree char *cid = NULL, *message_id = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  gig_store_lock (self);
  ok = gig_store_begin (self, error);
  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "DELETE FROM chat_outbox WHERE seq = ?1 RETURNING cid, message_id", error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, seq);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              cid = g_strdup (col_text (stmt, 0));
              message_id = g_strdup (col_text (stmt, 1));
            }
          while (sqlite3_step (stmt) == SQLITE_ROW)
            ;
        }
    }
  if (ok && cid != NULL)
    {
      if (server_message != NULL)
        ok = put_message_locked (self, cid, server_message, ids, error);
      else
        {
          g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
              "UPDATE chat_messages SET local_state = 'sent' WHERE id = ?1", error);
          ok = stmt != NULL;
          if (ok)
            {
              bind_text (stmt, 1, message_id);
              ok = step_done (self, stmt, _("marking a chat message sent"), error);
              g_ptr_array_add (ids, g_strdup (message_id));
            }
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  gig_store_unlock (self);

  if (ok && cid != NULL)
    emit_message_changed (self, cid, ids);
  return ok;
}

gboolean
gig_store_chat_outbox_release (GigStore    *self,
                               gint64       seq,
                               const char  *last_error,
                               GError     **error)
{
  g_autofree char *cid = NULL, *message_id = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  return outbox_update (self, seq,
                        "UPDATE chat_outbox SET state = 'queued', last_error = ?2 WHERE seq = ?1",
                        NULL, last_error, &cid, &message_id, error);
}

gboolean
gig_store_chat_outbox_fail (GigStore    *self,
                            gint64       seq,
                            const char  *message,
                            GError     **error)
{
  g_autofree char *cid = NULL, *message_id = NULL;
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  ok = outbox_update (self, seq,
                      "UPDATE chat_outbox SET state = 'failed', last_error = ?2 WHERE seq = ?1",
                      "UPDATE chat_messages SET local_state = 'failed' WHERE id = ?1",
                      message, &cid, &message_id, error);
  if (ok && cid != NULL)
    emit_one (self, cid, message_id);
  return ok;
}

static gint64
seq_for_message (GigStore   *self,
                 const char *message_id)
{
  gint64 seq = -1;

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT seq FROM chat_outbox WHERE message_id = ?1", NULL);
    if (stmt != NULL)
      {
        bind_text (stmt, 1, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          seq = sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_unlock (self);
  return seq;
}

/* Retry and discard: the same lookup and notification around two statements of their own. */
static gboolean
outbox_change_for_message (GigStore    *self,
                           const char  *message_id,
                           const char  *outbox_sql,
                           const char  *message_sql,
                           GError     **error)
{
  g_autofree char *cid = NULL, *mid = NULL;
  gint64 seq;
  gboolean ok;

  seq = seq_for_message (self, message_id);
  if (seq < 0)
    {
      g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_NOT_FOUND,
                   _("Message %s is not waiting to be sent"), message_id);
      return FALSE;
    }
  ok = outbox_update (self, seq, outbox_sql, message_sql, NULL, &cid, &mid, error);
  if (ok && cid != NULL)
    emit_one (self, cid, mid);
  return ok;
}

gboolean
gig_store_chat_outbox_retry (GigStore    *self,
                             const char  *message_id,
                             GError     **error)
{
  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  return outbox_change_for_message (self, message_id,
                                    "UPDATE chat_outbox SET state = 'queued', last_error = NULL WHERE seq = ?1 AND state = 'failed'",
                                    "UPDATE chat_messages SET local_state = 'sending' WHERE id = ?1",
                                    error);
}

gboolean
gig_store_chat_outbox_discard (GigStore    *self,
                               const char  *message_id,
                               GError     **error)
{
  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  return outbox_change_for_message (self, message_id,
                                    "DELETE FROM chat_outbox WHERE seq = ?1",
                                    "DELETE FROM chat_messages WHERE id = ?1 AND local_state != 'sent'",
                                    error);
}

gboolean
gig_store_chat_outbox_reset (GigStore  *self,
                             GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  gig_store_lock (self);
  ok = gig_store_exec (self, "UPDATE chat_outbox SET state = 'queued' WHERE state = 'sending'", error);
  gig_store_unlock (self);
  return ok;
}

guint
gig_store_chat_outbox_count (GigStore *self)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  gig_store_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT count(*) FROM chat_outbox WHERE state != 'failed'", NULL);
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      count = (guint) sqlite3_column_int64 (stmt, 0);
  }
  gig_store_unlock (self);
  return count;
}
