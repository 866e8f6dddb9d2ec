/* gcs-permissions.c: what a user token may do to a channel, by channel type
 *
 * On GetStream, a channel type's grants say which actions each role may take; server tokens
 * are never checked. Gigdesk's project channels are `messaging:project-<id>`, created and
 * kept by the backend alone: if a user could create one before the backend does (while its
 * provisioning job waits for a retry), they would be a member of that project's chat. So
 * the deployment takes CreateChannel, UpdateChannel and UpdateChannelMembers away from the
 * `user` role of the `messaging` type (pb/README.md, "Chat permissions"), and this server
 * holds the `messaging` type to exactly those grants. Other types keep GetStream's
 * defaults: any user may create a channel, its creator may update it and its members.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gcs-permissions.h"

typedef struct {
  const char *channel_type;
  gboolean    user_may_create;
  gboolean    owner_may_update;
  gboolean    owner_may_update_members;
  gboolean    owner_may_truncate;
} GcsTypeGrants;

static const GcsTypeGrants locked_types[] = {
  { "messaging", FALSE, FALSE, FALSE, FALSE },
};

static const GcsTypeGrants default_grants = { NULL, TRUE, TRUE, TRUE, TRUE };

const char *
gcs_action_name (GcsAction action)
{
  switch (action)
    {
    case GCS_ACTION_CREATE_CHANNEL:
      return "CreateChannel";
    case GCS_ACTION_UPDATE_CHANNEL:
      return "UpdateChannel";
    case GCS_ACTION_UPDATE_CHANNEL_MEMBERS:
      return "UpdateChannelMembers";
    case GCS_ACTION_TRUNCATE_CHANNEL:
      return "TruncateChannel";
    default:
      g_return_val_if_reached ("Unknown");
    }
}

static const GcsTypeGrants *
grants_for (const char *channel_type)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (locked_types); i++)
    if (g_strcmp0 (locked_types[i].channel_type, channel_type) == 0)
      return &locked_types[i];
  return &default_grants;
}

/* Whether a user (role `user`) may take `action` on a channel of `channel_type`;
 * `owns_channel` says whether they created it. */
gboolean
gcs_permissions_user_may (const char *channel_type,
                          GcsAction   action,
                          gboolean    owns_channel)
{
  const GcsTypeGrants *g = grants_for (channel_type);

  switch (action)
    {
    case GCS_ACTION_CREATE_CHANNEL:
      return g->user_may_create;
    case GCS_ACTION_UPDATE_CHANNEL:
      return owns_channel && g->owner_may_update;
    case GCS_ACTION_UPDATE_CHANNEL_MEMBERS:
      return owns_channel && g->owner_may_update_members;
    case GCS_ACTION_TRUNCATE_CHANNEL:
      return owns_channel && g->owner_may_truncate;
    default:
      return FALSE;
    }
}
