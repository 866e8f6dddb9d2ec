/* gig-store-unsent.c: what only this device has, counted before the account's files go
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include "gig-store-private.h"

gboolean
gig_store_count_unsent (GigStore       *self,
                        GigStoreUnsent *out,
                        GError        **error)
{
  /* Every outbox row counts, failed ones too: a refused edit is still the user's work. */
  static const char outbox_sql[] = "SELECT count(DISTINCT record_id) FROM outbox WHERE collection = ?";
  GigStoreUnsent unsent = { 0 };
  gboolean ok;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  ok = gig_store_read_count (self, outbox_sql, gig_collection_to_string (GIG_COLLECTION_PROJECTS),
                             &unsent.projects, error) &&
       gig_store_read_count (self, outbox_sql, gig_collection_to_string (GIG_COLLECTION_PROPOSALS),
                             &unsent.proposals, error) &&
       gig_store_read_count (self, outbox_sql, gig_collection_to_string (GIG_COLLECTION_MILESTONES),
                             &unsent.milestones, error) &&
       gig_store_read_count (self, "SELECT count(*) FROM proposals WHERE local_state = 'draft'", NULL,
                             &unsent.drafts, error) &&
       gig_store_read_count (self, "SELECT count(*) FROM chat_outbox", NULL, &unsent.chat_messages, error);

  if (ok)
    *out = unsent;
  return ok;
}

guint
gig_store_unsent_total (const GigStoreUnsent *unsent)
{
  g_return_val_if_fail (unsent != NULL, 0);

  return unsent->projects + unsent->proposals + unsent->milestones + unsent->drafts + unsent->chat_messages;
}
