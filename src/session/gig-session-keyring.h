/* gig-session-keyring.h: the schema of GigSession's keyring item (private).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* "io.github.gigdesk.Gigdesk.Token" with the attributes "server" and "user-id". */
const SecretSchema *gig_session_token_schema        (void);

G_END_DECLS
