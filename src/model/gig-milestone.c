/* gig-milestone.c: a step of a project's work
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-milestone.h"

struct _GigMilestone
{
  GigRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (GigMilestone, gig_milestone, GIG_TYPE_RECORD)

/* Every property reads the JSON member of the same name (with '_' for '-'). */
enum {
  PROP_0,
  PROP_PROJECT,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_AMOUNT,
  PROP_DUE_DATE,
  PROP_POSITION,
  PROP_STATUS,
  PROP_DELETED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gig_milestone_get_property (GObject    *object,
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
gig_milestone_class_init (GigMilestoneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  GIG_RECORD_CLASS (klass)->collection = GIG_COLLECTION_MILESTONES;
  object_class->get_property = gig_milestone_get_property;

  properties[PROP_PROJECT] =
    g_param_spec_string ("project", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AMOUNT] =
    g_param_spec_double ("amount", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DUE_DATE] =
    g_param_spec_string ("due-date", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED_AT] =
    g_param_spec_string ("deleted-at", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_milestone_init (GigMilestone *self)
{
}

const char *
gig_milestone_get_project (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "project");
}

const char *
gig_milestone_get_title (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "title");
}

const char *
gig_milestone_get_description (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "description");
}

double
gig_milestone_get_amount (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), 0);
  return gig_record_get_double (GIG_RECORD (self), "amount");
}

const char *
gig_milestone_get_due_date (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "due_date");
}

gint64
gig_milestone_get_position (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), 0);
  return gig_record_get_int (GIG_RECORD (self), "position");
}

const char *
gig_milestone_get_status (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "status");
}

const char *
gig_milestone_get_deleted_at (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "deleted_at");
}

gboolean
gig_milestone_status_move_allowed (GigMilestoneStatus from,
                                   GigMilestoneStatus to,
                                   GigProjectRole   role)
{
  switch (from)
    {
    case GIG_MILESTONE_STATUS_PENDING:
      return to == GIG_MILESTONE_STATUS_IN_PROGRESS && role == GIG_PROJECT_ROLE_HIRED;
    case GIG_MILESTONE_STATUS_IN_PROGRESS:
      return to == GIG_MILESTONE_STATUS_SUBMITTED && role == GIG_PROJECT_ROLE_HIRED;
    case GIG_MILESTONE_STATUS_SUBMITTED:
      return (to == GIG_MILESTONE_STATUS_APPROVED && role == GIG_PROJECT_ROLE_OWNER) ||
             (to == GIG_MILESTONE_STATUS_IN_PROGRESS && role != GIG_PROJECT_ROLE_OTHER);
    case GIG_MILESTONE_STATUS_APPROVED:
    case GIG_MILESTONE_STATUS_UNKNOWN:
    default:
      return FALSE;
    }
}

GigMilestoneStatus
gig_milestone_get_status_value (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), GIG_MILESTONE_STATUS_UNKNOWN);
  return gig_milestone_status_from_string (gig_milestone_get_status (self));
}

gboolean
gig_milestone_can_edit_terms (GigMilestone *self)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), FALSE);
  return gig_milestone_get_status_value (self) == GIG_MILESTONE_STATUS_PENDING;
}

gboolean
gig_milestone_can_move_to (GigMilestone       *self,
                           GigProjectRole    role,
                           GigMilestoneStatus  to)
{
  g_return_val_if_fail (GIG_IS_MILESTONE (self), FALSE);
  return !gig_record_get_deleted (GIG_RECORD (self)) &&
         gig_milestone_status_move_allowed (gig_milestone_get_status_value (self), to, role);
}

GigMilestone *
gig_milestone_load (GigStore   *store,
                    const char *id)
{
  return GIG_MILESTONE (gig_record_load (store, GIG_COLLECTION_MILESTONES, id));
}

/* A project has a handful of milestones; more than this is not a real project. */
#define MAX_MILESTONES 500

gint64
gig_milestone_next_position (GigStore   *store,
                             const char *project_id)
{
  g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_MILESTONES, GIG_STORE_SCOPE_ALL);
  g_autoptr(GPtrArray) milestones = NULL;
  g_auto(GStrv) ids = NULL;
  gint64 max = 0;

  g_return_val_if_fail (GIG_IS_STORE (store), 1);

  query->project = g_strdup (project_id);
  query->sort = GIG_STORE_SORT_POSITION;
  ids = gig_store_query_ids (store, query, 0, MAX_MILESTONES, NULL);
  milestones = gig_record_load_many (store, GIG_COLLECTION_MILESTONES, (const char * const *) ids);
  for (guint i = 0; i < milestones->len; i++)
    max = MAX (max, gig_milestone_get_position (g_ptr_array_index (milestones, i)));

  return max + 1;
}

JsonObject *
gig_milestone_terms_fields (const char *title,
                            double      amount,
                            const char *due_date)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "title", title);
  json_object_set_double_member (fields, "amount", amount);
  json_object_set_string_member (fields, "due_date", due_date);
  return fields;
}

JsonObject *
gig_milestone_new_fields (GigStore   *store,
                          const char *project_id,
                          const char *title,
                          double      amount,
                          const char *due_date)
{
  JsonObject *fields = gig_milestone_terms_fields (title, amount, due_date);

  json_object_set_string_member (fields, "project", project_id);
  json_object_set_int_member (fields, "position", gig_milestone_next_position (store, project_id));
  json_object_set_string_member (fields, "status", gig_milestone_status_to_string (GIG_MILESTONE_STATUS_PENDING));
  json_object_set_boolean_member (fields, "deleted", FALSE);
  return fields;
}

JsonObject *
gig_milestone_status_fields (GigMilestoneStatus status)
{
  return gig_status_fields (GIG_COLLECTION_MILESTONES, status);
}

JsonObject *
gig_milestone_position_fields (gint64 position)
{
  JsonObject *fields = json_object_new ();

  json_object_set_int_member (fields, "position", position);
  return fields;
}
