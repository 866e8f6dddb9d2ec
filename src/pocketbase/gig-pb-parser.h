/* gig-pb-parser.h: pure, incremental parsers for PocketBase responses (fuzzed on their own).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gig-raw-record.h"

G_BEGIN_DECLS

/* Parses one record: a JSON object with a string "id" (and, if present, a string "updated").
 * The text must be strict JSON (RFC 8259) nested at most 64 deep; errors are
 * GIG_PB_ERROR_MALFORMED. @length may be -1 for NUL-terminated text. */
JsonObject *gig_pb_parse_record (const char  *data,
                                 gssize       length,
                                 GError     **error);

/* The checks above on a value already read: a new reference to the record, or NULL. */
JsonObject *gig_pb_check_record (JsonNode  *root,
                                 GError   **error);

/* Checks one record as strictly as gig_pb_parse_record (the same errors) and keeps it as the
 * server's text (see core/gig-raw-record.h). */
GigRawRecord *gig_pb_record_new (const char  *data,
                                 gssize       length,
                                 GError     **error);

/* A list page parsed as bytes arrive: `{"items":[{...},{...}], "page":..., ...}`. Each item is
 * checked and kept (gig_pb_record_new) as soon as its closing brace arrives. Other top-level
 * members are checked and dropped. */
typedef struct _GigPbPageParser GigPbPageParser;

GigPbPageParser *gig_pb_page_parser_new         (void);
void             gig_pb_page_parser_free        (GigPbPageParser *parser);
gboolean         gig_pb_page_parser_feed        (GigPbPageParser *parser,
                                                 const char      *data,
                                                 gsize            length,
                                                 GError         **error);
/* Call at end of input: fails if the document was cut short or had no "items". */
gboolean         gig_pb_page_parser_finish      (GigPbPageParser *parser,
                                                 GError         **error);
/* The records parsed so far (GigRawRecord), transfer full. */
GPtrArray       *gig_pb_page_parser_steal_records (GigPbPageParser *parser);
/* The same as trees (JsonObject), transfer full. */
GPtrArray       *gig_pb_page_parser_steal_items (GigPbPageParser *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigPbPageParser, gig_pb_page_parser_free)

/* Server-sent events (text/event-stream): `event:`, `data:` (multi-line joined with "\n"),
 * `id:` fields, `:` comments, any of \n, \r\n, \r as line ends, a blank line dispatches. */
typedef struct _GigPbSseParser GigPbSseParser;

typedef void (*GigPbSseEventFunc) (const char *event,
                                   const char *id,
                                   const char *data,
                                   gpointer    user_data);

GigPbSseParser *gig_pb_sse_parser_new   (GigPbSseEventFunc  func,
                                         gpointer           user_data);
void            gig_pb_sse_parser_free  (GigPbSseParser    *parser);
/* FALSE (GIG_PB_ERROR_MALFORMED) if a line or an event grows past GIG_PB_MAX_EVENT_DATA. */
gboolean        gig_pb_sse_parser_feed  (GigPbSseParser    *parser,
                                         const char        *data,
                                         gsize              length,
                                         GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigPbSseParser, gig_pb_sse_parser_free)

G_END_DECLS
