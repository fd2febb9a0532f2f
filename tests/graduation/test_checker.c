/* The checker: promotion of eligible kernels, tracker entries, issue
 * drafts, demotion with its reason, idempotence, dry runs, refusals. */
#include <dirent.h>

#include <jansson.h>

#include "core/file.h"
#include "grad_test.h"

typedef struct world {
    mt_repo repo;
    char drafts[320];
    fgi_grad_check_options o;
} world;

#define A "fast_gelu.cpu.custom.avx2_v1"        /* eligible */
#define B "softmax.cpu.custom.rows_le_1024_v1"  /* validated, too few shapes */
#define C "layer_norm.cpu.custom.h64_v1"        /* candidate whose speedup fell */
#define D "rms_norm.cpu.custom.h64_v1"          /* validated, last accuracy run failed */
#define E "mm.cpu.gen.tiles_v1"                 /* experimental, never run */
#define F "bmm.cpu.gen.batched_v1"              /* graduated already */

static void world_open(world *w)
{
    memset(w, 0, sizeof *w);
    mt_repo_init(&w->repo);
    snprintf(w->drafts, sizeof w->drafts, "%s/drafts", w->repo.root);
    mkdir(w->drafts, 0755);
    fgi_meta_options o = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_CREATE, .repo_root = w->repo.root};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(w->repo.file, &o, &s));
    kspec k = ks_eligible();
    ks_add(s, A, &k);
    k = ks_eligible();
    k.op_name = "softmax", k.category = "reduction", k.shapes = 12;
    ks_add(s, B, &k);
    k = ks_eligible();
    k.op_name = "layer_norm", k.category = "reduction", k.status = "GRADUATION_CANDIDATE", k.eligible_flag = 1;
    k.speedups[1] = 0.6;
    ks_add(s, C, &k);
    k = ks_eligible();
    k.op_name = "rms_norm", k.category = "reduction", k.acc_passed = 0;
    ks_add(s, D, &k);
    k = ks_eligible();
    k.op_name = "mm", k.category = "blas", k.status = "EXPERIMENTAL", k.acc_run = 0, k.n_speedups = 0;
    ks_add(s, E, &k);
    k = ks_eligible();
    k.op_name = "bmm", k.category = "blas", k.status = "GRADUATED", k.eligible_flag = 1;
    ks_add(s, F, &k);
    fgi_meta_close(s);
    w->o = (fgi_grad_check_options){.metadata_path = w->repo.file,
                                    .tracker_path = w->repo.tracker,
                                    .drafts_dir = w->drafts,
                                    .version = GT_VERSION,
                                    .today = "2026-11-25"};
}

/* world_open, then one check run, as the weekly job would have done. */
static void world_checked(world *w)
{
    world_open(w);
    fgi_grad_check_result *r;
    ST_OK(fgi_grad_check_run(&w->o, &r));
    fgi_grad_check_result_free(r);
}

static const fgi_grad_kernel_result *result_of(const fgi_grad_check_result *r, const char *id)
{
    for (size_t i = 0; i < r->n_kernels; i++)
        if (!strcmp(r->kernels[i].report.kernel_id, id)) return &r->kernels[i];
    fail_msg("no result for %s", id);
    return NULL;
}

static json_t *candidate(const char *tracker, const char *op_name)
{
    json_t *doc = json_load_file(tracker, 0, NULL);
    assert_non_null(doc);
    size_t i;
    json_t *c, *found = NULL;
    json_array_foreach(json_object_get(doc, "graduation_candidates"), i, c)
        if (!strcmp(json_string_value(json_object_get(c, "op_name")), op_name)) found = json_incref(c);
    json_decref(doc);
    return found;
}

static const fgi_meta_op *meta_op(const char *file, const char *id)
{
    fgi_meta_options o = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_READONLY};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(file, &o, &s));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, id, &op));
    fgi_meta_close(s);
    return op;
}

static void test_first_run(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    fgi_grad_check_result *r;
    ST_OK(fgi_grad_check_run(&w.o, &r));
    assert_int_equal(r->n_kernels, 6);
    assert_int_equal(r->n_eligible, 1);
    assert_int_equal(r->n_promoted, 1);
    assert_int_equal(r->n_demoted, 2);
    assert_int_equal(r->n_drafts, 1);
    assert_true(r->metadata_written);
    assert_true(r->tracker_written);

    const fgi_grad_kernel_result *a = result_of(r, A);
    assert_int_equal(a->action, FGI_GRAD_PROMOTED);
    assert_int_equal(a->status_after, FGI_META_GRADUATION_CANDIDATE);
    assert_string_equal(a->tracker_status, "READY_FOR_REVIEW");
    assert_non_null(strstr(a->draft_path, "/drafts/" A ".md"));
    char *draft = mt_read(a->draft_path, NULL);
    assert_non_null(draft);
    assert_non_null(strstr(draft, "# [Graduation] `" A "` (fast_gelu) is ready for review"));
    assert_non_null(strstr(draft, "score of **1.000**"));
    assert_non_null(strstr(draft, "flag-gems-exp propose-graduation " A));
    assert_non_null(strstr(draft, "| cpu-zen3 | float32 | [2, 4096] | 0.950x | stable |"));
    free(draft);

    const fgi_grad_kernel_result *b = result_of(r, B);
    assert_int_equal(b->action, FGI_GRAD_UPDATED); /* checklist brought up to date, still VALIDATED */
    assert_string_equal(b->tracker_status, "BLOCKED");
    const fgi_grad_kernel_result *c = result_of(r, C);
    assert_int_equal(c->action, FGI_GRAD_DEMOTED);
    assert_int_equal(c->status_before, FGI_META_GRADUATION_CANDIDATE);
    assert_int_equal(c->status_after, FGI_META_EXPERIMENTAL);
    assert_non_null(strstr(c->demotion_reason, "demoted from GRADUATION_CANDIDATE on 2026-11-25: speedup "
                                               "0.600x is under the 0.80x threshold (1 of 3 baselines below)"));
    const fgi_grad_kernel_result *d = result_of(r, D);
    assert_int_equal(d->action, FGI_GRAD_DEMOTED);
    assert_non_null(strstr(d->demotion_reason, "demoted from VALIDATED on 2026-11-25: the accuracy run"));
    assert_int_equal(result_of(r, E)->action, FGI_GRAD_UPDATED); /* checklist facts only */
    assert_string_equal(result_of(r, E)->tracker_status, "");
    assert_int_equal(result_of(r, F)->action, FGI_GRAD_NONE);
    fgi_grad_check_result_free(r);

    /* metadata after the run */
    const fgi_meta_op *op = meta_op(w.repo.file, A);
    assert_int_equal(op->status, FGI_META_GRADUATION_CANDIDATE);
    assert_true(op->graduation_tracking.eligible);
    assert_true(op->graduation_tracking.checklist.stable_period_met);
    assert_true(op->graduation_tracking.checklist.multi_hardware_validated);
    fgi_meta_op_release(op);
    op = meta_op(w.repo.file, C);
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    assert_false(op->graduation_tracking.eligible);
    assert_int_equal(op->graduation_tracking.n_blocking_issues, 1);
    assert_non_null(strstr(op->graduation_tracking.blocking_issues[0], "speedup 0.600x"));
    fgi_meta_op_release(op);
    op = meta_op(w.repo.file, F);
    assert_int_equal(op->status, FGI_META_GRADUATED);
    fgi_meta_op_release(op);

    /* tracker after the run */
    json_t *ca = candidate(w.repo.tracker, "fast_gelu");
    assert_string_equal(json_string_value(json_object_get(ca, "status")), "READY_FOR_REVIEW");
    assert_string_equal(json_string_value(json_object_get(ca, "eligible_since")), "2026-11-25");
    assert_float_equal(json_number_value(json_object_get(ca, "graduation_score")), 1.0, 0);
    assert_int_equal(json_array_size(json_object_get(ca, "blocking_issues")), 0);
    assert_string_equal(json_string_value(json_object_get(ca, "next_action")),
                        "Create graduation PR: flag-gems-exp propose-graduation " A);
    json_decref(ca);
    json_t *cb = candidate(w.repo.tracker, "softmax");
    assert_string_equal(json_string_value(json_object_get(cb, "status")), "BLOCKED");
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(cb, "blocking_issues"), 0)),
                           "accuracy failed"));
    assert_non_null(strstr(json_string_value(json_object_get(cb, "next_action")), "Add 8 more shapes"));
    json_decref(cb);
    json_t *cc = candidate(w.repo.tracker, "layer_norm");
    json_t *issues = json_object_get(cc, "blocking_issues");
    assert_non_null(strstr(json_string_value(json_array_get(issues, json_array_size(issues) - 1)),
                           "demoted from GRADUATION_CANDIDATE"));
    json_decref(cc);
    assert_null(candidate(w.repo.tracker, "mm"));
    assert_null(candidate(w.repo.tracker, "bmm"));
    mt_repo_free(&w.repo);
}

static void test_idempotent(void **state)
{
    (void)state;
    world w;
    world_checked(&w);
    fgi_grad_check_result *r;
    char *meta1 = mt_read(w.repo.file, NULL), *trk1 = mt_read(w.repo.tracker, NULL);
    char draft[400];
    snprintf(draft, sizeof draft, "%s/%s.md", w.drafts, A);
    unlink(draft);
    w.o.today = "2026-11-26"; /* a day later: still nothing to change */
    ST_OK(fgi_grad_check_run(&w.o, &r));
    assert_int_equal(r->n_promoted, 0);
    assert_int_equal(r->n_demoted, 0);
    assert_int_equal(r->n_drafts, 0);
    assert_false(r->metadata_written);
    assert_false(r->tracker_written);
    for (size_t i = 0; i < r->n_kernels; i++) assert_int_equal(r->kernels[i].action, FGI_GRAD_NONE);
    fgi_grad_check_result_free(r);
    char *meta2 = mt_read(w.repo.file, NULL), *trk2 = mt_read(w.repo.tracker, NULL);
    assert_string_equal(meta1, meta2);
    assert_string_equal(trk1, trk2);
    assert_false(mt_exists(draft)); /* not newly eligible: no second draft */
    free(meta1), free(meta2), free(trk1), free(trk2);
    mt_repo_free(&w.repo);
}

static void test_revalidated_and_review(void **state)
{
    (void)state;
    world w;
    world_checked(&w);
    fgi_grad_check_result *r;
    /* D is fixed and re-validated by the testing tools */
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(w.repo.file, &mo, &s));
    fgi_meta_accuracy_result acc = {.passed = 1, .test_cases = 80, .run_time = "2026-11-27T09:00:00Z"};
    fgi_meta_validation_result vr = {.accuracy = &acc};
    ST_OK(fgi_meta_update_validation_status(s, D, &vr));
    fgi_meta_close(s);
    /* A's PR is open */
    fgi_meta_options to = {.kind = FGI_META_KIND_TRACKER};
    ST_OK(fgi_meta_open(w.repo.tracker, &to, &s));
    const fgi_meta_op *a = meta_op(w.repo.file, A);
    fgi_meta_candidate c = {.op_id = a->op_id, .op_name = "fast_gelu", .status = "PR_CREATED",
                            .eligible_since = "2026-11-25", .graduation_score = 1.0, .pr_number = 42,
                            .next_action = "review"};
    ST_OK(fgi_meta_tracker_upsert_candidate(s, &c));
    fgi_meta_op_release(a);
    fgi_meta_close(s);

    w.o.today = "2026-11-28";
    ST_OK(fgi_grad_check_run(&w.o, &r));
    const fgi_grad_kernel_result *d = result_of(r, D);
    assert_int_equal(d->action, FGI_GRAD_PROMOTED);
    assert_int_equal(d->status_after, FGI_META_GRADUATION_CANDIDATE);
    assert_true(d->report.eligible);
    assert_non_null(strstr(d->draft_path, D ".md"));
    assert_string_equal(result_of(r, A)->tracker_status, "PR_CREATED");
    fgi_grad_check_result_free(r);
    const fgi_meta_op *op = meta_op(w.repo.file, D);
    assert_int_equal(op->graduation_tracking.n_blocking_issues, 0); /* the demotion note is gone */
    fgi_meta_op_release(op);
    json_t *cd = candidate(w.repo.tracker, "rms_norm");
    assert_string_equal(json_string_value(json_object_get(cd, "status")), "READY_FOR_REVIEW");
    assert_string_equal(json_string_value(json_object_get(cd, "eligible_since")), "2026-11-28");
    json_decref(cd);
    json_t *ca = candidate(w.repo.tracker, "fast_gelu");
    assert_string_equal(json_string_value(json_object_get(ca, "status")), "PR_CREATED");
    assert_int_equal(json_integer_value(json_object_get(ca, "pr_number")), 42);
    assert_string_equal(json_string_value(json_object_get(ca, "next_action")), "Follow the graduation PR to its merge");
    json_decref(ca);
    mt_repo_free(&w.repo);
}

static void test_dry_run_and_subset(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    char *meta0 = mt_read(w.repo.file, NULL);
    w.o.dry_run = 1;
    fgi_grad_check_result *r;
    ST_OK(fgi_grad_check_run(&w.o, &r));
    assert_true(r->dry_run);
    assert_int_equal(r->n_promoted, 1);
    assert_int_equal(r->n_demoted, 2);
    assert_int_equal(r->n_drafts, 0);
    assert_false(r->metadata_written);
    char *md = fgi_grad_check_result_to_markdown(r);
    assert_non_null(strstr(md, "(dry run: nothing written)"));
    assert_non_null(strstr(md, "| " C " | GRADUATION_CANDIDATE -> EXPERIMENTAL |"));
    free(md);
    char *js = fgi_grad_check_result_to_json(r);
    json_t *doc = json_loads(js, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "demoted")), 2);
    json_decref(doc);
    free(js);
    fgi_grad_check_result_free(r);
    char *meta1 = mt_read(w.repo.file, NULL);
    assert_string_equal(meta0, meta1);
    assert_false(mt_exists(w.repo.tracker));
    free(meta1);

    /* only the named kernels */
    w.o.dry_run = 0;
    const char *ids[] = {B};
    w.o.kernel_ids = ids;
    w.o.n_kernel_ids = 1;
    ST_OK(fgi_grad_check_run(&w.o, &r));
    assert_int_equal(r->n_kernels, 1);
    fgi_grad_check_result_free(r);
    const char *by_op[] = {"softmax", "mm"}; /* op names: every kernel of each */
    w.o.kernel_ids = by_op;
    w.o.n_kernel_ids = 2;
    w.o.dry_run = 1;
    ST_OK(fgi_grad_check_run(&w.o, &r));
    assert_int_equal(r->n_kernels, 2);
    assert_string_equal(r->kernels[0].report.kernel_id, B);
    assert_string_equal(r->kernels[1].report.kernel_id, E);
    fgi_grad_check_result_free(r);
    w.o.dry_run = 0;
    json_t *cb = candidate(w.repo.tracker, "softmax");
    assert_non_null(cb);
    json_decref(cb);
    assert_null(candidate(w.repo.tracker, "fast_gelu"));
    free(meta0);
    mt_repo_free(&w.repo);
}

static void test_refusals(void **state)
{
    (void)state;
    world w;
    world_open(&w);
    char *meta0 = mt_read(w.repo.file, NULL);
    fgi_grad_check_result *r = (fgi_grad_check_result *)1;
    fgi_grad_check_options o = w.o;
    const char *ids[] = {A, "nope.cpu.custom.v1"};
    o.kernel_ids = ids;
    o.n_kernel_ids = 2;
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_NOT_FOUND, "no kernel or op named 'nope.cpu.custom.v1'");
    assert_null(r);
    o = w.o;
    o.today = "25/11/2026";
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_INVALID_ARG, "today \"25/11/2026\" is not a date");
    o = w.o;
    o.version = "next";
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_INVALID_ARG, "version \"next\"");
    o = w.o;
    char nodir[400];
    snprintf(nodir, sizeof nodir, "%s/missing", w.repo.root);
    o.drafts_dir = nodir;
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_NOT_FOUND, "drafts folder");
    o = w.o;
    fgi_grad_policy p;
    fgi_grad_policy_default(&p);
    p.pass_score = 0;
    o.policy = &p;
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_INVALID_ARG, "pass_score");
    o = w.o;
    o.metadata_path = nodir;
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_NOT_FOUND, "missing");
    ST_ERR(fgi_grad_check_run(NULL, &r), FG_ERR_NULL, "metadata_path");
    /* a corrupt tracker is refused before anything is written */
    mt_write(w.repo.tracker, "{\"tracking_version\": ", 21);
    o = w.o;
    ST_ERR(fgi_grad_check_run(&o, &r), FG_ERR_PARSE, "tracker");
    char *meta1 = mt_read(w.repo.file, NULL);
    assert_string_equal(meta0, meta1);
    free(meta0), free(meta1);
    mt_repo_free(&w.repo);
}

/* The bulk upsert the checker relies on: all or nothing. */
static void test_tracker_bulk(void **state)
{
    (void)state;
    mt_repo r;
    mt_repo_init(&r);
    fgi_meta_options o = {.kind = FGI_META_KIND_TRACKER, .flags = FGI_META_CREATE};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(r.tracker, &o, &s));
    fgi_meta_candidate c[3] = {
        {.op_id = "550e8400-e29b-41d4-a716-446655440000", .op_name = "a", .status = "BLOCKED",
         .eligible_since = "2026-11-25", .graduation_score = 0.5, .next_action = "x"},
        {.op_id = "550e8400-e29b-41d4-a716-446655440001", .op_name = "b", .status = "READY_FOR_REVIEW",
         .eligible_since = "2026-11-25", .graduation_score = 0.9, .next_action = "y"},
        {.op_id = "550e8400-e29b-41d4-a716-446655440002", .op_name = "c", .status = "BLOCKED",
         .eligible_since = "2026-11-25", .graduation_score = 2.0, .next_action = "z"}};
    char *before = mt_read(r.tracker, NULL);
    ST_ERR(fgi_meta_tracker_upsert_candidates(s, c, 3), FG_ERR_INVALID_ARG, "graduation_score");
    char *after = mt_read(r.tracker, NULL);
    assert_string_equal(before, after);
    free(after);
    ST_OK(fgi_meta_tracker_upsert_candidates(s, c, 2));
    ST_OK(fgi_meta_tracker_upsert_candidates(s, NULL, 0));
    ST_ERR(fgi_meta_tracker_upsert_candidates(s, NULL, 1), FG_ERR_NULL, "NULL");
    fgi_meta_close(s);
    json_t *doc = json_load_file(r.tracker, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "graduation_candidates")), 2);
    json_decref(doc);
    free(before);
    mt_repo_free(&r);
}

/* Drafts and PR texts are written whole or not at all, leaving no temp file. */
static void test_write_file(void **state)
{
    (void)state;
    mt_repo r;
    mt_repo_init(&r);
    char path[400];
    snprintf(path, sizeof path, "%s/draft.md", r.root);
    ST_OK(fgi_write_file_durable(path, "one\n", 4));
    ST_OK(fgi_write_file_durable(path, "two\n", 4));
    char *text = mt_read(path, NULL);
    assert_string_equal(text, "two\n");
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    int files = 0;
    DIR *d = opendir(r.root);
    for (struct dirent *e; (e = readdir(d));) files += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1); /* no temp file left */
    snprintf(path, sizeof path, "%s/missing/draft.md", r.root);
    ST_ERR(fgi_write_file_durable(path, "x", 1), FG_ERR_IO, "missing/draft.md");
    ST_ERR(fgi_write_file_durable(NULL, "x", 1), FG_ERR_NULL, "required");
    mt_repo_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_run),          cmocka_unit_test(test_idempotent),
        cmocka_unit_test(test_revalidated_and_review), cmocka_unit_test(test_dry_run_and_subset),
        cmocka_unit_test(test_refusals),           cmocka_unit_test(test_tracker_bulk),
        cmocka_unit_test(test_write_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
