/* gcs-limits.c: the service's size and count limits on what clients send
 *
 * GetStream caps a message's text at the channel type's max_message_length (5000 characters
 * by default; error code 20), its id at 255 characters, its attachments at 30 and its
 * mentioned users at 100 (the OpenAPI spec's maxLength/maxItems), and the custom data of a
 * message, a channel or a user at 5KB. Custom data is every field the service does not know
 * itself (in v1 payloads custom keys sit at the top level; a nested "custom" map counts
 * too), measured as compact JSON. The other limits give error code 4 (input error), with
 * HTTP 400, in the service's error shape. Without these a client could store a megabyte of
 * custom data per message (the whole request body), and every member's client would be sent
 * it again and again.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gcs-limits.h"

#include <string.h>

/* Fields of a message that are not custom data: the request's and the server's own. */
static const char *const message_known[] = {
  "id", "text", "type", "user", "user_id", "cid", "created_at", "updated_at", "deleted_at",
  "html", "member", "latest_reactions", "own_reactions", "reaction_counts", "reaction_scores",
  "reaction_groups", "reply_count", "deleted_reply_count", "shadowed", "mentioned_channel",
  "mentioned_here", "mentioned_roles", "mentioned_group_ids", "pinned_at", "pinned_by",
  "pin_expires", "pinned", "restricted_visibility", "status", "attachments",
  "mentioned_users", "mml", "parent_id", "poll_id", "quoted_message_id", "quoted_message",
  "shared_location", "show_in_channel", "silent", "command", "args", "i18n", "thread_participants",
  "custom", NULL
};

/* Fields of a channel's "data" that are not custom data. */
static const char *const channel_known[] = {
  "members", "created_by", "created_by_id", "frozen", "id", "type", "cid", "created_at",
  "updated_at", "last_message_at", "member_count", "config", "own_capabilities", "disabled",
  "hidden", "blocked", "message_count", "team", "custom", NULL
};

/* Fields of a user that are not custom data. */
static const char *const user_known[] = {
  "id", "role", "created_at", "updated_at", "last_active", "online", "banned", "teams",
  "devices", "mutes", "channel_mutes", "unread_count", "total_unread_count", "unread_channels",
  "unread_threads", "invisible", "privacy_settings", "blocked_user_ids", "shadow_banned",
  "language", "teams_role", "deactivated_at", "deleted_at", "revoke_tokens_issued_before",
  "custom", NULL
};

static const char *const *
known_fields (GcsCustomKind kind)
{
  switch (kind)
    {
    case GCS_CUSTOM_MESSAGE:
      return message_known;
    case GCS_CUSTOM_CHANNEL:
      return channel_known;
    case GCS_CUSTOM_USER:
    default:
      return user_known;
    }
}

static const char *
kind_name (GcsCustomKind kind)
{
  switch (kind)
    {
    case GCS_CUSTOM_MESSAGE:
      return "message";
    case GCS_CUSTOM_CHANNEL:
      return "channel";
    case GCS_CUSTOM_USER:
    default:
      return "user";
    }
}

static gsize
compact_size (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return strlen (text);
}

/* Bytes of custom data in `fields`, as compact JSON of an object holding only those keys. */
gsize
gcs_limits_custom_size (GcsCustomKind  kind,
                        JsonObject    *fields)
{
  const char *const *known = known_fields (kind);
  g_autoptr(JsonObject) custom = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (fields == NULL)
    return 0;
  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &key, &value))
    if (!g_strv_contains (known, key))
      json_object_set_member (custom, key, json_node_ref (value));
  /* the v2 form nests custom data in "custom" */
  value = json_object_get_member (fields, "custom");
  if (value != NULL && JSON_NODE_HOLDS_OBJECT (value))
    {
      json_object_iter_init (&iter, json_node_get_object (value));
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (custom, key, json_node_ref (value));
    }
  if (json_object_get_size (custom) == 0)
    return 0;
  json_node_set_object (node, custom);
  return compact_size (node);
}

/* NULL when the custom data of `fields` is within 5KB, else what is wrong (code 4). */
char *
gcs_limits_check_custom (GcsCustomKind  kind,
                         JsonObject    *fields)
{
  gsize size = gcs_limits_custom_size (kind, fields);

  if (size <= GCS_MAX_CUSTOM_DATA)
    return NULL;
  return g_strdup_printf ("%s custom data is %" G_GSIZE_FORMAT " bytes, the limit is %u bytes (5KB)",
                          kind_name (kind), size, (unsigned) GCS_MAX_CUSTOM_DATA);
}

static guint
array_length (JsonObject *obj,
              const char *key)
{
  JsonNode *n = obj ? json_object_get_member (obj, key) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_array_get_length (json_node_get_array (n)) : 0;
}

/* NULL when a message's fields (a send, a full update, or the result of a partial one) are
 * within the service's limits; else what is wrong, and *out_code the service's error code. */
char *
gcs_limits_check_message (JsonObject *fields,
                          int        *out_code)
{
  JsonNode *text = json_object_get_member (fields, "text");
  JsonNode *id = json_object_get_member (fields, "id");
  guint n;

  *out_code = 4;
  if (text != NULL && JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING &&
      g_utf8_strlen (json_node_get_string (text), -1) > GCS_MAX_MESSAGE_LENGTH)
    {
      *out_code = 20;
      return g_strdup_printf ("message is too long: the limit is %u characters", (unsigned) GCS_MAX_MESSAGE_LENGTH);
    }
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING &&
      strlen (json_node_get_string (id)) > GCS_MAX_ID_LENGTH)
    return g_strdup_printf ("message.id is too long: the limit is %u characters", (unsigned) GCS_MAX_ID_LENGTH);
  if ((n = array_length (fields, "attachments")) > GCS_MAX_ATTACHMENTS)
    return g_strdup_printf ("message has %u attachments, the limit is %u", n, (unsigned) GCS_MAX_ATTACHMENTS);
  if ((n = array_length (fields, "mentioned_users")) > GCS_MAX_MENTIONED_USERS)
    return g_strdup_printf ("message mentions %u users, the limit is %u", n, (unsigned) GCS_MAX_MENTIONED_USERS);
  return gcs_limits_check_custom (GCS_CUSTOM_MESSAGE, fields);
}
