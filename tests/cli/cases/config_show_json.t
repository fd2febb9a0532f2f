# the defaults of the seed, as JSON
cmd: flag-gems-exp config show --format json
stdout: json
---
{
  "cache_size": 1000,
  "cache_ttl": 3600,
  "dispatch_strategy": "safe",
  "enable_perf_cache": true,
  "enable_profiling": true,
  "fallback_on_error": true,
  "fallback_on_slow": false,
  "log_file": null,
  "log_level": "INFO",
  "profiling_repeat": 10,
  "profiling_warmup": 3,
  "quarantine_after": 3,
  "show_warnings": true,
  "slow_threshold": 1.2,
  "validate_output": "off",
  "warning_level": "INFO"
}
