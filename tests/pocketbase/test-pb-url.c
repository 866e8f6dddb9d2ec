/* test-pb-url.c: plain http:// to another computer is recognised, and gigdesk-sync refuses
 * it without an explicit choice (before any network traffic) and warns with one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gig-test-pb.h"
#include "pocketbase/gig-pb-url.h"

static void
test_unencrypted_remote (void)
{
  const struct { const char *url; gboolean remote; } cases[] = {
    { "http://gigdesk.example.com", TRUE },
    { "http://gigdesk.example.com:8090/", TRUE },
    { "HTTP://GIGDESK.EXAMPLE.COM", TRUE },
    { "http://192.168.1.20:8090", TRUE },
    { "http://10.0.0.1", TRUE },
    { "http://[2001:db8::1]:8090", TRUE },
    { "http://localhost.example.com", TRUE },
    { "http://127.0.0.1.example.com", TRUE },
    { "https://gigdesk.example.com", FALSE },
    { "https://192.168.1.20", FALSE },
    { "http://127.0.0.1:8090", FALSE },
    { "http://127.8.9.10", FALSE },
    { "http://localhost:8090", FALSE },
    { "http://LOCALHOST.", FALSE },
    { "http://gigdesk.localhost", FALSE },
    { "http://[::1]:8090", FALSE },
    { "not an address", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].url);
      g_assert_cmpint (gig_pb_url_is_unencrypted_remote (cases[i].url), ==, cases[i].remote);
    }
  g_assert_false (gig_pb_url_is_unencrypted_remote (NULL));
}

/* Neither run touches the network: the first stops at the address, the second finds no
 * saved session for it in the (throwaway) keyring and asks for a sign-in. */
static void
test_sync_tool_refuses_plain_http (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gigdesk-url-XXXXXX", &error);
  g_autofree char *err = NULL;
  const char *refused[] = { "--server", "http://gigdesk.example.com:8090", "--data-dir", dir, NULL };
  const char *allowed[] = { "--server", "http://gigdesk.example.com:8090", "--data-dir", dir,
                            "--allow-insecure-http", NULL };

  g_assert_no_error (error);
  g_assert_cmpint (gig_test_run_sync_tool (refused, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "Refusing http://gigdesk.example.com:8090"));
  g_assert_nonnull (strstr (err, "--allow-insecure-http"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (gig_test_run_sync_tool (allowed, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Warning: http://gigdesk.example.com:8090 is plain http://"));
  g_assert_null (strstr (err, "Refusing"));
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* nothing was written */
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pb/url/unencrypted-remote", test_unencrypted_remote);
  g_test_add_func ("/pb/url/sync-tool-refuses-plain-http", test_sync_tool_refuses_plain_http);
  return g_test_run ();
}
