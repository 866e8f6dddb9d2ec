/* main.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "gig-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(GigApplication) app = NULL;

  setlocale (LC_ALL, "");
  gig_application_bind_text_domain ();

  app = gig_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
