/* gig-unread-counts.h: how many chat messages each project has that the user has not read
 *
 * SPDX-License-Identifier: MIT
 *
 * Follows the chat cache (messages and the read state the chat protocol carries: the
 * `read` list of a channel query, `message.read` and `notification.mark_read` events, and our
 * own mark-read calls) and recounts once per main-loop turn after a change.
 *
 * Signal "changed": the counts were recounted (some may be the same).
 */
#pragma once

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_UNREAD_COUNTS (gig_unread_counts_get_type ())
G_DECLARE_FINAL_TYPE (GigUnreadCounts, gig_unread_counts, GIG, UNREAD_COUNTS, GObject)

/* @me: the signed-in user (whose own messages never count). */
GigUnreadCounts *gig_unread_counts_new         (GigStore        *store,
                                                const char      *me);
guint            gig_unread_counts_get_channel (GigUnreadCounts *self,
                                                const char      *cid);
/* Messages unread in the project's channel. */
guint            gig_unread_counts_get_project (GigUnreadCounts *self,
                                                const char      *project_id);
/* Recounts now (normally done by itself after a change). */
void             gig_unread_counts_refresh     (GigUnreadCounts *self);

G_END_DECLS
