# cmake -DDOXYGEN=... -DDOXYFILE=... -DOUTPUT=... -P run_doxygen.cmake
# Run Doxygen on a fresh output directory; fail with its warnings when it reports any.
file(REMOVE_RECURSE "${OUTPUT}")
file(MAKE_DIRECTORY "${OUTPUT}")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" RESULT_VARIABLE result
                OUTPUT_VARIABLE output ERROR_VARIABLE output)
set(warnings "")
if(EXISTS "${OUTPUT}/warnings.log")
    file(READ "${OUTPUT}/warnings.log" warnings)
endif()
if(NOT result EQUAL 0 OR NOT warnings STREQUAL "")
    message(FATAL_ERROR "doxygen reported problems (exit ${result}):\n${warnings}\n${output}")
endif()
message(STATUS "doxygen: no warnings")
