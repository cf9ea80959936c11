#!/bin/sh
# live.sh: a run's output can be read while the run writes it, as a user watching a long run
# with ncview, ncdump or xarray expects: another process opens the file between and during
# records and sees every record synced so far, never an error. (Uncompressed output is CDF-5;
# an HDF5 file open for writing could not be opened until the run ended.) So can the series of
# its diagnostics ([output] series_interval), always CDF-5, whose samples come between records.
. "${top_srcdir:-.}/tests/lib.sh"
out="$tmp/live.nc" series="$tmp/live_series.nc"
"$fc" run "$inputs/jet.ini" --set output.interval=1800 --set output.series_interval=300 \
  --set time.t_end=259200 -o "$out" -q >"$tmp/run.log" 2>&1 &
pid=$!
failures=0
# look FILE NAME: reads FILE's header and times, counting in NAME_reads, NAME_last (the records
# seen) and NAME_grew (how often that grew); a failed read or a record without its time in
# failures.
look() {
  [ -f "$1" ] || return 0
  if "$NCDUMP" -h "$1" >"$tmp/h" 2>&1; then
    n=$(sed -n 's/.*time = UNLIMITED ; \/\/ (\([0-9]*\) currently).*/\1/p' "$tmp/h")
    eval "reads=\$${2}_reads last=\$${2}_last grew=\$${2}_grew"
    reads=$((reads + 1))
    [ "${n:-0}" -gt "$last" ] && { [ "$last" -gt 0 ] && grew=$((grew + 1)); last=$n; }
    eval "${2}_reads=$reads ${2}_last=$last ${2}_grew=$grew"
    # The records seen have their times: the last one is whole.
    "$NCDUMP" -v time "$1" >"$tmp/t" 2>&1 || failures=$((failures + 1))
    grep -q ' _ ;' "$tmp/t" && failures=$((failures + 1))
  else
    failures=$((failures + 1))
    sed 's/^/    | /' "$tmp/h"
  fi
}
out_reads=0 out_last=0 out_grew=0 ser_reads=0 ser_last=0 ser_grew=0
while kill -0 "$pid" 2>/dev/null; do
  look "$out" out
  look "$series" ser
  sleep 0.2
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] && ok "the run itself" || bad "the run itself (exit $rc)"
[ "$out_reads" -ge 3 ] && [ "$out_grew" -ge 2 ] &&
  ok "the output read $out_reads times while it ran, the record count growing $out_grew times" ||
  bad "the output read $out_reads times while it ran, growing $out_grew times"
[ "$ser_reads" -ge 3 ] && [ "$ser_grew" -ge 2 ] && [ "$ser_last" -gt "$out_last" ] &&
  ok "the series read $ser_reads times while it ran, growing $ser_grew times, ahead of the records ($ser_last samples against $out_last)" ||
  bad "the series read $ser_reads times while it ran, growing $ser_grew times, $ser_last samples against $out_last records"
[ "$failures" -eq 0 ] && ok "no read failed, no record without its time" || bad "$failures reads failed or saw a record without its time"
finish
