#!/bin/sh
# End-to-end tests of heatmap.csv on generated quarters (a reporting tree
# from engage-gen --hierarchy, a flat quarter of small teams, and one in
# roster units), all with missing answers:
#   - the header, the row order's levels, and manifest.json listing it;
#   - every manager's n and item mean recomputed with awk from the export
#     (scored respondents, the last item reverse coded), and the company's
#     rows against items.csv;
#   - every group that managers.csv, units.csv or leaders.csv suppresses has
#     only suppressed heatmap rows;
#   - per item, no shown cell has fewer than min_group answers, and no
#     subtraction isolates 1 to min_group-1 answerers: over the tree, a shown
#     org minus its shown team and, for each report, its org when shown,
#     else what is shown inside it (the company minus its shown leaders
#     likewise); without a tree, a shown unit minus its shown teams and the
#     company minus its shown units and the shown teams of hidden units;
#   - some cell is hidden though its group is shown (the item rule works).
# The permutation property covers heatmap.csv in tests/e2e_permute.sh, which
# compares every published file.
#   usage: tests/e2e_heatmap.sh ENGAGE GEN
suite=e2e_heatmap
show_ok=1
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
. "$(dirname "$0")/e2e_lib.sh"

header=scale,item,level,group,n,mean,favourable_pct,delta_favourable,stands_out,suppressed

# team_means EXPORT ROSTER: "manager,item,n,mean" per team and item from the
# export (ROSTER empty: the export names the manager, else the roster does);
# answers of 1..5, the last item reverse coded, scored at half the items.
team_means() {
    awk -F, -v roster="$2" '
        roster != "" && FILENAME == roster { if (FNR > 1) up[$1] = $3; next }
        FNR == 1 {
            first = roster != "" ? 2 : ($3 == "unit" ? 4 : 3)
            k = NF - first + 1
            for (i = first; i <= NF; i++) name[i] = $i
            next
        }
        {
            m = roster != "" ? up[$1] : $2
            if (roster != "" && m == $1) next   # a top: rejected, no manager
            answered = 0
            for (i = first; i <= NF; i++) answered += $i != ""
            if (answered == 0 || answered / k < 0.5) next
            for (i = first; i <= NF; i++) if ($i != "") {
                x = i == NF ? 6 - $i : $i
                key = m "," name[i]; n[key]++; s[key] += x
            }
        }
        END { for (key in n) printf "%s,%d,%.12g\n", key, n[key], s[key] / n[key] }' $2 -
}

# check_means MEANS HEATMAP: prints each manager row whose n or mean disagrees
check_means() {
    awk -F, '
        FILENAME == ARGV[1] { n[$1 "," $2] = $3; mean[$1 "," $2] = $4; next }
        FNR == 1 || $3 != "manager" { next }
        {
            key = $4 "," $2; rows++
            if ($5 != n[key] + 0) print $4 " " $2 ": n " $5 ", want " n[key] + 0
            if ($10 == 0) {
                d = $6 - mean[key]; if (d < 0) d = -d
                if (d > 1e-9) print $4 " " $2 ": mean " $6 ", want " mean[key]
                shown++
            }
        }
        END { if (shown < 50) print "only " shown " shown manager cells of " rows }' "$1" "$2"
}

# check_suppressed OUT: prints each group a table hides whose heatmap rows are
# not all suppressed
check_suppressed() {
    units=$1/units.csv leaders=$1/leaders.csv
    [ -e "$units" ] || units=/dev/null
    [ -e "$leaders" ] || leaders=/dev/null
    awk -F, '
        FNR == 1 { next }
        FILENAME ~ /managers.csv$/ { if ($12 == 1) hidden["manager," $1 "," $2] = 1; next }
        FILENAME ~ /units.csv$/ { if ($13 == 1) hidden["unit," $1 "," $2] = 1; next }
        FILENAME ~ /leaders.csv$/ {
            if ($21 == 1) hidden[($2 == "" ? "company," : "leader,") $1 "," $2] = 1
            next
        }
        { key = $3 "," $1 "," $4; if (key in hidden) { checked++; if ($10 != 1) print "shown: " $0 } }
        END { if (checked < 10) print "only " checked " rows of hidden groups" }' \
        "$1/managers.csv" "$units" "$leaders" "$1/heatmap.csv"
}

# check_shown_small OUT K: prints each shown cell with fewer than K answers
check_shown_small() {
    awk -F, -v k="$2" 'FNR > 1 && $10 == 0 && $5 < k { print "shown with " $5 ": " $0 }' "$1/heatmap.csv"
}

# check_tree_cells ROSTER HEATMAP K: per item, each shown org (and the
# company) whose cell holds 1..K-1 answers
check_tree_cells() {
    awk -F, -v k="$3" '
        function covered(v, item,    i, got) {
            if (org_shown[v, item]) return org_n[v, item]
            got = team_shown[v, item] ? team_n[v, item] : 0
            for (i = 1; i <= nkids[v]; i++) got += covered(kid[v, i], item)
            return got
        }
        FILENAME == ARGV[1] {
            if (FNR == 1) next
            if ($3 == $1) tops[++ntops] = $1; else kid[$3, ++nkids[$3]] = $1
            next
        }
        FNR == 1 { next }
        { item = $2; items[item] = 1 }
        $3 == "company" { company[item] = $5; company_shown[item] = $10 == 0 }
        $3 == "manager" { team_n[$4, item] = $5; team_shown[$4, item] = $10 == 0 }
        $3 == "leader" { org_n[$4, item] = $5; org_shown[$4, item] = $10 == 0; leaders[$4] = 1 }
        END {
            for (item in items) {
                for (v in leaders) {
                    if (!org_shown[v, item]) continue
                    cell = org_n[v, item] - (team_shown[v, item] ? team_n[v, item] : 0)
                    for (i = 1; i <= nkids[v]; i++) cell -= covered(kid[v, i], item)
                    if (cell > 0 && cell < k) print item ": org " v ": " cell " answers left"
                    checked++
                }
                if (company_shown[item]) {
                    cell = company[item]
                    for (i = 1; i <= ntops; i++) cell -= covered(tops[i], item)
                    # teams the tree lacks are shown apart from any org
                    if (cell > 0 && cell < k) print item ": company: " cell " answers left"
                }
            }
            if (checked < 20) print "only " checked " shown org cells"
        }' "$1" "$2"
}

# check_unit_cells UNIT_OF HEATMAP K: per item without a tree, each shown
# unit (and the company) whose part holds 1..K-1 answers no shown cell covers.
# UNIT_OF lists "manager,unit" (empty without units).
check_unit_cells() {
    awk -F, -v k="$3" '
        FILENAME == ARGV[1] { unit[$1] = $2; next }
        FNR == 1 { next }
        { item = $2; items[item] = 1 }
        $3 == "company" { company[item] = $5; company_shown[item] = $10 == 0 }
        $3 == "unit" { unit_shown[$4, item] = $10 == 0; units[$4] = 1 }
        $3 == "manager" { team[++nt] = $4; team_item[nt] = item; team_n[nt] = $5; team_shown[nt] = $10 == 0 }
        END {
            for (t = 1; t <= nt; t++) {
                if (team_shown[t]) continue
                u = unit[team[t]]; item = team_item[t]
                if (unit_shown[u, item]) left[u, item] += team_n[t]; else rest[item] += team_n[t]
            }
            for (item in items) {
                for (u in units) if (unit_shown[u, item]) {
                    cell = left[u, item] + 0
                    if (cell > 0 && cell < k) print item ": unit " u ": " cell " answers left"
                    checked++
                }
                cell = rest[item] + 0
                if (company_shown[item] && cell > 0 && cell < k) print item ": company: " cell " answers left"
            }
        }' "$1" "$2"
}

# hidden_beyond OUT: cells hidden though their group is shown on the scale
hidden_beyond() {
    units=$1/units.csv leaders=$1/leaders.csv
    [ -e "$units" ] || units=/dev/null
    [ -e "$leaders" ] || leaders=/dev/null
    awk -F, '
        FNR == 1 { next }
        FILENAME ~ /managers.csv$/ { if ($12 == 0) shown["manager," $2] = 1; next }
        FILENAME ~ /units.csv$/ { if ($13 == 0) shown["unit," $2] = 1; next }
        FILENAME ~ /leaders.csv$/ { if ($21 == 0 && $2 != "") shown["leader," $2] = 1; next }
        $10 == 1 && ($3 "," $4) in shown { count++ }
        END { print count + 0 }' "$1/managers.csv" "$units" "$leaders" "$1/heatmap.csv"
}

# common NAME OUT EXPORT ROSTER K
common() {
    name=$1 out=$2
    [ "$(head -1 "$out/heatmap.csv")" = "$header" ] && ok "$name: heatmap.csv header" ||
        bad "$name: heatmap.csv header $(head -1 "$out/heatmap.csv")"
    grep -q '"heatmap.csv"' "$out/manifest.json" && ok "$name: manifest.json lists heatmap.csv" ||
        bad "$name: manifest.json lacks heatmap.csv"
    # each item's levels in order: company, unit, leader, manager
    order=$(awk -F, 'NR > 1 && $2 != last_item { last_item = $2; last = "" }
        NR > 1 && $3 != last { printf "%s ", $3; last = $3 }' "$out/heatmap.csv" | awk '{ print $1, $2, $3, $4 }')
    case $order in
    "company unit leader manager" | "company unit manager "* | "company manager "*) ok "$name: levels in order ($order)" ;;
    *) bad "$name: levels $order" ;;
    esac
    gzip -dc "$3" | team_means - "$4" > "$work/$name.means"
    problems=$(check_means "$work/$name.means" "$out/heatmap.csv" | head -5)
    [ -z "$problems" ] && ok "$name: every manager's n and item mean as the export gives them" ||
        bad "$name: $problems"
    problems=$(awk -F, 'FILENAME == ARGV[1] { if (FNR > 1) want[$2] = $3 "," $4 "," $6; next }
        FNR > 1 && $3 == "company" { rows++; if ($5 "," $6 "," $7 != want[$2]) print $2 ": " $5 "," $6 "," $7 ", items.csv " want[$2] }
        END { if (rows < 4) print "only " rows " company rows" }' "$out/items.csv" "$out/heatmap.csv" | head -3)
    [ -z "$problems" ] && ok "$name: the company's rows are items.csv's" || bad "$name: $problems"
    problems=$(check_suppressed "$out" | head -3)
    [ -z "$problems" ] && ok "$name: every hidden group's rows suppressed" || bad "$name: $problems"
    problems=$(check_shown_small "$out" "$5" | head -3)
    [ -z "$problems" ] && ok "$name: no shown cell of fewer than $5 answers" || bad "$name: $problems"
    beyond=$(hidden_beyond "$out")
    [ "$beyond" -gt 0 ] && ok "$name: $beyond cells hidden by the item rule though their group is shown" ||
        bad "$name: no cell hidden beyond its group: the item rule was not exercised"
    problems=$(awk -F, 'NR > 1 && $10 == 1 && ($6 $7 $8 $9) != "" { print; exit }' "$out/heatmap.csv")
    [ -z "$problems" ] && ok "$name: suppressed rows keep no figure" || bad "$name: $problems"
}

# --- a reporting tree ----------------------------------------------------------
"$GEN" --hierarchy --respondents 4000 --depth 5 --seed 31 --missing 0.08 --roster "$work/tree.csv" \
    --config "$work/tree.ini" -o "$work/tree.csv.gz"
expect_status 0 $? "engage-gen --hierarchy"
"$ENGAGE" run -q -c "$work/tree.ini" -o "$work/tree" "$work/tree.csv.gz"
expect_status 0 $? "engage run on the tree"
common tree "$work/tree" "$work/tree.csv.gz" "$work/tree.csv" 5
problems=$(check_tree_cells "$work/tree.csv" "$work/tree/heatmap.csv" 5 | head -5)
[ -z "$problems" ] && ok "tree: per item, no subtraction over the tree isolates 1 to 4 answers" || bad "tree: $problems"
stands=$(awk -F, 'NR > 1 && $9 != ""' "$work/tree/heatmap.csv" | wc -l)
[ "$stands" -gt 0 ] && ok "tree: $stands cells stand out" || bad "tree: no cell stands out"

# --- a flat quarter of small teams ---------------------------------------------
"$GEN" --respondents 3000 --items 5 --seed 32 --missing 0.1 --team-size 3-12 --config "$work/flat.ini" \
    -o "$work/flat.csv.gz"
expect_status 0 $? "engage-gen (flat)"
"$ENGAGE" run -q -c "$work/flat.ini" -o "$work/flat" "$work/flat.csv.gz"
expect_status 0 $? "engage run on the flat quarter"
common flat "$work/flat" "$work/flat.csv.gz" "" 5
[ "$(awk -F, 'NR > 1 && ($3 == "unit" || $3 == "leader")' "$work/flat/heatmap.csv" | wc -l)" = 0 ] &&
    ok "flat: no unit or leader rows" || bad "flat: unit or leader rows without units or a tree"
: > "$work/no-units"
problems=$(check_unit_cells "$work/no-units" "$work/flat/heatmap.csv" 5 | head -5)
[ -z "$problems" ] && ok "flat: per item, the company minus its shown teams leaves 0 or 5 or more" || bad "flat: $problems"

# --- roster units without a tree (min_group 8) ---------------------------------
mkdir "$work/units"
( cd "$work/units" && "$GEN" --respondents 3000 --items 5 --seed 33 --missing 0.1 --team-size 3-14 \
      --format googleforms --roster roster.csv --config gen.ini -o export.csv.gz ) ||
    bad "engage-gen (units) failed"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { m = substr($2, 2) + 0; $3 = $3 "-" m % 7; print }' \
    "$work/units/roster.csv" > "$work/units/units.csv"
sed -e 's/^file = roster.csv/file = units.csv/' "$work/units/gen.ini" > "$work/units/gen-units.ini"
"$ENGAGE" ingest -q -c "$work/units/gen-units.ini" -o "$work/units/archive.csv" "$work/units/export.csv.gz"
expect_status 0 $? "engage ingest (units)"
# the archive with short item names (the long ones hold commas), read with a config of its own
(echo respondent_id,manager_id,unit,Q1,Q2,Q3,Q4,Q5; tail -n +2 "$work/units/archive.csv") > "$work/units/quarter.csv"
printf '[scale engagement]\nitems = Q1, Q2, Q3, Q4, Q5\nreverse = Q5\nmin = 1\nmax = 5\nmin_answered = 0.5\n\n[report]\nmin_group = 8\n' \
    > "$work/units/q.ini"
gzip -c "$work/units/quarter.csv" > "$work/units/quarter.csv.gz"
"$ENGAGE" run -q -c "$work/units/q.ini" -o "$work/units/out" "$work/units/quarter.csv"
expect_status 0 $? "engage run in units"
common units "$work/units/out" "$work/units/quarter.csv.gz" "" 8
awk -F, 'NR > 1 { print $2 "," $3 }' "$work/units/quarter.csv" | sort -u > "$work/units/unit_of"
problems=$(check_unit_cells "$work/units/unit_of" "$work/units/out/heatmap.csv" 8 | head -5)
[ -z "$problems" ] && ok "units: per item, no unit or company part isolates 1 to 7 answers" || bad "units: $problems"

finish
