/* gig-proposal-editor.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-proposal-editor.h"
#include "gig-ui-util.h"
#include "model/gig-money.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"

/* Long enough not to write on every keystroke, short enough that a crash loses a word or two. */
#define SAVE_DELAY_MS 400

struct _GigProposalEditor
{
  AdwWindow       parent_instance;

  GigStore       *store;
  char           *me;
  char           *project_id;
  char           *proposal_id;
  gboolean        is_draft;     /* FALSE for a proposal already sent */
  gboolean        loading;
  gboolean        dirty;        /* typed since the last save */
  guint           save_source;
  const char     *save_state;

  AdwWindowTitle *window_title;
  AdwEntryRow    *amount_row;
  AdwEntryRow    *days_row;
  GtkTextView    *cover_view;
  GtkLabel       *error_label;
  GtkLabel       *save_label;
  GtkButton      *send_button;
  GtkButton      *discard_button;
};

G_DEFINE_FINAL_TYPE (GigProposalEditor, gig_proposal_editor, ADW_TYPE_WINDOW)

const char *
gig_proposal_editor_get_proposal_id (GigProposalEditor *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_EDITOR (self), NULL);

  return self->proposal_id;
}

const char *
gig_proposal_editor_get_save_state (GigProposalEditor *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_EDITOR (self), NULL);

  return gtk_label_get_text (self->save_label);
}

gboolean
gig_proposal_editor_get_save_pending (GigProposalEditor *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_EDITOR (self), FALSE);

  return self->dirty;
}

static char *
get_cover_letter (GigProposalEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->cover_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* What the form holds, as the draft saves it (see gig_proposal_input_fields); Send checks it. */
static JsonObject *
collect_fields (GigProposalEditor *self)
{
  g_autofree char *letter = get_cover_letter (self);

  return gig_proposal_input_fields (gtk_editable_get_text (GTK_EDITABLE (self->amount_row)),
                                    gtk_editable_get_text (GTK_EDITABLE (self->days_row)),
                                    letter, self->proposal_id == NULL);
}

static void
set_save_label (GigProposalEditor *self,
                const char        *text)
{
  gtk_label_set_text (self->save_label, text);
}

gboolean
gig_proposal_editor_flush (GigProposalEditor *self,
                           GError           **error)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *new_id = NULL;

  g_return_val_if_fail (GIG_IS_PROPOSAL_EDITOR (self), FALSE);

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (!self->dirty)
    return TRUE;
  self->dirty = FALSE;

  if (!self->is_draft)
    return TRUE;

  fields = collect_fields (self);
  if (self->proposal_id == NULL)
    gig_proposal_add_draft_fields (fields, self->project_id, self->me);

  if (!gig_store_save_draft (self->store, fields, self->proposal_id,
                             self->proposal_id == NULL ? &new_id : NULL, error))
    {
      set_save_label (self, _("Could not save the draft"));
      return FALSE;
    }

  if (new_id != NULL)
    self->proposal_id = g_steal_pointer (&new_id);

  set_save_label (self, _("Draft saved"));
  gtk_widget_set_visible (GTK_WIDGET (self->discard_button), TRUE);
  return TRUE;
}

/* Checks the form by the proposal's rules (gig_proposal_check_input): each field is red exactly
 * while its text is wrong, so a correction clears the mark as it is typed; to send, an amount
 * that is missing is marked too. Returns the first problem, or NULL. */
static char *
check_fields (GigProposalEditor *self,
              gboolean           sending)
{
  g_autofree char *letter = sending ? get_cover_letter (self) : NULL;
  const char *days_text = gtk_editable_get_text (GTK_EDITABLE (self->days_row));
  g_autoptr(GError) error = NULL;
  double amount = 0;

  gig_ui_read_amount_row (GTK_WIDGET (self->amount_row), &amount, NULL);
  if (gig_proposal_days_valid (days_text))
    gtk_widget_remove_css_class (GTK_WIDGET (self->days_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->days_row), "error");

  if (gig_proposal_check_input (gtk_editable_get_text (GTK_EDITABLE (self->amount_row)), days_text,
                                letter, sending, &error))
    return NULL;
  if (sending && g_error_matches (error, GIG_PROPOSAL_ERROR, GIG_PROPOSAL_ERROR_AMOUNT))
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  return g_strdup (error->message);
}

static gboolean
save_timeout (gpointer user_data)
{
  GigProposalEditor *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_source = 0;
  if (!gig_proposal_editor_flush (self, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }

  return G_SOURCE_REMOVE;
}

static void
on_changed (GigProposalEditor *self)
{
  g_autofree char *message = NULL;

  if (self->loading)
    return;

  /* Wrong text is said at once, and the mark goes as soon as the text is right. */
  message = check_fields (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    gtk_label_set_text (self->error_label, message);

  if (!self->is_draft)
    {
      set_save_label (self, _("Unsaved changes"));
      return;
    }

  self->dirty = TRUE;
  set_save_label (self, _("Saving…"));
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout, self);
}

void
gig_proposal_editor_set_values (GigProposalEditor *self,
                                const char        *amount,
                                const char        *days,
                                const char        *cover_letter)
{
  g_return_if_fail (GIG_IS_PROPOSAL_EDITOR (self));

  if (amount != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount);
  if (days != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->days_row), days);
  if (cover_letter != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->cover_view), cover_letter, -1);
}

static gboolean
validate (GigProposalEditor *self,
          GError           **error)
{
  g_autofree char *message = check_fields (self, TRUE);

  if (message != NULL)
    {
      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
      return FALSE;
    }

  return TRUE;
}

gboolean
gig_proposal_editor_send (GigProposalEditor *self,
                          GError           **error)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL_EDITOR (self), FALSE);

  if (!validate (self, error))
    return FALSE;

  if (!self->is_draft)
    {
      g_autoptr(JsonObject) fields = collect_fields (self);

      if (!gig_store_update_record (self->store, GIG_COLLECTION_PROPOSALS, self->proposal_id, fields, error))
        return FALSE;
      set_save_label (self, _("Changes saved"));
      return TRUE;
    }

  /* Make sure the draft exists and holds the latest text before it turns into a send. */
  if (self->proposal_id == NULL)
    self->dirty = TRUE;
  if (!gig_proposal_editor_flush (self, error))
    return FALSE;
  if (!gig_store_send_draft (self->store, self->proposal_id, error))
    return FALSE;

  self->is_draft = FALSE;
  set_save_label (self, _("Sent"));
  return TRUE;
}

static void
on_send_clicked (GigProposalEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (!gig_proposal_editor_send (self, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        {
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
        }
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
close_later (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_discard_response (AdwMessageDialog  *dialog,
                     const char        *response,
                     GigProposalEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "discard") != 0)
    return;

  g_clear_handle_id (&self->save_source, g_source_remove);
  self->dirty = FALSE;
  if (self->proposal_id != NULL && !gig_store_discard_draft (self->store, self->proposal_id, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  /* The dialog is destroyed with its parent: close after it has finished responding. */
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, close_later, g_object_ref (self), g_object_unref);
}

/* A draft was never sent anywhere: once discarded nothing can bring it back, so ask first. */
static void
on_discard_clicked (GigProposalEditor *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Discard Draft?"),
                                                       _("The cover letter, amount and days written for this "
                                                         "proposal are deleted. This can’t be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
gig_proposal_editor_close_request (GtkWindow *window)
{
  GigProposalEditor *self = GIG_PROPOSAL_EDITOR (window);
  g_autoptr(GError) error = NULL;

  /* Closing never loses text: whatever is typed becomes the draft. */
  if (!gig_proposal_editor_flush (self, &error))
    g_warning ("Could not save the draft: %s", error->message);

  return GTK_WINDOW_CLASS (gig_proposal_editor_parent_class)->close_request (window);
}

static void
load (GigProposalEditor *self)
{
  g_autoptr(GigProject) project = gig_project_load (self->store, self->project_id);
  const char *title = project != NULL ? gig_project_get_title (project) : NULL;

  adw_window_title_set_subtitle (self->window_title, title != NULL ? title : "");

  self->is_draft = TRUE;
  if (self->proposal_id != NULL)
    {
      g_autoptr(GigProposal) proposal = gig_proposal_load (self->store, self->proposal_id);
      gint64 days = proposal != NULL ? gig_proposal_get_estimated_days (proposal) : 0;
      g_autofree char *days_text = days > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, days) : g_strdup ("");
      const char *letter = proposal != NULL ? gig_proposal_get_cover_letter (proposal) : NULL;

      /* A proposal that left the store is edited as a draft would be: nothing typed is lost. */
      self->is_draft = proposal == NULL || gig_record_is_draft (GIG_RECORD (proposal));

      self->loading = TRUE;
      gig_ui_set_amount_row (GTK_WIDGET (self->amount_row),
                             proposal != NULL ? gig_proposal_get_amount (proposal) : 0, TRUE);
      gig_proposal_editor_set_values (self, NULL, days_text, letter != NULL ? letter : "");
      self->loading = FALSE;
      set_save_label (self, self->is_draft ? _("Draft saved") : "");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->discard_button), self->is_draft && self->proposal_id != NULL);
  gtk_button_set_label (self->send_button, self->is_draft ? _("_Send Proposal") : _("_Save Changes"));
}

GigProposalEditor *
gig_proposal_editor_new (GigStore   *store,
                         const char *me,
                         const char *project_id,
                         const char *proposal_id)
{
  GigProposalEditor *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  self = g_object_new (GIG_TYPE_PROPOSAL_EDITOR, NULL);
  self->store = g_object_ref (store);
  self->me = g_strdup (me);
  self->project_id = g_strdup (project_id);
  self->proposal_id = g_strdup (proposal_id);
  load (self);

  g_signal_connect_object (self->amount_row, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->days_row, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->cover_view), "changed",
                           G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);

  return self;
}

static void
gig_proposal_editor_dispose (GObject *object)
{
  GigProposalEditor *self = GIG_PROPOSAL_EDITOR (object);

  g_clear_handle_id (&self->save_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_PROPOSAL_EDITOR);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (gig_proposal_editor_parent_class)->dispose (object);
}

static void
gig_proposal_editor_finalize (GObject *object)
{
  GigProposalEditor *self = GIG_PROPOSAL_EDITOR (object);

  g_free (self->me);
  g_free (self->project_id);
  g_free (self->proposal_id);

  G_OBJECT_CLASS (gig_proposal_editor_parent_class)->finalize (object);
}

static void
gig_proposal_editor_class_init (GigProposalEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gig_proposal_editor_dispose;
  object_class->finalize = gig_proposal_editor_finalize;
  window_class->close_request = gig_proposal_editor_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-proposal-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, amount_row);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, days_row);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, cover_view);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, save_label);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, send_button);
  gtk_widget_class_bind_template_child (widget_class, GigProposalEditor, discard_button);
  gtk_widget_class_bind_template_callback (widget_class, on_send_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_discard_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
gig_proposal_editor_init (GigProposalEditor *self)
{
  gig_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
