/* gig-project-page.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-project-page.h"
#include "core/gig-id.h"
#include "chat/gig-chat-view.h"
#include "chat/gig-chat-window.h"
#include "gig-conflict-dialog.h"
#include "gig-milestone-dialog.h"
#include "gig-project-dialog.h"
#include "gig-proposal-row.h"
#include "gig-ui-util.h"
#include "model/gig-money.h"
#include "gig-window.h"
#include "model/gig-milestone.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"
#include "model/gig-user.h"

/* A project has a handful of proposals and milestones; more than this is not a real project. */
#define MAX_CHILDREN 500

struct _GigProjectPage
{
  AdwBin              parent_instance;

  GigStore           *store;
  GigChatClient      *chat_client;
  char               *chat_cid;      /* channel shown in chat_slot, NULL for the placeholder */
  char               *me;
  char               *project_id;
  GigProject         *project;
  GigLocalState       state;
  gboolean            folded;
  gboolean            is_owner;
  gboolean            is_hired;
  char               *my_proposal;   /* my proposal on this project (any state), if any */
  double              budget;

  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  guint               reveal_source;
  GtkRevealer        *state_revealer;
  GtkLabel           *state_label;
  GtkButton          *state_button;
  AdwViewStack       *view_stack;
  GtkLabel           *title_label;
  AdwActionRow       *budget_row;
  GtkLabel           *status_pill;
  AdwActionRow       *owner_row;
  AdwActionRow       *hired_row;
  AdwActionRow       *created_row;
  GtkLabel           *description_label;
  GtkButton          *proposal_button;
  AdwViewStackPage   *proposals_page;
  GtkStack           *proposals_stack;
  AdwStatusPage      *proposals_status;
  GtkListBox         *proposals_list;
  AdwViewStackPage   *milestones_page;
  GtkLabel           *totals_label;
  GtkProgressBar     *approved_bar;
  GtkListBox         *milestones_list;
  GtkButton          *add_milestone_button;
  AdwBin             *chat_slot;
  AdwViewStackPage   *chat_page;
  AdwStatusPage      *chat_placeholder;
};

enum {
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GigProjectPage, gig_project_page, ADW_TYPE_BIN)

static void
toast (GigProjectPage *self,
       AdwToast       *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GIG_IS_WINDOW (root))
    gig_window_add_toast (GIG_WINDOW (root), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
toast_error (GigProjectPage *self,
             const GError   *error)
{
  toast (self, adw_toast_new (error->message));
}

static char *
user_name (GigProjectPage *self,
           const char     *user_id)
{
  g_autoptr(GigUser) user = NULL;
  const char *name;

  if (user_id == NULL || *user_id == '\0')
    return g_strdup (_("Nobody yet"));
  if (g_strcmp0 (user_id, self->me) == 0)
    return g_strdup (_("You"));

  user = gig_user_load (self->store, user_id);
  name = user != NULL ? gig_user_get_name (user) : NULL;
  return g_strdup (name != NULL && *name != '\0' ? name : _("Someone"));
}

static gboolean
update_fields (GigProjectPage *self,
               GigCollection   collection,
               const char     *id,
               JsonObject     *fields)
{
  g_autoptr(GError) error = NULL;

  if (!gig_store_update_record (self->store, collection, id, fields, &error))
    {
      toast_error (self, error);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
children (GigProjectPage *self,
          GigCollection   collection,
          GigStoreSort    sort)
{
  /* A draft belongs on its project's page (with Continue Your Draft), not only in Drafts. */
  g_autoptr(GigStoreQuery) query = gig_store_query_new (collection,
                                                        collection == GIG_COLLECTION_PROPOSALS
                                                          ? GIG_STORE_SCOPE_WITH_DRAFTS
                                                          : GIG_STORE_SCOPE_ALL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;

  query->project = g_strdup (self->project_id);
  query->me = g_strdup (self->me);
  query->sort = sort;
  ids = gig_store_query_ids (self->store, query, 0, MAX_CHILDREN, &error);
  if (ids == NULL)
    {
      g_warning ("Could not list %s: %s", gig_collection_to_string (collection), error->message);
      return g_ptr_array_new_with_free_func (g_object_unref);
    }

  return gig_record_load_many (self->store, collection, (const char * const *) ids);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
state_icon_for (GigProjectPage *self,
                GigCollection   collection,
                const char     *id,
                GigLocalState  *out_state)
{
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;
  g_autofree char *error_message = NULL;
  const char *icon;
  GtkWidget *image;

  gig_store_get_record_meta (self->store, collection, id, &state, &error_message, NULL);
  if (out_state != NULL)
    *out_state = state;

  icon = gig_ui_local_state_icon (state);
  if (icon == NULL)
    return NULL;

  image = gtk_image_new_from_icon_name (icon);
  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (image, error_message != NULL ? error_message : gig_ui_local_state_tooltip (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gig_ui_local_state_tooltip (state), -1);
  if (state == GIG_LOCAL_STATE_FAILED)
    gtk_widget_add_css_class (image, "error");
  else if (state == GIG_LOCAL_STATE_CONFLICT)
    gtk_widget_add_css_class (image, "warning");

  return image;
}

static GtkWidget *
make_button (const char *label,
             const char *style)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);

  return button;
}

/* The record's status as far as the server has it (see gig_ui_record_status_label). */
static GtkWidget *
make_record_pill (GigProjectPage *self,
                  GigRecord      *record)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gig_ui_set_record_pill (GTK_LABEL (label), record, self->store);
  return label;
}

/* ---- conflicts ------------------------------------------------------------------------------- */

static void
open_conflict (GigProjectPage *self,
               GigCollection   collection,
               const char     *id)
{
  GigConflictDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  dialog = gig_conflict_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                    self->store, collection, id);
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_child_resolve_clicked (GtkButton      *button,
                          GigProjectPage *self)
{
  open_conflict (self,
                 GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "collection")),
                 g_object_get_data (G_OBJECT (button), "record-id"));
}

static GtkWidget *
make_resolve_button (GigProjectPage *self,
                     GigCollection   collection,
                     const char     *id)
{
  GtkWidget *button = make_button (_("_Resolve…"), NULL);

  g_object_set_data (G_OBJECT (button), "collection", GINT_TO_POINTER (collection));
  g_object_set_data_full (G_OBJECT (button), "record-id", g_strdup (id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_child_resolve_clicked), self);
  return button;
}

/* ---- proposals ------------------------------------------------------------------------------- */

typedef struct
{
  GigProjectPage *self;
  GigCollection   collection;
  char           *record_id;     /* the record decided on: a proposal or a milestone */
  JsonObject     *fields;        /* its new status */
} ProposalDecision;

static void
proposal_decision_free (gpointer  data,
                        GClosure *closure)
{
  ProposalDecision *decision = data;

  g_object_unref (decision->self);
  g_free (decision->record_id);
  json_object_unref (decision->fields);
  g_free (decision);
}

static void
on_decision_response (AdwMessageDialog *dialog,
                      const char       *response,
                      ProposalDecision *decision)
{
  if (g_strcmp0 (response, "confirm") == 0)
    update_fields (decision->self, decision->collection, decision->record_id, decision->fields);
}

/* Accept, reject and withdraw are not undoable on the server, so each asks first. */
static void
confirm_proposal_status (GigProjectPage    *self,
                         const char        *proposal_id,
                         GigProposalStatus  status)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  ProposalDecision *decision = g_new0 (ProposalDecision, 1);
  AdwMessageDialog *dialog;
  const char *heading, *body, *label;
  AdwResponseAppearance appearance = ADW_RESPONSE_SUGGESTED;

  if (status == GIG_PROPOSAL_STATUS_ACCEPTED)
    {
      heading = _("Accept Proposal?");
      body = _("The freelancer is hired and the project moves to in progress. Other proposals can no longer be accepted.");
      label = _("_Accept");
    }
  else if (status == GIG_PROPOSAL_STATUS_REJECTED)
    {
      heading = _("Reject Proposal?");
      body = _("The freelancer is told that the proposal was not accepted.");
      label = _("_Reject");
      appearance = ADW_RESPONSE_DESTRUCTIVE;
    }
  else
    {
      heading = _("Withdraw Proposal?");
      body = _("The client will no longer see your proposal.");
      label = _("_Withdraw");
      appearance = ADW_RESPONSE_DESTRUCTIVE;
    }

  decision->self = g_object_ref (self);
  decision->collection = GIG_COLLECTION_PROPOSALS;
  decision->record_id = g_strdup (proposal_id);
  decision->fields = gig_proposal_status_fields (status);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "confirm", label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm", appearance);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_decision_response), decision,
                         proposal_decision_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* project.accept-proposal, .reject-proposal, .withdraw-proposal, .edit-proposal: the proposal
 * id is the target, as the rows' buttons set it. */
static void
proposal_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (g_str_equal (action_name, "project.edit-proposal"))
    {
      if (GIG_IS_WINDOW (root))
        gig_window_edit_proposal (GIG_WINDOW (root), self->project_id, id);
      return;
    }

  confirm_proposal_status (self, id,
                           g_str_equal (action_name, "project.accept-proposal") ? GIG_PROPOSAL_STATUS_ACCEPTED
                           : g_str_equal (action_name, "project.reject-proposal") ? GIG_PROPOSAL_STATUS_REJECTED
                           : GIG_PROPOSAL_STATUS_WITHDRAWN);
}

static guint
fill_proposals (GigProjectPage *self)
{
  g_autoptr(GPtrArray) records = children (self, GIG_COLLECTION_PROPOSALS, GIG_STORE_SORT_NEWEST);
  const char *currency = gig_project_get_currency (self->project);
  guint shown = 0;

  clear_list (self->proposals_list);
  g_clear_pointer (&self->my_proposal, g_free);

  for (guint i = 0; i < records->len; i++)
    {
      GigProposal *proposal = g_ptr_array_index (records, i);
      GigRecord *record = GIG_RECORD (proposal);
      const char *id = gig_record_get_id (record);
      gint64 days = gig_proposal_get_estimated_days (proposal);
      g_autofree char *amount = NULL;
      g_autofree char *terms = NULL;
      g_autofree char *name = NULL;
      GigProposalRow *row;
      GtkWidget *icon;
      GigLocalState state;

      if (gig_proposal_is_by (proposal, self->me) && self->my_proposal == NULL)
        self->my_proposal = g_strdup (id);

      /* The owner sees every proposal, a freelancer only their own. */
      if (!gig_proposal_is_visible_to (proposal, self->project, self->me))
        continue;
      icon = state_icon_for (self, GIG_COLLECTION_PROPOSALS, id, &state);

      name = user_name (self, gig_proposal_get_freelancer (proposal));
      amount = gig_money_format (gig_proposal_get_amount (proposal), currency);
      terms = g_strdup_printf (ngettext ("%s · %d day", "%s · %d days", (int) days), amount, (int) days);

      row = GIG_PROPOSAL_ROW (gig_proposal_row_new (id));
      gig_proposal_row_set_heading (row, name, terms);
      gig_proposal_row_set_record_status (row, record, self->store);
      if (icon != NULL)
        gig_proposal_row_add_suffix (row, icon);
      if (state == GIG_LOCAL_STATE_CONFLICT)
        gig_proposal_row_add_suffix (row, make_resolve_button (self, GIG_COLLECTION_PROPOSALS, id));

      if (gig_proposal_can_accept (proposal, self->project, self->me))
        gig_proposal_row_set_actions (row, GIG_PROPOSAL_ROW_DECIDE);
      else if (gig_proposal_is_by (proposal, self->me) && gig_record_is_draft (record))
        gig_proposal_row_set_actions (row, GIG_PROPOSAL_ROW_OWN_DRAFT);
      else if (gig_proposal_can_withdraw (proposal, self->me))
        gig_proposal_row_set_actions (row, GIG_PROPOSAL_ROW_OWN_SENT);
      gig_proposal_row_set_cover_letter (row, gig_proposal_get_cover_letter (proposal));

      gtk_list_box_append (self->proposals_list, GTK_WIDGET (row));
      shown++;
    }

  gtk_stack_set_visible_child_name (self->proposals_stack, shown > 0 ? "list" : "empty");
  adw_status_page_set_description (self->proposals_status,
                                   self->is_owner ? _("Freelancers’ proposals for this project appear here.")
                                                  : _("Your proposal for this project appears here once you write one."));
  return shown;
}

/* ---- milestones ------------------------------------------------------------------------------ */

/* A row under a submitted milestone with the owner's two answers, so that a narrow window
 * keeps the milestone's title readable. It carries the title for screen readers. */
static GtkWidget *
make_decision_row (GigProjectPage *self,
                   const char     *escaped_title,
                   GtkWidget      *request_changes,
                   GtkWidget      *approve)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), request_changes);
  gtk_box_append (GTK_BOX (box), approve);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

/* Approving releases the money and is final on the server: it names the amount and asks. */
static void
confirm_approval (GigProjectPage *self,
                  const char     *milestone_id)
{
  g_autoptr(GigMilestone) milestone = gig_milestone_load (self->store, milestone_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  ProposalDecision *decision;
  g_autofree char *amount = NULL;
  g_autofree char *freelancer = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (milestone == NULL)
    return;
  amount = gig_money_format (gig_milestone_get_amount (milestone), gig_project_get_currency (self->project));
  freelancer = user_name (self, gig_project_get_hired_freelancer (self->project));
  /* Translators: "Approving “Final logo” releases €1,200 to Bob. This can’t be undone." */
  body = g_strdup_printf (_("Approving “%s” releases %s to %s. This can’t be undone."),
                          gig_milestone_get_title (milestone), amount, freelancer);

  decision = g_new0 (ProposalDecision, 1);
  decision->self = g_object_ref (self);
  decision->collection = GIG_COLLECTION_MILESTONES;
  decision->record_id = g_strdup (milestone_id);
  decision->fields = gig_milestone_status_fields (GIG_MILESTONE_STATUS_APPROVED);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Approve Milestone?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "confirm", _("_Approve and Release"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_decision_response), decision,
                         proposal_decision_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Swaps the positions of two milestones: two small updates that merge like any other edit. */
static void
swap_milestones (GigProjectPage *self,
                 const char     *id,
                 const char     *other)
{
  g_autoptr(GigMilestone) a = gig_milestone_load (self->store, id);
  g_autoptr(GigMilestone) b = gig_milestone_load (self->store, other);
  g_autoptr(JsonObject) fa = NULL;
  g_autoptr(JsonObject) fb = NULL;
  gint64 pa, pb;

  if (a == NULL || b == NULL)
    return;
  pa = gig_milestone_get_position (a);
  pb = gig_milestone_get_position (b);
  if (pa == pb)
    pb = pa + 1;
  fa = gig_milestone_position_fields (pb);
  fb = gig_milestone_position_fields (pa);
  if (update_fields (self, GIG_COLLECTION_MILESTONES, id, fa))
    update_fields (self, GIG_COLLECTION_MILESTONES, other, fb);
}

static void
move_milestone (GigProjectPage     *self,
                const char         *id,
                GigMilestoneStatus  to)
{
  g_autoptr(JsonObject) fields = NULL;

  if (to == GIG_MILESTONE_STATUS_APPROVED)
    {
      confirm_approval (self, id);
      return;
    }

  fields = gig_milestone_status_fields (to);
  update_fields (self, GIG_COLLECTION_MILESTONES, id, fields);
}

static void
on_milestone_button_clicked (GtkButton      *button,
                             GigProjectPage *self)
{
  move_milestone (self,
                  g_object_get_data (G_OBJECT (button), "record-id"),
                  GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "move-to")));
}

/* project.edit-milestone (target: id) and project.move-milestone (target: id, the neighbour
 * it swaps places with), from a row's menu. */
static void
milestone_menu_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  const char *id = NULL, *other = NULL;

  if (g_variant_is_of_type (parameter, G_VARIANT_TYPE ("(ss)")))
    g_variant_get (parameter, "(&s&s)", &id, &other);
  else
    id = g_variant_get_string (parameter, NULL);

  if (other != NULL)
    {
      swap_milestones (self, id, other);
    }
  else
    {
      GtkRoot *root = gtk_widget_get_root (widget);
      GigMilestoneDialog *dialog = gig_milestone_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                             self->store, self->project_id, id);

      gtk_window_present (GTK_WINDOW (dialog));
    }
}

/* Edit and reorder go in one menu, so a row keeps room for its title at 360 px. */
static GtkWidget *
milestone_menu (const char *id,
                gboolean    can_edit,
                const char *previous_id,
                const char *next_id)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit…"), NULL);
  g_autoptr(GMenuItem) up = g_menu_item_new (_("Move _Up"), NULL);
  g_autoptr(GMenuItem) down = g_menu_item_new (_("Move _Down"), NULL);
  GtkWidget *button = gtk_menu_button_new ();

  if (can_edit)
    {
      g_menu_item_set_action_and_target_value (edit, "project.edit-milestone", g_variant_new_string (id));
      g_menu_append_item (menu, edit);
    }
  if (previous_id != NULL)
    {
      g_menu_item_set_action_and_target_value (up, "project.move-milestone", g_variant_new ("(ss)", id, previous_id));
      g_menu_append_item (menu, up);
    }
  if (next_id != NULL)
    {
      g_menu_item_set_action_and_target_value (down, "project.move-milestone", g_variant_new ("(ss)", id, next_id));
      g_menu_append_item (menu, down);
    }

  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Milestone Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Milestone Menu"), -1);
  return button;
}

static GtkWidget *
milestone_button (GigProjectPage     *self,
                  GtkWidget          *button,
                  const char         *id,
                  GigMilestoneStatus  move_to)
{
  g_object_set_data_full (G_OBJECT (button), "record-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (button), "move-to", GINT_TO_POINTER (move_to));
  g_signal_connect (button, "clicked", G_CALLBACK (on_milestone_button_clicked), self);
  return button;
}

static guint
fill_milestones (GigProjectPage *self)
{
  g_autoptr(GPtrArray) records = children (self, GIG_COLLECTION_MILESTONES, GIG_STORE_SORT_POSITION);
  const char *currency = gig_project_get_currency (self->project);
  g_autofree char *total_text = NULL;
  g_autofree char *approved_text = NULL;
  g_autofree char *budget_text = NULL;
  g_autofree char *totals = NULL;
  double total = 0, approved = 0;
  /* The server moves milestones only while the project is in progress. */
  gboolean moves_open = gig_project_milestones_move (self->project);
  GigProjectRole role = gig_project_get_role (self->project, self->me);

  clear_list (self->milestones_list);

  for (guint i = 0; i < records->len; i++)
    {
      GigMilestone *milestone = g_ptr_array_index (records, i);
      GigRecord *record = GIG_RECORD (milestone);
      const char *id = gig_record_get_id (record);
      double amount = gig_milestone_get_amount (milestone);
      g_autofree char *amount_text = gig_money_format (amount, currency);
      g_autofree char *due = gig_ui_format_day (gig_milestone_get_due_date (milestone));
      g_autofree char *subtitle = NULL;
      g_autofree char *escaped = g_markup_escape_text (gig_milestone_get_title (milestone) != NULL
                                                       ? gig_milestone_get_title (milestone) : "", -1);
      GigLocalState state;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = state_icon_for (self, GIG_COLLECTION_MILESTONES, id, &state);
      GtkWidget *decision = NULL;

      total += amount;
      if (gig_milestone_get_status_value (milestone) == GIG_MILESTONE_STATUS_APPROVED)
        approved += amount;

      subtitle = *due != '\0' ? g_strdup_printf (_("%s · due %s"), amount_text, due) : g_strdup (amount_text);
      if (state == GIG_LOCAL_STATE_FAILED)
        {
          /* A refused change is never dropped silently: the row says why. */
          g_autofree char *reason = NULL;
          g_autofree char *with_reason = NULL;

          gig_store_get_record_meta (self->store, GIG_COLLECTION_MILESTONES, id, NULL, &reason, NULL);
          /* Translators: "€1,200 · due 20 Dec 2026", then the server's reason */
          with_reason = g_strdup_printf (_("%s\nNot saved: %s"), subtitle,
                                         reason != NULL ? reason : _("The server refused this change"));
          g_free (subtitle);
          subtitle = g_steal_pointer (&with_reason);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      if (icon != NULL)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      if (state == GIG_LOCAL_STATE_CONFLICT)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), make_resolve_button (self, GIG_COLLECTION_MILESTONES, id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), make_record_pill (self, record));

      if (role == GIG_PROJECT_ROLE_OWNER)
        {
          /* Submitted work is approved (asked first: it releases the money) or sent back. The
           * two buttons get a row of their own below, so a narrow window keeps the title. */
          if (moves_open && gig_milestone_can_move_to (milestone, role, GIG_MILESTONE_STATUS_APPROVED))
            decision = make_decision_row (self, escaped,
                                          milestone_button (self, make_button (_("_Request Changes"), NULL),
                                                            id, GIG_MILESTONE_STATUS_IN_PROGRESS),
                                          milestone_button (self, make_button (_("_Approve…"), "suggested-action"),
                                                            id, GIG_MILESTONE_STATUS_APPROVED));
          /* Edit (while the terms are open) and reorder share one menu, so a row keeps room for
           * its title at 360 px. */
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     milestone_menu (id, gig_milestone_can_edit_terms (milestone),
                                                     i > 0 ? gig_record_get_id (g_ptr_array_index (records, i - 1)) : NULL,
                                                     i + 1 < records->len ? gig_record_get_id (g_ptr_array_index (records, i + 1)) : NULL));
        }
      else if (role == GIG_PROJECT_ROLE_HIRED)
        {
          if (moves_open && gig_milestone_can_move_to (milestone, role, GIG_MILESTONE_STATUS_IN_PROGRESS) &&
              gig_milestone_get_status_value (milestone) == GIG_MILESTONE_STATUS_PENDING)
            adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                       milestone_button (self, make_button (_("_Start"), NULL), id,
                                                         GIG_MILESTONE_STATUS_IN_PROGRESS));
          else if (moves_open && gig_milestone_can_move_to (milestone, role, GIG_MILESTONE_STATUS_SUBMITTED))
            adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                       milestone_button (self, make_button (_("S_ubmit"), "suggested-action"),
                                                         id, GIG_MILESTONE_STATUS_SUBMITTED));
        }

      gtk_list_box_append (self->milestones_list, row);
      if (decision != NULL)
        gtk_list_box_append (self->milestones_list, decision);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->milestones_list), records->len > 0);
  total_text = gig_money_format (total, currency);
  approved_text = gig_money_format (approved, currency);
  budget_text = gig_money_format (self->budget, currency);
  if (records->len == 0)
    totals = g_strdup (self->is_owner ? _("No milestones yet. Split the work into steps the freelancer can deliver.")
                                      : _("No milestones yet."));
  else
    /* Translators: "€1,500 planned of €2,000 budget · €500 approved" */
    totals = g_strdup_printf (_("%s planned of %s budget · %s approved"), total_text, budget_text, approved_text);
  gtk_label_set_text (self->totals_label, totals);
  if (total > self->budget && self->budget > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->totals_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->totals_label), "warning");
  gtk_progress_bar_set_fraction (self->approved_bar, self->budget > 0 ? CLAMP (approved / self->budget, 0, 1) : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->approved_bar), records->len > 0);

  return records->len;
}

/* ---- chat ------------------------------------------------------------------------------------ */

/* The project's channel has the owner and the hired freelancer as members: others get a note. */
static gboolean
chat_allowed (GigProjectPage *self)
{
  return self->chat_client != NULL && self->project != NULL && gig_project_has_hired (self->project) &&
         (self->is_owner || self->is_hired);
}

static void
update_chat (GigProjectPage *self)
{
  g_autofree char *cid = NULL;

  if (!chat_allowed (self))
    {
      g_clear_pointer (&self->chat_cid, g_free);
      if (adw_bin_get_child (self->chat_slot) != GTK_WIDGET (self->chat_placeholder))
        adw_bin_set_child (self->chat_slot, GTK_WIDGET (self->chat_placeholder));
      adw_status_page_set_description (self->chat_placeholder,
                                       self->chat_client == NULL
                                       ? _("Chat is not available while signed out.")
                                       : _("The client and the hired freelancer can talk here once someone is hired."));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.open-chat", FALSE);
      return;
    }

  cid = gig_chat_cid_for_project (self->project_id);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.open-chat", TRUE);
  if (g_strcmp0 (cid, self->chat_cid) == 0)
    return;

  g_free (self->chat_cid);
  self->chat_cid = g_steal_pointer (&cid);
  adw_bin_set_child (self->chat_slot,
                     gig_chat_view_new (self->chat_client, self->chat_cid,
                                        gig_project_get_title (self->project)));
}

void
gig_project_page_set_chat_client (GigProjectPage *self,
                                  GigChatClient  *client)
{
  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  if (!g_set_object (&self->chat_client, client))
    return;

  /* A view made for another account's client must go. */
  g_clear_pointer (&self->chat_cid, g_free);
  adw_bin_set_child (self->chat_slot, GTK_WIDGET (self->chat_placeholder));
  if (self->project != NULL)
    update_chat (self);
}

gboolean
gig_project_page_shows_chat (GigProjectPage *self,
                             const char     *cid)
{
  GtkWidget *view;

  g_return_val_if_fail (GIG_IS_PROJECT_PAGE (self), FALSE);

  view = adw_bin_get_child (self->chat_slot);
  return cid != NULL && g_strcmp0 (self->chat_cid, cid) == 0 && view != NULL && gtk_widget_get_mapped (view);
}

void
gig_project_page_set_chat_unread (GigProjectPage *self,
                                  guint           unread)
{
  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  /* The view switcher shows it on the Chat tab, wide and narrow. */
  adw_view_stack_page_set_badge_number (self->chat_page, unread);
  adw_view_stack_page_set_needs_attention (self->chat_page, unread > 0);
}

guint
gig_project_page_get_chat_unread (GigProjectPage *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT_PAGE (self), 0);

  return adw_view_stack_page_get_badge_number (self->chat_page);
}

static void
open_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  g_autofree char *cid = NULL;
  GtkWidget *window;

  if (!chat_allowed (self))
    return;

  cid = gig_chat_cid_for_project (self->project_id);
  window = gig_chat_window_new (app, self->chat_client, cid, gig_project_get_title (self->project));
  gtk_window_present (GTK_WINDOW (window));
}

/* ---- overview -------------------------------------------------------------------------------- */

static void
update_actions (GigProjectPage *self)
{
  gboolean live = self->project != NULL && !gig_record_get_deleted (GIG_RECORD (self->project));
  gboolean owner = live && self->is_owner;
  gboolean active = owner && gig_project_is_active (self->project);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.edit", owner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.complete",
                                 owner && gig_project_can_complete (self->project));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.cancel", owner && gig_project_can_cancel (self->project));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.trash", owner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.add-milestone", active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.write-proposal",
                                 live && !self->is_owner &&
                                 (self->my_proposal != NULL || gig_project_takes_proposals (self->project)));
  gtk_widget_set_visible (GTK_WIDGET (self->add_milestone_button), active);
}

static void
update_state_banner (GigProjectPage *self)
{
  g_autofree char *message = NULL;
  const char *text = NULL;
  const char *button = NULL;

  gig_store_get_record_meta (self->store, GIG_COLLECTION_PROJECTS, self->project_id, &self->state, &message, NULL);

  if (self->project != NULL && gig_record_get_deleted (GIG_RECORD (self->project)))
    {
      text = _("This project is in the trash.");
      button = self->is_owner ? _("_Restore") : NULL;
    }
  else if (self->state == GIG_LOCAL_STATE_CONFLICT)
    {
      text = _("This project was changed here and on the server.");
      button = _("_Resolve…");
    }
  else if (self->state == GIG_LOCAL_STATE_FAILED)
    {
      text = message != NULL ? message : _("The server refused the last change.");
    }
  else if (self->state == GIG_LOCAL_STATE_PENDING)
    {
      text = _("Changes are waiting to be sent.");
    }

  gtk_revealer_set_reveal_child (self->state_revealer, text != NULL);
  if (text != NULL)
    gtk_label_set_text (self->state_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->state_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->state_button, button);
}

static void
restore_project (GigProjectPage *self,
                 const char     *id)
{
  g_autoptr(JsonObject) fields = gig_record_trash_fields (FALSE);

  update_fields (self, GIG_COLLECTION_PROJECTS, id, fields);
}

static void
on_state_button_clicked (GigProjectPage *self)
{
  if (self->project != NULL && gig_record_get_deleted (GIG_RECORD (self->project)))
    restore_project (self, self->project_id);
  else if (self->state == GIG_LOCAL_STATE_CONFLICT)
    open_conflict (self, GIG_COLLECTION_PROJECTS, self->project_id);
}

void
gig_project_page_reload (GigProjectPage *self)
{
  g_autofree char *budget = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *hired = NULL;
  g_autofree char *created = NULL;
  const char *description;
  const char *title;
  guint n_proposals, n_milestones;

  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  if (self->store == NULL || self->project_id == NULL)
    return;

  g_clear_object (&self->project);
  self->project = gig_project_load (self->store, self->project_id);
  if (self->project == NULL)
    {
      gtk_label_set_text (self->title_label, _("This project is no longer available."));
      gtk_widget_set_visible (GTK_WIDGET (self->proposal_button), FALSE);
      return;
    }

  self->is_owner = gig_project_get_role (self->project, self->me) == GIG_PROJECT_ROLE_OWNER;
  self->is_hired = gig_project_get_role (self->project, self->me) == GIG_PROJECT_ROLE_HIRED;
  self->budget = gig_project_get_budget (self->project);
  title = gig_project_get_title (self->project) != NULL ? gig_project_get_title (self->project) : "";

  adw_view_switcher_title_set_title (self->switcher_title, title);
  gtk_label_set_text (self->title_label, title);
  budget = gig_money_format (self->budget, gig_project_get_currency (self->project));
  adw_action_row_set_subtitle (self->budget_row, budget);
  gig_ui_set_record_pill (self->status_pill, GIG_RECORD (self->project), self->store);
  owner = user_name (self, gig_project_get_owner (self->project));
  adw_action_row_set_subtitle (self->owner_row, owner);
  hired = user_name (self, gig_project_get_hired_freelancer (self->project));
  adw_action_row_set_subtitle (self->hired_row, hired);
  created = gig_ui_format_date (gig_record_get_created (GIG_RECORD (self->project)));
  adw_action_row_set_subtitle (self->created_row, *created != '\0' ? created : _("Not sent yet"));
  description = gig_project_get_description (self->project);
  gig_ui_set_linked_text (self->description_label,
                          description != NULL && *description != '\0' ? description : _("No description."));

  n_proposals = fill_proposals (self);
  n_milestones = fill_milestones (self);
  adw_view_stack_page_set_badge_number (self->proposals_page, self->is_owner ? n_proposals : 0);
  adw_view_stack_page_set_badge_number (self->milestones_page, n_milestones);

  /* The freelancer's call to action follows their proposal's state. */
  gtk_widget_set_visible (GTK_WIDGET (self->proposal_button), !self->is_owner);
  if (self->my_proposal != NULL)
    {
      g_autoptr(GigProposal) mine = gig_proposal_load (self->store, self->my_proposal);
      GigRecord *object = GIG_RECORD (mine);
      GigLocalState state = object != NULL ? gig_record_get_local_state (object) : GIG_LOCAL_STATE_SYNCED;
      g_autoptr(JsonObject) on_server = gig_store_get_server_record (self->store, GIG_COLLECTION_PROPOSALS,
                                                                     self->my_proposal);
      const char *css_class = NULL;

      if (state == GIG_LOCAL_STATE_DRAFT)
        gtk_button_set_label (self->proposal_button, _("_Continue Your Draft"));
      else if (on_server == NULL && state != GIG_LOCAL_STATE_FAILED)
        gtk_button_set_label (self->proposal_button, _("Proposal Waiting to Be Sent"));
      else
        {
          /* "Your Proposal: Waiting to Send" while a withdrawal has not reached the server. */
          g_autofree char *label = g_strdup_printf (_("Your Proposal: %s"),
                                                    object != NULL ? gig_ui_record_status_label (object, self->store,
                                                                                                 &css_class)
                                                                   : "");
          gtk_button_set_label (self->proposal_button, label);
        }
    }
  else
    {
      gtk_button_set_label (self->proposal_button, _("_Write a Proposal"));
    }

  update_chat (self);
  update_state_banner (self);
  update_actions (self);
}

/* ---- actions --------------------------------------------------------------------------------- */

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GigProjectDialog *dialog;

  dialog = gig_project_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->store, self->me, self->project_id);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
status_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);

  g_autoptr(JsonObject) fields = gig_project_status_fields (g_str_equal (action_name, "project.complete")
                                                            ? GIG_PROJECT_STATUS_COMPLETED
                                                            : GIG_PROJECT_STATUS_CANCELLED);

  update_fields (self, GIG_COLLECTION_PROJECTS, self->project_id, fields);
}

static void
on_undo_trash (AdwToast       *toast,
               GigProjectPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "record-id");

  restore_project (self, id);
}

static void
trash_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  g_autoptr(JsonObject) fields = gig_record_trash_fields (TRUE);
  AdwToast *undo;

  if (!update_fields (self, GIG_COLLECTION_PROJECTS, self->project_id, fields))
    return;

  undo = adw_toast_new (_("Project moved to trash"));
  adw_toast_set_button_label (undo, _("_Undo"));
  g_object_set_data_full (G_OBJECT (undo), "record-id", g_strdup (self->project_id), g_free);
  g_signal_connect_object (undo, "button-clicked", G_CALLBACK (on_undo_trash), self, 0);
  toast (self, undo);
}

static void
write_proposal_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!GIG_IS_WINDOW (root))
    return;

  if (self->my_proposal != NULL)
    {
      GigLocalState state = GIG_LOCAL_STATE_SYNCED;

      gig_store_get_record_meta (self->store, GIG_COLLECTION_PROPOSALS, self->my_proposal, &state, NULL, NULL);
      if (state != GIG_LOCAL_STATE_DRAFT)
        {
          gig_project_page_set_view (self, "proposals");
          return;
        }
    }

  gig_window_edit_proposal (GIG_WINDOW (root), self->project_id, self->my_proposal);
}

static void
add_milestone_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GigMilestoneDialog *dialog;

  dialog = gig_milestone_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                     self->store, self->project_id, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- narrow layout --------------------------------------------------------------------------- */

static gboolean
update_switcher_bar (gpointer user_data)
{
  GigProjectPage *self = user_data;

  self->reveal_source = 0;
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    adw_view_switcher_title_get_title_visible (self->switcher_title));
  return G_SOURCE_REMOVE;
}

/* The bottom switcher takes over when the title has no room for one. Revealing it from inside
 * the size allocation that changed title-visible makes libadwaita 1.2 allocate the bar's box at
 * a negative height, so it happens right after. */
static void
on_title_visible_changed (GigProjectPage *self)
{
  if (self->reveal_source == 0)
    self->reveal_source = g_idle_add (update_switcher_bar, self);
}

/* ---- public ---------------------------------------------------------------------------------- */

static void
on_store_changed (GigProjectPage *self,
                  int             collection,
                  GStrv           ids)
{
  if (self->project_id != NULL && collection != GIG_COLLECTION_CHAT_MESSAGES &&
      collection != GIG_COLLECTION_CHAT_CHANNELS)
    gig_project_page_reload (self);
}

void
gig_project_page_set_context (GigProjectPage *self,
                              GigStore       *store,
                              const char     *me)
{
  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  g_free (self->me);
  self->me = g_strdup (me);
  g_clear_pointer (&self->project_id, g_free);
  g_clear_object (&self->project);

  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
}

void
gig_project_page_set_project (GigProjectPage *self,
                              const char     *project_id)
{
  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  if (g_strcmp0 (self->project_id, project_id) != 0)
    {
      g_free (self->project_id);
      self->project_id = g_strdup (project_id);
      adw_view_stack_set_visible_child_name (self->view_stack, "overview");
    }

  gig_project_page_reload (self);
}

const char *
gig_project_page_get_project (GigProjectPage *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT_PAGE (self), NULL);

  return self->project_id;
}

void
gig_project_page_set_view (GigProjectPage *self,
                           const char     *name)
{
  g_return_if_fail (GIG_IS_PROJECT_PAGE (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
gig_project_page_dispose (GObject *object)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (object);

  g_clear_handle_id (&self->reveal_source, g_source_remove);
  /* The placeholder is kept while a chat view shows; drop the extra reference first. */
  g_clear_object (&self->chat_placeholder);
  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_PROJECT_PAGE);
  g_clear_object (&self->chat_client);
  g_clear_pointer (&self->chat_cid, g_free);
  g_clear_object (&self->store);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (gig_project_page_parent_class)->dispose (object);
}

static void
gig_project_page_finalize (GObject *object)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (object);

  g_free (self->me);
  g_free (self->project_id);
  g_free (self->my_proposal);

  G_OBJECT_CLASS (gig_project_page_parent_class)->finalize (object);
}

static void
gig_project_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_project_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GigProjectPage *self = GIG_PROJECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_project_page_class_init (GigProjectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_project_page_dispose;
  object_class->finalize = gig_project_page_finalize;
  object_class->get_property = gig_project_page_get_property;
  object_class->set_property = gig_project_page_set_property;

  /* Whether the window's leaflet is folded: the page then shows a back button. */
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-project-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, state_revealer);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, state_button);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, budget_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, status_pill);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, owner_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, hired_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, created_row);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, proposal_button);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, proposals_page);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, proposals_stack);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, proposals_status);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, proposals_list);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, milestones_page);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, totals_label);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, approved_bar);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, milestones_list);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, add_milestone_button);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, chat_slot);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, chat_page);
  gtk_widget_class_bind_template_child (widget_class, GigProjectPage, chat_placeholder);
  gtk_widget_class_bind_template_callback (widget_class, on_state_button_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_title_visible_changed);

  gtk_widget_class_install_action (widget_class, "project.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "project.complete", NULL, status_action);
  gtk_widget_class_install_action (widget_class, "project.cancel", NULL, status_action);
  gtk_widget_class_install_action (widget_class, "project.trash", NULL, trash_action);
  gtk_widget_class_install_action (widget_class, "project.write-proposal", NULL, write_proposal_action);
  gtk_widget_class_install_action (widget_class, "project.add-milestone", NULL, add_milestone_action);
  gtk_widget_class_install_action (widget_class, "project.open-chat", NULL, open_chat_action);
  gtk_widget_class_install_action (widget_class, "project.accept-proposal", "s", proposal_action);
  gtk_widget_class_install_action (widget_class, "project.reject-proposal", "s", proposal_action);
  gtk_widget_class_install_action (widget_class, "project.withdraw-proposal", "s", proposal_action);
  gtk_widget_class_install_action (widget_class, "project.edit-proposal", "s", proposal_action);
  gtk_widget_class_install_action (widget_class, "project.edit-milestone", "s", milestone_menu_action);
  gtk_widget_class_install_action (widget_class, "project.move-milestone", "(ss)", milestone_menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "project.trash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "project.open-chat", NULL);
}

static void
gig_project_page_init (GigProjectPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The placeholder moves in and out of the chat slot. */
  g_object_ref (self->chat_placeholder);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "project.open-chat", FALSE);
  update_actions (self);
}
