/* fuzz-pb-record.c: libFuzzer target for the record and list page parsers.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GigPbPageParser) page = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gsize chunk;

  if (size == 0)
    return 0;

  /* The same bytes as one record... */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) record = gig_pb_parse_record ((const char *) data + 1, (gssize) size - 1, &error);

    g_assert ((record == NULL) == (error != NULL));
  }

  /* ...and as a list page fed in chunks whose size the first byte picks */
  chunk = (gsize) data[0] % 64 + 1;
  page = gig_pb_page_parser_new ();
  for (gsize i = 1; i < size; i += chunk)
    {
      g_autoptr(GError) error = NULL;

      if (!gig_pb_page_parser_feed (page, (const char *) data + i, MIN (chunk, size - i), &error))
        {
          g_assert (error != NULL);
          return 0;
        }
    }
  {
    g_autoptr(GError) error = NULL;

    if (gig_pb_page_parser_finish (page, &error))
      {
        items = gig_pb_page_parser_steal_items (page);
        for (guint i = 0; i < items->len; i++)
          g_assert (json_object_get_string_member (g_ptr_array_index (items, i), "id") != NULL);
      }
    else
      g_assert (error != NULL);
  }
  return 0;
}
