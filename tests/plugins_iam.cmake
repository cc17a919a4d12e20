# --- The iam_least_privilege plugin: evaluator, linter, SES request model ---
add_executable(presend_unit_iam
  plugins/iam/test_iam_evaluate.cpp
  plugins/iam/test_iam_lint.cpp
  plugins/iam/test_iam_parse.cpp
  plugins/iam/test_iam_ses.cpp
)
target_link_libraries(presend_unit_iam PRIVATE presend_iam GTest::gtest GTest::gtest_main GTest::gmock)
gtest_discover_tests(presend_unit_iam PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60)

# The built shared object, loaded through a fake host table.
add_executable(presend_plugin_iam_so plugins/iam/test_iam_plugin.cpp)
target_include_directories(presend_plugin_iam_so PRIVATE ${PROJECT_SOURCE_DIR}/c_api/include)
target_compile_definitions(presend_plugin_iam_so PRIVATE
  PRESEND_IAM_PLUGIN_PATH="$<TARGET_FILE:presend_plugin_iam_least_privilege>")
target_link_libraries(presend_plugin_iam_so PRIVATE presend_options PkgConfig::CJSON GTest::gtest GTest::gtest_main
  Threads::Threads ${CMAKE_DL_LIBS})
add_dependencies(presend_plugin_iam_so presend_plugin_iam_least_privilege)
gtest_discover_tests(presend_plugin_iam_so PROPERTIES LABELS plugin DISCOVERY_TIMEOUT 60)

# The policy parser, evaluator and linter under the fuzzer (the checked-in
# corpus is replayed on every run).
presend_fuzz_target(iam_policy LIBS presend_iam)

# `presend iam lint|simulate`, with pytest like the other command tests.
find_package(Python3 3.9 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli.iam
  COMMAND ${Python3_EXECUTABLE} -m pytest -q -rfEs
    --basetemp=${CMAKE_CURRENT_BINARY_DIR}/cli-tmp-iam
    ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_iam.py)
set_tests_properties(cli.iam PROPERTIES
  LABELS "cli;plugin"
  TIMEOUT 900
  ENVIRONMENT "PRESEND_BIN=$<TARGET_FILE:presend_cli>;PRESEND_IAM_PLUGIN_DIR=$<TARGET_FILE_DIR:presend_plugin_iam_least_privilege>;PRESEND_HEADER=${PROJECT_SOURCE_DIR}/c_api/include/presend/presend.h;PYTHONDONTWRITEBYTECODE=1")
