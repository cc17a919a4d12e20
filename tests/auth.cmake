# --- Sender authentication: SPF, DKIM, DMARC, DNS fixtures ------------------
add_executable(presend_unit_auth
  unit/test_dns_fixture.cpp
  unit/test_dns_system.cpp
  unit/test_spf.cpp
  unit/test_dkim.cpp
  unit/test_dmarc.cpp
)
target_link_libraries(presend_unit_auth PRIVATE presend_auth GTest::gmock GTest::gtest GTest::gtest_main)
gtest_discover_tests(presend_unit_auth PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

foreach(t spf_record dkim_key dmarc_record)
  presend_fuzz_target(${t} LIBS presend_auth)
endforeach()

# --- The RFC 7208 (openspf.org) test suite against spf_check_host() ----------
# rfc7208_suite.py turns the suite's YAML into JSON (zones in the DNS fixture
# format) and runs spf_suite on it. The suite lives beside the repository; the
# test is registered only where it is present.
add_executable(spf_suite auth/spf_suite.cpp)
target_link_libraries(spf_suite PRIVATE presend_auth)
set(PRESEND_RFC7208_SUITE ${PROJECT_SOURCE_DIR}/../shared/corpora/spf/rfc7208-tests.yml)
if(EXISTS ${PRESEND_RFC7208_SUITE})
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  execute_process(COMMAND ${Python3_EXECUTABLE} -c "import yaml"
    RESULT_VARIABLE _presend_no_pyyaml OUTPUT_QUIET ERROR_QUIET)
  if(_presend_no_pyyaml)
    message(WARNING "${Python3_EXECUTABLE} has no PyYAML: auth.rfc7208 is not registered")
  else()
    add_test(NAME auth.rfc7208
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/auth/rfc7208_suite.py
        ${PRESEND_RFC7208_SUITE} ${CMAKE_CURRENT_BINARY_DIR}/rfc7208-tests.json $<TARGET_FILE:spf_suite>)
    set_tests_properties(auth.rfc7208 PROPERTIES LABELS unit)
  endif()
endif()
