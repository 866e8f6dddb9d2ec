/* gig-sync-triggers.c: what feeds the cache between cycles and what starts one: realtime
 * events, server health, the network, the session, local writes and timers.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "store/gig-store-departures.h"
#include "sync/gig-sync-private.h"

/* Local writes are pushed after this quiet time, so a burst of edits goes out together. */
#define PUSH_DEBOUNCE_MS 100

void
_gig_sync_realtime_event_cb (GigPbRealtime *realtime,
                             const char    *collection_name,
                             const char    *action,
                             JsonObject    *record,
                             GigSync       *self)
{
  GigCollection collection;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(Analysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  GigStoreApplyResult counts = { 0 };

  /* Something left someone's view (maybe ours): the pull re-checks what the cache holds. */
  if (g_strcmp0 (collection_name, "sync_departures") == 0)
    {
      _gig_sync_cycle_request (self, TRUE);
      return;
    }
  if (!gig_collection_from_string (collection_name, &collection) ||
      collection >= GIG_N_RECORD_COLLECTIONS)
    return;

  if (g_strcmp0 (action, "delete") == 0)
    {
      /* Only a superuser deletes for real: its departure (pulled now) removes it. */
      _gig_sync_cycle_request (self, TRUE);
      return;
    }

  records = g_ptr_array_new ();
  g_ptr_array_add (records, record);
  analysis = _gig_sync_analyse_records (self, collection, records, TRUE);
  if (analysis->records->len == 0)
    return;
  /* One record: written on this thread, so it is in the cache as soon as this returns. */
  if (!gig_store_apply_server_page (self->store, collection, analysis->records, NULL, NULL, &counts, &error))
    {
      g_warning ("Could not apply a live %s event: %s", collection_name, error->message);
      _gig_sync_cycle_request (self, TRUE);
      return;
    }
  if (counts.skipped > 0)
    {
      /* not stored: a pull reads it again and reports it in the sync status */
      _gig_sync_cycle_request (self, TRUE);
      return;
    }
  self->live_applied++;
  _gig_sync_analysis_emit (self, analysis);
}

void
_gig_sync_realtime_connected_cb (GigPbRealtime *realtime,
                                 const char    *client_id,
                                 gboolean       is_reconnect,
                                 GigSync       *self)
{
  /* The server replays nothing: pull what happened while we were not subscribed. */
  g_debug ("realtime %sconnected", is_reconnect ? "re" : "");
  if (self->health != NULL)
    gig_server_health_report (self->health, TRUE);
  _gig_sync_cycle_request (self, TRUE);
}

void
_gig_sync_realtime_disconnected_cb (GigPbRealtime *realtime,
                                    GError        *error,
                                    GigSync       *self)
{
  /* The stream may have ended for a harmless reason (the server's idle close): ask. */
  g_debug ("realtime disconnected: %s", error != NULL ? error->message : "");
  if (self->health != NULL)
    gig_server_health_check_now (self->health);
}

void
_gig_sync_health_changed_cb (GigServerHealth *health,
                             GParamSpec      *pspec,
                             GigSync         *self)
{
  _gig_sync_update_status (self);
  if (!gig_server_health_get_reachable (health) || !self->started)
    return;
  /* The server is back: catch up at once rather than when the backoff runs out, and bring the
   * stream back without waiting for its own reconnect delay. */
  if (self->realtime != NULL && !gig_pb_realtime_get_connected (self->realtime))
    {
      gig_pb_realtime_stop (self->realtime);
      gig_pb_realtime_start (self->realtime);
    }
  if (self->cycle == NULL && self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED &&
      self->state != GIG_SYNC_STATE_SYNCING)
    gig_sync_now (self);
}

static gboolean
push_soon_cb (gpointer user_data)
{
  GigSync *self = user_data;

  self->push_source = 0;
  /* Without the live stream our copy of the server may be stale: pull first, so that
   * conflicting edits are found before we overwrite them. */
  _gig_sync_cycle_request (self, self->realtime == NULL || !gig_pb_realtime_get_connected (self->realtime));
  return G_SOURCE_REMOVE;
}

void
_gig_sync_store_changed_cb (GigStore  *store,
                            int        collection,
                            GStrv      ids,
                            GigSync   *self)
{
  if (collection >= GIG_N_RECORD_COLLECTIONS)
    return;
  /* While a page is written on the store's worker, a count would wait for that transaction
   * and stall the main thread, and with it the download of the next page: count once the
   * worker is idle (_gig_sync_pull_applied_cb). Pulled pages don't change the outbox anyway. */
  if (self->cycle != NULL && self->cycle->applying > 0)
    {
      self->counts_dirty = TRUE;
      return;
    }
  _gig_sync_update_counts (self);
  /* After a failure the retry timer (or the network coming back) sends what is waiting. */
  if (self->started && self->pending_count > 0 && self->push_source == 0 &&
      (self->state == GIG_SYNC_STATE_IDLE || self->state == GIG_SYNC_STATE_SYNCING))
    self->push_source = g_timeout_add (PUSH_DEBOUNCE_MS, push_soon_cb, self);
}

/* Persisted too: a crash or restart before the reconciliation ran must not forget it. */
void
_gig_sync_request_reconcile (GigSync *self)
{
  g_autoptr(GError) error = NULL;

  self->reconcile_requested = TRUE;
  if (!gig_store_request_reconcile (self->store, &error))
    g_warning ("Could not note that the cache needs a reconciliation: %s", error->message);
}

void
_gig_sync_session_state_cb (GigSession *session,
                            GParamSpec *pspec,
                            GigSync    *self)
{
  GigSessionState state = gig_session_get_state (session);

  if (state == GIG_SESSION_STATE_SIGN_IN_NEEDED || state == GIG_SESSION_STATE_SIGNED_OUT)
    {
      /* A running cycle finds out by itself; nothing is dropped either way. */
      if (self->cycle == NULL)
        _gig_sync_set_state (self, GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (state == GIG_SESSION_STATE_SIGNED_IN && self->state == GIG_SYNC_STATE_SIGN_IN_NEEDED)
    {
      /* Signed in again: check which records are still ours, and send what waited. */
      _gig_sync_request_reconcile (self);
      if (self->started)
        {
          if (self->realtime != NULL)
            {
              gig_pb_realtime_stop (self->realtime);
              gig_pb_realtime_start (self->realtime);
            }
          gig_sync_now (self);
        }
      else
        _gig_sync_set_state (self, GIG_SYNC_STATE_IDLE);
    }
}

void
_gig_sync_network_changed_cb (GNetworkMonitor *monitor,
                              gboolean         available,
                              GigSync         *self)
{
  if (!self->started)
    return;
  gig_server_health_check_now (self->health);
  _gig_sync_update_status (self);
  if (available)
    {
      if (self->state == GIG_SYNC_STATE_OFFLINE || self->state == GIG_SYNC_STATE_ERROR)
        gig_sync_now (self);
    }
  else
    {
      g_clear_handle_id (&self->retry_source, g_source_remove);
      if (self->cycle == NULL && self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
        _gig_sync_set_state (self, GIG_SYNC_STATE_OFFLINE);
    }
}

gboolean
_gig_sync_periodic_cb (gpointer user_data)
{
  GigSync *self = user_data;

  if (self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
    _gig_sync_cycle_request (self, TRUE);
  return G_SOURCE_CONTINUE;
}
