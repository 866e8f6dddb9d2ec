/* gig-store-chat-messages.c: chat messages from the service: stored, deleted, read in pages
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


static GigChatMessageState
state_from_string (const char *text)
{
  if (g_strcmp0 (text, "sending") == 0)
    return GIG_CHAT_MESSAGE_SENDING;
  if (g_strcmp0 (text, "failed") == 0)
    return GIG_CHAT_MESSAGE_FAILED;
  return GIG_CHAT_MESSAGE_SENT;
}

/* ---- messages --------------------------------------------------------------------------------- */

gboolean
gig_store_chat_put_message_on_writer (GigStore    *self,
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
    gig_store_bind_text (stmt, 1, id);
    gig_store_bind_text (stmt, 2, cid);
    gig_store_bind_text (stmt, 3, user_id);
    gig_store_bind_text (stmt, 4, text);
    gig_store_bind_text (stmt, 5, created);
    gig_store_bind_text (stmt, 6, updated);
    gig_store_bind_text (stmt, 7, deleted);
    gig_store_bind_text (stmt, 8, json);
    if (!gig_store_step_done (self, stmt, _("storing a chat message"), error))
      return FALSE;
  }
  /* The service has it: a copy still waiting in the outbox was delivered (its ack got lost). */
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "DELETE FROM chat_outbox WHERE message_id = ?1 AND state != 'sending'", error);
    if (stmt == NULL)
      return FALSE;
    gig_store_bind_text (stmt, 1, id);
    if (!gig_store_step_done (self, stmt, _("clearing a delivered chat message"), error))
      return FALSE;
  }
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "UPDATE chat_channels SET last_message_at = ?2 WHERE cid = ?1 AND "
        "(last_message_at IS NULL OR last_message_at < ?2)", error);
    if (stmt == NULL)
      return FALSE;
    gig_store_bind_text (stmt, 1, cid);
    gig_store_bind_text (stmt, 2, created);
    if (!gig_store_step_done (self, stmt, _("updating a chat channel"), error))
      return FALSE;
  }
  if (ids != NULL)
    g_ptr_array_add (ids, g_strdup (id));
  return TRUE;
}

typedef struct {
  const char *cid;
  GPtrArray  *messages;
  GPtrArray  *ids;
} PutJob;

static gboolean
put_messages_on_writer (GigStore  *self,
                        gpointer   data,
                        GError   **error)
{
  PutJob *job = data;
  gboolean ok = gig_store_begin (self, error);

  for (guint i = 0; ok && i < job->messages->len; i++)
    ok = gig_store_chat_put_message_on_writer (self, job->cid, g_ptr_array_index (job->messages, i),
                                            job->ids, error);
  if (ok)
    return gig_store_commit (self, error);
  gig_store_rollback (self);
  return FALSE;
}

gboolean
gig_store_chat_put_messages (GigStore    *self,
                             const char  *cid,
                             GPtrArray   *messages,
                             GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  PutJob job = { cid, messages, ids };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (cid != NULL && messages != NULL, FALSE);

  if (messages->len == 0)
    return TRUE;

  if (!gig_store_write (self, put_messages_on_writer, &job, error))
    return FALSE;
  gig_store_chat_emit_changed (self, cid, ids);
  return TRUE;
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

  {
    GigStoreValue values[] = { GIG_STORE_TEXT (message_id), GIG_STORE_TEXT (when) };

    ok = gig_store_write_statement (self, hard
        ? "DELETE FROM chat_messages WHERE id = ?1"
        : "UPDATE chat_messages SET deleted_at = ?2, text = '' WHERE id = ?1",
        _("deleting a chat message"), values, hard ? 1 : 2, error);
  }
  if (ok)
    gig_store_chat_emit_one (self, old->cid, message_id);
  return ok;
}

#define MESSAGE_COLUMNS \
  "m.id, m.cid, m.user_id, m.text, m.created_at, m.updated_at, m.deleted_at, m.local_state, " \
  "json_extract(m.json, '$.user.name'), o.last_error"

static GigChatMessage *
message_from_row (sqlite3_stmt *stmt)
{
  GigChatMessage *m = g_new0 (GigChatMessage, 1);

  m->id = g_strdup (gig_store_column_text (stmt, 0));
  m->cid = g_strdup (gig_store_column_text (stmt, 1));
  m->user_id = g_strdup (gig_store_column_text (stmt, 2));
  m->text = g_strdup (gig_store_column_text (stmt, 3) ? gig_store_column_text (stmt, 3) : "");
  m->created_at = g_strdup (gig_store_column_text (stmt, 4));
  m->updated_at = g_strdup (gig_store_column_text (stmt, 5));
  m->deleted_at = g_strdup (gig_store_column_text (stmt, 6));
  m->state = state_from_string (gig_store_column_text (stmt, 7));
  m->user_name = g_strdup (gig_store_column_text (stmt, 8));
  m->error = g_strdup (gig_store_column_text (stmt, 9));
  return m;
}

GigChatMessage *
gig_store_chat_get_message (GigStore   *self,
                            const char *message_id)
{
  GigChatMessage *result = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT " MESSAGE_COLUMNS " FROM chat_messages m "
        "LEFT JOIN chat_outbox o ON o.message_id = m.id WHERE m.id = ?1", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = message_from_row (stmt);
      }
  }
  gig_store_read_unlock (self);
  return result;
}

guint
gig_store_chat_count_messages (GigStore   *self,
                               const char *cid)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT count(*) FROM chat_messages WHERE cid = ?1", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_read_unlock (self);
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

  gig_store_read_lock (self);
  {
    /* Keyed by the (cid, created_at, id) index; offsets stay cheap for the pages a view needs. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT " MESSAGE_COLUMNS " FROM chat_messages m "
        "LEFT JOIN chat_outbox o ON o.message_id = m.id "
        "WHERE m.cid = ?1 ORDER BY m.created_at, m.id LIMIT ?2 OFFSET ?3", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        sqlite3_bind_int64 (stmt, 2, limit);
        sqlite3_bind_int64 (stmt, 3, offset);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_ptr_array_add (result, message_from_row (stmt));
      }
  }
  gig_store_read_unlock (self);
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

  gig_store_read_lock (self);
  {
    /* A range of the (cid, created_at, id) index: counted without touching the rows. */
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT count(*) FROM chat_messages WHERE cid = ?1 AND "
        "(created_at < ?2 OR (created_at = ?2 AND id < ?3))", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        gig_store_bind_text (stmt, 2, created_at);
        gig_store_bind_text (stmt, 3, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          count = (guint) sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_read_unlock (self);
  return count;
}

gint64
gig_store_chat_message_position (GigStore   *self,
                                 const char *cid,
                                 const char *message_id)
{
  gint64 pos = -1;

  g_return_val_if_fail (GIG_IS_STORE (self), -1);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT (SELECT count(*) FROM chat_messages o WHERE o.cid = m.cid AND "
        "(o.created_at < m.created_at OR (o.created_at = m.created_at AND o.id < m.id))) "
        "FROM chat_messages m WHERE m.id = ?2 AND m.cid = ?1", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        gig_store_bind_text (stmt, 2, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          pos = sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_read_unlock (self);
  return pos;
}

static char *
edge_id (GigStore   *self,
         const char *cid,
         const char *sql)
{
  char *result = NULL;

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, cid);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          result = g_strdup (gig_store_column_text (stmt, 0));
      }
  }
  gig_store_read_unlock (self);
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
