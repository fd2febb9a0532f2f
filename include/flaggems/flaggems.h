/*
 * libflaggems: compute operators for CPU (and NVIDIA GPUs) on DLPack tensors.
 *
 * This is the stable public API. Experimental operators and the experimental
 * runtime live in <flaggems/experimental.h>.
 *
 * Conventions
 * - Every fallible function returns fg_status. FG_OK is 0.
 * - On failure, fg_last_error() returns a message naming the problem; a
 *   refused call changes nothing (outputs are untouched).
 * - Tensors are DLPack DLTensor. Memory belongs to the caller; the library
 *   never allocates outputs. Outputs come first in argument lists.
 * - Supported dtypes: float32, float16, bfloat16 (all tensors of one call
 *   share the dtype). Supported device: kDLCPU.
 * - strides may be NULL (contiguous, row-major) or arbitrary non-negative
 *   element strides. Inputs may use stride 0 to broadcast. Outputs must not
 *   overlap themselves (no stride 0 on a dim of size > 1).
 * - An output may alias an input exactly (same data, offset, shape and
 *   strides: in-place) where the op allows it; any other overlap between an
 *   output and an input is refused with FG_ERR_ALIAS.
 * - All functions are thread-safe unless documented otherwise.
 */
#ifndef FLAGGEMS_FLAGGEMS_H
#define FLAGGEMS_FLAGGEMS_H

#include <stddef.h>
#include <stdint.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FG_BUILDING_LIBRARY) && defined(__GNUC__)
#define FG_API __attribute__((visibility("default")))
#else
#define FG_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FG_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define FG_DEPRECATED(msg)
#endif

/* ---------------------------------------------------------------- version */

#define FG_VERSION_MAJOR 0
#define FG_VERSION_MINOR 1
#define FG_VERSION_PATCH 0
#define FG_VERSION_NUMBER (FG_VERSION_MAJOR * 10000 + FG_VERSION_MINOR * 100 + FG_VERSION_PATCH)

/* The library's version string, e.g. "0.1.0". Static storage. */
FG_API const char *fg_version(void);
/* FG_VERSION_NUMBER of the library actually linked. */
FG_API unsigned fg_version_number(void);

/* ---------------------------------------------------------------- status */

/* X(name, value, description). One list generates the enum, fg_status_name
 * and fg_status_string. Values never change meaning. */
#define FG_STATUS_LIST(X)                                                       \
    X(FG_OK, 0, "success")                                                      \
    X(FG_ERR_INVALID_ARG, 1, "invalid argument")                                \
    X(FG_ERR_NULL, 2, "NULL pointer where a value is required")                 \
    X(FG_ERR_SHAPE, 3, "shape mismatch")                                        \
    X(FG_ERR_DTYPE, 4, "unsupported or mismatched dtype")                       \
    X(FG_ERR_DEVICE, 5, "unsupported or mismatched device")                     \
    X(FG_ERR_OVERFLOW, 6, "size overflow")                                      \
    X(FG_ERR_ALIAS, 7, "output overlaps an input")                              \
    X(FG_ERR_NO_MEMORY, 8, "out of memory")                                     \
    X(FG_ERR_UNSUPPORTED, 9, "unsupported operation or configuration")          \
    X(FG_ERR_NOT_FOUND, 10, "not found")                                        \
    X(FG_ERR_IO, 11, "input/output error")                                      \
    X(FG_ERR_PARSE, 12, "parse error")                                          \
    X(FG_ERR_CONFLICT, 13, "conflicting concurrent update")                     \
    X(FG_ERR_KERNEL, 14, "kernel failed")                                       \
    X(FG_ERR_INTERNAL, 15, "internal error")

typedef enum fg_status {
#define FG_STATUS_ENUM_(name, value, text) name = value,
    FG_STATUS_LIST(FG_STATUS_ENUM_)
#undef FG_STATUS_ENUM_
} fg_status;

/* "FG_ERR_SHAPE" for FG_ERR_SHAPE; "FG_ERR_UNKNOWN" for a value not in the
 * list. Static storage. */
FG_API const char *fg_status_name(fg_status status);
/* A short English description of a status. Static storage. */
FG_API const char *fg_status_string(fg_status status);

/* The message of the most recent failed call on this thread, with context
 * frames, e.g.
 *   "FG_ERR_SHAPE: out has shape [4,8], expected [4,16] (ops/ops.c:88) <- fg_add".
 * "" when the most recent call succeeded. Thread-local storage, valid until
 * the next library call on this thread. Never NULL. */
FG_API const char *fg_last_error(void);

/* ---------------------------------------------------------------- logging */

typedef enum fg_log_level {
    FG_LOG_OFF = 0,
    FG_LOG_ERROR = 1,
    FG_LOG_WARN = 2,
    FG_LOG_INFO = 3,
    FG_LOG_DEBUG = 4
} fg_log_level;

/* Logging is off by default. At start-up FLAGGEMS_LOG_LEVEL
 * (off|error|warn|info|debug) and FLAGGEMS_LOG_FILE (a path, appended to;
 * default stderr) are read once. These calls override them. */
FG_API void fg_log_set_level(fg_log_level level);
FG_API fg_log_level fg_log_get_level(void);
/* path NULL logs to stderr. FG_ERR_IO if the file cannot be opened (logging
 * then keeps its previous destination). */
FG_API fg_status fg_log_set_file(const char *path);

/* ---------------------------------------------------------------- memory */

/* Every internal allocation (workspaces, packing buffers) goes through one
 * allocator. alloc returns memory aligned to at least `align` (a power of
 * two, <= 4096) or NULL; free receives the same size that was allocated. */
typedef struct fg_allocator {
    void *(*alloc)(size_t size, size_t align, void *ctx);
    void (*free)(void *ptr, size_t size, void *ctx);
    void *ctx;
} fg_allocator;

/* Replace the allocator (NULL restores the default aligned malloc). Call it
 * while no library call is running: memory obtained from the old allocator
 * must have been returned. FG_ERR_INVALID_ARG if alloc or free is NULL,
 * FG_ERR_CONFLICT if internal memory is still live. */
FG_API fg_status fg_set_allocator(const fg_allocator *allocator);

typedef struct fg_memory_stats {
    size_t live_bytes;     /* currently allocated by the library */
    size_t peak_bytes;     /* high-water mark since start or fg_memory_reset_peak */
    uint64_t allocations;  /* number of successful allocations */
    uint64_t failures;     /* allocations the allocator refused */
} fg_memory_stats;

/* Snapshot of the internal allocation counters. FG_ERR_NULL if out is NULL. */
FG_API fg_status fg_memory_get_stats(fg_memory_stats *out);
/* Sets peak_bytes to the current live_bytes. */
FG_API void fg_memory_reset_peak(void);

/* ---------------------------------------------------------------- cpu, threads */

enum {
    FG_CPU_AVX2 = 1u << 0,
    FG_CPU_FMA = 1u << 1,
    FG_CPU_F16C = 1u << 2
};

/* CPU features detected once per process, masked by FLAGGEMS_CPU_ISA:
 * "generic" forces the portable kernels, "avx2" (or unset) uses what the CPU
 * has. Kernels that need a feature are only used when it is present here. */
FG_API unsigned fg_cpu_features(void);
/* "avx2" when AVX2, FMA and F16C are all usable, else "generic". */
FG_API const char *fg_cpu_isa_name(void);

/* Upper bound on worker threads for large operations. Default: the OpenMP
 * default, capped by FLAGGEMS_NUM_THREADS when set. n < 1 is
 * FG_ERR_INVALID_ARG. Small operations always run on the calling thread. */
FG_API fg_status fg_set_num_threads(int n);
FG_API int fg_get_num_threads(void);

/* ---------------------------------------------------------------- ops */

#define FG_MAX_DIMS 8
/* Pass as `dim` to reduce over all elements. */
#define FG_DIM_ALL (-2147483647 - 1)

typedef enum fg_gelu_approx {
    FG_GELU_NONE = 0, /* x * Phi(x), exact erf form */
    FG_GELU_TANH = 1  /* 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))) */
} fg_gelu_approx;

/* Errors shared by every op below:
 *   FG_ERR_NULL        a required tensor, its data (when numel > 0) or shape is NULL
 *   FG_ERR_INVALID_ARG negative dim size, negative stride, bad attribute
 *   FG_ERR_UNSUPPORTED more than FG_MAX_DIMS dims, lanes != 1
 *   FG_ERR_OVERFLOW    numel or byte extent does not fit in int64
 *   FG_ERR_DTYPE       dtype not float32/float16/bfloat16, or tensors differ
 *   FG_ERR_DEVICE      device not kDLCPU, or tensors differ
 *   FG_ERR_SHAPE       out or an input has the wrong shape or ndim
 *   FG_ERR_ALIAS       out overlaps an input other than by exact aliasing,
 *                      or overlaps itself
 *   FG_ERR_NO_MEMORY   a workspace could not be allocated
 * The kernel that served the call is reported by fg_last_kernel(). */

/* out = a + alpha * b, NumPy-style broadcasting of a and b to out's shape. */
FG_API fg_status fg_add(DLTensor *out, const DLTensor *a, const DLTensor *b, double alpha);
/* out = a * b, NumPy-style broadcasting. */
FG_API fg_status fg_mul(DLTensor *out, const DLTensor *a, const DLTensor *b);
/* Elementwise, out has x's shape. */
FG_API fg_status fg_relu(DLTensor *out, const DLTensor *x);
FG_API fg_status fg_gelu(DLTensor *out, const DLTensor *x, fg_gelu_approx approximate);
FG_API fg_status fg_silu(DLTensor *out, const DLTensor *x);
FG_API fg_status fg_exp(DLTensor *out, const DLTensor *x);

/* Reductions over one dim (negative counts from the end) or FG_DIM_ALL.
 * out has x's shape with dim removed, or kept as 1 when keepdim is nonzero;
 * FG_DIM_ALL gives ndim 0 (or all ones with keepdim). f16/bf16 accumulate in
 * float32. mean of an empty reduction is NaN; amax of an empty reduction is
 * FG_ERR_SHAPE. amax propagates NaN. */
FG_API fg_status fg_sum(DLTensor *out, const DLTensor *x, int dim, int keepdim);
FG_API fg_status fg_mean(DLTensor *out, const DLTensor *x, int dim, int keepdim);
FG_API fg_status fg_amax(DLTensor *out, const DLTensor *x, int dim, int keepdim);

/* Softmax along dim (negative counts from the end); out has x's shape. */
FG_API fg_status fg_softmax(DLTensor *out, const DLTensor *x, int dim);
/* Normalization over the last dim of x (length H). weight and bias are
 * optional (NULL) 1-D tensors of length H. eps must be finite and >= 0. */
FG_API fg_status fg_layer_norm(DLTensor *out, const DLTensor *x, const DLTensor *weight,
                               const DLTensor *bias, double eps);
FG_API fg_status fg_rms_norm(DLTensor *out, const DLTensor *x, const DLTensor *weight, double eps);

/* out[M,N] = a[M,K] @ b[K,N]; any strides (transposed views work). out may
 * not overlap a or b at all. */
FG_API fg_status fg_mm(DLTensor *out, const DLTensor *a, const DLTensor *b);
/* out[B,M,N] = a[B,M,K] @ b[B,K,N]. */
FG_API fg_status fg_bmm(DLTensor *out, const DLTensor *a, const DLTensor *b);

/* Id of the kernel that served this thread's most recent successful op call
 * (e.g. "gelu.cpu.stable.avx2"), or "" if none. Static storage. */
FG_API const char *fg_last_kernel(void);

#ifdef __cplusplus
}
#endif

#endif /* FLAGGEMS_FLAGGEMS_H */
