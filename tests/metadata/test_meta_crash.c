/* SIGKILL a writer at random moments (argv[1] times, default 250) and check
 * that the file is always the old or the new complete version.
 *
 * The child sets test_cases to 1, 2, 3, ... and reports each value on a
 * pipe once update_op returned. After the kill the file must hold the last
 * reported value v or v + 1 (killed after the rename, before the report),
 * be byte-for-byte the canonical text of that document (so: complete), and
 * open without any recovery. Kill times are spread over ~3 commit times so
 * they land in every phase: serializing, writing, fsync, link, rename. */
#include "meta_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static mt_repo repo;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static fgi_meta_store *open_store(unsigned flags)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, flags, NULL};
    fgi_meta_store *s = NULL;
    if (fgi_meta_open(repo.file, &o, &s) != FG_OK) return NULL;
    return s;
}

static void set_cases(fgi_meta_store *s, int64_t v, fg_status *st)
{
    char patch[128];
    snprintf(patch, sizeof patch,
             "{\"validation_info\": {\"accuracy_tests\": {\"test_cases\": %lld}}}", (long long)v);
    *st = fgi_meta_update_op(s, "k7", patch);
}

/* The file's value, after checking that it is complete and valid. */
static int64_t file_value(const char *path)
{
    size_t n;
    char *disk = mt_read(path, &n);
    if (!disk) fail_msg("%s is missing", path);
    fgi_meta_store *s = NULL;
    if (fgi_meta_open_buffer(disk, n, NULL, path, &s) != FG_OK)
        fail_msg("%s is not a valid document: %s", path, fg_last_error());
    char *canon;
    size_t m;
    ST_OK(fgi_meta_to_json(s, &canon, &m));
    if (m != n || memcmp(canon, disk, n) != 0) fail_msg("%s is not a complete version", path);
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "k7", &op));
    int64_t v = op->validation_info.accuracy_tests.test_cases;
    fgi_meta_op_release(op);
    fgi_meta_free(canon);
    fgi_meta_close(s);
    free(disk);
    return v;
}

static int count_temps(void)
{
    DIR *d = opendir(repo.root);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp.") || strstr(de->d_name, ".baktmp.")) n++;
    closedir(d);
    return n;
}

static int kills = 250;

static void test_sigkill_writer(void **state)
{
    (void)state;
    /* A document of a realistic size (40 kernels), so a write takes a while. */
    fgi_meta_store *s = open_store(FGI_META_CREATE);
    assert_non_null(s);
    for (int k = 0; k < 40; k++) {
        char kid[16], e[512];
        snprintf(kid, sizeof kid, "k%d", k);
        ST_OK(fgi_meta_register_op(s, kid, mt_entry(e, sizeof e, "relu", "pointwise")));
    }
    int64_t t0 = now_ns();
    fg_status st;
    for (int i = 0; i < 10; i++) {
        set_cases(s, 0, &st);
        ST_OK(st);
    }
    int64_t commit_ns = (now_ns() - t0) / 10;
    fgi_meta_close(s);

    unsigned seed = (unsigned)time(NULL);
    srand(seed);
    int64_t value = 0;
    int mid_write = 0, unacked_new = 0;
    for (int it = 0; it < kills; it++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            fgi_meta_store *c = open_store(0);
            if (!c) _exit(2);
            int64_t ready = -1;
            if (write(fds[1], &ready, sizeof ready) != sizeof ready) _exit(3);
            for (int64_t v = value + 1;; v++) {
                fg_status cs;
                set_cases(c, v, &cs);
                if (cs != FG_OK) _exit(4);
                if (write(fds[1], &v, sizeof v) != sizeof v) _exit(5);
            }
        }
        close(fds[1]);
        int64_t msg, last = value;
        assert_int_equal(read(fds[0], &msg, sizeof msg), sizeof msg);
        assert_true(msg == -1);
        int64_t delay = (int64_t)((double)rand() / RAND_MAX * 3.0 * (double)commit_ns);
        struct timespec ts = {delay / 1000000000, delay % 1000000000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int wst;
        assert_int_equal(waitpid(pid, &wst, 0), pid);
        if (!(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL))
            fail_msg("iteration %d: the writer exited with %d before the kill", it,
                     WIFEXITED(wst) ? WEXITSTATUS(wst) : -1);
        ssize_t r;
        while ((r = read(fds[0], &msg, sizeof msg)) == sizeof msg) last = msg;
        close(fds[0]);
        if (count_temps() > 0) mid_write++;

        int64_t v = file_value(repo.file);
        if (v != last && v != last + 1)
            fail_msg("iteration %d (seed %u): file holds %lld, last acknowledged %lld", it, seed,
                     (long long)v, (long long)last);
        if (v == last + 1) unacked_new++;
        if (mt_exists(repo.bak)) (void)file_value(repo.bak); /* the .bak is whole too */
        value = v;
        /* No open ever needs to repair anything. */
        if (it % 25 == 0) {
            fgi_meta_store *chk = open_store(0);
            if (!chk) fail_msg("open after kill: %s", fg_last_error());
            assert_string_equal(fgi_meta_open_report(chk), "");
            fgi_meta_close(chk);
            assert_int_equal(count_temps(), 0); /* leftovers were removed */
        }
    }
    print_message("%d kills (commit ~%.2f ms): %d left a temp file (killed mid-write), %d after "
                  "the rename but before the acknowledgement; final value %lld\n",
                  kills, commit_ns / 1e6, mid_write, unacked_new, (long long)value);
    assert_true(value > 0);
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
    if (argc > 1) kills = atoi(argv[1]);
    if (kills < 1) kills = 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigkill_writer, setup, teardown),
    };
    return cmocka_run_group_tests_name("metadata_crash", tests, NULL, NULL);
}
