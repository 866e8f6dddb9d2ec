/* fuzz-json.c: libFuzzer target for the one bounded JSON reader (src/core/gig-json.c): the tree
 * reader and the checker accept exactly the same inputs, and the typed getters never complain
 * about what they are given.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
walk (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      JsonObject *object = json_node_get_object (node);

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &member))
        {
          (void) gig_json_object_get_string (object, name);
          (void) gig_json_object_get_object (object, name);
          (void) gig_json_object_get_array (object, name);
          (void) gig_json_object_get_int (object, name, 0);
          (void) gig_json_object_get_double (object, name, 0);
          (void) gig_json_object_get_boolean (object, name, FALSE);
          walk (member);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          (void) gig_json_array_get_object (array, i);
          walk (json_array_get_element (array, i));
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) check_error = NULL;
  g_autoptr(GigJsonScanner) scanner = gig_json_scanner_new ();
  g_autoptr(JsonNode) root = gig_json_parse ((const char *) data, (gssize) size, G_MAXSIZE, &error);
  gboolean checked = gig_json_scanner_check (scanner, (const char *) data, size, &check_error);

  g_assert ((root == NULL) == (error != NULL));
  g_assert (checked == (root != NULL));
  if (root == NULL)
    {
      g_assert (error->domain == GIG_JSON_ERROR);
      g_assert_cmpint (error->code, ==, check_error->code);
      return 0;
    }
  walk (root);
  /* a size limit below the input's length refuses it */
  if (size > 0)
    {
      g_autoptr(GError) small_error = NULL;
      g_autoptr(JsonNode) small = gig_json_parse ((const char *) data, (gssize) size, size - 1, &small_error);

      g_assert_null (small);
      g_assert_error (small_error, GIG_JSON_ERROR, GIG_JSON_ERROR_TOO_LARGE);
    }
  return 0;
}
