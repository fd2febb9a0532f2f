/* Internals shared by the code generator's files. */
#ifndef FGC_CODEGEN_INT_H
#define FGC_CODEGEN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "fg_codegen.h"

#define FGC_GEN_DIR "src/experimental/generated"
#define FGC_TEMPLATE_DIR "tools/codegen/templates"

/* "pointwise", "reduction", ... for an op name; NULL if unknown. */
const char *fgc_op_category(const char *op);
/* FG_ERR_INVALID_ARG "<where>.<key>: unknown key" for a key of obj not in
 * the NULL-terminated list allowed. */
fg_status fgc_check_keys(const json_t *obj, const char *const *allowed, const char *where);
bool fgc_is_ident(const char *s, size_t max);
bool fgc_is_lower_word(const char *s, size_t max);
/* The op_id of a kernel id (deterministic, v4 layout). */
void fgc_uuid_for(const char *kernel_id, char out[37]);
/* The line range of run()'s definition in a kernel's text (code_location;
 * the whole file when there is no such definition). */
void fgc_run_range(const char *text, const char *run, int *start, int *end);
/* The BEGIN/END lines of a command's block in kernels.def. */
void fgc_block_marks(const char *command, char *begin, char *end, size_t size);
void fgc_def_split(const char *def, const char *command, size_t *before, const char **body, size_t *body_len,
                   const char **after);

#endif
