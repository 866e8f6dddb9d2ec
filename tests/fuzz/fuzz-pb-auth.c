/* fuzz-pb-auth.c: libFuzzer target for the sign-in and token refresh answer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-jwt.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-client.h"
#include "core/gig-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) record = gig_pb_parse_auth_answer ((const char *) data, size, &token, &error);

  if (record == NULL)
    {
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
      g_assert_null (token);
      return 0;
    }
  /* what a session takes from it: a non-empty string id, a token */
  g_assert_nonnull (token);
  g_assert_nonnull (gig_json_object_get_string (record, "id"));
  (void) gig_json_object_get_string (record, "email");
  (void) gig_jwt_get_expiry (token);
  return 0;
}
