/* gig-application.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "account/gig-account.h"

G_BEGIN_DECLS

#define GIG_TYPE_APPLICATION (gig_application_get_type ())

G_DECLARE_FINAL_TYPE (GigApplication, gig_application, GIG, APPLICATION, AdwApplication)

GigApplication *gig_application_new       (void);
GSettings      *gig_application_get_settings (GigApplication *self);
/* Whoever is signed in; the windows show it. */
GigAccount     *gig_application_get_account  (GigApplication *self);
/* The signed-in account's objects; NULL while signed out. */
GigSession     *gig_application_get_session  (GigApplication *self);
GigStore       *gig_application_get_store    (GigApplication *self);
GigSync        *gig_application_get_sync     (GigApplication *self);
GigChatClient  *gig_application_get_chat_client (GigApplication *self);

/* Binds Gigdesk's gettext domain and returns the folder its catalogs are read from:
 * $GIGDESK_LOCALEDIR when set (uninstalled runs: `meson devenv` and build-aux/run-local point it
 * at the build tree's compiled catalogs), otherwise the installed locale folder. */
const char     *gig_application_bind_text_domain (void);


G_END_DECLS
