/* gig-chat-outbox-files.c: files attached to chat messages while offline
 *
 * SPDX-License-Identifier: MIT
 *
 * A queued message's attachment that still waits for its upload carries the path of its copy
 * under LOCAL_PATH instead of a URL; only the uploads directory's own paths are ever read or
 * removed. The key never reaches the service: the message is sent only once every attachment
 * has its URL.
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "chat/gig-chat-attachment.h"
#include "chat/gig-chat-credentials.h"
#include "chat/gig-chat-outbox-files.h"
#include "chat/gig-chat-upload.h"
#include "core/gig-json.h"
#include "store/gig-store-chat.h"
#include "store/gig-store-uploads.h"

#define LOCAL_PATH    "gigdesk_local_path"
#define ATTACHING_KEY "gig-chat-attaching"   /* attaches in flight: no sweeping meanwhile */

/* The copy's path if it lies in the uploads directory (a direct child's child), else NULL. */
static char *
local_copy (GigChatClient *self,
            JsonObject    *attachment)
{
  const char *path = gig_json_object_get_string (attachment, LOCAL_PATH);
  g_autofree char *dir = gig_store_uploads_dir (gig_chat_client_get_store (self));
  g_autofree char *parent = NULL;
  g_autofree char *grandparent = NULL;

  if (path == NULL || dir == NULL || !g_path_is_absolute (path) || strstr (path, "/../") != NULL)
    return NULL;
  parent = g_path_get_dirname (path);
  grandparent = g_path_get_dirname (parent);
  return g_str_equal (grandparent, dir) ? g_strdup (path) : NULL;
}

static void
remove_copy (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);

  g_unlink (path);
  g_rmdir (parent);
}

gboolean
gig_chat_outbox_files_pending (JsonObject *message)
{
  JsonArray *list = gig_json_object_get_array (message, "attachments");
  guint n = list != NULL ? json_array_get_length (list) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), LOCAL_PATH))
        return TRUE;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------------------------------- */
/* Uploading a queued message's files                                                              */

typedef struct {
  GigChatOutboxEntry *entry;   /* unowned: the pump's */
  guint               index;   /* next attachment to look at */
  char               *path;    /* the copy being uploaded */
} Pending;

static void
pending_free (Pending *p)
{
  g_free (p->path);
  g_free (p);
}

static void upload_next (GTask *task);

static void
uploaded (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = GIG_CHAT_CLIENT (source);
  Pending *p = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigChatAttachment) attachment = gig_chat_client_upload_finish (self, result, &error);
  JsonArray *list = gig_json_object_get_array (p->entry->message, "attachments");
  g_autoptr(JsonArray) updated = json_array_new ();

  if (attachment == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* the URL is stored before the copy goes: from now on this file is never sent again */
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      if (i == p->index)
        json_array_add_object_element (updated, gig_chat_attachment_to_json (attachment));
      else
        json_array_add_element (updated, json_node_copy (json_array_get_element (list, i)));
    }
  json_object_set_array_member (p->entry->message, "attachments", json_array_ref (updated));
  if (!gig_store_chat_outbox_set_message (gig_chat_client_get_store (self), p->entry->seq, p->entry->message, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  remove_copy (p->path);
  g_clear_pointer (&p->path, g_free);
  p->index++;
  upload_next (g_steal_pointer (&task));
}

static void
upload_next (GTask *task)
{
  GigChatClient *self = g_task_get_source_object (task);
  Pending *p = g_task_get_task_data (task);
  JsonArray *list = gig_json_object_get_array (p->entry->message, "attachments");
  guint n = list != NULL ? json_array_get_length (list) : 0;

  for (; p->index < n; p->index++)
    {
      JsonNode *node = json_array_get_element (list, p->index);
      JsonObject *attachment = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autoptr(GFile) file = NULL;

      if (attachment == NULL || !json_object_has_member (attachment, LOCAL_PATH))
        continue;
      p->path = local_copy (self, attachment);
      if (p->path == NULL || !g_file_test (p->path, G_FILE_TEST_IS_REGULAR))
        {
          g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID,
                                   _("The copy of “%s” kept for this message is gone; discard the message and attach the file again"),
                                   gig_json_object_get_string_or (attachment, "title", "?"));
          g_object_unref (task);
          return;
        }
      file = g_file_new_for_path (p->path);
      gig_chat_client_upload_async (self, p->entry->cid, file, gig_json_object_get_string (attachment, "title"),
                                    NULL, NULL, g_task_get_cancellable (task), uploaded, task);
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
gig_chat_outbox_files_upload_async (GigChatClient       *self,
                                    GigChatOutboxEntry  *entry,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  Pending *p;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (entry != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_outbox_files_upload_async);
  p = g_new0 (Pending, 1);
  p->entry = entry;
  g_task_set_task_data (task, p, (GDestroyNotify) pending_free);
  upload_next (task);
}

gboolean
gig_chat_outbox_files_upload_finish (GigChatClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Attaching                                                                                       */

typedef struct {
  char      *cid;
  char      *text;
  GPtrArray *files;     /* GFile * */
  GPtrArray *infos;     /* GFileInfo *, same order */
  GPtrArray *copies;    /* char * paths made so far */
  char      *dir;       /* the uploads directory */
  guint      index;
} Attach;

static void
attach_free (Attach *a)
{
  g_free (a->cid);
  g_free (a->text);
  g_ptr_array_unref (a->files);
  g_ptr_array_unref (a->infos);
  g_ptr_array_unref (a->copies);
  g_free (a->dir);
  g_free (a);
}

static void
attaching_changed (GigChatClient *self,
                   gint           delta)
{
  gint n = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self), ATTACHING_KEY)) + delta;

  g_object_set_data (G_OBJECT (self), ATTACHING_KEY, GINT_TO_POINTER (MAX (n, 0)));
}

/* Every failure after copying began: the copies go, nothing is queued. */
static void
attach_fail (GTask  *task,
             GError *error)
{
  Attach *a = g_task_get_task_data (task);

  for (guint i = 0; i < a->copies->len; i++)
    remove_copy (g_ptr_array_index (a->copies, i));
  attaching_changed (g_task_get_source_object (task), -1);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
attach_queue (GTask *task)
{
  GigChatClient *self = g_task_get_source_object (task);
  Attach *a = g_task_get_task_data (task);
  g_autoptr(JsonObject) message = json_object_new ();
  g_autofree char *id = g_uuid_string_random ();
  JsonArray *list = json_array_new ();
  GError *error = NULL;

  json_object_set_string_member (message, "id", id);
  json_object_set_string_member (message, "text", a->text != NULL ? a->text : "");
  for (guint i = 0; i < a->files->len; i++)
    {
      GFileInfo *info = g_ptr_array_index (a->infos, i);
      const char *content_type = g_file_info_get_content_type (info);
      g_autofree char *mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
      JsonObject *o = json_object_new ();

      if (mime == NULL)
        mime = g_strdup ("application/octet-stream");
      json_object_set_string_member (o, "type", gig_chat_attachment_is_image_type (mime) ? "image" : "file");
      json_object_set_string_member (o, "title", g_file_info_get_display_name (info));
      json_object_set_string_member (o, "mime_type", mime);
      json_object_set_int_member (o, "file_size", g_file_info_get_size (info));
      json_object_set_string_member (o, LOCAL_PATH, g_ptr_array_index (a->copies, i));
      json_array_add_object_element (list, o);
    }
  json_object_set_array_member (message, "attachments", list);
  if (!gig_store_chat_queue_message (gig_chat_client_get_store (self), a->cid,
                                     gig_chat_client_get_user_id (self), message, &error))
    {
      attach_fail (task, error);
      return;
    }
  attaching_changed (self, -1);
  g_task_return_pointer (task, g_steal_pointer (&id), g_free);
  g_object_unref (task);
  gig_chat_client_pump (self);
}

static void attach_copy_next (GTask *task);

static void
attach_copied (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Attach *a = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_file_copy_finish (G_FILE (source), result, &error))
    {
      GError *readable = g_error_new (error->domain, error->code, _("Could not keep a copy of “%s”: %s"),
                                      g_file_info_get_display_name (g_ptr_array_index (a->infos, a->index)),
                                      error->message);

      g_error_free (error);
      attach_fail (task, readable);
      return;
    }
  a->index++;
  attach_copy_next (task);
}

static void
attach_copy_next (GTask *task)
{
  Attach *a = g_task_get_task_data (task);
  g_autofree char *random = NULL;
  g_autofree char *subdir = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) target = NULL;
  char *path;

  if (a->index >= a->files->len)
    {
      attach_queue (task);
      return;
    }
  random = g_uuid_string_random ();
  subdir = g_build_filename (a->dir, random, NULL);
  if (g_mkdir_with_parents (subdir, 0700) != 0)
    {
      int saved = errno;

      attach_fail (task, g_error_new (G_FILE_ERROR, g_file_error_from_errno (saved),
                                      _("Could not keep a copy of “%s”: %s"),
                                      g_file_info_get_display_name (g_ptr_array_index (a->infos, a->index)),
                                      g_strerror (saved)));
      return;
    }
  /* the name as shown, made safe as one path component */
  name = g_strdelimit (g_strdup (g_file_info_get_display_name (g_ptr_array_index (a->infos, a->index))), "/\\", '_');
  if (*name == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
    g_free (name), name = g_strdup ("file");
  path = g_build_filename (subdir, name, NULL);
  g_ptr_array_add (a->copies, path);
  target = g_file_new_for_path (path);
  g_file_copy_async (g_ptr_array_index (a->files, a->index), target, G_FILE_COPY_NONE, G_PRIORITY_DEFAULT,
                     g_task_get_cancellable (task), NULL, NULL, attach_copied, task);
}

static void
attach_info (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Attach *a = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  const char *name;

  if (info == NULL)
    {
      g_autofree char *shown = g_file_get_parse_name (G_FILE (source));
      GError *readable = g_error_new (G_IO_ERROR, error->code, _("Could not read “%s”: %s"), shown, error->message);

      g_error_free (error);
      attach_fail (task, readable);
      return;
    }
  name = g_file_info_get_display_name (info);
  gig_chat_upload_check_file (info, name, &error);
  if (error != NULL)
    {
      attach_fail (task, error);
      return;
    }
  g_ptr_array_add (a->infos, g_steal_pointer (&info));
  /* every file is checked before any is copied */
  if (a->infos->len < a->files->len)
    g_file_query_info_async (g_ptr_array_index (a->files, a->infos->len),
                             G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                             G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                             G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                             attach_info, task);
  else
    attach_copy_next (task);
}

void
gig_chat_client_attach_files_async (GigChatClient       *self,
                                    const char          *cid,
                                    const char          *text,
                                    GPtrArray           *files,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  Attach *a;
  g_autofree char *dir = NULL;
  g_auto(GStrv) parts = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  g_return_if_fail (files != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_attach_files_async);
  dir = gig_store_uploads_dir (gig_chat_client_get_store (self));
  parts = cid != NULL ? g_strsplit (cid, ":", 2) : NULL;
  if (parts == NULL || g_strv_length (parts) != 2 || *parts[0] == '\0' || *parts[1] == '\0')
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("“%s” is not a channel id"), cid);
      g_object_unref (task);
      return;
    }
  if (files->len == 0 || files->len > GIG_CHAT_MAX_ATTACHMENTS)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID,
                               ngettext ("A message can carry at most %u file", "A message can carry at most %u files",
                                         GIG_CHAT_MAX_ATTACHMENTS), GIG_CHAT_MAX_ATTACHMENTS);
      g_object_unref (task);
      return;
    }
  if (dir == NULL || gig_chat_client_get_user_id (self) == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED, _("Chat has not been set up yet"));
      g_object_unref (task);
      return;
    }
  if (gig_store_chat_channel_is_frozen (gig_chat_client_get_store (self), cid))
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID,
                               _("This conversation is closed: its project was deleted"));
      g_object_unref (task);
      return;
    }
  a = g_new0 (Attach, 1);
  a->cid = g_strdup (cid);
  a->text = g_strdup (text);
  a->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (a->files, g_object_ref (g_ptr_array_index (files, i)));
  a->infos = g_ptr_array_new_with_free_func (g_object_unref);
  a->copies = g_ptr_array_new_with_free_func (g_free);
  a->dir = g_steal_pointer (&dir);
  g_task_set_task_data (task, a, (GDestroyNotify) attach_free);
  /* copies of discarded messages, or left by a crash before they were queued, go first */
  gig_chat_outbox_files_sweep (self);
  attaching_changed (self, +1);
  g_file_query_info_async (g_ptr_array_index (a->files, 0),
                           G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable, attach_info, task);
}

char *
gig_chat_client_attach_files_finish (GigChatClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* Sweeping                                                                                        */

void
gig_chat_outbox_files_sweep (GigChatClient *self)
{
  g_autofree char *dir = NULL;
  g_autoptr(GHashTable) needed = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  if (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self), ATTACHING_KEY)) > 0)
    return; /* a copy may not be queued yet */
  dir = gig_store_uploads_dir (gig_chat_client_get_store (self));
  if (dir == NULL || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  needed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  messages = gig_store_chat_outbox_messages (gig_chat_client_get_store (self));
  for (guint i = 0; i < messages->len; i++)
    {
      JsonArray *list = gig_json_object_get_array (g_ptr_array_index (messages, i), "attachments");

      for (guint j = 0; list != NULL && j < json_array_get_length (list); j++)
        {
          JsonNode *node = json_array_get_element (list, j);
          g_autofree char *path = JSON_NODE_HOLDS_OBJECT (node) ? local_copy (self, json_node_get_object (node)) : NULL;

          if (path != NULL)
            g_hash_table_add (needed, g_path_get_dirname (path));
        }
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *sub = g_build_filename (dir, name, NULL);

      if (!g_hash_table_contains (needed, sub) && g_file_test (sub, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) inner = g_dir_open (sub, 0, NULL);
          const char *file;

          while (inner != NULL && (file = g_dir_read_name (inner)) != NULL)
            {
              g_autofree char *path = g_build_filename (sub, file, NULL);

              g_unlink (path);
            }
          g_rmdir (sub);
        }
    }
}
