/* gig-ui-util.c
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "gig-ui-util.h"
#include "gig-resources.h"
#include "chat/gig-chat-markup.h"
#include "model/gig-money.h"
#include "core/gig-id.h"
#include "core/gig-json.h"

gboolean
gig_ui_read_amount_row (GtkWidget  *row,
                        double     *amount,
                        GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (GTK_IS_EDITABLE (row), FALSE);

  ok = gig_money_parse (gtk_editable_get_text (GTK_EDITABLE (row)), amount, &local_error);
  if (ok || g_error_matches (local_error, GIG_MONEY_ERROR, GIG_MONEY_ERROR_EMPTY))
    gtk_widget_remove_css_class (row, "error");
  else
    gtk_widget_add_css_class (row, "error");

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

void
gig_ui_set_amount_row (GtkWidget *row,
                       double     amount,
                       gboolean   zero_is_empty)
{
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_EDITABLE (row));

  text = zero_is_empty && amount == 0 ? g_strdup ("") : gig_money_format_number (amount);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* The style a status pill takes for @tone. */
static const char *
tone_class (GigStatusTone tone)
{
  switch (tone)
    {
    case GIG_STATUS_TONE_ACCENT:
      return "accent";
    case GIG_STATUS_TONE_SUCCESS:
      return "success";
    case GIG_STATUS_TONE_WARNING:
      return "warning";
    case GIG_STATUS_TONE_ERROR:
      return "error";
    case GIG_STATUS_TONE_NEUTRAL:
    default:
      return "dim-label";
    }
}

const char *
gig_ui_record_status_label (GigRecord   *record,
                            GigStore    *store,
                            const char **out_class)
{
  GigLocalState state = gig_record_get_local_state (record);

  g_return_val_if_fail (out_class != NULL, NULL);

  if (state == GIG_LOCAL_STATE_DRAFT)
    {
      *out_class = "dim-label";
      return _("Draft");
    }
  if (!gig_record_status_is_confirmed (record, store))
    {
      *out_class = state == GIG_LOCAL_STATE_FAILED ? "error" : "dim-label";
      return state == GIG_LOCAL_STATE_FAILED ? _("Not Sent") : _("Waiting to Send");
    }
  *out_class = tone_class (gig_record_get_status_tone (record));
  return gig_record_get_status_label (record);
}

static void
set_pill (GtkLabel   *label,
          const char *text,
          const char *css_class)
{
  static const char *classes[] = { "accent", "success", "warning", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (label), "status-pill");
  gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  gtk_label_set_text (label, text);
}

void
gig_ui_set_record_pill (GtkLabel  *label,
                        GigRecord *record,
                        GigStore  *store)
{
  const char *css_class = NULL;
  const char *text = gig_ui_record_status_label (record, store, &css_class);

  set_pill (label, text, css_class);
}

char *
gig_ui_format_date (const char *pb_datetime)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (pb_datetime == NULL || *pb_datetime == '\0')
    return g_strdup ("");

  dt = gig_stamp_parse (pb_datetime);
  if (dt == NULL)
    return g_strdup (pb_datetime);

  local = g_date_time_to_local (dt);
  /* Translators: a date as in "24 Nov 2026", see g_date_time_format() */
  return g_date_time_format (local, _("%-d %b %Y"));
}

char *
gig_ui_format_day (const char *pb_datetime)
{
  g_autofree char *iso = NULL;
  char text[128];
  GDate day;

  if (pb_datetime == NULL || *pb_datetime == '\0')
    return g_strdup ("");

  iso = g_strndup (pb_datetime, 10);
  g_date_clear (&day, 1);
  if (!gig_ui_parse_date_input (iso, &day) ||
      /* The same translated form as every other date in the app. */
      g_date_strftime (text, sizeof text, _("%-d %b %Y"), &day) == 0)
    return g_strdup (pb_datetime);

  return g_strdup (text);
}

/* The locale's numeric date ("%x") unless it drops the century. */
static gboolean
locale_form_has_full_year (void)
{
  g_autoptr(GDate) probe = g_date_new_dmy (24, G_DATE_DECEMBER, 2026);
  char text[64];

  return g_date_strftime (text, sizeof text, "%x", probe) > 0 && strstr (text, "2026") != NULL;
}

char *
gig_ui_format_date_input (const GDate *date)
{
  char text[64];

  g_return_val_if_fail (date != NULL && g_date_valid (date), g_strdup (""));

  if (g_date_strftime (text, sizeof text, locale_form_has_full_year () ? "%x" : "%Y-%m-%d", date) == 0)
    return g_strdup ("");
  return g_strdup (text);
}

gboolean
gig_ui_parse_date_input (const char *text,
                         GDate      *date)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  int year, month, day;
  char extra;
  guint numbers = 0;

  g_return_val_if_fail (date != NULL, FALSE);

  g_date_clear (date, 1);
  if (sscanf (trimmed, "%4d-%2d-%2d%c", &year, &month, &day, &extra) == 3)
    {
      if (!g_date_valid_dmy (day, month, year))
        return FALSE;
      g_date_set_dmy (date, day, month, year);
      return TRUE;
    }

  /* The locale's form: exactly day, month and year as numbers, a four-digit year among them
   * (g_date_set_parse() would also guess from one or two numbers, or a two-digit year). */
  for (const char *p = trimmed; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) && (p == trimmed || !g_ascii_isdigit (p[-1])))
        numbers++;
      else if (!g_ascii_isdigit (*p) && !g_ascii_ispunct (*p) && *p != ' ')
        return FALSE;
    }
  if (numbers != 3 || !locale_form_has_full_year ())
    return FALSE;

  g_date_set_parse (date, trimmed);
  return g_date_valid (date) && g_date_get_year (date) >= 1000;
}

const char *
gig_ui_local_state_icon (GigLocalState state)
{
  switch (state)
    {
    case GIG_LOCAL_STATE_PENDING:
      return "content-loading-symbolic";
    case GIG_LOCAL_STATE_DRAFT:
      return "document-edit-symbolic";
    case GIG_LOCAL_STATE_CONFLICT:
      return "dialog-warning-symbolic";
    case GIG_LOCAL_STATE_FAILED:
      return "dialog-error-symbolic";
    case GIG_LOCAL_STATE_SYNCED:
    default:
      return NULL;
    }
}

const char *
gig_ui_local_state_tooltip (GigLocalState state)
{
  switch (state)
    {
    case GIG_LOCAL_STATE_PENDING:
      return _("Waiting to be sent");
    case GIG_LOCAL_STATE_DRAFT:
      return _("Draft, not sent");
    case GIG_LOCAL_STATE_CONFLICT:
      return _("Changed here and on the server: choose which to keep");
    case GIG_LOCAL_STATE_FAILED:
      return _("The server refused this change");
    case GIG_LOCAL_STATE_SYNCED:
    default:
      return _("Synced");
    }
}

/* Text in labels comes from other people: whatever the markup holds, only web and mail
 * addresses open. */
static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (label));

  if (gig_chat_link_allowed (uri))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  return TRUE;
}

void
gig_ui_set_linked_text (GtkLabel   *label,
                        const char *text)
{
  g_autofree char *markup = NULL;

  g_return_if_fail (GTK_IS_LABEL (label));

  markup = gig_chat_text_to_markup (text != NULL ? text : "");
  gtk_label_set_markup (label, markup);
  if (g_object_get_data (G_OBJECT (label), "gig-linked") == NULL)
    {
      g_signal_connect (label, "activate-link", G_CALLBACK (on_activate_link), NULL);
      g_object_set_data (G_OBJECT (label), "gig-linked", GINT_TO_POINTER (TRUE));
    }
}

void
gig_ui_ensure_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (loaded || display == NULL)
    return;

  /* The sheet lives under ui/ in the bundle, where AdwApplication does not look on its own. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/ui/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  loaded = TRUE;
}

void
gig_resources_ensure (void)
{
  /* Referencing the bundle keeps its object (and the constructor that registers it) in the
   * static library's link. */
  (void) gig_get_resource ();
}
