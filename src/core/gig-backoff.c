/* gig-backoff.c: how long to wait before trying again after failures in a row.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-backoff.h"

static guint32
default_random (gpointer user_data)
{
  return g_random_int ();
}

void
gig_backoff_init (GigBackoff             *backoff,
                  const GigBackoffPolicy *policy)
{
  g_return_if_fail (backoff != NULL && policy != NULL);
  g_return_if_fail (policy->first_ms > 0 && policy->first_ms <= policy->max_ms);
  g_return_if_fail (policy->jitter_below_percent <= 100 && policy->jitter_above_percent <= 100);

  backoff->policy = *policy;
  backoff->failures = 0;
  backoff->random = default_random;
  backoff->random_data = NULL;
}

void
gig_backoff_set_random (GigBackoff           *backoff,
                        GigBackoffRandomFunc  random,
                        gpointer              random_data)
{
  g_return_if_fail (backoff != NULL);

  backoff->random = random != NULL ? random : default_random;
  backoff->random_data = random != NULL ? random_data : NULL;
}

void
gig_backoff_set_limits (GigBackoff *backoff,
                        guint       first_ms,
                        guint       max_ms)
{
  g_return_if_fail (backoff != NULL);
  g_return_if_fail (first_ms > 0 && first_ms <= max_ms);

  backoff->policy.first_ms = first_ms;
  backoff->policy.max_ms = max_ms;
}

const GigBackoffPolicy *
gig_backoff_get_policy (const GigBackoff *backoff)
{
  g_return_val_if_fail (backoff != NULL, NULL);
  return &backoff->policy;
}

/* The delay before jitter, in 64 bits so that no growth wraps around; never over the cap. */
static guint64
base_delay (const GigBackoffPolicy *policy,
            guint                   failures)
{
  guint64 delay;

  if (policy->step_ms > 0 && failures - 1 > policy->max_ms / policy->step_ms)
    delay = policy->max_ms;
  else if (policy->step_ms > 0)
    delay = (guint64) policy->first_ms + (guint64) policy->step_ms * (failures - 1);
  else if (failures - 1 >= 32)
    delay = policy->max_ms;
  else
    delay = (guint64) policy->first_ms << (failures - 1);
  return MIN (delay, (guint64) policy->max_ms);
}

guint
gig_backoff_delay_ms (const GigBackoff *backoff,
                      guint             failures)
{
  const GigBackoffPolicy *policy;
  guint64 delay, low, high, jittered;

  g_return_val_if_fail (backoff != NULL, 0);

  if (failures == 0)
    return 0;
  policy = &backoff->policy;
  delay = base_delay (policy, failures);
  low = delay - delay * policy->jitter_below_percent / 100;
  high = delay + delay * policy->jitter_above_percent / 100;
  /* Scaled rather than taken modulo: the random value's ends give the window's ends. */
  jittered = low + (guint64) ((double) (high - low) * (backoff->random (backoff->random_data) / (double) G_MAXUINT32));
  return (guint) MIN (jittered, (guint64) policy->max_ms);
}

guint
gig_backoff_next_ms (GigBackoff *backoff)
{
  g_return_val_if_fail (backoff != NULL, 0);

  if (backoff->failures < G_MAXUINT)
    backoff->failures++;
  return gig_backoff_delay_ms (backoff, backoff->failures);
}

void
gig_backoff_reset (GigBackoff *backoff)
{
  g_return_if_fail (backoff != NULL);
  backoff->failures = 0;
}

guint
gig_backoff_get_failures (const GigBackoff *backoff)
{
  g_return_val_if_fail (backoff != NULL, 0);
  return backoff->failures;
}
