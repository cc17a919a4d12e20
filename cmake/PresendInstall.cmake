# The SDK that `cmake --install` puts in place:
#   include/presend/presend.h          the public C API
#   lib/libpresend.so.1.x.y + links    the library (SONAME libpresend.so.1)
#   bin/presend                        the command, which finds the library through $ORIGIN/../lib
#   lib/presend/plugins/               the default plugin directory
#   lib/pkgconfig/presend.pc           for pkg-config
#   lib/cmake/presend/                 for find_package(presend), target presend::presend
# ("lib" stands for CMAKE_INSTALL_LIBDIR.)
#
# Components: "runtime" (library, command, plugin directory) and "development"
# (headers, the unversioned link, pkg-config and CMake files).
include(CMakePackageConfigHelpers)

set(PRESEND_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/presend"
    CACHE STRING "Where presendConfig.cmake is installed (relative to the prefix)")
set(PRESEND_INSTALL_PLUGINDIR "${CMAKE_INSTALL_LIBDIR}/presend/plugins"
    CACHE STRING "The plugin directory (relative to the prefix)")
set(PRESEND_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where presend.pc is installed (relative to the prefix)")

install(TARGETS presend EXPORT presendTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    COMPONENT runtime
    NAMELINK_COMPONENT development
  PUBLIC_HEADER DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/presend"
    COMPONENT development)

install(TARGETS presend_cli
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  COMPONENT runtime)

install(DIRECTORY DESTINATION "${PRESEND_INSTALL_PLUGINDIR}" COMPONENT runtime)

# --- CMake package -----------------------------------------------------------
# libpresend links its own dependencies privately (and dynamically), so the
# imported target carries only the include directory and the library.
install(EXPORT presendTargets
  NAMESPACE presend::
  FILE presendTargets.cmake
  DESTINATION "${PRESEND_INSTALL_CMAKEDIR}"
  COMPONENT development)

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/presendConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/presendConfig.cmake"
  INSTALL_DESTINATION "${PRESEND_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR PRESEND_INSTALL_PLUGINDIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/presendConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/presendConfig.cmake"
  "${PROJECT_BINARY_DIR}/presendConfigVersion.cmake"
  DESTINATION "${PRESEND_INSTALL_CMAKEDIR}"
  COMPONENT development)

# --- pkg-config --------------------------------------------------------------
# The prefix is only known at install time (`cmake --install --prefix P` may
# differ from CMAKE_INSTALL_PREFIX), so presend.pc is written in two steps:
# everything but the prefix now, the prefix when installing.
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(PRESEND_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    set(PRESEND_PC_${kind} "\${prefix}/${CMAKE_INSTALL_${kind}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${PRESEND_INSTALL_PLUGINDIR}")
  set(PRESEND_PC_PLUGINDIR "${PRESEND_INSTALL_PLUGINDIR}")
else()
  set(PRESEND_PC_PLUGINDIR "\${prefix}/${PRESEND_INSTALL_PLUGINDIR}")
endif()
set(PRESEND_PC_PREFIX "@PRESEND_PC_PREFIX@")  # kept for the install step
configure_file("${CMAKE_CURRENT_LIST_DIR}/presend.pc.in" "${PROJECT_BINARY_DIR}/pkgconfig/presend.pc.in" @ONLY)

if(IS_ABSOLUTE "${PRESEND_INSTALL_PKGCONFIGDIR}")
  set(_presend_pc_dest "${PRESEND_INSTALL_PKGCONFIGDIR}")
else()
  set(_presend_pc_dest "\${CMAKE_INSTALL_PREFIX}/${PRESEND_INSTALL_PKGCONFIGDIR}")
endif()
# One generated file per destination, so that installs of one build tree into
# different prefixes (tests do this in parallel) do not overwrite each other's.
install(CODE "
  set(PRESEND_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  string(MD5 _presend_pc_key \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  set(_presend_pc \"${PROJECT_BINARY_DIR}/pkgconfig/\${_presend_pc_key}/presend.pc\")
  configure_file(\"${PROJECT_BINARY_DIR}/pkgconfig/presend.pc.in\" \"\${_presend_pc}\" @ONLY)
  file(INSTALL DESTINATION \"${_presend_pc_dest}\" TYPE FILE FILES \"\${_presend_pc}\")
" COMPONENT development)
unset(_presend_pc_dest)
