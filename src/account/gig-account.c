/* gig-account.c: the signed-in user's session, store, sync and chat, as one object
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-account"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-account.h"
#include "pocketbase/gig-pb-url.h"

struct _GigAccount
{
  GObject        parent_instance;

  char          *user_id;
  GigSession    *session;
  GigStore      *store;
  GigSync       *sync;
  GigChatClient *chat;
  /* Sync and chat start once the windows have painted the account's cached data. */
  guint          start_services_id;
  /* A signed-in session whose cache was found damaged, waiting for the recovered store. */
  GigSession    *waiting_session;
  char          *damaged_path;
  GError        *damage;         /* what the open store reported, NULL for a cache refused at opening */
  /* Made over parts opened elsewhere: they are not this object's to stop or close. */
  gboolean       borrowed;
  /* Counts opens and closes, so that a restore finishing late leaves a newer sign-in alone. */
  guint          serial;
};

G_DEFINE_FINAL_TYPE (GigAccount, gig_account, G_TYPE_OBJECT)

enum {
  CHANGED,
  DATA_DAMAGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- errors ---------------------------------------------------------------------------------- */

typedef struct
{
  GStrv fields;
} GigAccountErrorPrivate;

static void
gig_account_error_private_init (GigAccountErrorPrivate *priv)
{
  priv->fields = NULL;
}

static void
gig_account_error_private_copy (const GigAccountErrorPrivate *src,
                                GigAccountErrorPrivate       *dest)
{
  dest->fields = g_strdupv (src->fields);
}

static void
gig_account_error_private_clear (GigAccountErrorPrivate *priv)
{
  g_clear_pointer (&priv->fields, g_strfreev);
}

G_DEFINE_EXTENDED_ERROR (GigAccountError, gig_account_error)

const char * const *
gig_account_error_get_fields (const GError *error)
{
  GigAccountErrorPrivate *priv;

  if (error == NULL || error->domain != GIG_ACCOUNT_ERROR)
    return NULL;
  priv = gig_account_error_get_private (error);
  return priv != NULL ? (const char * const *) priv->fields : NULL;
}

/* The server's answer, in the account's words: what a sign-in form can act on. */
static GError *
account_error_from (const GError *error)
{
  GigAccountError code = GIG_ACCOUNT_ERROR_FAILED;
  GError *account_error;

  if (error->domain != GIG_PB_ERROR)
    return g_error_copy (error);

  switch ((GigPbError) error->code)
    {
    case GIG_PB_ERROR_INVALID_CREDENTIALS:
      code = GIG_ACCOUNT_ERROR_WRONG_CREDENTIALS;
      break;
    case GIG_PB_ERROR_NETWORK:
      code = GIG_ACCOUNT_ERROR_UNREACHABLE;
      break;
    case GIG_PB_ERROR_NOT_UNIQUE:
      code = GIG_ACCOUNT_ERROR_EMAIL_TAKEN;
      break;
    case GIG_PB_ERROR_VALIDATION:
      code = GIG_ACCOUNT_ERROR_REJECTED;
      break;
    case GIG_PB_ERROR_SERVER:
    case GIG_PB_ERROR_MALFORMED:
      code = GIG_ACCOUNT_ERROR_SERVER;
      break;
    case GIG_PB_ERROR_AUTH_REQUIRED:
    case GIG_PB_ERROR_FORBIDDEN:
    case GIG_PB_ERROR_NOT_FOUND:
    default:
      break;
    }

  account_error = g_error_new_literal (GIG_ACCOUNT_ERROR, code, error->message);
  if (code == GIG_ACCOUNT_ERROR_REJECTED && gig_pb_error_get_field_errors (error) != NULL)
    {
      GigAccountErrorPrivate *priv = gig_account_error_get_private (account_error);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      GHashTableIter iter;
      const char *field;

      /* The form's names: PocketBase's passwordConfirm is the password field. */
      g_hash_table_iter_init (&iter, gig_pb_error_get_field_errors (error));
      while (g_hash_table_iter_next (&iter, (gpointer *) &field, NULL))
        g_strv_builder_add (builder, g_str_equal (field, "passwordConfirm") ? "password" : field);
      priv->fields = g_strv_builder_end (builder);
    }
  return account_error;
}

/* ---- lifetime -------------------------------------------------------------------------------- */

GigAccount *
gig_account_new (void)
{
  return g_object_new (GIG_TYPE_ACCOUNT, NULL);
}

GigAccount *
gig_account_new_for_parts (const char    *user_id,
                           GigSession    *session,
                           GigStore      *store,
                           GigSync       *sync,
                           GigChatClient *chat)
{
  GigAccount *self;

  g_return_val_if_fail (session == NULL || GIG_IS_SESSION (session), NULL);
  g_return_val_if_fail (store == NULL || GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (sync == NULL || GIG_IS_SYNC (sync), NULL);
  g_return_val_if_fail (chat == NULL || GIG_IS_CHAT_CLIENT (chat), NULL);

  self = gig_account_new ();
  if (user_id == NULL && session != NULL)
    user_id = gig_session_get_user_id (session);
  self->user_id = g_strdup (user_id);
  self->borrowed = TRUE;
  g_set_object (&self->session, session);
  g_set_object (&self->store, store);
  g_set_object (&self->sync, sync);
  g_set_object (&self->chat, chat);
  return self;
}

static void
stop_services (GigAccount *self)
{
  g_clear_handle_id (&self->start_services_id, g_source_remove);
  if (self->borrowed)
    {
      g_clear_object (&self->chat);
      g_clear_object (&self->sync);
      g_clear_object (&self->store);
      return;
    }
  if (self->chat != NULL)
    gig_chat_client_disconnect (self->chat);
  g_clear_object (&self->chat);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (gig_session_get_client (self->session), self);
  if (self->sync != NULL)
    gig_sync_stop (self->sync);
  g_clear_object (&self->sync);
  if (self->store != NULL)
    gig_store_close (self->store);
  g_clear_object (&self->store);
}

void
gig_account_close (GigAccount *self)
{
  g_return_if_fail (GIG_IS_ACCOUNT (self));

  if (self->store == NULL && self->session == NULL)
    return;
  stop_services (self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->user_id, g_free);
  self->serial++;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
gig_account_dispose (GObject *object)
{
  GigAccount *self = GIG_ACCOUNT (object);

  stop_services (self);
  g_clear_object (&self->session);
  g_clear_object (&self->waiting_session);

  G_OBJECT_CLASS (gig_account_parent_class)->dispose (object);
}

static void
gig_account_finalize (GObject *object)
{
  GigAccount *self = GIG_ACCOUNT (object);

  g_free (self->user_id);
  g_free (self->damaged_path);
  g_clear_error (&self->damage);

  G_OBJECT_CLASS (gig_account_parent_class)->finalize (object);
}

static void
gig_account_class_init (GigAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_account_dispose;
  object_class->finalize = gig_account_finalize;

  /* Someone's data was opened, or closed: every part may have changed. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /* gig_account_open() found the cache damaged: recover it (asking the user), then call
   * gig_account_open_recovered(). */
  signals[DATA_DAMAGED] =
    g_signal_new ("data-damaged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
gig_account_init (GigAccount *self)
{
}

/* ---- parts ----------------------------------------------------------------------------------- */

gboolean
gig_account_is_open (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), FALSE);
  return self->store != NULL;
}

const char *
gig_account_get_user_id (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->user_id;
}

GigSession *
gig_account_get_session (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->session;
}

GigStore *
gig_account_get_store (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->store;
}

GigSync *
gig_account_get_sync (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->sync;
}

GigChatClient *
gig_account_get_chat_client (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->chat;
}

/* ---- opening --------------------------------------------------------------------------------- */

/* The chat asks PocketBase for its tokens with the session's current one. */
static void
on_pb_token_changed (GigAccount  *self,
                     GParamSpec  *pspec,
                     GigPbClient *client)
{
  if (self->chat != NULL)
    gig_chat_client_set_pb_token (self->chat, gig_pb_client_get_token (client));
}

static gboolean
start_services (gpointer user_data)
{
  GigAccount *self = user_data;

  self->start_services_id = 0;
  gig_sync_start (self->sync);
  gig_chat_client_connect (self->chat);
  return G_SOURCE_REMOVE;
}

/* The store's check of every page, which opening does not wait for, found the file damaged:
 * nothing more is written to it. The account closes (the windows show the sign-in page) and
 * waits for the recovered cache, as when a damaged file is met at opening. */
static void
on_store_damaged (GigAccount   *self,
                  const GError *problem,
                  GigStore     *store)
{
  g_autoptr(GigSession) session = NULL;

  if (store != self->store || self->session == NULL)
    return;

  session = g_object_ref (self->session);
  g_free (self->damaged_path);
  self->damaged_path = g_strdup (gig_store_get_path (store));
  g_clear_error (&self->damage);
  self->damage = problem != NULL ? g_error_copy (problem)
                                 : g_error_new_literal (GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT, "damaged");
  gig_account_close (self);
  g_set_object (&self->waiting_session, session);
  g_signal_emit (self, signals[DATA_DAMAGED], 0);
}

static void
open_with_store (GigAccount *self,
                 GigSession *session,
                 GigStore   *store)
{
  GigPbClient *client = gig_session_get_client (session);
  g_autoptr(GigSession) keep = g_object_ref (session);

  stop_services (self);
  self->borrowed = FALSE;
  self->serial++;
  g_set_object (&self->session, keep);
  g_free (self->user_id);
  self->user_id = g_strdup (gig_session_get_user_id (session));
  self->store = g_object_ref (store);
  g_signal_connect_object (self->store, "damaged", G_CALLBACK (on_store_damaged), self, G_CONNECT_SWAPPED);
  self->sync = gig_sync_new (self->store, client, session);
  self->chat = gig_chat_client_new (gig_pb_client_get_base_url (client), self->store, self->user_id);
  gig_chat_client_set_pb_token (self->chat, gig_pb_client_get_token (client));
  g_signal_connect_object (client, "notify::token", G_CALLBACK (on_pb_token_changed), self, G_CONNECT_SWAPPED);

  /* Everything on screen comes from the store, so the windows show the account at once; the
   * network work starts at idle priority, which runs after the pending redraw. */
  g_signal_emit (self, signals[CHANGED], 0);
  self->start_services_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, start_services, self, NULL);
}

gboolean
gig_account_open (GigAccount  *self,
                  GigSession  *session,
                  GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GIG_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (GIG_IS_SESSION (session), FALSE);

  g_clear_object (&self->waiting_session);
  g_clear_pointer (&self->damaged_path, g_free);
  g_clear_error (&self->damage);

  /* A server-chosen id that is not a record id is never used as a path. */
  path = gig_store_default_path (gig_session_get_user_id (session));
  if (path == NULL)
    {
      g_set_error_literal (error, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_DATA,
                           _("the server gave an account id that is not valid"));
      return FALSE;
    }
  store = gig_store_new_for_path (path, &local_error);
  if (store == NULL)
    {
      if (g_error_matches (local_error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT))
        {
          self->waiting_session = g_object_ref (session);
          self->damaged_path = g_steal_pointer (&path);
          g_propagate_error (error, g_steal_pointer (&local_error));
          g_signal_emit (self, signals[DATA_DAMAGED], 0);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  open_with_store (self, session, store);
  return TRUE;
}

const GError *
gig_account_get_damage (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->damage;
}

const char *
gig_account_get_damaged_path (GigAccount *self)
{
  g_return_val_if_fail (GIG_IS_ACCOUNT (self), NULL);
  return self->damaged_path;
}

void
gig_account_open_recovered (GigAccount *self,
                            GigStore   *store)
{
  g_autoptr(GigSession) session = NULL;

  g_return_if_fail (GIG_IS_ACCOUNT (self));
  g_return_if_fail (GIG_IS_STORE (store));
  g_return_if_fail (self->waiting_session != NULL);

  session = g_steal_pointer (&self->waiting_session);
  g_clear_pointer (&self->damaged_path, g_free);
  g_clear_error (&self->damage);
  open_with_store (self, session, store);
}

/* ---- signing in ------------------------------------------------------------------------------ */

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigAccount *self = g_task_get_source_object (task);
  GigSession *session = GIG_SESSION (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_get_task_data (task) != NULL
                ? gig_session_sign_up_finish (session, result, &error)
                : gig_session_sign_in_finish (session, result, &error);

  if (!ok)
    {
      g_task_return_error (task, account_error_from (error));
      return;
    }
  if (!gig_account_open (self, session, &error) &&
      !g_error_matches (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT))
    {
      g_task_return_new_error (task, GIG_ACCOUNT_ERROR, GIG_ACCOUNT_ERROR_DATA,
                               _("Could not open the local data: %s"), error->message);
      return;
    }
  /* A damaged cache is the caller's to recover: the session is signed in all the same. */
  g_task_return_pointer (task, g_object_ref (session), g_object_unref);
}

void
gig_account_sign_in_async (GigAccount          *self,
                           const char          *server_url,
                           const char          *email,
                           const char          *password,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GigPbClient) client = NULL;
  g_autoptr(GigSession) session = NULL;

  g_return_if_fail (GIG_IS_ACCOUNT (self));
  g_return_if_fail (server_url != NULL && email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_account_sign_in_async);
  /* Signing up is told apart by a name (even an empty one). */
  g_task_set_task_data (task, name != NULL ? GINT_TO_POINTER (TRUE) : NULL, NULL);

  client = gig_pb_client_new (server_url);
  session = gig_session_new (client);
  if (name != NULL)
    gig_session_sign_up_async (session, email, password, name, cancellable, signed_in_cb, g_steal_pointer (&task));
  else
    gig_session_sign_in_async (session, email, password, cancellable, signed_in_cb, g_steal_pointer (&task));
}

GigSession *
gig_account_sign_in_finish (GigAccount    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- restoring ------------------------------------------------------------------------------- */

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GigAccount *self = g_task_get_source_object (task);
  GigSession *session = GIG_SESSION (object);
  g_autoptr(GError) error = NULL;

  if (!gig_session_restore_finish (session, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* Nothing remembered can be read: signed out, and the sign-in page says why. */
      g_warning ("Could not read the keyring: %s", error->message);
      g_clear_error (&error);
    }

  /* A session that needs a new sign-in still shows its data: it is all local. Someone who
   * signed in (or out) meanwhile keeps what they chose. */
  if (gig_session_get_state (session) == GIG_SESSION_STATE_SIGNED_OUT ||
      GPOINTER_TO_UINT (g_task_get_task_data (task)) != self->serial)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  if (!gig_account_open (self, session, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
gig_account_restore_async (GigAccount          *self,
                           const char          *server_url,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GigPbClient) client = NULL;
  g_autoptr(GigSession) session = NULL;
  GTask *task;

  g_return_if_fail (GIG_IS_ACCOUNT (self));
  g_return_if_fail (server_url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_account_restore_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (self->serial), NULL);
  client = gig_pb_client_new (server_url);
  session = gig_session_new (client);
  gig_session_restore_async (session, cancellable, restored_cb, task);
}

gboolean
gig_account_restore_finish (GigAccount    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- signing out ----------------------------------------------------------------------------- */

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_sign_out_finish (GIG_SESSION (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
gig_account_sign_out_async (GigAccount          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GigSession) session = NULL;
  GTask *task;

  g_return_if_fail (GIG_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_account_sign_out_async);
  if (self->session == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* The store is closed before the session removes the account's files. */
  session = g_object_ref (self->session);
  gig_account_close (self);
  gig_session_sign_out_async (session, cancellable, signed_out_cb, task);
}

gboolean
gig_account_sign_out_finish (GigAccount    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
gig_account_server_url_is_insecure (const char *url)
{
  return gig_pb_url_is_unencrypted_remote (url);
}
