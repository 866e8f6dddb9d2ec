/* gig-store-private.h: GigStore's insides, for the files that make up the store (and its tests)
 *
 * SPDX-License-Identifier: MIT
 *
 * The store is one object split by concern: gig-store.c (the object, its connections, opening),
 * -schema (frozen migration steps), -columns (collections and typed columns), -json, -rows (one
 * record row), -records (server pages), -cursors, -outbox (local writes and their queue),
 * -drafts, -conflicts, -query (reads for views), -chat, -departures, -recover, -unsent, and
 * -sql (bind/step helpers).
 *
 * One writer: every use of the writer connection (every write, and any read inside a write) runs
 * on the store's writer thread (gig-store-writer.c), through gig_store_write() or a queued job;
 * gig_store_prepare() and gig_store_exec() assert it. Reads for views run on any thread on the
 * read-only connection, under read_lock (gig_store_prepare_read). Release statements with
 * g_autoptr(GigStoreStmt) (a statement that is stepped but not reset keeps a read snapshot
 * open), and emit `changed` only after the job's transaction committed, from the caller.
 */
#pragma once

#include <sqlite3.h>

#include "gig-store.h"
#include "core/gig-raw-record.h"

G_BEGIN_DECLS

/* Schema version this build migrates to. */
#define GIG_STORE_SCHEMA_VERSION 5

/* A cached prepared statement: reset and unbound on release, never finalized by the caller. */
typedef struct sqlite3_stmt GigStoreStmt;
void gig_store_stmt_release (GigStoreStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigStoreStmt, gig_store_stmt_release)

/* The writer connection (on the writer thread only). */
sqlite3      *gig_store_get_db        (GigStore     *self);
/* Prepared once per SQL text and kept until close, on the writer. NULL + error on failure. */
GigStoreStmt *gig_store_prepare       (GigStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* Statement-less SQL, on the writer. */
gboolean      gig_store_exec          (GigStore     *self,
                                       const char   *sql,
                                       GError      **error);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, on the writer. */
gboolean      gig_store_begin         (GigStore     *self,
                                       GError      **error);
gboolean      gig_store_commit        (GigStore     *self,
                                       GError      **error);
void          gig_store_rollback      (GigStore     *self);
/* Sets a GIG_STORE_ERROR_FAILED error from the connection's last error. */
void          gig_store_set_sqlite_error (GError  **error,
                                          sqlite3  *db,
                                          const char *what);
/* Emits `changed` on the thread that created the store (now, or from an idle there). */
void          gig_store_emit_changed  (GigStore           *self,
                                       GigCollection       collection,
                                       const char * const *ids);

/* One row as the models need it: the local view and its state. */
gboolean      gig_store_get_row       (GigStore       *self,
                                       GigCollection   collection,
                                       const char     *id,
                                       JsonObject    **out_record,
                                       GigLocalState  *out_state);

/* Tests: creates a database file at schema version @version (1..GIG_STORE_SCHEMA_VERSION),
 * running the same migration steps an older Gigdesk ran. */
gboolean      gig_store_create_file_at_version (const char  *path,
                                                int          version,
                                                GError     **error);

/* Serialises a JSON object compactly. */
char         *gig_store_json_to_string   (JsonObject *object);
/* Parses a JSON object; NULL for anything else. */
JsonObject   *gig_store_json_from_string (const char *text);

/* ---- inside the store ------------------------------------------------------------------------ */

/* The per-record statements of page writes, cached by collection (see gig-store-rows.c). */
typedef enum {
  GIG_STORE_HOT_READ_ROW,
  GIG_STORE_HOT_INSERT,
  GIG_STORE_HOT_UPDATE,
  GIG_STORE_HOT_UPSERT,
  GIG_STORE_HOT_INSERT_IF_NEW,
  GIG_STORE_N_HOT
} GigStoreHot;

struct _GigStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;           /* the writer connection: on writer_thread only */
  GHashTable   *statements;   /* SQL text -> sqlite3_stmt */
  /* The statements a page write runs per record, by collection: looked up without hashing
   * their long SQL text. Owned by `statements`. */
  sqlite3_stmt *hot[GIG_N_RECORD_COLLECTIONS][GIG_STORE_N_HOT];
  GThread      *writer_thread; /* the one thread that writes (gig-store-writer.c) */
  GAsyncQueue  *jobs;         /* its queue, in order */
  GMainContext *context;      /* where `changed` is emitted */
  /* On the writer: whether the opening check ran, and what it found (then every write fails). */
  gboolean      checked;
  GError       *damage;
  GThread      *owner;
  int           schema_version;

  /* Reads made for views go through a second, read-only connection: under WAL it reads the last
   * commit while the worker writes a page, so a list never waits for a pull. */
  sqlite3      *reader;
  GMutex        read_lock;
  GHashTable   *read_statements;
};

/* gig-store-writer.c: the one thread that writes */

/* A write run on the writer thread; its transaction (if any) is its own. */
typedef gboolean (*GigStoreWriteFunc) (GigStore  *self,
                                       gpointer   data,
                                       GError   **error);
/* A queued job; it reports its own result (e.g. a GTask returned in the store's context). */
typedef void     (*GigStoreJobFunc)   (GigStore  *self,
                                       gpointer   data);

/* Runs @func on the writer thread after the jobs queued before it, and waits for it (at once on
 * the writer thread itself). FALSE with GIG_STORE_ERROR_CLOSED if the store is closed. */
gboolean      gig_store_write             (GigStore           *self,
                                           GigStoreWriteFunc   func,
                                           gpointer            data,
                                           GError            **error);
/* The same, without the closed check if !@check_open (opening runs on the writer too). */
gboolean      gig_store_writer_call       (GigStore           *self,
                                           GigStoreWriteFunc   func,
                                           gpointer            data,
                                           gboolean            check_open,
                                           GError            **error);
/* Queues @func without waiting. */
void          gig_store_writer_push       (GigStore           *self,
                                           GigStoreJobFunc     func,
                                           gpointer            data);
gboolean      gig_store_writer_start      (GigStore           *self,
                                           GError            **error);
/* Runs what is queued, then @last (may be NULL), then ends the thread and waits for it. */
void          gig_store_writer_stop       (GigStore           *self,
                                           GigStoreJobFunc     last,
                                           gpointer            data);
gboolean      gig_store_is_writer         (GigStore           *self);
/* Aborts unless called on the writer thread. */
void          gig_store_assert_writer     (GigStore           *self);

/* gig-store.c */
/* FALSE with GIG_STORE_ERROR_CLOSED once closed. */
gboolean      gig_store_check_open        (GigStore      *self,
                                           GError       **error);
/* The read connection, for any thread: take read_lock around every use of it. */
void          gig_store_read_lock         (GigStore      *self);
void          gig_store_read_unlock       (GigStore      *self);
/* The read connection's own statement cache; read_lock held. */
GigStoreStmt *gig_store_prepare_read      (GigStore      *self,
                                           const char    *sql,
                                           GError       **error);
/* count(*)-like: the first column of the first row of @sql (?1 = @bind, if not NULL) on the read
 * connection (takes read_lock). */
gboolean      gig_store_read_count        (GigStore      *self,
                                           const char    *sql,
                                           const char    *bind,
                                           guint         *out_count,
                                           GError       **error);
/* Runs @func once in the store's thread's main context, from its loop (never at once). */
void          gig_store_invoke            (GigStore       *self,
                                           GSourceFunc     func,
                                           gpointer        data,
                                           GDestroyNotify  destroy);
void          gig_store_emit_changed_one  (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id);

/* Sets a GIG_STORE_ERROR_CORRUPT naming @path and @problem. */
void          gig_store_set_damaged_error (GError       **error,
                                           const char    *path,
                                           const char    *problem);
/* Emits `damaged` (on the store's thread). */
void          gig_store_emit_damaged      (GigStore      *self,
                                           const GError  *error);

/* gig-store-check.c */
/* PRAGMA quick_check of @db: FALSE with gig_store_set_damaged_error's error at the first damage. */
gboolean      gig_store_check_intact      (sqlite3       *db,
                                           const char    *path,
                                           GError       **error);
/* The writer's first job after opening (a GigStoreJobFunc). */
void          gig_store_check_on_writer   (GigStore      *self,
                                           gpointer       data);

/* gig-store-columns.c */
typedef enum {
  GIG_STORE_COL_TEXT,
  GIG_STORE_COL_REAL,
  GIG_STORE_COL_INT,
  GIG_STORE_COL_BOOL,
  GIG_STORE_COL_JSON,   /* any JSON value, stored as its text (users.skills) */
} GigStoreColType;

typedef struct {
  const char      *name;
  GigStoreColType  type;
} GigStoreColumn;

/* The typed columns of a record collection, ending with a NULL name. */
const GigStoreColumn *gig_store_collection_columns      (GigCollection          collection);
gboolean              gig_store_check_record_collection (GigCollection          collection,
                                                         GError               **error);
/* Binds the member of @view that @column names, as the column's type takes it. */
void                  gig_store_bind_column             (sqlite3_stmt          *stmt,
                                                         int                    pos,
                                                         const GigStoreColumn  *column,
                                                         JsonObject            *view);
/* The SQL that writes a whole row of @collection (see its comment). */
const char           *gig_store_row_write_sql           (GigCollection          collection,
                                                         GigStoreHot            kind);

/* gig-store-json.c */
void          gig_store_json_append_node  (GString       *out,
                                           JsonNode      *node);
/* A copy whose members can be changed without touching @object's. */
JsonObject   *gig_store_json_copy         (JsonObject    *object);
/* Members the server owns: never part of a local edit. */
gboolean      gig_store_is_server_field   (const char    *name);
/* Copies @source's members into @target, leaving out the server's own. */
void          gig_store_merge_fields      (JsonObject    *target,
                                           JsonObject    *source);

/* gig-store-rows.c: a record row as stored */
typedef struct {
  gboolean       found;
  gint64         rid;
  char          *server_updated;
  char          *server_json;
  char          *local_json;
  GigLocalState  state;
  char          *local_error;
  char          *conflict_json;
} GigStoreRow;

void          gig_store_row_clear         (GigStoreRow   *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GigStoreRow, gig_store_row_clear)

/* Reads a row on the writer or, if @reader, on the views' connection (read_lock
 * held). Not finding it is no error: row->found says. */
gboolean      gig_store_read_row_on       (GigStore      *self,
                                           gboolean       reader,
                                           GigCollection  collection,
                                           const char    *id,
                                           GigStoreRow   *row,
                                           GError       **error);
gboolean      gig_store_read_row          (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           GigStoreRow   *row,
                                           GError       **error);
/* What the user sees: the local copy if there is one, else the server's. */
const char   *gig_store_row_view_json     (const GigStoreRow *row);
gboolean      gig_store_write_row_rid     (GigStore      *self,
                                           GigCollection  collection,
                                           gint64         rid,
                                           const char    *id,
                                           JsonObject    *view,
                                           const char    *server_updated,
                                           const char    *server_json,
                                           const char    *local_json,
                                           GigLocalState  state,
                                           const char    *local_error,
                                           const char    *conflict_json,
                                           GError       **error);
gboolean      gig_store_write_row         (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           JsonObject    *view,
                                           const char    *server_updated,
                                           const char    *server_json,
                                           const char    *local_json,
                                           GigLocalState  state,
                                           const char    *local_error,
                                           const char    *conflict_json,
                                           GError       **error);
gboolean      gig_store_write_row_raw     (GigStore           *self,
                                           GigCollection       collection,
                                           gint64              rid,
                                           const GigRawRecord *raw,
                                           gboolean           *out_written,
                                           GError            **error);
/* The fields of @id still waiting in the outbox (any state but done), as a set. */
GHashTable   *gig_store_pending_fields    (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           gboolean      *out_has_failed,
                                           GError       **error);
/* The state that follows from what is left to do for a record. */
GigLocalState gig_store_derive_state      (GigLocalState  current,
                                           guint          n_pending,
                                           gboolean       has_failed,
                                           const char    *conflict_json);

/* gig-store-records.c */
typedef enum {
  GIG_STORE_APPLIED_UNCHANGED,
  GIG_STORE_APPLIED_INSERTED,
  GIG_STORE_APPLIED_UPDATED,
  GIG_STORE_APPLIED_KEPT_LOCAL,
} GigStoreApplied;

/* Takes @record as the new server version of its row (on the writer, in a transaction). */
gboolean      gig_store_apply_server_record    (GigStore         *self,
                                                GigCollection     collection,
                                                JsonObject       *record,
                                                gboolean          force,
                                                GigStoreApplied  *out_kind,
                                                GError          **error);
/* Whether a record from the server may become a row (a valid id and stamp); warns if not.
 * @record: a JsonObject, or a GigRawRecord if @raw. */
gboolean      gig_store_server_record_is_valid (GigCollection     collection,
                                                gpointer          record,
                                                gboolean          raw);

/* gig-store-cursors.c */
gboolean      gig_store_cursor_is_valid   (const char    *updated,
                                           const char    *id,
                                           GError       **error);
gboolean      gig_store_set_cursor_on_writer (GigStore      *self,
                                              GigCollection  collection,
                                              const char    *updated,
                                              const char    *id,
                                              GError       **error);

/* gig-store-outbox.c (on the writer, in a transaction where they write) */
gboolean      gig_store_insert_outbox     (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           GigOutboxOp    op,
                                           JsonObject    *fields,
                                           const char    *base_updated,
                                           GError       **error);
gboolean      gig_store_update_outbox_fields (GigStore   *self,
                                              gint64      seq,
                                              JsonObject *fields,
                                              GError    **error);
gboolean      gig_store_delete_outbox_row (GigStore      *self,
                                           gint64         seq,
                                           GError       **error);
gboolean      gig_store_create_on_writer     (GigStore      *self,
                                           GigCollection  collection,
                                           JsonObject    *fields,
                                           gboolean       draft,
                                           char         **out_id,
                                           GError       **error);
gboolean      gig_store_update_on_writer     (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           JsonObject    *changed_fields,
                                           GError       **error);
/* Re-derives the state of a record from its outbox rows and conflict. */
gboolean      gig_store_refresh_record_state (GigStore      *self,
                                              GigCollection  collection,
                                              const char    *id,
                                              const char    *error_message,
                                              GError       **error);

/* gig-store-chat*.c */
/* `changed` for the messages @ids (may be NULL or empty) and their channel @cid. */
void          gig_store_chat_emit_changed (GigStore      *self,
                                           const char    *cid,
                                           GPtrArray     *ids);
void          gig_store_chat_emit_one     (GigStore      *self,
                                           const char    *cid,
                                           const char    *message_id);
/* Upserts one message from the service (on the writer, in a transaction); adds its id to @ids. */
gboolean      gig_store_chat_put_message_on_writer (GigStore    *self,
                                                    const char  *cid,
                                                    JsonObject  *message,
                                                    GPtrArray   *ids,
                                                    GError     **error);

/* gig-store-unsent.c: what only this device has, in one definition */
typedef enum {
  GIG_STORE_OWN_CHANGES,       /* outbox rows: changes waiting to be sent */
  GIG_STORE_OWN_DRAFTS,        /* records being written, never sent */
  GIG_STORE_OWN_EDITS,         /* records with local work: unsent edits, conflicts, refusals */
  GIG_STORE_OWN_MESSAGES,      /* chat outbox rows: messages waiting to be sent */
  GIG_STORE_OWN_MESSAGE_ROWS,  /* the rows the chat shows for those messages */
} GigStoreOwnKind;

typedef struct {
  const char      *table;
  const char      *where;      /* which of its rows are this device's own (SQL) */
  GigStoreOwnKind  kind;
  const char      *label;      /* what the user calls them (N_), for what could not be read */
} GigStoreOwnPart;

/* Every part, in the order a recovery copies them. */
const GigStoreOwnPart *gig_store_own_parts (guint *n_parts);

G_END_DECLS
