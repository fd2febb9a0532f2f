/* flag-gems-exp import and codegen: the code generator's library
 * (tools/codegen/fg_codegen.h). Both paths emit a source file, a kernels.def
 * line and a metadata entry per kernel through one function. */
#include "cli.h"

#include <string.h>

#include "fg_codegen.h"

static int emit_options(const cli_ctx *ctx, const cli_args *a, fg_codegen_options *o)
{
    memset(o, 0, sizeof *o);
    o->repo_root = cli_opt(a, "repo");
    o->out_dir = cli_opt(a, "out");
    if (cli_flag(a, "no-metadata")) o->flags |= FG_CODEGEN_NO_METADATA;
    if (cli_flag(a, "metadata-only")) o->flags |= FG_CODEGEN_METADATA_ONLY;
    if (cli_flag(a, "no-format")) o->flags |= FG_CODEGEN_NO_FORMAT;
    if ((o->flags & FG_CODEGEN_NO_METADATA) && (o->flags & FG_CODEGEN_METADATA_ONLY))
        return cli_usage(ctx, NULL, "--no-metadata and --metadata-only exclude each other");
    /* One line per file written: part of the table output, kept off JSON. */
    o->log = ctx->format == CLI_JSON ? NULL : stdout;
    return CLI_OK;
}

static int print_summary(const cli_ctx *ctx, const char *what, const fg_codegen_summary *s)
{
    if (ctx->format == CLI_JSON) {
        cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:I}", "action", what, "kernels",
                                 (json_int_t)s->kernels, "files_written", (json_int_t)s->written,
                                 "files_unchanged", (json_int_t)s->unchanged, "metadata_entries",
                                 (json_int_t)s->metadata));
    } else {
        printf("%s: %zu kernel%s, %zu file%s written, %zu unchanged, %zu metadata entr%s\n", what,
               s->kernels, s->kernels == 1 ? "" : "s", s->written, s->written == 1 ? "" : "s",
               s->unchanged, s->metadata, s->metadata == 1 ? "y" : "ies");
    }
    return CLI_OK;
}

static int run_import(cli_ctx *ctx, const cli_args *a)
{
    fg_codegen_options o;
    int rc = emit_options(ctx, a, &o);
    if (rc) return rc;
    fg_codegen_summary s;
    memset(&s, 0, sizeof s);
    fg_status st = fg_codegen_import(a->pos[0], &o, &s);
    if (st != FG_OK)
        return cli_lib_error(ctx, st, 1, "see docs/experimental/codegen_guide.md for the bundle format",
                             "bundle refused, nothing written");
    return print_summary(ctx, "imported", &s);
}

static int run_codegen(cli_ctx *ctx, const cli_args *a)
{
    const char *config = cli_opt(a, "config");
    if (!config || !config[0])
        return cli_usage(ctx, "e.g. --config tools/codegen/configs/cpu_kernels.json",
                         "--config FILE is required");
    fg_codegen_options o;
    int rc = emit_options(ctx, a, &o);
    if (rc) return rc;
    if (cli_flag(a, "check")) {
        size_t diff = 0;
        fg_status st = fg_codegen_check(config, &o, &diff);
        if (st != FG_OK) return cli_lib_error(ctx, st, 1, NULL, "check could not run");
        if (ctx->format == CLI_JSON)
            cli_print_json(json_pack("{s:s, s:I}", "config", config, "differences", (json_int_t)diff));
        else
            printf("%zu difference%s between %s and the committed files\n", diff, diff == 1 ? "" : "s",
                   config);
        return diff ? CLI_FAIL : CLI_OK;
    }
    fg_codegen_summary s;
    memset(&s, 0, sizeof s);
    fg_status st = fg_codegen_generate(config, &o, &s);
    if (st != FG_OK)
        return cli_lib_error(ctx, st, 1, "see docs/experimental/codegen_guide.md for the config format",
                             "generation refused, nothing written");
    return print_summary(ctx, "generated", &s);
}

static const cli_opt_spec k_import_opts[] = {{"repo", CLI_VALUE},       {"out", CLI_VALUE},
                                             {"no-metadata", CLI_FLAG}, {"metadata-only", CLI_FLAG},
                                             {"no-format", CLI_FLAG},   {NULL, 0}};

const cli_cmd cli_cmd_import = {
    "import",
    "add the kernels of a generator's bundle to the tree",
    "import <bundle.json> [--repo DIR] [--out DIR] [--no-metadata|--metadata-only] [--no-format]",
    "Reads a generator's kernel bundle (JSON: op, category, source or template\n"
    "config, dtypes, shape constraints, generator name and version; the format is\n"
    "in docs/experimental/codegen_guide.md) and writes, per kernel, its source under\n"
    "src/experimental/generated/<category>/, its kernels.def line and its entry in\n"
    "the repository's src/experimental/generated/_metadata.json (not --metadata).\n"
    "Duplicate ids, unsafe paths and oversized sources are refused and nothing is\n"
    "written.\n"
    "  --repo DIR       the repository (default: found upwards from here)\n"
    "  --out DIR        write sources and kernels.def to a scratch folder instead\n"
    "                   (no metadata)\n"
    "  --no-metadata    skip the metadata step;  --metadata-only: only it\n"
    "  --no-format      do not run clang-format",
    k_import_opts,
    1,
    1,
    0,
    run_import,
};

static const cli_opt_spec k_codegen_opts[] = {{"config", CLI_VALUE},     {"check", CLI_FLAG},
                                              {"repo", CLI_VALUE},       {"out", CLI_VALUE},
                                              {"no-metadata", CLI_FLAG}, {"metadata-only", CLI_FLAG},
                                              {"no-format", CLI_FLAG},   {NULL, 0}};

const cli_cmd cli_cmd_codegen = {
    "codegen",
    "generate kernels from templates and a generation config",
    "codegen --config FILE [--check] [--repo DIR] [--out DIR] [--no-metadata|--metadata-only]\n"
    "        [--no-format]",
    "Renders every kernel of the generation config from tools/codegen/templates/\n"
    "and writes its source, its kernels.def line and its metadata entry (as\n"
    "fg-codegen does). --check regenerates into a scratch folder and compares with\n"
    "the committed files instead: exit 1 when they differ.\n"
    "  --repo DIR       the repository (default: found upwards from here)\n"
    "  --out DIR        write to a scratch folder instead (no metadata)\n"
    "  --no-metadata    skip the metadata step;  --metadata-only: only it\n"
    "  --no-format      do not run clang-format",
    k_codegen_opts,
    0,
    0,
    0,
    run_codegen,
};
