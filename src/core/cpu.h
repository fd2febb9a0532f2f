/* CPU feature detection (once per process) and worker-thread policy. */
#ifndef FGI_CORE_CPU_H
#define FGI_CORE_CPU_H

#include <stddef.h>
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
/* The machine as reports name it: "AMD Ryzen ... (avx2, 2 threads)". */
void fgi_machine_describe(char *buf, size_t size);
/* Hardware fingerprint: 16 hex digits hashing the CPU model, the ISA in use
 * (FLAGGEMS_CPU_ISA counts) and the number of worker threads. Measurements
 * taken under another fingerprint are not comparable. size >= 17. */
void fgi_machine_fingerprint(char *buf, size_t size);

#endif
