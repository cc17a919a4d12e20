#!/usr/bin/env bash
# Installs the current build tree into a fresh prefix and uses the result the
# way a user would: the installed `presend` command, and a C program built
# against the SDK with find_package(presend) and with pkg-config.
#
# usage: install_and_consume.sh --build-dir=DIR --source-dir=DIR --work-dir=DIR
#          --cmake=CMAKE --generator=GEN [--make-program=PROG] --c-compiler=CC
#          [--config=CFG] [--libdir=LIBDIR] [--sanitize-flags=FLAGS]
# (Values follow '=' so that an empty one, such as no sanitizer flags, survives.)
set -euo pipefail

build_dir= source_dir= work_dir= cmake=cmake generator= make_program= cc= config= libdir=lib sanitize=
for arg in "$@"; do
  value=${arg#*=}
  case "$arg" in
    --build-dir=*) build_dir=$value ;;
    --source-dir=*) source_dir=$value ;;
    --work-dir=*) work_dir=$value ;;
    --cmake=*) cmake=$value ;;
    --generator=*) generator=$value ;;
    --make-program=*) make_program=$value ;;
    --c-compiler=*) cc=$value ;;
    --config=*) config=$value ;;
    --libdir=*) libdir=$value ;;
    --sanitize-flags=*) sanitize=$value ;;
    *) echo "install_and_consume.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [[ -z $build_dir || -z $source_dir || -z $work_dir || -z $generator || -z $cc ]]; then
  echo "install_and_consume.sh: --build-dir, --source-dir, --work-dir, --generator and --c-compiler are required" >&2
  exit 2
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

# Nothing but the installed tree may provide libpresend.
unset LD_LIBRARY_PATH LD_PRELOAD PKG_CONFIG_PATH CMAKE_PREFIX_PATH presend_DIR

rm -rf "$work_dir"
mkdir -p "$work_dir"
prefix=$work_dir/prefix

step "cmake --install into $prefix"
install_args=(--install "$build_dir" --prefix "$prefix")
[[ -n $config ]] && install_args+=(--config "$config")
"$cmake" "${install_args[@]}"

step "installed layout"
lib=$prefix/$libdir
[[ -f $prefix/include/presend/presend.h ]] || fail "include/presend/presend.h is not installed"
[[ -x $prefix/bin/presend ]] || fail "bin/presend is not installed"
[[ -d $lib/presend/plugins ]] || fail "$libdir/presend/plugins is not installed"
[[ -f $lib/pkgconfig/presend.pc ]] || fail "$libdir/pkgconfig/presend.pc is not installed"
for f in presendConfig.cmake presendConfigVersion.cmake presendTargets.cmake; do
  [[ -f $lib/cmake/presend/$f ]] || fail "$libdir/cmake/presend/$f is not installed"
done
[[ -L $lib/libpresend.so ]] || fail "libpresend.so is not a symbolic link"
[[ $(readlink "$lib/libpresend.so") == libpresend.so.1 ]] || fail "libpresend.so does not point to libpresend.so.1"
[[ -L $lib/libpresend.so.1 ]] || fail "libpresend.so.1 is not a symbolic link"
real=$(readlink "$lib/libpresend.so.1")
[[ $real =~ ^libpresend\.so\.1\.[0-9]+\.[0-9]+$ && -f $lib/$real ]] || fail "libpresend.so.1 points to '$real'"
cmp -s "$prefix/include/presend/presend.h" "$source_dir/c_api/include/presend/presend.h" \
  || fail "the installed header differs from the source"

step "installed presend command"
presend=$prefix/bin/presend
loaded=$(ldd "$presend" | sed -n 's/^[[:space:]]*libpresend\.so\.1 => \(.*\) (0x[0-9a-f]*)$/\1/p')
[[ -n $loaded && $loaded -ef $lib/libpresend.so.1 ]] \
  || { ldd "$presend" >&2; fail "bin/presend does not load the installed libpresend"; }
version=$("$presend" version)
echo "$version"
header_version=$(sed -n 's/^#define PRESEND_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/presend/presend.h")
[[ $version == "presend $header_version" ]] || fail "presend version printed '$version', expected 'presend $header_version'"
# The run path is relative ($ORIGIN), so a moved installation still works.
readelf -d "$presend" | grep -E 'R(UN)?PATH' | grep -qF '$ORIGIN' || fail "bin/presend has no \$ORIGIN run path"
cp -a "$prefix" "$work_dir/moved"
mv "$prefix" "$work_dir/prefix.away"
"$work_dir/moved/bin/presend" version > /dev/null || fail "a moved installation's presend does not run"
mv "$work_dir/prefix.away" "$prefix"
rm -rf "$work_dir/moved"
"$presend" reasons --json > "$work_dir/reasons.json"
python3 - "$work_dir/reasons.json" <<'EOF'
import json, sys
reasons = json.load(open(sys.argv[1]))
codes = [r["code"] for r in reasons]
assert "consent.missing" in codes and "engine.unavailable" in codes, codes
assert all(set(r) >= {"code", "severity", "check", "description"} for r in reasons)
print(f"{len(codes)} reason codes")
EOF

# The consumer links the way the build tree did, sanitizers included.
cflags=(-std=c99 -Wall -Wextra -pedantic -Werror)
# shellcheck disable=SC2206  # the flags are a space-separated list
san=($sanitize)

step "consumer with find_package(presend 1)"
cfg_args=(-S "$source_dir/tests/sdk/consumer" -B "$work_dir/consumer-cmake" -G "$generator"
          -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix")
[[ -n $make_program ]] && cfg_args+=(-DCMAKE_MAKE_PROGRAM="$make_program")
[[ -n $config ]] && cfg_args+=(-DCMAKE_BUILD_TYPE="$config")
[[ -n $sanitize ]] && cfg_args+=(-DCMAKE_C_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="$sanitize")
"$cmake" "${cfg_args[@]}"
build_args=(--build "$work_dir/consumer-cmake")
[[ -n $config ]] && build_args+=(--config "$config")
"$cmake" "${build_args[@]}"
consumer=$(find "$work_dir/consumer-cmake" -name consumer -type f -perm -u+x | head -n 1)
[[ -n $consumer ]] || fail "the consumer was not built"
readelf -d "$consumer" | grep -E 'R(UN)?PATH' | grep -q "$lib" || fail "the consumer has no run path to $lib"
"$consumer" "$work_dir/store-cmake.db"

step "find_package(presend V) finds presend 1.x for V = 1.0, not for 2 or 0.9"
mkdir -p "$work_dir/version"
cat > "$work_dir/version/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(version LANGUAGES NONE)
find_package(presend ${WANT} QUIET)
if(NOT "${presend_FOUND}" STREQUAL "${EXPECT_FOUND}")
  message(FATAL_ERROR "find_package(presend ${WANT}): found '${presend_FOUND}' (version ${presend_VERSION}), expected '${EXPECT_FOUND}'")
endif()
EOF
for case in 1.0:1 2:0 0.9:0; do
  want=${case%:*} expect=${case#*:}
  rm -rf "$work_dir/version/build"
  "$cmake" -S "$work_dir/version" -B "$work_dir/version/build" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" \
    ${make_program:+-DCMAKE_MAKE_PROGRAM="$make_program"} -DWANT="$want" -DEXPECT_FOUND="$expect" > /dev/null \
    || fail "find_package(presend $want) does not follow SameMajorVersion compatibility"
done

step "consumer with pkg-config"
export PKG_CONFIG_PATH=$lib/pkgconfig
pc_flags=$(pkg-config --cflags --libs presend)
echo "pkg-config --cflags --libs presend: $pc_flags"
pc_libdir=$(pkg-config --variable=libdir presend)
[[ $pc_libdir -ef $lib ]] || fail "presend.pc's libdir is $pc_libdir, expected $lib"
[[ $(pkg-config --variable=plugindir presend) -ef $lib/presend/plugins ]] || fail "presend.pc's plugindir is wrong"
[[ $(pkg-config --modversion presend) == "$header_version" ]] || fail "presend.pc's version is not $header_version"
# shellcheck disable=SC2086  # pkg-config prints a list of flags
"$cc" "${cflags[@]}" "${san[@]}" "$source_dir/tests/sdk/consumer/consumer.c" -o "$work_dir/consumer-pc" \
  $pc_flags -Wl,-rpath,"$pc_libdir"
"$work_dir/consumer-pc" "$work_dir/store-pc.db"

step "a plugin built out of tree from the installed presend_plugin.h alone"
[[ -f $prefix/include/presend/presend_plugin.h ]] || fail "include/presend/presend_plugin.h is not installed"
plugins=$work_dir/my-plugins
mkdir -p "$plugins"
# Only the installed include directory; no libpresend on the link line.
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror -fPIC -shared "${san[@]}" -DTEST_PLUGIN=1 \
  -I"$prefix/include" "$source_dir/tests/plugins/test_plugin.c" -o "$plugins/presend_testplug.so"
if nm -D --undefined-only "$plugins/presend_testplug.so" | grep -q ' presend_'; then
  fail "the plugin needs presend_* symbols: it must not link to libpresend"
fi
cat > "$work_dir/plugin.json" <<JSON
{"store": "plugin.db", "plugin_dirs": ["my-plugins"],
 "accounts": {"prod": {"regions": {"us-east-1": {}}}},
 "plugins": [{"name": "testplug", "config": {"rule": "block:blocked.example"}}]}
JSON
set +e
out=$(echo '{"from": "a@example.com", "to": ["x@blocked.example"], "stream": "transactional"}' |
      "$presend" --config "$work_dir/plugin.json" --json check -)
rc=$?
set -e
echo "$out"
[[ $rc == 10 ]] || fail "the plugin's block did not block the send (exit $rc)"
[[ $out == *'"code":"testplug.blocked"'* ]] || fail "the decision does not carry the plugin's finding"
"$presend" --config "$work_dir/plugin.json" reasons | grep -q '^testplug.blocked' \
  || fail "presend reasons does not list the plugin's reasons"

echo "sdk: ok"
