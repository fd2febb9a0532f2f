# Build-time steps of the experimental tree, included by the root
# CMakeLists.txt after the flaggems_obj target exists.
#
# 1. Embeds src/experimental/generated/_metadata.json into the library: a C
#    source generated from it (rebuilt whenever the JSON changes) defines
#    fgi_meta_embedded (meta_runtime.h), NUL-terminated, which the
#    dispatcher's metadata runtime parses on first use. A program never
#    needs the source tree; FLAGGEMS_EXP_METADATA overrides the copy.
# 2. fg-meta-sync (tools/meta-sync): brings _metadata.json in line with the
#    kernels.def lists and the kernels' sources; the ctest
#    metadata_committed_in_sync fails when the committed file is stale.
set(FG_META_JSON ${CMAKE_CURRENT_LIST_DIR}/generated/_metadata.json)
set(FG_META_EMBED_C ${CMAKE_BINARY_DIR}/generated/fg_meta_embedded.c)
# The testing tools' embedding script (testing/testing.cmake in script mode)
# writes the bytes as a NUL-terminated char array.
set(FG_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/testing/testing.cmake)
add_custom_command(
  OUTPUT ${FG_META_EMBED_C}
  COMMAND ${CMAKE_COMMAND} -DFG_EMBED_IN=${FG_META_JSON} -DFG_EMBED_OUT=${FG_META_EMBED_C}
          -DFG_EMBED_SYMBOL=fgi_meta_embedded -P ${FG_EMBED_SCRIPT}
  DEPENDS ${FG_META_JSON} ${FG_EMBED_SCRIPT}
  COMMENT "Embedding src/experimental/generated/_metadata.json"
  VERBATIM)
target_sources(flaggems_obj PRIVATE ${FG_META_EMBED_C})

if(EXISTS ${CMAKE_SOURCE_DIR}/tools/meta-sync/fg_meta_sync.c)
  add_executable(fg-meta-sync ${CMAKE_SOURCE_DIR}/tools/meta-sync/fg_meta_sync.c)
  target_link_libraries(fg-meta-sync PRIVATE flaggems_static)
  if(BUILD_TESTING)
    add_test(NAME metadata_committed_in_sync
             COMMAND fg-meta-sync --check --repo ${CMAKE_SOURCE_DIR})
    set_tests_properties(metadata_committed_in_sync PROPERTIES LABELS metadata TIMEOUT 60)
  endif()
endif()
