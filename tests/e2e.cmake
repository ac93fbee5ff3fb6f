# End-to-end tests that run outside the doctest binary: Node.js tests of the
# one JS package in tests/js (schema, and later BPMN and browser clients).
# Included by tests/CMakeLists.txt.
#
# tests/js has one package.json and one lock file for every JS test; the
# fixture test js.npm_ci installs it (npm ci, exactly the locked versions),
# and every JS test requires that fixture. Add a JS test with
#   yilian_add_js_test(NAME script.mjs [ARGS...])
# which runs `node tests/js/script.mjs ARGS...` from the project root.

option(YILIAN_JS_TESTS "Add the Node.js tests (schema, BPMN, browser); needs node and npm" ON)

if(YILIAN_JS_TESTS)
  find_program(YILIAN_NODE NAMES node nodejs DOC "Node.js for the JS tests")
  find_program(YILIAN_NPM NAMES npm DOC "npm for the JS tests' dependencies")
  set(YILIAN_JS_DIR ${PROJECT_SOURCE_DIR}/tests/js)

  if(YILIAN_NODE AND YILIAN_NPM)
    add_test(NAME js.npm_ci
             COMMAND ${YILIAN_NPM} ci --no-audit --no-fund
             WORKING_DIRECTORY ${YILIAN_JS_DIR})
    # One npm ci at a time: parallel ctest runs share tests/js/node_modules.
    set_tests_properties(js.npm_ci PROPERTIES
      FIXTURES_SETUP js_deps
      RESOURCE_LOCK yilian_js_node_modules
      TIMEOUT 600
      LABELS js)
  else()
    message(WARNING "node or npm not found: the JS tests fail until Node.js is installed "
                    "(scripts/install-deps.sh --test), or configure with -DYILIAN_JS_TESTS=OFF")
  endif()

  # yilian_add_js_test(NAME SCRIPT [ARGS...]): a Node test of tests/js, run
  # from the project root after js.npm_ci. Without node it is a test that
  # fails and says why, so a missing Node.js never passes silently.
  function(yilian_add_js_test name script)
    if(YILIAN_NODE AND YILIAN_NPM)
      add_test(NAME ${name}
               COMMAND ${YILIAN_NODE} ${YILIAN_JS_DIR}/${script} ${ARGN}
               WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
      set_tests_properties(${name} PROPERTIES
        FIXTURES_REQUIRED js_deps
        TIMEOUT 600
        LABELS js)
    else()
      add_test(NAME ${name}
               COMMAND ${CMAKE_COMMAND} -E echo
                       "${name}: node or npm not found; run scripts/install-deps.sh --test")
      set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE LABELS js)
    endif()
  endfunction()

  # The schema and the loader agree: every chain passes the schema, every
  # file the schema rejects the loader rejects, and the schema's own broken
  # files are rejected by both.
  if(TARGET yilian_cli)
    yilian_add_js_test(schema.chains schema-check.mjs --require-chains
                       --cli $<TARGET_FILE:yilian_cli>)
    # The deployment schema and the loader agree on examples/deploy and on
    # tests/js/deployment-negative.
    yilian_add_js_test(schema.deployments deployment-schema-check.mjs --cli $<TARGET_FILE:yilian_cli>)
  else()
    yilian_add_js_test(schema.chains schema-check.mjs --require-chains)
    yilian_add_js_test(schema.deployments deployment-schema-check.mjs)
  endif()

  # The application schemas (schemas/application.schema.json and each
  # chain's `yilian form --format schema`) compile in ajv's strict mode and
  # agree with `yilian check` on every fixture and example application.
  if(TARGET yilian_cli)
    yilian_add_js_test(form.schema_ajv form-schema-check.mjs --cli $<TARGET_FILE:yilian_cli>)
  endif()

  # The HTTP API's contract (schemas/openapi.json): a valid OpenAPI 3.1
  # document that keeps the rules the server's tests rely on, and
  # tests/js/openapi-lib.mjs, which checks every answer against it, passes
  # good answers and fails wrong shapes, statuses, content types and paths.
  yilian_add_js_test(api.openapi openapi-check.mjs)
  # yilian serve over loopback: roles, scopes, idempotency across a restart,
  # the public lookup; every answer checked against schemas/openapi.json.
  if(TARGET yilian_cli)
    yilian_add_js_test(api.serve_e2e serve-e2e.mjs --cli $<TARGET_FILE:yilian_cli>)
    # Every role against every endpoint: 2xx, 403 or 404 as DESIGN.md's table says.
    yilian_add_js_test(api.permissions serve-permissions.mjs --cli $<TARGET_FILE:yilian_cli>)
    # Hostile clients: oversized bodies and heads, a byte a second, too many
    # connections and requests, malformed bodies; nothing half-applied.
    yilian_add_js_test(api.hostile serve-hostile.mjs --cli $<TARGET_FILE:yilian_cli>)
    # Material files: upload, list and download by role and scope, refusals,
    # the upload's own body limit, a swapped file, kill -9 mid-upload.
    yilian_add_js_test(api.files serve-files.mjs --cli $<TARGET_FILE:yilian_cli>)
    yilian_add_js_test(api.reuse serve-reuse.mjs --cli $<TARGET_FILE:yilian_cli>)
  endif()
  # The officers' web UI (docs/ui.md) in headless Chromium against a real
  # yilian serve: the window's one form and notice, department queues, the
  # timeline, the supervision board turning yellow and red across a restart
  # with a later clock, the public progress page.
  if(TARGET yilian_cli)
    yilian_add_js_test(ui.officers ui-e2e.mjs --cli $<TARGET_FILE:yilian_cli>)
    # One Chromium at a time: it is the heaviest test on a two-core machine.
    set_tests_properties(ui.officers PROPERTIES RESOURCE_LOCK yilian_chromium)
    # Enum labels and set fields (checkboxes) in the one form, on the hotel chain.
    yilian_add_js_test(ui.choices ui-choices.mjs --cli $<TARGET_FILE:yilian_cli>)
    set_tests_properties(ui.choices PROPERTIES RESOURCE_LOCK yilian_chromium)
    # The reform's case rules (issue 21): an agent and a commitment at the
    # window, a deferred material, the verification in the fire brigade's
    # queue, a bad rating followed up on the timeline, the board's ratings.
    yilian_add_js_test(ui.reform ui-reform.mjs --cli $<TARGET_FILE:yilian_cli>)
    set_tests_properties(ui.reform PROPERTIES RESOURCE_LOCK yilian_chromium)
  endif()

  # BPMN 2.0 export (docs/bpmn.md): every chain and tests/bpmn fixture as
  # exported by the CLI is read by bpmn-moddle without a warning and passes
  # Camunda 8.5's lint rules; runs in bpmn-engine on every branch of every
  # condition as `yilian plan` says; renders in bpmn-js in headless Chromium.
  if(TARGET yilian_cli)
    set(_yilian_cli_arg --cli $<TARGET_FILE:yilian_cli>)
  else()
    set(_yilian_cli_arg "")
  endif()
  yilian_add_js_test(bpmn.moddle bpmn-moddle-check.mjs ${_yilian_cli_arg})
  # In three parts that ctest runs side by side (about 400 s in one on a
  # two-core machine, too near the 600 s limit while another build runs).
  foreach(_part 1 2 3)
    yilian_add_js_test(bpmn.engine.part${_part} bpmn-engine-check.mjs ${_yilian_cli_arg} --shard ${_part}/3)
  endforeach()
  # A part that does not exist is refused before any work, saying what
  # --shard takes.
  yilian_add_js_test(bpmn.engine.refuses_a_part_that_does_not_exist bpmn-engine-check.mjs ${_yilian_cli_arg} --shard 4/3)
  if(TEST bpmn.engine.refuses_a_part_that_does_not_exist)
    set_tests_properties(bpmn.engine.refuses_a_part_that_does_not_exist PROPERTIES
                         PASS_REGULAR_EXPRESSION "--shard takes K/N with 1 <= K <= N, not '4/3'")
  endif()
  yilian_add_js_test(bpmn.render bpmn-render-check.mjs ${_yilian_cli_arg}
                     --out ${CMAKE_BINARY_DIR}/bpmn-render)
  # One Chromium at a time: it is the heaviest test on a two-core machine.
  set_tests_properties(bpmn.render PROPERTIES RESOURCE_LOCK yilian_chromium)
endif()

# The simulation report (docs/simulation.md) renders in headless Chromium:
# every chart with its bars, lines and boxes, Chinese in Noto Sans CJK, no
# network, no console error. The screenshot goes to the build tree; run the
# script by hand to refresh docs/simulation-report.png.
if(YILIAN_JS_TESTS AND TARGET yilian_cli)
  # The scenario schema and the scenario loader agree (chains/scenarios
  # pass both; broken scenarios fail both, the loader with located errors).
  yilian_add_js_test(schema.scenarios scenario-schema-check.mjs --cli $<TARGET_FILE:yilian_cli>)
  yilian_add_js_test(sim.report_renders sim-report-check.mjs --cli $<TARGET_FILE:yilian_cli>
                     --screenshot ${CMAKE_BINARY_DIR}/simulation-report.png)
  # One Chromium at a time: it is the heaviest test on a two-core machine.
  set_tests_properties(sim.report_renders PROPERTIES RESOURCE_LOCK yilian_chromium)
  # The service guide (docs/guide.md) of every shipped chain renders in
  # headless Chromium: title, overview, flow chart, every matter's facts and
  # materials visible, Noto Sans CJK, no network, a page per matter on A4.
  # The screenshot goes to the build tree; run the script by hand to refresh
  # docs/guide.png.
  yilian_add_js_test(guide.render guide-render-check.mjs --cli $<TARGET_FILE:yilian_cli>
                     --screenshot ${CMAKE_BINARY_DIR}/guide.png)
  set_tests_properties(guide.render PROPERTIES RESOURCE_LOCK yilian_chromium)
endif()

# The longest tests start first (ctest runs higher COST earlier): a fresh
# clone has no timing data from an earlier run, and without these the
# longest ones started last and ran alone at the end of the run. Seconds on
# a two-core machine, roughly.
foreach(_long IN ITEMS bpmn.engine.part1:140 bpmn.engine.part2:130 bpmn.engine.part3:130 form.schema_ajv:160 guide.render:110 bpmn.render:60 ui.officers:45
                       ui.reform:35 sim.report_renders:30)
  string(REPLACE ":" ";" _long ${_long})
  list(GET _long 0 _name)
  list(GET _long 1 _cost)
  if(TEST ${_name})
    set_tests_properties(${_name} PROPERTIES COST ${_cost})
  endif()
endforeach()
