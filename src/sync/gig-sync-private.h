/* gig-sync-private.h: what the parts of GigSync share: the instance, one cycle, and the calls
 * between gig-sync.c (state, public API), gig-sync-cycle.c (one run, its end and retry),
 * gig-sync-pull.c, gig-sync-push.c, gig-sync-reconcile.c and gig-sync-triggers.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "core/gig-backoff.h"
#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-realtime.h"
#include "sync/gig-server-health.h"
#include "sync/gig-sync.h"

G_BEGIN_DECLS

typedef struct _Cycle Cycle;

struct _GigSync
{
  GObject          parent_instance;

  GigStore        *store;
  GigPbClient     *client;
  GigSession      *session;
  GigPbRealtime   *realtime;
  GNetworkMonitor *monitor;
  gulong           store_changed_id;
  gulong           session_state_id;
  gulong           network_changed_id;
  GigServerHealth *health;

  GigSyncState     state;
  GigSyncStatus    status;
  guint            pending_count;
  guint            failed_count;
  guint            conflict_count;
  char            *last_error;
  GDateTime       *last_synced;
  double           progress;
  char            *progress_text;

  guint            overlap_ms;
  GigBackoff       retry_backoff;       /* the engine's retries after a failed cycle */
  GigBackoff       row_backoff;         /* one outbox row's retries, by its attempts */
  guint            pull_interval_s;
  guint            reconcile_interval_s;

  gboolean         started;
  gboolean         batch_unsupported;   /* the server refused /api/batch: push one by one */
  gboolean         reconcile_requested;
  gboolean         pull_requested;      /* the next cycle must pull, not only push */
  gboolean         again;               /* a cycle was asked for while one ran */
  Cycle           *cycle;               /* the running cycle, or NULL */
  GPtrArray       *waiters;             /* GTasks of once_async for the next cycle */
  gboolean         counts_dirty;        /* a change came while a page was being written */
  guint            live_applied;        /* live events applied so far (see pull_filter_older) */

  guint            retry_source;
  guint            periodic_source;
  guint            push_source;

  /* "collection:id" of records being pushed, and "collection:id" → `updated` of the server's
   * answers to our pushes: their echoes are not someone else's changes. */
  GHashTable      *in_flight;
  GHashTable      *own_versions;
  GHashTable      *departures_handled;  /* departure ids re-checked already (overlap re-reads) */
};

/* One run: pull every collection, push the outbox, reconcile when due. */
struct _Cycle
{
  GigSync      *self;           /* strong */
  GCancellable *cancellable;
  gint64        started;        /* monotonic µs, for the debug log */
  GPtrArray    *waiters;        /* GTask */
  gboolean      do_pull;
  gboolean      do_reconcile;
  guint         pulls_running;  /* the collections are pulled side by side */
  guint         applying;       /* pages being written on the store's worker */
  GError       *pull_error;     /* the first failure of a pull */
  guint         received;
  guint         skipped;        /* server records not stored: id or `updated` not valid */
  /* push */
  GPtrArray    *entries;        /* GigOutboxEntry of the current round */
  guint         entry_index;
  GPtrArray    *to_fail;        /* GigOutboxEntry with error message in last_error */
  guint         pushed;
  guint         push_total;
  guint         failed;
  /* reconcile */
  char         *rec_after_updated;
  char         *rec_after_id;
  guint         rec_collection;
  GHashTable   *rec_ids[GIG_N_RECORD_COLLECTIONS];
  GError       *error;
};

/* What a page or a live event changes, found before it is applied (gig-sync-pull.c). */
typedef struct
{
  GigCollection  collection;
  GPtrArray     *records;       /* the records to apply: JsonObject, or GigRawRecord without befores */
  GPtrArray     *befores;       /* JsonObject or NULL per record (local views), or NULL */
  GPtrArray     *conflicts;     /* JsonObject or NULL per record: server values that clash */
} Analysis;

void _gig_sync_analysis_free (Analysis *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Analysis, _gig_sync_analysis_free)

/* gig-sync.c: state and small helpers */
gboolean
_gig_sync_network_available (GigSync *self);
void
_gig_sync_set_last_error (GigSync    *self,
                          const char *message);
/* "last-synced" is now. */
void
_gig_sync_set_synced_now (GigSync *self);
gboolean
_gig_sync_error_is_auth (const GError *error);
char *
_gig_sync_record_key (GigCollection  collection,
                      const char    *id);
const char *
_gig_sync_record_updated (JsonObject *record);
void
_gig_sync_set_progress (GigSync    *self,
                        double      progress,
                        const char *text);
void
_gig_sync_set_state (GigSync      *self,
                     GigSyncState  state);
void
_gig_sync_update_counts (GigSync *self);
void
_gig_sync_update_status (GigSync *self);
void
_gig_sync_warn_store (const GError *error,
                      const char   *what,
                      const char   *id);
void
_gig_sync_emit_conflict (GigSync       *self,
                         GigCollection  collection,
                         const char    *id);
void
_gig_sync_emit_remote_change (GigSync       *self,
                              GigCollection  collection,
                              const char    *id,
                              JsonObject    *before,
                              JsonObject    *record);

/* gig-sync-cycle.c: one run; a finished run (@error taken) schedules what comes next */
void
_gig_sync_cycle_finish (Cycle  *cycle,
                        GError *error);
void
_gig_sync_cycle_request (GigSync  *self,
                         gboolean  pull);

/* gig-sync-pull.c: pages in, and what they change */
Analysis *
_gig_sync_analyse_records (GigSync       *self,
                           GigCollection  collection,
                           GPtrArray     *records,
                           gboolean       look);
void
_gig_sync_analysis_emit (GigSync  *self,
                         Analysis *a);
void
_gig_sync_cycle_pull (Cycle *cycle);
GigRawRecord *
_gig_sync_page_last_valid (GPtrArray *page);
void
_gig_sync_pull_applied_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data);

/* gig-sync-push.c: the outbox out */
void
_gig_sync_cycle_push_round (Cycle *cycle);

/* gig-sync-reconcile.c: the full listing of ids, when due */
void
_gig_sync_cycle_reconcile (Cycle *cycle);

/* gig-sync-triggers.c: live events, health, network, session, local writes, timers */
void
_gig_sync_health_changed_cb (GigServerHealth *health,
                             GParamSpec      *pspec,
                             GigSync         *self);
void
_gig_sync_network_changed_cb (GNetworkMonitor *monitor,
                              gboolean         available,
                              GigSync         *self);
gboolean
_gig_sync_periodic_cb (gpointer user_data);
void
_gig_sync_realtime_connected_cb (GigPbRealtime *realtime,
                                 const char    *client_id,
                                 gboolean       is_reconnect,
                                 GigSync       *self);
void
_gig_sync_realtime_disconnected_cb (GigPbRealtime *realtime,
                                    GError        *error,
                                    GigSync       *self);
void
_gig_sync_realtime_event_cb (GigPbRealtime *realtime,
                             const char    *collection_name,
                             const char    *action,
                             JsonObject    *record,
                             GigSync       *self);
void
_gig_sync_request_reconcile (GigSync *self);
void
_gig_sync_session_state_cb (GigSession *session,
                            GParamSpec *pspec,
                            GigSync    *self);
void
_gig_sync_store_changed_cb (GigStore  *store,
                            int        collection,
                            GStrv      ids,
                            GigSync   *self);

G_END_DECLS
