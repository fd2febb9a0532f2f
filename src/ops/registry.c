/* The kernel table: the three kernels.def lists expanded into one array of
 * const descriptors, plus kernels registered at run time in a fixed-capacity
 * array that only grows (readers never take a lock: the count is published
 * with release/acquire after the entry is written). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "experimental/dispatcher.h"
#include "experimental/exp_kernels.h"
#include "ops/registry.h"

#define FGI_ISA_0 0u
#define FGI_ISA_AVX2 FGI_ISA_AVX2_SET
#define FGI_EXP_DT_ALL FGI_DTYPES_ALL
#define FGI_EXP_DT_F32 FGI_DTYPE_BIT(FGI_F32)
#define FGI_EXP_DT_F32_F16 (FGI_DTYPE_BIT(FGI_F32) | FGI_DTYPE_BIT(FGI_F16))

/* One table entry; group FGI_GROUP_NONE makes it a stable kernel (a graduated
 * line of src/ops/kernels.def). */
#define FGI_EXP_KERNEL_ENTRY(kgroup, kid, kop, spec, dts, kisa, prio, sup, krun) \
    {                                                                            \
        .id = kid,                                                               \
        .op = FGI_OP_##kop,                                                      \
        .tier = kgroup ? FGI_TIER_EXPERIMENTAL : FGI_TIER_STABLE,                \
        .group = kgroup,                                                         \
        .specialized = spec,                                                     \
        .device = kDLCPU,                                                        \
        .dtypes = FGI_EXP_DT_##dts,                                              \
        .isa = FGI_ISA_##kisa,                                                   \
        .priority = prio,                                                        \
        .supports = sup,                                                         \
        .run = krun,                                                             \
    },

static const fgi_kernel builtin[] = {
#define FGI_KERNEL(sym, kid, kop, ktier, kisa, prio, sup, krun) \
    {                                                           \
        .id = kid,                                              \
        .op = FGI_OP_##kop,                                     \
        .tier = FGI_TIER_##ktier,                               \
        .group = FGI_GROUP_NONE,                                \
        .specialized = false,                                   \
        .device = kDLCPU,                                       \
        .dtypes = FGI_DTYPES_ALL,                               \
        .isa = FGI_ISA_##kisa,                                  \
        .priority = prio,                                       \
        .supports = sup,                                        \
        .run = krun,                                            \
    },
#define FGI_GRADUATED_KERNEL(sym, kid, kop, spec, dts, kisa, prio, sup, krun) \
    FGI_EXP_KERNEL_ENTRY(FGI_GROUP_NONE, kid, kop, spec, dts, kisa, prio, sup, krun)
#include "ops/kernels.def"
#undef FGI_KERNEL
#undef FGI_GRADUATED_KERNEL

#define FGI_EXP_KERNEL(sym, kid, kop, spec, dts, kisa, prio, sup, krun) \
    FGI_EXP_KERNEL_ENTRY(FGI_GROUP_GENERATED, kid, kop, spec, dts, kisa, prio, sup, krun)
#include "experimental/generated/kernels.def"
#undef FGI_EXP_KERNEL
#define FGI_EXP_KERNEL(sym, kid, kop, spec, dts, kisa, prio, sup, krun) \
    FGI_EXP_KERNEL_ENTRY(FGI_GROUP_CUSTOM, kid, kop, spec, dts, kisa, prio, sup, krun)
#include "experimental/custom/kernels.def"
#undef FGI_EXP_KERNEL
#undef FGI_EXP_KERNEL_ENTRY
};

#define N_BUILTIN ((int)(sizeof builtin / sizeof builtin[0]))
_Static_assert(sizeof builtin / sizeof builtin[0] < FGI_MAX_KERNELS,
               "FGI_MAX_KERNELS leaves no room for run-time kernels");

bool fgi_supports_any(const fgi_call *call)
{
    (void)call;
    return true;
}

/* Run-time kernels live in `added`; fgi_kernel_ptrs lists every kernel. Entries are
 * written under reg_mu before the count that makes them visible is stored
 * with release order. */
static fgi_kernel added[FGI_MAX_KERNELS];
const fgi_kernel *fgi_kernel_ptrs[FGI_MAX_KERNELS];
static int n_kernels; /* atomic */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

static fg_status check_unique(int n);

static void reg_init(void)
{
    for (int i = 0; i < N_BUILTIN; i++) fgi_kernel_ptrs[i] = &builtin[i];
    __atomic_store_n(&n_kernels, N_BUILTIN, __ATOMIC_RELEASE);
#ifndef NDEBUG
    /* A duplicate id would make the perf cache, metadata and fault
     * injection mix two kernels up. The library cannot abort, so the check
     * logs; tests/experimental asserts the same thing. */
    if (check_unique(N_BUILTIN) != FG_OK) {
        FGI_LOG(FG_LOG_ERROR, "kernel table: %s", fg_last_error());
        fgi_error_clear();
    }
#endif
}

static int kernel_count(void)
{
    pthread_once(&reg_once, reg_init);
    return __atomic_load_n(&n_kernels, __ATOMIC_ACQUIRE);
}

/* initial-exec: one %fs-relative access instead of a __tls_get_addr call
 * in the shared library; two pointers fit any static TLS reserve */
__thread const char *fgi_tl_last_kernel __attribute__((tls_model("initial-exec"))) = "";
__thread const fgi_kernel *fgi_tl_forced __attribute__((tls_model("initial-exec")));

static const char *const op_names[] = {
#define X(name, cat) #name,
    FGI_OP_LIST(X)
#undef X
};
static const char *const op_cats[] = {
#define X(name, cat) #cat,
    FGI_OP_LIST(X)
#undef X
};

const char *fgi_op_name(fgi_op op) { return op < FGI_OP_COUNT ? op_names[op] : "unknown"; }
const char *fgi_op_category(fgi_op op) { return op < FGI_OP_COUNT ? op_cats[op] : "unknown"; }

const fgi_kernel *const *fgi_kernels(int *count)
{
    *count = kernel_count();
    return fgi_kernel_ptrs;
}

const fgi_kernel *fgi_kernel_find(const char *id)
{
    if (!id) return NULL;
    int n = kernel_count();
    for (int i = 0; i < n; i++)
        if (strcmp(fgi_kernel_ptrs[i]->id, id) == 0) return fgi_kernel_ptrs[i];
    return fgi_kernel_alias_resolve(id);
}

int fgi_kernel_index(const fgi_kernel *k)
{
    if (k >= builtin && k < builtin + N_BUILTIN) return (int)(k - builtin);
    if (k >= added + N_BUILTIN && k < added + FGI_MAX_KERNELS) return (int)(k - added);
    return -1;
}

const fgi_kernel *fgi_kernel_at(int index)
{
    if (index < 0 || index >= kernel_count()) return NULL;
    return fgi_kernel_ptrs[index];
}

bool fgi_kernel_supports(const fgi_kernel *k, const fgi_call *call)
{
    if (k->ext) return fgi_ext_supports(k, call);
    return !k->supports || k->supports(call);
}

bool fgi_kernel_accepts(const fgi_kernel *k, const fgi_call *call)
{
    if (k->op != call->op || k->device != call->out.device) return false;
    if (!(k->dtypes & FGI_DTYPE_BIT(call->dtype))) return false;
    if ((fgi_cpu_features() & k->isa) != k->isa) return false;
    return fgi_kernel_supports(k, call);
}

void fgi_set_last_kernel(const fgi_kernel *k) { fgi_tl_last_kernel = k->id; }

fg_status fgi_registry_add(const fgi_kernel *k, const fgi_kernel **out)
{
    *out = NULL;
    kernel_count();
    pthread_mutex_lock(&reg_mu);
    int n = __atomic_load_n(&n_kernels, __ATOMIC_RELAXED);
    fg_status s = FG_OK;
    for (int i = 0; i < n && s == FG_OK; i++)
        if (strcmp(fgi_kernel_ptrs[i]->id, k->id) == 0)
            s = FG_ERROR(FG_ERR_CONFLICT, "a kernel with id '%s' is already registered", k->id);
    if (s == FG_OK && n >= FGI_MAX_KERNELS)
        s = FG_ERROR(FG_ERR_NO_MEMORY, "the kernel table is full (%d kernels)", FGI_MAX_KERNELS);
    if (s == FG_OK) {
        added[n] = *k;
        fgi_kernel_ptrs[n] = &added[n];
        *out = &added[n];
        __atomic_store_n(&n_kernels, n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&reg_mu);
    return s;
}

/* Over the first n entries of fgi_kernel_ptrs (reg_init calls it before the count is
 * published, fgi_registry_check_unique after). */
static fg_status check_unique(int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            FG_RETURN_IF(strcmp(fgi_kernel_ptrs[i]->id, fgi_kernel_ptrs[j]->id) == 0, FG_ERR_CONFLICT,
                         "kernel id '%s' is listed twice (entries %d and %d)", fgi_kernel_ptrs[i]->id, i, j);
    return FG_OK;
}

fg_status fgi_registry_check_unique(void) { return check_unique(kernel_count()); }

void fgi_build_signature(char *buf, size_t size)
{
    const char *v = fg_version();
    int n;
    const fgi_kernel *const *ks = fgi_kernels(&n);
    uint64_t h = FGI_FNV_BASIS;
    for (int i = -1; i < n; i++) {
        h = fgi_fnv1a(h, i < 0 ? v : ks[i]->id);
        h = (h ^ 0xffu) * FGI_FNV_PRIME; /* separator */
    }
    snprintf(buf, size, "%s-%016llx", v, (unsigned long long)h);
}

fg_status fgi_force_kernel(const char *id)
{
    if (!id || !*id) {
        fgi_tl_forced = NULL;
        return FG_OK;
    }
    const fgi_kernel *k = fgi_kernel_find(id);
    FG_RETURN_IF(!k, FG_ERR_NOT_FOUND, "no kernel with id '%s'", id);
    fgi_tl_forced = k;
    return FG_OK;
}

const fgi_kernel *fgi_forced_kernel(void) { return fgi_tl_forced; }

fg_status fgi_dispatch_forced(const fgi_kernel *forced, const fgi_call *call)
{
    FG_RETURN_IF(!fgi_kernel_accepts(forced, call), FG_ERR_UNSUPPORTED,
                 "forced kernel %s does not accept this call", forced->id);
    FG_FORWARD(fgi_exp_run_forced(forced, call), "%s", forced->id);
    return FG_OK;
}

const char *fg_last_kernel(void) { return fgi_tl_last_kernel; }
