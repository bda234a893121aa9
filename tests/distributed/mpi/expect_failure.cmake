# expect_failure.cmake — runs COMMAND (a ;-list) and passes when it exits non-zero within MAX_SECONDS
# and its output matches EXPECT (a regex; empty: anything). A job that hangs fails the test.
#   cmake -DCOMMAND=... -DEXPECT=... -DMAX_SECONDS=60 -P expect_failure.cmake
string(TIMESTAMP start "%s")
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT ${MAX_SECONDS})
string(TIMESTAMP stop "%s")
math(EXPR elapsed "${stop} - ${start}")
message("exit status '${rc}' after ${elapsed} s\n--- stdout\n${out}\n--- stderr\n${err}")
if(rc MATCHES "timeout")
  message(FATAL_ERROR "the job hung: still running after ${MAX_SECONDS} s")
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "the job exited 0; a rank died or hung, so it must fail")
endif()
if(EXPECT AND NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match '${EXPECT}'")
endif()
