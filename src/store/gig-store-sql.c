/* gig-store-sql.c: the bind, step and column helpers every store file uses
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

gboolean
gig_store_step_done (GigStore      *self,
                     sqlite3_stmt  *stmt,
                     const char    *what,
                     GError       **error)
{
  if (sqlite3_step (stmt) == SQLITE_DONE)
    return TRUE;
  gig_store_set_sqlite_error (error, gig_store_get_db (self), what ? what : _("Could not write the cache"));
  return FALSE;
}

void
gig_store_bind_text (sqlite3_stmt *stmt,
                     int           pos,
                     const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, pos, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, pos);
}

char *
gig_store_column_dup (sqlite3_stmt *stmt,
                      int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

const char *
gig_store_column_text (sqlite3_stmt *stmt,
                       int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

void
gig_store_bind_values (sqlite3_stmt        *stmt,
                       const GigStoreValue *values,
                       guint                n_values)
{
  for (guint i = 0; i < n_values; i++)
    {
      if (values[i].type == GIG_STORE_VALUE_INT)
        sqlite3_bind_int64 (stmt, (int) i + 1, values[i].number);
      else
        gig_store_bind_text (stmt, (int) i + 1, values[i].text);
    }
}

typedef struct {
  const char          *sql;
  const char          *what;
  const GigStoreValue *values;
  guint                n_values;
} Statement;

static gboolean
statement_on_writer (GigStore  *self,
                     gpointer   data,
                     GError   **error)
{
  Statement *statement = data;
  g_autoptr(GigStoreStmt) stmt = gig_store_prepare (self, statement->sql, error);

  if (stmt == NULL)
    return FALSE;
  gig_store_bind_values (stmt, statement->values, statement->n_values);
  return gig_store_step_done (self, stmt, statement->what, error);
}

gboolean
gig_store_write_statement (GigStore             *self,
                           const char           *sql,
                           const char           *what,
                           const GigStoreValue  *values,
                           guint                 n_values,
                           GError              **error)
{
  Statement statement = { sql, what, values, n_values };

  return gig_store_write (self, statement_on_writer, &statement, error);
}
