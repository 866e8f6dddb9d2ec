/* gcs-server.c: HTTP and websocket front of the local chat server
 *
 * Implements the part of GetStream Chat's v1 protocol that Gigdesk uses:
 * the /connect websocket, channel query/watch, query channels, messages,
 * read state, typing events, channel membership, users and /sync.
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat-server"

#include "gcs-server.h"

#include <libsoup/soup.h>
#include <string.h>

#include "gcs-jwt.h"
#include "gcs-limits.h"
#include "gcs-permissions.h"
#include "core/gig-json.h"
#include "gcs-body.h"
#include "gcs-uploads.h"

/* A client frame (a health check, a connect payload) is a few hundred bytes; libsoup's own
 * default cap on incoming frames is 128 KiB. */
#define GCS_MAX_FRAME (128 * 1024)

#define MORE_INFO "https://getstream.io/chat/docs/api_errors_response"
#define DEFAULT_MESSAGE_LIMIT 25
#define MAX_MESSAGE_LIMIT 300

typedef struct {
  GcsServer               *server;   /* unowned: the server outlives its connections */
  SoupWebsocketConnection *ws;
  char                    *connection_id;
  char                    *user_id;
  GHashTable              *watching;       /* cid set */
  GHashTable              *presence_users; /* user ids this socket gets presence for */
} Conn;

struct _GcsServer
{
  GObject     parent_instance;

  SoupServer *soup;
  GcsState   *state;       /* unowned */
  char       *api_key;
  char       *api_secret;
  guint       health_interval;
  gsize       max_body;
  GHashTable *conns;       /* connection_id -> Conn */
  guint       health_source;
  GcsUploads *uploads;     /* unowned; NULL: no upload routes */
};

G_DEFINE_FINAL_TYPE (GcsServer, gcs_server, G_TYPE_OBJECT)

typedef struct {
  GcsServer         *self;
  SoupServerMessage *msg;
  const char        *op;
  gint64             start;
  GHashTable        *query;     /* owned */
  JsonObject        *body;      /* owned, never NULL once parsed */
  char              *user_id;   /* acting user; NULL for a server token without one */
  gboolean           is_server;
  Conn              *conn;      /* the socket named by ?connection_id, if it is the caller's */
} Req;

/* ------------------------------------------------------------------ connections */

static void
conn_free (Conn *c)
{
  if (c->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (c->ws, c);
      if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
  g_clear_object (&c->ws);
  g_free (c->connection_id);
  g_free (c->user_id);
  g_clear_pointer (&c->watching, g_hash_table_unref);
  g_clear_pointer (&c->presence_users, g_hash_table_unref);
  g_free (c);
}

static char *
to_json (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

static void
conn_send (Conn       *c,
           JsonObject *event)
{
  g_autofree char *text = NULL;

  if (c->ws == NULL || soup_websocket_connection_get_state (c->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  text = to_json (event);
  soup_websocket_connection_send_text (c->ws, text);
}

static guint
watcher_count (GcsServer  *self,
               const char *cid)
{
  g_autoptr(GHashTable) users = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_hash_table_contains (c->watching, cid))
      g_hash_table_add (users, c->user_id);
  return g_hash_table_size (users);
}

static JsonArray *
watchers_json (GcsServer  *self,
               const char *cid)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *arr = json_array_new ();
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_hash_table_contains (c->watching, cid) && g_hash_table_add (seen, c->user_id))
      json_array_add_object_element (arr, gcs_state_user_json (self->state,
                                                               gcs_state_ensure_user (self->state, c->user_id)));
  return arr;
}

/* Sends to every socket watching the channel. */
static void
broadcast_watchers (GcsServer  *self,
                    const char *cid,
                    JsonObject *event)
{
  g_autofree char *text = to_json (event);
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_hash_table_contains (c->watching, cid) &&
        soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_send_text (c->ws, text);
}

/* Sends to every socket of one user. */
static void
notify_user (GcsServer  *self,
             const char *user_id,
             JsonObject *event)
{
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_str_equal (c->user_id, user_id))
      conn_send (c, event);
}

static void
set_now_ns (JsonObject *obj,
            gint64      usec)
{
  g_autofree char *t = gcs_format_time_ns (usec);

  json_object_set_string_member (obj, "created_at", t);
}

static JsonObject *
channel_event (GcsServer  *self,
               const char *type,
               GcsChannel *channel,
               const char *user_id,
               gint64      usec)
{
  JsonObject *ev = json_object_new ();

  json_object_set_string_member (ev, "type", type);
  json_object_set_string_member (ev, "cid", channel->cid);
  json_object_set_string_member (ev, "channel_id", channel->id);
  json_object_set_string_member (ev, "channel_type", channel->type);
  if (user_id != NULL)
    json_object_set_object_member (ev, "user",
                                   gcs_state_user_json (self->state,
                                                        gcs_state_ensure_user (self->state, user_id)));
  set_now_ns (ev, usec);
  return ev;
}

static void
unread_fields (GcsServer  *self,
               JsonObject *ev,
               const char *user_id)
{
  GPtrArray *channels = gcs_state_list_channels (self->state);
  guint total = 0, unread_channels = 0, i;

  for (i = 0; i < channels->len; i++)
    {
      GcsChannel *c = g_ptr_array_index (channels, i);
      GcsMember *m = gcs_channel_get_member (c, user_id);
      guint n;

      if (m == NULL)
        continue;
      n = gcs_channel_unread_count (c, m);
      total += n;
      unread_channels += n > 0;
    }
  json_object_set_int_member (ev, "unread_count", total);
  json_object_set_int_member (ev, "total_unread_count", total);
  json_object_set_int_member (ev, "unread_channels", unread_channels);
}

/* message.new to watchers, notification.message_new to the other members' sockets that
 * do not watch the channel (never to the sender). */
static void
fan_out_message_event (GcsServer  *self,
                       GcsChannel *channel,
                       const char *type,
                       JsonObject *ev,
                       const char *sender,
                       gboolean    notify_members)
{
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    {
      gboolean watching = g_hash_table_contains (c->watching, channel->cid);

      if (watching)
        {
          json_object_set_string_member (ev, "type", type);
          json_object_remove_member (ev, "channel");
          if (notify_members)
            unread_fields (self, ev, c->user_id);
          conn_send (c, ev);
        }
      else if (notify_members && gcs_channel_get_member (channel, c->user_id) != NULL &&
               g_strcmp0 (c->user_id, sender) != 0)
        {
          json_object_set_string_member (ev, "type", "notification.message_new");
          json_object_set_object_member (ev, "channel",
                                         gcs_state_channel_json (self->state, channel, c->user_id));
          unread_fields (self, ev, c->user_id);
          conn_send (c, ev);
        }
    }
}

static void
presence_changed (GcsServer  *self,
                  const char *user_id)
{
  g_autoptr(JsonObject) ev = json_object_new ();
  GHashTableIter iter;
  Conn *c;

  json_object_set_string_member (ev, "type", "user.presence.changed");
  json_object_set_object_member (ev, "user",
                                 gcs_state_user_json (self->state,
                                                      gcs_state_ensure_user (self->state, user_id)));
  set_now_ns (ev, g_get_real_time ());

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_hash_table_contains (c->presence_users, user_id))
      conn_send (c, ev);
}

static void
watch_channel (GcsServer  *self,
               Conn       *conn,
               GcsChannel *channel,
               gboolean    presence)
{
  guint i;

  if (presence)
    for (i = 0; i < channel->members->len; i++)
      {
        GcsMember *m = g_ptr_array_index (channel->members, i);
        g_hash_table_add (conn->presence_users, g_strdup (m->user_id));
      }

  if (g_hash_table_contains (conn->watching, channel->cid))
    return;
  g_hash_table_add (conn->watching, g_strdup (channel->cid));
  {
    g_autoptr(JsonObject) ev = channel_event (self, "user.watching.start", channel, conn->user_id,
                                              g_get_real_time ());
    json_object_set_int_member (ev, "watcher_count", watcher_count (self, channel->cid));
    broadcast_watchers (self, channel->cid, ev);
  }
}

static void
unwatch_channel (GcsServer  *self,
                 Conn       *conn,
                 GcsChannel *channel)
{
  g_autoptr(JsonObject) ev = NULL;

  if (!g_hash_table_remove (conn->watching, channel->cid))
    return;
  ev = channel_event (self, "user.watching.stop", channel, conn->user_id, g_get_real_time ());
  json_object_set_int_member (ev, "watcher_count", watcher_count (self, channel->cid));
  broadcast_watchers (self, channel->cid, ev);
}

/* ------------------------------------------------------------------ replies */

static void
req_clear (Req *req)
{
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_clear_pointer (&req->body, json_object_unref);
  g_clear_pointer (&req->user_id, g_free);
}

static void
set_duration (Req        *req,
              JsonObject *obj)
{
  g_autofree char *d = g_strdup_printf ("%.2fms", (g_get_monotonic_time () - req->start) / 1000.0);

  json_object_set_string_member (obj, "duration", d);
}

static void
reply_json (Req        *req,
            guint       status,
            JsonObject *obj)
{
  g_autofree char *text = NULL;
  gsize len;

  set_duration (req, obj);
  text = to_json (obj);
  len = strlen (text);
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
}

static JsonObject *
error_object (guint       status,
              int         code,
              const char *message)
{
  JsonObject *obj = json_object_new ();

  json_object_set_int_member (obj, "code", code);
  json_object_set_string_member (obj, "message", message);
  json_object_set_int_member (obj, "StatusCode", status);
  json_object_set_string_member (obj, "duration", "");
  json_object_set_string_member (obj, "more_info", MORE_INFO);
  json_object_set_array_member (obj, "details", json_array_new ());
  return obj;
}

/* Errors read "<Operation> failed with error: \"<detail>\"", as the service words them. */
G_GNUC_PRINTF (4, 5)
static gboolean
reply_error (Req        *req,
             guint       status,
             int         code,
             const char *format,
             ...)
{
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonObject) obj = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  if (req->op != NULL)
    message = g_strdup_printf ("%s failed with error: \"%s\"", req->op, detail);
  else
    message = g_steal_pointer (&detail);
  obj = error_object (status, code, message);
  reply_json (req, status, obj);
  return FALSE;
}

/* A user token's refusal by the channel type's grants, worded as the service words it. */
static void
refuse_action (Req        *req,
               GcsAction   action,
               const char *channel_type)
{
  reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
               "User '%s' with role 'user' is not allowed to perform action %s in scope '%s'",
               req->user_id, gcs_action_name (action), channel_type);
}

/* The service's limits on a message (gcs-limits.c); refuses with its error when over. */
static gboolean
within_message_limits (Req        *req,
                       JsonObject *fields)
{
  int code = 4;
  g_autofree char *problem = gcs_limits_check_message (fields, &code);

  if (problem == NULL)
    return TRUE;
  reply_error (req, SOUP_STATUS_BAD_REQUEST, code, "%s", problem);
  return FALSE;
}

static gboolean
within_custom_limit (Req           *req,
                     GcsCustomKind  kind,
                     JsonObject    *fields)
{
  g_autofree char *problem = gcs_limits_check_custom (kind, fields);

  if (problem == NULL)
    return TRUE;
  reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "%s", problem);
  return FALSE;
}

/* `base` with `set` applied and the keys of `unset` removed: what a partial update makes. */
static JsonObject *
merged_fields (JsonObject *base,
               JsonObject *set,
               JsonArray  *unset)
{
  JsonObject *out = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  guint i;

  if (base != NULL)
    {
      json_object_iter_init (&iter, base);
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (out, key, json_node_copy (value));
    }
  if (set != NULL)
    {
      json_object_iter_init (&iter, set);
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (out, key, json_node_copy (value));
    }
  for (i = 0; unset != NULL && i < json_array_get_length (unset); i++)
    {
      const char *name = gcs_json_string (json_array_get_element (unset, i));

      if (name != NULL && json_object_has_member (out, name))
        json_object_remove_member (out, name);
    }
  return out;
}

/* ------------------------------------------------------------------ input helpers */

static const char *
str_member (JsonObject *obj,
            const char *key)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, key)) == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static JsonObject *
obj_member (JsonObject *obj,
            const char *key)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, key)) == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return NULL;
  return json_node_get_object (n);
}

static JsonArray *
arr_member (JsonObject *obj,
            const char *key)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, key)) == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return NULL;
  return json_node_get_array (n);
}

static gboolean
bool_member (JsonObject *obj,
             const char *key,
             gboolean    fallback)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, key)) == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return fallback;
  if (json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (n);
  return fallback;
}

static gint64
int_member (JsonObject *obj,
            const char *key,
            gint64      fallback)
{
  JsonNode *n;

  if (obj == NULL || (n = json_object_get_member (obj, key)) == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return fallback;
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (n);

      /* Out-of-range doubles would make the cast undefined. */
      if (d >= -9.0e18 && d <= 9.0e18)
        return (gint64) d;
    }
  return fallback;
}

/* Member lists come as ids or as {"user_id": ...} objects. */
static GPtrArray *
user_id_list (JsonArray *arr)
{
  GPtrArray *out = g_ptr_array_new ();
  guint i;

  for (i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      const char *id = NULL;

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        id = json_node_get_string (n);
      else if (JSON_NODE_HOLDS_OBJECT (n))
        {
          id = str_member (json_node_get_object (n), "user_id");
          if (id == NULL)
            id = str_member (obj_member (json_node_get_object (n), "user"), "id");
        }
      if (id != NULL && *id != '\0')
        g_ptr_array_add (out, (gpointer) id);
    }
  return out;
}

static gboolean
valid_id (const char *id)
{
  const char *p;

  if (id == NULL || *id == '\0' || strlen (id) > 255)
    return FALSE;
  for (p = id; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '!' || *p == '@' || *p == '.'))
      return FALSE;
  return TRUE;
}

/* The acting user: the token's, or for server tokens one named in the body. */
static const char *
acting_user (Req        *req,
             JsonObject *scope)
{
  const char *uid;

  if (!req->is_server)
    return req->user_id;
  if ((uid = str_member (scope, "user_id")) != NULL)
    return uid;
  if ((uid = str_member (obj_member (scope, "user"), "id")) != NULL)
    return uid;
  if ((uid = str_member (req->body, "user_id")) != NULL)
    return uid;
  return str_member (obj_member (req->body, "user"), "id");
}

static GcsChannel *
channel_for (Req        *req,
             const char *type,
             const char *id)
{
  g_autofree char *cid = g_strconcat (type, ":", id, NULL);
  GcsChannel *channel = gcs_state_get_channel (req->self->state, cid);

  if (channel == NULL)
    {
      reply_error (req, SOUP_STATUS_NOT_FOUND, 16, "Can't find channel with id %s", cid);
      return NULL;
    }
  if (!req->is_server && gcs_channel_get_member (channel, req->user_id) == NULL)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
                   "User '%s' with role 'user' is not allowed to access Resource ReadChannel on channel type %s",
                   req->user_id, channel->type);
      return NULL;
    }
  return channel;
}

/* ------------------------------------------------------------------ channel state */

static JsonArray *
messages_page (GcsServer  *self,
               GcsChannel *channel,
               JsonObject *params,
               gboolean   *out_error,
               Req        *req)
{
  JsonArray *arr = json_array_new ();
  gint64 limit = int_member (params, "limit", DEFAULT_MESSAGE_LIMIT);
  GPtrArray *msgs = channel->messages;
  guint first = 0, last = msgs->len; /* half-open range of candidate indices */
  gboolean from_start = FALSE;
  const char *keys[] = { "id_lt", "id_lte", "id_gt", "id_gte" };
  guint k, i, n;

  *out_error = FALSE;
  if (limit < 0 || limit > MAX_MESSAGE_LIMIT)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "messages.limit must be between 0 and %d",
                   MAX_MESSAGE_LIMIT);
      *out_error = TRUE;
      return arr;
    }

  for (k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      const char *ref = str_member (params, keys[k]);
      GcsMessage *m;
      guint idx;

      if (ref == NULL)
        continue;
      m = gcs_state_get_message (self->state, ref);
      if (m == NULL || !g_ptr_array_find (msgs, m, &idx))
        continue;
      if (k == 0)
        last = MIN (last, idx);
      else if (k == 1)
        last = MIN (last, idx + 1);
      else
        {
          first = MAX (first, k == 2 ? idx + 1 : idx);
          from_start = TRUE;
        }
    }

  /* Thread replies stay out of the channel list unless shown in the channel. */
  {
    g_autoptr(GPtrArray) picked = g_ptr_array_new ();

    for (i = first; i < last; i++)
      {
        GcsMessage *m = g_ptr_array_index (msgs, i);

        if (g_str_equal (m->type, "reply") && !gcs_json_member_bool (m->extra, "show_in_channel", FALSE))
          continue;
        g_ptr_array_add (picked, m);
      }
    n = picked->len;
    if (from_start)
      {
        for (i = 0; i < n && i < (guint) limit; i++)
          json_array_add_object_element (arr, gcs_state_message_json (self->state, g_ptr_array_index (picked, i)));
      }
    else
      {
        for (i = n > (guint) limit ? n - (guint) limit : 0; i < n; i++)
          json_array_add_object_element (arr, gcs_state_message_json (self->state, g_ptr_array_index (picked, i)));
      }
  }
  return arr;
}

static JsonObject *
channel_state (Req        *req,
               GcsChannel *channel,
               JsonObject *messages_params,
               gint64      member_limit,
               gint64      member_offset,
               gboolean   *out_error)
{
  GcsServer *self = req->self;
  JsonObject *obj = json_object_new ();
  JsonArray *members = json_array_new ();
  JsonArray *read = json_array_new ();
  GcsMember *own = gcs_channel_get_member (channel, req->user_id);
  guint i;

  json_object_set_object_member (obj, "channel", gcs_state_channel_json (self->state, channel, req->user_id));
  json_object_set_array_member (obj, "messages",
                                messages_page (self, channel, messages_params, out_error, req));
  json_object_set_array_member (obj, "pinned_messages", json_array_new ());
  json_object_set_int_member (obj, "watcher_count", watcher_count (self, channel->cid));
  json_object_set_array_member (obj, "watchers", watchers_json (self, channel->cid));
  for (i = 0; i < channel->members->len; i++)
    {
      GcsMember *m = g_ptr_array_index (channel->members, i);

      json_array_add_object_element (read, gcs_state_read_json (self->state, channel, m));
      if (i >= member_offset && i < member_offset + member_limit)
        json_array_add_object_element (members, gcs_state_member_json (self->state, channel, m));
    }
  json_object_set_array_member (obj, "read", read);
  json_object_set_array_member (obj, "members", members);
  if (own != NULL)
    {
      JsonObject *membership = gcs_state_member_json (self->state, channel, own);

      json_object_remove_member (membership, "user_id");
      json_object_set_object_member (obj, "membership", membership);
    }
  json_object_set_array_member (obj, "threads", json_array_new ());
  return obj;
}

static void
log_persisted (GcsServer  *self,
               GcsChannel *channel,
               JsonObject *ev,
               gint64      usec)
{
  gcs_state_log_event (self->state, channel->cid, usec, ev);
}

static void
add_channel_counts (GcsChannel *channel,
                    JsonObject *ev)
{
  json_object_set_int_member (ev, "channel_member_count", channel->members->len);
  json_object_set_int_member (ev, "channel_message_count", gcs_channel_visible_count (channel));
  json_object_set_object_member (ev, "channel_custom", gcs_state_channel_custom (channel));
}

static void
member_added (GcsServer  *self,
              GcsChannel *channel,
              GcsMember  *member,
              const char *actor)
{
  g_autoptr(JsonObject) ev = NULL;
  g_autoptr(JsonObject) note = NULL;
  gint64 now = g_get_real_time ();

  ev = channel_event (self, "member.added", channel, member->user_id, now);
  json_object_set_object_member (ev, "member", gcs_state_member_json (self->state, channel, member));
  if (channel->last_message_at > 0)
    {
      g_autofree char *t = gcs_format_time (channel->last_message_at);
      json_object_set_string_member (ev, "channel_last_message_at", t);
    }
  broadcast_watchers (self, channel->cid, ev);

  note = channel_event (self, "notification.added_to_channel", channel, actor, now);
  json_object_set_object_member (note, "channel", gcs_state_channel_json (self->state, channel, member->user_id));
  json_object_set_object_member (note, "member", gcs_state_member_json (self->state, channel, member));
  notify_user (self, member->user_id, note);
}

static void
member_removed (GcsServer  *self,
                GcsChannel *channel,
                const char *user_id,
                const char *actor)
{
  g_autoptr(JsonObject) ev = NULL;
  g_autoptr(JsonObject) note = NULL;
  GHashTableIter iter;
  Conn *c;
  gint64 now = g_get_real_time ();

  /* A removed member's sockets stop receiving the channel's events. */
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    if (g_str_equal (c->user_id, user_id))
      g_hash_table_remove (c->watching, channel->cid);

  ev = channel_event (self, "member.removed", channel, user_id, now);
  broadcast_watchers (self, channel->cid, ev);

  note = channel_event (self, "notification.removed_from_channel", channel, actor, now);
  json_object_set_object_member (note, "channel", gcs_state_channel_json (self->state, channel, NULL));
  notify_user (self, user_id, note);
}

static void
channel_updated (GcsServer  *self,
                 GcsChannel *channel,
                 const char *actor)
{
  gint64 now = g_get_real_time ();
  g_autoptr(JsonObject) ev = channel_event (self, "channel.updated", channel, actor, now);

  json_object_set_object_member (ev, "channel", gcs_state_channel_json (self->state, channel, NULL));
  broadcast_watchers (self, channel->cid, ev);
  log_persisted (self, channel, ev, now);
}

/* ------------------------------------------------------------------ channel handlers */

/* Custom data is everything in "data" that is not a known field. */
static JsonObject *
custom_from_data (JsonObject *data)
{
  static const char *const reserved[] = {
    "members", "created_by", "created_by_id", "frozen", "id", "type", "cid", "created_at",
    "updated_at", "last_message_at", "member_count", "config", "own_capabilities", "disabled",
    "hidden", "blocked", "message_count", "team", NULL
  };
  JsonObject *custom = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (data == NULL)
    return custom;
  json_object_iter_init (&iter, data);
  while (json_object_iter_next (&iter, &key, &value))
    if (!g_strv_contains (reserved, key))
      json_object_set_member (custom, key, json_node_copy (value));
  return custom;
}

static void
handle_get_or_create (Req        *req,
                      const char *type,
                      const char *id)
{
  GcsServer *self = req->self;
  g_autofree char *cid = g_strconcat (type, ":", id, NULL);
  GcsChannel *channel = gcs_state_get_channel (self->state, cid);
  JsonObject *data = obj_member (req->body, "data");
  g_autoptr(JsonObject) state = NULL;
  gboolean error = FALSE;
  guint i;

  req->op = "GetOrCreateChannel";
  if (!valid_id (type) || !valid_id (id))
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "channel type and id must be non-empty "
                   "and contain only letters, digits and !-_@.");
      return;
    }

  if (channel == NULL && !req->is_server &&
      !gcs_permissions_user_may (type, GCS_ACTION_CREATE_CHANNEL, FALSE))
    {
      refuse_action (req, GCS_ACTION_CREATE_CHANNEL, type);
      return;
    }

  if (channel == NULL)
    {
      g_autoptr(GPtrArray) members = user_id_list (arr_member (data, "members"));
      g_autoptr(JsonObject) custom = custom_from_data (data);
      const char *creator = req->user_id;

      if (req->is_server)
        {
          creator = str_member (data, "created_by_id");
          if (creator == NULL)
            creator = str_member (obj_member (data, "created_by"), "id");
        }
      if (creator == NULL)
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "either data.created_by or "
                       "data.created_by_id must be provided when using server side auth.");
          return;
        }
      if (!within_custom_limit (req, GCS_CUSTOM_CHANNEL, data))
        return;
      gcs_state_ensure_user (self->state, creator);
      channel = gcs_state_create_channel (self->state, type, id, creator, custom);
      channel->frozen = bool_member (data, "frozen", FALSE);
      gcs_state_save_channel (self->state, channel);
      /* A user creating a channel joins it, or it would be unreadable to them. */
      if (!req->is_server)
        g_ptr_array_add (members, (gpointer) creator);
      for (i = 0; i < members->len; i++)
        {
          gboolean added;
          GcsMember *m = gcs_state_add_member (self->state, channel, g_ptr_array_index (members, i), &added);

          if (added)
            member_added (self, channel, m, creator);
        }
      {
        gint64 now = g_get_real_time ();
        g_autoptr(JsonObject) ev = channel_event (self, "channel.created", channel, creator, now);

        json_object_set_object_member (ev, "channel", gcs_state_channel_json (self->state, channel, NULL));
        log_persisted (self, channel, ev, now);
      }
    }
  else if (!req->is_server && gcs_channel_get_member (channel, req->user_id) == NULL)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
                   "User '%s' with role 'user' is not allowed to access Resource ReadChannel on channel type %s",
                   req->user_id, channel->type);
      return;
    }

  if (req->conn != NULL && bool_member (req->body, "watch", FALSE))
    watch_channel (self, req->conn, channel, bool_member (req->body, "presence", FALSE));

  state = channel_state (req, channel, obj_member (req->body, "messages"),
                         int_member (obj_member (req->body, "members"), "limit", 100),
                         int_member (obj_member (req->body, "members"), "offset", 0), &error);
  if (!error)
    reply_json (req, SOUP_STATUS_CREATED, state);
}

static gboolean
match_value (JsonNode   *have,
             JsonNode   *want)
{
  if (have == NULL || want == NULL)
    return have == want;
  if (JSON_NODE_HOLDS_NULL (want))
    return JSON_NODE_HOLDS_NULL (have);
  if (!JSON_NODE_HOLDS_VALUE (have) || !JSON_NODE_HOLDS_VALUE (want))
    return FALSE;
  if (json_node_get_value_type (want) == G_TYPE_STRING)
    return json_node_get_value_type (have) == G_TYPE_STRING &&
           g_str_equal (json_node_get_string (have), json_node_get_string (want));
  if (json_node_get_value_type (want) == G_TYPE_BOOLEAN)
    return json_node_get_value_type (have) == G_TYPE_BOOLEAN &&
           json_node_get_boolean (have) == json_node_get_boolean (want);
  if (json_node_get_value_type (have) == G_TYPE_STRING || json_node_get_value_type (have) == G_TYPE_BOOLEAN)
    return FALSE;
  return json_node_get_double (have) == json_node_get_double (want);
}

static gboolean
member_in (GcsChannel *channel,
           JsonNode   *want)
{
  if (JSON_NODE_HOLDS_VALUE (want) && json_node_get_value_type (want) == G_TYPE_STRING)
    return gcs_channel_get_member (channel, json_node_get_string (want)) != NULL;
  return FALSE;
}

/* Evaluates one filter against one channel; unsupported operators set *bad. */
static gboolean
filter_matches (GcsChannel *channel,
                JsonObject *filter,
                char      **bad)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *cond;

  json_object_iter_init (&iter, filter);
  while (json_object_iter_next (&iter, &key, &cond))
    {
      g_autoptr(JsonNode) have = NULL;
      gboolean is_members = g_str_equal (key, "members");
      JsonObjectIter ops;
      const char *op;
      JsonNode *arg;

      if (g_str_equal (key, "$and") || g_str_equal (key, "$or"))
        {
          JsonArray *list = JSON_NODE_HOLDS_ARRAY (cond) ? json_node_get_array (cond) : NULL;
          gboolean any = FALSE, all = TRUE;
          guint i;

          if (list == NULL)
            {
              *bad = g_strdup_printf ("%s must be an array", key);
              return FALSE;
            }
          for (i = 0; i < json_array_get_length (list); i++)
            {
              JsonNode *sub = json_array_get_element (list, i);
              gboolean ok = JSON_NODE_HOLDS_OBJECT (sub) && filter_matches (channel, json_node_get_object (sub), bad);

              any |= ok;
              all &= ok;
            }
          if (*bad != NULL || !(key[1] == 'a' ? all : any))
            return FALSE;
          continue;
        }

      if (g_str_equal (key, "type"))
        have = json_node_init_string (json_node_alloc (), channel->type);
      else if (g_str_equal (key, "id"))
        have = json_node_init_string (json_node_alloc (), channel->id);
      else if (g_str_equal (key, "cid"))
        have = json_node_init_string (json_node_alloc (), channel->cid);
      else if (g_str_equal (key, "frozen"))
        have = json_node_init_boolean (json_node_alloc (), channel->frozen);
      else if (g_str_equal (key, "created_by_id"))
        have = json_node_init_string (json_node_alloc (), channel->created_by ? channel->created_by : "");
      else if (!is_members && json_object_has_member (channel->custom, key))
        have = json_node_copy (json_object_get_member (channel->custom, key));

      if (!JSON_NODE_HOLDS_OBJECT (cond))
        {
          if (!(is_members ? member_in (channel, cond) : match_value (have, cond)))
            return FALSE;
          continue;
        }

      json_object_iter_init (&ops, json_node_get_object (cond));
      while (json_object_iter_next (&ops, &op, &arg))
        {
          gboolean ok;

          if (g_str_equal (op, "$eq"))
            ok = is_members ? member_in (channel, arg) : match_value (have, arg);
          else if (g_str_equal (op, "$ne"))
            ok = is_members ? !member_in (channel, arg) : !match_value (have, arg);
          else if (g_str_equal (op, "$in") || g_str_equal (op, "$nin"))
            {
              JsonArray *list = JSON_NODE_HOLDS_ARRAY (arg) ? json_node_get_array (arg) : NULL;
              guint i;

              if (list == NULL)
                {
                  *bad = g_strdup_printf ("%s.%s must be an array", key, op);
                  return FALSE;
                }
              ok = FALSE;
              for (i = 0; i < json_array_get_length (list) && !ok; i++)
                {
                  JsonNode *el = json_array_get_element (list, i);
                  ok = is_members ? member_in (channel, el) : match_value (have, el);
                }
              if (op[1] == 'n')
                ok = !ok;
            }
          else if (g_str_equal (op, "$exists"))
            ok = (have != NULL) == (JSON_NODE_HOLDS_VALUE (arg) && json_node_get_boolean (arg));
          else
            {
              *bad = g_strdup_printf ("operator %s is not supported for field %s", op, key);
              return FALSE;
            }
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}

typedef struct {
  const char *field;
  int         direction;
} SortKey;

static gint64
sort_value (GcsChannel *c,
            const char *field)
{
  if (g_str_equal (field, "created_at"))
    return c->created_at;
  if (g_str_equal (field, "updated_at"))
    return c->updated_at;
  if (g_str_equal (field, "member_count"))
    return c->members->len;
  if (g_str_equal (field, "last_updated"))
    return MAX (c->updated_at, c->last_message_at);
  /* last_message_at; channels without messages sort by creation time. */
  return c->last_message_at ? c->last_message_at : c->created_at;
}

static int
compare_channels (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  GcsChannel *ca = *(GcsChannel **) a;
  GcsChannel *cb = *(GcsChannel **) b;
  GArray *keys = data;
  guint i;

  for (i = 0; i < keys->len; i++)
    {
      SortKey *k = &g_array_index (keys, SortKey, i);
      gint64 va = sort_value (ca, k->field), vb = sort_value (cb, k->field);

      if (va != vb)
        return (va < vb ? -1 : 1) * k->direction;
    }
  return g_strcmp0 (ca->cid, cb->cid);
}

static void
handle_query_channels (Req *req)
{
  GcsServer *self = req->self;
  JsonObject *filter = obj_member (req->body, "filter_conditions");
  JsonArray *sort = arr_member (req->body, "sort");
  gint64 limit = int_member (req->body, "limit", 10);
  gint64 offset = int_member (req->body, "offset", 0);
  gint64 message_limit = int_member (req->body, "message_limit", DEFAULT_MESSAGE_LIMIT);
  gint64 member_limit = int_member (req->body, "member_limit", 100);
  gboolean watch = bool_member (req->body, "watch", FALSE);
  gboolean presence = bool_member (req->body, "presence", FALSE);
  GPtrArray *all = gcs_state_list_channels (self->state);
  g_autoptr(GPtrArray) picked = g_ptr_array_new ();
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (SortKey));
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(JsonObject) mparams = json_object_new ();
  JsonArray *channels = json_array_new ();
  guint i;

  req->op = "QueryChannels";
  json_object_set_array_member (reply, "channels", channels);
  if (json_object_has_member (req->body, "filter_conditions") && filter == NULL &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (req->body, "filter_conditions")))
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "filter_conditions must be an object");
      return;
    }
  if (limit < 0 || limit > 30 || offset < 0 || message_limit < 0 || message_limit > MAX_MESSAGE_LIMIT)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "limit must be between 0 and 30, offset >= 0");
      return;
    }
  json_object_set_int_member (mparams, "limit", message_limit);

  for (i = 0; sort != NULL && i < json_array_get_length (sort); i++)
    {
      JsonNode *n = json_array_get_element (sort, i);
      SortKey k;

      if (!JSON_NODE_HOLDS_OBJECT (n) || str_member (json_node_get_object (n), "field") == NULL)
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "sort must be a list of {field, direction}");
          return;
        }
      k.field = str_member (json_node_get_object (n), "field");
      k.direction = int_member (json_node_get_object (n), "direction", -1) < 0 ? -1 : 1;
      g_array_append_val (keys, k);
    }
  if (keys->len == 0)
    {
      SortKey k = { "last_updated", -1 };
      g_array_append_val (keys, k);
    }

  for (i = 0; i < all->len; i++)
    {
      GcsChannel *c = g_ptr_array_index (all, i);
      g_autofree char *bad = NULL;

      /* Users only ever see channels they belong to. */
      if (!req->is_server && gcs_channel_get_member (c, req->user_id) == NULL)
        continue;
      if (filter != NULL && !filter_matches (c, filter, &bad))
        {
          if (bad != NULL)
            {
              reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "%s", bad);
              return;
            }
          continue;
        }
      g_ptr_array_add (picked, c);
    }
  g_ptr_array_sort_with_data (picked, compare_channels, keys);

  for (i = offset; i < picked->len && i < (guint) (offset + limit); i++)
    {
      GcsChannel *c = g_ptr_array_index (picked, i);
      gboolean error = FALSE;

      if (watch && req->conn != NULL)
        watch_channel (self, req->conn, c, presence);
      json_array_add_object_element (channels, channel_state (req, c, mparams, member_limit, 0, &error));
    }
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_update_channel (Req        *req,
                       const char *type,
                       const char *id,
                       gboolean    partial)
{
  GcsServer *self = req->self;
  GcsChannel *channel;
  g_autoptr(JsonObject) reply = json_object_new ();
  JsonArray *members_json = json_array_new ();
  const char *actor;
  guint i;

  req->op = partial ? "UpdateChannelPartial" : "UpdateChannel";
  json_object_set_array_member (reply, "members", members_json);
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  actor = req->is_server ? acting_user (req, NULL) : req->user_id;
  if (!req->is_server)
    {
      gboolean owns = g_strcmp0 (req->user_id, channel->created_by) == 0;
      gboolean changes_members = !partial && (json_object_has_member (req->body, "add_members") ||
                                              json_object_has_member (req->body, "remove_members"));
      gboolean changes_data = partial || json_object_has_member (req->body, "data");

      if (changes_members && !gcs_permissions_user_may (channel->type, GCS_ACTION_UPDATE_CHANNEL_MEMBERS, owns))
        {
          refuse_action (req, GCS_ACTION_UPDATE_CHANNEL_MEMBERS, channel->type);
          return;
        }
      if ((changes_data || !changes_members) &&
          !gcs_permissions_user_may (channel->type, GCS_ACTION_UPDATE_CHANNEL, owns))
        {
          refuse_action (req, GCS_ACTION_UPDATE_CHANNEL, channel->type);
          return;
        }
    }

  if (partial)
    {
      JsonObject *set = obj_member (req->body, "set");
      JsonArray *unset = arr_member (req->body, "unset");
      g_autoptr(JsonObject) custom = custom_from_data (set);
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      if (set == NULL && unset == NULL)
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "set or unset is required");
          return;
        }
      {
        g_autoptr(JsonObject) after = merged_fields (channel->custom, set, unset);

        if (!within_custom_limit (req, GCS_CUSTOM_CHANNEL, after))
          return;
      }
      if (set != NULL && json_object_has_member (set, "frozen"))
        channel->frozen = bool_member (set, "frozen", channel->frozen);
      json_object_iter_init (&iter, custom);
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (channel->custom, key, json_node_copy (value));
      for (i = 0; unset != NULL && i < json_array_get_length (unset); i++)
        {
          const char *key_name = gcs_json_string (json_array_get_element (unset, i));

          if (key_name != NULL && g_str_equal (key_name, "frozen"))
            channel->frozen = FALSE;
          else if (key_name != NULL && json_object_has_member (channel->custom, key_name))
            json_object_remove_member (channel->custom, key_name);
        }
      channel->updated_at = gcs_state_now (self->state);
      gcs_state_save_channel (self->state, channel);
      channel_updated (self, channel, actor);
    }
  else
    {
      JsonObject *data = obj_member (req->body, "data");
      g_autoptr(GPtrArray) add = user_id_list (arr_member (req->body, "add_members"));
      g_autoptr(GPtrArray) remove = user_id_list (arr_member (req->body, "remove_members"));

      if (data == NULL && add->len == 0 && remove->len == 0 &&
          !json_object_has_member (req->body, "add_members") &&
          !json_object_has_member (req->body, "remove_members"))
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "data, add_members or remove_members is required");
          return;
        }
      if (data != NULL && !within_custom_limit (req, GCS_CUSTOM_CHANNEL, data))
        return;
      for (i = 0; i < add->len; i++)
        {
          gboolean added;
          GcsMember *m = gcs_state_add_member (self->state, channel, g_ptr_array_index (add, i), &added);

          if (added)
            member_added (self, channel, m, actor);
        }
      for (i = 0; i < remove->len; i++)
        if (gcs_state_remove_member (self->state, channel, g_ptr_array_index (remove, i)))
          member_removed (self, channel, g_ptr_array_index (remove, i), actor);
      if (data != NULL)
        {
          /* A full update replaces the custom data. */
          g_clear_pointer (&channel->custom, json_object_unref);
          channel->custom = custom_from_data (data);
          channel->frozen = bool_member (data, "frozen", FALSE);
          channel->updated_at = gcs_state_now (self->state);
          gcs_state_save_channel (self->state, channel);
          channel_updated (self, channel, actor);
        }
    }

  json_object_set_object_member (reply, "channel", gcs_state_channel_json (self->state, channel, req->user_id));
  for (i = 0; i < channel->members->len; i++)
    json_array_add_object_element (members_json,
                                   gcs_state_member_json (self->state, channel, g_ptr_array_index (channel->members, i)));
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

/* POST /channels/{type}/{id}/truncate: the channel's history up to `truncated_at` (default now)
 * is gone for every member; watchers get channel.truncated. */
static void
handle_truncate_channel (Req        *req,
                         const char *type,
                         const char *id)
{
  GcsServer *self = req->self;
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(JsonObject) ev = NULL;
  GcsChannel *channel;
  JsonObject *channel_json;
  const char *actor;
  const char *upto_text = str_member (req->body, "truncated_at");
  gint64 now = gcs_state_now (self->state);
  gint64 upto = now;
  g_autofree char *upto_stamp = NULL;
  guint removed;

  req->op = "TruncateChannel";
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  if (!req->is_server &&
      !gcs_permissions_user_may (channel->type, GCS_ACTION_TRUNCATE_CHANNEL,
                                 g_strcmp0 (req->user_id, channel->created_by) == 0))
    {
      refuse_action (req, GCS_ACTION_TRUNCATE_CHANNEL, channel->type);
      return;
    }
  /* A system message, or truncating for some members only, is more than this server does:
   * refuse it rather than do something else. */
  if (json_object_has_member (req->body, "message") || json_object_has_member (req->body, "member_ids"))
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4,
                   "message and member_ids are not supported by the local chat server");
      return;
    }
  if (upto_text != NULL && !gcs_parse_time (upto_text, &upto))
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "truncated_at must be an RFC 3339 time");
      return;
    }
  upto = MIN (upto, now);
  actor = acting_user (req, NULL);
  removed = gcs_state_truncate_channel (self->state, channel, upto);
  g_message ("%s truncated by %s: %u message(s) removed", channel->cid,
             actor != NULL ? actor : "the server", removed);

  upto_stamp = gcs_format_time (upto);
  channel_json = gcs_state_channel_json (self->state, channel, req->user_id);
  json_object_set_string_member (channel_json, "truncated_at", upto_stamp);
  json_object_set_object_member (reply, "channel", channel_json);

  ev = channel_event (self, "channel.truncated", channel, actor, now);
  channel_json = gcs_state_channel_json (self->state, channel, NULL);
  json_object_set_string_member (channel_json, "truncated_at", upto_stamp);
  json_object_set_object_member (ev, "channel", channel_json);
  broadcast_watchers (self, channel->cid, ev);
  log_persisted (self, channel, ev, now);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_stop_watching (Req        *req,
                      const char *type,
                      const char *id)
{
  GcsChannel *channel;
  g_autoptr(JsonObject) reply = json_object_new ();

  req->op = "StopWatchingChannel";
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  if (req->conn != NULL)
    unwatch_channel (req->self, req->conn, channel);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

/* ------------------------------------------------------------------ message handlers */

static void
emit_message_event (GcsServer  *self,
                    GcsChannel *channel,
                    GcsMessage *message,
                    JsonObject *message_json,
                    const char *type,
                    const char *actor,
                    gboolean    hard)
{
  gint64 now = g_get_real_time ();
  g_autoptr(JsonObject) ev = channel_event (self, type, channel, actor, now);

  add_channel_counts (channel, ev);
  json_object_set_string_member (ev, "message_id", message->id);
  json_object_set_object_member (ev, "message", json_object_ref (message_json));
  if (g_str_equal (type, "message.new"))
    json_object_set_int_member (ev, "watcher_count", watcher_count (self, channel->cid));
  if (g_str_equal (type, "message.deleted"))
    json_object_set_boolean_member (ev, "hard_delete", hard);
  log_persisted (self, channel, ev, now);
  fan_out_message_event (self, channel, type, ev, actor, g_str_equal (type, "message.new"));
}

static void
handle_send_message (Req        *req,
                     const char *type,
                     const char *id)
{
  GcsServer *self = req->self;
  JsonObject *message = obj_member (req->body, "message");
  g_autoptr(JsonObject) reply = json_object_new ();
  GcsChannel *channel;
  GcsMessage *stored;
  GcsMember *sender_member;
  const char *msg_id;
  const char *sender;
  const char *text;
  JsonObject *mj;

  req->op = "SendMessage";
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  if (message == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message is a required field");
      return;
    }
  sender = acting_user (req, message);
  if (sender == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message.user or message.user_id is a required "
                   "field when using server side auth");
      return;
    }
  if (req->is_server && gcs_channel_get_member (channel, sender) == NULL)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
                   "User '%s' with role 'user' is not allowed to perform action CreateMessage in scope '%s'",
                   sender, channel->type);
      return;
    }
  msg_id = str_member (message, "id");
  if (msg_id != NULL && *msg_id == '\0')
    msg_id = NULL;
  if (msg_id != NULL && gcs_state_get_message (self->state, msg_id) != NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "a message with ID %s already exists", msg_id);
      return;
    }
  if (!within_message_limits (req, message))
    return;
  text = str_member (message, "text");
  if ((text == NULL || *text == '\0') && arr_member (message, "attachments") == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message.text or message.attachments is required");
      return;
    }
  if (channel->frozen)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17, "channel %s is frozen", channel->cid);
      return;
    }

  stored = gcs_state_add_message (self->state, channel, msg_id, sender, message);
  /* Sending counts as reading the channel up to one's own message. */
  sender_member = gcs_channel_get_member (channel, sender);
  if (sender_member != NULL)
    {
      sender_member->last_read = stored->created_at;
      g_free (sender_member->last_read_message_id);
      sender_member->last_read_message_id = g_strdup (stored->id);
      gcs_state_save_member (self->state, channel, sender_member);
    }

  mj = gcs_state_message_json (self->state, stored);
  json_object_set_object_member (reply, "message", mj);
  emit_message_event (self, channel, stored, mj, "message.new", sender, FALSE);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static GcsMessage *
message_for (Req        *req,
             const char *id,
             gboolean    writing,
             GcsChannel **out_channel)
{
  GcsMessage *m = gcs_state_get_message (req->self->state, id);
  GcsChannel *channel;

  if (m == NULL)
    {
      reply_error (req, SOUP_STATUS_NOT_FOUND, 16, "message with id %s not found", id);
      return NULL;
    }
  channel = gcs_state_get_channel (req->self->state, m->cid);
  if (!req->is_server && gcs_channel_get_member (channel, req->user_id) == NULL)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
                   "User '%s' with role 'user' is not allowed to access Resource ReadChannel on channel type %s",
                   req->user_id, channel->type);
      return NULL;
    }
  if (writing && !req->is_server && !g_str_equal (m->user_id, req->user_id))
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17,
                   "User '%s' with role 'user' is not allowed to perform action UpdateMessage in scope '%s'",
                   req->user_id, channel->type);
      return NULL;
    }
  *out_channel = channel;
  return m;
}

static void
handle_get_message (Req        *req,
                    const char *id)
{
  g_autoptr(JsonObject) reply = json_object_new ();
  GcsChannel *channel;
  GcsMessage *m;

  req->op = "GetMessage";
  if ((m = message_for (req, id, FALSE, &channel)) == NULL)
    return;
  json_object_set_object_member (reply, "message", gcs_state_message_json (req->self->state, m));
  reply_json (req, SOUP_STATUS_OK, reply);
}

static void
handle_update_message (Req        *req,
                       const char *id,
                       gboolean    partial)
{
  GcsServer *self = req->self;
  g_autoptr(JsonObject) reply = json_object_new ();
  GcsChannel *channel;
  GcsMessage *m;
  JsonObject *mj;

  req->op = partial ? "UpdateMessagePartial" : "UpdateMessage";
  if (partial)
    {
      if (obj_member (req->body, "set") == NULL && arr_member (req->body, "unset") == NULL)
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "set or unset is required");
          return;
        }
    }
  else if (obj_member (req->body, "message") == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message is a required field");
      return;
    }
  if ((m = message_for (req, id, TRUE, &channel)) == NULL)
    return;
  if (m->deleted_at != 0)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message with id %s is deleted", id);
      return;
    }

  if (partial)
    {
      g_autoptr(JsonObject) after = merged_fields (m->extra, obj_member (req->body, "set"),
                                                   arr_member (req->body, "unset"));

      if (!json_object_has_member (after, "text"))
        json_object_set_string_member (after, "text", m->text);
      if (!within_message_limits (req, after))
        return;
    }
  else if (!within_message_limits (req, obj_member (req->body, "message")))
    return;

  if (partial)
    gcs_message_apply (m, obj_member (req->body, "set"), arr_member (req->body, "unset"));
  else
    {
      JsonObject *message = obj_member (req->body, "message");
      const char *parent = gcs_json_member_string (m->extra, "parent_id");
      g_autofree char *keep_parent = g_strdup (parent);

      /* A full update replaces the message's fields but not its thread. */
      g_clear_pointer (&m->extra, json_object_unref);
      m->extra = json_object_new ();
      g_free (m->text);
      m->text = g_strdup ("");
      gcs_message_apply (m, message, NULL);
      if (keep_parent != NULL)
        json_object_set_string_member (m->extra, "parent_id", keep_parent);
    }
  m->updated_at = gcs_state_now (self->state);
  gcs_state_save_message (self->state, m);

  mj = gcs_state_message_json (self->state, m);
  json_object_set_object_member (reply, "message", mj);
  emit_message_event (self, channel, m, mj, "message.updated", req->is_server ? m->user_id : req->user_id, FALSE);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_delete_message (Req        *req,
                       const char *id)
{
  GcsServer *self = req->self;
  g_autoptr(JsonObject) reply = json_object_new ();
  const char *hard_param = req->query ? g_hash_table_lookup (req->query, "hard") : NULL;
  gboolean hard = g_strcmp0 (hard_param, "true") == 0 || g_strcmp0 (hard_param, "1") == 0;
  GcsChannel *channel;
  GcsMessage *m;
  JsonObject *mj;
  g_autofree char *actor = NULL;

  req->op = "DeleteMessage";
  if ((m = message_for (req, id, TRUE, &channel)) == NULL)
    return;
  actor = g_strdup (req->is_server ? m->user_id : req->user_id);
  if (m->deleted_at == 0)
    m->deleted_at = gcs_state_now (self->state);
  m->updated_at = m->deleted_at;
  mj = gcs_state_message_json (self->state, m);
  json_object_set_object_member (reply, "message", mj);
  emit_message_event (self, channel, m, mj, "message.deleted", actor, hard);
  if (hard)
    gcs_state_remove_message (self->state, m);
  else
    gcs_state_save_message (self->state, m);
  reply_json (req, SOUP_STATUS_OK, reply);
}

/* ------------------------------------------------------------------ read, events, users, sync */

static void
handle_mark_read (Req        *req,
                  const char *type,
                  const char *id)
{
  GcsServer *self = req->self;
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(JsonObject) note = NULL;
  GcsChannel *channel;
  GcsMember *member;
  const char *reader;
  const char *message_id = str_member (req->body, "message_id");
  GcsMessage *upto = NULL;
  JsonObject *ev;
  gint64 now;

  req->op = "MarkRead";
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  reader = acting_user (req, NULL);
  member = gcs_channel_get_member (channel, reader);
  if (member == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "user_id of a channel member is required");
      return;
    }
  if (message_id != NULL)
    {
      upto = gcs_state_get_message (self->state, message_id);
      if (upto == NULL || !g_str_equal (upto->cid, channel->cid))
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "message with id %s not found in channel %s",
                       message_id, channel->cid);
          return;
        }
    }
  else if (channel->messages->len > 0)
    upto = g_ptr_array_index (channel->messages, channel->messages->len - 1);

  now = gcs_state_now (self->state);
  member->last_read = upto != NULL && message_id != NULL ? upto->created_at : now;
  g_free (member->last_read_message_id);
  member->last_read_message_id = upto ? g_strdup (upto->id) : NULL;
  member->updated_at = now;
  gcs_state_save_member (self->state, channel, member);

  ev = channel_event (self, "message.read", channel, reader, now);
  if (upto != NULL)
    json_object_set_string_member (ev, "last_read_message_id", upto->id);
  broadcast_watchers (self, channel->cid, ev);

  note = channel_event (self, "notification.mark_read", channel, reader, now);
  unread_fields (self, note, reader);
  if (upto != NULL)
    json_object_set_string_member (note, "last_read_message_id", upto->id);
  notify_user (self, reader, note);

  json_object_set_object_member (reply, "event", ev);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_send_event (Req        *req,
                   const char *type,
                   const char *id)
{
  static const char *const reserved_prefixes[] = {
    "message.", "channel.", "member.", "notification.", "health.", "user.", "reaction.",
    "connection.", "poll.", "thread.", NULL
  };
  static const char *const skip[] = { "type", "cid", "channel_id", "channel_type", "user", "user_id",
                                      "created_at", NULL };
  GcsServer *self = req->self;
  g_autoptr(JsonObject) reply = json_object_new ();
  JsonObject *event = obj_member (req->body, "event");
  const char *ev_type = str_member (event, "type");
  GcsChannel *channel;
  JsonObject *ev;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  const char *sender;
  guint i;

  req->op = "SendEvent";
  if ((channel = channel_for (req, type, id)) == NULL)
    return;
  if (ev_type == NULL || *ev_type == '\0')
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "event.type is a required field");
      return;
    }
  if (!g_str_equal (ev_type, "typing.start") && !g_str_equal (ev_type, "typing.stop"))
    for (i = 0; reserved_prefixes[i]; i++)
      if (g_str_has_prefix (ev_type, reserved_prefixes[i]))
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 18, "event type %s is not supported", ev_type);
          return;
        }
  sender = acting_user (req, event);
  if (sender == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "event.user_id is required when using server side auth");
      return;
    }

  ev = channel_event (self, ev_type, channel, sender, g_get_real_time ());
  json_object_iter_init (&iter, event);
  while (json_object_iter_next (&iter, &key, &value))
    if (!g_strv_contains (skip, key))
      json_object_set_member (ev, key, json_node_copy (value));
  broadcast_watchers (self, channel->cid, ev);
  json_object_set_object_member (reply, "event", ev);
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_upsert_users (Req *req)
{
  GcsServer *self = req->self;
  JsonObject *users = obj_member (req->body, "users");
  g_autoptr(JsonObject) reply = json_object_new ();
  JsonObject *out = json_object_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  req->op = "UpdateUsers";
  json_object_set_object_member (reply, "users", out);
  if (users == NULL)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "users is a required field");
      return;
    }
  /* Validate everything before writing anything. */
  json_object_iter_init (&iter, users);
  while (json_object_iter_next (&iter, &key, &value))
    {
      const char *uid = JSON_NODE_HOLDS_OBJECT (value) ? str_member (json_node_get_object (value), "id") : NULL;

      if (uid == NULL || !valid_id (uid) || !g_str_equal (uid, key))
        {
          reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "users[%s].id is missing, invalid or differs from its key", key);
          return;
        }
      if (!req->is_server && !g_str_equal (uid, req->user_id))
        {
          reply_error (req, SOUP_STATUS_FORBIDDEN, 17, "User '%s' with role 'user' is not allowed to "
                       "perform action UpdateUser in scope 'global'", req->user_id);
          return;
        }
      if (!within_custom_limit (req, GCS_CUSTOM_USER, json_node_get_object (value)))
        return;
    }
  json_object_iter_init (&iter, users);
  while (json_object_iter_next (&iter, &key, &value))
    {
      GcsUser *u = gcs_state_upsert_user (self->state, json_node_get_object (value), TRUE);
      json_object_set_object_member (out, u->id, gcs_state_user_json (self->state, u));
    }
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  JsonObject *ea = *(JsonObject **) a;
  JsonObject *eb = *(JsonObject **) b;

  /* RFC 3339 UTC with fixed digits sorts as text. */
  return g_strcmp0 (json_object_get_string_member_with_default (ea, "created_at", ""),
                    json_object_get_string_member_with_default (eb, "created_at", ""));
}

static void
handle_sync (Req *req)
{
  GcsServer *self = req->self;
  JsonArray *cids = arr_member (req->body, "channel_cids");
  const char *since_text = str_member (req->body, "last_sync_at");
  const char *with_inaccessible = req->query ? g_hash_table_lookup (req->query, "with_inaccessible_cids") : NULL;
  g_autoptr(JsonObject) reply = json_object_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonArray *events = json_array_new ();
  g_autoptr(JsonArray) inaccessible = json_array_new ();
  gint64 since;
  guint i, j;

  req->op = "Sync";
  json_object_set_array_member (reply, "events", events);
  if (g_strcmp0 (with_inaccessible, "true") == 0)
    json_object_set_array_member (reply, "inaccessible_cids", json_array_ref (inaccessible));

  if (req->is_server)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "sync is only available to users");
      return;
    }
  if (cids == NULL || json_array_get_length (cids) == 0 || json_array_get_length (cids) > 255)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "channel_cids must hold between 1 and 255 cids");
      return;
    }
  if (!gcs_parse_time (since_text, &since))
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "last_sync_at is a required RFC 3339 timestamp");
      return;
    }
  if (since < g_get_real_time () - (gint64) 30 * 24 * 3600 * G_USEC_PER_SEC)
    {
      reply_error (req, SOUP_STATUS_BAD_REQUEST, 4, "last_sync_at is too old, it must be within the last 30 days");
      return;
    }

  for (i = 0; i < json_array_get_length (cids); i++)
    {
      const char *cid = gcs_json_string (json_array_get_element (cids, i));
      GcsChannel *channel = cid ? gcs_state_get_channel (self->state, cid) : NULL;
      g_autoptr(GPtrArray) evs = NULL;

      if (channel == NULL || gcs_channel_get_member (channel, req->user_id) == NULL)
        {
          if (cid != NULL)
            json_array_add_string_element (inaccessible, cid);
          continue;
        }
      evs = gcs_state_events_since (self->state, cid, since);
      for (j = 0; j < evs->len; j++)
        g_ptr_array_add (all, json_object_ref (g_ptr_array_index (evs, j)));
      if (req->conn != NULL && g_strcmp0 (req->query ? g_hash_table_lookup (req->query, "watch") : NULL, "true") == 0)
        watch_channel (self, req->conn, channel, FALSE);
    }
  g_ptr_array_sort (all, compare_events);
  for (i = 0; i < all->len; i++)
    json_array_add_object_element (events, json_object_ref (g_ptr_array_index (all, i)));
  reply_json (req, SOUP_STATUS_CREATED, reply);
}

/* ------------------------------------------------------------------ auth and routing */

typedef struct {
  int   code;
  guint status;
  char *message;
} AuthError;

static void
auth_error_clear (AuthError *e)
{
  g_clear_pointer (&e->message, g_free);
}

/* Checks api_key and the JWT; on success fills user_id/is_server. */
static gboolean
authenticate (GcsServer   *self,
              const char  *api_key,
              const char  *token,
              const char  *auth_type,
              char       **out_user_id,
              gboolean    *out_is_server,
              AuthError   *err)
{
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *why = NULL;
  GcsJwtStatus st;
  const char *uid;

  if (api_key == NULL || *api_key == '\0')
    {
      err->code = 4, err->status = 401;
      err->message = g_strdup ("api_key not found");
      return FALSE;
    }
  if (!g_str_equal (api_key, self->api_key))
    {
      err->code = 2, err->status = 401;
      err->message = g_strdup_printf ("api_key not valid: %s", api_key);
      return FALSE;
    }
  if (auth_type != NULL && !g_str_equal (auth_type, "jwt"))
    {
      err->code = 5, err->status = 401;
      err->message = g_strdup_printf ("stream-auth-type %s is not enabled for this app", auth_type);
      return FALSE;
    }
  st = gcs_jwt_verify (token, self->api_secret, g_get_real_time () / G_USEC_PER_SEC, &claims, &why);
  if (st != GCS_JWT_OK)
    {
      err->code = st, err->status = 401;
      err->message = g_steal_pointer (&why);
      return FALSE;
    }
  if (gcs_json_member_bool (claims, "server", FALSE))
    {
      *out_is_server = TRUE;
      *out_user_id = NULL;
      return TRUE;
    }
  uid = gcs_json_member_string (claims, "user_id");
  if (uid == NULL || !valid_id (uid))
    {
      err->code = 5, err->status = 401;
      err->message = g_strdup ("JWTAuth error: token has no valid user_id claim");
      return FALSE;
    }
  *out_is_server = FALSE;
  *out_user_id = g_strdup (uid);
  return TRUE;
}

static const char *
header_or_query (SoupServerMessage *msg,
                 GHashTable        *query,
                 const char        *header,
                 const char        *param)
{
  const char *v = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), header);

  if (v == NULL && query != NULL)
    v = g_hash_table_lookup (query, param);
  return v;
}

/* ------------------------------------------------------------------ uploads */

/* POST /channels/{type}/{id}/file or /image: the channel's type and id, and which. */
static gboolean
upload_route (const char     *method,
              const char     *path,
              char          **out_type,
              char          **out_id,
              GcsUploadKind  *out_kind)
{
  g_auto(GStrv) seg = NULL;

  if (!g_str_equal (method, "POST"))
    return FALSE;
  while (*path == '/')
    path++;
  seg = g_strsplit (path, "/", -1);
  if (g_strv_length (seg) != 4 || !g_str_equal (seg[0], "channels") ||
      !(g_str_equal (seg[3], "file") || g_str_equal (seg[3], "image")))
    return FALSE;
  *out_kind = g_str_equal (seg[3], "image") ? GCS_UPLOAD_IMAGE : GCS_UPLOAD_FILE;
  *out_type = g_strdup (seg[1]);
  *out_id = g_strdup (seg[2]);
  return TRUE;
}

/* The caller may upload to the channel: a member's user token (or a server token), on a
 * channel that is not frozen. Refuses (replying) otherwise. */
static GcsChannel *
upload_channel (Req        *req,
                const char *type,
                const char *id)
{
  AuthError aerr = { 0 };
  GHashTable *query = req->query;
  GcsChannel *channel;

  if (!authenticate (req->self, query ? g_hash_table_lookup (query, "api_key") : NULL,
                     header_or_query (req->msg, query, "Authorization", "authorization"),
                     header_or_query (req->msg, query, "Stream-Auth-Type", "stream-auth-type"),
                     &req->user_id, &req->is_server, &aerr))
    {
      reply_error (req, aerr.status, aerr.code, "%s", aerr.message);
      auth_error_clear (&aerr);
      return NULL;
    }
  if ((channel = channel_for (req, type, id)) == NULL)
    return NULL;
  if (channel->frozen)
    {
      reply_error (req, SOUP_STATUS_FORBIDDEN, 17, "channel %s is frozen", channel->cid);
      return NULL;
    }
  return channel;
}

/* From the headers: refuse before the body is read, or start streaming it to disk. */
static void
early_upload (GcsServer         *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              const char        *type,
              const char        *id,
              GcsUploadKind      kind)
{
  Req req = { .self = self, .msg = msg, .start = g_get_monotonic_time (),
              .op = gcs_upload_kind_operation (kind), .query = query ? g_hash_table_ref (query) : NULL };
  GcsUploadError uerr = { 0 };
  GcsChannel *channel;

  if (self->uploads == NULL)
    reply_error (&req, SOUP_STATUS_NOT_FOUND, 16, "uploads are not enabled on this server");
  else if ((channel = upload_channel (&req, type, id)) != NULL &&
           !gcs_uploads_begin (self->uploads, msg, kind, channel->cid, req.user_id, &uerr))
    reply_error (&req, uerr.status, uerr.code, "%s", uerr.message);
  if (soup_server_message_get_status (msg) != 0)
    soup_message_headers_append (soup_server_message_get_response_headers (msg), "Connection", "close");
  gcs_upload_error_clear (&uerr);
  req_clear (&req);
}

/* The body is in: store the file and answer with its URL. */
static void
handle_upload (Req           *req,
               const char    *type,
               const char    *id,
               GcsUploadKind  kind)
{
  GcsUploadError uerr = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  req->op = gcs_upload_kind_operation (kind);
  /* membership is checked again: it may have changed while the body was arriving */
  if (upload_channel (req, type, id) == NULL)
    return;
  answer = gcs_uploads_complete (req->self->uploads, req->msg, &uerr);
  if (answer == NULL)
    reply_error (req, uerr.status, uerr.code, "%s", uerr.message);
  else
    reply_json (req, SOUP_STATUS_CREATED, answer);
  gcs_upload_error_clear (&uerr);
}

/* GET /uploads/{uuid}/{name}: a valid signature, and a member of the file's channel. */
static void
handle_fetch_upload (Req        *req,
                     const char *uuid,
                     const char *name)
{
  GcsUploadError uerr = { 0 };
  g_autofree char *cid = NULL;
  g_auto(GStrv) parts = NULL;

  req->op = "GetFile";
  cid = gcs_uploads_check_fetch (req->self->uploads, uuid, name, req->query, &uerr);
  if (cid == NULL)
    {
      reply_error (req, uerr.status, uerr.code, "%s", uerr.message);
      gcs_upload_error_clear (&uerr);
      return;
    }
  parts = g_strsplit (cid, ":", 2);
  if (g_strv_length (parts) != 2 || channel_for (req, parts[0], parts[1]) == NULL)
    {
      if (soup_server_message_get_status (req->msg) == 0)
        reply_error (req, SOUP_STATUS_NOT_FOUND, 16, "file not found");
      return;
    }
  if (!gcs_uploads_serve (req->self->uploads, req->msg, uuid, &uerr))
    reply_error (req, uerr.status, uerr.code, "%s", uerr.message);
  gcs_upload_error_clear (&uerr);
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GcsServer *self = user_data;
  g_auto(GStrv) seg = NULL;
  g_autofree char *trimmed = NULL;
  const char *method = soup_server_message_get_method (msg);
  gboolean post = g_str_equal (method, "POST");
  Req req = { 0 };
  AuthError aerr = { 0 };
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *cid_param;
  guint n;
  enum {
    R_NONE, R_QUERY_CHANNELS, R_GET_OR_CREATE, R_UPDATE_CHANNEL, R_PATCH_CHANNEL, R_SEND_MESSAGE,
    R_READ, R_EVENT, R_STOP_WATCHING, R_GET_MESSAGE, R_UPDATE_MESSAGE, R_PATCH_MESSAGE,
    R_DELETE_MESSAGE, R_USERS, R_SYNC, R_TRUNCATE, R_UPLOAD_FILE, R_UPLOAD_IMAGE, R_FETCH_UPLOAD
  } route = R_NONE;

  req.self = self;
  req.msg = msg;
  req.start = g_get_monotonic_time ();
  req.query = query ? g_hash_table_ref (query) : NULL;

  trimmed = g_strstrip (g_strdup (path));
  while (*trimmed == '/')
    memmove (trimmed, trimmed + 1, strlen (trimmed));
  if (g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  seg = g_strsplit (trimmed, "/", -1);
  n = g_strv_length (seg);

  if (n == 1 && g_str_equal (seg[0], "channels") && post)
    route = R_QUERY_CHANNELS;
  else if (n == 1 && g_str_equal (seg[0], "users") && post)
    route = R_USERS;
  else if (n == 1 && g_str_equal (seg[0], "sync") && post)
    route = R_SYNC;
  else if (n == 3 && g_str_equal (seg[0], "channels"))
    route = post ? R_UPDATE_CHANNEL : g_str_equal (method, "PATCH") ? R_PATCH_CHANNEL : R_NONE;
  else if (n == 4 && g_str_equal (seg[0], "channels") && post)
    {
      if (g_str_equal (seg[3], "query"))
        route = R_GET_OR_CREATE;
      else if (g_str_equal (seg[3], "message"))
        route = R_SEND_MESSAGE;
      else if (g_str_equal (seg[3], "read"))
        route = R_READ;
      else if (g_str_equal (seg[3], "event"))
        route = R_EVENT;
      else if (g_str_equal (seg[3], "stop-watching"))
        route = R_STOP_WATCHING;
      else if (g_str_equal (seg[3], "truncate"))
        route = R_TRUNCATE;
      else if (g_str_equal (seg[3], "file") && self->uploads != NULL)
        route = R_UPLOAD_FILE;
      else if (g_str_equal (seg[3], "image") && self->uploads != NULL)
        route = R_UPLOAD_IMAGE;
    }
  else if (n == 3 && g_str_equal (seg[0], "uploads") && g_str_equal (method, "GET") && self->uploads != NULL)
    route = R_FETCH_UPLOAD;
  else if (n == 2 && g_str_equal (seg[0], "messages"))
    {
      if (post)
        route = R_UPDATE_MESSAGE;
      else if (g_str_equal (method, "PUT"))
        route = R_PATCH_MESSAGE;
      else if (g_str_equal (method, "DELETE"))
        route = R_DELETE_MESSAGE;
      else if (g_str_equal (method, "GET"))
        route = R_GET_MESSAGE;
    }

  if (route == R_NONE)
    {
      reply_error (&req, SOUP_STATUS_NOT_FOUND, 16, "route %s %s not found", method, path);
      goto out;
    }
  /* uploads stream their multipart body to disk (early_upload) and check access themselves */
  if (route == R_UPLOAD_FILE || route == R_UPLOAD_IMAGE)
    {
      handle_upload (&req, seg[1], seg[2], route == R_UPLOAD_IMAGE ? GCS_UPLOAD_IMAGE : GCS_UPLOAD_FILE);
      goto out;
    }

  if (body->length > (goffset) self->max_body)
    {
      reply_error (&req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, 22, "request body is too large (%" G_GSIZE_FORMAT
                   " bytes, the limit is %" G_GSIZE_FORMAT ")", (gsize) body->length, self->max_body);
      goto out;
    }

  if (!authenticate (self, query ? g_hash_table_lookup (query, "api_key") : NULL,
                     header_or_query (msg, query, "Authorization", "authorization"),
                     header_or_query (msg, query, "Stream-Auth-Type", "stream-auth-type"),
                     &req.user_id, &req.is_server, &aerr))
    {
      reply_error (&req, aerr.status, aerr.code, "%s", aerr.message);
      auth_error_clear (&aerr);
      goto out;
    }

  {
    g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
    g_autofree char *problem = NULL;
    gsize len = 0;
    const char *data = g_bytes_get_data (bytes, &len);

    req.body = gcs_body_parse (data, len, self->max_body, &problem);
    if (req.body == NULL)
      {
        reply_error (&req, SOUP_STATUS_BAD_REQUEST, 4, "%s", problem);
        goto out;
      }
  }

  /* Watches attach to the caller's own socket only. */
  cid_param = query ? g_hash_table_lookup (query, "connection_id") : NULL;
  if (cid_param != NULL && !req.is_server)
    {
      Conn *c = g_hash_table_lookup (self->conns, cid_param);

      if (c != NULL && g_str_equal (c->user_id, req.user_id))
        req.conn = c;
    }
  /* A user is known from the first request made with their token. */
  if (req.user_id != NULL)
    gcs_state_ensure_user (self->state, req.user_id);

  switch (route)
    {
    case R_QUERY_CHANNELS: handle_query_channels (&req); break;
    case R_GET_OR_CREATE: handle_get_or_create (&req, seg[1], seg[2]); break;
    case R_UPDATE_CHANNEL: handle_update_channel (&req, seg[1], seg[2], FALSE); break;
    case R_PATCH_CHANNEL: handle_update_channel (&req, seg[1], seg[2], TRUE); break;
    case R_SEND_MESSAGE: handle_send_message (&req, seg[1], seg[2]); break;
    case R_READ: handle_mark_read (&req, seg[1], seg[2]); break;
    case R_EVENT: handle_send_event (&req, seg[1], seg[2]); break;
    case R_STOP_WATCHING: handle_stop_watching (&req, seg[1], seg[2]); break;
    case R_TRUNCATE: handle_truncate_channel (&req, seg[1], seg[2]); break;
    case R_GET_MESSAGE: handle_get_message (&req, seg[1]); break;
    case R_UPDATE_MESSAGE: handle_update_message (&req, seg[1], FALSE); break;
    case R_PATCH_MESSAGE: handle_update_message (&req, seg[1], TRUE); break;
    case R_DELETE_MESSAGE: handle_delete_message (&req, seg[1]); break;
    case R_USERS: handle_upsert_users (&req); break;
    case R_SYNC: handle_sync (&req); break;
    case R_FETCH_UPLOAD: handle_fetch_upload (&req, seg[1], seg[2]); break;
    case R_UPLOAD_FILE:
    case R_UPLOAD_IMAGE:
    case R_NONE:
    default:
      g_assert_not_reached ();
    }

out:
  req_clear (&req);
}

/* Refuses oversized bodies from their headers, before reading them. */
static void
early_request (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  GcsServer *self = user_data;
  goffset len = soup_message_headers_get_content_length (soup_server_message_get_request_headers (msg));
  g_autofree char *type = NULL;
  g_autofree char *id = NULL;
  GcsUploadKind kind;

  if (self->uploads != NULL &&
      upload_route (soup_server_message_get_method (msg), path, &type, &id, &kind))
    {
      early_upload (self, msg, query, type, id, kind);
      return;
    }
  if (len > (goffset) self->max_body)
    {
      Req req = { .self = self, .msg = msg, .start = g_get_monotonic_time () };

      reply_error (&req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, 22, "request body is too large (%"
                   G_GOFFSET_FORMAT " bytes, the limit is %" G_GSIZE_FORMAT ")", len, self->max_body);
      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Connection", "close");
    }
}

/* ------------------------------------------------------------------ websocket */

static JsonObject *
health_check (Conn *c)
{
  JsonObject *ev = json_object_new ();

  json_object_set_string_member (ev, "type", "health.check");
  json_object_set_string_member (ev, "connection_id", c->connection_id);
  json_object_set_string_member (ev, "cid", "*");
  set_now_ns (ev, g_get_real_time ());
  return ev;
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Conn *c = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  guint i;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  root = gig_json_parse (data, (gssize) len, GCS_MAX_FRAME, NULL);
  /* Clients ping with an object or, like the JS SDK, with an array of them. */
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    g_ptr_array_add (items, json_node_get_object (root));
  else if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    for (i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
      {
        JsonNode *el = json_array_get_element (json_node_get_array (root), i);
        if (JSON_NODE_HOLDS_OBJECT (el))
          g_ptr_array_add (items, json_node_get_object (el));
      }

  for (i = 0; i < items->len; i++)
    if (g_strcmp0 (str_member (g_ptr_array_index (items, i), "type"), "health.check") == 0)
      {
        g_autoptr(JsonObject) reply = health_check (c);
        conn_send (c, reply);
      }
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Conn *c = user_data;
  GcsServer *self = c->server;
  g_autofree char *user_id = g_strdup (c->user_id);
  g_autoptr(GPtrArray) cids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  guint i;

  g_hash_table_iter_init (&iter, c->watching);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (cids, g_strdup (key));
  g_hash_table_remove_all (c->watching);
  g_hash_table_remove (self->conns, c->connection_id); /* frees c */

  for (i = 0; i < cids->len; i++)
    {
      GcsChannel *channel = gcs_state_get_channel (self->state, g_ptr_array_index (cids, i));
      g_autoptr(JsonObject) ev = NULL;

      if (channel == NULL)
        continue;
      ev = channel_event (self, "user.watching.stop", channel, user_id, g_get_real_time ());
      json_object_set_int_member (ev, "watcher_count", watcher_count (self, channel->cid));
      broadcast_watchers (self, channel->cid, ev);
    }

  gcs_state_set_online (self->state, user_id, FALSE);
  if (!gcs_state_is_online (self->state, user_id))
    {
      gcs_state_touch_user (self->state, gcs_state_ensure_user (self->state, user_id));
      presence_changed (self, user_id);
    }
}

static void
on_rejected_closed (SoupWebsocketConnection *ws,
                    gpointer                 user_data)
{
  g_object_unref (ws);
}

/* Auth failures still complete the upgrade: one error frame, then close 1000. */
static void
reject_socket (SoupWebsocketConnection *ws,
               guint                    status,
               int                      code,
               const char              *message)
{
  g_autoptr(JsonObject) ev = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_string_member (ev, "type", "connection.error");
  set_now_ns (ev, g_get_real_time ());
  json_object_set_string_member (ev, "connection_id", "");
  json_object_set_object_member (ev, "error", error_object (status, code, message));
  text = to_json (ev);
  g_signal_connect (g_object_ref (ws), "closed", G_CALLBACK (on_rejected_closed), NULL);
  soup_websocket_connection_send_text (ws, text);
  soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void
on_websocket (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  GcsServer *self = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_query = g_uri_get_query (uri);
  g_autoptr(GHashTable) query = raw_query ? soup_form_decode (raw_query) : g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) connect = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autofree char *user_id = NULL;
  AuthError aerr = { 0 };
  gboolean is_server = FALSE;
  const char *payload = g_hash_table_lookup (query, "json");
  JsonObject *details;
  const char *json_uid;
  GcsUser *user;
  Conn *c;

  if (!authenticate (self, g_hash_table_lookup (query, "api_key"),
                     header_or_query (msg, query, "Authorization", "authorization"),
                     header_or_query (msg, query, "Stream-Auth-Type", "stream-auth-type"),
                     &user_id, &is_server, &aerr))
    {
      reject_socket (ws, aerr.status, aerr.code, aerr.message);
      auth_error_clear (&aerr);
      return;
    }
  if (payload != NULL)
    connect = gig_json_parse_object (payload, -1, GCS_MAX_FRAME, NULL);
  if (connect == NULL)
    {
      reject_socket (ws, 400, 4, "Connect failed with error: \"json is a required query parameter with a JSON object\"");
      return;
    }
  details = obj_member (connect, "user_details");
  json_uid = str_member (connect, "user_id");
  if (json_uid == NULL)
    json_uid = str_member (details, "id");
  if (is_server || json_uid == NULL || !g_str_equal (json_uid, user_id))
    {
      reject_socket (ws, 401, 5, "JWTAuth error: the token's user_id does not match the connect payload's user_id");
      return;
    }

  if (gcs_limits_custom_size (GCS_CUSTOM_USER, details) > GCS_MAX_CUSTOM_DATA)
    {
      g_autofree char *problem = gcs_limits_check_custom (GCS_CUSTOM_USER, details);
      g_autofree char *message = g_strdup_printf ("Connect failed with error: \"%s\"", problem);

      reject_socket (ws, 400, 4, message);
      return;
    }
  user = gcs_state_ensure_user (self->state, user_id);
  /* user_details updates the profile fields it names, as the service does on connect. */
  if (details != NULL && json_object_get_size (details) > 1)
    {
      g_autoptr(JsonObject) update = json_object_new ();
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;

      json_object_iter_init (&iter, details);
      while (json_object_iter_next (&iter, &key, &value))
        json_object_set_member (update, key, json_node_copy (value));
      json_object_set_string_member (update, "id", user_id);
      user = gcs_state_upsert_user (self->state, update, FALSE);
    }

  c = g_new0 (Conn, 1);
  c->server = self;
  c->ws = g_object_ref (ws);
  c->connection_id = gcs_uuid ();
  c->user_id = g_steal_pointer (&user_id);
  c->watching = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->presence_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_replace (self->conns, c->connection_id, c);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), c);

  gcs_state_touch_user (self->state, user);
  gcs_state_set_online (self->state, c->user_id, TRUE);

  first = health_check (c);
  json_object_set_object_member (first, "me", gcs_state_me_json (self->state, user));
  conn_send (c, first);

  if (g_hash_table_size (self->conns) > 0)
    {
      guint sockets = 0;
      GHashTableIter iter;
      Conn *other;

      g_hash_table_iter_init (&iter, self->conns);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &other))
        sockets += g_str_equal (other->user_id, c->user_id);
      if (sockets == 1)
        presence_changed (self, c->user_id);
    }
}

static gboolean
health_tick (gpointer user_data)
{
  GcsServer *self = user_data;
  GHashTableIter iter;
  Conn *c;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    {
      g_autoptr(JsonObject) ev = health_check (c);
      conn_send (c, ev);
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ object */

static void
gcs_server_dispose (GObject *object)
{
  GcsServer *self = GCS_SERVER (object);

  gcs_server_close (self);
  g_clear_object (&self->soup);
  G_OBJECT_CLASS (gcs_server_parent_class)->dispose (object);
}

static void
gcs_server_finalize (GObject *object)
{
  GcsServer *self = GCS_SERVER (object);

  g_clear_pointer (&self->conns, g_hash_table_unref);
  g_free (self->api_key);
  g_free (self->api_secret);
  G_OBJECT_CLASS (gcs_server_parent_class)->finalize (object);
}

static void
gcs_server_class_init (GcsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gcs_server_dispose;
  object_class->finalize = gcs_server_finalize;
}

static void
gcs_server_init (GcsServer *self)
{
  self->conns = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) conn_free);
}

GcsServer *
gcs_server_new (const char *api_key,
                const char *api_secret,
                GcsState   *state,
                guint       health_interval,
                gsize       max_body)
{
  GcsServer *self;

  g_return_val_if_fail (api_key != NULL && api_secret != NULL && state != NULL, NULL);

  self = g_object_new (GCS_TYPE_SERVER, NULL);
  self->api_key = g_strdup (api_key);
  self->api_secret = g_strdup (api_secret);
  self->state = state;
  self->health_interval = MAX (health_interval, 1);
  self->max_body = max_body;
  self->soup = soup_server_new ("server-header", "gigdesk-chat-server", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_request, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/connect", NULL, NULL, on_websocket, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  return self;
}

gboolean
gcs_server_listen (GcsServer   *self,
                   const char  *address,
                   guint        port,
                   guint       *out_port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_return_val_if_fail (GCS_IS_SERVER (self), FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an IP address: %s", address);
      return FALSE;
    }
  sockaddr = g_inet_socket_address_new (inet, port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  /* Hundreds of clients may connect at once; the default backlog of 10 resets some. */
  g_socket_set_listen_backlog (socket, 1024);
  if (!g_socket_bind (socket, sockaddr, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (self->soup, socket, 0, error))
    return FALSE;

  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;
  if (out_port != NULL)
    *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  if (self->uploads != NULL)
    {
      guint bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      g_autofree char *base = strchr (address, ':') != NULL
        ? g_strdup_printf ("http://[%s]:%u", address, bound_port)
        : g_strdup_printf ("http://%s:%u", address, bound_port);

      gcs_uploads_set_base_url (self->uploads, base);
    }

  self->health_source = g_timeout_add_seconds (self->health_interval, health_tick, self);
  return TRUE;
}

void
gcs_server_set_uploads (GcsServer  *self,
                        GcsUploads *uploads)
{
  g_return_if_fail (GCS_IS_SERVER (self));

  self->uploads = uploads;
}

void
gcs_server_close (GcsServer *self)
{
  g_return_if_fail (GCS_IS_SERVER (self));

  g_clear_handle_id (&self->health_source, g_source_remove);
  if (self->conns != NULL)
    g_hash_table_remove_all (self->conns);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
}
