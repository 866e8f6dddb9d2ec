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

static void
shot (gpointer window, const char *name)
{
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  g_test_message ("screenshot: %s", name);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), name));
}

static JsonObject *
rest (Fixture *f, const char *token, const char *method, const char *path, const char *body)
{
  return gig_test_pb_call_ok (f->pb, token, method, path, body);
}

static void
sync_once (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gig_sync_once_async (f->sync, NULL, gig_test_ui_store_result, &result);
  g_assert_true (gig_sync_once_finish (f->sync, gig_test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
}

static GigWindow *
make_window (int width, int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;

  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  return window;
}

/* A client's open project, and the freelancer signed in with a window over a synced store. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GigPbClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
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
  client = gig_pb_client_new (gig_test_pb_get_url (f->pb));
  f->session = gig_session_new (client);
  gig_session_sign_in_async (f->session, f->freelancer->email, f->freelancer->password, NULL,
                             gig_test_ui_store_result, &result);
  g_assert_true (gig_session_sign_in_finish (f->session, gig_test_ui_wait_result (&result), &error));
  g_assert_no_error (error);

  path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  f->sync = gig_sync_new (f->store, gig_session_get_client (f->session), f->session);
  sync_once (f);

  f->window = make_window (1200, 800);
  gig_window_set_account (f->window, f->session, f->store, f->sync);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  gig_sync_stop (f->sync);
  g_clear_object (&f->sync);
  gig_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->session);
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
  shot (f->window, "draft-on-page-1200x800-light");
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
  shot (dialog, "discard-draft-light");
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
app_signed_in (gpointer data)
{
  return gig_window_is_signed_in (data);
}

static gboolean
app_signed_out (gpointer data)
{
  return !gig_window_is_signed_in (data) && gig_window_get_sign_in_page (data) != NULL;
}

static gboolean
app_settled (gpointer data)
{
  return app_signed_in (data) || app_signed_out (data);
}

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
  g_assert_true (gig_test_ui_wait_until (app_settled, window, 20000));
  if (gig_window_is_signed_in (window))
    return;
  page = gig_window_get_sign_in_page (window);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), user->email);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "password_row")), user->password);
  g_signal_emit_by_name (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "submit_button"), "clicked");
  g_assert_true (gig_test_ui_wait_until (app_signed_in, window, 20000));
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
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
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

  g_settings_set_string (settings, "server-url", gig_test_pb_get_url (f->pb));
  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);
  app = gig_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = GIG_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);

  /* Online, with a proposal waiting: Sign Out sends it first and then asks nothing. */
  app_sign_in (window, f->freelancer);
  store = gig_application_get_store (app);
  path = g_strdup (gig_store_get_path (store));
  sent_id = queue_proposal (store, f->project, f->freelancer->id);
  g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
  g_assert_true (gig_test_ui_wait_until (app_signed_out, window, 30000));
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
  shot (dialog, "sign-out-unsent-light");

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
  g_assert_true (gig_test_ui_wait_until (app_signed_out, window, 10000));
  g_assert_true (gig_test_ui_wait_until (file_gone, path, 10000));

  gig_test_pb_restart (f->pb);
  gtk_window_destroy (GTK_WINDOW (window));
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

  return g_test_run ();
}
