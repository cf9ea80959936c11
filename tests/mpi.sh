#!/bin/sh
# mpi.sh: with MPI built (configure --with-mpi), the halo exchange between ranks on 1 to 4
# processes (tests/check_mpi; oversubscribed where the machine has fewer cores), and flowcast
# under mpirun: `info` on 2 processes says so; --version and an unknown command print once; `run` on 2 processes is refused once, with exit
# status 2 from the job and no output file (the solvers do not use the decomposition yet);
# `run` under `mpirun -np 1` runs. Skipped (77) in a build without MPI.
. "${top_srcdir:-.}/tests/lib.sh"
if [ ! -x "$top_builddir/tests/check_mpi" ]; then
  echo "MPI not built (configure --with-mpi): skipped"
  exit 77
fi
# CI runs as root, which mpirun refuses unless told; no oversubscription error on 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI keeps its own allocations until exit (not ours to free); waiting threads sleep.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" OMP_WAIT_POLICY=passive
mpirun="timeout 300 mpirun --oversubscribe -np"
for n in 1 2 3 4; do
  expect "halo exchange on $n processes" 0 "100%: Checks: 3, Failures: 0" \
    $mpirun "$n" "$top_builddir/tests/check_mpi"
done
expect "info on 2 processes names them" 0 "this job: 2 processes" $mpirun 2 "$fc" info
expect "info without mpirun says what MPI was built" 0 "MPI:        yes (Open MPI" "$fc" info
expect "run on 2 processes: exit 2, said once" 2 \
  "run on 2 processes: this version runs every solver on one process" \
  $mpirun 2 "$fc" run "$inputs/dambreak_wet.ini" -o "$tmp/two.nc"
n=$(grep -c "this version runs every solver on one process" "$tmp/err")
if [ "$n" -eq 1 ]; then ok "the refusal is printed by one rank"; else bad "the refusal is printed $n times"; fi
absent "run on 2 processes writes nothing" "$tmp/two.nc"
expect "--version on 3 processes" 0 "flowcast " $mpirun 3 "$fc" --version
n=$(grep -c "^flowcast " "$tmp/err")
if [ "$n" -eq 1 ]; then ok "the version is printed by one rank"; else bad "the version is printed $n times"; fi
expect "an unknown command on 2 processes: exit 2" 2 "unknown command 'nonsense'" $mpirun 2 "$fc" nonsense
n=$(grep -c "unknown command" "$tmp/err")
if [ "$n" -eq 1 ]; then ok "the unknown command is named once"; else bad "the unknown command is named $n times"; fi
expect "run under mpirun -np 1" 0 "" $mpirun 1 "$fc" run "$inputs/dambreak_wet.ini" -o "$tmp/one.nc"
expect "its output is a whole file" 0 "" "$NCDUMP" -h "$tmp/one.nc"
finish
