/* test-account-link.c: the links and codes of the account mails, read by core.
 *
 * The tokens here are made like PocketBase's (header.payload.signature, base64url, with its
 * "type", "email"/"newEmail" and "exp" claims); the signature is not checked on this side.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-account-link.h"

#include <string.h>

#define NOW G_GINT64_CONSTANT (1800000000)

static char *
base64url (const char *text)
{
  g_autofree char *plain = g_base64_encode ((const guchar *) text, strlen (text));
  GString *out = g_string_new (NULL);

  for (const char *p = plain; *p && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  return g_string_free (out, FALSE);
}

static char *
token_with (const char *payload)
{
  g_autofree char *h = base64url ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  g_autofree char *p = base64url (payload);

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJlLW5vdC1jaGVja2VkLWhlcmU", h, p);
}

static void
test_links_and_codes (void)
{
  struct { const char *payload; const char *uri_action; GigAccountLinkKind kind; const char *email; } cases[] = {
    { "{\"type\":\"verification\",\"email\":\"erin@example.com\",\"exp\":1800000600}", "verify-email",
      GIG_ACCOUNT_LINK_VERIFY_EMAIL, "erin@example.com" },
    { "{\"type\":\"passwordReset\",\"email\":\"frank@example.com\",\"exp\":1800000600}", "reset-password",
      GIG_ACCOUNT_LINK_RESET_PASSWORD, "frank@example.com" },
    { "{\"type\":\"emailChange\",\"email\":\"hugo@example.com\",\"newEmail\":\"hugo.new@example.com\",\"exp\":1800000600}",
      "confirm-email-change", GIG_ACCOUNT_LINK_CHANGE_EMAIL, "hugo.new@example.com" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = token_with (cases[i].payload);
      g_autofree char *uri = g_strdup_printf ("gigdesk:%s?token=%s", cases[i].uri_action, token);
      g_autofree char *slashed = g_strdup_printf ("gigdesk://%s?token=%s", cases[i].uri_action, token);
      /* a mail client wrapped the code and the selection took the blank space around it */
      g_autofree char *wrapped = g_strdup_printf ("  %.20s\n%s \n", token, token + 20);
      const char *inputs[] = { uri, slashed, token, wrapped };

      for (guint j = 0; j < G_N_ELEMENTS (inputs); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GigAccountLink) link = gig_account_link_parse (inputs[j], NOW, &error);

          g_assert_no_error (error);
          g_assert_nonnull (link);
          g_assert_cmpint (link->kind, ==, cases[i].kind);
          g_assert_cmpstr (link->token, ==, token);
          g_assert_cmpstr (link->email, ==, cases[i].email);
          g_assert_cmpint (link->expires, ==, 1800000600);
        }
    }
}

static void
assert_refused (const char *text, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigAccountLink) link = gig_account_link_parse (text, NOW, &error);

  g_assert_null (link);
  g_assert_error (error, G_IO_ERROR, code);
  g_assert_true (g_utf8_strlen (error->message, -1) > 20);   /* a sentence, for people */
}

static void
test_refused (void)
{
  g_autofree char *reset = token_with ("{\"type\":\"passwordReset\",\"email\":\"a@example.com\",\"exp\":1800000600}");
  g_autofree char *expired = token_with ("{\"type\":\"passwordReset\",\"email\":\"a@example.com\",\"exp\":1799999999}");
  g_autofree char *auth = token_with ("{\"type\":\"auth\",\"id\":\"abc\",\"exp\":1800000600}");
  g_autofree char *relabelled = g_strdup_printf ("gigdesk:verify-email?token=%s", reset);
  g_autofree char *other_scheme = g_strdup_printf ("https://example.com/reset-password?token=%s", reset);
  g_autofree char *no_token = g_strdup ("gigdesk:reset-password?code=abc");
  g_autofree char *huge = g_strnfill (200000, 'a');
  g_autofree char *bad_char = g_strdup_printf ("%s<", reset);

  assert_refused ("", G_IO_ERROR_INVALID_DATA);
  assert_refused ("hello", G_IO_ERROR_INVALID_DATA);
  assert_refused ("a.b.c", G_IO_ERROR_INVALID_DATA);
  assert_refused (auth, G_IO_ERROR_INVALID_DATA);            /* a sign-in token is no mail code */
  assert_refused (relabelled, G_IO_ERROR_INVALID_DATA);      /* the link says one thing, the code another */
  assert_refused (other_scheme, G_IO_ERROR_INVALID_DATA);
  assert_refused (no_token, G_IO_ERROR_INVALID_DATA);
  assert_refused (huge, G_IO_ERROR_INVALID_DATA);
  assert_refused (bad_char, G_IO_ERROR_INVALID_DATA);
  assert_refused ("\xff\xfe", G_IO_ERROR_INVALID_DATA);
  assert_refused (expired, G_IO_ERROR_TIMED_OUT);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/account-link/links-and-codes", test_links_and_codes);
  g_test_add_func ("/core/account-link/refused", test_refused);
  return g_test_run ();
}
