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
# full_disk_case WHAT PAGES PATTERN ARGS...: engage ARGS (writing into
# $work/tiny/out) on a tmpfs of PAGES + 3 pages mounted at $work/tiny: exit
# 74, one engage line matching PATTERN and nothing else, nothing left on the
# disk.  Skipped, with a note, unless root can mount a tmpfs.
full_disk_case() {
    fd_what=$1 fd_size=$(( ($2 + 3) * 4 ))k fd_pattern=$3
    shift 3
    if [ "$(id -u)" != 0 ] || ! mkdir -p "$work/tiny"; then
        echo "note: $fd_what: skipped (needs root and tmpfs)" >&2
        return 0
    fi
    if ! mount -t tmpfs -o size=$fd_size tmpfs "$work/tiny" 2> /dev/null; then
        echo "note: $fd_what: skipped (no tmpfs)" >&2
        return 0
    fi
    "$ENGAGE" "$@" 2> "$work/full.err"
    expect_status 74 $? "$fd_what ($fd_size tmpfs)"
    expect_line "$work/full.err" "$fd_pattern" "$fd_what: one engage line"
    if grep -q 'ERROR\|tmp-' "$work/full.err"; then bad "$fd_what: lines besides engage's own"; else ok; fi
    if [ -z "$(ls -A "$work/tiny")" ]; then ok; else bad "$fd_what: left $(ls -A "$work/tiny")"; fi
    umount "$work/tiny"
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
