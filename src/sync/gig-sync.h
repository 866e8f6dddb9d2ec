/* gig-sync.h: keeps the local store and PocketBase converged
 *
 * SPDX-License-Identifier: MIT
 *
 * GigSync is the only object that talks to both the store and the network. A cycle pulls every
 * collection (keyset paging on `updated,id`, re-reading an overlap window behind the cursor so
 * that records committed late by concurrent transactions are not missed), then drains the outbox
 * (batches where possible, creates with client-made ids, updates with only the changed fields),
 * then reconciles ids when that is due and the token was verified. Once started it also follows
 * the realtime stream and pulls after every (re)connect.
 *
 * Properties (all read-only, notified on change):
 *   "state"          GigSyncState   what the engine's last cycle did
 *   "status"         GigSyncStatus  what to tell the user, derived from real signals: the
 *                    network monitor, health checks of the server, the realtime stream, failed
 *                    requests, the outbox and conflicts (see gig-sync-status.h)
 *   "conflict-count" guint    records waiting for the user to resolve a conflict
 *   "pending-count"  guint    outbox rows still to push (failed ones not included)
 *   "failed-count"   guint    outbox rows the server refused for good
 *   "last-error"     string   user-readable message of the last failure, NULL after a success
 *   "last-synced"    GDateTime, NULL before the first complete cycle
 *   "progress"       double   0..1, or -1 when the total is unknown (a first pull)
 *   "progress-text"  string   e.g. "3,200 records received" or "3 of 10 changes sent"
 *
 * Signals:
 *   "remote-record-changed" (int collection, const char *id, JsonObject *before (nullable),
 *       JsonObject *after): a record changed by someone else arrived (live event or a pull after
 *       the first one). Not emitted for the echo of our own pushes.
 *   "conflict" (int collection, const char *id): a field was changed both here and on the
 *       server; the record waits until the user resolves it (gig_store_resolve_conflict).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"
#include "pocketbase/gig-pb-client.h"
#include "session/gig-session.h"
#include "sync/gig-sync-status.h"

G_BEGIN_DECLS

#define GIG_SYNC_ERROR (gig_sync_error_quark ())

typedef enum {
  GIG_SYNC_ERROR_SIGN_IN_NEEDED,  /* the token expired or was revoked; nothing was deleted */
  GIG_SYNC_ERROR_STOPPED,         /* gig_sync_stop() or dispose ended the work */
  GIG_SYNC_ERROR_PUSH_FAILED,     /* some outbox rows could not be pushed (kept; see messages) */
  GIG_SYNC_ERROR_RECORDS_SKIPPED, /* all synced but some server records were not valid (not stored) */
} GigSyncError;

GQuark gig_sync_error_quark (void);

typedef enum {
  GIG_SYNC_STATE_IDLE,            /* nothing to do, all pushed and pulled ("Synced") */
  GIG_SYNC_STATE_SYNCING,         /* pulling or pushing; see progress */
  GIG_SYNC_STATE_OFFLINE,         /* network unavailable or server unreachable; retrying */
  GIG_SYNC_STATE_ERROR,           /* last attempt failed for another reason; see last-error */
  GIG_SYNC_STATE_SIGN_IN_NEEDED,  /* token expired or revoked; outbox kept */
} GigSyncState;

#define GIG_TYPE_SYNC_STATE (gig_sync_state_get_type ())
GType gig_sync_state_get_type (void) G_GNUC_CONST;

#define GIG_TYPE_SYNC (gig_sync_get_type ())
G_DECLARE_FINAL_TYPE (GigSync, gig_sync, GIG, SYNC, GObject)

GigSync      *gig_sync_new                 (GigStore            *store,
                                            GigPbClient         *client,
                                            GigSession          *session);

/* Pull, then follow the realtime stream and push local writes as they are made. Failures are
 * retried with capped exponential backoff with jitter; a network that comes back (according to
 * GNetworkMonitor) retries at once. */
void          gig_sync_start               (GigSync             *self);
/* Stops following and retrying; a cycle under way is cancelled. */
void          gig_sync_stop                (GigSync             *self);
/* "Sync Now": run a cycle immediately, skipping any backoff wait. */
void          gig_sync_now                 (GigSync             *self);

/* One cycle: pull every collection, then push until the outbox has nothing left that can be
 * sent. Fails with GIG_PB_ERROR (network, server, malformed answers) or GIG_SYNC_ERROR. */
void          gig_sync_once_async          (GigSync             *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean      gig_sync_once_finish         (GigSync             *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Asks the next cycle to reconcile ids (done only after the token was verified by the server). */
void          gig_sync_request_reconcile   (GigSync             *self);

GigSyncState  gig_sync_get_state           (GigSync             *self);
GigSyncStatus gig_sync_get_status          (GigSync             *self);
guint         gig_sync_get_conflict_count  (GigSync             *self);
/* FALSE once a health check or a request found the server not answering (while started). */
gboolean      gig_sync_get_server_reachable (GigSync            *self);
guint         gig_sync_get_pending_count   (GigSync             *self);
guint         gig_sync_get_failed_count    (GigSync             *self);
const char   *gig_sync_get_last_error      (GigSync             *self);
GDateTime    *gig_sync_get_last_synced     (GigSync             *self);
double        gig_sync_get_progress        (GigSync             *self);
const char   *gig_sync_get_progress_text   (GigSync             *self);

/* Tuning, mostly for tests and benchmarks. The overlap window is how far behind the time a pull
 * started the next pull re-reads (default 35 000 ms: longer than the server's batch timeout, so a
 * transaction that stamped `updated` before our read and committed after it is still seen). */
void          gig_sync_set_overlap_ms      (GigSync             *self,
                                            guint                overlap_ms);
/* Backoff bounds (defaults 1 000 ms and 300 000 ms). */
void          gig_sync_set_backoff_ms      (GigSync             *self,
                                            guint                min_ms,
                                            guint                max_ms);
/* Health checks of the server while started (defaults: every 10 000 ms while it answers,
 * 4 000 ms to answer, retries backing off up to 30 000 ms while it does not). */
void          gig_sync_set_health_timing   (GigSync             *self,
                                            guint                interval_ms,
                                            guint                timeout_ms,
                                            guint                max_backoff_ms);
/* How often a started engine pulls without an event and reconciles (defaults 5 min, 1 h). */
void          gig_sync_set_intervals       (GigSync             *self,
                                            guint                pull_interval_s,
                                            guint                reconcile_interval_s);

G_END_DECLS
