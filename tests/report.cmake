# --- The audit report's renderers ---------------------------------------------
# GoogleTest over the renderers, and a small tool that renders a model file,
# which the browser tests (pytest + headless Chromium) drive.
add_executable(presend_unit_report unit/test_report_render.cpp)
target_link_libraries(presend_unit_report PRIVATE presend_report GTest::gtest GTest::gtest_main)
target_compile_definitions(presend_unit_report PRIVATE
  PRESEND_REPORT_SAMPLE="${CMAKE_CURRENT_SOURCE_DIR}/report/sample-report.json")
gtest_discover_tests(presend_unit_report PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

add_executable(presend_report_render report/render_tool.cpp)
target_link_libraries(presend_report_render PRIVATE presend_report)

# The HTML report as a browser shows and prints it. Needs pytest and Debian's
# chromium (PRESEND_CHROMIUM names another binary).
find_package(Python3 3.9 COMPONENTS Interpreter REQUIRED)
find_program(PRESEND_CHROMIUM NAMES chromium chromium-browser google-chrome
  DOC "Chromium for the report's browser tests")
if(NOT PRESEND_CHROMIUM)
  message(WARNING "chromium not found: the report.browser test will fail (apt-get install chromium)")
  set(PRESEND_CHROMIUM chromium)
endif()
add_test(NAME report.browser
  COMMAND ${Python3_EXECUTABLE} -m pytest -q -rfEs -p no:cacheprovider
    --basetemp=${CMAKE_CURRENT_BINARY_DIR}/report-tmp
    ${CMAKE_CURRENT_SOURCE_DIR}/report/test_report_browser.py)
set_tests_properties(report.browser PROPERTIES
  LABELS report
  TIMEOUT 600
  ENVIRONMENT "PRESEND_REPORT_RENDER=$<TARGET_FILE:presend_report_render>;PRESEND_REPORT_SAMPLE=${CMAKE_CURRENT_SOURCE_DIR}/report/sample-report.json;PRESEND_CHROMIUM=${PRESEND_CHROMIUM};PYTHONDONTWRITEBYTECODE=1")
presend_fuzz_target(report_model LIBS presend_report)
