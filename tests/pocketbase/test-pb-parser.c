/* test-pb-parser.c: the incremental page and SSE parsers, the two record readers (trees and
 * records kept as text) against each other, and the client against a local SoupServer that
 * answers with malformed, cut or unexpected responses.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-id.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"

#include "gig-test-async.h"

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#define GOOD_PAGE \
  "{\"items\":[{\"id\":\"aaaaaaaaaaaaaa1\",\"updated\":\"2026-11-24 21:36:50.474Z\",\"title\":\"A {tricky} \\\"title\\\" ]\"}," \
  " {\"id\":\"aaaaaaaaaaaaaa2\",\"updated\":\"2026-11-24 21:36:50.474Z\",\"nested\":{\"a\":[1,2,{\"b\":\"}\"}]}}]," \
  "\"page\":1,\"perPage\":1000,\"totalItems\":-1,\"totalPages\":-1}"

/* A page parser that has read all of @text, @chunk bytes at a time, or NULL if it failed. */
static GigPbPageParser *
feed_in_chunks (const char *text, gsize chunk, GError **error)
{
  g_autoptr(GigPbPageParser) parser = gig_pb_page_parser_new ();
  gsize length = strlen (text);

  for (gsize i = 0; i < length; i += chunk)
    if (!gig_pb_page_parser_feed (parser, text + i, MIN (chunk, length - i), error))
      return NULL;
  if (!gig_pb_page_parser_finish (parser, error))
    return NULL;
  return g_steal_pointer (&parser);
}

static GPtrArray *
parse_in_chunks (const char *text, gsize chunk, GError **error)
{
  g_autoptr(GigPbPageParser) parser = feed_in_chunks (text, chunk, error);

  return parser ? gig_pb_page_parser_steal_items (parser) : NULL;
}

static void
test_page_any_split (void)
{
  /* Every chunk size, down to one byte at a time, gives the same two records */
  for (gsize chunk = 1; chunk <= strlen (GOOD_PAGE); chunk++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) items = parse_in_chunks (GOOD_PAGE, chunk, &error);
      JsonObject *first, *second;

      g_assert_no_error (error);
      g_assert_cmpuint (items->len, ==, 2);
      first = g_ptr_array_index (items, 0);
      second = g_ptr_array_index (items, 1);
      g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "aaaaaaaaaaaaaa1");
      g_assert_cmpstr (json_object_get_string_member (first, "title"), ==, "A {tricky} \"title\" ]");
      g_assert_cmpstr (json_object_get_string_member (second, "id"), ==, "aaaaaaaaaaaaaa2");
    }
}

static void
test_page_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = parse_in_chunks ("{\"page\":1,\"items\":[],\"perPage\":1000}", 3, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
}

static void
test_page_malformed (void)
{
  const char *bad[] = {
    "",
    "[]",
    "{\"page\":1}",                                         /* no items */
    "{\"items\":[{\"id\":\"a\"}]",                          /* cut before the end */
    "{\"items\":[{\"id\":\"aaaa",                            /* cut inside a record */
    "{\"items\":[{\"title\":\"no id\"}]}",                  /* a record without an id */
    "{\"items\":[{\"id\":5}]}",                             /* a non-string id */
    "{\"items\":[{\"id\":\"a\",\"updated\":7}]}",           /* a non-string updated */
    "{\"items\":[1,2]}",                                    /* items that are not objects */
    "{\"items\":{\"id\":\"a\"}}",                           /* items not an array */
    "{\"items\":[{\"id\":\"a\"},]}",                        /* trailing comma */
    "{\"items\":[{\"id\":\"a\"}] \"page\":1}",              /* missing comma */
    "{\"items\":[],\"items\":[]}",                          /* items twice */
    "{\"items\":[{\"id\":\"a\",}]}",                        /* bad JSON inside a record */
    "{\"items\":[]} trailing",                              /* trailing garbage */
    "{\"items\":[],\"page\":tru}",                          /* bad top-level value */
    "{\"items\":[],\"page\":}",                             /* missing value */
    "<html><body>502 Bad Gateway</body></html>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    for (gsize chunk = 1; chunk <= 7; chunk += 6)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) items = parse_in_chunks (bad[i], chunk, &error);

        g_test_message ("case %u: %s", i, bad[i]);
        g_assert_null (items);
        g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      }
}

static void
test_page_large (void)
{
  /* Over a megabyte in odd-sized chunks: records parsed in place or from a carried-over start, in order */
  g_autoptr(GString) text = g_string_new ("{\"items\":[");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *filler = g_strnfill (500, 'x');
  const guint count = 3000;

  for (guint i = 0; i < count; i++)
    g_string_append_printf (text, "%s{\"id\":\"id%012u\",\"updated\":\"2026-01-01 00:00:00.000Z\",\"description\":\"%s\"}",
                            i ? "," : "", i, filler);
  g_string_append (text, "],\"page\":1}");
  g_assert_cmpuint (text->len, >, 1024 * 1024);

  items = parse_in_chunks (text->str, 8191, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, count);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_strdup_printf ("id%012u", i);
      g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (items, i), "id"), ==, id);
    }
}

static void
test_page_deep_nesting (void)
{
  g_autoptr(GString) text = g_string_new ("{\"items\":[{\"id\":\"a\",\"x\":");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  items = parse_in_chunks (text->str, 4096, &error);
  g_assert_null (items);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

static void
test_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = gig_pb_parse_record ("{\"id\":\"abc\",\"updated\":\"2026-01-01 00:00:00.000Z\"}", -1, &error);
  JsonObject *none;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, "abc");

  none = gig_pb_parse_record ("{\"id\":\"\"}", -1, &error);
  g_assert_null (none);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

static void
test_record_values (void)
{
  /* Every JSON value kind comes out as json-glib's own parser would build it */
  const char *text =
    " {\"id\":\"r1\", \"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\", \"raw\":\"caf\xc3\xa9\","
    "\"i\":-42, \"z\":0, \"big\":9223372036854775807, \"huge\":92233720368547758070,"
    "\"d\":12.5, \"e\":-1.5e3, \"E\":2E-2, \"t\":true, \"f\":false, \"n\":null,"
    "\"a\":[1,\"x\",[],{}], \"o\":{\"k\":{\"k\":[null]}}, \"dup\":1, \"dup\":2, \"\":\"empty name\"} ";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = gig_pb_parse_record (text, -1, &error);
  g_autoptr(JsonParser) reference = json_parser_new ();
  g_autoptr(JsonNode) ours = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (record, "s"), ==, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  g_assert_cmpstr (json_object_get_string_member (record, "raw"), ==, "caf\xc3\xa9");
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (record, "i")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (record, "i"), ==, -42);
  g_assert_cmpint (json_object_get_int_member (record, "big"), ==, G_MAXINT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (record, "huge")), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (record, "d"), ==, 12.5);
  g_assert_cmpfloat (json_object_get_double_member (record, "e"), ==, -1500.0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (record, "E"), 0.02, 1e-12);
  g_assert_true (json_object_get_boolean_member (record, "t"));
  g_assert_false (json_object_get_boolean_member (record, "f"));
  g_assert_true (json_object_get_null_member (record, "n"));
  g_assert_cmpint (json_object_get_int_member (record, "dup"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (record, ""), ==, "empty name");

  /* The same tree as json-glib's parser gives for the same text (except "huge", which json-glib
   * turns into -1 rather than a double) */
  g_assert_true (json_parser_load_from_data (reference, text, -1, NULL));
  json_object_remove_member (record, "huge");
  json_object_remove_member (json_node_get_object (json_parser_get_root (reference)), "huge");
  ours = json_node_init_object (json_node_alloc (), record);
  g_assert_true (json_node_equal (ours, json_parser_get_root (reference)));
}

static void
test_record_malformed (void)
{
  const char *bad[] = {
    "{\"id\":\"a\"} x",                 /* trailing data */
    "{\"id\":\"a\",\"x\":[1,]}",        /* trailing comma in an array */
    "{\"id\":\"a\" \"x\":1}",           /* missing comma */
    "{\"id\":\"a\",\"x\":01}",          /* leading zero */
    "{\"id\":\"a\",\"x\":1.}",          /* no digits after the point */
    "{\"id\":\"a\",\"x\":-}",
    "{\"id\":\"a\",\"x\":1e}",
    "{\"id\":\"a\",\"x\":nul}",
    "{\"id\":\"a\",\"x\":\"\\x\"}",     /* unknown escape */
    "{\"id\":\"a\",\"x\":\"\\u12\"}",   /* short \u escape */
    "{\"id\":\"a\",\"x\":\"\\ud83d\"}", /* lone high surrogate */
    "{\"id\":\"a\",\"x\":\"\\ude00\"}", /* lone low surrogate */
    "{\"id\":\"a\",\"x\":\"\\u0000\"}", /* NUL would cut the string short */
    "{\"id\":\"a\",\"x\":\"tab\there\"}",   /* raw control character */
    "{\"id\":\"a\",\"x\":\"\xc3\x28\"}",    /* invalid UTF-8 */
    "{\"id\":\"a\",\"x\":\"open",
    "{\"id\":\"a\",1:2}",               /* a name that is not a string */
    "{\"id\":\"a\"",
    "{\"id\":\"a\",}",
    "/* comment */ {\"id\":\"a\"}",
    "[{\"id\":\"a\"}]",
    "\"id\"",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) record = gig_pb_parse_record (bad[i], -1, &error);
      /* Escaped: some cases are not valid UTF-8, which a TAP line must be. */
      g_autofree char *shown = g_strescape (bad[i], NULL);

      g_test_message ("case %u: %s", i, shown);
      g_assert_null (record);
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
    }

  /* Nesting past the limit fails cleanly instead of recursing without bound */
  {
    g_autoptr(GString) deep = g_string_new ("{\"id\":\"a\",\"x\":");
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) record = NULL;

    for (guint i = 0; i < 65; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 65; i++)
      g_string_append_c (deep, ']');
    g_string_append_c (deep, '}');
    record = gig_pb_parse_record (deep->str, (gssize) deep->len, &error);
    g_assert_null (record);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Records kept as text (GigRawRecord) against the tree reader                                 */

typedef struct
{
  const char *text;
  gboolean    valid;
} RecordCase;

static const RecordCase record_cases[] = {
  /* strings: every escape, surrogate pairs in either case, raw UTF-8, DEL (not a control) */
  { "{\"id\":\"r1\",\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}", TRUE },
  { "{\"id\":\"r1\",\"emoji\":\"\\uD83D\\uDE00\",\"lower\":\"x\\ud83d\\ude00y\",\"e\":\"caf\\u00e9\",\"euro\":\"\\u20AC\"}", TRUE },
  { "{\"id\":\"r1\",\"raw\":\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\",\"del\":\"\x7f\"}", TRUE },
  { "{\"id\":\"r1\",\"empty\":\"\",\"\":\"empty name\",\"braces\":\"{[\\\"]}\"}", TRUE },
  /* escaped member names, ids and timestamps */
  { "{\"id\":\"r1\",\"ti\\u0074le\":\"escaped name\",\"caf\\u00e9\":1,\"a\\nb\":2}", TRUE },
  { "{\"\\u0069d\":\"escaped id name\",\"upd\\u0061ted\":\"2026-01-01 00:00:00.000Z\"}", TRUE },
  { "{\"id\":\"\\u0072\\u0031\",\"updated\":\"\\u0032026-01-01 00:00:00.000Z\"}", TRUE },
  { "{\"id\":\"r1\",\"updated\":\"\"}", TRUE },
  /* repeated names: the last one counts, whatever the spelling */
  { "{\"id\":\"r1\",\"dup\":1,\"dup\":\"two\",\"dup\":[3]}", TRUE },
  { "{\"id\":\"r1\",\"title\":\"plain\",\"ti\\u0074le\":\"escaped\"}", TRUE },
  { "{\"id\":\"r1\",\"ti\\u0074le\":\"escaped\",\"title\":\"plain\"}", TRUE },
  { "{\"id\":5,\"id\":\"r1\"}", TRUE },
  { "{\"id\":\"first\",\"i\\u0064\":\"second\"}", TRUE },
  { "{\"id\":\"r1\",\"updated\":1,\"updated\":\"2026-01-01 00:00:00.000Z\"}", TRUE },
  { "{\"id\":\"r1\",\"id\":5}", FALSE },
  { "{\"id\":\"r1\",\"id\":\"\"}", FALSE },
  { "{\"id\":\"r1\",\"updated\":\"2026-01-01 00:00:00.000Z\",\"upd\\u0061ted\":null}", FALSE },
  /* nesting and spacing */
  { "{\"id\":\"r1\",\"o\":{\"k\":{\"k\":[null,{\"id\":3}]}},\"a\":[1,\"x\",[],{},[[true,false]]],\"e\":{},\"z\":[]}", TRUE },
  { " \t\r\n{ \"id\" : \"r1\" , \"a\" : [ 1 , 2 ] , \"o\" : { } , \"s\" : \" \" } \n", TRUE },
  /* numbers: integers while they fit, doubles otherwise, as json-glib reads them */
  { "{\"id\":\"r1\",\"zero\":0,\"neg_zero\":-0,\"twelve\":12,\"half\":1.5,\"thousand\":1e3,\"small\":-2E-2}", TRUE },
  { "{\"id\":\"r1\",\"max\":9223372036854775807,\"over\":9223372036854775808,"
    "\"min\":-9223372036854775808,\"under\":-9223372036854775809}", TRUE },
  { "{\"id\":\"r1\",\"huge\":1e308,\"inf\":1e309,\"neg_inf\":-1E+400,\"tiny\":1e-400,\"big_exp\":2e99999999999999999999,"
    "\"long\":123456789012345678901234567890}", TRUE },
  { "{\"id\":\"r1\",\"d0\":0.0,\"dneg0\":-0.0,\"e0\":0e0,\"plus\":1E+2,\"frac\":0.000001,\"mid\":-3.9}", TRUE },
  { "{\"id\":\"r1\",\"t\":true,\"f\":false,\"n\":null}", TRUE },

  /* structure */
  { "{\"id\":\"r1\",}", FALSE },
  { "{\"id\":\"r1\",\"a\":[1,]}", FALSE },
  { "{\"id\":\"r1\",\"o\":{\"k\":1,}}", FALSE },
  { "{\"id\":\"r1\",\"a\":[1 2]}", FALSE },
  { "{\"id\":\"r1\" \"a\":1}", FALSE },
  { "{\"id\":\"r1\",\"a\"}", FALSE },
  { "{\"id\":\"r1\",\"a\":}", FALSE },
  { "{\"id\":\"r1\",a:1}", FALSE },
  { "{\"id\":\"r1\",\"a\":[}", FALSE },
  { "{\"id\":\"r1\",\"a\":{]}", FALSE },
  { "{,}", FALSE },
  { "{\"id\":\"r1\"} x", FALSE },
  { "{\"id\":\"r1\"}{}", FALSE },
  { "{\"id\":\"r1\"}}", FALSE },
  { "{\"id\":\"r1\"", FALSE },
  { "{\"id\":\"r1\",\"a\":[1", FALSE },
  { "{\"id\":\"r1\",\"a\":\"open", FALSE },
  { "{\"id\":\"r1\",\"a\":\"escape at the end\\", FALSE },
  { "{\"id\":\"r1\",\"a\":\"\\u00", FALSE },
  { "", FALSE },
  { "   ", FALSE },
  { "/* comment */ {\"id\":\"r1\"}", FALSE },
  { "{\"id\":\"r1\"} // comment", FALSE },
  /* strings */
  { "{\"id\":\"r1\",\"s\":\"\\uD83D\"}", FALSE },          /* lone high surrogate */
  { "{\"id\":\"r1\",\"s\":\"\\uDE00\"}", FALSE },          /* lone low surrogate */
  { "{\"id\":\"r1\",\"s\":\"\\uD83D\\u0041\"}", FALSE },   /* high, then not a low one */
  { "{\"id\":\"r1\",\"s\":\"\\uD83D\\uD83D\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\uD83Dx\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\uDE00\\uD83D\"}", FALSE },   /* a pair the wrong way round */
  { "{\"id\":\"r1\",\"\\uD83D\":1}", FALSE },              /* in a name */
  { "{\"id\":\"r1\",\"s\":\"\\u0000\"}", FALSE },
  { "{\"id\":\"r1\",\"\\u0000\":1}", FALSE },
  { "{\"id\":\"\\u0000\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\u12G4\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\a\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\U00e9\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\\x41\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"tab\there\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"line\nbreak\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\x01\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\x1f\"}", FALSE },
  { "{\"id\":\"r1\",\"a\tb\":1}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\xff\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":\"\xc0\xaf\"}", FALSE },          /* overlong */
  { "{\"id\":\"r1\",\"s\":\"\xed\xa0\x80\"}", FALSE },      /* a surrogate written as UTF-8 */
  { "{\"id\":\"r1\",\"s\":\"\xe2\x82\"}", FALSE },          /* a character cut short */
  { "{\"id\":\"r1\",\"s\":\"\xf4\x90\x80\x80\"}", FALSE },  /* past U+10FFFF */
  { "{\"id\":\"r1\",\"\xc3\x28\":1}", FALSE },              /* in a name */
  { "{\"id\":\"r\xc3\"}", FALSE },
  { "{\"id\":\"r1\",\"s\":'single'}", FALSE },
  /* numbers */
  { "{\"id\":\"r1\",\"n\":01}", FALSE },
  { "{\"id\":\"r1\",\"n\":-01}", FALSE },
  { "{\"id\":\"r1\",\"n\":1.}", FALSE },
  { "{\"id\":\"r1\",\"n\":.5}", FALSE },
  { "{\"id\":\"r1\",\"n\":+1}", FALSE },
  { "{\"id\":\"r1\",\"n\":1e}", FALSE },
  { "{\"id\":\"r1\",\"n\":1e+}", FALSE },
  { "{\"id\":\"r1\",\"n\":1.e3}", FALSE },
  { "{\"id\":\"r1\",\"n\":-}", FALSE },
  { "{\"id\":\"r1\",\"n\":--1}", FALSE },
  { "{\"id\":\"r1\",\"n\":0x10}", FALSE },
  { "{\"id\":\"r1\",\"n\":NaN}", FALSE },
  { "{\"id\":\"r1\",\"n\":Infinity}", FALSE },
  { "{\"id\":\"r1\",\"n\":-Infinity}", FALSE },
  { "{\"id\":\"r1\",\"n\":1", FALSE },
  /* literals */
  { "{\"id\":\"r1\",\"b\":tru}", FALSE },
  { "{\"id\":\"r1\",\"b\":True}", FALSE },
  { "{\"id\":\"r1\",\"b\":nulll}", FALSE },
  { "{\"id\":\"r1\",\"b\":fals", FALSE },
  /* not an object */
  { "[]", FALSE },
  { "[{\"id\":\"r1\"}]", FALSE },
  { "\"r1\"", FALSE },
  { "1", FALSE },
  { "null", FALSE },
  { " true ", FALSE },
  { "[1,]", FALSE },
  /* id and updated */
  { "{}", FALSE },
  { "{\"title\":\"no id\"}", FALSE },
  { "{\"ID\":\"r1\"}", FALSE },
  { "{\"id\":\"\"}", FALSE },
  { "{\"id\":5}", FALSE },
  { "{\"id\":null}", FALSE },
  { "{\"id\":true}", FALSE },
  { "{\"id\":{}}", FALSE },
  { "{\"id\":[\"r1\"]}", FALSE },
  { "{\"id\":\"r1\",\"updated\":7}", FALSE },
  { "{\"id\":\"r1\",\"updated\":null}", FALSE },
  { "{\"id\":\"r1\",\"updated\":false}", FALSE },
  { "{\"id\":\"r1\",\"updated\":{}}", FALSE },
  { "{\"id\":\"r1\",\"updated\":[\"2026\"]}", FALSE },
};

static char *
shown (const char *text, gsize length)
{
  /* Escaped: some cases are not valid UTF-8, which a TAP line must be. */
  g_autofree char *copy = g_strndup (text, length);

  return g_strescape (copy, NULL);
}

/* The one name of @tree that @member names (compared with gig_raw_member_has_name). */
static const char *
tree_name_of (const GigRawMember *member, JsonObject *tree)
{
  GList *names = json_object_get_members (tree);
  const char *found = NULL;

  for (GList *l = names; l != NULL; l = l->next)
    if (gig_raw_member_has_name (member, l->data))
      {
        g_assert_null (found);
        found = l->data;
      }
  g_list_free (names);
  g_assert_nonnull (found);
  return found;
}

/* A member's value agrees with the tree's value of that name, read as json-glib reads it. */
static void
assert_member_value (const GigRawMember *member, JsonNode *node)
{
  g_autofree char *alone = g_strdup_printf ("{\"id\":\"x\",\"v\":%.*s}", (int) member->value_length, member->value);
  g_autoptr(JsonObject) wrapped = gig_pb_parse_record (alone, -1, NULL);

  /* the member's text is exactly its value */
  g_assert_nonnull (wrapped);
  g_assert_true (json_node_equal (json_object_get_member (wrapped, "v"), node));

  switch (member->type)
    {
    case GIG_JSON_TYPE_STRING:
      {
        g_autofree char *text = gig_raw_member_dup_string (member);

        g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
        g_assert_cmpstr (text, ==, json_node_get_string (node));
        g_assert_cmpint (member->value[0], ==, '"');
        g_assert_cmpint (member->value[member->value_length - 1], ==, '"');
        g_assert_cmpint (member->value_escaped, ==,
                         memchr (member->value, '\\', member->value_length) != NULL);
      }
      break;
    case GIG_JSON_TYPE_NUMBER:
      {
        gint64 as_int = 0;
        double as_double = 0;

        if (gig_raw_member_get_number (member, &as_int, &as_double))
          {
            g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
            g_assert_cmpint (as_int, ==, json_node_get_int (node));
            g_assert_true (as_double == (double) as_int);
          }
        else
          {
            double expected = json_node_get_double (node);

            g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_DOUBLE);
            g_assert_true (as_double == expected);
            g_assert_cmpint (signbit (as_double), ==, signbit (expected));
            /* truncated, and clamped where a cast would be undefined */
            if (expected >= 9223372036854775808.0)
              g_assert_cmpint (as_int, ==, G_MAXINT64);
            else if (expected <= -9223372036854775808.0)
              g_assert_cmpint (as_int, ==, G_MININT64);
            else
              g_assert_cmpint (as_int, ==, (gint64) expected);
          }
      }
      break;
    case GIG_JSON_TYPE_BOOLEAN:
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
      g_assert_cmpint (json_node_get_boolean (node), ==, member->value[0] == 't');
      break;
    case GIG_JSON_TYPE_NULL:
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      break;
    case GIG_JSON_TYPE_ARRAY:
      g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
      break;
    case GIG_JSON_TYPE_OBJECT:
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Everything a GigRawRecord says about its text agrees with the tree read from the same text. */
static void
assert_record_matches_tree (const GigRawRecord *raw, JsonObject *tree, const char *data, gsize length)
{
  g_autoptr(JsonObject) again = gig_raw_record_to_object (raw);
  g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), tree);
  g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), again);
  g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = gig_raw_record_get_n_members (raw);
  const char *text;
  gsize text_length;

  g_assert_true (json_node_equal (a, b));
  text = gig_raw_record_get_text (raw, &text_length);
  g_assert_cmpuint (text_length, ==, length);
  g_assert_true (memcmp (text, data, length) == 0);
  g_assert_cmpint (text[length], ==, '\0');
  g_assert_cmpstr (gig_raw_record_get_id (raw), ==, json_object_get_string_member (tree, "id"));
  g_assert_cmpstr (gig_raw_record_get_updated (raw), ==,
                   json_object_get_string_member_with_default (tree, "updated", NULL));

  for (guint i = 0; i < n; i++)
    {
      GigRawMember member;
      const char *name;
      gboolean last = TRUE;

      gig_raw_record_get_member (raw, i, &member);
      g_assert_true (member.name > text && member.name + member.name_length < text + text_length);
      g_assert_cmpint (member.name[-1], ==, '"');
      g_assert_cmpint (member.name[member.name_length], ==, '"');
      g_assert_cmpint (member.name_escaped, ==, memchr (member.name, '\\', member.name_length) != NULL);
      g_assert_true (member.value > member.name && member.value + member.value_length < text + text_length);
      name = tree_name_of (&member, tree);
      if (!member.name_escaped)
        {
          g_assert_cmpuint (strlen (name), ==, member.name_length);
          g_assert_true (memcmp (name, member.name, member.name_length) == 0);
        }
      g_hash_table_add (named, (gpointer) name);

      /* A repeated name: only the last one is the tree's value. */
      for (guint j = i + 1; j < n && last; j++)
        {
          GigRawMember later;

          gig_raw_record_get_member (raw, j, &later);
          last = !gig_raw_member_has_name (&later, name);
        }
      if (last)
        assert_member_value (&member, json_object_get_member (tree, name));
    }
  g_assert_cmpuint (g_hash_table_size (named), ==, json_object_get_size (tree));
}

/* Reads @data both ways; they must both accept it, with the same values, or both refuse it with
 * the same error. Returns whether it was accepted. */
static gboolean
assert_readers_agree (const char *data, gsize length)
{
  g_autoptr(GError) tree_error = NULL;
  g_autoptr(GError) raw_error = NULL;
  g_autoptr(JsonObject) tree = gig_pb_parse_record (data, (gssize) length, &tree_error);
  g_autoptr(GigRawRecord) raw = gig_pb_record_new (data, (gssize) length, &raw_error);

  g_assert_true ((tree == NULL) == (tree_error != NULL));
  g_assert_true ((raw == NULL) == (raw_error != NULL));
  if (tree == NULL)
    {
      g_assert_null (raw);
      g_assert_error (tree_error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_error (raw_error, tree_error->domain, tree_error->code);
      g_assert_cmpstr (raw_error->message, ==, tree_error->message);
      return FALSE;
    }
  g_assert_nonnull (raw);
  assert_record_matches_tree (raw, tree, data, length);
  return TRUE;
}

static void
test_record_raw_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (record_cases); i++)
    {
      const char *text = record_cases[i].text;
      g_autofree char *escaped = shown (text, strlen (text));

      g_test_message ("case %u: %s", i, escaped);
      g_assert_cmpint (assert_readers_agree (text, strlen (text)), ==, record_cases[i].valid);

      /* NUL-terminated text given with length -1 reads the same */
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GigRawRecord) raw = gig_pb_record_new (text, -1, &error);

        g_assert_cmpint (raw != NULL, ==, record_cases[i].valid);
      }

      /* Every cut of a record is read alike too, and nothing past @length is looked at: the
       * cut is copied to a buffer of its exact size. */
      if (record_cases[i].valid)
        for (gsize cut = 0; cut < strlen (text); cut++)
          {
            g_autofree char *exact = g_memdup2 (text, MAX (cut, 1));

            assert_readers_agree (exact, cut);
          }
    }
}

/* Built rather than written out: nesting at and past the limit, and NUL bytes given with a
 * length. */
static void
test_record_raw_built (void)
{
  static const char nul_cases[][24] = {
    "{\"id\":\"r1\"}\0",          /* a NUL after the record: trailing data */
    "{\"id\":\"r\0\"}",           /* a raw NUL in a string */
    "{\"id\":\"r1\",\"\0\":1}",   /* in a name */
    "\0{\"id\":\"r1\"}",
  };
  static const gsize nul_lengths[] = { 12, 11, 17, 12 };

  for (guint depth = 62; depth <= 66; depth++)
    for (guint kind = 0; kind < 3; kind++)
      {
        /* kind 0: arrays inside the record, 1: objects inside it, 2: arrays as the whole text */
        g_autoptr(GString) text = g_string_new (kind == 2 ? "" : "{\"id\":\"r1\",\"x\":");
        guint inner = kind == 2 ? depth : depth - 1;
        gboolean accepted;
        g_autoptr(GError) error = NULL;
        g_autoptr(GigRawRecord) raw = NULL;

        for (guint i = 0; i < inner; i++)
          g_string_append (text, kind == 1 ? "{\"k\":" : "[");
        g_string_append (text, "0");
        for (guint i = 0; i < inner; i++)
          g_string_append_c (text, kind == 1 ? '}' : ']');
        if (kind != 2)
          g_string_append_c (text, '}');

        g_test_message ("depth %u, kind %u", depth, kind);
        accepted = assert_readers_agree (text->str, text->len);
        /* 64 levels in all, the record's own braces included, and no more */
        g_assert_cmpint (accepted, ==, kind != 2 && depth <= 64);
        raw = gig_pb_record_new (text->str, (gssize) text->len, &error);
        if (depth > 64)
          g_assert_cmpstr (error->message, ==, "Malformed server response: nested too deeply");
      }

  for (guint i = 0; i < G_N_ELEMENTS (nul_cases); i++)
    {
      g_autofree char *escaped = shown (nul_cases[i], nul_lengths[i]);

      g_test_message ("NUL case %u: %s", i, escaped);
      g_assert_false (assert_readers_agree (nul_cases[i], nul_lengths[i]));
    }
}

/* A page of every valid case fed in small chunks gives the same records: each one's text is the
 * item's text in the page to the byte, and as trees they are what the tree reader reads. */
static void
test_page_raw_records (void)
{
  g_autoptr(GString) page = g_string_new ("{\"page\":1,\"items\":[ ");
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  const gsize chunks[] = { 1, 2, 3, 7, 64, G_MAXSIZE };

  for (guint i = 0; i < G_N_ELEMENTS (record_cases); i++)
    if (record_cases[i].valid)
      {
        char *text = g_strstrip (g_strdup (record_cases[i].text));

        g_string_append_printf (page, "%s%s", texts->len ? ",\n " : "", text);
        g_ptr_array_add (texts, text);
      }
  g_string_append (page, " ],\"perPage\":1000,\"totalItems\":-1,\"extra\":{\"s\":\"]}\\\"\",\"a\":[{}]}}");

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GigPbPageParser) parser = feed_in_chunks (page->str, chunks[c], &error);
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GPtrArray) items = NULL;

      g_test_message ("chunks of %" G_GSIZE_FORMAT, chunks[c]);
      g_assert_no_error (error);
      records = gig_pb_page_parser_steal_records (parser);
      items = parse_in_chunks (page->str, chunks[c], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (records->len, ==, texts->len);
      g_assert_cmpuint (items->len, ==, texts->len);
      for (guint i = 0; i < texts->len; i++)
        {
          const char *text = g_ptr_array_index (texts, i);
          g_autoptr(JsonObject) tree = gig_pb_parse_record (text, -1, &error);
          g_autoptr(JsonNode) expected = NULL;
          g_autoptr(JsonNode) item = NULL;

          g_assert_no_error (error);
          assert_record_matches_tree (g_ptr_array_index (records, i), tree, text, strlen (text));
          expected = json_node_init_object (json_node_alloc (), tree);
          item = json_node_init_object (json_node_alloc (), g_ptr_array_index (items, i));
          g_assert_true (json_node_equal (item, expected));
        }
      /* stolen: the parser keeps none */
      g_clear_pointer (&records, g_ptr_array_unref);
      records = gig_pb_page_parser_steal_records (parser);
      g_assert_cmpuint (records->len, ==, 0);
    }
}

/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *seen;
} SseLog;

static void
on_sse (const char *event, const char *id, const char *data, gpointer user_data)
{
  SseLog *log = user_data;
  g_ptr_array_add (log->seen, g_strdup_printf ("%s|%s|%s", event, id ? id : "", data));
}

static void
test_sse (void)
{
  const char *stream =
    "id:client1\r\nevent:PB_CONNECT\r\ndata:{\"clientId\":\"client1\"}\r\n\r\n"
    ": a comment\n"
    "event: projects/*\ndata: {\"action\":\"create\",\n data:ignored-field\ndata:\"x\":1}\n\n"
    "data\n\n"                   /* a field without a colon: empty data */
    "event:only-event\n\n"       /* no data: not dispatched */
    "retry:1000\rdata:cr-only\r\r"
    "event:unfinished\ndata:never";
  const char *expected[] = {
    "PB_CONNECT|client1|{\"clientId\":\"client1\"}",
    "projects/*|client1|{\"action\":\"create\",\n\"x\":1}",
    "message|client1|",
    "message|client1|cr-only",
  };

  for (gsize chunk = 1; chunk <= strlen (stream); chunk++)
    {
      SseLog log = { g_ptr_array_new_with_free_func (g_free) };
      g_autoptr(GigPbSseParser) parser = gig_pb_sse_parser_new (on_sse, &log);
      gsize length = strlen (stream);

      for (gsize i = 0; i < length; i += chunk)
        {
          g_autoptr(GError) error = NULL;

          g_assert_true (gig_pb_sse_parser_feed (parser, stream + i, MIN (chunk, length - i), &error));
          g_assert_no_error (error);
        }
      g_assert_cmpuint (log.seen->len, ==, G_N_ELEMENTS (expected));
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        g_assert_cmpstr (g_ptr_array_index (log.seen, i), ==, expected[i]);
      g_ptr_array_unref (log.seen);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The client against bad servers                                                             */

static void
serve (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query, gpointer user_data)
{
  const char *body = NULL;
  guint status = 200;
  const char *type = "application/json";

  if (g_str_has_prefix (path, "/api/collections/truncated/"))
    body = "{\"items\":[{\"id\":\"aaaaaaaaaaaaaa1\",\"updated\":\"2026-11-24 21:36:50.474Z\"},{\"id\":\"aaa";
  else if (g_str_has_prefix (path, "/api/collections/garbage/"))
    body = "this is not json at all";
  else if (g_str_has_prefix (path, "/api/collections/noitems/"))
    body = "{\"page\":1,\"perPage\":1000}";
  else if (g_str_has_prefix (path, "/api/collections/html500/"))
    {
      status = 500;
      type = "text/html";
      body = "<html>Internal Server Error</html>";
    }
  else if (g_str_has_prefix (path, "/api/collections/badrecord/"))
    body = "[1,2,3]";
  else if (g_str_has_prefix (path, "/api/collections/validation/"))
    {
      status = 400;
      body = "{\"data\":{\"title\":{\"code\":\"validation_required\",\"message\":\"Cannot be blank.\"}},"
             "\"message\":\"Failed to create record.\",\"status\":400}";
    }
  else if (g_str_has_prefix (path, "/api/collections/good/"))
    body = GOOD_PAGE;
  else if (strcmp (path, "/api/batch") == 0)
    body = "{\"not\":\"an array\"}";
  else
    {
      status = 404;
      body = "{\"data\":{},\"message\":\"Missing collection context.\",\"status\":404}";
    }

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, type, SOUP_MEMORY_STATIC, body, strlen (body));
}

static SoupServer *
start_server (char **out_url)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  soup_server_add_handler (server, NULL, serve, NULL, NULL);
  soup_server_listen (server, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *out_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

static GPtrArray *
list (GigPbClient *client, const char *collection, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_list_records_async (client, collection, "2026-01-01 00:00:00.000Z", "abcabcabcabcabc", NULL, NULL,
                                    0, NULL, gig_test_async_store, &result);
  return gig_pb_client_list_records_finish (client, gig_test_async_wait (&result), error);
}

static void
test_client_bad_server (void)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupServer) server = start_server (&url);
  g_autoptr(GigPbClient) client = gig_pb_client_new (url);
  struct { const char *collection; GigPbError code; } cases[] = {
    { "truncated", GIG_PB_ERROR_MALFORMED },
    { "garbage", GIG_PB_ERROR_MALFORMED },
    { "noitems", GIG_PB_ERROR_MALFORMED },
    { "html500", GIG_PB_ERROR_SERVER },
    { "validation", GIG_PB_ERROR_VALIDATION },
    { "unknown", GIG_PB_ERROR_NOT_FOUND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) items = list (client, cases[i].collection, &error);

      g_test_message ("collection %s", cases[i].collection);
      g_assert_null (items);
      g_assert_error (error, GIG_PB_ERROR, (int) cases[i].code);
      g_assert_nonnull (error->message);
    }

  /* The server's message comes through */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) items = list (client, "unknown", &error);

    g_assert_cmpstr (error->message, ==, "Missing collection context.");
  }

  /* And a good page from the same connection still works */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) items = list (client, "good", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (items->len, ==, 2);
  }

  /* A record request answered with something that is not a record */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonObject) record = NULL;

    gig_pb_client_get_record_async (client, "badrecord", "aaaaaaaaaaaaaa1", NULL, gig_test_async_store, &result);
    record = gig_pb_client_get_record_finish (client, gig_test_async_wait (&result), &error);
    g_assert_null (record);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  }

  /* A batch answered with an object instead of an array of results */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(GPtrArray) results = NULL;

    json_object_set_string_member (fields, "title", "x");
    gig_pb_batch_add_create (batch, "projects", fields);
    gig_pb_client_batch_async (client, batch, NULL, gig_test_async_store, &result);
    results = gig_pb_client_batch_finish (client, gig_test_async_wait (&result), &error);
    g_assert_null (results);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  }
}

static void
test_cursor_injection (void)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;

  gig_pb_client_list_records_async (client, "projects", "2026\" || id != \"", NULL, NULL, NULL, 0, NULL,
                                    gig_test_async_store, &result);
  items = gig_pb_client_list_records_finish (client, gig_test_async_wait (&result), &error);
  g_assert_null (items);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb-parser/page/any-split", test_page_any_split);
  g_test_add_func ("/pb-parser/page/empty", test_page_empty);
  g_test_add_func ("/pb-parser/page/malformed", test_page_malformed);
  g_test_add_func ("/pb-parser/page/large", test_page_large);
  g_test_add_func ("/pb-parser/page/deep-nesting", test_page_deep_nesting);
  g_test_add_func ("/pb-parser/record", test_record);
  g_test_add_func ("/pb-parser/record/values", test_record_values);
  g_test_add_func ("/pb-parser/record/malformed", test_record_malformed);
  g_test_add_func ("/pb-parser/record/raw-table", test_record_raw_table);
  g_test_add_func ("/pb-parser/record/raw-built", test_record_raw_built);
  g_test_add_func ("/pb-parser/page/raw-records", test_page_raw_records);
  g_test_add_func ("/pb-parser/sse", test_sse);
  g_test_add_func ("/pb-client/bad-server", test_client_bad_server);
  g_test_add_func ("/pb-client/cursor-injection", test_cursor_injection);

  return g_test_run ();
}
