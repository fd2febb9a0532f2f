/* CPU feature detection (once per process) and worker-thread policy. */
#ifndef FGI_CORE_CPU_H
#define FGI_CORE_CPU_H

#include <stdint.h>

#define FGI_ISA_AVX2_SET (FG_CPU_AVX2 | FG_CPU_FMA | FG_CPU_F16C)

/* Elements (or multiply-adds for mm) below which an op stays on one thread. */
#define FGI_PARALLEL_THRESHOLD (1 << 15)

unsigned fgi_cpu_features(void);
/* Threads to use for `work` units of work: 1 under the threshold, else
 * fg_get_num_threads() but no more than work / threshold (at least 1). */
int fgi_threads_for(int64_t work);
/* "AMD Ryzen ..." model name, or "unknown cpu". Static storage. */
const char *fgi_cpu_model(void);

#endif
