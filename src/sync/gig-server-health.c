/* gig-server-health.c: periodic health checks of the PocketBase server
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include "sync/gig-server-health.h"
#include "core/gig-backoff.h"

#define DEFAULT_INTERVAL_MS 10000
#define DEFAULT_TIMEOUT_MS 4000
#define DEFAULT_MAX_BACKOFF_MS 30000
#define MIN_BACKOFF_MS 1000

/* 1 s, 2 s, 4 s, ... capped, with up to a quarter off at random so clients don't check in step. */
static const GigBackoffPolicy check_policy = {
  .first_ms = MIN_BACKOFF_MS, .max_ms = DEFAULT_MAX_BACKOFF_MS, .jitter_below_percent = 25,
};

struct _GigServerHealth
{
  GObject       parent_instance;

  GigPbClient  *client;
  gboolean      started;
  gboolean      reachable;
  guint         failures;       /* checks failed in a row */

  guint         interval_ms;
  guint         timeout_ms;
  GigBackoff    backoff;        /* the wait between checks while unreachable */

  GCancellable *check;          /* the check under way, or NULL */
  guint         check_timeout_source;
  guint         next_source;
};

G_DEFINE_FINAL_TYPE (GigServerHealth, gig_server_health, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REACHABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_next (GigServerHealth *self);

static void
set_reachable (GigServerHealth *self,
               gboolean         reachable)
{
  if (reachable)
    self->failures = 0;
  else if (self->failures < 31)
    self->failures++;
  if (self->reachable == reachable)
    return;
  g_debug ("server %s", reachable ? "reachable" : "unreachable");
  self->reachable = reachable;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHABLE]);
}

static guint
next_delay (GigServerHealth *self)
{
  if (self->reachable)
    return self->interval_ms;
  return gig_backoff_delay_ms (&self->backoff, MAX (self->failures, 1u));
}

typedef struct
{
  GigServerHealth *self;
  GCancellable    *check;
} CheckData;

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CheckData *data = user_data;
  GigServerHealth *self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = gig_pb_client_check_health_finish (GIG_PB_CLIENT (source), result, &error);
  gboolean current = self->check == data->check;

  /* Stopped or replaced meanwhile: the answer belongs to nobody. */
  if (current)
    {
      g_clear_handle_id (&self->check_timeout_source, g_source_remove);
      g_clear_object (&self->check);
      if (!ok)
        g_debug ("health check failed: %s", error->message);
      /* Any answer from the server, even an error status, means it is there. */
      set_reachable (self, ok || !g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK));
      schedule_next (self);
    }
  g_object_unref (data->check);
  g_object_unref (data->self);
  g_free (data);
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  GigServerHealth *self = user_data;

  /* No answer in time: cancelling makes check_done_cb see a network error. */
  self->check_timeout_source = 0;
  if (self->check != NULL)
    {
      GCancellable *check = g_steal_pointer (&self->check);

      g_debug ("health check: no answer within %u ms", self->timeout_ms);
      g_cancellable_cancel (check);
      g_object_unref (check);
      set_reachable (self, FALSE);
      schedule_next (self);
    }
  return G_SOURCE_REMOVE;
}

static void
start_check (GigServerHealth *self)
{
  CheckData *data;

  if (!self->started || self->check != NULL)
    return;
  g_clear_handle_id (&self->next_source, g_source_remove);
  self->check = g_cancellable_new ();
  self->check_timeout_source = g_timeout_add (self->timeout_ms, check_timeout_cb, self);

  data = g_new0 (CheckData, 1);
  data->self = g_object_ref (self);
  data->check = g_object_ref (self->check);
  gig_pb_client_check_health_async (self->client, self->check, check_done_cb, data);
}

static gboolean
next_cb (gpointer user_data)
{
  GigServerHealth *self = user_data;

  self->next_source = 0;
  start_check (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (GigServerHealth *self)
{
  g_clear_handle_id (&self->next_source, g_source_remove);
  if (self->started && self->check == NULL)
    self->next_source = g_timeout_add (next_delay (self), next_cb, self);
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                 */

GigServerHealth *
gig_server_health_new (GigPbClient *client)
{
  GigServerHealth *self;

  g_return_val_if_fail (GIG_IS_PB_CLIENT (client), NULL);

  self = g_object_new (GIG_TYPE_SERVER_HEALTH, NULL);
  self->client = g_object_ref (client);
  return self;
}

void
gig_server_health_start (GigServerHealth *self)
{
  g_return_if_fail (GIG_IS_SERVER_HEALTH (self));

  if (self->started)
    return;
  self->started = TRUE;
  start_check (self);
}

static void
cancel_check (GigServerHealth *self)
{
  g_clear_handle_id (&self->check_timeout_source, g_source_remove);
  if (self->check != NULL)
    {
      g_cancellable_cancel (self->check);
      g_clear_object (&self->check);
    }
}

void
gig_server_health_stop (GigServerHealth *self)
{
  g_return_if_fail (GIG_IS_SERVER_HEALTH (self));

  self->started = FALSE;
  g_clear_handle_id (&self->next_source, g_source_remove);
  cancel_check (self);
}

void
gig_server_health_check_now (GigServerHealth *self)
{
  g_return_if_fail (GIG_IS_SERVER_HEALTH (self));

  start_check (self);
}

void
gig_server_health_report (GigServerHealth *self,
                          gboolean         reachable)
{
  g_return_if_fail (GIG_IS_SERVER_HEALTH (self));

  if (reachable == self->reachable && reachable)
    return;
  set_reachable (self, reachable);
  /* A check under way finishes and plans the next one by itself. */
  if (self->check == NULL)
    schedule_next (self);
}

gboolean
gig_server_health_get_reachable (GigServerHealth *self)
{
  g_return_val_if_fail (GIG_IS_SERVER_HEALTH (self), FALSE);
  return self->reachable;
}

void
gig_server_health_set_timing (GigServerHealth *self,
                              guint            interval_ms,
                              guint            timeout_ms,
                              guint            max_backoff_ms)
{
  g_return_if_fail (GIG_IS_SERVER_HEALTH (self));
  g_return_if_fail (interval_ms > 0 && timeout_ms > 0 && max_backoff_ms >= MIN_BACKOFF_MS);

  self->interval_ms = interval_ms;
  self->timeout_ms = timeout_ms;
  gig_backoff_set_limits (&self->backoff, MIN_BACKOFF_MS, max_backoff_ms);
  if (self->next_source != 0)
    schedule_next (self);
}

/* ------------------------------------------------------------------------------------------ */
/* GObject                                                                                    */

static void
gig_server_health_dispose (GObject *object)
{
  GigServerHealth *self = GIG_SERVER_HEALTH (object);

  gig_server_health_stop (self);
  G_OBJECT_CLASS (gig_server_health_parent_class)->dispose (object);
}

static void
gig_server_health_finalize (GObject *object)
{
  GigServerHealth *self = GIG_SERVER_HEALTH (object);

  g_clear_object (&self->client);
  G_OBJECT_CLASS (gig_server_health_parent_class)->finalize (object);
}

static void
gig_server_health_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GigServerHealth *self = GIG_SERVER_HEALTH (object);

  switch (prop_id)
    {
    case PROP_REACHABLE:
      g_value_set_boolean (value, self->reachable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_server_health_class_init (GigServerHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_server_health_dispose;
  object_class->finalize = gig_server_health_finalize;
  object_class->get_property = gig_server_health_get_property;

  properties[PROP_REACHABLE] =
    g_param_spec_boolean ("reachable", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_server_health_init (GigServerHealth *self)
{
  self->reachable = TRUE;
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  gig_backoff_init (&self->backoff, &check_policy);
}
