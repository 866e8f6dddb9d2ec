/* gig-store-rows.c: one record row: read, written whole, its local state
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-raw-record.h"
#include "gig-store-private.h"
#include "gig-store-sql.h"

/* ---------------------------------------------------------------------------------------------- */
/* Rows */

/* gig_store_prepare() for the per-record statements of page writes; @sql must always be the
 * same text for the same (@collection, @kind). */
static GigStoreStmt *
prepare_hot (GigStore      *self,
             GigCollection  collection,
             GigStoreHot    kind,
             const char    *sql,
             GError       **error)
{
  sqlite3_stmt *stmt = self->hot[collection][kind];

  if (stmt != NULL && self->db != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = gig_store_prepare (self, sql, error);
  self->hot[collection][kind] = stmt;
  return stmt;
}

static sqlite3 *
db_on (GigStore *self,
       gboolean  reader)
{
  return reader ? self->reader : self->db;
}

void
gig_store_row_clear (GigStoreRow *row)
{
  g_free (row->server_updated);
  g_free (row->server_json);
  g_free (row->local_json);
  g_free (row->local_error);
  g_free (row->conflict_json);
  memset (row, 0, sizeof *row);
}


gboolean
gig_store_read_row_on (GigStore       *self,
                       gboolean        reader,
                       GigCollection   collection,
                       const char     *id,
                       GigStoreRow    *row,
                       GError        **error)
{
#define READ_ROW_SQL(table) \
  "SELECT rid, server_updated, server_json, local_json, local_state, local_error, conflict_json" \
  " FROM " table " WHERE id = ?"
  /* Literal per collection: this runs for every record of every page. */
  static const char *sql[GIG_N_RECORD_COLLECTIONS] = {
    READ_ROW_SQL ("users"), READ_ROW_SQL ("projects"), READ_ROW_SQL ("proposals"),
    READ_ROW_SQL ("milestones"),
  };
#undef READ_ROW_SQL
  g_autoptr(GigStoreStmt) stmt = reader ? gig_store_prepare_read (self, sql[collection], error)
                                         : prepare_hot (self, collection, GIG_STORE_HOT_READ_ROW, sql[collection], error);
  int rc;

  memset (row, 0, sizeof *row);
  if (stmt == NULL)
    return FALSE;

  gig_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      gig_store_set_sqlite_error (error, db_on (self, reader), _("Could not read the cache"));
      return FALSE;
    }

  row->found = TRUE;
  row->rid = sqlite3_column_int64 (stmt, 0);
  row->server_updated = gig_store_column_dup (stmt, 1);
  row->server_json = gig_store_column_dup (stmt, 2);
  row->local_json = gig_store_column_dup (stmt, 3);
  if (!gig_local_state_from_string ((const char *) sqlite3_column_text (stmt, 4), &row->state))
    row->state = GIG_LOCAL_STATE_SYNCED;
  row->local_error = gig_store_column_dup (stmt, 5);
  row->conflict_json = gig_store_column_dup (stmt, 6);
  return TRUE;
}

gboolean
gig_store_read_row (GigStore       *self,
                    GigCollection   collection,
                    const char     *id,
                    GigStoreRow    *row,
                    GError        **error)
{
  return gig_store_read_row_on (self, FALSE, collection, id, row, error);
}

const char *
gig_store_row_view_json (const GigStoreRow *row)
{
  return row->local_json ? row->local_json : row->server_json;
}


/* Writes a whole row. @view gives the typed columns (what the user sees); @server_json and
 * @local_json are stored as given (local_json NULL: same as the server's). @rid: the row's rid
 * if it exists, 0 if it is known not to exist, -1 if unknown. */
gboolean
gig_store_write_row_rid (GigStore       *self,
                         GigCollection   collection,
                         gint64          rid,
                         const char     *id,
                         JsonObject     *view,
                         const char     *server_updated,
                         const char     *server_json,
                         const char     *local_json,
                         GigLocalState   state,
                         const char     *local_error,
                         const char     *conflict_json,
                         GError        **error)
{
  const GigStoreColumn *columns = gig_store_collection_columns (collection);
  GigStoreHot kind = rid > 0 ? GIG_STORE_HOT_UPDATE : rid == 0 ? GIG_STORE_HOT_INSERT : GIG_STORE_HOT_UPSERT;
  g_autoptr(GigStoreStmt) stmt = prepare_hot (self, collection, kind,
                                              gig_store_row_write_sql (collection, kind), error);
  int pos = 1;

  if (stmt == NULL)
    return FALSE;

  gig_store_bind_text (stmt, pos++, id);
  for (const GigStoreColumn *c = columns; c->name; c++)
    {
      /* A record that was never on the server sorts as made now. */
      if (g_str_equal (c->name, "created") && !json_object_has_member (view, "created"))
        {
          g_autofree char *now = gig_stamp_now ();
          gig_store_bind_text (stmt, pos++, now);
          continue;
        }
      gig_store_bind_column (stmt, pos++, c, view);
    }
  gig_store_bind_text (stmt, pos++, server_updated);
  gig_store_bind_text (stmt, pos++, server_json);
  gig_store_bind_text (stmt, pos++, local_json);
  gig_store_bind_text (stmt, pos++, gig_local_state_to_string (state));
  gig_store_bind_text (stmt, pos++, local_error);
  gig_store_bind_text (stmt, pos++, conflict_json);
  if (kind == GIG_STORE_HOT_UPDATE)
    sqlite3_bind_int64 (stmt, pos++, rid);

  return gig_store_step_done (self, stmt, NULL, error);
}

gboolean
gig_store_write_row (GigStore       *self,
                     GigCollection   collection,
                     const char     *id,
                     JsonObject     *view,
                     const char     *server_updated,
                     const char     *server_json,
                     const char     *local_json,
                     GigLocalState   state,
                     const char     *local_error,
                     const char     *conflict_json,
                     GError        **error)
{
  return gig_store_write_row_rid (self, collection, -1, id, view, server_updated, server_json, local_json,
                                  state, local_error, conflict_json, error);
}

/* gig_store_bind_column for a member of a record kept as text: the same values for the same JSON. */
static void
bind_member (sqlite3_stmt      *stmt,
             int                pos,
             const GigStoreColumn *spec,
             const GigRawMember *member)
{
  gint64 as_int = 0;
  double as_double = 0;

  if (member->type == GIG_JSON_TYPE_NULL)
    {
      if (spec->type == GIG_STORE_COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      else
        sqlite3_bind_null (stmt, pos);
      return;
    }
  if (member->type == GIG_JSON_TYPE_NUMBER)
    gig_raw_member_get_number (member, &as_int, &as_double);
  else if (member->type == GIG_JSON_TYPE_BOOLEAN)
    as_int = as_double = member->value[0] == 't';

  switch (spec->type)
    {
    case GIG_STORE_COL_TEXT:
      if (member->type != GIG_JSON_TYPE_STRING)
        sqlite3_bind_null (stmt, pos);
      else if (!member->value_escaped)
        /* the record outlives the statement's use of it (prepare_hot clears bindings) */
        sqlite3_bind_text (stmt, pos, member->value + 1, (int) member->value_length - 2, SQLITE_STATIC);
      else
        sqlite3_bind_text (stmt, pos, gig_raw_member_dup_string (member), -1, g_free);
      break;
    case GIG_STORE_COL_REAL:
    case GIG_STORE_COL_INT:
      if (member->type == GIG_JSON_TYPE_NUMBER || member->type == GIG_JSON_TYPE_BOOLEAN)
        {
          if (spec->type == GIG_STORE_COL_REAL)
            sqlite3_bind_double (stmt, pos, as_double);
          else
            sqlite3_bind_int64 (stmt, pos, as_int);
        }
      else
        sqlite3_bind_null (stmt, pos);
      break;
    case GIG_STORE_COL_BOOL:
      sqlite3_bind_int (stmt, pos, (member->type == GIG_JSON_TYPE_NUMBER || member->type == GIG_JSON_TYPE_BOOLEAN) &&
                                   as_double != 0);
      break;
    case GIG_STORE_COL_JSON:
      /* gig_store_write_row_raw hands these to gig_store_bind_column: stored as the store writes JSON */
    default:
      g_assert_not_reached ();
    }
}

/* gig_store_write_row_rid for a synced row whose server version is @raw: the typed columns come from its
 * members and server_json is its text as the server sent it, without a tree in between.
 * @rid: the row's, 0 if it is known not to exist, -1 to insert it only if its id is new
 * (@out_written tells whether it was). */
gboolean
gig_store_write_row_raw (GigStore           *self,
                         GigCollection       collection,
                         gint64              rid,
                         const GigRawRecord *raw,
                         gboolean           *out_written,
                         GError            **error)
{
  const GigStoreColumn *columns = gig_store_collection_columns (collection);
  GigStoreHot kind = rid > 0 ? GIG_STORE_HOT_UPDATE : rid == 0 ? GIG_STORE_HOT_INSERT : GIG_STORE_HOT_INSERT_IF_NEW;
  g_autoptr(GigStoreStmt) stmt = prepare_hot (self, collection, kind,
                                              gig_store_row_write_sql (collection, kind), error);
  guint n_members = gig_raw_record_get_n_members (raw);
  g_autoptr(JsonObject) tree = NULL;
  int created_pos = 0;
  gboolean has_created = FALSE;
  const char *text;
  gsize length;
  int pos = 2;
  int tail;

  if (stmt == NULL)
    return FALSE;

  gig_store_bind_text (stmt, 1, gig_raw_record_get_id (raw));
  /* What the record leaves out is NULL (false for flags), as with gig_store_bind_column. */
  for (const GigStoreColumn *c = columns; c->name; c++, pos++)
    {
      if (c->type == GIG_STORE_COL_BOOL)
        sqlite3_bind_int (stmt, pos, 0);
      if (g_str_equal (c->name, "created"))
        created_pos = pos;
    }
  tail = pos;
  for (guint i = 0; i < n_members; i++)
    {
      GigRawMember member;

      gig_raw_record_get_member (raw, i, &member);
      pos = 2;
      for (const GigStoreColumn *c = columns; c->name; c++, pos++)
        if (gig_raw_member_has_name (&member, c->name))
          {
            /* a repeated name: the last one counts, as in a tree */
            if (c->type == GIG_STORE_COL_JSON && member.type != GIG_JSON_TYPE_NULL)
              {
                /* any JSON value, kept in the store's own spelling (users.skills): rare and
                 * small, so through a tree */
                if (tree == NULL)
                  tree = gig_raw_record_to_object (raw);
                gig_store_bind_column (stmt, pos, c, tree);
              }
            else
              bind_member (stmt, pos, c, &member);
            if (pos == created_pos)
              has_created = TRUE;
            break;
          }
    }
  if (!has_created && created_pos > 0)
    {
      g_autofree char *now = gig_stamp_now ();
      gig_store_bind_text (stmt, created_pos, now);
    }
  text = gig_raw_record_get_text (raw, &length);
  pos = tail;
  gig_store_bind_text (stmt, pos++, gig_raw_record_get_updated (raw));
  sqlite3_bind_text (stmt, pos++, text, (int) length, SQLITE_STATIC);
  sqlite3_bind_null (stmt, pos++);
  gig_store_bind_text (stmt, pos++, gig_local_state_to_string (GIG_LOCAL_STATE_SYNCED));
  sqlite3_bind_null (stmt, pos++);
  sqlite3_bind_null (stmt, pos++);
  if (kind == GIG_STORE_HOT_UPDATE)
    sqlite3_bind_int64 (stmt, pos++, rid);

  if (!gig_store_step_done (self, stmt, NULL, error))
    return FALSE;
  if (out_written)
    *out_written = kind != GIG_STORE_HOT_INSERT_IF_NEW || sqlite3_changes (self->db) > 0;
  return TRUE;
}

/* The fields of @id still waiting in the outbox (any state but done), as a set. */
GHashTable *
gig_store_pending_fields (GigStore       *self,
                          GigCollection   collection,
                          const char     *id,
                          gboolean       *out_has_failed,
                          GError        **error)
{
  g_autoptr(GigStoreStmt) stmt =
    gig_store_prepare (self, "SELECT fields, state FROM outbox WHERE collection = ? AND record_id = ?",
                       error);
  g_autoptr(GHashTable) set = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (out_has_failed)
    *out_has_failed = FALSE;
  gig_store_bind_text (stmt, 1, gig_collection_to_string (collection));
  gig_store_bind_text (stmt, 2, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) fields = gig_store_json_from_string ((const char *) sqlite3_column_text (stmt, 0));
      GList *names;

      if (out_has_failed && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "failed") == 0)
        *out_has_failed = TRUE;
      if (fields == NULL)
        continue;
      names = json_object_get_members (fields);
      for (GList *l = names; l; l = l->next)
        if (!gig_store_is_server_field (l->data))
          g_hash_table_add (set, g_strdup (l->data));
      g_list_free (names);
    }
  if (rc != SQLITE_DONE)
    {
      gig_store_set_sqlite_error (error, self->db, _("Could not read the outbox"));
      return NULL;
    }
  return g_steal_pointer (&set);
}

static gboolean
conflict_is_empty (const char *conflict_json)
{
  g_autoptr(JsonObject) conflict = gig_store_json_from_string (conflict_json);

  return conflict == NULL || json_object_get_size (conflict) == 0;
}

/* The state that follows from what is left to do for a record. */
GigLocalState
gig_store_derive_state (GigLocalState  current,
                        guint          n_pending,
                        gboolean       has_failed,
                        const char    *conflict_json)
{
  if (current == GIG_LOCAL_STATE_DRAFT)
    return GIG_LOCAL_STATE_DRAFT;
  if (!conflict_is_empty (conflict_json))
    return GIG_LOCAL_STATE_CONFLICT;
  if (has_failed)
    return GIG_LOCAL_STATE_FAILED;
  if (n_pending > 0)
    return GIG_LOCAL_STATE_PENDING;
  return GIG_LOCAL_STATE_SYNCED;
}

