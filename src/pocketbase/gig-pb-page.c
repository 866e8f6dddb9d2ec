/* gig-pb-page.c: the parser of list pages: takes the answer record by record as it streams in,
 * bounded per record, never the whole page as a tree. No HTTP in here (it is fuzzed alone).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-private.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>
#include <string.h>

typedef enum {
  PAGE_START,          /* before the outer '{' */
  PAGE_MEMBER_OR_END,  /* after '{' or ',' */
  PAGE_KEY,            /* inside a member name */
  PAGE_COLON,
  PAGE_VALUE_START,    /* after ':' of a member other than items */
  PAGE_VALUE,          /* capturing that member's value */
  PAGE_AFTER_VALUE,    /* expecting ',' or '}' */
  PAGE_ARRAY_START,    /* after "items": */
  PAGE_ITEM_OR_END,    /* after '[' or ',' inside items */
  PAGE_ITEM,           /* capturing one record */
  PAGE_AFTER_ITEM,     /* expecting ',' or ']' */
  PAGE_DONE,
  PAGE_FAILED,
} PageState;

struct _GigPbPageParser
{
  PageState   state;
  gboolean    after_comma;    /* a ',' was seen: '}' or ']' may not follow */
  gboolean    seen_items;
  gboolean    in_string;
  gboolean    escaped;
  int         depth;          /* nesting inside the value or record being captured */
  GString    *key;
  GString    *buffer;         /* the value, or the part of a record from earlier chunks */
  GigJsonScanner *scanner;
  GPtrArray  *items;          /* GigRawRecord */
};

GigPbPageParser *
gig_pb_page_parser_new (void)
{
  GigPbPageParser *parser = g_new0 (GigPbPageParser, 1);

  parser->state = PAGE_START;
  parser->key = g_string_new (NULL);
  parser->buffer = g_string_sized_new (4096);
  parser->scanner = gig_json_scanner_new ();
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_raw_record_free);
  return parser;
}

void
gig_pb_page_parser_free (GigPbPageParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->key, TRUE);
  g_string_free (parser->buffer, TRUE);
  gig_json_scanner_free (parser->scanner);
  g_clear_pointer (&parser->items, g_ptr_array_unref);
  g_free (parser);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean
page_fail (GigPbPageParser *parser, GError **error, const char *what)
{
  parser->state = PAGE_FAILED;
  return gig_pb_set_malformed (error, what);
}

/* Tracks strings and nesting of the captured text; returns TRUE when @c closes the value. */
static gboolean
capture_step (GigPbPageParser *parser, char c)
{
  if (parser->in_string)
    {
      if (parser->escaped)
        parser->escaped = FALSE;
      else if (c == '\\')
        parser->escaped = TRUE;
      else if (c == '"')
        parser->in_string = FALSE;
      return FALSE;
    }
  if (c == '"')
    parser->in_string = TRUE;
  else if (c == '{' || c == '[')
    parser->depth++;
  else if (c == '}' || c == ']')
    return --parser->depth == 0;
  return FALSE;
}

/* Parses the record that ends at @data + @length; its start is in the buffer if an earlier
 * chunk carried it, else in @data (parsed in place, without a copy). */
static gboolean
finish_item (GigPbPageParser *parser, const char *data, gsize length, GError **error)
{
  GigRawRecord *record;

  if (parser->buffer->len > 0)
    {
      g_string_append_len (parser->buffer, data, (gssize) length);
      data = parser->buffer->str;
      length = parser->buffer->len;
    }
  record = gig_pb_scan_record (parser->scanner, data, length, error);
  g_string_truncate (parser->buffer, 0);
  if (record == NULL)
    {
      parser->state = PAGE_FAILED;
      return FALSE;
    }
  g_ptr_array_add (parser->items, record);
  return TRUE;
}

static gboolean
finish_value (GigPbPageParser *parser, GError **error)
{
  g_autoptr(GError) json_error = NULL;

  /* Scalars like "page" or "totalItems": only checked, since the cursor comes from the items. */
  if (!gig_json_scanner_check (parser->scanner, parser->buffer->str, parser->buffer->len, &json_error))
    {
      gig_pb_set_malformed_from_json (error, json_error, _("missing value"));
      parser->state = PAGE_FAILED;
      return FALSE;
    }
  g_string_truncate (parser->buffer, 0);
  return TRUE;
}

gboolean
gig_pb_page_parser_feed (GigPbPageParser  *parser,
                         const char       *data,
                         gsize             length,
                         GError          **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      switch (parser->state)
        {
        case PAGE_START:
          if (c == '{')
            {
              parser->state = PAGE_MEMBER_OR_END;
              parser->after_comma = FALSE;
            }
          else if (!is_space (c))
            return page_fail (parser, error, _("expected an object"));
          break;

        case PAGE_MEMBER_OR_END:
          if (c == '"')
            {
              g_string_truncate (parser->key, 0);
              parser->escaped = FALSE;
              parser->state = PAGE_KEY;
            }
          else if (c == '}' && !parser->after_comma)
            parser->state = PAGE_DONE;
          else if (!is_space (c))
            return page_fail (parser, error, _("expected a member name"));
          break;

        case PAGE_KEY:
          if (parser->escaped)
            parser->escaped = FALSE;
          else if (c == '\\')
            parser->escaped = TRUE;
          else if (c == '"')
            {
              parser->state = PAGE_COLON;
              break;
            }
          if ((guchar) c < 0x20)
            return page_fail (parser, error, _("control character in a member name"));
          if (parser->key->len < 64)
            g_string_append_c (parser->key, c);
          break;

        case PAGE_COLON:
          if (c == ':')
            {
              if (strcmp (parser->key->str, "items") == 0)
                {
                  if (parser->seen_items)
                    return page_fail (parser, error, _("items appears twice"));
                  parser->seen_items = TRUE;
                  parser->state = PAGE_ARRAY_START;
                }
              else
                parser->state = PAGE_VALUE_START;
            }
          else if (!is_space (c))
            return page_fail (parser, error, _("expected ':'"));
          break;

        case PAGE_VALUE_START:
          if (is_space (c))
            break;
          if (c == ',' || c == '}')
            return page_fail (parser, error, _("missing value"));
          parser->state = PAGE_VALUE;
          parser->depth = 0;
          parser->in_string = FALSE;
          parser->escaped = FALSE;
          G_GNUC_FALLTHROUGH;

        case PAGE_VALUE:
          if (parser->depth == 0 && !parser->in_string && (c == ',' || c == '}'))
            {
              if (!finish_value (parser, error))
                return FALSE;
              parser->state = PAGE_AFTER_VALUE;
              i--; /* let PAGE_AFTER_VALUE see the separator */
              break;
            }
          if (parser->buffer->len >= GIG_PB_MAX_VALUE_SIZE)
            return page_fail (parser, error, _("value too large"));
          g_string_append_c (parser->buffer, c);
          capture_step (parser, c);
          if (parser->depth < 0)
            return page_fail (parser, error, _("unbalanced brackets"));
          break;

        case PAGE_AFTER_VALUE:
          if (c == ',')
            {
              parser->state = PAGE_MEMBER_OR_END;
              parser->after_comma = TRUE;
            }
          else if (c == '}')
            parser->state = PAGE_DONE;
          else if (!is_space (c))
            return page_fail (parser, error, _("expected ',' or '}'"));
          break;

        case PAGE_ARRAY_START:
          if (c == '[')
            {
              parser->state = PAGE_ITEM_OR_END;
              parser->after_comma = FALSE;
            }
          else if (!is_space (c))
            return page_fail (parser, error, _("items is not an array"));
          break;

        case PAGE_ITEM_OR_END:
          if (c == '{')
            {
              parser->state = PAGE_ITEM;
              parser->depth = 0;
              parser->in_string = FALSE;
              parser->escaped = FALSE;
              g_string_truncate (parser->buffer, 0);
              i--; /* the record's text starts with this brace */
            }
          else if (c == ']' && !parser->after_comma)
            parser->state = PAGE_AFTER_VALUE;
          else if (!is_space (c))
            return page_fail (parser, error, _("an item is not an object"));
          break;

        case PAGE_ITEM:
          {
            /* Copy the run of plain bytes at once: most of a record is string content. */
            gsize start = i;

            while (i < length)
              {
                char d = data[i];

                if (parser->in_string && !parser->escaped)
                  {
                    /* Skip string content in bulk: only a quote or a backslash matters. */
                    const char *quote = memchr (data + i, '"', length - i);
                    const char *stop = quote ? quote : data + length;
                    const char *backslash = memchr (data + i, '\\', (gsize) (stop - (data + i)));

                    if (backslash != NULL)
                      stop = backslash;
                    i = (gsize) (stop - data);
                    if (i == length)
                      break;
                    d = data[i];
                  }
                else if (!parser->in_string && d != '"' && d != '{' && d != '[' && d != '}' && d != ']')
                  {
                    i++;
                    continue;
                  }
                if (capture_step (parser, d))
                  break;
                i++;
              }
            if (parser->buffer->len + (i - start) >= GIG_PB_MAX_VALUE_SIZE)
              return page_fail (parser, error, _("record too large"));
            if (i == length)
              {
                g_string_append_len (parser->buffer, data + start, (gssize) (i - start));
                break;
              }
            if (!finish_item (parser, data + start, i - start + 1, error))
              return FALSE;
            parser->state = PAGE_AFTER_ITEM;
          }
          break;

        case PAGE_AFTER_ITEM:
          if (c == ',')
            {
              parser->state = PAGE_ITEM_OR_END;
              parser->after_comma = TRUE;
            }
          else if (c == ']')
            parser->state = PAGE_AFTER_VALUE;
          else if (!is_space (c))
            return page_fail (parser, error, _("expected ',' or ']' after an item"));
          break;

        case PAGE_DONE:
          if (!is_space (c))
            return page_fail (parser, error, _("trailing data"));
          break;

        case PAGE_FAILED:
          return gig_pb_set_malformed (error, _("parser already failed"));

        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

gboolean
gig_pb_page_parser_finish (GigPbPageParser *parser, GError **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);

  if (parser->state == PAGE_FAILED)
    return gig_pb_set_malformed (error, _("parser already failed"));
  if (parser->state != PAGE_DONE)
    return page_fail (parser, error, _("the response was cut short"));
  if (!parser->seen_items)
    return page_fail (parser, error, _("no items in a list response"));
  return TRUE;
}

GPtrArray *
gig_pb_page_parser_steal_records (GigPbPageParser *parser)
{
  GPtrArray *items;

  g_return_val_if_fail (parser != NULL, NULL);

  items = g_steal_pointer (&parser->items);
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_raw_record_free);
  return items;
}

GPtrArray *
gig_pb_page_parser_steal_items (GigPbPageParser *parser)
{
  g_autoptr(GPtrArray) records = gig_pb_page_parser_steal_records (parser);

  return gig_raw_records_to_objects (records);
}
