/* gig-test-async.h: run one async call to completion in a test.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

static inline void
gig_test_async_store (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Iterates the default main context until *@result is set (by gig_test_async_store). */
static inline GAsyncResult *
gig_test_async_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* Iterates until @condition(@data) or @timeout_ms; returns the condition's last value. */
static inline gboolean
gig_test_wait_until (gboolean (*condition) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return condition (data);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}
