/* fuzz-pb-record.c: libFuzzer target for the record and list page parsers.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GigPbPageParser) page = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gsize chunk;

  if (size == 0)
    return 0;

  /* The same bytes as one record, read as a tree and kept as text: both accept exactly the same
   * inputs, and agree on what they read... */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) raw_error = NULL;
    g_autoptr(JsonObject) record = gig_pb_parse_record ((const char *) data + 1, (gssize) size - 1, &error);
    g_autoptr(GigRawRecord) raw = gig_pb_record_new ((const char *) data + 1, (gssize) size - 1, &raw_error);

    g_assert ((record == NULL) == (error != NULL));
    g_assert ((raw == NULL) == (raw_error != NULL));
    g_assert ((record == NULL) == (raw == NULL));
    if (record != NULL)
      {
        g_autoptr(JsonObject) again = gig_raw_record_to_object (raw);
        g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), record);
        g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), again);

        g_assert (json_node_equal (a, b));
        g_assert_cmpstr (gig_raw_record_get_id (raw), ==, json_object_get_string_member (record, "id"));
        g_assert_cmpstr (gig_raw_record_get_updated (raw), ==,
                         json_object_get_string_member_with_default (record, "updated", NULL));
        for (guint i = 0; i < gig_raw_record_get_n_members (raw); i++)
          {
            GigRawMember member, later;
            g_autofree char *name = NULL;
            JsonNode *node;
            gboolean last = TRUE;

            gig_raw_record_get_member (raw, i, &member);
            for (guint j = i + 1; j < gig_raw_record_get_n_members (raw); j++)
              {
                gig_raw_record_get_member (raw, j, &later);
                if (later.name_length == member.name_length &&
                    memcmp (later.name, member.name, member.name_length) == 0)
                  last = FALSE;
              }
            if (!last || member.name_escaped)
              continue;
            /* the tree's member of that name is this one's value */
            name = g_strndup (member.name, member.name_length);
            node = json_object_get_member (record, name);
            g_assert_nonnull (node);
            g_assert_true (gig_raw_member_has_name (&member, name));
            switch (member.type)
              {
              case GIG_JSON_TYPE_STRING:
                {
                  g_autofree char *text = gig_raw_member_dup_string (&member);
                  g_assert_cmpstr (text, ==, json_node_get_string (node));
                }
                break;
              case GIG_JSON_TYPE_NUMBER:
                {
                  gint64 as_int;
                  double as_double;

                  if (gig_raw_member_get_number (&member, &as_int, &as_double))
                    g_assert_cmpint (as_int, ==, json_node_get_int (node));
                  else
                    g_assert_true (as_double == json_node_get_double (node) ||
                                   (as_double != as_double && json_node_get_double (node) != json_node_get_double (node)));
                }
                break;
              case GIG_JSON_TYPE_NULL:
                g_assert_true (JSON_NODE_HOLDS_NULL (node));
                break;
              case GIG_JSON_TYPE_BOOLEAN:
                g_assert_cmpint (json_node_get_boolean (node), ==, member.value[0] == 't');
                break;
              case GIG_JSON_TYPE_ARRAY:
                g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
                break;
              case GIG_JSON_TYPE_OBJECT:
                g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
                break;
              default:
                g_assert_not_reached ();
              }
          }
      }
    else
      g_assert_cmpint (error->code, ==, raw_error->code);
  }

  /* ...and as a list page fed in chunks whose size the first byte picks */
  chunk = (gsize) data[0] % 64 + 1;
  page = gig_pb_page_parser_new ();
  for (gsize i = 1; i < size; i += chunk)
    {
      g_autoptr(GError) error = NULL;

      if (!gig_pb_page_parser_feed (page, (const char *) data + i, MIN (chunk, size - i), &error))
        {
          g_assert (error != NULL);
          return 0;
        }
    }
  {
    g_autoptr(GError) error = NULL;

    if (gig_pb_page_parser_finish (page, &error))
      {
        items = gig_pb_page_parser_steal_items (page);
        for (guint i = 0; i < items->len; i++)
          g_assert (json_object_get_string_member (g_ptr_array_index (items, i), "id") != NULL);
      }
    else
      g_assert (error != NULL);
  }
  return 0;
}
