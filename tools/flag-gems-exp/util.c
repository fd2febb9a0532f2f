/* flag-gems-exp: argument access, errors, metadata opening, tables, JSON,
 * progress and atomic files (see cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef FGX_HAVE_GRADUATION
#include "experimental/graduation/graduation.h"
#endif
#ifdef FGX_HAVE_EMBEDDED_METADATA
#include "experimental/meta_runtime.h"
#endif

/* ---------------------------------------------------------------- args */

const char *cli_opt(const cli_args *a, const char *name)
{
    for (int i = a->nopt - 1; i >= 0; i--)
        if (strcmp(a->opt[i].name, name) == 0) return a->opt[i].value;
    return NULL;
}

int cli_flag(const cli_args *a, const char *name)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt[i].name, name) == 0) return 1;
    return 0;
}

const char *cli_opt_nth(const cli_args *a, const char *name, int n)
{
    for (int i = 0; i < a->nopt; i++)
        if (strcmp(a->opt[i].name, name) == 0 && n-- == 0) return a->opt[i].value;
    return NULL;
}

/* ---------------------------------------------------------------- errors */

static void vreport(const cli_ctx *ctx, const char *hint, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One line, whatever the message held. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    if (ctx && ctx->cmd && ctx->cmd[0])
        fprintf(stderr, "flag-gems-exp %s: %s", ctx->cmd, msg);
    else
        fprintf(stderr, "flag-gems-exp: %s", msg);
    if (hint) fprintf(stderr, " (hint: %s)", hint);
    fputc('\n', stderr);
}

int cli_usage(const cli_ctx *ctx, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, hint, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const cli_ctx *ctx, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctx, hint, fmt, ap);
    va_end(ap);
    return CLI_FAIL;
}

int cli_lib_error(const cli_ctx *ctx, fg_status st, int usage_on_arg, const char *hint,
                  const char *what)
{
    const char *msg = fg_last_error();
    int usage = usage_on_arg && (st == FG_ERR_INVALID_ARG || st == FG_ERR_NOT_FOUND);
    return (usage ? cli_usage : cli_fail)(ctx, hint, "%s: %s", what,
                                          msg && msg[0] ? msg : fg_status_string(st));
}

void cli_warn(const cli_ctx *ctx, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    fprintf(stderr, "flag-gems-exp %s: warning: %s\n", ctx->cmd, msg);
}

/* ---------------------------------------------------------------- metadata */

int cli_open_metadata(const cli_ctx *ctx, int write, int manual, fgi_meta_store **out)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, 0, NULL};
    o.flags = write ? FGI_META_CREATE | (manual ? FGI_META_MANUAL_SAVE : 0u) : FGI_META_READONLY;
    fg_status st = fgi_meta_open(ctx->metadata, &o, out);
#ifdef FGX_HAVE_EMBEDDED_METADATA
    /* Reading, with no file named and none at the default place (an
     * installed tool): the copy built into the library. */
    if (st == FG_ERR_NOT_FOUND && !write && !ctx->metadata_given)
        st = fgi_meta_open_buffer(fgi_meta_embedded, strlen(fgi_meta_embedded), &o,
                                  "the library's embedded _metadata.json", out);
#endif
    if (st == FG_ERR_NOT_FOUND)
        return cli_usage(ctx, "pass --metadata FILE, or create one with 'flag-gems-exp import-flaggems'",
                         "metadata file '%s' does not exist", ctx->metadata);
    if (st != FG_OK) return cli_lib_error(ctx, st, 0, "check the file, or pass --metadata FILE",
                                          "cannot open the metadata");
    const char *rep = fgi_meta_open_report(*out);
    if (rep && rep[0]) cli_warn(ctx, "%s", rep);
#ifdef FGX_HAVE_GRADUATION
    /* info and report judge graduation as check-graduation does. */
    static fgi_grad_policy holder;
    fgi_grad_install(*out, NULL, &holder);
#endif
    return CLI_OK;
}

fg_status cli_match(fgi_meta_store *store, const char *name, cli_matches *m)
{
    memset(m, 0, sizeof *m);
    fg_status st = fgi_meta_get_op(store, name, &m->one);
    if (st == FG_OK) {
        m->list.ops = &m->one;
        m->list.count = 1;
        return FG_OK;
    }
    if (st != FG_ERR_NOT_FOUND) return st;
    fgi_meta_filter f;
    memset(&f, 0, sizeof f);
    f.op_name = name;
    return fgi_meta_query_ops(store, &f, &m->list);
}

void cli_matches_release(cli_matches *m)
{
    if (m->one) fgi_meta_op_release(m->one);
    else fgi_meta_op_list_release(&m->list);
    memset(m, 0, sizeof *m);
}

static void upper(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) buf[i] = (char)toupper((unsigned char)s[i]);
    buf[i] = '\0';
}

int cli_parse_status(const char *s, fgi_meta_status *out)
{
    char buf[64];
    upper(s, buf, sizeof buf);
    return fgi_meta_status_parse(buf, out) == FG_OK ? 0 : -1;
}

int cli_parse_category(const char *s, fgi_meta_category *out)
{
    char buf[64];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof buf; i++) buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
    return fgi_meta_category_parse(buf, out) == FG_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- output */

static char *dup_or_null(const char *s, int *oom)
{
    char *d = strdup(s ? s : "-");
    if (!d) *oom = 1;
    return d;
}

static void table_grow(cli_table *t)
{
    if (t->nrows < t->cap) return;
    size_t cap = t->cap ? t->cap * 2 : 16;
    char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
    if (!c) {
        t->oom = 1;
        return;
    }
    t->cells = c;
    t->cap = cap;
}

void cli_table_init(cli_table *t, int ncols, const char *const *heads)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    cli_table_row(t, heads);
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    table_grow(t);
    if (t->oom) return;
    for (int c = 0; c < t->ncols; c++)
        t->cells[t->nrows * (size_t)t->ncols + (size_t)c] = dup_or_null(cells[c], &t->oom);
    t->nrows++;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void cli_table_print(const cli_table *t, cli_format f, FILE *out)
{
    if (t->oom) {
        fputs("(out of memory)\n", out);
        return;
    }
    size_t w[32] = {0};
    for (size_t r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols && c < 32; c++) {
            size_t n = width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (n > w[c]) w[c] = n;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
            if (f == CLI_MD) {
                fputs(c ? " " : "| ", out);
                for (const char *p = s; *p; p++) {
                    if (*p == '|') fputc('\\', out);
                    fputc(*p, out);
                }
                fputs(" |", out);
            } else {
                int last = c == t->ncols - 1;
                fputs(s, out);
                if (!last)
                    for (size_t k = width(s); k < w[c] + 2; k++) fputc(' ', out);
            }
        }
        fputc('\n', out);
        if (r == 0) {
            for (int c = 0; c < t->ncols; c++) {
                if (f == CLI_MD) {
                    fputs(c ? "---|" : "|---|", out);
                } else {
                    for (size_t k = 0; k < w[c]; k++) fputc('-', out);
                    if (c < t->ncols - 1) fputs("  ", out);
                }
            }
            fputc('\n', out);
        }
    }
}

void cli_table_free(cli_table *t)
{
    if (t->cells)
        for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

void cli_print_json(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6)) : NULL;
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
    } else {
        fputs("{}\n", stdout);
    }
    free(s);
    json_decref(v);
}

char *cli_strf(const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return s;
}

const char *cli_speedup(double v, char *buf, size_t size)
{
    if (!(v > 0) || !isfinite(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.2fx", v);
    return buf;
}

/* ---------------------------------------------------------------- progress */

void cli_progress(const cli_ctx *ctx, size_t done, size_t total, const char *label)
{
    if (!ctx->err_tty || total == 0) return;
    enum { W = 30 };
    size_t fill = done * W / total;
    char bar[W + 1];
    for (size_t i = 0; i < W; i++) bar[i] = i < fill ? '#' : '.';
    bar[W] = '\0';
    fprintf(stderr, "\r\033[K[%s] %zu/%zu %.40s", bar, done, total, label ? label : "");
    if (done >= total) fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* ---------------------------------------------------------------- files */

int cli_read_file(const char *path, size_t max, char **data, size_t *len, char *why,
                  size_t why_size)
{
    *data = NULL;
    if (len) *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "%s", strerror(errno));
        return -1;
    }
    struct stat sb;
    const char *bad = fstat(fd, &sb) < 0  ? strerror(errno)
                      : S_ISDIR(sb.st_mode) ? "is a directory"
                      : !S_ISREG(sb.st_mode) ? "not a regular file"
                                             : NULL;
    if (bad) {
        snprintf(why, why_size, "%s", bad);
        close(fd);
        return -1;
    }
    if ((size_t)sb.st_size > max) {
        snprintf(why, why_size, "larger than %zu bytes", max);
        close(fd);
        return -1;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != (size_t)sb.st_size) {
        snprintf(why, why_size, "%s", buf ? "short read" : "out of memory");
        free(buf);
        return -1;
    }
    buf[got] = '\0';
    *data = buf;
    if (len) *len = got;
    return 0;
}

int cli_write_file(const char *path, const char *data, size_t len, char *why, size_t why_size)
{
    char tmp[4096], dir[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        snprintf(why, why_size, "path too long");
        return -1;
    }
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");

    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(why, why_size, "cannot create '%s': %s", tmp, strerror(errno));
        return -1;
    }
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, data + put, len - put);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        put += (size_t)n;
    }
    int err = put < len ? errno : 0;
    if (!err && fsync(fd) < 0) err = errno;
    if (close(fd) < 0 && !err) err = errno;
    if (!err && rename(tmp, path) < 0) err = errno;
    if (err) {
        unlink(tmp);
        snprintf(why, why_size, "cannot write '%s': %s", path, strerror(err));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int cli_write_report_pair(const cli_ctx *ctx, const char *dir, const char *kid, const char *suffix,
                          const char *md, const char *json)
{
    const char *texts[2] = {md, json};
    const char *exts[2] = {"md", "json"};
    for (int i = 0; i < 2; i++) {
        if (!texts[i]) continue;
        char path[4096], why[512];
        snprintf(path, sizeof path, "%s/%s%s.%s", dir, kid, suffix, exts[i]);
        if (cli_write_file(path, texts[i], strlen(texts[i]), why, sizeof why) < 0)
            return cli_fail(ctx, "check that the folder exists and is writable", "%s", why);
    }
    return CLI_OK;
}
