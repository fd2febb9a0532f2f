/* Configuration: the seed's keys and defaults, precedence (defaults < file
 * < environment < API), messages for illegal values, a bad environment
 * value reported once and ignored, JSON round trip, hot reload of the
 * config file within a second.
 *
 * main() sets the environment before the runtime's first use: the
 * runtime reads it once at start-up. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exp_test.h"

static char cfg_path[512], log_path[512];

static void write_file(const char *path, const char *text)
{
    /* write a new file and rename it over the old one, as editors and
     * deployment tools do */
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(rename(tmp, path), 0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_defaults(void **state)
{
    (void)state;
    fg_exp_config d;
    assert_int_equal(fg_exp_config_defaults(&d), FG_OK);
    assert_int_equal(d.dispatch_strategy, FG_EXP_STRATEGY_SAFE);
    assert_int_equal(d.enable_profiling, 1);
    assert_int_equal(d.profiling_warmup, 3);
    assert_int_equal(d.profiling_repeat, 10);
    assert_int_equal(d.fallback_on_error, 1);
    assert_int_equal(d.fallback_on_slow, 0);
    assert_true(d.slow_threshold == 1.2);
    assert_int_equal(d.show_warnings, 1);
    assert_int_equal(d.warning_level, FG_EXP_LEVEL_INFO);
    assert_int_equal(d.enable_perf_cache, 1);
    assert_int_equal(d.cache_size, 1000);
    assert_int_equal(d.cache_ttl, 3600);
    assert_string_equal(d.log_file, "");
    assert_int_equal(d.log_level, FG_EXP_LEVEL_INFO);
    assert_int_equal(d.validate_output, FG_EXP_VALIDATE_OFF);
    assert_int_equal(d.quarantine_after, 3);
    assert_int_equal(fg_exp_config_defaults(NULL), FG_ERR_NULL);
}

/* main() set: file {cache_size 500, profiling_repeat 7, dispatch_strategy
 * aggressive}; env PROFILING_REPEAT=9, CACHE_TTL=abc (bad), LOG_FILE. */
static void test_precedence(void **state)
{
    (void)state;
    fg_exp_config c;
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.cache_size, 500);                               /* file over default */
    assert_int_equal(c.dispatch_strategy, FG_EXP_STRATEGY_AGGRESSIVE); /* file */
    assert_int_equal(c.profiling_repeat, 9);                           /* env over file */
    assert_int_equal(c.cache_ttl, 3600);                               /* bad env ignored */
    char *log = et_read_file(log_path);
    assert_int_equal(et_count(log, "FLAGGEMS_EXP_CACHE_TTL=abc ignored: cache_ttl: \"abc\" is not allowed; "
                                   "expected an integer in 1..315360000"),
                     1);
    free(log);
    assert_int_equal(fg_exp_set_option("profiling_repeat", "11"), FG_OK); /* API over env */
    assert_int_equal(fg_exp_set_option("cache_size", "600"), FG_OK);
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.profiling_repeat, 11);
    assert_int_equal(c.cache_size, 600);
    /* still reported only once: nothing re-reads the environment */
    log = et_read_file(log_path);
    assert_int_equal(et_count(log, "FLAGGEMS_EXP_CACHE_TTL=abc"), 1);
    free(log);
}

static void expect_refused(fg_status got, fg_status want, const char *const *needles)
{
    assert_int_equal(got, want);
    for (const char *const *n = needles; *n; n++) {
        if (!strstr(fg_last_error(), *n)) print_error("message '%s' lacks '%s'\n", fg_last_error(), *n);
        assert_non_null(strstr(fg_last_error(), *n));
    }
}

static void test_validation(void **state)
{
    (void)state;
    fg_exp_config before, after;
    assert_int_equal(fg_exp_get_config(&before), FG_OK);
    expect_refused(
        fg_exp_set_option("dispatch_strategy", "fast"), FG_ERR_INVALID_ARG,
        (const char *const[]){"dispatch_strategy", "\"fast\"", "\"safe\", \"aggressive\" or \"off\"", NULL});
    expect_refused(fg_exp_set_config_json("{\"cache_size\": 0}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"cache_size", "0 is not allowed", "1..1000000", NULL});
    expect_refused(fg_exp_set_config_json("{\"cache_size\": \"big\"}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"cache_size", "\"big\"", "integer", NULL});
    expect_refused(fg_exp_set_config_json("{\"slow_threshold\": 0.5}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"slow_threshold", "0.5", "1..100", NULL});
    expect_refused(
        fg_exp_set_config_json("{\"warning_level\": \"ERROR\"}"), FG_ERR_INVALID_ARG,
        (const char *const[]){"warning_level", "\"ERROR\"", "\"DEBUG\", \"INFO\" or \"WARNING\"", NULL});
    expect_refused(fg_exp_set_config_json("{\"enable_profiling\": 1}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"enable_profiling", "true or false", NULL});
    expect_refused(fg_exp_set_config_json("{\"no_such_key\": 1}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"unknown key \"no_such_key\"", "cache_size", NULL});
    expect_refused(fg_exp_set_config_json("{\"cache_size\": 5,}"), FG_ERR_PARSE,
                   (const char *const[]){"line 1", NULL});
    expect_refused(fg_exp_set_option("validate_output", "inf"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"validate_output", "\"off\" or \"nan\"", NULL});
    /* all or nothing: a good key next to a bad one is not applied */
    expect_refused(fg_exp_set_config_json("{\"cache_size\": 10, \"cache_ttl\": -5}"), FG_ERR_INVALID_ARG,
                   (const char *const[]){"cache_ttl", "-5", NULL});
    fg_exp_config bad = before;
    bad.profiling_repeat = 0;
    expect_refused(fg_exp_set_config(&bad), FG_ERR_INVALID_ARG,
                   (const char *const[]){"profiling_repeat", "0 is not allowed", "1..1000", NULL});
    bad = before;
    bad.dispatch_strategy = (fg_exp_strategy)7;
    assert_int_equal(fg_exp_set_config(&bad), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_exp_get_config(&after), FG_OK);
    assert_memory_equal(&before, &after, sizeof before);
    /* the text forms the environment accepts */
    assert_int_equal(fg_exp_set_option("fallback_on_slow", "YES"), FG_OK);
    assert_int_equal(fg_exp_set_option("log_level", "debug"), FG_OK);
    assert_int_equal(fg_exp_set_option("log_level", "info"), FG_OK);
    assert_int_equal(fg_exp_get_config(&after), FG_OK);
    assert_int_equal(after.fallback_on_slow, 1);
    assert_int_equal(fg_exp_set_option("fallback_on_slow", "off"), FG_OK);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    char *json = NULL;
    assert_int_equal(fg_exp_set_config_json("{\"slow_threshold\": 1.5, \"validate_output\": \"nan\"}"),
                     FG_OK);
    assert_int_equal(fg_exp_get_config_json(&json), FG_OK);
    /* sorted keys, spec names, null for no log file */
    const char *a = strstr(json, "\"cache_size\""), *b = strstr(json, "\"warning_level\"");
    assert_true(a && b && a < b);
    assert_non_null(strstr(json, "\"dispatch_strategy\": \"aggressive\""));
    assert_non_null(strstr(json, "\"slow_threshold\": 1.5"));
    assert_non_null(strstr(json, "\"warning_level\": \"INFO\""));
    fg_exp_config c1, c2;
    assert_int_equal(fg_exp_get_config(&c1), FG_OK);
    assert_int_equal(fg_exp_set_config_json(json), FG_OK);
    assert_int_equal(fg_exp_get_config(&c2), FG_OK);
    assert_memory_equal(&c1, &c2, sizeof c1);
    fg_exp_free(json);
    c1.cache_ttl = 77;
    assert_int_equal(fg_exp_set_config(&c1), FG_OK);
    assert_int_equal(fg_exp_get_config(&c2), FG_OK);
    assert_int_equal(c2.cache_ttl, 77);
    assert_int_equal(fg_exp_set_config_json("{\"validate_output\": \"off\"}"), FG_OK);
}

/* The file changes while ops run: the new values apply within a second;
 * API values keep winning over it. */
static void test_hot_reload(void **state)
{
    (void)state;
    assert_int_equal(fg_exp_reset_config(), FG_OK); /* API layer dropped: file + env again */
    fg_exp_config c;
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.cache_size, 500);
    assert_int_equal(fg_exp_set_option("enable_profiling", "false"), FG_OK);
    int64_t n = 16;
    tu_tensor *x = et_rand(FGI_F32, 1, &n, 1, -1, 1), *y = tu_new(FGI_F32, 1, &n, TU_CONTIG);
    /* the first call after a reset looks at the file at once; from then on
     * the file is looked at every 250 ms */
    assert_int_equal(fg_relu(&y->t, &x->t), FG_OK);
    write_file(cfg_path,
               "{\"cache_size\": 250, \"enable_profiling\": true, \"dispatch_strategy\": \"safe\"}\n");
    double t0 = now_s(), took = -1;
    while (now_s() - t0 < 3.0) {
        assert_int_equal(fg_relu(&y->t, &x->t), FG_OK);
        assert_int_equal(fg_exp_get_config(&c), FG_OK);
        if (c.cache_size == 250) {
            took = now_s() - t0;
            break;
        }
        usleep(2000);
    }
    print_message("[ info ] config file change applied after %.3f s\n", took);
    assert_true(took >= 0 && took < 1.0);
    assert_int_equal(c.dispatch_strategy, FG_EXP_STRATEGY_SAFE);
    assert_int_equal(c.enable_profiling, 0); /* API beats the file */
    assert_int_equal(c.profiling_repeat, 9); /* environment beats the file */
    /* a broken file is reported and the last good values stay */
    write_file(cfg_path, "{\"cache_size\": 123,,}\n");
    t0 = now_s();
    char *log = NULL;
    while (now_s() - t0 < 3.0) {
        assert_int_equal(fg_relu(&y->t, &x->t), FG_OK);
        free(log);
        log = et_read_file(log_path);
        if (strstr(log, "ignored: line 1")) break;
        usleep(2000);
    }
    assert_non_null(strstr(log, "ignored: line 1"));
    free(log);
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.cache_size, 250);
    tu_free(x);
    tu_free(y);
}

static void test_enable_overrides(void **state)
{
    (void)state;
    assert_int_equal(fg_exp_reset_config(), FG_OK);
    assert_int_equal(
        fg_exp_enable(FG_EXP_GROUP_GENERATED, 0, 0, "{\"dispatch_strategy\": \"off\", \"cache_size\": 64}"),
        FG_OK);
    fg_exp_config c;
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.dispatch_strategy, FG_EXP_STRATEGY_OFF);
    assert_int_equal(c.cache_size, 64);
    assert_int_equal(c.fallback_on_error, 0);
    assert_int_equal(c.show_warnings, 0);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_GENERATED);
    assert_int_equal(fg_exp_enable(0, 1, 1, "[1, 2]"), FG_ERR_INVALID_ARG);
    assert_int_equal(fg_exp_enabled_groups(), FG_EXP_GROUP_GENERATED);
    assert_int_equal(fg_exp_disable(), FG_OK);
    assert_int_equal(fg_exp_reset_config(), FG_OK);
    assert_int_equal(fg_exp_get_config(&c), FG_OK);
    assert_int_equal(c.fallback_on_error, 1);
}

int main(void)
{
    et_tmp("config.json", cfg_path, sizeof cfg_path);
    et_tmp("config_log.txt", log_path, sizeof log_path);
    remove(log_path);
    FILE *f = fopen(cfg_path, "w");
    if (!f) return 1;
    fputs("{\"cache_size\": 500, \"profiling_repeat\": 7, \"dispatch_strategy\": \"aggressive\"}\n", f);
    fclose(f);
    setenv("FLAGGEMS_EXP_CONFIG", cfg_path, 1);
    setenv("FLAGGEMS_EXP_PROFILING_REPEAT", "9", 1);
    setenv("FLAGGEMS_EXP_CACHE_TTL", "abc", 1);
    setenv("FLAGGEMS_EXP_LOG_FILE", log_path, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_validation), cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_hot_reload), cmocka_unit_test(test_enable_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
