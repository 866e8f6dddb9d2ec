/* gig-store-check.c: every page of an opened cache checked on the writer, damage reported
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <string.h>

#include "gig-store-private.h"

/* A damaged page is otherwise found only by the query that reads it, maybe in the middle of a
 * sync: check every page of an existing file once, when it is opened (quick_check skips the
 * index-to-table cross check that makes integrity_check slow). It reads the whole file (most of
 * a second for 100k records on a busy machine), so opening does not wait for it: it is the
 * writer's first job (gig_store_check_on_writer). */
gboolean
gig_store_check_intact (sqlite3     *db,
                        const char  *path,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *problem = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check(1)", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (text, "ok") != 0)
        {
          /* "*** in database main ***\nPage 170: btreeInitPage() returns error code 11": the
           * first finding, without the heading */
          const char *start = text ? text : "?";
          const char *heading_end = g_str_has_prefix (start, "*** ") ? strchr (start, '\n') : NULL;

          if (heading_end != NULL)
            start = heading_end + 1;
          problem = g_strndup (start, strcspn (start, "\n"));
        }
    }
  else
    problem = g_strdup (sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  if (problem == NULL)
    return TRUE;
  g_debug ("quick_check of %s: %s", path, problem);
  gig_store_set_damaged_error (error, path, problem);
  return FALSE;
}

typedef struct {
  GigStore *store;
  GError   *error;
} DamagedIdle;

static gboolean
emit_damaged_idle (gpointer data)
{
  DamagedIdle *idle = data;

  gig_store_emit_damaged (idle->store, idle->error);
  return G_SOURCE_REMOVE;
}

static void
damaged_idle_free (gpointer data)
{
  DamagedIdle *idle = data;

  g_object_unref (idle->store);
  g_error_free (idle->error);
  g_free (idle);
}

/* The writer's first job after opening: the check of every page, then the writes an opening
 * makes. Nothing is written to a damaged file: it is reported, and every later write fails with
 * the damage (gig_store_check_open). */
void
gig_store_check_on_writer (GigStore *self,
                           gpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (self->db == NULL)
    return;
  if (!self->checked && !gig_store_check_intact (self->db, self->path, &self->damage))
    {
      DamagedIdle *idle = g_new0 (DamagedIdle, 1);

      g_message ("%s", self->damage->message);
      /* Closing must not fold the WAL into the damaged file either. */
      sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
      idle->store = g_object_ref (self);
      idle->error = g_error_copy (self->damage);
      gig_store_invoke (self, emit_damaged_idle, idle, damaged_idle_free);
      return;
    }
  self->checked = TRUE;

  /* Rows handed to a sync that never finished (the app was killed): send them again. Rows
   * written by other means (tools, an older build) reach the search index too. */
  if (!gig_store_exec (self, "UPDATE outbox SET state = 'queued' WHERE state = 'sending'", &error) ||
      !gig_store_begin (self, &error) || !gig_store_commit (self, &error))
    g_warning ("Opening the cache %s: %s", self->path, error->message);
}

static gboolean
damage_on_writer (GigStore  *self,
                  gpointer   data,
                  GError   **error)
{
  if (self->damage == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->damage));
  return FALSE;
}

gboolean
gig_store_wait_checked (GigStore  *self,
                        GError   **error)
{
  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);

  /* Queued after the check, so it answers once the check is done. */
  return gig_store_writer_call (self, damage_on_writer, NULL, FALSE, error);
}
