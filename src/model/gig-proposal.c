/* gig-proposal.c: a freelancer's proposal for a project
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-proposal.h"

struct _GigProposal
{
  GigRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (GigProposal, gig_proposal, GIG_TYPE_RECORD)

/* Every property reads the JSON member of the same name (with '_' for '-'). */
enum {
  PROP_0,
  PROP_PROJECT,
  PROP_FREELANCER,
  PROP_COVER_LETTER,
  PROP_AMOUNT,
  PROP_ESTIMATED_DAYS,
  PROP_STATUS,
  PROP_DELETED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gig_proposal_get_property (GObject    *object,
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
gig_proposal_class_init (GigProposalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  GIG_RECORD_CLASS (klass)->collection = GIG_COLLECTION_PROPOSALS;
  object_class->get_property = gig_proposal_get_property;

  properties[PROP_PROJECT] =
    g_param_spec_string ("project", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FREELANCER] =
    g_param_spec_string ("freelancer", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COVER_LETTER] =
    g_param_spec_string ("cover-letter", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AMOUNT] =
    g_param_spec_double ("amount", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ESTIMATED_DAYS] =
    g_param_spec_int64 ("estimated-days", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED_AT] =
    g_param_spec_string ("deleted-at", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_proposal_init (GigProposal *self)
{
}

const char *
gig_proposal_get_project (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "project");
}

const char *
gig_proposal_get_freelancer (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "freelancer");
}

const char *
gig_proposal_get_cover_letter (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "cover_letter");
}

double
gig_proposal_get_amount (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), 0);
  return gig_record_get_double (GIG_RECORD (self), "amount");
}

gint64
gig_proposal_get_estimated_days (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), 0);
  return gig_record_get_int (GIG_RECORD (self), "estimated_days");
}

const char *
gig_proposal_get_status (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "status");
}

const char *
gig_proposal_get_deleted_at (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), NULL);
  return gig_record_get_string (GIG_RECORD (self), "deleted_at");
}
