/* The performance database: see perfdb.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/time.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"
#include "experimental/metadata.h"
#include "experimental/perfdb.h"
#include "ops/registry.h"

struct fgi_perfdb {
    pthread_mutex_t mu;
    sqlite3 *db; /* NULL: unusable (dead) */
    sqlite3_stmt *ins, *look;
    dev_t dev;
    ino_t ino;
    unsigned rng;
    char fp[20];
    char build[FGI_SIGNATURE_LEN];
    char path[PATH_MAX];
    char notice[2600];
    int reported; /* atomic: a failure was logged (later ones are not) */
    int repaired; /* atomic: repair() logged the failure at hand */
};

static const char SCHEMA[] = "CREATE TABLE IF NOT EXISTS measurements("
                             " id INTEGER PRIMARY KEY,"
                             " fingerprint TEXT NOT NULL,"
                             " build TEXT NOT NULL,"
                             " kernel_id TEXT NOT NULL,"
                             " op TEXT NOT NULL,"
                             " dtype TEXT NOT NULL,"
                             " shape TEXT NOT NULL,"
                             " shape_sig TEXT NOT NULL,"
                             " dispatch_key TEXT NOT NULL,"
                             " median_ns REAL NOT NULL,"
                             " p10_ns REAL NOT NULL,"
                             " p90_ns REAL NOT NULL,"
                             " min_ns REAL NOT NULL,"
                             " samples INTEGER NOT NULL,"
                             " workspace_bytes INTEGER,"
                             " source TEXT NOT NULL CHECK(source IN ('profiling','benchmark')),"
                             " timestamp TEXT NOT NULL);"
                             "CREATE INDEX IF NOT EXISTS measurements_key"
                             " ON measurements(fingerprint, build, dispatch_key);"
                             "CREATE INDEX IF NOT EXISTS measurements_kernel ON measurements(kernel_id);";

static const char INSERT_SQL[] =
    "INSERT INTO measurements(fingerprint, build, kernel_id, op, dtype, shape, shape_sig,"
    " dispatch_key, median_ns, p10_ns, p90_ns, min_ns, samples, workspace_bytes, source, timestamp)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)";

static const char LOOKUP_SQL[] = "SELECT kernel_id, median_ns FROM measurements"
                                 " WHERE fingerprint=?1 AND build=?2 AND dispatch_key=?3"
                                 " ORDER BY id DESC LIMIT 512";

/* ---------------------------------------------------------------- helpers */

void fgi_perfdb_now(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void fgi_perfdb_key_text(const fgi_pc_key *key, char *buf)
{
    snprintf(buf, FGI_PERFDB_KEY_LEN, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, key->w[0], key->w[1],
             key->w[2]);
}

static bool is_busy(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static bool is_corrupt(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Sleeps 1..2^min(attempt,5) ms, randomized so that writers spread out. */
static void backoff(fgi_perfdb *h, int attempt)
{
    int span = 1 << (attempt < 5 ? attempt : 5);
    struct timespec ts = {0, (long)(1 + rand_r(&h->rng) % span) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t deadline(void) { return fgi_now_ns() + (int64_t)FGI_PERFDB_RETRY_MS * 1000000; }

static int exec_retry(fgi_perfdb *h, const char *sql)
{
    int64_t end = deadline();
    int rc;
    for (int a = 0;; a++) {
        rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
        if (!is_busy(rc) || fgi_now_ns() > end) return rc;
        backoff(h, a);
    }
}

static int step_retry(fgi_perfdb *h, sqlite3_stmt *st)
{
    int64_t end = deadline();
    int rc;
    for (int a = 0;; a++) {
        rc = sqlite3_step(st);
        if (!is_busy(rc) || fgi_now_ns() > end) return rc;
        sqlite3_reset(st);
        backoff(h, a);
    }
}

static int mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

fg_status fgi_perfdb_default_path(char *buf, size_t cap, bool *disabled)
{
    FG_RETURN_IF(!buf || !disabled || cap == 0, FG_ERR_NULL, "buf or disabled is NULL");
    buf[0] = '\0';
    *disabled = false;
    const char *env = getenv("FLAGGEMS_EXP_PERF_DB");
    int n;
    if (env) {
        if (!*env) {
            *disabled = true;
            return FG_OK;
        }
        n = snprintf(buf, cap, "%s", env);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg == '/')
            n = snprintf(buf, cap, "%s/flaggems/perf.db", xdg);
        else if (home && *home)
            n = snprintf(buf, cap, "%s/.cache/flaggems/perf.db", home);
        else
            return FG_ERROR(FG_ERR_NOT_FOUND, "no place for the performance database: set "
                                              "FLAGGEMS_EXP_PERF_DB, XDG_CACHE_HOME or HOME");
    }
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return FG_ERROR(FG_ERR_OVERFLOW, "performance database path longer than %zu bytes", cap - 1);
    }
    return FG_OK;
}

/* ---------------------------------------------------------------- connect, repair */

static void disconnect(fgi_perfdb *h)
{
    sqlite3_finalize(h->ins);
    sqlite3_finalize(h->look);
    sqlite3_close_v2(h->db);
    h->ins = h->look = NULL;
    h->db = NULL;
}

/* Opens h->path and makes it ready: WAL, schema, statements. Returns an
 * SQLite code; *why receives the message of a failure. */
static int connect_db(fgi_perfdb *h, char *why, size_t cap)
{
    why[0] = '\0';
    if (mkdirs(h->path) != 0) {
        snprintf(why, cap, "cannot create its folder (%s)", strerror(errno));
        return SQLITE_CANTOPEN;
    }
    int rc = sqlite3_open_v2(h->path, &h->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    /* the file this connection reads: repair() moves it aside only if the
     * path still names it */
    struct stat sb;
    h->ino = 0;
    if (stat(h->path, &sb) == 0) {
        h->dev = sb.st_dev;
        h->ino = sb.st_ino;
    }
    int version = 0;
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h->db, 2000);
        sqlite3_extended_result_codes(h->db, 1);
        rc = exec_retry(h, "PRAGMA journal_mode=WAL");
    }
    if (rc == SQLITE_OK) rc = exec_retry(h, "PRAGMA synchronous=NORMAL");
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK) rc = step_retry(h, st);
        if (rc == SQLITE_ROW) {
            version = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_OK && version > FGI_PERFDB_SCHEMA) {
        snprintf(why, cap, "its schema version %d is newer than this library's %d", version,
                 FGI_PERFDB_SCHEMA);
        return SQLITE_NOTADB;
    }
    if (rc == SQLITE_OK && version < FGI_PERFDB_SCHEMA) {
        rc = exec_retry(h, "BEGIN IMMEDIATE");
        if (rc == SQLITE_OK) {
            char sql[sizeof SCHEMA + 64];
            snprintf(sql, sizeof sql, "%sPRAGMA user_version=%d;", SCHEMA, FGI_PERFDB_SCHEMA);
            rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
            rc = rc == SQLITE_OK ? exec_retry(h, "COMMIT") : rc;
            if (rc != SQLITE_OK) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(h->db, INSERT_SQL, -1, SQLITE_PREPARE_PERSISTENT, &h->ins, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(h->db, LOOKUP_SQL, -1, SQLITE_PREPARE_PERSISTENT, &h->look, NULL);
    if (rc != SQLITE_OK && !why[0])
        snprintf(why, cap, "%s", h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
    return rc;
}

/* Moves a damaged file aside (unless another process already replaced it)
 * and connects to a new one. Handle's mutex held. Processes repair one at
 * a time under an flock on <path>.lock: the one that comes second sees
 * that the path names another file now and joins it instead of moving the
 * fresh database aside. */
static int repair(fgi_perfdb *h, const char *what)
{
    disconnect(h);
    char lock[PATH_MAX + 8];
    snprintf(lock, sizeof lock, "%s.lock", h->path);
    int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lfd >= 0)
        while (flock(lfd, LOCK_EX) != 0 && errno == EINTR) {
        }
    struct stat sb;
    char aside[PATH_MAX + 40] = "";
    if (stat(h->path, &sb) == 0 && h->ino != 0 && sb.st_dev == h->dev && sb.st_ino == h->ino) {
        /* the damaged file's -wal/-shm go first: once it is renamed, a
         * process may create the new database's under the same names */
        char side[PATH_MAX + 8];
        snprintf(side, sizeof side, "%s-wal", h->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", h->path);
        unlink(side);
        snprintf(aside, sizeof aside, "%s.corrupt-%lld", h->path, (long long)time(NULL));
        if (rename(h->path, aside) != 0) aside[0] = '\0';
    }
    char why[256];
    int rc = connect_db(h, why, sizeof why);
    if (lfd >= 0) close(lfd); /* releases the lock */
    if (rc == SQLITE_OK)
        snprintf(h->notice, sizeof h->notice,
                 "performance database %.1024s was unusable (%s); %s%.1060s and recreated", h->path, what,
                 aside[0] ? "moved to " : "replaced by another process", aside[0] ? aside : "");
    else
        snprintf(
            h->notice, sizeof h->notice,
            "performance database %.1024s was unusable (%s) and could not be recreated (%s); measurements "
            "are not kept",
            h->path, what, why);
    fgi_exp_log(FG_EXP_LEVEL_WARNING, "%s", h->notice);
    if (rc != SQLITE_OK) disconnect(h);
    return rc;
}

fg_status fgi_perfdb_open(const char *path, fgi_perfdb **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!path || !*path, FG_ERR_NULL, "performance database path is NULL or empty");
    FG_RETURN_IF(strlen(path) >= PATH_MAX, FG_ERR_OVERFLOW, "performance database path too long");
    fgi_perfdb *h = calloc(1, sizeof *h);
    FG_RETURN_IF(!h, FG_ERR_NO_MEMORY, "performance database handle");
    pthread_mutex_init(&h->mu, NULL);
    snprintf(h->path, sizeof h->path, "%s", path);
    h->rng = (unsigned)getpid() ^ (unsigned)fgi_now_ns();
    fgi_machine_fingerprint(h->fp, sizeof h->fp);
    fgi_build_signature(h->build, sizeof h->build);
    char why[256];
    int rc = connect_db(h, why, sizeof why);
    if (is_corrupt(rc)) rc = repair(h, why);
    if (rc != SQLITE_OK) {
        disconnect(h);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return FG_ERROR(FG_ERR_IO, "performance database %s cannot be used: %s", path, why);
    }
    *out = h;
    return FG_OK;
}

void fgi_perfdb_close(fgi_perfdb *h)
{
    if (!h) return;
    disconnect(h);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

const char *fgi_perfdb_notice(const fgi_perfdb *h) { return h ? h->notice : ""; }
const char *fgi_perfdb_path(const fgi_perfdb *h) { return h ? h->path : ""; }

/* After a failed statement: repairs a damaged file, else describes rc. */
static fg_status db_failed(fgi_perfdb *h, int rc, const char *doing)
{
    char what[256];
    snprintf(what, sizeof what, "%s", h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
    if (is_corrupt(rc) && h->db) {
        repair(h, what);
        __atomic_store_n(&h->repaired, 1, __ATOMIC_RELAXED);
    }
    return FG_ERROR(FG_ERR_IO, "performance database %s: %s failed: %s", h->path, doing, what);
}

/* Logs this thread's error message as a warning the first time a handle
 * fails (a read-only file would otherwise warn on every decision), then
 * clears it: the dispatcher's callers never see it. */
static void report_once(fgi_perfdb *h)
{
    /* a failure that repair() handled was reported there */
    if (!__atomic_exchange_n(&h->repaired, 0, __ATOMIC_RELAXED) &&
        !__atomic_exchange_n(&h->reported, 1, __ATOMIC_RELAXED))
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "%s (further failures of this database are not logged)",
                    fg_last_error());
    fgi_error_clear();
}

/* ---------------------------------------------------------------- shared handle */

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static fgi_perfdb *shared;
static pid_t shared_pid;
static bool shared_tried;

fgi_perfdb *fgi_perfdb_shared(void)
{
    pthread_mutex_lock(&shared_mu);
    if (shared_pid != getpid()) {
        /* a handle inherited through fork() must not be used (SQLite's
         * rule): leave it, open our own */
        shared = NULL;
        shared_tried = false;
    }
    if (!shared_tried) {
        shared_tried = true;
        shared_pid = getpid();
        char path[PATH_MAX];
        bool off;
        fg_status s = fgi_perfdb_default_path(path, sizeof path, &off);
        if (s == FG_OK && !off) s = fgi_perfdb_open(path, &shared);
        if (s != FG_OK)
            fgi_exp_log(FG_EXP_LEVEL_WARNING, "%s; dispatch decisions are measured in every process",
                        fg_last_error());
        fgi_error_clear();
    }
    fgi_perfdb *h = shared;
    pthread_mutex_unlock(&shared_mu);
    return h;
}

void fgi_perfdb_shared_reset(void)
{
    pthread_mutex_lock(&shared_mu);
    if (shared_pid == getpid()) fgi_perfdb_close(shared);
    shared = NULL;
    shared_tried = false;
    pthread_mutex_unlock(&shared_mu);
}

/* ---------------------------------------------------------------- rows */

static fg_status check_row(const fgi_perf_row *r, size_t i)
{
    FG_RETURN_IF(!r->kernel_id || !r->op || !r->dtype || !r->key || !r->shape_sig, FG_ERR_INVALID_ARG,
                 "row %zu: kernel_id, op, dtype, shape_sig and key are required", i);
    FG_RETURN_IF(r->ndim < 0 || r->ndim > FG_MAX_DIMS, FG_ERR_INVALID_ARG, "row %zu: ndim %d out of 0..%d", i,
                 r->ndim, FG_MAX_DIMS);
    const double t[4] = {r->median_ns, r->p10_ns, r->p90_ns, r->min_ns};
    for (int k = 0; k < 4; k++)
        FG_RETURN_IF(!isfinite(t[k]) || t[k] < 0, FG_ERR_INVALID_ARG,
                     "row %zu (%s): times must be finite and >= 0, got %g", i, r->kernel_id, t[k]);
    FG_RETURN_IF(r->samples < 1, FG_ERR_INVALID_ARG, "row %zu (%s): samples must be >= 1", i, r->kernel_id);
    FG_RETURN_IF(r->source != FGI_PERF_PROFILING && r->source != FGI_PERF_BENCHMARK, FG_ERR_INVALID_ARG,
                 "row %zu: source must be profiling or benchmark", i);
    return FG_OK;
}

static void shape_text(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, d ? "," : "", shape[d]);
    if (n < cap) snprintf(buf + n, cap - n, "]");
}

static int parse_shape(const char *s, int64_t *shape)
{
    int nd = 0;
    if (*s++ != '[') return -1;
    while (*s && *s != ']' && nd < FG_MAX_DIMS) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 0) return -1;
        shape[nd++] = v;
        s = *end == ',' ? end + 1 : end;
    }
    return *s == ']' ? nd : -1;
}

static int bind_row(fgi_perfdb *h, sqlite3_stmt *st, const fgi_perf_row *r, const char *now)
{
    char shape[FG_MAX_DIMS * 21 + 3];
    shape_text(shape, sizeof shape, r->ndim, r->shape);
    int rc = SQLITE_OK;
#define B(x) rc = rc == SQLITE_OK ? (x) : rc
    B(sqlite3_bind_text(st, 1, r->fingerprint ? r->fingerprint : h->fp, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 2, r->build ? r->build : h->build, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 3, r->kernel_id, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 4, r->op, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 5, r->dtype, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 6, shape, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 7, r->shape_sig, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_text(st, 8, r->key, -1, SQLITE_TRANSIENT));
    B(sqlite3_bind_double(st, 9, r->median_ns));
    B(sqlite3_bind_double(st, 10, r->p10_ns));
    B(sqlite3_bind_double(st, 11, r->p90_ns));
    B(sqlite3_bind_double(st, 12, r->min_ns));
    B(sqlite3_bind_int64(st, 13, r->samples));
    B(r->workspace_bytes >= 0 ? sqlite3_bind_int64(st, 14, r->workspace_bytes) : sqlite3_bind_null(st, 14));
    B(sqlite3_bind_text(st, 15, r->source == FGI_PERF_BENCHMARK ? "benchmark" : "profiling", -1,
                        SQLITE_STATIC));
    B(sqlite3_bind_text(st, 16, r->timestamp ? r->timestamp : now, -1, SQLITE_TRANSIENT));
#undef B
    return rc;
}

fg_status fgi_perfdb_insert(fgi_perfdb *h, const fgi_perf_row *rows, size_t n)
{
    FG_RETURN_IF(!h || (!rows && n), FG_ERR_NULL, "db or rows is NULL");
    for (size_t i = 0; i < n; i++) FG_FORWARD(check_row(&rows[i], i), "performance database insert");
    if (n == 0) return FG_OK;
    char now[32];
    fgi_perfdb_now(now, sizeof now);
    pthread_mutex_lock(&h->mu);
    fg_status s = FG_OK;
    int rc = h->db ? exec_retry(h, "BEGIN IMMEDIATE") : SQLITE_CANTOPEN;
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
        sqlite3_reset(h->ins);
        rc = bind_row(h, h->ins, &rows[i], now);
        if (rc == SQLITE_OK) rc = sqlite3_step(h->ins);
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (h->ins) {
        sqlite3_reset(h->ins);
        sqlite3_clear_bindings(h->ins);
    }
    if (rc == SQLITE_OK) rc = exec_retry(h, "COMMIT");
    if (rc != SQLITE_OK) {
        if (h->db && !sqlite3_get_autocommit(h->db)) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
        s = h->db ? db_failed(h, rc, "insert")
                  : FG_ERROR(FG_ERR_IO, "performance database %s is unusable (%s)", h->path, h->notice);
    }
    pthread_mutex_unlock(&h->mu);
    return s;
}

int fgi_perfdb_lookup(fgi_perfdb *h, const char *key, const char *const *ids, int n, double *ns)
{
    for (int i = 0; i < n; i++) ns[i] = 0;
    if (!h || !key) return 0;
    int found = 0;
    pthread_mutex_lock(&h->mu);
    if (h->db) {
        sqlite3_stmt *st = h->look;
        sqlite3_reset(st);
        int rc = sqlite3_bind_text(st, 1, h->fp, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, h->build, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
        while (rc == SQLITE_OK && (rc = step_retry(h, st)) == SQLITE_ROW && found < n) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            double t = sqlite3_column_double(st, 1);
            rc = SQLITE_OK;
            for (int i = 0; i < n && id; i++)
                if (ns[i] == 0 && strcmp(id, ids[i]) == 0 && t > 0) {
                    ns[i] = t;
                    found++;
                }
        }
        sqlite3_reset(st);
        if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
            db_failed(h, rc, "lookup");
            report_once(h);
            found = 0;
            for (int i = 0; i < n; i++) ns[i] = 0;
        }
    }
    pthread_mutex_unlock(&h->mu);
    return found;
}

/* Runs sql (with ?1 = fingerprint, ?2 = build when bind) and hands each row
 * to fn. Handle's mutex held by the caller. */
static fg_status query_rows(fgi_perfdb *h, const char *sql, const char *fp, const char *build,
                            const char *const *texts, int ntexts, int (*fn)(sqlite3_stmt *st, void *ctx),
                            void *ctx, const char *doing)
{
    FG_RETURN_IF(!h->db, FG_ERR_IO, "performance database %s is unusable (%s)", h->path, h->notice);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);
    int p = 1;
    if (rc == SQLITE_OK && fp) rc = sqlite3_bind_text(st, p++, fp, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK && build) rc = sqlite3_bind_text(st, p++, build, -1, SQLITE_TRANSIENT);
    for (int i = 0; i < ntexts && rc == SQLITE_OK; i++)
        rc = sqlite3_bind_text(st, p++, texts[i], -1, SQLITE_TRANSIENT);
    while (rc == SQLITE_OK && (rc = step_retry(h, st)) == SQLITE_ROW) rc = fn(st, ctx);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_failed(h, rc, doing);
    return FG_OK;
}

static int count_row(sqlite3_stmt *st, void *ctx)
{
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return SQLITE_OK;
}

fg_status fgi_perfdb_count(fgi_perfdb *h, const char *fingerprint, const char *build, int64_t *out)
{
    FG_RETURN_IF(!h || !out, FG_ERR_NULL, "db or out is NULL");
    *out = 0;
    const char *fp = fingerprint ? fingerprint : h->fp, *bs = build ? build : h->build;
    bool any_fp = !strcmp(fp, "*"), any_bs = !strcmp(bs, "*");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM measurements WHERE %s AND %s",
             any_fp ? "1" : "fingerprint=?", any_bs ? "1" : "build=?");
    pthread_mutex_lock(&h->mu);
    fg_status s =
        query_rows(h, sql, any_fp ? NULL : fp, any_bs ? NULL : bs, NULL, 0, count_row, out, "count");
    pthread_mutex_unlock(&h->mu);
    return s;
}

/* ---------------------------------------------------------------- export */

typedef struct brow {
    bool ref;
    char dtype[16];
    int ndim;
    int64_t shape[FG_MAX_DIMS];
    double median;
    int64_t ws; /* -1 unknown */
    char ts[32];
} brow;

typedef struct brows {
    brow *v;
    size_t n, cap;
    const char *ref_id;
} brows;

static int collect_row(sqlite3_stmt *st, void *ctx)
{
    brows *b = ctx;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        brow *v = realloc(b->v, cap * sizeof *v);
        if (!v) return SQLITE_NOMEM;
        b->v = v;
        b->cap = cap;
    }
    brow *r = &b->v[b->n];
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *dt = (const char *)sqlite3_column_text(st, 1);
    const char *shape = (const char *)sqlite3_column_text(st, 2);
    const char *ts = (const char *)sqlite3_column_text(st, 5);
    r->ndim = shape ? parse_shape(shape, r->shape) : -1;
    if (!id || !dt || !ts || r->ndim < 0) return SQLITE_OK; /* not ours to export */
    r->ref = strcmp(id, b->ref_id) == 0;
    snprintf(r->dtype, sizeof r->dtype, "%s", dt);
    r->median = sqlite3_column_double(st, 3);
    r->ws = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
    snprintf(r->ts, sizeof r->ts, "%s", ts);
    if (r->median > 0) b->n++;
    return SQLITE_OK;
}

static bool same_case(const brow *a, const brow *b)
{
    return a->ndim == b->ndim && !strcmp(a->dtype, b->dtype) &&
           !memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]);
}

fg_status fgi_perfdb_baselines(fgi_perfdb *h, const char *kernel_id, const char *reference_id,
                               fgi_perfdb_baseline **out, size_t *n)
{
    FG_RETURN_IF(!h || !kernel_id || !reference_id || !out || !n, FG_ERR_NULL,
                 "db, kernel_id, reference_id, out or n is NULL");
    *out = NULL;
    *n = 0;
    brows b = {.ref_id = reference_id};
    const char *ids[2] = {kernel_id, reference_id};
    pthread_mutex_lock(&h->mu);
    fg_status s = query_rows(h,
                             "SELECT kernel_id, dtype, shape, median_ns, workspace_bytes, timestamp"
                             " FROM measurements WHERE fingerprint=? AND build=? AND kernel_id IN (?, ?)"
                             " ORDER BY id DESC",
                             h->fp, h->build, ids, 2, collect_row, &b, "export");
    pthread_mutex_unlock(&h->mu);
    if (s != FG_OK) {
        free(b.v);
        return s;
    }
    fgi_perfdb_baseline *res = b.n ? calloc(b.n, sizeof *res) : NULL;
    if (b.n && !res) {
        free(b.v);
        return FG_ERROR(FG_ERR_NO_MEMORY, "baselines");
    }
    char device[160];
    fgi_machine_describe(device, sizeof device);
    size_t m = 0;
    /* rows are newest first: the first kernel row of a case and the first
     * reference row of that case are the ones that count */
    for (size_t i = 0; i < b.n; i++) {
        const brow *k = &b.v[i];
        if (k->ref) continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) seen = !b.v[j].ref && same_case(&b.v[j], k);
        const brow *r = NULL;
        for (size_t j = 0; j < b.n && !r && !seen; j++)
            if (b.v[j].ref && same_case(&b.v[j], k)) r = &b.v[j];
        if (seen || !r) continue;
        fgi_perfdb_baseline *o = &res[m++];
        snprintf(o->device, sizeof o->device, "%s", device);
        snprintf(o->dtype, sizeof o->dtype, "%s", k->dtype);
        o->ndim = k->ndim;
        memcpy(o->shape, k->shape, sizeof o->shape);
        o->speedup = r->median / k->median;
        o->memory_overhead = k->ws >= 0 && r->ws >= 0 ? (double)(k->ws - r->ws) / (1024.0 * 1024.0) : 0.0;
        snprintf(o->reference_impl, sizeof o->reference_impl, "%s", reference_id);
        snprintf(o->timestamp, sizeof o->timestamp, "%s", k->ts);
    }
    free(b.v);
    if (!m) {
        free(res);
        res = NULL;
    }
    *out = res;
    *n = m;
    return FG_OK;
}

fg_status fgi_perfdb_export(fgi_perfdb *h, struct fgi_meta_store *store, const char *kernel_id,
                            const char *reference_id, size_t *written)
{
    if (written) *written = 0;
    FG_RETURN_IF(!store, FG_ERR_NULL, "metadata store is NULL");
    fgi_perfdb_baseline *bl;
    size_t n;
    FG_FORWARD(fgi_perfdb_baselines(h, kernel_id, reference_id, &bl, &n), "export of %s", kernel_id);
    FG_RETURN_IF(n == 0, FG_ERR_NOT_FOUND,
                 "the performance database has no measurements of both %s and %s on one shape (this "
                 "machine and build)",
                 kernel_id, reference_id);
    fgi_meta_baseline *mb = calloc(n, sizeof *mb);
    if (!mb) {
        free(bl);
        return FG_ERROR(FG_ERR_NO_MEMORY, "baselines");
    }
    for (size_t i = 0; i < n; i++)
        mb[i] = (fgi_meta_baseline){.device = bl[i].device,
                                    .shape = bl[i].shape,
                                    .shape_len = (size_t)bl[i].ndim,
                                    .dtype = bl[i].dtype,
                                    .speedup = bl[i].speedup,
                                    .memory_overhead = bl[i].memory_overhead,
                                    .reference_impl = bl[i].reference_impl,
                                    .timestamp = bl[i].timestamp};
    fgi_meta_performance_result pr = {.baselines = mb, .n_baselines = n, .passed = -1};
    fgi_meta_validation_result vr = {.performance = &pr};
    fg_status s = fgi_meta_update_validation_status(store, kernel_id, &vr);
    free(mb);
    free(bl);
    FG_FORWARD(s, "export of %s", kernel_id);
    if (written) *written = n;
    return FG_OK;
}

/* ---------------------------------------------------------------- dispatcher hooks */

bool fgi_perfdb_recall(const fgi_pc_key *key, const fgi_kernel *const *ks, int n, float *ns)
{
    fgi_perfdb *h = fgi_perfdb_shared();
    if (!h || n > FGI_PC_MAXK) return false;
    char kt[FGI_PERFDB_KEY_LEN];
    fgi_perfdb_key_text(key, kt);
    const char *ids[FGI_PC_MAXK] = {0};
    double t[FGI_PC_MAXK];
    for (int i = 0; i < n; i++) ids[i] = ks[i]->id;
    if (fgi_perfdb_lookup(h, kt, ids, n, t) != n) return false;
    for (int i = 0; i < n; i++) ns[i] = (float)t[i];
    return true;
}

fg_status fgi_perfdb_record(fgi_perfdb *db, const fgi_call *call, const fgi_kernel *const *ks,
                            const fgi_perf_sample_stats *st, int n, fgi_perf_source source,
                            const char *timestamp, size_t *written)
{
    if (written) *written = 0;
    FG_RETURN_IF(!db || !call || (n && (!ks || !st)), FG_ERR_NULL, "db, call, kernels or stats is NULL");
    FG_RETURN_IF(n < 0 || n > 16, FG_ERR_INVALID_ARG, "%d kernels: expected 0..16", n);
    fgi_pc_key key;
    fgi_exp_key(call, &key);
    char kt[FGI_PERFDB_KEY_LEN], sig[96];
    fgi_perfdb_key_text(&key, kt);
    fgi_exp_shape_sig(call, sig, sizeof sig);
    fgi_perf_row rows[16];
    size_t m = 0;
    for (int i = 0; i < n; i++) {
        if (st[i].samples < 1) continue;
        rows[m] = (fgi_perf_row){.kernel_id = ks[i]->id,
                                 .op = fgi_op_name(call->op),
                                 .dtype = fgi_dtype_name(call->dtype),
                                 .ndim = call->in[0].ndim,
                                 .shape_sig = sig,
                                 .key = kt,
                                 .median_ns = st[i].median_ns,
                                 .p10_ns = st[i].p10_ns,
                                 .p90_ns = st[i].p90_ns,
                                 .min_ns = st[i].min_ns,
                                 .samples = st[i].samples,
                                 .workspace_bytes = st[i].workspace_bytes,
                                 .source = source,
                                 .timestamp = timestamp};
        memcpy(rows[m].shape, call->in[0].shape, sizeof rows[m].shape);
        m++;
    }
    FG_FORWARD(fgi_perfdb_insert(db, rows, m), "recording %s", fgi_op_name(call->op));
    if (written) *written = m;
    return FG_OK;
}

void fgi_perfdb_remember(const fgi_call *call, const fgi_kernel *const *ks, int n,
                         const fgi_perf_sample_stats *st)
{
    fgi_perfdb *h = fgi_perfdb_shared();
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    bool usable = h->db != NULL; /* a dead handle was reported once already */
    pthread_mutex_unlock(&h->mu);
    if (usable && fgi_perfdb_record(h, call, ks, st, n, FGI_PERF_PROFILING, NULL, NULL) != FG_OK)
        report_once(h);
}
