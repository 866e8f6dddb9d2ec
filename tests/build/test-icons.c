/* test-icons.c: the application icons load, are drawn at every size a desktop asks for, and
 * GTK finds them by name in the installed hicolor layout.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gtk/gtk.h>

#include "gig-test-ui.h"

static char *
icon_path (const char *kind,
           const char *suffix)
{
  const char *root = g_getenv ("GIG_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_strdup_printf ("%s/data/icons/hicolor/%s/apps/%s%s.svg", root, kind, APPLICATION_ID, suffix);
}

static GdkPixbuf *
load_at (const char *path,
         int         size)
{
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file_at_size (path, size, size, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pixbuf);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, size);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, size);
  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  return pixbuf;
}

typedef struct {
  guint opaque;
  guint transparent;
  guint off_colour;  /* visible pixels whose colour differs from the first visible one */
  guchar rgb[3];
  gboolean have_rgb;
} PixelCount;

static PixelCount
count_pixels (GdkPixbuf *pixbuf)
{
  PixelCount count = { 0 };
  const guchar *pixels = gdk_pixbuf_read_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);

  for (int y = 0; y < gdk_pixbuf_get_height (pixbuf); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (pixbuf); x++)
      {
        const guchar *p = pixels + y * stride + x * channels;

        if (p[3] == 0)
          count.transparent++;
        else if (p[3] == 255)
          count.opaque++;

        /* Edge pixels are partly transparent; their colour is only meaningful when mostly there. */
        if (p[3] < 128)
          continue;
        if (!count.have_rgb)
          {
            memcpy (count.rgb, p, 3);
            count.have_rgb = TRUE;
          }
        else if (ABS (p[0] - count.rgb[0]) > 2 || ABS (p[1] - count.rgb[1]) > 2 ||
                 ABS (p[2] - count.rgb[2]) > 2)
          count.off_colour++;
      }
  return count;
}

static void
test_app_icon_sizes (void)
{
  g_autofree char *path = icon_path ("scalable", "");
  const int sizes[] = { 16, 24, 32, 48, 64, 128, 256, 512 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = load_at (path, sizes[i]);
      PixelCount count = count_pixels (pixbuf);
      guint area = (guint) (sizes[i] * sizes[i]);

      g_test_message ("%d px: %u opaque, %u transparent", sizes[i], count.opaque, count.transparent);
      /* A real drawing: mostly solid shapes with some air around them, and in colour. */
      g_assert_cmpuint (count.opaque, >, area / 3);
      g_assert_cmpuint (count.transparent, >, area / 20);
      g_assert_cmpuint (count.off_colour, >, 0);
    }
}

static void
test_symbolic_icon_is_one_colour (void)
{
  g_autofree char *path = icon_path ("symbolic", "-symbolic");
  const int sizes[] = { 16, 32, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = load_at (path, sizes[i]);
      PixelCount count = count_pixels (pixbuf);

      g_assert_cmpuint (count.opaque, >, 0);
      g_assert_cmpuint (count.transparent, >, 0);
      /* GTK recolours symbolic icons to the text colour; a second colour would be lost. */
      g_assert_cmpuint (count.off_colour, ==, 0);
    }
}

static void
test_theme_finds_icons (void)
{
  g_autofree char *root = g_build_filename (g_getenv ("GIG_SOURCE_ROOT"), "data", "icons", NULL);
  g_autofree char *symbolic_name = g_strconcat (APPLICATION_ID, "-symbolic", NULL);
  g_autofree char *app_path = icon_path ("scalable", "");
  g_autoptr(GtkIconTheme) theme = gtk_icon_theme_new ();
  g_autoptr(GtkIconPaintable) app_icon = NULL;
  g_autoptr(GtkIconPaintable) symbolic_icon = NULL;
  g_autoptr(GFile) app_file = NULL;
  g_autoptr(GFile) expected = g_file_new_for_path (app_path);

  /* Only our tree, so a system icon of the same name cannot answer instead. */
  gtk_icon_theme_set_search_path (theme, (const char * const []) { root, NULL });
  gtk_icon_theme_set_theme_name (theme, "hicolor");

  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, symbolic_name));

  app_icon = gtk_icon_theme_lookup_icon (theme, APPLICATION_ID, NULL, 128, 1, GTK_TEXT_DIR_NONE, 0);
  app_file = gtk_icon_paintable_get_file (app_icon);
  g_assert_nonnull (app_file);
  g_assert_true (g_file_equal (app_file, expected));
  g_assert_false (gtk_icon_paintable_is_symbolic (app_icon));

  symbolic_icon = gtk_icon_theme_lookup_icon (theme, symbolic_name, NULL, 16, 1, GTK_TEXT_DIR_NONE, 0);
  g_assert_true (gtk_icon_paintable_is_symbolic (symbolic_icon));
}

int
main (int   argc,
      char *argv[])
{
  gig_test_ui_init (&argc, &argv);

  g_test_add_func ("/icons/app/sizes", test_app_icon_sizes);
  g_test_add_func ("/icons/symbolic/one-colour", test_symbolic_icon_is_one_colour);
  g_test_add_func ("/icons/theme/finds-icons", test_theme_finds_icons);

  return g_test_run ();
}
