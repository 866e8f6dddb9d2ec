/* test-unsent.c: nothing a user did is lost or shown as done before the server has it, under
 * Xvfb against a real PocketBase: a draft shows on its project's page, discarding a draft asks
 * first, a queued proposal reads "Waiting to send", and signing out with unsent work asks.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "gig-test-pb.h"
#include "gig-test-ui.h"
#include "gig-application.h"
#include "store/gig-store-chat.h"
#include "ui/gig-window.h"
#include "ui/gig-sign-in-page.h"
#include "ui/gig-sign-out.h"
#include "ui/gig-proposal-editor.h"
#include "ui/gig-project-page.h"

typedef struct
{
  GigTestPb     *pb;
  GigTestPbUser *client;
  GigTestPbUser *freelancer;
  char          *dir;
  char          *project;
  GigSession    *session;
  GigStore      *store;
  GigSync       *sync;
  GigWindow     *window;
} Fixture;

/* ---- helpers --------------------------------------------------------------------------------- */

static GObject *
page_child (Fixture *f, const char *name)
{
  return gig_test_ui_child (gig_window_get_project_page (f->window), GIG_TYPE_PROJECT_PAGE, name);
}

static JsonObject *
rest (Fixture *f, const char *token, const char *method, const char *path, const char *body)
{
  return gig_test_pb_call_ok (f->pb, token, method, path, body);
}

/* Signs @user in (a new session) and opens a window over a synced store of theirs. */
static void
open_as (Fixture *f, GigTestPbUser *user)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (f->pb));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.sqlite", f->dir, user->id);

  f->session = gig_session_new (client);
  gig_session_sign_in_async (f->session, user->email, user->password, NULL, gig_test_ui_store_result, &result);
  g_assert_true (gig_session_sign_in_finish (f->session, gig_test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
  f->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  f->sync = gig_sync_new (f->store, gig_session_get_client (f->session), f->session);
  gig_test_ui_sync_once (f->sync);
  f->window = gig_test_ui_new_window (1200, 800);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, f->session, f->store, f->sync, NULL);

    gig_window_set_account (f->window, account);
  }
}

static void
close_account (Fixture *f)
{
  g_clear_pointer ((GtkWindow **) &f->window, gtk_window_destroy);
  gig_sync_stop (f->sync);
  g_clear_object (&f->sync);
  gig_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->session);
}

/* A client's open project, and the freelancer signed in with a window over a synced store. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GigPbClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonObject) project = NULL;

  f->pb = gig_test_pb_start ();
  f->client = gig_test_pb_create_user (f->pb, "client");
  f->freelancer = gig_test_pb_create_user (f->pb, "freelancer");
  body = g_strdup_printf ("{\"title\":\"Logo design\",\"budget\":1200,\"currency\":\"EUR\",\"status\":\"open\","
                          "\"owner\":\"%s\",\"description\":\"A logo for a bakery.\"}", f->client->id);
  project = rest (f, f->client->token, "POST", "/api/collections/projects/records", body);
  f->project = g_strdup (json_object_get_string_member (project, "id"));

  f->dir = g_dir_make_tmp ("gigdesk-unsent-XXXXXX", &error);
  g_assert_no_error (error);
  open_as (f, f->freelancer);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  close_account (f);
  gig_test_pb_free (f->pb);
  gig_test_pb_user_free (f->client);
  gig_test_pb_user_free (f->freelancer);
  g_free (f->project);
  g_free (f->dir);
  gig_test_ui_set_dark (FALSE);
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

/* Depth-first: is there a label showing @text under @widget? */
static gboolean
has_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0 &&
      gtk_widget_get_visible (widget))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_label (c, text))
      return TRUE;
  return FALSE;
}

/* The newest toplevel AdwMessageDialog transient for @parent, or NULL. */
static AdwMessageDialog *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          (parent == NULL || gtk_window_get_transient_for (window) == parent))
        found = ADW_MESSAGE_DIALOG (window);
    }
  return found;
}

static GigProposalEditor *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GIG_IS_PROPOSAL_EDITOR (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GIG_PROPOSAL_EDITOR (window);
    }
  return NULL;
}

static gboolean
draft_saved (gpointer data)
{
  return g_strcmp0 (gig_proposal_editor_get_save_state (data), "Draft saved") == 0;
}

/* Writes a draft in the editor and closes it; returns the draft's id. */
static char *
write_draft (Fixture *f)
{
  GigProposalEditor *editor;
  char *id;

  editor = GIG_PROPOSAL_EDITOR (gig_window_edit_proposal (f->window, f->project, NULL));
  g_assert_nonnull (editor);
  gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);
  gig_proposal_editor_set_values (editor, "1100", "10", "I have drawn logos for twenty years.");
  g_assert_true (gig_test_ui_wait_until (draft_saved, editor, 5000));
  id = g_strdup (gig_proposal_editor_get_proposal_id (editor));
  g_assert_nonnull (id);
  gtk_window_close (GTK_WINDOW (editor));
  return id;
}

static const char *
proposal_button_label (Fixture *f)
{
  return gtk_button_get_label (GTK_BUTTON (page_child (f, "proposal_button")));
}

/* ---- a draft on its project's page ----------------------------------------------------------- */

static void
test_draft_on_page (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;
  GtkWidget *list;

  gig_window_show_project (f->window, f->project);
  g_assert_cmpstr (proposal_button_label (f), ==, "_Write a Proposal");

  id = write_draft (f);

  /* The page offers the draft back, not a blank editor. */
  g_assert_cmpstr (proposal_button_label (f), ==, "_Continue Your Draft");
  list = GTK_WIDGET (page_child (f, "proposals_list"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (page_child (f, "proposals_stack"))), ==, "list");
  g_assert_cmpuint (count_children (list), ==, 1);
  g_assert_true (has_label (list, "Draft"));

  /* Continue Your Draft opens that draft. */
  g_signal_emit_by_name (page_child (f, "proposal_button"), "clicked");
  {
    GigProposalEditor *editor = find_editor ();

    g_assert_nonnull (editor);
    g_assert_cmpstr (gig_proposal_editor_get_proposal_id (editor), ==, id);
    gtk_window_close (GTK_WINDOW (editor));
  }
  gig_project_page_set_view (gig_window_get_project_page (f->window), "proposals");
  gig_test_ui_shot (f->window, "draft-on-page-1200x800-light");
}

/* ---- discarding a draft asks first ----------------------------------------------------------- */

static gboolean
editor_closed (gpointer data)
{
  return find_editor () == NULL;
}

static void
test_discard_draft_confirms (Fixture *f, gconstpointer data)
{
  g_autofree char *id = write_draft (f);
  GigProposalEditor *editor;
  AdwMessageDialog *dialog;
  JsonObject *draft;

  editor = GIG_PROPOSAL_EDITOR (gig_window_edit_proposal (f->window, f->project, id));
  gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);

  /* Discard asks; Cancel keeps every word. */
  g_signal_emit_by_name (gig_test_ui_child (editor, GIG_TYPE_PROPOSAL_EDITOR, "discard_button"), "clicked");
  dialog = find_dialog (GTK_WINDOW (editor));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard Draft?");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "discard"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  gig_test_ui_shot (dialog, "discard-draft-light");
  adw_message_dialog_response (dialog, "cancel");
  draft = gig_store_get_record (f->store, GIG_COLLECTION_PROPOSALS, id);
  g_assert_nonnull (draft);
  json_object_unref (draft);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));

  /* Discard confirmed: gone, and the editor closes. */
  g_signal_emit_by_name (gig_test_ui_child (editor, GIG_TYPE_PROPOSAL_EDITOR, "discard_button"), "clicked");
  dialog = find_dialog (GTK_WINDOW (editor));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  g_assert_true (gig_test_ui_wait_until (editor_closed, NULL, 5000));
  g_assert_null (gig_store_get_record (f->store, GIG_COLLECTION_PROPOSALS, id));
  gig_window_show_project (f->window, f->project);
  g_assert_cmpstr (proposal_button_label (f), ==, "_Write a Proposal");
}

/* ---- sign-out never drops unsent work silently ------------------------------------------------ */

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog (data) != NULL;
}

static void
app_sign_in (GigWindow *window, GigTestPbUser *user)
{
  GigSignInPage *page;

  /* A session kept in the keyring is restored without a sign-in. */
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_settled, window, 20000));
  if (gig_window_is_signed_in (window))
    return;
  page = gig_window_get_sign_in_page (window);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), user->email);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "password_row")), user->password);
  g_signal_emit_by_name (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "submit_button"), "clicked");
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_in, window, 20000));
}

/* A proposal sent here (queued) on @project; returns its id. */
static char *
queue_proposal (GigStore *store, const char *project, const char *freelancer)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  json_object_set_string_member (fields, "project", project);
  json_object_set_string_member (fields, "freelancer", freelancer);
  json_object_set_string_member (fields, "cover_letter", "Twenty years of logos.");
  json_object_set_double_member (fields, "amount", 1100);
  json_object_set_int_member (fields, "estimated_days", 10);
  json_object_set_string_member (fields, "status", "sent");
  json_object_set_boolean_member (fields, "deleted", FALSE);
  g_assert_true (gig_store_create_record (store, GIG_COLLECTION_PROPOSALS, fields, &id, &error));
  g_assert_no_error (error);
  return id;
}

static void
test_sign_out_keeps_unsent (Fixture *f, gconstpointer data)
{
  g_autoptr(GigApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sent_id = NULL;
  g_autofree char *api_path = NULL;
  g_autofree char *draft_id = NULL;
  g_autofree char *queued_id = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(JsonObject) draft = json_object_new ();
  g_autoptr(JsonObject) message = json_object_new ();
  GigStoreUnsent unsent = { 0 };
  AdwMessageDialog *dialog;
  GigWindow *window;
  GigStore *store;
  const char *body;

  app = gig_test_ui_start_app (gig_test_pb_get_url (f->pb), &window);

  /* Online, with a proposal waiting: Sign Out sends it first and then asks nothing. */
  app_sign_in (window, f->freelancer);
  store = gig_application_get_store (app);
  path = g_strdup (gig_store_get_path (store));
  sent_id = queue_proposal (store, f->project, f->freelancer->id);
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, 30000));
  g_assert_null (find_dialog (GTK_WINDOW (window)));
  g_assert_true (gig_test_ui_wait_until (file_gone, path, 10000));
  api_path = g_strdup_printf ("/api/collections/proposals/records/%s", sent_id);
  on_server = gig_test_pb_call_ok (f->pb, f->freelancer->token, "GET", api_path, NULL);
  g_assert_cmpstr (json_object_get_string_member (on_server, "status"), ==, "sent");

  /* Offline with a queued proposal, a draft and a chat message: Sign Out asks, says what. */
  app_sign_in (window, f->freelancer);
  store = gig_application_get_store (app);
  g_free (path);
  path = g_strdup (gig_store_get_path (store));
  gig_test_pb_stop (f->pb);
  queued_id = queue_proposal (store, f->project, f->freelancer->id);
  json_object_set_string_member (draft, "project", f->project);
  json_object_set_string_member (draft, "freelancer", f->freelancer->id);
  json_object_set_string_member (draft, "cover_letter", "Half a thought");
  json_object_set_string_member (draft, "status", "sent");
  g_assert_true (gig_store_save_draft (store, draft, NULL, &draft_id, &error));
  g_assert_no_error (error);
  json_object_set_string_member (message, "id", "msg-unsent-0001");
  json_object_set_string_member (message, "text", "Can we talk tomorrow?");
  g_assert_true (gig_store_chat_queue_message (store, "messaging:project-x", f->freelancer->id, message, &error));
  g_assert_no_error (error);
  g_assert_true (gig_store_count_unsent (store, &unsent, &error));
  g_assert_cmpuint (unsent.proposals, ==, 1);
  g_assert_cmpuint (unsent.drafts, ==, 1);
  g_assert_cmpuint (unsent.chat_messages, ==, 1);
  g_assert_cmpuint (gig_store_unsent_total (&unsent), ==, 3);

  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  g_assert_true (gig_test_ui_wait_until (dialog_shown, window, 30000));
  dialog = find_dialog (GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Sign Out and Lose Unsent Work?");
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("sign-out dialog: %s", body);
  g_assert_nonnull (strstr (body, "• 1 proposal waiting to be sent\n"));
  g_assert_nonnull (strstr (body, "• 1 proposal draft\n"));
  g_assert_nonnull (strstr (body, "• 1 chat message not sent"));
  g_assert_null (strstr (body, "milestone"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "sign-out"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  gig_test_ui_shot (dialog, "sign-out-unsent-light");

  /* Cancel: still signed in, nothing touched. */
  adw_message_dialog_response (dialog, "cancel");
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_assert_true (gig_window_is_signed_in (window));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (gig_application_get_store (app) == store);
  g_assert_true (gig_store_count_unsent (store, &unsent, &error));
  g_assert_cmpuint (gig_store_unsent_total (&unsent), ==, 3);

  /* Sign Out Anyway: the user chose it; the account's files go. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  g_assert_true (gig_test_ui_wait_until (dialog_shown, window, 30000));
  adw_message_dialog_response (find_dialog (GTK_WINDOW (window)), "sign-out");
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, 10000));
  g_assert_true (gig_test_ui_wait_until (file_gone, path, 10000));

  gig_test_pb_restart (f->pb);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- a proposal in the outbox is not "Sent" ----------------------------------------------------- */

static void
test_waiting_to_send (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;
  GtkWidget *list;
  GtkWidget *sidebar;

  gig_test_pb_stop (f->pb);
  id = queue_proposal (f->store, f->project, f->freelancer->id);
  gig_window_show_project (f->window, f->project);
  gig_project_page_set_view (gig_window_get_project_page (f->window), "proposals");
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_MY_PROPOSALS);
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 3);

  list = GTK_WIDGET (page_child (f, "proposals_list"));
  sidebar = GTK_WIDGET (gig_test_ui_child (f->window, GIG_TYPE_WINDOW, "list_view"));
  g_assert_true (has_label (list, "Waiting to Send"));
  g_assert_false (has_label (list, "Sent"));
  g_assert_true (has_label (sidebar, "Waiting to Send"));
  g_assert_false (has_label (sidebar, "Sent"));
  g_assert_cmpstr (proposal_button_label (f), ==, "Proposal Waiting to Be Sent");
  gig_test_ui_shot (f->window, "waiting-to-send-1200x800-light");

  /* Once the server has it, it is sent. */
  gig_test_pb_restart (f->pb);
  gig_test_ui_sync_once (f->sync);
  gig_window_show_project (f->window, f->project);
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 3);
  g_assert_true (has_label (list, "Sent"));
  g_assert_false (has_label (list, "Waiting to Send"));
  g_assert_true (has_label (sidebar, "Sent"));
  g_assert_cmpstr (proposal_button_label (f), ==, "Your Proposal: Sent");
}

/* ---- milestone agreements --------------------------------------------------------------------- */

/* Closes the fixture's account and opens @user's (signed in, synced) in a new window. */
static void
switch_user (Fixture *f, GigTestPbUser *user)
{
  close_account (f);
  open_as (f, user);
}

/* Hires the freelancer on the fixture's project; returns nothing, the project is in progress. */
static void
hire_freelancer (Fixture *f)
{
  g_autofree char *body = g_strdup_printf ("{\"project\":\"%s\",\"freelancer\":\"%s\",\"amount\":2000,"
                                           "\"estimated_days\":20,\"status\":\"sent\",\"cover_letter\":\"Hello\"}",
                                           f->project, f->freelancer->id);
  g_autoptr(JsonObject) proposal = rest (f, f->freelancer->token, "POST", "/api/collections/proposals/records", body);
  g_autofree char *path = g_strdup_printf ("/api/collections/proposals/records/%s",
                                           json_object_get_string_member (proposal, "id"));
  g_autoptr(JsonObject) accepted = rest (f, f->client->token, "PATCH", path, "{\"status\":\"accepted\"}");
}

/* A milestone of the project brought to @status by the roles that may; returns its id. */
static char *
milestone_in (Fixture *f, const char *title, double amount, guint position, const char *status)
{
  static const struct { const char *status; gboolean by_owner; } path[] = {
    { "in_progress", FALSE }, { "submitted", FALSE }, { "approved", TRUE },
  };
  g_autofree char *body = g_strdup_printf ("{\"project\":\"%s\",\"title\":\"%s\",\"amount\":%.0f,\"position\":%u,"
                                           "\"status\":\"pending\",\"due_date\":\"2026-12-20 00:00:00.000Z\"}",
                                           f->project, title, amount, position);
  g_autoptr(JsonObject) milestone = rest (f, f->client->token, "POST", "/api/collections/milestones/records", body);
  char *id = g_strdup (json_object_get_string_member (milestone, "id"));
  g_autofree char *api = g_strdup_printf ("/api/collections/milestones/records/%s", id);

  for (guint i = 0; i < G_N_ELEMENTS (path) && g_strcmp0 (status, "pending") != 0; i++)
    {
      g_autofree char *move = g_strdup_printf ("{\"status\":\"%s\"}", path[i].status);
      g_autoptr(JsonObject) moved = rest (f, path[i].by_owner ? f->client->token : f->freelancer->token,
                                          "PATCH", api, move);

      if (g_str_equal (path[i].status, status))
        break;
    }
  return id;
}

static GtkWidget *
milestone_row (Fixture *f, const char *title)
{
  GtkWidget *list = GTK_WIDGET (page_child (f, "milestones_list"));

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  g_error ("no milestone row %s", title);
  return NULL;
}

/* The owner's decision row under a submitted milestone (same title, not an action row), or
 * NULL. */
static GtkWidget *
decision_row (Fixture *f, const char *title)
{
  GtkWidget *next = gtk_widget_get_next_sibling (milestone_row (f, title));

  if (next != NULL && !ADW_IS_ACTION_ROW (next) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (next)), title) == 0)
    return next;
  return NULL;
}

/* The button under @widget whose label or tooltip is @name, or NULL. */
static GtkWidget *
find_button (GtkWidget *widget, const char *name)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
      (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), name) == 0 ||
       g_strcmp0 (gtk_widget_get_tooltip_text (widget), name) == 0))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether the row's milestone menu offers Edit (the terms are still open). */
static gboolean
offers_edit (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_widget_get_visible (widget))
    {
      GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));

      for (int i = 0; menu != NULL && i < g_menu_model_get_n_items (menu); i++)
        {
          g_autofree char *action = NULL;

          if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action) &&
              g_str_equal (action, "project.edit-milestone"))
            return TRUE;
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (offers_edit (c))
      return TRUE;
  return FALSE;
}

static char *
local_status (Fixture *f, const char *id)
{
  g_autoptr(JsonObject) record = gig_store_get_record (f->store, GIG_COLLECTION_MILESTONES, id);

  return g_strdup (json_object_get_string_member (record, "status"));
}

static void
test_milestone_agreements (Fixture *f, gconstpointer data)
{
  g_autofree char *sketches = NULL;
  g_autofree char *final_logo = NULL;
  g_autofree char *brand = NULL;
  g_autofree char *status = NULL;
  g_autofree char *api = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(JsonObject) amount = json_object_new ();
  g_autofree char *reason = NULL;
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;
  AdwMessageDialog *dialog;
  GtkWidget *row;

  hire_freelancer (f);
  sketches = milestone_in (f, "Sketches", 300, 1, "pending");
  final_logo = milestone_in (f, "Final logo", 1200, 2, "approved");
  brand = milestone_in (f, "Brand guide", 500, 3, "submitted");
  switch_user (f, f->client);
  gig_window_show_project (f->window, f->project);
  gig_project_page_set_view (gig_window_get_project_page (f->window), "milestones");

  /* Only a pending milestone's terms are offered for editing; submitted work can be approved
   * or sent back; an approved one offers nothing. */
  row = milestone_row (f, "Sketches");
  g_assert_true (offers_edit (row));
  g_assert_null (decision_row (f, "Sketches"));
  row = milestone_row (f, "Final logo");
  g_assert_false (offers_edit (row));
  g_assert_null (decision_row (f, "Final logo"));
  row = milestone_row (f, "Brand guide");
  g_assert_false (offers_edit (row));
  row = decision_row (f, "Brand guide");
  g_assert_nonnull (row);
  g_assert_nonnull (find_button (row, "_Request Changes"));
  gig_test_ui_shot (f->window, "milestones-owner-1200x800-light");

  /* Approve names the amount and asks; Cancel changes nothing. */
  g_signal_emit_by_name (find_button (row, "_Approve…"), "clicked");
  dialog = find_dialog (GTK_WINDOW (f->window));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Approve Milestone?");
  {
    g_autofree char *money = g_strdup_printf ("€%'.0f", 500.0);
    g_autofree char *expected = g_strdup_printf ("Approving “Brand guide” releases %s to %s. This can’t be undone.",
                                                 money, f->freelancer->name);

    g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, expected);
  }
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  gig_test_ui_shot (dialog, "approve-milestone-light");
  adw_message_dialog_response (dialog, "cancel");
  status = local_status (f, brand);
  g_assert_cmpstr (status, ==, "submitted");
  g_assert_cmpuint (gig_store_pending_count (f->store), ==, 0);

  /* Confirmed: queued, then on the server. */
  g_signal_emit_by_name (find_button (decision_row (f, "Brand guide"), "_Approve…"), "clicked");
  adw_message_dialog_response (find_dialog (GTK_WINDOW (f->window)), "confirm");
  g_free (status);
  status = local_status (f, brand);
  g_assert_cmpstr (status, ==, "approved");
  /* Not shown as approved before the server has it. */
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 2);
  g_assert_true (has_label (milestone_row (f, "Brand guide"), "Waiting to Send"));
  g_assert_false (has_label (milestone_row (f, "Brand guide"), "Approved"));
  gig_test_ui_sync_once (f->sync);
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 2);
  g_assert_true (has_label (milestone_row (f, "Brand guide"), "Approved"));
  api = g_strdup_printf ("/api/collections/milestones/records/%s", brand);
  on_server = rest (f, f->client->token, "GET", api, NULL);
  g_assert_cmpstr (json_object_get_string_member (on_server, "status"), ==, "approved");

  /* An edit of a pending milestone made offline, refused because the freelancer started it
   * meanwhile: kept as failed, with the server's reason on the row. */
  json_object_set_double_member (amount, "amount", 1);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_MILESTONES, sketches, amount, NULL));
  g_free (api);
  api = g_strdup_printf ("/api/collections/milestones/records/%s", sketches);
  g_clear_pointer (&on_server, json_object_unref);
  on_server = rest (f, f->freelancer->token, "PATCH", api, "{\"status\":\"in_progress\"}");
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    gig_sync_once_async (f->sync, NULL, gig_test_ui_store_result, &result);
    gig_sync_once_finish (f->sync, gig_test_ui_wait_result (&result), &error);
  }
  g_assert_true (gig_store_get_record_meta (f->store, GIG_COLLECTION_MILESTONES, sketches, &state, &reason, NULL));
  g_assert_cmpint (state, ==, GIG_LOCAL_STATE_FAILED);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "title, amount and due date were agreed"));
  g_clear_pointer (&on_server, json_object_unref);
  on_server = rest (f, f->client->token, "GET", api, NULL);
  g_assert_cmpfloat (json_object_get_double_member (on_server, "amount"), ==, 300);
  gig_project_page_reload (gig_window_get_project_page (f->window));
  row = milestone_row (f, "Sketches");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), reason));
  g_assert_false (offers_edit (row));
  gig_test_ui_shot (f->window, "milestones-refused-1200x800-light");
}

/* ---- screens: every page and dialog changed here, narrow and wide, light and dark, English and
 * German, for review by eye ------------------------------------------------------------------ */

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
sign_out_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static GigWindow *
window_at (Fixture *f, int width, int height)
{
  GigWindow *window = gig_test_ui_new_window (width, height);

  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, f->session, f->store, f->sync, NULL);

    gig_window_set_account (window, account);
  }
  gig_window_show_project (window, f->project);
  return window;
}

static void
render_pages (Fixture *f, const char *what, const char * const *views, const char *suffix)
{
  static const int sizes[][2] = { { 1200, 800 }, { 360, 700 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GigWindow *window = window_at (f, sizes[i][0], sizes[i][1]);

      for (guint v = 0; views[v] != NULL; v++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%s-%dx%d-%s", what, views[v], sizes[i][0], sizes[i][1], suffix);

          gig_project_page_set_view (gig_window_get_project_page (window), views[v]);
          gig_test_ui_shot (window, name);
        }
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

static void
render_dialog (AdwMessageDialog *dialog, const char *what, const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%s-%s", what, suffix);

  g_assert_nonnull (dialog);
  gig_test_ui_shot (dialog, name);
  adw_message_dialog_response (dialog, "cancel");
}

static void
test_screens (Fixture *f, gconstpointer data)
{
  static const char * const freelancer_views[] = { "overview", "proposals", NULL };
  static const char * const owner_views[] = { "milestones", NULL };
  static const char *languages[] = { "en", "de" };
  g_autofree char *draft_id = write_draft (f);
  g_autofree char *brand = NULL;

  /* The freelancer: a draft on its project, Discard Draft, Sign Out with unsent work. */
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    for (int dark = 0; dark <= 1; dark++)
      {
        g_autofree char *suffix = g_strdup_printf ("%s-%s", dark ? "dark" : "light", languages[l]);
        GigProposalEditor *editor;
        gboolean answered = FALSE;

        gig_test_ui_use_language (languages[l]);
        gig_test_ui_set_dark (dark);
        render_pages (f, "draft", freelancer_views, suffix);

        editor = GIG_PROPOSAL_EDITOR (gig_window_edit_proposal (f->window, f->project, draft_id));
        gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);
        g_signal_emit_by_name (gig_test_ui_child (editor, GIG_TYPE_PROPOSAL_EDITOR, "discard_button"), "clicked");
        render_dialog (find_dialog (GTK_WINDOW (editor)), "discard-draft", suffix);
        gtk_window_close (GTK_WINDOW (editor));

        gig_sign_out_confirm_async (GTK_WINDOW (f->window), f->store, NULL, 1000, sign_out_answered, &answered);
        g_assert_true (gig_test_ui_wait_until (dialog_shown, f->window, 5000));
        render_dialog (find_dialog (GTK_WINDOW (f->window)), "sign-out", suffix);
        g_assert_true (gig_test_ui_wait_until (flag_set, &answered, 5000));
      }

  /* The client: milestones in every state, Approve. */
  gig_test_ui_use_language ("en");
  gig_test_ui_set_dark (FALSE);
  gig_store_discard_draft (f->store, draft_id, NULL);
  hire_freelancer (f);
  g_free (milestone_in (f, "Sketches", 300, 1, "pending"));
  g_free (milestone_in (f, "Final logo", 1200, 2, "approved"));
  brand = milestone_in (f, "Brand guide", 500, 3, "submitted");
  switch_user (f, f->client);
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    for (int dark = 0; dark <= 1; dark++)
      {
        g_autofree char *suffix = g_strdup_printf ("%s-%s", dark ? "dark" : "light", languages[l]);

        gig_test_ui_use_language (languages[l]);
        gig_test_ui_set_dark (dark);
        render_pages (f, "agreements", owner_views, suffix);
        gig_window_show_project (f->window, f->project);
        gig_project_page_set_view (gig_window_get_project_page (f->window), "milestones");
        g_signal_emit_by_name (find_button (decision_row (f, "Brand guide"),
                                            g_str_equal (languages[l], "de") ? "_Freigeben …" : "_Approve…"),
                               "clicked");
        render_dialog (find_dialog (GTK_WINDOW (f->window)), "approve-milestone", suffix);
      }
  gig_test_ui_use_language ("en");
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/ui/unsent/draft-on-page", Fixture, NULL, fixture_set_up, test_draft_on_page, fixture_tear_down);
  g_test_add ("/ui/unsent/discard-draft-confirms", Fixture, NULL, fixture_set_up, test_discard_draft_confirms,
              fixture_tear_down);

  g_test_add ("/ui/unsent/sign-out-keeps-unsent", Fixture, NULL, fixture_set_up, test_sign_out_keeps_unsent,
              fixture_tear_down);

  g_test_add ("/ui/unsent/waiting-to-send", Fixture, NULL, fixture_set_up, test_waiting_to_send, fixture_tear_down);
  g_test_add ("/ui/unsent/milestone-agreements", Fixture, NULL, fixture_set_up, test_milestone_agreements,
              fixture_tear_down);

  g_test_add ("/ui/unsent/screens", Fixture, NULL, fixture_set_up, test_screens, fixture_tear_down);

  return g_test_run ();
}
