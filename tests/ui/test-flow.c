/* test-flow.c: the real views against a store filled by a real sync from a local PocketBase,
 * under Xvfb: sign in, filters and search, a new project, a proposal drafted offline that
 * survives a restart, sent, accepted by the client, and the change arriving live.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "gig-test-pb.h"
#include "gig-test-ui.h"
#include "ui/gig-window.h"
#include "ui/gig-sign-in-page.h"
#include "ui/gig-project-dialog.h"
#include "ui/gig-milestone-dialog.h"
#include "ui/gig-proposal-editor.h"
#include "ui/gig-project-page.h"
#include "model/gig-project.h"

typedef struct
{
  GigTestPb     *pb;
  GigTestPbUser *client;      /* posts projects and hires */
  GigTestPbUser *freelancer;  /* the user of the window */
  char          *store_path;
  char          *logo_project;
  GigSession    *session;
  GigStore      *store;
  GigSync       *sync;
  GigWindow     *window;
} Flow;

/* ---- helpers --------------------------------------------------------------------------------- */

static JsonObject *
rest (Flow *flow, const char *token, const char *method, const char *path, const char *body)
{
  return gig_test_pb_call_ok (flow->pb, token, method, path, body);
}

static char *
post_project (Flow *flow, const char *title, double budget, const char *description)
{
  g_autofree char *body = g_strdup_printf ("{\"title\":\"%s\",\"budget\":%.0f,\"currency\":\"EUR\","
                                           "\"status\":\"open\",\"owner\":\"%s\",\"description\":\"%s\"}",
                                           title, budget, flow->client->id, description);
  g_autoptr(JsonObject) record = rest (flow, flow->client->token, "POST",
                                       "/api/collections/projects/records", body);

  return g_strdup (json_object_get_string_member (record, "id"));
}

static guint
list_count (Flow *flow)
{
  return g_list_model_get_n_items (gig_window_get_list_model (flow->window));
}

static char *
list_title (Flow *flow, guint position)
{
  g_autoptr(GObject) item = g_list_model_get_item (gig_window_get_list_model (flow->window), position);
  g_autoptr(JsonObject) record = NULL;

  g_assert_nonnull (item);
  g_assert_true (GIG_IS_PROJECT (item));
  record = gig_store_get_record (flow->store, GIG_COLLECTION_PROJECTS, gig_record_get_id (GIG_RECORD (item)));
  g_assert_nonnull (record);
  return g_strdup (json_object_get_string_member (record, "title"));
}

static GigLocalState
local_state (GigStore *store, GigCollection collection, const char *id)
{
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;

  g_assert_true (gig_store_get_record_meta (store, collection, id, &state, NULL, NULL));
  return state;
}

static void
open_account (Flow *flow, GigSession *session)
{
  g_autoptr(GError) error = NULL;

  g_set_object (&flow->session, session);
  flow->store = gig_store_new_for_path (flow->store_path, &error);
  g_assert_no_error (error);
  flow->sync = gig_sync_new (flow->store, gig_session_get_client (session), session);
  flow->window = gig_test_ui_new_window (1200, 800);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, session, flow->store, flow->sync, NULL);

    gig_window_set_account (flow->window, account);
  }
}

static void
close_account (Flow *flow)
{
  gtk_window_destroy (GTK_WINDOW (flow->window));
  flow->window = NULL;
  gig_sync_stop (flow->sync);
  g_clear_object (&flow->sync);
  gig_store_close (flow->store);
  g_clear_object (&flow->store);
}

typedef struct
{
  GigSignInPage *page;
  GigSession    *session;
} SignIn;

static void
on_signed_in (GigSignInPage *page, GigSession *session, SignIn *sign_in)
{
  g_set_object (&sign_in->session, session);
}

static gboolean
sign_in_done (gpointer data)
{
  SignIn *sign_in = data;

  return sign_in->session != NULL || !gig_sign_in_page_get_busy (sign_in->page);
}

static void
submit (SignIn *sign_in, const char *email, const char *password)
{
  GObject *email_row = gig_test_ui_child (sign_in->page, GIG_TYPE_SIGN_IN_PAGE, "email_row");
  GObject *password_row = gig_test_ui_child (sign_in->page, GIG_TYPE_SIGN_IN_PAGE, "password_row");
  GObject *button = gig_test_ui_child (sign_in->page, GIG_TYPE_SIGN_IN_PAGE, "submit_button");

  gtk_editable_set_text (GTK_EDITABLE (email_row), email);
  gtk_editable_set_text (GTK_EDITABLE (password_row), password);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (gig_test_ui_wait_until (sign_in_done, sign_in, 20000));
}

static void
set_server (SignIn *sign_in, const char *url)
{
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (sign_in->page, GIG_TYPE_SIGN_IN_PAGE, "server_row")), url);
}

/* ---- the flow -------------------------------------------------------------------------------- */

static void
step_sign_in (Flow *flow)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window = gig_test_ui_new_window (1200, 800);
  SignIn sign_in = { 0 };
  GObject *password_row;

  g_settings_set_string (settings, "server-url", gig_test_pb_get_url (flow->pb));
  gig_window_set_account (window, NULL);
  sign_in.page = gig_window_get_sign_in_page (window);
  g_assert_nonnull (sign_in.page);
  g_assert_false (gig_window_is_signed_in (window));
  g_signal_connect (sign_in.page, "signed-in", G_CALLBACK (on_signed_in), &sign_in);
  gig_test_ui_shot (window, "sign-in-1200x800-light");

  /* The server address comes from the settings. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gig_test_ui_child (sign_in.page, GIG_TYPE_SIGN_IN_PAGE, "server_row"))),
                   ==, gig_test_pb_get_url (flow->pb));

  /* Validation happens before anything goes over the network. */
  submit (&sign_in, "not-an-email", "whatever1");
  g_assert_null (sign_in.session);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (gig_test_ui_child (sign_in.page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), "error"));
  g_assert_nonnull (strstr (gig_sign_in_page_get_error (sign_in.page), "email address"));

  /* Wrong password: the server refuses, the page says so. */
  submit (&sign_in, flow->freelancer->email, "wrong-password-123");
  g_assert_null (sign_in.session);
  g_assert_cmpstr (gig_sign_in_page_get_error (sign_in.page), ==, "Wrong email or password.");
  password_row = gig_test_ui_child (sign_in.page, GIG_TYPE_SIGN_IN_PAGE, "password_row");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (password_row), "error"));
  gig_test_ui_shot (window, "sign-in-error-1200x800-light");

  /* Unreachable server (port 9 on loopback: the discard port, closed here). */
  set_server (&sign_in, "http://127.0.0.1:9");
  submit (&sign_in, flow->freelancer->email, flow->freelancer->password);
  g_assert_null (sign_in.session);
  g_assert_nonnull (strstr (gig_sign_in_page_get_error (sign_in.page), "reach the server"));

  /* Sign up validation: a short password is refused locally. */
  gig_sign_in_page_set_sign_up (sign_in.page, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (sign_in.page, GIG_TYPE_SIGN_IN_PAGE, "name_row")), "Carol");
  set_server (&sign_in, gig_test_pb_get_url (flow->pb));
  submit (&sign_in, "carol@example.com", "short");
  g_assert_null (sign_in.session);
  g_assert_nonnull (strstr (gig_sign_in_page_get_error (sign_in.page), "at least 8"));
  gig_sign_in_page_set_sign_up (sign_in.page, FALSE);

  /* The right password signs in and remembers the server. */
  g_settings_set_string (settings, "server-url", "http://127.0.0.1:1");
  submit (&sign_in, flow->freelancer->email, flow->freelancer->password);
  g_assert_nonnull (sign_in.session);
  g_assert_cmpint (gig_session_get_state (sign_in.session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_cmpstr (gig_session_get_user_id (sign_in.session), ==, flow->freelancer->id);
  {
    g_autofree char *saved = g_settings_get_string (settings, "server-url");

    g_assert_cmpstr (saved, ==, gig_test_pb_get_url (flow->pb));
  }
  gtk_window_destroy (GTK_WINDOW (window));

  open_account (flow, sign_in.session);
  g_clear_object (&sign_in.session);
}

static gboolean
sync_idle (gpointer data)
{
  Flow *flow = data;

  return gig_sync_get_state (flow->sync) == GIG_SYNC_STATE_IDLE;
}

static gboolean
sync_offline (gpointer data)
{
  Flow *flow = data;

  return gig_sync_get_state (flow->sync) == GIG_SYNC_STATE_OFFLINE;
}

static void
step_lists_and_search (Flow *flow)
{
  gig_test_ui_sync_once (flow->sync);

  /* Open projects: the client's two, newest first. */
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_assert_cmpuint (list_count (flow), ==, 2);
  {
    g_autofree char *first = list_title (flow, 0);
    g_assert_cmpstr (first, ==, "Database migration");
  }

  /* By budget. */
  gig_window_set_sort (flow->window, GIG_STORE_SORT_BUDGET);
  {
    g_autofree char *first = list_title (flow, 0);
    g_autofree char *second = list_title (flow, 1);
    g_assert_cmpstr (first, ==, "Database migration");
    g_assert_cmpstr (second, ==, "Logo design");
  }
  gig_window_set_sort (flow->window, GIG_STORE_SORT_NEWEST);

  /* Search as you type matches descriptions too, by word prefix. */
  gig_window_set_search_text (flow->window, "vect");
  g_assert_cmpuint (list_count (flow), ==, 1);
  {
    g_autofree char *first = list_title (flow, 0);
    g_assert_cmpstr (first, ==, "Logo design");
  }
  gig_window_set_search_text (flow->window, "nothing-like-this");
  g_assert_cmpuint (list_count (flow), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gig_test_ui_child (flow->window, GIG_TYPE_WINDOW, "list_stack"))),
                   ==, "empty");
  gig_window_set_search_text (flow->window, NULL);
  g_assert_cmpuint (list_count (flow), ==, 2);

  /* The freelancer owns nothing and works on nothing yet. */
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_MY_PROJECTS);
  g_assert_cmpuint (list_count (flow), ==, 0);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_HIRED);
  g_assert_cmpuint (list_count (flow), ==, 0);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_OPEN_PROJECTS);

  /* Opening a project shows its facts from the store. */
  gig_window_show_project (flow->window, flow->logo_project);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gig_test_ui_child (gig_window_get_project_page (flow->window),
                                                         GIG_TYPE_PROJECT_PAGE, "title_label"))),
                   ==, "Logo design");
  {
    /* Grouping follows the locale (none in C.UTF-8). */
    g_autofree char *budget = g_strdup_printf ("€%'.0f", 1200.0);

    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gig_test_ui_child (gig_window_get_project_page (flow->window),
                                                                         GIG_TYPE_PROJECT_PAGE, "budget_row"))),
                     ==, budget);
  }
  /* A freelancer cannot edit or trash someone else's project, but can write a proposal. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gig_test_ui_child (gig_window_get_project_page (flow->window),
                                                              GIG_TYPE_PROJECT_PAGE, "add_milestone_button"))));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gig_test_ui_child (gig_window_get_project_page (flow->window),
                                                            GIG_TYPE_PROJECT_PAGE, "proposal_button"))),
                   ==, "_Write a Proposal");
  gig_test_ui_shot (flow->window, "project-1200x800-light");
}

static void
step_create_project (Flow *flow)
{
  GigProjectDialog *dialog;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) server = NULL;

  dialog = gig_project_dialog_new (GTK_WINDOW (flow->window), flow->store, flow->freelancer->id, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  gig_test_ui_wait_for_draw (GTK_WINDOW (dialog), 2);
  gig_project_dialog_set_values (dialog, "", "12x", "");
  /* Save stays disabled until the form makes sense. */
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  gig_project_dialog_set_values (dialog, "Garden website", "800", "A small site for a garden shop.");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");

  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_MY_PROJECTS);
  g_assert_cmpuint (list_count (flow), ==, 1);
  {
    g_autoptr(GObject) item = g_list_model_get_item (gig_window_get_list_model (flow->window), 0);
    id = g_strdup (gig_record_get_id (GIG_RECORD (item)));
  }
  g_assert_cmpint (local_state (flow->store, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_PENDING);

  gig_test_ui_sync_once (flow->sync);
  g_assert_cmpint (local_state (flow->store, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_SYNCED);
  path = g_strdup_printf ("/api/collections/projects/records/%s", id);
  server = rest (flow, flow->freelancer->token, "GET", path, NULL);
  g_assert_cmpstr (json_object_get_string_member (server, "title"), ==, "Garden website");
  g_assert_cmpstr (json_object_get_string_member (server, "owner"), ==, flow->freelancer->id);
  g_assert_cmpfloat (json_object_get_double_member (server, "budget"), ==, 800);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_assert_cmpuint (list_count (flow), ==, 3);
}

static gboolean
draft_saved (gpointer data)
{
  GigProposalEditor *editor = data;

  return g_strcmp0 (gig_proposal_editor_get_save_state (editor), "Draft saved") == 0;
}

static char *
step_draft_offline (Flow *flow)
{
  GigProposalEditor *editor;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) draft = NULL;

  /* The server goes away: drafting needs nothing from it. */
  gig_test_pb_stop (flow->pb);

  editor = GIG_PROPOSAL_EDITOR (gig_window_edit_proposal (flow->window, flow->logo_project, NULL));
  g_assert_nonnull (editor);
  gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);
  g_assert_null (gig_proposal_editor_get_proposal_id (editor));

  gig_proposal_editor_set_values (editor, "1100", "10", "I have drawn logos for twenty years.");
  g_assert_cmpstr (gig_proposal_editor_get_save_state (editor), ==, "Saving…");
  /* Saved by the debounce timer, not by closing. */
  g_assert_true (gig_test_ui_wait_until (draft_saved, editor, 5000));
  id = g_strdup (gig_proposal_editor_get_proposal_id (editor));
  g_assert_nonnull (id);
  g_assert_cmpint (local_state (flow->store, GIG_COLLECTION_PROPOSALS, id), ==, GIG_LOCAL_STATE_DRAFT);
  g_assert_cmpuint (gig_store_pending_count (flow->store), ==, 0);
  gig_test_ui_shot (editor, "proposal-editor-light");

  /* Typing more and closing at once still keeps every word. */
  gig_proposal_editor_set_values (editor, NULL, NULL, "I have drawn logos for twenty years. Vector files included.");
  g_assert_true (gig_proposal_editor_get_save_pending (editor));
  gtk_window_close (GTK_WINDOW (editor));

  draft = gig_store_get_record (flow->store, GIG_COLLECTION_PROPOSALS, id);
  g_assert_cmpstr (json_object_get_string_member (draft, "cover_letter"), ==,
                   "I have drawn logos for twenty years. Vector files included.");

  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_DRAFTS);
  g_assert_cmpuint (list_count (flow), ==, 1);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_MY_PROPOSALS);
  g_assert_cmpuint (list_count (flow), ==, 0);

  return g_steal_pointer (&id);
}

static gboolean
proposal_accepted_on_page (gpointer data)
{
  Flow *flow = data;
  GObject *button = gig_test_ui_child (gig_window_get_project_page (flow->window), GIG_TYPE_PROJECT_PAGE, "proposal_button");

  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "Your Proposal: Accepted") == 0;
}

static void
step_restart_send_accept (Flow *flow, const char *draft_id)
{
  GigProposalEditor *editor;
  g_autoptr(JsonObject) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  g_autoptr(JsonObject) server = NULL;

  /* Restart: a new window on the same store file. */
  close_account (flow);
  open_account (flow, flow->session);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_DRAFTS);
  g_assert_cmpuint (list_count (flow), ==, 1);

  editor = GIG_PROPOSAL_EDITOR (gig_window_edit_proposal (flow->window, flow->logo_project, draft_id));
  gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gig_test_ui_child (editor, GIG_TYPE_PROPOSAL_EDITOR, "amount_row"))),
                   ==, "1100");

  /* Send while still offline: queued, pending. */
  g_assert_true (gig_proposal_editor_send (editor, &error));
  g_assert_no_error (error);
  gtk_window_close (GTK_WINDOW (editor));
  g_assert_cmpint (local_state (flow->store, GIG_COLLECTION_PROPOSALS, draft_id), ==, GIG_LOCAL_STATE_PENDING);
  g_assert_cmpuint (gig_store_pending_count (flow->store), ==, 1);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_DRAFTS);
  g_assert_cmpuint (list_count (flow), ==, 0);
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_MY_PROPOSALS);
  g_assert_cmpuint (list_count (flow), ==, 1);
  gig_window_show_project (flow->window, flow->logo_project);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gig_test_ui_child (gig_window_get_project_page (flow->window),
                                                            GIG_TYPE_PROJECT_PAGE, "proposal_button"))),
                   ==, "Proposal Waiting to Be Sent");

  /* The engine runs as in the app; the server is still down: offline, one change waiting. */
  gig_sync_set_backoff_ms (flow->sync, 200, 1000);
  gig_sync_start (flow->sync);
  g_assert_true (gig_test_ui_wait_until (sync_offline, flow, 30000));
  g_assert_cmpstr (gig_window_get_sync_subtitle (flow->window), ==, "Offline · 1 change waiting");
  g_assert_true (gig_window_get_offline_banner_visible (flow->window));
  gig_test_ui_shot (flow->window, "offline-1200x800-light");

  /* Back online. */
  gig_test_pb_restart (flow->pb);
  gig_sync_now (flow->sync);
  g_assert_true (gig_test_ui_wait_until (sync_idle, flow, 30000));
  g_assert_false (gig_window_get_offline_banner_visible (flow->window));
  g_assert_cmpint (local_state (flow->store, GIG_COLLECTION_PROPOSALS, draft_id), ==, GIG_LOCAL_STATE_SYNCED);
  g_assert_cmpstr (gig_window_get_sync_subtitle (flow->window), ==, "Synced");
  path = g_strdup_printf ("/api/collections/proposals/records/%s", draft_id);
  server = rest (flow, flow->freelancer->token, "GET", path, NULL);
  g_assert_cmpstr (json_object_get_string_member (server, "status"), ==, "sent");
  g_assert_cmpfloat (json_object_get_double_member (server, "amount"), ==, 1100);

  /* The client accepts over REST; the freelancer's page changes without a click. */
  accepted = rest (flow, flow->client->token, "PATCH", path, "{\"status\":\"accepted\"}");
  g_assert_cmpstr (json_object_get_string_member (accepted, "status"), ==, "accepted");
  g_assert_true (gig_test_ui_wait_until (proposal_accepted_on_page, flow, 20000));
  gig_test_ui_shot (flow->window, "project-accepted-1200x800-light");
}

static gboolean
hired_project_listed (gpointer data)
{
  Flow *flow = data;

  return list_count (flow) == 1;
}

static gboolean
milestones_arrived (gpointer data)
{
  Flow *flow = data;
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_MILESTONES, GIG_STORE_SCOPE_ALL);
  guint count = 0;

  query->project = g_strdup (flow->logo_project);
  gig_store_query_count (flow->store, query, &count, NULL);
  return count == 3;
}

static void
render_views (Flow *flow, const char *suffix)
{
  GigProjectPage *page = gig_window_get_project_page (flow->window);
  g_autofree char *name = NULL;
  const char *views[] = { "overview", "proposals", "milestones" };

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      gig_project_page_set_view (page, views[i]);
      gig_test_ui_wait_for_draw (GTK_WINDOW (flow->window), 2);
      g_free (name);
      name = g_strdup_printf ("%s-%s", views[i], suffix);
      gig_test_ui_shot (flow->window, name);
    }
}

static void
step_milestones_and_screens (Flow *flow)
{
  const char *titles[] = { "Sketches", "Final logo", "Brand guide" };
  const double amounts[] = { 300, 500, 300 };
  GigProjectPage *page = gig_window_get_project_page (flow->window);
  GtkWidget *list;
  guint rows = 0;

  /* The hire reached the store: My Work lists it. */
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_HIRED);
  g_assert_true (gig_test_ui_wait_until (hired_project_listed, flow, 20000));

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"project\":\"%s\",\"title\":\"%s\",\"amount\":%.0f,"
                                               "\"position\":%u,\"status\":\"pending\","
                                               "\"due_date\":\"2026-12-%02u 00:00:00.000Z\"}",
                                               flow->logo_project, titles[i], amounts[i], i + 1, 10 * (i + 1));
      g_autoptr(JsonObject) record = rest (flow, flow->client->token, "POST",
                                           "/api/collections/milestones/records", body);
    }
  g_assert_true (gig_test_ui_wait_until (milestones_arrived, flow, 20000));

  gig_window_show_project (flow->window, flow->logo_project);
  list = GTK_WIDGET (gig_test_ui_child (page, GIG_TYPE_PROJECT_PAGE, "milestones_list"));
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    rows++;
  g_assert_cmpuint (rows, ==, 3);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_widget_get_first_child (list))), ==, "Sketches");
  {
    g_autofree char *totals = g_strdup_printf ("€%'.0f planned of €%'.0f budget · €0 approved", 1100.0, 1200.0);

    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gig_test_ui_child (page, GIG_TYPE_PROJECT_PAGE, "totals_label"))), ==, totals);
  }

  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  gig_window_show_project (flow->window, flow->logo_project);
  render_views (flow, "1200x800-light");
  gig_test_ui_set_dark (TRUE);
  render_views (flow, "1200x800-dark");

  /* Narrow: a window made at that size, as on a phone. */
  gtk_window_destroy (GTK_WINDOW (flow->window));
  flow->window = gig_test_ui_new_window (360, 700);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, flow->session, flow->store, flow->sync, NULL);

    gig_window_set_account (flow->window, account);
  }
  page = gig_window_get_project_page (flow->window);
  gig_window_show_project (flow->window, flow->logo_project);
  g_assert_true (gig_window_get_folded (flow->window));
  render_views (flow, "360x700-dark");
  gtk_widget_activate_action (GTK_WIDGET (flow->window), "win.go-back", NULL);
  gig_test_ui_shot (flow->window, "list-360x700-dark");
  gig_test_ui_set_dark (FALSE);
  gig_test_ui_shot (flow->window, "list-360x700-light");
  gig_window_show_project (flow->window, flow->logo_project);
  render_views (flow, "360x700-light");

  gtk_window_destroy (GTK_WINDOW (flow->window));
  flow->window = gig_test_ui_new_window (1200, 800);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, flow->session, flow->store, flow->sync, NULL);

    gig_window_set_account (flow->window, account);
  }
  gig_window_set_scope (flow->window, GIG_STORE_SCOPE_HIRED);
  gig_window_show_project (flow->window, flow->logo_project);
  /* The open project is the highlighted row. */
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (
                      gtk_list_view_get_model (GTK_LIST_VIEW (gig_test_ui_child (flow->window, GIG_TYPE_WINDOW, "list_view"))))),
                    ==, 0);
  gig_test_ui_shot (flow->window, "window-wide-light");
  gig_project_page_set_view (gig_window_get_project_page (flow->window), "milestones");
  gig_test_ui_set_dark (TRUE);
  gig_test_ui_shot (flow->window, "window-wide-dark");
  gig_test_ui_set_dark (FALSE);
  gig_project_page_set_view (gig_window_get_project_page (flow->window), "overview");
}

static void
test_flow (void)
{
  Flow flow = { 0 };
  g_autofree char *dir = NULL;
  g_autofree char *draft = NULL;
  g_autoptr(GError) error = NULL;

  flow.pb = gig_test_pb_start ();
  flow.client = gig_test_pb_create_user (flow.pb, "client");
  flow.freelancer = gig_test_pb_create_user (flow.pb, "freelancer");
  dir = g_dir_make_tmp ("gigdesk-ui-XXXXXX", &error);
  g_assert_no_error (error);
  flow.store_path = g_build_filename (dir, "cache.sqlite", NULL);

  flow.logo_project = post_project (&flow, "Logo design", 1200, "A logo for a bakery, delivered as vector files.");
  g_free (post_project (&flow, "Database migration", 5000, "Move a shop from MySQL to PostgreSQL."));

  step_sign_in (&flow);
  step_lists_and_search (&flow);
  step_create_project (&flow);
  draft = step_draft_offline (&flow);
  step_restart_send_accept (&flow, draft);
  step_milestones_and_screens (&flow);

  close_account (&flow);
  g_clear_object (&flow.session);
  g_free (flow.store_path);
  g_free (flow.logo_project);
  gig_test_pb_user_free (flow.client);
  gig_test_pb_user_free (flow.freelancer);
  gig_test_pb_free (flow.pb);
}

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_application (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "appuser");
  g_autoptr(GigApplication) app = NULL;
  g_autofree char *path = NULL;
  GigSignInPage *page;
  GigWindow *window;

  app = gig_test_ui_start_app (gig_test_pb_get_url (pb), &window);
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, 20000));
  g_assert_null (gig_application_get_session (app));

  page = gig_window_get_sign_in_page (window);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), user->email);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "password_row")), user->password);
  g_signal_emit_by_name (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "submit_button"), "clicked");
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_in, window, 20000));

  g_assert_nonnull (gig_application_get_store (app));
  g_assert_nonnull (gig_application_get_sync (app));
  g_assert_cmpstr (gig_session_get_user_id (gig_application_get_session (app)), ==, user->id);
  path = g_strdup (gig_store_get_path (gig_application_get_store (app)));
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_nonnull (strstr (path, user->id));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Sign out from the menu: back to the sign-in page, and the account's cache is gone. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, 5000));
  g_assert_null (gig_application_get_store (app));
  g_assert_true (gig_test_ui_wait_until (file_gone, path, 10000));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add_func ("/ui/flow", test_flow);
  g_test_add_func ("/ui/application", test_application);

  return g_test_run ();
}
