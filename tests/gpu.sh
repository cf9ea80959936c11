#!/bin/sh
# gpu.sh: `make check-gpu`, everything a short loan of a GPU should run, in one go (sized for
# under 8 minutes on one H200):
#   1. tests/check_gpu in full: every case on the GPU against the CPU (FC_REQUIRE_GPU=1: no
#      GPU is a failure here, not a skip);
#   2. the same program under compute-sanitizer, each tool in turn (memcheck with leak checking,
#      racecheck, initcheck, synccheck), with FC_GPU_STEPS steps per case (default 3): the
#      sanitizers look at every kernel and library call, a few steps of each case suffice;
#   3. one summary line per run.
# Logs go to GPU_LOG_DIR (default: tests/gpu-logs). GPU_TOOLS narrows the tools; CHECK_GPU names
# the program (default: tests/check_gpu; on a machine that got a packed build, .gpu/bin/check_gpu).
# Exit 1 if any run failed.
set -u
: "${top_builddir:=.}"
bin=${CHECK_GPU:-$top_builddir/tests/check_gpu}
logs=${GPU_LOG_DIR:-$top_builddir/tests/gpu-logs}
tools=${GPU_TOOLS:-memcheck racecheck initcheck synccheck}
mkdir -p "$logs"
export FC_REQUIRE_GPU=1
summary="$logs/summary.txt"
: >"$summary"
failed=0

run() { # run NAME COMMAND...: times it, keeps its log, adds a summary line
  name=$1
  shift
  t0=$(date +%s)
  "$@" >"$logs/$name.log" 2>&1
  rc=$?
  t1=$(date +%s)
  errors=$(grep -Eo 'ERROR SUMMARY: [0-9]+ error' "$logs/$name.log" | tail -1 | grep -Eo '[0-9]+' || true)
  checks=$(grep -Eo '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$logs/$name.log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    verdict=ok
  elif grep -q 'Device not supported' "$logs/$name.log"; then
    verdict=n/a # the sanitizer cannot use this GPU (seen under gVisor): no verdict on our code
    checks="compute-sanitizer refused the device"
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  printf '%-22s %-4s exit %-3s %4ss  %s%s\n' "$name" "$verdict" "$rc" "$((t1 - t0))" \
    "${checks:-no Check summary}" "${errors:+; sanitizer errors: $errors}" | tee -a "$summary"
}

if ! command -v compute-sanitizer >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/compute-sanitizer ]; then
  PATH="$PATH:/usr/local/cuda/bin"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$logs/gpu.txt" 2>&1 || true
echo "GPU: $(cat "$logs/gpu.txt")" | tee -a "$summary"
run check_gpu "$bin"
grep -E '^[a-z_0-9]+ +[a-z_]+ +after|^mlp |step statistic|non-convergence' "$logs/check_gpu.log" >"$logs/numbers.txt" || true
if command -v compute-sanitizer >/dev/null 2>&1; then
  for tool in $tools; do
    extra=""
    [ "$tool" = memcheck ] && extra="--leak-check full"
    FC_GPU_STEPS=${FC_GPU_STEPS:-3} run "sanitizer-$tool" compute-sanitizer --tool "$tool" $extra \
      --error-exitcode 86 --print-limit 50 "$bin"
  done
else
  echo "compute-sanitizer not found: the sanitizer runs were not made" | tee -a "$summary"
  failed=$((failed + 1))
fi
echo "gpu.sh: $failed run(s) failed; logs in $logs" | tee -a "$summary"
[ "$failed" -eq 0 ]
