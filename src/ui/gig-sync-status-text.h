/* gig-sync-status-text.h: the words the window uses for the sync status
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "sync/gig-sync.h"

G_BEGIN_DECLS

typedef struct
{
  char       *subtitle;      /* under the window title, e.g. "Offline · 2 changes waiting" */
  char       *banner;        /* the strip under the header bar, or NULL to hide it */
  const char *button_label;  /* the strip's button (mnemonic), or NULL for none */
  const char *tooltip;       /* the last error, or NULL */
} GigSyncStatusText;

/* Describes @sync's status (NULL: no account). Free the result with gig_sync_status_text_clear. */
void gig_sync_status_text_init  (GigSyncStatusText *text,
                                 GigSync           *sync);
void gig_sync_status_text_clear (GigSyncStatusText *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GigSyncStatusText, gig_sync_status_text_clear)

G_END_DECLS
