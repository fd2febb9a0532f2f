/* File helpers of the code generator: whole-file reads with a size limit,
 * atomic durable writes, the repository root, clang-format. */
#ifndef FGC_FILES_H
#define FGC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "flaggems/flaggems.h"

/* The whole file (NUL-terminated, malloc'd) if at most max bytes.
 * FG_ERR_NOT_FOUND, FG_ERR_INVALID_ARG (too large, holds a NUL byte),
 * FG_ERR_IO. */
fg_status fgc_read_file(const char *path, size_t max, char **out, size_t *len);

/* Writes text to path atomically and durably: a temp file in the same
 * folder, fsync, rename, fsync of the folder. Creates missing folders below
 * `base` (which must exist). *changed: 0 when the file already held text
 * (then nothing is written). */
fg_status fgc_write_file(const char *base, const char *path, const char *text, int *changed);

/* The repository root: `given` if not NULL (must hold
 * src/experimental/generated), else the nearest folder at or above the
 * current directory holding src/experimental/generated/kernels.def. */
fg_status fgc_repo_root(const char *given, char *out, size_t size);

/* path relative to root when it lies inside, else path itself. */
void fgc_relative(const char *root, const char *path, char *out, size_t size);

/* Formats text (C source) with clang-format and the style file
 * style_path; *out is malloc'd. program NULL: $FG_CLANG_FORMAT or
 * "clang-format". FG_ERR_NOT_FOUND when the program cannot run. */
fg_status fgc_clang_format(const char *program, const char *style_path, const char *text, char **out);

/* HEAD's commit hash of the repository at root (40 hex digits), or "" when
 * unknown. */
void fgc_head_commit(const char *root, char *out, size_t size);

/* Removes a folder tree made by the generator (scratch). */
void fgc_remove_tree(const char *path);

#endif
