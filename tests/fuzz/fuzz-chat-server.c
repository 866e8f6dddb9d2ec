/* fuzz-chat-server.c: libFuzzer target for the local chat server's request bodies.
 *
 * SPDX-License-Identifier: MIT
 */
#include "gcs-body.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *problem = NULL;
  g_autoptr(JsonObject) body = gcs_body_parse ((const char *) data, size, 1024 * 1024, &problem);

  g_assert ((body == NULL) == (problem != NULL));
  return 0;
}
