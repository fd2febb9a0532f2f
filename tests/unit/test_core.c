/* Core services: status names, error messages and their frames, version,
 * logging, the allocator hook, thread count and CPU feature reporting.
 * Run three ways by ctest: plain, with FLAGGEMS_CPU_ISA=generic, and with
 * FG_TEST_LOG_ENV=1 plus FLAGGEMS_LOG_LEVEL/FLAGGEMS_LOG_FILE (only the
 * environment-logging test runs then, before anything else touches the
 * library). */
#include <cpuid.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#ifndef FG_TEST_PROJECT_VERSION
#error "tests/CMakeLists.txt passes the CMake project version"
#endif

static bool contains(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---------------------------------------------------------------- status */

static void test_status_names(void **state)
{
    (void)state;
    int count = 0;
#define X(name, value, text)                                      \
    assert_int_equal((int)name, value);                           \
    assert_string_equal(fg_status_name(name), #name);            \
    assert_string_equal(fg_status_string(name), text);            \
    assert_true(strlen(fg_status_string(name)) > 0);              \
    count++;
    FG_STATUS_LIST(X)
#undef X
    assert_int_equal(count, 16);
    /* names and strings are distinct across codes */
    for (int i = 0; i < count; i++)
        for (int j = i + 1; j < count; j++) {
            assert_string_not_equal(fg_status_name((fg_status)i), fg_status_name((fg_status)j));
            assert_string_not_equal(fg_status_string((fg_status)i),
                                    fg_status_string((fg_status)j));
        }
    const int unknown[] = {16, 17, 99, -1, 1 << 30};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_string_equal(fg_status_name((fg_status)unknown[i]), "FG_ERR_UNKNOWN");
        assert_string_equal(fg_status_string((fg_status)unknown[i]), "unknown status");
    }
}

static void test_version(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", FG_VERSION_MAJOR, FG_VERSION_MINOR, FG_VERSION_PATCH);
    assert_string_equal(fg_version(), want);
    assert_string_equal(fg_version(), FG_TEST_PROJECT_VERSION);
    assert_int_equal(fg_version_number(), FG_VERSION_NUMBER);
    assert_int_equal(FG_VERSION_NUMBER,
                     FG_VERSION_MAJOR * 10000 + FG_VERSION_MINOR * 100 + FG_VERSION_PATCH);
}

/* ---------------------------------------------------------------- errors */

static void test_last_error_frames(void **state)
{
    (void)state;
    const int64_t s48[] = {4, 8}, s49[] = {4, 9}, s416[] = {4, 16}, s0[] = {0};
    tu_tensor *out = tu_new(FGI_F32, 2, s49, TU_CONTIG);
    tu_tensor *a = tu_new(FGI_F32, 2, s48, TU_CONTIG);
    tu_tensor *b = tu_new(FGI_F32, 2, s48, TU_CONTIG);
    tu_tensor *b16 = tu_new(FGI_F32, 2, s416, TU_CONTIG);
    tu_tensor *e_out = tu_new(FGI_F32, 1, s0, TU_CONTIG);
    tu_tensor *e_x = tu_new(FGI_F32, 1, s0, TU_CONTIG);

    assert_int_equal(fg_add(&out->t, &a->t, &b->t, 1.0), FG_ERR_SHAPE);
    const char *m = fg_last_error();
    assert_true(strncmp(m, "FG_ERR_SHAPE: ", 14) == 0);
    assert_true(contains(m, "out has shape [4,9], expected [4,8]"));
    assert_true(ends_with(m, " <- fg_add"));
    assert_true(contains(m, ".c:")); /* the source location */
    /* the build strips the source directory from locations */
    assert_false(contains(m, FG_TEST_SOURCE_DIR "/"));

    assert_int_equal(fg_add(&out->t, &a->t, &b16->t, 1.0), FG_ERR_SHAPE);
    assert_true(contains(fg_last_error(), "[4,16]"));
    assert_true(ends_with(fg_last_error(), "<- fg_add"));

    /* a successful call clears the message: an empty op runs no kernel */
    assert_int_equal(fg_relu(&e_out->t, &e_x->t), FG_OK);
    assert_string_equal(fg_last_error(), "");

    assert_int_equal(fg_relu(&out->t, NULL), FG_ERR_NULL);
    assert_true(contains(fg_last_error(), "x is NULL"));
    assert_true(ends_with(fg_last_error(), "<- fg_relu"));
    fg_memory_stats st;
    assert_int_equal(fg_memory_get_stats(&st), FG_OK);
    assert_string_equal(fg_last_error(), "");
    assert_int_equal(fg_memory_get_stats(NULL), FG_ERR_NULL);
    assert_true(contains(fg_last_error(), "FG_ERR_NULL"));

    tu_free(out);
    tu_free(a);
    tu_free(b);
    tu_free(b16);
    tu_free(e_out);
    tu_free(e_x);
}

static void *other_thread(void *arg)
{
    char *msg = arg;
    const int64_t s[] = {3};
    tu_tensor *out = tu_new(FGI_F32, 1, s, TU_CONTIG);
    fg_status st = fg_exp(&out->t, NULL);
    snprintf(msg, 256, "%d|%s", (int)st, fg_last_error());
    tu_free(out);
    return NULL;
}

static void test_last_error_thread_local(void **state)
{
    (void)state;
    const int64_t s[] = {3}, s4[] = {4};
    tu_tensor *out = tu_new(FGI_F32, 1, s4, TU_CONTIG);
    tu_tensor *x = tu_new(FGI_F32, 1, s, TU_CONTIG);
    assert_int_equal(fg_silu(&out->t, &x->t), FG_ERR_SHAPE);
    char before[1024];
    snprintf(before, sizeof before, "%s", fg_last_error());
    char msg[256];
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, msg), 0);
    pthread_join(th, NULL);
    assert_true(strncmp(msg, "2|FG_ERR_NULL", 13) == 0);
    assert_true(contains(msg, "<- fg_exp"));
    assert_string_equal(fg_last_error(), before);
    assert_true(contains(before, "<- fg_silu"));
    tu_free(out);
    tu_free(x);
}

/* ---------------------------------------------------------------- logging */

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = calloc((size_t)n + 1, 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* A refused call: its error is logged at debug level. */
static void provoke_error(const char *frame_op)
{
    const int64_t s[] = {2};
    tu_tensor *out = tu_new(FGI_F32, 1, s, TU_CONTIG);
    if (strcmp(frame_op, "gelu") == 0)
        assert_int_equal(fg_gelu(&out->t, NULL, FG_GELU_NONE), FG_ERR_NULL);
    else
        assert_int_equal(fg_relu(&out->t, NULL), FG_ERR_NULL);
    tu_free(out);
}

static void temp_path(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "%s/fg_test_%s_%ld.log", P_tmpdir, tag, (long)getpid());
    unlink(buf);
}

static void test_log_off_by_default(void **state)
{
    (void)state;
    assert_int_equal(fg_log_get_level(), FG_LOG_OFF);
    /* the default destination, stderr, stays silent too */
    char errpath[256];
    temp_path(errpath, sizeof errpath, "stderr");
    fflush(stderr);
    int saved = dup(2), fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    provoke_error("relu");
    provoke_error("gelu");
    fflush(stderr);
    dup2(saved, 2);
    close(fd);
    close(saved);
    assert_int_equal(file_size(errpath), 0);
    unlink(errpath);

    char path[256];
    temp_path(path, sizeof path, "off");
    assert_int_equal(fg_log_set_file(path), FG_OK);
    provoke_error("relu");
    assert_int_equal(file_size(path), 0);

    /* the same error is logged once the level allows it */
    fg_log_set_level(FG_LOG_DEBUG);
    assert_int_equal(fg_log_get_level(), FG_LOG_DEBUG);
    provoke_error("gelu");
    fg_log_set_level(FG_LOG_OFF);
    provoke_error("relu");
    char *text = read_file(path);
    assert_true(strncmp(text, "[flaggems ", 10) == 0);
    assert_true(contains(text, "debug"));
    assert_true(contains(text, "FG_ERR_NULL"));
    assert_true(contains(text, "x is NULL"));
    /* exactly one line: the one logged while the level was debug */
    int lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1);
    free(text);

    /* levels out of range are clamped */
    fg_log_set_level((fg_log_level)42);
    assert_int_equal(fg_log_get_level(), FG_LOG_DEBUG);
    fg_log_set_level((fg_log_level)-3);
    assert_int_equal(fg_log_get_level(), FG_LOG_OFF);

    assert_int_equal(fg_log_set_file(NULL), FG_OK);
    unlink(path);
}

static void test_log_bad_file(void **state)
{
    (void)state;
    char good[256];
    temp_path(good, sizeof good, "keep");
    assert_int_equal(fg_log_set_file(good), FG_OK);
    const char *bad = "/nonexistent-fg-test-dir/sub/log.txt";
    assert_int_equal(fg_log_set_file(bad), FG_ERR_IO);
    assert_true(contains(fg_last_error(), "FG_ERR_IO"));
    assert_true(contains(fg_last_error(), bad));
    /* logging keeps its previous destination */
    fg_log_set_level(FG_LOG_DEBUG);
    provoke_error("relu");
    fg_log_set_level(FG_LOG_OFF);
    assert_true(file_size(good) > 0);
    assert_int_equal(fg_log_set_file(NULL), FG_OK);
    unlink(good);
}

/* Runs alone in its own process (see main): the environment is read once. */
static void test_log_env(void **state)
{
    (void)state;
    const char *path = getenv("FLAGGEMS_LOG_FILE");
    assert_non_null(path);
    assert_string_equal(getenv("FLAGGEMS_LOG_LEVEL"), "debug");
    assert_int_equal(fg_log_get_level(), FG_LOG_DEBUG);
    long before = file_size(path);
    assert_true(before >= 0); /* opened (created) when the level was read */
    provoke_error("gelu");
    char *text = read_file(path);
    assert_true((long)strlen(text) > before);
    const char *line = text + before;
    assert_true(strncmp(line, "[flaggems ", 10) == 0);
    assert_true(contains(line, " debug] "));
    assert_true(contains(line, "FG_ERR_NULL"));
    assert_true(contains(line, "<- fg_gelu") || contains(line, "x is NULL"));
    free(text);
}

/* ---------------------------------------------------------------- allocator */

#define MAX_LIVE 4096
typedef struct counting {
    pthread_mutex_t mu;
    void *ptr[MAX_LIVE];
    size_t size[MAX_LIVE];
    size_t live, peak;
    long allocs, frees, refused;
    long fail_at;   /* 0: never fail; k: refuse the k-th allocation (1-based) */
    bool fail_all;
    int bad_frees, bad_aligns;
} counting;

static void *count_alloc(size_t size, size_t align, void *ctx)
{
    counting *c = ctx;
    pthread_mutex_lock(&c->mu);
    void *p = NULL;
    long nth = c->allocs + c->refused + 1;
    if (align == 0 || (align & (align - 1)) || align > 4096) c->bad_aligns++;
    if (c->fail_all || (c->fail_at && nth == c->fail_at)) {
        c->refused++;
    } else if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) == 0) {
        int slot = -1;
        for (int i = 0; i < MAX_LIVE && slot < 0; i++)
            if (!c->ptr[i]) slot = i;
        assert_true(slot >= 0);
        c->ptr[slot] = p;
        c->size[slot] = size;
        c->live += size;
        if (c->live > c->peak) c->peak = c->live;
        c->allocs++;
    }
    pthread_mutex_unlock(&c->mu);
    return p;
}

static void count_free(void *ptr, size_t size, void *ctx)
{
    counting *c = ctx;
    pthread_mutex_lock(&c->mu);
    int slot = -1;
    for (int i = 0; i < MAX_LIVE && slot < 0; i++)
        if (c->ptr[i] == ptr) slot = i;
    if (slot < 0 || c->size[slot] != size) {
        c->bad_frees++;
    } else {
        c->ptr[slot] = NULL;
        c->live -= size;
        c->frees++;
    }
    pthread_mutex_unlock(&c->mu);
    if (slot >= 0) free(ptr);
}

static void counting_reset(counting *c)
{
    pthread_mutex_lock(&c->mu);
    c->peak = c->live;
    c->allocs = c->frees = c->refused = 0;
    c->fail_at = 0;
    c->fail_all = false;
    pthread_mutex_unlock(&c->mu);
}

static counting g_count = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Ops that need workspace in a typical implementation: a 256^3 mm (packing),
 * mm on transposed inputs, softmax and layer_norm on non-contiguous rows. */
enum { WS_MM256, WS_MM_T, WS_SOFTMAX, WS_LAYER_NORM, WS_BMM_T, WS_COUNT };
static const char *const ws_names[WS_COUNT] = {"mm 256x256x256", "mm transposed a and b",
                                                "softmax dim 0 of a gappy view",
                                                "layer_norm of a rotated view", "bmm transposed"};

typedef struct ws_case {
    tu_tensor *out, *a, *b;
} ws_case;

static void ws_make(ws_case *w, int which)
{
    tu_rng r = {(uint64_t)which + 1};
    const int64_t s256[] = {256, 256}, sa[] = {48, 80}, sb[] = {80, 40}, so[] = {48, 40};
    const int64_t sx[] = {33, 70}, ba[] = {3, 20, 30}, bb[] = {3, 30, 12}, bo[] = {3, 20, 12};
    memset(w, 0, sizeof *w);
    switch (which) {
    case WS_MM256:
        w->a = tu_new(FGI_F32, 2, s256, TU_CONTIG);
        w->b = tu_new(FGI_F32, 2, s256, TU_CONTIG);
        w->out = tu_new(FGI_F32, 2, s256, TU_CONTIG);
        break;
    case WS_MM_T:
        w->a = tu_new(FGI_F32, 2, sa, TU_REVERSED);
        w->b = tu_new(FGI_F32, 2, sb, TU_REVERSED);
        w->out = tu_new(FGI_F32, 2, so, TU_CONTIG);
        break;
    case WS_SOFTMAX:
        w->a = tu_new(FGI_F32, 2, sx, TU_GAPPY);
        w->out = tu_new(FGI_F32, 2, sx, TU_CONTIG);
        break;
    case WS_LAYER_NORM:
        w->a = tu_new(FGI_F32, 2, sx, TU_ROTATED);
        w->out = tu_new(FGI_F32, 2, sx, TU_GAPPY);
        break;
    case WS_BMM_T:
        w->a = tu_new(FGI_F32, 3, ba, TU_REVERSED);
        w->b = tu_new(FGI_F32, 3, bb, TU_ROTATED);
        w->out = tu_new(FGI_F32, 3, bo, TU_CONTIG);
        break;
    }
    tu_fill_uniform(w->a, &r, -1, 1);
    if (w->b) tu_fill_uniform(w->b, &r, -1, 1);
}

static fg_status ws_run(ws_case *w, int which)
{
    switch (which) {
    case WS_MM256:
    case WS_MM_T: return fg_mm(&w->out->t, &w->a->t, &w->b->t);
    case WS_SOFTMAX: return fg_softmax(&w->out->t, &w->a->t, 0);
    case WS_LAYER_NORM: return fg_layer_norm(&w->out->t, &w->a->t, NULL, NULL, 1e-5);
    default: return fg_bmm(&w->out->t, &w->a->t, &w->b->t);
    }
}

static void ws_free(ws_case *w)
{
    tu_free(w->out);
    tu_free(w->a);
    tu_free(w->b);
}

static void test_allocator(void **state)
{
    (void)state;
    fg_allocator bad = {NULL, count_free, &g_count};
    assert_int_equal(fg_set_allocator(&bad), FG_ERR_INVALID_ARG);
    assert_true(contains(fg_last_error(), "alloc"));
    fg_allocator bad2 = {count_alloc, NULL, &g_count};
    assert_int_equal(fg_set_allocator(&bad2), FG_ERR_INVALID_ARG);

    fg_allocator al = {count_alloc, count_free, &g_count};
    assert_int_equal(fg_set_allocator(&al), FG_OK);
    fg_memory_reset_peak();
    fg_memory_stats st0, st;
    assert_int_equal(fg_memory_get_stats(&st0), FG_OK);
    assert_int_equal(st0.live_bytes, 0);

    long n_allocs[WS_COUNT];
    long total = 0;
    size_t peak = 0;
    for (int w = 0; w < WS_COUNT; w++) {
        ws_case c;
        ws_make(&c, w);
        counting_reset(&g_count);
        fg_status s = ws_run(&c, w);
        if (s != FG_OK) print_error("%s: %s\n", ws_names[w], fg_last_error());
        assert_int_equal(s, FG_OK);
        n_allocs[w] = g_count.allocs;
        total += g_count.allocs;
        if (g_count.peak > peak) peak = g_count.peak;
        print_message("[ info ] %s (kernel %s): %ld allocations, peak %zu bytes\n", ws_names[w],
                      fg_last_kernel(), g_count.allocs, g_count.peak);
        assert_int_equal(g_count.live, 0);
        assert_int_equal(g_count.frees, g_count.allocs);
        assert_int_equal(fg_memory_get_stats(&st), FG_OK);
        assert_int_equal(st.live_bytes, 0);
        ws_free(&c);
    }
    assert_int_equal(g_count.bad_frees, 0);
    assert_int_equal(g_count.bad_aligns, 0);
    /* the library's own counters saw the same traffic */
    assert_int_equal(fg_memory_get_stats(&st), FG_OK);
    assert_int_equal(st.allocations - st0.allocations, (uint64_t)total);
    /* at least the 256^3 mm needs workspace (panels that fit the caches) */
    assert_true(n_allocs[WS_MM256] > 0);
    assert_true(peak > 0);
    assert_true(st.peak_bytes > 0);

    /* an allocator that refuses: FG_ERR_NO_MEMORY, out untouched, nothing leaks */
    for (int w = 0; w < WS_COUNT; w++) {
        if (n_allocs[w] == 0) continue;
        for (long k = 0; k <= n_allocs[w]; k++) {
            ws_case c;
            ws_make(&c, w);
            tu_poison(c.out);
            counting_reset(&g_count);
            if (k == 0)
                g_count.fail_all = true;
            else
                g_count.fail_at = k;
            fg_memory_stats before;
            assert_int_equal(fg_memory_get_stats(&before), FG_OK);
            fg_status s = ws_run(&c, w);
            if (s != FG_ERR_NO_MEMORY)
                print_error("%s, allocation %ld refused: returned %s\n", ws_names[w], k,
                            fg_status_name(s));
            assert_int_equal(s, FG_ERR_NO_MEMORY);
            assert_true(contains(fg_last_error(), "FG_ERR_NO_MEMORY"));
            assert_int_equal(g_count.live, 0);
            assert_int_equal(g_count.bad_frees, 0);
            assert_int_equal(fg_memory_get_stats(&st), FG_OK);
            assert_int_equal(st.live_bytes, 0);
            assert_true(st.failures > before.failures);
            if (k == 0) {
                /* refused before any work: out still poison everywhere */
                for (int64_t i = 0; i < c.out->numel; i++)
                    if (!tu_is_poison(c.out, i)) {
                        print_error("%s: element %lld written although the op failed\n",
                                    ws_names[w], (long long)i);
                        fail();
                    }
                assert_true(tu_gaps_intact(c.out, ws_names[w]));
            }
            ws_free(&c);
            if (n_allocs[w] > 16 && k >= 3) break; /* a few positions are enough */
        }
    }

    assert_int_equal(fg_set_allocator(NULL), FG_OK);
    /* the default allocator works again */
    ws_case c;
    ws_make(&c, WS_MM256);
    assert_int_equal(ws_run(&c, WS_MM256), FG_OK);
    ws_free(&c);
    assert_int_equal(fg_memory_get_stats(&st), FG_OK);
    assert_int_equal(st.live_bytes, 0);
}

/* ---------------------------------------------------------------- threads, cpu */

static void test_threads(void **state)
{
    (void)state;
    int n0 = fg_get_num_threads();
    assert_true(n0 >= 1);
    assert_int_equal(fg_set_num_threads(0), FG_ERR_INVALID_ARG);
    assert_true(contains(fg_last_error(), "FG_ERR_INVALID_ARG"));
    assert_true(contains(fg_last_error(), "0"));
    assert_int_equal(fg_set_num_threads(-4), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_get_num_threads(), n0);
    assert_int_equal(fg_set_num_threads(1), FG_OK);
    assert_string_equal(fg_last_error(), "");
    assert_int_equal(fg_get_num_threads(), 1);
    assert_int_equal(fg_set_num_threads(3), FG_OK);
    assert_int_equal(fg_get_num_threads(), 3);
    assert_int_equal(fg_set_num_threads(n0), FG_OK);
    assert_int_equal(fg_get_num_threads(), n0);
}

static void test_cpu(void **state)
{
    (void)state;
    unsigned f = fg_cpu_features();
    const char *isa = fg_cpu_isa_name();
    const unsigned all = FG_CPU_AVX2 | FG_CPU_FMA | FG_CPU_F16C;
    assert_int_equal(f & ~all, 0);
    assert_string_equal(isa, (f & all) == all ? "avx2" : "generic");
    assert_int_equal(fg_cpu_features(), f); /* detected once, stable */
    if (tu_env_generic()) {
        assert_int_equal(f, 0);
        assert_string_equal(isa, "generic");
        return;
    }
    /* independent detection: the compiler's cpu model plus CPUID for F16C */
    __builtin_cpu_init();
    unsigned a, b, c, d;
    bool f16c = __get_cpuid(1, &a, &b, &c, &d) && ((c >> 29) & 1) &&
                __builtin_cpu_supports("avx");
    assert_int_equal((f & FG_CPU_AVX2) != 0, __builtin_cpu_supports("avx2") != 0);
    assert_int_equal((f & FG_CPU_FMA) != 0, __builtin_cpu_supports("fma") != 0);
    assert_int_equal((f & FG_CPU_F16C) != 0, f16c);
}

int main(void)
{
    if (getenv("FG_TEST_LOG_ENV")) {
        /* Truncate before the library reads FLAGGEMS_LOG_FILE (it appends). */
        const char *path = getenv("FLAGGEMS_LOG_FILE");
        if (path) {
            FILE *f = fopen(path, "w");
            if (f) fclose(f);
        }
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_log_env)};
        return cmocka_run_group_tests_name("core_log_env", tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_last_error_frames),
        cmocka_unit_test(test_last_error_thread_local),
        cmocka_unit_test(test_log_off_by_default),
        cmocka_unit_test(test_log_bad_file),
        cmocka_unit_test(test_allocator),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_cpu),
    };
    return cmocka_run_group_tests_name(tu_env_generic() ? "core_generic" : "core", tests, NULL,
                                       NULL);
}
