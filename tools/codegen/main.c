/* fg-codegen: the code generator's command line (a thin client of the
 * fg_codegen library; flag-gems-exp codegen|import call the same
 * functions).
 *
 *   fg-codegen --config FILE [--check] [options]   generate (or check) a set
 *   fg-codegen import BUNDLE [options]             import a bundle
 *
 * Exit status: 0 success, 1 failure or differences found, 2 bad usage. */
#include <stdio.h>
#include <string.h>

#include "fg_codegen.h"

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: fg-codegen --config FILE.json [--check] [options]\n"
               "       fg-codegen import BUNDLE.json [options]\n"
               "Generates experimental kernels from templates (--config), checks that the committed\n"
               "files match a regeneration (--check), or imports a generator's bundle (import).\n"
               "options:\n"
               "  --repo DIR        the source tree (default: found above the current directory)\n"
               "  --out-dir DIR     write sources and kernels.def into DIR instead (no metadata)\n"
               "  --no-metadata     skip src/experimental/generated/_metadata.json\n"
               "  --metadata-only   only (re)write the metadata entries, e.g. after a merge\n"
               "  --no-format       do not run clang-format\n"
               "  --quiet           no per-file lines\n"
               "  --version, --help\n"
               "docs/experimental/codegen_guide.md describes the config and bundle formats.\n");
    return rc;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *bundle = NULL;
    int check = 0, quiet = 0;
    fg_codegen_options o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage(stdout, 0);
        if (!strcmp(a, "--version")) {
            printf("%s %s\n", FG_CODEGEN_TOOL, FG_CODEGEN_VERSION);
            return 0;
        }
        if (!strcmp(a, "--check")) check = 1;
        else if (!strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--no-metadata")) o.flags |= FG_CODEGEN_NO_METADATA;
        else if (!strcmp(a, "--metadata-only")) o.flags |= FG_CODEGEN_METADATA_ONLY;
        else if (!strcmp(a, "--no-format")) o.flags |= FG_CODEGEN_NO_FORMAT;
        else if ((!strcmp(a, "--config") || !strcmp(a, "--repo") || !strcmp(a, "--out-dir")) && i + 1 < argc) {
            const char **dst = a[2] == 'c' ? &config : a[2] == 'r' ? &o.repo_root : &o.out_dir;
            *dst = argv[++i];
        } else if (!strcmp(a, "import") && i == 1 && i + 1 < argc) {
            bundle = argv[++i];
        } else {
            fprintf(stderr, "fg-codegen: unexpected argument '%s'\n", a);
            return usage(stderr, 2);
        }
    }
    if (!config == !bundle || (check && !config)) {
        fprintf(stderr, "fg-codegen: give exactly one of --config FILE or import BUNDLE (--check needs --config)\n");
        return usage(stderr, 2);
    }
    if ((o.flags & FG_CODEGEN_METADATA_ONLY) && (o.flags & FG_CODEGEN_NO_METADATA)) {
        fprintf(stderr, "fg-codegen: --metadata-only and --no-metadata exclude each other\n");
        return 2;
    }
    o.log = quiet ? NULL : stdout;
    fg_status s;
    if (check) {
        size_t diff = 0;
        o.log = stdout;
        s = fg_codegen_check(config, &o, &diff);
        if (s == FG_OK) {
            if (diff) {
                printf("%zu generated file(s) differ from %s; run: fg-codegen --config %s\n", diff, config, config);
                return 1;
            }
            printf("generated files match %s\n", config);
            return 0;
        }
    } else {
        fg_codegen_summary sum;
        s = config ? fg_codegen_generate(config, &o, &sum) : fg_codegen_import(bundle, &o, &sum);
        if (s == FG_OK) {
            printf("%zu kernel(s): %zu file(s) written, %zu unchanged, %zu metadata entr%s\n", sum.kernels,
                   sum.written, sum.unchanged, sum.metadata, sum.metadata == 1 ? "y" : "ies");
            return 0;
        }
    }
    fprintf(stderr, "fg-codegen: %s\n", fg_last_error());
    return 1;
}
