/* test-state.c: what the window says is true. The sync status in the header and the banner,
 * against a real PocketBase that is paused and resumed by PID; under Xvfb, with screenshots at
 * 360 px and wide, light and dark, English and German.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gig-test-pb.h"
#include "gcs-test-util.h"
#include "chat/gig-chat-client.h"
#include "ui/gig-record-row.h"
#include "gig-test-ui.h"
#include "ui/gig-window.h"
#include "ui/gig-preferences-window.h"
#include "ui/gig-sign-in-page.h"
#include "gig-application.h"
#include "ui/gig-project-page.h"
#include "model/gig-record.h"

#define GENEROUS_MS 60000

typedef struct
{
  GigTestPb     *pb;
  GigTestPbUser *alice;     /* the user of the window: posts projects */
  char          *dir;
  GigSession    *session;
  GigStore      *store;
  GigSync       *sync;
  GigWindow     *window;
  GcsTestServer *chat;      /* only for the chat tests */
  GigChatClient *chat_client;
} Fixture;

/* ---- helpers --------------------------------------------------------------------------------- */

static GigWindow *
make_window (int width, int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;

  g_settings_set_string (settings, "sidebar-scope", "mine");
  window = gig_test_ui_new_window (width, height);
  gtk_window_present (GTK_WINDOW (window));
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  return window;
}

/* Renders the window in the four looks and two widths; @name names the state shown. */
static void
shots (Fixture *f, const char *name)
{
  static const struct { int width, height; const char *label; } sizes[] = {
    { 360, 640, "360x640" }, { 1200, 800, "1200x800" },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint dark = 0; dark <= 1; dark++)
      {
        g_autofree char *file = g_strdup_printf ("state-%s-%s-%s-%s", name, sizes[s].label,
                                                 dark ? "dark" : "light",
                                                 g_getenv ("LANGUAGE") != NULL ? g_getenv ("LANGUAGE") : "en");
        gig_test_ui_set_dark (dark);
        gtk_window_set_default_size (GTK_WINDOW (f->window), sizes[s].width, sizes[s].height);
        gig_test_ui_shot (f->window, file);
      }
  gig_test_ui_set_dark (FALSE);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GigPbClient *client;

  f->pb = gig_test_pb_start ();
  f->alice = gig_test_pb_create_user (f->pb, "alice");
  f->dir = g_dir_make_tmp ("gigdesk-state-XXXXXX", &error);
  g_assert_no_error (error);

  client = gig_pb_client_new (gig_test_pb_get_url (f->pb));
  f->session = gig_session_new (client);
  g_object_unref (client);
  gig_session_sign_in_async (f->session, f->alice->email, f->alice->password, NULL, gig_test_ui_store_result, &result);
  g_assert_true (gig_session_sign_in_finish (f->session, gig_test_ui_wait_result (&result), &error));
  g_assert_no_error (error);

  path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  f->sync = gig_sync_new (f->store, gig_session_get_client (f->session), f->session);
}

static void
open_window (Fixture *f)
{
  f->window = make_window (1200, 800);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (NULL, f->session, f->store, f->sync, f->chat_client);

    gig_window_set_account (f->window, account);
  }
}

static void
close_window (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
}

/* The same with the local chat server, which the PocketBase hooks and the app's chat client use. */
static void
fixture_set_up_chat (Fixture *f, gconstpointer data)
{
  f->chat = gcs_test_server_start (NULL);
  g_setenv ("STREAM_API_KEY", GCS_TEST_KEY, TRUE);
  g_setenv ("STREAM_API_SECRET", GCS_TEST_SECRET, TRUE);
  g_setenv ("STREAM_BASE_URL", f->chat->url, TRUE);
  fixture_set_up (f, data);
  g_unsetenv ("STREAM_API_KEY");
  g_unsetenv ("STREAM_API_SECRET");
  g_unsetenv ("STREAM_BASE_URL");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  close_window (f);
  if (f->chat_client != NULL)
    gig_chat_client_disconnect (f->chat_client);
  g_clear_object (&f->chat_client);
  g_clear_pointer (&f->chat, gcs_test_server_stop);
  gig_sync_stop (f->sync);
  g_clear_object (&f->sync);
  gig_store_close (f->store);
  g_clear_object (&f->store);
  g_clear_object (&f->session);
  g_clear_pointer (&f->alice, gig_test_pb_user_free);
  g_clear_pointer (&f->pb, gig_test_pb_free);
  g_free (f->dir);
  gig_test_ui_use_language ("en");
}

static char *
post_project (Fixture *f, GigTestPbUser *owner, const char *title)
{
  g_autofree char *body = g_strdup_printf (
    "{\"title\":\"%s\",\"budget\":1200,\"currency\":\"EUR\",\"status\":\"open\",\"owner\":\"%s\","
    "\"description\":\"Work for %s\"}", title, owner->id, title);
  guint status = 0;
  g_autoptr(JsonNode) node = gig_test_pb_call (f->pb, owner->token, "POST",
                                               "/api/collections/projects/records", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
}

typedef struct
{
  GigWindow  *window;
  const char *prefix;
} SubtitleWait;

static gboolean
subtitle_starts_with (gpointer data)
{
  SubtitleWait *wait = data;
  const char *subtitle = gig_window_get_sync_subtitle (wait->window);

  return subtitle != NULL && g_str_has_prefix (subtitle, wait->prefix);
}

static void
wait_subtitle (GigWindow *window, const char *prefix)
{
  SubtitleWait wait = { window, prefix };

  if (!gig_test_ui_wait_until (subtitle_starts_with, &wait, GENEROUS_MS))
    g_error ("the header says “%s”, expected “%s…”", gig_window_get_sync_subtitle (window), prefix);
}

/* ---- the sync status ------------------------------------------------------------------------- */

/* A hung server: the header leaves "Synced" and the banner says so, without any write. A conflict
 * is named in the header, never "Synced" beside it. */
static void
test_status_shown (Fixture *f, gconstpointer data)
{
  const char *language = data;
  g_autofree char *id = post_project (f, f->alice, "Logo design");
  g_autofree char *path = g_strdup_printf ("/api/collections/projects/records/%s", id);
  g_autoptr(JsonObject) mine = json_object_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  gig_test_ui_use_language (language);
  open_window (f);
  gig_sync_start (f->sync);
  wait_subtitle (f->window, _("Synced"));
  g_assert_false (gig_window_get_offline_banner_visible (f->window));

  gig_test_pb_pause (f->pb);
  wait_subtitle (f->window, _("Offline"));
  g_assert_true (gig_window_get_offline_banner_visible (f->window));
  /* a write made meanwhile is counted, and the status stays true while it waits */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autofree char *waiting = g_strdup_printf (ngettext ("Offline · %u change waiting",
                                                          "Offline · %u changes waiting", 1), 1);
    g_autofree char *new_id = NULL;

    json_object_set_string_member (fields, "title", "Written while the server hangs");
    json_object_set_string_member (fields, "status", "open");
    json_object_set_string_member (fields, "owner", f->alice->id);
    json_object_set_string_member (fields, "currency", "EUR");
    json_object_set_int_member (fields, "budget", 300);
    g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &new_id, &error));
    g_assert_no_error (error);
    wait_subtitle (f->window, waiting);
  }
  shots (f, "offline");
  gig_test_pb_resume (f->pb);
  wait_subtitle (f->window, _("Synced"));
  g_assert_false (gig_window_get_offline_banner_visible (f->window));

  /* the same field changed here and there */
  gig_sync_stop (f->sync);
  json_object_set_string_member (mine, "title", "Logo design (mine)");
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, id, mine, &error));
  g_assert_no_error (error);
  answer = gig_test_pb_call (f->pb, f->alice->token, "PATCH", path, "{\"title\":\"Logo design (theirs)\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  gig_test_ui_sync_once (f->sync);
  {
    g_autofree char *expected = g_strdup_printf (ngettext ("%u conflict", "%u conflicts", 1), 1);

    wait_subtitle (f->window, expected);
  }
  g_assert_true (gig_window_get_offline_banner_visible (f->window));
  shots (f, "conflict");
}

/* A change refused in an earlier cycle: later cycles succeed, the header still says so. */
static void
test_refused_shown (Fixture *f, gconstpointer data)
{
  const char *language = data;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *expected = NULL;
  GtkLabel *banner;

  gig_test_ui_use_language (language);
  gig_test_ui_sync_once (f->sync);
  json_object_set_string_member (fields, "title", "Logo design");
  json_object_set_string_member (fields, "status", "open");
  json_object_set_string_member (fields, "owner", f->alice->id);
  json_object_set_string_member (fields, "currency", "euros");
  json_object_set_int_member (fields, "budget", 300);
  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  g_assert_no_error (error);
  gig_sync_once_async (f->sync, NULL, gig_test_ui_store_result, &result);
  g_assert_false (gig_sync_once_finish (f->sync, gig_test_ui_wait_result (&result), &error));
  g_clear_error (&error);
  gig_test_ui_sync_once (f->sync);

  open_window (f);
  expected = g_strdup_printf (ngettext ("%u change refused", "%u changes refused", 1), 1);
  g_assert_cmpstr (gig_window_get_sync_subtitle (f->window), ==, expected);
  g_assert_true (gig_window_get_offline_banner_visible (f->window));
  banner = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window), GIG_TYPE_WINDOW, "offline_label"));
  g_assert_null (strstr (gtk_label_get_text (banner), _("unknown error")));
  shots (f, "refused");
}

/* ---- the sidebar highlight ------------------------------------------------------------------- */

/* The id of the highlighted row, or NULL. */
static const char *
highlighted_id (GigWindow *window)
{
  GtkListView *list_view = GTK_LIST_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, "list_view"));
  GtkSelectionModel *model = gtk_list_view_get_model (list_view);
  GigRecord *record;

  g_assert_true (GTK_IS_SINGLE_SELECTION (model));
  record = gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
  return record != NULL ? gig_record_get_id (record) : NULL;
}

static void
local_update (Fixture *f, const char *id, const char *member, gboolean boolean_value, const char *string_value)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;

  if (string_value != NULL)
    json_object_set_string_member (fields, member, string_value);
  else
    json_object_set_boolean_member (fields, member, boolean_value);
  g_assert_true (gig_store_update_record (f->store, GIG_COLLECTION_PROJECTS, id, fields, &error));
  g_assert_no_error (error);
  /* the list hears of the change in the same turn; let the window settle */
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 2);
}

/* The highlight follows the record shown, by id, whatever the rows around it do. */
static void
test_selection_follows_record (Fixture *f, gconstpointer data)
{
  g_autofree char *a = post_project (f, f->alice, "Alpha");
  g_autofree char *b = post_project (f, f->alice, "Bravo");
  g_autofree char *c = post_project (f, f->alice, "Charlie");
  g_autofree char *d = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;

  gig_test_ui_sync_once (f->sync);
  open_window (f);
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_MY_PROJECTS);
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (f->window)), ==, 3);

  gig_window_show_project (f->window, b);
  g_assert_cmpstr (highlighted_id (f->window), ==, b);

  /* a new project comes in above it */
  json_object_set_string_member (fields, "title", "Delta");
  json_object_set_string_member (fields, "status", "open");
  json_object_set_string_member (fields, "owner", f->alice->id);
  json_object_set_string_member (fields, "currency", "EUR");
  json_object_set_int_member (fields, "budget", 400);
  g_assert_true (gig_store_create_record (f->store, GIG_COLLECTION_PROJECTS, fields, &d, &error));
  g_assert_no_error (error);
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 2);
  g_assert_cmpstr (gig_project_page_get_project (gig_window_get_project_page (f->window)), ==, b);
  g_assert_cmpstr (highlighted_id (f->window), ==, b);

  /* another one above it goes to the trash */
  local_update (f, c, "deleted", TRUE, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (f->window)), ==, 3);
  g_assert_cmpstr (highlighted_id (f->window), ==, b);

  /* Open projects: the shown one is hired out (accepting a proposal) and leaves the list; no
   * other row takes the highlight */
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  gig_window_show_project (f->window, b);
  g_assert_cmpstr (highlighted_id (f->window), ==, b);
  local_update (f, b, "status", FALSE, "in_progress");
  g_assert_cmpstr (gig_project_page_get_project (gig_window_get_project_page (f->window)), ==, b);
  g_assert_null (highlighted_id (f->window));

  /* back in My Projects it is highlighted again; moved to the trash, the highlight goes */
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_MY_PROJECTS);
  gig_test_ui_wait_for_draw (GTK_WINDOW (f->window), 1);
  g_assert_cmpstr (highlighted_id (f->window), ==, b);
  local_update (f, b, "deleted", TRUE, NULL);
  g_assert_null (highlighted_id (f->window));
  g_assert_cmpstr (gig_project_page_get_project (gig_window_get_project_page (f->window)), ==, b);
}

/* ---- unread chat messages -------------------------------------------------------------------- */

static GigRecordRow *
find_row (GtkWidget *widget, const char *id)
{
  if (GIG_IS_RECORD_ROW (widget) && g_strcmp0 (gig_record_row_get_id (GIG_RECORD_ROW (widget)), id) == 0)
    return GIG_RECORD_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GigRecordRow *row = find_row (child, id);

      if (row != NULL)
        return row;
    }
  return NULL;
}

static guint
row_unread (Fixture *f, const char *id)
{
  GigRecordRow *row = find_row (GTK_WIDGET (f->window), id);

  g_assert_nonnull (row);
  return gig_record_row_get_unread (row);
}

static void
chat_call (Fixture *f, const char *token, const char *method, const char *path, const char *body)
{
  guint status = 0;
  g_autoptr(JsonObject) answer = gcs_test_request (f->chat, method, path, token, NULL, body, &status);

  if (status / 100 != 2)
    g_error ("%s %s answered %u", method, path, status);
}

typedef struct
{
  Fixture    *f;
  const char *project;
  guint       expected;
} UnreadWait;

static gboolean
unread_is (gpointer data)
{
  UnreadWait *wait = data;

  return gig_window_get_unread_count (wait->f->window, wait->project) == wait->expected &&
         row_unread (wait->f, wait->project) == wait->expected;
}

static gboolean
chat_online (gpointer data)
{
  return gig_chat_client_get_state (data) == GIG_CHAT_STATE_ONLINE;
}

typedef struct
{
  Fixture    *f;
  const char *query_path;
  const char *token;
  const char *user_id;
} ServerRead;

/* The chat server's read state says @user_id has read everything. */
static gboolean
server_read_all (gpointer data)
{
  ServerRead *read = data;
  guint status = 0;
  g_autoptr(JsonObject) answer = gcs_test_request (read->f->chat, "POST", read->query_path, read->token,
                                                   NULL, "{\"state\":true}", &status);
  JsonArray *reads = answer != NULL && json_object_has_member (answer, "read")
                     ? json_object_get_array_member (answer, "read") : NULL;

  g_assert_cmpuint (status / 100, ==, 2);
  for (guint i = 0; reads != NULL && i < json_array_get_length (reads); i++)
    {
      JsonObject *entry = json_array_get_object_element (reads, i);
      JsonObject *user = json_object_get_object_member (entry, "user");

      if (g_strcmp0 (json_object_get_string_member (user, "id"), read->user_id) == 0)
        return json_object_get_int_member (entry, "unread_messages") == 0;
    }
  return FALSE;
}

/* Bob writes in the chat of Alice's project: the row and the Chat tab count it; Alice opens
 * the chat and the count goes, here and in the read state the chat server keeps. */
static void
test_unread_shown (Fixture *f, gconstpointer data)
{
  const char *language = data;
  g_autoptr(GigTestPbUser) bob = gig_test_pb_create_user (f->pb, "bob");
  g_autofree char *logo = post_project (f, f->alice, "Logo design");
  g_autofree char *site = post_project (f, f->alice, "Website");
  g_autofree char *server_token = gcs_test_server_token ();
  g_autofree char *bob_token = gcs_test_user_token (bob->id, 0);
  g_autofree char *alice_token = gcs_test_user_token (f->alice->id, 0);
  g_autofree char *users = g_strdup_printf ("{\"users\":{\"%s\":{\"id\":\"%s\",\"name\":\"Alice\"},"
                                            "\"%s\":{\"id\":\"%s\",\"name\":\"Bob\"}}}",
                                            f->alice->id, f->alice->id, bob->id, bob->id);
  g_autofree char *channel = g_strdup_printf ("/channels/messaging/project-%s", logo);
  g_autofree char *query = g_strdup_printf ("%s/query", channel);
  g_autofree char *create = g_strdup_printf ("{\"data\":{\"members\":[\"%s\",\"%s\"],\"created_by_id\":\"%s\"}}",
                                             f->alice->id, bob->id, f->alice->id);
  g_autofree char *add = g_strdup_printf ("{\"add_members\":[\"%s\"]}", bob->id);
  g_autofree char *send = g_strdup_printf ("%s/message", channel);
  UnreadWait wait = { f, logo, 1 };

  gig_test_ui_use_language (language);
  /* Bob is hired: the project's chat is open to both */
  {
    g_autofree char *path = g_strdup_printf ("/api/collections/projects/records/%s", logo);
    g_autofree char *body = g_strdup_printf ("{\"hired_freelancer\":\"%s\",\"status\":\"in_progress\"}", bob->id);
    g_autoptr(JsonNode) hired = gig_test_pb_superuser_call (f->pb, "PATCH", path, body);
  }
  chat_call (f, server_token, "POST", "/users", users);
  chat_call (f, server_token, "POST", query, create);
  chat_call (f, server_token, "POST", channel, add);

  gig_test_ui_sync_once (f->sync);
  /* The account the window shows has Alice's chat. */
  f->chat_client = gig_chat_client_new (gig_test_pb_get_url (f->pb), f->store, f->alice->id);
  gig_chat_client_set_pb_token (f->chat_client, gig_pb_client_get_token (gig_session_get_client (f->session)));
  open_window (f);
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_MY_PROJECTS);
  gig_chat_client_connect (f->chat_client);
  g_assert_true (gig_test_ui_wait_until (chat_online, f->chat_client, GENEROUS_MS));
  g_assert_cmpuint (gig_window_get_unread_count (f->window, logo), ==, 0);

  /* Bob's message arrives while Alice looks at the list */
  chat_call (f, bob_token, "POST", send, "{\"message\":{\"text\":\"Can we talk about the colours?\"}}");
  g_assert_true (gig_test_ui_wait_until (unread_is, &wait, GENEROUS_MS));
  g_assert_cmpuint (row_unread (f, site), ==, 0);
  shots (f, "unread-row");

  /* the other project's Chat tab has nothing to count */
  gig_window_show_project (f->window, site);
  g_assert_cmpuint (gig_project_page_get_chat_unread (gig_window_get_project_page (f->window)), ==, 0);

  /* on the project, the Chat tab counts it */
  gig_window_show_project (f->window, logo);
  g_assert_cmpuint (gig_project_page_get_chat_unread (gig_window_get_project_page (f->window)), ==, 1);
  shots (f, "unread-tab");

  /* reading it clears both, and the server keeps the read state */
  gtk_window_present (GTK_WINDOW (f->window));
  gig_project_page_set_view (gig_window_get_project_page (f->window), "chat");
  wait.expected = 0;
  g_assert_true (gig_test_ui_wait_until (unread_is, &wait, GENEROUS_MS));
  g_assert_cmpuint (gig_project_page_get_chat_unread (gig_window_get_project_page (f->window)), ==, 0);
  /* the mark-read call reaches the server after the local read state: wait for it there */
  {
    ServerRead read = { f, query, alice_token, f->alice->id };

    g_assert_true (gig_test_ui_wait_until (server_read_all, &read, GENEROUS_MS));
  }
}

/* ---- where search looks --------------------------------------------------------------------- */

/* The search entry names the list it searches, and an empty result says where it looked. */
static void
test_search_says_where (Fixture *f, gconstpointer data)
{
  const char *language = data;
  g_autofree char *id = post_project (f, f->alice, "Logo design");
  GtkWidget *entry;
  AdwStatusPage *status;
  g_autofree char *placeholder = NULL;

  gig_test_ui_use_language (language);
  gig_test_ui_sync_once (f->sync);
  open_window (f);
  entry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), GIG_TYPE_WINDOW, "search_entry"));
  status = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (f->window), GIG_TYPE_WINDOW, "sidebar_status"));

  gig_window_set_scope (f->window, GIG_STORE_SCOPE_OPEN_PROJECTS);
  g_object_get (entry, "placeholder-text", &placeholder, NULL);
  g_assert_cmpstr (placeholder, ==, _("Search Open Projects"));
  g_clear_pointer (&placeholder, g_free);
  gig_window_set_scope (f->window, GIG_STORE_SCOPE_TRASH);
  g_object_get (entry, "placeholder-text", &placeholder, NULL);
  g_assert_cmpstr (placeholder, ==, _("Search Trash"));
  g_clear_pointer (&placeholder, g_free);

  gig_window_set_scope (f->window, GIG_STORE_SCOPE_MY_PROJECTS);
  g_object_get (entry, "placeholder-text", &placeholder, NULL);
  g_assert_cmpstr (placeholder, ==, _("Search My Projects"));
  gig_window_set_search_text (f->window, "logo");
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (f->window)), ==, 1);
  gig_window_set_search_text (f->window, "");
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (gtk_widget_get_template_child (GTK_WIDGET (f->window), GIG_TYPE_WINDOW, "search_bar")), TRUE);
  shots (f, "search-placeholder");
  gig_window_set_search_text (f->window, "zebra");
  g_assert_cmpuint (g_list_model_get_n_items (gig_window_get_list_model (f->window)), ==, 0);
  g_assert_nonnull (strstr (adw_status_page_get_description (status), _("My Projects")));
  shots (f, "search-empty");
}

/* ---- the account and its server ------------------------------------------------------------- */

static void
sign_in_through_page (GigWindow *window, GigTestPbUser *user)
{
  GigSignInPage *page = gig_window_get_sign_in_page (window);

  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), user->email);
  gtk_editable_set_text (GTK_EDITABLE (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "password_row")), user->password);
  g_signal_emit_by_name (gig_test_ui_child (page, GIG_TYPE_SIGN_IN_PAGE, "submit_button"), "clicked");
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_in, window, GENEROUS_MS));
}

/* The newest toplevel of @type, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

static void
shot_window (GtkWindow *window, const char *name, const char *language)
{
  for (guint dark = 0; dark <= 1; dark++)
    {
      g_autofree char *file = g_strdup_printf ("state-%s-%s-%s", name, dark ? "dark" : "light", language);

      gig_test_ui_set_dark (dark);
      gig_test_ui_wait_for_draw (window, 3);
      g_free (gig_test_ui_screenshot (window, file));
    }
  gig_test_ui_set_dark (FALSE);
}

static gboolean
app_synced (gpointer data)
{
  GigSync *sync = gig_application_get_sync (data);

  return sync != NULL && gig_sync_get_status (sync) == GIG_SYNC_STATUS_SYNCED;
}

/* Opens Preferences, checks the account shown, applies @to and confirms: back at the sign-in
 * page, for @to. Screenshots in the current language. */
static void
switch_server (GigApplication *app, GigWindow *window, GigTestPbUser *user, const char *from,
               const char *to, const char *language)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *saved = NULL;
  g_autofree char *notice = g_strdup_printf (_("Sign in to %s."), to);
  GigPreferencesWindow *preferences;
  AdwMessageDialog *dialog;
  GObject *server_row;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = GIG_PREFERENCES_WINDOW (find_toplevel (GIG_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (preferences);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gig_test_ui_child (preferences, GIG_TYPE_PREFERENCES_WINDOW, "account_group"))));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gig_test_ui_child (preferences, GIG_TYPE_PREFERENCES_WINDOW, "account_row"))), ==, user->name);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gig_test_ui_child (preferences, GIG_TYPE_PREFERENCES_WINDOW, "account_row"))), ==, user->email);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gig_test_ui_child (preferences, GIG_TYPE_PREFERENCES_WINDOW, "account_server_row"))), ==, from);
  shot_window (GTK_WINDOW (preferences), "preferences-account", language);

  /* typing another address changes nothing yet; applying it asks first */
  server_row = gig_test_ui_child (preferences, GIG_TYPE_PREFERENCES_WINDOW, "server_url_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, from);
  gtk_editable_set_text (GTK_EDITABLE (server_row), to);
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, from);
  g_assert_true (gig_window_is_signed_in (window));
  g_signal_emit_by_name (server_row, "apply");
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), to));
  shot_window (GTK_WINDOW (dialog), "switch-server", language);
  adw_message_dialog_response (dialog, "switch");

  /* signed out of the first server (nothing was unsent: no second question), asked to sign in
   * to the other */
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, GENEROUS_MS));
  g_clear_pointer (&saved, g_free);
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, to);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gig_test_ui_child (gig_window_get_sign_in_page (window), GIG_TYPE_SIGN_IN_PAGE, "server_row"))),
                   ==, to);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gig_test_ui_child (gig_window_get_sign_in_page (window), GIG_TYPE_SIGN_IN_PAGE, "notice_label"))),
                   ==, notice);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  shot_window (GTK_WINDOW (window), "switch-sign-in-360x640", language);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
}

/* Preferences say who is signed in and where; a new server address leads through a confirmed
 * sign-out to a sign-in on that server, after which sync works there. */
static void
test_account_and_server (void)
{
  g_autoptr(GigTestPb) first = gig_test_pb_start ();
  g_autoptr(GigTestPb) second = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (first, "alice");
  g_autoptr(GigTestPbUser) carol = gig_test_pb_create_user (second, "carol");
  g_autoptr(GigApplication) app = NULL;
  GigWindow *window;

  gig_test_ui_use_language ("en");
  app = gig_test_ui_start_app (gig_test_pb_get_url (first), &window);
  g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_settled, window, GENEROUS_MS));
  if (gig_window_is_signed_in (window))
    {
      /* an account remembered by an earlier test of this run */
      g_action_group_activate_action (G_ACTION_GROUP (app), "sign-out", NULL);
      g_assert_true (gig_test_ui_wait_until (gig_test_ui_window_signed_out, window, GENEROUS_MS));
    }
  sign_in_through_page (window, alice);

  switch_server (app, window, alice, gig_test_pb_get_url (first), gig_test_pb_get_url (second), "en");

  /* and there, sync works */
  sign_in_through_page (window, carol);
  g_assert_cmpstr (gig_session_get_server_url (gig_application_get_session (app)), ==, gig_test_pb_get_url (second));
  g_action_group_activate_action (G_ACTION_GROUP (app), "sync-now", NULL);
  g_assert_true (gig_test_ui_wait_until (app_synced, app, GENEROUS_MS));

  /* the same in German, back to the first server (one application per process) */
  gig_test_ui_use_language ("de");
  switch_server (app, window, carol, gig_test_pb_get_url (second), gig_test_pb_get_url (first), "de");
  gtk_window_destroy (GTK_WINDOW (window));
  gig_test_ui_use_language ("en");
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/state/status-shown/en", Fixture, "en", fixture_set_up, test_status_shown, fixture_tear_down);
  g_test_add ("/state/status-shown/de", Fixture, "de", fixture_set_up, test_status_shown, fixture_tear_down);

  g_test_add ("/state/refused-shown/en", Fixture, "en", fixture_set_up, test_refused_shown, fixture_tear_down);
  g_test_add ("/state/refused-shown/de", Fixture, "de", fixture_set_up, test_refused_shown, fixture_tear_down);
  g_test_add ("/state/selection-follows-record", Fixture, NULL, fixture_set_up, test_selection_follows_record, fixture_tear_down);

  g_test_add ("/state/search-says-where/en", Fixture, "en", fixture_set_up, test_search_says_where, fixture_tear_down);
  g_test_add ("/state/search-says-where/de", Fixture, "de", fixture_set_up, test_search_says_where, fixture_tear_down);
  g_test_add_func ("/state/account-and-server", test_account_and_server);
  g_test_add ("/state/unread/en", Fixture, "en", fixture_set_up_chat, test_unread_shown, fixture_tear_down);
  g_test_add ("/state/unread/de", Fixture, "de", fixture_set_up_chat, test_unread_shown, fixture_tear_down);

  return g_test_run ();
}
