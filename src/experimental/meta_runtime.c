/* The dispatcher's metadata source (see meta_runtime.h): statuses, expected
 * speedups and shape rules of the experimental kernels, taken once from the
 * embedded _metadata.json or from FLAGGEMS_EXP_METADATA into a small sorted
 * table; the store itself is closed again after loading.
 *
 * Tables are immutable once published. A reload retires the current table
 * instead of freeing it: the dispatcher may still hold pointers to its shape
 * rules (they are documented to live as long as the process). */
#include "experimental/meta_runtime.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "experimental/metadata.h"

_Static_assert(FGI_DTYPE_BIT(FGI_F32) == 1u && FGI_DTYPE_BIT(FGI_F16) == 2u &&
                   FGI_DTYPE_BIT(FGI_BF16) == 4u,
               "fgi_meta_shape_rule.dtypes uses the library's dtype bits");

enum { RT_DTYPES = 3 }; /* float32, float16, bfloat16 (fgi_dtype order) */
static const char *const rt_dtype_names[RT_DTYPES] = {"float32", "float16", "bfloat16"};

typedef struct rt_kernel {
    char *id;
    const char *status;          /* static storage (fgi_meta_status_name) */
    double speedup[RT_DTYPES];   /* 0: unknown */
    int has_rule;
    fgi_meta_shape_rule rule;
} rt_kernel;

typedef struct rt_table {
    rt_kernel *k; /* sorted by id */
    size_t n;
    char *origin;
    struct rt_table *older; /* retired tables, kept for the process's life */
} rt_table;

static pthread_mutex_t rt_mu = PTHREAD_MUTEX_INITIALIZER;
static rt_table *rt_cur; /* atomic */
static rt_table *rt_retired;

/* ---------------------------------------------------------------- building */

static int cmp_kernel(const void *a, const void *b)
{
    return strcmp(((const rt_kernel *)a)->id, ((const rt_kernel *)b)->id);
}

static int rule_is_set(const fgi_meta_shape_rule *r)
{
    static const fgi_meta_shape_rule none;
    return memcmp(r, &none, sizeof none) != 0;
}

/* Geometric mean of the speedups of baselines of dtype d (all when d < 0). */
static double mean_speedup(const fgi_meta_performance_tests *p, int d)
{
    double log_sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < p->n_baselines; i++) {
        const fgi_meta_baseline *b = &p->baselines[i];
        if (d >= 0 && strcmp(b->dtype, rt_dtype_names[d]) != 0) continue;
        log_sum += log(b->speedup);
        n++;
    }
    return n ? exp(log_sum / (double)n) : 0.0;
}

static void kernel_from_op(rt_kernel *k, const fgi_meta_op *op)
{
    k->status = fgi_meta_status_name(op->status);
    const fgi_meta_performance_tests *p = &op->validation_info.performance_tests;
    double all = mean_speedup(p, -1);
    for (int d = 0; d < RT_DTYPES; d++) {
        double v = mean_speedup(p, d);
        k->speedup[d] = v > 0.0 ? v : all;
    }
    k->rule = op->hardware_support.shape_rule;
    k->has_rule = rule_is_set(&k->rule);
}

static void table_free(rt_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free(t->k[i].id);
    free(t->k);
    free(t->origin);
    free(t);
}

/* The table of an open store. NULL on out of memory. */
static rt_table *table_from_store(fgi_meta_store *s, const char *origin)
{
    fgi_meta_op_list list;
    if (fgi_meta_query_ops(s, NULL, &list) != FG_OK) return NULL;
    rt_table *t = calloc(1, sizeof *t);
    int ok = t != NULL;
    if (ok) {
        t->origin = strdup(origin);
        t->k = calloc(list.count ? list.count : 1, sizeof *t->k);
        ok = t->origin && t->k;
    }
    for (size_t i = 0; ok && i < list.count; i++) {
        rt_kernel *k = &t->k[t->n];
        k->id = strdup(list.ops[i]->kernel_id);
        if (!k->id) {
            ok = 0;
            break;
        }
        kernel_from_op(k, list.ops[i]);
        t->n++;
    }
    fgi_meta_op_list_release(&list);
    if (!ok) {
        table_free(t);
        return NULL;
    }
    qsort(t->k, t->n, sizeof *t->k, cmp_kernel); /* find() bsearches in strcmp order */
    return t;
}

static rt_table *load_override(const char *path)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_READONLY | FGI_META_NO_RECOVER, NULL};
    fgi_meta_store *s;
    if (fgi_meta_open(path, &o, &s) != FG_OK) return NULL;
    rt_table *t = table_from_store(s, path);
    fgi_meta_close(s);
    return t;
}

static rt_table *load_embedded(void)
{
    fgi_meta_store *s;
    if (fgi_meta_open_buffer(fgi_meta_embedded, strlen(fgi_meta_embedded), NULL,
                             "embedded _metadata.json", &s) != FG_OK)
        return NULL;
    rt_table *t = table_from_store(s, "embedded");
    fgi_meta_close(s);
    return t;
}

/* Loads the document the environment names. Never fails: a bad override
 * is reported once and the embedded copy used; should even that be
 * unusable, an empty table (no metadata). The caller's error state is kept
 * clean: dispatching must not leave a stale message behind. */
static rt_table *load(void)
{
    const char *path = getenv("FLAGGEMS_EXP_METADATA");
    rt_table *t = NULL;
    if (path && *path) {
        t = load_override(path);
        if (!t)
            fgi_exp_log(FG_EXP_LEVEL_WARNING,
                        "FLAGGEMS_EXP_METADATA='%.300s' ignored: %.600s; using the metadata embedded "
                        "at build time",
                        path, fg_last_error());
    }
    if (!t) {
        t = load_embedded();
        if (!t)
            fgi_exp_log(FG_EXP_LEVEL_WARNING,
                        "the metadata embedded at build time cannot be used: %.600s; dispatching "
                        "without metadata (priorities only)",
                        fg_last_error());
    }
    if (!t) {
        t = calloc(1, sizeof *t);
        if (t) t->origin = strdup("none");
        if (t && !t->origin) {
            free(t);
            t = NULL;
        }
    }
    if (t)
        fgi_exp_log(FG_EXP_LEVEL_DEBUG, "metadata: %zu kernel(s) from %s", t->n, t->origin);
    fgi_error_clear();
    return t;
}

/* The current table, loaded on first use. NULL only when out of memory. */
static const rt_table *table(void)
{
    rt_table *t = __atomic_load_n(&rt_cur, __ATOMIC_ACQUIRE);
    if (t) return t;
    pthread_mutex_lock(&rt_mu);
    t = rt_cur;
    if (!t) {
        t = load();
        __atomic_store_n(&rt_cur, t, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&rt_mu);
    return t;
}

static const rt_kernel *find(const char *kernel_id)
{
    const rt_table *t = table();
    if (!t || !kernel_id) return NULL;
    rt_kernel key = {.id = (char *)kernel_id};
    return bsearch(&key, t->k, t->n, sizeof *t->k, cmp_kernel);
}

/* ---------------------------------------------------------------- the source */

static double src_speedup(const char *kernel_id, fgi_op op, fgi_dtype dtype, void *ctx)
{
    (void)op;
    (void)ctx;
    const rt_kernel *k = find(kernel_id);
    return k && (unsigned)dtype < RT_DTYPES ? k->speedup[dtype] : 0.0;
}

static const char *src_status(const char *kernel_id, void *ctx)
{
    (void)ctx;
    const rt_kernel *k = find(kernel_id);
    return k ? k->status : NULL;
}

static const fgi_exp_shape_rule *src_rule(const char *kernel_id, void *ctx)
{
    (void)ctx;
    const rt_kernel *k = find(kernel_id);
    return k && k->has_rule ? &k->rule : NULL;
}

void fgi_exp_meta_default_source(fgi_exp_meta_source *out)
{
    *out = (fgi_exp_meta_source){src_speedup, src_status, src_rule, NULL};
}

const char *fgi_exp_meta_origin(void)
{
    const rt_table *t = table();
    return t ? t->origin : "none";
}

size_t fgi_exp_meta_kernel_count(void)
{
    const rt_table *t = table();
    return t ? t->n : 0;
}

void fgi_exp_meta_reload(void)
{
    pthread_mutex_lock(&rt_mu);
    rt_table *t = rt_cur;
    if (t) {
        t->older = rt_retired;
        rt_retired = t;
    }
    __atomic_store_n(&rt_cur, NULL, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rt_mu);
    fgi_exp_set_meta_source(NULL); /* drops the decisions and rules taken from t */
}

/* ---------------------------------------------------------------- shape rules */

bool fgi_exp_rule_accepts(const fgi_exp_shape_rule *r, const fgi_call *call)
{
    const fgi_tensor *x = call->nin > 0 ? &call->in[0] : &call->out;
    int64_t last = x->ndim > 0 ? x->shape[x->ndim - 1] : 1;
    if (r->min_size && x->numel < r->min_size) return false;
    if (r->max_size && x->numel > r->max_size) return false;
    if (r->min_last_dim && last < r->min_last_dim) return false;
    if (r->max_last_dim && last > r->max_last_dim) return false;
    if (r->last_dim_multiple && last % r->last_dim_multiple != 0) return false;
    if (r->contiguous && !call->contiguous) return false;
    if (r->dtypes && !(r->dtypes & FGI_DTYPE_BIT(call->dtype))) return false;
    if (r->alignment) {
        uintptr_t mask = (uintptr_t)r->alignment - 1;
        if ((uintptr_t)call->out.data & mask) return false;
        for (int i = 0; i < call->nin; i++)
            if (call->in[i].data && ((uintptr_t)call->in[i].data & mask)) return false;
    }
    return true;
}
