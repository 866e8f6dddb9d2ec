/* gig-status.c: the statuses of projects, proposals and milestones
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-status.h"

#include <json-glib/json-glib.h>

/* Every status string the server knows, with its value, label and tone: the one table. */
static const struct
{
  GigCollection  collection;
  int            value;
  const char    *name;
  const char    *label;
  GigStatusTone  tone;
} statuses[] = {
  { GIG_COLLECTION_PROJECTS, GIG_PROJECT_STATUS_OPEN, "open", N_("Open"), GIG_STATUS_TONE_ACCENT },
  { GIG_COLLECTION_PROJECTS, GIG_PROJECT_STATUS_IN_PROGRESS, "in_progress", N_("In Progress"), GIG_STATUS_TONE_WARNING },
  { GIG_COLLECTION_PROJECTS, GIG_PROJECT_STATUS_COMPLETED, "completed", N_("Completed"), GIG_STATUS_TONE_SUCCESS },
  { GIG_COLLECTION_PROJECTS, GIG_PROJECT_STATUS_CANCELLED, "cancelled", N_("Cancelled"), GIG_STATUS_TONE_ERROR },
  { GIG_COLLECTION_PROPOSALS, GIG_PROPOSAL_STATUS_SENT, "sent", N_("Sent"), GIG_STATUS_TONE_ACCENT },
  { GIG_COLLECTION_PROPOSALS, GIG_PROPOSAL_STATUS_ACCEPTED, "accepted", N_("Accepted"), GIG_STATUS_TONE_SUCCESS },
  { GIG_COLLECTION_PROPOSALS, GIG_PROPOSAL_STATUS_REJECTED, "rejected", N_("Rejected"), GIG_STATUS_TONE_ERROR },
  { GIG_COLLECTION_PROPOSALS, GIG_PROPOSAL_STATUS_WITHDRAWN, "withdrawn", N_("Withdrawn"), GIG_STATUS_TONE_NEUTRAL },
  { GIG_COLLECTION_MILESTONES, GIG_MILESTONE_STATUS_PENDING, "pending", N_("Pending"), GIG_STATUS_TONE_NEUTRAL },
  { GIG_COLLECTION_MILESTONES, GIG_MILESTONE_STATUS_IN_PROGRESS, "in_progress", N_("In Progress"), GIG_STATUS_TONE_WARNING },
  { GIG_COLLECTION_MILESTONES, GIG_MILESTONE_STATUS_SUBMITTED, "submitted", N_("Submitted"), GIG_STATUS_TONE_WARNING },
  { GIG_COLLECTION_MILESTONES, GIG_MILESTONE_STATUS_APPROVED, "approved", N_("Approved"), GIG_STATUS_TONE_SUCCESS },
};

static int
find (GigCollection  collection,
      const char    *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].collection == collection && g_str_equal (statuses[i].name, name))
      return (int) i;
  return -1;
}

static int
find_value (GigCollection collection,
            int           value)
{
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].collection == collection && statuses[i].value == value)
      return (int) i;
  return -1;
}

static int
value_from_string (GigCollection  collection,
                   const char    *name)
{
  int i = find (collection, name);

  return i >= 0 ? statuses[i].value : 0;  /* 0 is every enum's UNKNOWN */
}

static const char *
value_to_string (GigCollection collection,
                 int           value)
{
  int i = find_value (collection, value);

  return i >= 0 ? statuses[i].name : NULL;
}

GigProjectStatus
gig_project_status_from_string (const char *status)
{
  return value_from_string (GIG_COLLECTION_PROJECTS, status);
}

const char *
gig_project_status_to_string (GigProjectStatus status)
{
  return value_to_string (GIG_COLLECTION_PROJECTS, status);
}

GigProposalStatus
gig_proposal_status_from_string (const char *status)
{
  return value_from_string (GIG_COLLECTION_PROPOSALS, status);
}

const char *
gig_proposal_status_to_string (GigProposalStatus status)
{
  return value_to_string (GIG_COLLECTION_PROPOSALS, status);
}

GigMilestoneStatus
gig_milestone_status_from_string (const char *status)
{
  return value_from_string (GIG_COLLECTION_MILESTONES, status);
}

const char *
gig_milestone_status_to_string (GigMilestoneStatus status)
{
  return value_to_string (GIG_COLLECTION_MILESTONES, status);
}

const char *
gig_status_label (GigCollection  collection,
                  const char    *status)
{
  int i = find (collection, status);

  return i >= 0 ? _(statuses[i].label) : NULL;
}

GigStatusTone
gig_status_tone (GigCollection  collection,
                 const char    *status)
{
  int i = find (collection, status);

  return i >= 0 ? statuses[i].tone : GIG_STATUS_TONE_NEUTRAL;
}

JsonObject *
gig_status_fields (GigCollection collection,
                   int           value)
{
  JsonObject *fields = json_object_new ();
  const char *name = value_to_string (collection, value);

  g_return_val_if_fail (name != NULL, fields);
  json_object_set_string_member (fields, "status", name);
  return fields;
}
