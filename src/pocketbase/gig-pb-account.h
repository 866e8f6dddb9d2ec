/* gig-pb-account.h: PocketBase's account flows for the `users` collection — ask for a mail
 * (address verification, password reset, address change) and finish a flow with the code
 * the mail carried (core/gig-account-link.h reads it).
 *
 * The server answers a request for a mail the same way whether or not the address belongs to
 * an account, and so do these calls: success says only that the request was taken.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "core/gig-account-link.h"
#include "pocketbase/gig-pb-client.h"

G_BEGIN_DECLS

typedef enum {
  GIG_PB_MAIL_VERIFY_EMAIL,     /* to @email: confirm it */
  GIG_PB_MAIL_RESET_PASSWORD,   /* to @email: choose a new password */
  GIG_PB_MAIL_CHANGE_EMAIL,     /* to the new address @email; needs the client's token */
} GigPbMailKind;

void     gig_pb_client_request_mail_async       (GigPbClient         *self,
                                                 GigPbMailKind        kind,
                                                 const char          *email,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean gig_pb_client_request_mail_finish      (GigPbClient         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Uses @link's code: a verification needs nothing else; a password reset takes the new
 * password as @password; an address change takes the account's current password. A used,
 * expired or forged code is a GIG_PB_ERROR_VALIDATION with the server's message. */
void     gig_pb_client_confirm_link_async       (GigPbClient         *self,
                                                 const GigAccountLink *link,
                                                 const char          *password,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean gig_pb_client_confirm_link_finish      (GigPbClient         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
