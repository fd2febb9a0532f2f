/* The code generator's library (tools/codegen): the template engine, the
 * generator on a scratch copy of the tree (files, header line, kernels.def
 * block, metadata, idempotence, the regeneration check finding edits and
 * stale files, config errors), and the bundle importer (same metadata as
 * generated kernels; duplicates, unsafe paths, oversized sources and other
 * bad bundles refused with nothing written). Registered from
 * tools/codegen/CMakeLists.txt as the ctest test codegen_library. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/error.h"
#include "experimental/metadata.h"
#include "fg_codegen.h"
#include "files.h"
#include "template.h"

/* ---------------------------------------------------------------- template */

static char *render(const char *tmpl, const char *ctx_json, fg_status *st)
{
    fgc_tmpl *t = NULL;
    char *out = NULL;
    *st = fgc_tmpl_parse(tmpl, "t.tmpl", &t);
    if (*st != FG_OK) return NULL;
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    assert_non_null(ctx);
    *st = fgc_tmpl_render(t, ctx, &out);
    json_decref(ctx);
    fgc_tmpl_free(t);
    return out;
}

static void expect(const char *tmpl, const char *ctx, const char *want)
{
    fg_status s;
    char *got = render(tmpl, ctx, &s);
    if (s != FG_OK) print_error("%s\n", fg_last_error());
    assert_int_equal(s, FG_OK);
    assert_string_equal(got, want);
    free(got);
}

static void expect_error(const char *tmpl, const char *ctx, fg_status code, const char *needle)
{
    fg_status s;
    char *got = render(tmpl, ctx, &s);
    assert_null(got);
    assert_int_equal(s, code);
    if (!strstr(fg_last_error(), needle)) print_error("message: %s\n", fg_last_error());
    assert_non_null(strstr(fg_last_error(), needle));
}

static void test_template(void **state)
{
    (void)state;
    expect("a {{x}} b {{n}} {{f}} {{t}}", "{\"x\": \"X\", \"n\": 42, \"f\": false, \"t\": true}", "a X b 42 0 1");
    expect("{{#if x}}yes{{#else}}no{{/if}}", "{\"x\": 0}", "no");
    expect("{{#if x}}yes{{#else}}no{{/if}}", "{\"x\": \"s\"}", "yes");
    expect("{{#if !x}}neg{{/if}}", "{\"x\": []}", "neg");
    expect("{{#if missing}}1{{/if}}.", "{}", ".");
    expect("{{#each l}}[{{@index}}:{{v}}{{o}}]{{/each}}", "{\"l\": [{\"v\": 1}, {\"v\": 2}], \"o\": \"!\"}",
           "[0:1!][1:2!]");
    expect("{{#each l}}{{.}},{{/each}}", "{\"l\": [3, 4]}", "3,4,");
    /* nested loops see the outer item's names */
    expect("{{#each a}}{{#each b}}{{n}}{{m}} {{/each}}{{/each}}",
           "{\"a\": [{\"n\": \"x\"}], \"b\": [{\"m\": 1}, {\"m\": 2}]}", "x1 x2 ");
    /* standalone block tags and comments take their line with them */
    expect("a\n  {{#if x}}\n  b\n  {{/if}}\n{{! note }}\nc\n", "{\"x\": true}", "a\n  b\nc\n");
    expect_error("{{y}}", "{}", FG_ERR_INVALID_ARG, "t.tmpl:1: unknown name 'y'");
    expect_error("\n\n{{#if x}}", "{}", FG_ERR_PARSE, "t.tmpl:3");
    expect_error("{{#if x}}{{/each}}", "{}", FG_ERR_PARSE, "closes the {{#if}}");
    expect_error("{{#else}}", "{}", FG_ERR_PARSE, "outside {{#if}}");
    expect_error("{{x", "{}", FG_ERR_PARSE, "without '}}'");
    expect_error("{{#each x}}{{/each}}", "{\"x\": 3}", FG_ERR_INVALID_ARG, "not an array");
    expect_error("{{x}}", "{\"x\": {}}", FG_ERR_INVALID_ARG, "not a string");
    expect_error("{{a-b}}", "{}", FG_ERR_PARSE, "bad name");
    expect_error("{{#loop x}}", "{}", FG_ERR_PARSE, "unknown block tag");
}

/* ---------------------------------------------------------------- scratch tree */

static char root[512];

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *rel)
{
    char p[1024], *text = NULL;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    if (fgc_read_file(p, 1 << 24, &text, NULL) != FG_OK) return NULL;
    return text;
}

static void put(const char *rel, const char *text)
{
    char p[1024];
    int changed;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(fgc_write_file(root, p, text, &changed), FG_OK);
}

/* A copy of what the generator reads: templates, .clang-format, an
 * empty-ish kernels.def (a hand line outside any block). */
static int setup_tree(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/fg-codegen-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) return -1;
    sh("mkdir -p %s/src/experimental/generated %s/tools/codegen && cp -r %s/tools/codegen/templates %s/tools/codegen/ "
       "&& cp %s/src/experimental/generated/.clang-format %s/src/experimental/generated/ && mkdir %s/.git",
       root, root, FG_SOURCE_DIR, root, FG_SOURCE_DIR, root, root);
    put("src/experimental/generated/kernels.def",
        "/* list */\nFGI_EXP_KERNEL(gen_relu_hand, \"relu.cpu.gen.hand\", relu, false, ALL, 0, 0, a, b)\n");
    return 0;
}

static int teardown_tree(void **state)
{
    (void)state;
    fgc_remove_tree(root);
    return 0;
}

/* The metadata entry of id in the scratch tree (release with
 * fgi_meta_op_release). */
static const fgi_meta_op *meta_entry(const char *id)
{
    char mp[700];
    snprintf(mp, sizeof mp, "%s/src/experimental/generated/_metadata.json", root);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_READONLY, .repo_root = root};
    fgi_meta_store *st = NULL;
    assert_int_equal(fgi_meta_open(mp, &mo, &st), FG_OK);
    const fgi_meta_op *op = NULL;
    assert_int_equal(fgi_meta_get_op(st, id, &op), FG_OK);
    fgi_meta_close(st);
    return op;
}

static const char *CONFIG =
    "{\"generation_date\": \"2026-11-25T08:00:00Z\", \"kernels\": ["
    "{\"op\": \"relu\", \"variant\": \"t_u2\", \"params\": {\"unroll\": 2}, \"when\": {\"max_len\": 4096}},"
    "{\"op\": \"softmax\", \"variant\": \"t_h64\", \"params\": {\"threading\": \"single\"}, \"when\": {\"hidden\": "
    "64}}]}";

static fg_codegen_options opts(unsigned flags)
{
    fg_codegen_options o = {.repo_root = root, .flags = flags};
    return o;
}

static void test_generate(void **state)
{
    (void)state;
    put("cfg.json", CONFIG);
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/cfg.json", root);
    fg_codegen_options o = opts(0);
    fg_codegen_summary sum;
    fg_status s = fg_codegen_generate(cfg, &o, &sum);
    if (s != FG_OK) print_error("%s\n", fg_last_error());
    assert_int_equal(s, FG_OK);
    assert_int_equal(sum.kernels, 2);
    assert_int_equal(sum.written, 3);
    assert_int_equal(sum.metadata, 2);
    char *src = slurp("src/experimental/generated/reduction/softmax_t_h64_avx2.c");
    assert_non_null(src);
    assert_true(!strncmp(src, "/* GENERATED by fg-codegen --config cfg.json -- DO NOT EDIT */\n", 62));
    assert_non_null(strstr(src, "generator_version: " FG_CODEGEN_VERSION));
    assert_non_null(strstr(src, "source_template: tools/codegen/templates/softmax_rows.c.tmpl"));
    assert_non_null(strstr(src, "if (call->len != 64) return false;"));
    /* code_location: run()'s definition, as fg-meta-sync finds it */
    int run_line = 0, close_line = 0, line = 1;
    for (const char *p = src; *p; p++) {
        if ((p == src || p[-1] == '\n') && !strncmp(p, "fg_status fgi_gen_softmax_t_h64_run(", 36)) run_line = line;
        if ((p == src || p[-1] == '\n') && run_line && !close_line && *p == '}') close_line = line;
        line += *p == '\n';
    }
    assert_true(run_line > 20 && close_line > run_line);
    char *def = slurp("src/experimental/generated/kernels.def");
    assert_non_null(strstr(def, "/* BEGIN GENERATED by fg-codegen --config cfg.json -- DO NOT EDIT */\n"
                                "FGI_EXP_KERNEL(gen_relu_t_u2, \"relu.cpu.gen.t_u2\", relu, true, ALL, AVX2, 10, "
                                "fgi_gen_relu_t_u2_supports, fgi_gen_relu_t_u2_run)\n"));
    assert_non_null(strstr(def, "FGI_EXP_KERNEL(gen_relu_hand")); /* lines outside the block stay */
    /* metadata: full generation_info and code_location */
    char mp[700];
    const fgi_meta_op *op = meta_entry("softmax.cpu.gen.t_h64");
    assert_string_equal(op->generation_info.generator_tool, "fg-codegen");
    assert_string_equal(op->generation_info.generation_date, "2026-11-25T08:00:00Z");
    assert_non_null(strstr(op->generation_info.generation_config, "\"hidden\":64"));
    assert_string_equal(op->code_location.file_path, "src/experimental/generated/reduction/softmax_t_h64_avx2.c");
    assert_int_equal(op->code_location.line_start, run_line);
    assert_int_equal(op->code_location.line_end, close_line);
    assert_int_equal(op->category, FGI_META_REDUCTION);
    assert_non_null(strstr(src, op->op_id)); /* the comment names the entry's op_id */
    fgi_meta_op_release(op);
    /* idempotent; the check finds nothing */
    assert_int_equal(fg_codegen_generate(cfg, &o, &sum), FG_OK);
    assert_int_equal(sum.written, 0);
    size_t diff = 9;
    assert_int_equal(fg_codegen_check(cfg, &o, &diff), FG_OK);
    assert_int_equal(diff, 0);
    /* an edited file, an edited block line and a stale file are found */
    put("src/experimental/generated/reduction/softmax_t_h64_avx2.c", "/* edited */\n");
    char *def2 = strdup(def);
    char *hit = strstr(def2, "true, ALL, AVX2, 10, fgi_gen_relu");
    hit[25] = '9';
    put("src/experimental/generated/kernels.def", def2);
    char stale[300];
    snprintf(stale, sizeof stale, "/* GENERATED by fg-codegen --config cfg.json -- DO NOT EDIT */\nint x;\n");
    put("src/experimental/generated/pointwise/old_avx2.c", stale);
    FILE *log = tmpfile();
    o.log = log;
    assert_int_equal(fg_codegen_check(cfg, &o, &diff), FG_OK);
    assert_int_equal(diff, 3);
    fclose(log);
    o.log = NULL;
    put("src/experimental/generated/kernels.def", def);
    unlink(strcat(strcpy(mp, root), "/src/experimental/generated/pointwise/old_avx2.c"));
    assert_int_equal(fg_codegen_generate(cfg, &o, &sum), FG_OK);
    assert_int_equal(fg_codegen_check(cfg, &o, &diff), FG_OK);
    assert_int_equal(diff, 0);
    /* an outdated metadata entry (as after a merge) is found; --metadata-only repairs it */
    snprintf(mp, sizeof mp, "%s/src/experimental/generated/_metadata.json", root);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .repo_root = root};
    fgi_meta_store *st = NULL;
    assert_int_equal(fgi_meta_open(mp, &mo, &st), FG_OK);
    assert_int_equal(fgi_meta_update_op(st, "relu.cpu.gen.t_u2", "{\"code_location\": {\"line_start\": 1}}"), FG_OK);
    fgi_meta_close(st);
    assert_int_equal(fg_codegen_check(cfg, &o, &diff), FG_OK);
    assert_int_equal(diff, 1);
    fg_codegen_options mo_only = opts(FG_CODEGEN_METADATA_ONLY);
    assert_int_equal(fg_codegen_generate(cfg, &mo_only, &sum), FG_OK);
    assert_int_equal(sum.written, 0);
    assert_int_equal(sum.metadata, 2);
    assert_int_equal(fg_codegen_check(cfg, &o, &diff), FG_OK);
    assert_int_equal(diff, 0);
    free(def2);
    free(def);
    free(src);
}

static void bad_config(const char *text, const char *needle)
{
    put("bad.json", text);
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s/bad.json", root);
    char *before = slurp("src/experimental/generated/kernels.def");
    fg_codegen_options o = opts(0);
    fg_status s = fg_codegen_generate(cfg, &o, NULL);
    assert_int_not_equal(s, FG_OK);
    if (!strstr(fg_last_error(), needle)) print_error("message: %s\n", fg_last_error());
    assert_non_null(strstr(fg_last_error(), needle));
    char *after = slurp("src/experimental/generated/kernels.def");
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_config_errors(void **state)
{
    (void)state;
    const char *d = "\"generation_date\": \"2026-11-25T08:00:00Z\"";
    char buf[1024];
#define BADCFG(kernels, needle)                                                                                        \
    do {                                                                                                               \
        snprintf(buf, sizeof buf, "{%s, \"kernels\": [%s]}", d, kernels);                                              \
        bad_config(buf, needle);                                                                                       \
    } while (0)
    BADCFG("{\"op\": \"relu\", \"variant\": \"a\", \"params\": {\"unrol\": 2}}",
           "kernels[0].params.unrol: unknown key");
    BADCFG("{\"op\": \"relu\", \"variant\": \"a\", \"params\": {\"unroll\": 3}}", "unroll");
    BADCFG("{\"op\": \"gelu\", \"variant\": \"a\"}", "approx");
    BADCFG("{\"op\": \"conv\", \"variant\": \"a\"}", "kernels[0].op");
    BADCFG("{\"op\": \"relu\", \"variant\": \"A-b\"}", "variant");
    BADCFG("{\"op\": \"softmax\", \"variant\": \"a\", \"params\": {\"vector_width\": 1}}", "vector_width");
    BADCFG("{\"op\": \"relu\", \"variant\": \"a\", \"when\": {\"hidden\": 8}}", "when.hidden: unknown key");
    BADCFG("{\"op\": \"relu\", \"variant\": \"a\"}, {\"op\": \"relu\", \"variant\": \"a\"}", "share the id");
    BADCFG("{\"op\": \"relu\", \"variant\": \"hand\"}", "already listed");
    bad_config("{\"kernels\": [{\"op\": \"relu\", \"variant\": \"a\"}]}", "generation_date");
    bad_config("{\"generation_date\": \"2026-11-25T08:00:00Z\", \"kernels\": [}", "bad.json:1:");
}

/* ---------------------------------------------------------------- import */

static const char *SRC = "#include \\\"experimental/exp_kernels.h\\\"\\n"
                         "bool fgi_gen_relu_kg1_supports(const fgi_call *c) { return c->contiguous; }\\n"
                         "fg_status fgi_gen_relu_kg1_run(const fgi_call *c) { (void)c; return FG_OK; }\\n";

static void bundle_named(char *buf, size_t size, const char *id, const char *file, const char *isa,
                         const char *source, const char *version, const char *stem)
{
    snprintf(buf, size,
             "{\"format\": \"flaggems-kernel-bundle\", \"version\": 1, \"generator_tool\": \"KernelGen\","
             " \"generator_version\": \"%s\", \"generation_date\": \"2026-11-20T10:00:00Z\","
             " \"kernels\": [{\"kernel_id\": \"%s\", \"op\": \"relu\", \"file\": \"%s\", \"isa\": \"%s\","
             " \"supports\": \"%s_supports\", \"run\": \"%s_run\","
             " \"source_template\": \"kernelgen/pointwise.jinja\", \"generation_config\": {\"block\": 1024},"
             " \"source\": \"%s\"}]}",
             version, id, file, isa, stem, stem, source);
}

static void bundle(char *buf, size_t size, const char *id, const char *file, const char *isa, const char *source,
                   const char *version)
{
    bundle_named(buf, size, id, file, isa, source, version, "fgi_gen_relu_kg1");
}

static fg_status import_text(const char *text)
{
    put("b.json", text);
    char p[600];
    snprintf(p, sizeof p, "%s/b.json", root);
    fg_codegen_options o = opts(FG_CODEGEN_NO_FORMAT);
    return fg_codegen_import(p, &o, NULL);
}

/* Imports text; a refused import must leave kernels.def and _metadata.json
 * exactly as they were. */
static fg_status import_checked(const char *text)
{
    char *before = slurp("src/experimental/generated/kernels.def");
    char *meta_before = slurp("src/experimental/generated/_metadata.json");
    fg_status s = import_text(text);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", fg_last_error());
    char *after = slurp("src/experimental/generated/kernels.def");
    char *meta_after = slurp("src/experimental/generated/_metadata.json");
    if (s != FG_OK) {
        assert_string_equal(before, after);
        assert_string_equal(meta_before ? meta_before : "", meta_after ? meta_after : "");
    }
    free(before);
    free(after);
    free(meta_before);
    free(meta_after);
    /* the import's message, for the caller */
    if (s != FG_OK) fgi_error_set(s, __FILE__, __LINE__, "%s", msg);
    return s;
}

static void refused(const char *text, fg_status code, const char *needle)
{
    fg_status s = import_checked(text);
    if (s != code || !strstr(fg_last_error(), needle)) print_error("want %s, got %d: %s\n", needle, s, fg_last_error());
    assert_int_equal(s, code);
    assert_non_null(strstr(fg_last_error(), needle));
}

static void test_import(void **state)
{
    (void)state;
    static char b[400000];
    bundle(b, sizeof b, "relu.cpu.gen.kg1", "relu_kg1.c", "portable", SRC, "v0.1.2");
    fg_status s = import_text(b);
    if (s != FG_OK) print_error("%s\n", fg_last_error());
    assert_int_equal(s, FG_OK);
    char *src = slurp("src/experimental/generated/pointwise/relu_kg1.c");
    assert_non_null(src);
    assert_non_null(strstr(src, "/* GENERATED by fg-codegen import "));
    assert_non_null(strstr(src, "generator_tool: KernelGen"));
    char *def = slurp("src/experimental/generated/kernels.def");
    assert_non_null(strstr(def, "FGI_EXP_KERNEL(gen_relu_kg1, \"relu.cpu.gen.kg1\", relu, false, ALL, 0, 0, "
                                "fgi_gen_relu_kg1_supports, fgi_gen_relu_kg1_run)\n"));
    free(def);
    char mp[700];
    const fgi_meta_op *op = meta_entry("relu.cpu.gen.kg1");
    assert_string_equal(op->generation_info.generator_tool, "KernelGen");
    assert_string_equal(op->generation_info.generator_version, "v0.1.2");
    assert_string_equal(op->generation_info.source_template, "kernelgen/pointwise.jinja");
    assert_string_equal(op->generation_info.generation_config, "{\"block\":1024}");
    assert_string_equal(op->code_location.file_path, "src/experimental/generated/pointwise/relu_kg1.c");
    assert_true(op->code_location.line_start > 10); /* the run() line after the header */
    assert_int_equal(op->code_location.line_end, op->code_location.line_start);  /* a one-line definition */
    fgi_meta_op_release(op);
    free(src);

    /* refused, nothing written */
    refused(b, FG_ERR_CONFLICT, "already listed"); /* the same bundle again */
    bundle(b, sizeof b, "relu.cpu.gen.hand", "relu_hand.c", "portable", SRC, "v1");
    refused(b, FG_ERR_CONFLICT, "already listed");
    bundle(b, sizeof b, "relu.cpu.gen.kg2", "relu_kg1.c", "portable", SRC, "v1");
    refused(b, FG_ERR_CONFLICT, "already listed"); /* its functions have the names of kg1's */
    bundle_named(b, sizeof b, "relu.cpu.gen.kg2", "relu_kg1.c", "portable",
                 "fgi_gen_relu_kg2_supports fgi_gen_relu_kg2_run", "v1", "fgi_gen_relu_kg2");
    refused(b, FG_ERR_CONFLICT, "already exists");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "../../../evil.c", "portable", SRC, "v1");
    refused(b, FG_ERR_INVALID_ARG, "plain file name");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "sub/evil.c", "portable", SRC, "v1");
    refused(b, FG_ERR_INVALID_ARG, "plain file name");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "/etc/evil.c", "portable", SRC, "v1");
    refused(b, FG_ERR_INVALID_ARG, "plain file name");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "relu_kg3.c", "avx2", SRC, "v1");
    refused(b, FG_ERR_INVALID_ARG, "_avx2.c");
    bundle(b, sizeof b, "gelu.cpu.gen.kg3", "relu_kg3.c", "portable", SRC, "v1");
    refused(b, FG_ERR_INVALID_ARG, "relu.cpu.gen.");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "relu_kg3.c", "portable", "int x;", "v1");
    refused(b, FG_ERR_INVALID_ARG, "does not define");
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "relu_kg3.c", "portable", SRC, "v1 */ int evil; /*");
    refused(b, FG_ERR_INVALID_ARG, "'*/'");
    /* oversized source: 300 KB */
    char *big = malloc(300001);
    memset(big, 'x', 300000);
    big[300000] = '\0';
    const char *names = "fgi_gen_relu_kg1_supports fgi_gen_relu_kg1_run ";
    memcpy(big, names, strlen(names));
    bundle(b, sizeof b, "relu.cpu.gen.kg3", "relu_kg3.c", "portable", big, "v1");
    refused(b, FG_ERR_INVALID_ARG, "more than the limit");
    free(big);
    refused("{\"format\": \"other\"}", FG_ERR_INVALID_ARG, "bundle.format");
    refused("[1, 2", FG_ERR_PARSE, "b.json:1:");
    refused("{\"format\": \"flaggems-kernel-bundle\", \"version\": 2}", FG_ERR_INVALID_ARG, "bundle.version");
    assert_int_equal(access(strcat(strcpy(mp, root), "/src/experimental/generated/pointwise/relu_kg3.c"), F_OK), -1);

    /* into a scratch folder: still checked against the repository's list and files */
    char out[600];
    snprintf(out, sizeof out, "%s/scratch-out", root);
    assert_int_equal(mkdir(out, 0755), 0);
    snprintf(mp, sizeof mp, "%s/b.json", root);
    fg_codegen_options o = opts(FG_CODEGEN_NO_FORMAT);
    o.out_dir = out;
    bundle(b, sizeof b, "relu.cpu.gen.hand", "relu_hand2.c", "portable", SRC, "v1");
    put("b.json", b);
    assert_int_equal(fg_codegen_import(mp, &o, NULL), FG_ERR_CONFLICT);
    assert_non_null(strstr(fg_last_error(), "already listed"));
    bundle_named(b, sizeof b, "relu.cpu.gen.kg4", "relu_kg1.c", "portable",
                 "fgi_gen_relu_kg4_supports fgi_gen_relu_kg4_run", "v1", "fgi_gen_relu_kg4");
    put("b.json", b);
    assert_int_equal(fg_codegen_import(mp, &o, NULL), FG_ERR_CONFLICT);
    assert_non_null(strstr(fg_last_error(), "already exists"));
    bundle_named(b, sizeof b, "relu.cpu.gen.kg4", "relu_kg4.c", "portable",
                 "fgi_gen_relu_kg4_supports fgi_gen_relu_kg4_run", "v1", "fgi_gen_relu_kg4");
    put("b.json", b);
    assert_int_equal(fg_codegen_import(mp, &o, NULL), FG_OK);
    assert_int_equal(access(strcat(strcpy(mp, out), "/pointwise/relu_kg4.c"), F_OK), 0);
}

/* Mutated bundles (a byte replaced by a letter or JSON punctuation, or the
 * text cut off):
 * every import either succeeds or is refused without changing kernels.def
 * or _metadata.json, and never crashes (this test also runs under ASan). */
static void test_import_mutations(void **state)
{
    (void)state;
    static char good[8192], bad[8192];
    bundle(good, sizeof good, "relu.cpu.gen.mut", "relu_mut.c", "portable", SRC, "v1");
    /* the unmutated bundle imports once */
    assert_int_equal(import_text(good), FG_OK);
    assert_int_equal(import_text(good), FG_ERR_CONFLICT);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    static const char punct[] = "\"{}[]:,\\/.*\n0";
    int accepted = 0;
    for (int it = 0; it < 400; it++) {
        /* a fresh id and file each time, so that only the mutation decides */
        char id[64], file[64];
        snprintf(id, sizeof id, "relu.cpu.gen.mut%d", it);
        snprintf(file, sizeof file, "relu_mut%d.c", it);
        char stem[64], src[400];
        snprintf(stem, sizeof stem, "fgi_gen_relu_mut%d", it);
        snprintf(src, sizeof src, "bool %s_supports(const fgi_call *c) { return c->contiguous; }\\n"
                                  "fg_status %s_run(const fgi_call *c) { (void)c; return FG_OK; }\\n", stem, stem);
        bundle_named(good, sizeof good, id, file, "portable", src, "v1", stem);
        size_t len = strlen(good);
        memcpy(bad, good, len + 1);
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = (size_t)(rng >> 33) % len;
        unsigned kind = (unsigned)(rng >> 20) % 10;
        if (kind < 5)
            bad[at] = (char)('a' + (rng >> 40) % 26);
        else if (kind < 8)
            bad[at] = punct[(rng >> 40) % (sizeof punct - 1)];
        else
            bad[at] = '\0';
        accepted += import_checked(bad) == FG_OK;
    }
    printf("%d of 400 mutated bundles were still valid and imported\n", accepted);
    assert_true(accepted > 0 && accepted < 400); /* both paths were taken */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template),
        cmocka_unit_test_setup_teardown(test_generate, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_config_errors, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_import, setup_tree, teardown_tree),
        cmocka_unit_test_setup_teardown(test_import_mutations, setup_tree, teardown_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
