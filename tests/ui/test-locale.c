/* test-locale.c: the views in English and German over a real store file, under Xvfb: amounts
 * typed and shown by the locale's rules.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "gig-test-ui.h"
#include "ui/gig-milestone-dialog.h"
#include "ui/gig-project-dialog.h"
#include "ui/gig-project-page.h"
#include "ui/gig-proposal-editor.h"
#include "ui/gig-window.h"

#define ME     "me0000000000001"
#define OTHER  "other0000000001"
#define NBSP   "\xc2\xa0"

typedef struct
{
  char     *dir;
  GigStore *store;
} Fixture;

typedef struct
{
  const char *language;
  /* What the user types and what the views show, in that language. */
  const char *grouped;        /* 1200 */
  const char *with_cents;     /* 1200.50 */
  const char *foreign;        /* a grouping this locale does not use */
  const char *budget_shown;   /* 2800 EUR */
  const char *cents_shown;    /* 1200.50 as an editable number */
} Language;

static const Language english = { "en", "1,200", "1,200.50", "1.200,50", "€2,800", "1,200.50" };
static const Language german = { "de", "1.200", "1.200,50", "1,200.50", "2.800" NBSP "€", "1.200,50" };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  gig_test_ui_use_language (language->language);
  f->dir = g_dir_make_tmp ("gigdesk-locale-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_strdup (gig_store_get_path (f->store));

  gig_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_true (gig_store_remove_files (path, NULL));
  g_rmdir (f->dir);
  g_free (f->dir);
  gig_test_ui_use_language ("en");
}

static void
apply_project (Fixture *f, const char *id, const char *owner, double budget)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"title\":\"Shop redesign\",\"description\":\"A new look.\","
                                           "\"budget\":%.0f,\"currency\":\"EUR\",\"status\":\"open\","
                                           "\"owner\":\"%s\",\"hired_freelancer\":\"\",\"deleted\":false,"
                                           "\"created\":\"2026-11-01 10:00:00.000Z\","
                                           "\"updated\":\"2026-11-01 10:00:00.000Z\"}",
                                           id, budget, owner);
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_ptr_array_add (page, json_object_ref (json_node_get_object (node)));
  g_assert_true (gig_store_apply_server_page (f->store, GIG_COLLECTION_PROJECTS, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static GtkWidget *
child_of (gpointer widget, GType type, const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static double
stored_amount (Fixture *f, GigCollection collection, const char *id, const char *field)
{
  g_autoptr(JsonObject) record = gig_store_get_record (f->store, collection, id);

  g_assert_nonnull (record);
  return json_object_get_double_member (record, field);
}

/* ---- amounts --------------------------------------------------------------------------------- */

static void
test_proposal_amount (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  GigProposalEditor *editor;
  GtkWidget *amount_row, *error_label;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;

  apply_project (f, "shop00000000001", OTHER, 2800);
  editor = gig_proposal_editor_new (f->store, ME, "shop00000000001", NULL);
  gtk_window_present (GTK_WINDOW (editor));
  gig_test_ui_wait_for_draw (GTK_WINDOW (editor), 2);
  amount_row = child_of (editor, GIG_TYPE_PROPOSAL_EDITOR, "amount_row");
  error_label = child_of (editor, GIG_TYPE_PROPOSAL_EDITOR, "error_label");

  /* Not a number: red at once, with an example written the way this locale writes amounts. */
  gig_proposal_editor_set_values (editor, "12x", "10", "I redesign shops.");
  g_assert_true (gtk_widget_has_css_class (amount_row, "error"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), language->cents_shown));
  name = g_strdup_printf ("proposal-editor-amount-error-%s", language->language);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (editor), name));

  /* The other convention's grouping is refused too ("1,200.50" is not an amount in German). */
  gig_proposal_editor_set_values (editor, language->foreign, NULL, NULL);
  g_assert_true (gtk_widget_has_css_class (amount_row, "error"));

  /* Corrected: the mark goes as the text becomes valid, before anything is sent. */
  gig_proposal_editor_set_values (editor, language->grouped, NULL, NULL);
  g_assert_false (gtk_widget_has_css_class (amount_row, "error"));
  g_assert_false (gtk_widget_get_visible (error_label));

  /* Sending stores the amount the user meant. */
  gig_proposal_editor_set_values (editor, language->with_cents, NULL, NULL);
  g_assert_true (gig_proposal_editor_send (editor, &error));
  g_assert_no_error (error);
  id = g_strdup (gig_proposal_editor_get_proposal_id (editor));
  g_assert_cmpfloat (stored_amount (f, GIG_COLLECTION_PROPOSALS, id, "amount"), ==, 1200.5);
  gtk_window_destroy (GTK_WINDOW (editor));

  /* Opened again, the field shows it in the locale's form, and it reads back the same. */
  editor = gig_proposal_editor_new (f->store, ME, "shop00000000001", id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child_of (editor, GIG_TYPE_PROPOSAL_EDITOR, "amount_row"))),
                   ==, language->cents_shown);
  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_budget_and_milestone_amounts (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *milestone_id = NULL;
  g_autofree char *project_id = NULL;
  g_autofree char *name = NULL;
  GigProjectDialog *project_dialog;
  GigMilestoneDialog *milestone;
  GigProjectPage *page;
  GigWindow *window;

  apply_project (f, "mine00000000001", ME, 2800);
  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 800);
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  gig_window_set_account (window, session, f->store, NULL);
  gig_window_set_user (window, ME);
  page = gig_window_get_project_page (window);
  gig_window_show_project (window, "mine00000000001");

  /* The budget as this locale writes money: "€2,800", "2.800 €". */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child_of (page, GIG_TYPE_PROJECT_PAGE, "budget_row"))),
                   ==, language->budget_shown);

  /* A milestone of 1200.50, typed the local way; the edit dialog shows it back the same way. */
  milestone = gig_milestone_dialog_new (GTK_WINDOW (window), f->store, "mine00000000001", NULL);
  gig_milestone_dialog_set_values (milestone, "Design", language->foreign, "");
  g_assert_false (gig_milestone_dialog_is_valid (milestone));
  g_assert_true (gtk_widget_has_css_class (child_of (milestone, GIG_TYPE_MILESTONE_DIALOG, "amount_row"), "error"));
  gig_milestone_dialog_set_values (milestone, "Design", language->with_cents, "");
  g_assert_true (gig_milestone_dialog_is_valid (milestone));
  g_assert_false (gtk_widget_has_css_class (child_of (milestone, GIG_TYPE_MILESTONE_DIALOG, "amount_row"), "error"));
  milestone_id = gig_milestone_dialog_save (milestone, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (milestone));
  g_assert_cmpfloat (stored_amount (f, GIG_COLLECTION_MILESTONES, milestone_id, "amount"), ==, 1200.5);
  milestone = gig_milestone_dialog_new (GTK_WINDOW (window), f->store, "mine00000000001", milestone_id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child_of (milestone, GIG_TYPE_MILESTONE_DIALOG, "amount_row"))),
                   ==, language->cents_shown);
  gtk_window_destroy (GTK_WINDOW (milestone));

  /* A new project's budget typed with grouping. */
  project_dialog = gig_project_dialog_new (GTK_WINDOW (window), f->store, ME, NULL);
  gtk_window_present (GTK_WINDOW (project_dialog));
  gig_project_dialog_set_values (project_dialog, "Bakery logo", language->foreign, "");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (project_dialog), "save"));
  gig_test_ui_wait_for_draw (GTK_WINDOW (project_dialog), 2);
  name = g_strdup_printf ("project-dialog-budget-error-%s", language->language);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (project_dialog), name));
  gig_project_dialog_set_values (project_dialog, "Bakery logo", language->grouped, "");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (project_dialog), "save"));
  g_assert_false (gtk_widget_has_css_class (child_of (project_dialog, GIG_TYPE_PROJECT_DIALOG, "budget_row"), "error"));
  project_id = gig_project_dialog_save (project_dialog, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (project_dialog));
  g_assert_cmpfloat (stored_amount (f, GIG_COLLECTION_PROJECTS, project_id, "budget"), ==, 1200);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/locale/en/proposal-amount", Fixture, &english, fixture_set_up, test_proposal_amount, fixture_tear_down);
  g_test_add ("/locale/de/proposal-amount", Fixture, &german, fixture_set_up, test_proposal_amount, fixture_tear_down);
  g_test_add ("/locale/en/budget-and-milestone", Fixture, &english, fixture_set_up,
              test_budget_and_milestone_amounts, fixture_tear_down);
  g_test_add ("/locale/de/budget-and-milestone", Fixture, &german, fixture_set_up,
              test_budget_and_milestone_amounts, fixture_tear_down);

  return g_test_run ();
}
