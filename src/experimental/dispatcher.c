/* The dispatcher: features, candidates, strategy order, choice, profiling,
 * fallback, quarantine, counters. See dispatcher.h and DESIGN.md §4.
 *
 * Warm path (a repeated call): one acquire load of the "hot word" (a
 * generation number plus the flags the warm path needs), the coarse clock,
 * the key (a few shifts per dim), and this thread's 16-entry cache; a hit
 * runs the cached kernel list. Counters are per thread, written only by
 * their thread, and summed when someone asks for statistics. No lock, no
 * allocation, no shared write. The shared perf cache is read lock-free
 * (perf_cache.c) when this thread's cache misses.
 *
 * Fallback: when an experimental kernel fails (an error, or a NaN result
 * under validate_output=nan) the next candidate runs; stable and reference
 * failures are returned as they are.
 *
 * Every change that can alter a decision (configuration, groups, denylist,
 * quarantine, registration, invalidation) happens under the runtime lock
 * and bumps the generation, which retires every thread's cached entries at
 * once; the shared cache is cleared or pruned in the same critical section.
 * A decision made while the generation moved is used for its call but not
 * cached. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/time.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "experimental/perfdb.h"
#include "ops/registry.h"

/* ---------------------------------------------------------------- state */

enum { HOT_INIT = 1, HOT_FALLBACK = 2, HOT_VALIDATE = 4, HOT_WARN = 8, HOT_CACHE = 16 };
#define HOT_FLAGS 0xffu
#define HOT_GEN_ONE 0x100u

static uint64_t g_hot; /* atomic: generation << 8 | HOT_* */
static pthread_mutex_t exp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t exp_once = PTHREAD_ONCE_INIT;
static fgi_pc *g_pc;
static unsigned g_groups;               /* atomic */
static uint8_t g_deny[FGI_MAX_KERNELS]; /* atomic bytes */
static char *g_deny_list;               /* the denylist text, for re-expansion */
static uint8_t g_warned[FGI_OP_COUNT];  /* atomic bytes: first-use warning given */
static int g_warn_level = FG_EXP_LEVEL_INFO;
static fgi_exp_meta_source g_meta;
/* Shape rules of the experimental kernels in current decisions (atomic
 * pointers, set with the lock held when a kernel becomes a candidate). A
 * call racing with fgi_exp_set_meta_source may run once without its rule;
 * the kernel's supports() still holds. */
static const fgi_exp_shape_rule *g_rule[FGI_MAX_KERNELS];

void fgi_exp_lock(void) { pthread_mutex_lock(&exp_mu); }
void fgi_exp_unlock(void) { pthread_mutex_unlock(&exp_mu); }
fgi_pc *fgi_exp_perf_cache(void) { return g_pc; }
unsigned fgi_exp_groups(void) { return __atomic_load_n(&g_groups, __ATOMIC_RELAXED); }
bool fgi_exp_denied(int idx) { return idx >= 0 && __atomic_load_n(&g_deny[idx], __ATOMIC_RELAXED); }

/* Lock held. New generation, flags as given (HOT_INIT kept). */
static void hot_publish(unsigned flags)
{
    uint64_t cur = __atomic_load_n(&g_hot, __ATOMIC_RELAXED);
    uint64_t next = ((cur & ~(uint64_t)HOT_FLAGS) + HOT_GEN_ONE) | (cur & HOT_INIT) | flags;
    __atomic_store_n(&g_hot, next, __ATOMIC_RELEASE);
}

static void hot_bump(void)
{
    hot_publish((unsigned)(__atomic_load_n(&g_hot, __ATOMIC_RELAXED) & HOT_FLAGS & ~HOT_INIT));
}

static inline int64_t coarse_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---------------------------------------------------------------- per-thread block */

enum {
    C_CALLS,
    C_EXP,
    C_HITS,
    C_MISSES,
    C_PROFILED,
    C_FB_ERROR,
    C_FB_INVALID,
    C_FB_SLOW,
    C_FB_UNSUP,
    C_FAIL_RET,
    C_DB_WARM,
    C_COUNT
};

#define TL_N 16
/* A thread's cached entries report their use to the shared cache's LRU at
 * most this often. */
#define TOUCH_NS 100000000LL

typedef struct tl_entry {
    uint64_t hot; /* g_hot when filled: another generation means stale */
    uint64_t hash;
    fgi_pc_key key;
    int64_t expires;
    int64_t touched;
    uint32_t slot;
    fgi_pc_value val;
} tl_entry;

typedef struct tl_block {
    tl_entry cache[TL_N];
    uint64_t cnt[C_COUNT]; /* written by the owner only (relaxed atomics) */
    uint64_t kcalls[FGI_MAX_KERNELS];
    struct tl_block *next, *prev;
} tl_block;

static pthread_mutex_t tl_mu = PTHREAD_MUTEX_INITIALIZER;
static tl_block *tl_head;
/* counters of exited threads, and the values at the last reset */
static uint64_t ret_cnt[C_COUNT], ret_k[FGI_MAX_KERNELS];
static uint64_t base_cnt[C_COUNT], base_k[FGI_MAX_KERNELS];
static uint64_t g_quarantines, base_quarantines, base_evictions, base_expirations;
static pthread_key_t tl_key;
static _Thread_local tl_block *tl_self __attribute__((tls_model("initial-exec")));

static inline void cnt_add(uint64_t *c, uint64_t v)
{
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static void tl_destroy(void *p)
{
    tl_block *b = p;
    pthread_mutex_lock(&tl_mu);
    for (int i = 0; i < C_COUNT; i++) ret_cnt[i] += __atomic_load_n(&b->cnt[i], __ATOMIC_RELAXED);
    for (int i = 0; i < FGI_MAX_KERNELS; i++) ret_k[i] += __atomic_load_n(&b->kcalls[i], __ATOMIC_RELAXED);
    if (b->prev)
        b->prev->next = b->next;
    else
        tl_head = b->next;
    if (b->next) b->next->prev = b->prev;
    pthread_mutex_unlock(&tl_mu);
    tl_self = NULL;
    free(b);
}

/* plain calloc: the block lives as long as its thread (see perf_cache.c
 * on why not fgi_alloc) */
static tl_block *tl_create(void)
{
    tl_block *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    pthread_mutex_lock(&tl_mu);
    b->next = tl_head;
    if (tl_head) tl_head->prev = b;
    tl_head = b;
    pthread_mutex_unlock(&tl_mu);
    pthread_setspecific(tl_key, b);
    tl_self = b;
    return b;
}

/* ---------------------------------------------------------------- key */

/* 0 for 0, else 1 + ceil(log2 d): the power of two d rounds up to. */
static inline uint64_t lg2c(int64_t d)
{
    return d <= 0 ? 0 : d == 1 ? 1 : (uint64_t)(65 - __builtin_clzll((uint64_t)d - 1));
}

static inline uint64_t bcast_mask(const fgi_tensor *t)
{
    uint64_t m = 0;
    for (int d = 0; d < t->ndim; d++) m |= (uint64_t)(t->strides[d] == 0 && t->shape[d] > 1) << d;
    return m;
}

/* Features: op, dtype, device, dims of x rounded up to powers of two, the
 * power-of-two factor of the last dim (up to 64: vector tails), contiguity
 * of each tensor, broadcast pattern (add, mul), N (mm, bmm), and the
 * attributes that change the choice: dim, keepdim, approx, has_weight,
 * has_bias. Attributes that do not (alpha, eps) are left out. */
uint64_t fgi_exp_key(const fgi_call *c, fgi_pc_key *key)
{
    const fgi_tensor *x = &c->in[0];
    int64_t last = x->ndim ? x->shape[x->ndim - 1] : 1;
    uint64_t align = last == 0 ? 7 : (uint64_t)__builtin_ctzll((uint64_t)last);
    if (align > 6 && last != 0) align = 6;
    uint64_t w0 = (uint64_t)c->op | (uint64_t)c->dtype << 8 | (uint64_t)(c->out.device & 0xff) << 12 |
                  (uint64_t)x->ndim << 20 | (uint64_t)((c->dim + 1) & 0xf) << 24 |
                  (uint64_t)c->contiguous << 28 | (uint64_t)c->has_weight << 29 |
                  (uint64_t)c->has_bias << 30 | (uint64_t)c->keepdim << 31 | (uint64_t)(c->approx & 3) << 32 |
                  align << 34 | (uint64_t)c->out.contiguous << 37 | (uint64_t)x->contiguous << 38 |
                  (uint64_t)(c->nin > 1 && c->in[1].contiguous) << 39;
    uint64_t w1 = 0;
    for (int d = 0; d < x->ndim; d++) w1 |= lg2c(x->shape[d]) << (7 * d);
    uint64_t w2 = lg2c(c->n);
    if (c->op == FGI_OP_add || c->op == FGI_OP_mul)
        w2 |= bcast_mask(&c->in[0]) << 8 | bcast_mask(&c->in[1]) << 16;
    key->w[0] = w0;
    key->w[1] = w1;
    key->w[2] = w2;
    uint64_t h = (w0 ^ (w2 << 40)) * 0x9E3779B97F4A7C15ull ^ w1;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return h;
}

static const char *pow2_str(char *buf, size_t cap, uint64_t lg)
{
    if (lg == 0) return snprintf(buf, cap, "0"), buf;
    uint64_t p = (uint64_t)1 << (lg - 1);
    if (p >= (1ull << 30) && !(p & ((1ull << 30) - 1)))
        snprintf(buf, cap, "%lluG", (unsigned long long)(p >> 30));
    else if (p >= (1ull << 20) && !(p & ((1ull << 20) - 1)))
        snprintf(buf, cap, "%lluM", (unsigned long long)(p >> 20));
    else if (p >= 1024 && !(p & 1023))
        snprintf(buf, cap, "%lluK", (unsigned long long)(p >> 10));
    else
        snprintf(buf, cap, "%llu", (unsigned long long)p);
    return buf;
}

const char *fgi_exp_shape_sig(const fgi_call *call, char *buf, size_t cap)
{
    const fgi_tensor *x = &call->in[0];
    size_t n = 0;
    buf[0] = '\0';
    if (x->ndim == 0) snprintf(buf, cap, "scalar");
    for (int d = 0; d < x->ndim && n < cap; d++) {
        char part[24];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", d ? "_" : "",
                              pow2_str(part, sizeof part, lg2c(x->shape[d])));
    }
    return buf;
}

/* ---------------------------------------------------------------- quarantine */

typedef struct qent {
    fgi_pc_key key;
    int kidx;
    int fails;
    bool quarantined;
} qent;

#define QMAX 1024
static qent g_q[QMAX]; /* lock held */
static int g_nq;

static qent *q_find(const fgi_pc_key *key, int kidx)
{
    for (int i = 0; i < g_nq; i++)
        if (g_q[i].kidx == kidx && !memcmp(&g_q[i].key, key, sizeof *key)) return &g_q[i];
    return NULL;
}

static bool q_is(const fgi_pc_key *key, int kidx)
{
    qent *q = q_find(key, kidx);
    return q && q->quarantined;
}

enum { R_UNSUP = 1, R_ERROR = 2, R_INVALID = 4 };

/* Counts a failure of kernel idx for key; the quarantine_after-th one
 * quarantines it for that key, which drops the key's cached decision. */
static void record_failure(const fgi_pc_key *key, uint64_t hash, int idx, unsigned why)
{
    if (!key) return;
    fgi_exp_lock();
    qent *q = q_find(key, idx);
    if (!q) {
        if (g_nq == QMAX) { /* forget the oldest */
            memmove(&g_q[0], &g_q[1], (QMAX - 1) * sizeof g_q[0]);
            g_nq--;
        }
        q = &g_q[g_nq++];
        *q = (qent){.key = *key, .kidx = idx};
    }
    q->fails++;
    const fgi_kernel *k = fgi_kernel_at(idx);
    int after = fgi_cfg_locked()->quarantine_after;
    if (!q->quarantined && q->fails >= after) {
        q->quarantined = true;
        g_quarantines++;
        if (g_pc) fgi_pc_remove(g_pc, key, hash);
        hot_bump();
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "kernel %s quarantined for a %s key after %d failures (last: %s)",
                    k ? k->id : "?", fgi_op_name((fgi_op)(key->w[0] & 0xff)), q->fails,
                    why == R_INVALID ? "invalid output" : "error");
    }
    fgi_exp_unlock();
}

/* ---------------------------------------------------------------- candidates */

typedef struct cand {
    const fgi_kernel *k;
    int idx;
    int cls; /* 0 specialized experimental, 1 general experimental, 2 stable, 3 reference */
    double speedup;
} cand;

typedef struct settings {
    fg_exp_strategy strategy;
    bool profiling, on_slow, validate, cache;
    int warmup, repeat;
    double threshold;
    unsigned groups;
} settings;

double fgi_exp_expected_speedup(const fgi_kernel *k, fgi_dtype dtype)
{
    if (k->ext) return k->ext->pub.expected_speedup;
    if (g_meta.expected_speedup) return g_meta.expected_speedup(k->id, k->op, dtype, g_meta.ctx);
    return 0.0;
}

bool fgi_exp_kernel_enabled(const fgi_kernel *k)
{
    int idx = fgi_kernel_index(k);
    if (k->tier == FGI_TIER_REFERENCE) return true;
    if (fgi_exp_denied(idx)) return false;
    if (k->tier != FGI_TIER_EXPERIMENTAL) return true;
    return (fgi_exp_groups() & (unsigned)k->group) && strcmp(fgi_exp_kernel_status(k), "DEPRECATED") != 0;
}

/* Metadata for an experimental candidate (lock held): false when its
 * status is DEPRECATED; else its shape rule is published for run_list. */
static bool meta_admits_locked(const fgi_kernel *k, int idx)
{
    if (g_meta.status) {
        const char *st = g_meta.status(k->id, g_meta.ctx);
        if (st && strcmp(st, "DEPRECATED") == 0) return false;
    }
    const fgi_exp_shape_rule *r = g_meta.shape_rule ? g_meta.shape_rule(k->id, g_meta.ctx) : NULL;
    __atomic_store_n(&g_rule[idx], r, __ATOMIC_RELEASE);
    return true;
}

/* The kernel's supports() and its metadata shape rule. */
static inline bool kernel_accepts(const fgi_kernel *k, int idx, const fgi_call *call)
{
    if ((k->supports || k->ext) && !fgi_kernel_supports(k, call)) return false;
    const fgi_exp_shape_rule *r = __atomic_load_n(&g_rule[idx], __ATOMIC_ACQUIRE);
    return !r || fgi_exp_rule_accepts(r, call);
}

const char *fgi_exp_kernel_status(const fgi_kernel *k)
{
    const char *s = g_meta.status ? g_meta.status(k->id, g_meta.ctx) : NULL;
    if (s) return s;
    return k->tier == FGI_TIER_EXPERIMENTAL ? "EXPERIMENTAL" : "STABLE";
}

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->cls != b->cls) return a->cls - b->cls;
    if (a->speedup != b->speedup) return a->speedup > b->speedup ? -1 : 1;
    if (a->k->priority != b->k->priority) return b->k->priority - a->k->priority;
    return a->idx - b->idx;
}

typedef struct why_buf {
    char *p;
    size_t cap, n;
} why_buf;

static void why_add(why_buf *w, const fgi_kernel *k, const char *reason)
{
    if (!w || w->n >= w->cap) return;
    w->n += (size_t)snprintf(w->p + w->n, w->cap - w->n, "%s%s (%s)", w->n ? ", " : "", k->id, reason);
}

/* The candidates of call in strategy order (lock held). */
static int build_candidates(const fgi_call *call, const fgi_pc_key *key, const settings *s, cand *out,
                            why_buf *why)
{
    int n_all;
    const fgi_kernel *const *all = fgi_kernels(&n_all);
    unsigned feat = fgi_cpu_features();
    cand c[FGI_MAX_KERNELS];
    int n = 0;
    bool have_exp = false;
    for (int i = 0; i < n_all; i++) {
        const fgi_kernel *k = all[i];
        if (k->op != call->op) continue;
        if (!k->run) {
            why_add(why, k, "not built");
            continue;
        }
        if (k->device != call->out.device) {
            why_add(why, k, "other device");
            continue;
        }
        if (!(k->dtypes & FGI_DTYPE_BIT(call->dtype))) {
            why_add(why, k, "dtype");
            continue;
        }
        if ((feat & k->isa) != k->isa) {
            why_add(why, k, "CPU lacks AVX2/FMA/F16C");
            continue;
        }
        int cls;
        if (k->tier == FGI_TIER_EXPERIMENTAL) {
            if (!(s->groups & (unsigned)k->group)) {
                why_add(why, k, s->groups ? "group disabled" : "experimental disabled");
                continue;
            }
            if (fgi_exp_denied(i)) {
                why_add(why, k, "denylisted");
                continue;
            }
            have_exp = true;
            if (key && q_is(key, i)) {
                why_add(why, k, "quarantined for this key");
                continue;
            }
            if (!meta_admits_locked(k, i)) {
                why_add(why, k, "DEPRECATED in metadata");
                continue;
            }
            cls = k->specialized ? 0 : 1;
        } else if (k->tier == FGI_TIER_STABLE) {
            if (fgi_exp_denied(i)) {
                why_add(why, k, "denylisted");
                continue;
            }
            cls = 2;
        } else {
            cls = 3;
        }
        c[n++] = (cand){k, i, cls, cls < 2 ? fgi_exp_expected_speedup(k, call->dtype) : 0.0};
    }
    /* strategy: which classes take part. It governs the ops that have an
     * enabled experimental kernel; the others run stable, then reference,
     * whatever the strategy (aggressive would otherwise send every mm to
     * the slow reference kernel, and off would fail it). */
    bool exp_mode = s->groups != 0 && have_exp;
    int m = 0;
    for (int i = 0; i < n; i++) {
        bool keep = true;
        if (exp_mode && s->strategy == FG_EXP_STRATEGY_AGGRESSIVE && c[i].cls == 2) {
            why_add(why, c[i].k, "strategy aggressive skips stable");
            keep = false;
        } else if (exp_mode && s->strategy == FG_EXP_STRATEGY_OFF && c[i].cls >= 2) {
            why_add(why, c[i].k, "strategy off: experimental only");
            keep = false;
        }
        if (keep) c[m++] = c[i];
    }
    qsort(c, (size_t)m, sizeof c[0], cand_cmp);
    /* a list longer than a cache entry keeps its head and the reference */
    if (m > FGI_PC_MAXK) {
        if (c[m - 1].cls == 3) c[FGI_PC_MAXK - 1] = c[m - 1];
        m = FGI_PC_MAXK;
    }
    memcpy(out, c, (size_t)m * sizeof c[0]);
    return m;
}

/* ---------------------------------------------------------------- running one kernel */

static void warn_first_use(const fgi_kernel *k)
{
    uint8_t zero = 0;
    if (!__atomic_compare_exchange_n(&g_warned[k->op], &zero, 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return;
    fgi_exp_log(__atomic_load_n(&g_warn_level, __ATOMIC_RELAXED),
                "op %s is served by experimental kernel %s (group %s); results may differ from the "
                "stable kernel within the op's tolerance (show_warnings=false silences this)",
                fgi_op_name(k->op), k->id, k->group == FGI_GROUP_GENERATED ? "generated" : "custom");
}

/* Runs an experimental kernel under validate_output=nan: in-place calls go
 * through a scratch output so that a rejected result never reaches the
 * input the fallback reads. */
static fg_status run_validated(const fgi_kernel *k, const fgi_call *call, int fault, unsigned *why)
{
    bool finite = fgi_inputs_finite(call);
    bool inplace = fgi_call_in_place(call);
    fgi_call c2;
    const fgi_call *rc = call;
    void *scratch = NULL;
    size_t bytes = (size_t)call->out.numel * (size_t)fgi_dtype_size(call->dtype);
    if (inplace) {
        scratch = fgi_alloc(bytes, "validation scratch output");
        if (!scratch) {
            *why = R_ERROR;
            return FG_ERR_NO_MEMORY;
        }
        c2 = *call;
        c2.out = fgi_dense_like(&call->out, scratch);
        rc = &c2;
    }
    fg_status s = fgi_kernel_run_quiet(k, rc);
    if (s != FG_OK) {
        *why = R_ERROR;
        s = fgi_error_push(s, "kernel %s", k->id);
    } else {
        if (fault == FGI_FAULT_NAN) fgi_fill_nan(&rc->out);
        if (finite && fgi_has_nan(&rc->out)) {
            *why = R_INVALID;
            s = FG_ERROR(FG_ERR_KERNEL, "kernel %s produced NaN from finite inputs (validate_output=nan)",
                         k->id);
        } else {
            if (inplace) fgi_copy_tensor(&call->out, &rc->out);
            fgi_set_last_kernel(k);
        }
    }
    if (scratch) fgi_free(scratch, bytes);
    return s;
}

static inline fg_status run_one(const fgi_kernel *k, int idx, const fgi_call *call, uint64_t hot,
                                unsigned *why)
{
    int fault = __atomic_load_n(&fgi_exp_faults[idx], __ATOMIC_RELAXED);
    bool exp = k->tier == FGI_TIER_EXPERIMENTAL;
    if (exp && (hot & HOT_WARN) && !__atomic_load_n(&g_warned[k->op], __ATOMIC_RELAXED)) warn_first_use(k);
    if (__builtin_expect(fault == FGI_FAULT_ERROR, 0)) {
        *why = R_ERROR;
        return FG_ERROR(FG_ERR_KERNEL, "kernel %s failed: fault injected (FLAGGEMS_EXP_FAULT=%s=error)",
                        k->id, k->id);
    }
    if (exp && (hot & HOT_VALIDATE)) return run_validated(k, call, fault, why);
    fg_status s = fgi_kernel_run(k, call);
    if (__builtin_expect(s != FG_OK, 0)) {
        *why = R_ERROR;
        return fgi_error_push(s, "kernel %s", k->id);
    }
    if (__builtin_expect(fault == FGI_FAULT_NAN, 0)) fgi_fill_nan(&call->out);
    return FG_OK;
}

fg_status fgi_exp_run_forced(const fgi_kernel *k, const fgi_call *call)
{
    fgi_exp_init();
    int fault = __atomic_load_n(&fgi_exp_faults[fgi_kernel_index(k)], __ATOMIC_RELAXED);
    FG_RETURN_IF(fault == FGI_FAULT_ERROR, FG_ERR_KERNEL,
                 "kernel %s failed: fault injected (FLAGGEMS_EXP_FAULT=%s=error)", k->id, k->id);
    fg_status s = fgi_kernel_run(k, call);
    if (s == FG_OK && fault == FGI_FAULT_NAN) fgi_fill_nan(&call->out);
    return s;
}

enum { VF_SLOW = 1 };

/* Walks the decision's kernels: the first that accepts the exact call runs;
 * on failure the next one runs (it rewrites the whole output) while
 * fallback is allowed. */
static fg_status run_list(const fgi_call *call, tl_block *t, const fgi_pc_value *v, const fgi_pc_key *key,
                          uint64_t hash, uint64_t hot)
{
    unsigned reasons = 0;
    fg_status last = FG_OK;
    for (int i = 0; i < v->n; i++) {
        int idx = v->kidx[i];
        const fgi_kernel *k = fgi_kernel_ptrs[idx];
        if (!kernel_accepts(k, idx, call)) {
            reasons |= R_UNSUP;
            continue;
        }
        unsigned why = 0;
        fg_status s = run_one(k, idx, call, hot, &why);
        if (__builtin_expect(s == FG_OK, 1)) {
            if (last != FG_OK) fgi_error_clear();
            if (t) {
                cnt_add(&t->kcalls[idx], 1);
                if (k->tier == FGI_TIER_EXPERIMENTAL) cnt_add(&t->cnt[C_EXP], 1);
                if (__builtin_expect(reasons != 0 || (v->flags & VF_SLOW), 0)) {
                    if (reasons & R_UNSUP) cnt_add(&t->cnt[C_FB_UNSUP], 1);
                    if (reasons & R_ERROR) cnt_add(&t->cnt[C_FB_ERROR], 1);
                    if (reasons & R_INVALID) cnt_add(&t->cnt[C_FB_INVALID], 1);
                    if ((v->flags & VF_SLOW) && i == 0) cnt_add(&t->cnt[C_FB_SLOW], 1);
                }
            }
            return FG_OK;
        }
        last = s;
        /* Only experimental kernels fall back: a stable or reference kernel
         * fails for reasons the caller must see (no memory), exactly as
         * without the experimental runtime. */
        if (k->tier != FGI_TIER_EXPERIMENTAL) break;
        record_failure(key, hash, idx, why);
        reasons |= why;
        if (!(hot & HOT_FALLBACK)) break;
    }
    if (last != FG_OK) {
        if (t) cnt_add(&t->cnt[C_FAIL_RET], 1);
        return last;
    }
    char ids[512];
    size_t o = 0;
    ids[0] = '\0';
    for (int i = 0; i < v->n && o < sizeof ids; i++) {
        const fgi_kernel *k = fgi_kernel_at(v->kidx[i]);
        o += (size_t)snprintf(ids + o, sizeof ids - o, "%s%s", i ? ", " : "", k ? k->id : "?");
    }
    return FG_ERROR(FG_ERR_UNSUPPORTED, "no candidate kernel accepts this %s call (candidates: %s)",
                    fgi_op_name(call->op), v->n ? ids : "none");
}

/* ---------------------------------------------------------------- decisions */

static void settings_locked(settings *s)
{
    const fg_exp_config *c = fgi_cfg_locked();
    s->strategy = c->dispatch_strategy;
    s->profiling = c->enable_profiling;
    s->on_slow = c->fallback_on_slow;
    s->validate = c->validate_output == FG_EXP_VALIDATE_NAN;
    s->cache = c->enable_perf_cache;
    s->warmup = c->profiling_warmup;
    s->repeat = c->profiling_repeat;
    s->threshold = c->slow_threshold;
    s->groups = fgi_exp_groups();
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Times each contender (warm-up, then `repeat` timed runs, median). In-place
 * calls run into a scratch output so the caller's input survives; other
 * calls write out, which the chosen kernel rewrites afterwards. A failing
 * contender counts toward its quarantine and gets no time. */
static void profile(const fgi_call *call, const cand *c, const int *who, int nwho, const settings *s,
                    const fgi_pc_key *key, uint64_t hash, float *ns, fgi_perf_sample_stats *stats)
{
    bool inplace = fgi_call_in_place(call);
    fgi_call c2 = *call;
    void *scratch = NULL;
    size_t bytes = (size_t)call->out.numel * (size_t)fgi_dtype_size(call->dtype);
    if (inplace) {
        scratch = fgi_alloc(bytes, "profiling scratch output");
        if (!scratch) {
            fgi_error_clear();
            return;
        }
        c2.out = fgi_dense_like(&call->out, scratch);
    }
    bool finite = s->validate && fgi_inputs_finite(call);
    int64_t times[1000];
    for (int j = 0; j < nwho; j++) {
        const fgi_kernel *k = c[who[j]].k;
        int idx = c[who[j]].idx;
        int fault = __atomic_load_n(&fgi_exp_faults[idx], __ATOMIC_RELAXED);
        fg_status st = fault == FGI_FAULT_ERROR ? FG_ERR_KERNEL : FG_OK;
        for (int r = 0; r < s->warmup && st == FG_OK; r++) st = fgi_kernel_run_quiet(k, &c2);
        for (int r = 0; r < s->repeat && st == FG_OK; r++) {
            int64_t t0 = fgi_now_ns();
            st = fgi_kernel_run_quiet(k, &c2);
            times[r] = fgi_now_ns() - t0;
        }
        if (st != FG_OK) {
            if (k->tier == FGI_TIER_EXPERIMENTAL) record_failure(key, hash, idx, R_ERROR);
            continue;
        }
        if (fault == FGI_FAULT_NAN) fgi_fill_nan(&c2.out);
        if (finite && k->tier == FGI_TIER_EXPERIMENTAL && fgi_has_nan(&c2.out)) {
            record_failure(key, hash, idx, R_INVALID);
            continue;
        }
        qsort(times, (size_t)s->repeat, sizeof times[0], cmp_i64);
        int64_t med = times[s->repeat / 2];
        ns[who[j]] = med > 0 ? (float)med : 0.5f;
        stats[j] = (fgi_perf_sample_stats){(double)ns[who[j]], (double)times[s->repeat / 10],
                                        (double)times[s->repeat * 9 / 10], (double)times[0], s->repeat, -1};
    }
    if (scratch) fgi_free(scratch, bytes);
    fgi_error_clear();
}

/* Moves element `from` of c (and ns) to the front, keeping the others' order. */
static void move_front(cand *c, float *ns, int from)
{
    cand ck = c[from];
    float nk = ns[from];
    memmove(&c[1], &c[0], (size_t)from * sizeof c[0]);
    memmove(&ns[1], &ns[0], (size_t)from * sizeof ns[0]);
    c[0] = ck;
    ns[0] = nk;
}

static void log_decision(const fgi_call *call, const settings *s, const cand *c, const float *ns, int n,
                         const char *rejected, bool slow, bool profiled)
{
    char sig[96], order[768];
    size_t o = 0;
    order[0] = '\0';
    for (int i = 0; i < n && o < sizeof order; i++) {
        if (ns[i] > 0)
            o += (size_t)snprintf(order + o, sizeof order - o, "%s%s %.2fus", i ? ", " : "", c[i].k->id,
                                  ns[i] / 1e3);
        else
            o += (size_t)snprintf(order + o, sizeof order - o, "%s%s", i ? ", " : "", c[i].k->id);
    }
    fgi_exp_log(FG_EXP_LEVEL_DEBUG, "dispatch %s %s [%s]%s strategy=%s%s%s: order [%s]; rejected: %s",
                fgi_op_name(call->op), fgi_dtype_name(call->dtype), fgi_exp_shape_sig(call, sig, sizeof sig),
                call->contiguous ? " contiguous" : " strided", fgi_cfg_strategy_name(s->strategy),
                profiled    ? " profiled"
                : ns[0] > 0 ? " (times from the performance database)"
                            : "",
                slow ? " (experimental winner too slow: fallback_on_slow)" : "",
                order, rejected[0] ? rejected : "none");
}

/* Decides the kernel order for call: candidates in strategy order, those
 * that accept this exact call first, the measured winner (when profiling)
 * at the very front. */
static void decide(const fgi_call *call, const fgi_pc_key *key, uint64_t hash, bool may_profile,
                   fgi_pc_value *v, settings *s, tl_block *t)
{
    cand c[FGI_PC_MAXK];
    float ns[FGI_PC_MAXK] = {0};
    char rejected[1024];
    rejected[0] = '\0';
    why_buf wb = {rejected, sizeof rejected, 0};
    bool dbg = fgi_exp_log_on(FG_EXP_LEVEL_DEBUG);
    fgi_exp_lock();
    settings_locked(s);
    int n = build_candidates(call, key, s, c, dbg ? &wb : NULL);
    fgi_exp_unlock();

    /* acceptors of this exact call first (stable partition) */
    cand acc[FGI_PC_MAXK], rest[FGI_PC_MAXK];
    int na = 0, nr = 0;
    for (int i = 0; i < n; i++) {
        if (kernel_accepts(c[i].k, c[i].idx, call))
            acc[na++] = c[i];
        else {
            rest[nr++] = c[i];
            if (dbg) why_add(&wb, c[i].k, "does not accept this shape");
        }
    }
    memcpy(c, acc, (size_t)na * sizeof c[0]);
    memcpy(c + na, rest, (size_t)nr * sizeof c[0]);

    bool slow = false, profiled = false;
    if (may_profile && s->profiling) {
        int who[FGI_PC_MAXK], nexp = 0, base = -1;
        for (int i = 0; i < na; i++) {
            if (c[i].cls <= 1)
                who[nexp++] = i;
            else if (base < 0)
                base = i;
        }
        bool need_base = s->on_slow && base >= 0;
        if (nexp >= 2 || (nexp >= 1 && need_base)) {
            int nwho = nexp;
            if (need_base) who[nwho++] = base;
            /* warm start: times this machine and build measured before, in
             * any process (perfdb.h); else measure and keep the times */
            const fgi_kernel *ks[FGI_PC_MAXK];
            float kns[FGI_PC_MAXK];
            fgi_perf_sample_stats st[FGI_PC_MAXK] = {{0}};
            for (int j = 0; j < nwho; j++) ks[j] = c[who[j]].k;
            if (fgi_perfdb_recall(key, ks, nwho, kns)) {
                for (int j = 0; j < nwho; j++) ns[who[j]] = kns[j];
                if (t) cnt_add(&t->cnt[C_DB_WARM], 1);
            } else {
                profile(call, c, who, nwho, s, key, hash, ns, st);
                profiled = true;
                if (t) cnt_add(&t->cnt[C_PROFILED], 1);
                fgi_perfdb_remember(call, ks, nwho, st);
            }
            int best = -1;
            for (int j = 0; j < nexp; j++)
                if (ns[who[j]] > 0 && (best < 0 || ns[who[j]] < ns[best])) best = who[j];
            if (best >= 0 && need_base && ns[base] > 0 && ns[best] > ns[base] * s->threshold) {
                slow = true;
                best = base;
            }
            if (best > 0) move_front(c, ns, best);
        }
    }
    memset(v, 0, sizeof *v);
    v->n = (uint8_t)n;
    v->flags = slow ? VF_SLOW : 0;
    for (int i = 0; i < n; i++) {
        v->kidx[i] = (uint16_t)c[i].idx;
        v->ns[i] = ns[i];
    }
    if (dbg) log_decision(call, s, c, ns, n, rejected, slow, profiled);
}

/* ---------------------------------------------------------------- entry */

static fg_status dispatch_cold(const fgi_call *call, tl_block *t, tl_entry *e, const fgi_pc_key *key,
                               uint64_t hash, uint64_t hot, int64_t now)
{
    fgi_pc_value v;
    int64_t expires;
    uint32_t slot;
    if (g_pc && fgi_pc_lookup_locked(g_pc, key, hash, now, &v, &expires, &slot)) {
        cnt_add(&t->cnt[C_HITS], 1);
    } else {
        cnt_add(&t->cnt[C_MISSES], 1);
        settings s;
        decide(call, key, hash, true, &v, &s, t);
        fgi_exp_lock();
        bool current = __atomic_load_n(&g_hot, __ATOMIC_RELAXED) == hot;
        if (current && g_pc) fgi_pc_insert(g_pc, key, hash, call->op, &v, now, &expires, &slot);
        fgi_exp_unlock();
        if (!current || !g_pc) return run_list(call, t, &v, key, hash, hot);
    }
    e->hot = hot;
    e->hash = hash;
    e->key = *key;
    e->expires = expires;
    e->touched = now;
    e->slot = slot;
    e->val = v;
    return run_list(call, t, &e->val, key, hash, hot);
}

/* Perf cache off (or no per-thread block): decide every call, no profiling. */
static fg_status dispatch_uncached(const fgi_call *call, tl_block *t, uint64_t hot)
{
    fgi_pc_key key;
    uint64_t hash = fgi_exp_key(call, &key);
    fgi_pc_value v;
    settings s;
    if (t) cnt_add(&t->cnt[C_MISSES], 1);
    decide(call, &key, hash, false, &v, &s, t);
    return run_list(call, t, &v, &key, hash, hot);
}

fg_status fgi_exp_dispatch(const fgi_call *call)
{
    uint64_t hot = __atomic_load_n(&g_hot, __ATOMIC_ACQUIRE);
    if (__builtin_expect(!(hot & HOT_INIT), 0)) {
        fgi_exp_init();
        hot = __atomic_load_n(&g_hot, __ATOMIC_ACQUIRE);
    }
    int64_t now = coarse_now();
    if (__builtin_expect(now >= __atomic_load_n(&fgi_cfg_next_poll, __ATOMIC_RELAXED), 0)) {
        fgi_cfg_poll(now);
        hot = __atomic_load_n(&g_hot, __ATOMIC_ACQUIRE);
    }
    tl_block *t = tl_self;
    if (__builtin_expect(!t, 0) && !(t = tl_create())) return dispatch_uncached(call, NULL, hot);
    cnt_add(&t->cnt[C_CALLS], 1);
    if (__builtin_expect(!(hot & HOT_CACHE), 0)) return dispatch_uncached(call, t, hot);

    fgi_pc_key key;
    uint64_t hash = fgi_exp_key(call, &key);
    tl_entry *e = &t->cache[hash & (TL_N - 1)];
    if (__builtin_expect(e->hot == hot && e->hash == hash && e->key.w[0] == key.w[0] &&
                             e->key.w[1] == key.w[1] && e->key.w[2] == key.w[2] && now < e->expires,
                         1)) {
        cnt_add(&t->cnt[C_HITS], 1);
        if (__builtin_expect(now - e->touched > TOUCH_NS, 0)) {
            e->touched = now;
            fgi_pc_touch(g_pc, e->slot);
        }
        return run_list(call, t, &e->val, &key, hash, hot);
    }
    fgi_pc_value v;
    int64_t expires;
    uint32_t slot;
    if (fgi_pc_lookup(g_pc, &key, hash, now, &v, &expires, &slot)) {
        cnt_add(&t->cnt[C_HITS], 1);
        e->hot = hot;
        e->hash = hash;
        e->key = key;
        e->expires = expires;
        e->touched = now;
        e->slot = slot;
        e->val = v;
        return run_list(call, t, &e->val, &key, hash, hot);
    }
    return dispatch_cold(call, t, e, &key, hash, hot, now);
}

/* ---------------------------------------------------------------- configuration hooks */

void fgi_exp_config_applied(const fg_exp_config *old, const fg_exp_config *eff)
{
    int64_t ttl = (int64_t)eff->cache_ttl * 1000000000;
    if (!g_pc) {
        if (fgi_pc_create((size_t)eff->cache_size, ttl, &g_pc) != FG_OK) {
            fgi_error_clear();
            fgi_exp_log(FG_EXP_LEVEL_ERROR,
                        "perf cache of %d entries could not be created; decisions are not cached",
                        eff->cache_size);
        }
    } else if (old && (old->cache_size != eff->cache_size || old->cache_ttl != eff->cache_ttl)) {
        if (fgi_pc_configure(g_pc, (size_t)eff->cache_size, ttl) != FG_OK) {
            fgi_error_clear();
            fgi_exp_log(FG_EXP_LEVEL_ERROR, "perf cache could not be resized to %d entries", eff->cache_size);
        }
    }
    bool decisions =
        !old || old->dispatch_strategy != eff->dispatch_strategy ||
        old->enable_profiling != eff->enable_profiling || old->profiling_warmup != eff->profiling_warmup ||
        old->profiling_repeat != eff->profiling_repeat || old->fallback_on_slow != eff->fallback_on_slow ||
        old->slow_threshold != eff->slow_threshold || old->enable_perf_cache != eff->enable_perf_cache ||
        old->validate_output != eff->validate_output;
    if (decisions && g_pc) fgi_pc_clear(g_pc);
    __atomic_store_n(&g_warn_level, (int)eff->warning_level, __ATOMIC_RELAXED);
    unsigned flags = 0;
    if (eff->fallback_on_error && eff->dispatch_strategy != FG_EXP_STRATEGY_OFF) flags |= HOT_FALLBACK;
    if (eff->validate_output == FG_EXP_VALIDATE_NAN) flags |= HOT_VALIDATE;
    if (eff->show_warnings) flags |= HOT_WARN;
    if (eff->enable_perf_cache && g_pc) flags |= HOT_CACHE;
    hot_publish(flags);
}

void fgi_exp_set_groups_locked(unsigned groups)
{
    __atomic_store_n(&g_groups, groups, __ATOMIC_RELAXED);
    memset(g_warned, 0, sizeof g_warned);
    if (g_pc) fgi_pc_clear(g_pc);
    hot_bump();
}

static bool list_has(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        while (*p == ',' || *p == ' ' || *p == '\t') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t')) t--;
        if ((size_t)(t - p) == len && strncmp(p, name, len) == 0) return true;
        p = e;
    }
    return false;
}

/* Lock held: g_deny from g_deny_list for every kernel. */
static void deny_expand(void)
{
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    for (int i = 0; i < n; i++) {
        const fgi_kernel *k = all[i];
        bool d = k->tier != FGI_TIER_REFERENCE && g_deny_list &&
                 (list_has(g_deny_list, k->id) ||
                  (k->tier == FGI_TIER_EXPERIMENTAL && list_has(g_deny_list, fgi_op_name(k->op))));
        __atomic_store_n(&g_deny[i], (uint8_t)d, __ATOMIC_RELAXED);
    }
}

static int op_by_name(const char *name, size_t len)
{
    for (int o = 0; o < FGI_OP_COUNT; o++)
        if (strlen(fgi_op_name((fgi_op)o)) == len && strncmp(fgi_op_name((fgi_op)o), name, len) == 0)
            return o;
    return -1;
}

fg_status fgi_exp_set_denylist_locked(const char *list, bool from_env)
{
    char *copy = NULL;
    if (list && *list) {
        /* check every entry first: all or nothing */
        for (const char *p = list; *p;) {
            while (*p == ',' || *p == ' ' || *p == '\t') p++;
            const char *e = p;
            while (*e && *e != ',') e++;
            const char *t = e;
            while (t > p && (t[-1] == ' ' || t[-1] == '\t')) t--;
            if (t > p) {
                char name[160];
                snprintf(name, sizeof name, "%.*s", (int)(t - p), p);
                const fgi_kernel *k = fgi_kernel_find(name);
                if (k && k->tier == FGI_TIER_REFERENCE) {
                    if (from_env)
                        fgi_exp_log(
                            FG_EXP_LEVEL_WARNING,
                            "FLAGGEMS_EXP_DENYLIST: %s ignored: reference kernels are the last fallback",
                            name);
                    else
                        return FG_ERROR(FG_ERR_INVALID_ARG,
                                        "denylist entry '%s' is a reference kernel, the last fallback; "
                                        "it cannot be excluded",
                                        name);
                } else if (!k && op_by_name(name, strlen(name)) < 0) {
                    if (from_env)
                        fgi_exp_log(FG_EXP_LEVEL_WARNING,
                                    "FLAGGEMS_EXP_DENYLIST: '%s' is neither a kernel id nor an op name "
                                    "(kept for kernels registered later)",
                                    name);
                    else
                        return FG_ERROR(FG_ERR_NOT_FOUND,
                                        "denylist entry '%s' is neither a kernel id nor an op name", name);
                }
            }
            p = e;
        }
        copy = strdup(list);
        FG_RETURN_IF(!copy, FG_ERR_NO_MEMORY, "denylist");
    }
    free(g_deny_list);
    g_deny_list = copy;
    deny_expand();
    if (g_pc) fgi_pc_clear(g_pc);
    hot_bump();
    return FG_OK;
}

void fgi_exp_invalidate_locked(int op)
{
    if (g_pc) {
        if (op < 0)
            fgi_pc_clear(g_pc);
        else
            fgi_pc_invalidate(g_pc, (uint32_t)op);
    }
    int m = 0;
    for (int i = 0; i < g_nq; i++)
        if (op >= 0 && (int)(g_q[i].key.w[0] & 0xff) != op) g_q[m++] = g_q[i];
    g_nq = m;
    hot_bump();
}

void fgi_exp_kernels_added_locked(const fgi_kernel *const *ks, int n)
{
    deny_expand();
    for (int i = 0; i < n; i++) {
        fgi_fault_added_locked(ks[i]);
        if (g_pc) fgi_pc_invalidate(g_pc, (uint32_t)ks[i]->op);
    }
    hot_bump();
}

void fgi_exp_set_meta_source(const fgi_exp_meta_source *src)
{
    fgi_exp_init();
    fgi_exp_lock();
    if (src)
        g_meta = *src;
    else
        fgi_exp_meta_default_source(&g_meta);
    for (int i = 0; i < FGI_MAX_KERNELS; i++) __atomic_store_n(&g_rule[i], NULL, __ATOMIC_RELAXED);
    if (g_pc) fgi_pc_clear(g_pc);
    hot_bump();
    fgi_exp_unlock();
}

/* ---------------------------------------------------------------- start-up */

static unsigned parse_groups(const char *v, bool *ok)
{
    unsigned g = 0;
    *ok = true;
    for (const char *p = v; *p;) {
        while (*p == ',' || *p == ' ') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        size_t len = (size_t)(e - p);
        if (len == 9 && !strncasecmp(p, "generated", 9))
            g |= FG_EXP_GROUP_GENERATED;
        else if (len == 6 && !strncasecmp(p, "custom", 6))
            g |= FG_EXP_GROUP_CUSTOM;
        else if (len == 3 && !strncasecmp(p, "all", 3))
            g |= FG_EXP_GROUP_ALL;
        else if (len == 4 && !strncasecmp(p, "none", 4))
            g |= 0;
        else if (len)
            *ok = false;
        p = e;
    }
    return g;
}

/* Environment beyond the config keys (lock held). */
static void load_env_locked(void)
{
    const char *en = getenv("FLAGGEMS_EXP_ENABLE");
    unsigned groups = 0;
    if (en) {
        bool ok;
        groups = parse_groups(en, &ok);
        if (!ok) {
            fgi_exp_log(FG_EXP_LEVEL_WARNING,
                        "FLAGGEMS_EXP_ENABLE=%.200s ignored: expected generated, custom, all or none "
                        "(comma-separated)",
                        en);
            groups = 0;
        }
    }
    fgi_exp_set_groups_locked(groups);
    const char *dl = getenv("FLAGGEMS_EXP_DENYLIST");
    fgi_exp_set_denylist_locked(dl, true);
    fgi_fault_load_env_locked();
}

static void init_once(void)
{
    pthread_key_create(&tl_key, tl_destroy);
    fgi_exp_lock();
    fgi_cfg_init_locked();
    load_env_locked();
    fgi_exp_meta_default_source(&g_meta);
    __atomic_store_n(&g_hot, __atomic_load_n(&g_hot, __ATOMIC_RELAXED) | HOT_INIT, __ATOMIC_RELEASE);
    fgi_exp_unlock();
}

void fgi_exp_init(void) { pthread_once(&exp_once, init_once); }

void fgi_exp_reload_env_locked(void) { load_env_locked(); }

/* ---------------------------------------------------------------- stats */

size_t fgi_exp_thread_bytes(void) { return sizeof(tl_block); }

void fgi_exp_get_stats(fg_exp_statistics *out, uint64_t *kernel_calls)
{
    fgi_exp_init();
    uint64_t cnt[C_COUNT];
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&tl_mu);
    for (int i = 0; i < C_COUNT; i++) cnt[i] = ret_cnt[i] - base_cnt[i];
    if (kernel_calls)
        for (int i = 0; i < FGI_MAX_KERNELS; i++) kernel_calls[i] = ret_k[i] - base_k[i];
    for (tl_block *b = tl_head; b; b = b->next) {
        for (int i = 0; i < C_COUNT; i++) cnt[i] += __atomic_load_n(&b->cnt[i], __ATOMIC_RELAXED);
        if (kernel_calls)
            for (int i = 0; i < FGI_MAX_KERNELS; i++)
                kernel_calls[i] += __atomic_load_n(&b->kcalls[i], __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&tl_mu);
    out->calls = cnt[C_CALLS];
    out->experimental_calls = cnt[C_EXP];
    out->cache_hits = cnt[C_HITS];
    out->cache_misses = cnt[C_MISSES];
    uint64_t lookups = out->cache_hits + out->cache_misses;
    out->hit_rate = lookups ? (double)out->cache_hits / (double)lookups : 0.0;
    out->profiled = cnt[C_PROFILED];
    out->fallbacks_error = cnt[C_FB_ERROR];
    out->fallbacks_invalid = cnt[C_FB_INVALID];
    out->fallbacks_slow = cnt[C_FB_SLOW];
    out->fallbacks_unsupported = cnt[C_FB_UNSUP];
    out->failures_returned = cnt[C_FAIL_RET];
    out->perfdb_warm_starts = cnt[C_DB_WARM];
    fgi_exp_lock();
    out->quarantines = g_quarantines - base_quarantines;
    if (g_pc) {
        fgi_pc_stats ps;
        fgi_pc_get_stats(g_pc, &ps);
        out->cache_entries = ps.entries;
        out->cache_evictions = ps.evictions - base_evictions;
        out->cache_expirations = ps.expirations - base_expirations;
    }
    fgi_exp_unlock();
}

void fgi_exp_reset_stats(void)
{
    fgi_exp_init();
    pthread_mutex_lock(&tl_mu);
    for (int i = 0; i < C_COUNT; i++) base_cnt[i] = ret_cnt[i];
    for (int i = 0; i < FGI_MAX_KERNELS; i++) base_k[i] = ret_k[i];
    for (tl_block *b = tl_head; b; b = b->next) {
        for (int i = 0; i < C_COUNT; i++) base_cnt[i] += __atomic_load_n(&b->cnt[i], __ATOMIC_RELAXED);
        for (int i = 0; i < FGI_MAX_KERNELS; i++)
            base_k[i] += __atomic_load_n(&b->kcalls[i], __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&tl_mu);
    fgi_exp_lock();
    base_quarantines = g_quarantines;
    if (g_pc) {
        fgi_pc_stats ps;
        fgi_pc_get_stats(g_pc, &ps);
        base_evictions = ps.evictions;
        base_expirations = ps.expirations;
    }
    fgi_exp_unlock();
}
