/* gig-chat-attachment.h: file and image attachments of chat messages
 *
 * SPDX-License-Identifier: MIT
 *
 * What a message's `attachments` carry (`type` file or image, the stored file's URL in
 * `asset_url` / `image_url`, `thumb_url`, `title`, `mime_type`, `file_size`), read from
 * untrusted JSON with bounds, and written back for a message to send.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GIG_CHAT_MAX_ATTACHMENTS      30       /* per message: the service's limit */
#define GIG_CHAT_MAX_ATTACHMENT_URL   4096     /* bytes */
#define GIG_CHAT_MAX_ATTACHMENT_TITLE 255      /* characters */
#define GIG_CHAT_MAX_UPLOAD_SIZE      (100 * 1024 * 1024) /* bytes: the service's upload limit */

typedef enum {
  GIG_CHAT_ATTACHMENT_FILE,
  GIG_CHAT_ATTACHMENT_IMAGE,
} GigChatAttachmentKind;

typedef struct {
  GigChatAttachmentKind kind;
  char                 *url;        /* http(s) */
  char                 *thumb_url;  /* http(s) or NULL */
  char                 *title;      /* the file's name, never NULL */
  char                 *mime_type;  /* type/subtype, never NULL */
  gint64                file_size;  /* bytes, -1 when not given */
} GigChatAttachment;

#define GIG_TYPE_CHAT_ATTACHMENT (gig_chat_attachment_get_type ())
GType              gig_chat_attachment_get_type (void) G_GNUC_CONST;
GigChatAttachment *gig_chat_attachment_copy     (const GigChatAttachment *attachment);
void               gig_chat_attachment_free     (GigChatAttachment       *attachment);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigChatAttachment, gig_chat_attachment_free)

/* The file and image attachments of a message as the service sends it (GigChatAttachment *,
 * at most GIG_CHAT_MAX_ATTACHMENTS). Others (link previews, giphy) and ones with a missing or
 * non-http(s) URL are left out; titles and types are bounded and cleaned. Never NULL. */
GPtrArray         *gig_chat_attachments_from_message (JsonObject *message);

/* The attachment as the service takes it in a message. */
JsonObject        *gig_chat_attachment_to_json  (const GigChatAttachment *attachment);

/* TRUE for the image types the service takes on its image endpoint. */
gboolean           gig_chat_attachment_is_image_type (const char *mime_type);

G_END_DECLS
