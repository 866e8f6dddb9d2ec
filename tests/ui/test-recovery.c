/* test-recovery.c: a damaged offline copy met in the app, under Xvfb: the question, the
 * recovery of a real damaged file, the report with its counts, and "Not Now" that changes
 * nothing. Screenshots narrow (360 px) and wide, light and dark, English and German.
 *
 * SPDX-License-Identifier: MIT
 */
/* truncate(), pwrite() */
#define _GNU_SOURCE

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gig-test-files.h"
#include "gig-test-ui.h"
#include "store/gig-store-chat.h"
#include "ui/gig-recovery-dialog.h"

#define PAGE_SIZE 8192

/* A cache with what only this computer has (two projects created offline, a draft, an unsent
 * message) after many synced records, cut in half on disk. */
static char *
damaged_cache_how (char   **out_dir,
                   gboolean  cut)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(JsonObject) draft = json_object_new ();
  g_autoptr(JsonObject) message = json_object_new ();
  g_autofree char *draft_id = NULL;
  char *dir = g_dir_make_tmp ("gigdesk-recovery-XXXXXX", &error);
  char *path = g_build_filename (dir, "cache.sqlite", NULL);
  GStatBuf info;

  g_assert_no_error (error);
  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    {
      JsonObject *o = json_object_new ();
      g_autofree char *id = g_strdup_printf ("prj%012u", i);
      g_autofree char *description = g_strnfill (1500, 'a' + i % 26);

      json_object_set_string_member (o, "id", id);
      json_object_set_string_member (o, "title", "Synced");
      json_object_set_string_member (o, "description", description);
      json_object_set_string_member (o, "updated", "2026-11-24 10:00:00.000Z");
      g_ptr_array_add (page, o);
    }
  g_assert_true (gig_store_apply_server_page (store, GIG_COLLECTION_PROJECTS, page, NULL, NULL, NULL, &error));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      g_autofree char *id = NULL;

      json_object_set_string_member (fields, "title", "Written offline");
      g_assert_true (gig_store_create_record (store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
    }
  json_object_set_string_member (draft, "project", "prj000000000001");
  json_object_set_string_member (draft, "cover_letter", "Half-written");
  g_assert_true (gig_store_save_draft (store, draft, NULL, &draft_id, &error));
  json_object_set_string_member (message, "id", "msg-offline-1");
  json_object_set_string_member (message, "text", "Sent while offline");
  g_assert_true (gig_store_chat_queue_message (store, "messaging:project-prj000000000001", "me0000000000001",
                                               message, &error));
  g_assert_no_error (error);
  gig_store_close (store);

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  if (cut)
    g_assert_cmpint (truncate (path, info.st_size / 2 / PAGE_SIZE * PAGE_SIZE), ==, 0);
  else
    {
      /* four pages in the middle of the synced rows: the file still opens */
      g_autofree char *garbage = g_strnfill (4 * PAGE_SIZE, '\x5a');
      int fd = open (path, O_WRONLY);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (pwrite (fd, garbage, 4 * PAGE_SIZE, info.st_size / PAGE_SIZE / 2 * PAGE_SIZE), ==,
                       4 * PAGE_SIZE);
      close (fd);
    }
  *out_dir = dir;
  return path;
}

/* A cache with what only this computer has, cut in half on disk. */
static char *
damaged_cache (char **out_dir)
{
  return damaged_cache_how (out_dir, TRUE);
}

static GigRecoveryDialog *
find_dialog (const char *response)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GIG_IS_RECOVERY_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (window), response))
        return GIG_RECOVERY_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer response)
{
  return find_dialog (response) != NULL;
}

static gboolean
result_ready (gpointer result)
{
  return *(GAsyncResult **) result != NULL;
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

typedef struct
{
  const char *name;
  int         width;
  int         height;
  gboolean    dark;
  const char *language;
} Look;

static void
test_recover (gconstpointer data)
{
  const Look *look = data;
  g_autofree char *dir = NULL;
  g_autofree char *path = damaged_cache (&dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GtkWindow *parent;
  GigRecoveryDialog *question;
  GigRecoveryDialog *report;
  const char *body;

  gig_test_ui_use_language (look->language);
  gig_test_ui_set_dark (look->dark);
  parent = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (parent, look->width, look->height);
  gtk_window_present (parent);
  gig_test_ui_wait_for_draw (parent, 2);

  gig_recovery_open_store_async (parent, path, NULL, store_result, &result);
  g_assert_true (gig_test_ui_wait_until (dialog_shown, "recover", 5000));
  question = find_dialog ("recover");
  gig_test_ui_wait_for_draw (GTK_WINDOW (question), 2);
  name = g_strdup_printf ("recovery-question-%s", look->name);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (question), name));
  /* the problem is named, with the file */
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (question));
  g_assert_nonnull (strstr (body, path));
  g_assert_null (result);

  /* as a click does: the answer, then the dialog goes */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "recover");
  gtk_window_close (GTK_WINDOW (question));
  g_assert_true (gig_test_ui_wait_until (dialog_shown, "close", 10000));
  report = find_dialog ("close");
  gig_test_ui_wait_for_draw (GTK_WINDOW (report), 2);
  g_free (name);
  name = g_strdup_printf ("recovery-report-%s", look->name);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (report), name));

  /* what was carried over and what was not, in numbers; where the damaged file is */
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (report));
  g_test_message ("report: %s", body);
  if (g_str_equal (look->language, "en"))
    {
      g_assert_nonnull (strstr (body, "2 changes waiting to be sent"));
      g_assert_nonnull (strstr (body, "1 draft"));
      g_assert_nonnull (strstr (body, "1 unsent message"));
      g_assert_nonnull (strstr (body, "Not everything could be read"));
      g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (report)), ==,
                       "Offline Data Partly Recovered");
    }
  g_assert_nonnull (strstr (body, ".damaged-"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (report), "close");
  gtk_window_close (GTK_WINDOW (report));
  g_assert_true (gig_test_ui_wait_until (result_ready, &result, 5000));
  store = gig_recovery_open_store_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpuint (gig_store_pending_count (store), ==, 2);
  g_assert_cmpuint (gig_store_chat_outbox_count (store), ==, 1);

  gig_store_close (store);
  gtk_window_destroy (parent);
  gig_test_remove_tree (dir);
}

static void
test_not_now (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = damaged_cache (&dir);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length = 0, after_length = 0;

  gig_test_ui_use_language ("en");
  g_assert_true (g_file_get_contents (path, &before, &before_length, NULL));
  gig_recovery_open_store_async (NULL, path, NULL, store_result, &result);
  g_assert_true (gig_test_ui_wait_until (dialog_shown, "recover", 5000));
  {
    GigRecoveryDialog *question = find_dialog ("recover");

    /* Escape or the window's close: the close response, "later" */
    gtk_window_close (GTK_WINDOW (question));
  }
  g_assert_true (gig_test_ui_wait_until (result_ready, &result, 5000));
  store = gig_recovery_open_store_finish (result, &error);
  g_assert_null (store);
  g_assert_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  /* the file is as it was, and nothing was put beside it */
  g_assert_true (g_file_get_contents (path, &after, &after_length, NULL));
  g_assert_cmpuint (before_length, ==, after_length);
  g_assert_cmpint (memcmp (before, after, before_length), ==, 0);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (d) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }
  gig_test_remove_tree (dir);
}

static void
on_damaged (GigStore     *store,
            const GError *error,
            gpointer      user_data)
{
  *(GError **) user_data = g_error_copy (error);
}

static gboolean
error_set (gpointer error)
{
  return *(GError **) error != NULL;
}

/* A file damaged inside opens at once (the window shows the account); the store's check then
 * reports it, and the same question, recovery and report follow from that report. */
static void
test_found_after_opening (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = damaged_cache_how (&dir, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) damage = NULL;
  g_autoptr(GError) error = NULL;
  GigRecoveryDialog *question;
  GigRecoveryDialog *report;

  gig_test_ui_use_language ("en");
  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_signal_connect (store, "damaged", G_CALLBACK (on_damaged), &damage);
  g_assert_true (gig_test_ui_wait_until (error_set, &damage, 30000));
  g_assert_error (damage, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT);
  gig_store_close (store);
  g_clear_object (&store);

  gig_recovery_recover_store_async (NULL, path, damage, NULL, store_result, &result);
  g_assert_true (gig_test_ui_wait_until (dialog_shown, "recover", 5000));
  question = find_dialog ("recover");
  gig_test_ui_wait_for_draw (GTK_WINDOW (question), 2);
  g_free (gig_test_ui_screenshot (GTK_WINDOW (question), "recovery-question-after-opening"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (question)), path));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), "recover");
  gtk_window_close (GTK_WINDOW (question));
  g_assert_true (gig_test_ui_wait_until (dialog_shown, "close", 10000));
  report = find_dialog ("close");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (report)), "2 changes waiting to be sent"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (report), "close");
  gtk_window_close (GTK_WINDOW (report));
  g_assert_true (gig_test_ui_wait_until (result_ready, &result, 5000));
  store = gig_recovery_open_store_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpuint (gig_store_pending_count (store), ==, 2);
  g_assert_cmpuint (gig_store_chat_outbox_count (store), ==, 1);
  gig_store_close (store);
  gig_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  static const Look looks[] = {
    { "360-light-en", 360, 640, FALSE, "en" },
    { "1000-dark-de", 1000, 700, TRUE, "de" },
  };

  gig_test_ui_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (looks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/recovery/recover/%s", looks[i].name);

      g_test_add_data_func (path, &looks[i], test_recover);
    }
  g_test_add_func ("/recovery/not-now", test_not_now);
  g_test_add_func ("/recovery/found-after-opening", test_found_after_opening);

  return g_test_run ();
}
