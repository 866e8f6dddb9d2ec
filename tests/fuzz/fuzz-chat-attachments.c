/* fuzz-chat-attachments.c: libFuzzer target for the attachments read from chat messages.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "chat/gig-chat-attachment.h"
#include "core/gig-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(JsonNode) root = gig_json_parse ((const char *) data, (gssize) size, 1024 * 1024, NULL);
  g_autoptr(GPtrArray) list = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  list = gig_chat_attachments_from_message (json_node_get_object (root));
  g_assert (list->len <= GIG_CHAT_MAX_ATTACHMENTS);
  for (guint i = 0; i < list->len; i++)
    {
      GigChatAttachment *a = g_ptr_array_index (list, i);
      g_autoptr(JsonObject) back = gig_chat_attachment_to_json (a);

      g_assert (g_ascii_strncasecmp (a->url, "http", 4) == 0);
      g_assert (strlen (a->url) <= GIG_CHAT_MAX_ATTACHMENT_URL);
      g_assert (a->title != NULL && g_utf8_validate (a->title, -1, NULL) && strchr (a->title, '/') == NULL);
      g_assert (a->mime_type != NULL && strchr (a->mime_type, '/') != NULL);
    }
  return 0;
}
