/* gig-store-writer.c: the one thread that writes the cache
 *
 * SPDX-License-Identifier: MIT
 *
 * Every write, and every use of the writer connection, runs on this thread, one job at a time in
 * the order the jobs were queued, as Chatty's history and libcmatrix's database workers do: the
 * pages a sync queues, and the synchronous writes (local edits, outbox updates, live events,
 * chat), whose callers wait for their job. The connection's entry points check it
 * (gig_store_assert_writer), so a write from anywhere else stops the program instead of racing.
 * Views read on their own connection (see gig-store.c).
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"

typedef struct {
  GigStoreJobFunc func;   /* NULL: the thread ends */
  gpointer        data;
} Job;

static gpointer
writer_main (gpointer user_data)
{
  GigStore *self = user_data;

  for (;;)
    {
      Job *job = g_async_queue_pop (self->jobs);
      GigStoreJobFunc func = job->func;
      gpointer data = job->data;

      g_free (job);
      if (func == NULL)
        break;
      func (self, data);
    }
  return NULL;
}

gboolean
gig_store_writer_start (GigStore  *self,
                        GError   **error)
{
  g_return_val_if_fail (self->writer_thread == NULL, FALSE);

  self->jobs = g_async_queue_new ();
  /* A plain pointer: gig_store_close() joins the thread before the store can go. */
  self->writer_thread = g_thread_try_new ("gig-store-writer", writer_main, self, error);
  if (self->writer_thread == NULL)
    {
      g_clear_pointer (&self->jobs, g_async_queue_unref);
      return FALSE;
    }
  return TRUE;
}

void
gig_store_writer_push (GigStore        *self,
                       GigStoreJobFunc  func,
                       gpointer         data)
{
  Job *job = g_new (Job, 1);

  g_return_if_fail (self->jobs != NULL);

  job->func = func;
  job->data = data;
  g_async_queue_push (self->jobs, job);
}

void
gig_store_writer_stop (GigStore        *self,
                       GigStoreJobFunc  last,
                       gpointer         data)
{
  if (self->writer_thread == NULL)
    return;
  /* The thread cannot wait for itself to end. */
  g_return_if_fail (g_thread_self () != self->writer_thread);

  if (last != NULL)
    gig_store_writer_push (self, last, data);
  gig_store_writer_push (self, NULL, NULL);
  /* The queued jobs still run on it and check that they do: forget it only once it ended. */
  g_thread_join (self->writer_thread);
  self->writer_thread = NULL;
  g_clear_pointer (&self->jobs, g_async_queue_unref);
}

gboolean
gig_store_is_writer (GigStore *self)
{
  return self->writer_thread != NULL && g_thread_self () == self->writer_thread;
}

void
gig_store_assert_writer (GigStore *self)
{
  g_assert (gig_store_is_writer (self));
}

typedef struct {
  GigStoreWriteFunc  func;
  gpointer           data;
  gboolean           check_open;
  GMutex             mutex;
  GCond              cond;
  gboolean           done;
  gboolean           ok;
  GError            *error;
} Waiting;

static gboolean
run_write (GigStore          *self,
           GigStoreWriteFunc  func,
           gpointer           data,
           gboolean           check_open,
           GError           **error)
{
  if (check_open && !gig_store_check_open (self, error))
    return FALSE;
  return func (self, data, error);
}

static void
run_waiting (GigStore *self,
             gpointer  data)
{
  Waiting *waiting = data;
  gboolean ok = run_write (self, waiting->func, waiting->data, waiting->check_open, &waiting->error);

  /* The waiting caller owns @waiting: nothing of it is touched after the unlock. */
  g_mutex_lock (&waiting->mutex);
  waiting->ok = ok;
  waiting->done = TRUE;
  g_cond_signal (&waiting->cond);
  g_mutex_unlock (&waiting->mutex);
}

gboolean
gig_store_writer_call (GigStore           *self,
                       GigStoreWriteFunc   func,
                       gpointer            data,
                       gboolean            check_open,
                       GError            **error)
{
  Waiting waiting = { func, data, check_open };

  /* A write made by a job (or on the way to one) is already on the thread. */
  if (gig_store_is_writer (self))
    return run_write (self, func, data, check_open, error);
  if (self->jobs == NULL)
    {
      g_set_error_literal (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED, _("The cache is closed"));
      return FALSE;
    }

  g_mutex_init (&waiting.mutex);
  g_cond_init (&waiting.cond);
  gig_store_writer_push (self, run_waiting, &waiting);
  g_mutex_lock (&waiting.mutex);
  while (!waiting.done)
    g_cond_wait (&waiting.cond, &waiting.mutex);
  g_mutex_unlock (&waiting.mutex);
  g_mutex_clear (&waiting.mutex);
  g_cond_clear (&waiting.cond);

  if (waiting.error != NULL)
    g_propagate_error (error, waiting.error);
  return waiting.ok;
}

gboolean
gig_store_write (GigStore           *self,
                 GigStoreWriteFunc   func,
                 gpointer            data,
                 GError            **error)
{
  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return gig_store_writer_call (self, func, data, TRUE, error);
}
