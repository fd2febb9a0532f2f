/* Status names, the thread-local error message, and the version. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"

#define FGI_ERROR_CAP 1024

static _Thread_local char tl_error[FGI_ERROR_CAP];

const char *fg_status_name(fg_status status)
{
    switch (status) {
#define X(name, value, text) \
    case name:               \
        return #name;
        FG_STATUS_LIST(X)
#undef X
    }
    return "FG_ERR_UNKNOWN";
}

const char *fg_status_string(fg_status status)
{
    switch (status) {
#define X(name, value, text) \
    case name:               \
        return text;
        FG_STATUS_LIST(X)
#undef X
    }
    return "unknown status";
}

const char *fg_last_error(void) { return tl_error; }

__thread bool fgi_error_pending __attribute__((tls_model("initial-exec")));

void fgi_error_reset(void)
{
    tl_error[0] = '\0';
    fgi_error_pending = false;
}

fg_status fgi_error_set(fg_status code, const char *file, int line, const char *fmt, ...)
{
    fgi_error_pending = true;
    int n = snprintf(tl_error, sizeof tl_error, "%s: ", fg_status_name(code));
    if (n < 0 || (size_t)n >= sizeof tl_error) return code;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(tl_error + n, sizeof tl_error - (size_t)n, fmt, ap);
    va_end(ap);
    if (m >= 0 && (size_t)(n + m) < sizeof tl_error)
        snprintf(tl_error + n + m, sizeof tl_error - (size_t)(n + m), " (%s:%d)", file, line);
    FGI_LOG(FG_LOG_DEBUG, "error: %s", tl_error);
    return code;
}

fg_status fgi_error_push(fg_status code, const char *fmt, ...)
{
    fgi_error_pending = true;
    size_t n = strlen(tl_error);
    if (n + 4 >= sizeof tl_error) return code;
    memcpy(tl_error + n, " <- ", 5);
    n += 4;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_error + n, sizeof tl_error - n, fmt, ap);
    va_end(ap);
    return code;
}

#define FGI_STR2(x) #x
#define FGI_STR(x) FGI_STR2(x)

const char *fg_version(void)
{
    return FGI_STR(FG_VERSION_MAJOR) "." FGI_STR(FG_VERSION_MINOR) "." FGI_STR(FG_VERSION_PATCH);
}

unsigned fg_version_number(void) { return FG_VERSION_NUMBER; }
