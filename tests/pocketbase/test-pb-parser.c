/* test-pb-parser.c: the incremental page and SSE parsers, and the client against a local
 * SoupServer that answers with malformed, cut or unexpected responses.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"

#include "gig-test-async.h"

#include <libsoup/soup.h>
#include <string.h>

#define GOOD_PAGE \
  "{\"items\":[{\"id\":\"aaaaaaaaaaaaaa1\",\"updated\":\"2026-11-24 21:36:50.474Z\",\"title\":\"A {tricky} \\\"title\\\" ]\"}," \
  " {\"id\":\"aaaaaaaaaaaaaa2\",\"updated\":\"2026-11-24 21:36:50.474Z\",\"nested\":{\"a\":[1,2,{\"b\":\"}\"}]}}]," \
  "\"page\":1,\"perPage\":1000,\"totalItems\":-1,\"totalPages\":-1}"

static GPtrArray *
parse_in_chunks (const char *text, gsize chunk, GError **error)
{
  g_autoptr(GigPbPageParser) parser = gig_pb_page_parser_new ();
  gsize length = strlen (text);

  for (gsize i = 0; i < length; i += chunk)
    if (!gig_pb_page_parser_feed (parser, text + i, MIN (chunk, length - i), error))
      return NULL;
  if (!gig_pb_page_parser_finish (parser, error))
    return NULL;
  return gig_pb_page_parser_steal_items (parser);
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

  gig_pb_client_list_records_async (client, collection, "2026-01-01 00:00:00.000Z", "abc", NULL, NULL,
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

static void
test_helpers (void)
{
  g_autoptr(GDateTime) dt = gig_pb_parse_datetime ("2026-11-24 21:36:50.474Z");
  g_autofree char *text = NULL;
  g_autofree char *id = gig_pb_new_record_id ();
  /* header {"alg":"HS256"} . payload {"exp":1795988192,"id":"x"} . signature */
  const char *token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTU5ODgxOTIsImlkIjoieCJ9.c2ln";

  g_assert_nonnull (dt);
  text = gig_pb_format_datetime (dt);
  g_assert_cmpstr (text, ==, "2026-11-24 21:36:50.474Z");
  g_assert_null (gig_pb_parse_datetime ("yesterday"));

  g_assert_true (gig_pb_is_valid_record_id (id));
  g_assert_false (gig_pb_is_valid_record_id ("ABCDEFGHIJKLMNO"));
  g_assert_false (gig_pb_is_valid_record_id ("short"));

  g_assert_cmpint (gig_pb_token_get_expiry (token), ==, 1795988192);
  g_assert_cmpint (gig_pb_token_get_expiry ("not a token"), ==, 0);
  g_assert_cmpint (gig_pb_token_get_expiry ("a.!!!.c"), ==, 0);
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
  g_test_add_func ("/pb-parser/sse", test_sse);
  g_test_add_func ("/pb-parser/helpers", test_helpers);
  g_test_add_func ("/pb-client/bad-server", test_client_bad_server);
  g_test_add_func ("/pb-client/cursor-injection", test_cursor_injection);

  return g_test_run ();
}
