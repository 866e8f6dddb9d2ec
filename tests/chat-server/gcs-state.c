/* gcs-state.c: users, channels, members and messages of the local chat server
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server"

#include "gcs-state.h"
#include "core/gig-json.h"

#include <sqlite3.h>
#include <string.h>
#include <time.h>

struct _GcsState
{
  sqlite3    *db;
  GHashTable *users;      /* id -> GcsUser */
  GHashTable *channels;   /* cid -> GcsChannel */
  GPtrArray  *channel_order;
  GHashTable *messages;   /* id -> GcsMessage (owned by the channel's array) */
  GHashTable *online;     /* user id -> connection count */
  gint64      last_now;
};

G_DEFINE_QUARK (gcs-state-error-quark, gcs_state_error)

/* ------------------------------------------------------------------ time, ids */

gint64
gcs_state_now (GcsState *self)
{
  gint64 now = g_get_real_time ();

  /* Strictly increasing, so timestamps order events and messages unambiguously. */
  if (now <= self->last_now)
    now = self->last_now + 1;
  self->last_now = now;
  return now;
}

static char *
format_time (gint64 usec,
             int    digits)
{
  time_t secs = (time_t) (usec / G_USEC_PER_SEC);
  gint64 frac = usec % G_USEC_PER_SEC;
  struct tm tm;
  char buf[32];

  gmtime_r (&secs, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (digits == 9)
    return g_strdup_printf ("%s.%06" G_GINT64_FORMAT "000Z", buf, frac);
  return g_strdup_printf ("%s.%06" G_GINT64_FORMAT "Z", buf, frac);
}

char *
gcs_format_time (gint64 usec)
{
  return format_time (usec, 6);
}

char *
gcs_format_time_ns (gint64 usec)
{
  return format_time (usec, 9);
}

gboolean
gcs_parse_time (const char *text,
                gint64     *out_usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *out_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

char *
gcs_uuid (void)
{
  return g_uuid_string_random ();
}

const char *
gcs_json_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

const char *
gcs_json_member_string (JsonObject *obj,
                        const char *key)
{
  return obj ? gcs_json_string (json_object_get_member (obj, key)) : NULL;
}

gboolean
gcs_json_member_bool (JsonObject *obj,
                      const char *key,
                      gboolean    fallback)
{
  JsonNode *node = obj ? json_object_get_member (obj, key) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

/* ------------------------------------------------------------------ free funcs */

static void
user_free (GcsUser *u)
{
  g_free (u->id);
  g_free (u->role);
  g_clear_pointer (&u->fields, json_object_unref);
  g_free (u);
}

static void
member_free (GcsMember *m)
{
  g_free (m->user_id);
  g_free (m->last_read_message_id);
  g_free (m);
}

static void
message_free (GcsMessage *m)
{
  g_free (m->id);
  g_free (m->cid);
  g_free (m->user_id);
  g_free (m->text);
  g_free (m->type);
  g_clear_pointer (&m->extra, json_object_unref);
  g_free (m);
}

static void
channel_free (GcsChannel *c)
{
  g_free (c->cid);
  g_free (c->type);
  g_free (c->id);
  g_free (c->created_by);
  g_clear_pointer (&c->custom, json_object_unref);
  g_ptr_array_unref (c->members);
  g_ptr_array_unref (c->messages);
  g_free (c);
}

/* ------------------------------------------------------------------ json helpers */

static char *
object_to_string (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

/* Stored JSON is what the server itself wrote from checked request bodies; read it with the
 * same bounded reader all the same. */
static JsonObject *
object_from_string (const char *text)
{
  JsonObject *object = text != NULL ? gig_json_parse_object (text, -1, G_MAXSIZE, NULL) : NULL;

  return object != NULL ? object : json_object_new ();
}

static void
set_time (JsonObject *obj,
          const char *key,
          gint64      usec)
{
  if (usec > 0)
    {
      g_autofree char *text = gcs_format_time (usec);
      json_object_set_string_member (obj, key, text);
    }
  else
    json_object_set_null_member (obj, key);
}

static void
copy_members (JsonObject        *dest,
              JsonObject        *src,
              const char *const *skip)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init (&iter, src);
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (skip != NULL && g_strv_contains (skip, key))
        continue;
      json_object_set_member (dest, key, json_node_copy (value));
    }
}

/* ------------------------------------------------------------------ sqlite */

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, GCS_STATE_ERROR, GCS_STATE_ERROR_DATABASE, "%s", msg ? msg : "unknown error");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (GcsState   *self,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("Cannot prepare statement: %s", sqlite3_errmsg (self->db));
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           idx,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

static void
step_done (GcsState     *self,
           sqlite3_stmt *stmt)
{
  /* A failed write is logged, not fatal: clients keep working from memory. */
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Database write failed: %s", sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);
}

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS users ("
  "  id TEXT PRIMARY KEY, role TEXT NOT NULL, fields TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_active INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS channels ("
  "  cid TEXT PRIMARY KEY, type TEXT NOT NULL, id TEXT NOT NULL, created_by TEXT,"
  "  custom TEXT NOT NULL, frozen INTEGER NOT NULL, created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL, last_message_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS members ("
  "  cid TEXT NOT NULL, user_id TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL, last_read INTEGER NOT NULL, last_read_message_id TEXT,"
  "  PRIMARY KEY (cid, user_id));"
  "CREATE TABLE IF NOT EXISTS messages ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, cid TEXT NOT NULL,"
  "  user_id TEXT NOT NULL, text TEXT NOT NULL, type TEXT NOT NULL, extra TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, deleted_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS events ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT, cid TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  payload TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS events_by_cid ON events (cid, created_at);"
  "PRAGMA user_version = 1;";

static void
load_all (GcsState *self)
{
  sqlite3_stmt *stmt;

  stmt = prepare (self, "SELECT id, role, fields, created_at, updated_at, last_active FROM users");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GcsUser *u = g_new0 (GcsUser, 1);
      u->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      u->role = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      u->fields = object_from_string ((const char *) sqlite3_column_text (stmt, 2));
      u->created_at = sqlite3_column_int64 (stmt, 3);
      u->updated_at = sqlite3_column_int64 (stmt, 4);
      u->last_active = sqlite3_column_int64 (stmt, 5);
      g_hash_table_replace (self->users, u->id, u);
    }
  sqlite3_finalize (stmt);

  stmt = prepare (self, "SELECT cid, type, id, created_by, custom, frozen, created_at, updated_at,"
                        " last_message_at FROM channels ORDER BY rowid");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GcsChannel *c = g_new0 (GcsChannel, 1);
      c->cid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      c->type = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      c->id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      c->created_by = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      c->custom = object_from_string ((const char *) sqlite3_column_text (stmt, 4));
      c->frozen = sqlite3_column_int (stmt, 5) != 0;
      c->created_at = sqlite3_column_int64 (stmt, 6);
      c->updated_at = sqlite3_column_int64 (stmt, 7);
      c->last_message_at = sqlite3_column_int64 (stmt, 8);
      c->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
      c->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
      g_hash_table_replace (self->channels, c->cid, c);
      g_ptr_array_add (self->channel_order, c);
    }
  sqlite3_finalize (stmt);

  stmt = prepare (self, "SELECT cid, user_id, created_at, updated_at, last_read, last_read_message_id"
                        " FROM members ORDER BY created_at, rowid");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GcsChannel *c = g_hash_table_lookup (self->channels, sqlite3_column_text (stmt, 0));
      GcsMember *m;

      if (c == NULL)
        continue;
      m = g_new0 (GcsMember, 1);
      m->user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->created_at = sqlite3_column_int64 (stmt, 2);
      m->updated_at = sqlite3_column_int64 (stmt, 3);
      m->last_read = sqlite3_column_int64 (stmt, 4);
      m->last_read_message_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_ptr_array_add (c->members, m);
    }
  sqlite3_finalize (stmt);

  stmt = prepare (self, "SELECT id, cid, user_id, text, type, extra, created_at, updated_at, deleted_at"
                        " FROM messages ORDER BY seq");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      GcsChannel *c = g_hash_table_lookup (self->channels, sqlite3_column_text (stmt, 1));
      GcsMessage *m;

      if (c == NULL)
        continue;
      m = g_new0 (GcsMessage, 1);
      m->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      m->cid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      m->text = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      m->type = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      m->extra = object_from_string ((const char *) sqlite3_column_text (stmt, 5));
      m->created_at = sqlite3_column_int64 (stmt, 6);
      m->updated_at = sqlite3_column_int64 (stmt, 7);
      m->deleted_at = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (c->messages, m);
      g_hash_table_replace (self->messages, m->id, m);
      if (m->created_at > self->last_now)
        self->last_now = m->created_at;
    }
  sqlite3_finalize (stmt);
}

GcsState *
gcs_state_open (const char  *path,
                GError     **error)
{
  g_autoptr(GcsState) self = g_new0 (GcsState, 1);

  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) user_free);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) channel_free);
  self->channel_order = g_ptr_array_new ();
  self->messages = g_hash_table_new (g_str_hash, g_str_equal);
  self->online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, GCS_STATE_ERROR, GCS_STATE_ERROR_DATABASE,
                   "Cannot open %s: %s", path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  if (!exec_sql (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", error) ||
      !exec_sql (self->db, schema_sql, error))
    return NULL;

  load_all (self);
  return g_steal_pointer (&self);
}

void
gcs_state_free (GcsState *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->messages, g_hash_table_unref);
  g_clear_pointer (&self->channel_order, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_pointer (&self->online, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self);
}

/* ------------------------------------------------------------------ presence */

void
gcs_state_set_online (GcsState   *self,
                      const char *user_id,
                      gboolean    online)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->online, user_id));

  if (online)
    count++;
  else if (count > 0)
    count--;

  if (count == 0)
    g_hash_table_remove (self->online, user_id);
  else
    g_hash_table_replace (self->online, g_strdup (user_id), GUINT_TO_POINTER (count));
}

gboolean
gcs_state_is_online (GcsState   *self,
                     const char *user_id)
{
  return g_hash_table_contains (self->online, user_id);
}

/* ------------------------------------------------------------------ users */

static void
save_user (GcsState *self,
           GcsUser  *u)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?, ?)");
  g_autofree char *fields = object_to_string (u->fields);

  bind_text (stmt, 1, u->id);
  bind_text (stmt, 2, u->role);
  bind_text (stmt, 3, fields);
  sqlite3_bind_int64 (stmt, 4, u->created_at);
  sqlite3_bind_int64 (stmt, 5, u->updated_at);
  sqlite3_bind_int64 (stmt, 6, u->last_active);
  step_done (self, stmt);
}

GcsUser *
gcs_state_get_user (GcsState   *self,
                    const char *id)
{
  return id ? g_hash_table_lookup (self->users, id) : NULL;
}

GcsUser *
gcs_state_ensure_user (GcsState   *self,
                       const char *id)
{
  GcsUser *u = gcs_state_get_user (self, id);

  if (u == NULL)
    {
      u = g_new0 (GcsUser, 1);
      u->id = g_strdup (id);
      u->role = g_strdup ("user");
      u->fields = json_object_new ();
      u->created_at = u->updated_at = gcs_state_now (self);
      g_hash_table_replace (self->users, u->id, u);
      save_user (self, u);
    }
  return u;
}

/* Keys that are computed by the server and never stored as profile fields. */
static const char *const user_reserved[] = {
  "id", "role", "created_at", "updated_at", "last_active", "online", "banned", "teams",
  "devices", "mutes", "channel_mutes", "unread_count", "total_unread_count", "unread_channels",
  "unread_threads", "invisible", "privacy_settings", "blocked_user_ids", "shadow_banned", NULL
};

GcsUser *
gcs_state_upsert_user (GcsState   *self,
                       JsonObject *data,
                       gboolean    replace)
{
  const char *id = gcs_json_member_string (data, "id");
  GcsUser *u;

  g_return_val_if_fail (id != NULL, NULL);

  u = gcs_state_ensure_user (self, id);
  if (replace)
    {
      g_clear_pointer (&u->fields, json_object_unref);
      u->fields = json_object_new ();
    }
  copy_members (u->fields, data, user_reserved);
  if (json_object_has_member (data, "role") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (data, "role")) &&
      json_node_get_value_type (json_object_get_member (data, "role")) == G_TYPE_STRING)
    {
      g_free (u->role);
      u->role = g_strdup (gcs_json_member_string (data, "role"));
    }
  u->updated_at = gcs_state_now (self);
  save_user (self, u);
  return u;
}

void
gcs_state_touch_user (GcsState *self,
                      GcsUser  *user)
{
  user->last_active = gcs_state_now (self);
  save_user (self, user);
}

JsonObject *
gcs_state_user_json (GcsState *self,
                     GcsUser  *u)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "id", u->id);
  json_object_set_string_member (obj, "role", u->role);
  json_object_set_array_member (obj, "teams", json_array_new ());
  set_time (obj, "created_at", u->created_at);
  set_time (obj, "updated_at", u->updated_at);
  json_object_set_boolean_member (obj, "banned", FALSE);
  json_object_set_boolean_member (obj, "online", gcs_state_is_online (self, u->id));
  if (u->last_active > 0)
    set_time (obj, "last_active", u->last_active);
  json_object_set_array_member (obj, "blocked_user_ids", json_array_new ());
  copy_members (obj, u->fields, NULL);
  return obj;
}

static JsonObject *
enabled (gboolean on)
{
  JsonObject *obj = json_object_new ();

  json_object_set_boolean_member (obj, "enabled", on);
  return obj;
}

JsonObject *
gcs_state_me_json (GcsState *self,
                   GcsUser  *u)
{
  JsonObject *obj = gcs_state_user_json (self, u);
  JsonObject *privacy = json_object_new ();
  guint total = 0, channels = 0, i;

  for (i = 0; i < self->channel_order->len; i++)
    {
      GcsChannel *c = g_ptr_array_index (self->channel_order, i);
      GcsMember *m = gcs_channel_get_member (c, u->id);
      guint n;

      if (m == NULL)
        continue;
      n = gcs_channel_unread_count (c, m);
      total += n;
      channels += n > 0;
    }

  json_object_remove_member (obj, "blocked_user_ids");
  json_object_set_object_member (privacy, "typing_indicators", enabled (TRUE));
  json_object_set_object_member (privacy, "read_receipts", enabled (TRUE));
  json_object_set_object_member (privacy, "delivery_receipts", enabled (TRUE));
  json_object_set_object_member (obj, "privacy_settings", privacy);
  json_object_set_array_member (obj, "devices", json_array_new ());
  json_object_set_boolean_member (obj, "invisible", FALSE);
  json_object_set_array_member (obj, "mutes", json_array_new ());
  json_object_set_array_member (obj, "channel_mutes", json_array_new ());
  json_object_set_int_member (obj, "unread_count", total);
  json_object_set_int_member (obj, "total_unread_count", total);
  json_object_set_int_member (obj, "unread_channels", channels);
  json_object_set_int_member (obj, "unread_threads", 0);
  return obj;
}

/* ------------------------------------------------------------------ channels */

GcsChannel *
gcs_state_get_channel (GcsState   *self,
                       const char *cid)
{
  return cid ? g_hash_table_lookup (self->channels, cid) : NULL;
}

GPtrArray *
gcs_state_list_channels (GcsState *self)
{
  return self->channel_order;
}

void
gcs_state_save_channel (GcsState   *self,
                        GcsChannel *c)
{
  sqlite3_stmt *stmt = prepare (self,
    "INSERT INTO channels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cid) DO UPDATE SET"
    " created_by = excluded.created_by, custom = excluded.custom, frozen = excluded.frozen,"
    " updated_at = excluded.updated_at, last_message_at = excluded.last_message_at");
  g_autofree char *custom = object_to_string (c->custom);

  bind_text (stmt, 1, c->cid);
  bind_text (stmt, 2, c->type);
  bind_text (stmt, 3, c->id);
  bind_text (stmt, 4, c->created_by);
  bind_text (stmt, 5, custom);
  sqlite3_bind_int (stmt, 6, c->frozen);
  sqlite3_bind_int64 (stmt, 7, c->created_at);
  sqlite3_bind_int64 (stmt, 8, c->updated_at);
  sqlite3_bind_int64 (stmt, 9, c->last_message_at);
  step_done (self, stmt);
}

GcsChannel *
gcs_state_create_channel (GcsState   *self,
                          const char *type,
                          const char *id,
                          const char *created_by,
                          JsonObject *custom)
{
  GcsChannel *c = g_new0 (GcsChannel, 1);

  c->type = g_strdup (type);
  c->id = g_strdup (id);
  c->cid = g_strconcat (type, ":", id, NULL);
  c->created_by = g_strdup (created_by);
  c->custom = custom ? json_object_ref (custom) : json_object_new ();
  c->created_at = c->updated_at = gcs_state_now (self);
  c->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  c->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
  g_hash_table_replace (self->channels, c->cid, c);
  g_ptr_array_add (self->channel_order, c);
  gcs_state_save_channel (self, c);
  return c;
}

GcsMember *
gcs_channel_get_member (GcsChannel *c,
                        const char *user_id)
{
  guint i;

  if (user_id == NULL)
    return NULL;
  for (i = 0; i < c->members->len; i++)
    {
      GcsMember *m = g_ptr_array_index (c->members, i);
      if (g_str_equal (m->user_id, user_id))
        return m;
    }
  return NULL;
}

void
gcs_state_save_member (GcsState   *self,
                       GcsChannel *c,
                       GcsMember  *m)
{
  sqlite3_stmt *stmt = prepare (self,
    "INSERT INTO members VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cid, user_id) DO UPDATE SET"
    " updated_at = excluded.updated_at, last_read = excluded.last_read,"
    " last_read_message_id = excluded.last_read_message_id");

  bind_text (stmt, 1, c->cid);
  bind_text (stmt, 2, m->user_id);
  sqlite3_bind_int64 (stmt, 3, m->created_at);
  sqlite3_bind_int64 (stmt, 4, m->updated_at);
  sqlite3_bind_int64 (stmt, 5, m->last_read);
  bind_text (stmt, 6, m->last_read_message_id);
  step_done (self, stmt);
}

GcsMember *
gcs_state_add_member (GcsState   *self,
                      GcsChannel *c,
                      const char *user_id,
                      gboolean   *out_added)
{
  GcsMember *m = gcs_channel_get_member (c, user_id);

  if (out_added != NULL)
    *out_added = m == NULL;
  if (m != NULL)
    return m;

  gcs_state_ensure_user (self, user_id);
  m = g_new0 (GcsMember, 1);
  m->user_id = g_strdup (user_id);
  m->created_at = m->updated_at = gcs_state_now (self);
  /* A new member has read everything before joining. */
  m->last_read = m->created_at;
  g_ptr_array_add (c->members, m);
  gcs_state_save_member (self, c, m);
  return m;
}

gboolean
gcs_state_remove_member (GcsState   *self,
                         GcsChannel *c,
                         const char *user_id)
{
  GcsMember *m = gcs_channel_get_member (c, user_id);
  sqlite3_stmt *stmt;

  if (m == NULL)
    return FALSE;
  stmt = prepare (self, "DELETE FROM members WHERE cid = ? AND user_id = ?");
  bind_text (stmt, 1, c->cid);
  bind_text (stmt, 2, user_id);
  step_done (self, stmt);
  g_ptr_array_remove (c->members, m);
  return TRUE;
}

guint
gcs_channel_unread_count (GcsChannel *c,
                          GcsMember  *m)
{
  guint n = 0;
  guint i;

  for (i = c->messages->len; i > 0; i--)
    {
      GcsMessage *msg = g_ptr_array_index (c->messages, i - 1);

      if (msg->created_at <= m->last_read)
        break;
      if (msg->deleted_at == 0 && !g_str_equal (msg->user_id, m->user_id))
        n++;
    }
  return n;
}

guint
gcs_channel_visible_count (GcsChannel *c)
{
  guint n = 0, i;

  for (i = 0; i < c->messages->len; i++)
    {
      GcsMessage *msg = g_ptr_array_index (c->messages, i);
      n += msg->deleted_at == 0;
    }
  return n;
}

JsonObject *
gcs_state_channel_custom (GcsChannel *c)
{
  JsonObject *obj = json_object_new ();

  copy_members (obj, c->custom, NULL);
  return obj;
}

static JsonObject *
channel_config (void)
{
  static const char *const flags_on[] = {
    "typing_events", "read_events", "connect_events", "delivery_events", "search", "reactions",
    "replies", "quotes", "mutes", "uploads", "url_enrichment", "custom_events",
    "push_notifications", "reminders", "polls", "shared_locations", "count_messages", NULL
  };
  static const char *const flags_off[] = {
    "mark_messages_pending", "user_message_reminders", NULL
  };
  JsonObject *cfg = json_object_new ();
  JsonArray *commands = json_array_new ();
  JsonObject *giphy = json_object_new ();
  guint i;

  json_object_set_string_member (cfg, "created_at", "2025-01-01T00:00:00.000000Z");
  json_object_set_string_member (cfg, "updated_at", "2025-01-01T00:00:00.000000Z");
  json_object_set_string_member (cfg, "name", "messaging");
  for (i = 0; flags_on[i]; i++)
    json_object_set_boolean_member (cfg, flags_on[i], TRUE);
  for (i = 0; flags_off[i]; i++)
    json_object_set_boolean_member (cfg, flags_off[i], FALSE);
  json_object_set_string_member (cfg, "message_retention", "infinite");
  json_object_set_int_member (cfg, "max_message_length", 5000);
  json_object_set_string_member (cfg, "automod", "disabled");
  json_object_set_string_member (cfg, "automod_behavior", "flag");
  json_object_set_string_member (cfg, "blocklist_behavior", "flag");
  json_object_set_boolean_member (cfg, "skip_last_msg_update_for_system_msgs", TRUE);
  json_object_set_string_member (giphy, "name", "giphy");
  json_object_set_string_member (giphy, "description", "Post a random gif to the channel");
  json_object_set_string_member (giphy, "args", "[text]");
  json_object_set_string_member (giphy, "set", "fun_set");
  json_array_add_object_element (commands, giphy);
  json_object_set_array_member (cfg, "commands", commands);
  return cfg;
}

static JsonArray *
own_capabilities (GcsChannel *c,
                  const char *viewer)
{
  static const char *const member_caps[] = {
    "read-events", "search-messages", "send-custom-events", "send-typing-events",
    "update-own-message", "delete-own-message", "connect-events", "typing-events", NULL
  };
  static const char *const writer_caps[] = {
    "send-message", "send-reply", "send-reaction", "send-links", "upload-file", "quote-message",
    "pin-message", NULL
  };
  JsonArray *caps = json_array_new ();
  guint i;

  if (viewer != NULL && gcs_channel_get_member (c, viewer) == NULL)
    return caps;
  for (i = 0; member_caps[i]; i++)
    json_array_add_string_element (caps, member_caps[i]);
  /* A frozen channel takes away the right to write, as the service does. */
  if (!c->frozen)
    for (i = 0; writer_caps[i]; i++)
      json_array_add_string_element (caps, writer_caps[i]);
  if (viewer != NULL && g_strcmp0 (viewer, c->created_by) == 0)
    {
      json_array_add_string_element (caps, "update-channel");
      json_array_add_string_element (caps, "update-channel-members");
      json_array_add_string_element (caps, "freeze-channel");
    }
  return caps;
}

JsonObject *
gcs_state_channel_json (GcsState   *self,
                        GcsChannel *c,
                        const char *viewer)
{
  JsonObject *obj = json_object_new ();
  GcsUser *creator = gcs_state_get_user (self, c->created_by);

  json_object_set_string_member (obj, "id", c->id);
  json_object_set_string_member (obj, "type", c->type);
  json_object_set_string_member (obj, "cid", c->cid);
  if (c->last_message_at > 0)
    set_time (obj, "last_message_at", c->last_message_at);
  set_time (obj, "created_at", c->created_at);
  set_time (obj, "updated_at", c->updated_at);
  if (creator != NULL)
    json_object_set_object_member (obj, "created_by", gcs_state_user_json (self, creator));
  json_object_set_boolean_member (obj, "frozen", c->frozen);
  json_object_set_boolean_member (obj, "disabled", FALSE);
  json_object_set_int_member (obj, "member_count", c->members->len);
  json_object_set_object_member (obj, "config", channel_config ());
  json_object_set_array_member (obj, "own_capabilities", own_capabilities (c, viewer));
  json_object_set_boolean_member (obj, "hidden", FALSE);
  json_object_set_boolean_member (obj, "blocked", FALSE);
  json_object_set_int_member (obj, "message_count", gcs_channel_visible_count (c));
  copy_members (obj, c->custom, NULL);
  return obj;
}

JsonObject *
gcs_state_member_json (GcsState   *self,
                       GcsChannel *c,
                       GcsMember  *m)
{
  JsonObject *obj = json_object_new ();
  gboolean owner = g_strcmp0 (c->created_by, m->user_id) == 0;

  json_object_set_string_member (obj, "user_id", m->user_id);
  json_object_set_object_member (obj, "user",
                                 gcs_state_user_json (self, gcs_state_ensure_user (self, m->user_id)));
  json_object_set_string_member (obj, "status", "member");
  set_time (obj, "created_at", m->created_at);
  set_time (obj, "updated_at", m->updated_at);
  json_object_set_boolean_member (obj, "banned", FALSE);
  json_object_set_boolean_member (obj, "shadow_banned", FALSE);
  json_object_set_string_member (obj, "role", owner ? "owner" : "member");
  json_object_set_string_member (obj, "channel_role", "channel_member");
  json_object_set_boolean_member (obj, "notifications_muted", FALSE);
  return obj;
}

JsonObject *
gcs_state_read_json (GcsState   *self,
                     GcsChannel *c,
                     GcsMember  *m)
{
  JsonObject *obj = json_object_new ();

  json_object_set_object_member (obj, "user",
                                 gcs_state_user_json (self, gcs_state_ensure_user (self, m->user_id)));
  set_time (obj, "last_read", m->last_read);
  json_object_set_int_member (obj, "unread_messages", gcs_channel_unread_count (c, m));
  if (m->last_read_message_id != NULL)
    json_object_set_string_member (obj, "last_read_message_id", m->last_read_message_id);
  return obj;
}

/* ------------------------------------------------------------------ messages */

GcsMessage *
gcs_state_get_message (GcsState   *self,
                       const char *id)
{
  return id ? g_hash_table_lookup (self->messages, id) : NULL;
}

/* Fields the server computes; a client cannot set them. */
static const char *const message_reserved[] = {
  "id", "text", "type", "user", "user_id", "cid", "created_at", "updated_at", "deleted_at",
  "html", "member", "latest_reactions", "own_reactions", "reaction_counts", "reaction_scores",
  "reply_count", "deleted_reply_count", "shadowed", "mentioned_channel", "mentioned_here",
  "pinned_at", "pinned_by", "pin_expires", "restricted_visibility", "status", NULL
};

void
gcs_message_apply (GcsMessage *msg,
                   JsonObject *set,
                   JsonArray  *unset)
{
  guint i;

  if (set != NULL)
    {
      JsonNode *text = json_object_get_member (set, "text");

      if (text != NULL && JSON_NODE_HOLDS_VALUE (text) &&
          json_node_get_value_type (text) == G_TYPE_STRING)
        {
          g_free (msg->text);
          msg->text = g_strdup (json_node_get_string (text));
        }
      copy_members (msg->extra, set, message_reserved);
    }
  if (unset != NULL)
    for (i = 0; i < json_array_get_length (unset); i++)
      {
        const char *key = gcs_json_string (json_array_get_element (unset, i));

        if (key != NULL && g_strcmp0 (key, "text") == 0)
          {
            g_free (msg->text);
            msg->text = g_strdup ("");
          }
        else if (key != NULL && json_object_has_member (msg->extra, key))
          json_object_remove_member (msg->extra, key);
      }
}

void
gcs_state_save_message (GcsState   *self,
                        GcsMessage *m)
{
  sqlite3_stmt *stmt = prepare (self,
    "INSERT INTO messages (id, cid, user_id, text, type, extra, created_at, updated_at, deleted_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET text = excluded.text,"
    " type = excluded.type, extra = excluded.extra, updated_at = excluded.updated_at,"
    " deleted_at = excluded.deleted_at");
  g_autofree char *extra = object_to_string (m->extra);

  bind_text (stmt, 1, m->id);
  bind_text (stmt, 2, m->cid);
  bind_text (stmt, 3, m->user_id);
  bind_text (stmt, 4, m->text);
  bind_text (stmt, 5, m->type);
  bind_text (stmt, 6, extra);
  sqlite3_bind_int64 (stmt, 7, m->created_at);
  sqlite3_bind_int64 (stmt, 8, m->updated_at);
  sqlite3_bind_int64 (stmt, 9, m->deleted_at);
  step_done (self, stmt);
}

GcsMessage *
gcs_state_add_message (GcsState   *self,
                       GcsChannel *c,
                       const char *id,
                       const char *user_id,
                       JsonObject *request)
{
  GcsMessage *m = g_new0 (GcsMessage, 1);

  m->id = id ? g_strdup (id) : gcs_uuid ();
  m->cid = g_strdup (c->cid);
  m->user_id = g_strdup (user_id);
  m->text = g_strdup ("");
  m->type = g_strdup (gcs_json_member_string (request, "parent_id")
                      ? "reply" : "regular");
  m->extra = json_object_new ();
  gcs_message_apply (m, request, NULL);
  m->created_at = m->updated_at = gcs_state_now (self);

  g_ptr_array_add (c->messages, m);
  g_hash_table_replace (self->messages, m->id, m);
  c->last_message_at = m->created_at;
  gcs_state_save_message (self, m);
  gcs_state_save_channel (self, c);
  return m;
}

void
gcs_state_remove_message (GcsState   *self,
                          GcsMessage *m)
{
  GcsChannel *c = gcs_state_get_channel (self, m->cid);
  sqlite3_stmt *stmt = prepare (self, "DELETE FROM messages WHERE id = ?");

  bind_text (stmt, 1, m->id);
  step_done (self, stmt);
  g_hash_table_remove (self->messages, m->id);
  if (c != NULL)
    g_ptr_array_remove (c->messages, m);
}

/* GetStream's truncate: the channel's messages up to `upto_usec` are gone for everyone, and so
 * are the logged events that carried them (or /sync would hand them out again). The local
 * server keeps no hidden copy, so a soft and a hard truncate look the same. Returns how many
 * messages went. */
guint
gcs_state_truncate_channel (GcsState   *self,
                            GcsChannel *channel,
                            gint64      upto_usec)
{
  sqlite3_stmt *stmt;
  guint removed = 0;
  guint i;

  for (i = channel->messages->len; i > 0; i--)
    {
      GcsMessage *m = g_ptr_array_index (channel->messages, i - 1);

      if (m->created_at <= upto_usec)
        {
          gcs_state_remove_message (self, m);
          removed++;
        }
    }
  stmt = prepare (self, "DELETE FROM events WHERE cid = ? AND created_at <= ?"
                        " AND (json_extract (payload, '$.type') LIKE 'message.%'"
                        "      OR json_extract (payload, '$.type') LIKE 'reaction.%')");
  bind_text (stmt, 1, channel->cid);
  sqlite3_bind_int64 (stmt, 2, upto_usec);
  step_done (self, stmt);

  channel->last_message_at = 0;
  for (i = 0; i < channel->messages->len; i++)
    {
      GcsMessage *m = g_ptr_array_index (channel->messages, i);

      channel->last_message_at = MAX (channel->last_message_at, m->created_at);
    }
  channel->updated_at = gcs_state_now (self);
  gcs_state_save_channel (self, channel);
  return removed;
}

static char *
text_to_html (const char *text)
{
  g_autofree char *escaped = NULL;

  if (text == NULL || *text == '\0')
    return g_strdup ("");
  escaped = g_markup_escape_text (text, -1);
  return g_strdup_printf ("<p>%s</p>\n", escaped);
}

JsonObject *
gcs_state_message_json (GcsState   *self,
                        GcsMessage *m)
{
  JsonObject *obj = json_object_new ();
  JsonObject *member = json_object_new ();
  JsonArray *mentioned = json_array_new ();
  JsonArray *ids = NULL;
  g_autofree char *html = text_to_html (m->text);
  guint i;

  json_object_set_string_member (obj, "id", m->id);
  json_object_set_string_member (obj, "text", m->deleted_at ? "" : m->text);
  json_object_set_string_member (obj, "html", m->deleted_at ? "" : html);
  json_object_set_string_member (obj, "type", m->deleted_at ? "deleted" : m->type);
  json_object_set_object_member (obj, "user",
                                 gcs_state_user_json (self, gcs_state_ensure_user (self, m->user_id)));
  json_object_set_string_member (member, "channel_role", "channel_member");
  json_object_set_boolean_member (member, "notifications_muted", FALSE);
  json_object_set_object_member (obj, "member", member);
  json_object_set_array_member (obj, "attachments", json_array_new ());
  json_object_set_array_member (obj, "latest_reactions", json_array_new ());
  json_object_set_array_member (obj, "own_reactions", json_array_new ());
  json_object_set_object_member (obj, "reaction_counts", json_object_new ());
  json_object_set_object_member (obj, "reaction_scores", json_object_new ());
  json_object_set_int_member (obj, "reply_count", 0);
  json_object_set_int_member (obj, "deleted_reply_count", 0);
  json_object_set_string_member (obj, "cid", m->cid);
  set_time (obj, "created_at", m->created_at);
  set_time (obj, "updated_at", m->updated_at);
  if (m->deleted_at > 0)
    set_time (obj, "deleted_at", m->deleted_at);
  json_object_set_boolean_member (obj, "shadowed", FALSE);
  json_object_set_boolean_member (obj, "mentioned_channel", FALSE);
  json_object_set_boolean_member (obj, "mentioned_here", FALSE);
  json_object_set_boolean_member (obj, "silent", FALSE);
  json_object_set_boolean_member (obj, "pinned", FALSE);
  json_object_set_null_member (obj, "pinned_at");
  json_object_set_null_member (obj, "pinned_by");
  json_object_set_null_member (obj, "pin_expires");
  json_object_set_array_member (obj, "restricted_visibility", json_array_new ());

  if (m->deleted_at == 0)
    {
      copy_members (obj, m->extra, (const char *const[]) { "mentioned_users", NULL });
      if (json_object_has_member (m->extra, "mentioned_users") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (m->extra, "mentioned_users")))
        ids = json_object_get_array_member (m->extra, "mentioned_users");
    }
  for (i = 0; ids != NULL && i < json_array_get_length (ids); i++)
    {
      JsonNode *n = json_array_get_element (ids, i);
      const char *uid = NULL;

      /* Clients send ids; some send user objects. Both become full users. */
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        uid = json_node_get_string (n);
      else if (JSON_NODE_HOLDS_OBJECT (n))
        uid = gcs_json_member_string (json_node_get_object (n), "id");
      if (uid != NULL)
        json_array_add_object_element (mentioned,
                                       gcs_state_user_json (self, gcs_state_ensure_user (self, uid)));
    }
  json_object_set_array_member (obj, "mentioned_users", mentioned);
  return obj;
}

/* ------------------------------------------------------------------ event log */

void
gcs_state_log_event (GcsState   *self,
                     const char *cid,
                     gint64      usec,
                     JsonObject *event)
{
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO events (cid, created_at, payload) VALUES (?, ?, ?)");
  g_autofree char *payload = object_to_string (event);

  bind_text (stmt, 1, cid);
  sqlite3_bind_int64 (stmt, 2, usec);
  bind_text (stmt, 3, payload);
  step_done (self, stmt);
}

GPtrArray *
gcs_state_events_since (GcsState   *self,
                        const char *cid,
                        gint64      since_usec)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  sqlite3_stmt *stmt = prepare (self, "SELECT payload FROM events WHERE cid = ? AND created_at >= ?"
                                      " ORDER BY created_at, seq");

  bind_text (stmt, 1, cid);
  sqlite3_bind_int64 (stmt, 2, since_usec);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (out, object_from_string ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return out;
}
