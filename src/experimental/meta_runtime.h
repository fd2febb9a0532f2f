/* The metadata the dispatcher runs with (meta_runtime.c): the copy of
 * src/experimental/generated/_metadata.json embedded in the library at build
 * time (src/experimental/build.cmake), or the file FLAGGEMS_EXP_METADATA
 * names. Loaded lazily, once, the first time the dispatcher asks about an
 * experimental kernel; a program never needs the source tree.
 *
 * What the dispatcher takes from it, per kernel id (the key in `ops`):
 *  - status: a DEPRECATED kernel is never dispatched;
 *  - expected speedup per dtype: the geometric mean of
 *    validation_info.performance_tests.baselines[].speedup of that dtype (of
 *    all baselines when none has that dtype); orders the candidates of one
 *    class when nothing was measured;
 *  - hardware_support.shape_constraints (the keys of fgi_meta_shape_rule),
 *    checked on every call in addition to the kernel's supports(). */
#ifndef FGI_EXPERIMENTAL_META_RUNTIME_H
#define FGI_EXPERIMENTAL_META_RUNTIME_H

#include <stddef.h>

/* The embedded document, NUL-terminated (a C source generated at build
 * time). */
extern const char fgi_meta_embedded[];

/* Where the loaded document came from: "embedded" or the override's path.
 * Loads it first if needed. Static or runtime-owned storage, valid until
 * fgi_exp_meta_reload. Thread-safe. */
const char *fgi_exp_meta_origin(void);
/* Number of kernels in the loaded document (loads it first if needed). */
size_t fgi_exp_meta_kernel_count(void);
/* Forgets the loaded document: the next question reads
 * FLAGGEMS_EXP_METADATA (or the embedded copy) again, and cached dispatch
 * decisions are dropped. For tests and programs that replaced the file. */
void fgi_exp_meta_reload(void);

#endif
