/* gig-store.h: the offline SQLite cache of one account
 *
 * SPDX-License-Identifier: MIT
 *
 * Every view reads from the store and every user write lands here first (record + outbox row in
 * one transaction); GigSync moves data between the store and PocketBase.
 *
 * Threading: the store is created and used on one thread (normally the main thread). Heavy writes
 * (gig_store_apply_server_page_async) run on the store's single worker thread, in the order they
 * were queued. Reads (get_*, query_*, counts) use a second, read-only connection and see the last
 * commit without waiting for a page being written; a local write made while a page is being
 * written waits for that page's transaction. The `changed` signal is always emitted on the
 * thread that created the store, after the commit.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GIG_STORE_ERROR (gig_store_error_quark ())

typedef enum {
  GIG_STORE_ERROR_FAILED,        /* SQLite or I/O failure; the message says which */
  GIG_STORE_ERROR_NOT_FOUND,     /* no such record / outbox row */
  GIG_STORE_ERROR_INVALID,       /* bad argument: unknown collection, malformed record, bad id */
  GIG_STORE_ERROR_CLOSED,        /* gig_store_close() was called */
  GIG_STORE_ERROR_TOO_NEW,       /* the file was written by a newer Gigdesk */
  GIG_STORE_ERROR_CORRUPT,       /* the file is empty, not a database or damaged: gig_store_recover() */
  GIG_STORE_ERROR_DISK_FULL,     /* no room to write: the transaction was undone, nothing changed */
} GigStoreError;

GQuark gig_store_error_quark (void);

/* The collections the store keeps. The values are stable: they travel in the `changed` signal. */
typedef enum {
  GIG_COLLECTION_USERS,
  GIG_COLLECTION_PROJECTS,
  GIG_COLLECTION_PROPOSALS,
  GIG_COLLECTION_MILESTONES,
  GIG_COLLECTION_CHAT_CHANNELS,  /* used by the chat layer's changed notifications */
  GIG_COLLECTION_CHAT_MESSAGES,
  GIG_N_COLLECTIONS
} GigCollection;

#define GIG_N_RECORD_COLLECTIONS (GIG_COLLECTION_MILESTONES + 1)

/* PocketBase collection name, or NULL for an out-of-range value. */
const char   *gig_collection_to_string   (GigCollection  collection);
/* Returns FALSE for names the store does not keep. */
gboolean      gig_collection_from_string (const char    *name,
                                          GigCollection *out_collection);

/* State of a record as the user sees it. */
typedef enum {
  GIG_LOCAL_STATE_SYNCED,    /* equal to the last server version */
  GIG_LOCAL_STATE_PENDING,   /* local edits waiting in the outbox */
  GIG_LOCAL_STATE_DRAFT,     /* a proposal being written: never pushed until sent */
  GIG_LOCAL_STATE_CONFLICT,  /* a field was changed on both sides: the user decides */
  GIG_LOCAL_STATE_FAILED,    /* the server refused a push for good; the message is kept */
} GigLocalState;

const char   *gig_local_state_to_string   (GigLocalState  state);
gboolean      gig_local_state_from_string (const char    *str,
                                           GigLocalState *out_state);

/* ------------------------------------------------------------------------------------------ */
/* Outbox entries handed to the sync engine. */

typedef enum {
  GIG_OUTBOX_OP_CREATE,
  GIG_OUTBOX_OP_UPDATE,
} GigOutboxOp;

#define GIG_TYPE_OUTBOX_ENTRY (gig_outbox_entry_get_type ())

typedef struct {
  gint64         seq;           /* outbox order; push rows of one record in this order */
  GigCollection  collection;
  char          *record_id;
  GigOutboxOp    op;
  JsonObject    *fields;        /* create: the whole record (with its client-made id);
                                 * update: only the fields changed locally */
  char          *base_updated;  /* server `updated` the edit was made on, NULL for creates */
  guint          attempts;      /* how many times it was handed out by gig_store_outbox_next() */
  char          *last_error;
} GigOutboxEntry;

GType           gig_outbox_entry_get_type (void) G_GNUC_CONST;
GigOutboxEntry *gig_outbox_entry_copy     (const GigOutboxEntry *entry);
void            gig_outbox_entry_free     (GigOutboxEntry       *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigOutboxEntry, gig_outbox_entry_free)

/* Counts of one applied server page. */
typedef struct {
  guint inserted;     /* records new to the cache */
  guint updated;      /* records that changed */
  guint unchanged;    /* same id and `updated` as the cached copy: skipped (overlap dedupe) */
  guint kept_local;   /* records whose pending local fields were kept over the server's */
  guint skipped;      /* records whose id or `updated` is not valid: not stored (a warning each) */
} GigStoreApplyResult;

/* ------------------------------------------------------------------------------------------ */
/* Queries for list models. */

typedef enum {
  GIG_STORE_SCOPE_ALL,            /* every live (not deleted) record of the collection */
  GIG_STORE_SCOPE_OPEN_PROJECTS,  /* projects: status open, not deleted */
  GIG_STORE_SCOPE_MY_PROJECTS,    /* projects: owner = me, not deleted */
  GIG_STORE_SCOPE_HIRED,          /* projects: hired_freelancer = me, not deleted */
  GIG_STORE_SCOPE_MY_PROPOSALS,   /* proposals: freelancer = me, not deleted, not drafts */
  GIG_STORE_SCOPE_DRAFTS,         /* proposals: local drafts */
  GIG_STORE_SCOPE_TRASH,          /* deleted records of my own (owner / freelancer = me) */
  GIG_STORE_SCOPE_WITH_DRAFTS,    /* every live record, local drafts included (a project's
                                   * proposals as its page shows them) */
} GigStoreScope;

typedef enum {
  GIG_STORE_SORT_NEWEST,          /* created descending */
  GIG_STORE_SORT_BUDGET,          /* projects: budget, proposals/milestones: amount; descending */
  GIG_STORE_SORT_UPDATED,         /* updated descending */
  GIG_STORE_SORT_POSITION,        /* milestones: position ascending */
} GigStoreSort;

#define GIG_TYPE_STORE_QUERY (gig_store_query_get_type ())

typedef struct {
  GigCollection  collection;
  GigStoreScope  scope;
  char          *me;        /* the signed-in user's id, for the "my ..." scopes */
  char          *text;      /* optional full-text search (projects, proposals); words are
                             * matched as prefixes, FTS syntax characters are ignored */
  GigStoreSort   sort;
  char          *project;   /* optional: only children of this project (proposals, milestones) */
} GigStoreQuery;

GType          gig_store_query_get_type (void) G_GNUC_CONST;
GigStoreQuery *gig_store_query_new      (GigCollection        collection,
                                         GigStoreScope        scope);
GigStoreQuery *gig_store_query_copy     (const GigStoreQuery *query);
void           gig_store_query_free     (GigStoreQuery       *query);
gboolean       gig_store_query_equal    (const GigStoreQuery *a,
                                         const GigStoreQuery *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigStoreQuery, gig_store_query_free)

/* ------------------------------------------------------------------------------------------ */

#define GIG_TYPE_STORE (gig_store_get_type ())

G_DECLARE_FINAL_TYPE (GigStore, gig_store, GIG, STORE, GObject)

/* `@folder/<account_id>/cache.sqlite`; NULL if @account_id (which the server chose) is not a
 * record id (gig_id_is_valid), so that it can never name a file outside @folder. */
char       *gig_store_account_path        (const char   *folder,
                                           const char   *account_id);
/* gig_store_account_path() in `$XDG_DATA_HOME/gigdesk/accounts`. */
char       *gig_store_default_path        (const char   *account_id);

/* What gig_store_recover() carried from a damaged cache into a fresh one. */
typedef struct {
  char     *kept_path;     /* where the damaged file now is (renamed, never deleted) */
  guint     changes;       /* outbox rows: changes waiting to be sent */
  guint     drafts;        /* drafts (proposals and projects being written) */
  guint     edits;         /* other records with local work: unsent edits, conflicts, refusals */
  guint     messages;      /* unsent chat messages (their outbox rows) */
  guint     message_rows;  /* the unsent messages' rows shown in the chat */
  gboolean  complete;      /* every part was read to its end */
  char     *unreadable;    /* the parts that could not be read whole ("drafts, …"), or NULL */
} GigStoreRecovery;

void               gig_store_recovery_free  (GigStoreRecovery *recovery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigStoreRecovery, gig_store_recovery_free)

/* For a cache gig_store_new_for_path() refused as GIG_STORE_ERROR_CORRUPT: renames the file (and
 * its WAL) to `@path.damaged-<time>`, creates a fresh cache at @path, and carries into it what
 * only this computer has and can still be read: changes waiting to be sent, drafts and other
 * local edits, unsent chat messages. Synced data comes back with the next sync. The fresh cache
 * is closed again; open it with gig_store_new_for_path(). */
GigStoreRecovery  *gig_store_recover        (const char        *path,
                                             GError           **error);
/* The same on a worker thread. */
void               gig_store_recover_async  (const char        *path,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
GigStoreRecovery  *gig_store_recover_finish (GAsyncResult      *result,
                                             GError           **error);

/* Opens (creating folders and file as needed) and migrates the file to the current schema.
 * A file that is empty or not a database is refused with GIG_STORE_ERROR_CORRUPT and left as it
 * is: see gig_store_recover(). Every page of the file is checked (SQLite's quick check) too,
 * but without making the caller wait: first thing on the store's writer thread, before any
 * write. A damaged file is reported by the `damaged` signal and from then on every write fails
 * with that GIG_STORE_ERROR_CORRUPT, the file left as it is. (A file that needs a migration is
 * checked before it is migrated, and refused here.) */
GigStore   *gig_store_new_for_path        (const char   *path,
                                           GError      **error);
/* Waits for that check: FALSE with its GIG_STORE_ERROR_CORRUPT if the file is damaged (for
 * callers that can wait, such as a command-line sync). */
gboolean    gig_store_wait_checked        (GigStore     *self,
                                           GError      **error);
const char *gig_store_get_path            (GigStore     *self);
/* Waits for queued page writes, then closes the connection. Later calls fail with CLOSED. */
void        gig_store_close               (GigStore     *self);
/* Removes a closed store's files (database, -wal, -shm); for sign-out. */
gboolean    gig_store_remove_files        (const char   *path,
                                           GError      **error);
/* Schema version the file is at (PRAGMA user_version). */
int         gig_store_get_schema_version  (GigStore     *self);

/* ---- server side, used by sync -------------------------------------------------------------- */

/* Applies one page of server records (JsonObject *, as PocketBase returns them) in one
 * transaction on the worker thread. A record whose `updated` equals the cached server copy, or
 * is older than it (a page read before a live event), is skipped (counted as unchanged); a
 * record with pending local edits keeps the pending fields and takes the server's
 * value for every other field; soft-deleted records stay with deleted = 1. If @cursor_updated
 * is not NULL the collection's cursor is stored in the same transaction. @records is
 * referenced, not copied: don't change it until the callback runs. */
void        gig_store_apply_server_page_async  (GigStore            *self,
                                                GigCollection        collection,
                                                GPtrArray           *records,
                                                const char          *cursor_updated,
                                                const char          *cursor_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The same for records kept as the server's text (GigRawRecord, core/gig-raw-record.h); finish
 * with gig_store_apply_server_page_finish. */
void        gig_store_apply_server_records_async (GigStore          *self,
                                                GigCollection        collection,
                                                GPtrArray           *records,
                                                const char          *cursor_updated,
                                                const char          *cursor_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean    gig_store_apply_server_page_finish (GigStore            *self,
                                                GAsyncResult        *result,
                                                GigStoreApplyResult *out_result,
                                                GError             **error);
/* The same, synchronously on the calling thread (tools, tests, the single-record SSE path). */
gboolean    gig_store_apply_server_page        (GigStore            *self,
                                                GigCollection        collection,
                                                GPtrArray           *records,
                                                const char          *cursor_updated,
                                                const char          *cursor_id,
                                                GigStoreApplyResult *out_result,
                                                GError             **error);

/* Reconciliation: removes the collection's records that are not in @ids_seen (a set of id
 * strings) and that have nothing local to keep (no outbox rows, not a draft, no conflict, not
 * failed). Only call this with a complete id listing made under a verified token. */
gboolean    gig_store_remove_records_not_in    (GigStore      *self,
                                                GigCollection  collection,
                                                GHashTable    *ids_seen,
                                                guint         *out_removed,
                                                GError       **error);

/* Keyset cursor of the last committed page: (updated, id). FALSE if none yet. */
gboolean    gig_store_get_cursor          (GigStore      *self,
                                           GigCollection  collection,
                                           char         **out_updated,
                                           char         **out_id);
gboolean    gig_store_set_cursor          (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *updated,
                                           const char    *id,
                                           GError       **error);
/* Wall-clock times (g_get_real_time, µs) of the last full pull and reconciliation; 0 if never. */
gint64      gig_store_get_last_full_sync  (GigStore      *self,
                                           GigCollection  collection);
gboolean    gig_store_set_last_full_sync  (GigStore      *self,
                                           GigCollection  collection,
                                           gint64         when,
                                           GError       **error);
gint64      gig_store_get_last_reconcile  (GigStore      *self,
                                           GigCollection  collection);
gboolean    gig_store_set_last_reconcile  (GigStore      *self,
                                           GigCollection  collection,
                                           gint64         when,
                                           GError       **error);

/* ---- local writes (each one transaction: record + outbox row) ------------------------------- */

/* Creates a record with a client-made id (or the valid `id` member of @fields) and queues its
 * create. */
gboolean    gig_store_create_record       (GigStore      *self,
                                           GigCollection  collection,
                                           JsonObject    *fields,
                                           char         **out_id,
                                           GError       **error);
/* Applies @changed_fields to the local record and queues an update of just those fields
 * (merged into a still-queued, never handed out row of the same record). Updating a draft
 * changes the draft and queues nothing. */
gboolean    gig_store_update_record       (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           JsonObject    *changed_fields,
                                           GError       **error);
/* Saves a proposal draft (creates it if @id_or_null is NULL). No outbox row. */
gboolean    gig_store_save_draft          (GigStore      *self,
                                           JsonObject    *proposal_fields,
                                           const char    *id_or_null,
                                           char         **out_id,
                                           GError       **error);
/* Turns a draft into a pending proposal with its create queued. */
gboolean    gig_store_send_draft          (GigStore      *self,
                                           const char    *id,
                                           GError       **error);
/* Throws a draft away (it was never on the server). */
gboolean    gig_store_discard_draft       (GigStore      *self,
                                           const char    *id,
                                           GError       **error);

/* ---- outbox, used by sync ------------------------------------------------------------------- */

/* Up to @limit entries ready to push, in seq order, at most one per record (the oldest: later
 * rows of a record wait for it), skipping rows waiting for a retry time, failed rows and records
 * in conflict. Returned rows are marked as being sent (attempts + 1) and are not returned again
 * until they are done, retried or the store is reopened. */
GPtrArray  *gig_store_outbox_next         (GigStore      *self,
                                           guint          limit);
/* The push of @seq succeeded and the server answered @server_record (may be NULL). Removes the
 * row and applies the record as the new server version (local fields still pending stay). */
gboolean    gig_store_outbox_done         (GigStore      *self,
                                           gint64         seq,
                                           JsonObject    *server_record,
                                           GError       **error);
/* A transient failure: try again after @delay_ms. */
gboolean    gig_store_outbox_retry_later  (GigStore      *self,
                                           gint64         seq,
                                           guint          delay_ms,
                                           const char    *message,
                                           GError       **error);
/* A permanent failure: the row is kept (state failed), the record shows @message. */
gboolean    gig_store_outbox_fail         (GigStore      *self,
                                           gint64         seq,
                                           const char    *message,
                                           GError       **error);
/* Puts a failed row (and its record) back in the queue, e.g. after the user edited it. */
gboolean    gig_store_outbox_requeue      (GigStore      *self,
                                           gint64         seq,
                                           GError       **error);
/* Records that @server_values (field → server value) clash with local edits. The record's
 * rows wait until every conflicting field is resolved. Call after applying the server's newer
 * version (apply_server_page) so that the merge base is current. */
gboolean    gig_store_mark_conflict       (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           JsonObject    *server_values,
                                           GError       **error);
/* Resolves one conflicting field: keep the local value (it stays queued, based on the server's
 * current version) or take the server's (dropped from the outbox). */
gboolean    gig_store_resolve_conflict    (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           const char    *field,
                                           gboolean       keep_mine,
                                           GError       **error);
/* Outbox rows not failed (queued or being sent). */
guint       gig_store_pending_count       (GigStore      *self);
guint       gig_store_failed_count        (GigStore      *self);
/* Records waiting for the user to resolve a conflict. */
guint       gig_store_conflict_count      (GigStore      *self);

/* Work that exists only on this device and would be lost with the account's files (sign-out):
 * records with local work (changes queued, being sent, held by a conflict or refused), per
 * collection; drafts; chat messages not yet sent (failed ones included). The same rows a
 * recovery carries over (gig_store_recover). */
typedef struct {
  guint projects;
  guint proposals;
  guint milestones;
  guint drafts;
  guint chat_messages;
  guint users;          /* the user's own profile */
} GigStoreUnsent;

gboolean    gig_store_count_unsent        (GigStore       *self,
                                           GigStoreUnsent *out,
                                           GError        **error);
guint       gig_store_unsent_total        (const GigStoreUnsent *unsent);

/* ---- reads ---------------------------------------------------------------------------------- */

/* The record as the user sees it (server version plus local edits), or NULL. */
JsonObject *gig_store_get_record          (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id);
/* The last server version (the merge base), or NULL for never-pushed records. */
JsonObject *gig_store_get_server_record   (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id);
/* The cached server version (`updated`) of each of @ids that has one, as id → updated (both
 * owned by the table). A point read per id on the views' connection: cheap enough for a page. */
GHashTable *gig_store_get_server_versions (GigStore           *self,
                                           GigCollection       collection,
                                           const char * const *ids,
                                           guint               n_ids);
/* Local state, error message and conflicting server values of a record. */
gboolean    gig_store_get_record_meta     (GigStore      *self,
                                           GigCollection  collection,
                                           const char    *id,
                                           GigLocalState *out_state,
                                           char         **out_error,
                                           JsonObject   **out_conflict);
/* Several records at once (NULL holes for ids not found), in the order of @ids. The array's
 * free function takes the holes. */
GPtrArray  *gig_store_get_records         (GigStore           *self,
                                           GigCollection       collection,
                                           const char * const *ids);

gboolean    gig_store_query_count         (GigStore            *self,
                                           const GigStoreQuery *query,
                                           guint               *out_count,
                                           GError             **error);
/* Ids of rows [@offset, @offset + @limit) of the query, NULL-terminated. */
GStrv       gig_store_query_ids           (GigStore            *self,
                                           const GigStoreQuery *query,
                                           guint                offset,
                                           guint                limit,
                                           GError             **error);
/* Position of @id in the query, or -1. */
gint64      gig_store_query_position      (GigStore            *self,
                                           const GigStoreQuery *query,
                                           const char          *id,
                                           GError             **error);

G_END_DECLS
