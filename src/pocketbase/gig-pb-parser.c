/* gig-pb-parser.c: incremental parsers for list pages and server-sent events.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-answers.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>
#include <string.h>

/* A single record or top-level value larger than this is not something PocketBase sends. */
#define MAX_VALUE_SIZE (16 * 1024 * 1024)
/* No realtime message the client would accept is longer (gig_pb_parse_realtime_event). */
#define MAX_SSE_SIZE GIG_PB_MAX_EVENT_DATA

static gboolean
set_malformed (GError **error, const char *what)
{
  g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"), what);
  return FALSE;
}

/* The JSON reader's error as this layer's: the reader's reason when it is one a user can act
 * on (too deep, too large), else @what. */
static void
set_malformed_from_json (GError **error, const GError *json_error, const char *what)
{
  if (json_error->code == GIG_JSON_ERROR_TOO_DEEP || json_error->code == GIG_JSON_ERROR_TOO_LARGE)
    what = json_error->message;
  set_malformed (error, what);
}

JsonObject *
gig_pb_check_record (JsonNode *root, GError **error)
{
  JsonObject *object;
  JsonNode *member;

  g_return_val_if_fail (root != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_malformed (error, _("a record is not an object"));
      return NULL;
    }
  object = json_node_get_object (root);
  member = json_object_get_member (object, "id");
  if (gig_json_node_get_string (member) == NULL || *json_node_get_string (member) == '\0')
    {
      set_malformed (error, _("a record has no id"));
      return NULL;
    }
  member = json_object_get_member (object, "updated");
  if (member != NULL && gig_json_node_get_string (member) == NULL)
    {
      set_malformed (error, _("a record's updated is not a string"));
      return NULL;
    }
  return json_object_ref (object);
}

JsonObject *
gig_pb_parse_record (const char *data, gssize length, GError **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = gig_json_parse (data, length, MAX_VALUE_SIZE, &json_error);
  if (root == NULL)
    {
      set_malformed_from_json (error, json_error, _("bad records"));
      return NULL;
    }
  return gig_pb_check_record (root, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Records kept as the server's text                                                          */

/* One allocation: this header, the members, the text, the decoded id and updated. */
struct _GigPbRecord
{
  gsize          length;
  const char    *text;
  const char    *id;
  const char    *updated;    /* NULL when the record has none */
  guint          n_members;
  GigJsonMember  members[];
};

/* Scans one record with @scanner (scratch kept by the caller). */
static GigPbRecord *
scan_record (GigJsonScanner *scanner, const char *data, gsize length, GError **error)
{
  g_autoptr(GString) id = g_string_new (NULL);
  g_autoptr(GString) updated = NULL;
  g_autoptr(GError) json_error = NULL;
  const GigJsonMember *members, *id_member, *updated_member;
  GigPbRecord *record;
  guint n_members;
  gsize head;
  char *tail;

  members = gig_json_scanner_scan_object (scanner, data, length, MAX_VALUE_SIZE, &n_members, &json_error);
  if (members == NULL)
    {
      if (json_error->code == GIG_JSON_ERROR_NOT_OBJECT)
        set_malformed (error, _("a record is not an object"));
      else
        set_malformed_from_json (error, json_error, _("bad records"));
      return NULL;
    }

  id_member = gig_json_members_find (data, members, n_members, "id");
  updated_member = gig_json_members_find (data, members, n_members, "updated");
  if (id_member == NULL || id_member->type != GIG_JSON_TYPE_STRING || id_member->value_length <= 2)
    {
      set_malformed (error, _("a record has no id"));
      return NULL;
    }
  gig_json_decode_string (data + id_member->value, id_member->value_length, id);
  if (updated_member != NULL)
    {
      if (updated_member->type != GIG_JSON_TYPE_STRING)
        {
          set_malformed (error, _("a record's updated is not a string"));
          return NULL;
        }
      updated = g_string_new (NULL);
      gig_json_decode_string (data + updated_member->value, updated_member->value_length, updated);
    }

  head = sizeof (GigPbRecord) + n_members * sizeof (GigJsonMember);
  record = g_malloc (head + length + 1 + id->len + 1 + (updated ? updated->len + 1 : 0));
  record->length = length;
  record->n_members = n_members;
  memcpy (record->members, members, n_members * sizeof (GigJsonMember));
  tail = (char *) record + head;
  memcpy (tail, data, length);
  tail[length] = '\0';
  record->text = tail;
  tail += length + 1;
  memcpy (tail, id->str, id->len + 1);
  record->id = tail;
  tail += id->len + 1;
  record->updated = NULL;
  if (updated != NULL)
    {
      memcpy (tail, updated->str, updated->len + 1);
      record->updated = tail;
    }
  return record;
}

GigPbRecord *
gig_pb_record_new (const char *data, gssize length, GError **error)
{
  g_autoptr(GigJsonScanner) scanner = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  scanner = gig_json_scanner_new ();
  return scan_record (scanner, data, (gsize) length, error);
}

void
gig_pb_record_free (GigPbRecord *record)
{
  g_free (record);
}

const char *
gig_pb_record_get_text (const GigPbRecord *record, gsize *out_length)
{
  g_return_val_if_fail (record != NULL, NULL);
  if (out_length)
    *out_length = record->length;
  return record->text;
}

const char *
gig_pb_record_get_id (const GigPbRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->id;
}

const char *
gig_pb_record_get_updated (const GigPbRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->updated;
}

guint
gig_pb_record_get_n_members (const GigPbRecord *record)
{
  g_return_val_if_fail (record != NULL, 0);
  return record->n_members;
}

void
gig_pb_record_get_member (const GigPbRecord *record, guint index, GigPbMember *out)
{
  const GigJsonMember *m;

  g_return_if_fail (record != NULL && index < record->n_members && out != NULL);

  m = &record->members[index];
  out->name = record->text + m->name;
  out->name_length = m->name_length;
  out->name_escaped = m->name_escaped;
  out->type = (GigPbValueType) m->type;
  out->value = record->text + m->value;
  out->value_length = m->value_length;
  out->value_escaped = m->value_escaped;
}

gboolean
gig_pb_member_has_name (const GigPbMember *member, const char *name)
{
  g_return_val_if_fail (member != NULL && name != NULL, FALSE);

  return gig_json_string_equals (member->name, member->name_length, member->name_escaped, name);
}

char *
gig_pb_member_dup_string (const GigPbMember *member)
{
  GString *decoded;

  g_return_val_if_fail (member != NULL && member->type == GIG_PB_VALUE_STRING, NULL);

  if (!member->value_escaped)
    return g_strndup (member->value + 1, member->value_length - 2);
  decoded = g_string_sized_new (member->value_length);
  gig_json_decode_string (member->value, member->value_length, decoded);
  return g_string_free (decoded, FALSE);
}

gboolean
gig_pb_member_get_number (const GigPbMember *member, gint64 *out_int, double *out_double)
{
  g_return_val_if_fail (member != NULL && member->type == GIG_PB_VALUE_NUMBER, FALSE);

  return gig_json_number_value (member->value, member->value_length, out_int, out_double);
}

JsonObject *
gig_pb_record_to_object (const GigPbRecord *record)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_return_val_if_fail (record != NULL, NULL);

  /* The text was checked when the record was made: this cannot fail. */
  object = gig_pb_parse_record (record->text, (gssize) record->length, &error);
  g_assert_no_error (error);
  return object;
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
  GigJsonScanner *scanner;
  GPtrArray  *items;          /* GigPbRecord */
};

GigPbPageParser *
gig_pb_page_parser_new (void)
{
  GigPbPageParser *parser = g_new0 (GigPbPageParser, 1);

  parser->state = PAGE_START;
  parser->key = g_string_new (NULL);
  parser->buffer = g_string_sized_new (4096);
  parser->scanner = gig_json_scanner_new ();
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_pb_record_free);
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
  GigPbRecord *record;

  if (parser->buffer->len > 0)
    {
      g_string_append_len (parser->buffer, data, (gssize) length);
      data = parser->buffer->str;
      length = parser->buffer->len;
    }
  record = scan_record (parser->scanner, data, length, error);
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
      set_malformed_from_json (error, json_error, _("missing value"));
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
gig_pb_page_parser_steal_records (GigPbPageParser *parser)
{
  GPtrArray *items;

  g_return_val_if_fail (parser != NULL, NULL);

  items = g_steal_pointer (&parser->items);
  parser->items = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_pb_record_free);
  return items;
}

GPtrArray *
gig_pb_records_to_objects (GPtrArray *records)
{
  GPtrArray *objects;

  g_return_val_if_fail (records != NULL, NULL);

  objects = g_ptr_array_new_full (records->len, (GDestroyNotify) json_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (objects, gig_pb_record_to_object (g_ptr_array_index (records, i)));
  return objects;
}

GPtrArray *
gig_pb_page_parser_steal_items (GigPbPageParser *parser)
{
  g_autoptr(GPtrArray) records = gig_pb_page_parser_steal_records (parser);

  return gig_pb_records_to_objects (records);
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
