/* gig-ui-util.h: small formatting helpers shared by the views
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"
#include "model/gig-record.h"

G_BEGIN_DECLS

/* Reads an amount field with gig_money_parse(). The field is red while its text is not an
 * amount and stops being red as soon as it is; an empty field is not marked (the form decides
 * whether it may be empty, the error says EMPTY). */
gboolean    gig_ui_read_amount_row (GtkWidget   *row,
                                    double      *amount,
                                    GError     **error);
/* Puts an amount into a field in the form gig_ui_read_amount_row() reads; 0 shows as empty
 * when @zero_is_empty. */
void        gig_ui_set_amount_row  (GtkWidget   *row,
                                    double       amount,
                                    gboolean     zero_is_empty);
/* A short, human date ("24 Nov 2026") from a PocketBase datetime; "" when unset. */
char       *gig_ui_format_date   (const char  *pb_datetime);
/* A due date ("24 Nov 2026") from a PocketBase datetime: the calendar day it names (midnight
 * UTC by convention), not converted to local time, where it would be the day before west of
 * Greenwich; "" when unset. */
char       *gig_ui_format_day    (const char  *pb_datetime);
/* A calendar date as a date field shows it: the locale's numeric form ("12/24/2026",
 * "24.12.2026"), ISO 8601 where the locale's form has no four-digit year (C, POSIX). */
char       *gig_ui_format_date_input (const GDate *date);
/* What a user typed into a date field: ISO 8601 ("2026-12-24") or the locale's form. FALSE
 * for anything else, including impossible dates. */
gboolean    gig_ui_parse_date_input  (const char  *text,
                                      GDate       *date);
/* Icon name and tooltip for a local sync state; NULL icon for synced records. */
const char *gig_ui_local_state_icon    (GigLocalState state);
const char *gig_ui_local_state_tooltip (GigLocalState state);

/* The pill text and style class of @record as the user may rely on it: "Draft", "Waiting to
 * Send" while the status shown is not yet the server's, "Not Sent" when it was refused, else
 * the status itself (see gig_record_status_is_confirmed). */
const char *gig_ui_record_status_label (GigRecord   *record,
                                        GigStore    *store,
                                        const char **out_class);
/* Sets @label as the pill of gig_ui_record_status_label(). */
void        gig_ui_set_record_pill (GtkLabel   *label,
                                    GigRecord  *record,
                                    GigStore   *store);

/* Shows @text in @label as typed, with its web and mail addresses as links that open in the
 * browser (only http, https and mailto ever open). */
void        gig_ui_set_linked_text (GtkLabel   *label,
                                    const char *text);

/* Makes sure the bundled resources (templates, CSS, shortcuts) are registered. */
void        gig_resources_ensure   (void);

/* Loads the application's style sheet for the default display once. */
void        gig_ui_ensure_style    (void);

G_END_DECLS
