/* test-account.c: GigAccount against a real PocketBase, a real cache file and the run's keyring
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>

#include "gig-test-pb.h"
#include "account/gig-account.h"

/* Whether @store still answers (a closed cache refuses every read). */
static gboolean
store_answers (GigStore *store)
{
  g_autoptr(GError) error = NULL;
  GigStoreUnsent unsent = { 0 };

  return gig_store_count_unsent (store, &unsent, &error);
}

static GigTestPb *pb;

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Runs the main loop until @wait's operation is done and hands its result over. */
static GAsyncResult *
wait_for (Wait *wait)
{
  g_main_loop_run (wait->loop);
  g_assert_nonnull (wait->result);
  return g_steal_pointer (&wait->result);
}

static GigSession *
sign_in (GigAccount  *account,
         const char  *url,
         const char  *email,
         const char  *password,
         const char  *name,
         GError     **error)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  GigSession *session;

  gig_account_sign_in_async (account, url, email, password, name, NULL, done_cb, &wait);
  result = wait_for (&wait);
  session = gig_account_sign_in_finish (account, result, error);
  g_main_loop_unref (wait.loop);
  return session;
}

static void
on_changed (GigAccount *account,
            guint      *count)
{
  (*count)++;
}

/* A refusal comes back in the account's words, with the fields the server named; nothing
 * opens. */
static void
test_refusals (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "refused");
  g_autoptr(GigAccount) account = gig_account_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GigSession) session = NULL;
  guint changed = 0;

  g_signal_connect (account, "changed", G_CALLBACK (on_changed), &changed);

  session = sign_in (account, gig_test_pb_get_url (pb), user->email, "not-the-password", NULL, &error);
  g_assert_null (session);
  g_assert_error (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  /* Port 9 on loopback: the discard port, closed here. */
  session = sign_in (account, "http://127.0.0.1:9", user->email, user->password, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* Signing up with a taken email, and with a password the server finds too short. */
  session = sign_in (account, gig_test_pb_get_url (pb), user->email, "long-enough-1", "Refused", &error);
  g_assert_null (session);
  g_assert_nonnull (error);
  g_assert_true (error->domain == GIG_ACCOUNT_ERROR);
  g_assert_true (error->code == GIG_ACCOUNT_ERROR_EMAIL_TAKEN || error->code == GIG_ACCOUNT_ERROR_REJECTED);
  g_clear_error (&error);
  session = sign_in (account, gig_test_pb_get_url (pb), "short@example.com", "short", "Shorty", &error);
  g_assert_null (session);
  g_assert_error (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_REJECTED);
  g_assert_nonnull (gig_account_error_get_fields (error));
  g_assert_true (g_strv_contains (gig_account_error_get_fields (error), "password"));

  g_assert_false (gig_account_is_open (account));
  g_assert_cmpuint (changed, ==, 0);
}

/* Signing in opens the user's cache, sync and chat at once; signing out closes them and
 * removes the user's files. */
static void
test_sign_in_and_out (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "account");
  g_autoptr(GigAccount) account = gig_account_new ();
  g_autoptr(GigSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  guint changed = 0;

  g_signal_connect (account, "changed", G_CALLBACK (on_changed), &changed);
  session = sign_in (account, gig_test_pb_get_url (pb), user->email, user->password, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (gig_account_is_open (account));
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (gig_account_get_session (account) == session);
  g_assert_cmpstr (gig_account_get_user_id (account), ==, user->id);
  g_assert_nonnull (gig_account_get_sync (account));
  g_assert_nonnull (gig_account_get_chat_client (account));
  path = g_strdup (gig_store_get_path (gig_account_get_store (account)));
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  gig_account_sign_out_async (account, NULL, done_cb, &wait);
  result = wait_for (&wait);
  g_assert_true (gig_account_sign_out_finish (account, result, &error));
  g_assert_no_error (error);
  g_assert_false (gig_account_is_open (account));
  g_assert_null (gig_account_get_session (account));
  g_assert_null (gig_account_get_store (account));
  g_assert_cmpuint (changed, ==, 2);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_main_loop_unref (wait.loop);
}

/* The last sign-in opens again from the keyring; a restore that finishes after the account was
 * opened another way (a sign-in by hand) leaves that account and its open cache alone. */
static void
test_restore (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "restored");
  g_autoptr(GigAccount) first = gig_account_new ();
  g_autoptr(GigAccount) second = gig_account_new ();
  g_autoptr(GigAccount) racing = gig_account_new ();
  g_autoptr(GigSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  GigStore *store;

  session = sign_in (first, gig_test_pb_get_url (pb), user->email, user->password, NULL, &error);
  g_assert_no_error (error);
  gig_account_close (first);
  g_assert_false (gig_account_is_open (first));

  gig_account_restore_async (second, gig_test_pb_get_url (pb), NULL, done_cb, &wait);
  result = wait_for (&wait);
  g_assert_true (gig_account_restore_finish (second, result, &error));
  g_assert_no_error (error);
  g_assert_true (gig_account_is_open (second));
  g_assert_cmpstr (gig_account_get_user_id (second), ==, user->id);
  gig_account_close (second);
  g_clear_object (&result);

  /* The restore starts first and finishes last: the account was opened meanwhile. */
  gig_account_restore_async (racing, gig_test_pb_get_url (pb), NULL, done_cb, &wait);
  g_assert_true (gig_account_open (racing, session, &error));
  g_assert_no_error (error);
  store = gig_account_get_store (racing);
  g_assert_nonnull (store);
  result = wait_for (&wait);
  g_assert_false (gig_account_restore_finish (racing, result, &error));
  g_assert_no_error (error);
  g_assert_true (gig_account_get_session (racing) == session);
  g_assert_true (gig_account_get_store (racing) == store);
  g_assert_true (store_answers (store));
  g_main_loop_unref (wait.loop);
}

/* An account over parts made elsewhere neither starts nor closes them. */
static void
test_borrowed_parts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gig-account-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);
  g_autoptr(GigAccount) account = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_assert_no_error (error);
  account = gig_account_new_for_parts ("usrparts0000001", NULL, store, NULL, NULL);
  g_assert_true (gig_account_is_open (account));
  g_assert_cmpstr (gig_account_get_user_id (account), ==, "usrparts0000001");
  g_clear_object (&account);
  g_assert_true (store_answers (store));

  gig_store_close (store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  pb = gig_test_pb_start ();

  g_test_add_func ("/account/refusals", test_refusals);
  g_test_add_func ("/account/sign-in-and-out", test_sign_in_and_out);
  g_test_add_func ("/account/restore", test_restore);
  g_test_add_func ("/account/borrowed-parts", test_borrowed_parts);

  status = g_test_run ();
  gig_test_pb_free (pb);
  return status;
}
