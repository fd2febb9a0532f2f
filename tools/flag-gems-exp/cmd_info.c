/* flag-gems-exp info <op|kernel>: metadata, status, validation, baselines
 * and graduation checklist of each matching kernel, plus the kernels this
 * build of the library registers for it. */
#define FG_EXPERIMENTAL_API
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "flaggems/experimental.h"

json_t *cli_grad_json(const fgi_meta_grad_report *r)
{
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_items; i++) {
        const fgi_meta_check_item *it = &r->items[i];
        json_array_append_new(items, json_pack("{s:s, s:b, s:f, s:f, s:s}", "name", it->name,
                                               "passed", it->passed, "score", it->score,
                                               "weight", it->weight, "details", it->details));
    }
    return json_pack("{s:s, s:s, s:b, s:f, s:o, s:I, s:s}", "kernel_id", r->kernel_id, "status",
                     fgi_meta_status_name(r->status), "eligible", r->eligible, "score", r->score,
                     "checks", items, "blocking_issues", (json_int_t)r->n_blocking_issues,
                     "summary", r->summary);
}

static void dtype_text(unsigned m, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", m & FG_EXP_DTYPE_F32 ? "f32 " : "", m & FG_EXP_DTYPE_F16 ? "f16 " : "",
             m & FG_EXP_DTYPE_BF16 ? "bf16" : "");
    size_t l = strlen(buf);
    if (l && buf[l - 1] == ' ') buf[l - 1] = '\0';
}

static void shape_text(const fgi_meta_baseline *b, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "(");
    for (size_t i = 0; i < b->shape_len && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? ", " : "", (long long)b->shape[i]);
    if (k < n) snprintf(buf + k, n - k, ")");
}

static void heading(const cli_ctx *ctx, const char *title)
{
    if (ctx->format == CLI_MD) printf("\n#### %s\n\n", title);
    else printf("\n%s\n", title);
}

static void print_fields(const cli_ctx *ctx, const fgi_meta_op *op)
{
    char acc[64], code[1200], gen[512], since[160], dev[1024] = "";
    const fgi_meta_accuracy_tests *a = &op->validation_info.accuracy_tests;
    snprintf(code, sizeof code, "%s:%lld-%lld%s%s", op->code_location.file_path,
             (long long)op->code_location.line_start, (long long)op->code_location.line_end,
             op->code_location.commit_hash ? " @" : "",
             op->code_location.commit_hash ? op->code_location.commit_hash : "");
    snprintf(gen, sizeof gen, "%s%s%s", op->generation_info.generator_tool
                                            ? op->generation_info.generator_tool
                                            : "hand-written",
             op->generation_info.generator_version ? " " : "",
             op->generation_info.generator_version ? op->generation_info.generator_version : "");
    snprintf(since, sizeof since, "%s", op->graduation_tracking.in_experimental_since);
    for (size_t i = 0; i < op->hardware_support.n_tested_devices; i++) {
        size_t l = strlen(dev);
        snprintf(dev + l, sizeof dev - l, "%s%s", i ? ", " : "",
                 op->hardware_support.tested_devices[i]);
    }
    char cov[512] = "";
    for (size_t i = 0; i < a->n_coverage; i++) {
        size_t l = strlen(cov);
        snprintf(cov + l, sizeof cov - l, "%s%s: %zu shapes", i ? ", " : "", a->coverage[i].dtype,
                 a->coverage[i].n_shapes);
    }
    static const char *const heads[] = {"FIELD", "VALUE"};
    cli_table t;
    cli_table_init(&t, 2, heads);
#define ROW(k, v)                                                                              \
    do {                                                                                       \
        const char *r_[2] = {(k), (v)};                                                        \
        cli_table_row(&t, r_);                                                                 \
    } while (0)
    ROW("kernel", op->kernel_id);
    ROW("op", op->op_name);
    ROW("op_id", op->op_id);
    ROW("category", fgi_meta_category_name(op->category));
    ROW("status", fgi_meta_status_name(op->status));
    ROW("group", op->group[0] ? op->group : "-");
    ROW("device", op->device[0] ? op->device : "-");
    ROW("generator", gen);
    ROW("template", op->generation_info.source_template);
    ROW("code", code);
    ROW("accuracy", cli_accuracy_text(op, acc, sizeof acc));
    ROW("accuracy last run", a->last_run);
    ROW("coverage", cov[0] ? cov : NULL);
    ROW("performance last run", op->validation_info.performance_tests.last_run);
    ROW("tested devices", dev[0] ? dev : NULL);
    ROW("shape constraints", op->hardware_support.shape_constraints);
    ROW("experimental since", since);
    ROW("eligible", op->graduation_tracking.eligible ? "yes" : "no");
    for (size_t i = 0; i < op->graduation_tracking.n_blocking_issues; i++)
        ROW("blocking issue", op->graduation_tracking.blocking_issues[i]);
#undef ROW
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);

    const fgi_meta_performance_tests *p = &op->validation_info.performance_tests;
    if (p->n_baselines) {
        heading(ctx, "Baselines");
        static const char *const bh[] = {"DEVICE", "DTYPE", "SHAPE", "VS", "SPEEDUP", "MEMORY MB",
                                         "WHEN"};
        cli_table_init(&t, 7, bh);
        for (size_t i = 0; i < p->n_baselines; i++) {
            const fgi_meta_baseline *b = &p->baselines[i];
            char shape[256], sp[32], mem[32];
            shape_text(b, shape, sizeof shape);
            snprintf(mem, sizeof mem, "%.2f", b->memory_overhead);
            const char *row[7] = {b->device, b->dtype, shape, b->reference_impl,
                                  cli_speedup(b->speedup, sp, sizeof sp), mem, b->timestamp};
            cli_table_row(&t, row);
        }
        cli_table_print(&t, ctx->format, stdout);
        cli_table_free(&t);
    }
}

static void print_grad(const cli_ctx *ctx, const fgi_meta_grad_report *r)
{
    char title[128];
    snprintf(title, sizeof title, "Graduation checklist (score %.2f, %s)", r->score,
             r->eligible ? "eligible" : "not eligible");
    heading(ctx, title);
    static const char *const gh[] = {"CHECK", "WEIGHT", "SCORE", "PASSED", "DETAILS"};
    cli_table t;
    cli_table_init(&t, 5, gh);
    for (size_t i = 0; i < r->n_items; i++) {
        const fgi_meta_check_item *it = &r->items[i];
        char w[16], s[16];
        snprintf(w, sizeof w, "%.2f", it->weight);
        snprintf(s, sizeof s, "%.2f", it->score);
        const char *row[5] = {it->name, w, s, it->passed ? "yes" : "no", it->details};
        cli_table_row(&t, row);
    }
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);
    if (r->summary[0]) printf("%s%s\n", ctx->format == CLI_MD ? "\n" : "", r->summary);
}

static json_t *runtime_json(const fg_exp_kernel_info *k, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b, s:b, s:i, s:f}", "id", k[i].id,
                           "op", k[i].op, "tier", k[i].tier, "group", k[i].group, "status",
                           k[i].status, "dtypes", (json_int_t)k[i].dtypes, "specialized",
                           k[i].specialized, "available", k[i].available, "enabled",
                           k[i].enabled, "priority", k[i].priority, "expected_speedup",
                           k[i].expected_speedup));
    return arr;
}

static void print_runtime(const cli_ctx *ctx, const fg_exp_kernel_info *k, size_t n)
{
    heading(ctx, "Kernels in this build (dispatch order)");
    static const char *const h[] = {"KERNEL", "TIER", "GROUP", "DTYPES", "SPECIALIZED",
                                    "AVAILABLE", "ENABLED"};
    cli_table t;
    cli_table_init(&t, 7, h);
    for (size_t i = 0; i < n; i++) {
        char dt[32];
        dtype_text(k[i].dtypes, dt, sizeof dt);
        const char *row[7] = {k[i].id, k[i].tier, k[i].group[0] ? k[i].group : "-", dt,
                              k[i].specialized ? "yes" : "no", k[i].available ? "yes" : "no",
                              k[i].enabled ? "yes" : "no"};
        cli_table_row(&t, row);
    }
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);
}

static int run_info(cli_ctx *ctx, const cli_args *a)
{
    const char *name = a->pos[0];
    fgi_meta_store *store;
    int rc = cli_open_metadata(ctx, 0, 0, &store);
    if (rc) return rc;

    /* A kernel id (or op_id), else every kernel of an op. */
    cli_matches m;
    fg_status st = cli_match(store, name, &m);
    if (st != FG_OK) {
        fgi_meta_close(store);
        return cli_lib_error(ctx, st, 0, NULL, "lookup failed");
    }
    const fgi_meta_op_list list = m.list;

    size_t nrt = 0;
    fg_exp_kernel_info *rt = NULL;
    if (fg_exp_get_op_info(name, NULL, 0, &nrt) == FG_OK && nrt) {
        rt = calloc(nrt, sizeof *rt);
        if (!rt || fg_exp_get_op_info(name, rt, nrt, &nrt) != FG_OK) nrt = 0;
    }
    if (list.count == 0 && nrt == 0) {
        cli_matches_release(&m);
        fgi_meta_close(store);
        free(rt);
        return cli_usage(ctx, "run 'flag-gems-exp list' for the kernel ids",
                         "'%s' is neither a kernel id nor an op in %s or in this build", name,
                         ctx->metadata);
    }

    json_t *jk = json_array();
    for (size_t i = 0; i < list.count; i++) {
        const fgi_meta_op *op = list.ops[i];
        fgi_meta_grad_report gr;
        fg_status gs = fgi_meta_check_graduation_eligibility(store, op->kernel_id, &gr);
        if (ctx->format == CLI_JSON) {
            char *text = NULL;
            json_t *entry = NULL;
            if (fgi_meta_op_to_json(op, &text) == FG_OK) entry = json_loads(text, 0, NULL);
            fgi_meta_free(text);
            json_array_append_new(jk, json_pack("{s:s, s:o, s:o}", "kernel_id", op->kernel_id,
                                                "metadata", entry ? entry : json_null(),
                                                "graduation",
                                                gs == FG_OK ? cli_grad_json(&gr) : json_null()));
        } else {
            if (i) printf("\n");
            if (ctx->format == CLI_MD) printf("### %s\n\n", op->kernel_id);
            print_fields(ctx, op);
            if (gs == FG_OK) print_grad(ctx, &gr);
        }
    }
    if (ctx->format == CLI_JSON) {
        cli_print_json(json_pack("{s:o, s:o}", "kernels", jk, "runtime", runtime_json(rt, nrt)));
    } else {
        json_decref(jk);
        if (nrt) print_runtime(ctx, rt, nrt);
    }
    cli_matches_release(&m);
    fgi_meta_close(store);
    free(rt);
    return CLI_OK;
}

static const cli_opt_spec k_opts[] = {{NULL, 0}};

const cli_cmd cli_cmd_info = {
    "info",
    "show one kernel, or every kernel of an op",
    "info <op|kernel>",
    "Shows the metadata of a kernel (by kernel id or op_id), or of every kernel of\n"
    "an op: status, generation, code location, accuracy and coverage, performance\n"
    "baselines, tested devices, and the graduation checklist with each check's\n"
    "score; then the kernels this build of the library registers for it, in\n"
    "dispatch order.",
    k_opts,
    1,
    1,
    0,
    run_info,
};
