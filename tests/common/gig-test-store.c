/* gig-test-store.c: a store over a real SQLite file in a fresh temporary folder.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gig-test-store.h"

#include <glib/gstdio.h>

GigStore *
gig_test_store_new_temp (const char  *template,
                         char       **out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp (template, &error);
  g_autofree char *path = NULL;
  GigStore *store;

  g_assert_no_error (error);
  path = g_build_filename (dir, "cache.sqlite", NULL);
  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  *out_dir = g_steal_pointer (&dir);
  return store;
}

void
gig_test_store_remove (GigStore **store,
                       char      *dir)
{
  g_autofree char *path = g_strdup (gig_store_get_path (*store));

  gig_store_close (*store);
  g_clear_object (store);
  g_assert_true (gig_store_remove_files (path, NULL));
  g_rmdir (dir);
  g_free (dir);
}
