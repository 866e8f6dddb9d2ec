/* gig-preferences-window.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-preferences-window.h"
#include "gig-ui-util.h"
#include "account/gig-account.h"

struct _GigPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GigSession           *session;       /* the signed-in account, or NULL */

  AdwPreferencesGroup  *account_group;
  AdwActionRow         *account_row;
  AdwActionRow         *account_server_row;
  AdwEntryRow          *server_url_row;
  GtkLabel             *server_url_error;
  GtkLabel             *server_url_warning;
  AdwComboRow          *style_row;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *color_schemes[] = { "default", "light", "dark" };

G_DEFINE_FINAL_TYPE (GigPreferencesWindow, gig_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

gboolean
gig_server_url_is_valid (const char  *text,
                         GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (text == NULL || *text == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the address of the server, for example https://gigdesk.example.com"));
      return FALSE;
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("This is not a valid address"));
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The address must start with https:// or http://"));
      return FALSE;
    }

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The address has no server name"));
      return FALSE;
    }

  return TRUE;
}

static void
on_server_url_changed (GigPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_url_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (gig_server_url_is_valid (stripped, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->server_url_row), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->server_url_error), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->server_url_warning), gig_account_server_url_is_insecure (stripped));
      /* Only a valid address reaches the settings, so a half-typed one never breaks sync.
       * While signed in, the address belongs to the account: changing it is applied (and
       * confirmed) as a switch to another server, see on_server_url_apply. */
      if (self->session == NULL)
        g_settings_set_string (self->settings, "server-url", stripped);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_url_row), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->server_url_warning), FALSE);
      gtk_label_set_text (self->server_url_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->server_url_error), TRUE);
    }
}

static gboolean
close_idle_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_switch_response (AdwMessageDialog     *dialog,
                    const char           *response,
                    GigPreferencesWindow *self)
{
  const char *url = g_object_get_data (G_OBJECT (dialog), "server-url");
  GApplication *app = g_application_get_default ();

  if (g_strcmp0 (response, "switch") != 0)
    return;
  /* The application signs out of this server and asks to sign in to the new one. */
  if (app != NULL && g_action_group_has_action (G_ACTION_GROUP (app), "switch-server"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "switch-server", g_variant_new_string (url));
  /* Not while the dialog, which is transient for this window, is still answering. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_idle_cb, g_object_ref (self), g_object_unref);
}

static void
on_server_url_apply (GigPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_url_row))));
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->session == NULL || !gig_server_url_is_valid (url, NULL) ||
      g_strcmp0 (url, gig_session_get_server_url (self->session)) == 0)
    return;

  /* Unsent work is the sign-out guard's to count and name, after it tried to send it. */
  body = g_strdup_printf (_("You will be signed out of %s and can then sign in to %s. Changes not sent yet are sent first."),
                          gig_session_get_server_url (self->session), url);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Switch to Another Server?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "switch", _("_Switch Server"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "switch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "server-url", g_steal_pointer (&url), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_switch_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
gig_preferences_window_set_account (GigPreferencesWindow *self,
                                    GigSession           *session)
{
  const char *name;
  const char *email;
  gboolean has_name;

  g_return_if_fail (GIG_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (session == NULL || GIG_IS_SESSION (session));

  g_set_object (&self->session, session);
  gtk_widget_set_visible (GTK_WIDGET (self->account_group), session != NULL);
  if (session == NULL)
    return;

  name = gig_session_get_name (session);
  email = gig_session_get_email (session);
  has_name = name != NULL && *name != '\0';
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), has_name ? name : email);
  adw_action_row_set_subtitle (self->account_row, has_name ? email : NULL);
  adw_action_row_set_subtitle (self->account_server_row, gig_session_get_server_url (session));
  /* The address box shows the account's server, not one typed and never used. */
  gtk_editable_set_text (GTK_EDITABLE (self->server_url_row), gig_session_get_server_url (session));
}

static void
on_style_selected (GigPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->style_row);

  if (selected < G_N_ELEMENTS (color_schemes))
    g_settings_set_string (self->settings, "color-scheme", color_schemes[selected]);
}

static void
gig_preferences_window_constructed (GObject *object)
{
  GigPreferencesWindow *self = GIG_PREFERENCES_WINDOW (object);
  g_autofree char *url = NULL;
  g_autofree char *scheme = NULL;

  G_OBJECT_CLASS (gig_preferences_window_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (APPLICATION_ID);

  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_url_row), url);
  gtk_widget_set_visible (GTK_WIDGET (self->server_url_warning), gig_account_server_url_is_insecure (url));
  g_signal_connect_object (self->server_url_row, "changed",
                           G_CALLBACK (on_server_url_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_url_row, "apply",
                           G_CALLBACK (on_server_url_apply), self, G_CONNECT_SWAPPED);

  scheme = g_settings_get_string (self->settings, "color-scheme");
  for (guint i = 0; i < G_N_ELEMENTS (color_schemes); i++)
    if (g_strcmp0 (scheme, color_schemes[i]) == 0)
      adw_combo_row_set_selected (self->style_row, i);
  g_signal_connect_object (self->style_row, "notify::selected",
                           G_CALLBACK (on_style_selected), self, G_CONNECT_SWAPPED);
}

static void
gig_preferences_window_dispose (GObject *object)
{
  GigPreferencesWindow *self = GIG_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (gig_preferences_window_parent_class)->dispose (object);
}

static void
gig_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  GigPreferencesWindow *self = GIG_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  GigPreferencesWindow *self = GIG_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_preferences_window_class_init (GigPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gig_resources_ensure ();

  object_class->constructed = gig_preferences_window_constructed;
  object_class->dispose = gig_preferences_window_dispose;
  object_class->set_property = gig_preferences_window_set_property;
  object_class->get_property = gig_preferences_window_get_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/ui/gig-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, account_group);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, account_server_row);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, server_url_row);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, server_url_error);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, server_url_warning);
  gtk_widget_class_bind_template_child (widget_class, GigPreferencesWindow, style_row);
}

static void
gig_preferences_window_init (GigPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GigPreferencesWindow *
gig_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (GIG_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
