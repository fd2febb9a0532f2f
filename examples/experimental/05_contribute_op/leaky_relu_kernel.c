/* A contributed kernel: relu of dense float32 tensors with at most 65536
 * elements, in portable C (the op must already exist: relu). The importer
 * puts the GENERATED header and the metadata comment above this text. */
#include "experimental/exp_kernels.h"

bool fgi_gen_relu_contrib_v1_supports(const fgi_call *call)
{
    return call->contiguous && call->dtype == FGI_F32 && call->out.numel <= 65536;
}

fg_status fgi_gen_relu_contrib_v1_run(const fgi_call *call)
{
    const float *x = (const float *)call->in[0].data;
    float *y = (float *)call->out.data;
    for (int64_t i = 0; i < call->out.numel; i++) y[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
    return FG_OK;
}
