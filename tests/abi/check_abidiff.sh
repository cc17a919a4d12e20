#!/usr/bin/env bash
# Compares libpresend with the committed ABI baseline (abi/libpresend-1.0.abi)
# using libabigail. Within a major version:
#  - allowed: added functions (1.1 and 1.2 added theirs); options structs
#    (those that begin with struct_size) that grow at their end; what abidiff
#    itself calls harmless (such as an enum that gains enumerators);
#  - failing: a function removed, or changed in its parameters or return
#    type, or in a type it reaches (struct layout, a member of an options
#    struct, a typedef), and any change abidiff calls incompatible.
# Exits 77 (skipped) when abidw or abidiff is not installed: scripts/setup
# installs them (Debian: abigail-tools).
#
# The library is described with abi/abidw.sh, as the baseline was; its
# options structs are cut back to their baseline size (cut_grown_structs.py);
# then abidiff compares the two descriptions. (Not `abidiff --headers-dir2`
# on the library: that treats every type defined outside the public headers
# as private and hides its changes, so int64_t becoming int32_t in a return
# type went unreported.)
#
# usage: check_abidiff.sh PYTHON ABIDW ABIDIFF BASELINE LIBRARY HEADERS_DIR WORK_DIR
set -uo pipefail

[[ $# -eq 7 ]] || { echo "usage: $0 PYTHON ABIDW ABIDIFF BASELINE LIBRARY HEADERS_DIR WORK_DIR" >&2; exit 2; }
python=$1 abidw=$2 abidiff=$3 baseline=$4 lib=$5 headers=$6 work=$7
here=$(dirname "$0")

for tool in "$abidw" "$abidiff"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIPPED: $tool not found (Debian: abigail-tools; scripts/setup installs it)"
    exit 77
  fi
done

mkdir -p "$work"
described=$work/libpresend.abi out=$work/libpresend-compared.abi
"$here/../../abi/abidw.sh" "$abidw" "$lib" "$headers" "$described" || exit 1
"$python" "$here/cut_grown_structs.py" "$baseline" "$described" "$out" || exit 1

# The whole report, added functions included, for the log. --redundant: a
# change is shown at every function it reaches, not only at the first.
args=(--redundant)
"$abidiff" "${args[@]}" "$baseline" "$out"
full=$?

# The verdict, without added functions. abidiff's status is a bit field:
# 1 error, 2 usage error, 4 ABI change, 8 incompatible ABI change.
"$abidiff" --no-added-syms "${args[@]}" "$baseline" "$out" >/dev/null
status=$?
if (( status & 3 )); then
  echo "FAIL: abidiff could not compare $out with $baseline (status $status)" >&2
  exit 1
fi
if (( status & 8 )); then
  echo "FAIL: incompatible ABI change against $(basename "$baseline") (see above)" >&2
  exit 1
fi
if (( status & 4 )); then
  echo "FAIL: ABI change other than added functions against $(basename "$baseline") (see above)" >&2
  exit 1
fi
echo "abi: compatible with $(basename "$baseline") (abidiff status $full: additions only)"
