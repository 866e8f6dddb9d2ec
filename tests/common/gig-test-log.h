/* gig-test-log.h: expected warnings in tests that use structured logging
 *
 * GTest makes every warning fatal, and g_test_expect_message() does not see structured log
 * messages. A test that provokes a warning on purpose (a bad record skipped, a bad cursor
 * ignored) says so with gig_test_log_expect(); any other warning stays fatal.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the log writer; call once in main(), after g_test_init() and before anything logs. */
void   gig_test_log_init     (void);
/* From now on, warnings of @domain whose message starts with @prefix are counted, not fatal. */
void   gig_test_log_expect   (const char *domain,
                              const char *prefix);
/* How many such warnings came since gig_test_log_expect(); ends the expectation. */
guint  gig_test_log_done     (void);

G_END_DECLS
