/* gig-account-link.h: the links and codes of the account mails.
 *
 * PocketBase's account mails (pb/pb_migrations/1764000030_people.js) link to the desktop with
 * gigdesk:verify-email?token=…, gigdesk:reset-password?token=… and
 * gigdesk:confirm-email-change?token=…, and carry the same code as text for a mail read on
 * another device. Both read here: what the link or code is for, the address it concerns and
 * when it stops working. The code is read, not verified: the server does that when it is used.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  GIG_ACCOUNT_LINK_VERIFY_EMAIL = 1, /* confirm the account's address */
  GIG_ACCOUNT_LINK_RESET_PASSWORD,   /* choose a new password */
  GIG_ACCOUNT_LINK_CHANGE_EMAIL,     /* confirm a new address (with the password) */
} GigAccountLinkKind;

typedef struct
{
  GigAccountLinkKind kind;
  char              *token;
  char              *email;     /* the address the mail went to (the new one for a change) */
  gint64             expires;   /* unix seconds, 0 if the code does not say */
} GigAccountLink;

/* What a user pasted or the desktop opened: a gigdesk: URI (with or without "//") or a bare
 * code, surrounding blank space and line breaks (mail clients wrap long codes) ignored.
 * Errors are G_IO_ERROR_INVALID_DATA (not a Gigdesk link or code; the message says so for
 * people) and G_IO_ERROR_TIMED_OUT (expired: ask for a new mail), judged at @now (unix seconds). */
GigAccountLink *gig_account_link_parse (const char  *text,
                                        gint64       now,
                                        GError     **error);
void            gig_account_link_free  (GigAccountLink *link);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigAccountLink, gig_account_link_free)

G_END_DECLS
