/* fuzz-pb-sse.c: libFuzzer target for the server-sent events parser and the realtime messages
 * it delivers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-parser.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
on_event (const char *event, const char *id, const char *payload, gpointer user_data)
{
  gsize *count = user_data;

  g_auto(GigPbRealtimeEvent) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert (event != NULL && payload != NULL);
  (void) strlen (payload);
  (*count)++;
  if (gig_pb_parse_realtime_event (event, payload, &parsed, &error))
    g_assert (parsed.client_id != NULL || (parsed.action != NULL && parsed.record != NULL && parsed.collection != NULL));
  else
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gsize count = 0;
  g_autoptr(GigPbSseParser) parser = gig_pb_sse_parser_new (on_event, &count);
  gsize chunk;

  if (size == 0)
    return 0;
  chunk = (gsize) data[0] % 32 + 1;
  for (gsize i = 1; i < size; i += chunk)
    {
      g_autoptr(GError) error = NULL;

      if (!gig_pb_sse_parser_feed (parser, (const char *) data + i, MIN (chunk, size - i), &error))
        break;
    }
  return 0;
}
