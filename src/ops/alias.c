/* Deprecated kernel ids of graduated kernels (src/ops/aliases.def), plus
 * aliases added at run time, resolved by fgi_kernel_find with a warning
 * once per alias and process. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "experimental/config.h"
#include "ops/registry.h"

#define MAX_RUNTIME_ALIASES 64

static const fgi_kernel_alias listed[] = {
#define FGI_KERNEL_ALIAS(old_id, new_id, since, removed) {old_id, new_id, since, removed},
#include "ops/aliases.def"
#undef FGI_KERNEL_ALIAS
    {NULL, NULL, NULL, NULL} /* keeps the array non-empty */
};
#define N_LISTED ((int)(sizeof listed / sizeof listed[0]) - 1)

static fgi_kernel_alias added[MAX_RUNTIME_ALIASES];
static char added_text[MAX_RUNTIME_ALIASES][4][128];
static int n_added; /* atomic; entries are written before the count */
static uint8_t warned[MAX_RUNTIME_ALIASES + (sizeof listed / sizeof listed[0])]; /* atomic */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static const fgi_kernel_alias *alias_at(int i)
{
    return i < N_LISTED ? &listed[i] : &added[i - N_LISTED];
}

static int alias_count(void) { return N_LISTED + __atomic_load_n(&n_added, __ATOMIC_ACQUIRE); }

int fgi_kernel_alias_count(void) { return alias_count(); }

const fgi_kernel_alias *fgi_kernel_alias_get(int i)
{
    return i >= 0 && i < alias_count() ? alias_at(i) : NULL;
}

static const fgi_kernel *find_exact(const char *id)
{
    int n;
    const fgi_kernel *const *ks = fgi_kernels(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(ks[i]->id, id) == 0) return ks[i];
    return NULL;
}

const fgi_kernel *fgi_kernel_alias_resolve(const char *id)
{
    int n = alias_count();
    for (int i = 0; i < n; i++) {
        const fgi_kernel_alias *a = alias_at(i);
        if (strcmp(a->old_id, id) != 0) continue;
        const fgi_kernel *k = find_exact(a->new_id);
        uint8_t zero = 0;
        if (k && __atomic_compare_exchange_n(&warned[i], &zero, 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            fgi_exp_log(FG_EXP_LEVEL_WARNING,
                        "kernel id '%s' is deprecated: the kernel graduated to the stable tier as '%s' in %s; "
                        "the old id will be removed in %s",
                        a->old_id, a->new_id, a->since, a->removed);
        return k;
    }
    return NULL;
}

fg_status fgi_kernel_alias_add(const char *old_id, const char *new_id, const char *since, const char *removed)
{
    FG_RETURN_IF(!old_id || !new_id || !since || !removed, FG_ERR_NULL, "alias fields are required");
    const char *f[4] = {old_id, new_id, since, removed};
    for (int i = 0; i < 4; i++)
        FG_RETURN_IF(!*f[i] || strlen(f[i]) >= sizeof added_text[0][0], FG_ERR_INVALID_ARG,
                     "alias field '%s' must have 1..127 bytes", f[i]);
    FG_RETURN_IF(find_exact(old_id), FG_ERR_CONFLICT, "'%s' is a kernel id, not a free alias", old_id);
    FG_RETURN_IF(!find_exact(new_id), FG_ERR_NOT_FOUND, "alias target '%s' is not a kernel", new_id);
    pthread_mutex_lock(&mu);
    fg_status s = FG_OK;
    int n = alias_count();
    for (int i = 0; i < n && s == FG_OK; i++)
        if (strcmp(alias_at(i)->old_id, old_id) == 0)
            s = FG_ERROR(FG_ERR_CONFLICT, "alias '%s' exists already", old_id);
    int k = __atomic_load_n(&n_added, __ATOMIC_RELAXED);
    if (s == FG_OK && k >= MAX_RUNTIME_ALIASES)
        s = FG_ERROR(FG_ERR_NO_MEMORY, "at most %d run-time aliases", MAX_RUNTIME_ALIASES);
    if (s == FG_OK) {
        for (int i = 0; i < 4; i++) snprintf(added_text[k][i], sizeof added_text[k][i], "%s", f[i]);
        added[k] = (fgi_kernel_alias){added_text[k][0], added_text[k][1], added_text[k][2], added_text[k][3]};
        __atomic_store_n(&n_added, k + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&mu);
    return s;
}
