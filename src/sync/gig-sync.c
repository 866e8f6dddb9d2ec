/* gig-sync.c: the sync engine between GigStore and PocketBase
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <glib/gi18n.h>

#include "core/gig-backoff.h"
#include "core/gig-id.h"
#include "sync/gig-sync.h"
#include "sync/gig-server-health.h"

#include "pocketbase/gig-pb-parser.h"
#include "pocketbase/gig-pb-realtime.h"
#include "core/gig-json.h"
#include "store/gig-store-departures.h"
#include "sync/gig-sync-reconcile.h"

/* PocketBase's default batch maxRequests: works against any server that has batch enabled. */
#define BATCH_MAX 50
#define DEFAULT_OVERLAP_MS 35000
#define DEFAULT_BACKOFF_MIN_MS 1000
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)
#define DEFAULT_PULL_INTERVAL_S (5 * 60)

/* Capped exponential backoff with ±25 % jitter, so that many clients coming back after an outage
 * don't hit the server in step. */
static const GigBackoffPolicy retry_policy = {
  .first_ms = DEFAULT_BACKOFF_MIN_MS, .max_ms = DEFAULT_BACKOFF_MAX_MS,
  .jitter_below_percent = 25, .jitter_above_percent = 25,
};
/* A row the server refused for now waits on its own (the cycle's timing spreads the clients). */
static const GigBackoffPolicy row_policy = {
  .first_ms = DEFAULT_BACKOFF_MIN_MS, .max_ms = DEFAULT_BACKOFF_MAX_MS,
};
/* A backstop only: departures (gig-sync-reconcile.c) drop what left the view within seconds. */
#define DEFAULT_RECONCILE_INTERVAL_S (24 * 60 * 60)
/* Local writes are pushed after this quiet time, so a burst of edits goes out together. */
#define PUSH_DEBOUNCE_MS 100

G_DEFINE_QUARK (gig-sync-error-quark, gig_sync_error)

G_DEFINE_ENUM_TYPE (GigSyncState, gig_sync_state,
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (GIG_SYNC_STATE_SIGN_IN_NEEDED, "sign-in-needed"))

typedef struct _Cycle Cycle;

struct _GigSync
{
  GObject          parent_instance;

  GigStore        *store;
  GigPbClient     *client;
  GigSession      *session;
  GigPbRealtime   *realtime;
  GNetworkMonitor *monitor;
  gulong           store_changed_id;
  gulong           session_state_id;
  gulong           network_changed_id;
  GigServerHealth *health;

  GigSyncState     state;
  GigSyncStatus    status;
  guint            pending_count;
  guint            failed_count;
  guint            conflict_count;
  char            *last_error;
  GDateTime       *last_synced;
  double           progress;
  char            *progress_text;

  guint            overlap_ms;
  GigBackoff       retry_backoff;       /* the engine's retries after a failed cycle */
  GigBackoff       row_backoff;         /* one outbox row's retries, by its attempts */
  guint            pull_interval_s;
  guint            reconcile_interval_s;

  gboolean         started;
  gboolean         batch_unsupported;   /* the server refused /api/batch: push one by one */
  gboolean         reconcile_requested;
  gboolean         pull_requested;      /* the next cycle must pull, not only push */
  gboolean         again;               /* a cycle was asked for while one ran */
  Cycle           *cycle;               /* the running cycle, or NULL */
  GPtrArray       *waiters;             /* GTasks of once_async for the next cycle */
  gboolean         counts_dirty;        /* a change came while a page was being written */
  guint            live_applied;        /* live events applied so far (see pull_filter_older) */

  guint            retry_source;
  guint            periodic_source;
  guint            push_source;

  /* "collection:id" of records being pushed, and "collection:id" → `updated` of the server's
   * answers to our pushes: their echoes are not someone else's changes. */
  GHashTable      *in_flight;
  GHashTable      *own_versions;
  GHashTable      *departures_handled;  /* departure ids re-checked already (overlap re-reads) */
};

G_DEFINE_FINAL_TYPE (GigSync, gig_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_PENDING_COUNT,
  PROP_FAILED_COUNT,
  PROP_LAST_ERROR,
  PROP_LAST_SYNCED,
  PROP_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_STATUS,
  PROP_CONFLICT_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_REMOTE_RECORD_CHANGED,
  SIGNAL_CONFLICT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void cycle_request (GigSync *self, gboolean pull);

/* ------------------------------------------------------------------------------------------ */
/* Properties                                                                                 */

static gboolean
network_available (GigSync *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

/* The status shown to the user, from what is true now (see gig-sync-status.h). */
static void
update_status (GigSync *self)
{
  GigSyncSignals inputs = {
    .network_available = network_available (self),
    .server_reachable = self->health == NULL || gig_server_health_get_reachable (self->health),
    .sign_in_needed = self->state == GIG_SYNC_STATE_SIGN_IN_NEEDED,
    .cycle_running = self->state == GIG_SYNC_STATE_SYNCING,
    .cycle_offline = self->state == GIG_SYNC_STATE_OFFLINE,
    .cycle_failed = self->state == GIG_SYNC_STATE_ERROR,
    .pending_count = self->pending_count,
    .failed_count = self->failed_count,
    .conflict_count = self->conflict_count,
  };
  GigSyncStatus status = gig_sync_status_derive (&inputs);

  if (self->status == status)
    return;
  g_debug ("status %d -> %d", self->status, status);
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_state (GigSync      *self,
           GigSyncState  state)
{
  if (self->state == state)
    return;
  g_debug ("state %d -> %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  update_status (self);
}

static void
set_last_error (GigSync    *self,
                const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_progress (GigSync    *self,
              double      progress,
              const char *text)
{
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (g_strcmp0 (self->progress_text, text) != 0)
    {
      g_free (self->progress_text);
      self->progress_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
    }
}

static void
update_counts (GigSync *self)
{
  guint pending = gig_store_pending_count (self->store);
  guint failed = gig_store_failed_count (self->store);
  guint conflicts = gig_store_conflict_count (self->store);

  if (pending != self->pending_count)
    {
      self->pending_count = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
    }
  if (failed != self->failed_count)
    {
      self->failed_count = failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED_COUNT]);
    }
  if (conflicts != self->conflict_count)
    {
      self->conflict_count = conflicts;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFLICT_COUNT]);
    }
  update_status (self);
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */

static char *
record_key (GigCollection  collection,
            const char    *id)
{
  return g_strdup_printf ("%d:%s", (int) collection, id);
}

static const char *
record_updated (JsonObject *record)
{
  if (record == NULL)
    return NULL;
  return gig_json_object_get_string (record, "updated");
}

/* The create body: the record's fields with its client-made id. */
static JsonObject *
create_fields (GigOutboxEntry *entry)
{
  JsonObject *fields = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, entry->fields);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (fields, name, json_node_copy (node));
  json_object_set_string_member (fields, "id", entry->record_id);
  return fields;
}

static gboolean
is_system_field (const char *name)
{
  return g_str_equal (name, "id") || g_str_equal (name, "updated") ||
         g_str_equal (name, "created") || g_str_equal (name, "collectionId") ||
         g_str_equal (name, "collectionName") || g_str_equal (name, "expand");
}

static gboolean
member_equal (JsonObject *a,
              JsonObject *b,
              const char *name)
{
  JsonNode *na = a ? json_object_get_member (a, name) : NULL;
  JsonNode *nb = b ? json_object_get_member (b, name) : NULL;

  if (na == NULL || nb == NULL)
    return na == nb;
  return json_node_equal (na, nb);
}

/* A store closed by its owner while a stopped cycle winds down is not worth a warning. */
static void
warn_store (const GError *error,
            const char   *what,
            const char   *id)
{
  if (g_error_matches (error, GIG_STORE_ERROR, GIG_STORE_ERROR_CLOSED))
    g_debug ("%s %s: %s", what, id, error->message);
  else
    g_warning ("%s %s: %s", what, id, error->message);
}

static gboolean
error_is_transient (const GError *error)
{
  return g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK) ||
         g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_SERVER) ||
         g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED);
}

static gboolean
error_is_auth (const GError *error)
{
  return g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED) ||
         g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED);
}

/* ------------------------------------------------------------------------------------------ */
/* Applying server records: remote-change notifications and conflict detection                */

typedef struct
{
  GigCollection  collection;
  GPtrArray     *records;       /* the records to apply: JsonObject, or GigPbRecord without befores */
  GPtrArray     *befores;       /* JsonObject or NULL per record (local views), or NULL */
  GPtrArray     *conflicts;     /* JsonObject or NULL per record: server values that clash */
} Analysis;

static void
maybe_unref (JsonObject *object)
{
  if (object != NULL)
    json_object_unref (object);
}

static void
analysis_free (Analysis *a)
{
  g_clear_pointer (&a->records, g_ptr_array_unref);
  g_clear_pointer (&a->befores, g_ptr_array_unref);
  g_clear_pointer (&a->conflicts, g_ptr_array_unref);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Analysis, analysis_free)

/* The clashing fields of @incoming against a record with local edits: a field the user changed
 * here (local ≠ last server version) that the server changed too, to another value. Fields
 * changed on one side only merge: the store keeps pending local fields and takes the rest. */
static JsonObject *
find_conflicts (GigSync       *self,
                GigCollection  collection,
                JsonObject    *local,
                JsonObject    *incoming)
{
  const char *id = json_object_get_string_member (incoming, "id");
  g_autoptr(JsonObject) base = NULL;
  g_autoptr(JsonObject) clash = NULL;
  GigLocalState state;
  g_autoptr(GList) names = NULL;

  if (!gig_store_get_record_meta (self->store, collection, id, &state, NULL, NULL))
    return NULL;
  if (state != GIG_LOCAL_STATE_PENDING && state != GIG_LOCAL_STATE_CONFLICT &&
      state != GIG_LOCAL_STATE_FAILED)
    return NULL;
  base = gig_store_get_server_record (self->store, collection, id);
  if (base == NULL)
    return NULL;  /* never pushed: the server copy is our own create */

  names = json_object_get_members (incoming);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (is_system_field (name))
        continue;
      if (!member_equal (local, base, name) &&      /* changed here */
          !member_equal (incoming, base, name) &&   /* changed there */
          !member_equal (incoming, local, name))    /* to different values */
        {
          if (clash == NULL)
            clash = json_object_new ();
          json_object_set_member (clash, name,
                                  json_node_copy (json_object_get_member (incoming, name)));
        }
    }
  return g_steal_pointer (&clash);
}

/* Looks at what is cached before a page is applied. Records older than the cached copy (a live
 * event overtook the page) are dropped so the cache never goes back in time. */
static Analysis *
analyse_records (GigSync       *self,
                 GigCollection  collection,
                 GPtrArray     *records,
                 gboolean       look)
{
  Analysis *a = g_new0 (Analysis, 1);
  g_autoptr(GPtrArray) befores = NULL;
  gboolean may_conflict;

  a->collection = collection;
  if (!look)
    {
      a->records = g_ptr_array_ref (records);
      return a;
    }

  /* one lookup per record, as gig_store_get_records would do; a record without an id gets a
   * NULL hole here too */
  befores = g_ptr_array_new_full (records->len, (GDestroyNotify) maybe_unref);
  for (guint i = 0; i < records->len; i++)
    {
      const char *id = json_object_get_string_member_with_default (g_ptr_array_index (records, i),
                                                                  "id", NULL);
      g_ptr_array_add (befores, id ? gig_store_get_record (self->store, collection, id) : NULL);
    }
  may_conflict = gig_store_pending_count (self->store) > 0 || gig_store_failed_count (self->store) > 0;

  a->records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  a->befores = g_ptr_array_new_with_free_func ((GDestroyNotify) maybe_unref);
  a->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) maybe_unref);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (records, i);
      JsonObject *before = i < befores->len ? g_ptr_array_index (befores, i) : NULL;
      const char *old_updated = record_updated (before);
      const char *new_updated = record_updated (record);

      if (old_updated != NULL && new_updated != NULL && strcmp (new_updated, old_updated) < 0)
        continue;  /* older than what we have */
      g_ptr_array_add (a->records, json_object_ref (record));
      g_ptr_array_add (a->befores, before ? json_object_ref (before) : NULL);
      g_ptr_array_add (a->conflicts,
                       (may_conflict && before != NULL) ? find_conflicts (self, collection, before, record) : NULL);
    }
  return a;
}

/* The records of @page the cache doesn't have yet in that version, as trees. An overlap re-read
 * brings back mostly what is cached already: those are known from one read of `updated` each,
 * without a tree or a look at the cached copy on this thread (the store would skip them anyway,
 * and a version already cached can't bring a change or a conflict). */
static GPtrArray *
fresh_records (GigSync       *self,
               GigCollection  collection,
               GPtrArray     *page)
{
  g_autofree const char **ids = g_new (const char *, page->len);
  g_autoptr(GHashTable) cached = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < page->len; i++)
    ids[i] = gig_pb_record_get_id (g_ptr_array_index (page, i));
  cached = gig_store_get_server_versions (self->store, collection, ids, page->len);
  for (guint i = 0; i < page->len; i++)
    {
      GigPbRecord *record = g_ptr_array_index (page, i);
      const char *updated = gig_pb_record_get_updated (record);
      const char *have = g_hash_table_lookup (cached, ids[i]);

      if (updated != NULL && have != NULL && strcmp (updated, have) <= 0)
        continue;
      g_ptr_array_add (records, gig_pb_record_to_object (record));
    }
  return records;
}

/* After the commit: tell the UI about other people's changes and about conflicts. */
static void
analysis_emit (GigSync  *self,
               Analysis *a)
{
  if (a->befores == NULL)
    return;

  for (guint i = 0; i < a->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (a->records, i);
      JsonObject *before = g_ptr_array_index (a->befores, i);
      JsonObject *clash = g_ptr_array_index (a->conflicts, i);
      const char *id = json_object_get_string_member_with_default (record, "id", NULL);
      g_autofree char *key = NULL;
      const char *own;

      if (!gig_id_is_valid (id) || !gig_stamp_is_valid (record_updated (record)))
        continue;  /* skipped by the store, counted in the cycle's result */
      key = record_key (a->collection, id);
      if (clash != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (gig_store_mark_conflict (self->store, a->collection, id, clash, &error))
            g_signal_emit (self, signals[SIGNAL_CONFLICT], 0, (int) a->collection, id);
          else
            warn_store (error, "Could not keep the conflict of", id);
        }

      if (before != NULL && g_strcmp0 (record_updated (before), record_updated (record)) == 0)
        continue;  /* nothing new */
      if (before != NULL && record_updated (before) == NULL)
        continue;  /* our own create, whose answer was lost */
      if (g_hash_table_contains (self->in_flight, key))
        continue;
      own = g_hash_table_lookup (self->own_versions, key);
      if (own != NULL && g_strcmp0 (own, record_updated (record)) == 0)
        {
          g_hash_table_remove (self->own_versions, key);
          continue;
        }
      g_signal_emit (self, signals[SIGNAL_REMOTE_RECORD_CHANGED], 0,
                     (int) a->collection, id, before, record);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The cycle: pull every collection, push the outbox, reconcile when due                      */

typedef struct
{
  Cycle         *cycle;
  GigCollection  collection;
  gboolean       initial;       /* no cursor yet: a first, full pull */
  gint64         started_at;    /* wall clock µs when the pull started */
  guint          live_at_start;
  char          *after_updated;
  char          *after_id;
  gboolean       first_page;
  gboolean       fetching;
  gboolean       fetch_done;
  GQueue         fetched;       /* pages waiting to be applied (GPtrArray of GigPbRecord) */
  Analysis      *applying;      /* the page being applied */
  GError        *error;
} Pull;

struct _Cycle
{
  GigSync      *self;           /* strong */
  GCancellable *cancellable;
  gint64        started;        /* monotonic µs, for the debug log */
  GPtrArray    *waiters;        /* GTask */
  gboolean      do_pull;
  gboolean      do_reconcile;
  guint         pulls_running;  /* the collections are pulled side by side */
  guint         applying;       /* pages being written on the store's worker */
  GError       *pull_error;     /* the first failure of a pull */
  guint         received;
  guint         skipped;        /* server records not stored: id or `updated` not valid */
  /* push */
  GPtrArray    *entries;        /* GigOutboxEntry of the current round */
  guint         entry_index;
  GPtrArray    *to_fail;        /* GigOutboxEntry with error message in last_error */
  guint         pushed;
  guint         push_total;
  guint         failed;
  /* reconcile */
  char         *rec_after_updated;
  char         *rec_after_id;
  guint         rec_collection;
  GHashTable   *rec_ids[GIG_N_RECORD_COLLECTIONS];
  GError       *error;
};

static void cycle_finish        (Cycle *cycle, GError *error);
static void cycle_pull          (Cycle *cycle);
static void cycle_push_round    (Cycle *cycle);
static void cycle_reconcile     (Cycle *cycle);
static void pull_maybe_continue (Pull *pull);

static void
pull_free (Pull *pull)
{
  g_free (pull->after_updated);
  g_free (pull->after_id);
  g_queue_clear_full (&pull->fetched, (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&pull->applying, analysis_free);
  g_clear_error (&pull->error);
  g_free (pull);
}

static void
cycle_free (Cycle *cycle)
{
  g_clear_object (&cycle->cancellable);
  g_clear_pointer (&cycle->waiters, g_ptr_array_unref);
  g_clear_error (&cycle->pull_error);
  g_clear_pointer (&cycle->entries, g_ptr_array_unref);
  g_clear_pointer (&cycle->to_fail, g_ptr_array_unref);
  g_free (cycle->rec_after_updated);
  g_free (cycle->rec_after_id);
  for (guint i = 0; i < GIG_N_RECORD_COLLECTIONS; i++)
    g_clear_pointer (&cycle->rec_ids[i], g_hash_table_unref);
  g_clear_error (&cycle->error);
  g_clear_object (&cycle->self);
  g_free (cycle);
}

static char *
format_count (guint n)
{
  /* Thousands grouped for readability ("3,200"), independent of the locale for logs/tests. */
  g_autofree char *digits = g_strdup_printf ("%u", n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* ---- pull ------------------------------------------------------------------------------ */

/* Where a pull starts. The cursor is the (updated, id) of the last committed page; a
 * transaction on the server may have stamped `updated` before our last read and committed after
 * it, so we re-read from the earlier of the cursor and (start of the last complete pull − the
 * overlap window), and the store skips what it already has. After a crash in the middle of a
 * pull the start of the last complete pull is older than the crashed one, which is safe. */
static void
pull_compute_start (GigSync       *self,
                    GigCollection  collection,
                    Pull          *pull)
{
  g_autofree char *cursor_updated = NULL;
  g_autofree char *cursor_id = NULL;
  g_autoptr(GDateTime) bound = NULL;
  gint64 last = gig_store_get_last_full_sync (self->store, collection);

  if (!gig_store_get_cursor (self->store, collection, &cursor_updated, &cursor_id) ||
      cursor_updated == NULL || *cursor_updated == '\0')
    {
      pull->initial = TRUE;
      return;
    }
  if (!gig_stamp_is_valid (cursor_updated) || (cursor_id != NULL && !gig_id_is_valid (cursor_id)))
    {
      /* A cache written before cursors were checked may hold one made from a bad record: read
       * the collection again from the start rather than fail on it for ever. */
      g_warning ("The %s cursor is not valid: pulling from the start",
                 gig_collection_to_string (collection));
      return;
    }

  if (last > 0)
    {
      bound = g_date_time_new_from_unix_utc (0);
      bound = g_date_time_add (bound, last - (gint64) self->overlap_ms * 1000);
    }
  else
    {
      g_autoptr(GDateTime) cursor = gig_pb_parse_datetime (cursor_updated);

      if (cursor != NULL)
        bound = g_date_time_add (cursor, -(gint64) self->overlap_ms * 1000);
    }

  if (bound != NULL)
    {
      g_autofree char *text = gig_stamp_format (bound);

      pull->after_updated = g_strdup (strcmp (text, cursor_updated) < 0 ? text : cursor_updated);
    }
  else
    pull->after_updated = g_strdup (cursor_updated);
  /* No id: an overlap re-read, `updated >= after_updated`. */
}

static void cycle_pulls_done (Cycle *cycle);

static void
pull_done (Pull *pull)
{
  Cycle *cycle = pull->cycle;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = g_steal_pointer (&pull->error);

  /* The start of this complete pull bounds the next one's overlap re-read. A first pull into
   * an empty cache is as good as a reconciliation. */
  if (error == NULL &&
      gig_store_set_last_full_sync (self->store, pull->collection, pull->started_at, &error) &&
      pull->initial)
    gig_store_set_last_reconcile (self->store, pull->collection, pull->started_at, &error);

  if (error != NULL)
    {
      g_debug ("pull of %s failed: %s", gig_collection_to_string (pull->collection), error->message);
      if (cycle->pull_error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cycle->pull_error = g_steal_pointer (&error);
          /* the cycle fails anyway: don't wait for the other collections */
          g_cancellable_cancel (cycle->cancellable);
        }
    }
  else
    g_debug ("pulled %s", gig_collection_to_string (pull->collection));

  pull_free (pull);
  if (--cycle->pulls_running == 0)
    cycle_pulls_done (cycle);
}

static void
pull_applied_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pull *pull = user_data;
  Cycle *cycle = pull->cycle;
  GigSync *self = cycle->self;
  GigStoreApplyResult counts = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(Analysis) analysis = g_steal_pointer (&pull->applying);

  cycle->applying--;

  if (!gig_store_apply_server_page_finish (GIG_STORE (object), result, &counts, &error))
    {
      if (pull->error == NULL)
        pull->error = g_steal_pointer (&error);
    }
  else
    {
      g_autofree char *count = NULL;
      g_autofree char *text = NULL;

      if (self->counts_dirty && cycle->applying == 0)
        {
          self->counts_dirty = FALSE;
          update_counts (self);
        }
      analysis_emit (self, analysis);
      cycle->skipped += counts.skipped;
      cycle->received += counts.inserted + counts.updated + counts.kept_local;
      count = format_count (cycle->received);
      text = g_strdup_printf (ngettext ("%s record received", "%s records received", cycle->received),
                              count);
      set_progress (self, -1, text);
    }
  pull_maybe_continue (pull);
}

static void pull_fetch (Pull *pull);

/* The record a page's cursor comes from: its last one with a valid id and stamp. The store skips
 * (and counts) the others, so one bad record can never become the cursor of the next filter. */
static GigPbRecord *
page_last_valid (GPtrArray *page)
{
  for (guint i = page->len; i > 0; i--)
    {
      GigPbRecord *record = g_ptr_array_index (page, i - 1);

      if (gig_id_is_valid (gig_pb_record_get_id (record)) &&
          gig_stamp_is_valid (gig_pb_record_get_updated (record)))
        return record;
    }
  return NULL;
}

/* TRUE if a page ending at (@updated, @id) is past where it was asked to start. A first page
 * of an overlap re-read (no id) may end on the stamp it started from. */
static gboolean
pull_page_advances (const Pull *pull,
                    const char *updated,
                    const char *id)
{
  int order;

  if (pull->after_updated == NULL)
    return TRUE;
  order = strcmp (updated, pull->after_updated);
  if (order != 0)
    return order > 0;
  return pull->after_id == NULL || strcmp (id, pull->after_id) > 0;
}

/* Keeps fetching while pages are written, up to PAGES_AHEAD fetched pages waiting, and finishes
 * when both sides are idle. The store's single worker writes the pages of all collections in
 * turn: with one page waiting, a collection whose page waited behind another collection's stopped
 * fetching meanwhile (a first pull of 100k records took 0.1–0.2 s longer). */
#define PAGES_AHEAD 3

static void
pull_maybe_continue (Pull *pull)
{
  GigSync *self = pull->cycle->self;

  if (pull->error != NULL)
    {
      if (!pull->fetching && pull->applying == NULL)
        pull_done (pull);
      return;
    }

  if (pull->applying == NULL && !g_queue_is_empty (&pull->fetched))
    {
      g_autoptr(GPtrArray) page = g_queue_pop_head (&pull->fetched);
      GigPbRecord *last = page_last_valid (page);
      const char *cursor_updated = last ? gig_pb_record_get_updated (last) : NULL;
      const char *cursor_id = last ? gig_pb_record_get_id (last) : NULL;
      /* Reads before the write only when it matters: pulls after the first (notifications,
       * conflicts), or when live events were applied meanwhile (never go back in time). */
      gboolean look = !pull->initial || self->live_applied != pull->live_at_start;

      pull->cycle->applying++;
      if (look)
        {
          g_autoptr(GPtrArray) records = fresh_records (self, pull->collection, page);

          pull->applying = analyse_records (self, pull->collection, records, TRUE);
          gig_store_apply_server_page_async (self->store, pull->collection, pull->applying->records,
                                             cursor_updated, cursor_id,
                                             NULL, pull_applied_cb, pull);
        }
      else
        {
          /* A first pull stores the server's text as it came: no tree per record. */
          pull->applying = analyse_records (self, pull->collection, page, FALSE);
          gig_store_apply_server_records_async (self->store, pull->collection, page,
                                                cursor_updated, cursor_id,
                                                NULL, pull_applied_cb, pull);
        }
    }

  if (!pull->fetching && !pull->fetch_done && g_queue_get_length (&pull->fetched) < PAGES_AHEAD)
    pull_fetch (pull);

  if (!pull->fetching && pull->fetch_done && g_queue_is_empty (&pull->fetched) && pull->applying == NULL)
    pull_done (pull);
}

static void
pull_fetched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pull *pull = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;

  pull->fetching = FALSE;
  page = gig_pb_client_list_records_finish_raw (GIG_PB_CLIENT (object), result, &error);
  if (page == NULL)
    {
      if (pull->error == NULL)
        pull->error = g_steal_pointer (&error);
    }
  else
    {
      if (page->len < GIG_PB_LIST_MAX_PER_PAGE)
        pull->fetch_done = TRUE;
      if (page->len > 0)
        {
          GigPbRecord *last = page_last_valid (page);

          if (last != NULL && !pull_page_advances (pull, gig_pb_record_get_updated (last),
                                                   gig_pb_record_get_id (last)))
            last = NULL;
          if (last == NULL && !pull->fetch_done)
            {
              /* A full page that does not move the cursor would be asked for again and again
               * (a server or proxy that ignores the filter): stop with what is stored. */
              if (pull->error == NULL)
                pull->error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                           _("The server sent a page of %s that does not follow "
                                             "the previous one (it ignored the list cursor)"),
                                           gig_collection_to_string (pull->collection));
            }
          else
            {
              if (last != NULL)
                {
                  g_free (pull->after_updated);
                  g_free (pull->after_id);
                  pull->after_updated = g_strdup (gig_pb_record_get_updated (last));
                  pull->after_id = g_strdup (gig_pb_record_get_id (last));
                }
              g_queue_push_tail (&pull->fetched, g_steal_pointer (&page));
            }
        }
    }
  pull_maybe_continue (pull);
}

static void
pull_fetch (Pull *pull)
{
  Cycle *cycle = pull->cycle;

  pull->fetching = TRUE;
  gig_pb_client_list_records_async (cycle->self->client,
                                    gig_collection_to_string (pull->collection),
                                    pull->after_updated, pull->after_id,
                                    NULL, NULL, GIG_PB_LIST_MAX_PER_PAGE,
                                    cycle->cancellable, pull_fetched_cb, pull);
}

static void
cycle_pulls_done (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (cycle->pull_error != NULL)
    {
      cycle_finish (cycle, g_steal_pointer (&cycle->pull_error));
      return;
    }
  if (g_cancellable_is_cancelled (cycle->cancellable))
    {
      cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED, _("Sync was stopped")));
      return;
    }
  if (cycle->do_pull)
    g_debug ("pulled in %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - cycle->started) / 1000);
  cycle->push_total = gig_store_pending_count (self->store);
  cycle_push_round (cycle);
}

/* All collections at once: an incremental pull then costs the slowest collection's answer,
 * not the sum of all, and a first pull keeps the server and both our threads busy. The
 * store's worker writes the pages one at a time, in the order they arrive. */
static void
cycle_pull (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (!cycle->do_pull)
    {
      cycle_pulls_done (cycle);
      return;
    }

  cycle->pulls_running = GIG_N_RECORD_COLLECTIONS;
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      Pull *pull = g_new0 (Pull, 1);

      pull->cycle = cycle;
      pull->collection = c;
      pull->started_at = g_get_real_time ();
      pull->live_at_start = self->live_applied;
      pull_compute_start (self, pull->collection, pull);
      g_debug ("pull %s from %s", gig_collection_to_string (pull->collection),
               pull->after_updated ? pull->after_updated : "the start");
      pull_fetch (pull);
    }
}

/* ---- push ------------------------------------------------------------------------------ */

static void push_next_entry (Cycle *cycle);

static void
push_progress (Cycle *cycle)
{
  g_autofree char *text = NULL;
  guint total = MAX (cycle->push_total, cycle->pushed);

  if (total == 0)
    return;
  text = g_strdup_printf (ngettext ("%u of %u change sent", "%u of %u changes sent", total),
                          cycle->pushed, total);
  set_progress (cycle->self, (double) cycle->pushed / total, text);
}

static void
push_entry_done (Cycle          *cycle,
                 GigOutboxEntry *entry,
                 JsonObject     *record)
{
  GigSync *self = cycle->self;
  g_autofree char *key = record_key (entry->collection, entry->record_id);
  g_autoptr(GError) error = NULL;

  g_hash_table_remove (self->in_flight, key);
  if (record != NULL && record_updated (record) != NULL)
    g_hash_table_replace (self->own_versions, g_steal_pointer (&key),
                          g_strdup (record_updated (record)));
  if (!gig_store_outbox_done (self->store, entry->seq, record, &error))
    {
      warn_store (error, "Could not record the push of", entry->record_id);
      if (cycle->error == NULL)
        cycle->error = g_steal_pointer (&error);
    }
  cycle->pushed++;
  push_progress (cycle);
}

/* A failed push: transient errors wait for the next cycle, auth errors stop the cycle, and
 * refusals are collected to be checked against a verified token before they are final. */
static void
push_entry_failed (Cycle          *cycle,
                   GigOutboxEntry *entry,
                   const GError   *error)
{
  GigSync *self = cycle->self;
  g_autofree char *key = record_key (entry->collection, entry->record_id);

  g_hash_table_remove (self->in_flight, key);
  g_debug ("push of %s failed: %s", entry->record_id, error->message);

  if (error_is_transient (error) || error_is_auth (error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A network error stops the cycle and the whole engine backs off; a server error on one
       * record lets the others go on, that record waiting on its own. */
      guint delay = g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK) || error_is_auth (error)
                      ? 0 : gig_backoff_delay_ms (&self->row_backoff, entry->attempts);
      g_autoptr(GError) local_error = NULL;

      if (!gig_store_outbox_retry_later (self->store, entry->seq, delay, error->message, &local_error))
        warn_store (local_error, "Could not requeue", entry->record_id);
      if (cycle->error == NULL)
        cycle->error = g_error_copy (error);
      return;
    }

  {
    GigOutboxEntry *copy = gig_outbox_entry_copy (entry);

    g_free (copy->last_error);
    copy->last_error = g_strdup (error->message);
    g_ptr_array_add (cycle->to_fail, copy);
  }
}

typedef struct
{
  Cycle          *cycle;
  GigOutboxEntry *entry;  /* owned by cycle->entries */
} PushOne;

static void
push_get_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PushOne *one = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;

  record = gig_pb_client_get_record_finish (GIG_PB_CLIENT (object), result, &error);
  if (record != NULL)
    push_entry_done (one->cycle, one->entry, record);
  else
    push_entry_failed (one->cycle, one->entry, error);
  push_next_entry (one->cycle);
  g_free (one);
}

static void
push_one_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PushOne *one = user_data;
  Cycle *cycle = one->cycle;
  GigOutboxEntry *entry = one->entry;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;

  if (entry->op == GIG_OUTBOX_OP_CREATE)
    record = gig_pb_client_create_record_finish (GIG_PB_CLIENT (object), result, &error);
  else
    record = gig_pb_client_update_record_finish (GIG_PB_CLIENT (object), result, &error);

  if (record != NULL)
    push_entry_done (cycle, entry, record);
  else if (entry->op == GIG_OUTBOX_OP_CREATE &&
           g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_UNIQUE) &&
           g_strcmp0 (gig_pb_error_get_field_code (error, "id"), "validation_not_unique") == 0)
    {
      /* The id is ours, so the record exists: an earlier send was applied and its answer lost.
       * Take the server's copy instead of creating it twice. */
      g_debug ("create of %s was already applied", entry->record_id);
      gig_pb_client_get_record_async (cycle->self->client,
                                      gig_collection_to_string (entry->collection),
                                      entry->record_id, cycle->cancellable, push_get_cb, one);
      return;
    }
  else
    push_entry_failed (cycle, entry, error);

  g_free (one);
  push_next_entry (cycle);
}

static void
push_send_one (Cycle          *cycle,
               GigOutboxEntry *entry)
{
  GigSync *self = cycle->self;
  PushOne *one = g_new0 (PushOne, 1);
  const char *collection = gig_collection_to_string (entry->collection);

  one->cycle = cycle;
  one->entry = entry;
  if (entry->op == GIG_OUTBOX_OP_CREATE)
    {
      g_autoptr(JsonObject) fields = create_fields (entry);

      gig_pb_client_create_record_async (self->client, collection, fields,
                                         cycle->cancellable, push_one_cb, one);
    }
  else
    gig_pb_client_update_record_async (self->client, collection, entry->record_id,
                                       entry->fields, cycle->cancellable, push_one_cb, one);
}

static void push_verify_failures (Cycle *cycle);

static void
push_next_entry (Cycle *cycle)
{
  /* After a network, auth or local failure the rest of the round would fail the same way:
   * hand what was taken out back to the queue. A server error on one record lets the others go
   * on. */
  if (cycle->error != NULL &&
      (!error_is_transient (cycle->error) ||
       g_error_matches (cycle->error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK)))
    {
      for (; cycle->entry_index < cycle->entries->len; cycle->entry_index++)
        {
          GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, cycle->entry_index);
          g_autofree char *key = record_key (entry->collection, entry->record_id);

          g_hash_table_remove (cycle->self->in_flight, key);
          gig_store_outbox_retry_later (cycle->self->store, entry->seq, 0, NULL, NULL);
        }
    }

  if (cycle->entry_index < cycle->entries->len)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, cycle->entry_index++);
      push_send_one (cycle, entry);
      return;
    }

  push_verify_failures (cycle);
}

static void
push_mark_in_flight (Cycle *cycle)
{
  for (guint i = 0; i < cycle->entries->len; i++)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, i);
      g_hash_table_add (cycle->self->in_flight, record_key (entry->collection, entry->record_id));
    }
}

static void
push_batch_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;

  records = gig_pb_client_batch_finish (GIG_PB_CLIENT (object), result, &error);
  if (records != NULL && records->len == cycle->entries->len)
    {
      for (guint i = 0; i < cycle->entries->len; i++)
        push_entry_done (cycle, g_ptr_array_index (cycle->entries, i), g_ptr_array_index (records, i));
      cycle->entry_index = cycle->entries->len;
      push_verify_failures (cycle);
      return;
    }

  if (records != NULL)
    error = g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                         ngettext ("The server answered %u of %u batched request",
                                   "The server answered %u of %u batched requests",
                                   cycle->entries->len), records->len,
                         cycle->entries->len);

  if (error_is_transient (error) || error_is_auth (error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      for (guint i = 0; i < cycle->entries->len; i++)
        push_entry_failed (cycle, g_ptr_array_index (cycle->entries, i), error);
      cycle->entry_index = cycle->entries->len;
      if (cycle->error == NULL)
        cycle->error = g_error_copy (error);
      push_verify_failures (cycle);
      return;
    }

  /* One sub-request was refused (or batches are off): the batch was rolled back as a whole, so
   * send them one by one, each getting its own answer. */
  if (gig_pb_error_get_batch_index (error) < 0 &&
      g_error_matches (error, GIG_PB_ERROR, GIG_PB_ERROR_FORBIDDEN))
    self->batch_unsupported = TRUE;
  g_debug ("batch refused (%s); sending one by one", error->message);
  cycle->entry_index = 0;
  push_next_entry (cycle);
}

static void
cycle_push_round (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (g_cancellable_is_cancelled (cycle->cancellable))
    {
      cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED, _("Sync was stopped")));
      return;
    }

  g_clear_pointer (&cycle->entries, g_ptr_array_unref);
  cycle->entries = gig_store_outbox_next (self->store, BATCH_MAX);
  cycle->entry_index = 0;
  if (cycle->entries == NULL || cycle->entries->len == 0)
    {
      update_counts (self);
      cycle_reconcile (cycle);
      return;
    }

  push_mark_in_flight (cycle);
  if (cycle->entries->len == 1 || self->batch_unsupported)
    {
      push_next_entry (cycle);
      return;
    }

  {
    g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();

    for (guint i = 0; i < cycle->entries->len; i++)
      {
        GigOutboxEntry *entry = g_ptr_array_index (cycle->entries, i);
        const char *collection = gig_collection_to_string (entry->collection);

        if (entry->op == GIG_OUTBOX_OP_CREATE)
          {
            g_autoptr(JsonObject) fields = create_fields (entry);

            gig_pb_batch_add_create (batch, collection, fields);
          }
        else
          gig_pb_batch_add_update (batch, collection, entry->record_id, entry->fields);
      }
    gig_pb_client_batch_async (self->client, batch, cycle->cancellable, push_batch_cb, cycle);
  }
}

static void
push_fail_all (Cycle        *cycle,
               const GError *error)
{
  GigSync *self = cycle->self;

  for (guint i = 0; i < cycle->to_fail->len; i++)
    {
      GigOutboxEntry *entry = g_ptr_array_index (cycle->to_fail, i);
      g_autoptr(GError) local_error = NULL;
      gboolean ok;

      if (error == NULL)
        {
          ok = gig_store_outbox_fail (self->store, entry->seq, entry->last_error, &local_error);
          cycle->failed++;
        }
      else
        ok = gig_store_outbox_retry_later (self->store, entry->seq, 0, entry->last_error, &local_error);
      if (!ok)
        warn_store (local_error, "Could not keep the outcome of", entry->record_id);
    }
  g_ptr_array_set_size (cycle->to_fail, 0);
}

static void
push_verify_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      push_fail_all (cycle, error);
      if (cycle->error == NULL)
        cycle->error = g_steal_pointer (&error);
      cycle_finish (cycle, g_steal_pointer (&cycle->error));
      return;
    }
  push_fail_all (cycle, NULL);
  if (cycle->error != NULL)
    cycle_finish (cycle, g_steal_pointer (&cycle->error));
  else
    cycle_push_round (cycle);
}

/* PocketBase answers requests made with a revoked token as a guest's (400/404), exactly like
 * real refusals. Before a refusal becomes final, prove the token is still good. */
static void
push_verify_failures (Cycle *cycle)
{
  if (cycle->to_fail->len > 0)
    {
      gig_session_refresh_async (cycle->self->session, cycle->cancellable, push_verify_cb, cycle);
      return;
    }
  if (cycle->error != NULL)
    {
      cycle_finish (cycle, g_steal_pointer (&cycle->error));
      return;
    }
  cycle_push_round (cycle);
}

/* ---- reconcile ------------------------------------------------------------------------- */

static void reconcile_list (Cycle *cycle);

static void
reconcile_verified_after_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }

  /* The token was valid before and after the listing (a revoked token never becomes valid
   * again), so the listing is the real visible set. */
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      guint removed = 0;

      if (!gig_store_remove_records_not_in (self->store, c, cycle->rec_ids[c], &removed, &error) ||
          !gig_store_set_last_reconcile (self->store, c, g_get_real_time (), &error))
        {
          cycle_finish (cycle, g_steal_pointer (&error));
          return;
        }
      if (removed > 0)
        g_debug ("reconcile: %u %s left the view", removed, gig_collection_to_string (c));
    }
  self->reconcile_requested = FALSE;
  cycle_finish (cycle, NULL);
}

static void
reconcile_list_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  GHashTable *ids = cycle->rec_ids[cycle->rec_collection];
  gboolean advanced = FALSE;

  page = gig_pb_client_list_records_finish (GIG_PB_CLIENT (object), result, &error);
  if (page == NULL)
    {
      cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < page->len; i++)
    {
      JsonObject *record = g_ptr_array_index (page, i);
      const char *id = gig_json_object_get_string (record, "id");

      if (id == NULL || record_updated (record) == NULL)
        {
          cycle_finish (cycle, g_error_new_literal (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                                    _("A listed record came from the server without “id” or “updated”")));
          return;
        }
      g_hash_table_add (ids, g_strdup (id));
      /* The next page starts after the last record that can be a cursor (see page_last_valid). */
      if (gig_id_is_valid (id) && gig_stamp_is_valid (record_updated (record)) &&
          (cycle->rec_after_updated == NULL ||
           strcmp (record_updated (record), cycle->rec_after_updated) > 0 ||
           (strcmp (record_updated (record), cycle->rec_after_updated) == 0 &&
            strcmp (id, cycle->rec_after_id) > 0)))
        {
          g_free (cycle->rec_after_updated);
          g_free (cycle->rec_after_id);
          cycle->rec_after_updated = g_strdup (record_updated (record));
          cycle->rec_after_id = g_strdup (id);
          advanced = TRUE;
        }
    }
  if (page->len >= GIG_PB_LIST_MAX_PER_PAGE && !advanced)
    {
      /* the same full page again and again: a server that ignores the list cursor */
      cycle_finish (cycle, g_error_new (GIG_PB_ERROR, GIG_PB_ERROR_MALFORMED,
                                        _("The server sent a page of %s that does not follow "
                                          "the previous one (it ignored the list cursor)"),
                                        gig_collection_to_string (cycle->rec_collection)));
      return;
    }
  if (page->len < GIG_PB_LIST_MAX_PER_PAGE)
    {
      cycle->rec_collection++;
      g_clear_pointer (&cycle->rec_after_updated, g_free);
      g_clear_pointer (&cycle->rec_after_id, g_free);
    }
  reconcile_list (cycle);
}

static void
reconcile_list (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (cycle->rec_collection >= GIG_N_RECORD_COLLECTIONS)
    {
      gig_session_refresh_async (self->session, cycle->cancellable,
                                 reconcile_verified_after_cb, cycle);
      return;
    }
  if (cycle->rec_ids[cycle->rec_collection] == NULL)
    cycle->rec_ids[cycle->rec_collection] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gig_pb_client_list_records_async (self->client, gig_collection_to_string (cycle->rec_collection),
                                    cycle->rec_after_updated, cycle->rec_after_id, NULL,
                                    "id,updated", GIG_PB_LIST_MAX_PER_PAGE, cycle->cancellable,
                                    reconcile_list_cb, cycle);
}

static void
reconcile_verified_before_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  Cycle *cycle = user_data;
  g_autoptr(GError) error = NULL;

  if (!gig_session_refresh_finish (GIG_SESSION (object), result, &error))
    {
      cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  cycle->rec_collection = 0;
  reconcile_list (cycle);
}

static gboolean
reconcile_due (GigSync *self)
{
  gint64 now = g_get_real_time ();

  if (self->reconcile_requested)
    return TRUE;
  for (guint c = 0; c < GIG_N_RECORD_COLLECTIONS; c++)
    {
      gint64 last = gig_store_get_last_reconcile (self->store, c);
      if (now - last > (gint64) self->reconcile_interval_s * G_USEC_PER_SEC)
        return TRUE;
    }
  return FALSE;
}

static void
departures_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Cycle *cycle = user_data;
  GigSync *self = cycle->self;
  g_autoptr(GError) error = NULL;

  if (!gig_sync_departures_finish (result, NULL, &error))
    {
      cycle_finish (cycle, g_steal_pointer (&error));
      return;
    }
  if (!reconcile_due (self))
    {
      cycle_finish (cycle, NULL);
      return;
    }
  g_debug ("reconciling ids");
  set_progress (self, -1, _("Checking which records are still visible"));
  gig_session_refresh_async (self->session, cycle->cancellable, reconcile_verified_before_cb, cycle);
}

static void
cycle_reconcile (Cycle *cycle)
{
  GigSync *self = cycle->self;

  if (!cycle->do_pull)
    {
      cycle_finish (cycle, NULL);
      return;
    }
  /* Records that left the view since the last pull, then the full listing when due. */
  gig_sync_departures_async (self->store, self->client, self->session, self->overlap_ms,
                             self->departures_handled, cycle->cancellable,
                             departures_done_cb, cycle);
}

/* ---- cycle start and end --------------------------------------------------------------- */

static gboolean
retry_cb (gpointer user_data)
{
  GigSync *self = user_data;

  self->retry_source = 0;
  cycle_request (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (GigSync *self)
{
  guint delay;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (!self->started || !network_available (self))
    return;  /* network-changed will bring us back */
  delay = gig_backoff_next_ms (&self->retry_backoff);
  g_debug ("retry in %u ms", delay);
  self->retry_source = g_timeout_add (delay, retry_cb, self);
}

static void
cycle_finish (Cycle  *cycle,
              GError *error)
{
  /* the cycle's reference may be the last one: keep self alive to the end of this function */
  g_autoptr(GigSync) self = g_object_ref (cycle->self);
  g_autoptr(GError) owned = error;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&cycle->waiters);
  gboolean stopped = g_error_matches (error, GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED) ||
                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert (self->cycle == cycle);
  self->cycle = NULL;
  g_debug ("cycle done in %" G_GINT64_FORMAT " ms%s%s",
           (g_get_monotonic_time () - cycle->started) / 1000,
           owned ? ": " : "", owned ? owned->message : "");
  update_counts (self);

  if (owned == NULL && cycle->failed > 0)
    owned = g_error_new (GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED,
                         ngettext ("The server refused %u change", "The server refused %u changes",
                                   cycle->failed),
                         cycle->failed);
  if (cycle->skipped > 0 && (owned == NULL || owned->domain == GIG_SYNC_ERROR))
    {
      /* Everything else was pulled and pushed: say so, and which part was not taken in. */
      g_autofree char *skipped = g_strdup_printf (
        ngettext ("%u record from the server was not valid and was skipped",
                  "%u records from the server were not valid and were skipped", cycle->skipped),
        cycle->skipped);

      if (g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED))
        {
          g_autofree char *both = g_strdup_printf ("%s; %s", owned->message, skipped);

          g_free (owned->message);
          owned->message = g_steal_pointer (&both);
        }
      else if (owned == NULL)
        owned = g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED, skipped);
    }

  /* Any answer, even a refusal, shows the server is there; a network error says otherwise. */
  if (self->health != NULL && !stopped)
    {
      if (g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK))
        gig_server_health_report (self->health, FALSE);
      else if (owned == NULL || owned->domain == GIG_PB_ERROR ||
               g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED))
        gig_server_health_report (self->health, TRUE);
    }

  if (owned == NULL)
    {
      gig_backoff_reset (&self->retry_backoff);
      g_clear_pointer (&self->last_synced, g_date_time_unref);
      self->last_synced = g_date_time_new_now_local ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
      set_last_error (self, NULL);
      set_progress (self, 1.0, NULL);
      set_state (self, GIG_SYNC_STATE_IDLE);
    }
  else if (stopped)
    {
      set_progress (self, -1, NULL);
      set_state (self, gig_session_get_state (self->session) == GIG_SESSION_STATE_SIGNED_IN
                         ? GIG_SYNC_STATE_IDLE : GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (error_is_auth (owned))
    {
      if (g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED))
        gig_session_report_error (self->session, owned);
      set_last_error (self, owned->message);
      set_progress (self, -1, NULL);
      set_state (self, GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_PUSH_FAILED) ||
           g_error_matches (owned, GIG_SYNC_ERROR, GIG_SYNC_ERROR_RECORDS_SKIPPED))
    {
      /* Refused changes stay visible on their records, and a record the server must fix is
       * read again by every pull: nothing to retry now. */
      gig_backoff_reset (&self->retry_backoff);
      g_clear_pointer (&self->last_synced, g_date_time_unref);
      self->last_synced = g_date_time_new_now_local ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
      set_last_error (self, owned->message);
      set_progress (self, 1.0, NULL);
      set_state (self, GIG_SYNC_STATE_ERROR);
    }
  else
    {
      g_debug ("cycle failed: %s", owned->message);
      set_last_error (self, owned->message);
      set_progress (self, -1, NULL);
      set_state (self, g_error_matches (owned, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK)
                         ? GIG_SYNC_STATE_OFFLINE : GIG_SYNC_STATE_ERROR);
      schedule_retry (self);
    }

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (owned != NULL)
        g_task_return_error (task, g_error_copy (owned));
      else
        g_task_return_boolean (task, TRUE);
    }

  cycle_free (cycle);

  if (self->again && (self->started || self->waiters->len > 0) &&
      self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
    {
      gboolean pull = self->pull_requested;

      self->again = FALSE;
      cycle_request (self, pull);
    }
  else if (self->waiters->len > 0)
    {
      /* Callers who asked while a cycle ran want a cycle of their own, even after a failure. */
      self->again = FALSE;
      cycle_request (self, TRUE);
    }
}

static void
cycle_start (GigSync  *self,
             gboolean  pull)
{
  Cycle *cycle = g_new0 (Cycle, 1);
  GigSessionState session_state = gig_session_get_state (self->session);

  cycle->self = g_object_ref (self);
  cycle->cancellable = g_cancellable_new ();
  cycle->started = g_get_monotonic_time ();
  cycle->waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  cycle->do_pull = pull;
  cycle->to_fail = g_ptr_array_new_with_free_func ((GDestroyNotify) gig_outbox_entry_free);
  self->cycle = cycle;
  self->again = FALSE;
  if (pull)
    self->pull_requested = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);

  /* PocketBase treats an expired token as a guest: check before asking anything. */
  if (session_state != GIG_SESSION_STATE_SIGNED_IN || !gig_session_check_token (self->session) ||
      gig_pb_client_get_token (self->client) == NULL)
    {
      cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_SIGN_IN_NEEDED,
                                                _("Sign in again to sync")));
      return;
    }

  set_state (self, GIG_SYNC_STATE_SYNCING);
  set_progress (self, -1, pull ? _("Receiving changes") : _("Sending changes"));
  cycle_pull (cycle);
}

static void
cycle_request (GigSync  *self,
               gboolean  pull)
{
  if (pull)
    self->pull_requested = TRUE;
  if (self->cycle != NULL)
    {
      self->again = TRUE;
      return;
    }
  cycle_start (self, self->pull_requested);
}

/* ------------------------------------------------------------------------------------------ */
/* Live updates and triggers                                                                  */

static void
realtime_event_cb (GigPbRealtime *realtime,
                   const char    *collection_name,
                   const char    *action,
                   JsonObject    *record,
                   GigSync       *self)
{
  GigCollection collection;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(Analysis) analysis = NULL;
  g_autoptr(GError) error = NULL;
  GigStoreApplyResult counts = { 0 };

  /* Something left someone's view (maybe ours): the pull re-checks what the cache holds. */
  if (g_strcmp0 (collection_name, "sync_departures") == 0)
    {
      cycle_request (self, TRUE);
      return;
    }
  if (!gig_collection_from_string (collection_name, &collection) ||
      collection >= GIG_N_RECORD_COLLECTIONS)
    return;

  if (g_strcmp0 (action, "delete") == 0)
    {
      /* Only a superuser deletes for real: its departure (pulled now) removes it. */
      cycle_request (self, TRUE);
      return;
    }

  records = g_ptr_array_new ();
  g_ptr_array_add (records, record);
  analysis = analyse_records (self, collection, records, TRUE);
  if (analysis->records->len == 0)
    return;
  /* One record: written on this thread, so it is in the cache as soon as this returns. */
  if (!gig_store_apply_server_page (self->store, collection, analysis->records, NULL, NULL, &counts, &error))
    {
      g_warning ("Could not apply a live %s event: %s", collection_name, error->message);
      cycle_request (self, TRUE);
      return;
    }
  if (counts.skipped > 0)
    {
      /* not stored: a pull reads it again and reports it in the sync status */
      cycle_request (self, TRUE);
      return;
    }
  self->live_applied++;
  analysis_emit (self, analysis);
}

static void
realtime_connected_cb (GigPbRealtime *realtime,
                       const char    *client_id,
                       gboolean       is_reconnect,
                       GigSync       *self)
{
  /* The server replays nothing: pull what happened while we were not subscribed. */
  g_debug ("realtime %sconnected", is_reconnect ? "re" : "");
  if (self->health != NULL)
    gig_server_health_report (self->health, TRUE);
  cycle_request (self, TRUE);
}

static void
realtime_disconnected_cb (GigPbRealtime *realtime,
                          GError        *error,
                          GigSync       *self)
{
  /* The stream may have ended for a harmless reason (the server's idle close): ask. */
  g_debug ("realtime disconnected: %s", error != NULL ? error->message : "");
  if (self->health != NULL)
    gig_server_health_check_now (self->health);
}

static void
health_changed_cb (GigServerHealth *health,
                   GParamSpec      *pspec,
                   GigSync         *self)
{
  update_status (self);
  if (!gig_server_health_get_reachable (health) || !self->started)
    return;
  /* The server is back: catch up at once rather than when the backoff runs out, and bring the
   * stream back without waiting for its own reconnect delay. */
  if (self->realtime != NULL && !gig_pb_realtime_get_connected (self->realtime))
    {
      gig_pb_realtime_stop (self->realtime);
      gig_pb_realtime_start (self->realtime);
    }
  if (self->cycle == NULL && self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED &&
      self->state != GIG_SYNC_STATE_SYNCING)
    gig_sync_now (self);
}

static gboolean
push_soon_cb (gpointer user_data)
{
  GigSync *self = user_data;

  self->push_source = 0;
  /* Without the live stream our copy of the server may be stale: pull first, so that
   * conflicting edits are found before we overwrite them. */
  cycle_request (self, self->realtime == NULL || !gig_pb_realtime_get_connected (self->realtime));
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (GigStore  *store,
                  int        collection,
                  GStrv      ids,
                  GigSync   *self)
{
  if (collection >= GIG_N_RECORD_COLLECTIONS)
    return;
  /* While a page is written on the store's worker, a count would wait for that transaction
   * and stall the main thread, and with it the download of the next page: count once the
   * worker is idle (pull_applied_cb). Pulled pages don't change the outbox anyway. */
  if (self->cycle != NULL && self->cycle->applying > 0)
    {
      self->counts_dirty = TRUE;
      return;
    }
  update_counts (self);
  /* After a failure the retry timer (or the network coming back) sends what is waiting. */
  if (self->started && self->pending_count > 0 && self->push_source == 0 &&
      (self->state == GIG_SYNC_STATE_IDLE || self->state == GIG_SYNC_STATE_SYNCING))
    self->push_source = g_timeout_add (PUSH_DEBOUNCE_MS, push_soon_cb, self);
}

/* Persisted too: a crash or restart before the reconciliation ran must not forget it. */
static void
request_reconcile (GigSync *self)
{
  g_autoptr(GError) error = NULL;

  self->reconcile_requested = TRUE;
  if (!gig_store_request_reconcile (self->store, &error))
    g_warning ("Could not note that the cache needs a reconciliation: %s", error->message);
}

static void
session_state_cb (GigSession *session,
                  GParamSpec *pspec,
                  GigSync    *self)
{
  GigSessionState state = gig_session_get_state (session);

  if (state == GIG_SESSION_STATE_SIGN_IN_NEEDED || state == GIG_SESSION_STATE_SIGNED_OUT)
    {
      /* A running cycle finds out by itself; nothing is dropped either way. */
      if (self->cycle == NULL)
        set_state (self, GIG_SYNC_STATE_SIGN_IN_NEEDED);
    }
  else if (state == GIG_SESSION_STATE_SIGNED_IN && self->state == GIG_SYNC_STATE_SIGN_IN_NEEDED)
    {
      /* Signed in again: check which records are still ours, and send what waited. */
      request_reconcile (self);
      if (self->started)
        {
          if (self->realtime != NULL)
            {
              gig_pb_realtime_stop (self->realtime);
              gig_pb_realtime_start (self->realtime);
            }
          gig_sync_now (self);
        }
      else
        set_state (self, GIG_SYNC_STATE_IDLE);
    }
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    GigSync         *self)
{
  if (!self->started)
    return;
  gig_server_health_check_now (self->health);
  update_status (self);
  if (available)
    {
      if (self->state == GIG_SYNC_STATE_OFFLINE || self->state == GIG_SYNC_STATE_ERROR)
        gig_sync_now (self);
    }
  else
    {
      g_clear_handle_id (&self->retry_source, g_source_remove);
      if (self->cycle == NULL && self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
        set_state (self, GIG_SYNC_STATE_OFFLINE);
    }
}

static gboolean
periodic_cb (gpointer user_data)
{
  GigSync *self = user_data;

  if (self->state != GIG_SYNC_STATE_SIGN_IN_NEEDED)
    cycle_request (self, TRUE);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                 */

GigSync *
gig_sync_new (GigStore    *store,
              GigPbClient *client,
              GigSession  *session)
{
  GigSync *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (GIG_IS_PB_CLIENT (client), NULL);
  g_return_val_if_fail (GIG_IS_SESSION (session), NULL);

  self = g_object_new (GIG_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->session = g_object_ref (session);
  self->store_changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  self->session_state_id = g_signal_connect (session, "notify::state",
                                             G_CALLBACK (session_state_cb), self);
  self->health = gig_server_health_new (client);
  self->pending_count = gig_store_pending_count (store);
  self->failed_count = gig_store_failed_count (store);
  self->conflict_count = gig_store_conflict_count (store);
  if (gig_session_get_state (session) != GIG_SESSION_STATE_SIGNED_IN)
    self->state = GIG_SYNC_STATE_SIGN_IN_NEEDED;
  update_status (self);
  return self;
}

void
gig_sync_start (GigSync *self)
{
  static const char * const topics[] = { "users/*", "projects/*", "proposals/*", "milestones/*",
                                          "sync_departures/*", NULL };

  g_return_if_fail (GIG_IS_SYNC (self));

  if (self->started)
    return;
  self->started = TRUE;

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  self->realtime = gig_pb_realtime_new (self->client);
  gig_pb_realtime_set_subscriptions (self->realtime, topics);
  g_signal_connect (self->realtime, "event", G_CALLBACK (realtime_event_cb), self);
  g_signal_connect (self->realtime, "connected", G_CALLBACK (realtime_connected_cb), self);
  g_signal_connect (self->realtime, "disconnected", G_CALLBACK (realtime_disconnected_cb), self);
  gig_pb_realtime_start (self->realtime);

  g_signal_connect (self->health, "notify::reachable", G_CALLBACK (health_changed_cb), self);
  gig_server_health_start (self->health);

  self->periodic_source = g_timeout_add_seconds (self->pull_interval_s, periodic_cb, self);
  cycle_request (self, TRUE);
}

void
gig_sync_stop (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->periodic_source, g_source_remove);
  g_clear_handle_id (&self->push_source, g_source_remove);
  if (self->realtime != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->realtime, self);
      gig_pb_realtime_stop (self->realtime);
      g_clear_object (&self->realtime);
    }
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->network_changed_id, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->health != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->health, self);
      gig_server_health_stop (self->health);
    }
  if (self->cycle != NULL)
    g_cancellable_cancel (self->cycle->cancellable);
}

void
gig_sync_now (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));

  gig_backoff_reset (&self->retry_backoff);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  cycle_request (self, TRUE);
}

void
gig_sync_request_reconcile (GigSync *self)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  request_reconcile (self);
}

void
gig_sync_once_async (GigSync             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GIG_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gig_sync_once_async);
  /* A running cycle may already be past the writes the caller wants pushed: wait for a fresh
   * one. */
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  cycle_request (self, TRUE);
}

gboolean
gig_sync_once_finish (GigSync       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GigSyncState
gig_sync_get_state (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), GIG_SYNC_STATE_IDLE);
  return self->state;
}

GigSyncStatus
gig_sync_get_status (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), GIG_SYNC_STATUS_ERROR);
  return self->status;
}

guint
gig_sync_get_conflict_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->conflict_count;
}

gboolean
gig_sync_get_server_reachable (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), FALSE);
  return gig_server_health_get_reachable (self->health);
}

guint
gig_sync_get_pending_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->pending_count;
}

guint
gig_sync_get_failed_count (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), 0);
  return self->failed_count;
}

const char *
gig_sync_get_last_error (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->last_error;
}

GDateTime *
gig_sync_get_last_synced (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->last_synced;
}

double
gig_sync_get_progress (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), -1);
  return self->progress;
}

const char *
gig_sync_get_progress_text (GigSync *self)
{
  g_return_val_if_fail (GIG_IS_SYNC (self), NULL);
  return self->progress_text;
}

void
gig_sync_set_overlap_ms (GigSync *self,
                         guint    overlap_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  self->overlap_ms = overlap_ms;
}

void
gig_sync_set_backoff_ms (GigSync *self,
                         guint    min_ms,
                         guint    max_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  g_return_if_fail (min_ms > 0 && min_ms <= max_ms);
  gig_backoff_set_limits (&self->retry_backoff, min_ms, max_ms);
  gig_backoff_set_limits (&self->row_backoff, min_ms, max_ms);
}

void
gig_sync_set_health_timing (GigSync *self,
                            guint    interval_ms,
                            guint    timeout_ms,
                            guint    max_backoff_ms)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  gig_server_health_set_timing (self->health, interval_ms, timeout_ms, max_backoff_ms);
}

void
gig_sync_set_intervals (GigSync *self,
                        guint    pull_interval_s,
                        guint    reconcile_interval_s)
{
  g_return_if_fail (GIG_IS_SYNC (self));
  g_return_if_fail (pull_interval_s > 0);
  self->pull_interval_s = pull_interval_s;
  self->reconcile_interval_s = reconcile_interval_s;
  if (self->periodic_source != 0)
    {
      g_source_remove (self->periodic_source);
      self->periodic_source = g_timeout_add_seconds (pull_interval_s, periodic_cb, self);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GObject                                                                                    */

static void
gig_sync_dispose (GObject *object)
{
  GigSync *self = GIG_SYNC (object);

  gig_sync_stop (self);
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  if (self->session != NULL)
    g_clear_signal_handler (&self->session_state_id, self->session);

  G_OBJECT_CLASS (gig_sync_parent_class)->dispose (object);
}

static void
gig_sync_finalize (GObject *object)
{
  GigSync *self = GIG_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->health);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->own_versions, g_hash_table_unref);
  g_clear_pointer (&self->departures_handled, g_hash_table_unref);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  g_clear_pointer (&self->progress_text, g_free);

  G_OBJECT_CLASS (gig_sync_parent_class)->finalize (object);
}

static void
gig_sync_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GigSync *self = GIG_SYNC (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING_COUNT:
      g_value_set_uint (value, self->pending_count);
      break;
    case PROP_FAILED_COUNT:
      g_value_set_uint (value, self->failed_count);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_boxed (value, self->last_synced);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_CONFLICT_COUNT:
      g_value_set_uint (value, self->conflict_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_sync_class_init (GigSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_sync_dispose;
  object_class->finalize = gig_sync_finalize;
  object_class->get_property = gig_sync_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, GIG_TYPE_SYNC_STATE, GIG_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILED_COUNT] =
    g_param_spec_uint ("failed-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_boxed ("last-synced", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, GIG_TYPE_SYNC_STATUS, GIG_SYNC_STATUS_SYNCED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFLICT_COUNT] =
    g_param_spec_uint ("conflict-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_REMOTE_RECORD_CHANGED] =
    g_signal_new ("remote-record-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                  G_TYPE_INT, G_TYPE_STRING, JSON_TYPE_OBJECT, JSON_TYPE_OBJECT);
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
gig_sync_init (GigSync *self)
{
  self->progress = -1;
  self->overlap_ms = DEFAULT_OVERLAP_MS;
  gig_backoff_init (&self->retry_backoff, &retry_policy);
  gig_backoff_init (&self->row_backoff, &row_policy);
  self->pull_interval_s = DEFAULT_PULL_INTERVAL_S;
  self->reconcile_interval_s = DEFAULT_RECONCILE_INTERVAL_S;
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->own_versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->departures_handled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
