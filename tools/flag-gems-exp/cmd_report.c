/* flag-gems-exp report: the metadata store's report (Markdown, JSON or a
 * self-contained HTML page) on stdout or, atomically, into a file. */
#include "cli.h"

#include <string.h>

static int run_report(cli_ctx *ctx, const cli_args *a)
{
    fgi_meta_format f = FGI_META_FORMAT_MARKDOWN;
    if (ctx->format_name[0] && ctx->format == CLI_JSON) f = FGI_META_FORMAT_JSON;
    else if (ctx->format == CLI_HTML) f = FGI_META_FORMAT_HTML;
    const char *out = cli_opt(a, "output");
    if (out && !out[0]) return cli_usage(ctx, "e.g. -o report.md", "empty output file name");

    fgi_meta_store *store;
    int rc = cli_open_metadata(ctx, 0, 0, &store);
    if (rc) return rc;
    char *text = NULL;
    size_t len = 0;
    fg_status st = fgi_meta_export_report(store, a->npos ? a->pos : NULL, (size_t)a->npos, f,
                                          &text, &len);
    fgi_meta_close(store);
    if (st != FG_OK)
        return cli_lib_error(ctx, st, 1, "run 'flag-gems-exp list' for the kernel ids",
                             "cannot build the report");
    if (out) {
        char why[512];
        if (cli_write_file(out, text, len, why, sizeof why) < 0)
            rc = cli_fail(ctx, "check the folder exists and is writable", "%s", why);
    } else {
        fwrite(text, 1, len, stdout);
    }
    fgi_meta_free(text);
    return rc;
}

static const cli_opt_spec k_opts[] = {{"output", CLI_VALUE}, {NULL, 0}};

const cli_cmd cli_cmd_report = {
    "report",
    "write the metadata report (md, json or html)",
    "report [KERNEL...] [--format md|json|html] [-o FILE]",
    "Writes a report on the given kernels (default: all): a summary table and a\n"
    "section per kernel in Markdown (the default format of this command), the same\n"
    "content as JSON, or one self-contained HTML page with a sortable table and a\n"
    "speedup chart. The output depends only on the metadata, so it is\n"
    "deterministic.\n"
    "  -o, --output FILE   write FILE (atomically) instead of stdout",
    k_opts,
    0,
    CLI_MAX_ARGS,
    (1u << CLI_JSON) | (1u << CLI_MD) | (1u << CLI_HTML),
    run_report,
};
