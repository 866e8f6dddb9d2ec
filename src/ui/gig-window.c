/* gig-window.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-window.h"
#include "gig-project-dialog.h"
#include "gig-proposal-editor.h"
#include "gig-record-row.h"
#include "gig-sync-status-text.h"
#include "model/gig-record-list-model.h"
#include "model/gig-unread-counts.h"
#include "gig-ui-util.h"
#include "model/gig-proposal.h"

/* Order of the scope drop-down's entries. */
static const GigStoreScope scopes[] = {
  GIG_STORE_SCOPE_OPEN_PROJECTS,
  GIG_STORE_SCOPE_MY_PROJECTS,
  GIG_STORE_SCOPE_HIRED,
  GIG_STORE_SCOPE_MY_PROPOSALS,
  GIG_STORE_SCOPE_DRAFTS,
  GIG_STORE_SCOPE_TRASH,
};

/* The same order: the search entry says which list it searches. */
static const char *search_placeholders[] = {
  N_("Search Open Projects"), N_("Search My Projects"), N_("Search My Work"),
  N_("Search My Proposals"), N_("Search Drafts"), N_("Search Trash"),
};

/* The same order, as stored in the "sidebar-scope" setting. */
static const char *scope_names[] = { "open", "mine", "hired", "proposals", "drafts", "trash" };

struct _GigWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GigAccount           *account;      /* always set: nobody signed in is an account not open */
  GigSession           *session;
  GigStore             *store;
  GigSync              *sync;
  GigRecordListModel   *model;
  GtkSliceListModel    *slice;        /* the list view sees this part of the model */
  GtkSingleSelection   *selection;
  GdkFrameClock        *grow_clock;   /* set while the slice waits to grow */
  gulong                grow_id;
  char                 *me;
  char                 *highlight_id; /* the record the list highlights, followed by id */
  GigUnreadCounts      *unread;
  GHashTable           *bound_rows;   /* GigRecordRow → the id of the project it belongs to */
  gboolean              following;
  guint                 follow_idle_id;
  GigSignInPage        *sign_in_page;
  guint                 search_idle_id;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkStack             *content;
  AdwStatusPage        *sidebar_status;
  AdwStatusPage        *content_status;
  GtkWidget            *back_button;
  AdwWindowTitle       *sidebar_title;
  GtkRevealer          *offline_revealer;
  GtkLabel             *offline_label;
  GtkButton            *offline_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *scope_dropdown;
  GtkDropDown          *sort_dropdown;
  GtkStack             *list_stack;
  GtkListView          *list_view;
  GigProjectPage       *project_page;
  AdwBin               *sign_in_bin;
};

G_DEFINE_FINAL_TYPE (GigWindow, gig_window, ADW_TYPE_APPLICATION_WINDOW)

GigWindow *
gig_window_new (GtkApplication *application,
                GigAccount     *account)
{
  GigWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  self = g_object_new (GIG_TYPE_WINDOW, "application", application, NULL);
  gig_window_set_account (self, account);
  return self;
}

gboolean
gig_window_get_folded (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), FALSE);

  return adw_leaflet_get_folded (self->leaflet);
}

void
gig_window_add_toast (GigWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (GIG_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

GigSignInPage *
gig_window_get_sign_in_page (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  return self->sign_in_page;
}

GigProjectPage *
gig_window_get_project_page (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  return self->project_page;
}

gboolean
gig_window_is_signed_in (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), FALSE);

  return self->store != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "main") == 0;
}

const char *
gig_window_get_sync_subtitle (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  return adw_window_title_get_subtitle (self->sidebar_title);
}

gboolean
gig_window_get_offline_banner_visible (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), FALSE);

  return gtk_revealer_get_reveal_child (self->offline_revealer);
}

GListModel *
gig_window_get_list_model (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  return self->model != NULL ? G_LIST_MODEL (self->model) : NULL;
}

/* ---- sidebar list ---------------------------------------------------------------------------- */

static GigStoreScope
current_scope (GigWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->scope_dropdown);

  return selected < G_N_ELEMENTS (scopes) ? scopes[selected] : GIG_STORE_SCOPE_OPEN_PROJECTS;
}

static GigStoreQuery *
build_query (GigWindow *self)
{
  GigStoreScope scope = current_scope (self);
  GigCollection collection = (scope == GIG_STORE_SCOPE_MY_PROPOSALS || scope == GIG_STORE_SCOPE_DRAFTS)
                             ? GIG_COLLECTION_PROPOSALS : GIG_COLLECTION_PROJECTS;
  GigStoreQuery *query = gig_store_query_new (collection, scope);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  query->me = g_strdup (self->me);
  query->text = *trimmed != '\0' ? g_steal_pointer (&trimmed) : NULL;
  query->sort = gtk_drop_down_get_selected (self->sort_dropdown) == 1 ? GIG_STORE_SORT_BUDGET
                                                                        : GIG_STORE_SORT_NEWEST;
  return query;
}

static void
update_empty_state (GigWindow *self)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  const GigStoreQuery *query = self->model != NULL ? gig_record_list_model_get_query (self->model) : NULL;

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
  if (n > 0)
    return;

  if (query != NULL && query->text != NULL)
    {
      GListModel *scope_names_model = gtk_drop_down_get_model (self->scope_dropdown);
      guint selected = gtk_drop_down_get_selected (self->scope_dropdown);
      g_autofree char *description = NULL;

      /* Search looks in the list chosen above it: say so, and where else to look. */
      if (GTK_IS_STRING_LIST (scope_names_model) && selected < g_list_model_get_n_items (scope_names_model))
        description = g_strdup_printf (_("Nothing in “%s” matches. Try other words or another list."),
                                       gtk_string_list_get_string (GTK_STRING_LIST (scope_names_model), selected));
      adw_status_page_set_icon_name (self->sidebar_status, "system-search-symbolic");
      adw_status_page_set_title (self->sidebar_status, _("No Results"));
      adw_status_page_set_description (self->sidebar_status, description != NULL ? description : _("Try other words."));
      return;
    }

  adw_status_page_set_icon_name (self->sidebar_status, "io.github.gigdesk.Gigdesk-symbolic");
  switch (current_scope (self))
    {
    case GIG_STORE_SCOPE_OPEN_PROJECTS:
      adw_status_page_set_title (self->sidebar_status, _("No Open Projects"));
      adw_status_page_set_description (self->sidebar_status, _("Projects looking for a freelancer appear here."));
      break;
    case GIG_STORE_SCOPE_MY_PROJECTS:
      adw_status_page_set_title (self->sidebar_status, _("No Projects Yet"));
      adw_status_page_set_description (self->sidebar_status, _("Post a project with the + button to hire a freelancer."));
      break;
    case GIG_STORE_SCOPE_HIRED:
      adw_status_page_set_title (self->sidebar_status, _("No Work Yet"));
      adw_status_page_set_description (self->sidebar_status, _("Projects you are hired for appear here."));
      break;
    case GIG_STORE_SCOPE_MY_PROPOSALS:
      adw_status_page_set_title (self->sidebar_status, _("No Proposals"));
      adw_status_page_set_description (self->sidebar_status, _("Proposals you send appear here."));
      break;
    case GIG_STORE_SCOPE_DRAFTS:
      adw_status_page_set_title (self->sidebar_status, _("No Drafts"));
      adw_status_page_set_description (self->sidebar_status, _("Proposals you have started but not sent appear here."));
      break;
    case GIG_STORE_SCOPE_TRASH:
      adw_status_page_set_icon_name (self->sidebar_status, "user-trash-symbolic");
      adw_status_page_set_title (self->sidebar_status, _("Nothing in Trash"));
      adw_status_page_set_description (self->sidebar_status, _("Projects you delete can be restored from here."));
      break;
    case GIG_STORE_SCOPE_ALL:
    default:
      adw_status_page_set_title (self->sidebar_status, _("No Projects Yet"));
      adw_status_page_set_description (self->sidebar_status, NULL);
      break;
    }
}

/* GtkListView (4.8) builds and binds 200 rows whenever its items are replaced, whatever its
 * height. A new list is therefore shown in two steps: a screenful of rows in the next frame,
 * then, once that frame is painted, the rest (the scroll bar gets its full length then). */
#define FIRST_ROWS 40

static void
stop_growing (GigWindow *self)
{
  if (self->grow_clock != NULL)
    {
      g_clear_signal_handler (&self->grow_id, self->grow_clock);
      g_clear_object (&self->grow_clock);
    }
}

static void
show_all_rows (GigWindow *self)
{
  stop_growing (self);
  if (self->slice != NULL)
    gtk_slice_list_model_set_size (self->slice, G_MAXUINT);
}

static void
on_first_rows_painted (GdkFrameClock *clock,
                       GigWindow     *self)
{
  show_all_rows (self);
}

static void
show_first_rows (GigWindow *self)
{
  GdkFrameClock *clock;

  /* Not shown yet: the rows are built once, when it is (see gig_window_map). */
  if (self->slice == NULL ||
      gtk_list_view_get_model (self->list_view) != GTK_SELECTION_MODEL (self->selection) ||
      (clock = gtk_widget_get_frame_clock (GTK_WIDGET (self))) == NULL)
    return;

  gtk_slice_list_model_set_size (self->slice, FIRST_ROWS);
  if (self->grow_clock == NULL)
    {
      self->grow_clock = g_object_ref (clock);
      self->grow_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_rows_painted), self);
    }
}

/* Gives the list view its model: a screenful for the first frame, the rest after it. */
static void
attach_list_model (GigWindow *self)
{
  gtk_slice_list_model_set_size (self->slice, FIRST_ROWS);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  show_first_rows (self);
}

static void
refresh_query (GigWindow *self)
{
  g_autoptr(GigStoreQuery) query = NULL;

  if (self->model == NULL)
    return;

  query = build_query (self);
  if (!gig_store_query_equal (query, gig_record_list_model_get_query (self->model)))
    {
      show_first_rows (self);
      gig_record_list_model_set_query (self->model, query);
    }
  update_empty_state (self);
}

static void
update_search_placeholder (GigWindow *self)
{
  guint scope = gtk_drop_down_get_selected (self->scope_dropdown);
  const char *text = scope < G_N_ELEMENTS (search_placeholders) ? _(search_placeholders[scope]) : NULL;

  g_object_set (self->search_entry, "placeholder-text", text, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
on_filters_changed (GigWindow *self)
{
  guint scope = gtk_drop_down_get_selected (self->scope_dropdown);

  update_search_placeholder (self);

  /* Remember the list for the next start (not while the template is still being built). */
  if (self->settings != NULL && scope < G_N_ELEMENTS (scope_names))
    {
      g_settings_set_string (self->settings, "sidebar-scope", scope_names[scope]);
      g_settings_set_string (self->settings, "sidebar-sort",
                             gtk_drop_down_get_selected (self->sort_dropdown) == 1 ? "budget" : "newest");
    }
  refresh_query (self);
}

static gboolean
search_cleared_cb (gpointer user_data)
{
  GigWindow *self = user_data;

  self->search_idle_id = 0;
  /* Still empty: the search was cleared, not replaced. */
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) == '\0')
    refresh_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_search_changed (GigWindow *self)
{
  /* GtkSearchEntry reports an empty text at once, other texts after a pause in typing.
   * Replacing the text (select all and type) empties the entry first, then fills it: listing
   * everything in between would cost as much as the search. So an empty text is applied in an
   * idle (still before the next frame), if it is still empty then. */
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    {
      g_clear_handle_id (&self->search_idle_id, g_source_remove);
      refresh_query (self);
    }
  else if (self->search_idle_id == 0)
    {
      self->search_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, search_cleared_cb, self, NULL);
    }
}

static void
on_stop_search (GigWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

void
gig_window_set_scope (GigWindow     *self,
                      GigStoreScope  scope)
{
  g_return_if_fail (GIG_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    if (scopes[i] == scope)
      gtk_drop_down_set_selected (self->scope_dropdown, i);
}

GigStoreScope
gig_window_get_scope (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), GIG_STORE_SCOPE_OPEN_PROJECTS);

  return current_scope (self);
}

void
gig_window_set_search_text (GigWindow  *self,
                            const char *text)
{
  g_return_if_fail (GIG_IS_WINDOW (self));

  gtk_search_bar_set_search_mode (self->search_bar, text != NULL && *text != '\0');
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* The entry reports changes after a short delay; apply at once for callers that set it. */
  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  refresh_query (self);
}

void
gig_window_set_sort (GigWindow    *self,
                     GigStoreSort  sort)
{
  g_return_if_fail (GIG_IS_WINDOW (self));

  gtk_drop_down_set_selected (self->sort_dropdown, sort == GIG_STORE_SORT_BUDGET ? 1 : 0);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_child (item, GTK_WIDGET (gig_record_row_new ()));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GigWindow *self = user_data;
  GigRecord *record = gtk_list_item_get_item (item);

  if (self->store == NULL || record == NULL)
    return;

  gig_record_row_bind (GIG_RECORD_ROW (gtk_list_item_get_child (item)), self->store, record);
  {
    GigRecordRow *row = GIG_RECORD_ROW (gtk_list_item_get_child (item));
    const char *project_id = GIG_IS_PROPOSAL (record) ? gig_proposal_get_project (GIG_PROPOSAL (record))
                                                      : gig_record_get_id (record);

    g_hash_table_replace (self->bound_rows, row, g_strdup (project_id));
    gig_record_row_set_unread (row, self->unread != NULL ? gig_unread_counts_get_project (self->unread, project_id) : 0);
  }
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GigWindow *self = user_data;

  g_hash_table_remove (self->bound_rows, gtk_list_item_get_child (item));
  gig_record_row_unbind (GIG_RECORD_ROW (gtk_list_item_get_child (item)));
}

/* ---- unread chat messages -------------------------------------------------------------------- */

static void
update_unread (GigWindow *self)
{
  GHashTableIter iter;
  gpointer row, project_id;

  if (self->bound_rows == NULL)
    return;  /* not built yet, or gone */
  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &row, &project_id))
    gig_record_row_set_unread (row, self->unread != NULL ? gig_unread_counts_get_project (self->unread, project_id) : 0);
  gig_project_page_set_chat_unread (self->project_page,
                                    self->unread != NULL
                                    ? gig_unread_counts_get_project (self->unread, gig_project_page_get_project (self->project_page))
                                    : 0);
}

static void
follow_unread (GigWindow  *self,
               const char *me)
{
  if (self->unread != NULL)
    g_signal_handlers_disconnect_by_data (self->unread, self);
  g_clear_object (&self->unread);
  if (self->store != NULL && me != NULL)
    {
      self->unread = gig_unread_counts_new (self->store, me);
      g_signal_connect_object (self->unread, "changed", G_CALLBACK (update_unread), self, G_CONNECT_SWAPPED);
    }
  update_unread (self);
}

guint
gig_window_get_unread_count (GigWindow  *self,
                             const char *project_id)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), 0);

  return self->unread != NULL ? gig_unread_counts_get_project (self->unread, project_id) : 0;
}

/* The highlight follows a record by id, never a row index: rows inserted, removed or moved
 * around it (a new project, one moved to the trash, one hired out of the Open list) must not
 * carry it to another record, and a record that left the list takes the highlight with it. */
static void
follow_highlight (GigWindow *self)
{
  gint64 position = -1;
  guint selected;

  if (self->model == NULL || self->selection == NULL || self->following)
    return;

  self->following = TRUE;
  if (self->highlight_id != NULL)
    position = gig_record_list_model_find (self->model, self->highlight_id);
  /* The model may be between the two halves of a refresh (see replace_all): not there yet. */
  if (position >= g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    position = -1;
  if (position >= FIRST_ROWS)
    show_all_rows (self);
  selected = position >= 0 ? (guint) position : GTK_INVALID_LIST_POSITION;
  if (gtk_single_selection_get_selected (self->selection) != selected)
    gtk_single_selection_set_selected (self->selection, selected);
  self->following = FALSE;
}

static gboolean
follow_highlight_idle (gpointer user_data)
{
  GigWindow *self = user_data;

  self->follow_idle_id = 0;
  follow_highlight (self);
  return G_SOURCE_REMOVE;
}

/* Rows changed: the list view must see the change before the selection moves, so the highlight
 * is put back just after (still before the next frame is drawn). */
static void
on_selection_items_changed (GigWindow *self)
{
  if (self->follow_idle_id == 0)
    self->follow_idle_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, follow_highlight_idle, self, NULL);
}

static void
set_highlight (GigWindow  *self,
               const char *id)
{
  g_free (self->highlight_id);
  self->highlight_id = g_strdup (id);
  follow_highlight (self);
}

void
gig_window_show_project (GigWindow  *self,
                         const char *project_id)
{
  g_return_if_fail (GIG_IS_WINDOW (self));

  if (project_id == NULL)
    {
      gtk_stack_set_visible_child_name (self->content, "empty");
      set_highlight (self, NULL);
      return;
    }

  gig_project_page_set_project (self->project_page, project_id);
  gtk_stack_set_visible_child_name (self->content, "project");
  gig_project_page_set_chat_unread (self->project_page,
                                    self->unread != NULL ? gig_unread_counts_get_project (self->unread, project_id) : 0);

  /* Highlight the project in the list when it is there. */
  if (self->model == NULL || gig_record_list_model_get_query (self->model)->collection == GIG_COLLECTION_PROJECTS)
    set_highlight (self, project_id);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->content));
}

static void
on_list_activate (GigWindow *self,
                  guint      position)
{
  g_autoptr(GigRecord) record = NULL;
  const GigStoreQuery *query;
  const char *id;

  if (self->model == NULL)
    return;

  query = gig_record_list_model_get_query (self->model);
  record = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  if (record == NULL)
    return;
  id = gig_record_get_id (record);

  if (query->collection == GIG_COLLECTION_PROPOSALS)
    {
      g_autoptr(GigProposal) proposal = gig_proposal_load (self->store, id);
      const char *project;

      if (proposal == NULL)
        return;
      project = gig_proposal_get_project (proposal);
      set_highlight (self, id);
      if (query->scope == GIG_STORE_SCOPE_DRAFTS)
        {
          gig_window_edit_proposal (self, project, id);
          return;
        }
      gig_window_show_project (self, project);
      gig_project_page_set_view (self->project_page, "proposals");
      return;
    }

  gig_window_show_project (self, id);
}

static void
on_model_items_changed (GigWindow *self)
{
  /* The project page follows the store on its own; only the list's empty state is ours. */
  update_empty_state (self);
}

static void
on_store_changed (GigWindow  *self,
                  int         collection,
                  char      **ids)
{
  /* Proposal rows show their project's title, which the list model does not follow. */
  if (self->model != NULL && collection == GIG_COLLECTION_PROJECTS &&
      gig_record_list_model_get_query (self->model)->collection == GIG_COLLECTION_PROPOSALS)
    gig_record_list_model_refresh (self->model);
}

/* ---- sync state ------------------------------------------------------------------------------ */

static void
update_sync_state (GigWindow *self)
{
  g_auto(GigSyncStatusText) text;

  /* The words come from the engine's derived status; the window only shows them. */
  gig_sync_status_text_init (&text, self->sync);
  adw_window_title_set_subtitle (self->sidebar_title, text.subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sidebar_title), text.tooltip);
  gtk_revealer_set_reveal_child (self->offline_revealer, text.banner != NULL);
  if (text.banner != NULL)
    gtk_label_set_text (self->offline_label, text.banner);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_button), text.button_label != NULL);
  if (text.button_label != NULL)
    gtk_button_set_label (self->offline_button, text.button_label);
}

static void
on_offline_button_clicked (GigWindow *self)
{
  if (self->sync != NULL && gig_sync_get_status (self->sync) == GIG_SYNC_STATUS_SIGN_IN_NEEDED)
    gig_window_show_sign_in (self, _("Your session has expired. Sign in again to continue syncing."));
  else if (self->sync != NULL)
    gig_sync_now (self->sync);
}

/* ---- account --------------------------------------------------------------------------------- */

/* The account is open (the window follows its "changed"); only the keyring's answer is news. */
static void
on_signed_in (GigWindow  *self,
              GigSession *session)
{
  if (!gig_session_get_remembered (session))
    gig_window_add_toast (self, adw_toast_new (_("Signed in for this session only: no keyring can remember it")));
}

void
gig_window_show_sign_in (GigWindow  *self,
                         const char *notice)
{
  g_return_if_fail (GIG_IS_WINDOW (self));

  if (self->sign_in_page == NULL)
    {
      self->sign_in_page = gig_sign_in_page_new (self->settings, self->account);
      g_signal_connect_object (self->sign_in_page, "signed-in", G_CALLBACK (on_signed_in), self,
                               G_CONNECT_SWAPPED);
      adw_bin_set_child (self->sign_in_bin, GTK_WIDGET (self->sign_in_page));
    }

  gig_sign_in_page_set_notice (self->sign_in_page, notice);
  gtk_stack_set_visible_child_name (self->main_stack, "sign-in");
}

/* Shows the account's parts: its views over the store, or the sign-in page when none is open. */
static void
apply_account (GigWindow *self)
{
  g_autoptr(GigStoreQuery) query = NULL;
  GigSession *session = gig_account_get_session (self->account);
  GigStore *store = gig_account_get_store (self->account);
  GigSync *sync = gig_account_get_sync (self->account);

  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  gtk_list_view_set_model (self->list_view, NULL);
  stop_growing (self);
  g_clear_object (&self->selection);
  g_clear_object (&self->slice);
  g_clear_object (&self->model);
  g_clear_object (&self->sync);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  follow_unread (self, NULL);
  gig_window_show_project (self, NULL);

  if (store == NULL)
    {
      gig_project_page_set_chat_client (self->project_page, NULL);
      gig_project_page_set_context (self->project_page, NULL, NULL);
      update_sync_state (self);
      gig_window_show_sign_in (self, NULL);
      return;
    }

  self->session = session != NULL ? g_object_ref (session) : NULL;
  self->store = g_object_ref (store);
  g_free (self->me);
  self->me = g_strdup (gig_account_get_user_id (self->account));
  self->sync = sync != NULL ? g_object_ref (sync) : NULL;

  gig_project_page_set_context (self->project_page, store, self->me);
  gig_project_page_set_chat_client (self->project_page, gig_account_get_chat_client (self->account));
  follow_unread (self, self->me);

  query = build_query (self);
  self->model = gig_record_list_model_new (store, query);
  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (on_model_items_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  self->slice = gtk_slice_list_model_new (G_LIST_MODEL (g_object_ref (self->model)), 0, G_MAXUINT);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->slice)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  /* After the selection's own handler: whatever it did with the index, put the highlight back
   * on the record. */
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (on_selection_items_changed), self,
                           G_CONNECT_SWAPPED);
  /* The list view builds its rows as soon as it has a model; before the window is shown
   * that would be done again for every change of the query (see gig_window_map). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    attach_list_model (self);

  if (self->sync != NULL)
    {
      g_signal_connect_object (self->sync, "notify::status", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notify::conflict-count", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notify::failed-count", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notify::pending-count", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notify::progress-text", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notify::last-error", G_CALLBACK (update_sync_state), self, G_CONNECT_SWAPPED);
    }
  update_sync_state (self);
  update_empty_state (self);

  if (self->sign_in_page != NULL)
    gig_sign_in_page_set_notice (self->sign_in_page, NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "main");
}

void
gig_window_set_account (GigWindow  *self,
                        GigAccount *account)
{
  g_autoptr(GigAccount) fresh = NULL;

  g_return_if_fail (GIG_IS_WINDOW (self));
  g_return_if_fail (account == NULL || GIG_IS_ACCOUNT (account));

  if (account == NULL)
    account = fresh = gig_account_new ();
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  g_signal_connect_object (account, "changed", G_CALLBACK (apply_account), self, G_CONNECT_SWAPPED);
  if (self->sign_in_page != NULL)
    gig_sign_in_page_set_account (self->sign_in_page, account);
  apply_account (self);
}

GigAccount *
gig_window_get_account (GigWindow *self)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  return self->account;
}

gboolean
gig_window_shows_chat (GigWindow  *self,
                       const char *cid)
{
  g_return_val_if_fail (GIG_IS_WINDOW (self), FALSE);

  return gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         gig_project_page_shows_chat (self->project_page, cid);
}

/* ---- dialogs --------------------------------------------------------------------------------- */

void
gig_window_new_project (GigWindow *self)
{
  GigProjectDialog *dialog;

  g_return_if_fail (GIG_IS_WINDOW (self));

  if (self->store == NULL)
    return;

  dialog = gig_project_dialog_new (GTK_WINDOW (self), self->store, self->me, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWindow *
gig_window_edit_proposal (GigWindow  *self,
                          const char *project_id,
                          const char *proposal_id)
{
  GigProposalEditor *editor;

  g_return_val_if_fail (GIG_IS_WINDOW (self), NULL);

  if (self->store == NULL || project_id == NULL)
    return NULL;

  editor = gig_proposal_editor_new (self->store, self->me, project_id, proposal_id);
  gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (editor));

  return GTK_WINDOW (editor);
}

/* ---- window ---------------------------------------------------------------------------------- */

static void
gig_window_save_state (GigWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  /* The default size is the unmaximised size, which is what should come back next time. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", MAX (width, 360));
  g_settings_set_int (self->settings, "window-height", MAX (height, 294));
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static void
gig_window_restore_state (GigWindow *self)
{
  g_autofree char *scope = g_settings_get_string (self->settings, "sidebar-scope");
  g_autofree char *sort = g_settings_get_string (self->settings, "sidebar-sort");

  for (guint i = 0; i < G_N_ELEMENTS (scope_names); i++)
    if (g_str_equal (scope, scope_names[i]))
      gtk_drop_down_set_selected (self->scope_dropdown, i);
  gtk_drop_down_set_selected (self->sort_dropdown, g_str_equal (sort, "budget") ? 1 : 0);
  update_empty_state (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
gig_window_map (GtkWidget *widget)
{
  GigWindow *self = GIG_WINDOW (widget);

  GTK_WIDGET_CLASS (gig_window_parent_class)->map (widget);

  /* Rows are built once, for the query the window opens with. */
  if (self->selection != NULL &&
      gtk_list_view_get_model (self->list_view) != GTK_SELECTION_MODEL (self->selection))
    attach_list_model (self);
}

static void
gig_window_unrealize (GtkWidget *widget)
{
  /* The frame clock goes with the surface. */
  show_all_rows (GIG_WINDOW (widget));

  GTK_WIDGET_CLASS (gig_window_parent_class)->unrealize (widget);
}

static gboolean
gig_window_close_request (GtkWindow *window)
{
  gig_window_save_state (GIG_WINDOW (window));

  return GTK_WINDOW_CLASS (gig_window_parent_class)->close_request (window);
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GigWindow *self = GIG_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GigWindow *self = GIG_WINDOW (widget);

  if (self->store == NULL)
    return;

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  gig_window_new_project (GIG_WINDOW (widget));
}

G_STATIC_ASSERT (G_N_ELEMENTS (scope_names) == G_N_ELEMENTS (scopes));

static void
gig_window_constructed (GObject *object)
{
  GigWindow *self = GIG_WINDOW (object);

  G_OBJECT_CLASS (gig_window_parent_class)->constructed (object);

  self->settings = g_settings_new (APPLICATION_ID);

  gig_window_restore_state (self);
}

static void
gig_window_dispose (GObject *object)
{
  GigWindow *self = GIG_WINDOW (object);

  g_clear_handle_id (&self->search_idle_id, g_source_remove);
  g_clear_handle_id (&self->follow_idle_id, g_source_remove);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  stop_growing (self);
  g_clear_object (&self->selection);
  g_clear_object (&self->slice);
  g_clear_object (&self->model);
  if (self->unread != NULL)
    g_signal_handlers_disconnect_by_data (self->unread, self);
  g_clear_object (&self->unread);
  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_WINDOW);
  self->sign_in_page = NULL;
  g_clear_object (&self->sync);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gig_window_parent_class)->dispose (object);
}

static void
gig_window_finalize (GObject *object)
{
  GigWindow *self = GIG_WINDOW (object);

  g_free (self->me);
  g_free (self->highlight_id);
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);

  G_OBJECT_CLASS (gig_window_parent_class)->finalize (object);
}

static void
gig_window_class_init (GigWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  gig_resources_ensure ();
  g_type_ensure (GIG_TYPE_PROJECT_PAGE);

  object_class->constructed = gig_window_constructed;
  object_class->dispose = gig_window_dispose;
  object_class->finalize = gig_window_finalize;
  widget_class->map = gig_window_map;
  widget_class->unrealize = gig_window_unrealize;
  window_class->close_request = gig_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GigWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, content);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sidebar_status);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, content_status);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, offline_button);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, project_page);
  gtk_widget_class_bind_template_child (widget_class, GigWindow, sign_in_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_filters_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_offline_button_clicked);

  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}

static void
gig_window_init (GigWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->bound_rows = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->account = gig_account_new ();
  g_signal_connect_object (self->account, "changed", G_CALLBACK (apply_account), self, G_CONNECT_SWAPPED);
  gig_ui_ensure_style ();
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  update_search_placeholder (self);
  update_empty_state (self);
}
