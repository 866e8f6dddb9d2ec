/* gig-store-unsent.c: what only this device has, in one definition: counted before the
 * account's files go (the sign-out guard), carried into a fresh cache by a recovery
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"

/* The rows that exist nowhere else: changes waiting in the outbox, and the records and chat
 * messages they belong to. Everything else came from the servers and comes back with a sync.
 * Every outbox row counts, failed ones too: a refused edit is still the user's work. */
static const GigStoreOwnPart own_parts[] = {
  { "outbox", "1", GIG_STORE_OWN_CHANGES, N_("waiting changes") },
  { "users", "local_state = 'draft'", GIG_STORE_OWN_DRAFTS, N_("drafts") },
  { "users", "local_state != 'synced' AND local_state != 'draft'", GIG_STORE_OWN_EDITS, N_("edited records") },
  { "projects", "local_state = 'draft'", GIG_STORE_OWN_DRAFTS, N_("drafts") },
  { "projects", "local_state != 'synced' AND local_state != 'draft'", GIG_STORE_OWN_EDITS, N_("edited records") },
  { "proposals", "local_state = 'draft'", GIG_STORE_OWN_DRAFTS, N_("drafts") },
  { "proposals", "local_state != 'synced' AND local_state != 'draft'", GIG_STORE_OWN_EDITS, N_("edited records") },
  { "milestones", "local_state = 'draft'", GIG_STORE_OWN_DRAFTS, N_("drafts") },
  { "milestones", "local_state != 'synced' AND local_state != 'draft'", GIG_STORE_OWN_EDITS, N_("edited records") },
  { "chat_outbox", "1", GIG_STORE_OWN_MESSAGES, N_("unsent messages") },
  { "chat_messages", "local_state != 'sent'", GIG_STORE_OWN_MESSAGE_ROWS, N_("unsent messages") },
};

const GigStoreOwnPart *
gig_store_own_parts (guint *n_parts)
{
  *n_parts = G_N_ELEMENTS (own_parts);
  return own_parts;
}

/* Where a part's count goes in the sign-out guard's summary, or NULL for parts it does not
 * list (the outbox rows are counted as the records they change; a message once). */
static guint *
unsent_slot (GigStoreUnsent        *unsent,
             const GigStoreOwnPart *part)
{
  GigCollection collection;

  switch (part->kind)
    {
    case GIG_STORE_OWN_DRAFTS:
      return &unsent->drafts;
    case GIG_STORE_OWN_MESSAGES:
      return &unsent->chat_messages;
    case GIG_STORE_OWN_EDITS:
      if (!gig_collection_from_string (part->table, &collection))
        g_assert_not_reached ();
      switch (collection)
        {
        case GIG_COLLECTION_USERS:
          return &unsent->users;
        case GIG_COLLECTION_PROJECTS:
          return &unsent->projects;
        case GIG_COLLECTION_PROPOSALS:
          return &unsent->proposals;
        case GIG_COLLECTION_MILESTONES:
          return &unsent->milestones;
        default:
          g_assert_not_reached ();
        }
    case GIG_STORE_OWN_CHANGES:
    case GIG_STORE_OWN_MESSAGE_ROWS:
    default:
      return NULL;
    }
}

gboolean
gig_store_count_unsent (GigStore       *self,
                        GigStoreUnsent *out,
                        GError        **error)
{
  GigStoreUnsent unsent = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  /* One read transaction: every count from the same commit. */
  gig_store_read_lock (self);
  if (self->reader == NULL)
    {
      g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
      ok = FALSE;
    }
  else if (sqlite3_exec (self->reader, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      ok = FALSE;
    }
  for (guint i = 0; ok && i < G_N_ELEMENTS (own_parts); i++)
    {
      guint *slot = unsent_slot (&unsent, &own_parts[i]);
      g_autofree char *sql = NULL;
      g_autoptr(GigStoreStmt) stmt = NULL;

      if (slot == NULL)
        continue;
      sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE (%s)", own_parts[i].table, own_parts[i].where);
      stmt = gig_store_prepare_read (self, sql, error);
      if (stmt == NULL)
        ok = FALSE;
      else if (sqlite3_step (stmt) == SQLITE_ROW)
        *slot += (guint) sqlite3_column_int64 (stmt, 0);
      else
        {
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
          ok = FALSE;
        }
    }
  if (self->reader != NULL && !sqlite3_get_autocommit (self->reader))
    sqlite3_exec (self->reader, "COMMIT", NULL, NULL, NULL);
  gig_store_read_unlock (self);

  if (ok)
    *out = unsent;
  return ok;
}

guint
gig_store_unsent_total (const GigStoreUnsent *unsent)
{
  g_return_val_if_fail (unsent != NULL, 0);

  return unsent->users + unsent->projects + unsent->proposals + unsent->milestones + unsent->drafts +
         unsent->chat_messages;
}
