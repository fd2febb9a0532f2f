/* The proposer end to end on a repository each test builds with libgit2
 * (the project's real kernels.def, aliases.def and public headers, a
 * custom kernel, metadata the checker has judged), every refusal path, a
 * rollback, and a dry run against the project's own tree. */
#include <git2.h>
#include <jansson.h>
#include <sys/wait.h>

#include "grad_test.h"

#define K "fast_gelu.cpu.custom.avx2_v1"
#define K2 "fast_gelu.cpu.custom.generic_v1"
#define SRC "src/experimental/custom/pointwise/fast_gelu_avx2.c"
#define DST "src/ops/cpu/fast_gelu_avx2.c"
#define TODAY "2026-11-25"

typedef struct trepo {
    mt_repo dir;
    char root[300];   /* with a trailing '/' */
    git_repository *repo;
    git_oid main_oid;
    char pr_file[400];
} trepo;

/* git status --untracked-files=all, ignored files left out */
static git_status_list *status_of(git_repository *repo)
{
    git_status_options so;
    git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
    so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    git_status_list *st = NULL;
    if (git_status_list_new(&st, repo, &so) < 0) fail_msg("status: %s", git_error_last()->message);
    return st;
}

#define GIT_OK(expr)                                                                   \
    do {                                                                               \
        int rc_ = (expr);                                                              \
        if (rc_ < 0) fail_msg("%s -> %d: %s", #expr, rc_, git_error_last()->message);  \
    } while (0)

static void put(trepo *t, const char *rel, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s%s", t->root, rel);
    for (char *s = strchr(path + strlen(t->root), '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    mt_write(path, text, strlen(text));
}

/* The file's text; NULL when missing or not a regular file. */
static char *get(const trepo *t, const char *rel)
{
    char path[700];
    snprintf(path, sizeof path, "%s%s", t->root, rel);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? mt_read(path, NULL) : NULL;
}

static int has(const trepo *t, const char *rel)
{
    char path[700];
    snprintf(path, sizeof path, "%s%s", t->root, rel);
    return mt_exists(path);
}

static void copy_from_project(trepo *t, const char *rel)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", FG_GRAD_SOURCE_DIR, rel);
    char *text = mt_read(path, NULL);
    if (!text) fail_msg("cannot read %s", path);
    put(t, rel, text);
    free(text);
}

static void commit_all(trepo *t, const char *msg)
{
    git_index *idx;
    git_oid tree_oid, oid;
    git_tree *tree;
    git_signature *sig;
    GIT_OK(git_repository_index(&idx, t->repo));
    GIT_OK(git_index_add_all(idx, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL));
    GIT_OK(git_index_update_all(idx, NULL, NULL, NULL));
    GIT_OK(git_index_write(idx));
    GIT_OK(git_index_write_tree(&tree_oid, idx));
    GIT_OK(git_tree_lookup(&tree, t->repo, &tree_oid));
    GIT_OK(git_signature_now(&sig, "Test", "test@example.invalid"));
    git_commit *parent = NULL;
    git_reference *head = NULL;
    if (git_repository_head(&head, t->repo) == 0) {
        GIT_OK(git_commit_lookup(&parent, t->repo, git_reference_target(head)));
        git_reference_free(head);
    }
    GIT_OK(git_commit_create_v(&oid, t->repo, "HEAD", sig, sig, NULL, msg, tree, parent ? 1 : 0, parent));
    git_oid_cpy(&t->main_oid, &oid);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    git_index_free(idx);
}

static const char *const custom_def =
    "/* Hand-written experimental kernels (test copy). */\n\n"
    "/* x * sigmoid(1.702 x) */\n"
    "FGI_EXP_KERNEL(fast_gelu_avx2, \"" K "\", fast_gelu, false, ALL, AVX2, 10, fgi_supports_any, "
    "fgi_custom_fast_gelu_avx2)\n"
    "FGI_EXP_KERNEL(fast_gelu_generic, \"" K2 "\", fast_gelu, false, ALL, 0, 0, fgi_supports_any, "
    "fgi_custom_fast_gelu_generic)\n";

/* A repository on branch main: the project's lists and headers, two
 * custom kernels (K eligible, K2 not), metadata and a tracker written by
 * the checker, all committed. */
static void trepo_open(trepo *t)
{
    memset(t, 0, sizeof *t);
    mt_repo_init(&t->dir);
    char dotgit[320];
    snprintf(dotgit, sizeof dotgit, "%s/.git", t->dir.root);
    rmdir(dotgit); /* libgit2 makes the real one */
    snprintf(t->root, sizeof t->root, "%s/", t->dir.root);
    snprintf(t->pr_file, sizeof t->pr_file, "%s/../%s.pr.md", t->dir.root, strrchr(t->dir.root, '/') + 1);
    git_repository_init_options io;
    git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    io.flags = GIT_REPOSITORY_INIT_MKPATH;
    io.initial_head = "main";
    GIT_OK(git_repository_init_ext(&t->repo, t->dir.root, &io));
    copy_from_project(t, "src/ops/kernels.def");
    copy_from_project(t, "src/ops/aliases.def");
    copy_from_project(t, "include/flaggems/flaggems.h");
    copy_from_project(t, "include/flaggems/experimental.h");
    copy_from_project(t, "src/experimental/generated/kernels.def");
    put(t, "src/experimental/custom/kernels.def", custom_def);
    put(t, SRC, "/* the AVX2 kernel */\nint fgi_test_avx2;\n");
    put(t, "src/experimental/custom/pointwise/fast_gelu.c", "/* the portable kernel */\nint fgi_test_generic;\n");
    put(t, "tests/test_pinned.c", "/* pins the kernel */\nstatic const char *id = \"" K "\";\n");
    put(t, ".gitignore", "build/\n*.json.bak\n*.json.lock\n*.json.corrupt\n");

    char meta[700];
    snprintf(meta, sizeof meta, "%ssrc/experimental/generated/_metadata.json", t->root);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_CREATE, .repo_root = t->dir.root};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(meta, &mo, &s));
    kspec k = ks_eligible();
    k.file_path = SRC;
    ks_add(s, K, &k);
    k.file_path = "src/experimental/custom/pointwise/fast_gelu.c";
    k.n_devices = 1;
    k.review = 0;
    k.since = "0.2.0"; /* score 0.775 */
    ks_add(s, K2, &k);
    fgi_meta_close(s);
    /* the checker marks K a candidate and tracks it */
    char tracker[700];
    snprintf(tracker, sizeof tracker, "%ssrc/experimental/graduation/tracker.json", t->root);
    char gdir[700];
    snprintf(gdir, sizeof gdir, "%ssrc/experimental/graduation", t->root);
    mkdir(gdir, 0755);
    fgi_grad_check_options co = {.metadata_path = meta, .tracker_path = tracker, .version = GT_VERSION,
                                 .today = TODAY};
    fgi_grad_check_result *cr;
    ST_OK(fgi_grad_check_run(&co, &cr));
    assert_int_equal(cr->n_eligible, 1);
    fgi_grad_check_result_free(cr);
    commit_all(t, "initial");
}

static void trepo_close(trepo *t)
{
    git_repository_free(t->repo);
    unlink(t->pr_file);
    mt_repo_free(&t->dir);
}

static fgi_grad_propose_options opts(trepo *t, const char *kernel, int dry)
{
    return (fgi_grad_propose_options){.repo_path = t->dir.root, .kernel_id = kernel, .version = GT_VERSION,
                                      .today = TODAY, .pr_file = t->pr_file, .dry_run = dry,
                                      .author_name = "Grad Test", .author_email = "grad@example.invalid"};
}

/* What must not change when the proposer refuses: HEAD, main, the
 * branches, the status of the work tree and the files. */
typedef struct snap {
    char head[200];
    git_oid main_oid;
    size_t n_branches;
    size_t n_status;
    char *files[4];
} snap;

static const char *const watched[4] = {"src/experimental/custom/kernels.def", "src/ops/kernels.def",
                                       "src/experimental/generated/_metadata.json",
                                       "src/experimental/graduation/tracker.json"};

static void take(trepo *t, snap *s)
{
    memset(s, 0, sizeof *s);
    git_reference *h;
    GIT_OK(git_reference_lookup(&h, t->repo, "HEAD"));
    snprintf(s->head, sizeof s->head, "%s",
             git_reference_type(h) == GIT_REFERENCE_SYMBOLIC ? git_reference_symbolic_target(h) : "detached");
    git_reference_free(h);
    GIT_OK(git_reference_name_to_id(&s->main_oid, t->repo, "refs/heads/main"));
    git_branch_iterator *it;
    git_reference *r;
    git_branch_t type;
    GIT_OK(git_branch_iterator_new(&it, t->repo, GIT_BRANCH_LOCAL));
    while (git_branch_next(&r, &type, it) == 0) {
        s->n_branches++;
        git_reference_free(r);
    }
    git_branch_iterator_free(it);
    git_status_list *st = status_of(t->repo);
    s->n_status = git_status_list_entrycount(st);
    git_status_list_free(st);
    for (int i = 0; i < 4; i++) s->files[i] = get(t, watched[i]);
}

static void same(trepo *t, snap *before)
{
    snap now;
    take(t, &now);
    assert_string_equal(now.head, before->head);
    assert_true(git_oid_equal(&now.main_oid, &before->main_oid));
    assert_int_equal(now.n_branches, before->n_branches);
    assert_int_equal(now.n_status, before->n_status);
    for (int i = 0; i < 4; i++) {
        if (before->files[i] || now.files[i]) assert_string_equal(now.files[i], before->files[i]);
        free(now.files[i]);
        free(before->files[i]);
    }
    assert_true(has(t, SRC));
    assert_false(has(t, DST));
    assert_false(mt_exists(t->pr_file));
}

/* Compiles `code` with the repository's headers; returns the exit status. */
static int compile(trepo *t, const char *code, const char *flags)
{
    char src[700], cmd[2400];
    snprintf(src, sizeof src, "%sbuild/check.c", t->root);
    put(t, "build/check.c", code);
    snprintf(cmd, sizeof cmd, "%s -std=c99 -fsyntax-only %s -I%sinclude -I%ssrc -I%s %s 2>/dev/null", FG_GRAD_CC,
             flags, t->root, t->root, FG_GRAD_DLPACK, src);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ---------------------------------------------------------------- end to end */

static void test_end_to_end(void **state)
{
    (void)state;
    trepo t;
    trepo_open(&t);
    git_oid main0 = t.main_oid;

    /* the plan first: nothing may change */
    snap before;
    take(&t, &before);
    fgi_grad_propose_options o = opts(&t, "fast_gelu", 1); /* an op name: its one eligible kernel */
    fgi_grad_proposal *p;
    ST_OK(fgi_grad_propose(&o, &p));
    assert_string_equal(p->kernel_id, K);
    assert_true(p->dry_run);
    assert_string_equal(p->branch, "graduation/fast_gelu");
    assert_string_equal(p->commit_id, "");
    char *plan = fgi_grad_proposal_to_markdown(p);
    assert_non_null(strstr(plan, "(dry run: nothing was changed)"));
    assert_non_null(strstr(plan, "- Moved: `" SRC "` → `" DST "`"));
    free(plan);
    fgi_grad_proposal_free(p);
    same(&t, &before);

    /* the real thing */
    o = opts(&t, K, 0);
    ST_OK(fgi_grad_propose(&o, &p));
    assert_string_equal(p->branch, "graduation/fast_gelu");
    assert_string_equal(p->base_branch, "main");
    assert_string_equal(p->stable_id, "fast_gelu.cpu.stable.avx2_v1");
    assert_string_equal(p->removal_version, "0.4.0");
    assert_int_equal(strlen(p->commit_id), 40);
    assert_string_equal(p->title, "[Graduation] Promote fast_gelu to stable ops");
    assert_int_equal(p->n_files, 9);
    assert_int_equal(p->n_mentions, 1); /* the lists, metadata and tracker that name it are rewritten */
    assert_string_equal(p->mentions[0], "tests/test_pinned.c");

    /* files moved and lists updated */
    assert_false(has(&t, SRC));
    assert_true(has(&t, DST));
    char *cdef = get(&t, "src/experimental/custom/kernels.def");
    assert_null(strstr(cdef, "\"" K "\""));
    assert_non_null(strstr(cdef, "\"" K2 "\""));
    free(cdef);
    char *sdef = get(&t, "src/ops/kernels.def");
    assert_non_null(strstr(sdef, "\nFGI_GRADUATED_KERNEL(fast_gelu_avx2, \"fast_gelu.cpu.stable.avx2_v1\", fast_gelu, "
                                 "false, ALL, AVX2, 10, fgi_supports_any, fgi_custom_fast_gelu_avx2)\n"));
    free(sdef);
    char *adef = get(&t, "src/ops/aliases.def");
    assert_non_null(strstr(adef, "\nFGI_KERNEL_ALIAS(\"" K "\", \"fast_gelu.cpu.stable.avx2_v1\", \"0.3.0\", "
                                 "\"0.4.0\")\n"));
    free(adef);
    /* typed function: deprecated experimental entry, stable entry declared and defined */
    char *eh = get(&t, "include/flaggems/experimental.h");
    assert_non_null(strstr(eh, "\nFG_DEPRECATED(\"graduated in 0.3.0: use fg_fast_gelu; removed in 0.4.0\")\n"
                               "FG_API fg_status fg_exp_fast_gelu(DLTensor *out, const DLTensor *x);"));
    free(eh);
    char *sh = get(&t, "include/flaggems/flaggems.h");
    assert_non_null(strstr(sh, "FG_API fg_status fg_fast_gelu(DLTensor *out, const DLTensor *x);"));
    free(sh);
    char *gc = get(&t, "src/ops/graduated.c");
    assert_non_null(strstr(gc, "FG_API fg_status fg_fast_gelu(DLTensor *out, const DLTensor *x)\n{\n    return "
                               "fg_exp_fast_gelu(out, x);\n}\n"));
    free(gc);

    /* the edited sources still compile, and the deprecation is seen by callers */
    assert_int_equal(compile(&t, "#include \"../src/ops/graduated.c\"\n", "-Werror"), 0);
    const char *caller = "#define FG_EXPERIMENTAL_API\n#include <flaggems/experimental.h>\n"
                         "int f(DLTensor *o, DLTensor *x) { return (int)fg_exp_fast_gelu(o, x) + "
                         "(int)fg_fast_gelu(o, x); }\n";
    assert_int_equal(compile(&t, caller, "-Wall"), 0);
    assert_int_not_equal(compile(&t, caller, "-Werror=deprecated-declarations"), 0);
    const char *lists = "#include <stdbool.h>\n#define FGI_KERNEL(s, id, ...) id,\n"
                        "#define FGI_GRADUATED_KERNEL(s, id, ...) id,\nstatic const char *k[] = {\n"
                        "#include \"ops/kernels.def\"\n};\n#define FGI_KERNEL_ALIAS(a, b, c, d) {a, b, c, d},\n"
                        "static const char *al[][4] = {\n#include \"ops/aliases.def\"\n};\n"
                        "int n(void) { return (int)(sizeof k + sizeof al); }\n";
    assert_int_equal(compile(&t, lists, "-Werror"), 0);
    char check[700];
    snprintf(check, sizeof check, "%sbuild/check.c", t.root);
    unlink(check);

    /* metadata valid and graduated; tracker moved the kernel to recently_graduated */
    char meta[700];
    snprintf(meta, sizeof meta, "%ssrc/experimental/generated/_metadata.json", t.root);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_READONLY | FGI_META_NO_RECOVER,
                           .repo_root = t.dir.root};
    fgi_meta_store *s;
    ST_OK(fgi_meta_open(meta, &mo, &s));
    const fgi_meta_op *op;
    ST_OK(fgi_meta_get_op(s, K, &op));
    assert_int_equal(op->status, FGI_META_GRADUATED);
    assert_string_equal(op->code_location.file_path, DST);
    fgi_meta_op_release(op);
    ST_OK(fgi_meta_get_op(s, K2, &op));
    assert_int_equal(op->status, FGI_META_VALIDATED);
    fgi_meta_op_release(op);
    fgi_meta_close(s);
    char trk[700];
    snprintf(trk, sizeof trk, "%ssrc/experimental/graduation/tracker.json", t.root);
    json_t *doc = json_load_file(trk, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "graduation_candidates")), 1); /* K2, blocked */
    json_t *g = json_array_get(json_object_get(doc, "recently_graduated"), 0);
    assert_string_equal(json_string_value(json_object_get(g, "op_name")), "fast_gelu");
    assert_string_equal(json_string_value(json_object_get(g, "graduated_version")), "0.3.0");
    assert_string_equal(json_string_value(json_object_get(g, "graduation_date")), TODAY);
    assert_string_equal(json_string_value(json_object_get(g, "deprecation_date")), "0.4.0");
    json_decref(doc);

    /* one commit on the branch, parent main; main untouched; tree clean */
    git_reference *head;
    GIT_OK(git_repository_head(&head, t.repo));
    assert_string_equal(git_reference_name(head), "refs/heads/graduation/fast_gelu");
    git_commit *c;
    GIT_OK(git_commit_lookup(&c, t.repo, git_reference_target(head)));
    char hex[41];
    git_oid_tostr(hex, sizeof hex, git_commit_id(c));
    assert_string_equal(hex, p->commit_id);
    assert_int_equal(git_commit_parentcount(c), 1);
    assert_true(git_oid_equal(git_commit_parent_id(c, 0), &main0));
    assert_non_null(strstr(git_commit_message(c), "feat(ops): graduate fast_gelu (" K ") to the stable tier"));
    assert_string_equal(git_commit_author(c)->name, "Grad Test");
    git_commit_free(c);
    git_reference_free(head);
    git_oid m;
    GIT_OK(git_reference_name_to_id(&m, t.repo, "refs/heads/main"));
    assert_true(git_oid_equal(&m, &main0));
    git_status_list *st = status_of(t.repo);
    assert_int_equal(git_status_list_entrycount(st), 0);
    git_status_list_free(st);

    /* the PR text, from the seed's template, with the real numbers */
    char *pr = mt_read(t.pr_file, NULL);
    assert_non_null(pr);
    assert_non_null(strstr(pr, "[Graduation] Promote fast_gelu to stable ops\n\n## [Graduation] Promote fast_gelu"));
    assert_non_null(strstr(pr, "- [x] Stable period: 2 versions (in experimental since v0.1)"));
    assert_non_null(strstr(pr, "- [x] Accuracy tests: 72 tests passed over 24 shapes (float16, float32)"));
    assert_non_null(strstr(pr, "- [x] Multi-hardware: Validated on cpu-zen3, NVIDIA-H100"));
    assert_non_null(strstr(pr, "| cpu-zen3 | float32 | [1, 4096] | 1.250x | stable |"));
    assert_non_null(strstr(pr, "- Moved: `" SRC "` → `" DST "`"));
    assert_non_null(strstr(pr, "1 other committed file(s) still name `" K "`"));
    assert_non_null(strstr(pr, "- `tests/test_pinned.c`\n"));
    assert_non_null(strstr(pr, "### Migration Guide"));
    assert_non_null(strstr(pr, "fg_exp_fast_gelu(out, x);\n```"));
    assert_non_null(strstr(pr, "fg_fast_gelu(out, x);  /* Stable version */"));
    assert_non_null(strstr(pr, "use its stable id `fast_gelu.cpu.stable.avx2_v1`"));
    assert_non_null(strstr(pr, "The experimental alias will be removed in 0.4.0."));
    free(pr);
    char *js = fgi_grad_proposal_to_json(p);
    json_t *pj = json_loads(js, 0, NULL);
    assert_non_null(pj);
    assert_int_equal(json_array_size(json_object_get(pj, "files_changed")), 9);
    assert_string_equal(json_string_value(json_object_get(pj, "commit")), p->commit_id);
    json_decref(pj);
    free(js);
    fgi_grad_proposal_free(p);

    /* a second proposal for the op: the branch exists */
    GIT_OK(git_repository_set_head(t.repo, "refs/heads/main"));
    git_object *mainc;
    GIT_OK(git_revparse_single(&mainc, t.repo, "main"));
    git_checkout_options co;
    git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    GIT_OK(git_reset(t.repo, mainc, GIT_RESET_HARD, &co));
    git_object_free(mainc);
    unlink(t.pr_file);
    take(&t, &before);
    o = opts(&t, K, 0);
    p = (fgi_grad_proposal *)1;
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_CONFLICT, "branch graduation/fast_gelu exists already");
    assert_null(p);
    same(&t, &before);
    trepo_close(&t);
}

/* ---------------------------------------------------------------- refusals */

static void refuse(trepo *t, const char *kernel, fg_status code, const char *text)
{
    snap before;
    take(t, &before);
    fgi_grad_propose_options o = opts(t, kernel, 0);
    fgi_grad_proposal *p = (fgi_grad_proposal *)1;
    ST_ERR(fgi_grad_propose(&o, &p), code, text);
    assert_null(p);
    same(t, &before);
    /* a dry run refuses the same way */
    take(t, &before);
    o.dry_run = 1;
    ST_ERR(fgi_grad_propose(&o, &p), code, text);
    same(t, &before);
}

static void test_refusals(void **state)
{
    (void)state;
    trepo t;
    trepo_open(&t);
    /* ineligible: the failed criteria are listed */
    refuse(&t, K2, FG_ERR_UNSUPPORTED,
           K2 " is not eligible for graduation (score 0.775): score 0.775 is under the pass mark 0.85 "
           "(failed: stable_period, multi_hardware, code_quality)");
    refuse(&t, "nope.cpu.custom.v1", FG_ERR_NOT_FOUND, "no experimental kernel or op named 'nope.cpu.custom.v1'");
    /* dirty tree */
    put(&t, "src/ops/kernels.def", "/* edited */\n");
    refuse(&t, K, FG_ERR_CONFLICT, "1 uncommitted change(s) (first: src/ops/kernels.def)");
    git_object *mainc;
    GIT_OK(git_revparse_single(&mainc, t.repo, "main"));
    git_checkout_options co;
    git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    GIT_OK(git_checkout_tree(t.repo, mainc, &co));
    /* an untracked file elsewhere does not make the tree dirty, but one at the destination refuses */
    put(&t, DST, "/* in the way */\n");
    snap before;
    take(&t, &before);
    fgi_grad_propose_options o = opts(&t, K, 1);
    fgi_grad_proposal *p;
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_CONFLICT, DST " exists already");
    char dst[700];
    snprintf(dst, sizeof dst, "%s%s", t.root, DST);
    unlink(dst);
    for (int i = 0; i < 4; i++) free(before.files[i]);
    /* existing branch */
    git_reference *br;
    GIT_OK(git_branch_create(&br, t.repo, "graduation/fast_gelu", (git_commit *)mainc, 0));
    refuse(&t, K, FG_ERR_CONFLICT, "branch graduation/fast_gelu exists already");
    GIT_OK(git_reference_delete(br)); /* git_branch_delete leaks in libgit2 1.5 */
    git_reference_free(br);
    /* detached HEAD */
    GIT_OK(git_repository_set_head_detached(t.repo, git_object_id(mainc)));
    take(&t, &before);
    o = opts(&t, K, 0);
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_CONFLICT, "HEAD is detached");
    same(&t, &before);
    GIT_OK(git_repository_set_head(t.repo, "refs/heads/main"));
    git_object_free(mainc);
    /* the PR text cannot be written: nothing else happens */
    take(&t, &before);
    o = opts(&t, K, 0);
    o.pr_file = "/nonexistent/folder/pr.md";
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_IO, "/nonexistent/folder/pr.md");
    same(&t, &before);
    /* eligible kernels whose ids cannot name a stable kernel */
    char meta[700];
    snprintf(meta, sizeof meta, "%ssrc/experimental/generated/_metadata.json", t.root);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .repo_root = t.dir.root};
    fgi_meta_store *ms;
    ST_OK(fgi_meta_open(meta, &mo, &ms));
    kspec k = ks_eligible();
    k.file_path = "src/experimental/custom/pointwise/fast_gelu.c";
    ks_add(ms, "fast_gelu.cpu.custom", &k);
    ks_add(ms, "fast_gelu.cpu.stable.v2", &k);
    ks_add(ms, "fast_gelu.CPU.custom.v3", &k);
    fgi_meta_close(ms);
    commit_all(&t, "odd ids");
    refuse(&t, "fast_gelu", FG_ERR_INVALID_ARG, "op fast_gelu has 4 eligible kernels: name one of");
    refuse(&t, "fast_gelu.cpu.custom", FG_ERR_INVALID_ARG, "is not <op>.<device>.<group>.<variant>");
    refuse(&t, "fast_gelu.cpu.stable.v2", FG_ERR_INVALID_ARG, "the third component must be gen, generated or custom");
    refuse(&t, "fast_gelu.CPU.custom.v3", FG_ERR_INVALID_ARG, "the device component must be lower-case");
    /* missing list line */
    put(&t, "src/experimental/custom/kernels.def", "/* emptied */\n");
    commit_all(&t, "drop the list line");
    refuse(&t, K, FG_ERR_NOT_FOUND, "has no FGI_EXP_KERNEL line for \"" K "\"");
    put(&t, "src/experimental/custom/kernels.def", custom_def);
    /* missing source file */
    char src[700];
    snprintf(src, sizeof src, "%s%s", t.root, SRC);
    unlink(src);
    commit_all(&t, "drop the source");
    snap b2;
    take(&t, &b2);
    o = opts(&t, K, 0);
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_NOT_FOUND, "the kernel's source " SRC " (code_location.file_path) is missing");
    for (int i = 0; i < 4; i++) free(b2.files[i]);
    /* not a repository; bad arguments */
    o = opts(&t, K, 0);
    o.repo_path = "/nonexistent/repo";
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_NOT_FOUND, "/nonexistent/repo is not the root of a git repository");
    o = opts(&t, K, 0);
    o.version = "soon";
    ST_ERR(fgi_grad_propose(&o, &p), FG_ERR_INVALID_ARG, "version \"soon\"");
    ST_ERR(fgi_grad_propose(NULL, &p), FG_ERR_NULL, "repo_path and kernel_id");
    trepo_close(&t);
}

/* A failure after the branch exists (the tracker path is a folder) is
 * rolled back: HEAD on main, no branch, the tree as it was. */
static void test_rollback(void **state)
{
    (void)state;
    trepo t;
    trepo_open(&t);
    char trk[700];
    snprintf(trk, sizeof trk, "%ssrc/experimental/graduation/tracker.json", t.root);
    unlink(trk);
    put(&t, "src/experimental/graduation/tracker.json/keep", "x\n");
    commit_all(&t, "tracker in the way");
    snap before;
    take(&t, &before);
    fgi_grad_propose_options o = opts(&t, K, 0);
    fgi_grad_proposal *p;
    fg_status s = fgi_grad_propose(&o, &p);
    assert_int_not_equal(s, FG_OK);
    assert_non_null(strstr(fg_last_error(), "graduation rolled back"));
    for (int i = 0; i < 4; i++) free(before.files[i]); /* the tracker "file" is a folder here */
    snap now;
    take(&t, &now);
    assert_string_equal(now.head, "refs/heads/main");
    assert_int_equal(now.n_branches, 1);
    assert_int_equal(now.n_status, 0);
    for (int i = 0; i < 4; i++) free(now.files[i]);
    assert_true(has(&t, SRC));
    assert_false(has(&t, DST));
    assert_false(has(&t, "src/ops/graduated.c"));
    assert_false(mt_exists(t.pr_file)); /* written before, removed by the rollback */
    trepo_close(&t);
}

/* ---------------------------------------------------------------- the project's own tree */

static void test_dry_run_own_tree(void **state)
{
    (void)state;
    git_repository *repo;
    if (git_repository_open_ext(&repo, FG_GRAD_SOURCE_DIR, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
        skip(); /* a source tree without git */
        return;
    }
    git_status_list *st = status_of(repo);
    size_t n0 = git_status_list_entrycount(st);
    git_status_list_free(st);
    git_reference *h;
    GIT_OK(git_repository_head(&h, repo));
    char head0[200];
    snprintf(head0, sizeof head0, "%s", git_reference_name(h));
    git_oid oid0 = *git_reference_target(h);
    git_reference_free(h);
    git_reference *br = NULL;
    int had_branch = git_branch_lookup(&br, repo, "graduation/fast_gelu", GIT_BRANCH_LOCAL) == 0;
    git_reference_free(br);
    char *before[4];
    for (int i = 0; i < 4; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", FG_GRAD_SOURCE_DIR, watched[i]);
        before[i] = mt_read(path, NULL);
    }

    fgi_grad_propose_options o = {.repo_path = FG_GRAD_SOURCE_DIR, .kernel_id = K, .dry_run = 1};
    fgi_grad_proposal *p = NULL;
    fg_status s = fgi_grad_propose(&o, &p);
    /* today's metadata decides between a plan and a refusal; either way it is explained */
    if (s == FG_OK) {
        assert_true(p->dry_run);
        assert_string_equal(p->commit_id, "");
        print_message("plan: %s -> %s on %s\n", p->kernel_id, p->stable_id, p->branch);
    } else {
        assert_true(s == FG_ERR_UNSUPPORTED || s == FG_ERR_NOT_FOUND || s == FG_ERR_CONFLICT);
        assert_true(strlen(fg_last_error()) > 20);
        print_message("refused (%s): %s\n", fg_status_name(s), fg_last_error());
    }
    fgi_grad_proposal_free(p);

    st = status_of(repo);
    assert_int_equal(git_status_list_entrycount(st), n0);
    git_status_list_free(st);
    GIT_OK(git_repository_head(&h, repo));
    assert_string_equal(git_reference_name(h), head0);
    assert_true(git_oid_equal(git_reference_target(h), &oid0));
    git_reference_free(h);
    assert_int_equal(git_branch_lookup(&br, repo, "graduation/fast_gelu", GIT_BRANCH_LOCAL) == 0, had_branch);
    git_reference_free(br);
    for (int i = 0; i < 4; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", FG_GRAD_SOURCE_DIR, watched[i]);
        char *now = mt_read(path, NULL);
        if (before[i] || now) assert_string_equal(now, before[i]);
        free(now);
        free(before[i]);
    }
    git_repository_free(repo);
}

static int setup(void **state)
{
    (void)state;
    git_libgit2_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    git_libgit2_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_dry_run_own_tree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
