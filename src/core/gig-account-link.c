/* gig-account-link.c: the links and codes of the account mails.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-account-link.h"
#include "core/gig-json.h"
#include "core/gig-jwt.h"

#include <glib/gi18n.h>
#include <string.h>

/* A pasted code is a token of at most a few hundred bytes; anything much longer is not one. */
#define MAX_TEXT (4 * GIG_JWT_MAX_SEGMENT)

static const struct
{
  GigAccountLinkKind kind;
  const char        *action;      /* the gigdesk: URI's path */
  const char        *token_type;  /* PocketBase's "type" claim */
  const char        *email_claim;
} kinds[] = {
  { GIG_ACCOUNT_LINK_VERIFY_EMAIL,   "verify-email",         "verification",  "email" },
  { GIG_ACCOUNT_LINK_RESET_PASSWORD, "reset-password",       "passwordReset", "email" },
  { GIG_ACCOUNT_LINK_CHANGE_EMAIL,   "confirm-email-change", "emailChange",   "newEmail" },
};

void
gig_account_link_free (GigAccountLink *link)
{
  if (link == NULL)
    return;
  g_free (link->token);
  g_free (link->email);
  g_free (link);
}

static gpointer
not_a_link (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("This is not a link or code from a Gigdesk mail. Copy the whole code from the mail and try again."));
  return NULL;
}

/* The text without blank space anywhere (a wrapped code comes back whole). */
static char *
squeeze (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* "gigdesk:ACTION?token=T" or "gigdesk://ACTION?token=T": the action and the token. */
static gboolean
split_uri (const char *text, char **out_action, char **out_token)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *action;
  const char *token;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "gigdesk") != 0 || g_uri_get_query (uri) == NULL)
    return FALSE;
  /* gigdesk://verify-email?… puts the action in the host, gigdesk:verify-email?… in the path */
  action = g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) ? g_uri_get_host (uri) : g_uri_get_path (uri);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  token = params != NULL ? g_hash_table_lookup (params, "token") : NULL;
  if (action == NULL || token == NULL || *token == '\0')
    return FALSE;
  while (*action == '/')
    action++;
  *out_action = g_strdup (action);
  *out_token = g_strdup (token);
  return TRUE;
}

GigAccountLink *
gig_account_link_parse (const char *text, gint64 now, GError **error)
{
  g_autofree char *compact = NULL;
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GigAccountLink) link = NULL;
  const char *type;
  const char *email;
  gint64 exp = 0;
  guint i;

  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > MAX_TEXT || !g_utf8_validate (text, -1, NULL))
    return not_a_link (error);
  compact = squeeze (text);
  if (g_str_has_prefix (compact, "gigdesk:"))
    {
      if (!split_uri (compact, &action, &token))
        return not_a_link (error);
    }
  else
    token = g_strdup (compact);

  /* header.payload.signature, each base64url */
  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3 || *parts[2] == '\0')
    return not_a_link (error);
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return not_a_link (error);
  claims = gig_jwt_decode_segment (parts[1], NULL);
  if (claims == NULL)
    return not_a_link (error);

  type = gig_json_object_get_string (claims, "type");
  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (type, kinds[i].token_type) == 0)
      break;
  /* the code must be for what the link says (a link edited by hand is not trusted) */
  if (i == G_N_ELEMENTS (kinds) || (action != NULL && strcmp (action, kinds[i].action) != 0))
    return not_a_link (error);
  email = gig_json_object_get_string (claims, kinds[i].email_claim);

  link = g_new0 (GigAccountLink, 1);
  link->kind = kinds[i].kind;
  link->token = g_steal_pointer (&token);
  link->email = g_strdup (email != NULL ? email : "");
  if (gig_jwt_claim_time (claims, "exp", &exp))
    link->expires = exp;
  if (link->expires != 0 && link->expires <= now)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("This code has expired. Ask for a new mail and use the code in it."));
      return NULL;
    }
  return g_steal_pointer (&link);
}
