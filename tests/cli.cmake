# Tests of the `presend` command, written with pytest (tests/cli/). Each test
# file is one ctest test; the binary under test is passed in PRESEND_BIN and
# the public header (for its documented limits) in PRESEND_HEADER.
find_package(Python3 3.9 COMPONENTS Interpreter REQUIRED)
execute_process(COMMAND ${Python3_EXECUTABLE} -c "import pytest"
  RESULT_VARIABLE _presend_no_pytest OUTPUT_QUIET ERROR_QUIET)
if(_presend_no_pytest)
  message(WARNING "${Python3_EXECUTABLE} has no pytest: the cli tests will fail "
                  "(install it, or point Python3_EXECUTABLE at a Python that has it)")
endif()

foreach(suite commands usage bad_input store auth feedback)
  add_test(NAME cli.${suite}
    COMMAND ${Python3_EXECUTABLE} -m pytest
      -q -rfEs
      --basetemp=${CMAKE_CURRENT_BINARY_DIR}/cli-tmp-${suite}
      ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_${suite}.py)
  set_tests_properties(cli.${suite} PROPERTIES
    LABELS cli
    TIMEOUT 900
    ENVIRONMENT "PRESEND_BIN=$<TARGET_FILE:presend_cli>;PRESEND_HEADER=${PROJECT_SOURCE_DIR}/c_api/include/presend/presend.h;PYTHONDONTWRITEBYTECODE=1")
endforeach()
