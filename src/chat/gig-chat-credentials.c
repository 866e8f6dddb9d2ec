/* gig-chat-credentials.c: what the client's other parts (uploads) borrow from GigChatClient
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "chat/gig-chat-client-private.h"
#include "chat/gig-chat-credentials.h"

void
gig_chat_credentials_free (GigChatCredentials *credentials)
{
  if (credentials == NULL)
    return;
  g_free (credentials->token);
  g_free (credentials->api_key);
  g_free (credentials->user_id);
  g_free (credentials->base_url);
  g_free (credentials);
}

static GigChatCredentials *
credentials_now (GigChatClient *self)
{
  GigChatCredentials *c = g_new0 (GigChatCredentials, 1);

  c->token = g_strdup (self->token);
  c->api_key = g_strdup (self->api_key);
  c->user_id = g_strdup (self->user_id);
  c->base_url = g_strdup (self->base_url);
  c->deadline_s = self->deadline_s;
  return c;
}

static void
credentials_token_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!_gig_chat_client_fetch_token_finish (GIG_CHAT_CLIENT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, credentials_now (GIG_CHAT_CLIENT (source)),
                           (GDestroyNotify) gig_chat_credentials_free);
}

void
gig_chat_client_credentials_async (GigChatClient       *self,
                                   gboolean             refresh,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_chat_client_credentials_async);
  if (refresh || self->token == NULL || self->base_url == NULL || self->api_key == NULL)
    _gig_chat_client_fetch_token_async (self, cancellable, credentials_token_done, g_steal_pointer (&task));
  else
    g_task_return_pointer (task, credentials_now (self), (GDestroyNotify) gig_chat_credentials_free);
}

GigChatCredentials *
gig_chat_client_credentials_finish (GigChatClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gig_chat_client_pump (GigChatClient *self)
{
  g_return_if_fail (GIG_IS_CHAT_CLIENT (self));
  _gig_chat_client_pump_outbox (self);
}

SoupSession *
gig_chat_client_get_session (GigChatClient *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (self), NULL);
  return self->session;
}
