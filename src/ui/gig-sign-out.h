/* gig-sign-out.h: signing out never drops unsent work silently
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"
#include "sync/gig-sync.h"

G_BEGIN_DECLS

/* Decides whether signing out may remove the account's files. With nothing unsent it answers
 * TRUE at once. Online, it first pushes the outbox (waiting at most @push_timeout_ms). If work
 * would still be lost, an AdwMessageDialog over @parent says exactly what (counts per kind) and
 * offers Cancel (FALSE) or a destructive Sign Out Anyway (TRUE). */
void      gig_sign_out_confirm_async  (GtkWindow           *parent,
                                       GigStore            *store,
                                       GigSync             *sync,
                                       guint                push_timeout_ms,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean  gig_sign_out_confirm_finish (GAsyncResult        *result);

/* The dialog's list of what would be lost, one "• 2 drafts" line per kind; NULL if nothing. */
char     *gig_sign_out_describe       (const GigStoreUnsent *unsent);

G_END_DECLS
