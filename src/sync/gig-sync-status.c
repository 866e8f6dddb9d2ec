/* gig-sync-status.c: the sync status shown to the user
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include "sync/gig-sync-status.h"

G_DEFINE_ENUM_TYPE (GigSyncStatus, gig_sync_status,
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_SYNCED, "synced"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_CONFLICTS, "conflicts"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATUS_SIGN_IN_NEEDED, "sign-in-needed"))

GigSyncStatus
gig_sync_status_derive (const GigSyncSignals *signals)
{
  g_return_val_if_fail (signals != NULL, GIG_SYNC_STATUS_ERROR);

  if (signals->sign_in_needed)
    return GIG_SYNC_STATUS_SIGN_IN_NEEDED;
  /* A cycle under way cannot make a server that stopped answering reachable: offline wins over
   * syncing, and a cycle stuck on a silent server shows as offline, not as a spinner. */
  if (!signals->network_available || !signals->server_reachable || signals->cycle_offline)
    return GIG_SYNC_STATUS_OFFLINE;
  if (signals->conflict_count > 0)
    return GIG_SYNC_STATUS_CONFLICTS;
  if (signals->failed_count > 0 || signals->cycle_failed)
    return GIG_SYNC_STATUS_ERROR;
  /* Changes waiting on a reachable server are about to be sent (the push is debounced). */
  if (signals->cycle_running || signals->pending_count > 0)
    return GIG_SYNC_STATUS_SYNCING;
  return GIG_SYNC_STATUS_SYNCED;
}
