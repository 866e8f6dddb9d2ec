/* gig-chat-markup.h: message text as Pango markup, with web and mail addresses as links
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether a link may be opened from a message: http, https and mailto only, with something
 * after the scheme; nothing that could run or open a local file. */
gboolean  gig_chat_link_allowed  (const char *uri);

/* @text escaped for Pango markup, each http://, https:// and mailto: address in it an <a>.
 * Trailing punctuation that ends a sentence stays outside the link, a closing bracket only
 * when the address did not open one. Whatever else the text holds shows as typed. */
char     *gig_chat_text_to_markup (const char *text);

G_END_DECLS
