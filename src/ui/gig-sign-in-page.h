/* gig-sign-in-page.h: sign in or create an account
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "account/gig-account.h"

G_BEGIN_DECLS

#define GIG_TYPE_SIGN_IN_PAGE (gig_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (GigSignInPage, gig_sign_in_page, GIG, SIGN_IN_PAGE, AdwBin)

/* Signs @account in. The server address is read from and, after a successful sign-in, written
 * to @settings' "server-url". Emits "signed-in" (GigSession *) once the account is open. */
GigSignInPage *gig_sign_in_page_new          (GSettings     *settings,
                                              GigAccount    *account);
void           gig_sign_in_page_set_account  (GigSignInPage *self,
                                              GigAccount    *account);
/* Switches between signing in and creating an account. */
void           gig_sign_in_page_set_sign_up  (GigSignInPage *self,
                                              gboolean       sign_up);
gboolean       gig_sign_in_page_get_busy     (GigSignInPage *self);
/* The message shown under the form, or NULL when there is none. */
const char    *gig_sign_in_page_get_error    (GigSignInPage *self);
/* Shows a note above the form, e.g. that the session expired. */
/* The server the next sign-in goes to (the page starts with the one in the settings). */
void           gig_sign_in_page_set_server_url (GigSignInPage *self,
                                                const char    *url);
void           gig_sign_in_page_set_notice   (GigSignInPage *self,
                                              const char    *notice);

/* What the page says about the keyring: set when no keyring can remember a sign-in (checked
 * when the page is made, and by each sign-in), in which case the sign-in lasts for this run. */
const char    *gig_sign_in_page_get_keyring_problem (GigSignInPage *self);

/* Maps a sign-in failure to a sentence for the user. */
char          *gig_sign_in_describe_error    (const GError  *error,
                                              const char    *server_url);

G_END_DECLS
