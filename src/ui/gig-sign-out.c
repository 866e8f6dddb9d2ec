/* gig-sign-out.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-sign-out.h"
#include "gig-window.h"

typedef struct
{
  GtkWindow *parent;
  GigStore  *store;
  GigSync   *sync;
  guint      timeout_id;
  gboolean   pushed;      /* the push finished or timed out */
} Confirm;

static void
confirm_free (Confirm *confirm)
{
  g_clear_handle_id (&confirm->timeout_id, g_source_remove);
  g_clear_object (&confirm->parent);
  g_clear_object (&confirm->store);
  g_clear_object (&confirm->sync);
  g_free (confirm);
}

/* Starts the next "• " line of the list. */
static GString *
line (GString *text)
{
  if (text->len > 0)
    g_string_append_c (text, '\n');
  return g_string_append (text, "• ");
}

char *
gig_sign_out_describe (const GigStoreUnsent *unsent)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (unsent != NULL, NULL);

  if ((n = unsent->proposals) > 0)
    g_string_append_printf (line (text), ngettext ("%u proposal waiting to be sent",
                                                   "%u proposals waiting to be sent", n), n);
  if ((n = unsent->drafts) > 0)
    g_string_append_printf (line (text), ngettext ("%u proposal draft", "%u proposal drafts", n), n);
  if ((n = unsent->projects) > 0)
    g_string_append_printf (line (text), ngettext ("%u project with changes not sent",
                                                   "%u projects with changes not sent", n), n);
  if ((n = unsent->milestones) > 0)
    g_string_append_printf (line (text), ngettext ("%u milestone with changes not sent",
                                                   "%u milestones with changes not sent", n), n);
  if (unsent->users > 0)
    g_string_append (line (text), _("Changes to your profile not sent"));
  if ((n = unsent->chat_messages) > 0)
    g_string_append_printf (line (text), ngettext ("%u chat message not sent", "%u chat messages not sent", n), n);

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  g_task_return_boolean (task, g_strcmp0 (response, "sign-out") == 0);
  g_object_unref (task);
}

static void
ask (GTask *task)
{
  Confirm *confirm = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autofree char *body = NULL;
  GigStoreUnsent unsent = { 0 };
  AdwMessageDialog *dialog;
  GigSyncState state;

  if (!gig_store_count_unsent (confirm->store, &unsent, &error))
    {
      /* Unable to tell what would be lost: treat it as something. */
      g_warning ("Could not count unsent work: %s", error->message);
    }
  list = gig_sign_out_describe (&unsent);
  if (list == NULL && error == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  state = confirm->sync != NULL ? gig_sync_get_state (confirm->sync) : GIG_SYNC_STATE_OFFLINE;
  /* Translators: followed by a list such as "• 1 proposal waiting to be sent". */
  body = g_strdup_printf ("%s\n\n%s%s%s",
                          _("This device has work the server doesn’t have yet. Signing out deletes it:"),
                          list != NULL ? list : _("• work that could not be counted"),
                          state == GIG_SYNC_STATE_OFFLINE || state == GIG_SYNC_STATE_SIGN_IN_NEEDED ? "\n\n" : "",
                          state == GIG_SYNC_STATE_OFFLINE
                            ? _("You are offline: connect and wait for it to be sent, then sign out.")
                            : state == GIG_SYNC_STATE_SIGN_IN_NEEDED
                              ? _("Sign in again to send it, then sign out.")
                              : "");

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (confirm->parent, _("Sign Out and Lose Unsent Work?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "sign-out", _("_Sign Out Anyway"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "sign-out", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), task);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
pushed (GTask *task)
{
  Confirm *confirm = g_task_get_task_data (task);

  if (confirm->pushed)
    return;
  confirm->pushed = TRUE;
  g_clear_handle_id (&confirm->timeout_id, g_source_remove);
  ask (task);
}

static void
push_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_sync_once_finish (GIG_SYNC (source), result, &error))
    g_debug ("Push before sign-out: %s", error->message);
  /* The task's own reference goes on to the dialog (or is returned) in ask(). */
  if (!((Confirm *) g_task_get_task_data (task))->pushed)
    pushed (g_object_ref (task));
}

static gboolean
push_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Confirm *confirm = g_task_get_task_data (task);

  confirm->timeout_id = 0;
  g_debug ("Push before sign-out: no answer in time");
  pushed (g_object_ref (task));
  return G_SOURCE_REMOVE;
}

void
gig_sign_out_confirm_async (GtkWindow           *parent,
                            GigStore            *store,
                            GigSync             *sync,
                            guint                push_timeout_ms,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Confirm *confirm;
  GigStoreUnsent unsent = { 0 };
  GigSyncState state;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (GIG_IS_STORE (store));
  g_return_if_fail (sync == NULL || GIG_IS_SYNC (sync));

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, gig_sign_out_confirm_async);
  confirm = g_new0 (Confirm, 1);
  confirm->parent = parent != NULL ? g_object_ref (parent) : NULL;
  confirm->store = g_object_ref (store);
  confirm->sync = sync != NULL ? g_object_ref (sync) : NULL;
  g_task_set_task_data (task, confirm, (GDestroyNotify) confirm_free);

  state = sync != NULL ? gig_sync_get_state (sync) : GIG_SYNC_STATE_OFFLINE;
  if (sync == NULL || state == GIG_SYNC_STATE_OFFLINE || state == GIG_SYNC_STATE_SIGN_IN_NEEDED ||
      !gig_store_count_unsent (store, &unsent, NULL) ||
      unsent.projects + unsent.proposals + unsent.milestones + unsent.users == 0)
    {
      confirm->pushed = TRUE;
      ask (g_steal_pointer (&task));
      return;
    }

  /* Online with changes waiting: send them first; whatever is left afterwards is asked about. */
  if (GIG_IS_WINDOW (parent))
    gig_window_add_toast (GIG_WINDOW (parent), adw_toast_new (_("Sending your changes before signing out…")));
  confirm->timeout_id = g_timeout_add (push_timeout_ms, push_timeout_cb, task);
  gig_sync_once_async (sync, NULL, push_cb, g_steal_pointer (&task));
}

gboolean
gig_sign_out_confirm_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), NULL);
}
