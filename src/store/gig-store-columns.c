/* gig-store-columns.c: the record collections, their typed columns and the SQL that writes a row
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

/* ---------------------------------------------------------------------------------------------- */
/* Collections and their typed columns */

/* Shorthands for the tables below. */
#define TEXT(name) { name, GIG_STORE_COL_TEXT }
#define REAL(name) { name, GIG_STORE_COL_REAL }
#define INT(name)  { name, GIG_STORE_COL_INT }
#define BOOL(name) { name, GIG_STORE_COL_BOOL }
#define JSON(name) { name, GIG_STORE_COL_JSON }
#define COMMON_COLUMNS BOOL ("deleted"), TEXT ("deleted_at"), TEXT ("created"), TEXT ("updated")

static const GigStoreColumn user_columns[] = {
  TEXT ("name"), TEXT ("headline"), JSON ("skills"), TEXT ("avatar"),
  COMMON_COLUMNS, { NULL, 0 }
};
static const GigStoreColumn project_columns[] = {
  TEXT ("title"), TEXT ("description"), REAL ("budget"), TEXT ("currency"), TEXT ("status"),
  TEXT ("owner"), TEXT ("hired_freelancer"), COMMON_COLUMNS, { NULL, 0 }
};
static const GigStoreColumn proposal_columns[] = {
  TEXT ("project"), TEXT ("freelancer"), TEXT ("cover_letter"), REAL ("amount"),
  INT ("estimated_days"), TEXT ("status"), COMMON_COLUMNS, { NULL, 0 }
};
static const GigStoreColumn milestone_columns[] = {
  TEXT ("project"), TEXT ("title"), TEXT ("description"), REAL ("amount"), TEXT ("due_date"),
  INT ("position"), TEXT ("status"), COMMON_COLUMNS, { NULL, 0 }
};

#undef TEXT
#undef REAL
#undef INT
#undef BOOL
#undef JSON
#undef COMMON_COLUMNS

static const GigStoreColumn *collection_columns[GIG_N_RECORD_COLLECTIONS] = {
  user_columns, project_columns, proposal_columns, milestone_columns,
};

const GigStoreColumn *
gig_store_collection_columns (GigCollection collection)
{
  g_return_val_if_fail ((guint) collection < GIG_N_RECORD_COLLECTIONS, NULL);
  return collection_columns[collection];
}

static const char *collection_names[GIG_N_COLLECTIONS] = {
  "users", "projects", "proposals", "milestones", "chat_channels", "chat_messages",
};

const char *
gig_collection_to_string (GigCollection collection)
{
  if ((guint) collection >= GIG_N_COLLECTIONS)
    return NULL;
  return collection_names[collection];
}

gboolean
gig_collection_from_string (const char    *name,
                            GigCollection *out_collection)
{
  for (guint i = 0; name != NULL && i < GIG_N_COLLECTIONS; i++)
    if (g_str_equal (name, collection_names[i]))
      {
        if (out_collection)
          *out_collection = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
gig_store_check_record_collection (GigCollection   collection,
                                   GError        **error)
{
  if ((guint) collection < GIG_N_RECORD_COLLECTIONS)
    return TRUE;
  g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
               _("The cache keeps no records of collection %d"), (int) collection);
  return FALSE;
}

static const char *local_state_names[] = { "synced", "pending", "draft", "conflict", "failed" };

const char *
gig_local_state_to_string (GigLocalState state)
{
  if ((guint) state >= G_N_ELEMENTS (local_state_names))
    return NULL;
  return local_state_names[state];
}

gboolean
gig_local_state_from_string (const char    *str,
                             GigLocalState *out_state)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (local_state_names); i++)
    if (g_str_equal (str, local_state_names[i]))
      {
        if (out_state)
          *out_state = i;
        return TRUE;
      }
  return FALSE;
}

/* A double as an integer column takes it: truncated, and clamped where a cast is undefined. */
static gint64
double_to_int64 (double value)
{
  if (value >= 9223372036854775807.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) value;
}

void
gig_store_bind_column (sqlite3_stmt     *stmt,
                       int               pos,
                       const GigStoreColumn *spec,
                       JsonObject       *view)
{
  JsonNode *node = json_object_get_member (view, spec->name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (spec->type == GIG_STORE_COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      else
        sqlite3_bind_null (stmt, pos);
      return;
    }

  switch (spec->type)
    {
    case GIG_STORE_COL_TEXT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        sqlite3_bind_text (stmt, pos, json_node_get_string (node), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case GIG_STORE_COL_REAL:
    case GIG_STORE_COL_INT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING)
        {
          if (spec->type == GIG_STORE_COL_REAL)
            sqlite3_bind_double (stmt, pos, json_node_get_double (node));
          else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            /* json_node_get_int casts, which is undefined out of range */
            sqlite3_bind_int64 (stmt, pos, double_to_int64 (json_node_get_double (node)));
          else
            sqlite3_bind_int64 (stmt, pos, json_node_get_int (node));
        }
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case GIG_STORE_COL_BOOL:
      sqlite3_bind_int (stmt, pos,
                        JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) != G_TYPE_STRING &&
                        json_node_get_boolean (node));
      break;
    case GIG_STORE_COL_JSON:
      {
        GString *text = g_string_new (NULL);
        gsize len;

        gig_store_json_append_node (text, node);
        len = text->len;
        sqlite3_bind_text (stmt, pos, g_string_free (text, FALSE), len, g_free);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The SQL that writes a whole row of @collection: an upsert, a plain INSERT (a row known to be
 * new) or an UPDATE by rid (a row known to exist). The INSERT and UPDATE save the upsert's
 * conflict handling on every record of a page; gig_store_read_row() has already told which one applies.
 *
 * They are OR ROLLBACK: every caller rolls the whole transaction back when a write fails, and
 * without a statement that may abort on its own SQLite keeps no statement journal (a copy of
 * every page the statement and its search-queue trigger touch) for each record.
 *
 * Parameters: id, the typed columns, server_updated, server_json, local_json, local_state,
 * local_error, conflict_json (and rid last for the UPDATE). */
const char *
gig_store_row_write_sql (GigCollection collection,
                         GigStoreHot   kind)
{
  static char *sql_cache[GIG_N_RECORD_COLLECTIONS][GIG_STORE_N_HOT];
  char **slot = &sql_cache[collection][kind];

  if (g_once_init_enter (slot))
    {
      const GigStoreColumn *columns = collection_columns[collection];
      static const char *tail[] = { "server_updated", "server_json", "local_json", "local_state",
                                    "local_error", "conflict_json" };
      GString *sql = g_string_new (NULL);

      if (kind == GIG_STORE_HOT_UPDATE)
        {
          /* Numbered: ?1 (the id) is bound but left out, it never changes; SET id would
           * rewrite the id index entry for nothing. */
          guint n = 2;

          g_string_append_printf (sql, "UPDATE OR ROLLBACK %s SET ", collection_names[collection]);
          for (const GigStoreColumn *c = columns; c->name; c++, n++)
            g_string_append_printf (sql, "%s%s = ?%u", n > 2 ? ", " : "", c->name, n);
          for (guint i = 0; i < G_N_ELEMENTS (tail); i++, n++)
            g_string_append_printf (sql, ", %s = ?%u", tail[i], n);
          g_string_append_printf (sql, " WHERE rid = ?%u", n);
        }
      else
        {
          guint n = 1;

          g_string_append_printf (sql, "INSERT %sINTO %s (id",
                                  kind == GIG_STORE_HOT_INSERT || kind == GIG_STORE_HOT_INSERT_IF_NEW ? "OR ROLLBACK " : "",
                                  collection_names[collection]);
          for (const GigStoreColumn *c = columns; c->name; c++, n++)
            g_string_append_printf (sql, ", %s", c->name);
          for (guint i = 0; i < G_N_ELEMENTS (tail); i++, n++)
            g_string_append_printf (sql, ", %s", tail[i]);
          g_string_append (sql, ") VALUES (?");
          for (guint i = 1; i < n; i++)
            g_string_append (sql, ", ?");
          g_string_append (sql, ")");
          if (kind == GIG_STORE_HOT_INSERT_IF_NEW)
            g_string_append (sql, " ON CONFLICT (id) DO NOTHING");
          if (kind == GIG_STORE_HOT_UPSERT)
            {
              g_string_append (sql, " ON CONFLICT (id) DO UPDATE SET ");
              for (const GigStoreColumn *c = columns; c->name; c++)
                g_string_append_printf (sql, "%s = excluded.%s, ", c->name, c->name);
              for (guint i = 0; i < G_N_ELEMENTS (tail); i++)
                g_string_append_printf (sql, "%s%s = excluded.%s", i ? ", " : "", tail[i], tail[i]);
            }
        }
      g_once_init_leave (slot, g_string_free (sql, FALSE));
    }
  return *slot;
}
