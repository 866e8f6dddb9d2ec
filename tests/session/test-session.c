/* test-session.c: GigSession against a real PocketBase and the test run's real keyring.
 *
 * SPDX-License-Identifier: MIT
 */
/* memmem() under -std=c11 */
#define _GNU_SOURCE

#include "core/gig-jwt.h"
#include "core/gig-id.h"
#include "session/gig-session.h"

#include "gig-test-pb.h"
#include "../pocketbase/gig-test-async.h"

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

static GigTestPb *pb;

/* The same schema as the application's: the test reads the keyring independently. */
static const SecretSchema token_schema = {
  "io.github.gigdesk.Gigdesk.Token", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static char *
keyring_token (const char *user_id)
{
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_sync (&token_schema, NULL, &error,
                                             "server", gig_test_pb_get_url (pb),
                                             "user-id", user_id, NULL);

  g_assert_no_error (error);
  return token;
}

static GigSession *
new_session (void)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));

  return gig_session_new (client);
}

static gboolean
sign_in (GigSession *session, const char *email, const char *password, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_session_sign_in_async (session, email, password, NULL, gig_test_async_store, &result);
  return gig_session_sign_in_finish (session, gig_test_async_wait (&result), error);
}

static gboolean
restore (GigSession *session, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_session_restore_async (session, NULL, gig_test_async_store, &result);
  return gig_session_restore_finish (session, gig_test_async_wait (&result), error);
}

static gboolean
sign_out (GigSession *session, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_session_sign_out_async (session, NULL, gig_test_async_store, &result);
  return gig_session_sign_out_finish (session, gig_test_async_wait (&result), error);
}

/* A file in the account's cache directory that must survive everything but sign-out. */
static char *
make_cache_file (const char *user_id)
{
  g_autofree char *dir = gig_session_get_account_dir_for (user_id);
  char *path = g_build_filename (dir, "gigdesk.sqlite", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "cached records", -1, &error);
  g_assert_no_error (error);
  return path;
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

/* ------------------------------------------------------------------------------------------ */

static void
test_sign_up_in_out (void)
{
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("session.%08x@gigdesk.test", g_random_int ());
  g_autofree char *user_id = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *cache_file = NULL;
  g_autofree char *account_dir = NULL;
  const char *token;

  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_OUT);

  gig_session_sign_up_async (session, email, "session-password-1", "Grace", NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_sign_up_finish (session, gig_test_async_wait (&result), &error));
  g_assert_no_error (error);

  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_cmpstr (gig_session_get_email (session), ==, email);
  g_assert_cmpstr (gig_session_get_name (session), ==, "Grace");
  g_assert_cmpstr (gig_session_get_server_url (session), ==, gig_test_pb_get_url (pb));
  user_id = g_strdup (gig_session_get_user_id (session));
  g_assert_true (gig_id_is_valid (user_id));
  token = gig_pb_client_get_token (gig_session_get_client (session));
  g_assert_nonnull (token);
  g_assert_cmpint (gig_session_get_token_expires_at (session), ==, gig_jwt_get_expiry (token));
  g_assert_cmpint (gig_session_get_token_expires_at (session), >, g_get_real_time () / G_USEC_PER_SEC);

  /* The keyring holds the token, and no file under the test's HOME or XDG dirs does */
  stored = keyring_token (user_id);
  g_assert_cmpstr (stored, ==, token);
  cache_file = make_cache_file (user_id);
  g_assert_false (tree_contains (g_get_home_dir (), token));
  g_assert_false (tree_contains (g_get_user_data_dir (), token));
  g_assert_false (tree_contains (g_get_user_config_dir (), token));
  g_assert_false (tree_contains (g_get_user_cache_dir (), token));

  /* Sign-out removes the token and that account's cache */
  account_dir = gig_session_get_account_dir (session);
  g_assert_true (g_file_test (account_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (sign_out (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_OUT);
  g_assert_null (gig_session_get_user_id (session));
  g_assert_null (gig_pb_client_get_token (gig_session_get_client (session)));
  g_clear_pointer (&stored, g_free);
  stored = keyring_token (user_id);
  g_assert_null (stored);
  g_assert_false (g_file_test (cache_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (account_dir, G_FILE_TEST_EXISTS));

  /* And nothing is left to restore */
  {
    g_autoptr(GigSession) again = new_session ();

    g_assert_true (restore (again, &error));
    g_assert_cmpint (gig_session_get_state (again), ==, GIG_SESSION_STATE_SIGNED_OUT);
  }
}

static void
test_wrong_password (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "sessionwrong");
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  g_assert_false (sign_in (session, user->email, "wrong-password", &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_INVALID_CREDENTIALS);
  g_assert_cmpstr (error->message, ==, "Failed to authenticate.");
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_OUT);
  stored = keyring_token (user->id);
  g_assert_null (stored);
}

/* A sign-up for an address that has an account: the server answers it like a fresh one and
 * stores nothing, so the sign-in that follows is refused; the user is told the account exists,
 * nothing is signed in, and the owner's account is untouched. */
static void
test_sign_up_taken_address (void)
{
  g_autoptr(GigTestPbUser) owner = gig_test_pb_create_user (pb, "sessiontaken");
  g_autofree char *shouted = g_ascii_strup (owner->email, -1);
  const char *addresses[] = { owner->email, shouted };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(GigSession) session = new_session ();
      g_autoptr(GigSession) real = new_session ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      gig_session_sign_up_async (session, addresses[i], "another-password-1", "Mallory", NULL,
                                 gig_test_async_store, &result);
      g_assert_false (gig_session_sign_up_finish (session, gig_test_async_wait (&result), &error));
      g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_UNIQUE);
      g_assert_nonnull (strstr (error->message, "already exists"));
      g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_OUT);
      g_assert_null (gig_pb_client_get_token (gig_session_get_client (session)));
      g_clear_error (&error);

      /* The owner signs in as before, with their own name. */
      g_assert_true (sign_in (real, owner->email, owner->password, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (gig_session_get_user_id (real), ==, owner->id);
      g_assert_cmpstr (gig_session_get_name (real), ==, owner->name);
      /* Leave no token in the keyring: restore tests read "the" stored account. */
      g_assert_true (sign_out (real, &error));
      g_assert_no_error (error);
    }
}

static void
test_restore_and_refresh (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "restorer");
  g_autoptr(GigSession) first = new_session ();
  g_autoptr(GigSession) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *first_token = NULL;
  g_autofree char *stored = NULL;
  gint64 first_expiry;

  g_assert_true (sign_in (first, user->email, user->password, &error));
  g_assert_no_error (error);
  first_token = g_strdup (gig_pb_client_get_token (gig_session_get_client (first)));
  first_expiry = gig_session_get_token_expires_at (first);

  /* Like the next start of the application: the token comes back from the keyring */
  second = new_session ();
  g_assert_true (restore (second, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (second), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_cmpstr (gig_session_get_user_id (second), ==, user->id);
  g_assert_nonnull (gig_pb_client_get_token (gig_session_get_client (second)));

  /* An explicit refresh stores the new token (exp has second resolution: wait past it) */
  g_usleep (1100 * 1000);
  gig_session_refresh_async (second, NULL, gig_test_async_store, &result);
  g_assert_true (gig_session_refresh_finish (second, gig_test_async_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_token_expires_at (second), >, first_expiry);
  g_assert_cmpstr (gig_pb_client_get_token (gig_session_get_client (second)), !=, first_token);
  stored = keyring_token (user->id);
  g_assert_cmpstr (stored, ==, gig_pb_client_get_token (gig_session_get_client (second)));
  g_assert_cmpstr (gig_session_get_email (second), ==, user->email);

  g_assert_true (sign_out (second, &error));
}

/* header.payload.signature with {"exp": @exp, "id": @user_id}; the signature is not checked locally */
static char *
forge_token (const char *user_id, gint64 exp)
{
  g_autofree char *payload = g_strdup_printf ("{\"collectionId\":\"_pb_users_auth_\",\"exp\":%" G_GINT64_FORMAT
                                              ",\"id\":\"%s\",\"refreshable\":true,\"type\":\"auth\"}", exp, user_id);
  g_autofree char *encoded = g_base64_encode ((const guchar *) payload, strlen (payload));

  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  g_strdelimit (encoded, "=", '\0');
  return g_strdup_printf ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.c2lnbmF0dXJl", encoded);
}

static void
test_expired_token (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "expired");
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expired = forge_token (user->id, g_get_real_time () / G_USEC_PER_SEC - 60);
  g_autofree char *cache_file = make_cache_file (user->id);
  g_autofree char *stored = NULL;

  secret_password_store_sync (&token_schema, SECRET_COLLECTION_DEFAULT, "test token", expired, NULL, &error,
                              "server", gig_test_pb_get_url (pb), "user-id", user->id, NULL);
  g_assert_no_error (error);

  g_assert_true (restore (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);
  g_assert_cmpstr (gig_session_get_user_id (session), ==, user->id);
  /* Never sent as if it were good: PocketBase would answer it as a guest */
  g_assert_null (gig_pb_client_get_token (gig_session_get_client (session)));
  /* Nothing was deleted */
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_EXISTS));
  stored = keyring_token (user->id);
  g_assert_cmpstr (stored, ==, expired);

  /* Signing in again brings the session back */
  g_assert_true (sign_in (session, user->email, user->password, &error));
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_EXISTS));
  g_assert_true (sign_out (session, &error));
}

static void
test_token_expires_while_running (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "expiring");
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autofree char *soon = forge_token (user->id, g_get_real_time () / G_USEC_PER_SEC + 2);
  g_autofree char *cache_file = make_cache_file (user->id);

  secret_password_store_sync (&token_schema, SECRET_COLLECTION_DEFAULT, "test token", soon, NULL, &error,
                              "server", gig_test_pb_get_url (pb), "user-id", user->id, NULL);
  g_assert_no_error (error);
  /* Offline, so the refresh after restore cannot reach the server: only the local clock can
   * tell that the token ran out. */
  gig_test_pb_stop (pb);
  g_assert_true (restore (session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_IN);
  g_assert_cmpstr (gig_pb_client_get_token (gig_session_get_client (session)), ==, soon);
  while (gig_session_get_state (session) == GIG_SESSION_STATE_SIGNED_IN)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);
  g_assert_cmpint (g_get_real_time () / G_USEC_PER_SEC, >=, gig_jwt_get_expiry (soon));
  g_assert_false (gig_session_check_token (session));
  g_assert_null (gig_pb_client_get_token (gig_session_get_client (session)));
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_EXISTS));
  gig_test_pb_restart (pb);
}

static void
test_revoked_token (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "revoked");
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *path = g_strdup_printf ("/api/collections/users/records/%s", user->id);
  g_autofree char *cache_file = make_cache_file (user->id);
  g_autofree char *stored = NULL;

  g_assert_true (sign_in (session, user->email, user->password, &error));
  g_assert_no_error (error);
  g_assert_true (gig_session_check_token (session));

  /* A password change elsewhere invalidates every token of the user */
  answer = gig_test_pb_superuser_call (pb, "PATCH", path,
                                       "{\"password\":\"changed-password-1\",\"passwordConfirm\":\"changed-password-1\"}");

  gig_session_refresh_async (session, NULL, gig_test_async_store, &result);
  g_assert_false (gig_session_refresh_finish (session, gig_test_async_wait (&result), &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);
  g_assert_cmpstr (gig_session_get_user_id (session), ==, user->id);
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_EXISTS));
  stored = keyring_token (user->id);
  g_assert_nonnull (stored);

  /* report_error from another layer is a no-op now, and never deletes anything */
  gig_session_report_error (session, error);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);
  g_assert_true (g_file_test (cache_file, G_FILE_TEST_EXISTS));
}

static void
test_report_error (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "reported");
  g_autoptr(GigSession) session = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) network = g_error_new_literal (GIG_PB_ERROR, GIG_PB_ERROR_NETWORK, "offline");
  g_autoptr(GError) auth = g_error_new_literal (GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED, "401");

  g_assert_true (sign_in (session, user->email, user->password, &error));
  gig_session_report_error (session, network);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGNED_IN);
  gig_session_report_error (session, auth);
  g_assert_cmpint (gig_session_get_state (session), ==, GIG_SESSION_STATE_SIGN_IN_NEEDED);
  g_assert_true (sign_out (session, &error));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  pb = gig_test_pb_start ();

  g_test_add_func ("/session/sign-up-in-out", test_sign_up_in_out);
  g_test_add_func ("/session/wrong-password", test_wrong_password);
  g_test_add_func ("/session/sign-up-taken-address", test_sign_up_taken_address);
  g_test_add_func ("/session/restore-and-refresh", test_restore_and_refresh);
  g_test_add_func ("/session/expired-token", test_expired_token);
  g_test_add_func ("/session/token-expires-while-running", test_token_expires_while_running);
  g_test_add_func ("/session/revoked-token", test_revoked_token);
  g_test_add_func ("/session/report-error", test_report_error);

  status = g_test_run ();
  gig_test_pb_free (pb);
  return status;
}
