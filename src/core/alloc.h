/* The one internal allocator: workspaces and packing buffers. Counts live and
 * peak bytes. Never used for tensor outputs. */
#ifndef FGI_CORE_ALLOC_H
#define FGI_CORE_ALLOC_H

#include <stddef.h>

#define FGI_ALIGN 64

/* Returns NULL (and sets FG_ERR_NO_MEMORY with `what` in the message) on
 * failure. size 0 returns a valid unique pointer. */
void *fgi_alloc(size_t size, const char *what);
void fgi_free(void *ptr, size_t size);

#endif
