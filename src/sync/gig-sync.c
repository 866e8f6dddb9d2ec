/* gig-sync.c: the sync engine between GigStore and PocketBase: its state, the cycle's start and
 * end, and the public API. The cycle's steps live in gig-sync-pull.c, gig-sync-push.c and
 * gig-sync-reconcile.c; what starts a cycle in gig-sync-triggers.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <glib/gi18n.h>

#include "core/gig-json.h"
#include "sync/gig-sync-private.h"
#include "sync/gig-sync-reconcile.h"

#define DEFAULT_OVERLAP_MS 35000
#define DEFAULT_BACKOFF_MIN_MS 1000
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)
#define DEFAULT_PULL_INTERVAL_S (5 * 60)

/* Capped exponential backoff with ±25 % jitter, so that many clients coming back after an outage
 * don't hit the server in step. */
static const GigBackoffPolicy retry_policy = {
  .first_ms = DEFAULT_BACKOFF_MIN_MS, .max_ms = DEFAULT_BACKOFF_MAX_MS,
  .jitter_below_percent = 25, .jitter_above_percent = 25,
};
/* A row the server refused for now waits on its own (the cycle's timing spreads the clients). */
static const GigBackoffPolicy row_policy = {
  .first_ms = DEFAULT_BACKOFF_MIN_MS, .max_ms = DEFAULT_BACKOFF_MAX_MS,
};
/* A backstop only: departures (gig-sync-reconcile.c) drop what left the view within seconds. */
#define DEFAULT_RECONCILE_INTERVAL_S (24 * 60 * 60)

G_DEFINE_QUARK (gig-sync-error-quark, gig_sync_error)

G_DEFINE_ENUM_TYPE (GigSyncState, gig_sync_state,
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_SIGN_IN_NEEDED, "sign-in-needed"))

G_DEFINE_FINAL_TYPE (GigSync, gig_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PENDING_COUNT,
  PROP_FAILED_COUNT,
  PROP_LAST_ERROR,
  PROP_LAST_SYNCED,
  PROP_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_STATUS,
  PROP_CONFLICT_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_REMOTE_RECORD_CHANGED,
  SIGNAL_CONFLICT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------------------------ */
/* Properties                                                                                 */

gboolean
_gig_sync_network_available (GigSync *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

/* The status shown to the user, from what is true now (see gig-sync-status.h). */
void
_gig_sync_update_status (GigSync *self)
{
  GigSyncSignals inputs = {
    .network_available = _gig_sync_network_available (self),
    .server_reachable = self->health == NULL || gig_server_health_get_reachable (self->health),
    .sign_in_needed = self->state == GIG_SYNC_STATE_SIGN_IN_NEEDED,
    .cycle_running = self->state == GIG_SYNC_STATE_SYNCING,
    .cycle_offline = self->state == GIG_SYNC_STATE_OFFLINE,
    .cycle_failed = self->state == GIG_SYNC_STATE_ERROR,
    .pending_count = self->pending_count,
    .failed_count = self->failed_count,
    .conflict_count = self->conflict_count,
  };
  GigSyncStatus status = gig_sync_status_derive (&inputs);

  if (self->status == status)
    return;
  g_debug ("status %d -> %d", self->status, status);
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
_gig_sync_set_state (GigSync      *self,
                     GigSyncState  state)
{
  if (self->state == state)
    return;
  g_debug ("state %d -> %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  _gig_sync_update_status (self);
}

void
_gig_sync_set_last_error (GigSync    *self,
                          const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

void
_gig_sync_set_synced_now (GigSync *self)
{
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  self->last_synced = g_date_time_new_now_local ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
}

void
_gig_sync_set_progress (GigSync    *self,
                        double      progress,
                        const char *text)
{
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (g_strcmp0 (self->progress_text, text) != 0)
    {
      g_free (self->progress_text);
      self->progress_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
    }
}

void
_gig_sync_update_counts (GigSync *self)
{
  guint pending = gig_store_pending_count (self->store);
  guint failed = gig_store_failed_count (self->store);
  guint conflicts = gig_store_conflict_count (self->store);

  if (pending != self->pending_count)
    {
      self->pending_count = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
    }
  if (failed != self->failed_count)
    {
      self->failed_count = failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED_COUNT]);
    }
  if (conflicts != self->conflict_count)
    {
      self->conflict_count = conflicts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_COUNT]);
    }
  _gig_sync_update_status (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */

char *
_gig_sync_record_key (GigCollection  collection,
                      const char    *id)
{
  return g_strdup_printf ("%d:%s", (int) collection, id);
}

const char *
_gig_sync_record_updated (JsonObject *record)
{
  if (record == NULL)
    return NULL;
  return gig_json_object_get_string (record, "updated");
}

/* A store closed by its owner while a stopped cycle winds down is not worth a warning. */
void
_gig_sync_warn_store (const GError *error,
                      const char   *what,
                      const char   *id)
{
  if (g_error_matches (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED))
    g_debug ("%s %s: %s", what, id, error->message);
  else
    g_warning ("%s %s: %s", what, id, error->message);
}

gboolean
_gig_sync_error_is_auth (const GError *error)
{
  return g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED) ||
         g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED);
}

void
_gig_sync_emit_conflict (GigSync       *self,
                         GigCollection  collection,
                         const char    *id)
{
  g_signal_emit (self, signals[SIGNAL_CONFLICT], 0, (int) collection, id);
}

void
_gig_sync_emit_remote_change (GigSync       *self,
                              GigCollection  collection,
                              const char    *id,
                              JsonObject    *before,
                              JsonObject    *record)
{
  g_signal_emit (self, signals[SIGNAL_REMOTE_RECORD_CHANGED], 0, (int) collection, id, before, record);
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                 */

GigSync *
gig_sync_new (GigStore    *store,
              GigPbClient *client,
              GigSession  *session)
{
  GigSync *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (GIG_IS_PB_CLIENT (client), NULL);
  g_return_val_if_fail (GIG_IS_SESSION (session), NULL);

  self = g_object_new (GIG_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->session = g_object_ref (session);
  self->store_changed_id = g_signal_connect (store, "changed", G_CALLBACK (_gig_sync_store_changed_cb), self);
  self->session_state_id = g_signal_connect (session, "notify::state",
                                             G_CALLBACK (_gig_sync_session_state_cb), self);
  self->health = gig_server_health_new (client);
  self->pending_count = gig_store_pending_count (store);
  self->failed_count = gig_store_failed_count (store);
  self->conflict_count = gig_store_conflict_count (store);
  if (gig_session_get_state (session) != GIG_SESSION_STATE_SIGNED_IN)
    self->state = GIG_SYNC_STATE_SIGN_IN_NEEDED;
  _gig_sync_update_status (self);
  return self;
}

void
gig_sync_start (GigSync *self)
{
  static const char * const topics[] = { "users/*", "projects/*", "proposals/*", "milestones/*",
                                          "sync_departures/*", NULL };

  g_return_if_fail (GIG_IS_SYNC (self));

  if (self->started)
    return;
  self->started = TRUE;

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (_gig_sync_network_changed_cb), self);

  self->realtime = gig_pb_realtime_new (self->client);
  gig_pb_realtime_set_subscriptions (self->realtime, topics);
  g_signal_connect (self->realtime, "event", G_CALLBACK (_gig_sync_realtime_event_cb), self);
  g_signal_connect (self->realtime, "connected", G_CALLBACK (_gig_sync_realtime_connected_cb), self);
  g_signal_connect (self->realtime, "disconnected", G_CALLBACK (_gig_sync_realtime_disconnected_cb), self);
  gig_pb_realtime_start (self->realtime);

  g_signal_connect (self->health, "notify::reachable", G_CALLBACK (_gig_sync_health_changed_cb), self);
  gig_server_health_start (self->health);

  self->periodic_source = g_timeout_add_seconds (self->pull_interval_s, _gig_sync_periodic_cb, self);
  _gig_sync_cycle_request (self, TRUE);
}

void
gig_sync_stop (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->periodic_source, g_source_remove);
  g_clear_handle_id (&self->push_source, g_source_remove);
  if (self->realtime != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->realtime, self);
      gig_pb_realtime_stop (self->realtime);
      g_clear_object (&self->realtime);
    }
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_changed_id, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->health != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->health, self);
      gig_server_health_stop (self->health);
    }
  if (self->cycle != NULL)
    g_cancellable_cancel (self->cycle->cancellable);
}

void
gig_sync_now (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));

  gig_backoff_reset (&self->retry_backoff);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  _gig_sync_cycle_request (self, TRUE);
}

void
gig_sync_request_reconcile (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  _gig_sync_request_reconcile (self);
}

void
gig_sync_once_async (GigSync             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GIG_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_sync_once_async);
  /* A running cycle may already be past the writes the caller wants pushed: wait for a fresh
   * one. */
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  _gig_sync_cycle_request (self, TRUE);
}

gboolean
gig_sync_once_finish (GigSync       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GigSyncState
gig_sync_get_state (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), GIG_SYNC_STATE_IDLE);
  return self->state;
}

GigSyncStatus
gig_sync_get_status (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), GIG_SYNC_STATUS_ERROR);
  return self->status;
}

guint
gig_sync_get_conflict_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->conflict_count;
}

gboolean
gig_sync_get_server_reachable (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), FALSE);
  return gig_server_health_get_reachable (self->health);
}

guint
gig_sync_get_pending_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->pending_count;
}

guint
gig_sync_get_failed_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->failed_count;
}

const char *
gig_sync_get_last_error (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->last_error;
}

GDateTime *
gig_sync_get_last_synced (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->last_synced;
}

double
gig_sync_get_progress (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), -1);
  return self->progress;
}

const char *
gig_sync_get_progress_text (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->progress_text;
}

void
gig_sync_set_overlap_ms (GigSync *self,
                         guint    overlap_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  self->overlap_ms = overlap_ms;
}

void
gig_sync_set_backoff_ms (GigSync *self,
                         guint    min_ms,
                         guint    max_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  g_return_if_fail (min_ms > 0 && min_ms <= max_ms);
  gig_backoff_set_limits (&self->retry_backoff, min_ms, max_ms);
  gig_backoff_set_limits (&self->row_backoff, min_ms, max_ms);
}

void
gig_sync_set_health_timing (GigSync *self,
                            guint    interval_ms,
                            guint    timeout_ms,
                            guint    max_backoff_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  gig_server_health_set_timing (self->health, interval_ms, timeout_ms, max_backoff_ms);
}

void
gig_sync_set_intervals (GigSync *self,
                        guint    pull_interval_s,
                        guint    reconcile_interval_s)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  g_return_if_fail (pull_interval_s > 0);
  self->pull_interval_s = pull_interval_s;
  self->reconcile_interval_s = reconcile_interval_s;
  if (self->periodic_source != 0)
    {
      g_source_remove (self->periodic_source);
      self->periodic_source = g_timeout_add_seconds (pull_interval_s, _gig_sync_periodic_cb, self);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GObject                                                                                    */

static void
gig_sync_dispose (GObject *object)
{
  GigSync *self = GIG_SYNC (object);

  gig_sync_stop (self);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  if (self->session != NULL)
    g_clear_signal_handler (&self->session_state_id, self->session);

  G_OBJECT_CLASS (gig_sync_parent_class)->dispose (object);
}

static void
gig_sync_finalize (GObject *object)
{
  GigSync *self = GIG_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->health);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->own_versions, g_hash_table_unref);
  g_clear_pointer (&self->departures_handled, g_hash_table_unref);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  g_clear_pointer (&self->progress_text, g_free);

  G_OBJECT_CLASS (gig_sync_parent_class)->finalize (object);
}

static void
gig_sync_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GigSync *self = GIG_SYNC (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_uint (value, self->pending_count);
      break;
    case PROP_FAILED_COUNT:
      g_value_set_uint (value, self->failed_count);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_boxed (value, self->last_synced);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_CONFLICT_COUNT:
      g_value_set_uint (value, self->conflict_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_sync_class_init (GigSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_sync_dispose;
  object_class->finalize = gig_sync_finalize;
  object_class->get_property = gig_sync_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GIG_TYPE_SYNC_STATE, GIG_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILED_COUNT] =
    g_param_spec_uint ("failed-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_boxed ("last-synced", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, GIG_TYPE_SYNC_STATUS, GIG_SYNC_STATUS_SYNCED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFLICT_COUNT] =
    g_param_spec_uint ("conflict-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_REMOTE_RECORD_CHANGED] =
    g_signal_new ("remote-record-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_INT, G_TYPE_STRING, JSON_TYPE_OBJECT, JSON_TYPE_OBJECT);
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
gig_sync_init (GigSync *self)
{
  self->progress = -1;
  self->overlap_ms = DEFAULT_OVERLAP_MS;
  gig_backoff_init (&self->retry_backoff, &retry_policy);
  gig_backoff_init (&self->row_backoff, &row_policy);
  self->pull_interval_s = DEFAULT_PULL_INTERVAL_S;
  self->reconcile_interval_s = DEFAULT_RECONCILE_INTERVAL_S;
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->own_versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->departures_handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
