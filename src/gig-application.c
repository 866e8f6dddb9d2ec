/* gig-application.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-application.h"
#include "gig-resources.h"
#include "ui/gig-window.h"
#include "ui/gig-preferences-window.h"

struct _GigApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (GigApplication, gig_application, ADW_TYPE_APPLICATION)

void
gig_resources_ensure (void)
{
  /* Referencing the bundle keeps its object (and the constructor that registers it) in the
   * static library's link. */
  (void) gig_get_resource ();
}

GigApplication *
gig_application_new (void)
{
  return g_object_new (GIG_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
gig_application_get_settings (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return self->settings;
}

static void
apply_color_scheme (GigApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");

  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
on_color_scheme_changed (GigApplication *self)
{
  apply_color_scheme (self);
}

static void
gig_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GigApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close windows first so each one saves its size and state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
gig_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = {
    "The Gigdesk developers https://github.com/gigdesk",
    NULL,
  };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  adw_about_window_set_application_name (about, _("Gigdesk"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_developer_name (about, _("The Gigdesk developers"));
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about,
                                 _("Find work, hire freelancers, agree milestones and talk it "
                                   "through, online or offline."));
  adw_about_window_set_website (about, "https://github.com/gigdesk/gigdesk");
  adw_about_window_set_issue_url (about, "https://github.com/gigdesk/gigdesk/issues");
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_copyright (about, "© 2026 The Gigdesk developers");
  adw_about_window_set_license_type (about, GTK_LICENSE_MIT_X11);
  /* Translators: replace with your names, one per line, to be credited in the About window */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
}

static void
gig_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GigPreferencesWindow *preferences;

  preferences = gig_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
gig_application_shortcuts_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* GtkApplication loads gtk/help-overlay.ui from the resource base path and gives every
   * application window a win.show-help-overlay action for it. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = gig_application_quit_action },
  { .name = "about", .activate = gig_application_about_action },
  { .name = "preferences", .activate = gig_application_preferences_action },
  { .name = "shortcuts", .activate = gig_application_shortcuts_action },
};

static void
gig_application_startup (GApplication *app)
{
  GigApplication *self = GIG_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (gig_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);

  apply_color_scheme (self);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed), self, G_CONNECT_SWAPPED);
}

static void
gig_application_activate (GApplication *app)
{
  GigApplication *self = GIG_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (gig_window_new (self));

  gtk_window_present (window);
}

static void
gig_application_dispose (GObject *object)
{
  GigApplication *self = GIG_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gig_application_parent_class)->dispose (object);
}

static void
gig_application_class_init (GigApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = gig_application_dispose;
  app_class->startup = gig_application_startup;
  app_class->activate = gig_application_activate;

  gig_resources_ensure ();
}

static void
gig_application_init (GigApplication *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
}
