/* gig-pb-url.h: what a server address says about the connection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean gig_pb_url_is_unencrypted_remote (const char *url);

G_END_DECLS
