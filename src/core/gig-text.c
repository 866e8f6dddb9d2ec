/* gig-text.c: text from elsewhere, made fit to show.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-text.h"

#include <string.h>

char *
gig_text_shorten (const char *text, gsize max_chars)
{
  g_autofree char *valid = NULL;
  const char *end;
  GString *shown;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  if (g_utf8_strlen (valid, -1) <= (glong) max_chars)
    return g_steal_pointer (&valid);

  g_debug ("Shortened a message of %" G_GSIZE_FORMAT " bytes for display: %s", strlen (valid), valid);
  end = g_utf8_offset_to_pointer (valid, (glong) max_chars);
  shown = g_string_new_len (valid, end - valid);
  g_string_append (shown, "…");
  return g_string_free (shown, FALSE);
}
