/* test-money.c: amounts formatted and parsed by the rules of en_US, de_DE and C
 *
 * The locales must exist (build-aux/install-deps generates them): a missing one fails the
 * run instead of skipping, or the German rules would go untested unnoticed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/gig-money.h"

#define NBSP "\xc2\xa0"

static void
use_locale (const char *name)
{
  if (setlocale (LC_ALL, name) == NULL)
    {
      fprintf (stderr, "Bail out! locale %s is missing: run build-aux/install-deps\n", name);
      exit (1);
    }
}

static void
assert_format (double amount, const char *currency, const char *expected)
{
  g_autofree char *text = gig_money_format (amount, currency);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_parse (const char *text, double expected)
{
  g_autoptr(GError) error = NULL;
  double amount = -1;

  if (!gig_money_parse (text, &amount, &error))
    g_error ("\"%s\" did not parse: %s", text, error->message);
  g_assert_cmpfloat_with_epsilon (amount, expected, 1e-9);
}

static void
assert_refused (const char *text, GigMoneyError code)
{
  g_autoptr(GError) error = NULL;
  double amount = -1;

  g_assert_false (gig_money_parse (text, &amount, &error));
  g_assert_error (error, GIG_MONEY_ERROR, (int) code);
  g_assert_cmpfloat (amount, ==, 0);
  g_assert_cmpstr (error->message, !=, "");
}

/* Every amount shown for editing reads back as the same amount. */
static void
assert_round_trips (void)
{
  const double amounts[] = { 0, 1, 12.5, 999, 1000, 1200, 1200.5, 2800, 12345.67, 1234567.89, 1e12 };

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *text = gig_money_format_number (amounts[i]);

      assert_parse (text, amounts[i]);
    }
}

static void
test_english (void)
{
  g_autoptr(GError) error = NULL;
  double amount;

  use_locale ("en_US.UTF-8");

  assert_format (2800, "EUR", "€2,800");
  assert_format (1200, "USD", "$1,200");
  assert_format (1200.5, "GBP", "£1,200.50");
  assert_format (1234567, "EUR", "€1,234,567");
  assert_format (999, "EUR", "€999");
  assert_format (0, "EUR", "€0");
  assert_format (1200, "CHF", "CHF" NBSP "1,200");
  assert_format (1200, "", "1,200");
  assert_format (1200, NULL, "1,200");
  assert_format (-50, "EUR", "-€50");

  assert_parse ("1,200", 1200);
  assert_parse ("1200", 1200);
  assert_parse ("1,200.50", 1200.5);
  assert_parse ("1200.5", 1200.5);
  assert_parse ("  €1,200 ", 1200);
  assert_parse ("$ 1,200", 1200);
  assert_parse ("1200 EUR", 1200);
  assert_parse ("12,345,678", 12345678);
  assert_parse ("0", 0);
  assert_parse ("+5", 5);

  assert_refused ("", GIG_MONEY_ERROR_EMPTY);
  assert_refused ("   ", GIG_MONEY_ERROR_EMPTY);
  assert_refused ("12x", GIG_MONEY_ERROR_INVALID);
  assert_refused ("1,20", GIG_MONEY_ERROR_INVALID);       /* not a grouping */
  assert_refused ("1.200,50", GIG_MONEY_ERROR_INVALID);   /* German, not here */
  assert_refused ("1.234", GIG_MONEY_ERROR_INVALID);      /* three decimals */
  assert_refused ("1,2,3", GIG_MONEY_ERROR_INVALID);
  assert_refused ("1e5", GIG_MONEY_ERROR_INVALID);
  assert_refused ("nan", GIG_MONEY_ERROR_INVALID);
  assert_refused ("€", GIG_MONEY_ERROR_INVALID);
  assert_refused ("-5", GIG_MONEY_ERROR_NEGATIVE);
  assert_refused ("€-5", GIG_MONEY_ERROR_NEGATIVE);
  assert_refused ("2,000,000,000,000", GIG_MONEY_ERROR_TOO_LARGE);

  /* The message shows examples in this locale's format. */
  g_assert_false (gig_money_parse ("abc", &amount, &error));
  g_assert_nonnull (strstr (error->message, "1,200.50"));

  assert_round_trips ();
}

static void
test_german (void)
{
  g_autoptr(GError) error = NULL;
  double amount;

  use_locale ("de_DE.UTF-8");

  /* Symbol after the figure, apart by a space that does not break. */
  assert_format (2800, "EUR", "2.800" NBSP "€");
  assert_format (1200.5, "EUR", "1.200,50" NBSP "€");
  assert_format (1234567, "USD", "1.234.567" NBSP "$");
  assert_format (999, "EUR", "999" NBSP "€");
  assert_format (1200, "CHF", "1.200" NBSP "CHF");
  assert_format (1200, NULL, "1.200");

  assert_parse ("1.200", 1200);
  assert_parse ("1200", 1200);
  assert_parse ("1.200,50", 1200.5);
  assert_parse ("1200,5", 1200.5);
  assert_parse ("2.800 €", 2800);
  assert_parse ("2.800" NBSP "€", 2800);
  /* A plain number with a point still reads as one. */
  assert_parse ("12.50", 12.5);
  assert_parse ("1200.50", 1200.5);

  assert_refused ("1,200", GIG_MONEY_ERROR_INVALID);      /* three decimals */
  assert_refused ("1.20.0", GIG_MONEY_ERROR_INVALID);
  assert_refused ("-1", GIG_MONEY_ERROR_NEGATIVE);

  g_assert_false (gig_money_parse ("abc", &amount, &error));
  g_assert_nonnull (strstr (error->message, "1.200,50"));

  assert_round_trips ();
}

static void
test_c_locale (void)
{
  use_locale ("C.UTF-8");

  /* No rules of its own: symbol first, no grouping, English input still read. */
  assert_format (2800, "EUR", "€2800");
  assert_format (2800.25, "EUR", "€2800.25");
  assert_parse ("1,200", 1200);
  assert_parse ("1200.50", 1200.5);
  assert_refused ("1,20", GIG_MONEY_ERROR_INVALID);

  assert_round_trips ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/money/en_US", test_english);
  g_test_add_func ("/money/de_DE", test_german);
  g_test_add_func ("/money/C", test_c_locale);

  return g_test_run ();
}
