/* gig-store-query.c: reads for views: records by id and the list queries
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "gig-store-private.h"
#include "gig-store-sql.h"

GigStoreQuery *
gig_store_query_new (GigCollection collection,
                     GigStoreScope scope)
{
  GigStoreQuery *query = g_new0 (GigStoreQuery, 1);

  query->collection = collection;
  query->scope = scope;
  query->sort = collection == GIG_COLLECTION_MILESTONES ? GIG_STORE_SORT_POSITION
                                                        : GIG_STORE_SORT_NEWEST;
  return query;
}

GigStoreQuery *
gig_store_query_copy (const GigStoreQuery *query)
{
  GigStoreQuery *copy = g_new0 (GigStoreQuery, 1);

  *copy = *query;
  copy->me = g_strdup (query->me);
  copy->text = g_strdup (query->text);
  copy->project = g_strdup (query->project);
  return copy;
}

void
gig_store_query_free (GigStoreQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->me);
  g_free (query->text);
  g_free (query->project);
  g_free (query);
}

gboolean
gig_store_query_equal (const GigStoreQuery *a,
                       const GigStoreQuery *b)
{
  return a->collection == b->collection && a->scope == b->scope && a->sort == b->sort &&
         g_strcmp0 (a->me, b->me) == 0 && g_strcmp0 (a->text, b->text) == 0 &&
         g_strcmp0 (a->project, b->project) == 0;
}

G_DEFINE_BOXED_TYPE (GigStoreQuery, gig_store_query, gig_store_query_copy, gig_store_query_free)

/* ---------------------------------------------------------------------------------------------- */
/* Reads */

gboolean
gig_store_get_row (GigStore       *self,
                   GigCollection   collection,
                   const char     *id,
                   JsonObject    **out_record,
                   GigLocalState  *out_state)
{
  g_auto(GigStoreRow) row = { 0 };
  gboolean found = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return FALSE;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL && gig_store_read_row_on (self, TRUE, collection, id, &row, NULL) && row.found)
    found = TRUE;
  g_mutex_unlock (&self->read_lock);

  if (!found)
    return FALSE;
  if (out_record)
    {
      *out_record = gig_store_json_from_string (gig_store_row_view_json (&row));
      if (*out_record == NULL)
        return FALSE;
    }
  if (out_state)
    *out_state = row.state;
  return TRUE;
}

JsonObject *
gig_store_get_record (GigStore      *self,
                      GigCollection  collection,
                      const char    *id)
{
  JsonObject *record = NULL;

  if (!gig_store_get_row (self, collection, id, &record, NULL))
    return NULL;
  return record;
}

GHashTable *
gig_store_get_server_versions (GigStore           *self,
                               GigCollection       collection,
                               const char * const *ids,
                               guint               n_ids)
{
#define VERSION_SQL(table) "SELECT server_updated FROM " table " WHERE id = ? AND server_updated IS NOT NULL"
  static const char *sql[GIG_N_RECORD_COLLECTIONS] = {
    VERSION_SQL ("users"), VERSION_SQL ("projects"), VERSION_SQL ("proposals"), VERSION_SQL ("milestones"),
  };
#undef VERSION_SQL
  GHashTable *versions;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS)
    return versions;

  g_mutex_lock (&self->read_lock);
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql[collection], NULL);

      if (stmt == NULL)
        break;
      gig_store_bind_text (stmt, 1, ids[i]);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_replace (versions, g_strdup (ids[i]),
                              g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  g_mutex_unlock (&self->read_lock);
  return versions;
}

JsonObject *
gig_store_get_server_record (GigStore      *self,
                             GigCollection  collection,
                             const char    *id)
{
  g_auto(GigStoreRow) row = { 0 };

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return NULL;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL)
    gig_store_read_row_on (self, TRUE, collection, id, &row, NULL);
  g_mutex_unlock (&self->read_lock);

  return gig_store_json_from_string (row.server_json);
}

gboolean
gig_store_get_record_meta (GigStore       *self,
                           GigCollection   collection,
                           const char     *id,
                           GigLocalState  *out_state,
                           char          **out_error,
                           JsonObject    **out_conflict)
{
  g_auto(GigStoreRow) row = { 0 };

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  if ((guint) collection >= GIG_N_RECORD_COLLECTIONS || id == NULL)
    return FALSE;

  g_mutex_lock (&self->read_lock);
  if (self->reader != NULL)
    gig_store_read_row_on (self, TRUE, collection, id, &row, NULL);
  g_mutex_unlock (&self->read_lock);

  if (!row.found)
    return FALSE;
  if (out_state)
    *out_state = row.state;
  if (out_error)
    *out_error = g_steal_pointer (&row.local_error);
  if (out_conflict)
    *out_conflict = gig_store_json_from_string (row.conflict_json);
  return TRUE;
}

static void
json_object_unref_nullable (gpointer object)
{
  if (object != NULL)
    json_object_unref (object);
}

GPtrArray *
gig_store_get_records (GigStore           *self,
                       GigCollection       collection,
                       const char * const *ids)
{
  /* Holes are NULL: the free function must take them. */
  GPtrArray *records = g_ptr_array_new_with_free_func (json_object_unref_nullable);

  g_return_val_if_fail (GIG_IS_STORE (self), records);

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_ptr_array_add (records, gig_store_get_record (self, collection, ids[i]));
  return records;
}

/* "web dev" -> "\"web\"* \"dev\"*": every word must match, as a prefix; whatever FTS5 would
 * read as syntax is dropped. NULL if no word is left. */
static char *
fts_match_expression (const char *text)
{
  GString *expr = g_string_new (NULL);
  GString *word = g_string_new (NULL);

  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          g_string_append_printf (expr, "%s\"%s\"*", expr->len ? " " : "", word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  g_string_free (word, TRUE);
  if (expr->len == 0)
    {
      g_string_free (expr, TRUE);
      return NULL;
    }
  return g_string_free (expr, FALSE);
}

typedef struct {
  GString *where;
  char    *binds[4];
  guint    n_binds;
} QuerySql;

static void
query_sql_clear (QuerySql *q)
{
  if (q->where)
    g_string_free (q->where, TRUE);
  for (guint i = 0; i < q->n_binds; i++)
    g_free (q->binds[i]);
  memset (q, 0, sizeof *q);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QuerySql, query_sql_clear)

static void
query_add (QuerySql   *q,
           const char *clause,
           const char *bind)
{
  g_string_append_printf (q->where, " AND %s", clause);
  if (bind != NULL || strchr (clause, '?') != NULL)
    {
      g_assert (q->n_binds < G_N_ELEMENTS (q->binds));
      q->binds[q->n_binds++] = g_strdup (bind ? bind : "");
    }
}

/* Builds the FROM/WHERE and ORDER BY of a query, or fails for combinations that make no sense. */
static gboolean
build_query (const GigStoreQuery  *query,
             QuerySql             *q,
             char                **out_order,
             GError              **error)
{
  GigCollection c = query->collection;
  const char *table;
  const char *order = NULL;

  if (!gig_store_check_record_collection (c, error))
    return FALSE;
  table = gig_collection_to_string (c);
  q->where = g_string_new (NULL);
  g_string_append_printf (q->where, "FROM %s t WHERE 1", table);

#define NEED(cond) G_STMT_START { if (!(cond)) goto invalid; } G_STMT_END
  switch (query->scope)
    {
    case GIG_STORE_SCOPE_ALL:
      query_add (q, "t.deleted = 0 AND t.local_state != 'draft'", NULL);
      break;
    case GIG_STORE_SCOPE_OPEN_PROJECTS:
      NEED (c == GIG_COLLECTION_PROJECTS);
      query_add (q, "t.deleted = 0 AND t.status = 'open'", NULL);
      break;
    case GIG_STORE_SCOPE_MY_PROJECTS:
      NEED (c == GIG_COLLECTION_PROJECTS && query->me);
      query_add (q, "t.owner = ? AND t.deleted = 0", query->me);
      break;
    case GIG_STORE_SCOPE_HIRED:
      NEED (c == GIG_COLLECTION_PROJECTS && query->me);
      query_add (q, "t.hired_freelancer = ? AND t.deleted = 0", query->me);
      break;
    case GIG_STORE_SCOPE_MY_PROPOSALS:
      NEED (c == GIG_COLLECTION_PROPOSALS && query->me);
      query_add (q, "t.freelancer = ? AND t.deleted = 0 AND t.local_state != 'draft'", query->me);
      break;
    case GIG_STORE_SCOPE_DRAFTS:
      NEED (c == GIG_COLLECTION_PROPOSALS);
      query_add (q, "t.local_state = 'draft'", NULL);
      break;
    case GIG_STORE_SCOPE_WITH_DRAFTS:
      NEED (c == GIG_COLLECTION_PROPOSALS);
      query_add (q, "t.deleted = 0", NULL);
      break;
    case GIG_STORE_SCOPE_TRASH:
      NEED (query->me);
      if (c == GIG_COLLECTION_PROJECTS)
        query_add (q, "t.deleted = 1 AND t.owner = ?", query->me);
      else if (c == GIG_COLLECTION_PROPOSALS)
        query_add (q, "t.deleted = 1 AND t.freelancer = ?", query->me);
      else if (c == GIG_COLLECTION_MILESTONES)
        query_add (q, "t.deleted = 1 AND t.project IN (SELECT id FROM projects WHERE owner = ?)",
                   query->me);
      else
        goto invalid;
      break;
    default:
      goto invalid;
    }

  if (query->project != NULL)
    {
      NEED (c == GIG_COLLECTION_PROPOSALS || c == GIG_COLLECTION_MILESTONES);
      query_add (q, "t.project = ?", query->project);
    }

  if (query->text != NULL && *query->text != '\0')
    {
      g_autofree char *match = fts_match_expression (query->text);
      g_autofree char *clause = NULL;

      NEED (c == GIG_COLLECTION_PROJECTS || c == GIG_COLLECTION_PROPOSALS);
      clause = g_strdup_printf ("t.rid IN (SELECT rowid / 4 FROM search_index"
                                " WHERE search_index MATCH ? AND rowid %% 4 = %d)",
                                c == GIG_COLLECTION_PROJECTS ? 1 : 2);
      /* Nothing searchable in the text: nothing matches. */
      if (match == NULL)
        query_add (q, "0", NULL);
      else
        query_add (q, clause, match);
    }

  switch (query->sort)
    {
    case GIG_STORE_SORT_NEWEST:
      order = "t.created DESC, t.id DESC";
      break;
    case GIG_STORE_SORT_UPDATED:
      order = "t.updated DESC, t.id DESC";
      break;
    case GIG_STORE_SORT_BUDGET:
      if (c == GIG_COLLECTION_PROJECTS)
        order = "t.budget DESC, t.id DESC";
      else if (c == GIG_COLLECTION_PROPOSALS || c == GIG_COLLECTION_MILESTONES)
        order = "t.amount DESC, t.id DESC";
      else
        goto invalid;
      break;
    case GIG_STORE_SORT_POSITION:
      NEED (c == GIG_COLLECTION_MILESTONES);
      order = "t.position, t.created, t.id";
      break;
    default:
      goto invalid;
    }
#undef NEED

  *out_order = g_strdup (order);
  return TRUE;

invalid:
  g_set_error (error, GIG_STORE_ERROR, GIG_STORE_ERROR_INVALID,
               _("This list query does not apply to %s"), table);
  return FALSE;
}

static void
bind_query (sqlite3_stmt *stmt,
            QuerySql     *q)
{
  for (guint i = 0; i < q->n_binds; i++)
    gig_store_bind_text (stmt, i + 1, q->binds[i]);
}

gboolean
gig_store_query_count (GigStore             *self,
                       const GigStoreQuery  *query,
                       guint                *out_count,
                       GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);

  if (!build_query (query, &q, &order, error))
    return FALSE;
  sql = g_strdup_printf ("SELECT count(*) %s", q.where->str);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, error);
    if (stmt != NULL)
      {
        bind_query (stmt, &q);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            ok = TRUE;
            if (out_count)
              *out_count = sqlite3_column_int (stmt, 0);
          }
        else
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok;
}

GStrv
gig_store_query_ids (GigStore             *self,
                     const GigStoreQuery  *query,
                     guint                 offset,
                     guint                 limit,
                     GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (GIG_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (!build_query (query, &q, &order, error))
    return NULL;
  sql = g_strdup_printf ("SELECT t.id %s ORDER BY %s LIMIT ? OFFSET ?", q.where->str, order);
  ids = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, sql, error);
    if (stmt != NULL)
      {
        int rc;

        bind_query (stmt, &q);
        sqlite3_bind_int64 (stmt, q.n_binds + 1, limit);
        sqlite3_bind_int64 (stmt, q.n_binds + 2, offset);
        while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
          g_ptr_array_add (ids, gig_store_column_dup (stmt, 0));
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else
          gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
      }
  }
  g_mutex_unlock (&self->read_lock);

  if (!ok)
    return NULL;
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* The sort key column of orders of the form "<key> DESC, t.id DESC", or NULL. */
static const char *
descending_key (const char *order)
{
  static const char *keys[] = { "t.created", "t.updated", "t.budget", "t.amount" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *form = g_strdup_printf ("%s DESC, t.id DESC", keys[i]);
      if (g_str_equal (order, form))
        return keys[i];
    }
  return NULL;
}

/* Position by counting the rows sorted before @id: a range over the list's index instead of
 * numbering the whole list. FALSE if that doesn't apply (other orders, a NULL key). */
static gboolean
query_position_by_key (GigStore     *self,
                       QuerySql     *q,
                       const char   *order,
                       const char   *id,
                       gint64       *out_position,
                       GError      **error)
{
  const char *key = descending_key (order);
  g_autofree char *key_sql = NULL;
  g_autofree char *count_sql = NULL;
  sqlite3_value *value = NULL;
  int rc;

  if (key == NULL)
    return FALSE;

  key_sql = g_strdup_printf ("SELECT %s %s AND t.id = ?", key, q->where->str);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, key_sql, error);

    if (stmt == NULL)
      return FALSE;
    bind_query (stmt, q);
    gig_store_bind_text (stmt, q->n_binds + 1, id);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      {
        *out_position = -1;     /* not in the list */
        return TRUE;
      }
    if (rc != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
      return FALSE;
    value = sqlite3_value_dup (sqlite3_column_value (stmt, 0));
  }

  /* Sorted before: a greater key, or the same key and a greater id. */
  count_sql = g_strdup_printf ("SELECT count(*) %s AND (%s > ?1000 OR (%s = ?1000 AND t.id > ?1001))",
                               q->where->str, key, key);
  {
    g_autoptr(GigStoreStmt) stmt = gig_store_prepare_read (self, count_sql, error);
    gboolean ok = FALSE;

    if (stmt != NULL)
      {
        bind_query (stmt, q);
        sqlite3_bind_value (stmt, 1000, value);
        gig_store_bind_text (stmt, 1001, id);
        if (sqlite3_step (stmt) == SQLITE_ROW)
          {
            *out_position = sqlite3_column_int64 (stmt, 0);
            ok = TRUE;
          }
      }
    sqlite3_value_free (value);
    return ok;
  }
}

gint64
gig_store_query_position (GigStore             *self,
                          const GigStoreQuery  *query,
                          const char           *id,
                          GError              **error)
{
  g_auto(QuerySql) q = { 0 };
  g_autofree char *order = NULL;
  g_autofree char *sql = NULL;
  gint64 position = -1;

  g_return_val_if_fail (GIG_IS_STORE (self), -1);
  g_return_val_if_fail (query != NULL && id != NULL, -1);

  if (!build_query (query, &q, &order, error))
    return -1;

  g_mutex_lock (&self->read_lock);
  if (!query_position_by_key (self, &q, order, id, &position, NULL))
    {
      g_autoptr(GigStoreStmt) stmt = NULL;

      sql = g_strdup_printf ("SELECT pos FROM (SELECT t.id AS id, row_number () OVER (ORDER BY %s) - 1"
                             " AS pos %s) WHERE id = ?", order, q.where->str);
      stmt = gig_store_prepare_read (self, sql, error);
      position = -1;
      if (stmt != NULL)
        {
          int rc;

          bind_query (stmt, &q);
          gig_store_bind_text (stmt, q.n_binds + 1, id);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            position = sqlite3_column_int64 (stmt, 0);
          else if (rc != SQLITE_DONE)
            gig_store_set_sqlite_error (error, self->reader, _("Could not read the cache"));
        }
    }
  g_mutex_unlock (&self->read_lock);
  return position;
}
