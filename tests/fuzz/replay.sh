#!/bin/sh
# replay.sh: every fuzz target runs once over its seed corpus and its regressions (the inputs
# that once crashed it), under whatever sanitizers the build has.
. "${top_srcdir:-.}/tests/lib.sh"
for t in case restart field model data plot manifest body; do
  bin="$top_builddir/tests/fuzz/replay_$t"
  "$bin" "$top_srcdir/tests/fuzz/corpus/$t" "$top_srcdir/tests/fuzz/regressions/$t" >"$tmp/err" 2>&1
  rc=$?
  n=$(sed -n 's/^replay: \([0-9]*\) inputs run.*/\1/p' "$tmp/err")
  if [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 0 ]; then
    ok "fuzz target $t: $n inputs of its corpus and regressions"
  else
    bad "fuzz target $t (exit $rc)"
  fi
done
finish
