# tests/e2e_lib.sh — what every end-to-end script shares; sourced after the
# script sets `suite` (its name in messages) and, to list each passing
# check, `show_ok=1`.  It moves to the project root, makes a scratch folder
# $work (removed on exit) and gives:
#   ok [WHAT]               count a passing check (WHAT shown with show_ok=1)
#   bad WHAT                count a failing check and say so on stderr
#   expect_status WANT GOT WHAT
#   finish                  print the tally; its status is 0 when nothing failed
#   $CSV_SPLIT_AWK          an awk function split_csv(line, out): the RFC 4180
#                           fields of one line (none holding a line break) into
#                           out[1..n]; returns n
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/engage-$suite.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
show_ok=${show_ok:-0}

ok() {
    passed=$((passed + 1))
    if [ "$show_ok" = 1 ] && [ $# -gt 0 ]; then echo "ok    $*"; fi
}
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
expect_status() { # expected actual what
    if [ "$1" = "$2" ]; then ok "$3: exit $2"; else bad "$3: exit $2, expected $1"; fi
}
expect_line() { # file pattern what: one line matching the pattern, perhaps with a hint
    if [ "$(grep -vc '^engage: hint: ' "$1")" = 1 ] && head -n 1 "$1" | grep -q "$2"; then
        ok "$3"
    else
        bad "$3: $(cat "$1")"
    fi
}
finish() {
    echo "$suite: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

CSV_SPLIT_AWK='function split_csv(line, out,    n, i, c, f, q) {
    n = 0; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"" && substr(line, i + 1, 1) == "\"") { f = f c; i++ }
            else if (c == "\"") q = 0
            else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = f; f = "" }
        else f = f c
    }
    out[++n] = f
    return n
}'
