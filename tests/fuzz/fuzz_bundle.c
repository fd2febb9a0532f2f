/* Fuzz target for the kernel-bundle importer (libFuzzer; tests/fuzz/run-fuzz.sh).
 *
 * Each input is a bundle file handed to fg_codegen_import against a scratch
 * repository whose kernels.def holds one hand-written line (metadata and
 * clang-format off). A refusal must say why and leave the repository as it
 * was: kernels.def unchanged, no file added under generated/; an accepted
 * bundle must have added its lines to kernels.def. The scratch repository
 * is put back after every input.
 *
 * Without libFuzzer, replay.c's main() runs a corpus through it (ctest). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fg_codegen.h"
#include "files.h"

static const char kernels_def[] =
    "/* list */\nFGI_EXP_KERNEL(gen_relu_hand, \"relu.cpu.gen.hand\", relu, false, ALL, 0, 0, a, b)\n";

static char root[128], gen[160], def_path[192], bundle[160];

static void write_text(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) abort();
    fclose(f);
}

static void cleanup(void)
{
    if (root[0]) fgc_remove_tree(root);
}

static void init_once(void)
{
    snprintf(root, sizeof root, "/tmp/fg-fuzz-bundle-XXXXXX");
    if (!mkdtemp(root)) abort();
    atexit(cleanup);
    char p[256];
    const char *dirs[] = {"src", "src/experimental", "src/experimental/generated", ".git"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        if (mkdir(p, 0755) != 0) abort();
    }
    snprintf(def_path, sizeof def_path, "%s/src/experimental/generated/kernels.def", root);
    write_text(def_path, kernels_def, sizeof kernels_def - 1);
    snprintf(gen, sizeof gen, "%s/src/experimental/generated", root);
    snprintf(bundle, sizeof bundle, "%s/bundle.json", root);
}

/* Removes everything in generated/ but kernels.def; returns how many
 * entries it removed. */
static int reset_generated(void)
{
    DIR *d = opendir(gen);
    if (!d) abort();
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, "kernels.def")) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", gen, de->d_name);
        fgc_remove_tree(p);
        n++;
    }
    closedir(d);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0]) init_once();
    write_text(bundle, data, size);
    fg_codegen_options o = {.repo_root = root, .flags = FG_CODEGEN_NO_FORMAT | FG_CODEGEN_NO_METADATA};
    fg_codegen_summary sum;
    fg_status st = fg_codegen_import(bundle, &o, &sum);
    char *def = NULL;
    if (fgc_read_file(def_path, 1 << 24, &def, NULL) != FG_OK) abort();
    int def_same = strcmp(def, kernels_def) == 0;
    free(def);
    int added = reset_generated();
    if (st != FG_OK) {
        if (!fg_last_error()[0] || !def_same || added) abort(); /* a refusal writes nothing */
        if (getenv("FG_FUZZ_VERBOSE")) fprintf(stderr, "refused: %s\n", fg_last_error());
    } else {
        if (def_same || sum.kernels == 0) abort();
        write_text(def_path, kernels_def, sizeof kernels_def - 1);
    }
    return 0;
}
