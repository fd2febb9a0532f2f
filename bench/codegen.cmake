# fg-bench-generated: each generated kernel against the stable kernel of its
# op (tools/codegen). include() from bench/CMakeLists.txt; needs only the
# library.
add_executable(fg-bench-generated ${CMAKE_CURRENT_LIST_DIR}/bench_generated.c)
target_link_libraries(fg-bench-generated PRIVATE flaggems_static m)
if(BUILD_TESTING)
  add_test(NAME bench_generated_quick COMMAND fg-bench-generated --quick --json
                                              ${CMAKE_BINARY_DIR}/bench_generated_quick.json)
  set_tests_properties(bench_generated_quick PROPERTIES TIMEOUT 600 LABELS bench)
endif()
