/* gcs-jwt.c: HS256 JSON Web Tokens as GetStream uses them
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server"

#include "gcs-jwt.h"
#include "core/gig-jwt.h"

#include <string.h>

char *
gcs_base64url_encode (const guchar *data,
                      gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  char *p;
  gsize n;

  for (p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  /* JWTs carry no padding. */
  n = strlen (b64);
  while (n > 0 && b64[n - 1] == '=')
    b64[--n] = '\0';

  return g_steal_pointer (&b64);
}

static char *
hs256 (const char *secret,
       const char *signing_input)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) signing_input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);

  return gcs_base64url_encode (digest, digest_len);
}

char *
gcs_jwt_sign (JsonObject *claims,
              const char *secret)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *payload_json = NULL;
  g_autofree char *header = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *input = NULL;
  g_autofree char *signature = NULL;
  static const char header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  g_return_val_if_fail (claims != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  json_node_set_object (node, claims);
  payload_json = json_to_string (node, FALSE);
  header = gcs_base64url_encode ((const guchar *) header_json, strlen (header_json));
  payload = gcs_base64url_encode ((const guchar *) payload_json, strlen (payload_json));
  input = g_strconcat (header, ".", payload, NULL);
  signature = hs256 (secret, input);

  return g_strconcat (input, ".", signature, NULL);
}

/* Constant-time comparison: the signature check must not leak prefix matches. */
static gboolean
equal_secure (const char *a,
              const char *b)
{
  gsize la = strlen (a), lb = strlen (b), i;
  guint diff = la ^ lb;

  for (i = 0; i < la && i < lb; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];

  return diff == 0;
}

static JsonObject *
decode_segment (const char *segment)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = gig_jwt_decode_segment (segment, &error);

  if (object == NULL)
    g_debug ("Unreadable token segment: %s", error->message);
  return object;
}

GcsJwtStatus
gcs_jwt_verify (const char  *token,
                const char  *secret,
                gint64       now_seconds,
                JsonObject **out_claims,
                char       **out_message)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *input = NULL;
  g_autofree char *expected = NULL;
  JsonNode *alg;
  gint64 t;

  g_return_val_if_fail (out_claims != NULL && out_message != NULL, GCS_JWT_MALFORMED);
  *out_claims = NULL;
  *out_message = NULL;

  if (token == NULL || *token == '\0' || g_str_equal (token, "undefined"))
    {
      *out_message = g_strdup ("JWTAuth error: token is missing");
      return GCS_JWT_MALFORMED;
    }

  parts = g_strsplit (token, ".", -1);
  if (g_strv_length (parts) != 3)
    {
      *out_message = g_strdup ("JWTAuth error: token contains an invalid number of segments");
      return GCS_JWT_MALFORMED;
    }

  header = decode_segment (parts[0]);
  claims = decode_segment (parts[1]);
  if (header == NULL || claims == NULL)
    {
      *out_message = g_strdup ("JWTAuth error: token is malformed");
      return GCS_JWT_MALFORMED;
    }
  alg = json_object_get_member (header, "alg");
  if (alg == NULL || !JSON_NODE_HOLDS_VALUE (alg) || json_node_get_value_type (alg) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (alg), "HS256") != 0)
    {
      *out_message = g_strdup ("JWTAuth error: signing method is not HS256");
      return GCS_JWT_BAD_SIGNATURE;
    }

  input = g_strconcat (parts[0], ".", parts[1], NULL);
  expected = hs256 (secret, input);
  if (!equal_secure (expected, parts[2]))
    {
      *out_message = g_strdup ("JWTAuth error: signature is not valid. Make sure the token is "
                               "created using the secret for API key");
      return GCS_JWT_BAD_SIGNATURE;
    }

  if (gig_jwt_claim_time (claims, "exp", &t) && t <= now_seconds)
    {
      *out_message = g_strdup_printf ("JWTAuth error: token has expired. Token expiry time: %"
                                      G_GINT64_FORMAT ", current time: %" G_GINT64_FORMAT,
                                      t, now_seconds);
      return GCS_JWT_EXPIRED;
    }
  if (gig_jwt_claim_time (claims, "nbf", &t) && t > now_seconds)
    {
      *out_message = g_strdup ("JWTAuth error: token is not valid yet");
      return GCS_JWT_NOT_YET_VALID;
    }
  /* Allow a little clock skew, as the service does, before refusing a future iat. */
  if (gig_jwt_claim_time (claims, "iat", &t) && t > now_seconds + 5)
    {
      *out_message = g_strdup ("JWTAuth error: token used before issue at (iat)");
      return GCS_JWT_ISSUED_IN_FUTURE;
    }

  *out_claims = g_steal_pointer (&claims);
  return GCS_JWT_OK;
}
