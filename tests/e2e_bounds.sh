#!/bin/sh
# End-to-end checks of what engage keeps and what it prints:
#   - memory follows the rows kept: 20,000,000 rows of one respondent id
#     (streamed through a pipe) and 10,000,000 rows with a missing field
#     (a gzip file made here) run in a peak resident set under 100 MB, and
#     rejects.csv lists 100,000 rows of the reason and one line counting the
#     rest, while quality.csv and manifest.json keep the full counts;
#   - --all-rejects lists every row, in rejects.csv and in engage check;
#   - 100,000 columns (canonical, and a SurveyMonkey question spanning them)
#     are read well within a time limit, with and without a config;
#   - text from the input reaches the terminal escaped: no control
#     character of an answer, id, column or file name is printed raw.
# Under the sanitizers (ASAN_OPTIONS set, as `make test-asan` does) the big
# inputs are made smaller and peak memory is not measured.
#   usage: tests/e2e_bounds.sh ENGAGE
suite=e2e_bounds
show_ok=1
ENGAGE=$1
. "$(dirname "$0")/e2e_lib.sh"

if [ -n "${ASAN_OPTIONS:-}" ]; then
    duplicates=300000 missing=200000 measure=0
else
    duplicates=20000000 missing=10000000 measure=1
fi
limit_kb=102400 # 100 MB
listed=100000

# peak_rss FILE COMMAND...: run COMMAND (stdin passed on), write its peak
# resident set in KB into FILE; the status is COMMAND's.
peak_rss() {
    out=$1
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$out.time" "$@"
        status=$?
        tail -n 1 "$out.time" > "$out"
        return $status
    fi
    "$@" 0<&0 &
    pid=$!
    peak=0
    while kill -0 $pid 2> /dev/null; do
        hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2> /dev/null)
        if [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ]; then peak=$hwm; fi
        sleep 0.05
    done
    wait $pid
    status=$?
    echo $peak > "$out"
    return $status
}

check_rss() { # file what
    [ "$measure" = 1 ] || return 0
    kb=$(cat "$1")
    if [ "$kb" -gt 0 ] && [ "$kb" -lt $limit_kb ]; then ok "$2: peak memory $kb KB"
    else bad "$2: peak memory $kb KB, limit $limit_kb KB"; fi
}

same_text() { # want got what
    if [ "$1" = "$2" ]; then ok "$3"; else bad "$3: '$2', expected '$1'"; fi
}

# --- one respondent id, again and again ------------------------------------
{ echo respondent_id,manager_id,Q1; yes R1,M1,3 | head -n $duplicates; } |
    peak_rss "$work/dup.rss" "$ENGAGE" run -q -o "$work/dup" -
expect_status 0 $? "$duplicates rows of one id"
check_rss "$work/dup.rss" "$duplicates rows of one id"
same_text $((listed + 2)) "$(wc -l < "$work/dup/rejects.csv" | tr -d ' ')" "rejects.csv: header, $listed rows, one count"
same_text ",,,$((duplicates - 1 - listed)) more rows not listed: superseded by a later response with the same respondent id,current" \
    "$(tail -n 1 "$work/dup/rejects.csv")" "rejects.csv counts the rest"
same_text "-,2,R1,superseded by a later response with the same respondent id (-:3),current" \
    "$(sed -n 2p "$work/dup/rejects.csv" | sed "s/^'//")" "rejects.csv lists the first"
same_text "$duplicates,1,0,$((duplicates - 1))" "$(sed -n 2p "$work/dup/quality.csv" | cut -d, -f6-9)" \
    "quality.csv keeps the full counts"
tr -d ' \n' < "$work/dup/manifest.json" | grep -q "\"rows\":$duplicates,\"accepted\":1,\"rejected\":0,\"excluded\":$((duplicates - 1))" &&
    ok "manifest.json keeps the full counts" || bad "manifest.json row counts"
same_text "engagement,1,1" "$(sed -n 2p "$work/dup/managers.csv" | cut -d, -f1,3,12)" "the one respondent kept"

# --- a missing field, again and again (gzip) --------------------------------
{ echo respondent_id,manager_id,Q1; echo R0,M1,4; yes R1,M1 | head -n $missing; } | gzip -1 > "$work/missing.csv.gz"
peak_rss "$work/missing.rss" "$ENGAGE" run -q -o "$work/missing" "$work/missing.csv.gz"
expect_status 0 $? "$missing rows with a missing field"
check_rss "$work/missing.rss" "$missing rows with a missing field"
same_text $((listed + 2)) "$(wc -l < "$work/missing/rejects.csv" | tr -d ' ')" "rejects.csv: header, $listed rows, one count"
same_text ",,,$((missing - listed)) more rows not listed: a field count that differs from the header's,current" \
    "$(tail -n 1 "$work/missing/rejects.csv")" "rejects.csv counts the rest"
same_text "$((missing + 1)),1,$missing,0" "$(sed -n 2p "$work/missing/quality.csv" | cut -d, -f6-9)" \
    "quality.csv keeps the full counts"

# --- --all-rejects: every row listed -----------------------------------------
more=$((listed + 5))
{ echo respondent_id,manager_id,Q1; i=0; while [ $i -lt 3 ]; do echo "ok$i,M1,4"; i=$((i + 1)); done
  awk -v n=$more 'BEGIN { for (i = 1; i <= n; i++) printf "r%d,,3\n", i }'; } > "$work/nomanager.csv"
"$ENGAGE" run -q --min-group 3 -o "$work/capped" "$work/nomanager.csv"
expect_status 0 $? "run: $more rows without a manager"
same_text $((listed + 2)) "$(wc -l < "$work/capped/rejects.csv" | tr -d ' ')" "run: $listed rows and a count"
same_text ",,,5 more rows not listed: no manager,current" "$(tail -n 1 "$work/capped/rejects.csv")" "run: the count"
"$ENGAGE" run -q --min-group 3 --all-rejects -o "$work/all" "$work/nomanager.csv"
expect_status 0 $? "run --all-rejects"
same_text $((more + 1)) "$(wc -l < "$work/all/rejects.csv" | tr -d ' ')" "run --all-rejects: every row"
same_text "nomanager.csv,$((more + 4)),r$more,no manager (column 'manager_id' is empty),current" \
    "$(tail -n 1 "$work/all/rejects.csv" | sed 's|^.*/||')" "run --all-rejects: the last row"
"$ENGAGE" check --min-group 3 "$work/nomanager.csv" > "$work/check.txt"
expect_status 0 $? "check"
same_text $listed "$(grep -c '^rejected .*: no manager' "$work/check.txt")" "check: $listed rows"
same_text "rejected: 5 more rows not listed: no manager (--all-rejects lists them)" "$(tail -n 1 "$work/check.txt")" \
    "check: the count"
"$ENGAGE" check --min-group 3 --all-rejects "$work/nomanager.csv" > "$work/check-all.txt"
same_text $more "$(grep -c '^rejected .*: no manager' "$work/check-all.txt")" "check --all-rejects: every row"
"$ENGAGE" --help | grep -q -- '--all-rejects   (run, check) list every rejected' && ok "--help names --all-rejects" ||
    bad "--help lacks --all-rejects"
"$ENGAGE" ingest --all-rejects -o "$work/x.csv" "$work/nomanager.csv" 2> /dev/null
expect_status 64 $? "ingest --all-rejects"
"$ENGAGE" rerun -q "$work/all/manifest.json" -o "$work/all-again" > "$work/rerun.txt"
expect_status 0 $? "rerun of a run with --all-rejects"
grep -q '^identical  rejects.csv' "$work/rerun.txt" && ok "rerun: rejects.csv identical" || bad "rerun: $(cat "$work/rerun.txt")"

# --- 100,000 columns ---------------------------------------------------------
awk 'BEGIN {
    n = 100000
    printf "respondent_id,manager_id"; for (i = 1; i <= n; i++) printf ",q%d", i; printf "\n"
    for (r = 1; r <= 6; r++) { printf "R%d,M%d", r, r % 2; for (i = 1; i <= n; i++) printf ",%d", (i + r) % 5 + 1; printf "\n" }
}' > "$work/wide.csv"
timeout 10 "$ENGAGE" ingest -q -o "$work/wide-archive.csv.gz" "$work/wide.csv"
expect_status 0 $? "100,000 columns, no config: ingest"
same_text 100002 "$(gzip -dc "$work/wide-archive.csv.gz" | head -n 1 | tr ',' '\n' | wc -l | tr -d ' ')" \
    "100,000 columns: all in the archive"
printf '[report]\nmin_group = 3\n[scale engagement]\nitems = q5, q99999, q50000\nreverse = q5\n' > "$work/few.ini"
timeout 10 "$ENGAGE" run -q -c "$work/few.ini" -o "$work/wide-out" "$work/wide.csv"
expect_status 0 $? "100,000 columns, a config naming three: run"
same_text "engagement,6,2" "$(sed -n 2p "$work/wide-out/variance.csv" | cut -d, -f1-3)" "100,000 columns: variance.csv"
timeout 10 "$ENGAGE" check -c "$work/few.ini" "$work/wide.csv" > "$work/wide-check.txt"
expect_status 0 $? "100,000 columns: check"
grep -q "^  scale engagement: column G = q5, column EQXE = q99999, column BUYD = q50000$" "$work/wide-check.txt" &&
    ok "100,000 columns: check names each item's column" || bad "check: $(grep 'scale engagement:' "$work/wide-check.txt")"
# A later file with a column more than the first.
awk 'BEGIN { printf "respondent_id,manager_id,q1,q2,q3\nR9,M1,1,2,3\n" }' > "$work/extra.csv"
awk 'BEGIN { printf "respondent_id,manager_id,q1,q2\nR8,M1,1,2\n" }' > "$work/narrow.csv"
"$ENGAGE" check "$work/narrow.csv" "$work/extra.csv" > /dev/null 2> "$work/extra.err"
expect_status 65 $? "a later file with another column"
grep -q "extra.csv:1: column 'q3' is not in the first input's header" "$work/extra.err" && ok "names the column" ||
    bad "extra column: $(cat "$work/extra.err")"

# SurveyMonkey: one question whose statements span 100,000 columns.
awk 'BEGIN {
    n = 100000
    printf "Respondent ID,Collector ID,Manager,How much?"; for (i = 2; i <= n; i++) printf ","; printf "\n"
    printf ",,Response"; for (i = 1; i <= n; i++) printf ",S%d", i; printf "\n"
    for (r = 1; r <= 6; r++) { printf "%d,7,M%d", r, r % 2; for (i = 1; i <= n; i++) printf ",%d", (i + r) % 5 + 1; printf "\n" }
}' > "$work/wide-monkey.csv"
printf '[input]\nmanager = Manager\n[report]\nmin_group = 3\n[scale engagement]\nitems = How much? - S1, How much? - S100000\n' \
    > "$work/monkey.ini"
timeout 10 "$ENGAGE" run -q -c "$work/monkey.ini" -o "$work/monkey-out" "$work/wide-monkey.csv"
expect_status 0 $? "SurveyMonkey, a question over 100,000 columns"
same_text "engagement,How much? - S1,6;engagement,How much? - S100000,6;" \
    "$(tail -n +2 "$work/monkey-out/items.csv" | cut -d, -f1-3 | tr '\n' ';')" "SurveyMonkey: both items read"

# --- control characters from the input stay escaped ---------------------------
esc=$(printf '\033')
has_raw_control() { LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; }
"$ENGAGE" run -c tests/bad/control_label.ini -o "$work/ctl" tests/bad/control_label.csv 2> "$work/ctl.err"
expect_status 65 $? "unknown answers with escape sequences"
same_text 7 "$(wc -l < "$work/ctl.err" | tr -d ' ')" "a summary, one line per unknown answer, the hint and the block"
if has_raw_control "$work/ctl.err"; then bad "a raw control character reached stderr"; else ok "stderr holds no raw control character"; fi
grep -qF "control_label.csv:3: '\\x1b]0;owned\\x1b\\': once, column Q2" "$work/ctl.err" && ok "the title sequence is shown escaped" ||
    bad "escaped answer: $(cat "$work/ctl.err")"
# an answer the terminal shows escaped cannot be pasted back: a comment, not a label
grep -qF "; '\\x1b]0;owned\\x1b\\' (tests/bad/control_label.csv:3) cannot be written as a label" "$work/ctl.err" &&
    ok "the block comments out an answer shown escaped" || bad "block: $(cat "$work/ctl.err")"

# ids, a column name and a manager with control characters, through engage check
printf 'respondent_id,manager_id,"Q\0331"\n"r\n1",m1,9\nr2,"m\033[2J",4\nr3,m1,4\nr4,m1,4\n' > "$work/ctl-ids.csv"
printf '[report]\nmin_group = 3\n[scale engagement]\nitems = "Q%s1"\n' "$esc" > "$work/ctl-ids.ini"
"$ENGAGE" check -c "$work/ctl-ids.ini" "$work/ctl-ids.csv" > "$work/ctl-check.txt" 2>&1
expect_status 0 $? "check of ids with control characters"
if has_raw_control "$work/ctl-check.txt"; then bad "a raw control character reached stdout"; else ok "check prints no raw control character"; fi
grep -qF "rejected $work/ctl-ids.csv:2: r\\n1: column 'Q\\x1b1': '9' is outside the scale's range 1..5" "$work/ctl-check.txt" &&
    ok "check: the rejected row on one line, escaped" || bad "check: $(grep rejected "$work/ctl-check.txt")"
grep -qF "column C = Q\\x1b1" "$work/ctl-check.txt" && ok "check: the column name escaped" || bad "check: column name"
# a file name with control characters, in an error and in a note
"$ENGAGE" run -o "$work/x" "$work/no${esc}[2Jsuch.csv" 2> "$work/ctl-name.err"
expect_status 66 $? "missing file with an escape in its name"
grep -qF "engage: $work/no\\x1b[2Jsuch.csv: " "$work/ctl-name.err" && ok "the file name is escaped" ||
    bad "file name: $(cat "$work/ctl-name.err")"
if has_raw_control "$work/ctl-name.err"; then bad "a raw escape in the missing-file message"; else ok; fi

finish
