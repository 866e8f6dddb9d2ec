/* test-chat-view.c: the chat panel and window under Xvfb, over a real store file
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "chat/gig-chat-markup.h"
#include "chat/gig-chat-message-model.h"
#include "chat/gig-chat-view.h"
#include "chat/gig-chat-window.h"
#include "gig-test-ui.h"
#include "store/gig-store-chat.h"
#include "ui/gig-ui-util.h"

#define CID "messaging:project-abc123def456ghi"

typedef struct {
  char          *dir;
  GigStore      *store;
  GigChatClient *client;
} Fixture;

static JsonObject *
server_message (const char *id,
                const char *user,
                const char *name,
                const char *text,
                GDateTime  *when)
{
  JsonObject *m = json_object_new ();
  JsonObject *u = json_object_new ();
  g_autofree char *ts = g_date_time_format_iso8601 (when);

  json_object_set_string_member (m, "id", id);
  json_object_set_string_member (m, "text", text);
  json_object_set_string_member (m, "created_at", ts);
  json_object_set_string_member (u, "id", user);
  json_object_set_string_member (u, "name", name);
  json_object_set_object_member (m, "user", u);
  return m;
}

/* @n messages alternating in runs between alice (me) and bob, over two days up to now. */
static void
fill (GigStore *store,
      guint     n)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const char *lines[] = {
    "Hi! I had a look at the brief for the logo.",
    "Great, what do you think about the colours?",
    "Teal and a warm grey would work well with the name. I can send two drafts by Friday.",
    "Sounds good.",
    "One question: do you need a version for dark backgrounds as well? That changes how I build the mark.",
  };
  g_autoptr(JsonObject) channel = json_object_new ();
  guint i;

  json_object_set_string_member (channel, "name", "Logo design");
  g_assert_true (gig_store_chat_put_channel (store, CID, channel, NULL));
  for (i = 0; i < n; i++)
    {
      /* Two minutes apart, the older half a day earlier: groups and a day break. */
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, -((double) (n - i)) * 120.0 - (i < n / 2 ? 86400.0 : 0));
      g_autofree char *id = g_strdup_printf ("msg-%06u", i);
      gboolean alice = (i / 3) % 2 == 0;

      g_ptr_array_add (batch, server_message (id, alice ? "alice" : "bob", alice ? "Alice" : "Bob",
                                              lines[i % G_N_ELEMENTS (lines)], when));
      if (batch->len == 500 || i == n - 1)
        {
          g_assert_true (gig_store_chat_put_messages (store, CID, batch, NULL));
          g_ptr_array_set_size (batch, 0);
        }
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("gigdesk-chat-view-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "cache.sqlite", NULL);
  f->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  /* Port 9 (discard) on loopback: the client stays offline, which the views must handle. */
  f->client = gig_chat_client_new ("http://127.0.0.1:9", f->store, "alice");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_strdup (gig_store_get_path (f->store));

  g_clear_object (&f->client);
  gig_store_close (f->store);
  g_clear_object (&f->store);
  gig_store_remove_files (path, NULL);
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* A message with every local state: sending, failed (refused), deleted; bob has read. */
static void
add_local_states (Fixture *f)
{
  g_autoptr(JsonObject) pending = json_object_new ();
  g_autoptr(JsonObject) refused = json_object_new ();
  g_autoptr(GigChatOutboxEntry) entry = NULL;
  g_autofree char *read_at = NULL;

  g_assert_true (gig_store_chat_delete_message (f->store, "msg-000150", NULL, FALSE, NULL));
  read_at = gig_store_chat_now ();
  g_assert_true (gig_store_chat_set_read (f->store, CID, "bob", read_at, NULL, NULL));

  json_object_set_string_member (refused, "id", "local-refused");
  json_object_set_string_member (refused, "text", "This one was refused by the server.");
  g_assert_true (gig_store_chat_queue_message (f->store, CID, "alice", refused, NULL));
  entry = gig_store_chat_outbox_next (f->store);
  g_assert_nonnull (entry);
  g_assert_true (gig_store_chat_outbox_fail (f->store, entry->seq, "channel is frozen", NULL));

  json_object_set_string_member (pending, "id", "local-pending");
  json_object_set_string_member (pending, "text", "And this one waits for the connection.");
  g_assert_true (gig_store_chat_queue_message (f->store, CID, "alice", pending, NULL));
}

static gboolean
find_label (GtkWidget  *widget,
            const char *text)
{
  GtkWidget *child;

  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (find_label (child, text))
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  GtkWidget *child;

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;
  return find_label (w->root, w->text);
}

static const char *
message_id_at (GListModel *model,
               guint       position)
{
  g_autoptr(GigChatMessageItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  /* The item's message lives as long as the model's page cache keeps the item. */
  return gig_chat_message_item_get_message (item)->id;
}

static void
shoot (GtkWindow  *window,
       const char *name,
       int         width,
       int         height)
{
  g_autofree char *path = NULL;

  gtk_window_set_default_size (window, width, height);
  gig_test_ui_wait_for_draw (window, 4);
  path = gig_test_ui_screenshot (window, name);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_test_message ("screenshot: %s", path);
}

static void
test_panel (Fixture       *f,
            gconstpointer  data)
{
  GtkWindow *window;
  GtkWidget *view;
  GListModel *model;
  GtkAdjustment *adj;
  g_autofree char *first_shown = NULL;
  LabelWait wait;
  guint n, i;

  fill (f->store, 300);
  add_local_states (f);

  /* The newest page of the cache is shown first, the rest as the list is scrolled up. */
  view = gig_chat_view_new (f->client, CID, "Logo design");
  model = G_LIST_MODEL (gig_chat_view_get_model (GIG_CHAT_VIEW (view)));
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, 302);
  g_assert_cmpuint (n + gig_chat_message_model_get_n_older (GIG_CHAT_MESSAGE_MODEL (model)), ==, 302);
  g_assert_cmpstr (message_id_at (model, n - 1), ==, "local-pending");
  first_shown = g_strdup (message_id_at (model, 0));
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_set_default_size (window, 900, 700);
  gtk_window_present (window);
  gig_test_ui_wait_for_draw (window, 4);

  /* Newest at the bottom: the pending message is on screen, with the offline strip. */
  wait.root = view;
  wait.text = "And this one waits for the connection.";
  g_assert_true (gig_test_ui_wait_until (label_shown, &wait, 5000));
  wait.text = "This one was refused by the server.";
  g_assert_true (gig_test_ui_wait_until (label_shown, &wait, 5000));
  shoot (window, "chat-panel-wide", 900, 700);
  shoot (window, "chat-panel-narrow", 360, 640);
  gtk_window_set_default_size (window, 900, 700);
  gig_test_ui_set_dark (TRUE);
  shoot (window, "chat-panel-dark", 900, 700);
  gig_test_ui_set_dark (FALSE);

  /* Scrolling to the top brings older cached messages in above, page by page, down to the
   * first one; what was shown stays in the list. */
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (find_type (view, GTK_TYPE_LIST_VIEW)));
  for (i = 0; i < 50 && gig_chat_message_model_get_n_older (GIG_CHAT_MESSAGE_MODEL (model)) > 0; i++)
    {
      guint before = g_list_model_get_n_items (model);

      gtk_adjustment_set_value (adj, 0);
      gig_test_ui_wait_for_draw (window, 2);
      g_assert_cmpuint (g_list_model_get_n_items (model), >, before);
    }
  g_assert_cmpuint (gig_chat_message_model_get_n_older (GIG_CHAT_MESSAGE_MODEL (model)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 302);
  g_assert_cmpstr (message_id_at (model, 0), ==, "msg-000000");
  g_assert_cmpstr (message_id_at (model, 302 - n), ==, first_shown);
  g_assert_cmpstr (message_id_at (model, 301), ==, "local-pending");
  /* The oldest messages are on screen now. */
  wait.text = "Hi! I had a look at the brief for the logo.";
  g_assert_true (gig_test_ui_wait_until (label_shown, &wait, 5000));

  gtk_window_destroy (window);
}

/* A window taller than the first page: more of the cache is shown until the list fills it, as
 * older history only comes in on scrolling up and a list that does not scroll cannot be. */
static void
test_tall (Fixture       *f,
           gconstpointer  data)
{
  GtkWindow *window;
  GtkWidget *view;
  GListModel *model;
  GtkAdjustment *adj;
  guint first_page, i;

  fill (f->store, 300);
  view = gig_chat_view_new (f->client, CID, "Logo design");
  model = G_LIST_MODEL (gig_chat_view_get_model (GIG_CHAT_VIEW (view)));
  first_page = g_list_model_get_n_items (model);
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_set_default_size (window, 1900, 1150);
  gtk_window_present (window);
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (find_type (view, GTK_TYPE_LIST_VIEW)));
  for (i = 0; i < 20; i++)
    {
      gig_test_ui_wait_for_draw (window, 2);
      if (gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) + 100)
        break;
    }
  g_test_message ("first page %u, shown %u", first_page, g_list_model_get_n_items (model));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj) + 100);
  /* Still at the newest message. */
  g_assert_cmpfloat (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj), >=, gtk_adjustment_get_upper (adj) - 48);
  gtk_window_destroy (window);
}

static void
test_send_from_composer (Fixture       *f,
                         gconstpointer  data)
{
  GtkWindow *window;
  GtkWidget *view;
  g_autoptr(GPtrArray) msgs = NULL;
  g_autofree char *draft = NULL;
  GigChatMessage *last;

  fill (f->store, 20);
  view = gig_chat_view_new (f->client, CID, "Logo design");
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_present (window);
  gig_test_ui_wait_for_draw (window, 2);

  /* Whitespace only: nothing is sent. */
  gig_chat_view_set_draft (GIG_CHAT_VIEW (view), "  \n ");
  gtk_widget_activate_action (view, "chat.send", NULL);
  g_assert_cmpuint (gig_store_chat_count_messages (f->store, CID), ==, 20);

  gig_chat_view_set_draft (GIG_CHAT_VIEW (view), "First line\nsecond line");
  gtk_widget_activate_action (view, "chat.send", NULL);
  g_assert_cmpuint (gig_store_chat_count_messages (f->store, CID), ==, 21);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gig_chat_view_get_model (GIG_CHAT_VIEW (view)))), ==, 21);
  msgs = gig_store_chat_get_messages (f->store, CID, 20, 1);
  last = g_ptr_array_index (msgs, 0);
  g_assert_cmpstr (last->text, ==, "First line\nsecond line");
  g_assert_cmpint (last->state, ==, GIG_CHAT_MESSAGE_SENDING);
  g_assert_cmpstr (last->user_id, ==, "alice");
  draft = gig_chat_view_get_draft (GIG_CHAT_VIEW (view));
  g_assert_cmpstr (draft, ==, "");
  g_assert_cmpuint (gig_store_chat_outbox_count (f->store), ==, 1);

  /* A deleted project: the composer is closed and sending is refused. */
  g_assert_true (gig_store_chat_set_frozen (f->store, CID, TRUE, NULL));
  g_assert_false (gtk_widget_is_sensitive (find_type (view, GTK_TYPE_TEXT_VIEW)));
  gig_test_ui_wait_for_draw (window, 2);
  shoot (window, "chat-panel-frozen", 600, 500);
  gig_chat_view_set_draft (GIG_CHAT_VIEW (view), "too late");
  gtk_widget_activate_action (view, "chat.send", NULL);
  g_assert_cmpuint (gig_store_chat_count_messages (f->store, CID), ==, 21);

  gtk_window_destroy (window);
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  GtkWindow *window;
  LabelWait wait;

  fill (f->store, 40);
  window = GTK_WINDOW (gig_chat_window_new (NULL, f->client, CID, "Logo design"));
  g_assert_true (GIG_IS_CHAT_VIEW (gig_chat_window_get_view (GIG_CHAT_WINDOW (window))));
  gtk_window_present (window);
  wait.root = GTK_WIDGET (window);
  wait.text = "Logo design";
  g_assert_true (gig_test_ui_wait_until (label_shown, &wait, 5000));
  shoot (window, "chat-window-wide", 800, 700);
  shoot (window, "chat-window-narrow", 360, 600);
  gtk_window_destroy (window);
}

typedef struct {
  guint position, removed, added, calls;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Change *c = user_data;

  c->position = position;
  c->removed = removed;
  c->added = added;
  c->calls++;
}

static void
put_one (Fixture    *f,
         const char *id,
         GDateTime  *when,
         const char *text)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_ptr_array_add (one, server_message (id, "bob", "Bob", text, when));
  g_assert_true (gig_store_chat_put_messages (f->store, CID, one, NULL));
}

static void
test_model (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GigChatMessageModel) model = NULL;
  g_autoptr(GigChatMessageItem) first = NULL, last = NULL, middle = NULL, before = NULL;
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_minutes (now, 1);
  g_autofree char *first_id = NULL, *expected = NULL;
  Change change = { 0 };
  guint n;

  fill (f->store, 10000);
  model = gig_chat_message_model_new (f->store, CID);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == GIG_TYPE_CHAT_MESSAGE_ITEM);

  /* Opened: the newest page only, the rest counted as older. */
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <=, 100);
  g_assert_cmpuint (gig_chat_message_model_get_n_older (model), ==, 10000 - n);
  expected = g_strdup_printf ("msg-%06u", 10000 - n);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 0), ==, expected);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), n - 1), ==, "msg-009999");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), n));
  /* The first row's predecessor is known (for its heading), though not in the list yet. */
  before = gig_chat_message_model_get_previous (model, 0);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("msg-%06u", 10000 - n - 1);
  g_assert_cmpstr (gig_chat_message_item_get_message (before)->id, ==, expected);

  /* Scrolling up adds older ones at the top, exactly as many as asked for. */
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &change);
  g_assert_cmpuint (gig_chat_message_model_load_older (model, 100), ==, 100);
  g_assert_cmpuint (change.calls, ==, 1);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.added, ==, 100);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n + 100);
  /* The one just above the old first row is the predecessor it was grouped with. */
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 99), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("msg-%06u", 10000 - n - 100);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 0), ==, expected);

  /* History put in before the first row while older cached ones are not shown yet: the list
   * keeps its start and only re-announces its first row (whose predecessor changed). */
  {
    g_autoptr(GDateTime) ancient = g_date_time_add_days (now, -30);
    first_id = g_strdup (message_id_at (G_LIST_MODEL (model), 0));
    put_one (f, "ancient-1", ancient, "long ago");
  }
  g_assert_cmpuint (change.calls, ==, 2);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n + 100);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 0), ==, first_id);
  g_assert_cmpuint (gig_chat_message_model_get_n_older (model), ==, 10001 - n - 100);

  /* All of it. */
  g_assert_cmpuint (gig_chat_message_model_load_older (model, G_MAXUINT), ==, 10001 - n - 100);
  g_assert_cmpuint (gig_chat_message_model_load_older (model, 10), ==, 0);
  g_assert_cmpuint (change.calls, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10001);
  g_assert_null (gig_chat_message_model_get_previous (model, 0));
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  middle = g_list_model_get_item (G_LIST_MODEL (model), 5001);
  last = g_list_model_get_item (G_LIST_MODEL (model), 10000);
  g_assert_cmpstr (gig_chat_message_item_get_message (first)->id, ==, "ancient-1");
  g_assert_cmpstr (gig_chat_message_item_get_message (middle)->id, ==, "msg-005000");
  g_assert_cmpstr (gig_chat_message_item_get_message (last)->id, ==, "msg-009999");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 10001));

  /* All of the cache is shown: older history from the service appears at the top, the old
   * first row re-announced with it. */
  {
    g_autoptr(GDateTime) older = g_date_time_add_days (now, -31);
    put_one (f, "ancient-0", older, "longer ago");
  }
  g_assert_cmpuint (change.calls, ==, 4);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (change.added, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10002);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 0), ==, "ancient-0");
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 1), ==, "ancient-1");

  /* A new message at the end is announced as exactly that. */
  put_one (f, "new-one", later, "fresh");
  g_assert_cmpuint (change.calls, ==, 5);
  g_assert_cmpuint (change.position, ==, 10002);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.added, ==, 1);

  /* An edit of an old message refreshes from there; other channels don't disturb. */
  {
    g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (gig_chat_message_item_get_message (middle)->created_at, NULL);
    put_one (f, "msg-005000", when, "edited");
  }
  g_assert_cmpuint (change.calls, ==, 6);
  g_assert_cmpuint (change.position, ==, 5002);
  g_assert_cmpuint (change.removed, ==, change.added);
  g_assert_cmpstr (message_id_at (G_LIST_MODEL (model), 5002), ==, "msg-005000");
  g_ptr_array_add (one, server_message ("elsewhere", "bob", "Bob", "other channel", later));
  g_assert_true (gig_store_chat_put_messages (f->store, "messaging:other", one, NULL));
  g_assert_cmpuint (change.calls, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10003);
}

/* ---- links, focus and the composer's look -------------------------------------------------- */

static void
test_markup (void)
{
  const struct { const char *text; const char *markup; } cases[] = {
    { "plain words", "plain words" },
    { "<b>not bold</b> & more", "&lt;b&gt;not bold&lt;/b&gt; &amp; more" },
    { "see https://example.com/brief?a=1&b=2.",
      "see <a href=\"https://example.com/brief?a=1&amp;b=2\">https://example.com/brief?a=1&amp;b=2</a>." },
    { "(http://example.com/x)", "(<a href=\"http://example.com/x\">http://example.com/x</a>)" },
    { "https://en.wikipedia.org/wiki/Logo_(design), ok",
      "<a href=\"https://en.wikipedia.org/wiki/Logo_(design)\">https://en.wikipedia.org/wiki/Logo_(design)</a>, ok" },
    { "mail mailto:bob@example.com!", "mail <a href=\"mailto:bob@example.com\">mailto:bob@example.com</a>!" },
    { "HTTPS://EXAMPLE.COM", "<a href=\"HTTPS://EXAMPLE.COM\">HTTPS://EXAMPLE.COM</a>" },
    { "a\"https://x.example/\"b", "a&quot;<a href=\"https://x.example/\">https://x.example/</a>&quot;b" },
    { "https://x.example/<script>", "<a href=\"https://x.example/\">https://x.example/</a>&lt;script&gt;" },
    /* Not links: other schemes, no address, inside a word. */
    { "javascript:alert(1) file:///etc/passwd", "javascript:alert(1) file:///etc/passwd" },
    { "http:// alone", "http:// alone" },
    { "xhttps://example.com", "xhttps://example.com" },
    { "grüße https://example.com/ä", "grüße <a href=\"https://example.com/ä\">https://example.com/ä</a>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *markup = gig_chat_text_to_markup (cases[i].text);
      GtkWidget *label = g_object_ref_sink (gtk_label_new (NULL));

      g_assert_cmpstr (markup, ==, cases[i].markup);
      /* Whatever the text holds, a label shows exactly it. */
      gtk_label_set_markup (GTK_LABEL (label), markup);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, cases[i].text);
      g_object_unref (label);
    }

  g_assert_true (gig_chat_link_allowed ("https://example.com"));
  g_assert_true (gig_chat_link_allowed ("mailto:bob@example.com"));
  g_assert_false (gig_chat_link_allowed ("javascript:alert(1)"));
  g_assert_false (gig_chat_link_allowed ("file:///etc/passwd"));
  g_assert_false (gig_chat_link_allowed ("https://"));
  g_assert_false (gig_chat_link_allowed ("https://a b"));
  g_assert_false (gig_chat_link_allowed (NULL));
}

/* The first widget under @widget, depth first, that @match accepts. */
static GtkWidget *
find_matching (GtkWidget  *widget,
               gboolean  (*match) (GtkWidget *widget, const char *value),
               const char *value)
{
  if (match (widget, value))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_matching (child, match, value);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_label_with (GtkWidget  *widget,
               const char *text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static void
test_links (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkWindow *window;
  GtkWidget *view, *label;
  LabelWait wait;
  gboolean handled = FALSE;

  fill (f->store, 4);
  g_ptr_array_add (batch, server_message ("link-1", "bob", "Bob",
                                          "The brief: https://example.com/brief?a=1&b=2. <b>Call me</b>", now));
  g_assert_true (gig_store_chat_put_messages (f->store, CID, batch, NULL));

  view = gig_chat_view_new (f->client, CID, "Logo design");
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_set_default_size (window, 600, 400);
  gtk_window_present (window);
  wait.root = view;
  wait.text = "The brief: https://example.com/brief?a=1&b=2. <b>Call me</b>";
  g_assert_true (gig_test_ui_wait_until (label_shown, &wait, 5000));

  /* The text reads as typed, tags included; the address is a link to exactly it. */
  label = find_matching (view, is_label_with, wait.text);
  g_assert_nonnull (label);
  g_assert_true (gtk_label_get_use_markup (GTK_LABEL (label)));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)),
                            "<a href=\"https://example.com/brief?a=1&amp;b=2\">"));
  shoot (window, "chat-links", 600, 400);

  /* A link of another scheme, however it got there, is not opened. */
  g_signal_emit_by_name (label, "activate-link", "file:///etc/passwd", &handled);
  g_assert_true (handled);

  gtk_window_destroy (window);
}

static GtkWindow *
find_chat_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (GIG_IS_CHAT_WINDOW (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static void
test_pop_out_focus (Fixture       *f,
                    gconstpointer  data)
{
  GtkWindow *window, *popped;
  GtkWidget *view, *popped_view;
  g_autofree char *left = NULL;
  g_autofree char *carried = NULL;

  fill (f->store, 10);
  view = gig_chat_view_new (f->client, CID, "Logo design");
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_present (window);
  gig_test_ui_wait_for_draw (window, 2);

  /* Half a message typed in the panel, then popped out. */
  gig_chat_view_set_draft (GIG_CHAT_VIEW (view), "About the colours,");
  g_assert_true (gtk_widget_activate_action (view, "chat.pop-out", NULL));
  popped = find_chat_window ();
  g_assert_nonnull (popped);
  gig_test_ui_wait_for_draw (popped, 2);

  /* The window's composer has the keyboard, the text came along and the cursor is after it. */
  popped_view = gig_chat_window_get_view (GIG_CHAT_WINDOW (popped));
  g_assert_true (gtk_window_get_focus (popped) == find_type (popped_view, GTK_TYPE_TEXT_VIEW));
  carried = gig_chat_view_get_draft (GIG_CHAT_VIEW (popped_view));
  g_assert_cmpstr (carried, ==, "About the colours,");
  left = gig_chat_view_get_draft (GIG_CHAT_VIEW (view));
  g_assert_cmpstr (left, ==, "");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_type (popped_view, GTK_TYPE_TEXT_VIEW)));
    GtkTextIter cursor;

    gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
    g_assert_true (gtk_text_iter_is_end (&cursor));
  }
  gtk_window_destroy (popped);

  /* Opened directly (the Ctrl+Shift+C shortcut), too. */
  popped = GTK_WINDOW (gig_chat_window_new (NULL, f->client, CID, "Logo design"));
  gtk_window_present (popped);
  gig_test_ui_wait_for_draw (popped, 2);
  g_assert_true (gtk_window_get_focus (popped) ==
                 find_type (gig_chat_window_get_view (GIG_CHAT_WINDOW (popped)), GTK_TYPE_TEXT_VIEW));
  gtk_window_destroy (popped);
  gtk_window_destroy (window);
}

static gboolean
same_colour (guint32 a,
             guint32 b)
{
  for (int shift = 0; shift <= 16; shift += 8)
    if (ABS ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 3)
      return FALSE;
  return TRUE;
}

/* The composer is one field: the text area and the rest of the card have one colour, light and
 * dark, and it stands apart from the window behind it. */
static void
test_composer_one_tone (Fixture       *f,
                        gconstpointer  data)
{
  GtkWindow *window;
  GtkWidget *view, *composer, *text_view, *scroller;
  gboolean dark_styles[] = { FALSE, TRUE };

  gig_ui_ensure_style ();
  fill (f->store, 10);
  view = gig_chat_view_new (f->client, CID, "Logo design");
  window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (window), view);
  gtk_window_set_default_size (window, 600, 400);
  gtk_window_present (window);
  composer = find_matching (view, gtk_widget_has_css_class, "chat-composer");
  text_view = find_type (composer, GTK_TYPE_TEXT_VIEW);
  scroller = find_type (composer, GTK_TYPE_SCROLLED_WINDOW);
  /* Nothing has the focus: the colours compared are the resting ones. */
  gtk_window_set_focus (window, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (dark_styles); i++)
    {
      g_autoptr(GdkTexture) texture = NULL;
      graphene_rect_t text_bounds, scroller_bounds, composer_bounds;
      guint32 text_colour, card_colour, window_colour;

      gig_test_ui_set_dark (dark_styles[i]);
      gig_test_ui_wait_for_draw (window, 3);
      g_assert_true (gtk_widget_compute_bounds (text_view, GTK_WIDGET (window), &text_bounds));
      g_assert_true (gtk_widget_compute_bounds (scroller, GTK_WIDGET (window), &scroller_bounds));
      g_assert_true (gtk_widget_compute_bounds (composer, GTK_WIDGET (window), &composer_bounds));
      texture = gig_test_ui_render (window);

      /* Inside the text view's right margin; in the gap between it and the buttons; above. */
      text_colour = gig_test_ui_pixel (texture, (int) (text_bounds.origin.x + text_bounds.size.width - 3),
                                       (int) (text_bounds.origin.y + text_bounds.size.height / 2));
      card_colour = gig_test_ui_pixel (texture, (int) (scroller_bounds.origin.x + scroller_bounds.size.width + 3),
                                       (int) (scroller_bounds.origin.y + scroller_bounds.size.height / 2));
      window_colour = gig_test_ui_pixel (texture, (int) (composer_bounds.origin.x + composer_bounds.size.width / 2),
                                         (int) composer_bounds.origin.y - 3);
      g_test_message ("%s: text %06x, card %06x, behind %06x", dark_styles[i] ? "dark" : "light",
                      text_colour, card_colour, window_colour);
      g_assert_true (same_colour (text_colour, card_colour));
      g_assert_false (same_colour (card_colour, window_colour));
    }
  shoot (window, "chat-composer-dark", 600, 400);
  gig_test_ui_set_dark (FALSE);
  shoot (window, "chat-composer-light", 600, 400);
  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  gig_test_ui_init (&argc, &argv);

  g_test_add ("/chat/view/panel", Fixture, NULL, fixture_setup, test_panel, fixture_teardown);
  g_test_add ("/chat/view/tall", Fixture, NULL, fixture_setup, test_tall, fixture_teardown);
  g_test_add ("/chat/view/send-from-composer", Fixture, NULL, fixture_setup, test_send_from_composer, fixture_teardown);
  g_test_add ("/chat/view/window", Fixture, NULL, fixture_setup, test_window, fixture_teardown);
  g_test_add ("/chat/view/model", Fixture, NULL, fixture_setup, test_model, fixture_teardown);
  g_test_add_func ("/chat/markup", test_markup);
  g_test_add ("/chat/view/links", Fixture, NULL, fixture_setup, test_links, fixture_teardown);
  g_test_add ("/chat/view/pop-out-focus", Fixture, NULL, fixture_setup, test_pop_out_focus, fixture_teardown);
  g_test_add ("/chat/view/composer-one-tone", Fixture, NULL, fixture_setup, test_composer_one_tone, fixture_teardown);
  return g_test_run ();
}
