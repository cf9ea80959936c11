#!/bin/sh
# validate.sh: `flowcast validate --quick`, the validation cases make check runs (seconds); the
# table goes to the log; two cases at a time, each on one of the suite's two threads. The full
# set (finer grids, minutes) runs in CI: `flowcast validate --jobs 2`.
. "${top_srcdir:-.}/tests/lib.sh"
expect "flowcast validate --quick: every check passes" 0 "checks pass" "$fc" validate --quick --jobs 2
sed 's/^/    /' "$tmp/err"
finish
