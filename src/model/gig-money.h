/* gig-money.h: amounts as the user reads and types them, by the locale's money rules
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GIG_MONEY_ERROR (gig_money_error_quark ())

typedef enum
{
  GIG_MONEY_ERROR_EMPTY,     /* nothing typed */
  GIG_MONEY_ERROR_INVALID,   /* not an amount in this locale nor a plain number */
  GIG_MONEY_ERROR_NEGATIVE,
  GIG_MONEY_ERROR_TOO_LARGE,
} GigMoneyError;

/* Largest amount a project, proposal or milestone can carry. */
#define GIG_MONEY_MAX 1e12

GQuark    gig_money_error_quark   (void);

/* "€1,200" in en_US, "1.200 €" in de_DE: the symbol for EUR, USD and GBP, else the ISO code,
 * placed and spaced the way the locale places its own currency; cents only when there are any.
 * The space between number and symbol never breaks. */
char     *gig_money_format        (double       amount,
                                   const char  *currency);

/* The number alone, as an amount field shows it for editing ("1,200.50" / "1.200,50"); it
 * parses back with gig_money_parse(). */
char     *gig_money_format_number (double       amount);

/* Reads what a user typed: the locale's grouping and decimal mark ("1,200.50" / "1.200,50"),
 * or a plain number ("1200", "1200.50"), with or without a currency symbol or code around it.
 * At most two decimals, never negative, at most GIG_MONEY_MAX. The error message is one the
 * user can act on, with examples in their locale's format. */
gboolean  gig_money_parse         (const char  *text,
                                   double      *amount,
                                   GError     **error);

G_END_DECLS
