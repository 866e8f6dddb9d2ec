/* gig-pb-list.c: records lists with keyset paging (sort=updated,id past a cursor), the page
 * parsed as the answer streams in (gig-pb-page.c).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "config.h"

#include "pocketbase/gig-pb-client-private.h"
#include "pocketbase/gig-pb-parser.h"
#include "core/gig-id.h"

#include <glib/gi18n.h>

#define READ_CHUNK (64 * 1024)

static void list_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

void
gig_pb_client_list_read_next (GTask *task)
{
  RequestData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   gig_deadline_get_cancellable (data->deadline), list_read_cb, task);
}

static void
list_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *chunk;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, gig_pb_client_transfer_error (data, error));
      return;
    }

  chunk = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      if (!gig_pb_page_parser_finish (data->page, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, gig_pb_page_parser_steal_records (data->page),
                               (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (!gig_pb_page_parser_feed (data->page, chunk, length, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  gig_pb_client_list_read_next (g_steal_pointer (&task));
}

void
gig_pb_client_list_records_async (GigPbClient         *self,
                                  const char          *collection,
                                  const char          *after_updated,
                                  const char          *after_id,
                                  const char          *filter,
                                  const char          *fields,
                                  guint                per_page,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *path = NULL;
  RequestData *data;

  g_return_if_fail (GIG_IS_PB_CLIENT (self));
  g_return_if_fail (collection != NULL);
  g_return_if_fail (after_id == NULL || after_updated != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_pb_client_list_records_async);
  data = g_new0 (RequestData, 1);
  data->kind = RESULT_LIST;
  g_task_set_task_data (task, data, (GDestroyNotify) gig_pb_client_request_data_free);

  /* The cursor comes from server data: it goes into the filter only in the sync contract's
   * form, which can never break out of the string literal. */
  if ((after_updated != NULL && !gig_stamp_is_valid (after_updated)) ||
      (after_id != NULL && !gig_id_is_valid (after_id)))
    {
      g_task_return_new_error (task, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                               _("Invalid list cursor"));
      return;
    }

  if (per_page == 0 || per_page > GIG_PB_LIST_MAX_PER_PAGE)
    per_page = GIG_PB_LIST_MAX_PER_PAGE;

  /* Timestamps compare as strings in PocketBase's "YYYY-MM-DD HH:MM:SS.mmmZ" form. */
  if (after_updated != NULL && after_id != NULL)
    g_string_append_printf (where, "(updated > \"%s\" || (updated = \"%s\" && id > \"%s\"))",
                            after_updated, after_updated, after_id);
  else if (after_updated != NULL)
    g_string_append_printf (where, "updated >= \"%s\"", after_updated);
  if (filter != NULL && *filter != '\0')
    {
      if (where->len > 0)
        {
          g_string_prepend_c (where, '(');
          g_string_append (where, ") && ");
        }
      g_string_append_printf (where, "(%s)", filter);
    }

  g_string_append_printf (query, "sort=updated,id&skipTotal=1&perPage=%u", per_page);
  if (where->len > 0)
    {
      g_autofree char *escaped = g_uri_escape_string (where->str, NULL, FALSE);
      g_string_append_printf (query, "&filter=%s", escaped);
    }
  if (fields != NULL && *fields != '\0')
    {
      g_autofree char *escaped = g_uri_escape_string (fields, NULL, FALSE);
      g_string_append_printf (query, "&fields=%s", escaped);
    }

  path = gig_pb_client_record_path (collection, NULL);
  data->message = gig_pb_client_new_message (self, "GET", path, query->str, NULL, TRUE, &error);
  if (data->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  gig_pb_client_start_request (self, gig_pb_client_get_session (self), g_steal_pointer (&task), data);
}

GPtrArray *
gig_pb_client_list_records_finish_raw (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
gig_pb_client_list_records_finish (GigPbClient *self, GAsyncResult *result, GError **error)
{
  g_autoptr(GPtrArray) records = gig_pb_client_list_records_finish_raw (self, result, error);

  return records ? gig_raw_records_to_objects (records) : NULL;
}
