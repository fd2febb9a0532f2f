/* Internal error reporting: a thread-local message with context frames.
 * Errors are set only through these macros; the error path never allocates. */
#ifndef FGI_CORE_ERROR_H
#define FGI_CORE_ERROR_H

#include <stdbool.h>

#include "flaggems/flaggems.h"

#if defined(__GNUC__)
#define FGI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FGI_PRINTF(f, a)
#endif

/* Whether this thread's message is set (initial-exec: one %fs-relative
 * byte, no __tls_get_addr call in the shared library). __thread rather
 * than _Thread_local: this header is also read as C++ (CUDA sources). */
extern __thread bool fgi_error_pending __attribute__((tls_model("initial-exec")));
void fgi_error_reset(void);
/* Clears this thread's message; every public entry point calls it first.
 * Inline, and a load only when nothing failed since the last clear. */
static inline void fgi_error_clear(void)
{
    if (__builtin_expect(fgi_error_pending, 0)) fgi_error_reset();
}
/* Sets "NAME: message (file:line)" and returns code. */
fg_status fgi_error_set(fg_status code, const char *file, int line, const char *fmt, ...)
    FGI_PRINTF(4, 5);
/* Appends " <- frame" to the current message and returns code. */
fg_status fgi_error_push(fg_status code, const char *fmt, ...) FGI_PRINTF(2, 3);

#define FG_ERROR(code, ...) fgi_error_set((code), __FILE__, __LINE__, __VA_ARGS__)

#define FG_RETURN_IF(cond, code, ...)                                                  \
    do {                                                                               \
        if (cond) return fgi_error_set((code), __FILE__, __LINE__, __VA_ARGS__);       \
    } while (0)

/* Evaluates expr; on failure adds a frame and returns the status. */
#define FG_FORWARD(expr, ...)                                                          \
    do {                                                                               \
        fg_status fgi_s_ = (expr);                                                     \
        if (fgi_s_ != FG_OK) return fgi_error_push(fgi_s_, __VA_ARGS__);               \
    } while (0)

#endif
