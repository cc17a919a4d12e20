# --- GoogleTest: the engine, stores, ledger and checks ---------------------
add_executable(presend_unit
  unit/test_checks.cpp
  unit/test_engine.cpp
  unit/test_auth.cpp
  unit/test_audit.cpp
  unit/test_reputation.cpp
  unit/test_events.cpp
)
target_link_libraries(presend_unit PRIVATE presend_core GTest::gmock GTest::gtest GTest::gtest_main)
target_compile_definitions(presend_unit PRIVATE PRESEND_TEST_ZONES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/auth/zones")
# Amazon's published SES examples, beside the repository when present.
if(EXISTS ${PROJECT_SOURCE_DIR}/../shared/corpora/ses)
  get_filename_component(_presend_ses_corpus ${PROJECT_SOURCE_DIR}/../shared/corpora/ses ABSOLUTE)
  target_compile_definitions(presend_unit PRIVATE PRESEND_SES_CORPUS="${_presend_ses_corpus}")
endif()
gtest_discover_tests(presend_unit PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

# The quota suite, run against both ledgers: SQLite, and Redis on a real
# redis-server the tests start (when hiredis and redis-server are here).
add_executable(presend_unit_quota unit/test_quota.cpp)
target_link_libraries(presend_unit_quota PRIVATE presend_core GTest::gmock GTest::gtest GTest::gtest_main)
find_program(PRESEND_REDIS_SERVER redis-server)
if(TARGET presend_redis AND PRESEND_REDIS_SERVER)
  target_compile_definitions(presend_unit_quota PRIVATE PRESEND_REDIS_SERVER="${PRESEND_REDIS_SERVER}")
endif()
gtest_discover_tests(presend_unit_quota PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

# --- Pure C tests of the ABI: only presend.h and libpresend ---------------
foreach(t capi concurrency)
  add_executable(test_${t} capi/test_${t}.c)
  target_link_libraries(test_${t} PRIVATE presend presend_options Threads::Threads)
  set_target_properties(test_${t} PROPERTIES C_STANDARD 99 C_EXTENSIONS OFF)
  add_test(NAME capi.${t} COMMAND test_${t})
  set_tests_properties(capi.${t} PROPERTIES LABELS capi)
endforeach()

# --- Fuzz targets of the core's own parsers ----------------------------------
foreach(t message_json config_json consent_import records)
  presend_fuzz_target(${t} LIBS presend_core PkgConfig::CJSON)
endforeach()

# --- The README matches the code (reason codes, the C example) ------------------
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME docs.readme
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/docs/check_readme.py
    $<TARGET_FILE:presend_cli> ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/examples/check_message.c)
set_tests_properties(docs.readme PROPERTIES LABELS docs)
