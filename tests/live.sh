#!/bin/sh
# live.sh: a run's output can be read while the run writes it, as a user watching a long run
# with ncview, ncdump or xarray expects: another process opens the file between and during
# records and sees every record synced so far, never an error. (Uncompressed output is CDF-5;
# an HDF5 file open for writing could not be opened until the run ended.)
. "${top_srcdir:-.}/tests/lib.sh"
out="$tmp/live.nc"
"$fc" run "$inputs/jet.ini" --set output.interval=1800 --set time.t_end=259200 -o "$out" -q \
  >"$tmp/run.log" 2>&1 &
pid=$!
reads=0 failures=0 last=0 grew=0
while kill -0 "$pid" 2>/dev/null; do
  if [ -f "$out" ]; then
    if "$NCDUMP" -h "$out" >"$tmp/h" 2>&1; then
      n=$(sed -n 's/.*time = UNLIMITED ; \/\/ (\([0-9]*\) currently).*/\1/p' "$tmp/h")
      reads=$((reads + 1))
      [ "${n:-0}" -gt "$last" ] && { [ "$last" -gt 0 ] && grew=$((grew + 1)); last=$n; }
      # The records seen have their times: the last one is whole.
      "$NCDUMP" -v time "$out" >"$tmp/t" 2>&1 || failures=$((failures + 1))
      grep -q ' _ ;' "$tmp/t" && failures=$((failures + 1))
    else
      failures=$((failures + 1))
      sed 's/^/    | /' "$tmp/h"
    fi
  fi
  sleep 0.2
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && ok "the run itself" || bad "the run itself (exit $rc)"
[ "$reads" -ge 3 ] && [ "$grew" -ge 2 ] && ok "read $reads times while it ran, the record count growing $grew times" ||
  bad "read $reads times while it ran, growing $grew times"
[ "$failures" -eq 0 ] && ok "no read failed, no record without its time" || bad "$failures reads failed or saw a record without its time"
finish
