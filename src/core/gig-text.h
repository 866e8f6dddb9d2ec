/* gig-text.h: text from elsewhere, made fit to show.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a user is shown of a server's message: valid UTF-8, at most @max_chars characters (cut on
 * a character boundary, with "…"). The whole text goes to the debug log when it is cut. */
#define GIG_TEXT_SHOWN_MAX_CHARS 200

char *gig_text_shorten (const char *text,
                        gsize       max_chars);

G_END_DECLS
