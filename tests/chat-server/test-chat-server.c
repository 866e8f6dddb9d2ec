/* test-chat-server.c: edge cases, persistence and payload shapes of gigdesk-chat-server
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server-test"

#include <glib/gstdio.h>
#include <string.h>

#include "gcs-jwt.h"
#include "gcs-test-util.h"
#include "../common/gig-test-hostile.h"

typedef struct {
  GcsTestServer *server;
  char          *admin;   /* server token */
  char          *alice;   /* user tokens */
  char          *bob;
  char          *carol;
} Fixture;

static JsonObject *
call (Fixture    *f,
      const char *method,
      const char *path,
      const char *token,
      const char *body,
      guint       expect_status)
{
  guint status = 0;
  JsonObject *obj = gcs_test_request (f->server, method, path, token, NULL, body, &status);

  if (status != expect_status)
    {
      g_autofree char *text = gcs_test_to_string (obj);
      g_error ("%s %s: expected %u, got %u: %s", method, path, expect_status, status, text);
    }
  return obj;
}

static void
assert_error (JsonObject *obj,
              guint       status,
              int         code)
{
  g_assert_cmpint (json_object_get_int_member (obj, "code"), ==, code);
  g_assert_cmpint (json_object_get_int_member (obj, "StatusCode"), ==, status);
  g_assert_nonnull (json_object_get_string_member (obj, "message"));
  g_assert_nonnull (json_object_get_string_member (obj, "more_info"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "details")));
}

static void
setup_channel (Fixture    *f,
               const char *id,
               const char *members)
{
  g_autofree char *path = g_strdup_printf ("/channels/messaging/%s/query", id);
  g_autofree char *body = g_strdup_printf ("{\"data\":{\"created_by_id\":\"alice\",\"members\":%s,"
                                           "\"name\":\"Project %s\",\"project_id\":\"%s\"}}", members, id, id);
  g_autoptr(JsonObject) reply = call (f, "POST", path, f->admin, body, 201);

  g_assert_nonnull (json_object_get_object_member (reply, "channel"));
}

static void
fixture_setup_args (Fixture            *f,
                    const char *const  *args)
{
  g_autoptr(JsonObject) users = NULL;

  f->server = gcs_test_server_start (args);
  f->admin = gcs_test_server_token ();
  f->alice = gcs_test_user_token ("alice", 0);
  f->bob = gcs_test_user_token ("bob", 0);
  f->carol = gcs_test_user_token ("carol", 0);
  users = call (f, "POST", "/users", f->admin,
                "{\"users\":{\"alice\":{\"id\":\"alice\",\"name\":\"Alice\"},"
                "\"bob\":{\"id\":\"bob\",\"name\":\"Bob\"},\"carol\":{\"id\":\"carol\",\"name\":\"Carol\"}}}", 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_object_get_object_member (users, "users"), "bob"), "name"), ==, "Bob");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *const args[] = { "--health-interval", "1", "--max-body", "4096", NULL };

  fixture_setup_args (f, args);
}

/* The service's own body limit is far above its 5KB of custom data. */
static void
fixture_setup_default_body (Fixture       *f,
                            gconstpointer  data)
{
  const char *const args[] = { "--health-interval", "1", NULL };

  fixture_setup_args (f, args);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gcs_test_server_stop (f->server);
  g_free (f->admin);
  g_free (f->alice);
  g_free (f->bob);
  g_free (f->carol);
}

/* ------------------------------------------------------------------ auth */

static void
test_rest_bad_signature (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *forged = NULL;
  g_autoptr(JsonObject) reply = NULL;

  json_object_set_boolean_member (claims, "server", TRUE);
  forged = gcs_jwt_sign (claims, "not-the-secret");
  reply = call (f, "POST", "/channels", forged, "{}", 401);
  assert_error (reply, 401, 43);
}

static void
test_rest_expired_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *expired = gcs_test_user_token ("alice", g_get_real_time () / G_USEC_PER_SEC - 10);
  g_autofree char *later = gcs_test_user_token ("alice", g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autoptr(JsonObject) refused = call (f, "POST", "/channels", expired, "{}", 401);
  g_autoptr(JsonObject) ok = call (f, "POST", "/channels", later, "{}", 201);

  assert_error (refused, 401, 40);
  g_assert_true (strstr (json_object_get_string_member (refused, "message"), "expired") != NULL);
  g_assert_nonnull (json_object_get_array_member (ok, "channels"));
}

static void
test_rest_unknown_api_key (Fixture       *f,
                           gconstpointer  data)
{
  guint status = 0;
  g_autoptr(JsonObject) reply = gcs_test_request (f->server, "POST", "/channels", f->alice, "someone-else",
                                                  "{}", &status);

  g_assert_cmpuint (status, ==, 401);
  assert_error (reply, 401, 2);
}

static void
test_rest_missing_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) reply = call (f, "POST", "/channels", NULL, "{}", 401);

  assert_error (reply, 401, 5);
}

static void
expect_ws_refusal (Fixture    *f,
                   const char *user_id,
                   const char *token,
                   const char *api_key,
                   int         code)
{
  GcsTestSocket *sock = gcs_test_socket_open (f->server, user_id, token, api_key);
  g_autoptr(JsonObject) frame = gcs_test_socket_next (sock, NULL, 15000);
  JsonObject *error;

  /* One error frame, then a normal close: the SDKs treat that as a permanent refusal. */
  g_assert_nonnull (frame);
  g_assert_true (json_object_has_member (frame, "error"));
  error = json_object_get_object_member (frame, "error");
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  g_assert_false (json_object_has_member (frame, "me"));
  g_assert_true (gcs_test_socket_wait_closed (sock, 15000));
  g_assert_cmpuint (sock->close_code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  gcs_test_socket_free (sock);
}

static void
test_ws_expired_token (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *expired = gcs_test_user_token ("alice", g_get_real_time () / G_USEC_PER_SEC - 1);

  expect_ws_refusal (f, "alice", expired, NULL, 40);
}

static void
test_ws_bad_signature (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *forged = NULL;

  json_object_set_string_member (claims, "user_id", "alice");
  forged = gcs_jwt_sign (claims, "wrong-secret");
  expect_ws_refusal (f, "alice", forged, NULL, 43);
  expect_ws_refusal (f, "alice", "not.a.jwt", NULL, 5);
}

static void
test_ws_unknown_api_key (Fixture       *f,
                         gconstpointer  data)
{
  expect_ws_refusal (f, "alice", f->alice, "someone-else", 2);
}

static void
test_ws_token_for_other_user (Fixture       *f,
                              gconstpointer  data)
{
  expect_ws_refusal (f, "bob", f->alice, NULL, 5);
}

/* ------------------------------------------------------------------ websocket */

static void
test_ws_health_checks (Fixture       *f,
                       gconstpointer  data)
{
  GcsTestSocket *sock = gcs_test_socket_open (f->server, "alice", f->alice, NULL);
  g_autoptr(JsonObject) first = gcs_test_socket_next (sock, NULL, 15000);
  g_autoptr(JsonObject) reply1 = NULL;
  g_autoptr(JsonObject) reply2 = NULL;
  g_autoptr(JsonObject) periodic = NULL;
  g_autofree char *ping = NULL;
  const char *connection_id;
  JsonObject *me;

  g_assert_nonnull (first);
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "health.check");
  connection_id = json_object_get_string_member (first, "connection_id");
  g_assert_nonnull (connection_id);
  g_assert_cmpuint (strlen (connection_id), >, 0);
  me = json_object_get_object_member (first, "me");
  g_assert_nonnull (me);
  g_assert_cmpstr (json_object_get_string_member (me, "id"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (me, "name"), ==, "Alice");
  g_assert_true (json_object_get_boolean_member (me, "online"));

  /* Object form (Flutter, Android) */
  ping = g_strdup_printf ("{\"type\":\"health.check\",\"connection_id\":\"%s\"}", connection_id);
  gcs_test_socket_send (sock, ping);
  reply1 = gcs_test_socket_next (sock, "health.check", 15000);
  g_assert_nonnull (reply1);
  g_assert_cmpstr (json_object_get_string_member (reply1, "connection_id"), ==, connection_id);
  g_assert_false (json_object_has_member (reply1, "me"));

  /* Array form (JS) */
  gcs_test_socket_send (sock, "[{\"type\":\"health.check\",\"client_id\":\"alice--1\"}]");
  reply2 = gcs_test_socket_next (sock, "health.check", 15000);
  g_assert_nonnull (reply2);
  g_assert_cmpstr (json_object_get_string_member (reply2, "connection_id"), ==, connection_id);

  /* Garbage is ignored and the socket stays usable. */
  gcs_test_socket_send (sock, "{not json");

  /* With --health-interval 1 the server pings on its own. */
  periodic = gcs_test_socket_next (sock, "health.check", 15000);
  g_assert_nonnull (periodic);
  g_assert_cmpstr (json_object_get_string_member (periodic, "cid"), ==, "*");
  g_assert_false (sock->closed);
  gcs_test_socket_free (sock);
}

/* The real service also takes the credentials as headers on the upgrade request. */
static void
test_ws_header_auth (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *expired = gcs_test_user_token ("bob", g_get_real_time () / G_USEC_PER_SEC - 1);
  GcsTestSocket *sock = gcs_test_socket_open_headers (f->server, "bob", f->bob);
  GcsTestSocket *refused = gcs_test_socket_open_headers (f->server, "bob", expired);
  g_autoptr(JsonObject) first = gcs_test_socket_next (sock, NULL, 15000);
  g_autoptr(JsonObject) error = gcs_test_socket_next (refused, NULL, 15000);

  g_assert_nonnull (first);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "me"), "id"), ==, "bob");
  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "error"), "code"), ==, 40);
  g_assert_true (gcs_test_socket_wait_closed (refused, 15000));
  g_assert_cmpuint (refused->close_code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  gcs_test_socket_free (refused);
  gcs_test_socket_free (sock);
}

/* ------------------------------------------------------------------ bad input */

static void
test_malformed_json (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autoptr(JsonObject) r3 = NULL;
  g_autoptr(JsonObject) ok = NULL;

  setup_channel (f, "p1", "[\"alice\",\"bob\"]");
  r1 = call (f, "POST", "/channels/messaging/p1/message", f->alice, "{\"message\": {\"text\": ", 400);
  assert_error (r1, 400, 4);
  r2 = call (f, "POST", "/channels/messaging/p1/message", f->alice, "[1,2,3]", 400);
  assert_error (r2, 400, 4);
  r3 = call (f, "POST", "/channels", f->alice, "\xff\xfe", 400);
  assert_error (r3, 400, 4);
  /* Wrong JSON types read as absent or invalid, never crash the server. */
  {
    g_autoptr(JsonObject) odd = call (f, "POST", "/channels/messaging/p1/message", f->alice,
                                      "{\"message\":{\"id\":5,\"text\":\"t\",\"parent_id\":{},"
                                      "\"mentioned_users\":[{\"id\":{}},7],\"show_in_channel\":\"x\"}}", 201);
    g_autoptr(JsonObject) bad_filter = call (f, "POST", "/channels", f->alice, "{\"filter_conditions\":\"s\"}", 400);
    g_autoptr(JsonObject) bad_unset = call (f, "PATCH", "/channels/messaging/p1", f->admin,
                                            "{\"set\":{\"frozen\":\"yes\"},\"unset\":[{},1,null]}", 201);
    g_autoptr(JsonObject) bad_sync = call (f, "POST", "/sync", f->alice,
                                           "{\"channel_cids\":[{},\"messaging:p1\"],\"last_sync_at\":\"2020-01-01\"}", 400);
    g_autoptr(JsonObject) bad_alg = call (f, "POST", "/channels", "eyJhbGciOnt9fQ.e30.c2ln", "{}", 401);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (odd, "message"), "type"), ==, "regular");
    assert_error (bad_filter, 400, 4);
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (bad_unset, "channel"), "frozen"));
    assert_error (bad_sync, 400, 4);
    assert_error (bad_alg, 401, 43);
  }
  /* ...and the server keeps serving. */
  ok = call (f, "POST", "/channels/messaging/p1/message", f->alice, "{\"message\":{\"text\":\"fine\"}}", 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ok, "message"), "text"), ==, "fine");
}

static void
test_missing_fields (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autoptr(JsonObject) r3 = NULL;
  g_autoptr(JsonObject) r4 = NULL;
  g_autoptr(JsonObject) r5 = NULL;
  g_autoptr(JsonObject) r6 = NULL;

  setup_channel (f, "p2", "[\"alice\",\"bob\"]");
  r1 = call (f, "POST", "/channels/messaging/p2/message", f->alice, "{}", 400);
  assert_error (r1, 400, 4);
  r2 = call (f, "POST", "/channels/messaging/p2/message", f->alice, "{\"message\":{}}", 400);
  assert_error (r2, 400, 4);
  r3 = call (f, "POST", "/users", f->admin, "{}", 400);
  assert_error (r3, 400, 4);
  r4 = call (f, "POST", "/channels/messaging/p3/query", f->admin, "{\"data\":{\"members\":[\"alice\"]}}", 400);
  assert_error (r4, 400, 4);
  g_assert_true (strstr (json_object_get_string_member (r4, "message"), "created_by") != NULL);
  r5 = call (f, "POST", "/sync", f->alice, "{\"channel_cids\":[\"messaging:p2\"]}", 400);
  assert_error (r5, 400, 4);
  r6 = call (f, "POST", "/channels/messaging/p2/event", f->alice, "{\"event\":{}}", 400);
  assert_error (r6, 400, 4);
}

static void
test_oversized_body (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) big = g_string_new ("{\"message\":{\"text\":\"");
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) ok = NULL;

  setup_channel (f, "p4", "[\"alice\"]");
  while (big->len < 20000)
    g_string_append (big, "0123456789");
  g_string_append (big, "\"}}");
  refused = call (f, "POST", "/channels/messaging/p4/message", f->alice, big->str, 413);
  assert_error (refused, 413, 22);
  ok = call (f, "POST", "/channels/messaging/p4/message", f->alice, "{\"message\":{\"text\":\"small\"}}", 201);
  g_assert_nonnull (json_object_get_object_member (ok, "message"));
}

/* Nesting 200,000 deep in a body from a valid user, 50,000 deep in a socket frame, as deep as a
 * header allows in a token's payload: each is refused, and the server keeps serving (json-glib's
 * parser would overflow the stack). */
static void
test_deep_nesting (void)
{
  const char *const args[] = { "--health-interval", "1", "--max-body", "1048576", NULL };
  Fixture fixture = { 0 }, *f = &fixture;
  g_autofree char *deep = gig_test_deep_array (200000);
  g_autofree char *body = g_strdup_printf ("{\"message\":{\"text\":\"x\",\"custom\":%s}}", deep);
  g_autofree char *payload = NULL, *token = NULL, *frame = NULL, *shallower = gig_test_deep_array (50000);
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) unauthorized = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) ok = NULL;
  GcsTestSocket *sock;

  fixture_setup_args (f, args);
  setup_channel (f, "deep", "[\"alice\"]");
  refused = call (f, "POST", "/channels/messaging/deep/message", f->alice, body, 400);
  assert_error (refused, 400, 4);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "message"), "nested too deeply"));

  /* Headers are short: a payload 3,000 deep (8 KB of token) is what fits. */
  payload = gcs_base64url_encode ((const guchar *) deep + 200000 - 3000, 6000);
  token = g_strconcat ("eyJhbGciOiJIUzI1NiJ9.", payload, ".c2ln", NULL);
  unauthorized = call (f, "POST", "/channels/messaging/deep/message", token, "{\"message\":{\"text\":\"x\"}}", 401);
  assert_error (unauthorized, 401, 5);

  /* A frame under libsoup's 128 KiB frame cap, still far too deep for a recursive parser. */
  sock = gcs_test_socket_open (f->server, "alice", f->alice, NULL);
  g_assert_nonnull (gcs_test_socket_next (sock, "health.check", 15000));
  frame = g_strdup_printf ("[{\"type\":\"health.check\",\"x\":%s}]", shallower);
  gcs_test_socket_send (sock, frame);
  gcs_test_socket_send (sock, "{\"type\":\"health.check\"}");
  reply = gcs_test_socket_next (sock, "health.check", 15000);
  g_assert_nonnull (reply);
  g_assert_false (sock->closed);
  gcs_test_socket_free (sock);

  ok = call (f, "POST", "/channels/messaging/deep/message", f->alice, "{\"message\":{\"text\":\"fine\"}}", 201);
  g_assert_nonnull (json_object_get_object_member (ok, "message"));
  fixture_teardown (f, NULL);
}

/* The service's limits (gcs-limits.c): each refused with its error shape, nothing stored,
 * and the largest accepted value still goes through. */
static void
expect_refused (Fixture    *f,
                const char *method,
                const char *path,
                const char *token,
                const char *body,
                int         code,
                const char *says)
{
  g_autoptr(JsonObject) r = call (f, method, path, token, body, 400);

  assert_error (r, 400, code);
  if (strstr (json_object_get_string_member (r, "message"), says) == NULL)
    g_error ("%s %s: \"%s\" does not say \"%s\"", method, path, json_object_get_string_member (r, "message"), says);
}

static char *
repeat_json (const char *item,
             guint       n)
{
  GString *s = g_string_new ("[");
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", item);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_service_limits (Fixture       *f,
                     gconstpointer  data)
{
  const char *send = "/channels/messaging/lim/message";
  g_autofree char *fits = g_strnfill (5000, 'c');      /* {"note":"c…"} is 5011 bytes */
  g_autofree char *over = g_strnfill (5200, 'c');
  g_autofree char *text_max = g_strnfill (5000, 't');
  g_autofree char *text_over = g_strnfill (5001, 't');
  g_autofree char *long_id = g_strnfill (256, 'i');
  g_autofree char *att30 = repeat_json ("{\"type\":\"file\"}", 30);
  g_autofree char *att31 = repeat_json ("{\"type\":\"file\"}", 31);
  g_autofree char *men101 = repeat_json ("\"bob\"", 101);
  g_autofree char *body = NULL;
  g_autoptr(JsonObject) kept = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(JsonObject) channel = NULL;
  g_autoptr(JsonObject) not_created = NULL;

  setup_channel (f, "lim", "[\"alice\",\"bob\"]");

  {
    /* each send over one limit: the field that breaks it, the code, what the message says */
    g_autofree char *custom_top = g_strdup_printf ("\"id\":\"m-over\",\"note\":\"%s\"", over);
    g_autofree char *custom_v2 = g_strdup_printf ("\"custom\":{\"note\":\"%s\"}", over);
    g_autofree char *id = g_strdup_printf ("\"id\":\"%s\"", long_id);
    g_autofree char *att = g_strdup_printf ("\"attachments\":%s", att31);
    g_autofree char *men = g_strdup_printf ("\"mentioned_users\":%s", men101);
    const struct { const char *field; const char *text; int code; const char *says; } over_limit[] = {
      { custom_top, "x", 4, "custom data" },
      { custom_v2, "x", 4, "5KB" },
      { "\"silent\":false", text_over, 20, "too long" },
      { id, "x", 4, "message.id" },
      { att, "x", 4, "31 attachments" },
      { men, "x", 4, "101 users" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (over_limit); i++)
      {
        g_autofree char *b = g_strdup_printf ("{\"message\":{%s,\"text\":\"%s\"}}",
                                              over_limit[i].field, over_limit[i].text);

        expect_refused (f, "POST", send, f->alice, b, over_limit[i].code, over_limit[i].says);
      }
    gone = call (f, "GET", "/messages/m-over", f->alice, NULL, 404);
  }

  /* the largest of each is accepted, attachments and text not counted as custom data */
  body = g_strdup_printf ("{\"message\":{\"id\":\"m-max\",\"text\":\"%s\",\"note\":\"%s\",\"attachments\":%s}}",
                          text_max, fits, att30);
  kept = call (f, "POST", send, f->alice, body, 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (kept, "message"), "note"), ==, fits);

  /* an edit may not grow it past the limit, and leaves it as it was */
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"set\":{\"more\":\"%s\"}}", fits);
  expect_refused (f, "PUT", "/messages/m-max", f->alice, body, 4, "custom data");
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"message\":{\"text\":\"x\",\"note\":\"%s\"}}", over);
  expect_refused (f, "POST", "/messages/m-max", f->alice, body, 4, "custom data");
  g_clear_pointer (&kept, json_object_unref);
  kept = call (f, "GET", "/messages/m-max", f->alice, NULL, 200);
  g_assert_false (json_object_has_member (json_object_get_object_member (kept, "message"), "more"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (kept, "message"), "text"), ==, text_max);

  /* channels and users have the same 5KB of custom data */
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"data\":{\"created_by_id\":\"alice\",\"members\":[\"alice\"],\"blob\":\"%s\"}}", over);
  expect_refused (f, "POST", "/channels/messaging/lim-big/query", f->admin, body, 4, "channel custom data");
  not_created = call (f, "POST", "/channels/messaging/lim-big/query", f->alice, "{}", 403);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"set\":{\"blob\":\"%s\"}}", over);
  expect_refused (f, "PATCH", "/channels/messaging/lim", f->admin, body, 4, "channel custom data");
  channel = call (f, "POST", "/channels/messaging/lim/query", f->alice, "{}", 201);
  g_assert_false (json_object_has_member (json_object_get_object_member (channel, "channel"), "blob"));
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"users\":{\"bob\":{\"id\":\"bob\",\"bio\":\"%s\"}}}", over);
  expect_refused (f, "POST", "/users", f->admin, body, 4, "user custom data");
}

static void
test_unknown_route (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) r1 = call (f, "POST", "/no/such/route", f->alice, "{}", 404);
  g_autoptr(JsonObject) r2 = call (f, "GET", "/channels", f->alice, NULL, 404);
  g_autoptr(JsonObject) r3 = call (f, "POST", "/messages/does-not-exist", f->alice,
                                   "{\"message\":{\"text\":\"x\"}}", 404);

  assert_error (r1, 404, 16);
  assert_error (r2, 404, 16);
  assert_error (r3, 404, 16);
}

/* ------------------------------------------------------------------ access */

static void
test_non_member (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autoptr(JsonObject) r3 = NULL;
  g_autoptr(JsonObject) r4 = NULL;
  g_autoptr(JsonObject) list = NULL;

  setup_channel (f, "p5", "[\"alice\",\"bob\"]");
  r1 = call (f, "POST", "/channels/messaging/p5/query", f->carol, "{\"state\":true}", 403);
  assert_error (r1, 403, 17);
  r2 = call (f, "POST", "/channels/messaging/p5/message", f->carol, "{\"message\":{\"text\":\"let me in\"}}", 403);
  assert_error (r2, 403, 17);
  r3 = call (f, "POST", "/channels/messaging/p5/read", f->carol, "{}", 403);
  assert_error (r3, 403, 17);
  r4 = call (f, "POST", "/channels/messaging/p5/event", f->carol, "{\"event\":{\"type\":\"typing.start\"}}", 403);
  assert_error (r4, 403, 17);
  list = call (f, "POST", "/channels", f->carol, "{\"filter_conditions\":{\"type\":\"messaging\"}}", 201);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (list, "channels")), ==, 0);
}

static void
test_frozen_channel (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) frozen = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) thawed = NULL;
  g_autoptr(JsonObject) ok = NULL;

  setup_channel (f, "p6", "[\"alice\",\"bob\"]");
  frozen = call (f, "PATCH", "/channels/messaging/p6", f->admin, "{\"set\":{\"frozen\":true}}", 201);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (frozen, "channel"), "frozen"));
  refused = call (f, "POST", "/channels/messaging/p6/message", f->bob, "{\"message\":{\"text\":\"hi\"}}", 403);
  assert_error (refused, 403, 17);
  g_assert_true (strstr (json_object_get_string_member (refused, "message"), "frozen") != NULL);
  thawed = call (f, "PATCH", "/channels/messaging/p6", f->admin, "{\"set\":{\"frozen\":false}}", 201);
  ok = call (f, "POST", "/channels/messaging/p6/message", f->bob, "{\"message\":{\"text\":\"hi\"}}", 201);
  g_assert_nonnull (json_object_get_object_member (ok, "message"));
}

static void
test_duplicate_message_id (Fixture       *f,
                           gconstpointer  data)
{
  const char *body = "{\"message\":{\"id\":\"fixed-id-1\",\"text\":\"once\"}}";
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) state = NULL;
  JsonArray *messages;
  guint i, seen = 0;

  setup_channel (f, "p7", "[\"alice\",\"bob\"]");
  first = call (f, "POST", "/channels/messaging/p7/message", f->alice, body, 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "message"), "id"), ==,
                   "fixed-id-1");
  again = call (f, "POST", "/channels/messaging/p7/message", f->alice, body, 400);
  assert_error (again, 400, 4);
  g_assert_true (strstr (json_object_get_string_member (again, "message"),
                         "a message with ID fixed-id-1 already exists") != NULL);
  state = call (f, "POST", "/channels/messaging/p7/query", f->bob, "{\"state\":true}", 201);
  messages = json_object_get_array_member (state, "messages");
  for (i = 0; i < json_array_get_length (messages); i++)
    seen += g_str_equal (json_object_get_string_member (json_array_get_object_element (messages, i), "id"),
                         "fixed-id-1");
  g_assert_cmpuint (seen, ==, 1);
}

/* ------------------------------------------------------------------ persistence */

static void
test_restart_persistence (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gcs-persist-XXXXXX", &error);
  g_autofree char *file = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  const char *args[] = { "--data", NULL, NULL };
  Fixture f = { 0 };
  g_autoptr(JsonObject) state = NULL;
  JsonArray *messages;
  JsonArray *members;

  g_assert_no_error (error);
  file = g_build_filename (dir, "chat.sqlite", NULL);
  args[1] = file;

  fixture_setup_args (&f, args);
  setup_channel (&f, "keep", "[\"alice\",\"bob\"]");
  g_clear_pointer (&state, json_object_unref);
  state = call (&f, "POST", "/channels/messaging/keep/message", f.alice,
                "{\"message\":{\"id\":\"kept-1\",\"text\":\"survives\"}}", 201);
  g_clear_pointer (&state, json_object_unref);
  state = call (&f, "POST", "/channels/messaging/keep/message", f.bob,
                "{\"message\":{\"id\":\"kept-2\",\"text\":\"me too\"}}", 201);
  g_clear_pointer (&state, json_object_unref);
  state = call (&f, "POST", "/channels/messaging/keep", f.admin, "{\"add_members\":[\"carol\"]}", 201);
  fixture_teardown (&f, NULL);

  /* A new process on the same file. */
  fixture_setup_args (&f, args);
  g_clear_pointer (&state, json_object_unref);
  state = call (&f, "POST", "/channels/messaging/keep/query", f.carol, "{\"state\":true}", 201);
  messages = json_object_get_array_member (state, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "id"), ==, "kept-1");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "text"), ==, "survives");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (messages, 1), "user"), "name"), ==, "Bob");
  members = json_object_get_array_member (state, "members");
  g_assert_cmpuint (json_array_get_length (members), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (state, "channel"), "name"), ==,
                   "Project keep");
  /* The duplicate check survives too. */
  g_clear_pointer (&state, json_object_unref);
  state = call (&f, "POST", "/channels/messaging/keep/message", f.alice,
                "{\"message\":{\"id\":\"kept-1\",\"text\":\"again\"}}", 400);
  assert_error (state, 400, 4);
  fixture_teardown (&f, NULL);

  wal = g_strconcat (file, "-wal", NULL);
  shm = g_strconcat (file, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------ recorded shapes */

/* Custom data of the recorded test users and features Gigdesk does not use (devices,
 * push preferences, response-time statistics, teams). Only looked at inside user objects. */
static const char *const user_only_keys[] = {
  "image", "language", "birthland", "birthLand", "pando", "team", "type", "canBeAddedToGroups",
  "canReceiveMessages", "custom_extra_data_key", "avg_response_time", "push_preferences",
  "devices", "teams_role", "last_engaged_at", "is_moderator", "shadow_banned",
  "privacy_settings", "invisible", NULL
};

/* Keys of the recorded payloads that depend on features Gigdesk does not use. */
static const char *const feature_keys[] = {
  "is_global_banned", "archived_at", "pinned_at", "thread_participants", "parent_author",
  NULL
};

static const char *
kind_of (JsonNode *n)
{
  if (JSON_NODE_HOLDS_OBJECT (n))
    return "object";
  if (JSON_NODE_HOLDS_ARRAY (n))
    return "array";
  if (JSON_NODE_HOLDS_NULL (n))
    return "null";
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_STRING:
      return "string";
    case G_TYPE_BOOLEAN:
      return "boolean";
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return "number";
    default:
      return "other";
    }
}

/* Every key of the recorded payload must exist in ours with the same JSON type. */
static void
compare_shape (JsonNode   *recorded,
               JsonNode   *ours,
               const char *path,
               gboolean    in_user,
               GString    *problems)
{
  const char *rk = kind_of (recorded), *ok = kind_of (ours);

  if (g_str_equal (rk, "null"))
    return; /* nullable in the service: any value is fine */
  if (!g_str_equal (rk, ok))
    {
      g_string_append_printf (problems, "  %s: recorded %s, ours %s\n", path, rk, ok);
      return;
    }
  if (g_str_equal (rk, "array"))
    {
      JsonArray *ra = json_node_get_array (recorded), *oa = json_node_get_array (ours);
      g_autofree char *sub = g_strconcat (path, "[0]", NULL);

      if (json_array_get_length (ra) > 0 && json_array_get_length (oa) > 0)
        compare_shape (json_array_get_element (ra, 0), json_array_get_element (oa, 0), sub, in_user, problems);
      return;
    }
  if (g_str_equal (rk, "object"))
    {
      JsonObject *ro = json_node_get_object (recorded), *oo = json_node_get_object (ours);
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, ro);
      while (json_object_iter_next (&iter, &key, &value))
        {
          g_autofree char *sub = g_strconcat (path, ".", key, NULL);
          gboolean user = g_str_equal (key, "user") || g_str_equal (key, "me") ||
                          g_str_equal (key, "created_by") || g_str_equal (key, "mentioned_users");

          if ((in_user && g_strv_contains (user_only_keys, key)) || g_strv_contains (feature_keys, key))
            continue;
          /* Custom channel data of the recorded app. */
          if (g_str_equal (key, "channel_custom"))
            continue;
          if (!json_object_has_member (oo, key))
            {
              g_string_append_printf (problems, "  %s: missing\n", sub);
              continue;
            }
          compare_shape (value, json_object_get_member (oo, key), sub, user, problems);
        }
    }
}

static void
check_shape (const char *recorded_name,
             JsonObject *ours)
{
  g_autofree char *file = g_build_filename (GCS_RECORDED_DIR, recorded_name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ours_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GString) problems = g_string_new (NULL);

  json_parser_load_from_file (parser, file, &error);
  g_assert_no_error (error);
  json_node_set_object (ours_node, ours);
  compare_shape (json_parser_get_root (parser), ours_node, "", FALSE, problems);
  if (problems->len > 0)
    g_error ("%s does not match the recorded shape:\n%s", recorded_name, problems->str);
}

static void
test_recorded_shapes (Fixture       *f,
                      gconstpointer  data)
{
  GcsTestSocket *a = gcs_test_socket_open (f->server, "alice", f->alice, NULL);
  GcsTestSocket *b = gcs_test_socket_open (f->server, "bob", f->bob, NULL);
  GcsTestSocket *c = gcs_test_socket_open (f->server, "carol", f->carol, NULL);
  g_autoptr(JsonObject) health = gcs_test_socket_next (a, "health.check", 15000);
  g_autoptr(JsonObject) bob_health = gcs_test_socket_next (b, "health.check", 15000);
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) watched = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) typing = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autoptr(JsonObject) added = NULL;
  g_autoptr(JsonObject) ws_new = NULL;
  g_autoptr(JsonObject) ws_typing = NULL;
  g_autoptr(JsonObject) ws_member = NULL;
  g_autofree char *path_a = NULL;
  g_autofree char *path_b = NULL;

  g_assert_nonnull (health);
  check_shape ("ws_health_check.json", health);

  created = call (f, "POST", "/channels/messaging/shapes/query", f->admin,
                  "{\"data\":{\"created_by_id\":\"alice\",\"members\":[\"alice\",\"bob\"],"
                  "\"name\":\"Shapes\"},\"state\":true}", 201);
  path_a = g_strdup_printf ("/channels/messaging/shapes/query?connection_id=%s",
                            json_object_get_string_member (health, "connection_id"));
  watched = call (f, "POST", path_a, f->alice, "{\"state\":true,\"watch\":true}", 201);
  check_shape ("http_channel_creation.json", watched);
  path_b = g_strdup_printf ("/channels/messaging/shapes/query?connection_id=%s",
                            json_object_get_string_member (bob_health, "connection_id"));
  g_clear_pointer (&watched, json_object_unref);
  watched = call (f, "POST", path_b, f->bob, "{\"state\":true,\"watch\":true}", 201);

  sent = call (f, "POST", "/channels/messaging/shapes/message", f->alice,
               "{\"message\":{\"id\":\"shape-1\",\"text\":\"Test\"}}", 201);
  check_shape ("http_message.json", sent);
  ws_new = gcs_test_socket_next (b, "message.new", 15000);
  g_assert_nonnull (ws_new);
  check_shape ("ws_message.json", ws_new);

  typing = call (f, "POST", "/channels/messaging/shapes/event", f->alice,
                 "{\"event\":{\"type\":\"typing.start\"}}", 201);
  check_shape ("http_events.json", typing);
  ws_typing = gcs_test_socket_next (b, "typing.start", 15000);
  g_assert_nonnull (ws_typing);
  check_shape ("ws_events.json", ws_typing);

  listed = call (f, "POST", "/channels", f->alice,
                 "{\"filter_conditions\":{\"members\":{\"$in\":[\"alice\"]}},"
                 "\"sort\":[{\"field\":\"last_message_at\",\"direction\":-1}],\"state\":true}", 201);
  check_shape ("http_channels.json", listed);

  added = call (f, "POST", "/channels/messaging/shapes", f->admin, "{\"add_members\":[\"carol\"]}", 201);
  check_shape ("http_add_member.json", added);
  ws_member = gcs_test_socket_next (b, "member.added", 15000);
  g_assert_nonnull (ws_member);
  check_shape ("ws_events_member.json", ws_member);

  gcs_test_socket_free (a);
  gcs_test_socket_free (b);
  gcs_test_socket_free (c);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/chat-server/auth/rest-bad-signature", test_rest_bad_signature);
  ADD ("/chat-server/auth/rest-expired-token", test_rest_expired_token);
  ADD ("/chat-server/auth/rest-unknown-api-key", test_rest_unknown_api_key);
  ADD ("/chat-server/auth/rest-missing-token", test_rest_missing_token);
  ADD ("/chat-server/auth/ws-expired-token", test_ws_expired_token);
  ADD ("/chat-server/auth/ws-bad-signature", test_ws_bad_signature);
  ADD ("/chat-server/auth/ws-unknown-api-key", test_ws_unknown_api_key);
  ADD ("/chat-server/auth/ws-token-for-other-user", test_ws_token_for_other_user);
  ADD ("/chat-server/ws/health-checks", test_ws_health_checks);
  ADD ("/chat-server/ws/header-auth", test_ws_header_auth);
  ADD ("/chat-server/input/malformed-json", test_malformed_json);
  ADD ("/chat-server/input/missing-fields", test_missing_fields);
  ADD ("/chat-server/input/oversized-body", test_oversized_body);
  ADD ("/chat-server/input/unknown-route", test_unknown_route);
  ADD ("/chat-server/access/non-member", test_non_member);
  ADD ("/chat-server/access/frozen-channel", test_frozen_channel);
  ADD ("/chat-server/messages/duplicate-id", test_duplicate_message_id);
  ADD ("/chat-server/shapes/recorded-payloads", test_recorded_shapes);
#undef ADD
  g_test_add ("/chat-server/input/service-limits", Fixture, NULL, fixture_setup_default_body,
              test_service_limits, fixture_teardown);
  g_test_add_func ("/chat-server/persistence/restart", test_restart_persistence);
  g_test_add_func ("/chat-server/input/deep-nesting", test_deep_nesting);

  return g_test_run ();
}
