/* gig-pb-client.c: asynchronous PocketBase REST client on one keep-alive SoupSession: the
 * object, requests under a deadline and a size cap, auth, health, single records. Lists are in
 * gig-pb-list.c, batches in gig-pb-batch.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "config.h"

#include "core/gig-id.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-client-private.h"
#include "core/gig-io.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>

/* The idle timeout only catches a server that goes silent; the deadline also catches one that
 * trickles. Two minutes is enough for a page of a thousand records at 40 KB/s. */
#define IDLE_TIMEOUT_S 60
#define DEFAULT_DEADLINE_S 120

struct _GigPbClient
{
  GObject      parent_instance;

  char        *base_url;
  char        *token;
  SoupSession *session;
  /* Health checks get their own connection: behind a queue of long page downloads on the main
   * session they would time out and report a busy server as gone. */
  SoupSession *health_session;
  guint        deadline_s;
};

G_DEFINE_FINAL_TYPE (GigPbClient, gig_pb_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  PROP_DEADLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  JsonObject *record;
  char       *token;
} AuthResult;

void
gig_pb_client_request_data_free (RequestData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->page, gig_pb_page_parser_free);
  g_clear_pointer (&data->deadline, gig_deadline_free);
  g_free (data);
}

static void
auth_result_free (AuthResult *result)
{
  g_clear_pointer (&result->record, json_object_unref);
  /* Tokens are secrets: wipe the copy before freeing it. */
  if (result->token != NULL)
    memset (result->token, 0, strlen (result->token));
  g_free (result->token);
  g_free (result);
}

static void
gig_pb_client_finalize (GObject *object)
{
  GigPbClient *self = (GigPbClient *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->health_session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (gig_pb_client_parent_class)->finalize (object);
}

static void
gig_pb_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GigPbClient *self = GIG_PB_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_DEADLINE:
      g_value_set_uint (value, self->deadline_s);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_pb_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GigPbClient *self = GIG_PB_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url ? strlen (url) : 0;

        /* Paths are appended as "/api/...": keep the base without a trailing slash. */
        while (len > 0 && url[len - 1] == '/')
          len--;
        g_free (self->base_url);
        self->base_url = g_strndup (url ? url : "", len);
      }
      break;
    case PROP_TOKEN:
      gig_pb_client_set_token (self, g_value_get_string (value));
      break;
    case PROP_DEADLINE:
      if (self->deadline_s != g_value_get_uint (value))
        {
          self->deadline_s = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_pb_client_class_init (GigPbClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gig_pb_client_finalize;
  object_class->get_property = gig_pb_client_get_property;
  object_class->set_property = gig_pb_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Seconds a whole request may take, headers and body, however the server trickles. */
  properties[PROP_DEADLINE] =
    g_param_spec_uint ("deadline", NULL, NULL, 1, G_MAXUINT / 1000, DEFAULT_DEADLINE_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_pb_client_init (GigPbClient *self)
{
  self->deadline_s = DEFAULT_DEADLINE_S;
  /* Several connections per host: a sync may fetch the next page while a push is in flight. */
  self->session = soup_session_new_with_options ("max-conns-per-host", 8,
                                                 "timeout", IDLE_TIMEOUT_S,
                                                 "user-agent", "Gigdesk/" PACKAGE_VERSION,
                                                 NULL);
}

GigPbClient *
gig_pb_client_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (GIG_TYPE_PB_CLIENT, "base-url", base_url, NULL);
}

const char *
gig_pb_client_get_base_url (GigPbClient *self)
{
  g_return_val_if_fail (GIG_IS_PB_CLIENT (self), NULL);
  return self->base_url;
}

const char *
gig_pb_client_get_token (GigPbClient *self)
{
  g_return_val_if_fail (GIG_IS_PB_CLIENT (self), NULL);
  return self->token;
}

void
gig_pb_client_set_token (GigPbClient *self, const char *token)
{
  g_return_if_fail (GIG_IS_PB_CLIENT (self));

  if (token != NULL && *token == '\0')
    token = NULL;
  if (g_strcmp0 (self->token, token) == 0)
    return;
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/* ------------------------------------------------------------------------------------------ */
/* Requests                                                                                   */

SoupMessage *
gig_pb_client_new_message (GigPbClient  *self,
                           const char   *method,
                           const char   *path,
                           const char   *query,
                           JsonNode     *body,
                           gboolean      with_token,
                           GError      **error)
{
  g_autofree char *uri = g_strconcat (self->base_url, path, query ? "?" : NULL, query, NULL);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  SoupMessage *message;

  if (parsed == NULL || (message = soup_message_new_from_uri (method, parsed)) == NULL)
    {
      g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK, _("Invalid server address “%s”"),
                   self->base_url);
      return NULL;
    }

  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  if (with_token && self->token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", self->token);
  if (body != NULL)
    {
      gsize length = 0;
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = NULL;

      length = strlen (text);
      bytes = g_bytes_new_take (text, length);
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  return message;
}

/* A failed send or read, as this layer's error: a request cut by its deadline says so. */
GError *
gig_pb_client_transfer_error (RequestData *data, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && data->deadline != NULL &&
      gig_deadline_expired (data->deadline))
    return gig_pb_error_new_too_slow (data->deadline_s);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0, _("The server stopped answering"));
  return gig_pb_error_new (GIG_PB_ERROR_NETWORK, 0, error->message);
}

static GError *
too_large_error (gsize max_size)
{
  g_autofree char *size = g_format_size (max_size);
  g_autofree char *message = g_strdup_printf (_("The server’s answer is larger than %s"), size);

  return gig_pb_error_new (GIG_PB_ERROR_MALFORMED, 0, message);
}

static GError *
http_error (RequestData *data, GBytes *bytes)
{
  guint status = soup_message_get_status (data->message);
  gsize length = 0;
  const char *body = bytes ? g_bytes_get_data (bytes, &length) : NULL;
  g_autoptr(JsonNode) node = gig_pb_parse_error_answer (body, length);

  return gig_pb_error_from_response (status, soup_message_get_reason_phrase (data->message),
                                     node, data->is_auth_request);
}

static gsize
max_answer_size (RequestData *data)
{
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
    return GIG_PB_MAX_ERROR_ANSWER;
  switch (data->kind)
    {
    case RESULT_RECORD: return GIG_PB_MAX_RECORD_ANSWER;
    case RESULT_AUTH:   return GIG_PB_MAX_AUTH_ANSWER;
    case RESULT_BATCH:  return GIG_PB_MAX_BATCH_ANSWER;
    case RESULT_HEALTH: return GIG_PB_MAX_ERROR_ANSWER;
    case RESULT_NONE:   return GIG_PB_MAX_ERROR_ANSWER;
    case RESULT_LIST:
    default:            g_assert_not_reached ();
    }
}

static void
return_result (GTask *task, GBytes *bytes)
{
  GigPbClient *self = g_task_get_source_object (task);
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *body = g_bytes_get_data (bytes, &length);

  switch (data->kind)
    {
    case RESULT_RECORD:
      {
        JsonObject *record = gig_pb_parse_record_answer (body, length, &error);

        if (record == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, record, (GDestroyNotify) json_object_unref);
      }
      break;

    case RESULT_AUTH:
      {
        AuthResult *result = g_new0 (AuthResult, 1);

        result->record = gig_pb_parse_auth_answer (body, length, &result->token, &error);
        if (result->record == NULL)
          {
            auth_result_free (result);
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }
        gig_pb_client_set_token (self, result->token);
        g_task_return_pointer (task, result, (GDestroyNotify) auth_result_free);
      }
      break;

    case RESULT_BATCH:
      {
        GPtrArray *records = gig_pb_parse_batch_answer (body, length, &error);

        if (records == NULL)
          g_task_return_error (task, g_steal_pointer (&error));
        else
          g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
      }
      break;

    case RESULT_HEALTH:
      {
        g_autoptr(JsonNode) root = gig_pb_parse_error_answer (body, length);

        if (root == NULL)
          g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                   _("Malformed server response: not JSON"));
        else
          g_task_return_boolean (task, TRUE);
      }
      break;

    case RESULT_NONE:
      g_task_return_boolean (task, TRUE);
      break;

    case RESULT_LIST:
    default:
      g_assert_not_reached ();
    }
}

static void
read_body_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = gig_read_bounded_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
    {
      /* An error answer too long to be PocketBase's: the status speaks alone. */
      if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
        g_task_return_error (task, http_error (data, NULL));
      else
        g_task_return_error (task, too_large_error (max_answer_size (data)));
      return;
    }
  if (bytes == NULL)
    {
      g_task_return_error (task, gig_pb_client_transfer_error (data, error));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
    {
      g_task_return_error (task, http_error (data, bytes));
      return;
    }
  return_result (task, bytes);
}

static void
send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  goffset announced;
  gsize max_size;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      g_task_return_error (task, gig_pb_client_transfer_error (data, error));
      return;
    }

  if (data->kind == RESULT_LIST && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
    {
      data->page = gig_pb_page_parser_new ();
      gig_pb_client_list_read_next (g_steal_pointer (&task));
      return;
    }

  max_size = data->kind == RESULT_LIST ? GIG_PB_MAX_ERROR_ANSWER : max_answer_size (data);
  /* An answer that says up front it is too large is refused before a byte of it is read. */
  announced = soup_message_headers_get_content_length (soup_message_get_response_headers (data->message));
  if (announced > 0 && (guint64) announced > max_size &&
      SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
    {
      g_task_return_error (task, too_large_error (max_size));
      return;
    }
  gig_read_bounded_async (data->stream, max_size, gig_deadline_get_cancellable (data->deadline),
                          read_body_cb, g_steal_pointer (&task));
}

/* Sends @data->message on @session under the client's deadline; the task's data must be @data. */
void
gig_pb_client_start_request (GigPbClient *self, SoupSession *session, GTask *task, RequestData *data)
{
  data->deadline_s = self->deadline_s;
  data->deadline = gig_deadline_new (self->deadline_s * 1000, g_task_get_cancellable (task));
  soup_session_send_async (session, data->message, G_PRIORITY_DEFAULT,
                           gig_deadline_get_cancellable (data->deadline), send_cb, task);
}

static void
send_request_on (GigPbClient         *self,
                 SoupSession         *session,
                 gpointer             source_tag,
                 ResultKind           kind,
                 gboolean             is_auth_request,
                 const char          *method,
                 const char          *path,
                 JsonNode            *body,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  RequestData *data;

  g_task_set_source_tag (task, source_tag);

  data = g_new0 (RequestData, 1);
  data->kind = kind;
  data->is_auth_request = is_auth_request;
  g_task_set_task_data (task, data, (GDestroyNotify) gig_pb_client_request_data_free);

  /* A sign-in must not carry an old token: PocketBase would judge the request by it. */
  data->message = gig_pb_client_new_message (self, method, path, NULL, body, !is_auth_request, &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  gig_pb_client_start_request (self, session, g_steal_pointer (&task), data);
}

static void
send_request (GigPbClient         *self,
              gpointer             source_tag,
              ResultKind           kind,
              gboolean             is_auth_request,
              const char          *method,
              const char          *path,
              JsonNode            *body,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  send_request_on (self, self->session, source_tag, kind, is_auth_request, method, path, body,
                   cancellable, callback, user_data);
}

void
gig_pb_client_send (GigPbClient         *self,
                    gpointer             source_tag,
                    ResultKind           kind,
                    gboolean             is_auth_request,
                    const char          *method,
                    const char          *path,
                    JsonNode            *body,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  send_request (self, source_tag, kind, is_auth_request, method, path, body, cancellable,
                callback, user_data);
}

SoupSession *
gig_pb_client_get_session (GigPbClient *self)
{
  return self->session;
}

char *
gig_pb_client_record_path (const char *collection, const char *id)
{
  g_autofree char *c = g_uri_escape_string (collection, NULL, FALSE);
  g_autofree char *i = id ? g_uri_escape_string (id, NULL, FALSE) : NULL;

  if (i != NULL)
    return g_strdup_printf ("/api/collections/%s/records/%s", c, i);
  return g_strdup_printf ("/api/collections/%s/records", c);
}

JsonNode *
gig_pb_client_node_for_object (JsonObject *object)
{
  JsonNode *node = json_node_alloc ();

  json_node_init_object (node, object);
  return node;
}

/* ------------------------------------------------------------------------------------------ */
/* Auth                                                                                       */

void
gig_pb_client_sign_up_async (GigPbClient         *self,
                             const char          *email,
                             const char          *password,
                             const char          *name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (email != NULL && password != NULL);

  json_object_set_string_member (body, "email", email);
  json_object_set_string_member (body, "password", password);
  json_object_set_string_member (body, "passwordConfirm", password);
  if (name != NULL)
    json_object_set_string_member (body, "name", name);
  node = gig_pb_client_node_for_object (body);
  send_request (self, gig_pb_client_sign_up_async, RESULT_RECORD, FALSE, "POST",
                "/api/collections/users/records", node, cancellable, callback, user_data);
}

JsonObject *
gig_pb_client_sign_up_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_pb_client_sign_in_with_password_async (GigPbClient         *self,
                                           const char          *identity,
                                           const char          *password,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (identity != NULL && password != NULL);

  json_object_set_string_member (body, "identity", identity);
  json_object_set_string_member (body, "password", password);
  node = gig_pb_client_node_for_object (body);
  send_request (self, gig_pb_client_sign_in_with_password_async, RESULT_AUTH, TRUE, "POST",
                "/api/collections/users/auth-with-password", node, cancellable, callback, user_data);
}

static JsonObject *
auth_finish (GTask *task, char **out_token, GError **error)
{
  AuthResult *result = g_task_propagate_pointer (task, error);
  JsonObject *record;

  if (result == NULL)
    return NULL;
  record = g_steal_pointer (&result->record);
  if (out_token != NULL)
    *out_token = g_steal_pointer (&result->token);
  auth_result_free (result);
  return record;
}

JsonObject *
gig_pb_client_sign_in_with_password_finish (GigPbClient   *self,
                                            GAsyncResult  *result,
                                            char         **out_token,
                                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return auth_finish (G_TASK (result), out_token, error);
}

void
gig_pb_client_auth_refresh_async (GigPbClient         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (GIG_IS_PB_CLIENT (self));

  send_request (self, gig_pb_client_auth_refresh_async, RESULT_AUTH, FALSE, "POST",
                "/api/collections/users/auth-refresh", NULL, cancellable, callback, user_data);
}

JsonObject *
gig_pb_client_auth_refresh_finish (GigPbClient   *self,
                                   GAsyncResult  *result,
                                   char         **out_token,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return auth_finish (G_TASK (result), out_token, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Health                                                                                     */

void
gig_pb_client_check_health_async (GigPbClient         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (GIG_IS_PB_CLIENT (self));

  if (self->health_session == NULL)
    self->health_session = soup_session_new_with_options ("max-conns-per-host", 1,
                                                          "timeout", 60,
                                                          "user-agent", "Gigdesk/" PACKAGE_VERSION,
                                                          NULL);
  /* Without the token: the answer says whether the server is there, not who we are. */
  send_request_on (self, self->health_session, gig_pb_client_check_health_async, RESULT_HEALTH,
                   TRUE, "GET", "/api/health", NULL, cancellable, callback, user_data);
}

gboolean
gig_pb_client_check_health_finish (GigPbClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                    */

void
gig_pb_client_get_record_async (GigPbClient         *self,
                                const char          *collection,
                                const char          *id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (collection != NULL && id != NULL);

  path = gig_pb_client_record_path (collection, id);
  send_request (self, gig_pb_client_get_record_async, RESULT_RECORD, FALSE, "GET", path, NULL,
                cancellable, callback, user_data);
}

JsonObject *
gig_pb_client_get_record_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_pb_client_create_record_async (GigPbClient         *self,
                                   const char          *collection,
                                   JsonObject          *fields,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (collection != NULL && fields != NULL);

  path = gig_pb_client_record_path (collection, NULL);
  node = gig_pb_client_node_for_object (fields);
  send_request (self, gig_pb_client_create_record_async, RESULT_RECORD, FALSE, "POST", path, node,
                cancellable, callback, user_data);
}

JsonObject *
gig_pb_client_create_record_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_pb_client_update_record_async (GigPbClient         *self,
                                   const char          *collection,
                                   const char          *id,
                                   JsonObject          *fields,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (collection != NULL && id != NULL && fields != NULL);

  path = gig_pb_client_record_path (collection, id);
  node = gig_pb_client_node_for_object (fields);
  send_request (self, gig_pb_client_update_record_async, RESULT_RECORD, FALSE, "PATCH", path, node,
                cancellable, callback, user_data);
}

JsonObject *
gig_pb_client_update_record_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
