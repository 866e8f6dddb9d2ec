/* gig-test-token.h: an unsigned JWT of PocketBase's shape, for fake servers in tests
 *
 * The client only reads a token's `exp` (it never checks the signature), so a fake server that
 * hands this out looks signed in for an hour.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <string.h>

#include <glib.h>

static inline char *
gig_test_token_b64url (const char *text)
{
  char *b64 = g_base64_encode ((const guchar *) text, strlen (text));

  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  for (char *p = b64; *p; p++)
    if (*p == '=')
      {
        *p = '\0';
        break;
      }
  return b64;
}

/* A token of @user_id that expires in an hour. */
static inline char *
gig_test_token_new (const char *user_id)
{
  g_autofree char *header = gig_test_token_b64url ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  g_autofree char *payload_json = g_strdup_printf ("{\"id\":\"%s\",\"type\":\"auth\",\"exp\":%" G_GINT64_FORMAT "}",
                                                   user_id, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *payload = gig_test_token_b64url (payload_json);

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJl", header, payload);
}
