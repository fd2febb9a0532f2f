/* AVX2 + FMA sum, mean, amax and softmax (stable tier): the algorithms of
 * reduction_driver.h over the intrinsics of reduction_prims_avx2.h. Compiled
 * with -mavx2 -mfma -mf16c; reached only when the CPU has all three. */
#include "ops/cpu/reduction_prims_avx2.h"
#include "ops/cpu/reduction_driver.h"
#include "ops/registry.h"

fg_status fgi_cpu_sum_avx2(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_mean_avx2(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_amax_avx2(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_softmax_avx2(const fgi_call *call) { return rd_softmax(call); }
