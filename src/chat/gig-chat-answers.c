/* gig-chat-answers.c: chat answers and frames through the bounded JSON reader.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-client.h"
#include "core/gig-json.h"

#include <glib/gi18n.h>

/* The chat layer's error domains live with its pure part, so its fuzz targets link alone. */
G_DEFINE_QUARK (gig-chat-error-quark, gig_chat_error)
G_DEFINE_QUARK (gig-chat-api-error-quark, gig_chat_api_error)

JsonObject *
gig_chat_parse_answer (const char *data, gsize length, gsize max_size, GError **error)
{
  g_autoptr(GError) json_error = NULL;
  JsonObject *object;

  object = gig_json_parse_object (data, (gssize) MIN (length, (gsize) G_MAXSSIZE), max_size, &json_error);
  if (object == NULL)
    g_set_error (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                 _("The chat service sent something unreadable: %s"), json_error->message);
  return object;
}

JsonObject *
gig_chat_parse_frame (const char *data, gsize length, GError **error)
{
  /* Events carry a "type"; an error frame carries only "error": the caller tells them apart. */
  return gig_chat_parse_answer (data, length, GIG_CHAT_MAX_FRAME, error);
}
