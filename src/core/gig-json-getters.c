/* gig-json-getters.c: typed getters that never trust the shape of what was read.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-json.h"


const char *
gig_json_node_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
gig_json_node_get_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonNode *
member (JsonObject *object, const char *name)
{
  return object != NULL && name != NULL ? json_object_get_member (object, name) : NULL;
}

const char *
gig_json_object_get_string (JsonObject *object, const char *name)
{
  return gig_json_node_get_string (member (object, name));
}

const char *
gig_json_object_get_string_or (JsonObject *object, const char *name, const char *fallback)
{
  const char *value = gig_json_node_get_string (member (object, name));

  return value != NULL ? value : fallback;
}

JsonObject *
gig_json_object_get_object (JsonObject *object, const char *name)
{
  return gig_json_node_get_object (member (object, name));
}

JsonArray *
gig_json_object_get_array (JsonObject *object, const char *name)
{
  JsonNode *node = member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gint64
gig_json_object_get_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = member (object, name);
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      value = json_node_get_double (node);
      /* a cast out of range is undefined: clamp */
      if (value != value)
        return fallback;
      if (value >= 9223372036854775807.0)
        return G_MAXINT64;
      if (value <= -9223372036854775808.0)
        return G_MININT64;
      return (gint64) value;
    default:
      return fallback;
    }
}

double
gig_json_object_get_double (JsonObject *object, const char *name, double fallback)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return (double) json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return json_node_get_double (node);
    default:
      return fallback;
    }
}

gboolean
gig_json_object_get_boolean (JsonObject *object, const char *name, gboolean fallback)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

JsonObject *
gig_json_array_get_object (JsonArray *array, guint index)
{
  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  return gig_json_node_get_object (json_array_get_element (array, index));
}
