# --- Feedback from providers: SES events, SNS signatures, ARF reports --------
add_executable(presend_unit_feedback
  unit/test_ses_events.cpp
  unit/test_sns_verify.cpp
  unit/test_arf.cpp
)
target_link_libraries(presend_unit_feedback PRIVATE presend_feedback GTest::gtest GTest::gtest_main)
# Test support lives in tests/feedback/ beside the fixtures ("feedback/support.hpp").
target_include_directories(presend_unit_feedback PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(presend_unit_feedback PRIVATE
  PRESEND_FEEDBACK_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/feedback")
# Prefixed so that `ctest -R feedback` selects them.
gtest_discover_tests(presend_unit_feedback TEST_PREFIX feedback. PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

foreach(t ses_events arf sns_envelope)
  presend_fuzz_target(${t} LIBS presend_feedback)
endforeach()

# --- Amazon's SES examples, where the shared corpus sits beside the checkout --
set(PRESEND_SES_CORPUS ${PROJECT_SOURCE_DIR}/../shared/corpora/ses)
if(EXISTS ${PRESEND_SES_CORPUS})
  add_executable(presend_feedback_ses_corpus feedback/ses_corpus_test.cpp)
  target_link_libraries(presend_feedback_ses_corpus PRIVATE presend_feedback GTest::gtest GTest::gtest_main)
  target_include_directories(presend_feedback_ses_corpus PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(presend_feedback_ses_corpus PRIVATE
    PRESEND_SES_CORPUS="${PRESEND_SES_CORPUS}" PRESEND_FEEDBACK_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/feedback")
  add_test(NAME feedback.ses_corpus COMMAND presend_feedback_ses_corpus)
  set_tests_properties(feedback.ses_corpus PROPERTIES LABELS unit)
endif()
