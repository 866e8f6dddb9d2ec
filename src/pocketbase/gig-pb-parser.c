/* gig-pb-parser.c: incremental parsers for list pages and server-sent events.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-client.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

/* The reader below is recursive: refuse nesting deep enough to matter. */
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

/* A small JSON reader that builds json-glib nodes directly. json-glib's own parser goes through
 * a general-purpose scanner, emits signals per value and dominated initial sync CPU; this one is
 * strict RFC 8259 (no comments, no trailing commas, no raw control characters in strings). */
typedef struct
{
  const char *p;
  const char *end;
  const char *error;
  int         depth;
  gboolean    too_deep;
  GString    *text;                   /* the string being decoded */
  GString    *keys[MAX_DEPTH + 1];    /* one member name per open object */
} Reader;

static void
reader_init (Reader *reader, const char *data, gsize length)
{
  reader->p = data;
  reader->end = data + length;
  reader->error = NULL;
  reader->depth = 0;
  reader->too_deep = FALSE;
  if (reader->text == NULL)
    reader->text = g_string_sized_new (256);
}

static void
reader_clear (Reader *reader)
{
  if (reader->text != NULL)
    g_string_free (reader->text, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (reader->keys); i++)
    if (reader->keys[i] != NULL)
      g_string_free (reader->keys[i], TRUE);
  memset (reader, 0, sizeof *reader);
}

static gboolean
reader_fail (Reader *reader, const char *what)
{
  if (reader->error == NULL)
    reader->error = what;
  return FALSE;
}

static void
skip_space (Reader *reader)
{
  while (reader->p < reader->end &&
         (*reader->p == ' ' || *reader->p == '\t' || *reader->p == '\n' || *reader->p == '\r'))
    reader->p++;
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Decodes the string starting at the opening quote into @out (NUL-terminated, valid UTF-8). */
static gboolean
read_string (Reader *reader, GString *out)
{
  const char *p = reader->p + 1;

  g_string_truncate (out, 0);
  for (;;)
    {
      const char *run = p;

      while (p < reader->end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        p++;
      g_string_append_len (out, run, p - run);
      if (p >= reader->end)
        return reader_fail (reader, "unterminated string");
      if (*p == '"')
        break;
      if (*p != '\\')
        return reader_fail (reader, "control character in a string");
      if (++p >= reader->end)
        return reader_fail (reader, "unterminated string");
      switch (*p)
        {
        case '"': case '\\': case '/': g_string_append_c (out, *p); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int unit;
            gunichar ch;

            if (reader->end - p < 5 || (unit = hex4 (p + 1)) < 0)
              return reader_fail (reader, "bad \\u escape");
            p += 4;
            ch = (gunichar) unit;
            if (unit >= 0xDC00 && unit <= 0xDFFF)
              return reader_fail (reader, "lone surrogate");
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                int low;

                if (reader->end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
                    (low = hex4 (p + 3)) < 0xDC00 || low > 0xDFFF)
                  return reader_fail (reader, "lone surrogate");
                p += 6;
                ch = 0x10000 + (((gunichar) unit - 0xD800) << 10) + ((gunichar) low - 0xDC00);
              }
            if (ch == 0)
              return reader_fail (reader, "NUL in a string");
            g_string_append_unichar (out, ch);
          }
          break;
        default:
          return reader_fail (reader, "bad escape");
        }
      p++;
    }
  reader->p = p + 1;
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    return reader_fail (reader, "invalid UTF-8");
  return TRUE;
}

static JsonNode *
read_number (Reader *reader)
{
  const char *start = reader->p, *p = reader->p;
  gboolean integral = TRUE;
  char small[64];
  g_autofree char *large = NULL;
  char *text, *tail;
  JsonNode *node;

  if (p < reader->end && *p == '-')
    p++;
  if (p < reader->end && *p == '0')
    p++;
  else if (p < reader->end && *p >= '1' && *p <= '9')
    while (p < reader->end && g_ascii_isdigit (*p))
      p++;
  else
    return reader_fail (reader, "bad number"), NULL;
  if (p < reader->end && *p == '.')
    {
      integral = FALSE;
      if (++p >= reader->end || !g_ascii_isdigit (*p))
        return reader_fail (reader, "bad number"), NULL;
      while (p < reader->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < reader->end && (*p == 'e' || *p == 'E'))
    {
      integral = FALSE;
      if (++p < reader->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= reader->end || !g_ascii_isdigit (*p))
        return reader_fail (reader, "bad number"), NULL;
      while (p < reader->end && g_ascii_isdigit (*p))
        p++;
    }
  reader->p = p;

  /* The text is not NUL-terminated where it lies, and strtod needs it to be. */
  if ((gsize) (p - start) < sizeof small)
    {
      memcpy (small, start, (gsize) (p - start));
      small[p - start] = '\0';
      text = small;
    }
  else
    text = large = g_strndup (start, (gsize) (p - start));

  node = json_node_alloc ();
  if (integral)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, &tail, 10);
      if (errno == 0)
        return json_node_init_int (node, value);
    }
  return json_node_init_double (node, g_ascii_strtod (text, &tail));
}

static gboolean
read_literal (Reader *reader, const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (reader->end - reader->p) < length || memcmp (reader->p, word, length) != 0)
    return reader_fail (reader, "unexpected character");
  reader->p += length;
  return TRUE;
}

static JsonObject *read_object (Reader *reader);
static JsonArray *read_array (Reader *reader);

static JsonNode *
read_value (Reader *reader)
{
  JsonNode *node;

  skip_space (reader);
  if (reader->p >= reader->end)
    return reader_fail (reader, "missing value"), NULL;
  switch (*reader->p)
    {
    case '{':
      {
        JsonObject *object = read_object (reader);

        if (object == NULL)
          return NULL;
        node = json_node_alloc ();
        json_node_init_object (node, object);
        json_object_unref (object);
        return node;
      }
    case '[':
      {
        JsonArray *array = read_array (reader);

        if (array == NULL)
          return NULL;
        node = json_node_alloc ();
        json_node_init_array (node, array);
        json_array_unref (array);
        return node;
      }
    case '"':
      if (!read_string (reader, reader->text))
        return NULL;
      return json_node_init_string (json_node_alloc (), reader->text->str);
    case 't':
      return read_literal (reader, "true") ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return read_literal (reader, "false") ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n':
      return read_literal (reader, "null") ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      return read_number (reader);
    }
}

/* Called at '{'. */
static JsonObject *
read_object (Reader *reader)
{
  g_autoptr(JsonObject) object = NULL;
  GString *key;

  if (reader->depth >= MAX_DEPTH)
    {
      reader->too_deep = TRUE;
      return reader_fail (reader, "nested too deeply"), NULL;
    }
  key = reader->keys[reader->depth];
  if (key == NULL)
    key = reader->keys[reader->depth] = g_string_sized_new (32);
  reader->depth++;
  reader->p++;
  object = json_object_new ();
  skip_space (reader);
  if (reader->p < reader->end && *reader->p == '}')
    {
      reader->p++;
      reader->depth--;
      return g_steal_pointer (&object);
    }
  for (;;)
    {
      JsonNode *value;

      skip_space (reader);
      if (reader->p >= reader->end || *reader->p != '"')
        return reader_fail (reader, "expected a member name"), NULL;
      if (!read_string (reader, key))
        return NULL;
      skip_space (reader);
      if (reader->p >= reader->end || *reader->p != ':')
        return reader_fail (reader, "expected ':'"), NULL;
      reader->p++;
      value = read_value (reader);
      if (value == NULL)
        return NULL;
      /* A repeated name keeps the last value, as json-glib does. */
      json_object_set_member (object, key->str, value);
      skip_space (reader);
      if (reader->p < reader->end && *reader->p == ',')
        {
          reader->p++;
          continue;
        }
      if (reader->p < reader->end && *reader->p == '}')
        {
          reader->p++;
          reader->depth--;
          return g_steal_pointer (&object);
        }
      return reader_fail (reader, "expected ',' or '}'"), NULL;
    }
}

/* Called at '['. */
static JsonArray *
read_array (Reader *reader)
{
  g_autoptr(JsonArray) array = NULL;

  if (reader->depth >= MAX_DEPTH)
    {
      reader->too_deep = TRUE;
      return reader_fail (reader, "nested too deeply"), NULL;
    }
  reader->depth++;
  reader->p++;
  array = json_array_new ();
  skip_space (reader);
  if (reader->p < reader->end && *reader->p == ']')
    {
      reader->p++;
      reader->depth--;
      return g_steal_pointer (&array);
    }
  for (;;)
    {
      JsonNode *value = read_value (reader);

      if (value == NULL)
        return NULL;
      json_array_add_element (array, value);
      skip_space (reader);
      if (reader->p < reader->end && *reader->p == ',')
        {
          reader->p++;
          continue;
        }
      if (reader->p < reader->end && *reader->p == ']')
        {
          reader->p++;
          reader->depth--;
          return g_steal_pointer (&array);
        }
      return reader_fail (reader, "expected ',' or ']'"), NULL;
    }
}

/* Parses exactly one JSON value filling @data..@length. The reader's precise reason goes to the
 * debug log; the error carries @what, which users can read in their language. */
static JsonNode *
parse_value (Reader *reader, const char *data, gsize length, const char *what, GError **error)
{
  JsonNode *node;

  reader_init (reader, data, length);
  node = read_value (reader);
  if (node != NULL)
    {
      skip_space (reader);
      if (reader->p != reader->end)
        {
          g_clear_pointer (&node, json_node_unref);
          reader_fail (reader, "trailing data");
        }
    }
  if (node == NULL)
    {
      g_debug ("Malformed JSON at byte %" G_GSIZE_FORMAT ": %s", (gsize) (reader->p - data),
               reader->error ? reader->error : "unknown");
      set_malformed (error, reader->too_deep ? _("nested too deeply") : what);
    }
  return node;
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

static JsonObject *
parse_record (Reader *reader, const char *data, gsize length, GError **error)
{
  g_autoptr(JsonNode) root = parse_value (reader, data, length, _("bad records"), error);

  return root ? record_from_node (root, error) : NULL;
}

JsonObject *
gig_pb_parse_record (const char *data, gssize length, GError **error)
{
  Reader reader = { 0 };
  JsonObject *record;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  if ((gsize) length > MAX_VALUE_SIZE)
    {
      set_malformed (error, _("too large"));
      return NULL;
    }
  record = parse_record (&reader, data, (gsize) length, error);
  reader_clear (&reader);
  return record;
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
  GString    *buffer;         /* the value, or the part of a record from earlier chunks */
  Reader      reader;
  GPtrArray  *items;
};

GigPbPageParser *
gig_pb_page_parser_new (void)
{
  GigPbPageParser *parser = g_new0 (GigPbPageParser, 1);

  parser->state = PAGE_START;
  parser->key = g_string_new (NULL);
  parser->buffer = g_string_sized_new (4096);
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
  reader_clear (&parser->reader);
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

/* Parses the record that ends at @data + @length; its start is in the buffer if an earlier
 * chunk carried it, else in @data (parsed in place, without a copy). */
static gboolean
finish_item (GigPbPageParser *parser, const char *data, gsize length, GError **error)
{
  JsonObject *record;

  if (parser->buffer->len > 0)
    {
      g_string_append_len (parser->buffer, data, (gssize) length);
      data = parser->buffer->str;
      length = parser->buffer->len;
    }
  record = parse_record (&parser->reader, data, length, error);
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
  g_autoptr(JsonNode) value = NULL;

  /* Scalars like "page" or "totalItems": only checked, since the cursor comes from the items. */
  value = parse_value (&parser->reader, parser->buffer->str, parser->buffer->len,
                       _("missing value"), error);
  if (value == NULL)
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
            if (parser->buffer->len + (i - start) >= MAX_VALUE_SIZE)
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
