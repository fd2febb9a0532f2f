/* fg_codegen_emit: the one path by which generated and imported kernels
 * enter the tree (fg_codegen.h). */
#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen_int.h"
#include "core/error.h"
#include "experimental/metadata.h"
#include "files.h"
#include "ops/kernel.h"
#include "strbuf.h"

const char *fgc_op_category(const char *op)
{
    for (int o = 0; o < FGI_OP_COUNT; o++)
        if (op && strcmp(fgi_op_name((fgi_op)o), op) == 0) return fgi_op_category((fgi_op)o);
    return NULL;
}

fg_status fgc_check_keys(const json_t *obj, const char *const *allowed, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++) ok = !strcmp(*a, key);
        FG_RETURN_IF(!ok, FG_ERR_INVALID_ARG, "%s.%s: unknown key", where, key);
    }
    return FG_OK;
}

bool fgc_is_ident(const char *s, size_t max)
{
    if (!s || !*s || strlen(s) > max || !(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_')) return false;
    return true;
}

/* [a-z0-9_]+ */
bool fgc_is_lower_word(const char *s, size_t max)
{
    if (!s || !*s || strlen(s) > max) return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_')) return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A UUID in the v4 layout whose bits come from the kernel id (two 64-bit
 * FNV-1a hashes, mixed): the same id always gets the same op_id, so a
 * regenerated tree and a redone metadata step agree. */
void fgc_uuid_for(const char *kernel_id, char out[37])
{
    uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
    for (int k = 0; k < 2; k++) {
        for (const char *p = kernel_id; *p; p++) h[k] = (h[k] ^ (unsigned char)*p) * 0x100000001b3ull;
        h[k] ^= h[k] >> 31;
        h[k] *= 0xbf58476d1ce4e5b9ull;
        h[k] ^= h[k] >> 29;
    }
    unsigned char b[16];
    for (int i = 0; i < 16; i++) b[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* ---------------------------------------------------------------- checks */

static fg_status check_json_object(const char *text, const char *what, size_t i, const char *id)
{
    if (!text) return FG_OK;
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    bool ok = v && json_is_object(v);
    json_decref(v);
    FG_RETURN_IF(!ok, FG_ERR_INVALID_ARG, "kernels[%zu] (%s): %s is not a JSON object", i, id, what);
    return FG_OK;
}

/* Text that goes into a C comment must not end it. */
static fg_status check_comment_safe(const char *s, const char *what, size_t i, const char *id)
{
    FG_RETURN_IF(s && (strstr(s, "*/") || strchr(s, '\n')), FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): %s may hold neither '*/' nor a line break", i, id, what);
    return FG_OK;
}

static fg_status check_kernel(const fg_codegen_kernel *k, size_t i)
{
    const char *id = k->kernel_id ? k->kernel_id : "?";
    FG_RETURN_IF(!k->kernel_id || !k->op || !k->file || !k->symbol || !k->supports || !k->run || !k->source,
                 FG_ERR_INVALID_ARG, "kernels[%zu] (%s): kernel_id, op, file, symbol, supports, run and source are "
                                     "required",
                 i, id);
    FG_RETURN_IF(!fgc_op_category(k->op), FG_ERR_INVALID_ARG, "kernels[%zu] (%s): unknown op '%s'", i, id, k->op);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.cpu.gen.", k->op);
    FG_RETURN_IF(strncmp(k->kernel_id, prefix, strlen(prefix)) != 0 ||
                     !fgc_is_lower_word(k->kernel_id + strlen(prefix), 64),
                 FG_ERR_INVALID_ARG, "kernels[%zu]: kernel id '%s' must be '%s<variant>', variant [a-z0-9_]{1,64}", i,
                 id, prefix);
    size_t flen = strlen(k->file);
    bool file_ok = flen > 2 && flen <= 96 && ends_with(k->file, ".c");
    for (size_t j = 0; file_ok && j + 2 < flen; j++)
        file_ok = islower((unsigned char)k->file[j]) || isdigit((unsigned char)k->file[j]) || k->file[j] == '_';
    FG_RETURN_IF(!file_ok, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): file '%s' must be a plain file name [a-z0-9_]+.c (no folders, at most 96 bytes)",
                 i, id, k->file);
    FG_RETURN_IF(ends_with(k->file, "_avx2.c") != (k->avx2 != 0), FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): an AVX2 kernel's file must end in _avx2.c (it gets -mavx2 -mfma -mf16c), and only "
                 "an AVX2 kernel's; file '%s'",
                 i, id, k->file);
    FG_RETURN_IF(!fgc_is_ident(k->symbol, 96) || !fgc_is_ident(k->supports, 96) || !fgc_is_ident(k->run, 96),
                 FG_ERR_INVALID_ARG, "kernels[%zu] (%s): symbol, supports and run must be C identifiers", i, id);
    FG_RETURN_IF(strncmp(k->supports, "fgi_", 4) != 0 || strncmp(k->run, "fgi_", 4) != 0, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): supports and run must start with fgi_ (internal symbols)", i, id);
    FG_RETURN_IF(!k->dtypes || (strcmp(k->dtypes, "ALL") && strcmp(k->dtypes, "F32") && strcmp(k->dtypes, "F32_F16")),
                 FG_ERR_INVALID_ARG, "kernels[%zu] (%s): dtypes must be ALL, F32 or F32_F16", i, id);
    FG_RETURN_IF(k->priority < -1000 || k->priority > 1000, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): priority %d outside [-1000, 1000]", i, id, k->priority);
    size_t slen = strlen(k->source);
    FG_RETURN_IF(slen > FG_CODEGEN_MAX_SOURCE, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): source has %zu bytes, more than the limit of %zu", i, id, slen,
                 FG_CODEGEN_MAX_SOURCE);
    FG_RETURN_IF(!strstr(k->source, k->supports) || !strstr(k->source, k->run), FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): source does not define %s and %s", i, id, k->supports, k->run);
    FG_FORWARD(check_json_object(k->generation_config ? k->generation_config : "{}", "generation_config", i, id),
               "kernel %s", id);
    FG_FORWARD(check_json_object(k->shape_constraints, "shape_constraints", i, id), "kernel %s", id);
    const char *fields[] = {k->generator_tool, k->generator_version, k->source_template, k->generation_date,
                            k->generation_config};
    const char *names[] = {"generator_tool", "generator_version", "source_template", "generation_date",
                           "generation_config"};
    for (int f = 0; f < 5; f++) FG_FORWARD(check_comment_safe(fields[f], names[f], i, id), "kernel %s", id);
    FG_RETURN_IF(!k->generator_tool || !k->generator_version || !k->generation_date, FG_ERR_INVALID_ARG,
                 "kernels[%zu] (%s): generator_tool, generator_version and generation_date are required", i, id);
    return FG_OK;
}

/* ---------------------------------------------------------------- text */

static char *file_text(const fg_codegen_kernel *k, const char *command, const char *op_id)
{
    fgc_strbuf b = {0};
    fgc_strbuf_printf(&b, "/* GENERATED by %s -- DO NOT EDIT */\n", command);
    fgc_strbuf_printf(&b,
                      "/*\n * %s - Experimental Implementation\n *\n * Metadata:\n *     kernel_id: %s\n"
                      " *     generator_tool: %s\n *     generator_version: %s\n *     source_template: %s\n"
                      " *     generation_date: %s\n *     op_id: %s\n *     generation_config: %s\n */\n",
                      k->op, k->kernel_id, k->generator_tool, k->generator_version,
                      k->source_template ? k->source_template : "(none)", k->generation_date, op_id,
                      k->generation_config ? k->generation_config : "{}");
    fgc_strbuf_puts(&b, k->source);
    if (b.len && b.data[b.len - 1] != '\n') fgc_strbuf_puts(&b, "\n");
    if (b.oom) {
        free(b.data);
        return NULL;
    }
    return fgc_strbuf_take(&b);
}

static void def_line(fgc_strbuf *b, const fg_codegen_kernel *k)
{
    fgc_strbuf_printf(b, "FGI_EXP_KERNEL(%s, \"%s\", %s, %s, %s, %s, %d, %s, %s)\n", k->symbol, k->kernel_id, k->op,
                      k->specialized ? "true" : "false", k->dtypes, k->avx2 ? "AVX2" : "0", k->priority, k->supports,
                      k->run);
}

/* The lines of the kernel's run() definition in text, the range the
 * metadata's code_location holds (the convention of fg-meta-sync): from the
 * line `fg_status <run>(` to the next line starting with '}' (a one-line
 * definition: that line). Without such a definition: the whole file. */
void fgc_run_range(const char *text, const char *run, int *start, int *end)
{
    size_t rl = strlen(run);
    int line = 1, total = 0;
    *start = *end = 0;
    for (const char *p = text; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (!*start && len > 10 + rl && !strncmp(p, "fg_status ", 10) && !strncmp(p + 10, run, rl) &&
            p[10 + rl] == '(') {
            bool one_line = memchr(p, '{', len) && memchr(p, '}', len);
            if (one_line || !memchr(p, ';', len)) {
                *start = line;
                if (one_line) *end = line;
            }
        } else if (*start && !*end && p[0] == '}') {
            *end = line;
        }
        total = line;
        if (!nl) break;
        p = nl + 1;
    }
    if (!*start || !*end) {
        *start = 1;
        *end = total;
    }
}

void fgc_block_marks(const char *command, char *begin, char *end, size_t size)
{
    snprintf(begin, size, "/* BEGIN GENERATED by %s -- DO NOT EDIT */\n", command);
    snprintf(end, size, "/* END GENERATED by %s */\n", command);
}

/* Splits def into the text before the command's block, the block's body
 * and the text after; with no block, *body is NULL and before is all. */
void fgc_def_split(const char *def, const char *command, size_t *before, const char **body, size_t *body_len,
                   const char **after)
{
    char begin[1024], end[1024];
    fgc_block_marks(command, begin, end, sizeof begin);
    const char *b = strstr(def, begin), *e = b ? strstr(b, end) : NULL;
    if (!b || !e) {
        *before = strlen(def);
        *body = NULL;
        *body_len = 0;
        *after = def + strlen(def);
        return;
    }
    *before = (size_t)(b - def);
    *body = b + strlen(begin);
    *body_len = (size_t)(e - *body);
    *after = e + strlen(end);
}

/* Whether text (len bytes) lists k's id, descriptor symbol, supports or run
 * function: two kernels.def lines naming the same function would not link. */
static bool def_mentions(const char *text, size_t len, const fg_codegen_kernel *k)
{
    char *t = strndup(text, len);
    if (!t) return false;
    char pat[8][224];
    snprintf(pat[0], sizeof pat[0], "\"%s\"", k->kernel_id);
    snprintf(pat[1], sizeof pat[1], "FGI_EXP_KERNEL(%s,", k->symbol);
    snprintf(pat[2], sizeof pat[2], " %s,", k->supports);
    snprintf(pat[3], sizeof pat[3], " %s)", k->supports);
    snprintf(pat[4], sizeof pat[4], " %s,", k->run);
    snprintf(pat[5], sizeof pat[5], " %s)", k->run);
    bool hit = false;
    for (int i = 0; i < 6 && !hit; i++) hit = strstr(t, pat[i]) != NULL;
    free(t);
    return hit;
}

/* ---------------------------------------------------------------- metadata */

static json_t *json_or_empty(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_object();
}

static fg_status record_metadata(const char *repo, const fg_codegen_kernel *k, size_t n, char *const *rel,
                                 const int (*lines)[2], fg_codegen_mode mode, size_t *count)
{
    char path[PATH_MAX + 64], commit[64];
    snprintf(path, sizeof path, "%s/%s/_metadata.json", repo, FGC_GEN_DIR);
    fgc_head_commit(repo, commit, sizeof commit);
    fgi_meta_options mo = {.kind = FGI_META_KIND_METADATA, .flags = FGI_META_CREATE | FGI_META_MANUAL_SAVE,
                           .repo_root = repo};
    fgi_meta_store *st = NULL;
    FG_FORWARD(fgi_meta_open(path, &mo, &st), "opening %s", path);
    fg_status s = FG_OK;
    for (size_t i = 0; i < n && s == FG_OK; i++) {
        const fgi_meta_op *have = NULL;
        bool exists = fgi_meta_get_op(st, k[i].kernel_id, &have) == FG_OK;
        fgi_meta_op_release(have);
        fgi_error_clear();
        if (exists && mode == FG_CODEGEN_MODE_APPEND) {
            s = FG_ERROR(FG_ERR_CONFLICT, "kernel %s is already in %s", k[i].kernel_id, path);
            break;
        }
        char uuid[37];
        fgc_uuid_for(k[i].kernel_id, uuid);
        json_t *gi = json_pack("{s:s, s:s, s:s?, s:s, s:o}", "generator_tool", k[i].generator_tool,
                               "generator_version", k[i].generator_version, "source_template", k[i].source_template,
                               "generation_date", k[i].generation_date, "generation_config",
                               json_or_empty(k[i].generation_config));
        json_t *cl = json_pack("{s:s, s:i, s:i}", "file_path", rel[i], "line_start", lines[i][0], "line_end",
                               lines[i][1]);
        json_object_set_new(cl, "commit_hash", commit[0] ? json_string(commit) : json_null());
        json_t *e = json_pack("{s:o, s:o, s:{s:o}}", "generation_info", gi, "code_location", cl, "hardware_support",
                              "shape_constraints", json_or_empty(k[i].shape_constraints));
        if (!exists) {
            json_object_set_new(e, "op_name", json_string(k[i].op));
            json_object_set_new(e, "category", json_string(fgc_op_category(k[i].op)));
            json_object_set_new(e, "op_id", json_string(uuid));
        }
        char *text = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(e);
        if (!text) {
            s = FG_ERROR(FG_ERR_NO_MEMORY, "metadata entry of %s", k[i].kernel_id);
            break;
        }
        s = exists ? fgi_meta_update_op(st, k[i].kernel_id, text) : fgi_meta_register_op(st, k[i].kernel_id, text);
        free(text);
        if (s != FG_OK) s = fgi_error_push(s, "metadata of %s", k[i].kernel_id);
    }
    if (s == FG_OK) s = fgi_meta_save(st);
    if (s == FG_OK) *count = n;
    fgi_meta_close(st);
    return s;
}

/* ---------------------------------------------------------------- emit */

fg_status fg_codegen_emit(const fg_codegen_kernel *k, size_t n, const char *command, fg_codegen_mode mode,
                          const fg_codegen_options *opts, fg_codegen_summary *summary)
{
    fg_codegen_options none = {0};
    if (!opts) opts = &none;
    fg_codegen_summary sum = {0};
    if (summary) *summary = sum;
    FG_RETURN_IF(!k && n, FG_ERR_NULL, "kernels is NULL");
    FG_RETURN_IF(!command || !*command || strstr(command, "*/") || strchr(command, '\n') || strlen(command) > 900,
                 FG_ERR_INVALID_ARG, "command must be one line of at most 900 bytes without '*/'");
    FG_RETURN_IF(n > FG_CODEGEN_MAX_KERNELS, FG_ERR_INVALID_ARG, "%zu kernels; at most %d at once", n,
                 FG_CODEGEN_MAX_KERNELS);
    FG_RETURN_IF(mode != FG_CODEGEN_MODE_BLOCK && mode != FG_CODEGEN_MODE_APPEND, FG_ERR_INVALID_ARG, "bad mode %d",
                 (int)mode);
    for (size_t i = 0; i < n; i++) {
        FG_FORWARD(check_kernel(&k[i], i), "fg_codegen_emit");
        for (size_t j = 0; j < i; j++) {
            FG_RETURN_IF(!strcmp(k[i].kernel_id, k[j].kernel_id), FG_ERR_CONFLICT,
                         "kernels[%zu] and kernels[%zu] share the id %s", j, i, k[i].kernel_id);
            FG_RETURN_IF(!strcmp(k[i].file, k[j].file), FG_ERR_CONFLICT,
                         "kernels[%zu] and kernels[%zu] share the file %s", j, i, k[i].file);
            FG_RETURN_IF(!strcmp(k[i].symbol, k[j].symbol) || !strcmp(k[i].run, k[j].run) ||
                             !strcmp(k[i].supports, k[j].supports),
                         FG_ERR_CONFLICT, "kernels[%zu] and kernels[%zu] share a symbol", j, i);
        }
    }
    char repo[PATH_MAX], base[PATH_MAX + 64], style[PATH_MAX + 128], defpath[PATH_MAX + 128];
    FG_FORWARD(fgc_repo_root(opts->repo_root, repo, sizeof repo), "fg_codegen_emit");
    bool scratch = opts->out_dir != NULL;
    if (scratch) {
        FG_RETURN_IF(!realpath(opts->out_dir, base), FG_ERR_NOT_FOUND, "output folder %s does not exist",
                     opts->out_dir);
    } else {
        snprintf(base, sizeof base, "%s/%s", repo, FGC_GEN_DIR);
    }
    snprintf(style, sizeof style, "%s/%s/.clang-format", repo, FGC_GEN_DIR);
    snprintf(defpath, sizeof defpath, "%s/kernels.def", base);
    bool meta_only = opts->flags & FG_CODEGEN_METADATA_ONLY;
    bool meta = !scratch && !(opts->flags & FG_CODEGEN_NO_METADATA);

    char *def = NULL;
    fg_status s = fgc_read_file(defpath, FG_CODEGEN_MAX_INPUT, &def, NULL);
    if (s == FG_ERR_NOT_FOUND && scratch) {
        fgi_error_clear();
        def = strdup("");
        s = def ? FG_OK : FG_ERROR(FG_ERR_NO_MEMORY, "kernels.def");
    }
    if (s != FG_OK) return fgi_error_push(s, "fg_codegen_emit");

    char **texts = calloc(n + 1, sizeof *texts), **paths = calloc(n + 1, sizeof *paths),
         **rel = calloc(n + 1, sizeof *rel);
    int(*lines)[2] = calloc(n + 1, sizeof *lines);
    fgc_strbuf nd = {0};
    if (!texts || !paths || !rel || !lines) s = FG_ERROR(FG_ERR_NO_MEMORY, "fg_codegen_emit");

    /* duplicates against the tree */
    size_t before = 0, body_len = 0;
    const char *body = NULL, *after = NULL;
    fgc_def_split(def, command, &before, &body, &body_len, &after);
    for (size_t i = 0; i < n && s == FG_OK; i++) {
        bool outside = def_mentions(def, before, &k[i]) || def_mentions(after, strlen(after), &k[i]);
        if (mode == FG_CODEGEN_MODE_APPEND && body) outside = outside || def_mentions(body, body_len, &k[i]);
        if (outside)
            s = FG_ERROR(FG_ERR_CONFLICT, "kernel %s (or its symbol %s, %s or %s) is already listed in %s",
                         k[i].kernel_id, k[i].symbol, k[i].supports, k[i].run, defpath);
    }
    /* an import into a scratch folder must still be new to the repository */
    if (s == FG_OK && scratch && mode == FG_CODEGEN_MODE_APPEND) {
        char rdef[PATH_MAX + 128];
        snprintf(rdef, sizeof rdef, "%s/%s/kernels.def", repo, FGC_GEN_DIR);
        char *rtext = NULL;
        fg_status r = fgc_read_file(rdef, FG_CODEGEN_MAX_INPUT, &rtext, NULL);
        if (r == FG_ERR_NOT_FOUND) {
            fgi_error_clear();
        } else if (r != FG_OK) {
            s = fgi_error_push(r, "fg_codegen_emit");
        }
        for (size_t i = 0; rtext && i < n && s == FG_OK; i++)
            if (def_mentions(rtext, strlen(rtext), &k[i]))
                s = FG_ERROR(FG_ERR_CONFLICT, "kernel %s (or its symbol %s, %s or %s) is already listed in %s",
                             k[i].kernel_id, k[i].symbol, k[i].supports, k[i].run, rdef);
        free(rtext);
    }
    /* the files */
    for (size_t i = 0; i < n && s == FG_OK; i++) {
        const char *cat = fgc_op_category(k[i].op);
        size_t need = strlen(base) + strlen(cat) + strlen(k[i].file) + 3;
        paths[i] = malloc(need);
        rel[i] = malloc(strlen(FGC_GEN_DIR) + strlen(cat) + strlen(k[i].file) + 3);
        if (!paths[i] || !rel[i]) {
            s = FG_ERROR(FG_ERR_NO_MEMORY, "fg_codegen_emit");
            break;
        }
        snprintf(paths[i], need, "%s/%s/%s", base, cat, k[i].file);
        sprintf(rel[i], "%s/%s/%s", FGC_GEN_DIR, cat, k[i].file);
        if (mode == FG_CODEGEN_MODE_APPEND) {
            char in_repo[PATH_MAX + 256];
            snprintf(in_repo, sizeof in_repo, "%s/%s", repo, rel[i]);
            if (access(paths[i], F_OK) == 0 || access(in_repo, F_OK) == 0) {
                s = FG_ERROR(FG_ERR_CONFLICT, "%s already exists", rel[i]);
                break;
            }
        }
        char uuid[37];
        fgc_uuid_for(k[i].kernel_id, uuid);
        char *raw = file_text(&k[i], command, uuid);
        if (!raw) {
            s = FG_ERROR(FG_ERR_NO_MEMORY, "text of %s", k[i].kernel_id);
            break;
        }
        if (opts->flags & FG_CODEGEN_NO_FORMAT) {
            texts[i] = raw;
        } else {
            s = fgc_clang_format(opts->clang_format, style, raw, &texts[i]);
            free(raw);
            if (s != FG_OK) s = fgi_error_push(s, "formatting %s", rel[i]);
        }
        if (s == FG_OK) fgc_run_range(texts[i], k[i].run, &lines[i][0], &lines[i][1]);
    }
    /* the new kernels.def */
    if (s == FG_OK) {
        if (mode == FG_CODEGEN_MODE_BLOCK) {
            char begin[1024], end[1024];
            fgc_block_marks(command, begin, end, sizeof begin);
            fgc_strbuf_putn(&nd, def, before);
            if (!body && before > 0 && def[before - 1] != '\n') fgc_strbuf_puts(&nd, "\n");
            if (!body && before > 0) fgc_strbuf_puts(&nd, "\n");
            fgc_strbuf_puts(&nd, begin);
            for (size_t i = 0; i < n; i++) def_line(&nd, &k[i]);
            fgc_strbuf_puts(&nd, end);
            fgc_strbuf_puts(&nd, after);
        } else {
            fgc_strbuf_puts(&nd, def);
            if (n) fgc_strbuf_printf(&nd, "%s/* imported by %s */\n", nd.len ? "\n" : "", command);
            for (size_t i = 0; i < n; i++) def_line(&nd, &k[i]);
        }
        if (nd.oom) s = FG_ERROR(FG_ERR_NO_MEMORY, "kernels.def");
    }
    /* metadata first: a refused entry leaves the tree as it was */
    if (s == FG_OK && meta) s = record_metadata(repo, k, n, rel, lines, mode, &sum.metadata);
    for (size_t i = 0; i < n && s == FG_OK && !meta_only; i++) {
        int changed = 0;
        s = fgc_write_file(base, paths[i], texts[i], &changed);
        if (changed) sum.written++;
        else
            sum.unchanged++;
        if (s == FG_OK && opts->log)
            fprintf(opts->log, "%s %s\n", changed ? "wrote" : "unchanged", scratch ? paths[i] : rel[i]);
    }
    if (s == FG_OK && !meta_only) {
        int changed = 0;
        s = fgc_write_file(base, defpath, nd.data ? nd.data : "", &changed);
        if (changed) sum.written++;
        else
            sum.unchanged++;
        if (s == FG_OK && opts->log)
            fprintf(opts->log, "%s %s\n", changed ? "wrote" : "unchanged",
                    scratch ? defpath : FGC_GEN_DIR "/kernels.def");
    }
    sum.kernels = s == FG_OK ? n : 0;
    if (summary) *summary = sum;
    for (size_t i = 0; i < n && texts; i++) {
        free(texts[i]);
        if (paths) free(paths[i]);
        if (rel) free(rel[i]);
    }
    free(texts);
    free(paths);
    free(rel);
    free(lines);
    free(nd.data);
    free(def);
    return s == FG_OK ? FG_OK : fgi_error_push(s, "fg_codegen_emit");
}
