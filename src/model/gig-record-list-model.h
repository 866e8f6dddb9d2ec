/* gig-record-list-model.h: a GListModel over a store query, paged in on demand
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "gig-record.h"
#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_RECORD_LIST_MODEL (gig_record_list_model_get_type ())

G_DECLARE_FINAL_TYPE (GigRecordListModel, gig_record_list_model, GIG, RECORD_LIST_MODEL, GObject)

/* Items are GigRecord subclasses (GigProject, ...) of the query's collection. Only the count
 * is read up front; ids are read a page at a time and a bounded number of pages and items are
 * kept, so a list of 100 000 rows costs a few hundred objects at most. */
GigRecordListModel  *gig_record_list_model_new        (GigStore            *store,
                                                       const GigStoreQuery *query);
GigStore            *gig_record_list_model_get_store  (GigRecordListModel  *self);
const GigStoreQuery *gig_record_list_model_get_query  (GigRecordListModel  *self);
/* Replaces the query (search text, sort, ...): every item is removed, then the new ones added. */
void                 gig_record_list_model_set_query  (GigRecordListModel  *self,
                                                       const GigStoreQuery *query);
/* Re-reads the list after a change the model does not follow itself (a proposal shows its
 * project's title). A changed count replaces every item; the same count re-reads the rows
 * read last (what is on screen) in place, keeping the scroll position. */
void                 gig_record_list_model_refresh    (GigRecordListModel  *self);
/* Position of @id in the list, or -1. */
gint64               gig_record_list_model_find       (GigRecordListModel  *self,
                                                       const char          *id);
/* Cache sizes, for tests and diagnostics. */
guint                gig_record_list_model_get_cached_pages (GigRecordListModel *self);
guint                gig_record_list_model_get_cached_items (GigRecordListModel *self);

G_END_DECLS
