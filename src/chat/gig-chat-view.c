/* gig-chat-view.c: the chat of one project (panel on the project page, and the chat window)
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "gig-resources.h"

#include <glib/gi18n.h>

#include "gig-chat-markup.h"
#include "gig-chat-view.h"
#include "gig-chat-window.h"
#include "model/gig-chat-event.h"

/* Messages of one sender closer than this stay in one group. */
#define GROUP_GAP_US      (5 * 60 * G_USEC_PER_SEC)
#define OLDER_PAGE        50
#define TYPING_TIMEOUT_S  7

struct _GigChatView
{
  AdwBin               parent_instance;

  GigChatClient       *client;
  GigStore            *store;
  char                *cid;
  char                *title;
  GigChatMessageModel *model;
  GtkNoSelection      *selection;
  char                *others_read;
  GCancellable        *cancellable;
  gboolean             at_bottom;
  guint                stick_frames; /* frames left to hold the view at the end */
  guint                stick_tick;
  gboolean             loading_older;
  guint                grow_idle;   /* shows more of the cache at the top */
  gboolean             history_complete;
  GHashTable          *typing;      /* user id → display name */
  guint                typing_timeout;
  guint                mark_read_idle;
  gulong               state_id, event_id, store_id;

  /* Template children */
  GtkRevealer         *status_revealer;
  GtkLabel            *status_label;
  GtkStack            *list_stack;
  GtkScrolledWindow   *scroller;
  GtkListView         *list_view;
  GtkLabel            *typing_label;
  GtkWidget           *composer_box;
  GtkWidget           *popout_button;
  GtkTextView         *composer_view;
};

G_DEFINE_FINAL_TYPE (GigChatView, gig_chat_view, ADW_TYPE_BIN)

/* ---------------------------------------------------------------------------------------------- */
/* Rows                                                                                            */

/* A row is a box with the message's text; the day heading, the sender line, the state icon, the
 * retry/discard buttons and the read receipt are made the first time a message needs them, as
 * most rows never show any of them and rows are what opening a channel costs. */
typedef struct {
  GigChatView *view;
  GtkWidget   *box;
  GtkWidget   *line;
  GtkWidget   *day;
  GtkWidget   *sender;
  GtkWidget   *text;
  GtkWidget   *status;
  GtkWidget   *retry;
  GtkWidget   *discard;
  GtkWidget   *receipt;
  char        *message_id;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->message_id);
  g_free (row);
}

static GDateTime *
local_time (const char *created_at)
{
  g_autoptr(GDateTime) utc = created_at ? g_date_time_new_from_iso8601 (created_at, NULL) : NULL;

  return utc != NULL ? g_date_time_to_local (utc) : NULL;
}

static char *
day_title (GDateTime *dt)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (dt);

  if (g_date_time_get_year (now) == g_date_time_get_year (dt))
    {
      if (days == 0)
        return g_strdup (_("Today"));
      if (days == 1)
        return g_strdup (_("Yesterday"));
    }
  return g_date_time_format (dt, "%A, %e %B %Y");
}

static void
on_retry_clicked (GtkButton *button,
                  gpointer   user_data)
{
  Row *row = user_data;
  g_autoptr(GError) error = NULL;

  if (row->message_id != NULL && !gig_chat_client_retry_message (row->view->client, row->message_id, &error))
    g_warning ("Could not retry a message: %s", error->message);
}

static void
on_discard_clicked (GtkButton *button,
                    gpointer   user_data)
{
  Row *row = user_data;
  g_autoptr(GError) error = NULL;

  if (row->message_id != NULL && !gig_chat_client_discard_message (row->view->client, row->message_id, &error))
    g_warning ("Could not discard a message: %s", error->message);
}

static GtkWidget *
row_day (Row *row)
{
  if (row->day == NULL)
    {
      row->day = gtk_label_new (NULL);
      gtk_widget_add_css_class (row->day, "dim-label");
      gtk_widget_add_css_class (row->day, "caption-heading");
      gtk_widget_set_margin_top (row->day, 12);
      gtk_widget_set_margin_bottom (row->day, 6);
      gtk_box_prepend (GTK_BOX (row->box), row->day);
    }
  return row->day;
}

static GtkWidget *
row_sender (Row *row)
{
  if (row->sender == NULL)
    {
      row->sender = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (row->sender), 0);
      gtk_widget_add_css_class (row->sender, "heading");
      gtk_widget_set_margin_top (row->sender, 8);
      gtk_box_insert_child_after (GTK_BOX (row->box), row->sender, row->day);
    }
  return row->sender;
}

static GtkWidget *
row_button (Row        *row,
            const char *icon,
            const char *label,
            GCallback   callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  g_signal_connect (button, "clicked", callback, row);
  gtk_box_append (GTK_BOX (row->line), button);
  return button;
}

/* The state icon and the buttons, made together in their order after the text. */
static void
row_ensure_state (Row *row)
{
  if (row->status != NULL)
    return;
  row->status = gtk_image_new ();
  gtk_widget_set_valign (row->status, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (row->line), row->status);
  row->retry = row_button (row, "view-refresh-symbolic", _("Retry"), G_CALLBACK (on_retry_clicked));
  row->discard = row_button (row, "user-trash-symbolic", _("Discard"), G_CALLBACK (on_discard_clicked));
}

static GtkWidget *
row_receipt (Row *row)
{
  if (row->receipt == NULL)
    {
      row->receipt = gtk_label_new (_("Seen"));
      gtk_label_set_xalign (GTK_LABEL (row->receipt), 1);
      gtk_widget_add_css_class (row->receipt, "dim-label");
      gtk_widget_add_css_class (row->receipt, "caption");
      gtk_box_append (GTK_BOX (row->box), row->receipt);
    }
  return row->receipt;
}

/* Links in messages come from other people: only web and mail addresses open, whatever the
 * markup says. */
static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (label));

  if (!gig_chat_link_allowed (uri))
    {
      g_message ("Not opening a link with a scheme messages may not use");
      return TRUE;
    }

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  return TRUE;
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Row *row = g_new0 (Row, 1);

  row->view = user_data;
  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_start (row->box, 18);
  gtk_widget_set_margin_end (row->box, 18);
  gtk_widget_add_css_class (row->box, "chat-row");

  row->line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  row->text = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (row->text), 0);
  gtk_label_set_wrap (GTK_LABEL (row->text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->text), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (row->text, TRUE);
  g_signal_connect (row->text, "activate-link", G_CALLBACK (on_activate_link), NULL);
  gtk_box_append (GTK_BOX (row->line), row->text);
  gtk_box_append (GTK_BOX (row->box), row->line);

  g_object_set_data_full (G_OBJECT (row->box), "gig-row", row, row_free);
  gtk_list_item_set_child (item, row->box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  GigChatView *self = user_data;
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "gig-row");
  guint position = gtk_list_item_get_position (item);
  const GigChatMessage *m = gig_chat_message_item_get_message (gtk_list_item_get_item (item));
  /* The previous message may be one not in the list yet: the first row still groups right. */
  g_autoptr(GigChatMessageItem) prev_item = gig_chat_message_model_get_previous (self->model, position);
  g_autoptr(GigChatMessageItem) next_item = g_list_model_get_item (G_LIST_MODEL (self->model), position + 1);
  const GigChatMessage *prev = prev_item != NULL ? gig_chat_message_item_get_message (prev_item) : NULL;
  const GigChatMessage *next = next_item != NULL ? gig_chat_message_item_get_message (next_item) : NULL;
  g_autoptr(GDateTime) when = local_time (m->created_at);
  g_autoptr(GDateTime) prev_when = prev != NULL ? local_time (prev->created_at) : NULL;
  const char *me = gig_chat_client_get_user_id (self->client);
  gboolean mine = g_strcmp0 (m->user_id, me) == 0;
  gboolean new_day, new_group, receipt;
  g_autofree char *time_text = when != NULL ? g_date_time_format (when, "%H:%M") : g_strdup ("");

  g_free (row->message_id);
  row->message_id = g_strdup (m->id);

  new_day = prev_when == NULL || when == NULL ||
            g_date_time_get_year (prev_when) != g_date_time_get_year (when) ||
            g_date_time_get_day_of_year (prev_when) != g_date_time_get_day_of_year (when);
  new_group = new_day || prev == NULL || g_strcmp0 (prev->user_id, m->user_id) != 0 ||
              (when != NULL && prev_when != NULL && g_date_time_difference (when, prev_when) > GROUP_GAP_US);

  if (new_day && when != NULL)
    {
      g_autofree char *day = day_title (when);
      gtk_label_set_label (GTK_LABEL (row_day (row)), day);
      gtk_widget_set_visible (row->day, TRUE);
    }
  else if (row->day != NULL)
    gtk_widget_set_visible (row->day, FALSE);

  if (new_group)
    {
      const char *name = mine ? _("You") : (m->user_name != NULL ? m->user_name : m->user_id);
      g_autofree char *sender = g_strdup_printf ("%s · %s", name ? name : "?", time_text);
      gtk_label_set_label (GTK_LABEL (row_sender (row)), sender);
      gtk_widget_set_visible (row->sender, TRUE);
      if (mine)
        gtk_widget_add_css_class (row->sender, "accent");
      else
        gtk_widget_remove_css_class (row->sender, "accent");
    }
  else if (row->sender != NULL)
    gtk_widget_set_visible (row->sender, FALSE);

  if (m->deleted_at != NULL)
    {
      gtk_label_set_markup (GTK_LABEL (row->text), _("<i>This message was deleted</i>"));
      gtk_widget_add_css_class (row->text, "dim-label");
    }
  else
    {
      g_autofree char *markup = gig_chat_text_to_markup (m->text != NULL ? m->text : "");

      gtk_label_set_markup (GTK_LABEL (row->text), markup);
      gtk_widget_remove_css_class (row->text, "dim-label");
    }
  gtk_widget_set_tooltip_text (row->text, time_text);

  /* Pending messages are dimmed with a clock; failed ones say why and offer retry/discard. */
  gtk_widget_set_opacity (row->text, m->state == GIG_CHAT_MESSAGE_SENDING ? 0.55 : 1.0);
  if (m->state != GIG_CHAT_MESSAGE_SENT)
    row_ensure_state (row);
  if (row->status != NULL)
    {
      gtk_widget_set_visible (row->status, m->state != GIG_CHAT_MESSAGE_SENT);
      gtk_widget_remove_css_class (row->status, "error");
      if (m->state == GIG_CHAT_MESSAGE_SENDING)
        {
          gtk_image_set_from_icon_name (GTK_IMAGE (row->status), "document-open-recent-symbolic");
          gtk_widget_set_tooltip_text (row->status, _("Sending…"));
        }
      else if (m->state == GIG_CHAT_MESSAGE_FAILED)
        {
          gtk_image_set_from_icon_name (GTK_IMAGE (row->status), "dialog-error-symbolic");
          gtk_widget_add_css_class (row->status, "error");
          gtk_widget_set_tooltip_text (row->status, m->error != NULL ? m->error : _("Not sent"));
        }
      gtk_widget_set_visible (row->retry, m->state == GIG_CHAT_MESSAGE_FAILED);
      gtk_widget_set_visible (row->discard, m->state == GIG_CHAT_MESSAGE_FAILED);
    }

  /* A receipt under the last of a run of own messages the others have read. */
  receipt = mine && m->state == GIG_CHAT_MESSAGE_SENT && self->others_read != NULL &&
            g_strcmp0 (m->created_at, self->others_read) <= 0 &&
            (next == NULL || g_strcmp0 (next->user_id, me) != 0 ||
             g_strcmp0 (next->created_at, self->others_read) > 0);
  if (receipt)
    gtk_widget_set_visible (row_receipt (row), TRUE);
  else if (row->receipt != NULL)
    gtk_widget_set_visible (row->receipt, FALSE);
}

/* ---------------------------------------------------------------------------------------------- */
/* State                                                                                           */

static void
update_status (GigChatView *self)
{
  const char *text = NULL;
  gboolean frozen = gig_store_chat_channel_is_frozen (self->store, self->cid);

  if (frozen)
    text = _("This project was deleted. The conversation is closed.");
  else
    switch (gig_chat_client_get_state (self->client))
      {
      case GIG_CHAT_STATE_CONNECTING:
        text = _("Connecting…");
        break;
      case GIG_CHAT_STATE_OFFLINE:
        text = _("Offline · messages are sent when the connection is back");
        break;
      case GIG_CHAT_STATE_ONLINE:
      default:
        break;
      }
  if (text != NULL)
    gtk_label_set_label (self->status_label, text);
  gtk_revealer_set_reveal_child (self->status_revealer, text != NULL);
  gtk_widget_set_sensitive (self->composer_box, !frozen);
}

static void
update_empty (GigChatView *self)
{
  gtk_stack_set_visible_child_name (self->list_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0 ? "list" : "empty");
}

static void
update_typing (GigChatView *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;
  g_autofree char *text = NULL;

  g_hash_table_iter_init (&iter, self->typing);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (names, value);
  if (names->len == 1)
    text = g_strdup_printf (_("%s is typing…"), (char *) g_ptr_array_index (names, 0));
  else if (names->len > 1)
    text = g_strdup (_("Several people are typing…"));
  /* An empty label keeps its height, so the list does not jump. */
  gtk_label_set_label (self->typing_label, text != NULL ? text : " ");
}

static gboolean
typing_timeout_cb (gpointer user_data)
{
  GigChatView *self = user_data;

  /* A lost typing.stop must not leave the line up forever. */
  self->typing_timeout = 0;
  g_hash_table_remove_all (self->typing);
  update_typing (self);
  return G_SOURCE_REMOVE;
}

static void
mark_read_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gig_chat_client_mark_read_finish (GIG_CHAT_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED))
    g_debug ("Mark read failed: %s", error->message);
}

static gboolean
window_is_active (GigChatView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return root != NULL && GTK_IS_WINDOW (root) && gtk_window_is_active (GTK_WINDOW (root)) &&
         gtk_widget_get_mapped (GTK_WIDGET (self));
}

static gboolean
mark_read_cb (gpointer user_data)
{
  GigChatView *self = user_data;

  self->mark_read_idle = 0;
  if (window_is_active (self) && self->at_bottom &&
      gig_store_chat_unread_count (self->store, self->cid, gig_chat_client_get_user_id (self->client)) > 0)
    gig_chat_client_mark_read_async (self->client, self->cid, self->cancellable, mark_read_done, NULL);
  return G_SOURCE_REMOVE;
}

static void
queue_mark_read (GigChatView *self)
{
  if (self->mark_read_idle == 0)
    self->mark_read_idle = g_timeout_add (300, mark_read_cb, self);
}

static void
on_client_event (GigChatClient *client,
                 const char    *type,
                 const char    *cid,
                 JsonObject    *event,
                 gpointer       user_data)
{
  GigChatView *self = user_data;
  const char *user_id;

  if (g_strcmp0 (cid, self->cid) != 0)
    return;
  user_id = gig_chat_event_get_user_id (event);

  if (g_str_equal (type, "typing.start") || g_str_equal (type, "typing.stop"))
    {
      if (user_id == NULL || g_strcmp0 (user_id, gig_chat_client_get_user_id (client)) == 0)
        return;
      if (g_str_equal (type, "typing.start"))
        g_hash_table_insert (self->typing, g_strdup (user_id), g_strdup (gig_chat_event_get_user_name (event)));
      else
        g_hash_table_remove (self->typing, user_id);
      if (self->typing_timeout != 0)
        g_source_remove (self->typing_timeout);
      self->typing_timeout = g_timeout_add_seconds (TYPING_TIMEOUT_S, typing_timeout_cb, self);
      update_typing (self);
    }
  else if (g_str_equal (type, "message.new"))
    {
      const char *author_id = gig_chat_event_get_author_id (event);

      if (author_id != NULL && g_strcmp0 (author_id, gig_chat_client_get_user_id (client)) != 0)
        {
          g_hash_table_remove (self->typing, author_id);
          update_typing (self);
          /* notifications come from the application, for every channel */
          queue_mark_read (self);
        }
    }
}

static void
on_state_changed (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  update_status (GIG_CHAT_VIEW (user_data));
}

static void
on_store_changed (GigStore      *store,
                  GigCollection  collection,
                  GStrv          ids,
                  gpointer       user_data)
{
  GigChatView *self = user_data;
  g_autofree char *read = NULL;

  if (collection != GIG_COLLECTION_CHAT_CHANNELS || ids == NULL || !g_strv_contains ((const char * const *) ids, self->cid))
    return;
  update_status (self);
  read = gig_store_chat_others_last_read (self->store, self->cid, gig_chat_client_get_user_id (self->client));
  if (g_strcmp0 (read, self->others_read) != 0)
    {
      g_free (self->others_read);
      self->others_read = g_steal_pointer (&read);
      gig_chat_message_model_refresh_tail (self->model, 30);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  GigChatView *self = GIG_CHAT_VIEW (user_data);

  update_empty (self);
  if (self->at_bottom && added > 0 && position + added == g_list_model_get_n_items (model))
    gig_chat_view_scroll_to_end (self);
}

/* ---------------------------------------------------------------------------------------------- */
/* Scrolling: newest at the bottom, older history on the way up                                    */

static void
older_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GigChatView) self = user_data;
  g_autoptr(GError) error = NULL;
  gint n = gig_chat_client_load_older_finish (GIG_CHAT_CLIENT (source), result, &error);

  self->loading_older = FALSE;
  if (n == 0)
    self->history_complete = TRUE;
  else if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Older messages not loaded: %s", error->message);
}

static void
maybe_load_older (GigChatView *self)
{
  g_autofree char *oldest = NULL;

  if (self->loading_older || self->history_complete ||
      gig_chat_client_get_state (self->client) != GIG_CHAT_STATE_ONLINE)
    return;
  oldest = gig_store_chat_oldest_id (self->store, self->cid);
  if (oldest == NULL)
    return;
  self->loading_older = TRUE;
  gig_chat_client_load_older_async (self->client, self->cid, oldest, OLDER_PAGE, self->cancellable,
                                    older_done, g_object_ref (self));
}

static gboolean
grow_cb (gpointer user_data)
{
  GigChatView *self = user_data;

  self->grow_idle = 0;
  gig_chat_message_model_load_older (self->model, OLDER_PAGE);
  return G_SOURCE_REMOVE;
}

/* Near the top (or the list does not fill the view yet): older messages, from the cache while it
 * has some, then from the service. */
static void
check_history (GigChatView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double page = gtk_adjustment_get_page_size (adj);

  if (page <= 0 || gtk_adjustment_get_value (adj) >= page / 4)
    return;
  if (gig_chat_message_model_get_n_older (self->model) > 0)
    {
      /* Not from inside the list's own allocation (this runs on its adjustment's signals). */
      if (self->grow_idle == 0)
        self->grow_idle = g_idle_add (grow_cb, self);
    }
  else if (gtk_adjustment_get_upper (adj) > page)
    maybe_load_older (self);
}

static void
on_value_changed (GtkAdjustment *adj,
                  gpointer       user_data)
{
  GigChatView *self = user_data;
  double value = gtk_adjustment_get_value (adj);
  double page = gtk_adjustment_get_page_size (adj);

  self->at_bottom = value + page >= gtk_adjustment_get_upper (adj) - 48;
  if (self->at_bottom)
    queue_mark_read (self);
  check_history (self);
}

static void
on_upper_changed (GtkAdjustment *adj,
                  GParamSpec    *pspec,
                  gpointer       user_data)
{
  GigChatView *self = user_data;

  /* Follow new messages while the user is at the end; stay put while reading history. */
  if (self->at_bottom)
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  check_history (self);
}

static void
hold_at_end (GigChatView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  self->at_bottom = TRUE;
}

static gboolean
stick_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  GigChatView *self = user_data;

  if (self->stick_frames == 0)
    {
      self->stick_tick = 0;
      return G_SOURCE_REMOVE;
    }
  self->stick_frames--;
  hold_at_end (self);
  return G_SOURCE_CONTINUE;
}

void
gig_chat_view_scroll_to_end (GigChatView *self)
{
  g_return_if_fail (GIG_IS_CHAT_VIEW (self));

  /* The list only estimates the height of rows it has not made yet, so the end moves while the
   * last rows are built: hold it there for a few frames. */
  hold_at_end (self);
  self->stick_frames = 8;
  if (self->stick_tick == 0)
    self->stick_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->scroller), stick_tick_cb, self, NULL);
}

/* ---------------------------------------------------------------------------------------------- */
/* Composer                                                                                        */

char *
gig_chat_view_get_draft (GigChatView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
gig_chat_view_set_draft (GigChatView *self,
                         const char  *text)
{
  g_return_if_fail (GIG_IS_CHAT_VIEW (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), text ? text : "", -1);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GigChatView *self = GIG_CHAT_VIEW (widget);
  g_autofree char *draft = gig_chat_view_get_draft (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  g_strstrip (draft);
  if (*draft == '\0')
    return;
  id = gig_chat_client_send_message (self->client, self->cid, draft, &error);
  if (id == NULL)
    {
      gtk_label_set_label (self->status_label, error->message);
      gtk_revealer_set_reveal_child (self->status_revealer, TRUE);
      return;
    }
  gig_chat_view_set_draft (self, "");
  gig_chat_client_stop_typing (self->client, self->cid);
  gig_chat_view_scroll_to_end (self);
}

static void
pop_out_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GigChatView *self = GIG_CHAT_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkApplication *app = root != NULL && GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
  GtkWindow *window;

  g_autofree char *draft = NULL;

  /* Already in its own window: nothing to pop out. */
  if (GIG_IS_CHAT_WINDOW (root))
    return;
  window = GTK_WINDOW (gig_chat_window_new (app, self->client, self->cid, self->title));
  /* What was typed here goes along, to be finished there. */
  draft = gig_chat_view_get_draft (self);
  if (*draft != '\0')
    {
      GigChatView *popped = GIG_CHAT_VIEW (gig_chat_window_get_view (GIG_CHAT_WINDOW (window)));

      gig_chat_view_set_draft (popped, draft);
      gig_chat_view_focus_composer (popped);
      gig_chat_view_set_draft (self, "");
    }
  gtk_window_present (window);
}

static gboolean
on_composer_key (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 gpointer               user_data)
{
  GigChatView *self = user_data;

  /* Enter sends, Shift+Enter is a new line. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);
      return TRUE;
    }
  return FALSE;
}

static void
on_composer_changed (GtkTextBuffer *buffer,
                     gpointer       user_data)
{
  GigChatView *self = user_data;

  if (gtk_text_buffer_get_char_count (buffer) > 0)
    gig_chat_client_keystroke (self->client, self->cid);
}

/* ---------------------------------------------------------------------------------------------- */

static void
on_map (GtkWidget *widget,
        gpointer   user_data)
{
  GigChatView *self = GIG_CHAT_VIEW (widget);

  /* Already in its own window: no pop-out button. */
  gtk_widget_set_visible (self->popout_button, !GIG_IS_CHAT_WINDOW (gtk_widget_get_root (widget)));
  gig_chat_view_scroll_to_end (self);
  queue_mark_read (self);
}

void
gig_chat_view_focus_composer (GigChatView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (GIG_IS_CHAT_VIEW (self));

  buffer = gtk_text_view_get_buffer (self->composer_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

const char *
gig_chat_view_get_cid (GigChatView *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_VIEW (self), NULL);
  return self->cid;
}

GigChatMessageModel *
gig_chat_view_get_model (GigChatView *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_VIEW (self), NULL);
  return self->model;
}

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) channel = gig_chat_client_watch_channel_finish (GIG_CHAT_CLIENT (source), result, &error);

  /* Not connected: the client watches it as soon as it is; the cache is shown meanwhile. */
  if (channel == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, GIG_CHAT_ERROR, GIG_CHAT_ERROR_NOT_CONNECTED))
    g_message ("Could not open the chat: %s", error->message);
}

GtkWidget *
gig_chat_view_new (GigChatClient *client,
                   const char    *cid,
                   const char    *title)
{
  GigChatView *self;
  GtkListItemFactory *factory;
  GtkAdjustment *adj;

  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (client), NULL);
  g_return_val_if_fail (cid != NULL, NULL);

  self = g_object_new (GIG_TYPE_CHAT_VIEW, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (gig_chat_client_get_store (client));
  self->cid = g_strdup (cid);
  self->title = g_strdup (title);
  self->model = gig_chat_message_model_new (self->store, cid);
  self->others_read = gig_store_chat_others_last_read (self->store, cid, gig_chat_client_get_user_id (client));
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  /* Anchor at the newest message before the first layout, so only the rows at the end are made. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                g_list_model_get_n_items (G_LIST_MODEL (self->model)) - 1);

  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (on_items_changed), self, 0);
  self->state_id = g_signal_connect (client, "notify::state", G_CALLBACK (on_state_changed), self);
  self->event_id = g_signal_connect (client, "event", G_CALLBACK (on_client_event), self);
  self->store_id = g_signal_connect (self->store, "changed", G_CALLBACK (on_store_changed), self);

  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (on_upper_changed), self, 0);
  g_signal_connect_object (adj, "notify::page-size", G_CALLBACK (on_upper_changed), self, 0);

  update_status (self);
  update_empty (self);
  update_typing (self);
  gig_chat_client_watch_channel_async (client, cid, 0, self->cancellable, watch_done, NULL);
  return GTK_WIDGET (self);
}

static void
gig_chat_view_dispose (GObject *object)
{
  GigChatView *self = GIG_CHAT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->stick_tick != 0 && self->scroller != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->scroller), self->stick_tick);
  self->stick_tick = 0;
  if (self->typing_timeout != 0)
    g_source_remove (self->typing_timeout);
  self->typing_timeout = 0;
  if (self->mark_read_idle != 0)
    g_source_remove (self->mark_read_idle);
  self->mark_read_idle = 0;
  if (self->grow_idle != 0)
    g_source_remove (self->grow_idle);
  self->grow_idle = 0;
  if (self->client != NULL)
    {
      g_clear_signal_handler (&self->state_id, self->client);
      g_clear_signal_handler (&self->event_id, self->client);
    }
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_id, self->store);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_CHAT_VIEW);
  G_OBJECT_CLASS (gig_chat_view_parent_class)->dispose (object);
}

static void
gig_chat_view_finalize (GObject *object)
{
  GigChatView *self = GIG_CHAT_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->cid);
  g_free (self->title);
  g_free (self->others_read);
  g_hash_table_unref (self->typing);
  G_OBJECT_CLASS (gig_chat_view_parent_class)->finalize (object);
}

static void
gig_chat_view_class_init (GigChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gig_chat_view_dispose;
  object_class->finalize = gig_chat_view_finalize;

  /* Links the resource bundle in (and so registers it) wherever this widget is used. */
  (void) gig_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/chat/gig-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, GigChatView, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, status_label);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, typing_label);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, composer_box);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, popout_button);
  gtk_widget_class_bind_template_child (widget_class, GigChatView, composer_view);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.pop-out", NULL, pop_out_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "chat.pop-out", NULL);
  gtk_widget_class_set_css_name (widget_class, "gigchatview");
}

static void
gig_chat_view_init (GigChatView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->at_bottom = TRUE;
  self->typing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_composer_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), keys);
  g_signal_connect (gtk_text_view_get_buffer (self->composer_view), "changed",
                    G_CALLBACK (on_composer_changed), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
}
