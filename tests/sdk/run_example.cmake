# Runs examples/check_message the way its comment describes, on a fresh copy
# of examples/presend.json (the store lands next to the configuration).
#   cmake -DEXAMPLE=<program> -DEXAMPLES_DIR=<dir> -DWORK_DIR=<dir> -P run_example.cmake
foreach(var EXAMPLE EXAMPLES_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_example.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
file(COPY "${EXAMPLES_DIR}/presend.json" "${EXAMPLES_DIR}/message.json" DESTINATION "${WORK_DIR}")

# run(NAME EXPECT_EXIT code [INPUT file] ARGS ...) runs the example and checks
# its exit code; the output is left in <NAME>_out.
function(run name)
  cmake_parse_arguments(ARG "" "EXPECT_EXIT;INPUT" "ARGS" ${ARGN})
  set(input)
  if(ARG_INPUT)
    set(input INPUT_FILE "${ARG_INPUT}")
  endif()
  execute_process(COMMAND "${EXAMPLE}" ${ARG_ARGS} ${input}
    WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${name}: exit ${rc}\n${out}${err}")
  if(NOT rc STREQUAL ARG_EXPECT_EXIT)
    message(FATAL_ERROR "${name}: exit code ${rc}, expected ${ARG_EXPECT_EXIT}")
  endif()
  set(${name}_out "${out}" PARENT_SCOPE)
endfunction()

function(expect_match name regex)
  if(NOT ${name}_out MATCHES "${regex}")
    message(FATAL_ERROR "${name}: the output does not match '${regex}'")
  endif()
endfunction()

# The example's own message: a transactional mail, allowed.
run(from_file EXPECT_EXIT 0 ARGS presend.json message.json)
expect_match(from_file "^verdict: allow \\(decision [0-9a-f-]+\\)\n")
expect_match(from_file "\n  allow +customer@mail\\.example\n")
if(NOT EXISTS "${WORK_DIR}/presend.db")
  message(FATAL_ERROR "from_file: the store was not created next to the configuration")
endif()

# Marketing mail without consent, read from standard input: blocked, with the
# reason codes per recipient and for the message.
file(WRITE "${WORK_DIR}/marketing.json"
  [[{"from": "News <news@shop.example>", "to": ["a@mail.example", "B@Mail.Example"],
     "stream": "marketing", "list": "weekly"}]])
run(from_stdin EXPECT_EXIT 10 INPUT "${WORK_DIR}/marketing.json" ARGS presend.json)
expect_match(from_stdin "^verdict: block ")
expect_match(from_stdin "\n  block +a@mail\\.example [^\n]*consent\\.missing")
expect_match(from_stdin "\n  block +B@mail\\.example [^\n]*consent\\.missing")
expect_match(from_stdin "\n  message unsubscribe\\.missing\n")

# Configuration given as JSON text; a message that does not parse.
file(READ "${EXAMPLES_DIR}/presend.json" config_text)
run(config_text EXPECT_EXIT 0 ARGS "${config_text}" message.json)
expect_match(config_text "^verdict: allow ")
file(WRITE "${WORK_DIR}/broken.json" "{\"to\": [")
run(broken EXPECT_EXIT 1 ARGS presend.json broken.json)
