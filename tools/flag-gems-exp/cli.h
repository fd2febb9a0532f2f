/* flag-gems-exp: shared pieces of the command-line tool (argument parsing,
 * output formats, errors, progress, files). Each subcommand lives in its own
 * cmd_*.c file and is listed in main.c.
 *
 * Exit codes: CLI_OK (0) success; CLI_FAIL (1) a check failed or an
 * operation could not be completed (a kernel failed validation, a file is
 * corrupt, ...); CLI_USAGE (2) bad usage (unknown command or option, a
 * missing or malformed argument, an unknown kernel). */
#ifndef FGX_CLI_H
#define FGX_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "core/error.h" /* FGI_PRINTF */
#include "experimental/metadata.h"
#include "ops/kernel.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef enum cli_format { CLI_TABLE = 0, CLI_JSON = 1, CLI_MD = 2, CLI_HTML = 3 } cli_format;

/* One option a subcommand accepts. */
enum { CLI_FLAG = 0, CLI_VALUE = 1, CLI_LIST = 2 /* value, may repeat */ };
typedef struct cli_opt_spec {
    const char *name; /* without the leading "--" */
    int kind;
} cli_opt_spec;

#define CLI_MAX_ARGS 256
typedef struct cli_args {
    const char *pos[CLI_MAX_ARGS];
    int npos;
    struct {
        const char *name;
        const char *value; /* NULL for a flag */
    } opt[CLI_MAX_ARGS];
    int nopt;
} cli_args;

typedef struct cli_ctx {
    const char *cmd;      /* "list", ... ("" before one is known) */
    const char *metadata; /* path of the metadata file */
    int metadata_given;   /* --metadata or FLAGGEMS_EXP_METADATA named it */
    cli_format format;
    const char *format_name; /* as given ("" when defaulted) */
    int out_tty, err_tty;
} cli_ctx;

typedef struct cli_cmd {
    const char *name;
    const char *summary; /* one line for the command list */
    const char *usage;   /* "list [--category C] ..." */
    const char *help;    /* paragraphs after the usage line */
    const cli_opt_spec *opts; /* terminated by {NULL, 0} */
    int min_pos, max_pos;
    /* formats it accepts (bit 1 << cli_format); 0: table, json, md */
    unsigned formats;
    int (*run)(cli_ctx *ctx, const cli_args *args);
} cli_cmd;

/* ---------------------------------------------------------------- args */

/* The last value of option `name`, or NULL. */
const char *cli_opt(const cli_args *a, const char *name);
/* 1 if flag `name` was given. */
int cli_flag(const cli_args *a, const char *name);
/* The i-th value of a repeatable option, NULL past the end. */
const char *cli_opt_nth(const cli_args *a, const char *name, int i);

/* ---------------------------------------------------------------- errors */

/* One line on stderr: "flag-gems-exp <cmd>: <message> (hint: <hint>)".
 * Return CLI_USAGE / CLI_FAIL. hint may be NULL. */
int cli_usage(const cli_ctx *ctx, const char *hint, const char *fmt, ...) FGI_PRINTF(3, 4);
int cli_fail(const cli_ctx *ctx, const char *hint, const char *fmt, ...) FGI_PRINTF(3, 4);
/* A library call failed: its fg_last_error() message on one line. Exit
 * code: CLI_USAGE for FG_ERR_INVALID_ARG and FG_ERR_NOT_FOUND when
 * `usage_on_arg` (the bad value came from the command line), else
 * CLI_FAIL. */
int cli_lib_error(const cli_ctx *ctx, fg_status st, int usage_on_arg, const char *hint,
                  const char *what);
/* "warning: ..." on stderr. */
void cli_warn(const cli_ctx *ctx, const char *fmt, ...) FGI_PRINTF(2, 3);

/* ---------------------------------------------------------------- metadata */

/* Opens ctx->metadata. write: create it when missing, and allow changes
 * (manual: FGI_META_MANUAL_SAVE). Prints the error and returns the exit
 * code, or CLI_OK with *out set. A recovery report goes to stderr. */
int cli_open_metadata(const cli_ctx *ctx, int write, int manual, fgi_meta_store **out);
/* The kernels `name` designates: the kernel with that id (or op_id), else
 * every kernel of the op `name` (possibly none). Use in place (list.ops
 * may point into the struct); release with cli_matches_release. */
typedef struct cli_matches {
    fgi_meta_op_list list;
    const fgi_meta_op *one;
} cli_matches;
fg_status cli_match(fgi_meta_store *store, const char *name, cli_matches *m);
void cli_matches_release(cli_matches *m);
/* Parses --status / --category values, case-insensitively. */
int cli_parse_status(const char *s, fgi_meta_status *out);
int cli_parse_category(const char *s, fgi_meta_category *out);

/* ---------------------------------------------------------------- output */

/* A table built row by row and printed as aligned text or Markdown. */
typedef struct cli_table {
    int ncols;
    char **cells; /* nrows * ncols, malloc'd strings */
    size_t nrows, cap;
    int oom;
} cli_table;
void cli_table_init(cli_table *t, int ncols, const char *const *heads);
/* Adds a row of ncols cells; each cell is a printf-free plain string
 * (NULL prints as "-"). */
void cli_table_row(cli_table *t, const char *const *cells);
/* Text: columns padded, a dashed rule under the header. MD: a pipe table
 * ('|' in cells escaped). */
void cli_table_print(const cli_table *t, cli_format f, FILE *out);
void cli_table_free(cli_table *t);

/* Prints v as pretty JSON with sorted keys and a newline; steals v. */
void cli_print_json(json_t *v);
/* printf into a static-free buffer: returns a malloc'd string. */
char *cli_strf(const char *fmt, ...) FGI_PRINTF(1, 2);
/* "1.23x" style speedup, "-" for 0/NaN. buf >= 32. */
const char *cli_speedup(double v, char *buf, size_t size);

/* ---------------------------------------------------------------- progress */

/* A one-line bar on stderr, redrawn in place; nothing unless stderr is a
 * terminal. done == total finishes the line. */
void cli_progress(const cli_ctx *ctx, size_t done, size_t total, const char *label);

/* ---------------------------------------------------------------- files */

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated
 * buffer. Returns 0, or -1 with a reason in why (errno text or "larger
 * than ..."). */
int cli_read_file(const char *path, size_t max, char **data, size_t *len, char *why,
                  size_t why_size);
/* Writes data to path atomically: temp file in the same folder, fsync,
 * rename, fsync of the folder. 0, or -1 with a reason in why. */
int cli_write_file(const char *path, const char *data, size_t len, char *why, size_t why_size);

/* ---------------------------------------------------------------- kernels */

/* Lowest and highest speedup over the kernel's baselines (0, 0 if none). */
void cli_speedup_range(const fgi_meta_op *op, double *lo, double *hi);
/* "passed (42 cases)", "FAILED (3 cases)", "not run". */
const char *cli_accuracy_text(const fgi_meta_op *op, char *buf, size_t size);
/* "0.91-1.84x", "1.20x", "-". */
const char *cli_range_text(const fgi_meta_op *op, char *buf, size_t size);
/* The row `list --format json` prints for one kernel. */
json_t *cli_kernel_summary(const fgi_meta_op *op);

/* The kernels named by "<op|kernel>" (an op: its experimental kernels) or
 * --all (every experimental kernel of this build). *out is malloc'd. */
int cli_select_kernels(const cli_ctx *ctx, const cli_args *a, const fgi_kernel ***out, size_t *n);
/* This machine as a metadata device name: "CPU-<model>" (<= 64 bytes). */
void cli_device_name(char *buf, size_t size);
/* Adds this machine (cli_device_name) to the kernel's
 * hardware_support.tested_devices, once. */
fg_status cli_add_tested_device(fgi_meta_store *store, const char *kid);
/* "float32,bf16" -> FGI_DTYPE_BIT mask (0 when s is NULL: all). */
int cli_parse_dtypes(const cli_ctx *ctx, const char *s, unsigned *mask);
/* Writes DIR/<kid><suffix>.md and .json (either text may be NULL). */
int cli_write_report_pair(const cli_ctx *ctx, const char *dir, const char *kid, const char *suffix,
                          const char *md, const char *json);
/* Records a benchmark's speedups of candidate j (cands[j]) over each
 * stable or reference candidate, per config, as performance baselines of
 * that kernel in the metadata (cmd_benchmark.c). */
struct fgi_perf_report;
fg_status cli_record_baselines(fgi_meta_store *store, const struct fgi_perf_report *r, int j);
/* The failed graduation checks by name ("accuracy, performance"), plus
 * "status S" when the status cannot graduate (cmd_graduation.c). */
struct fgi_grad_report;
void cli_failed_checks(const struct fgi_grad_report *r, char *buf, size_t size);
/* A graduation report (the metadata store's view) as JSON. */
json_t *cli_grad_json(const fgi_meta_grad_report *r);

/* ---------------------------------------------------------------- commands */

extern const cli_cmd cli_cmd_list, cli_cmd_info, cli_cmd_report, cli_cmd_config,
    cli_cmd_import_flaggems, cli_cmd_validate, cli_cmd_benchmark, cli_cmd_check_graduation,
    cli_cmd_propose_graduation, cli_cmd_pipeline, cli_cmd_import, cli_cmd_codegen;

#endif
