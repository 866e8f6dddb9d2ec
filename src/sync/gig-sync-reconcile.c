/* gig-sync-reconcile.c: records that left the user's view, found through the server's departures
 *
 * SPDX-License-Identifier: MIT
 *
 * PocketBase tells nobody that a record left their view, and an incremental pull filtered by
 * the same rule can't show it. The server writes a `sync_departures` row for each such change
 * (pb/pb_hooks/gigdesk-departures.pb.js); here those rows are pulled by a cursor like any
 * collection, and each cached record they name is listed again by id: whatever the server no
 * longer lists for the user leaves the cache. The rows only say where to look; the rules decide.
 * When departures cannot cover a gap, the cycle lists every cached id again (at the end).
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "sync/gig-sync-reconcile.h"
#include "sync/gig-sync-private.h"
#include "store/gig-store-departures.h"

#define DEPARTURES "sync_departures"
/* ids per re-check list: `id="…"||…` stays well inside any URL limit */
#define VERIFY_CHUNK 50
/* rows remembered as handled, between cycles; cleared past this (a re-check is only a cost) */
#define HANDLED_MAX 20000

typedef struct
{
  GigStore     *store;
  GigPbClient  *client;
  GigSession   *session;
  GHashTable   *handled;        /* borrowed from the caller, who outlives the task */
  gint64        started_at;     /* wall clock µs */
  gint64        overlap_us;
  char         *after_updated;  /* where the next page starts */
  char         *after_id;
  char         *last_updated;   /* the last row seen: the new cursor */
  char         *last_id;
  GPtrArray    *rows_seen;      /* departure ids to mark handled once done */
  /* per record collection: id → the newest stamp among its rows */
  GHashTable   *candidates[GIG_N_RECORD_COLLECTIONS];
  GHashTable   *listed[GIG_N_RECORD_COLLECTIONS];
  GPtrArray    *verify_ids;     /* of the collection being re-checked */
  guint         verify_collection;
  guint         verify_offset;
  guint         removed;
} Departures;

static void
departures_free (Departures *d)
{
  g_clear_object (&d->store);
  g_clear_object (&d->client);
  g_clear_object (&d->session);
  g_free (d->after_updated);
  g_free (d->after_id);
  g_free (d->last_updated);
  g_free (d->last_id);
  g_clear_pointer (&d->rows_seen, g_ptr_array_unref);
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_clear_pointer (&d->candidates[c], g_hash_table_unref);
      g_clear_pointer (&d->listed[c], g_hash_table_unref);
    }
  g_clear_pointer (&d->verify_ids, g_ptr_array_unref);
  g_free (d);
}

static void fetch_page      (GTask *task);
static void verify_next     (GTask *task);

static void
finish (GTask *task)
{
  Departures *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Nothing new: everything stamped before (start − overlap) was committed and listed. */
  if (d->last_updated == NULL)
    {
      g_autofree char *settled = gig_stamp_from_unix_usec (d->started_at - d->overlap_us);

      d->last_updated = g_strdup (strcmp (settled, d->after_updated) > 0 ? settled : d->after_updated);
    }
  if (!gig_store_set_departures_cursor (d->store, d->last_updated, d->last_id, d->started_at, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_hash_table_size (d->handled) + d->rows_seen->len > HANDLED_MAX)
    g_hash_table_remove_all (d->handled);
  for (guint i = 0; i < d->rows_seen->len; i++)
    g_hash_table_add (d->handled, g_strdup (g_ptr_array_index (d->rows_seen, i)));
  if (d->removed > 0)
    g_debug ("departures: %u records left the view", d->removed);
  g_task_return_boolean (task, TRUE);
}

/* ---- re-check ---------------------------------------------------------------------------- */

static void
verified_after_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Departures *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The token was valid before and after the lists (a revoked token never becomes valid
   * again), so a record missing from them is one the server no longer lists for the user. */
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(GPtrArray) stamps = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer id, stamp;
      guint removed = 0;

      if (d->candidates[c] == NULL)
        continue;
      g_hash_table_iter_init (&iter, d->candidates[c]);
      while (g_hash_table_iter_next (&iter, &id, &stamp))
        if (!g_hash_table_contains (d->listed[c], id))
          {
            g_ptr_array_add (ids, id);
            g_ptr_array_add (stamps, stamp);
          }
      if (!gig_store_remove_departed (d->store, c, (const char * const *) ids->pdata,
                                      (const char * const *) stamps->pdata, ids->len,
                                      &removed, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      d->removed += removed;
    }
  finish (task);
}

static void
verify_list_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Departures *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  page = gig_pb_client_list_records_finish (GIG_PB_CLIENT (object), result, &error);
  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < page->len; i++)
    {
      const char *id = gig_json_object_get_string (g_ptr_array_index (page, i), "id");

      if (id == NULL)
        {
          g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                   _("A listed record came from the server without “id”"));
          return;
        }
      g_hash_table_add (d->listed[d->verify_collection], g_strdup (id));
    }
  verify_next (g_steal_pointer (&task));
}

/* Lists the candidates VERIFY_CHUNK at a time, collection after collection. */
static void
verify_next (GTask *task)
{
  Departures *d = g_task_get_task_data (task);
  g_autoptr(GString) filter = NULL;
  guint end;

  while (d->verify_ids == NULL || d->verify_offset >= d->verify_ids->len)
    {
      if (d->verify_ids != NULL)
        d->verify_collection++;
      while (d->verify_collection < GIG_N_RECORD_COLLECTIONS && d->candidates[d->verify_collection] == NULL)
        d->verify_collection++;
      if (d->verify_collection >= GIG_N_RECORD_COLLECTIONS)
        {
          gig_session_refresh_async (d->session, g_task_get_cancellable (task), verified_after_cb, task);
          return;
        }
      g_clear_pointer (&d->verify_ids, g_ptr_array_unref);
      d->verify_ids = g_ptr_array_new ();
      {
        GHashTableIter iter;
        gpointer id;

        g_hash_table_iter_init (&iter, d->candidates[d->verify_collection]);
        while (g_hash_table_iter_next (&iter, &id, NULL))
          g_ptr_array_add (d->verify_ids, id);
      }
      d->verify_offset = 0;
      d->listed[d->verify_collection] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  /* ids were checked against PocketBase's id format when read, so they need no quoting */
  filter = g_string_new ("(");
  end = MIN (d->verify_offset + VERIFY_CHUNK, d->verify_ids->len);
  for (guint i = d->verify_offset; i < end; i++)
    g_string_append_printf (filter, "%sid=\"%s\"", i > d->verify_offset ? "||" : "",
                            (const char *) g_ptr_array_index (d->verify_ids, i));
  g_string_append_c (filter, ')');
  d->verify_offset = end;
  gig_pb_client_list_records_async (d->client, gig_collection_to_string (d->verify_collection),
                                    NULL, NULL, filter->str, "id", GIG_PB_LIST_MAX_PER_PAGE,
                                    g_task_get_cancellable (task), verify_list_cb, task);
}

static void
verified_before_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  verify_next (task);
}

/* ---- pull -------------------------------------------------------------------------------- */

/* Adds the page's rows that name a cached record not newer than the change. */
static gboolean
collect_candidates (Departures  *d,
                    GPtrArray   *page,
                    GError     **error)
{
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(GPtrArray) stamps = g_ptr_array_new ();
      g_autoptr(GHashTable) cached = NULL;

      for (guint i = 0; i < page->len; i++)
        {
          JsonObject *row = g_ptr_array_index (page, i);
          const char *source = gig_json_object_get_string_or (row, "source", "");
          const char *record = gig_json_object_get_string_or (row, "record", "");
          const char *row_id = gig_json_object_get_string_or (row, "id", "");
          const char *stamp;
          GigCollection collection;

          if (g_hash_table_contains (d->handled, row_id) ||
              !gig_collection_from_string (source, &collection) || collection != c)
            continue;
          stamp = gig_json_object_get_string_or (row, "record_updated", "");
          if (!gig_id_is_valid (record) || (*stamp != '\0' && !gig_stamp_is_valid (stamp)))
            {
              g_warning ("Ignoring a departure with a malformed record id or stamp");
              continue;
            }
          g_ptr_array_add (ids, (gpointer) record);
          g_ptr_array_add (stamps, (gpointer) stamp);
        }
      if (ids->len == 0)
        continue;

      cached = gig_store_get_server_versions (d->store, c, (const char * const *) ids->pdata, ids->len);
      if (cached == NULL)
        {
          g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_FAILED, _("Could not read the cache"));
          return FALSE;
        }
      for (guint i = 0; i < ids->len; i++)
        {
          const char *id = g_ptr_array_index (ids, i);
          const char *stamp = g_ptr_array_index (stamps, i);
          const char *have = g_hash_table_lookup (cached, id);
          const char *known;

          /* not cached, or cached in a version that came back into view after the change */
          if (have == NULL || (*stamp != '\0' && strcmp (have, stamp) > 0))
            continue;
          if (d->candidates[c] == NULL)
            d->candidates[c] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          known = g_hash_table_lookup (d->candidates[c], id);
          /* the newest stamp wins; "" (unknown) counts as newest */
          if (known == NULL || (*known != '\0' && (*stamp == '\0' || strcmp (stamp, known) > 0)))
            g_hash_table_insert (d->candidates[c], g_strdup (id), g_strdup (stamp));
        }
    }
  return TRUE;
}

static gboolean
any_candidates (Departures *d)
{
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    if (d->candidates[c] != NULL)
      return TRUE;
  return FALSE;
}

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Departures *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  page = gig_pb_client_list_records_finish (GIG_PB_CLIENT (object), result, &error);
  if (page == NULL && g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_FOUND))
    {
      /* a server without departures: only the periodic reconciliation finds what left */
      g_debug ("the server keeps no departures: %s", error->message);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < page->len; i++)
    {
      JsonObject *row = g_ptr_array_index (page, i);
      const char *id = gig_json_object_get_string (row, "id");
      const char *updated = gig_json_object_get_string (row, "updated");

      if (!gig_id_is_valid (id) || !gig_stamp_is_valid (updated))
        {
          g_warning ("Ignoring a departure with a malformed id or stamp");
          continue;
        }
      if (g_strcmp0 (updated, d->last_updated) < 0)
        {
          g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                   _("The server sent a departure without “id” or “updated”, or out of order"));
          return;
        }
      g_free (d->last_updated);
      g_free (d->last_id);
      d->last_updated = g_strdup (updated);
      d->last_id = g_strdup (id);
      g_ptr_array_add (d->rows_seen, g_strdup (id));
    }
  if (!collect_candidates (d, page, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (page->len >= GIG_PB_LIST_MAX_PER_PAGE)
    {
      /* a full page that does not move the cursor would be asked for again forever */
      if (d->last_id == NULL ||
          (g_strcmp0 (d->last_updated, d->after_updated) == 0 && g_strcmp0 (d->last_id, d->after_id) == 0))
        {
          g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                   _("The server sent a departure without “id” or “updated”, or out of order"));
          return;
        }
      g_free (d->after_updated);
      g_free (d->after_id);
      d->after_updated = g_strdup (d->last_updated);
      d->after_id = g_strdup (d->last_id);
      fetch_page (g_steal_pointer (&task));
      return;
    }

  if (!any_candidates (d))
    {
      finish (task);
      return;
    }
  /* PocketBase answers a doubtful token as a guest (an empty list): prove it first. */
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    gig_session_refresh_async (d->session, cancellable, verified_before_cb, g_steal_pointer (&task));
  }
}

static void
fetch_page (GTask *task)
{
  Departures *d = g_task_get_task_data (task);

  gig_pb_client_list_records_async (d->client, DEPARTURES, d->after_updated, d->after_id, NULL,
                                    "id,updated,source,record,record_updated",
                                    GIG_PB_LIST_MAX_PER_PAGE, g_task_get_cancellable (task),
                                    page_cb, task);
}

/* Where the pull starts: the earlier of the cursor and (start of the last pull − overlap), as
 * for records. Without a cursor, from the last reconciliation (which covered everything before
 * it); where the departures can't cover the gap, a reconciliation is marked as needed. */
static gboolean
compute_start (Departures  *d,
               guint        overlap_ms,
               GError     **error)
{
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  gint64 pulled_at = 0;
  gint64 overlap = (gint64) overlap_ms * 1000;
  gint64 retention = (gint64) GIG_SYNC_DEPARTURES_RETENTION_S * G_USEC_PER_SEC;
  gint64 base;

  if (gig_store_get_departures_cursor (d->store, &cursor_updated, &cursor_id, &pulled_at) &&
      cursor_updated != NULL && *cursor_updated != '\0')
    {
      g_autofree char *bound = NULL;

      if (pulled_at > 0 && d->started_at - pulled_at > retention)
        {
          g_debug ("departures: last pull too long ago; reconciling");
          if (!gig_store_request_reconcile (d->store, error))
            return FALSE;
          d->after_updated = gig_stamp_from_unix_usec (d->started_at - overlap);
          return TRUE;
        }
      bound = gig_stamp_from_unix_usec (pulled_at - overlap);
      d->after_updated = g_strdup (pulled_at > 0 && strcmp (bound, cursor_updated) < 0 ? bound : cursor_updated);
      return TRUE;
    }

  base = gig_store_get_oldest_reconcile (d->store);
  if (base <= 0 || d->started_at - base > retention)
    {
      /* a reconciliation is due anyway (never done, or marked needed) or must be */
      if (base > 0 && !gig_store_request_reconcile (d->store, error))
        return FALSE;
      base = d->started_at;
    }
  d->after_updated = gig_stamp_from_unix_usec (base - overlap);
  return TRUE;
}

void
gig_sync_departures_async (GigStore            *store,
                           GigPbClient         *client,
                           GigSession          *session,
                           guint                overlap_ms,
                           GHashTable          *handled,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Departures *d;

  g_return_if_fail (GIG_IS_STORE (store));
  g_return_if_fail (GIG_IS_PB_CLIENT (client));
  g_return_if_fail (GIG_IS_SESSION (session));
  g_return_if_fail (handled != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_sync_departures_async);
  d = g_new0 (Departures, 1);
  d->store = g_object_ref (store);
  d->client = g_object_ref (client);
  d->session = g_object_ref (session);
  d->handled = handled;
  d->started_at = g_get_real_time ();
  d->overlap_us = (gint64) overlap_ms * 1000;
  d->rows_seen = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, d, (GDestroyNotify) departures_free);

  if (!compute_start (d, overlap_ms, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  fetch_page (g_steal_pointer (&task));
}

gboolean
gig_sync_departures_finish (GAsyncResult  *result,
                            guint         *out_removed,
                            GError       **error)
{
  Departures *d;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  d = g_task_get_task_data (G_TASK (result));
  if (out_removed)
    *out_removed = d->removed;
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* The cycle's full reconciliation, when due: every cached id listed again under the rules     */

static void reconcile_list (Cycle *cycle);

static void
reconcile_verified_after_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }

  /* The token was valid before and after the listing (a revoked token never becomes valid
   * again), so the listing is the real visible set. */
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      guint removed = 0;

      if (!gig_store_remove_records_not_in (self->store, c, cycle->rec_ids[c], &removed, &error) ||
          !gig_store_set_last_reconcile (self->store, c, g_get_real_time (), &error))
        {
          _gig_sync_cycle_finish (cycle, g_steal_pointer (&error));
          return;
        }
      if (removed > 0)
        g_debug ("reconcile: %u %s left the view", removed, gig_collection_to_string (c));
    }
  self->reconcile_requested = FALSE;
  _gig_sync_cycle_finish (cycle, NULL);
}

static void
reconcile_list_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  GHashTable *ids = cycle->rec_ids[cycle->rec_collection];
  gboolean advanced = FALSE;

  page = gig_pb_client_list_records_finish (GIG_PB_CLIENT (object), result, &error);
  if (page == NULL)
    {
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < page->len; i++)
    {
      JsonObject *record = g_ptr_array_index (page, i);
      const char *id = gig_json_object_get_string (record, "id");

      if (id == NULL || _gig_sync_record_updated (record) == NULL)
        {
          _gig_sync_cycle_finish (cycle, g_error_new_literal (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                                    _("A listed record came from the server without “id” or “updated”")));
          return;
        }
      g_hash_table_add (ids, g_strdup (id));
      /* The next page starts after the last record that can be a cursor (see _gig_sync_page_last_valid). */
      if (gig_id_is_valid (id) && gig_stamp_is_valid (_gig_sync_record_updated (record)) &&
          (cycle->rec_after_updated == NULL ||
           strcmp (_gig_sync_record_updated (record), cycle->rec_after_updated) > 0 ||
           (strcmp (_gig_sync_record_updated (record), cycle->rec_after_updated) == 0 &&
            strcmp (id, cycle->rec_after_id) > 0)))
        {
          g_free (cycle->rec_after_updated);
          g_free (cycle->rec_after_id);
          cycle->rec_after_updated = g_strdup (_gig_sync_record_updated (record));
          cycle->rec_after_id = g_strdup (id);
          advanced = TRUE;
        }
    }
  if (page->len >= GIG_PB_LIST_MAX_PER_PAGE && !advanced)
    {
      /* the same full page again and again: a server that ignores the list cursor */
      _gig_sync_cycle_finish (cycle, g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                        _("The server sent a page of %s that does not follow "
                                          "the previous one (it ignored the list cursor)"),
                                        gig_collection_to_string (cycle->rec_collection)));
      return;
    }
  if (page->len < GIG_PB_LIST_MAX_PER_PAGE)
    {
      cycle->rec_collection++;
      g_clear_pointer (&cycle->rec_after_updated, g_free);
      g_clear_pointer (&cycle->rec_after_id, g_free);
    }
  reconcile_list (cycle);
}

static void
reconcile_list (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (cycle->rec_collection >= GIG_N_RECORD_COLLECTIONS)
    {
      gig_session_refresh_async (self->session, cycle->cancellable,
                                 reconcile_verified_after_cb, cycle);
      return;
    }
  if (cycle->rec_ids[cycle->rec_collection] == NULL)
    cycle->rec_ids[cycle->rec_collection] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gig_pb_client_list_records_async (self->client, gig_collection_to_string (cycle->rec_collection),
                                    cycle->rec_after_updated, cycle->rec_after_id, NULL,
                                    "id,updated", GIG_PB_LIST_MAX_PER_PAGE, cycle->cancellable,
                                    reconcile_list_cb, cycle);
}

static void
reconcile_verified_before_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  cycle->rec_collection = 0;
  reconcile_list (cycle);
}

static gboolean
reconcile_due (GigSync *self)
{
  gint64 now = g_get_real_time ();

  if (self->reconcile_requested)
    return TRUE;
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      gint64 last = gig_store_get_last_reconcile (self->store, c);
      if (now - last > (gint64) self->reconcile_interval_s * G_USEC_PER_SEC)
        return TRUE;
    }
  return FALSE;
}

static void
departures_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;

  if (!gig_sync_departures_finish (result, NULL, &error))
    {
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  if (!reconcile_due (self))
    {
      _gig_sync_cycle_finish (cycle, NULL);
      return;
    }
  g_debug ("reconciling ids");
  _gig_sync_set_progress (self, -1, _("Checking which records are still visible"));
  gig_session_refresh_async (self->session, cycle->cancellable, reconcile_verified_before_cb, cycle);
}

void
_gig_sync_cycle_reconcile (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (!cycle->do_pull)
    {
      _gig_sync_cycle_finish (cycle, NULL);
      return;
    }
  /* Records that left the view since the last pull, then the full listing when due. */
  gig_sync_departures_async (self->store, self->client, self->session, self->overlap_ms,
                             self->departures_handled, cycle->cancellable,
                             departures_done_cb, cycle);
}
