/* gig-window.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "account/gig-account.h"
#include "ui/gig-sign-in-page.h"
#include "ui/gig-project-page.h"

G_BEGIN_DECLS

#define GIG_TYPE_WINDOW (gig_window_get_type ())

G_DECLARE_FINAL_TYPE (GigWindow, gig_window, GIG, WINDOW, AdwApplicationWindow)

/* A window over @account's data (NULL: nobody signed in yet). */
GigWindow     *gig_window_new            (GtkApplication *application,
                                          GigAccount     *account);
gboolean       gig_window_get_folded     (GigWindow      *self);
void           gig_window_add_toast      (GigWindow      *self,
                                          AdwToast       *toast);

/* Shows @account's views and follows it as it opens and closes (signing in, out, into another
 * account); while it is not open, the sign-in page. NULL stands for a new account nobody signed
 * in to. */
void           gig_window_set_account    (GigWindow      *self,
                                          GigAccount     *account);
GigAccount    *gig_window_get_account    (GigWindow      *self);
/* Whether the window is on screen with channel @cid's chat in view. */
gboolean       gig_window_shows_chat     (GigWindow      *self,
                                          const char     *cid);
/* Shows the sign-in page with an optional note ("Your session expired"). */
void           gig_window_show_sign_in   (GigWindow      *self,
                                          const char     *notice);
GigSignInPage *gig_window_get_sign_in_page (GigWindow    *self);
gboolean       gig_window_is_signed_in   (GigWindow      *self);

/* The sidebar: which records (scope), the search text and the order. */
void           gig_window_set_scope      (GigWindow      *self,
                                          GigStoreScope   scope);
GigStoreScope  gig_window_get_scope      (GigWindow      *self);
void           gig_window_set_search_text (GigWindow     *self,
                                          const char     *text);
void           gig_window_set_sort       (GigWindow      *self,
                                          GigStoreSort    sort);
GListModel    *gig_window_get_list_model (GigWindow      *self);
/* The sync state line under the sidebar title. */
/* Chat messages not read in the project's channel, as the list and the Chat tab show them. */
guint          gig_window_get_unread_count (GigWindow    *self,
                                            const char   *project_id);
const char    *gig_window_get_sync_subtitle (GigWindow   *self);
gboolean       gig_window_get_offline_banner_visible (GigWindow *self);

/* Opens a project in the content pane (and moves there when folded). */
void           gig_window_show_project   (GigWindow      *self,
                                          const char     *project_id);
GigProjectPage *gig_window_get_project_page (GigWindow   *self);
/* Opens the new-project dialog. */
void           gig_window_new_project    (GigWindow      *self);
/* Opens the proposal editor for a draft or a new proposal on @project_id. */
GtkWindow     *gig_window_edit_proposal  (GigWindow      *self,
                                          const char     *project_id,
                                          const char     *proposal_id);

G_END_DECLS
