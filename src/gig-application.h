/* gig-application.h
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GIG_TYPE_APPLICATION (gig_application_get_type ())

G_DECLARE_FINAL_TYPE (GigApplication, gig_application, GIG, APPLICATION, AdwApplication)

GigApplication *gig_application_new       (void);
GSettings      *gig_application_get_settings (GigApplication *self);

/* Makes sure the bundled resources (templates, CSS, shortcuts) are registered. */
void            gig_resources_ensure      (void);

G_END_DECLS
