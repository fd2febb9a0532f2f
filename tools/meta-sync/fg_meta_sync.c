/* fg-meta-sync: keeps src/experimental/generated/_metadata.json in line with
 * the experimental kernels that exist.
 *
 *   fg-meta-sync [--repo DIR] [--file PATH] [--check]
 *                [--perf-json FILE --perf-device NAME --perf-time RFC3339]
 *                [--patch KERNEL_ID JSON]... [--accuracy]
 *
 * For every line of src/experimental/{generated,custom}/kernels.def:
 *  - a kernel missing from the file is registered (op_name and category from
 *    the op, status EXPERIMENTAL, generation_info null for a hand-written
 *    kernel, zero test counts, in_experimental_since this version);
 *  - code_location is set to the kernel's run() function: the file under
 *    src/experimental/<group>/ that defines it, from its first line to the
 *    closing brace.
 * Every other field (status, shape constraints, results, graduation
 * tracking) is left as it is. A kernel that the file lists as EXPERIMENTAL,
 * VALIDATED or GRADUATION_CANDIDATE but no kernels.def has is reported.
 *
 * --perf-json imports measured speedups: the "custom" and "generated"
 * records of fg-bench-dispatch --json ({kernel, op, shape "[4096,32]",
 * dtype, baseline, speedup}) whose baseline is a stable-tier kernel, as
 * performance baselines of device --perf-device run at --perf-time (the
 * benchmark records carry no time: give the time of the run, e.g. the
 * commit time of the results file). The benchmark does not measure memory,
 * so memory_overhead is measured here: one call of the kernel and one of
 * its baseline on the record's shape and dtype (with a weight, no bias, as
 * the benchmark calls the norms), each forced, and the difference of the
 * workspace they take from the library allocator (peak minus live bytes),
 * in MB. A kernel this machine cannot run keeps the record's
 * "memory_overhead_mb", else 0 (said in the output).
 *
 * --accuracy runs the accuracy tool (src/experimental/testing/accuracy.h:
 * the default tier's configurations, every dtype, against the reference
 * kernel) on every kernel this machine can run and records each report
 * (passed, test cases, coverage, run time, checklist, and the lifecycle
 * step it implies: EXPERIMENTAL -> VALIDATED on a pass).
 *
 * --patch applies a partial entry (fgi_meta_update_op: validated, status
 * transitions checked), e.g. to set hardware_support.shape_constraints.
 *
 * The file is written (by the metadata store: canonical, durable) only when
 * an entry changed. --check writes nothing and exits 1 when the file is not
 * canonical or a change is due (the ctest metadata_committed_in_sync).
 * Exit 0 on success, 1 on a failed check or error, 2 on bad usage. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FG_EXPERIMENTAL_API
#include "flaggems/experimental.h"

#include "core/cpu.h"
#include "experimental/metadata.h"
#include "experimental/testing/accuracy.h"
#include "ops/registry.h"

typedef struct def_kernel {
    char id[FGI_META_MAX_ID + 1];
    char op[32];
    char run[96];
    const char *group; /* "generated" or "custom" */
    char file[4096];   /* repository-relative; "" until found */
    long line_start, line_end;
} def_kernel;

static def_kernel kernels[FGI_MAX_KERNELS];
static int n_kernels;
static const char *repo = ".";
static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fg-meta-sync: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    problems++;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == ')')) *--e = '\0';
    return s;
}

/* FGI_EXP_KERNEL(sym, "id", op, specialized, dtypes, isa, priority, supports, run) */
static void read_def(const char *group)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/src/experimental/%s/kernels.def", repo, group);
    FILE *f = fopen(path, "r");
    if (!f) {
        problem("%s: %s", path, strerror(errno));
        return;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (strncmp(line, "FGI_EXP_KERNEL(", 15) != 0) continue;
        char *args[9];
        int n = 0;
        for (char *p = line + 15, *tok; n < 9 && (tok = strsep(&p, ",")) != NULL;) args[n++] = trim(tok);
        size_t idlen = n == 9 ? strlen(args[1]) : 0;
        if (n != 9 || idlen < 3 || args[1][0] != '"' || args[1][idlen - 1] != '"' ||
            n_kernels == FGI_MAX_KERNELS) {
            problem("%s:%d: not a FGI_EXP_KERNEL line of 9 arguments", path, lineno);
            continue;
        }
        def_kernel *k = &kernels[n_kernels++];
        snprintf(k->id, sizeof k->id, "%.*s", (int)(idlen - 2), args[1] + 1);
        snprintf(k->op, sizeof k->op, "%s", args[2]);
        snprintf(k->run, sizeof k->run, "%s", args[8]);
        k->group = group;
    }
    fclose(f);
}

/* ---------------------------------------------------------------- finding run() */

static size_t src_prefix;

/* The identifier just before the first '(' of s, copied into out. */
static void name_before_paren(const char *s, char *out, size_t n)
{
    const char *paren = strchr(s, '(');
    const char *b = paren;
    while (b && b > s && (b[-1] == '_' || (b[-1] >= '0' && b[-1] <= '9') ||
                          ((b[-1] | 32) >= 'a' && (b[-1] | 32) <= 'z')))
        b--;
    snprintf(out, n, "%.*s", paren ? (int)(paren - b) : 0, b ? b : "");
}

/* Finds each kernel's `fg_status <run>(...)` definition. A multi-line
 * definition spans to its closing brace in column 1; a one-line wrapper
 * (`{ return impl(call, ...); }`) spans from the start of the static
 * function of this file that it calls. */
static int scan_source(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t len = strlen(path);
    if (type != FTW_F || len < 2 || strcmp(path + len - 2, ".c") != 0) return 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[1024], statics[64][96];
    long static_line[64];
    int n_statics = 0;
    long lineno = 0;
    def_kernel *open = NULL;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (open) {
            if (line[0] == '}') {
                open->line_end = lineno;
                open = NULL;
            }
            continue;
        }
        if (!strncmp(line, "static ", 7) && strchr(line, '(') && !strchr(line, ';') && n_statics < 64) {
            name_before_paren(line, statics[n_statics], sizeof statics[0]);
            static_line[n_statics++] = lineno;
            continue;
        }
        int one_line = strchr(line, '{') && strchr(line, '}');
        if (strncmp(line, "fg_status ", 10) != 0 || (strchr(line, ';') && !one_line)) continue;
        for (int i = 0; i < n_kernels; i++) {
            def_kernel *k = &kernels[i];
            size_t rl = strlen(k->run);
            if (strncmp(line + 10, k->run, rl) != 0 || line[10 + rl] != '(') continue;
            if (k->file[0])
                problem("%s is defined twice (%s and %s)", k->run, k->file, path + src_prefix);
            snprintf(k->file, sizeof k->file, "%s", path + src_prefix);
            k->line_start = lineno;
            if (one_line) {
                char callee[96];
                const char *ret = strstr(line, "return ");
                name_before_paren(ret ? ret + 7 : "", callee, sizeof callee);
                for (int j = 0; j < n_statics; j++)
                    if (callee[0] && !strcmp(statics[j], callee)) k->line_start = static_line[j];
                k->line_end = lineno;
            } else {
                open = k;
            }
            break;
        }
    }
    fclose(f);
    return 0;
}

static void find_sources(void)
{
    const char *groups[2] = {"generated", "custom"};
    src_prefix = strlen(repo) + 1;
    for (int g = 0; g < 2; g++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/src/experimental/%s", repo, groups[g]);
        nftw(dir, scan_source, 16, FTW_PHYS);
    }
    for (int i = 0; i < n_kernels; i++) {
        if (!kernels[i].file[0])
            problem("%s: no definition 'fg_status %s(' under src/experimental/%s/", kernels[i].id,
                    kernels[i].run, kernels[i].group);
        else if (!kernels[i].line_end)
            problem("%s: %s in %s has no closing brace in column 1", kernels[i].id, kernels[i].run,
                    kernels[i].file);
    }
}

/* ---------------------------------------------------------------- the store */

static const char *op_category(const char *op)
{
    for (int i = 0; i < FGI_OP_COUNT; i++)
        if (strcmp(fgi_op_name((fgi_op)i), op) == 0) return fgi_op_category((fgi_op)i);
    return NULL;
}

/* Registers or updates one kernel; returns 1 if the entry changed. */
static int sync_kernel(fgi_meta_store *s, const def_kernel *k, int check)
{
    char cl[4400];
    snprintf(cl, sizeof cl, "{\"file_path\": \"%s\", \"line_start\": %ld, \"line_end\": %ld}", k->file,
             k->line_start, k->line_end);
    const fgi_meta_op *op;
    if (fgi_meta_get_op(s, k->id, &op) != FG_OK) {
        const char *cat = op_category(k->op);
        if (!cat) {
            problem("%s: unknown op '%s'", k->id, k->op);
            return 0;
        }
        if (check) {
            problem("%s is in kernels.def but not in the metadata", k->id);
            return 1;
        }
        char entry[4600];
        snprintf(entry, sizeof entry, "{\"op_name\": \"%s\", \"category\": \"%s\", \"code_location\": %s}",
                 k->op, cat, cl);
        if (fgi_meta_register_op(s, k->id, entry) != FG_OK) {
            problem("registering %s: %s", k->id, fg_last_error());
            return 0;
        }
        printf("registered %s (%s:%ld-%ld)\n", k->id, k->file, k->line_start, k->line_end);
        return 1;
    }
    int same = strcmp(op->code_location.file_path, k->file) == 0 &&
               op->code_location.line_start == k->line_start && op->code_location.line_end == k->line_end;
    char old[4200];
    snprintf(old, sizeof old, "%s:%lld-%lld", op->code_location.file_path,
             (long long)op->code_location.line_start, (long long)op->code_location.line_end);
    fgi_meta_op_release(op);
    if (same) return 0;
    if (check) {
        problem("%s: code_location is %s, the source says %s:%ld-%ld", k->id, old, k->file, k->line_start,
                k->line_end);
        return 1;
    }
    char patch[4500];
    snprintf(patch, sizeof patch, "{\"code_location\": %s}", cl);
    if (fgi_meta_update_op(s, k->id, patch) != FG_OK) {
        problem("updating %s: %s", k->id, fg_last_error());
        return 0;
    }
    printf("%s: code_location %s -> %s:%ld-%ld\n", k->id, old, k->file, k->line_start, k->line_end);
    return 1;
}

static void report_orphans(fgi_meta_store *s)
{
    fgi_meta_filter f = {.status_mask = (1u << FGI_META_EXPERIMENTAL) | (1u << FGI_META_VALIDATED) |
                                        (1u << FGI_META_GRADUATION_CANDIDATE)};
    fgi_meta_op_list l;
    if (fgi_meta_query_ops(s, &f, &l) != FG_OK) return;
    for (size_t i = 0; i < l.count; i++) {
        int found = 0;
        for (int j = 0; j < n_kernels && !found; j++) found = strcmp(kernels[j].id, l.ops[i]->kernel_id) == 0;
        if (!found)
            problem("%s is %s in the metadata but in no kernels.def (removed? graduated?)",
                    l.ops[i]->kernel_id, fgi_meta_status_name(l.ops[i]->status));
    }
    fgi_meta_op_list_release(&l);
}

/* ---------------------------------------------------------------- --perf-json */

static int parse_shape(const char *text, int64_t *dims, size_t *n)
{
    *n = 0;
    const char *p = text;
    if (*p++ != '[') return 0;
    while (*p && *p != ']' && *n < 16) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0) return 0;
        dims[(*n)++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return *p == ']';
}

/* Workspace bytes kernel `id` takes from the library allocator for one
 * forced call of its op on x of `shape` and `dtype` (norms: a weight, no
 * bias). -1 when it cannot run here. */
static long long workspace_bytes(const char *id, const char *dtype, const int64_t *shape, size_t nd)
{
    const fgi_kernel *k = fgi_kernel_find(id);
    if (!k || nd < 1 || nd > 8) return -1;
    DLDataType dt = !strcmp(dtype, "float32")    ? (DLDataType){kDLFloat, 32, 1}
                    : !strcmp(dtype, "float16")  ? (DLDataType){kDLFloat, 16, 1}
                    : !strcmp(dtype, "bfloat16") ? (DLDataType){kDLBfloat, 16, 1}
                                                 : (DLDataType){0, 0, 0};
    if (!dt.bits) return -1;
    size_t n = 1;
    for (size_t i = 0; i < nd; i++) n *= (size_t)shape[i];
    int64_t dims[8], last = shape[nd - 1];
    memcpy(dims, shape, nd * sizeof *dims);
    void *xd = calloc(n ? n : 1, dt.bits / 8), *od = calloc(n ? n : 1, dt.bits / 8);
    void *wd = calloc(last ? (size_t)last : 1, dt.bits / 8);
    DLTensor x = {.data = xd, .device = {kDLCPU, 0}, .ndim = (int)nd, .dtype = dt, .shape = dims};
    DLTensor o = x, w = x;
    o.data = od;
    w.data = wd;
    w.ndim = 1;
    w.shape = &dims[nd - 1];
    long long bytes = -1;
    fg_memory_stats m0, m1;
    if (xd && od && wd && fg_exp_force_kernel(id) == FG_OK) {
        fg_memory_reset_peak();
        fg_memory_get_stats(&m0);
        const char *op = fgi_op_name(k->op);
        fg_status st = !strcmp(op, "softmax")      ? fg_softmax(&o, &x, -1)
                       : !strcmp(op, "layer_norm") ? fg_layer_norm(&o, &x, &w, NULL, 1e-5)
                       : !strcmp(op, "rms_norm")   ? fg_rms_norm(&o, &x, &w, 1e-6)
                       : !strcmp(op, "gelu")       ? fg_gelu(&o, &x, FG_GELU_TANH)
                       : !strcmp(op, "fast_gelu")  ? fg_exp_fast_gelu(&o, &x)
                       : !strcmp(op, "relu")       ? fg_relu(&o, &x)
                       : !strcmp(op, "silu")       ? fg_silu(&o, &x)
                       : !strcmp(op, "exp")        ? fg_exp(&o, &x)
                                                   : FG_ERR_UNSUPPORTED;
        fg_memory_get_stats(&m1);
        if (st == FG_OK) bytes = (long long)(m1.peak_bytes - m0.live_bytes);
        fg_exp_force_kernel(NULL);
    }
    free(xd);
    free(od);
    free(wd);
    return bytes;
}

/* One kernel's records as baselines. Returns 1 if any were recorded. */
static int import_kernel(fgi_meta_store *s, const char *kid, json_t *records, const char *device,
                         const char *when)
{
    size_t n = json_array_size(records), nb = 0, i;
    fgi_meta_baseline *b = calloc(n ? n : 1, sizeof *b);
    int64_t(*shapes)[16] = calloc(n ? n : 1, sizeof *shapes);
    json_t *r;
    json_array_foreach(records, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "kernel"));
        const char *base = json_string_value(json_object_get(r, "baseline"));
        const char *shape = json_string_value(json_object_get(r, "shape"));
        json_t *sp = json_object_get(r, "speedup"), *mem = json_object_get(r, "memory_overhead_mb");
        if (!k || strcmp(k, kid) != 0 || !base || !shape || !json_is_number(sp)) continue;
        const fgi_kernel *bk = fgi_kernel_find(base);
        if (!bk || bk->tier != FGI_TIER_STABLE) continue; /* speedups are over the stable tier */
        fgi_meta_baseline *x = &b[nb];
        if (!parse_shape(shape, shapes[nb], &x->shape_len)) {
            problem("--perf-json: %s: bad shape '%s'", kid, shape);
            continue;
        }
        x->shape = shapes[nb];
        x->device = device;
        x->dtype = json_string_value(json_object_get(r, "dtype"));
        x->speedup = json_number_value(sp);
        long long wk = workspace_bytes(kid, x->dtype ? x->dtype : "", x->shape, x->shape_len);
        long long wb = workspace_bytes(base, x->dtype ? x->dtype : "", x->shape, x->shape_len);
        if (wk >= 0 && wb >= 0) {
            x->memory_overhead = (double)(wk - wb) / (1024.0 * 1024.0);
        } else {
            x->memory_overhead = json_is_number(mem) ? json_number_value(mem) : 0.0;
            printf("%s %s %s: cannot run here; memory_overhead %g from the record\n", kid, shape,
                   x->dtype ? x->dtype : "?", x->memory_overhead);
        }
        x->reference_impl = base;
        x->timestamp = NULL;
        if (x->dtype) nb++;
    }
    int changed = 0;
    if (nb) {
        fgi_meta_performance_result pr = {b, nb, -1, when};
        fgi_meta_validation_result vr = {NULL, &pr};
        if (fgi_meta_update_validation_status(s, kid, &vr) != FG_OK) {
            problem("recording results of %s: %s", kid, fg_last_error());
        } else {
            printf("%s: %zu baseline(s) on %s\n", kid, nb, device);
            changed = 1;
        }
        /* tested_devices gains the device */
        const fgi_meta_op *op;
        if (changed && fgi_meta_get_op(s, kid, &op) == FG_OK) {
            int has = 0;
            for (size_t d = 0; d < op->hardware_support.n_tested_devices; d++)
                has |= strcmp(op->hardware_support.tested_devices[d], device) == 0;
            if (!has) {
                json_t *list = json_array();
                for (size_t d = 0; d < op->hardware_support.n_tested_devices; d++)
                    json_array_append_new(list, json_string(op->hardware_support.tested_devices[d]));
                json_array_append_new(list, json_string(device));
                json_t *patch = json_pack("{s:{s:o}}", "hardware_support", "tested_devices", list);
                char *text = json_dumps(patch, 0);
                if (!text || fgi_meta_update_op(s, kid, text) != FG_OK)
                    problem("adding %s to the tested devices of %s: %s", device, kid, fg_last_error());
                free(text);
                json_decref(patch);
            }
            fgi_meta_op_release(op);
        }
    }
    free(b);
    free(shapes);
    return changed;
}

static int import_perf(fgi_meta_store *s, const char *path, const char *device, const char *when)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        problem("%s: line %d column %d: %s", path, err.line, err.column, err.text);
        return 0;
    }
    int changed = 0;
    const char *lists[2] = {"custom", "generated"};
    for (int l = 0; l < 2; l++) {
        json_t *records = json_object_get(root, lists[l]);
        if (!json_is_array(records)) continue;
        for (int i = 0; i < n_kernels; i++) changed |= import_kernel(s, kernels[i].id, records, device, when);
    }
    json_decref(root);
    return changed;
}

/* ---------------------------------------------------------------- --accuracy */

static int run_accuracy(fgi_meta_store *s)
{
    int changed = 0;
    for (int i = 0; i < n_kernels; i++) {
        const fgi_kernel *k = fgi_kernel_find(kernels[i].id);
        if (!k || !k->run || (fgi_cpu_features() & k->isa) != k->isa) {
            printf("%s: this machine cannot run it; accuracy not run\n", kernels[i].id);
            continue;
        }
        fgi_acc_report *rep;
        if (fgi_acc_validate_id(kernels[i].id, FGI_ACC_TIER_DEFAULT, 0, NULL, NULL, &rep) != FG_OK) {
            problem("accuracy of %s: %s", kernels[i].id, fg_last_error());
            continue;
        }
        if (fgi_acc_record(s, kernels[i].id, rep) != FG_OK) {
            problem("recording the accuracy of %s: %s", kernels[i].id, fg_last_error());
        } else {
            printf("%s: accuracy %s, %lld passed, %lld failed, %lld skipped (%.1f s)\n", kernels[i].id,
                   rep->ok ? "passed" : "FAILED", (long long)rep->passed, (long long)rep->failed,
                   (long long)rep->skipped, rep->seconds);
            changed = 1;
        }
        fgi_acc_report_free(rep);
    }
    return changed;
}

/* ---------------------------------------------------------------- main */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int usage(void)
{
    fprintf(stderr, "usage: fg-meta-sync [--repo DIR] [--file PATH] [--check]\n"
                    "                    [--perf-json FILE --perf-device NAME --perf-time RFC3339]\n"
                    "                    [--patch KERNEL_ID JSON]... [--accuracy]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *file = NULL, *perf = NULL, *device = NULL, *when = NULL;
    int check = 0, n_patches = 0, accuracy = 0;
    const char *patches[32][2];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repo") && i + 1 < argc) repo = argv[++i];
        else if (!strcmp(argv[i], "--file") && i + 1 < argc) file = argv[++i];
        else if (!strcmp(argv[i], "--check")) check = 1;
        else if (!strcmp(argv[i], "--accuracy")) accuracy = 1;
        else if (!strcmp(argv[i], "--perf-json") && i + 1 < argc) perf = argv[++i];
        else if (!strcmp(argv[i], "--perf-device") && i + 1 < argc) device = argv[++i];
        else if (!strcmp(argv[i], "--perf-time") && i + 1 < argc) when = argv[++i];
        else if (!strcmp(argv[i], "--patch") && i + 2 < argc && n_patches < 32) {
            patches[n_patches][0] = argv[++i];
            patches[n_patches++][1] = argv[++i];
        }
        else return usage();
    }
    if (perf && (!device || !when)) {
        fprintf(stderr, "fg-meta-sync: --perf-json needs --perf-device and --perf-time\n");
        return 2;
    }
    if (check && (perf || n_patches || accuracy)) {
        fprintf(stderr, "fg-meta-sync: --check changes nothing: no --perf-json, --patch or --accuracy "
                        "with it\n");
        return 2;
    }
    char deflt[4200];
    if (!file) {
        snprintf(deflt, sizeof deflt, "%s/src/experimental/generated/_metadata.json", repo);
        file = deflt;
    }
    read_def("generated");
    read_def("custom");
    find_sources();
    if (problems) return 1;

    fgi_meta_options o = {FGI_META_KIND_METADATA,
                          check ? FGI_META_READONLY | FGI_META_NO_RECOVER : FGI_META_CREATE | FGI_META_MANUAL_SAVE,
                          repo};
    fgi_meta_store *s;
    if (fgi_meta_open(file, &o, &s) != FG_OK) {
        problem("%s", fg_last_error());
        return 1;
    }
    int changed = 0;
    for (int i = 0; i < n_kernels; i++) changed |= sync_kernel(s, &kernels[i], check);
    if (perf) changed |= import_perf(s, perf, device, when);
    if (accuracy) changed |= run_accuracy(s);
    for (int i = 0; i < n_patches; i++) {
        if (fgi_meta_update_op(s, patches[i][0], patches[i][1]) != FG_OK) {
            problem("--patch %s: %s", patches[i][0], fg_last_error());
        } else {
            printf("%s: patched\n", patches[i][0]);
            changed = 1;
        }
    }
    report_orphans(s);
    if (check) {
        char *text = NULL, *disk = read_all(file);
        size_t len;
        if (fgi_meta_to_json(s, &text, &len) != FG_OK || !disk || strcmp(text, disk) != 0)
            problem("%s is not in the canonical form the metadata store writes", file);
        fgi_meta_free(text);
        free(disk);
        if (problems) fprintf(stderr, "fg-meta-sync: run fg-meta-sync --repo %s to refresh it\n", repo);
    } else if (changed && !problems) {
        if (fgi_meta_save(s) != FG_OK) problem("saving %s: %s", file, fg_last_error());
        else printf("wrote %s (%zu kernels)\n", file, fgi_meta_count(s));
    } else if (!changed) {
        printf("%s is up to date (%zu kernels)\n", file, fgi_meta_count(s));
    }
    fgi_meta_close(s);
    return problems ? 1 : 0;
}
