/* Internal logging: off unless FLAGGEMS_LOG_LEVEL or fg_log_set_level says
 * otherwise. The level check is one relaxed load. */
#ifndef FGI_CORE_LOG_H
#define FGI_CORE_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"

extern int fgi_log_level_cached; /* -1 until the environment was read */
int fgi_log_level_init(void);
void fgi_log_write(fg_log_level level, const char *file, int line, const char *fmt, ...)
    FGI_PRINTF(4, 5);

/* The line format shared by the library's loggers:
 * "[<tag> HH:MM:SS.mmm <level>] <message>" then " (<where>)" when where is
 * not NULL, written and flushed as one line. The caller serializes writes to
 * out (each logger holds its own lock around its destination). */
void fgi_log_vline(FILE *out, const char *tag, const char *level, const char *where,
                   const char *fmt, va_list ap);

static inline int fgi_log_enabled(fg_log_level level)
{
    int cur = __atomic_load_n(&fgi_log_level_cached, __ATOMIC_RELAXED);
    if (cur < 0) cur = fgi_log_level_init();
    return (int)level <= cur;
}

#define FGI_LOG(level, ...)                                                      \
    do {                                                                         \
        if (fgi_log_enabled(level)) fgi_log_write((level), __FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

#endif
