/* gcs-body.h: a request body as the server reads it (pure: fuzzed on its own).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The body as a JSON object, read with the bounded reader (at most @max_size bytes and
 * GIG_JSON_MAX_DEPTH deep); NULL with the service's wording of the problem in @out_message. */
JsonObject *gcs_body_parse (const char  *data,
                            gsize        length,
                            gsize        max_size,
                            char       **out_message);

G_END_DECLS
