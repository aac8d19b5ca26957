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
# with and without a previous wave.
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

finish
