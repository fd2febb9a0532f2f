/* The experimental runtime's dispatcher (seed Module 2) and the internal
 * interfaces between its parts: fault injection and output validation
 * (fault.c), run-time kernels (exp_registry.c), the public API (api.c).
 *
 * Per call: features -> key (dims rounded up to powers of two) -> this
 * thread's small cache -> the shared perf cache -> on a miss, a decision
 * (candidates in strategy order, profiling when enabled) that is cached.
 * The kernel list of a cached decision is walked in order: a kernel whose
 * supports() refuses the exact call is skipped, a failing kernel falls to
 * the next one when fallback is allowed. */
#ifndef FGI_EXPERIMENTAL_DISPATCHER_H
#define FGI_EXPERIMENTAL_DISPATCHER_H

#ifndef FG_EXPERIMENTAL_API
#define FG_EXPERIMENTAL_API
#endif
#include "experimental/metadata.h"
#include "experimental/perf_cache.h"
#include "flaggems/experimental.h"
#include "ops/kernel.h"

/* ---------------------------------------------------------------- dispatch */

/* The dispatcher's entry (fgi_dispatch calls it when no kernel is forced). */
fg_status fgi_exp_dispatch(const fgi_call *call);
/* A forced kernel's run (fgi_force_kernel): fault injection applies,
 * nothing else. */
fg_status fgi_exp_run_forced(const fgi_kernel *k, const fgi_call *call);

/* The cache key of a call and its hash. w[0] low byte is the op. */
uint64_t fgi_exp_key(const fgi_call *call, fgi_pc_key *key);
/* The seed's shape signature of x (in[0]): dims rounded up to powers of two,
 * "_"-joined, with K/M/G suffixes: (1000, 500) -> "1K_512". */
const char *fgi_exp_shape_sig(const fgi_call *call, char *buf, size_t cap);

/* ---------------------------------------------------------------- state */

/* Reads the environment and config file once (pthread_once). Every fg_exp_*
 * entry point and the first dispatch call it. */
void fgi_exp_init(void);
/* The runtime lock: configuration, enabled groups, denylist, quarantine and
 * registration changes. Never taken on the warm path. */
void fgi_exp_lock(void);
void fgi_exp_unlock(void);
/* config.c calls this (lock held) when the effective configuration changed;
 * old is NULL the first time. */
void fgi_exp_config_applied(const fg_exp_config *old, const fg_exp_config *eff);
/* fg_exp_reset_config's part beyond the config keys: FLAGGEMS_EXP_ENABLE,
 * _DENYLIST and _FAULT read again (lock held). */
void fgi_exp_reload_env_locked(void);

/* Lock held for the *_locked functions. */
void fgi_exp_set_groups_locked(unsigned groups);
unsigned fgi_exp_groups(void);
/* from_env: unknown entries are reported and kept (a kernel with that id
 * may be registered later) instead of refused. */
fg_status fgi_exp_set_denylist_locked(const char *list, bool from_env);
/* Whether kernel index idx is denylisted. */
bool fgi_exp_denied(int idx);
/* Drops cached decisions and quarantines of op (-1: all). */
void fgi_exp_invalidate_locked(int op);
/* After run-time kernels were added: denylist and faults are re-expanded,
 * decisions of their ops dropped. */
void fgi_exp_kernels_added_locked(const fgi_kernel *const *ks, int n);
/* Whether k may be dispatched now (group enabled or not experimental, not
 * denylisted, not DEPRECATED in metadata) and its rank in the candidate
 * order (lower first). */
bool fgi_exp_kernel_enabled(const fgi_kernel *k);
double fgi_exp_expected_speedup(const fgi_kernel *k, fgi_dtype dtype);

/* The shared perf cache (NULL if it could not be created). */
fgi_pc *fgi_exp_perf_cache(void);

/* ---------------------------------------------------------------- metadata hook */

/* A kernel's shape constraints from its metadata (the honored keys of
 * hardware_support.shape_constraints, experimental/metadata.h). */
typedef fgi_meta_shape_rule fgi_exp_shape_rule;
/* Whether call meets rule (meta_runtime.c). */
bool fgi_exp_rule_accepts(const fgi_exp_shape_rule *rule, const fgi_call *call);

/* Where lifecycle statuses, expected speedups and shape constraints come
 * from: by default the metadata runtime (meta_runtime.c: the copy of
 * _metadata.json embedded at build time, or FLAGGEMS_EXP_METADATA). Any
 * callback may be NULL. expected_speedup returns 0 when unknown; status
 * returns NULL when unknown (then the tier decides: "EXPERIMENTAL" or
 * "STABLE"); shape_rule returns NULL when the kernel has no constraint, else
 * a rule that stays valid for the life of the process. Called with the
 * runtime lock held, on cold paths only. A kernel whose status is
 * "DEPRECATED" is never a candidate. */
typedef struct fgi_exp_meta_source {
    double (*expected_speedup)(const char *kernel_id, fgi_op op, fgi_dtype dtype, void *ctx);
    const char *(*status)(const char *kernel_id, void *ctx);
    const fgi_exp_shape_rule *(*shape_rule)(const char *kernel_id, void *ctx);
    void *ctx;
} fgi_exp_meta_source;
/* NULL restores the default (the metadata runtime). Cached decisions are
 * dropped. */
void fgi_exp_set_meta_source(const fgi_exp_meta_source *src);
/* The metadata runtime's source (meta_runtime.c). */
void fgi_exp_meta_default_source(fgi_exp_meta_source *out);
/* Status of k per the source (static or source-owned storage). */
const char *fgi_exp_kernel_status(const fgi_kernel *k);

/* ---------------------------------------------------------------- stats */

/* Memory each calling thread adds (its cache and counters). */
size_t fgi_exp_thread_bytes(void);
/* kernel_calls: NULL or FGI_MAX_KERNELS entries. */
void fgi_exp_get_stats(fg_exp_statistics *out, uint64_t *kernel_calls);
void fgi_exp_reset_stats(void);

/* ---------------------------------------------------------------- faults, validation (fault.c) */

enum { FGI_FAULT_NONE = 0, FGI_FAULT_ERROR = 1, FGI_FAULT_NAN = 2 };
/* Per kernel index; read with relaxed atomic loads on the hot path. */
extern uint8_t fgi_exp_faults[];
/* Sets or clears (mode NULL or "none") the fault of kernel id (lock held).
 * from_env: an unknown id is kept for kernels registered later. */
fg_status fgi_fault_set_locked(const char *id, const char *mode, bool from_env);
/* Parses FLAGGEMS_EXP_FAULT (lock held); bad entries are logged, skipped. */
void fgi_fault_load_env_locked(void);
/* Applies pending faults to a newly registered kernel (lock held). */
void fgi_fault_added_locked(const fgi_kernel *k);
/* Sets every element of t to NaN. */
void fgi_fill_nan(const fgi_tensor *t);
/* Whether every element of every input of call is finite. */
bool fgi_inputs_finite(const fgi_call *call);
/* Whether t holds a NaN. */
bool fgi_has_nan(const fgi_tensor *t);
/* Copies src into dst (same shape and dtype, any strides). */
void fgi_copy_tensor(const fgi_tensor *dst, const fgi_tensor *src);
/* A row-major view of t's shape and dtype over data. */
fgi_tensor fgi_dense_like(const fgi_tensor *t, void *data);
/* Whether out overlaps any input of call (in-place calls). */
bool fgi_call_in_place(const fgi_call *call);

/* ---------------------------------------------------------------- run-time kernels (exp_registry.c) */

/* The runtime's record of a kernel added by fg_exp_register_kernels. */
typedef struct fgi_ext_kernel {
    fg_exp_kernel pub; /* id and op point at the copies below */
    char id[128];
    char op[32];
} fgi_ext_kernel;

bool fgi_ext_supports(const fgi_kernel *k, const fgi_call *call);
fg_status fgi_ext_run(const fgi_kernel *k, const fgi_call *call);
/* Registers kernels (lock taken inside). */
fg_status fgi_ext_register(const fg_exp_kernel *kernels, size_t count);

/* Records k as this thread's last kernel (registry.c). */
void fgi_set_last_kernel(const fgi_kernel *k);

#endif
