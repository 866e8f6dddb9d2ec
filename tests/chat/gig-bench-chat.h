/* gig-bench-chat.h: what the chat benchmarks share — a local chat server, a stand-in for
 * PocketBase's chat token route, server-side calls and figures.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define GIG_BENCH_KEY    "bench-key"
#define GIG_BENCH_SECRET "bench-secret-0123456789abcdef0123"

/* "http://127.0.0.1:PORT" of the server gig_bench_start_chat_server() started. */
extern char *gig_bench_chat_url;

/* A user token (or a server token for NULL). */
char       *gig_bench_token_for          (const char  *user_id);
/* Spawns @argv, which prints "url=URL" as its first line; the caller stops it by PID. */
GPid        gig_bench_spawn_for_url      (const char * const *argv,
                                          char              **env,
                                          char              **out_url);
/* Starts $GIG_CHAT_SERVER on a free loopback port with @extra_args (NULL-terminated, may be
 * NULL); the caller stops it by the returned PID. */
GPid        gig_bench_start_chat_server  (const char * const *extra_args);
/* An in-process /api/chat/token: the PocketBase token is the user id; returns its base URL. */
SoupServer *gig_bench_token_server_new   (char       **out_url);
/* A server-side call that must succeed. */
void        gig_bench_server_call        (SoupSession *session,
                                          const char  *method,
                                          const char  *path,
                                          const char  *body);
/* Runs the default main context until *@flag (at most 20 s, then fails). */
void        gig_bench_spin_until         (gboolean    *flag);
/* qsort() order of doubles. */
int         gig_bench_compare_doubles    (gconstpointer a,
                                          gconstpointer b);
/* Median and spread of @samples (sorted in place), "name: X unit (target T)". */
void        gig_bench_print_spread       (const char  *name,
                                          double      *samples,
                                          guint        n,
                                          const char  *unit,
                                          const char  *target);

G_END_DECLS
