/* gig-backoff.h: how long to wait before trying again after failures in a row.
 *
 * One policy type for every retry in the app (sync cycles and rows, the realtime stream, server
 * health checks, the chat socket and chat outbox): a first delay that grows (doubling, or by a
 * fixed step) up to a cap, with random jitter so many clients cut off together do not come back
 * in step. The random source can be replaced, so tests get exact delays.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Uniform over all 32-bit values; 0 gives the shortest delay of the jitter window, G_MAXUINT32
 * the longest. */
typedef guint32 (*GigBackoffRandomFunc) (gpointer user_data);

typedef struct
{
  guint first_ms;             /* the delay after the first failure */
  guint step_ms;              /* 0: each delay doubles the one before; else it grows by step_ms */
  guint max_ms;               /* no delay is longer, jitter included */
  guint jitter_below_percent; /* up to this share of a delay is taken off at random (0–100) */
  guint jitter_above_percent; /* up to this share is added at random (0–100) */
} GigBackoffPolicy;

/* Embedded in its owner and set up with gig_backoff_init; the members are private. */
typedef struct
{
  GigBackoffPolicy     policy;
  guint                failures;
  GigBackoffRandomFunc random;
  gpointer             random_data;
} GigBackoff;

void   gig_backoff_init          (GigBackoff             *backoff,
                                  const GigBackoffPolicy *policy);
/* Replaces the random source (NULL: GLib's). */
void   gig_backoff_set_random    (GigBackoff             *backoff,
                                  GigBackoffRandomFunc    random,
                                  gpointer                random_data);
/* Changes the first delay and the cap (first_ms > 0, first_ms <= max_ms). */
void   gig_backoff_set_limits    (GigBackoff             *backoff,
                                  guint                   first_ms,
                                  guint                   max_ms);
const GigBackoffPolicy *
       gig_backoff_get_policy    (const GigBackoff       *backoff);

/* Counts one more failure and returns how long to wait before the next try. */
guint  gig_backoff_next_ms       (GigBackoff             *backoff);
/* A success: the next failure starts again at the first delay. */
void   gig_backoff_reset         (GigBackoff             *backoff);
guint  gig_backoff_get_failures  (const GigBackoff       *backoff);

/* The wait after @failures failures in a row (0 for none), for callers that keep the count
 * themselves (an outbox row's attempts); the object's own count is left alone. */
guint  gig_backoff_delay_ms      (const GigBackoff       *backoff,
                                  guint                   failures);

G_END_DECLS
