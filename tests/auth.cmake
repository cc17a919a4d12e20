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
