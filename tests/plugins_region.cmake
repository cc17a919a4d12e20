# region_policy tests: the rule library (no shared object), the plugin's
# ABI through a fake host (dlopen of the built .so), and the pack parser's
# fuzz target.
add_executable(presend_region_tests
  plugins/region/test_calendar.cpp
  plugins/region/test_pack.cpp
  plugins/region/test_rules.cpp
  plugins/region/test_text.cpp
)
target_link_libraries(presend_region_tests PRIVATE presend_region GTest::gtest GTest::gtest_main GTest::gmock)
gtest_discover_tests(presend_region_tests PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60)

add_executable(presend_region_plugin_abi plugins/region/test_plugin_abi.cpp)
target_include_directories(presend_region_plugin_abi PRIVATE ${PROJECT_SOURCE_DIR}/c_api/include)
target_link_libraries(presend_region_plugin_abi PRIVATE presend_region GTest::gtest GTest::gtest_main GTest::gmock
                      Threads::Threads ${CMAKE_DL_LIBS})
target_compile_definitions(presend_region_plugin_abi PRIVATE
  REGION_PLUGIN_PATH="$<TARGET_FILE:presend_plugin_region_policy>")
add_dependencies(presend_region_plugin_abi presend_plugin_region_policy)
gtest_discover_tests(presend_region_plugin_abi PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60)

presend_fuzz_target(policy_pack LIBS presend_region)

# Through a presend engine and the public C API, loading the built plugin.
add_executable(presend_region_engine plugins/region/test_engine.cpp)
target_include_directories(presend_region_engine PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/region)
target_link_libraries(presend_region_engine PRIVATE presend presend_region GTest::gtest GTest::gtest_main GTest::gmock)
target_compile_definitions(presend_region_engine PRIVATE
  REGION_PLUGIN_DIR="$<TARGET_FILE_DIR:presend_plugin_region_policy>")
add_dependencies(presend_region_engine presend_plugin_region_policy)
gtest_discover_tests(presend_region_engine PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60
                     SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
