/* fuzz-pb-answers.c: libFuzzer target for the answers to record requests (get, create, update,
 * sign-up), batches and failed requests; the first byte picks which.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-private.h"
#include "core/gig-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  const char *text = (const char *) data + 1;

  if (size == 0)
    return 0;
  size--;
  switch (data[0] % 3)
    {
    case 0:
      {
        g_autoptr(JsonObject) record = gig_pb_parse_record_answer (text, size, &error);

        g_assert ((record == NULL) == (error != NULL));
        if (record != NULL)
          g_assert_nonnull (gig_json_object_get_string (record, "id"));
      }
      break;
    case 1:
      {
        g_autoptr(GPtrArray) records = gig_pb_parse_batch_answer (text, size, &error);

        g_assert ((records == NULL) == (error != NULL));
        for (guint i = 0; records != NULL && i < records->len; i++)
          g_assert_nonnull (gig_json_object_get_string (g_ptr_array_index (records, i), "id"));
      }
      break;
    default:
      {
        g_autoptr(JsonNode) body = gig_pb_parse_error_answer (text, size);
        g_autoptr(GError) http = gig_pb_error_from_response (400, "Bad Request", body, FALSE);

        g_assert (http->domain == GIG_PB_ERROR);
        /* what is shown is never a page of text */
        g_assert_cmpint (g_utf8_strlen (http->message, -1), <=, 2 * 200 + 64);
        g_assert_true (g_utf8_validate (http->message, -1, NULL));
        (void) gig_pb_error_get_field_errors (http);
      }
      break;
    }
  return 0;
}
