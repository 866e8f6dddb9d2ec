/* gcs-jwt.h: HS256 JSON Web Tokens as GetStream uses them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Values are GetStream's API error codes, so they can go straight into error bodies. */
typedef enum {
  GCS_JWT_OK = 0,
  GCS_JWT_MALFORMED = 5,
  GCS_JWT_EXPIRED = 40,
  GCS_JWT_NOT_YET_VALID = 41,
  GCS_JWT_ISSUED_IN_FUTURE = 42,
  GCS_JWT_BAD_SIGNATURE = 43,
} GcsJwtStatus;

char        *gcs_base64url_encode (const guchar *data,
                                   gsize         len);

char        *gcs_jwt_sign         (JsonObject   *claims,
                                   const char   *secret);

/* On GCS_JWT_OK, *out_claims holds the payload; *out_message always holds a
 * human-readable reason in the service's wording when the token is refused. */
GcsJwtStatus gcs_jwt_verify       (const char   *token,
                                   const char   *secret,
                                   gint64        now_seconds,
                                   JsonObject  **out_claims,
                                   char        **out_message);

G_END_DECLS
