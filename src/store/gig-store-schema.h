/* gig-store-schema.h: the migration steps of the cache file
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The SQL that takes a file from @version - 1 to @version, or NULL past the last step. */
const char *gig_store_schema_step (int version);

/* Applies the queued search index changes (schema 2 and later); then empty search_queue. */
const char *gig_store_schema_search_flush (void);

/* The file's schema version (PRAGMA user_version; 0 for a new file). */
gboolean    gig_store_schema_read_version (sqlite3  *db,
                                           int      *out_version,
                                           GError  **error);
/* Migrates @db from whatever version it is at to @target, one step (one transaction) at a
 * time. @out_version: the version it reached. */
gboolean    gig_store_schema_migrate (sqlite3  *db,
                                      int       target,
                                      int      *out_version,
                                      GError  **error);

G_END_DECLS
