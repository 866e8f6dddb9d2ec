/* gig-test-pb.c: starts and stops a real PocketBase for tests.
 *
 * SPDX-License-Identifier: MIT
 */
/* O_CLOEXEC and prctl() under -std=c11 */
#define _GNU_SOURCE

#include "gig-test-pb.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SUPERUSER_EMAIL "superuser@gigdesk.test"
#define SUPERUSER_PASSWORD "superuser-password-1"
#define STARTUP_TIMEOUT_S 60

struct _GigTestPb
{
  char        *binary;
  char        *source_root;
  char        *data_dir;
  char        *log_path;
  guint16      port;
  char        *url;
  char        *superuser_token;
  GSubprocess *process;
  SoupSession *http;
};

static guint user_counter;

static const char *
require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run the tests through meson", name);
  return value;
}

static guint16
free_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint16 port;

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

static void
child_setup (gpointer user_data)
{
  /* A test that crashes must not leave a server behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
read_log (GigTestPb *pb)
{
  g_autofree char *log = NULL;

  if (!g_file_get_contents (pb->log_path, &log, NULL, NULL))
    return g_strdup ("(no log)");
  return g_steal_pointer (&log);
}

static GSubprocessLauncher *
new_launcher (GigTestPb *pb)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  int fd = open (pb->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_cwd (launcher, pb->data_dir);
  return launcher;
}

static void
run_superuser_upsert (GigTestPb *pb)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (pb);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *migrations = g_build_filename (pb->source_root, "pb", "pb_migrations", NULL);
  g_autofree char *hooks = g_build_filename (pb->source_root, "pb", "pb_hooks", NULL);

  /* pb_hooks/superuser_from_env.pb.js: the password goes in the environment, not on the
   * command line where ps shows it. */
  g_subprocess_launcher_setenv (launcher, "GIG_PB_SUPERUSER", SUPERUSER_EMAIL ":" SUPERUSER_PASSWORD, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, pb->binary, "superuser-from-env",
                                         "--dir", pb->data_dir, "--migrationsDir", migrations,
                                         "--hooksDir", hooks, NULL);
  g_assert_no_error (error);
  if (!g_subprocess_wait_check (process, NULL, &error))
    {
      g_autofree char *log = read_log (pb);
      g_error ("creating the PocketBase superuser failed: %s\n%s", error->message, log);
    }
}

static gboolean
healthy (GigTestPb *pb)
{
  g_autofree char *uri = g_strconcat (pb->url, "/api/health", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
  g_autoptr(GBytes) bytes = soup_session_send_and_read (pb->http, message, NULL, NULL);

  return bytes != NULL && soup_message_get_status (message) == 200;
}

static void
spawn_server (GigTestPb *pb)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (pb);
  g_autoptr(GError) error = NULL;
  g_autofree char *http = g_strdup_printf ("127.0.0.1:%u", pb->port);
  g_autofree char *migrations = g_build_filename (pb->source_root, "pb", "pb_migrations", NULL);
  g_autofree char *hooks = g_build_filename (pb->source_root, "pb", "pb_hooks", NULL);
  gint64 deadline = g_get_monotonic_time () + STARTUP_TIMEOUT_S * G_USEC_PER_SEC;

  g_assert_null (pb->process);
  pb->process = g_subprocess_launcher_spawn (launcher, &error, pb->binary, "serve",
                                             "--http", http, "--dir", pb->data_dir,
                                             "--migrationsDir", migrations, "--hooksDir", hooks,
                                             "--automigrate=0", "--dev=false", "--hooksWatch=false",
                                             NULL);
  g_assert_no_error (error);

  while (!healthy (pb))
    {
      if (!gig_test_pb_is_running (pb) || g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = read_log (pb);
          g_error ("PocketBase did not become healthy at %s\n%s", pb->url, log);
        }
      g_usleep (50 * 1000);
    }
}

static void
sign_in_superuser (GigTestPb *pb)
{
  g_autoptr(JsonNode) answer = NULL;
  guint status = 0;

  answer = gig_test_pb_call (pb, NULL, "POST", "/api/collections/_superusers/auth-with-password",
                             "{\"identity\":\"" SUPERUSER_EMAIL "\",\"password\":\"" SUPERUSER_PASSWORD "\"}",
                             &status);
  g_assert_cmpuint (status, ==, 200);
  g_free (pb->superuser_token);
  pb->superuser_token = g_strdup (json_object_get_string_member (json_node_get_object (answer), "token"));
}

GigTestPb *
gig_test_pb_start (void)
{
  GigTestPb *pb = g_new0 (GigTestPb, 1);
  g_autoptr(GError) error = NULL;

  pb->binary = g_strdup (require_env ("GIG_POCKETBASE"));
  pb->source_root = g_strdup (require_env ("GIG_SOURCE_ROOT"));
  if (!g_file_test (pb->binary, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("no PocketBase binary at %s (build the pb/ target first)", pb->binary);

  pb->data_dir = g_dir_make_tmp ("gigdesk-test-pb-XXXXXX", &error);
  g_assert_no_error (error);
  pb->log_path = g_build_filename (pb->data_dir, "pocketbase.log", NULL);
  pb->http = soup_session_new_with_options ("timeout", 30, NULL);
  pb->port = free_port ();
  pb->url = g_strdup_printf ("http://127.0.0.1:%u", pb->port);

  run_superuser_upsert (pb);
  spawn_server (pb);
  sign_in_superuser (pb);
  return pb;
}

static gboolean
delete_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          delete_tree (child);
        else
          g_unlink (child);
      }
  return g_rmdir (path) == 0;
}

void
gig_test_pb_free (GigTestPb *pb)
{
  if (pb == NULL)
    return;
  if (gig_test_pb_is_running (pb))
    {
      /* A paused server cannot handle SIGTERM until it runs again. */
      gig_test_pb_resume (pb);
      gig_test_pb_stop (pb);
    }
  if (pb->data_dir != NULL)
    delete_tree (pb->data_dir);
  g_clear_object (&pb->http);
  g_free (pb->binary);
  g_free (pb->source_root);
  g_free (pb->data_dir);
  g_free (pb->log_path);
  g_free (pb->url);
  g_free (pb->superuser_token);
  g_free (pb);
}

const char *
gig_test_pb_get_url (GigTestPb *pb)
{
  return pb->url;
}

const char *
gig_test_pb_get_data_dir (GigTestPb *pb)
{
  return pb->data_dir;
}

const char *
gig_test_pb_get_superuser_token (GigTestPb *pb)
{
  return pb->superuser_token;
}

gboolean
gig_test_pb_is_running (GigTestPb *pb)
{
  /* The identifier goes away once GLib's child watch has reaped the process. */
  return pb->process != NULL && g_subprocess_get_identifier (pb->process) != NULL;
}

static void
signal_and_wait (GigTestPb *pb, int signum)
{
  gint64 deadline;

  if (pb->process == NULL)
    return;
  g_subprocess_send_signal (pb->process, signum);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (gig_test_pb_is_running (pb))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (pb->process);
          deadline = G_MAXINT64;
        }
      g_usleep (10 * 1000);
    }
  g_subprocess_wait (pb->process, NULL, NULL);
  g_clear_object (&pb->process);
  /* Kept-alive connections to the old process are dead now. */
  g_clear_object (&pb->http);
  pb->http = soup_session_new_with_options ("timeout", 30, NULL);
}

void
gig_test_pb_stop (GigTestPb *pb)
{
  signal_and_wait (pb, SIGTERM);
}

void
gig_test_pb_kill (GigTestPb *pb)
{
  signal_and_wait (pb, SIGKILL);
}

void
gig_test_pb_pause (GigTestPb *pb)
{
  g_assert_true (gig_test_pb_is_running (pb));
  g_subprocess_send_signal (pb->process, SIGSTOP);
}

void
gig_test_pb_resume (GigTestPb *pb)
{
  if (gig_test_pb_is_running (pb))
    g_subprocess_send_signal (pb->process, SIGCONT);
}

void
gig_test_pb_restart (GigTestPb *pb)
{
  g_assert_false (gig_test_pb_is_running (pb));
  g_clear_object (&pb->process);
  spawn_server (pb);
}

void
gig_test_pb_exec_sql (GigTestPb *pb, const char *sql)
{
  g_autofree char *path = g_build_filename (pb->data_dir, "data.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  gig_test_pb_stop (pb);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("SQL on the PocketBase data failed: %s", message);
  sqlite3_close (db);
  gig_test_pb_restart (pb);
}

GigTestPbUser *
gig_test_pb_create_user (GigTestPb *pb, const char *name_hint)
{
  GigTestPbUser *user = g_new0 (GigTestPbUser, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;
  guint status = 0;

  user->name = g_strdup (name_hint ? name_hint : "user");
  user->email = g_strdup_printf ("%s.%u.%08x@gigdesk.test", user->name, ++user_counter, g_random_int ());
  user->password = g_strdup_printf ("pw-%08x-%08x", g_random_int (), g_random_int ());

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, user->email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, user->password);
  json_builder_set_member_name (builder, "passwordConfirm");
  json_builder_add_string_value (builder, user->password);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, user->name);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);

  answer = gig_test_pb_call (pb, NULL, "POST", "/api/collections/users/records", body, &status);
  if (status != 200)
    g_error ("creating a test user failed with HTTP %u", status);
  user->id = g_strdup (json_object_get_string_member (json_node_get_object (answer), "id"));
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&body, g_free);

  body = g_strdup_printf ("{\"identity\":\"%s\",\"password\":\"%s\"}", user->email, user->password);
  answer = gig_test_pb_call (pb, NULL, "POST", "/api/collections/users/auth-with-password", body, &status);
  if (status != 200)
    g_error ("signing in a test user failed with HTTP %u", status);
  object = json_node_get_object (answer);
  user->token = g_strdup (json_object_get_string_member (object, "token"));
  return user;
}

void
gig_test_pb_user_free (GigTestPbUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->email);
  g_free (user->password);
  g_free (user->name);
  g_free (user->token);
  g_free (user);
}

JsonNode *
gig_test_pb_call (GigTestPb   *pb,
                  const char  *token,
                  const char  *method,
                  const char  *path,
                  const char  *body,
                  guint       *out_status)
{
  g_autofree char *uri = g_strconcat (pb->url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, uri);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data;

  g_assert_nonnull (message);
  if (token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", token);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  answer = soup_session_send_and_read (pb->http, message, NULL, &error);
  g_assert_no_error (error);
  if (out_status != NULL)
    *out_status = soup_message_get_status (message);

  data = g_bytes_get_data (answer, &length);
  if (length == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    g_error ("%s %s answered with something that is not JSON: %s", method, path, error->message);
  return json_parser_steal_root (parser);
}

JsonNode *
gig_test_pb_superuser_call (GigTestPb   *pb,
                            const char  *method,
                            const char  *path,
                            const char  *body)
{
  guint status = 0;
  JsonNode *answer = gig_test_pb_call (pb, pb->superuser_token, method, path, body, &status);

  if (status < 200 || status > 299)
    {
      g_autofree char *text = answer ? json_to_string (answer, FALSE) : g_strdup ("");
      g_error ("%s %s as superuser failed with HTTP %u: %s", method, path, status, text);
    }
  return answer;
}

JsonObject *
gig_test_pb_call_ok (GigTestPb  *pb,
                     const char *token,
                     const char *method,
                     const char *path,
                     const char *body)
{
  guint status = 0;
  g_autoptr(JsonNode) answer = gig_test_pb_call (pb, token, method, path, body, &status);

  if (status < 200 || status > 299 || answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      g_autofree char *text = answer ? json_to_string (answer, FALSE) : g_strdup ("");
      g_error ("%s %s failed with HTTP %u: %s", method, path, status, text);
    }
  return json_object_ref (json_node_get_object (answer));
}

int
gig_test_run_sync_tool (const char *const *args,
                        const char        *input,
                        char             **out_stdout,
                        char             **out_stderr)
{
  g_autofree char *tool = g_build_filename (g_getenv ("GIG_BUILD_ROOT"), "src", "tools",
                                            "gigdesk-sync", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, tool);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, input, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("gigdesk-sync stderr: %s", err);
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (child);
}
