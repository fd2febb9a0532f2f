#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"

fg_status fgi_write_file_durable(const char *path, const char *data, size_t len)
{
    FG_RETURN_IF(!path || (!data && len), FG_ERR_NULL, "path and data are required");
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32), *dir = strdup(path);
    if (!tmp || !dir) {
        free(tmp), free(dir);
        return FG_ERROR(FG_ERR_NO_MEMORY, "path copy");
    }
    /* a unique temp name: two writers of one path never share it */
    snprintf(tmp, plen + 32, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    fg_status s = fd < 0 ? FG_ERROR(FG_ERR_IO, "cannot create %s: %s", tmp, strerror(errno)) : FG_OK;
    if (s == FG_OK && fchmod(fd, 0644) != 0) s = FG_ERROR(FG_ERR_IO, "chmod %s: %s", tmp, strerror(errno));
    for (size_t off = 0; s == FG_OK && off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            s = FG_ERROR(FG_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        else
            off += (size_t)n;
    }
    if (s == FG_OK && fsync(fd) != 0) s = FG_ERROR(FG_ERR_IO, "fsync %s: %s", tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && s == FG_OK) s = FG_ERROR(FG_ERR_IO, "close %s: %s", tmp, strerror(errno));
    if (s == FG_OK && rename(tmp, path) != 0)
        s = FG_ERROR(FG_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (s != FG_OK && fd >= 0) unlink(tmp);
    if (s == FG_OK) {
        int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0) s = FG_ERROR(FG_ERR_IO, "fsync of the folder of %s: %s", path, strerror(errno));
        if (dfd >= 0) close(dfd);
    }
    free(tmp);
    free(dir);
    return s;
}
