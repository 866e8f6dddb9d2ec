/* gig-json.h: the one JSON reader for everything Gigdesk reads (servers, tokens, its own files).
 *
 * Strict RFC 8259, bounded in depth and size, so that no input can exhaust the stack or memory:
 * json-glib's own parser recurses without a limit. Builds json-glib nodes directly, or checks
 * and indexes an object's members without building anything. Also the one set of typed getters
 * that never trust the shape of what was read.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper than anything PocketBase or Stream send (a few levels), shallow enough for any stack. */
#define GIG_JSON_MAX_DEPTH 64

#define GIG_JSON_ERROR (gig_json_error_quark ())

typedef enum {
  GIG_JSON_ERROR_SYNTAX,      /* not JSON (or not strict JSON) */
  GIG_JSON_ERROR_TOO_DEEP,    /* nested deeper than GIG_JSON_MAX_DEPTH */
  GIG_JSON_ERROR_TOO_LARGE,   /* longer than the caller's limit */
  GIG_JSON_ERROR_NOT_OBJECT,  /* valid JSON, but an object was expected */
} GigJsonError;

GQuark      gig_json_error_quark   (void);

/* Parses exactly one JSON value filling @data..@length (-1: NUL-terminated), at most @max_size
 * bytes. Errors are GIG_JSON_ERROR; the precise reason goes to the debug log. */
JsonNode   *gig_json_parse         (const char  *data,
                                    gssize       length,
                                    gsize        max_size,
                                    GError     **error);
/* The same, for a value that must be an object. */
JsonObject *gig_json_parse_object  (const char  *data,
                                    gssize       length,
                                    gsize        max_size,
                                    GError     **error);

/* ------------------------------------------------------------------------------------------ */
/* Checking and indexing without a tree                                                       */

typedef enum {
  GIG_JSON_TYPE_NULL,
  GIG_JSON_TYPE_BOOLEAN,
  GIG_JSON_TYPE_NUMBER,
  GIG_JSON_TYPE_STRING,
  GIG_JSON_TYPE_ARRAY,
  GIG_JSON_TYPE_OBJECT,
} GigJsonType;

/* A top-level member of a scanned object: offsets into its text. */
typedef struct
{
  guint32 name;           /* the name's bytes between its quotes */
  guint32 name_length;
  guint32 value;          /* the value's JSON text; a string with its quotes */
  guint32 value_length;
  guint8  type;           /* GigJsonType */
  guint8  name_escaped;   /* the name has escapes: compare with gig_json_string_equals */
  guint8  value_escaped;  /* a string with escapes: decode with gig_json_decode_string */
} GigJsonMember;

/* Scratch space kept between scans (one per thread). */
typedef struct _GigJsonScanner GigJsonScanner;

GigJsonScanner      *gig_json_scanner_new          (void);
void                 gig_json_scanner_free         (GigJsonScanner  *scanner);
/* Checks that @data..@length is exactly one object, accepted exactly where gig_json_parse
 * accepts it, and indexes its top-level members in text order (a repeated name each time).
 * The members stay valid until the next scan. */
const GigJsonMember *gig_json_scanner_scan_object  (GigJsonScanner  *scanner,
                                                    const char      *data,
                                                    gsize            length,
                                                    gsize            max_size,
                                                    guint           *n_members,
                                                    GError         **error);
/* Checks that @data..@length is one JSON value, without building it. */
gboolean             gig_json_scanner_check        (GigJsonScanner  *scanner,
                                                    const char      *data,
                                                    gsize            length,
                                                    GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigJsonScanner, gig_json_scanner_free)

/* The last member called @name (the last of repeated names counts, as in json-glib), or NULL. */
const GigJsonMember *gig_json_members_find         (const char          *text,
                                                    const GigJsonMember *members,
                                                    guint                n_members,
                                                    const char          *name);
/* Whether the string whose text between its quotes is @raw..@raw_length (checked, with escapes
 * if @escaped) is @name. */
gboolean             gig_json_string_equals        (const char          *raw,
                                                    gsize                raw_length,
                                                    gboolean             escaped,
                                                    const char          *name);
/* Decodes a checked string value (@text..@length with its quotes) into @out. */
void                 gig_json_decode_string        (const char          *text,
                                                    gsize                length,
                                                    GString             *out);
/* Reads a checked number as json-glib would: TRUE for an integer that fits (in @out_int, also
 * as a double), FALSE for a double (also given clamped to an integer). */
gboolean             gig_json_number_value         (const char          *text,
                                                    gsize                length,
                                                    gint64              *out_int,
                                                    double              *out_double);

/* ------------------------------------------------------------------------------------------ */
/* Typed getters: a missing member, or one of another type, gives the fallback, never a      */
/* critical (json-glib's own getters assert on the type)                                      */

const char *gig_json_object_get_string   (JsonObject  *object,
                                          const char  *member);
const char *gig_json_object_get_string_or (JsonObject *object,
                                          const char  *member,
                                          const char  *fallback);
JsonObject *gig_json_object_get_object   (JsonObject  *object,
                                          const char  *member);
JsonArray  *gig_json_object_get_array    (JsonObject  *object,
                                          const char  *member);
/* An integer, or a double truncated (clamped to the gint64 range). */
gint64      gig_json_object_get_int      (JsonObject  *object,
                                          const char  *member,
                                          gint64       fallback);
double      gig_json_object_get_double   (JsonObject  *object,
                                          const char  *member,
                                          double       fallback);
gboolean    gig_json_object_get_boolean  (JsonObject  *object,
                                          const char  *member,
                                          gboolean     fallback);
const char *gig_json_node_get_string     (JsonNode    *node);
JsonObject *gig_json_node_get_object     (JsonNode    *node);
JsonObject *gig_json_array_get_object    (JsonArray   *array,
                                          guint        index);

G_END_DECLS
