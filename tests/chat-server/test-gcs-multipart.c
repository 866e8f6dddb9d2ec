/* test-gcs-multipart.c: the streaming multipart reader, fed whole and split at every byte
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "gcs-multipart.h"

typedef struct {
  GString *log;   /* "name|filename|type=" then data, ";" at each part's end */
  gsize    max_chunk;
} Seen;

static gboolean
on_begin (gpointer user_data, const char *name, const char *filename, const char *type, GError **error)
{
  Seen *seen = user_data;

  g_string_append_printf (seen->log, "[%s|%s|%s]", name, filename ? filename : "-", type ? type : "-");
  return TRUE;
}

static gboolean
on_data (gpointer user_data, const guint8 *data, gsize length, GError **error)
{
  Seen *seen = user_data;

  g_assert_cmpuint (length, >, 0);
  seen->max_chunk = MAX (seen->max_chunk, length);
  g_string_append_len (seen->log, (const char *) data, (gssize) length);
  return TRUE;
}

static gboolean
on_end (gpointer user_data, GError **error)
{
  g_string_append_c (((Seen *) user_data)->log, ';');
  return TRUE;
}

static const GcsMultipartCallbacks callbacks = { on_begin, on_data, on_end };

/* Parses @body in chunks of @step bytes (0: whole); returns the log, or NULL with @error. */
static char *
parse (const char *boundary, const char *body, gsize length, gsize step, GError **error)
{
  Seen seen = { g_string_new (NULL), 0 };
  g_autoptr(GcsMultipart) reader = gcs_multipart_new (boundary, &callbacks, &seen);
  gboolean ok = TRUE;

  if (step == 0)
    step = length;
  for (gsize at = 0; ok && at < length; at += step)
    ok = gcs_multipart_feed (reader, (const guint8 *) body + at, MIN (step, length - at), error);
  if (ok)
    ok = gcs_multipart_finish (reader, error);
  if (!ok)
    {
      g_string_free (seen.log, TRUE);
      return NULL;
    }
  return g_string_free (seen.log, FALSE);
}

#define FORM \
  "preamble to ignore\r\n" \
  "--b0undary\r\n" \
  "Content-Disposition: form-data; name=\"user\"\r\n\r\n" \
  "{\"id\":\"alice\"}\r\n" \
  "--b0undary\r\n" \
  "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"quoted\\\"; name.pdf\"\r\n" \
  "Content-Type: application/pdf\r\n\r\n" \
  "line one\r\n--b0undar not yet\r\n\r\n--b0undaryX is data too? no: a delimiter\r\n" \
  "--b0undary--\r\n" \
  "epilogue"

static void
test_every_split (void)
{
  const char *expected = "[user|-|-]{\"id\":\"alice\"};"
                         "[file|a \"quoted\"; name.pdf|application/pdf]line one\r\n--b0undar not yet\r\n;";
  gsize length = strlen (FORM);

  /* "\r\n--b0undaryX" is a delimiter followed by garbage, which RFC 2046 makes malformed;
   * the form above has it, so first check that it is refused... */
  for (gsize step = 0; step <= length; step++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *log = parse ("b0undary", FORM, length, step, &error);

      g_assert_null (log);
      g_assert_error (error, GCS_MULTIPART_ERROR, GCS_MULTIPART_ERROR_MALFORMED);
    }

  /* ...and a well-formed one reads the same however it is split */
  {
    const char *good =
      "--b0undary\r\n"
      "Content-Disposition: form-data; name=\"user\"\r\n\r\n"
      "{\"id\":\"alice\"}\r\n"
      "--b0undary\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"quoted\\\"; name.pdf\"\r\n"
      "Content-Type: application/pdf\r\n\r\n"
      "line one\r\n--b0undar not yet\r\n\r\n"
      "--b0undary--\r\n"
      "epilogue";

    length = strlen (good);
    for (gsize step = 0; step <= length; step++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *log = parse ("b0undary", good, length, step, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (log, ==, expected);
      }
  }
}

static void
test_large_part_streams (void)
{
  /* 1 MiB of data that keeps almost matching the delimiter: only a window stays buffered */
  g_autoptr(GString) body = g_string_new ("--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\n");
  Seen seen = { g_string_new (NULL), 0 };
  g_autoptr(GcsMultipart) reader = gcs_multipart_new ("XYZ", &callbacks, &seen);
  g_autoptr(GError) error = NULL;
  gsize header = body->len;

  while (body->len < header + 1024 * 1024)
    g_string_append (body, "\r\n--XY");
  g_string_append (body, "\r\n--XYZ--\r\n");
  for (gsize at = 0; at < body->len; at += 8192)
    g_assert_true (gcs_multipart_feed (reader, (const guint8 *) body->str + at, MIN (8192, body->len - at), &error));
  g_assert_true (gcs_multipart_finish (reader, &error));
  g_assert_cmpuint (seen.log->len, ==, strlen ("[file|f|-]") + (body->len - header - strlen ("\r\n--XYZ--\r\n")) + 1);
  g_assert_cmpuint (seen.max_chunk, <=, 8192 + 8);
  g_string_free (seen.log, TRUE);
}

static void
test_refusals (void)
{
  static const struct { const char *body; GcsMultipartError code; } cases[] = {
    { "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nno end", GCS_MULTIPART_ERROR_TRUNCATED },
    { "", GCS_MULTIPART_ERROR_TRUNCATED },
    { "--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--", GCS_MULTIPART_ERROR_MALFORMED },
    { "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", GCS_MULTIPART_ERROR_MALFORMED },
    { "--b\r\nno colon here\r\n\r\nx\r\n--b--", GCS_MULTIPART_ERROR_MALFORMED },
    { "--b\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\nx\r\n--b--", GCS_MULTIPART_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *log = parse ("b", cases[i].body, strlen (cases[i].body), 0, &error);

      g_assert_null (log);
      g_assert_error (error, GCS_MULTIPART_ERROR, (gint) cases[i].code);
    }

  /* headers without an end are refused once they pass the bound, not held forever */
  {
    g_autoptr(GString) body = g_string_new ("--b\r\nX-Long: ");
    g_autoptr(GError) error = NULL;
    g_autofree char *log = NULL;

    while (body->len < GCS_MULTIPART_MAX_HEADERS + 10)
      g_string_append_c (body, 'a');
    log = parse ("b", body->str, body->len, 1000, &error);
    g_assert_null (log);
    g_assert_error (error, GCS_MULTIPART_ERROR, GCS_MULTIPART_ERROR_MALFORMED);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat-server/multipart/every-split", test_every_split);
  g_test_add_func ("/chat-server/multipart/large-part-streams", test_large_part_streams);
  g_test_add_func ("/chat-server/multipart/refusals", test_refusals);
  return g_test_run ();
}
