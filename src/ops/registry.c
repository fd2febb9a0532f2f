#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/log.h"
#include "ops/registry.h"

#define FGI_ISA_0 0u
#define FGI_ISA_AVX2 FGI_ISA_AVX2_SET

#define FGI_KERNEL(sym, kid, kop, ktier, kisa, prio, sup, krun)                          \
    static const fgi_kernel k_##sym = {                                                  \
        .id = kid,                                                                       \
        .op = FGI_OP_##kop,                                                              \
        .tier = FGI_TIER_##ktier,                                                        \
        .group = FGI_GROUP_NONE,                                                         \
        .specialized = false,                                                            \
        .device = kDLCPU,                                                                \
        .dtypes = FGI_DTYPES_ALL,                                                        \
        .isa = FGI_ISA_##kisa,                                                           \
        .priority = prio,                                                                \
        .supports = sup,                                                                 \
        .run = krun,                                                                     \
    };
#include "ops/kernels.def"
#undef FGI_KERNEL

static const fgi_kernel *const table[] = {
#define FGI_KERNEL(sym, kid, kop, ktier, kisa, prio, sup, krun) &k_##sym,
#include "ops/kernels.def"
#undef FGI_KERNEL
};

static _Thread_local const char *tl_last_kernel = "";
static _Thread_local const fgi_kernel *tl_forced;

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
    *count = (int)(sizeof table / sizeof table[0]);
    return table;
}

const fgi_kernel *fgi_kernel_find(const char *id)
{
    if (!id) return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i]->id, id) == 0) return table[i];
    return NULL;
}

bool fgi_kernel_accepts(const fgi_kernel *k, const fgi_call *call)
{
    if (k->op != call->op || k->device != call->out.device) return false;
    if (!(k->dtypes & FGI_DTYPE_BIT(call->dtype))) return false;
    if ((fgi_cpu_features() & k->isa) != k->isa) return false;
    return !k->supports || k->supports(call);
}

fg_status fgi_kernel_run(const fgi_kernel *k, const fgi_call *call)
{
    fg_status s = k->run(call);
    if (s == FG_OK) tl_last_kernel = k->id;
    return s;
}

fg_status fgi_force_kernel(const char *id)
{
    if (!id || !*id) {
        tl_forced = NULL;
        return FG_OK;
    }
    const fgi_kernel *k = fgi_kernel_find(id);
    FG_RETURN_IF(!k || !k->run, FG_ERR_NOT_FOUND, "no kernel with id '%s'", id);
    tl_forced = k;
    return FG_OK;
}

fg_status fgi_dispatch(const fgi_call *call)
{
    if (tl_forced && tl_forced->op == call->op) {
        FG_RETURN_IF(!fgi_kernel_accepts(tl_forced, call), FG_ERR_UNSUPPORTED,
                     "forced kernel %s does not accept this call", tl_forced->id);
        FG_FORWARD(fgi_kernel_run(tl_forced, call), "%s", tl_forced->id);
        return FG_OK;
    }
    const fgi_kernel *best = NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const fgi_kernel *k = table[i];
        if (k->op != call->op || k->tier == FGI_TIER_EXPERIMENTAL) continue;
        if (!fgi_kernel_accepts(k, call)) continue;
        if (!best || k->tier > best->tier ||
            (k->tier == best->tier && k->priority > best->priority))
            best = k;
    }
    FG_RETURN_IF(!best, FG_ERR_UNSUPPORTED, "no kernel accepts this %s call",
                 fgi_op_name(call->op));
    FGI_LOG(FG_LOG_DEBUG, "%s -> %s", fgi_op_name(call->op), best->id);
    FG_FORWARD(fgi_kernel_run(best, call), "%s", best->id);
    return FG_OK;
}

const char *fg_last_kernel(void) { return tl_last_kernel; }
