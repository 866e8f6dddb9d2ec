/* gig-jwt.h: reading JSON Web Tokens (their claims; verifying is the issuer's business).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Tokens are a few hundred bytes; a segment past this is not a token. */
#define GIG_JWT_MAX_SEGMENT (8 * 1024)

/* base64url with or without padding; NULL if @text is not that. */
guchar     *gig_base64url_decode    (const char  *text,
                                     gsize       *out_length);
/* One segment (header or payload) as a JSON object, read with the bounded reader. Errors are
 * GIG_JSON_ERROR. */
JsonObject *gig_jwt_decode_segment  (const char  *segment,
                                     GError     **error);
/* A NumericDate claim ("exp", "nbf", "iat") in unix seconds; FALSE if absent or not a number. */
gboolean    gig_jwt_claim_time      (JsonObject  *claims,
                                     const char  *name,
                                     gint64      *out_seconds);
/* The `exp` claim of @token's payload (without verifying the token), or 0. */
gint64      gig_jwt_get_expiry      (const char  *token);

G_END_DECLS
