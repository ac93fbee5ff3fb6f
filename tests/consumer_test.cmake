# Installs yilian into a scratch prefix, then configures, builds and runs
# examples/embed against it with find_package(yilian) — as a user would.
# Run by CTest: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DCHAIN=... -P consumer_test.cmake
set(prefix ${BUILD_DIR}/consumer/prefix)
set(embed_build ${BUILD_DIR}/consumer/embed)
file(REMOVE_RECURSE ${BUILD_DIR}/consumer)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/embed -B ${embed_build} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${embed_build} -j 2)
run(${embed_build}/embed ${CHAIN} ${EMBED_ARGS})
message(STATUS "embed printed:\n${last_output}")
if(NOT last_output MATCHES "${EXPECT}")
  message(FATAL_ERROR "embed output does not match `${EXPECT}`")
endif()
