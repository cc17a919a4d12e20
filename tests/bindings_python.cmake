# --- The Python binding (bindings/python), with pytest, on the built library --
if(PRESEND_SANITIZE OR PRESEND_TSAN OR PRESEND_LIBFUZZER)
  # An interpreter cannot load a sanitized library without preloading the
  # sanitizer runtime: the Python binding is tested in ordinary builds.
  return()
endif()

find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME bindings.python
  COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider ${PROJECT_SOURCE_DIR}/bindings/python/tests
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(bindings.python PROPERTIES
  LABELS bindings
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1;PRESEND_LIBRARY=$<TARGET_FILE:presend>;PRESEND_VECTORS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/vectors")
