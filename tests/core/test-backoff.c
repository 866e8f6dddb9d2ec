/* test-backoff.c: the one retry backoff: growth, cap, jitter window, reset, no overflow.
 * The random source is injected, so every delay is exact.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-backoff.h"

static guint32
fixed_random (gpointer user_data)
{
  return *(guint32 *) user_data;
}

/* Doubling from the first delay up to the cap; no failures, no wait. */
static void
test_doubling (void)
{
  const GigBackoffPolicy policy = { .first_ms = 1000, .max_ms = 5000 };
  const guint expected[] = { 1000, 2000, 4000, 5000, 5000 };
  GigBackoff backoff;

  gig_backoff_init (&backoff, &policy);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 0), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, expected[i]);
      g_assert_cmpuint (gig_backoff_get_failures (&backoff), ==, i + 1);
    }
}

/* Growing by a fixed step (the chat socket's schedule). */
static void
test_linear (void)
{
  const GigBackoffPolicy policy = { .first_ms = 2500, .step_ms = 2000, .max_ms = 25000 };
  GigBackoff backoff;

  gig_backoff_init (&backoff, &policy);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 2500);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 2), ==, 4500);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 12), ==, 24500);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 13), ==, 25000);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1000), ==, 25000);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, G_MAXUINT), ==, 25000);
  /* the object's own count is left alone */
  g_assert_cmpuint (gig_backoff_get_failures (&backoff), ==, 0);
}

/* The random value's ends are the window's ends; the cap holds with jitter added. */
static void
test_jitter_window (void)
{
  const GigBackoffPolicy spread = { .first_ms = 1000, .max_ms = 4000,
                                    .jitter_below_percent = 25, .jitter_above_percent = 25 };
  const GigBackoffPolicy below = { .first_ms = 250, .max_ms = 30000, .jitter_below_percent = 50 };
  guint32 value = 0;
  GigBackoff backoff;

  gig_backoff_init (&backoff, &spread);
  gig_backoff_set_random (&backoff, fixed_random, &value);
  value = 0;
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 750);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 3), ==, 3000);
  value = G_MAXUINT32;
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 1250);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 2), ==, 2500);
  /* 4000 + 25 % would be 5000: the cap wins */
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 3), ==, 4000);
  value = G_MAXUINT32 / 2;
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 999);

  gig_backoff_init (&backoff, &below);
  gig_backoff_set_random (&backoff, fixed_random, &value);
  value = 0;
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 125);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 20), ==, 15000);
  value = G_MAXUINT32;
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, 250);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 20), ==, 30000);
}

/* GLib's random source stays inside the window and does spread. */
static void
test_default_random (void)
{
  const GigBackoffPolicy policy = { .first_ms = 1000, .max_ms = 300000,
                                    .jitter_below_percent = 25, .jitter_above_percent = 25 };
  GigBackoff backoff;
  guint lowest = G_MAXUINT, highest = 0;

  gig_backoff_init (&backoff, &policy);
  for (guint i = 0; i < 1000; i++)
    {
      guint delay = gig_backoff_delay_ms (&backoff, 4);

      g_assert_cmpuint (delay, >=, 6000);
      g_assert_cmpuint (delay, <=, 10000);
      lowest = MIN (lowest, delay);
      highest = MAX (highest, delay);
    }
  g_assert_cmpuint (lowest, <, highest);
}

/* A success starts over at the first delay. */
static void
test_reset (void)
{
  const GigBackoffPolicy policy = { .first_ms = 100, .max_ms = 1000 };
  GigBackoff backoff;

  gig_backoff_init (&backoff, &policy);
  gig_backoff_next_ms (&backoff);
  gig_backoff_next_ms (&backoff);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 400);
  gig_backoff_reset (&backoff);
  g_assert_cmpuint (gig_backoff_get_failures (&backoff), ==, 0);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 100);
}

/* New limits apply to the next delay; the count of failures stays. */
static void
test_set_limits (void)
{
  const GigBackoffPolicy policy = { .first_ms = 1000, .max_ms = 300000 };
  GigBackoff backoff;

  gig_backoff_init (&backoff, &policy);
  gig_backoff_next_ms (&backoff);
  gig_backoff_set_limits (&backoff, 50, 500);
  g_assert_cmpuint (gig_backoff_get_policy (&backoff)->first_ms, ==, 50);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 100);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 200);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 400);
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, 500);
}

/* Long runs of failures and the largest limits never wrap around to a short wait. */
static void
test_no_overflow (void)
{
  const GigBackoffPolicy huge = { .first_ms = G_MAXUINT / 2 + 1, .max_ms = G_MAXUINT,
                                  .jitter_above_percent = 100 };
  const GigBackoffPolicy big_first = { .first_ms = 100000, .max_ms = G_MAXUINT };
  const GigBackoffPolicy big_step = { .first_ms = 1, .step_ms = G_MAXUINT, .max_ms = G_MAXUINT };
  guint32 value = G_MAXUINT32;
  GigBackoff backoff;

  gig_backoff_init (&backoff, &huge);
  gig_backoff_set_random (&backoff, fixed_random, &value);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 1), ==, G_MAXUINT);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, G_MAXUINT), ==, G_MAXUINT);

  /* 100 000 << 14 fits 32 bits, 100 000 << 16 does not: the cap, never a wrapped value */
  gig_backoff_init (&backoff, &big_first);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 15), ==, 100000u << 14);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 17), ==, G_MAXUINT);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 40), ==, G_MAXUINT);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, G_MAXUINT), ==, G_MAXUINT);

  gig_backoff_init (&backoff, &big_step);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, 2), ==, G_MAXUINT);
  g_assert_cmpuint (gig_backoff_delay_ms (&backoff, G_MAXUINT), ==, G_MAXUINT);

  /* the count itself saturates */
  gig_backoff_init (&backoff, &big_first);
  backoff.failures = G_MAXUINT;
  g_assert_cmpuint (gig_backoff_next_ms (&backoff), ==, G_MAXUINT);
  g_assert_cmpuint (gig_backoff_get_failures (&backoff), ==, G_MAXUINT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/doubling", test_doubling);
  g_test_add_func ("/backoff/linear", test_linear);
  g_test_add_func ("/backoff/jitter-window", test_jitter_window);
  g_test_add_func ("/backoff/default-random", test_default_random);
  g_test_add_func ("/backoff/reset", test_reset);
  g_test_add_func ("/backoff/set-limits", test_set_limits);
  g_test_add_func ("/backoff/no-overflow", test_no_overflow);
  return g_test_run ();
}
