/* gig-project.c: a project offered on the marketplace
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-project.h"

struct _GigProject
{
  GigRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (GigProject, gig_project, GIG_TYPE_RECORD)

/* Every property reads the JSON member of the same name (with '_' for '-'). */
enum {
  PROP_0,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_BUDGET,
  PROP_CURRENCY,
  PROP_STATUS,
  PROP_OWNER,
  PROP_HIRED_FREELANCER,
  PROP_DELETED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gig_project_get_property (GObject    *object,
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
gig_project_class_init (GigProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  GIG_RECORD_CLASS (klass)->collection = GIG_COLLECTION_PROJECTS;
  object_class->get_property = gig_project_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUDGET] =
    g_param_spec_double ("budget", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OWNER] =
    g_param_spec_string ("owner", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HIRED_FREELANCER] =
    g_param_spec_string ("hired-freelancer", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED_AT] =
    g_param_spec_string ("deleted-at", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_project_init (GigProject *self)
{
}

const char *
gig_project_get_title (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "title");
}

const char *
gig_project_get_description (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "description");
}

double
gig_project_get_budget (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), 0);
  return gig_record_get_double (GIG_RECORD (self), "budget");
}

const char *
gig_project_get_currency (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "currency");
}

const char *
gig_project_get_status (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "status");
}

const char *
gig_project_get_owner (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "owner");
}

const char *
gig_project_get_hired_freelancer (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "hired_freelancer");
}

const char *
gig_project_get_deleted_at (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "deleted_at");
}
