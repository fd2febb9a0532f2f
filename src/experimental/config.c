/* Configuration layers, parsing and validation, hot reload of the config
 * file, and the runtime's log. See config.h.
 *
 * Parse errors are written into caller buffers, never into the thread's
 * error message: a reload triggered from inside a successful op call must
 * leave fg_last_error() empty. The API wrappers turn them into FG_ERROR. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "core/log.h"
#include "experimental/config.h"
#include "experimental/dispatcher.h"

/* ---------------------------------------------------------------- keys */

typedef enum ktype { K_STRATEGY, K_BOOL, K_INT, K_DOUBLE, K_WLEVEL, K_LLEVEL, K_PATH, K_VALIDATE } ktype;

typedef struct keydef {
    const char *name;
    ktype type;
    size_t off;
    double lo, hi;
} keydef;

#define F(field) offsetof(fg_exp_config, field)
/* Sorted by name: the JSON output lists keys in this order. */
static const keydef keys[] = {
    {"cache_size", K_INT, F(cache_size), 1, 1000000},
    {"cache_ttl", K_INT, F(cache_ttl), 1, 315360000},
    {"dispatch_strategy", K_STRATEGY, F(dispatch_strategy), 0, 0},
    {"enable_perf_cache", K_BOOL, F(enable_perf_cache), 0, 0},
    {"enable_profiling", K_BOOL, F(enable_profiling), 0, 0},
    {"fallback_on_error", K_BOOL, F(fallback_on_error), 0, 0},
    {"fallback_on_slow", K_BOOL, F(fallback_on_slow), 0, 0},
    {"log_file", K_PATH, F(log_file), 0, 0},
    {"log_level", K_LLEVEL, F(log_level), 0, 0},
    {"profiling_repeat", K_INT, F(profiling_repeat), 1, 1000},
    {"profiling_warmup", K_INT, F(profiling_warmup), 0, 1000},
    {"quarantine_after", K_INT, F(quarantine_after), 1, 1000},
    {"show_warnings", K_BOOL, F(show_warnings), 0, 0},
    {"slow_threshold", K_DOUBLE, F(slow_threshold), 1.0, 100.0},
    {"validate_output", K_VALIDATE, F(validate_output), 0, 0},
    {"warning_level", K_WLEVEL, F(warning_level), 0, 0},
};
#undef F
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))
_Static_assert(sizeof keys / sizeof keys[0] <= 32, "key masks are 32 bits");

static const char *const strategy_names[] = {"safe", "aggressive", "off"};
static const char *const validate_names[] = {"off", "nan"};
static const struct {
    const char *name;
    int level;
} level_names[] = {{"DEBUG", 10}, {"INFO", 20}, {"WARNING", 30}, {"ERROR", 40}, {"CRITICAL", 50}};

const char *fgi_cfg_strategy_name(fg_exp_strategy s) { return (unsigned)s < 3 ? strategy_names[s] : "?"; }

const char *fgi_cfg_level_name(int level)
{
    for (int i = 0; i < 5; i++)
        if (level_names[i].level == level) return level_names[i].name;
    return "?";
}

static const keydef *key_find(const char *name)
{
    for (int i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0) return &keys[i];
    return NULL;
}

static int *ifield(fg_exp_config *c, const keydef *k) { return (int *)((char *)c + k->off); }
static const int *cifield(const fg_exp_config *c, const keydef *k)
{
    return (const int *)((const char *)c + k->off);
}

static const char *allowed(const keydef *k, bool env, char *buf, size_t cap)
{
    switch (k->type) {
    case K_STRATEGY:
        return "\"safe\", \"aggressive\" or \"off\"";
    case K_BOOL:
        return env ? "true or false (also 1/0, yes/no, on/off)" : "true or false";
    case K_INT:
        snprintf(buf, cap, "an integer in %.0f..%.0f", k->lo, k->hi);
        return buf;
    case K_DOUBLE:
        snprintf(buf, cap, "a number in %g..%g", k->lo, k->hi);
        return buf;
    case K_WLEVEL:
        return "\"DEBUG\", \"INFO\" or \"WARNING\"";
    case K_LLEVEL:
        return "\"DEBUG\", \"INFO\", \"WARNING\", \"ERROR\" or \"CRITICAL\"";
    case K_PATH:
        return "a path shorter than 1024 bytes, or null";
    default:
        return "\"off\" or \"nan\"";
    }
}

static void bad_value(char *err, size_t cap, const keydef *k, const char *shown, bool env)
{
    char buf[64];
    snprintf(err, cap, "%s: %s is not allowed; expected %s", k->name, shown,
             allowed(k, env, buf, sizeof buf));
}

static int enum_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(s, names[i]) == 0) return i;
    return -1;
}

static int level_parse(const char *s, bool warn_only)
{
    for (int i = 0; i < (warn_only ? 3 : 5); i++)
        if (strcasecmp(s, level_names[i].name) == 0) return level_names[i].level;
    return -1;
}

/* Parses the text form (environment, fg_exp_set_option) into dst. */
static bool parse_text(const keydef *k, const char *s, fg_exp_config *dst, char *err, size_t cap)
{
    char shown[160];
    snprintf(shown, sizeof shown, "\"%.120s\"", s);
    int *f = ifield(dst, k);
    int v;
    switch (k->type) {
    case K_STRATEGY:
        if ((v = enum_index(s, strategy_names, 3)) < 0) break;
        *f = v;
        return true;
    case K_VALIDATE:
        if ((v = enum_index(s, validate_names, 2)) < 0) break;
        *f = v;
        return true;
    case K_BOOL: {
        static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no",
                                                                                    "off"};
        if (enum_index(s, yes, 4) >= 0)
            *f = 1;
        else if (enum_index(s, no, 4) >= 0)
            *f = 0;
        else
            break;
        return true;
    }
    case K_INT: {
        char *end;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (!*s || *end || errno || x < k->lo || x > k->hi) break;
        *f = (int)x;
        return true;
    }
    case K_DOUBLE: {
        char *end;
        double x = strtod(s, &end);
        if (!*s || *end || !isfinite(x) || x < k->lo || x > k->hi) break;
        *(double *)((char *)dst + k->off) = x;
        return true;
    }
    case K_WLEVEL:
    case K_LLEVEL:
        if ((v = level_parse(s, k->type == K_WLEVEL)) < 0) break;
        *f = v;
        return true;
    case K_PATH:
        if (strlen(s) >= FG_EXP_PATH_MAX) break;
        snprintf((char *)dst + k->off, FG_EXP_PATH_MAX, "%s", strcmp(s, "null") == 0 ? "" : s);
        return true;
    }
    bad_value(err, cap, k, shown, true);
    return false;
}

/* Parses a JSON value into dst. */
static bool parse_json(const keydef *k, json_t *j, fg_exp_config *dst, char *err, size_t cap)
{
    int *f = ifield(dst, k);
    int v;
    switch (k->type) {
    case K_STRATEGY:
    case K_VALIDATE:
    case K_WLEVEL:
    case K_LLEVEL: {
        if (!json_is_string(j)) break;
        const char *s = json_string_value(j);
        if (k->type == K_STRATEGY)
            v = enum_index(s, strategy_names, 3);
        else if (k->type == K_VALIDATE)
            v = enum_index(s, validate_names, 2);
        else
            v = level_parse(s, k->type == K_WLEVEL);
        if (v < 0) break;
        *f = v;
        return true;
    }
    case K_BOOL:
        if (!json_is_boolean(j)) break;
        *f = json_is_true(j);
        return true;
    case K_INT: {
        if (!json_is_integer(j)) break;
        json_int_t x = json_integer_value(j);
        if (x < k->lo || x > k->hi) break;
        *f = (int)x;
        return true;
    }
    case K_DOUBLE: {
        if (!json_is_number(j)) break;
        double x = json_number_value(j);
        if (!isfinite(x) || x < k->lo || x > k->hi) break;
        *(double *)((char *)dst + k->off) = x;
        return true;
    }
    case K_PATH:
        if (json_is_null(j)) {
            ((char *)dst + k->off)[0] = '\0';
            return true;
        }
        if (!json_is_string(j) || strlen(json_string_value(j)) >= FG_EXP_PATH_MAX) break;
        snprintf((char *)dst + k->off, FG_EXP_PATH_MAX, "%s", json_string_value(j));
        return true;
    }
    char *txt = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    char shown[160];
    snprintf(shown, sizeof shown, "%.150s", txt ? txt : "(value)");
    free(txt);
    bad_value(err, cap, k, shown, false);
    return false;
}

/* Whether the field of c named by k holds a legal value. */
static bool check_field(const keydef *k, const fg_exp_config *c, char *err, size_t cap)
{
    char shown[160];
    int v = *cifield(c, k);
    bool ok;
    switch (k->type) {
    case K_STRATEGY:
        ok = v >= 0 && v < 3;
        break;
    case K_VALIDATE:
        ok = v >= 0 && v < 2;
        break;
    case K_BOOL:
        ok = v == 0 || v == 1;
        break;
    case K_INT:
        ok = v >= k->lo && v <= k->hi;
        break;
    case K_DOUBLE: {
        double d = *(const double *)((const char *)c + k->off);
        ok = isfinite(d) && d >= k->lo && d <= k->hi;
        if (!ok) {
            snprintf(shown, sizeof shown, "%g", d);
            bad_value(err, cap, k, shown, false);
        }
        return ok;
    }
    case K_WLEVEL:
    case K_LLEVEL:
        ok = (v == 10 || v == 20 || v == 30) || (k->type == K_LLEVEL && (v == 40 || v == 50));
        break;
    default:
        ok = memchr((const char *)c + k->off, '\0', FG_EXP_PATH_MAX) != NULL;
        break;
    }
    if (!ok) {
        snprintf(shown, sizeof shown, "%d", v);
        bad_value(err, cap, k, shown, false);
    }
    return ok;
}

static void copy_field(const keydef *k, fg_exp_config *dst, const fg_exp_config *src)
{
    size_t n = k->type == K_PATH ? FG_EXP_PATH_MAX : k->type == K_DOUBLE ? sizeof(double) : sizeof(int);
    memcpy((char *)dst + k->off, (const char *)src + k->off, n);
}

void fgi_cfg_defaults(fg_exp_config *out)
{
    memset(out, 0, sizeof *out);
    out->dispatch_strategy = FG_EXP_STRATEGY_SAFE;
    out->enable_profiling = 1;
    out->profiling_warmup = 3;
    out->profiling_repeat = 10;
    out->fallback_on_error = 1;
    out->fallback_on_slow = 0;
    out->slow_threshold = 1.2;
    out->show_warnings = 1;
    out->warning_level = FG_EXP_LEVEL_INFO;
    out->enable_perf_cache = 1;
    out->cache_size = 1000;
    out->cache_ttl = 3600;
    out->log_file[0] = '\0';
    out->log_level = FG_EXP_LEVEL_INFO;
    out->validate_output = FG_EXP_VALIDATE_OFF;
    out->quarantine_after = 3;
}

fg_status fgi_cfg_check(const fg_exp_config *cfg)
{
    char err[512];
    for (int i = 0; i < NKEYS; i++)
        FG_RETURN_IF(!check_field(&keys[i], cfg, err, sizeof err), FG_ERR_INVALID_ARG, "%s", err);
    return FG_OK;
}

static json_t *cfg_json(const fg_exp_config *c)
{
    json_t *o = json_object();
    if (!o) return NULL;
    for (int i = 0; i < NKEYS; i++) {
        const keydef *k = &keys[i];
        int v = *cifield(c, k);
        json_t *j;
        switch (k->type) {
        case K_STRATEGY:
            j = json_string(strategy_names[v]);
            break;
        case K_VALIDATE:
            j = json_string(validate_names[v]);
            break;
        case K_BOOL:
            j = json_boolean(v);
            break;
        case K_INT:
            j = json_integer(v);
            break;
        case K_DOUBLE:
            j = json_real(*(const double *)((const char *)c + k->off));
            break;
        case K_WLEVEL:
        case K_LLEVEL:
            j = json_string(fgi_cfg_level_name(v));
            break;
        default: {
            const char *p = (const char *)c + k->off;
            j = *p ? json_string(p) : json_null();
        }
        }
        if (!j || json_object_set_new(o, k->name, j) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

char *fgi_cfg_to_json(const fg_exp_config *cfg)
{
    json_t *o = cfg_json(cfg);
    if (!o) return NULL;
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(o);
    return s;
}

/* ---------------------------------------------------------------- log */

int fgi_exp_log_threshold = FG_EXP_LEVEL_INFO;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp; /* NULL: stderr */

void fgi_exp_log(int level, const char *fmt, ...)
{
    if (!fgi_exp_log_on(level)) return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&log_mu);
    fgi_log_vline(log_fp ? log_fp : stderr, "flaggems-exp", fgi_cfg_level_name(level), NULL, fmt, ap);
    pthread_mutex_unlock(&log_mu);
    va_end(ap);
}

/* Points the log at path ("" = stderr). A file that cannot be opened is
 * reported on the previous destination and the previous one is kept. */
static void log_retarget(const char *path)
{
    FILE *f = NULL;
    if (*path && !(f = fopen(path, "a"))) {
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "log_file '%s' cannot be opened (%s); keeping the previous log",
                    path, strerror(errno));
        return;
    }
    pthread_mutex_lock(&log_mu);
    FILE *old = log_fp;
    log_fp = f;
    pthread_mutex_unlock(&log_mu);
    if (old) fclose(old);
}

/* ---------------------------------------------------------------- layers */

enum { L_FILE = 0, L_ENV = 1, L_API = 2, NLAYERS = 3 };

static fg_exp_config layer[NLAYERS];
static uint32_t layer_mask[NLAYERS];
static fg_exp_config eff;
static bool have_eff;

typedef struct file_id {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_id;

static char cfg_path[FG_EXP_PATH_MAX]; /* "" when FLAGGEMS_EXP_CONFIG is unset */
static file_id cfg_file;
int64_t fgi_cfg_next_poll = INT64_MAX;

const fg_exp_config *fgi_cfg_locked(void) { return &eff; }

/* Recomputes the effective values and applies what changed. */
static void recompute(void)
{
    fg_exp_config next;
    fgi_cfg_defaults(&next);
    for (int l = 0; l < NLAYERS; l++)
        for (int i = 0; i < NKEYS; i++)
            if (layer_mask[l] & (1u << i)) copy_field(&keys[i], &next, &layer[l]);
    if (have_eff && memcmp(&next, &eff, sizeof next) == 0) return;
    fg_exp_config old = eff;
    bool first = !have_eff;
    eff = next;
    have_eff = true;
    __atomic_store_n(&fgi_exp_log_threshold, (int)eff.log_level, __ATOMIC_RELAXED);
    if (first ? eff.log_file[0] != '\0' : strcmp(old.log_file, eff.log_file) != 0) log_retarget(eff.log_file);
    fgi_exp_config_applied(first ? NULL : &old, &eff);
}

static file_id stat_id(const char *path)
{
    file_id id;
    memset(&id, 0, sizeof id);
    struct stat st;
    if (stat(path, &st) != 0) return id;
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = st.st_size;
    id.mtime = st.st_mtim;
    id.ctime = st.st_ctim;
    return id;
}

static bool id_eq(const file_id *a, const file_id *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Parses a JSON object of config keys over *vals and *mask (which the caller
 * initialised). */
static bool parse_object(json_t *o, fg_exp_config *vals, uint32_t *mask, char *err, size_t cap)
{
    if (!json_is_object(o)) {
        snprintf(err, cap, "expected a JSON object of config keys");
        return false;
    }
    const char *name;
    json_t *v;
    json_object_foreach(o, name, v)
    {
        const keydef *k = key_find(name);
        if (!k) {
            snprintf(err, cap,
                     "unknown key \"%.100s\"; known keys: cache_size, cache_ttl, dispatch_strategy, "
                     "enable_perf_cache, enable_profiling, fallback_on_error, fallback_on_slow, "
                     "log_file, log_level, profiling_repeat, profiling_warmup, quarantine_after, "
                     "show_warnings, slow_threshold, validate_output, warning_level",
                     name);
            return false;
        }
        if (!parse_json(k, v, vals, err, cap)) return false;
        *mask |= 1u << (k - keys);
    }
    return true;
}

/* (Re)reads the file layer. On any error the file layer is left as it was
 * and the problem is logged. */
static void load_file(void)
{
    cfg_file = stat_id(cfg_path);
    if (!cfg_file.exists) {
        fgi_exp_log(FG_EXP_LEVEL_WARNING,
                    "config file '%s' (FLAGGEMS_EXP_CONFIG) cannot be read; its values are not used",
                    cfg_path);
        layer_mask[L_FILE] = 0;
        return;
    }
    json_error_t jerr;
    json_t *o = json_load_file(cfg_path, JSON_REJECT_DUPLICATES, &jerr);
    if (!o) {
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "config file '%s' ignored: line %d column %d: %s", cfg_path,
                    jerr.line, jerr.column, jerr.text);
        return;
    }
    fg_exp_config vals;
    fgi_cfg_defaults(&vals);
    uint32_t mask = 0;
    char err[512];
    if (parse_object(o, &vals, &mask, err, sizeof err)) {
        layer[L_FILE] = vals;
        layer_mask[L_FILE] = mask;
        fgi_exp_log(FG_EXP_LEVEL_DEBUG, "config file '%s' loaded (%d keys)", cfg_path,
                    __builtin_popcount(mask));
    } else {
        fgi_exp_log(FG_EXP_LEVEL_WARNING, "config file '%s' ignored: %s", cfg_path, err);
    }
    json_decref(o);
}

/* Reads FLAGGEMS_EXP_<KEY>. Problems are returned as lines in msgs (not
 * logged yet: FLAGGEMS_EXP_LOG_FILE may be among the variables, and the
 * reports belong in that log). */
static void load_env(char *msgs, size_t cap)
{
    size_t used = 0;
    msgs[0] = '\0';
    fgi_cfg_defaults(&layer[L_ENV]);
    layer_mask[L_ENV] = 0;
    for (int i = 0; i < NKEYS; i++) {
        char name[64];
        int n = snprintf(name, sizeof name, "FLAGGEMS_EXP_%s", keys[i].name);
        for (int c = 13; c < n; c++) name[c] = (char)toupper((unsigned char)name[c]);
        const char *v = getenv(name);
        if (!v) continue;
        char err[512];
        if (parse_text(&keys[i], v, &layer[L_ENV], err, sizeof err))
            layer_mask[L_ENV] |= 1u << i;
        else if (used < cap)
            used += (size_t)snprintf(msgs + used, cap - used, "%s=%.200s ignored: %s\n", name, v, err);
    }
}

static void log_lines(int level, char *msgs)
{
    for (char *line = msgs, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl) break;
        *nl = '\0';
        fgi_exp_log(level, "%s", line);
    }
}

static void load_sources(void)
{
    const char *p = getenv("FLAGGEMS_EXP_CONFIG");
    layer_mask[L_FILE] = 0;
    cfg_path[0] = '\0';
    if (p && *p) {
        if (strlen(p) >= sizeof cfg_path) {
            fgi_exp_log(FG_EXP_LEVEL_WARNING, "FLAGGEMS_EXP_CONFIG ignored: the path is over %d bytes",
                        FG_EXP_PATH_MAX - 1);
        } else {
            snprintf(cfg_path, sizeof cfg_path, "%s", p);
        }
    }
    /* the environment is applied before anything is reported, so that
     * FLAGGEMS_EXP_LOG_FILE and _LOG_LEVEL direct the reports */
    char msgs[4096];
    load_env(msgs, sizeof msgs);
    recompute();
    log_lines(FG_EXP_LEVEL_WARNING, msgs);
    if (cfg_path[0]) load_file();
    recompute();
    __atomic_store_n(&fgi_cfg_next_poll, cfg_path[0] ? 0 : INT64_MAX, __ATOMIC_RELAXED);
}

void fgi_cfg_init_locked(void)
{
    for (int l = 0; l < NLAYERS; l++) {
        fgi_cfg_defaults(&layer[l]);
        layer_mask[l] = 0;
    }
    load_sources();
}

void fgi_cfg_reset_locked(void)
{
    fgi_cfg_defaults(&layer[L_API]);
    layer_mask[L_API] = 0;
    load_sources();
}

void fgi_cfg_poll(int64_t now_ns)
{
    int64_t next = __atomic_load_n(&fgi_cfg_next_poll, __ATOMIC_RELAXED);
    if (now_ns < next) return;
    if (!__atomic_compare_exchange_n(&fgi_cfg_next_poll, &next, now_ns + FGI_CFG_POLL_NS, false,
                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return; /* another thread polls */
    fgi_exp_lock();
    if (cfg_path[0]) {
        file_id id = stat_id(cfg_path);
        if (!id_eq(&id, &cfg_file)) {
            fgi_exp_log(FG_EXP_LEVEL_INFO, "config file '%s' changed; reloading", cfg_path);
            load_file();
            recompute();
        }
    }
    fgi_exp_unlock();
}

/* ---------------------------------------------------------------- API layer */

static fg_status commit_api(const fg_exp_config *vals, uint32_t mask)
{
    layer[L_API] = *vals;
    layer_mask[L_API] = mask;
    recompute();
    return FG_OK;
}

fg_status fgi_cfg_api_json_locked(const char *json, int fallback, int warning)
{
    fg_exp_config vals = layer[L_API];
    uint32_t mask = layer_mask[L_API];
    /* fallback/warning first: a key in json is more specific and wins */
    if (fallback >= 0) {
        vals.fallback_on_error = fallback != 0;
        mask |= 1u << (key_find("fallback_on_error") - keys);
    }
    if (warning >= 0) {
        vals.show_warnings = warning != 0;
        mask |= 1u << (key_find("show_warnings") - keys);
    }
    if (json) {
        json_error_t jerr;
        json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        FG_RETURN_IF(!o, FG_ERR_PARSE, "config JSON line %d column %d: %s", jerr.line, jerr.column,
                     jerr.text);
        char err[512];
        bool ok = parse_object(o, &vals, &mask, err, sizeof err);
        json_decref(o);
        FG_RETURN_IF(!ok, FG_ERR_INVALID_ARG, "%s", err);
    }
    return commit_api(&vals, mask);
}

fg_status fgi_cfg_api_struct_locked(const fg_exp_config *cfg)
{
    FG_FORWARD(fgi_cfg_check(cfg), "fg_exp_config");
    fg_exp_config vals;
    fgi_cfg_defaults(&vals);
    for (int i = 0; i < NKEYS; i++) copy_field(&keys[i], &vals, cfg);
    return commit_api(&vals, (NKEYS == 32 ? 0u : (1u << NKEYS)) - 1u);
}

fg_status fgi_cfg_api_option_locked(const char *key, const char *value)
{
    const keydef *k = key_find(key);
    FG_RETURN_IF(!k, FG_ERR_INVALID_ARG, "unknown config key \"%s\"", key);
    fg_exp_config vals = layer[L_API];
    char err[512];
    FG_RETURN_IF(!parse_text(k, value, &vals, err, sizeof err), FG_ERR_INVALID_ARG, "%s", err);
    return commit_api(&vals, layer_mask[L_API] | (1u << (k - keys)));
}
