#!/bin/sh
# cf.sh: every kind of file flowcast writes is CF as the community's tools read it: run output
# (shallow water, ns2d with staggered faces and step statistics, ns2d with an obstacle, the
# spectral solver's spectra, compressed NetCDF-4, the Euler solver's vertical slice), a run's
# series of diagnostics (the cylinder's [output] series_interval), a surrogate model, a forecast
# and a benchmark table. Each must
# - carry Conventions, title and history, and long_name and units on every variable;
# - give 0 errors and 0 warnings in the CF checker (cfchecker reads CF up to 1.8, so the
#   checked copy is relabelled CF-1.8; the files use nothing newer);
# - store undefined values as the declared _FillValue, never NaN: NCO's ncra and CDO's timmean
#   then average the defined values of the diagnostics instead of returning NaN;
# - open in xarray.
# The tools are optional here (each part is skipped without its tool, and the test is skipped
# without any); .ci/run installs them all. The checker's standard-name table comes from
# CF_STANDARD_NAMES or from the compliance-checker package; flowcast uses no area types or
# region names, so their tables are given empty, which makes any use of one an error.
. "${top_srcdir:-.}/tests/lib.sh"

have() { command -v "$1" >/dev/null 2>&1; }
python=""
for p in python3 /usr/bin/python3; do
  if have "$p" && "$p" -c 'import xarray' 2>/dev/null; then python=$p; break; fi
done
table=${CF_STANDARD_NAMES:-}
if [ -z "$table" ]; then
  for p in python3 /usr/bin/python3; do
    have "$p" || continue
    table=$("$p" -c 'import compliance_checker, os; print(os.path.join(os.path.dirname(compliance_checker.__file__), "data", "cf-standard-name-table.xml"))' 2>/dev/null) && [ -f "$table" ] && break
    table=""
  done
fi
checker=no
have cfchecks && [ -n "$table" ] && [ -f "$table" ] && checker=yes
if [ "$checker" = no ] && ! have ncra && ! have cdo && [ -z "$python" ]; then
  echo "skip: none of cfchecks (with a standard-name table), ncra, cdo or xarray is installed"
  exit 77
fi
[ "$checker" = yes ] || echo "note: no CF checker (cfchecks and a standard-name table); that part is skipped"

# The files.
runs="jet:jet.ini:--set time.t_end=7200 --set output.interval=900
cavity:cavity_re100.ini:--set time.t_end=0.5 --set output.interval=0.25
cylinder:cylinder.ini:--set time.t_end=0.2 --set output.interval=0.1
spectral:decaying_turbulence.ini:--set time.t_end=0.2 --set output.interval=0.1
deflate:jet.ini:--set time.t_end=3600 --set output.deflate=4
euler:thermal_bubble.ini:--set time.t_end=20 --set output.interval=10 --set grid.nx=40 --set grid.ny=20"
echo "$runs" | while IFS=: read -r name case sets; do
  # shellcheck disable=SC2086
  "$fc" run "$inputs/$case" $sets -o "$tmp/$name.nc" -q >"$tmp/err" 2>&1 ||
    echo "$name" >>"$tmp/failed_runs"
done
[ -f "$tmp/failed_runs" ] && bad "runs failed: $(cat "$tmp/failed_runs")" || ok "six runs"
"$fc" train --data "$tmp/jet.nc" --vars h,u,v --static b --epochs 2 --hidden 8 \
  -o "$tmp/model.nc" >"$tmp/err" 2>&1 && ok "a model" || bad "train"
"$fc" rollout --model "$tmp/model.nc" --init "$tmp/jet.nc" --steps 2 -o "$tmp/forecast.nc" \
  >"$tmp/err" 2>&1 && ok "a forecast" || bad "rollout"
"$fc" bench swe --sizes 16 --threads 1 --repeat 1 --warmup 1 --min-seconds 0.1 --device cpu \
  --no-plots -o "$tmp/bench" >"$tmp/err" 2>&1 && ok "a benchmark table" || bad "bench"
files="jet cavity cylinder cylinder_series spectral deflate euler model forecast bench"

printf '<?xml version="1.0"?>\n<area_type_table><version_number>0</version_number><date>none</date></area_type_table>\n' >"$tmp/area.xml"
printf '<?xml version="1.0"?>\n<standardized_region_list><version_number>0</version_number><date>none</date></standardized_region_list>\n' >"$tmp/region.xml"
for name in $files; do
  f="$tmp/$name.nc"
  [ -f "$f" ] || { bad "$name: no file"; continue; }
  "$NCDUMP" -h "$f" >"$tmp/h"
  for att in Conventions title history; do
    grep -q "^		:$att = " "$tmp/h" || bad "$name: no global attribute $att"
  done
  grep -q ':Conventions = "CF-1.11"' "$tmp/h" && ok "$name: Conventions CF-1.11" ||
    bad "$name: Conventions is not CF-1.11"
  if [ "$checker" = yes ]; then
    # The relabelled copy: only the Conventions attribute changes (ncatted, or ncgen from CDL).
    cp "$f" "$tmp/check.nc"
    if have ncatted; then
      ncatted -h -O -a Conventions,global,o,c,CF-1.8 "$tmp/check.nc"
    else
      "$NCDUMP" "$f" | sed 's/:Conventions = "CF-1.11"/:Conventions = "CF-1.8"/' >"$tmp/check.cdl" &&
        "$NCGEN" -k nc4 -o "$tmp/check.nc" "$tmp/check.cdl"
    fi
    cfchecks -v 1.8 -s "$table" -a "$tmp/area.xml" -r "$tmp/region.xml" "$tmp/check.nc" \
      >"$tmp/cf.log" 2>&1
    e=$(sed -n 's/^ERRORS detected: *//p' "$tmp/cf.log")
    w=$(sed -n 's/^WARNINGS given: *//p' "$tmp/cf.log")
    if [ "$e" = 0 ] && [ "$w" = 0 ]; then
      ok "$name: the CF checker finds 0 errors and 0 warnings"
    else
      bad "$name: the CF checker finds ${e:-?} errors and ${w:-?} warnings"
      grep -E "ERROR|WARN|Traceback|Error" "$tmp/cf.log" | sort | uniq -c | head -20
    fi
  fi
done

# Undefined values (step statistics at the first record, drag and lift without an obstacle, a
# forecast without truth) are stored as the _FillValue, never as NaN, so that NCO and CDO
# average the defined values.
for name in $files; do
  "$NCDUMP" "$tmp/$name.nc" | grep -v '^[[:space:]]*[a-z_0-9]*:[a-z_A-Z]* = ' >"$tmp/dump" 2>&1
  if grep -q 'NaN' "$tmp/dump"; then
    bad "$name stores NaN: $(grep -m 3 'NaN' "$tmp/dump" | tr -s ' \t' ' ')"
  else
    ok "$name stores no NaN"
  fi
done
# A variable that could only be missing is not written: the cavity has no body to drag.
if "$NCDUMP" -h "$tmp/cavity.nc" | grep -q ' drag_coefficient('; then
  bad "the cavity (no obstacle) has a drag coefficient"
else
  ok "the cavity (no obstacle) has no drag coefficient"
fi
diags="jet:mass cavity:poisson_iterations cavity:poisson_residual cylinder:drag_coefficient spectral:energy_budget_residual"
for d in $diags; do
  name=${d%%:*} var=${d#*:}
  f="$tmp/$name.nc"
  "$NCDUMP" -h "$f" | grep -q "double $var(time)" || { bad "$name has no diagnostic $var"; continue; }
  if have ncra; then
    ncra -O -v "$var" "$f" "$tmp/avg.nc" >/dev/null 2>&1 &&
      v=$("$NCDUMP" -v "$var" "$tmp/avg.nc" | sed -n "s/^ $var = \(.*\) ;/\1/p") || v=failed
    case $v in
      *nan* | *NaN* | _ | failed | "") bad "ncra: the time mean of $name $var is '$v'" ;;
      *) ok "ncra: the time mean of $name $var is $v" ;;
    esac
  fi
  if have cdo; then
    v=$(cdo -s output -timmean -selname,"$var" "$f" 2>/dev/null | tr -d ' ')
    case $v in
      *nan* | *NaN* | "" | 9.96921e+36) bad "cdo timmean: $name $var is '$v'" ;;
      *) ok "cdo timmean: $name $var is $v" ;;
    esac
  fi
done

if [ -n "$python" ]; then
  for name in $files; do
    if "$python" - "$tmp/$name.nc" >"$tmp/err" 2>&1 <<'PY'
import sys
import xarray as xr
with xr.open_dataset(sys.argv[1]) as d:
    for v in d.variables.values():
        pass
    assert d.attrs["Conventions"] == "CF-1.11"
PY
    then ok "xarray opens $name"; else bad "xarray opens $name"; fi
  done
fi
finish
