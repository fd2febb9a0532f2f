/* AVX2 + FMA layer_norm and rms_norm (stable tier): the algorithms of
 * norm_driver.h over the intrinsics of reduction_prims_avx2.h. Compiled with
 * -mavx2 -mfma -mf16c; reached only when the CPU has all three. */
#include "ops/cpu/reduction_prims_avx2.h"
#include "ops/cpu/norm_driver.h"
#include "ops/registry.h"

fg_status fgi_cpu_layer_norm_avx2(const fgi_call *call) { return nm_run(call); }
fg_status fgi_cpu_rms_norm_avx2(const fgi_call *call) { return nm_run(call); }
