/* gig-chat-window.c: one project's chat in its own window
 *
 * SPDX-License-Identifier: MIT
 */
#define G_LOG_DOMAIN "gigdesk-chat"

#include "config.h"

#include "gig-resources.h"

#include <glib/gi18n.h>

#include "gig-chat-view.h"
#include "gig-chat-window.h"

struct _GigChatWindow
{
  AdwWindow       parent_instance;

  GtkWidget      *view;

  /* Template children */
  AdwWindowTitle *window_title;
  AdwBin         *view_slot;
};

G_DEFINE_FINAL_TYPE (GigChatWindow, gig_chat_window, ADW_TYPE_WINDOW)

GtkWidget *
gig_chat_window_new (GtkApplication *application,
                     GigChatClient  *client,
                     const char     *cid,
                     const char     *title)
{
  GigChatWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (GIG_IS_CHAT_CLIENT (client), NULL);

  self = g_object_new (GIG_TYPE_CHAT_WINDOW, "application", application, NULL);
  self->view = gig_chat_view_new (client, cid, title);
  adw_bin_set_child (self->view_slot, self->view);
  /* A chat window is opened to write in: keys typed as it appears go to the composer. */
  gig_chat_view_focus_composer (GIG_CHAT_VIEW (self->view));
  if (title != NULL)
    {
      g_autofree char *window_title = g_strdup_printf (_("Chat · %s"), title);
      adw_window_title_set_subtitle (self->window_title, title);
      gtk_window_set_title (GTK_WINDOW (self), window_title);
    }
  return GTK_WIDGET (self);
}

GtkWidget *
gig_chat_window_get_view (GigChatWindow *self)
{
  g_return_val_if_fail (GIG_IS_CHAT_WINDOW (self), NULL);
  return self->view;
}

static void
gig_chat_window_class_init (GigChatWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* Links the resource bundle in (and so registers it) wherever this widget is used. */
  (void) gig_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/chat/gig-chat-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GigChatWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, GigChatWindow, view_slot);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
gig_chat_window_init (GigChatWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
