/* gcs-body.c: a request body as the server reads it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gcs-body.h"
#include "core/gig-json.h"

JsonObject *
gcs_body_parse (const char *data, gsize length, gsize max_size, char **out_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (out_message != NULL, NULL);

  *out_message = NULL;
  if (length == 0)
    return json_object_new ();
  root = gig_json_parse (data, (gssize) MIN (length, (gsize) G_MAXSSIZE), max_size, &error);
  if (root == NULL)
    {
      *out_message = g_strdup_printf ("invalid JSON payload: %s", error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      *out_message = g_strdup ("the request body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}
