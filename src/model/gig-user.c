/* gig-user.c: a PocketBase user's public profile
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-user.h"

struct _GigUser
{
  GigRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (GigUser, gig_user, GIG_TYPE_RECORD)

/* Every property reads the JSON member of the same name (with '_' for '-'). */
enum {
  PROP_0,
  PROP_NAME,
  PROP_HEADLINE,
  PROP_AVATAR,
  PROP_SKILLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gig_user_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  if (prop_id > PROP_0 && prop_id < N_PROPS)
    gig_record_get_member_property (GIG_RECORD (object), pspec, value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gig_user_class_init (GigUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  GIG_RECORD_CLASS (klass)->collection = GIG_COLLECTION_USERS;
  object_class->get_property = gig_user_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEADLINE] =
    g_param_spec_string ("headline", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVATAR] =
    g_param_spec_string ("avatar", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SKILLS] =
    g_param_spec_boxed ("skills", NULL, NULL, G_TYPE_STRV, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_user_init (GigUser *self)
{
}

const char *
gig_user_get_name (GigUser *self)
{
  g_return_val_if_fail (GIG_IS_USER (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "name");
}

const char *
gig_user_get_headline (GigUser *self)
{
  g_return_val_if_fail (GIG_IS_USER (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "headline");
}

const char *
gig_user_get_avatar (GigUser *self)
{
  g_return_val_if_fail (GIG_IS_USER (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "avatar");
}

GStrv
gig_user_get_skills (GigUser *self)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (GIG_IS_USER (self), NULL);
  g_value_init (&value, G_TYPE_STRV);
  gig_record_get_member_property (GIG_RECORD (self), properties[PROP_SKILLS], &value);
  return g_value_dup_boxed (&value);
}

GigUser *
gig_user_load (GigStore   *store,
               const char *id)
{
  return GIG_USER (gig_record_load (store, GIG_COLLECTION_USERS, id));
}
