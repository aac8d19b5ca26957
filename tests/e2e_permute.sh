#!/bin/sh
# tests/e2e_permute.sh ENGAGE GEN — the privacy guarantee as a property.
#
# Every published output depends on a hidden team's data only through
# aggregates of at least min_group people: permuting respondents among the
# hidden teams of a scale (each team keeping its size; within one unit when
# units are published; within one wave) must leave every published byte
# as it was.  For each dataset the run is repeated on a copy whose hidden
# teams' respondents are shuffled among them (complete rows only, so that
# every team keeps its scored count on every scale), at the same path in
# the same folder, and
# every file is compared: all must be identical but rejects.csv and
# variance_all_teams.csv (the analyst's), and manifest.json but for the
# inputs' own SHA-256.  variance_all_teams.csv must differ, which shows that
# the shuffle reached the hidden teams' data.  Datasets: a small quarter
# with two hidden teams, the sample quarter, a reference fixture with
# missing answers, and a generated quarter of many small teams in units,
# with and without a previous wave; and generated reporting trees, whose
# respondents are shuffled within the tree's cells and whose roster rows are
# shuffled too (run with --packs: every pack compared as well); and
# generated quarters with key drivers, below and above 20,000 complete cases,
# whose rows are also put in another order.
suite=e2e_permute
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
. "$(dirname "$0")/e2e_lib.sh"

# hidden_managers OUTDIR: the managers whose figures no table shows on any
# scale (managers.csv and changes.csv), one per line
hidden_managers() {
    changes=$1/changes.csv
    [ -e "$changes" ] || changes=/dev/null
    awk -F, 'FNR == 1 { next }
        FILENAME ~ /managers.csv$/ { seen[$2] = 1; if ($12 != 1) shown[$2] = 1; next }
        { if ($11 != 1) shown[$2] = 1 }
        END { for (m in seen) if (!shown[m]) print m }' "$1/managers.csv" "$changes"
}

# hidden_previous OUTDIR: the previous wave's managers whose change row is
# hidden on every scale
hidden_previous() {
    awk -F, 'FNR == 1 { next } { seen[$2] = 1; if ($11 != 1) shown[$2] = 1 }
        END { for (m in seen) if (!shown[m]) print m }' "$1/changes.csv"
}

# shuffle CSV HIDDEN SEED > OUT: the manager ids of the complete rows of
# hidden managers shuffled among those rows, within each unit when the file
# has a unit column; every other row as it was
shuffle() {
    awk -F, -v seed="$3" 'BEGIN { OFS = "," }
        FNR == NR { hidden[$1] = 1; next }
        FNR == 1 { unit = $3 == "unit" ? 3 : 0; first = unit ? 4 : 3; print; next }
        {
            line[FNR] = $0
            complete = 1
            for (c = first; c <= NF; c++) if ($c == "") complete = 0
            if (hidden[$2] && complete) {
                g = unit ? $unit : ""
                n = ++count[g]; row[g, n] = FNR; mgr[g, n] = $2
                if (!(g in groups)) { groups[g] = 1; order[++ng] = g }
            }
            last = FNR
        }
        END {
            srand(seed)
            for (i = 1; i <= ng; i++) {
                g = order[i]
                for (n = count[g]; n > 1; n--) {
                    j = int(rand() * n) + 1
                    t = mgr[g, n]; mgr[g, n] = mgr[g, j]; mgr[g, j] = t
                }
                for (n = 1; n <= count[g]; n++) new[row[g, n]] = mgr[g, n]
            }
            for (r = 2; r <= last; r++) {
                if (r in new) { split(line[r], f, ","); f[2] = new[r]
                    out = f[1]; for (c = 2; c in f; c++) out = out "," f[c]; print out }
                else print line[r]
            }
        }' "$2" "$1"
}

# compare NAME A B: every published file of A and B the same
compare() {
    name=$1 a=$2 b=$3
    for f in "$a"/*; do
        base=$(basename "$f")
        case $base in
        rejects.csv) ;;
        variance_all_teams.csv)
            if cmp -s "$f" "$b/$base"; then
                bad "$name: variance_all_teams.csv did not change: the shuffle reached no hidden team's data"
            else
                ok "$name: the shuffle changed the all-teams figures"
            fi ;;
        manifest.json)
            grep -v '"sha256"' "$f" > "$work/m.a"
            grep -v '"sha256"' "$b/$base" > "$work/m.b"
            # the outputs' hashes must still agree
            sed -n '/"outputs"/,/}/p' "$f" > "$work/o.a"
            sed -n '/"outputs"/,/}/p' "$b/$base" > "$work/o.b"
            if cmp -s "$work/m.a" "$work/m.b" && cmp -s "$work/o.a" "$work/o.b"; then ok; else bad "$name: manifest.json differs beyond the inputs' hashes"; fi ;;
        packs)
            if diff -r "$f" "$b/$base" > /dev/null; then ok "$name: packs/"; else bad "$name: a pack differs after shuffling the hidden teams"; fi ;;
        *)
            if cmp -s "$f" "$b/$base"; then ok; else bad "$name: $base differs after shuffling the hidden teams"; fi ;;
        esac
    done
    [ -e "$b/variance_all_teams.csv" ] || bad "$name: no variance_all_teams.csv"
}

# property NAME CSV [ENGAGE ARGS...]: run, shuffle CSV's hidden teams, run
# again in the same folder on the same file name, compare.  With PREVIOUS
# set (a canonical file), the previous wave is shuffled too.
property() {
    name=$1 csv=$2
    shift 2
    run=$work/$name/run
    mkdir -p "$run"
    cp "$csv" "$run/quarter.csv"
    set -- "$@" quarter.csv
    if [ -n "${PREVIOUS:-}" ]; then
        cp "$PREVIOUS" "$run/previous.csv"
        set -- --previous previous.csv "$@"
    fi
    if ! (cd "$run" && "$ENGAGE" run -q -o out "$@"); then bad "$name: engage run failed"; return; fi
    mv "$run/out" "$work/$name/before"
    hidden_managers "$work/$name/before" > "$work/$name/hidden"
    hidden=$(wc -l < "$work/$name/hidden")
    shuffle "$run/quarter.csv" "$work/$name/hidden" 5 > "$work/$name/quarter.csv"
    if cmp -s "$run/quarter.csv" "$work/$name/quarter.csv"; then
        bad "$name: the shuffle moved nobody ($hidden hidden teams)"
        return
    fi
    if [ -n "${REORDER:-}" ]; then
        # every respondent's row moved too: no figure may depend on where a row stands
        (head -n 1 "$work/$name/quarter.csv"; tail -n +2 "$work/$name/quarter.csv" |
            awk 'BEGIN { srand(9) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2-) > "$work/$name/reordered.csv"
        mv "$work/$name/reordered.csv" "$work/$name/quarter.csv"
    fi
    mv "$work/$name/quarter.csv" "$run/quarter.csv"
    if [ -n "${PREVIOUS:-}" ]; then
        hidden_previous "$work/$name/before" > "$work/$name/hidden-previous"
        shuffle "$run/previous.csv" "$work/$name/hidden-previous" 6 > "$work/$name/previous.csv"
        cmp -s "$run/previous.csv" "$work/$name/previous.csv" && bad "$name: the previous wave's shuffle moved nobody"
        mv "$work/$name/previous.csv" "$run/previous.csv"
    fi
    if ! (cd "$run" && "$ENGAGE" run -q -o out "$@"); then bad "$name: engage run on the shuffle failed"; return; fi
    compare "$name" "$work/$name/before" "$run/out"
    echo "$name: $hidden hidden teams shuffled"
}

# a quarter with two hidden teams: of 2, and of 5 hidden by the secondary rule
awk 'BEGIN { srand(3); print "respondent_id,manager_id,Q1,Q2,Q3"
    split("S1:7 S2:9 S3:12 S4:6 H2:2 H5:5", t, " ")
    for (i = 1; i in t; i++) { split(t[i], p, ":")
        for (r = 0; r < p[2]; r++) { line = sprintf("R%04d,%s", ++n, p[1])
            for (q = 0; q < 3; q++) line = line "," int(1 + rand() * 5)
            print line } } }' > "$work/two.csv"
property two "$work/two.csv"

# the same teams with a 0..10 recommend item of kind = nps: enps.csv too
awk 'BEGIN { srand(4); print "respondent_id,manager_id,Q1,Q2,Q3,R"
    split("S1:7 S2:9 S3:12 S4:6 H2:2 H5:5", t, " ")
    for (i = 1; i in t; i++) { split(t[i], p, ":")
        for (r = 0; r < p[2]; r++) { line = sprintf("R%04d,%s", ++n, p[1])
            for (q = 0; q < 3; q++) line = line "," int(1 + rand() * 5)
            print line "," int(rand() * 11) } } }' > "$work/nps.csv"
printf '[input]\nformat = canonical\n[scale engagement]\nitems = Q1, Q2, Q3\n[scale recommend]\nkind = nps\nitems = R\n' \
    > "$work/nps.ini"
property nps "$work/nps.csv" -c "$work/nps.ini"
[ -s "$work/nps/before/enps.csv" ] && ok "nps: enps.csv compared" || bad "nps: no enps.csv"

gzip -dc datasets/sample-quarter.csv.gz > "$work/sample.csv"
property sample "$work/sample.csv" -c "$(pwd)/datasets/sample-quarter.ini"

property missing_small tests/fixtures/reference/missing_small.csv \
    -c "$(pwd)/tests/fixtures/reference/missing_small.ini" --min-group 3

# many small teams in units (min_group 10), as tests/e2e_privacy.sh makes them
mkdir "$work/gen"
( cd "$work/gen" && "$GEN" --respondents 3000 --items 6 --seed 7 --missing 0.01 --format googleforms \
      --roster roster.csv --config quarter.ini -o now.csv.gz &&
  "$GEN" --respondents 2800 --items 6 --seed 8 --missing 0.01 --format googleforms -o previous.csv.gz ) ||
    bad "engage-gen failed"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { m = substr($2, 2) + 0; $3 = $3 "-" m % 9; print }' \
    "$work/gen/roster.csv" > "$work/gen/units.csv"
sed -e 's/^file = roster.csv/file = units.csv/' -e '/^min_group/d' "$work/gen/quarter.ini" > "$work/gen/C.ini"
printf '\n[report]\nmin_group = 10\n' >> "$work/gen/C.ini"
"$ENGAGE" ingest -q -c "$work/gen/C.ini" -o "$work/gen/now.csv" "$work/gen/now.csv.gz" || bad "ingest failed"
"$ENGAGE" ingest -q -c "$work/gen/C.ini" -o "$work/gen/previous.csv" "$work/gen/previous.csv.gz" || bad "ingest failed"
property units "$work/gen/now.csv" -c "$work/gen/C.ini"
PREVIOUS=$work/gen/previous.csv property waves "$work/gen/now.csv" -c "$work/gen/C.ini"

# key drivers, below and above the 20,000 complete cases beyond which no row
# is kept: the hidden teams shuffled and every row moved (REORDER)
drivers_property() {
    name=$1 respondents=$2
    mkdir -p "$work/$name"
    timeout 60 "$GEN" --respondents "$respondents" --items 8 --missing 0.01 --seed 21 -o "$work/$name/gen.csv" ||
        { bad "$name: engage-gen failed"; return; }
    printf '[scale engagement]\nitems = Q1, Q2, Q3\nmin = 1\nmax = 5\n[scale work]\nitems = Q4, Q5, Q6, Q7, Q8\nreverse = Q8\nmin = 1\nmax = 5\n[drivers]\noutcome = engagement\nbootstrap = 50\n' \
        > "$work/$name/drivers.ini"
    REORDER=1 property "$name" "$work/$name/gen.csv" -c "$work/$name/drivers.ini"
    complete=$(awk -F, 'NR == 2 { print $3 }' "$work/$name/before/drivers.csv")
    rows=$(awk -F, 'NR == 2 { print $16 }' "$work/$name/before/drivers.csv")
    echo "$name: $complete complete cases, bootstrap rows $rows"
    case $3 in
    above) [ "$complete" -gt 20000 ] && [ "$rows" -eq 20000 ] && ok "$name: above 20,000 complete cases" ||
               bad "$name: $complete complete cases, $rows bootstrap rows: not above 20,000" ;;
    below) [ "$complete" -le 20000 ] && [ "$rows" -eq "$complete" ] && ok "$name: below 20,000 complete cases" ||
               bad "$name: $complete complete cases, $rows bootstrap rows: not below 20,000" ;;
    esac
    weights=$(awk -F, 'NR > 1 && $5 != "" && $8 != ""' "$work/$name/before/drivers.csv" | wc -l)
    [ "$weights" -eq 5 ] && ok "$name: 5 weights with intervals" || bad "$name: $weights weights with intervals, not 5"
}
drivers_property drivers_small 6000 below
drivers_property drivers_large 26000 above

# --- a reporting tree: permute within the cells -----------------------------
# With leaders.csv, a hidden team's data reaches the outputs only through its
# cell: the hidden teams whose deepest shown org is the same and whose unit,
# when shown, is the same (README.md, "Privacy: what is published").  Each
# respondent's answers are shuffled among the complete rows of the hidden
# teams of their cell, worked out here from the roster and the published
# tables alone, and each cell must hold at least min_group of them; the
# roster's rows are shuffled too (its order must not matter).  One scale,
# so a cell is one set of teams.

# tree_cells ROSTER OUTDIR: "respondent_id cell" for each respondent of a
# hidden team, read from the export on stdin
tree_cells() {
    awk -F, '
        FILENAME == ARGV[1] { if (FNR > 1) { up[$1] = $3; unit[$1] = $6 } next }
        FILENAME == ARGV[2] { if (FNR > 1) hidden[$2] = $12 == 1; next }
        FILENAME == ARGV[3] { if (FNR > 1) { org_shown[$2] = $NF == 0 } next }
        FILENAME == ARGV[4] { if (FNR > 1) unit_shown[$2] = $13 == 0; next }
        FNR == 1 { next }
        {
            m = up[$1]
            if (m == $1 || !hidden[m]) next
            for (v = m; !(v in org_shown && org_shown[v]); v = up[v])
                if (up[v] == v) { v = ""; break }
            print $1, v "|" (unit_shown[unit[m]] ? unit[m] : "")
        }' "$1" "$2/managers.csv" "$2/leaders.csv" "$2/units.csv" -
}

# tree_property NAME DEPTH SEED MIN_GROUP UNITS: UNITS is "roster" (the
# generator's unit column), "crossing" (each employee's unit drawn at random,
# so that orgs cut across units) or "depth" ([report] unit_depth = 2)
tree_property() {
    name=$1 run=$work/$1/run
    mkdir -p "$run"
    ( cd "$run" && "$GEN" --hierarchy --depth "$2" --respondents 3000 --items 4 --missing 0 --seed "$3" \
          --roster gen.csv --config gen.ini -o quarter.csv.gz ) || { bad "$name: engage-gen failed"; return; }
    case $5 in
    crossing) awk -F, -v seed="$3" 'BEGIN { OFS = ","; srand(seed) } NR == 1 { print; next }
                  { $6 = "U" int(rand() * 6); print }' "$run/gen.csv" > "$run/roster.csv" ;;
    *) cp "$run/gen.csv" "$run/roster.csv" ;;
    esac
    sed -e 's/^file = gen.csv/file = roster.csv/' -e "s/^min_group = .*/min_group = $4/" "$run/gen.ini" > "$run/q.ini"
    if [ "$5" = depth ]; then
        sed -i -e '/^unit = /d' -e 's/^\[report\]$/[report]\nunit_depth = 2/' "$run/q.ini"
    fi
    gzip -dc "$run/quarter.csv.gz" > "$run/quarter.csv"
    if ! (cd "$run" && timeout 60 "$ENGAGE" run -q --packs -c q.ini -o out quarter.csv); then bad "$name: engage run failed"; return; fi
    mv "$run/out" "$work/$name/before"
    tree_cells "$run/roster.csv" "$work/$name/before" < "$run/quarter.csv" > "$work/$name/cells"
    awk -v seed="$3" 'BEGIN { FS = OFS = "," }
        FILENAME == ARGV[1] { split($0, p, " "); cell[p[1]] = p[2]; next }
        FNR == 1 { print; next }
        {
            line[FNR] = $0; last = FNR
            if ($1 in cell) { c = cell[$1]; n = ++count[c]; row[c, n] = FNR
                              if (n == 1) order[++nc] = c }
        }
        END {
            srand(seed)
            for (i = 1; i <= nc; i++) { c = order[i]
                for (n = 1; n <= count[c]; n++) perm[n] = row[c, n]
                for (n = count[c]; n > 1; n--) { j = int(rand() * n) + 1; t = perm[n]; perm[n] = perm[j]; perm[j] = t }
                for (n = 1; n <= count[c]; n++) from[row[c, n]] = perm[n] }
            for (r = 2; r <= last; r++) {
                if (!(r in from)) { print line[r]; continue }
                split(line[r], me, ","); split(line[from[r]], other, ",")
                out = me[1]; for (k = 2; k in me; k++) out = out "," other[k]; print out }
        }' "$work/$name/cells" "$run/quarter.csv" > "$work/$name/quarter.csv"
    cells=$(cut -d' ' -f2 "$work/$name/cells" | sort -u | wc -l)
    small=$(cut -d' ' -f2 "$work/$name/cells" | sort | uniq -c | awk -v k="$4" '$1 < k' | head -n 3)
    [ -z "$small" ] && ok "$name: every cell holds at least $4" || bad "$name: cells below min_group $4: $small"
    if cmp -s "$run/quarter.csv" "$work/$name/quarter.csv"; then
        bad "$name: the shuffle moved nobody ($cells cells)"
        return
    fi
    mv "$work/$name/quarter.csv" "$run/quarter.csv"
    (head -n 1 "$run/roster.csv"; tail -n +2 "$run/roster.csv" | awk -v seed="$3" 'BEGIN { srand(seed) } { print rand() "\t" $0 }' |
        sort -k1,1 | cut -f2-) > "$run/shuffled.csv" && mv "$run/shuffled.csv" "$run/roster.csv"
    if ! (cd "$run" && timeout 60 "$ENGAGE" run -q --packs -c q.ini -o out quarter.csv); then bad "$name: engage run on the shuffle failed"; return; fi
    compare "$name" "$work/$name/before" "$run/out"
    echo "$name: $(wc -l < "$work/$name/cells") respondents of hidden teams shuffled within $cells cells"
}

tree_property tree_roster_units 5 11 5 roster
tree_property tree_crossing_units 6 12 5 crossing
tree_property tree_unit_depth 4 13 3 depth
tree_property tree_deep 7 14 10 roster

finish
