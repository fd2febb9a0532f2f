# fg-bench-dispatch: the experimental dispatcher's costs (warm, cold,
# profiled decisions, hit rate on a Llama trace, cache bytes) and, with
# --custom, where the custom kernels beat the stable ones. include() this
# file from bench/CMakeLists.txt (or the root); it needs only the library.
add_executable(fg-bench-dispatch ${CMAKE_CURRENT_LIST_DIR}/bench_dispatch.c)
target_link_libraries(fg-bench-dispatch PRIVATE flaggems_static m)

if(BUILD_TESTING)
  set(_fg_dispatch_json ${CMAKE_BINARY_DIR}/bench_dispatch_quick.json)
  add_test(NAME bench_dispatch_quick COMMAND fg-bench-dispatch --custom --quick --json ${_fg_dispatch_json})
  set_tests_properties(bench_dispatch_quick PROPERTIES TIMEOUT 600 LABELS bench
                                                       FIXTURES_SETUP fg_bench_dispatch_json)
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_Interpreter_FOUND)
    set(_fg_check_dispatch
        "import json, sys\n"
        "d = json.load(open(sys.argv[1]))\n"
        "keys = ('warm_overhead_ns_p50 warm_overhead_ns_p99 cold_ns_p50 profiled_us_p50 hit_rate '\n"
        "        'bytes_per_1000_entries').split()\n"
        "for k in keys:\n"
        "    assert k in d and isinstance(d[k], (int, float)), k\n"
        "assert 0 < d['hit_rate'] <= 1 and d['bytes_per_1000_entries'] > 0\n"
        "assert d['custom'] and all(r['speedup'] > 0 for r in d['custom'])\n"
        "assert all(r['baseline_kind'] in ('stable', 'reference', 'other op') for r in d['custom'])\n")
    string(CONCAT _fg_check_dispatch ${_fg_check_dispatch})
    add_test(NAME bench_dispatch_quick_json
             COMMAND ${Python3_EXECUTABLE} -c "${_fg_check_dispatch}" ${_fg_dispatch_json})
    set_tests_properties(bench_dispatch_quick_json PROPERTIES LABELS bench
                                                            FIXTURES_REQUIRED fg_bench_dispatch_json)
  endif()
endif()
