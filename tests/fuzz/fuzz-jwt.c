/* fuzz-jwt.c: libFuzzer target for reading tokens (the client's expiry check, the chat
 * server's claims).
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-json.h"
#include "core/gig-jwt.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *token = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = NULL;
  gint64 seconds;

  (void) gig_jwt_get_expiry (token);
  claims = gig_jwt_decode_segment (token, &error);
  g_assert ((claims == NULL) == (error != NULL));
  if (claims != NULL)
    (void) gig_jwt_claim_time (claims, "exp", &seconds);
  else
    g_assert (error->domain == GIG_JSON_ERROR);
  return 0;
}
