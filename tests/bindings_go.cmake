# bindings.go: the Go binding's own tests (go test -race), run against the
# library of this build tree through an uninstalled presend.pc.
# scripts/setup provides Go 1.24+ (the machine's, or one in .tools/go).
find_program(PRESEND_GO go HINTS ${PROJECT_SOURCE_DIR}/.tools/go/bin /usr/local/go/bin)
if(NOT PRESEND_GO)
  message(WARNING "go not found: the bindings.go test will fail (run scripts/setup)")
  set(PRESEND_GO go)
endif()
if(PRESEND_SANITIZE OR PRESEND_TSAN OR PRESEND_LIBFUZZER)
  # Go's race detector (ThreadSanitizer) cannot share a process with
  # AddressSanitizer, nor with a second ThreadSanitizer runtime (the C one of
  # a tsan build): the binding is tested in ordinary builds.
  return()
endif()

# The same names as the installed presend.pc, pointing into this tree.
set(PRESEND_GO_DIR ${CMAKE_BINARY_DIR}/bindings/go)
file(GENERATE OUTPUT ${PRESEND_GO_DIR}/pkgconfig/presend.pc CONTENT
"libdir=$<TARGET_FILE_DIR:presend>
includedir=${PROJECT_SOURCE_DIR}/c_api/include

Name: presend
Description: ${PROJECT_DESCRIPTION} (build tree)
Version: ${PROJECT_VERSION}
Libs: -L\${libdir} -lpresend
Cflags: -I\${includedir}
")

add_test(NAME bindings.go
  COMMAND ${PRESEND_GO} test -race -count=1 ./...
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/go)
set_tests_properties(bindings.go PROPERTIES
  LABELS bindings
  TIMEOUT 600
  ENVIRONMENT "PKG_CONFIG_PATH=${PRESEND_GO_DIR}/pkgconfig;CGO_ENABLED=1;LD_LIBRARY_PATH=$<TARGET_FILE_DIR:presend>;GOFLAGS=-mod=mod;GOCACHE=${PRESEND_GO_DIR}/gocache;GOPATH=${PRESEND_GO_DIR}/gopath;GOTOOLCHAIN=local")
