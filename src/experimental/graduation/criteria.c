/* Graduation criteria (seed §3.1): five checks, each with passed, a score
 * in [0, 1], details and recommendations; their weighted sum; the policy
 * that sets thresholds and weights. Partial credit is defined in
 * docs/experimental/graduation_guide.md ("Scores"). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "experimental/graduation/graduation.h"

/* Sums of weights and the pass mark are compared with this slack, so that
 * 0.2 + 0.3 + 0.25 + 0.1 counts as 0.85. */
#define EPS 1e-9

static const char *const crit_names[FGI_GRAD_N_CRITERIA] = {"stable_period", "accuracy", "performance",
                                                            "multi_hardware", "code_quality"};

const char *fgi_grad_criterion_name(fgi_grad_criterion c)
{
    return (unsigned)c < FGI_GRAD_N_CRITERIA ? crit_names[c] : "?";
}

static int crit_index(const char *name)
{
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++)
        if (strcmp(crit_names[i], name) == 0) return i;
    return -1;
}

void fgi_grad_policy_default(fgi_grad_policy *out)
{
    memset(out, 0, sizeof *out);
    out->stable_period_versions = 2;
    out->min_test_shapes = 20;
    out->min_hardware = 2;
    out->hardware_by_vendor = 1;
    out->min_speedup = 0.8;
    out->require_code_review = 1;
    out->require_documentation = 1;
    const double w[FGI_GRAD_N_CRITERIA] = {0.20, 0.30, 0.25, 0.15, 0.10};
    memcpy(out->weights, w, sizeof w);
    out->pass_score = 0.85;
    out->blocking = 1u << FGI_GRAD_ACCURACY;
}

fg_status fgi_grad_policy_check(const fgi_grad_policy *p)
{
    FG_RETURN_IF(!p, FG_ERR_NULL, "policy is NULL");
    FG_RETURN_IF(p->stable_period_versions < 0 || p->stable_period_versions > 1000, FG_ERR_INVALID_ARG,
                 "thresholds.stable_period_versions: expected an integer in 0..1000, got %d",
                 p->stable_period_versions);
    FG_RETURN_IF(p->min_test_shapes < 0 || p->min_test_shapes > 1000000, FG_ERR_INVALID_ARG,
                 "thresholds.min_test_shapes: expected an integer in 0..1000000, got %d", p->min_test_shapes);
    FG_RETURN_IF(p->min_hardware < 0 || p->min_hardware > 1000, FG_ERR_INVALID_ARG,
                 "thresholds.min_hardware_platforms: expected an integer in 0..1000, got %d", p->min_hardware);
    FG_RETURN_IF(!(p->min_speedup > 0 && p->min_speedup <= 1000), FG_ERR_INVALID_ARG,
                 "thresholds.min_speedup: expected a number in (0, 1000], got %g", p->min_speedup);
    FG_RETURN_IF(p->n_required_platforms < 0 || p->n_required_platforms > FGI_GRAD_MAX_REQUIRED_PLATFORMS,
                 FG_ERR_INVALID_ARG, "thresholds.required_platforms: at most %d entries",
                 FGI_GRAD_MAX_REQUIRED_PLATFORMS);
    for (int i = 0; i < p->n_required_platforms; i++)
        FG_RETURN_IF(!p->required_platforms[i][0], FG_ERR_INVALID_ARG,
                     "thresholds.required_platforms[%d]: empty name", i);
    double sum = 0;
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) {
        FG_RETURN_IF(!(p->weights[i] >= 0 && p->weights[i] <= 1), FG_ERR_INVALID_ARG,
                     "weights.%s: expected a number in [0, 1], got %g", crit_names[i], p->weights[i]);
        sum += p->weights[i];
    }
    FG_RETURN_IF(fabs(sum - 1.0) > 1e-6, FG_ERR_INVALID_ARG,
                 "weights: must sum to 1, got %.6g (stable_period %g + accuracy %g + performance %g + "
                 "multi_hardware %g + code_quality %g)",
                 sum, p->weights[0], p->weights[1], p->weights[2], p->weights[3], p->weights[4]);
    FG_RETURN_IF(!(p->pass_score > 0 && p->pass_score <= 1), FG_ERR_INVALID_ARG,
                 "pass_score: expected a number in (0, 1], got %g", p->pass_score);
    FG_RETURN_IF(p->blocking >> FGI_GRAD_N_CRITERIA, FG_ERR_INVALID_ARG,
                 "blocking_criteria: unknown criterion bits 0x%x", p->blocking);
    return FG_OK;
}

/* ---------------------------------------------------------------- policy file */

typedef struct pctx {
    const char *name;
    fgi_grad_policy *p;
} pctx;

static fg_status unknown_keys(const pctx *c, const json_t *obj, const char *where,
                              const char *const *allowed, size_t n)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (i < n && strcmp(key, allowed[i]) != 0) i++;
        if (i == n) {
            char list[512] = "";
            size_t len = 0;
            for (size_t j = 0; j < n && len < sizeof list; j++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "", allowed[j]);
            return FG_ERROR(FG_ERR_INVALID_ARG, "%s: %s%s%s: unknown key (allowed: %s)", c->name, where,
                            *where ? "." : "", key, list);
        }
    }
    return FG_OK;
}

static fg_status get_int(const pctx *c, const json_t *obj, const char *path, const char *key, int lo,
                         int hi, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FG_OK;
    FG_RETURN_IF(!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi,
                 FG_ERR_INVALID_ARG, "%s: %s.%s: expected an integer in %d..%d", c->name, path, key, lo, hi);
    *out = (int)json_integer_value(v);
    return FG_OK;
}

static fg_status get_num(const pctx *c, const json_t *obj, const char *path, const char *key, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FG_OK;
    FG_RETURN_IF(!json_is_number(v), FG_ERR_INVALID_ARG, "%s: %s%s%s: expected a number", c->name, path,
                 *path ? "." : "", key);
    *out = json_number_value(v);
    return FG_OK;
}

static fg_status get_bool(const pctx *c, const json_t *obj, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FG_OK;
    FG_RETURN_IF(!json_is_boolean(v), FG_ERR_INVALID_ARG, "%s: thresholds.%s: expected true or false",
                 c->name, key);
    *out = json_is_true(v);
    return FG_OK;
}

static fg_status parse_thresholds(const pctx *c, const json_t *t)
{
    static const char *const keys[] = {"stable_period_versions", "min_test_shapes", "min_hardware_platforms",
                                       "hardware_count_by", "required_platforms", "min_speedup",
                                       "require_code_review", "require_documentation"};
    fgi_grad_policy *p = c->p;
    FG_RETURN_IF(!json_is_object(t), FG_ERR_INVALID_ARG, "%s: thresholds: expected an object", c->name);
    FG_FORWARD(unknown_keys(c, t, "thresholds", keys, sizeof keys / sizeof keys[0]), "policy");
    FG_FORWARD(get_int(c, t, "thresholds", "stable_period_versions", 0, 1000, &p->stable_period_versions),
               "policy");
    FG_FORWARD(get_int(c, t, "thresholds", "min_test_shapes", 0, 1000000, &p->min_test_shapes), "policy");
    FG_FORWARD(get_int(c, t, "thresholds", "min_hardware_platforms", 0, 1000, &p->min_hardware), "policy");
    FG_FORWARD(get_num(c, t, "thresholds", "min_speedup", &p->min_speedup), "policy");
    FG_FORWARD(get_bool(c, t, "require_code_review", &p->require_code_review), "policy");
    FG_FORWARD(get_bool(c, t, "require_documentation", &p->require_documentation), "policy");
    json_t *by = json_object_get(t, "hardware_count_by");
    if (by) {
        const char *s = json_string_value(by);
        FG_RETURN_IF(!s || (strcmp(s, "vendor") != 0 && strcmp(s, "device") != 0), FG_ERR_INVALID_ARG,
                     "%s: thresholds.hardware_count_by: expected \"vendor\" or \"device\"", c->name);
        p->hardware_by_vendor = strcmp(s, "vendor") == 0;
    }
    json_t *req = json_object_get(t, "required_platforms");
    if (req) {
        FG_RETURN_IF(!json_is_array(req) || json_array_size(req) > FGI_GRAD_MAX_REQUIRED_PLATFORMS,
                     FG_ERR_INVALID_ARG, "%s: thresholds.required_platforms: expected an array of at most %d "
                     "names", c->name, FGI_GRAD_MAX_REQUIRED_PLATFORMS);
        size_t i;
        json_t *e;
        json_array_foreach(req, i, e) {
            const char *s = json_string_value(e);
            FG_RETURN_IF(!s || !*s || strlen(s) >= sizeof p->required_platforms[0], FG_ERR_INVALID_ARG,
                         "%s: thresholds.required_platforms[%zu]: expected a name of 1..%zu bytes", c->name, i,
                         sizeof p->required_platforms[0] - 1);
            snprintf(p->required_platforms[i], sizeof p->required_platforms[i], "%s", s);
        }
        p->n_required_platforms = (int)json_array_size(req);
    }
    return FG_OK;
}

static fg_status parse_policy(const pctx *c, const json_t *root)
{
    static const char *const keys[] = {"policy_version", "thresholds", "weights", "pass_score",
                                       "blocking_criteria", "description"};
    fgi_grad_policy *p = c->p;
    FG_RETURN_IF(!json_is_object(root), FG_ERR_INVALID_ARG, "%s: expected a JSON object", c->name);
    FG_FORWARD(unknown_keys(c, root, "", keys, sizeof keys / sizeof keys[0]), "policy");
    json_t *pv = json_object_get(root, "policy_version");
    FG_RETURN_IF(pv && (!json_is_string(pv) || strcmp(json_string_value(pv), "1.0") != 0),
                 FG_ERR_UNSUPPORTED, "%s: policy_version: this library reads \"1.0\"", c->name);
    json_t *d = json_object_get(root, "description");
    FG_RETURN_IF(d && !json_is_string(d), FG_ERR_INVALID_ARG, "%s: description: expected a string", c->name);
    json_t *t = json_object_get(root, "thresholds");
    if (t) FG_FORWARD(parse_thresholds(c, t), "policy");
    json_t *w = json_object_get(root, "weights");
    if (w) {
        FG_RETURN_IF(!json_is_object(w), FG_ERR_INVALID_ARG, "%s: weights: expected an object", c->name);
        FG_FORWARD(unknown_keys(c, w, "weights", crit_names, FGI_GRAD_N_CRITERIA), "policy");
        for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++)
            FG_FORWARD(get_num(c, w, "weights", crit_names[i], &p->weights[i]), "policy");
    }
    FG_FORWARD(get_num(c, root, "", "pass_score", &p->pass_score), "policy");
    json_t *b = json_object_get(root, "blocking_criteria");
    if (b) {
        FG_RETURN_IF(!json_is_array(b), FG_ERR_INVALID_ARG, "%s: blocking_criteria: expected an array",
                     c->name);
        p->blocking = 0;
        size_t i;
        json_t *e;
        json_array_foreach(b, i, e) {
            int k = json_is_string(e) ? crit_index(json_string_value(e)) : -1;
            FG_RETURN_IF(k < 0, FG_ERR_INVALID_ARG,
                         "%s: blocking_criteria[%zu]: expected one of stable_period, accuracy, performance, "
                         "multi_hardware, code_quality", c->name, i);
            p->blocking |= 1u << k;
        }
    }
    fg_status s = fgi_grad_policy_check(p);
    if (s != FG_OK) return fgi_error_push(s, "%s", c->name);
    return FG_OK;
}

fg_status fgi_grad_policy_parse(const char *json, const char *name, fgi_grad_policy *out)
{
    FG_RETURN_IF(!json || !out, FG_ERR_NULL, "policy text and out are required");
    if (!name) name = "policy";
    json_error_t err;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    FG_RETURN_IF(!root, FG_ERR_PARSE, "%s: line %d, column %d: %s", name, err.line, err.column, err.text);
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    pctx c = {name, &p};
    fg_status s = parse_policy(&c, root);
    json_decref(root);
    if (s == FG_OK) *out = p;
    return s;
}

fg_status fgi_grad_policy_load(const char *path, fgi_grad_policy *out)
{
    FG_RETURN_IF(!path || !out, FG_ERR_NULL, "policy path and out are required");
    FILE *f = fopen(path, "rb");
    FG_RETURN_IF(!f, errno == ENOENT ? FG_ERR_NOT_FOUND : FG_ERR_IO, "cannot open policy %s: %s", path,
                 strerror(errno));
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    int too_big = buf && n == (1 << 20) - 1 && fgetc(f) != EOF;
    fclose(f);
    FG_RETURN_IF(!buf, FG_ERR_NO_MEMORY, "policy buffer");
    if (too_big) {
        free(buf);
        return FG_ERROR(FG_ERR_INVALID_ARG, "policy %s is larger than 1 MiB", path);
    }
    buf[n] = '\0';
    fg_status s = fgi_grad_policy_parse(buf, path, out);
    free(buf);
    return s;
}

char *fgi_grad_policy_to_json(const fgi_grad_policy *p)
{
    json_t *t = json_pack("{s:i, s:i, s:i, s:s, s:[], s:f, s:b, s:b}", "stable_period_versions",
                          p->stable_period_versions, "min_test_shapes", p->min_test_shapes,
                          "min_hardware_platforms", p->min_hardware, "hardware_count_by",
                          p->hardware_by_vendor ? "vendor" : "device", "required_platforms", "min_speedup",
                          p->min_speedup, "require_code_review", p->require_code_review,
                          "require_documentation", p->require_documentation);
    json_t *w = json_object();
    json_t *b = json_array();
    json_t *root = json_object();
    if (!t || !w || !b || !root) {
        json_decref(t), json_decref(w), json_decref(b), json_decref(root);
        return NULL;
    }
    json_t *req = json_object_get(t, "required_platforms");
    for (int i = 0; i < p->n_required_platforms; i++)
        json_array_append_new(req, json_string(p->required_platforms[i]));
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) {
        json_object_set_new(w, crit_names[i], json_real(p->weights[i]));
        if (p->blocking & (1u << i)) json_array_append_new(b, json_string(crit_names[i]));
    }
    json_object_set_new(root, "policy_version", json_string("1.0"));
    json_object_set_new(root, "thresholds", t);
    json_object_set_new(root, "weights", w);
    json_object_set_new(root, "pass_score", json_real(p->pass_score));
    json_object_set_new(root, "blocking_criteria", b);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(root);
    return s;
}

/* ---------------------------------------------------------------- versions */

int fgi_grad_version_parse(const char *text, int *major, int *minor)
{
    if (!text) return -1;
    const char *s = text;
    if (*s == 'v' || *s == 'V') s++;
    if (!isdigit((unsigned char)*s)) return -1;
    char *end;
    long a = strtol(s, &end, 10);
    if (*end != '.' || !isdigit((unsigned char)end[1])) return -1;
    long b = strtol(end + 1, &end, 10);
    if (*end == '.') {
        if (!isdigit((unsigned char)end[1])) return -1;
        strtol(end + 1, &end, 10);
    }
    if (*end && *end != '-' && *end != '+') return -1;
    /* a suffix ("-rc1", "+build.5") of plain characters: versions end up in
     * C string literals and branch names */
    for (const char *c = end; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr(".-+", *c)) return -1;
    if (a > 100000 || b > 100000) return -1;
    *major = (int)a;
    *minor = (int)b;
    return 0;
}

int fgi_grad_versions_between(const char *since, const char *now)
{
    int a, b, c, d;
    if (fgi_grad_version_parse(since, &a, &b) || fgi_grad_version_parse(now, &c, &d)) return -1000;
    if (c == a) return d - b;
    if (c > a) return (c - a) + d;
    return -((a - c) + b); /* since is later: negative */
}

void fgi_grad_next_version(const char *version, char *buf, size_t size)
{
    int a, b;
    if (fgi_grad_version_parse(version, &a, &b)) {
        snprintf(buf, size, "the next minor version after %s", version ? version : "?");
        return;
    }
    const char *s = version + (*version == 'v' || *version == 'V');
    int three = strchr(strchr(s, '.') + 1, '.') != NULL;
    snprintf(buf, size, "%s%d.%d%s", s == version ? "" : "v", a, b + 1, three ? ".0" : "");
}

/* ---------------------------------------------------------------- checks */

static void recommend(fgi_grad_check *c, const char *fmt, ...) FGI_PRINTF(2, 3);
static void recommend(fgi_grad_check *c, const char *fmt, ...)
{
    if (c->n_recommendations >= FGI_GRAD_MAX_RECS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->recommendations[c->n_recommendations++], sizeof c->recommendations[0], fmt, ap);
    va_end(ap);
}

static fgi_grad_check *begin(fgi_grad_report *r, const fgi_grad_policy *p, fgi_grad_criterion k)
{
    fgi_grad_check *c = &r->checks[k];
    memset(c, 0, sizeof *c);
    c->criterion = k;
    c->weight = p->weights[k];
    c->blocking = (p->blocking >> k) & 1u;
    return c;
}

static const fgi_grad_policy *policy_or_default(const fgi_grad_policy *p, fgi_grad_policy *tmp)
{
    if (p) return p;
    fgi_grad_policy_default(tmp);
    return tmp;
}

static double clamp01(double x) { return x < 0 ? 0 : x > 1 ? 1 : x; }

void fgi_grad_check_stable_period(const fgi_meta_op *op, const fgi_grad_policy *pol, const char *version,
                                  fgi_grad_report *r)
{
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    fgi_grad_check *c = begin(r, p, FGI_GRAD_STABLE_PERIOD);
    if (!version) version = fg_version();
    const char *since = op->graduation_tracking.in_experimental_since;
    int n = fgi_grad_versions_between(since, version);
    r->facts.versions_elapsed = n < -999 ? -1 : n;
    int need = p->stable_period_versions;
    if (n < -999) {
        snprintf(c->details, sizeof c->details, "cannot compare in_experimental_since \"%s\" with version %s",
                 since ? since : "", version);
        recommend(c, "Set graduation_tracking.in_experimental_since to a version such as \"v0.1\" or "
                     "\"0.1.0\"");
        return;
    }
    if (n < 0) {
        snprintf(c->details, sizeof c->details, "in_experimental_since %s is later than the current version %s",
                 since, version);
        recommend(c, "Correct graduation_tracking.in_experimental_since (it cannot be in the future)");
        return;
    }
    c->passed = n >= need;
    c->score = need ? clamp01((double)n / need) : 1.0;
    snprintf(c->details, sizeof c->details, "%d version(s) in experimental (since %s, now %s); %d required", n,
             since, version, need);
    if (!c->passed)
        recommend(c, "Keep the kernel in experimental for %d more version(s) and re-check after the next "
                     "release", need - n);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Distinct shapes over every dtype of the coverage, spaces ignored (sorted,
 * then counted: coverage lists may hold thousands of shapes). */
static size_t distinct_shapes(const fgi_meta_accuracy_tests *at)
{
    size_t total = 0;
    for (size_t i = 0; i < at->n_coverage; i++) total += at->coverage[i].n_shapes;
    if (!total) return 0;
    char **norm = calloc(total, sizeof *norm);
    if (!norm) return 0;
    size_t n = 0;
    for (size_t i = 0; i < at->n_coverage; i++)
        for (size_t j = 0; j < at->coverage[i].n_shapes; j++) {
            const char *s = at->coverage[i].shapes[j];
            char *t = malloc(strlen(s) + 1);
            if (!t) continue;
            size_t k = 0;
            for (; *s; s++)
                if (!isspace((unsigned char)*s)) t[k++] = *s;
            t[k] = '\0';
            norm[n++] = t;
        }
    qsort(norm, n, sizeof *norm, cmp_str);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) distinct += i == 0 || strcmp(norm[i], norm[i - 1]) != 0;
    for (size_t i = 0; i < n; i++) free(norm[i]);
    free(norm);
    return distinct;
}

void fgi_grad_check_accuracy(const fgi_meta_op *op, const fgi_grad_policy *pol, fgi_grad_report *r)
{
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    fgi_grad_check *c = begin(r, p, FGI_GRAD_ACCURACY);
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    size_t shapes = distinct_shapes(at);
    r->facts.test_cases = at->test_cases;
    r->facts.distinct_shapes = shapes;
    int need = p->min_test_shapes;
    if (!at->last_run) {
        snprintf(c->details, sizeof c->details, "accuracy tests never ran");
        recommend(c, "Run the accuracy tool (flag-gems-exp validate %s) and record the results",
                  op->kernel_id);
        return;
    }
    if (!at->passed || at->test_cases <= 0) {
        snprintf(c->details, sizeof c->details, "the last accuracy run (%s) %s", at->last_run,
                 at->passed ? "recorded no test cases" : "failed");
        recommend(c, "Fix the kernel's accuracy against the reference kernel and re-run the accuracy tool");
        return;
    }
    c->passed = (long long)shapes >= need;
    c->score = need ? clamp01((double)shapes / need) : 1.0;
    snprintf(c->details, sizeof c->details,
             "passed: %lld test cases over %zu distinct shape(s) in %zu dtype(s), last run %s; %d shapes "
             "required", (long long)at->test_cases, shapes, at->n_coverage, at->last_run, need);
    if (!c->passed)
        recommend(c, "Add %lld more shapes to the accuracy configs (real model shapes and edge cases)",
                  (long long)need - (long long)shapes);
}

void fgi_grad_check_performance(const fgi_meta_op *op, const fgi_grad_policy *pol, fgi_grad_report *r)
{
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    fgi_grad_check *c = begin(r, p, FGI_GRAD_PERFORMANCE);
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    fgi_grad_facts *f = &r->facts;
    f->n_baselines = pt->n_baselines;
    f->n_fast_baselines = 0;
    f->speedup_geomean = f->speedup_min = f->speedup_max = 0;
    if (!pt->n_baselines) {
        snprintf(c->details, sizeof c->details, "no performance baselines recorded");
        recommend(c, "Run the performance tool (flag-gems-exp benchmark %s) and record the baselines",
                  op->kernel_id);
        return;
    }
    double logsum = 0;
    const fgi_meta_baseline *worst = &pt->baselines[0];
    f->speedup_min = f->speedup_max = pt->baselines[0].speedup;
    for (size_t i = 0; i < pt->n_baselines; i++) {
        double s = pt->baselines[i].speedup;
        logsum += log(s);
        if (s < f->speedup_min) worst = &pt->baselines[i];
        f->speedup_min = fmin(f->speedup_min, s);
        f->speedup_max = fmax(f->speedup_max, s);
        if (s >= p->min_speedup - EPS) f->n_fast_baselines++;
    }
    f->speedup_geomean = exp(logsum / (double)pt->n_baselines);
    c->passed = f->n_fast_baselines == pt->n_baselines;
    c->score = (double)f->n_fast_baselines / (double)pt->n_baselines;
    snprintf(c->details, sizeof c->details,
             "%zu of %zu baselines at or above %.2fx; speedup geomean %.3fx, min %.3fx, max %.3fx",
             f->n_fast_baselines, pt->n_baselines, p->min_speedup, f->speedup_geomean, f->speedup_min,
             f->speedup_max);
    if (!c->passed)
        recommend(c, "Speed up the slowest case (%.3fx on %s %s vs %s) or decline such shapes in supports()",
                  worst->speedup, worst->device, worst->dtype, worst->reference_impl);
}

/* The platform of a device name: its vendor (text before the first '-',
 * '_' or ' ') or the whole name. */
static void platform_of(const char *device, int by_vendor, char *out, size_t size)
{
    size_t n = by_vendor ? strcspn(device, "-_ ") : strlen(device);
    if (n == 0) n = strlen(device);
    if (n >= size) n = size - 1;
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)device[i]);
    out[n] = '\0';
}

void fgi_grad_check_multi_hardware(const fgi_meta_op *op, const fgi_grad_policy *pol, fgi_grad_report *r)
{
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    fgi_grad_check *c = begin(r, p, FGI_GRAD_MULTI_HARDWARE);
    char seen[64][32];
    size_t n = 0;
    fgi_grad_facts *f = &r->facts;
    f->platforms[0] = '\0';
    size_t flen = 0;
    for (size_t i = 0; i < op->hardware_support.n_tested_devices && n < 64; i++) {
        char pl[32];
        platform_of(op->hardware_support.tested_devices[i], p->hardware_by_vendor, pl, sizeof pl);
        size_t j = 0;
        while (j < n && strcmp(seen[j], pl) != 0) j++;
        if (j < n) continue;
        memcpy(seen[n++], pl, sizeof pl);
        if (flen < sizeof f->platforms)
            flen += (size_t)snprintf(f->platforms + flen, sizeof f->platforms - flen, "%s%s", flen ? ", " : "",
                                     pl);
    }
    f->n_platforms = n;
    int have_req = 0;
    char missing[128] = "";
    size_t mlen = 0;
    for (int i = 0; i < p->n_required_platforms; i++) {
        char want[32];
        platform_of(p->required_platforms[i], 0, want, sizeof want);
        size_t j = 0;
        while (j < n && strcmp(seen[j], want) != 0) j++;
        if (j < n)
            have_req++;
        else if (mlen < sizeof missing)
            mlen += (size_t)snprintf(missing + mlen, sizeof missing - mlen, "%s%s", mlen ? ", " : "",
                                     p->required_platforms[i]);
    }
    int need = p->min_hardware;
    double count_part = need ? clamp01((double)n / need) : 1.0;
    double req_part = p->n_required_platforms ? (double)have_req / p->n_required_platforms : 1.0;
    c->passed = (int)n >= need && have_req == p->n_required_platforms;
    c->score = count_part * req_part;
    snprintf(c->details, sizeof c->details, "%zu %s(s) tested (%.120s); %d required%s%.60s", n,
             p->hardware_by_vendor ? "platform" : "device", n ? f->platforms : "none", need,
             mlen ? "; missing required: " : "", missing);
    if ((int)n < need)
        recommend(c, "Validate on %d more platform(s) and add them to hardware_support.tested_devices",
                  need - (int)n);
    if (mlen) recommend(c, "Validate on the required platform(s): %s", missing);
}

void fgi_grad_check_code_quality(const fgi_meta_op *op, const fgi_grad_policy *pol, fgi_grad_report *r)
{
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    fgi_grad_check *c = begin(r, p, FGI_GRAD_CODE_QUALITY);
    const fgi_meta_checklist *k = &op->graduation_tracking.checklist;
    int required = p->require_code_review + p->require_documentation;
    int met = (p->require_code_review && k->code_review_approved) +
              (p->require_documentation && k->documentation_complete);
    c->passed = met == required;
    c->score = required ? (double)met / required : 1.0;
    snprintf(c->details, sizeof c->details, "code review %s%s, documentation %s%s",
             k->code_review_approved ? "approved" : "not recorded", p->require_code_review ? "" : " (not required)",
             k->documentation_complete ? "complete" : "incomplete",
             p->require_documentation ? "" : " (not required)");
    if (p->require_code_review && !k->code_review_approved)
        recommend(c, "Get a maintainer's review and set graduation_tracking.checklist.code_review_approved");
    if (p->require_documentation && !k->documentation_complete)
        recommend(c, "Document the kernel (shapes, dtypes, limits) and set "
                     "graduation_tracking.checklist.documentation_complete");
}

/* Blocking issues written by the checker when it demotes a kernel start
 * with this; they describe the demotion, which the status already
 * enforces, so the criteria do not count them. */
#define DEMOTED_PREFIX "demoted "

static void blocker(fgi_grad_report *r, const char *fmt, ...) FGI_PRINTF(2, 3);
static void blocker(fgi_grad_report *r, const char *fmt, ...)
{
    if (r->n_blockers >= (int)(sizeof r->blockers / sizeof r->blockers[0])) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->blockers[r->n_blockers++], sizeof r->blockers[0], fmt, ap);
    va_end(ap);
}

fg_status fgi_grad_check_all(const fgi_meta_op *op, const fgi_grad_policy *pol, const char *version,
                             fgi_grad_report *r)
{
    FG_RETURN_IF(!op || !r, FG_ERR_NULL, "op and report are required");
    fgi_grad_policy tmp;
    const fgi_grad_policy *p = policy_or_default(pol, &tmp);
    FG_FORWARD(fgi_grad_policy_check(p), "fgi_grad_check_all");
    if (!version) version = fg_version();
    int ma, mi;
    FG_RETURN_IF(fgi_grad_version_parse(version, &ma, &mi), FG_ERR_INVALID_ARG,
                 "version \"%s\" is not a version like \"0.1.0\" or \"v4.2\"", version);
    memset(r, 0, sizeof *r);
    snprintf(r->kernel_id, sizeof r->kernel_id, "%s", op->kernel_id);
    snprintf(r->op_name, sizeof r->op_name, "%s", op->op_name);
    snprintf(r->op_id, sizeof r->op_id, "%s", op->op_id);
    snprintf(r->current_version, sizeof r->current_version, "%s", version);
    r->status = op->status;
    fgi_grad_check_stable_period(op, p, version, r);
    fgi_grad_check_accuracy(op, p, r);
    fgi_grad_check_performance(op, p, r);
    fgi_grad_check_multi_hardware(op, p, r);
    fgi_grad_check_code_quality(op, p, r);
    double score = 0;
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) score += r->checks[i].weight * r->checks[i].score;
    r->score = score;
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++)
        if (r->checks[i].blocking && !r->checks[i].passed)
            blocker(r, "%s failed (blocks graduation whatever the score): %s", crit_names[i],
                    r->checks[i].details);
    if (score < p->pass_score - EPS) {
        char failed[128] = "";
        size_t len = 0;
        for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++)
            if (!r->checks[i].passed && len < sizeof failed)
                len += (size_t)snprintf(failed + len, sizeof failed - len, "%s%s", len ? ", " : "",
                                        crit_names[i]);
        blocker(r, "score %.3f is under the pass mark %.2f (failed: %s)", score, p->pass_score,
                len ? failed : "none");
    }
    if (op->status != FGI_META_VALIDATED && op->status != FGI_META_GRADUATION_CANDIDATE)
        blocker(r, "status is %s; only VALIDATED kernels and graduation candidates can graduate",
                fgi_meta_status_name(op->status));
    for (size_t i = 0; i < op->graduation_tracking.n_blocking_issues; i++) {
        const char *b = op->graduation_tracking.blocking_issues[i];
        if (strncmp(b, DEMOTED_PREFIX, strlen(DEMOTED_PREFIX)) != 0) blocker(r, "blocking issue: %s", b);
    }
    r->eligible = r->n_blockers == 0;
    return FG_OK;
}

/* ---------------------------------------------------------------- metadata hook */

static fg_status criteria_hook(const fgi_meta_op *op, fgi_meta_grad_report *out, void *ctx)
{
    fgi_grad_report r;
    FG_FORWARD(fgi_grad_check_all(op, ctx, NULL, &r), "graduation criteria");
    out->n_items = FGI_GRAD_N_CRITERIA;
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) {
        fgi_meta_check_item *it = &out->items[i];
        memset(it, 0, sizeof *it);
        snprintf(it->name, sizeof it->name, "%s", crit_names[i]);
        it->passed = r.checks[i].passed;
        it->score = r.checks[i].score;
        it->weight = r.checks[i].weight;
        snprintf(it->details, sizeof it->details, "%.191s", r.checks[i].details);
    }
    out->score = r.score;
    out->eligible = r.eligible;
    snprintf(out->summary, sizeof out->summary, "%s%s", r.eligible ? "eligible" : "not eligible: ",
             r.n_blockers ? r.blockers[0] : "");
    return FG_OK;
}

void fgi_grad_install(fgi_meta_store *store, const fgi_grad_policy *p, fgi_grad_policy *holder)
{
    if (p)
        *holder = *p;
    else
        fgi_grad_policy_default(holder);
    fgi_meta_set_criteria(store, criteria_hook, holder);
}
