# Helpers shared by every korder target.

# Warnings on for our own code, and warnings are errors. Third-party headers are
# included as SYSTEM (imported targets do that), so -Werror never trips on them.
function(korder_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()

# korder_add_test(NAME name SOURCES a.cc b.cc LIBS lib... [TIMEOUT seconds])
# Builds a Catch2 v2 test executable and registers one ctest entry per TEST_CASE.
# Catch2 2.13's catch_discover_tests cannot map tags to labels by itself, so it is
# called once per tag: [unit] -> label unit, [integration] -> integration, [e2e] -> e2e.
function(korder_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} korder_catch_main)
  korder_warnings(${ARG_NAME})
  foreach(tag unit integration e2e)
    catch_discover_tests(${ARG_NAME}
      TEST_SPEC "[${tag}]"
      TEST_PREFIX "${ARG_NAME}: "
      PROPERTIES LABELS ${tag} TIMEOUT ${ARG_TIMEOUT}
      DISCOVERY_TIMEOUT 30)
  endforeach()
  # A test case without one of those tags would silently never run. Catch2 v2 exits with the
  # number of test cases it lists, so this entry fails when any untagged case exists.
  add_test(NAME "${ARG_NAME}: every test case is tagged unit, integration or e2e"
    COMMAND ${ARG_NAME} "~[unit]~[integration]~[e2e]" --list-test-names-only)
  set_tests_properties("${ARG_NAME}: every test case is tagged unit, integration or e2e"
    PROPERTIES LABELS unit TIMEOUT 30)
endfunction()
