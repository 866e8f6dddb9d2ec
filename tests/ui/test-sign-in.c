/* test-sign-in.c: the sign-in page where no keyring can remember a sign-in, and the app's
 * translations found from the build tree.
 *
 * The whole program runs on a private session bus with no service at all (so no Secret Service
 * exists or can be activated) and signs in against a real PocketBase.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gig-test-ui.h"
#include "gig-test-pb.h"
#include "gig-application.h"
#include "ui/gig-window.h"
#include "ui/gig-sign-in-page.h"

static GigTestPb *pb;

/* English (no LANGUAGE, LC_ALL=C.UTF-8 from the test environment) or German. */
static void
use_language (const char *language)
{
  if (language == NULL)
    g_unsetenv ("LANGUAGE");
  else
    g_setenv ("LANGUAGE", language, TRUE);
  /* Tells gettext that its inputs changed, so the next lookup reads the catalog again. */
  gig_application_bind_text_domain ();
}

static GObject *
child (gpointer widget, GType type, const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

static GigWindow *
make_window (int width, int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;

  g_settings_set_string (settings, "server-url", gig_test_pb_get_url (pb));
  window = gig_test_ui_new_window (width, height);
  gig_window_set_account (window, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  return window;
}

static gboolean
keyring_problem_shown (gpointer data)
{
  return gig_sign_in_page_get_keyring_problem (data) != NULL;
}

/* ---- translations from the build tree ------------------------------------------------------ */

static void
test_locale_from_build_tree (void)
{
  g_autofree char *build_po = g_build_filename (g_getenv ("GIG_BUILD_ROOT"), "po", NULL);
  GigWindow *window;
  GtkWidget *status_page;

  /* Installed catalogs are not there for an uninstalled build. */
  g_unsetenv ("GIGDESK_LOCALEDIR");
  g_assert_cmpstr (gig_application_bind_text_domain (), ==, LOCALEDIR);

  g_setenv ("GIGDESK_LOCALEDIR", build_po, TRUE);
  use_language ("de");
  g_assert_cmpstr (gig_application_bind_text_domain (), ==, build_po);
  g_assert_cmpstr (_("Welcome to Gigdesk"), ==, "Willkommen bei Gigdesk");

  window = make_window (1000, 700);
  status_page = GTK_WIDGET (child (gig_window_get_sign_in_page (window), GIG_TYPE_SIGN_IN_PAGE, "status_page"));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "Willkommen bei Gigdesk");
  gtk_window_destroy (GTK_WINDOW (window));

  use_language (NULL);
  g_assert_cmpstr (_("Welcome to Gigdesk"), ==, "Welcome to Gigdesk");
}

/* ---- no keyring ---------------------------------------------------------------------------- */

static void
render_notice (const char *language, int width, int height, gboolean dark)
{
  g_autofree char *name = g_strdup_printf ("sign-in-no-keyring-%dx%d-%s-%s", width, height,
                                           language != NULL ? language : "en", dark ? "dark" : "light");
  g_autofree char *path = NULL;
  GigSignInPage *page;
  GigWindow *window;
  GtkWidget *box;
  GtkLabel *label;

  use_language (language);
  gig_test_ui_set_dark (dark);
  window = make_window (width, height);
  page = gig_window_get_sign_in_page (window);

  g_assert_true (gig_test_ui_wait_until (keyring_problem_shown, page, 20000));
  box = GTK_WIDGET (child (page, GIG_TYPE_SIGN_IN_PAGE, "keyring_box"));
  label = GTK_LABEL (child (page, GIG_TYPE_SIGN_IN_PAGE, "keyring_label"));
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);

  g_assert_true (gtk_widget_get_mapped (box));
  g_assert_cmpstr (gtk_label_get_text (label), ==, gig_sign_in_page_get_keyring_problem (page));
  if (language == NULL)
    g_assert_nonnull (strstr (gtk_label_get_text (label), "No keyring (Secret Service) is running"));
  else
    g_assert_nonnull (strstr (gtk_label_get_text (label), "Schlüsselbund"));
  /* Fits: at 360 px nothing is wider than the window. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, MAX (width, 360));

  path = gig_test_ui_screenshot (GTK_WINDOW (window), name);
  g_test_message ("screenshot: %s", path);
  gtk_window_destroy (GTK_WINDOW (window));
  gig_test_ui_set_dark (FALSE);
  use_language (NULL);
}

static void
test_notice_rendered (void)
{
  render_notice (NULL, 360, 640, FALSE);
  render_notice (NULL, 1000, 700, TRUE);
  render_notice ("de", 360, 640, TRUE);
  render_notice ("de", 1000, 700, FALSE);
}

typedef struct
{
  GigSession *session;
} Signed;

static void
on_signed_in (GigSignInPage *page, GigSession *session, Signed *signed_in)
{
  g_set_object (&signed_in->session, session);
}

static gboolean
signed_in_or_failed (gpointer data)
{
  GigSignInPage *page = data;
  Signed *signed_in = g_object_get_data (G_OBJECT (page), "test-signed");

  return signed_in->session != NULL || gig_sign_in_page_get_error (page) != NULL;
}

static void
test_sign_in_for_this_session (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "pagenokeyring");
  GigWindow *window = make_window (1000, 700);
  GigSignInPage *page = gig_window_get_sign_in_page (window);
  Signed signed_in = { NULL };

  g_assert_true (gig_test_ui_wait_until (keyring_problem_shown, page, 20000));
  g_object_set_data (G_OBJECT (page), "test-signed", &signed_in);
  g_signal_connect (page, "signed-in", G_CALLBACK (on_signed_in), &signed_in);

  gtk_editable_set_text (GTK_EDITABLE (child (page, GIG_TYPE_SIGN_IN_PAGE, "email_row")), user->email);
  gtk_editable_set_text (GTK_EDITABLE (child (page, GIG_TYPE_SIGN_IN_PAGE, "password_row")), user->password);
  g_signal_emit_by_name (child (page, GIG_TYPE_SIGN_IN_PAGE, "submit_button"), "clicked");
  g_assert_true (gig_test_ui_wait_until (signed_in_or_failed, page, 30000));

  /* Signed in, not failed with a D-Bus error; the token lives in this process only. */
  g_assert_null (gig_sign_in_page_get_error (page));
  g_assert_nonnull (signed_in.session);
  g_assert_cmpint (gig_session_get_state (signed_in.session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_false (gig_session_get_remembered (signed_in.session));
  g_assert_cmpstr (gig_session_get_keyring_problem (signed_in.session), ==,
                   gig_sign_in_page_get_keyring_problem (page));

  g_signal_handlers_disconnect_by_data (page, &signed_in);
  g_clear_object (&signed_in.session);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  GTestDBus *bus = NULL; /* never unreffed: its dispose would wait for the bus connection */
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  int status;

  /* Before GTK or libsecret look for the session bus. GTestDBus unsets $DISPLAY (against X11
   * autolaunching); the widgets need it back. */
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  gig_test_ui_init (&argc, &argv);
  pb = gig_test_pb_start ();

  g_test_add_func ("/sign-in/locale-from-build-tree", test_locale_from_build_tree);
  g_test_add_func ("/sign-in/no-keyring/notice", test_notice_rendered);
  g_test_add_func ("/sign-in/no-keyring/sign-in-for-this-session", test_sign_in_for_this_session);

  status = g_test_run ();
  gig_test_pb_free (pb);
  /* GTK and libsecret keep their bus connection to the end: stop the daemon, do not wait. */
  g_test_dbus_stop (bus);
  return status;
}
