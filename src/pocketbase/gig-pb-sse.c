/* gig-pb-sse.c: an incremental parser of server-sent events (the realtime stream's framing),
 * bounded per line and per event.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* No realtime message the client would accept is longer (gig_pb_parse_realtime_event). */
#define MAX_SSE_SIZE GIG_PB_MAX_EVENT_DATA

struct _GigPbSseParser
{
  GigPbSseEventFunc func;
  gpointer          user_data;
  GString          *line;
  GString          *data;
  char             *event;
  char             *id;
  gboolean          skip_lf;   /* the previous line ended with '\r' */
  gboolean          has_data;
};

GigPbSseParser *
gig_pb_sse_parser_new (GigPbSseEventFunc func, gpointer user_data)
{
  GigPbSseParser *parser = g_new0 (GigPbSseParser, 1);

  g_return_val_if_fail (func != NULL, NULL);

  parser->func = func;
  parser->user_data = user_data;
  parser->line = g_string_new (NULL);
  parser->data = g_string_new (NULL);
  return parser;
}

void
gig_pb_sse_parser_free (GigPbSseParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->line, TRUE);
  g_string_free (parser->data, TRUE);
  g_free (parser->event);
  g_free (parser->id);
  g_free (parser);
}

static void
sse_dispatch (GigPbSseParser *parser)
{
  if (parser->has_data)
    {
      /* The spec joins data lines with '\n' and drops the last one. */
      if (parser->data->len > 0 && parser->data->str[parser->data->len - 1] == '\n')
        g_string_truncate (parser->data, parser->data->len - 1);
      parser->func (parser->event ? parser->event : "message", parser->id,
                    parser->data->str, parser->user_data);
    }
  g_string_truncate (parser->data, 0);
  g_clear_pointer (&parser->event, g_free);
  parser->has_data = FALSE;
  /* The last event id persists across events, as the spec says. */
}

static gboolean
sse_line (GigPbSseParser *parser, GError **error)
{
  const char *line = parser->line->str;
  const char *colon;
  g_autofree char *field = NULL;
  const char *value;

  if (parser->line->len == 0)
    {
      sse_dispatch (parser);
      return TRUE;
    }
  if (line[0] == ':')
    return TRUE;

  colon = memchr (line, ':', parser->line->len);
  if (colon != NULL)
    {
      field = g_strndup (line, (gsize) (colon - line));
      value = colon + 1;
      if (*value == ' ')
        value++;
    }
  else
    {
      field = g_strdup (line);
      value = "";
    }

  if (strcmp (field, "event") == 0)
    {
      g_free (parser->event);
      parser->event = g_strdup (value);
    }
  else if (strcmp (field, "data") == 0)
    {
      if (parser->data->len + strlen (value) + 1 > MAX_SSE_SIZE)
        return gig_pb_set_malformed (error, _("event too large"));
      g_string_append (parser->data, value);
      g_string_append_c (parser->data, '\n');
      parser->has_data = TRUE;
    }
  else if (strcmp (field, "id") == 0)
    {
      g_free (parser->id);
      parser->id = g_strdup (value);
    }
  /* "retry" and unknown fields are ignored, as the spec says. */
  return TRUE;
}

gboolean
gig_pb_sse_parser_feed (GigPbSseParser  *parser,
                        const char      *data,
                        gsize            length,
                        GError         **error)
{
  gsize i = 0;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  while (i < length)
    {
      gsize start = i;

      if (parser->skip_lf)
        {
          parser->skip_lf = FALSE;
          if (data[i] == '\n')
            {
              i++;
              continue;
            }
        }

      while (i < length && data[i] != '\n' && data[i] != '\r' && data[i] != '\0')
        i++;
      if (parser->line->len + (i - start) > MAX_SSE_SIZE)
        return gig_pb_set_malformed (error, _("line too long"));
      g_string_append_len (parser->line, data + start, (gssize) (i - start));
      if (i == length)
        break;

      if (data[i] == '\0')
        {
          /* A NUL cannot appear in event-stream text; drop it rather than cut a line short. */
          i++;
          continue;
        }
      parser->skip_lf = data[i] == '\r';
      i++;
      if (!sse_line (parser, error))
        return FALSE;
      g_string_truncate (parser->line, 0);
    }
  return TRUE;
}
