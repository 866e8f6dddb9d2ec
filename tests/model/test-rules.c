/* test-rules.c: the domain rules of projects, proposals and milestones, without a display
 *
 * Each table here mirrors the server's (pb/README.md, "projects", "proposals", "Milestone
 * agreements"): the desktop offers exactly the moves the server takes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "model/gig-chat-event.h"
#include "model/gig-milestone.h"
#include "model/gig-project.h"
#include "model/gig-proposal.h"
#include "model/gig-status.h"

#define OWNER    "usrowner0000001"
#define AUTHOR   "usrauthor000001"
#define HIRED    "usrhired0000001"
#define STRANGER "usrstranger0001"

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GigRecord *
record (GigCollection  collection,
        GigLocalState  state,
        const char    *format,
        ...) G_GNUC_PRINTF (3, 4);

static GigRecord *
record (GigCollection  collection,
        GigLocalState  state,
        const char    *format,
        ...)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) json = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  json = parse (text);
  return gig_record_new_for_collection (collection, json, state);
}

static GigProject *
project (const char *status,
         const char *hired,
         gboolean    deleted)
{
  return GIG_PROJECT (record (GIG_COLLECTION_PROJECTS, GIG_LOCAL_STATE_SYNCED,
                              "{\"id\":\"prj000000000001\",\"title\":\"Logo\",\"owner\":\"" OWNER "\","
                              "\"hired_freelancer\":\"%s\",\"status\":\"%s\",\"deleted\":%s}",
                              hired, status, deleted ? "true" : "false"));
}

/* ---- statuses -------------------------------------------------------------------------------- */

static void
test_status_strings (void)
{
  static const char *projects[] = { NULL, "open", "in_progress", "completed", "cancelled" };
  static const char *proposals[] = { NULL, "sent", "accepted", "rejected", "withdrawn" };
  static const char *milestones[] = { NULL, "pending", "in_progress", "submitted", "approved" };

  for (guint i = 1; i < G_N_ELEMENTS (projects); i++)
    {
      g_assert_cmpint (gig_project_status_from_string (projects[i]), ==, i);
      g_assert_cmpstr (gig_project_status_to_string (i), ==, projects[i]);
      g_assert_nonnull (gig_status_label (GIG_COLLECTION_PROJECTS, projects[i]));
    }
  for (guint i = 1; i < G_N_ELEMENTS (proposals); i++)
    {
      g_assert_cmpint (gig_proposal_status_from_string (proposals[i]), ==, i);
      g_assert_cmpstr (gig_proposal_status_to_string (i), ==, proposals[i]);
      g_assert_nonnull (gig_status_label (GIG_COLLECTION_PROPOSALS, proposals[i]));
    }
  for (guint i = 1; i < G_N_ELEMENTS (milestones); i++)
    {
      g_assert_cmpint (gig_milestone_status_from_string (milestones[i]), ==, i);
      g_assert_cmpstr (gig_milestone_status_to_string (i), ==, milestones[i]);
    }

  /* Unknown and missing strings, values out of range, and another collection's statuses. */
  g_assert_cmpint (gig_project_status_from_string ("sent"), ==, GIG_PROJECT_STATUS_UNKNOWN);
  g_assert_cmpint (gig_proposal_status_from_string ("open"), ==, GIG_PROPOSAL_STATUS_UNKNOWN);
  g_assert_cmpint (gig_proposal_status_from_string (NULL), ==, GIG_PROPOSAL_STATUS_UNKNOWN);
  g_assert_cmpint (gig_proposal_status_from_string ("Sent"), ==, GIG_PROPOSAL_STATUS_UNKNOWN);
  g_assert_null (gig_project_status_to_string (GIG_PROJECT_STATUS_UNKNOWN));
  g_assert_null (gig_proposal_status_to_string (GIG_PROPOSAL_STATUS_WITHDRAWN + 1));
  g_assert_null (gig_status_label (GIG_COLLECTION_PROJECTS, "sent"));
  g_assert_null (gig_status_label (GIG_COLLECTION_USERS, "open"));

  /* "in_progress" reads the same for projects and milestones, but each maps on its own. */
  g_assert_cmpstr (gig_status_label (GIG_COLLECTION_PROJECTS, "in_progress"), ==, "In Progress");
  g_assert_cmpstr (gig_status_label (GIG_COLLECTION_MILESTONES, "in_progress"), ==, "In Progress");
  g_assert_cmpstr (gig_status_label (GIG_COLLECTION_PROPOSALS, "withdrawn"), ==, "Withdrawn");

  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_PROJECTS, "open"), ==, GIG_STATUS_TONE_ACCENT);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_PROPOSALS, "sent"), ==, GIG_STATUS_TONE_ACCENT);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_PROPOSALS, "accepted"), ==, GIG_STATUS_TONE_SUCCESS);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_MILESTONES, "approved"), ==, GIG_STATUS_TONE_SUCCESS);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_MILESTONES, "submitted"), ==, GIG_STATUS_TONE_WARNING);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_PROJECTS, "cancelled"), ==, GIG_STATUS_TONE_ERROR);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_MILESTONES, "pending"), ==, GIG_STATUS_TONE_NEUTRAL);
  g_assert_cmpint (gig_status_tone (GIG_COLLECTION_PROJECTS, "bogus"), ==, GIG_STATUS_TONE_NEUTRAL);
}

/* A record's pill: the label of a known status, the server's string for one this build does
 * not know (never a blank pill), "" without one. */
static void
test_record_status_label (void)
{
  g_autoptr(GigRecord) open = record (GIG_COLLECTION_PROJECTS, GIG_LOCAL_STATE_SYNCED,
                                      "{\"id\":\"prj000000000001\",\"status\":\"open\"}");
  g_autoptr(GigRecord) future = record (GIG_COLLECTION_PROPOSALS, GIG_LOCAL_STATE_SYNCED,
                                        "{\"id\":\"prp000000000001\",\"status\":\"on_hold\"}");
  g_autoptr(GigRecord) none = record (GIG_COLLECTION_MILESTONES, GIG_LOCAL_STATE_SYNCED,
                                      "{\"id\":\"mls000000000001\",\"status\":7}");

  g_assert_cmpstr (gig_record_get_status_label (open), ==, "Open");
  g_assert_cmpint (gig_record_get_status_tone (open), ==, GIG_STATUS_TONE_ACCENT);
  g_assert_cmpstr (gig_record_get_status_label (future), ==, "on_hold");
  g_assert_cmpint (gig_record_get_status_tone (future), ==, GIG_STATUS_TONE_NEUTRAL);
  g_assert_cmpstr (gig_record_get_status_label (none), ==, "");
}

/* ---- projects -------------------------------------------------------------------------------- */

static void
test_project_rules (void)
{
  static const struct {
    const char *status;
    gboolean    deleted;
    gboolean    active, complete, takes_proposals, milestones_move;
  } cases[] = {
    { "open", FALSE,        TRUE,  FALSE, TRUE,  FALSE },
    { "in_progress", FALSE, TRUE,  TRUE,  FALSE, TRUE },
    { "completed", FALSE,   FALSE, FALSE, FALSE, FALSE },
    { "cancelled", FALSE,   FALSE, FALSE, FALSE, FALSE },
    { "bogus", FALSE,       FALSE, FALSE, FALSE, FALSE },
    /* In the trash: the owner restores it first. */
    { "open", TRUE,         FALSE, FALSE, FALSE, FALSE },
    { "in_progress", TRUE,  FALSE, FALSE, FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GigProject) p = project (cases[i].status, "", cases[i].deleted);

      g_test_message ("%s%s", cases[i].status, cases[i].deleted ? " (deleted)" : "");
      g_assert_cmpint (gig_project_is_active (p), ==, cases[i].active);
      g_assert_cmpint (gig_project_can_cancel (p), ==, cases[i].active);
      g_assert_cmpint (gig_project_can_complete (p), ==, cases[i].complete);
      g_assert_cmpint (gig_project_takes_proposals (p), ==, cases[i].takes_proposals);
      g_assert_cmpint (gig_project_milestones_move (p), ==, cases[i].milestones_move);
    }

  {
    g_autoptr(GigProject) open = project ("open", "", FALSE);
    g_autoptr(GigProject) hired = project ("in_progress", HIRED, FALSE);

    g_assert_cmpint (gig_project_get_status_value (hired), ==, GIG_PROJECT_STATUS_IN_PROGRESS);
    g_assert_cmpint (gig_project_get_role (hired, OWNER), ==, GIG_PROJECT_ROLE_OWNER);
    g_assert_cmpint (gig_project_get_role (hired, HIRED), ==, GIG_PROJECT_ROLE_HIRED);
    g_assert_cmpint (gig_project_get_role (hired, STRANGER), ==, GIG_PROJECT_ROLE_OTHER);
    g_assert_cmpint (gig_project_get_role (hired, NULL), ==, GIG_PROJECT_ROLE_OTHER);
    /* Nobody hired is not "" hired. */
    g_assert_cmpint (gig_project_get_role (open, ""), ==, GIG_PROJECT_ROLE_OTHER);
    g_assert_false (gig_project_has_hired (open));
    g_assert_true (gig_project_has_hired (hired));
  }

  /* A new project is open, in euros, owned by its author; a status change names the status. */
  {
    g_autoptr(JsonObject) fields = gig_project_new_fields (OWNER, "Logo", 1200, "A logo");
    g_autoptr(JsonObject) done = gig_project_status_fields (GIG_PROJECT_STATUS_COMPLETED);

    g_assert_cmpstr (json_object_get_string_member (fields, "status"), ==, "open");
    g_assert_cmpstr (json_object_get_string_member (fields, "owner"), ==, OWNER);
    g_assert_cmpstr (json_object_get_string_member (fields, "currency"), ==, "EUR");
    g_assert_cmpfloat (json_object_get_double_member (fields, "budget"), ==, 1200);
    g_assert_false (json_object_get_boolean_member (fields, "deleted"));
    g_assert_cmpuint (json_object_get_size (done), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (done, "status"), ==, "completed");
  }
}

/* ---- proposals ------------------------------------------------------------------------------- */

/* The server's proposal table: the owner accepts (project open) or rejects a sent, live
 * proposal; the author withdraws or edits it while it is sent; a draft is its author's alone. */
static void
test_proposal_rules (void)
{
  static const struct {
    const char    *status;
    gboolean       deleted;
    GigLocalState  state;
    const char    *project_status;
    const char    *user;
    gboolean       accept, reject, withdraw, edit, visible;
  } cases[] = {
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "open", OWNER,           TRUE,  TRUE,  FALSE, FALSE, TRUE },
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "open", AUTHOR,          FALSE, FALSE, TRUE,  TRUE,  TRUE },
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "open", STRANGER,        FALSE, FALSE, FALSE, FALSE, FALSE },
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "open", NULL,            FALSE, FALSE, FALSE, FALSE, FALSE },
    /* Accepting needs an open project; rejecting does not. */
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "cancelled", OWNER,      FALSE, TRUE,  FALSE, FALSE, TRUE },
    { "sent", FALSE, GIG_LOCAL_STATE_SYNCED, "in_progress", OWNER,    FALSE, TRUE,  FALSE, FALSE, TRUE },
    /* A waiting local change still counts as sent. */
    { "sent", FALSE, GIG_LOCAL_STATE_PENDING, "open", OWNER,          TRUE,  TRUE,  FALSE, FALSE, TRUE },
    /* Decided, withdrawn, in the trash: nothing moves any more. */
    { "accepted", FALSE, GIG_LOCAL_STATE_SYNCED, "in_progress", OWNER, FALSE, FALSE, FALSE, FALSE, TRUE },
    { "accepted", FALSE, GIG_LOCAL_STATE_SYNCED, "in_progress", AUTHOR, FALSE, FALSE, FALSE, FALSE, TRUE },
    { "rejected", FALSE, GIG_LOCAL_STATE_SYNCED, "open", AUTHOR,      FALSE, FALSE, FALSE, FALSE, TRUE },
    { "withdrawn", FALSE, GIG_LOCAL_STATE_SYNCED, "open", OWNER,      FALSE, FALSE, FALSE, FALSE, TRUE },
    { "sent", TRUE, GIG_LOCAL_STATE_SYNCED, "open", OWNER,            FALSE, FALSE, FALSE, FALSE, TRUE },
    { "sent", TRUE, GIG_LOCAL_STATE_SYNCED, "open", AUTHOR,           FALSE, FALSE, FALSE, FALSE, TRUE },
    /* A draft says "sent" but was never sent: its author continues it, the owner never sees it. */
    { "sent", FALSE, GIG_LOCAL_STATE_DRAFT, "open", AUTHOR,           FALSE, FALSE, FALSE, TRUE,  TRUE },
    { "sent", FALSE, GIG_LOCAL_STATE_DRAFT, "open", OWNER,            FALSE, FALSE, FALSE, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GigProject) p = project (cases[i].project_status, "", FALSE);
      g_autoptr(GigRecord) q = record (GIG_COLLECTION_PROPOSALS, cases[i].state,
                                       "{\"id\":\"prp000000000001\",\"project\":\"prj000000000001\","
                                       "\"freelancer\":\"" AUTHOR "\",\"status\":\"%s\",\"deleted\":%s}",
                                       cases[i].status, cases[i].deleted ? "true" : "false");
      GigProposal *proposal = GIG_PROPOSAL (q);

      g_test_message ("case %u: %s by %s", i, cases[i].status, cases[i].user);
      g_assert_cmpint (gig_proposal_can_accept (proposal, p, cases[i].user), ==, cases[i].accept);
      g_assert_cmpint (gig_proposal_can_reject (proposal, p, cases[i].user), ==, cases[i].reject);
      g_assert_cmpint (gig_proposal_can_withdraw (proposal, cases[i].user), ==, cases[i].withdraw);
      g_assert_cmpint (gig_proposal_can_edit (proposal, cases[i].user), ==, cases[i].edit);
      g_assert_cmpint (gig_proposal_is_visible_to (proposal, p, cases[i].user), ==, cases[i].visible);
    }
}

static void
assert_input (const char *amount,
              const char *days,
              const char *letter,
              gboolean    sending,
              int         expected_code,
              const char *expected_message)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = gig_proposal_check_input (amount, days, letter, sending, &error);

  g_test_message ("amount [%s] days [%s] sending %d", amount, days, sending);
  if (expected_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, GIG_PROPOSAL_ERROR, expected_code);
  if (expected_message != NULL)
    g_assert_cmpstr (error->message, ==, expected_message);
}

/* What the editor checks as it is typed and when it is sent, field by field, in form order. */
static void
test_proposal_input (void)
{
  /* While writing, an empty form is fine, and only text that is wrong is said. */
  assert_input ("", "", "", FALSE, -1, NULL);
  assert_input ("0", "", "", FALSE, -1, NULL);
  assert_input ("twelve", "", "", FALSE, GIG_PROPOSAL_ERROR_AMOUNT, NULL);
  assert_input ("1200", "ten", "", FALSE, GIG_PROPOSAL_ERROR_DAYS, "Enter the estimated days as a whole number.");
  assert_input ("1200", "-3", "", FALSE, GIG_PROPOSAL_ERROR_DAYS, NULL);
  assert_input ("1200", "3.5", "", FALSE, GIG_PROPOSAL_ERROR_DAYS, NULL);
  /* The amount comes first on the form, so it is said first. */
  assert_input ("twelve", "ten", "", FALSE, GIG_PROPOSAL_ERROR_AMOUNT, NULL);

  /* To send: an amount above zero, whole days (or none), and a cover letter with words. */
  assert_input ("", "", "Hi", TRUE, GIG_PROPOSAL_ERROR_AMOUNT, "Enter the amount you ask for.");
  assert_input ("0", "", "Hi", TRUE, GIG_PROPOSAL_ERROR_AMOUNT, "Enter the amount you ask for.");
  assert_input ("1200", "ten", "Hi", TRUE, GIG_PROPOSAL_ERROR_DAYS, NULL);
  assert_input ("1200", "10", " \n\t ", TRUE, GIG_PROPOSAL_ERROR_COVER_LETTER,
                "Write a few lines about why you are a good fit.");
  assert_input ("1200", "10", NULL, TRUE, GIG_PROPOSAL_ERROR_COVER_LETTER, NULL);
  assert_input ("1200", "10", "I have done this before.", TRUE, -1, NULL);
  assert_input ("1,200.50", "", "I have done this before.", TRUE, -1, NULL);

  g_assert_true (gig_proposal_days_valid (""));
  g_assert_true (gig_proposal_days_valid (NULL));
  g_assert_true (gig_proposal_days_valid ("0"));
  g_assert_false (gig_proposal_days_valid ("1e3"));
}

/* A draft keeps the last amount that parsed: a half-typed one is left out, except in a new
 * draft, which starts at 0. New drafts say "sent" (the only status the server starts with). */
static void
test_proposal_draft_fields (void)
{
  g_autoptr(JsonObject) typed = gig_proposal_input_fields ("1,200.50", "12", "Hello", FALSE);
  g_autoptr(JsonObject) half = gig_proposal_input_fields ("1,2", "-4", "Hello", FALSE);
  g_autoptr(JsonObject) fresh = gig_proposal_input_fields ("1,2", "", "", TRUE);
  g_autoptr(JsonObject) withdrawn = gig_proposal_status_fields (GIG_PROPOSAL_STATUS_WITHDRAWN);

  g_assert_cmpfloat (json_object_get_double_member (typed, "amount"), ==, 1200.5);
  g_assert_cmpint (json_object_get_int_member (typed, "estimated_days"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (typed, "cover_letter"), ==, "Hello");

  g_assert_false (json_object_has_member (half, "amount"));
  g_assert_cmpint (json_object_get_int_member (half, "estimated_days"), ==, 0);

  g_assert_cmpfloat (json_object_get_double_member (fresh, "amount"), ==, 0);
  gig_proposal_add_draft_fields (fresh, "prj000000000001", AUTHOR);
  g_assert_cmpstr (json_object_get_string_member (fresh, "project"), ==, "prj000000000001");
  g_assert_cmpstr (json_object_get_string_member (fresh, "freelancer"), ==, AUTHOR);
  g_assert_cmpstr (json_object_get_string_member (fresh, "status"), ==, "sent");
  g_assert_false (json_object_get_boolean_member (fresh, "deleted"));

  g_assert_cmpstr (json_object_get_string_member (withdrawn, "status"), ==, "withdrawn");
}

/* ---- what views read ------------------------------------------------------------------------- */

static void
test_read_field (void)
{
  g_autoptr(JsonObject) json = parse ("{\"title\":\"Logo\",\"description\":\"\",\"budget\":1200,"
                                      "\"amount\":99.5,\"due_date\":\"2026-12-24 00:00:00.000Z\","
                                      "\"deleted\":true,\"ratio\":0.5,\"position\":3,\"skills\":[\"c\"],"
                                      "\"gone\":null}");
  static const struct { const char *field; GigFieldKind kind; } cases[] = {
    { "title", GIG_FIELD_TEXT }, { "description", GIG_FIELD_EMPTY }, { "budget", GIG_FIELD_MONEY },
    { "amount", GIG_FIELD_MONEY }, { "due_date", GIG_FIELD_DAY }, { "deleted", GIG_FIELD_BOOLEAN },
    { "ratio", GIG_FIELD_NUMBER }, { "position", GIG_FIELD_OTHER }, { "skills", GIG_FIELD_OTHER },
    { "gone", GIG_FIELD_EMPTY }, { "missing", GIG_FIELD_EMPTY },
  };
  g_auto(GStrv) fields = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_assert_cmpint (gig_record_read_field (json, cases[i].field, &value), ==, cases[i].kind);
      g_assert_cmpint (G_IS_VALUE (&value), ==, cases[i].kind != GIG_FIELD_EMPTY);
    }
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_assert_cmpint (gig_record_read_field (json, "position", &value), ==, GIG_FIELD_OTHER);
    g_assert_cmpstr (g_value_get_string (&value), ==, "3");
  }
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_assert_cmpint (gig_record_read_field (NULL, "title", &value), ==, GIG_FIELD_EMPTY);
  }

  fields = gig_record_conflict_fields (json);
  g_assert_cmpstr (fields[0], ==, "amount");
  g_assert_cmpuint (g_strv_length (fields), ==, 10);
}

static void
test_chat_event (void)
{
  g_autoptr(JsonObject) typing = parse ("{\"type\":\"typing.start\",\"user\":{\"id\":\"bob\",\"name\":\"Bob\"}}");
  g_autoptr(JsonObject) nameless = parse ("{\"type\":\"typing.start\",\"user\":{\"id\":\"bob\",\"name\":\"\"}}");
  g_autoptr(JsonObject) message = parse ("{\"type\":\"message.new\",\"message\":{\"text\":\"Hi\","
                                         "\"user\":{\"id\":\"ann\"}}}");
  g_autoptr(JsonObject) hostile = parse ("{\"user\":\"bob\",\"message\":{\"user\":[1],\"text\":5}}");
  g_autoptr(JsonObject) anonymous = parse ("{\"user\":{\"id\":\"\"},\"message\":{\"user\":{\"name\":\"X\"}}}");

  g_assert_cmpstr (gig_chat_event_get_user_id (typing), ==, "bob");
  g_assert_cmpstr (gig_chat_event_get_user_name (typing), ==, "Bob");
  g_assert_cmpstr (gig_chat_event_get_user_name (nameless), ==, "bob");
  g_assert_false (gig_chat_event_has_message (typing));
  g_assert_null (gig_chat_event_get_author_id (typing));
  g_assert_cmpstr (gig_chat_event_get_text (typing), ==, "");

  g_assert_true (gig_chat_event_has_message (message));
  g_assert_cmpstr (gig_chat_event_get_author_id (message), ==, "ann");
  g_assert_cmpstr (gig_chat_event_get_author_name (message), ==, "ann");
  g_assert_cmpstr (gig_chat_event_get_text (message), ==, "Hi");
  g_assert_null (gig_chat_event_get_user_id (message));

  /* Members of the wrong type or empty ids read as absent. */
  g_assert_null (gig_chat_event_get_user_id (hostile));
  g_assert_null (gig_chat_event_get_author_id (hostile));
  g_assert_cmpstr (gig_chat_event_get_text (hostile), ==, "");
  g_assert_null (gig_chat_event_get_user_id (anonymous));
  g_assert_null (gig_chat_event_get_author_name (anonymous));
  g_assert_null (gig_chat_event_get_user_id (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rules/status/strings", test_status_strings);
  g_test_add_func ("/rules/status/record-label", test_record_status_label);
  g_test_add_func ("/rules/project", test_project_rules);
  g_test_add_func ("/rules/proposal/moves", test_proposal_rules);
  g_test_add_func ("/rules/proposal/input", test_proposal_input);
  g_test_add_func ("/rules/proposal/draft-fields", test_proposal_draft_fields);
  g_test_add_func ("/rules/read-field", test_read_field);
  g_test_add_func ("/rules/chat-event", test_chat_event);

  return g_test_run ();
}
