#!/bin/sh
# The PostgreSQL pass of the durable tests is listed (tests/CMakeLists.txt):
# its entries come from doctest_discover_tests with a suite filter passed
# in an unusual way, so a doctest that passed it otherwise would list none
# and the pass would vanish without a failure. This fails then.
#   tests/pg/pass-listed.sh CTEST BUILD_DIR MINIMUM
n=$("$1" --test-dir "$2" -N -R '^postgresql\.' | grep -c 'Test *#')
echo "$n tests on the PostgreSQL pass (at least $3 expected)"
[ "$n" -ge "$3" ]
