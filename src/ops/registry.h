/* The kernel table built from the kernels.def lists (stable and reference
 * in src/ops/kernels.def, experimental in src/experimental/generated/ and
 * custom/), kernels registered at run time, and the call path from an op's
 * entry point to a kernel. */
#ifndef FGI_OPS_REGISTRY_H
#define FGI_OPS_REGISTRY_H

#include "ops/kernel.h"

/* Declarations of every kernel's run function. */
#define FGI_KERNEL(sym, id, op, tier, isa, prio, supports, run) \
    fg_status run(const fgi_call *call);
#define FGI_GRADUATED_KERNEL(sym, id, op, spec, dts, isa, prio, sup, run) \
    bool sup(const fgi_call *call);                                       \
    fg_status run(const fgi_call *call);
#include "ops/kernels.def"
#undef FGI_KERNEL
#undef FGI_GRADUATED_KERNEL

/* Capacity of the table: the kernels.def lists plus those that
 * fg_exp_register_kernels adds at run time. Bounds fgi_kernel_index(). */
#define FGI_MAX_KERNELS 512

/* All registered kernels: the kernels.def lists in order (stable file,
 * generated, custom), then those registered at run time in registration
 * order. The array only grows and its entries never move, so a pointer and
 * count obtained once stay valid. Thread-safe. */
const fgi_kernel *const *fgi_kernels(int *count);
/* NULL when no kernel has that id. The old id of a graduated kernel
 * (src/ops/aliases.def) finds the stable kernel, with a deprecation
 * warning once per process. */
const fgi_kernel *fgi_kernel_find(const char *id);

/* Deprecated ids of graduated kernels (src/ops/alias.c). */
typedef struct fgi_kernel_alias {
    const char *old_id;   /* the experimental id */
    const char *new_id;   /* the stable kernel's id */
    const char *since;    /* version that graduated it */
    const char *removed;  /* version that removes the alias */
} fgi_kernel_alias;
/* The kernel an alias names (warning once per alias), or NULL. */
const fgi_kernel *fgi_kernel_alias_resolve(const char *id);
/* Aliases: the aliases.def list, then those added at run time. */
int fgi_kernel_alias_count(void);
const fgi_kernel_alias *fgi_kernel_alias_get(int i);
/* Adds an alias at run time (strings copied): FG_ERR_CONFLICT when old_id
 * is a kernel or an alias already, FG_ERR_NOT_FOUND when new_id is not a
 * kernel, FG_ERR_NO_MEMORY past 64. Thread-safe. */
fg_status fgi_kernel_alias_add(const char *old_id, const char *new_id, const char *since, const char *removed);
/* Dense index of a registered kernel, in [0, FGI_MAX_KERNELS); the position
 * in fgi_kernels(). -1 for a pointer that is not a registered kernel. */
int fgi_kernel_index(const fgi_kernel *k);
/* The kernel with that index (NULL when out of range or not yet registered). */
const fgi_kernel *fgi_kernel_at(int index);
/* The table behind fgi_kernels(), for hot paths that hold an index they got
 * from a published decision (no bounds check, no initialisation check). */
extern const fgi_kernel *fgi_kernel_ptrs[FGI_MAX_KERNELS];
/* Whether k can serve call on this machine: op, device, dtype, ISA,
 * supports(). */
bool fgi_kernel_accepts(const fgi_kernel *k, const fgi_call *call);
/* supports() alone, for a kernel whose op, dtype and ISA are known to fit. */
bool fgi_kernel_supports(const fgi_kernel *k, const fgi_call *call);
/* This thread's last kernel id, fg_last_kernel() (initial-exec and
 * __thread as fgi_tl_forced below). */
extern __thread const char *fgi_tl_last_kernel __attribute__((tls_model("initial-exec")));
/* A run-time kernel's run (src/experimental/exp_registry.c). */
fg_status fgi_ext_run(const fgi_kernel *k, const fgi_call *call);
/* Runs k without recording it (profiling, validation scratch runs). */
static inline fg_status fgi_kernel_run_quiet(const fgi_kernel *k, const fgi_call *call)
{
    return k->ext ? fgi_ext_run(k, call) : k->run(call);
}
/* Runs k on call (k must accept it) and records it as this thread's last
 * kernel. Inline: the dispatcher's warm path runs it on every call. */
static inline fg_status fgi_kernel_run(const fgi_kernel *k, const fgi_call *call)
{
    fg_status s = fgi_kernel_run_quiet(k, call);
    if (s == FG_OK) fgi_tl_last_kernel = k->id;
    return s;
}

/* Appends a copy of *k (tier experimental, ext set) to the table under the
 * registry's lock; FG_ERR_CONFLICT for an id already present,
 * FG_ERR_NO_MEMORY when the table holds FGI_MAX_KERNELS already.
 * *out receives the stored copy. Used by fg_exp_register_kernels. */
fg_status fgi_registry_add(const fgi_kernel *k, const fgi_kernel **out);
/* FG_OK when every id in the table is unique, else FG_ERR_CONFLICT naming
 * the first duplicate. Run at start-up in debug builds and by the tests. */
fg_status fgi_registry_check_unique(void);

/* The build signature: "<version>-<16 hex digits>", the hex digits an
 * FNV-1a hash of the library version and every registered kernel id in
 * table order. Rows of the performance database and test reports carry it;
 * rows from another build are ignored. size >= FGI_SIGNATURE_LEN. */
#define FGI_SIGNATURE_LEN 48
void fgi_build_signature(char *buf, size_t size);

/* Forces this thread's op calls onto kernel `id` (tests, benchmarks, tools);
 * NULL or "" clears. FG_ERR_NOT_FOUND for an unknown id. While forced, a
 * call the kernel does not accept fails with FG_ERR_UNSUPPORTED. Forced
 * calls bypass the dispatcher (no cache, no fallback) but not fault
 * injection. */
fg_status fgi_force_kernel(const char *id);
/* The kernel forced on this thread, or NULL. */
const fgi_kernel *fgi_forced_kernel(void);

/* The kernel forced on this thread (initial-exec: read on every call;
 * __thread: this header is also read as C++). */
extern __thread const fgi_kernel *fgi_tl_forced __attribute__((tls_model("initial-exec")));
/* Runs call on forced, a kernel of call's op (fgi_dispatch's forced path). */
fg_status fgi_dispatch_forced(const fgi_kernel *forced, const fgi_call *call);
/* The experimental dispatcher's entry (src/experimental/dispatcher.c). */
fg_status fgi_exp_dispatch(const fgi_call *call);

/* Picks the kernel for a validated call and runs it: the forced kernel when
 * one is set for this op, else the experimental dispatcher, which with
 * experimental ops disabled (the default) runs stable kernels by priority,
 * then the reference. Inline: the entry points call it on every call. */
static inline fg_status fgi_dispatch(const fgi_call *call)
{
    const fgi_kernel *forced = fgi_tl_forced;
    if (__builtin_expect(forced != NULL, 0) && forced->op == call->op)
        return fgi_dispatch_forced(forced, call);
    return fgi_exp_dispatch(call);
}

#endif
