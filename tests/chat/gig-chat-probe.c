/* gig-chat-probe.c: drives a GigChatClient from a test, one JSON request per line on stdin,
 * answers and events as JSON lines on stdout.
 *
 * SPDX-License-Identifier: MIT
 *
 * Requests: {"req": n, "cmd": "...", ...}; answers {"req": n, "ok": true, ...} or
 * {"req": n, "ok": false, "error": "...", "domain": "...", "code": c}. Events (unprompted):
 * {"event": "state" | "typing" | "recovered" | "message-failed" | "chat", ...}.
 * Secrets (the PocketBase token) travel on stdin, never in argv.
 */
#define G_LOG_DOMAIN "gigdesk-chat-probe"

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>

#include "chat/gig-chat-client.h"
#include "chat/gig-chat-outbox-files.h"
#include "chat/gig-chat-upload.h"
#include "store/gig-store-chat.h"
#include "store/gig-store-uploads.h"

typedef struct {
  GMainLoop        *loop;
  GDataInputStream *input;
  GigStore         *store;
  GigChatClient    *client;
  GPtrArray        *online_waiters; /* req ids (gint64 as pointer) */
} Probe;

static Probe probe;

static void
emit (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

static JsonObject *
answer_new (gint64 req)
{
  JsonObject *a = json_object_new ();

  json_object_set_int_member (a, "req", req);
  json_object_set_boolean_member (a, "ok", TRUE);
  return a;
}

static void
answer_ok (gint64 req)
{
  g_autoptr(JsonObject) a = answer_new (req);
  emit (a);
}

static void
answer_error (gint64        req,
              const GError *error)
{
  g_autoptr(JsonObject) a = answer_new (req);

  json_object_set_boolean_member (a, "ok", FALSE);
  json_object_set_string_member (a, "error", error->message);
  json_object_set_string_member (a, "domain", g_quark_to_string (error->domain));
  json_object_set_int_member (a, "code", error->code);
  emit (a);
}

static const char *
state_string (GigChatMessageState state)
{
  switch (state)
    {
    case GIG_CHAT_MESSAGE_SENDING: return "sending";
    case GIG_CHAT_MESSAGE_FAILED: return "failed";
    case GIG_CHAT_MESSAGE_SENT:
    default: return "sent";
    }
}

/* ---- events ---------------------------------------------------------------------------------- */

static void
on_state (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();
  GigChatState state = gig_chat_client_get_state (probe.client);
  const char *names[] = { "offline", "connecting", "online" };

  json_object_set_string_member (ev, "event", "state");
  json_object_set_string_member (ev, "state", names[state]);
  if (gig_chat_client_get_last_error (probe.client) != NULL)
    json_object_set_string_member (ev, "last_error", gig_chat_client_get_last_error (probe.client));
  emit (ev);

  if (state == GIG_CHAT_STATE_ONLINE)
    {
      guint i;

      for (i = 0; i < probe.online_waiters->len; i++)
        answer_ok (GPOINTER_TO_SIZE (g_ptr_array_index (probe.online_waiters, i)));
      g_ptr_array_set_size (probe.online_waiters, 0);
    }
}

static void
on_typing (GigChatClient *client,
           const char    *cid,
           const char    *user_id,
           gboolean       typing,
           gpointer       user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();

  json_object_set_string_member (ev, "event", "typing");
  json_object_set_string_member (ev, "cid", cid);
  json_object_set_string_member (ev, "user_id", user_id);
  json_object_set_boolean_member (ev, "typing", typing);
  emit (ev);
}

static void
on_recovered (GigChatClient *client,
              gpointer       user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();

  json_object_set_string_member (ev, "event", "recovered");
  emit (ev);
}

static void
on_failed (GigChatClient *client,
           const char    *cid,
           const char    *message_id,
           const char    *error,
           gpointer       user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();

  json_object_set_string_member (ev, "event", "message-failed");
  json_object_set_string_member (ev, "cid", cid);
  json_object_set_string_member (ev, "id", message_id);
  json_object_set_string_member (ev, "error", error);
  emit (ev);
}

static void
on_chat_event (GigChatClient *client,
               const char    *type,
               const char    *cid,
               JsonObject    *event,
               gpointer       user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();

  json_object_set_string_member (ev, "event", "chat");
  json_object_set_string_member (ev, "type", type);
  if (cid != NULL)
    json_object_set_string_member (ev, "cid", cid);
  emit (ev);
}

/* ---- async command completions ------------------------------------------------------------------ */

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gint64 req = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) channel = gig_chat_client_watch_channel_finish (GIG_CHAT_CLIENT (source), result, &error);
  g_autoptr(JsonObject) a = NULL;

  if (channel == NULL)
    {
      answer_error (req, error);
      return;
    }
  a = answer_new (req);
  json_object_set_object_member (a, "channel", json_object_ref (channel));
  emit (a);
}

static void
bool_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gint64 req = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == gig_chat_client_mark_read_async)
    ok = gig_chat_client_mark_read_finish (GIG_CHAT_CLIENT (source), result, &error);
  else
    ok = gig_chat_client_delete_message_finish (GIG_CHAT_CLIENT (source), result, &error);
  if (ok)
    answer_ok (req);
  else
    answer_error (req, error);
}

static void
update_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gint64 req = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) message = gig_chat_client_update_message_finish (GIG_CHAT_CLIENT (source), result, &error);

  if (message == NULL)
    answer_error (req, error);
  else
    answer_ok (req);
}

static void
older_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gint64 req = GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  gint n = gig_chat_client_load_older_finish (GIG_CHAT_CLIENT (source), result, &error);
  g_autoptr(JsonObject) a = NULL;

  if (n < 0)
    {
      answer_error (req, error);
      return;
    }
  a = answer_new (req);
  json_object_set_int_member (a, "count", n);
  emit (a);
}

/* ---- commands ------------------------------------------------------------------------------------ */

static void
close_client (void)
{
  if (probe.client != NULL)
    {
      g_signal_handlers_disconnect_by_data (probe.client, &probe);
      gig_chat_client_disconnect (probe.client);
      g_clear_object (&probe.client);
    }
  if (probe.store != NULL)
    {
      gig_store_close (probe.store);
      g_clear_object (&probe.store);
    }
}

/* ---- files ----------------------------------------------------------------------------------- */

static void
transfer_progress (goffset  done,
                   goffset  total,
                   gpointer user_data)
{
  g_autoptr(JsonObject) ev = json_object_new ();

  json_object_set_string_member (ev, "event", "progress");
  json_object_set_int_member (ev, "for", (gint64) GPOINTER_TO_SIZE (user_data));
  json_object_set_int_member (ev, "done", done);
  json_object_set_int_member (ev, "total", total);
  emit (ev);
}

static JsonObject *
peak_rss (JsonObject *a)
{
  g_autofree char *status = NULL;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *hwm = strstr (status, "VmHWM:");

      if (hwm != NULL)
        json_object_set_int_member (a, "peak_rss_kb", g_ascii_strtoll (hwm + 6, NULL, 10));
    }
  return a;
}

static void
upload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gint64 req = (gint64) GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigChatAttachment) attachment = gig_chat_client_upload_finish (GIG_CHAT_CLIENT (source), result, &error);
  g_autoptr(JsonObject) a = NULL;

  if (attachment == NULL)
    {
      answer_error (req, error);
      return;
    }
  a = peak_rss (answer_new (req));
  json_object_set_object_member (a, "attachment", gig_chat_attachment_to_json (attachment));
  emit (a);
}

static void
download_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gint64 req = (gint64) GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;

  if (!gig_chat_client_download_finish (GIG_CHAT_CLIENT (source), result, &error))
    answer_error (req, error);
  else
    {
      g_autoptr(JsonObject) a = peak_rss (answer_new (req));
      emit (a);
    }
}

static void
attach_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  gint64 req = (gint64) GPOINTER_TO_SIZE (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = gig_chat_client_attach_files_finish (GIG_CHAT_CLIENT (source), result, &error);
  g_autoptr(JsonObject) a = NULL;

  if (id == NULL)
    {
      answer_error (req, error);
      return;
    }
  a = answer_new (req);
  json_object_set_string_member (a, "id", id);
  emit (a);
}

/* attach {cid, text?, paths}, upload {cid, path, title?}, send_files {cid, text?, attachments}, attachments {id},
 * download {url, path}; FALSE for other commands. */
static gboolean
handle_files (JsonObject *req_obj,
              gint64      req,
              const char *cmd,
              const char *cid)
{
  const char *path = json_object_get_string_member_with_default (req_obj, "path", NULL);
  gpointer tag = GSIZE_TO_POINTER ((gsize) req);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (cmd, "attach"))
    {
      JsonArray *paths = json_object_get_array_member (req_obj, "paths");
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; paths != NULL && i < json_array_get_length (paths); i++)
        g_ptr_array_add (files, g_file_new_for_path (json_array_get_string_element (paths, i)));
      gig_chat_client_attach_files_async (probe.client, cid,
                                          json_object_get_string_member_with_default (req_obj, "text", NULL),
                                          files, NULL, attach_done, tag);
    }
  else if (g_str_equal (cmd, "upload"))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path != NULL ? path : "");

      gig_chat_client_upload_async (probe.client, cid, file,
                                    json_object_get_string_member_with_default (req_obj, "title", NULL),
                                    transfer_progress, tag, NULL, upload_done, tag);
    }
  else if (g_str_equal (cmd, "download"))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path != NULL ? path : "");

      gig_chat_client_download_async (probe.client, json_object_get_string_member_with_default (req_obj, "url", NULL),
                                      file, transfer_progress, tag, NULL, download_done, tag);
    }
  else if (g_str_equal (cmd, "send_files"))
    {
      /* the attachments as upload answered them, read back through the bounded reader */
      g_autoptr(GPtrArray) attachments = gig_chat_attachments_from_message (req_obj);
      g_autofree char *mid = gig_chat_client_send_message_with_attachments (
          probe.client, cid, json_object_get_string_member_with_default (req_obj, "text", NULL), attachments, &error);
      g_autoptr(JsonObject) a = NULL;

      if (mid == NULL)
        {
          answer_error (req, error);
          return TRUE;
        }
      a = answer_new (req);
      json_object_set_string_member (a, "id", mid);
      emit (a);
    }
  else if (g_str_equal (cmd, "attachments"))
    {
      g_autoptr(JsonObject) message = gig_store_chat_get_message_json (
          probe.store, json_object_get_string_member_with_default (req_obj, "id", ""));
      g_autoptr(GPtrArray) attachments = gig_chat_attachments_from_message (message);
      g_autoptr(JsonObject) a = answer_new (req);
      JsonArray *list = json_array_new ();

      for (guint i = 0; i < attachments->len; i++)
        {
          GigChatAttachment *at = g_ptr_array_index (attachments, i);
          JsonObject *o = json_object_new ();

          json_object_set_string_member (o, "kind", at->kind == GIG_CHAT_ATTACHMENT_IMAGE ? "image" : "file");
          json_object_set_string_member (o, "url", at->url);
          if (at->thumb_url != NULL)
            json_object_set_string_member (o, "thumb_url", at->thumb_url);
          json_object_set_string_member (o, "title", at->title);
          json_object_set_string_member (o, "mime_type", at->mime_type);
          json_object_set_int_member (o, "file_size", at->file_size);
          json_array_add_object_element (list, o);
        }
      json_object_set_boolean_member (a, "found", message != NULL);
      json_object_set_array_member (a, "attachments", list);
      emit (a);
    }
  else
    return FALSE;
  return TRUE;
}

static void
handle (JsonObject *req_obj)
{
  gint64 req = json_object_get_int_member_with_default (req_obj, "req", 0);
  const char *cmd = json_object_get_string_member_with_default (req_obj, "cmd", "");
  const char *cid = json_object_get_string_member_with_default (req_obj, "cid", NULL);
  const char *id = json_object_get_string_member_with_default (req_obj, "id", NULL);
  const char *text = json_object_get_string_member_with_default (req_obj, "text", NULL);
  g_autoptr(GError) error = NULL;
  gpointer tag = GSIZE_TO_POINTER ((gsize) req);

  if (g_str_equal (cmd, "open"))
    {
      const char *db = json_object_get_string_member_with_default (req_obj, "db", NULL);
      const char *pb_url = json_object_get_string_member_with_default (req_obj, "pb_url", NULL);
      const char *pb_token = json_object_get_string_member_with_default (req_obj, "pb_token", NULL);

      close_client ();
      probe.store = gig_store_new_for_path (db, &error);
      if (probe.store == NULL)
        {
          answer_error (req, error);
          return;
        }
      probe.client = gig_chat_client_new (pb_url, probe.store,
                                          json_object_get_string_member_with_default (req_obj, "user_id", NULL));
      if (json_object_has_member (req_obj, "ping_interval"))
        g_object_set (probe.client,
                      "ping-interval", (guint) json_object_get_int_member (req_obj, "ping_interval"),
                      "dead-timeout", (guint) json_object_get_int_member (req_obj, "dead_timeout"),
                      NULL);
      g_signal_connect (probe.client, "notify::state", G_CALLBACK (on_state), &probe);
      g_signal_connect (probe.client, "typing", G_CALLBACK (on_typing), &probe);
      g_signal_connect (probe.client, "recovered", G_CALLBACK (on_recovered), &probe);
      g_signal_connect (probe.client, "message-failed", G_CALLBACK (on_failed), &probe);
      g_signal_connect (probe.client, "event", G_CALLBACK (on_chat_event), &probe);
      gig_chat_client_set_pb_token (probe.client, pb_token);
      if (!json_object_get_boolean_member_with_default (req_obj, "offline", FALSE))
        gig_chat_client_connect (probe.client);
      answer_ok (req);
    }
  else if (probe.client == NULL && !g_str_equal (cmd, "quit"))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "open first");
      answer_error (req, error);
    }
  else if (g_str_equal (cmd, "connect"))
    {
      gig_chat_client_connect (probe.client);
      answer_ok (req);
    }
  else if (g_str_equal (cmd, "wait_online"))
    {
      if (gig_chat_client_get_state (probe.client) == GIG_CHAT_STATE_ONLINE)
        answer_ok (req);
      else
        g_ptr_array_add (probe.online_waiters, tag);
    }
  else if (g_str_equal (cmd, "info"))
    {
      g_autoptr(JsonObject) a = answer_new (req);
      json_object_set_string_member (a, "user_id", gig_chat_client_get_user_id (probe.client));
      json_object_set_string_member (a, "connection_id", gig_chat_client_get_connection_id (probe.client));
      json_object_set_int_member (a, "outbox", gig_store_chat_outbox_count (probe.store));
      emit (a);
    }
  else if (g_str_equal (cmd, "watch"))
    gig_chat_client_watch_channel_async (probe.client, cid,
                                         (guint) json_object_get_int_member_with_default (req_obj, "limit", 0),
                                         NULL, watch_done, tag);
  else if (g_str_equal (cmd, "older"))
    gig_chat_client_load_older_async (probe.client, cid, id,
                                      (guint) json_object_get_int_member_with_default (req_obj, "limit", 0),
                                      NULL, older_done, tag);
  else if (g_str_equal (cmd, "send"))
    {
      g_autofree char *mid = gig_chat_client_send_message (probe.client, cid, text, &error);
      g_autoptr(JsonObject) a = NULL;

      if (mid == NULL)
        {
          answer_error (req, error);
          return;
        }
      a = answer_new (req);
      json_object_set_string_member (a, "id", mid);
      emit (a);
    }
  else if (g_str_equal (cmd, "messages"))
    {
      g_autoptr(GPtrArray) msgs = gig_store_chat_get_messages (probe.store, cid, 0, G_MAXINT);
      g_autoptr(JsonObject) a = answer_new (req);
      JsonArray *arr = json_array_new ();
      guint i;

      for (i = 0; i < msgs->len; i++)
        {
          GigChatMessage *m = g_ptr_array_index (msgs, i);
          JsonObject *o = json_object_new ();

          json_object_set_string_member (o, "id", m->id);
          json_object_set_string_member (o, "text", m->text);
          json_object_set_string_member (o, "user_id", m->user_id);
          json_object_set_string_member (o, "state", state_string (m->state));
          json_object_set_string_member (o, "created_at", m->created_at);
          json_object_set_boolean_member (o, "deleted", m->deleted_at != NULL);
          if (m->error != NULL)
            json_object_set_string_member (o, "error", m->error);
          json_array_add_object_element (arr, o);
        }
      json_object_set_array_member (a, "messages", arr);
      json_object_set_int_member (a, "unread",
                                  gig_store_chat_unread_count (probe.store, cid, gig_chat_client_get_user_id (probe.client)));
      json_object_set_boolean_member (a, "frozen", gig_store_chat_channel_is_frozen (probe.store, cid));
      emit (a);
    }
  else if (g_str_equal (cmd, "last_read"))
    {
      g_autofree char *when = gig_store_chat_get_last_read (probe.store, cid,
                                                            json_object_get_string_member (req_obj, "user_id"));
      g_autoptr(JsonObject) a = answer_new (req);
      if (when != NULL)
        json_object_set_string_member (a, "last_read", when);
      emit (a);
    }
  else if (g_str_equal (cmd, "keystroke"))
    {
      gig_chat_client_keystroke (probe.client, cid);
      answer_ok (req);
    }
  else if (g_str_equal (cmd, "stop_typing"))
    {
      gig_chat_client_stop_typing (probe.client, cid);
      answer_ok (req);
    }
  else if (g_str_equal (cmd, "mark_read"))
    gig_chat_client_mark_read_async (probe.client, cid, NULL, bool_done, tag);
  else if (g_str_equal (cmd, "update"))
    gig_chat_client_update_message_async (probe.client, id, text, NULL, update_done, tag);
  else if (g_str_equal (cmd, "delete"))
    gig_chat_client_delete_message_async (probe.client, id, NULL, bool_done, tag);
  else if (g_str_equal (cmd, "retry") || g_str_equal (cmd, "discard"))
    {
      gboolean ok = g_str_equal (cmd, "retry")
        ? gig_chat_client_retry_message (probe.client, id, &error)
        : gig_chat_client_discard_message (probe.client, id, &error);
      if (ok)
        answer_ok (req);
      else
        answer_error (req, error);
    }
  else if (g_str_equal (cmd, "drop"))
    {
      gig_chat_client_drop_connection (probe.client);
      answer_ok (req);
    }
  else if (g_str_equal (cmd, "close"))
    {
      close_client ();
      answer_ok (req);
    }
  else if (g_str_equal (cmd, "quit"))
    {
      close_client ();
      answer_ok (req);
      g_main_loop_quit (probe.loop);
    }
  else if (handle_files (req_obj, req, cmd, cid))
    ;
  else
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown command “%s”", cmd);
      answer_error (req, error);
    }
}

static void
line_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (line == NULL)
    {
      /* The test went away: leave cleanly. */
      close_client ();
      g_main_loop_quit (probe.loop);
      return;
    }
  if (json_parser_load_from_data (parser, line, -1, NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    handle (json_node_get_object (json_parser_get_root (parser)));
  else
    g_printerr ("probe: ignoring a line that is not a JSON object\n");
  g_data_input_stream_read_line_async (probe.input, G_PRIORITY_DEFAULT, NULL, line_read, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);

  probe.loop = g_main_loop_new (NULL, FALSE);
  probe.input = g_data_input_stream_new (in);
  probe.online_waiters = g_ptr_array_new ();
  g_data_input_stream_read_line_async (probe.input, G_PRIORITY_DEFAULT, NULL, line_read, NULL);
  g_main_loop_run (probe.loop);

  g_clear_object (&probe.input);
  g_ptr_array_unref (probe.online_waiters);
  g_main_loop_unref (probe.loop);
  return 0;
}
