#!/usr/bin/env bash
# Checks what libpresend.so shows the world:
#  - its SONAME;
#  - it exports only presend_* functions, each with a PRESEND_* symbol version;
#  - every function declared with PRESEND_API in the public headers is exported,
#    and every exported function is declared there.
#
# usage: check_exports.sh LIBRARY INCLUDE_DIR EXPECTED_SONAME
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 LIBRARY INCLUDE_DIR EXPECTED_SONAME" >&2; exit 2; }
lib=$1 include_dir=$2 expected_soname=$3
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

# --- SONAME ------------------------------------------------------------------
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[[ $soname == "$expected_soname" ]] || fail "SONAME is '$soname', expected '$expected_soname'"

# --- exported symbols ---------------------------------------------------------
# nm prints "ADDRESS TYPE NAME@@VERSION"; the version node itself shows up as an
# absolute symbol ("A PRESEND_1.0") and is not a function.
mapfile -t lines < <(nm -D --defined-only "$lib")
declare -A exported=()
for line in "${lines[@]}"; do
  read -r _ type name <<< "$line"
  sym=${name%%@*}
  version=${name#"$sym"}
  version=${version##*@}
  if [[ $type == A && $sym =~ ^PRESEND_[0-9]+(\.[0-9]+)*$ ]]; then
    continue
  fi
  if [[ ! $sym =~ ^presend_[a-z0-9_]+$ ]]; then
    fail "exported symbol outside the presend_ namespace: $name ($type)"
    continue
  fi
  [[ $type == T ]] || fail "exported presend symbol is not a function: $name ($type)"
  [[ $version =~ ^PRESEND_[0-9]+(\.[0-9]+)*$ ]] || fail "exported symbol without a PRESEND_* version: $name"
  exported[$sym]=1
done

# --- declared functions --------------------------------------------------------
# A declaration reads "PRESEND_API <type> <name>(...": take the identifier
# right before the first parenthesis on the PRESEND_API line.
mapfile -t headers < <(find "$include_dir" -name '*.h' | sort)
[[ ${#headers[@]} -gt 0 ]] || { echo "FAIL: no headers in $include_dir" >&2; exit 1; }
mapfile -t declared < <(grep -h '^PRESEND_API' "${headers[@]}" \
  | sed -n 's/^PRESEND_API[^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' | sort -u)
declare_lines=$(cat "${headers[@]}" | grep -c '^PRESEND_API')
[[ ${#declared[@]} -eq $declare_lines ]] \
  || fail "read ${#declared[@]} names from $declare_lines PRESEND_API declarations"
# The header declares dozens of functions; finding only a few means the
# extraction above broke, not that the library is fine.
[[ ${#declared[@]} -ge 20 ]] || fail "only ${#declared[@]} declarations found in $include_dir"

declare -A is_declared=()
for fn in "${declared[@]}"; do
  is_declared[$fn]=1
  [[ -n ${exported[$fn]:-} ]] || fail "declared but not exported: $fn"
done
for sym in "${!exported[@]}"; do
  [[ -n ${is_declared[$sym]:-} ]] || fail "exported but not declared in a public header: $sym"
done

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "abi: SONAME $soname, ${#exported[@]} exported functions, ${#declared[@]} declared, all presend_*"
