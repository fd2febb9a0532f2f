/* Shared helpers of the test suite: tensors that own their buffer (any
 * shape, strides, offset and dtype), a seeded PRNG, poisoning of outputs,
 * tolerance comparison, and the stable-vs-reference check every op test
 * runs. Test code only; links the static library and reaches src/. */
#ifndef FG_TESTUTIL_H
#define FG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/dtype.h"
#include "flaggems/flaggems.h"

/* ---------------------------------------------------------------- PRNG */

/* splitmix64: tiny, fixed sequence for a given seed on every platform. */
typedef struct tu_rng {
    uint64_t s;
} tu_rng;

uint64_t tu_next(tu_rng *r);
/* Uniform in [lo, hi). */
double tu_uniform(tu_rng *r, double lo, double hi);
/* Uniform integer in [0, n). */
int64_t tu_below(tu_rng *r, int64_t n);

/* ---------------------------------------------------------------- tensors */

/* How a tensor's elements are laid out in its buffer. */
typedef enum tu_layout {
    TU_CONTIG = 0, /* row-major dense, no offset */
    TU_OFFSET,     /* row-major dense behind an odd element offset (misaligned) */
    TU_REVERSED,   /* column-major: a full transpose (mm: a transposed matrix) */
    TU_ROTATED,    /* last dim outermost in memory, the rest row-major */
    TU_GAPPY,      /* innermost stride 2 and a gap after every row: strided with holes */
    TU_LAYOUT_COUNT
} tu_layout;

typedef struct tu_tensor {
    DLTensor t; /* points into this struct and buf */
    int64_t shape[FG_MAX_DIMS + 1];
    int64_t strides[FG_MAX_DIMS + 1];
    fgi_dtype dt;
    int64_t numel;
    bool row_major; /* strides are the dense row-major ones */
    char *buf;      /* owned; cap elements */
    int64_t cap;
    int64_t offset; /* element offset of element 0 (t.byte_offset in elements) */
} tu_tensor;

DLDataType tu_dl_dtype(fgi_dtype dt);
const char *tu_dtype_name(fgi_dtype dt);
int tu_esize(fgi_dtype dt);

tu_tensor *tu_new(fgi_dtype dt, int ndim, const int64_t *shape, tu_layout layout);
/* Explicit element strides (may be 0 for broadcast inputs) and offset. */
tu_tensor *tu_new_strided(fgi_dtype dt, int ndim, const int64_t *shape, const int64_t *strides,
                          int64_t offset);
/* A dense row-major copy of src's values. */
tu_tensor *tu_clone_contig(const tu_tensor *src);
void tu_free(tu_tensor *t);

/* Element offset (in elements, from buf) of row-major logical index i. */
int64_t tu_elem_offset(const tu_tensor *t, int64_t i);
double tu_get(const tu_tensor *t, int64_t i);
void tu_set(tu_tensor *t, int64_t i, double v);
/* Raw bits of element i (16 or 32 bits). */
uint32_t tu_bits(const tu_tensor *t, int64_t i);

/* Every element uniform in [lo, hi), rounded to the dtype. Buffer slots that
 * are not elements (gaps, offset, slack) are poisoned, so a kernel that reads
 * them produces NaN. */
void tu_fill_uniform(tu_tensor *t, tu_rng *r, double lo, double hi);
/* Overwrites `count` random elements with NaN, +-Inf, +-0 and denormals
 * (and `extra`, when not NULL, an op-specific value list of n_extra). */
void tu_fill_specials(tu_tensor *t, tu_rng *r, int count, const double *extra, int n_extra);
/* Sets values from an array (row-major). */
void tu_set_values(tu_tensor *t, const double *v, int64_t n);

/* The poison bit pattern: a signaling-NaN payload that no kernel produces
 * (conversions and arithmetic quiet NaNs). Fills the whole buffer. */
uint32_t tu_poison_bits(fgi_dtype dt);
void tu_poison(tu_tensor *t);
bool tu_is_poison(const tu_tensor *t, int64_t i);
/* Whether every buffer slot that is not an element still holds poison.
 * Prints the first changed slot. */
bool tu_gaps_intact(const tu_tensor *t, const char *what);

/* ---------------------------------------------------------------- checks */

/* FlagGems' rtol for the dtype. */
double tu_rtol(fgi_dtype dt);
#define TU_ATOL 1e-4

/* Counts elements of out that are unwritten (poison) or differ from ref:
 * |out - ref| <= atol + rtol*|ref|, NaN must meet NaN, Inf the same Inf.
 * Prints the first failure (index, multi-index, both values) with `what`. */
int64_t tu_compare(const tu_tensor *out, const tu_tensor *ref, double atol, double rtol,
                   const char *what);

/* Whether `id` is what the dispatcher must pick for `op` on this machine:
 * "<op>.cpu.stable.<isa>" with <isa> = fg_cpu_isa_name(), when the kernel
 * table lists a stable kernel for the op; "<op>.cpu.reference" otherwise. */
bool tu_kernel_ok(const char *op, const char *id, char *why, size_t cap);

/* One op call writing `out` (the inputs and attributes live in ctx). */
typedef fg_status (*tu_op_fn)(DLTensor *out, void *ctx);

/* The stable-vs-reference check: runs fn forced onto "<op>.cpu.reference"
 * into a poisoned dense tensor, then through the public path into the
 * poisoned `out`; checks status, the kernel id, every element against the
 * reference, and that out's gaps stayed poisoned. Returns true on success;
 * prints the reason (prefixed by desc) otherwise. */
bool tu_check_op(const char *op, tu_op_fn fn, void *ctx, tu_tensor *out, double atol,
                 const char *desc);

/* Failure counting inside one cmocka test: print at most a few failures,
 * fail the test at the end. */
typedef struct tu_tally {
    int cases, failures;
} tu_tally;
void tu_tally_add(tu_tally *t, bool ok);
void tu_tally_finish(const tu_tally *t, const char *name);

/* "[2,3,5]" */
const char *tu_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape);
const char *tu_layout_name(tu_layout l);

/* True when FLAGGEMS_CPU_ISA asks for the portable path. */
bool tu_env_generic(void);

/* Runs a cmocka group whose tests take a parameter block: builds
 * CMUnitTest entries named names[i] with initial state params[i]. */
int tu_run_group(const char *group, int n, const char *const *names,
                 void (*fn)(void **state), void *const *params);

#endif
