/* gig-chat-attachment.c: file and image attachments of chat messages
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"


#include <string.h>

#include "chat/gig-chat-attachment.h"
#include "core/gig-json.h"
#include "core/gig-text.h"

/* The service's image types (its upload-image documentation lists them). */
static const char * const image_types[] = {
  "image/bmp", "image/gif", "image/jpeg", "image/png", "image/webp",
  "image/heic", "image/heic-sequence", "image/heif", "image/heif-sequence", "image/svg+xml",
};

G_DEFINE_BOXED_TYPE (GigChatAttachment, gig_chat_attachment, gig_chat_attachment_copy, gig_chat_attachment_free)

GigChatAttachment *
gig_chat_attachment_copy (const GigChatAttachment *attachment)
{
  GigChatAttachment *copy = g_new0 (GigChatAttachment, 1);

  copy->kind = attachment->kind;
  copy->url = g_strdup (attachment->url);
  copy->thumb_url = g_strdup (attachment->thumb_url);
  copy->title = g_strdup (attachment->title);
  copy->mime_type = g_strdup (attachment->mime_type);
  copy->file_size = attachment->file_size;
  return copy;
}

void
gig_chat_attachment_free (GigChatAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->url);
  g_free (attachment->thumb_url);
  g_free (attachment->title);
  g_free (attachment->mime_type);
  g_free (attachment);
}

gboolean
gig_chat_attachment_is_image_type (const char *mime_type)
{
  if (mime_type == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (image_types); i++)
    if (g_ascii_strcasecmp (mime_type, image_types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* An http(s) URL of bounded length that GUri accepts, or NULL. */
static char *
checked_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || strlen (url) > GIG_CHAT_MAX_ATTACHMENT_URL)
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;
  return g_strdup (url);
}

/* type/subtype of token characters, lower case, at most 127 bytes; else NULL. */
static char *
checked_type (const char *type)
{
  const char *slash;

  if (type == NULL || strlen (type) > 127 || (slash = strchr (type, '/')) == NULL ||
      slash == type || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
    return NULL;
  for (const char *p = type; *p; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("/!#$&^_.+-", *p) != NULL))
      return NULL;
  return g_ascii_strdown (type, -1);
}

/* A name to show: no control characters or path separators, bounded; else the URL's last
 * path segment, else "file". */
static char *
checked_title (const char *title,
               const char *url)
{
  g_autofree char *raw = NULL;
  g_autofree char *shortened = NULL;
  GString *clean;

  if (title != NULL && *title != '\0')
    raw = g_utf8_make_valid (title, -1);
  else if (url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
      const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
      const char *slash = path != NULL ? strrchr (path, '/') : NULL;

      if (slash != NULL && slash[1] != '\0')
        raw = g_utf8_make_valid (slash + 1, -1);
    }
  if (raw == NULL)
    return g_strdup ("file");
  clean = g_string_new (NULL);
  for (const char *p = raw; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == '/' || c == '\\' || g_unichar_type (c) == G_UNICODE_FORMAT)
        g_string_append_c (clean, '_');
      else
        g_string_append_unichar (clean, c);
    }
  shortened = gig_text_shorten (clean->str, GIG_CHAT_MAX_ATTACHMENT_TITLE);
  g_string_free (clean, TRUE);
  return g_strdup (shortened != NULL && *shortened != '\0' ? shortened : "file");
}

GPtrArray *
gig_chat_attachments_from_message (JsonObject *message)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_chat_attachment_free);
  JsonArray *list = gig_json_object_get_array (message, "attachments");
  guint n = list != NULL ? json_array_get_length (list) : 0;

  for (guint i = 0; i < n && out->len < GIG_CHAT_MAX_ATTACHMENTS; i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *type = gig_json_object_get_string (item, "type");
      g_autoptr(GigChatAttachment) a = NULL;
      g_autofree char *mime = NULL;
      gint64 size;

      if (item == NULL || type == NULL || !(g_str_equal (type, "file") || g_str_equal (type, "image")))
        continue;
      a = g_new0 (GigChatAttachment, 1);
      a->kind = g_str_equal (type, "image") ? GIG_CHAT_ATTACHMENT_IMAGE : GIG_CHAT_ATTACHMENT_FILE;
      if (a->kind == GIG_CHAT_ATTACHMENT_IMAGE)
        a->url = checked_url (gig_json_object_get_string (item, "image_url"));
      if (a->url == NULL)
        a->url = checked_url (gig_json_object_get_string (item, "asset_url"));
      if (a->url == NULL)
        continue;
      a->thumb_url = checked_url (gig_json_object_get_string (item, "thumb_url"));
      a->title = checked_title (gig_json_object_get_string (item, "title"), a->url);
      mime = checked_type (gig_json_object_get_string (item, "mime_type"));
      a->mime_type = mime != NULL ? g_steal_pointer (&mime) : g_strdup ("application/octet-stream");
      size = gig_json_object_get_int (item, "file_size", -1);
      a->file_size = size >= 0 && size <= G_MAXINT32 * (gint64) 1024 ? size : -1;
      g_ptr_array_add (out, g_steal_pointer (&a));
    }
  return out;
}

JsonObject *
gig_chat_attachment_to_json (const GigChatAttachment *attachment)
{
  JsonObject *o = json_object_new ();

  if (attachment->kind == GIG_CHAT_ATTACHMENT_IMAGE)
    {
      json_object_set_string_member (o, "type", "image");
      json_object_set_string_member (o, "image_url", attachment->url);
      json_object_set_string_member (o, "thumb_url", attachment->thumb_url ? attachment->thumb_url : attachment->url);
    }
  else
    {
      json_object_set_string_member (o, "type", "file");
      json_object_set_string_member (o, "asset_url", attachment->url);
      if (attachment->thumb_url != NULL)
        json_object_set_string_member (o, "thumb_url", attachment->thumb_url);
    }
  json_object_set_string_member (o, "title", attachment->title);
  json_object_set_string_member (o, "mime_type", attachment->mime_type);
  if (attachment->file_size >= 0)
    json_object_set_int_member (o, "file_size", attachment->file_size);
  return o;
}
