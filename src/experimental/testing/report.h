/* Reports of the testing tools: Markdown from report_template.md (embedded
 * in the library at build time, so no program needs the source tree) and
 * JSON with the same content. Both name the machine, its hardware
 * fingerprint, the library version and the build signature.
 *
 * How a report is made:
 *   fgi_report_vars *v;
 *   fgi_report_vars_create(&v);              header keys filled in
 *   fgi_report_add_accuracy(v, acc);         accuracy_* keys (this file)
 *   fgi_report_add_performance(v, perf);     performance_* keys
 *   fgi_report_markdown(v, &md);             fills the embedded template
 *   fgi_report_json(v, sections, n, &json);  {"report": header, "accuracy": ..., ...}
 *
 * Template keys (report_template.md):
 *   header       title, kernel, op, machine, fingerprint, version,
 *                build_signature, generated_at
 *   accuracy     set (non-empty) to include the section; accuracy_verdict,
 *                accuracy_reference, accuracy_seed, accuracy_test_cases,
 *                accuracy_passed, accuracy_failed, accuracy_skipped,
 *                accuracy_seconds, accuracy_tolerances, accuracy_dtypes,
 *                accuracy_failures (optional), accuracy_coverage,
 *                accuracy_cases
 *   performance  set to include the section; performance_section: the
 *                rendered section (fgi_perf_render_markdown: a level-2
 *                heading, the run's facts, speedups, per-config timings)
 * A section's keys are needed only when the section is included.
 *
 * Strings returned by these functions are malloc'd: free them with
 * fgi_report_free. Thread-safety: a vars object is used by one thread at a
 * time; everything else is thread-safe. */
#ifndef FGI_EXPERIMENTAL_TESTING_REPORT_H
#define FGI_EXPERIMENTAL_TESTING_REPORT_H

#include <stddef.h>

#include "core/error.h"
#include "experimental/testing/accuracy.h"
#include "experimental/testing/performance.h"

/* ---------------------------------------------------------------- template filler */

/* A key -> value map (keys and values are copied). */
typedef struct fgi_report_vars fgi_report_vars;

/* A new map holding the header keys: title "libflaggems kernel report",
 * machine (fgi_machine_describe), fingerprint (fgi_machine_fingerprint),
 * version (fg_version), build_signature (fgi_build_signature) and
 * generated_at (now, RFC 3339 UTC). *out is NULL on failure
 * (FG_ERR_NULL, FG_ERR_NO_MEMORY). */
fg_status fgi_report_vars_create(fgi_report_vars **out);
/* NULL is a no-op. */
void fgi_report_vars_destroy(fgi_report_vars *vars);
/* Sets (or replaces) key. Keys are [A-Za-z0-9_]+, at most 64 bytes
 * (FG_ERR_INVALID_ARG otherwise). A NULL value removes the key. */
fg_status fgi_report_vars_set(fgi_report_vars *vars, const char *key, const char *value);
fg_status fgi_report_vars_setf(fgi_report_vars *vars, const char *key, const char *fmt, ...)
    FGI_PRINTF(3, 4);
/* The value, or NULL when unset. Valid until the key is set again or the
 * map is destroyed. */
const char *fgi_report_vars_get(const fgi_report_vars *vars, const char *key);

/* Fills a template: {{key}} becomes the value; {{#key}}...{{/key}} keeps
 * its body when key is set and non-empty, {{^key}}...{{/key}} when it is
 * not; sections nest. A section tag alone on its line takes the line with
 * it. Errors: FG_ERR_PARSE (an unclosed {{, a section never closed or a
 * stray {{/key}}: the message has the line), FG_ERR_NOT_FOUND (a key used
 * outside dropped sections has no value: the message names it and its
 * line), FG_ERR_NULL, FG_ERR_NO_MEMORY. */
fg_status fgi_report_fill(const char *tmpl, const fgi_report_vars *vars, char **out);

/* report_template.md as embedded in the library. Static storage. */
const char *fgi_report_template(void);
/* fgi_report_fill of the embedded template. */
fg_status fgi_report_markdown(const fgi_report_vars *vars, char **out);

/* One JSON section of a report: name (e.g. "accuracy", "performance") and
 * its JSON text (an object). */
typedef struct fgi_report_section {
    const char *name;
    const char *json;
} fgi_report_section;

/* {"report": {title, kernel, op, machine, fingerprint, version,
 * build_signature, generated_at (keys that are set)}, "<name>": <json>...}
 * with 2-space indentation and a trailing newline. FG_ERR_PARSE (naming
 * the section, with line and column) when a section is not a JSON object;
 * FG_ERR_INVALID_ARG for a section named "report" or named twice. */
fg_status fgi_report_json(const fgi_report_vars *vars, const fgi_report_section *sections,
                          size_t n_sections, char **out);

void fgi_report_free(void *p);

/* ---------------------------------------------------------------- accuracy */

/* Sets the accuracy_* keys (and accuracy itself) from a report, and kernel
 * and op when they are unset. */
fg_status fgi_report_add_accuracy(fgi_report_vars *vars, const fgi_acc_report *report);
/* The accuracy section as a JSON object: the run (kernel, op, reference,
 * device, seed, run_time, seconds), the verdict and counts (passed,
 * test_cases, cases_passed, cases_failed, cases_skipped), tolerance,
 * per_dtype, coverage ({dtype: [shapes]}) and every case. */
fg_status fgi_report_accuracy_json(const fgi_acc_report *report, char **out);
/* ---------------------------------------------------------------- performance */

/* Sets performance and performance_section (fgi_perf_render_markdown), and
 * kernel and op when they are unset. */
fg_status fgi_report_add_performance(fgi_report_vars *vars, const fgi_perf_report *report);

/* ---------------------------------------------------------------- whole documents */

/* One report on one kernel from an accuracy run, a performance run or both
 * (either may be NULL, not both): the template filled in, titled
 * "Accuracy report: <kernel>", "Performance report: <kernel>" or "Kernel
 * report: <kernel>"; and the JSON document with an "accuracy" and/or a
 * "performance" section (fgi_report_accuracy_json, fgi_perf_render_json).
 * FG_ERR_INVALID_ARG when the two runs are of different kernels. */
fg_status fgi_report_kernel_markdown(const fgi_acc_report *accuracy, const fgi_perf_report *performance,
                                     char **out);
fg_status fgi_report_kernel_json(const fgi_acc_report *accuracy, const fgi_perf_report *performance,
                                 char **out);

#endif
