/* Configuration of the experimental runtime (seed Module 4) and its log.
 *
 * Four layers, later wins: built-in defaults, the JSON file named by
 * FLAGGEMS_EXP_CONFIG, environment FLAGGEMS_EXP_<KEY>, API calls. Each
 * layer stores values plus a mask of the keys it sets, so a reloaded file
 * never overrides an environment or API value.
 *
 * Locking: every function here that changes the configuration expects the
 * runtime lock (fgi_exp_lock, dispatcher.h) to be held, and calls
 * fgi_exp_config_applied with it held when the effective values changed. */
#ifndef FGI_EXPERIMENTAL_CONFIG_H
#define FGI_EXPERIMENTAL_CONFIG_H

#ifndef FG_EXPERIMENTAL_API
#define FG_EXPERIMENTAL_API
#endif
#include <stdint.h>

#include "flaggems/experimental.h"

/* ---------------------------------------------------------------- config */

/* Start-up: defaults, then the file, then the environment. Bad values are
 * reported in the log once and ignored. Lock held. */
void fgi_cfg_init_locked(void);
/* fg_exp_reset_config: API layer dropped, environment and file read again.
 * Lock held. */
void fgi_cfg_reset_locked(void);
/* The effective values (lock held: a pointer to them). */
const fg_exp_config *fgi_cfg_locked(void);

/* API layer updates, all or nothing (lock held). json may be NULL;
 * fallback/warning < 0 leave those keys alone. */
fg_status fgi_cfg_api_json_locked(const char *json, int fallback, int warning);
fg_status fgi_cfg_api_struct_locked(const fg_exp_config *cfg);
fg_status fgi_cfg_api_option_locked(const char *key, const char *value);

void fgi_cfg_defaults(fg_exp_config *out);
/* FG_OK or FG_ERR_INVALID_ARG naming the first bad field. */
fg_status fgi_cfg_check(const fg_exp_config *cfg);
/* Sorted-key JSON text of cfg (malloc'd), or NULL on allocation failure. */
char *fgi_cfg_to_json(const fg_exp_config *cfg);
/* "safe", "aggressive", "off" */
const char *fgi_cfg_strategy_name(fg_exp_strategy s);

/* Hot reload: the dispatcher calls fgi_cfg_poll when the coarse clock
 * passes fgi_cfg_next_poll (INT64_MAX when no file is configured). One
 * caller at a time claims the poll; it stats the file, and only when its
 * identity (device, inode, size, mtime) changed reads it again. */
extern int64_t fgi_cfg_next_poll; /* atomic */
void fgi_cfg_poll(int64_t now_ns);
/* How often the file is looked at: changes apply within this plus the time
 * to the next op call. */
#define FGI_CFG_POLL_NS 250000000LL

/* ---------------------------------------------------------------- log */

/* The runtime's log: messages at or above log_level go to log_file or
 * stderr, one line each. */
void fgi_exp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int fgi_exp_log_on(int level)
{
    extern int fgi_exp_log_threshold;
    return level >= __atomic_load_n(&fgi_exp_log_threshold, __ATOMIC_RELAXED);
}
/* "DEBUG", "INFO", ... */
const char *fgi_cfg_level_name(int level);

#endif
