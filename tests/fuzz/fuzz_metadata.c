/* Fuzz target for the metadata loader (libFuzzer; tests/fuzz/run-fuzz.sh).
 *
 * Each input is tried as a _metadata.json and as a tracker.json document;
 * a document that loads must come back byte-identical after a write/read
 * round trip (else abort), and every reader runs over it. The input is also
 * applied as an update_op patch and as a register_op entry to a store held
 * in memory (MANUAL_SAVE: nothing is written), which exercises the merge,
 * validation and transition paths.
 *
 * Without libFuzzer, replay.c's main() runs the files and folders on its
 * command line through the same function: ctest replays the corpus. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experimental/metadata.h"

static const char seed_doc[] =
    "{\"version\": \"1.0\", \"last_updated\": \"2025-12-19T10:30:00Z\", \"ops\": {"
    "\"fast_gelu_v1\": {\"op_name\": \"fast_gelu\", \"op_id\": "
    "\"550e8400-e29b-41d4-a716-446655440000\", \"category\": \"pointwise\", \"status\": "
    "\"VALIDATED\", \"generation_info\": {\"generator_tool\": \"T\", \"generator_version\": "
    "\"v0.2.1\", \"source_template\": \"t.jinja\", \"generation_date\": "
    "\"2025-12-01T08:00:00Z\", \"generation_config\": {\"block_size\": 1024}}, "
    "\"validation_info\": {\"accuracy_tests\": {\"passed\": true, \"test_cases\": 45, "
    "\"last_run\": \"2025-12-15T14:22:00Z\", \"coverage\": {\"float32\": [\"(1024,)\"]}}, "
    "\"performance_tests\": {\"baselines\": [{\"device\": \"NVIDIA-A100\", \"shape\": [8192, "
    "4096], \"dtype\": \"float16\", \"speedup\": 1.23, \"memory_overhead\": 0.5, "
    "\"reference_impl\": \"torch\", \"timestamp\": \"2025-12-10T10:00:00Z\"}], \"last_run\": "
    "\"2025-12-15T14:30:00Z\"}}, \"hardware_support\": {\"tested_devices\": [\"NVIDIA-A100\"], "
    "\"optimal_devices\": [\"NVIDIA-A100\"], \"shape_constraints\": {\"min_size\": 256}}, "
    "\"graduation_tracking\": {\"eligible\": false, \"in_experimental_since\": \"v4.1\", "
    "\"checklist\": {\"stable_period_met\": false, \"accuracy_passed\": true, "
    "\"performance_passed\": true, \"multi_hardware_validated\": false, "
    "\"code_review_approved\": false, \"documentation_complete\": true}, \"blocking_issues\": "
    "[\"x\"]}, \"code_location\": {\"file_path\": \"src/a.c\", \"line_start\": 15, "
    "\"line_end\": 87, \"commit_hash\": \"a1b2c3d4\"}}}}";

static char scratch[64];
static fgi_meta_store *mutable_store;

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void cleanup(void)
{
    fgi_meta_close(mutable_store);
    if (scratch[0]) nftw(scratch, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void init_mutable(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/fg-fuzz-meta-XXXXXX");
    if (!mkdtemp(scratch)) abort();
    char path[128];
    snprintf(path, sizeof path, "%s/_metadata.json", scratch);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(seed_doc, 1, sizeof seed_doc - 1, f) != sizeof seed_doc - 1) abort();
    fclose(f);
    fgi_meta_options o = {FGI_META_KIND_METADATA, FGI_META_MANUAL_SAVE, scratch};
    if (fgi_meta_open(path, &o, &mutable_store) != FG_OK) abort();
    atexit(cleanup);
}

/* A loaded document must survive write -> read -> write unchanged. */
static void round_trip(fgi_meta_store *s, const fgi_meta_options *o)
{
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    if (fgi_meta_to_json(s, &t1, &n1) != FG_OK) abort();
    fgi_meta_store *again = NULL;
    if (fgi_meta_open_buffer(t1, n1, o, "canonical", &again) != FG_OK) {
        fprintf(stderr, "canonical text does not reload: %s\n", fg_last_error());
        abort();
    }
    if (fgi_meta_to_json(again, &t2, &n2) != FG_OK) abort();
    if (n1 != n2 || memcmp(t1, t2, n1) != 0) {
        fprintf(stderr, "canonical text is not a fixed point\n");
        abort();
    }
    fgi_meta_close(again);
    fgi_meta_free(t1);
    fgi_meta_free(t2);
}

static void readers(fgi_meta_store *s)
{
    fgi_meta_op_list l;
    if (fgi_meta_query_ops(s, NULL, &l) != FG_OK) abort();
    if (l.count != fgi_meta_count(s)) abort();
    for (size_t i = 0; i < l.count && i < 64; i++) {
        char *j = NULL;
        if (fgi_meta_op_to_json(l.ops[i], &j) != FG_OK) abort();
        fgi_meta_free(j);
        fgi_meta_grad_report g;
        if (fgi_meta_check_graduation_eligibility(s, l.ops[i]->kernel_id, &g) != FG_OK) abort();
        const fgi_meta_op *by_id = NULL;
        if (fgi_meta_get_op(s, l.ops[i]->op_id, &by_id) != FG_OK) abort();
        fgi_meta_op_release(by_id);
    }
    fgi_meta_op_list_release(&l);
    fgi_meta_filter f = {1u << FGI_META_VALIDATED, 0, NULL, "generated", "cuda", FGI_META_ELIGIBLE_NO};
    if (fgi_meta_query_ops(s, &f, &l) != FG_OK) abort();
    fgi_meta_op_list_release(&l);
    for (int fmt = 0; fmt < 3; fmt++) {
        char *r = NULL;
        if (fgi_meta_export_report(s, NULL, 0, (fgi_meta_format)fmt, &r, NULL) != FG_OK) abort();
        fgi_meta_free(r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mutable_store) init_mutable();
    for (int kind = 0; kind < 2; kind++) {
        fgi_meta_options o = {(fgi_meta_kind)kind, 0, NULL};
        fgi_meta_store *s = NULL;
        fg_status st = fgi_meta_open_buffer((const char *)data, size, &o, "fuzz", &s);
        if (st == FG_OK) {
            round_trip(s, &o);
            if (kind == FGI_META_KIND_METADATA) readers(s);
            fgi_meta_close(s);
        } else if (!fg_last_error()[0] || s) {
            abort(); /* a refusal always says why and returns no store */
        }
    }
    /* As caller JSON: a patch and a new entry, applied in memory only. */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    fg_status st = fgi_meta_update_op(mutable_store, "fast_gelu_v1", text);
    if (st != FG_OK && !fg_last_error()[0]) abort();
    st = fgi_meta_register_op(mutable_store, "fuzz.cpu.gen.k", text);
    if (st != FG_OK && !fg_last_error()[0]) abort();
    if (fgi_meta_unsaved(mutable_store)) {
        readers(mutable_store);
        if (fgi_meta_reload(mutable_store) != FG_OK) abort();
    }
    free(text);
    return 0;
}
