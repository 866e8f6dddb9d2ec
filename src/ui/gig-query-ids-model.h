/* gig-query-ids-model.h: a lazy GListModel of record ids for one store query
 *
 * SPDX-License-Identifier: MIT
 *
 * Items are GtkStringObjects holding a record id; rows look the record up in the store when they
 * are bound. Only the count is known up front: ids are paged in on demand and a bounded number
 * of pages is kept, so a query over 100 000 rows costs a COUNT and a page or two.
 */
#pragma once

#include <gtk/gtk.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_QUERY_IDS_MODEL (gig_query_ids_model_get_type ())

G_DECLARE_FINAL_TYPE (GigQueryIdsModel, gig_query_ids_model, GIG, QUERY_IDS_MODEL, GObject)

GigQueryIdsModel    *gig_query_ids_model_new        (GigStore            *store,
                                                     const GigStoreQuery *query);
const GigStoreQuery *gig_query_ids_model_get_query  (GigQueryIdsModel    *self);
/* Replaces the query (scope, search text, sort) and refreshes. */
void                 gig_query_ids_model_set_query  (GigQueryIdsModel    *self,
                                                     const GigStoreQuery *query);
/* Re-reads the count and drops cached pages. A changed count replaces every item; the same
 * count re-reads the range that was read last (what is on screen). */
void                 gig_query_ids_model_refresh    (GigQueryIdsModel    *self);
/* The id at @position without making an item, or NULL. */
const char          *gig_query_ids_model_get_id     (GigQueryIdsModel    *self,
                                                     guint                position);
guint                gig_query_ids_model_get_cached_pages (GigQueryIdsModel *self);

G_END_DECLS
