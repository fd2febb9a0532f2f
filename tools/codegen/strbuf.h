/* A growable text buffer for the code generator. A failed allocation sets
 * oom and drops further output; callers check oom once at the end. */
#ifndef FGC_STRBUF_H
#define FGC_STRBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fgc_strbuf {
    char *data;
    size_t len, cap;
    int oom;
} fgc_strbuf;

static inline int fgc_strbuf_reserve(fgc_strbuf *b, size_t extra)
{
    if (b->oom) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

static inline void fgc_strbuf_putn(fgc_strbuf *b, const char *s, size_t n)
{
    if (!fgc_strbuf_reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void fgc_strbuf_puts(fgc_strbuf *b, const char *s) { fgc_strbuf_putn(b, s, strlen(s)); }

__attribute__((format(printf, 2, 3))) static inline void fgc_strbuf_printf(fgc_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !fgc_strbuf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The text (never NULL unless oom); the buffer is left empty. */
static inline char *fgc_strbuf_take(fgc_strbuf *b)
{
    char *p = b->data;
    if (!p && !b->oom) p = calloc(1, 1);
    *b = (fgc_strbuf){0};
    return p;
}

#endif
