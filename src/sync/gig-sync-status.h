/* gig-sync-status.h: what the window says about sync, derived from real signals
 *
 * SPDX-License-Identifier: MIT
 *
 * The engine's own state says what a cycle did last; the status shown to the user also weighs
 * what is true now: whether the network is up, whether the server answers its health check,
 * what waits in the outbox and which records are in conflict. "Synced" is said only when none
 * of the other statuses holds.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  GIG_SYNC_STATUS_SYNCED,          /* nothing waits, nothing failed, the server answers */
  GIG_SYNC_STATUS_SYNCING,         /* a cycle runs or local changes are about to be sent */
  GIG_SYNC_STATUS_OFFLINE,         /* no network, or the server does not answer; changes wait */
  GIG_SYNC_STATUS_CONFLICTS,       /* records changed here and on the server wait for the user */
  GIG_SYNC_STATUS_ERROR,           /* the server refused changes, or the last cycle failed */
  GIG_SYNC_STATUS_SIGN_IN_NEEDED,  /* the token expired or was revoked; nothing is sent */
} GigSyncStatus;

#define GIG_TYPE_SYNC_STATUS (gig_sync_status_get_type ())
GType gig_sync_status_get_type (void) G_GNUC_CONST;

/* The signals the status is derived from. */
typedef struct
{
  gboolean network_available;  /* GNetworkMonitor */
  gboolean server_reachable;   /* health checks, realtime stream, requests */
  gboolean sign_in_needed;
  gboolean cycle_running;
  gboolean cycle_offline;      /* the last cycle failed for a network error */
  gboolean cycle_failed;       /* the last cycle failed for another reason */
  guint    pending_count;
  guint    failed_count;
  guint    conflict_count;
} GigSyncSignals;

/* In order of precedence: sign-in needed, offline, conflicts, error, syncing, synced. */
GigSyncStatus gig_sync_status_derive (const GigSyncSignals *signals);

G_END_DECLS
