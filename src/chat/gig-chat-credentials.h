/* gig-chat-credentials.h: what the client's other parts (uploads) borrow from GigChatClient
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "chat/gig-chat-client.h"

G_BEGIN_DECLS

/* A snapshot of the chat token's answer; the token itself only ever lives in memory. */
typedef struct {
  char  *token;
  char  *api_key;
  char  *user_id;
  char  *base_url;   /* without a trailing slash */
  guint  deadline_s; /* the client's deadline for one answer */
} GigChatCredentials;

void                gig_chat_credentials_free            (GigChatCredentials  *credentials);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigChatCredentials, gig_chat_credentials_free)

/* The current credentials, fetching a chat token first if there is none or @refresh is set
 * (after the service said the token expired, code 40). */
void                gig_chat_client_credentials_async    (GigChatClient       *self,
                                                          gboolean             refresh,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GigChatCredentials *gig_chat_client_credentials_finish   (GigChatClient       *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
SoupSession        *gig_chat_client_get_session          (GigChatClient       *self);
/* Sends what waits in the outbox, if the connection allows (after a message was queued). */
void                gig_chat_client_pump                 (GigChatClient       *self);

G_END_DECLS
