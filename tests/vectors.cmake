# --- The shared test vectors (tests/vectors/*.json), through the C API only --
add_executable(presend_unit_vectors unit/test_vectors.cpp)
target_link_libraries(presend_unit_vectors PRIVATE presend presend_options PkgConfig::CJSON GTest::gtest GTest::gtest_main)
target_compile_definitions(presend_unit_vectors PRIVATE PRESEND_VECTORS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/vectors")
gtest_discover_tests(presend_unit_vectors PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
