/* fuzz-multipart.c: libFuzzer target for the local chat server's streaming multipart reader,
 * fed in chunks whose size comes from the input, so that every split is reached.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gcs-multipart.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
on_begin (gpointer user_data, const char *name, const char *filename, const char *type, GError **error)
{
  g_assert (name != NULL && g_utf8_validate (name, -1, NULL));
  g_assert (filename == NULL || g_utf8_validate (filename, -1, NULL));
  return TRUE;
}

static gboolean
on_data (gpointer user_data, const guint8 *data, gsize length, GError **error)
{
  g_assert (length > 0);
  *(gsize *) user_data += length;
  return TRUE;
}

static gboolean
on_end (gpointer user_data, GError **error)
{
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const GcsMultipartCallbacks callbacks = { on_begin, on_data, on_end };
  gsize seen = 0, step;
  g_autoptr(GcsMultipart) reader = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (size < 2)
    return 0;
  step = 1 + data[0] % 64;
  reader = gcs_multipart_new ("b0undary", &callbacks, &seen);
  data++, size--;
  for (gsize at = 0; ok && at < size; at += step)
    ok = gcs_multipart_feed (reader, data + at, MIN (step, size - at), &error);
  if (ok)
    gcs_multipart_finish (reader, NULL);
  /* never more data handed on than came in */
  g_assert (seen <= size);
  return 0;
}
