/* test-locale.c: the views in English and German over a real store file, under Xvfb: amounts
 * typed and shown by the locale's rules.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "gig-test-store.h"
#include "gig-test-ui.h"
#include "chat/gig-chat-window.h"
#include "ui/gig-conflict-dialog.h"
#include "ui/gig-milestone-dialog.h"
#include "ui/gig-preferences-window.h"
#include "ui/gig-project-dialog.h"
#include "ui/gig-project-page.h"
#include "ui/gig-proposal-row.h"
#include "ui/gig-proposal-editor.h"
#include "ui/gig-ui-util.h"
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
  const char *date_shown;     /* 24 December 2026 in a date field */
  const char *other_date;     /* 31 December 2026 typed the local way */
  const char *foreign_date;   /* the other convention, not a date here */
  const char *last_day_shown; /* 31 December 2026 in a milestone's line */
} Language;

static const Language english = { "en", "1,200", "1,200.50", "1.200,50", "€2,800", "1,200.50",
                                  "12/24/2026", "12/31/2026", "31.12.2026", "31 Dec 2026" };
static const Language german = { "de", "1.200", "1.200,50", "1,200.50", "2.800" NBSP "€", "1.200,50",
                                 "24.12.2026", "31.12.2026", "12/31/2026", "31. Dez" };

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const Language *language = data;

  gig_test_ui_use_language (language->language);
  f->store = gig_test_store_new_temp ("gigdesk-locale-XXXXXX", &f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gig_test_store_remove (&f->store, f->dir);
  gig_test_ui_use_language ("en");
}

/* A record as PocketBase sends it: @json_fields plus id, timestamps and deleted. */
static void
apply (Fixture *f, GigCollection collection, const char *id, const char *json_fields)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json_fields, &error);
  JsonObject *record;

  g_assert_no_error (error);
  record = json_node_get_object (node);
  json_object_set_string_member (record, "id", id);
  json_object_set_string_member (record, "created", "2026-11-01 10:00:00.000Z");
  json_object_set_string_member (record, "updated", "2026-11-01 10:00:00.000Z");
  json_object_set_boolean_member (record, "deleted", FALSE);
  g_ptr_array_add (page, json_object_ref (record));
  g_assert_true (gig_store_apply_server_page (f->store, collection, page, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
apply_project (Fixture *f, const char *id, const char *owner, double budget)
{
  g_autofree char *text = g_strdup_printf ("{\"title\":\"Shop redesign\",\"description\":\"A new look.\","
                                           "\"budget\":%.0f,\"currency\":\"EUR\",\"status\":\"open\","
                                           "\"owner\":\"%s\",\"hired_freelancer\":\"\"}",
                                           budget, owner);

  apply (f, GIG_COLLECTION_PROJECTS, id, text);
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
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, f->store, NULL, NULL);

    gig_window_set_account (window, account);
  }
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

/* ---- due dates ------------------------------------------------------------------------------- */

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* A popover that opened under the pointer starts GTK's tooltip timer on its surface; let it
 * run out while that surface exists (GTK 4.8 asks a destroyed surface otherwise). */
static void
let_tooltip_timer_pass (void)
{
  gig_test_ui_wait_until (never, NULL, 800);
}

static char *
stored_due (Fixture *f, const char *id)
{
  g_autoptr(JsonObject) record = gig_store_get_record (f->store, GIG_COLLECTION_MILESTONES, id);

  g_assert_nonnull (record);
  return g_strdup (json_object_get_string_member (record, "due_date"));
}

static void
test_due_date (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  g_autoptr(GDateTime) christmas = g_date_time_new_local (2026, 12, 24, 12, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *due = NULL;
  g_autofree char *name = NULL;
  GigMilestoneDialog *dialog;
  GtkWidget *due_row, *calendar_button, *popover, *calendar;

  apply_project (f, "mine00000000001", ME, 2800);
  dialog = gig_milestone_dialog_new (NULL, f->store, "mine00000000001", NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  gig_test_ui_wait_for_draw (GTK_WINDOW (dialog), 2);
  due_row = child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "due_row");
  calendar_button = child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "calendar_button");
  popover = child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "calendar_popover");
  calendar = child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "calendar");
  gig_milestone_dialog_set_values (dialog, "Design", "400", "");

  /* Picked from the calendar beside the field: the field shows it the local way. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (calendar_button));
  gig_test_ui_wait_for_draw (GTK_WINDOW (dialog), 2);
  g_assert_true (gtk_widget_get_mapped (popover));
  name = g_strdup_printf ("milestone-calendar-%s", language->language);
  g_free (gig_test_ui_screenshot_popover (GTK_POPOVER (popover), name));
  gtk_calendar_select_day (GTK_CALENDAR (calendar), christmas);
  g_signal_emit_by_name (calendar, "day-selected");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (due_row)), ==, language->date_shown);
  g_assert_false (gtk_widget_get_visible (popover));
  g_assert_true (gig_milestone_dialog_is_valid (dialog));
  g_free (name);
  name = g_strdup_printf ("milestone-date-%s", language->language);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (dialog), name));

  /* Typed: the local way or ISO 8601; anything else is refused, with the local example. */
  gig_milestone_dialog_set_values (dialog, "Design", "400", language->foreign_date);
  g_assert_false (gig_milestone_dialog_is_valid (dialog));
  g_assert_true (gtk_widget_has_css_class (due_row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "error_label"))),
                            language->date_shown));
  gig_milestone_dialog_set_values (dialog, "Design", "400", "2026-02-30");
  g_assert_false (gig_milestone_dialog_is_valid (dialog));
  gig_milestone_dialog_set_values (dialog, "Design", "400", "2026-12-31");
  g_assert_true (gig_milestone_dialog_is_valid (dialog));
  g_assert_false (gtk_widget_has_css_class (due_row, "error"));
  gig_milestone_dialog_set_values (dialog, "Design", "400", language->other_date);
  g_assert_true (gig_milestone_dialog_is_valid (dialog));

  /* Opening the calendar on a typed date shows that date. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (calendar_button));
  gig_test_ui_wait_for_draw (GTK_WINDOW (dialog), 1);
  {
    g_autoptr(GDateTime) shown = gtk_calendar_get_date (GTK_CALENDAR (calendar));

    g_assert_cmpint (g_date_time_get_day_of_month (shown), ==, 31);
    g_assert_cmpint (g_date_time_get_month (shown), ==, 12);
  }
  gtk_menu_button_popdown (GTK_MENU_BUTTON (calendar_button));
  let_tooltip_timer_pass ();

  /* Stored as the calendar day at midnight UTC; shown back the local way. */
  id = gig_milestone_dialog_save (dialog, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (dialog));
  due = stored_due (f, id);
  g_assert_cmpstr (due, ==, "2026-12-31 00:00:00.000Z");
  dialog = gig_milestone_dialog_new (NULL, f->store, "mine00000000001", id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child_of (dialog, GIG_TYPE_MILESTONE_DIALOG, "due_row"))),
                   ==, language->other_date);
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* West of Greenwich the due day is still the 31st, on the page as in the dialog. */
  {
    const char *saved_tz = g_getenv ("TZ");
    g_autofree char *tz = g_strdup (saved_tz);
    GigProjectPage *page = g_object_ref_sink (g_object_new (GIG_TYPE_PROJECT_PAGE, NULL));
    GtkWidget *list, *row;

    g_setenv ("TZ", "America/Los_Angeles", TRUE);
    gig_project_page_set_context (page, f->store, ME);
    gig_project_page_set_project (page, "mine00000000001");
    list = child_of (page, GIG_TYPE_PROJECT_PAGE, "milestones_list");
    row = gtk_widget_get_first_child (list);
    g_assert_true (ADW_IS_ACTION_ROW (row));
    {
      g_autofree char *stored = stored_due (f, id);
      g_autofree char *shown = gig_ui_format_day (stored);

      g_test_message ("milestone row: %s; stored %s, day %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                      stored, shown);
    }
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), language->last_day_shown));
    g_object_unref (page);
    if (tz != NULL)
      g_setenv ("TZ", tz, TRUE);
    else
      g_unsetenv ("TZ");
  }
}

/* ---- 360 px ---------------------------------------------------------------------------------- */

#define NARROW 360

static const char long_letter[] =
  "Dear client, I have redesigned more than forty small shops over the last ten years, from "
  "bakeries to bicycle repair, and every one of them still uses the site I made. I start with a "
  "short call to learn how your customers find you, then sketch two directions, and we pick one "
  "together before I build anything. You get the design files, the finished templates and a "
  "short guide for editing the pages yourself. I work in small steps that you can see and "
  "approve, so there are no surprises at the end. I can start next Monday and deliver the first "
  "sketches within a week. Looking forward to hearing from you and to making your shop shine.";

/* Everything a narrow window has to fit: a project of mine with proposals to decide on and
 * milestones in every state, one I am hired for, and one I sent a proposal to. */
static void
fill_narrow (Fixture *f)
{
  const char *statuses[] = { "pending", "in_progress", "submitted", "approved" };
  const char *titles[] = { "Sketches and first drafts", "Templates", "Shop pages", "Handover" };

  apply (f, GIG_COLLECTION_USERS, OTHER, "{\"name\":\"Bartholomew Featherstonehaugh\"}");
  apply (f, GIG_COLLECTION_USERS, "third0000000001", "{\"name\":\"Ana Lima\"}");
  apply (f, GIG_COLLECTION_PROJECTS, "mine00000000001",
         "{\"title\":\"Redesign of a bicycle shop's website\",\"description\":\"A fresh look for the shop, "
         "with a booking page for repairs. Today's site: https://bikes.example/shop?a=1&b=2\",\"budget\":12000,\"currency\":\"EUR\",\"status\":\"open\","
         "\"owner\":\"" ME "\",\"hired_freelancer\":\"\"}");
  {
    g_autofree char *first = g_strdup_printf ("{\"project\":\"mine00000000001\",\"freelancer\":\"" OTHER "\","
                                              "\"status\":\"sent\",\"amount\":11250.5,\"estimated_days\":21,"
                                              "\"cover_letter\":\"%s\"}", long_letter);

    apply (f, GIG_COLLECTION_PROPOSALS, "offer0000000001", first);
  }
  apply (f, GIG_COLLECTION_PROPOSALS, "offer0000000002",
         "{\"project\":\"mine00000000001\",\"freelancer\":\"third0000000001\",\"status\":\"sent\","
         "\"amount\":9800,\"estimated_days\":14,\"cover_letter\":\"I can do it in two weeks: see https://ana.example/work.\"}");
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *id = g_strdup_printf ("stone%010u", i);
      g_autofree char *fields = g_strdup_printf ("{\"project\":\"mine00000000001\",\"title\":\"%s\",\"amount\":%u,"
                                                 "\"position\":%u,\"status\":\"%s\",\"due_date\":\"2026-12-%02u 00:00:00.000Z\"}",
                                                 titles[i], 2500 + 1000 * i, i + 1, statuses[i], 10 + i);

      apply (f, GIG_COLLECTION_MILESTONES, id, fields);
    }

  apply (f, GIG_COLLECTION_PROJECTS, "hired0000000001",
         "{\"title\":\"Logo for a bakery\",\"description\":\"Vector files.\",\"budget\":1200,\"currency\":\"EUR\","
         "\"status\":\"in_progress\",\"owner\":\"" OTHER "\",\"hired_freelancer\":\"" ME "\"}");
  apply (f, GIG_COLLECTION_MILESTONES, "hiredstone00001",
         "{\"project\":\"hired0000000001\",\"title\":\"Sketches\",\"amount\":400,\"position\":1,\"status\":\"pending\"}");
  apply (f, GIG_COLLECTION_MILESTONES, "hiredstone00002",
         "{\"project\":\"hired0000000001\",\"title\":\"Final logo\",\"amount\":800,\"position\":2,\"status\":\"in_progress\"}");

  apply (f, GIG_COLLECTION_PROJECTS, "theirs000000001",
         "{\"title\":\"Database migration\",\"description\":\"Move a shop from MySQL to PostgreSQL.\",\"budget\":5000,"
         "\"currency\":\"EUR\",\"status\":\"open\",\"owner\":\"" OTHER "\",\"hired_freelancer\":\"\"}");
  apply (f, GIG_COLLECTION_PROPOSALS, "mineoffer000001",
         "{\"project\":\"theirs000000001\",\"freelancer\":\"" ME "\",\"status\":\"sent\",\"amount\":4800,"
         "\"estimated_days\":10,\"cover_letter\":\"I have moved many shops between databases.\"}");
}

/* A wrapped label whose lines start inside a word is one squeezed narrower than its words. */
static void
assert_no_broken_words (GtkWidget *widget, const char *where)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) && gtk_label_get_wrap (GTK_LABEL (widget)) &&
      gtk_label_get_ellipsize (GTK_LABEL (widget)) == PANGO_ELLIPSIZE_NONE)
    {
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (widget));
      const char *text = pango_layout_get_text (layout);
      PangoLayoutIter *iter = pango_layout_get_iter (layout);

      do
        {
          int start = pango_layout_iter_get_line_readonly (iter)->start_index;

          if (start > 0 && g_unichar_isalnum (g_utf8_get_char (g_utf8_prev_char (text + start))) &&
              g_unichar_isalnum (g_utf8_get_char (text + start)))
            g_error ("%s: the label \"%s\" is %d px wide and breaks inside a word", where, text,
                     gtk_widget_get_width (widget));
        }
      while (pango_layout_iter_next_line (iter));
      pango_layout_iter_free (iter);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    assert_no_broken_words (child, where);
}

/* Says which widgets ask for most of the width, deepest last, to find what keeps a window wide. */
static void
print_wide_widgets (GtkWidget *widget, int threshold, int depth)
{
  int minimum = 0;

  if (!gtk_widget_get_visible (widget))
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum < threshold)
    return;
  g_printerr ("%*s%s%s%s: %d px\n", depth * 2, "", G_OBJECT_TYPE_NAME (widget),
              GTK_IS_LABEL (widget) ? " " : "", GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : "",
              minimum);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    print_wide_widgets (child, threshold, depth + 1);
}

/* The window fits 360 px (its minimum width says so), nothing in it is squeezed, and it is
 * rendered light and dark for a look by eye. */
static void
assert_narrow (gpointer window, const char *language, const char *name)
{
  g_autofree char *light = g_strdup_printf ("narrow-%s-%s-light", name, language);
  g_autofree char *dark = g_strdup_printf ("narrow-%s-%s-dark", name, language);
  GtkWidget *content = gtk_window_get_child (GTK_WINDOW (window));
  int minimum = 0, with_frame = 0;

  gtk_window_set_default_size (GTK_WINDOW (window), NARROW, 640);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  /* The window's own measure adds the client-side frame (shadow and border), which a window
   * filling a 360 px screen does not draw: the content is what must fit. */
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &with_frame, NULL, NULL, NULL);
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_test_message ("%s (%s): minimum width %d px (%d with the frame)", name, language, minimum, with_frame);
  if (minimum > NARROW)
    print_wide_widgets (content, NARROW - 150, 0);
  if (minimum > NARROW)
    g_error ("%s (%s) needs %d px, more than %d", name, language, minimum, NARROW);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, NARROW);
  assert_no_broken_words (GTK_WIDGET (window), light);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), light));
  gig_test_ui_set_dark (TRUE);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), dark));
  gig_test_ui_set_dark (FALSE);
}

/* Counts the shown buttons under @widget with @css_class (NULL: any). */
static guint
count_buttons (GtkWidget *widget, const char *css_class)
{
  guint count = 0;

  if (!gtk_widget_get_visible (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) && (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    count++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    count += count_buttons (child, css_class);
  return count;
}

/* The HIG's shape: one suggested action per row (Accept), Reject flat with destructive text,
 * the cover letter shown in the row and only a long one shortened, behind Show More. */
static void
assert_proposal_rows (GigProjectPage *page)
{
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), GIG_TYPE_PROJECT_PAGE, "proposals_list"));
  guint rows = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GigProposalRow *proposal;
      GtkWidget *letter, *reject, *more;

      if (!GIG_IS_PROPOSAL_ROW (row))
        continue;
      proposal = GIG_PROPOSAL_ROW (row);
      rows++;
      letter = GTK_WIDGET (gtk_widget_get_template_child (row, GIG_TYPE_PROPOSAL_ROW, "letter_label"));
      reject = GTK_WIDGET (gtk_widget_get_template_child (row, GIG_TYPE_PROPOSAL_ROW, "reject_button"));
      more = GTK_WIDGET (gtk_widget_get_template_child (row, GIG_TYPE_PROPOSAL_ROW, "more_button"));

      g_assert_cmpuint (count_buttons (row, "suggested-action"), ==, 1);
      g_assert_true (gtk_widget_get_mapped (reject));
      g_assert_true (gtk_widget_has_css_class (reject, "flat"));
      g_assert_false (gtk_widget_has_css_class (reject, "suggested-action"));
      g_assert_false (gtk_widget_has_css_class (reject, "destructive-action"));
      g_assert_true (gtk_widget_get_mapped (letter));
      g_assert_cmpint (gtk_widget_get_height (letter), >, 0);

      if (g_str_equal (gig_proposal_row_get_proposal_id (proposal), "offer0000000001"))
        {
          /* The long letter: a few lines, then all of it on request. */
          g_assert_true (gig_proposal_row_get_letter_shortened (proposal));
          g_assert_true (gtk_widget_get_mapped (more));
          g_signal_emit_by_name (more, "clicked");
          g_assert_false (gig_proposal_row_get_letter_shortened (proposal));
          g_assert_false (gtk_widget_get_visible (more));
        }
      else
        {
          g_assert_false (gig_proposal_row_get_letter_shortened (proposal));
          g_assert_false (gtk_widget_get_visible (more));
          /* An address in the letter is a link; the text reads as written. */
          g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (letter)), "<a href=\"https://ana.example/work\">"));
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (letter)), ==, "I can do it in two weeks: see https://ana.example/work.");
        }
    }
  g_assert_cmpuint (rows, ==, 2);
}

static void
test_narrow_window (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  const char *views[] = { "overview", "proposals", "milestones", "chat" };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  g_autoptr(GigChatClient) chat = NULL;
  GigProjectPage *page;
  GigWindow *window;

  fill_narrow (f);
  chat = gig_chat_client_new ("http://127.0.0.1:9", f->store, ME);
  g_settings_set_int (settings, "window-width", NARROW);
  g_settings_set_int (settings, "window-height", 640);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  /* Signed out: the sign-in page. */
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_window_set_account (window, NULL);
  assert_narrow (window, language->language, "sign-in");
  gtk_window_destroy (GTK_WINDOW (window));

  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, f->store, NULL, NULL);

    gig_window_set_account (window, account);
  }
  gig_window_set_scope (window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  assert_narrow (window, language->language, "sidebar");

  page = gig_window_get_project_page (window);
  gig_project_page_set_chat_client (page, chat);
  gig_window_show_project (window, "mine00000000001");
  /* The description's address is a link, escaped as markup needs. */
  {
    GtkLabel *description = GTK_LABEL (child_of (page, GIG_TYPE_PROJECT_PAGE, "description_label"));
    gboolean handled = FALSE;

    g_assert_nonnull (strstr (gtk_label_get_label (description), "<a href=\"https://bikes.example/shop?a=1&amp;b=2\">"));
    g_assert_nonnull (strstr (gtk_label_get_text (description), "https://bikes.example/shop?a=1&b=2"));
    /* Only web and mail addresses ever open. */
    g_signal_emit_by_name (description, "activate-link", "file:///etc/passwd", &handled);
    g_assert_true (handled);
  }
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("owner-%s", views[i]);

      gig_project_page_set_view (page, views[i]);
      assert_narrow (window, language->language, name);
      if (g_str_equal (views[i], "proposals"))
        {
          assert_proposal_rows (page);
          assert_narrow (window, language->language, "owner-proposals-expanded");
        }
    }

  gig_window_show_project (window, "hired0000000001");
  gig_project_page_set_view (page, "milestones");
  assert_narrow (window, language->language, "hired-milestones");
  gig_project_page_set_view (page, "chat");
  assert_narrow (window, language->language, "hired-chat");

  gig_window_show_project (window, "theirs000000001");
  gig_project_page_set_view (page, "overview");
  assert_narrow (window, language->language, "freelancer-overview");
  gig_project_page_set_view (page, "proposals");
  assert_narrow (window, language->language, "freelancer-proposals");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_narrow_dialogs (Fixture *f, gconstpointer data)
{
  const Language *language = data;
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GigChatClient) chat = NULL;
  g_autoptr(JsonObject) edit = json_object_new ();
  g_autoptr(JsonObject) theirs = json_object_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  fill_narrow (f);
  dialog = GTK_WIDGET (gig_proposal_editor_new (f->store, ME, "theirs000000001", "mineoffer000001"));
  assert_narrow (dialog, language->language, "proposal-editor");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (gig_milestone_dialog_new (NULL, f->store, "mine00000000001", "stone0000000000"));
  gtk_window_present (GTK_WINDOW (dialog));
  assert_narrow (dialog, language->language, "milestone-dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (gig_project_dialog_new (NULL, f->store, ME, "mine00000000001"));
  gtk_window_present (GTK_WINDOW (dialog));
  assert_narrow (dialog, language->language, "project-dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = GTK_WIDGET (gig_preferences_window_new (settings));
  gtk_window_present (GTK_WINDOW (dialog));
  assert_narrow (dialog, language->language, "preferences");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A conflict on the project's title and budget. */
  json_object_set_string_member (edit, "title", "My title for the bicycle shop's new website");
  json_object_set_double_member (edit, "budget", 11500);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, "mine00000000001", edit, &error));
  g_assert_no_error (error);
  json_object_set_string_member (theirs, "title", "The server's title for the bicycle shop's website");
  json_object_set_double_member (theirs, "budget", 12500);
  g_assert_true (gig_store_mark_conflict (f->store, GIG_COLLECTION_PROJECTS, "mine00000000001", theirs, &error));
  g_assert_no_error (error);
  dialog = GTK_WIDGET (gig_conflict_dialog_new (NULL, f->store, GIG_COLLECTION_PROJECTS, "mine00000000001"));
  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  assert_narrow (dialog, language->language, "conflict-dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  chat = gig_chat_client_new ("http://127.0.0.1:9", f->store, ME);
  dialog = gig_chat_window_new (NULL, chat, "messaging:project-hired0000000001", "Logo for a bakery");
  gtk_window_present (GTK_WINDOW (dialog));
  assert_narrow (dialog, language->language, "chat-window");
  gtk_window_destroy (GTK_WINDOW (dialog));
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

  g_test_add ("/locale/en/due-date", Fixture, &english, fixture_set_up, test_due_date, fixture_tear_down);
  g_test_add ("/locale/de/due-date", Fixture, &german, fixture_set_up, test_due_date, fixture_tear_down);
  g_test_add ("/locale/en/narrow-window", Fixture, &english, fixture_set_up, test_narrow_window, fixture_tear_down);
  g_test_add ("/locale/de/narrow-window", Fixture, &german, fixture_set_up, test_narrow_window, fixture_tear_down);
  g_test_add ("/locale/en/narrow-dialogs", Fixture, &english, fixture_set_up, test_narrow_dialogs, fixture_tear_down);
  g_test_add ("/locale/de/narrow-dialogs", Fixture, &german, fixture_set_up, test_narrow_dialogs, fixture_tear_down);

  return g_test_run ();
}
