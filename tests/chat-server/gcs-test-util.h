/* gcs-test-util.h: start gigdesk-chat-server and talk to it, for the C tests
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define GCS_TEST_KEY    "gigdesk-test-key"
#define GCS_TEST_SECRET "gigdesk-test-secret-0123456789abcdef"

typedef struct {
  GSubprocess *proc;
  char        *url;     /* http://127.0.0.1:PORT */
  char        *ws_url;  /* ws://127.0.0.1:PORT */
  SoupSession *session;
} GcsTestServer;

GcsTestServer *gcs_test_server_start (const char *const *extra_args);
void           gcs_test_server_stop  (GcsTestServer *server);

char          *gcs_test_user_token   (const char *user_id,
                                      gint64      exp);   /* 0: no exp */
char          *gcs_test_server_token (void);

/* Synchronous REST call; returns the parsed body (object) and sets *out_status. */
JsonObject    *gcs_test_request      (GcsTestServer *server,
                                      const char    *method,
                                      const char    *path,      /* may carry a query */
                                      const char    *token,
                                      const char    *api_key,   /* NULL: the right one */
                                      const char    *body,
                                      guint         *out_status);

typedef struct {
  SoupWebsocketConnection *ws;
  GQueue                   frames;     /* JsonObject */
  gboolean                 closed;
  gushort                  close_code;
  GError                  *error;
  guint                   *counter;    /* optional: incremented per frame of count_type */
  const char              *count_type;
} GcsTestSocket;

GcsTestSocket *gcs_test_socket_open  (GcsTestServer *server,
                                      const char    *user_id,
                                      const char    *token,
                                      const char    *api_key);
/* Like gcs_test_socket_open, but sends the token as Authorization/Stream-Auth-Type headers
 * on the upgrade request instead of in the query. */
GcsTestSocket *gcs_test_socket_open_headers (GcsTestServer *server,
                                             const char    *user_id,
                                             const char    *token);
/* Waits up to timeout_ms for a frame (optionally of the given type); NULL on timeout. */
JsonObject    *gcs_test_socket_next  (GcsTestSocket *sock,
                                      const char    *type,
                                      guint          timeout_ms);
gboolean       gcs_test_socket_wait_closed (GcsTestSocket *sock,
                                            guint          timeout_ms);
void           gcs_test_socket_send  (GcsTestSocket *sock,
                                      const char    *text);
void           gcs_test_socket_free  (GcsTestSocket *sock);

JsonObject    *gcs_test_parse        (const char    *text);
char          *gcs_test_to_string    (JsonObject    *obj);

G_END_DECLS
