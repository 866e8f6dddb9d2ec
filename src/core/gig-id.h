/* gig-id.h: record ids and server timestamps, made and checked in one place
 *
 * SPDX-License-Identifier: MIT
 *
 * Every record id is PocketBase's default form, 15 characters of [a-z0-9] (the sync contract):
 * the desktop makes them for its own records, and ids from the server are checked against the
 * same form before they become a file name, a filter literal or a cache row. Timestamps are
 * PocketBase's "YYYY-MM-DD HH:MM:SS.sssZ" (UTC, fixed width, so text order is time order).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GIG_ID_LENGTH 15
#define GIG_STAMP_LENGTH 24

/* A new record id from the kernel's CSPRNG, every character equally likely. */
char        *gig_id_new            (void);
/* TRUE if @id is exactly 15 characters of [a-z0-9] (FALSE for NULL). */
gboolean     gig_id_is_valid       (const char *id);

/* TRUE if @stamp is "YYYY-MM-DD HH:MM:SS.sssZ" with plausible fields (FALSE for NULL). */
gboolean     gig_stamp_is_valid    (const char *stamp);
/* @dt (any zone) as such a stamp, in UTC. */
char        *gig_stamp_format      (GDateTime  *dt);
/* The current time as such a stamp. */
char        *gig_stamp_now         (void);
/* @usec microseconds after the Unix epoch (earlier times: the epoch) as such a stamp. */
char        *gig_stamp_from_unix_usec (gint64   usec);
/* Parses such a stamp (and the ISO form with 'T'); NULL if @text is not one. */
GDateTime   *gig_stamp_parse       (const char *text);

G_END_DECLS
