#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"

extern char **environ;

fg_status fgc_read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    FG_RETURN_IF(!f && errno == ENOENT, FG_ERR_NOT_FOUND, "%s: no such file", path);
    FG_RETURN_IF(!f, FG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    fg_status s = FG_OK;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *p = realloc(buf, cap);
            if (!p) {
                s = FG_ERROR(FG_ERR_NO_MEMORY, "reading %s", path);
                break;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            s = FG_ERROR(FG_ERR_INVALID_ARG, "%s: larger than the limit of %zu bytes", path, max);
            break;
        }
        if (got == 0) {
            if (ferror(f)) s = FG_ERROR(FG_ERR_IO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (s == FG_OK && memchr(buf, '\0', n)) s = FG_ERROR(FG_ERR_INVALID_ARG, "%s: holds a NUL byte", path);
    if (s != FG_OK) {
        free(buf);
        return s;
    }
    buf[n] = '\0';
    *out = buf;
    if (len) *len = n;
    return FG_OK;
}

/* mkdir -p of the folders of path below base. */
static fg_status make_parents(const char *base, const char *path)
{
    size_t blen = strlen(base);
    char tmp[PATH_MAX];
    FG_RETURN_IF(strlen(path) >= sizeof tmp, FG_ERR_INVALID_ARG, "path too long: %s", path);
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + blen + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            return FG_ERROR(FG_ERR_IO, "cannot create folder %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    return FG_OK;
}

fg_status fgc_write_file(const char *base, const char *path, const char *text, int *changed)
{
    *changed = 0;
    char *old = NULL;
    if (fgc_read_file(path, (size_t)64 << 20, &old, NULL) == FG_OK && strcmp(old, text) == 0) {
        free(old);
        return FG_OK;
    }
    free(old);
    fgi_error_clear();
    FG_FORWARD(make_parents(base, path), "writing %s", path);
    FG_FORWARD(fgi_write_file_durable(path, text, strlen(text)), "writing %s", path);
    *changed = 1;
    return FG_OK;
}

static bool is_repo(const char *dir)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/src/experimental/generated/kernels.def", dir);
    return access(p, F_OK) == 0;
}

fg_status fgc_repo_root(const char *given, char *out, size_t size)
{
    char dir[PATH_MAX];
    if (given) {
        FG_RETURN_IF(!realpath(given, dir), FG_ERR_NOT_FOUND, "repository %s: %s", given, strerror(errno));
        FG_RETURN_IF(!is_repo(dir), FG_ERR_NOT_FOUND,
                     "%s is not a libflaggems source tree (no src/experimental/generated/kernels.def)", dir);
    } else {
        FG_RETURN_IF(!getcwd(dir, sizeof dir), FG_ERR_IO, "getcwd: %s", strerror(errno));
        while (!is_repo(dir)) {
            char *slash = strrchr(dir, '/');
            FG_RETURN_IF(!slash || slash == dir, FG_ERR_NOT_FOUND,
                         "no libflaggems source tree at or above the current directory; pass --repo DIR");
            *slash = '\0';
        }
    }
    FG_RETURN_IF(strlen(dir) >= size, FG_ERR_INVALID_ARG, "repository path too long");
    snprintf(out, size, "%s", dir);
    return FG_OK;
}

void fgc_relative(const char *root, const char *path, char *out, size_t size)
{
    char abs[PATH_MAX];
    size_t n = strlen(root);
    if (realpath(path, abs) && strncmp(abs, root, n) == 0 && abs[n] == '/')
        snprintf(out, size, "%s", abs + n + 1);
    else
        snprintf(out, size, "%s", path);
}

fg_status fgc_clang_format(const char *program, const char *style_path, const char *text, char **out)
{
    *out = NULL;
    if (!program) program = getenv("FG_CLANG_FORMAT");
    if (!program || !*program) program = "clang-format";
    const char *tmpdir = getenv("TMPDIR");
    char dir[PATH_MAX], file[PATH_MAX + 16], style[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/fg-codegen-fmt.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    FG_RETURN_IF(!mkdtemp(dir), FG_ERR_IO, "cannot create a temp folder %s: %s", dir, strerror(errno));
    snprintf(file, sizeof file, "%s/kernel.c", dir);
    snprintf(style, sizeof style, "%s/.clang-format", dir);
    char *style_text = NULL;
    int changed;
    fg_status s = fgc_read_file(style_path, 1 << 20, &style_text, NULL);
    if (s == FG_OK) s = fgc_write_file(dir, style, style_text, &changed);
    if (s == FG_OK) s = fgc_write_file(dir, file, text, &changed);
    free(style_text);
    if (s == FG_OK) {
        char *argv[] = {(char *)program, "-i", "--style=file", file, NULL};
        pid_t pid;
        int rc = posix_spawnp(&pid, program, NULL, NULL, argv, environ), status = 0;
        if (rc != 0) {
            s = FG_ERROR(FG_ERR_NOT_FOUND, "cannot run %s (%s): install clang-format, set FG_CLANG_FORMAT, or pass "
                                           "--no-format",
                         program, strerror(rc));
        } else {
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                s = FG_ERROR(FG_ERR_IO, "%s failed on a generated file (status %d)", program, status);
        }
    }
    if (s == FG_OK) s = fgc_read_file(file, (size_t)4 << 20, out, NULL);
    fgc_remove_tree(dir);
    return s;
}

void fgc_head_commit(const char *root, char *out, size_t size)
{
    out[0] = '\0';
    git_libgit2_init();
    git_repository *repo = NULL;
    git_oid oid;
    if (git_repository_open_ext(&repo, root, 0, NULL) == 0 && git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof hex, &oid);
        snprintf(out, size, "%s", hex);
    }
    git_repository_free(repo);
    git_libgit2_shutdown();
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fgc_remove_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }
