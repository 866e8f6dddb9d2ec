/* gig-test-pb.h: a real PocketBase for a test, with this repository's schema and hooks.
 *
 * The server binary comes from $GIG_POCKETBASE, pb/pb_migrations and pb/pb_hooks from
 * $GIG_SOURCE_ROOT (both set by tests/meson.build). It listens on a free port of 127.0.0.1,
 * keeps its data in a fresh temporary directory, runs with --automigrate=0 --dev=false, and
 * is a child of the test process (it also dies with it). Failures abort the test with a
 * message that includes the server log.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _GigTestPb GigTestPb;

typedef struct
{
  char *id;
  char *email;
  char *password;
  char *name;
  char *token;
} GigTestPbUser;

/* Starts a server and waits for /api/health. A superuser exists (see get_superuser_token). */
GigTestPb     *gig_test_pb_start                (void);
/* Stops the server if it runs and removes its data directory. */
void           gig_test_pb_free                 (GigTestPb     *pb);

/* "http://127.0.0.1:PORT" */
const char    *gig_test_pb_get_url              (GigTestPb     *pb);
const char    *gig_test_pb_get_data_dir         (GigTestPb     *pb);
const char    *gig_test_pb_get_superuser_token  (GigTestPb     *pb);
gboolean       gig_test_pb_is_running           (GigTestPb     *pb);

/* SIGTERM and wait (a clean shutdown). */
void           gig_test_pb_stop                 (GigTestPb     *pb);
/* SIGKILL and wait: a crash, e.g. right after a commit whose response is then lost. */
void           gig_test_pb_kill                 (GigTestPb     *pb);
/* SIGSTOP: the process keeps its port and connections but answers nothing (a hung server). */
void           gig_test_pb_pause                (GigTestPb     *pb);
/* SIGCONT after gig_test_pb_pause (harmless otherwise). */
void           gig_test_pb_resume               (GigTestPb     *pb);
/* Starts the stopped server again on the same data directory and port. */
void           gig_test_pb_restart              (GigTestPb     *pb);

/* Runs @sql on the server's data.db while the server is stopped, then starts it again: for
 * states the API cannot produce (e.g. many records sharing one `updated` value). */
void           gig_test_pb_exec_sql             (GigTestPb     *pb,
                                                 const char    *sql);

/* Signs up a user (unique email from @name_hint) and signs in. */
GigTestPbUser *gig_test_pb_create_user          (GigTestPb     *pb,
                                                 const char    *name_hint);
void           gig_test_pb_user_free            (GigTestPbUser *user);

/* A blocking REST call on its own HTTP session (does not need the main loop). @token may be
 * NULL (guest) or a user's or the superuser's token; @body is JSON text or NULL. Returns the
 * parsed answer (NULL for an empty body) and stores the HTTP status in @out_status. */
JsonNode      *gig_test_pb_call                 (GigTestPb     *pb,
                                                 const char    *token,
                                                 const char    *method,
                                                 const char    *path,
                                                 const char    *body,
                                                 guint         *out_status);
/* The same, asserting a 2xx status and an object in the answer. */
JsonObject    *gig_test_pb_call_ok              (GigTestPb     *pb,
                                                 const char    *token,
                                                 const char    *method,
                                                 const char    *path,
                                                 const char    *body);
/* The same with the superuser's token; asserts a 2xx status. */
JsonNode      *gig_test_pb_superuser_call       (GigTestPb     *pb,
                                                 const char    *method,
                                                 const char    *path,
                                                 const char    *body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigTestPb, gig_test_pb_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigTestPbUser, gig_test_pb_user_free)

/* Runs the built gigdesk-sync ($GIG_BUILD_ROOT/src/tools) with `args`, `input` on its stdin
 * (or none), and returns its exit status; what it printed goes to `out_stdout`/`out_stderr`
 * (either may be NULL). Its stderr is also logged as a test message. */
int            gig_test_run_sync_tool           (const char *const *args,
                                                 const char        *input,
                                                 char             **out_stdout,
                                                 char             **out_stderr);

G_END_DECLS
