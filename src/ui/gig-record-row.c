/* gig-record-row.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gig-record-row.h"
#include "gig-ui-util.h"

struct _GigRecordRow
{
  GtkWidget  parent_instance;

  char      *id;

  GtkWidget *box;
  GtkLabel  *title_label;
  GtkLabel  *subtitle_label;
  GtkLabel  *status_label;
  GtkImage  *state_icon;
};

G_DEFINE_FINAL_TYPE (GigRecordRow, gig_record_row, GTK_TYPE_WIDGET)

GigRecordRow *
gig_record_row_new (void)
{
  return g_object_new (GIG_TYPE_RECORD_ROW, NULL);
}

const char *
gig_record_row_get_id (GigRecordRow *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_ROW (self), NULL);

  return self->id;
}

const char *
gig_record_row_get_title (GigRecordRow *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_ROW (self), NULL);

  return gtk_label_get_text (self->title_label);
}

void
gig_record_row_unbind (GigRecordRow *self)
{
  g_return_if_fail (GIG_IS_RECORD_ROW (self));

  g_clear_pointer (&self->id, g_free);
  gtk_label_set_text (self->title_label, "");
  gtk_label_set_text (self->subtitle_label, "");
  gtk_label_set_text (self->status_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), FALSE);
}

void
gig_record_row_bind (GigRecordRow  *self,
                     GigStore      *store,
                     GigCollection  collection,
                     const char    *id)
{
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;
  const char *icon;
  const char *title;

  g_return_if_fail (GIG_IS_RECORD_ROW (self));
  g_return_if_fail (GIG_IS_STORE (store));

  g_free (self->id);
  self->id = g_strdup (id);

  record = gig_store_get_record (store, collection, id);
  if (record == NULL)
    {
      gig_record_row_unbind (self);
      return;
    }
  gig_store_get_record_meta (store, collection, id, &state, NULL, NULL);

  if (collection == GIG_COLLECTION_PROPOSALS)
    {
      g_autoptr(JsonObject) project = gig_store_get_record (store, GIG_COLLECTION_PROJECTS,
                                                            gig_ui_json_string (record, "project"));
      const char *letter = gig_ui_json_string (record, "cover_letter");
      g_autofree char *first_line = g_strndup (letter, strcspn (letter, "\n"));

      title = project != NULL ? gig_ui_json_string (project, "title") : _("Unknown project");
      gtk_label_set_text (self->title_label, title);
      amount = gig_ui_format_amount (gig_ui_json_number (record, "amount"),
                                     gig_ui_json_string (project, "currency"));
      subtitle = *first_line != '\0' ? g_strdup_printf ("%s · %s", amount, first_line)
                                     : g_strdup (amount);
    }
  else
    {
      title = gig_ui_json_string (record, "title");
      gtk_label_set_text (self->title_label, title);
      amount = gig_ui_format_amount (gig_ui_json_number (record, "budget"),
                                     gig_ui_json_string (record, "currency"));
      subtitle = g_strdup (amount);
    }

  gtk_label_set_text (self->subtitle_label, subtitle);

  if (state == GIG_LOCAL_STATE_DRAFT)
    {
      gig_ui_set_status_pill (self->status_label, NULL);
      gtk_label_set_text (self->status_label, _("Draft"));
    }
  else
    {
      gig_ui_set_status_pill (self->status_label, gig_ui_json_string (record, "status"));
    }

  icon = gig_ui_local_state_icon (state);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), icon != NULL && state != GIG_LOCAL_STATE_DRAFT);
  if (icon != NULL)
    {
      gtk_image_set_from_icon_name (self->state_icon, icon);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), gig_ui_local_state_tooltip (state));
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, gig_ui_local_state_tooltip (state),
                                      -1);
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "warning");
  if (state == GIG_LOCAL_STATE_FAILED || state == GIG_LOCAL_STATE_CONFLICT)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), state == GIG_LOCAL_STATE_FAILED ? "error" : "warning");

  accessible = g_strdup_printf ("%s, %s, %s", title, subtitle, gtk_label_get_text (self->status_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
gig_record_row_dispose (GObject *object)
{
  GigRecordRow *self = GIG_RECORD_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_RECORD_ROW);
  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (gig_record_row_parent_class)->dispose (object);
}

static void
gig_record_row_class_init (GigRecordRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_record_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-record-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GigRecordRow, box);
  gtk_widget_class_bind_template_child (widget_class, GigRecordRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, GigRecordRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, GigRecordRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, GigRecordRow, state_icon);
}

static void
gig_record_row_init (GigRecordRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
