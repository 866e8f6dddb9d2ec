/* gig-proposal-row.c
 *
 * The HIG's shape for a decision in a list: the cover letter readable in the row (shortened
 * only when long), one suggested action (Accept), the other choice flat with destructive text.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-proposal-row.h"
#include "gig-ui-util.h"
#include "model/gig-record.h"

/* Lines of a long cover letter shown before "Show More". */
#define SHORT_LINES 6

struct _GigProposalRow
{
  GtkListBoxRow  parent_instance;

  char          *proposal_id;
  gboolean       letter_shortened;

  GtkWidget     *heading_box;
  GtkLabel      *name_label;
  GtkLabel      *terms_label;
  GtkLabel      *status_pill;
  GtkLabel      *letter_label;
  GtkWidget     *button_box;
  GtkWidget     *more_button;
  GtkWidget     *reject_button;
  GtkWidget     *accept_button;
  GtkWidget     *withdraw_button;
  GtkWidget     *edit_button;
};

G_DEFINE_FINAL_TYPE (GigProposalRow, gig_proposal_row, GTK_TYPE_LIST_BOX_ROW)

static void
set_letter_shortened (GigProposalRow *self,
                      gboolean        shortened)
{
  self->letter_shortened = shortened;
  gtk_label_set_lines (self->letter_label, shortened ? SHORT_LINES : -1);
  gtk_label_set_ellipsize (self->letter_label, shortened ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
}

static void
update_button_box (GigProposalRow *self)
{
  gboolean any = FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (self->button_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    any |= gtk_widget_get_visible (child);
  gtk_widget_set_visible (self->button_box, any);
}

static void
on_more_clicked (GigProposalRow *self)
{
  set_letter_shortened (self, FALSE);
  gtk_widget_set_visible (self->more_button, FALSE);
}

GtkWidget *
gig_proposal_row_new (const char *proposal_id)
{
  GigProposalRow *self;
  g_autoptr(GVariant) target = NULL;

  g_return_val_if_fail (proposal_id != NULL, NULL);

  self = g_object_new (GIG_TYPE_PROPOSAL_ROW, NULL);
  self->proposal_id = g_strdup (proposal_id);
  target = g_variant_ref_sink (g_variant_new_string (proposal_id));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->accept_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->reject_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->withdraw_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gig_proposal_row_set_actions (self, GIG_PROPOSAL_ROW_NO_ACTIONS);

  return GTK_WIDGET (self);
}

const char *
gig_proposal_row_get_proposal_id (GigProposalRow *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_ROW (self), NULL);

  return self->proposal_id;
}

void
gig_proposal_row_set_heading (GigProposalRow *self,
                              const char     *name,
                              const char     *terms)
{
  g_return_if_fail (GIG_IS_PROPOSAL_ROW (self));

  gtk_label_set_text (self->name_label, name);
  gtk_label_set_text (self->terms_label, terms);
}

void
gig_proposal_row_set_record_status (GigProposalRow *self,
                                    GigRecord      *record,
                                    GigStore       *store)
{
  g_return_if_fail (GIG_IS_PROPOSAL_ROW (self));

  gig_ui_set_record_pill (self->status_pill, record, store);
}

void
gig_proposal_row_set_cover_letter (GigProposalRow *self,
                                   const char     *text)
{
  gboolean long_letter;

  g_return_if_fail (GIG_IS_PROPOSAL_ROW (self));

  text = text != NULL ? text : "";
  gig_ui_set_linked_text (self->letter_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->letter_label), *text != '\0');
  long_letter = g_utf8_strlen (text, -1) > GIG_PROPOSAL_ROW_SHORT_LETTER;
  set_letter_shortened (self, long_letter);
  gtk_widget_set_visible (self->more_button, long_letter);
}

gboolean
gig_proposal_row_get_letter_shortened (GigProposalRow *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_ROW (self), FALSE);

  return self->letter_shortened;
}

void
gig_proposal_row_set_actions (GigProposalRow        *self,
                              GigProposalRowActions  actions)
{
  g_return_if_fail (GIG_IS_PROPOSAL_ROW (self));

  gtk_widget_set_visible (self->accept_button, actions == GIG_PROPOSAL_ROW_DECIDE);
  gtk_widget_set_visible (self->reject_button, actions == GIG_PROPOSAL_ROW_DECIDE);
  gtk_widget_set_visible (self->withdraw_button, actions == GIG_PROPOSAL_ROW_OWN_SENT);
  gtk_widget_set_visible (self->edit_button, actions == GIG_PROPOSAL_ROW_OWN_SENT ||
                                             actions == GIG_PROPOSAL_ROW_OWN_DRAFT);
  gtk_button_set_label (GTK_BUTTON (self->edit_button),
                        actions == GIG_PROPOSAL_ROW_OWN_DRAFT ? _("_Continue Writing") : _("_Edit"));
  /* A draft's one action is to go on writing it. */
  if (actions == GIG_PROPOSAL_ROW_OWN_DRAFT)
    gtk_widget_add_css_class (self->edit_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->edit_button, "suggested-action");
  gtk_widget_set_halign (self->edit_button, actions == GIG_PROPOSAL_ROW_OWN_DRAFT ? GTK_ALIGN_END : GTK_ALIGN_FILL);
  gtk_widget_set_hexpand (self->edit_button, actions == GIG_PROPOSAL_ROW_OWN_DRAFT);
  update_button_box (self);
}

void
gig_proposal_row_add_suffix (GigProposalRow *self,
                             GtkWidget      *widget)
{
  g_return_if_fail (GIG_IS_PROPOSAL_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  gtk_box_insert_child_after (GTK_BOX (self->heading_box), widget,
                              gtk_widget_get_prev_sibling (GTK_WIDGET (self->status_pill)));
}

static void
gig_proposal_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GIG_TYPE_PROPOSAL_ROW);

  G_OBJECT_CLASS (gig_proposal_row_parent_class)->dispose (object);
}

static void
gig_proposal_row_finalize (GObject *object)
{
  GigProposalRow *self = GIG_PROPOSAL_ROW (object);

  g_free (self->proposal_id);

  G_OBJECT_CLASS (gig_proposal_row_parent_class)->finalize (object);
}

static void
gig_proposal_row_class_init (GigProposalRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_proposal_row_dispose;
  object_class->finalize = gig_proposal_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-proposal-row.ui");
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, heading_box);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, terms_label);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, status_pill);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, letter_label);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, button_box);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, more_button);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, reject_button);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, withdraw_button);
  gtk_widget_class_bind_template_child (widget_class, GigProposalRow, edit_button);
  gtk_widget_class_bind_template_callback (widget_class, on_more_clicked);
}

static void
gig_proposal_row_init (GigProposalRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
