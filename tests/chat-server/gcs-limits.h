/* gcs-limits.h: the service's size and count limits on what clients send
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GCS_MAX_MESSAGE_LENGTH   5000 /* characters of text: a channel type's default max_message_length */
#define GCS_MAX_ID_LENGTH         255 /* message ids */
#define GCS_MAX_ATTACHMENTS        30 /* per message */
#define GCS_MAX_MENTIONED_USERS   100 /* per message */
#define GCS_MAX_CUSTOM_DATA      5120 /* bytes of custom data (5KB) per message, channel or user */

typedef enum {
  GCS_CUSTOM_MESSAGE,
  GCS_CUSTOM_CHANNEL,
  GCS_CUSTOM_USER,
} GcsCustomKind;

gsize  gcs_limits_custom_size    (GcsCustomKind  kind,
                                  JsonObject    *fields);

char  *gcs_limits_check_custom   (GcsCustomKind  kind,
                                  JsonObject    *fields);

char  *gcs_limits_check_message  (JsonObject    *fields,
                                  int           *out_code);

G_END_DECLS
