/* gig-pb-realtime.h: PocketBase realtime (server-sent events) subscription.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pocketbase/gig-pb-client.h"

G_BEGIN_DECLS

#define GIG_TYPE_PB_REALTIME (gig_pb_realtime_get_type ())
G_DECLARE_FINAL_TYPE (GigPbRealtime, gig_pb_realtime, GIG, PB_REALTIME, GObject)

/* Uses @client's base URL, HTTP session and current token.
 *
 * Signals:
 *   "connected" (const char *client_id, gboolean is_reconnect): the stream is up and the
 *       subscriptions were accepted. After a reconnect the server replays nothing, so this is
 *       where a catch-up pull belongs.
 *   "disconnected" (GError *error): the stream ended (server gone, idle close after 300 s, ...);
 *       a reconnect is scheduled with capped, jittered exponential backoff.
 *   "event" (const char *collection, const char *action, JsonObject *record): action is
 *       "create", "update" or "delete"; the record is the full server record.
 * Properties: "connected" (boolean), "client-id" (string), "max-backoff-ms" (uint). */
GigPbRealtime *gig_pb_realtime_new               (GigPbClient         *client);
GigPbClient   *gig_pb_realtime_get_client        (GigPbRealtime       *self);
/* Topics: "<collection>/" followed by a star for a whole collection, or "<collection>/<id>".
 * Replaces the set (re-posted at once when connected). */
void           gig_pb_realtime_set_subscriptions (GigPbRealtime       *self,
                                                  const char * const  *topics);
void           gig_pb_realtime_start             (GigPbRealtime       *self);
void           gig_pb_realtime_stop              (GigPbRealtime       *self);
gboolean       gig_pb_realtime_get_connected     (GigPbRealtime       *self);
const char    *gig_pb_realtime_get_client_id     (GigPbRealtime       *self);
/* Upper bound of the reconnect delay (default 30 000 ms; the first retry comes after ~250 ms). */
void           gig_pb_realtime_set_max_backoff_ms (GigPbRealtime      *self,
                                                   guint               max_backoff_ms);
/* Seconds from opening the stream to its first message (default 30): a server slower than this
 * (trickling its headers, or never saying PB_CONNECT) ends the attempt with a "took longer"
 * network error, and the reconnect backoff takes over. */
void           gig_pb_realtime_set_connect_deadline (GigPbRealtime    *self,
                                                     guint             seconds);

G_END_DECLS
