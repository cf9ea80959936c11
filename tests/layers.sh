#!/bin/sh
# layers.sh: the three floors of docs/ARCHITECTURE.md hold. The core (src/core) includes and
# calls nothing above it; the solvers (solvers/) and ml (ml/) include and call only the core and
# not each other; the program (src/cli, src/bench, src/plot, validation) sits on top. Every #include names
# its folder from the top of the tree, so that a file cannot reach a header beside it unseen.
. "${top_srcdir:-.}/tests/lib.sh"

floor() {
  case $1 in
    src/core/*) echo core ;;
    solvers/*) echo solvers ;;
    ml/*) echo ml ;;
    src/cli/* | src/bench/* | src/plot/* | validation/*) echo program ;;
    tests/*) echo tests ;;
    *) echo unknown ;;
  esac
}
# may_include FLOOR TARGET_FLOOR
may_include() {
  case "$1:$2" in
    core:core | solvers:core | solvers:solvers | ml:core | ml:ml) return 0 ;;
    program:core | program:solvers | program:ml | program:program) return 0 ;;
    tests:*) return 0 ;;
  esac
  return 1
}

cd "$top_srcdir" || exit 99
files=$(find src solvers ml validation tests -name '*.[ch]' -o -name '*.cu' | grep -v '^tests/fuzz/\(corpus\|regressions\)' | sort)
[ -n "$files" ] || { echo "no sources found"; exit 99; }
: >"$tmp/crossings"
: >"$tmp/relative"
n=0
for f in $files; do
  from=$(floor "$f")
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    n=$((n + 1))
    if [ ! -f "$inc" ]; then
      echo "$f: #include \"$inc\"" >>"$tmp/relative"
      continue
    fi
    to=$(floor "$inc")
    may_include "$from" "$to" || echo "$f ($from) includes $inc ($to)" >>"$tmp/crossings"
  done
done
[ "$n" -gt 200 ] && ok "read $n includes" || bad "read only $n includes"
if [ -s "$tmp/relative" ]; then
  bad "includes not named from the top of the tree: $(cat "$tmp/relative")"
else
  ok "every #include names its folder from the top of the tree"
fi
if [ -s "$tmp/crossings" ]; then
  bad "includes that cross a floor: $(cat "$tmp/crossings")"
else
  ok "no file includes a header from a floor above it (or from its neighbour)"
fi

# The same at link level: no library calls up. Symbols a floor's library needs but does not
# define must not be defined by a library above it.
command -v nm >/dev/null 2>&1 || { echo "skip: no nm"; finish; }
defined() { nm -g --defined-only "$top_builddir/$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
needed() { nm -g --undefined-only "$top_builddir/$1" 2>/dev/null | awk '{ print $NF }' | sort -u; }
cd - >/dev/null || exit 99
for lib in libflowcast_core.a libflowcast_models.a libflowcast_app.a; do
  [ -f "$top_builddir/$lib" ] || { bad "$lib is not built"; finish; }
done
defined libflowcast_models.a >"$tmp/models"
defined libflowcast_app.a >"$tmp/app"
cat "$tmp/models" "$tmp/app" | sort -u >"$tmp/above_core"
needed libflowcast_core.a | comm -12 - "$tmp/above_core" >"$tmp/up"
if [ -s "$tmp/up" ]; then
  bad "the core library calls up into solvers, ml or the program: $(tr '\n' ' ' <"$tmp/up")"
else
  ok "the core library calls nothing above it ($(needed libflowcast_core.a | wc -l) outside symbols, all from system libraries)"
fi
needed libflowcast_models.a | comm -12 - "$tmp/app" >"$tmp/up"
if [ -s "$tmp/up" ]; then
  bad "solvers or ml call up into the program: $(tr '\n' ' ' <"$tmp/up")"
else
  ok "solvers and ml call nothing in the program"
fi
finish
