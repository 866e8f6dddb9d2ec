/* gig-pb-client.h: asynchronous PocketBase REST client.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */

#define GIG_PB_ERROR (gig_pb_error_quark ())

/* Messages are the server's own ("Failed to authenticate.", ...) when it sent one. */
typedef enum {
  GIG_PB_ERROR_NETWORK,             /* no connection, reset, timeout: worth retrying */
  GIG_PB_ERROR_AUTH_REQUIRED,       /* 401: the token is missing, expired or revoked */
  GIG_PB_ERROR_INVALID_CREDENTIALS, /* sign-in refused (wrong email or password) */
  GIG_PB_ERROR_FORBIDDEN,           /* 403 */
  GIG_PB_ERROR_NOT_FOUND,           /* 404, also what a failed view/update rule looks like */
  GIG_PB_ERROR_VALIDATION,          /* 400; field errors, if any, via gig_pb_error_get_field_errors() */
  GIG_PB_ERROR_NOT_UNIQUE,          /* 400 where a field (often `id`) is validation_not_unique */
  GIG_PB_ERROR_SERVER,              /* 5xx or any other unexpected status */
  GIG_PB_ERROR_MALFORMED,           /* the response is not what PocketBase sends (bad or cut JSON) */
} GigPbError;

GQuark       gig_pb_error_quark              (void);

/* Field name → server message for a VALIDATION / NOT_UNIQUE error (for a failed batch: the
 * failing sub-request's fields). Empty table for other errors, NULL if @error is not GIG_PB_ERROR.
 * Transfer none: owned by @error. */
GHashTable  *gig_pb_error_get_field_errors   (const GError *error);
/* The machine code of one field error ("validation_not_unique", ...) or NULL. */
const char  *gig_pb_error_get_field_code     (const GError *error,
                                              const char   *field);
/* HTTP status the error came with (0 for network / parse errors). */
guint        gig_pb_error_get_status         (const GError *error);
/* For a failed batch: index of the sub-request that failed, or -1. */
int          gig_pb_error_get_batch_index    (const GError *error);

/* ------------------------------------------------------------------------------------------ */
/* Batch requests                                                                             */

typedef struct _GigPbBatch GigPbBatch;

GigPbBatch  *gig_pb_batch_new                (void);
void         gig_pb_batch_free               (GigPbBatch *batch);
/* @fields is copied; include a client-made "id" for idempotent creates. */
void         gig_pb_batch_add_create         (GigPbBatch *batch,
                                              const char *collection,
                                              JsonObject *fields);
void         gig_pb_batch_add_update         (GigPbBatch *batch,
                                              const char *collection,
                                              const char *id,
                                              JsonObject *fields);
/* PUT: create, or update if a record with fields["id"] exists. */
void         gig_pb_batch_add_upsert         (GigPbBatch *batch,
                                              const char *collection,
                                              JsonObject *fields);
guint        gig_pb_batch_get_length         (GigPbBatch *batch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigPbBatch, gig_pb_batch_free)

/* ------------------------------------------------------------------------------------------ */
/* The client                                                                                 */

#define GIG_PB_LIST_MAX_PER_PAGE 1000

#define GIG_TYPE_PB_CLIENT (gig_pb_client_get_type ())
G_DECLARE_FINAL_TYPE (GigPbClient, gig_pb_client, GIG, PB_CLIENT, GObject)

/* @base_url: e.g. "http://127.0.0.1:8090" (no trailing /api). One keep-alive SoupSession. */
GigPbClient *gig_pb_client_new               (const char   *base_url);
const char  *gig_pb_client_get_base_url      (GigPbClient  *self);
/* The token sent as `Authorization` (property "token"); NULL means guest. Never logged. */
const char  *gig_pb_client_get_token         (GigPbClient  *self);
void         gig_pb_client_set_token         (GigPbClient  *self,
                                              const char   *token);

/* Creates a user in the `users` auth collection; returns the new record. Does not sign in. */
void         gig_pb_client_sign_up_async     (GigPbClient         *self,
                                              const char          *email,
                                              const char          *password,
                                              const char          *name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
JsonObject  *gig_pb_client_sign_up_finish    (GigPbClient         *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* On success the client's token is set; returns the user record and the token. */
void         gig_pb_client_sign_in_with_password_async  (GigPbClient         *self,
                                                         const char          *identity,
                                                         const char          *password,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
JsonObject  *gig_pb_client_sign_in_with_password_finish (GigPbClient         *self,
                                                         GAsyncResult        *result,
                                                         char               **out_token,
                                                         GError             **error);

/* GET /api/health: TRUE when the server answers. Fails with GIG_PB_ERROR_NETWORK when it cannot
 * be reached (the client's I/O timeout applies: cancel @cancellable to give up sooner). */
void         gig_pb_client_check_health_async  (GigPbClient         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean     gig_pb_client_check_health_finish (GigPbClient         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Exchanges the current (still valid) token for a new one; sets it on success.
 * An expired or revoked token gives GIG_PB_ERROR_AUTH_REQUIRED. */
void         gig_pb_client_auth_refresh_async  (GigPbClient         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject  *gig_pb_client_auth_refresh_finish (GigPbClient         *self,
                                                GAsyncResult        *result,
                                                char               **out_token,
                                                GError             **error);

/* One keyset page: `sort=updated,id`, `skipTotal=1`, `perPage` (0 → 1000).
 * Cursor: with @after_updated and @after_id, records strictly after (updated, id);
 * with @after_updated only, records with `updated >= after_updated` (an overlap re-read);
 * with neither, from the start. @filter (nullable) is AND-ed; @fields (nullable) trims.
 * The body is parsed incrementally as chunks arrive, one record at a time (never held whole).
 * The result is a GPtrArray of JsonObject (element free func set), in server order;
 * fewer than the page size means this was the last page. Finish with either function, once. */
void         gig_pb_client_list_records_async  (GigPbClient         *self,
                                                const char          *collection,
                                                const char          *after_updated,
                                                const char          *after_id,
                                                const char          *filter,
                                                const char          *fields,
                                                guint                per_page,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray   *gig_pb_client_list_records_finish (GigPbClient         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* The same page as GigRawRecord (the server's text, no tree): what a pull stores. */
GPtrArray   *gig_pb_client_list_records_finish_raw (GigPbClient     *self,
                                                    GAsyncResult    *result,
                                                    GError         **error);

void         gig_pb_client_get_record_async    (GigPbClient         *self,
                                                const char          *collection,
                                                const char          *id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
JsonObject  *gig_pb_client_get_record_finish   (GigPbClient         *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* @fields should carry a client-made "id" (gig_id_new()), so that re-sending after a
 * lost response fails with GIG_PB_ERROR_NOT_UNIQUE (field "id") instead of duplicating. */
void         gig_pb_client_create_record_async  (GigPbClient         *self,
                                                 const char          *collection,
                                                 JsonObject          *fields,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject  *gig_pb_client_create_record_finish (GigPbClient         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* PATCH with exactly @fields (the changed ones); returns the server's whole record. */
void         gig_pb_client_update_record_async  (GigPbClient         *self,
                                                 const char          *collection,
                                                 const char          *id,
                                                 JsonObject          *fields,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
JsonObject  *gig_pb_client_update_record_finish (GigPbClient         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* One transaction on the server: all succeed or none. The result is a GPtrArray of the
 * resulting records (JsonObject), in request order. On failure the error carries the failing
 * index (gig_pb_error_get_batch_index()) and that sub-request's field errors. */
void         gig_pb_client_batch_async          (GigPbClient         *self,
                                                 GigPbBatch          *batch,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray   *gig_pb_client_batch_finish         (GigPbClient         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
