/* gcs-multipart.h: a streaming multipart/form-data reader (pure: fuzzed on its own)
 *
 * Fed the request body chunk by chunk as it arrives, it hands each part's headers and data
 * to callbacks and keeps only a small window of the body in memory, so an upload of any size
 * goes to disk without ever being held whole.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GCS_MULTIPART_ERROR (gcs_multipart_error_quark ())
GQuark gcs_multipart_error_quark (void);

typedef enum {
  GCS_MULTIPART_ERROR_MALFORMED,
  GCS_MULTIPART_ERROR_TRUNCATED,
} GcsMultipartError;

/* Part headers are a few hundred bytes; more is refused as malformed. */
#define GCS_MULTIPART_MAX_HEADERS (16 * 1024)
#define GCS_MULTIPART_MAX_BOUNDARY 70 /* RFC 2046 */

typedef struct {
  /* name and filename from Content-Disposition (filename may be NULL), and the part's
   * Content-Type (NULL when absent). Returning FALSE with @error stops the reader. */
  gboolean (*part_begin) (gpointer     user_data,
                          const char  *name,
                          const char  *filename,
                          const char  *content_type,
                          GError     **error);
  gboolean (*part_data)  (gpointer      user_data,
                          const guint8 *data,
                          gsize         length,
                          GError      **error);
  gboolean (*part_end)   (gpointer     user_data,
                          GError     **error);
} GcsMultipartCallbacks;

typedef struct _GcsMultipart GcsMultipart;

/* The boundary from the request's Content-Type (1 to 70 characters). */
GcsMultipart *gcs_multipart_new    (const char                  *boundary,
                                    const GcsMultipartCallbacks *callbacks,
                                    gpointer                     user_data);
void          gcs_multipart_free   (GcsMultipart                *self);

gboolean      gcs_multipart_feed   (GcsMultipart                *self,
                                    const guint8                *data,
                                    gsize                        length,
                                    GError                     **error);
/* The body has ended: TRUE only if the closing boundary was seen. */
gboolean      gcs_multipart_finish (GcsMultipart                *self,
                                    GError                     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcsMultipart, gcs_multipart_free)

G_END_DECLS
