#!/bin/sh
# validate.sh: `flowcast validate --quick`, the validation cases make check runs (seconds); the
# table goes to the log. The full set (finer grids, minutes) runs in CI: `flowcast validate`.
. "${top_srcdir:-.}/tests/lib.sh"
expect "flowcast validate --quick: every check passes" 0 "checks pass" "$fc" validate --quick
sed 's/^/    /' "$tmp/err"
finish
