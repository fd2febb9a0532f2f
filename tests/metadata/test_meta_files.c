/* What is on disk: the .bak, recovery from corruption with its exact
 * report, refusals that change nothing, versions (migration of 0.9, newer
 * refused), stale temp files, file order. */
#include "meta_test.h"

#include <fcntl.h>
#include <jansson.h>

static int setup(void **state)
{
    mt_repo *r = calloc(1, sizeof *r);
    mt_repo_init(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    mt_repo_free(*state);
    free(*state);
    return 0;
}

static fgi_meta_store *open_flags(const char *path, fgi_meta_kind kind, unsigned flags)
{
    fgi_meta_options o = {kind, flags, NULL};
    fgi_meta_store *s = NULL;
    ST_OK(fgi_meta_open(path, &o, &s));
    return s;
}

static fg_status try_open(const char *path, unsigned flags, fgi_meta_store **s)
{
    fgi_meta_options o = {FGI_META_KIND_METADATA, flags, NULL};
    return fgi_meta_open(path, &o, s);
}

/* A store with the seed's entry whose .bak is the seed file itself. */
static void seed_with_bak(mt_repo *r)
{
    size_t n;
    char *seed = mt_fixture("seed_example.json", &n);
    mt_write(r->file, seed, n);
    free(seed);
    fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    ST_OK(fgi_meta_update_op(s, "fast_gelu_v1", "{\"graduation_tracking\": {\"eligible\": true}}"));
    fgi_meta_close(s);
}

static void test_recover_truncated(void **state)
{
    mt_repo *r = *state;
    seed_with_bak(r);
    size_t n;
    char *good = mt_read(r->file, &n);
    char *bak = mt_read(r->bak, NULL);
    mt_write(r->file, good, n / 2); /* truncated */
    fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    const char *rep = fgi_meta_open_report(s);
    char corrupt[400];
    snprintf(corrupt, sizeof corrupt, "%s.corrupt", r->file);
    char expect_tail[600];
    snprintf(expect_tail, sizeof expect_tail,
             "); restored it from _metadata.json.bak (last_updated 2025-12-19T10:30:00Z, 1 op(s)); "
             "the unusable file was moved to %s",
             corrupt);
    assert_memory_equal(rep, "recovered: _metadata.json was unusable (line ", 45);
    if (!strstr(rep, "end of file") && !strstr(rep, "premature end")) fail_msg("%s", rep);
    size_t rl = strlen(rep), tl = strlen(expect_tail);
    assert_true(rl > tl);
    assert_string_equal(rep + rl - tl, expect_tail);
    /* The restored document is the backup's (eligible is false there). */
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "fast_gelu_v1", &op));
    assert_int_equal(op->graduation_tracking.eligible, 0);
    fgi_meta_op_release(op);
    fgi_meta_close(s);
    /* The bad bytes are kept; the backup is untouched; the file is valid. */
    size_t cn;
    char *c = mt_read(corrupt, &cn);
    assert_int_equal(cn, n / 2);
    assert_memory_equal(c, good, cn);
    char *bak2 = mt_read(r->bak, NULL);
    assert_string_equal(bak, bak2);
    s = open_flags(r->file, FGI_META_KIND_METADATA, FGI_META_NO_RECOVER);
    assert_string_equal(fgi_meta_open_report(s), "");
    fgi_meta_close(s);
    free(good);
    free(bak);
    free(bak2);
    free(c);
}

static void test_recover_schema_invalid_and_empty(void **state)
{
    mt_repo *r = *state;
    seed_with_bak(r);
    char *good = mt_read(r->file, NULL);
    char *bad = strdup(good);
    char *st = strstr(bad, "\"VALIDATED\"");
    assert_non_null(st);
    memcpy(st, "\"VALIDATEX\"", 11);
    mt_write(r->file, bad, strlen(bad));
    fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    assert_non_null(strstr(fgi_meta_open_report(s),
                           "was unusable (ops.fast_gelu_v1.status: expected one of EXPERIMENTAL, "
                           "VALIDATED, GRADUATION_CANDIDATE, GRADUATED, STABLE, DEPRECATED, got "
                           "\"VALIDATEX\")"));
    fgi_meta_close(s);

    mt_write(r->file, "", 0);
    s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    assert_non_null(strstr(fgi_meta_open_report(s), "(the file is empty (truncated))"));
    fgi_meta_close(s);

    /* Missing file but a backup: restored. */
    unlink(r->file);
    s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    assert_non_null(strstr(fgi_meta_open_report(s), "(the file is missing while its backup exists)"));
    assert_null(strstr(fgi_meta_open_report(s), "moved to"));
    assert_int_equal(fgi_meta_count(s), 1);
    fgi_meta_close(s);
    assert_true(mt_exists(r->file));
    free(good);
    free(bad);
}

static void test_refuse_when_backup_bad(void **state)
{
    mt_repo *r = *state;
    seed_with_bak(r);
    mt_write(r->file, "{\"version\": \"1.0\",", 19);
    mt_write(r->bak, "garbage", 7);
    fgi_meta_store *s = NULL;
    ST_ERR(try_open(r->file, 0, &s), FG_ERR_PARSE, "_metadata.json: line 1, column 19:");
    assert_null(s);
    assert_non_null(strstr(fg_last_error(), "; backup "));
    assert_non_null(strstr(fg_last_error(), "_metadata.json.bak: line 1, column"));
    assert_non_null(strstr(fg_last_error(), "; nothing was changed"));
    /* Nothing was changed. */
    size_t n;
    char *f = mt_read(r->file, &n);
    assert_int_equal(n, 19);
    free(f);
    f = mt_read(r->bak, &n);
    assert_int_equal(n, 7);
    free(f);
    char corrupt[400];
    snprintf(corrupt, sizeof corrupt, "%s.corrupt", r->file);
    assert_false(mt_exists(corrupt));

    unlink(r->bak);
    ST_ERR(try_open(r->file, 0, &s), FG_ERR_PARSE, "backup");
    assert_non_null(strstr(fg_last_error(), "no backup exists; nothing was changed"));
}

static void test_no_recover_and_readonly(void **state)
{
    mt_repo *r = *state;
    seed_with_bak(r);
    mt_write(r->file, "{", 1);
    fgi_meta_store *s = NULL;
    ST_ERR(try_open(r->file, FGI_META_NO_RECOVER, &s), FG_ERR_PARSE, "recovery from the backup is off");
    s = open_flags(r->file, FGI_META_KIND_METADATA, FGI_META_READONLY);
    assert_non_null(strstr(fgi_meta_open_report(s), "; read-only: nothing was written"));
    assert_int_equal(fgi_meta_count(s), 1);
    fgi_meta_close(s);
    size_t n;
    char *f = mt_read(r->file, &n);
    assert_int_equal(n, 1);
    free(f);
}

static void test_versions(void **state)
{
    mt_repo *r = *state;
    seed_with_bak(r);
    char *good = mt_read(r->file, NULL);
    static const struct {
        const char *version, *msg;
    } cases[] = {
        {"1.1", "version 1.1 is newer than this library supports (1.0); upgrade libflaggems"},
        {"2.0", "version 2.0 is newer than this library supports (1.0)"},
        {"0.5", "version 0.5 is older than any layout this library can migrate (0.9)"},
    };
    for (size_t i = 0; i < 3; i++) {
        char *doc = strdup(good);
        char *v = strstr(doc, "\"version\": \"1.0\"");
        memcpy(v + 12, cases[i].version, 3);
        mt_write(r->file, doc, strlen(doc));
        fgi_meta_store *s = NULL;
        ST_ERR(try_open(r->file, 0, &s), FG_ERR_UNSUPPORTED, cases[i].msg);
        /* A newer file is not "corrupt": the backup is not used. */
        char *after = mt_read(r->file, NULL);
        assert_string_equal(doc, after);
        free(after);
        free(doc);
    }
    mt_write(r->file, "{\"version\": \"one\", \"ops\": {}}", 29);
    fgi_meta_store *s = NULL;
    ST_ERR(try_open(r->file, FGI_META_NO_RECOVER, &s), FG_ERR_PARSE,
           "version: expected a version like \"1.0\", got \"one\"");
    mt_write(r->file, "{\"ops\": {}}", 11);
    ST_ERR(try_open(r->file, FGI_META_NO_RECOVER, &s), FG_ERR_PARSE,
           "version: expected a version string like \"1.0\", got nothing (missing required key)");
    free(good);
}

static void test_migration_0_9(void **state)
{
    mt_repo *r = *state;
    size_t n;
    char *old = mt_fixture("v0_9.json", &n);
    mt_write(r->file, old, n);

    /* Read-only: migrated in memory, the file stays 0.9. */
    fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA, FGI_META_READONLY);
    assert_string_equal(fgi_meta_open_report(s),
                        "migrated: _metadata.json had version 0.9; upgraded to 1.0 (2 ops, 2 "
                        "op_id(s) assigned); read-only: the file was not rewritten");
    fgi_meta_close(s);
    char *still = mt_read(r->file, NULL);
    assert_string_equal(still, old);
    free(still);

    s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    assert_string_equal(fgi_meta_open_report(s),
                        "migrated: _metadata.json had version 0.9; upgraded to 1.0 (2 ops, 2 "
                        "op_id(s) assigned); the version 0.9 file is kept as the .bak");
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, "fast_gelu_v1", &op));
    assert_int_equal(op->status, FGI_META_VALIDATED);
    assert_int_equal(op->code_location.line_start, 10);
    assert_int_equal(op->code_location.line_end, 60);
    const fgi_meta_baseline *b = &op->validation_info.performance_tests.baselines[0];
    assert_int_equal(b->shape_len, 2);
    assert_int_equal(b->shape[0], 8192);
    assert_int_equal(b->shape[1], 4096);
    assert_true(b->memory_overhead == 0.0);
    assert_true(b->speedup == 1.2);
    char id[37];
    snprintf(id, sizeof id, "%s", op->op_id);
    assert_int_equal(id[14], '4');
    fgi_meta_op_release(op);
    ST_OK(fgi_meta_get_op(s, "softmax.cpu.gen.rows_le_1024_v8", &op));
    assert_int_equal(op->status, FGI_META_EXPERIMENTAL);
    assert_string_equal(op->hardware_support.shape_constraints, "{\"max_cols\":1024}");
    assert_string_equal(op->group, "generated");
    fgi_meta_op_release(op);
    fgi_meta_close(s);

    /* Written as 1.0 at once, so every process sees the same op_ids. */
    char *bak = mt_read(r->bak, NULL);
    assert_string_equal(bak, old);
    free(bak);
    char *now = mt_read(r->file, NULL);
    assert_non_null(strstr(now, "\"version\": \"1.0\"\n}\n"));
    free(now);
    s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    assert_string_equal(fgi_meta_open_report(s), "");
    ST_OK(fgi_meta_get_op(s, "fast_gelu_v1", &op));
    assert_string_equal(op->op_id, id);
    fgi_meta_op_release(op);
    fgi_meta_close(s);

    /* A 0.9 file that cannot be migrated says where. */
    char *bad = strdup(old);
    char *sh = strstr(bad, "\"(8192, 4096)\"");
    memcpy(sh, "\"(8192, xxxx)\"", 14);
    mt_write(r->file, bad, strlen(bad));
    unlink(r->bak);
    s = NULL;
    ST_ERR(try_open(r->file, 0, &s), FG_ERR_PARSE,
           "cannot migrate version 0.9: ops[0].validation_info.performance_tests.baselines[0]."
           "shape: expected a shape like \"(8192, 4096)\", got \"(8192, xxxx)\"");
    free(bad);
    bad = strdup(old);
    char *k2 = strstr(bad, "softmax.cpu.gen.rows_le_1024_v8");
    memcpy(k2, "fast_gelu_v1\",\"x\":\"", 19);
    mt_write(r->file, bad, strlen(bad));
    ST_ERR(try_open(r->file, 0, &s), FG_ERR_PARSE, "ops[1].kernel_id: \"fast_gelu_v1\" appears twice");
    free(bad);
    free(old);
}

static void test_stale_temps_removed(void **state)
{
    mt_repo *r = *state;
    fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA, FGI_META_CREATE);
    fgi_meta_close(s);
    char t1[400], t2[400], other[400];
    snprintf(t1, sizeof t1, "%s/._metadata.json.tmp.99999.7", r->root);
    snprintf(t2, sizeof t2, "%s/._metadata.json.baktmp.99999.7", r->root);
    snprintf(other, sizeof other, "%s/.other.json.tmp.1.1", r->root);
    mt_write(t1, "{", 1);
    mt_write(t2, "{", 1);
    mt_write(other, "{", 1);
    s = open_flags(r->file, FGI_META_KIND_METADATA, 0);
    fgi_meta_close(s);
    assert_false(mt_exists(t1));
    assert_false(mt_exists(t2));
    assert_true(mt_exists(other));
    /* A read-only open leaves them (it could race a writer holding the lock). */
    mt_write(t1, "{", 1);
    s = open_flags(r->file, FGI_META_KIND_METADATA, FGI_META_READONLY);
    fgi_meta_close(s);
    assert_true(mt_exists(t1));
}

static void test_duplicate_op_id_and_order(void **state)
{
    (void)state;
    size_t n;
    char *seed = mt_fixture("seed_example.json", &n);
    json_t *j = json_loads(seed, 0, NULL);
    json_t *ops = json_object_get(j, "ops");
    json_t *e = json_object_get(ops, "fast_gelu_v1");
    /* Keys in reverse order in the file: the store writes them sorted. */
    json_t *ops2 = json_object();
    json_object_set_new(ops2, "zz_last", json_deep_copy(e));
    json_object_set_new(ops2, "aa_first", json_deep_copy(e));
    json_object_set(j, "ops", ops2);
    char *text = json_dumps(j, 0);
    fgi_meta_store *s = NULL;
    ST_ERR(fgi_meta_open_buffer(text, strlen(text), NULL, "dup", &s), FG_ERR_PARSE,
           "\"550e8400-e29b-41d4-a716-446655440000\" is also the op_id of");
    free(text);
    json_object_set_new(json_object_get(ops2, "aa_first"), "op_id",
                        json_string("6ba7b810-9dad-41d1-80b4-00c04fd430c8"));
    text = json_dumps(j, 0);
    ST_OK(fgi_meta_open_buffer(text, strlen(text), NULL, "order", &s));
    char *canon;
    ST_OK(fgi_meta_to_json(s, &canon, NULL));
    assert_true(strstr(canon, "\"aa_first\"") < strstr(canon, "\"zz_last\""));
    fgi_meta_op_list l;
    ST_OK(fgi_meta_query_ops(s, NULL, &l));
    assert_string_equal(l.ops[0]->kernel_id, "aa_first");
    fgi_meta_op_list_release(&l);
    fgi_meta_free(canon);
    fgi_meta_close(s);
    free(text);
    json_decref(j);
    json_decref(ops2);
    free(seed);
}

static void test_tracker_recovery(void **state)
{
    mt_repo *r = *state;
    size_t n;
    char *seed = mt_fixture("tracker_seed.json", &n);
    mt_write(r->tracker, seed, n);
    free(seed);
    fgi_meta_store *t = open_flags(r->tracker, FGI_META_KIND_TRACKER, 0);
    fgi_meta_graduated g = {"relu", "v4.4", "2025-12-21", "v4.5"};
    ST_OK(fgi_meta_tracker_add_graduated(t, &g));
    fgi_meta_close(t);
    char *good = mt_read(r->tracker, &n);
    mt_write(r->tracker, good, n - 40);
    t = open_flags(r->tracker, FGI_META_KIND_TRACKER, 0);
    assert_non_null(strstr(fgi_meta_open_report(t), "recovered: tracker.json was unusable (line"));
    assert_non_null(strstr(fgi_meta_open_report(t),
                           "restored it from tracker.json.bak (last_updated 2025-12-19T10:30:00Z, "
                           "1 candidate(s))"));
    fgi_meta_close(t);
    /* Schema errors in a tracker carry paths too. */
    const char *bad = "{\"tracking_version\": \"1.0\", \"last_updated\": \"2025-12-19T10:30:00Z\", "
                      "\"graduation_candidates\": [{\"op_id\": 5}], \"recently_graduated\": []}";
    fgi_meta_options o = {FGI_META_KIND_TRACKER, 0, NULL};
    ST_ERR(fgi_meta_open_buffer(bad, strlen(bad), &o, "t", &t), FG_ERR_PARSE,
           "graduation_candidates[0].op_id: expected a string, got 5");
    assert_non_null(strstr(fg_last_error(), "graduation_candidates[0].op_name: missing required key"));
    const char *newer = "{\"tracking_version\": \"3.0\"}";
    ST_ERR(fgi_meta_open_buffer(newer, strlen(newer), &o, "t", &t), FG_ERR_UNSUPPORTED,
           "tracking_version 3.0 is newer than this library supports (1.0)");
    free(good);
}

/* A handle that writes every change keeps no hash of what it wrote: when
 * the file looks changed (times, inode) it compares it with its document.
 * A touch is no change; a foreign edit of the same size that keeps the
 * first bytes is one, and is read before the next change, never lost. */
static void test_foreign_same_size_edit(void **state)
{
    mt_repo *r = *state;
    for (int manual = 0; manual < 2; manual++) {
        remove(r->file);
        remove(r->bak);
        fgi_meta_store *s = open_flags(r->file, FGI_META_KIND_METADATA,
                                       FGI_META_CREATE | (manual ? FGI_META_MANUAL_SAVE : 0));
        char e[512];
        ST_OK(fgi_meta_register_op(s, "k", mt_entry(e, sizeof e, "relu", "pointwise")));
        ST_OK(fgi_meta_save(s));
        /* touched, not changed */
        struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 0}, {.tv_sec = 1000000000, .tv_nsec = 0}};
        assert_int_equal(utimensat(AT_FDCWD, r->file, times, 0), 0);
        ST_OK(fgi_meta_update_op(s, "k", "{\"status\": \"VALIDATED\"}"));
        ST_OK(fgi_meta_save(s));
        char *text = mt_read(r->file, NULL);
        assert_non_null(strstr(text, "\"status\": \"VALIDATED\""));
        /* a foreign edit: same size, same first bytes, new content */
        char *at = strstr(text, "\"test_cases\": 0");
        assert_non_null(at);
        at[strlen("\"test_cases\": ")] = '7';
        size_t len = strlen(text);
        char tmp[400];
        snprintf(tmp, sizeof tmp, "%s.edit", r->file);
        mt_write(tmp, text, len);
        assert_int_equal(rename(tmp, r->file), 0);
        free(text);
        if (manual) {
            /* nothing unsaved: the change is applied to the re-read file */
            ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"blocking_issues\": [\"x\"]}}"));
            ST_OK(fgi_meta_save(s));
        } else {
            ST_OK(fgi_meta_update_op(s, "k", "{\"graduation_tracking\": {\"blocking_issues\": [\"x\"]}}"));
        }
        text = mt_read(r->file, NULL);
        assert_non_null(strstr(text, "\"test_cases\": 7"));
        assert_non_null(strstr(text, "\"blocking_issues\": [\"x\"]"));
        free(text);
        fgi_meta_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recover_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_schema_invalid_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_when_backup_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_recover_and_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_0_9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_temps_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_op_id_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracker_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_same_size_edit, setup, teardown),
    };
    return cmocka_run_group_tests_name("metadata_files", tests, NULL, NULL);
}
