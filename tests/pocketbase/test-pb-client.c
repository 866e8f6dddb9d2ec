/* test-pb-client.c: GigPbClient and GigPbRealtime against a real PocketBase.
 *
 * SPDX-License-Identifier: MIT
 */
#include "core/gig-jwt.h"
#include "core/gig-id.h"
#include "pocketbase/gig-pb-client.h"
#include "pocketbase/gig-pb-realtime.h"

#include "gig-test-pb.h"
#include "gig-test-async.h"

static GigTestPb *pb;

static GigPbClient *
client_for (const char *token)
{
  GigPbClient *client = gig_pb_client_new (gig_test_pb_get_url (pb));

  gig_pb_client_set_token (client, token);
  return client;
}

static JsonObject *
new_project (const char *id, const char *owner, const char *title, const char *status)
{
  JsonObject *fields = json_object_new ();

  if (id != NULL)
    json_object_set_string_member (fields, "id", id);
  json_object_set_string_member (fields, "owner", owner);
  json_object_set_string_member (fields, "title", title);
  json_object_set_string_member (fields, "description", "A logo and a small brand guide for a bakery.");
  json_object_set_int_member (fields, "budget", 500);
  json_object_set_string_member (fields, "status", status);
  return fields;
}

static JsonObject *
create_record (GigPbClient *client, const char *collection, JsonObject *fields, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_create_record_async (client, collection, fields, NULL, gig_test_async_store, &result);
  return gig_pb_client_create_record_finish (client, gig_test_async_wait (&result), error);
}

static JsonObject *
update_record (GigPbClient *client, const char *collection, const char *id, JsonObject *fields, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_update_record_async (client, collection, id, fields, NULL, gig_test_async_store, &result);
  return gig_pb_client_update_record_finish (client, gig_test_async_wait (&result), error);
}

static JsonObject *
get_record (GigPbClient *client, const char *collection, const char *id, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_get_record_async (client, collection, id, NULL, gig_test_async_store, &result);
  return gig_pb_client_get_record_finish (client, gig_test_async_wait (&result), error);
}

static GPtrArray *
list_page (GigPbClient *client, const char *collection, const char *after_updated,
           const char *after_id, const char *filter, guint per_page, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_list_records_async (client, collection, after_updated, after_id, filter, NULL,
                                    per_page, NULL, gig_test_async_store, &result);
  return gig_pb_client_list_records_finish (client, gig_test_async_wait (&result), error);
}

static GPtrArray *
run_batch (GigPbClient *client, GigPbBatch *batch, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  gig_pb_client_batch_async (client, batch, NULL, gig_test_async_store, &result);
  return gig_pb_client_batch_finish (client, gig_test_async_wait (&result), error);
}

/* ------------------------------------------------------------------------------------------ */

static void
test_sign_up_and_in (void)
{
  g_autoptr(GigPbClient) client = client_for (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) signed_in = NULL;
  g_autofree char *email = g_strdup_printf ("signup.%08x@gigdesk.test", g_random_int ());
  g_autofree char *token = NULL;

  gig_pb_client_sign_up_async (client, email, "correct-horse-1", "Ada", NULL, gig_test_async_store, &result);
  created = gig_pb_client_sign_up_finish (client, gig_test_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_true (gig_id_is_valid (json_object_get_string_member (created, "id")));
  g_assert_cmpstr (json_object_get_string_member (created, "name"), ==, "Ada");
  g_assert_null (gig_pb_client_get_token (client));
  g_clear_object (&result);

  /* The same email again (another password): answered like a fresh sign-up, so nobody learns
   * that the address has an account, but nothing is stored (the sign-in below gets the first
   * account). */
  {
    g_autoptr(JsonObject) again = NULL;

    gig_pb_client_sign_up_async (client, email, "another-horse-2", "Eve", NULL, gig_test_async_store, &result);
    again = gig_pb_client_sign_up_finish (client, gig_test_async_wait (&result), &error);
    g_assert_no_error (error);
    g_assert_true (gig_id_is_valid (json_object_get_string_member (again, "id")));
    g_assert_cmpstr (json_object_get_string_member (again, "id"), !=,
                     json_object_get_string_member (created, "id"));
    g_assert_false (json_object_has_member (again, "email"));
    g_clear_object (&result);
  }

  gig_pb_client_sign_in_with_password_async (client, email, "correct-horse-1", NULL,
                                             gig_test_async_store, &result);
  signed_in = gig_pb_client_sign_in_with_password_finish (client, gig_test_async_wait (&result), &token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (signed_in, "id"), ==,
                   json_object_get_string_member (created, "id"));
  g_assert_cmpstr (json_object_get_string_member (signed_in, "email"), ==, email);
  g_assert_cmpstr (json_object_get_string_member (signed_in, "name"), ==, "Ada");
  g_assert_nonnull (token);
  g_assert_cmpstr (gig_pb_client_get_token (client), ==, token);
  g_assert_cmpint (gig_jwt_get_expiry (token), >, g_get_real_time () / G_USEC_PER_SEC);
}

static void
test_wrong_password (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "wrongpw");
  g_autoptr(GigPbClient) client = client_for (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  gig_pb_client_sign_in_with_password_async (client, user->email, "not-the-password", NULL,
                                             gig_test_async_store, &result);
  g_assert_null (gig_pb_client_sign_in_with_password_finish (client, gig_test_async_wait (&result),
                                                             &token, &error));
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_INVALID_CREDENTIALS);
  g_assert_cmpstr (error->message, ==, "Failed to authenticate.");
  g_assert_cmpuint (gig_pb_error_get_status (error), ==, 400);
  g_assert_null (token);
  g_assert_null (gig_pb_client_get_token (client));
}

static void
test_refresh (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "refresh");
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *token = NULL;

  /* exp has second resolution: make the new token's exp visibly later */
  g_usleep (1100 * 1000);
  gig_pb_client_auth_refresh_async (client, NULL, gig_test_async_store, &result);
  record = gig_pb_client_auth_refresh_finish (client, gig_test_async_wait (&result), &token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, user->id);
  g_assert_cmpstr (token, !=, user->token);
  g_assert_cmpint (gig_jwt_get_expiry (token), >, gig_jwt_get_expiry (user->token));
  g_assert_cmpstr (gig_pb_client_get_token (client), ==, token);
  g_clear_object (&result);
  g_clear_pointer (&record, json_object_unref);

  /* A tampered token is refused with a 401, mapped to AUTH_REQUIRED */
  {
    g_autofree char *tampered = g_strconcat (token, "x", NULL);

    gig_pb_client_set_token (client, tampered);
    gig_pb_client_auth_refresh_async (client, NULL, gig_test_async_store, &result);
    record = gig_pb_client_auth_refresh_finish (client, gig_test_async_wait (&result), NULL, &error);
    g_assert_null (record);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_AUTH_REQUIRED);
    g_assert_cmpuint (gig_pb_error_get_status (error), ==, 401);
  }
}

static void
test_create_with_client_id (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "creator");
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = gig_id_new ();
  g_autoptr(JsonObject) fields = new_project (id, user->id, "Logo for a bakery", "open");
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) fetched = NULL;

  g_assert_true (gig_id_is_valid (id));
  created = create_record (client, "projects", fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (created, "id"), ==, id);
  g_assert_nonnull (gig_stamp_parse (json_object_get_string_member (created, "updated")));

  /* A resend after a lost response must not duplicate: the server says the id is taken */
  again = create_record (client, "projects", fields, &error);
  g_assert_null (again);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_UNIQUE);
  g_assert_cmpstr (gig_pb_error_get_field_code (error, "id"), ==, "validation_not_unique");
  g_assert_cmpstr (g_hash_table_lookup (gig_pb_error_get_field_errors (error), "id"), ==, "Value must be unique.");
  g_assert_cmpstr (error->message, ==, "Failed to create record.");
  g_clear_error (&error);

  fetched = get_record (client, "projects", id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (fetched, "title"), ==, "Logo for a bakery");

  /* Someone else cannot see it once it is not open: 404 → NOT_FOUND */
  {
    g_autoptr(GigTestPbUser) other = gig_test_pb_create_user (pb, "other");
    g_autoptr(GigPbClient) other_client = client_for (other->token);
    g_autoptr(JsonObject) missing = get_record (other_client, "projects", "doesnotexist123", &error);

    g_assert_null (missing);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* Field errors keep the server's per-field messages */
  {
    g_autoptr(JsonObject) bad = new_project (NULL, user->id, "", "open");
    g_autoptr(JsonObject) none = NULL;
    GHashTable *fields_errors;

    json_object_set_int_member (bad, "budget", -5);
    none = create_record (client, "projects", bad, &error);
    g_assert_null (none);
    g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
    fields_errors = gig_pb_error_get_field_errors (error);
    g_assert_true (g_hash_table_contains (fields_errors, "title"));
    g_assert_true (g_hash_table_contains (fields_errors, "budget"));
    g_assert_cmpstr (gig_pb_error_get_field_code (error, "title"), ==, "validation_required");
  }
}

static void
test_update_changed_fields (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "updater");
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = gig_id_new ();
  g_autoptr(JsonObject) fields = new_project (id, user->id, "Original title", "open");
  g_autoptr(JsonObject) created = create_record (client, "projects", fields, &error);
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(JsonObject) updated = NULL;
  g_autoptr(JsonNode) other = NULL;
  g_autofree char *path = g_strdup_printf ("/api/collections/projects/records/%s", id);
  guint status = 0;

  g_assert_no_error (error);

  /* Another device edits the description in the meantime */
  other = gig_test_pb_call (pb, user->token, "PATCH", path, "{\"description\":\"Edited elsewhere\"}", &status);
  g_assert_cmpuint (status, ==, 200);

  /* Sending only the budget must leave that description alone */
  json_object_set_int_member (changes, "budget", 750);
  updated = update_record (client, "projects", id, changes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (updated, "budget"), ==, 750);
  g_assert_cmpstr (json_object_get_string_member (updated, "description"), ==, "Edited elsewhere");
  g_assert_cmpstr (json_object_get_string_member (updated, "title"), ==, "Original title");
  g_assert_cmpstr (json_object_get_string_member (updated, "updated"), >=,
                   json_object_get_string_member (created, "updated"));
}

static void
test_batch_all_or_nothing (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "batcher");
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *first = gig_id_new ();
  g_autofree char *second = gig_id_new ();
  g_autoptr(JsonObject) good = new_project (first, user->id, "Good one", "open");
  g_autoptr(JsonObject) bad = new_project (second, user->id, "", "open");
  g_autoptr(JsonObject) missing = NULL;

  gig_pb_batch_add_create (batch, "projects", good);
  gig_pb_batch_add_create (batch, "projects", bad);
  g_assert_cmpuint (gig_pb_batch_get_length (batch), ==, 2);
  results = run_batch (client, batch, &error);
  g_assert_null (results);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_VALIDATION);
  g_assert_cmpint (gig_pb_error_get_batch_index (error), ==, 1);
  g_assert_cmpstr (gig_pb_error_get_field_code (error, "title"), ==, "validation_required");
  g_clear_error (&error);

  /* Nothing of the failed transaction was kept */
  missing = get_record (client, "projects", first, &error);
  g_assert_null (missing);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A good batch: create, an update of the created record in the same transaction, an upsert */
  {
    g_autoptr(GigPbBatch) ok = gig_pb_batch_new ();
    g_autoptr(JsonObject) change = json_object_new ();
    g_autofree char *third = gig_id_new ();
    g_autoptr(JsonObject) upsert = new_project (third, user->id, "Upserted", "open");

    json_object_set_string_member (change, "title", "Good one, renamed");
    gig_pb_batch_add_create (ok, "projects", good);
    gig_pb_batch_add_update (ok, "projects", first, change);
    gig_pb_batch_add_upsert (ok, "projects", upsert);
    results = run_batch (client, ok, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 3);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (results, 0), "id"), ==, first);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (results, 1), "title"), ==, "Good one, renamed");
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (results, 2), "id"), ==, third);
  }
}

static int
compare_cursor (JsonObject *a, JsonObject *b)
{
  int c = g_strcmp0 (json_object_get_string_member (a, "updated"), json_object_get_string_member (b, "updated"));

  return c != 0 ? c : g_strcmp0 (json_object_get_string_member (a, "id"), json_object_get_string_member (b, "id"));
}

static void
page_through (GigPbClient *client, guint per_page, GHashTable *expected)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) last = NULL;
  guint pages = 0;

  while (TRUE)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = list_page (client, "projects",
                                             last ? json_object_get_string_member (last, "updated") : NULL,
                                             last ? json_object_get_string_member (last, "id") : NULL,
                                             "status = \"in_progress\"", per_page, &error);

      g_assert_no_error (error);
      pages++;
      for (guint i = 0; i < page->len; i++)
        {
          JsonObject *record = g_ptr_array_index (page, i);
          const char *id = json_object_get_string_member (record, "id");

          g_assert_false (g_hash_table_contains (seen, id));
          g_assert_true (g_hash_table_contains (expected, id));
          if (last != NULL)
            g_assert_cmpint (compare_cursor (last, record), <, 0);
          g_hash_table_add (seen, g_strdup (id));
          g_clear_pointer (&last, json_object_unref);
          last = json_object_ref (record);
        }
      if (page->len < per_page)
        break;
      g_assert_cmpuint (pages, <=, g_hash_table_size (expected) / per_page + 1);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (expected));
}

static void
test_keyset_paging (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "pager");
  g_autoptr(GigPbClient) admin = client_for (gig_test_pb_get_superuser_token (pb));
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) stamps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const guint total = 2400, per_batch = 200;

  /* Batch-created records share milliseconds: the cursor must break ties by id. Status
   * in_progress keeps them out of everybody else's view (only a superuser may create so). */
  for (guint b = 0; b < total / per_batch; b++)
    {
      g_autoptr(GigPbBatch) batch = gig_pb_batch_new ();
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < per_batch; i++)
        {
          g_autofree char *id = gig_id_new ();
          g_autofree char *title = g_strdup_printf ("Project %u", b * per_batch + i);
          g_autoptr(JsonObject) fields = new_project (id, user->id, title, "in_progress");

          gig_pb_batch_add_create (batch, "projects", fields);
          g_hash_table_add (expected, g_steal_pointer (&id));
        }
      results = run_batch (admin, batch, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (results->len, ==, per_batch);
      for (guint i = 0; i < results->len; i++)
        g_hash_table_add (stamps, g_strdup (json_object_get_string_member (g_ptr_array_index (results, i), "updated")));
    }
  g_assert_cmpuint (g_hash_table_size (expected), ==, total);
  g_assert_cmpuint (g_hash_table_size (stamps), >, 1);

  /* A batch stamps its records a fraction of a millisecond apart, so only some share a value.
   * Make it the worst case: the whole set in three `updated` values, so that page boundaries
   * fall inside runs of equal stamps. */
  {
    g_autofree char *sql = g_strdup_printf (
      "UPDATE projects SET updated = CASE abs(random()) %% 3 WHEN 0 THEN '2026-01-01 10:00:00.000Z' "
      "WHEN 1 THEN '2026-01-01 10:00:00.001Z' ELSE '2026-01-01 10:00:00.002Z' END "
      "WHERE owner = '%s'", user->id);

    gig_test_pb_exec_sql (pb, sql);
  }

  page_through (client, 1000, expected);
  page_through (client, 47, expected);

  /* The overlap form (updated >= X) re-reads the boundary instead of skipping it */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) first = list_page (client, "projects", NULL, NULL, "status = \"in_progress\"", 10, &error);
    g_autoptr(GPtrArray) overlap = NULL;
    const char *stamp;

    g_assert_no_error (error);
    stamp = json_object_get_string_member (g_ptr_array_index (first, 9), "updated");
    overlap = list_page (client, "projects", stamp, NULL, "status = \"in_progress\"", 1000, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (overlap, 0), "updated"), ==, stamp);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Realtime                                                                                   */

typedef struct
{
  guint      connects;
  guint      reconnects;
  guint      disconnects;
  GPtrArray *events;  /* "action:collection:id" */
} RealtimeLog;

static void
on_connected (GigPbRealtime *realtime, const char *client_id, gboolean is_reconnect, RealtimeLog *log)
{
  g_assert_nonnull (client_id);
  log->connects++;
  if (is_reconnect)
    log->reconnects++;
}

static void
on_disconnected (GigPbRealtime *realtime, GError *error, RealtimeLog *log)
{
  log->disconnects++;
}

static void
on_event (GigPbRealtime *realtime, const char *collection, const char *action, JsonObject *record, RealtimeLog *log)
{
  g_ptr_array_add (log->events, g_strdup_printf ("%s:%s:%s", action, collection,
                                                 json_object_get_string_member (record, "id")));
}

typedef struct
{
  RealtimeLog *log;
  const char  *wanted;
  guint        count;
} Wait;

static gboolean
has_event (gpointer data)
{
  Wait *wait = data;

  for (guint i = 0; i < wait->log->events->len; i++)
    if (g_strcmp0 (g_ptr_array_index (wait->log->events, i), wait->wanted) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
connects_reached (gpointer data)
{
  Wait *wait = data;
  return wait->log->connects >= wait->count;
}

static gboolean
disconnects_reached (gpointer data)
{
  Wait *wait = data;
  return wait->log->disconnects >= wait->count;
}

static GigPbRealtime *
start_realtime (GigPbClient *client, RealtimeLog *log)
{
  const char *topics[] = { "projects/*", "proposals/*", "milestones/*", NULL };
  GigPbRealtime *realtime = gig_pb_realtime_new (client);

  gig_pb_realtime_set_max_backoff_ms (realtime, 1000);
  gig_pb_realtime_set_subscriptions (realtime, topics);
  g_signal_connect (realtime, "connected", G_CALLBACK (on_connected), log);
  g_signal_connect (realtime, "disconnected", G_CALLBACK (on_disconnected), log);
  g_signal_connect (realtime, "event", G_CALLBACK (on_event), log);
  gig_pb_realtime_start (realtime);
  return realtime;
}

static void
test_realtime_events (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "listener");
  g_autoptr(GigPbClient) client = client_for (user->token);
  g_autoptr(GigPbClient) writer = client_for (user->token);
  RealtimeLog log = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GigPbRealtime) realtime = start_realtime (client, &log);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = gig_id_new ();
  g_autoptr(JsonObject) fields = new_project (id, user->id, "Live project", "open");
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) change = json_object_new ();
  g_autoptr(JsonObject) updated = NULL;
  g_autofree char *create_event = g_strdup_printf ("create:projects:%s", id);
  g_autofree char *update_event = g_strdup_printf ("update:projects:%s", id);
  Wait wait = { &log, NULL, 1 };

  g_assert_true (gig_test_wait_until (connects_reached, &wait, 20000));
  g_assert_true (gig_pb_realtime_get_connected (realtime));
  g_assert_nonnull (gig_pb_realtime_get_client_id (realtime));
  g_assert_cmpuint (log.reconnects, ==, 0);

  created = create_record (writer, "projects", fields, &error);
  g_assert_no_error (error);
  wait.wanted = create_event;
  g_assert_true (gig_test_wait_until (has_event, &wait, 20000));

  /* A soft delete arrives as an update */
  json_object_set_boolean_member (change, "deleted", TRUE);
  updated = update_record (writer, "projects", id, change, &error);
  g_assert_no_error (error);
  wait.wanted = update_event;
  g_assert_true (gig_test_wait_until (has_event, &wait, 20000));

  gig_pb_realtime_stop (realtime);
  g_assert_false (gig_pb_realtime_get_connected (realtime));
  g_ptr_array_unref (log.events);
}

static void
test_realtime_reconnect (void)
{
  g_autoptr(GigTestPbUser) user = gig_test_pb_create_user (pb, "reconnector");
  g_autoptr(GigPbClient) client = client_for (user->token);
  RealtimeLog log = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GigPbRealtime) realtime = start_realtime (client, &log);
  g_autoptr(GError) error = NULL;
  g_autofree char *first_client_id = NULL;
  g_autofree char *id = gig_id_new ();
  g_autoptr(JsonObject) fields = new_project (id, user->id, "After the outage", "open");
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *create_event = g_strdup_printf ("create:projects:%s", id);
  Wait wait = { &log, NULL, 1 };

  g_assert_true (gig_test_wait_until (connects_reached, &wait, 20000));
  first_client_id = g_strdup (gig_pb_realtime_get_client_id (realtime));

  gig_test_pb_stop (pb);
  g_assert_true (gig_test_wait_until (disconnects_reached, &wait, 20000));
  g_assert_false (gig_pb_realtime_get_connected (realtime));

  gig_test_pb_restart (pb);
  wait.count = 2;
  g_assert_true (gig_test_wait_until (connects_reached, &wait, 30000));
  g_assert_cmpuint (log.reconnects, >=, 1);
  g_assert_cmpstr (gig_pb_realtime_get_client_id (realtime), !=, first_client_id);

  /* The new connection is subscribed again */
  created = create_record (client, "projects", fields, &error);
  g_assert_no_error (error);
  wait.wanted = create_event;
  g_assert_true (gig_test_wait_until (has_event, &wait, 20000));

  gig_pb_realtime_stop (realtime);
  g_ptr_array_unref (log.events);
}

static void
test_realtime_token_change (void)
{
  g_autoptr(GigTestPbUser) alice = gig_test_pb_create_user (pb, "alice");
  g_autoptr(GigTestPbUser) bob = gig_test_pb_create_user (pb, "bob");
  g_autoptr(GigPbClient) client = client_for (alice->token);
  g_autoptr(GigPbClient) admin = client_for (gig_test_pb_get_superuser_token (pb));
  RealtimeLog log = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(GigPbRealtime) realtime = start_realtime (client, &log);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = gig_id_new ();
  g_autoptr(JsonObject) fields = new_project (id, bob->id, "Only bob sees this", "in_progress");
  g_autoptr(JsonObject) created = NULL;
  g_autofree char *create_event = g_strdup_printf ("create:projects:%s", id);
  Wait wait = { &log, NULL, 1 };

  g_assert_true (gig_test_wait_until (connects_reached, &wait, 20000));

  /* Another user signs in on the same client: the stream follows the new token (PocketBase
   * refuses a client id under a different user, so this takes a reconnect). */
  gig_pb_client_set_token (client, bob->token);
  wait.count = 2;
  g_assert_true (gig_test_wait_until (connects_reached, &wait, 20000));

  created = create_record (admin, "projects", fields, &error);
  g_assert_no_error (error);
  wait.wanted = create_event;
  g_assert_true (gig_test_wait_until (has_event, &wait, 20000));

  gig_pb_realtime_stop (realtime);
  g_ptr_array_unref (log.events);
}

static void
test_network_error (void)
{
  /* A port nobody listens on: bind and close one */
  g_autoptr(GigPbClient) client = gig_pb_client_new ("http://127.0.0.1:9");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = list_page (client, "projects", NULL, NULL, NULL, 0, &error);

  g_assert_null (page);
  g_assert_error (error, GIG_PB_ERROR, GIG_PB_ERROR_NETWORK);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  pb = gig_test_pb_start ();

  g_test_add_func ("/pb-client/sign-up-and-in", test_sign_up_and_in);
  g_test_add_func ("/pb-client/wrong-password", test_wrong_password);
  g_test_add_func ("/pb-client/refresh", test_refresh);
  g_test_add_func ("/pb-client/create-with-client-id", test_create_with_client_id);
  g_test_add_func ("/pb-client/update-changed-fields", test_update_changed_fields);
  g_test_add_func ("/pb-client/batch-all-or-nothing", test_batch_all_or_nothing);
  g_test_add_func ("/pb-client/keyset-paging", test_keyset_paging);
  g_test_add_func ("/pb-client/network-error", test_network_error);
  g_test_add_func ("/pb-realtime/events", test_realtime_events);
  g_test_add_func ("/pb-realtime/reconnect-after-restart", test_realtime_reconnect);
  g_test_add_func ("/pb-realtime/token-change", test_realtime_token_change);

  status = g_test_run ();
  gig_test_pb_free (pb);
  return status;
}
