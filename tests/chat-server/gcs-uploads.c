/* gcs-uploads.c: channel file and image uploads, stored on disk, served by signed URL
 *
 * Each upload is two files in the uploads directory: <uuid>.bin (the bytes) and <uuid>.json
 * (channel, uploader, name, MIME type, size). The body never sits in memory: libsoup hands
 * each chunk to the streaming multipart reader, which writes the `file` part to a temporary
 * file renamed into place once the body has ended well.
 *
 * SPDX-License-Identifier: MIT
 */
/* O_CLOEXEC under -std=c11 */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "gigdesk-chat-server"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gcs-body.h"
#include "gcs-multipart.h"
#include "gcs-state.h"
#include "gcs-uploads.h"

#define JOB_KEY "gcs-upload-job"
#define MAX_USER_PART 4096     /* the `user` part: {"id": "..."} */
#define MAX_OTHER_PARTS 65536  /* bytes of parts the service ignores */
#define MAX_NAME 255           /* bytes of a file name */
#define SNIFF_BYTES 64

/* The service's image types (its upload-image documentation lists them). */
static const char * const image_types[] = {
  "image/bmp", "image/gif", "image/jpeg", "image/png", "image/webp",
  "image/heic", "image/heic-sequence", "image/heif", "image/heif-sequence", "image/svg+xml",
  NULL
};

struct _GcsUploads
{
  char    *dir;
  gboolean owns_dir;
  char    *secret;
  gsize    max_size;
  char    *base_url;
};

typedef struct {
  GcsUploads    *uploads;
  GcsUploadKind  kind;
  char          *cid;
  char          *user_id;
  GcsMultipart  *reader;
  char          *tmp_path;     /* removed unless the upload is stored */
  int            fd;
  gboolean       in_file;      /* the current part is `file` */
  gboolean       in_user;
  gboolean       have_file;
  char          *filename;
  char          *content_type;
  guint8         head[SNIFF_BYTES];
  gsize          head_length;
  gsize          size;         /* bytes of the file part */
  gsize          other;        /* bytes of other parts */
  GString       *user_part;
  GcsUploadError failure;      /* the first problem; the rest of the body is then ignored */
} Job;

void
gcs_upload_error_clear (GcsUploadError *error)
{
  g_clear_pointer (&error->message, g_free);
  error->status = 0;
  error->code = 0;
}

G_GNUC_PRINTF (4, 5)
static gboolean
fail (GcsUploadError *error,
      guint           status,
      int             code,
      const char     *format,
      ...)
{
  va_list args;

  if (error->message != NULL)
    return FALSE;
  va_start (args, format);
  error->message = g_strdup_vprintf (format, args);
  va_end (args);
  error->status = status;
  error->code = code;
  return FALSE;
}

const char *
gcs_upload_kind_operation (GcsUploadKind kind)
{
  return kind == GCS_UPLOAD_IMAGE ? "UploadImage" : "UploadFile";
}

/* ------------------------------------------------------------------ the store */

GcsUploads *
gcs_uploads_new (const char *dir,
                 const char *secret,
                 gsize       max_size,
                 GError    **error)
{
  g_autoptr(GcsUploads) self = g_new0 (GcsUploads, 1);

  self->secret = g_strdup (secret);
  self->max_size = max_size;
  if (dir == NULL)
    {
      self->dir = g_dir_make_tmp ("gigdesk-chat-uploads-XXXXXX", error);
      if (self->dir == NULL)
        return NULL;
      self->owns_dir = TRUE;
    }
  else
    self->dir = g_strdup (dir); /* made by the first upload */
  self->base_url = g_strdup ("http://127.0.0.1");
  return g_steal_pointer (&self);
}

void
gcs_uploads_free (GcsUploads *self)
{
  if (self == NULL)
    return;
  if (self->owns_dir && self->dir != NULL)
    {
      g_autoptr(GDir) d = g_dir_open (self->dir, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *path = g_build_filename (self->dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (self->dir);
    }
  g_free (self->dir);
  g_free (self->secret);
  g_free (self->base_url);
  g_free (self);
}

void
gcs_uploads_set_base_url (GcsUploads *self,
                          const char *base_url)
{
  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
}

static gboolean
valid_uuid (const char *uuid)
{
  gsize n = 0;

  for (const char *p = uuid; *p; p++, n++)
    if (!(g_ascii_isxdigit (*p) || *p == '-'))
      return FALSE;
  return n == 36;
}

static char *
stored_path (GcsUploads *self,
             const char *uuid,
             const char *suffix)
{
  g_autofree char *base = g_strconcat (uuid, suffix, NULL);

  return g_build_filename (self->dir, base, NULL);
}

static char *
signature (GcsUploads *self,
           const char *uuid,
           gint64      expires)
{
  g_autofree char *text = g_strdup_printf ("%s\n%" G_GINT64_FORMAT, uuid, expires);

  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) self->secret,
                                    strlen (self->secret), text, -1);
}

static char *
signed_url (GcsUploads *self,
            const char *uuid,
            const char *name)
{
  gint64 expires = g_get_real_time () / G_USEC_PER_SEC + GCS_UPLOAD_URL_LIFETIME;
  g_autofree char *sig = signature (self, uuid, expires);
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);

  return g_strdup_printf ("%s/uploads/%s/%s?Expires=%" G_GINT64_FORMAT "&Signature=%s",
                          self->base_url, uuid, escaped, expires, sig);
}

/* Compares without leaking, through its time, how much of a guess was right. */
static gboolean
same_text (const char *a,
           const char *b)
{
  gsize n = strlen (a);
  guint8 diff = 0;

  if (n != strlen (b))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

/* ------------------------------------------------------------------ types */

static gboolean
is_image_type (const char *type)
{
  for (guint i = 0; image_types[i] != NULL; i++)
    if (g_ascii_strcasecmp (type, image_types[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The image type the first bytes show, or NULL: the type comes from the content, not from
 * what the client says, so a script cannot pass for a picture. */
static const char *
sniff_image (const guint8 *head,
             gsize         length)
{
  static const struct { gsize offset; const char *magic; gsize length; const char *type; } signatures[] = {
    { 0, "\x89PNG\r\n\x1a\n", 8, "image/png" },
    { 0, "\xff\xd8\xff", 3, "image/jpeg" },
    { 0, "GIF87a", 6, "image/gif" },
    { 0, "GIF89a", 6, "image/gif" },
    { 0, "BM", 2, "image/bmp" },
    { 4, "ftypheic", 8, "image/heic" },
    { 4, "ftypheix", 8, "image/heic" },
    { 4, "ftyphevc", 8, "image/heic-sequence" },
    { 4, "ftypmif1", 8, "image/heif" },
    { 4, "ftypmsf1", 8, "image/heif-sequence" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (signatures); i++)
    if (length >= signatures[i].offset + signatures[i].length &&
        memcmp (head + signatures[i].offset, signatures[i].magic, signatures[i].length) == 0)
      return signatures[i].type;
  if (length >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WEBP", 4) == 0)
    return "image/webp";
  {
    /* SVG: XML text whose first element is <svg (after an optional declaration/comments) */
    g_autofree char *text = g_strndup ((const char *) head, length);

    if (g_utf8_validate (text, -1, NULL) && strstr (text, "<svg") != NULL)
      return "image/svg+xml";
  }
  return NULL;
}

/* A declared Content-Type worth keeping: type/subtype of token characters. */
static gboolean
plausible_type (const char *type)
{
  const char *slash;

  if (type == NULL || strlen (type) > 127 || (slash = strchr (type, '/')) == NULL || slash == type || slash[1] == '\0')
    return FALSE;
  for (const char *p = type; *p && *p != ';'; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("/!#$&^_.+-", *p) != NULL))
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------ receiving */

static void
job_free (Job *job)
{
  if (job->fd >= 0)
    close (job->fd);
  if (job->tmp_path != NULL)
    g_unlink (job->tmp_path);
  g_free (job->tmp_path);
  gcs_multipart_free (job->reader);
  g_free (job->cid);
  g_free (job->user_id);
  g_free (job->filename);
  g_free (job->content_type);
  if (job->user_part != NULL)
    g_string_free (job->user_part, TRUE);
  gcs_upload_error_clear (&job->failure);
  g_free (job);
}

/* A form's filename as the sender meant it: browsers (and the desktop) send '"', CR and LF
 * as %22, %0D and %0A inside the quoted parameter; nothing else is decoded. */
static char *
form_filename (const char *filename)
{
  GString *out;

  if (filename == NULL || *filename == '\0')
    return g_strdup ("file");
  out = g_string_new (NULL);
  for (const char *p = filename; *p; p++)
    {
      if (g_ascii_strncasecmp (p, "%22", 3) == 0)
        g_string_append_c (out, '"'), p += 2;
      else if (g_ascii_strncasecmp (p, "%0D", 3) == 0 || g_ascii_strncasecmp (p, "%0A", 3) == 0)
        g_string_append_c (out, ' '), p += 2;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
part_begin (gpointer     user_data,
            const char  *name,
            const char  *filename,
            const char  *content_type,
            GError     **error)
{
  Job *job = user_data;

  job->in_file = g_str_equal (name, "file");
  job->in_user = g_str_equal (name, "user");
  if (job->in_file)
    {
      if (job->have_file)
        return fail (&job->failure, SOUP_STATUS_BAD_REQUEST, 4, "only one file per upload"), FALSE;
      job->have_file = TRUE;
      job->filename = form_filename (filename);
      if (strlen (job->filename) > MAX_NAME || strchr (job->filename, '/') != NULL ||
          strchr (job->filename, '\\') != NULL)
        {
          /* keep the last path component, bounded; never a path */
          const char *base = job->filename;

          for (const char *p = job->filename; *p; p++)
            if (*p == '/' || *p == '\\')
              base = p + 1;
          base = *base != '\0' ? base : "file";
          {
            g_autofree char *kept = g_utf8_make_valid (base, MIN (strlen (base), (gsize) MAX_NAME));

            g_free (job->filename);
            job->filename = g_steal_pointer (&kept);
          }
        }
      job->content_type = plausible_type (content_type) ? g_ascii_strdown (content_type, -1) : NULL;
    }
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
part_data (gpointer      user_data,
           const guint8 *data,
           gsize         length,
           GError      **error)
{
  Job *job = user_data;

  if (job->in_file)
    {
      if (job->size + length > job->uploads->max_size)
        return fail (&job->failure, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, 22,
                     "file is too large: the limit is %" G_GSIZE_FORMAT " bytes", job->uploads->max_size), FALSE;
      if (job->head_length < SNIFF_BYTES)
        {
          gsize n = MIN (length, SNIFF_BYTES - job->head_length);

          memcpy (job->head + job->head_length, data, n);
          job->head_length += n;
        }
      if (!write_all (job->fd, data, length))
        {
          int saved = errno;

          return fail (&job->failure, SOUP_STATUS_INTERNAL_SERVER_ERROR, -1,
                       "cannot store the file: %s", g_strerror (saved)), FALSE;
        }
      job->size += length;
      return TRUE;
    }
  if (job->in_user)
    {
      if (job->user_part->len + length > MAX_USER_PART)
        return fail (&job->failure, SOUP_STATUS_BAD_REQUEST, 4, "the user field is too long"), FALSE;
      g_string_append_len (job->user_part, (const char *) data, (gssize) length);
      return TRUE;
    }
  job->other += length;
  if (job->other > MAX_OTHER_PARTS)
    return fail (&job->failure, SOUP_STATUS_BAD_REQUEST, 4, "the form has too much besides the file"), FALSE;
  return TRUE;
}

static gboolean
part_end (gpointer  user_data,
          GError  **error)
{
  Job *job = user_data;

  job->in_file = job->in_user = FALSE;
  return TRUE;
}

static const GcsMultipartCallbacks callbacks = { part_begin, part_data, part_end };

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (chunk, &length);

  if (job->failure.message != NULL)
    return; /* refused already: the rest of the body is read and dropped */
  if (!gcs_multipart_feed (job->reader, data, length, &error) && job->failure.message == NULL)
    fail (&job->failure, SOUP_STATUS_BAD_REQUEST, 4, "%s", error ? error->message : "malformed body");
}

gboolean
gcs_uploads_begin (GcsUploads        *self,
                   SoupServerMessage *msg,
                   GcsUploadKind      kind,
                   const char        *cid,
                   const char        *user_id,
                   GcsUploadError    *error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (headers, &params);
  const char *boundary = params != NULL ? g_hash_table_lookup (params, "boundary") : NULL;
  goffset announced = soup_message_headers_get_content_length (headers);
  g_autofree char *template = NULL;
  Job *job;
  int fd;

  if (type == NULL || g_ascii_strcasecmp (type, "multipart/form-data") != 0 || boundary == NULL ||
      *boundary == '\0' || strlen (boundary) > GCS_MULTIPART_MAX_BOUNDARY)
    return fail (error, SOUP_STATUS_BAD_REQUEST, 4,
                 "the body must be multipart/form-data with a boundary and a file field");
  /* the file, plus room for the form around it */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      announced > (goffset) (self->max_size + MAX_OTHER_PARTS + MAX_USER_PART + 16384))
    return fail (error, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, 22,
                 "file is too large: the limit is %" G_GSIZE_FORMAT " bytes", self->max_size);

  template = g_build_filename (self->dir, "upload-XXXXXX.part", NULL);
  fd = g_mkdir_with_parents (self->dir, 0700) == 0 ? g_mkstemp_full (template, O_WRONLY | O_CLOEXEC, 0600) : -1;
  if (fd < 0)
    {
      int saved = errno;

      return fail (error, SOUP_STATUS_INTERNAL_SERVER_ERROR, -1, "cannot store the file: %s", g_strerror (saved));
    }

  job = g_new0 (Job, 1);
  job->fd = fd;
  job->tmp_path = g_steal_pointer (&template);
  job->uploads = self;
  job->kind = kind;
  job->cid = g_strdup (cid);
  job->user_id = g_strdup (user_id);
  job->user_part = g_string_new (NULL);
  job->reader = gcs_multipart_new (boundary, &callbacks, job);

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), job);
  g_object_set_data_full (G_OBJECT (msg), JOB_KEY, job, (GDestroyNotify) job_free);
  return TRUE;
}

JsonObject *
gcs_uploads_complete (GcsUploads        *self,
                      SoupServerMessage *msg,
                      GcsUploadError    *error)
{
  Job *job = g_object_get_data (G_OBJECT (msg), JOB_KEY);
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonObject) meta = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  const char *mime;

  if (job == NULL)
    return fail (error, SOUP_STATUS_BAD_REQUEST, 4, "the body must be multipart/form-data"), NULL;
  if (job->failure.message != NULL)
    return fail (error, job->failure.status, job->failure.code, "%s", job->failure.message), NULL;
  if (!gcs_multipart_finish (job->reader, &local))
    return fail (error, SOUP_STATUS_BAD_REQUEST, 4, "%s", local->message), NULL;
  if (!job->have_file)
    return fail (error, SOUP_STATUS_BAD_REQUEST, 4, "file field is required"), NULL;
  if (job->size == 0)
    return fail (error, SOUP_STATUS_BAD_REQUEST, 4, "file is empty"), NULL;

  if (job->kind == GCS_UPLOAD_IMAGE)
    {
      const char *seen = sniff_image (job->head, job->head_length);

      if (seen == NULL || !is_image_type (seen))
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) image_types);

          return fail (error, SOUP_STATUS_BAD_REQUEST, 4,
                       "file %s is not an image of an allowed type (%s)", job->filename, allowed), NULL;
        }
      mime = seen;
    }
  else
    mime = job->content_type != NULL ? job->content_type : "application/octet-stream";

  if (close (job->fd) != 0)
    {
      int saved = errno;

      job->fd = -1;
      return fail (error, SOUP_STATUS_INTERNAL_SERVER_ERROR, -1, "cannot store the file: %s", g_strerror (saved)), NULL;
    }
  job->fd = -1;

  uuid = gcs_uuid ();
  bin = stored_path (self, uuid, ".bin");
  json = stored_path (self, uuid, ".json");
  meta = json_object_new ();
  json_object_set_string_member (meta, "cid", job->cid);
  if (job->user_id != NULL)
    json_object_set_string_member (meta, "user_id", job->user_id);
  json_object_set_string_member (meta, "name", job->filename);
  json_object_set_string_member (meta, "mime_type", mime);
  json_object_set_int_member (meta, "size", (gint64) job->size);
  json_object_set_string_member (meta, "kind", job->kind == GCS_UPLOAD_IMAGE ? "image" : "file");
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), meta);

    text = json_to_string (node, FALSE);
  }
  if (g_rename (job->tmp_path, bin) != 0 || !g_file_set_contents (json, text, -1, &local))
    {
      g_unlink (bin);
      return fail (error, SOUP_STATUS_INTERNAL_SERVER_ERROR, -1, "cannot store the file"), NULL;
    }
  g_clear_pointer (&job->tmp_path, g_free);

  url = signed_url (self, uuid, job->filename);
  answer = json_object_new ();
  json_object_set_string_member (answer, "file", url);
  return g_steal_pointer (&answer);
}

/* ------------------------------------------------------------------ serving */

static JsonObject *
read_meta (GcsUploads *self,
           const char *uuid)
{
  g_autofree char *path = stored_path (self, uuid, ".json");
  g_autofree char *text = NULL;
  g_autofree char *problem = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return NULL;
  return gcs_body_parse (text, length, 64 * 1024, &problem);
}

char *
gcs_uploads_check_fetch (GcsUploads     *self,
                         const char     *uuid,
                         const char     *name,
                         GHashTable     *query,
                         GcsUploadError *error)
{
  g_autoptr(JsonObject) meta = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *decoded = NULL;
  const char *expires_text = query ? g_hash_table_lookup (query, "Expires") : NULL;
  const char *sig = query ? g_hash_table_lookup (query, "Signature") : NULL;
  const char *stored_name;
  gint64 expires = 0;
  char *end = NULL;

  if (!valid_uuid (uuid) || (meta = read_meta (self, uuid)) == NULL)
    return fail (error, SOUP_STATUS_NOT_FOUND, 16, "file not found"), NULL;
  /* the HTTP layer may already have undone some escapes (libsoup decodes "%25"): the name
   * matches as it came or decoded once */
  decoded = g_uri_unescape_string (name, NULL);
  stored_name = gcs_json_member_string (meta, "name");
  if (stored_name == NULL || !(g_str_equal (name, stored_name) || g_strcmp0 (decoded, stored_name) == 0))
    return fail (error, SOUP_STATUS_NOT_FOUND, 16, "file not found"), NULL;
  if (expires_text != NULL)
    expires = g_ascii_strtoll (expires_text, &end, 10);
  if (expires_text == NULL || sig == NULL || end == expires_text || *end != '\0')
    return fail (error, SOUP_STATUS_FORBIDDEN, 17, "the file URL is not signed"), NULL;
  expected = signature (self, uuid, expires);
  if (!same_text (sig, expected))
    return fail (error, SOUP_STATUS_FORBIDDEN, 17, "the file URL's signature is not valid"), NULL;
  if (expires < g_get_real_time () / G_USEC_PER_SEC)
    return fail (error, SOUP_STATUS_FORBIDDEN, 17, "the file URL has expired"), NULL;
  return g_strdup (gcs_json_member_string (meta, "cid"));
}

gboolean
gcs_uploads_serve (GcsUploads        *self,
                   SoupServerMessage *msg,
                   const char        *uuid,
                   GcsUploadError    *error)
{
  g_autoptr(JsonObject) meta = read_meta (self, uuid);
  g_autofree char *bin = stored_path (self, uuid, ".bin");
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) params = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *mime;
  gboolean inline_image;

  if (meta == NULL || (mapped = g_mapped_file_new (bin, FALSE, NULL)) == NULL)
    return fail (error, SOUP_STATUS_NOT_FOUND, 16, "file not found");
  mime = gcs_json_member_string (meta, "mime_type");
  if (mime == NULL)
    mime = "application/octet-stream";
  /* raster images show in place; everything else (SVG included) is a download, and nothing
   * served here may run script or be sniffed into something else */
  inline_image = g_str_has_prefix (mime, "image/") && !g_str_equal (mime, "image/svg+xml");
  params = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (params, (gpointer) "filename", (gpointer) gcs_json_member_string (meta, "name"));
  soup_message_headers_set_content_disposition (headers, inline_image ? "inline" : "attachment", params);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", "sandbox; default-src 'none'");
  soup_message_headers_replace (headers, "Cache-Control", "private, max-age=3600");
  bytes = g_mapped_file_get_bytes (mapped);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, mime, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  return TRUE;
}
