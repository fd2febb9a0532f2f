/* Concurrent writers lose no update and leave a valid file.
 *   same      8 processes x 200 updates of one kernel
 *   distinct  8 processes x 200 updates, one kernel each
 *   threads   4 threads sharing a handle + 4 threads with their own, x 100
 * Each update adds a unique coverage shape "(writer, i)" through
 * update_validation_status, a read-modify-write: a lost update is a missing
 * shape at the end. */
#include "meta_test.h"

#include <pthread.h>
#include <sys/wait.h>

#define PROCS 8
#define UPDATES 200

static mt_repo repo;

static fgi_meta_store *open_store(unsigned flags)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, flags, NULL};
    fgi_meta_store *s = NULL;
    if (fgi_meta_open(repo.file, &o, &s) != FG_OK) return NULL;
    return s;
}

static fg_status add_shape(fgi_meta_store *s, const char *kid, int writer, int i)
{
    char shape[32];
    snprintf(shape, sizeof shape, "(%d, %d)", writer, i);
    const char *shapes[1] = {shape};
    fgi_meta_coverage cov = {"float32", shapes, 1};
    fgi_meta_accuracy_result acc = {1, i, &cov, 1, NULL};
    fgi_meta_validation_result vr = {&acc, NULL};
    return fgi_meta_update_validation_status(s, kid, &vr);
}

/* Every writer's every shape is there, and the file is complete and valid. */
static void check(const char *kid, int writer_lo, int writers, int updates)
{
    fgi_meta_store *s = open_store(FGI_META_READONLY | FGI_META_NO_RECOVER);
    if (!s) fail_msg("final open: %s", fg_last_error());
    assert_string_equal(fgi_meta_open_report(s), "");
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, kid, &op));
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    assert_int_equal(at->n_coverage, 1);
    const fgi_meta_coverage *c = &at->coverage[0];
    assert_int_equal(c->n_shapes, (size_t)(writers * updates));
    char *seen = calloc((size_t)(writers * updates), 1);
    for (size_t k = 0; k < c->n_shapes; k++) {
        int w, i;
        assert_int_equal(sscanf(c->shapes[k], "(%d, %d)", &w, &i), 2);
        w -= writer_lo;
        assert_true(w >= 0 && w < writers && i >= 0 && i < updates);
        assert_int_equal(seen[w * updates + i], 0);
        seen[w * updates + i] = 1;
    }
    free(seen);
    fgi_meta_op_release(op);
    /* Complete: the bytes on disk are exactly the canonical document. */
    char *text;
    size_t n, m;
    ST_OK(fgi_meta_to_json(s, &text, &n));
    char *disk = mt_read(repo.file, &m);
    assert_int_equal(n, m);
    assert_memory_equal(text, disk, n);
    free(disk);
    fgi_meta_free(text);
    fgi_meta_close(s);
}

static void prepare(int kernels)
{
    fgi_meta_store *s = open_store(FGI_META_CREATE);
    assert_non_null(s);
    for (int k = 0; k < kernels; k++) {
        char kid[32], e[512];
        snprintf(kid, sizeof kid, "k%d", k);
        ST_OK(fgi_meta_register_op(s, kid, mt_entry(e, sizeof e, "relu", "pointwise")));
    }
    fgi_meta_close(s);
}

static void run_procs(int distinct)
{
    prepare(distinct ? PROCS : 1);
    pid_t pids[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) {
            fgi_meta_store *s = open_store(0);
            if (!s) {
                fprintf(stderr, "child %d open: %s\n", p, fg_last_error());
                _exit(2);
            }
            char kid[32];
            snprintf(kid, sizeof kid, "k%d", distinct ? p : 0);
            for (int i = 0; i < UPDATES; i++) {
                if (add_shape(s, kid, p, i) != FG_OK) {
                    fprintf(stderr, "child %d update %d: %s\n", p, i, fg_last_error());
                    _exit(3);
                }
            }
            fgi_meta_close(s);
            _exit(0);
        }
    }
    for (int p = 0; p < PROCS; p++) {
        int status;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    if (distinct) {
        for (int p = 0; p < PROCS; p++) {
            char kid[32];
            snprintf(kid, sizeof kid, "k%d", p);
            check(kid, p, 1, UPDATES);
        }
    } else {
        check("k0", 0, PROCS, UPDATES);
    }
}

static void test_same_kernel(void **state)
{
    (void)state;
    run_procs(0);
}

static void test_distinct_kernels(void **state)
{
    (void)state;
    run_procs(1);
}

#define THREADS 8
#define T_UPDATES 100

typedef struct targ {
    fgi_meta_store *shared; /* NULL: open its own */
    int id;
    int failed;
    char why[1024];
} targ;

static void *thread_main(void *p)
{
    targ *a = p;
    fgi_meta_store *s = a->shared ? a->shared : open_store(0);
    if (!s) {
        a->failed = 1;
        snprintf(a->why, sizeof a->why, "open: %s", fg_last_error());
        return NULL;
    }
    for (int i = 0; i < T_UPDATES && !a->failed; i++) {
        if (add_shape(s, "k0", a->id, i) != FG_OK) {
            a->failed = 1;
            snprintf(a->why, sizeof a->why, "update %d: %s", i, fg_last_error());
        }
        /* Readers run alongside the writers. */
        const fgi_meta_op *op;
        if (fgi_meta_get_op(s, "k0", &op) == FG_OK) fgi_meta_op_release(op);
    }
    if (!a->shared) fgi_meta_close(s);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    prepare(1);
    fgi_meta_store *shared = open_store(0);
    assert_non_null(shared);
    pthread_t th[THREADS];
    targ args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (targ){t < THREADS / 2 ? shared : NULL, t, 0, ""};
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        if (args[t].failed) fail_msg("thread %d: %s", t, args[t].why);
    }
    fgi_meta_close(shared);
    check("k0", 0, THREADS, T_UPDATES);
}

static int setup(void **state)
{
    (void)state;
    mt_repo_init(&repo);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mt_repo_free(&repo);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    const struct CMUnitTest all[] = {
        cmocka_unit_test_setup_teardown(test_same_kernel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_distinct_kernels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    static const char *const names[] = {"same", "distinct", "threads"};
    for (int i = 0; i < 3; i++)
        if (strcmp(mode, names[i]) == 0)
            return _cmocka_run_group_tests(names[i], &all[i], 1, NULL, NULL);
    return cmocka_run_group_tests_name("metadata_concurrency", all, NULL, NULL);
}
