/* gig-raw-record.c: a record kept as the text the server sent
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigCore"

#include "core/gig-raw-record.h"

#include <string.h>

/* One allocation: this header, the members, the text, the decoded id and updated. */
struct _GigRawRecord
{
  gsize          length;
  const char    *text;
  const char    *id;
  const char    *updated;    /* NULL when the record has none */
  guint          n_members;
  GigJsonMember  members[];
};

GigRawRecord *
gig_raw_record_new (const char          *text,
                    gsize                length,
                    const GigJsonMember *members,
                    guint                n_members,
                    const char          *id,
                    const char          *updated)
{
  gsize id_length, updated_length, head;
  GigRawRecord *record;
  char *tail;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (members != NULL || n_members == 0, NULL);
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);

  id_length = strlen (id);
  updated_length = updated ? strlen (updated) : 0;
  head = sizeof (GigRawRecord) + n_members * sizeof (GigJsonMember);
  record = g_malloc (head + length + 1 + id_length + 1 + (updated ? updated_length + 1 : 0));
  record->length = length;
  record->n_members = n_members;
  if (n_members > 0)
    memcpy (record->members, members, n_members * sizeof (GigJsonMember));
  tail = (char *) record + head;
  if (length > 0)
    memcpy (tail, text, length);
  tail[length] = '\0';
  record->text = tail;
  tail += length + 1;
  memcpy (tail, id, id_length + 1);
  record->id = tail;
  tail += id_length + 1;
  record->updated = NULL;
  if (updated != NULL)
    {
      memcpy (tail, updated, updated_length + 1);
      record->updated = tail;
    }
  return record;
}

void
gig_raw_record_free (GigRawRecord *record)
{
  g_free (record);
}

const char *
gig_raw_record_get_text (const GigRawRecord *record,
                         gsize              *out_length)
{
  g_return_val_if_fail (record != NULL, NULL);
  if (out_length)
    *out_length = record->length;
  return record->text;
}

const char *
gig_raw_record_get_id (const GigRawRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->id;
}

const char *
gig_raw_record_get_updated (const GigRawRecord *record)
{
  g_return_val_if_fail (record != NULL, NULL);
  return record->updated;
}

guint
gig_raw_record_get_n_members (const GigRawRecord *record)
{
  g_return_val_if_fail (record != NULL, 0);
  return record->n_members;
}

void
gig_raw_record_get_member (const GigRawRecord *record,
                           guint               index,
                           GigRawMember       *out)
{
  const GigJsonMember *m;

  g_return_if_fail (record != NULL && index < record->n_members && out != NULL);

  m = &record->members[index];
  out->name = record->text + m->name;
  out->name_length = m->name_length;
  out->name_escaped = m->name_escaped;
  out->type = (GigJsonType) m->type;
  out->value = record->text + m->value;
  out->value_length = m->value_length;
  out->value_escaped = m->value_escaped;
}

JsonObject *
gig_raw_record_to_object (const GigRawRecord *record)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_return_val_if_fail (record != NULL, NULL);

  /* The text was checked when the record was made: this cannot fail. */
  object = gig_json_parse_object (record->text, (gssize) record->length, G_MAXSIZE, &error);
  g_assert_no_error (error);
  return object;
}

GPtrArray *
gig_raw_records_to_objects (GPtrArray *records)
{
  GPtrArray *objects;

  g_return_val_if_fail (records != NULL, NULL);

  objects = g_ptr_array_new_full (records->len, (GDestroyNotify) json_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (objects, gig_raw_record_to_object (g_ptr_array_index (records, i)));
  return objects;
}

gboolean
gig_raw_member_has_name (const GigRawMember *member,
                         const char         *name)
{
  g_return_val_if_fail (member != NULL && name != NULL, FALSE);

  return gig_json_string_equals (member->name, member->name_length, member->name_escaped, name);
}

char *
gig_raw_member_dup_string (const GigRawMember *member)
{
  GString *decoded;

  g_return_val_if_fail (member != NULL && member->type == GIG_JSON_TYPE_STRING, NULL);

  if (!member->value_escaped)
    return g_strndup (member->value + 1, member->value_length - 2);
  decoded = g_string_sized_new (member->value_length);
  gig_json_decode_string (member->value, member->value_length, decoded);
  return g_string_free (decoded, FALSE);
}

gboolean
gig_raw_member_get_number (const GigRawMember *member,
                           gint64             *out_int,
                           double             *out_double)
{
  g_return_val_if_fail (member != NULL && member->type == GIG_JSON_TYPE_NUMBER, FALSE);

  return gig_json_number_value (member->value, member->value_length, out_int, out_double);
}
