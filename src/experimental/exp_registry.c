/* Kernels added at run time (fg_exp_register_kernels): validation of the
 * public descriptors, their records, and the trampolines that present an
 * internal call to them as a public fg_exp_call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "ops/registry.h"

static DLDataType dl_dtype(fgi_dtype dt)
{
    switch (dt) {
    case FGI_F16:
        return (DLDataType){kDLFloat, 16, 1};
    case FGI_BF16:
        return (DLDataType){kDLBfloat, 16, 1};
    case FGI_F64:
        return (DLDataType){kDLFloat, 64, 1};
    default:
        return (DLDataType){kDLFloat, 32, 1};
    }
}

static void to_dl(DLTensor *d, const fgi_tensor *t)
{
    d->data = t->data;
    d->device = (DLDevice){t->device, 0};
    d->ndim = t->ndim;
    d->dtype = dl_dtype(t->dtype);
    /* DLTensor's shape and strides are not const; the kernel contract says
     * not to modify them */
    d->shape = (int64_t *)t->shape;
    d->strides = (int64_t *)t->strides;
    d->byte_offset = 0;
}

static void make_call(fg_exp_call *pc, DLTensor dl[4], const fgi_kernel *k, const fgi_call *c)
{
    memset(pc, 0, sizeof *pc);
    pc->op = fgi_op_name(c->op);
    to_dl(&dl[0], &c->out);
    pc->out = &dl[0];
    for (int i = 0; i < 3 && i < c->nin; i++) {
        to_dl(&dl[i + 1], &c->in[i]);
        pc->in[i] = &dl[i + 1];
    }
    if (c->op == FGI_OP_layer_norm || c->op == FGI_OP_rms_norm) {
        if (!c->has_weight) pc->in[1] = NULL;
        if (!c->has_bias) pc->in[2] = NULL;
    }
    pc->nin = c->nin;
    pc->alpha = c->alpha;
    pc->approx = c->approx;
    pc->dim = c->dim;
    pc->keepdim = c->keepdim;
    pc->eps = c->eps;
    pc->outer = c->outer;
    pc->len = c->len;
    pc->inner = c->inner;
    pc->m = c->m;
    pc->n = c->n;
    pc->k = c->k;
    pc->contiguous = c->contiguous;
    (void)k;
}

bool fgi_ext_supports(const fgi_kernel *k, const fgi_call *call)
{
    const fgi_ext_kernel *e = k->ext;
    if (!e->pub.supports) return true;
    fg_exp_call pc;
    DLTensor dl[4];
    make_call(&pc, dl, k, call);
    return e->pub.supports(&pc, e->pub.user) != 0;
}

fg_status fgi_ext_run(const fgi_kernel *k, const fgi_call *call)
{
    const fgi_ext_kernel *e = k->ext;
    fg_exp_call pc;
    DLTensor dl[4];
    make_call(&pc, dl, k, call);
    fg_status s = e->pub.run(&pc, e->pub.user);
    if (s != FG_OK && fg_last_error()[0] == '\0')
        return FG_ERROR(s, "run-time kernel %s returned %s", k->id, fg_status_name(s));
    return s;
}

/* Never called: run-time kernels run through ext, but the registry treats a
 * NULL run as "not built". */
static fg_status ext_placeholder(const fgi_call *call)
{
    (void)call;
    return FG_ERR_INTERNAL;
}

static int op_index(const char *name)
{
    for (int o = 0; o < FGI_OP_COUNT; o++)
        if (strcmp(fgi_op_name((fgi_op)o), name) == 0) return o;
    return -1;
}

static fg_status check_desc(const fg_exp_kernel *d, size_t i)
{
    FG_RETURN_IF(!d->id || !d->op || !d->run, FG_ERR_NULL, "kernels[%zu]: id, op and run are required", i);
    size_t len = strlen(d->id);
    FG_RETURN_IF(len == 0 || len >= sizeof(((fgi_ext_kernel *)0)->id), FG_ERR_INVALID_ARG,
                 "kernels[%zu]: id must have 1..127 bytes", i);
    FG_RETURN_IF(op_index(d->op) < 0, FG_ERR_INVALID_ARG, "kernels[%zu] (%s): unknown op '%s'", i, d->id,
                 d->op);
    FG_RETURN_IF(d->group != FG_EXP_GROUP_GENERATED && d->group != FG_EXP_GROUP_CUSTOM, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): group must be FG_EXP_GROUP_GENERATED or FG_EXP_GROUP_CUSTOM, got %u", i,
                 d->id, d->group);
    FG_RETURN_IF(d->dtypes & ~FG_EXP_DTYPE_ALL, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): dtypes 0x%x has bits outside FG_EXP_DTYPE_ALL", i, d->id, d->dtypes);
    FG_RETURN_IF(d->isa & ~(unsigned)(FG_CPU_AVX2 | FG_CPU_FMA | FG_CPU_F16C), FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): isa 0x%x has unknown FG_CPU_* bits", i, d->id, d->isa);
    FG_RETURN_IF(!(d->expected_speedup >= 0.0), FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): expected_speedup must be >= 0", i, d->id);
    FG_RETURN_IF(fgi_kernel_find(d->id), FG_ERR_CONFLICT,
                 "kernels[%zu]: a kernel with id '%s' already exists", i, d->id);
    return FG_OK;
}

fg_status fgi_ext_register(const fg_exp_kernel *kernels, size_t count)
{
    FG_RETURN_IF(!kernels && count, FG_ERR_NULL, "kernels is NULL");
    if (count == 0) return FG_OK;
    fgi_exp_lock();
    fg_status s = FG_OK;
    int n_now;
    fgi_kernels(&n_now);
    if ((size_t)n_now + count > FGI_MAX_KERNELS)
        s = FG_ERROR(FG_ERR_NO_MEMORY, "the kernel table holds %d of %d kernels; %zu more do not fit", n_now,
                     FGI_MAX_KERNELS, count);
    for (size_t i = 0; i < count && s == FG_OK; i++) {
        s = check_desc(&kernels[i], i);
        for (size_t j = 0; j < i && s == FG_OK; j++)
            if (strcmp(kernels[i].id, kernels[j].id) == 0)
                s = FG_ERROR(FG_ERR_CONFLICT, "kernels[%zu] and kernels[%zu] share the id '%s'", j, i,
                             kernels[i].id);
    }
    fgi_ext_kernel *recs = NULL;
    if (s == FG_OK) {
        /* records live as long as the process: the kernel table points at them */
        recs = calloc(count, sizeof *recs);
        if (!recs) s = FG_ERROR(FG_ERR_NO_MEMORY, "run-time kernel records");
    }
    const fgi_kernel *added[FGI_MAX_KERNELS];
    int nadded = 0;
    for (size_t i = 0; i < count && s == FG_OK; i++) {
        const fg_exp_kernel *d = &kernels[i];
        fgi_ext_kernel *r = &recs[i];
        r->pub = *d;
        snprintf(r->id, sizeof r->id, "%s", d->id);
        snprintf(r->op, sizeof r->op, "%s", d->op);
        r->pub.id = r->id;
        r->pub.op = r->op;
        fgi_kernel k = {
            .id = r->id,
            .op = (fgi_op)op_index(d->op),
            .tier = FGI_TIER_EXPERIMENTAL,
            .group = d->group == FG_EXP_GROUP_GENERATED ? FGI_GROUP_GENERATED : FGI_GROUP_CUSTOM,
            .specialized = d->specialized != 0,
            .device = kDLCPU,
            .dtypes = d->dtypes ? d->dtypes : FG_EXP_DTYPE_ALL,
            .isa = d->isa,
            .priority = d->priority,
            .supports = NULL,
            .run = ext_placeholder,
            .ext = r,
        };
        s = fgi_registry_add(&k, &added[nadded]);
        if (s == FG_OK) nadded++;
    }
    if (nadded) fgi_exp_kernels_added_locked(added, nadded);
    if (s == FG_OK)
        for (int i = 0; i < nadded; i++)
            fgi_exp_log(FG_EXP_LEVEL_DEBUG, "registered run-time kernel %s (op %s)", added[i]->id,
                        fgi_op_name(added[i]->op));
    fgi_exp_unlock();
    if (s != FG_OK && nadded == 0) free(recs);
    return s;
}
