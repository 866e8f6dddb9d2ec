/* test-sync-status.c: the sync status a user sees follows the real server
 *
 * A real PocketBase is paused (SIGSTOP: it keeps its connections and says nothing), killed and
 * restarted by PID; the engine runs with its default health-check timing. Waits are bounded
 * generously; nothing here asserts on speed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "gig-test-pb.h"
#include "pocketbase/gig-pb-client.h"
#include "session/gig-session.h"
#include "store/gig-store.h"
#include "sync/gig-sync.h"

#define GENEROUS_MS 60000

typedef struct
{
  GigPbClient *client;
  GigSession  *session;
  GigStore    *store;
  GigSync     *sync;
  char        *dir;
  guint        synced_claims;  /* times the status turned to "synced" */
} Desk;

static void
keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* "Synced" must never be said while anything else holds. */
static void
status_changed_cb (GigSync *sync, GParamSpec *pspec, Desk *desk)
{
  if (gig_sync_get_status (sync) != GIG_SYNC_STATUS_SYNCED)
    return;
  desk->synced_claims++;
  g_assert_true (gig_sync_get_server_reachable (sync));
  g_assert_cmpuint (gig_sync_get_pending_count (sync), ==, 0);
  g_assert_cmpuint (gig_sync_get_failed_count (sync), ==, 0);
  g_assert_cmpuint (gig_sync_get_conflict_count (sync), ==, 0);
  g_assert_cmpint (gig_sync_get_state (sync), ==, GIG_SYNC_STATE_IDLE);
}

static Desk *
desk_open (GigTestPb *pb, GigTestPbUser *user)
{
  Desk *desk = g_new0 (Desk, 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  desk->client = gig_pb_client_new (gig_test_pb_get_url (pb));
  desk->session = gig_session_new (desk->client);
  gig_session_sign_in_async (desk->session, user->email, user->password, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gig_session_sign_in_finish (desk->session, result, &error));
  g_assert_no_error (error);

  desk->dir = g_dir_make_tmp ("gigdesk-status-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (desk->dir, "cache.sqlite", NULL);
  desk->store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  desk->sync = gig_sync_new (desk->store, desk->client, desk->session);
  g_signal_connect (desk->sync, "notify::status", G_CALLBACK (status_changed_cb), desk);
  return desk;
}

static void
desk_close (Desk *desk)
{
  gig_sync_stop (desk->sync);
  g_signal_handlers_disconnect_by_data (desk->sync, desk);
  g_clear_object (&desk->sync);
  gig_store_close (desk->store);
  g_clear_object (&desk->store);
  g_clear_object (&desk->session);
  g_clear_object (&desk->client);
  g_free (desk->dir);
  g_free (desk);
}

/* Waits for the "status" property to reach @status, spinning the main loop; FALSE on timeout. */
static gboolean
wait_status (GigSync *sync, GigSyncStatus status, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (gig_sync_get_status (sync) != status)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_test_message ("status is %d, waited for %d", gig_sync_get_status (sync), status);
          return FALSE;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static gboolean
sync_once (Desk *desk, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_sync_once_async (desk->sync, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return gig_sync_once_finish (desk->sync, result, error);
}

static char *
server_post_project (GigTestPb *pb, GigTestPbUser *owner, const char *title)
{
  g_autofree char *body = g_strdup_printf (
    "{\"title\":\"%s\",\"budget\":500,\"currency\":\"EUR\",\"status\":\"open\",\"owner\":\"%s\"}",
    title, owner->id);
  guint status = 0;
  g_autoptr(JsonNode) node = gig_test_pb_call (pb, owner->token, "POST",
                                               "/api/collections/projects/records", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
}

static char *
local_project (Desk *desk, const char *owner, const char *title)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  json_object_set_string_member (fields, "title", title);
  json_object_set_string_member (fields, "status", "open");
  json_object_set_string_member (fields, "owner", owner);
  json_object_set_string_member (fields, "currency", "EUR");
  json_object_set_int_member (fields, "budget", 100);
  g_assert_true (gig_store_create_record (desk->store, GIG_COLLECTION_PROJECTS, fields, &id, &error));
  g_assert_no_error (error);
  return id;
}

/* ------------------------------------------------------------------------------------------ */

/* The precedence of the derivation, one signal at a time. */
static void
test_status_precedence (void)
{
  GigSyncSignals quiet = { .network_available = TRUE, .server_reachable = TRUE };
  GigSyncSignals s;

  g_assert_cmpint (gig_sync_status_derive (&quiet), ==, GIG_SYNC_STATUS_SYNCED);

  s = quiet; s.pending_count = 1;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_SYNCING);
  s = quiet; s.cycle_running = TRUE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_SYNCING);
  s = quiet; s.failed_count = 1; s.cycle_running = TRUE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_ERROR);
  s = quiet; s.cycle_failed = TRUE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_ERROR);
  s = quiet; s.conflict_count = 1; s.failed_count = 1; s.pending_count = 1;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_CONFLICTS);
  /* a cycle hanging on a silent server is not progress */
  s = quiet; s.server_reachable = FALSE; s.cycle_running = TRUE; s.conflict_count = 1;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_OFFLINE);
  s = quiet; s.network_available = FALSE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_OFFLINE);
  s = quiet; s.cycle_offline = TRUE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_OFFLINE);
  s = quiet; s.sign_in_needed = TRUE; s.network_available = FALSE;
  g_assert_cmpint (gig_sync_status_derive (&s), ==, GIG_SYNC_STATUS_SIGN_IN_NEEDED);
}

/* A hung server (SIGSTOP) and a dead one (SIGKILL) leave "synced" without any write to push;
 * the status comes back by itself once the server does, and what was written meanwhile goes out. */
static void
test_status_follows_server (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  guint status = 0;
  Desk *desk = desk_open (pb, alice);

  g_free (server_post_project (pb, alice, "Before the outage"));
  gig_sync_start (desk->sync);
  g_assert_true (wait_status (desk->sync, GIG_SYNC_STATUS_SYNCED, GENEROUS_MS));
  g_assert_true (gig_sync_get_server_reachable (desk->sync));

  /* hung: connections stay open, nothing is answered, nothing is written here */
  gig_test_pb_pause (pb);
  g_assert_true (wait_status (desk->sync, GIG_SYNC_STATUS_OFFLINE, GENEROUS_MS));
  g_assert_false (gig_sync_get_server_reachable (desk->sync));
  gig_test_pb_resume (pb);
  g_assert_true (wait_status (desk->sync, GIG_SYNC_STATUS_SYNCED, GENEROUS_MS));

  /* dead: the realtime stream drops; a write made meanwhile waits and is counted */
  gig_test_pb_kill (pb);
  g_assert_true (wait_status (desk->sync, GIG_SYNC_STATUS_OFFLINE, GENEROUS_MS));
  id = local_project (desk, alice->id, "Written while the server is down");
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_OFFLINE);
  g_assert_cmpuint (gig_sync_get_pending_count (desk->sync), ==, 1);

  gig_test_pb_restart (pb);
  g_assert_true (wait_status (desk->sync, GIG_SYNC_STATUS_SYNCED, GENEROUS_MS));
  g_assert_cmpuint (gig_sync_get_pending_count (desk->sync), ==, 0);
  path = g_strdup_printf ("/api/collections/projects/records/%s", id);
  answer = gig_test_pb_call (pb, alice->token, "GET", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (desk->synced_claims, >=, 3);
  desk_close (desk);
}

/* A conflict waiting for the user is what the status says, whatever else is fine. */
static void
test_status_conflict (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autofree char *id = server_post_project (pb, alice, "Original");
  g_autofree char *path = g_strdup_printf ("/api/collections/projects/records/%s", id);
  g_autoptr(JsonObject) mine = json_object_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;
  Desk *desk = desk_open (pb, alice);

  g_assert_true (sync_once (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_SYNCED);

  json_object_set_string_member (mine, "title", "Mine");
  g_assert_true (gig_store_update_record (desk->store, GIG_COLLECTION_PROJECTS, id, mine, &error));
  answer = gig_test_pb_call (pb, alice->token, "PATCH", path, "{\"title\":\"Theirs\"}", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (sync_once (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_sync_get_conflict_count (desk->sync), ==, 1);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_CONFLICTS);

  /* resolved and sent: synced again */
  g_assert_true (gig_store_resolve_conflict (desk->store, GIG_COLLECTION_PROJECTS, id, "title", TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (sync_once (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gig_sync_get_conflict_count (desk->sync), ==, 0);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_SYNCED);
  desk_close (desk);
}

/* A change the server refused for good is kept, and the status says so after later cycles
 * succeed too (the engine's state is idle again, which alone would read "Synced"). */
static void
test_status_refused (void)
{
  g_autoptr(GigTestPb) pb = gig_test_pb_start ();
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) changed = json_object_new ();
  g_autofree char *bad = NULL;
  Desk *desk = desk_open (pb, alice);

  g_assert_true (sync_once (desk, &error));
  bad = local_project (desk, alice->id, "Bad currency");
  json_object_set_string_member (changed, "currency", "euros");
  g_assert_true (gig_store_update_record (desk->store, GIG_COLLECTION_PROJECTS, bad, changed, &error));
  g_assert_false (sync_once (desk, &error));
  g_assert_error (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_ERROR);

  g_assert_true (sync_once (desk, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gig_sync_get_state (desk->sync), ==, GIG_SYNC_STATE_IDLE);
  g_assert_cmpuint (gig_sync_get_failed_count (desk->sync), ==, 1);
  g_assert_cmpint (gig_sync_get_status (desk->sync), ==, GIG_SYNC_STATUS_ERROR);
  desk_close (desk);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/status/precedence", test_status_precedence);
  g_test_add_func ("/sync/status/follows-server", test_status_follows_server);
  g_test_add_func ("/sync/status/conflict", test_status_conflict);
  g_test_add_func ("/sync/status/refused", test_status_refused);

  return g_test_run ();
}
