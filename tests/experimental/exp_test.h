/* Helpers of the experimental runtime tests: one op call described as data,
 * its reference result, log-file reading, and a clean runtime state. */
#ifndef FG_EXP_TEST_H
#define FG_EXP_TEST_H

#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include "testutil.h"

/* One op call: x (and b: add/mul's b or the norms' weight; bias) with the
 * op's attributes. */
typedef struct et_case {
    const char *op; /* add mul relu gelu silu exp fast_gelu sum mean amax softmax layer_norm rms_norm mm */
    tu_tensor *x, *b, *bias;
    int dim;
    double eps;
} et_case;

/* Runs the case through the public entry point into out. */
fg_status et_run(const et_case *c, DLTensor *out);
/* The reference result (forced "<op>.cpu.reference") in a dense tensor of
 * out's shape; NULL (and a cmocka failure) if it cannot be computed. */
tu_tensor *et_reference(const et_case *c, const tu_tensor *out);
/* Whether out matches the reference within the test-suite tolerance (the
 * norms' and reductions' atol scaled as in tests/ops). Prints why not. */
bool et_matches(const et_case *c, const tu_tensor *out, const char *what);

/* A tensor with uniform values in [lo, hi) from seed. */
tu_tensor *et_rand(fgi_dtype dt, int ndim, const int64_t *shape, uint64_t seed, double lo, double hi);
/* Whether every element of t is NaN. */
bool et_all_nan(const tu_tensor *t);

/* Back to start-up state: API config dropped, environment read again,
 * groups from FLAGGEMS_EXP_ENABLE (unset: disabled), faults and denylist
 * cleared, cache and quarantines dropped, stats zeroed. */
void et_reset(void);

/* The file's text (malloc'd; "" when missing). */
char *et_read_file(const char *path);
/* Occurrences of needle in hay. */
int et_count(const char *hay, const char *needle);
/* FG_EXP_TEST_TMP "/" name, in a static buffer per call site's index. */
const char *et_tmp(const char *name, char *buf, size_t cap);

#endif
