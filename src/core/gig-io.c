/* gig-io.c: a deadline for a whole request, and a bounded read of an answer.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-io.h"

struct _GigDeadline
{
  GCancellable *cancellable;
  GCancellable *parent;
  gulong        parent_handler;
  GSource      *timer;
  gboolean      expired;
};

static void
parent_cancelled_cb (GCancellable *parent, gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_cancellable_cancel (cancellable);
}

static gboolean
deadline_reached_cb (gpointer user_data)
{
  GigDeadline *deadline = user_data;

  deadline->expired = TRUE;
  g_cancellable_cancel (deadline->cancellable);
  return G_SOURCE_REMOVE;
}

GigDeadline *
gig_deadline_new (guint timeout_ms, GCancellable *parent)
{
  GigDeadline *deadline = g_new0 (GigDeadline, 1);

  g_return_val_if_fail (parent == NULL || G_IS_CANCELLABLE (parent), NULL);

  deadline->cancellable = g_cancellable_new ();
  if (parent != NULL)
    {
      deadline->parent = g_object_ref (parent);
      /* Runs at once if @parent is already cancelled. */
      deadline->parent_handler = g_cancellable_connect (parent, G_CALLBACK (parent_cancelled_cb),
                                                        g_object_ref (deadline->cancellable),
                                                        g_object_unref);
    }
  deadline->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (deadline->timer, deadline_reached_cb, deadline, NULL);
  g_source_set_static_name (deadline->timer, "[gigdesk] request deadline");
  g_source_attach (deadline->timer, g_main_context_get_thread_default ());
  return deadline;
}

void
gig_deadline_free (GigDeadline *deadline)
{
  if (deadline == NULL)
    return;
  g_source_destroy (deadline->timer);
  g_source_unref (deadline->timer);
  if (deadline->parent != NULL)
    {
      g_cancellable_disconnect (deadline->parent, deadline->parent_handler);
      g_object_unref (deadline->parent);
    }
  g_object_unref (deadline->cancellable);
  g_free (deadline);
}

GCancellable *
gig_deadline_get_cancellable (GigDeadline *deadline)
{
  g_return_val_if_fail (deadline != NULL, NULL);
  return deadline->cancellable;
}

gboolean
gig_deadline_expired (GigDeadline *deadline)
{
  g_return_val_if_fail (deadline != NULL, FALSE);
  return deadline->expired;
}

/* ------------------------------------------------------------------------------------------ */

#define READ_CHUNK (64 * 1024)

typedef struct
{
  GByteArray *data;
  gsize       max_size;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_clear_pointer (&data->data, g_byte_array_unref);
  g_free (data);
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next (GTask *task)
{
  g_input_stream_read_bytes_async (g_task_get_source_object (task), READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const guint8 *chunk;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  chunk = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&data->data)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (length > data->max_size - data->data->len)
    {
      g_debug ("An answer passed its limit of %" G_GSIZE_FORMAT " bytes", data->max_size);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "more than %" G_GSIZE_FORMAT " bytes", data->max_size);
      return;
    }
  g_byte_array_append (data->data, chunk, (guint) length);
  read_next (g_steal_pointer (&task));
}

void
gig_read_bounded_async (GInputStream        *stream,
                        gsize                max_size,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  ReadData *data;

  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (max_size <= G_MAXUINT);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_read_bounded_async);
  data = g_new0 (ReadData, 1);
  data->data = g_byte_array_new ();
  data->max_size = max_size;
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  read_next (task);
}

GBytes *
gig_read_bounded_finish (GInputStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
