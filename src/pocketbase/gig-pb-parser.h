/* gig-pb-parser.h: pure, incremental parsers for PocketBase responses (fuzzed on their own).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

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

/* A record kept as the text the server sent, checked as strictly as gig_pb_parse_record and
 * with its top-level members indexed, but without a tree: what a first sync stores for each of
 * thousands of records is that text and a few of its members. One allocation; read-only, so it
 * may be read from several threads. */
typedef struct _GigPbRecord GigPbRecord;

typedef enum {
  GIG_PB_VALUE_NULL,
  GIG_PB_VALUE_BOOLEAN,
  GIG_PB_VALUE_NUMBER,
  GIG_PB_VALUE_STRING,
  GIG_PB_VALUE_ARRAY,
  GIG_PB_VALUE_OBJECT,
} GigPbValueType;

/* A top-level member, pointing into the record's text. */
typedef struct
{
  const char     *name;           /* the name's bytes between its quotes */
  gsize           name_length;
  gboolean        name_escaped;   /* the name has escapes: compare with gig_pb_member_has_name */
  GigPbValueType  type;
  const char     *value;          /* the value's JSON text; a string with its quotes */
  gsize           value_length;
  gboolean        value_escaped;  /* a string with escapes: decode with gig_pb_member_dup_string */
} GigPbMember;

/* The same checks and errors as gig_pb_parse_record. */
GigPbRecord *gig_pb_record_new             (const char          *data,
                                            gssize               length,
                                            GError             **error);
void         gig_pb_record_free            (GigPbRecord         *record);
/* NUL-terminated. */
const char  *gig_pb_record_get_text        (const GigPbRecord   *record,
                                            gsize               *out_length);
/* Decoded; the id is never empty, updated is NULL when the record has none. */
const char  *gig_pb_record_get_id          (const GigPbRecord   *record);
const char  *gig_pb_record_get_updated     (const GigPbRecord   *record);
/* In the order of the text; a repeated name appears each time (the last one counts). */
guint        gig_pb_record_get_n_members   (const GigPbRecord   *record);
void         gig_pb_record_get_member      (const GigPbRecord   *record,
                                            guint                index,
                                            GigPbMember         *out);
/* The whole record as a tree (the text is known to be valid: this does not fail). */
JsonObject  *gig_pb_record_to_object       (const GigPbRecord   *record);
/* GigPbRecord in, JsonObject out, in the same order. */
GPtrArray   *gig_pb_records_to_objects     (GPtrArray           *records);

gboolean     gig_pb_member_has_name        (const GigPbMember   *member,
                                            const char          *name);
/* For GIG_PB_VALUE_STRING: the decoded string. */
char        *gig_pb_member_dup_string      (const GigPbMember   *member);
/* For GIG_PB_VALUE_NUMBER, read as json-glib would: TRUE for an integer (in @out_int, also
 * given as a double), FALSE for a double (also given truncated to an integer). */
gboolean     gig_pb_member_get_number      (const GigPbMember   *member,
                                            gint64              *out_int,
                                            double              *out_double);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigPbRecord, gig_pb_record_free)

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
/* The records parsed so far (GigPbRecord), transfer full. */
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
