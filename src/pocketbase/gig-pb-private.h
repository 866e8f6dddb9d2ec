/* gig-pb-private.h: shared between the files of the pocketbase layer; no HTTP in here (the
 * parsers that use it are fuzzed without libsoup). The client's request machinery is in
 * gig-pb-client-private.h.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "core/gig-json.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-parser.h"

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

/* A single record or top-level value larger than this is not something PocketBase sends. */
#define GIG_PB_MAX_VALUE_SIZE (16 * 1024 * 1024)

/* Records (gig-pb-parser.c), for the page parser (gig-pb-page.c) and the SSE parser. */
gboolean     gig_pb_set_malformed           (GError          **error,
                                             const char       *what);
void         gig_pb_set_malformed_from_json (GError          **error,
                                             const GError     *json_error,
                                             const char       *what);
/* Scans one record with @scanner (scratch kept by the caller). */
GigRawRecord *gig_pb_scan_record             (GigJsonScanner   *scanner,
                                             const char       *data,
                                             gsize             length,
                                             GError          **error);

G_END_DECLS
