#ifndef FGI_CORE_TIME_H
#define FGI_CORE_TIME_H

#include <stdint.h>
#include <time.h>

/* Monotonic clock in nanoseconds. */
static inline int64_t fgi_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
