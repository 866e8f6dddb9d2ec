/* gig-record-row.h: one project or proposal in the sidebar list
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "model/gig-record.h"
#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_RECORD_ROW (gig_record_row_get_type ())

G_DECLARE_FINAL_TYPE (GigRecordRow, gig_record_row, GIG, RECORD_ROW, GtkWidget)

GigRecordRow *gig_record_row_new    (void);
/* Shows @record (a GigProject or GigProposal); a proposal's project title and currency are
 * read from @store. */
void          gig_record_row_bind   (GigRecordRow  *self,
                                     GigStore      *store,
                                     GigRecord     *record);
void          gig_record_row_unbind (GigRecordRow  *self);
/* Chat messages the user has not read (0 hides the badge). */
void          gig_record_row_set_unread (GigRecordRow *self,
                                         guint         unread);
guint         gig_record_row_get_unread (GigRecordRow *self);
const char   *gig_record_row_get_id (GigRecordRow  *self);
const char   *gig_record_row_get_title (GigRecordRow *self);
const char   *gig_record_row_get_subtitle (GigRecordRow *self);

G_END_DECLS
