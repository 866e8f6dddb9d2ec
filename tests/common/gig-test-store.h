/* gig-test-store.h: a store over a real SQLite file in a fresh temporary folder, and its removal.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "store/gig-store.h"

G_BEGIN_DECLS

/* A new store in a new folder named from @template (as g_dir_make_tmp takes it); the folder's
 * path in *@out_dir (free it with gig_test_store_remove). */
GigStore *gig_test_store_new_temp (const char  *template,
                                   char       **out_dir);
/* Closes and unrefs *@store, removes its files and @dir, and frees @dir. */
void      gig_test_store_remove   (GigStore   **store,
                                   char        *dir);

G_END_DECLS
