#!/bin/sh
# crash.sh: SIGKILL at random moments of a run. Every time the file must open with ncdump and
# hold only complete records: a restart from it must work (or find no complete record yet). A
# series of the diagnostics beside it (the cylinder's) must open too, every sample timed.
. "${top_srcdir:-.}/tests/lib.sh"

# kill_trials NAME TRIALS CASE ARGS...: TRIALS runs of CASE with ARGS, each killed at a random
# moment between 0.3 and 2.5 s (before, during and between records).
kill_trials() {
  name=$1 trials=$2 case=$3
  shift 3
  k=1
  while [ $k -le "$trials" ]; do
    f="$tmp/$name-kill$k.nc"
    "$fc" run "$case" -q "$@" -o "$f" &
    pid=$!
    sleep "$(awk -v s="$k" 'BEGIN { srand(s * 7919); printf "%.2f", 0.3 + 2.2 * rand() }')"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ ! -e "$f" ]; then
      ok "$name kill $k: before the file existed"
    elif ! "$NCDUMP" -h "$f" >/dev/null 2>&1; then
      bad "$name kill $k: ncdump cannot read the file"
    else
      "$fc" run "$case" -q "$@" --restart "$f" -o "$tmp/$name-cont$k.nc" >"$tmp/err" 2>&1 &
      rpid=$!
      sleep 1; kill -TERM $rpid 2>/dev/null; wait $rpid; rc=$?
      if grep -q "holds no complete record" "$tmp/err" || [ $rc -eq 0 ] || grep -q "interrupted" "$tmp/err"; then
        ok "$name kill $k: file readable, restart from its last complete record works"
      else
        bad "$name kill $k: restart failed (exit $rc)"
      fi
    fi
    # The series of the diagnostics ([output] series_interval; the cylinder's), synced at each
    # sample: readable, every sample with its time.
    s="${f%.nc}_series.nc"
    if [ -e "$s" ]; then
      if "$NCDUMP" -v time "$s" >"$tmp/t" 2>&1 && ! grep -q ' _' "$tmp/t"; then
        ok "$name kill $k: its series readable, every sample timed"
      else
        bad "$name kill $k: its series unreadable or a sample without its time"
      fi
    fi
    k=$((k + 1))
  done
}

kill_trials jet 8 "$inputs/jet.ini" --set output.interval=3600 --set grid.nx=192 --set grid.ny=96
kill_trials cylinder 3 "$inputs/cylinder.ini" --set output.interval=0.01
kill_trials shear_layer 3 "$inputs/double_shear_layer.ini" --set output.interval=0.02 --set numerics.fft_planning=estimate
finish
