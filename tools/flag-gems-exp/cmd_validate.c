/* flag-gems-exp validate: the accuracy tool on experimental kernels, with
 * the results recorded into the metadata file. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "experimental/testing/accuracy.h"
#include "experimental/testing/report.h"

typedef struct progress_ctx {
    const cli_ctx *ctx;
    const char *label;
} progress_ctx;

static void on_progress(size_t done, size_t total, void *p)
{
    const progress_ctx *pc = p;
    cli_progress(pc->ctx, done, total, pc->label);
}

static json_t *report_row(const fgi_acc_report *r, const char *recorded)
{
    json_t *fails = json_array();
    for (size_t i = 0; i < r->n_cases; i++) {
        if (r->cases[i].outcome != FGI_ACC_FAIL) continue;
        char cfg[256];
        fgi_acc_config_describe(&r->cases[i].config, cfg, sizeof cfg);
        json_array_append_new(fails, json_pack("{s:s, s:s}", "config", cfg, "message",
                                               r->cases[i].message));
    }
    double max_abs = 0, max_rel = 0;
    for (int d = 0; d < 3; d++) {
        if (r->dtypes[d].max_abs_error > max_abs) max_abs = r->dtypes[d].max_abs_error;
        if (r->dtypes[d].max_rel_error > max_rel) max_rel = r->dtypes[d].max_rel_error;
    }
    return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:f, s:f, s:s, s:o}", "kernel_id", r->kernel,
                     "reference", r->reference, "passed", r->ok, "cases_passed",
                     (json_int_t)r->passed, "cases_failed", (json_int_t)r->failed,
                     "cases_skipped", (json_int_t)r->skipped, "max_abs_error", max_abs,
                     "max_rel_error", max_rel, "recorded", recorded, "failures", fails);
}

static int run_validate(cli_ctx *ctx, const cli_args *a)
{
    const fgi_kernel **ks;
    size_t nk;
    int rc = cli_select_kernels(ctx, a, &ks, &nk);
    if (rc) return rc;
    unsigned dtypes = 0;
    fgi_acc_tier tier = FGI_ACC_TIER_DEFAULT;
    const fgi_acc_tolerances *tol = fgi_acc_tolerances_default();
    fgi_acc_options opts = {0, on_progress, NULL};
    const char *v;
    if ((rc = cli_parse_dtypes(ctx, cli_opt(a, "dtype"), &dtypes))) goto done;
    if ((v = cli_opt(a, "tier")) && strcmp(v, "default") != 0) {
        if (strcmp(v, "large") != 0) {
            rc = cli_usage(ctx, "use default or large", "unknown tier '%s'", v);
            goto done;
        }
        tier = FGI_ACC_TIER_LARGE;
    }
    if ((v = cli_opt(a, "tolerance")) && !(tol = fgi_acc_tolerances_named(v))) {
        rc = cli_usage(ctx, "use default or flaggems", "unknown tolerance table '%s'", v);
        goto done;
    }
    if ((v = cli_opt(a, "seed"))) {
        char *end;
        opts.seed = strtoull(v, &end, 10);
        if (!v[0] || *end || v[0] == '-') {
            rc = cli_usage(ctx, "a non-negative integer", "bad --seed '%s'", v);
            goto done;
        }
    }
    const char *dir = cli_opt(a, "report-dir");
    int record = !cli_flag(a, "no-record");
    fgi_meta_store *store = NULL;
    if (record && (rc = cli_open_metadata(ctx, 1, 0, &store))) goto done;

    json_t *rows = json_array();
    size_t failed = 0;
    for (size_t i = 0; i < nk && rc == CLI_OK; i++) {
        progress_ctx pc = {ctx, ks[i]->id};
        opts.progress_ctx = &pc;
        fgi_acc_report *r = NULL;
        fg_status st = fgi_acc_validate_id(ks[i]->id, tier, dtypes, tol, &opts, &r);
        if (st != FG_OK) {
            rc = cli_lib_error(ctx, st, 1, NULL, "validation could not run");
            break;
        }
        const char *recorded = "no (--no-record)";
        if (store) {
            const fgi_meta_op *op;
            st = fgi_meta_get_op(store, r->kernel, &op);
            if (st == FG_ERR_NOT_FOUND) {
                recorded = "no (not in the metadata)";
                cli_warn(ctx, "%s is not in %s: results not recorded", r->kernel, ctx->metadata);
            } else if (st == FG_OK) {
                fgi_meta_op_release(op);
                st = fgi_acc_record(store, r->kernel, r);
                if (st == FG_OK && r->ok) st = cli_add_tested_device(store, r->kernel);
                recorded = "yes";
            }
            if (st != FG_OK && st != FG_ERR_NOT_FOUND)
                rc = cli_lib_error(ctx, st, 0, NULL, "cannot record the results");
        }
        if (rc == CLI_OK && dir) {
            char *md = NULL, *js = NULL;
            if (fgi_report_kernel_markdown(r, NULL, &md) != FG_OK ||
                fgi_report_kernel_json(r, NULL, &js) != FG_OK)
                rc = cli_lib_error(ctx, FG_ERR_NO_MEMORY, 0, NULL, "cannot render the report");
            else rc = cli_write_report_pair(ctx, dir, r->kernel, ".accuracy", md, js);
            fgi_report_free(md);
            fgi_report_free(js);
        }
        failed += !r->ok;
        json_array_append_new(rows, report_row(r, recorded));
        fgi_acc_report_free(r);
    }
    fgi_meta_close(store);
    if (rc == CLI_OK) {
        if (ctx->format == CLI_JSON) {
            cli_print_json(json_pack("{s:O, s:I, s:I}", "kernels", rows, "validated",
                                     (json_int_t)json_array_size(rows), "failed",
                                     (json_int_t)failed));
        } else {
            static const char *const h[] = {"KERNEL",  "RESULT",  "PASSED",  "FAILED",
                                            "SKIPPED", "MAX ABS", "MAX REL", "RECORDED"};
            cli_table t;
            cli_table_init(&t, 8, h);
            size_t i;
            json_t *row;
            json_array_foreach(rows, i, row)
            {
                char p[24], f[24], s[24], ma[32], mr[32];
                snprintf(p, sizeof p, "%lld", (long long)json_integer_value(json_object_get(row, "cases_passed")));
                snprintf(f, sizeof f, "%lld", (long long)json_integer_value(json_object_get(row, "cases_failed")));
                snprintf(s, sizeof s, "%lld", (long long)json_integer_value(json_object_get(row, "cases_skipped")));
                snprintf(ma, sizeof ma, "%.3g", json_real_value(json_object_get(row, "max_abs_error")));
                snprintf(mr, sizeof mr, "%.3g", json_real_value(json_object_get(row, "max_rel_error")));
                const char *cells[8] = {json_string_value(json_object_get(row, "kernel_id")),
                                        json_is_true(json_object_get(row, "passed")) ? "pass" : "FAIL",
                                        p, f, s, ma, mr,
                                        json_string_value(json_object_get(row, "recorded"))};
                cli_table_row(&t, cells);
            }
            cli_table_print(&t, ctx->format, stdout);
            cli_table_free(&t);
            json_array_foreach(rows, i, row)
            {
                json_t *fl = json_object_get(row, "failures");
                for (size_t k = 0; k < json_array_size(fl) && k < 5; k++)
                    printf("%s: %s: %s\n", json_string_value(json_object_get(row, "kernel_id")),
                           json_string_value(json_object_get(json_array_get(fl, k), "config")),
                           json_string_value(json_object_get(json_array_get(fl, k), "message")));
            }
            printf("%s%zu kernel%s validated, %zu failed\n", ctx->format == CLI_MD ? "\n" : "",
                   json_array_size(rows), json_array_size(rows) == 1 ? "" : "s", failed);
        }
        if (failed) rc = CLI_FAIL;
    }
    json_decref(rows);
done:
    free(ks);
    return rc;
}

static const cli_opt_spec k_opts[] = {{"all", CLI_FLAG},       {"dtype", CLI_VALUE},
                                      {"tier", CLI_VALUE},     {"tolerance", CLI_VALUE},
                                      {"seed", CLI_VALUE},     {"no-record", CLI_FLAG},
                                      {"report-dir", CLI_VALUE}, {NULL, 0}};

const cli_cmd cli_cmd_validate = {
    "validate",
    "check kernels' accuracy against the reference; record it",
    "validate <op|kernel|--all> [--dtype T] [--tier default|large] [--tolerance default|flaggems]\n"
    "         [--seed N] [--no-record] [--report-dir DIR]",
    "Runs the accuracy tool: each kernel (an op's experimental kernels, one kernel\n"
    "by id, or every experimental kernel with --all) against its op's reference\n"
    "kernel over the built-in configurations (model shapes and edge cases: empty,\n"
    "one element, non-contiguous, broadcast, NaN/Inf) in float32, float16 and\n"
    "bfloat16, and records the result into the metadata file: accuracy_tests,\n"
    "coverage, checklist.accuracy_passed, this machine in tested_devices on a\n"
    "pass, and the lifecycle change (EXPERIMENTAL -> VALIDATED on a pass,\n"
    "VALIDATED -> EXPERIMENTAL on a failure). Exit 1 when a kernel fails.\n"
    "  --dtype T         float32, float16, bfloat16 (comma-separated; default all)\n"
    "  --tier large      also tensors over 1 GiB (slow)\n"
    "  --tolerance NAME  default (the seed's) or flaggems (FlagGems' table)\n"
    "  --seed N          inputs' random seed\n"
    "  --no-record       leave the metadata file alone\n"
    "  --report-dir DIR  write DIR/<kernel>.accuracy.md and .json",
    k_opts,
    0,
    1,
    0,
    run_validate,
};
