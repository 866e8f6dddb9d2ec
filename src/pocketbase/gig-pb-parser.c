/* gig-pb-parser.c: records as the server wrote them (checked, scanned once, kept as text); the
 * incremental parsers of list pages and server-sent events are in gig-pb-list.c and
 * gig-pb-sse.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigPocketBase"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-answers.h"
#include "pocketbase/gig-pb-private.h"
#include "core/gig-json.h"
#include "core/gig-raw-record.h"

#include <glib/gi18n.h>
#include <string.h>


gboolean
gig_pb_set_malformed (GError **error, const char *what)
{
  g_set_error (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED, _("Malformed server response: %s"), what);
  return FALSE;
}

/* The JSON reader's error as this layer's: the reader's reason when it is one a user can act
 * on (too deep, too large), else @what. */
void
gig_pb_set_malformed_from_json (GError **error, const GError *json_error, const char *what)
{
  if (json_error->code == GIG_JSON_ERROR_TOO_DEEP || json_error->code == GIG_JSON_ERROR_TOO_LARGE)
    what = json_error->message;
  gig_pb_set_malformed (error, what);
}

JsonObject *
gig_pb_check_record (JsonNode *root, GError **error)
{
  JsonObject *object;
  JsonNode *member;

  g_return_val_if_fail (root != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      gig_pb_set_malformed (error, _("a record is not an object"));
      return NULL;
    }
  object = json_node_get_object (root);
  member = json_object_get_member (object, "id");
  if (gig_json_node_get_string (member) == NULL || *json_node_get_string (member) == '\0')
    {
      gig_pb_set_malformed (error, _("a record has no id"));
      return NULL;
    }
  member = json_object_get_member (object, "updated");
  if (member != NULL && gig_json_node_get_string (member) == NULL)
    {
      gig_pb_set_malformed (error, _("a record's updated is not a string"));
      return NULL;
    }
  return json_object_ref (object);
}

JsonObject *
gig_pb_parse_record (const char *data, gssize length, GError **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = gig_json_parse (data, length, GIG_PB_MAX_VALUE_SIZE, &json_error);
  if (root == NULL)
    {
      gig_pb_set_malformed_from_json (error, json_error, _("bad records"));
      return NULL;
    }
  return gig_pb_check_record (root, error);
}

/* ------------------------------------------------------------------------------------------ */
/* Records kept as the server's text                                                          */

/* Scans one record with @scanner (scratch kept by the caller). */
GigRawRecord *
gig_pb_scan_record (GigJsonScanner *scanner, const char *data, gsize length, GError **error)
{
  g_autoptr(GString) id = g_string_new (NULL);
  g_autoptr(GString) updated = NULL;
  g_autoptr(GError) json_error = NULL;
  const GigJsonMember *members, *id_member, *updated_member;
  guint n_members;

  members = gig_json_scanner_scan_object (scanner, data, length, GIG_PB_MAX_VALUE_SIZE, &n_members, &json_error);
  if (members == NULL)
    {
      if (json_error->code == GIG_JSON_ERROR_NOT_OBJECT)
        gig_pb_set_malformed (error, _("a record is not an object"));
      else
        gig_pb_set_malformed_from_json (error, json_error, _("bad records"));
      return NULL;
    }

  id_member = gig_json_members_find (data, members, n_members, "id");
  updated_member = gig_json_members_find (data, members, n_members, "updated");
  if (id_member == NULL || id_member->type != GIG_JSON_TYPE_STRING || id_member->value_length <= 2)
    {
      gig_pb_set_malformed (error, _("a record has no id"));
      return NULL;
    }
  gig_json_decode_string (data + id_member->value, id_member->value_length, id);
  if (updated_member != NULL)
    {
      if (updated_member->type != GIG_JSON_TYPE_STRING)
        {
          gig_pb_set_malformed (error, _("a record's updated is not a string"));
          return NULL;
        }
      updated = g_string_new (NULL);
      gig_json_decode_string (data + updated_member->value, updated_member->value_length, updated);
    }

  return gig_raw_record_new (data, length, members, n_members, id->str, updated ? updated->str : NULL);
}

GigRawRecord *
gig_pb_record_new (const char *data, gssize length, GError **error)
{
  g_autoptr(GigJsonScanner) scanner = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < 0)
    length = (gssize) strlen (data);
  scanner = gig_json_scanner_new ();
  return gig_pb_scan_record (scanner, data, (gsize) length, error);
}

