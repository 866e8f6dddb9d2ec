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
#include "gig-test-ui.h"
#include "ui/gig-window.h"

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
} Fixture;

/* ---- helpers --------------------------------------------------------------------------------- */

static void
keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GigWindow *
make_window (int width, int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;

  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
  g_settings_set_string (settings, "sidebar-scope", "mine");
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
  return window;
}

static void
shot (GigWindow *window, const char *name)
{
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  g_test_message ("screenshot: %s", name);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), name));
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
        shot (f->window, file);
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
  gig_session_sign_in_async (f->session, f->alice->email, f->alice->password, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gig_session_sign_in_finish (f->session, result, &error));
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
  gig_window_set_account (f->window, f->session, f->store, f->sync);
}

static void
close_window (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  close_window (f);
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

static void
sync_once (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gig_sync_once_async (f->sync, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gig_sync_once_finish (f->sync, result, &error));
  g_assert_no_error (error);
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
  sync_once (f);
  {
    g_autofree char *expected = g_strdup_printf (ngettext ("%u conflict", "%u conflicts", 1), 1);

    wait_subtitle (f->window, expected);
  }
  g_assert_true (gig_window_get_offline_banner_visible (f->window));
  shots (f, "conflict");
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/state/status-shown/en", Fixture, "en", fixture_set_up, test_status_shown, fixture_tear_down);
  g_test_add ("/state/status-shown/de", Fixture, "de", fixture_set_up, test_status_shown, fixture_tear_down);

  return g_test_run ();
}
