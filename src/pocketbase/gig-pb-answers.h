/* gig-pb-answers.h: pure parsers for the answers to single requests and for realtime events
 * (fuzzed on their own). Each reads with the bounded JSON reader and checks the shape before
 * anything else looks inside; errors are GIG_PB_ERROR_MALFORMED.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The most a client reads of each kind of answer; more is an error, not a longer read.
 * The largest record the schema allows (a 20,000-character description, every character
 * written as a \u escape) is under 150 KB. */
#define GIG_PB_MAX_RECORD_ANSWER  (1024 * 1024)        /* one record: get, create, update, sign-up */
#define GIG_PB_MAX_AUTH_ANSWER    (1024 * 1024)        /* a token and the user's own record */
#define GIG_PB_MAX_BATCH_ANSWER   (16 * 1024 * 1024)   /* a sync pushes at most 50 records a batch */
#define GIG_PB_MAX_ERROR_ANSWER   (1024 * 1024)        /* a message and field errors (shown cut short) */
#define GIG_PB_MAX_EVENT_DATA     (1024 * 1024)        /* one record and its action */

/* {id, ...}: a record with a non-empty string id. */
JsonObject *gig_pb_parse_record_answer   (const char  *data,
                                          gsize        length,
                                          GError     **error);
/* {"token": "...", "record": {...}}: the user's record (checked as a record) and the token. */
JsonObject *gig_pb_parse_auth_answer     (const char  *data,
                                          gsize        length,
                                          char       **out_token,
                                          GError     **error);
/* [{"status":..., "body": {record}}, ...]: the records in request order (JsonObject). */
GPtrArray  *gig_pb_parse_batch_answer    (const char  *data,
                                          gsize        length,
                                          GError     **error);
/* An error answer's body, or NULL when it is not JSON (the status then speaks alone). */
JsonNode   *gig_pb_parse_error_answer    (const char  *data,
                                          gsize        length);

/* One realtime message (SSE data). PB_CONNECT gives its client id; a record event gives its
 * action, collection (from the record, else the event's topic) and record. */
typedef struct
{
  char       *client_id;
  char       *action;
  char       *collection;
  JsonObject *record;
} GigPbRealtimeEvent;

gboolean    gig_pb_parse_realtime_event  (const char          *event,
                                          const char          *data,
                                          GigPbRealtimeEvent  *out,
                                          GError             **error);
void        gig_pb_realtime_event_clear  (GigPbRealtimeEvent  *event);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GigPbRealtimeEvent, gig_pb_realtime_event_clear)

G_END_DECLS
