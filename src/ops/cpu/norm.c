/* Portable C layer_norm and rms_norm (stable tier): the algorithms of
 * norm_driver.h over the auto-vectorized loops of reduction_prims_generic.h.
 * Always available. */
#include "ops/cpu/reduction_prims_generic.h"
#include "ops/cpu/norm_driver.h"
#include "ops/registry.h"

fg_status fgi_cpu_layer_norm_generic(const fgi_call *call) { return nm_run(call); }
fg_status fgi_cpu_rms_norm_generic(const fgi_call *call) { return nm_run(call); }
