/* The performance database (src/experimental/perfdb.c): where it lives,
 * rows and the ignore rules (other machine, other build), warm start of a
 * second process from the first one's measurements and from benchmark
 * rows, four writer processes at once, corrupt, newer and unusable files,
 * and the export to metadata baselines.
 *
 * Processes: the program runs itself (/proc/self/exe) as a child in one of
 * the modes at the bottom of the file; each child prints one line. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/cpu.h"
#include "experimental/metadata.h"
#include "experimental/perfdb.h"
#include "ops/registry.h"
#include "testutil.h"

#define FAST "relu.cpu.custom.test_db_fast"
#define SLOW "relu.cpu.custom.test_db_slow"

static char self[PATH_MAX];

static const char *tmp(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", FG_TESTING_TMP, name);
    return buf;
}

/* Counts (and with remove, deletes) the .corrupt-* files moved aside
 * from the database at path. */
static int asides(const char *path, bool remove)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], p[PATH_MAX + 300];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    int n = 0;
    size_t blen = strlen(slash + 1);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, slash + 1, blen) || !strstr(e->d_name, ".corrupt-")) continue;
        n++;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (remove) unlink(p);
    }
    if (d) closedir(d);
    return n;
}

/* FG_TESTING_TMP/name into buf, with no database there (nor its -wal,
 * -shm and .corrupt-* companions). */
static const char *fresh_db(const char *name, char *buf, size_t cap)
{
    char p[PATH_MAX + 16];
    tmp(name, buf, cap);
    unlink(buf);
    snprintf(p, sizeof p, "%s-wal", buf);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", buf);
    unlink(p);
    asides(buf, true);
    return buf;
}

static int count_aside(const char *path) { return asides(path, false); }

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = calloc(1, 1 << 16);
    if (s) s[fread(s, 1, (1 << 16) - 1, f)] = '\0';
    fclose(f);
    return s;
}

/* ---------------------------------------------------------------- mock kernels */

static fg_status relu_run(const fg_exp_call *c, void *u)
{
    int64_t n = 1;
    for (int d = 0; d < c->out->ndim; d++) n *= c->out->shape[d];
    if (u) { /* the slow one: 200 us late */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do clock_gettime(CLOCK_MONOTONIC, &t1);
        while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 200000L);
    }
    const float *x = c->in[0]->data;
    float *o = c->out->data;
    for (int64_t i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : 0.0f;
    return FG_OK;
}

static int dense_f32(const fg_exp_call *c, void *u)
{
    (void)u;
    return c->contiguous && c->out->dtype.bits == 32 && c->out->dtype.code == kDLFloat;
}

static void register_mocks(bool extra)
{
    static int slow_tag;
    const fg_exp_kernel ks[3] = {
        {.id = FAST, .op = "relu", .group = FG_EXP_GROUP_CUSTOM, .supports = dense_f32, .run = relu_run},
        {.id = SLOW,
         .op = "relu",
         .group = FG_EXP_GROUP_CUSTOM,
         .supports = dense_f32,
         .run = relu_run,
         .user = &slow_tag},
        {.id = "exp.cpu.custom.test_db_extra", .op = "exp", .group = FG_EXP_GROUP_CUSTOM, .run = relu_run}};
    if (fg_exp_register_kernels(ks, extra ? 3 : 2) != FG_OK) {
        fprintf(stderr, "register: %s\n", fg_last_error());
        exit(3);
    }
}

/* ---------------------------------------------------------------- children */

/* One relu call of a fixed shape through the dispatcher: prints what the
 * dispatcher did. */
static int child_dispatch(bool extra)
{
    register_mocks(extra);
    static float x[64 * 256], y[64 * 256];
    for (int i = 0; i < 64 * 256; i++) x[i] = (float)(i % 17) - 8.0f;
    int64_t shape[2] = {64, 256};
    DLTensor X = {.data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};
    DLTensor Y = X;
    Y.data = y;
    if (fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL) != FG_OK) return 4;
    for (int i = 0; i < 5; i++)
        if (fg_relu(&Y, &X) != FG_OK) {
            fprintf(stderr, "relu: %s\n", fg_last_error());
            return 5;
        }
    fg_exp_statistics st;
    fg_exp_stats(&st);
    printf("profiled=%llu warm=%llu kernel=%s\n", (unsigned long long)st.profiled,
           (unsigned long long)st.perfdb_warm_starts, fg_last_kernel());
    return 0;
}

/* 4 threads, 8 shapes each (32 keys), through one shared database handle. */
static void *thread_calls(void *arg)
{
    int t = (int)(intptr_t)arg;
    static _Thread_local float x[8 * 2048], y[8 * 2048];
    for (int k = 0; k < 8; k++) {
        int64_t shape[2] = {1 << t, 16 << k};
        DLTensor X = {
            .data = x, .device = {kDLCPU, 0}, .ndim = 2, .dtype = {kDLFloat, 32, 1}, .shape = shape};
        DLTensor Y = X;
        Y.data = y;
        if (fg_relu(&Y, &X) != FG_OK) return (void *)1;
    }
    return NULL;
}

static int child_threads(void)
{
    register_mocks(false);
    if (fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, NULL) != FG_OK) return 4;
    pthread_t th[4];
    for (int t = 0; t < 4; t++) pthread_create(&th[t], NULL, thread_calls, (void *)(intptr_t)t);
    int bad = 0;
    for (int t = 0; t < 4; t++) {
        void *r;
        pthread_join(th[t], &r);
        bad += r != NULL;
    }
    fg_exp_statistics st;
    fg_exp_stats(&st);
    printf("profiled=%llu warm=%llu bad=%d\n", (unsigned long long)st.profiled,
           (unsigned long long)st.perfdb_warm_starts, bad);
    return 0;
}

static int child_bench(void)
{
    register_mocks(false);
    fg_exp_bench_options o = {.warmup = 1, .repeat = 5, .budget_ms = 5, .record = 1};
    char *js = NULL;
    if (fg_exp_benchmark(FAST, SLOW, "[{\"shape\": [64, 256]}]", &o, NULL, &js) != FG_OK) {
        fprintf(stderr, "benchmark: %s\n", fg_last_error());
        return 6;
    }
    printf("%s\n", strstr(js, "\"recorded\": 2") ? "recorded=2" : "recorded=?");
    fg_exp_free(js);
    return 0;
}

/* n single-row transactions on the database FLAGGEMS_EXP_PERF_DB names. */
static int child_writer(int id, int n)
{
    fgi_perfdb *db;
    if (fgi_perfdb_open(getenv("FLAGGEMS_EXP_PERF_DB"), &db) != FG_OK) {
        fprintf(stderr, "writer %d open: %s\n", id, fg_last_error());
        return 7;
    }
    char kid[64], key[FGI_PERFDB_KEY_LEN];
    snprintf(kid, sizeof kid, "relu.cpu.custom.writer%d", id);
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%048d", i);
        fgi_perf_row r = {.kernel_id = kid,
                          .op = "relu",
                          .dtype = "float32",
                          .ndim = 1,
                          .shape = {i},
                          .shape_sig = "x",
                          .key = key,
                          .median_ns = 100 + i,
                          .p10_ns = 90,
                          .p90_ns = 110 + i,
                          .min_ns = 80,
                          .samples = 10,
                          .workspace_bytes = -1,
                          .source = FGI_PERF_PROFILING};
        if (fgi_perfdb_insert(db, &r, 1) != FG_OK) {
            fprintf(stderr, "writer %d row %d: %s\n", id, i, fg_last_error());
            return 8;
        }
    }
    fgi_perfdb_close(db);
    printf("wrote=%d\n", n);
    return 0;
}

/* Runs this program as `mode` with env changes, returns its one line. */
static void run_child(const char *args, char *line, size_t cap)
{
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "'%s' %s", self, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    line[0] = '\0';
    if (!fgets(line, (int)cap, p)) line[0] = '\0';
    int rc = pclose(p);
    if (rc != 0) print_error("child %s exited with %d\n", args, rc);
    assert_int_equal(rc, 0);
    line[strcspn(line, "\n")] = '\0';
}

/* ---------------------------------------------------------------- tests */

static void test_paths(void **state)
{
    (void)state;
    char buf[PATH_MAX];
    bool off;
    char *saved = getenv("FLAGGEMS_EXP_PERF_DB") ? strdup(getenv("FLAGGEMS_EXP_PERF_DB")) : NULL;
    setenv("FLAGGEMS_EXP_PERF_DB", "/somewhere/else.db", 1);
    assert_int_equal(fgi_perfdb_default_path(buf, sizeof buf, &off), FG_OK);
    assert_string_equal(buf, "/somewhere/else.db");
    assert_false(off);
    setenv("FLAGGEMS_EXP_PERF_DB", "", 1);
    assert_int_equal(fgi_perfdb_default_path(buf, sizeof buf, &off), FG_OK);
    assert_true(off);
    assert_string_equal(buf, "");
    char pub[PATH_MAX];
    assert_int_equal(fg_exp_perfdb_path(pub, sizeof pub), FG_OK);
    assert_string_equal(pub, "");
    unsetenv("FLAGGEMS_EXP_PERF_DB");
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    assert_int_equal(fgi_perfdb_default_path(buf, sizeof buf, &off), FG_OK);
    assert_string_equal(buf, "/xdg/cache/flaggems/perf.db");
    unsetenv("XDG_CACHE_HOME");
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/home/someone", 1);
    assert_int_equal(fgi_perfdb_default_path(buf, sizeof buf, &off), FG_OK);
    assert_string_equal(buf, "/home/someone/.cache/flaggems/perf.db");
    assert_int_equal(fg_exp_perfdb_path(pub, 8), FG_ERR_OVERFLOW);
    unsetenv("HOME");
    assert_int_equal(fgi_perfdb_default_path(buf, sizeof buf, &off), FG_ERR_NOT_FOUND);
    assert_non_null(strstr(fg_last_error(), "FLAGGEMS_EXP_PERF_DB"));
    if (home) setenv("HOME", home, 1);
    if (saved) setenv("FLAGGEMS_EXP_PERF_DB", saved, 1);
    free(home);
    free(saved);
}

static fgi_perf_row row(const char *kid, const char *key, double med)
{
    return (fgi_perf_row){.kernel_id = kid,
                          .op = "relu",
                          .dtype = "float32",
                          .ndim = 2,
                          .shape = {64, 256},
                          .shape_sig = "64_256",
                          .key = key,
                          .median_ns = med,
                          .p10_ns = med * 0.9,
                          .p90_ns = med * 1.1,
                          .min_ns = med * 0.8,
                          .samples = 10,
                          .workspace_bytes = -1,
                          .source = FGI_PERF_PROFILING};
}

static void test_rows_and_ignore_rules(void **state)
{
    (void)state;
    char path[PATH_MAX];
    fresh_db("rows.db", path, sizeof path);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    assert_string_equal(fgi_perfdb_notice(db), "");
    const char *key = "00000000000000010000000000000002000000000000000f";
    fgi_perf_row rows[5] = {row("A", key, 1000), row("A", key, 10), row("B", key, 10), row("A", key, 500),
                            row("C", "ffff", 7)};
    rows[1].fingerprint = "0123456789abcdef"; /* another machine */
    rows[2].build = "0.0.9-0000000000000000"; /* another build */
    rows[3].source = FGI_PERF_BENCHMARK;
    assert_int_equal(fgi_perfdb_insert(db, rows, 5), FG_OK);
    const char *ids[3] = {"A", "B", "C"};
    double ns[3];
    /* newest row of this machine and build: A 500; B only elsewhere; C another key */
    assert_int_equal(fgi_perfdb_lookup(db, key, ids, 3, ns), 1);
    assert_true(ns[0] == 500);
    assert_true(ns[1] == 0 && ns[2] == 0);
    int64_t n;
    assert_int_equal(fgi_perfdb_count(db, NULL, NULL, &n), FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(fgi_perfdb_count(db, "*", "*", &n), FG_OK);
    assert_int_equal(n, 5);
    assert_int_equal(fgi_perfdb_count(db, "0123456789abcdef", "*", &n), FG_OK);
    assert_int_equal(n, 1);

    /* all or nothing: one bad row refuses the batch */
    fgi_perf_row bad[2] = {row("D", key, 5), row("D", key, NAN)};
    assert_int_equal(fgi_perfdb_insert(db, bad, 2), FG_ERR_INVALID_ARG);
    assert_non_null(strstr(fg_last_error(), "row 1"));
    bad[1] = row(NULL, key, 5);
    assert_int_equal(fgi_perfdb_insert(db, bad, 2), FG_ERR_INVALID_ARG);
    bad[1] = row("D", key, 5);
    bad[1].samples = 0;
    assert_int_equal(fgi_perfdb_insert(db, bad, 2), FG_ERR_INVALID_ARG);
    assert_int_equal(fgi_perfdb_count(db, "*", "*", &n), FG_OK);
    assert_int_equal(n, 5);
    fgi_perfdb_close(db);

    /* the file is WAL and carries its schema version */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), FGI_PERFDB_SCHEMA);
    sqlite3_finalize(st);
    assert_int_equal(
        sqlite3_prepare_v2(raw, "SELECT count(*) FROM measurements WHERE source='benchmark'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

static void test_warm_start_across_processes(void **state)
{
    (void)state;
    char path[PATH_MAX], line[256];
    fresh_db("warm.db", path, sizeof path);
    setenv("FLAGGEMS_EXP_PERF_DB", path, 1);
    /* the first process measures both custom kernels, the second measures nothing */
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=0 warm=1 kernel=" FAST);
    /* another machine (the ISA in use is part of the fingerprint) and
     * another build (one more kernel registered) ignore those rows */
    setenv("FLAGGEMS_CPU_ISA", "generic", 1);
    run_child("dispatch", line, sizeof line);
    unsetenv("FLAGGEMS_CPU_ISA");
    if (!strcmp(fg_cpu_isa_name(), "avx2")) assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);
    run_child("dispatch extra", line, sizeof line);
    assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=0 warm=1 kernel=" FAST);

    /* disabled: every process measures */
    setenv("FLAGGEMS_EXP_PERF_DB", "", 1);
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);

    /* benchmark rows warm the dispatcher too (same key for the same call) */
    fresh_db("warm_bench.db", path, sizeof path);
    setenv("FLAGGEMS_EXP_PERF_DB", path, 1);
    run_child("bench", line, sizeof line);
    assert_string_equal(line, "recorded=2");
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=0 warm=1 kernel=" FAST);
}

enum { WRITERS = 4 };

/* WRITERS processes insert `rows` single-row transactions each into path at
 * once; then every row must be there. */
static void four_writers(const char *path, int rows)
{
    setenv("FLAGGEMS_EXP_PERF_DB", path, 1);
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char id[16], n[16];
            snprintf(id, sizeof id, "%d", i);
            snprintf(n, sizeof n, "%d", rows);
            execl(self, self, "writer", id, n, (char *)NULL);
            _exit(127);
        }
    }
    for (int i = 0; i < WRITERS; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    int64_t n;
    assert_int_equal(fgi_perfdb_count(db, "*", "*", &n), FG_OK);
    assert_int_equal(n, WRITERS * rows);
    /* each writer's rows are all there */
    char key[FGI_PERFDB_KEY_LEN];
    snprintf(key, sizeof key, "%048d", rows - 1);
    const char *ids[WRITERS] = {"relu.cpu.custom.writer0", "relu.cpu.custom.writer1",
                                "relu.cpu.custom.writer2", "relu.cpu.custom.writer3"};
    double ns[WRITERS];
    assert_int_equal(fgi_perfdb_lookup(db, key, ids, WRITERS, ns), WRITERS);
    for (int i = 0; i < WRITERS; i++) assert_true(ns[i] == 100 + rows - 1);
    fgi_perfdb_close(db);
}

/* Threads of one process share the handle: all their measurements land,
 * and the next process measures none of them. */
static void test_threads_share_the_handle(void **state)
{
    (void)state;
    char path[PATH_MAX], line[256];
    fresh_db("threads.db", path, sizeof path);
    setenv("FLAGGEMS_EXP_PERF_DB", path, 1);
    run_child("threads", line, sizeof line);
    assert_string_equal(line, "profiled=32 warm=0 bad=0");
    run_child("threads", line, sizeof line);
    assert_string_equal(line, "profiled=0 warm=32 bad=0");
}

static void test_four_writer_processes(void **state)
{
    (void)state;
    char path[PATH_MAX];
    fresh_db("writers.db", path, sizeof path);
    four_writers(path, 250);
}

/* Four processes meet a corrupt file at once: one moves it aside, the
 * others join the new database; no row is lost to a second move. */
static void test_four_writers_on_a_corrupt_file(void **state)
{
    (void)state;
    char path[PATH_MAX];
    fresh_db("writers_corrupt.db", path, sizeof path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 1000; i++) fputs("garbage, not a database. ", f);
    fclose(f);
    four_writers(path, 100);
    assert_int_equal(count_aside(path), 1);
}

static void set_log(const char *path) { assert_int_equal(fg_exp_set_option("log_file", path), FG_OK); }

static void test_corrupt_file_moved_aside(void **state)
{
    (void)state;
    char path[PATH_MAX], log[PATH_MAX];
    fresh_db("garbage.db", path, sizeof path);
    tmp("garbage.log", log, sizeof log);
    unlink(log);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 1000; i++) fputs("this is not an SQLite database. ", f);
    fclose(f);
    set_log(log);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    assert_non_null(strstr(fgi_perfdb_notice(db), "moved to"));
    assert_int_equal(count_aside(path), 1);
    fgi_perf_row r = row("A", "k", 42);
    assert_int_equal(fgi_perfdb_insert(db, &r, 1), FG_OK);
    int64_t n;
    assert_int_equal(fgi_perfdb_count(db, NULL, NULL, &n), FG_OK);
    assert_int_equal(n, 1);
    fgi_perfdb_close(db);
    set_log("");
    char *text = read_file(log);
    assert_non_null(text);
    int warnings = 0;
    for (const char *p = strstr(text, "was unusable"); p; p = strstr(p + 1, "was unusable")) warnings++;
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(text, "WARNING"));
    free(text);
}

/* A database of 3000 rows whose pages after the header page are then
 * scribbled over: it opens, and fails on use. */
static const char *damaged_db(const char *name, char *path, size_t cap)
{
    fresh_db(name, path, cap);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    enum { N = 3000 };
    fgi_perf_row *rows = calloc(N, sizeof *rows);
    char(*keys)[FGI_PERFDB_KEY_LEN] = calloc(N, FGI_PERFDB_KEY_LEN);
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], FGI_PERFDB_KEY_LEN, "%048d", i);
        rows[i] = row("A", keys[i], 100 + i);
    }
    assert_int_equal(fgi_perfdb_insert(db, rows, N), FG_OK);
    fgi_perfdb_close(db); /* last connection: the WAL is checkpointed into the file */
    free(rows);
    free(keys);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    assert_true(size > 64 * 1024);
    fseek(f, 4096, SEEK_SET);
    for (long i = 4096; i < size - 4096; i++) fputc((int)(i * 131 % 251), f);
    fclose(f);
    return path;
}

static void test_damaged_pages_repaired_on_use(void **state)
{
    (void)state;
    char path[PATH_MAX];
    damaged_db("damaged.db", path, sizeof path);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    int64_t n = -1;
    fg_status s = fgi_perfdb_count(db, "*", "*", &n);
    const char *ids[1] = {"A"};
    double ns[1];
    fgi_perfdb_lookup(db, "000000000000000000000000000000000000000000001234", ids, 1, ns);
    /* the damage was seen (at open or on first use), reported, and the
     * file replaced: a fresh, working database */
    assert_non_null(strstr(fgi_perfdb_notice(db), "was unusable"));
    assert_int_equal(count_aside(path), 1);
    if (s != FG_OK) assert_int_equal(s, FG_ERR_IO);
    fgi_perf_row r = row("B", "k", 1);
    assert_int_equal(fgi_perfdb_insert(db, &r, 1), FG_OK);
    assert_int_equal(fgi_perfdb_count(db, "*", "*", &n), FG_OK);
    assert_int_equal(n, 1);
    fgi_perfdb_close(db);
}

/* The dispatcher meets the damage on a live op call: the call succeeds,
 * the file is replaced, the measurement lands in the new one. */
static void test_op_calls_survive_a_damaged_file(void **state)
{
    (void)state;
    char path[PATH_MAX], line[256], log[PATH_MAX];
    setenv("FLAGGEMS_EXP_PERF_DB", damaged_db("damaged_live.db", path, sizeof path), 1);
    setenv("FLAGGEMS_EXP_LOG_FILE", tmp("damaged_live.log", log, sizeof log), 1);
    unlink(log);
    run_child("dispatch", line, sizeof line);
    unsetenv("FLAGGEMS_EXP_LOG_FILE");
    assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);
    assert_int_equal(count_aside(path), 1);
    /* reported once */
    char *text = read_file(log);
    assert_non_null(text);
    int warnings = 0;
    for (const char *p = strstr(text, "WARNING"); p; p = strstr(p + 1, "WARNING")) warnings++;
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(text, "was unusable"));
    free(text);
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=0 warm=1 kernel=" FAST);
}

static void test_newer_schema_moved_aside(void **state)
{
    (void)state;
    char path[PATH_MAX];
    fresh_db("newer.db", path, sizeof path);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "CREATE TABLE future(x); PRAGMA user_version=99;", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    assert_non_null(strstr(fgi_perfdb_notice(db), "newer than this library"));
    assert_int_equal(count_aside(path), 1);
    fgi_perfdb_close(db);
}

/* An unusable location: open refuses it clearly; the dispatcher and op
 * calls carry on without a database. */
static void test_unusable_path(void **state)
{
    (void)state;
    char path[PATH_MAX];
    tmp("a_folder.db", path, sizeof path);
    mkdir(path, 0755);
    fgi_perfdb *db = (fgi_perfdb *)1;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_ERR_IO);
    assert_null(db);
    assert_non_null(strstr(fg_last_error(), "a_folder.db"));
    assert_int_equal(fgi_perfdb_open(NULL, &db), FG_ERR_NULL);

    setenv("FLAGGEMS_EXP_PERF_DB", path, 1);
    fgi_perfdb_shared_reset();
    assert_null(fgi_perfdb_shared());
    char line[256];
    run_child("dispatch", line, sizeof line);
    assert_string_equal(line, "profiled=1 warm=0 kernel=" FAST);
    setenv("FLAGGEMS_EXP_PERF_DB", "", 1);
    fgi_perfdb_shared_reset();
    assert_null(fgi_perfdb_shared());
}

static void test_export_to_metadata(void **state)
{
    (void)state;
    char path[PATH_MAX], meta[PATH_MAX + 32], root[PATH_MAX];
    fresh_db("export.db", path, sizeof path);
    tmp("export_repo_XXXXXX", root, sizeof root);
    assert_non_null(mkdtemp(root)); /* a new repository each run */
    snprintf(meta, sizeof meta, "%s/_metadata.json", root);
    fgi_perfdb *db;
    assert_int_equal(fgi_perfdb_open(path, &db), FG_OK);
    const char *K = "relu.cpu.gen.test_v1", *R = "relu.cpu.stable.avx2";
    fgi_perf_row rows[6] = {row(K, "k1", 400), row(R, "k1", 1000), row(K, "k2", 250),
                            row(R, "k2", 500), row(K, "k1", 200),  row(R, "k3", 100)};
    rows[2].shape[0] = 128;
    rows[3].shape[0] = 128;
    rows[2].dtype = rows[3].dtype = "bfloat16";
    rows[1].workspace_bytes = 0;
    rows[4].workspace_bytes = 2 << 20; /* the newest K row on (64, 256) float32 */
    rows[5].shape[0] = 1;              /* a reference-only case: no baseline */
    assert_int_equal(fgi_perfdb_insert(db, rows, 6), FG_OK);

    fgi_perfdb_baseline *bl;
    size_t n;
    assert_int_equal(fgi_perfdb_baselines(db, K, R, &bl, &n), FG_OK);
    assert_int_equal(n, 2);
    char device[160];
    fgi_machine_describe(device, sizeof device);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(bl[i].device, device);
        assert_string_equal(bl[i].reference_impl, R);
        if (!strcmp(bl[i].dtype, "float32")) {
            assert_true(fabs(bl[i].speedup - 5.0) < 1e-12); /* 1000 / 200: newest rows */
            assert_true(fabs(bl[i].memory_overhead - 2.0) < 1e-12);
            assert_int_equal(bl[i].shape[0], 64);
        } else {
            assert_string_equal(bl[i].dtype, "bfloat16");
            assert_true(fabs(bl[i].speedup - 2.0) < 1e-12);
            assert_true(bl[i].memory_overhead == 0); /* unknown workspace */
            assert_int_equal(bl[i].shape[0], 128);
        }
    }
    free(bl);

    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_CREATE, root};
    fgi_meta_store *s;
    assert_int_equal(fgi_meta_open(meta, &o, &s), FG_OK);
    size_t written;
    assert_int_equal(fgi_perfdb_export(db, s, K, R, &written), FG_ERR_NOT_FOUND); /* not registered */
    assert_int_equal(fgi_meta_register_op(s, K,
                                          "{\"op_name\": \"relu\", \"category\": \"pointwise\", "
                                          "\"code_location\": {\"file_path\": \"src/relu.c\"}}"),
                     FG_OK);
    assert_int_equal(fgi_perfdb_export(db, s, K, R, &written), FG_OK);
    assert_int_equal(written, 2);
    assert_int_equal(fgi_perfdb_export(db, s, K, "nobody", &written), FG_ERR_NOT_FOUND);
    const fgi_meta_op *op;
    assert_int_equal(fgi_meta_get_op(s, K, &op), FG_OK);
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    assert_int_equal(pt->n_baselines, 2);
    bool f32 = false;
    for (size_t i = 0; i < pt->n_baselines; i++) {
        const fgi_meta_baseline *b = &pt->baselines[i];
        assert_string_equal(b->device, device);
        assert_string_equal(b->reference_impl, R);
        assert_non_null(b->timestamp);
        assert_int_equal(b->shape_len, 2);
        if (!strcmp(b->dtype, "float32")) {
            f32 = true;
            assert_true(fabs(b->speedup - 5.0) < 1e-9);
            assert_int_equal(b->shape[0], 64);
            assert_int_equal(b->shape[1], 256);
        }
    }
    assert_true(f32);
    fgi_meta_op_release(op);
    /* exporting again replaces, never duplicates */
    assert_int_equal(fgi_perfdb_export(db, s, K, R, &written), FG_OK);
    assert_int_equal(fgi_meta_get_op(s, K, &op), FG_OK);
    assert_int_equal(op->validation_info.performance_tests.n_baselines, 2);
    fgi_meta_op_release(op);
    fgi_meta_close(s);
    fgi_perfdb_close(db);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return 2;
    self[len] = '\0';
    if (argc >= 2 && !strcmp(argv[1], "dispatch"))
        return child_dispatch(argc >= 3 && !strcmp(argv[2], "extra"));
    if (argc >= 2 && !strcmp(argv[1], "bench")) return child_bench();
    if (argc >= 2 && !strcmp(argv[1], "threads")) return child_threads();
    if (argc >= 4 && !strcmp(argv[1], "writer")) return child_writer(atoi(argv[2]), atoi(argv[3]));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_rows_and_ignore_rules),
        cmocka_unit_test(test_warm_start_across_processes),
        cmocka_unit_test(test_threads_share_the_handle),
        cmocka_unit_test(test_four_writer_processes),
        cmocka_unit_test(test_four_writers_on_a_corrupt_file),
        cmocka_unit_test(test_corrupt_file_moved_aside),
        cmocka_unit_test(test_damaged_pages_repaired_on_use),
        cmocka_unit_test(test_op_calls_survive_a_damaged_file),
        cmocka_unit_test(test_newer_schema_moved_aside),
        cmocka_unit_test(test_unusable_path),
        cmocka_unit_test(test_export_to_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
