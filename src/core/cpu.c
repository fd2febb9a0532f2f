#include <cpuid.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/cpu.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static unsigned cpu_features;
static char cpu_model[64] = "unknown cpu";
static int max_threads = 1;

static unsigned detect(void)
{
    unsigned a, b, c, d, f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    int fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return 0;
    unsigned xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    if ((xlo & 6) != 6) return 0; /* OS does not save YMM state */
    if (fma) f |= FG_CPU_FMA;
    if (f16c) f |= FG_CPU_F16C;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && ((b >> 5) & 1)) f |= FG_CPU_AVX2;
    return f;
}

static void cpu_init(void)
{
    cpu_features = detect();
    const char *isa = getenv("FLAGGEMS_CPU_ISA");
    if (isa && *isa) {
        if (strcasecmp(isa, "generic") == 0)
            cpu_features = 0;
        else if (strcasecmp(isa, "avx2") != 0)
            FGI_LOG(FG_LOG_WARN, "FLAGGEMS_CPU_ISA='%s' ignored: expected generic or avx2", isa);
    }
    unsigned regs[12];
    if (__get_cpuid(0x80000000, &regs[0], &regs[1], &regs[2], &regs[3]) && regs[0] >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2],
                        &regs[4 * i + 3]);
        char buf[49];
        memcpy(buf, regs, 48);
        buf[48] = '\0';
        const char *s = buf;
        while (*s == ' ') s++;
        snprintf(cpu_model, sizeof cpu_model, "%s", s);
        for (size_t n = strlen(cpu_model); n > 0 && cpu_model[n - 1] == ' '; n--)
            cpu_model[n - 1] = '\0';
    }
#ifdef _OPENMP
    max_threads = omp_get_max_threads();
#endif
    const char *nt = getenv("FLAGGEMS_NUM_THREADS");
    if (nt && *nt) {
        char *end;
        long v = strtol(nt, &end, 10);
        if (*end == '\0' && v >= 1 && v <= 4096) {
            if (v < max_threads) max_threads = (int)v;
        } else {
            FGI_LOG(FG_LOG_WARN, "FLAGGEMS_NUM_THREADS='%s' ignored: expected an integer >= 1", nt);
        }
    }
    if (max_threads < 1) max_threads = 1;
}

unsigned fgi_cpu_features(void)
{
    pthread_once(&cpu_once, cpu_init);
    return cpu_features;
}

unsigned fg_cpu_features(void) { return fgi_cpu_features(); }

const char *fg_cpu_isa_name(void)
{
    return (fgi_cpu_features() & FGI_ISA_AVX2_SET) == FGI_ISA_AVX2_SET ? "avx2" : "generic";
}

const char *fgi_cpu_model(void)
{
    pthread_once(&cpu_once, cpu_init);
    return cpu_model;
}

fg_status fg_set_num_threads(int n)
{
    fgi_error_clear();
    pthread_once(&cpu_once, cpu_init);
    FG_RETURN_IF(n < 1, FG_ERR_INVALID_ARG, "thread count %d: expected >= 1", n);
    __atomic_store_n(&max_threads, n, __ATOMIC_RELAXED);
    return FG_OK;
}

int fg_get_num_threads(void)
{
    pthread_once(&cpu_once, cpu_init);
    return __atomic_load_n(&max_threads, __ATOMIC_RELAXED);
}

int fgi_threads_for(int64_t work)
{
    if (work < FGI_PARALLEL_THRESHOLD) return 1;
    int n = fg_get_num_threads();
    int64_t cap = work / FGI_PARALLEL_THRESHOLD;
    if (cap < n) n = (int)cap;
    return n < 1 ? 1 : n;
}

void fgi_machine_describe(char *buf, size_t size)
{
    snprintf(buf, size, "%s (%s, %d threads)", fgi_cpu_model(), fg_cpu_isa_name(), fg_get_num_threads());
}

void fgi_machine_fingerprint(char *buf, size_t size)
{
    char desc[160];
    fgi_machine_describe(desc, sizeof desc);
    uint64_t h = fgi_fnv1a(FGI_FNV_BASIS, desc);
    snprintf(buf, size, "%016llx", (unsigned long long)h);
}
