/* gig-pb-batch.c: PocketBase batches (POST /api/batch): building one, and sending it.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "config.h"

#include "pocketbase/gig-pb-client-private.h"
#include "core/gig-json.h"

struct _GigPbBatch
{
  JsonArray *requests;
};

GigPbBatch *
gig_pb_batch_new (void)
{
  GigPbBatch *batch = g_new0 (GigPbBatch, 1);

  batch->requests = json_array_new ();
  return batch;
}

void
gig_pb_batch_free (GigPbBatch *batch)
{
  if (batch == NULL)
    return;
  json_array_unref (batch->requests);
  g_free (batch);
}

static void
batch_add (GigPbBatch *batch, const char *method, char *url, JsonObject *fields)
{
  JsonObject *request = json_object_new ();
  g_autoptr(JsonNode) source = json_node_alloc ();

  json_node_init_object (source, fields);
  json_object_set_string_member (request, "method", method);
  json_object_set_string_member (request, "url", url);
  /* A deep copy, so the caller may change or free @fields right away. */
  json_object_set_member (request, "body", json_node_copy (source));
  json_array_add_object_element (batch->requests, request);
  g_free (url);
}

void
gig_pb_batch_add_create (GigPbBatch *batch, const char *collection, JsonObject *fields)
{
  g_return_if_fail (batch != NULL && collection != NULL && fields != NULL);
  batch_add (batch, "POST", g_strdup_printf ("/api/collections/%s/records", collection), fields);
}

void
gig_pb_batch_add_update (GigPbBatch *batch, const char *collection, const char *id, JsonObject *fields)
{
  g_return_if_fail (batch != NULL && collection != NULL && id != NULL && fields != NULL);
  batch_add (batch, "PATCH", g_strdup_printf ("/api/collections/%s/records/%s", collection, id), fields);
}

void
gig_pb_batch_add_upsert (GigPbBatch *batch, const char *collection, JsonObject *fields)
{
  g_return_if_fail (batch != NULL && collection != NULL && fields != NULL);
  batch_add (batch, "PUT", g_strdup_printf ("/api/collections/%s/records", collection), fields);
}

guint
gig_pb_batch_get_length (GigPbBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return json_array_get_length (batch->requests);
}

char *
gig_pb_batch_to_json (GigPbBatch *batch, gsize *length)
{
  g_autoptr(JsonNode) root = json_node_alloc ();
  g_autoptr(JsonObject) object = json_object_new ();
  char *text;

  json_object_set_array_member (object, "requests", json_array_ref (batch->requests));
  json_node_init_object (root, object);
  text = json_to_string (root, FALSE);
  if (length != NULL)
    *length = strlen (text);
  return text;
}

void
gig_pb_client_batch_async (GigPbClient         *self,
                           GigPbBatch          *batch,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  RequestData *data;
  gsize length = 0;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (batch != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_pb_client_batch_async);
  data = g_new0 (RequestData, 1);
  data->kind = RESULT_BATCH;
  g_task_set_task_data (task, data, (GDestroyNotify) gig_pb_client_request_data_free);

  data->message = gig_pb_client_new_message (self, "POST", "/api/batch", NULL, NULL, TRUE, &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Serialised now, so the caller may free the batch as soon as this returns. */
  text = gig_pb_batch_to_json (batch, &length);
  bytes = g_bytes_new_take (g_steal_pointer (&text), length);
  soup_message_set_request_body_from_bytes (data->message, "application/json", bytes);
  gig_pb_client_start_request (self, gig_pb_client_get_session (self), g_steal_pointer (&task), data);
}

GPtrArray *
gig_pb_client_batch_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
