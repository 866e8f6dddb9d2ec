/* gig-status.h: the statuses of projects, proposals and milestones
 *
 * The server's status strings are mapped to these values here and nowhere else: the rest of the
 * app compares enum values. The strings are stable on disk and on the wire (pb/README.md).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "store/gig-store.h"

G_BEGIN_DECLS

/* A project's `status`. */
typedef enum {
  GIG_PROJECT_STATUS_UNKNOWN,        /* missing or a value this build does not know */
  GIG_PROJECT_STATUS_OPEN,           /* "open": taking proposals */
  GIG_PROJECT_STATUS_IN_PROGRESS,    /* "in_progress": a proposal was accepted */
  GIG_PROJECT_STATUS_COMPLETED,      /* "completed" */
  GIG_PROJECT_STATUS_CANCELLED,      /* "cancelled" */
} GigProjectStatus;

/* A proposal's `status` (a draft is a local state, not a status: it says "sent" until sent). */
typedef enum {
  GIG_PROPOSAL_STATUS_UNKNOWN,
  GIG_PROPOSAL_STATUS_SENT,          /* "sent": waiting for the owner */
  GIG_PROPOSAL_STATUS_ACCEPTED,      /* "accepted": the freelancer is hired */
  GIG_PROPOSAL_STATUS_REJECTED,      /* "rejected" */
  GIG_PROPOSAL_STATUS_WITHDRAWN,     /* "withdrawn" by its author */
} GigProposalStatus;

/* A milestone's `status`. */
typedef enum {
  GIG_MILESTONE_STATUS_UNKNOWN,
  GIG_MILESTONE_STATUS_PENDING,      /* "pending": planned, terms still the owner's to change */
  GIG_MILESTONE_STATUS_IN_PROGRESS,  /* "in_progress": started (or sent back for changes) */
  GIG_MILESTONE_STATUS_SUBMITTED,    /* "submitted": delivered, waiting for the owner */
  GIG_MILESTONE_STATUS_APPROVED,     /* "approved": accepted; the money is released */
} GigMilestoneStatus;

/* Who someone is to a project: what they may do with it, its proposals and milestones. */
typedef enum {
  GIG_PROJECT_ROLE_OTHER,            /* neither owner nor hired */
  GIG_PROJECT_ROLE_OWNER,            /* the project's owner (the client) */
  GIG_PROJECT_ROLE_HIRED,            /* the project's hired freelancer */
} GigProjectRole;

/* How a status reads at a glance (a view turns it into a style). */
typedef enum {
  GIG_STATUS_TONE_NEUTRAL,
  GIG_STATUS_TONE_ACCENT,            /* waiting for someone: open, sent */
  GIG_STATUS_TONE_SUCCESS,           /* done well: accepted, completed, approved */
  GIG_STATUS_TONE_WARNING,           /* under way: in progress, submitted */
  GIG_STATUS_TONE_ERROR,             /* ended badly: rejected, cancelled */
} GigStatusTone;

/* The server's string, or NULL for UNKNOWN; and back (UNKNOWN for NULL and unknown strings). */
GigProjectStatus   gig_project_status_from_string   (const char        *status);
const char *       gig_project_status_to_string     (GigProjectStatus   status);
GigProposalStatus  gig_proposal_status_from_string  (const char        *status);
const char *       gig_proposal_status_to_string    (GigProposalStatus  status);
GigMilestoneStatus gig_milestone_status_from_string (const char        *status);
const char *       gig_milestone_status_to_string   (GigMilestoneStatus status);

/* The translated name a user reads for @status of a record of @collection,
 * NULL when the string is not a status of that collection. */
const char *       gig_status_label                 (GigCollection      collection,
                                                     const char        *status);
GigStatusTone      gig_status_tone                  (GigCollection      collection,
                                                     const char        *status);

/* The fields that set a record of @collection to the status @value (a value of its enum). */
JsonObject *       gig_status_fields                (GigCollection      collection,
                                                     int                value);

G_END_DECLS
