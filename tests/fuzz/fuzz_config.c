/* Fuzz target for the configuration loader (libFuzzer; tests/fuzz/run-fuzz.sh).
 *
 * Each input goes through both ways a configuration reaches the runtime:
 *  - the file named by FLAGGEMS_EXP_CONFIG (written to a scratch folder,
 *    then fg_exp_reset_config reads it): bad values are logged and
 *    skipped, never fatal;
 *  - fg_exp_set_config_json, which is all or nothing: a refusal says why
 *    and changes nothing (the JSON view is the same before and after);
 *    an accepted document round-trips through fg_exp_get_config_json.
 * Either way the configuration in effect stays valid (fg_exp_set_config
 * takes it back). Inputs that name log_file are not applied through the API,
 * which would point the runtime's log at arbitrary paths; the environment
 * pins log_file, so the file layer cannot move it.
 *
 * Without libFuzzer, replay.c's main() runs a corpus through it (ctest). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FG_EXPERIMENTAL_API
#include "flaggems/experimental.h"

static char scratch[64];
static char cfg_path[128];

static void cleanup(void)
{
    unlink(cfg_path);
    if (scratch[0]) rmdir(scratch);
}

static void init_once(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/fg-fuzz-config-XXXXXX");
    if (!mkdtemp(scratch)) abort();
    snprintf(cfg_path, sizeof cfg_path, "%s/config.json", scratch);
    setenv("FLAGGEMS_EXP_CONFIG", cfg_path, 1);
    setenv("FLAGGEMS_EXP_LOG_FILE", "/dev/null", 1);
    atexit(cleanup);
}

static char *config_json(void)
{
    char *j = NULL;
    if (fg_exp_get_config_json(&j) != FG_OK || !j) abort();
    return j;
}

/* The configuration in effect must always be one fg_exp_set_config accepts. */
static void check_effective(void)
{
    fg_exp_config c;
    if (fg_exp_get_config(&c) != FG_OK) abort();
    if (fg_exp_set_config(&c) != FG_OK) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch[0]) init_once();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    FILE *f = fopen(cfg_path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
    if (fg_exp_reset_config() != FG_OK) abort(); /* a bad file is logged and ignored */
    check_effective();

    if (!strstr(text, "log_file")) {
        char *before = config_json();
        fg_status st = fg_exp_set_config_json(text);
        bool said_why = fg_last_error()[0] != '\0'; /* before the next call clears it */
        char *after = config_json();
        if (st != FG_OK) {
            if (!said_why || strcmp(before, after) != 0) abort();
        } else {
            /* What was accepted comes back and is accepted again unchanged. */
            if (fg_exp_set_config_json(after) != FG_OK) abort();
            char *again = config_json();
            if (strcmp(after, again) != 0) abort();
            fg_exp_free(again);
        }
        fg_exp_free(before);
        fg_exp_free(after);
        check_effective();
    }
    free(text);
    return 0;
}
