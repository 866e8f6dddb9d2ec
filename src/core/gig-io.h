/* gig-io.h: limits for talking to servers: a deadline for a whole request, a bounded read.
 *
 * An idle timeout alone lets a server that trickles one byte at a time hold a request forever,
 * and reading an answer whole lets it fill memory: every request has both limits.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A cancellable that is cancelled when @parent is, or when the time is up. The timer runs on
 * the thread-default main context of the caller. */
typedef struct _GigDeadline GigDeadline;

GigDeadline  *gig_deadline_new              (guint         timeout_ms,
                                             GCancellable *parent);
void          gig_deadline_free             (GigDeadline  *deadline);
GCancellable *gig_deadline_get_cancellable  (GigDeadline  *deadline);
/* TRUE once the time is up: a G_IO_ERROR_CANCELLED seen after that means "took too long". */
gboolean      gig_deadline_expired          (GigDeadline  *deadline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GigDeadline, gig_deadline_free)

/* Reads @stream to its end. More than @max_size bytes fails with G_IO_ERROR_MESSAGE_TOO_LARGE
 * as soon as the limit is passed (never more than one read past it is held). */
void          gig_read_bounded_async        (GInputStream        *stream,
                                             gsize                max_size,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GBytes       *gig_read_bounded_finish       (GInputStream        *stream,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
