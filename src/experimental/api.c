/* The public experimental API (<flaggems/experimental.h>): thin wrappers
 * that clear the error, make sure the runtime was initialised, take the
 * runtime lock where state changes, and add a frame to errors. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "ops/registry.h"

/* ops.c: fast_gelu's validated entry (shared with the tests) */
fg_status fgi_op_fast_gelu(DLTensor *out, const DLTensor *x);

/* ---------------------------------------------------------------- enable */

fg_status fg_exp_enable(unsigned groups, int fallback, int warning, const char *overrides)
{
    fgi_error_clear();
    fgi_exp_init();
    FG_RETURN_IF(
        groups & ~FG_EXP_GROUP_ALL, FG_ERR_INVALID_ARG,
        "groups 0x%x: expected FG_EXP_GROUP_GENERATED | FG_EXP_GROUP_CUSTOM, or 0 for all <- fg_exp_enable",
        groups);
    fgi_exp_lock();
    fg_status s = fgi_cfg_api_json_locked(overrides, fallback != 0, warning != 0);
    if (s == FG_OK) {
        fgi_exp_set_groups_locked(groups ? groups : FG_EXP_GROUP_ALL);
        fgi_exp_log(FG_EXP_LEVEL_DEBUG, "experimental kernels enabled: %s%s",
                    (groups ? groups : FG_EXP_GROUP_ALL) & FG_EXP_GROUP_GENERATED ? "generated " : "",
                    (groups ? groups : FG_EXP_GROUP_ALL) & FG_EXP_GROUP_CUSTOM ? "custom" : "");
    }
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_enable");
    return FG_OK;
}

fg_status fg_exp_disable(void)
{
    fgi_error_clear();
    fgi_exp_init();
    fgi_exp_lock();
    fgi_exp_set_groups_locked(0);
    fgi_exp_unlock();
    return FG_OK;
}

unsigned fg_exp_enabled_groups(void)
{
    fgi_exp_init();
    return fgi_exp_groups();
}

/* ---------------------------------------------------------------- config */

fg_status fg_exp_config_defaults(fg_exp_config *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL <- fg_exp_config_defaults");
    fgi_cfg_defaults(out);
    return FG_OK;
}

fg_status fg_exp_get_config(fg_exp_config *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL <- fg_exp_get_config");
    fgi_exp_init();
    fgi_exp_lock();
    *out = *fgi_cfg_locked();
    fgi_exp_unlock();
    return FG_OK;
}

fg_status fg_exp_set_config(const fg_exp_config *config)
{
    fgi_error_clear();
    FG_RETURN_IF(!config, FG_ERR_NULL, "config is NULL <- fg_exp_set_config");
    fgi_exp_init();
    fgi_exp_lock();
    fg_status s = fgi_cfg_api_struct_locked(config);
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_set_config");
    return FG_OK;
}

fg_status fg_exp_get_config_json(char **json)
{
    fgi_error_clear();
    FG_RETURN_IF(!json, FG_ERR_NULL, "json is NULL <- fg_exp_get_config_json");
    *json = NULL;
    fgi_exp_init();
    fgi_exp_lock();
    fg_exp_config c = *fgi_cfg_locked();
    fgi_exp_unlock();
    *json = fgi_cfg_to_json(&c);
    FG_RETURN_IF(!*json, FG_ERR_NO_MEMORY, "config JSON <- fg_exp_get_config_json");
    return FG_OK;
}

fg_status fg_exp_set_config_json(const char *json)
{
    fgi_error_clear();
    FG_RETURN_IF(!json, FG_ERR_NULL, "json is NULL <- fg_exp_set_config_json");
    fgi_exp_init();
    fgi_exp_lock();
    fg_status s = fgi_cfg_api_json_locked(json, -1, -1);
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_set_config_json");
    return FG_OK;
}

fg_status fg_exp_set_option(const char *key, const char *value)
{
    fgi_error_clear();
    FG_RETURN_IF(!key || !value, FG_ERR_NULL, "key and value are required <- fg_exp_set_option");
    fgi_exp_init();
    fgi_exp_lock();
    fg_status s = fgi_cfg_api_option_locked(key, value);
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_set_option");
    return FG_OK;
}

fg_status fg_exp_reset_config(void)
{
    fgi_error_clear();
    fgi_exp_init();
    fgi_exp_lock();
    fgi_cfg_reset_locked();
    fgi_exp_reload_env_locked();
    fgi_exp_unlock();
    return FG_OK;
}

fg_status fg_exp_set_denylist(const char *list)
{
    fgi_error_clear();
    fgi_exp_init();
    fgi_exp_lock();
    fg_status s = fgi_exp_set_denylist_locked(list, false);
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_set_denylist");
    return FG_OK;
}

void fg_exp_free(void *p) { free(p); }

/* ---------------------------------------------------------------- kernels and ops */

static const char *tier_name(fgi_tier t)
{
    return t == FGI_TIER_REFERENCE ? "reference" : t == FGI_TIER_STABLE ? "stable" : "experimental";
}

static void fill_info(fg_exp_kernel_info *o, const fgi_kernel *k, const uint64_t *calls)
{
    int idx = fgi_kernel_index(k);
    o->id = k->id;
    o->op = fgi_op_name(k->op);
    o->category = fgi_op_category(k->op);
    o->tier = tier_name(k->tier);
    o->group = k->group == FGI_GROUP_GENERATED ? "generated" : k->group == FGI_GROUP_CUSTOM ? "custom" : "";
    o->device = k->device == kDLCPU ? "cpu" : k->device == kDLCUDA ? "cuda" : "other";
    o->status = fgi_exp_kernel_status(k);
    o->dtypes = k->dtypes & FG_EXP_DTYPE_ALL;
    o->specialized = k->specialized;
    o->priority = k->priority;
    o->available = k->run && (fg_cpu_features() & k->isa) == k->isa;
    o->enabled = o->available && fgi_exp_kernel_enabled(k);
    o->runtime = k->ext != NULL;
    o->expected_speedup = fgi_exp_expected_speedup(k, FGI_F32);
    o->calls = idx >= 0 ? calls[idx] : 0;
}

static int known_category(const char *c)
{
    return !strcmp(c, "pointwise") || !strcmp(c, "reduction") || !strcmp(c, "blas");
}

fg_status fg_exp_list_ops(const char *category, const char *status, fg_exp_kernel_info *out, size_t cap,
                          size_t *count)
{
    fgi_error_clear();
    FG_RETURN_IF(!count, FG_ERR_NULL, "count is NULL <- fg_exp_list_ops");
    FG_RETURN_IF(cap && !out, FG_ERR_NULL, "out is NULL with cap %zu <- fg_exp_list_ops", cap);
    FG_RETURN_IF(category && !known_category(category), FG_ERR_INVALID_ARG,
                 "category '%s': expected pointwise, reduction or blas <- fg_exp_list_ops", category);
    fgi_exp_init();
    fg_exp_statistics st;
    uint64_t *kc = malloc(sizeof(uint64_t) * FGI_MAX_KERNELS);
    FG_RETURN_IF(!kc, FG_ERR_NO_MEMORY, "fg_exp_list_ops");
    fgi_exp_get_stats(&st, kc);
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    size_t m = 0;
    fgi_exp_lock();
    for (int i = 0; i < n; i++) {
        const fgi_kernel *k = all[i];
        if (k->tier != FGI_TIER_EXPERIMENTAL) continue;
        if (category && strcmp(category, fgi_op_category(k->op)) != 0) continue;
        if (status && strcmp(status, fgi_exp_kernel_status(k)) != 0) continue;
        if (m < cap) fill_info(&out[m], k, kc);
        m++;
    }
    fgi_exp_unlock();
    free(kc);
    *count = m;
    return FG_OK;
}

static int info_rank(const fg_exp_kernel_info *a)
{
    if (!strcmp(a->tier, "experimental")) return a->specialized ? 0 : 1;
    return !strcmp(a->tier, "stable") ? 2 : 3;
}

static int info_cmp(const void *pa, const void *pb)
{
    const fg_exp_kernel_info *a = pa, *b = pb;
    int ra = info_rank(a), rb = info_rank(b);
    if (ra != rb) return ra - rb;
    if (a->expected_speedup != b->expected_speedup) return a->expected_speedup > b->expected_speedup ? -1 : 1;
    return b->priority - a->priority;
}

fg_status fg_exp_get_op_info(const char *name, fg_exp_kernel_info *out, size_t cap, size_t *count)
{
    fgi_error_clear();
    FG_RETURN_IF(!name || !count, FG_ERR_NULL, "name and count are required <- fg_exp_get_op_info");
    FG_RETURN_IF(cap && !out, FG_ERR_NULL, "out is NULL with cap %zu <- fg_exp_get_op_info", cap);
    fgi_exp_init();
    int op = -1;
    for (int o = 0; o < FGI_OP_COUNT; o++)
        if (!strcmp(fgi_op_name((fgi_op)o), name)) op = o;
    const fgi_kernel *one = op < 0 ? fgi_kernel_find(name) : NULL;
    FG_RETURN_IF(op < 0 && !one, FG_ERR_NOT_FOUND,
                 "'%s' is neither an op nor a kernel id <- fg_exp_get_op_info", name);
    fg_exp_statistics st;
    uint64_t *kc = malloc(sizeof(uint64_t) * FGI_MAX_KERNELS);
    fg_exp_kernel_info *tmp = malloc(sizeof *tmp * FGI_MAX_KERNELS);
    if (!kc || !tmp) {
        free(kc);
        free(tmp);
        return FG_ERROR(FG_ERR_NO_MEMORY, "fg_exp_get_op_info");
    }
    fgi_exp_get_stats(&st, kc);
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    size_t m = 0;
    fgi_exp_lock();
    for (int i = 0; i < n; i++)
        if (one ? all[i] == one : (int)all[i]->op == op) fill_info(&tmp[m++], all[i], kc);
    fgi_exp_unlock();
    qsort(tmp, m, sizeof *tmp, info_cmp);
    memcpy(out, tmp, (m < cap ? m : cap) * sizeof *tmp);
    free(kc);
    free(tmp);
    *count = m;
    return FG_OK;
}

fg_status fg_exp_force_kernel(const char *id)
{
    fgi_error_clear();
    FG_FORWARD(fgi_force_kernel(id), "fg_exp_force_kernel");
    return FG_OK;
}

fg_status fg_exp_fast_gelu(DLTensor *out, const DLTensor *x)
{
    fgi_error_clear();
    FG_FORWARD(fgi_op_fast_gelu(out, x), "fg_exp_fast_gelu");
    return FG_OK;
}

/* ---------------------------------------------------------------- run-time kernels, cache */

fg_status fg_exp_register_kernels(const fg_exp_kernel *kernels, size_t count)
{
    fgi_error_clear();
    fgi_exp_init();
    FG_FORWARD(fgi_ext_register(kernels, count), "fg_exp_register_kernels");
    return FG_OK;
}

fg_status fg_exp_cache_invalidate(const char *op)
{
    fgi_error_clear();
    fgi_exp_init();
    int o = -1;
    if (op) {
        for (int i = 0; i < FGI_OP_COUNT; i++)
            if (!strcmp(fgi_op_name((fgi_op)i), op)) o = i;
        FG_RETURN_IF(o < 0, FG_ERR_NOT_FOUND, "no op named '%s' <- fg_exp_cache_invalidate", op);
    }
    fgi_exp_lock();
    fgi_exp_invalidate_locked(o);
    fgi_exp_unlock();
    return FG_OK;
}

/* ---------------------------------------------------------------- stats */

fg_status fg_exp_stats(fg_exp_statistics *out)
{
    fgi_error_clear();
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL <- fg_exp_stats");
    fgi_exp_get_stats(out, NULL);
    return FG_OK;
}

fg_status fg_exp_reset_stats(void)
{
    fgi_error_clear();
    fgi_exp_reset_stats();
    return FG_OK;
}

fg_status fg_exp_stats_json(char **json)
{
    fgi_error_clear();
    FG_RETURN_IF(!json, FG_ERR_NULL, "json is NULL <- fg_exp_stats_json");
    *json = NULL;
    fg_exp_statistics st;
    uint64_t *kc = malloc(sizeof(uint64_t) * FGI_MAX_KERNELS);
    FG_RETURN_IF(!kc, FG_ERR_NO_MEMORY, "fg_exp_stats_json");
    fgi_exp_get_stats(&st, kc);
    json_t *o = json_object(), *k = json_object();
    bool ok = o && k;
#define U(name) ok = ok && json_object_set_new(o, #name, json_integer((json_int_t)st.name)) == 0
    U(calls);
    U(experimental_calls);
    U(cache_hits);
    U(cache_misses);
    U(profiled);
    U(fallbacks_error);
    U(fallbacks_invalid);
    U(fallbacks_slow);
    U(fallbacks_unsupported);
    U(failures_returned);
    U(quarantines);
    U(cache_entries);
    U(cache_evictions);
    U(cache_expirations);
    U(perfdb_warm_starts);
#undef U
    ok = ok && json_object_set_new(o, "hit_rate", json_real(st.hit_rate)) == 0;
    int n;
    const fgi_kernel *const *all = fgi_kernels(&n);
    for (int i = 0; i < n && ok; i++)
        if (kc[i]) ok = json_object_set_new(k, all[i]->id, json_integer((json_int_t)kc[i])) == 0;
    free(kc);
    if (ok) {
        ok = json_object_set_new(o, "kernel_calls", k) == 0;
        k = NULL;
    }
    if (ok) *json = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    json_decref(k);
    json_decref(o);
    FG_RETURN_IF(!*json, FG_ERR_NO_MEMORY, "stats JSON <- fg_exp_stats_json");
    return FG_OK;
}

/* ---------------------------------------------------------------- faults */

fg_status fg_exp_set_fault(const char *id, const char *mode)
{
    fgi_error_clear();
    fgi_exp_init();
    fgi_exp_lock();
    fg_status s = fgi_fault_set_locked(id, mode, false);
    fgi_exp_unlock();
    FG_FORWARD(s, "fg_exp_set_fault");
    return FG_OK;
}
