/* flag-gems-exp config show|validate: the runtime configuration in effect
 * (defaults < FLAGGEMS_EXP_CONFIG file < FLAGGEMS_EXP_<KEY> environment), and
 * a check of a configuration file. */
#define FG_EXPERIMENTAL_API
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "flaggems/experimental.h"

static int show(cli_ctx *ctx)
{
    char *text = NULL;
    fg_status st = fg_exp_get_config_json(&text);
    if (st != FG_OK) return cli_lib_error(ctx, st, 0, NULL, "cannot read the configuration");
    json_error_t err;
    json_t *cfg = json_loads(text, 0, &err);
    fg_exp_free(text);
    if (!cfg) return cli_fail(ctx, NULL, "configuration JSON: %s", err.text);
    if (ctx->format == CLI_JSON) {
        cli_print_json(cfg);
        return CLI_OK;
    }
    const char *cfile = getenv("FLAGGEMS_EXP_CONFIG");
    static const char *const heads[] = {"KEY", "VALUE"};
    cli_table t;
    cli_table_init(&t, 2, heads);
    const char *key;
    json_t *v;
    /* jansson iterates in insertion order; the library writes sorted keys. */
    json_object_foreach(cfg, key, v)
    {
        char *s = json_is_string(v) ? strdup(json_string_value(v))
                                    : json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
        const char *row[2] = {key, s};
        cli_table_row(&t, row);
        free(s);
    }
    cli_table_print(&t, ctx->format, stdout);
    cli_table_free(&t);
    printf("%sconfig file: %s\n", ctx->format == CLI_MD ? "\n" : "",
           cfile && cfile[0] ? cfile : "none (FLAGGEMS_EXP_CONFIG is not set)");
    json_decref(cfg);
    return CLI_OK;
}

static int validate(cli_ctx *ctx, const char *path)
{
    if (!path) path = getenv("FLAGGEMS_EXP_CONFIG");
    if (!path || !path[0])
        return cli_usage(ctx, "name a file: flag-gems-exp config validate FILE",
                         "no configuration file given and FLAGGEMS_EXP_CONFIG is not set");
    char *text = NULL, why[256];
    if (cli_read_file(path, (size_t)1 << 20, &text, NULL, why, sizeof why) < 0)
        return cli_usage(ctx, "check the path", "cannot read '%s': %s", path, why);
    /* The keys are applied to this process only, all or nothing: exactly the
     * check the runtime makes when it loads the file. */
    fg_status st = fg_exp_set_config_json(text);
    free(text);
    int ok = st == FG_OK;
    if (ctx->format == CLI_JSON) {
        cli_print_json(json_pack("{s:s, s:b, s:s}", "file", path, "valid", ok, "error",
                                 ok ? "" : fg_last_error()));
    } else {
        if (ok) printf("%s: valid\n", path);
    }
    if (!ok && ctx->format != CLI_JSON)
        return cli_fail(ctx, "fix the key named above; 'flag-gems-exp config show' lists the keys",
                        "%s: %s", path, fg_last_error());
    return ok ? CLI_OK : CLI_FAIL;
}

static int run_config(cli_ctx *ctx, const cli_args *a)
{
    const char *what = a->pos[0];
    if (strcmp(what, "show") == 0) {
        if (a->npos > 1) return cli_usage(ctx, NULL, "'config show' takes no file");
        return show(ctx);
    }
    if (strcmp(what, "validate") == 0) return validate(ctx, a->npos > 1 ? a->pos[1] : NULL);
    return cli_usage(ctx, "use 'config show' or 'config validate [FILE]'",
                     "unknown config action '%s'", what);
}

static const cli_opt_spec k_opts[] = {{NULL, 0}};

const cli_cmd cli_cmd_config = {
    "config",
    "show the runtime configuration, or check a config file",
    "config show | config validate [FILE]",
    "show: every configuration key with the value in effect for a program started\n"
    "from this environment (defaults < the JSON file named by FLAGGEMS_EXP_CONFIG <\n"
    "FLAGGEMS_EXP_<KEY> variables).\n"
    "validate [FILE]: checks a JSON configuration file (default: the one named by\n"
    "FLAGGEMS_EXP_CONFIG) as the runtime would load it: exit 0 when valid, 1 with\n"
    "the key, the value and what is allowed when not.",
    k_opts,
    1,
    2,
    0,
    run_config,
};
