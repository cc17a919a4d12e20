# PHP binding (bindings/php): its PHPUnit suites, over FFI, against the
# libpresend of this build. Label "bindings". Needs php (with FFI and
# OPcache), phpunit, php-cgi, and Debian's Laravel 8 and Symfony Mailer 5.4
# packages (bindings/php/README.md, "Tests"); without php or phpunit the
# tests are not registered.
if(PRESEND_SANITIZE OR PRESEND_TSAN OR PRESEND_LIBFUZZER)
  # An interpreter cannot load a sanitized library without preloading the
  # sanitizer runtime: the PHP binding is tested in ordinary builds.
  return()
endif()

find_program(PRESEND_PHP php)
find_program(PRESEND_PHPUNIT phpunit)
if(NOT PRESEND_PHP OR NOT PRESEND_PHPUNIT)
  message(STATUS "php or phpunit not found: the PHP binding's tests are not registered")
  return()
endif()

set(PRESEND_PHP_DIR ${PROJECT_SOURCE_DIR}/bindings/php)

# ffi.enable=true: the CLI tests load the library with FFI::cdef(); the
# preload test starts php-cgi with its own settings.
function(presend_php_test name)
  cmake_parse_arguments(ARG "" "" "ARGS;ENV" ${ARGN})
  add_test(NAME bindings.php.${name}
    COMMAND ${PRESEND_PHP} -d ffi.enable=true -d memory_limit=512M ${PRESEND_PHPUNIT}
            --configuration ${PRESEND_PHP_DIR}/phpunit.xml.dist --verbose ${ARG_ARGS}
    WORKING_DIRECTORY ${PRESEND_PHP_DIR})
  set_tests_properties(bindings.php.${name} PROPERTIES
    LABELS bindings
    TIMEOUT 300
    ENVIRONMENT "PRESEND_LIBRARY=$<TARGET_FILE:presend>;PRESEND_REQUIRE_FRAMEWORKS=1;${ARG_ENV}")
endfunction()

foreach(suite Engine Exception Header Laravel Symfony Acelle Preload)
  string(TOLOWER ${suite} name)
  presend_php_test(${name} ARGS tests/${suite}Test.php)
endforeach()

# The binding's own vectors, and the shared ones of tests/vectors (skipped
# while there are none).
presend_php_test(vectors ARGS tests/VectorsTest.php
  ENV PRESEND_VECTORS_DIR=${PRESEND_PHP_DIR}/tests/fixtures/vectors)
presend_php_test(vectors.shared ARGS tests/VectorsTest.php
  ENV PRESEND_VECTORS_DIR=${PROJECT_SOURCE_DIR}/tests/vectors)
set_tests_properties(bindings.php.vectors.shared PROPERTIES SKIP_REGULAR_EXPRESSION "No test vectors in")
