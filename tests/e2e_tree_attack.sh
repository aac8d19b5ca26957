#!/bin/sh
# tests/e2e_tree_attack.sh ENGAGE GEN TREE_ATTACK — the insider's algebraic
# attack across every level of the reporting tree.
#
# TREE_ATTACK (tests/privacy/tree_attack.c) takes the roster (the tree, each
# team's unit) and every published table — managers.csv, leaders.csv,
# units.csv, scales.csv, changes.csv and the previous company in
# variance.csv — and solves exactly for every sum over hidden teams the
# tables determine; with the canonical truth it checks each such sum.  Run
# under `timeout` on trees from `engage-gen --hierarchy` with many small
# teams (depths 4 to 7, spans 1 to 15, response rates that make teams of
# about min_group, min_group 3, 5 and 10), each (i) without units, (ii) with
# `[report] unit_depth = 2`, (iii) with roster unit columns that cut across
# the tree (units by employee number; and the divisions with every seventh
# employee moved to another's), and three trees also with a previous wave:
# it must find nothing below min_group, its search must be complete, and
# every determined total must equal the truth.  Then the other direction:
# an outputs folder doctored so that one suppressed org of leaders.csv (and,
# in another copy, one suppressed team of managers.csv) is filled in from the
# truth must give away the group it protected, at its true total; and a
# hand-made crossing of orgs and units, where two teams of one in different
# orgs are the company minus a unit though neither's cell is determined,
# must be found (and nothing once that unit is hidden).
#   usage: tests/e2e_tree_attack.sh ENGAGE GEN TREE_ATTACK
suite=e2e_tree_attack
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ATTACK=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
. "$(dirname "$0")/e2e_lib.sh"
limit=120   # seconds for any one step

# attack KEY OUTDIR ROSTER K [ATTACK OPTIONS...]: runs the attack into
# $work/KEY.attack; its exit status
attack() {
    a_key=$1 a_out=$2 a_roster=$3 a_k=$4
    shift 4
    timeout "$limit" "$ATTACK" "$a_out" --roster "$a_roster" --min-group "$a_k" --reverse Q6 --explain "$@" > "$work/$a_key.attack"
}

# expect_nothing KEY LABEL STATUS: the attack found nothing, solved
# something, and every determined total agreed with the truth
expect_nothing() {
    systems=$(grep -c '^system .*search complete, leaks 0, truth checks [1-9][0-9]* (wrong 0)$' "$work/$1.attack")
    if [ "$3" = 0 ] && [ "$systems" -ge 2 ] && ! grep -q -e '^leak' -e '^shown' -e '^wrong' "$work/$1.attack"; then
        ok "$2: nothing below min_group in $systems systems ($(awk '/^system current [^ ]* sum:/ {
            sub(/.*hidden /, "hidden "); sub(/, teams determined.*cells /, ", cells "); sub(/, small span.*/, ""); print }' \
            "$work/$1.attack")), every determined total the truth"
    else
        bad "$2: attack exit $3: $(grep -e '^leak' -e '^shown' -e '^wrong' -e '^system' "$work/$1.attack" | head -8)"
    fi
}

# true_group ROSTER TRUTH ID: n, mean and sd of leader ID's org (a team's
# manager with a "team:" prefix) from the canonical truth, scored as engage
# scores the generated scale (Q6 reversed on 1..5, half the items answered)
true_group() {
    awk -F, -v want="$3" '
        FILENAME == ARGV[1] { if (FNR > 1) up[$1] = ($3 == $1 ? "" : $3); next }
        FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "Q1") first = i; next }
        {
            answered = 0; s = 0
            for (i = first; i <= NF; i++) if ($i != "") { answered++; s += (i == NF ? 6 - $i : $i) }
            if (answered < (NF - first + 1) / 2) next
            y = s / answered
            if ("team:" $2 == want) { n++; sum += y; sq += y * y }
            for (m = $2; m != ""; m = up[m]) if (m == want) { n++; sum += y; sq += y * y }
        }
        END { if (n > 1) printf "%d %.15g %.15g\n", n, sum / n, sqrt((sq - sum * sum / n) / (n - 1)) }' "$1" "$2"
}

# gen NAME RESPONDENTS DEPTH SEED RESPONSE: a tree, its export and config
gen() {
    timeout "$limit" "$GEN" --hierarchy --respondents "$2" --depth "$3" --seed "$4" --response "$5" \
        --roster "$work/$1-roster.csv" --config "$work/$1.ini" -o "$work/$1.csv.gz"
}

# --- nothing below min_group, at every level --------------------------------
runs=0
for case in "a 3000 4 11 0.55 5" "b 4000 5 12 0.45 3" "c 3500 6 13 0.9 10" "d 2500 7 14 0.5 5" \
            "e 5000 6 15 0.95 10" "f 3000 5 16 0.7 3"; do
    set -- $case
    tree=$1 respondents=$2 depth=$3 seed=$4 response=$5 k=$6
    if ! gen "$tree" "$respondents" "$depth" "$seed" "$response"; then bad "tree $tree: engage-gen failed"; continue; fi
    # (iii) unit columns that cut across the tree: units by employee number,
    # and units that follow the divisions (depth 2) but for every seventh
    # employee, whose unit is that of the employee 40 rows up (a manager's
    # row comes before their reports')
    awk -F, 'BEGIN { OFS = "," } NR > 1 { $6 = "U" (substr($1, 2) * 7 % 5) } { print }' \
        "$work/$tree-roster.csv" > "$work/$tree-cross.csv"
    awk -F, 'BEGIN { OFS = "," }
        NR > 1 {
            d[$1] = ($3 == $1 || $3 == "") ? 1 : d[$3] + 1
            division[$1] = d[$1] <= 2 ? $1 : division[$3]
            row[NR] = $1
            $6 = "D" division[$1]
            if (NR > 41 && substr($1, 2) % 7 == 0) $6 = "D" division[row[NR - 40]]
        }
        { print }' "$work/$tree-roster.csv" > "$work/$tree-near.csv"
    for units in none depth2 cross near; do
        name="tree $tree (depth $depth, $respondents respondents, seed $seed, response $response, min_group $k, units $units)"
        config=$work/$tree-$units.ini
        case $units in
        none) sed -e '/^unit = /d' "$work/$tree.ini" > "$config" ;;
        depth2) sed -e '/^unit = /d' -e 's/^\[report\]$/[report]\nunit_depth = 2/' "$work/$tree.ini" > "$config" ;;
        cross | near) sed -e "s|^file = .*|file = $tree-$units.csv|" "$work/$tree.ini" > "$config" ;;
        esac
        roster=$work/$tree-roster.csv
        case $units in cross | near) roster=$work/$tree-$units.csv ;; esac
        out=$work/$tree-$units
        timeout "$limit" "$ENGAGE" run -q -c "$config" --min-group "$k" -o "$out" "$work/$tree.csv.gz"
        expect_status 0 $? "$name: engage run"
        timeout "$limit" "$ENGAGE" ingest -q -c "$config" -o "$out.truth.csv" "$work/$tree.csv.gz"
        expect_status 0 $? "$name: engage ingest"
        [ "$units" = none ] && [ -e "$out/units.csv" ] && bad "$name: units.csv without units"
        [ "$units" != none ] && [ ! -e "$out/units.csv" ] && bad "$name: no units.csv"
        set -- --truth "$out.truth.csv"
        [ "$units" = depth2 ] && set -- "$@" --unit-depth 2
        attack "$tree-$units" "$out" "$roster" "$k" "$@"
        expect_nothing "$tree-$units" "$name" $?
        runs=$((runs + 1))
    done
done

# a previous wave of the same roster: the current export with every fifth
# respondent dropped and the answers moved, each tree's units as above
for tree in a d e; do
    k=$(awk -v t=$tree 'BEGIN { print (t == "e" ? 10 : 5) }')
    gzip -dc "$work/$tree.csv.gz" | awk -F, 'BEGIN { OFS = "," }
        NR == 1 { print; next } NR % 5 == 0 { next }
        { for (i = 2; i <= NF; i++) if ($i != "") $i = ($i + NR) % 5 + 1; print }' > "$work/$tree-previous.csv"
    for units in none depth2 cross near; do
        name="tree $tree with a previous wave (min_group $k, units $units)"
        config=$work/$tree-$units.ini out=$work/$tree-$units-waves
        roster=$work/$tree-roster.csv
        case $units in cross | near) roster=$work/$tree-$units.csv ;; esac
        timeout "$limit" "$ENGAGE" run -q -c "$config" --min-group "$k" -o "$out" \
            --previous "$work/$tree-previous.csv" "$work/$tree.csv.gz"
        expect_status 0 $? "$name: engage run"
        timeout "$limit" "$ENGAGE" ingest -q -c "$config" -o "$out.previous.csv" "$work/$tree-previous.csv"
        expect_status 0 $? "$name: engage ingest of the previous wave"
        set -- --truth "$work/$tree-$units.truth.csv" --truth-previous "$out.previous.csv"
        [ "$units" = depth2 ] && set -- "$@" --unit-depth 2
        attack "$tree-$units-waves" "$out" "$roster" "$k" "$@"
        status=$?
        if grep -q '^system previous .*truth checks [1-9]' "$work/$tree-$units-waves.attack"; then
            ok "$name: the previous wave attacked"
        else
            bad "$name: no previous wave in the attack"
        fi
        expect_nothing "$tree-$units-waves" "$name" $status
        runs=$((runs + 1))
    done
done

# --- the other direction: a doctored folder gives its group away ------------
# doctor TABLE ID_FIELD N_FIELD MEAN_FIELD SD_FIELD SUPPRESSED_FIELD OUT PREFIX:
# fills in the first suppressed row of min_group or more of OUT/TABLE from
# the truth; prints the id
doctor() {
    table=$1 idf=$2 nf=$3 meanf=$4 sdf=$5 supf=$6 out=$7 prefix=$8
    id=$(awk -F, -v idf="$idf" -v nf="$nf" -v supf="$supf" -v k="$k" \
        'NR > 1 && $idf != "" && $supf == 1 && $nf >= k { print $idf; exit }' "$out/$table")
    [ -n "$id" ] || return 1
    set -- $(true_group "$roster" "$truth" "$prefix$id")
    [ $# = 3 ] || return 1
    awk -F, -v OFS=, -v id="$id" -v idf="$idf" -v nf="$nf" -v meanf="$meanf" -v sdf="$sdf" -v supf="$supf" \
        -v n="$1" -v mean="$2" -v sd="$3" \
        '$idf == id && NR > 1 { if ($nf != n) exit 1; $meanf = mean; $sdf = sd; $supf = 0 } { print }' \
        "$out/$table" > "$out/$table.new" && mv "$out/$table.new" "$out/$table" || return 1
    echo "$id"
}

# expect_leak KEY LABEL STATUS: the attack found a group below min_group
# and its true total, nothing disagreeing
expect_leak() {
    leaks=$(grep -c '^leak current' "$work/$1.attack")
    wrongs=$(awk '/^leak/ { split($6, v, "="); split($7, t, "="); d = v[2] - t[2]; if (d * d > 1e-12) print }
                  /^wrong/' "$work/$1.attack")
    if [ "$3" = 1 ] && [ "$leaks" -gt 0 ] && [ -z "$wrongs" ] && grep -q '^leak current .* truth=' "$work/$1.attack"
    then
        ok "$2: $leaks groups below min_group found, at their true totals: $(grep '^leak' "$work/$1.attack" | head -1)"
    else
        bad "$2: attack exit $3, leaks $leaks: $wrongs $(grep -e '^system' "$work/$1.attack" | head -3)"
    fi
}

k=5 roster=$work/a-roster.csv truth=$work/a-none.truth.csv
for what in leaders managers; do
    copy=$work/doctored-$what
    cp -r "$work/a-none" "$copy"
    if [ $what = leaders ]; then id=$(doctor leaders.csv 2 11 12 13 21 "$copy" "")
    else id=$(doctor managers.csv 2 3 4 5 12 "$copy" "team:"); fi
    if [ -z "$id" ]; then bad "doctored $what.csv: no suppressed row of $k or more to fill in"; continue; fi
    attack "doctored-$what" "$copy" "$roster" "$k" --truth "$truth"
    expect_leak "doctored-$what" "tree a with $what.csv's hidden $id filled in" $?
done

# --- a group that no cell is: the search over the span ---------------------
# Top T over L1 (teams MA of 6 and MB of 1) and L2 (teams MC of 6 and MD of
# 1); unit X holds MA and MC, unit Y MB and MD.  Published: the company, T,
# L1, L2 and unit X; every team, the orgs of MA..MD and unit Y hidden.  Then
# MB + MD = company − X (2 people at min_group 5), though MB's and MD's
# cells (each alone) are not determined; with X hidden too, nothing is.
mkdir "$work/fixture"
{
    echo employee_id,manager_id,unit
    printf '%s\n' T,T,Z L1,T,Z L2,T,Z MA,L1,X MB,L1,Y MC,L2,X MD,L2,Y
    for p in 1 2 3 4 5 6; do echo "A$p,MA,Z"; echo "C$p,MC,Z"; done
    echo B1,MB,Z; echo D1,MD,Z
} > "$work/fixture/roster.csv"
{
    echo respondent_id,manager_id,Q1,Q2
    for a in 4:MA 4:MA 3:MA 5:MA 2:MA 4:MA 5:MB 3:MC 3:MC 4:MC 2:MC 5:MC 1:MC 2:MD; do
        echo "R$((r = ${r:-0} + 1)),${a#*:},${a%:*},${a%:*}"
    done
} > "$work/fixture/truth.csv"
# figures NAME SUPPRESSED TEAMS...: a row's n, mean, sd, suppressed from the truth
figures() {
    awk -F, -v teams=" $* " -v sup="$2" 'NR > 1 && index(teams, " " $2 " ") { n++; s += $3; q += $3 * $3 }
        END { if (sup == 1) printf "%d,,,1\n", n
              else printf "%d,%.12g,%.12g,0\n", n, s / n, sqrt((q - s * s / n) / (n - 1)) }' "$work/fixture/truth.csv"
}
for variant in leaky safe; do
    out=$work/fixture/$variant
    mkdir "$out"
    { echo scale,manager_id,n,mean,sd,suppressed
      for m in MA MB MC MD; do echo "engagement,$m,$(figures $m 1 $m)"; done; } > "$out/managers.csv"
    { echo scale,leader_id,n,mean,sd,suppressed
      echo "engagement,,$(figures company 0 MA MB MC MD)"
      echo "engagement,T,$(figures T 0 MA MB MC MD)"
      echo "engagement,L1,$(figures L1 0 MA MB)"
      echo "engagement,L2,$(figures L2 0 MC MD)"
      for m in MA MB MC MD; do echo "engagement,$m,$(figures $m 1 $m)"; done; } > "$out/leaders.csv"
    x=0; [ $variant = safe ] && x=1
    { echo scale,unit,n,mean,sd,suppressed
      echo "engagement,X,$(figures X $x MA MC)"
      echo "engagement,Y,$(figures Y 1 MB MD)"
      echo "engagement,Z,0,,,1"; } > "$out/units.csv"
    attack "fixture-$variant" "$out" "$work/fixture/roster.csv" 5 --truth "$work/fixture/truth.csv"
    status=$?
    cells=$(grep -c '^cell current engagement sum n=1 teams=1 undetermined teams=M[BD]$' "$work/fixture-$variant.attack")
    if [ $variant = leaky ]; then
        if [ $status = 1 ] && [ "$cells" = 2 ] &&
            grep -q '^leak current engagement sum n=2 value=7 truth=7 teams=MB,MD via=+company,-unit:X$' "$work/fixture-$variant.attack"
        then ok "hand-made crossing: MB + MD (2 people) found as company − unit X, their cells undetermined"
        else bad "hand-made crossing: exit $status, $cells undetermined cells: $(grep -e '^leak' -e '^system' -e '^wrong' "$work/fixture-$variant.attack")"; fi
    else
        expect_nothing "fixture-$variant" "hand-made crossing with unit X hidden" $status
    fi
done

[ "$runs" -ge 36 ] && ok "$runs attacked runs" || bad "only $runs attacked runs"
finish
