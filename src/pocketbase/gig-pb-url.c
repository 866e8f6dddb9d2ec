/* gig-pb-url.c: what a server address says about the connection
 *
 * SPDX-License-Identifier: MIT
 */
#include "pocketbase/gig-pb-url.h"

#include <gio/gio.h>
#include <string.h>

/* Whether `host` can only be this computer: "localhost" and its subdomains (RFC 6761) and
 * loopback addresses (127.0.0.0/8, ::1). */
static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *lower = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;
  lower = g_ascii_strdown (host, -1);
  if (g_str_has_suffix (lower, "."))
    lower[strlen (lower) - 1] = '\0';
  if (g_str_equal (lower, "localhost") || g_str_has_suffix (lower, ".localhost"))
    return TRUE;
  address = g_inet_address_new_from_string (lower);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * gig_pb_url_is_unencrypted_remote:
 * @url: a server address
 *
 * Whether @url is plain `http://` to a host other than this computer: the password, the
 * session token and every record would cross the network unencrypted, readable and
 * changeable by anyone on the way. `http://` to a loopback address stays on this computer.
 *
 * Returns: %TRUE for plain http to a non-loopback host; %FALSE for https, loopback, or an
 *   address that does not parse (validating it is the caller's job)
 */
gboolean
gig_pb_url_is_unencrypted_remote (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_scheme (uri) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0)
    return FALSE;
  return !host_is_loopback (g_uri_get_host (uri));
}
