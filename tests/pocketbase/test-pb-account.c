/* test-pb-account.c: the account flows of GigPbClient end to end — a real PocketBase sends its
 * mails through SMTP to the sink in tests/node/smtp-sink.mjs (a real process on loopback),
 * the test reads the mail from the sink's folder, and the client finishes the flow with the
 * link the mail carries, read by core/gig-account-link.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-account-link.h"
#include "pocketbase/gig-pb-account.h"
#include "pocketbase/gig-pb-client.h"

#include "gig-test-pb.h"
#include "gig-test-async.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static GigTestPb *pb;
static GSubprocess *sink;
static char *mail_dir;

/* ------------------------------------------------------------------ the mail sink */

static void
start_sink (void)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *script = g_build_filename (g_getenv ("GIG_SOURCE_ROOT"), "tests", "node", "smtp-sink.mjs", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port_text = NULL;
  g_autoptr(GError) error = NULL;
  guint port = 0;

  g_assert_nonnull (node);
  mail_dir = g_dir_make_tmp ("gigdesk-mail-XXXXXX", &error);
  g_assert_no_error (error);
  sink = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, "--dir", mail_dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sink));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (sscanf (line, "port=%u", &port) == 1 && port > 0);

  /* PocketBase, a child of this process, reads these at start (pb_hooks/gigdesk/people.js) */
  g_setenv ("SMTP_HOST", "127.0.0.1", TRUE);
  port_text = g_strdup_printf ("%u", port);
  g_setenv ("SMTP_PORT", port_text, TRUE);
  g_setenv ("MAIL_SENDER_ADDRESS", "accounts@gigdesk.test", TRUE);
}

/* The text of a quoted-printable mail with its soft line breaks and =XX escapes undone. */
static char *
decode_quoted_printable (const char *raw)
{
  GString *out = g_string_sized_new (strlen (raw));

  for (const char *p = raw; *p; p++)
    {
      if (p[0] == '=' && p[1] == '\r' && p[2] == '\n')
        p += 2;
      else if (p[0] == '=' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The gigdesk:@action link of the first mail to @to, waiting up to 10 s for it; NULL if none came. */
static char *
wait_for_link (const char *to, const char *action)
{
  g_autofree char *to_header = g_strdup_printf ("\r\nTo: %s\r\n", to);
  g_autofree char *prefix = g_strdup_printf ("gigdesk:%s?token=", action);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GDir) dir = g_dir_open (mail_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (mail_dir, name, NULL);
          g_autofree char *raw = NULL;
          g_autofree char *text = NULL;
          const char *start, *end;

          if (!g_file_get_contents (path, &raw, NULL, NULL) || strstr (raw, to_header) == NULL)
            continue;
          text = decode_quoted_printable (raw);
          start = strstr (text, prefix);
          g_assert_nonnull (start);
          for (end = start + strlen (prefix); g_ascii_isalnum (*end) || strchr ("._-", *end); end++)
            ;
          return g_strndup (start, end - start);
        }
      g_usleep (50 * 1000);
    }
  return NULL;
}

static guint
count_mails_to (const char *to)
{
  g_autofree char *to_header = g_strdup_printf ("\r\nTo: %s\r\n", to);
  g_autoptr(GDir) dir = g_dir_open (mail_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (mail_dir, name, NULL);
      g_autofree char *raw = NULL;

      if (g_file_get_contents (path, &raw, NULL, NULL) && strstr (raw, to_header) != NULL)
        n++;
    }
  return n;
}

/* ------------------------------------------------------------------ calls */

static gboolean
request_mail (GigPbClient *client, GigPbMailKind kind, const char *email, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_request_mail_async (client, kind, email, NULL, gig_test_async_store, &result);
  return gig_pb_client_request_mail_finish (client, gig_test_async_wait (&result), error);
}

static gboolean
confirm (GigPbClient *client, const GigAccountLink *link, const char *password, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_confirm_link_async (client, link, password, NULL, gig_test_async_store, &result);
  return gig_pb_client_confirm_link_finish (client, gig_test_async_wait (&result), error);
}

static gboolean
sign_in (const char *email, const char *password, GError **error)
{
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *token = NULL;

  gig_pb_client_sign_in_with_password_async (client, email, password, NULL, gig_test_async_store, &result);
  record = gig_pb_client_sign_in_with_password_finish (client, gig_test_async_wait (&result), &token, error);
  return record != NULL;
}

static GigAccountLink *
link_from_mail (const char *to, const char *action, GigAccountLinkKind kind)
{
  g_autofree char *uri = wait_for_link (to, action);
  g_autoptr(GError) error = NULL;
  GigAccountLink *link;

  g_assert_nonnull (uri);
  link = gig_account_link_parse (uri, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->kind, ==, kind);
  g_assert_cmpstr (link->email, ==, to);
  g_assert_cmpint (link->expires, >, g_get_real_time () / G_USEC_PER_SEC);
  return link;
}

/* ------------------------------------------------------------------ tests */

static void
test_verify_email (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "verify");
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GigAccountLink) link = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/api/collections/users/records/%s", user->id);
  g_autoptr(JsonNode) before = gig_test_pb_superuser_call (pb, "GET", path, NULL);
  g_autoptr(JsonNode) after = NULL;

  g_assert_false (json_object_get_boolean_member (json_node_get_object (before), "verified"));
  g_assert_true (request_mail (client, GIG_PB_MAIL_VERIFY_EMAIL, user->email, &error));
  g_assert_no_error (error);
  link = link_from_mail (user->email, "verify-email", GIG_ACCOUNT_LINK_VERIFY_EMAIL);
  g_assert_true (confirm (client, link, NULL, &error));
  g_assert_no_error (error);
  after = gig_test_pb_superuser_call (pb, "GET", path, NULL);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (after), "verified"));
}

static void
test_reset_password (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "reset");
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GigAccountLink) link = NULL;
  g_autoptr(GError) error = NULL;

  /* an address nobody has: the same answer, and no mail */
  g_assert_true (request_mail (client, GIG_PB_MAIL_RESET_PASSWORD, "nobody.here@gigdesk.test", &error));
  g_assert_no_error (error);
  g_assert_true (request_mail (client, GIG_PB_MAIL_RESET_PASSWORD, user->email, &error));
  g_assert_no_error (error);
  link = link_from_mail (user->email, "reset-password", GIG_ACCOUNT_LINK_RESET_PASSWORD);
  g_assert_cmpuint (count_mails_to ("nobody.here@gigdesk.test"), ==, 0);

  /* too short for the server: refused with the field named, the code still good */
  g_assert_false (confirm (client, link, "short", &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  g_assert_nonnull (g_hash_table_lookup (gig_pb_error_get_field_errors (error), "password"));
  g_clear_error (&error);

  g_assert_true (confirm (client, link, "a-new-password-123", &error));
  g_assert_no_error (error);
  g_assert_true (sign_in (user->email, "a-new-password-123", &error));
  g_assert_no_error (error);
  g_assert_false (sign_in (user->email, user->password, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);

  /* a used code does not work twice */
  g_assert_false (confirm (client, link, "a-third-password-1", &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
}

static void
test_change_email (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "change");
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GigPbClient) guest = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GigAccountLink) link = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_email = g_strdup_printf ("moved.%08x@gigdesk.test", g_random_int ());

  /* only a signed-in account asks to move its address */
  g_assert_false (request_mail (guest, GIG_PB_MAIL_CHANGE_EMAIL, new_email, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED);
  g_clear_error (&error);

  gig_pb_client_set_token (client, user->token);
  g_assert_true (request_mail (client, GIG_PB_MAIL_CHANGE_EMAIL, new_email, &error));
  g_assert_no_error (error);
  link = link_from_mail (new_email, "confirm-email-change", GIG_ACCOUNT_LINK_CHANGE_EMAIL);

  g_assert_false (confirm (guest, link, "not-the-password", &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_true (confirm (guest, link, user->password, &error));
  g_assert_no_error (error);
  g_assert_true (sign_in (new_email, user->password, &error));
  g_assert_no_error (error);
  g_assert_false (sign_in (user->email, user->password, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_INVALID_CREDENTIALS);
}

static void
test_forged_code (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "forged");
  g_autoptr(GigPbClient) client = gig_pb_client_new (gig_test_pb_get_url (pb));
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = g_strdup_printf ("{\"type\":\"passwordReset\",\"email\":\"%s\",\"id\":\"%s\",\"exp\":%" G_GINT64_FORMAT "}",
                                              user->email, user->id, g_get_real_time () / G_USEC_PER_SEC + 600);
  g_autofree char *p64 = g_base64_encode ((const guchar *) payload, strlen (payload));
  g_autofree char *token = NULL;
  g_autoptr(GigAccountLink) link = NULL;

  /* base64url without padding, with a signature of our own making */
  g_strdelimit (p64, "+", '-');
  g_strdelimit (p64, "/", '_');
  if (strchr (p64, '=') != NULL)
    *strchr (p64, '=') = '\0';
  token = g_strdup_printf ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.Zm9yZ2VkLXNpZ25hdHVyZS1vZi1vdXItb3du", p64);
  link = gig_account_link_parse (token, g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);

  g_assert_false (confirm (client, link, "taken-over-123456", &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  g_clear_error (&error);
  g_assert_true (sign_in (user->email, user->password, &error));
  g_assert_no_error (error);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  start_sink ();
  pb = gig_test_pb_start ();

  g_test_add_func ("/pb/account/verify-email", test_verify_email);
  g_test_add_func ("/pb/account/reset-password", test_reset_password);
  g_test_add_func ("/pb/account/change-email", test_change_email);
  g_test_add_func ("/pb/account/forged-code", test_forged_code);
  status = g_test_run ();

  gig_test_pb_free (pb);
  g_subprocess_send_signal (sink, SIGTERM);
  g_subprocess_wait (sink, NULL, NULL);
  g_object_unref (sink);
  if (mail_dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (mail_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (mail_dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (mail_dir);
      g_free (mail_dir);
    }
  return status;
}
