/* The graduation proposer (seed §3.3, Task 3.3) with libgit2: checks
 * everything first, computes every new file in memory, and only then
 * creates branch graduation/<op>, writes, and commits. A failure after the
 * branch exists is rolled back (HEAD, work tree, branch). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "core/error.h"
#include "core/file.h"
#include "experimental/graduation/graduation.h"

#define META_PATH FGI_GRAD_METADATA_PATH
#define TRACKER_PATH FGI_GRAD_TRACKER_PATH
#define STABLE_DEF "src/ops/kernels.def"
#define ALIAS_DEF "src/ops/aliases.def"
#define EXP_HEADER "include/flaggems/experimental.h"
#define STABLE_HEADER "include/flaggems/flaggems.h"
#define GRADUATED_C "src/ops/graduated.c"

/* A text file of the work tree, as read and as it will be written. */
typedef struct text_file {
    char rel[512];
    char *old;       /* NULL: new file */
    char *now;       /* new content; NULL: unchanged */
} text_file;

typedef struct plan {
    git_repository *repo;
    char root[1024];          /* work tree, with a trailing '/' */
    const fgi_grad_propose_options *o;
    fgi_grad_policy policy;
    fgi_grad_proposal *p;
    const fgi_meta_op *op;
    char group[16];           /* "generated" or "custom" */
    char device[16];
    char src_rel[512], dst_rel[512];
    text_file exp_def, stable_def, alias_def, exp_h, stable_h, graduated_c;
    int typed;                /* fg_exp_<op> exists and becomes deprecated */
    git_oid head_oid;
} plan;

static fg_status git_fail(int rc, const char *what)
{
    const git_error *e = git_error_last();
    return FG_ERROR(FG_ERR_IO, "%s: %s (libgit2 %d)", what, e && e->message ? e->message : "error", rc);
}

static void path_of(const plan *pl, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", pl->root, rel);
}

static fg_status read_text(const plan *pl, const char *rel, int required, char **out)
{
    char path[1600];
    path_of(pl, rel, path, sizeof path);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        FG_RETURN_IF(required || errno != ENOENT, errno == ENOENT ? FG_ERR_NOT_FOUND : FG_ERR_IO,
                     "cannot read %s: %s", rel, strerror(errno));
        return FG_OK;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 && n < (64L << 20) ? malloc((size_t)n + 1) : NULL;
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)n) {
        free(buf);
        return FG_ERROR(n < 0 || n >= (64L << 20) ? FG_ERR_IO : FG_ERR_NO_MEMORY, "cannot read %s", rel);
    }
    buf[n] = '\0';
    *out = buf;
    return FG_OK;
}

static fg_status load(plan *pl, text_file *t, const char *rel, int required)
{
    snprintf(t->rel, sizeof t->rel, "%s", rel);
    return read_text(pl, rel, required, &t->old);
}

static void text_free(text_file *t)
{
    free(t->old);
    free(t->now);
    t->old = t->now = NULL;
}

/* printf into a new malloc'd string. */
static char *strf(const char *fmt, ...) FGI_PRINTF(1, 2);
static char *strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return s;
}

/* base[0..at) + ins + base[at + cut..] */
static char *splice(const char *base, size_t at, size_t cut, const char *ins)
{
    size_t n = strlen(base), m = strlen(ins);
    char *s = malloc(n - cut + m + 1);
    if (!s) return NULL;
    memcpy(s, base, at);
    memcpy(s + at, ins, m);
    memcpy(s + at + m, base + at + cut, n - at - cut + 1);
    return s;
}

static void add_change(fgi_grad_proposal *p, fgi_grad_change_kind kind, const char *path, const char *from,
                       const char *what)
{
    if (p->n_files >= FGI_GRAD_MAX_CHANGES) return;
    fgi_grad_file_change *c = &p->files[p->n_files++];
    c->kind = kind;
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->from, sizeof c->from, "%s", from ? from : "");
    snprintf(c->what, sizeof c->what, "%s", what);
}

/* ---------------------------------------------------------------- repository checks */

static fg_status open_repo(plan *pl)
{
    const char *path = pl->o->repo_path;
    int rc = git_repository_open_ext(&pl->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
    FG_RETURN_IF(rc == GIT_ENOTFOUND, FG_ERR_NOT_FOUND, "%s is not the root of a git repository", path);
    if (rc < 0) return git_fail(rc, "open repository");
    const char *wd = git_repository_workdir(pl->repo);
    FG_RETURN_IF(!wd, FG_ERR_UNSUPPORTED, "%s is a bare repository (a work tree is needed)", path);
    snprintf(pl->root, sizeof pl->root, "%s", wd);
    FG_RETURN_IF(git_repository_head_detached(pl->repo) == 1, FG_ERR_CONFLICT,
                 "HEAD is detached: check out the branch the graduation should start from");
    git_reference *head = NULL;
    rc = git_repository_head(&head, pl->repo);
    FG_RETURN_IF(rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND, FG_ERR_CONFLICT,
                 "the repository has no commit yet");
    if (rc < 0) return git_fail(rc, "read HEAD");
    snprintf(pl->p->base_branch, sizeof pl->p->base_branch, "%s", git_reference_shorthand(head));
    git_oid_cpy(&pl->head_oid, git_reference_target(head));
    git_reference_free(head);
    return FG_OK;
}

/* Tracked files with changes (staged or not) make the tree dirty;
 * untracked files do not (those the proposer would write are checked
 * one by one). */
static fg_status check_clean(plan *pl)
{
    git_status_options so;
    git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
    so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *st = NULL;
    int rc = git_status_list_new(&st, pl->repo, &so);
    if (rc < 0) return git_fail(rc, "read the work tree status");
    size_t n = git_status_list_entrycount(st), dirty = 0;
    char first[512] = "";
    for (size_t i = 0; i < n; i++) {
        const git_status_entry *e = git_status_byindex(st, i);
        if (e->status == GIT_STATUS_CURRENT || (e->status & (GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED)) == e->status)
            continue;
        const git_diff_delta *d = e->head_to_index ? e->head_to_index : e->index_to_workdir;
        if (!dirty++ && d) snprintf(first, sizeof first, "%s", d->new_file.path);
    }
    git_status_list_free(st);
    FG_RETURN_IF(dirty, FG_ERR_CONFLICT,
                 "the work tree has %zu uncommitted change(s) (first: %s): commit or stash them first", dirty,
                 first);
    return FG_OK;
}

static fg_status check_branch(plan *pl)
{
    fgi_grad_proposal *p = pl->p;
    int n = snprintf(p->branch, sizeof p->branch, "graduation/%s", pl->op->op_name);
    FG_RETURN_IF(n < 0 || (size_t)n >= sizeof p->branch, FG_ERR_INVALID_ARG, "op name too long");
    char ref[200];
    snprintf(ref, sizeof ref, "refs/heads/%s", p->branch);
    int valid = 0;
    FG_RETURN_IF(git_reference_name_is_valid(&valid, ref) < 0 || !valid, FG_ERR_INVALID_ARG,
                 "'%s' is not a valid branch name", p->branch);
    git_reference *r = NULL;
    int rc = git_branch_lookup(&r, pl->repo, p->branch, GIT_BRANCH_LOCAL);
    git_reference_free(r);
    FG_RETURN_IF(rc == 0, FG_ERR_CONFLICT, "branch %s exists already: delete it or finish that graduation",
                 p->branch);
    if (rc != GIT_ENOTFOUND) return git_fail(rc, "look up the branch");
    return FG_OK;
}

/* ---------------------------------------------------------------- eligibility */

/* An op name instead of a kernel id: its one eligible experimental kernel. */
static fg_status kernel_of_op(plan *pl, fgi_meta_store *ms, const char *name)
{
    fgi_meta_filter f = {.op_name = name,
                         .status_mask = (1u << FGI_META_VALIDATED) | (1u << FGI_META_GRADUATION_CANDIDATE) |
                                        (1u << FGI_META_EXPERIMENTAL)};
    fgi_meta_op_list list = {0};
    FG_FORWARD(fgi_meta_query_ops(ms, &f, &list), "kernels of op %s", name);
    char names[600] = "";
    size_t len = 0, n_ok = 0;
    const fgi_meta_op *pick = NULL;
    fg_status s = FG_OK;
    for (size_t i = 0; i < list.count && s == FG_OK; i++) {
        fgi_grad_report r;
        s = fgi_grad_check_all(list.ops[i], &pl->policy, pl->p->version, &r);
        if (s == FG_OK && r.eligible) pick = list.ops[i], n_ok++;
        if (s == FG_OK && len < sizeof names)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s (%.3f%s)", len ? ", " : "",
                                    r.kernel_id, r.score, r.eligible ? ", eligible" : "");
    }
    if (s == FG_OK && list.count == 0)
        s = FG_ERROR(FG_ERR_NOT_FOUND, "no experimental kernel or op named '%s' in the metadata", name);
    else if (s == FG_OK && n_ok == 0)
        s = FG_ERROR(FG_ERR_UNSUPPORTED, "no kernel of op %s is eligible for graduation: %s", name, names);
    else if (s == FG_OK && n_ok > 1)
        s = FG_ERROR(FG_ERR_INVALID_ARG, "op %s has %zu eligible kernels: name one of %s", name, n_ok, names);
    /* a reference of its own: the list's go with the list */
    const fgi_meta_op *held = NULL;
    if (s == FG_OK) s = fgi_meta_get_op(ms, pick->kernel_id, &held);
    pl->op = s == FG_OK ? held : NULL;
    fgi_meta_op_list_release(&list);
    return s;
}

static fg_status check_kernel(plan *pl)
{
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_READONLY, .repo_root = pl->root};
    char path[1600];
    path_of(pl, META_PATH, path, sizeof path);
    fgi_meta_store *ms = NULL;
    FG_FORWARD(fgi_meta_open(path, &mo, &ms), "metadata %s", META_PATH);
    const char *name = pl->o->kernel_id;
    fg_status s = fgi_meta_get_op(ms, name, &pl->op);
    if (s == FG_ERR_NOT_FOUND) {
        fgi_error_clear();
        s = kernel_of_op(pl, ms, name);
    }
    fgi_meta_close(ms);
    FG_FORWARD(s, "graduating %s", name);
    fgi_grad_report *r = &pl->p->report;
    FG_FORWARD(fgi_grad_check_all(pl->op, &pl->policy, pl->p->version, r), "graduating %s", name);
    if (!r->eligible) {
        char why[900] = "";
        size_t len = 0;
        for (int i = 0; i < r->n_blockers && len < sizeof why; i++)
            len += (size_t)snprintf(why + len, sizeof why - len, "%s%s", i ? "; " : "", r->blockers[i]);
        return FG_ERROR(FG_ERR_UNSUPPORTED, "%s is not eligible for graduation (score %.3f): %s",
                        pl->op->kernel_id, r->score, why);
    }
    snprintf(pl->p->kernel_id, sizeof pl->p->kernel_id, "%s", pl->op->kernel_id);
    snprintf(pl->p->op_name, sizeof pl->p->op_name, "%s", pl->op->op_name);
    return FG_OK;
}

/* <op>.<device>.<gen|generated|custom>.<variant...> -> <op>.<device>.stable.<variant...> */
static fg_status stable_id(plan *pl)
{
    const char *id = pl->op->kernel_id;
    const char *d1 = strchr(id, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL, *d3 = d2 ? strchr(d2 + 1, '.') : NULL;
    FG_RETURN_IF(!d3 || !d3[1], FG_ERR_INVALID_ARG,
                 "kernel id %s is not <op>.<device>.<group>.<variant>: cannot name its stable id", id);
    size_t gl = (size_t)(d3 - d2 - 1);
    int gen = (gl == 3 && !strncmp(d2 + 1, "gen", 3)) || (gl == 9 && !strncmp(d2 + 1, "generated", 9));
    int custom = gl == 6 && !strncmp(d2 + 1, "custom", 6);
    FG_RETURN_IF(!gen && !custom, FG_ERR_INVALID_ARG, "kernel id %s: the third component must be gen, generated or "
                                                      "custom", id);
    int dev_ok = d2 - d1 > 1 && d2 - d1 <= (ptrdiff_t)sizeof pl->device;
    for (const char *c = d1 + 1; dev_ok && c < d2; c++) dev_ok = islower((unsigned char)*c) || isdigit((unsigned char)*c);
    FG_RETURN_IF(!dev_ok, FG_ERR_INVALID_ARG, "kernel id %s: the device component must be lower-case letters and "
                                              "digits (cpu, cuda)", id);
    snprintf(pl->group, sizeof pl->group, "%s", gen ? "generated" : "custom");
    snprintf(pl->device, sizeof pl->device, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
    snprintf(pl->p->stable_id, sizeof pl->p->stable_id, "%.*s.stable.%s", (int)(d2 - id), id, d3 + 1);
    return FG_OK;
}

/* ---------------------------------------------------------------- kernels.def */

/* The line of `def` that lists `id` with macro `macro`: its start and length
 * (with the newline). */
static int find_def_line(const char *def, const char *macro, const char *id, size_t *at, size_t *len)
{
    char quoted[FGI_META_MAX_ID + 8];
    snprintf(quoted, sizeof quoted, "\"%s\"", id);
    for (const char *line = def; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        const char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        size_t ml = strlen(macro);
        if (!strncmp(s, macro, ml) && s[ml] == '(') {
            const char *comma = memchr(s, ',', n - (size_t)(s - line));
            const char *arg = comma ? comma + 1 : NULL;
            while (arg && *arg == ' ') arg++;
            if (arg && !strncmp(arg, quoted, strlen(quoted)) &&
                (arg[strlen(quoted)] == ',' || arg[strlen(quoted)] == ' ')) {
                *at = (size_t)(line - def);
                *len = n;
                return 1;
            }
        }
        line += n;
    }
    return 0;
}

static fg_status plan_defs(plan *pl)
{
    char rel[128];
    snprintf(rel, sizeof rel, "src/experimental/%s/kernels.def", pl->group);
    FG_FORWARD(load(pl, &pl->exp_def, rel, 1), "experimental list");
    FG_FORWARD(load(pl, &pl->stable_def, STABLE_DEF, 1), "stable list");
    FG_FORWARD(load(pl, &pl->alias_def, ALIAS_DEF, 1), "alias list");
    size_t at, len;
    FG_RETURN_IF(!find_def_line(pl->exp_def.old, "FGI_EXP_KERNEL", pl->op->kernel_id, &at, &len), FG_ERR_NOT_FOUND,
                 "%s has no FGI_EXP_KERNEL line for \"%s\"", rel, pl->op->kernel_id);
    size_t a2, l2;
    FG_RETURN_IF(find_def_line(pl->stable_def.old, "FGI_GRADUATED_KERNEL", pl->p->stable_id, &a2, &l2) ||
                     find_def_line(pl->stable_def.old, "FGI_KERNEL", pl->p->stable_id, &a2, &l2),
                 FG_ERR_CONFLICT, "%s lists \"%s\" already", STABLE_DEF, pl->p->stable_id);
    char quoted[FGI_META_MAX_ID + 8];
    snprintf(quoted, sizeof quoted, "\"%s\"", pl->op->kernel_id);
    FG_RETURN_IF(strstr(pl->alias_def.old, quoted), FG_ERR_CONFLICT, "%s has an alias \"%s\" already", ALIAS_DEF,
                 pl->op->kernel_id);

    /* FGI_EXP_KERNEL(sym, "id", rest...) -> FGI_GRADUATED_KERNEL(sym, "stable id", rest...) */
    const char *line = pl->exp_def.old + at;
    const char *open = strchr(line, '(');
    const char *idq = strstr(line, quoted);
    char *rest = strndup(idq + strlen(quoted), len - (size_t)(idq + strlen(quoted) - line));
    char *sym = strndup(open + 1, (size_t)(idq - open - 1));
    FG_RETURN_IF(!rest || !sym, FG_ERR_NO_MEMORY, "list line");
    char *sline = strf("FGI_GRADUATED_KERNEL(%s\"%s\"%s%s", sym, pl->p->stable_id, rest,
                       rest[strlen(rest) - 1] == '\n' ? "" : "\n");
    free(rest);
    free(sym);
    char *aline = strf("FGI_KERNEL_ALIAS(\"%s\", \"%s\", \"%s\", \"%s\")\n", pl->op->kernel_id, pl->p->stable_id,
                       pl->p->version, pl->p->removal_version);
    size_t sl = strlen(pl->stable_def.old), al = strlen(pl->alias_def.old);
    pl->exp_def.now = splice(pl->exp_def.old, at, len, "");
    pl->stable_def.now = sline ? strf("%s%s%s", pl->stable_def.old,
                                      sl && pl->stable_def.old[sl - 1] != '\n' ? "\n" : "", sline)
                               : NULL;
    pl->alias_def.now = aline ? strf("%s%s%s", pl->alias_def.old,
                                     al && pl->alias_def.old[al - 1] != '\n' ? "\n" : "", aline)
                              : NULL;
    free(sline);
    free(aline);
    FG_RETURN_IF(!pl->exp_def.now || !pl->stable_def.now || !pl->alias_def.now, FG_ERR_NO_MEMORY, "lists");
    return FG_OK;
}

/* ---------------------------------------------------------------- source file */

static int exists(const plan *pl, const char *rel)
{
    char path[1600];
    path_of(pl, rel, path, sizeof path);
    struct stat st;
    return lstat(path, &st) == 0;
}

static fg_status plan_move(plan *pl)
{
    const char *src = pl->op->code_location.file_path;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "src/experimental/%s/", pl->group);
    FG_RETURN_IF(strncmp(src, prefix, strlen(prefix)) != 0, FG_ERR_INVALID_ARG,
                 "code_location.file_path %s is not under %s", src, prefix);
    FG_RETURN_IF(!exists(pl, src), FG_ERR_NOT_FOUND, "the kernel's source %s (code_location.file_path) is missing",
                 src);
    unsigned flags = 0;
    int rc = git_status_file(&flags, pl->repo, src);
    FG_RETURN_IF(rc == 0 && (flags & GIT_STATUS_WT_NEW), FG_ERR_CONFLICT, "%s is not committed", src);
    if (rc < 0) return git_fail(rc, "status of the kernel's source");
    const char *base = strrchr(src, '/') + 1;
    snprintf(pl->src_rel, sizeof pl->src_rel, "%s", src);
    snprintf(pl->dst_rel, sizeof pl->dst_rel, "src/ops/%s/%s", pl->device, base);
    FG_RETURN_IF(exists(pl, pl->dst_rel), FG_ERR_CONFLICT, "%s exists already", pl->dst_rel);
    return FG_OK;
}

/* ---------------------------------------------------------------- typed function */

/* Names of the parameters in "DLTensor *out, const DLTensor *x" -> "out, x". */
static char *param_names(const char *params, size_t n)
{
    char *list = calloc(1, n + 1);
    if (!list) return NULL;
    size_t len = 0;
    const char *p = params, *end = params + n;
    while (p < end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        const char *q = e;
        while (q > p && !isalnum((unsigned char)q[-1]) && q[-1] != '_') q--;
        const char *w = q;
        while (w > p && (isalnum((unsigned char)w[-1]) || w[-1] == '_')) w--;
        if (w == q || ((size_t)(q - w) == 4 && !strncmp(w, "void", 4))) {
            if (c || len) {
                free(list);
                return NULL; /* an unnamed parameter: cannot forward */
            }
        } else {
            len += (size_t)snprintf(list + len, n + 1 - len, "%s%.*s", len ? ", " : "", (int)(q - w), w);
        }
        p = c ? c + 1 : end;
    }
    return list;
}

static fg_status plan_typed(plan *pl)
{
    FG_FORWARD(load(pl, &pl->exp_h, EXP_HEADER, 0), "experimental header");
    if (!pl->exp_h.old) return FG_OK;
    char fn[96], stable_fn[96];
    snprintf(fn, sizeof fn, "fg_exp_%s(", pl->op->op_name);
    snprintf(stable_fn, sizeof stable_fn, "fg_%s(", pl->op->op_name);
    char *at = strstr(pl->exp_h.old, fn);
    while (at && at > pl->exp_h.old && (isalnum((unsigned char)at[-1]) || at[-1] == '_')) at = strstr(at + 1, fn);
    if (!at) return FG_OK;
    char *line = at;
    while (line > pl->exp_h.old && line[-1] != '\n') line--;
    FG_RETURN_IF(strncmp(line, "FG_API ", 7) != 0, FG_ERR_UNSUPPORTED,
                 "%s: the declaration of %s) does not start with FG_API", EXP_HEADER, fn);
    FG_FORWARD(load(pl, &pl->stable_h, STABLE_HEADER, 1), "stable header");
    FG_FORWARD(load(pl, &pl->graduated_c, GRADUATED_C, 0), "graduated entry points");
    FG_RETURN_IF(strstr(pl->stable_h.old, stable_fn), FG_ERR_CONFLICT, "%s declares %s) already", STABLE_HEADER,
                 stable_fn);
    const char *semi = strchr(at, ';');
    const char *open = at + strlen(fn) - 1, *close = semi ? memchr(open, ')', (size_t)(semi - open)) : NULL;
    FG_RETURN_IF(!semi || !close, FG_ERR_UNSUPPORTED, "%s: cannot parse the declaration of %s)", EXP_HEADER, fn);
    /* the first ')' closes the list: parameters of typed ops have no parentheses */
    char *names = param_names(open + 1, (size_t)(close - open - 1));
    FG_RETURN_IF(!names, FG_ERR_UNSUPPORTED, "%s: %s) has an unnamed parameter: cannot forward it", EXP_HEADER, fn);
    /* "FG_API <ret> fg_exp_op(<params>);" pieces */
    int ret_len = (int)(at - line - 7);
    int params_len = (int)(close - open - 1);
    const char *ver = pl->p->version, *rm = pl->p->removal_version, *op = pl->op->op_name;
    char *deprecated = strf("FG_DEPRECATED(\"graduated in %s: use fg_%s; removed in %s\")\n", ver, op, rm);
    char *decl = strf("/* %s: graduated from the experimental tier in %s (was fg_exp_%s). */\nFG_API %.*sfg_%s(%.*s);"
                      "\n\n", op, ver, op, ret_len, line + 7, op, params_len, open + 1);
    char *def = strf("%sFG_API %.*sfg_%s(%.*s)\n{\n    return fg_exp_%s(%s);\n}\n",
                     pl->graduated_c.old ? "\n" : "", ret_len, line + 7, op, params_len, open + 1, op, names);
    free(names);
    const char *cpp = NULL;
    for (const char *s = strstr(pl->stable_h.old, "#ifdef __cplusplus"); s; s = strstr(s + 1, "#ifdef __cplusplus"))
        cpp = s;
    fg_status s = FG_OK;
    if (!deprecated || !decl || !def) s = FG_ERROR(FG_ERR_NO_MEMORY, "declarations");
    else if (!cpp || cpp == strstr(pl->stable_h.old, "#ifdef __cplusplus"))
        s = FG_ERROR(FG_ERR_UNSUPPORTED, "%s: no closing '#ifdef __cplusplus' block to insert before", STABLE_HEADER);
    if (s == FG_OK) {
        pl->exp_h.now = splice(pl->exp_h.old, (size_t)(line - pl->exp_h.old), 0, deprecated);
        pl->stable_h.now = splice(pl->stable_h.old, (size_t)(cpp - pl->stable_h.old), 0, decl);
        pl->graduated_c.now = pl->graduated_c.old
                                  ? strf("%s%s", pl->graduated_c.old, def)
                                  : strf("/* Stable entry points of graduated ops, written by the graduation tool "
                                         "(flag-gems-exp\n * propose-graduation). Each forwards to the experimental "
                                         "entry point it replaces (the\n * same dispatch), which stays one version as a "
                                         "deprecated alias. */\n#define FG_EXPERIMENTAL_API\n#include "
                                         "\"flaggems/experimental.h\"\n\n#pragma GCC diagnostic ignored "
                                         "\"-Wdeprecated-declarations\"\n\n%s",
                                         def);
        if (!pl->exp_h.now || !pl->stable_h.now || !pl->graduated_c.now) s = FG_ERROR(FG_ERR_NO_MEMORY, "headers");
    }
    free(deprecated);
    free(decl);
    free(def);
    pl->typed = s == FG_OK;
    return s;
}

/* ---------------------------------------------------------------- the plan */

static void describe(plan *pl)
{
    fgi_grad_proposal *p = pl->p;
    char what[320];
    add_change(p, FGI_GRAD_MOVED, pl->dst_rel, pl->src_rel, "the kernel's source");
    snprintf(what, sizeof what, "removed the FGI_EXP_KERNEL line of %s", p->kernel_id);
    add_change(p, FGI_GRAD_MODIFIED, pl->exp_def.rel, NULL, what);
    snprintf(what, sizeof what, "added FGI_GRADUATED_KERNEL %s", p->stable_id);
    add_change(p, FGI_GRAD_MODIFIED, STABLE_DEF, NULL, what);
    snprintf(what, sizeof what, "added the deprecated alias %s until %s", p->kernel_id, p->removal_version);
    add_change(p, FGI_GRAD_MODIFIED, ALIAS_DEF, NULL, what);
    if (pl->typed) {
        snprintf(what, sizeof what, "fg_exp_%s marked FG_DEPRECATED", p->op_name);
        add_change(p, FGI_GRAD_MODIFIED, EXP_HEADER, NULL, what);
        snprintf(what, sizeof what, "added the stable fg_%s", p->op_name);
        add_change(p, FGI_GRAD_MODIFIED, STABLE_HEADER, NULL, what);
        add_change(p, pl->graduated_c.old ? FGI_GRAD_MODIFIED : FGI_GRAD_ADDED, GRADUATED_C, NULL,
                   "stable entry point forwarding to the experimental one");
    }
    snprintf(what, sizeof what, "%s marked GRADUATED, code_location moved", p->kernel_id);
    add_change(p, FGI_GRAD_MODIFIED, META_PATH, NULL, what);
    snprintf(what, sizeof what, "%s moved to recently_graduated (%s, alias removed in %s)", p->op_name, p->version,
             p->removal_version);
    add_change(p, exists(pl, TRACKER_PATH) ? FGI_GRAD_MODIFIED : FGI_GRAD_ADDED, TRACKER_PATH, NULL, what);
    snprintf(p->commit_message, sizeof p->commit_message,
             "feat(ops): graduate %s (%s) to the stable tier\n\nMoves %.200s to %.200s and lists it as %s. The experimental "
             "id stays a deprecated alias until %s. Graduation score %.3f.\n",
             p->op_name, p->kernel_id, pl->src_rel, pl->dst_rel, p->stable_id, p->removal_version, p->report.score);
}

static int changed_by_plan(const fgi_grad_proposal *p, const char *path)
{
    for (size_t i = 0; i < p->n_files; i++)
        if (!strcmp(p->files[i].path, path) || !strcmp(p->files[i].from, path)) return 1;
    return 0;
}

/* Committed files (the index, which the clean check made equal to HEAD and
 * the work tree) that name the experimental id and that the plan does not
 * rewrite. */
static fg_status find_mentions(plan *pl)
{
    fgi_grad_proposal *p = pl->p;
    char quoted[FGI_META_MAX_ID + 8];
    snprintf(quoted, sizeof quoted, "\"%s\"", p->kernel_id);
    size_t ql = strlen(quoted);
    git_index *idx = NULL;
    int rc = git_repository_index(&idx, pl->repo);
    if (rc < 0) return git_fail(rc, "read the index");
    size_t n = git_index_entrycount(idx);
    for (size_t i = 0; i < n; i++) {
        const git_index_entry *e = git_index_get_byindex(idx, i);
        if (changed_by_plan(p, e->path) || e->file_size > (8u << 20)) continue;
        git_blob *b = NULL;
        if (git_blob_lookup(&b, pl->repo, &e->id) < 0) continue;
        const char *d = git_blob_rawcontent(b);
        size_t len = (size_t)git_blob_rawsize(b);
        int hit = !git_blob_is_binary(b) && len >= ql && memmem(d, len, quoted, ql) != NULL;
        git_blob_free(b);
        if (!hit) continue;
        if (p->n_mentions < FGI_GRAD_MAX_MENTIONS)
            snprintf(p->mentions[p->n_mentions], sizeof p->mentions[0], "%s", e->path);
        p->n_mentions++;
    }
    git_index_free(idx);
    return FG_OK;
}

static fg_status make_plan(plan *pl)
{
    FG_FORWARD(open_repo(pl), "repository %s", pl->o->repo_path);
    FG_FORWARD(check_kernel(pl), "propose");
    FG_FORWARD(check_clean(pl), "propose");
    FG_FORWARD(check_branch(pl), "propose");
    FG_FORWARD(stable_id(pl), "propose");
    FG_FORWARD(plan_defs(pl), "propose");
    FG_FORWARD(plan_move(pl), "propose");
    FG_FORWARD(plan_typed(pl), "propose");
    describe(pl);
    FG_FORWARD(find_mentions(pl), "propose");
    pl->p->body = fgi_grad_pr_text(pl->p, pl->op, &pl->p->title);
    FG_RETURN_IF(!pl->p->body, FG_ERR_NO_MEMORY, "PR text");
    return FG_OK;
}

/* ---------------------------------------------------------------- apply */

static fg_status write_text(plan *pl, const text_file *t)
{
    if (!t->now) return FG_OK;
    char path[1600];
    path_of(pl, t->rel, path, sizeof path);
    return fgi_write_file_durable(path, t->now, strlen(t->now));
}

static fg_status update_metadata(plan *pl)
{
    char path[1600];
    path_of(pl, META_PATH, path, sizeof path);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_MANUAL_SAVE, .repo_root = pl->root};
    fgi_meta_store *ms = NULL;
    FG_FORWARD(fgi_meta_open(path, &mo, &ms), "metadata");
    fg_status s = FG_OK;
    if (pl->op->status == FGI_META_VALIDATED)
        s = fgi_meta_update_op(ms, pl->op->kernel_id, "{\"status\": \"GRADUATION_CANDIDATE\"}");
    char *patch = strf("{\"status\": \"GRADUATED\", \"graduation_tracking\": {\"eligible\": true}}");
    if (s == FG_OK) s = patch ? fgi_meta_update_op(ms, pl->op->kernel_id, patch) : FG_ERR_NO_MEMORY;
    free(patch);
    /* every entry whose code lives in the moved file follows it */
    fgi_meta_op_list all = {0};
    if (s == FG_OK) s = fgi_meta_query_ops(ms, NULL, &all);
    for (size_t i = 0; i < all.count && s == FG_OK; i++) {
        if (strcmp(all.ops[i]->code_location.file_path, pl->src_rel) != 0) continue;
        char *loc = strf("{\"code_location\": {\"file_path\": \"%s\"}}", pl->dst_rel);
        s = loc ? fgi_meta_update_op(ms, all.ops[i]->kernel_id, loc) : FG_ERR_NO_MEMORY;
        free(loc);
    }
    fgi_meta_op_list_release(&all);
    if (s == FG_OK) s = fgi_meta_save(ms);
    fgi_meta_close(ms);
    FG_FORWARD(s, "metadata");
    return FG_OK;
}

static fg_status update_tracker(plan *pl)
{
    char path[1600];
    path_of(pl, TRACKER_PATH, path, sizeof path);
    fgi_meta_options to = {.kind = FGI_META_KIND_TRACKER, .flags = FGI_META_CREATE | FGI_META_MANUAL_SAVE};
    fgi_meta_store *ts = NULL;
    FG_FORWARD(fgi_meta_open(path, &to, &ts), "tracker");
    fg_status s = fgi_meta_tracker_remove_candidate(ts, pl->op->op_id);
    if (s == FG_ERR_NOT_FOUND) {
        fgi_error_clear();
        s = FG_OK;
    }
    fgi_meta_graduated g = {.op_name = pl->op->op_name,
                            .graduated_version = pl->p->version,
                            .graduation_date = pl->o->today,
                            .deprecation_date = pl->p->removal_version};
    if (s == FG_OK) s = fgi_meta_tracker_add_graduated(ts, &g);
    if (s == FG_OK) s = fgi_meta_save(ts);
    fgi_meta_close(ts);
    FG_FORWARD(s, "tracker");
    return FG_OK;
}

static fg_status move_source(plan *pl)
{
    char from[1600], to[1600], dir[1600];
    path_of(pl, pl->src_rel, from, sizeof from);
    path_of(pl, pl->dst_rel, to, sizeof to);
    snprintf(dir, sizeof dir, "%s", to);
    *strrchr(dir, '/') = '\0';
    FG_RETURN_IF(mkdir(dir, 0755) != 0 && errno != EEXIST, FG_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    FG_RETURN_IF(rename(from, to) != 0, FG_ERR_IO, "cannot move %s to %s: %s", pl->src_rel, pl->dst_rel,
                 strerror(errno));
    return FG_OK;
}

static fg_status commit(plan *pl)
{
    git_index *idx = NULL;
    git_signature *sig = NULL;
    git_commit *parent = NULL;
    git_tree *tree = NULL;
    git_oid tree_oid, oid;
    int rc = git_repository_index(&idx, pl->repo);
    if (rc >= 0) rc = git_index_remove_bypath(idx, pl->src_rel);
    for (size_t i = 0; rc >= 0 && i < pl->p->n_files; i++) rc = git_index_add_bypath(idx, pl->p->files[i].path);
    if (rc >= 0) rc = git_index_write(idx);
    if (rc >= 0) rc = git_index_write_tree(&tree_oid, idx);
    if (rc >= 0) rc = git_tree_lookup(&tree, pl->repo, &tree_oid);
    if (rc >= 0) rc = git_commit_lookup(&parent, pl->repo, &pl->head_oid);
    if (rc >= 0) {
        if (pl->o->author_name || pl->o->author_email || git_signature_default(&sig, pl->repo) < 0)
            rc = git_signature_now(&sig, pl->o->author_name ? pl->o->author_name : "flaggems graduation",
                                   pl->o->author_email ? pl->o->author_email : "graduation@flaggems.invalid");
    }
    if (rc >= 0)
        rc = git_commit_create_v(&oid, pl->repo, "HEAD", sig, sig, NULL, pl->p->commit_message, tree, 1, parent);
    fg_status s = rc < 0 ? git_fail(rc, "commit") : FG_OK;
    if (s == FG_OK) git_oid_tostr(pl->p->commit_id, sizeof pl->p->commit_id, &oid);
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(parent);
    git_index_free(idx);
    return s;
}

/* Puts HEAD, index and work tree back on the base branch and deletes the
 * graduation branch; files the plan created are removed. */
static void rollback(plan *pl)
{
    char ref[200];
    snprintf(ref, sizeof ref, "refs/heads/%s", pl->p->base_branch);
    git_repository_set_head(pl->repo, ref);
    git_object *head = NULL;
    if (git_object_lookup(&head, pl->repo, &pl->head_oid, GIT_OBJECT_COMMIT) == 0) {
        git_checkout_options co;
        git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
        co.checkout_strategy = GIT_CHECKOUT_FORCE;
        git_reset(pl->repo, head, GIT_RESET_HARD, &co);
        git_object_free(head);
    }
    char path[1600];
    path_of(pl, pl->dst_rel, path, sizeof path);
    unlink(path);
    if (pl->typed && !pl->graduated_c.old) {
        path_of(pl, GRADUATED_C, path, sizeof path);
        unlink(path);
    }
    /* the branch has no config section, so deleting the reference is all
     * (git_branch_delete would also scan the config: libgit2 1.5 leaks there) */
    git_reference *br = NULL;
    if (git_branch_lookup(&br, pl->repo, pl->p->branch, GIT_BRANCH_LOCAL) == 0) {
        git_reference_delete(br);
        git_reference_free(br);
    }
}

static fg_status apply(plan *pl)
{
    git_commit *head = NULL;
    git_reference *br = NULL;
    int rc = git_commit_lookup(&head, pl->repo, &pl->head_oid);
    if (rc >= 0) rc = git_branch_create(&br, pl->repo, pl->p->branch, head, 0);
    git_commit_free(head);
    if (rc < 0) return git_fail(rc, "create the branch");
    /* same commit as HEAD and a clean tree: switching HEAD is the checkout */
    rc = git_repository_set_head(pl->repo, git_reference_name(br));
    git_reference_free(br);
    fg_status s = rc < 0 ? git_fail(rc, "check out the branch") : FG_OK;
    text_file *files[] = {&pl->exp_def, &pl->stable_def, &pl->alias_def, &pl->exp_h, &pl->stable_h, &pl->graduated_c};
    for (size_t i = 0; i < sizeof files / sizeof files[0] && s == FG_OK; i++) s = write_text(pl, files[i]);
    if (s == FG_OK) s = move_source(pl);
    if (s == FG_OK) s = update_metadata(pl);
    if (s == FG_OK) s = update_tracker(pl);
    if (s == FG_OK) s = commit(pl);
    if (s != FG_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", fg_last_error());
        rollback(pl);
        return FG_ERROR(s, "graduation rolled back: %s", msg);
    }
    return FG_OK;
}

fg_status fgi_grad_propose(const fgi_grad_propose_options *o, fgi_grad_proposal **out)
{
    FG_RETURN_IF(!out, FG_ERR_NULL, "out is NULL");
    *out = NULL;
    FG_RETURN_IF(!o || !o->repo_path || !o->kernel_id, FG_ERR_NULL, "repo_path and kernel_id are required");
    plan pl = {.o = o};
    if (o->policy)
        pl.policy = *o->policy;
    else
        fgi_grad_policy_default(&pl.policy);
    char today[16];
    fgi_grad_today(o->today, today, sizeof today);
    FG_RETURN_IF(!fgi_grad_valid_date(today), FG_ERR_INVALID_ARG, "today \"%s\" is not a date YYYY-MM-DD", today);
    fgi_grad_propose_options oo = *o;
    oo.today = today;
    pl.o = &oo;
    pl.p = calloc(1, sizeof *pl.p);
    FG_RETURN_IF(!pl.p, FG_ERR_NO_MEMORY, "proposal");
    pl.p->dry_run = o->dry_run;
    const char *version = o->version ? o->version : fg_version();
    int a, b;
    fg_status s = fgi_grad_version_parse(version, &a, &b)
                      ? FG_ERROR(FG_ERR_INVALID_ARG, "version \"%s\" is not a version like \"0.1.0\"", version)
                      : FG_OK;
    snprintf(pl.p->version, sizeof pl.p->version, "%s", version);
    fgi_grad_next_version(version, pl.p->removal_version, sizeof pl.p->removal_version);
    git_libgit2_init();
    if (s == FG_OK) s = make_plan(&pl);
    /* the PR text first (outside the work tree): a failed write stops
     * everything, and a failed apply removes it again */
    if (s == FG_OK && o->pr_file && !o->dry_run) {
        char *text = strf("%s\n\n%s", pl.p->title, pl.p->body);
        s = text ? fgi_write_file_durable(o->pr_file, text, strlen(text)) : FG_ERROR(FG_ERR_NO_MEMORY, "PR text");
        free(text);
    }
    if (s == FG_OK && !o->dry_run) {
        s = apply(&pl);
        if (s != FG_OK && o->pr_file) unlink(o->pr_file);
    }
    text_file *files[] = {&pl.exp_def, &pl.stable_def, &pl.alias_def, &pl.exp_h, &pl.stable_h, &pl.graduated_c};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) text_free(files[i]);
    fgi_meta_op_release(pl.op);
    git_repository_free(pl.repo);
    git_libgit2_shutdown();
    if (s != FG_OK) {
        fgi_grad_proposal_free(pl.p);
        return fgi_error_push(s, "fgi_grad_propose %s", o->kernel_id);
    }
    *out = pl.p;
    return FG_OK;
}

void fgi_grad_proposal_free(fgi_grad_proposal *p)
{
    if (!p) return;
    free(p->title);
    free(p->body);
    free(p);
}
