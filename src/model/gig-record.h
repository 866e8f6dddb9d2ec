/* gig-record.h: base of the domain objects built from a store row
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"

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

const char    *gig_record_get_id              (GigRecord      *self);
GigCollection  gig_record_get_collection      (GigRecord      *self);
GigLocalState  gig_record_get_local_state     (GigRecord      *self);
gboolean       gig_record_get_deleted         (GigRecord      *self);
const char    *gig_record_get_created         (GigRecord      *self);
const char    *gig_record_get_updated         (GigRecord      *self);
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
