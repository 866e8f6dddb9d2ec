/* gig-chat-event.c: what views read from a chat event, without knowing its JSON
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-chat-event.h"

#include "core/gig-json.h"

static const char *
non_empty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

static const char *
user_id (JsonObject *user)
{
  return user != NULL ? non_empty (gig_json_object_get_string (user, "id")) : NULL;
}

static const char *
user_name (JsonObject *user)
{
  const char *name;

  if (user_id (user) == NULL)
    return NULL;
  name = non_empty (gig_json_object_get_string (user, "name"));
  return name != NULL ? name : user_id (user);
}

static JsonObject *
message (JsonObject *event)
{
  return event != NULL ? gig_json_object_get_object (event, "message") : NULL;
}

static JsonObject *
author (JsonObject *event)
{
  JsonObject *m = message (event);

  return m != NULL ? gig_json_object_get_object (m, "user") : NULL;
}

const char *
gig_chat_event_get_user_id (JsonObject *event)
{
  return event != NULL ? user_id (gig_json_object_get_object (event, "user")) : NULL;
}

const char *
gig_chat_event_get_user_name (JsonObject *event)
{
  return event != NULL ? user_name (gig_json_object_get_object (event, "user")) : NULL;
}

const char *
gig_chat_event_get_author_id (JsonObject *event)
{
  return user_id (author (event));
}

const char *
gig_chat_event_get_author_name (JsonObject *event)
{
  return user_name (author (event));
}

gboolean
gig_chat_event_has_message (JsonObject *event)
{
  return message (event) != NULL;
}

const char *
gig_chat_event_get_text (JsonObject *event)
{
  JsonObject *m = message (event);
  const char *text = m != NULL ? gig_json_object_get_string (m, "text") : NULL;

  return text != NULL ? text : "";
}
