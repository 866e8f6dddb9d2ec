/* gig-chat-transfer.h: watching an upload or a download (progress, stall, answer deadline)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "chat/gig-chat-credentials.h"
#include "chat/gig-chat-upload.h"

G_BEGIN_DECLS

typedef struct {
  GCancellable        *op;           /* cancelled by the caller's cancellable or the watchdog */
  GCancellable        *parent;
  gulong               parent_handler;
  guint                watchdog;
  gint64               last_progress_us;
  gint64               last_report_us;
  gint64               answer_since_us; /* 0 while the body is still moving */
  guint                answer_deadline_s;
  gboolean             stalled;
  gboolean             too_slow;
  goffset              raw;          /* bytes moved */
  goffset              skip;         /* of them, not the file's (the form's head) */
  goffset              done;         /* bytes of the file */
  goffset              total;
  GigChatProgressFunc  progress;
  gpointer             progress_data;
} Transfer;

void    gig_chat_transfer_init             (Transfer            *t,
                                            GCancellable        *parent,
                                            goffset              total,
                                            guint                answer_deadline_s,
                                            GigChatProgressFunc  progress,
                                            gpointer             progress_data);
void    gig_chat_transfer_clear            (Transfer            *t);
/* @bytes more moved: progress (at most every 100 ms) and the stall watchdog fed. */
void    gig_chat_transfer_moved            (Transfer            *t,
                                            goffset              bytes);
/* Reports the final progress. */
void    gig_chat_transfer_finished         (Transfer            *t);
/* The error to report for a failed step: the watchdog's reasons become readable network errors. */
GError *gig_chat_transfer_error            (Transfer            *t,
                                            GError              *error);
/* The chat token, the key and the client name, as on every REST call. */
void    gig_chat_transfer_add_credentials  (SoupMessage         *msg,
                                            GigChatCredentials  *creds);

G_END_DECLS
