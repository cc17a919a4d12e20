# --- The plugin host: test plugins built from presend_plugin.h alone --------
set(PRESEND_TEST_PLUGIN_DIR ${CMAKE_CURRENT_BINARY_DIR}/test-plugins)
set(_presend_test_plugins testplug=1 newabi=2 declines=3 noentry=4 slowplug=5 prefixed=6 usurper=7 twin=8)
set(PRESEND_TEST_PLUGIN_TARGETS)
foreach(entry ${_presend_test_plugins})
  string(REPLACE "=" ";" parts ${entry})
  list(GET parts 0 name)
  list(GET parts 1 number)
  add_library(test_plugin_${name} MODULE plugins/test_plugin.c)
  target_compile_definitions(test_plugin_${name} PRIVATE TEST_PLUGIN=${number})
  target_include_directories(test_plugin_${name} PRIVATE ${PROJECT_SOURCE_DIR}/c_api/include)
  target_link_libraries(test_plugin_${name} PRIVATE presend_options)
  set_target_properties(test_plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME presend_${name} LIBRARY_OUTPUT_DIRECTORY ${PRESEND_TEST_PLUGIN_DIR}
    C_STANDARD 99 C_EXTENSIONS OFF)
  list(APPEND PRESEND_TEST_PLUGIN_TARGETS test_plugin_${name})
endforeach()

add_executable(presend_unit_plugins unit/test_plugin_host.cpp)
target_link_libraries(presend_unit_plugins PRIVATE presend_core GTest::gmock GTest::gtest GTest::gtest_main)
target_compile_definitions(presend_unit_plugins PRIVATE PRESEND_TEST_PLUGIN_DIR="${PRESEND_TEST_PLUGIN_DIR}")
add_dependencies(presend_unit_plugins ${PRESEND_TEST_PLUGIN_TARGETS})
gtest_discover_tests(presend_unit_plugins PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60)
