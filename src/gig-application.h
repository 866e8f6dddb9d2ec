/* gig-application.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"
#include "chat/gig-chat-client.h"

G_BEGIN_DECLS

#define GIG_TYPE_APPLICATION (gig_application_get_type ())

G_DECLARE_FINAL_TYPE (GigApplication, gig_application, GIG, APPLICATION, AdwApplication)

GigApplication *gig_application_new       (void);
GSettings      *gig_application_get_settings (GigApplication *self);
/* The signed-in account's objects; NULL while signed out. */
GigSession     *gig_application_get_session  (GigApplication *self);
GigStore       *gig_application_get_store    (GigApplication *self);
GigSync        *gig_application_get_sync     (GigApplication *self);
GigChatClient  *gig_application_get_chat_client (GigApplication *self);
/* Opens @session's account (its store and sync) and shows it in every window. */
gboolean        gig_application_adopt_session (GigApplication *self,
                                               GigSession     *session);

/* Binds Gigdesk's gettext domain and returns the folder its catalogs are read from:
 * $GIGDESK_LOCALEDIR when set (uninstalled runs: `meson devenv` and build-aux/run-local point it
 * at the build tree's compiled catalogs), otherwise the installed locale folder. */
const char     *gig_application_bind_text_domain (void);

/* Makes sure the bundled resources (templates, CSS, shortcuts) are registered. */
void            gig_resources_ensure      (void);

G_END_DECLS
