/* gig-record-row.h: one project or proposal in the sidebar list
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

#define GIG_TYPE_RECORD_ROW (gig_record_row_get_type ())

G_DECLARE_FINAL_TYPE (GigRecordRow, gig_record_row, GIG, RECORD_ROW, GtkWidget)

GigRecordRow *gig_record_row_new    (void);
/* Shows the record as the store has it now (a missing record shows as empty). */
void          gig_record_row_bind   (GigRecordRow  *self,
                                     GigStore      *store,
                                     GigCollection  collection,
                                     const char    *id);
void          gig_record_row_unbind (GigRecordRow  *self);
const char   *gig_record_row_get_id (GigRecordRow  *self);
const char   *gig_record_row_get_title (GigRecordRow *self);

G_END_DECLS
