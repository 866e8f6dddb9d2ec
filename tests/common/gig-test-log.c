/* gig-test-log.c: expected warnings in tests that use structured logging
 *
 * SPDX-License-Identifier: MIT
 */
#include "gig-test-log.h"

#include <string.h>

static GMutex lock;
static char *expected_domain;
static char *expected_prefix;
static guint expected_count;

static const char *
field_text (const GLogField *fields,
            gsize            n_fields,
            const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, key) && fields[i].length < 0)
      return fields[i].value;
  return NULL;
}

static GLogWriterOutput
writer (GLogLevelFlags   log_level,
        const GLogField *fields,
        gsize            n_fields,
        gpointer         user_data)
{
  if (log_level & G_LOG_LEVEL_WARNING)
    {
      const char *domain = field_text (fields, n_fields, "GLIB_DOMAIN");
      const char *message = field_text (fields, n_fields, "MESSAGE");
      gboolean expected;

      g_mutex_lock (&lock);
      expected = expected_prefix != NULL && g_strcmp0 (domain, expected_domain) == 0 &&
                 message != NULL && g_str_has_prefix (message, expected_prefix);
      if (expected)
        expected_count++;
      g_mutex_unlock (&lock);
      if (expected)
        {
          g_test_message ("expected warning: %s", message);
          return G_LOG_WRITER_HANDLED;
        }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
gig_test_log_init (void)
{
  g_log_set_writer_func (writer, NULL, NULL);
}

void
gig_test_log_expect (const char *domain,
                     const char *prefix)
{
  g_mutex_lock (&lock);
  g_free (expected_domain);
  g_free (expected_prefix);
  expected_domain = g_strdup (domain);
  expected_prefix = g_strdup (prefix);
  expected_count = 0;
  g_mutex_unlock (&lock);
}

guint
gig_test_log_done (void)
{
  guint count;

  g_mutex_lock (&lock);
  count = expected_count;
  g_clear_pointer (&expected_domain, g_free);
  g_clear_pointer (&expected_prefix, g_free);
  expected_count = 0;
  g_mutex_unlock (&lock);
  return count;
}
