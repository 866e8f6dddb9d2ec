/* gig-store-chat-outbox.c: chat messages written here, queued until the service has them
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

/* ---- outbox ----------------------------------------------------------------------------------- */

typedef struct {
  const char *cid;
  const char *user_id;
  const char *id;
  const char *text;
  const char *now;
  const char *json;       /* the cached copy */
  JsonObject *message;    /* the request's message */
} QueueJob;

static gboolean
queue_on_writer (GigStore  *self,
                 gpointer   data,
                 GError   **error)
{
  QueueJob *job = data;
  gboolean ok;

  ok = gig_store_begin (self, error);
  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "INSERT INTO chat_messages (id, cid, user_id, text, created_at, local_state, json) "
          "VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6)", error);
      ok = stmt != NULL;
      if (ok)
        {
          gig_store_bind_text (stmt, 1, job->id);
          gig_store_bind_text (stmt, 2, job->cid);
          gig_store_bind_text (stmt, 3, job->user_id);
          gig_store_bind_text (stmt, 4, job->text);
          gig_store_bind_text (stmt, 5, job->now);
          gig_store_bind_text (stmt, 6, job->json);
          ok = gig_store_step_done (self, stmt, _("caching a chat message"), error);
        }
    }
  if (ok)
    {
      g_autofree char *body = gig_store_json_to_string (job->message);
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "INSERT INTO chat_outbox (cid, message_id, json) VALUES (?1, ?2, ?3)", error);
      ok = stmt != NULL;
      if (ok)
        {
          gig_store_bind_text (stmt, 1, job->cid);
          gig_store_bind_text (stmt, 2, job->id);
          gig_store_bind_text (stmt, 3, body);
          ok = gig_store_step_done (self, stmt, _("queueing a chat message"), error);
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  return ok;
}

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

  {
    QueueJob job = { cid, user_id, id, gig_json_object_get_string_or (message, "text", ""), now, json, message };

    ok = gig_store_write (self, queue_on_writer, &job, error);
  }

  if (ok)
    gig_store_chat_emit_one (self, cid, id);
  return ok;
}

static gboolean
outbox_next_on_writer (GigStore  *self,
                       gpointer   data,
                       GError   **error)
{
  GigChatOutboxEntry **out = data;
  GigChatOutboxEntry *entry = NULL;

  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
        "SELECT seq, cid, message_id, json, attempts FROM chat_outbox WHERE state = 'queued' "
        "ORDER BY seq LIMIT 1", NULL);
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      {
        entry = g_new0 (GigChatOutboxEntry, 1);
        entry->seq = sqlite3_column_int64 (stmt, 0);
        entry->cid = g_strdup (gig_store_column_text (stmt, 1));
        entry->message_id = g_strdup (gig_store_column_text (stmt, 2));
        entry->message = gig_store_json_from_string (gig_store_column_text (stmt, 3));
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
  *out = entry;
  return TRUE;
}

GigChatOutboxEntry *
gig_store_chat_outbox_next (GigStore *self)
{
  GigChatOutboxEntry *entry = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  /* Nothing to hand out from a closed cache. */
  gig_store_write (self, outbox_next_on_writer, &entry, NULL);
  return entry;
}

/* Runs @sql (?1 = seq, ?2 = @text if the SQL uses it) on the row, and @msg_sql (?1 = message
 * id) on its message, in one transaction; returns the row's cid and message id for `changed`. */
typedef struct {
  gint64      seq;
  const char *sql;
  const char *msg_sql;
  const char *text;
  char       *cid;
  char       *message_id;
} UpdateJob;

static gboolean
outbox_update_on_writer (GigStore  *self,
                         gpointer   data,
                         GError   **error)
{
  UpdateJob *job = data;
  gint64 seq = job->seq;
  const char *sql = job->sql;
  const char *msg_sql = job->msg_sql;
  const char *text = job->text;
  char **out_cid = &job->cid;
  char **out_message_id = &job->message_id;
  gboolean ok;

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
              *out_cid = g_strdup (gig_store_column_text (stmt, 0));
              *out_message_id = g_strdup (gig_store_column_text (stmt, 1));
            }
        }
    }
  if (ok && msg_sql != NULL && *out_message_id != NULL)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, msg_sql, error);
      ok = stmt != NULL;
      if (ok)
        {
          gig_store_bind_text (stmt, 1, *out_message_id);
          ok = gig_store_step_done (self, stmt, _("updating a queued chat message"), error);
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
            gig_store_bind_text (stmt, 2, text);
          ok = gig_store_step_done (self, stmt, _("updating the chat outbox"), error);
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  return ok;
}

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
  UpdateJob job = { seq, sql, msg_sql, text };
  gboolean ok = gig_store_write (self, outbox_update_on_writer, &job, error);

  *out_cid = job.cid;
  *out_message_id = job.message_id;
  return ok;
}

typedef struct {
  gint64      seq;
  JsonObject *server_message;
  GPtrArray  *ids;
  char       *cid;
  char       *message_id;
} DoneJob;

static gboolean
outbox_done_on_writer (GigStore  *self,
                       gpointer   data,
                       GError   **error)
{
  DoneJob *job = data;
  gboolean ok;

  ok = gig_store_begin (self, error);
  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "DELETE FROM chat_outbox WHERE seq = ?1 RETURNING cid, message_id", error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, job->seq);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              job->cid = g_strdup (gig_store_column_text (stmt, 0));
              job->message_id = g_strdup (gig_store_column_text (stmt, 1));
            }
          while (sqlite3_step (stmt) == SQLITE_ROW)
            ;
        }
    }
  if (ok && job->cid != NULL)
    {
      if (job->server_message != NULL)
        ok = gig_store_chat_put_message_on_writer (self, job->cid, job->server_message, job->ids, error);
      else
        {
          g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
              "UPDATE chat_messages SET local_state = 'sent' WHERE id = ?1", error);
          ok = stmt != NULL;
          if (ok)
            {
              gig_store_bind_text (stmt, 1, job->message_id);
              ok = gig_store_step_done (self, stmt, _("marking a chat message sent"), error);
              g_ptr_array_add (job->ids, g_strdup (job->message_id));
            }
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  return ok;
}

gboolean
gig_store_chat_outbox_done (GigStore    *self,
                            gint64       seq,
                            JsonObject  *server_message,
                            GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  DoneJob job = { seq, server_message, ids };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  ok = gig_store_write (self, outbox_done_on_writer, &job, error);
  if (ok && job.cid != NULL)
    gig_store_chat_emit_changed (self, job.cid, ids);
  g_free (job.cid);
  g_free (job.message_id);
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
    gig_store_chat_emit_one (self, cid, message_id);
  return ok;
}

static gint64
seq_for_message (GigStore   *self,
                 const char *message_id)
{
  gint64 seq = -1;

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self,
        "SELECT seq FROM chat_outbox WHERE message_id = ?1", NULL);
    if (stmt != NULL)
      {
        gig_store_bind_text (stmt, 1, message_id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          seq = sqlite3_column_int64 (stmt, 0);
      }
  }
  gig_store_read_unlock (self);
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
    gig_store_chat_emit_one (self, cid, mid);
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

  ok = gig_store_write_statement (self, "UPDATE chat_outbox SET state = 'queued' WHERE state = 'sending'",
                                  NULL, NULL, 0, error);
  return ok;
}

guint
gig_store_chat_outbox_count (GigStore *self)
{
  guint count = 0;

  g_return_val_if_fail (GIG_IS_STORE (self), 0);

  gig_store_read_count (self, "SELECT count(*) FROM chat_outbox WHERE state != 'failed'", NULL, &count, NULL);
  return count;
}
