/* gig-record.h: base of the domain objects built from a store row
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"
#include "gig-status.h"

G_BEGIN_DECLS

#define GIG_TYPE_RECORD (gig_record_get_type ())

G_DECLARE_DERIVABLE_TYPE (GigRecord, gig_record, GIG, RECORD, GObject)

struct _GigRecordClass
{
  GObjectClass parent_class;

  GigCollection collection;
};

/* The object type of @collection's records (GIG_TYPE_PROJECT, ...), or G_TYPE_INVALID. */
GType          gig_record_type_for_collection (GigCollection   collection);
/* Builds the object of @collection's type from a record as the store returns it. Objects are
 * snapshots: a later change in the store makes a new object. */
GigRecord     *gig_record_new_for_collection  (GigCollection   collection,
                                               JsonObject     *record,
                                               GigLocalState   local_state);

/* Reads a record and its local state from @store; NULL when the store has no such record. */
GigRecord     *gig_record_load                (GigStore       *store,
                                               GigCollection   collection,
                                               const char     *id);
/* Several at once, in the order of @ids, leaving out those the store lacks. */
GPtrArray     *gig_record_load_many           (GigStore       *store,
                                               GigCollection   collection,
                                               const char * const *ids);

const char    *gig_record_get_id              (GigRecord      *self);
GigCollection  gig_record_get_collection      (GigRecord      *self);
GigLocalState  gig_record_get_local_state     (GigRecord      *self);
gboolean       gig_record_get_deleted         (GigRecord      *self);
const char    *gig_record_get_created         (GigRecord      *self);
const char    *gig_record_get_updated         (GigRecord      *self);
/* A draft is a local record never sent (a proposal being written). */
gboolean       gig_record_is_draft            (GigRecord      *self);
/* The status as its user reads it: the translated name of a known status, else the string as
 * the server has it ("" when there is none), and the tone it shows in. */
const char    *gig_record_get_status_label    (GigRecord      *self);
GigStatusTone  gig_record_get_status_tone     (GigRecord      *self);
/* The fields that move a record to the trash (a soft delete, stamped now) or back. */
JsonObject    *gig_record_trash_fields        (gboolean        to_trash);

/* What a field of a record holds, for views that show any field (a conflict's choices). */
typedef enum {
  GIG_FIELD_EMPTY,     /* missing, null or "" */
  GIG_FIELD_TEXT,      /* a string */
  GIG_FIELD_DAY,       /* a calendar day (a due date): a PocketBase datetime string */
  GIG_FIELD_MONEY,     /* an amount or budget: a double */
  GIG_FIELD_NUMBER,    /* any other fractional number: a double */
  GIG_FIELD_BOOLEAN,   /* a boolean */
  GIG_FIELD_OTHER,     /* anything else: its JSON text */
} GigFieldKind;

/* Reads @field of @record (a record, or the server's values of a conflict) into @value (unset
 * for EMPTY; a string, double or boolean as the kind says). */
GigFieldKind   gig_record_read_field          (JsonObject     *record,
                                               const char     *field,
                                               GValue         *value);
/* The name a user knows @field by ("Cover Letter"); the field itself for one without. */
const char    *gig_record_field_label         (const char     *field);
/* The fields of a conflict, sorted; free with g_strfreev(). */
GStrv          gig_record_conflict_fields     (JsonObject     *conflict);

/* The record's JSON (read only). */
JsonObject    *gig_record_get_json            (GigRecord      *self);

/* Typed members of the record; defaults for missing or mistyped members. */
const char    *gig_record_get_string          (GigRecord      *self,
                                               const char     *member);
double         gig_record_get_double          (GigRecord      *self,
                                               const char     *member);
gint64         gig_record_get_int             (GigRecord      *self,
                                               const char     *member);
gboolean       gig_record_get_boolean         (GigRecord      *self,
                                               const char     *member);

/* Whether the server has the `status` shown: FALSE while it is a local change (or a create)
 * still waiting in the outbox, held by a conflict or refused. A view must not show such a status
 * as done ("Sent", "Approved") before the server has it. Drafts count as confirmed (they are
 * shown as drafts). */
gboolean       gig_record_status_is_confirmed (GigRecord      *self,
                                               GigStore       *store);

/* For subclasses: fills @value for a property named after a JSON member ("cover-letter" reads
 * the member "cover_letter"). */
void           gig_record_get_member_property (GigRecord      *self,
                                               GParamSpec     *pspec,
                                               GValue         *value);

G_END_DECLS
