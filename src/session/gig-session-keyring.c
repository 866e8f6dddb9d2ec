/* gig-session-keyring.c: the keyring item that holds the token: restoring it, probing for a
 * keyring, what to say when there is none; and deleting an account's cache folder.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSession"

#include "config.h"

#include "session/gig-session.h"
#include "session/gig-session-keyring.h"
#include "session/gig-session-private.h"

#include <glib/gi18n.h>

const SecretSchema *
gig_session_token_schema (void)
{
  static const SecretSchema schema = {
    "io.github.gigdesk.Gigdesk.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &schema;
}

/* GLib finds the session bus through $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus; without
 * either it tries to autolaunch one (dbus-launch, X11 only), which is what fails headless. */
static gboolean
session_bus_configured (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket = NULL;

  if (address != NULL && *address != '\0')
    return TRUE;
  socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

char *
gig_session_describe_keyring_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == G_SPAWN_ERROR || !session_bus_configured ())
    return g_strdup (_("There is no D-Bus session bus, so no keyring (Secret Service) can run. "
                       "To stay signed in, start Gigdesk from a desktop session, or under "
                       "dbus-run-session with gnome-keyring-daemon running."));

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND))
    return g_strdup (_("No keyring (Secret Service) is running on this desktop session. "
                       "To stay signed in, install GNOME Keyring (the gnome-keyring package) "
                       "and sign in to a desktop session that starts it."));

  return g_strdup_printf (_("The keyring could not keep your sign-in: %s"), error->message);
}

/* ------------------------------------------------------------------------------------------ */
/* Probe                                                                                      */

static void
probe_search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  g_list_free_full (items, g_object_unref);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
probe_service_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GCancellable *cancellable;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Getting the service only makes a proxy; a search is the first call that reaches it. No
   * unlocking and no secrets: this must never prompt. */
  cancellable = g_task_get_cancellable (task);
  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) "");
  secret_service_search (service, gig_session_token_schema (), attributes, SECRET_SEARCH_NONE,
                         cancellable, probe_search_cb, g_steal_pointer (&task));
}

void
gig_session_probe_keyring_async (GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, gig_session_probe_keyring_async);
  secret_service_get (SECRET_SERVICE_NONE, cancellable, probe_service_cb, task);
}

gboolean
gig_session_probe_keyring_finish (GAsyncResult  *result,
                                  char         **out_problem,
                                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (out_problem != NULL, FALSE);

  *out_problem = NULL;
  if (g_task_propagate_boolean (G_TASK (result), &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("The keyring is not usable: %s", local_error->message);
  *out_problem = gig_session_describe_keyring_error (local_error);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Restore                                                                                    */

/* No keyring, so nothing can have been remembered: signed out, and the reason is kept for the
 * sign-in that follows (it will be for this session only). */
static void
restore_without_keyring (GigSession *self, GTask *task, GError *error)
{
  g_autofree char *problem = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  g_debug ("No keyring to restore from: %s", error->message);
  problem = gig_session_describe_keyring_error (error);
  gig_session_set_keyring_state (self, FALSE, problem);
  gig_session_set_signed_out (self);
  g_task_return_boolean (task, TRUE);
}

static void
restore_search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GigSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GList *items;
  SecretItem *newest = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  const char *user_id;
  const char *token;

  items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  if (error != NULL)
    {
      restore_without_keyring (self, task, error);
      return;
    }
  /* Normally one item per server; after an unclean switch of accounts, the latest wins. */
  for (GList *l = items; l != NULL; l = l->next)
    if (newest == NULL || secret_item_get_modified (l->data) > secret_item_get_modified (newest))
      newest = l->data;

  if (newest == NULL || (value = secret_item_get_secret (newest)) == NULL)
    {
      g_list_free_full (items, g_object_unref);
      gig_session_set_signed_out (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  attributes = secret_item_get_attributes (newest);
  user_id = g_hash_table_lookup (attributes, "user-id");
  token = secret_value_get_text (value);
  g_list_free_full (items, g_object_unref);
  if (user_id == NULL || token == NULL)
    {
      gig_session_set_signed_out (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  gig_session_use_stored_token (self, user_id, token);
  g_task_return_boolean (task, TRUE);
}

static void
restore_service_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GigSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      restore_without_keyring (self, task, error);
      return;
    }
  GCancellable *cancellable = g_task_get_cancellable (task);

  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) gig_session_get_server_url (self));
  secret_service_search (service, gig_session_token_schema (), attributes,
                         SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                         cancellable, restore_search_cb, g_steal_pointer (&task));
}

void
gig_session_restore_async (GigSession          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GIG_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_session_restore_async);
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, restore_service_cb, task);
}

gboolean
gig_session_restore_finish (GigSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Sign out: the keyring item and the account's cache folder                                  */

static gboolean
delete_recursively (GFile *file, GCancellable *cancellable, GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &local_error);
  if (children != NULL)
    {
      while (TRUE)
        {
          GFile *child = NULL;

          if (!g_file_enumerator_iterate (children, NULL, &child, cancellable, error))
            return FALSE;
          if (child == NULL)
            break;
          if (!delete_recursively (child, cancellable, error))
            return FALSE;
        }
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY) &&
           !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_clear_error (&local_error);
  if (!g_file_delete (file, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static void
delete_dir_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autoptr(GFile) dir = g_file_new_for_path (task_data);
  GError *error = NULL;

  if (!delete_recursively (dir, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
delete_dir_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The keyring item is gone (or never existed): forget the account and delete its cache. */
static void
sign_out_locally (GigSession *self, GTask *task)
{
  g_autoptr(GTask) delete_task = NULL;
  const char *user_id;
  char *dir;

  user_id = gig_session_get_user_id (self);
  dir = user_id != NULL ? gig_session_get_account_dir_for (user_id) : NULL;
  gig_session_forget_account (self);

  if (dir == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  delete_task = g_task_new (self, g_task_get_cancellable (task), delete_dir_cb, task);
  g_task_set_task_data (delete_task, dir, g_free);
  g_task_run_in_thread (delete_task, delete_dir_thread);
}

static void
clear_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GigSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* FALSE without an error only means there was nothing to remove. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  sign_out_locally (self, task);
}

void
gig_session_sign_out_async (GigSession          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GIG_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_session_sign_out_async);
  if (gig_session_get_user_id (self) == NULL)
    {
      gig_session_set_signed_out (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (!gig_session_get_remembered (self))
    {
      /* A memory-only sign-in left nothing in a keyring (there may be none to ask). */
      sign_out_locally (self, task);
      return;
    }
  secret_password_clear (gig_session_token_schema (), cancellable, clear_cb, task,
                         "server", gig_session_get_server_url (self),
                         "user-id", gig_session_get_user_id (self),
                         NULL);
}

gboolean
gig_session_sign_out_finish (GigSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
