/* gig-proposal.c: a freelancer's proposal for a project
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-proposal.h"
#include "gig-money.h"

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

G_DEFINE_QUARK (gig-proposal-error-quark, gig_proposal_error)

GigProposal *
gig_proposal_load (GigStore   *store,
                   const char *id)
{
  return GIG_PROPOSAL (gig_record_load (store, GIG_COLLECTION_PROPOSALS, id));
}

GigProposalStatus
gig_proposal_get_status_value (GigProposal *self)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), GIG_PROPOSAL_STATUS_UNKNOWN);
  return gig_proposal_status_from_string (gig_proposal_get_status (self));
}

gboolean
gig_proposal_is_by (GigProposal *self,
                    const char  *user_id)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), FALSE);
  return user_id != NULL && *user_id != '\0' && g_strcmp0 (gig_proposal_get_freelancer (self), user_id) == 0;
}

/* Sent, not in the trash, not a draft: the state every decision starts from. */
static gboolean
is_sent (GigProposal *self)
{
  return gig_proposal_get_status_value (self) == GIG_PROPOSAL_STATUS_SENT &&
         !gig_record_get_deleted (GIG_RECORD (self)) && !gig_record_is_draft (GIG_RECORD (self));
}

gboolean
gig_proposal_can_reject (GigProposal *self,
                         GigProject  *project,
                         const char  *user_id)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), FALSE);
  g_return_val_if_fail (GIG_IS_PROJECT (project), FALSE);

  return gig_project_get_role (project, user_id) == GIG_PROJECT_ROLE_OWNER &&
         !gig_proposal_is_by (self, user_id) && is_sent (self);
}

gboolean
gig_proposal_can_accept (GigProposal *self,
                         GigProject  *project,
                         const char  *user_id)
{
  return gig_proposal_can_reject (self, project, user_id) && gig_project_takes_proposals (project);
}

gboolean
gig_proposal_can_withdraw (GigProposal *self,
                           const char  *user_id)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), FALSE);
  return gig_proposal_is_by (self, user_id) && is_sent (self);
}

gboolean
gig_proposal_can_edit (GigProposal *self,
                       const char  *user_id)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), FALSE);
  return gig_proposal_is_by (self, user_id) && (gig_record_is_draft (GIG_RECORD (self)) || is_sent (self));
}

gboolean
gig_proposal_is_visible_to (GigProposal *self,
                            GigProject  *project,
                            const char  *user_id)
{
  g_return_val_if_fail (GIG_IS_PROPOSAL (self), FALSE);
  g_return_val_if_fail (GIG_IS_PROJECT (project), FALSE);

  if (gig_proposal_is_by (self, user_id))
    return TRUE;
  return gig_project_get_role (project, user_id) == GIG_PROJECT_ROLE_OWNER &&
         !gig_record_is_draft (GIG_RECORD (self));
}

gboolean
gig_proposal_days_valid (const char *days_text)
{
  char *end = NULL;

  if (days_text == NULL || *days_text == '\0')
    return TRUE;
  return g_ascii_strtoll (days_text, &end, 10) >= 0 && end != NULL && *end == '\0';
}

gboolean
gig_proposal_check_input (const char  *amount_text,
                          const char  *days_text,
                          const char  *cover_letter,
                          gboolean     sending,
                          GError     **error)
{
  g_autoptr(GError) amount_error = NULL;
  g_autofree char *letter = g_strstrip (g_strdup (cover_letter != NULL ? cover_letter : ""));
  double amount = 0;

  if (!gig_money_parse (amount_text != NULL ? amount_text : "", &amount, &amount_error))
    {
      if (!g_error_matches (amount_error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_EMPTY))
        {
          g_set_error_literal (error, GIG_PROPOSAL_ERROR, GIG_PROPOSAL_ERROR_AMOUNT, amount_error->message);
          return FALSE;
        }
      amount = 0;
    }
  if (sending && amount <= 0)
    {
      g_set_error_literal (error, GIG_PROPOSAL_ERROR, GIG_PROPOSAL_ERROR_AMOUNT, _("Enter the amount you ask for."));
      return FALSE;
    }

  if (!gig_proposal_days_valid (days_text))
    {
      g_set_error_literal (error, GIG_PROPOSAL_ERROR, GIG_PROPOSAL_ERROR_DAYS,
                           _("Enter the estimated days as a whole number."));
      return FALSE;
    }

  if (sending && *letter == '\0')
    {
      g_set_error_literal (error, GIG_PROPOSAL_ERROR, GIG_PROPOSAL_ERROR_COVER_LETTER,
                           _("Write a few lines about why you are a good fit."));
      return FALSE;
    }

  return TRUE;
}

JsonObject *
gig_proposal_input_fields (const char *amount_text,
                           const char *days_text,
                           const char *cover_letter,
                           gboolean    is_new)
{
  JsonObject *fields = json_object_new ();
  gint64 days = days_text != NULL ? g_ascii_strtoll (days_text, NULL, 10) : 0;
  double amount = 0;

  json_object_set_string_member (fields, "cover_letter", cover_letter != NULL ? cover_letter : "");
  if (gig_money_parse (amount_text != NULL ? amount_text : "", &amount, NULL) || is_new)
    json_object_set_double_member (fields, "amount", amount);
  json_object_set_int_member (fields, "estimated_days", MAX (days, 0));
  return fields;
}

void
gig_proposal_add_draft_fields (JsonObject *fields,
                               const char *project_id,
                               const char *freelancer_id)
{
  g_return_if_fail (fields != NULL);

  json_object_set_string_member (fields, "project", project_id);
  json_object_set_string_member (fields, "freelancer", freelancer_id);
  json_object_set_string_member (fields, "status", gig_proposal_status_to_string (GIG_PROPOSAL_STATUS_SENT));
  json_object_set_boolean_member (fields, "deleted", FALSE);
}

JsonObject *
gig_proposal_status_fields (GigProposalStatus status)
{
  return gig_status_fields (GIG_COLLECTION_PROPOSALS, status);
}
