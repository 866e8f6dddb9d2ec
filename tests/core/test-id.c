/* test-id.c: record ids, server stamps and token expiry: the core helpers every layer uses.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-id.h"
#include "core/gig-jwt.h"

static void
test_helpers (void)
{
  g_autoptr(GDateTime) dt = gig_stamp_parse ("2026-11-24 21:36:50.474Z");
  g_autofree char *text = NULL;
  g_autofree char *id = gig_id_new ();
  /* header {"alg":"HS256"} . payload {"exp":1795988192,"id":"x"} . signature */
  const char *token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTU5ODgxOTIsImlkIjoieCJ9.c2ln";

  g_assert_nonnull (dt);
  text = gig_stamp_format (dt);
  g_assert_cmpstr (text, ==, "2026-11-24 21:36:50.474Z");
  g_assert_null (gig_stamp_parse ("yesterday"));

  g_assert_true (gig_id_is_valid (id));
  g_assert_false (gig_id_is_valid ("ABCDEFGHIJKLMNO"));
  g_assert_false (gig_id_is_valid ("short"));

  g_assert_cmpint (gig_jwt_get_expiry (token), ==, 1795988192);
  g_assert_cmpint (gig_jwt_get_expiry ("not a token"), ==, 0);
  g_assert_cmpint (gig_jwt_get_expiry ("a.!!!.c"), ==, 0);
}

/* Wall-clock microseconds as a stamp: milliseconds kept, microseconds dropped, never before 1970. */
static void
test_stamp_from_unix (void)
{
  g_autofree char *epoch = gig_stamp_from_unix_usec (0);
  g_autofree char *before = gig_stamp_from_unix_usec (-5 * G_USEC_PER_SEC);
  g_autofree char *when = gig_stamp_from_unix_usec (G_GINT64_CONSTANT (1795988192123456));
  g_autoptr(GDateTime) parsed = NULL;

  g_assert_cmpstr (epoch, ==, "1970-01-01 00:00:00.000Z");
  g_assert_cmpstr (before, ==, "1970-01-01 00:00:00.000Z");
  g_assert_cmpstr (when, ==, "2026-11-29 21:36:32.123Z");
  g_assert_true (gig_stamp_is_valid (when));
  parsed = gig_stamp_parse ("2026-11-29T21:36:32.123Z");
  g_assert_nonnull (parsed);
  g_assert_cmpint (g_date_time_to_unix (parsed), ==, 1795988192);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id/helpers", test_helpers);
  g_test_add_func ("/id/stamp-from-unix", test_stamp_from_unix);
  return g_test_run ();
}
