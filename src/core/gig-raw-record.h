/* gig-raw-record.h: a record kept as the text the server sent
 *
 * SPDX-License-Identifier: MIT
 *
 * The text was checked as strictly as any JSON Gigdesk reads (gig-json.h) and its top-level
 * members are indexed, but no tree is built: what a first sync stores for each of thousands of
 * records is that text and a few of its members. The network layer makes them
 * (gig_pb_record_new checks a record's id and stamp); the store takes them in. One allocation;
 * read-only, so it may be read from several threads.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gig-json.h"

G_BEGIN_DECLS

typedef struct _GigRawRecord GigRawRecord;

/* A top-level member, pointing into the record's text. */
typedef struct
{
  const char  *name;           /* the name's bytes between its quotes */
  gsize        name_length;
  gboolean     name_escaped;   /* the name has escapes: compare with gig_raw_member_has_name */
  GigJsonType  type;
  const char  *value;          /* the value's JSON text; a string with its quotes */
  gsize        value_length;
  gboolean     value_escaped;  /* a string with escapes: decode with gig_raw_member_dup_string */
} GigRawMember;

/* A record of @text (@length bytes, already checked: one object whose top-level members are
 * @members, as gig_json_scanner_scan_object indexed them), its decoded @id (never empty) and
 * @updated (NULL when the record has none). Everything is copied. */
GigRawRecord *gig_raw_record_new            (const char          *text,
                                             gsize                length,
                                             const GigJsonMember *members,
                                             guint                n_members,
                                             const char          *id,
                                             const char          *updated);
void          gig_raw_record_free           (GigRawRecord        *record);
/* NUL-terminated. */
const char   *gig_raw_record_get_text       (const GigRawRecord  *record,
                                             gsize               *out_length);
const char   *gig_raw_record_get_id         (const GigRawRecord  *record);
/* NULL when the record has none. */
const char   *gig_raw_record_get_updated    (const GigRawRecord  *record);
/* In the order of the text; a repeated name appears each time (the last one counts). */
guint         gig_raw_record_get_n_members  (const GigRawRecord  *record);
void          gig_raw_record_get_member     (const GigRawRecord  *record,
                                             guint                index,
                                             GigRawMember        *out);
/* The whole record as a tree (the text is known to be valid: this does not fail). */
JsonObject   *gig_raw_record_to_object      (const GigRawRecord  *record);
/* GigRawRecord in, JsonObject out, in the same order. */
GPtrArray    *gig_raw_records_to_objects    (GPtrArray           *records);

gboolean      gig_raw_member_has_name       (const GigRawMember  *member,
                                             const char          *name);
/* For GIG_JSON_TYPE_STRING: the decoded string. */
char         *gig_raw_member_dup_string     (const GigRawMember  *member);
/* For GIG_JSON_TYPE_NUMBER, read as json-glib would: TRUE for an integer (in @out_int, also
 * given as a double), FALSE for a double (also given truncated to an integer). */
gboolean      gig_raw_member_get_number     (const GigRawMember  *member,
                                             gint64              *out_int,
                                             double              *out_double);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigRawRecord, gig_raw_record_free)

G_END_DECLS
