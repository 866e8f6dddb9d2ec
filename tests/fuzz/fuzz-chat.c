/* fuzz-chat.c: libFuzzer target for what the chat client reads: websocket frames and REST
 * answers (the first byte picks which), then the members the client looks at.
 *
 * SPDX-License-Identifier: MIT
 */
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-client.h"
#include "core/gig-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *message, *channel;
  JsonArray *messages;

  if (size == 0)
    return 0;
  if (data[0] % 2 == 0)
    object = gig_chat_parse_frame ((const char *) data + 1, size - 1, &error);
  else
    object = gig_chat_parse_answer ((const char *) data + 1, size - 1, GIG_CHAT_MAX_REST_ANSWER, &error);
  if (object == NULL)
    {
      g_assert_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED);
      return 0;
    }
  (void) gig_json_object_get_string (object, "type");
  (void) gig_json_object_get_string (object, "cid");
  (void) gig_json_object_get_int (gig_json_object_get_object (object, "error"), "code", -1);
  message = gig_json_object_get_object (object, "message");
  (void) gig_json_object_get_string (gig_json_object_get_object (message, "user"), "id");
  channel = gig_json_object_get_object (object, "channel");
  (void) gig_json_object_get_boolean (channel, "frozen", FALSE);
  messages = gig_json_object_get_array (object, "messages");
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    (void) gig_json_object_get_string (gig_json_array_get_object (messages, i), "id");
  return 0;
}
