/* gig-unread-counts.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "GigModel"

#include "config.h"

#include "model/gig-unread-counts.h"
#include "store/gig-store-chat.h"

/* The chat layer names a project's channel so (see gig_chat_cid_for_project). */
#define PROJECT_CID_PREFIX "messaging:project-"

struct _GigUnreadCounts
{
  GObject     parent_instance;

  GigStore   *store;
  char       *me;
  GHashTable *counts;     /* cid → count, only channels with unread messages */
  gulong      changed_id;
  guint       refresh_source;
};

G_DEFINE_FINAL_TYPE (GigUnreadCounts, gig_unread_counts, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
gig_unread_counts_refresh (GigUnreadCounts *self)
{
  g_return_if_fail (GIG_IS_UNREAD_COUNTS (self));

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  self->counts = gig_store_chat_unread_counts (self->store, self->me);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static gboolean
refresh_cb (gpointer user_data)
{
  GigUnreadCounts *self = user_data;

  self->refresh_source = 0;
  gig_unread_counts_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (GigStore        *store,
                  int              collection,
                  GStrv            ids,
                  GigUnreadCounts *self)
{
  /* A page of history arrives as one change per message batch: count once after them. */
  if ((collection == GIG_COLLECTION_CHAT_MESSAGES || collection == GIG_COLLECTION_CHAT_CHANNELS) &&
      self->refresh_source == 0)
    self->refresh_source = g_idle_add (refresh_cb, self);
}

GigUnreadCounts *
gig_unread_counts_new (GigStore   *store,
                       const char *me)
{
  GigUnreadCounts *self;

  g_return_val_if_fail (GIG_IS_STORE (store), NULL);

  self = g_object_new (GIG_TYPE_UNREAD_COUNTS, NULL);
  self->store = g_object_ref (store);
  self->me = g_strdup (me);
  self->counts = gig_store_chat_unread_counts (store, me);
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  return self;
}

guint
gig_unread_counts_get_channel (GigUnreadCounts *self,
                               const char      *cid)
{
  g_return_val_if_fail (GIG_IS_UNREAD_COUNTS (self), 0);

  if (cid == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, cid));
}

guint
gig_unread_counts_get_project (GigUnreadCounts *self,
                               const char      *project_id)
{
  g_autofree char *cid = NULL;

  g_return_val_if_fail (GIG_IS_UNREAD_COUNTS (self), 0);

  if (project_id == NULL)
    return 0;
  cid = g_strconcat (PROJECT_CID_PREFIX, project_id, NULL);
  return gig_unread_counts_get_channel (self, cid);
}

static void
gig_unread_counts_dispose (GObject *object)
{
  GigUnreadCounts *self = GIG_UNREAD_COUNTS (object);

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (gig_unread_counts_parent_class)->dispose (object);
}

static void
gig_unread_counts_finalize (GObject *object)
{
  GigUnreadCounts *self = GIG_UNREAD_COUNTS (object);

  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_free (self->me);

  G_OBJECT_CLASS (gig_unread_counts_parent_class)->finalize (object);
}

static void
gig_unread_counts_class_init (GigUnreadCountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gig_unread_counts_dispose;
  object_class->finalize = gig_unread_counts_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
gig_unread_counts_init (GigUnreadCounts *self)
{
}
