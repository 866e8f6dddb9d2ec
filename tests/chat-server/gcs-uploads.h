/* gcs-uploads.h: channel file and image uploads, stored on disk, served by signed URL
 *
 * POST /channels/{type}/{id}/file and /image take multipart/form-data with one `file` part
 * (and, for server tokens, a `user` part). The body is streamed to disk as it arrives; the
 * answer is the service's `{"file": <URL>, "duration"}`. The URL is signed with the API secret
 * and expires like the service's CDN links; fetching it also needs the caller to be a member of
 * the channel (a server token always may).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GCS_MAX_UPLOAD_SIZE (100 * 1024 * 1024) /* the service's size_limit maximum, 100 MB */
#define GCS_UPLOAD_URL_LIFETIME (14 * 24 * 3600) /* seconds: the service's CDN links last 14 days */

typedef enum {
  GCS_UPLOAD_FILE,
  GCS_UPLOAD_IMAGE,
} GcsUploadKind;

/* A refusal in the service's terms: HTTP status, error code and the detail text. */
typedef struct {
  guint  status;
  int    code;
  char  *message;
} GcsUploadError;

void gcs_upload_error_clear (GcsUploadError *error);

typedef struct _GcsUploads GcsUploads;

/* @dir NULL: a new temporary directory, removed by gcs_uploads_free(). */
GcsUploads  *gcs_uploads_new            (const char      *dir,
                                         const char      *secret,
                                         gsize            max_size,
                                         GError         **error);
void         gcs_uploads_free           (GcsUploads      *self);
void         gcs_uploads_set_base_url   (GcsUploads      *self,
                                         const char      *base_url);

/* Operation names for error texts ("UploadFile failed with error: ..."). */
const char  *gcs_upload_kind_operation  (GcsUploadKind    kind);

/* From the request headers, before the body is read: checks the content type and the
 * announced length, then streams the body to a temporary file as it arrives. */
gboolean     gcs_uploads_begin          (GcsUploads        *self,
                                         SoupServerMessage *msg,
                                         GcsUploadKind      kind,
                                         const char        *cid,
                                         const char        *user_id,
                                         GcsUploadError    *error);
/* Once the body is in: stores the file and returns the answer ({"file": url}). */
JsonObject  *gcs_uploads_complete       (GcsUploads        *self,
                                         SoupServerMessage *msg,
                                         GcsUploadError    *error);

/* GET /uploads/{uuid}/{name}?Expires=&Signature=: the channel the stored file belongs to, if
 * the path names a stored file and the signature is valid and unexpired (else NULL and the
 * refusal in @error). */
char        *gcs_uploads_check_fetch    (GcsUploads        *self,
                                         const char        *uuid,
                                         const char        *name,
                                         GHashTable        *query,
                                         GcsUploadError    *error);
/* Sends the stored file (mapped, never copied into memory). */
gboolean     gcs_uploads_serve          (GcsUploads        *self,
                                         SoupServerMessage *msg,
                                         const char        *uuid,
                                         GcsUploadError    *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcsUploads, gcs_uploads_free)

G_END_DECLS
