/* flag-gems-exp pipeline: the experimental-ops pipeline on this machine
 * (`make run`). For every experimental kernel of this build: validate it,
 * benchmark it against its op's stable and reference kernels with a short
 * budget, find the shapes on which the dispatcher chooses it; record all of
 * it into a working copy of the metadata (and the performance database);
 * check graduation; write report.md and report.html; print a summary. */
#define FG_EXPERIMENTAL_API
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/cpu.h"
#include "core/dtype.h"
#include "experimental/graduation/graduation.h"
#include "experimental/testing/accuracy.h"
#include "experimental/testing/performance.h"
#include "flaggems/experimental.h"

#ifndef FGX_SOURCE_DIR
#define FGX_SOURCE_DIR "."
#endif

typedef struct row {
    const fgi_kernel *k;
    int unavailable;       /* this CPU lacks the instructions it needs: not run */
    int acc_ok;
    int64_t acc_passed, acc_cases;
    double sp_min, sp_max; /* vs the stable kernel (else the reference) over configs */
    int vs_reference;      /* the op has no stable kernel */
    struct {
        char cfg[96];      /* config without dtype */
        unsigned dtypes;   /* FGI_DTYPE_BIT mask */
    } chosen[16];          /* configs on which the dispatcher picks it */
    int n_shapes, n_chosen, n_configs;
    const fgi_grad_kernel_result *grad;
} row;

/* ---------------------------------------------------------------- dispatcher probe */

static void fill(DLTensor *t, void *data, int ndim, const int64_t *shape, fgi_dtype dt)
{
    memset(t, 0, sizeof *t);
    t->data = data;
    t->device.device_type = kDLCPU;
    t->ndim = ndim;
    t->dtype.code = dt == FGI_BF16 ? kDLBfloat : kDLFloat;
    t->dtype.bits = dt == FGI_F32 ? 32 : 16;
    t->dtype.lanes = 1;
    t->shape = (int64_t *)shape;
}

static void *random_buffer(int64_t n, fgi_dtype dt, unsigned *seed)
{
    size_t es = dt == FGI_F32 ? 4 : 2;
    void *p = malloc((size_t)(n > 0 ? n : 1) * es);
    for (int64_t i = 0; p && i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        double v = ((*seed >> 8) & 0xFFFF) / 16384.0 - 2.0;
        fgi_store_f64((char *)p + (size_t)i * es, dt, v);
    }
    return p;
}

static int64_t numel(int ndim, const int64_t *s)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= s[i];
    return n;
}

/* Runs config c through the public entry point (experimental kernels on)
 * and returns the id of the kernel that served it; "" on failure. The
 * first call decides (profiling the candidates), the second is served from
 * the decision. */
static const char *dispatch_choice(const fgi_perf_config *c)
{
    unsigned seed = 12345;
    fgi_dtype dt = c->dtype;
    int64_t xs[FG_MAX_DIMS], bs[FG_MAX_DIMS], os[FG_MAX_DIMS], ws[1];
    int nd = c->ndim, ond = nd;
    memcpy(xs, c->shape, sizeof xs);
    memcpy(os, c->shape, sizeof os);
    memcpy(bs, c->shape, sizeof bs);
    if (c->op == FGI_OP_mm || c->op == FGI_OP_bmm) {
        bs[nd - 2] = xs[nd - 1];
        bs[nd - 1] = c->n;
        os[nd - 1] = c->n;
    } else if (c->op == FGI_OP_sum || c->op == FGI_OP_mean || c->op == FGI_OP_amax) {
        ond = 0;
        for (int i = 0; c->dim != FG_DIM_ALL && i < nd; i++)
            if (i != (c->dim < 0 ? c->dim + nd : c->dim)) os[ond++] = xs[i];
    }
    ws[0] = xs[nd - 1];
    void *x = random_buffer(numel(nd, xs), dt, &seed);
    void *b = random_buffer(numel(nd, bs), dt, &seed);
    void *w = random_buffer(ws[0], dt, &seed);
    void *bias = random_buffer(ws[0], dt, &seed);
    void *o = random_buffer(numel(ond, os), dt, &seed);
    const char *served = "";
    if (x && b && w && bias && o) {
        DLTensor tx, tb, tw, tbias, to;
        fill(&tx, x, nd, xs, dt);
        fill(&tb, b, nd, bs, dt);
        fill(&tw, w, 1, ws, dt);
        fill(&tbias, bias, 1, ws, dt);
        fill(&to, o, ond, os, dt);
        for (int rep = 0; rep < 2; rep++) {
            fg_status st = FG_ERR_UNSUPPORTED;
            switch (c->op) {
            case FGI_OP_add: st = fg_add(&to, &tx, &tb, 1.0); break;
            case FGI_OP_mul: st = fg_mul(&to, &tx, &tb); break;
            case FGI_OP_relu: st = fg_relu(&to, &tx); break;
            case FGI_OP_gelu: st = fg_gelu(&to, &tx, (fg_gelu_approx)c->approx); break;
            case FGI_OP_silu: st = fg_silu(&to, &tx); break;
            case FGI_OP_exp: st = fg_exp(&to, &tx); break;
            case FGI_OP_fast_gelu: st = fg_exp_fast_gelu(&to, &tx); break;
            case FGI_OP_sum: st = fg_sum(&to, &tx, c->dim, 0); break;
            case FGI_OP_mean: st = fg_mean(&to, &tx, c->dim, 0); break;
            case FGI_OP_amax: st = fg_amax(&to, &tx, c->dim, 0); break;
            case FGI_OP_softmax: st = fg_softmax(&to, &tx, c->dim); break;
            case FGI_OP_layer_norm:
                st = fg_layer_norm(&to, &tx, c->weight ? &tw : NULL, c->bias ? &tbias : NULL, 1e-5);
                break;
            case FGI_OP_rms_norm: st = fg_rms_norm(&to, &tx, c->weight ? &tw : NULL, 1e-6); break;
            case FGI_OP_mm: st = fg_mm(&to, &tx, &tb); break;
            case FGI_OP_bmm: st = fg_bmm(&to, &tx, &tb); break;
            default: break;
            }
            served = st == FG_OK ? fg_last_kernel() : "";
        }
    }
    free(x);
    free(b);
    free(w);
    free(bias);
    free(o);
    return served;
}

/* ---------------------------------------------------------------- steps */

static int copy_file(const cli_ctx *ctx, const char *from, const char *to, int required)
{
    char *data = NULL, why[512];
    size_t len = 0;
    if (cli_read_file(from, FGI_META_MAX_FILE_BYTES, &data, &len, why, sizeof why) < 0) {
        if (!required && errno == ENOENT) return CLI_OK;
        return cli_fail(ctx, "pass --metadata FILE", "cannot read '%s': %s", from, why);
    }
    int rc = cli_write_file(to, data, len, why, sizeof why) < 0 ? cli_fail(ctx, NULL, "%s", why)
                                                                : CLI_OK;
    free(data);
    return rc;
}

static int validate_one(const cli_ctx *ctx, fgi_meta_store *store, row *r)
{
    fgi_acc_report *rep = NULL;
    fg_status st = fgi_acc_validate_id(r->k->id, FGI_ACC_TIER_DEFAULT, 0, NULL, NULL, &rep);
    if (st != FG_OK) return cli_lib_error(ctx, st, 0, NULL, "validation could not run");
    r->acc_ok = rep->ok;
    r->acc_passed = rep->passed;
    r->acc_cases = rep->passed + rep->failed;
    const fgi_meta_op *op;
    st = fgi_meta_get_op(store, r->k->id, &op);
    if (st == FG_OK) {
        fgi_meta_op_release(op);
        st = fgi_acc_record(store, r->k->id, rep);
        if (st == FG_OK && rep->ok) st = cli_add_tested_device(store, r->k->id);
    } else if (st == FG_ERR_NOT_FOUND) {
        cli_warn(ctx, "%s has no metadata entry: results not recorded", r->k->id);
        st = FG_OK;
    }
    fgi_acc_report_free(rep);
    return st == FG_OK ? CLI_OK : cli_lib_error(ctx, st, 0, NULL, "cannot record accuracy");
}

/* Benchmarks the experimental kernels rows[0..n) (one op, at most
 * FGI_PERF_MAX_CANDS minus the baselines) in one interleaved run against
 * the op's stable and reference kernels, records each one's baselines, and
 * asks the dispatcher which kernel it picks on each config. */
static int benchmark_group(const cli_ctx *ctx, fgi_meta_store *store, row *rows, int n,
                           const fgi_kernel *const *base, int nbase, double budget)
{
    fgi_perf_options opt;
    fgi_perf_options_default(&opt);
    opt.budget_ms = budget;
    opt.warmup = 1;
    opt.repeat = 5;
    opt.target_noise = 0.03;
    opt.record = 1;
    const fgi_kernel *others[FGI_PERF_MAX_CANDS];
    int no = 0;
    unsigned dtypes = 0;
    for (int j = 0; j < n; j++) {
        dtypes |= rows[j].k->dtypes;
        if (j) others[no++] = rows[j].k;
    }
    for (int b = 0; b < nbase; b++) others[no++] = base[b];
    fgi_perf_config *cfgs = NULL;
    size_t nc = 0, keep = 0;
    fg_status st = fgi_perf_default_configs(rows[0].k->op, &cfgs, &nc);
    for (size_t c = 0; st == FG_OK && c < nc; c++)
        if (dtypes & FGI_DTYPE_BIT(cfgs[c].dtype)) cfgs[keep++] = cfgs[c];
    fgi_perf_report *rep = NULL;
    if (st == FG_OK && keep) st = fgi_perf_benchmark(rows[0].k, others, no, cfgs, keep, &opt, &rep);
    free(cfgs);
    if (st != FG_OK) return cli_lib_error(ctx, st, 0, NULL, "benchmark could not run");
    if (!rep) return CLI_OK;
    /* Candidate j is rows[j]; the baselines follow. The speedup range of a
     * kernel is over its op's stable kernel, else the reference. */
    int ref = -1;
    for (int b = n; b < rep->ncand; b++)
        if (ref < 0 || (rep->cands[b]->tier == FGI_TIER_STABLE && rep->cands[ref]->tier != FGI_TIER_STABLE))
            ref = b;
    for (int j = 0; j < n && st == FG_OK; j++) {
        row *r = &rows[j];
        for (size_t c = 0; ref > 0 && c < rep->nconfig; c++) {
            const fgi_perf_result *kr = &rep->results[c * (size_t)rep->ncand + (size_t)j];
            const fgi_perf_result *br = &rep->results[c * (size_t)rep->ncand + (size_t)ref];
            if (kr->status != FG_OK || br->status != FG_OK || !(kr->median_ns > 0)) continue;
            double sp = br->median_ns / kr->median_ns;
            if (r->sp_max == 0 || sp < r->sp_min) r->sp_min = sp;
            if (sp > r->sp_max) r->sp_max = sp;
            r->vs_reference = rep->cands[ref]->tier != FGI_TIER_STABLE;
        }
        const fgi_meta_op *op;
        st = fgi_meta_get_op(store, r->k->id, &op);
        if (st == FG_OK) {
            fgi_meta_op_release(op);
            st = cli_record_baselines(store, rep, j);
        } else if (st == FG_ERR_NOT_FOUND) {
            st = FG_OK;
        }
    }
    /* The dispatcher's choice on each config, credited to the kernel chosen. */
    for (size_t c = 0; c < rep->nconfig; c++) {
        const char *chosen = dispatch_choice(&rep->configs[c]);
        char cfg[96];
        fgi_perf_config_str(&rep->configs[c], cfg, sizeof cfg);
        for (int j = 0; j < n; j++) {
            row *r = &rows[j];
            if (rep->results[c * (size_t)rep->ncand + (size_t)j].status != FG_OK) continue;
            r->n_configs++;
            if (strcmp(chosen, r->k->id) != 0) continue;
            int s = 0;
            while (s < r->n_shapes && strcmp(r->chosen[s].cfg, cfg) != 0) s++;
            if (s == r->n_shapes && s < 16) snprintf(r->chosen[r->n_shapes++].cfg, sizeof cfg, "%s", cfg);
            if (s < 16) r->chosen[s].dtypes |= FGI_DTYPE_BIT(rep->configs[c].dtype);
            r->n_chosen++;
        }
    }
    fgi_perf_report_free(rep);
    return st == FG_OK ? CLI_OK : cli_lib_error(ctx, st, 0, NULL, "cannot record baselines");
}

/* Every op's experimental kernels, benchmarked in groups. rows are
 * reordered so that each op's kernels are adjacent (registry order kept
 * within an op). */
static int benchmark_all(const cli_ctx *ctx, fgi_meta_store *store, row *rows, size_t n, double budget)
{
    size_t done = 0;
    int rc = CLI_OK;
    while (done < n && rc == CLI_OK) {
        if (rows[done].unavailable) {
            done++;
            continue;
        }
        /* Gather the kernels of rows[done]'s op right after it. */
        size_t end = done + 1;
        for (size_t i = end; i < n; i++)
            if (rows[i].k->op == rows[done].k->op && !rows[i].unavailable) {
                row t = rows[i];
                memmove(&rows[end + 1], &rows[end], (i - end) * sizeof *rows);
                rows[end++] = t;
            }
        const fgi_kernel *base[FGI_PERF_MAX_CANDS];
        int nbase = fgi_perf_default_baselines(rows[done].k, base, 2);
        int per = FGI_PERF_MAX_CANDS - nbase;
        for (size_t g = done; g < end && rc == CLI_OK; g += (size_t)per) {
            int cnt = (int)(end - g < (size_t)per ? end - g : (size_t)per);
            cli_progress(ctx, g, n, rows[g].k->id);
            rc = benchmark_group(ctx, store, &rows[g], cnt, base, nbase, budget);
        }
        done = end;
    }
    cli_progress(ctx, n, n, NULL);
    return rc;
}

/* ---------------------------------------------------------------- output */

static void row_cells(const row *r, char cells[7][600])
{
    snprintf(cells[0], 600, "%s", r->k->id);
    snprintf(cells[1], 600, "%s", r->grad ? fgi_meta_status_name(r->grad->status_after) : "-");
    if (r->unavailable) snprintf(cells[2], 600, "not run (this CPU lacks its ISA)");
    else snprintf(cells[2], 600, "%s %lld/%lld", r->acc_ok ? "pass" : "FAIL", (long long)r->acc_passed,
                  (long long)r->acc_cases);
    if (r->sp_max > 0)
        snprintf(cells[3], 600, "%.2f-%.2fx%s", r->sp_min, r->sp_max, r->vs_reference ? " (vs reference)" : "");
    else snprintf(cells[3], 600, "-");
    /* "3/9: [1,4096] f32 f16 bf16; [512,768] f32" */
    size_t l = (size_t)snprintf(cells[4], 600, "%d/%d", r->n_chosen, r->n_configs);
    for (int j = 0; j < r->n_shapes && l < 600; j++) {
        unsigned m = r->chosen[j].dtypes;
        l += (size_t)snprintf(cells[4] + l, 600 - l, "%s%s%s%s%s", j ? "; " : ": ", r->chosen[j].cfg,
                              m & 1u ? " f32" : "", m & 2u ? " f16" : "", m & 4u ? " bf16" : "");
    }
    snprintf(cells[5], 600, "%.2f", r->grad ? r->grad->report.score : 0.0);
    /* The failed checks by name; the reports have the details. */
    if (r->grad) cli_failed_checks(&r->grad->report, cells[6], 600);
    else snprintf(cells[6], 600, "-");
}

static const char *const k_heads[] = {"KERNEL", "STATUS", "ACCURACY", "SPEEDUP VS STABLE",
                                      "DISPATCHER CHOOSES IT", "SCORE", "BLOCKING"};

static void table_of(const row *rows, size_t n, cli_table *t)
{
    cli_table_init(t, 7, k_heads);
    for (size_t i = 0; i < n; i++) {
        char cells[7][600];
        row_cells(&rows[i], cells);
        const char *p[7] = {cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]};
        cli_table_row(t, p);
    }
}

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

/* report.md: the pipeline's summary, then the metadata report. report.html:
 * the metadata report's page with the summary inserted after <body>. */
static int write_reports(const cli_ctx *ctx, fgi_meta_store *store, const char *out, const row *rows,
                         size_t n, const char *header)
{
    char *md = NULL, *html = NULL, *sum = NULL, *mid = NULL;
    size_t md_len = 0, html_len = 0, sum_len = 0, mid_len = 0;
    fg_status st = fgi_meta_export_report(store, NULL, 0, FGI_META_FORMAT_MARKDOWN, &md, &md_len);
    if (st == FG_OK) st = fgi_meta_export_report(store, NULL, 0, FGI_META_FORMAT_HTML, &html, &html_len);
    if (st != FG_OK) return cli_lib_error(ctx, st, 0, NULL, "cannot build the report");
    int rc = CLI_OK;
    cli_table t;
    table_of(rows, n, &t);
    FILE *f = open_memstream(&sum, &sum_len);
    if (f) {
        fprintf(f, "# Experimental-ops pipeline\n\n%s\n\n", header);
        cli_table_print(&t, CLI_MD, f);
        fputs("\n", f);
        fwrite(md, 1, md_len, f);
        fclose(f);
    }
    FILE *g = open_memstream(&mid, &mid_len);
    if (g) {
        fputs("<section><h1>Experimental-ops pipeline</h1><p>", g);
        html_escape(g, header);
        fputs("</p><table><thead><tr>", g);
        for (int c = 0; c < 7; c++) {
            fputs("<th>", g);
            html_escape(g, k_heads[c]);
            fputs("</th>", g);
        }
        fputs("</tr></thead><tbody>\n", g);
        for (size_t i = 0; i < n; i++) {
            char cells[7][600];
            row_cells(&rows[i], cells);
            fputs("<tr>", g);
            for (int c = 0; c < 7; c++) {
                fputs("<td>", g);
                html_escape(g, cells[c]);
                fputs("</td>", g);
            }
            fputs("</tr>\n", g);
        }
        fputs("</tbody></table></section>\n", g);
        fclose(g);
    }
    cli_table_free(&t);
    char path[4096], why[512];
    if (!sum || !mid) rc = cli_fail(ctx, NULL, "out of memory");
    snprintf(path, sizeof path, "%s/report.md", out);
    if (rc == CLI_OK && cli_write_file(path, sum, sum_len, why, sizeof why) < 0)
        rc = cli_fail(ctx, NULL, "%s", why);
    if (rc == CLI_OK) {
        char *body = strstr(html, "<body>");
        size_t at = body ? (size_t)(body - html) + 6 : 0;
        char *page = malloc(html_len + mid_len + 1);
        if (!page) rc = cli_fail(ctx, NULL, "out of memory");
        else {
            memcpy(page, html, at);
            memcpy(page + at, mid, mid_len);
            memcpy(page + at + mid_len, html + at, html_len - at);
            snprintf(path, sizeof path, "%s/report.html", out);
            if (cli_write_file(path, page, html_len + mid_len, why, sizeof why) < 0)
                rc = cli_fail(ctx, NULL, "%s", why);
            free(page);
        }
    }
    free(sum);
    free(mid);
    fgi_meta_free(md);
    fgi_meta_free(html);
    return rc;
}

/* ---------------------------------------------------------------- command */

static int run_pipeline(cli_ctx *ctx, const cli_args *a)
{
    const char *out = cli_opt(a, "out") ? cli_opt(a, "out") : "build/report";
    double budget = 10;
    const char *v = cli_opt(a, "budget");
    if (v) {
        char *end;
        budget = strtod(v, &end);
        if (*end || !(budget > 0) || budget > 10000)
            return cli_usage(ctx, "milliseconds per config, e.g. --budget 10", "bad --budget '%s'", v);
    }
    if (mkdir(out, 0755) < 0 && errno != EEXIST)
        return cli_fail(ctx, "check the parent folder exists", "cannot create '%s': %s", out,
                        strerror(errno));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    /* Working copies: the source tree's files are never written. */
    char meta[4096], tracker[4096], drafts[4096], src_tracker[4096];
    snprintf(meta, sizeof meta, "%s/_metadata.json", out);
    snprintf(tracker, sizeof tracker, "%s/tracker.json", out);
    snprintf(drafts, sizeof drafts, "%s/issues", out);
    snprintf(src_tracker, sizeof src_tracker, "%s/src/experimental/graduation/tracker.json",
             FGX_SOURCE_DIR);
    int rc = copy_file(ctx, ctx->metadata, meta, 1);
    if (!rc) rc = copy_file(ctx, src_tracker, tracker, 0);
    if (rc) return rc;
    if (mkdir(drafts, 0755) < 0 && errno != EEXIST)
        return cli_fail(ctx, NULL, "cannot create '%s': %s", drafts, strerror(errno));
    cli_ctx work = *ctx;
    work.metadata = meta;
    fgi_meta_store *store;
    if ((rc = cli_open_metadata(&work, 1, 0, &store))) return rc;

    /* Every experimental kernel, or those of --op. */
    cli_args all;
    memset(&all, 0, sizeof all);
    if (cli_opt(a, "op")) {
        all.pos[0] = cli_opt(a, "op");
        all.npos = 1;
    } else {
        all.opt[0].name = "all";
        all.nopt = 1;
    }
    const fgi_kernel **ks = NULL;
    size_t nk = 0;
    if ((rc = cli_select_kernels(ctx, &all, &ks, &nk))) {
        fgi_meta_close(store);
        return rc;
    }
    row *rows = calloc(nk, sizeof *rows);
    if (!rows) rc = cli_fail(ctx, NULL, "out of memory");
    /* Experimental kernels on, as a user enables them; profiling decides. */
    fg_status st = fg_exp_enable(0, 1, 0, "{\"profiling_warmup\": 1, \"profiling_repeat\": 5}");
    if (!rc && st != FG_OK) rc = cli_lib_error(ctx, st, 0, NULL, "cannot enable experimental kernels");
    for (size_t i = 0; rc == CLI_OK && i < nk; i++) {
        rows[i].k = ks[i];
        rows[i].unavailable = (ks[i]->isa & ~fgi_cpu_features()) != 0;
        cli_progress(ctx, i, nk, ks[i]->id);
        if (!rows[i].unavailable) rc = validate_one(ctx, store, &rows[i]);
    }
    cli_progress(ctx, nk, nk, NULL);
    if (rc == CLI_OK) rc = benchmark_all(ctx, store, rows, nk, budget);
    fgi_meta_close(store);
    store = NULL;

    fgi_grad_check_result *gr = NULL;
    if (rc == CLI_OK) {
        fgi_grad_check_options o;
        memset(&o, 0, sizeof o);
        o.metadata_path = meta;
        o.tracker_path = tracker;
        o.drafts_dir = drafts;
        st = fgi_grad_check_run(&o, &gr);
        if (st != FG_OK) rc = cli_lib_error(ctx, st, 0, NULL, "graduation check failed");
    }
    for (size_t i = 0; gr && i < nk; i++)
        for (size_t j = 0; j < gr->n_kernels; j++)
            if (strcmp(gr->kernels[j].report.kernel_id, rows[i].k->id) == 0) rows[i].grad = &gr->kernels[j];

    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    char machine[200], header[4800];
    fgi_machine_describe(machine, sizeof machine);
    size_t ran = 0;
    for (size_t i = 0; rows && i < nk; i++) ran += !rows[i].unavailable;
    snprintf(header, sizeof header,
             "libflaggems %s on %s: %zu experimental kernels validated and benchmarked (budget %g ms "
             "per config; %zu more need instructions this CPU lacks) in %.0f s; working metadata %s",
             fg_version(), machine, ran, budget, nk - ran, secs, meta);
    if (rc == CLI_OK) {
        cli_ctx rep = *ctx;
        rep.metadata = meta;
        if ((rc = cli_open_metadata(&rep, 0, 0, &store)) == CLI_OK)
            rc = write_reports(ctx, store, out, rows, nk, header);
        fgi_meta_close(store);
    }
    if (rc == CLI_OK) {
        if (ctx->format == CLI_JSON) {
            json_t *arr = json_array();
            for (size_t i = 0; i < nk; i++) {
                char cells[7][600];
                row_cells(&rows[i], cells);
                json_array_append_new(
                    arr, json_pack("{s:s, s:s, s:b, s:I, s:I, s:o, s:o, s:i, s:i, s:s, s:f, s:b, s:s}",
                                   "kernel_id", cells[0], "status", cells[1], "accuracy_passed",
                                   rows[i].acc_ok, "cases_passed", (json_int_t)rows[i].acc_passed,
                                   "cases", (json_int_t)rows[i].acc_cases, "speedup_min",
                                   rows[i].sp_max > 0 ? json_real(rows[i].sp_min) : json_null(),
                                   "speedup_max",
                                   rows[i].sp_max > 0 ? json_real(rows[i].sp_max) : json_null(),
                                   "configs", rows[i].n_configs, "dispatcher_chooses",
                                   rows[i].n_chosen, "chosen_on", cells[4], "score",
                                   rows[i].grad ? rows[i].grad->report.score : 0.0, "eligible",
                                   rows[i].grad && rows[i].grad->report.eligible, "blockers",
                                   cells[6]));
            }
            cli_print_json(json_pack("{s:o, s:s, s:f, s:s}", "kernels", arr, "report_dir", out,
                                     "seconds", secs, "machine", machine));
        } else {
            cli_table t;
            table_of(rows, nk, &t);
            cli_table_print(&t, ctx->format, stdout);
            cli_table_free(&t);
            printf("\n%s\nreports: %s/report.md, %s/report.html\n", header, out, out);
        }
    }
    fgi_grad_check_result_free(gr);
    free(rows);
    free(ks);
    return rc;
}

static const cli_opt_spec k_opts[] = {{"out", CLI_VALUE}, {"budget", CLI_VALUE}, {"op", CLI_VALUE},
                                      {NULL, 0}};

const cli_cmd cli_cmd_pipeline = {
    "pipeline",
    "validate, benchmark and check every experimental kernel; write reports",
    "pipeline [--out DIR] [--budget MS] [--op NAME]",
    "The main job (make run): every experimental kernel of this build is\n"
    "validated, benchmarked against its op's stable and reference kernels with a\n"
    "short budget, and run through the dispatcher (experimental kernels enabled)\n"
    "on each benchmark shape to see where it is chosen; the results go into a\n"
    "working copy of the metadata (DIR/_metadata.json, copied from --metadata)\n"
    "and the performance database; graduation is checked (DIR/tracker.json,\n"
    "issue drafts in DIR/issues); DIR/report.md and DIR/report.html are written\n"
    "and a summary table printed. The source tree is not modified.\n"
    "  --out DIR     where the reports and working copies go (default build/report)\n"
    "  --budget MS   benchmark time per config (default 10)\n"
    "  --op NAME     only the experimental kernels of one op",
    k_opts,
    0,
    0,
    0,
    run_pipeline,
};
