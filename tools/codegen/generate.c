/* The generator: a generation config (JSON) -> one rendered template per
 * kernel -> fg_codegen_emit. Also the regenerate-and-compare check. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen_int.h"
#include "core/error.h"
#include "experimental/metadata.h"
#include "files.h"
#include "template.h"

/* ---------------------------------------------------------------- ops */

enum { T_UNARY, T_BINARY, T_REDUCE, T_SOFTMAX, T_NORM, T_COUNT };
static const char *const TEMPLATE_NAMES[T_COUNT] = {"pointwise_unary", "pointwise_binary", "reduce_rows",
                                                    "softmax_rows", "norm_rows"};

typedef struct op_def {
    const char *op;
    int tmpl;
    const char *v8, *s1; /* pointwise: 8-lane and scalar expressions */
    const char *attr;    /* pointwise: a condition on call attributes */
} op_def;

/* gelu's expressions depend on params.approx (see gelu_exprs). */
static const op_def OPS[] = {
    {"relu", T_UNARY, "_mm256_max_ps(_mm256_setzero_ps(), x)", "(x > 0.0f || x != x) ? x : 0.0f", NULL},
    {"gelu", T_UNARY, NULL, NULL, NULL},
    {"silu", T_UNARY, "fgi_v8_x_sigmoid(x, x)", "x / (1.0f + expf(-x))", NULL},
    {"exp", T_UNARY, "fgi_v8_exp(x)", "expf(x)", NULL},
    {"fast_gelu", T_UNARY, "fgi_v8_x_sigmoid(x, _mm256_mul_ps(_mm256_set1_ps(1.702f), x))",
     "x / (1.0f + expf(-1.702f * x))", NULL},
    /* alpha exactly a float: one FMA rounds a + alpha b once, as the
     * double reference does; other alphas are left to the stable kernel */
    {"add", T_BINARY, "_mm256_fmadd_ps(al, b, a)", "fmaf(alf, b, a)", "(double)(float)call->alpha == call->alpha"},
    {"mul", T_BINARY, "_mm256_mul_ps(a, b)", "a * b", NULL},
    {"sum", T_REDUCE, NULL, NULL, NULL},
    {"mean", T_REDUCE, NULL, NULL, NULL},
    {"amax", T_REDUCE, NULL, NULL, NULL},
    {"softmax", T_SOFTMAX, NULL, NULL, NULL},
    {"layer_norm", T_NORM, NULL, NULL, NULL},
    {"rms_norm", T_NORM, NULL, NULL, NULL},
};

static const op_def *find_op(const char *op)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (!strcmp(OPS[i].op, op)) return &OPS[i];
    return NULL;
}

/* ---------------------------------------------------------------- config */

typedef struct variant {
    const op_def *op;
    char variant[72];
    int priority;
    int vw, unroll, threaded, stream, fast_exp, approx_tanh;
    long long block_size;
    int bcast; /* 0 none, 1 row, 2 scalar */
    long long max_len, len_multiple, hidden;
} variant;

#define BAD(...) FG_ERROR(FG_ERR_INVALID_ARG, __VA_ARGS__)

static fg_status get_int(const json_t *obj, const char *key, long long lo, long long hi, long long def,
                         long long *out, const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return FG_OK;
    }
    FG_RETURN_IF(!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi, FG_ERR_INVALID_ARG,
                 "%s.%s: expected an integer in [%lld, %lld]", where, key, lo, hi);
    *out = json_integer_value(v);
    return FG_OK;
}

/* Index of the value of key among names (def when absent). */
static fg_status get_enum(const json_t *obj, const char *key, const char *const *names, int def, int *out,
                          const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return FG_OK;
    }
    for (int i = 0; names[i] && json_is_string(v); i++)
        if (!strcmp(json_string_value(v), names[i])) {
            *out = i;
            return FG_OK;
        }
    char allowed[160] = "";
    for (int i = 0; names[i]; i++) {
        strncat(allowed, i ? ", " : "", sizeof allowed - strlen(allowed) - 1);
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
    }
    return BAD("%s.%s: expected one of %s", where, key, allowed);
}

static fg_status parse_variant(const json_t *e, size_t i, variant *v)
{
    char where[48];
    snprintf(where, sizeof where, "kernels[%zu]", i);
    FG_RETURN_IF(!json_is_object(e), FG_ERR_INVALID_ARG, "%s: expected an object", where);
    static const char *const top[] = {"op", "variant", "priority", "params", "when", NULL};
    FG_FORWARD(fgc_check_keys(e, top, where), "config");
    const json_t *op = json_object_get(e, "op"), *var = json_object_get(e, "variant");
    FG_RETURN_IF(!json_is_string(op) || !(v->op = find_op(json_string_value(op))), FG_ERR_INVALID_ARG,
                 "%s.op: expected one of relu, gelu, silu, exp, fast_gelu, add, mul, sum, mean, amax, softmax, "
                 "layer_norm, rms_norm",
                 where);
    FG_RETURN_IF(!json_is_string(var) || !fgc_is_lower_word(json_string_value(var), 64), FG_ERR_INVALID_ARG,
                 "%s.variant: expected [a-z0-9_]{1,64}", where);
    snprintf(v->variant, sizeof v->variant, "%s", json_string_value(var));
    long long prio = 10;
    FG_FORWARD(get_int(e, "priority", -1000, 1000, 10, &prio, where), "config");
    v->priority = (int)prio;
    int t = v->op->tmpl;
    bool pw = t == T_UNARY || t == T_BINARY;

    json_t *empty = json_object();
    const json_t *p = json_object_get(e, "params") ? json_object_get(e, "params") : empty;
    const json_t *w = json_object_get(e, "when") ? json_object_get(e, "when") : empty;
    fg_status s = FG_OK;
    char pw_where[64], w_where[64];
    snprintf(pw_where, sizeof pw_where, "%s.params", where);
    snprintf(w_where, sizeof w_where, "%s.when", where);
    if (!json_is_object(p) || !json_is_object(w)) s = BAD("%s: params and when must be objects", where);
    static const char *const params_unary[] = {"vector_width", "unroll", "block_size", "threading", "stream",
                                               "approx", NULL};
    static const char *const params_binary[] = {"vector_width", "unroll", "block_size", "threading", "stream",
                                                "broadcast", NULL};
    static const char *const params_reduce[] = {"vector_width", "unroll", "block_size", "threading", NULL};
    static const char *const params_rows[] = {"vector_width", "unroll", "block_size", "threading", "exp", "stream",
                                              NULL};
    static const char *const when_pw[] = {"max_len", "len_multiple", NULL};
    static const char *const when_rows[] = {"max_len", "len_multiple", "hidden", NULL};
    if (s == FG_OK)
        s = fgc_check_keys(p, t == T_UNARY    ? params_unary
                          : t == T_BINARY ? params_binary
                          : t == T_REDUCE ? params_reduce
                                          : params_rows,
                       pw_where);
    if (s == FG_OK) s = fgc_check_keys(w, t == T_UNARY ? when_pw : when_rows, w_where);
    long long vw = 8, unroll = 4;
    if (s == FG_OK) s = get_int(p, "vector_width", 1, 8, 8, &vw, pw_where);
    if (s == FG_OK && vw != 8 && !(vw == 1 && pw))
        s = BAD("%s.vector_width: 8 (AVX2 float32 lanes)%s, got %lld", pw_where,
                pw ? " or 1 (portable C)" : "", vw);
    if (s == FG_OK) s = get_int(p, "unroll", 1, 8, 4, &unroll, pw_where);
    if (s == FG_OK && (unroll & (unroll - 1))) s = BAD("%s.unroll: expected 1, 2, 4 or 8", pw_where);
    if (s == FG_OK) s = get_int(p, "block_size", 1, 1ll << 30, 32768, &v->block_size, pw_where);
    static const char *const threading[] = {"single", "auto", NULL}, *const exps[] = {"full", "fast", NULL},
                             *const approx[] = {"none", "tanh", NULL}, *const bcast[] = {"none", "row", "scalar", NULL};
    if (s == FG_OK) s = get_enum(p, "threading", threading, 1, &v->threaded, pw_where);
    if (s == FG_OK) s = get_enum(p, "exp", exps, 1, &v->fast_exp, pw_where);
    if (s == FG_OK) s = get_enum(p, "broadcast", bcast, 0, &v->bcast, pw_where);
    if (s == FG_OK) s = get_enum(p, "approx", approx, -1, &v->approx_tanh, pw_where);
    if (s == FG_OK && !strcmp(v->op->op, "gelu") != (v->approx_tanh >= 0))
        s = BAD("%s.approx: required for gelu (\"none\" or \"tanh\") and only for gelu", pw_where);
    if (s == FG_OK && json_object_get(p, "exp") && t != T_SOFTMAX) s = BAD("%s.exp: only for softmax", pw_where);
    const json_t *st = json_object_get(p, "stream");
    if (s == FG_OK && st && (!json_is_boolean(st) || vw != 8))
        s = BAD("%s.stream: a boolean, and only with vector_width 8", pw_where);
    v->stream = st && json_is_true(st);
    if (s == FG_OK) s = get_int(w, "max_len", 1, 1ll << 40, 0, &v->max_len, w_where);
    if (s == FG_OK) s = get_int(w, "len_multiple", 1, 1 << 20, 0, &v->len_multiple, w_where);
    if (s == FG_OK) s = get_int(w, "hidden", 1, 1 << 20, 0, &v->hidden, w_where);
    if (s == FG_OK && v->hidden && t == T_BINARY && v->bcast != 1)
        s = BAD("%s.hidden: for add/mul only with broadcast \"row\" (the row length)", w_where);
    json_decref(empty);
    v->vw = (int)vw;
    v->unroll = (int)unroll;
    return s;
}

/* ---------------------------------------------------------------- rendering */

typedef struct rendered {
    char id[160], sym[160], symbol[160], supports[176], run[176], file[200], tmpl_path[128];
    char *source, *config, *constraints;
    int specialized;
} rendered;

static json_t *dtype_list(void)
{
    return json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s},"
                     "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}]",
                     "dt", "f32", "T", "float", "enum", "FGI_F32", "ld", "gx_ld_f32", "st", "gx_st_f32", "nt",
                     "gx_nt_f32", "to_f", "", "from_f", "", "dt", "f16", "T", "uint16_t", "enum", "FGI_F16", "ld",
                     "gx_ld_f16", "st", "gx_st_f16", "nt", "gx_nt_f16", "to_f", "fgi_f16_to_f32", "from_f",
                     "fgi_f32_to_f16", "dt", "bf16", "T", "uint16_t", "enum", "FGI_BF16", "ld", "gx_ld_bf16", "st",
                     "gx_st_bf16", "nt", "gx_nt_bf16", "to_f", "fgi_bf16_to_f32", "from_f", "fgi_f32_to_bf16");
}

/* One sentence on what the kernel accepts and how it runs. */
static void describe(const variant *v, char *buf, size_t size)
{
    static const char *const bnames[] = {"a dense b", "b one row of the last dim repeated", "b a scalar"};
    int t = v->op->tmpl, n = 0;
    n += snprintf(buf + n, size - (size_t)n, "%s: dense %s", v->op->op,
                  t == T_UNARY ? "tensors" : t == T_BINARY ? bnames[v->bcast] : "rows of the last dim");
    if (v->approx_tanh >= 0) n += snprintf(buf + n, size - (size_t)n, ", approx %s", v->approx_tanh ? "tanh" : "none");
    const char *unit = t == T_UNARY || (t == T_BINARY && v->bcast != 1) ? "elements" : "row length";
    if (v->max_len) n += snprintf(buf + n, size - (size_t)n, ", %s at most %lld", unit, v->max_len);
    if (v->len_multiple)
        n += snprintf(buf + n, size - (size_t)n, ", %s a multiple of %lld", unit, v->len_multiple);
    if (v->hidden) n += snprintf(buf + n, size - (size_t)n, ", row length exactly %lld", v->hidden);
    if (v->vw == 8)
        n += snprintf(buf + n, size - (size_t)n, "; AVX2, 8 lanes x %d", v->unroll);
    else
        n += snprintf(buf + n, size - (size_t)n, "; portable C, unrolled x %d", v->unroll);
    if (v->threaded)
        snprintf(buf + n, size - (size_t)n, ", threads of at least %lld elements each", v->block_size);
    else
        snprintf(buf + n, size - (size_t)n, ", one thread");
}

static json_t *context(const variant *v, const rendered *r)
{
    int t = v->op->tmpl;
    int step = v->vw == 8 ? 8 * v->unroll : v->unroll;
    char doc[512];
    describe(v, doc, sizeof doc);
    json_t *offs = json_array();
    for (int j = 0; j < v->unroll; j++) json_array_append_new(offs, json_pack("{s:i}", "off", j * (v->vw == 8 ? 8 : 1)));
    const char *v8 = v->op->v8, *s1 = v->op->s1, *attr = v->op->attr;
    if (!strcmp(v->op->op, "gelu")) {
        v8 = v->approx_tanh ? "fgi_v8_gelu_tanh(x)" : "fgi_v8_gelu_erf(x)";
        s1 = v->approx_tanh ? "0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)))"
                            : "0.5f * x * (1.0f + erff(x * 0.70710678f))";
        attr = v->approx_tanh ? "call->approx == FG_GELU_TANH" : "call->approx == FG_GELU_NONE";
    }
    bool row_bcast = t == T_BINARY && v->bcast == 1;
    long long whole = row_bcast ? v->hidden : (t == T_UNARY || t == T_BINARY) ? v->len_multiple : 0;
    bool no_tail = !v->stream && whole && whole % step == 0;
    bool tails = !((v->len_multiple && v->len_multiple % step == 0) || (v->hidden && v->hidden % step == 0));
    long long row_buf = 16384;
    if (v->hidden && v->hidden < row_buf) row_buf = v->hidden;
    if (v->max_len && v->max_len < row_buf) row_buf = v->max_len;
    row_buf = (row_buf + 7) / 8 * 8;
    json_t *c = json_pack("{s:s, s:s, s:s, s:b, s:i, s:o, s:o, s:b, s:I, s:b, s:b, s:b, s:I, s:I, s:I, s:I}", "sym",
                          r->sym, "op", v->op->op, "doc", doc, "avx2", v->vw == 8, "step", step, "unroll_list", offs,
                          "dtypes", dtype_list(), "threaded", v->threaded, "block_size", (json_int_t)v->block_size,
                          "stream", v->stream, "no_tail", no_tail, "tails", tails, "max_len", (json_int_t)v->max_len,
                          "len_multiple", (json_int_t)v->len_multiple, "hidden", (json_int_t)v->hidden, "row_buf",
                          (json_int_t)row_buf);
    json_object_set_new(c, "unroll", json_integer(v->unroll));
    json_object_set_new(c, "v8", json_string(v8 ? v8 : ""));
    json_object_set_new(c, "s1", json_string(s1 ? s1 : ""));
    json_object_set_new(c, "attr_check", json_string(attr ? attr : ""));
    json_object_set_new(c, "bcast_none", json_boolean(v->bcast == 0));
    json_object_set_new(c, "bcast_row", json_boolean(v->bcast == 1));
    json_object_set_new(c, "bcast_scalar", json_boolean(v->bcast == 2));
    json_object_set_new(c, "is_max", json_boolean(!strcmp(v->op->op, "amax")));
    json_object_set_new(c, "is_mean", json_boolean(!strcmp(v->op->op, "mean")));
    json_object_set_new(c, "layer", json_boolean(!strcmp(v->op->op, "layer_norm")));
    json_object_set_new(c, "exp_fn", json_string(v->fast_exp ? "cx_exp_neg_fast" : "fgi_v8_exp"));
    return c;
}

/* The resolved generation config of a variant (defaults filled in). */
static json_t *resolved_config(const variant *v)
{
    static const char *const bnames[] = {"none", "row", "scalar"};
    int t = v->op->tmpl;
    json_t *p = json_pack("{s:i, s:i, s:I, s:s}", "vector_width", v->vw, "unroll", v->unroll, "block_size",
                          (json_int_t)v->block_size, "threading", v->threaded ? "auto" : "single");
    if (t != T_REDUCE) json_object_set_new(p, "stream", json_boolean(v->stream));
    if (t == T_BINARY) json_object_set_new(p, "broadcast", json_string(bnames[v->bcast]));
    if (t == T_SOFTMAX) json_object_set_new(p, "exp", json_string(v->fast_exp ? "fast" : "full"));
    if (v->approx_tanh >= 0) json_object_set_new(p, "approx", json_string(v->approx_tanh ? "tanh" : "none"));
    json_t *w = json_object();
    if (v->max_len) json_object_set_new(w, "max_len", json_integer(v->max_len));
    if (v->len_multiple) json_object_set_new(w, "len_multiple", json_integer(v->len_multiple));
    if (v->hidden) json_object_set_new(w, "hidden", json_integer(v->hidden));
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "template", TEMPLATE_NAMES[t], "op", v->op->op, "variant",
                     v->variant, "params", p, "when", w);
}

static json_t *constraints(const variant *v)
{
    static const char *const layouts[] = {"dense", "dense a, row-broadcast b", "dense a, scalar b"};
    int t = v->op->tmpl;
    json_t *c = json_pack("{s:s}", "layout", t == T_BINARY ? layouts[v->bcast] : "dense");
    if (t >= T_REDUCE) json_object_set_new(c, "reduced_dim", json_string("last"));
    if (v->max_len) json_object_set_new(c, "max_len", json_integer(v->max_len));
    if (v->len_multiple) json_object_set_new(c, "len_multiple", json_integer(v->len_multiple));
    if (v->hidden) json_object_set_new(c, "hidden", json_integer(v->hidden));
    return c;
}

static fg_status render_variant(const variant *v, fgc_tmpl *const *tmpls, rendered *r)
{
    snprintf(r->id, sizeof r->id, "%s.cpu.gen.%s", v->op->op, v->variant);
    snprintf(r->sym, sizeof r->sym, "fgi_gen_%s_%s", v->op->op, v->variant);
    snprintf(r->symbol, sizeof r->symbol, "gen_%s_%s", v->op->op, v->variant);
    snprintf(r->supports, sizeof r->supports, "%s_supports", r->sym);
    snprintf(r->run, sizeof r->run, "%s_run", r->sym);
    snprintf(r->file, sizeof r->file, "%s_%s%s.c", v->op->op, v->variant, v->vw == 8 ? "_avx2" : "");
    snprintf(r->tmpl_path, sizeof r->tmpl_path, "%s/%s.c.tmpl", FGC_TEMPLATE_DIR, TEMPLATE_NAMES[v->op->tmpl]);
    r->specialized = v->max_len || v->len_multiple || v->hidden || v->bcast || v->approx_tanh >= 0;
    json_t *ctx = context(v, r), *cfg = resolved_config(v), *con = constraints(v);
    fg_status s = ctx && cfg && con ? fgc_tmpl_render(tmpls[v->op->tmpl], ctx, &r->source)
                                    : FG_ERROR(FG_ERR_NO_MEMORY, "template context");
    r->config = cfg ? json_dumps(cfg, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    r->constraints = con ? json_dumps(con, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    if (s == FG_OK && (!r->config || !r->constraints)) s = FG_ERROR(FG_ERR_NO_MEMORY, "generation config");
    json_decref(ctx);
    json_decref(cfg);
    json_decref(con);
    return s;
}

/* ---------------------------------------------------------------- generate */

typedef struct plan {
    char repo[PATH_MAX];
    char command[PATH_MAX + 32];
    char date[64];
    size_t n;
    variant *v;
    rendered *r;
    fg_codegen_kernel *k;
} plan;

static void plan_free(plan *p)
{
    for (size_t i = 0; p->r && i < p->n; i++) {
        free(p->r[i].source);
        free(p->r[i].config);
        free(p->r[i].constraints);
    }
    free(p->v);
    free(p->r);
    free(p->k);
}

static fg_status load_templates(const char *repo, fgc_tmpl **tmpls)
{
    for (int t = 0; t < T_COUNT; t++) {
        char path[PATH_MAX + 128], name[64];
        snprintf(name, sizeof name, "%s.c.tmpl", TEMPLATE_NAMES[t]);
        snprintf(path, sizeof path, "%s/%s/%s", repo, FGC_TEMPLATE_DIR, name);
        char *text = NULL;
        FG_FORWARD(fgc_read_file(path, 1 << 20, &text, NULL), "loading template %s", name);
        fg_status s = fgc_tmpl_parse(text, name, &tmpls[t]);
        free(text);
        if (s != FG_OK) return s;
    }
    return FG_OK;
}

static fg_status build_plan(const char *config_path, const fg_codegen_options *opts, plan *p)
{
    memset(p, 0, sizeof *p);
    FG_RETURN_IF(!config_path, FG_ERR_NULL, "config path is NULL");
    FG_FORWARD(fgc_repo_root(opts->repo_root, p->repo, sizeof p->repo), "fg-codegen");
    char rel[PATH_MAX], *text = NULL;
    FG_FORWARD(fgc_read_file(config_path, FG_CODEGEN_MAX_INPUT, &text, NULL), "reading the config");
    fgc_relative(p->repo, config_path, rel, sizeof rel);
    snprintf(p->command, sizeof p->command, "%s --config %s", FG_CODEGEN_TOOL, rel);
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    free(text);
    FG_RETURN_IF(!root, FG_ERR_PARSE, "%s:%d:%d: %s", config_path, je.line, je.column, je.text);
    fg_status s = FG_OK;
    static const char *const top[] = {"generation_date", "kernels", "description", NULL};
    const json_t *kernels = json_object_get(root, "kernels"), *date = json_object_get(root, "generation_date");
    if (!json_is_object(root)) s = BAD("%s: expected a JSON object", config_path);
    if (s == FG_OK) s = fgc_check_keys(root, top, "config");
    if (s == FG_OK && (!json_is_array(kernels) || json_array_size(kernels) == 0 ||
                       json_array_size(kernels) > FG_CODEGEN_MAX_KERNELS))
        s = BAD("config.kernels: expected an array of 1..%d kernels", FG_CODEGEN_MAX_KERNELS);
    /* a fixed date keeps regeneration byte-identical; it is the date of the
     * config's last intended change */
    int64_t ns;
    if (s == FG_OK && (!json_is_string(date) || fgi_meta_time_parse(json_string_value(date), &ns) != FG_OK))
        s = BAD("config.generation_date: expected an RFC 3339 date-time such as \"2026-11-25T07:00:00Z\"");
    if (s == FG_OK) {
        fgi_meta_time_format(ns, p->date, sizeof p->date);
        p->n = json_array_size(kernels);
        p->v = calloc(p->n, sizeof *p->v);
        p->r = calloc(p->n, sizeof *p->r);
        p->k = calloc(p->n, sizeof *p->k);
        if (!p->v || !p->r || !p->k) s = FG_ERROR(FG_ERR_NO_MEMORY, "config");
    }
    for (size_t i = 0; s == FG_OK && i < p->n; i++) s = parse_variant(json_array_get(kernels, i), i, &p->v[i]);
    json_decref(root);
    if (s != FG_OK) return fgi_error_push(s, "%s", config_path);
    fgc_tmpl *tmpls[T_COUNT] = {0};
    s = load_templates(p->repo, tmpls);
    for (size_t i = 0; s == FG_OK && i < p->n; i++) {
        s = render_variant(&p->v[i], tmpls, &p->r[i]);
        if (s != FG_OK) s = fgi_error_push(s, "kernels[%zu] (%s %s)", i, p->v[i].op->op, p->v[i].variant);
        rendered *r = &p->r[i];
        p->k[i] = (fg_codegen_kernel){.kernel_id = r->id,
                                      .op = p->v[i].op->op,
                                      .file = r->file,
                                      .symbol = r->symbol,
                                      .supports = r->supports,
                                      .run = r->run,
                                      .specialized = r->specialized,
                                      .dtypes = "ALL",
                                      .avx2 = p->v[i].vw == 8,
                                      .priority = p->v[i].priority,
                                      .source = r->source,
                                      .generator_tool = FG_CODEGEN_TOOL,
                                      .generator_version = FG_CODEGEN_VERSION,
                                      .source_template = r->tmpl_path,
                                      .generation_date = p->date,
                                      .generation_config = r->config,
                                      .shape_constraints = r->constraints};
    }
    for (int t = 0; t < T_COUNT; t++) fgc_tmpl_free(tmpls[t]);
    return s;
}

fg_status fg_codegen_generate(const char *config_path, const fg_codegen_options *opts, fg_codegen_summary *summary)
{
    fg_codegen_options none = {0};
    if (!opts) opts = &none;
    plan p;
    fg_status s = build_plan(config_path, opts, &p);
    if (s == FG_OK) {
        fg_codegen_options o = *opts;
        o.repo_root = p.repo;
        s = fg_codegen_emit(p.k, p.n, p.command, FG_CODEGEN_MODE_BLOCK, &o, summary);
    }
    plan_free(&p);
    return s;
}

/* ---------------------------------------------------------------- check */

static size_t compare_file(const char *want_path, const char *have_path, const char *name, FILE *log)
{
    char *a = NULL, *b = NULL;
    fgc_read_file(want_path, (size_t)64 << 20, &a, NULL);
    fgc_read_file(have_path, (size_t)64 << 20, &b, NULL);
    fgi_error_clear();
    size_t diff = 0;
    if (!b) {
        if (log) fprintf(log, "missing: %s (the config generates it)\n", name);
        diff = 1;
    } else if (!a || strcmp(a, b) != 0) {
        if (log) fprintf(log, "differs: %s\n", name);
        diff = 1;
    }
    free(a);
    free(b);
    return diff;
}

/* Files under the generated folder that name this command in their first
 * line but are not in the plan. */
static size_t stale_files(const plan *p, FILE *log)
{
    static const char *const cats[] = {"pointwise", "reduction", "blas"};
    char header[PATH_MAX + 128];
    snprintf(header, sizeof header, "/* GENERATED by %s -- DO NOT EDIT */\n", p->command);
    size_t stale = 0;
    for (int c = 0; c < 3; c++) {
        char dir[PATH_MAX + 128];
        snprintf(dir, sizeof dir, "%s/%s/%s", p->repo, FGC_GEN_DIR, cats[c]);
        DIR *d = opendir(dir);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0) continue;
            bool planned = false;
            for (size_t i = 0; i < p->n && !planned; i++)
                planned = !strcmp(p->r[i].file, e->d_name) && !strcmp(fgc_op_category(p->v[i].op->op), cats[c]);
            if (planned) continue;
            char path[2 * PATH_MAX], *text = NULL;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (fgc_read_file(path, (size_t)4 << 20, &text, NULL) == FG_OK &&
                !strncmp(text, header, strlen(header))) {
                if (log) fprintf(log, "stale: %s/%s/%s (no longer in the config)\n", FGC_GEN_DIR, cats[c], e->d_name);
                stale++;
            }
            fgi_error_clear();
            free(text);
        }
        closedir(d);
    }
    return stale;
}

/* Whether the metadata entry of kernel i records what the generator would
 * write (generation_info, code_location file and line range); 1 if not. A
 * tree without _metadata.json has nothing to compare. */
static size_t compare_metadata(const plan *p, fgi_meta_store *st, size_t i, const char *scratch_file, FILE *log)
{
    if (!st) return 0;
    const fg_codegen_kernel *k = &p->k[i];
    const fgi_meta_op *op = NULL;
    if (fgi_meta_get_op(st, k->kernel_id, &op) != FG_OK) {
        fgi_error_clear();
        if (log) fprintf(log, "metadata: %s has no entry in %s/_metadata.json\n", k->kernel_id, FGC_GEN_DIR);
        return 1;
    }
    char *text = NULL;
    int start = 0, end = 0;
    if (fgc_read_file(scratch_file, (size_t)4 << 20, &text, NULL) == FG_OK) fgc_run_range(text, k->run, &start, &end);
    fgi_error_clear();
    free(text);
    json_t *a = json_loads(op->generation_info.generation_config, 0, NULL), *b = json_loads(k->generation_config, 0, NULL);
    const char *gt = op->generation_info.generator_tool, *gv = op->generation_info.generator_version;
    const char *tp = op->generation_info.source_template, *gd = op->generation_info.generation_date;
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/%s/%s", FGC_GEN_DIR, fgc_op_category(k->op), k->file);
    bool same = gt && !strcmp(gt, k->generator_tool) && gv && !strcmp(gv, k->generator_version) && tp &&
                !strcmp(tp, k->source_template) && gd && !strcmp(gd, k->generation_date) && a && b &&
                json_equal(a, b) && !strcmp(op->code_location.file_path, rel) && op->code_location.line_start == start &&
                op->code_location.line_end == end;
    json_decref(a);
    json_decref(b);
    fgi_meta_op_release(op);
    if (!same && log) fprintf(log, "metadata: the entry of %s is out of date\n", k->kernel_id);
    return same ? 0 : 1;
}

fg_status fg_codegen_check(const char *config_path, const fg_codegen_options *opts, size_t *differences)
{
    FG_RETURN_IF(!differences, FG_ERR_NULL, "differences is NULL");
    *differences = 0;
    fg_codegen_options none = {0};
    if (!opts) opts = &none;
    plan p;
    fg_status s = build_plan(config_path, opts, &p);
    char scratch[PATH_MAX] = "";
    bool own = false;
    if (s == FG_OK) {
        if (opts->out_dir) {
            snprintf(scratch, sizeof scratch, "%s", opts->out_dir);
        } else {
            const char *tmp = getenv("TMPDIR");
            snprintf(scratch, sizeof scratch, "%s/fg-codegen-check.XXXXXX", tmp && *tmp ? tmp : "/tmp");
            own = mkdtemp(scratch) != NULL;
            if (!own) s = FG_ERROR(FG_ERR_IO, "cannot create %s: %s", scratch, strerror(errno));
        }
    }
    if (s == FG_OK) {
        fg_codegen_options o = *opts;
        o.repo_root = p.repo;
        o.out_dir = scratch;
        o.log = NULL;
        o.flags = (opts->flags & FG_CODEGEN_NO_FORMAT) | FG_CODEGEN_NO_METADATA;
        s = fg_codegen_emit(p.k, p.n, p.command, FG_CODEGEN_MODE_BLOCK, &o, NULL);
    }
    /* the metadata entries, when the tree has a metadata file */
    fgi_meta_store *st = NULL;
    char mpath[PATH_MAX + 64];
    snprintf(mpath, sizeof mpath, "%s/%s/_metadata.json", p.repo, FGC_GEN_DIR);
    if (s == FG_OK && access(mpath, F_OK) == 0) {
        fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_READONLY, .repo_root = p.repo};
        s = fgi_meta_open(mpath, &mo, &st);
    }
    for (size_t i = 0; s == FG_OK && i < p.n; i++) {
        const char *cat = fgc_op_category(p.v[i].op->op);
        char want[2 * PATH_MAX], have[2 * PATH_MAX], name[PATH_MAX];
        snprintf(want, sizeof want, "%s/%s/%s", scratch, cat, p.r[i].file);
        snprintf(have, sizeof have, "%s/%s/%s/%s", p.repo, FGC_GEN_DIR, cat, p.r[i].file);
        snprintf(name, sizeof name, "%s/%s/%s", FGC_GEN_DIR, cat, p.r[i].file);
        *differences += compare_file(want, have, name, opts->log);
        *differences += compare_metadata(&p, st, i, want, opts->log);
    }
    fgi_meta_close(st);
    if (s == FG_OK) {
        /* the config's block of kernels.def */
        char want[2 * PATH_MAX], have[2 * PATH_MAX];
        snprintf(want, sizeof want, "%s/kernels.def", scratch);
        snprintf(have, sizeof have, "%s/%s/kernels.def", p.repo, FGC_GEN_DIR);
        char *a = NULL, *b = NULL;
        s = fgc_read_file(want, FG_CODEGEN_MAX_INPUT, &a, NULL);
        if (s == FG_OK) s = fgc_read_file(have, FG_CODEGEN_MAX_INPUT, &b, NULL);
        if (s == FG_OK) {
            size_t ba, bb, la, lb;
            const char *xa, *xb, *aa, *ab;
            fgc_def_split(a, p.command, &ba, &xa, &la, &aa);
            fgc_def_split(b, p.command, &bb, &xb, &lb, &ab);
            if (!xb || la != lb || memcmp(xa, xb, la) != 0) {
                if (opts->log)
                    fprintf(opts->log, "differs: %s/kernels.def (the block of %s)\n", FGC_GEN_DIR, p.command);
                (*differences)++;
            }
        }
        free(a);
        free(b);
    }
    if (s == FG_OK) *differences += stale_files(&p, opts->log);
    if (own && (s != FG_OK || *differences == 0)) fgc_remove_tree(scratch);
    else if (own && opts->log)
        fprintf(opts->log, "the regenerated files are in %s\n", scratch);
    plan_free(&p);
    return s;
}
