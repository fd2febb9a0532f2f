/* 02_custom_config: read and change the experimental runtime's
 * configuration (the struct, JSON, single options), see how illegal values
 * are refused, and return to the start-up state.
 * Sources, later wins: defaults < JSON file named by FLAGGEMS_EXP_CONFIG <
 * FLAGGEMS_EXP_<KEY> environment variables < these API calls.
 * Build: cc 02_custom_config.c -I include -L build/lib -lflaggems */
#define FG_EXPERIMENTAL_API
#include <flaggems/experimental.h>

#include <stdio.h>

int main(void)
{
    fg_exp_config cfg;
    if (fg_exp_get_config(&cfg) != FG_OK) return 1;
    printf("strategy %d, profiling %d (warm-up %d, repeat %d), cache %d entries for %d s\n",
           cfg.dispatch_strategy, cfg.enable_profiling, cfg.profiling_warmup, cfg.profiling_repeat,
           cfg.cache_size, cfg.cache_ttl);

    /* 1. the whole struct: every field is checked before anything changes */
    cfg.dispatch_strategy = FG_EXP_STRATEGY_AGGRESSIVE;
    cfg.cache_size = 256;
    cfg.profiling_repeat = 5;
    if (fg_exp_set_config(&cfg) != FG_OK) return 1;

    /* 2. a few keys as JSON (the same keys a config file holds) */
    if (fg_exp_set_config_json("{\"fallback_on_slow\": true, \"slow_threshold\": 1.5}") != FG_OK) return 1;

    /* 3. one key from text, parsed like its environment variable */
    if (fg_exp_set_option("validate_output", "nan") != FG_OK) return 1;

    char *json = NULL;
    if (fg_exp_get_config_json(&json) != FG_OK) return 1;
    printf("\nnow in effect:\n%s\n", json);
    fg_exp_free(json);

    /* illegal values are refused with the key, the value and what is allowed */
    fg_status s = fg_exp_set_option("dispatch_strategy", "fastest");
    printf("\nset dispatch_strategy=fastest -> %s\n  %s\n", fg_status_name(s), fg_last_error());
    if (s != FG_ERR_INVALID_ARG) return 1;
    s = fg_exp_set_config_json("{\"cache_size\": 0}");
    printf("set cache_size=0 -> %s\n  %s\n", fg_status_name(s), fg_last_error());
    if (s != FG_ERR_INVALID_ARG) return 1;

    /* enable() takes overrides too; keys given there win */
    if (fg_exp_enable(FG_EXP_GROUP_CUSTOM, 1, 0, "{\"dispatch_strategy\": \"safe\"}") != FG_OK) return 1;

    /* back to the start-up state (environment and file read again) */
    if (fg_exp_reset_config() != FG_OK || fg_exp_get_config(&cfg) != FG_OK) return 1;
    printf("\nafter reset: strategy %d, cache %d, groups 0x%x\n", cfg.dispatch_strategy, cfg.cache_size,
           fg_exp_enabled_groups());
    return cfg.cache_size > 0 ? 0 : 1;
}
