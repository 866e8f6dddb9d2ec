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
#include "core/gig-json.h"

GNotification *
gig_notification_for_remote_change (GigStore      *store,
                                    const char    *me,
                                    GigCollection  collection,
                                    JsonObject    *before,
                                    JsonObject    *after,
                                    char         **out_id)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(JsonObject) project = NULL;
  g_autofree char *body = NULL;
  const char *status;
  const char *title;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  if (collection != GIG_COLLECTION_PROPOSALS || after == NULL || me == NULL)
    return NULL;

  project = gig_store_get_record (store, GIG_COLLECTION_PROJECTS, gig_ui_json_string (after, "project"));
  title = project != NULL ? gig_ui_json_string (project, "title") : "";
  status = gig_ui_json_string (after, "status");

  if (g_strcmp0 (gig_ui_json_string (after, "freelancer"), me) == 0 &&
      g_strcmp0 (gig_ui_json_string (before, "status"), status) != 0 &&
      (g_str_equal (status, "accepted") || g_str_equal (status, "rejected")))
    {
      gboolean accepted = g_str_equal (status, "accepted");

      notification = g_notification_new (accepted ? _("Proposal Accepted") : _("Proposal Not Accepted"));
      body = accepted ? g_strdup_printf (_("You are hired for “%s”."), title)
                      : g_strdup_printf (_("Your proposal for “%s” was not accepted."), title);
      g_notification_set_priority (notification, accepted ? G_NOTIFICATION_PRIORITY_HIGH
                                                          : G_NOTIFICATION_PRIORITY_NORMAL);
    }
  else if (before == NULL && project != NULL &&
           g_strcmp0 (gig_ui_json_string (project, "owner"), me) == 0 &&
           g_strcmp0 (gig_ui_json_string (after, "freelancer"), me) != 0)
    {
      notification = g_notification_new (_("New Proposal"));
      body = g_strdup_printf (_("A freelancer sent a proposal for “%s”."), title);
    }

  if (notification == NULL)
    return NULL;

  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-project", "s",
                                                gig_ui_json_string (after, "project"));
  if (out_id != NULL)
    *out_id = g_strdup_printf ("proposal-%s", gig_ui_json_string (after, "id"));

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
  g_autoptr(JsonObject) project = NULL;
  JsonObject *message, *author;
  const char *author_id, *name, *project_id = NULL;

  g_return_val_if_fail (GIG_IS_STORE (store), FALSE);

  message = gig_json_object_get_object (event, "message");
  if (cid == NULL || message == NULL)
    return FALSE;
  author = gig_json_object_get_object (message, "user");
  author_id = gig_ui_json_string (author, "id");
  if (*author_id == '\0' || g_strcmp0 (author_id, me) == 0)
    return FALSE;

  name = *gig_ui_json_string (author, "name") != '\0' ? gig_ui_json_string (author, "name") : author_id;
  if (g_str_has_prefix (cid, prefix) && cid[strlen (prefix)] != '\0')
    {
      project_id = cid + strlen (prefix);
      project = gig_store_get_record (store, GIG_COLLECTION_PROJECTS, project_id);
    }
  if (out_title != NULL)
    /* Translators: a chat notification's title: who wrote · in which project */
    *out_title = project != NULL ? g_strdup_printf (_("%s · %s"), name, gig_ui_json_string (project, "title"))
                                 : g_strdup (name);
  if (out_body != NULL)
    *out_body = g_strdup (gig_ui_json_string (message, "text"));
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
