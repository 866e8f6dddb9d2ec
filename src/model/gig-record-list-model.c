/* gig-record-list-model.c: a GListModel over a store query, paged in on demand
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gig-model"

#include "gig-record-list-model.h"

#include "store/gig-store-private.h"

/* Rows per page read from the store, pages and items kept. GtkListView (4.8) binds 200 rows
 * plus a few around what it shows, so a page a bit larger than that fills a fresh list with
 * one query (a search query costs about the same for 100 rows as for 256: matching and
 * sorting dominate). Eight pages hold several screens either way of the visible one. */
#define PAGE_SIZE  256
#define MAX_PAGES  8
#define MAX_ITEMS  400
/* Up to this many changed ids are placed one by one; more make one full refresh, which costs
 * less than one position lookup per id. */
#define MAX_PRECISE_IDS 4

struct _GigRecordListModel
{
  GObject        parent_instance;

  GigStore      *store;
  GigStoreQuery *query;
  guint          n_items;
  gulong         changed_id;

  GHashTable    *pages;        /* page index -> GStrv of ids */
  GQueue         page_lru;     /* page indexes, most recent first */
  GHashTable    *items;        /* id -> GigRecord */
  GQueue         item_lru;     /* ids (owned by the items table), most recent first */
};

static void gig_record_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GigRecordListModel, gig_record_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, gig_record_list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUERY,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
drop_pages (GigRecordListModel *self)
{
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->page_lru);
}

static void
drop_items (GigRecordListModel *self)
{
  g_queue_clear (&self->item_lru);
  g_hash_table_remove_all (self->items);
}

static void
drop_item (GigRecordListModel *self,
           const char         *id)
{
  char *key = NULL;

  if (g_hash_table_lookup_extended (self->items, id, (gpointer *) &key, NULL))
    {
      g_queue_remove (&self->item_lru, key);
      g_hash_table_remove (self->items, id);
    }
}

static guint
count_rows (GigRecordListModel *self)
{
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (self->query == NULL)
    return 0;
  if (!gig_store_query_count (self->store, self->query, &count, &error))
    {
      g_warning ("Could not count the list: %s", error->message);
      return 0;
    }
  return count;
}

static const char *
id_at (GigRecordListModel *self,
       guint               position)
{
  guint page = position / PAGE_SIZE;
  GStrv ids = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (ids == NULL)
    {
      g_autoptr(GError) error = NULL;

      ids = gig_store_query_ids (self->store, self->query, page * PAGE_SIZE, PAGE_SIZE, &error);
      if (ids == NULL)
        {
          g_warning ("Could not read the list: %s", error->message);
          return NULL;
        }
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), ids);
      g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
      while (g_queue_get_length (&self->page_lru) > MAX_PAGES)
        g_hash_table_remove (self->pages, g_queue_pop_tail (&self->page_lru));
    }
  else if (g_queue_peek_head (&self->page_lru) != GUINT_TO_POINTER (page))
    {
      g_queue_remove (&self->page_lru, GUINT_TO_POINTER (page));
      g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
    }

  if (position % PAGE_SIZE >= g_strv_length (ids))
    return NULL;
  return ids[position % PAGE_SIZE];
}

/* Position of @id in the pages read so far (they show the list before the latest change). */
static gint64
cached_position (GigRecordListModel *self,
                 const char         *id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GStrv ids = value;
      for (guint i = 0; ids[i]; i++)
        if (g_str_equal (ids[i], id))
          return (gint64) GPOINTER_TO_UINT (key) * PAGE_SIZE + i;
    }
  return -1;
}

static GType
gig_record_list_model_get_item_type (GListModel *model)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (model);

  if (self->query == NULL)
    return GIG_TYPE_RECORD;
  return gig_record_type_for_collection (self->query->collection);
}

static guint
gig_record_list_model_get_n_items (GListModel *model)
{
  return GIG_RECORD_LIST_MODEL (model)->n_items;
}

static gpointer
gig_record_list_model_get_item (GListModel *model,
                                guint       position)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (model);
  g_autoptr(JsonObject) record = NULL;
  GigLocalState state;
  const char *id;
  GigRecord *item;
  char *key;

  if (position >= self->n_items)
    return NULL;
  id = id_at (self, position);
  if (id == NULL)
    return NULL;

  if (g_hash_table_lookup_extended (self->items, id, (gpointer *) &key, (gpointer *) &item))
    {
      g_queue_remove (&self->item_lru, key);
      g_queue_push_head (&self->item_lru, key);
      return g_object_ref (item);
    }

  if (!gig_store_get_row (self->store, self->query->collection, id, &record, &state))
    return NULL;
  item = gig_record_new_for_collection (self->query->collection, record, state);
  key = g_strdup (id);
  g_hash_table_insert (self->items, key, item);
  g_queue_push_head (&self->item_lru, key);
  while (g_queue_get_length (&self->item_lru) > MAX_ITEMS)
    g_hash_table_remove (self->items, g_queue_pop_tail (&self->item_lru));

  return g_object_ref (item);
}

static void
gig_record_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = gig_record_list_model_get_item_type;
  iface->get_n_items = gig_record_list_model_get_n_items;
  iface->get_item = gig_record_list_model_get_item;
}

static void
set_n_items (GigRecordListModel *self,
             guint               n_items)
{
  if (self->n_items == n_items)
    return;
  self->n_items = n_items;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Replaces every item in two signals: all removed, then all added. A single items-changed
 * (0, old, new) makes GtkListView (4.8) look for the rows it tracks among every added item, so
 * it fetches each of them, a page read per PAGE_SIZE rows: tens of thousands of items per
 * search. Removed-then-added touches only the rows that become visible. In between the model
 * is empty, which is true of nothing but is never painted. */
static void
replace_all (GigRecordListModel *self,
             guint               new_n)
{
  guint old_n = self->n_items;

  drop_pages (self);
  drop_items (self);
  self->n_items = 0;
  if (old_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);
  self->n_items = new_n;
  if (new_n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, new_n);
  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
full_refresh (GigRecordListModel *self)
{
  replace_all (self, count_rows (self));
}

/* One changed id: where was it, where is it now. FALSE if that can't be told. */
static gboolean
place_one (GigRecordListModel *self,
           const char         *id,
           guint               old_n,
           guint               new_n)
{
  gint64 old_pos = cached_position (self, id);
  gint64 new_pos = gig_store_query_position (self->store, self->query, id, NULL);

  if (new_n == old_n)
    {
      if (old_pos < 0 && new_pos < 0)
        return TRUE;                         /* not in this list before or after */
      if (old_pos < 0 || new_pos < 0)
        return FALSE;                        /* moved in from a row never read */
      drop_item (self, id);
      if (old_pos == new_pos)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), old_pos, 1, 1);
          return TRUE;
        }
      /* Moved: the rows in between shift by one. One signal, so that the count is never
       * seen wrong in between. */
      drop_pages (self);
      g_list_model_items_changed (G_LIST_MODEL (self), MIN (old_pos, new_pos),
                                  ABS (new_pos - old_pos) + 1, ABS (new_pos - old_pos) + 1);
      return TRUE;
    }

  if (new_n == old_n + 1 && old_pos < 0 && new_pos >= 0)
    {
      drop_pages (self);
      drop_item (self, id);
      set_n_items (self, new_n);
      g_list_model_items_changed (G_LIST_MODEL (self), new_pos, 0, 1);
      return TRUE;
    }

  if (new_n + 1 == old_n && old_pos >= 0 && new_pos < 0)
    {
      drop_pages (self);
      drop_item (self, id);
      set_n_items (self, new_n);
      g_list_model_items_changed (G_LIST_MODEL (self), old_pos, 1, 0);
      return TRUE;
    }

  return FALSE;
}

static void
on_store_changed (GigStore           *store,
                  int                 collection,
                  char              **ids,
                  GigRecordListModel *self)
{
  guint n_ids = g_strv_length (ids);
  guint old_n, new_n;

  if (self->query == NULL || collection != (int) self->query->collection)
    return;

  old_n = self->n_items;
  new_n = count_rows (self);

  if (n_ids == 1 && place_one (self, ids[0], old_n, new_n))
    return;

  /* Several ids that all stayed where they were: refresh those rows only. */
  if (n_ids > 1 && n_ids <= MAX_PRECISE_IDS && new_n == old_n)
    {
      gint64 positions[MAX_PRECISE_IDS];
      gboolean ok = TRUE;

      for (guint i = 0; ok && i < n_ids; i++)
        {
          gint64 old_pos = cached_position (self, ids[i]);
          gint64 new_pos = gig_store_query_position (self->store, self->query, ids[i], NULL);

          ok = old_pos == new_pos;
          positions[i] = new_pos;
        }
      if (ok)
        {
          for (guint i = 0; i < n_ids; i++)
            {
              drop_item (self, ids[i]);
              if (positions[i] >= 0)
                g_list_model_items_changed (G_LIST_MODEL (self), positions[i], 1, 1);
            }
          return;
        }
    }

  replace_all (self, new_n);
}

void
gig_record_list_model_refresh (GigRecordListModel *self)
{
  g_autoptr(GList) cached = NULL;
  guint new_n;

  g_return_if_fail (GIG_IS_RECORD_LIST_MODEL (self));

  new_n = count_rows (self);
  if (new_n != self->n_items)
    {
      replace_all (self, new_n);
      return;
    }

  /* Same count: the rows on screen come from the pages read last, so re-reading those pages
   * in place updates what is seen and keeps the scroll position; the rest is read when
   * scrolled to. One signal per page: cached pages need not be next to each other. */
  cached = g_hash_table_get_keys (self->pages);
  drop_pages (self);
  drop_items (self);
  for (GList *l = cached; l != NULL; l = l->next)
    {
      guint first = GPOINTER_TO_UINT (l->data) * PAGE_SIZE;
      guint end = MIN (first + PAGE_SIZE, self->n_items);

      if (first < end)
        g_list_model_items_changed (G_LIST_MODEL (self), first, end - first, end - first);
    }
}

GigRecordListModel *
gig_record_list_model_new (GigStore            *store,
                           const GigStoreQuery *query)
{
  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  return g_object_new (GIG_TYPE_RECORD_LIST_MODEL, "store", store, "query", query, NULL);
}

GigStore *
gig_record_list_model_get_store (GigRecordListModel *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_LIST_MODEL (self), NULL);
  return self->store;
}

const GigStoreQuery *
gig_record_list_model_get_query (GigRecordListModel *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_LIST_MODEL (self), NULL);
  return self->query;
}

void
gig_record_list_model_set_query (GigRecordListModel  *self,
                                 const GigStoreQuery *query)
{
  g_return_if_fail (GIG_IS_RECORD_LIST_MODEL (self));
  g_return_if_fail (query != NULL);

  if (self->query != NULL && gig_store_query_equal (self->query, query))
    return;

  g_clear_pointer (&self->query, gig_store_query_free);
  self->query = gig_store_query_copy (query);
  if (self->store != NULL)
    full_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
}

gint64
gig_record_list_model_find (GigRecordListModel *self,
                            const char         *id)
{
  gint64 position;

  g_return_val_if_fail (GIG_IS_RECORD_LIST_MODEL (self), -1);
  g_return_val_if_fail (id != NULL, -1);

  position = cached_position (self, id);
  if (position >= 0)
    return position;
  return gig_store_query_position (self->store, self->query, id, NULL);
}

guint
gig_record_list_model_get_cached_pages (GigRecordListModel *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_LIST_MODEL (self), 0);
  return g_hash_table_size (self->pages);
}

guint
gig_record_list_model_get_cached_items (GigRecordListModel *self)
{
  g_return_val_if_fail (GIG_IS_RECORD_LIST_MODEL (self), 0);
  return g_hash_table_size (self->items);
}

static void
gig_record_list_model_constructed (GObject *object)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (object);

  G_OBJECT_CLASS (gig_record_list_model_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (on_store_changed), self);
  self->n_items = count_rows (self);
}

static void
gig_record_list_model_dispose (GObject *object)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  if (self->pages != NULL)
    drop_pages (self);
  if (self->items != NULL)
    drop_items (self);

  G_OBJECT_CLASS (gig_record_list_model_parent_class)->dispose (object);
}

static void
gig_record_list_model_finalize (GObject *object)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (object);

  g_clear_pointer (&self->query, gig_store_query_free);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);

  G_OBJECT_CLASS (gig_record_list_model_parent_class)->finalize (object);
}

static void
gig_record_list_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_QUERY:
      g_value_set_boxed (value, self->query);
      break;
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, gig_record_list_model_get_item_type (G_LIST_MODEL (self)));
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_record_list_model_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  GigRecordListModel *self = GIG_RECORD_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_QUERY:
      if (g_value_get_boxed (value) != NULL)
        gig_record_list_model_set_query (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gig_record_list_model_class_init (GigRecordListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = gig_record_list_model_constructed;
  object_class->dispose = gig_record_list_model_dispose;
  object_class->finalize = gig_record_list_model_finalize;
  object_class->get_property = gig_record_list_model_get_property;
  object_class->set_property = gig_record_list_model_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, GIG_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY] =
    g_param_spec_boxed ("query", NULL, NULL, GIG_TYPE_STORE_QUERY,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, GIG_TYPE_RECORD,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gig_record_list_model_init (GigRecordListModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_strfreev);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&self->page_lru);
  g_queue_init (&self->item_lru);
}
