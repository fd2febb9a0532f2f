/* fast_gelu (custom group, portable C): out = x / (1 + exp(-1.702 x)) in
 * float32 with libm's expf, over L1-sized float32 blocks. The fallback of
 * fast_gelu.cpu.custom.avx2_v1 on CPUs without AVX2; same special values
 * (see fast_gelu_avx2.c). */
#include <math.h>
#include <omp.h>

#include "core/cpu.h"
#include "core/tensor.h"
#include "experimental/exp_kernels.h"

#define BLOCK 1024

static void blocks(const fgi_call *call, int64_t b0, int64_t b1)
{
    const fgi_tensor *x = &call->in[0];
    fgi_tensor *out = (fgi_tensor *)&call->out;
    int64_t total = out->numel;
    float buf[BLOCK];
    for (int64_t b = b0; b < b1; b++) {
        int64_t s = b * BLOCK, n = total - s < BLOCK ? total - s : BLOCK;
        fgi_tensor_gather_f32(buf, x, s, n);
        for (int64_t i = 0; i < n; i++) buf[i] = buf[i] / (1.0f + expf(-1.702f * buf[i]));
        fgi_tensor_scatter_f32(out, s, n, buf);
    }
}

fg_status fgi_custom_fast_gelu_generic(const fgi_call *call)
{
    int64_t nb = (call->out.numel + BLOCK - 1) / BLOCK;
    int nt = fgi_threads_for(call->out.numel);
    if (nt > nb) nt = (int)nb;
    if (nt <= 1) {
        blocks(call, 0, nb);
        return FG_OK;
    }
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num(), n = omp_get_num_threads();
        blocks(call, nb * tid / n, nb * (tid + 1) / n);
    }
    return FG_OK;
}
