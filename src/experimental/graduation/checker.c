/* The automated checker (seed §3.2): judge every experimental kernel,
 * promote the eligible ones to GRADUATION_CANDIDATE, demote the ones whose
 * quality dropped, keep tracker.json up to date and write an issue draft for
 * each newly eligible kernel. Idempotent: nothing is written when nothing
 * differs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "core/file.h"
#include "experimental/graduation/graduation.h"

#define DEMOTED_PREFIX "demoted "

void fgi_grad_today(const char *given, char *buf, size_t size)
{
    if (given) {
        snprintf(buf, size, "%s", given);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

int fgi_grad_valid_date(const char *d)
{
    int y, m, day;
    char tail;
    return d && strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &day, &tail) == 3 && m >= 1 && m <= 12 &&
           day >= 1 && day <= 31;
}

/* Why the kernel's latest results demote it, or 0. */
static int demotion_reason(const fgi_meta_op *op, const fgi_grad_report *r, const fgi_grad_policy *p,
                           const char *today, char *buf, size_t size)
{
    if (op->status != FGI_META_VALIDATED && op->status != FGI_META_GRADUATION_CANDIDATE) return 0;
    const fgi_meta_accuracy_tests *at = &op->validation_info.accuracy_tests;
    const char *from = fgi_meta_status_name(op->status);
    if (at->last_run && !at->passed) {
        snprintf(buf, size, DEMOTED_PREFIX "from %s on %s: the accuracy run of %s failed", from, today,
                 at->last_run);
        return 1;
    }
    const fgi_grad_facts *f = &r->facts;
    if (f->n_baselines && f->n_fast_baselines < f->n_baselines) {
        snprintf(buf, size,
                 DEMOTED_PREFIX "from %s on %s: speedup %.3fx is under the %.2fx threshold (%zu of %zu "
                                "baselines below)",
                 from, today, f->speedup_min, p->min_speedup, f->n_baselines - f->n_fast_baselines,
                 f->n_baselines);
        return 1;
    }
    return 0;
}

static size_t count_demoted(const fgi_meta_op *op)
{
    size_t n = 0;
    for (size_t i = 0; i < op->graduation_tracking.n_blocking_issues; i++)
        n += strncmp(op->graduation_tracking.blocking_issues[i], DEMOTED_PREFIX, strlen(DEMOTED_PREFIX)) == 0;
    return n;
}

/* blocking_issues without the checker's "demoted ..." entries, plus `add`. */
static json_t *issues_json(const fgi_meta_op *op, const char *add)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < op->graduation_tracking.n_blocking_issues; i++) {
        const char *b = op->graduation_tracking.blocking_issues[i];
        if (strncmp(b, DEMOTED_PREFIX, strlen(DEMOTED_PREFIX)) != 0) json_array_append_new(a, json_string(b));
    }
    if (a && add) json_array_append_new(a, json_string(add));
    return a;
}

/* The metadata patch for one kernel, or NULL when nothing changes. */
static json_t *kernel_patch(const fgi_meta_op *op, const fgi_grad_report *r, const fgi_grad_policy *p,
                            const char *today, fgi_grad_kernel_result *kr)
{
    json_t *patch = json_object(), *gt = json_object(), *cl = json_object();
    if (!patch || !gt || !cl) goto oom;
    char reason[256];
    const fgi_meta_checklist *c = &op->graduation_tracking.checklist;
    if (demotion_reason(op, r, p, today, reason, sizeof reason)) {
        kr->action = FGI_GRAD_DEMOTED;
        snprintf(kr->demotion_reason, sizeof kr->demotion_reason, "%s", reason);
        json_object_set_new(patch, "status", json_string("EXPERIMENTAL"));
        json_object_set_new(gt, "eligible", json_false());
        json_object_set_new(gt, "blocking_issues", issues_json(op, reason));
    } else {
        int validated = op->status == FGI_META_VALIDATED || op->status == FGI_META_GRADUATION_CANDIDATE;
        if (validated && count_demoted(op)) /* re-validated since the demotion */
            json_object_set_new(gt, "blocking_issues", issues_json(op, NULL));
        if (r->eligible && op->status == FGI_META_VALIDATED) {
            json_object_set_new(patch, "status", json_string("GRADUATION_CANDIDATE"));
            kr->action = FGI_GRAD_PROMOTED;
        }
        if (!r->eligible != !op->graduation_tracking.eligible) {
            json_object_set_new(gt, "eligible", json_boolean(r->eligible));
            if (r->eligible) kr->action = FGI_GRAD_PROMOTED;
        }
    }
    int sp = r->checks[FGI_GRAD_STABLE_PERIOD].passed, mh = r->checks[FGI_GRAD_MULTI_HARDWARE].passed;
    if (!sp != !c->stable_period_met) json_object_set_new(cl, "stable_period_met", json_boolean(sp));
    if (!mh != !c->multi_hardware_validated) json_object_set_new(cl, "multi_hardware_validated", json_boolean(mh));
    if (json_object_size(cl))
        json_object_set_new(gt, "checklist", cl);
    else
        json_decref(cl);
    cl = NULL;
    if (json_object_size(gt))
        json_object_set_new(patch, "graduation_tracking", gt);
    else
        json_decref(gt);
    gt = NULL;
    if (!json_object_size(patch)) {
        json_decref(patch);
        return NULL;
    }
    if (kr->action == FGI_GRAD_NONE) kr->action = FGI_GRAD_UPDATED;
    return patch;
oom:
    json_decref(patch), json_decref(gt), json_decref(cl);
    return NULL;
}

/* ---------------------------------------------------------------- tracker */

typedef struct tracker_view {
    json_t *doc;         /* the tracker as it is */
    json_t *candidates;  /* borrowed from doc */
} tracker_view;

static json_t *find_candidate(const tracker_view *t, const char *op_id)
{
    size_t i;
    json_t *c;
    json_array_foreach(t->candidates, i, c) {
        const char *id = json_string_value(json_object_get(c, "op_id"));
        if (id && strcasecmp(id, op_id) == 0) return c;
    }
    return NULL;
}

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int in_review(const char *status)
{
    return status && (!strcmp(status, "PR_CREATED") || !strcmp(status, "IN_REVIEW") ||
                      !strcmp(status, "APPROVED") || !strcmp(status, "REJECTED"));
}

/* What the tracker should say about one kernel; returns 0 when the kernel
 * is not tracked (and must not be). */
typedef struct want {
    char status[24];
    char eligible_since[16];
    double score;
    const char *issues[12];
    int n_issues;
    int64_t pr_number;
    char next_action[256];
} want;

static int tracker_want(const fgi_meta_op *op, const fgi_grad_kernel_result *kr, const json_t *old,
                        const char *today, want *w)
{
    memset(w, 0, sizeof *w);
    const fgi_grad_report *r = &kr->report;
    int tracked = op->status == FGI_META_VALIDATED || op->status == FGI_META_GRADUATION_CANDIDATE ||
                  (op->status == FGI_META_EXPERIMENTAL && (old || kr->action == FGI_GRAD_DEMOTED));
    if (!tracked) return 0;
    const char *old_status = old ? jstr(old, "status") : NULL;
    if (r->eligible)
        snprintf(w->status, sizeof w->status, "%s", in_review(old_status) ? old_status : "READY_FOR_REVIEW");
    else
        snprintf(w->status, sizeof w->status, "BLOCKED");
    const char *since = old ? jstr(old, "eligible_since") : NULL;
    int keep_since = since && (!r->eligible || (old_status && strcmp(old_status, "BLOCKED") != 0));
    snprintf(w->eligible_since, sizeof w->eligible_since, "%s", keep_since ? since : today);
    w->score = round(r->score * 10000.0) / 10000.0;
    if (!r->eligible) {
        for (int i = 0; i < r->n_blockers && w->n_issues < 12; i++) w->issues[w->n_issues++] = r->blockers[i];
        for (size_t i = 0; i < op->graduation_tracking.n_blocking_issues && w->n_issues < 12; i++) {
            const char *b = op->graduation_tracking.blocking_issues[i];
            if (!strncmp(b, DEMOTED_PREFIX, strlen(DEMOTED_PREFIX))) w->issues[w->n_issues++] = b;
        }
    }
    json_t *pr = old ? json_object_get(old, "pr_number") : NULL;
    w->pr_number = json_is_integer(pr) ? json_integer_value(pr) : 0;
    if (r->eligible) {
        snprintf(w->next_action, sizeof w->next_action,
                 in_review(w->status) ? "Follow the graduation PR to its merge"
                                      : "Create graduation PR: flag-gems-exp propose-graduation %s",
                 op->kernel_id);
    } else {
        const char *rec = NULL;
        for (int i = 0; i < FGI_GRAD_N_CRITERIA && !rec; i++)
            if (!r->checks[i].passed && r->checks[i].n_recommendations) rec = r->checks[i].recommendations[0];
        if (op->status == FGI_META_EXPERIMENTAL)
            rec = "Fix the kernel, re-run the accuracy and performance tools, and re-check";
        snprintf(w->next_action, sizeof w->next_action, "%s", rec ? rec : r->blockers[0]);
    }
    return 1;
}

static int want_equals(const want *w, const json_t *old, const char *op_name)
{
    if (!old) return 0;
    const char *n = jstr(old, "op_name"), *s = jstr(old, "status"), *e = jstr(old, "eligible_since"),
               *a = jstr(old, "next_action");
    json_t *sc = json_object_get(old, "graduation_score"), *pr = json_object_get(old, "pr_number");
    json_t *iss = json_object_get(old, "blocking_issues");
    if (!n || !s || !e || !a || strcmp(n, op_name) || strcmp(s, w->status) || strcmp(e, w->eligible_since) ||
        strcmp(a, w->next_action))
        return 0;
    if (!json_is_number(sc) || fabs(json_number_value(sc) - w->score) > 1e-12) return 0;
    if ((json_is_integer(pr) ? json_integer_value(pr) : 0) != w->pr_number) return 0;
    if (!json_is_array(iss) || json_array_size(iss) != (size_t)w->n_issues) return 0;
    for (int i = 0; i < w->n_issues; i++) {
        const char *x = json_string_value(json_array_get(iss, (size_t)i));
        if (!x || strcmp(x, w->issues[i])) return 0;
    }
    return 1;
}

static fg_status tracker_load(fgi_meta_store *ts, tracker_view *t)
{
    char *text = NULL;
    FG_FORWARD(fgi_meta_to_json(ts, &text, NULL), "tracker");
    t->doc = json_loads(text, 0, NULL);
    fgi_meta_free(text);
    FG_RETURN_IF(!t->doc, FG_ERR_NO_MEMORY, "tracker copy");
    t->candidates = json_object_get(t->doc, "graduation_candidates");
    if (!json_is_array(t->candidates)) {
        json_object_set_new(t->doc, "graduation_candidates", json_array());
        t->candidates = json_object_get(t->doc, "graduation_candidates");
    }
    return FG_OK;
}

/* Opens the tracker before anything is written, so that a bad tracker
 * refuses the whole run. *out stays NULL on a dry run without a tracker. */
static fg_status open_tracker(const fgi_grad_check_options *o, fgi_meta_store **out)
{
    *out = NULL;
    fgi_meta_options to = {.kind = FGI_META_KIND_TRACKER,
                           .flags = o->dry_run ? FGI_META_READONLY : FGI_META_CREATE | FGI_META_MANUAL_SAVE};
    fg_status s = fgi_meta_open(o->tracker_path, &to, out);
    if (s == FG_ERR_NOT_FOUND && o->dry_run) {
        fgi_error_clear();
        return FG_OK; /* nothing to compare with */
    }
    FG_FORWARD(s, "tracker %s", o->tracker_path);
    return FG_OK;
}

/* Brings the tracker in line with the results: one change for every
 * candidate that differs (so a thousand kernels cost one validation of the
 * tracker, not a thousand). */
static fg_status update_tracker(fgi_meta_store *ms, fgi_meta_store *ts, const fgi_grad_check_options *o,
                                fgi_grad_check_result *res, const char *today)
{
    tracker_view t = {0};
    fg_status s = tracker_load(ts, &t);
    size_t n = res->n_kernels ? res->n_kernels : 1, n_up = 0;
    want *wants = s == FG_OK ? calloc(n, sizeof *wants) : NULL;
    fgi_meta_candidate *ups = wants ? calloc(n, sizeof *ups) : NULL;
    const fgi_meta_op **held = ups ? calloc(n, sizeof *held) : NULL;
    if (s == FG_OK && !held) s = FG_ERROR(FG_ERR_NO_MEMORY, "tracker update");
    for (size_t i = 0; i < res->n_kernels && s == FG_OK; i++) {
        fgi_grad_kernel_result *kr = &res->kernels[i];
        const fgi_meta_op *op = NULL;
        if (fgi_meta_get_op(ms, kr->report.kernel_id, &op) != FG_OK) {
            s = fgi_error_push(FG_ERR_INTERNAL, "tracker update");
            break;
        }
        held[i] = op;
        json_t *old = find_candidate(&t, op->op_id);
        want *w = &wants[n_up];
        if (!tracker_want(op, kr, old, today, w)) {
            if (old && op->status >= FGI_META_GRADUATED && !o->dry_run)
                s = fgi_meta_tracker_remove_candidate(ts, op->op_id);
            continue;
        }
        snprintf(kr->tracker_status, sizeof kr->tracker_status, "%s", w->status);
        if (want_equals(w, old, op->op_name) || o->dry_run) continue;
        ups[n_up++] = (fgi_meta_candidate){.op_id = op->op_id,
                                           .op_name = op->op_name,
                                           .status = w->status,
                                           .eligible_since = w->eligible_since,
                                           .graduation_score = w->score,
                                           .blocking_issues = w->issues,
                                           .n_blocking_issues = (size_t)w->n_issues,
                                           .pr_number = w->pr_number,
                                           .next_action = w->next_action};
    }
    if (s == FG_OK) s = fgi_meta_tracker_upsert_candidates(ts, ups, n_up);
    if (s == FG_OK && fgi_meta_unsaved(ts)) {
        s = fgi_meta_save(ts);
        res->tracker_written = s == FG_OK;
    }
    for (size_t i = 0; held && i < res->n_kernels; i++) fgi_meta_op_release(held[i]);
    free(held);
    free(ups);
    free(wants);
    json_decref(t.doc);
    return s;
}

/* ---------------------------------------------------------------- run */

static fg_status write_draft(const fgi_grad_check_options *o, fgi_grad_kernel_result *kr, const fgi_meta_op *op,
                             const char *today)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s.md", o->drafts_dir, kr->report.kernel_id);
    FG_RETURN_IF(n < 0 || (size_t)n >= sizeof path, FG_ERR_INVALID_ARG, "drafts_dir is too long");
    char *text = fgi_grad_issue_draft(&kr->report, op, today);
    FG_RETURN_IF(!text, FG_ERR_NO_MEMORY, "issue draft");
    fg_status s = fgi_write_file_durable(path, text, strlen(text));
    free(text);
    FG_FORWARD(s, "issue draft for %s", kr->report.kernel_id);
    snprintf(kr->draft_path, sizeof kr->draft_path, "%s", path);
    return FG_OK;
}

static fg_status check_options(const fgi_grad_check_options *o, const fgi_grad_policy *p, const char *today)
{
    FG_RETURN_IF(!o || !o->metadata_path, FG_ERR_NULL, "options and metadata_path are required");
    FG_RETURN_IF(o->n_kernel_ids && !o->kernel_ids, FG_ERR_NULL, "kernel_ids is NULL");
    FG_FORWARD(fgi_grad_policy_check(p), "policy");
    FG_RETURN_IF(!fgi_grad_valid_date(today), FG_ERR_INVALID_ARG, "today \"%s\" is not a date YYYY-MM-DD", today);
    int a, b;
    FG_RETURN_IF(o->version && fgi_grad_version_parse(o->version, &a, &b), FG_ERR_INVALID_ARG,
                 "version \"%s\" is not a version like \"0.1.0\"", o->version);
    if (o->drafts_dir && !o->dry_run) {
        struct stat st;
        FG_RETURN_IF(stat(o->drafts_dir, &st) != 0 || !S_ISDIR(st.st_mode), FG_ERR_NOT_FOUND,
                     "drafts folder %s does not exist", o->drafts_dir);
    }
    return FG_OK;
}

static fg_status select_ops(fgi_meta_store *ms, const fgi_grad_check_options *o, fgi_meta_op_list *list)
{
    if (!o->kernel_ids) return fgi_meta_query_ops(ms, NULL, list);
    list->ops = calloc(o->n_kernel_ids ? o->n_kernel_ids : 1, sizeof *list->ops);
    list->count = 0;
    FG_RETURN_IF(!list->ops, FG_ERR_NO_MEMORY, "kernel list");
    size_t cap = o->n_kernel_ids;
    for (size_t i = 0; i < o->n_kernel_ids; i++) {
        const char *name = o->kernel_ids[i];
        if (!name) {
            fgi_meta_op_list_release(list);
            return FG_ERROR(FG_ERR_NULL, "kernel_ids[%zu] is NULL", i);
        }
        fg_status s = fgi_meta_get_op(ms, name, &list->ops[list->count]);
        if (s == FG_OK) {
            list->count++;
            continue;
        }
        /* an op name: every kernel of the op */
        fgi_meta_op_list of = {0};
        fgi_meta_filter f = {.op_name = name};
        if (s == FG_ERR_NOT_FOUND) {
            fgi_error_clear();
            s = fgi_meta_query_ops(ms, &f, &of);
            if (s == FG_OK && of.count == 0)
                s = FG_ERROR(FG_ERR_NOT_FOUND, "no kernel or op named '%s' in the metadata", name);
        }
        const fgi_meta_op **grown = s == FG_OK ? realloc(list->ops, (cap += of.count) * sizeof *grown) : NULL;
        if (s == FG_OK && !grown) s = FG_ERROR(FG_ERR_NO_MEMORY, "kernel list");
        if (s == FG_OK) {
            list->ops = grown;
            for (size_t k = 0; k < of.count; k++) list->ops[list->count++] = of.ops[k];
            free(of.ops); /* the references moved to list */
        } else {
            fgi_meta_op_list_release(&of);
            fgi_meta_op_list_release(list);
            return fgi_error_push(s, "kernel %s", name);
        }
    }
    return FG_OK;
}

static fg_status judge(fgi_meta_store *ms, const fgi_grad_check_options *o, const fgi_grad_policy *p,
                       const char *today, fgi_grad_check_result *res)
{
    fgi_meta_op_list list = {0};
    FG_FORWARD(select_ops(ms, o, &list), "fgi_grad_check_run");
    res->kernels = calloc(list.count ? list.count : 1, sizeof *res->kernels);
    fg_status s = res->kernels ? FG_OK : FG_ERROR(FG_ERR_NO_MEMORY, "results");
    for (size_t i = 0; i < list.count && s == FG_OK; i++) {
        const fgi_meta_op *op = list.ops[i];
        fgi_grad_kernel_result *kr = &res->kernels[res->n_kernels++];
        kr->status_before = kr->status_after = op->status;
        s = fgi_grad_check_all(op, p, o->version, &kr->report);
        if (s != FG_OK || op->status >= FGI_META_GRADUATED) continue;
        json_t *patch = kernel_patch(op, &kr->report, p, today, kr);
        if (kr->action == FGI_GRAD_PROMOTED) res->n_promoted++;
        if (kr->action == FGI_GRAD_DEMOTED) {
            res->n_demoted++;
            kr->status_after = FGI_META_EXPERIMENTAL;
        } else if (kr->action == FGI_GRAD_PROMOTED && op->status == FGI_META_VALIDATED) {
            kr->status_after = FGI_META_GRADUATION_CANDIDATE;
        }
        if (patch && !o->dry_run) {
            char *text = json_dumps(patch, JSON_COMPACT);
            s = text ? fgi_meta_update_op(ms, op->kernel_id, text) : FG_ERROR(FG_ERR_NO_MEMORY, "patch");
            free(text);
        }
        json_decref(patch);
        if (s == FG_OK && kr->action == FGI_GRAD_DEMOTED) { /* report the state after the demotion */
            const fgi_meta_op *now = NULL;
            if (!o->dry_run && fgi_meta_get_op(ms, op->kernel_id, &now) == FG_OK) {
                s = fgi_grad_check_all(now, p, o->version, &kr->report);
                fgi_meta_op_release(now);
            } else {
                kr->report.eligible = 0;
            }
        }
        if (s == FG_OK && kr->report.eligible) res->n_eligible++;
        if (s == FG_OK && kr->action == FGI_GRAD_PROMOTED && o->drafts_dir && !o->dry_run) {
            s = write_draft(o, kr, op, today);
            res->n_drafts += s == FG_OK;
        }
    }
    fgi_meta_op_list_release(&list);
    return s;
}

fg_status fgi_grad_check_run(const fgi_grad_check_options *o, fgi_grad_check_result **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    fgi_grad_policy def;
    fgi_grad_policy_default(&def);
    const fgi_grad_policy *p = o && o->policy ? o->policy : &def;
    char today[16];
    fgi_grad_today(o ? o->today : NULL, today, sizeof today);
    FG_FORWARD(check_options(o, p, today), "fgi_grad_check_run");

    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA,
                           .flags = o->dry_run ? FGI_META_READONLY : FGI_META_MANUAL_SAVE};
    fgi_meta_store *ms = NULL, *ts = NULL;
    FG_FORWARD(fgi_meta_open(o->metadata_path, &mo, &ms), "metadata %s", o->metadata_path);
    fg_status s = o->tracker_path ? open_tracker(o, &ts) : FG_OK;
    fgi_grad_check_result *res = s == FG_OK ? calloc(1, sizeof *res) : NULL;
    if (s == FG_OK && !res) s = FG_ERROR(FG_ERR_NO_MEMORY, "check result");
    if (s == FG_OK) {
        res->dry_run = o->dry_run;
        s = judge(ms, o, p, today, res);
    }
    if (s == FG_OK && fgi_meta_unsaved(ms)) {
        s = fgi_meta_save(ms);
        res->metadata_written = s == FG_OK;
    }
    if (s == FG_OK && ts) s = update_tracker(ms, ts, o, res, today);
    fgi_meta_close(ts);
    fgi_meta_close(ms);
    if (s != FG_OK) {
        fgi_grad_check_result_free(res);
        return fgi_error_push(s, "fgi_grad_check_run");
    }
    *out = res;
    return FG_OK;
}

void fgi_grad_check_result_free(fgi_grad_check_result *r)
{
    if (!r) return;
    free(r->kernels);
    free(r);
}
