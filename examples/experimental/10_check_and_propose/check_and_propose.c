/* Graduation in two steps, without touching the source tree:
 *
 *  1. check: judge every experimental kernel of the project's metadata
 *     (a temporary copy) with the default policy, update a temporary
 *     tracker.json and write issue drafts for newly eligible kernels;
 *  2. propose (dry run): for the best-scoring kernel, ask the proposer what
 *     graduating it would do in the project's git tree: the plan, or the
 *     exact reasons it refuses.
 *
 * Usage: fg-example-10_check_and_propose SOURCE_DIR
 * Without a committed _metadata.json (an older tree) the kernels the
 * library registers are entered with no results at all: nothing invented,
 * so nothing is eligible. */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experimental/graduation/graduation.h"

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int fail(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, fg_last_error());
    return 1;
}

/* The project's metadata into dir/_metadata.json. */
static int copy_metadata(const char *src_dir, const char *dst)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/" FGI_GRAD_METADATA_PATH, src_dir);
    FILE *in = fopen(src, "rb");
    if (in) {
        FILE *out = fopen(dst, "wb");
        char buf[65536];
        size_t n;
        while (out && (n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
        fclose(in);
        if (!out || fclose(out) != 0) return 1;
        printf("metadata: a copy of %s\n", src);
        return 0;
    }
    /* no committed metadata: register the library's experimental kernels, results unknown */
    fgi_meta_options o = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_CREATE | FGI_META_MANUAL_SAVE};
    fgi_meta_store *s;
    if (fgi_meta_open(dst, &o, &s) != FG_OK) return fail("create metadata");
    fg_exp_kernel_info ks[64];
    size_t n = 0;
    if (fg_exp_list_ops(NULL, NULL, ks, 64, &n) != FG_OK) return fail("list kernels");
    for (size_t i = 0; i < n && i < 64; i++) {
        char entry[512];
        snprintf(entry, sizeof entry,
                 "{\"op_name\": \"%s\", \"category\": \"%s\", \"code_location\": {\"file_path\": "
                 "\"src/experimental/%s/%s/%s.c\"}}",
                 ks[i].op, ks[i].category, ks[i].group, ks[i].category, ks[i].op);
        if (fgi_meta_register_op(s, ks[i].id, entry) != FG_OK) return fail(ks[i].id);
    }
    if (fgi_meta_save(s) != FG_OK) return fail("save metadata");
    fgi_meta_close(s);
    printf("metadata: %s has none; %zu registered kernels entered without results\n", src, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOURCE_DIR\n", argv[0]);
        return 2;
    }
    const char *tmpdir = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/fg-example-10-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) return perror("mkdtemp"), 1;
    char meta[600], tracker[600], drafts[600];
    snprintf(meta, sizeof meta, "%s/_metadata.json", dir);
    snprintf(tracker, sizeof tracker, "%s/tracker.json", dir);
    snprintf(drafts, sizeof drafts, "%s/drafts", dir);
    if (mkdir(drafts, 0755) != 0 || copy_metadata(argv[1], meta)) return 1;

    /* 1. check all kernels */
    fgi_grad_policy policy;
    char policy_path[1024];
    snprintf(policy_path, sizeof policy_path, "%s/" FGI_GRAD_POLICY_PATH, argv[1]);
    if (fgi_grad_policy_load(policy_path, &policy) != FG_OK) return fail("policy");
    fgi_grad_check_options co = {.metadata_path = meta, .tracker_path = tracker, .drafts_dir = drafts,
                                 .policy = &policy};
    fgi_grad_check_result *res;
    if (fgi_grad_check_run(&co, &res) != FG_OK) return fail("check");
    char *md = fgi_grad_check_result_to_markdown(res);
    fputs(md ? md : "(out of memory)\n", stdout);
    free(md);

    /* 2. dry run of the proposer on the best-scoring kernel */
    const fgi_grad_kernel_result *best = NULL;
    for (size_t i = 0; i < res->n_kernels; i++)
        if (!best || res->kernels[i].report.score > best->report.score) best = &res->kernels[i];
    if (best) {
        fgi_grad_propose_options po = {.repo_path = argv[1], .kernel_id = best->report.kernel_id,
                                       .policy = &policy, .dry_run = 1};
        fgi_grad_proposal *p;
        printf("## propose-graduation %s --dry-run\n\n", best->report.kernel_id);
        if (fgi_grad_propose(&po, &p) == FG_OK) {
            char *plan = fgi_grad_proposal_to_markdown(p);
            fputs(plan ? plan : "(out of memory)\n", stdout);
            free(plan);
            fgi_grad_proposal_free(p);
        } else {
            /* the expected outcome until a kernel meets the criteria */
            printf("refused: %s\n", fg_last_error());
        }
    }
    fgi_grad_check_result_free(res);
    FILE *t = fopen(tracker, "r");
    if (t) {
        printf("\n## tracker.json after the check\n\n");
        int c;
        while ((c = fgetc(t)) != EOF) putchar(c);
        fclose(t);
    }
    /* FG_EXAMPLE_KEEP=1 keeps the folder to look at the drafts */
    const char *keep = getenv("FG_EXAMPLE_KEEP");
    if (keep && *keep == '1')
        printf("\ntracker, drafts and metadata copy: %s\n", dir);
    else
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
