/* Helpers shared by the metadata tests: a scratch repository per test,
 * whole-file read/write, and status assertions that print fg_last_error. */
#ifndef FG_TESTS_META_TEST_H
#define FG_TESTS_META_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "experimental/metadata.h"

#ifndef FG_META_TEST_DATA
#define FG_META_TEST_DATA "tests/metadata/data"
#endif

#define ST_OK(expr)                                                                    \
    do {                                                                               \
        fg_status st_ = (expr);                                                        \
        if (st_ != FG_OK) fail_msg("%s -> %s", #expr, fg_last_error());                \
    } while (0)

/* The call fails with `code` and its message contains `text`. */
#define ST_ERR(expr, code, text)                                                       \
    do {                                                                               \
        fg_status st_ = (expr);                                                        \
        if (st_ != (code))                                                             \
            fail_msg("%s -> %s, expected %s (%s)", #expr, fg_status_name(st_),         \
                     fg_status_name(code), fg_last_error());                           \
        if (!strstr(fg_last_error(), (text)))                                          \
            fail_msg("%s: message lacks \"%s\": %s", #expr, (text), fg_last_error());  \
    } while (0)

typedef struct mt_repo {
    char root[256];  /* has a .git folder: the repository root */
    char file[320];  /* root/_metadata.json */
    char bak[340];
    char tracker[320];
} mt_repo;

static inline void mt_repo_init(mt_repo *r)
{
    const char *base = getenv("FG_META_TEST_DIR");
    if (!base || !*base) base = getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    snprintf(r->root, sizeof r->root, "%s/fg-meta-XXXXXX", base);
    if (!mkdtemp(r->root)) fail_msg("mkdtemp in %s failed", base);
    char git[300];
    snprintf(git, sizeof git, "%s/.git", r->root);
    mkdir(git, 0755);
    snprintf(r->file, sizeof r->file, "%s/_metadata.json", r->root);
    snprintf(r->bak, sizeof r->bak, "%s.bak", r->file);
    snprintf(r->tracker, sizeof r->tracker, "%s/tracker.json", r->root);
}

static inline int mt_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static inline void mt_repo_free(mt_repo *r)
{
    nftw(r->root, mt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *mt_read(const char *path, size_t *len)
{
    if (len) *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}

static inline void mt_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s", path);
    if (len && fwrite(data, 1, len, f) != len) fail_msg("short write %s", path);
    fclose(f);
}

static inline char *mt_fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FG_META_TEST_DATA, name);
    char *d = mt_read(path, len);
    if (!d) {
        fail_msg("missing fixture %s", path);
        return NULL;
    }
    return d;
}

static inline int mt_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A minimal valid entry for register_op. */
static inline const char *mt_entry(char *buf, size_t n, const char *op_name, const char *category)
{
    snprintf(buf, n,
             "{\"op_name\": \"%s\", \"category\": \"%s\", \"code_location\": "
             "{\"file_path\": \"src/experimental/generated/%s.c\", \"line_start\": 3, "
             "\"line_end\": 40}}",
             op_name, category, op_name);
    return buf;
}

#endif
