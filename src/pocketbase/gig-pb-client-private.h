/* gig-pb-client-private.h: one request of GigPbClient (gig-pb-client.c), shared with the
 * requests made in gig-pb-list.c and gig-pb-batch.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "core/gig-io.h"
#include "pocketbase/gig-pb-private.h"

G_BEGIN_DECLS

typedef enum {
  RESULT_RECORD,   /* one record object */
  RESULT_AUTH,     /* {token, record}: sets the token */
  RESULT_BATCH,    /* [{status, body}] */
  RESULT_HEALTH,   /* any JSON answer with a 2xx status */
  RESULT_LIST,     /* a page, parsed as it streams in */
  RESULT_NONE,     /* any 2xx (204 No Content): the answer's body is not read for meaning */
} ResultKind;

typedef struct
{
  SoupMessage     *message;
  ResultKind       kind;
  gboolean         is_auth_request;
  guint            deadline_s;
  GigDeadline     *deadline;      /* cancels everything below when the time is up */
  GInputStream    *stream;
  GigPbPageParser *page;          /* a list page with a success status */
} RequestData;

void         gig_pb_client_request_data_free (RequestData  *data);
SoupMessage *gig_pb_client_new_message       (GigPbClient  *self,
                                              const char   *method,
                                              const char   *path,
                                              const char   *query,
                                              JsonNode     *body,
                                              gboolean      with_token,
                                              GError      **error);
/* Sends @data->message on @session under the client's deadline; the task's data must be @data. */
void         gig_pb_client_start_request     (GigPbClient  *self,
                                              SoupSession  *session,
                                              GTask        *task,
                                              RequestData  *data);
/* A failed send or read, as this layer's error: a request cut by its deadline says so. */
GError      *gig_pb_client_transfer_error    (RequestData  *data,
                                              GError       *error);
/* "/api/collections/<collection>/records[/<id>]", escaped. */
char        *gig_pb_client_record_path       (const char   *collection,
                                              const char   *id);
SoupSession *gig_pb_client_get_session       (GigPbClient  *self);
/* A new node holding @object (a reference is taken), for a request's body. */
JsonNode    *gig_pb_client_node_for_object   (JsonObject   *object);
/* Sends one request on the client's session; @body may be NULL. The task's result is what
 * @kind says (a JsonObject for RESULT_RECORD, a boolean for RESULT_NONE and RESULT_HEALTH). */
void         gig_pb_client_send              (GigPbClient         *self,
                                              gpointer             source_tag,
                                              ResultKind           kind,
                                              gboolean             is_auth_request,
                                              const char          *method,
                                              const char          *path,
                                              JsonNode            *body,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* Reads the next chunk of a list page (gig-pb-list.c) once the answer's status is a success. */
void         gig_pb_client_list_read_next    (GTask        *task);

G_END_DECLS
