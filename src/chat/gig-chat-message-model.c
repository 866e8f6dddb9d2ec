/* gig-chat-message-model.c: a channel's cached messages as a lazy GListModel
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "gig-chat-message-model.h"

#define PAGE_SIZE 64
#define MAX_PAGES 16

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
  guint       n_items;
  GHashTable *pages;    /* page index → GPtrArray of GigChatMessageItem */
  gulong      changed_id;
};

static void gig_chat_message_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GigChatMessageModel, gig_chat_message_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, gig_chat_message_model_list_model_init))

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
  guint page = position / PAGE_SIZE;
  GPtrArray *items;

  if (position >= self->n_items)
    return NULL;

  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
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
  if (position % PAGE_SIZE >= items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (items, position % PAGE_SIZE));
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
  guint old_n = self->n_items, new_n;
  gint64 start = G_MAXINT64;
  gboolean ours = FALSE;
  guint i;

  if (collection != GIG_COLLECTION_CHAT_MESSAGES || ids == NULL)
    return;
  for (i = 0; ids[i] != NULL; i++)
    {
      gint64 pos = gig_store_chat_message_position (self->store, self->cid, ids[i]);
      if (pos >= 0)
        {
          ours = TRUE;
          start = MIN (start, pos);
        }
    }
  new_n = gig_store_chat_count_messages (self->store, self->cid);
  if (!ours && new_n == old_n)
    return;
  /* A message that left the channel (hard delete) has no position any more. */
  if (!ours || new_n < old_n)
    start = 0;
  start = MIN (start, (gint64) MIN (old_n, new_n));

  g_hash_table_remove_all (self->pages);
  self->n_items = new_n;
  g_list_model_items_changed (G_LIST_MODEL (self), (guint) start, old_n - (guint) start, new_n - (guint) start);
}

void
gig_chat_message_model_refresh_tail (GigChatMessageModel *self,
                                     guint                count)
{
  guint start;

  g_return_if_fail (GIG_IS_CHAT_MESSAGE_MODEL (self));

  count = MIN (count, self->n_items);
  if (count == 0)
    return;
  start = self->n_items - count;
  g_hash_table_remove (self->pages, GUINT_TO_POINTER (start / PAGE_SIZE));
  g_hash_table_remove (self->pages, GUINT_TO_POINTER ((self->n_items - 1) / PAGE_SIZE));
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

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);
  g_return_val_if_fail (cid != NULL, NULL);

  self = g_object_new (GIG_TYPE_CHAT_MESSAGE_MODEL, NULL);
  self->store = g_object_ref (store);
  self->cid = g_strdup (cid);
  self->n_items = gig_store_chat_count_messages (store, cid);
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  return self;
}
