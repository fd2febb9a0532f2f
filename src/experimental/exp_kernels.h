/* Declarations of the experimental kernels listed in
 * src/experimental/generated/kernels.def and custom/kernels.def. Unlike the
 * stable list these are strong references: an experimental line whose
 * functions do not exist is a link error, not a silently missing kernel. */
#ifndef FGI_EXPERIMENTAL_EXP_KERNELS_H
#define FGI_EXPERIMENTAL_EXP_KERNELS_H

#include "ops/kernel.h"

/* The supports() of a kernel that takes every call of its op. */
bool fgi_supports_any(const fgi_call *call);

#define FGI_EXP_KERNEL(sym, id, op, spec, dts, isa, prio, sup, run) \
    bool sup(const fgi_call *call);                                 \
    fg_status run(const fgi_call *call);
#include "experimental/generated/kernels.def"
#include "experimental/custom/kernels.def"
#undef FGI_EXP_KERNEL

#endif
