/* The metadata store: `_metadata.json` (seed Module 1, §1.3) and
 * `tracker.json` (seed §3.4), one store type for both.
 *
 * Internal API for now (fgi_meta_*). Every type and function maps 1:1 onto
 * a future public fg_exp_meta_* in <flaggems/experimental.h>: rename the
 * prefix, nothing else changes (no jansson or pthread type appears here).
 *
 * What the store guarantees (docs/experimental/architecture.md, Metadata, has
 * the details; api_reference.md the API and every field):
 * - Every field is validated (type, enum, range, required, unknown keys);
 *   errors name the JSON path, e.g.
 *     ops.fast_gelu_v1.validation_info.accuracy_tests.test_cases:
 *       expected a non-negative integer, got "many"
 *   and parse errors carry line and column.
 * - Output is deterministic: sorted keys, 2-space indent, trailing newline.
 * - Writes are atomic and durable: temp file in the same folder, fdatasync,
 *   rename, fsync of the folder; the previous good version stays as
 *   <file>.bak. Whatever kills the process, <file> is the old or the new
 *   complete version.
 * - Every read-modify-write holds an exclusive flock on <file>.lock (across
 *   processes, and across handles/threads of one process).
 * - A handle whose unsaved changes are based on an older file than the one
 *   on disk is refused with FG_ERR_CONFLICT, never merged.
 * - Corruption is detected at open and repaired from <file>.bak when that is
 *   valid (fgi_meta_open_report says exactly what was done), else refused.
 * - Older layouts (version "0.9") are migrated; newer versions are refused.
 *
 * Thread-safety: a store handle may be used from any number of threads at
 * once. Readers (get/query/export) never wait for a writer's disk I/O. A
 * handle must not be used across fork(); open a new one in the child.
 *
 * Errors: every function returning fg_status sets fg_last_error() on
 * failure. A refused call changes nothing, in memory or on disk.
 */
#ifndef FGI_EXPERIMENTAL_METADATA_H
#define FGI_EXPERIMENTAL_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "flaggems/flaggems.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- limits */

#define FGI_META_VERSION "1.0"          /* the _metadata.json layout written */
#define FGI_META_OLD_VERSION "0.9"      /* the older layout migrated on load */
#define FGI_META_TRACKER_VERSION "1.0"  /* the tracker.json layout */
#define FGI_META_MAX_FILE_BYTES ((size_t)64 << 20) /* larger files are refused */
#define FGI_META_MAX_ID 128             /* bytes in a kernel id */
#define FGI_META_MAX_STRING 4096        /* bytes in any string field */
#define FGI_META_MAX_ITEMS 4096         /* elements in any array field */

/* ---------------------------------------------------------------- enums */

/* Lifecycle (DESIGN.md §2). Allowed transitions, and nothing else:
 * EXPERIMENTAL -> VALIDATED -> GRADUATION_CANDIDATE -> GRADUATED -> STABLE
 * -> DEPRECATED, and the demotion VALIDATED or GRADUATION_CANDIDATE ->
 * EXPERIMENTAL (the graduation checker's demotion). Setting the
 * current status again is a no-op and always allowed. */
typedef enum fgi_meta_status {
    FGI_META_EXPERIMENTAL = 0,
    FGI_META_VALIDATED = 1,
    FGI_META_GRADUATION_CANDIDATE = 2,
    FGI_META_GRADUATED = 3,
    FGI_META_STABLE = 4,
    FGI_META_DEPRECATED = 5
} fgi_meta_status;
#define FGI_META_STATUS_COUNT 6

typedef enum fgi_meta_category {
    FGI_META_BLAS = 0,
    FGI_META_REDUCTION = 1,
    FGI_META_POINTWISE = 2,
    FGI_META_CUSTOM = 3
} fgi_meta_category;
#define FGI_META_CATEGORY_COUNT 4

/* "EXPERIMENTAL", ...; "?" for a value out of range. Static storage. */
const char *fgi_meta_status_name(fgi_meta_status status);
/* "blas", "reduction", "pointwise", "custom"; "?" out of range. */
const char *fgi_meta_category_name(fgi_meta_category category);
/* Exact, case-sensitive names as written in the file. FG_ERR_INVALID_ARG
 * (message lists the allowed names) for anything else. */
fg_status fgi_meta_status_parse(const char *name, fgi_meta_status *out);
fg_status fgi_meta_category_parse(const char *name, fgi_meta_category *out);
/* 1 if `from -> to` is in the lifecycle graph (or from == to), else 0. */
int fgi_meta_transition_allowed(fgi_meta_status from, fgi_meta_status to);

/* Which document a store holds. */
typedef enum fgi_meta_kind {
    FGI_META_KIND_METADATA = 0, /* _metadata.json */
    FGI_META_KIND_TRACKER = 1   /* graduation/tracker.json */
} fgi_meta_kind;

typedef enum fgi_meta_format {
    FGI_META_FORMAT_MARKDOWN = 0,
    FGI_META_FORMAT_JSON = 1,
    FGI_META_FORMAT_HTML = 2
} fgi_meta_format;

/* ---------------------------------------------------------------- one kernel */

/* hardware_support.shape_constraints is a free-form object; these keys of it
 * are validated and honored by the dispatcher (every call, after the
 * kernel's supports()); other keys are kept and ignored. x is the call's
 * first input. 0 (false) means "no constraint".
 *   min_size, max_size        integers >= 1: bounds on numel(x)
 *   min_last_dim, max_last_dim integers >= 1: bounds on x's last dim
 *   last_dim_multiple         integer >= 1: x's last dim is a multiple of it
 *   alignment                 a power of two: bytes every data pointer is
 *                             aligned to
 *   contiguous                true: only row-major dense calls
 *   dtypes                    ["float32", "float16", "bfloat16"]: only these */
typedef struct fgi_meta_shape_rule {
    int64_t min_size, max_size;
    int64_t min_last_dim, max_last_dim;
    int64_t last_dim_multiple;
    int64_t alignment;
    int contiguous;
    unsigned dtypes; /* bit 0 float32, 1 float16, 2 bfloat16; 0: any */
} fgi_meta_shape_rule;

/* All pointers below are borrowed from the fgi_meta_op that holds them and
 * live as long as it does (until fgi_meta_op_release). Strings are UTF-8
 * and NUL-terminated. Times are RFC 3339 UTC ("2025-12-19T10:30:00Z");
 * a time that has not happened yet is NULL. */

typedef struct fgi_meta_baseline {
    const char *device;         /* e.g. "NVIDIA-A100", "cpu-zen3" */
    const int64_t *shape;       /* dims, each >= 0 */
    size_t shape_len;           /* 0..16 */
    const char *dtype;          /* "float32", "float16", "bfloat16", ... */
    double speedup;             /* this kernel vs reference_impl; finite, > 0 */
    double memory_overhead;     /* MB; finite (negative: saves memory) */
    const char *reference_impl; /* what it was compared with: "stable", "torch", ... */
    const char *timestamp;      /* RFC 3339 UTC; NULL in an input: the run's time */
} fgi_meta_baseline;

/* accuracy_tests.coverage: {dtype: [shape strings like "(256, 256)"]} */
typedef struct fgi_meta_coverage {
    const char *dtype;
    const char *const *shapes;
    size_t n_shapes;
} fgi_meta_coverage;

typedef struct fgi_meta_checklist {
    int stable_period_met;         /* in experimental for >= 2 versions */
    int accuracy_passed;
    int performance_passed;
    int multi_hardware_validated;
    int code_review_approved;
    int documentation_complete;
} fgi_meta_checklist;

typedef struct fgi_meta_accuracy_tests {
    int passed;
    int64_t test_cases;         /* >= 0 */
    const char *last_run;       /* NULL: never run */
    const fgi_meta_coverage *coverage;
    size_t n_coverage;          /* sorted by dtype */
} fgi_meta_accuracy_tests;

typedef struct fgi_meta_performance_tests {
    const fgi_meta_baseline *baselines;
    size_t n_baselines;
    const char *last_run;       /* NULL: never run */
} fgi_meta_performance_tests;

/* The typed, immutable view of one `ops` entry. Obtained from get/query;
 * release with fgi_meta_op_release. Field names follow the file. */
typedef struct fgi_meta_op {
    const char *kernel_id;  /* the key in `ops` */
    const char *op_name;
    const char *op_id;      /* UUID v4, lower case */
    fgi_meta_category category;
    fgi_meta_status status;
    /* Derived, not stored: "generated" or "custom" from the kernel id's third
     * component ("gen"/"generated", "custom") or else from code_location
     * (src/experimental/generated/, .../custom/); "" when neither says.
     * device: the kernel id's second component ("cpu", "cuda") or "". */
    const char *group;
    const char *device;
    struct {
        const char *generator_tool;     /* NULL for a hand-written kernel */
        const char *generator_version;  /* NULL or e.g. "v0.2.1" */
        const char *source_template;    /* NULL or a template path */
        const char *generation_date;    /* NULL or RFC 3339 */
        const char *generation_config;  /* canonical compact JSON object, "{}" if empty */
    } generation_info;
    struct {
        fgi_meta_accuracy_tests accuracy_tests;
        fgi_meta_performance_tests performance_tests;
    } validation_info;
    struct {
        const char *const *tested_devices;
        size_t n_tested_devices;
        const char *const *optimal_devices; /* a subset of tested_devices */
        size_t n_optimal_devices;
        const char *shape_constraints;  /* canonical compact JSON object */
        fgi_meta_shape_rule shape_rule; /* the keys of it that are honored */
    } hardware_support;
    struct {
        int eligible;
        const char *in_experimental_since; /* a version: "v4.1", "0.1.0" */
        fgi_meta_checklist checklist;
        const char *const *blocking_issues;
        size_t n_blocking_issues;
    } graduation_tracking;
    struct {
        const char *file_path;  /* normalized, relative to the repository root */
        int64_t line_start;     /* >= 1 */
        int64_t line_end;       /* >= line_start */
        const char *commit_hash; /* NULL or 4..64 hex digits */
    } code_location;
} fgi_meta_op;

/* ---------------------------------------------------------------- open, close */

enum {
    FGI_META_CREATE = 1u << 0,      /* create an empty document if the file is missing */
    FGI_META_READONLY = 1u << 1,    /* never write; mutations are FG_ERR_UNSUPPORTED */
    FGI_META_MANUAL_SAVE = 1u << 2, /* mutations stay in memory until fgi_meta_save */
    FGI_META_NO_RECOVER = 1u << 3   /* refuse a corrupt file instead of using <file>.bak */
};

typedef struct fgi_meta_options {
    fgi_meta_kind kind;
    unsigned flags;
    /* Root that code_location.file_path is relative to and must stay inside.
     * NULL: the nearest folder above the file that holds `.git`; if none,
     * paths get only the lexical checks (no symlink check). */
    const char *repo_root;
} fgi_meta_options;

typedef struct fgi_meta_store fgi_meta_store;

/* Opens (and with FGI_META_CREATE creates) the document at `path`. opts NULL
 * means a metadata document, no flags. *out is NULL on failure.
 * On open the store, holding the lock:
 *  - removes temp files left by writers that were killed;
 *  - if the file is missing and FGI_META_CREATE is set (and no <file>.bak
 *    exists), writes an empty document;
 *  - if the file is truncated, unparseable or fails validation (or is
 *    missing while <file>.bak exists), restores <file>.bak when that is
 *    valid, moving the bad file to <file>.corrupt (in memory only when
 *    READONLY); see fgi_meta_open_report;
 *  - migrates version 0.9 to 1.0 and writes the result (unless READONLY),
 *    keeping the 0.9 file as <file>.bak.
 * Errors: FG_ERR_NULL; FG_ERR_NOT_FOUND (missing, no CREATE, no backup);
 * FG_ERR_PARSE (unusable file and unusable or missing backup: both reasons
 * are in the message; nothing was changed); FG_ERR_UNSUPPORTED (a version
 * newer than this library, or an older one without migration); FG_ERR_IO;
 * FG_ERR_NO_MEMORY. */
fg_status fgi_meta_open(const char *path, const fgi_meta_options *opts, fgi_meta_store **out);

/* A read-only store over a document in memory (e.g. the copy embedded in the
 * library at build time). `name` appears in messages. Nothing is written;
 * no lock, no recovery. Same validation and migration as fgi_meta_open. */
fg_status fgi_meta_open_buffer(const char *data, size_t len, const fgi_meta_options *opts,
                               const char *name, fgi_meta_store **out);

/* What open did besides loading: "" when nothing, else e.g.
 *   "recovered: _metadata.json was unusable (line 12, column 5: premature end
 *    of input); restored _metadata.json.bak (last_updated ..., 3 ops); the
 *    unusable file is now _metadata.json.corrupt"
 * Valid until the store is closed. */
const char *fgi_meta_open_report(const fgi_meta_store *store);

/* Saves nothing; frees the handle. Unsaved MANUAL_SAVE changes are lost
 * (use fgi_meta_save first). NULL is a no-op. Ops obtained from the store
 * stay valid until released. */
void fgi_meta_close(fgi_meta_store *store);

/* Writes the in-memory document durably. A no-op when nothing is unsaved.
 * FG_ERR_CONFLICT if the file changed on disk since this handle loaded or
 * last wrote it (call fgi_meta_reload and redo the changes);
 * FG_ERR_UNSUPPORTED on a read-only store; FG_ERR_IO. */
fg_status fgi_meta_save(fgi_meta_store *store);

/* Re-reads the file, discarding unsaved changes. Errors as for open, but a
 * corrupt file is reported, not repaired (reopen to repair). */
fg_status fgi_meta_reload(fgi_meta_store *store);

/* Number of unsaved changes (MANUAL_SAVE), 0 otherwise. */
size_t fgi_meta_unsaved(const fgi_meta_store *store);
/* Number of kernels (0 for a tracker store). */
size_t fgi_meta_count(const fgi_meta_store *store);
/* The document's last_updated, copied into buf (at least 40 bytes). */
fg_status fgi_meta_last_updated(const fgi_meta_store *store, char *buf, size_t size);

/* Timings of this handle's most recent durable write, for benchmarks. */
typedef struct fgi_meta_write_stats {
    int64_t total_ns;     /* whole commit: lock held to rename done */
    int64_t serialize_ns; /* building the text */
    int64_t write_ns;     /* write(2) of the temp file */
    int64_t fsync_ns;     /* fdatasync of the temp file plus fsync of the folder */
    size_t bytes;         /* size of the file written */
} fgi_meta_write_stats;
fg_status fgi_meta_get_write_stats(const fgi_meta_store *store, fgi_meta_write_stats *out);

/* ---------------------------------------------------------------- kernels */

/* Every mutation below, without MANUAL_SAVE, is one read-modify-write under
 * the file lock: if another writer changed the file since this handle read
 * it, the handle first re-reads it (so no update is ever lost), then applies
 * the change and writes durably. With MANUAL_SAVE the change is applied in
 * memory; a handle with unsaved changes whose file changed on disk gets
 * FG_ERR_CONFLICT from the mutation or from fgi_meta_save.
 * `key` is a kernel id, or an op_id (UUID) when no kernel has that id.
 * Metadata mutations on a tracker store are FG_ERR_INVALID_ARG. */

/* Adds kernel `kernel_id` ([A-Za-z0-9][A-Za-z0-9_.-]*, at most
 * FGI_META_MAX_ID bytes) from `entry_json`, an `ops` entry as in the file.
 * Required: op_name, category, code_location.file_path. Defaults: op_id a
 * new UUID v4; status EXPERIMENTAL (the only status a kernel may be
 * registered with); generation_info fields null, generation_config {};
 * accuracy not passed, 0 cases, no coverage; no baselines; no devices;
 * shape_constraints {}; eligible false; in_experimental_since "v" + the
 * library version; checklist all false; no blocking issues; line_start 1;
 * line_end line_start; commit_hash null. Everything is then validated.
 * Errors: FG_ERR_INVALID_ARG (bad id or field: the message has the JSON
 * path; id or op_id already present), FG_ERR_PARSE (entry_json is not JSON:
 * line and column), FG_ERR_CONFLICT, FG_ERR_IO, FG_ERR_UNSUPPORTED
 * (read-only). */
fg_status fgi_meta_register_op(fgi_meta_store *store, const char *kernel_id,
                               const char *entry_json);

/* Applies `patch_json`, a partial `ops` entry: objects merge key by key
 * into the entry; arrays, free-form objects (generation_config, coverage,
 * shape_constraints) and scalars replace; null sets a nullable field to
 * null. The result is validated as a whole; a status change must be an
 * allowed transition; op_id, op_name and category never change.
 * Errors as for register_op, plus FG_ERR_NOT_FOUND. */
fg_status fgi_meta_update_op(fgi_meta_store *store, const char *key, const char *patch_json);

/* update_op for a caller that edited a copy: refused with FG_ERR_CONFLICT
 * (nothing changed) unless the document's last_updated, as on disk under
 * the lock, still equals `if_last_updated` (from fgi_meta_last_updated when
 * the copy was read). NULL behaves as update_op. */
fg_status fgi_meta_update_op_if(fgi_meta_store *store, const char *key, const char *patch_json,
                                const char *if_last_updated);

/* Looks a kernel up (hash table; no JSON is read). *out holds a reference:
 * the op is immutable and stays valid, even if the store changes or
 * closes, until fgi_meta_op_release. FG_ERR_NOT_FOUND if absent. */
fg_status fgi_meta_get_op(fgi_meta_store *store, const char *key, const fgi_meta_op **out);
/* Drops a reference from get/query. NULL is a no-op. */
void fgi_meta_op_release(const fgi_meta_op *op);
/* The op as its `ops` entry in canonical form (sorted keys, 2-space indent,
 * no trailing newline). *out is malloc'd; free with fgi_meta_free. */
fg_status fgi_meta_op_to_json(const fgi_meta_op *op, char **out);

enum {
    FGI_META_ELIGIBLE_ANY = 0, /* filter.eligible: don't care */
    FGI_META_ELIGIBLE_YES = 1, /* only graduation_tracking.eligible == true */
    FGI_META_ELIGIBLE_NO = 2   /* only graduation_tracking.eligible == false */
};

/* Filters of query_ops, combined with AND; a zero-initialized filter
 * matches everything. */
typedef struct fgi_meta_filter {
    unsigned status_mask;   /* bit (1u << status); 0: any */
    unsigned category_mask; /* bit (1u << category); 0: any */
    const char *op_name;    /* NULL: any */
    const char *group;      /* "generated" or "custom"; NULL: any */
    /* NULL: any. Matches the kernel id's device component ("cpu", "cuda")
     * or an entry of hardware_support.tested_devices, ignoring case. */
    const char *device;
    int eligible;           /* FGI_META_ELIGIBLE_ANY, _YES or _NO */
} fgi_meta_filter;

typedef struct fgi_meta_op_list {
    const fgi_meta_op **ops; /* sorted by kernel id; each holds a reference */
    size_t count;
} fgi_meta_op_list;

/* Kernels matching `filter` (NULL: all). Release with
 * fgi_meta_op_list_release. FG_ERR_INVALID_ARG for a mask with unknown bits
 * or an unknown group or eligible value; FG_ERR_NO_MEMORY. */
fg_status fgi_meta_query_ops(fgi_meta_store *store, const fgi_meta_filter *filter,
                             fgi_meta_op_list *out);
void fgi_meta_op_list_release(fgi_meta_op_list *list);

/* Results of the testing tools (DESIGN §4 "Testing tools"). */
typedef struct fgi_meta_accuracy_result {
    int passed;
    int64_t test_cases;                /* >= 0 */
    const fgi_meta_coverage *coverage; /* shapes are added to each dtype's list */
    size_t n_coverage;
    const char *run_time;              /* RFC 3339; NULL: now */
} fgi_meta_accuracy_result;

typedef struct fgi_meta_performance_result {
    /* Each replaces the baseline with the same (device, dtype, shape,
     * reference_impl), or is appended. A NULL timestamp takes run_time. */
    const fgi_meta_baseline *baselines;
    size_t n_baselines;
    int passed;                        /* -1: not judged; 0/1: sets the checklist */
    const char *run_time;              /* RFC 3339; NULL: now */
} fgi_meta_performance_result;

typedef struct fgi_meta_validation_result {
    const fgi_meta_accuracy_result *accuracy;       /* NULL: no accuracy run */
    const fgi_meta_performance_result *performance; /* NULL: no performance run */
} fgi_meta_validation_result;

/* Records test results: accuracy_tests and/or performance_tests, the
 * checklist's accuracy_passed / performance_passed, and the lifecycle the
 * seed's state diagram asks for: an EXPERIMENTAL kernel whose accuracy
 * passed (and performance did not fail) becomes VALIDATED; a VALIDATED
 * kernel that fails either is demoted to EXPERIMENTAL; any failure clears
 * graduation_tracking.eligible. Later statuses are not changed.
 * Errors as for update_op. */
fg_status fgi_meta_update_validation_status(fgi_meta_store *store, const char *key,
                                            const fgi_meta_validation_result *result);

/* ---------------------------------------------------------------- graduation view */

typedef struct fgi_meta_check_item {
    char name[32];        /* "stable_period", "accuracy", ... */
    int passed;
    double score;         /* 0..1 */
    double weight;        /* share of the total score */
    char details[192];
} fgi_meta_check_item;

#define FGI_META_MAX_CHECKS 8

typedef struct fgi_meta_grad_report {
    char kernel_id[FGI_META_MAX_ID + 1];
    char op_id[40];
    fgi_meta_status status;
    int eligible;
    double score;         /* sum of weight * score */
    size_t n_items;
    fgi_meta_check_item items[FGI_META_MAX_CHECKS];
    size_t n_blocking_issues;
    char summary[256];
} fgi_meta_grad_report;

/* The graduation module plugs its criteria in here: called with the default
 * report already filled in, it may rewrite any of it. Must not call back
 * into the store. */
typedef fg_status (*fgi_meta_criteria_fn)(const fgi_meta_op *op, fgi_meta_grad_report *report,
                                          void *ctx);
/* NULL restores the default (the checklist view). Thread-safe. */
void fgi_meta_set_criteria(fgi_meta_store *store, fgi_meta_criteria_fn fn, void *ctx);

/* The checklist view now (reads only; writes nothing). Default: items
 * stable_period 0.20, accuracy 0.30, performance 0.25, multi_hardware 0.15,
 * code_quality 0.10 (review approved and documentation complete, half
 * each); eligible when every item passes, there is no blocking issue and
 * the status is VALIDATED or GRADUATION_CANDIDATE. FG_ERR_NOT_FOUND. */
fg_status fgi_meta_check_graduation_eligibility(fgi_meta_store *store, const char *key,
                                                fgi_meta_grad_report *out);

/* A report on the given kernels (keys NULL: all, sorted by kernel id). JSON:
 * {"kernels": [entry + "kernel_id" + "graduation"], "last_updated",
 * "version"}; Markdown: a summary table plus a section per kernel; HTML:
 * one self-contained page (no external resource) with a sortable table and
 * an inline SVG bar chart of each kernel's speedups (geometric mean, min
 * and max over its baselines). Output depends only on the document, so it
 * is deterministic. *out is malloc'd (free with fgi_meta_free); *len may be
 * NULL. FG_ERR_NOT_FOUND for an unknown key, FG_ERR_INVALID_ARG for a bad
 * format. */
fg_status fgi_meta_export_report(fgi_meta_store *store, const char *const *keys, size_t n_keys,
                                 fgi_meta_format format, char **out, size_t *len);

/* Frees strings returned by the store. NULL is a no-op. */
void fgi_meta_free(void *ptr);

/* ---------------------------------------------------------------- tracker.json */

typedef struct fgi_meta_candidate {
    const char *op_id;            /* UUID v4; the candidate's key */
    const char *op_name;
    /* "READY_FOR_REVIEW", "BLOCKED", "PR_CREATED", "IN_REVIEW", "APPROVED",
     * "REJECTED" */
    const char *status;
    const char *eligible_since;   /* RFC 3339 full-date "2025-12-15"; NULL: today */
    double graduation_score;      /* 0..1 */
    const char *const *blocking_issues;
    size_t n_blocking_issues;
    int64_t pr_number;            /* > 0, or 0 for null */
    const char *next_action;
} fgi_meta_candidate;

typedef struct fgi_meta_graduated {
    const char *op_name;
    const char *graduated_version; /* "v4.2" */
    const char *graduation_date;   /* full-date; NULL: today */
    const char *deprecation_date;  /* the version that removes the alias: "v4.3" */
} fgi_meta_graduated;

/* Inserts or replaces (same op_id) a graduation candidate. Candidates are
 * kept sorted by op_name then op_id. Errors as for update_op; tracker
 * functions on a metadata store are FG_ERR_INVALID_ARG. */
fg_status fgi_meta_tracker_upsert_candidate(fgi_meta_store *store, const fgi_meta_candidate *c);
/* The same for n candidates in one change (one validation of the
 * document, not n): all or nothing. n 0 is a no-op. */
fg_status fgi_meta_tracker_upsert_candidates(fgi_meta_store *store, const fgi_meta_candidate *c, size_t n);
/* FG_ERR_NOT_FOUND if no candidate has op_id. */
fg_status fgi_meta_tracker_remove_candidate(fgi_meta_store *store, const char *op_id);
/* Inserts or replaces (same op_name and graduated_version) a record of
 * recently_graduated, kept sorted by graduation_date then op_name. */
fg_status fgi_meta_tracker_add_graduated(fgi_meta_store *store, const fgi_meta_graduated *g);

/* The whole document (either kind) in canonical form, as it is or would be
 * written, with the trailing newline. malloc'd; free with fgi_meta_free. */
fg_status fgi_meta_to_json(fgi_meta_store *store, char **out, size_t *len);

/* ---------------------------------------------------------------- helpers */

/* Parses an RFC 3339 date-time (any offset) into nanoseconds since the
 * epoch. FG_ERR_INVALID_ARG with the reason. */
fg_status fgi_meta_time_parse(const char *text, int64_t *ns_since_epoch);
/* Formats nanoseconds since the epoch as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
 * (microseconds only when not whole seconds). buf: at least 32 bytes. */
void fgi_meta_time_format(int64_t ns_since_epoch, char *buf, size_t size);
/* A new random UUID v4 from getrandom(2), lower case; buf >= 37 bytes. */
fg_status fgi_meta_uuid_v4(char *buf, size_t size);
/* Normalizes a repository-relative path into out (at least strlen(path)+1
 * bytes): no "." or empty components, ".." resolved. Refuses absolute
 * paths, escapes above the root, backslashes and control characters; with
 * repo_root, also a path whose existing part resolves (symlinks) outside
 * repo_root. FG_ERR_INVALID_ARG with the reason. */
fg_status fgi_meta_normalize_path(const char *path, const char *repo_root, char *out,
                                  size_t size);

/* ================================================================
 * Private to the metadata module (metadata.c, meta_schema.c,
 * meta_report.c). Everything below may change without notice.
 * ================================================================ */
#ifdef FGI_META_PRIVATE

#include <jansson.h>

#include "core/error.h"

/* Growable text buffer; a failed allocation sets oom and drops output. */
typedef struct fgi_mbuf {
    char *data;
    size_t len, cap;
    int oom;
} fgi_mbuf;
void fgi_mbuf_putn(fgi_mbuf *b, const char *s, size_t n);
void fgi_mbuf_puts(fgi_mbuf *b, const char *s);
void fgi_mbuf_putc(fgi_mbuf *b, char c);
void fgi_mbuf_printf(fgi_mbuf *b, const char *fmt, ...) FGI_PRINTF(2, 3);
void fgi_mbuf_indent(fgi_mbuf *b, int n);
/* A JSON string literal with the quotes. */
void fgi_mbuf_json_string(fgi_mbuf *b, const char *s);
/* Shortest text that reads back as the same double, always with '.' or 'e'. */
void fgi_mbuf_json_real(fgi_mbuf *b, double v);
/* Canonical JSON of v: sorted keys; indent < 0 compact, else pretty with
 * 2 spaces per level starting at level `indent` (first line not indented). */
void fgi_mbuf_json(fgi_mbuf *b, const json_t *v, int indent);
/* Re-emits canonical compact JSON text as pretty text at level `indent`. */
void fgi_mbuf_reindent(fgi_mbuf *b, const char *compact, int indent);

/* Validation messages: the first few with their JSON path, and a count. */
typedef struct fgi_meta_diag {
    char msg[720];
    size_t len;
    int count;
    char path[640];
    size_t plen;
} fgi_meta_diag;
void fgi_meta_diag_init(fgi_meta_diag *d);
void fgi_meta_diag_add(fgi_meta_diag *d, const char *fmt, ...) FGI_PRINTF(2, 3);
/* Path segments: keys that are not identifiers are quoted (["a.b"]). */
size_t fgi_meta_diag_push_key(fgi_meta_diag *d, const char *key);
size_t fgi_meta_diag_push_index(fgi_meta_diag *d, size_t i);
void fgi_meta_diag_pop(fgi_meta_diag *d, size_t mark);
/* A short description of v for "got ...". */
void fgi_meta_describe(const json_t *v, char *buf, size_t size);

/* Small bump allocator owned by one entry; its chunks come from the
 * library allocator (fgi_alloc: counted in fg_memory_get_stats). */
typedef struct fgi_arena_chunk fgi_arena_chunk;
typedef struct fgi_arena {
    fgi_arena_chunk *head;
    size_t bytes;
    int oom;
} fgi_arena;
void *fgi_arena_alloc(fgi_arena *a, size_t size);
char *fgi_arena_strdup(fgi_arena *a, const char *s);
void fgi_arena_free(fgi_arena *a);

/* An immutable, reference-counted kernel entry; the public fgi_meta_op is
 * its first member. */
typedef struct fgi_meta_entry {
    fgi_meta_op op;
    int refs;              /* atomic */
    uint64_t kid_hash, uuid_hash;
    char *text;            /* cached canonical text at document depth, or NULL */
    size_t text_len;
    fgi_arena arena;
} fgi_meta_entry;

/* Context of a build: the repository root for symlink checks (may be NULL). */
typedef struct fgi_meta_build_ctx {
    const char *repo_root;
    int check_symlinks;
} fgi_meta_build_ctx;

/* Validates one entry (json object) and builds it; NULL with messages in d
 * (or with d->count 0 on out of memory). */
fgi_meta_entry *fgi_meta_build_entry(const char *kernel_id, const json_t *obj,
                                     const fgi_meta_build_ctx *ctx, fgi_meta_diag *d);
void fgi_meta_entry_unref(fgi_meta_entry *e);
/* Canonical entry text at `indent` (document depth is 2). */
void fgi_meta_write_entry(fgi_mbuf *b, const fgi_meta_op *op, int indent);
/* Kernel id syntax; 1 if valid. */
int fgi_meta_valid_kernel_id(const char *id, const char **why);

/* Upgrades a 0.9 document in place (json), or reports in d. Returns the
 * number of op_ids assigned, or -1. */
int fgi_meta_migrate_0_9(json_t *root, fgi_meta_diag *d);
/* Validates a tracker document; on success *canonical is a deep copy with
 * normalized values, sorted lists. */
int fgi_meta_validate_tracker(const json_t *root, fgi_meta_diag *d, json_t **canonical);
/* Validators shared with metadata.c; each returns 1 if valid, else adds a
 * message at the current path. */
int fgi_meta_check_time(fgi_meta_diag *d, const json_t *v, int nullable, char *norm, size_t n);

/* Default graduation view. */
void fgi_meta_default_criteria(const fgi_meta_op *op, fgi_meta_grad_report *r);
uint64_t fgi_meta_hash(const char *s);

#endif /* FGI_META_PRIVATE */

#ifdef __cplusplus
}
#endif

#endif
