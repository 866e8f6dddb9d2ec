/* gig-pb-parser.c: incremental parsers for list pages and server-sent events.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-client.h"

#include <glib/gi18n.h>
#include <string.h>

/* json-glib parses recursively: refuse nesting deep enough to matter before handing text over. */
#define MAX_DEPTH 64
/* A single record or top-level value larger than this is not something PocketBase sends. */
#define MAX_VALUE_SIZE (16 * 1024 * 1024)
#define MAX_SSE_SIZE (16 * 1024 * 1024)

static gboolean
set_malformed (GError **error, const char *what)
{
  g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"), what);
  return FALSE;
}

/* Checks bracket nesting outside strings (json-glib reports the rest). */
static gboolean
check_depth (const char *data, gsize length, GError **error)
{
  int depth = 0;
  gboolean in_string = FALSE, escaped = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_DEPTH)
            return set_malformed (error, _("nested too deeply"));
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

static JsonNode *
parse_value (JsonParser *parser, const char *data, gsize length, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!check_depth (data, length, error))
    return NULL;
  if (length > G_MAXSSIZE || !json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"),
                   local_error ? local_error->message : _("too large"));
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      set_malformed (error, _("empty value"));
      return NULL;
    }
  return json_parser_get_root (parser);
}

static JsonObject *
record_from_node (JsonNode *root, GError **error)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_malformed (error, _("a record is not an object"));
      return NULL;
    }
  object = json_node_get_object (root);
  member = json_object_get_member (object, "id");
  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING ||
      *json_node_get_string (member) == '\0')
    {
      set_malformed (error, _("a record has no id"));
      return NULL;
    }
  member = json_object_get_member (object, "updated");
  if (member != NULL && json_node_get_value_type (member) != G_TYPE_STRING)
    {
      set_malformed (error, _("a record's updated is not a string"));
      return NULL;
    }
  return json_object_ref (object);
}

JsonObject *
gig_pb_parse_record (const char *data, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  root = parse_value (parser, data, (gsize) length, error);
  if (root == NULL)
    return NULL;
  return record_from_node (root, error);
}

/* ------------------------------------------------------------------------------------------ */
/* List pages                                                                                 */

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
  GString    *buffer;         /* the value, or "[" + the records being captured */
  guint       batched;        /* complete records in buffer, not parsed yet */
  JsonParser *json;
  GPtrArray  *items;
};

GigPbPageParser *
gig_pb_page_parser_new (void)
{
  GigPbPageParser *parser = g_new0 (GigPbPageParser, 1);

  parser->state = PAGE_START;
  parser->key = g_string_new (NULL);
  parser->buffer = g_string_sized_new (4096);
  parser->json = json_parser_new ();
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  return parser;
}

void
gig_pb_page_parser_free (GigPbPageParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->key, TRUE);
  g_string_free (parser->buffer, TRUE);
  g_clear_object (&parser->json);
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
  return set_malformed (error, what);
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

/* Records are parsed a few hundred kilobytes at a time: one json-glib call per record would cost
 * more than the scan itself, and one for the whole page would hold it twice. */
#define BATCH_SIZE (256 * 1024)

static gboolean
flush_items (GigPbPageParser *parser, GError **error)
{
  JsonNode *root;
  JsonArray *array;

  if (parser->batched == 0)
    return TRUE;
  g_string_append_c (parser->buffer, ']');
  root = parse_value (parser->json, parser->buffer->str, parser->buffer->len, error);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      parser->state = PAGE_FAILED;
      return root == NULL ? FALSE : set_malformed (error, _("bad records"));
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *record = record_from_node (json_array_get_element (array, i), error);

      if (record == NULL)
        {
          parser->state = PAGE_FAILED;
          return FALSE;
        }
      g_ptr_array_add (parser->items, record);
    }
  g_string_truncate (parser->buffer, 0);
  parser->batched = 0;
  return TRUE;
}

static gboolean
finish_value (GigPbPageParser *parser, GError **error)
{
  g_autoptr(JsonParser) json = json_parser_new ();

  /* Scalars like "page" or "totalItems": only checked, since the cursor comes from the items. */
  if (parse_value (json, parser->buffer->str, parser->buffer->len, error) == NULL)
    {
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
          if (parser->buffer->len >= MAX_VALUE_SIZE)
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
              parser->depth = 1;
              parser->in_string = FALSE;
              parser->escaped = FALSE;
              if (parser->batched == 0)
                {
                  g_string_truncate (parser->buffer, 0);
                  g_string_append_c (parser->buffer, '[');
                }
              else
                g_string_append_c (parser->buffer, ',');
              g_string_append_c (parser->buffer, c);
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
            if (parser->buffer->len + (i - start) >= MAX_VALUE_SIZE)
              return page_fail (parser, error, _("record too large"));
            if (i == length)
              {
                g_string_append_len (parser->buffer, data + start, (gssize) (i - start));
                break;
              }
            g_string_append_len (parser->buffer, data + start, (gssize) (i - start + 1));
            parser->batched++;
            if (parser->buffer->len >= BATCH_SIZE && !flush_items (parser, error))
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
            {
              if (!flush_items (parser, error))
                return FALSE;
              parser->state = PAGE_AFTER_VALUE;
            }
          else if (!is_space (c))
            return page_fail (parser, error, _("expected ',' or ']' after an item"));
          break;

        case PAGE_DONE:
          if (!is_space (c))
            return page_fail (parser, error, _("trailing data"));
          break;

        case PAGE_FAILED:
          return set_malformed (error, _("parser already failed"));

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
    return set_malformed (error, _("parser already failed"));
  if (parser->state != PAGE_DONE)
    return page_fail (parser, error, _("the response was cut short"));
  if (!parser->seen_items)
    return page_fail (parser, error, _("no items in a list response"));
  return TRUE;
}

GPtrArray *
gig_pb_page_parser_steal_items (GigPbPageParser *parser)
{
  GPtrArray *items;

  g_return_val_if_fail (parser != NULL, NULL);

  items = g_steal_pointer (&parser->items);
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  return items;
}

/* ------------------------------------------------------------------------------------------ */
/* Server-sent events                                                                         */

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
        return set_malformed (error, _("event too large"));
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
        return set_malformed (error, _("line too long"));
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
