/* gig-store-sql.h: the bind, step and column helpers every store file uses
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <sqlite3.h>

#include "gig-store.h"

G_BEGIN_DECLS

/* Binds @text, or NULL for a NULL @text. SQLite copies it. */
void      gig_store_bind_text   (sqlite3_stmt  *stmt,
                                 int            pos,
                                 const char    *text);
/* A copy of a text column, NULL for NULL. */
char     *gig_store_column_dup  (sqlite3_stmt  *stmt,
                                 int            col);
/* The text of a column, owned by the statement (valid until the next step or reset). */
const char *gig_store_column_text (sqlite3_stmt *stmt,
                                   int           col);
/* Steps a write on the writer: TRUE for SQLITE_DONE, otherwise a GigStoreError saying @what
 * failed (NULL: "Could not write the cache"). */
gboolean  gig_store_step_done   (GigStore      *self,
                                 sqlite3_stmt  *stmt,
                                 const char    *what,
                                 GError       **error);

/* A value bound to a statement's parameter: text (NULL binds NULL) or an integer. */
typedef struct {
  enum { GIG_STORE_VALUE_TEXT, GIG_STORE_VALUE_INT } type;
  const char *text;
  gint64      number;
} GigStoreValue;

#define GIG_STORE_TEXT(value) ((GigStoreValue) { GIG_STORE_VALUE_TEXT, (value), 0 })
#define GIG_STORE_INT(value)  ((GigStoreValue) { GIG_STORE_VALUE_INT, NULL, (value) })

/* Binds @values to ?1..?n. */
void      gig_store_bind_values (sqlite3_stmt         *stmt,
                                 const GigStoreValue  *values,
                                 guint                 n_values);
/* One statement of its own (no transaction around it) run on the writer thread, waited for:
 * @values bound to ?1..?n; on failure an error saying @what failed (NULL: the generic one). */
gboolean  gig_store_write_statement (GigStore             *self,
                                     const char           *sql,
                                     const char           *what,
                                     const GigStoreValue  *values,
                                     guint                 n_values,
                                     GError              **error);

G_END_DECLS
