/* Fault injection (FLAGGEMS_EXP_FAULT, fg_exp_set_fault) and the tensor
 * scans behind output validation (validate_output = "nan").
 *
 * Faults are always compiled in: a byte per kernel index, read with one
 * relaxed load where a kernel runs. "error" makes the kernel return
 * FG_ERR_KERNEL without running; "nan" lets it run and then overwrites its
 * whole output with NaN. Faults named for ids not (yet) registered stay
 * pending and apply when a kernel with that id is registered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "ops/registry.h"

uint8_t fgi_exp_faults[FGI_MAX_KERNELS];

typedef struct pending {
    char id[128];
    uint8_t mode;
} pending;

#define MAX_PENDING 64
static pending g_pending[MAX_PENDING]; /* runtime lock held */
static int g_npending;

static int parse_mode(const char *mode)
{
    if (!mode || !*mode || !strcasecmp(mode, "none")) return FGI_FAULT_NONE;
    if (!strcasecmp(mode, "error")) return FGI_FAULT_ERROR;
    if (!strcasecmp(mode, "nan")) return FGI_FAULT_NAN;
    return -1;
}

static void pending_put(const char *id, int mode)
{
    int i = 0;
    while (i < g_npending && strcmp(g_pending[i].id, id) != 0) i++;
    if (mode == FGI_FAULT_NONE) {
        if (i < g_npending) g_pending[i] = g_pending[--g_npending];
        return;
    }
    if (i == g_npending) {
        if (g_npending == MAX_PENDING) return;
        g_npending++;
    }
    snprintf(g_pending[i].id, sizeof g_pending[i].id, "%s", id);
    g_pending[i].mode = (uint8_t)mode;
}

fg_status fgi_fault_set_locked(const char *id, const char *mode, bool from_env)
{
    FG_RETURN_IF(!id || !*id, FG_ERR_NULL, "kernel id is NULL or empty");
    FG_RETURN_IF(strlen(id) >= sizeof g_pending[0].id, FG_ERR_INVALID_ARG, "kernel id '%.60s...' is too long",
                 id);
    int m = parse_mode(mode);
    FG_RETURN_IF(m < 0, FG_ERR_INVALID_ARG, "fault mode '%s' for %s: expected error, nan or none", mode, id);
    const fgi_kernel *k = fgi_kernel_find(id);
    FG_RETURN_IF(!k && !from_env, FG_ERR_NOT_FOUND, "no kernel with id '%s'", id);
    pending_put(id, m);
    if (k) __atomic_store_n(&fgi_exp_faults[fgi_kernel_index(k)], (uint8_t)m, __ATOMIC_RELAXED);
    if (m != FGI_FAULT_NONE)
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "fault injection: kernel %s will %s%s", id,
                    m == FGI_FAULT_ERROR ? "fail with FG_ERR_KERNEL" : "write NaN to its whole output",
                    k ? "" : " (no such kernel yet: applies if one is registered)");
    return FG_OK;
}

void fgi_fault_load_env_locked(void)
{
    memset(fgi_exp_faults, 0, sizeof fgi_exp_faults);
    g_npending = 0;
    const char *v = getenv("FLAGGEMS_EXP_FAULT");
    if (!v || !*v) return;
    for (const char *p = v; *p;) {
        while (*p == ',' || *p == ' ') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        if (e > p) {
            char item[192];
            snprintf(item, sizeof item, "%.*s", (int)(e - p), p);
            char *eq = strrchr(item, '=');
            if (!eq) {
                fgi_exp_log(FG_EXP_LEVEL_WARNING,
                            "FLAGGEMS_EXP_FAULT entry '%s' ignored: expected <kernel id>=error|nan", item);
            } else {
                *eq = '\0';
                if (fgi_fault_set_locked(item, eq + 1, true) != FG_OK) {
                    fgi_exp_log(FG_EXP_LEVEL_WARNING, "FLAGGEMS_EXP_FAULT entry ignored: %s",
                                fg_last_error());
                    fgi_error_clear();
                }
            }
        }
        p = e;
    }
}

void fgi_fault_added_locked(const fgi_kernel *k)
{
    for (int i = 0; i < g_npending; i++)
        if (strcmp(g_pending[i].id, k->id) == 0)
            __atomic_store_n(&fgi_exp_faults[fgi_kernel_index(k)], g_pending[i].mode, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- tensor scans */

#define CHUNK 512

void fgi_fill_nan(const fgi_tensor *t)
{
    float buf[CHUNK];
    for (int i = 0; i < CHUNK; i++) buf[i] = NAN;
    for (int64_t s = 0; s < t->numel; s += CHUNK) {
        int64_t n = t->numel - s < CHUNK ? t->numel - s : CHUNK;
        fgi_tensor_scatter_f32((fgi_tensor *)t, s, n, buf);
    }
}

static bool all_finite(const fgi_tensor *t)
{
    float buf[CHUNK];
    for (int64_t s = 0; s < t->numel; s += CHUNK) {
        int64_t n = t->numel - s < CHUNK ? t->numel - s : CHUNK;
        fgi_tensor_gather_f32(buf, t, s, n);
        for (int64_t i = 0; i < n; i++)
            if (!isfinite(buf[i])) return false;
    }
    return true;
}

bool fgi_inputs_finite(const fgi_call *call)
{
    for (int i = 0; i < call->nin && i < 3; i++) {
        const fgi_tensor *t = &call->in[i];
        if (t->data && t->numel > 0 && !all_finite(t)) return false;
    }
    return true;
}

bool fgi_has_nan(const fgi_tensor *t)
{
    float buf[CHUNK];
    for (int64_t s = 0; s < t->numel; s += CHUNK) {
        int64_t n = t->numel - s < CHUNK ? t->numel - s : CHUNK;
        fgi_tensor_gather_f32(buf, t, s, n);
        for (int64_t i = 0; i < n; i++)
            if (isnan(buf[i])) return true;
    }
    return false;
}

void fgi_copy_tensor(const fgi_tensor *dst, const fgi_tensor *src)
{
    /* float32 holds every float16 and bfloat16 value exactly */
    float buf[CHUNK];
    for (int64_t s = 0; s < src->numel; s += CHUNK) {
        int64_t n = src->numel - s < CHUNK ? src->numel - s : CHUNK;
        fgi_tensor_gather_f32(buf, src, s, n);
        fgi_tensor_scatter_f32((fgi_tensor *)dst, s, n, buf);
    }
}

fgi_tensor fgi_dense_like(const fgi_tensor *t, void *data)
{
    fgi_tensor v = *t;
    v.data = data;
    v.contiguous = true;
    int64_t s = 1;
    for (int d = v.ndim - 1; d >= 0; d--) {
        v.strides[d] = s;
        s *= v.shape[d];
    }
    return v;
}

bool fgi_call_in_place(const fgi_call *call)
{
    for (int i = 0; i < call->nin && i < 3; i++) {
        const fgi_tensor *t = &call->in[i];
        if (t->data && t->numel > 0 && fgi_tensor_ranges_overlap(&call->out, t)) return true;
    }
    return false;
}
