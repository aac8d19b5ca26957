#!/bin/sh
# End-to-end checks of what engage keeps and what it prints:
#   - 100,000 columns (canonical, and a SurveyMonkey question spanning them)
#     are read well within a time limit, with and without a config.
#   usage: tests/e2e_bounds.sh ENGAGE
suite=e2e_bounds
show_ok=1
ENGAGE=$1
. "$(dirname "$0")/e2e_lib.sh"

same_text() { # want got what
    if [ "$1" = "$2" ]; then ok "$3"; else bad "$3: '$2', expected '$1'"; fi
}

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

finish
