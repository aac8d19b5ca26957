#!/bin/sh
# The whole pipeline over generated quarters of many shapes, each run under a
# timeout: `engage run` with every output (report.html and engage.xlsx too)
# must exit 0 before its time is up and leave well-formed outputs: every
# expected file (changes.csv with --previous, units.csv with a roster's
# units), no temporary folder beside it, `engage verify` satisfied (so
# manifest.json parses and names every output with its digest), report.html
# well-formed XML, each CSV with the header of a reference run and as many
# fields on every row, engage.xlsx a whole zip, managers.csv a row per
# generated manager and quality.csv a row count per respondent.
#
# Three fixed shapes come first: 250,000 respondents in teams of 1 to 30,
# 10,000 teams of 100 (with seed 45 report.html's label placement used to
# loop forever) and 250,000 teams of one.  Then shapes drawn from one seed,
# each of eight kinds in turn: the generator's own team sizes (1..30), a
# range within 1..200, one size for every team, every team of one (up to
# 250,000 teams), one team of everybody, every answer equal, ties (no
# variance within teams), one or two items; 1 to 60 items, answers missing
# or not, with and without --previous, canonical CSV or a Google Forms or
# Microsoft Forms export with its roster and units, --min-group 3 to 10.
#   usage: tests/e2e_random.sh ENGAGE GEN [light]
#   light: fewer and smaller shapes, for the sanitized build
#   E2E_RANDOM_SEED=S replays a draw (the seed is printed first; the same
#   awk draws the same shapes);
#   E2E_RANDOM_TIMEOUT=SECONDS sets each run's limit (default 60, light 240).
suite=e2e_random
ENGAGE=$1
GEN=$2
mode=${3:-full}
. "$(dirname "$0")/e2e_lib.sh"

if ! command -v xmllint > /dev/null 2>&1; then
    echo "e2e_random: xmllint is missing (apt-get install libxml2-utils)" >&2
    exit 1
fi
if [ "$mode" = light ]; then
    shapes=16 max_respondents=50000 max_teams=20000 max_cells=1000000 limit=${E2E_RANDOM_TIMEOUT:-240}
else
    shapes=40 max_respondents=300000 max_teams=250000 max_cells=4000000 limit=${E2E_RANDOM_TIMEOUT:-60}
fi
seed=${E2E_RANDOM_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "e2e_random: seed $seed ($mode; replay with E2E_RANDOM_SEED=$seed)"

# ---- reference headers: the sample with a roster and its units, alone and
# with a previous wave (which adds columns)
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/ref-one" \
    datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "reference run"
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/ref-two" \
    --previous datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "reference run with --previous"
csvs="managers.csv variance.csv items.csv quality.csv rejects.csv"


# fields FILE: exits 1 (and names the line) when a row's field count differs
# from the header's
fields() {
    awk "$CSV_SPLIT_AWK"'
        NR == 1 { want = split_csv($0, cell); next }
        (got = split_csv($0, cell)) != want { print "line " NR ": " got " fields, header " want; bad = 1; exit }
        END { exit bad }' "$1"
}

# column_sum FILE NAME WAVE: column NAME summed over the rows whose `wave` is WAVE
column_sum() {
    awk -v want="$2" -v wave="$3" "$CSV_SPLIT_AWK"'
        NR == 1 { n = split_csv($0, head); for (i = 1; i <= n; i++) { if (head[i] == want) c = i; if (head[i] == "wave") w = i } next }
        { split_csv($0, cell) }
        c && w && cell[w] == wave { s += cell[c] }
        END { print s + 0 }' "$1"
}

# zip_whole FILE: a local file header first, the end of the central directory last
zip_whole() {
    [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 504b0304 ] &&
        [ "$(tail -c 22 "$1" | head -c 4 | od -An -tx1 | tr -d ' \n')" = 504b0506 ]
}

# check NAME ARGS...: generate the quarter (ARGS for engage-gen), maybe a
# previous wave (PREVIOUS, args for engage-gen), run engage (ENGAGE_ARGS)
# under the timeout and check what it wrote.  EQUAL=1: every mean must be 4.
check() {
    name=$1
    shift
    dir=$work/$name
    mkdir -p "$dir"
    format=canonical roster_args=""
    case " $* " in *" --format googleforms "*) format=googleforms ;; *" --format msforms "*) format=msforms ;; esac
    [ "$format" != canonical ] && roster_args="--roster $dir/roster.csv"
    # shellcheck disable=SC2086
    if ! "$GEN" "$@" $roster_args --level 1 -v --config "$dir/q.ini" -o "$dir/q.csv.gz" 2> "$dir/gen.err"; then
        bad "$name: engage-gen $*: $(head -n 2 "$dir/gen.err")"
        return
    fi
    respondents=$(sed -n 's/^engage-gen: \([0-9]*\) respondents, \([0-9]*\) managers.*/\1/p' "$dir/gen.err")
    managers=$(sed -n 's/^engage-gen: \([0-9]*\) respondents, \([0-9]*\) managers.*/\2/p' "$dir/gen.err")
    prev_args=""
    if [ -n "$PREVIOUS" ]; then
        # shellcheck disable=SC2086
        "$GEN" $PREVIOUS --level 1 -v -o "$dir/prev.csv.gz" 2> "$dir/gen.err" ||
            { bad "$name: engage-gen $PREVIOUS: $(head -n 2 "$dir/gen.err")"; return; }
        prev_respondents=$(sed -n 's/^engage-gen: \([0-9]*\) respondents.*/\1/p' "$dir/gen.err")
        prev_args="--previous $dir/prev.csv.gz"
    fi
    echo "  $name: $* ($managers managers)${PREVIOUS:+; previous: $PREVIOUS}${ENGAGE_ARGS:+; engage $ENGAGE_ARGS}"
    # shellcheck disable=SC2086
    timeout "$limit" "$ENGAGE" run -q -c "$dir/q.ini" -o "$dir/out" $prev_args $ENGAGE_ARGS "$dir/q.csv.gz" \
        > "$dir/run.out" 2> "$dir/run.err"
    st=$?
    if [ "$st" = 124 ]; then
        bad "$name: engage run did not end within $limit s"
        return
    elif [ "$st" != 0 ]; then
        bad "$name: engage run exited $st: $(head -n 3 "$dir/run.err")"
        return
    fi
    ok
    out=$dir/out
    want="$csvs report.txt report.html engage.xlsx manifest.json"
    [ -n "$PREVIOUS" ] && want="$want changes.csv"
    [ "$format" != canonical ] && want="$want units.csv"
    for f in $want; do
        if [ -s "$out/$f" ]; then ok; else bad "$name: $f missing or empty"; fi
    done
    if ls -d "$out".tmp-* > /dev/null 2>&1; then bad "$name: a temporary folder was left beside OUTDIR"; else ok; fi
    if "$ENGAGE" verify "$out" > "$dir/verify.out" 2>&1; then ok
    else bad "$name: engage verify: $(head -n 3 "$dir/verify.out")"; fi
    if xmllint --noout "$out/report.html" 2> "$dir/xml.err"; then ok
    else bad "$name: report.html is not well-formed: $(head -n 2 "$dir/xml.err")"; fi
    ref=$work/ref-one
    [ -n "$PREVIOUS" ] && ref=$work/ref-two
    for f in $csvs changes.csv units.csv; do
        [ -e "$out/$f" ] || continue
        if [ "$(head -n 1 "$out/$f")" = "$(head -n 1 "$ref/$f")" ]; then ok
        else bad "$name: $f header: $(head -n 1 "$out/$f" | cut -c1-120)"; fi
        if fields "$out/$f" > "$dir/fields.out"; then ok; else bad "$name: $f: $(cat "$dir/fields.out")"; fi
    done
    if zip_whole "$out/engage.xlsx"; then ok; else bad "$name: engage.xlsx is not a whole zip"; fi
    rows=$(($(wc -l < "$out/managers.csv") - 1))
    if [ "$rows" = "$managers" ]; then ok; else bad "$name: managers.csv has $rows rows for $managers managers"; fi
    read_rows=$(column_sum "$out/quality.csv" rows current)
    if [ "$read_rows" = "$respondents" ]; then ok
    else bad "$name: quality.csv counts $read_rows rows for $respondents respondents"; fi
    if [ -n "$PREVIOUS" ]; then
        read_rows=$(column_sum "$out/quality.csv" rows previous)
        if [ "$read_rows" = "$prev_respondents" ]; then ok
        else bad "$name: quality.csv counts $read_rows previous rows for $prev_respondents respondents"; fi
    fi
    if [ "${EQUAL:-0}" = 1 ]; then
        # every answer is 4 (the generator's round(3.6), reverse item and all)
        odd=$(awk -F, 'NR > 1 && $4 != "" && $4 != 4 { n++ } END { print n + 0 }' "$out/managers.csv")
        if [ "$odd" = 0 ]; then ok; else bad "$name: $odd managers with a mean other than 4"; fi
    fi
    rm -rf "$dir"               # the scratch folder stays small
}

started=$(date +%s)

# ---- the fixed shapes ---------------------------------------------------------
PREVIOUS="" ENGAGE_ARGS="" check fixed-teams-1-30 --respondents 250000 --items 12 --seed 1
PREVIOUS="" ENGAGE_ARGS="" check fixed-teams-of-100 --respondents 1000000 --team-size 100 --items 12 --seed 45
PREVIOUS="" ENGAGE_ARGS="" check fixed-250000-teams-of-one --respondents 250000 --team-size 1 --items 3 --seed 2

# ---- the drawn shapes -------------------------------------------------------------
# One line per shape: NAME|GEN ARGS|PREVIOUS ARGS|ENGAGE ARGS|EQUAL
awk -v seed="$seed" -v n="$shapes" -v R="$max_respondents" -v T="$max_teams" -v C="$max_cells" '
    function upto(m) { return 1 + int(rand() * m) }             # 1..m, uniform
    function logupto(m) { return int(exp(rand() * log(m + 1))) } # 1..m, log-uniform
    BEGIN {
        srand(seed)
        kinds = 8
        for (i = 1; i <= n; i++) {
            kind = (i - 1) % kinds              # every kind in every draw
            items = rand() < 0.5 ? upto(6) : upto(60)
            sizes = ""; extra = ""; equal = 0
            if (kind == 0) {                    # the generator own sizes, 1..30
                resp = logupto(R)
            } else if (kind == 1) {             # a range within 1..200
                a = upto(200); b = a + int(rand() * (201 - a))
                sizes = "--team-size " a "-" b; resp = logupto(T) * int((a + b) / 2)
            } else if (kind == 2) {             # one size for every team
                a = upto(200); sizes = "--team-size " a; resp = logupto(T) * a
            } else if (kind == 3) {             # every team of one: up to T teams
                sizes = "--team-size 1"; resp = logupto(T)
            } else if (kind == 4) {             # one team of everybody
                resp = logupto(2000); sizes = "--team-size " resp
            } else if (kind == 5) {             # every answer equal
                resp = logupto(R); extra = "--sigma-b 0 --sigma-e 0 --sigma-item 0"; equal = 1
                if (rand() < 0.5) { a = upto(200); sizes = "--team-size 1-" a }
            } else if (kind == 6) {             # ties: no variance within teams
                resp = logupto(R); extra = "--sigma-e 0 --sigma-item 0"; items = upto(3)
            } else {                            # few items, many tied means
                resp = logupto(R); items = upto(2)
                a = upto(200); sizes = "--team-size " upto(a) "-" a
            }
            if (resp > R) resp = R
            if (resp * items > C) resp = int(C / items)
            if (resp < 1) resp = 1
            r = rand()
            missing = r < 0.3 ? 0 : r < 0.8 ? 0.03 : 0.3
            r = rand()
            format = r < 0.7 ? "" : r < 0.85 ? "--format googleforms" : "--format msforms"
            reverse = rand() < 0.5 ? "--reverse 0" : ""
            s = upto(1000000000)
            gen = "--respondents " resp " --items " items " " sizes " " extra " --missing " missing " " \
                  reverse " " format " --seed " s
            prev = ""
            if (rand() < 0.4) {
                presp = format == "" ? int(resp * (0.5 + rand())) : resp
                if (presp < 1) presp = 1
                prev = "--respondents " presp " --items " items " " sizes " " extra " --missing " missing " " \
                       reverse " " format " --seed " (s + 1) " --mu " (equal ? 3.6 : 3.3 + rand() * 0.6)
            }
            eng = rand() < 0.5 ? "--min-group " (3 + int(rand() * 8)) : ""
            gsub(/  +/, " ", gen); gsub(/  +/, " ", prev)
            printf "shape-%d|%s|%s|%s|%d\n", i, gen, prev, eng, equal
        }
    }' > "$work/shapes"

while IFS='|' read -r name gen prev eng equal; do
    # shellcheck disable=SC2086
    PREVIOUS=$prev ENGAGE_ARGS=$eng EQUAL=$equal check "$name" $gen < /dev/null
done < "$work/shapes"

echo "e2e_random: $(($(date +%s) - started)) s"
if [ "$failed" != 0 ]; then echo "e2e_random: replay with E2E_RANDOM_SEED=$seed" >&2; fi
finish
