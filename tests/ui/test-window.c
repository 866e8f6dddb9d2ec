/* test-window.c: the main window's shell, under Xvfb.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "gig-test-ui.h"
#include "ui/gig-window.h"
#include "ui/gig-preferences-window.h"
#include "ui/gig-sign-in-page.h"

static GtkWidget *
child (GigWindow  *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
test_window_empty_state (void)
{
  GigWindow *window = gig_test_ui_new_window (1200, 800);
  GtkWidget *content_status = child (window, "content_status");
  GtkWidget *sidebar_status = child (window, "sidebar_status");

  g_assert_true (gtk_widget_get_mapped (content_status));
  g_assert_true (gtk_widget_get_mapped (sidebar_status));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (content_status)), ==, "Select a Project");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (sidebar_status)), ==, "No Open Projects");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
render_at (int         width,
           int         height,
           gboolean    dark,
           gboolean    expect_folded,
           const char *name)
{
  GigWindow *window;
  g_autofree char *path = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  gig_test_ui_set_dark (dark);
  window = gig_test_ui_new_window (width, height);

  g_assert_cmpint (gig_window_get_folded (window), ==, expect_folded);
  /* When folded, the back button is how a keyboard or touch user returns to the list. */
  g_assert_cmpint (gtk_widget_get_visible (child (window, "back_button")), ==, expect_folded);
  /* Client-side decorations may take a few pixels of the requested size. */
  g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (window)) - width), <=, 24);

  path = gig_test_ui_screenshot (GTK_WINDOW (window), name);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (GTK_WIDGET (window)));
  g_test_message ("screenshot: %s", path);

  gtk_window_destroy (GTK_WINDOW (window));
  gig_test_ui_set_dark (FALSE);
}

static void
test_window_wide (void)
{
  render_at (1200, 800, FALSE, FALSE, "window-empty-1200x800-light");
  render_at (1200, 800, TRUE, FALSE, "window-empty-1200x800-dark");
}

static void
test_window_narrow (void)
{
  render_at (360, 700, FALSE, TRUE, "window-empty-360x700-light");
  render_at (360, 700, TRUE, TRUE, "window-empty-360x700-dark");
}

static void
test_window_remembers_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window = gig_test_ui_new_window (900, 640);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_close (GTK_WINDOW (window));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
test_window_remembers_list (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window = gig_test_ui_new_window (900, 640);

  g_assert_cmpint (gig_window_get_scope (window), ==, GIG_STORE_SCOPE_OPEN_PROJECTS);
  gig_window_set_scope (window, GIG_STORE_SCOPE_DRAFTS);
  gig_window_set_sort (window, GIG_STORE_SORT_BUDGET);
  {
    g_autofree char *saved = g_settings_get_string (settings, "sidebar-scope");

    g_assert_cmpstr (saved, ==, "drafts");
  }
  gtk_window_destroy (GTK_WINDOW (window));

  window = gig_test_ui_new_window (900, 640);
  g_assert_cmpint (gig_window_get_scope (window), ==, GIG_STORE_SCOPE_DRAFTS);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (window, "sidebar_status"))), ==, "No Drafts");
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "sidebar-scope");
  g_settings_reset (settings, "sidebar-sort");
}

static void
test_server_url_validation (void)
{
  const char *valid[] = { "http://127.0.0.1:8090", "https://gigdesk.example.com", "https://x.org/pb/" };
  const char *invalid[] = { "", "gigdesk.example.com", "ftp://example.com", "http://", "not a url" };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (gig_server_url_is_valid (valid[i], NULL));

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (gig_server_url_is_valid (invalid[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_preferences_server_url (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigPreferencesWindow *preferences;
  GObject *row;
  g_autofree char *saved = NULL;

  g_settings_set_string (settings, "server-url", "http://127.0.0.1:8090");
  preferences = gig_preferences_window_new (settings);
  gig_test_ui_wait_for_draw (GTK_WINDOW (preferences), 2);
  row = gtk_widget_get_template_child (GTK_WIDGET (preferences), GIG_TYPE_PREFERENCES_WINDOW,
                                       "server_url_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "http://127.0.0.1:8090");

  /* A half-typed address is shown as an error and never reaches the settings. */
  gtk_editable_set_text (GTK_EDITABLE (row), "gigdesk.example");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "http://127.0.0.1:8090");
  g_clear_pointer (&saved, g_free);

  gtk_editable_set_text (GTK_EDITABLE (row), "  https://gigdesk.example.com ");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  saved = g_settings_get_string (settings, "server-url");
  g_assert_cmpstr (saved, ==, "https://gigdesk.example.com");

  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* Renders `window` (already shown) and logs where the picture is. */
static void
shoot (GtkWindow  *window,
       const char *name)
{
  g_autofree char *path = gig_test_ui_screenshot (window, name);

  g_test_message ("screenshot: %s", path);
}

/* Plain http:// to another computer is flagged where the address is entered: in the
 * preferences and on the sign-in page. https:// and loopback http:// are not. */
static void
test_insecure_http_warning (void)
{
  const char *languages[] = { "en", "de" };

  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    for (guint dark = 0; dark < 2; dark++)
      {
        g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
        g_autoptr(GigAccount) account = gig_account_new ();
        GigPreferencesWindow *preferences;
        GtkWindow *holder;
        GigSignInPage *page;
        GObject *row, *warning, *server_row, *insecure;
        g_autofree char *pref_name = NULL;

        gig_test_ui_use_language (languages[l]);
        gig_test_ui_set_dark (dark);
        g_settings_set_string (settings, "server-url", "http://gigdesk.example.com:8090");

        preferences = gig_preferences_window_new (settings);
        gtk_window_set_default_size (GTK_WINDOW (preferences), 560, 520);
        gig_test_ui_wait_for_draw (GTK_WINDOW (preferences), 2);
        row = gtk_widget_get_template_child (GTK_WIDGET (preferences), GIG_TYPE_PREFERENCES_WINDOW, "server_url_row");
        warning = gtk_widget_get_template_child (GTK_WIDGET (preferences), GIG_TYPE_PREFERENCES_WINDOW,
                                                 "server_url_warning");
        /* the saved address is flagged as soon as the window opens */
        g_assert_true (gtk_widget_get_visible (GTK_WIDGET (warning)));
        pref_name = g_strdup_printf ("preferences-insecure-http-%s-%s", languages[l], dark ? "dark" : "light");
        gig_test_ui_wait_for_draw (GTK_WINDOW (preferences), 2);
        shoot (GTK_WINDOW (preferences), pref_name);
        gtk_editable_set_text (GTK_EDITABLE (row), "https://gigdesk.example.com");
        g_assert_false (gtk_widget_get_visible (GTK_WIDGET (warning)));
        gtk_editable_set_text (GTK_EDITABLE (row), "http://localhost:8090");
        g_assert_false (gtk_widget_get_visible (GTK_WIDGET (warning)));
        gtk_editable_set_text (GTK_EDITABLE (row), "http://192.168.1.20:8090");
        g_assert_true (gtk_widget_get_visible (GTK_WIDGET (warning)));
        /* an invalid address shows its error, not the warning */
        gtk_editable_set_text (GTK_EDITABLE (row), "http://");
        g_assert_false (gtk_widget_get_visible (GTK_WIDGET (warning)));
        gtk_window_destroy (GTK_WINDOW (preferences));

        g_settings_set_string (settings, "server-url", "http://gigdesk.example.com:8090");
        for (guint narrow = 0; narrow < 2; narrow++)
          {
            g_autofree char *name = g_strdup_printf ("sign-in-insecure-http-%s-%s-%s", narrow ? "360" : "1000",
                                                     languages[l], dark ? "dark" : "light");

            holder = GTK_WINDOW (gtk_window_new ());
            gtk_window_set_default_size (holder, narrow ? 360 : 1000, narrow ? 760 : 720);
            page = gig_sign_in_page_new (settings, account);
            gtk_window_set_child (holder, GTK_WIDGET (page));
            gtk_window_present (holder);
            gig_test_ui_wait_for_draw (holder, 3);
            server_row = gtk_widget_get_template_child (GTK_WIDGET (page), GIG_TYPE_SIGN_IN_PAGE, "server_row");
            insecure = gtk_widget_get_template_child (GTK_WIDGET (page), GIG_TYPE_SIGN_IN_PAGE, "insecure_label");
            g_assert_true (gtk_widget_get_visible (GTK_WIDGET (insecure)));
            g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (insecure)));
            shoot (holder, name);
            gtk_editable_set_text (GTK_EDITABLE (server_row), "  https://gigdesk.example.com ");
            g_assert_false (gtk_widget_get_visible (GTK_WIDGET (insecure)));
            gtk_editable_set_text (GTK_EDITABLE (server_row), "http://127.0.0.1:8090");
            g_assert_false (gtk_widget_get_visible (GTK_WIDGET (insecure)));
            gtk_editable_set_text (GTK_EDITABLE (server_row), "http://gigdesk.example.com");
            g_assert_true (gtk_widget_get_visible (GTK_WIDGET (insecure)));
            gtk_window_destroy (holder);
          }
        g_settings_reset (settings, "server-url");
      }
  gig_test_ui_set_dark (FALSE);
  gig_test_ui_use_language ("en");
}

int
main (int argc, char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add_func ("/window/empty-state", test_window_empty_state);
  g_test_add_func ("/window/wide", test_window_wide);
  g_test_add_func ("/window/narrow", test_window_narrow);
  g_test_add_func ("/window/remembers-size", test_window_remembers_size);
  g_test_add_func ("/window/remembers-list", test_window_remembers_list);
  g_test_add_func ("/preferences/server-url-validation", test_server_url_validation);
  g_test_add_func ("/preferences/server-url", test_preferences_server_url);
  g_test_add_func ("/preferences/insecure-http-warning", test_insecure_http_warning);

  return g_test_run ();
}
