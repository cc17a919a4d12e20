# Writes OUTPUT, a C++ source that defines presend::region::shipped_pack_json()
# with the bytes of INPUT (the policy pack), so that the plugin carries its
# pack wherever it is installed. Run as: cmake -DINPUT=... -DOUTPUT=... -P embed_pack.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
if(hex_length EQUAL 0)
  message(FATAL_ERROR "${INPUT} is empty")
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${name} by embed_pack.cmake; edit the JSON, not this file.
#include \"region_policy.hpp\"

namespace {
const unsigned char kPack[] = {
${bytes}
};
}  // namespace

std::string_view presend::region::shipped_pack_json() noexcept {
    return {reinterpret_cast<const char *>(kPack), sizeof kPack};
}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
