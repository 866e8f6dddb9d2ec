/* gcs-server.h: HTTP and websocket front of the local chat server
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "gcs-state.h"
#include "gcs-uploads.h"

G_BEGIN_DECLS

#define GCS_TYPE_SERVER (gcs_server_get_type ())
G_DECLARE_FINAL_TYPE (GcsServer, gcs_server, GCS, SERVER, GObject)

GcsServer *gcs_server_new    (const char  *api_key,
                              const char  *api_secret,
                              GcsState    *state,
                              guint        health_interval,
                              gsize        max_body);
/* Binds 127.0.0.1 (or the given address) on port (0 = any free port). */
gboolean   gcs_server_listen (GcsServer   *self,
                              const char  *address,
                              guint        port,
                              guint       *out_port,
                              GError     **error);
void       gcs_server_close  (GcsServer   *self);
/* Enables the upload routes (before listening: file URLs name the bound address). */
void       gcs_server_set_uploads (GcsServer  *self,
                                   GcsUploads *uploads);

G_END_DECLS
