/* gig-account.h: the signed-in user's session, store, sync and chat, as one object
 *
 * One GigAccount lives as long as the application; windows and their widgets take it (as GNOME
 * Calendar's take a GcalContext) and follow its "changed" signal. Signing in, restoring the last
 * sign-in, opening the user's local data and signing out are its calls; no widget talks to the
 * server's client or its errors.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "chat/gig-chat-client.h"
#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"

G_BEGIN_DECLS

#define GIG_ACCOUNT_ERROR (gig_account_error_quark ())
GQuark gig_account_error_quark (void);

/* Why signing in (or opening the account) failed, in terms a sign-in form can act on. */
typedef enum {
  GIG_ACCOUNT_ERROR_FAILED,             /* anything else; the message says what */
  GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS,  /* the email or password is wrong */
  GIG_ACCOUNT_ERROR_UNREACHABLE,        /* the server did not answer */
  GIG_ACCOUNT_ERROR_EMAIL_TAKEN,        /* sign-up: that email has an account */
  GIG_ACCOUNT_ERROR_REJECTED,           /* the server refused a field (see gig_account_error_get_fields) */
  GIG_ACCOUNT_ERROR_SERVER,             /* the server failed or answered nonsense */
  GIG_ACCOUNT_ERROR_DATA,               /* the local data could not be opened */
} GigAccountError;

/* The form fields ("email", "password", "name") a REJECTED error names, or NULL. */
const char * const *gig_account_error_get_fields (const GError *error);

#define GIG_TYPE_ACCOUNT (gig_account_get_type ())
G_DECLARE_FINAL_TYPE (GigAccount, gig_account, GIG, ACCOUNT, GObject)

/* Nobody signed in yet. */
GigAccount    *gig_account_new                (void);
/* An account over parts made elsewhere (tests, tools): @session and @sync and @chat may be
 * NULL; nothing is started. @user_id defaults to the session's. */
GigAccount    *gig_account_new_for_parts      (const char          *user_id,
                                               GigSession          *session,
                                               GigStore            *store,
                                               GigSync             *sync,
                                               GigChatClient       *chat);

/* Whether someone's data is open (the parts below are set). */
gboolean       gig_account_is_open            (GigAccount          *self);
const char    *gig_account_get_user_id        (GigAccount          *self);
GigSession    *gig_account_get_session        (GigAccount          *self);
GigStore      *gig_account_get_store          (GigAccount          *self);
GigSync       *gig_account_get_sync           (GigAccount          *self);
GigChatClient *gig_account_get_chat_client    (GigAccount          *self);

/* Opens @session's local data and starts sync and chat once the main loop is idle (after the
 * windows have drawn the cached data); emits "changed". A damaged cache fails with
 * GIG_STORE_ERROR_CORRUPT, emits "data-damaged" and leaves @session waiting: recover the file,
 * then call gig_account_open_recovered(). */
gboolean       gig_account_open               (GigAccount          *self,
                                               GigSession          *session,
                                               GError             **error);
/* What the open store reported when it found its file damaged after opening (GigStore::damaged;
 * the account then closed and emitted "data-damaged"), or NULL for a cache refused at opening. */
const GError  *gig_account_get_damage         (GigAccount          *self);
/* The path of the damaged cache ("data-damaged"), or NULL. */
const char    *gig_account_get_damaged_path   (GigAccount          *self);
/* Opens the waiting session with @store, recovered from the damaged cache. */
void           gig_account_open_recovered     (GigAccount          *self,
                                               GigStore            *store);
/* Stops sync and chat and closes the store; the session stays signed in. */
void           gig_account_close              (GigAccount          *self);

/* Signs in to @server_url (or signs up, when @name is not NULL), then opens the account. The
 * session is the result; an error is in GIG_ACCOUNT_ERROR, or GIG_STORE_ERROR_CORRUPT when the
 * sign-in worked but the cache needs recovering (see gig_account_open()). */
void           gig_account_sign_in_async      (GigAccount          *self,
                                               const char          *server_url,
                                               const char          *email,
                                               const char          *password,
                                               const char          *name,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
GigSession    *gig_account_sign_in_finish     (GigAccount          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Reads the last sign-in for @server_url from the keyring and opens it (also when it needs a
 * new sign-in: the data is local). FALSE without an error when nobody was signed in. */
void           gig_account_restore_async      (GigAccount          *self,
                                               const char          *server_url,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       gig_account_restore_finish     (GigAccount          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Closes the account, then forgets the sign-in and removes the account's local data. Ask the
 * user first about unsent work. */
void           gig_account_sign_out_async     (GigAccount          *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       gig_account_sign_out_finish    (GigAccount          *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Plain http:// to another computer: a password would cross the network unencrypted. */
gboolean       gig_account_server_url_is_insecure (const char      *url);

G_END_DECLS
