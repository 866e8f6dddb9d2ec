/* gcs-permissions.h: what a user token may do to a channel, by channel type
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GetStream's permission actions for channels (its "permissions reference" names them). */
typedef enum {
  GCS_ACTION_CREATE_CHANNEL,
  GCS_ACTION_UPDATE_CHANNEL,
  GCS_ACTION_UPDATE_CHANNEL_MEMBERS,
  GCS_ACTION_TRUNCATE_CHANNEL,
} GcsAction;

const char *gcs_action_name (GcsAction action);

gboolean    gcs_permissions_user_may (const char *channel_type,
                                      GcsAction   action,
                                      gboolean    owns_channel);

G_END_DECLS
