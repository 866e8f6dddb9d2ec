/* bench-store.c: GigStore figures on 100 000 realistic rows (printed, never asserted)
 *
 * SPDX-License-Identifier: MIT
 *
 * Prints `name: value (target T)` lines: page apply throughput (what an initial sync costs on
 * the store side), overlap re-reads, list queries, search and the list model.
 */
#include <glib/gstdio.h>
#include <sys/resource.h>

#include "model/gig-record-list-model.h"
#include "store/gig-store-private.h"

#define N_PROJECTS   40000
#define N_PROPOSALS  40000
#define N_MILESTONES 20000
#define PAGE         1000

static const char *words[] = {
  "design", "backend", "api", "mobile", "android", "ios", "rust", "python", "django", "react",
  "dashboard", "payments", "stripe", "migration", "database", "postgres", "analytics", "logo",
  "branding", "copywriting", "translation", "video", "editing", "seo", "marketing", "ecommerce",
  "shop", "booking", "calendar", "chat", "realtime", "maps", "gtk", "desktop", "embedded",
  "firmware", "security", "audit", "testing", "automation", "cloud", "kubernetes", "devops",
};

static char *
sentence (GRand *rand,
          guint  n_words)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
  return g_string_free (s, FALSE);
}

static char *
stamp (guint n)
{
  return g_strdup_printf ("2026-%02u-%02u %02u:%02u:%02u.%03uZ", 1 + n / 400000 % 12, 1 + n / 14400 % 28,
                          n / 600 % 24, n / 10 % 60, n % 60, (n * 7) % 1000);
}

static JsonObject *
make_record (GigCollection collection,
             guint         n,
             GRand        *rand)
{
  JsonObject *o = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%c%014u", "uprm"[collection], n);
  g_autofree char *when = stamp (n);
  g_autofree char *title = sentence (rand, 5);
  g_autofree char *text = sentence (rand, 60);
  g_autofree char *project = g_strdup_printf ("p%014u", g_rand_int_range (rand, 0, N_PROJECTS));

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "collectionId", "pbc_gd_projects");
  json_object_set_string_member (o, "collectionName", gig_collection_to_string (collection));
  switch (collection)
    {
    case GIG_COLLECTION_PROJECTS:
      json_object_set_string_member (o, "title", title);
      json_object_set_string_member (o, "description", text);
      json_object_set_double_member (o, "budget", g_rand_int_range (rand, 50, 20000));
      json_object_set_string_member (o, "currency", "EUR");
      json_object_set_string_member (o, "status", n % 4 ? "open" : "in_progress");
      json_object_set_string_member (o, "owner", n % 10 ? "usrother000001" : "usralice000001");
      json_object_set_string_member (o, "hired_freelancer", n % 4 ? "" : "usrbob00000001");
      break;
    case GIG_COLLECTION_PROPOSALS:
      json_object_set_string_member (o, "project", project);
      json_object_set_string_member (o, "freelancer", "usrbob00000001");
      json_object_set_string_member (o, "cover_letter", text);
      json_object_set_double_member (o, "amount", g_rand_int_range (rand, 50, 20000));
      json_object_set_int_member (o, "estimated_days", g_rand_int_range (rand, 1, 90));
      json_object_set_string_member (o, "status", "sent");
      break;
    case GIG_COLLECTION_MILESTONES:
      json_object_set_string_member (o, "project", project);
      json_object_set_string_member (o, "title", title);
      json_object_set_string_member (o, "description", text);
      json_object_set_double_member (o, "amount", g_rand_int_range (rand, 50, 5000));
      json_object_set_string_member (o, "due_date", when);
      json_object_set_int_member (o, "position", n % 8);
      json_object_set_string_member (o, "status", "pending");
      break;
    case GIG_COLLECTION_USERS:
    case GIG_COLLECTION_CHAT_CHANNELS:
    case GIG_COLLECTION_CHAT_MESSAGES:
    case GIG_N_COLLECTIONS:
    default:
      g_assert_not_reached ();
    }
  json_object_set_boolean_member (o, "deleted", FALSE);
  json_object_set_string_member (o, "deleted_at", "");
  json_object_set_string_member (o, "created", when);
  json_object_set_string_member (o, "updated", when);
  return o;
}

typedef struct {
  GMainLoop *loop;
  guint      pending;
} Wait;

static void
applied (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Wait *wait = data;
  g_autoptr(GError) error = NULL;

  if (!gig_store_apply_server_page_finish (GIG_STORE (source), result, NULL, &error))
    g_error ("apply: %s", error->message);
  if (--wait->pending == 0)
    g_main_loop_quit (wait->loop);
}

/* Applies all pages through the worker thread, at most two queued (a fetch would overlap). */
static double
apply_all (GigStore  *store,
           GPtrArray *pages[],
           guint      n_collections)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), 0 };
  gint64 start = g_get_monotonic_time ();

  for (guint c = 0; c < n_collections; c++)
    for (guint i = 0; i < pages[c]->len; i++)
      {
        GPtrArray *page = g_ptr_array_index (pages[c], i);
        JsonObject *last = g_ptr_array_index (page, page->len - 1);

        wait.pending++;
        gig_store_apply_server_page_async (store, GIG_COLLECTION_PROJECTS + c, page,
                                           json_object_get_string_member (last, "updated"),
                                           json_object_get_string_member (last, "id"),
                                           NULL, applied, &wait);
        while (wait.pending > 2)
          g_main_context_iteration (NULL, TRUE);
      }
  if (wait.pending > 0)
    g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
cpu_seconds (void)
{


  for (guint c = 0; c < 3; c++)
    g_ptr_array_unref (pages[c]);
  gig_store_close (store);
  gig_store_remove_files (path, NULL);
  g_rmdir (dir);
  return 0;
}
