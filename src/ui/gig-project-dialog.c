/* gig-project-dialog.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-project-dialog.h"
#include "gig-ui-util.h"
#include "model/gig-money.h"
#include "model/gig-project.h"

struct _GigProjectDialog
{
  AdwMessageDialog  parent_instance;

  GigStore         *store;
  char             *me;
  char             *project_id;

  AdwEntryRow      *title_row;
  AdwEntryRow      *budget_row;
  GtkTextView      *description_view;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (GigProjectDialog, gig_project_dialog, ADW_TYPE_MESSAGE_DIALOG)

void
gig_project_dialog_set_values (GigProjectDialog *self,
                               const char       *title,
                               const char       *budget,
                               const char       *description)
{
  g_return_if_fail (GIG_IS_PROJECT_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title ? title : "");
  gtk_editable_set_text (GTK_EDITABLE (self->budget_row), budget ? budget : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view),
                            description ? description : "", -1);
}

static void
show_error (GigProjectDialog *self,
            GtkWidget        *row,
            const char       *message)
{
  if (row != NULL)
    gtk_widget_add_css_class (row, "error");
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

char *
gig_project_dialog_save (GigProjectDialog *self,
                         GError          **error)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GError) budget_error = NULL;
  g_autofree char *description = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;
  double budget = 0;

  g_return_val_if_fail (GIG_IS_PROJECT_DIALOG (self), NULL);

  gtk_widget_remove_css_class (GTK_WIDGET (self->title_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->budget_row), "error");

  if (*title == '\0' || g_utf8_strlen (title, -1) > 200)
    {
      show_error (self, GTK_WIDGET (self->title_row), _("Give the project a title of up to 200 characters."));
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Title missing"));
      return NULL;
    }

  if (!gig_ui_read_amount_row (GTK_WIDGET (self->budget_row), &budget, &budget_error))
    {
      show_error (self, GTK_WIDGET (self->budget_row), budget_error->message);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, budget_error->message);
      return NULL;
    }

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  description = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

  if (self->project_id == NULL)
    {
      char *id = NULL;

      fields = gig_project_new_fields (self->me, title, budget, description);
      if (!gig_store_create_record (self->store, GIG_COLLECTION_PROJECTS, fields, &id, error))
        {
          show_error (self, NULL, (*error)->message);
          return NULL;
        }
      self->project_id = g_strdup (id);
      return id;
    }

  fields = gig_project_edit_fields (title, budget, description);
  if (!gig_store_update_record (self->store, GIG_COLLECTION_PROJECTS, self->project_id, fields, error))
    {
      show_error (self, NULL, (*error)->message);
      return NULL;
    }

  return g_strdup (self->project_id);
}

static void
gig_project_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  GigProjectDialog *self = GIG_PROJECT_DIALOG (dialog);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  /* Save is only enabled while the form is valid, so a failure here is the store's. */
  if (g_strcmp0 (response, "save") == 0 && (id = gig_project_dialog_save (self, &error)) == NULL)
    g_warning ("Could not save the project: %s", error->message);

  /* AdwMessageDialog has no default handler to chain up to in 1.2; keep it if one appears. */
  if (ADW_MESSAGE_DIALOG_CLASS (gig_project_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (gig_project_dialog_parent_class)->response (dialog, response);
}

/* Keeps Save disabled while the title is empty or the budget is not a number, and says why. */
static void
on_form_changed (GigProjectDialog *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  gboolean title_ok = *title != '\0' && g_utf8_strlen (title, -1) <= 200;
  g_autoptr(GError) budget_error = NULL;
  double budget = 0;
  gboolean budget_ok = gig_ui_read_amount_row (GTK_WIDGET (self->budget_row), &budget, &budget_error);

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (!budget_ok && !g_error_matches (budget_error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_EMPTY))
    show_error (self, GTK_WIDGET (self->budget_row), budget_error->message);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", title_ok && budget_ok);
}

GigProjectDialog *
gig_project_dialog_new (GtkWindow  *parent,
                        GigStore   *store,
                        const char *me,
                        const char *project_id)
{
  GigProjectDialog *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  self = g_object_new (GIG_TYPE_PROJECT_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  self->me = g_strdup (me);
  self->project_id = g_strdup (project_id);

  if (project_id != NULL)
    {
      g_autoptr(GigProject) project = gig_project_load (store, project_id);

      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Edit Project"));
      if (project != NULL)
        {
          gig_project_dialog_set_values (self, gig_project_get_title (project), NULL,
                                         gig_project_get_description (project));
          gig_ui_set_amount_row (GTK_WIDGET (self->budget_row), gig_project_get_budget (project), FALSE);
        }
    }

  on_form_changed (self);
  g_signal_connect_object (self->title_row, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->budget_row, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);

  return self;
}

static void
gig_project_dialog_dispose (GObject *object)
{
  GigProjectDialog *self = GIG_PROJECT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_PROJECT_DIALOG);
  g_clear_object (&self->store);
  g_clear_pointer (&self->me, g_free);
  g_clear_pointer (&self->project_id, g_free);

  G_OBJECT_CLASS (gig_project_dialog_parent_class)->dispose (object);
}

static void
gig_project_dialog_class_init (GigProjectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = gig_project_dialog_dispose;
  dialog_class->response = gig_project_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-project-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GigProjectDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectDialog, budget_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectDialog, description_view);
  gtk_widget_class_bind_template_child (widget_class, GigProjectDialog, error_label);
}

static void
gig_project_dialog_init (GigProjectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
