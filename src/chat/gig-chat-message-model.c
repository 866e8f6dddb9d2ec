/* gig-chat-message-model.c: a channel's cached messages as a lazy GListModel
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "gig-chat-message-model.h"

#define PAGE_SIZE  64
#define MAX_PAGES  16
/* Rows in a freshly opened channel: enough to fill a tall window. GTK 4.8's list view makes a
 * widget for every item near its anchor (up to 200), so this, not the cache's size, decides
 * what the first frame costs; the view asks for more as it is scrolled up. */
#define FIRST_PAGE 40

struct _GigChatMessageItem
{
  GObject         parent_instance;
  GigChatMessage *message;
};

G_DEFINE_FINAL_TYPE (GigChatMessageItem, gig_chat_message_item, G_TYPE_OBJECT)

static void
gig_chat_message_item_finalize (GObject *object)
{
  GigChatMessageItem *self = GIG_CHAT_MESSAGE_ITEM (object);

  g_clear_pointer (&self->message, gig_chat_message_free);
  G_OBJECT_CLASS (gig_chat_message_item_parent_class)->finalize (object);
}

static void
gig_chat_message_item_class_init (GigChatMessageItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gig_chat_message_item_finalize;
}

static void
gig_chat_message_item_init (GigChatMessageItem *self)
{
}

const GigChatMessage *
gig_chat_message_item_get_message (GigChatMessageItem *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_MESSAGE_ITEM (self), NULL);
  return self->message;
}

/* ---------------------------------------------------------------------------------------------- */

struct _GigChatMessageModel
{
  GObject     parent_instance;

  GigStore   *store;
  char       *cid;
  guint       n_items;  /* the newest n_items messages of the channel */
  guint       n_older;  /* cached messages before the first item */
  char       *first_created, *first_id; /* the first item's place in the order */
  GHashTable *pages;    /* page index in the channel's order → GPtrArray of GigChatMessageItem */
  gulong      changed_id;
};

static void gig_chat_message_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GigChatMessageModel, gig_chat_message_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, gig_chat_message_model_list_model_init))

/* The item at @offset in the channel's order (not the model's), or NULL; owned by the page
 * cache, valid until the next call. */
static GigChatMessageItem *
item_at_offset (GigChatMessageModel *self,
                guint                offset)
{
  guint page = offset / PAGE_SIZE;
  GPtrArray *items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (items == NULL)
    {
      g_autoptr(GPtrArray) rows = gig_store_chat_get_messages (self->store, self->cid, page * PAGE_SIZE, PAGE_SIZE);
      gsize n = 0;
      g_autofree gpointer *messages = NULL;
      gsize i;

      /* Bounded memory: views only ever look at a few pages around what is visible. */
      if (g_hash_table_size (self->pages) >= MAX_PAGES)
        g_hash_table_remove_all (self->pages);
      messages = g_ptr_array_steal (rows, &n);
      items = g_ptr_array_new_full ((guint) n, g_object_unref);
      for (i = 0; i < n; i++)
        {
          GigChatMessageItem *item = g_object_new (GIG_TYPE_CHAT_MESSAGE_ITEM, NULL);
          item->message = messages[i];
          g_ptr_array_add (items, item);
        }
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
    }
  if (offset % PAGE_SIZE >= items->len)
    return NULL;
  return g_ptr_array_index (items, offset % PAGE_SIZE);
}

/* Keeps where the first item sits, so the model's start survives messages arriving before it. */
static void
remember_first (GigChatMessageModel *self)
{
  GigChatMessageItem *first = self->n_items > 0 ? item_at_offset (self, self->n_older) : NULL;

  g_clear_pointer (&self->first_created, g_free);
  g_clear_pointer (&self->first_id, g_free);
  if (first != NULL && first->message->created_at != NULL)
    {
      self->first_created = g_strdup (first->message->created_at);
      self->first_id = g_strdup (first->message->id);
    }
}

static GType
gig_chat_message_model_get_item_type (GListModel *model)
{
  return GIG_TYPE_CHAT_MESSAGE_ITEM;
}

static guint
gig_chat_message_model_get_n_items (GListModel *model)
{
  return GIG_CHAT_MESSAGE_MODEL (model)->n_items;
}

static gpointer
gig_chat_message_model_get_item (GListModel *model,
                                 guint       position)
{
  GigChatMessageModel *self = GIG_CHAT_MESSAGE_MODEL (model);
  GigChatMessageItem *item;

  if (position >= self->n_items)
    return NULL;
  item = item_at_offset (self, self->n_older + position);
  return item != NULL ? g_object_ref (item) : NULL;
}

static void
gig_chat_message_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = gig_chat_message_model_get_item_type;
  iface->get_n_items = gig_chat_message_model_get_n_items;
  iface->get_item = gig_chat_message_model_get_item;
}

static void
on_store_changed (GigStore      *store,
                  GigCollection  collection,
                  GStrv          ids,
                  gpointer       user_data)
{
  GigChatMessageModel *self = user_data;
  guint old_n = self->n_items, old_older = self->n_older, new_n, new_older, total;
  gint64 start = G_MAXINT64, end = -1;
  guint n_ours = 0;
  guint i;

  if (collection != GIG_COLLECTION_CHAT_MESSAGES || ids == NULL)
    return;
  total = gig_store_chat_count_messages (self->store, self->cid);
  /* While all of the cache is shown, history arriving at the top is shown too (the view asked
   * the service for it); otherwise the model keeps starting at the same message. */
  if (old_n == 0 || old_older == 0 || self->first_created == NULL)
    new_older = 0;
  else
    new_older = MIN (gig_store_chat_count_before (self->store, self->cid, self->first_created, self->first_id), total);
  new_n = total - new_older;

  for (i = 0; ids[i] != NULL; i++)
    {
      gint64 pos = gig_store_chat_message_position (self->store, self->cid, ids[i]);
      if (pos >= new_older)
        {
          n_ours++;
          start = MIN (start, pos - new_older);
          end = MAX (end, pos - new_older);
        }
    }

  if (n_ours == 0 && new_n == old_n)
    {
      /* Changes before the first item only move the page grid; the first row's predecessor
       * (its day and sender heading) may be new. */
      if (new_older != old_older)
        {
          g_hash_table_remove_all (self->pages);
          self->n_older = new_older;
          if (self->n_items > 0)
            g_list_model_items_changed (G_LIST_MODEL (self), 0, 1, 1);
        }
      return;
    }

  g_hash_table_remove_all (self->pages);
  self->n_older = new_older;
  self->n_items = new_n;
  remember_first (self);

  /* Older history put in at the top: added there, with the old first row re-announced, so the
   * list keeps its place and its widgets. */
  if (old_n > 0 && new_n > old_n && n_ours == new_n - old_n && end < (gint64) (new_n - old_n))
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 1, new_n - old_n + 1);
      return;
    }

  /* A message that left the channel (hard delete) has no position any more. */
  if (n_ours == 0 || new_n < old_n)
    start = 0;
  start = MIN (start, (gint64) MIN (old_n, new_n));
  g_list_model_items_changed (G_LIST_MODEL (self), (guint) start, old_n - (guint) start, new_n - (guint) start);
}

GigChatMessageItem *
gig_chat_message_model_get_previous (GigChatMessageModel *self,
                                     guint                position)
{
  GigChatMessageItem *item;

  g_return_val_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self), NULL);

  if (position > self->n_items || self->n_older + position == 0)
    return NULL;
  item = item_at_offset (self, self->n_older + position - 1);
  return item != NULL ? g_object_ref (item) : NULL;
}

guint
gig_chat_message_model_get_n_older (GigChatMessageModel *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self), 0);
  return self->n_older;
}

guint
gig_chat_message_model_load_older (GigChatMessageModel *self,
                                   guint                count)
{
  guint added;

  g_return_val_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self), 0);

  added = MIN (count, self->n_older);
  if (added == 0)
    return 0;
  /* Pages follow the channel's order, which has not changed: they stay valid. */
  self->n_older -= added;
  self->n_items += added;
  remember_first (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, added);
  return added;
}

void
gig_chat_message_model_refresh_tail (GigChatMessageModel *self,
                                     guint                count)
{
  guint start, page;

  g_return_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self));

  count = MIN (count, self->n_items);
  if (count == 0)
    return;
  start = self->n_items - count;
  for (page = (self->n_older + start) / PAGE_SIZE; page <= (self->n_older + self->n_items - 1) / PAGE_SIZE; page++)
    g_hash_table_remove (self->pages, GUINT_TO_POINTER (page));
  g_list_model_items_changed (G_LIST_MODEL (self), start, count, count);
}

const char *
gig_chat_message_model_get_cid (GigChatMessageModel *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self), NULL);
  return self->cid;
}

static void
gig_chat_message_model_dispose (GObject *object)
{
  GigChatMessageModel *self = GIG_CHAT_MESSAGE_MODEL (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (gig_chat_message_model_parent_class)->dispose (object);
}

static void
gig_chat_message_model_finalize (GObject *object)
{
  GigChatMessageModel *self = GIG_CHAT_MESSAGE_MODEL (object);

  g_free (self->cid);
  g_free (self->first_created);
  g_free (self->first_id);
  g_hash_table_unref (self->pages);
  G_OBJECT_CLASS (gig_chat_message_model_parent_class)->finalize (object);
}

static void
gig_chat_message_model_class_init (GigChatMessageModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_chat_message_model_dispose;
  object_class->finalize = gig_chat_message_model_finalize;
}

static void
gig_chat_message_model_init (GigChatMessageModel *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
}

GigChatMessageModel *
gig_chat_message_model_new (GigStore   *store,
                            const char *cid)
{
  GigChatMessageModel *self;
  guint total;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (cid != NULL, NULL);

  self = g_object_new (GIG_TYPE_CHAT_MESSAGE_MODEL, NULL);
  self->store = g_object_ref (store);
  self->cid = g_strdup (cid);
  total = gig_store_chat_count_messages (store, cid);
  self->n_items = MIN (total, FIRST_PAGE);
  self->n_older = total - self->n_items;
  remember_first (self);
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  return self;
}
