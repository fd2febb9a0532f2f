/* Graduation (seed Module 3, DESIGN §4 "Graduation"): the criteria and
 * their score, the checker that updates tracker.json and writes issue
 * drafts, demotion, and the proposer that builds the graduation branch with
 * libgit2. docs/experimental/graduation_guide.md explains the rules.
 *
 * Internal API (fgi_grad_*), used by the CLI (`check-graduation`,
 * `propose-graduation`): one call each, results as structs, JSON and
 * Markdown renderers. Criteria only read metadata; the testing tools fill
 * validation_info.
 *
 * Errors: every fg_status function sets fg_last_error() on failure, and a
 * refused call changes nothing on disk. Thread-safety: functions share no
 * state; one repository or metadata file must not be changed by two of
 * them at once (the metadata store's own lock covers its files). */
#ifndef FGI_GRADUATION_H
#define FGI_GRADUATION_H

#include <stddef.h>

#include "experimental/metadata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the files live, relative to the repository root. */
#define FGI_GRAD_METADATA_PATH "src/experimental/generated/_metadata.json"
#define FGI_GRAD_TRACKER_PATH "src/experimental/graduation/tracker.json"
#define FGI_GRAD_POLICY_PATH "src/experimental/graduation/policy.json"

/* ---------------------------------------------------------------- policy */

typedef enum fgi_grad_criterion {
    FGI_GRAD_STABLE_PERIOD = 0,
    FGI_GRAD_ACCURACY = 1,
    FGI_GRAD_PERFORMANCE = 2,
    FGI_GRAD_MULTI_HARDWARE = 3,
    FGI_GRAD_CODE_QUALITY = 4
} fgi_grad_criterion;
#define FGI_GRAD_N_CRITERIA 5

/* "stable_period", "accuracy", "performance", "multi_hardware",
 * "code_quality"; "?" out of range. */
const char *fgi_grad_criterion_name(fgi_grad_criterion c);

#define FGI_GRAD_MAX_REQUIRED_PLATFORMS 8

/* Thresholds and weights. Defaults are the seed's (fgi_grad_policy_default). */
typedef struct fgi_grad_policy {
    int stable_period_versions;   /* 2: minor releases since in_experimental_since */
    int min_test_shapes;          /* 20: distinct shapes in accuracy coverage */
    int min_hardware;             /* 2: distinct platforms in tested_devices */
    int hardware_by_vendor;       /* 1: a platform is the vendor ("NVIDIA" of
                                     "NVIDIA-A100"); 0: each device counts */
    /* Platforms that must be among those tested (e.g. "NVIDIA"), compared
     * ignoring case with the vendor (or the device when !hardware_by_vendor). */
    char required_platforms[FGI_GRAD_MAX_REQUIRED_PLATFORMS][32];
    int n_required_platforms;
    double min_speedup;           /* 0.8: every baseline at or above it */
    int require_code_review;      /* 1: checklist.code_review_approved */
    int require_documentation;    /* 1: checklist.documentation_complete */
    double weights[FGI_GRAD_N_CRITERIA]; /* 0.20 0.30 0.25 0.15 0.10; sum 1 */
    double pass_score;            /* 0.85 */
    /* Criteria whose failure blocks graduation whatever the score
     * (bit 1 << fgi_grad_criterion). Default: accuracy only. */
    unsigned blocking;
} fgi_grad_policy;

void fgi_grad_policy_default(fgi_grad_policy *out);

/* Reads a policy JSON file (format in graduation_guide.md; every key is
 * optional and defaults as above):
 *   {"policy_version": "1.0",
 *    "thresholds": {"stable_period_versions": 2, "min_test_shapes": 20,
 *                   "min_hardware_platforms": 2, "hardware_count_by": "vendor",
 *                   "required_platforms": [], "min_speedup": 0.8,
 *                   "require_code_review": true, "require_documentation": true},
 *    "weights": {"stable_period": 0.2, "accuracy": 0.3, "performance": 0.25,
 *                "multi_hardware": 0.15, "code_quality": 0.1},
 *    "pass_score": 0.85, "blocking_criteria": ["accuracy"]}
 * Refused with FG_ERR_PARSE (line, column) or FG_ERR_INVALID_ARG naming the
 * key, the value and what is allowed (unknown keys, out-of-range values,
 * weights that do not sum to 1); *out is untouched then. FG_ERR_IO,
 * FG_ERR_NOT_FOUND for the file. fgi_grad_policy_parse takes the text. */
fg_status fgi_grad_policy_load(const char *path, fgi_grad_policy *out);
fg_status fgi_grad_policy_parse(const char *json, const char *name, fgi_grad_policy *out);
/* Checks a policy built in code (same rules as the file). */
fg_status fgi_grad_policy_check(const fgi_grad_policy *p);
/* The policy as its JSON file (every key); malloc'd, free(). NULL on OOM. */
char *fgi_grad_policy_to_json(const fgi_grad_policy *p);

/* ---------------------------------------------------------------- criteria */

#define FGI_GRAD_MAX_RECS 4

typedef struct fgi_grad_check {
    fgi_grad_criterion criterion;
    int passed;
    double score;    /* 0..1, partial credit as graduation_guide.md defines */
    double weight;   /* from the policy */
    int blocking;    /* a failure blocks whatever the score */
    char details[256];
    char recommendations[FGI_GRAD_MAX_RECS][192];
    int n_recommendations;
} fgi_grad_check;

/* Figures the checks computed, for reports and the PR text. */
typedef struct fgi_grad_facts {
    int versions_elapsed;      /* -1 when a version did not parse */
    int64_t test_cases;
    size_t distinct_shapes;
    size_t n_baselines;
    size_t n_fast_baselines;   /* at or above min_speedup */
    double speedup_geomean, speedup_min, speedup_max; /* 0 without baselines */
    size_t n_platforms;
    char platforms[256];       /* "cpu, NVIDIA" */
} fgi_grad_facts;

typedef struct fgi_grad_report {
    char kernel_id[FGI_META_MAX_ID + 1];
    char op_name[64];
    char op_id[40];
    char current_version[32];
    fgi_meta_status status;
    fgi_grad_check checks[FGI_GRAD_N_CRITERIA];
    double score;              /* sum of weight * score */
    int eligible;
    /* Why not eligible, one line each: failed blocking criteria, the score
     * under the pass mark, a status that cannot graduate, blocking issues
     * recorded in the metadata. Empty when eligible. */
    char blockers[8][192];
    int n_blockers;
    fgi_grad_facts facts;
} fgi_grad_report;

/* `version` is the library version to compare with in_experimental_since
 * (NULL: fg_version()); policy NULL: defaults. The individual checks fill
 * out->checks[c] and out->facts; check_all runs all five and decides. */
void fgi_grad_check_stable_period(const fgi_meta_op *op, const fgi_grad_policy *p,
                                  const char *version, fgi_grad_report *out);
void fgi_grad_check_accuracy(const fgi_meta_op *op, const fgi_grad_policy *p, fgi_grad_report *out);
void fgi_grad_check_performance(const fgi_meta_op *op, const fgi_grad_policy *p, fgi_grad_report *out);
void fgi_grad_check_multi_hardware(const fgi_meta_op *op, const fgi_grad_policy *p,
                                   fgi_grad_report *out);
void fgi_grad_check_code_quality(const fgi_meta_op *op, const fgi_grad_policy *p, fgi_grad_report *out);
/* FG_ERR_NULL; FG_ERR_INVALID_ARG for a bad policy or version. */
fg_status fgi_grad_check_all(const fgi_meta_op *op, const fgi_grad_policy *p, const char *version,
                             fgi_grad_report *out);

/* Parses "v4.1", "4.1", "0.1.0" into major and minor (patch ignored).
 * Returns 0 on success, -1 otherwise. */
int fgi_grad_version_parse(const char *text, int *major, int *minor);
/* Minor releases from `since` to `now`: same major, the minor difference;
 * a newer major counts its own minor plus one per major step (4.5 -> 5.0
 * is 1, 4.5 -> 5.1 is 2). Negative when since is later. -1000 when either
 * does not parse. */
int fgi_grad_versions_between(const char *since, const char *now);
/* "vMAJOR.(MINOR+1)" style: the next minor version after `version`, in the
 * same style ("v4.2" -> "v4.3", "0.1.0" -> "0.2.0"). */
void fgi_grad_next_version(const char *version, char *buf, size_t size);

/* Makes the store's fgi_meta_check_graduation_eligibility (and its
 * reports) use these criteria with policy `p` (copied into `holder`, which
 * must outlive the store's use of it). p NULL: defaults. */
void fgi_grad_install(fgi_meta_store *store, const fgi_grad_policy *p, fgi_grad_policy *holder);

/* ---------------------------------------------------------------- checker */

typedef struct fgi_grad_check_options {
    const char *metadata_path;    /* required: _metadata.json */
    const char *tracker_path;     /* NULL: the tracker is not updated */
    const char *drafts_dir;       /* NULL: no issue drafts */
    const fgi_grad_policy *policy; /* NULL: defaults */
    /* Kernel ids or op names (an op name: every kernel of the op); NULL:
     * every kernel of the metadata. */
    const char *const *kernel_ids;
    size_t n_kernel_ids;
    const char *version;          /* NULL: fg_version() */
    const char *today;            /* "YYYY-MM-DD"; NULL: today (UTC) */
    int dry_run;                  /* judge only: no metadata, tracker or draft write */
} fgi_grad_check_options;

typedef enum fgi_grad_action {
    FGI_GRAD_NONE = 0,       /* nothing changed for this kernel */
    FGI_GRAD_PROMOTED = 1,   /* VALIDATED -> GRADUATION_CANDIDATE (newly eligible) */
    FGI_GRAD_DEMOTED = 2,    /* VALIDATED or candidate -> EXPERIMENTAL */
    FGI_GRAD_UPDATED = 3     /* checklist / eligible flag brought up to date */
} fgi_grad_action;

typedef struct fgi_grad_kernel_result {
    fgi_grad_report report;
    fgi_meta_status status_before, status_after;
    fgi_grad_action action;
    char demotion_reason[256];
    char tracker_status[24];   /* READY_FOR_REVIEW, BLOCKED, ...; "" when not tracked */
    char draft_path[1024];     /* the issue draft written now, or "" */
} fgi_grad_kernel_result;

typedef struct fgi_grad_check_result {
    fgi_grad_kernel_result *kernels; /* as named; all kernels: sorted by kernel id */
    size_t n_kernels;
    size_t n_eligible, n_promoted, n_demoted, n_drafts;
    int metadata_written, tracker_written;
    int dry_run;
} fgi_grad_check_result;

/* Judges every experimental kernel (EXPERIMENTAL, VALIDATED,
 * GRADUATION_CANDIDATE; later statuses are skipped) of the metadata, or
 * those named (a name that is neither a kernel nor an op is
 * FG_ERR_NOT_FOUND; a kernel already graduated is reported, not changed).
 * Then, unless dry_run:
 *  - metadata: a newly eligible VALIDATED kernel becomes
 *    GRADUATION_CANDIDATE with eligible true; demotion (a VALIDATED kernel
 *    or candidate whose latest accuracy run failed, or with a baseline under
 *    min_speedup) sets EXPERIMENTAL, eligible false and records the reason
 *    in blocking_issues ("demoted ..."); checklist.stable_period_met and
 *    multi_hardware_validated follow the checks. One durable write.
 *  - tracker: candidates READY_FOR_REVIEW (eligible) or BLOCKED (validated
 *    but not eligible, or demoted) with eligible_since, graduation_score,
 *    blocking_issues and next_action; candidates in review keep their PR
 *    status while eligible. Written only when something differs.
 *  - drafts: <drafts_dir>/<kernel_id>.md for each newly eligible kernel.
 * A second run with the same inputs changes nothing. *out is NULL on
 * failure; free with fgi_grad_check_result_free. */
fg_status fgi_grad_check_run(const fgi_grad_check_options *opts, fgi_grad_check_result **out);
void fgi_grad_check_result_free(fgi_grad_check_result *r);

/* ---------------------------------------------------------------- proposer */

typedef struct fgi_grad_propose_options {
    const char *repo_path;        /* the work tree (repository root) */
    /* The experimental kernel to graduate, or an op name: its one eligible
     * kernel (several eligible: FG_ERR_INVALID_ARG naming them). */
    const char *kernel_id;
    const fgi_grad_policy *policy; /* NULL: defaults */
    const char *version;          /* the graduating version; NULL: fg_version() */
    const char *today;            /* NULL: today (UTC) */
    /* The PR title and body are written to this file (outside the work
     * tree, or it would dirty the branch); NULL: not written. */
    const char *pr_file;
    int dry_run;                  /* plan only: nothing is touched */
    const char *author_name;      /* NULL: the repository's user.name, else "flaggems graduation" */
    const char *author_email;     /* NULL: user.email, else "graduation@flaggems.invalid" */
} fgi_grad_propose_options;

typedef enum fgi_grad_change_kind {
    FGI_GRAD_MOVED = 0,
    FGI_GRAD_MODIFIED = 1,
    FGI_GRAD_ADDED = 2
} fgi_grad_change_kind;

typedef struct fgi_grad_file_change {
    fgi_grad_change_kind kind;
    char path[512];           /* repository-relative; the new path for a move */
    char from[512];           /* the old path of a move, else "" */
    char what[320];           /* one line: what changed */
} fgi_grad_file_change;

#define FGI_GRAD_MAX_CHANGES 16
#define FGI_GRAD_MAX_MENTIONS 16

typedef struct fgi_grad_proposal {
    char kernel_id[FGI_META_MAX_ID + 1];
    char stable_id[FGI_META_MAX_ID + 16];
    char op_name[64];
    char branch[160];             /* "graduation/<op>" */
    char base_branch[160];        /* the branch HEAD was on */
    char version[32], removal_version[32];
    char *title;                  /* malloc'd */
    char *body;                   /* malloc'd, Markdown (the seed's template) */
    fgi_grad_file_change files[FGI_GRAD_MAX_CHANGES];
    size_t n_files;
    char commit_id[41];           /* "" on a dry run */
    char commit_message[1024];
    fgi_grad_report report;
    /* Other committed files that still name the experimental id (tests and
     * examples that pin the kernel): the PR must update them. The first
     * FGI_GRAD_MAX_MENTIONS; n_mentions counts all. */
    char mentions[FGI_GRAD_MAX_MENTIONS][256];
    size_t n_mentions;
    int dry_run;
} fgi_grad_proposal;

/* From a clean work tree whose HEAD is a branch, and an eligible kernel:
 * creates branch graduation/<op> at HEAD and checks it out; moves the
 * kernel's source file (code_location) from src/experimental/<group>/<cat>/
 * to src/ops/<device>/; moves its line from the experimental kernels.def to
 * src/ops/kernels.def (as FGI_GRADUATED_KERNEL with id <op>.<device>.stable.
 * <variant>); adds FGI_KERNEL_ALIAS(old id -> new id, removal version) to
 * src/ops/aliases.def; marks fg_exp_<op> (if include/flaggems/experimental.h
 * declares it) FG_DEPRECATED and adds the stable fg_<op> (declaration in
 * flaggems.h, definition in src/ops/graduated.c); sets the metadata status
 * GRADUATED (through GRADUATION_CANDIDATE) and code_location; moves the
 * kernel's tracker entry to recently_graduated; commits
 * "feat(ops): graduate <op> ..." on the branch; writes the PR text.
 * Refusals (nothing changed): FG_ERR_CONFLICT for a dirty work tree, a
 * detached HEAD or an existing branch; FG_ERR_UNSUPPORTED for an
 * ineligible kernel (the message lists the failed criteria);
 * FG_ERR_NOT_FOUND for a missing repository, kernel, source file or list
 * line. With dry_run the same checks run and *out describes the plan;
 * nothing is written. *out NULL on failure; free with
 * fgi_grad_proposal_free. */
fg_status fgi_grad_propose(const fgi_grad_propose_options *opts, fgi_grad_proposal **out);
void fgi_grad_proposal_free(fgi_grad_proposal *p);

/* ---------------------------------------------------------------- reporter */

/* All renderers return malloc'd text (free()) or NULL when out of memory.
 * Output depends only on the input, so it is deterministic. */
char *fgi_grad_report_to_json(const fgi_grad_report *r);
char *fgi_grad_report_to_markdown(const fgi_grad_report *r);
char *fgi_grad_check_result_to_json(const fgi_grad_check_result *r);
char *fgi_grad_check_result_to_markdown(const fgi_grad_check_result *r);
char *fgi_grad_proposal_to_json(const fgi_grad_proposal *p);
/* The plan (dry run) or the summary of what was done, Markdown. */
char *fgi_grad_proposal_to_markdown(const fgi_grad_proposal *p);
/* The issue draft for an eligible kernel. */
char *fgi_grad_issue_draft(const fgi_grad_report *r, const fgi_meta_op *op, const char *today);
/* The seed's PR template filled in: title into *title, body returned. */
char *fgi_grad_pr_text(const fgi_grad_proposal *p, const fgi_meta_op *op, char **title);

/* `given` when not NULL, else today's UTC date "YYYY-MM-DD". */
void fgi_grad_today(const char *given, char *buf, size_t size);
/* 1 when d is a date "YYYY-MM-DD". */
int fgi_grad_valid_date(const char *d);

#ifdef __cplusplus
}
#endif

#endif
