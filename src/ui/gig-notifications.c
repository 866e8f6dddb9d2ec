/* gig-notifications.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gig-notifications.h"
#include "gig-ui-util.h"
#include "model/gig-chat-event.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"

GNotification *
gig_notification_for_remote_change (GigStore      *store,
                                    const char    *me,
                                    GigCollection  collection,
                                    JsonObject    *before,
                                    JsonObject    *after,
                                    char         **out_id)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GigRecord) was = NULL;
  g_autoptr(GigRecord) now = NULL;
  g_autoptr(GigProject) project = NULL;
  g_autofree char *body = NULL;
  GigProposal *proposal;
  GigProposalStatus status;
  const char *title = NULL;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  if (collection != GIG_COLLECTION_PROPOSALS || after == NULL || me == NULL)
    return NULL;

  now = gig_record_new_for_collection (GIG_COLLECTION_PROPOSALS, after, GIG_LOCAL_STATE_SYNCED);
  was = before != NULL ? gig_record_new_for_collection (GIG_COLLECTION_PROPOSALS, before, GIG_LOCAL_STATE_SYNCED) : NULL;
  proposal = GIG_PROPOSAL (now);
  project = gig_project_load (store, gig_proposal_get_project (proposal));
  if (project != NULL)
    title = gig_project_get_title (project);
  if (title == NULL)
    title = "";
  status = gig_proposal_get_status_value (proposal);

  if (gig_proposal_is_by (proposal, me) &&
      (was == NULL || gig_proposal_get_status_value (GIG_PROPOSAL (was)) != status) &&
      (status == GIG_PROPOSAL_STATUS_ACCEPTED || status == GIG_PROPOSAL_STATUS_REJECTED))
    {
      gboolean accepted = status == GIG_PROPOSAL_STATUS_ACCEPTED;

      notification = g_notification_new (accepted ? _("Proposal Accepted") : _("Proposal Not Accepted"));
      body = accepted ? g_strdup_printf (_("You are hired for “%s”."), title)
                      : g_strdup_printf (_("Your proposal for “%s” was not accepted."), title);
      g_notification_set_priority (notification, accepted ? G_NOTIFICATION_PRIORITY_HIGH
                                                          : G_NOTIFICATION_PRIORITY_NORMAL);
    }
  else if (was == NULL && project != NULL &&
           gig_project_get_role (project, me) == GIG_PROJECT_ROLE_OWNER &&
           !gig_proposal_is_by (proposal, me))
    {
      notification = g_notification_new (_("New Proposal"));
      body = g_strdup_printf (_("A freelancer sent a proposal for “%s”."), title);
    }

  if (notification == NULL)
    return NULL;

  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-project", "s",
                                                gig_proposal_get_project (proposal) != NULL
                                                ? gig_proposal_get_project (proposal) : "");
  if (out_id != NULL)
    *out_id = g_strdup_printf ("proposal-%s", gig_record_get_id (now) != NULL ? gig_record_get_id (now) : "");

  return g_steal_pointer (&notification);
}

gboolean
gig_notification_chat_text (GigStore    *store,
                            const char  *me,
                            const char  *cid,
                            JsonObject  *event,
                            char       **out_title,
                            char       **out_body,
                            char       **out_project_id)
{
  static const char prefix[] = "messaging:project-";
  g_autoptr(GigProject) project = NULL;
  const char *author_id, *name, *project_id = NULL, *title = NULL;

  g_return_val_if_fail (GIG_IS_STORE (store), FALSE);

  if (cid == NULL || !gig_chat_event_has_message (event))
    return FALSE;
  author_id = gig_chat_event_get_author_id (event);
  if (author_id == NULL || g_strcmp0 (author_id, me) == 0)
    return FALSE;

  name = gig_chat_event_get_author_name (event);
  if (g_str_has_prefix (cid, prefix) && cid[strlen (prefix)] != '\0')
    {
      project_id = cid + strlen (prefix);
      project = gig_project_load (store, project_id);
      title = project != NULL ? gig_project_get_title (project) : NULL;
    }
  if (out_title != NULL)
    /* Translators: a chat notification's title: who wrote · in which project */
    *out_title = project != NULL ? g_strdup_printf (_("%s · %s"), name, title != NULL ? title : "")
                                 : g_strdup (name);
  if (out_body != NULL)
    *out_body = g_strdup (gig_chat_event_get_text (event));
  if (out_project_id != NULL)
    *out_project_id = g_strdup (project_id);
  return TRUE;
}

GNotification *
gig_notification_for_chat_message (GigStore    *store,
                                   const char  *me,
                                   const char  *cid,
                                   JsonObject  *event,
                                   char       **out_id)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *project_id = NULL;

  if (!gig_notification_chat_text (store, me, cid, event, &title, &body, &project_id))
    return NULL;
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (project_id != NULL)
    g_notification_set_default_action_and_target (notification, "app.show-project", "s", project_id);
  if (out_id != NULL)
    *out_id = g_strconcat ("chat-", cid, NULL);
  return g_steal_pointer (&notification);
}
