/* gig-chat-upload.c: chat files and images, uploaded from disk as a stream
 *
 * SPDX-License-Identifier: MIT
 *
 * The form is a stream of three parts — the part's headers, the file read from disk, the
 * closing boundary — with its exact length announced, so libsoup sends it as it reads it:
 * memory use does not grow with the file. Progress comes from libsoup's wrote-body-data (on the
 * main context); the transfer's watchdog (gig-chat-transfer.c) gives up on a stall.
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-credentials.h"
#include "chat/gig-chat-transfer.h"
#include "chat/gig-chat-upload.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"

#define UPLOAD_ANSWER_MAX (64 * 1024)   /* {"file": url, "duration"}: a few hundred bytes */

/* ---------------------------------------------------------------------------------------------- */
/* The form as a stream                                                                            */

#define GIG_TYPE_CHAT_FORM_STREAM (gig_chat_form_stream_get_type ())
G_DECLARE_FINAL_TYPE (GigChatFormStream, gig_chat_form_stream, GIG, CHAT_FORM_STREAM, GInputStream)

struct _GigChatFormStream
{
  GInputStream  parent_instance;

  GBytes       *head;
  GInputStream *body;
  goffset       body_size;  /* what was announced: the file must not change meanwhile */
  goffset       body_read;
  GBytes       *tail;
  guint         part;       /* 0 head, 1 body, 2 tail, 3 done */
  gsize         offset;     /* in head / tail */
};

G_DEFINE_FINAL_TYPE (GigChatFormStream, gig_chat_form_stream, G_TYPE_INPUT_STREAM)

static gssize
form_stream_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  GigChatFormStream *self = GIG_CHAT_FORM_STREAM (stream);

  while (self->part < 3)
    {
      if (self->part == 1)
        {
          gssize n = g_input_stream_read (self->body, buffer, count, cancellable, error);

          if (n < 0)
            return -1;
          self->body_read += n;
          if (self->body_read > self->body_size || (n == 0 && self->body_read != self->body_size))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("The file changed while it was being sent"));
              return -1;
            }
          if (n > 0)
            return n;
        }
      else
        {
          GBytes *bytes = self->part == 0 ? self->head : self->tail;
          gsize size = 0;
          const guint8 *data = g_bytes_get_data (bytes, &size);

          if (self->offset < size)
            {
              gsize n = MIN (count, size - self->offset);

              memcpy (buffer, data + self->offset, n);
              self->offset += n;
              return (gssize) n;
            }
        }
      self->part++;
      self->offset = 0;
    }
  return 0;
}

static gboolean
form_stream_close (GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return g_input_stream_close (GIG_CHAT_FORM_STREAM (stream)->body, cancellable, error);
}

static void
gig_chat_form_stream_finalize (GObject *object)
{
  GigChatFormStream *self = GIG_CHAT_FORM_STREAM (object);

  g_clear_pointer (&self->head, g_bytes_unref);
  g_clear_pointer (&self->tail, g_bytes_unref);
  g_clear_object (&self->body);
  G_OBJECT_CLASS (gig_chat_form_stream_parent_class)->finalize (object);
}

static void
gig_chat_form_stream_class_init (GigChatFormStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gig_chat_form_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = form_stream_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = form_stream_close;
}

static void
gig_chat_form_stream_init (GigChatFormStream *self)
{
}

/* A filename in a quoted header parameter, escaped as browsers do for form data. */
static char *
form_filename (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append (out, "%22");
      else if (*p == '\r')
        g_string_append (out, "%0D");
      else if (*p == '\n')
        g_string_append (out, "%0A");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The form around @body; its full length in @out_length. */
static GInputStream *
form_stream_new (GInputStream *body,
                 goffset       body_size,
                 const char   *boundary,
                 const char   *filename,
                 const char   *mime_type,
                 goffset      *out_length)
{
  GigChatFormStream *self = g_object_new (GIG_TYPE_CHAT_FORM_STREAM, NULL);
  g_autofree char *escaped = form_filename (filename);
  char *head = g_strdup_printf ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                                "Content-Type: %s\r\n\r\n", boundary, escaped, mime_type);
  char *tail = g_strdup_printf ("\r\n--%s--\r\n", boundary);

  self->head = g_bytes_new_take (head, strlen (head));
  self->tail = g_bytes_new_take (tail, strlen (tail));
  self->body = g_object_ref (body);
  self->body_size = body_size;
  *out_length = (goffset) g_bytes_get_size (self->head) + body_size + (goffset) g_bytes_get_size (self->tail);
  return G_INPUT_STREAM (self);
}

/* ---------------------------------------------------------------------------------------------- */
/* Upload                                                                                          */

gboolean
gig_chat_upload_check_file (GFileInfo   *info,
                            const char  *name,
                            GError     **error)
{
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, _("“%s” is not a file"), name);
      return FALSE;
    }
  if (g_file_info_get_size (info) <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is empty"), name);
      return FALSE;
    }
  if (g_file_info_get_size (info) > GIG_CHAT_MAX_UPLOAD_SIZE)
    {
      g_autofree char *limit = g_format_size (GIG_CHAT_MAX_UPLOAD_SIZE);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("“%s” is larger than %s, the most a file in the chat can be"), name, limit);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  Transfer               transfer;
  char                  *cid_path;   /* "/channels/<type>/<id>" */
  GFile                 *file;
  char                  *title;
  char                  *mime_type;
  goffset                size;
  GigChatAttachmentKind  kind;
  GigChatCredentials    *creds;
  gboolean               refreshed;  /* a new token was fetched after code 40 */
  SoupMessage           *msg;
} Upload;

static void
upload_free (Upload *up)
{
  gig_chat_transfer_clear (&up->transfer);
  g_free (up->cid_path);
  g_clear_object (&up->file);
  g_free (up->title);
  g_free (up->mime_type);
  g_clear_pointer (&up->creds, gig_chat_credentials_free);
  g_clear_object (&up->msg);
  g_free (up);
}

static void upload_open (GTask *task);

static void
upload_fail (GTask  *task,
             GError *error)
{
  Upload *up = g_task_get_task_data (task);

  g_task_return_error (task, gig_chat_transfer_error (&up->transfer, error));
}

static void
upload_credentials_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&up->creds, gig_chat_credentials_free);
  up->creds = gig_chat_client_credentials_finish (GIG_CHAT_CLIENT (source), result, &error);
  if (up->creds == NULL)
    {
      upload_fail (task, error);
      return;
    }
  up->transfer.answer_deadline_s = up->creds->deadline_s;
  upload_open (g_steal_pointer (&task));
}

static void
upload_answer_read (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  GigChatClient *client = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GBytes) bytes = gig_read_bounded_finish (G_INPUT_STREAM (source), result, &error);
  g_autoptr(JsonObject) answer = NULL;
  guint status;

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                 _("The chat server’s answer to an upload is too large"));
      else
        upload_fail (task, error);
      return;
    }
  status = soup_message_get_status (up->msg);
  answer = gig_chat_parse_answer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  UPLOAD_ANSWER_MAX, &parse_error);
  if (status >= 200 && status < 300)
    {
      const char *url = gig_json_object_get_string (answer, "file");
      const char *thumb = gig_json_object_get_string (answer, "thumb_url");
      g_autoptr(GigChatAttachment) attachment = g_new0 (GigChatAttachment, 1);
      g_autoptr(GUri) uri = url != NULL && strlen (url) <= GIG_CHAT_MAX_ATTACHMENT_URL
                            ? g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;

      if (uri == NULL || (!g_str_equal (g_uri_get_scheme (uri), "https") && !g_str_equal (g_uri_get_scheme (uri), "http")))
        {
          g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                   _("The chat server did not say where it stored the file"));
          return;
        }
      gig_chat_transfer_finished (&up->transfer);
      attachment->kind = up->kind;
      attachment->url = g_strdup (url);
      if (thumb != NULL && strlen (thumb) <= GIG_CHAT_MAX_ATTACHMENT_URL &&
          (g_str_has_prefix (thumb, "https://") || g_str_has_prefix (thumb, "http://")))
        attachment->thumb_url = g_strdup (thumb);
      else if (up->kind == GIG_CHAT_ATTACHMENT_IMAGE)
        attachment->thumb_url = g_strdup (url);
      attachment->title = g_strdup (up->title);
      attachment->mime_type = g_strdup (up->mime_type);
      attachment->file_size = up->size;
      g_task_return_pointer (task, g_steal_pointer (&attachment), (GDestroyNotify) gig_chat_attachment_free);
      return;
    }

  {
    gint64 code = gig_json_object_get_int (answer, "code", status >= 500 ? -1 : 4);
    g_autofree char *message = gig_text_shorten (gig_json_object_get_string (answer, "message"),
                                                 GIG_TEXT_SHOWN_MAX_CHARS);

    if (code == 40 && !up->refreshed)
      {
        /* the token expired on the way: a new one, and the whole file once more */
        up->refreshed = TRUE;
        up->transfer.raw = up->transfer.done = 0;
        up->transfer.answer_since_us = 0;
        up->transfer.last_progress_us = g_get_monotonic_time ();
        gig_chat_client_credentials_async (client, TRUE, up->transfer.op, upload_credentials_done,
                                           g_steal_pointer (&task));
        return;
      }
    if (status >= 500 && answer == NULL)
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("The chat server could not take the file (HTTP %u)"), status);
    else
      g_task_return_new_error (task, GIG_CHAT_API_ERROR, (gint) CLAMP (code, G_MININT, G_MAXINT), "%s",
                               message != NULL ? message : soup_status_get_phrase (status));
  }
}

static void
upload_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) answer = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (answer == NULL)
    {
      upload_fail (task, error);
      return;
    }
  if (up->transfer.answer_since_us == 0)
    up->transfer.answer_since_us = g_get_monotonic_time ();
  gig_read_bounded_async (answer, UPLOAD_ANSWER_MAX, up->transfer.op, upload_answer_read, g_steal_pointer (&task));
}

static void
on_wrote_body_data (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  Upload *up = user_data;

  gig_chat_transfer_moved (&up->transfer, chunk_size);
}

static void
on_wrote_body (SoupMessage *msg,
               gpointer     user_data)
{
  Upload *up = user_data;

  up->transfer.answer_since_us = g_get_monotonic_time ();
}

static void
upload_opened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  GigChatClient *client = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) file_stream = g_file_read_finish (G_FILE (source), result, &error);
  g_autoptr(GInputStream) form = NULL;
  g_autoptr(GString) uri = NULL;
  g_autofree char *key = NULL, *user = NULL, *boundary = NULL, *content_type = NULL;
  goffset length = 0;

  if (file_stream == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, error->code, _("Could not read “%s”: %s"), up->title, error->message);
      return;
    }
  key = g_uri_escape_string (up->creds->api_key, NULL, FALSE);
  user = g_uri_escape_string (up->creds->user_id, NULL, FALSE);
  uri = g_string_new (up->creds->base_url);
  g_string_append_printf (uri, "%s/%s?api_key=%s&user_id=%s", up->cid_path,
                          up->kind == GIG_CHAT_ATTACHMENT_IMAGE ? "image" : "file", key, user);
  g_clear_object (&up->msg);
  up->msg = soup_message_new ("POST", uri->str);
  if (up->msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad chat address “%s”"), uri->str);
      return;
    }
  gig_chat_transfer_add_credentials (up->msg, up->creds);
  {
    g_autofree char *random = g_uuid_string_random ();

    boundary = g_strconcat ("gigdesk-", random, NULL);
  }
  form = form_stream_new (G_INPUT_STREAM (file_stream), up->size, boundary, up->title, up->mime_type, &length);
  content_type = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
  soup_message_set_request_body (up->msg, content_type, form, (gssize) length);
  /* progress counts the file's bytes: the form's head goes first and is not one of them */
  up->transfer.total = up->size;
  up->transfer.skip = (goffset) g_bytes_get_size (GIG_CHAT_FORM_STREAM (form)->head);
  g_signal_connect (up->msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), up);
  g_signal_connect (up->msg, "wrote-body", G_CALLBACK (on_wrote_body), up);
  soup_session_send_async (gig_chat_client_get_session (client), up->msg, G_PRIORITY_DEFAULT, up->transfer.op,
                           upload_sent, g_steal_pointer (&task));
}

static void
upload_open (GTask *task)
{
  Upload *up = g_task_get_task_data (task);

  g_file_read_async (up->file, G_PRIORITY_DEFAULT, up->transfer.op, upload_opened, task);
}

static void
upload_info_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  GigChatClient *client = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  const char *content_type;
  g_autofree char *mime = NULL;

  if (info == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (up->file);

      g_task_return_new_error (task, G_IO_ERROR, error->code, _("Could not read “%s”: %s"), name, error->message);
      return;
    }
  if (up->title == NULL)
    up->title = g_strdup (g_file_info_get_display_name (info));
  if (!gig_chat_upload_check_file (info, up->title, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  up->size = g_file_info_get_size (info);
  content_type = g_file_info_get_content_type (info);
  mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
  up->mime_type = g_strdup (mime != NULL ? mime : "application/octet-stream");
  up->kind = gig_chat_attachment_is_image_type (up->mime_type) ? GIG_CHAT_ATTACHMENT_IMAGE : GIG_CHAT_ATTACHMENT_FILE;
  gig_chat_client_credentials_async (client, FALSE, up->transfer.op, upload_credentials_done, g_steal_pointer (&task));
}

void
gig_chat_client_upload_async (GigChatClient       *self,
                              const char          *cid,
                              GFile               *file,
                              const char          *title,
                              GigChatProgressFunc  progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) parts = NULL;
  Upload *up;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_upload_async);
  parts = cid != NULL ? g_strsplit (cid, ":", 2) : NULL;
  if (parts == NULL || g_strv_length (parts) != 2 || *parts[0] == '\0' || *parts[1] == '\0' ||
      strchr (parts[1], '/') != NULL || strchr (parts[0], '/') != NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      return;
    }
  up = g_new0 (Upload, 1);
  {
    g_autofree char *type = g_uri_escape_string (parts[0], NULL, FALSE);
    g_autofree char *id = g_uri_escape_string (parts[1], NULL, FALSE);

    up->cid_path = g_strdup_printf ("/channels/%s/%s", type, id);
  }
  up->file = g_object_ref (file);
  up->title = title != NULL && *title != '\0' ? g_strdup (title) : NULL;
  g_task_set_task_data (task, up, (GDestroyNotify) upload_free);
  gig_chat_transfer_init (&up->transfer, cancellable, -1, 30, progress, progress_data);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, up->transfer.op,
                           upload_info_done, g_steal_pointer (&task));
}

GigChatAttachment *
gig_chat_client_upload_finish (GigChatClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
