#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"

static void *default_alloc(size_t size, size_t align, void *ctx)
{
    (void)ctx;
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
        return NULL;
    return p;
}

static void default_free(void *ptr, size_t size, void *ctx)
{
    (void)size;
    (void)ctx;
    free(ptr);
}

static fg_allocator current = {default_alloc, default_free, NULL};
static size_t live_bytes, peak_bytes;
static uint64_t n_allocs, n_failures;

fg_status fg_set_allocator(const fg_allocator *allocator)
{
    fgi_error_clear();
    FG_RETURN_IF(allocator && (!allocator->alloc || !allocator->free), FG_ERR_INVALID_ARG,
                 "allocator needs both alloc and free");
    size_t live = __atomic_load_n(&live_bytes, __ATOMIC_ACQUIRE);
    FG_RETURN_IF(live != 0, FG_ERR_CONFLICT,
                 "%zu bytes from the current allocator are still live", live);
    fg_allocator next = allocator ? *allocator : (fg_allocator){default_alloc, default_free, NULL};
    current = next;
    return FG_OK;
}

fg_status fg_memory_get_stats(fg_memory_stats *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    out->live_bytes = __atomic_load_n(&live_bytes, __ATOMIC_RELAXED);
    out->peak_bytes = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
    out->allocations = __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&n_failures, __ATOMIC_RELAXED);
    return FG_OK;
}

void fg_memory_reset_peak(void)
{
    __atomic_store_n(&peak_bytes, __atomic_load_n(&live_bytes, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
}

void *fgi_alloc(size_t size, const char *what)
{
    void *p = current.alloc(size ? size : 1, FGI_ALIGN, current.ctx);
    if (!p) {
        __atomic_add_fetch(&n_failures, 1, __ATOMIC_RELAXED);
        FG_ERROR(FG_ERR_NO_MEMORY, "cannot allocate %zu bytes for %s", size, what);
        return NULL;
    }
    __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    size_t now = __atomic_add_fetch(&live_bytes, size, __ATOMIC_RELAXED);
    size_t peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
    while (now > peak &&
           !__atomic_compare_exchange_n(&peak_bytes, &peak, now, 1, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
    }
    return p;
}

void fgi_free(void *ptr, size_t size)
{
    if (!ptr) return;
    current.free(ptr, size ? size : 1, current.ctx);
    __atomic_sub_fetch(&live_bytes, size, __ATOMIC_RELAXED);
}
