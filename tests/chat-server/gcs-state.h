/* gcs-state.h: users, channels, members and messages of the local chat server
 *
 * Everything lives in memory for fast fan-out and is written through to SQLite,
 * so a server started on the same data file sees the same chat.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GCS_STATE_ERROR (gcs_state_error_quark ())
GQuark gcs_state_error_quark (void);

typedef enum {
  GCS_STATE_ERROR_DATABASE,
} GcsStateError;

typedef struct {
  char       *id;
  char       *role;
  JsonObject *fields;   /* name, image and custom keys, flattened as in v1 payloads */
  gint64      created_at;
  gint64      updated_at;
  gint64      last_active;
} GcsUser;

typedef struct {
  char   *user_id;
  gint64  created_at;
  gint64  updated_at;
  gint64  last_read;
  char   *last_read_message_id;
} GcsMember;

typedef struct {
  char       *id;
  char       *cid;
  char       *user_id;
  char       *text;
  char       *type;
  JsonObject *extra;    /* attachments, mentioned_users (ids), parent_id, custom keys */
  gint64      created_at;
  gint64      updated_at;
  gint64      deleted_at;
} GcsMessage;

typedef struct {
  char       *cid;
  char       *type;
  char       *id;
  char       *created_by;
  JsonObject *custom;   /* name, project_id and other custom keys */
  gboolean    frozen;
  gint64      created_at;
  gint64      updated_at;
  gint64      last_message_at;  /* 0 when the channel has no message */
  GPtrArray  *members;          /* GcsMember, in join order */
  GPtrArray  *messages;         /* GcsMessage, oldest first */
} GcsChannel;

typedef struct _GcsState GcsState;

GcsState    *gcs_state_open              (const char  *path,
                                          GError     **error);
void         gcs_state_free              (GcsState    *self);

gint64       gcs_state_now               (GcsState    *self);
char        *gcs_format_time             (gint64       usec);
char        *gcs_format_time_ns          (gint64       usec);
gboolean     gcs_parse_time              (const char  *text,
                                          gint64      *out_usec);
char        *gcs_uuid                    (void);

/* Type-checked readers for client JSON: wrong types read as absent, never as criticals. */
const char  *gcs_json_string             (JsonNode    *node);
const char  *gcs_json_member_string      (JsonObject  *obj,
                                          const char  *key);
gboolean     gcs_json_member_bool        (JsonObject  *obj,
                                          const char  *key,
                                          gboolean     fallback);

/* Online status is owned by the websocket layer; the state only renders it. */
void         gcs_state_set_online        (GcsState    *self,
                                          const char  *user_id,
                                          gboolean     online);
gboolean     gcs_state_is_online         (GcsState    *self,
                                          const char  *user_id);

GcsUser     *gcs_state_get_user          (GcsState    *self,
                                          const char  *id);
GcsUser     *gcs_state_ensure_user       (GcsState    *self,
                                          const char  *id);
GcsUser     *gcs_state_upsert_user       (GcsState    *self,
                                          JsonObject  *data,
                                          gboolean     replace);
void         gcs_state_touch_user        (GcsState    *self,
                                          GcsUser     *user);

GcsChannel  *gcs_state_get_channel       (GcsState    *self,
                                          const char  *cid);
GPtrArray   *gcs_state_list_channels     (GcsState    *self);
GcsChannel  *gcs_state_create_channel    (GcsState    *self,
                                          const char  *type,
                                          const char  *id,
                                          const char  *created_by,
                                          JsonObject  *custom);
void         gcs_state_save_channel      (GcsState    *self,
                                          GcsChannel  *channel);

GcsMember   *gcs_channel_get_member      (GcsChannel  *channel,
                                          const char  *user_id);
GcsMember   *gcs_state_add_member        (GcsState    *self,
                                          GcsChannel  *channel,
                                          const char  *user_id,
                                          gboolean    *out_added);
gboolean     gcs_state_remove_member     (GcsState    *self,
                                          GcsChannel  *channel,
                                          const char  *user_id);
void         gcs_state_save_member       (GcsState    *self,
                                          GcsChannel  *channel,
                                          GcsMember   *member);
guint        gcs_channel_unread_count    (GcsChannel  *channel,
                                          GcsMember   *member);
guint        gcs_channel_visible_count   (GcsChannel  *channel);

GcsMessage  *gcs_state_get_message       (GcsState    *self,
                                          const char  *id);
GcsMessage  *gcs_state_add_message       (GcsState    *self,
                                          GcsChannel  *channel,
                                          const char  *id,
                                          const char  *user_id,
                                          JsonObject  *request);
void         gcs_message_apply           (GcsMessage  *message,
                                          JsonObject  *set,
                                          JsonArray   *unset);
void         gcs_state_save_message      (GcsState    *self,
                                          GcsMessage  *message);
void         gcs_state_remove_message    (GcsState    *self,
                                          GcsMessage  *message);
guint        gcs_state_truncate_channel  (GcsState    *self,
                                          GcsChannel  *channel,
                                          gint64       upto_usec);

void         gcs_state_log_event         (GcsState    *self,
                                          const char  *cid,
                                          gint64       usec,
                                          JsonObject  *event);
GPtrArray   *gcs_state_events_since      (GcsState    *self,
                                          const char  *cid,
                                          gint64       since_usec);

JsonObject  *gcs_state_user_json         (GcsState    *self,
                                          GcsUser     *user);
JsonObject  *gcs_state_me_json           (GcsState    *self,
                                          GcsUser     *user);
JsonObject  *gcs_state_member_json       (GcsState    *self,
                                          GcsChannel  *channel,
                                          GcsMember   *member);
JsonObject  *gcs_state_read_json         (GcsState    *self,
                                          GcsChannel  *channel,
                                          GcsMember   *member);
JsonObject  *gcs_state_message_json      (GcsState    *self,
                                          GcsMessage  *message);
JsonObject  *gcs_state_channel_json      (GcsState    *self,
                                          GcsChannel  *channel,
                                          const char  *viewer);
JsonObject  *gcs_state_channel_custom    (GcsChannel  *channel);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcsState, gcs_state_free)

G_END_DECLS
