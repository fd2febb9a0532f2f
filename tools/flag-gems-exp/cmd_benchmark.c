/* flag-gems-exp benchmark: the performance tool on experimental kernels
 * against their op's stable and reference kernels; --record keeps the
 * results (performance database and metadata baselines). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/dtype.h"
#include "experimental/testing/performance.h"

/* "4096x4096" -> JSON configs, one per dtype in mask. mm/bmm: the last dim
 * is N (b's columns). */
static int shape_configs(const cli_ctx *ctx, const fgi_kernel *k, const char *shape, unsigned mask,
                         char **json)
{
    int64_t d[FG_MAX_DIMS + 1];
    int nd = 0;
    const char *p = shape;
    while (*p) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || nd == FG_MAX_DIMS + 1 || (*end && *end != 'x' && *end != ',') ||
            (*end && !(end[1] >= '0' && end[1] <= '9')))
            return cli_usage(ctx, "e.g. --shape 4096x4096 (mm: MxKxN, bmm: BxMxKxN)",
                             "bad --shape '%s'", shape);
        d[nd++] = v;
        p = *end ? end + 1 : end;
    }
    int matmul = k->op == FGI_OP_mm || k->op == FGI_OP_bmm;
    int want = k->op == FGI_OP_mm ? 3 : k->op == FGI_OP_bmm ? 4 : 0;
    if (nd == 0 || (want && nd != want))
        return cli_usage(ctx, "mm takes MxKxN, bmm BxMxKxN", "--shape '%s' has %d dims for %s",
                         shape, nd, fgi_op_name(k->op));
    json_t *arr = json_array();
    for (int dt = 0; dt < 3; dt++) {
        if (mask && !(mask & (1u << dt))) continue;
        json_t *dims = json_array();
        for (int i = 0; i < nd - matmul; i++) json_array_append_new(dims, json_integer(d[i]));
        json_t *c = json_pack("{s:s, s:o}", "dtype", fgi_dtype_name((fgi_dtype)dt), "shape", dims);
        if (matmul) json_object_set_new(c, "n", json_integer(d[nd - 1]));
        json_array_append_new(arr, c);
    }
    *json = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return *json ? CLI_OK : cli_fail(ctx, NULL, "out of memory");
}

fg_status cli_record_baselines(fgi_meta_store *store, const fgi_perf_report *r, int j)
{
    size_t cap = r->nconfig * (size_t)r->ncand;
    fgi_meta_baseline *bl = calloc(cap ? cap : 1, sizeof *bl);
    int64_t *shapes = calloc(cap ? cap * (FG_MAX_DIMS + 1) : 1, sizeof *shapes);
    if (!bl || !shapes) {
        free(bl);
        free(shapes);
        return FG_ERR_NO_MEMORY;
    }
    char dev[80];
    cli_device_name(dev, sizeof dev);
    size_t n = 0;
    for (size_t c = 0; c < r->nconfig; c++) {
        const fgi_perf_config *cfg = &r->configs[c];
        const fgi_perf_result *kr = &r->results[c * (size_t)r->ncand + (size_t)j];
        if (kr->status != FG_OK || !(kr->median_ns > 0)) continue;
        for (int b = 1; b < r->ncand; b++) {
            if (b == j || r->cands[b]->tier == FGI_TIER_EXPERIMENTAL) continue;
            const fgi_perf_result *br = &r->results[c * (size_t)r->ncand + (size_t)b];
            if (br->status != FG_OK || !(br->median_ns > 0)) continue;
            int64_t *s = shapes + n * (FG_MAX_DIMS + 1);
            size_t sl = 0;
            for (int i = 0; i < cfg->ndim; i++) s[sl++] = cfg->shape[i];
            if (cfg->op == FGI_OP_mm || cfg->op == FGI_OP_bmm) s[sl++] = cfg->n;
            bl[n] = (fgi_meta_baseline){dev,
                                        s,
                                        sl,
                                        fgi_dtype_name(cfg->dtype),
                                        br->median_ns / kr->median_ns,
                                        (double)(kr->workspace_bytes - br->workspace_bytes) / (1 << 20),
                                        r->cands[b]->id,
                                        NULL};
            n++;
        }
    }
    fgi_meta_performance_result perf = {bl, n, -1, r->timestamp};
    fgi_meta_validation_result res = {NULL, &perf};
    fg_status st = n ? fgi_meta_update_validation_status(store, r->cands[j]->id, &res) : FG_OK;
    free(bl);
    free(shapes);
    return st;
}

static void print_rows(const cli_ctx *ctx, cli_table *t, const fgi_perf_report *r)
{
    for (size_t c = 0; c < r->nconfig; c++) {
        const fgi_perf_result *kr = &r->results[c * (size_t)r->ncand];
        char cfg[160], med[32], gb[32], sp[32], bmed[32];
        fgi_perf_config_str(&r->configs[c], cfg, sizeof cfg);
        snprintf(med, sizeof med, kr->status == FG_OK ? "%.2f" : "-", kr->median_ns / 1e3);
        snprintf(gb, sizeof gb, kr->status == FG_OK ? "%.1f" : "-", kr->gbps);
        for (int b = 1; b < r->ncand; b++) {
            const fgi_perf_result *br = &r->results[c * (size_t)r->ncand + (size_t)b];
            int both = kr->status == FG_OK && br->status == FG_OK && kr->median_ns > 0;
            snprintf(bmed, sizeof bmed, br->status == FG_OK ? "%.2f" : "-", br->median_ns / 1e3);
            cli_speedup(both ? br->median_ns / kr->median_ns : 0, sp, sizeof sp);
            const char *row[8] = {r->cands[0]->id, cfg, fgi_dtype_name(r->configs[c].dtype),
                                  med, gb, r->cands[b]->id, bmed, sp};
            cli_table_row(t, row);
        }
    }
    (void)ctx;
}

static json_t *summary_json(const fgi_perf_report *r, int recorded_meta)
{
    json_t *vs = json_array();
    for (int b = 1; b < r->ncand; b++)
        json_array_append_new(vs, json_pack("{s:s, s:f, s:f, s:f, s:f, s:i}", "baseline",
                                            r->cands[b]->id, "mean", r->speedup[b].mean,
                                            "geomean", r->speedup[b].geomean, "min",
                                            r->speedup[b].min, "max", r->speedup[b].max,
                                            "configs", r->speedup[b].configs));
    char *full = NULL;
    json_t *detail = NULL;
    if (fgi_perf_render_json(r, &full) == FG_OK) detail = json_loads(full, 0, NULL);
    free(full);
    return json_pack("{s:s, s:o, s:I, s:b, s:o}", "kernel_id", r->cands[0]->id, "speedup", vs,
                     "perfdb_rows", (json_int_t)r->recorded, "metadata_recorded", recorded_meta,
                     "report", detail ? detail : json_null());
}

static int run_benchmark(cli_ctx *ctx, const cli_args *a)
{
    const fgi_kernel **ks;
    size_t nk;
    int rc = cli_select_kernels(ctx, a, &ks, &nk);
    if (rc) return rc;
    unsigned dtypes = 0;
    fgi_perf_options opt;
    fgi_perf_options_default(&opt);
    const char *v;
    fgi_meta_store *store = NULL;
    json_t *out = json_array();
    cli_table t;
    static const char *const h[] = {"KERNEL",   "CONFIG",        "DTYPE",   "MEDIAN US",
                                    "GB/S",     "BASELINE",      "BASE US", "SPEEDUP"};
    cli_table_init(&t, 8, h);
    if ((v = cli_opt(a, "device")) && strcmp(v, "cpu") != 0) {
        rc = cli_usage(ctx, "this build measures on the CPU: --device cpu",
                       "device '%s' is not available in this build", v);
        goto done;
    }
    if ((rc = cli_parse_dtypes(ctx, cli_opt(a, "dtype"), &dtypes))) goto done;
    if ((v = cli_opt(a, "budget"))) {
        char *end;
        opt.budget_ms = strtod(v, &end);
        if (*end || !(opt.budget_ms > 0) || opt.budget_ms > 600000) {
            rc = cli_usage(ctx, "milliseconds per config, e.g. --budget 50", "bad --budget '%s'", v);
            goto done;
        }
    }
    opt.record = cli_flag(a, "record");
    if (opt.record && (rc = cli_open_metadata(ctx, 1, 0, &store))) goto done;

    for (size_t i = 0; i < nk && rc == CLI_OK; i++) {
        cli_progress(ctx, i, nk, ks[i]->id);
        fgi_perf_config *cfgs = NULL;
        size_t ncfg = 0;
        fg_status st;
        if ((v = cli_opt(a, "shape"))) {
            char *json = NULL;
            if ((rc = shape_configs(ctx, ks[i], v, dtypes, &json))) break;
            st = fgi_perf_parse_configs(ks[i]->op, json, &cfgs, &ncfg);
            free(json);
        } else {
            st = fgi_perf_default_configs(ks[i]->op, &cfgs, &ncfg);
            size_t keep = 0;
            for (size_t c = 0; st == FG_OK && c < ncfg; c++)
                if (!dtypes || (dtypes & (1u << cfgs[c].dtype))) cfgs[keep++] = cfgs[c];
            ncfg = keep;
        }
        /* Configs the kernel never takes (its dtypes) are left out. */
        size_t keep = 0;
        for (size_t c = 0; st == FG_OK && c < ncfg; c++)
            if (ks[i]->dtypes & (1u << cfgs[c].dtype)) cfgs[keep++] = cfgs[c];
        ncfg = keep;
        fgi_perf_report *r = NULL;
        if (st == FG_OK && ncfg == 0) {
            cli_warn(ctx, "%s: no configuration in its dtypes: skipped", ks[i]->id);
            free(cfgs);
            continue;
        }
        if (st == FG_OK) st = fgi_perf_benchmark(ks[i], NULL, 0, cfgs, ncfg, &opt, &r);
        free(cfgs);
        if (st != FG_OK) {
            rc = cli_lib_error(ctx, st, 1, NULL, "benchmark could not run");
            break;
        }
        int meta = 0;
        if (store) {
            const fgi_meta_op *op;
            st = fgi_meta_get_op(store, ks[i]->id, &op);
            if (st == FG_OK) {
                fgi_meta_op_release(op);
                st = cli_record_baselines(store, r, 0);
                meta = st == FG_OK;
            } else if (st == FG_ERR_NOT_FOUND) {
                cli_warn(ctx, "%s is not in %s: baselines not recorded", ks[i]->id, ctx->metadata);
                st = FG_OK;
            }
            if (st != FG_OK) rc = cli_lib_error(ctx, st, 0, NULL, "cannot record the baselines");
        }
        const char *dir = cli_opt(a, "report-dir");
        if (rc == CLI_OK && dir) {
            char *md = NULL, *js = NULL;
            if (fgi_perf_render_markdown(r, &md) != FG_OK || fgi_perf_render_json(r, &js) != FG_OK)
                rc = cli_lib_error(ctx, FG_ERR_NO_MEMORY, 0, NULL, "cannot render the report");
            else rc = cli_write_report_pair(ctx, dir, ks[i]->id, ".performance", md, js);
            free(md);
            free(js);
        }
        print_rows(ctx, &t, r);
        json_array_append_new(out, summary_json(r, meta));
        fgi_perf_report_free(r);
    }
    cli_progress(ctx, nk, nk, NULL);
    if (rc == CLI_OK) {
        if (ctx->format == CLI_JSON) {
            cli_print_json(json_pack("{s:O}", "kernels", out));
        } else {
            cli_table_print(&t, ctx->format, stdout);
            printf("\n");
            size_t i;
            json_t *k;
            json_array_foreach(out, i, k)
            {
                size_t j;
                json_t *s;
                json_array_foreach(json_object_get(k, "speedup"), j, s)
                printf("%s vs %s: mean %.2fx, geomean %.2fx (min %.2fx, max %.2fx) over %d "
                       "configs\n",
                       json_string_value(json_object_get(k, "kernel_id")),
                       json_string_value(json_object_get(s, "baseline")),
                       json_real_value(json_object_get(s, "mean")),
                       json_real_value(json_object_get(s, "geomean")),
                       json_real_value(json_object_get(s, "min")),
                       json_real_value(json_object_get(s, "max")),
                       (int)json_integer_value(json_object_get(s, "configs")));
            }
        }
    }
done:
    cli_table_free(&t);
    json_decref(out);
    fgi_meta_close(store);
    free(ks);
    return rc;
}

static const cli_opt_spec k_opts[] = {{"all", CLI_FLAG},     {"device", CLI_VALUE},
                                      {"dtype", CLI_VALUE},  {"shape", CLI_VALUE},
                                      {"budget", CLI_VALUE}, {"record", CLI_FLAG},
                                      {"report-dir", CLI_VALUE}, {NULL, 0}};

const cli_cmd cli_cmd_benchmark = {
    "benchmark",
    "time kernels against the stable and reference kernels",
    "benchmark <op|kernel|--all> [--device cpu] [--dtype T] [--shape S] [--budget MS]\n"
    "          [--record] [--report-dir DIR]",
    "Runs the performance tool: each kernel against its op's stable kernel (the\n"
    "one the dispatcher picks on this CPU) and reference kernel, interleaved\n"
    "round by round, over the op's default LLM-sized shapes or --shape, and prints\n"
    "the median time, GB/s and speedup (baseline median / kernel median) per\n"
    "config, and the mean and geometric mean per baseline.\n"
    "  --dtype T         float32, float16, bfloat16 (comma-separated; default all)\n"
    "  --shape S         one shape, e.g. 4096x4096 (mm: MxKxN, bmm: BxMxKxN)\n"
    "  --budget MS       time per config (default 100)\n"
    "  --record          add the timings to the performance database and the\n"
    "                    speedups to the metadata file's baselines\n"
    "  --report-dir DIR  write DIR/<kernel>.performance.md and .json",
    k_opts,
    0,
    1,
    0,
    run_benchmark,
};
