/* gig-application.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-app"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-application.h"
#include "ui/gig-ui-util.h"
#include "account/gig-account.h"
#include "chat/gig-chat-view.h"
#include "chat/gig-chat-window.h"
#include "ui/gig-window.h"
#include "ui/gig-preferences-window.h"
#include "ui/gig-notifications.h"
#include "ui/gig-recovery-dialog.h"
#include "ui/gig-sign-out.h"

const char *
gig_application_bind_text_domain (void)
{
  const char *dir = g_getenv ("GIGDESK_LOCALEDIR");

  if (dir == NULL || *dir == '\0')
    dir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return dir;
}

struct _GigApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  GCancellable   *cancellable;
  /* Whoever is signed in: session, store, sync and chat; every window shows it. */
  GigAccount     *account;
  gboolean        restoring;
  /* Sign-out waits for the push and the user's answer; the serial tells whether the account
   * is still the one it was asked about. */
  gboolean        confirming_sign_out;
  guint           account_serial;
  guint           sign_out_serial;
  char           *switch_server_url;  /* the server a confirmed switch goes to, while asking */
};

/* How long Sign Out waits for the outbox to be pushed before it asks about what is left. */
#define SIGN_OUT_PUSH_TIMEOUT_MS 15000

G_DEFINE_FINAL_TYPE (GigApplication, gig_application, ADW_TYPE_APPLICATION)

GigApplication *
gig_application_new (void)
{
  return g_object_new (GIG_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
gig_application_get_settings (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return self->settings;
}

GigAccount *
gig_application_get_account (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return self->account;
}

GigSession *
gig_application_get_session (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return gig_account_get_session (self->account);
}

GigStore *
gig_application_get_store (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return gig_account_get_store (self->account);
}

GigSync *
gig_application_get_sync (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return gig_account_get_sync (self->account);
}

GigChatClient *
gig_application_get_chat_client (GigApplication *self)
{
  g_return_val_if_fail (GIG_IS_APPLICATION (self), NULL);

  return gig_account_get_chat_client (self->account);
}

static gboolean
any_window_active (GigApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (gtk_window_is_active (GTK_WINDOW (l->data)))
      return TRUE;

  return FALSE;
}

/* Someone else changed a record: tell the user about what concerns them while they look away. */
static void
on_remote_record_changed (GigApplication *self,
                          int             collection,
                          const char     *id,
                          JsonObject     *before,
                          JsonObject     *after)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *notification_id = NULL;

  if (!gig_account_is_open (self->account) || any_window_active (self))
    return;

  notification = gig_notification_for_remote_change (gig_account_get_store (self->account),
                                                     gig_account_get_user_id (self->account),
                                                     collection, before, after, &notification_id);
  if (notification != NULL)
    g_application_send_notification (G_APPLICATION (self), notification_id, notification);
}

/* Whether @window is on screen with channel @cid's chat in view: its messages are being read. */
static gboolean
window_shows_chat (GtkWindow  *window,
                   const char *cid)
{
  GtkWidget *view;

  if (GIG_IS_WINDOW (window))
    return gig_window_shows_chat (GIG_WINDOW (window), cid);
  if (!GIG_IS_CHAT_WINDOW (window))
    return FALSE;
  view = gig_chat_window_get_view (GIG_CHAT_WINDOW (window));
  return gtk_widget_get_mapped (view) && g_strcmp0 (gig_chat_view_get_cid (GIG_CHAT_VIEW (view)), cid) == 0;
}

/* A chat message from someone else, on any of the user's channels (a watched one, or a
 * notification.message_new for the others): tell the user unless they are reading that chat. */
static void
on_chat_event (GigApplication *self,
               const char     *type,
               const char     *cid,
               JsonObject     *event)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *notification_id = NULL;

  if (!gig_account_is_open (self->account) || cid == NULL ||
      (!g_str_equal (type, "message.new") && !g_str_equal (type, "notification.message_new")))
    return;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (gtk_window_is_active (l->data) && window_shows_chat (l->data, cid))
      return;

  notification = gig_notification_for_chat_message (gig_account_get_store (self->account),
                                                    gig_account_get_user_id (self->account),
                                                    cid, event, &notification_id);
  if (notification != NULL)
    g_application_send_notification (G_APPLICATION (self), notification_id, notification);
}

static void
report_store_error (GigApplication *self,
                    const GError   *error)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *message = g_strdup_printf (_("Could not open the local data: %s"), error->message);

  g_warning ("%s", message);
  if (GIG_IS_WINDOW (window))
    gig_window_add_toast (GIG_WINDOW (window), adw_toast_new (message));
}

/* A new account (or none): notifications follow its sync and chat. */
static void
on_account_changed (GigApplication *self)
{
  GigSync *sync = gig_account_get_sync (self->account);
  GigChatClient *chat = gig_account_get_chat_client (self->account);

  self->account_serial++;
  if (sync != NULL)
    g_signal_connect_object (sync, "remote-record-changed", G_CALLBACK (on_remote_record_changed), self,
                             G_CONNECT_SWAPPED);
  if (chat != NULL)
    g_signal_connect_object (chat, "event", G_CALLBACK (on_chat_event), self, G_CONNECT_SWAPPED);
}

static void
on_store_recovered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GigApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_recovery_open_store_finish (result, &error);

  if (store != NULL)
    gig_account_open_recovered (self->account, store);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report_store_error (self, error);
}

/* Never a dead end: the user is asked, and the account opens once what could be read is in a
 * fresh cache. Until then the windows stay as they are (the sign-in page). */
static void
on_account_data_damaged (GigApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (gig_account_get_damage (self->account) != NULL)
    gig_recovery_recover_store_async (window, gig_account_get_damaged_path (self->account),
                                      gig_account_get_damage (self->account), self->cancellable,
                                      on_store_recovered, g_object_ref (self));
  else
    gig_recovery_open_store_async (window, gig_account_get_damaged_path (self->account), self->cancellable,
                                   on_store_recovered, g_object_ref (self));
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GigApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->restoring = FALSE;
  /* A damaged cache is being recovered (data-damaged); nobody signed in shows the sign-in page. */
  if (!gig_account_restore_finish (self->account, result, &error) && error != NULL &&
      !g_error_matches (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      report_store_error (self, error);
    }
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (GIG_IS_WINDOW (l->data) && gig_window_get_account (l->data) != self->account)
      gig_window_set_account (GIG_WINDOW (l->data), self->account);
}

static void
restore_session (GigApplication *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "server-url");

  self->restoring = TRUE;
  gig_account_restore_async (self->account, url, self->cancellable, restore_cb, g_object_ref (self));
}

static void
sign_out_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GigApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_account_sign_out_finish (GIG_ACCOUNT (object), result, &error))
    g_warning ("Sign-out was incomplete: %s", error->message);
}

static void
sign_out_now (GigApplication *self)
{
  if (gig_account_get_session (self->account) == NULL)
    return;

  gig_account_sign_out_async (self->account, NULL, sign_out_cb, g_object_ref (self));
}

static void
sign_out_confirmed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GigApplication) self = user_data;

  self->confirming_sign_out = FALSE;
  /* Signed out (or into another account) meanwhile: nothing left to do. */
  if (gig_sign_out_confirm_finish (result) && self->account_serial == self->sign_out_serial)
    sign_out_now (self);
}

static void
gig_application_sign_out_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (gig_account_get_session (self->account) == NULL || self->confirming_sign_out)
    return;
  if (!gig_account_is_open (self->account))
    {
      sign_out_now (self);
      return;
    }

  /* Never drop unsent work silently: push it first, and ask about what is left. */
  self->confirming_sign_out = TRUE;
  self->sign_out_serial = self->account_serial;
  gig_sign_out_confirm_async (window, gig_account_get_store (self->account), gig_account_get_sync (self->account),
                              SIGN_OUT_PUSH_TIMEOUT_MS, sign_out_confirmed_cb, g_object_ref (self));
}

/* The sign-out (if any) is done: the next sign-in goes to @url. */
static void
finish_switch_server (GigApplication *self,
                      const char     *url)
{
  g_autofree char *notice = g_strdup_printf (_("Sign in to %s."), url);

  g_settings_set_string (self->settings, "server-url", url);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (GIG_IS_WINDOW (l->data))
      {
        gig_window_show_sign_in (GIG_WINDOW (l->data), notice);
        gig_sign_in_page_set_server_url (gig_window_get_sign_in_page (GIG_WINDOW (l->data)), url);
      }
}

static void
switch_server_confirmed_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GigApplication) self = user_data;
  g_autofree char *url = g_steal_pointer (&self->switch_server_url);

  self->confirming_sign_out = FALSE;
  /* Cancelled (the account and the old address stay), or another account meanwhile. */
  if (!gig_sign_out_confirm_finish (result) || self->account_serial != self->sign_out_serial)
    return;
  sign_out_now (self);
  finish_switch_server (self, url);
}

/* Preferences → a new server address, confirmed there: a session belongs to one server (its
 * token means nothing elsewhere), so this signs out, through the same guard as Sign Out (unsent
 * work is pushed first, and what would still be lost is named before anything is), and asks for
 * a sign-in to the new server. */
static void
gig_application_switch_server_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  GigApplication *self = user_data;
  const char *url = g_variant_get_string (parameter, NULL);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  if (!gig_server_url_is_valid (url, &error))
    {
      g_warning ("Not switching to “%s”: %s", url, error->message);
      return;
    }
  if (self->confirming_sign_out)
    return;
  if (!gig_account_is_open (self->account))
    {
      sign_out_now (self);
      finish_switch_server (self, url);
      return;
    }

  self->confirming_sign_out = TRUE;
  self->sign_out_serial = self->account_serial;
  g_free (self->switch_server_url);
  self->switch_server_url = g_strdup (url);
  gig_sign_out_confirm_async (window, gig_account_get_store (self->account), gig_account_get_sync (self->account),
                              SIGN_OUT_PUSH_TIMEOUT_MS, switch_server_confirmed_cb, g_object_ref (self));
}

static void
gig_application_sync_now_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  GigApplication *self = user_data;

  if (gig_account_get_sync (self->account) != NULL)
    gig_sync_now (gig_account_get_sync (self->account));
}

static GigWindow *
active_gig_window (GigApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return GIG_IS_WINDOW (window) ? GIG_WINDOW (window) : NULL;
}

static void
gig_application_new_project_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  GigWindow *window = active_gig_window (user_data);

  if (window != NULL)
    gig_window_new_project (window);
}

static void
gig_application_trash_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  GigWindow *window = active_gig_window (user_data);

  if (window != NULL)
    gig_window_set_scope (window, GIG_STORE_SCOPE_TRASH);
}

static void
gig_application_show_project_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  GigApplication *self = user_data;
  GigWindow *window = active_gig_window (self);

  if (window == NULL)
    {
      g_application_activate (G_APPLICATION (self));
      window = active_gig_window (self);
    }
  if (window == NULL)
    return;

  gig_window_show_project (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

static void
apply_color_scheme (GigApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");

  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
on_color_scheme_changed (GigApplication *self)
{
  apply_color_scheme (self);
}

static void
gig_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GigApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close windows first so each one saves its size and state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
gig_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = {
    "The Gigdesk developers https://github.com/gigdesk",
    NULL,
  };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  adw_about_window_set_application_name (about, _("Gigdesk"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_developer_name (about, _("The Gigdesk developers"));
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about,
                                 _("Find work, hire freelancers, agree milestones and talk it "
                                   "through, online or offline."));
  adw_about_window_set_website (about, "https://github.com/gigdesk/gigdesk");
  adw_about_window_set_issue_url (about, "https://github.com/gigdesk/gigdesk/issues");
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_copyright (about, "© 2026 The Gigdesk developers");
  adw_about_window_set_license_type (about, GTK_LICENSE_MIT_X11);
  /* Translators: replace with your names, one per line, to be credited in the About window */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
}

static void
gig_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GigPreferencesWindow *preferences;

  preferences = gig_preferences_window_new (self->settings);
  gig_preferences_window_set_account (preferences, gig_account_get_session (self->account));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
gig_application_shortcuts_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  GigApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* GtkApplication loads gtk/help-overlay.ui from the resource base path and gives every
   * application window a win.show-help-overlay action for it. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = gig_application_quit_action },
  { .name = "about", .activate = gig_application_about_action },
  { .name = "preferences", .activate = gig_application_preferences_action },
  { .name = "shortcuts", .activate = gig_application_shortcuts_action },
  { .name = "sign-out", .activate = gig_application_sign_out_action },
  { .name = "switch-server", .activate = gig_application_switch_server_action, .parameter_type = "s" },
  { .name = "sync-now", .activate = gig_application_sync_now_action },
  { .name = "new-project", .activate = gig_application_new_project_action },
  { .name = "trash", .activate = gig_application_trash_action },
  { .name = "show-project", .activate = gig_application_show_project_action, .parameter_type = "s" },
};

static void
gig_application_startup (GApplication *app)
{
  GigApplication *self = GIG_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *sync_accels[] = { "F5", NULL };
  static const char *new_project_accels[] = { "<Control>n", NULL };

  G_APPLICATION_CLASS (gig_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.sync-now", sync_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.new-project", new_project_accels);

  apply_color_scheme (self);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed), self, G_CONNECT_SWAPPED);
}

static void
gig_application_activate (GApplication *app)
{
  GigApplication *self = GIG_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      /* Until the last sign-in is read from the keyring, the window shows neither an account
       * nor the sign-in page; the restore gives every window the account. */
      if (gig_account_get_session (self->account) != NULL)
        window = GTK_WINDOW (gig_window_new (GTK_APPLICATION (self), self->account));
      else
        window = g_object_new (GIG_TYPE_WINDOW, "application", self, NULL);
      if (gig_account_get_session (self->account) == NULL && !self->restoring)
        restore_session (self);
    }

  gtk_window_present (window);
}

static void
gig_application_dispose (GObject *object)
{
  GigApplication *self = GIG_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->account != NULL)
    gig_account_close (self->account);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->switch_server_url, g_free);

  G_OBJECT_CLASS (gig_application_parent_class)->dispose (object);
}

static void
gig_application_class_init (GigApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = gig_application_dispose;
  app_class->startup = gig_application_startup;
  app_class->activate = gig_application_activate;

  gig_resources_ensure ();
}

static void
gig_application_init (GigApplication *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  self->cancellable = g_cancellable_new ();
  self->account = gig_account_new ();
  g_signal_connect_object (self->account, "changed", G_CALLBACK (on_account_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "data-damaged", G_CALLBACK (on_account_data_damaged), self,
                           G_CONNECT_SWAPPED);
}
