/* fg-bench-metadata: the metadata store at 1 000 and 10 000 kernels.
 *
 *   fg-bench-metadata [--sizes 1000,10000] [--json FILE] [--dir DIR]
 *                     [--updates N] [--gets N] [--keep]
 *
 * Synthetic documents with realistic field sizes (per kernel: 6 baselines,
 * 3 dtypes x 5 coverage shapes, 3 tested devices, a generation config, 1-2
 * blocking issues). Measures, per size: load (open + validate + index),
 * get_op (+ release), query_ops over several filters, a durable update_op
 * (lock, check, serialize, write, fsync, rename, fsync of the folder) with
 * the share of it spent in fsync, heap held by the loaded store, and the
 * file size. Targets (DESIGN.md §6, reported, never asserted): get <= 1 us,
 * query <= 1 ms at 10 000, durable update <= 5 ms at 1 000, <= 10 MB per
 * 1 000 kernels. The durable update is measured in --dir (default: the
 * current folder), so run it on the disk that will hold the metadata. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "experimental/metadata.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t median(int64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_i64);
    return n ? v[n / 2] : 0;
}

static void die(const char *what)
{
    fprintf(stderr, "fg-bench-metadata: %s: %s\n", what, fg_last_error());
    exit(1);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static const char *const ops[] = {"gelu", "silu", "relu", "softmax", "layer_norm", "rms_norm",
                                  "mm", "bmm", "sum", "mean", "amax", "add", "mul", "exp"};
static const char *const cats[] = {"pointwise", "pointwise", "pointwise", "reduction", "reduction",
                                   "reduction", "blas", "blas", "reduction", "reduction",
                                   "reduction", "pointwise", "pointwise", "pointwise"};
static const char *const devs[] = {"NVIDIA-H100", "NVIDIA-A100", "cpu-zen3", "Cambricon-MLU370"};
static const char *const dtypes[] = {"float32", "float16", "bfloat16"};

static void kernel_id(char *buf, size_t n, size_t i)
{
    size_t o = i % 14;
    snprintf(buf, n, "%s.%s.%s.k%06zu", ops[o], i % 3 ? "cuda" : "cpu", i % 4 ? "gen" : "custom", i);
}

/* One realistic entry (register_op input). */
static void entry(char *buf, size_t cap, size_t i)
{
    size_t o = i % 14, len = 0;
#define P(...) len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__)
    P("{\"op_name\": \"%s\", \"category\": \"%s\",", ops[o], cats[o]);
    P("\"generation_info\": {\"generator_tool\": \"KernelGen\", \"generator_version\": \"v0.%u.%u\","
      " \"source_template\": \"tools/codegen/templates/%s.c.tmpl\", \"generation_date\": "
      "\"2025-12-%02uT08:00:00Z\", \"generation_config\": {\"block_size\": %u, \"num_warps\": %u, "
      "\"vector_width\": 8, \"unroll\": 4}},",
      rnd() % 9, rnd() % 20, cats[o], 1 + rnd() % 28, 128u << (rnd() % 4), 1u << (rnd() % 4));
    P("\"validation_info\": {\"accuracy_tests\": {\"passed\": true, \"test_cases\": %u, "
      "\"last_run\": \"2025-12-15T14:22:00Z\", \"coverage\": {",
      20 + rnd() % 100);
    for (int d = 0; d < 3; d++) {
        P("%s\"%s\": [", d ? ", " : "", dtypes[d]);
        for (int s = 0; s < 5; s++) P("%s\"(%u, %u)\"", s ? ", " : "", 1u << (s + 4), 64u << s);
        P("]");
    }
    P("}}, \"performance_tests\": {\"baselines\": [");
    for (int b = 0; b < 6; b++)
        P("%s{\"device\": \"%s\", \"shape\": [%u, %u], \"dtype\": \"%s\", \"speedup\": %.3f, "
          "\"memory_overhead\": %.2f, \"reference_impl\": \"%s\", \"timestamp\": "
          "\"2025-12-10T10:%02d:00Z\"}",
          b ? ", " : "", devs[b % 2], 1024u << (b % 3), 4096u, dtypes[b % 3],
          0.7 + (rnd() % 1000) / 1000.0, (rnd() % 100) / 10.0, b % 2 ? "stable" : "torch", b);
    P("], \"last_run\": \"2025-12-15T14:30:00Z\"}},");
    P("\"hardware_support\": {\"tested_devices\": [\"%s\", \"%s\", \"%s\"], \"optimal_devices\": "
      "[\"%s\"], \"shape_constraints\": {\"min_size\": 256, \"alignment\": 32}},",
      devs[0], devs[1], devs[2], devs[0]);
    P("\"graduation_tracking\": {\"in_experimental_since\": \"v4.%u\", \"blocking_issues\": "
      "[\"Need validation on Cambricon MLU\"%s]},",
      rnd() % 3, i % 2 ? ", \"Code review pending\"" : "");
    P("\"code_location\": {\"file_path\": \"src/experimental/generated/%s/%s_k%06zu.c\", "
      "\"line_start\": %u, \"line_end\": %u, \"commit_hash\": \"%08x\"}}",
      cats[o], ops[o], i, 10 + rnd() % 50, 100 + rnd() % 400, rnd());
#undef P
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

typedef struct result {
    size_t n;
    double load_ms, get_us_p50, query_ms_p50, update_ms_p50, update_fsync_ms_p50, update_write_ms_p50;
    double update_serialize_ms_p50, update_rest_ms_p50, first_update_ms, bytes_per_1000;
    double bytes_per_1000_write_cache;
    double file_bytes_per_1000;
} result;

static int keep_files;

static result bench_size(size_t n, const char *base, int updates, long gets)
{
    result r = {0};
    r.n = n;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/fg-bench-metadata.XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/_metadata.json", dir);

    /* Build the document in memory and write it once. */
    fgi_meta_options mo = {FGI_META_KIND_METADATA, FGI_META_CREATE | FGI_META_MANUAL_SAVE, dir};
    fgi_meta_store *s;
    if (fgi_meta_open(path, &mo, &s) != FG_OK) die("create");
    char *buf = malloc(16384);
    char kid[64];
    for (size_t i = 0; i < n; i++) {
        kernel_id(kid, sizeof kid, i);
        entry(buf, 16384, i);
        if (fgi_meta_register_op(s, kid, buf) != FG_OK) die("register");
        if (i % 5 == 1) {
            if (fgi_meta_update_op(s, kid, "{\"status\": \"VALIDATED\"}") != FG_OK) die("status");
        }
        if (i % 10 == 1) {
            if (fgi_meta_update_op(s, kid, "{\"graduation_tracking\": {\"eligible\": true}}") != FG_OK)
                die("eligible");
        }
    }
    if (fgi_meta_save(s) != FG_OK) die("save");
    fgi_meta_close(s);
    free(buf);
    struct stat st;
    stat(path, &st);
    r.file_bytes_per_1000 = (double)st.st_size * 1000.0 / (double)n;

    /* Load: median of 5. */
    fgi_meta_options oo = {FGI_META_KIND_METADATA, 0, dir};
    int64_t loads[5];
    for (int k = 0; k < 5; k++) {
        int64_t t0 = now_ns();
        if (fgi_meta_open(path, &oo, &s) != FG_OK) die("open");
        loads[k] = now_ns() - t0;
        fgi_meta_close(s);
    }
    r.load_ms = (double)median(loads, 5) / 1e6;

    /* Heap held by the loaded store. */
    malloc_trim(0);
    struct mallinfo2 m0 = mallinfo2();
    if (fgi_meta_open(path, &oo, &s) != FG_OK) die("open");
    struct mallinfo2 m1 = mallinfo2();
    r.bytes_per_1000 = (double)(m1.uordblks - m0.uordblks) * 1000.0 / (double)n;

    /* get_op: batches of 1000 random ids; p50 of the per-call mean. */
    char **ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        kernel_id(kid, sizeof kid, i);
        ids[i] = strdup(kid);
    }
    size_t batches = (size_t)(gets / 1000);
    if (batches < 10) batches = 10;
    int64_t *bt = malloc(batches * sizeof *bt);
    uint32_t *order = malloc(1000 * sizeof *order);
    for (size_t b = 0; b < batches; b++) {
        for (int k = 0; k < 1000; k++) order[k] = rnd() % (uint32_t)n;
        int64_t t0 = now_ns();
        for (int k = 0; k < 1000; k++) {
            const fgi_meta_op *op;
            if (fgi_meta_get_op(s, ids[order[k]], &op) != FG_OK) die("get");
            fgi_meta_op_release(op);
        }
        bt[b] = now_ns() - t0;
    }
    r.get_us_p50 = (double)median(bt, batches) / 1000.0 / 1000.0;

    /* query_ops: several filters, 20 runs each. */
    fgi_meta_filter filters[] = {
        {0},
        {.status_mask = 1u << FGI_META_VALIDATED, .category_mask = 1u << FGI_META_POINTWISE},
        {.op_name = "softmax"},
        {.group = "generated", .device = "cuda"},
        {.device = "Cambricon-MLU370"},
        {.eligible = FGI_META_ELIGIBLE_YES},
    };
    size_t nf = sizeof filters / sizeof *filters, nq = nf * 20, qi = 0;
    int64_t *qt = malloc(nq * sizeof *qt);
    for (size_t f = 0; f < nf; f++)
        for (int k = 0; k < 20; k++) {
            fgi_meta_op_list l;
            int64_t t0 = now_ns();
            if (fgi_meta_query_ops(s, &filters[f], &l) != FG_OK) die("query");
            fgi_meta_op_list_release(&l);
            qt[qi++] = now_ns() - t0;
        }
    r.query_ms_p50 = (double)median(qt, nq) / 1e6;

    /* Durable update_op. The first one also builds every entry's cached
     * text; it is reported apart. */
    int64_t *ut = malloc((size_t)updates * sizeof *ut), *ft = malloc((size_t)updates * sizeof *ft);
    int64_t *sr = malloc((size_t)updates * sizeof *sr), *wr = malloc((size_t)updates * sizeof *wr);
    int64_t *rest = malloc((size_t)updates * sizeof *rest);
    char patch[160];
    for (int u = -1; u < updates; u++) {
        snprintf(patch, sizeof patch,
                 "{\"validation_info\": {\"accuracy_tests\": {\"test_cases\": %d}}}", 1000 + u);
        int64_t t0 = now_ns();
        if (fgi_meta_update_op(s, ids[rnd() % n], patch) != FG_OK) die("update");
        int64_t t = now_ns() - t0;
        fgi_meta_write_stats ws;
        fgi_meta_get_write_stats(s, &ws);
        if (u < 0) {
            r.first_update_ms = (double)t / 1e6;
            continue;
        }
        ut[u] = t;
        ft[u] = ws.fsync_ns;
        sr[u] = ws.serialize_ns;
        wr[u] = ws.write_ns;
        rest[u] = t - ws.fsync_ns; /* everything but the two syncs */
    }
    r.update_ms_p50 = (double)median(ut, (size_t)updates) / 1e6;
    r.update_fsync_ms_p50 = (double)median(ft, (size_t)updates) / 1e6;
    r.update_serialize_ms_p50 = (double)median(sr, (size_t)updates) / 1e6;
    r.update_write_ms_p50 = (double)median(wr, (size_t)updates) / 1e6;
    r.update_rest_ms_p50 = (double)median(rest, (size_t)updates) / 1e6;
    struct mallinfo2 m2 = mallinfo2();
    r.bytes_per_1000_write_cache = (double)(m2.uordblks - m0.uordblks) * 1000.0 / (double)n;

    fgi_meta_close(s);
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
    free(bt);
    free(order);
    free(qt);
    free(ut);
    free(ft);
    free(sr);
    free(wr);
    free(rest);
    if (keep_files) printf("kept %s\n", dir);
    else nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return r;
}

int main(int argc, char **argv)
{
    const char *json_path = NULL, *dir = ".", *sizes = "1000,10000";
    int updates = 50;
    long gets = 1000000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) sizes = argv[++i];
        else if (!strcmp(argv[i], "--updates") && i + 1 < argc) updates = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--gets") && i + 1 < argc) gets = atol(argv[++i]);
        else if (!strcmp(argv[i], "--keep")) keep_files = 1;
        else {
            fprintf(stderr, "usage: fg-bench-metadata [--sizes 1000,10000] [--json FILE] "
                            "[--dir DIR] [--updates N] [--gets N] [--keep]\n");
            return 2;
        }
    }
    if (updates < 1) updates = 1;
    result res[16];
    size_t nres = 0;
    char *list = strdup(sizes);
    for (char *tok = strtok(list, ","); tok && nres < 16; tok = strtok(NULL, ",")) {
        long n = atol(tok);
        if (n < 1) continue;
        res[nres++] = bench_size((size_t)n, dir, updates, gets);
    }
    free(list);

    printf("%8s %9s %10s %10s %10s %9s %11s %9s %9s %13s %13s %12s\n", "kernels", "load_ms",
           "get_us_p50", "query_ms", "update_ms", "fsync_ms", "no_sync_ms", "write_ms", "serial_ms",
           "heap_B/1000", "+cache_B/1000", "file_B/1000");
    for (size_t i = 0; i < nres; i++) {
        result *r = &res[i];
        printf("%8zu %9.2f %10.3f %10.4f %10.2f %9.2f %11.2f %9.2f %9.3f %13.0f %13.0f %12.0f\n", r->n,
               r->load_ms, r->get_us_p50, r->query_ms_p50, r->update_ms_p50,
               r->update_fsync_ms_p50, r->update_rest_ms_p50, r->update_write_ms_p50,
               r->update_serialize_ms_p50,
               r->bytes_per_1000,
               r->bytes_per_1000_write_cache, r->file_bytes_per_1000);
    }
    printf("(update: p50 of %d durable update_op calls; fsync = fdatasync of the file + fsync of the "
           "folder inside it; no_sync = p50 of each update less its syncs; first "
           "update, which also fills the text cache: ",
           updates);
    for (size_t i = 0; i < nres; i++) printf("%s%.2f ms at %zu", i ? ", " : "", res[i].first_update_ms, res[i].n);
    printf(")\n");
    if (json_path) {
        FILE *f = fopen(json_path, "w");
        if (!f) {
            perror(json_path);
            return 1;
        }
        fprintf(f, "[\n");
        for (size_t i = 0; i < nres; i++) {
            result *r = &res[i];
            fprintf(f,
                    "  {\"n\": %zu, \"load_ms\": %.3f, \"get_us_p50\": %.4f, \"query_ms_p50\": %.4f, "
                    "\"update_ms_p50\": %.3f, \"bytes_per_1000\": %.0f, \"update_fsync_ms_p50\": %.3f, "
                    "\"update_fsync_share\": %.3f, \"update_write_ms_p50\": %.3f, \"update_non_sync_ms_p50\": %.3f, "
                    "\"update_serialize_ms_p50\": %.3f, "
                    "\"first_update_ms\": %.3f, \"bytes_per_1000_with_write_cache\": %.0f, "
                    "\"file_bytes_per_1000\": %.0f}%s\n",
                    r->n, r->load_ms, r->get_us_p50, r->query_ms_p50, r->update_ms_p50,
                    r->bytes_per_1000, r->update_fsync_ms_p50,
                    r->update_ms_p50 > 0 ? r->update_fsync_ms_p50 / r->update_ms_p50 : 0.0,
                    r->update_write_ms_p50, r->update_rest_ms_p50, r->update_serialize_ms_p50, r->first_update_ms, r->bytes_per_1000_write_cache,
                    r->file_bytes_per_1000, i + 1 < nres ? "," : "");
        }
        fprintf(f, "]\n");
        fclose(f);
    }
    return 0;
}
