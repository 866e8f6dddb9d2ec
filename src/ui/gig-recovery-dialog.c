/* gig-recovery-dialog.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-recovery-dialog.h"
#include "gig-resources.h"

struct _GigRecoveryDialog
{
  AdwMessageDialog  parent_instance;
};

G_DEFINE_FINAL_TYPE (GigRecoveryDialog, gig_recovery_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
gig_recovery_dialog_class_init (GigRecoveryDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* Links the resource bundle in (and so registers it) wherever this dialog is used. */
  (void) gig_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-recovery-dialog.ui");
}

static void
gig_recovery_dialog_init (GigRecoveryDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GigRecoveryDialog *
gig_recovery_dialog_new_question (GtkWindow  *parent,
                                  const char *problem)
{
  g_autofree char *body = g_strdup_printf (
    _("The copy of your account kept on this computer cannot be read: %s\n\n"
      "Gigdesk can set the damaged file aside (it is not deleted) and start a fresh copy, carrying "
      "over the changes, drafts and messages not yet sent that can still be read. Everything else "
      "is downloaded from the server again."), problem);

  GigRecoveryDialog *self = g_object_new (GIG_TYPE_RECOVERY_DIALOG, "transient-for", parent,
                                          "modal", TRUE, "body", body, NULL);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);

  adw_message_dialog_add_responses (dialog, "later", _("_Not Now"), "recover", _("_Recover"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "recover", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "recover");
  adw_message_dialog_set_close_response (dialog, "later");
  return self;
}

char *
gig_recovery_describe (const GigStoreRecovery *recovery)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (recovery != NULL, NULL);

  g_string_append (text, _("Carried over to the fresh copy:"));
  g_string_append_c (text, '\n');
  g_string_append_printf (text, ngettext ("• %u change waiting to be sent", "• %u changes waiting to be sent",
                                          recovery->changes), recovery->changes);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, ngettext ("• %u draft", "• %u drafts", recovery->drafts), recovery->drafts);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, ngettext ("• %u other edited record", "• %u other edited records",
                                          recovery->edits), recovery->edits);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, ngettext ("• %u unsent message", "• %u unsent messages", recovery->messages),
                          recovery->messages);
  g_string_append (text, "\n\n");
  if (!recovery->complete)
    {
      g_string_append_printf (text, _("Not everything could be read (%s): what was on the damaged "
                                      "part of the file is lost."), recovery->unreadable);
      g_string_append (text, "\n\n");
    }
  g_string_append_printf (text, _("The damaged file was kept as %s."), recovery->kept_path);
  return g_string_free (text, FALSE);
}

GigRecoveryDialog *
gig_recovery_dialog_new_report (GtkWindow              *parent,
                                const GigStoreRecovery *recovery)
{
  g_autofree char *body = gig_recovery_describe (recovery);
  GigRecoveryDialog *self = g_object_new (GIG_TYPE_RECOVERY_DIALOG, "transient-for", parent,
                                          "modal", TRUE, "body", body, NULL);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);

  adw_message_dialog_set_heading (dialog, recovery->complete ? _("Offline Data Recovered")
                                                             : _("Offline Data Partly Recovered"));
  adw_message_dialog_add_response (dialog, "close", _("_Continue"));
  adw_message_dialog_set_response_appearance (dialog, "close", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  return self;
}

/* ---- the whole flow ------------------------------------------------------------------------ */

typedef struct
{
  GtkWindow *parent;
  char      *path;
  GError    *problem;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->parent);
  g_free (data->path);
  g_clear_error (&data->problem);
  g_free (data);
}

static void
open_fresh (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GigStore *store = gig_store_new_for_path (data->path, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/* Closing a dialog answers it with its close response: only the first answer counts. */
static GTask *
take_task (AdwMessageDialog *dialog)
{
  return g_object_steal_data (G_OBJECT (dialog), "gig-recovery-task");
}

static void
give_task (GigRecoveryDialog *dialog,
           GTask             *task)
{
  g_object_set_data (G_OBJECT (dialog), "gig-recovery-task", task);
}

static void
on_report_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  GTask *task = take_task (dialog);

  if (task == NULL)
    return;
  open_fresh (task);
  g_object_unref (task);
}

static void
on_recovered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStoreRecovery) recovery = gig_store_recover_finish (result, &error);
  GigRecoveryDialog *report;

  if (recovery == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  report = gig_recovery_dialog_new_report (data->parent, recovery);
  give_task (report, task);
  g_signal_connect (report, "response", G_CALLBACK (on_report_response), NULL);
  gtk_window_present (GTK_WINDOW (report));
}

static void
on_question_response (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  GTask *task = take_task (dialog);
  OpenData *data;

  if (task == NULL)
    return;
  data = g_task_get_task_data (task);

  if (g_strcmp0 (response, "recover") != 0)
    {
      g_task_return_error (task, g_steal_pointer (&data->problem));
      g_object_unref (task);
      return;
    }
  gig_store_recover_async (data->path, g_task_get_cancellable (task), on_recovered, task);
}

static GTask *
open_task_new (GtkWindow           *parent,
               const char          *path,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  OpenData *data = g_new0 (OpenData, 1);

  g_task_set_source_tag (task, gig_recovery_open_store_async);
  data->parent = parent ? g_object_ref (parent) : NULL;
  data->path = g_strdup (path);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  return task;
}

/* Asks about data->problem; the answer goes on in on_question_response. */
static void
ask (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  GigRecoveryDialog *question;

  /* the user is told in the dialog; the log keeps it for a bug report */
  g_message ("%s", data->problem->message);
  question = gig_recovery_dialog_new_question (data->parent, data->problem->message);
  give_task (question, task);
  g_signal_connect (question, "response", G_CALLBACK (on_question_response), NULL);
  gtk_window_present (GTK_WINDOW (question));
}

void
gig_recovery_open_store_async (GtkWindow           *parent,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;
  GigStore *store;

  g_return_if_fail (path != NULL);

  task = open_task_new (parent, path, cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  store = gig_store_new_for_path (path, &data->problem);
  if (store != NULL)
    {
      g_task_return_pointer (task, store, g_object_unref);
      return;
    }
  if (!g_error_matches (data->problem, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT))
    {
      g_task_return_error (task, g_steal_pointer (&data->problem));
      return;
    }

  ask (g_steal_pointer (&task));
}

void
gig_recovery_recover_store_async (GtkWindow           *parent,
                                  const char          *path,
                                  const GError        *problem,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  OpenData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (problem != NULL);

  task = open_task_new (parent, path, cancellable, callback, user_data);
  data = g_task_get_task_data (task);
  data->problem = g_error_copy (problem);
  ask (task);
}

GigStore *
gig_recovery_open_store_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
