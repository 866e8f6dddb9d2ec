/* gig-chat-markup.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <string.h>

#include "gig-chat-markup.h"

static const char *const schemes[] = { "https://", "http://", "mailto:" };

/* Length of the scheme @text starts with, 0 for none. */
static gsize
scheme_at (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_ascii_strncasecmp (text, schemes[i], strlen (schemes[i])) == 0)
      return strlen (schemes[i]);
  return 0;
}

gboolean
gig_chat_link_allowed (const char *uri)
{
  gsize scheme;

  if (uri == NULL)
    return FALSE;
  scheme = scheme_at (uri);
  if (scheme == 0 || uri[scheme] == '\0')
    return FALSE;

  /* No spaces or control characters: what is opened is what was shown. */
  for (const char *p = uri; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return FALSE;

  return g_uri_is_valid (uri, G_URI_FLAGS_PARSE_RELAXED, NULL);
}

/* Characters that end an address: spaces and what cannot stand unescaped in one. */
static gboolean
ends_address (char c)
{
  return g_ascii_isspace (c) || c == '\0' || c == '<' || c == '>' || c == '"' || c == '`' ||
         (guchar) c < ' ';
}

/* Sentence punctuation after an address belongs to the sentence. */
static gsize
trim_address (const char *start,
              gsize       len)
{
  while (len > 0)
    {
      char last = start[len - 1];

      if (strchr (".,;:!?'*", last) != NULL)
        len--;
      else if (last == ')' || last == ']' || last == '}')
        {
          char open = last == ')' ? '(' : last == ']' ? '[' : '{';
          int depth = 0;

          for (gsize i = 0; i < len; i++)
            depth += start[i] == open ? 1 : start[i] == last ? -1 : 0;
          if (depth >= 0)
            break;
          len--;
        }
      else
        break;
    }

  return len;
}

static void
append_escaped (GString    *out,
                const char *text,
                gssize      len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append (out, escaped);
}

char *
gig_chat_text_to_markup (const char *text)
{
  GString *out;
  const char *p, *plain;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) + 16);
  p = plain = text;
  while (*p != '\0')
    {
      gsize scheme = 0;

      /* An address starts a word: "xhttp://" is not one. */
      if ((p == text || !g_ascii_isalnum (p[-1])) && (scheme = scheme_at (p)) > 0)
        {
          gsize len = scheme;
          g_autofree char *uri = NULL;

          while (!ends_address (p[len]))
            len++;
          len = trim_address (p, len);
          uri = g_strndup (p, len);
          if (len > scheme && gig_chat_link_allowed (uri))
            {
              append_escaped (out, plain, p - plain);
              g_string_append (out, "<a href=\"");
              append_escaped (out, uri, -1);
              g_string_append (out, "\">");
              append_escaped (out, uri, -1);
              g_string_append (out, "</a>");
              p += len;
              plain = p;
              continue;
            }
        }
      p = g_utf8_next_char (p);
    }
  append_escaped (out, plain, -1);

  return g_string_free (out, FALSE);
}
