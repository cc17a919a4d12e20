# --- The reliability suite (tests/reliability/) ---------------------------------
# Exactness across processes, kill -9 at random moments, clock faults, fork
# under a preforking server, and 10,000 malformed inputs, all through the C
# API. `ctest -L reliability` runs the fast part (also part of every run);
# scripts/reliability runs the long part: the same tests with larger
# parameters (PRESEND_RELIABILITY_KILLS, _WORKERS, _PROCESSES, _CHECKS,
# _QUOTA, _CLOCK_CHECKS, _FORKS, _BAD_INPUTS, _SEED), collecting the summary
# lines the tests append to $PRESEND_RELIABILITY_SUMMARY.
add_executable(presend_reliability
  reliability/test_exactness.cpp
  reliability/test_crash.cpp
  reliability/test_clock.cpp
  reliability/test_fork.cpp
  reliability/test_bad_input.cpp
)
target_link_libraries(presend_reliability PRIVATE presend presend_options PkgConfig::SQLITE3 PkgConfig::CJSON
  GTest::gtest GTest::gtest_main Threads::Threads)
target_compile_definitions(presend_reliability PRIVATE
  PRESEND_FUZZ_CORPUS="${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus"
  PRESEND_IAM_PLUGIN_DIR="$<TARGET_FILE_DIR:presend_plugin_iam_least_privilege>")
add_dependencies(presend_reliability presend_plugin_iam_least_privilege)

# The Redis ledger's half, against a redis-server the tests start on loopback
# (tests/unit/redis_server.hpp), when hiredis and redis-server are here.
find_program(PRESEND_REDIS_SERVER redis-server)
pkg_check_modules(PRESEND_RELIABILITY_HIREDIS IMPORTED_TARGET hiredis)
if(TARGET presend_redis AND PRESEND_REDIS_SERVER AND PRESEND_RELIABILITY_HIREDIS_FOUND)
  target_include_directories(presend_reliability PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
  target_link_libraries(presend_reliability PRIVATE PkgConfig::PRESEND_RELIABILITY_HIREDIS)
  target_compile_definitions(presend_reliability PRIVATE PRESEND_REDIS_SERVER="${PRESEND_REDIS_SERVER}")
endif()

gtest_discover_tests(presend_reliability TEST_PREFIX reliability.
  PROPERTIES LABELS reliability TIMEOUT 3600 DISCOVERY_TIMEOUT 60)
