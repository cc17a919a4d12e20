# SDK, ABI and header tests: what a user of the installed library relies on.
#   sdk   install the build tree, build programs against it, run them
#   abi   exported symbols, SONAME, the public header compiled alone
#   capi  the examples of the C API

# Programs built by these tests must link the way this tree does, sanitizers
# included (an ASan libpresend needs the ASan runtime in the executable).
set(PRESEND_SDK_SANITIZE_FLAGS "")
if(PRESEND_SANITIZE)
  set(PRESEND_SDK_SANITIZE_FLAGS "-fsanitize=address,undefined")
elseif(PRESEND_TSAN)
  set(PRESEND_SDK_SANITIZE_FLAGS "-fsanitize=thread")
endif()

# In a sanitized build, leaks fail the tests too (kept beside whatever
# ASAN_OPTIONS the caller sets, such as the asan test preset's).
function(presend_sanitizer_env test)
  if(PRESEND_SANITIZE)
    set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::detect_leaks=1")
  endif()
endfunction()

# --- sdk: cmake --install, then find_package and pkg-config consumers ---------
find_program(PRESEND_BASH bash REQUIRED)
add_test(NAME sdk.install_and_consume
  COMMAND ${PRESEND_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/sdk/install_and_consume.sh
    --build-dir=${PROJECT_BINARY_DIR}
    --source-dir=${PROJECT_SOURCE_DIR}
    --work-dir=${CMAKE_CURRENT_BINARY_DIR}/sdk-install
    --cmake=${CMAKE_COMMAND}
    "--generator=${CMAKE_GENERATOR}"
    --make-program=${CMAKE_MAKE_PROGRAM}
    --c-compiler=${CMAKE_C_COMPILER}
    --config=$<CONFIG>
    --libdir=${CMAKE_INSTALL_LIBDIR}
    "--sanitize-flags=${PRESEND_SDK_SANITIZE_FLAGS}")
set_tests_properties(sdk.install_and_consume PROPERTIES LABELS sdk TIMEOUT 300)
presend_sanitizer_env(sdk.install_and_consume)

# --- abi: exported symbols and SONAME ---------------------------------------
# The SONAME is spelled out: it changes only with a new major version, and a
# change must show up here.
add_test(NAME abi.exports
  COMMAND ${PRESEND_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/abi/check_exports.sh
    $<TARGET_FILE:presend> ${PROJECT_SOURCE_DIR}/c_api/include libpresend.so.1
    ${PROJECT_SOURCE_DIR}/c_api/presend.map)
set_tests_properties(abi.exports PROPERTIES LABELS abi)

# --- abi: compatible with the 1.0 ABI (abidw/abidiff from abigail-tools) -----
# Against the committed baseline abi/libpresend-1.0.abi: added functions and
# options structs that grow at their end pass, every other change fails
# (tests/abi/check_abidiff.sh). abidiff reads the types from the debug
# information, which every preset has; without abigail-tools the test is
# skipped (scripts/setup installs them).
string(TOUPPER "${CMAKE_BUILD_TYPE}" _presend_build_type)
if("${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_presend_build_type}}" MATCHES "(^| )-g")
  find_program(PRESEND_ABIDW abidw)
  find_program(PRESEND_ABIDIFF abidiff)
  set(_presend_abidw abidw)
  set(_presend_abidiff abidiff)
  if(PRESEND_ABIDW AND PRESEND_ABIDIFF)
    set(_presend_abidw ${PRESEND_ABIDW})
    set(_presend_abidiff ${PRESEND_ABIDIFF})
  endif()
  add_test(NAME abi.abidiff
    COMMAND ${PRESEND_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/abi/check_abidiff.sh
      ${Python3_EXECUTABLE} ${_presend_abidw} ${_presend_abidiff}
      ${PROJECT_SOURCE_DIR}/abi/libpresend-1.0.abi $<TARGET_FILE:presend>
      ${PROJECT_SOURCE_DIR}/c_api/include ${CMAKE_CURRENT_BINARY_DIR}/abi-abidiff)
  set_tests_properties(abi.abidiff PROPERTIES LABELS abi SKIP_RETURN_CODE 77)
else()
  message(STATUS "no debug information in a ${CMAKE_BUILD_TYPE} build: abi.abidiff is not registered")
endif()

# --- abi: presend.h compiles alone as C99, C++11 and C++20 -------------------
set(PRESEND_HEADER_FLAGS -Wall -Wextra -pedantic -Werror -fsyntax-only
    -I${PROJECT_SOURCE_DIR}/c_api/include)
set(PRESEND_HEADER_TU ${CMAKE_CURRENT_SOURCE_DIR}/capi_header/include_presend.c)


function(presend_header_tests tag c_compiler cxx_compiler)
  foreach(header presend presend_plugin)
    set(tu ${CMAKE_CURRENT_SOURCE_DIR}/capi_header/include_${header}.c)
    add_test(NAME abi.header.${header}.${tag}.c99
      COMMAND ${c_compiler} -x c -std=c99 ${PRESEND_HEADER_FLAGS} ${tu})
    foreach(std c++11 c++20)
      add_test(NAME abi.header.${header}.${tag}.${std}
        COMMAND ${cxx_compiler} -x c++ -std=${std} ${PRESEND_HEADER_FLAGS} ${tu})
    endforeach()
    set_tests_properties(abi.header.${header}.${tag}.c99 abi.header.${header}.${tag}.c++11
      abi.header.${header}.${tag}.c++20 PROPERTIES LABELS abi)
  endforeach()
endfunction()

presend_header_tests(${CMAKE_C_COMPILER_ID} ${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER})
find_program(PRESEND_CLANG14 clang-14)
find_program(PRESEND_CLANGXX14 clang++-14)
if(PRESEND_CLANG14 AND PRESEND_CLANGXX14)
  file(REAL_PATH "${CMAKE_C_COMPILER}" _presend_cc)
  file(REAL_PATH "${PRESEND_CLANG14}" _presend_clang14)
  if(NOT _presend_cc STREQUAL _presend_clang14)
    presend_header_tests(clang-14 ${PRESEND_CLANG14} ${PRESEND_CLANGXX14})
  endif()
endif()

# --- capi: the examples --------------------------------------------------------
add_test(NAME capi.example.check_message
  COMMAND ${CMAKE_COMMAND}
    -DEXAMPLE=$<TARGET_FILE:presend_example_check_message>
    -DEXAMPLES_DIR=${PROJECT_SOURCE_DIR}/examples
    -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/example-check_message
    -P ${CMAKE_CURRENT_SOURCE_DIR}/sdk/run_example.cmake)
set_tests_properties(capi.example.check_message PROPERTIES LABELS capi)
presend_sanitizer_env(capi.example.check_message)
