/* The accuracy tool (seed Task 2.2, validate_accuracy): runs a kernel and a
 * reference kernel on the same random inputs over a list of configurations
 * (shapes, dtype, device, attributes, memory layout), compares every output
 * element and reports, per configuration, the largest absolute and relative
 * errors, pass or fail against a per-dtype tolerance, and NaN/Inf
 * agreement. It also catches kernels that leave output elements unwritten,
 * write outside the output view or modify their inputs.
 *
 * Internal API (fgi_acc_*); the CLI's `validate` and the tests call it.
 * Reports render through src/experimental/testing/report.h and record into
 * the metadata store (fgi_acc_record).
 *
 * Thread-safety: every function may be called from any thread; one
 * validation runs on the calling thread (kernels may use their own worker
 * threads). Validation forces kernels with fgi_force_kernel, which is
 * per thread, and restores the previous forced kernel before returning. */
#ifndef FGI_EXPERIMENTAL_TESTING_ACCURACY_H
#define FGI_EXPERIMENTAL_TESTING_ACCURACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "experimental/metadata.h"
#include "ops/kernel.h"

/* ---------------------------------------------------------------- tolerance */

/* An output element passes when |out - ref| <= atol * scale + rtol * |ref|,
 * where scale is the reduced length for sum (FlagGems' reduce_dim) and K
 * for mm/bmm, 1 otherwise. NaN must meet NaN, +-Inf the same Inf, and a
 * finite reference a finite output. */
typedef struct fgi_acc_tolerance {
    double atol, rtol;
} fgi_acc_tolerance;

/* One tolerance per dtype, indexed by fgi_dtype (FGI_F32, FGI_F16,
 * FGI_BF16). */
typedef struct fgi_acc_tolerances {
    fgi_acc_tolerance dtype[3];
} fgi_acc_tolerances;

/* The default table: float32 the seed's {atol 1e-5, rtol 1e-3}; float16
 * and bfloat16 FlagGems' resolution as rtol (1e-3, 0.016) with atol 1e-4
 * (FlagGems' gems_assert_close). */
const fgi_acc_tolerances *fgi_acc_tolerances_default(void);
/* FlagGems' table: atol 1e-4 and rtol 1.3e-6 / 1e-3 / 0.016. Stricter than
 * the default in float32 for values above ~0.1. */
const fgi_acc_tolerances *fgi_acc_tolerances_flaggems(void);
/* "default" or "flaggems" -> the table; NULL for another name. */
const fgi_acc_tolerances *fgi_acc_tolerances_named(const char *name);

/* ---------------------------------------------------------------- configurations */

/* How the tensors of a configuration are laid out in memory. */
typedef enum fgi_acc_layout {
    FGI_ACC_CONTIG = 0,  /* row-major dense */
    FGI_ACC_OFFSET,      /* row-major dense behind a one-element byte_offset (misaligned) */
    FGI_ACC_STRIDED,     /* inputs and output: innermost stride 2 and a gap after each row */
    FGI_ACC_TRANSPOSED,  /* inputs column-major (mm/bmm: transposed matrices); output dense */
    FGI_ACC_EXPANDED,    /* add/mul: b passed at the output's shape with stride 0 on its
                            broadcast dims; norms: weight and bias with stride 0 */
    FGI_ACC_LAYOUT_COUNT
} fgi_acc_layout;

/* "contiguous", "offset", "strided", "transposed", "expanded". */
const char *fgi_acc_layout_name(fgi_acc_layout layout);

/* One test configuration (seed TestConfig: shape, dtype, device,
 * additional_args). */
typedef struct fgi_acc_config {
    fgi_op op;
    fgi_dtype dtype;          /* FGI_F32, FGI_F16 or FGI_BF16 */
    DLDeviceType device;      /* kDLCPU */
    int ndim;                 /* x (pointwise, reductions, softmax, norms) or a (add, mul, mm, bmm) */
    int64_t shape[FG_MAX_DIMS];
    int ndim_b;               /* b of add, mul, mm, bmm (add/mul: broadcast NumPy-style) */
    int64_t shape_b[FG_MAX_DIMS];
    int dim;                  /* sum, mean, amax, softmax; FG_DIM_ALL: every element */
    bool keepdim;
    int approx;               /* gelu: FG_GELU_NONE or FG_GELU_TANH */
    double alpha;             /* add */
    double eps;               /* norms */
    bool weight, bias;        /* norms: pass weight (and, layer_norm, bias) */
    fgi_acc_layout layout;
    bool specials;            /* put NaN, +Inf and -Inf into the first input */
    const char *source;       /* where the shape comes from ("LLaMA-7B hidden", "edge: empty");
                                 static or outliving the validation */
} fgi_acc_config;

typedef enum fgi_acc_tier {
    FGI_ACC_TIER_DEFAULT = 0, /* model shapes (one dim scaled down) and edge cases; fast */
    FGI_ACC_TIER_LARGE = 1    /* tensors over 1 GiB, full model sizes: only when asked */
} fgi_acc_tier;

/* The built-in configurations of `op` in `tier`, for every dtype in
 * `dtypes` (FGI_DTYPE_BIT mask; 0: all three), in a new array that the
 * caller frees with fgi_acc_configs_free. The default tier has at least 20
 * distinct shapes per op and dtype, drawn from LLaMA, BERT/GPT-2/ViT and
 * ResNet layers plus the edge cases (empty, one element, 0-dim, odd
 * lengths, non-contiguous, misaligned, broadcast, NaN/Inf).
 * FG_ERR_INVALID_ARG for an unknown op, tier or dtype bit. */
fg_status fgi_acc_default_configs(fgi_op op, fgi_acc_tier tier, unsigned dtypes,
                                  fgi_acc_config **out, size_t *count);
void fgi_acc_configs_free(fgi_acc_config *configs);

/* "(4, 4096)": the first input's shape as the metadata's coverage writes
 * it. */
void fgi_acc_shape_string(const fgi_acc_config *c, char *buf, size_t size);
/* A one-line description: shapes, dtype, attributes and layout. */
void fgi_acc_config_describe(const fgi_acc_config *c, char *buf, size_t size);

/* ---------------------------------------------------------------- results */

typedef enum fgi_acc_outcome {
    FGI_ACC_PASS = 0,
    FGI_ACC_FAIL = 1,   /* wrong values, NaN/Inf disagreement, unwritten or extra writes,
                           modified inputs, or the kernel returned an error */
    FGI_ACC_SKIP = 2    /* the kernel does not take this configuration (its supports(),
                           dtypes, ISA or device say so): not a test case */
} fgi_acc_outcome;

/* "pass", "fail", "skip". */
const char *fgi_acc_outcome_name(fgi_acc_outcome outcome);

typedef struct fgi_acc_case {
    fgi_acc_config config;
    fgi_acc_outcome outcome;
    fg_status status;          /* the kernel's status (FG_OK unless it failed) */
    char message[256];         /* why it failed or was skipped; "" on a pass */
    double atol, rtol;         /* the bound applied (atol includes the scale) */
    int64_t checked;           /* output elements compared */
    int64_t mismatches;        /* elements outside the bound (NaN/Inf ones included) */
    int64_t nan_mismatches;    /* NaN in one of out/ref only */
    int64_t inf_mismatches;    /* an Inf in one only, or Infs of opposite sign */
    int64_t unwritten;         /* output elements the kernel did not write */
    int64_t written_outside;   /* buffer slots outside the output view that changed */
    bool inputs_modified;
    double max_abs_error;      /* over elements where both are finite */
    double max_rel_error;      /* |out - ref| / |ref| over finite, nonzero ref */
    double worst_ratio;        /* max |out - ref| / bound; <= 1 passes */
    int64_t worst_index;       /* row-major index of the first worst element, -1: none */
    double worst_out, worst_ref;
} fgi_acc_case;

typedef struct fgi_acc_dtype_summary {
    int64_t cases, passed, failed, skipped;
    double max_abs_error, max_rel_error, worst_ratio;
} fgi_acc_dtype_summary;

typedef struct fgi_acc_report {
    char kernel[FGI_META_MAX_ID + 1];
    char reference[FGI_META_MAX_ID + 1];
    char op[32];
    char device[16];           /* "cpu" */
    fgi_acc_tolerances tolerance;
    uint64_t seed;
    char run_time[32];         /* RFC 3339 UTC, when the validation started */
    double seconds;            /* wall time of the validation */
    fgi_acc_case *cases;
    size_t n_cases;
    int64_t passed, failed, skipped;
    fgi_acc_dtype_summary dtypes[3];
    /* passed > 0 and failed == 0: the metadata's accuracy_tests.passed */
    bool ok;
} fgi_acc_report;

/* ---------------------------------------------------------------- running */

typedef struct fgi_acc_options {
    uint64_t seed;             /* inputs of configuration i come from seed and i; 0: 20251219 */
    /* Called after each configuration (NULL: none); for progress bars. */
    void (*progress)(size_t done, size_t total, void *ctx);
    void *progress_ctx;
} fgi_acc_options;

/* validate_accuracy(kernel, reference, configs, tolerance): runs `kernel`
 * and `reference` (NULL: the op's reference-tier kernel) on every
 * configuration and compares. `tolerance` NULL: fgi_acc_tolerances_default;
 * opts NULL: defaults. Any registered kernel may serve as the reference; a
 * configuration that a reference-tier reference refuses is an error, one
 * that another reference declines (FG_ERR_UNSUPPORTED) is skipped. A
 * kernel failure is a failed case, not an error of this function. *out is
 * NULL on failure; free it with fgi_acc_report_free.
 * Errors: FG_ERR_NULL; FG_ERR_INVALID_ARG (a configuration of another op,
 * a bad dtype, layout, shape or attribute (naming the configuration),
 * kernels of different ops or not registered, a bad tolerance);
 * FG_ERR_OVERFLOW (an input over 1 TiB); FG_ERR_NOT_FOUND (the op has no
 * reference kernel); FG_ERR_NO_MEMORY (also for a configuration whose
 * buffers exceed the machine's physical memory, refused before any
 * allocation). */
fg_status fgi_acc_validate(const fgi_kernel *kernel, const fgi_kernel *reference,
                           const fgi_acc_config *configs, size_t n_configs,
                           const fgi_acc_tolerances *tolerance, const fgi_acc_options *opts,
                           fgi_acc_report **out);
/* The same by kernel id over the op's default configurations of `tier` in
 * `dtypes` (0: all). FG_ERR_NOT_FOUND for an unknown id. */
fg_status fgi_acc_validate_id(const char *kernel_id, fgi_acc_tier tier, unsigned dtypes,
                              const fgi_acc_tolerances *tolerance, const fgi_acc_options *opts,
                              fgi_acc_report **out);
void fgi_acc_report_free(fgi_acc_report *report);

/* ---------------------------------------------------------------- metadata */

/* The seed's coverage dict {dtype: [shapes]} of the cases that ran (not the
 * skipped ones): shapes in first-seen order, unique per dtype, dtypes in
 * fgi_dtype order. Strings and arrays live in one allocation *out (free it
 * with free()); *n is the number of dtypes. */
fg_status fgi_acc_coverage(const fgi_acc_report *report, fgi_meta_coverage **out,
                           size_t *n);

/* Records the report into the metadata store under `key` (NULL: the
 * report's kernel id) with fgi_meta_update_validation_status:
 * accuracy_tests.passed = report->ok, test_cases = cases that ran,
 * last_run = report->run_time, coverage merged, checklist.accuracy_passed,
 * and the lifecycle change that implies (EXPERIMENTAL -> VALIDATED on a
 * pass, VALIDATED -> EXPERIMENTAL on a failure). Errors of the store. */
fg_status fgi_acc_record(fgi_meta_store *store, const char *key,
                         const fgi_acc_report *report);

#endif
