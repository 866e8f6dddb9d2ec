/* test-session-no-keyring.c: signing in where no keyring can hold the token.
 *
 * Two real situations, each against a real PocketBase:
 *   - a session bus without a Secret Service (a private dbus-daemon with no services at all,
 *     so nothing like gnome-keyring can be activated);
 *   - no session bus at all (headless, no $DBUS_SESSION_BUS_ADDRESS): GLib then tries to
 *     autolaunch one with dbus-launch, the raw error users used to see.
 * In both the sign-in must succeed for this session only, say why in words, and write the
 * token nowhere: HOME and the XDG folders are fresh folders that the test searches afterwards.
 *
 * SPDX-License-Identifier: MIT
 */
/* memmem() under -std=c11 */
#define _GNU_SOURCE

#include "session/gig-session.h"

#include "gig-test-pb.h"
#include "../pocketbase/gig-test-async.h"

#include <glib/gstdio.h>
#include <string.h>

static GigTestPb *pb;
static char *home_root;

static GigSession *
new_session (const char *url)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new (url);

  return gig_session_new (client);
}

static gboolean
tree_contains (const char *path, const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &contents, &length, NULL))
        return FALSE;
      return memmem (contents, length, needle, strlen (needle)) != NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

/* Signs in with @email/@password, then checks everything a memory-only sign-in promises.
 * @problem_word is a word the explanation must contain. */
static void
sign_in_for_this_session_only (const char *url,
                               const char *email,
                               const char *password,
                               const char *problem_word)
{
  g_autoptr(GigSession) session = new_session (url);
  g_autoptr(GigSession) next_start = new_session (url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) restore_result = NULL;
  g_autoptr(GAsyncResult) out_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *problem;

  gig_session_sign_in_async (session, email, password, NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_sign_in_finish (session, gig_test_async_wait (&result), &error));
  g_assert_no_error (error);

  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_cmpstr (gig_session_get_email (session), ==, email);
  g_assert_false (gig_session_get_remembered (session));
  token = g_strdup (gig_pb_client_get_token (gig_session_get_client (session)));
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >, 20);

  /* Words, not a raw D-Bus or spawn error. */
  problem = gig_session_get_keyring_problem (session);
  g_assert_nonnull (problem);
  g_test_message ("keyring problem: %s", problem);
  g_assert_nonnull (strstr (problem, problem_word));
  g_assert_nonnull (strstr (problem, "To stay signed in"));
  g_assert_null (strstr (problem, "dbus-launch"));
  g_assert_null (strstr (problem, "org.freedesktop"));

  /* The token is usable (a refresh goes to the server with it) and still nowhere on disk. */
  g_clear_object (&result);
  gig_session_refresh_async (session, NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_refresh_finish (session, gig_test_async_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_false (gig_session_get_remembered (session));
  g_free (token);
  token = g_strdup (gig_pb_client_get_token (gig_session_get_client (session)));
  g_assert_false (tree_contains (home_root, token));

  /* The next start remembers nothing and says why, without failing. */
  gig_session_restore_async (next_start, NULL, gig_test_async_store, &restore_result);
  g_assert_true (gig_session_restore_finish (next_start, gig_test_async_wait (&restore_result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (next_start), ==, GIG_SESSION_STATE_SIGNED_OUT);
  g_assert_cmpstr (gig_session_get_keyring_problem (next_start), ==, problem);

  /* Signing out needs no keyring either. */
  gig_session_sign_out_async (session, NULL, gig_test_async_store, &out_result);
  g_assert_true (gig_session_sign_out_finish (session, gig_test_async_wait (&out_result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_OUT);
  g_assert_null (gig_pb_client_get_token (gig_session_get_client (session)));
  g_assert_false (tree_contains (home_root, token));
}

static void
test_probe_finds_no_secret_service (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;

  gig_session_probe_keyring_async (NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_probe_keyring_finish (gig_test_async_wait (&result), &problem, &error));
  g_assert_no_error (error);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "No keyring (Secret Service) is running"));
}

static void
test_sign_in_without_secret_service (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "nokeyring");

  sign_in_for_this_session_only (gig_test_pb_get_url (pb), user->email, user->password,
                                 "GNOME Keyring");
}

/* gigdesk-sync, the command-line tool, on the same bus: it syncs, and says the sign-in is for
 * this run only instead of failing. */
static void
test_sync_tool_without_secret_service (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "toolnokeyring");
  g_autofree char *tool = g_build_filename (g_getenv ("GIG_BUILD_ROOT"), "src", "tools", "gigdesk-sync", NULL);
  g_autofree char *input = g_strconcat (user->password, "\n", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              tool, "--server", gig_test_pb_get_url (pb), "--email", user->email,
                              "--password-stdin", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("gigdesk-sync: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (err, "Signed in for this run only"));
  g_assert_nonnull (strstr (err, "No keyring (Secret Service) is running"));
  /* The tool's own token is unknown here: look for any JWT (they all start with {"alg":). */
  g_assert_false (tree_contains (home_root, "eyJhbGciOi"));
}

/* Runs in a child process (g_test_trap_subprocess) whose environment has no session bus. */
static void
test_sign_in_without_session_bus (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *problem = NULL;
      g_autofree char *socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
      g_autofree char *dbus_launch = g_find_program_in_path ("dbus-launch");

      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_assert_false (g_file_test (socket, G_FILE_TEST_EXISTS));
      /* Without dbus-launch GLib's autolaunch fails the way it did for users ("Failed to
       * execute child process dbus-launch"); where it is installed, it must not find X11. */
      if (dbus_launch != NULL)
        g_unsetenv ("DISPLAY");

      gig_session_probe_keyring_async (NULL, gig_test_async_store, &result);
      g_assert_true (gig_session_probe_keyring_finish (gig_test_async_wait (&result), &problem, &error));
      g_assert_nonnull (problem);
      g_assert_nonnull (strstr (problem, "There is no D-Bus session bus"));

      sign_in_for_this_session_only (g_getenv ("GIG_TEST_URL"), g_getenv ("GIG_TEST_EMAIL"),
                                     g_getenv ("GIG_TEST_PASSWORD"), "D-Bus session bus");
      return;
    }

  {
    g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "nobus");

    g_setenv ("GIG_TEST_URL", gig_test_pb_get_url (pb), TRUE);
    g_setenv ("GIG_TEST_EMAIL", user->email, TRUE);
    g_setenv ("GIG_TEST_PASSWORD", user->password, TRUE);
    g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed ();
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* HOME and XDG folders of its own, so "written nowhere" can be checked by searching them. */
static void
use_fresh_home (void)
{
  const char *dirs[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME",
                         "XDG_RUNTIME_DIR" };
  g_autoptr(GError) error = NULL;

  home_root = g_dir_make_tmp ("gigdesk-no-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home_root, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (home_root, dirs[i], NULL);

      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_setenv (dirs[i], dir, TRUE);
    }
}

int
main (int argc, char **argv)
{
  GTestDBus *bus = NULL; /* never unreffed: its dispose would wait for the bus connection */
  int status;

  if (g_getenv ("GIG_TEST_NO_KEYRING_HOME") == NULL)
    {
      use_fresh_home ();
      g_setenv ("GIG_TEST_NO_KEYRING_HOME", home_root, TRUE);
    }
  else
    home_root = g_strdup (g_getenv ("GIG_TEST_NO_KEYRING_HOME"));

  g_test_init (&argc, &argv, NULL);

  if (!g_test_subprocess ())
    {
      /* A private bus with no service files: no Secret Service exists or can be activated. */
      bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bus);
      pb = gig_test_pb_start ();
    }

  g_test_add_func ("/session/no-keyring/probe", test_probe_finds_no_secret_service);
  g_test_add_func ("/session/no-keyring/sign-in-for-this-session", test_sign_in_without_secret_service);
  g_test_add_func ("/session/no-session-bus/sign-in-for-this-session", test_sign_in_without_session_bus);
  g_test_add_func ("/session/no-keyring/sync-tool", test_sync_tool_without_secret_service);

  status = g_test_run ();
  if (pb != NULL)
    gig_test_pb_free (pb);
  if (!g_test_subprocess ())
    remove_tree (home_root);
  if (bus != NULL)
    /* GTK and libsecret keep their bus connection to the end: stop the daemon, do not wait. */
    g_test_dbus_stop (bus);
  g_free (home_root);
  return status;
}
