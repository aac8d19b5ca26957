#!/bin/sh
# tests/e2e_algebra.sh ENGAGE GEN ATTACK — hidden teams under algebra.
#
# ATTACK (tests/privacy/attack.c) works out, from every published number of
# a run (pooled totals, sums of squares, the REML optimum, the items), how
# much can be known about each hidden team's mean.  Here it is run:
#  (a) on quarters made so that the algebra has few unknowns — two hidden
#      teams (of 2, and of 5 hidden by the secondary rule), three (1, 2, 3),
#      four (1, 2, 3, 4), and a previous wave with two hidden teams — given
#      the analyst's variance_all_teams.csv as if it were published: it must
#      find every hidden team's true mean exactly (so the attack works), and
#      given what engage publishes: every hidden team's mean must stay an
#      interval holding the truth, never a point;
#  (b) on the sample quarter and on a generated quarter of many small teams
#      in units, with and without a previous wave: the published
#      decompositions must hold no hidden team (their grand mean, SS_between
#      and F reproduce from the published teams alone, the previous wave's
#      sds recovered from the Welch intervals) and no hidden team of fewer
#      than min_group people may be pinned to a point.
suite=e2e_algebra
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ATTACK=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
. "$(dirname "$0")/e2e_lib.sh"

# quarter FILE SEED TEAMS...: a canonical quarter, 5 items on 1..5, whole
# answers, every item answered; TEAMS are NAME:SIZE:CENTRE.
quarter() {
    file=$1 seed=$2
    shift 2
    echo "$*" | awk -v seed="$seed" '
    BEGIN { srand(seed); print "respondent_id,manager_id,Q1,Q2,Q3,Q4,Q5" }
    {
        r = 0
        for (t = 1; t <= NF; t++) {
            split($t, p, ":")
            for (i = 0; i < p[2]; i++) {
                person = (rand() - 0.5) * 1.6
                line = sprintf("R%05d,%s", ++r + seed * 1000, p[1])
                for (q = 1; q <= 5; q++) {
                    a = int(p[3] + person + (rand() - 0.5) * 2.2 + 0.5)
                    line = line "," (a < 1 ? 1 : a > 5 ? 5 : a)
                }
                print line
            }
        }
    }' > "$file"
}

shown_teams="S01:6:3.1 S02:7:3.6 S03:8:2.8 S04:9:3.9 S05:10:3.3 S06:11:2.6 S07:12:4.1 S08:13:3.4 S09:14:3.0 S10:15:3.7"

# check_solved OUTPUT LABEL: with the all-teams figures, every hidden team
# is pinned to its true mean
check_solved() {
    if grep -q '^decomposition .*; solved$' "$1"; then
        ok "$2: the attack solves the all-teams decomposition"
    else
        bad "$2: the attack did not solve the all-teams figures: $(grep '^decomposition' "$1" | tr '\n' ' ')"
    fi
    bad_teams=$(awk '/^team / {
        split($6, r, "="); split(r[2], b, "\\.\\."); split($7, t, "=")
        if ($7 !~ /^truth=/ || b[2] - b[1] > 1e-6 || (b[1] - t[2]) ^ 2 > 1e-12) print $4 " " $6 " " $7 }' "$1")
    teams=$(grep -c '^team ' "$1")
    if [ -z "$bad_teams" ] && [ "$teams" -gt 0 ]; then
        ok "$2: $teams hidden teams' means recovered exactly from the all-teams figures"
    else
        bad "$2: hidden teams not recovered from the all-teams figures: $bad_teams"
    fi
}

# check_hidden OUTPUT LABEL K: with what engage publishes, the decompositions
# hold no hidden team, and every hidden team smaller than K keeps an
# interval of means (holding the truth when it is known)
check_hidden() {
    if grep '^decomposition' "$1" | grep -v 'published teams only (grand mean and SS_between recomputed from them: agree;' |
        grep -v ': not published$' | grep -q .; then
        bad "$2: a published decomposition involves hidden teams: $(grep '^decomposition' "$1" | tr '\n' ' ')"
    else
        ok "$2: every published decomposition reproduces from the published teams alone"
    fi
    pinned=$(awk -v k="$3" '/^team / {
        split($5, nn, "="); split($6, r, "="); split(r[2], b, "\\.\\.")
        truth = ""; for (i = 7; i <= NF; i++) if ($i ~ /^truth=/) { split($i, t, "="); truth = t[2] }
        if (nn[2] < k && b[2] - b[1] < 1e-6) print $4 " pinned"
        if (truth != "" && (truth < b[1] - 1e-9 || truth > b[2] + 1e-9)) print $4 " truth outside " r[2] }' "$1")
    teams=$(grep -c '^team ' "$1")
    if [ -z "$pinned" ] && [ "$teams" -gt 0 ]; then
        ok "$2: $teams hidden teams, none of fewer than $3 pinned"
    else
        bad "$2: $teams hidden teams; $pinned"
    fi
}

# --- (a) few unknowns ------------------------------------------------------
for case in "two H2:2:4.6 H5:5:1.8" "three H1:1:4.8 H2:2:1.5 H3:3:4.2" "four H1:1:1.2 H2:2:4.9 H3:3:4.4 H4:4:1.7"; do
    set -- $case
    name=$1
    shift
    quarter "$work/$name.csv" 11 "$shown_teams $*"
    if "$ENGAGE" run -q -o "$work/$name" "$work/$name.csv"; then ok; else bad "$name: engage run failed"; continue; fi
    "$ATTACK" "$work/$name" --variance "$work/$name/variance_all_teams.csv" --truth "$work/$name.csv" \
        > "$work/$name.all" || bad "$name: attack failed on the all-teams figures"
    check_solved "$work/$name.all" "$name hidden teams"
    "$ATTACK" "$work/$name" --truth "$work/$name.csv" > "$work/$name.pub" ||
        bad "$name: attack failed on the published figures"
    check_hidden "$work/$name.pub" "$name hidden teams" 5
done

# a previous wave whose teams P2 (2) and P5 (5, hidden by the previous
# wave's own secondary rule) have hidden change rows
quarter "$work/now.csv" 21 "$shown_teams P2:8:3.2 P5:8:3.5"
quarter "$work/before.csv" 22 "$shown_teams P2:2:4.7 P5:5:1.6"
if "$ENGAGE" run -q -o "$work/previous" --previous "$work/before.csv" "$work/now.csv"; then ok; else bad "waves: engage run failed"; fi
"$ATTACK" "$work/previous" --variance "$work/previous/variance_all_teams.csv" --truth "$work/now.csv" \
    --truth-previous "$work/before.csv" > "$work/previous.all" || bad "waves: attack failed on the all-teams figures"
if grep -q '^decomposition previous .*; solved$' "$work/previous.all"; then
    ok "previous wave: the attack solves the all-teams previous decomposition"
else
    bad "previous wave: not solved: $(grep '^decomposition previous' "$work/previous.all")"
fi
grep -e '^team previous' -e '^decomposition previous' "$work/previous.all" > "$work/previous.all.previous"
check_solved "$work/previous.all.previous" "previous wave"
"$ATTACK" "$work/previous" --truth "$work/now.csv" --truth-previous "$work/before.csv" > "$work/previous.pub" ||
    bad "waves: attack failed on the published figures"
check_hidden "$work/previous.pub" "previous wave" 5
# the previous wave's shown sds are not published, but its Welch intervals give them
if grep -q '^decomposition previous .*F from their sds agrees' "$work/previous.pub"; then
    ok "previous wave: F follows from the shown teams' sds, recovered from the Welch intervals"
else
    bad "previous wave: F not reproduced from the Welch intervals: $(grep '^decomposition previous' "$work/previous.pub")"
fi

# --- (b) the test datasets ---------------------------------------------------
if "$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/sample" datasets/sample-quarter.csv.gz; then
    "$ATTACK" "$work/sample" > "$work/sample.pub" || bad "sample: attack failed"
    check_hidden "$work/sample.pub" "sample quarter" 5
else
    bad "the sample quarter did not run"
fi

# many small teams in units (min_group 10), with and without a previous wave
mkdir "$work/gen"
( cd "$work/gen" && "$GEN" --respondents 3000 --items 6 --seed 7 --format googleforms --roster roster.csv --config quarter.ini \
      -o now.csv.gz && "$GEN" --respondents 2800 --items 6 --seed 8 --format googleforms -o previous.csv.gz ) ||
    bad "engage-gen failed"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { m = substr($2, 2) + 0; $3 = $3 "-" m % 9; print }' \
    "$work/gen/roster.csv" > "$work/gen/units.csv"
sed -e 's/^file = roster.csv/file = units.csv/' -e '/^min_group/d' "$work/gen/quarter.ini" > "$work/gen/C.ini"
printf '\n[report]\nmin_group = 10\n' >> "$work/gen/C.ini"
"$ENGAGE" ingest -q -c "$work/gen/C.ini" -o "$work/gen/now.csv" "$work/gen/now.csv.gz" ||
    bad "engage ingest of the generated quarter failed"
{ echo manager_id,unit; awk -F, 'NR > 1 { print $2 "," $3 }' "$work/gen/now.csv" | sort -u; } > "$work/gen/unit-of.csv"
for run in units waves; do
    set -- "$work/gen/now.csv"
    [ $run = waves ] && set -- --previous "$work/gen/previous.csv.gz" "$@"
    if "$ENGAGE" run -q -c "$work/gen/C.ini" -o "$work/$run" "$@"; then
        "$ATTACK" "$work/$run" --units "$work/gen/unit-of.csv" > "$work/$run.pub" || bad "$run: attack failed"
        check_hidden "$work/$run.pub" "generated quarter ($run)" 10
        pools=$(grep -c '^team .* pool=[^n]' "$work/$run.pub")
        if [ "$pools" -gt 0 ]; then ok "$run: $pools hidden teams under a pooled total"; else bad "$run: no pooled total was used"; fi
    else
        bad "the generated quarter ($run) did not run"
    fi
done

finish
