/* The bundle importer: a generator's JSON bundle of kernel sources ->
 * fg_codegen_emit (APPEND mode), the same path as generated kernels. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_int.h"
#include "core/error.h"
#include "experimental/metadata.h"
#include "files.h"

#define BAD(...) FG_ERROR(FG_ERR_INVALID_ARG, __VA_ARGS__)

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One bundle kernel -> k; the strings stay owned by the JSON document, the
 * JSON-object fields are dumped into *cfg and *con (malloc'd). */
static fg_status parse_kernel(const json_t *e, size_t i, const json_t *root, fg_codegen_kernel *k, char *symbol,
                              size_t ssize, char **cfg, char **con)
{
    char where[48];
    snprintf(where, sizeof where, "kernels[%zu]", i);
    FG_RETURN_IF(!json_is_object(e), FG_ERR_INVALID_ARG, "%s: expected an object", where);
    static const char *const keys[] = {"kernel_id", "op", "file", "isa", "dtypes", "specialized", "priority",
                                       "supports", "run", "source_template", "generation_config",
                                       "shape_constraints", "source", NULL};
    FG_FORWARD(fgc_check_keys(e, keys, where), "bundle");
    const char *isa = str(e, "isa");
    FG_RETURN_IF(!isa || (strcmp(isa, "avx2") && strcmp(isa, "portable")), FG_ERR_INVALID_ARG,
                 "%s.isa: expected \"avx2\" or \"portable\"", where);
    const json_t *spec = json_object_get(e, "specialized"), *prio = json_object_get(e, "priority");
    FG_RETURN_IF(spec && !json_is_boolean(spec), FG_ERR_INVALID_ARG, "%s.specialized: expected a boolean", where);
    FG_RETURN_IF(prio && !json_is_integer(prio), FG_ERR_INVALID_ARG, "%s.priority: expected an integer", where);
    const json_t *gc = json_object_get(e, "generation_config"), *sc = json_object_get(e, "shape_constraints");
    FG_RETURN_IF((gc && !json_is_object(gc)) || (sc && !json_is_object(sc)), FG_ERR_INVALID_ARG,
                 "%s: generation_config and shape_constraints must be objects", where);
    const char *fields[] = {"kernel_id", "op", "file", "supports", "run", "source"};
    for (int f = 0; f < 6; f++)
        FG_RETURN_IF(!str(e, fields[f]), FG_ERR_INVALID_ARG, "%s.%s: expected a string", where, fields[f]);
    const char *id = str(e, "kernel_id"), *op = str(e, "op");
    const char *variant = strrchr(id, '.');
    snprintf(symbol, ssize, "gen_%s_%s", op, variant ? variant + 1 : id);
    *cfg = json_dumps(gc ? gc : json_object_get(root, "generation_config"), JSON_SORT_KEYS | JSON_COMPACT);
    *con = sc ? json_dumps(sc, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    *k = (fg_codegen_kernel){.kernel_id = id,
                             .op = op,
                             .file = str(e, "file"),
                             .symbol = symbol,
                             .supports = str(e, "supports"),
                             .run = str(e, "run"),
                             .specialized = spec && json_is_true(spec),
                             .dtypes = str(e, "dtypes") ? str(e, "dtypes") : "ALL",
                             .avx2 = !strcmp(isa, "avx2"),
                             .priority = prio ? (int)json_integer_value(prio) : 0,
                             .source = str(e, "source"),
                             .generator_tool = str(root, "generator_tool"),
                             .generator_version = str(root, "generator_version"),
                             .source_template = str(e, "source_template"),
                             .generation_date = str(root, "generation_date"),
                             .generation_config = *cfg ? *cfg : "{}",
                             .shape_constraints = *con};
    return FG_OK;
}

fg_status fg_codegen_import(const char *bundle_path, const fg_codegen_options *opts, fg_codegen_summary *summary)
{
    FG_RETURN_IF(!bundle_path, FG_ERR_NULL, "bundle path is NULL");
    char *text = NULL;
    FG_FORWARD(fgc_read_file(bundle_path, FG_CODEGEN_MAX_INPUT, &text, NULL), "reading the bundle");
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    free(text);
    FG_RETURN_IF(!root, FG_ERR_PARSE, "%s:%d:%d: %s", bundle_path, je.line, je.column, je.text);
    fg_status s = FG_OK;
    static const char *const top[] = {"format", "version", "generator_tool", "generator_version", "generation_date",
                                      "generation_config", "kernels", NULL};
    const json_t *kernels = json_object_get(root, "kernels"), *ver = json_object_get(root, "version");
    const json_t *gc = json_object_get(root, "generation_config");
    int64_t ns;
    if (!json_is_object(root)) s = BAD("expected a JSON object");
    if (s == FG_OK) s = fgc_check_keys(root, top, "bundle");
    if (s == FG_OK && (!str(root, "format") || strcmp(str(root, "format"), "flaggems-kernel-bundle") != 0))
        s = BAD("bundle.format: expected \"flaggems-kernel-bundle\"");
    if (s == FG_OK && (!json_is_integer(ver) || json_integer_value(ver) != 1))
        s = BAD("bundle.version: expected 1 (the only bundle version this tool reads)");
    if (s == FG_OK && (!str(root, "generator_tool") || !str(root, "generator_version")))
        s = BAD("bundle: generator_tool and generator_version are required strings");
    if (s == FG_OK && (!str(root, "generation_date") || fgi_meta_time_parse(str(root, "generation_date"), &ns) != FG_OK))
        s = BAD("bundle.generation_date: expected an RFC 3339 date-time");
    if (s == FG_OK && gc && !json_is_object(gc)) s = BAD("bundle.generation_config: expected an object");
    if (s == FG_OK && (!json_is_array(kernels) || json_array_size(kernels) == 0 ||
                       json_array_size(kernels) > FG_CODEGEN_MAX_KERNELS))
        s = BAD("bundle.kernels: expected an array of 1..%d kernels", FG_CODEGEN_MAX_KERNELS);
    size_t n = s == FG_OK ? json_array_size(kernels) : 0;
    fg_codegen_kernel *k = calloc(n + 1, sizeof *k);
    char(*syms)[200] = calloc(n + 1, 200), **cfg = calloc(n + 1, sizeof *cfg), **con = calloc(n + 1, sizeof *con);
    if (s == FG_OK && (!k || !syms || !cfg || !con)) s = FG_ERROR(FG_ERR_NO_MEMORY, "bundle");
    for (size_t i = 0; s == FG_OK && i < n; i++)
        s = parse_kernel(json_array_get(kernels, i), i, root, &k[i], syms[i], 200, &cfg[i], &con[i]);
    if (s == FG_OK) {
        char command[4200];
        snprintf(command, sizeof command, "%s import %s", FG_CODEGEN_TOOL, bundle_path);
        s = fg_codegen_emit(k, n, command, FG_CODEGEN_MODE_APPEND, opts, summary);
    }
    for (size_t i = 0; i < n && cfg && con; i++) {
        free(cfg[i]);
        free(con[i]);
    }
    free(k);
    free(syms);
    free(cfg);
    free(con);
    json_decref(root);
    return s == FG_OK ? FG_OK : fgi_error_push(s, "import %s", bundle_path);
}
