#!/usr/bin/env bash
# Describes a built libpresend with abidw, the same way for the committed
# baseline (scripts/abi-baseline) and for the build under test
# (tests/abi/check_abidiff.sh), so that the two descriptions compare.
#
#  --headers-dir with --drop-private-types: the opaque handles stay opaque
#    (their C++ definitions in c_api/src are not part of the ABI);
#  --exported-interfaces-only: the exported functions and what they reach,
#    not the C++ core behind them;
#  --no-corpus-path, --no-comp-dir-path, --short-locs: no path of the build
#    machine in the output; hashed type ids: regenerating the file changes it
#    only where the ABI changed.
# Fails when the library has no debug information (nothing to compare).
#
# usage: abi/abidw.sh ABIDW LIBRARY PUBLIC_HEADERS_DIR OUTPUT
set -euo pipefail

[[ $# -eq 4 ]] || { echo "usage: $0 ABIDW LIBRARY PUBLIC_HEADERS_DIR OUTPUT" >&2; exit 2; }
abidw=$1 lib=$2 headers=$3 out=$4

"$abidw" --no-corpus-path --no-comp-dir-path --short-locs \
  --headers-dir "$headers" --drop-private-types --exported-interfaces-only \
  --type-id-style hash \
  --out-file "$out" "$lib"

symbols=$(grep -c '<elf-symbol .*func-type' "$out" || true)
functions=$(grep -c '<function-decl ' "$out" || true)
if [[ $functions -lt $symbols ]]; then
  echo "abidw.sh: $lib exports $symbols functions but its debug information describes $functions:" \
       "build it with -g (every CMake preset does)" >&2
  exit 1
fi
