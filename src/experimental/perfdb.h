/* The performance database (DESIGN.md §4 "Performance cache and
 * database"): one SQLite file of measured kernel times that outlives the
 * process, so a new process starts warm instead of measuring again.
 *
 * Where: FLAGGEMS_EXP_PERF_DB names the file (an empty value disables the
 * database); else $XDG_CACHE_HOME/flaggems/perf.db; else
 * ~/.cache/flaggems/perf.db. Missing folders are created.
 *
 * File: WAL mode (readers never block the writer), schema version in
 * PRAGMA user_version (FGI_PERFDB_SCHEMA). Every row carries the hardware
 * fingerprint (fgi_machine_fingerprint) and the build signature
 * (fgi_build_signature); lookups for dispatch see only rows of this machine
 * and this build.
 *
 * Concurrency: any number of processes may share the file on a local disk.
 * Each connection has a busy timeout, and every statement that meets
 * SQLITE_BUSY / SQLITE_LOCKED is retried with a randomized back-off until
 * FGI_PERFDB_RETRY_MS has passed, so concurrent writers lose no row and
 * SQLITE_BUSY never reaches a caller. A handle serializes its own users
 * with a mutex (it may be shared by threads); it must not cross fork().
 *
 * Damage: a file that is not a database, is corrupt, or has a schema newer
 * than this library is moved aside to <file>.corrupt-<unix time> (with its
 * -wal/-shm files removed) and recreated, one process at a time (an flock
 * on <file>.lock; a process that finds the file already replaced joins the
 * new one); this is reported once, as a
 * warning in the runtime's log, and fgi_perfdb_notice() returns the text.
 * A file that cannot be opened or recreated at all (permissions, a folder
 * in its place) disables the handle, again with one warning. Neither ever
 * fails an op call: the dispatcher then simply measures. */
#ifndef FGI_EXPERIMENTAL_PERFDB_H
#define FGI_EXPERIMENTAL_PERFDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "experimental/perf_cache.h"
#include "flaggems/flaggems.h"
#include "ops/kernel.h"

#define FGI_PERFDB_SCHEMA 1
#define FGI_PERFDB_RETRY_MS 30000
#define FGI_PERFDB_KEY_LEN 49 /* 48 hex digits of a dispatcher key + NUL */

typedef struct fgi_perfdb fgi_perfdb;

typedef enum fgi_perf_source { FGI_PERF_PROFILING = 0, FGI_PERF_BENCHMARK = 1 } fgi_perf_source;

/* One measurement: the timing of one kernel on one call shape. */
typedef struct fgi_perf_row {
    const char *fingerprint; /* NULL: this machine's */
    const char *build;       /* NULL: this library's build signature */
    const char *kernel_id;
    const char *op;    /* "softmax" */
    const char *dtype; /* "float32" */
    int ndim;          /* shape of the call's first input (a for mm) */
    int64_t shape[FG_MAX_DIMS];
    const char *shape_sig; /* the dispatcher's "1K_512" */
    const char *key;       /* fgi_perfdb_key_text of the dispatcher key */
    double median_ns, p10_ns, p90_ns, min_ns;
    int64_t samples;         /* timed runs behind the statistics */
    int64_t workspace_bytes; /* peak library allocation of one run; -1 unknown */
    fgi_perf_source source;
    const char *timestamp; /* RFC 3339 UTC; NULL: now */
} fgi_perf_row;

/* The path the environment selects (see above) into buf. *disabled is set
 * when FLAGGEMS_EXP_PERF_DB is set and empty (buf is then ""). FG_ERR_NOT_FOUND
 * when neither XDG_CACHE_HOME nor HOME is set; FG_ERR_OVERFLOW when the
 * path does not fit. */
fg_status fgi_perfdb_default_path(char *buf, size_t cap, bool *disabled);

/* Opens (creating it and its folders when missing) the database at path,
 * repairing it as described above. FG_ERR_NULL; FG_ERR_IO when the file can
 * be neither opened nor recreated (the message says why); FG_ERR_NO_MEMORY.
 * *out is NULL on failure. */
fg_status fgi_perfdb_open(const char *path, fgi_perfdb **out);
/* NULL is a no-op. */
void fgi_perfdb_close(fgi_perfdb *db);
/* What opening or using the handle had to repair ("" when nothing), e.g.
 * "perf.db was not a database (file is not a database); moved to
 * perf.db.corrupt-1764050000 and recreated". Valid while db lives. */
const char *fgi_perfdb_notice(const fgi_perfdb *db);
const char *fgi_perfdb_path(const fgi_perfdb *db);

/* The process-wide handle the dispatcher and the benchmarks use, opened on
 * first use from fgi_perfdb_default_path; NULL when disabled or unusable
 * (reported once). Re-opened in a child after fork(). */
fgi_perfdb *fgi_perfdb_shared(void);
/* Closes the shared handle; the next fgi_perfdb_shared reads the
 * environment again (tests, fg_exp_reset_config). */
void fgi_perfdb_shared_reset(void);

/* Appends rows in one transaction: all or none. FG_ERR_INVALID_ARG names
 * a bad field (NULL kernel_id, op, dtype, key; negative or non-finite
 * times; ndim out of range); FG_ERR_IO for a database error (not BUSY:
 * that is retried). */
fg_status fgi_perfdb_insert(fgi_perfdb *db, const fgi_perf_row *rows, size_t n);

/* For dispatcher key `key` on this machine and build: the newest median of
 * each of the n kernels into ns[i] (0 when it has none). Returns how many
 * were found; 0 on any error (which is logged, never returned). */
int fgi_perfdb_lookup(fgi_perfdb *db, const char *key, const char *const *kernel_ids, int n, double *ns);

/* Rows of this machine and build (fingerprint/build NULL) or of any
 * (pass "*"), for tests and tools. */
fg_status fgi_perfdb_count(fgi_perfdb *db, const char *fingerprint, const char *build, int64_t *out);

/* The dispatcher key as 48 hex digits (buf >= FGI_PERFDB_KEY_LEN). */
void fgi_perfdb_key_text(const fgi_pc_key *key, char *buf);

/* Now as RFC 3339 UTC ("2026-11-25T07:30:00Z"); buf >= 21. */
void fgi_perfdb_now(char *buf, size_t cap);

/* ---------------------------------------------------------------- export */

/* One metadata baseline (performance_tests.baselines entry) built from the
 * database: kernel_id against reference_id on one (dtype, shape), newest
 * rows of this machine and build. */
typedef struct fgi_perfdb_baseline {
    char device[160]; /* fgi_machine_describe */
    char dtype[16];
    int ndim;
    int64_t shape[FG_MAX_DIMS];
    double speedup;         /* reference median / kernel median */
    double memory_overhead; /* MB of workspace beyond the reference's (0 unknown) */
    char reference_impl[128];
    char timestamp[32]; /* the kernel row's */
} fgi_perfdb_baseline;

/* Every (dtype, shape) on which both kernel_id and reference_id have rows
 * (this machine and build), as baselines. *out is malloc'd (free()), NULL
 * with *n = 0 when there are none. */
fg_status fgi_perfdb_baselines(fgi_perfdb *db, const char *kernel_id, const char *reference_id,
                               fgi_perfdb_baseline **out, size_t *n);

struct fgi_meta_store;
/* Writes those baselines into the metadata store's
 * validation_info.performance_tests of kernel_id (replacing entries with
 * the same device, dtype, shape and reference_impl); *written receives the
 * count (may be NULL). FG_ERR_NOT_FOUND when there are none or the store
 * has no such kernel; the store's errors otherwise. */
fg_status fgi_perfdb_export(fgi_perfdb *db, struct fgi_meta_store *store, const char *kernel_id,
                            const char *reference_id, size_t *written);

/* ---------------------------------------------------------------- dispatcher hooks */

/* What was measured of one kernel on one call. */
typedef struct fgi_perf_sample_stats {
    double median_ns, p10_ns, p90_ns, min_ns;
    int64_t samples;         /* 0: nothing measured (no row) */
    int64_t workspace_bytes; /* -1 unknown */
} fgi_perf_sample_stats;

/* Rows for the kernels ks[i] (n <= 16) that have st[i].samples > 0,
 * measured on call: its dispatcher key, first input's shape and shape
 * signature, one transaction. timestamp NULL: now. *written (may be NULL)
 * receives the row count. Errors as for fgi_perfdb_insert. */
fg_status fgi_perfdb_record(fgi_perfdb *db, const fgi_call *call, const fgi_kernel *const *ks,
                            const fgi_perf_sample_stats *st, int n, fgi_perf_source source,
                            const char *timestamp, size_t *written);

/* Warm start: fills ns[i] for every kernel of ks from the shared database
 * and returns true only when all n have a time for dispatcher key `key`.
 * Cold path only (SQLite under the handle's mutex). */
bool fgi_perfdb_recall(const fgi_pc_key *key, const fgi_kernel *const *ks, int n, float *ns);
/* fgi_perfdb_record on the shared handle, source profiling. Errors are
 * logged (once per handle), never returned. */
void fgi_perfdb_remember(const fgi_call *call, const fgi_kernel *const *ks, int n,
                         const fgi_perf_sample_stats *st);

#endif
