/* gig-store-uploads.c: files in the account's store — chat attachments as cached
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-store"

#include "config.h"

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "gig-store-private.h"
#include "gig-store-uploads.h"

JsonObject *
gig_store_chat_get_message_json (GigStore   *self,
                                 const char *message_id)
{
  JsonObject *result = NULL;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  g_return_val_if_fail (message_id != NULL, NULL);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, "SELECT json FROM chat_messages WHERE id = ?1", NULL);

    if (stmt != NULL)
      {
        sqlite3_bind_text (stmt, 1, message_id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
          result = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 0));
      }
  }
  gig_store_read_unlock (self);
  return result;
}

char *
gig_store_uploads_dir (GigStore *self)
{
  const char *path;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);

  path = gig_store_get_path (self);
  if (path == NULL || *path == '\0' || g_str_equal (path, ":memory:"))
    return NULL;
  return g_strconcat (path, ".attachments", NULL);
}

typedef struct {
  gint64      seq;
  const char *json;         /* the whole message */
  const char *attachments;  /* its attachments array */
} SetMessage;

/* On the writer thread. */
static gboolean
set_message_write (GigStore  *self,
                   gpointer   data,
                   GError   **error)
{
  SetMessage *job = data;
  gboolean ok = gig_store_begin (self, error);

  if (ok)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, "UPDATE chat_outbox SET json = ?2 WHERE seq = ?1", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, job->seq);
          sqlite3_bind_text (stmt, 2, job->json, -1, SQLITE_TRANSIENT);
          ok = sqlite3_step (stmt) == SQLITE_DONE;
          if (!ok)
            gig_store_set_sqlite_error (error, gig_store_get_db (self), _("updating a queued chat message"));
        }
    }
  if (ok)
    {
      /* the cached copy keeps its own fields (user, created_at); only the attachments change */
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self,
          "UPDATE chat_messages SET json = json_set(json, '$.attachments', json(?2)) "
          "WHERE id = (SELECT message_id FROM chat_outbox WHERE seq = ?1) AND local_state != 'sent'", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, job->seq);
          sqlite3_bind_text (stmt, 2, job->attachments, -1, SQLITE_TRANSIENT);
          ok = sqlite3_step (stmt) == SQLITE_DONE;
          if (!ok)
            gig_store_set_sqlite_error (error, gig_store_get_db (self), _("updating a queued chat message"));
        }
    }
  if (ok)
    ok = gig_store_commit (self, error);
  else
    gig_store_rollback (self);
  return ok;
}

gboolean
gig_store_chat_outbox_set_message (GigStore    *self,
                                   gint64       seq,
                                   JsonObject  *message,
                                   GError     **error)
{
  g_autofree char *json = NULL;
  g_autofree char *attachments = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *list;
  SetMessage job;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  json = gig_store_json_to_string (message);
  list = json_object_has_member (message, "attachments") ? json_object_get_array_member (message, "attachments") : NULL;
  if (list != NULL)
    json_node_set_array (node, list);
  else
    json_node_take_array (node, json_array_new ());
  attachments = json_to_string (node, FALSE);
  job = (SetMessage) { seq, json, attachments };
  return gig_store_write (self, set_message_write, &job, error);
}

GPtrArray *
gig_store_chat_outbox_messages (GigStore *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_return_val_if_fail (GIG_IS_STORE (self), out);

  gig_store_read_lock (self);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, "SELECT json FROM chat_outbox ORDER BY seq", NULL);

    while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      {
        JsonObject *message = sqlite3_column_type (stmt, 0) == SQLITE_TEXT
                              ? gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 0)) : NULL;

        if (message != NULL)
          g_ptr_array_add (out, message);
      }
  }
  gig_store_read_unlock (self);
  return out;
}
