/* gig-sync-reconcile.h: records that left the user's view, found through the server's departures
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pocketbase/gig-pb-client.h"
#include "session/gig-session.h"
#include "store/gig-store.h"

G_BEGIN_DECLS

/* Departures older than this are dropped by the server (pb/: 30 days, a day of margin here): a
 * cache whose last departures pull is older re-lists its ids instead. */
#define GIG_SYNC_DEPARTURES_RETENTION_S (29 * 24 * 60 * 60)

/* One step of a pull cycle: pulls `sync_departures` past the cache's cursor (re-reading
 * @overlap_ms behind it, as record pulls do), re-checks every cached record a row names with a
 * list by id under the user's rules, and removes the synced ones the server no longer lists
 * (under a token verified before and after). Marks a full reconciliation as needed when the
 * departures can't cover the gap since the last one. @handled (departure id → TRUE, owned by
 * the caller, kept between cycles) skips rows already re-checked in an overlap re-read. A server
 * without departures is not an error: nothing is removed. */
void      gig_sync_departures_async  (GigStore            *store,
                                      GigPbClient         *client,
                                      GigSession          *session,
                                      guint                overlap_ms,
                                      GHashTable          *handled,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  gig_sync_departures_finish (GAsyncResult        *result,
                                      guint               *out_removed,
                                      GError             **error);

G_END_DECLS
