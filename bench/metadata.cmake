# fg-bench-metadata (issue 4, metadata store). Included from
# bench/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/metadata.cmake)
add_executable(fg-bench-metadata ${CMAKE_CURRENT_LIST_DIR}/bench_metadata.c)
target_link_libraries(fg-bench-metadata PRIVATE flaggems_static)
