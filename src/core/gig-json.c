/* gig-json.c: the one bounded JSON reader, its member index and its typed getters.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-json.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

G_DEFINE_QUARK (gig-json-error-quark, gig_json_error)

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
  GString    *keys[GIG_JSON_MAX_DEPTH + 1];    /* one member name per open object */
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

  if (reader->depth >= GIG_JSON_MAX_DEPTH)
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

  if (reader->depth >= GIG_JSON_MAX_DEPTH)
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


/* ------------------------------------------------------------------------------------------ */
/* Whole values                                                                               */

/* Turns the reader's failure into a GError: its precise reason goes to the debug log, the
 * message is one a user can read in their language. */
static void
reader_set_error (Reader *reader, const char *data, GError **error)
{
  g_debug ("Malformed JSON at byte %" G_GSIZE_FORMAT ": %s", (gsize) (reader->p - data),
           reader->error ? reader->error : "unknown");
  if (reader->too_deep)
    g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_TOO_DEEP, _("nested too deeply"));
  else
    g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_SYNTAX, _("not valid JSON"));
}

static gboolean
check_size (gsize length, gsize max_size, GError **error)
{
  if (length <= max_size)
    return TRUE;
  g_debug ("JSON of %" G_GSIZE_FORMAT " bytes, the limit is %" G_GSIZE_FORMAT, length, max_size);
  g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_TOO_LARGE, _("too large"));
  return FALSE;
}

JsonNode *
gig_json_parse (const char *data, gssize length, gsize max_size, GError **error)
{
  Reader reader = { 0 };
  JsonNode *node;

  g_return_val_if_fail (data != NULL || length <= 0, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize) strlen (data);
  if (!check_size ((gsize) length, max_size, error))
    return NULL;

  reader_init (&reader, data, (gsize) length);
  node = read_value (&reader);
  if (node != NULL)
    {
      skip_space (&reader);
      if (reader.p != reader.end)
        {
          g_clear_pointer (&node, json_node_unref);
          reader_fail (&reader, "trailing data");
        }
    }
  if (node == NULL)
    reader_set_error (&reader, data, error);
  reader_clear (&reader);
  return node;
}

JsonObject *
gig_json_parse_object (const char *data, gssize length, gsize max_size, GError **error)
{
  g_autoptr(JsonNode) root = gig_json_parse (data, length, max_size, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_NOT_OBJECT, _("not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* ------------------------------------------------------------------------------------------ */
/* Checking and indexing without a tree                                                       */

/* The same grammar as the reader above, checked without building anything: an object that
 * scans is exactly an object that read_value accepts (a fuzz target compares the two). */

static gboolean scan_value (Reader *reader, gboolean *out_escaped);

/* At '{' or '['. */
static gboolean
scan_container (Reader *reader)
{
  gboolean object = *reader->p == '{';
  char close = object ? '}' : ']';

  if (reader->depth >= GIG_JSON_MAX_DEPTH)
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


struct _GigJsonScanner
{
  Reader  reader;
  GArray *members;   /* GigJsonMember */
};

GigJsonScanner *
gig_json_scanner_new (void)
{
  GigJsonScanner *scanner = g_new0 (GigJsonScanner, 1);

  scanner->members = g_array_sized_new (FALSE, FALSE, sizeof (GigJsonMember), 32);
  return scanner;
}

void
gig_json_scanner_free (GigJsonScanner *scanner)
{
  if (scanner == NULL)
    return;
  reader_clear (&scanner->reader);
  g_array_unref (scanner->members);
  g_free (scanner);
}

static GigJsonType
value_type_at (char c)
{
  switch (c)
    {
    case '{': return GIG_JSON_TYPE_OBJECT;
    case '[': return GIG_JSON_TYPE_ARRAY;
    case '"': return GIG_JSON_TYPE_STRING;
    case 't': case 'f': return GIG_JSON_TYPE_BOOLEAN;
    case 'n': return GIG_JSON_TYPE_NULL;
    default: return GIG_JSON_TYPE_NUMBER;
    }
}

gboolean
gig_json_scanner_check (GigJsonScanner *scanner, const char *data, gsize length, GError **error)
{
  Reader *reader;

  g_return_val_if_fail (scanner != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  reader = &scanner->reader;
  reader_init (reader, data ? data : "", length);
  if (scan_value (reader, NULL))
    {
      skip_space (reader);
      if (reader->p == reader->end)
        return TRUE;
      reader_fail (reader, "trailing data");
    }
  reader_set_error (reader, data, error);
  return FALSE;
}

const GigJsonMember *
gig_json_scanner_scan_object (GigJsonScanner  *scanner,
                              const char      *data,
                              gsize            length,
                              gsize            max_size,
                              guint           *n_members,
                              GError         **error)
{
  Reader *reader;
  GArray *members;

  g_return_val_if_fail (scanner != NULL && n_members != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  *n_members = 0;
  if (!check_size (length, MIN (max_size, (gsize) G_MAXUINT32), error))
    return NULL;
  if (data == NULL)
    data = "";
  reader = &scanner->reader;
  members = scanner->members;
  reader_init (reader, data, length);
  g_array_set_size (members, 0);
  skip_space (reader);
  if (reader->p >= reader->end || *reader->p != '{')
    {
      /* Whatever it is, it must still be valid JSON to say which error applies. */
      if (!gig_json_scanner_check (scanner, data, length, error))
        return NULL;
      g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_NOT_OBJECT, _("not a JSON object"));
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
        GigJsonMember m = { 0 };
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
  *n_members = members->len;
  return (const GigJsonMember *) members->data;

malformed:
  reader_set_error (reader, data, error);
  return NULL;
}

void
gig_json_decode_string (const char *text, gsize length, GString *out)
{
  Reader reader = { .p = text, .end = text + length };
  gboolean ok;

  g_return_if_fail (text != NULL && length >= 2 && out != NULL);

  ok = read_string (&reader, out, NULL);
  g_assert (ok);
  (void) ok;
}

gboolean
gig_json_string_equals (const char *raw, gsize raw_length, gboolean escaped, const char *name)
{
  g_autoptr(GString) decoded = NULL;

  g_return_val_if_fail (raw != NULL && name != NULL, FALSE);

  if (!escaped)
    return raw_length == strlen (name) && memcmp (raw, name, raw_length) == 0;
  decoded = g_string_new (NULL);
  gig_json_decode_string (raw - 1, raw_length + 2, decoded);
  return strcmp (decoded->str, name) == 0;
}

const GigJsonMember *
gig_json_members_find (const char *text, const GigJsonMember *members, guint n_members, const char *name)
{
  g_return_val_if_fail (text != NULL && name != NULL, NULL);

  for (guint i = n_members; i-- > 0;)
    if (gig_json_string_equals (text + members[i].name, members[i].name_length, members[i].name_escaped, name))
      return &members[i];
  return NULL;
}

gboolean
gig_json_number_value (const char *text, gsize length, gint64 *out_int, double *out_double)
{
  gboolean integral;

  g_return_val_if_fail (text != NULL && out_int != NULL && out_double != NULL, FALSE);

  integral = memchr (text, '.', length) == NULL && memchr (text, 'e', length) == NULL &&
             memchr (text, 'E', length) == NULL;
  return number_value (text, length, integral, out_int, out_double);
}

