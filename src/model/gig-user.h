/* gig-user.h: a PocketBase user's public profile
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "gig-record.h"

G_BEGIN_DECLS

#define GIG_TYPE_USER (gig_user_get_type ())

G_DECLARE_FINAL_TYPE (GigUser, gig_user, GIG, USER, GigRecord)

const char * gig_user_get_name     (GigUser *self);
const char * gig_user_get_headline (GigUser *self);
const char * gig_user_get_avatar   (GigUser *self);
/* Free with g_strfreev(). */
GStrv        gig_user_get_skills   (GigUser *self);

GigUser *    gig_user_load         (GigStore   *store,
                                    const char *id);

G_END_DECLS
