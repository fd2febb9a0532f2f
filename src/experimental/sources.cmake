# Sources of the experimental kernels (src/experimental/custom/**.c and
# generated/**.c), the testing tools (testing/*.c) and graduation
# (graduation/*.c). The root CMakeLists.txt includes this file after its glob
# of src/experimental/*.c and before it picks out the *_avx2.c files, so the
# custom AVX2 kernels get -mavx2 -mfma -mf16c like the stable ones:
#
#   file(GLOB FG_SOURCES ...)
#   include(src/experimental/sources.cmake)
#   set(FG_AVX2_SOURCES ${FG_SOURCES}) ...
file(GLOB_RECURSE FG_EXP_KERNEL_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/custom/*.c ${CMAKE_CURRENT_LIST_DIR}/generated/*.c
     ${CMAKE_CURRENT_LIST_DIR}/testing/*.c ${CMAKE_CURRENT_LIST_DIR}/graduation/*.c)
list(APPEND FG_SOURCES ${FG_EXP_KERNEL_SOURCES})
# Build steps of the testing tools (embedding report_template.md).
include(${CMAKE_CURRENT_LIST_DIR}/testing/testing.cmake OPTIONAL)
