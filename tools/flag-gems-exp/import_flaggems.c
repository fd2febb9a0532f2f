/* flag-gems-exp import-flaggems: FlagGems' operator inventory
 * (conf/operators.yaml) and its per-platform benchmark results
 * (bench_<platform>.json) become entries of the metadata store.
 *
 * Mapping (docs/experimental/user_guide.md, "Importing FlagGems"):
 *   id                 op_name; a leading "_" (ATen-internal ops) becomes
 *                      "aten_" because op names start with a letter.
 *                      Kernel id "<op_name>.triton.gen" for KernelGen ops,
 *                      "<op_name>.triton.flaggems" for the others.
 *   stages             the last stage gives the status (alpha EXPERIMENTAL,
 *                      beta VALIDATED, stable STABLE, removed DEPRECATED);
 *                      the first stage's version is in_experimental_since.
 *   labels KernelGen   generation_info.generator_tool "KernelGen".
 *   labels/kind        category: pointwise, reduction, blas (kind BLAS),
 *                      else custom; the raw lists go to generation_config.
 *   entry position     code_location: conf/operators.yaml, its lines.
 *   bench accuracy     Passed on a platform: the platform's device is a
 *                      tested device; Failed/Error there: accuracy failed.
 *   bench fp16/...     one performance baseline per platform and dtype
 *                      (speedup vs torch, FlagGems' mean over shapes).
 * Every entry that cannot be imported, and every benchmark result that
 * matches no entry, is reported with its index and id. */
#include "cli.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#define MAX_INPUT ((size_t)64 << 20)
#define MAX_BENCH 16

/* One platform file. */
typedef struct platform {
    const char *file;
    char name[65];     /* "hopper" */
    char device[65];   /* "NVIDIA-Hopper" */
    char when[40];     /* RFC 3339 */
    size_t results, matched, passed;
    size_t baselines;
} platform;

/* One platform's result for one inventory entry. */
typedef struct result {
    int present;
    int acc;           /* 1 Passed, -1 Failed/Error, 0 other (untested) */
    long long cases;
    double speedup[3]; /* fp16, fp32, bf16; 0: not measured */
} result;

typedef struct entry {
    size_t index;
    int line_start, line_end;
    char id[128];       /* as in the inventory */
    char op_name[136];
    char kernel_id[FGI_META_MAX_ID + 1];
    fgi_meta_category category;
    fgi_meta_status status;
    char since[72];
    int kernelgen;
    json_t *config;     /* generation_config */
    int ok;             /* importable */
    result res[MAX_BENCH];
} entry;

typedef struct importer {
    cli_ctx *ctx;
    const char *inventory;
    entry *e;
    size_t n;
    platform plat[MAX_BENCH];
    int nplat;
    json_t *problems;   /* [{file, index, id, line, message, imported}] */
    size_t dropped_entries, dropped_results;
} importer;

static void problem(importer *im, const char *file, long index, const char *id, int line,
                    int imported, const char *fmt, ...) FGI_PRINTF(7, 8);

static void problem(importer *im, const char *file, long index, const char *id, int line,
                    int imported, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[160] = "";
    if (line > 0) snprintf(where, sizeof where, ", line %d", line);
    char pos[64];
    snprintf(pos, sizeof pos, file == im->inventory ? "entry %ld" : "operators[%ld]", index);
    cli_warn(im->ctx, "%s: %s (id %s%s): %s%s", file, pos, id && id[0] ? id : "?", where, msg,
             imported ? "" : "; not imported");
    json_array_append_new(im->problems,
                          json_pack("{s:s, s:I, s:s, s:i, s:s, s:b}", "file", file, "index",
                                    (json_int_t)index, "id", id ? id : "", "line", line,
                                    "message", msg, "imported", imported));
}

/* ---------------------------------------------------------------- YAML */

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A sequence of scalars as a JSON array; NULL if n is not one. */
static json_t *scalar_list(yaml_document_t *d, yaml_node_t *n)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return NULL;
    json_t *a = json_array();
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        const char *s = scalar(yaml_document_get_node(d, *i));
        if (!s) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, json_string(s));
    }
    return a;
}

static int list_has(const json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (strcasecmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

static int valid_op_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !islower((unsigned char)s[0])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

static int valid_version(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) digits++;
        else if (*p != '.' || !digits || p[1] == '\0') return 0;
    }
    return digits > 0 && strlen(s) < 32;
}

static const char *const k_known_keys[] = {"id",        "description", "for",    "labels",
                                           "kind",      "stages",      "cpp",    "condition",
                                           "marks",     "device"};

/* Reads one inventory entry; returns 0 when it can be imported. */
static int read_entry(importer *im, yaml_document_t *d, yaml_node_t *n, entry *e)
{
    const char *f = im->inventory;
    long idx = (long)e->index;
    e->line_start = (int)n->start_mark.line + 1;
    e->line_end = (int)n->end_mark.line + (n->end_mark.column > 0);
    if (e->line_end < e->line_start) e->line_end = e->line_start;
    if (n->type != YAML_MAPPING_NODE) {
        problem(im, f, idx, NULL, e->line_start, 0, "expected a mapping");
        return -1;
    }
    const char *id = scalar(map_get(d, n, "id"));
    if (!id || !id[0]) {
        problem(im, f, idx, NULL, e->line_start, 0, "no 'id'");
        return -1;
    }
    snprintf(e->id, sizeof e->id, "%s", id);
    if (strlen(id) >= sizeof e->id) {
        problem(im, f, idx, e->id, e->line_start, 0, "id longer than %zu bytes", sizeof e->id - 1);
        return -1;
    }
    snprintf(e->op_name, sizeof e->op_name, "%s%s", id[0] == '_' ? "aten" : "", id);
    if (!valid_op_name(e->op_name)) {
        problem(im, f, idx, id, e->line_start, 0,
                "id is not an op name ([a-z_][a-z0-9_]*, at most 63 bytes)");
        return -1;
    }
    json_t *labels = scalar_list(d, map_get(d, n, "labels"));
    json_t *kind = map_get(d, n, "kind") ? scalar_list(d, map_get(d, n, "kind")) : json_array();
    json_t *aten = map_get(d, n, "for") ? scalar_list(d, map_get(d, n, "for")) : json_array();
    if (!labels || !kind || !aten) {
        problem(im, f, idx, id, e->line_start, 0, "'%s' must be a list of strings",
                !labels ? "labels" : !kind ? "kind" : "for");
        json_decref(labels);
        json_decref(kind);
        json_decref(aten);
        return -1;
    }
    e->kernelgen = list_has(labels, "KernelGen");
    snprintf(e->kernel_id, sizeof e->kernel_id, "%.64s.triton.%s", e->op_name,
             e->kernelgen ? "gen" : "flaggems");
    e->category = list_has(labels, "pointwise") || list_has(kind, "Pointwise") ? FGI_META_POINTWISE
                  : list_has(labels, "reduction") || list_has(kind, "Reduction")
                      ? FGI_META_REDUCTION
                  : list_has(kind, "BLAS") ? FGI_META_BLAS
                                           : FGI_META_CUSTOM;
    e->config = json_pack("{s:s, s:o, s:o, s:o, s:s}", "flaggems_id", id, "for", aten, "kind", kind,
                          "labels", labels, "source", "FlagGems conf/operators.yaml");

    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(d, p->key));
        size_t i = 0;
        while (k && i < sizeof k_known_keys / sizeof *k_known_keys && strcmp(k, k_known_keys[i]))
            i++;
        if (!k || i == sizeof k_known_keys / sizeof *k_known_keys)
            problem(im, f, idx, id, (int)yaml_document_get_node(d, p->key)->start_mark.line + 1, 1,
                    "unknown key '%s' ignored", k ? k : "(not a string)");
    }

    yaml_node_t *st = map_get(d, n, "stages");
    if (!st || st->type != YAML_SEQUENCE_NODE || st->data.sequence.items.start == st->data.sequence.items.top) {
        problem(im, f, idx, id, e->line_start, 0, "%s",
                !st ? "no 'stages': its lifecycle stage is unknown"
                    : st->type != YAML_SEQUENCE_NODE ? "'stages' must be a list"
                                                     : "'stages' is empty");
        return -1;
    }
    static const char *const stage_names[] = {"alpha", "beta", "stable", "removed"};
    static const fgi_meta_status stage_status[] = {FGI_META_EXPERIMENTAL, FGI_META_VALIDATED,
                                                   FGI_META_STABLE, FGI_META_DEPRECATED};
    for (yaml_node_item_t *i = st->data.sequence.items.start; i < st->data.sequence.items.top; i++) {
        yaml_node_t *s = yaml_document_get_node(d, *i);
        int line = (int)s->start_mark.line + 1;
        if (s->type != YAML_MAPPING_NODE || s->data.mapping.pairs.top - s->data.mapping.pairs.start != 1) {
            problem(im, f, idx, id, line, 0, "a stage must be one 'name: version' pair");
            return -1;
        }
        const char *name = scalar(yaml_document_get_node(d, s->data.mapping.pairs.start->key));
        const char *ver = scalar(yaml_document_get_node(d, s->data.mapping.pairs.start->value));
        int k = 0;
        while (name && k < 4 && strcmp(name, stage_names[k])) k++;
        if (!name || k == 4) {
            problem(im, f, idx, id, line, 0,
                    "unknown stage '%s' (expected alpha, beta, stable or removed)",
                    name ? name : "?");
            return -1;
        }
        if (!ver || !valid_version(ver)) {
            problem(im, f, idx, id, line, 0, "stage %s: '%s' is not a version like '5.4'", name,
                    ver ? ver : "?");
            return -1;
        }
        if (i == st->data.sequence.items.start) snprintf(e->since, sizeof e->since, "v%s", ver);
        e->status = stage_status[k];
    }
    return 0;
}

static int read_inventory(importer *im)
{
    char *text, why[256];
    size_t len;
    if (cli_read_file(im->inventory, MAX_INPUT, &text, &len, why, sizeof why) < 0)
        return cli_usage(im->ctx, "check the --inventory path", "cannot read '%s': %s",
                         im->inventory, why);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return cli_fail(im->ctx, NULL, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = CLI_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = cli_usage(im->ctx, "the inventory must be valid YAML", "%s: line %zu, column %zu: %s",
                      im->inventory, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                      parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        free(text);
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *ops = root && root->type == YAML_MAPPING_NODE ? map_get(&doc, root, "ops") : NULL;
    if (!ops || ops->type != YAML_SEQUENCE_NODE) {
        rc = cli_usage(im->ctx, "FlagGems' conf/operators.yaml has 'ops:' with a list of entries",
                      "%s: no 'ops' list at the top level", im->inventory);
    } else {
        size_t n = (size_t)(ops->data.sequence.items.top - ops->data.sequence.items.start);
        im->e = calloc(n ? n : 1, sizeof *im->e);
        if (!im->e) rc = cli_fail(im->ctx, NULL, "out of memory");
        for (size_t i = 0; rc == CLI_OK && i < n; i++) {
            entry *e = &im->e[i];
            e->index = i;
            e->ok = read_entry(im, &doc, yaml_document_get_node(&doc, ops->data.sequence.items.start[i]), e) == 0;
            for (size_t j = 0; e->ok && j < i; j++) {
                if (im->e[j].ok && strcmp(im->e[j].kernel_id, e->kernel_id) == 0) {
                    problem(im, im->inventory, (long)i, e->id, e->line_start, 0,
                            "duplicate of entry %zu (same kernel id %s)", j, e->kernel_id);
                    e->ok = 0;
                }
            }
            im->dropped_entries += !e->ok;
        }
        im->n = n;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- bench files */

static const char *const k_devices[][2] = {
    {"hopper", "NVIDIA-Hopper"}, {"metax", "MetaX"}, {"iluvatar", "Iluvatar"}, {"hygon", "Hygon"}};

/* "2026-05-09 00:00:00" (FlagGems writes UTC without a zone) or RFC 3339. */
static int bench_time(const char *s, char *out, size_t n)
{
    int64_t ns;
    char buf[40];
    if (strlen(s) == 19 && s[10] == ' ') {
        snprintf(buf, sizeof buf, "%.10sT%sZ", s, s + 11);
        s = buf;
    }
    if (fgi_meta_time_parse(s, &ns) != FG_OK) return -1;
    fgi_meta_time_format(ns, out, n);
    return 0;
}

static entry *find_entry(importer *im, const char *id)
{
    for (size_t i = 0; i < im->n; i++)
        if (im->e[i].ok && strcmp(im->e[i].id, id) == 0) return &im->e[i];
    return NULL;
}

static int read_bench(importer *im, const char *file)
{
    json_error_t err;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return cli_usage(im->ctx, "pass FlagGems' bench_<platform>.json", "%s: line %d, column %d: %s",
                         file, err.line, err.column, err.text);
    platform *p = &im->plat[im->nplat];
    memset(p, 0, sizeof *p);
    p->file = file;
    const char *name = json_string_value(json_object_get(root, "platform"));
    const char *ts = json_string_value(json_object_get(root, "timestamp"));
    json_t *ops = json_object_get(root, "operators");
    int rc = CLI_OK;
    if (!name || !name[0] || strlen(name) > 64 || !ts || !json_is_array(ops))
        rc = cli_usage(im->ctx, "FlagGems' files have platform, timestamp and operators[]",
                      "%s: %s", file,
                      !name || !name[0] || strlen(name) > 64 ? "no valid 'platform' string"
                      : !ts                                  ? "no 'timestamp' string"
                                                             : "no 'operators' list");
    else if (bench_time(ts, p->when, sizeof p->when) < 0)
        rc = cli_usage(im->ctx, NULL, "%s: timestamp '%s' is not 'YYYY-MM-DD HH:MM:SS'", file, ts);
    for (int i = 0; rc == CLI_OK && i < im->nplat; i++)
        if (strcmp(im->plat[i].name, name) == 0)
            rc = cli_usage(im->ctx, "pass each platform once", "%s: platform '%s' is also in %s",
                           file, name, im->plat[i].file);
    if (rc != CLI_OK) {
        json_decref(root);
        return rc;
    }
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->device, sizeof p->device, "%s", name);
    for (size_t i = 0; i < sizeof k_devices / sizeof *k_devices; i++)
        if (strcmp(name, k_devices[i][0]) == 0) snprintf(p->device, sizeof p->device, "%s", k_devices[i][1]);
    for (size_t k = 0; k < strlen(p->device); k++)
        if ((unsigned char)p->device[k] < 0x20 || (unsigned char)p->device[k] >= 0x7F) p->device[k] = '_';

    size_t i;
    json_t *o;
    json_array_foreach(ops, i, o)
    {
        p->results++;
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!json_is_object(o) || !id) {
            problem(im, file, (long)i, NULL, 0, 0, "expected an object with a string 'id'");
            im->dropped_results++;
            continue;
        }
        const char *acc = json_string_value(json_object_get(o, "accuracy"));
        static const char *const accs[] = {"Passed", "Failed", "Error", "NotFound", "Skipped",
                                           "Timeout"};
        int a = 0;
        while (acc && a < 6 && strcmp(acc, accs[a])) a++;
        if (!acc || a == 6) {
            problem(im, file, (long)i, id, 0, 0,
                    "accuracy '%s' is not Passed, Failed, Error, NotFound, Skipped or Timeout",
                    acc ? acc : "(missing)");
            im->dropped_results++;
            continue;
        }
        static const char *const dt[] = {"fp16", "fp32", "bf16"};
        double sp[3] = {0, 0, 0};
        int bad = -1;
        for (int k = 0; k < 3; k++) {
            json_t *v = json_object_get(o, dt[k]);
            if (!v || json_is_null(v)) continue;
            if (!json_is_number(v) || !(json_number_value(v) > 0) || !isfinite(json_number_value(v)))
                bad = k;
            else sp[k] = json_number_value(v);
        }
        if (bad >= 0) {
            problem(im, file, (long)i, id, 0, 0, "'%s' must be a positive speedup or null", dt[bad]);
            im->dropped_results++;
            continue;
        }
        entry *e = find_entry(im, id);
        if (!e) {
            problem(im, file, (long)i, id, 0, 0, "no inventory entry has this id");
            im->dropped_results++;
            continue;
        }
        result *r = &e->res[im->nplat];
        r->present = 1;
        r->acc = a == 0 ? 1 : a <= 2 ? -1 : 0;
        if (r->acc)
            r->cases = json_integer_value(json_object_get(o, "acc_passed")) +
                       json_integer_value(json_object_get(o, "acc_failed"));
        memcpy(r->speedup, sp, sizeof sp);
        p->matched++;
        p->passed += a == 0;
        p->baselines += (sp[0] > 0) + (sp[1] > 0) + (sp[2] > 0);
    }
    im->nplat++;
    json_decref(root);
    return CLI_OK;
}

/* ---------------------------------------------------------------- metadata */

/* The entry's fields (all but status, and op_name/category for an update). */
static json_t *entry_json(const importer *im, const entry *e, int fresh)
{
    static const char *const dtypes[] = {"float16", "float32", "bfloat16"};
    json_t *devices = json_array(), *baselines = json_array();
    int passed = 0, failed = 0;
    long long cases = 0;
    const char *acc_run = NULL, *perf_run = NULL;
    for (int p = 0; p < im->nplat; p++) {
        const result *r = &e->res[p];
        if (!r->present) continue;
        if (r->acc) {
            if (!acc_run || strcmp(im->plat[p].when, acc_run) > 0) acc_run = im->plat[p].when;
            cases += r->cases > 0 ? r->cases : 0;
        }
        passed |= r->acc > 0;
        failed |= r->acc < 0;
        if (r->acc > 0) json_array_append_new(devices, json_string(im->plat[p].device));
        for (int k = 0; k < 3; k++) {
            if (!(r->speedup[k] > 0)) continue;
            if (!perf_run || strcmp(im->plat[p].when, perf_run) > 0) perf_run = im->plat[p].when;
            json_array_append_new(
                baselines, json_pack("{s:s, s:[], s:s, s:f, s:f, s:s, s:s}", "device",
                                     im->plat[p].device, "shape", "dtype", dtypes[k], "speedup",
                                     r->speedup[k], "memory_overhead", 0.0, "reference_impl",
                                     "torch", "timestamp", im->plat[p].when));
        }
    }
    int acc_ok = passed && !failed;
    json_t *j = json_pack(
        "{s:{s:o, s:n, s:n, s:n, s:O}, s:{s:{s:b, s:I, s:o, s:{}}, s:{s:o, s:o}},"
        " s:{s:o, s:[], s:{}}, s:{s:s, s:{s:b}}, s:{s:s, s:i, s:i, s:n}}",
        "generation_info", "generator_tool", e->kernelgen ? json_string("KernelGen") : json_null(),
        "generator_version", "source_template", "generation_date", "generation_config", e->config,
        "validation_info", "accuracy_tests", "passed", acc_ok, "test_cases", (json_int_t)cases,
        "last_run", acc_run ? json_string(acc_run) : json_null(), "coverage", "performance_tests",
        "baselines", baselines, "last_run", perf_run ? json_string(perf_run) : json_null(),
        "hardware_support", "tested_devices", devices, "optimal_devices", "shape_constraints",
        "graduation_tracking", "in_experimental_since", e->since, "checklist", "accuracy_passed",
        acc_ok, "code_location", "file_path", "conf/operators.yaml", "line_start", e->line_start,
        "line_end", e->line_end, "commit_hash");
    if (j && fresh) {
        json_object_set_new(j, "op_name", json_string(e->op_name));
        json_object_set_new(j, "category", json_string(fgi_meta_category_name(e->category)));
    }
    return j;
}

/* Moves a kernel along the lifecycle graph to `to`, one allowed step at a
 * time (import records where FlagGems already is). The caller checked
 * that the move goes forward, or is the demotion VALIDATED -> EXPERIMENTAL. */
static fg_status walk_status(fgi_meta_store *s, const char *kid, fgi_meta_status from,
                             fgi_meta_status to)
{
    if (from == FGI_META_VALIDATED && to == FGI_META_EXPERIMENTAL)
        return fgi_meta_update_op(s, kid, "{\"status\": \"EXPERIMENTAL\"}");
    for (int st = (int)from + 1; st <= (int)to; st++) {
        char patch[64];
        snprintf(patch, sizeof patch, "{\"status\": \"%s\"}", fgi_meta_status_name((fgi_meta_status)st));
        fg_status r = fgi_meta_update_op(s, kid, patch);
        if (r != FG_OK) return r;
    }
    return FG_OK;
}

/* Registers or updates one kernel. 0, or -1 with the reason in why (the
 * entry is then unchanged). */
static int store_entry(importer *im, fgi_meta_store *s, const entry *e, int *fresh, char *why,
                       size_t why_size)
{
    const fgi_meta_op *cur = NULL;
    fg_status st = fgi_meta_get_op(s, e->kernel_id, &cur);
    *fresh = st == FG_ERR_NOT_FOUND;
    if (st != FG_OK && !*fresh) goto lib_error;
    fgi_meta_status from = FGI_META_EXPERIMENTAL;
    if (cur) {
        from = cur->status;
        int same = strcmp(cur->op_name, e->op_name) == 0 && cur->category == e->category;
        fgi_meta_op_release(cur);
        if (!same) {
            snprintf(why, why_size, "kernel %s exists with another op name or category",
                     e->kernel_id);
            return -1;
        }
        if (e->status < from && !(from == FGI_META_VALIDATED && e->status == FGI_META_EXPERIMENTAL)) {
            snprintf(why, why_size, "%s has status %s in the metadata; the lifecycle cannot go back to %s",
                     e->kernel_id, fgi_meta_status_name(from), fgi_meta_status_name(e->status));
            return -1;
        }
    }
    json_t *j = entry_json(im, e, *fresh);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    st = *fresh ? fgi_meta_register_op(s, e->kernel_id, text)
                : fgi_meta_update_op(s, e->kernel_id, text);
    free(text);
    if (st == FG_OK) st = walk_status(s, e->kernel_id, from, e->status);
    if (st == FG_OK) return 0;
lib_error:
    snprintf(why, why_size, "%s", fg_last_error());
    return -1;
}

/* ---------------------------------------------------------------- command */

static void print_summary(importer *im, size_t fresh, size_t updated, const size_t *by_status,
                          int dry_run)
{
    cli_ctx *ctx = im->ctx;
    if (ctx->format == CLI_JSON) {
        json_t *st = json_object(), *plats = json_array();
        for (int i = 0; i < FGI_META_STATUS_COUNT; i++)
            json_object_set_new(st, fgi_meta_status_name((fgi_meta_status)i),
                                json_integer((json_int_t)by_status[i]));
        for (int i = 0; i < im->nplat; i++)
            json_array_append_new(
                plats, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "file",
                                 im->plat[i].file, "platform", im->plat[i].name, "device",
                                 im->plat[i].device, "timestamp", im->plat[i].when, "results",
                                 (json_int_t)im->plat[i].results, "matched",
                                 (json_int_t)im->plat[i].matched, "accuracy_passed",
                                 (json_int_t)im->plat[i].passed, "baselines",
                                 (json_int_t)im->plat[i].baselines));
        cli_print_json(json_pack(
            "{s:s, s:b, s:{s:s, s:I, s:I, s:I, s:I}, s:o, s:o, s:I, s:O}", "metadata",
            ctx->metadata, "dry_run", dry_run, "inventory", "file", im->inventory, "entries",
            (json_int_t)im->n, "imported", (json_int_t)(fresh + updated), "new",
            (json_int_t)fresh, "updated", (json_int_t)updated, "statuses", st, "platforms",
            plats, "results_not_imported", (json_int_t)im->dropped_results, "problems",
            im->problems));
        return;
    }
    printf("%s %zu of %zu inventory entries (%zu new, %zu updated) %s %s\n",
           dry_run ? "would import" : "imported", fresh + updated, im->n, fresh, updated,
           dry_run ? "into" : "into", ctx->metadata);
    static const char *const heads[] = {"STATUS", "KERNELS"};
    cli_table t;
    cli_table_init(&t, 2, heads);
    for (int i = 0; i < FGI_META_STATUS_COUNT; i++) {
        char n[32];
        snprintf(n, sizeof n, "%zu", by_status[i]);
        const char *row[2] = {fgi_meta_status_name((fgi_meta_status)i), n};
        cli_table_row(&t, row);
    }
    printf("\n");
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);
    if (im->nplat) {
        static const char *const ph[] = {"PLATFORM", "DEVICE", "RESULTS", "MATCHED",
                                         "ACCURACY PASSED", "BASELINES"};
        cli_table_init(&t, 6, ph);
        for (int i = 0; i < im->nplat; i++) {
            char r[24], m[24], a[24], b[24];
            snprintf(r, sizeof r, "%zu", im->plat[i].results);
            snprintf(m, sizeof m, "%zu", im->plat[i].matched);
            snprintf(a, sizeof a, "%zu", im->plat[i].passed);
            snprintf(b, sizeof b, "%zu", im->plat[i].baselines);
            const char *row[6] = {im->plat[i].name, im->plat[i].device, r, m, a, b};
            cli_table_row(&t, row);
        }
        printf("\n");
        cli_table_print(&t, ctx->format, stdout);
        cli_table_free(&t);
    }
    printf("\n%zu inventory entries and %zu benchmark results not imported; %zu problems "
           "reported on stderr\n",
           im->dropped_entries, im->dropped_results, json_array_size(im->problems));
}

static int run_import(cli_ctx *ctx, const cli_args *a)
{
    importer im;
    memset(&im, 0, sizeof im);
    im.ctx = ctx;
    im.inventory = cli_opt(a, "inventory");
    int strict = cli_flag(a, "strict"), dry_run = cli_flag(a, "dry-run");
    if (!im.inventory || !im.inventory[0])
        return cli_usage(ctx, "e.g. --inventory conf/operators.yaml", "--inventory FILE is required");
    im.problems = json_array();
    int rc = read_inventory(&im);
    for (int i = 0; rc == CLI_OK && cli_opt_nth(a, "bench", i); i++) {
        if (i >= MAX_BENCH) rc = cli_usage(ctx, NULL, "at most %d --bench files", MAX_BENCH);
        else rc = read_bench(&im, cli_opt_nth(a, "bench", i));
    }
    size_t fresh = 0, updated = 0, by_status[FGI_META_STATUS_COUNT] = {0};
    fgi_meta_store *store = NULL;
    if (rc == CLI_OK && strict && json_array_size(im.problems))
        rc = cli_fail(ctx, "fix the entries above or drop --strict",
                      "%zu problems (--strict): nothing written", json_array_size(im.problems));
    if (rc == CLI_OK && !dry_run) rc = cli_open_metadata(ctx, 1, 1, &store);
    for (size_t i = 0; rc == CLI_OK && i < im.n; i++) {
        const entry *e = &im.e[i];
        if (!e->ok) continue;
        int is_new = 1;
        char why[1024];
        if (!dry_run && store_entry(&im, store, e, &is_new, why, sizeof why) < 0) {
            problem(&im, im.inventory, (long)i, e->id, e->line_start, 0, "%s", why);
            im.dropped_entries++;
            if (strict) rc = cli_fail(ctx, NULL, "nothing written (--strict)");
            continue;
        }
        fresh += is_new;
        updated += !is_new;
        by_status[e->status]++;
        cli_progress(ctx, i + 1, im.n, e->kernel_id);
    }
    cli_progress(ctx, im.n, im.n, NULL);
    if (rc == CLI_OK && store) {
        fg_status st = fgi_meta_save(store);
        if (st != FG_OK) rc = cli_lib_error(ctx, st, 0, "another process changed the file: run again",
                                            "cannot save the metadata");
    }
    if (rc == CLI_OK) print_summary(&im, fresh, updated, by_status, dry_run);
    fgi_meta_close(store);
    for (size_t i = 0; i < im.n; i++) json_decref(im.e[i].config);
    free(im.e);
    json_decref(im.problems);
    return rc;
}

static const cli_opt_spec k_opts[] = {{"inventory", CLI_VALUE}, {"bench", CLI_LIST},
                                      {"strict", CLI_FLAG},     {"dry-run", CLI_FLAG},
                                      {NULL, 0}};

const cli_cmd cli_cmd_import_flaggems = {
    "import-flaggems",
    "import FlagGems' operator inventory and benchmark results",
    "import-flaggems --inventory operators.yaml [--bench FILE ...] [--strict] [--dry-run]",
    "Reads FlagGems' operator inventory (conf/operators.yaml) and its per-platform\n"
    "benchmark results (bench_<platform>.json, one --bench each) and records every\n"
    "op as a kernel of the metadata file (created when absent; entries already\n"
    "there are updated): stages alpha/beta/stable/removed become EXPERIMENTAL,\n"
    "VALIDATED, STABLE, DEPRECATED, with the first stage's version as\n"
    "in_experimental_since; label KernelGen becomes generator_tool; each platform\n"
    "whose accuracy is Passed becomes a tested device; speedups per dtype become\n"
    "performance baselines (vs torch). Ops missing from a platform file are\n"
    "untested there. Entries that cannot be imported and results that match no\n"
    "entry are reported on stderr with their index and id.\n"
    "  --strict    any problem fails the command (exit 1) and nothing is written\n"
    "  --dry-run   read and check everything, write nothing",
    k_opts,
    0,
    0,
    0,
    run_import,
};
