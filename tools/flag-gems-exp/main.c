/* flag-gems-exp: the command-line tool of the experimental ops (seed Task
 * 4.1, DESIGN.md §4 "CLI"). This file parses the command line (global
 * options before or after the subcommand, --opt VALUE and --opt=VALUE,
 * --help everywhere) and runs one subcommand. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FGX_DEFAULT_METADATA
#define FGX_DEFAULT_METADATA "src/experimental/generated/_metadata.json"
#endif

/* Commands whose engine is not part of this build (the testing tools,
 * graduation, the code generator) are left out of it. */
static const cli_cmd *const k_cmds[] = {
    &cli_cmd_list,
    &cli_cmd_info,
#ifdef FGX_HAVE_ACCURACY
    &cli_cmd_validate,
#endif
#ifdef FGX_HAVE_PERFORMANCE
    &cli_cmd_benchmark,
#endif
#ifdef FGX_HAVE_GRADUATION
    &cli_cmd_check_graduation,
    &cli_cmd_propose_graduation,
#endif
#ifdef FGX_HAVE_CODEGEN
    &cli_cmd_import,
    &cli_cmd_codegen,
#endif
    &cli_cmd_import_flaggems,
    &cli_cmd_report,
    &cli_cmd_config,
#ifdef FGX_HAVE_PIPELINE
    &cli_cmd_pipeline,
#endif
};
#define N_CMDS (sizeof k_cmds / sizeof k_cmds[0])

static const char k_globals[] =
    "Global options (before or after the subcommand):\n"
    "  --metadata FILE   metadata file (default: $FLAGGEMS_EXP_METADATA, else the\n"
    "                    project's src/experimental/generated/_metadata.json);\n"
    "                    commands that write create it when it is absent\n"
    "  --format F        table, json or md (default: table on a terminal, json\n"
    "                    otherwise; report also takes html)\n"
    "  -h, --help        help for flag-gems-exp or the subcommand\n"
    "Exit status: 0 success, 1 a check failed, 2 bad usage.\n";

static void print_main_help(FILE *out)
{
    fprintf(out, "usage: flag-gems-exp [--metadata FILE] [--format table|json|md] <command> "
                 "[options]\n\n"
                 "Inspect, validate, benchmark and graduate the experimental kernels of "
                 "libflaggems (%s).\n\nCommands:\n",
            fg_version());
    for (size_t i = 0; i < N_CMDS; i++)
        fprintf(out, "  %-20s %s\n", k_cmds[i]->name, k_cmds[i]->summary);
    fprintf(out, "\n%s\nRun 'flag-gems-exp <command> --help' for a command's options.\n",
            k_globals);
}

static void print_cmd_help(const cli_cmd *c)
{
    printf("usage: flag-gems-exp %s\n\n%s\n\n%s", c->usage, c->help, k_globals);
}

static const cli_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < N_CMDS; i++)
        if (strcmp(k_cmds[i]->name, name) == 0) return k_cmds[i];
    return NULL;
}

static const cli_opt_spec *find_opt(const cli_cmd *c, const char *name)
{
    for (const cli_opt_spec *o = c ? c->opts : NULL; o && o->name; o++)
        if (strcmp(o->name, name) == 0) return o;
    return NULL;
}

static int parse_format(const char *s, cli_format *f)
{
    static const char *const names[] = {"table", "json", "md", "html"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *f = (cli_format)i;
            return 0;
        }
    return -1;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {"", NULL, 0, CLI_TABLE, "", isatty(1), isatty(2)};
    cli_args args;
    memset(&args, 0, sizeof args);
    const cli_cmd *cmd = NULL;
    int help = 0, only_pos = 0;
    const char *format = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (!cmd && strcmp(a, "help") == 0 && !help) {
                help = 1;
                continue;
            }
            if (!cmd) {
                cmd = find_cmd(a);
                if (!cmd)
                    return cli_usage(&ctx, "run 'flag-gems-exp --help' for the commands",
                                     "unknown command '%s'", a);
                ctx.cmd = cmd->name;
                continue;
            }
            if (args.npos >= CLI_MAX_ARGS) return cli_usage(&ctx, NULL, "too many arguments");
            args.pos[args.npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        char name[64];
        const char *value = NULL;
        if (a[1] != '-') { /* short options */
            if (strcmp(a, "-h") == 0) snprintf(name, sizeof name, "help");
            else if (strcmp(a, "-o") == 0) snprintf(name, sizeof name, "output");
            else return cli_usage(&ctx, "see 'flag-gems-exp --help'", "unknown option '%s'", a);
        } else {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            if (n == 0 || n >= sizeof name)
                return cli_usage(&ctx, "see 'flag-gems-exp --help'", "unknown option '%s'", a);
            memcpy(name, a + 2, n);
            name[n] = '\0';
            value = eq ? eq + 1 : NULL;
        }
        int global = strcmp(name, "metadata") == 0 || strcmp(name, "format") == 0;
        if (strcmp(name, "help") == 0) {
            help = 1;
            continue;
        }
        const cli_opt_spec *spec = global ? NULL : find_opt(cmd, name);
        if (!global && !spec) {
            if (!cmd)
                return cli_usage(&ctx, "options of a command go after its name; see 'flag-gems-exp --help'",
                                 "unknown option '--%s'", name);
            char hint[96];
            snprintf(hint, sizeof hint, "see 'flag-gems-exp %s --help'", cmd->name);
            return cli_usage(&ctx, hint, "unknown option '--%s'", name);
        }
        int takes = global || spec->kind != CLI_FLAG;
        char hint[96];
        snprintf(hint, sizeof hint, "see 'flag-gems-exp%s%s --help'", cmd ? " " : "",
                 cmd ? cmd->name : "");
        if (takes && !value) {
            if (i + 1 >= argc)
                return cli_usage(&ctx, hint, "option '--%s' needs a value", name);
            value = argv[++i];
        } else if (!takes && value) {
            return cli_usage(&ctx, hint, "option '--%s' takes no value", name);
        }
        if (strcmp(name, "metadata") == 0) {
            if (!value[0]) return cli_usage(&ctx, NULL, "--metadata needs a file name");
            ctx.metadata = value;
            ctx.metadata_given = 1;
            continue;
        }
        if (strcmp(name, "format") == 0) {
            format = value;
            continue;
        }
        if (args.nopt >= CLI_MAX_ARGS) return cli_usage(&ctx, NULL, "too many options");
        for (int k = 0; k < args.nopt && spec->kind != CLI_LIST; k++)
            if (strcmp(args.opt[k].name, spec->name) == 0)
                return cli_usage(&ctx, NULL, "option '--%s' given twice", name);
        args.opt[args.nopt].name = spec->name;
        args.opt[args.nopt].value = value;
        args.nopt++;
    }

    if (help) {
        if (cmd) print_cmd_help(cmd);
        else if (args.npos == 0) print_main_help(stdout);
        return CLI_OK;
    }
    if (!cmd) return cli_usage(&ctx, "run 'flag-gems-exp --help' for the commands", "no command given");
    if (args.npos < cmd->min_pos)
        return cli_usage(&ctx, NULL, "missing argument (usage: flag-gems-exp %s)", cmd->usage);
    if (args.npos > cmd->max_pos)
        return cli_usage(&ctx, NULL, "unexpected argument '%s' (usage: flag-gems-exp %s)",
                         args.pos[cmd->max_pos], cmd->usage);

    unsigned formats = cmd->formats ? cmd->formats
                                    : (1u << CLI_TABLE) | (1u << CLI_JSON) | (1u << CLI_MD);
    if (format) {
        if (parse_format(format, &ctx.format) < 0 || !(formats & (1u << ctx.format)))
            return cli_usage(&ctx, NULL, "unknown format '%s' (hint: %s)", format,
                             formats & (1u << CLI_HTML) ? "use md, json or html"
                                                        : "use table, json or md");
        ctx.format_name = format;
    } else {
        ctx.format = ctx.out_tty ? CLI_TABLE : CLI_JSON;
        if (!(formats & (1u << ctx.format))) ctx.format = CLI_MD;
    }
    if (!ctx.metadata) {
        const char *env = getenv("FLAGGEMS_EXP_METADATA");
        ctx.metadata = env && env[0] ? env : FGX_DEFAULT_METADATA;
        ctx.metadata_given = env && env[0];
    }
    int rc = cmd->run(&ctx, &args);
    if (fflush(stdout) != 0 && rc == CLI_OK) rc = cli_fail(&ctx, NULL, "cannot write the output");
    return rc;
}
