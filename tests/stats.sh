#!/bin/sh
# stats.sh: `flowcast stats` as a user meets it: a tone of known period written as a CF file
# (its period, frequency and Strouhal number; a window; missing values; times in hours); a
# real run's series file, every diagnostic listed and its extremes those of the file; every
# bad input exits 2 with its message. The statistics themselves: tests/test_grid.c.
. "${top_srcdir:-.}/tests/lib.sh"

# x = 2 + 3 sin(2 pi t / 0.37) at 1000 samples 0.0074 s apart (20 periods, 50 samples each),
# a fill value at samples 10 and 500; a field beside it, and units with a comma.
awk 'BEGIN {
  pi = atan2(0, -1)
  printf "netcdf tone {\ndimensions: time = UNLIMITED ; y = 2 ; x = 2 ;\nvariables:\n"
  printf "  double time(time) ; time:units = \"seconds since 2000-01-01\" ;\n"
  printf "  double x(time) ; x:units = \"m, roughly\" ; x:_FillValue = -999. ;\n"
  printf "  double field(time, y, x) ;\ndata:\n time = "
  for (k = 0; k < 1000; k++) printf "%s%.17g", k ? ", " : "", k * 0.0074
  printf " ;\n x = "
  for (k = 0; k < 1000; k++) printf "%s%s", k ? ", " : "", (k == 10 || k == 500) ? "-999" : sprintf("%.17g", 2 + 3 * sin(2 * pi * k * 0.0074 / 0.37))
  printf " ;\n}\n"
}' >"$tmp/tone.cdl"
"$NCGEN" -o "$tmp/tone.nc" "$tmp/tone.cdl" || bad "ncgen of the tone"

expect "stats --help" 0 "--length L" "$fc" stats --help
expect "the tone, a table" 0 "1000 records from t = 0 to 7.3926 s" "$fc" stats "$tmp/tone.nc"
expect "... the series only (no field, no time)" 0 "" "$fc" stats "$tmp/tone.nc" --csv
lines=$(grep -c . "$tmp/err")
[ "$lines" -eq 2 ] && ok "  one series: a heading and one line" || bad "  $lines lines of CSV"
# The CSV line's columns: variable,units,n,missing,min,t_min,max,t_max,mean,std,last,t_last,
# crossings,period,period_spread,frequency[,strouhal]
# (a quoted field counts as one).
field() { sed -n '2{s/"[^"]*"/Q/g;p;}' "$tmp/err" | cut -d, -f"$1"; }
near() { # near NAME GOT WANT TOL
  awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; exit !(g != "" && (d < 0 ? -d : d) <= t) }' &&
    ok "$1 ($2)" || bad "$1: $2, expected $3 within $4"
}
grep -q '^x,"m, roughly",' "$tmp/err" && ok "  units with a comma quoted" || bad "  units not quoted"
[ "$(field 3)" = 998 ] && [ "$(field 4)" = 2 ] && ok "  998 samples, 2 missing" || bad "  n $(field 3), missing $(field 4)"
near "  the period" "$(field 14)" 0.37 1e-9
near "  the frequency" "$(field 16)" 2.7027027027 1e-8
near "  the largest: the sample nearest the peak" "$(field 7)" 4.9940801852848 1e-12
near "  the mean (whole periods)" "$(field 9)" 2 0.01
near "  the standard deviation" "$(field 10)" 2.1213203436 0.01
expect "a window and a Strouhal number" 0 "" "$fc" stats "$tmp/tone.nc" --from 1 --to 3 --length 0.1 --speed 2 --csv
near "  its last sample" "$(field 12)" 2.997 1e-12
[ "$(field 3)" = 270 ] && ok "  its 270 samples" || bad "  n $(field 3)"
near "  St = f L / U" "$(field 17)" 0.135135135 1e-6
# The same tone in hours: the frequency per hour, the Strouhal number from seconds.
sed 's/seconds since/hours since/' "$tmp/tone.cdl" >"$tmp/hours.cdl"
"$NCGEN" -o "$tmp/hours.nc" "$tmp/hours.cdl"
expect "times in hours" 0 "" "$fc" stats "$tmp/hours.nc" --length 3600 --speed 1 --csv
near "  the frequency per hour" "$(field 16)" 2.7027027027 1e-8
near "  St from seconds" "$(field 17)" 2.7027027027 1e-8
expect "the table says hours" 0 "hours since 2000-01-01" "$fc" stats "$tmp/hours.nc"

# A real run's series: every diagnostic, its extremes those of the file.
"$fc" run "$inputs/cylinder.ini" --set grid.nx=44 --set grid.ny=16 --set time.t_end=0.3 \
  --set output.interval=0.1 --set output.series_interval=0.01 -o "$tmp/cyl.nc" --quiet \
  >/dev/null 2>&1 || bad "the run to measure"
expect "a run's series file" 0 "s of model time" "$fc" stats "$tmp/cyl_series.nc"
for v in kinetic_energy drag_coefficient lift_coefficient drag_coefficient_cv poisson_iterations dt cfl; do
  grep -q "^$v " "$tmp/err" || bad "  $v not listed"
done
expect "... its drag as CSV" 0 "" "$fc" stats "$tmp/cyl_series.nc" --var drag_coefficient --csv
largest=$("$NCDUMP" -p 17,17 -v drag_coefficient "$tmp/cyl_series.nc" |
  awk '/^ drag_coefficient =/ { on = 1; sub(/.*=/, "") } on { gsub(/[;,]/, " "); for (i = 1; i <= NF; i++) if (m == "" || $i + 0 > m) m = $i + 0 } /;/ { on = 0 } END { printf "%.17g", m }')
near "  its largest is the file's" "$(field 7)" "$largest" 1e-12
expect "the output's own diagnostics" 0 "4 records from t = 0 to 0.3" "$fc" stats "$tmp/cyl.nc" --var lift_coefficient

# Bad input: exit 2 and a message that names the problem.
expect "no file" 2 "stats needs a NetCDF file" "$fc" stats
expect "two files" 2 "stats takes one file" "$fc" stats "$tmp/tone.nc" "$tmp/cyl.nc"
expect "a file that is not there" 2 "$tmp/none.nc" "$fc" stats "$tmp/none.nc"
printf 'not netcdf' >"$tmp/text.nc"
expect "a file that is not NetCDF" 2 "$tmp/text.nc" "$fc" stats "$tmp/text.nc"
expect "no such series" 2 "has no variable 'rain' (it has: " "$fc" stats "$tmp/tone.nc" --var rain
expect "a field is no series" 2 "'field' is not a series" "$fc" stats "$tmp/tone.nc" --var field
expect "a window without samples" 2 "no sample of x from 8 to 9 (its times run from 0 to 7.3926 seconds since 2000-01-01)" "$fc" stats "$tmp/tone.nc" --from 8 --to 9
expect "a window the wrong way round" 2 "--from 3 --to 1: the window's start must come before its end" "$fc" stats "$tmp/tone.nc" --from 3 --to 1
expect "--length alone" 2 "--length without --speed" "$fc" stats "$tmp/tone.nc" --length 1
expect "a speed of zero" 2 "--speed 0" "$fc" stats "$tmp/tone.nc" --length 1 --speed 0
expect "a window that is no number" 2 "--from noon" "$fc" stats "$tmp/tone.nc" --from noon
expect "an unknown option" 2 "--form" "$fc" stats "$tmp/tone.nc" --form 1
cat >"$tmp/nothing.cdl" <<CDL
netcdf nothing {
dimensions: x = 3 ; time = UNLIMITED ;
variables: double a(x) ; double time(time) ; time:units = "days since 1970-01-01" ; double b(time, x) ;
data: a = 1, 2, 3 ;
}
CDL
"$NCGEN" -o "$tmp/nothing.nc" "$tmp/nothing.cdl"
expect "a file without series" 2 "has no series (a variable over time alone); its variables: a, b" "$fc" stats "$tmp/nothing.nc"
cat >"$tmp/counted.cdl" <<CDL
netcdf counted {
dimensions: time = UNLIMITED ;
variables: double x(time) ;
data: x = 1, 2, 1, 2, 1, 2, 1 ;
}
CDL
"$NCGEN" -o "$tmp/counted.nc" "$tmp/counted.cdl"
awk 'BEGIN { printf "netcdf many {\ndimensions: time = UNLIMITED ;\nvariables:\n"
  for (k = 0; k < 257; k++) printf "  double v%d(time) ;\n", k
  printf "data:\n"; for (k = 0; k < 257; k++) printf " v%d = 1, 2 ;\n", k; printf "}\n" }' >"$tmp/many.cdl"
"$NCGEN" -o "$tmp/many.nc" "$tmp/many.cdl"
expect "more series than a table holds" 2 "many.nc has more than 256 series: name those to measure with --var" "$fc" stats "$tmp/many.nc"
expect "... one of them named" 0 "v256 " "$fc" stats "$tmp/many.nc" --var v256
expect "records without times: counted" 0 "7 records from t = 0 to 6 records" "$fc" stats "$tmp/counted.nc"
# Swings 2, 9 and 2 records apart: the CSV has their mean period, the table none.
cat >"$tmp/irregular.cdl" <<CDL
netcdf irregular {
dimensions: time = UNLIMITED ;
variables: double time(time) ; time:units = "s" ; double x(time) ;
data: time = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 ;
  x = 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 ;
}
CDL
"$NCGEN" -o "$tmp/irregular.nc" "$tmp/irregular.cdl"
expect "an irregular swing" 0 "" "$fc" stats "$tmp/irregular.nc" --csv
near "  its mean period in the CSV" "$(field 14)" 4.3333333333 1e-9
near "  its spread" "$(field 15)" 1.6153846154 1e-9
expect "  no period in the table" 0 "" "$fc" stats "$tmp/irregular.nc"
awk '$1 == "x" { exit !($12 == "-" && $13 == "162" && $15 == "-") }' "$tmp/err" && ok "  (spread 162 %, period -)" || bad "  the table's period"
expect "... and no Strouhal number from them" 2 "not a unit of time" "$fc" stats "$tmp/counted.nc" --length 1 --speed 1
finish
