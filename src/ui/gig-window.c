/* gig-window.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-window.h"

struct _GigWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  AdwStatusPage        *sidebar_status;
  AdwStatusPage        *content_status;
  GtkWidget            *back_button;
};

G_DEFINE_FINAL_TYPE (GigWindow, gig_window, ADW_TYPE_APPLICATION_WINDOW)

GigWindow *
gig_window_new (GigApplication *application)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (application), NULL);

  return g_object_new (GIG_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
gig_window_get_folded (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), FALSE);

  return adw_leaflet_get_folded (self->leaflet);
}

void
gig_window_add_toast (GigWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (GIG_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
gig_window_save_state (GigWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  /* The default size is the unmaximised size, which is what should come back next time. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", MAX (width, 360));
  g_settings_set_int (self->settings, "window-height", MAX (height, 294));
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static void
gig_window_restore_state (GigWindow *self)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
gig_window_close_request (GtkWindow *window)
{
  gig_window_save_state (GIG_WINDOW (window));

  return GTK_WINDOW_CLASS (gig_window_parent_class)->close_request (window);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GigWindow *self = GIG_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
gig_window_constructed (GObject *object)
{
  GigWindow *self = GIG_WINDOW (object);
  GtkApplication *app;

  G_OBJECT_CLASS (gig_window_parent_class)->constructed (object);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (GIG_IS_APPLICATION (app))
    self->settings = g_object_ref (gig_application_get_settings (GIG_APPLICATION (app)));
  else
    self->settings = g_settings_new (APPLICATION_ID);

  gig_window_restore_state (self);
}

static void
gig_window_dispose (GObject *object)
{
  GigWindow *self = GIG_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gig_window_parent_class)->dispose (object);
}

static void
gig_window_class_init (GigWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  gig_resources_ensure ();

  object_class->constructed = gig_window_constructed;
  object_class->dispose = gig_window_dispose;
  window_class->close_request = gig_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GigWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, content);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sidebar_status);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, content_status);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, back_button);

  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
}

static void
gig_window_init (GigWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
