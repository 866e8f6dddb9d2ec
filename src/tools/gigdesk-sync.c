/* gigdesk-sync.c: sign in and sync an account's cache from the command line
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-sync"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-url.h"
#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"

enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_SIGN_IN = 2,
  EXIT_SYNC = 3,
  EXIT_STORE = 4,
  EXIT_REFUSED = 5,
  EXIT_SKIPPED = 6,
  EXIT_DAMAGED = 7,
};

typedef struct
{
  GMainLoop  *loop;
  GigSession *session;
  GigStore   *store;
  GigSync    *sync;
  gboolean    quiet;
  gboolean    follow;
  int         status;
  gint64      last_progress;
  gint64      started;
  guint       records_before;
} Tool;

static char    *opt_server;
static char    *opt_email;
static char    *opt_data_dir;
static gboolean opt_password_stdin;
static gboolean opt_follow;
static gboolean opt_quiet;
static gboolean opt_recover;
static gboolean opt_allow_insecure_http;

static const GOptionEntry entries[] = {
  { "server", 's', 0, G_OPTION_ARG_STRING, &opt_server, "PocketBase URL, e.g. http://127.0.0.1:8090", "URL" },
  { "email", 'e', 0, G_OPTION_ARG_STRING, &opt_email, "Account to sync", "EMAIL" },
  { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &opt_password_stdin,
    "Sign in with the password read from the first line of standard input "
    "(otherwise the token saved in the keyring is used)", NULL },
  { "follow", 'f', 0, G_OPTION_ARG_NONE, &opt_follow,
    "Keep running: follow live changes and push local ones until interrupted", NULL },
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    "Keep the cache under DIR/<user id>/ instead of the user data folder", "DIR" },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print only the summary", NULL },
  { "recover", 0, 0, G_OPTION_ARG_NONE, &opt_recover,
    "If the cache is damaged, keep it aside and carry what can be read into a fresh one", NULL },
  { "allow-insecure-http", 0, 0, G_OPTION_ARG_NONE, &opt_allow_insecure_http,
    "Allow a plain http:// server other than this computer (password and token travel unencrypted)",
    NULL },
  { NULL }
};

/* Server text for a terminal: escaped, and cut short if long. */
static char *
shorten_for_display (const char *text)
{
  g_autofree char *escaped = g_strescape (text != NULL ? text : "", NULL);

  if (strlen (escaped) <= 40)
    return g_steal_pointer (&escaped);
  return g_strdup_printf ("%.40s…", escaped);
}

static guint
count_records (GigStore *store)
{
  guint total = 0;

  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_autoptr(GigStoreQuery) query = gig_store_query_new (c, GIG_STORE_SCOPE_ALL);
      guint n = 0;

      if (gig_store_query_count (store, query, &n, NULL))
        total += n;
    }
  return total;
}

static void
print_counts (Tool *tool)
{
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      g_autoptr(GigStoreQuery) query = gig_store_query_new (c, GIG_STORE_SCOPE_ALL);
      g_autoptr(GError) error = NULL;
      guint n = 0;

      if (!gig_store_query_count (tool->store, query, &n, &error))
        g_printerr ("%s: %s\n", gig_collection_to_string (c), error->message);
      else
        g_print ("%s: %u\n", gig_collection_to_string (c), n);
    }
  g_print ("pending changes: %u\nrefused changes: %u\n",
           gig_store_pending_count (tool->store), gig_store_failed_count (tool->store));
}

static int
status_for_error (const GError *error)
{
  if (g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED) ||
      g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED))
    return EXIT_SIGN_IN;
  if (g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED))
    return EXIT_REFUSED;
  if (g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED))
    return EXIT_SKIPPED;
  if (error->domain == GIG_STORE_ERROR)
    return EXIT_STORE;
  return EXIT_SYNC;
}

static void
progress_cb (GigSync    *sync,
             GParamSpec *pspec,
             Tool       *tool)
{
  gint64 now = g_get_monotonic_time ();
  const char *text = gig_sync_get_progress_text (sync);

  /* A first pull changes the text for every page: print a few times a second at most. */
  if (tool->quiet || text == NULL || now - tool->last_progress < 250 * 1000)
    return;
  tool->last_progress = now;
  g_printerr ("%s\n", text);
}

static void
state_cb (GigSync    *sync,
          GParamSpec *pspec,
          Tool       *tool)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GIG_TYPE_SYNC_STATE);
  GEnumValue *value = g_enum_get_value (klass, gig_sync_get_state (sync));
  const char *error = gig_sync_get_last_error (sync);

  if (tool->quiet)
    return;
  if (error != NULL && gig_sync_get_state (sync) != GIG_SYNC_STATE_IDLE)
    g_printerr ("state: %s (%s)\n", value ? value->value_nick : "?", error);
  else
    g_printerr ("state: %s\n", value ? value->value_nick : "?");
}

static void
remote_changed_cb (GigSync    *sync,
                   int         collection,
                   const char *id,
                   JsonObject *before,
                   JsonObject *after,
                   Tool       *tool)
{
  if (!tool->quiet)
    g_print ("%s %s %s\n", before ? "changed" : "new", gig_collection_to_string (collection), id);
}

static void
once_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Tool *tool = user_data;
  g_autoptr(GError) error = NULL;
  double seconds = (g_get_monotonic_time () - tool->started) / (double) G_USEC_PER_SEC;

  if (!gig_sync_once_finish (GIG_SYNC (object), result, &error))
    {
      tool->status = status_for_error (error);
      if (tool->status == EXIT_REFUSED || tool->status == EXIT_SKIPPED)
        g_printerr ("Synced, but: %s\n", error->message);
      else
        g_printerr ("Sync failed: %s\n", error->message);
    }
  else
    {
      guint after = count_records (tool->store);
      guint received = after > tool->records_before ? after - tool->records_before : 0;

      g_print ("synced in %.3f s (%u new records, %.0f records/s)\n", seconds, received,
               seconds > 0 ? received / seconds : 0.0);
    }
  print_counts (tool);
  g_main_loop_quit (tool->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Tool *tool = user_data;

  g_main_loop_quit (tool->loop);
  return G_SOURCE_CONTINUE;
}

/* Keeps the damaged cache aside, carries what can be read into a fresh one and says what. */
static gboolean
recover (const char  *path,
         GError     **error)
{
  g_autoptr(GigStoreRecovery) recovery = gig_store_recover (path, error);

  if (recovery == NULL)
    return FALSE;
  g_printerr ("The damaged cache was kept as %s\n"
              "Carried into a fresh cache: %u waiting changes, %u drafts, %u other edited records, "
              "%u unsent messages\n",
              recovery->kept_path, recovery->changes, recovery->drafts, recovery->edits,
              recovery->messages);
  if (!recovery->complete)
    g_printerr ("Could not be read whole (what was on damaged pages is lost): %s\n", recovery->unreadable);
  g_printerr ("Everything else is downloaded from the server again.\n");
  return TRUE;
}

/* Opens the cache and waits for the check of every page that the app does not wait for: a
 * command-line sync refuses a damaged cache before it syncs. */
static GigStore *
open_checked (const char  *path,
              GError     **error)
{
  g_autoptr(GigStore) store = gig_store_new_for_path (path, error);

  if (store == NULL)
    return NULL;
  if (!gig_store_wait_checked (store, error))
    {
      gig_store_close (store);
      return NULL;
    }
  return g_steal_pointer (&store);
}

static void
start_sync (Tool *tool)
{
  const char *user_id = gig_session_get_user_id (tool->session);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (opt_data_dir != NULL)
    path = gig_store_account_path (opt_data_dir, user_id);
  else
    path = gig_store_default_path (user_id);
  if (path == NULL)
    {
      g_autofree char *shown = shorten_for_display (user_id);

      /* It would name the cache's folder: never let the server choose a path. */
      g_printerr ("The server gave a user id that is not a record id (“%s”): nothing was written\n",
                  shown);
      tool->status = EXIT_SIGN_IN;
      g_main_loop_quit (tool->loop);
      return;
    }

  tool->store = open_checked (path, &error);
  if (tool->store == NULL && g_error_matches (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CORRUPT))
    {
      g_printerr ("%s\n", error->message);
      if (!opt_recover)
        {
          g_printerr ("Nothing was changed. Run again with --recover to keep the damaged file aside\n"
                      "and carry the changes, drafts and messages that can still be read into a fresh cache.\n");
          tool->status = EXIT_DAMAGED;
          g_main_loop_quit (tool->loop);
          return;
        }
      g_clear_error (&error);
      if (!recover (path, &error))
        {
          g_printerr ("Could not recover the cache %s: %s\n", path, error->message);
          tool->status = EXIT_STORE;
          g_main_loop_quit (tool->loop);
          return;
        }
      tool->store = open_checked (path, &error);
    }
  if (tool->store == NULL)
    {
      g_printerr ("Could not open the cache %s: %s\n", path, error->message);
      tool->status = EXIT_STORE;
      g_main_loop_quit (tool->loop);
      return;
    }

  tool->sync = gig_sync_new (tool->store, gig_session_get_client (tool->session), tool->session);
  g_signal_connect (tool->sync, "notify::progress-text", G_CALLBACK (progress_cb), tool);
  g_signal_connect (tool->sync, "notify::state", G_CALLBACK (state_cb), tool);

  tool->records_before = count_records (tool->store);
  tool->started = g_get_monotonic_time ();
  if (tool->follow)
    {
      g_signal_connect (tool->sync, "remote-record-changed", G_CALLBACK (remote_changed_cb), tool);
      g_unix_signal_add (SIGINT, interrupted_cb, tool);
      g_unix_signal_add (SIGTERM, interrupted_cb, tool);
      gig_sync_start (tool->sync);
    }
  else
    gig_sync_once_async (tool->sync, NULL, once_cb, tool);
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Tool *tool = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_sign_in_finish (GIG_SESSION (object), result, &error))
    {
      g_printerr ("Could not sign in: %s\n", error->message);
      tool->status = EXIT_SIGN_IN;
      g_main_loop_quit (tool->loop);
      return;
    }
  if (gig_session_get_keyring_problem (tool->session) != NULL)
    g_printerr ("Signed in for this run only, the token kept in memory: %s\n",
                gig_session_get_keyring_problem (tool->session));
  start_sync (tool);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Tool *tool = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_restore_finish (GIG_SESSION (object), result, &error))
    {
      g_printerr ("Could not read the keyring: %s\n", error->message);
      tool->status = EXIT_SIGN_IN;
      g_main_loop_quit (tool->loop);
      return;
    }
  if (gig_session_get_state (tool->session) != GIG_SESSION_STATE_SIGNED_IN ||
      (opt_email != NULL && gig_session_get_email (tool->session) != NULL &&
       g_ascii_strcasecmp (gig_session_get_email (tool->session), opt_email) != 0))
    {
      g_printerr ("Not signed in as %s on %s: use --password-stdin\n",
                  opt_email ? opt_email : "anyone", opt_server);
      if (gig_session_get_keyring_problem (tool->session) != NULL)
        g_printerr ("No saved sign-in can be read: %s\n", gig_session_get_keyring_problem (tool->session));
      tool->status = EXIT_SIGN_IN;
      g_main_loop_quit (tool->loop);
      return;
    }
  start_sync (tool);
}

static char *
read_password (void)
{
  char buffer[1024];
  gsize len;

  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    return NULL;
  len = strlen (buffer);
  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';
  return g_strdup (buffer);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GigPbClient) client = NULL;
  Tool tool = { 0 };

  /* Messages (the server's among them) in the user's language and encoding, not "?" for "ü". */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new ("- sync a Gigdesk account's offline cache");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The password is never taken from the command line: pass --password-stdin, or sign in once\n"
    "and let the token saved in the keyring be used.\n"
    "\n"
    "Exit status:\n"
    "  0  synced (or --follow ended by a signal)\n"
    "  1  bad command line\n"
    "  2  sign-in failed or is needed again (nothing was deleted)\n"
    "  3  the sync failed (network, server, malformed answer)\n"
    "  4  the local cache could not be opened or written\n"
    "  5  synced, but the server refused some changes (they are kept)\n"
    "  6  synced, but some records from the server were not valid and were skipped\n"
    "  7  the cache is damaged and was left as it is (see --recover)\n");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_USAGE;
    }
  if (opt_server == NULL || (opt_password_stdin && opt_email == NULL))
    {
      g_printerr ("--server is required, and --email with --password-stdin\n");
      return EXIT_USAGE;
    }

  /* Over plain http the password, the session token and every record can be read and changed
   * by anyone on the network: only with an explicit choice, and always said. */
  if (gig_pb_url_is_unencrypted_remote (opt_server))
    {
      if (!opt_allow_insecure_http)
        {
          g_printerr ("Refusing %s: plain http:// to another computer sends the password and the\n"
                      "session token unencrypted. Use https://, or pass --allow-insecure-http if the\n"
                      "network between here and the server is trusted.\n", opt_server);
          return EXIT_USAGE;
        }
      g_printerr ("Warning: %s is plain http://; the password and session token travel unencrypted.\n",
                  opt_server);
    }

  tool.loop = g_main_loop_new (NULL, FALSE);
  tool.quiet = opt_quiet;
  tool.follow = opt_follow;
  client = gig_pb_client_new (opt_server);
  tool.session = gig_session_new (client);

  if (opt_password_stdin)
    {
      g_autofree char *password = read_password ();

      if (password == NULL || *password == '\0')
        {
          g_printerr ("No password on standard input\n");
          return EXIT_USAGE;
        }
      gig_session_sign_in_async (tool.session, opt_email, password, NULL, signed_in_cb, &tool);
      memset (password, 0, strlen (password));
    }
  else
    gig_session_restore_async (tool.session, NULL, restored_cb, &tool);

  g_main_loop_run (tool.loop);

  if (tool.follow && tool.sync != NULL)
    {
      gig_sync_stop (tool.sync);
      print_counts (&tool);
    }
  g_clear_object (&tool.sync);
  if (tool.store != NULL)
    gig_store_close (tool.store);
  g_clear_object (&tool.store);
  g_clear_object (&tool.session);
  g_main_loop_unref (tool.loop);
  g_free (opt_server);
  g_free (opt_email);
  g_free (opt_data_dir);
  return tool.status;
}
