# --- Reliability: fault injection (label `reliability`) ----------------------
# I/O faults through a SQLite VFS shim, and allocation failures, at every
# point of an operation in turn. PRESEND_RELIABILITY_SWEEP=full runs every
# point (long); by default each sweep is capped with a stride (README,
# "Testing").
add_executable(presend_reliability_io
  reliability/test_io_faults.cpp
  reliability/fault_vfs.cpp
)
target_link_libraries(presend_reliability_io PRIVATE presend presend_options PkgConfig::SQLITE3
  GTest::gmock GTest::gtest GTest::gtest_main)
gtest_discover_tests(presend_reliability_io PROPERTIES LABELS reliability TIMEOUT 600 DISCOVERY_TIMEOUT 60)

# Allocation failures: SQLite's allocator is wrapped before SQLite
# initializes (the binary has its own main) and the global operator new is
# replaced, so this binary runs alone.
add_executable(presend_reliability_oom
  reliability/test_oom.cpp
  reliability/oom_alloc.cpp
)
target_link_libraries(presend_reliability_oom PRIVATE presend presend_options PkgConfig::SQLITE3 PkgConfig::CJSON
  GTest::gmock GTest::gtest)
gtest_discover_tests(presend_reliability_oom PROPERTIES LABELS reliability TIMEOUT 600 DISCOVERY_TIMEOUT 60)
