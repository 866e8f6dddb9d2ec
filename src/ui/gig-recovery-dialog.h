/* gig-recovery-dialog.h: a damaged offline copy, recovered with the user's consent
 *
 * SPDX-License-Identifier: MIT
 *
 * When an account's cache cannot be opened because it is damaged, or its check finds it damaged
 * after it was opened, the user is asked; on "Recover" the damaged file is kept aside and what
 * can be read is carried into a fresh cache (gig_store_recover), and a second dialog says what
 * was carried over and what was not.
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_RECOVERY_DIALOG (gig_recovery_dialog_get_type ())

G_DECLARE_FINAL_TYPE (GigRecoveryDialog, gig_recovery_dialog, GIG, RECOVERY_DIALOG, AdwMessageDialog)

/* Asks whether to recover; @problem is the store's message. Responses: "later", "recover". */
GigRecoveryDialog *gig_recovery_dialog_new_question (GtkWindow              *parent,
                                                     const char             *problem);
/* Says what @recovery carried over and what it could not read. Response: "close". */
GigRecoveryDialog *gig_recovery_dialog_new_report   (GtkWindow              *parent,
                                                     const GigStoreRecovery *recovery);
/* The report's text (also for logs and tests). */
char              *gig_recovery_describe            (const GigStoreRecovery *recovery);

/* Opens the cache at @path; if it is damaged, asks, recovers and reports over @parent, then opens
 * the fresh cache. Fails with the store's GIG_STORE_ERROR_CORRUPT if the user says "Not now". */
void               gig_recovery_open_store_async    (GtkWindow              *parent,
                                                     const char             *path,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
/* The same from the question on, for a cache whose store reported @problem after it was opened
 * (GigStore::damaged) and has been closed since. Finish with gig_recovery_open_store_finish. */
void               gig_recovery_recover_store_async (GtkWindow              *parent,
                                                     const char             *path,
                                                     const GError           *problem,
                                                     GCancellable           *cancellable,
                                                     GAsyncReadyCallback     callback,
                                                     gpointer                user_data);
GigStore          *gig_recovery_open_store_finish   (GAsyncResult           *result,
                                                     GError                **error);

G_END_DECLS
