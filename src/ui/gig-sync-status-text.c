/* gig-sync-status-text.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gig-sync-status-text.h"

static char *
waiting_text (guint pending)
{
  return g_strdup_printf (ngettext ("%u change waiting", "%u changes waiting", pending), pending);
}

void
gig_sync_status_text_init (GigSyncStatusText *text,
                           GigSync           *sync)
{
  guint pending;

  g_return_if_fail (text != NULL);

  memset (text, 0, sizeof *text);
  if (sync == NULL)
    return;

  pending = gig_sync_get_pending_count (sync);
  text->tooltip = gig_sync_get_last_error (sync);
  text->button_label = _("_Retry");

  switch (gig_sync_get_status (sync))
    {
    case GIG_SYNC_STATUS_SYNCED:
      text->subtitle = g_strdup (_("Synced"));
      text->button_label = NULL;
      break;

    case GIG_SYNC_STATUS_SYNCING:
      {
        const char *progress = gig_sync_get_progress_text (sync);
        g_autofree char *waiting = NULL;

        if (progress == NULL || *progress == '\0')
          progress = pending > 0 ? (waiting = waiting_text (pending)) : NULL;
        text->subtitle = progress != NULL ? g_strdup_printf (_("Syncing · %s"), progress)
                                          : g_strdup (_("Syncing…"));
        text->button_label = NULL;
      }
      break;

    case GIG_SYNC_STATUS_OFFLINE:
      if (pending > 0)
        text->subtitle = g_strdup_printf (ngettext ("Offline · %u change waiting",
                                                    "Offline · %u changes waiting", pending), pending);
      else
        text->subtitle = g_strdup (_("Offline"));
      /* Say which of the two it is (the user can fix one of them, not the other) and what
       * waits: the subtitle is cut short in a narrow window, the banner is not. */
      if (gig_sync_get_server_reachable (sync) && pending > 0)
        text->banner = g_strdup_printf (ngettext ("You are offline. %u change is saved here and sent when the server is reachable.",
                                                  "You are offline. %u changes are saved here and sent when the server is reachable.",
                                                  pending), pending);
      else if (gig_sync_get_server_reachable (sync))
        text->banner = g_strdup (_("You are offline. Changes are saved here and sent when the server is reachable."));
      else if (pending > 0)
        text->banner = g_strdup_printf (ngettext ("The server is not answering. %u change is saved here and sent when it is back.",
                                                  "The server is not answering. %u changes are saved here and sent when it is back.",
                                                  pending), pending);
      else
        text->banner = g_strdup (_("The server is not answering. Changes are saved here and sent when it is back."));
      break;

    case GIG_SYNC_STATUS_CONFLICTS:
      {
        guint conflicts = gig_sync_get_conflict_count (sync);

        text->subtitle = g_strdup_printf (ngettext ("%u conflict", "%u conflicts", conflicts), conflicts);
        text->banner = g_strdup_printf (ngettext ("%u record was changed here and elsewhere. Open it to choose which changes to keep.",
                                                  "%u records were changed here and elsewhere. Open them to choose which changes to keep.",
                                                  conflicts), conflicts);
        text->button_label = NULL;
      }
      break;

    case GIG_SYNC_STATUS_ERROR:
      {
        guint failed = gig_sync_get_failed_count (sync);
        const char *message = gig_sync_get_last_error (sync);

        if (message == NULL && failed == 0)
          message = _("unknown error");

        if (failed > 0 && message == NULL)
          {
            /* Refused for good in an earlier cycle: retrying cannot help, the record must change. */
            text->subtitle = g_strdup_printf (ngettext ("%u change refused", "%u changes refused", failed), failed);
            text->banner = g_strdup_printf (ngettext ("The server refused %u change. It is kept here and marked on its record.",
                                                      "The server refused %u changes. They are kept here and marked on their records.",
                                                      failed), failed);
            text->button_label = NULL;
          }
        else
          {
            text->subtitle = failed > 0
              ? g_strdup_printf (ngettext ("%u change refused", "%u changes refused", failed), failed)
              : g_strdup (_("Sync problem"));
            text->banner = g_strdup_printf (_("Sync failed: %s"), message);
          }
      }
      break;

    case GIG_SYNC_STATUS_SIGN_IN_NEEDED:
    default:
      text->subtitle = g_strdup (_("Sign-in needed"));
      text->banner = g_strdup (_("Your session has expired. Sign in again to sync; your changes are kept."));
      text->button_label = _("_Sign In");
      break;
    }
}

void
gig_sync_status_text_clear (GigSyncStatusText *text)
{
  g_clear_pointer (&text->subtitle, g_free);
  g_clear_pointer (&text->banner, g_free);
}
