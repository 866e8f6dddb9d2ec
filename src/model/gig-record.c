/* gig-record.c: base of the domain objects built from a store row
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-record.h"

#include "core/gig-id.h"

#include "gig-milestone.h"
#include "gig-project.h"
#include "gig-proposal.h"
#include "gig-user.h"

typedef struct
{
  JsonObject    *json;
  GigLocalState  local_state;
} GigRecordPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (GigRecord, gig_record, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JSON,
  PROP_ID,
  PROP_LOCAL_STATE,
  PROP_DELETED,
  PROP_CREATED,
  PROP_UPDATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
gig_record_type_for_collection (GigCollection collection)
{
  switch (collection)
    {
    case GIG_COLLECTION_USERS:
      return GIG_TYPE_USER;
    case GIG_COLLECTION_PROJECTS:
      return GIG_TYPE_PROJECT;
    case GIG_COLLECTION_PROPOSALS:
      return GIG_TYPE_PROPOSAL;
    case GIG_COLLECTION_MILESTONES:
      return GIG_TYPE_MILESTONE;
    case GIG_COLLECTION_CHAT_CHANNELS:
    case GIG_COLLECTION_CHAT_MESSAGES:
    case GIG_N_COLLECTIONS:
    default:
      return G_TYPE_INVALID;
    }
}

GigRecord *
gig_record_new_for_collection (GigCollection  collection,
                               JsonObject    *record,
                               GigLocalState  local_state)
{
  GType type = gig_record_type_for_collection (collection);

  g_return_val_if_fail (type != G_TYPE_INVALID, NULL);
  g_return_val_if_fail (record != NULL, NULL);

  return g_object_new (type, "json", record, "local-state", (int) local_state, NULL);
}

static void
gig_record_finalize (GObject *object)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (GIG_RECORD (object));

  g_clear_pointer (&priv->json, json_object_unref);

  G_OBJECT_CLASS (gig_record_parent_class)->finalize (object);
}

static void
gig_record_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GigRecord *self = GIG_RECORD (object);
  GigRecordPrivate *priv = gig_record_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_JSON:
      g_value_set_boxed (value, priv->json);
      break;
    case PROP_LOCAL_STATE:
      g_value_set_int (value, priv->local_state);
      break;
    case PROP_ID:
    case PROP_DELETED:
    case PROP_CREATED:
    case PROP_UPDATED:
      gig_record_get_member_property (self, pspec, value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_record_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (GIG_RECORD (object));

  switch (prop_id)
    {
    case PROP_JSON:
      priv->json = g_value_dup_boxed (value);
      /* A snapshot: the store hands out a fresh object per read, so nobody else changes it. */
      if (priv->json == NULL)
        priv->json = json_object_new ();
      break;
    case PROP_LOCAL_STATE:
      priv->local_state = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_record_class_init (GigRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gig_record_finalize;
  object_class->get_property = gig_record_get_property;
  object_class->set_property = gig_record_set_property;

  properties[PROP_JSON] =
    g_param_spec_boxed ("json", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCAL_STATE] =
    g_param_spec_int ("local-state", NULL, NULL, GIG_LOCAL_STATE_SYNCED, GIG_LOCAL_STATE_FAILED,
                      GIG_LOCAL_STATE_SYNCED,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELETED] =
    g_param_spec_boolean ("deleted", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREATED] =
    g_param_spec_string ("created", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPDATED] =
    g_param_spec_string ("updated", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_record_init (GigRecord *self)
{
}

JsonObject *
gig_record_get_json (GigRecord *self)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (self);

  g_return_val_if_fail (GIG_IS_RECORD (self), NULL);
  return priv->json;
}

static JsonNode *
member_value (GigRecord  *self,
              const char *member)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (self);
  JsonNode *node = json_object_get_member (priv->json, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  return node;
}

const char *
gig_record_get_string (GigRecord  *self,
                       const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (GIG_IS_RECORD (self), NULL);
  node = member_value (self, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

double
gig_record_get_double (GigRecord  *self,
                       const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (GIG_IS_RECORD (self), 0);
  node = member_value (self, member);
  if (node == NULL || json_node_get_value_type (node) == G_TYPE_STRING)
    return 0;
  return json_node_get_double (node);
}

gint64
gig_record_get_int (GigRecord  *self,
                    const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (GIG_IS_RECORD (self), 0);
  node = member_value (self, member);
  if (node == NULL || json_node_get_value_type (node) == G_TYPE_STRING)
    return 0;
  return json_node_get_int (node);
}

gboolean
gig_record_get_boolean (GigRecord  *self,
                        const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (GIG_IS_RECORD (self), FALSE);
  node = member_value (self, member);
  if (node == NULL || json_node_get_value_type (node) == G_TYPE_STRING)
    return FALSE;
  return json_node_get_boolean (node);
}

const char *
gig_record_get_id (GigRecord *self)
{
  return gig_record_get_string (self, "id");
}

GigCollection
gig_record_get_collection (GigRecord *self)
{
  g_return_val_if_fail (GIG_IS_RECORD (self), GIG_N_COLLECTIONS);
  return GIG_RECORD_GET_CLASS (self)->collection;
}

GigLocalState
gig_record_get_local_state (GigRecord *self)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (self);

  g_return_val_if_fail (GIG_IS_RECORD (self), GIG_LOCAL_STATE_SYNCED);
  return priv->local_state;
}

gboolean
gig_record_get_deleted (GigRecord *self)
{
  return gig_record_get_boolean (self, "deleted");
}

const char *
gig_record_get_created (GigRecord *self)
{
  return gig_record_get_string (self, "created");
}

const char *
gig_record_get_updated (GigRecord *self)
{
  return gig_record_get_string (self, "updated");
}

void
gig_record_get_member_property (GigRecord  *self,
                                GParamSpec *pspec,
                                GValue     *value)
{
  g_autofree char *member = g_strdelimit (g_strdup (pspec->name), "-", '_');

  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_STRING:
      g_value_set_string (value, gig_record_get_string (self, member));
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, gig_record_get_double (self, member));
      break;
    case G_TYPE_INT64:
      g_value_set_int64 (value, gig_record_get_int (self, member));
      break;
    case G_TYPE_INT:
      g_value_set_int (value, (int) CLAMP (gig_record_get_int (self, member), G_MININT, G_MAXINT));
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, gig_record_get_boolean (self, member));
      break;
    default:
      if (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRV)
        {
          GigRecordPrivate *priv = gig_record_get_instance_private (self);
          JsonNode *node = json_object_get_member (priv->json, member);
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
            {
              JsonArray *array = json_node_get_array (node);
              for (guint i = 0; i < json_array_get_length (array); i++)
                {
                  JsonNode *item = json_array_get_element (array, i);
                  if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
                    g_strv_builder_add (builder, json_node_get_string (item));
                }
            }
          g_value_take_boxed (value, g_strv_builder_end (builder));
          break;
        }
      g_warning ("%s: no JSON mapping for property type %s", pspec->name,
                 g_type_name (G_PARAM_SPEC_VALUE_TYPE (pspec)));
    }
}

gboolean
gig_record_status_is_confirmed (GigRecord *self,
                                GigStore  *store)
{
  GigRecordPrivate *priv = gig_record_get_instance_private (self);
  g_autoptr(JsonObject) server = NULL;

  g_return_val_if_fail (GIG_IS_RECORD (self), FALSE);
  g_return_val_if_fail (GIG_IS_STORE (store), FALSE);

  if (priv->local_state == GIG_LOCAL_STATE_SYNCED || priv->local_state == GIG_LOCAL_STATE_DRAFT)
    return TRUE;

  /* Never pushed (a create waiting), or pushed with another status. */
  server = gig_store_get_server_record (store, gig_record_get_collection (self), gig_record_get_id (self));
  return server != NULL &&
         g_strcmp0 (json_object_get_string_member_with_default (server, "status", NULL),
                    gig_record_get_string (self, "status")) == 0;
}

GigRecord *
gig_record_load (GigStore      *store,
                 GigCollection  collection,
                 const char    *id)
{
  g_autoptr(JsonObject) json = NULL;
  GigLocalState state = GIG_LOCAL_STATE_SYNCED;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (gig_record_type_for_collection (collection) != G_TYPE_INVALID, NULL);

  if (id == NULL || *id == '\0')
    return NULL;
  json = gig_store_get_record (store, collection, id);
  if (json == NULL)
    return NULL;
  gig_store_get_record_meta (store, collection, id, &state, NULL, NULL);
  return gig_record_new_for_collection (collection, json, state);
}

GPtrArray *
gig_record_load_many (GigStore           *store,
                      GigCollection       collection,
                      const char * const *ids)
{
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (GIG_IS_STORE (store), objects);
  g_return_val_if_fail (gig_record_type_for_collection (collection) != G_TYPE_INVALID, objects);

  if (ids == NULL)
    return objects;
  records = gig_store_get_records (store, collection, ids);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *json = g_ptr_array_index (records, i);
      GigLocalState state = GIG_LOCAL_STATE_SYNCED;

      if (json == NULL)
        continue;
      gig_store_get_record_meta (store, collection, ids[i], &state, NULL, NULL);
      g_ptr_array_add (objects, gig_record_new_for_collection (collection, json, state));
    }
  return objects;
}

gboolean
gig_record_is_draft (GigRecord *self)
{
  g_return_val_if_fail (GIG_IS_RECORD (self), FALSE);
  return gig_record_get_local_state (self) == GIG_LOCAL_STATE_DRAFT;
}

const char *
gig_record_get_status_label (GigRecord *self)
{
  const char *status;
  const char *label;

  g_return_val_if_fail (GIG_IS_RECORD (self), "");

  status = gig_record_get_string (self, "status");
  label = gig_status_label (gig_record_get_collection (self), status);
  return label != NULL ? label : status != NULL ? status : "";
}

GigStatusTone
gig_record_get_status_tone (GigRecord *self)
{
  g_return_val_if_fail (GIG_IS_RECORD (self), GIG_STATUS_TONE_NEUTRAL);
  return gig_status_tone (gig_record_get_collection (self), gig_record_get_string (self, "status"));
}

JsonObject *
gig_record_trash_fields (gboolean to_trash)
{
  JsonObject *fields = json_object_new ();

  json_object_set_boolean_member (fields, "deleted", to_trash);
  if (to_trash)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = gig_stamp_format (now);

      json_object_set_string_member (fields, "deleted_at", stamp);
    }
  else
    json_object_set_string_member (fields, "deleted_at", "");
  return fields;
}

GigFieldKind
gig_record_read_field (JsonObject *record,
                       const char *field,
                       GValue     *value)
{
  JsonNode *node;
  GType type;

  g_return_val_if_fail (field != NULL, GIG_FIELD_EMPTY);
  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), GIG_FIELD_EMPTY);

  node = record != NULL ? json_object_get_member (record, field) : NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return GIG_FIELD_EMPTY;
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_value_init (value, G_TYPE_STRING);
      g_value_take_string (value, json_to_string (node, FALSE));
      return GIG_FIELD_OTHER;
    }

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      if (*json_node_get_string (node) == '\0')
        return GIG_FIELD_EMPTY;
      g_value_init (value, G_TYPE_STRING);
      g_value_set_string (value, json_node_get_string (node));
      return g_str_equal (field, "due_date") ? GIG_FIELD_DAY : GIG_FIELD_TEXT;
    }
  if (type == G_TYPE_BOOLEAN)
    {
      g_value_init (value, G_TYPE_BOOLEAN);
      g_value_set_boolean (value, json_node_get_boolean (node));
      return GIG_FIELD_BOOLEAN;
    }
  if ((type == G_TYPE_DOUBLE || type == G_TYPE_INT64) && (g_str_equal (field, "amount") || g_str_equal (field, "budget")))
    {
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, json_node_get_double (node));
      return GIG_FIELD_MONEY;
    }
  if (type == G_TYPE_DOUBLE)
    {
      g_value_init (value, G_TYPE_DOUBLE);
      g_value_set_double (value, json_node_get_double (node));
      return GIG_FIELD_NUMBER;
    }

  g_value_init (value, G_TYPE_STRING);
  g_value_take_string (value, json_to_string (node, FALSE));
  return GIG_FIELD_OTHER;
}

GStrv
gig_record_conflict_fields (JsonObject *conflict)
{
  g_autoptr(GList) members = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (conflict == NULL)
    return g_strv_builder_end (builder);
  members = g_list_sort (json_object_get_members (conflict), (GCompareFunc) g_strcmp0);
  for (GList *l = members; l != NULL; l = l->next)
    g_strv_builder_add (builder, l->data);
  return g_strv_builder_end (builder);
}

const char *
gig_record_field_label (const char *field)
{
  static const struct { const char *name; const char *label; } labels[] = {
    { "title", N_("Title") },
    { "description", N_("Description") },
    { "budget", N_("Budget") },
    { "status", N_("Status") },
    { "amount", N_("Amount") },
    { "estimated_days", N_("Estimated Days") },
    { "cover_letter", N_("Cover Letter") },
    { "due_date", N_("Due Date") },
    { "position", N_("Order") },
    { "deleted", N_("In Trash") },
  };

  g_return_val_if_fail (field != NULL, "");

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (field, labels[i].name))
      return _(labels[i].label);

  return field;
}
