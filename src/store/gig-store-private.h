/* gig-store-private.h: what other parts of the store (chat tables, tests) use of GigStore's insides
 *
 * SPDX-License-Identifier: MIT
 *
 * Rules for code that uses these: take the lock (gig_store_lock) around every use of the
 * connection (the writer; the store's public reads use their own read-only connection) or of a
 * cached statement, release statements with g_autoptr(GigStoreStmt) (a
 * statement that is stepped but not reset keeps a read snapshot open), and emit `changed`
 * only after the lock is released and the transaction committed.
 */
#pragma once

#include <sqlite3.h>

#include "gig-store.h"

G_BEGIN_DECLS

/* Schema version this build migrates to. */
#define GIG_STORE_SCHEMA_VERSION 5

/* A cached prepared statement: reset and unbound on release, never finalized by the caller. */
typedef struct sqlite3_stmt GigStoreStmt;
void gig_store_stmt_release (GigStoreStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigStoreStmt, gig_store_stmt_release)

sqlite3      *gig_store_get_db        (GigStore     *self);
void          gig_store_lock          (GigStore     *self);
void          gig_store_unlock        (GigStore     *self);
/* Prepared once per SQL text and kept until close. Lock held. NULL + error on failure. */
GigStoreStmt *gig_store_prepare       (GigStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* Statement-less SQL (lock held). */
gboolean      gig_store_exec          (GigStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (lock held). */
gboolean      gig_store_begin         (GigStore     *self,
                                       GError      **error);
gboolean      gig_store_commit        (GigStore     *self,
                                       GError      **error);
void          gig_store_rollback      (GigStore     *self);
/* Sets a GIG_STORE_ERROR_FAILED error from the connection's last error. */
void          gig_store_set_sqlite_error (GError  **error,
                                          sqlite3  *db,
                                          const char *what);
/* Emits `changed` on the thread that created the store (now, or from an idle there). */
void          gig_store_emit_changed  (GigStore           *self,
                                       GigCollection       collection,
                                       const char * const *ids);

/* One row as the models need it: the local view and its state. */
gboolean      gig_store_get_row       (GigStore       *self,
                                       GigCollection   collection,
                                       const char     *id,
                                       JsonObject    **out_record,
                                       GigLocalState  *out_state);

/* Tests: creates a database file at schema version @version (1..GIG_STORE_SCHEMA_VERSION),
 * running the same migration steps an older Gigdesk ran. */
gboolean      gig_store_create_file_at_version (const char  *path,
                                                int          version,
                                                GError     **error);

/* Serialises a JSON object compactly. */
char         *gig_store_json_to_string   (JsonObject *object);
/* Parses a JSON object; NULL for anything else. */
JsonObject   *gig_store_json_from_string (const char *text);

G_END_DECLS
