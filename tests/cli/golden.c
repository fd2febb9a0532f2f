/* Golden-test runner of flag-gems-exp (in the spirit of zstd's
 * tests/cli-tests): runs one case file and compares exit code, stdout and
 * stderr with what the case expects.
 *
 *   usage: fgx-golden CASE.t
 *
 * A case file is a header of "key: value" lines, then a line "---", then the
 * expected stdout:
 *   requires: data        skip (exit 77) when $DATA/operators.yaml is absent
 *   requires: cmd NAME    skip (exit 77) when flag-gems-exp has no command NAME
 *                         (its engine is not in this build)
 *   requires: file PATH   skip (exit 77) when PATH (variables expanded) is absent
 *   run: <shell>          setup, must exit 0 (repeatable, in order)
 *   cmd: <shell>          the command under test (exactly one)
 *   exit: N               expected exit status (default 0)
 *   stdout: exact|json|contains|none
 *                         exact (default): byte for byte; json: parsed and
 *                         compared structurally, where the expected string
 *                         "<any>" matches any value; contains: each expected
 *                         line appears in stdout; none: stdout is empty
 *   stderr: <text>        stderr contains <text> (repeatable)
 *   stderr-lines: N       stderr has exactly N lines
 *   after: <shell>        check after cmd, must exit 0 (repeatable)
 * In the expected stdout and stderr texts and in required files, ${TMP},
 * ${FIXTURES}, ${DATA} and ${SRC} stand for the values of those variables.
 * Commands run with sh -c in a fresh scratch folder $TMP (also the working
 * directory), with PATH starting at the folder of flag-gems-exp and these
 * variables set: FIXTURES (tests/cli/fixtures), DATA (the FlagGems data
 * folder), SRC (the source tree). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINES 64

typedef struct gcase {
    const char *run[MAX_LINES];
    int nrun;
    const char *after[MAX_LINES];
    int nafter;
    const char *cmd;
    int exit_code;
    const char *stdout_mode;
    const char *err_has[MAX_LINES];
    int nerr;
    int err_lines; /* -1: any */
    int needs_data;
    const char *needs_cmd[8];
    int ncmd;
    const char *needs_file[8];
    int nfile;
    const char *expected;
} gcase;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    }
    fclose(f);
    if (b) b[n] = '\0';
    if (len) *len = n;
    return b;
}

/* text with ${TMP}, ${FIXTURES}, ${DATA} replaced (malloc'd). */
static char *expand(const char *text)
{
    static const char *const vars[] = {"TMP", "FIXTURES", "DATA", "SRC"};
    size_t cap = strlen(text) + 1, n = 0;
    for (const char *p = text; (p = strstr(p, "${")); p++) cap += 4096;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (const char *p = text; *p;) {
        int done = 0;
        for (int v = 0; v < 4 && p[0] == '$' && p[1] == '{'; v++) {
            size_t l = strlen(vars[v]);
            if (strncmp(p + 2, vars[v], l) == 0 && p[2 + l] == '}') {
                const char *val = getenv(vars[v]);
                val = val ? val : "";
                size_t vl = strlen(val) < 4096 ? strlen(val) : 4095;
                memcpy(out + n, val, vl);
                n += vl;
                p += 3 + l;
                done = 1;
                break;
            }
        }
        if (!done) out[n++] = *p++;
    }
    out[n] = '\0';
    return out;
}

static int sh(const char *cmd);

/* Runs each command of a list (setup or checks); 1 if all exit 0. */
static int run_all(const char *const *cmds, int n, const char *what)
{
    for (int i = 0; i < n; i++) {
        int rc = sh(cmds[i]);
        if (rc != 0) {
            fprintf(stderr, "%s failed (exit %d): %s\n", what, rc, cmds[i]);
            return 0;
        }
    }
    return 1;
}

static int parse_case(char *text, gcase *c)
{
    memset(c, 0, sizeof *c);
    c->stdout_mode = "exact";
    c->err_lines = -1;
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        char *next = nl ? nl + 1 : p + strlen(p);
        if (strcmp(p, "---") == 0) {
            c->expected = next;
            return c->cmd ? 0 : -1;
        }
        char *colon = strchr(p, ':');
        if (p[0] == '#' || p[0] == '\0') {
            p = next;
            continue;
        }
        if (!colon) return -1;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ') v++;
        if (strcmp(p, "run") == 0 && c->nrun < MAX_LINES) c->run[c->nrun++] = v;
        else if (strcmp(p, "after") == 0 && c->nafter < MAX_LINES) c->after[c->nafter++] = v;
        else if (strcmp(p, "cmd") == 0) c->cmd = v;
        else if (strcmp(p, "exit") == 0) c->exit_code = atoi(v);
        else if (strcmp(p, "stdout") == 0) c->stdout_mode = v;
        else if (strcmp(p, "stderr") == 0 && c->nerr < MAX_LINES) c->err_has[c->nerr++] = v;
        else if (strcmp(p, "stderr-lines") == 0) c->err_lines = atoi(v);
        else if (strcmp(p, "requires") == 0 && strcmp(v, "data") == 0) c->needs_data = 1;
        else if (strcmp(p, "requires") == 0 && strncmp(v, "cmd ", 4) == 0 && c->ncmd < 8)
            c->needs_cmd[c->ncmd++] = v + 4;
        else if (strcmp(p, "requires") == 0 && strncmp(v, "file ", 5) == 0 && c->nfile < 8)
            c->needs_file[c->nfile++] = v + 5;
        else return -1;
        p = next;
    }
    return -1;
}

static int sh(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* expected matches actual: objects key for key, arrays in order, "<any>"
 * matches anything, numbers compared as numbers. */
static int json_match(const json_t *e, const json_t *a, char *path, size_t cap)
{
    if (json_is_string(e) && strcmp(json_string_value(e), "<any>") == 0) return 1;
    if (json_is_number(e) && json_is_number(a)) {
        if (json_number_value(e) == json_number_value(a)) return 1;
        goto differ;
    }
    if (json_typeof(e) != json_typeof(a)) goto differ;
    if (json_is_object(e)) {
        const char *k;
        json_t *v;
        size_t len = strlen(path);
        json_object_foreach((json_t *)e, k, v)
        {
            snprintf(path + len, cap - len, ".%s", k);
            json_t *av = json_object_get(a, k);
            if (!av) {
                fprintf(stderr, "missing key %s\n", path);
                return 0;
            }
            if (!json_match(v, av, path, cap)) return 0;
        }
        json_object_foreach((json_t *)a, k, v) if (!json_object_get(e, k))
        {
            snprintf(path + len, cap - len, ".%s", k);
            fprintf(stderr, "unexpected key %s\n", path);
            return 0;
        }
        path[len] = '\0';
        return 1;
    }
    if (json_is_array(e)) {
        if (json_array_size(e) != json_array_size(a)) {
            fprintf(stderr, "%s: %zu elements expected, got %zu\n", path[0] ? path : "(root)",
                    json_array_size(e), json_array_size(a));
            return 0;
        }
        size_t len = strlen(path);
        for (size_t i = 0; i < json_array_size(e); i++) {
            snprintf(path + len, cap - len, "[%zu]", i);
            if (!json_match(json_array_get(e, i), json_array_get(a, i), path, cap)) return 0;
        }
        path[len] = '\0';
        return 1;
    }
    if (json_equal((json_t *)e, (json_t *)a)) return 1;
differ:;
    char *es = json_dumps(e, JSON_ENCODE_ANY), *as = json_dumps(a, JSON_ENCODE_ANY);
    fprintf(stderr, "%s: expected %s, got %s\n", path[0] ? path : "(root)", es, as);
    free(es);
    free(as);
    return 0;
}

static int check_stdout(const gcase *c, const char *out)
{
    if (strcmp(c->stdout_mode, "none") == 0) {
        if (out[0]) fprintf(stderr, "stdout should be empty, got:\n%s", out);
        return out[0] == '\0';
    }
    if (strcmp(c->stdout_mode, "exact") == 0) {
        if (strcmp(c->expected, out) == 0) return 1;
        fprintf(stderr, "stdout differs.\n--- expected\n%s--- got\n%s---\n", c->expected, out);
        return 0;
    }
    if (strcmp(c->stdout_mode, "contains") == 0) {
        char *copy = strdup(c->expected);
        int ok = 1;
        for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n"))
            if (!strstr(out, l)) {
                fprintf(stderr, "stdout lacks: %s\n--- got\n%s---\n", l, out);
                ok = 0;
            }
        free(copy);
        return ok;
    }
    if (strcmp(c->stdout_mode, "json") == 0) {
        json_error_t err;
        json_t *e = json_loads(c->expected, 0, &err);
        if (!e) {
            fprintf(stderr, "expected JSON of the case is invalid: %s (line %d)\n", err.text,
                    err.line);
            return 0;
        }
        json_t *a = json_loads(out, 0, &err);
        if (!a) {
            fprintf(stderr, "stdout is not JSON: %s (line %d)\n--- got\n%s---\n", err.text,
                    err.line, out);
            json_decref(e);
            return 0;
        }
        char path[1024] = "";
        int ok = json_match(e, a, path, sizeof path);
        if (!ok) {
            char *s = json_dumps(a, JSON_INDENT(2) | JSON_SORT_KEYS);
            fprintf(stderr, "--- got\n%s\n", s);
            free(s);
        }
        json_decref(e);
        json_decref(a);
        return ok;
    }
    fprintf(stderr, "unknown stdout mode '%s'\n", c->stdout_mode);
    return 0;
}

/* 1 when everything the case requires is there; else says what is missing. */
static int requirements_met(const gcase *c)
{
    const char *data = getenv("DATA");
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/operators.yaml", data ? data : "");
    if (c->needs_data && access(probe, R_OK) != 0) {
        printf("skipped: %s not found\n", probe);
        return 0;
    }
    for (int i = 0; i < c->ncmd; i++) {
        char probe_cmd[256];
        snprintf(probe_cmd, sizeof probe_cmd, "flag-gems-exp %s --help >/dev/null 2>&1", c->needs_cmd[i]);
        if (sh(probe_cmd) != 0) {
            printf("skipped: this build of flag-gems-exp has no '%s' command\n", c->needs_cmd[i]);
            return 0;
        }
    }
    for (int i = 0; i < c->nfile; i++) {
        char *path = expand(c->needs_file[i]);
        int there = path && access(path, F_OK) == 0;
        if (!there) printf("skipped: %s not found\n", path ? path : c->needs_file[i]);
        free(path);
        if (!there) return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fgx-golden CASE.t\n");
        return 2;
    }
    char *text = slurp(argv[1], NULL);
    gcase c;
    if (!text || parse_case(text, &c) < 0) {
        fprintf(stderr, "%s: cannot read or parse the case (needs cmd: and a --- line)\n", argv[1]);
        return 2;
    }
    if (!requirements_met(&c)) {
        free(text);
        return 77;
    }
    const char *base = getenv("FGX_TEST_TMP");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/caseXXXXXX", base ? base : "/tmp");
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    setenv("TMP", tmp, 1);
    if (chdir(tmp) != 0) return 1;

    int ok = run_all(c.run, c.nrun, "setup");
    if (ok) {
        char full[16384];
        snprintf(full, sizeof full, "{ %s\n} >'%s/.stdout' 2>'%s/.stderr'", c.cmd, tmp, tmp);
        int rc = sh(full);
        char path[4200];
        snprintf(path, sizeof path, "%s/.stdout", tmp);
        char *out = slurp(path, NULL);
        snprintf(path, sizeof path, "%s/.stderr", tmp);
        char *err = slurp(path, NULL);
        if (!out || !err) return 1;
        printf("$ %s\nexit %d\n--- stderr\n%s", c.cmd, rc, err);
        if (rc != c.exit_code) {
            fprintf(stderr, "exit status %d, expected %d\n", rc, c.exit_code);
            ok = 0;
        }
        c.expected = expand(c.expected);
        ok &= c.expected && check_stdout(&c, out);
        free((char *)c.expected);
        for (int i = 0; i < c.nerr; i++) {
            char *want = expand(c.err_has[i]);
            if (!want || !strstr(err, want)) {
                fprintf(stderr, "stderr lacks: %s\n", want ? want : c.err_has[i]);
                ok = 0;
            }
            free(want);
        }
        if (c.err_lines >= 0) {
            int n = 0;
            for (const char *p = err; *p; p++) n += *p == '\n';
            if (n != c.err_lines) {
                fprintf(stderr, "stderr has %d lines, expected %d\n", n, c.err_lines);
                ok = 0;
            }
        }
        free(out);
        free(err);
    }
    ok = ok && run_all(c.after, c.nafter, "check");
    if (ok) {
        char rm[4200];
        snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
        if (chdir("/") == 0) sh(rm);
    }
    free(text);
    return ok ? 0 : 1;
}
