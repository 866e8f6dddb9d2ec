/* gig-sync-pull.c: the cycle's pull: pages of every collection fetched ahead of the store's
 * writer, and what a page or a live event changes (other people's edits, conflicts).
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigSync"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/gig-id.h"
#include "core/gig-json.h"
#include "sync/gig-sync-private.h"


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

/* ------------------------------------------------------------------------------------------ */
/* Applying server records: remote-change notifications and conflict detection                */

static void
maybe_unref (JsonObject *object)
{
  if (object != NULL)
    json_object_unref (object);
}

void
_gig_sync_analysis_free (Analysis *a)
{
  g_clear_pointer (&a->records, g_ptr_array_unref);
  g_clear_pointer (&a->befores, g_ptr_array_unref);
  g_clear_pointer (&a->conflicts, g_ptr_array_unref);
  g_free (a);
}

/* The clashing fields of @incoming against a record with local edits: a field the user changed
 * here (local ≠ last server version) that the server changed too, to another value. Fields
 * changed on one side only merge: the store keeps pending local fields and takes the rest. */
static JsonObject *
find_conflicts (GigSync       *self,
                GigCollection  collection,
                JsonObject    *local,
                JsonObject    *incoming)
{
  const char *id = gig_json_object_get_string (incoming, "id");
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
Analysis *
_gig_sync_analyse_records (GigSync       *self,
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
      const char *id = gig_json_object_get_string (g_ptr_array_index (records, i), "id");
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
      const char *old_updated = _gig_sync_record_updated (before);
      const char *new_updated = _gig_sync_record_updated (record);

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
    ids[i] = gig_raw_record_get_id (g_ptr_array_index (page, i));
  cached = gig_store_get_server_versions (self->store, collection, ids, page->len);
  for (guint i = 0; i < page->len; i++)
    {
      GigRawRecord *record = g_ptr_array_index (page, i);
      const char *updated = gig_raw_record_get_updated (record);
      const char *have = g_hash_table_lookup (cached, ids[i]);

      if (updated != NULL && have != NULL && strcmp (updated, have) <= 0)
        continue;
      g_ptr_array_add (records, gig_raw_record_to_object (record));
    }
  return records;
}

/* After the commit: tell the UI about other people's changes and about conflicts. */
void
_gig_sync_analysis_emit (GigSync  *self,
                         Analysis *a)
{
  if (a->befores == NULL)
    return;

  for (guint i = 0; i < a->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (a->records, i);
      JsonObject *before = g_ptr_array_index (a->befores, i);
      JsonObject *clash = g_ptr_array_index (a->conflicts, i);
      const char *id = gig_json_object_get_string (record, "id");
      g_autofree char *key = NULL;
      const char *own;

      if (!gig_id_is_valid (id) || !gig_stamp_is_valid (_gig_sync_record_updated (record)))
        continue;  /* skipped by the store, counted in the cycle's result */
      key = _gig_sync_record_key (a->collection, id);
      if (clash != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (gig_store_mark_conflict (self->store, a->collection, id, clash, &error))
            _gig_sync_emit_conflict (self, a->collection, id);
          else
            _gig_sync_warn_store (error, "Could not keep the conflict of", id);
        }

      if (before != NULL && g_strcmp0 (_gig_sync_record_updated (before), _gig_sync_record_updated (record)) == 0)
        continue;  /* nothing new */
      if (before != NULL && _gig_sync_record_updated (before) == NULL)
        continue;  /* our own create, whose answer was lost */
      if (g_hash_table_contains (self->in_flight, key))
        continue;
      own = g_hash_table_lookup (self->own_versions, key);
      if (own != NULL && g_strcmp0 (own, _gig_sync_record_updated (record)) == 0)
        {
          g_hash_table_remove (self->own_versions, key);
          continue;
        }
      _gig_sync_emit_remote_change (self, a->collection, id, before, record);
    }
}

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
  GQueue         fetched;       /* pages waiting to be applied (GPtrArray of GigRawRecord) */
  Analysis      *applying;      /* the page being applied */
  GError        *error;
} Pull;

static void pull_maybe_continue (Pull *pull);

static void
pull_free (Pull *pull)
{
  g_free (pull->after_updated);
  g_free (pull->after_id);
  g_queue_clear_full (&pull->fetched, (GDestroyNotify) g_ptr_array_unref);
  g_clear_pointer (&pull->applying, _gig_sync_analysis_free);
  g_clear_error (&pull->error);
  g_free (pull);
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
  g_autofree char *bound = NULL;
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
    bound = gig_stamp_from_unix_usec (last - (gint64) self->overlap_ms * 1000);
  else
    {
      g_autoptr(GDateTime) cursor = gig_stamp_parse (cursor_updated);
      g_autoptr(GDateTime) before = cursor != NULL ? g_date_time_add (cursor, -(gint64) self->overlap_ms * 1000) : NULL;

      if (before != NULL)
        bound = gig_stamp_format (before);
    }

  if (bound != NULL)
    pull->after_updated = g_strdup (strcmp (bound, cursor_updated) < 0 ? bound : cursor_updated);
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

void
_gig_sync_pull_applied_cb (GObject      *object,
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
          _gig_sync_update_counts (self);
        }
      _gig_sync_analysis_emit (self, analysis);
      cycle->skipped += counts.skipped;
      cycle->received += counts.inserted + counts.updated + counts.kept_local;
      count = format_count (cycle->received);
      text = g_strdup_printf (ngettext ("%s record received", "%s records received", cycle->received),
                              count);
      _gig_sync_set_progress (self, -1, text);
    }
  pull_maybe_continue (pull);
}

static void pull_fetch (Pull *pull);

/* The record a page's cursor comes from: its last one with a valid id and stamp. The store skips
 * (and counts) the others, so one bad record can never become the cursor of the next filter. */
GigRawRecord *
_gig_sync_page_last_valid (GPtrArray *page)
{
  for (guint i = page->len; i > 0; i--)
    {
      GigRawRecord *record = g_ptr_array_index (page, i - 1);

      if (gig_id_is_valid (gig_raw_record_get_id (record)) &&
          gig_stamp_is_valid (gig_raw_record_get_updated (record)))
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
      GigRawRecord *last = _gig_sync_page_last_valid (page);
      const char *cursor_updated = last ? gig_raw_record_get_updated (last) : NULL;
      const char *cursor_id = last ? gig_raw_record_get_id (last) : NULL;
      /* Reads before the write only when it matters: pulls after the first (notifications,
       * conflicts), or when live events were applied meanwhile (never go back in time). */
      gboolean look = !pull->initial || self->live_applied != pull->live_at_start;

      pull->cycle->applying++;
      if (look)
        {
          g_autoptr(GPtrArray) records = fresh_records (self, pull->collection, page);

          pull->applying = _gig_sync_analyse_records (self, pull->collection, records, TRUE);
          gig_store_apply_server_page_async (self->store, pull->collection, pull->applying->records,
                                             cursor_updated, cursor_id,
                                             NULL, _gig_sync_pull_applied_cb, pull);
        }
      else
        {
          /* A first pull stores the server's text as it came: no tree per record. */
          pull->applying = _gig_sync_analyse_records (self, pull->collection, page, FALSE);
          gig_store_apply_server_records_async (self->store, pull->collection, page,
                                                cursor_updated, cursor_id,
                                                NULL, _gig_sync_pull_applied_cb, pull);
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
          GigRawRecord *last = _gig_sync_page_last_valid (page);

          if (last != NULL && !pull_page_advances (pull, gig_raw_record_get_updated (last),
                                                   gig_raw_record_get_id (last)))
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
                  pull->after_updated = g_strdup (gig_raw_record_get_updated (last));
                  pull->after_id = g_strdup (gig_raw_record_get_id (last));
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
      _gig_sync_cycle_finish (cycle, g_steal_pointer (&cycle->pull_error));
      return;
    }
  if (g_cancellable_is_cancelled (cycle->cancellable))
    {
      _gig_sync_cycle_finish (cycle, g_error_new_literal (GIG_SYNC_ERROR, GIG_SYNC_ERROR_STOPPED, _("Sync was stopped")));
      return;
    }
  if (cycle->do_pull)
    g_debug ("pulled in %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - cycle->started) / 1000);
  cycle->push_total = gig_store_pending_count (self->store);
  _gig_sync_cycle_push_round (cycle);
}

/* All collections at once: an incremental pull then costs the slowest collection's answer,
 * not the sum of all, and a first pull keeps the server and both our threads busy. The
 * store's worker writes the pages one at a time, in the order they arrive. */
void
_gig_sync_cycle_pull (Cycle *cycle)
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
