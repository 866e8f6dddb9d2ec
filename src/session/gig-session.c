/* gig-session.c: sign-in state, the token in the keyring, refresh ahead of expiry.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSession"

#include "config.h"

#include "session/gig-session.h"
#include "core/gig-json.h"
#include "core/gig-jwt.h"
#include "session/gig-session-keyring.h"
#include "session/gig-session-private.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

/* Refresh when less than a quarter of the token's life, or a day, is left (whichever is less). */
#define REFRESH_MARGIN_MAX_S (24 * 3600)
/* After a failed refresh (offline), try again this often while the token lasts. */
#define REFRESH_RETRY_S 60

struct _GigSession
{
  GObject          parent_instance;

  GigPbClient     *client;
  GigSessionState  state;
  char            *user_id;
  char            *email;
  char            *name;
  gint64           expires_at;
  gint64           obtained_at;   /* when this process got the token (0: loaded from the keyring) */
  gboolean         remembered;    /* the token is in the keyring */
  char            *keyring_problem; /* why it is not: no keyring; the token lives in memory only */
  guint            timer;
  gboolean         refreshing;
  GCancellable    *cancellable;   /* background refreshes; cancelled in dispose */
};

G_DEFINE_FINAL_TYPE (GigSession, gig_session, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (GigSessionState, gig_session_state,
                    G_DEFINE_ENUM_VALUE (GIG_SESSION_STATE_SIGNED_OUT, "signed-out"),
                    G_DEFINE_ENUM_VALUE (GIG_SESSION_STATE_SIGNED_IN, "signed-in"),
                    G_DEFINE_ENUM_VALUE (GIG_SESSION_STATE_SIGN_IN_NEEDED, "sign-in-needed"))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STATE,
  PROP_USER_ID,
  PROP_EMAIL,
  PROP_NAME,
  PROP_SERVER_URL,
  PROP_TOKEN_EXPIRES_AT,
  PROP_REMEMBERED,
  PROP_KEYRING_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_timer (GigSession *self);
static void background_refresh (GigSession *self);

/* ------------------------------------------------------------------------------------------ */
/* State                                                                                      */

static void
set_string (GigSession *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_state (GigSession *self, GigSessionState state)
{
  if (self->state == state)
    return;
  g_debug ("Session state: %d → %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_expires_at (GigSession *self, gint64 expires_at)
{
  if (self->expires_at == expires_at)
    return;
  self->expires_at = expires_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_EXPIRES_AT]);
}

/* @problem NULL: the keyring holds the token (when @remembered) or nothing was tried yet. */
void
gig_session_set_keyring_state (GigSession *self, gboolean remembered, const char *problem)
{
  if (self->remembered != remembered)
    {
      self->remembered = remembered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMEMBERED]);
    }
  set_string (self, &self->keyring_problem, problem, PROP_KEYRING_PROBLEM);
}

static void
apply_record (GigSession *self, JsonObject *record)
{
  set_string (self, &self->user_id, gig_json_object_get_string (record, "id"), PROP_USER_ID);
  set_string (self, &self->email, gig_json_object_get_string (record, "email"), PROP_EMAIL);
  set_string (self, &self->name, gig_json_object_get_string (record, "name"), PROP_NAME);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The token is unusable: keep everything (cache, outbox, keyring item, user id) and ask. */
static void
need_sign_in (GigSession *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  gig_pb_client_set_token (self->client, NULL);
  if (self->state != GIG_SESSION_STATE_SIGNED_OUT)
    set_state (self, GIG_SESSION_STATE_SIGN_IN_NEEDED);
}

/* A new token was accepted (sign-in, refresh or restore). */
static void
use_token (GigSession *self, const char *token, gboolean fresh)
{
  gig_pb_client_set_token (self->client, token);
  set_expires_at (self, gig_jwt_get_expiry (token));
  self->obtained_at = fresh ? now_s () : 0;
  set_state (self, GIG_SESSION_STATE_SIGNED_IN);
  schedule_timer (self);
}

static gint64
refresh_due_at (GigSession *self)
{
  gint64 margin = REFRESH_MARGIN_MAX_S;

  if (self->obtained_at > 0 && self->expires_at > self->obtained_at)
    margin = MIN (margin, (self->expires_at - self->obtained_at) / 4);
  return self->expires_at - margin;
}

static gboolean
timer_cb (gpointer user_data)
{
  GigSession *self = user_data;

  self->timer = 0;
  if (!gig_session_check_token (self))
    return G_SOURCE_REMOVE;
  background_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_timer (GigSession *self)
{
  gint64 now = now_s ();
  gint64 at;

  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->state != GIG_SESSION_STATE_SIGNED_IN || self->expires_at <= 0)
    return;
  at = refresh_due_at (self);
  if (at <= now)
    at = MIN (now + REFRESH_RETRY_S, self->expires_at);
  /* g_timeout_add_seconds takes a guint; a token years away just gets rechecked later. */
  self->timer = g_timeout_add_seconds ((guint) CLAMP (at - now, 1, G_MAXINT / 2), timer_cb, self);
}

/* ------------------------------------------------------------------------------------------ */
/* Keyring                                                                                    */

static char *
token_label (GigSession *self)
{
  return g_strdup_printf (_("Gigdesk sign-in for %s"), gig_session_get_server_url (self));
}

typedef struct
{
  char *token;
  JsonObject *record;
} StoreData;

static void
store_data_free (StoreData *data)
{
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_clear_pointer (&data->record, json_object_unref);
  g_free (data);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GigSession *self = g_task_get_source_object (task);
  StoreData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_autofree char *problem = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* The server accepted the sign-in; only remembering it failed. Keep the token in this
       * process only, and say so (see the "keyring-problem" property). */
      g_debug ("Keeping the sign-in in memory only: %s", error->message);
      problem = gig_session_describe_keyring_error (error);
      gig_session_set_keyring_state (self, FALSE, problem);
    }
  else
    gig_session_set_keyring_state (self, TRUE, NULL);
  apply_record (self, data->record);
  use_token (self, data->token, TRUE);
  g_task_return_boolean (task, TRUE);
}

/* Stores the token, then makes it the session's; the task completes when both are done. */
static void
store_token (GigSession *self, GTask *task, const char *token, JsonObject *record)
{
  StoreData *data = g_new0 (StoreData, 1);
  g_autofree char *label = token_label (self);
  const char *user_id = gig_json_object_get_string (record, "id");

  if (user_id == NULL)
    {
      store_data_free (data);
      g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                               _("The server sent a user without an id"));
      g_object_unref (task);
      return;
    }
  data->token = g_strdup (token);
  data->record = json_object_ref (record);
  g_task_set_task_data (task, data, (GDestroyNotify) store_data_free);
  if (self->keyring_problem != NULL)
    {
      /* Already memory-only (a refresh, or a sign-in after the keyring failed): no new try,
       * which could leave a stray copy behind if the keyring came back half-way. */
      apply_record (self, data->record);
      use_token (self, data->token, TRUE);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  secret_password_store (gig_session_token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         g_task_get_cancellable (task), store_cb, task,
                         "server", gig_session_get_server_url (self),
                         "user-id", user_id,
                         NULL);
}

/* ------------------------------------------------------------------------------------------ */

static void
gig_session_dispose (GObject *object)
{
  GigSession *self = (GigSession *) object;

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (gig_session_parent_class)->dispose (object);
}

static void
gig_session_finalize (GObject *object)
{
  GigSession *self = (GigSession *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->keyring_problem, g_free);

  G_OBJECT_CLASS (gig_session_parent_class)->finalize (object);
}

static void
gig_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GigSession *self = GIG_SESSION (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, gig_session_get_server_url (self));
      break;
    case PROP_TOKEN_EXPIRES_AT:
      g_value_set_int64 (value, self->expires_at);
      break;
    case PROP_REMEMBERED:
      g_value_set_boolean (value, self->remembered);
      break;
    case PROP_KEYRING_PROBLEM:
      g_value_set_string (value, self->keyring_problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GigSession *self = GIG_SESSION (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_session_class_init (GigSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_session_dispose;
  object_class->finalize = gig_session_finalize;
  object_class->get_property = gig_session_get_property;
  object_class->set_property = gig_session_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, GIG_TYPE_PB_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GIG_TYPE_SESSION_STATE, GIG_SESSION_STATE_SIGNED_OUT,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN_EXPIRES_AT] =
    g_param_spec_int64 ("token-expires-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMEMBERED] =
    g_param_spec_boolean ("remembered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEYRING_PROBLEM] =
    g_param_spec_string ("keyring-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_session_init (GigSession *self)
{
  self->cancellable = g_cancellable_new ();
}

GigSession *
gig_session_new (GigPbClient *client)
{
  g_return_val_if_fail (GIG_IS_PB_CLIENT (client), NULL);
  return g_object_new (GIG_TYPE_SESSION, "client", client, NULL);
}

GigPbClient *
gig_session_get_client (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return self->client;
}

GigSessionState
gig_session_get_state (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), GIG_SESSION_STATE_SIGNED_OUT);
  return self->state;
}

const char *
gig_session_get_user_id (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return self->user_id;
}

const char *
gig_session_get_email (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return self->email;
}

const char *
gig_session_get_name (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return self->name;
}

const char *
gig_session_get_server_url (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return gig_pb_client_get_base_url (self->client);
}

gint64
gig_session_get_token_expires_at (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), 0);
  return self->expires_at;
}

gboolean
gig_session_get_remembered (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), FALSE);
  return self->remembered;
}

const char *
gig_session_get_keyring_problem (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);
  return self->keyring_problem;
}

gboolean
gig_session_check_token (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), FALSE);

  if (self->state != GIG_SESSION_STATE_SIGNED_IN)
    return FALSE;
  /* PocketBase answers an expired token as if it came from a guest: only the clock tells. */
  if (self->expires_at <= now_s ())
    {
      need_sign_in (self);
      return FALSE;
    }
  return TRUE;
}

void
gig_session_report_error (GigSession *self, const GError *error)
{
  g_return_if_fail (GIG_IS_SESSION (self));

  if (g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED) &&
      self->state == GIG_SESSION_STATE_SIGNED_IN)
    need_sign_in (self);
}

char *
gig_session_get_account_dir_for (const char *user_id)
{
  g_return_val_if_fail (user_id != NULL && *user_id != '\0', NULL);
  g_return_val_if_fail (strchr (user_id, '/') == NULL && strcmp (user_id, "..") != 0, NULL);

  return g_build_filename (g_get_user_data_dir (), "gigdesk", "accounts", user_id, NULL);
}

void
gig_session_forget_account (GigSession *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  gig_pb_client_set_token (self->client, NULL);
  set_string (self, &self->user_id, NULL, PROP_USER_ID);
  set_string (self, &self->email, NULL, PROP_EMAIL);
  set_string (self, &self->name, NULL, PROP_NAME);
  set_expires_at (self, 0);
  gig_session_set_keyring_state (self, FALSE, self->keyring_problem);
  set_state (self, GIG_SESSION_STATE_SIGNED_OUT);
}

void
gig_session_set_signed_out (GigSession *self)
{
  set_state (self, GIG_SESSION_STATE_SIGNED_OUT);
}

void
gig_session_use_stored_token (GigSession *self, const char *user_id, const char *token)
{
  set_string (self, &self->user_id, user_id, PROP_USER_ID);
  gig_session_set_keyring_state (self, TRUE, NULL);
  set_expires_at (self, gig_jwt_get_expiry (token));
  if (self->expires_at <= now_s ())
    {
      /* Offline-first: the cache stays readable, only the server wants a new sign-in. */
      gig_pb_client_set_token (self->client, NULL);
      set_state (self, GIG_SESSION_STATE_SIGN_IN_NEEDED);
    }
  else
    {
      use_token (self, token, FALSE);
      /* Also tells a revoked token (password changed elsewhere) from a good one. */
      background_refresh (self);
    }
}

char *
gig_session_get_account_dir (GigSession *self)
{
  g_return_val_if_fail (GIG_IS_SESSION (self), NULL);

  if (self->state == GIG_SESSION_STATE_SIGNED_OUT || self->user_id == NULL)
    return NULL;
  return gig_session_get_account_dir_for (self->user_id);
}


/* ------------------------------------------------------------------------------------------ */
/* Sign in / sign up                                                                          */

static void
sign_in_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GigSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *token = NULL;

  record = gig_pb_client_sign_in_with_password_finish (GIG_PB_CLIENT (source), result, &token, &error);
  if (record == NULL)
    {
      /* The server answers a sign-up for an address that already has an account exactly like
       * a fresh one (so nobody can ask it who has an account) and stores nothing; the sign-in
       * with the new password is then refused. Say what that means. */
      if (g_task_get_source_tag (task) == gig_session_sign_up_async &&
          g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_INVALID_CREDENTIALS))
        {
          g_debug ("sign-up: the new account cannot sign in: %s", error->message);
          g_clear_error (&error);
          g_set_error_literal (&error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_UNIQUE,
                               _("An account with this email address already exists. Sign in with its password instead."));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* Until the keyring has it, the client keeps the new token but the state is unchanged. */
  g_clear_handle_id (&self->timer, g_source_remove);
  store_token (self, task, token, record);
  memset (token, 0, strlen (token));
}

static void
start_sign_in (GigSession *self, GTask *task, const char *email, const char *password)
{
  gig_pb_client_sign_in_with_password_async (self->client, email, password,
                                             g_task_get_cancellable (task), sign_in_cb, task);
}

void
gig_session_sign_in_async (GigSession          *self,
                           const char          *email,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GIG_IS_SESSION (self));
  g_return_if_fail (email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_session_sign_in_async);
  start_sign_in (self, task, email, password);
}

gboolean
gig_session_sign_in_finish (GigSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *email;
  char *password;
} SignUpData;

static void
sign_up_data_free (SignUpData *data)
{
  g_free (data->email);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_free (data);
}

static void
sign_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GigSession *self = g_task_get_source_object (task);
  SignUpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;

  record = gig_pb_client_sign_up_finish (GIG_PB_CLIENT (source), result, &error);
  if (record == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* The sign-in step replaces the task data with its own. */
  email = g_steal_pointer (&data->email);
  password = g_steal_pointer (&data->password);
  g_task_set_task_data (task, NULL, NULL);
  start_sign_in (self, task, email, password);
  memset (password, 0, strlen (password));
}

void
gig_session_sign_up_async (GigSession          *self,
                           const char          *email,
                           const char          *password,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  SignUpData *data;

  g_return_if_fail (GIG_IS_SESSION (self));
  g_return_if_fail (email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_session_sign_up_async);
  data = g_new0 (SignUpData, 1);
  data->email = g_strdup (email);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_up_data_free);
  gig_pb_client_sign_up_async (self->client, email, password, name, cancellable, sign_up_cb, task);
}

gboolean
gig_session_sign_up_finish (GigSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Refresh                                                                                    */

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GigSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *token = NULL;

  self->refreshing = FALSE;
  record = gig_pb_client_auth_refresh_finish (GIG_PB_CLIENT (source), result, &token, &error);
  if (record == NULL)
    {
      if (g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED) ||
          g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_FORBIDDEN))
        need_sign_in (self);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        schedule_timer (self); /* offline or server trouble: try again later */
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  store_token (self, task, token, record);
  memset (token, 0, strlen (token));
}

void
gig_session_refresh_async (GigSession          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GIG_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_session_refresh_async);
  if (!gig_session_check_token (self))
    {
      g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED,
                               _("Sign in again to continue"));
      g_object_unref (task);
      return;
    }
  self->refreshing = TRUE;
  gig_pb_client_auth_refresh_async (self->client, cancellable, refresh_cb, task);
}

gboolean
gig_session_refresh_finish (GigSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
background_refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Token refresh failed: %s", error->message);
}

static void
background_refresh (GigSession *self)
{
  if (self->refreshing)
    return;
  gig_session_refresh_async (self, self->cancellable, background_refresh_cb, NULL);
}
