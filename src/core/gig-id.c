/* gig-id.c: record ids and server timestamps
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-core"
/* getrandom(), O_CLOEXEC */
#define _GNU_SOURCE

#include "gig-id.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static const char id_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static gboolean
fill_random (guint8 *buf,
             gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  if (done == len)
    return TRUE;

  /* Kernels without getrandom(): the same CSPRNG through the device. */
  {
    int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return FALSE;
    while (done < len)
      {
        ssize_t n = read (fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break;
        done += n;
      }
    close (fd);
  }
  return done == len;
}

char *
gig_id_new (void)
{
  char id[GIG_ID_LENGTH + 1];
  guint filled = 0;

  while (filled < GIG_ID_LENGTH)
    {
      guint8 bytes[32];

      if (!fill_random (bytes, sizeof bytes))
        g_error ("No random source for record ids: %s", g_strerror (errno));

      for (guint i = 0; i < sizeof bytes && filled < GIG_ID_LENGTH; i++)
        {
          /* 252 = 7 * 36: rejecting the rest keeps every character equally likely. */
          if (bytes[i] >= 252)
            continue;
          id[filled++] = id_alphabet[bytes[i] % 36];
        }
    }
  id[GIG_ID_LENGTH] = '\0';
  return g_strdup (id);
}

gboolean
gig_id_is_valid (const char *id)
{
  if (id == NULL)
    return FALSE;
  for (guint i = 0; i < GIG_ID_LENGTH; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9')))
      return FALSE;  /* also stops at a NUL before the end */
  return id[GIG_ID_LENGTH] == '\0';
}

/* The digits at @text[@at], @count of them, as a number within [@min, @max]. */
static gboolean
read_field (const char *text,
            guint       at,
            guint       count,
            guint       min,
            guint       max)
{
  guint value = 0;

  for (guint i = at; i < at + count; i++)
    {
      if (text[i] < '0' || text[i] > '9')
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }
  return value >= min && value <= max;
}

gboolean
gig_stamp_is_valid (const char *stamp)
{
  /* "2030-01-31 23:59:59.999Z" */
  if (stamp == NULL || strnlen (stamp, GIG_STAMP_LENGTH + 1) != GIG_STAMP_LENGTH)
    return FALSE;
  return read_field (stamp, 0, 4, 1, 9999) && stamp[4] == '-' &&
         read_field (stamp, 5, 2, 1, 12) && stamp[7] == '-' &&
         read_field (stamp, 8, 2, 1, 31) && stamp[10] == ' ' &&
         read_field (stamp, 11, 2, 0, 23) && stamp[13] == ':' &&
         read_field (stamp, 14, 2, 0, 59) && stamp[16] == ':' &&
         read_field (stamp, 17, 2, 0, 60) && stamp[19] == '.' &&
         read_field (stamp, 20, 3, 0, 999) && stamp[23] == 'Z';
}

char *
gig_stamp_format (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (dt != NULL, NULL);

  utc = g_date_time_to_utc (dt);
  return g_strdup_printf ("%04d-%02d-%02d %02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (utc), g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc), g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc), g_date_time_get_second (utc),
                          g_date_time_get_microsecond (utc) / 1000);
}

char *
gig_stamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return gig_stamp_format (now);
}

char *
gig_stamp_from_unix_usec (gint64 usec)
{
  g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
  g_autoptr(GDateTime) when = g_date_time_add (epoch, MAX (usec, 0));

  return gig_stamp_format (when);
}

GDateTime *
gig_stamp_parse (const char *text)
{
  g_autofree char *iso = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL || strlen (text) < 19)
    return NULL;
  iso = g_strdup (text);
  if (iso[10] == ' ')
    iso[10] = 'T';
  utc = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (iso, utc);
}
