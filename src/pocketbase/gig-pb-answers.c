/* gig-pb-answers.c: pure parsers for single answers and realtime events.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>
#include <string.h>

static JsonNode *
parse (const char *data, gsize length, gsize max_size, GError **error)
{
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;

  if (length > G_MAXSSIZE)
    length = G_MAXSSIZE;
  root = gig_json_parse (data, (gssize) length, max_size, &json_error);
  if (root == NULL)
    g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"),
                 json_error->message);
  return root;
}

JsonObject *
gig_pb_parse_record_answer (const char *data, gsize length, GError **error)
{
  g_autoptr(JsonNode) root = parse (data, length, GIG_PB_MAX_RECORD_ANSWER, error);

  return root ? gig_pb_check_record (root, error) : NULL;
}

JsonObject *
gig_pb_parse_auth_answer (const char *data, gsize length, char **out_token, GError **error)
{
  g_autoptr(JsonNode) root = parse (data, length, GIG_PB_MAX_AUTH_ANSWER, error);
  JsonObject *object = gig_json_node_get_object (root);
  const char *token = gig_json_object_get_string (object, "token");
  JsonNode *record = object ? json_object_get_member (object, "record") : NULL;

  if (root == NULL)
    return NULL;
  if (token == NULL || *token == '\0' || gig_json_node_get_object (record) == NULL)
    {
      g_set_error_literal (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                           _("Malformed server response: expected a token and a record"));
      return NULL;
    }
  if (out_token != NULL)
    *out_token = g_strdup (token);
  {
    JsonObject *checked = gig_pb_check_record (record, error);

    if (checked == NULL && out_token != NULL)
      g_clear_pointer (out_token, g_free);
    return checked;
  }
}

GPtrArray *
gig_pb_parse_batch_answer (const char *data, gsize length, GError **error)
{
  g_autoptr(JsonNode) root = parse (data, length, GIG_PB_MAX_BATCH_ANSWER, error);
  g_autoptr(GPtrArray) records = NULL;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                           _("Malformed server response: expected batch results"));
      return NULL;
    }
  array = json_node_get_array (root);
  records = g_ptr_array_new_full (json_array_get_length (array), (GDestroyNotify) json_object_unref);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *result = gig_json_array_get_object (array, i);
      JsonNode *body = result ? json_object_get_member (result, "body") : NULL;
      JsonObject *record;

      if (gig_json_node_get_object (body) == NULL)
        {
          g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                       _("Malformed server response: batch result %u has no record"), i);
          return NULL;
        }
      record = gig_pb_check_record (body, error);
      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
  return g_steal_pointer (&records);
}

JsonNode *
gig_pb_parse_error_answer (const char *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    return NULL;
  root = parse (data, length, GIG_PB_MAX_ERROR_ANSWER, &error);
  if (root == NULL)
    g_debug ("An error answer that is not JSON: %s", error->message);
  return root;
}

gboolean
gig_pb_parse_realtime_event (const char          *event,
                             const char          *data,
                             GigPbRealtimeEvent  *out,
                             GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *record;
  const char *client_id, *action, *collection;

  g_return_val_if_fail (event != NULL && data != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  root = parse (data, strlen (data), GIG_PB_MAX_EVENT_DATA, error);
  if (root == NULL)
    return FALSE;
  object = gig_json_node_get_object (root);
  if (object == NULL)
    {
      g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"),
                   _("a realtime message is not an object"));
      return FALSE;
    }

  if (strcmp (event, "PB_CONNECT") == 0)
    {
      client_id = gig_json_object_get_string (object, "clientId");
      if (client_id == NULL || *client_id == '\0')
        {
          g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"),
                       _("a realtime connection without a client id"));
          return FALSE;
        }
      out->client_id = g_strdup (client_id);
      return TRUE;
    }

  action = gig_json_object_get_string (object, "action");
  record = gig_json_object_get_object (object, "record");
  if (action == NULL || record == NULL || gig_json_object_get_string (record, "id") == NULL)
    {
      g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"),
                   _("a realtime event without an action and a record"));
      return FALSE;
    }
  /* The event name is the subscription topic (collection, a slash, a star, maybe options). */
  collection = gig_json_object_get_string (record, "collectionName");
  if (collection != NULL)
    out->collection = g_strdup (collection);
  else
    {
      const char *slash = strchr (event, '/');

      out->collection = slash ? g_strndup (event, (gsize) (slash - event)) : g_strdup (event);
    }
  out->action = g_strdup (action);
  out->record = json_object_ref (record);
  return TRUE;
}

void
gig_pb_realtime_event_clear (GigPbRealtimeEvent *event)
{
  g_clear_pointer (&event->client_id, g_free);
  g_clear_pointer (&event->action, g_free);
  g_clear_pointer (&event->collection, g_free);
  g_clear_pointer (&event->record, json_object_unref);
}
