/* gig-session-private.h: GigSession's state setters for its other source files.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "session/gig-session.h"

G_BEGIN_DECLS

void gig_session_set_keyring_state (GigSession *self,
                                    gboolean    remembered,
                                    const char *problem);
void gig_session_set_signed_out    (GigSession *self);
/* Signed out: no user, no token, no refresh timer (the keyring and cache are the caller's). */
void gig_session_forget_account    (GigSession *self);
/* A token read back from the keyring: signed in, or sign-in-needed when it has expired. */
void gig_session_use_stored_token  (GigSession *self,
                                    const char *user_id,
                                    const char *token);

G_END_DECLS
