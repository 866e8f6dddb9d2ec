/* gig-notifications.h: what to tell the user about other people's changes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

/* A notification for a record someone else changed (GigSync's "remote-record-changed"), or NULL
 * when it does not concern @me: one of my proposals accepted or rejected, or a new proposal on a
 * project of mine. @out_id receives the notification id (one per proposal, so an update replaces
 * the earlier one). Clicking it activates app.show-project with the project id. */
GNotification *gig_notification_for_remote_change (GigStore      *store,
                                                   const char    *me,
                                                   GigCollection  collection,
                                                   JsonObject    *before,
                                                   JsonObject    *after,
                                                   char         **out_id);

G_END_DECLS
