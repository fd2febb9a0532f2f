/* Durable whole-file writes for the files the library and its tools write
 * (issue drafts, PR texts, generated sources). */
#ifndef FGI_CORE_FILE_H
#define FGI_CORE_FILE_H

#include <stddef.h>

#include "flaggems/flaggems.h"

/* Writes `len` bytes to `path` atomically and durably: a uniquely named
 * temp file in the same folder (mode 0644), fsync, rename over path, fsync
 * of the folder. On failure the temp file is removed and path is as it was.
 * FG_ERR_NULL, FG_ERR_NO_MEMORY, FG_ERR_IO (naming the file and the cause). */
fg_status fgi_write_file_durable(const char *path, const char *data, size_t len);

#endif
