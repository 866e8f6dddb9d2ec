/* gig-store-departures.h: what the cache keeps for convergence with the server's view
 *
 * SPDX-License-Identifier: MIT
 *
 * The server lists, in `sync_departures`, records that may have left the user's view (see
 * ARCHITECTURE.md, sync contract). The sync engine pulls those rows by a cursor of their own
 * and removes the records the server no longer lists for the user.
 */
#pragma once

#include "gig-store.h"

G_BEGIN_DECLS

/* The departures cursor: (updated, id) of the last row handled and the wall-clock time (µs)
 * the pull that reached it started. FALSE if there is none yet. */
gboolean gig_store_get_departures_cursor (GigStore    *self,
                                          char       **out_updated,
                                          char       **out_id,
                                          gint64      *out_pulled_at);
gboolean gig_store_set_departures_cursor (GigStore    *self,
                                          const char  *updated,
                                          const char  *id,
                                          gint64       pulled_at,
                                          GError     **error);

/* In one transaction, removes each of @ids (with @stamps[i], the record's `updated` when it
 * left the view, "" if unknown) whose cached copy is synced and not newer than its stamp: a
 * newer copy came back into view after the change. Only call it for ids the server did not
 * list under a verified token. Emits `changed` for the removed ids. */
gboolean gig_store_remove_departed       (GigStore           *self,
                                          GigCollection       collection,
                                          const char * const *ids,
                                          const char * const *stamps,
                                          guint               n_ids,
                                          guint              *out_removed,
                                          GError            **error);

/* Persists "re-list every collection's ids at the next pull" (a reconciliation), so that it
 * survives a crash or a restart before it ran. */
gboolean gig_store_request_reconcile     (GigStore           *self,
                                          GError            **error);

/* The oldest last reconciliation (or first full pull) over the record collections, µs; 0 if
 * some collection never had one. */
gint64   gig_store_get_oldest_reconcile  (GigStore           *self);

G_END_DECLS
