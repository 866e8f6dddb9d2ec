/* gig-query-ids-model.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include "gig-query-ids-model.h"

#define PAGE_SIZE 200
/* A list view shows a screenful; a handful of pages covers scrolling back and forth. */
#define MAX_PAGES 8

struct _GigQueryIdsModel
{
  GObject        parent_instance;

  GigStore      *store;
  GigStoreQuery *query;
  guint          n_items;
  GHashTable    *pages;   /* page index → GStrv */
  gulong         changed_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GigQueryIdsModel, gig_query_ids_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static guint
count_rows (GigQueryIdsModel *self)
{
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (!gig_store_query_count (self->store, self->query, &count, &error))
    {
      g_warning ("Could not count %s: %s", gig_collection_to_string (self->query->collection),
                 error->message);
      return 0;
    }

  return count;
}

static GStrv
get_page (GigQueryIdsModel *self,
          guint             page)
{
  GStrv ids = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  g_autoptr(GError) error = NULL;

  if (ids != NULL)
    return ids;

  if (g_hash_table_size (self->pages) >= MAX_PAGES)
    g_hash_table_remove_all (self->pages);

  ids = gig_store_query_ids (self->store, self->query, page * PAGE_SIZE, PAGE_SIZE, &error);
  if (ids == NULL)
    {
      g_warning ("Could not list %s: %s", gig_collection_to_string (self->query->collection),
                 error ? error->message : "?");
      return NULL;
    }

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), ids);
  return ids;
}

const char *
gig_query_ids_model_get_id (GigQueryIdsModel *self,
                            guint             position)
{
  GStrv ids;
  guint offset = position % PAGE_SIZE;

  g_return_val_if_fail (GIG_IS_QUERY_IDS_MODEL (self), NULL);

  if (position >= self->n_items)
    return NULL;

  ids = get_page (self, position / PAGE_SIZE);
  if (ids == NULL || g_strv_length (ids) <= offset)
    return NULL;

  return ids[offset];
}

static GType
get_item_type (GListModel *model)
{
  return GTK_TYPE_STRING_OBJECT;
}

static guint
get_n_items (GListModel *model)
{
  return GIG_QUERY_IDS_MODEL (model)->n_items;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  const char *id = gig_query_ids_model_get_id (GIG_QUERY_IDS_MODEL (model), position);

  return id != NULL ? gtk_string_object_new (id) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Replaces every item in two steps. One items-changed over the whole range makes GtkListView
 * look for reusable rows among all the added items, fetching each of them: tens of thousands
 * of page reads per keystroke. Removing, then adding, touches only what becomes visible. */
static void
replace_all (GigQueryIdsModel *self,
             guint             new_n)
{
  guint old_n = self->n_items;

  g_hash_table_remove_all (self->pages);
  self->n_items = 0;
  if (old_n != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, 0);
  self->n_items = new_n;
  if (new_n != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, new_n);
}

void
gig_query_ids_model_refresh (GigQueryIdsModel *self)
{
  g_autoptr(GList) cached = NULL;
  guint new_n, first = G_MAXUINT, last = 0;

  g_return_if_fail (GIG_IS_QUERY_IDS_MODEL (self));

  new_n = count_rows (self);
  if (new_n != self->n_items)
    {
      replace_all (self, new_n);
      return;
    }

  /* Same count: rows may have changed or moved. The rows on screen come from the pages read
   * last, so re-reading just that range keeps the scroll position and updates what is seen;
   * everything else is read fresh when it is scrolled to. */
  cached = g_hash_table_get_keys (self->pages);
  for (GList *l = cached; l != NULL; l = l->next)
    {
      first = MIN (first, GPOINTER_TO_UINT (l->data));
      last = MAX (last, GPOINTER_TO_UINT (l->data));
    }
  g_hash_table_remove_all (self->pages);
  if (cached == NULL || new_n == 0)
    return;

  first *= PAGE_SIZE;
  last = MIN ((last + 1) * PAGE_SIZE, new_n);
  if (first < last)
    g_list_model_items_changed (G_LIST_MODEL (self), first, last - first, last - first);
}

static void
on_store_changed (GigQueryIdsModel *self,
                  int               collection)
{
  if ((GigCollection) collection == self->query->collection ||
      /* Proposals and milestones are listed by their project. */
      (collection == GIG_COLLECTION_PROJECTS && self->query->collection != GIG_COLLECTION_USERS))
    gig_query_ids_model_refresh (self);
}

const GigStoreQuery *
gig_query_ids_model_get_query (GigQueryIdsModel *self)
{
  g_return_val_if_fail (GIG_IS_QUERY_IDS_MODEL (self), NULL);

  return self->query;
}

void
gig_query_ids_model_set_query (GigQueryIdsModel    *self,
                               const GigStoreQuery *query)
{
  g_return_if_fail (GIG_IS_QUERY_IDS_MODEL (self));
  g_return_if_fail (query != NULL);

  if (self->query != NULL && gig_store_query_equal (self->query, query))
    return;

  g_clear_pointer (&self->query, gig_store_query_free);
  self->query = gig_store_query_copy (query);
  replace_all (self, count_rows (self));
}

guint
gig_query_ids_model_get_cached_pages (GigQueryIdsModel *self)
{
  g_return_val_if_fail (GIG_IS_QUERY_IDS_MODEL (self), 0);

  return g_hash_table_size (self->pages);
}

GigQueryIdsModel *
gig_query_ids_model_new (GigStore            *store,
                         const GigStoreQuery *query)
{
  GigQueryIdsModel *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (GIG_TYPE_QUERY_IDS_MODEL, NULL);
  self->store = g_object_ref (store);
  self->query = gig_store_query_copy (query);
  self->n_items = count_rows (self);
  self->changed_id = g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed),
                                              self, G_CONNECT_SWAPPED);

  return self;
}

static void
gig_query_ids_model_finalize (GObject *object)
{
  GigQueryIdsModel *self = GIG_QUERY_IDS_MODEL (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->query, gig_store_query_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (gig_query_ids_model_parent_class)->finalize (object);
}

static void
gig_query_ids_model_class_init (GigQueryIdsModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gig_query_ids_model_finalize;
}

static void
gig_query_ids_model_init (GigQueryIdsModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_strfreev);
}
