/* Renderers of graduation results (JSON and Markdown), the issue draft, the
 * PR text from the seed's template (Task 3.3). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "experimental/graduation/graduation.h"

/* ---------------------------------------------------------------- text buffer */

typedef struct out {
    FILE *f;
    char *buf;
    size_t len;
} out;

static int out_open(out *o)
{
    o->buf = NULL;
    o->len = 0;
    o->f = open_memstream(&o->buf, &o->len);
    return o->f != NULL;
}

static char *out_close(out *o)
{
    if (!o->f) return NULL;
    int bad = ferror(o->f);
    fclose(o->f);
    if (bad) {
        free(o->buf);
        return NULL;
    }
    return o->buf;
}

/* Markdown table cells: no '|' or newline inside. */
static void cell(FILE *f, const char *s)
{
    for (; *s; s++) fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){*s, 0}, f);
}

static char *dump(json_t *j)
{
    if (!j) return NULL;
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
    json_decref(j);
    return s;
}

/* ---------------------------------------------------------------- reports */

static json_t *report_json(const fgi_grad_report *r)
{
    json_t *checks = json_array(), *blockers = json_array();
    for (int i = 0; checks && i < FGI_GRAD_N_CRITERIA; i++) {
        const fgi_grad_check *c = &r->checks[i];
        json_t *recs = json_array();
        for (int k = 0; recs && k < c->n_recommendations; k++)
            json_array_append_new(recs, json_string(c->recommendations[k]));
        json_array_append_new(checks, json_pack("{s:s, s:b, s:f, s:f, s:b, s:s, s:o*}", "name",
                                                fgi_grad_criterion_name(c->criterion), "passed", c->passed,
                                                "score", c->score, "weight", c->weight, "blocking", c->blocking,
                                                "details", c->details, "recommendations", recs));
    }
    for (int i = 0; blockers && i < r->n_blockers; i++) json_array_append_new(blockers, json_string(r->blockers[i]));
    const fgi_grad_facts *f = &r->facts;
    json_t *facts = json_pack("{s:i, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I, s:s}", "versions_elapsed",
                              f->versions_elapsed, "test_cases", (json_int_t)f->test_cases, "distinct_shapes",
                              (json_int_t)f->distinct_shapes, "baselines", (json_int_t)f->n_baselines,
                              "baselines_at_threshold", (json_int_t)f->n_fast_baselines, "speedup_geomean",
                              f->speedup_geomean, "speedup_min", f->speedup_min, "speedup_max", f->speedup_max,
                              "platforms", (json_int_t)f->n_platforms, "platform_list", f->platforms);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:o*, s:o*, s:o*}", "kernel_id", r->kernel_id,
                     "op_name", r->op_name, "op_id", r->op_id, "status", fgi_meta_status_name(r->status),
                     "version", r->current_version, "score", r->score, "eligible", r->eligible, "checks", checks,
                     "blockers", blockers, "facts", facts);
}

char *fgi_grad_report_to_json(const fgi_grad_report *r) { return dump(report_json(r)); }

static void report_md(FILE *f, const fgi_grad_report *r, int level)
{
    fprintf(f, "%.*s %s (%s)\n\n", level, "####", r->kernel_id, r->op_name);
    fprintf(f, "Status %s, version %s: **score %.3f, %s**.\n\n", fgi_meta_status_name(r->status),
            r->current_version, r->score, r->eligible ? "eligible" : "not eligible");
    fputs("| criterion | weight | score | passed | details |\n|---|---:|---:|:---:|---|\n", f);
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) {
        const fgi_grad_check *c = &r->checks[i];
        fprintf(f, "| %s%s | %.2f | %.3f | %s | ", fgi_grad_criterion_name(c->criterion),
                c->blocking ? " (blocking)" : "", c->weight, c->score, c->passed ? "yes" : "no");
        cell(f, c->details);
        fputs(" |\n", f);
    }
    if (r->n_blockers) {
        fputs("\nBlocking:\n", f);
        for (int i = 0; i < r->n_blockers; i++) fprintf(f, "- %s\n", r->blockers[i]);
    }
    int any = 0;
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++)
        for (int k = 0; k < r->checks[i].n_recommendations; k++)
            fprintf(f, "%s- %s\n", any++ ? "" : "\nRecommendations:\n", r->checks[i].recommendations[k]);
    fputc('\n', f);
}

char *fgi_grad_report_to_markdown(const fgi_grad_report *r)
{
    out o;
    if (!out_open(&o)) return NULL;
    report_md(o.f, r, 2);
    return out_close(&o);
}

static const char *action_name(fgi_grad_action a)
{
    switch (a) {
    case FGI_GRAD_PROMOTED: return "promoted";
    case FGI_GRAD_DEMOTED: return "demoted";
    case FGI_GRAD_UPDATED: return "updated";
    default: return "none";
    }
}

char *fgi_grad_check_result_to_json(const fgi_grad_check_result *r)
{
    json_t *ks = json_array();
    for (size_t i = 0; ks && i < r->n_kernels; i++) {
        const fgi_grad_kernel_result *k = &r->kernels[i];
        json_t *j = report_json(&k->report);
        if (!j) continue;
        json_object_set_new(j, "status_before", json_string(fgi_meta_status_name(k->status_before)));
        json_object_set_new(j, "status_after", json_string(fgi_meta_status_name(k->status_after)));
        json_object_set_new(j, "action", json_string(action_name(k->action)));
        json_object_set_new(j, "demotion_reason", k->demotion_reason[0] ? json_string(k->demotion_reason) : json_null());
        json_object_set_new(j, "tracker_status", k->tracker_status[0] ? json_string(k->tracker_status) : json_null());
        json_object_set_new(j, "issue_draft", k->draft_path[0] ? json_string(k->draft_path) : json_null());
        json_array_append_new(ks, j);
    }
    return dump(json_pack("{s:b, s:{s:I, s:I, s:I, s:I, s:I, s:b, s:b}, s:o*}", "dry_run", r->dry_run, "summary",
                          "kernels", (json_int_t)r->n_kernels, "eligible", (json_int_t)r->n_eligible, "promoted",
                          (json_int_t)r->n_promoted, "demoted", (json_int_t)r->n_demoted, "issue_drafts",
                          (json_int_t)r->n_drafts, "metadata_written", r->metadata_written, "tracker_written",
                          r->tracker_written, "kernels", ks));
}

char *fgi_grad_check_result_to_markdown(const fgi_grad_check_result *r)
{
    out o;
    if (!out_open(&o)) return NULL;
    FILE *f = o.f;
    fprintf(f, "## Graduation check%s\n\n", r->dry_run ? " (dry run: nothing written)" : "");
    fprintf(f, "%zu kernel(s) checked: %zu eligible, %zu newly eligible, %zu demoted, %zu issue draft(s).\n\n",
            r->n_kernels, r->n_eligible, r->n_promoted, r->n_demoted, r->n_drafts);
    fputs("| kernel | status | score | eligible | action | tracker |\n|---|---|---:|:---:|---|---|\n", f);
    for (size_t i = 0; i < r->n_kernels; i++) {
        const fgi_grad_kernel_result *k = &r->kernels[i];
        fprintf(f, "| %s | %s%s%s | %.3f | %s | %s | %s |\n", k->report.kernel_id,
                fgi_meta_status_name(k->status_before), k->status_after != k->status_before ? " -> " : "",
                k->status_after != k->status_before ? fgi_meta_status_name(k->status_after) : "",
                k->report.score, k->report.eligible ? "yes" : "no", action_name(k->action),
                k->tracker_status[0] ? k->tracker_status : "-");
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->n_kernels; i++) {
        const fgi_grad_kernel_result *k = &r->kernels[i];
        report_md(f, &k->report, 3);
        if (k->demotion_reason[0]) fprintf(f, "Demoted: %s\n\n", k->demotion_reason);
        if (k->draft_path[0]) fprintf(f, "Issue draft: `%s`\n\n", k->draft_path);
    }
    return out_close(&o);
}

/* ---------------------------------------------------------------- issue draft */

static void coverage_dtypes(FILE *f, const fgi_meta_op *op)
{
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    for (size_t i = 0; i < at->n_coverage; i++) fprintf(f, "%s%s", i ? ", " : "", at->coverage[i].dtype);
    if (!at->n_coverage) fputs("none recorded", f);
}

static void perf_table(FILE *f, const fgi_meta_op *op)
{
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    fputs("| device | dtype | shape | speedup | compared with | memory overhead (MB) | measured |\n"
          "|---|---|---|---:|---|---:|---|\n", f);
    for (size_t i = 0; i < pt->n_baselines; i++) {
        const fgi_meta_baseline *b = &pt->baselines[i];
        fprintf(f, "| %s | %s | [", b->device, b->dtype);
        for (size_t k = 0; k < b->shape_len; k++) fprintf(f, "%s%lld", k ? ", " : "", (long long)b->shape[k]);
        fprintf(f, "] | %.3fx | %s | %.3g | %s |\n", b->speedup, b->reference_impl, b->memory_overhead,
                b->timestamp ? b->timestamp : "-");
    }
    if (!pt->n_baselines) fputs("| - | - | - | - | - | - | - |\n", f);
}

char *fgi_grad_issue_draft(const fgi_grad_report *r, const fgi_meta_op *op, const char *today)
{
    out o;
    if (!out_open(&o)) return NULL;
    FILE *f = o.f;
    const fgi_grad_facts *x = &r->facts;
    fprintf(f, "# [Graduation] `%s` (%s) is ready for review\n\n", r->kernel_id, r->op_name);
    fprintf(f, "The graduation checker found on %s (library %s) that the experimental kernel `%s` of op `%s` "
               "(op_id `%s`, status %s) meets the graduation criteria with a score of **%.3f**.\n\n",
            today, r->current_version, r->kernel_id, r->op_name, r->op_id, fgi_meta_status_name(op->status),
            r->score);
    fputs("## Criteria\n\n| criterion | weight | score | passed | details |\n|---|---:|---:|:---:|---|\n", f);
    for (int i = 0; i < FGI_GRAD_N_CRITERIA; i++) {
        const fgi_grad_check *c = &r->checks[i];
        fprintf(f, "| %s | %.2f | %.3f | %s | ", fgi_grad_criterion_name(c->criterion), c->weight, c->score,
                c->passed ? "yes" : "no");
        cell(f, c->details);
        fputs(" |\n", f);
    }
    fputs("\n## Evidence\n\n", f);
    fprintf(f, "- Accuracy: %lld test cases over %zu distinct shapes (dtypes: ", (long long)x->test_cases,
            x->distinct_shapes);
    coverage_dtypes(f, op);
    fprintf(f, "), last run %s\n", op->validation_info.accuracy_tests.last_run);
    fprintf(f, "- Performance: %zu baselines, speedup geomean %.3fx (min %.3fx, max %.3fx)\n", x->n_baselines,
            x->speedup_geomean, x->speedup_min, x->speedup_max);
    fprintf(f, "- Hardware: %zu platform(s): %s\n", x->n_platforms, x->platforms);
    fprintf(f, "- Code: `%s` lines %lld-%lld\n\n", op->code_location.file_path,
            (long long)op->code_location.line_start, (long long)op->code_location.line_end);
    perf_table(f, op);
    fprintf(f, "\n## Next steps\n\n- [ ] A maintainer confirms the numbers above\n"
               "- [ ] `flag-gems-exp propose-graduation %s` creates branch `graduation/%s`, moves the kernel "
               "into `src/ops/` and writes the PR text\n- [ ] Review and merge the graduation PR\n",
            r->kernel_id, r->op_name);
    return out_close(&o);
}

/* ---------------------------------------------------------------- PR text */

static const char *change_name(fgi_grad_change_kind k)
{
    return k == FGI_GRAD_MOVED ? "Moved" : k == FGI_GRAD_ADDED ? "Added" : "Updated";
}

static void files_md(FILE *f, const fgi_grad_proposal *p)
{
    for (size_t i = 0; i < p->n_files; i++) {
        const fgi_grad_file_change *c = &p->files[i];
        if (c->kind == FGI_GRAD_MOVED)
            fprintf(f, "- Moved: `%s` → `%s`\n", c->from, c->path);
        else
            fprintf(f, "- %s: `%s` (%s)\n", change_name(c->kind), c->path, c->what);
    }
}

/* Files that still name the experimental id: the PR updates them. */
static void mentions_md(FILE *f, const fgi_grad_proposal *p)
{
    if (!p->n_mentions) {
        fprintf(f, "No other committed file names `%s`.\n\n", p->kernel_id);
        return;
    }
    fprintf(f, "%zu other committed file(s) still name `%s` (tests or examples that pin the kernel, or expect the op "
               "outside the stable tier); update them on this branch:\n",
            p->n_mentions, p->kernel_id);
    for (size_t i = 0; i < p->n_mentions && i < FGI_GRAD_MAX_MENTIONS; i++) fprintf(f, "- `%s`\n", p->mentions[i]);
    if (p->n_mentions > FGI_GRAD_MAX_MENTIONS) fprintf(f, "- and %zu more\n", p->n_mentions - FGI_GRAD_MAX_MENTIONS);
    fputc('\n', f);
}

static int has_typed_function(const fgi_grad_proposal *p)
{
    for (size_t i = 0; i < p->n_files; i++)
        if (strstr(p->files[i].path, "include/flaggems/flaggems.h")) return 1;
    return 0;
}

char *fgi_grad_pr_text(const fgi_grad_proposal *p, const fgi_meta_op *op, char **title)
{
    *title = NULL;
    const fgi_grad_report *r = &p->report;
    const fgi_grad_facts *x = &r->facts;
    char t[256];
    snprintf(t, sizeof t, "[Graduation] Promote %s to stable ops", p->op_name);
    out o;
    if (!out_open(&o)) return NULL;
    FILE *f = o.f;
    const fgi_grad_check *c = r->checks;
    fprintf(f, "## %s\n\n### Summary\nThis PR promotes the experimental operator `%s` (kernel `%s`) to stable "
               "ops as kernel `%s`, graduating in %s with a score of %.3f.\n\n",
            t, p->op_name, p->kernel_id, p->stable_id, p->version, r->score);
    fputs("### Graduation Checklist\n", f);
    fprintf(f, "- [%c] Stable period: %d version%s (in experimental since %s)\n",
            c[FGI_GRAD_STABLE_PERIOD].passed ? 'x' : ' ', x->versions_elapsed, x->versions_elapsed == 1 ? "" : "s",
            op->graduation_tracking.in_experimental_since);
    fprintf(f, "- [%c] Accuracy tests: %lld tests passed over %zu shapes (", c[FGI_GRAD_ACCURACY].passed ? 'x' : ' ',
            (long long)x->test_cases, x->distinct_shapes);
    coverage_dtypes(f, op);
    fputs(")\n", f);
    fprintf(f, "- [%c] Performance: %.2fx speedup (geomean of %zu baselines, min %.2fx) on ",
            c[FGI_GRAD_PERFORMANCE].passed ? 'x' : ' ', x->speedup_geomean, x->n_baselines, x->speedup_min);
    const fgi_meta_performance_tests *pt = &op->validation_info.performance_tests;
    for (size_t i = 0; i < pt->n_baselines; i++) {
        size_t k = 0;
        while (k < i && strcmp(pt->baselines[k].device, pt->baselines[i].device) != 0) k++;
        if (k == i) fprintf(f, "%s%s", i ? ", " : "", pt->baselines[i].device);
    }
    fprintf(f, "\n- [%c] Multi-hardware: Validated on ", c[FGI_GRAD_MULTI_HARDWARE].passed ? 'x' : ' ');
    for (size_t i = 0; i < op->hardware_support.n_tested_devices; i++)
        fprintf(f, "%s%s", i ? ", " : "", op->hardware_support.tested_devices[i]);
    fprintf(f, "\n- [%c] Code review: %s\n", op->graduation_tracking.checklist.code_review_approved ? 'x' : ' ',
            op->graduation_tracking.checklist.code_review_approved
                ? "Approved (recorded in graduation_tracking.checklist.code_review_approved)"
                : "not recorded");
    fprintf(f, "- [%c] Documentation complete\n\n", op->graduation_tracking.checklist.documentation_complete ? 'x' : ' ');
    fputs("### Performance Report\n", f);
    perf_table(f, op);
    fputs("\n### Files Changed\n", f);
    files_md(f, p);
    fprintf(f, "\n### Testing\nThe whole suite (`make test`) must pass before this PR merges. The accuracy and "
               "performance numbers above are the kernel's recorded runs (accuracy %s, performance %s); "
               "`flag-gems-exp validate %s` and `flag-gems-exp benchmark %s` reproduce them.\n\n",
            op->validation_info.accuracy_tests.last_run ? op->validation_info.accuracy_tests.last_run : "never",
            pt->last_run ? pt->last_run : "never", p->stable_id, p->stable_id);
    mentions_md(f, p);
    /* the op's own entry point: fg_exp_<op>(out, x) before, fg_<op>(out, x) after, when it had one */
    int typed_fn = has_typed_function(p);
    fprintf(f, "### Migration Guide\nFor users currently using:\n```c\n#define FG_EXPERIMENTAL_API\n"
               "#include <flaggems/experimental.h>\nfg_exp_enable(FG_EXP_GROUP_ALL, 1, 1, NULL);\n");
    if (typed_fn)
        fprintf(f, "fg_exp_%s(out, x);\n", p->op_name);
    else
        fprintf(f, "fg_%s(...);  /* served by the experimental kernel */\n", p->op_name);
    fputs("```\n\nAfter this PR, prefer:\n```c\n#include <flaggems/flaggems.h>\n", f);
    fprintf(f, typed_fn ? "fg_%s(out, x);  /* Stable version */\n```\n\n"
                        : "fg_%s(...);  /* Stable version: no fg_exp_enable needed */\n```\n\n",
            p->op_name);
    fprintf(f, "Tools that name the kernel (`fg_exp_force_kernel`, `FLAGGEMS_EXP_DENYLIST`, fault injection) use "
               "its stable id `%s`.\n\n", p->stable_id);
    char typed[200] = "";
    if (has_typed_function(p))
        snprintf(typed, sizeof typed, " and `fg_exp_%s` carries FG_DEPRECATED (use `fg_%s`)", p->op_name,
                 p->op_name);
    fprintf(f, "The stable tier now serves `%s` without `fg_exp_enable`. The experimental id `%s` keeps working as "
               "a deprecated alias (a warning once per process)%s. The experimental alias will be removed in %s.\n",
            p->op_name, p->kernel_id, typed, p->removal_version);
    char *body = out_close(&o);
    if (body) *title = strdup(t);
    if (body && !*title) {
        free(body);
        body = NULL;
    }
    return body;
}

/* ---------------------------------------------------------------- proposal */

char *fgi_grad_proposal_to_json(const fgi_grad_proposal *p)
{
    json_t *files = json_array();
    for (size_t i = 0; files && i < p->n_files; i++) {
        const fgi_grad_file_change *c = &p->files[i];
        json_array_append_new(files, json_pack("{s:s, s:s, s:s*, s:s}", "change", change_name(c->kind), "path",
                                               c->path, "from", c->from[0] ? c->from : NULL, "what", c->what));
    }
    json_t *mentions = json_array();
    for (size_t i = 0; mentions && i < p->n_mentions && i < FGI_GRAD_MAX_MENTIONS; i++)
        json_array_append_new(mentions, json_string(p->mentions[i]));
    json_t *j = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:s*, s:o*, s:s*, s:s, s:f}", "dry_run",
                          p->dry_run, "kernel_id", p->kernel_id, "stable_id", p->stable_id, "op_name", p->op_name,
                          "branch", p->branch, "base_branch", p->base_branch, "version", p->version,
                          "removal_version", p->removal_version, "title", p->title, "body", p->body,
                          "files_changed", files, "commit", p->commit_id[0] ? p->commit_id : NULL,
                          "commit_message", p->commit_message, "score", p->report.score);
    if (j) {
        json_object_set_new(j, "files_to_update", mentions ? mentions : json_array());
        json_object_set_new(j, "files_to_update_count", json_integer((json_int_t)p->n_mentions));
    } else {
        json_decref(mentions);
    }
    return dump(j);
}

char *fgi_grad_proposal_to_markdown(const fgi_grad_proposal *p)
{
    out o;
    if (!out_open(&o)) return NULL;
    FILE *f = o.f;
    if (p->dry_run)
        fprintf(f, "## Graduation plan for `%s` (dry run: nothing was changed)\n\n", p->kernel_id);
    else
        fprintf(f, "## Graduated `%s` on branch `%s`\n\n", p->kernel_id, p->branch);
    int subject = (int)strcspn(p->commit_message, "\n");
    fprintf(f, "- Score %.3f: eligible\n- Branch `%s` from `%s`\n- Stable id `%s`; `%s` stays a deprecated alias "
               "until %s\n- Commit: %s %.*s\n\n",
            p->report.score, p->branch, p->base_branch, p->stable_id, p->kernel_id, p->removal_version,
            p->commit_id[0] ? p->commit_id : "(none: dry run)", subject, p->commit_message);
    fputs("### Files\n", f);
    files_md(f, p);
    fputs("\n### To update on the branch\n", f);
    mentions_md(f, p);
    if (p->title) fprintf(f, "### PR title\n%s\n", p->title);
    return out_close(&o);
}
