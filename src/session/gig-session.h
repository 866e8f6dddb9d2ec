/* gig-session.h: who is signed in, with the PocketBase token kept only in the keyring.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pocketbase/gig-pb-client.h"

G_BEGIN_DECLS

typedef enum {
  GIG_SESSION_STATE_SIGNED_OUT,
  GIG_SESSION_STATE_SIGNED_IN,
  GIG_SESSION_STATE_SIGN_IN_NEEDED, /* token expired or revoked: data and outbox are kept */
} GigSessionState;

#define GIG_TYPE_SESSION_STATE (gig_session_state_get_type ())
GType gig_session_state_get_type (void);

#define GIG_TYPE_SESSION (gig_session_get_type ())
G_DECLARE_FINAL_TYPE (GigSession, gig_session, GIG, SESSION, GObject)

/* The session sets @client's token as it signs in, refreshes and signs out. The keyring item
 * (schema "io.github.gigdesk.Gigdesk.Token", attributes "server" and "user-id") is the only
 * place the token is stored.
 *
 * Properties: "client" (construct-only), "state" (GigSessionState), "user-id", "email",
 * "name", "server-url", "token-expires-at" (int64 unix seconds, 0 if none), "remembered",
 * "keyring-problem". */
GigSession      *gig_session_new                  (GigPbClient  *client);
GigPbClient     *gig_session_get_client           (GigSession   *self);
GigSessionState  gig_session_get_state            (GigSession   *self);
const char      *gig_session_get_user_id          (GigSession   *self);
const char      *gig_session_get_email            (GigSession   *self);
const char      *gig_session_get_name             (GigSession   *self);
const char      *gig_session_get_server_url       (GigSession   *self);
gint64           gig_session_get_token_expires_at (GigSession   *self);
/* TRUE when the token is in the keyring, so the next start finds it. */
gboolean         gig_session_get_remembered       (GigSession   *self);
/* Set when no keyring could take the token (no session bus, no Secret Service, a refused
 * store): the sign-in then lasts for this process only, the token held in memory and written
 * nowhere. A sentence for the user saying what is missing and how to fix it; NULL otherwise. */
const char      *gig_session_get_keyring_problem  (GigSession   *self);

/* Loads the token for the client's server from the keyring. No token → signed-out; an expired
 * one → sign-in-needed; otherwise signed-in (and refreshed at once if it is close to expiry).
 * No reachable keyring → signed-out with "keyring-problem" set. Fails only when cancelled. */
void             gig_session_restore_async        (GigSession          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_restore_finish       (GigSession          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Creates the account, then signs in. */
void             gig_session_sign_up_async        (GigSession          *self,
                                                   const char          *email,
                                                   const char          *password,
                                                   const char          *name,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_sign_up_finish       (GigSession          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Errors are GIG_PB_ERROR (INVALID_CREDENTIALS for a wrong password). When the keyring cannot
 * take the token, the sign-in still succeeds for this session only (see "keyring-problem"). */
void             gig_session_sign_in_async        (GigSession          *self,
                                                   const char          *email,
                                                   const char          *password,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_sign_in_finish       (GigSession          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Refreshes now (normally a timer does it ahead of expiry). A refused token moves the state to
 * sign-in-needed; a network error leaves the state alone and is returned. */
void             gig_session_refresh_async        (GigSession          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_refresh_finish       (GigSession          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Removes the token from the keyring and deletes this account's cache directory. */
void             gig_session_sign_out_async       (GigSession          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_sign_out_finish      (GigSession          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Re-checks the token's `exp` against the clock now; returns TRUE if still signed in. */
gboolean         gig_session_check_token          (GigSession          *self);
/* For layers that see an auth failure (e.g. a 401 from sync): moves a signed-in session to
 * sign-in-needed when @error is GIG_PB_ERROR_AUTH_REQUIRED. Never deletes anything. */
void             gig_session_report_error         (GigSession          *self,
                                                   const GError        *error);

/* Whether a keyring can hold a sign-in, asked without unlocking or prompting. Completes TRUE
 * with *@out_problem NULL when it can, or with the sentence "keyring-problem" would hold. */
void             gig_session_probe_keyring_async  (GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         gig_session_probe_keyring_finish (GAsyncResult        *result,
                                                   char               **out_problem,
                                                   GError             **error);
/* What a keyring error means for the user: what is missing and how to fix it. */
char            *gig_session_describe_keyring_error (const GError      *error);

/* $XDG_DATA_HOME/gigdesk/accounts/<user_id>: where that account's cache lives. */
char            *gig_session_get_account_dir_for  (const char          *user_id);
/* The same for the signed-in (or sign-in-needed) user; NULL when signed out. */
char            *gig_session_get_account_dir      (GigSession          *self);

G_END_DECLS
