/* gig-sign-in-page.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gig-sign-in-page.h"
#include "gig-preferences-window.h"

/* PocketBase's default minimum for auth collections. */
#define MIN_PASSWORD_LENGTH 8

struct _GigSignInPage
{
  AdwBin          parent_instance;

  GSettings      *settings;
  GigAccount     *account;
  char           *server_url;    /* where the sign-in under way goes */
  GCancellable   *cancellable;
  GCancellable   *probe_cancellable;
  char           *error;
  char           *keyring_problem;
  gboolean        sign_up;
  gboolean        busy;

  AdwStatusPage  *status_page;
  GtkLabel       *notice_label;
  GtkWidget      *keyring_box;
  GtkLabel       *keyring_label;
  AdwEntryRow    *name_row;
  AdwEntryRow    *email_row;
  AdwEntryRow    *password_row;
  AdwExpanderRow *server_expander;
  AdwEntryRow    *server_row;
  GtkLabel       *insecure_label;
  GtkLabel       *error_label;
  GtkButton      *submit_button;
  GtkButton      *mode_button;
  GtkSpinner     *spinner;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGNED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GigSignInPage, gig_sign_in_page, ADW_TYPE_BIN)

GigSignInPage *
gig_sign_in_page_new (GSettings  *settings,
                      GigAccount *account)
{
  GigSignInPage *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (GIG_IS_ACCOUNT (account), NULL);

  self = g_object_new (GIG_TYPE_SIGN_IN_PAGE, "settings", settings, NULL);
  g_set_object (&self->account, account);
  return self;
}

void
gig_sign_in_page_set_account (GigSignInPage *self,
                              GigAccount    *account)
{
  g_return_if_fail (GIG_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (GIG_IS_ACCOUNT (account));

  g_set_object (&self->account, account);
}

gboolean
gig_sign_in_page_get_busy (GigSignInPage *self)
{
  g_return_val_if_fail (GIG_IS_SIGN_IN_PAGE (self), FALSE);

  return self->busy;
}

const char *
gig_sign_in_page_get_error (GigSignInPage *self)
{
  g_return_val_if_fail (GIG_IS_SIGN_IN_PAGE (self), NULL);

  return self->error;
}

void
gig_sign_in_page_set_server_url (GigSignInPage *self,
                                 const char    *url)
{
  g_return_if_fail (GIG_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url != NULL ? url : "");
}

void
gig_sign_in_page_set_notice (GigSignInPage *self,
                             const char    *notice)
{
  g_return_if_fail (GIG_IS_SIGN_IN_PAGE (self));

  gtk_label_set_text (self->notice_label, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), notice != NULL && *notice != '\0');
}

/* The welcome line, unless the keyring card takes its place so that the form stays in view on
 * a small screen. */
static void
update_description (GigSignInPage *self)
{
  adw_status_page_set_description (self->status_page,
                                   self->keyring_problem != NULL ? NULL
                                   : _("Sign in to find work, hire freelancers and agree milestones."));
}

const char *
gig_sign_in_page_get_keyring_problem (GigSignInPage *self)
{
  g_return_val_if_fail (GIG_IS_SIGN_IN_PAGE (self), NULL);

  return self->keyring_problem;
}

/* Says, before the user signs in, that the sign-in will not outlive this run and why. */
static void
set_keyring_problem (GigSignInPage *self,
                     const char    *problem)
{
  if (g_strcmp0 (self->keyring_problem, problem) == 0)
    return;
  g_free (self->keyring_problem);
  self->keyring_problem = g_strdup (problem);
  gtk_label_set_text (self->keyring_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (self->keyring_box, problem != NULL);
  update_description (self);
}

static void
probe_keyring_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GigSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;

  if (!gig_session_probe_keyring_finish (result, &problem, &error))
    return; /* cancelled: the page is going away */
  set_keyring_problem (self, problem);
}

static void
set_error (GigSignInPage *self,
           const char    *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
mark_row (gpointer row,
          gboolean bad)
{
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
set_busy (GigSignInPage *self,
          gboolean       busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->submit_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
gig_sign_in_page_set_sign_up (GigSignInPage *self,
                              gboolean       sign_up)
{
  g_return_if_fail (GIG_IS_SIGN_IN_PAGE (self));

  self->sign_up = !!sign_up;
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), self->sign_up);
  gtk_button_set_label (self->submit_button, self->sign_up ? _("_Create Account") : _("_Sign In"));
  gtk_button_set_label (self->mode_button,
                        self->sign_up ? _("I Have an _Account") : _("_Create Account"));
  adw_status_page_set_title (self->status_page,
                             self->sign_up ? _("Create Your Account") : _("Welcome to Gigdesk"));
  set_error (self, NULL);
}

char *
gig_sign_in_describe_error (const GError *error,
                            const char   *server_url)
{
  if (error->domain == GIG_ACCOUNT_ERROR)
    {
      switch ((GigAccountError) error->code)
        {
        case GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS:
          return g_strdup (_("Wrong email or password."));
        case GIG_ACCOUNT_ERROR_UNREACHABLE:
          return g_strdup_printf (_("Can’t reach the server at %s. Check the address and your connection."),
                                  server_url);
        case GIG_ACCOUNT_ERROR_EMAIL_TAKEN:
          return g_strdup (_("An account with this email already exists."));
        case GIG_ACCOUNT_ERROR_REJECTED:
          return g_strdup_printf (_("The server did not accept this: %s"), error->message);
        case GIG_ACCOUNT_ERROR_SERVER:
          return g_strdup_printf (_("The server at %s had a problem: %s"), server_url, error->message);
        case GIG_ACCOUNT_ERROR_DATA:
          return g_strdup (error->message);
        case GIG_ACCOUNT_ERROR_FAILED:
        default:
          break;
        }
    }

  return g_strdup_printf (_("Could not sign in: %s"), error->message);
}

/* Marks the rows the server named in a refusal. */
static void
mark_field_errors (GigSignInPage *self,
                   const GError  *error)
{
  const char * const *fields = gig_account_error_get_fields (error);

  if (fields == NULL)
    return;

  mark_row (self->email_row, g_strv_contains (fields, "email"));
  mark_row (self->password_row, g_strv_contains (fields, "password"));
  mark_row (self->name_row, g_strv_contains (fields, "name"));
}

static void
finish_sign_in (GigSignInPage *self,
                GigSession    *session,
                GError        *error)
{
  g_autofree char *message = NULL;

  set_busy (self, FALSE);

  if (session == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = gig_sign_in_describe_error (error, self->server_url);
      g_debug ("sign-in failed: %s", error->message);
      mark_field_errors (self, error);
      if (g_error_matches (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS))
        mark_row (self->password_row, TRUE);
      if (g_error_matches (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_UNREACHABLE))
        {
          mark_row (self->server_row, TRUE);
          adw_expander_row_set_expanded (self->server_expander, TRUE);
        }
      set_error (self, message);
      return;
    }

  /* The sign-in itself tells best whether the keyring took it. */
  set_keyring_problem (self, gig_session_get_keyring_problem (session));
  g_settings_set_string (self->settings, "server-url", gig_session_get_server_url (session));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  set_error (self, NULL);
  g_signal_emit (self, signals[SIGNED_IN], 0, session);
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GigSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GigSession) session = gig_account_sign_in_finish (GIG_ACCOUNT (object), result, &error);

  finish_sign_in (self, session, error);
}

static gboolean
validate (GigSignInPage *self,
          char         **out_url)
{
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  g_autoptr(GError) url_error = NULL;
  g_autofree char *trimmed_name = g_strstrip (g_strdup (name));
  const char *at = strchr (email, '@');

  if (!gig_server_url_is_valid (url, &url_error))
    {
      mark_row (self->server_row, TRUE);
      adw_expander_row_set_expanded (self->server_expander, TRUE);
      set_error (self, url_error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return FALSE;
    }

  if (self->sign_up && *trimmed_name == '\0')
    {
      /* A name is what the other side of a project sees. */
      mark_row (self->name_row, TRUE);
      set_error (self, _("Enter your name."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return FALSE;
    }

  if (at == NULL || at == email || strchr (at, '.') == NULL || strchr (email, ' ') != NULL)
    {
      mark_row (self->email_row, TRUE);
      set_error (self, _("Enter an email address like name@example.com."));
      gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
      return FALSE;
    }

  if (*password == '\0' || (self->sign_up && g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH))
    {
      g_autofree char *message = NULL;

      mark_row (self->password_row, TRUE);
      if (*password == '\0')
        message = g_strdup (_("Enter your password."));
      else
        message = g_strdup_printf (ngettext ("The password needs at least %d character.",
                                             "The password needs at least %d characters.",
                                             MIN_PASSWORD_LENGTH),
                                   MIN_PASSWORD_LENGTH);
      set_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return FALSE;
    }

  *out_url = g_steal_pointer (&url);
  return TRUE;
}

static void
on_submit (GigSignInPage *self)
{
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;
  const char *email;
  const char *password;

  if (self->busy)
    return;

  if (!validate (self, &url))
    return;

  email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  /* A trailing slash would end up in every request path. */
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';

  set_error (self, NULL);
  set_busy (self, TRUE);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_free (self->server_url);
  self->server_url = g_strdup (url);
  gig_account_sign_in_async (self->account, url, email, password, self->sign_up ? name : NULL,
                             self->cancellable, signed_in_cb, g_object_ref (self));
}

static void
on_mode_clicked (GigSignInPage *self)
{
  gig_sign_in_page_set_sign_up (self, !self->sign_up);
}

/* Plain http:// to another computer: the password is about to cross the network unencrypted. */
static void
update_insecure_warning (GigSignInPage *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));

  gtk_widget_set_visible (GTK_WIDGET (self->insecure_label), gig_account_server_url_is_insecure (url));
}

static void
on_row_changed (GigSignInPage *self,
                GtkEditable   *row)
{
  /* The user is fixing it: stop shouting. */
  mark_row (row, FALSE);
  if (row == GTK_EDITABLE (self->server_row))
    update_insecure_warning (self);
}

static void
gig_sign_in_page_constructed (GObject *object)
{
  GigSignInPage *self = GIG_SIGN_IN_PAGE (object);
  g_autofree char *url = NULL;
  GtkWidget *status_scroller;

  G_OBJECT_CLASS (gig_sign_in_page_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (APPLICATION_ID);
  if (self->account == NULL)
    self->account = gig_account_new ();

  /* AdwStatusPage scrolls inside itself, so in a tall page it was squeezed until its title
   * was cut off; let the page's own scrolled window do the scrolling instead. */
  status_scroller = gtk_widget_get_first_child (GTK_WIDGET (self->status_page));
  if (GTK_IS_SCROLLED_WINDOW (status_scroller))
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (status_scroller), GTK_POLICY_NEVER, GTK_POLICY_NEVER);

  url = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  adw_expander_row_set_subtitle (self->server_expander, url);
  g_object_bind_property (self->server_row, "text", self->server_expander, "subtitle", G_BINDING_DEFAULT);

  update_description (self);
  self->probe_cancellable = g_cancellable_new ();
  gig_session_probe_keyring_async (self->probe_cancellable, probe_keyring_cb, g_object_ref (self));
  update_insecure_warning (self);
}

static void
gig_sign_in_page_dispose (GObject *object)
{
  GigSignInPage *self = GIG_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GIG_TYPE_SIGN_IN_PAGE);
  g_clear_object (&self->settings);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (gig_sign_in_page_parent_class)->dispose (object);
}

static void
gig_sign_in_page_finalize (GObject *object)
{
  GigSignInPage *self = GIG_SIGN_IN_PAGE (object);

  g_free (self->error);
  g_free (self->keyring_problem);
  g_free (self->server_url);

  G_OBJECT_CLASS (gig_sign_in_page_parent_class)->finalize (object);
}

static void
gig_sign_in_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GigSignInPage *self = GIG_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_sign_in_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GigSignInPage *self = GIG_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_sign_in_page_class_init (GigSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = gig_sign_in_page_constructed;
  object_class->dispose = gig_sign_in_page_dispose;
  object_class->finalize = gig_sign_in_page_finalize;
  object_class->get_property = gig_sign_in_page_get_property;
  object_class->set_property = gig_sign_in_page_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GIG_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/gig-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, keyring_box);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, insecure_label);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, server_expander);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, submit_button);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, mode_button);
  gtk_widget_class_bind_template_child (widget_class, GigSignInPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_submit);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_changed);
}

static void
gig_sign_in_page_init (GigSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
