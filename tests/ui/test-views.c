/* test-views.c: views and view models over a real store file, under Xvfb (no server needed)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "gig-test-store.h"
#include "gig-test-ui.h"
#include "ui/gig-conflict-dialog.h"
#include "ui/gig-milestone-dialog.h"
#include "ui/gig-notifications.h"
#include "ui/gig-project-dialog.h"
#include "ui/gig-project-page.h"
#include "ui/gig-sign-in-page.h"
#include "ui/gig-window.h"
#include "ui/gig-record-row.h"
#include "model/gig-record-list-model.h"
#include "chat/gig-chat-view.h"

#define ME     "me0000000000001"
#define OTHER  "other0000000001"

typedef struct
{
  char     *dir;
  GigStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = gig_test_store_new_temp ("gigdesk-views-XXXXXX", &f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gig_test_store_remove (&f->store, f->dir);
}

/* A record as PocketBase sends it. */
static JsonObject *
server_record (const char *id, const char *updated, const char *json_fields)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  json_parser_load_from_data (parser, json_fields, -1, &error);
  g_assert_no_error (error);
  record = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  json_object_set_string_member (record, "id", id);
  json_object_set_string_member (record, "created", updated);
  json_object_set_string_member (record, "updated", updated);
  if (!json_object_has_member (record, "deleted"))
    json_object_set_boolean_member (record, "deleted", FALSE);
  return record;
}

static void
apply (Fixture *f, GigCollection collection, JsonObject *record)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page, record);
  g_assert_true (gig_store_apply_server_page (f->store, collection, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static char *
project (Fixture *f, const char *id, const char *owner, const char *status, double budget)
{
  g_autofree char *fields = g_strdup_printf ("{\"title\":\"Project %s\",\"description\":\"About %s\","
                                             "\"budget\":%.0f,\"currency\":\"EUR\",\"status\":\"%s\","
                                             "\"owner\":\"%s\",\"hired_freelancer\":\"\"}",
                                             id, id, budget, status, owner);

  apply (f, GIG_COLLECTION_PROJECTS, server_record (id, "2026-11-01 10:00:00.000Z", fields));
  return g_strdup (id);
}

static GigLocalState
state_of (Fixture *f, GigCollection collection, const char *id)
{
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;

  g_assert_true (gig_store_get_record_meta (f->store, collection, id, &state, NULL, NULL));
  return state;
}

/* ---- notifications --------------------------------------------------------------------------- */

static JsonObject *
proposal_json (const char *id, const char *project_id, const char *freelancer, const char *status)
{
  g_autofree char *fields = g_strdup_printf ("{\"project\":\"%s\",\"freelancer\":\"%s\",\"status\":\"%s\","
                                             "\"amount\":100,\"estimated_days\":3,\"cover_letter\":\"Hi\"}",
                                             project_id, freelancer, status);

  return server_record (id, "2026-11-02 10:00:00.000Z", fields);
}

static void
test_notifications (Fixture *f, gconstpointer data)
{
  g_autofree char *mine = project (f, "mine00000000001", ME, "open", 100);
  g_autofree char *theirs = project (f, "theirs000000001", OTHER, "open", 100);
  g_autoptr(JsonObject) sent = proposal_json ("prop00000000001", theirs, ME, "sent");
  g_autoptr(JsonObject) accepted = proposal_json ("prop00000000001", theirs, ME, "accepted");
  g_autoptr(JsonObject) rejected = proposal_json ("prop00000000001", theirs, ME, "rejected");
  g_autoptr(JsonObject) incoming = proposal_json ("prop00000000002", mine, OTHER, "sent");
  g_autoptr(GNotification) n1 = NULL;
  g_autoptr(GNotification) n2 = NULL;
  g_autoptr(GNotification) n3 = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id3 = NULL;

  n1 = gig_notification_for_remote_change (f->store, ME, GIG_COLLECTION_PROPOSALS, sent, accepted, &id1);
  g_assert_nonnull (n1);
  g_assert_cmpstr (id1, ==, "proposal-prop00000000001");
  n2 = gig_notification_for_remote_change (f->store, ME, GIG_COLLECTION_PROPOSALS, sent, rejected, NULL);
  g_assert_nonnull (n2);
  n3 = gig_notification_for_remote_change (f->store, ME, GIG_COLLECTION_PROPOSALS, NULL, incoming, &id3);
  g_assert_nonnull (n3);
  g_assert_cmpstr (id3, ==, "proposal-prop00000000002");

  /* Nothing for: a status that did not change, someone else's proposal, other collections. */
  g_assert_null (gig_notification_for_remote_change (f->store, ME, GIG_COLLECTION_PROPOSALS, accepted, accepted, NULL));
  g_assert_null (gig_notification_for_remote_change (f->store, OTHER, GIG_COLLECTION_PROPOSALS, sent, accepted, NULL));
  g_assert_null (gig_notification_for_remote_change (f->store, OTHER, GIG_COLLECTION_PROPOSALS, NULL, incoming, NULL));
  g_assert_null (gig_notification_for_remote_change (f->store, ME, GIG_COLLECTION_PROJECTS, NULL, incoming, NULL));
}

static JsonObject *
chat_event (const char *type, const char *cid, const char *author_id, const char *author_name)
{
  g_autofree char *text = g_strdup_printf ("{\"type\":\"%s\",\"cid\":\"%s\",\"message\":{\"id\":\"m1\","
                                           "\"text\":\"Can we move the call?\",\"user\":{\"id\":\"%s\""
                                           "%s%s%s}}}", type, cid, author_id,
                                           author_name ? ",\"name\":\"" : "", author_name ? author_name : "",
                                           author_name ? "\"" : "");
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  return json_object_ref (json_node_get_object (node));
}

static void
test_chat_notifications (Fixture *f, gconstpointer data)
{
  g_autofree char *mine = project (f, "mine00000000001", ME, "open", 100);
  g_autofree char *cid = g_strconcat ("messaging:project-", mine, NULL);
  g_autoptr(JsonObject) from_other = chat_event ("message.new", cid, OTHER, "Bob Builder");
  g_autoptr(JsonObject) unwatched = chat_event ("notification.message_new", cid, OTHER, NULL);
  g_autoptr(JsonObject) from_me = chat_event ("message.new", cid, ME, "Me");
  g_autoptr(JsonObject) no_message = json_object_new ();
  g_autoptr(GNotification) n1 = NULL;
  g_autoptr(GNotification) n2 = NULL;
  g_autoptr(GNotification) n3 = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *project_id = NULL;
  g_autofree char *bare_title = NULL;
  g_autofree char *no_project = NULL;

  n1 = gig_notification_for_chat_message (f->store, ME, cid, from_other, &id1);
  g_assert_nonnull (n1);
  g_assert_cmpstr (id1, ==, "chat-messaging:project-mine00000000001");
  g_assert_true (gig_notification_chat_text (f->store, ME, cid, from_other, &title, &body, &project_id));
  g_assert_true (g_str_has_prefix (title, "Bob Builder · "));
  g_assert_cmpstr (body, ==, "Can we move the call?");
  g_assert_cmpstr (project_id, ==, mine);

  /* a channel nobody watches here (the same notification id: the newer replaces it), a sender
   * without a name, a channel of no known project */
  n2 = gig_notification_for_chat_message (f->store, ME, cid, unwatched, &id2);
  g_assert_nonnull (n2);
  g_assert_cmpstr (id2, ==, id1);
  g_assert_true (gig_notification_chat_text (f->store, ME, cid, unwatched, &bare_title, NULL, NULL));
  g_assert_true (g_str_has_prefix (bare_title, OTHER " · "));
  n3 = gig_notification_for_chat_message (f->store, ME, "messaging:elsewhere", from_other, NULL);
  g_assert_nonnull (n3);
  g_assert_true (gig_notification_chat_text (f->store, ME, "messaging:elsewhere", from_other, NULL, NULL, &no_project));
  g_assert_null (no_project);

  /* nothing for my own messages or events without a message */
  g_assert_null (gig_notification_for_chat_message (f->store, ME, cid, from_me, NULL));
  g_assert_null (gig_notification_for_chat_message (f->store, ME, cid, no_message, NULL));
}

/* ---- conflicts ------------------------------------------------------------------------------- */

static void
make_conflict (Fixture *f, const char *id)
{
  g_autoptr(JsonObject) edit = json_object_new ();
  g_autoptr(JsonObject) theirs = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *fields = g_strdup_printf ("{\"title\":\"Server title\",\"description\":\"About\","
                                             "\"budget\":900,\"currency\":\"EUR\",\"status\":\"open\","
                                             "\"owner\":\"%s\"}", ME);

  g_free (project (f, id, ME, "open", 100));
  json_object_set_string_member (edit, "title", "My title");
  json_object_set_double_member (edit, "budget", 700);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, id, edit, &error));
  g_assert_no_error (error);

  /* The server moved on meanwhile, in the same fields. */
  apply (f, GIG_COLLECTION_PROJECTS, server_record (id, "2026-11-03 10:00:00.000Z", fields));
  json_object_set_string_member (theirs, "title", "Server title");
  json_object_set_double_member (theirs, "budget", 900);
  g_assert_true (gig_store_mark_conflict (f->store, GIG_COLLECTION_PROJECTS, id, theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpint (state_of (f, GIG_COLLECTION_PROJECTS, id), ==, GIG_LOCAL_STATE_CONFLICT);
}

static void
test_conflict_dialog (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_auto(GStrv) fields = NULL;
  GigConflictDialog *dialog;

  /* No conflict, no dialog. */
  g_free (project (f, "calm00000000001", ME, "open", 100));
  g_assert_null (gig_conflict_dialog_new (NULL, f->store, GIG_COLLECTION_PROJECTS, "calm00000000001"));

  make_conflict (f, "clash0000000001");
  dialog = gig_conflict_dialog_new (NULL, f->store, GIG_COLLECTION_PROJECTS, "clash0000000001");
  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gig_test_ui_wait_for_draw (GTK_WINDOW (dialog), 2);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (dialog), "conflict-light"));

  fields = gig_conflict_dialog_get_fields (dialog);
  g_assert_cmpuint (g_strv_length (fields), ==, 2);
  g_assert_cmpstr (fields[0], ==, "budget");
  g_assert_cmpstr (fields[1], ==, "title");

  /* Keep my title, take the server's budget. */
  gig_conflict_dialog_choose (dialog, "title", TRUE);
  g_assert_true (gig_conflict_dialog_apply (dialog, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (dialog));

  record = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, "clash0000000001");
  g_assert_cmpstr (json_object_get_string_member (record, "title"), ==, "My title");
  g_assert_cmpfloat (json_object_get_double_member (record, "budget"), ==, 900);
  g_assert_cmpint (state_of (f, GIG_COLLECTION_PROJECTS, "clash0000000001"), ==, GIG_LOCAL_STATE_PENDING);
}

/* ---- the project page as the owner ----------------------------------------------------------- */

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

/* A button the user is offered: shown and sensitive. */
static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (c) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (c)), label) == 0 &&
          gtk_widget_get_visible (c) && gtk_widget_get_sensitive (c))
        return c;
      if ((found = find_button (c, label)) != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
page_child (GigProjectPage *page, const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), GIG_TYPE_PROJECT_PAGE, name));
}

static void
test_owner_page (Fixture *f, gconstpointer data)
{
  g_autofree char *id = project (f, "owned0000000001", ME, "open", 1000);
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  g_autoptr(JsonObject) proposal = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigMilestoneDialog *milestone;
  GigProjectPage *page;
  AdwMessageDialog *confirm;
  GigWindow *window;
  GtkWidget *button;
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autoptr(GError) error = NULL;

  apply (f, GIG_COLLECTION_PROPOSALS, proposal_json ("offer0000000001", id, OTHER, "sent"));

  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 800);
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  /* The views read only the store; the session is not signed in. */
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, f->store, NULL, NULL);

    gig_window_set_account (window, account);
  }
  page = gig_window_get_project_page (window);
  gig_window_show_project (window, id);
  gig_project_page_set_view (page, "proposals");
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);

  /* Accept asks first; confirming writes the new status locally, queued for sync. */
  button = find_button (page_child (page, "proposals_list"), "_Accept");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  confirm = find_message_dialog ();
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "confirm");
  gtk_window_destroy (GTK_WINDOW (confirm));
  proposal = gig_store_get_record (f->store, GIG_COLLECTION_PROPOSALS, "offer0000000001");
  g_assert_cmpstr (json_object_get_string_member (proposal, "status"), ==, "accepted");
  g_assert_cmpint (state_of (f, GIG_COLLECTION_PROPOSALS, "offer0000000001"), ==, GIG_LOCAL_STATE_PENDING);

  /* Milestones: two through the dialog, numbered in order; then reordered. */
  gig_project_page_set_view (page, "milestones");
  milestone = gig_milestone_dialog_new (GTK_WINDOW (window), f->store, id, NULL);
  gig_milestone_dialog_set_values (milestone, "Design", "400", "2026-13-40");
  g_assert_false (gig_milestone_dialog_is_valid (milestone));
  gig_milestone_dialog_set_values (milestone, "Design", "400", "2026-12-01");
  g_assert_true (gig_milestone_dialog_is_valid (milestone));
  m1 = gig_milestone_dialog_save (milestone, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (milestone));
  milestone = gig_milestone_dialog_new (GTK_WINDOW (window), f->store, id, NULL);
  gig_milestone_dialog_set_values (milestone, "Build", "500", "");
  m2 = gig_milestone_dialog_save (milestone, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (milestone));

  first = gig_store_get_record (f->store, GIG_COLLECTION_MILESTONES, m1);
  g_assert_cmpint (json_object_get_int_member (first, "position"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "due_date"), ==, "2026-12-01 00:00:00.000Z");
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), "owner-milestones-1200x800-light"));

  /* The first row's menu offers Move Down (not Move Up); it swaps it with the second. */
  {
    GtkWidget *list = page_child (page, "milestones_list");
    GtkWidget *row = gtk_widget_get_first_child (list);
    GtkWidget *menu_button = NULL;
    GMenuModel *menu;
    gboolean moved = FALSE;

    for (GtkWidget *w = row; w != NULL && menu_button == NULL;)
      {
        if (GTK_IS_MENU_BUTTON (w))
          menu_button = w;
        /* depth-first walk inside the first row */
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != row && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = w == row ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (menu_button);
    menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button));
    for (int i = 0; !moved && i < g_menu_model_get_n_items (menu); i++)
      {
        g_autofree char *label = NULL;
        g_autofree char *action = NULL;
        g_autoptr(GVariant) target = NULL;

        g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
        g_assert_cmpstr (label, !=, "Move _Up");
        if (!g_str_equal (label, "Move _Down"))
          continue;
        g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
        target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, NULL);
        /* The page rebuilds its rows, this menu with them: nothing of it is used after. */
        g_assert_true (gtk_widget_activate_action_variant (menu_button, action, target));
        moved = TRUE;
      }
    g_assert_true (moved);
  }
  g_clear_pointer (&first, json_object_unref);
  first = gig_store_get_record (f->store, GIG_COLLECTION_MILESTONES, m1);
  second = gig_store_get_record (f->store, GIG_COLLECTION_MILESTONES, m2);
  g_assert_cmpint (json_object_get_int_member (first, "position"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (second, "position"), ==, 1);

  /* Edit through the same dialog as a new project, then cancel the project. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "project.edit", NULL));
  {
    AdwMessageDialog *edit = find_message_dialog ();
    g_autoptr(JsonObject) edited = NULL;

    g_assert_true (GIG_IS_PROJECT_DIALOG (edit));
    gig_project_dialog_set_values (GIG_PROJECT_DIALOG (edit), "Renamed project", "1500", "New words");
    adw_message_dialog_response (edit, "save");
    gtk_window_destroy (GTK_WINDOW (edit));
    edited = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, id);
    g_assert_cmpstr (json_object_get_string_member (edited, "title"), ==, "Renamed project");
    g_assert_cmpfloat (json_object_get_double_member (edited, "budget"), ==, 1500);
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (page_child (page, "title_label"))), ==, "Renamed project");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "project.cancel", NULL));
  {
    g_autoptr(JsonObject) cancelled = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, id);

    g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==, "cancelled");
    /* A cancelled project takes no new milestones. */
    g_assert_false (gtk_widget_get_visible (page_child (page, "add_milestone_button")));
  }

  /* Trash, then restore from the banner. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "project.trash", NULL));
  gig_window_set_scope (window, GIG_STORE_SCOPE_TRASH);
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (window)), ==, 1);
  gig_window_set_scope (window, GIG_STORE_SCOPE_MY_PROJECTS);
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (window)), ==, 0);
  gig_window_show_project (window, id);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), "trash-1200x800-light"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (page_child (page, "state_revealer"))));
  g_signal_emit_by_name (page_child (page, "state_button"), "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (window)), ==, 1);
  gig_window_set_scope (window, GIG_STORE_SCOPE_TRASH);
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (window)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the project page as a freelancer -------------------------------------------------------- */

static void
test_freelancer_withdraw (Fixture *f, gconstpointer data)
{
  g_autofree char *id = project (f, "theirs000000001", OTHER, "open", 1000);
  g_autoptr(JsonObject) proposal = NULL;
  GigProjectPage *page;
  AdwMessageDialog *confirm;
  GigWindow *window;
  GtkWidget *button;

  apply (f, GIG_COLLECTION_PROPOSALS, proposal_json ("mine00000000001", id, ME, "sent"));
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);
  page = gig_window_get_project_page (window);
  gig_project_page_set_context (page, f->store, ME);
  gig_project_page_set_project (page, id);

  /* No owner actions for a freelancer; the call to action shows the proposal's state. */
  gtk_widget_activate_action (GTK_WIDGET (page), "project.trash", NULL);
  {
    g_autoptr(JsonObject) unchanged = gig_store_get_record (f->store, GIG_COLLECTION_PROJECTS, id);
    g_assert_false (json_object_get_boolean_member (unchanged, "deleted"));
  }
  g_assert_null (find_button (page_child (page, "proposals_list"), "_Accept"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (page_child (page, "proposal_button"))), ==, "Your Proposal: Sent");

  button = find_button (page_child (page, "proposals_list"), "_Withdraw");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  confirm = find_message_dialog ();
  g_assert_nonnull (confirm);
  /* Cancel changes nothing. */
  adw_message_dialog_response (confirm, "cancel");
  gtk_window_destroy (GTK_WINDOW (confirm));
  proposal = gig_store_get_record (f->store, GIG_COLLECTION_PROPOSALS, "mine00000000001");
  g_assert_cmpstr (json_object_get_string_member (proposal, "status"), ==, "sent");
  g_clear_pointer (&proposal, json_object_unref);

  button = find_button (page_child (page, "proposals_list"), "_Withdraw");
  g_signal_emit_by_name (button, "clicked");
  confirm = find_message_dialog ();
  adw_message_dialog_response (confirm, "confirm");
  gtk_window_destroy (GTK_WINDOW (confirm));
  proposal = gig_store_get_record (f->store, GIG_COLLECTION_PROPOSALS, "mine00000000001");
  g_assert_cmpstr (json_object_get_string_member (proposal, "status"), ==, "withdrawn");
  g_assert_cmpint (state_of (f, GIG_COLLECTION_PROPOSALS, "mine00000000001"), ==, GIG_LOCAL_STATE_PENDING);
  /* Nothing left to withdraw. */
  g_assert_null (find_button (page_child (page, "proposals_list"), "_Withdraw"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- sidebar search ---------------------------------------------------------------------- */

typedef struct
{
  guint changes;
  guint largest_added;
} ListChanges;

static void
on_list_changed (GListModel *model, guint position, guint removed, guint added, ListChanges *changes)
{
  changes->changes++;
  changes->largest_added = MAX (changes->largest_added, added);
}

static const char *
list_search_text (GigWindow *window)
{
  return gig_record_list_model_get_query (GIG_RECORD_LIST_MODEL (gig_window_get_list_model (window)))->text;
}

static gboolean
list_searches_logo (gpointer data)
{
  return g_strcmp0 (list_search_text (data), "logo") == 0;
}

static gboolean
list_searches_bakery (gpointer data)
{
  return g_strcmp0 (list_search_text (data), "bakery") == 0;
}

/* Rows the list view has made (it makes them for up to 200 items around what it shows). */
static guint
shown_rows (GigWindow *window)
{
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, "list_view"));
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    n += GTK_IS_WIDGET (gtk_widget_get_first_child (row)) &&
         GIG_IS_RECORD_ROW (gtk_widget_get_first_child (row));
  return n;
}

static void
settle (void)
{
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

static void
test_search_entry (Fixture *f, gconstpointer data)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  ListChanges changes = { 0, 0 };
  GtkEditable *entry;
  GListModel *list;
  GigWindow *window;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *id = g_strdup_printf ("search000000%03u", i);
      g_autofree char *fields = g_strdup_printf ("{\"title\":\"%s %u\",\"budget\":%u,\"currency\":\"EUR\","
                                                 "\"status\":\"open\",\"owner\":\"%s\"}",
                                                 i % 2 ? "Bakery website" : "Logo design", i, 100 + i, OTHER);

      apply (f, GIG_COLLECTION_PROJECTS, server_record (id, "2026-11-01 10:00:00.000Z", fields));
    }

  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  /* Earlier tests may have left another list in the settings. */
  gig_window_set_scope (window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  gig_window_set_sort (window, GIG_STORE_SORT_NEWEST);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, f->store, NULL, NULL);

    gig_window_set_account (window, account);
  }
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);
  list = gig_window_get_list_model (window);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 60);
  /* A screenful of rows comes first, the rest right after. */
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_assert_cmpuint (shown_rows (window), ==, 60);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), "sidebar-rows-light"));
  entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, "search_entry"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);

  /* Typed text is searched after the entry's pause. */
  gtk_editable_set_text (entry, "bakery");
  g_assert_true (gig_test_ui_wait_until (list_searches_bakery, window, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 30);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_assert_cmpuint (shown_rows (window), ==, 30);

  /* Replacing the text empties the entry for a moment: that is not listed. */
  g_signal_connect (list, "items-changed", G_CALLBACK (on_list_changed), &changes);
  gtk_editable_set_text (entry, "logo");
  settle ();
  g_assert_cmpstr (list_search_text (window), ==, "bakery");
  g_assert_cmpuint (changes.changes, ==, 0);
  g_assert_true (gig_test_ui_wait_until (list_searches_logo, window, 5000));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 30);
  g_assert_cmpuint (changes.largest_added, ==, 30);

  /* Clearing it lists everything at once, with no pause. */
  gtk_editable_set_text (entry, "");
  settle ();
  g_assert_null (list_search_text (window));
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 60);
  g_signal_handlers_disconnect_by_data (list, &changes);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_assert_cmpuint (shown_rows (window), ==, 60);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- chat tab -------------------------------------------------------------------------------- */

static void
test_chat_tab (Fixture *f, gconstpointer data)
{
  g_autoptr(GigChatClient) chat = gig_chat_client_new ("http://127.0.0.1:9", f->store, ME);
  g_autofree char *fields = g_strdup_printf ("{\"title\":\"Hired\",\"budget\":10,\"currency\":\"EUR\","
                                             "\"status\":\"in_progress\",\"owner\":\"%s\","
                                             "\"hired_freelancer\":\"%s\"}", OTHER, ME);
  g_autofree char *open_id = project (f, "notmine00000001", OTHER, "open", 10);
  GigProjectPage *page;
  GigWindow *window;
  GtkWidget *slot;

  apply (f, GIG_COLLECTION_PROJECTS, server_record ("hired0000000001", "2026-11-01 10:00:00.000Z", fields));
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);
  page = gig_window_get_project_page (window);
  gig_project_page_set_context (page, f->store, ME);
  slot = page_child (page, "chat_slot");

  /* Without a chat client, and on a project nobody is hired for: the placeholder. */
  gig_project_page_set_project (page, "hired0000000001");
  g_assert_true (ADW_IS_STATUS_PAGE (adw_bin_get_child (ADW_BIN (slot))));
  gig_project_page_set_chat_client (page, chat);
  g_assert_true (GIG_IS_CHAT_VIEW (adw_bin_get_child (ADW_BIN (slot))));
  {
    g_autofree char *cid = gig_chat_cid_for_project ("hired0000000001");
    g_assert_cmpstr (gig_chat_view_get_cid (GIG_CHAT_VIEW (adw_bin_get_child (ADW_BIN (slot)))), ==, cid);
  }
  gig_project_page_set_project (page, open_id);
  g_assert_true (ADW_IS_STATUS_PAGE (adw_bin_get_child (ADW_BIN (slot))));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- sign-in messages ------------------------------------------------------------------------ */

static void
test_sign_in_messages (void)
{
  g_autoptr(GError) wrong = g_error_new_literal (GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS,
                                                 "Failed to authenticate.");
  g_autoptr(GError) down = g_error_new_literal (GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_UNREACHABLE, "Connection refused");
  g_autofree char *a = gig_sign_in_describe_error (wrong, "https://x.example");
  g_autofree char *b = gig_sign_in_describe_error (down, "https://x.example");

  g_assert_cmpstr (a, ==, "Wrong email or password.");
  g_assert_nonnull (strstr (b, "https://x.example"));
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/views/notifications", Fixture, NULL, fixture_set_up, test_notifications, fixture_tear_down);
  g_test_add ("/views/chat-notifications", Fixture, NULL, fixture_set_up, test_chat_notifications, fixture_tear_down);
  g_test_add ("/views/conflict-dialog", Fixture, NULL, fixture_set_up, test_conflict_dialog, fixture_tear_down);
  g_test_add ("/views/owner-page", Fixture, NULL, fixture_set_up, test_owner_page, fixture_tear_down);
  g_test_add ("/views/freelancer-withdraw", Fixture, NULL, fixture_set_up, test_freelancer_withdraw, fixture_tear_down);
  g_test_add ("/views/search-entry", Fixture, NULL, fixture_set_up, test_search_entry, fixture_tear_down);
  g_test_add ("/views/chat-tab", Fixture, NULL, fixture_set_up, test_chat_tab, fixture_tear_down);
  g_test_add_func ("/views/sign-in-messages", test_sign_in_messages);

  return g_test_run ();
}
