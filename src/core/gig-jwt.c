/* gig-jwt.c: reading JSON Web Tokens.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-jwt.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>
#include <string.h>

guchar *
gig_base64url_decode (const char *text, gsize *out_length)
{
  g_autoptr(GString) standard = NULL;

  g_return_val_if_fail (text != NULL && out_length != NULL, NULL);

  *out_length = 0;
  standard = g_string_sized_new (strlen (text) + 3);
  for (const char *p = text; *p; p++)
    {
      if (*p == '-')
        g_string_append_c (standard, '+');
      else if (*p == '_')
        g_string_append_c (standard, '/');
      else if (g_ascii_isalnum (*p) || *p == '+' || *p == '/')
        g_string_append_c (standard, *p);
      else if (*p != '=')
        return NULL;
    }
  if (standard->len % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  return g_base64_decode (standard->str, out_length);
}

JsonObject *
gig_jwt_decode_segment (const char *segment, GError **error)
{
  g_autofree guchar *raw = NULL;
  gsize length = 0;

  g_return_val_if_fail (segment != NULL, NULL);

  if (strlen (segment) > GIG_JWT_MAX_SEGMENT)
    {
      g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_TOO_LARGE, _("too large"));
      return NULL;
    }
  raw = gig_base64url_decode (segment, &length);
  if (raw == NULL || length == 0)
    {
      g_set_error_literal (error, GIG_JSON_ERROR, GIG_JSON_ERROR_SYNTAX, _("not valid JSON"));
      return NULL;
    }
  return gig_json_parse_object ((const char *) raw, (gssize) length, GIG_JWT_MAX_SEGMENT, error);
}

gboolean
gig_jwt_claim_time (JsonObject *claims, const char *name, gint64 *out_seconds)
{
  JsonNode *node = claims != NULL ? json_object_get_member (claims, name) : NULL;

  g_return_val_if_fail (name != NULL && out_seconds != NULL, FALSE);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out_seconds = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE &&
           json_node_get_double (node) >= -9.0e18 && json_node_get_double (node) <= 9.0e18)
    *out_seconds = (gint64) json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

gint64
gig_jwt_get_expiry (const char *token)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  gint64 exp = 0;

  if (token == NULL)
    return 0;
  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3)
    return 0;
  claims = gig_jwt_decode_segment (parts[1], &error);
  if (claims == NULL)
    {
      g_debug ("A token whose payload cannot be read: %s", error->message);
      return 0;
    }
  return gig_jwt_claim_time (claims, "exp", &exp) ? exp : 0;
}
