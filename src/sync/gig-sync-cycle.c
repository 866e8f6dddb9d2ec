/* gig-sync-cycle.c: one run of the engine: pull every collection, push the outbox, reconcile
 * when due (gig-sync-pull.c, -push.c, -reconcile.c); how it ends, and the retry after a failure.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <glib/gi18n.h>

#include "sync/gig-sync-private.h"

static void
cycle_free (Cycle *cycle)
{
  g_clear_object (&cycle->cancellable);
  g_clear_pointer (&cycle->waiters, g_ptr_array_unref);
  g_clear_error (&cycle->pull_error);
  g_clear_pointer (&cycle->entries, g_ptr_array_unref);
  g_clear_pointer (&cycle->to_fail, g_ptr_array_unref);
  g_free (cycle->rec_after_updated);
  g_free (cycle->rec_after_id);
  for (guint i = 0; i < GIG_N_RECORD_COLLECTIONS; i++)
    g_clear_pointer (&cycle->rec_ids[i], g_hash_table_unref);
  g_clear_error (&cycle->error);
  g_clear_object (&cycle->self);
  g_free (cycle);
}

static gboolean
retry_cb (gpointer user_data)
{
  GigSync *self = user_data;

  self->retry_source = 0;
  _gig_sync_cycle_request (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GigSync *self)
{
  guint delay;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (!self->started || !_gig_sync_network_available (self))
    return;  /* network-changed will bring us back */
  delay = gig_backoff_next_ms (&self->retry_backoff);
  g_debug ("retry in %u ms", delay);
  self->retry_source = g_timeout_add (delay, retry_cb, self);
}

void
_gig_sync_cycle_finish (Cycle  *cycle,
                        GError *error)
{
  /* the cycle's reference may be the last one: keep self alive to the end of this function */
  g_autoptr(GigSync) self = g_object_ref (cycle->self);
  g_autoptr(GError) owned = error;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&cycle->waiters);
  gboolean stopped = g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED) ||
                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert (self->cycle == cycle);
  self->cycle = NULL;
  g_debug ("cycle done in %" G_GINT64_FORMAT " ms%s%s",
           (g_get_monotonic_time () - cycle->started) / 1000,
           owned ? ": " : "", owned ? owned->message : "");
  _gig_sync_update_counts (self);

  if (owned == NULL && cycle->failed > 0)
    owned = g_error_new (GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED,
                         ngettext ("The server refused %u change", "The server refused %u changes",
                                   cycle->failed),
                         cycle->failed);
  if (cycle->skipped > 0 && (owned == NULL || owned->domain == GIG_SYNC_ERROR))
    {
      /* Everything else was pulled and pushed: say so, and which part was not taken in. */
      g_autofree char *skipped = g_strdup_printf (
        ngettext ("%u record from the server was not valid and was skipped",
                  "%u records from the server were not valid and were skipped", cycle->skipped),
        cycle->skipped);

      if (g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED))
        {
          g_autofree char *both = g_strdup_printf ("%s; %s", owned->message, skipped);

          g_free (owned->message);
          owned->message = g_steal_pointer (&both);
        }
      else if (owned == NULL)
        owned = g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED, skipped);
    }

  /* Any answer, even a refusal, shows the server is there; a network error says otherwise. */
  if (self->health != NULL && !stopped)
    {
      if (g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK))
        gig_server_health_report (self->health, FALSE);
      else if (owned == NULL || owned->domain == GIG_PB_ERROR ||
               g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED))
        gig_server_health_report (self->health, TRUE);
    }

  if (owned == NULL)
    {
      gig_backoff_reset (&self->retry_backoff);
      _gig_sync_set_synced_now (self);
      _gig_sync_set_last_error (self, NULL);
      _gig_sync_set_progress (self, 1.0, NULL);
      _gig_sync_set_state (self, GIG_SYNC_STATE_IDLE);
    }
  else if (stopped)
    {
      _gig_sync_set_progress (self, -1, NULL);
      _gig_sync_set_state (self, gig_session_get_state (self->session) == GIG_SESSION_STATE_SIGNED_IN
                         ? GIG_SYNC_STATE_IDLE : GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (_gig_sync_error_is_auth (owned))
    {
      if (g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED))
        gig_session_report_error (self->session, owned);
      _gig_sync_set_last_error (self, owned->message);
      _gig_sync_set_progress (self, -1, NULL);
      _gig_sync_set_state (self, GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED) ||
           g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED))
    {
      /* Refused changes stay visible on their records, and a record the server must fix is
       * read again by every pull: nothing to retry now. */
      gig_backoff_reset (&self->retry_backoff);
      _gig_sync_set_synced_now (self);
      _gig_sync_set_last_error (self, owned->message);
      _gig_sync_set_progress (self, 1.0, NULL);
      _gig_sync_set_state (self, GIG_SYNC_STATE_ERROR);
    }
  else
    {
      g_debug ("cycle failed: %s", owned->message);
      _gig_sync_set_last_error (self, owned->message);
      _gig_sync_set_progress (self, -1, NULL);
      _gig_sync_set_state (self, g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK)
                         ? GIG_SYNC_STATE_OFFLINE : GIG_SYNC_STATE_ERROR);
      schedule_retry (self);
    }

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (owned != NULL)
        g_task_return_error (task, g_error_copy (owned));
      else
        g_task_return_boolean (task, TRUE);
    }

  cycle_free (cycle);

  if (self->again && (self->started || self->waiters->len > 0) &&
      self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
    {
      gboolean pull = self->pull_requested;

      self->again = FALSE;
      _gig_sync_cycle_request (self, pull);
    }
  else if (self->waiters->len > 0)
    {
      /* Callers who asked while a cycle ran want a cycle of their own, even after a failure. */
      self->again = FALSE;
      _gig_sync_cycle_request (self, TRUE);
    }
}

static void
cycle_start (GigSync  *self,
             gboolean  pull)
{
  Cycle *cycle = g_new0 (Cycle, 1);
  GigSessionState session_state = gig_session_get_state (self->session);

  cycle->self = g_object_ref (self);
  cycle->cancellable = g_cancellable_new ();
  cycle->started = g_get_monotonic_time ();
  cycle->waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  cycle->do_pull = pull;
  cycle->to_fail = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_outbox_entry_free);
  self->cycle = cycle;
  self->again = FALSE;
  if (pull)
    self->pull_requested = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);

  /* PocketBase treats an expired token as a guest: check before asking anything. */
  if (session_state != GIG_SESSION_STATE_SIGNED_IN || !gig_session_check_token (self->session) ||
      gig_pb_client_get_token (self->client) == NULL)
    {
      _gig_sync_cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED,
                                                _("Sign in again to sync")));
      return;
    }

  _gig_sync_set_state (self, GIG_SYNC_STATE_SYNCING);
  _gig_sync_set_progress (self, -1, pull ? _("Receiving changes") : _("Sending changes"));
  _gig_sync_cycle_pull (cycle);
}

void
_gig_sync_cycle_request (GigSync  *self,
                         gboolean  pull)
{
  if (pull)
    self->pull_requested = TRUE;
  if (self->cycle != NULL)
    {
      self->again = TRUE;
      return;
    }
  cycle_start (self, self->pull_requested);
}

