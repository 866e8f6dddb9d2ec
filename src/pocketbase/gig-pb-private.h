/* gig-pb-private.h: shared between the files of the pocketbase layer.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pocketbase/gig-pb-client.h"

G_BEGIN_DECLS

/* Maps an HTTP error answer to a GIG_PB_ERROR with the server's message and field errors.
 * @body may be NULL (no or unparsable JSON). */
GError *gig_pb_error_from_response (guint       status,
                                    const char *reason,
                                    JsonNode   *body,
                                    gboolean    is_auth_request);
GError *gig_pb_error_new           (GigPbError  code,
                                    guint       status,
                                    const char *message);
/* A request cut by its deadline: a network error (worth retrying) that says why. */
GError *gig_pb_error_new_too_slow  (guint       seconds);
/* {"requests":[...]} for POST /api/batch. */
char   *gig_pb_batch_to_json       (GigPbBatch *batch,
                                    gsize      *length);

G_END_DECLS
