/* Logging to stderr or a file, one line per message, whole lines only. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"

int fgi_log_level_cached = -1;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static const char *const level_names[] = {"off", "error", "warn", "info", "debug"};

static void log_env_init(void)
{
    int level = FG_LOG_OFF;
    const char *v = getenv("FLAGGEMS_LOG_LEVEL");
    if (v && *v) {
        for (int i = 0; i <= FG_LOG_DEBUG; i++)
            if (strcasecmp(v, level_names[i]) == 0) level = i;
        if (strcasecmp(v, "warning") == 0) level = FG_LOG_WARN;
    }
    const char *path = getenv("FLAGGEMS_LOG_FILE");
    if (path && *path) {
        FILE *f = fopen(path, "a");
        if (f) log_file = f;
    }
    int expected = -1;
    __atomic_compare_exchange_n(&fgi_log_level_cached, &expected, level, 0, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
}

int fgi_log_level_init(void)
{
    pthread_once(&log_once, log_env_init);
    return __atomic_load_n(&fgi_log_level_cached, __ATOMIC_RELAXED);
}

void fg_log_set_level(fg_log_level level)
{
    pthread_once(&log_once, log_env_init);
    if ((int)level < FG_LOG_OFF) level = FG_LOG_OFF;
    if ((int)level > FG_LOG_DEBUG) level = FG_LOG_DEBUG;
    __atomic_store_n(&fgi_log_level_cached, (int)level, __ATOMIC_RELAXED);
}

fg_log_level fg_log_get_level(void) { return (fg_log_level)fgi_log_level_init(); }

fg_status fg_log_set_file(const char *path)
{
    fgi_error_clear();
    pthread_once(&log_once, log_env_init);
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "a");
        FG_RETURN_IF(!f, FG_ERR_IO, "cannot open log file '%s'", path);
    }
    pthread_mutex_lock(&log_mu);
    FILE *old = log_file;
    log_file = f;
    pthread_mutex_unlock(&log_mu);
    if (old) fclose(old);
    return FG_OK;
}

void fgi_log_vline(FILE *out, const char *tag, const char *level, const char *where,
                   const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(out, "[%s %02d:%02d:%02d.%03ld %s] %s%s%s%s\n", tag, tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, level, msg, where ? " (" : "", where ? where : "", where ? ")" : "");
    fflush(out);
}

void fgi_log_write(fg_log_level level, const char *file, int line, const char *fmt, ...)
{
    char where[256];
    snprintf(where, sizeof where, "%s:%d", file, line);
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_mu);
    fgi_log_vline(log_file ? log_file : stderr, "flaggems", level_names[level], where, fmt, ap);
    pthread_mutex_unlock(&log_mu);
    va_end(ap);
}
