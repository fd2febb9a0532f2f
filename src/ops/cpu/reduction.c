/* Portable C sum, mean, amax and softmax (stable tier): the algorithms of
 * reduction_driver.h over the auto-vectorized loops of
 * reduction_prims_generic.h. Always available. */
#include "ops/cpu/reduction_prims_generic.h"
#include "ops/cpu/reduction_driver.h"
#include "ops/registry.h"

fg_status fgi_cpu_sum_generic(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_mean_generic(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_amax_generic(const fgi_call *call) { return rd_reduce(call); }
fg_status fgi_cpu_softmax_generic(const fgi_call *call) { return rd_softmax(call); }
