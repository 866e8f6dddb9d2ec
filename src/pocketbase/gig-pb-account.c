/* gig-pb-account.c: PocketBase's account flows for the `users` collection.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-account.h"
#include "pocketbase/gig-pb-client-private.h"

void
gig_pb_client_request_mail_async (GigPbClient         *self,
                                  GigPbMailKind        kind,
                                  const char          *email,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  const char *path = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (email != NULL);

  switch (kind)
    {
    case GIG_PB_MAIL_VERIFY_EMAIL:
      path = "/api/collections/users/request-verification";
      json_object_set_string_member (body, "email", email);
      break;
    case GIG_PB_MAIL_RESET_PASSWORD:
      path = "/api/collections/users/request-password-reset";
      json_object_set_string_member (body, "email", email);
      break;
    case GIG_PB_MAIL_CHANGE_EMAIL:
      path = "/api/collections/users/request-email-change";
      json_object_set_string_member (body, "newEmail", email);
      break;
    default:
      g_return_if_reached ();
    }
  node = gig_pb_client_node_for_object (body);
  /* The address change needs the client's token; the others ignore it. Not an auth request
   * either way: a 400 here is a field's fault (VALIDATION), not a wrong password. */
  gig_pb_client_send (self, gig_pb_client_request_mail_async, RESULT_NONE, FALSE, "POST", path,
                      node, cancellable, callback, user_data);
}

gboolean
gig_pb_client_request_mail_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
gig_pb_client_confirm_link_async (GigPbClient          *self,
                                  const GigAccountLink *link,
                                  const char           *password,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  const char *path = NULL;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (link != NULL && link->token != NULL);
  g_return_if_fail (link->kind == GIG_ACCOUNT_LINK_VERIFY_EMAIL || password != NULL);

  json_object_set_string_member (body, "token", link->token);
  switch (link->kind)
    {
    case GIG_ACCOUNT_LINK_VERIFY_EMAIL:
      path = "/api/collections/users/confirm-verification";
      break;
    case GIG_ACCOUNT_LINK_RESET_PASSWORD:
      path = "/api/collections/users/confirm-password-reset";
      json_object_set_string_member (body, "password", password);
      json_object_set_string_member (body, "passwordConfirm", password);
      break;
    case GIG_ACCOUNT_LINK_CHANGE_EMAIL:
      path = "/api/collections/users/confirm-email-change";
      json_object_set_string_member (body, "password", password);
      break;
    default:
      g_return_if_reached ();
    }
  node = gig_pb_client_node_for_object (body);
  /* The code speaks for the account (the server ignores a sign-in token here); a refused code
   * or password is a 400 with the field it concerns: VALIDATION. */
  gig_pb_client_send (self, gig_pb_client_confirm_link_async, RESULT_NONE, FALSE, "POST", path,
                      node, cancellable, callback, user_data);
}

gboolean
gig_pb_client_confirm_link_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
