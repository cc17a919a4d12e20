#!/usr/bin/env bash
# Checks what libpresend.so shows the world:
#  - its SONAME;
#  - it exports only presend_* functions, each with a PRESEND_* symbol version;
#  - every function declared with PRESEND_API in the public headers is exported,
#    and every exported function is declared there;
#  - the exports are exactly the version script's: each function listed there
#    is exported with the version of the node that lists it (a function that
#    moved to another node breaks programs linked against the old one), no
#    node lists a wildcard or a function twice, and the library defines
#    exactly the script's nodes.
#
# usage: check_exports.sh LIBRARY INCLUDE_DIR EXPECTED_SONAME VERSION_SCRIPT
set -euo pipefail

[[ $# -eq 4 ]] || { echo "usage: $0 LIBRARY INCLUDE_DIR EXPECTED_SONAME VERSION_SCRIPT" >&2; exit 2; }
lib=$1 include_dir=$2 expected_soname=$3 version_script=$4
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

# --- SONAME ------------------------------------------------------------------
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[[ $soname == "$expected_soname" ]] || fail "SONAME is '$soname', expected '$expected_soname'"

# --- exported symbols ---------------------------------------------------------
# nm prints "ADDRESS TYPE NAME@@VERSION"; the version node itself shows up as an
# absolute symbol ("A PRESEND_1.0") and is not a function.
mapfile -t lines < <(nm -D --defined-only "$lib")
declare -A exported=() nodes_defined=()
for line in "${lines[@]}"; do
  read -r _ type name <<< "$line"
  sym=${name%%@*}
  version=${name#"$sym"}
  version=${version##*@}
  if [[ $type == A && $sym =~ ^PRESEND_[0-9]+(\.[0-9]+)*$ ]]; then
    nodes_defined[$sym]=1
    continue
  fi
  if [[ ! $sym =~ ^presend_[a-z0-9_]+$ ]]; then
    fail "exported symbol outside the presend_ namespace: $name ($type)"
    continue
  fi
  [[ $type == T ]] || fail "exported presend symbol is not a function: $name ($type)"
  [[ $version =~ ^PRESEND_[0-9]+(\.[0-9]+)*$ ]] || fail "exported symbol without a PRESEND_* version: $name"
  [[ $name == "$sym@@$version" ]] || fail "exported symbol is not the default version: $name"
  exported[$sym]=$version
done

# --- the version script ---------------------------------------------------------
# One token a line: "NODE {", "global:", "local:", "name;" and "}" (which
# closes a node, with or without a parent). Comments are /* ... */.
script_tokens() {
  perl -0777 -pe 's{/\*.*?\*/}{}gs; s/\}[^;]*;/}\n/g; s/([{:;])/$1\n/g' "$1" \
    | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | awk NF
}
declare -A script_version=()
declare -a script_nodes=()
node="" section=""
while read -r token; do
  case "$token" in
    PRESEND_*\{) node=${token%%[[:space:]{]*}; script_nodes+=("$node"); section="" ;;
    global:) section=global ;;
    local:) section=local ;;
    \}) node="" section="" ;;
    *\;)
      name=${token%\;}
      if [[ -z $node || -z $section ]]; then
        fail "version script: '$token' outside a node's global: or local: section"
      elif [[ $section == local ]]; then
        [[ $name == "*" ]] || fail "version script: $node makes '$name' local (only 'local: *;' is expected)"
      elif [[ ! $name =~ ^presend_[a-z0-9_]+$ ]]; then
        fail "version script: $node lists '$name', not a plain presend_* function name (no wildcards)"
      elif [[ -n ${script_version[$name]:-} ]]; then
        fail "version script: $name is listed in ${script_version[$name]} and $node"
      else
        script_version[$name]=$node
      fi ;;
    *) fail "version script: cannot read '$token'" ;;
  esac
done < <(script_tokens "$version_script")
[[ ${#script_nodes[@]} -gt 0 ]] || fail "version script: no node found in $version_script"
[[ ${#script_version[@]} -ge 20 ]] || fail "version script: only ${#script_version[@]} functions found in $version_script"
for n in "${script_nodes[@]}"; do
  [[ -n ${nodes_defined[$n]:-} ]] || fail "version node $n of the script is not defined in the library"
done
for n in "${!nodes_defined[@]}"; do
  printf '%s\n' "${script_nodes[@]}" | grep -qxF "$n" || fail "the library defines version node $n, the script does not"
done
for fn in "${!script_version[@]}"; do
  if [[ -z ${exported[$fn]:-} ]]; then
    fail "listed in ${script_version[$fn]} of the version script but not exported: $fn"
  elif [[ ${exported[$fn]} != "${script_version[$fn]}" ]]; then
    fail "$fn is exported as ${exported[$fn]}, the version script lists it in ${script_version[$fn]}"
  fi
done
for sym in "${!exported[@]}"; do
  [[ -n ${script_version[$sym]:-} ]] || fail "exported but not listed in the version script: $sym@${exported[$sym]}"
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
echo "abi: SONAME $soname, ${#exported[@]} exported functions, ${#declared[@]} declared," \
  "${#script_version[@]} in ${#script_nodes[@]} version nodes (${script_nodes[*]}), all presend_*"
