/* gig-store-json.c: the JSON the cache keeps: compact writing, bounded reading, merging
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <math.h>
#include <string.h>

#include "core/gig-json.h"
#include "gig-store-private.h"

/* ---------------------------------------------------------------------------------------------- */
/* JSON */

/* Compact JSON, written here rather than by JsonGenerator: a page write serialises every record
 * it stores, and the generator's byte-at-a-time escaping was a fifth of that write's CPU time. */
static void
json_append_string (GString    *out,
                    const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      char code[8];
      const char *escape;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      switch (c)
        {
        case '"':  escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          g_snprintf (code, sizeof code, "\\u%04x", c);
          escape = code;
          break;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, escape);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}


static void
json_append_object (GString    *out,
                    JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  /* In the order the members were set (or parsed), as JsonGenerator writes them. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      json_append_string (out, name);
      g_string_append_c (out, ':');
      gig_store_json_append_node (out, member);
    }
  g_string_append_c (out, '}');
}

void
gig_store_json_append_node (GString  *out,
                            JsonNode *node)
{
  switch (node ? JSON_NODE_TYPE (node) : JSON_NODE_NULL)
    {
    case JSON_NODE_OBJECT:
      json_append_object (out, json_node_get_object (node));
      return;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            gig_store_json_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      return;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          if (json_node_get_string (node) == NULL)
            break;
          json_append_string (out, json_node_get_string (node));
          return;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          return;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          return;
        case G_TYPE_DOUBLE:
          {
            char number[G_ASCII_DTOSTR_BUF_SIZE];
            double value = json_node_get_double (node);

            if (!isfinite (value))
              break;  /* JSON has no such number */
            g_ascii_dtostr (number, sizeof number, value);
            g_string_append (out, number);
            /* still a double when read back */
            if (strpbrk (number, ".eE") == NULL)
              g_string_append (out, ".0");
          }
          return;
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  g_string_append (out, "null");
}

char *
gig_store_json_to_string (JsonObject *object)
{
  GString *out = g_string_sized_new (1024);

  json_append_object (out, object);
  return g_string_free (out, FALSE);
}

JsonObject *
gig_store_json_from_string (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (text == NULL)
    return NULL;
  /* The cache is a file anyone could have changed: read it as boundedly as the network. */
  root = gig_json_parse (text, -1, G_MAXSIZE, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("A cached JSON column that is not an object: %s", error ? error->message : "not an object");
      return NULL;
    }
  /* Sealed, as json-glib's immutable parser made them: copies share nodes instead of copying. */
  json_node_seal (root);
  return json_object_ref (json_node_get_object (root));
}

/* A deep enough copy: members are shared nodes copied on set, so changing the copy's members
 * never touches @object. */
JsonObject *
gig_store_json_copy (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (object == NULL)
    return copy;
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (copy, name, json_node_copy (node));
  return copy;
}

/* Members the server owns: never part of a local edit. */
gboolean
gig_store_is_server_field (const char *name)
{
  return g_str_equal (name, "id") || g_str_equal (name, "created") ||
         g_str_equal (name, "updated") || g_str_equal (name, "collectionId") ||
         g_str_equal (name, "collectionName") || g_str_equal (name, "expand");
}

void
gig_store_merge_fields (JsonObject *target,
                        JsonObject *source)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, source);
  while (json_object_iter_next (&iter, &name, &node))
    if (!gig_store_is_server_field (name))
      json_object_set_member (target, name, json_node_copy (node));
}

