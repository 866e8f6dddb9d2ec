/* gig-money.c
 *
 * The locale's money rules come from localeconv(): LC_MONETARY says where the symbol goes,
 * whether a space separates it, the grouping and the decimal mark. strfmon() would apply them
 * too, but only with the locale's own currency; a project priced in euros must read "€1,200" in
 * the US and "1.200 €" in Germany.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-model"

#include "config.h"

#include <glib/gi18n.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "gig-money.h"

#define NO_BREAK_SPACE "\xc2\xa0"          /* U+00A0 */
#define NARROW_NO_BREAK_SPACE "\xe2\x80\xaf"  /* U+202F */

G_DEFINE_QUARK (gig-money-error-quark, gig_money_error)

typedef struct
{
  const char *decimal;    /* never empty */
  const char *thousands;  /* "" when the locale does not group */
  const char *grouping;   /* localeconv()'s group sizes, right to left */
} Rules;

static Rules
money_rules (void)
{
  const struct lconv *lc = localeconv ();
  Rules rules;

  rules.decimal = lc->mon_decimal_point != NULL && *lc->mon_decimal_point != '\0' ? lc->mon_decimal_point
                : lc->decimal_point != NULL && *lc->decimal_point != '\0' ? lc->decimal_point
                : ".";
  if (lc->mon_thousands_sep != NULL && *lc->mon_thousands_sep != '\0')
    {
      rules.thousands = lc->mon_thousands_sep;
      rules.grouping = lc->mon_grouping != NULL ? lc->mon_grouping : "";
    }
  else
    {
      rules.thousands = lc->thousands_sep != NULL ? lc->thousands_sep : "";
      rules.grouping = lc->grouping != NULL ? lc->grouping : "";
    }

  return rules;
}

/* A plain space in a number or between number and symbol would let a label break there. */
static void
append_unbreakable (GString    *out,
                    const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ' ')
        g_string_append (out, NO_BREAK_SPACE);
      else
        g_string_append_c (out, *p);
    }
}

/* Appends @digits with @rules' separator between groups: the grouping string gives the sizes
 * from the right, its last size repeats, CHAR_MAX stops grouping. */
static void
append_grouped (GString     *out,
                const char  *digits,
                const Rules *rules)
{
  gsize len = strlen (digits);
  g_autofree gboolean *cut_after = g_new0 (gboolean, len + 1);
  const char *group = rules->grouping;
  gsize from_right = 0;
  int size = 0;

  if (*rules->thousands != '\0')
    {
      while (*group != '\0' || size > 0)
        {
          if (*group != '\0')
            {
              if (*group == CHAR_MAX || *group < 0)
                break;
              size = *group++;
            }
          if (size <= 0)
            break;
          from_right += (gsize) size;
          if (from_right >= len)
            break;
          cut_after[len - from_right] = TRUE;
        }
    }

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && cut_after[i])
        append_unbreakable (out, rules->thousands);
      g_string_append_c (out, digits[i]);
    }
}

static void
append_number (GString     *out,
               double       amount,
               const Rules *rules)
{
  double magnitude = fabs (amount);
  gint64 cents;
  char digits[32];

  /* Beyond what a cent count holds, show the plain figure rather than a wrong one. */
  if (!isfinite (magnitude) || magnitude >= 1e15)
    {
      g_string_append_printf (out, "%.0f", magnitude);
      return;
    }

  cents = (gint64) llround (magnitude * 100);
  g_snprintf (digits, sizeof digits, "%" G_GINT64_FORMAT, cents / 100);
  append_grouped (out, digits, rules);
  if (cents % 100 != 0)
    {
      g_string_append (out, rules->decimal);
      g_string_append_printf (out, "%02d", (int) (cents % 100));
    }
}

static const char *
currency_symbol (const char *currency)
{
  static const struct { const char *code; const char *symbol; } symbols[] = {
    { "EUR", "€" },
    { "USD", "$" },
    { "GBP", "£" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (g_str_equal (currency, symbols[i].code))
      return symbols[i].symbol;

  return NULL;
}

char *
gig_money_format_number (double amount)
{
  Rules rules = money_rules ();
  GString *out = g_string_new (NULL);

  if (amount < 0 && llround (fabs (amount) * 100) != 0)
    g_string_append_c (out, '-');
  append_number (out, amount, &rules);
  return g_string_free (out, FALSE);
}

char *
gig_money_format (double      amount,
                  const char *currency)
{
  const struct lconv *lc = localeconv ();
  Rules rules = money_rules ();
  g_autoptr(GString) number = g_string_new (NULL);
  GString *out = g_string_new (NULL);
  gboolean negative = amount < 0 && llround (fabs (amount) * 100) != 0;
  const char *symbol;
  gboolean is_code;
  char precedes, spaced;

  append_number (number, amount, &rules);

  if (negative)
    g_string_append (out, lc->negative_sign != NULL && *lc->negative_sign != '\0' ? lc->negative_sign : "-");

  if (currency == NULL || *currency == '\0')
    {
      g_string_append (out, number->str);
      return g_string_free (out, FALSE);
    }

  symbol = currency_symbol (currency);
  is_code = symbol == NULL;
  if (is_code)
    symbol = currency;

  precedes = negative ? lc->n_cs_precedes : lc->p_cs_precedes;
  spaced = negative ? lc->n_sep_by_space : lc->p_sep_by_space;
  /* The C locale leaves both unspecified: symbol first, no space, as in English. */
  if (precedes == CHAR_MAX)
    precedes = 1;
  if (spaced == CHAR_MAX)
    spaced = 0;
  /* A three-letter code always stands apart from the figure ("CHF 1,200"). */
  if (is_code)
    spaced = 1;

  if (precedes)
    {
      g_string_append (out, symbol);
      if (spaced == 1)
        g_string_append (out, NO_BREAK_SPACE);
      g_string_append (out, number->str);
    }
  else
    {
      g_string_append (out, number->str);
      if (spaced == 1)
        g_string_append (out, NO_BREAK_SPACE);
      g_string_append (out, symbol);
    }

  return g_string_free (out, FALSE);
}

/* ---- parsing ------------------------------------------------------------------------------- */

static char *
replace_all (const char *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

/* Drops one currency mark at either end: a symbol we know or a three-letter code. */
static void
strip_currency (char **text)
{
  static const char *symbols[] = { "€", "$", "£" };
  char *s = *text;
  gsize len = strlen (s);

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      gsize n = strlen (symbols[i]);

      if (g_str_has_prefix (s, symbols[i]))
        {
          memmove (s, s + n, len - n + 1);
          len -= n;
        }
      if (len >= n && g_str_has_suffix (s, symbols[i]))
        {
          s[len - n] = '\0';
          len -= n;
        }
    }

  if (len >= 3 && g_ascii_isalpha (s[0]) && g_ascii_isalpha (s[1]) && g_ascii_isalpha (s[2]) &&
      (s[3] == '\0' || s[3] == ' ' || g_ascii_isdigit (s[3])))
    {
      memmove (s, s + 3, len - 3 + 1);
      len -= 3;
    }
  if (len >= 3 && g_ascii_isalpha (s[len - 1]) && g_ascii_isalpha (s[len - 2]) && g_ascii_isalpha (s[len - 3]) &&
      (len == 3 || s[len - 4] == ' ' || g_ascii_isdigit (s[len - 4])))
    s[len - 3] = '\0';

  g_strstrip (s);
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* "1200" or grouped exactly as the locale groups ("1,200", "12,345,678"): the digits, or NULL. */
static char *
whole_digits (const char  *text,
              gsize        len,
              const char  *separator,
              const Rules *rules)
{
  g_autofree char *part = g_strndup (text, len);
  g_autofree char *digits = NULL;
  g_autoptr(GString) regrouped = g_string_new (NULL);
  Rules plain_spaces = *rules;

  if (all_digits (part, len))
    return g_steal_pointer (&part);
  if (*separator == '\0' || strstr (part, separator) == NULL)
    return NULL;

  digits = replace_all (part, separator, "");
  if (!all_digits (digits, strlen (digits)))
    return NULL;

  /* Compare with the same separator the user typed (spaces were made plain before). */
  plain_spaces.thousands = separator;
  append_grouped (regrouped, digits, &plain_spaces);
  {
    g_autofree char *typed = replace_all (regrouped->str, NO_BREAK_SPACE, " ");

    if (!g_str_equal (typed, part))
      return NULL;
  }

  return g_steal_pointer (&digits);
}

/* WHOLE[DECIMAL CC]: the decimal mark given, one or two digits after it. */
static char *
read_number (const char  *text,
             const char  *decimal,
             const char  *separator,
             const Rules *rules)
{
  const char *mark = strstr (text, decimal);
  g_autofree char *whole = NULL;
  const char *fraction;
  gsize fraction_len;

  if (mark == NULL)
    {
      whole = whole_digits (text, strlen (text), separator, rules);
      return whole != NULL ? g_strdup (whole) : NULL;
    }

  whole = whole_digits (text, (gsize) (mark - text), separator, rules);
  fraction = mark + strlen (decimal);
  fraction_len = strlen (fraction);
  if (whole == NULL || fraction_len < 1 || fraction_len > 2 || !all_digits (fraction, fraction_len))
    return NULL;

  return g_strconcat (whole, ".", fraction, NULL);
}

/* "1,200 or 1,200.50" in the user's format, for error messages. */
static char *
examples (void)
{
  g_autofree char *whole = gig_money_format_number (1200);
  g_autofree char *cents = gig_money_format_number (1200.5);

  /* Translators: two example amounts, as in "1,200 or 1,200.50" */
  return g_strdup_printf (_("%s or %s"), whole, cents);
}

gboolean
gig_money_parse (const char  *text,
                 double      *amount,
                 GError     **error)
{
  Rules rules = money_rules ();
  g_autofree char *work = NULL;
  g_autofree char *separator = NULL;
  g_autofree char *number = NULL;
  double value;

  g_return_val_if_fail (amount != NULL, FALSE);

  *amount = 0;
  /* Every kind of space reads as a plain one, in what was typed and in the locale's separator. */
  {
    g_autofree char *a = replace_all (text != NULL ? text : "", NO_BREAK_SPACE, " ");

    work = replace_all (a, NARROW_NO_BREAK_SPACE, " ");
  }
  {
    g_autofree char *a = replace_all (rules.thousands, NO_BREAK_SPACE, " ");

    separator = replace_all (a, NARROW_NO_BREAK_SPACE, " ");
  }
  g_strstrip (work);
  if (*work == '\0')
    {
      g_set_error_literal (error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_EMPTY, _("Enter an amount."));
      return FALSE;
    }

  strip_currency (&work);
  if (work[0] == '-' || g_str_has_prefix (work, "−"))
    {
      g_set_error_literal (error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_NEGATIVE,
                           _("An amount cannot be negative."));
      return FALSE;
    }
  if (work[0] == '+')
    memmove (work, work + 1, strlen (work));

  /* The locale's own format first: in German "1.200" is twelve hundred. */
  number = read_number (work, rules.decimal, separator, &rules);
  /* Then a plain number with a point, as programs and other locales write it. */
  if (number == NULL && !g_str_equal (rules.decimal, "."))
    number = read_number (work, ".", "", &rules);
  /* A locale without grouping (C, POSIX) has no rule of its own: read English "1,200". */
  if (number == NULL && *separator == '\0' && g_str_equal (rules.decimal, "."))
    {
      Rules english = { .decimal = ".", .thousands = ",", .grouping = "\003" };

      number = read_number (work, ".", ",", &english);
    }
  if (number == NULL)
    {
      g_autofree char *both = examples ();

      /* Translators: %s is two example amounts in the user's format, "1,200 or 1,200.50" */
      g_set_error (error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_INVALID,
                   _("Enter the amount as a number, such as %s."), both);
      return FALSE;
    }

  value = g_ascii_strtod (number, NULL);
  if (value > GIG_MONEY_MAX)
    {
      g_autofree char *max = gig_money_format_number (GIG_MONEY_MAX);

      g_set_error (error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_TOO_LARGE,
                   _("Enter an amount of at most %s."), max);
      return FALSE;
    }

  *amount = value;
  return TRUE;
}
