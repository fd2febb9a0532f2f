# environment variables and the config file are applied (env wins over file)
cmd: FLAGGEMS_EXP_CONFIG=$FIXTURES/config_good.json FLAGGEMS_EXP_CACHE_SIZE=42 flag-gems-exp config show --format table
stdout: exact
---
KEY                VALUE
-----------------  ----------
cache_size         42
cache_ttl          3600
dispatch_strategy  aggressive
enable_perf_cache  true
enable_profiling   true
fallback_on_error  true
fallback_on_slow   false
log_file           null
log_level          INFO
profiling_repeat   10
profiling_warmup   3
quarantine_after   3
show_warnings      true
slow_threshold     1.2
validate_output    off
warning_level      INFO
config file: ${FIXTURES}/config_good.json
