/* gig-sync-push.c: the cycle's push: the outbox drained in order, in batches where the server
 * takes them, one by one where not; refusals are checked against a verified token before they
 * are final.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "sync/gig-sync-private.h"

/* PocketBase's default batch maxRequests: works against any server that has batch enabled. */
#define BATCH_MAX 50

/* The create body: the record's fields with its client-made id. */
static JsonObject *
create_fields (GigOutboxEntry *entry)
{
  JsonObject *fields = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, entry->fields);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (fields, name, json_node_copy (node));
  json_object_set_string_member (fields, "id", entry->record_id);
  return fields;
}

static gboolean
error_is_transient (const GError *error)
{
  return g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK) ||
         g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_SERVER) ||
         g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

static void push_next_entry (Cycle *cycle);

static void
push_progress (Cycle *cycle)
{
  g_autofree char *text = NULL;
  guint total = MAX (cycle->push_total, cycle->pushed);

  if (total == 0)
    return;
  text = g_strdup_printf (ngettext ("%u of %u change sent", "%u of %u changes sent", total),
                          cycle->pushed, total);
  _gig_sync_set_progress (cycle->self, (double) cycle->pushed / total, text);
}

static void
push_entry_done (Cycle          *cycle,
                 GigOutboxEntry *entry,
                 JsonObject     *record)
{
  GigSync *self = cycle->self;
  g_autofree char *key = _gig_sync_record_key (entry->collection, entry->record_id);
  g_autoptr(GError) error = NULL;

  g_hash_table_remove (self->in_flight, key);
  if (record != NULL && _gig_sync_record_updated (record) != NULL)
    g_hash_table_replace (self->own_versions, g_steal_pointer (&key),
                          g_strdup (_gig_sync_record_updated (record)));
  if (!gig_store_outbox_done (self->store, entry->seq, record, &error))
    {
      _gig_sync_warn_store (error, "Could not record the push of", entry->record_id);
      if (cycle->error == NULL)
        cycle->error = g_steal_pointer (&error);
    }
  cycle->pushed++;
  push_progress (cycle);
}

/* A failed push: transient errors wait for the next cycle, auth errors stop the cycle, and
 * refusals are collected to be checked against a verified token before they are final. */
static void
push_entry_failed (Cycle          *cycle,
                   GigOutboxEntry *entry,
                   const GError   *error)
{
  GigSync *self = cycle->self;
  g_autofree char *key = _gig_sync_record_key (entry->collection, entry->record_id);

  g_hash_table_remove (self->in_flight, key);
  g_debug ("push of %s failed: %s", entry->record_id, error->message);

  if (error_is_transient (error) || _gig_sync_error_is_auth (error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A network error stops the cycle and the whole engine backs off; a server error on one
       * record lets the others go on, that record waiting on its own. */
      guint delay = g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK) || _gig_sync_error_is_auth (error)
                      ? 0 : gig_backoff_delay_ms (&self->row_backoff, entry->attempts);
      g_autoptr(GError) local_error = NULL;

      if (!gig_store_outbox_retry_later (self->store, entry->seq, delay, error->message, &local_error))
        _gig_sync_warn_store (local_error, "Could not requeue", entry->record_id);
      if (cycle->error == NULL)
        cycle->error = g_error_copy (error);
      return;
    }

  {
    GigOutboxEntry *copy = gig_outbox_entry_copy (entry);

    g_free (copy->last_error);
    copy->last_error = g_strdup (error->message);
    g_ptr_array_add (cycle->to_fail, copy);
  }
}

typedef struct
{
  Cycle          *cycle;
  GigOutboxEntry *entry;  /* owned by cycle->entries */
} PushOne;

static void
push_get_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PushOne *one = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;

  record = gig_pb_client_get_record_finish (GIG_PB_CLIENT (object), result, &error);
  if (record != NULL)
    push_entry_done (one->cycle, one->entry, record);
  else
    push_entry_failed (one->cycle, one->entry, error);
  push_next_entry (one->cycle);
  g_free (one);
}

static void
push_one_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PushOne *one = user_data;
  Cycle *cycle = one->cycle;
  GigOutboxEntry *entry = one->entry;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;

  if (entry->op == GIG_OUTBOX_OP_CREATE)
    record = gig_pb_client_create_record_finish (GIG_PB_CLIENT (object), result, &error);
  else
    record = gig_pb_client_update_record_finish (GIG_PB_CLIENT (object), result, &error);

  if (record != NULL)
    push_entry_done (cycle, entry, record);
  else if (entry->op == GIG_OUTBOX_OP_CREATE &&
           g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_UNIQUE) &&
           g_strcmp0 (gig_pb_error_get_field_code (error, "id"), "validation_not_unique") == 0)
    {
      /* The id is ours, so the record exists: an earlier send was applied and its answer lost.
       * Take the server's copy instead of creating it twice. */
      g_debug ("create of %s was already applied", entry->record_id);
      gig_pb_client_get_record_async (cycle->self->client,
                                      gig_collection_to_string (entry->collection),
                                      entry->record_id, cycle->cancellable, push_get_cb, one);
      return;
    }
  else
    push_entry_failed (cycle, entry, error);

  g_free (one);
  push_next_entry (cycle);
}

static void
push_send_one (Cycle          *cycle,
               GigOutboxEntry *entry)
{
  GigSync *self = cycle->self;
  PushOne *one = g_new0 (PushOne, 1);
  const char *collection = gig_collection_to_string (entry->collection);

  one->cycle = cycle;
  one->entry = entry;
  if (entry->op == GIG_OUTBOX_OP_CREATE)
    {
      g_autoptr(JsonObject) fields = create_fields (entry);

      gig_pb_client_create_record_async (self->client, collection, fields,
                                         cycle->cancellable, push_one_cb, one);
    }
  else
    gig_pb_client_update_record_async (self->client, collection, entry->record_id,
                                       entry->fields, cycle->cancellable, push_one_cb, one);
}

static void push_verify_failures (Cycle *cycle);

static void
push_next_entry (Cycle *cycle)
{
  /* After a network, auth or local failure the rest of the round would fail the same way:
   * hand what was taken out back to the queue. A server error on one record lets the others go
   * on. */
  if (cycle->error != NULL &&
      (!error_is_transient (cycle->error) ||
       g_error_matches (cycle->error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK)))
    {
      for (; cycle->entry_index < cycle->entries->len; cycle->entry_index++)
        {
          GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, cycle->entry_index);
          g_autofree char *key = _gig_sync_record_key (entry->collection, entry->record_id);

          g_hash_table_remove (cycle->self->in_flight, key);
          gig_store_outbox_retry_later (cycle->self->store, entry->seq, 0, NULL, NULL);
        }
    }

  if (cycle->entry_index < cycle->entries->len)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, cycle->entry_index++);
      push_send_one (cycle, entry);
      return;
    }

  push_verify_failures (cycle);
}

static void
push_mark_in_flight (Cycle *cycle)
{
  for (guint i = 0; i < cycle->entries->len; i++)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, i);
      g_hash_table_add (cycle->self->in_flight, _gig_sync_record_key (entry->collection, entry->record_id));
    }
}

static void
push_batch_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;

  records = gig_pb_client_batch_finish (GIG_PB_CLIENT (object), result, &error);
  if (records != NULL && records->len == cycle->entries->len)
    {
      for (guint i = 0; i < cycle->entries->len; i++)
        push_entry_done (cycle, g_ptr_array_index (cycle->entries, i), g_ptr_array_index (records, i));
      cycle->entry_index = cycle->entries->len;
      push_verify_failures (cycle);
      return;
    }

  if (records != NULL)
    error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                         ngettext ("The server answered %u of %u batched request",
                                   "The server answered %u of %u batched requests",
                                   cycle->entries->len), records->len,
                         cycle->entries->len);

  if (error_is_transient (error) || _gig_sync_error_is_auth (error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      for (guint i = 0; i < cycle->entries->len; i++)
        push_entry_failed (cycle, g_ptr_array_index (cycle->entries, i), error);
      cycle->entry_index = cycle->entries->len;
      if (cycle->error == NULL)
        cycle->error = g_error_copy (error);
      push_verify_failures (cycle);
      return;
    }

  /* One sub-request was refused (or batches are off): the batch was rolled back as a whole, so
   * send them one by one, each getting its own answer. */
  if (gig_pb_error_get_batch_index (error) < 0 &&
      g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_FORBIDDEN))
    self->batch_unsupported = TRUE;
  g_debug ("batch refused (%s); sending one by one", error->message);
  cycle->entry_index = 0;
  push_next_entry (cycle);
}

void
_gig_sync_cycle_push_round (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (g_cancellable_is_cancelled (cycle->cancellable))
    {
      _gig_sync_cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED, _("Sync was stopped")));
      return;
    }

  g_clear_pointer (&cycle->entries, g_ptr_array_unref);
  cycle->entries = gig_store_outbox_next (self->store, BATCH_MAX);
  cycle->entry_index = 0;
  if (cycle->entries == NULL || cycle->entries->len == 0)
    {
      _gig_sync_update_counts (self);
      _gig_sync_cycle_reconcile (cycle);
      return;
    }

  push_mark_in_flight (cycle);
  if (cycle->entries->len == 1 || self->batch_unsupported)
    {
      push_next_entry (cycle);
      return;
    }

  {
    g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();

    for (guint i = 0; i < cycle->entries->len; i++)
      {
        GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, i);
        const char *collection = gig_collection_to_string (entry->collection);

        if (entry->op == GIG_OUTBOX_OP_CREATE)
          {
            g_autoptr(JsonObject) fields = create_fields (entry);

            gig_pb_batch_add_create (batch, collection, fields);
          }
        else
          gig_pb_batch_add_update (batch, collection, entry->record_id, entry->fields);
      }
    gig_pb_client_batch_async (self->client, batch, cycle->cancellable, push_batch_cb, cycle);
  }
}

static void
push_fail_all (Cycle        *cycle,
               const GError *error)
{
  GigSync *self = cycle->self;

  for (guint i = 0; i < cycle->to_fail->len; i++)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->to_fail, i);
      g_autoptr(GError) local_error = NULL;
      gboolean ok;

      if (error == NULL)
        {
          ok = gig_store_outbox_fail (self->store, entry->seq, entry->last_error, &local_error);
          cycle->failed++;
        }
      else
        ok = gig_store_outbox_retry_later (self->store, entry->seq, 0, entry->last_error, &local_error);
      if (!ok)
        _gig_sync_warn_store (local_error, "Could not keep the outcome of", entry->record_id);
    }
  g_ptr_array_set_size (cycle->to_fail, 0);
}

static void
push_verify_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      push_fail_all (cycle, error);
      if (cycle->error == NULL)
        cycle->error = g_steal_pointer (&error);
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&cycle->error));
      return;
    }
  push_fail_all (cycle, NULL);
  if (cycle->error != NULL)
    _gig_sync_cycle_finish (cycle, g_steal_pointer (&cycle->error));
  else
    _gig_sync_cycle_push_round (cycle);
}

/* PocketBase answers requests made with a revoked token as a guest's (400/404), exactly like
 * real refusals. Before a refusal becomes final, prove the token is still good. */
static void
push_verify_failures (Cycle *cycle)
{
  if (cycle->to_fail->len > 0)
    {
      gig_session_refresh_async (cycle->self->session, cycle->cancellable, push_verify_cb, cycle);
      return;
    }
  if (cycle->error != NULL)
    {
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&cycle->error));
      return;
    }
  _gig_sync_cycle_push_round (cycle);
}
