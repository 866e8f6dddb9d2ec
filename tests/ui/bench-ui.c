/* bench-ui.c: start-up, search-as-you-type and memory of the main window over a store holding
 * 100 000 records, against the same with an empty store. Prints `name: value (target T)`.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "gig-test-ui.h"
#include "ui/gig-window.h"
#include "model/gig-record-list-model.h"

#define ME "benchuser000001"
#define RUNS 9

static const char *words[] = {
  "logo", "bakery", "website", "migration", "database", "android", "python", "design", "shop",
  "invoice", "garden", "translation", "video", "podcast", "brand", "kitchen", "booking", "api",
};

static JsonObject *
record (GigCollection collection, guint i)
{
  JsonObject *o = json_object_new ();
  g_autofree char *id = g_strdup_printf ("%c%014u", "xpqm"[collection], i);
  g_autofree char *stamp = g_strdup_printf ("2026-%02u-%02u %02u:%02u:%02u.%03uZ", 1 + i % 12, 1 + i % 28,
                                            i % 24, i % 60, (i / 60) % 60, i % 1000);
  g_autofree char *project = g_strdup_printf ("p%014u", i % 40000);
  g_autofree char *text = g_strdup_printf ("%s %s for a %s: %s, %s and %s, delivered in stages with weekly calls",
                                           words[i % G_N_ELEMENTS (words)], words[(i / 7) % G_N_ELEMENTS (words)],
                                           words[(i / 3) % G_N_ELEMENTS (words)], words[(i / 11) % G_N_ELEMENTS (words)],
                                           words[(i / 13) % G_N_ELEMENTS (words)], words[(i / 17) % G_N_ELEMENTS (words)]);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "created", stamp);
  json_object_set_string_member (o, "updated", stamp);
  json_object_set_boolean_member (o, "deleted", FALSE);

  switch (collection)
    {
    case GIG_COLLECTION_PROJECTS:
      json_object_set_string_member (o, "title", text + strlen (words[i % G_N_ELEMENTS (words)]) + 1);
      json_object_set_string_member (o, "description", text);
      json_object_set_double_member (o, "budget", 100 + (i * 37) % 9000);
      json_object_set_string_member (o, "currency", "EUR");
      json_object_set_string_member (o, "status", i % 4 == 0 ? "in_progress" : "open");
      json_object_set_string_member (o, "owner", i % 50 == 0 ? ME : "someoneelse0001");
      json_object_set_string_member (o, "hired_freelancer", "");
      break;
    case GIG_COLLECTION_PROPOSALS:
      json_object_set_string_member (o, "project", project);
      json_object_set_string_member (o, "freelancer", i % 40 == 0 ? ME : "freelancer00001");
      json_object_set_string_member (o, "cover_letter", text);
      json_object_set_double_member (o, "amount", 100 + i % 5000);
      json_object_set_int_member (o, "estimated_days", 1 + i % 60);
      json_object_set_string_member (o, "status", "sent");
      break;
    case GIG_COLLECTION_MILESTONES:
    default:
      json_object_set_string_member (o, "project", project);
      json_object_set_string_member (o, "title", text);
      json_object_set_double_member (o, "amount", 50 + i % 800);
      json_object_set_int_member (o, "position", i % 5);
      json_object_set_string_member (o, "status", "pending");
      break;
    }

  return o;
}

static void
fill (const char *path)
{
  const struct { GigCollection collection; guint count; } plan[] = {
    { GIG_COLLECTION_PROJECTS, 40000 },
    { GIG_COLLECTION_PROPOSALS, 40000 },
    { GIG_COLLECTION_MILESTONES, 20000 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);

  g_assert_no_error (error);
  for (guint p = 0; p < G_N_ELEMENTS (plan); p++)
    for (guint start = 0; start < plan[p].count; start += 1000)
      {
        g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

        for (guint i = start; i < start + 1000; i++)
          g_ptr_array_add (page, record (plan[p].collection, i));
        g_assert_true (gig_store_apply_server_page (store, plan[p].collection, page, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
      }
  gig_store_close (store);
}

static guint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

typedef struct
{
  gint64   before;   /* the frame started (before-paint) */
  gint64   after;    /* the frame was painted (after-paint) */
} Paint;

static void
on_before_paint (GdkFrameClock *clock, Paint *paint)
{
  if (paint->before == 0)
    paint->before = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock, Paint *paint)
{
  if (paint->before != 0 && paint->after == 0)
    paint->after = g_get_monotonic_time ();
}

/* Runs the main loop until the next frame has been painted. */
static Paint
wait_for_paint (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  Paint paint = { 0, 0 };
  gulong before = g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &paint);
  gulong after = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &paint);

  gtk_widget_queue_draw (window);
  while (paint.after == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, before);
  g_signal_handler_disconnect (clock, after);
  return paint;
}

/* The list as the first frame should show it: rows, or the empty state. */
static gboolean
list_shown (GigWindow *window)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, "list_stack"));
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW, "list_view"));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), "empty") == 0)
    return gtk_widget_get_mapped (stack);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (gtk_widget_get_mapped (row))
      return TRUE;
  return FALSE;
}

/* Child mode: open the store, show the window, report when the list has been painted (as a
 * CLOCK_MONOTONIC time, which the parent shares), then let the work that follows the first
 * frame finish and report the peak RSS. */
static int
run_startup (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = NULL;
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GigWindow *window;
  Paint paint;

  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 800);
  store = gig_store_new_for_path (path, &error);
  g_assert_no_error (error);
  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, store, NULL, NULL);

    gig_window_set_account (window, account);
  }
  gtk_window_present (GTK_WINDOW (window));
  do
    paint = wait_for_paint (GTK_WIDGET (window));
  while (!list_shown (window));
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);

  printf ("painted %u %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
          g_list_model_get_n_items (gig_window_get_list_model (window)), peak_rss_kb (), paint.after);
  fflush (stdout);
  return 0;
}

typedef struct
{
  double   seconds;       /* to the first frame that shows the list */
  double   settled;       /* to the end of the work that follows it */
  double   cpu_seconds;   /* user + system time of the child, to the end */
  guint64  rss_kb;
  guint    items;
} Startup;

static double
children_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static Startup
measure_startup (const char *self_exe, const char *path)
{
  const char *argv[] = { self_exe, "--startup", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  Startup result = { 0 };
  double cpu = children_cpu_seconds ();
  gint64 start = g_get_monotonic_time ();

  gint64 painted = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  result.settled = (g_get_monotonic_time () - start) / 1e6;
  result.cpu_seconds = children_cpu_seconds () - cpu;
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "painted"));
  sscanf (strstr (out, "painted"), "painted %u %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
          &result.items, &result.rss_kb, &painted);
  g_assert_cmpint (painted, >, start);
  result.seconds = (painted - start) / 1e6;
  return result;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Empty and full runs alternate, so that load from elsewhere on the machine weighs on both
 * alike; medians of wall-clock and of CPU time (the latter hardly moved by other load). */
static void
median_startups (const char *self_exe,
                 const char *empty,
                 const char *full,
                 Startup    *out_empty,
                 Startup    *out_full)
{
  double times[2][RUNS], settled[2][RUNS], cpu[2][RUNS];
  Startup last[2] = { { 0 } };
  guint64 rss[2] = { 0, 0 };

  /* One run each first to warm the page cache, not counted. */
  measure_startup (self_exe, empty);
  measure_startup (self_exe, full);
  for (guint i = 0; i < RUNS; i++)
    for (guint k = 0; k < 2; k++)
      {
        last[k] = measure_startup (self_exe, k == 0 ? empty : full);
        times[k][i] = last[k].seconds;
        settled[k][i] = last[k].settled;
        cpu[k][i] = last[k].cpu_seconds;
        rss[k] = MAX (rss[k], last[k].rss_kb);
      }
  for (guint k = 0; k < 2; k++)
    {
      qsort (times[k], RUNS, sizeof (double), compare_double);
      qsort (settled[k], RUNS, sizeof (double), compare_double);
      qsort (cpu[k], RUNS, sizeof (double), compare_double);
      last[k].seconds = times[k][RUNS / 2];
      last[k].settled = settled[k][RUNS / 2];
      last[k].cpu_seconds = cpu[k][RUNS / 2];
      last[k].rss_kb = rss[k];
    }
  printf ("# start-up wall ms, empty: %.0f..%.0f, full: %.0f..%.0f (%u runs each)\n",
          times[0][0] * 1000, times[0][RUNS - 1] * 1000, times[1][0] * 1000, times[1][RUNS - 1] * 1000, RUNS);
  *out_empty = last[0];
  *out_full = last[1];
}

static void
idle_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Keys about 100 ms apart (a fast typist; shorter than the entry's search delay), each at a
 * random moment of the 60 Hz frame cycle as real key presses come: while the entry's caret
 * animates, the frame clock runs and a change shows in the next frame, so the figure is the
 * wait for that frame (0 to 16.7 ms) plus the keystroke's own work. */
static void
measure_typing_spaced (GtkWidget   *window,
                       GtkEditable *entry,
                       const char  *word)
{
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  g_autoptr(GArray) frame = g_array_new (FALSE, FALSE, sizeof (double));
  double worst = 0;

  for (guint round = 0; round < 3; round++)
    {
      gtk_editable_set_text (entry, "");
      wait_for_paint (window);
      idle_for (300);
      for (guint i = 1; i <= strlen (word); i++)
        {
          g_autofree char *prefix = g_strndup (word, i);
          gint64 start;
          Paint paint;
          double ms, cpu;

          idle_for (100);
          g_usleep (g_rand_int_range (rand, 0, G_USEC_PER_SEC / 60));
          cpu = self_cpu_seconds ();
          start = g_get_monotonic_time ();
          gtk_editable_set_text (entry, prefix);
          paint = wait_for_paint (window);
          ms = (paint.after - start) / 1000.0;
          g_array_append_val (latency, ms);
          worst = MAX (worst, ms);
          /* Waiting for the frame uses no CPU: this is the keystroke's own work. */
          ms = (self_cpu_seconds () - cpu) * 1000;
          g_array_append_val (frame, ms);
        }
    }
  g_array_sort (latency, compare_double);
  g_array_sort (frame, compare_double);
  printf ("search-as-you-type keystroke to painted frame, keys at random moments: %.1f ms median, %.1f ms worst (target 16 ms)\n",
          g_array_index (latency, double, latency->len / 2), worst);
  printf ("keystroke CPU time (entry change, layout and paint of its frame): %.1f ms median, %.1f ms worst\n",
          g_array_index (frame, double, frame->len / 2), g_array_index (frame, double, frame->len - 1));
}

static void
measure_search (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GigStore) store = gig_store_new_for_path (path, &error);
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GigSession) session = gig_session_new (client);
  const char *typed[] = { "b", "ba", "bak", "bake", "baker", "bakery", " ", "bakery d", "bakery de",
                          "bakery des", "bakery desi", "bakery desig", "bakery design" };
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GigWindow *window;
  double total = 0, worst = 0;

  g_assert_no_error (error);

  /* Where the time goes: the store's own count and first page for each text. */
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autoptr(GigStoreQuery) query = gig_store_query_new (GIG_COLLECTION_PROJECTS, GIG_STORE_SCOPE_OPEN_PROJECTS);
      g_auto(GStrv) ids = NULL;
      gint64 t0, t1, t2;
      guint count = 0;

      query->text = g_strdup (typed[i]);
      query->me = g_strdup (ME);
      t0 = g_get_monotonic_time ();
      gig_store_query_count (store, query, &count, NULL);
      t1 = g_get_monotonic_time ();
      ids = gig_store_query_ids (store, query, 0, 200, NULL);
      t2 = g_get_monotonic_time ();
      printf ("# store: \"%s\" count %u in %.1f ms, first 200 ids in %.1f ms\n",
              typed[i], count, (t1 - t0) / 1000.0, (t2 - t1) / 1000.0);
    }

  window = g_object_new (GIG_TYPE_WINDOW, NULL);
  {
    g_autoptr(GigAccount) account = gig_account_new_for_parts (ME, session, store, NULL, NULL);

    gig_window_set_account (window, account);
  }
  gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);

  /* Typing: each keystroke changes the entry; the list follows once the entry reports the
   * search (GtkSearchEntry waits for a short pause in typing). */
  {
    GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (window), GIG_TYPE_WINDOW,
                                                                      "search_entry"));
    const char *word = "bakery design";
    g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (double));
    double worst_key = 0;

    gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
    for (guint round = 0; round < 3; round++)
      {
        gint64 typed_all;
        double shown;

        gtk_editable_set_text (entry, "");
        gig_test_ui_wait_for_draw (GTK_WINDOW (window), 2);
        for (guint i = 1; i <= strlen (word); i++)
          {
            g_autofree char *prefix = g_strndup (word, i);
            gint64 start = g_get_monotonic_time ();
            double elapsed;

            gtk_editable_set_text (entry, prefix);
            gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);
            elapsed = (g_get_monotonic_time () - start) / 1000.0;
            g_array_append_val (keys, elapsed);
            worst_key = MAX (worst_key, elapsed);
          }
        typed_all = g_get_monotonic_time ();
        while (g_strcmp0 (gig_record_list_model_get_query (GIG_RECORD_LIST_MODEL (gig_window_get_list_model (window)))->text,
                          word) != 0)
          g_main_context_iteration (NULL, TRUE);
        gig_test_ui_wait_for_draw (GTK_WINDOW (window), 1);
        shown = (g_get_monotonic_time () - typed_all) / 1000.0;
        if (round == 2)
          printf ("search results shown after the last keystroke: %.0f ms (%u matches; includes the entry's pause)\n",
                  shown, g_list_model_get_n_items (gig_window_get_list_model (window)));
      }
    g_array_sort (keys, compare_double);
    printf ("search-as-you-type keystroke to next frame, keys back to back: %.1f ms median, %.1f ms worst "
            "(target 16 ms; a key that comes just after a frame waits for the 60 Hz frame clock)\n",
            g_array_index (keys, double, keys->len / 2), worst_key);
    measure_typing_spaced (GTK_WIDGET (window), entry, word);
  }

  /* The query and list replacement themselves, as when the pause is over: to the painted
   * frame, and the CPU time of it (which other load on the machine hardly moves). */
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
      {
        gint64 start = g_get_monotonic_time ();
        double cpu_start = self_cpu_seconds ();
        double elapsed;

        gig_window_set_search_text (window, typed[i]);
        wait_for_paint (GTK_WIDGET (window));
        elapsed = (g_get_monotonic_time () - start) / 1000.0;
        g_array_append_val (ms, elapsed);
        total += elapsed;
        worst = MAX (worst, elapsed);
        elapsed = (self_cpu_seconds () - cpu_start) * 1000;
        g_array_append_val (cpu_ms, elapsed);
      }

  g_array_sort (ms, compare_double);
  g_array_sort (cpu_ms, compare_double);
  printf ("search query and list update: %.1f ms median, %.1f ms worst (mean %.1f ms, %u searches)\n",
          g_array_index (ms, double, ms->len / 2), worst, total / ms->len, ms->len);
  printf ("search query and list update, CPU time: %.1f ms median, %.1f ms worst\n",
          g_array_index (cpu_ms, double, cpu_ms->len / 2), g_array_index (cpu_ms, double, cpu_ms->len - 1));
  gtk_window_destroy (GTK_WINDOW (window));
  gig_store_close (store);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *full = NULL;
  g_autofree char *self_exe = NULL;
  Startup cold_empty, cold_full;
  gint64 start;

  if (argc == 3 && g_str_equal (argv[1], "--startup"))
    {
      gig_test_ui_init (&argc, &argv);
      return run_startup (argv[2]);
    }
  /* For profiling by hand: make the 100 000-record store and keep it (--fill), then run the
   * start-up child (--startup) or the search part (--search) on it. */
  if (argc == 3 && g_str_equal (argv[1], "--fill"))
    {
      fill (argv[2]);
      return 0;
    }
  if (argc == 3 && g_str_equal (argv[1], "--search"))
    {
      gig_test_ui_init (&argc, &argv);
      measure_search (argv[2]);
      return 0;
    }

  gig_test_ui_init (&argc, &argv);
  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  dir = g_dir_make_tmp ("gigdesk-bench-ui-XXXXXX", &error);
  g_assert_no_error (error);
  empty = g_build_filename (dir, "empty.sqlite", NULL);
  full = g_build_filename (dir, "full.sqlite", NULL);
  {
    g_autoptr(GigStore) store = gig_store_new_for_path (empty, &error);
    g_assert_no_error (error);
    gig_store_close (store);
  }
  start = g_get_monotonic_time ();
  fill (full);
  printf ("# filled a store with 100000 records in %.1f s\n", (g_get_monotonic_time () - start) / 1e6);

  median_startups (self_exe, empty, full, &cold_empty, &cold_full);
  printf ("cold start to first painted frame of the list, empty cache: %.0f ms\n", cold_empty.seconds * 1000);
  printf ("cold start to first painted frame of the list, 100000 cached (%u listed): %.0f ms\n", cold_full.items,
          cold_full.seconds * 1000);
  printf ("cold start ratio: %.2f (target 1.3)\n", cold_full.seconds / cold_empty.seconds);
  printf ("# cold start to the end of the work after the first frame: empty %.0f ms, full %.0f ms, ratio %.2f\n",
          cold_empty.settled * 1000, cold_full.settled * 1000, cold_full.settled / cold_empty.settled);
  printf ("# cold start CPU time (to that end): empty %.0f ms, full %.0f ms, ratio %.2f\n",
          cold_empty.cpu_seconds * 1000, cold_full.cpu_seconds * 1000, cold_full.cpu_seconds / cold_empty.cpu_seconds);
  printf ("peak RSS, empty cache: %" G_GUINT64_FORMAT " KiB\n", cold_empty.rss_kb);
  printf ("peak RSS, 100000 cached: %" G_GUINT64_FORMAT " KiB\n", cold_full.rss_kb);
  printf ("peak RSS ratio: %.2f (target 1.5)\n", (double) cold_full.rss_kb / MAX (cold_empty.rss_kb, 1));

  measure_search (full);

  gig_store_remove_files (empty, NULL);
  gig_store_remove_files (full, NULL);
  g_rmdir (dir);
  return 0;
}
