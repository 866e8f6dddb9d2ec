/* gig-server-health.h: does the PocketBase server answer?
 *
 * SPDX-License-Identifier: MIT
 *
 * Asks GET /api/health periodically while started. A server that does not answer within the
 * timeout (a stopped process keeps its connections open and says nothing) counts as unreachable,
 * as does a refused connection; checks then come with capped exponential backoff and jitter
 * until one succeeds. Other signals feed it: a failed or successful request, the realtime stream
 * dropping or connecting, the network coming back.
 *
 * Property "reachable" (boolean, read-only, notified on change): TRUE until a check or a request
 * says otherwise.
 */
#pragma once

#include "pocketbase/gig-pb-client.h"

G_BEGIN_DECLS

#define GIG_TYPE_SERVER_HEALTH (gig_server_health_get_type ())
G_DECLARE_FINAL_TYPE (GigServerHealth, gig_server_health, GIG, SERVER_HEALTH, GObject)

GigServerHealth *gig_server_health_new          (GigPbClient     *client);
/* Checks at once, then every interval while the server answers. */
void             gig_server_health_start        (GigServerHealth *self);
void             gig_server_health_stop         (GigServerHealth *self);
/* Something suggests the answer changed (the stream dropped, the network changed): check now,
 * unless a check is already under way. Does nothing when stopped. */
void             gig_server_health_check_now    (GigServerHealth *self);
/* A request reached the server (TRUE) or failed for a network error (FALSE). */
void             gig_server_health_report       (GigServerHealth *self,
                                                 gboolean         reachable);
gboolean         gig_server_health_get_reachable (GigServerHealth *self);
/* Defaults: a check every 10 000 ms while reachable, 4 000 ms to answer, retries from 1 000 ms
 * doubling up to 30 000 ms while not. */
void             gig_server_health_set_timing   (GigServerHealth *self,
                                                 guint            interval_ms,
                                                 guint            timeout_ms,
                                                 guint            max_backoff_ms);

G_END_DECLS
