/* Report rendering: the template filler, the header facts, and the
 * accuracy section in Markdown and JSON. */
#include "experimental/testing/report.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cpu.h"
#include "ops/registry.h"

/* The template, embedded by testing.cmake (generated report_template.c). */
extern const char fgi_report_template_text[];

const char *fgi_report_template(void) { return fgi_report_template_text; }

void fgi_report_free(void *p) { free(p); }

/* ================================================================ vars */

#define KEY_MAX 64

typedef struct var {
    char key[KEY_MAX + 1];
    char *value;
} var;

struct fgi_report_vars {
    var *v;
    size_t n, cap;
};

static const var *find(const fgi_report_vars *vs, const char *key, size_t klen)
{
    for (size_t i = 0; i < vs->n; i++)
        if (strlen(vs->v[i].key) == klen && memcmp(vs->v[i].key, key, klen) == 0) return &vs->v[i];
    return NULL;
}

const char *fgi_report_vars_get(const fgi_report_vars *vars, const char *key)
{
    if (!vars || !key) return NULL;
    const var *v = find(vars, key, strlen(key));
    return v ? v->value : NULL;
}

fg_status fgi_report_vars_set(fgi_report_vars *vars, const char *key, const char *value)
{
    FG_RETURN_IF(!vars || !key, FG_ERR_NULL, "vars or key is NULL");
    size_t kl = strlen(key);
    bool ok = kl > 0 && kl <= KEY_MAX;
    for (size_t i = 0; ok && i < kl; i++) ok = isalnum((unsigned char)key[i]) || key[i] == '_';
    FG_RETURN_IF(!ok, FG_ERR_INVALID_ARG,
                 "report key '%.80s' is not 1..64 characters of [A-Za-z0-9_]", key);
    var *v = (var *)find(vars, key, kl);
    if (!value) {
        if (v) {
            free(v->value);
            *v = vars->v[--vars->n];
        }
        return FG_OK;
    }
    char *copy = strdup(value);
    FG_RETURN_IF(!copy, FG_ERR_NO_MEMORY, "report value of %s", key);
    if (v) {
        free(v->value);
        v->value = copy;
        return FG_OK;
    }
    if (vars->n == vars->cap) {
        size_t cap = vars->cap ? 2 * vars->cap : 32;
        var *nv = realloc(vars->v, cap * sizeof *nv);
        if (!nv) {
            free(copy);
            return FG_ERROR(FG_ERR_NO_MEMORY, "report keys");
        }
        vars->v = nv;
        vars->cap = cap;
    }
    memcpy(vars->v[vars->n].key, key, kl + 1);
    vars->v[vars->n++].value = copy;
    return FG_OK;
}

fg_status fgi_report_vars_setf(fgi_report_vars *vars, const char *key, const char *fmt, ...)
{
    FG_RETURN_IF(!fmt, FG_ERR_NULL, "fmt is NULL");
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    FG_RETURN_IF(n < 0, FG_ERR_NO_MEMORY, "report value of %s", key ? key : "?");
    fg_status st = fgi_report_vars_set(vars, key, s);
    free(s);
    return st;
}

void fgi_report_vars_destroy(fgi_report_vars *vars)
{
    if (!vars) return;
    for (size_t i = 0; i < vars->n; i++) free(vars->v[i].value);
    free(vars->v);
    free(vars);
}

fg_status fgi_report_vars_create(fgi_report_vars **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = calloc(1, sizeof **out);
    FG_RETURN_IF(!*out, FG_ERR_NO_MEMORY, "report keys");
    char machine[256], fp[24], sig[FGI_SIGNATURE_LEN], now[32];
    fgi_machine_describe(machine, sizeof machine);
    fgi_machine_fingerprint(fp, sizeof fp);
    fgi_build_signature(sig, sizeof sig);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *kv[][2] = {{"title", "libflaggems kernel report"},
                           {"machine", machine},
                           {"fingerprint", fp},
                           {"version", fg_version()},
                           {"build_signature", sig},
                           {"generated_at", now}};
    fg_status st = FG_OK;
    for (size_t i = 0; st == FG_OK && i < sizeof kv / sizeof kv[0]; i++)
        st = fgi_report_vars_set(*out, kv[i][0], kv[i][1]);
    if (st != FG_OK) {
        fgi_report_vars_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* ================================================================ filler */

typedef struct filler {
    const char *base; /* template start, for line numbers */
    const fgi_report_vars *vars;
    FILE *f;
} filler;

static int line_of(const filler *fl, const char *p)
{
    int line = 1;
    for (const char *q = fl->base; q < p; q++) line += *q == '\n';
    return line;
}

/* A tag {{...}} in [p, end): its start, its name span and its end. */
typedef struct tag {
    const char *start, *name, *end;
    size_t len;
} tag;

static bool next_tag(const char *p, const char *end, tag *t)
{
    const char *o = NULL;
    for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '{' && q[1] == '{') {
            o = q;
            break;
        }
    if (!o) return false;
    t->start = o;
    t->end = NULL;
    for (const char *q = o + 2; q + 1 < end; q++)
        if (q[0] == '}' && q[1] == '}') {
            t->end = q + 2;
            break;
        }
    const char *a = o + 2, *b = t->end ? t->end - 2 : o + 2;
    while (a < b && *a == ' ') a++;
    while (b > a && b[-1] == ' ') b--;
    t->name = a;
    t->len = (size_t)(b - a);
    return true;
}

/* A section tag alone on its line swallows that line's newline. */
static const char *after_standalone(const filler *fl, const tag *t)
{
    bool at_start = t->start == fl->base || t->start[-1] == '\n';
    return at_start && *t->end == '\n' ? t->end + 1 : t->end;
}

static bool is_on(const filler *fl, const char *key, size_t len)
{
    const var *v = find(fl->vars, key, len);
    return v && v->value[0];
}

static fg_status fill_range(const filler *fl, const char *p, const char *end, int depth)
{
    FG_RETURN_IF(depth > 32, FG_ERR_PARSE, "sections nested more than 32 deep (line %d)",
                 line_of(fl, p));
    tag t;
    while (p < end && next_tag(p, end, &t)) {
        fwrite(p, 1, (size_t)(t.start - p), fl->f);
        FG_RETURN_IF(!t.end, FG_ERR_PARSE, "template line %d: '{{' is never closed",
                     line_of(fl, t.start));
        char kind = t.len ? t.name[0] : 0;
        if (kind == '/')
            return FG_ERROR(FG_ERR_PARSE, "template line %d: {{%.*s}} closes no section",
                            line_of(fl, t.start), (int)t.len, t.name);
        if (kind != '#' && kind != '^') {
            const var *v = find(fl->vars, t.name, t.len);
            FG_RETURN_IF(!v, FG_ERR_NOT_FOUND, "template line %d: {{%.*s}} has no value",
                         line_of(fl, t.start), (int)t.len, t.name);
            fputs(v->value, fl->f);
            p = t.end;
            continue;
        }
        /* a section: find its matching close, counting nested ones of the
         * same key */
        const char *key = t.name + 1;
        size_t klen = t.len - 1;
        const char *body = after_standalone(fl, &t), *q = body;
        int nest = 1;
        tag c;
        while (nest && next_tag(q, end, &c) && c.end) {
            bool same = c.len == klen + 1 && memcmp(c.name + 1, key, klen) == 0;
            if (same && (c.name[0] == '#' || c.name[0] == '^')) nest++;
            if (same && c.name[0] == '/') nest--;
            q = c.end;
        }
        FG_RETURN_IF(nest, FG_ERR_PARSE, "template line %d: section {{%.*s}} is never closed",
                     line_of(fl, t.start), (int)t.len, t.name);
        if (is_on(fl, key, klen) == (kind == '#'))
            FG_FORWARD(fill_range(fl, body, c.start, depth + 1), "section %.*s", (int)klen, key);
        p = after_standalone(fl, &c);
    }
    if (p < end) fwrite(p, 1, (size_t)(end - p), fl->f);
    return FG_OK;
}

fg_status fgi_report_fill(const char *tmpl, const fgi_report_vars *vars, char **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!tmpl || !vars, FG_ERR_NULL, "template or vars is NULL");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FG_RETURN_IF(!f, FG_ERR_NO_MEMORY, "report text");
    filler fl = {tmpl, vars, f};
    fg_status st = fill_range(&fl, tmpl, tmpl + strlen(tmpl), 0);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (st == FG_OK && bad) st = FG_ERROR(FG_ERR_NO_MEMORY, "report text");
    if (st != FG_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    return FG_OK;
}

fg_status fgi_report_markdown(const fgi_report_vars *vars, char **out)
{
    FG_FORWARD(fgi_report_fill(fgi_report_template(), vars, out), "report_template.md");
    return FG_OK;
}

/* ================================================================ JSON */

static const char *const k_header[] = {"title",   "kernel",          "op",          "machine",
                                       "fingerprint", "version", "build_signature",
                                       "generated_at"};

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    if (!s) return NULL;
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

fg_status fgi_report_json(const fgi_report_vars *vars, const fgi_report_section *sections,
                          size_t n_sections, char **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!vars || (n_sections && !sections), FG_ERR_NULL, "vars or sections is NULL");
    json_t *root = json_object(), *head = json_object();
    if (!root || !head || json_object_set_new(root, "report", head)) {
        json_decref(root);
        return FG_ERROR(FG_ERR_NO_MEMORY, "report JSON");
    }
    for (size_t i = 0; i < sizeof k_header / sizeof k_header[0]; i++) {
        const char *v = fgi_report_vars_get(vars, k_header[i]);
        if (v) json_object_set_new(head, k_header[i], json_string(v));
    }
    fg_status st = FG_OK;
    for (size_t i = 0; st == FG_OK && i < n_sections; i++) {
        const fgi_report_section *s = &sections[i];
        if (!s->name || !s->json) {
            st = FG_ERROR(FG_ERR_NULL, "section %zu has a NULL name or json", i);
            break;
        }
        if (strcmp(s->name, "report") == 0 || json_object_get(root, s->name)) {
            st = FG_ERROR(FG_ERR_INVALID_ARG, "section name '%.60s' is reserved or repeated",
                          s->name);
            break;
        }
        json_error_t e;
        json_t *j = json_loads(s->json, 0, &e);
        if (!j || !json_is_object(j)) {
            json_decref(j);
            st = FG_ERROR(FG_ERR_PARSE, "section %.60s: %s (line %d, column %d)", s->name,
                          j ? "not a JSON object" : e.text, e.line, e.column);
            break;
        }
        json_object_set_new(root, s->name, j);
    }
    if (st == FG_OK) {
        *out = dump(root);
        if (!*out) st = FG_ERROR(FG_ERR_NO_MEMORY, "report JSON");
    }
    json_decref(root);
    return st;
}

/* ================================================================ accuracy: JSON */

/* JSON has no NaN or Inf: those become the strings "NaN", "Infinity",
 * "-Infinity". */
static json_t *jnum(double v)
{
    if (isnan(v)) return json_string("NaN");
    if (isinf(v)) return json_string(v > 0 ? "Infinity" : "-Infinity");
    return json_real(v);
}

static json_t *jshape(int ndim, const int64_t *shape)
{
    json_t *a = json_array();
    for (int d = 0; a && d < ndim; d++) json_array_append_new(a, json_integer(shape[d]));
    return a;
}

static json_t *case_json(const fgi_acc_case *k, size_t index)
{
    const fgi_acc_config *c = &k->config;
    char desc[256], shape[160];
    fgi_acc_config_describe(c, desc, sizeof desc);
    fgi_acc_shape_string(c, shape, sizeof shape);
    json_t *attrs = json_object();
    if (c->op == FGI_OP_add) json_object_set_new(attrs, "alpha", jnum(c->alpha));
    if (c->op == FGI_OP_gelu)
        json_object_set_new(attrs, "approximate", json_string(c->approx ? "tanh" : "none"));
    if (c->op == FGI_OP_sum || c->op == FGI_OP_mean || c->op == FGI_OP_amax ||
        c->op == FGI_OP_softmax)
        json_object_set_new(attrs, "dim", c->dim == FG_DIM_ALL ? json_string("all")
                                                                : json_integer(c->dim));
    if (c->op == FGI_OP_sum || c->op == FGI_OP_mean || c->op == FGI_OP_amax)
        json_object_set_new(attrs, "keepdim", json_boolean(c->keepdim));
    if (c->op == FGI_OP_layer_norm || c->op == FGI_OP_rms_norm) {
        json_object_set_new(attrs, "eps", jnum(c->eps));
        json_object_set_new(attrs, "weight", json_boolean(c->weight));
        if (c->op == FGI_OP_layer_norm) json_object_set_new(attrs, "bias", json_boolean(c->bias));
    }
    json_object_set_new(attrs, "layout", json_string(fgi_acc_layout_name(c->layout)));
    json_object_set_new(attrs, "specials", json_boolean(c->specials));
    json_t *j = json_object();
    json_object_set_new(j, "index", json_integer((json_int_t)index));
    json_object_set_new(j, "description", json_string(desc));
    json_object_set_new(j, "source", json_string(c->source ? c->source : ""));
    json_object_set_new(j, "dtype", json_string(fgi_dtype_name(c->dtype)));
    json_object_set_new(j, "device", json_string(c->device == kDLCUDA ? "cuda" : "cpu"));
    json_object_set_new(j, "shape", json_string(shape));
    json_t *shapes = json_array();
    json_array_append_new(shapes, jshape(c->ndim, c->shape));
    if (c->op == FGI_OP_add || c->op == FGI_OP_mul || c->op == FGI_OP_mm || c->op == FGI_OP_bmm)
        json_array_append_new(shapes, jshape(c->ndim_b, c->shape_b));
    json_object_set_new(j, "input_shapes", shapes);
    json_object_set_new(j, "attributes", attrs);
    json_object_set_new(j, "result", json_string(fgi_acc_outcome_name(k->outcome)));
    json_object_set_new(j, "status", json_string(fg_status_name(k->status)));
    json_object_set_new(j, "message", json_string(k->message));
    if (k->outcome != FGI_ACC_SKIP) {
        json_object_set_new(j, "atol", jnum(k->atol));
        json_object_set_new(j, "rtol", jnum(k->rtol));
        json_object_set_new(j, "checked", json_integer(k->checked));
        json_object_set_new(j, "mismatches", json_integer(k->mismatches));
        json_object_set_new(j, "nan_mismatches", json_integer(k->nan_mismatches));
        json_object_set_new(j, "inf_mismatches", json_integer(k->inf_mismatches));
        json_object_set_new(j, "unwritten", json_integer(k->unwritten));
        json_object_set_new(j, "written_outside", json_integer(k->written_outside));
        json_object_set_new(j, "inputs_modified", json_boolean(k->inputs_modified));
        json_object_set_new(j, "max_abs_error", jnum(k->max_abs_error));
        json_object_set_new(j, "max_rel_error", jnum(k->max_rel_error));
        json_object_set_new(j, "worst_ratio", jnum(k->worst_ratio));
        json_t *w = json_null();
        if (k->worst_index >= 0) {
            w = json_object();
            json_object_set_new(w, "index", json_integer(k->worst_index));
            json_object_set_new(w, "output", jnum(k->worst_out));
            json_object_set_new(w, "reference", jnum(k->worst_ref));
        }
        json_object_set_new(j, "worst", w);
    }
    return j;
}

static json_t *accuracy_json(const fgi_acc_report *r, fg_status *st)
{
    fgi_meta_coverage *cov = NULL;
    size_t ncov = 0;
    *st = fgi_acc_coverage(r, &cov, &ncov);
    if (*st != FG_OK) return NULL;
    json_t *j = json_object();
    json_object_set_new(j, "kernel", json_string(r->kernel));
    json_object_set_new(j, "op", json_string(r->op));
    json_object_set_new(j, "reference", json_string(r->reference));
    json_object_set_new(j, "device", json_string(r->device));
    /* JSON integers are signed 64-bit in most readers: larger seeds as text */
    char seed[24];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->seed);
    json_object_set_new(j, "seed", r->seed <= INT64_MAX ? json_integer((json_int_t)r->seed)
                                                         : json_string(seed));
    json_object_set_new(j, "run_time", json_string(r->run_time));
    json_object_set_new(j, "seconds", jnum(r->seconds));
    json_object_set_new(j, "passed", json_boolean(r->ok));
    json_object_set_new(j, "test_cases", json_integer(r->passed + r->failed));
    json_object_set_new(j, "cases_passed", json_integer(r->passed));
    json_object_set_new(j, "cases_failed", json_integer(r->failed));
    json_object_set_new(j, "cases_skipped", json_integer(r->skipped));
    json_t *tol = json_object(), *per = json_object(), *covj = json_object();
    for (int d = FGI_F32; d <= FGI_BF16; d++) {
        const char *name = fgi_dtype_name((fgi_dtype)d);
        json_t *t = json_object();
        json_object_set_new(t, "atol", jnum(r->tolerance.dtype[d].atol));
        json_object_set_new(t, "rtol", jnum(r->tolerance.dtype[d].rtol));
        json_object_set_new(tol, name, t);
        const fgi_acc_dtype_summary *s = &r->dtypes[d];
        if (!s->cases) continue;
        json_t *p = json_object();
        json_object_set_new(p, "cases", json_integer(s->cases));
        json_object_set_new(p, "passed", json_integer(s->passed));
        json_object_set_new(p, "failed", json_integer(s->failed));
        json_object_set_new(p, "skipped", json_integer(s->skipped));
        json_object_set_new(p, "max_abs_error", jnum(s->max_abs_error));
        json_object_set_new(p, "max_rel_error", jnum(s->max_rel_error));
        json_object_set_new(p, "worst_ratio", jnum(s->worst_ratio));
        json_object_set_new(per, name, p);
    }
    for (size_t i = 0; i < ncov; i++) {
        json_t *a = json_array();
        for (size_t m = 0; m < cov[i].n_shapes; m++)
            json_array_append_new(a, json_string(cov[i].shapes[m]));
        json_object_set_new(covj, cov[i].dtype, a);
    }
    free(cov);
    json_object_set_new(j, "tolerance", tol);
    json_object_set_new(j, "per_dtype", per);
    json_object_set_new(j, "coverage", covj);
    json_t *cases = json_array();
    for (size_t i = 0; i < r->n_cases; i++) json_array_append_new(cases, case_json(&r->cases[i], i));
    json_object_set_new(j, "cases", cases);
    return j;
}

fg_status fgi_report_accuracy_json(const fgi_acc_report *report, char **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!report, FG_ERR_NULL, "report is NULL");
    fg_status st;
    json_t *j = accuracy_json(report, &st);
    if (!j) return st;
    *out = dump(j);
    json_decref(j);
    FG_RETURN_IF(!*out, FG_ERR_NO_MEMORY, "accuracy JSON");
    return FG_OK;
}

/* ================================================================ accuracy: Markdown */

/* Text for a Markdown table cell or list item: | * _ ` escaped, newlines
 * as spaces. */
static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (strchr("|*_`\\<", *s)) fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void md_num(FILE *f, double v)
{
    if (isnan(v)) fputs("NaN", f);
    else if (isinf(v)) fputs(v > 0 ? "Inf" : "-Inf", f);
    else fprintf(f, "%.3g", v);
}

typedef enum md_part { MD_TOL, MD_DTYPES, MD_FAILURES, MD_COVERAGE, MD_CASES } md_part;

static void md_render(FILE *f, const fgi_acc_report *r, md_part part, const fgi_meta_coverage *cov,
                      size_t ncov)
{
    switch (part) {
    case MD_TOL:
        fputs("| dtype | atol | rtol |\n|---|---|---|\n", f);
        for (int d = FGI_F32; d <= FGI_BF16; d++)
            fprintf(f, "| %s | %g | %g |\n", fgi_dtype_name((fgi_dtype)d),
                    r->tolerance.dtype[d].atol, r->tolerance.dtype[d].rtol);
        break;
    case MD_DTYPES:
        fputs("| dtype | configurations | passed | failed | skipped | max abs error | "
              "max rel error | worst error / bound |\n|---|---|---|---|---|---|---|---|\n", f);
        for (int d = FGI_F32; d <= FGI_BF16; d++) {
            const fgi_acc_dtype_summary *s = &r->dtypes[d];
            if (!s->cases) continue;
            fprintf(f, "| %s | %lld | %lld | %lld | %lld | ", fgi_dtype_name((fgi_dtype)d),
                    (long long)s->cases, (long long)s->passed, (long long)s->failed,
                    (long long)s->skipped);
            md_num(f, s->max_abs_error);
            fputs(" | ", f);
            md_num(f, s->max_rel_error);
            fputs(" | ", f);
            md_num(f, s->worst_ratio);
            fputs(" |\n", f);
        }
        break;
    case MD_FAILURES:
        for (size_t i = 0; i < r->n_cases; i++) {
            const fgi_acc_case *k = &r->cases[i];
            if (k->outcome != FGI_ACC_FAIL) continue;
            char d[256];
            fgi_acc_config_describe(&k->config, d, sizeof d);
            fprintf(f, "- case %zu, ", i);
            md_text(f, d);
            fputs(": ", f);
            md_text(f, k->message);
            fputc('\n', f);
        }
        break;
    case MD_COVERAGE:
        for (size_t i = 0; i < ncov; i++) {
            fprintf(f, "- %s (%zu shapes): ", cov[i].dtype, cov[i].n_shapes);
            for (size_t m = 0; m < cov[i].n_shapes; m++)
                fprintf(f, "%s`%s`", m ? ", " : "", cov[i].shapes[m]);
            fputc('\n', f);
        }
        if (!ncov) fputs("No configuration ran.\n", f);
        break;
    case MD_CASES:
        fputs("| # | configuration | from | result | max abs error | max rel error | "
              "error / bound | wrong elements |\n|---|---|---|---|---|---|---|---|\n", f);
        for (size_t i = 0; i < r->n_cases; i++) {
            const fgi_acc_case *k = &r->cases[i];
            char d[256];
            fgi_acc_config_describe(&k->config, d, sizeof d);
            fprintf(f, "| %zu | ", i);
            md_text(f, d);
            fputs(" | ", f);
            md_text(f, k->config.source ? k->config.source : "");
            fprintf(f, " | %s | ", fgi_acc_outcome_name(k->outcome));
            if (k->outcome == FGI_ACC_SKIP) {
                fputs("- | - | - | - |\n", f);
                continue;
            }
            md_num(f, k->max_abs_error);
            fputs(" | ", f);
            md_num(f, k->max_rel_error);
            fputs(" | ", f);
            md_num(f, k->worst_ratio);
            fprintf(f, " | %lld of %lld |\n", (long long)k->mismatches, (long long)k->checked);
        }
        break;
    }
}

/* Renders one part into a string and sets it as `key` ("" when empty). */
static fg_status set_part(fgi_report_vars *v, const char *key, const fgi_acc_report *r,
                          md_part part, const fgi_meta_coverage *cov, size_t ncov)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FG_RETURN_IF(!f, FG_ERR_NO_MEMORY, "report text");
    md_render(f, r, part, cov, ncov);
    bool bad = ferror(f) != 0;
    fclose(f);
    /* the template supplies the line break after each part */
    while (len && buf[len - 1] == '\n') buf[--len] = '\0';
    fg_status st = bad ? FG_ERROR(FG_ERR_NO_MEMORY, "report text") : fgi_report_vars_set(v, key, buf);
    free(buf);
    return st;
}

fg_status fgi_report_add_accuracy(fgi_report_vars *vars, const fgi_acc_report *r)
{
    FG_RETURN_IF(!vars || !r, FG_ERR_NULL, "vars or report is NULL");
    fgi_meta_coverage *cov;
    size_t ncov;
    FG_FORWARD(fgi_acc_coverage(r, &cov, &ncov), "accuracy report");
    fg_status st = FG_OK;
    if (!fgi_report_vars_get(vars, "kernel")) st = fgi_report_vars_set(vars, "kernel", r->kernel);
    if (st == FG_OK && !fgi_report_vars_get(vars, "op")) st = fgi_report_vars_set(vars, "op", r->op);
    int64_t cases = r->passed + r->failed;
    if (st == FG_OK) st = fgi_report_vars_set(vars, "accuracy", "yes");
    if (st == FG_OK) {
        if (r->ok)
            st = fgi_report_vars_setf(vars, "accuracy_verdict",
                                      "**PASSED**: all %lld test cases within tolerance.",
                                      (long long)cases);
        else if (cases == 0)
            st = fgi_report_vars_set(vars, "accuracy_verdict",
                                     "**FAILED**: the kernel took none of the configurations.");
        else
            st = fgi_report_vars_setf(vars, "accuracy_verdict",
                                      "**FAILED**: %lld of %lld test cases outside tolerance or "
                                      "broken.",
                                      (long long)r->failed, (long long)cases);
    }
    if (st == FG_OK) st = fgi_report_vars_set(vars, "accuracy_reference", r->reference);
    if (st == FG_OK)
        st = fgi_report_vars_setf(vars, "accuracy_seed", "%llu", (unsigned long long)r->seed);
    if (st == FG_OK) st = fgi_report_vars_setf(vars, "accuracy_test_cases", "%lld", (long long)cases);
    if (st == FG_OK) st = fgi_report_vars_setf(vars, "accuracy_passed", "%lld", (long long)r->passed);
    if (st == FG_OK) st = fgi_report_vars_setf(vars, "accuracy_failed", "%lld", (long long)r->failed);
    if (st == FG_OK)
        st = fgi_report_vars_setf(vars, "accuracy_skipped", "%lld", (long long)r->skipped);
    if (st == FG_OK) st = fgi_report_vars_setf(vars, "accuracy_seconds", "%.2f", r->seconds);
    static const struct {
        const char *key;
        md_part part;
    } parts[] = {{"accuracy_tolerances", MD_TOL},
                 {"accuracy_dtypes", MD_DTYPES},
                 {"accuracy_failures", MD_FAILURES},
                 {"accuracy_coverage", MD_COVERAGE},
                 {"accuracy_cases", MD_CASES}};
    for (size_t i = 0; st == FG_OK && i < sizeof parts / sizeof parts[0]; i++)
        st = set_part(vars, parts[i].key, r, parts[i].part, cov, ncov);
    free(cov);
    return st;
}

/* ================================================================ performance */

fg_status fgi_report_add_performance(fgi_report_vars *vars, const fgi_perf_report *r)
{
    FG_RETURN_IF(!vars || !r, FG_ERR_NULL, "vars or report is NULL");
    char *md = NULL;
    FG_FORWARD(fgi_perf_render_markdown(r, &md), "performance report");
    /* the template supplies the line break after the section */
    size_t len = strlen(md);
    while (len && md[len - 1] == '\n') md[--len] = '\0';
    const fgi_kernel *k = r->cands[0];
    fg_status st = fgi_report_vars_set(vars, "performance_section", md);
    free(md);
    if (st == FG_OK) st = fgi_report_vars_set(vars, "performance", "yes");
    if (st == FG_OK && !fgi_report_vars_get(vars, "kernel")) st = fgi_report_vars_set(vars, "kernel", k->id);
    if (st == FG_OK && !fgi_report_vars_get(vars, "op"))
        st = fgi_report_vars_set(vars, "op", fgi_op_name(k->op));
    return st;
}

/* ================================================================ whole documents */

/* A map with the header keys and the document's title, for one kernel. */
static fg_status doc_vars(const fgi_acc_report *acc, const fgi_perf_report *perf, char **out,
                          fgi_report_vars **v)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!acc && !perf, FG_ERR_NULL, "neither an accuracy nor a performance report");
    const char *kernel = acc ? acc->kernel : perf->cands[0]->id;
    FG_RETURN_IF(acc && perf && strcmp(acc->kernel, perf->cands[0]->id) != 0, FG_ERR_INVALID_ARG,
                 "the accuracy report is on %s, the performance report on %s", acc->kernel,
                 perf->cands[0]->id);
    FG_FORWARD(fgi_report_vars_create(v), "kernel report");
    fg_status st = fgi_report_vars_setf(*v, "title", "%s report: %s",
                                        !perf ? "Accuracy" : !acc ? "Performance" : "Kernel", kernel);
    if (st != FG_OK) fgi_report_vars_destroy(*v);
    return st;
}

fg_status fgi_report_kernel_markdown(const fgi_acc_report *accuracy, const fgi_perf_report *performance,
                                     char **out)
{
    fgi_report_vars *v;
    FG_FORWARD(doc_vars(accuracy, performance, out, &v), "kernel report");
    fg_status st = FG_OK;
    if (accuracy) st = fgi_report_add_accuracy(v, accuracy);
    if (st == FG_OK && performance) st = fgi_report_add_performance(v, performance);
    if (st == FG_OK) st = fgi_report_markdown(v, out);
    fgi_report_vars_destroy(v);
    return st;
}

fg_status fgi_report_kernel_json(const fgi_acc_report *accuracy, const fgi_perf_report *performance,
                                 char **out)
{
    fgi_report_vars *v;
    FG_FORWARD(doc_vars(accuracy, performance, out, &v), "kernel report");
    char *acc = NULL, *perf = NULL;
    fgi_report_section secs[2];
    size_t n = 0;
    const fgi_kernel *k = performance ? performance->cands[0] : NULL;
    fg_status st = fgi_report_vars_set(v, "kernel", accuracy ? accuracy->kernel : k->id);
    if (st == FG_OK) st = fgi_report_vars_set(v, "op", accuracy ? accuracy->op : fgi_op_name(k->op));
    if (st == FG_OK && accuracy && (st = fgi_report_accuracy_json(accuracy, &acc)) == FG_OK)
        secs[n++] = (fgi_report_section){"accuracy", acc};
    if (st == FG_OK && performance && (st = fgi_perf_render_json(performance, &perf)) == FG_OK)
        secs[n++] = (fgi_report_section){"performance", perf};
    if (st == FG_OK) st = fgi_report_json(v, secs, n, out);
    free(acc);
    free(perf);
    fgi_report_vars_destroy(v);
    return st;
}
