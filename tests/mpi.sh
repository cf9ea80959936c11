#!/bin/sh
# mpi.sh: with MPI built (configure --with-mpi), runs on 1 to 4 processes (oversubscribed where
# the machine has fewer cores):
# - the halo exchange, the agreed step reports and the gather of the blocks (tests/check_mpi);
# - `flowcast run` of swe and euler cases split over 2, 3 and 4 processes, and in the layouts
#   1x4, 4x1 and 2x2, writes the same file as one process, bit for bit: every variable
#   (tests/nc_compare with tolerance 0) and attribute (ncdump -h -p 9,17) but the history, the
#   device line and flowcast_ranks; walls, open, periodic sides, an island, sponges;
# - spectral in slabs of rows (FFTW's MPI transforms) on 2 and 4 processes, within 1e-12 of one
#   process (tests/nc_compare), a restart from 2 onto 4 and onto a finer grid in 3 slabs, its
#   layout errors;
# - a NetCDF-4 output ([output] format = netcdf4) written in parallel, every process its
#   block, is the one process's file bit for bit, compressed too; its summary says how; a
#   restart from it on another process count; killed mid-run it keeps whole records;
# - the memory check counts the processes that share a machine together;
# - a restart written by 2 processes continued on 3 gives the serial continuation's bits, and
#   on a finer grid (--regrid) on 2 x 2 blocks the serial regridded run's, and so does a `file`
#   initial state interpolated from another grid's points (spectral: within 1e-12 in 3 slabs);
# - a bad state is reported as on one process (the same cell), and the last good record kept;
# - errors are said once, by the first process, every process exits 2 and nothing is written: a
#   layout that does not match the processes or leaves blocks thinner than the halo, a bad
#   --decomp, a bad case, a solver that runs on one process only (ns2d), a command other than
#   run and info;
# - a process killed mid-run takes the job down (no hang), leaving a readable file;
# - bench --ranks: its strong and weak rows on 1 and 2 processes, a record timed each way,
#   and its errors;
# - a series of the diagnostics ([output] series_interval) from 3 processes has the serial
#   series' bits;
# - info, --version and usage errors print once.
# FC_MPI_TESTS=short runs a few of these (see below). Skipped (77) in a build without MPI.
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
  expect "check_mpi on $n processes" 0 "100%: Checks: 7, Failures: 0" \
    $mpirun "$n" "$top_builddir/tests/check_mpi"
done

# An output's header but what a split run may change: the history (time, command line), the
# device line (threads) and flowcast_ranks. Attributes to the last bit (-p 9,17).
header() {
  "$NCDUMP" -h -p 9,17 "$1" | grep -v -e ':history = ' -e ':flowcast_ranks = ' \
    -e ':flowcast_device = ' -e '^netcdf '
}
# same_bits NAME SERIAL SPLIT [RANKS]: the same header and every variable bit for bit
# (tests/nc_compare with tolerance 0; printing 1024 x 1024 fields through ncdump took seconds).
same_bits() {
  if [ ! -f "$3" ]; then
    bad "$1 (no file $3)"
  elif ! { header "$2" >"$tmp/a.cdl" && header "$3" >"$tmp/b.cdl" && cmp -s "$tmp/a.cdl" "$tmp/b.cdl"; }; then
    diff "$tmp/a.cdl" "$tmp/b.cdl" | head -6 >"$tmp/err"
    bad "$1 (the headers differ)"
  elif "$top_builddir/tests/nc_compare" "$2" "$3" 0 >"$tmp/err" 2>&1; then
    ok "$1"
  else
    bad "$1"
  fi
  if [ $# -ge 4 ]; then
    expect "$1: flowcast_ranks = $4" 0 "flowcast_ranks = $4 ;" "$NCDUMP" -h "$3"
  fi
}

once() { # NAME TEXT
  n_said=$(grep -cF -- "$2" "$tmp/err")
  if [ "$n_said" -eq 1 ]; then ok "$1: said once"; else bad "$1: said $n_said times"; fi
}
run_serial() { "$fc" run "$inputs/$1.ini" -q --threads 1 -o "$tmp/$1.1.nc" $2; }
# split_runs CASE SETS: the case on one process, then on 2, 3 and 4, each with the serial bits.
split_runs() {
  rm -f "$tmp/$1".[1-4].nc
  expect "$1 on one process" 0 "" run_serial "$1" "$2"
  for n in 2 3 4; do
    expect "$1 on $n processes runs" 0 "" \
      $mpirun "$n" "$fc" run "$inputs/$1.ini" -q --threads 1 -o "$tmp/$1.$n.nc" $2
    same_bits "$1 ($2) on $n processes: the serial run's bits" "$tmp/$1.1.nc" "$tmp/$1.$n.nc" "$n"
  done
}
near() { # NAME SERIAL SPLIT
  expect "$1: within 1e-12 of the serial run" 0 "tolerance" "$top_builddir/tests/nc_compare" "$2" "$3" 1e-12
}
# slab_runs CASE SETS: a spectral case on one process, then on 2 and 4 (slabs), each near it.
slab_runs() {
  rm -f "$tmp/$1".*.nc
  expect "$1 on one process" 0 "" run_serial "$1" "$2"
  for n in 2 4; do
    expect "$1 on $n processes (slabs) runs" 0 "" \
      $mpirun "$n" "$fc" run "$inputs/$1.ini" -q --threads 1 -o "$tmp/$1.$n.nc" $2
    near "$1 on $n processes" "$tmp/$1.1.nc" "$tmp/$1.$n.nc"
  done
}

# FC_MPI_TESTS=short: the set the sanitizer build runs in CI (.ci/run; the whole file under
# ASan took 22 minutes there): the exchange and gather above, one split case of each solver
# (a CDF-5 output, gathered in a build without PnetCDF), a NetCDF-4 output written in
# parallel, a bad case said once.
if [ "${FC_MPI_TESTS:-all}" = short ]; then
  split_runs jet "--set time.t_end=43200 --set output.interval=10800"
  split_runs thermal_bubble "--set time.t_end=100 --set output.interval=50"
  slab_runs double_shear_layer "--set time.t_end=0.3"
  par="$inputs/jet.ini --threads 1 --set time.t_end=43200 --set output.interval=10800 --set output.format=netcdf4"
  expect "a NetCDF-4 jet on one process" 0 "" "$fc" run $par -q -o "$tmp/par.1.nc"
  expect "a NetCDF-4 jet on 3 processes runs" 0 "" $mpirun 3 "$fc" run $par -q -o "$tmp/par.3.nc"
  same_bits "NetCDF-4 written in parallel by 3 processes: the serial file's bits" \
    "$tmp/par.1.nc" "$tmp/par.3.nc" 3
  expect "a bad case on 3 processes" 2 "[grid] nx = -3: must be in" \
    $mpirun 3 "$fc" run "$inputs/jet.ini" --set grid.nx=-3 -o "$tmp/bad.nc"
  once "a bad case" "must be in"
  absent "a bad case writes nothing" "$tmp/bad.nc"
  finish
fi

# swe: open and periodic sides (a 1-D dam break), an inflow and an open side toward given water
# (a channel over a bump), a beta-plane jet (periodic x, walls in y), an island (dry cells,
# walls), a radial dam break (walls), a vortex (periodic box).
split_runs dambreak_wet ""
# the shipped channel is one row wide: split along its length only, narrower than the halo across;
# a steady_tol that stops it at t = 4.3 s, on every process at the same step (the change agreed)
split_runs channel_bump "--set time.t_end=10 --set output.interval=5 --set time.steady_tol=1"
expect "a one-row channel split across its row" 2 "its blocks are 200 x 0 cells" \
  $mpirun 2 "$fc" run "$inputs/channel_bump.ini" --decomp 1x2 -o "$tmp/e_row.nc"
split_runs jet "--set time.t_end=43200 --set output.interval=10800"
split_runs lake_island "--set time.t_end=2 --set output.interval=0.5"
split_runs radial_dambreak "--set time.t_end=0.3"
split_runs vortex "--set time.t_end=43200 --set output.interval=21600"
# euler: walls all round (a thermal bubble), periodic sides (inertia-gravity waves), open
# sides with sponges and a wind.
open_sides="--set boundary.west=open --set boundary.east=open --set physics.sponge_width=3000
  --set physics.sponge_depth=3000 --set physics.wind=10"
split_runs inertia_gravity_waves "--set time.t_end=300"
split_runs thermal_bubble "--set time.t_end=100 --set output.interval=50"
split_runs thermal_bubble "--set time.t_end=100 --set output.interval=50 $open_sides"
# spectral: slabs of rows, FFTW's MPI transforms; round-off apart (1e-12 of each variable's
# largest value): Taylor-Green, a tracer (double shear layer), forcing, 2 processes of 2 threads.
for spec in "spectral_taylor_green:--set time.t_end=5" "double_shear_layer:--set time.t_end=0.3" \
  "forced_turbulence:--set time.t_end=1 --set output.interval=0.5"; do
  slab_runs "${spec%%:*}" "${spec#*:}"
done
expect "forced turbulence on 2 processes of 2 threads" 0 "" $mpirun 2 "$fc" run \
  "$inputs/forced_turbulence.ini" -q --threads 2 --set time.t_end=1 --set output.interval=0.5 \
  -o "$tmp/forced.2x2.nc"
near "2 processes of 2 threads" "$tmp/forced_turbulence.1.nc" "$tmp/forced.2x2.nc"
dt="$inputs/decaying_turbulence.ini -q --threads 1 --set output.interval=0.5"
expect "spectral, serial: first half" 0 "" "$fc" run $dt --set time.t_end=0.5 -o "$tmp/s1.nc"
expect "spectral, serial: second half" 0 "" "$fc" run $dt --set time.t_end=1 --restart "$tmp/s1.nc" -o "$tmp/s1b.nc"
expect "spectral, 2 processes: first half" 0 "" $mpirun 2 "$fc" run $dt --set time.t_end=0.5 -o "$tmp/s2.nc"
expect "spectral, 4 processes continue it" 0 "" $mpirun 4 "$fc" run $dt --set time.t_end=1 --restart "$tmp/s2.nc" -o "$tmp/s4b.nc"
near "spectral restart from 2 processes on 4" "$tmp/s1b.nc" "$tmp/s4b.nc"
# ... and onto a finer grid (--regrid, Fourier interpolation): each slab evaluates its rows.
finer="--set grid.nx=320 --set grid.ny=288 --set time.t_end=0.75 --restart $tmp/s2.nc --regrid"
expect "spectral, serial: regridded" 0 "" "$fc" run $dt $finer -o "$tmp/sg1.nc"
expect "spectral, 3 slabs: regridded" 0 "" $mpirun 3 "$fc" run $dt $finer -o "$tmp/sg3.nc"
near "spectral restart onto a finer grid in 3 slabs" "$tmp/sg1.nc" "$tmp/sg3.nc"
# ... and as the `file` initial state of a finer grid, Fourier- and bilinearly interpolated.
sed -e '/^\[initial\]/,$d' "$inputs/decaying_turbulence.ini" >"$tmp/from_s2.ini"
printf '[initial]\ntype = file\npath = s2.nc\n' >>"$tmp/from_s2.ini"
for m in fourier bilinear; do
  fromfile="-q --threads 1 --set initial.interpolate=$m --set grid.nx=160 --set grid.ny=150
    --set time.t_end=0.25 --set output.interval=0.25"
  expect "spectral, serial: a file's vorticity, $m" 0 "" "$fc" run "$tmp/from_s2.ini" $fromfile -o "$tmp/sf1.nc"
  expect "spectral, 3 slabs: the same" 0 "" $mpirun 3 "$fc" run "$tmp/from_s2.ini" $fromfile -o "$tmp/sf3.nc"
  near "spectral initial state from a file, $m, in 3 slabs" "$tmp/sf1.nc" "$tmp/sf3.nc"
  rm -f "$tmp/sf1.nc" "$tmp/sf3.nc"
done
# The random spectrum drawn by each slab for its own rows (a hash of the seed and the mode).
near "a random spectrum drawn by 2 slabs" "$tmp/s1.nc" "$tmp/s2.nc"
expect "a random spectrum drawn by 3 slabs, written in parallel" 0 "every process writing its block" \
  $mpirun 3 "$fc" run "$inputs/decaying_turbulence.ini" --threads 1 --set output.interval=0.5 \
  --set time.t_end=0.5 --set output.format=netcdf4 -o "$tmp/s3p.nc"
near "a random spectrum drawn by 3 slabs" "$tmp/s1.nc" "$tmp/s3p.nc"
# Slabs of unequal height, as FFTW lays them out: 64 rows on 3 processes are 22, 22 and 20.
expect "spectral on 3 processes: slabs of 22, 22 and 20 rows" 0 "(1 x 3 blocks of about 64 x 22)" \
  $mpirun 3 "$fc" run "$inputs/spectral_taylor_green.ini" --threads 1 --set time.t_end=5 -o "$tmp/spectral_taylor_green.3.nc"
near "spectral_taylor_green on 3 processes" "$tmp/spectral_taylor_green.1.nc" "$tmp/spectral_taylor_green.3.nc"
# NetCDF-4 written by every slab: the vorticity's transform, the derived velocities and stream
# function, the spectrum's shells and the diagnostics through FFTW's MPI transforms and sums.
expect "spectral on 3 processes, every slab writing" 0 "every process writing its block" \
  $mpirun 3 "$fc" run "$inputs/spectral_taylor_green.ini" --threads 1 --set time.t_end=5 \
  --set output.format=netcdf4 -o "$tmp/spectral_taylor_green.3p.nc"
near "spectral written in parallel" "$tmp/spectral_taylor_green.1.nc" "$tmp/spectral_taylor_green.3p.nc"
expect "forced turbulence on 2 processes, every slab writing" 0 "every process writing its block" \
  $mpirun 2 "$fc" run "$inputs/forced_turbulence.ini" --threads 1 --set time.t_end=1 \
  --set output.interval=0.5 --set output.format=netcdf4 -o "$tmp/forced.2p.nc"
near "forced turbulence written in parallel" "$tmp/forced_turbulence.1.nc" "$tmp/forced.2p.nc"
expect "spectral: 6 rows on 4 processes leave the last none" 2 \
  "4 processes cannot share the [grid] ny = 6 rows of this solver's slabs: FFTW's transforms give each process 2 rows" \
  $mpirun 4 "$fc" run "$inputs/spectral_taylor_green.ini" --set grid.ny=6 -o "$tmp/e6.nc"
absent "spectral with too few rows writes nothing" "$tmp/e6.nc"
expect "spectral in 2x1 blocks" 2 "slabs of whole rows; use --decomp 1x2" \
  $mpirun 2 "$fc" run "$inputs/spectral_taylor_green.ini" --decomp 2x1 -o "$tmp/e7.nc"

rm -f "$tmp/thermal_bubble.1.nc"
expect "open-sided bubble, one process" 0 "" run_serial thermal_bubble "$open_sides --set time.t_end=50"
for d in 1x4 4x1; do
  expect "open-sided bubble in blocks $d runs" 0 "" $mpirun 4 "$fc" run "$inputs/thermal_bubble.ini" \
    -q --threads 1 $open_sides --set time.t_end=50 --decomp "$d" -o "$tmp/bubble.$d.nc"
  same_bits "open-sided bubble in blocks $d: the serial run's bits" "$tmp/thermal_bubble.1.nc" \
    "$tmp/bubble.$d.nc"
done

jet="$inputs/jet.ini --set time.t_end=43200 --set output.interval=10800 -q --threads 1"
for d in 1x4 4x1 2x2; do
  expect "jet in blocks $d" 0 "" $mpirun 4 "$fc" run $jet --decomp "$d" -o "$tmp/jet.$d.nc"
  same_bits "jet in blocks $d: the serial run's bits" "$tmp/jet.1.nc" "$tmp/jet.$d.nc"
done
# Threads inside the processes: blocks of 2 x 16384 cells, above FC_PARALLEL_MIN, on 2 threads
# each against one process on one thread.
big="$inputs/jet.ini -q --set grid.nx=256 --set grid.ny=128 --set time.t_end=21600 --set output.interval=10800"
expect "a 256 x 128 jet on one thread" 0 "" "$fc" run $big --threads 1 -o "$tmp/big.1.nc"
expect "the same on 2 processes of 2 threads" 0 "" $mpirun 2 "$fc" run $big --threads 2 --decomp 1x2 -o "$tmp/big.2.nc"
same_bits "2 processes of 2 threads: the bits of one thread" "$tmp/big.1.nc" "$tmp/big.2.nc" 2
expect "the run names its layout" 0 "on 4 processes (2 x 2 blocks of about 64 x 32)" \
  $mpirun 4 "$fc" run "$inputs/jet.ini" --decomp 2x2 -o "$tmp/jet.said.nc" --set time.t_end=3600
n=$(grep -c "solver swe" "$tmp/err")
if [ "$n" -eq 1 ]; then ok "the run's lines are printed once"; else bad "the run's line is printed $n times"; fi

# NetCDF-4 written in parallel: every process its block, collectively; the file one process
# writes, bit for bit (uneven blocks of 43 x 64 on 3 processes, 2 x 2 blocks, compressed).
par="$inputs/jet.ini --threads 1 --set time.t_end=43200 --set output.interval=10800 --set output.format=netcdf4"
expect "a NetCDF-4 jet on one process" 0 "" "$fc" run $par -q -o "$tmp/par.1.nc"
for n in 2 3; do
  expect "a NetCDF-4 jet on $n processes runs" 0 "" $mpirun "$n" "$fc" run $par -q -o "$tmp/par.$n.nc"
  same_bits "NetCDF-4 written in parallel by $n processes: the serial file's bits" "$tmp/par.1.nc" "$tmp/par.$n.nc" "$n"
done
expect "its format is NetCDF-4" 0 "netCDF-4" "$NCDUMP" -k "$tmp/par.3.nc"
expect "the summary says every process wrote" 0 "s, every process writing its block)" \
  $mpirun 4 "$fc" run $par --decomp 2x2 -o "$tmp/par.4.nc"
same_bits "NetCDF-4 written by 2 x 2 blocks: the serial file's bits" "$tmp/par.1.nc" "$tmp/par.4.nc" 4
# CDF-5 (the default): written by every process through PnetCDF where the build has it,
# otherwise gathered onto the first process; the serial file's bits either way.
cdf5="$inputs/jet.ini --threads 1 --set time.t_end=43200 --set output.interval=10800"
expect "a CDF-5 jet on one process" 0 "" "$fc" run $cdf5 -q -o "$tmp/cdf5.1.nc"
if "$fc" info | grep -q "PnetCDF [0-9]"; then
  pnetcdf=yes cdf5_way="every process writing its block"
else
  pnetcdf=no cdf5_way="gathered onto the first process, which writes"
fi
expect "CDF-5 on 3 processes: $cdf5_way" 0 "s, $cdf5_way)" \
  $mpirun 3 "$fc" run $cdf5 -o "$tmp/cdf5.3.nc"
same_bits "CDF-5 on 3 processes: the serial file's bits" "$tmp/cdf5.1.nc" "$tmp/cdf5.3.nc" 3
expect "CDF-5 on 2 x 2 blocks" 0 "" $mpirun 4 "$fc" run $cdf5 -q --decomp 2x2 -o "$tmp/cdf5.4.nc"
# The series of the diagnostics ([output] series_interval) of a split run: every process
# samples together (one that did not hung the job until 7 December 2026), and the series has
# the serial one's bits, the blocks written together (NetCDF-4, CDF-5 through PnetCDF) or
# gathered.
ser="$inputs/jet.ini --threads 1 --set time.t_end=43200 --set output.interval=21600 --set output.series_interval=3000"
expect "a series on one process" 0 "17 samples of the diagnostics" "$fc" run $ser -o "$tmp/ser.1.nc"
for fmt in cdf5 netcdf4; do
  expect "a series on 3 processes ($fmt)" 0 "17 samples of the diagnostics" \
    $mpirun 3 "$fc" run $ser --set output.format=$fmt -o "$tmp/ser.$fmt.nc"
  expect "the series of 3 processes ($fmt): the serial series' bits" 0 "largest relative difference 0 " \
    "$top_builddir/tests/nc_compare" "$tmp/ser.1_series.nc" "$tmp/ser.${fmt}_series.nc" 0
done
same_bits "CDF-5 on 2 x 2 blocks: the serial file's bits" "$tmp/cdf5.1.nc" "$tmp/cdf5.4.nc" 4
expect "its format is CDF-5" 0 "cdf5" "$NCDUMP" -k "$tmp/cdf5.4.nc"
squeeze="$inputs/thermal_bubble.ini -q --threads 1 --set time.t_end=100 --set output.interval=50 --set output.deflate=4"
expect "a compressed bubble on one process" 0 "" "$fc" run $squeeze -o "$tmp/squeeze.1.nc"
expect "a compressed bubble on 4 processes" 0 "" $mpirun 4 "$fc" run $squeeze -o "$tmp/squeeze.4.nc"
same_bits "compressed and written in parallel: the serial file's bits" "$tmp/squeeze.1.nc" "$tmp/squeeze.4.nc" 4
expect "a restart from it on 3 processes" 0 "" $mpirun 3 "$fc" run $squeeze --set time.t_end=150 \
  --restart "$tmp/squeeze.4.nc" -o "$tmp/squeeze.3b.nc"
expect "the same on one process" 0 "" "$fc" run $squeeze --set time.t_end=150 \
  --restart "$tmp/squeeze.1.nc" -o "$tmp/squeeze.1b.nc"
same_bits "restart of a parallel file on 3 processes: the serial continuation's bits" \
  "$tmp/squeeze.1b.nc" "$tmp/squeeze.3b.nc" 3
expect "an existing NetCDF-4 output on 2 processes" 2 "exists" \
  $mpirun 2 "$fc" run $par -o "$tmp/par.2.nc"
once "an existing NetCDF-4 output" "exists"

# The memory check counts what the processes on this machine hold together. Gathering CDF-5
# (a build without PnetCDF), the first holds the whole state, each its block's, so 4
# processes need about 1.5 times one's memory (0.27 against 0.19 GB here): refused within
# 250 MB, run within 300 MB. Written in parallel, 4 need what one does.
mem="$inputs/jet.ini --set grid.nx=1024 --set grid.ny=1024 --set time.t_end=60 -q --threads 1"
expect "a 1024 x 1024 jet within 250 MB on one process" 0 "" env FLOWCAST_MEMORY_LIMIT=250M \
  "$fc" run $mem -o "$tmp/mem.1.nc"
if [ "$pnetcdf" = no ]; then
  expect "the same on 4 processes of one machine is refused" 2 "of host memory for the 4 processes of this job on this machine" \
    env FLOWCAST_MEMORY_LIMIT=250M $mpirun 4 "$fc" run $mem -o "$tmp/mem.4.nc"
  once "the memory check" "of host memory for the 4"
  absent "a refused memory check writes nothing" "$tmp/mem.4.nc"
  expect "4 processes of one machine within 300 MB" 0 "" env FLOWCAST_MEMORY_LIMIT=300M \
    $mpirun 4 "$fc" run $mem -o "$tmp/mem.4.nc"
else
  expect "4 processes writing CDF-5 blocks within 250 MB" 0 "" env FLOWCAST_MEMORY_LIMIT=250M \
    $mpirun 4 "$fc" run $mem -o "$tmp/mem.4.nc"
fi
same_bits "4 processes: the serial bits" "$tmp/mem.1.nc" "$tmp/mem.4.nc" 4
# Written in parallel, nothing is whole on any process: every process sets up its own block
# (the initial condition on its cells), so 4 processes need what one does (0.187 GB).
expect "4 processes writing their blocks within 250 MB" 0 "" env FLOWCAST_MEMORY_LIMIT=250M \
  $mpirun 4 "$fc" run $mem --set output.format=netcdf4 -o "$tmp/mem.4p.nc"
expect "4 processes writing their blocks: refused within 150 MB" 2 \
  "needs 0.187 GB of host memory for the 4 processes of this job on this machine; " \
  env FLOWCAST_MEMORY_LIMIT=150M $mpirun 4 "$fc" run $mem --set output.format=netcdf4 -o "$tmp/mem.4q.nc"

# Restart: 2 processes write, 3 continue; the same bits as one process doing both.
half="$inputs/jet.ini -q --threads 1 --set output.interval=10800"
expect "serial: first half" 0 "" "$fc" run $half --set time.t_end=21600 -o "$tmp/h1.nc"
expect "serial: second half" 0 "" "$fc" run $half --set time.t_end=43200 --restart "$tmp/h1.nc" -o "$tmp/h1b.nc"
expect "2 processes: first half" 0 "" $mpirun 2 "$fc" run $half --set time.t_end=21600 -o "$tmp/h2.nc"
expect "3 processes continue it" 0 "" \
  $mpirun 3 "$fc" run $half --set time.t_end=43200 --restart "$tmp/h2.nc" -o "$tmp/h3b.nc"
same_bits "restart from 2 processes on 3: the serial continuation's bits" "$tmp/h1b.nc" "$tmp/h3b.nc" 3
# ... and onto a finer grid (--regrid): each process interpolates its window of the file; a
# periodic side wraps across blocks as on one.
finer="--set grid.nx=150 --set grid.ny=70 --set time.t_end=32400 --restart $tmp/h2.nc --regrid"
expect "serial: the first half regridded" 0 "" "$fc" run $half $finer -o "$tmp/g1.nc"
expect "2 x 2 processes: the same regridded" 0 "" $mpirun 4 "$fc" run $half $finer --decomp 2x2 -o "$tmp/g4.nc"
same_bits "restart onto a finer grid on 2 x 2 blocks: the serial run's bits" "$tmp/g1.nc" "$tmp/g4.nc" 4

# A bad state: a depth of 1e160 overflows the flux; the same cell named as on one process.
cp "$inputs/from_file.ini" "$tmp/from_file.ini"
sed '19s/0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,/0.9, 0.9, 0.9, 1e160, 0.9, 0.9, 0.9, 0.9,/' \
  "$inputs/initial_state.cdl" >"$tmp/big.cdl"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/big.cdl"
blow="--set time.t_end=1e-78 --set output.interval=1e-79 -q"
expect "a bad state on one process" 1 "gives NaN at cell (i=11, j=4)" "$fc" run "$tmp/from_file.ini" $blow -o "$tmp/bad.1.nc"
for n in 2 4; do
  expect "a bad state on $n processes: the same cell" 1 "gives NaN at cell (i=11, j=4)" \
    $mpirun "$n" "$fc" run "$tmp/from_file.ini" $blow -o "$tmp/bad.$n.nc"
  n_said=$(grep -c "gives NaN" "$tmp/err")
  if [ "$n_said" -eq 1 ]; then ok "the bad state is said once"; else bad "the bad state is said $n_said times"; fi
  same_bits "a bad state on $n processes: the records kept are the serial ones" "$tmp/bad.1.nc" "$tmp/bad.$n.nc"
done

# A bad initial state read by every process from its window of the file: named at the cell
# one process names (the first in its order, j then i), not at the first failing process's.
# set_cell ROW I VALUE: the depth at cell (I, ROW) of initial_state.cdl.
set_cell() {
  awk -v row="$1" -v i="$2" -v v="$3" 'NR == 14 + row { n = split($0, a, ", "); a[i + 1] = v
    line = a[1]; for (k = 2; k <= n; k++) line = line ", " a[k]; $0 = line } { print }'
}
set_cell 1 12 -1 <"$inputs/initial_state.cdl" | set_cell 5 3 -2 >"$tmp/neg.cdl"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/neg.cdl"
neg="gives a negative depth h = -1 at cell (i=12, j=1)"
expect "a negative initial depth on one process" 2 "$neg" "$fc" run "$tmp/from_file.ini" -o "$tmp/neg.1.nc"
for n in 2 4; do
  expect "a negative initial depth in two blocks of $n processes: the serial cell" 2 "$neg" \
    $mpirun "$n" "$fc" run "$tmp/from_file.ini" -o "$tmp/neg.$n.nc"
  once "the negative initial depth on $n processes" "negative depth"
  absent "a bad initial state on $n processes writes nothing" "$tmp/neg.$n.nc"
done
set_cell 2 13 NaN <"$inputs/initial_state.cdl" | set_cell 6 2 NaN >"$tmp/nan.cdl"
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$tmp/nan.cdl"
expect "a NaN in the initial state on one process" 2 "holds NaN at cell (i=13, j=2)" \
  "$fc" run "$tmp/from_file.ini" -o "$tmp/nan.1.nc"
expect "NaNs in two blocks of 2 processes: the serial cell" 2 "holds NaN at cell (i=13, j=2)" \
  $mpirun 2 "$fc" run "$tmp/from_file.ini" -o "$tmp/nan.2.nc"
# The `file` initial condition from another grid's points ([initial] interpolate = bilinear):
# each process interpolates its window of the file; a periodic side wraps across blocks.
"$NCGEN" -k nc4 -o "$tmp/initial_state.nc" "$inputs/initial_state.cdl"
wrap="--set boundary.west=periodic --set boundary.east=periodic -q"
expect "serial: a run on 16 x 8 cells to start from" 0 "" "$fc" run "$tmp/from_file.ini" $wrap -o "$tmp/coarse.nc"
fromfile="--set initial.path=$tmp/coarse.nc --set initial.h_var=h --set initial.u_var=u
  --set initial.v_var=v --set initial.b_var=b --set initial.interpolate=bilinear
  --set grid.nx=40 --set grid.ny=20 $wrap"
expect "serial: its last state interpolated onto 40 x 20" 0 "" "$fc" run "$tmp/from_file.ini" $fromfile -o "$tmp/fi.1.nc"
expect "2 x 2 processes: the same" 0 "" $mpirun 4 "$fc" run "$tmp/from_file.ini" $fromfile --decomp 2x2 -o "$tmp/fi.4.nc"
same_bits "a file's state interpolated on 2 x 2 blocks: the serial run's bits" "$tmp/fi.1.nc" "$tmp/fi.4.nc" 4

# Errors: said once, exit 2 from the job, nothing written.
expect "a layout for another process count" 2 "--decomp 3x1 needs 3 processes; this run has 2" \
  $mpirun 2 "$fc" run $jet --decomp 3x1 -o "$tmp/e1.nc"
once "a layout for another process count" "needs 3 processes"
absent "a wrong layout writes nothing" "$tmp/e1.nc"
expect "blocks thinner than the halo" 2 "--decomp 1x4 does not fit the 400 x 4 grid" \
  $mpirun 4 "$fc" run "$inputs/dambreak_wet.ini" --decomp 1x4 -o "$tmp/e2.nc"
absent "a layout that does not fit writes nothing" "$tmp/e2.nc"
expect "no layout fits" 2 "4 processes cannot share the 3 x 4 grid" \
  $mpirun 4 "$fc" run "$inputs/dambreak_wet.ini" --set grid.nx=3 -o "$tmp/e2b.nc"
expect "a --decomp that is not PXxPY" 2 "--decomp '2y1': expected PXxPY" \
  $mpirun 2 "$fc" run $jet --decomp 2y1 -o "$tmp/e3.nc"
expect "a bad case on 2 processes" 2 "[grid] nx = -3: must be in" \
  $mpirun 2 "$fc" run $jet --set grid.nx=-3 -o "$tmp/e4.nc"
once "a bad case" "must be in"
expect "ns2d on 2 processes" 2 "solver ns2d runs on one process only on the CPU (this job has 2)" \
  $mpirun 2 "$fc" run "$inputs/cavity_re100.ini" -o "$tmp/e5.nc"
once "ns2d on 2 processes" "runs on one process only"
absent "ns2d on 2 processes writes nothing" "$tmp/e5.nc"
expect "validate on 2 processes" 2 "validate on 2 processes: only \`flowcast run\` and \`bench --ranks\` split" \
  $mpirun 2 "$fc" validate --quick
expect "an existing output on 3 processes" 2 "exists" \
  $mpirun 3 "$fc" run $jet -o "$tmp/jet.2.nc"
once "an existing output" "exists"

# A process killed mid-run: mpirun ends the job; the file holds whole records, and a run
# continues from it. killed FORMAT: CDF-5 (written by both through PnetCDF, or gathered onto the
# first process), NetCDF-4 written by both.
killed() {
  out="$tmp/killed.$1.nc"
  $mpirun 2 "$fc" run "$inputs/jet.ini" --threads 1 -q --set grid.nx=512 --set grid.ny=256 \
    --set output.interval=3600 --set output.format="$1" -o "$out" >"$tmp/kill.log" 2>&1 &
  job=$!
  victim=
  for _ in $(seq 1 600); do
    for p in $(pgrep -f "$out" 2>/dev/null); do
      tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && victim=$p
    done
    if [ -n "$victim" ] && [ -f "$out" ] && "$NCDUMP" -h "$out" 2>/dev/null | grep -q "// (2 currently)"; then
      break
    fi
    sleep 0.1
  done
  if [ -n "$victim" ]; then
    kill -9 "$victim"
    wait "$job"
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then ok "$1: a killed process ends the job (exit $rc)"; else bad "$1: the job with a killed process exited $rc"; fi
    expect "$1: the killed job's file is readable" 0 "" "$NCDUMP" -v time "$out"
    # One more record from its last (a longer continuation tests nothing more).
    last=$("$NCDUMP" -v time "$out" | tr -d ' \n' | sed 's/.*time=\([^;]*\);.*/\1/' | tr ',' '\n' | tail -1)
    expect "$1: a run continues from it (its last record at t = $last s)" 0 "" "$fc" run \
      "$inputs/jet.ini" --threads 1 -q --set grid.nx=512 --set grid.ny=256 \
      --set time.t_end="$(awk -v t="$last" 'BEGIN { print t + 3600 }')" --restart "$out" \
      -o "$tmp/after_kill.$1.nc"
  else
    wait "$job"
    bad "$1: no second process found to kill"
  fi
}
killed cdf5
killed netcdf4

# bench --ranks: strong and weak rows of swe and euler on 1 and 2 processes, into a CSV.
expect "bench --ranks 1,2 on 2 processes" 0 "| swe | strong | 64 x 64 | 2 | 2x1 | 1 |" \
  $mpirun 2 "$fc" bench --ranks 1,2 --quick -o "$tmp/scal"
grep -q "| euler | weak | 128 x 64 | 2 | 2x1 | 1 |" "$tmp/err" && ok "bench --ranks: euler's weak row" || bad "bench --ranks: euler's weak row"
n=$(grep -c "| swe | strong |" "$tmp/err")
if [ "$n" -eq 2 ]; then ok "bench --ranks: the table is printed once"; else bad "bench --ranks: $n strong swe rows"; fi
n=$(wc -l <"$tmp/scal_ranks.csv")
if [ "$n" -eq 13 ]; then ok "bench --ranks: 12 rows in the CSV (swe, spectral, euler)"; else bad "bench --ranks: $n lines in the CSV"; fi
grep -q "| spectral | weak | 64 x 128 | 2 | 1x2 | 1 |" "$tmp/err" && ok "bench --ranks: spectral's weak row, stacked slabs" || bad "bench --ranks: spectral's weak row"
# Columns by their names in the header.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  !($c["record_cdf5_s"] > 0 && $c["record_netcdf4_s"] > 0) { missing = 1 } END { exit missing }' "$tmp/scal_ranks.csv" &&
  ok "bench --ranks: a record timed each way on every row" || bad "bench --ranks: a row without its records' times"
# A split swe or euler row times its halo exchanges and its reductions apart; one process has neither.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $1 == "spectral" { next }
  $c["ranks"] > 1 && !($c["exchange_share"] > 0 && $c["reduction_share"] > 0) { wrong = 1 }
  $c["ranks"] == 1 && !($c["exchange_share"] == 0 && $c["reduction_share"] == 0) { wrong = 1 }
  END { exit wrong }' "$tmp/scal_ranks.csv" &&
  ok "bench --ranks: the exchange and reduction shares of the split rows, none on one process" ||
  bad "bench --ranks: the exchange and reduction shares"
absent "bench --ranks: the scratch record is removed" "$tmp/scal_record.nc"
expect "bench --ranks: 12 records in the NetCDF table" 0 "row = UNLIMITED ; // (12 currently)" \
  "$NCDUMP" -h "$tmp/scal_ranks.nc"
# The NetCDF table holds the CSV's rows: the process counts and the times per step agree.
"$NCDUMP" -v ranks,t_median "$tmp/scal_ranks.nc" | tr -d ' ;' | awk -F= '
  $1 == "ranks" || $1 == "t_median" { v = $1; $0 = $2 } v && /[0-9]/ { n = split($0, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") print v, a[i] }
  /^}/ { v = "" }' >"$tmp/scal_nc.txt"
awk -F, 'NR > 1 { print "ranks", $6 }' "$tmp/scal_ranks.csv" >"$tmp/scal_csv.txt"
awk -F, 'NR > 1 { printf "t_median %.6g\n", $11 }' "$tmp/scal_ranks.csv" >>"$tmp/scal_csv.txt"
awk '{ printf "%s %.6g\n", $1, $2 }' "$tmp/scal_nc.txt" | sort >"$tmp/scal_nc.sorted"
sort "$tmp/scal_csv.txt" >"$tmp/scal_csv.sorted"
if [ -s "$tmp/scal_nc.sorted" ] && cmp -s "$tmp/scal_nc.sorted" "$tmp/scal_csv.sorted"; then
  ok "bench --ranks: the NetCDF table's rows are the CSV's"
else bad "bench --ranks: the NetCDF table differs from the CSV"; diff "$tmp/scal_nc.sorted" "$tmp/scal_csv.sorted" | head -5; fi
touch "$tmp/scal2_record.nc"
expect "bench --ranks keeps a file where its scratch record would go" 2 "scal2_record.nc' exists" \
  $mpirun 2 "$fc" bench --ranks 1,2 --quick -o "$tmp/scal2"
[ -s "$tmp/scal_ranks.png" ] && ok "bench --ranks: its plot" || bad "bench --ranks: no plot"
expect "bench --ranks beyond the job" 2 "--ranks up to 4 needs a job of 4 processes" \
  $mpirun 2 "$fc" bench --ranks 1,4 --quick -o "$tmp/scal2"
absent "bench --ranks beyond the job writes nothing" "$tmp/scal2_ranks.csv"
absent "bench --ranks beyond the job writes no NetCDF table" "$tmp/scal2_ranks.nc"
expect "bench on 2 processes without --ranks" 2 "bench on 2 processes: only with --ranks" \
  $mpirun 2 "$fc" bench --quick -o "$tmp/scal3"

expect "info on 2 processes names them" 0 "this job: 2 processes" $mpirun 2 "$fc" info
expect "info without mpirun says what MPI was built" 0 "MPI:        yes (Open MPI" "$fc" info
expect "--version on 3 processes" 0 "flowcast " $mpirun 3 "$fc" --version
n=$(grep -c "^flowcast " "$tmp/err")
if [ "$n" -eq 1 ]; then ok "the version is printed by one rank"; else bad "the version is printed $n times"; fi
expect "run --help on 2 processes" 0 "--decomp PXxPY" $mpirun 2 "$fc" run --help
once "run --help" "usage: flowcast run"
expect "an unknown command on 2 processes: exit 2" 2 "unknown command 'nonsense'" $mpirun 2 "$fc" nonsense
once "the unknown command" "unknown command"
expect "run under mpirun -np 1" 0 "" $mpirun 1 "$fc" run "$inputs/dambreak_wet.ini" -o "$tmp/one.nc"
expect "its output is a whole file" 0 "" "$NCDUMP" -h "$tmp/one.nc"
finish
