# Compiler options shared by every presend target.
add_library(presend_options INTERFACE)
target_compile_options(presend_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wundef -Wcast-qual -Wmissing-declarations
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor -Woverloaded-virtual>)
if(PRESEND_WERROR)
  target_compile_options(presend_options INTERFACE -Werror)
endif()
if(PRESEND_SANITIZE)
  target_compile_options(presend_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(presend_options INTERFACE -fsanitize=address,undefined
    # C programs that load the C++ library need UBSan's C++ runtime too
    # (clang links it, and what it needs of libstdc++, only for C++).
    $<$<AND:$<CXX_COMPILER_ID:Clang>,$<LINK_LANGUAGE:C>>:-fsanitize-link-c++-runtime -lstdc++>)
endif()
if(PRESEND_TSAN)
  target_compile_options(presend_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(presend_options INTERFACE -fsanitize=thread)
endif()
if(PRESEND_LIBFUZZER)
  # Coverage instrumentation for every library the fuzz targets link; the
  # targets themselves add -fsanitize=fuzzer (with libFuzzer's main).
  target_compile_options(presend_options INTERFACE -fsanitize=fuzzer-no-link)
  target_link_options(presend_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
