/* gig-conflict-dialog.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-conflict-dialog.h"
#include "gig-ui-util.h"
#include "model/gig-money.h"
#include "model/gig-record.h"

struct _GigConflictDialog
{
  AdwMessageDialog  parent_instance;

  GigStore         *store;
  GigCollection     collection;
  char             *id;
  GPtrArray        *fields;       /* char * */
  GHashTable       *mine_buttons; /* field → GtkCheckButton for "keep mine" */

  GtkBox           *fields_box;
};

G_DEFINE_FINAL_TYPE (GigConflictDialog, gig_conflict_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
value_text (JsonObject *object,
            const char *field)
{
  g_auto(GValue) value = G_VALUE_INIT;

  switch (gig_record_read_field (object, field, &value))
    {
    case GIG_FIELD_TEXT:
    case GIG_FIELD_OTHER:
      return g_value_dup_string (&value);
    /* A due date is a calendar day, read as everywhere else in the app. */
    case GIG_FIELD_DAY:
      return gig_ui_format_day (g_value_get_string (&value));
    /* Money reads as everywhere else in the app, by the locale's rules. */
    case GIG_FIELD_MONEY:
      return gig_money_format_number (g_value_get_double (&value));
    case GIG_FIELD_NUMBER:
      return g_strdup_printf ("%'g", g_value_get_double (&value));
    case GIG_FIELD_BOOLEAN:
      return g_strdup (g_value_get_boolean (&value) ? _("Yes") : _("No"));
    case GIG_FIELD_EMPTY:
    default:
      return g_strdup (_("(empty)"));
    }
}

static GtkWidget *
choice (const char *label,
        const char *value)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", label, value);
  GtkWidget *button = gtk_check_button_new ();
  GtkWidget *text_label = gtk_label_new (text);

  /* Values can be long: they wrap, so the dialog fits a narrow window. (The check button's own
   * label, set with a string, cannot be told to wrap.) */
  gtk_label_set_wrap (GTK_LABEL (text_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (text_label), 0);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (button), text_label);

  return button;
}

GStrv
gig_conflict_dialog_get_fields (GigConflictDialog *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv result;

  g_return_val_if_fail (GIG_IS_CONFLICT_DIALOG (self), NULL);

  for (guint i = 0; i < self->fields->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->fields, i));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

void
gig_conflict_dialog_choose (GigConflictDialog *self,
                            const char        *field,
                            gboolean           keep_mine)
{
  GtkCheckButton *mine;

  g_return_if_fail (GIG_IS_CONFLICT_DIALOG (self));

  mine = g_hash_table_lookup (self->mine_buttons, field);
  g_return_if_fail (mine != NULL);

  if (keep_mine)
    gtk_check_button_set_active (mine, TRUE);
  else
    gtk_check_button_set_active (g_object_get_data (G_OBJECT (mine), "theirs"), TRUE);
}

gboolean
gig_conflict_dialog_apply (GigConflictDialog *self,
                           GError           **error)
{
  g_return_val_if_fail (GIG_IS_CONFLICT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->fields->len; i++)
    {
      const char *field = g_ptr_array_index (self->fields, i);
      GtkCheckButton *mine = g_hash_table_lookup (self->mine_buttons, field);

      if (!gig_store_resolve_conflict (self->store, self->collection, self->id, field,
                                       gtk_check_button_get_active (mine), error))
        return FALSE;
    }

  return TRUE;
}

static void
gig_conflict_dialog_response (AdwMessageDialog *dialog,
                              const char       *response)
{
  GigConflictDialog *self = GIG_CONFLICT_DIALOG (dialog);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") == 0 && !gig_conflict_dialog_apply (self, &error))
    g_warning ("Could not resolve the conflict: %s", error->message);

  /* AdwMessageDialog has no default handler to chain up to in 1.2; keep it if one appears. */
  if (ADW_MESSAGE_DIALOG_CLASS (gig_conflict_dialog_parent_class)->response != NULL)
    ADW_MESSAGE_DIALOG_CLASS (gig_conflict_dialog_parent_class)->response (dialog, response);
}

GigConflictDialog *
gig_conflict_dialog_new (GtkWindow     *parent,
                         GigStore      *store,
                         GigCollection  collection,
                         const char    *id)
{
  g_autoptr(JsonObject) conflict = NULL;
  g_autoptr(JsonObject) local = NULL;
  g_auto(GStrv) fields = NULL;
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;
  GigConflictDialog *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  if (!gig_store_get_record_meta (store, collection, id, &state, NULL, &conflict) ||
      state != GIG_LOCAL_STATE_CONFLICT || conflict == NULL)
    return NULL;

  local = gig_store_get_record (store, collection, id);

  self = g_object_new (GIG_TYPE_CONFLICT_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  self->collection = collection;
  self->id = g_strdup (id);

  fields = gig_record_conflict_fields (conflict);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      const char *field = fields[i];
      g_autofree char *mine_text = value_text (local, field);
      g_autofree char *theirs_text = value_text (conflict, field);
      GtkWidget *group = adw_preferences_group_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *mine = choice (_("Yours"), mine_text);
      GtkWidget *theirs = choice (_("Server’s"), theirs_text);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), gig_record_field_label (field));
      gtk_check_button_set_group (GTK_CHECK_BUTTON (theirs), GTK_CHECK_BUTTON (mine));
      gtk_check_button_set_active (GTK_CHECK_BUTTON (theirs), TRUE);
      g_object_set_data (G_OBJECT (mine), "theirs", theirs);
      gtk_box_append (GTK_BOX (box), mine);
      gtk_box_append (GTK_BOX (box), theirs);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), box);
      gtk_box_append (self->fields_box, group);

      g_ptr_array_add (self->fields, g_strdup (field));
      g_hash_table_insert (self->mine_buttons, g_strdup (field), mine);
    }

  return self;
}

static void
gig_conflict_dialog_dispose (GObject *object)
{
  GigConflictDialog *self = GIG_CONFLICT_DIALOG (object);

  g_hash_table_remove_all (self->mine_buttons);
  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_CONFLICT_DIALOG);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (gig_conflict_dialog_parent_class)->dispose (object);
}

static void
gig_conflict_dialog_finalize (GObject *object)
{
  GigConflictDialog *self = GIG_CONFLICT_DIALOG (object);

  g_free (self->id);
  g_ptr_array_unref (self->fields);
  g_hash_table_unref (self->mine_buttons);

  G_OBJECT_CLASS (gig_conflict_dialog_parent_class)->finalize (object);
}

static void
gig_conflict_dialog_class_init (GigConflictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_conflict_dialog_dispose;
  object_class->finalize = gig_conflict_dialog_finalize;
  ADW_MESSAGE_DIALOG_CLASS (klass)->response = gig_conflict_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-conflict-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GigConflictDialog, fields_box);
}

static void
gig_conflict_dialog_init (GigConflictDialog *self)
{
  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->mine_buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
}
