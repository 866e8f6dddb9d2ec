/* test-chat-attachment.c: attachments read from untrusted messages, and written back
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "chat/gig-chat-attachment.h"
#include "core/gig-json.h"

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_files_and_images (void)
{
  g_autoptr(JsonObject) message = parse (
    "{\"attachments\":["
    "{\"type\":\"file\",\"asset_url\":\"https://cdn.example/a/quote.pdf?sig=1\",\"title\":\"quote.pdf\","
    " \"mime_type\":\"Application/PDF\",\"file_size\":1234},"
    "{\"type\":\"image\",\"image_url\":\"https://cdn.example/i.png\",\"thumb_url\":\"https://cdn.example/t.png\","
    " \"title\":\"i.png\",\"mime_type\":\"image/png\",\"file_size\":5},"
    "{\"type\":\"image\",\"asset_url\":\"http://127.0.0.1:9/x.jpg\"}"
    "]}");
  g_autoptr(GPtrArray) list = gig_chat_attachments_from_message (message);
  GigChatAttachment *a, *b, *c;

  g_assert_cmpuint (list->len, ==, 3);
  a = g_ptr_array_index (list, 0);
  b = g_ptr_array_index (list, 1);
  c = g_ptr_array_index (list, 2);
  g_assert_cmpint (a->kind, ==, GIG_CHAT_ATTACHMENT_FILE);
  g_assert_cmpstr (a->url, ==, "https://cdn.example/a/quote.pdf?sig=1");
  g_assert_cmpstr (a->mime_type, ==, "application/pdf");
  g_assert_cmpint (a->file_size, ==, 1234);
  g_assert_null (a->thumb_url);
  g_assert_cmpint (b->kind, ==, GIG_CHAT_ATTACHMENT_IMAGE);
  g_assert_cmpstr (b->url, ==, "https://cdn.example/i.png");
  g_assert_cmpstr (b->thumb_url, ==, "https://cdn.example/t.png");
  /* an image without image_url falls back to asset_url; no title: the URL's last segment */
  g_assert_cmpstr (c->url, ==, "http://127.0.0.1:9/x.jpg");
  g_assert_cmpstr (c->title, ==, "x.jpg");
  g_assert_cmpstr (c->mime_type, ==, "application/octet-stream");
  g_assert_cmpint (c->file_size, ==, -1);

  /* written back, read again: the same */
  {
    g_autoptr(JsonObject) again = json_object_new ();
    JsonArray *arr = json_array_new ();
    g_autoptr(GPtrArray) round = NULL;

    for (guint i = 0; i < list->len; i++)
      json_array_add_object_element (arr, gig_chat_attachment_to_json (g_ptr_array_index (list, i)));
    json_object_set_array_member (again, "attachments", arr);
    round = gig_chat_attachments_from_message (again);
    g_assert_cmpuint (round->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        GigChatAttachment *x = g_ptr_array_index (list, i), *y = g_ptr_array_index (round, i);

        g_assert_cmpint (x->kind, ==, y->kind);
        g_assert_cmpstr (x->url, ==, y->url);
        g_assert_cmpstr (x->title, ==, y->title);
        g_assert_cmpstr (x->mime_type, ==, y->mime_type);
        g_assert_cmpint (x->file_size, ==, y->file_size);
      }
  }
}

static void
test_hostile (void)
{
  g_autoptr(GString) many = g_string_new ("{\"attachments\":[");
  g_autoptr(GString) long_url = g_string_new ("https://cdn.example/");
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GigChatAttachment *first;

  while (long_url->len <= GIG_CHAT_MAX_ATTACHMENT_URL)
    g_string_append_c (long_url, 'a');
  g_string_append (many,
    "{\"type\":\"file\",\"asset_url\":\"https://x.example/f\",\"title\":\"../../etc/passwd\\u0000\\u202e\\ngpj.exe\","
    " \"mime_type\":\"text/html; charset=utf-8\",\"file_size\":-5},"
    "{\"type\":\"file\",\"asset_url\":\"javascript:alert(1)\"},"
    "{\"type\":\"file\",\"asset_url\":\"file:///etc/passwd\"},"
    "{\"type\":\"file\",\"asset_url\":42},"
    "{\"type\":\"giphy\",\"asset_url\":\"https://x.example/g.gif\"},"
    "\"not an object\",");
  g_string_append_printf (many, "{\"type\":\"file\",\"asset_url\":\"%s\"},", long_url->str);
  for (guint i = 0; i < 40; i++)
    g_string_append (many, "{\"type\":\"image\",\"image_url\":\"https://x.example/i.png\"},");
  g_string_append (many, "{\"type\":\"file\",\"asset_url\":\"https://x.example/last\"}]}");
  message = parse (many->str);
  list = gig_chat_attachments_from_message (message);

  /* the dangerous ones dropped, and no more than the service allows */
  g_assert_cmpuint (list->len, ==, GIG_CHAT_MAX_ATTACHMENTS);
  first = g_ptr_array_index (list, 0);
  g_assert_cmpstr (first->url, ==, "https://x.example/f");
  g_assert_null (strchr (first->title, '/'));
  g_assert_null (strchr (first->title, '\n'));
  g_assert_null (strstr (first->title, "\xe2\x80\xae")); /* no right-to-left override */
  g_assert_true (g_utf8_validate (first->title, -1, NULL));
  g_assert_cmpstr (first->mime_type, ==, "application/octet-stream");
  g_assert_cmpint (first->file_size, ==, -1);
  for (guint i = 1; i < list->len; i++)
    g_assert_cmpint (((GigChatAttachment *) g_ptr_array_index (list, i))->kind, ==, GIG_CHAT_ATTACHMENT_IMAGE);

  /* no attachments, or not an array: an empty list */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = gig_chat_attachments_from_message (NULL);
  g_assert_cmpuint (list->len, ==, 0);
  json = g_strdup ("{\"attachments\":{\"type\":\"file\"}}");
  g_clear_pointer (&message, json_object_unref);
  message = parse (json);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = gig_chat_attachments_from_message (message);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_image_types (void)
{
  g_assert_true (gig_chat_attachment_is_image_type ("image/png"));
  g_assert_true (gig_chat_attachment_is_image_type ("IMAGE/JPEG"));
  g_assert_true (gig_chat_attachment_is_image_type ("image/heic"));
  g_assert_false (gig_chat_attachment_is_image_type ("image/x-portable-anymap"));
  g_assert_false (gig_chat_attachment_is_image_type ("application/pdf"));
  g_assert_false (gig_chat_attachment_is_image_type (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat/attachment/files-and-images", test_files_and_images);
  g_test_add_func ("/chat/attachment/hostile", test_hostile);
  g_test_add_func ("/chat/attachment/image-types", test_image_types);
  return g_test_run ();
}
