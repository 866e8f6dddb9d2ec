/* gig-store-uploads.c: files in the account's store — chat attachments as cached
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-store"

#include "config.h"

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
