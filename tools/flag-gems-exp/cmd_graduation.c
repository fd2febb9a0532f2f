/* flag-gems-exp check-graduation and propose-graduation: the graduation
 * checker and proposer (src/experimental/graduation/graduation.h). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "experimental/graduation/graduation.h"

#ifndef FGX_SOURCE_DIR
#define FGX_SOURCE_DIR "."
#endif

/* The tracker beside a metadata file named on the command line, else the
 * project's. */
static void default_tracker(const cli_ctx *ctx, char *buf, size_t size)
{
    if (!ctx->metadata_given) {
        snprintf(buf, size, "%s/src/experimental/graduation/tracker.json", FGX_SOURCE_DIR);
        return;
    }
    const char *slash = strrchr(ctx->metadata, '/');
    if (!slash) snprintf(buf, size, "tracker.json");
    else snprintf(buf, size, "%.*s/tracker.json", (int)(slash - ctx->metadata), ctx->metadata);
}

static int load_policy(const cli_ctx *ctx, const cli_args *a, fgi_grad_policy *p)
{
    const char *path = cli_opt(a, "policy");
    fgi_grad_policy_default(p);
    if (!path) return CLI_OK;
    fg_status st = fgi_grad_policy_load(path, p);
    return st == FG_OK ? CLI_OK
                       : cli_lib_error(ctx, st, 1, "see docs/experimental/graduation_guide.md",
                                       "bad policy");
}

void cli_failed_checks(const fgi_grad_report *r, char *buf, size_t size)
{
    size_t l = 0;
    buf[0] = '\0';
    for (int c = 0; c < FGI_GRAD_N_CRITERIA && l < size; c++)
        if (!r->checks[c].passed)
            l += (size_t)snprintf(buf + l, size - l, "%s%s", l ? ", " : "",
                                  fgi_grad_criterion_name((fgi_grad_criterion)c));
    if (r->status != FGI_META_VALIDATED && r->status != FGI_META_GRADUATION_CANDIDATE && l < size)
        snprintf(buf + l, size - l, "%sstatus %s", l ? ", " : "", fgi_meta_status_name(r->status));
    if (!buf[0]) snprintf(buf, size, "%s", r->eligible ? "none (eligible)" : "-");
}

static void print_check_table(const cli_ctx *ctx, const fgi_grad_check_result *r)
{
    static const char *const h[] = {"KERNEL", "STATUS", "SCORE", "ELIGIBLE", "ACTION", "BLOCKING"};
    static const char *const actions[] = {"-", "promoted", "demoted", "updated"};
    cli_table t;
    cli_table_init(&t, 6, h);
    size_t failed[FGI_GRAD_N_CRITERIA] = {0};
    for (size_t i = 0; i < r->n_kernels; i++) {
        const fgi_grad_kernel_result *k = &r->kernels[i];
        char score[16], blockers[256];
        snprintf(score, sizeof score, "%.2f", k->report.score);
        cli_failed_checks(&k->report, blockers, sizeof blockers);
        for (int c = 0; c < FGI_GRAD_N_CRITERIA; c++) failed[c] += !k->report.checks[c].passed;
        const char *row[6] = {k->report.kernel_id, fgi_meta_status_name(k->status_after), score,
                              k->report.eligible ? "yes" : "no",
                              actions[k->action <= FGI_GRAD_UPDATED ? k->action : 0],
                              blockers};
        cli_table_row(&t, row);
    }
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);
    printf("%s%zu kernel%s checked, %zu eligible, %zu promoted, %zu demoted, %zu issue draft%s%s\n",
           ctx->format == CLI_MD ? "\n" : "", r->n_kernels, r->n_kernels == 1 ? "" : "s",
           r->n_eligible, r->n_promoted, r->n_demoted, r->n_drafts, r->n_drafts == 1 ? "" : "s",
           r->dry_run ? " (dry run: nothing written)" : "");
    if (r->n_kernels > 1) {
        /* The failed checks, most common first. */
        printf("failed checks:");
        int done[FGI_GRAD_N_CRITERIA] = {0};
        for (int n = 0; n < FGI_GRAD_N_CRITERIA; n++) {
            int best = -1;
            for (int c = 0; c < FGI_GRAD_N_CRITERIA; c++)
                if (!done[c] && (best < 0 || failed[c] > failed[best])) best = c;
            done[best] = 1;
            printf("%s %s %zu", n ? "," : "", fgi_grad_criterion_name((fgi_grad_criterion)best),
                   failed[best]);
        }
        printf("\n");
    }
}

static int run_check(cli_ctx *ctx, const cli_args *a)
{
    int all = cli_flag(a, "all");
    if (all && a->npos)
        return cli_usage(ctx, "give an op or kernel, or --all", "give an op or kernel, or --all, not both");
    fgi_grad_policy policy;
    int rc = load_policy(ctx, a, &policy);
    if (rc) return rc;
    char tracker[4096];
    const char *tr = cli_opt(a, "tracker");
    if (!tr) default_tracker(ctx, tracker, sizeof tracker);
    else snprintf(tracker, sizeof tracker, "%s", tr);
    int update = cli_flag(a, "update-tracker");
    const char *drafts = cli_opt(a, "issue-drafts");
    fgi_grad_check_options o;
    memset(&o, 0, sizeof o);
    o.metadata_path = ctx->metadata;
    o.tracker_path = update ? tracker : NULL;
    o.drafts_dir = drafts;
    o.policy = &policy;
    o.kernel_ids = a->npos ? a->pos : NULL; /* a kernel id or an op name */
    o.n_kernel_ids = (size_t)a->npos;
    o.version = cli_opt(a, "version");
    o.dry_run = !update && !drafts;
    fgi_grad_check_result *r = NULL;
    fg_status st = fgi_grad_check_run(&o, &r);
    if (st != FG_OK)
        return cli_lib_error(ctx, st, 1, "run 'flag-gems-exp list' for the kernel ids",
                             "graduation check failed");
    if (ctx->format == CLI_JSON || ctx->format == CLI_MD) {
        char *text = ctx->format == CLI_JSON ? fgi_grad_check_result_to_json(r)
                                             : fgi_grad_check_result_to_markdown(r);
        if (!text) rc = cli_fail(ctx, NULL, "out of memory");
        else fputs(text, stdout);
        free(text);
    } else {
        print_check_table(ctx, r);
    }
    /* A named kernel or op "fails the check" when nothing in it is eligible. */
    if (rc == CLI_OK && !all && a->npos && r->n_eligible == 0) rc = CLI_FAIL;
    fgi_grad_check_result_free(r);
    return rc;
}

static int run_propose(cli_ctx *ctx, const cli_args *a)
{
    fgi_grad_policy policy;
    int rc = load_policy(ctx, a, &policy);
    if (rc) return rc;
    fgi_grad_propose_options o;
    memset(&o, 0, sizeof o);
    o.repo_path = cli_opt(a, "repo") ? cli_opt(a, "repo") : FGX_SOURCE_DIR;
    o.kernel_id = a->pos[0]; /* a kernel id, or an op name: its one eligible kernel */
    o.policy = &policy;
    o.version = cli_opt(a, "version");
    o.pr_file = cli_opt(a, "pr-file");
    o.dry_run = cli_flag(a, "dry-run");
    fgi_grad_proposal *p = NULL;
    fg_status st = fgi_grad_propose(&o, &p);
    if (st != FG_OK)
        return cli_lib_error(ctx, st, 1,
                             st == FG_ERR_UNSUPPORTED ? "run 'flag-gems-exp check-graduation' for the failed checks"
                             : st == FG_ERR_NOT_FOUND && strstr(fg_last_error(), "metadata")
                                 ? "run 'flag-gems-exp list' for the kernel ids"
                                 : NULL,
                             "cannot propose the graduation");
    char *text = ctx->format == CLI_JSON ? fgi_grad_proposal_to_json(p)
                                         : fgi_grad_proposal_to_markdown(p);
    if (!text) rc = cli_fail(ctx, NULL, "out of memory");
    else fputs(text, stdout);
    free(text);
    fgi_grad_proposal_free(p);
    return rc;
}

static const cli_opt_spec k_check_opts[] = {{"all", CLI_FLAG},        {"update-tracker", CLI_FLAG},
                                            {"issue-drafts", CLI_VALUE}, {"tracker", CLI_VALUE},
                                            {"policy", CLI_VALUE},    {"version", CLI_VALUE},
                                            {NULL, 0}};

const cli_cmd cli_cmd_check_graduation = {
    "check-graduation",
    "judge kernels against the graduation criteria",
    "check-graduation [<op|kernel>|--all] [--update-tracker] [--issue-drafts DIR]\n"
    "                 [--tracker FILE] [--policy FILE] [--version V]",
    "Scores each experimental kernel of the metadata file (one kernel, an op's\n"
    "kernels, or all) on the graduation criteria: stable period 20%, accuracy 30%,\n"
    "performance 25%, multi-hardware 15%, code quality 10%; eligible at 0.85 with\n"
    "no blocking failure. Without --update-tracker or --issue-drafts nothing is\n"
    "written. Exit 1 when the named kernel is not eligible (for an op: when none of\n"
    "its kernels is).\n"
    "  --update-tracker    also apply the result: promote newly eligible kernels to\n"
    "                      GRADUATION_CANDIDATE, demote failing ones, and update\n"
    "                      tracker.json\n"
    "  --issue-drafts DIR  write DIR/<kernel>.md for each newly eligible kernel\n"
    "  --tracker FILE      tracker.json to update (default: beside --metadata, else\n"
    "                      the project's src/experimental/graduation/tracker.json)\n"
    "  --policy FILE       thresholds and weights (graduation_guide.md)\n"
    "  --version V         the release to measure the stable period against",
    k_check_opts,
    0,
    1,
    0,
    run_check,
};

static const cli_opt_spec k_propose_opts[] = {{"dry-run", CLI_FLAG},   {"repo", CLI_VALUE},
                                              {"pr-file", CLI_VALUE},  {"policy", CLI_VALUE},
                                              {"version", CLI_VALUE},  {NULL, 0}};

const cli_cmd cli_cmd_propose_graduation = {
    "propose-graduation",
    "create the graduation branch and PR text of an eligible kernel",
    "propose-graduation <op|kernel> [--dry-run] [--repo DIR] [--pr-file FILE] [--policy FILE]\n"
    "                   [--version V]",
    "For an eligible kernel: creates branch graduation/<op> in the repository,\n"
    "moves the kernel's source and kernels.def line into the stable tier, keeps a\n"
    "deprecated alias for one version, updates metadata and tracker, commits, and\n"
    "writes the PR text (the seed's template with the performance table).\n"
    "  --dry-run        check and print the plan; change nothing\n"
    "  --repo DIR       the repository (default: this source tree)\n"
    "  --pr-file FILE   write the PR title and body there (outside the work tree)\n"
    "  --policy FILE    graduation thresholds and weights\n"
    "  --version V      the graduating version (default: the library's)",
    k_propose_opts,
    1,
    1,
    0,
    run_propose,
};
