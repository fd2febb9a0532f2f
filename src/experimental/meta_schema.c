/* The metadata schema: validation of every field with JSON-path messages,
 * the typed entry built from it, its canonical text, migration of the 0.9
 * layout, and the tracker.json schema.
 *
 * Validation and building are one pass: a field that validates is copied
 * into the entry's arena, so a built entry never refers to the jansson tree
 * it came from. Canonical text is written from the typed entry directly,
 * with keys in sorted order by construction, so saving never sorts. */
#define FGI_META_PRIVATE
#include "experimental/metadata.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/hash.h"

/* ================================================================ enums */

static const char *const status_names[FGI_META_STATUS_COUNT] = {
    "EXPERIMENTAL", "VALIDATED", "GRADUATION_CANDIDATE", "GRADUATED", "STABLE", "DEPRECATED"};
static const char *const category_names[FGI_META_CATEGORY_COUNT] = {"blas", "reduction",
                                                                    "pointwise", "custom"};
static const char *const candidate_status_names[] = {"READY_FOR_REVIEW", "BLOCKED", "PR_CREATED",
                                                     "IN_REVIEW",        "APPROVED", "REJECTED"};
static const char *const dtype_names[] = {"float32", "float16", "bfloat16", "float64", "int8",
                                          "int16",   "int32",   "int64",    "uint8",   "bool"};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *fgi_meta_status_name(fgi_meta_status s)
{
    return ((unsigned)s < FGI_META_STATUS_COUNT) ? status_names[s] : "?";
}

const char *fgi_meta_category_name(fgi_meta_category c)
{
    return ((unsigned)c < FGI_META_CATEGORY_COUNT) ? category_names[c] : "?";
}

static int find_name(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) return (int)i;
    return -1;
}

static void join_names(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        len += (size_t)w;
    }
}

fg_status fgi_meta_status_parse(const char *name, fgi_meta_status *out)
{
    FG_RETURN_IF(!name || !out, FG_ERR_NULL, "status name or out is NULL");
    int i = find_name(status_names, FGI_META_STATUS_COUNT, name);
    if (i < 0) {
        char all[160];
        join_names(all, sizeof all, status_names, FGI_META_STATUS_COUNT);
        return FG_ERROR(FG_ERR_INVALID_ARG, "unknown status '%.64s' (expected one of %s)", name,
                        all);
    }
    *out = (fgi_meta_status)i;
    return FG_OK;
}

fg_status fgi_meta_category_parse(const char *name, fgi_meta_category *out)
{
    FG_RETURN_IF(!name || !out, FG_ERR_NULL, "category name or out is NULL");
    int i = find_name(category_names, FGI_META_CATEGORY_COUNT, name);
    FG_RETURN_IF(i < 0, FG_ERR_INVALID_ARG,
                 "unknown category '%.64s' (expected one of blas, reduction, pointwise, custom)",
                 name);
    *out = (fgi_meta_category)i;
    return FG_OK;
}

int fgi_meta_transition_allowed(fgi_meta_status from, fgi_meta_status to)
{
    if ((unsigned)from >= FGI_META_STATUS_COUNT || (unsigned)to >= FGI_META_STATUS_COUNT) return 0;
    if (from == to) return 1;
    /* The forward chain, one step at a time ... */
    if ((int)to == (int)from + 1) return 1;
    /* ... and the demotion: quality dropped after validation (of a
     * validated kernel or a graduation candidate). */
    return (from == FGI_META_VALIDATED || from == FGI_META_GRADUATION_CANDIDATE) && to == FGI_META_EXPERIMENTAL;
}

uint64_t fgi_meta_hash(const char *s)
{
    uint64_t h = fgi_fnv1a(FGI_FNV_BASIS, s);
    return h ^ (h >> 29);
}

/* ================================================================ text buffer */

static int mbuf_reserve(fgi_mbuf *b, size_t extra)
{
    if (b->oom) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void fgi_mbuf_putn(fgi_mbuf *b, const char *s, size_t n)
{
    if (!mbuf_reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void fgi_mbuf_puts(fgi_mbuf *b, const char *s) { fgi_mbuf_putn(b, s, strlen(s)); }

void fgi_mbuf_putc(fgi_mbuf *b, char c)
{
    if (!mbuf_reserve(b, 1)) return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void fgi_mbuf_printf(fgi_mbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        fgi_mbuf_putn(b, small, (size_t)n);
        return;
    }
    if (!mbuf_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void fgi_mbuf_indent(fgi_mbuf *b, int n)
{
    static const char spaces[] = "                                                                ";
    size_t k = (size_t)(n > 0 ? n : 0) * 2;
    while (k > 0) {
        size_t c = k < sizeof spaces - 1 ? k : sizeof spaces - 1;
        fgi_mbuf_putn(b, spaces, c);
        k -= c;
    }
}

void fgi_mbuf_json_string(fgi_mbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    fgi_mbuf_putc(b, '"');
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        fgi_mbuf_putn(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"': fgi_mbuf_puts(b, "\\\""); break;
        case '\\': fgi_mbuf_puts(b, "\\\\"); break;
        case '\n': fgi_mbuf_puts(b, "\\n"); break;
        case '\t': fgi_mbuf_puts(b, "\\t"); break;
        case '\r': fgi_mbuf_puts(b, "\\r"); break;
        case '\b': fgi_mbuf_puts(b, "\\b"); break;
        case '\f': fgi_mbuf_puts(b, "\\f"); break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            fgi_mbuf_puts(b, u);
        }
        }
    }
    fgi_mbuf_puts(b, run);
    fgi_mbuf_putc(b, '"');
}

void fgi_mbuf_json_real(fgi_mbuf *b, double v)
{
    char s[40];
    if (!isfinite(v)) v = 0; /* never stored: validation refuses it */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v) break;
    }
    fgi_mbuf_puts(b, s);
    /* Keep it a real when read back ("2" would come back as an integer). */
    if (!strpbrk(s, ".eEn")) fgi_mbuf_puts(b, ".0");
}

static int json_is_container(const json_t *v) { return json_is_object(v) || json_is_array(v); }

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void fgi_mbuf_json(fgi_mbuf *b, const json_t *v, int indent)
{
    int pretty = indent >= 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        if (n == 0) {
            fgi_mbuf_puts(b, "{}");
            return;
        }
        const char **keys = malloc(n * sizeof *keys);
        if (!keys) {
            b->oom = 1;
            return;
        }
        size_t i = 0;
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m) keys[i++] = k;
        qsort(keys, n, sizeof *keys, cmp_cstr);
        fgi_mbuf_putc(b, '{');
        for (i = 0; i < n; i++) {
            if (i) fgi_mbuf_putc(b, ',');
            if (pretty) {
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, indent + 1);
            }
            fgi_mbuf_json_string(b, keys[i]);
            fgi_mbuf_puts(b, pretty ? ": " : ":");
            fgi_mbuf_json(b, json_object_get(v, keys[i]), pretty ? indent + 1 : -1);
        }
        free(keys);
        if (pretty) {
            fgi_mbuf_putc(b, '\n');
            fgi_mbuf_indent(b, indent);
        }
        fgi_mbuf_putc(b, '}');
        return;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (n == 0) {
            fgi_mbuf_puts(b, "[]");
            return;
        }
        /* Arrays of scalars stay on one line, as in the seed's example. */
        int multi = 0;
        for (size_t i = 0; i < n && pretty; i++)
            if (json_is_container(json_array_get(v, i))) multi = 1;
        fgi_mbuf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) fgi_mbuf_puts(b, pretty && !multi ? ", " : ",");
            if (multi) {
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, indent + 1);
            }
            fgi_mbuf_json(b, json_array_get(v, i), multi ? indent + 1 : (pretty ? indent : -1));
        }
        if (multi) {
            fgi_mbuf_putc(b, '\n');
            fgi_mbuf_indent(b, indent);
        }
        fgi_mbuf_putc(b, ']');
        return;
    }
    case JSON_STRING: fgi_mbuf_json_string(b, json_string_value(v)); return;
    case JSON_INTEGER: fgi_mbuf_printf(b, "%lld", (long long)json_integer_value(v)); return;
    case JSON_REAL: fgi_mbuf_json_real(b, json_real_value(v)); return;
    case JSON_TRUE: fgi_mbuf_puts(b, "true"); return;
    case JSON_FALSE: fgi_mbuf_puts(b, "false"); return;
    case JSON_NULL: fgi_mbuf_puts(b, "null"); return;
    }
}

/* Whether the array starting after '[' has a direct element that is an
 * object or array (then it is written one element per line). */
static int array_has_container(const char *p)
{
    int in_str = 0;
    for (; *p; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\' && p[1]) p++;
            else if (c == '"') in_str = 0;
            continue;
        }
        if (c == '"') in_str = 1;
        else if (c == '{' || c == '[') return 1;
        else if (c == ']') return 0;
    }
    return 0;
}

void fgi_mbuf_reindent(fgi_mbuf *b, const char *p, int indent)
{
    enum { OBJ, ARR_MULTI, ARR_INLINE };
    char stack[64];
    int depth = 0, level = indent;
    while (*p) {
        char c = *p;
        if (c == '"') {
            const char *q = p + 1;
            while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
            if (*q) q++;
            fgi_mbuf_putn(b, p, (size_t)(q - p));
            p = q;
            continue;
        }
        p++;
        switch (c) {
        case '{':
            if (*p == '}') {
                fgi_mbuf_puts(b, "{}");
                p++;
                break;
            }
            if (depth < (int)sizeof stack) stack[depth] = OBJ;
            depth++;
            level++;
            fgi_mbuf_putc(b, '{');
            fgi_mbuf_putc(b, '\n');
            fgi_mbuf_indent(b, level);
            break;
        case '[':
            if (*p == ']') {
                fgi_mbuf_puts(b, "[]");
                p++;
                break;
            }
            if (array_has_container(p)) {
                if (depth < (int)sizeof stack) stack[depth] = ARR_MULTI;
                level++;
                fgi_mbuf_putc(b, '[');
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, level);
            } else {
                if (depth < (int)sizeof stack) stack[depth] = ARR_INLINE;
                fgi_mbuf_putc(b, '[');
            }
            depth++;
            break;
        case ',':
            if (depth > 0 && depth <= (int)sizeof stack && stack[depth - 1] == ARR_INLINE) {
                fgi_mbuf_puts(b, ", ");
            } else {
                fgi_mbuf_putc(b, ',');
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, level);
            }
            break;
        case ':': fgi_mbuf_puts(b, ": "); break;
        case '}':
        case ']': {
            int kind = (depth > 0 && depth <= (int)sizeof stack) ? stack[depth - 1] : OBJ;
            if (depth > 0) depth--;
            if (kind != ARR_INLINE) {
                level--;
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, level);
            }
            fgi_mbuf_putc(b, c);
            break;
        }
        default: fgi_mbuf_putc(b, c);
        }
    }
}

/* ================================================================ diagnostics */

void fgi_meta_diag_init(fgi_meta_diag *d)
{
    d->msg[0] = '\0';
    d->len = 0;
    d->count = 0;
    d->path[0] = '\0';
    d->plen = 0;
}

void fgi_meta_diag_add(fgi_meta_diag *d, const char *fmt, ...)
{
    d->count++;
    /* Keep the first few in full; the rest are counted by the caller's
     * summary. A message is never cut in the middle of its path. */
    if (d->count > 4 || d->len + 8 >= sizeof d->msg) return;
    char one[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(one, sizeof one, fmt, ap);
    va_end(ap);
    int w = snprintf(d->msg + d->len, sizeof d->msg - d->len, "%s%s%s%s", d->len ? "; " : "",
                     d->path, d->plen ? ": " : "", one);
    if (w < 0) return;
    d->len += (size_t)w;
    if (d->len >= sizeof d->msg) d->len = sizeof d->msg - 1;
}

static int is_ident(const char *k)
{
    if (!(isalpha((unsigned char)*k) || *k == '_')) return 0;
    for (; *k; k++)
        if (!(isalnum((unsigned char)*k) || *k == '_')) return 0;
    return 1;
}

size_t fgi_meta_diag_push_key(fgi_meta_diag *d, const char *key)
{
    size_t mark = d->plen;
    size_t room = sizeof d->path - d->plen;
    int w;
    if (is_ident(key) && strlen(key) < 96)
        w = snprintf(d->path + d->plen, room, "%s%s", d->plen ? "." : "", key);
    else {
        /* Quote keys that are not identifiers ("gelu.cpu.stable"), so the
         * path stays unambiguous; show at most 64 bytes of a hostile key. */
        char q[80];
        size_t j = 0;
        for (const char *k = key; *k && j < 64; k++) {
            unsigned char c = (unsigned char)*k;
            q[j++] = (c < 0x20 || c == '"' || c == '\\') ? '?' : (char)c;
        }
        q[j] = '\0';
        w = snprintf(d->path + d->plen, room, "[\"%s%s\"]", q, strlen(key) > 64 ? "..." : "");
    }
    if (w > 0) d->plen = (size_t)w >= room ? sizeof d->path - 1 : d->plen + (size_t)w;
    return mark;
}

size_t fgi_meta_diag_push_index(fgi_meta_diag *d, size_t i)
{
    size_t mark = d->plen;
    size_t room = sizeof d->path - d->plen;
    int w = snprintf(d->path + d->plen, room, "[%zu]", i);
    if (w > 0) d->plen = (size_t)w >= room ? sizeof d->path - 1 : d->plen + (size_t)w;
    return mark;
}

void fgi_meta_diag_pop(fgi_meta_diag *d, size_t mark)
{
    d->plen = mark;
    d->path[mark] = '\0';
}

void fgi_meta_describe(const json_t *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "nothing");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: snprintf(buf, size, "an object"); return;
    case JSON_ARRAY: snprintf(buf, size, "an array"); return;
    case JSON_TRUE: snprintf(buf, size, "true"); return;
    case JSON_FALSE: snprintf(buf, size, "false"); return;
    case JSON_NULL: snprintf(buf, size, "null"); return;
    case JSON_INTEGER: snprintf(buf, size, "%lld", (long long)json_integer_value(v)); return;
    case JSON_REAL: {
        fgi_mbuf t = {0};
        fgi_mbuf_json_real(&t, json_real_value(v));
        snprintf(buf, size, "%s", t.data ? t.data : "a number");
        free(t.data);
        return;
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        /* Show short strings whole and long ones by their size and start,
         * cut on a UTF-8 character boundary. */
        size_t show = n <= 48 ? n : 24;
        while (show > 0 && show < n && ((unsigned char)s[show] & 0xC0) == 0x80) show--;
        fgi_mbuf t = {0};
        fgi_mbuf_putc(&t, '"');
        for (size_t i = 0; i < show; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 || c == 0x7F) fgi_mbuf_printf(&t, "\\u%04x", c);
            else if (c == '"' || c == '\\') fgi_mbuf_printf(&t, "\\%c", c);
            else fgi_mbuf_putc(&t, (char)c);
        }
        fgi_mbuf_putc(&t, '"');
        if (n <= 48) snprintf(buf, size, "%s", t.data ? t.data : "a string");
        else snprintf(buf, size, "a string of %zu bytes starting %s...", n, t.data ? t.data : "");
        free(t.data);
        return;
    }
    }
    snprintf(buf, size, "?");
}

/* ================================================================ arena */

struct fgi_arena_chunk {
    fgi_arena_chunk *next;
    size_t cap, used;
    _Alignas(16) char data[];
};

void *fgi_arena_alloc(fgi_arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    fgi_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = c ? c->cap * 2 : 1024;
        if (cap > 65536) cap = 65536;
        if (cap < size) cap = size;
        c = fgi_alloc(sizeof *c + cap, "metadata entry");
        if (!c) {
            a->oom = 1;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->bytes += sizeof *c + cap;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

char *fgi_arena_strdup(fgi_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = fgi_arena_alloc(a, n);
    if (p) memcpy(p, s, n);
    return p;
}

void fgi_arena_free(fgi_arena *a)
{
    fgi_arena_chunk *c = a->head;
    while (c) {
        fgi_arena_chunk *n = c->next;
        fgi_free(c, sizeof *c + c->cap);
        c = n;
    }
    a->head = NULL;
    a->bytes = 0;
}

/* ================================================================ times, ids */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dm[m - 1] + (m == 2 && leap);
}

/* Parses "YYYY-MM-DD" at s; returns a static reason on failure. */
static const char *parse_date(const char *s, int *y, int *mo, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, mo) || s[7] != '-' ||
        !digits(s + 8, 2, d))
        return "expected YYYY-MM-DD";
    if (*y < 1970 || *y > 2200) return "year out of range 1970..2200";
    if (*mo < 1 || *mo > 12) return "month out of range";
    if (*d < 1 || *d > days_in_month(*y, *mo)) return "day out of range for the month";
    return NULL;
}

static const char *parse_time(const char *s, int64_t *ns)
{
    int y, mo, d, h, mi, sec;
    const char *why = parse_date(s, &y, &mo, &d);
    if (why) return why;
    if (s[10] != 'T' && s[10] != 't') return "expected 'T' between date and time";
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return "expected HH:MM:SS after the date";
    if (h > 23 || mi > 59 || sec > 60) return "time of day out of range";
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        int nd = 0;
        p++;
        while (isdigit((unsigned char)*p)) {
            if (nd < 9) frac = frac * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (nd == 0) return "expected digits after '.'";
        if (nd > 9) return "more than 9 fractional digits";
        for (; nd < 9; nd++) frac *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return "bad UTC offset (expected Z or +HH:MM)";
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return "missing time zone (expected Z)";
    }
    if (*p) return "unexpected text after the time";
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                   sec - (int64_t)off * 60;
    *ns = secs * 1000000000 + frac;
    return NULL;
}

fg_status fgi_meta_time_parse(const char *text, int64_t *ns)
{
    FG_RETURN_IF(!text || !ns, FG_ERR_NULL, "time text or out is NULL");
    const char *why = parse_time(text, ns);
    FG_RETURN_IF(why, FG_ERR_INVALID_ARG, "'%.40s' is not an RFC 3339 time: %s", text, why);
    return FG_OK;
}

void fgi_meta_time_format(int64_t ns, char *buf, size_t size)
{
    int64_t secs = ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000);
    int64_t frac = ns - secs * 1000000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d", y, m, d, (int)(rem / 3600),
                     (int)(rem / 60 % 60), (int)(rem % 60));
    if (n < 0 || (size_t)n >= size) return;
    if (frac == 0) snprintf(buf + n, size - (size_t)n, "Z");
    else if (frac % 1000000 == 0) snprintf(buf + n, size - (size_t)n, ".%03dZ", (int)(frac / 1000000));
    else if (frac % 1000 == 0) snprintf(buf + n, size - (size_t)n, ".%06dZ", (int)(frac / 1000));
    else snprintf(buf + n, size - (size_t)n, ".%09dZ", (int)frac);
}

fg_status fgi_meta_uuid_v4(char *buf, size_t size)
{
    FG_RETURN_IF(!buf || size < 37, FG_ERR_INVALID_ARG, "uuid buffer needs 37 bytes");
    unsigned char r[16];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno == EINTR) continue;
        FG_RETURN_IF(n <= 0, FG_ERR_IO, "getrandom failed: %s", strerror(errno));
        got += (size_t)n;
    }
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x40); /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) buf[j++] = '-';
        buf[j++] = hex[r[i] >> 4];
        buf[j++] = hex[r[i] & 15];
    }
    buf[j] = '\0';
    return FG_OK;
}

/* ================================================================ paths */

/* Returns FG_OK or the status, with the reason in why. */
static fg_status normalize_path(const char *path, const char *repo_root, char *out, size_t size,
                                char *why, size_t whyn)
{
    size_t n = strlen(path);
#define REFUSE(code, ...)                        \
    do {                                         \
        snprintf(why, whyn, __VA_ARGS__);        \
        return code;                             \
    } while (0)
    if (n == 0) REFUSE(FG_ERR_INVALID_ARG, "path is empty");
    if (n > 1024) REFUSE(FG_ERR_INVALID_ARG, "path is %zu bytes, more than 1024", n);
    if (size < n + 1) REFUSE(FG_ERR_INVALID_ARG, "output buffer too small for the path");
    if (path[0] == '/')
        REFUSE(FG_ERR_INVALID_ARG,
               "\"%.80s\" is absolute; expected a path relative to the repository root", path);
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\') REFUSE(FG_ERR_INVALID_ARG, "\"%.80s\" contains a backslash; use '/'", path);
        if (c < 0x20 || c == 0x7F) REFUSE(FG_ERR_INVALID_ARG, "path contains a control character");
    }
    /* Lexical normalization: components are pushed on `out`, ".." pops. */
    size_t len = 0;
    const char *p = path;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t cl = e ? (size_t)(e - p) : strlen(p);
        if (cl == 0 || (cl == 1 && p[0] == '.')) {
            /* skip "" and "." */
        } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
            if (len == 0)
                REFUSE(FG_ERR_INVALID_ARG, "\"%.80s\" escapes the repository root with '..'", path);
            while (len > 0 && out[len - 1] != '/') len--;
            if (len > 0) len--; /* the separator */
        } else {
            if (len) out[len++] = '/';
            memcpy(out + len, p, cl);
            len += cl;
        }
        p += cl;
        if (*p == '/') p++;
    }
    out[len] = '\0';
    if (len == 0) REFUSE(FG_ERR_INVALID_ARG, "\"%.80s\" names the repository root, not a file", path);
    if (!repo_root) return FG_OK;

    /* Symlink check: the longest existing prefix must resolve inside the
     * root. A component that does not exist yet cannot be a link. */
    char *root = realpath(repo_root, NULL);
    if (!root) REFUSE(FG_ERR_IO, "repository root \"%.200s\": %s", repo_root, strerror(errno));
    size_t rl = strlen(root);
    char *full = malloc(rl + len + 2);
    if (!full) {
        free(root);
        REFUSE(FG_ERR_NO_MEMORY, "out of memory checking a path");
    }
    memcpy(full, root, rl);
    full[rl] = '/';
    memcpy(full + rl + 1, out, len + 1);
    fg_status st = FG_OK;
    for (;;) {
        char *real = realpath(full, NULL);
        if (real) {
            int inside = strncmp(real, root, rl) == 0 && (real[rl] == '\0' || real[rl] == '/');
            free(real);
            if (!inside) {
                snprintf(why, whyn, "\"%.80s\" leaves the repository through a symbolic link", out);
                st = FG_ERR_INVALID_ARG;
            }
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            snprintf(why, whyn, "cannot resolve \"%.80s\": %s", out, strerror(errno));
            st = FG_ERR_IO;
            break;
        }
        char *slash = strrchr(full + rl, '/');
        if (!slash || slash == full + rl) break; /* nothing below the root exists */
        *slash = '\0';
    }
    free(full);
    free(root);
    return st;
#undef REFUSE
}

fg_status fgi_meta_normalize_path(const char *path, const char *repo_root, char *out, size_t size)
{
    FG_RETURN_IF(!path || !out, FG_ERR_NULL, "path or out is NULL");
    char why[300];
    fg_status st = normalize_path(path, repo_root, out, size, why, sizeof why);
    FG_RETURN_IF(st != FG_OK, st, "%s", why);
    return FG_OK;
}

/* ================================================================ field checks */

enum {
    T_TEXT,      /* 1..4096 bytes, no control characters */
    T_TEXT128,   /* the same, at most 128 bytes */
    T_TEXT1024,  /* the same, at most 1024 bytes */
    T_OPNAME,    /* [a-z][a-z0-9_]*, <= 64 */
    T_DTYPE,     /* a known dtype name */
    T_DEVICE,    /* printable ASCII, 1..64, no outer spaces */
    T_REFIMPL,   /* [A-Za-z0-9_.:+-]+, <= 64 */
    T_VERSION,   /* v?N(.N){0,3}(-tag)? */
    T_UUID,      /* UUID v4, normalized to lower case */
    T_TIME,      /* RFC 3339, normalized to UTC */
    T_DATE,      /* YYYY-MM-DD */
    T_HEX,       /* 4..64 hex digits, lower-cased */
    T_SHAPE,     /* "(256, 256)" */
    T_REPOPATH,  /* normalized repository-relative path */
    T_STATUS,    /* lifecycle enum */
    T_CATEGORY,  /* category enum */
    T_CANDSTATE  /* tracker candidate status */
};

typedef struct B {
    fgi_meta_diag *d;
    fgi_arena *a;
    const fgi_meta_build_ctx *ctx;
} B;

static void got(fgi_meta_diag *d, const json_t *v, const char *expected)
{
    char desc[160];
    fgi_meta_describe(v, desc, sizeof desc);
    fgi_meta_diag_add(d, "expected %s, got %s", expected, desc);
}

static int valid_text(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) return 0;
    }
    return 1;
}

static int valid_version(const char *s)
{
    const char *p = s;
    if (strlen(s) > 64) return 0;
    if (*p == 'v' || *p == 'V') p++;
    for (int part = 0;; part++) {
        if (!isdigit((unsigned char)*p) || part > 3) return 0;
        while (isdigit((unsigned char)*p)) p++;
        if (*p != '.') break;
        p++;
    }
    if (*p == '-' || *p == '+') {
        p++;
        if (!*p) return 0;
        for (; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-') return 0;
    }
    return *p == '\0';
}

static int valid_shape_string(const char *s)
{
    const char *p = s;
    if (strlen(s) > 256 || *p++ != '(') return 0;
    while (*p == ' ') p++;
    int dims = 0;
    while (isdigit((unsigned char)*p)) {
        int nd = 0;
        while (isdigit((unsigned char)*p)) {
            p++;
            if (++nd > 19) return 0;
        }
        dims++;
        while (*p == ' ') p++;
        if (*p == ',') {
            p++;
            while (*p == ' ') p++;
        } else {
            break;
        }
    }
    if (dims > 16) return 0;
    return p[0] == ')' && p[1] == '\0';
}

/* Checks string s (from value v, for messages) as `type`; on success *out is
 * an arena copy, normalized where the type says so. */
static int check_string(B *b, const json_t *v, int type, const char **out)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    char norm[1100];
    const char *keep = s;
    int ok = 1;
    const char *expected = "";
    switch (type) {
    case T_TEXT: ok = valid_text(s, n, FGI_META_MAX_STRING);
        expected = "a non-empty single-line string of at most 4096 bytes"; break;
    case T_TEXT128: ok = valid_text(s, n, 128);
        expected = "a non-empty single-line string of at most 128 bytes"; break;
    case T_TEXT1024: ok = valid_text(s, n, 1024);
        expected = "a non-empty single-line string of at most 1024 bytes"; break;
    case T_OPNAME:
        ok = n >= 1 && n <= 64 && islower((unsigned char)s[0]);
        for (size_t i = 0; ok && i < n; i++)
            ok = islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_';
        expected = "an op name ([a-z][a-z0-9_]*, at most 64 bytes)";
        break;
    case T_DTYPE:
        ok = find_name(dtype_names, NELEM(dtype_names), s) >= 0;
        expected = "a dtype (float32, float16, bfloat16, float64, int8, int16, int32, int64, "
                   "uint8, bool)";
        break;
    case T_DEVICE:
        ok = n >= 1 && n <= 64 && s[0] != ' ' && s[n - 1] != ' ';
        for (size_t i = 0; ok && i < n; i++) ok = s[i] >= 0x20 && s[i] < 0x7F;
        expected = "a device name (printable ASCII, 1..64 bytes)";
        break;
    case T_REFIMPL:
        ok = n >= 1 && n <= 64;
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)s[i]) || strchr("_.:+-", s[i]) != NULL;
        expected = "an implementation name ([A-Za-z0-9_.:+-], at most 64 bytes)";
        break;
    case T_VERSION: ok = valid_version(s); expected = "a version like \"v4.1\" or \"0.1.0\""; break;
    case T_UUID: {
        ok = n == 36;
        for (size_t i = 0; ok && i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) ok = s[i] == '-';
            else ok = isxdigit((unsigned char)s[i]);
            norm[i] = (char)tolower((unsigned char)s[i]);
        }
        if (ok) {
            norm[36] = '\0';
            ok = norm[14] == '4' && strchr("89ab", norm[19]) != NULL;
        }
        keep = norm;
        expected = "a UUID v4 like \"550e8400-e29b-41d4-a716-446655440000\"";
        break;
    }
    case T_TIME: {
        int64_t ns;
        const char *why = n < 64 ? parse_time(s, &ns) : "too long";
        if (why) {
            char desc[160];
            fgi_meta_describe(v, desc, sizeof desc);
            fgi_meta_diag_add(b->d, "expected an RFC 3339 UTC time like \"2025-12-19T10:30:00Z\" "
                                    "(%s), got %s", why, desc);
            return 0;
        }
        fgi_meta_time_format(ns, norm, sizeof norm);
        keep = norm;
        break;
    }
    case T_DATE: {
        int y, mo, d;
        const char *why = n == 10 ? parse_date(s, &y, &mo, &d) : "expected YYYY-MM-DD";
        if (why) {
            char desc[160];
            fgi_meta_describe(v, desc, sizeof desc);
            fgi_meta_diag_add(b->d, "expected a date like \"2025-12-15\" (%s), got %s", why, desc);
            return 0;
        }
        break;
    }
    case T_HEX:
        ok = n >= 4 && n <= 64;
        for (size_t i = 0; ok && i < n; i++) {
            ok = isxdigit((unsigned char)s[i]);
            norm[i] = (char)tolower((unsigned char)s[i]);
        }
        norm[ok ? n : 0] = '\0';
        keep = norm;
        expected = "a commit hash (4..64 hex digits)";
        break;
    case T_SHAPE: ok = valid_shape_string(s); expected = "a shape like \"(256, 256)\""; break;
    case T_REPOPATH: {
        char why[300];
        if (normalize_path(s, b->ctx && b->ctx->check_symlinks ? b->ctx->repo_root : NULL, norm,
                           sizeof norm, why, sizeof why) != FG_OK) {
            fgi_meta_diag_add(b->d, "%s", why);
            return 0;
        }
        keep = norm;
        break;
    }
    case T_STATUS: {
        ok = find_name(status_names, FGI_META_STATUS_COUNT, s) >= 0;
        if (!ok) {
            char all[160], desc[160];
            join_names(all, sizeof all, status_names, FGI_META_STATUS_COUNT);
            fgi_meta_describe(v, desc, sizeof desc);
            fgi_meta_diag_add(b->d, "expected one of %s, got %s", all, desc);
            return 0;
        }
        break;
    }
    case T_CATEGORY: {
        ok = find_name(category_names, FGI_META_CATEGORY_COUNT, s) >= 0;
        expected = "one of blas, reduction, pointwise, custom";
        break;
    }
    case T_CANDSTATE: {
        ok = find_name(candidate_status_names, NELEM(candidate_status_names), s) >= 0;
        if (!ok) {
            char all[160], desc[160];
            join_names(all, sizeof all, candidate_status_names, NELEM(candidate_status_names));
            fgi_meta_describe(v, desc, sizeof desc);
            fgi_meta_diag_add(b->d, "expected one of %s, got %s", all, desc);
            return 0;
        }
        break;
    }
    }
    if (!ok) {
        got(b->d, v, expected);
        return 0;
    }
    if (out) {
        *out = fgi_arena_strdup(b->a, keep);
        if (!*out) return 0;
    }
    return 1;
}

/* Field accessors: each pushes the key on the path, reports a missing or
 * invalid value there, and pops it. */

static const json_t *member(B *b, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) fgi_meta_diag_add(b->d, "missing required key");
    return v;
}

static int f_string(B *b, const json_t *obj, const char *key, int type, int nullable,
                    const char **out)
{
    size_t m = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    int ok = 0;
    *out = NULL;
    if (!v) {
    } else if (json_is_null(v) && nullable) {
        ok = 1;
    } else if (!json_is_string(v)) {
        char exp[64];
        snprintf(exp, sizeof exp, "a string%s", nullable ? " or null" : "");
        got(b->d, v, exp);
    } else {
        ok = check_string(b, v, type, out);
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int f_int(B *b, const json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    size_t m = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    int ok = 0;
    if (v) {
        if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
            *out = json_integer_value(v);
            ok = 1;
        } else if (lo == 0 && hi == INT32_MAX) {
            got(b->d, v, "a non-negative integer");
        } else {
            char exp[96];
            snprintf(exp, sizeof exp, "an integer in [%lld, %lld]", (long long)lo, (long long)hi);
            got(b->d, v, exp);
        }
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int check_real(B *b, const json_t *v, double lo, double hi, int lo_open, double *out)
{
    double x = json_is_integer(v) ? (double)json_integer_value(v)
               : json_is_real(v)  ? json_real_value(v)
                                  : NAN;
    if (isfinite(x) && (lo_open ? x > lo : x >= lo) && x <= hi) {
        *out = x;
        return 1;
    }
    char exp[96];
    snprintf(exp, sizeof exp, "a number in %c%g, %g]", lo_open ? '(' : '[', lo, hi);
    got(b->d, v, exp);
    return 0;
}

static int f_real(B *b, const json_t *obj, const char *key, double lo, double hi, int lo_open,
                  double *out)
{
    size_t m = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    int ok = v && check_real(b, v, lo, hi, lo_open, out);
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int f_bool(B *b, const json_t *obj, const char *key, int *out)
{
    size_t m = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    int ok = 0;
    if (v) {
        if (json_is_boolean(v)) {
            *out = json_is_true(v);
            ok = 1;
        } else {
            got(b->d, v, "true or false");
        }
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

/* Refuses keys not in `keys` (the schema is exact). */
static void check_keys(B *b, const json_t *obj, const char *const *keys, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (find_name(keys, n, k) >= 0) continue;
        char all[300];
        join_names(all, sizeof all, keys, n);
        size_t m = fgi_meta_diag_push_key(b->d, k);
        fgi_meta_diag_add(b->d, "unknown key (allowed here: %s)", all);
        fgi_meta_diag_pop(b->d, m);
    }
}

/* An object member with exactly `keys`; leaves the path pushed in *mark. */
static const json_t *f_object(B *b, const json_t *obj, const char *key, const char *const *keys,
                              size_t n, size_t *mark)
{
    *mark = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    if (!v) return NULL;
    if (!json_is_object(v)) {
        got(b->d, v, "an object");
        return NULL;
    }
    if (keys) check_keys(b, v, keys, n);
    return v;
}

static const json_t *f_array(B *b, const json_t *obj, const char *key, size_t max, size_t *mark)
{
    *mark = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    if (!v) return NULL;
    if (!json_is_array(v)) {
        got(b->d, v, "an array");
        return NULL;
    }
    if (json_array_size(v) > max) {
        fgi_meta_diag_add(b->d, "expected at most %zu elements, got %zu", max, json_array_size(v));
        return NULL;
    }
    return v;
}

static int cmp_index(const void *a, const void *b, void *ctx)
{
    const char *const *list = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(list[i], list[j]);
    return c ? c : (i > j) - (i < j);
}

/* Sorting indices makes this O(n log n): lists can hold thousands of
 * shapes. Reports the later element of the first duplicate pair found. */
static int check_unique(B *b, const char **list, size_t n)
{
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) {
        b->a->oom = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++) idx[i] = i;
    qsort_r(idx, n, sizeof *idx, cmp_index, (void *)list);
    int ok = 1;
    for (size_t k = 1; k < n && ok; k++) {
        if (strcmp(list[idx[k - 1]], list[idx[k]]) == 0) {
            size_t m = fgi_meta_diag_push_index(b->d, idx[k]);
            fgi_meta_diag_add(b->d, "duplicate of element %zu", idx[k - 1]);
            fgi_meta_diag_pop(b->d, m);
            ok = 0;
        }
    }
    free(idx);
    return ok;
}

static int strlist(B *b, const json_t *arr, int type, int unique, const char *const **out,
                   size_t *count)
{
    size_t n = json_array_size(arr);
    const char **list = fgi_arena_alloc(b->a, (n ? n : 1) * sizeof *list);
    if (!list) return 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(arr, i);
        size_t m = fgi_meta_diag_push_index(b->d, i);
        list[i] = NULL;
        if (!json_is_string(v)) {
            got(b->d, v, "a string");
            ok = 0;
        } else if (!check_string(b, v, type, &list[i])) {
            ok = 0;
        }
        fgi_meta_diag_pop(b->d, m);
    }
    if (ok && unique && n > 1) ok = check_unique(b, list, n);
    *out = list;
    *count = n;
    return ok;
}

static int f_strlist(B *b, const json_t *obj, const char *key, int type, int unique,
                     const char *const **out, size_t *count)
{
    size_t m;
    const json_t *arr = f_array(b, obj, key, FGI_META_MAX_ITEMS, &m);
    int ok = arr && strlist(b, arr, type, unique, out, count);
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int json_depth_ok(const json_t *v, int depth)
{
    if (depth > 16) return 0;
    size_t i;
    const char *k;
    json_t *m;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, m) if (!json_depth_ok(m, depth + 1)) return 0;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) if (!json_depth_ok(m, depth + 1)) return 0;
    }
    return 1;
}

/* A free-form object (generation_config, shape_constraints), stored as
 * canonical compact JSON. */
static int f_freeform(B *b, const json_t *obj, const char *key, const char **out)
{
    size_t m = fgi_meta_diag_push_key(b->d, key);
    const json_t *v = member(b, obj, key);
    int ok = 0;
    if (v) {
        if (!json_is_object(v)) {
            got(b->d, v, "an object");
        } else if (!json_depth_ok(v, 0)) {
            fgi_meta_diag_add(b->d, "nested more than 16 levels deep");
        } else {
            fgi_mbuf t = {0};
            fgi_mbuf_json(&t, v, -1);
            if (t.oom) {
                b->a->oom = 1;
            } else if (t.len > 65536) {
                fgi_meta_diag_add(b->d, "is %zu bytes as JSON, more than 65536", t.len);
            } else {
                *out = fgi_arena_strdup(b->a, t.data ? t.data : "{}");
                ok = *out != NULL;
            }
            free(t.data);
        }
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

/* The keys of shape_constraints the dispatcher honors (fgi_meta_shape_rule);
 * the others stay free-form. */
static void build_shape_rule(B *b, const json_t *hw, fgi_meta_shape_rule *r)
{
    const json_t *sc = json_object_get(hw, "shape_constraints");
    if (!json_is_object(sc)) return;
    static const struct {
        const char *key;
        size_t off;
    } ints[] = {
        {"alignment", offsetof(fgi_meta_shape_rule, alignment)},
        {"last_dim_multiple", offsetof(fgi_meta_shape_rule, last_dim_multiple)},
        {"max_last_dim", offsetof(fgi_meta_shape_rule, max_last_dim)},
        {"max_size", offsetof(fgi_meta_shape_rule, max_size)},
        {"min_last_dim", offsetof(fgi_meta_shape_rule, min_last_dim)},
        {"min_size", offsetof(fgi_meta_shape_rule, min_size)},
    };
    size_t m = fgi_meta_diag_push_key(b->d, "shape_constraints");
    for (size_t i = 0; i < NELEM(ints); i++)
        if (json_object_get(sc, ints[i].key))
            f_int(b, sc, ints[i].key, 1, INT64_C(1) << 50, (int64_t *)((char *)r + ints[i].off));
    if (r->alignment & (r->alignment - 1)) {
        size_t m2 = fgi_meta_diag_push_key(b->d, "alignment");
        fgi_meta_diag_add(b->d, "expected a power of two, got %lld", (long long)r->alignment);
        fgi_meta_diag_pop(b->d, m2);
    }
    if (r->min_size && r->max_size && r->min_size > r->max_size)
        fgi_meta_diag_add(b->d, "min_size %lld is larger than max_size %lld",
                          (long long)r->min_size, (long long)r->max_size);
    if (r->min_last_dim && r->max_last_dim && r->min_last_dim > r->max_last_dim)
        fgi_meta_diag_add(b->d, "min_last_dim %lld is larger than max_last_dim %lld",
                          (long long)r->min_last_dim, (long long)r->max_last_dim);
    if (json_object_get(sc, "contiguous")) f_bool(b, sc, "contiguous", &r->contiguous);
    const json_t *dt = json_object_get(sc, "dtypes");
    if (dt) {
        size_t m2 = fgi_meta_diag_push_key(b->d, "dtypes");
        if (!json_is_array(dt) || json_array_size(dt) == 0) {
            got(b->d, dt, "a non-empty array of \"float32\", \"float16\", \"bfloat16\"");
        } else {
            size_t i;
            const json_t *v;
            json_array_foreach(dt, i, v)
            {
                int k = json_is_string(v) ? find_name(dtype_names, 3, json_string_value(v)) : -1;
                if (k < 0) {
                    size_t m3 = fgi_meta_diag_push_index(b->d, i);
                    got(b->d, v, "\"float32\", \"float16\" or \"bfloat16\"");
                    fgi_meta_diag_pop(b->d, m3);
                } else {
                    r->dtypes |= 1u << k;
                }
            }
        }
        fgi_meta_diag_pop(b->d, m2);
    }
    fgi_meta_diag_pop(b->d, m);
}

/* ================================================================ one entry */

static const char *const k_entry[] = {"category",         "code_location",     "generation_info",
                                      "graduation_tracking", "hardware_support", "op_id",
                                      "op_name",          "status",            "validation_info"};
static const char *const k_gen[] = {"generation_config", "generation_date", "generator_tool",
                                    "generator_version", "source_template"};
static const char *const k_val[] = {"accuracy_tests", "performance_tests"};
static const char *const k_acc[] = {"coverage", "last_run", "passed", "test_cases"};
static const char *const k_perf[] = {"baselines", "last_run"};
static const char *const k_base[] = {"device",         "dtype", "memory_overhead", "reference_impl",
                                     "shape",          "speedup", "timestamp"};
static const char *const k_hw[] = {"optimal_devices", "shape_constraints", "tested_devices"};
static const char *const k_grad[] = {"blocking_issues", "checklist", "eligible",
                                     "in_experimental_since"};
static const char *const k_check[] = {"accuracy_passed",          "code_review_approved",
                                      "documentation_complete",   "multi_hardware_validated",
                                      "performance_passed",       "stable_period_met"};
static const char *const k_code[] = {"commit_hash", "file_path", "line_end", "line_start"};

static int cmp_coverage(const void *a, const void *b)
{
    return strcmp(((const fgi_meta_coverage *)a)->dtype, ((const fgi_meta_coverage *)b)->dtype);
}

static int build_coverage(B *b, const json_t *acc, fgi_meta_op *op)
{
    size_t m = fgi_meta_diag_push_key(b->d, "coverage");
    const json_t *cov = member(b, acc, "coverage");
    int ok = 0;
    if (!cov) {
    } else if (!json_is_object(cov)) {
        got(b->d, cov, "an object {dtype: [shapes]}");
    } else if (json_object_size(cov) > 64) {
        fgi_meta_diag_add(b->d, "more than 64 dtypes");
    } else {
        size_t n = json_object_size(cov), i = 0;
        fgi_meta_coverage *list = fgi_arena_alloc(b->a, (n ? n : 1) * sizeof *list);
        ok = list != NULL;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)cov, k, v)
        {
            if (!list) break;
            size_t mk = fgi_meta_diag_push_key(b->d, k);
            json_t *kv = json_string(k);
            fgi_meta_coverage *c = &list[i++];
            c->dtype = NULL;
            c->shapes = NULL;
            c->n_shapes = 0;
            if (!kv || !check_string(b, kv, T_DTYPE, &c->dtype)) {
                ok = 0;
            } else if (!json_is_array(v)) {
                got(b->d, v, "an array of shape strings");
                ok = 0;
            } else if (json_array_size(v) > FGI_META_MAX_ITEMS) {
                fgi_meta_diag_add(b->d, "more than %d shapes", FGI_META_MAX_ITEMS);
                ok = 0;
            } else if (!strlist(b, v, T_SHAPE, 1, &c->shapes, &c->n_shapes)) {
                ok = 0;
            }
            json_decref(kv);
            fgi_meta_diag_pop(b->d, mk);
        }
        if (ok) {
            qsort(list, n, sizeof *list, cmp_coverage);
            op->validation_info.accuracy_tests.coverage = list;
            op->validation_info.accuracy_tests.n_coverage = n;
        }
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int build_baseline(B *b, const json_t *v, fgi_meta_baseline *bl)
{
    memset(bl, 0, sizeof *bl);
    if (!json_is_object(v)) {
        got(b->d, v, "an object");
        return 0;
    }
    check_keys(b, v, k_base, NELEM(k_base));
    int ok = f_string(b, v, "device", T_DEVICE, 0, &bl->device);
    ok &= f_string(b, v, "dtype", T_DTYPE, 0, &bl->dtype);
    ok &= f_real(b, v, "memory_overhead", -1e12, 1e12, 0, &bl->memory_overhead);
    ok &= f_string(b, v, "reference_impl", T_REFIMPL, 0, &bl->reference_impl);
    ok &= f_real(b, v, "speedup", 0, 1e6, 1, &bl->speedup);
    ok &= f_string(b, v, "timestamp", T_TIME, 0, &bl->timestamp);
    size_t m;
    const json_t *shape = f_array(b, v, "shape", 16, &m);
    if (shape) {
        size_t n = json_array_size(shape);
        int64_t *dims = fgi_arena_alloc(b->a, (n ? n : 1) * sizeof *dims);
        ok &= dims != NULL;
        for (size_t i = 0; dims && i < n; i++) {
            const json_t *d = json_array_get(shape, i);
            if (json_is_integer(d) && json_integer_value(d) >= 0 &&
                json_integer_value(d) <= ((int64_t)1 << 62)) {
                dims[i] = json_integer_value(d);
            } else {
                size_t mi = fgi_meta_diag_push_index(b->d, i);
                got(b->d, d, "a non-negative integer dimension");
                fgi_meta_diag_pop(b->d, mi);
                ok = 0;
            }
        }
        bl->shape = dims;
        bl->shape_len = n;
    } else {
        ok = 0;
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

static int build_baselines(B *b, const json_t *perf, fgi_meta_op *op)
{
    size_t m;
    const json_t *arr = f_array(b, perf, "baselines", FGI_META_MAX_ITEMS, &m);
    int ok = arr != NULL;
    if (arr) {
        size_t n = json_array_size(arr);
        fgi_meta_baseline *list = fgi_arena_alloc(b->a, (n ? n : 1) * sizeof *list);
        ok = list != NULL;
        for (size_t i = 0; list && i < n; i++) {
            size_t mi = fgi_meta_diag_push_index(b->d, i);
            ok &= build_baseline(b, json_array_get(arr, i), &list[i]);
            fgi_meta_diag_pop(b->d, mi);
        }
        op->validation_info.performance_tests.baselines = list;
        op->validation_info.performance_tests.n_baselines = n;
    }
    fgi_meta_diag_pop(b->d, m);
    return ok;
}

int fgi_meta_valid_kernel_id(const char *id, const char **why)
{
    size_t n = strlen(id);
    if (n == 0 || n > FGI_META_MAX_ID) {
        *why = "a kernel id has 1 to 128 bytes";
        return 0;
    }
    if (!isalnum((unsigned char)id[0])) {
        *why = "a kernel id starts with a letter or digit";
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && !strchr("_.-", id[i])) {
            *why = "a kernel id has only letters, digits, '_', '.' and '-'";
            return 0;
        }
    return 1;
}

static void derive(fgi_meta_entry *e, fgi_arena *a)
{
    const char *id = e->op.kernel_id;
    const char *d1 = strchr(id, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    e->op.device = "";
    e->op.group = "";
    if (d1 && d2) {
        size_t n = (size_t)(d2 - d1 - 1);
        char *dev = fgi_arena_alloc(a, n + 1);
        if (dev) {
            for (size_t i = 0; i < n; i++) dev[i] = (char)tolower((unsigned char)d1[1 + i]);
            dev[n] = '\0';
            e->op.device = dev;
        }
        const char *t = d2 + 1;
        size_t tl = strcspn(t, ".");
        if ((tl == 3 && strncmp(t, "gen", 3) == 0) || (tl == 9 && strncmp(t, "generated", 9) == 0))
            e->op.group = "generated";
        else if (tl == 6 && strncmp(t, "custom", 6) == 0)
            e->op.group = "custom";
    }
    if (!e->op.group[0] && e->op.code_location.file_path) {
        const char *p = e->op.code_location.file_path;
        if (strstr(p, "experimental/generated/")) e->op.group = "generated";
        else if (strstr(p, "experimental/custom/")) e->op.group = "custom";
    }
}

fgi_meta_entry *fgi_meta_build_entry(const char *kernel_id, const json_t *obj,
                                     const fgi_meta_build_ctx *ctx, fgi_meta_diag *d)
{
    fgi_meta_entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    B bb = {d, &e->arena, ctx}, *b = &bb;
    fgi_meta_op *op = &e->op;
    int start = d->count;
    if (!json_is_object(obj)) {
        got(d, obj, "an object");
        goto fail;
    }
    check_keys(b, obj, k_entry, NELEM(k_entry));
    op->kernel_id = fgi_arena_strdup(b->a, kernel_id);
    f_string(b, obj, "op_name", T_OPNAME, 0, &op->op_name);
    f_string(b, obj, "op_id", T_UUID, 0, &op->op_id);
    const char *s = NULL;
    if (f_string(b, obj, "category", T_CATEGORY, 0, &s))
        op->category = (fgi_meta_category)find_name(category_names, FGI_META_CATEGORY_COUNT, s);
    if (f_string(b, obj, "status", T_STATUS, 0, &s))
        op->status = (fgi_meta_status)find_name(status_names, FGI_META_STATUS_COUNT, s);

    size_t m, m2;
    const json_t *o = f_object(b, obj, "generation_info", k_gen, NELEM(k_gen), &m);
    if (o) {
        f_freeform(b, o, "generation_config", &op->generation_info.generation_config);
        f_string(b, o, "generation_date", T_TIME, 1, &op->generation_info.generation_date);
        f_string(b, o, "generator_tool", T_TEXT128, 1, &op->generation_info.generator_tool);
        f_string(b, o, "generator_version", T_TEXT128, 1, &op->generation_info.generator_version);
        f_string(b, o, "source_template", T_TEXT1024, 1, &op->generation_info.source_template);
    }
    fgi_meta_diag_pop(d, m);

    o = f_object(b, obj, "validation_info", k_val, NELEM(k_val), &m);
    if (o) {
        const json_t *acc = f_object(b, o, "accuracy_tests", k_acc, NELEM(k_acc), &m2);
        if (acc) {
            build_coverage(b, acc, op);
            f_string(b, acc, "last_run", T_TIME, 1, &op->validation_info.accuracy_tests.last_run);
            f_bool(b, acc, "passed", &op->validation_info.accuracy_tests.passed);
            f_int(b, acc, "test_cases", 0, INT32_MAX, &op->validation_info.accuracy_tests.test_cases);
        }
        fgi_meta_diag_pop(d, m2);
        const json_t *perf = f_object(b, o, "performance_tests", k_perf, NELEM(k_perf), &m2);
        if (perf) {
            build_baselines(b, perf, op);
            f_string(b, perf, "last_run", T_TIME, 1,
                     &op->validation_info.performance_tests.last_run);
        }
        fgi_meta_diag_pop(d, m2);
    }
    fgi_meta_diag_pop(d, m);

    o = f_object(b, obj, "hardware_support", k_hw, NELEM(k_hw), &m);
    if (o) {
        int t_ok = f_strlist(b, o, "tested_devices", T_DEVICE, 1, &op->hardware_support.tested_devices,
                             &op->hardware_support.n_tested_devices);
        int o_ok = f_strlist(b, o, "optimal_devices", T_DEVICE, 1,
                             &op->hardware_support.optimal_devices,
                             &op->hardware_support.n_optimal_devices);
        if (t_ok && o_ok) {
            for (size_t i = 0; i < op->hardware_support.n_optimal_devices; i++) {
                const char *dev = op->hardware_support.optimal_devices[i];
                int found = 0;
                for (size_t j = 0; j < op->hardware_support.n_tested_devices; j++)
                    found |= strcmp(dev, op->hardware_support.tested_devices[j]) == 0;
                if (!found) {
                    m2 = fgi_meta_diag_push_key(d, "optimal_devices");
                    fgi_meta_diag_push_index(d, i);
                    fgi_meta_diag_add(d, "\"%.64s\" is not in tested_devices", dev);
                    fgi_meta_diag_pop(d, m2);
                }
            }
        }
        if (f_freeform(b, o, "shape_constraints", &op->hardware_support.shape_constraints))
            build_shape_rule(b, o, &op->hardware_support.shape_rule);
    }
    fgi_meta_diag_pop(d, m);

    o = f_object(b, obj, "graduation_tracking", k_grad, NELEM(k_grad), &m);
    if (o) {
        f_strlist(b, o, "blocking_issues", T_TEXT, 0, &op->graduation_tracking.blocking_issues,
                  &op->graduation_tracking.n_blocking_issues);
        const json_t *cl = f_object(b, o, "checklist", k_check, NELEM(k_check), &m2);
        if (cl) {
            fgi_meta_checklist *c = &op->graduation_tracking.checklist;
            f_bool(b, cl, "accuracy_passed", &c->accuracy_passed);
            f_bool(b, cl, "code_review_approved", &c->code_review_approved);
            f_bool(b, cl, "documentation_complete", &c->documentation_complete);
            f_bool(b, cl, "multi_hardware_validated", &c->multi_hardware_validated);
            f_bool(b, cl, "performance_passed", &c->performance_passed);
            f_bool(b, cl, "stable_period_met", &c->stable_period_met);
        }
        fgi_meta_diag_pop(d, m2);
        f_bool(b, o, "eligible", &op->graduation_tracking.eligible);
        f_string(b, o, "in_experimental_since", T_VERSION, 0,
                 &op->graduation_tracking.in_experimental_since);
    }
    fgi_meta_diag_pop(d, m);

    o = f_object(b, obj, "code_location", k_code, NELEM(k_code), &m);
    if (o) {
        f_string(b, o, "commit_hash", T_HEX, 1, &op->code_location.commit_hash);
        f_string(b, o, "file_path", T_REPOPATH, 0, &op->code_location.file_path);
        int ls = f_int(b, o, "line_start", 1, 1000000000, &op->code_location.line_start);
        int le = f_int(b, o, "line_end", 1, 1000000000, &op->code_location.line_end);
        if (ls && le && op->code_location.line_end < op->code_location.line_start) {
            m2 = fgi_meta_diag_push_key(d, "line_end");
            fgi_meta_diag_add(d, "%lld is before line_start %lld",
                              (long long)op->code_location.line_end,
                              (long long)op->code_location.line_start);
            fgi_meta_diag_pop(d, m2);
        }
    }
    fgi_meta_diag_pop(d, m);

    if (d->count != start || e->arena.oom || !op->kernel_id) goto fail;
    derive(e, &e->arena);
    if (e->arena.oom) goto fail;
    e->refs = 1;
    e->kid_hash = fgi_meta_hash(op->kernel_id);
    e->uuid_hash = fgi_meta_hash(op->op_id);
    return e;
fail:
    fgi_arena_free(&e->arena);
    free(e);
    return NULL;
}

void fgi_meta_entry_unref(fgi_meta_entry *e)
{
    if (!e) return;
    if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    free(e->text);
    fgi_arena_free(&e->arena);
    free(e);
}

/* ================================================================ entry text */

typedef struct W {
    fgi_mbuf *b;
    int level; /* of the keys being written */
    int first;
} W;

static void w_key(W *w, const char *key)
{
    if (!w->first) fgi_mbuf_putc(w->b, ',');
    w->first = 0;
    fgi_mbuf_putc(w->b, '\n');
    fgi_mbuf_indent(w->b, w->level);
    fgi_mbuf_json_string(w->b, key);
    fgi_mbuf_puts(w->b, ": ");
}

static W w_open(W *w, const char *key)
{
    if (key) w_key(w, key);
    fgi_mbuf_putc(w->b, '{');
    W in = {w->b, w->level + 1, 1};
    return in;
}

static void w_close(W *in)
{
    fgi_mbuf_putc(in->b, '\n');
    fgi_mbuf_indent(in->b, in->level - 1);
    fgi_mbuf_putc(in->b, '}');
}

static void w_str(W *w, const char *key, const char *v)
{
    w_key(w, key);
    if (v) fgi_mbuf_json_string(w->b, v);
    else fgi_mbuf_puts(w->b, "null");
}

static void w_bool(W *w, const char *key, int v)
{
    w_key(w, key);
    fgi_mbuf_puts(w->b, v ? "true" : "false");
}

static void w_int(W *w, const char *key, int64_t v)
{
    w_key(w, key);
    fgi_mbuf_printf(w->b, "%lld", (long long)v);
}

static void w_real(W *w, const char *key, double v)
{
    w_key(w, key);
    fgi_mbuf_json_real(w->b, v);
}

static void w_strs(W *w, const char *key, const char *const *v, size_t n)
{
    w_key(w, key);
    fgi_mbuf_putc(w->b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) fgi_mbuf_puts(w->b, ", ");
        fgi_mbuf_json_string(w->b, v[i]);
    }
    fgi_mbuf_putc(w->b, ']');
}

static void w_raw(W *w, const char *key, const char *compact)
{
    w_key(w, key);
    fgi_mbuf_reindent(w->b, compact ? compact : "{}", w->level);
}

void fgi_meta_write_entry(fgi_mbuf *b, const fgi_meta_op *op, int indent)
{
    W top = {b, indent, 1};
    W e = w_open(&top, NULL);
    w_str(&e, "category", fgi_meta_category_name(op->category));
    {
        W c = w_open(&e, "code_location");
        w_str(&c, "commit_hash", op->code_location.commit_hash);
        w_str(&c, "file_path", op->code_location.file_path);
        w_int(&c, "line_end", op->code_location.line_end);
        w_int(&c, "line_start", op->code_location.line_start);
        w_close(&c);
    }
    {
        W g = w_open(&e, "generation_info");
        w_raw(&g, "generation_config", op->generation_info.generation_config);
        w_str(&g, "generation_date", op->generation_info.generation_date);
        w_str(&g, "generator_tool", op->generation_info.generator_tool);
        w_str(&g, "generator_version", op->generation_info.generator_version);
        w_str(&g, "source_template", op->generation_info.source_template);
        w_close(&g);
    }
    {
        W g = w_open(&e, "graduation_tracking");
        w_strs(&g, "blocking_issues", op->graduation_tracking.blocking_issues,
               op->graduation_tracking.n_blocking_issues);
        const fgi_meta_checklist *cl = &op->graduation_tracking.checklist;
        W c = w_open(&g, "checklist");
        w_bool(&c, "accuracy_passed", cl->accuracy_passed);
        w_bool(&c, "code_review_approved", cl->code_review_approved);
        w_bool(&c, "documentation_complete", cl->documentation_complete);
        w_bool(&c, "multi_hardware_validated", cl->multi_hardware_validated);
        w_bool(&c, "performance_passed", cl->performance_passed);
        w_bool(&c, "stable_period_met", cl->stable_period_met);
        w_close(&c);
        w_bool(&g, "eligible", op->graduation_tracking.eligible);
        w_str(&g, "in_experimental_since", op->graduation_tracking.in_experimental_since);
        w_close(&g);
    }
    {
        W h = w_open(&e, "hardware_support");
        w_strs(&h, "optimal_devices", op->hardware_support.optimal_devices,
               op->hardware_support.n_optimal_devices);
        w_raw(&h, "shape_constraints", op->hardware_support.shape_constraints);
        w_strs(&h, "tested_devices", op->hardware_support.tested_devices,
               op->hardware_support.n_tested_devices);
        w_close(&h);
    }
    w_str(&e, "op_id", op->op_id);
    w_str(&e, "op_name", op->op_name);
    w_str(&e, "status", fgi_meta_status_name(op->status));
    {
        W v = w_open(&e, "validation_info");
        const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
        W a = w_open(&v, "accuracy_tests");
        w_key(&a, "coverage");
        if (at->n_coverage == 0) {
            fgi_mbuf_puts(b, "{}");
        } else {
            W c = {b, a.level + 1, 1};
            fgi_mbuf_putc(b, '{');
            for (size_t i = 0; i < at->n_coverage; i++)
                w_strs(&c, at->coverage[i].dtype, at->coverage[i].shapes, at->coverage[i].n_shapes);
            w_close(&c);
        }
        w_str(&a, "last_run", at->last_run);
        w_bool(&a, "passed", at->passed);
        w_int(&a, "test_cases", at->test_cases);
        w_close(&a);
        const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
        W p = w_open(&v, "performance_tests");
        w_key(&p, "baselines");
        if (pt->n_baselines == 0) {
            fgi_mbuf_puts(b, "[]");
        } else {
            fgi_mbuf_putc(b, '[');
            for (size_t i = 0; i < pt->n_baselines; i++) {
                const fgi_meta_baseline *bl = &pt->baselines[i];
                if (i) fgi_mbuf_putc(b, ',');
                fgi_mbuf_putc(b, '\n');
                fgi_mbuf_indent(b, p.level + 1);
                W item = {b, p.level + 1, 1};
                W o = w_open(&item, NULL);
                w_str(&o, "device", bl->device);
                w_str(&o, "dtype", bl->dtype);
                w_real(&o, "memory_overhead", bl->memory_overhead);
                w_str(&o, "reference_impl", bl->reference_impl);
                w_key(&o, "shape");
                fgi_mbuf_putc(b, '[');
                for (size_t k = 0; k < bl->shape_len; k++)
                    fgi_mbuf_printf(b, "%s%lld", k ? ", " : "", (long long)bl->shape[k]);
                fgi_mbuf_putc(b, ']');
                w_real(&o, "speedup", bl->speedup);
                w_str(&o, "timestamp", bl->timestamp);
                w_close(&o);
            }
            fgi_mbuf_putc(b, '\n');
            fgi_mbuf_indent(b, p.level);
            fgi_mbuf_putc(b, ']');
        }
        w_str(&p, "last_run", pt->last_run);
        w_close(&p);
        w_close(&v);
    }
    w_close(&e);
}

/* ================================================================ migration 0.9 */

/* "(8192, 4096)" -> [8192, 4096] */
static json_t *shape_from_string(const char *s)
{
    if (!valid_shape_string(s)) return NULL;
    json_t *arr = json_array();
    for (const char *p = s + 1; arr && *p;) {
        if (isdigit((unsigned char)*p)) {
            char *end;
            errno = 0;
            long long v = strtoll(p, &end, 10);
            if (errno || v > ((long long)1 << 62)) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, json_integer(v));
            p = end;
        } else {
            p++;
        }
    }
    return arr;
}

int fgi_meta_migrate_0_9(json_t *root, fgi_meta_diag *d)
{
    int assigned = 0, start = d->count;
    json_t *ops = json_object_get(root, "ops");
    size_t m = fgi_meta_diag_push_key(d, "ops");
    if (!json_is_array(ops)) {
        got(d, ops, "an array (the 0.9 layout lists ops in an array)");
        fgi_meta_diag_pop(d, m);
        return -1;
    }
    json_t *out = json_object();
    if (!out) return -1;
    size_t i;
    json_t *item;
    json_array_foreach(ops, i, item)
    {
        size_t mi = fgi_meta_diag_push_index(d, i);
        json_t *kid = json_object_get(item, "kernel_id");
        const char *why = NULL;
        if (!json_is_object(item)) {
            got(d, item, "an object");
        } else if (!json_is_string(kid)) {
            size_t mk = fgi_meta_diag_push_key(d, "kernel_id");
            got(d, kid, "a kernel id string");
            fgi_meta_diag_pop(d, mk);
        } else if (!fgi_meta_valid_kernel_id(json_string_value(kid), &why)) {
            size_t mk = fgi_meta_diag_push_key(d, "kernel_id");
            fgi_meta_diag_add(d, "%s", why);
            fgi_meta_diag_pop(d, mk);
        } else if (json_object_get(out, json_string_value(kid))) {
            size_t mk = fgi_meta_diag_push_key(d, "kernel_id");
            fgi_meta_diag_add(d, "\"%s\" appears twice", json_string_value(kid));
            fgi_meta_diag_pop(d, mk);
        } else {
            json_t *e = json_deep_copy(item);
            if (!e) break;
            json_object_del(e, "kernel_id");
            /* 0.9 wrote the status in lower case. */
            json_t *st = json_object_get(e, "status");
            if (json_is_string(st)) {
                char up[64];
                snprintf(up, sizeof up, "%s", json_string_value(st));
                for (char *p = up; *p; p++) *p = (char)toupper((unsigned char)*p);
                json_object_set_new(e, "status", json_string(up));
            }
            /* 0.9 had no op_id. */
            if (!json_object_get(e, "op_id")) {
                char id[40];
                if (fgi_meta_uuid_v4(id, sizeof id) != FG_OK) {
                    json_decref(e);
                    break;
                }
                json_object_set_new(e, "op_id", json_string(id));
                assigned++;
            }
            /* 0.9 baselines: shape as "(a, b)", no memory_overhead. */
            json_t *bls = json_object_get(
                json_object_get(json_object_get(e, "validation_info"), "performance_tests"),
                "baselines");
            size_t j;
            json_t *bl;
            json_array_foreach(bls, j, bl)
            {
                json_t *sh = json_object_get(bl, "shape");
                if (json_is_string(sh)) {
                    json_t *arr = shape_from_string(json_string_value(sh));
                    if (!arr) {
                        size_t m1 = fgi_meta_diag_push_key(d, "validation_info");
                        fgi_meta_diag_push_key(d, "performance_tests");
                        fgi_meta_diag_push_key(d, "baselines");
                        fgi_meta_diag_push_index(d, j);
                        fgi_meta_diag_push_key(d, "shape");
                        got(d, sh, "a shape like \"(8192, 4096)\"");
                        fgi_meta_diag_pop(d, m1);
                    } else {
                        json_object_set_new(bl, "shape", arr);
                    }
                }
                if (json_is_object(bl) && !json_object_get(bl, "memory_overhead"))
                    json_object_set_new(bl, "memory_overhead", json_real(0.0));
            }
            /* 0.9 code_location: "lines": [start, end]. */
            json_t *cl = json_object_get(e, "code_location");
            json_t *lines = json_object_get(cl, "lines");
            if (lines) {
                if (json_is_array(lines) && json_array_size(lines) == 2) {
                    json_object_set(cl, "line_start", json_array_get(lines, 0));
                    json_object_set(cl, "line_end", json_array_get(lines, 1));
                    json_object_del(cl, "lines");
                } else {
                    size_t m1 = fgi_meta_diag_push_key(d, "code_location");
                    fgi_meta_diag_push_key(d, "lines");
                    got(d, lines, "[line_start, line_end]");
                    fgi_meta_diag_pop(d, m1);
                }
            }
            json_object_set_new(out, json_string_value(kid), e);
        }
        fgi_meta_diag_pop(d, mi);
    }
    fgi_meta_diag_pop(d, m);
    if (d->count != start || json_array_size(ops) != json_object_size(out)) {
        if (d->count == start) fgi_meta_diag_add(d, "out of memory during migration");
        json_decref(out);
        return -1;
    }
    json_object_set_new(root, "ops", out);
    json_object_set_new(root, "version", json_string(FGI_META_VERSION));
    return assigned;
}

/* ================================================================ tracker.json */

static const char *const k_tracker[] = {"graduation_candidates", "last_updated",
                                        "recently_graduated", "tracking_version"};
static const char *const k_cand[] = {"blocking_issues", "eligible_since", "graduation_score",
                                     "next_action",     "op_id",          "op_name",
                                     "pr_number",       "status"};
static const char *const k_grad_rec[] = {"deprecation_date", "graduated_version", "graduation_date",
                                         "op_name"};

static int cmp_cand(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int c = strcmp(json_string_value(json_object_get(x, "op_name")),
                   json_string_value(json_object_get(y, "op_name")));
    return c ? c
             : strcmp(json_string_value(json_object_get(x, "op_id")),
                      json_string_value(json_object_get(y, "op_id")));
}

static int cmp_grad(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    static const char *const keys[] = {"graduation_date", "op_name", "graduated_version"};
    for (size_t i = 0; i < NELEM(keys); i++) {
        int c = strcmp(json_string_value(json_object_get(x, keys[i])),
                       json_string_value(json_object_get(y, keys[i])));
        if (c) return c;
    }
    return 0;
}

/* Validates arr (array of objects) with `one`, collecting canonical copies;
 * sorts them with cmp and reports duplicates of `key`. */
static json_t *tracker_list(B *b, const json_t *root, const char *name,
                            json_t *(*one)(B *, const json_t *), int (*cmp)(const void *, const void *),
                            const char *const *uniq, size_t n_uniq)
{
    size_t m;
    const json_t *arr = f_array(b, root, name, FGI_META_MAX_ITEMS, &m);
    json_t *out = NULL;
    if (arr) {
        size_t n = json_array_size(arr), bad = 0;
        json_t **items = calloc(n ? n : 1, sizeof *items);
        for (size_t i = 0; items && i < n; i++) {
            size_t mi = fgi_meta_diag_push_index(b->d, i);
            items[i] = one(b, json_array_get(arr, i));
            if (!items[i]) bad++;
            fgi_meta_diag_pop(b->d, mi);
        }
        if (items && !bad) {
            qsort(items, n, sizeof *items, cmp);
            for (size_t i = 1; i < n; i++) {
                int same = 1;
                for (size_t k = 0; k < n_uniq; k++)
                    same &= strcmp(json_string_value(json_object_get(items[i], uniq[k])),
                                   json_string_value(json_object_get(items[i - 1], uniq[k]))) == 0;
                if (same) {
                    fgi_meta_diag_add(b->d, "two entries have the same %s \"%.64s\"", uniq[n_uniq - 1],
                                      json_string_value(json_object_get(items[i], uniq[n_uniq - 1])));
                    bad++;
                }
            }
        }
        if (items && !bad) {
            out = json_array();
            for (size_t i = 0; out && i < n; i++) json_array_append(out, items[i]);
        }
        for (size_t i = 0; items && i < n; i++) json_decref(items[i]);
        free(items);
        if (!items) b->a->oom = 1;
    }
    fgi_meta_diag_pop(b->d, m);
    return out;
}

static json_t *one_candidate(B *b, const json_t *v)
{
    if (!json_is_object(v)) {
        got(b->d, v, "an object");
        return NULL;
    }
    check_keys(b, v, k_cand, NELEM(k_cand));
    const char *op_id, *op_name, *status, *since, *next;
    const char *const *issues = NULL;
    size_t n_issues = 0;
    double score = 0;
    int ok = f_string(b, v, "op_id", T_UUID, 0, &op_id);
    ok &= f_string(b, v, "op_name", T_OPNAME, 0, &op_name);
    ok &= f_string(b, v, "status", T_CANDSTATE, 0, &status);
    ok &= f_string(b, v, "eligible_since", T_DATE, 0, &since);
    ok &= f_string(b, v, "next_action", T_TEXT1024, 0, &next);
    ok &= f_real(b, v, "graduation_score", 0, 1, 0, &score);
    ok &= f_strlist(b, v, "blocking_issues", T_TEXT, 0, &issues, &n_issues);
    size_t m = fgi_meta_diag_push_key(b->d, "pr_number");
    const json_t *pr = member(b, v, "pr_number");
    if (!pr) ok = 0;
    else if (!json_is_null(pr) && !(json_is_integer(pr) && json_integer_value(pr) >= 1)) {
        got(b->d, pr, "a positive integer or null");
        ok = 0;
    }
    fgi_meta_diag_pop(b->d, m);
    if (!ok) return NULL;
    json_t *o = json_object(), *list = json_array();
    for (size_t i = 0; list && i < n_issues; i++) json_array_append_new(list, json_string(issues[i]));
    json_object_set_new(o, "op_id", json_string(op_id));
    json_object_set_new(o, "op_name", json_string(op_name));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "eligible_since", json_string(since));
    json_object_set_new(o, "next_action", json_string(next));
    json_object_set_new(o, "graduation_score", json_real(score));
    json_object_set_new(o, "blocking_issues", list);
    json_object_set_new(o, "pr_number", json_deep_copy(pr));
    if (json_object_size(o) != NELEM(k_cand)) {
        json_decref(o);
        b->a->oom = 1;
        return NULL;
    }
    return o;
}

static json_t *one_graduated(B *b, const json_t *v)
{
    if (!json_is_object(v)) {
        got(b->d, v, "an object");
        return NULL;
    }
    check_keys(b, v, k_grad_rec, NELEM(k_grad_rec));
    const char *name, *ver, *date, *dep;
    int ok = f_string(b, v, "op_name", T_OPNAME, 0, &name);
    ok &= f_string(b, v, "graduated_version", T_VERSION, 0, &ver);
    ok &= f_string(b, v, "graduation_date", T_DATE, 0, &date);
    ok &= f_string(b, v, "deprecation_date", T_VERSION, 0, &dep);
    if (!ok) return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "op_name", json_string(name));
    json_object_set_new(o, "graduated_version", json_string(ver));
    json_object_set_new(o, "graduation_date", json_string(date));
    json_object_set_new(o, "deprecation_date", json_string(dep));
    if (json_object_size(o) != NELEM(k_grad_rec)) {
        json_decref(o);
        b->a->oom = 1;
        return NULL;
    }
    return o;
}

int fgi_meta_validate_tracker(const json_t *root, fgi_meta_diag *d, json_t **canonical)
{
    fgi_arena scratch = {0};
    B bb = {d, &scratch, NULL}, *b = &bb;
    int start = d->count;
    *canonical = NULL;
    if (!json_is_object(root)) {
        got(d, root, "an object at the top level");
        return 0;
    }
    check_keys(b, root, k_tracker, NELEM(k_tracker));
    const char *ver, *last;
    f_string(b, root, "tracking_version", T_VERSION, 0, &ver);
    f_string(b, root, "last_updated", T_TIME, 0, &last);
    static const char *const u_cand[] = {"op_id"};
    static const char *const u_grad[] = {"graduated_version", "op_name"};
    json_t *cands = tracker_list(b, root, "graduation_candidates", one_candidate, cmp_cand, u_cand, 1);
    json_t *grads = tracker_list(b, root, "recently_graduated", one_graduated, cmp_grad, u_grad, 2);
    int ok = d->count == start && !scratch.oom && cands && grads;
    if (ok) {
        json_t *o = json_object();
        json_object_set_new(o, "tracking_version", json_string(ver));
        json_object_set_new(o, "last_updated", json_string(last));
        json_object_set(o, "graduation_candidates", cands);
        json_object_set(o, "recently_graduated", grads);
        if (json_object_size(o) == NELEM(k_tracker)) *canonical = o;
        else json_decref(o);
        ok = *canonical != NULL;
    }
    json_decref(cands);
    json_decref(grads);
    fgi_arena_free(&scratch);
    return ok;
}

int fgi_meta_check_time(fgi_meta_diag *d, const json_t *v, int nullable, char *norm, size_t n)
{
    fgi_arena scratch = {0};
    B bb = {d, &scratch, NULL};
    int ok;
    if (json_is_null(v) && nullable) {
        norm[0] = '\0';
        ok = 1;
    } else if (!json_is_string(v)) {
        got(d, v, "an RFC 3339 UTC time string");
        ok = 0;
    } else {
        const char *s = NULL;
        ok = check_string(&bb, v, T_TIME, &s);
        if (ok) snprintf(norm, n, "%s", s);
    }
    fgi_arena_free(&scratch);
    return ok;
}

