# lib.sh: helpers for the shell tests, sourced by cli.sh and crash.sh.
# Each check prints "ok" or "FAIL" with its name; `finish` prints the plain closing line
# "N passed, N failed" and exits 1 if anything failed.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}" "${NCDUMP:=ncdump}" "${NCGEN:=ncgen}"
fc="$top_builddir/src/flowcast"
inputs="$top_srcdir/inputs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowcast-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; [ -f "$tmp/err" ] && sed 's/^/    | /' "$tmp/err"; }

# expect NAME RC 'text the output must hold' CMD ARGS...: runs CMD, checks its exit status and
# that stdout+stderr contain the text (fixed string; '' for any).
expect() {
  name=$1 want=$2 text=$3
  shift 3
  "$@" >"$tmp/err" 2>&1
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name (exit $rc, expected $want)"
  elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
    bad "$name (output lacks: $text)"
  else
    ok "$name"
  fi
}

# absent NAME FILE: the file must not exist.
absent() { if [ -e "$2" ]; then bad "$1 ($2 was created)"; else ok "$1"; fi; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
