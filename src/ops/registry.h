/* The kernel table built from kernels.def, and the call path from an op's
 * entry point to a kernel. */
#ifndef FGI_OPS_REGISTRY_H
#define FGI_OPS_REGISTRY_H

#include "ops/kernel.h"

/* Declarations of every kernel's run function. */
#define FGI_KERNEL(sym, id, op, tier, isa, prio, supports, run) \
    fg_status run(const fgi_call *call);
#include "ops/kernels.def"
#undef FGI_KERNEL

/* All registered kernels; stable order. */
const fgi_kernel *const *fgi_kernels(int *count);
/* NULL when no kernel has that id. */
const fgi_kernel *fgi_kernel_find(const char *id);
/* Whether k can serve call on this machine: op, dtype, ISA, supports(). */
bool fgi_kernel_accepts(const fgi_kernel *k, const fgi_call *call);
/* Runs k on call (k must accept it) and records it as this thread's last kernel. */
fg_status fgi_kernel_run(const fgi_kernel *k, const fgi_call *call);

/* Forces this thread's op calls onto kernel `id` (tests, benchmarks, tools);
 * NULL or "" clears. FG_ERR_NOT_FOUND for an unknown id. While forced, a
 * call the kernel does not accept fails with FG_ERR_UNSUPPORTED. */
fg_status fgi_force_kernel(const char *id);

/* Picks the kernel for a validated call and runs it: stable kernels by
 * priority, then the reference. */
fg_status fgi_dispatch(const fgi_call *call);

#endif
