/* gcs-multipart.c: a streaming multipart/form-data reader
 *
 * The body is scanned for the delimiter "\r\n--<boundary>". The window kept between chunks
 * is at most the part headers (bounded) or one delimiter's length of body data that may be
 * the start of a delimiter; everything before it is handed on at once.
 *
 * SPDX-License-Identifier: MIT
 */
/* memmem() under -std=c11 */
#define _GNU_SOURCE
#include <string.h>

#include "gcs-multipart.h"

G_DEFINE_QUARK (gcs-multipart-error-quark, gcs_multipart_error)

typedef enum {
  STATE_PREAMBLE,        /* before the first delimiter */
  STATE_AFTER_DELIMITER, /* "\r\n" (a part follows) or "--" (the end) */
  STATE_HEADERS,
  STATE_BODY,
  STATE_DONE,            /* the epilogue, ignored */
} State;

struct _GcsMultipart
{
  const GcsMultipartCallbacks *callbacks;
  gpointer                     user_data;
  char                        *delimiter;  /* "\r\n--" boundary */
  gsize                        delimiter_length;
  GByteArray                  *window;
  State                        state;
};

GcsMultipart *
gcs_multipart_new (const char                  *boundary,
                   const GcsMultipartCallbacks *callbacks,
                   gpointer                     user_data)
{
  GcsMultipart *self;
  gsize n;

  g_return_val_if_fail (boundary != NULL && callbacks != NULL, NULL);
  n = strlen (boundary);
  g_return_val_if_fail (n >= 1 && n <= GCS_MULTIPART_MAX_BOUNDARY, NULL);

  self = g_new0 (GcsMultipart, 1);
  self->callbacks = callbacks;
  self->user_data = user_data;
  self->delimiter = g_strconcat ("\r\n--", boundary, NULL);
  self->delimiter_length = n + 4;
  self->window = g_byte_array_new ();
  /* the first delimiter may open the body without a line break before it */
  g_byte_array_append (self->window, (const guint8 *) "\r\n", 2);
  self->state = STATE_PREAMBLE;
  return self;
}

void
gcs_multipart_free (GcsMultipart *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->window);
  g_free (self->delimiter);
  g_free (self);
}

static gboolean
malformed (GError    **error,
           const char *what)
{
  g_set_error (error, GCS_MULTIPART_ERROR, GCS_MULTIPART_ERROR_MALFORMED, "malformed multipart body: %s", what);
  return FALSE;
}

static void
consume (GcsMultipart *self,
         gsize         n)
{
  g_byte_array_remove_range (self->window, 0, (guint) n);
}

/* The value of parameter @key in a Content-Disposition header value; quoted strings unescaped. */
static char *
disposition_param (const char *value,
                   const char *key)
{
  gsize key_length = strlen (key);
  const char *p = strchr (value, ';');

  while (p != NULL)
    {
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      if (g_ascii_strncasecmp (p, key, key_length) == 0)
        {
          const char *v = p + key_length;

          while (*v == ' ' || *v == '\t')
            v++;
          if (*v == '=')
            {
              GString *out = g_string_new (NULL);

              v++;
              while (*v == ' ' || *v == '\t')
                v++;
              if (*v == '"')
                {
                  for (v++; *v != '\0' && *v != '"'; v++)
                    {
                      if (*v == '\\' && v[1] != '\0')
                        v++;
                      g_string_append_c (out, *v);
                    }
                  if (*v != '"')
                    return (g_string_free (out, TRUE), NULL);
                }
              else
                {
                  for (; *v != '\0' && *v != ';' && *v != ' ' && *v != '\t'; v++)
                    g_string_append_c (out, *v);
                }
              return g_string_free (out, FALSE);
            }
        }
      /* next parameter: skip a quoted value that may hold ';' */
      {
        gboolean quoted = FALSE;

        for (; *p != '\0'; p++)
          {
            if (*p == '"')
              quoted = !quoted;
            else if (*p == '\\' && quoted && p[1] != '\0')
              p++;
            else if (*p == ';' && !quoted)
              break;
          }
        if (*p == '\0')
          p = NULL;
      }
    }
  return NULL;
}

static gboolean
begin_part (GcsMultipart *self,
            const char   *headers,
            GError      **error)
{
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);
  g_autofree char *name = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *content_type = NULL;
  gboolean form_data = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      g_autofree char *value = NULL;

      if (lines[i][0] == '\0')
        continue;
      if (colon == NULL || colon == lines[i])
        return malformed (error, "a part header has no name");
      value = g_strstrip (g_strdup (colon + 1));
      *colon = '\0';
      if (g_ascii_strcasecmp (lines[i], "Content-Disposition") == 0)
        {
          if (g_ascii_strncasecmp (value, "form-data", 9) != 0 || (value[9] != '\0' && value[9] != ';'))
            return malformed (error, "a part is not form-data");
          form_data = TRUE;
          g_free (name);
          g_free (filename);
          name = disposition_param (value, "name");
          filename = disposition_param (value, "filename");
        }
      else if (g_ascii_strcasecmp (lines[i], "Content-Type") == 0)
        {
          g_free (content_type);
          content_type = g_steal_pointer (&value);
        }
    }
  if (!form_data || name == NULL)
    return malformed (error, "a part has no form-data name");
  if (!g_utf8_validate (name, -1, NULL) || (filename != NULL && !g_utf8_validate (filename, -1, NULL)))
    return malformed (error, "a part's name is not UTF-8");
  return self->callbacks->part_begin (self->user_data, name, filename, content_type, error);
}

/* Hands on what is certainly body data: everything before a delimiter, or all but the tail
 * that could be a delimiter's beginning. Returns TRUE with *found when a delimiter ended it. */
static gboolean
scan_body (GcsMultipart *self,
           gboolean     *found,
           GError      **error)
{
  const guint8 *data = self->window->data;
  gsize length = self->window->len;
  const guint8 *at = memmem (data, length, self->delimiter, self->delimiter_length);
  gsize safe;

  *found = at != NULL;
  if (at != NULL)
    safe = (gsize) (at - data);
  else
    safe = length >= self->delimiter_length ? length - (self->delimiter_length - 1) : 0;
  if (safe > 0 && self->state == STATE_BODY &&
      !self->callbacks->part_data (self->user_data, data, safe, error))
    return FALSE;
  consume (self, safe + (at != NULL ? self->delimiter_length : 0));
  return TRUE;
}

static gboolean
step (GcsMultipart *self,
      gboolean     *progress,
      GError      **error)
{
  *progress = FALSE;
  switch (self->state)
    {
    case STATE_PREAMBLE:
    case STATE_BODY:
      {
        gboolean found = FALSE;
        gboolean in_body = self->state == STATE_BODY;

        if (!scan_body (self, &found, error))
          return FALSE;
        if (found)
          {
            if (in_body && !self->callbacks->part_end (self->user_data, error))
              return FALSE;
            self->state = STATE_AFTER_DELIMITER;
            *progress = TRUE;
          }
        return TRUE;
      }

    case STATE_AFTER_DELIMITER:
      {
        /* transport padding (spaces, tabs) may follow a delimiter */
        gsize i = 0;

        while (i < self->window->len && (self->window->data[i] == ' ' || self->window->data[i] == '\t'))
          i++;
        if (i > 0)
          consume (self, i);
        if (self->window->len < 2)
          return TRUE;
        if (memcmp (self->window->data, "--", 2) == 0)
          {
            self->state = STATE_DONE;
            g_byte_array_set_size (self->window, 0);
            return TRUE;
          }
        if (memcmp (self->window->data, "\r\n", 2) != 0)
          return malformed (error, "a delimiter is not followed by a line break");
        consume (self, 2);
        self->state = STATE_HEADERS;
        *progress = TRUE;
        return TRUE;
      }

    case STATE_HEADERS:
      {
        const guint8 *data = self->window->data;
        gsize length = self->window->len;
        const guint8 *end;
        g_autofree char *headers = NULL;

        /* a part without headers starts with the empty line at once */
        if (length >= 2 && memcmp (data, "\r\n", 2) == 0)
          end = data;
        else if ((end = memmem (data, length, "\r\n\r\n", 4)) != NULL)
          end += 2;
        if (end == NULL)
          {
            if (length > GCS_MULTIPART_MAX_HEADERS)
              return malformed (error, "part headers are too long");
            return TRUE;
          }
        if ((gsize) (end - data) > GCS_MULTIPART_MAX_HEADERS)
          return malformed (error, "part headers are too long");
        if (memchr (data, '\0', (gsize) (end - data)) != NULL)
          return malformed (error, "part headers hold a NUL byte");
        headers = g_strndup ((const char *) data, (gsize) (end - data));
        consume (self, (gsize) (end - data) + 2);
        if (!begin_part (self, headers, error))
          return FALSE;
        self->state = STATE_BODY;
        *progress = TRUE;
        return TRUE;
      }

    case STATE_DONE:
      g_byte_array_set_size (self->window, 0);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

gboolean
gcs_multipart_feed (GcsMultipart *self,
                    const guint8 *data,
                    gsize         length,
                    GError      **error)
{
  gboolean progress = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  if (self->state == STATE_DONE)
    return TRUE;
  g_byte_array_append (self->window, data, (guint) length);
  while (progress)
    if (!step (self, &progress, error))
      return FALSE;
  return TRUE;
}

gboolean
gcs_multipart_finish (GcsMultipart *self,
                      GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (self->state != STATE_DONE)
    {
      g_set_error_literal (error, GCS_MULTIPART_ERROR, GCS_MULTIPART_ERROR_TRUNCATED,
                           "malformed multipart body: it ends before its closing boundary");
      return FALSE;
    }
  return TRUE;
}
