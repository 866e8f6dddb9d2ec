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

GigProject *
gig_project_load (GigStore   *store,
                  const char *id)
{
  return GIG_PROJECT (gig_record_load (store, GIG_COLLECTION_PROJECTS, id));
}

GigProjectStatus
gig_project_get_status_value (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), GIG_PROJECT_STATUS_UNKNOWN);
  return gig_project_status_from_string (gig_project_get_status (self));
}

GigProjectRole
gig_project_get_role (GigProject *self,
                      const char *user_id)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), GIG_PROJECT_ROLE_OTHER);

  if (user_id == NULL || *user_id == '\0')
    return GIG_PROJECT_ROLE_OTHER;
  if (g_strcmp0 (gig_project_get_owner (self), user_id) == 0)
    return GIG_PROJECT_ROLE_OWNER;
  if (g_strcmp0 (gig_project_get_hired_freelancer (self), user_id) == 0)
    return GIG_PROJECT_ROLE_HIRED;
  return GIG_PROJECT_ROLE_OTHER;
}

gboolean
gig_project_has_hired (GigProject *self)
{
  const char *hired;

  g_return_val_if_fail (GIG_IS_PROJECT (self), FALSE);
  hired = gig_project_get_hired_freelancer (self);
  return hired != NULL && *hired != '\0';
}

static gboolean
status_is (GigProject       *self,
           GigProjectStatus  status)
{
  return !gig_record_get_deleted (GIG_RECORD (self)) && gig_project_get_status_value (self) == status;
}

gboolean
gig_project_is_active (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), FALSE);
  return status_is (self, GIG_PROJECT_STATUS_OPEN) || status_is (self, GIG_PROJECT_STATUS_IN_PROGRESS);
}

gboolean
gig_project_can_complete (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), FALSE);
  return status_is (self, GIG_PROJECT_STATUS_IN_PROGRESS);
}

gboolean
gig_project_can_cancel (GigProject *self)
{
  return gig_project_is_active (self);
}

gboolean
gig_project_takes_proposals (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), FALSE);
  return status_is (self, GIG_PROJECT_STATUS_OPEN);
}

gboolean
gig_project_milestones_move (GigProject *self)
{
  g_return_val_if_fail (GIG_IS_PROJECT (self), FALSE);
  return gig_project_get_status_value (self) == GIG_PROJECT_STATUS_IN_PROGRESS;
}

JsonObject *
gig_project_edit_fields (const char *title,
                         double      budget,
                         const char *description)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "title", title);
  json_object_set_double_member (fields, "budget", budget);
  json_object_set_string_member (fields, "description", description);
  return fields;
}

JsonObject *
gig_project_new_fields (const char *owner_id,
                        const char *title,
                        double      budget,
                        const char *description)
{
  JsonObject *fields = gig_project_edit_fields (title, budget, description);

  json_object_set_string_member (fields, "currency", "EUR");
  json_object_set_string_member (fields, "status", gig_project_status_to_string (GIG_PROJECT_STATUS_OPEN));
  json_object_set_string_member (fields, "owner", owner_id);
  json_object_set_boolean_member (fields, "deleted", FALSE);
  return fields;
}

JsonObject *
gig_project_status_fields (GigProjectStatus status)
{
  return gig_status_fields (GIG_COLLECTION_PROJECTS, status);
}
