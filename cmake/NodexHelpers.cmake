# Small declarative helpers: every library, test and fuzzer is one call.

# nodex_library(<name> SRCS ... DEPS ...) -> target nodex_<name>, alias nodex::<name>
function(nodex_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(nodex_${name} STATIC ${ARG_SRCS})
  target_include_directories(nodex_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(nodex_${name} PUBLIC ${ARG_DEPS})
  add_library(nodex::${name} ALIAS nodex_${name})
endfunction()

# nodex_test(<name> SRCS ... DEPS ...) -> a GoogleTest binary registered as
# ctest tests named unit.<name>.<Suite>.<Case>. WORKING_DIRECTORY is the
# source dir so tests can find their fixtures under src/.
function(nodex_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name}_test ${ARG_SRCS})
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name}_test TEST_PREFIX "unit.${name}." WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "NODEX_CONFORMANCE_KIT=${NODEX_KIT_COPY}"
                                  FIXTURES_REQUIRED conformance_kit)
endfunction()

# nodex_fuzzer(<name> SRC <file> DEPS ...) -> <name>_fuzzer. With
# NODEX_LIBFUZZER it is a libFuzzer binary; otherwise a plain main() replays
# every file in fuzz/corpus/<name>/, registered as ctest test fuzz.<name>.
function(nodex_fuzzer name)
  cmake_parse_arguments(ARG "" "SRC" "DEPS" ${ARGN})
  add_executable(${name}_fuzzer ${ARG_SRC})
  target_link_libraries(${name}_fuzzer PRIVATE ${ARG_DEPS})
  if(NODEX_LIBFUZZER)
    target_compile_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer)
    target_link_options(${name}_fuzzer PRIVATE -fsanitize=fuzzer)
    # `cmake --build --target fuzzers` builds them all (scripts/run-fuzzers.sh).
    if(NOT TARGET fuzzers)
      add_custom_target(fuzzers)
    endif()
    add_dependencies(fuzzers ${name}_fuzzer)
  else()
    target_sources(${name}_fuzzer PRIVATE ${CMAKE_SOURCE_DIR}/fuzz/replay_main.cc)
    add_test(NAME fuzz.${name} COMMAND ${name}_fuzzer ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  endif()
endfunction()
