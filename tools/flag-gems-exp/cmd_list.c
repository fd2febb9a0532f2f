/* flag-gems-exp list: the kernels of the metadata file, filtered. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_speedup_range(const fgi_meta_op *op, double *lo, double *hi)
{
    const fgi_meta_performance_tests *p = &op->validation_info.performance_tests;
    *lo = *hi = 0;
    for (size_t i = 0; i < p->n_baselines; i++) {
        double s = p->baselines[i].speedup;
        if (i == 0 || s < *lo) *lo = s;
        if (i == 0 || s > *hi) *hi = s;
    }
}

const char *cli_accuracy_text(const fgi_meta_op *op, char *buf, size_t size)
{
    const fgi_meta_accuracy_tests *a = &op->validation_info.accuracy_tests;
    if (!a->last_run && a->test_cases == 0) snprintf(buf, size, "not run");
    else snprintf(buf, size, "%s (%lld cases)", a->passed ? "passed" : "FAILED",
                  (long long)a->test_cases);
    return buf;
}

const char *cli_range_text(const fgi_meta_op *op, char *buf, size_t size)
{
    double lo, hi;
    cli_speedup_range(op, &lo, &hi);
    if (op->validation_info.performance_tests.n_baselines == 0) snprintf(buf, size, "-");
    else if (lo == hi) snprintf(buf, size, "%.2fx", lo);
    else snprintf(buf, size, "%.2f-%.2fx", lo, hi);
    return buf;
}

json_t *cli_kernel_summary(const fgi_meta_op *op)
{
    const fgi_meta_accuracy_tests *a = &op->validation_info.accuracy_tests;
    double lo, hi;
    cli_speedup_range(op, &lo, &hi);
    int has = op->validation_info.performance_tests.n_baselines > 0;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:o, s:o, s:I, s:b}", "kernel_id",
                     op->kernel_id, "op_name", op->op_name, "category",
                     fgi_meta_category_name(op->category), "status",
                     fgi_meta_status_name(op->status), "group", op->group, "device", op->device,
                     "accuracy_passed", a->passed, "test_cases", (json_int_t)a->test_cases,
                     "speedup_min", has ? json_real(lo) : json_null(), "speedup_max",
                     has ? json_real(hi) : json_null(), "baselines",
                     (json_int_t)op->validation_info.performance_tests.n_baselines, "eligible",
                     op->graduation_tracking.eligible);
}

static int run_list(cli_ctx *ctx, const cli_args *a)
{
    fgi_meta_filter f;
    memset(&f, 0, sizeof f);
    const char *v;
    if ((v = cli_opt(a, "status"))) {
        fgi_meta_status s;
        if (cli_parse_status(v, &s) < 0)
            return cli_usage(ctx, "use EXPERIMENTAL, VALIDATED, GRADUATION_CANDIDATE, GRADUATED, "
                                  "STABLE or DEPRECATED",
                             "unknown status '%s'", v);
        f.status_mask = 1u << s;
    }
    if ((v = cli_opt(a, "category"))) {
        fgi_meta_category c;
        if (cli_parse_category(v, &c) < 0)
            return cli_usage(ctx, "use blas, reduction, pointwise or custom",
                             "unknown category '%s'", v);
        f.category_mask = 1u << c;
    }
    if ((v = cli_opt(a, "group"))) {
        if (strcmp(v, "generated") != 0 && strcmp(v, "custom") != 0)
            return cli_usage(ctx, "use generated or custom", "unknown group '%s'", v);
        f.group = v;
    }
    if ((v = cli_opt(a, "device"))) {
        if (!v[0]) return cli_usage(ctx, "e.g. --device cpu", "empty device name");
        f.device = v;
    }
    f.op_name = cli_opt(a, "op");

    fgi_meta_store *store;
    int rc = cli_open_metadata(ctx, 0, 0, &store);
    if (rc) return rc;
    fgi_meta_op_list list;
    fg_status st = fgi_meta_query_ops(store, &f, &list);
    if (st != FG_OK) {
        fgi_meta_close(store);
        return cli_lib_error(ctx, st, 1, NULL, "query failed");
    }
    if (ctx->format == CLI_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < list.count; i++)
            json_array_append_new(arr, cli_kernel_summary(list.ops[i]));
        cli_print_json(json_pack("{s:o, s:I}", "kernels", arr, "count", (json_int_t)list.count));
    } else {
        static const char *const heads[] = {"KERNEL", "OP",       "CATEGORY", "STATUS",
                                            "GROUP",  "DEVICE",   "ACCURACY", "SPEEDUP",
                                            "ELIGIBLE"};
        cli_table t;
        cli_table_init(&t, 9, heads);
        for (size_t i = 0; i < list.count; i++) {
            const fgi_meta_op *op = list.ops[i];
            char acc[64], sp[64];
            const char *row[9] = {op->kernel_id,
                                  op->op_name,
                                  fgi_meta_category_name(op->category),
                                  fgi_meta_status_name(op->status),
                                  op->group[0] ? op->group : "-",
                                  op->device[0] ? op->device : "-",
                                  cli_accuracy_text(op, acc, sizeof acc),
                                  cli_range_text(op, sp, sizeof sp),
                                  op->graduation_tracking.eligible ? "yes" : "no"};
            cli_table_row(&t, row);
        }
        cli_table_print(&t, ctx->format, stdout);
        cli_table_free(&t);
        printf("%s%zu kernel%s\n", ctx->format == CLI_MD ? "\n" : "", list.count,
               list.count == 1 ? "" : "s");
    }
    fgi_meta_op_list_release(&list);
    fgi_meta_close(store);
    return CLI_OK;
}

static const cli_opt_spec k_opts[] = {{"category", CLI_VALUE}, {"status", CLI_VALUE},
                                      {"device", CLI_VALUE},   {"group", CLI_VALUE},
                                      {"op", CLI_VALUE},       {NULL, 0}};

const cli_cmd cli_cmd_list = {
    "list",
    "list the kernels of the metadata file",
    "list [--category C] [--status S] [--device D] [--group G] [--op NAME]",
    "Lists the kernels recorded in the metadata file, sorted by kernel id, with\n"
    "their status, accuracy, speedup range (over their recorded baselines) and\n"
    "graduation eligibility. Filters combine with AND:\n"
    "  --category C   blas, reduction, pointwise or custom\n"
    "  --status S     EXPERIMENTAL, VALIDATED, GRADUATION_CANDIDATE, GRADUATED,\n"
    "                 STABLE or DEPRECATED (any case)\n"
    "  --device D     the kernel id's device (cpu, cuda) or a tested device\n"
    "  --group G      generated or custom\n"
    "  --op NAME      kernels of one op",
    k_opts,
    0,
    0,
    0,
    run_list,
};
