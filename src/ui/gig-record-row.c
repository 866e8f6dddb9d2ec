/* gig-record-row.c
 *
 * SPDX-License-Identifier: MIT
 *
 * GtkListView (GTK 4.8) keeps up to 200 rows alive whatever its height, and builds and binds
 * all of them whenever its items are replaced (start-up, every search). So a row is as cheap
 * as it can be made: built in code rather than from a template, two labels (title and
 * subtitle share one, styled with Pango attributes instead of markup or extra widgets), the
 * sync-state icon made only for the few rows that need it, and style classes changed only
 * when they differ.
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gig-record-row.h"
#include "gig-ui-util.h"
#include "model/gig-money.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"

struct _GigRecordRow
{
  GtkWidget   parent_instance;

  char       *id;
  char       *title;
  char       *subtitle;
  const char *status_class;   /* static string: the pill's current style class */
  const char *icon_class;     /* static string or NULL: the icon's current style class */

  GtkLabel   *text_label;     /* title, a line break, subtitle */
  GtkImage   *state_icon;     /* NULL until a row shows a sync state */
  GtkLabel   *unread_label;   /* NULL until a row has unread chat messages */
  guint       unread;
  GtkLabel   *status_label;
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

  return self->title != NULL ? self->title : "";
}

const char *
gig_record_row_get_subtitle (GigRecordRow *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_ROW (self), NULL);

  return self->subtitle != NULL ? self->subtitle : "";
}

static void
set_status_class (GigRecordRow *self,
                  const char   *css_class)
{
  if (self->status_class == css_class)
    return;
  if (self->status_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->status_class);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css_class);
  self->status_class = css_class;
}

/* Title in bold over a smaller, dimmed subtitle, like the heading and caption + dim-label
 * style classes, in one layout. */
static void
set_text (GigRecordRow *self,
          const char   *title,
          const char   *subtitle)
{
  g_autofree char *text = NULL;
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  guint title_end;
  PangoAttribute *attr;

  title = title != NULL ? title : "";
  text = g_strconcat (title, "\n", subtitle, NULL);
  title_end = strlen (title);

  attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
  attr->end_index = title_end;
  pango_attr_list_insert (attrs, attr);

  attr = pango_attr_scale_new (PANGO_SCALE_SMALL);
  attr->start_index = title_end + 1;
  pango_attr_list_insert (attrs, attr);
  attr = pango_attr_foreground_alpha_new (0.55 * G_MAXUINT16);
  attr->start_index = title_end + 1;
  pango_attr_list_insert (attrs, attr);

  gtk_label_set_text (self->text_label, text);
  gtk_label_set_attributes (self->text_label, attrs);

  g_free (self->title);
  self->title = g_strdup (title);
  g_free (self->subtitle);
  self->subtitle = g_strdup (subtitle);
}

static void
set_state_icon (GigRecordRow  *self,
                GigLocalState  state)
{
  const char *icon = state != GIG_LOCAL_STATE_DRAFT ? gig_ui_local_state_icon (state) : NULL;
  const char *css_class = state == GIG_LOCAL_STATE_FAILED ? "error"
                          : state == GIG_LOCAL_STATE_CONFLICT ? "warning" : NULL;

  if (icon == NULL)
    {
      if (self->state_icon != NULL)
        gtk_widget_set_visible (GTK_WIDGET (self->state_icon), FALSE);
      return;
    }

  if (self->state_icon == NULL)
    {
      self->state_icon = GTK_IMAGE (gtk_image_new ());
      gtk_widget_set_valign (GTK_WIDGET (self->state_icon), GTK_ALIGN_CENTER);
      gtk_widget_insert_before (GTK_WIDGET (self->state_icon), GTK_WIDGET (self),
                                GTK_WIDGET (self->status_label));
    }

  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), gig_ui_local_state_tooltip (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, gig_ui_local_state_tooltip (state),
                                  -1);
  if (self->icon_class != css_class)
    {
      if (self->icon_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), self->icon_class);
      if (css_class != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), css_class);
      self->icon_class = css_class;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), TRUE);
}

void
gig_record_row_set_unread (GigRecordRow *self,
                           guint         unread)
{
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (GIG_IS_RECORD_ROW (self));

  if (self->unread == unread && (unread == 0 || self->unread_label != NULL))
    return;
  self->unread = unread;
  if (unread == 0)
    {
      if (self->unread_label != NULL)
        gtk_widget_set_visible (GTK_WIDGET (self->unread_label), FALSE);
      return;
    }

  /* Made only for the few rows that need it, like the state icon. */
  if (self->unread_label == NULL)
    {
      self->unread_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_set_valign (GTK_WIDGET (self->unread_label), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (self->unread_label), "unread-badge");
      gtk_widget_add_css_class (GTK_WIDGET (self->unread_label), "numeric");
      gtk_widget_insert_after (GTK_WIDGET (self->unread_label), GTK_WIDGET (self),
                               GTK_WIDGET (self->text_label));
    }
  text = unread > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", unread);
  description = g_strdup_printf (ngettext ("%u unread message", "%u unread messages", unread), unread);
  gtk_label_set_text (self->unread_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unread_label), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unread_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), TRUE);
}

guint
gig_record_row_get_unread (GigRecordRow *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_ROW (self), 0);

  return self->unread;
}

void
gig_record_row_unbind (GigRecordRow *self)
{
  g_return_if_fail (GIG_IS_RECORD_ROW (self));

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->subtitle, g_free);
}

void
gig_record_row_bind (GigRecordRow *self,
                     GigStore     *store,
                     GigRecord    *record)
{
  g_autofree char *amount = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;
  GigLocalState state;
  const char *status;
  const char *status_class = NULL;

  g_return_if_fail (GIG_IS_RECORD_ROW (self));
  g_return_if_fail (GIG_IS_STORE (store));
  g_return_if_fail (GIG_IS_RECORD (record));

  g_free (self->id);
  self->id = g_strdup (gig_record_get_id (record));
  state = gig_record_get_local_state (record);

  if (GIG_IS_PROPOSAL (record))
    {
      GigProposal *proposal = GIG_PROPOSAL (record);
      g_autoptr(GigProject) project = gig_project_load (store, gig_proposal_get_project (proposal));
      const char *letter = gig_proposal_get_cover_letter (proposal);
      const char *title = project != NULL ? gig_project_get_title (project) : NULL;
      g_autofree char *first_line = letter != NULL ? g_strndup (letter, strcspn (letter, "\n")) : g_strdup ("");

      amount = gig_money_format (gig_proposal_get_amount (proposal),
                                 project != NULL ? gig_project_get_currency (project) : NULL);
      subtitle = *first_line != '\0' ? g_strdup_printf ("%s · %s", amount, first_line)
                                     : g_strdup (amount);
      set_text (self, project != NULL ? (title != NULL ? title : "") : _("Unknown project"), subtitle);
    }
  else
    {
      GigProject *project = GIG_PROJECT (record);

      amount = gig_money_format (gig_project_get_budget (project), gig_project_get_currency (project));
      set_text (self, gig_project_get_title (project), amount);
    }

  /* "Waiting to Send" until the server has the status shown: never "Sent" before it is. */
  status = gig_ui_record_status_label (record, store, &status_class);
  set_status_class (self, status_class);
  gtk_label_set_text (self->status_label, status);
  set_state_icon (self, state);

  accessible = g_strdup_printf ("%s, %s, %s", self->title, self->subtitle,
                                gtk_label_get_text (self->status_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
gig_record_row_dispose (GObject *object)
{
  GigRecordRow *self = GIG_RECORD_ROW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->text_label = NULL;
  self->state_icon = NULL;
  self->unread_label = NULL;
  self->status_label = NULL;

  G_OBJECT_CLASS (gig_record_row_parent_class)->dispose (object);
}

static void
gig_record_row_finalize (GObject *object)
{
  GigRecordRow *self = GIG_RECORD_ROW (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->subtitle);

  G_OBJECT_CLASS (gig_record_row_parent_class)->finalize (object);
}

static void
gig_record_row_class_init (GigRecordRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_record_row_dispose;
  object_class->finalize = gig_record_row_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
gig_record_row_init (GigRecordRow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (widget)), 8);
  gtk_widget_set_margin_top (widget, 6);
  gtk_widget_set_margin_bottom (widget, 6);

  self->text_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->text_label, 0);
  gtk_label_set_ellipsize (self->text_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->text_label), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->text_label), widget);

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->status_label), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "status-pill");
  gtk_widget_set_parent (GTK_WIDGET (self->status_label), widget);
}
