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

/* At the opening quote: checks the string and, if @out is not NULL, decodes it there
 * (NUL-terminated, valid UTF-8). Plain runs are checked as UTF-8 where they lie; an escape always
 * decodes to a whole character, so a run cut short by one is invalid either way. */
static gboolean
read_string (Reader *reader, GString *out, gboolean *out_escaped)
{
  const char *p = reader->p + 1;
  gboolean escaped = FALSE;

  if (out)
    g_string_truncate (out, 0);
  for (;;)
    {
      const char *run = p;
      guchar high = 0;

      while (p < reader->end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
        high |= (guchar) *p++;
      /* most text is ASCII: only a run with a byte above 0x7F needs the UTF-8 check */
      if ((high & 0x80) && !g_utf8_validate_len (run, (gsize) (p - run), NULL))
        return reader_fail (reader, "invalid UTF-8");
      if (out)
        g_string_append_len (out, run, p - run);
      if (p >= reader->end)
        return reader_fail (reader, "unterminated string");
      if (*p == '"')
        break;
      if (*p != '\\')
        return reader_fail (reader, "control character in a string");
      escaped = TRUE;
      if (++p >= reader->end)
        return reader_fail (reader, "unterminated string");
      switch (*p)
        {
        case '"': case '\\': case '/': if (out) g_string_append_c (out, *p); break;
        case 'b': if (out) g_string_append_c (out, '\b'); break;
        case 'f': if (out) g_string_append_c (out, '\f'); break;
        case 'n': if (out) g_string_append_c (out, '\n'); break;
        case 'r': if (out) g_string_append_c (out, '\r'); break;
        case 't': if (out) g_string_append_c (out, '\t'); break;
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
            if (out)
              g_string_append_unichar (out, ch);
          }
          break;
        default:
          return reader_fail (reader, "bad escape");
        }
      p++;
    }
  reader->p = p + 1;
  if (out_escaped)
    *out_escaped = escaped;
  return TRUE;
}

/* Checks a number's grammar; leaves reader->p after it. */
static gboolean
scan_number (Reader *reader, gboolean *out_integral)
{
  const char *p = reader->p;
  gboolean integral = TRUE;

  if (p < reader->end && *p == '-')
    p++;
  if (p < reader->end && *p == '0')
    p++;
  else if (p < reader->end && *p >= '1' && *p <= '9')
    while (p < reader->end && g_ascii_isdigit (*p))
      p++;
  else
    return reader_fail (reader, "bad number");
  if (p < reader->end && *p == '.')
    {
      integral = FALSE;
      if (++p >= reader->end || !g_ascii_isdigit (*p))
        return reader_fail (reader, "bad number");
      while (p < reader->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < reader->end && (*p == 'e' || *p == 'E'))
    {
      integral = FALSE;
      if (++p < reader->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= reader->end || !g_ascii_isdigit (*p))
        return reader_fail (reader, "bad number");
      while (p < reader->end && g_ascii_isdigit (*p))
        p++;
    }
  reader->p = p;
  if (out_integral)
    *out_integral = integral;
  return TRUE;
}

/* The number in @text..@length (already checked), as read_number reads it: an integer if it is
 * written as one and fits, else a double. */
static gboolean
number_value (const char *text, gsize length, gboolean integral, gint64 *out_int, double *out_double)
{
  char small[64];
  g_autofree char *large = NULL;
  const char *nul;
  char *tail;

  /* The text is not NUL-terminated where it lies, and strtod needs it to be. */
  if (length < sizeof small)
    {
      memcpy (small, text, length);
      small[length] = '\0';
      nul = small;
    }
  else
    nul = large = g_strndup (text, length);

  if (integral)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (nul, &tail, 10);
      if (errno == 0)
        {
          *out_int = value;
          *out_double = (double) value;
          return TRUE;
        }
    }
  *out_double = g_ascii_strtod (nul, &tail);
  /* json-glib casts; out of range, that is undefined, so clamp */
  if (*out_double >= 9223372036854775807.0)
    *out_int = G_MAXINT64;
  else if (*out_double <= -9223372036854775808.0)
    *out_int = G_MININT64;
  else
    *out_int = (gint64) *out_double;
  return FALSE;
}

static JsonNode *
read_number (Reader *reader)
{
  const char *start = reader->p;
  gboolean integral;
  gint64 as_int;
  double as_double;

  if (!scan_number (reader, &integral))
    return NULL;
  if (number_value (start, (gsize) (reader->p - start), integral, &as_int, &as_double))
    return json_node_init_int (json_node_alloc (), as_int);
  return json_node_init_double (json_node_alloc (), as_double);
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
      if (!read_string (reader, reader->text, NULL))
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
      if (!read_string (reader, key, NULL))
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
/* Records kept as the server's text                                                          */

/* The same grammar as the reader above, checked without building anything: a record that
 * scans is exactly a record that read_value accepts (the fuzz target compares the two). */

static gboolean scan_value (Reader *reader, gboolean *out_escaped);

/* At '{' or '['. */
static gboolean
scan_container (Reader *reader)
{
  gboolean object = *reader->p == '{';
  char close = object ? '}' : ']';

  if (reader->depth >= MAX_DEPTH)
    {
      reader->too_deep = TRUE;
      return reader_fail (reader, "nested too deeply");
    }
  reader->depth++;
  reader->p++;
  skip_space (reader);
  if (reader->p < reader->end && *reader->p == close)
    {
      reader->p++;
      reader->depth--;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          skip_space (reader);
          if (reader->p >= reader->end || *reader->p != '"')
            return reader_fail (reader, "expected a member name");
          if (!read_string (reader, NULL, NULL))
            return FALSE;
          skip_space (reader);
          if (reader->p >= reader->end || *reader->p != ':')
            return reader_fail (reader, "expected ':'");
          reader->p++;
        }
      if (!scan_value (reader, NULL))
        return FALSE;
      skip_space (reader);
      if (reader->p < reader->end && *reader->p == ',')
        {
          reader->p++;
          continue;
        }
      if (reader->p < reader->end && *reader->p == close)
        {
          reader->p++;
          reader->depth--;
          return TRUE;
        }
      return reader_fail (reader, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Skips leading space; leaves reader->p just after the value. */
static gboolean
scan_value (Reader *reader, gboolean *out_escaped)
{
  skip_space (reader);
  if (reader->p >= reader->end)
    return reader_fail (reader, "missing value");
  switch (*reader->p)
    {
    case '{':
    case '[':
      return scan_container (reader);
    case '"':
      return read_string (reader, NULL, out_escaped);
    case 't':
      return read_literal (reader, "true");
    case 'f':
      return read_literal (reader, "false");
    case 'n':
      return read_literal (reader, "null");
    default:
      return scan_number (reader, NULL);
    }
}

typedef struct
{
  guint32 name;           /* offsets into the record's text */
  guint32 name_length;    /* the name's bytes between its quotes */
  guint32 value;
  guint32 value_length;   /* the value's text (a string with its quotes) */
  guint8  type;           /* GigPbValueType */
  guint8  name_escaped;
  guint8  value_escaped;
} Member;

/* One allocation: this header, the members, the text, the decoded id and updated. */
struct _GigPbRecord
{
  gsize       length;
  const char *text;
  const char *id;
  const char *updated;    /* NULL when the record has none */
  guint       n_members;
  Member      members[];
};

static GigPbValueType
value_type_at (char c)
{
  switch (c)
    {
    case '{': return GIG_PB_VALUE_OBJECT;
    case '[': return GIG_PB_VALUE_ARRAY;
    case '"': return GIG_PB_VALUE_STRING;
    case 't': case 'f': return GIG_PB_VALUE_BOOLEAN;
    case 'n': return GIG_PB_VALUE_NULL;
    default: return GIG_PB_VALUE_NUMBER;
    }
}

/* Decodes the string whose text (with quotes) is @text..@length, already checked by
 * read_string, into @out. */
static void
decode_string (const char *text, gsize length, GString *out)
{
  Reader reader = { .p = text, .end = text + length };
  gboolean ok;

  ok = read_string (&reader, out, NULL);
  g_assert (ok);
  (void) ok;
}

static const Member *
find_member (const char *text, const Member *members, guint n, const char *name, GString *scratch)
{
  gsize name_length = strlen (name);

  /* The last of repeated names wins, as in json-glib. */
  for (guint i = n; i-- > 0;)
    {
      const Member *m = &members[i];

      if (!m->name_escaped)
        {
          if (m->name_length == name_length && memcmp (text + m->name, name, name_length) == 0)
            return m;
        }
      else
        {
          decode_string (text + m->name - 1, m->name_length + 2, scratch);
          if (strcmp (scratch->str, name) == 0)
            return m;
        }
    }
  return NULL;
}

/* Scans one record; @members is scratch space kept by the caller. */
static GigPbRecord *
scan_record (Reader *reader, const char *data, gsize length, GArray *members, GError **error)
{
  g_autoptr(GString) id = g_string_new (NULL);
  g_autoptr(GString) updated = NULL;
  const Member *id_member, *updated_member;
  GigPbRecord *record;
  gsize head;
  char *tail;

  reader_init (reader, data, length);
  g_array_set_size (members, 0);
  skip_space (reader);
  if (reader->p >= reader->end || *reader->p != '{')
    {
      /* Whatever it is, it must still be valid JSON to say which error applies. */
      if (!scan_value (reader, NULL))
        goto malformed;
      skip_space (reader);
      if (reader->p != reader->end)
        {
          reader_fail (reader, "trailing data");
          goto malformed;
        }
      set_malformed (error, _("a record is not an object"));
      return NULL;
    }
  if (length > G_MAXUINT32)
    {
      set_malformed (error, _("too large"));
      return NULL;
    }

  reader->depth = 1;
  reader->p++;
  skip_space (reader);
  if (reader->p < reader->end && *reader->p == '}')
    reader->p++;
  else
    for (;;)
      {
        Member m = { 0 };
        gboolean escaped = FALSE;
        const char *start;

        skip_space (reader);
        if (reader->p >= reader->end || *reader->p != '"')
          {
            reader_fail (reader, "expected a member name");
            goto malformed;
          }
        start = reader->p;
        if (!read_string (reader, NULL, &escaped))
          goto malformed;
        m.name = (guint32) (start + 1 - data);
        m.name_length = (guint32) (reader->p - start - 2);
        m.name_escaped = escaped;
        skip_space (reader);
        if (reader->p >= reader->end || *reader->p != ':')
          {
            reader_fail (reader, "expected ':'");
            goto malformed;
          }
        reader->p++;
        skip_space (reader);
        start = reader->p;
        escaped = FALSE;
        if (!scan_value (reader, &escaped))
          goto malformed;
        m.value = (guint32) (start - data);
        m.value_length = (guint32) (reader->p - start);
        m.type = value_type_at (*start);
        m.value_escaped = escaped;
        g_array_append_val (members, m);
        skip_space (reader);
        if (reader->p < reader->end && *reader->p == ',')
          {
            reader->p++;
            continue;
          }
        if (reader->p < reader->end && *reader->p == '}')
          {
            reader->p++;
            break;
          }
        reader_fail (reader, "expected ',' or '}'");
        goto malformed;
      }
  skip_space (reader);
  if (reader->p != reader->end)
    {
      reader_fail (reader, "trailing data");
      goto malformed;
    }

  id_member = find_member (data, (const Member *) members->data, members->len, "id", reader->text);
  updated_member = find_member (data, (const Member *) members->data, members->len, "updated",
                                reader->text);
  if (id_member == NULL || id_member->type != GIG_PB_VALUE_STRING || id_member->value_length <= 2)
    {
      set_malformed (error, _("a record has no id"));
      return NULL;
    }
  decode_string (data + id_member->value, id_member->value_length, id);
  if (updated_member != NULL)
    {
      if (updated_member->type != GIG_PB_VALUE_STRING)
        {
          set_malformed (error, _("a record's updated is not a string"));
          return NULL;
        }
      updated = g_string_new (NULL);
      decode_string (data + updated_member->value, updated_member->value_length, updated);
    }

  head = sizeof (GigPbRecord) + members->len * sizeof (Member);
  record = g_malloc (head + length + 1 + id->len + 1 + (updated ? updated->len + 1 : 0));
  record->length = length;
  record->n_members = members->len;
  memcpy (record->members, members->data, members->len * sizeof (Member));
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

malformed:
  g_debug ("Malformed JSON at byte %" G_GSIZE_FORMAT ": %s", (gsize) (reader->p - data),
           reader->error ? reader->error : "unknown");
  set_malformed (error, reader->too_deep ? _("nested too deeply") : _("bad records"));
  return NULL;
}

GigPbRecord *
gig_pb_record_new (const char *data, gssize length, GError **error)
{
  Reader reader = { 0 };
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (Member));
  GigPbRecord *record;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  if ((gsize) length > MAX_VALUE_SIZE)
    {
      set_malformed (error, _("too large"));
      return NULL;
    }
  record = scan_record (&reader, data, (gsize) length, members, error);
  reader_clear (&reader);
  return record;
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
  const Member *m;

  g_return_if_fail (record != NULL && index < record->n_members && out != NULL);

  m = &record->members[index];
  out->name = record->text + m->name;
  out->name_length = m->name_length;
  out->name_escaped = m->name_escaped;
  out->type = m->type;
  out->value = record->text + m->value;
  out->value_length = m->value_length;
  out->value_escaped = m->value_escaped;
}

gboolean
gig_pb_member_has_name (const GigPbMember *member, const char *name)
{
  g_autoptr(GString) decoded = NULL;

  g_return_val_if_fail (member != NULL && name != NULL, FALSE);

  if (!member->name_escaped)
    return member->name_length == strlen (name) && memcmp (member->name, name, member->name_length) == 0;
  decoded = g_string_new (NULL);
  decode_string (member->name - 1, member->name_length + 2, decoded);
  return strcmp (decoded->str, name) == 0;
}

char *
gig_pb_member_dup_string (const GigPbMember *member)
{
  GString *decoded;

  g_return_val_if_fail (member != NULL && member->type == GIG_PB_VALUE_STRING, NULL);

  if (!member->value_escaped)
    return g_strndup (member->value + 1, member->value_length - 2);
  decoded = g_string_sized_new (member->value_length);
  decode_string (member->value, member->value_length, decoded);
  return g_string_free (decoded, FALSE);
}

gboolean
gig_pb_member_get_number (const GigPbMember *member, gint64 *out_int, double *out_double)
{
  gboolean integral;

  g_return_val_if_fail (member != NULL && member->type == GIG_PB_VALUE_NUMBER, FALSE);

  integral = memchr (member->value, '.', member->value_length) == NULL &&
             memchr (member->value, 'e', member->value_length) == NULL &&
             memchr (member->value, 'E', member->value_length) == NULL;
  return number_value (member->value, member->value_length, integral, out_int, out_double);
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
  Reader      reader;
  GArray     *members;        /* scratch for scan_record */
  GPtrArray  *items;          /* GigPbRecord */
};

GigPbPageParser *
gig_pb_page_parser_new (void)
{
  GigPbPageParser *parser = g_new0 (GigPbPageParser, 1);

  parser->state = PAGE_START;
  parser->key = g_string_new (NULL);
  parser->buffer = g_string_sized_new (4096);
  parser->members = g_array_sized_new (FALSE, FALSE, sizeof (Member), 32);
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
  reader_clear (&parser->reader);
  g_array_unref (parser->members);
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
  record = scan_record (&parser->reader, data, length, parser->members, error);
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
