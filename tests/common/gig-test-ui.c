/* gig-test-ui.c: helpers for widget tests that run under Xvfb (see gig-test-ui.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "gig-test-ui.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
gig_test_ui_init (int    *argc,
                  char ***argv)
{
  g_test_init (argc, argv, NULL);

  /* A widget test that skips without a display would count as passed: refuse instead. */
  if (!gtk_init_check ())
    {
      fprintf (stderr, "Bail out! no display: widget tests must run under Xvfb (xvfb-run -a)\n");
      exit (1);
    }
  adw_init ();

  /* Screenshots must show the final state, not a transition half-way. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* Windows made without the application still find the app's own icons. */
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/gigdesk/Gigdesk/icons");
}

typedef struct
{
  guint frames_left;
} DrawWait;

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *frame_clock,
             gpointer       user_data)
{
  DrawWait *wait = user_data;

  if (wait->frames_left > 0)
    wait->frames_left--;

  return wait->frames_left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
gig_test_ui_wait_for_draw (GtkWindow *window,
                           guint      frames)
{
  DrawWait wait = { .frames_left = MAX (frames, 1) };
  /* A guard against a window that never draws, not a speed check: generous enough for the
   * sanitizer build on a loaded machine (it missed 10 s there). */
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, &wait, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (wait.frames_left > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (wait.frames_left, ==, 0);

  /* Let idle work triggered by the last frame (list models, size changes) settle. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

gboolean
gig_test_ui_wait_until (gboolean (*condition) (gpointer data),
                        gpointer   data,
                        guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean result;

  while (!(result = condition (data)) && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }

  return result;
}

/* Renders a window or a popover (each is a GtkNative with a surface of its own). */
static GdkTexture *
render_native (GtkWidget *native)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (native));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GdkTexture *texture;
  GskRenderer *renderer;
  int width = 0, height = 0;

  g_assert_true (GTK_IS_NATIVE (native));
  g_assert_cmpint (gtk_widget_get_width (native), >, 0);
  g_assert_cmpint (gtk_widget_get_height (native), >, 0);

  /* A window whose layout changed after its last frame has nothing to snapshot until it has
   * drawn again. */
  paintable = gtk_widget_paintable_new (native);
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        gig_test_ui_wait_for_draw (window, 1);
      width = gtk_widget_get_width (native);
      height = gtk_widget_get_height (native);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (native));
  g_assert_nonnull (renderer);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  return texture;
}

GdkTexture *
gig_test_ui_render (GtkWindow *window)
{
  return render_native (GTK_WIDGET (window));
}

guint32
gig_test_ui_pixel (GdkTexture *texture,
                   int         x,
                   int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = NULL;
  guint32 argb;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);

  /* Cairo's ARGB32: one native-endian 32-bit word per pixel (premultiplied; windows are opaque). */
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);
  memcpy (&argb, data + ((gsize) y * width + x) * 4, sizeof argb);
  return argb & 0xffffff;
}

static char *
save_screenshot (GtkWidget  *native,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = render_native (native);
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  const char *build_root;

  build_root = g_getenv ("GIG_BUILD_ROOT");
  dir = g_build_filename (build_root != NULL ? build_root : ".", "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_strconcat (dir, G_DIR_SEPARATOR_S, name, ".png", NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));

  return g_steal_pointer (&file);
}

char *
gig_test_ui_screenshot (GtkWindow  *window,
                        const char *name)
{
  return save_screenshot (GTK_WIDGET (window), name);
}

char *
gig_test_ui_screenshot_popover (GtkPopover *popover,
                                const char *name)
{
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  return save_screenshot (GTK_WIDGET (popover), name);
}

void
gig_test_ui_set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_FORCE_LIGHT);
}

void
gig_test_ui_use_language (const char *language)
{
  const char *locale_name = g_str_equal (language, "de") ? "de_DE.UTF-8" : "en_US.UTF-8";
  const char *build_root = g_getenv ("GIG_BUILD_ROOT");
  g_autofree char *po_dir = g_build_filename (build_root != NULL ? build_root : ".", "po", NULL);

  /* LANGUAGE picks the catalog; setlocale() afterwards makes gettext drop what it cached. */
  g_setenv ("LANGUAGE", language, TRUE);
  if (setlocale (LC_ALL, locale_name) == NULL)
    {
      fprintf (stderr, "Bail out! locale %s is missing: run build-aux/install-deps\n", locale_name);
      exit (1);
    }
  bindtextdomain (GETTEXT_PACKAGE, po_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* Templates translate through the default domain, as in the app's main(). */
  textdomain (GETTEXT_PACKAGE);
}

void
gig_test_ui_store_result (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
gig_test_ui_wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

GObject *
gig_test_ui_child (gpointer    widget,
                   GType       type,
                   const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
can_snapshot (GtkWindow *window)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gtk_widget_get_width (GTK_WIDGET (window)),
                          gtk_widget_get_height (GTK_WIDGET (window)));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  return node != NULL;
}

/* A window whose layout changed after its last frame has nothing to snapshot until the next
 * frame: draw until it has. */
void
gig_test_ui_shot (gpointer    window,
                  const char *name)
{
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  for (guint i = 0; i < 50 && !can_snapshot (GTK_WINDOW (window)); i++)
    gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);

  g_test_message ("screenshot: %s", name);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (window), name));
}

GigWindow *
gig_test_ui_new_window (int width,
                        int height)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;

  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 3);
  return window;
}

gboolean
gig_test_ui_window_signed_in (gpointer window)
{
  return gig_window_is_signed_in (window);
}

gboolean
gig_test_ui_window_signed_out (gpointer window)
{
  return !gig_window_is_signed_in (window) && gig_window_get_sign_in_page (window) != NULL;
}

gboolean
gig_test_ui_window_settled (gpointer window)
{
  return gig_test_ui_window_signed_in (window) || gig_test_ui_window_signed_out (window);
}

GigApplication *
gig_test_ui_start_app (const char  *server_url,
                       GigWindow  **out_window)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GigApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  g_settings_set_string (settings, "server-url", server_url);
  g_settings_set_int (settings, "window-width", 1000);
  g_settings_set_int (settings, "window-height", 700);
  app = gig_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  *out_window = GIG_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (*out_window);
  return g_steal_pointer (&app);
}

void
gig_test_ui_sync_once (GigSync *sync)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gig_sync_once_async (sync, NULL, gig_test_ui_store_result, &result);
  g_assert_true (gig_sync_once_finish (sync, gig_test_ui_wait_result (&result), &error));
  g_assert_no_error (error);
}
