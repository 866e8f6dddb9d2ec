/* gig-pb-error.c: the GIG_PB_ERROR domain: field errors, server answers as errors (no HTTP in here).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-private.h"
#include "core/gig-json.h"
#include "core/gig-text.h"

#include <glib/gi18n.h>
#include <string.h>

/* An extended error domain, so field errors travel with the GError through GTask and copies. */
typedef struct
{
  GHashTable *field_messages;
  GHashTable *field_codes;
  guint       status;
  int         batch_index;
} GigPbErrorPrivate;

static void
gig_pb_error_private_init (GigPbErrorPrivate *priv)
{
  priv->field_messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  priv->field_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  priv->status = 0;
  priv->batch_index = -1;
}

static void
gig_pb_error_private_copy (const GigPbErrorPrivate *src, GigPbErrorPrivate *dest)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, src->field_messages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (dest->field_messages, g_strdup (key), g_strdup (value));
  g_hash_table_iter_init (&iter, src->field_codes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (dest->field_codes, g_strdup (key), g_strdup (value));
  dest->status = src->status;
  dest->batch_index = src->batch_index;
}

static void
gig_pb_error_private_clear (GigPbErrorPrivate *priv)
{
  g_clear_pointer (&priv->field_messages, g_hash_table_unref);
  g_clear_pointer (&priv->field_codes, g_hash_table_unref);
}

G_DEFINE_EXTENDED_ERROR (GigPbError, gig_pb_error)

GHashTable *
gig_pb_error_get_field_errors (const GError *error)
{
  GigPbErrorPrivate *priv;

  if (error == NULL || error->domain != GIG_PB_ERROR)
    return NULL;
  priv = gig_pb_error_get_private (error);
  return priv ? priv->field_messages : NULL;
}

const char *
gig_pb_error_get_field_code (const GError *error, const char *field)
{
  GigPbErrorPrivate *priv;

  g_return_val_if_fail (field != NULL, NULL);

  if (error == NULL || error->domain != GIG_PB_ERROR)
    return NULL;
  priv = gig_pb_error_get_private (error);
  return priv ? g_hash_table_lookup (priv->field_codes, field) : NULL;
}

guint
gig_pb_error_get_status (const GError *error)
{
  GigPbErrorPrivate *priv;

  if (error == NULL || error->domain != GIG_PB_ERROR)
    return 0;
  priv = gig_pb_error_get_private (error);
  return priv ? priv->status : 0;
}

int
gig_pb_error_get_batch_index (const GError *error)
{
  GigPbErrorPrivate *priv;

  if (error == NULL || error->domain != GIG_PB_ERROR)
    return -1;
  priv = gig_pb_error_get_private (error);
  return priv ? priv->batch_index : -1;
}

/* PocketBase error body: {"data":{field:{code,message}}, "message":..., "status":...}; a failed
 * batch nests the failing sub-request's body as data.requests.<index>.response. */
GError *
gig_pb_error_from_response (guint       status,
                            const char *reason,
                            JsonNode   *body,
                            gboolean    is_auth_request)
{
  JsonObject *root = (body && JSON_NODE_HOLDS_OBJECT (body)) ? json_node_get_object (body) : NULL;
  JsonObject *data = gig_json_object_get_object (root, "data");
  JsonObject *requests = gig_json_object_get_object (data, "requests");
  const char *message = gig_json_object_get_string (root, "message");
  const char *inner_message = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autofree char *shown_message = NULL, *shown_inner = NULL, *shown_reason = NULL;
  GigPbErrorPrivate *priv;
  GigPbError code;
  GError *error;
  int batch_index = -1;
  gboolean not_unique = FALSE;

  if (requests != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (requests);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *failed = gig_json_object_get_object (requests, l->data);
          JsonObject *response = gig_json_object_get_object (failed, "response");
          guint64 index;

          if (response == NULL || !g_ascii_string_to_unsigned (l->data, 10, 0, G_MAXINT, &index, NULL))
            continue;
          batch_index = (int) index;
          inner_message = gig_json_object_get_string (response, "message");
          data = gig_json_object_get_object (response, "data");
          status = (guint) CLAMP (gig_json_object_get_int (response, "status", status), 0, G_MAXUINT);
          break;
        }
    }

  if (status == 401)
    code = GIG_PB_ERROR_AUTH_REQUIRED;
  else if (status == 403)
    code = GIG_PB_ERROR_FORBIDDEN;
  else if (status == 404)
    code = GIG_PB_ERROR_NOT_FOUND;
  else if (status == 400 && is_auth_request)
    code = GIG_PB_ERROR_INVALID_CREDENTIALS;
  else if (status == 400 || status == 409 || status == 422)
    code = GIG_PB_ERROR_VALIDATION;
  else if (status == 429 || status == 502 || status == 503 || status == 504)
    code = GIG_PB_ERROR_NETWORK; /* transient: worth the same retry as a lost connection */
  else
    code = GIG_PB_ERROR_SERVER;

  if (data != NULL && requests == NULL)
    {
      g_autoptr(GList) members = json_object_get_members (data);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *field = gig_json_object_get_object (data, l->data);
          const char *field_code = gig_json_object_get_string (field, "code");

          if (field_code != NULL && strcmp (field_code, "validation_not_unique") == 0)
            not_unique = TRUE;
        }
    }
  else if (data != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (data);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *field = gig_json_object_get_object (data, l->data);
          const char *field_code = gig_json_object_get_string (field, "code");

          if (field_code != NULL && strcmp (field_code, "validation_not_unique") == 0)
            not_unique = TRUE;
        }
    }
  if (not_unique && (code == GIG_PB_ERROR_VALIDATION))
    code = GIG_PB_ERROR_NOT_UNIQUE;

  /* What the server says is shown as it says it, but never a page of it (the whole text goes
   * to the debug log). */
  message = shown_message = gig_text_shorten (message, GIG_TEXT_SHOWN_MAX_CHARS);
  inner_message = shown_inner = gig_text_shorten (inner_message, GIG_TEXT_SHOWN_MAX_CHARS);
  reason = shown_reason = gig_text_shorten (reason, GIG_TEXT_SHOWN_MAX_CHARS);
  if (batch_index >= 0)
    g_string_append_printf (details, _("%s (request %d: %s)"),
                            message ? message : _("Batch transaction failed."), batch_index,
                            inner_message ? inner_message : C_("batch request", "failed"));
  else if (message != NULL && *message != '\0')
    g_string_append (details, message);
  else if (reason != NULL && *reason != '\0')
    g_string_append_printf (details, "%s (HTTP %u)", reason, status);
  else
    g_string_append_printf (details, _("Unexpected server answer (HTTP %u)"), status);

  error = g_error_new_literal (GIG_PB_ERROR, code, details->str);
  priv = gig_pb_error_get_private (error);
  priv->status = status;
  priv->batch_index = batch_index;

  if (data != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (data);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonObject *field = gig_json_object_get_object (data, l->data);
          const char *field_message = gig_json_object_get_string (field, "message");
          const char *field_code = gig_json_object_get_string (field, "code");

          if (field == NULL)
            continue;
          g_hash_table_insert (priv->field_messages, g_strdup (l->data),
                               field_message ? gig_text_shorten (field_message, GIG_TEXT_SHOWN_MAX_CHARS)
                                             : g_strdup (""));
          if (field_code != NULL)
            g_hash_table_insert (priv->field_codes, g_strdup (l->data), g_strdup (field_code));
        }
    }
  return error;
}

GError *
gig_pb_error_new (GigPbError code, guint status, const char *message)
{
  GError *error = g_error_new_literal (GIG_PB_ERROR, code, message);

  gig_pb_error_get_private (error)->status = status;
  return error;
}

GError *
gig_pb_error_new_too_slow (guint seconds)
{
  g_autofree char *message = g_strdup_printf (ngettext ("The server took longer than %u second to answer",
                                                        "The server took longer than %u seconds to answer",
                                                        seconds),
                                              seconds);

  return gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0, message);
}
