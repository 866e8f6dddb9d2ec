/* gig-chat-client-rest.c: the chat token from PocketBase, and REST calls to the chat service
 * (retried once with a fresh token when the service says it expired).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat/gig-chat-client-private.h"
#include "chat/gig-chat-answers.h"
#include "chat/gig-chat-http.h"
#include "core/gig-io.h"
#include "core/gig-json.h"
#include "core/gig-text.h"
#include "store/gig-store-chat.h"

static void
token_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint status;
  const char *token, *api_key, *user_id, *base_url;

  bytes = gig_chat_http_send_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK))
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                                 _("Could not reach the server for a chat token: %s"), error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (msg);
  body = gig_chat_parse_answer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                GIG_CHAT_MAX_TOKEN_ANSWER, &parse_error);
  if (status == 401 || status == 403 || status == 503)
    {
      g_autofree char *message = gig_text_shorten (gig_json_object_get_string (body, "message"),
                                                   GIG_TEXT_SHOWN_MAX_CHARS);
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH, "%s",
                               message != NULL ? message : _("The server refused a chat token"));
      return;
    }
  if (status >= 500 || status == 0)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("The server could not make a chat token (HTTP %u)"), status);
      return;
    }
  token = gig_json_object_get_string (body, "token");
  api_key = gig_json_object_get_string (body, "api_key");
  user_id = gig_json_object_get_string (body, "user_id");
  base_url = gig_json_object_get_string (body, "base_url");
  if (status != 200 || token == NULL || api_key == NULL || user_id == NULL || base_url == NULL)
    {
      if (parse_error != NULL)
        g_debug ("Chat token answer: %s", parse_error->message);
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                               _("Unexpected answer to the chat token request (HTTP %u)"), status);
      return;
    }

  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->api_key);
  self->api_key = g_strdup (api_key);
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  while (self->base_url[0] != '\0' && g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  if (self->user_id == NULL)
    self->user_id = g_strdup (user_id);
  else if (g_strcmp0 (self->user_id, user_id) != 0)
    {
      /* Never mix two accounts in one cache. */
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH,
                               _("The chat token is for another user"));
      return;
    }
  self->token_stale = FALSE;
  g_task_return_boolean (task, TRUE);
}

void
_gig_chat_client_fetch_token_async (GigChatClient       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *uri = NULL;
  SoupMessage *msg;

  g_task_set_source_tag (task, _gig_chat_client_fetch_token_async);
  if (self->pb_token == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_AUTH, _("Not signed in"));
      return;
    }
  uri = g_strconcat (self->pb_url, "/api/chat/token", NULL);
  msg = soup_message_new ("GET", uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad server address “%s”"), self->pb_url);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", self->pb_token);
  g_task_set_task_data (task, msg, g_object_unref);
  gig_chat_http_send_async (self->session, msg, GIG_CHAT_MAX_TOKEN_ANSWER, self->deadline_s, cancellable,
                            token_done, g_object_ref (task));
}

gboolean
_gig_chat_client_fetch_token_finish (GigChatClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------------- */
/* REST                                                                                            */

typedef struct {
  char        *method;
  char        *path;   /* may carry its own query */
  char        *body;   /* JSON or NULL */
  SoupMessage *msg;
  gboolean     retried_token;
} RestCall;

static void
rest_call_free (RestCall *call)
{
  g_free (call->method);
  g_free (call->path);
  g_free (call->body);
  g_clear_object (&call->msg);
  g_free (call);
}

static void rest_send (GTask *task);

static void
rest_token_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!_gig_chat_client_fetch_token_finish (GIG_CHAT_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rest_send (g_steal_pointer (&task));
}

static void
rest_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigChatClient *self = g_task_get_source_object (task);
  RestCall *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint status;

  bytes = gig_chat_http_send_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK))
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                                 "%s %s: %s", call->method, call->path, error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (call->msg);
  body = gig_chat_parse_answer (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                GIG_CHAT_MAX_REST_ANSWER, &parse_error);

  if (status >= 200 && status < 300)
    {
      if (body == NULL)
        g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_MALFORMED,
                                 "%s %s: %s", call->method, call->path, parse_error->message);
      else
        g_task_return_pointer (task, g_steal_pointer (&body), (GDestroyNotify) json_object_unref);
      return;
    }

  {
    gint64 code = gig_json_object_get_int (body, "code", status >= 500 ? -1 : 4);
    g_autofree char *message = gig_text_shorten (gig_json_object_get_string (body, "message"),
                                                 GIG_TEXT_SHOWN_MAX_CHARS);

    /* An expired token: get a new one and try once more, without the caller noticing. */
    if (code == 40 && !call->retried_token)
      {
        g_debug ("Chat token expired during %s %s; refreshing", call->method, call->path);
        GCancellable *cancellable = g_task_get_cancellable (task);

        call->retried_token = TRUE;
        _gig_chat_client_fetch_token_async (self, cancellable, rest_token_done, g_steal_pointer (&task));
        return;
      }
    if (status >= 500 && body == NULL)
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NETWORK,
                               _("%s %s: HTTP %u"), call->method, call->path, status);
    else
      g_task_return_new_error (task, GIG_CHAT_API_ERROR, (gint) CLAMP (code, G_MININT, G_MAXINT), "%s",
                               message != NULL ? message : soup_status_get_phrase (status));
  }
}

static void
rest_send (GTask *task)
{
  GigChatClient *self = g_task_get_source_object (task);
  RestCall *call = g_task_get_task_data (task);
  g_autoptr(GString) uri = NULL;
  g_autofree char *key = NULL, *user = NULL;
  SoupMessageHeaders *headers;

  if (self->token == NULL || self->base_url == NULL)
    {
      _gig_chat_client_fetch_token_async (self, g_task_get_cancellable (task), rest_token_done, task);
      return;
    }

  key = g_uri_escape_string (self->api_key, NULL, FALSE);
  user = g_uri_escape_string (self->user_id, NULL, FALSE);
  uri = g_string_new (self->base_url);
  g_string_append (uri, call->path);
  g_string_append_c (uri, strchr (call->path, '?') ? '&' : '?');
  g_string_append_printf (uri, "api_key=%s&user_id=%s", key, user);
  if (self->connection_id != NULL && self->state == GIG_CHAT_STATE_ONLINE)
    {
      g_autofree char *conn = g_uri_escape_string (self->connection_id, NULL, FALSE);
      g_string_append_printf (uri, "&connection_id=%s", conn);
    }

  g_clear_object (&call->msg);
  call->msg = soup_message_new (call->method, uri->str);
  if (call->msg == NULL)
    {
      g_task_return_new_error (task, GIG_CHAT_ERROR, GIG_CHAT_ERROR_INVALID, _("Bad chat address “%s”"), uri->str);
      g_object_unref (task);
      return;
    }
  headers = soup_message_get_request_headers (call->msg);
  soup_message_headers_replace (headers, "Authorization", self->token);
  soup_message_headers_replace (headers, "stream-auth-type", "jwt");
  soup_message_headers_replace (headers, "X-Stream-Client", CLIENT_NAME);
  if (call->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (call->body, strlen (call->body));
      soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
    }
  gig_chat_http_send_async (self->session, call->msg, GIG_CHAT_MAX_REST_ANSWER, self->deadline_s,
                            g_task_get_cancellable (task), rest_done, task);
}

/* Takes ownership of @body (may be NULL). Resolves with the answer's JsonObject. */
void
_gig_chat_client_rest_async (GigChatClient       *self,
                             const char          *method,
                             const char          *path,
                             JsonObject          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, callback, user_data);
  RestCall *call = g_new0 (RestCall, 1);

  g_task_set_source_tag (task, _gig_chat_client_rest_async);
  call->method = g_strdup (method);
  call->path = g_strdup (path);
  if (body != NULL)
    {
      call->body = _gig_chat_client_json_object_to_data (body);
      json_object_unref (body);
    }
  g_task_set_task_data (task, call, (GDestroyNotify) rest_call_free);
  rest_send (task);
}

JsonObject *
_gig_chat_client_rest_finish (GigChatClient  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
