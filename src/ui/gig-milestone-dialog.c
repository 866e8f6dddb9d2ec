/* gig-milestone-dialog.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-milestone-dialog.h"
#include "gig-ui-util.h"
#include "core/gig-id.h"
#include "model/gig-milestone.h"

struct _GigMilestoneDialog
{
  AdwMessageDialog  parent_instance;

  GigStore         *store;
  char             *project_id;
  char             *milestone_id;

  AdwEntryRow      *title_row;
  AdwEntryRow      *amount_row;
  AdwEntryRow      *due_row;
  GtkWidget        *calendar_button;
  GtkPopover       *calendar_popover;
  GtkCalendar      *calendar;
  GtkLabel         *error_label;
  gboolean          showing_calendar;
};

G_DEFINE_FINAL_TYPE (GigMilestoneDialog, gig_milestone_dialog, ADW_TYPE_MESSAGE_DIALOG)

void
gig_milestone_dialog_set_values (GigMilestoneDialog *self,
                                 const char         *title,
                                 const char         *amount,
                                 const char         *due)
{
  g_return_if_fail (GIG_IS_MILESTONE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title ? title : "");
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount ? amount : "");
  gtk_editable_set_text (GTK_EDITABLE (self->due_row), due ? due : "");
}

/* A typed or picked date → PocketBase datetime at midnight UTC (a due date is a calendar
 * day, not a moment); "" stays ""; NULL if it is not a date. */
static char *
parse_due (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  GDate date;

  if (*trimmed == '\0')
    return g_strdup ("");
  if (!gig_ui_parse_date_input (trimmed, &date))
    return NULL;
  dt = g_date_time_new_utc (g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 0, 0, 0);
  if (dt == NULL)
    return NULL;

  return gig_stamp_format (dt);
}

/* The calendar opens on the date in the field, or today. */
static void
on_calendar_shown (GigMilestoneDialog *self)
{
  g_autoptr(GDateTime) day = NULL;
  GDate date;

  if (gig_ui_parse_date_input (gtk_editable_get_text (GTK_EDITABLE (self->due_row)), &date))
    day = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 12, 0, 0);
  else
    day = g_date_time_new_now_local ();

  self->showing_calendar = TRUE;
  gtk_calendar_select_day (self->calendar, day);
  self->showing_calendar = FALSE;
}

static void
on_day_selected (GigMilestoneDialog *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  g_autofree char *text = NULL;
  GDate date;

  if (self->showing_calendar)
    return;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_date_time_get_day_of_month (day), g_date_time_get_month (day), g_date_time_get_year (day));
  text = gig_ui_format_date_input (&date);
  gtk_editable_set_text (GTK_EDITABLE (self->due_row), text);
  gtk_popover_popdown (self->calendar_popover);
}

gboolean
gig_milestone_dialog_is_valid (GigMilestoneDialog *self)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  const char *amount_text = gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
  g_autofree char *due = parse_due (gtk_editable_get_text (GTK_EDITABLE (self->due_row)));
  g_autoptr(GError) amount_error = NULL;
  double amount = 0;
  gboolean amount_ok = gig_ui_read_amount_row (GTK_WIDGET (self->amount_row), &amount, &amount_error);

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->due_row), "error");

  if (!amount_ok && *amount_text != '\0')
    {
      gtk_label_set_text (self->error_label, amount_error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
  if (due == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->due_row), "error");
      g_autoptr(GDate) example = g_date_new_dmy (24, G_DATE_DECEMBER, 2026);
      g_autofree char *example_text = gig_ui_format_date_input (example);
      g_autofree char *message = NULL;

      /* Translators: %s is an example date in the user's format, "12/24/2026" */
      message = g_strdup_printf (_("Enter the due date as %s, or pick it from the calendar."), example_text);
      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }

  return *title != '\0' && amount_ok && due != NULL;
}

static void
on_form_changed (GigMilestoneDialog *self)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save",
                                           gig_milestone_dialog_is_valid (self));
}

char *
gig_milestone_dialog_save (GigMilestoneDialog *self,
                           GError            **error)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *title = NULL;
  g_autofree char *due = NULL;
  double amount = 0;
  char *id = NULL;

  g_return_val_if_fail (GIG_IS_MILESTONE_DIALOG (self), NULL);

  if (!gig_milestone_dialog_is_valid (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The milestone is not complete"));
      return NULL;
    }

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  due = parse_due (gtk_editable_get_text (GTK_EDITABLE (self->due_row)));
  gig_ui_read_amount_row (GTK_WIDGET (self->amount_row), &amount, NULL);

  if (self->milestone_id != NULL)
    {
      g_autoptr(GigMilestone) milestone = gig_milestone_load (self->store, self->milestone_id);

      /* Started meanwhile (a live update while the dialog was open): the server would refuse. */
      if (milestone != NULL && !gig_milestone_can_edit_terms (milestone))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("Work on this milestone has started: its title, amount and due date were agreed and can’t be changed."));
          return NULL;
        }
      fields = gig_milestone_terms_fields (title, amount, due);
      if (!gig_store_update_record (self->store, GIG_COLLECTION_MILESTONES, self->milestone_id, fields, error))
        return NULL;
      return g_strdup (self->milestone_id);
    }

  fields = gig_milestone_new_fields (self->store, self->project_id, title, amount, due);
  if (!gig_store_create_record (self->store, GIG_COLLECTION_MILESTONES, fields, &id, error))
    return NULL;

  self->milestone_id = g_strdup (id);
  return id;
}

static void
gig_milestone_dialog_response (AdwMessageDialog *dialog,
                               const char       *response)
{
  GigMilestoneDialog *self = GIG_MILESTONE_DIALOG (dialog);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (g_strcmp0 (response, "save") == 0 && (id = gig_milestone_dialog_save (self, &error)) == NULL)
    g_warning ("Could not save the milestone: %s", error->message);

  /* AdwMessageDialog has no default handler to chain up to in 1.2; keep it if one appears. */
  if (ADW_MESSAGE_DIALOG_CLASS (gig_milestone_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (gig_milestone_dialog_parent_class)->response (dialog, response);
}

GigMilestoneDialog *
gig_milestone_dialog_new (GtkWindow  *parent,
                          GigStore   *store,
                          const char *project_id,
                          const char *milestone_id)
{
  GigMilestoneDialog *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  self = g_object_new (GIG_TYPE_MILESTONE_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  self->project_id = g_strdup (project_id);
  self->milestone_id = g_strdup (milestone_id);

  if (milestone_id != NULL)
    {
      g_autoptr(GigMilestone) milestone = gig_milestone_load (store, milestone_id);
      const char *stored_due = milestone != NULL ? gig_milestone_get_due_date (milestone) : NULL;
      const char *title = milestone != NULL ? gig_milestone_get_title (milestone) : NULL;
      g_autofree char *iso = g_strndup (stored_due != NULL ? stored_due : "", 10);
      g_autofree char *due = NULL;
      GDate date;

      /* The stored day, shown the way the user reads dates. */
      due = gig_ui_parse_date_input (iso, &date) ? gig_ui_format_date_input (&date) : g_strdup ("");
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Edit Milestone"));
      gig_milestone_dialog_set_values (self, title != NULL ? title : "", NULL, due);
      gig_ui_set_amount_row (GTK_WIDGET (self->amount_row),
                             milestone != NULL ? gig_milestone_get_amount (milestone) : 0, FALSE);
    }

  on_form_changed (self);
  g_signal_connect_object (self->title_row, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->amount_row, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->due_row, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);

  return self;
}

static void
gig_milestone_dialog_dispose (GObject *object)
{
  GigMilestoneDialog *self = GIG_MILESTONE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_MILESTONE_DIALOG);
  g_clear_object (&self->store);
  g_clear_pointer (&self->project_id, g_free);
  g_clear_pointer (&self->milestone_id, g_free);

  G_OBJECT_CLASS (gig_milestone_dialog_parent_class)->dispose (object);
}

static void
gig_milestone_dialog_class_init (GigMilestoneDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_milestone_dialog_dispose;
  ADW_MESSAGE_DIALOG_CLASS (klass)->response = gig_milestone_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-milestone-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, due_row);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, calendar_button);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, calendar_popover);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, GigMilestoneDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_shown);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
}

static void
gig_milestone_dialog_init (GigMilestoneDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
