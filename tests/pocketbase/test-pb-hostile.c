/* test-pb-hostile.c: GigPbClient and GigPbRealtime against a hostile fake server on loopback:
 * nesting 200,000 deep, answers far over their caps, a server that trickles, wrong shapes and
 * huge messages. Each must end in a clean GError (criticals are fatal here), in bounded memory,
 * with the process alive.
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "core/gig-jwt.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-realtime.h"
#include "gig-test-async.h"
#include "../common/gig-test-hostile.h"

#define STREAM_CHUNK (64 * 1024)
/* What the streaming answers would send whole: far more than any cap. */
#define STREAM_TOTAL (64 * 1024 * 1024)

typedef struct
{
  SoupServer *server;
  char       *url;
  const char *mode;      /* what the next answer does */
  gsize       streamed;  /* bytes of the streaming answer handed to the server so far */
  guint       requests;
  guint       stream_opens; /* realtime streams opened in "trickle-stream" mode */
} Fake;

/* ------------------------------------------------------------------------------------------ */
/* Answers streamed chunk by chunk as the client takes them                                   */

typedef struct
{
  Fake  *fake;
  guint  trickle_source;
  gboolean done;
} Stream;

static void
stream_free (gpointer data)
{
  Stream *stream = data;

  if (stream->trickle_source != 0)
    g_source_remove (stream->trickle_source);
  g_free (stream);
}

static void
append_filler (SoupServerMessage *msg, Stream *stream)
{
  static char filler[STREAM_CHUNK];

  if (stream->fake->streamed >= STREAM_TOTAL)
    return;
  if (filler[0] == '\0')
    memset (filler, ' ', sizeof filler);
  /* Leading white space is valid JSON: only the size makes this answer wrong. */
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            filler, sizeof filler);
  stream->fake->streamed += sizeof filler;
}

static void
wrote_chunk_cb (SoupServerMessage *msg, gpointer user_data)
{
  append_filler (msg, user_data);
}

static gboolean
trickle_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  Stream *stream = g_object_get_data (G_OBJECT (msg), "stream");

  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, " ", 1);
  stream->fake->streamed++;
  soup_server_message_unpause (msg);
  return G_SOURCE_CONTINUE;
}

static void
finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  Stream *stream = user_data;

  if (stream->trickle_source != 0)
    {
      g_source_remove (stream->trickle_source);
      stream->trickle_source = 0;
    }
}

/* @prefix (may be NULL) goes first, then the filler. */
static void
start_stream (Fake *fake, SoupServerMessage *msg, const char *type, const char *prefix, gboolean trickle,
              goffset announced_length)
{
  Stream *stream = g_new0 (Stream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  stream->fake = fake;
  g_object_set_data_full (G_OBJECT (msg), "stream", stream, stream_free);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, type, NULL);
  if (prefix != NULL)
    soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                              prefix, strlen (prefix));
  if (announced_length > 0)
    soup_message_headers_set_content_length (headers, announced_length);
  else
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), stream);
  if (trickle)
    {
      /* One byte at a time, well inside any idle timeout, for ever. */
      stream->trickle_source = g_timeout_add (20, trickle_cb, msg);
      return;
    }
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), stream);
  append_filler (msg, stream);
}

/* ------------------------------------------------------------------------------------------ */

static void
respond (SoupServerMessage *msg, guint status, const char *type, char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
serve (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  Fake *fake = user_data;
  const char *mode = fake->mode;

  fake->requests++;
  if (g_str_equal (path, "/api/realtime"))
    {
      if (g_str_equal (soup_server_message_get_method (msg), "POST"))
        soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      else if (g_str_equal (mode, "trickle-stream"))
        {
          /* headers, then a byte now and then: never a line, never PB_CONNECT */
          fake->stream_opens++;
          start_stream (fake, msg, "text/event-stream", NULL, TRUE, 0);
        }
      else if (g_str_equal (mode, "huge-event"))
        {
          static const char start[] = "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\ndata:";

          /* a data line that never ends */
          start_stream (fake, msg, "text/event-stream", start, FALSE, 0);
        }
      else
        {
          g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);
          SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
          g_autofree char *events = g_strdup_printf (
            "id:c1\nevent:PB_CONNECT\ndata:{\"clientId\":\"c1\"}\n\n"
            "event:projects/*\ndata:{\"action\":\"create\",\"record\":{\"id\":\"deep00000000001\",\"x\":%s}}\n\n"
            "event:projects/*\ndata:{\"action\":\"create\",\"record\":[1]}\n\n"
            "event:projects/*\ndata:{\"action\":\"create\",\"record\":{\"id\":{\"not\":\"a string\"}}}\n\n"
            "event:projects/*\ndata:{\"action\":\"create\",\"record\":{\"id\":\"good00000000001\"}}\n\n",
            deep);

          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
          soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
          soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                    events, strlen (events));
          /* The stream stays open: the test stops the client. */
        }
      return;
    }

  if (g_str_equal (mode, "deep"))
    {
      g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);

      if (g_str_has_suffix (path, "/auth-with-password"))
        respond (msg, 200, "application/json",
                 g_strdup_printf ("{\"token\":\"t.e.s\",\"record\":{\"id\":\"user00000000001\",\"x\":%s}}", deep));
      else if (g_str_equal (path, "/api/batch"))
        respond (msg, 200, "application/json", g_strdup_printf ("[{\"status\":200,\"body\":%s}]", deep));
      else if (g_str_equal (soup_server_message_get_method (msg), "GET") && strstr (path, "/records/") == NULL)
        respond (msg, 200, "application/json", g_strdup_printf ("{\"items\":[{\"id\":\"a\",\"x\":%s}]}", deep));
      else
        respond (msg, 200, "application/json", g_strdup_printf ("{\"id\":\"rec000000000001\",\"x\":%s}", deep));
    }
  else if (g_str_equal (mode, "deep-error"))
    respond (msg, 400, "application/json", gig_test_deep_array (GIG_TEST_DEEP));
  else if (g_str_equal (mode, "deep-token"))
    {
      /* A token whose payload is nested 200,000 deep (base64url of it). */
      g_autofree char *deep = gig_test_deep_array (GIG_TEST_DEEP);
      g_autofree char *payload = g_base64_encode ((const guchar *) deep, strlen (deep));

      respond (msg, 200, "application/json",
               g_strdup_printf ("{\"token\":\"eyJhbGciOiJIUzI1NiJ9.%s.c2ln\",\"record\":{\"id\":\"user00000000001\"}}",
                                payload));
    }
  else if (g_str_equal (mode, "id-object"))
    respond (msg, 200, "application/json", g_strdup ("{\"token\":\"t.e.s\",\"record\":{\"id\":{\"a\":1}}}"));
  else if (g_str_equal (mode, "huge"))
    start_stream (fake, msg, "application/json", NULL, FALSE, 0);
  else if (g_str_equal (mode, "huge-announced"))
    start_stream (fake, msg, "application/json", NULL, FALSE, 300 * 1024 * 1024);
  else if (g_str_equal (mode, "trickle"))
    start_stream (fake, msg, "application/json", NULL, TRUE, 0);
  else if (g_str_equal (mode, "long-message"))
    {
      g_autoptr(GString) message = g_string_new (NULL);

      /* 100 KB of text, with two-byte characters so a cut could land inside one */
      while (message->len < 100 * 1024)
        g_string_append (message, "Überlänge ");
      respond (msg, 400, "application/json",
               g_strdup_printf ("{\"status\":400,\"message\":\"%s\",\"data\":{\"title\":{\"code\":\"x\",\"message\":\"%s\"}}}",
                                message->str, message->str));
    }
  else
    g_assert_not_reached ();
}

static Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);

  fake->mode = "";
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, serve, fake, NULL);
  fake->url = gig_test_listen_loopback (fake->server);
  return fake;
}

static void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

/* ------------------------------------------------------------------------------------------ */
/* One call of each kind                                                                      */

typedef enum { CALL_SIGN_IN, CALL_CREATE, CALL_UPDATE, CALL_GET, CALL_BATCH, CALL_LIST, N_CALLS } Call;

static const char *call_names[] = { "sign-in", "create", "update", "get", "batch", "list" };

/* Runs @call and returns its error (NULL on success); on success *@out_token is the token. */
static GError *
run_call (GigPbClient *client, Call call, char **out_token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  GError *error = NULL;

  json_object_set_string_member (fields, "title", "x");
  switch (call)
    {
    case CALL_SIGN_IN:
      {
        g_autoptr(JsonObject) record = NULL;

        gig_pb_client_sign_in_with_password_async (client, "a@example.com", "secret-password", NULL,
                                                   gig_test_async_store, &result);
        record = gig_pb_client_sign_in_with_password_finish (client, gig_test_async_wait (&result),
                                                             out_token, &error);
        g_assert ((record == NULL) == (error != NULL));
      }
      break;
    case CALL_CREATE:
    case CALL_UPDATE:
    case CALL_GET:
      {
        g_autoptr(JsonObject) record = NULL;

        if (call == CALL_CREATE)
          gig_pb_client_create_record_async (client, "projects", fields, NULL, gig_test_async_store, &result);
        else if (call == CALL_UPDATE)
          gig_pb_client_update_record_async (client, "projects", "rec000000000001", fields, NULL,
                                             gig_test_async_store, &result);
        else
          gig_pb_client_get_record_async (client, "projects", "rec000000000001", NULL,
                                          gig_test_async_store, &result);
        record = gig_pb_client_create_record_finish (client, gig_test_async_wait (&result), &error);
        g_assert ((record == NULL) == (error != NULL));
      }
      break;
    case CALL_BATCH:
      {
        g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();
        g_autoptr(GPtrArray) records = NULL;

        gig_pb_batch_add_create (batch, "projects", fields);
        gig_pb_client_batch_async (client, batch, NULL, gig_test_async_store, &result);
        records = gig_pb_client_batch_finish (client, gig_test_async_wait (&result), &error);
        g_assert ((records == NULL) == (error != NULL));
      }
      break;
    case CALL_LIST:
      {
        g_autoptr(GPtrArray) records = NULL;

        gig_pb_client_list_records_async (client, "projects", NULL, NULL, NULL, NULL, 0, NULL,
                                          gig_test_async_store, &result);
        records = gig_pb_client_list_records_finish (client, gig_test_async_wait (&result), &error);
        g_assert ((records == NULL) == (error != NULL));
      }
      break;
    case N_CALLS:
    default:
      g_assert_not_reached ();
    }
  return error;
}

/* Nested 200,000 deep: every answer is refused as malformed, and the process lives on. */
static void
test_deep_answers (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);

  fake->mode = "deep";
  for (Call call = 0; call < N_CALLS; call++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", call_names[call]);
      error = run_call (client, call, NULL);
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "nested too deeply"));
    }
  g_assert_null (gig_pb_client_get_token (client));

  /* An error answer that deep: the status speaks alone. */
  {
    g_autoptr(GError) error = NULL;

    fake->mode = "deep-error";
    error = run_call (client, CALL_CREATE, NULL);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  }
}

/* A token whose payload is nested 200,000 deep: the sign-in works, the expiry is unknown. */
static void
test_deep_token (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  fake->mode = "deep-token";
  error = run_call (client, CALL_SIGN_IN, &token);
  g_assert_no_error (error);
  g_assert_cmpint (gig_jwt_get_expiry (token), ==, 0);
}

/* A record id that is not a string is malformed, not a critical. */
static void
test_id_not_a_string (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GError) error = NULL;

  fake->mode = "id-object";
  error = run_call (client, CALL_SIGN_IN, NULL);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  g_assert_null (gig_pb_client_get_token (client));
}

/* 64 MiB answers to requests capped at 1 or 16 MiB: refused once the cap is passed, long before
 * the answer ends; one that announces 300 MB is refused from its headers. */
static void
test_oversized_answers (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  struct { Call call; gsize cap; } cases[] = {
    { CALL_SIGN_IN, GIG_PB_MAX_AUTH_ANSWER },
    { CALL_CREATE, GIG_PB_MAX_RECORD_ANSWER },
    { CALL_UPDATE, GIG_PB_MAX_RECORD_ANSWER },
    { CALL_BATCH, GIG_PB_MAX_BATCH_ANSWER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s, streamed", call_names[cases[i].call]);
      fake->mode = "huge";
      fake->streamed = 0;
      error = run_call (client, cases[i].call, NULL);
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "larger than"));
      /* Cut at the cap: what was produced is the cap plus what sockets hold, not the answer. */
      g_test_message ("%" G_GSIZE_FORMAT " bytes produced for a cap of %" G_GSIZE_FORMAT,
                      fake->streamed, cases[i].cap);
      g_assert_cmpuint (fake->streamed, >, cases[i].cap);
      g_assert_cmpuint (fake->streamed, <, cases[i].cap + 12 * 1024 * 1024);
      g_assert_cmpuint (fake->streamed, <, STREAM_TOTAL);

      g_clear_error (&error);
      g_test_message ("%s, announced", call_names[cases[i].call]);
      fake->mode = "huge-announced";
      fake->streamed = 0;
      error = run_call (client, cases[i].call, NULL);
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_cmpuint (fake->streamed, <, cases[i].cap + 12 * 1024 * 1024);
    }
}

/* One byte every 20 ms never trips the idle timeout; the deadline ends it, and says why. */
static void
test_trickle (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);

  g_object_set (client, "deadline", 1, NULL);
  fake->mode = "trickle";
  for (Call call = 0; call < N_CALLS; call++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", call_names[call]);
      error = run_call (client, call, NULL);
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK);
      g_assert_cmpstr (error->message, ==, "The server took longer than 1 second to answer");
    }
}

/* A 100 KB message: the error shows its first 200 characters, cut between characters. */
static void
test_long_message (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GError) error = NULL;
  GHashTable *fields;
  const char *field;

  fake->mode = "long-message";
  error = run_call (client, CALL_CREATE, NULL);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (error->message, -1), ==, 201);
  g_assert_true (g_str_has_prefix (error->message, "Überlänge Überlänge"));
  g_assert_true (g_str_has_suffix (error->message, "…"));
  fields = gig_pb_error_get_field_errors (error);
  field = g_hash_table_lookup (fields, "title");
  g_assert_nonnull (field);
  g_assert_cmpint (g_utf8_strlen (field, -1), ==, 201);
}

/* The realtime stream: events nested 200,000 deep or of the wrong shape are dropped, and the
 * stream goes on to deliver the next one. */
static void
on_event (GigPbRealtime *realtime, const char *collection, const char *action, JsonObject *record,
          gpointer user_data)
{
  GPtrArray *ids = user_data;

  g_ptr_array_add (ids, g_strdup (json_object_get_string_member (record, "id")));
}

static gboolean
has_events (gpointer user_data)
{
  return ((GPtrArray *) user_data)->len > 0;
}

static void
test_realtime_deep_event (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GigPbRealtime) realtime = gig_pb_realtime_new (client);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  const char *topics[] = { "projects/*", NULL };

  g_signal_connect (realtime, "event", G_CALLBACK (on_event), ids);
  gig_pb_realtime_set_subscriptions (realtime, topics);
  gig_pb_realtime_start (realtime);
  g_assert_true (gig_test_wait_until (has_events, ids, 30000));
  /* let anything else queued arrive */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  gig_pb_realtime_stop (realtime);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "good00000000001");
}

/* ------------------------------------------------------------------------------------------ */
/* gigdesk-sync, a separate process, against the same server                                  */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Signs in with gigdesk-sync; returns its exit status, and fails the test if it died of a signal
 * (a stack overflow, or a critical: they are fatal here). */
static int
run_sync_tool (Fake *fake, char **out_stderr)
{
  g_autofree char *tool = g_build_filename (g_getenv ("GIG_BUILD_ROOT"), "src", "tools", "gigdesk-sync", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gigdesk-hostile-XXXXXX", &error);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (error);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                            tool, "--server", fake->url, "--email", "a@example.com", "--password-stdin",
                            "--data-dir", dir, NULL);
  g_assert_no_error (error);
  /* The fake server runs in this process: keep its loop turning while the tool talks to it. */
  g_subprocess_communicate_utf8_async (child, "secret-password\n", NULL, gig_test_async_store, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (child, gig_test_async_wait (&result), NULL,
                                                       out_stderr, &error));
  g_assert_no_error (error);
  g_test_message ("gigdesk-sync: %s", *out_stderr);
  remove_tree (dir);
  g_assert_true (g_subprocess_get_if_exited (child));
  return g_subprocess_get_exit_status (child);
}

/* The sign-in of gigdesk-sync meets a deep answer, a huge one, one of the wrong shape and a 100 KB
 * message: each time it exits with the sign-in status and a short reason. */
static void
test_sync_tool_sign_in (void)
{
  g_autoptr(Fake) fake = fake_new ();
  struct { const char *mode; const char *says; } cases[] = {
    { "deep", "nested too deeply" },
    { "huge", "larger than" },
    { "id-object", "a record has no id" },
    { "long-message", "Überlänge" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      fake->mode = cases[i].mode;
      fake->streamed = 0;
      g_assert_cmpint (run_sync_tool (fake, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_cmpuint (strlen (err), <, 1024);
      g_assert_cmpuint (fake->streamed, <, GIG_PB_MAX_AUTH_ANSWER + 12 * 1024 * 1024);
    }
}

static void
on_disconnected (GigPbRealtime *realtime, GError *error, gpointer user_data)
{
  GError **out = user_data;

  if (*out == NULL)
    *out = g_error_copy (error);
}

static gboolean
is_set (gpointer user_data)
{
  return *(GError **) user_data != NULL;
}

/* A realtime message that never ends is cut at the largest one the client accepts (1 MiB,
 * where the stream's limit was 16 MiB), and ends the stream with an error. */
static void
test_realtime_huge_event (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GigPbRealtime) realtime = gig_pb_realtime_new (client);
  g_autoptr(GError) error = NULL;
  const char *topics[] = { "projects/*", NULL };

  fake->mode = "huge-event";
  g_signal_connect (realtime, "disconnected", G_CALLBACK (on_disconnected), &error);
  gig_pb_realtime_set_subscriptions (realtime, topics);
  gig_pb_realtime_start (realtime);
  g_assert_true (gig_test_wait_until (is_set, &error, 30000));
  gig_pb_realtime_stop (realtime);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
  g_test_message ("%" G_GSIZE_FORMAT " bytes produced for a cap of %d", fake->streamed, GIG_PB_MAX_EVENT_DATA);
  g_assert_cmpuint (fake->streamed, <, GIG_PB_MAX_EVENT_DATA + 12 * 1024 * 1024);
}

static gboolean
reopened (gpointer user_data)
{
  return ((Fake *) user_data)->stream_opens >= 2;
}

/* A stream that opens and then trickles, never saying PB_CONNECT, ends at its deadline (1 s
 * here) with an error that says so, and the stream is opened again after the backoff. */
static void
test_realtime_trickle (void)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GigPbClient) client = gig_pb_client_new (fake->url);
  g_autoptr(GigPbRealtime) realtime = gig_pb_realtime_new (client);
  g_autoptr(GError) error = NULL;
  const char *topics[] = { "projects/*", NULL };

  fake->mode = "trickle-stream";
  g_signal_connect (realtime, "disconnected", G_CALLBACK (on_disconnected), &error);
  gig_pb_realtime_set_subscriptions (realtime, topics);
  gig_pb_realtime_set_connect_deadline (realtime, 1);
  gig_pb_realtime_start (realtime);
  g_assert_true (gig_test_wait_until (is_set, &error, 20000));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "The server took longer than 1 second to answer");
  g_assert_false (gig_pb_realtime_get_connected (realtime));
  g_assert_true (gig_test_wait_until (reopened, fake, 20000));
  gig_pb_realtime_stop (realtime);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pb-hostile/deep-answers", test_deep_answers);
  g_test_add_func ("/pb-hostile/deep-token", test_deep_token);
  g_test_add_func ("/pb-hostile/id-not-a-string", test_id_not_a_string);
  g_test_add_func ("/pb-hostile/oversized-answers", test_oversized_answers);
  g_test_add_func ("/pb-hostile/trickle", test_trickle);
  g_test_add_func ("/pb-hostile/long-message", test_long_message);
  g_test_add_func ("/pb-hostile/realtime-trickle", test_realtime_trickle);
  g_test_add_func ("/pb-hostile/realtime-deep-event", test_realtime_deep_event);
  g_test_add_func ("/pb-hostile/realtime-huge-event", test_realtime_huge_event);
  g_test_add_func ("/pb-hostile/sync-tool-sign-in", test_sync_tool_sign_in);
  return g_test_run ();
}
