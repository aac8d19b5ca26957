#!/bin/sh
# End-to-end tests of report.html: the sample quarter and a generated quarter
# run with --previous.  Each page must parse as XML and as HTML (xmllint),
# every <svg> element must parse as XML on its own, the page must hold no
# script and no external resource, no manager suppressed in managers.csv may
# be named, manifest.json must list the page's SHA-256, and two runs must
# give the same bytes.  Every heatmap cell must be heatmap.csv's (shown with
# its rounded favourable share, colour step and flag; suppressed as "—" with
# no figure or colour), on a flat quarter, a reporting tree and roster units,
# and the ranking must start with the highest shown mean.  When chromium is
# installed each page is rendered at 1280 and 400 pixels wide to PNGs and
# checked from the DOM (tests/html/render.sh): no element overflows its
# container, no text is under 10 CSS pixels.
#   usage: tests/e2e_html.sh ENGAGE GEN
suite=e2e_html
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

if ! command -v xmllint > /dev/null 2>&1; then
    echo "e2e_html: xmllint is missing (apt-get install libxml2-utils)" >&2
    exit 1
fi

# check_page NAME OUTDIR
check_page() {
    name=$1
    out=$2
    page=$out/report.html
    if [ ! -s "$page" ]; then
        bad "$name: no report.html"
        return
    fi
    # the whole page as XML, and as HTML (libxml2's HTML parser knows no
    # HTML5 elements: "Tag svg invalid" is its only allowed complaint)
    if xmllint --noout "$page" 2> "$work/xml.err"; then ok; else bad "$name: not well-formed XML: $(head -n 3 "$work/xml.err")"; fi
    if xmllint --noout --html "$page" 2> "$work/html.err"; then ok; else bad "$name: xmllint --html failed"; fi
    if grep 'error' "$work/html.err" | grep -v 'Tag [a-z]* invalid$' | grep -q .; then
        bad "$name: HTML parser errors: $(grep 'error' "$work/html.err" | grep -v 'Tag [a-z]* invalid$' | head -n 3)"
    else
        ok
    fi
    # each <svg>...</svg> on its own
    awk -v dir="$work" -v name="$name" '
        /<svg[ >]/ { n++; file = dir "/" name "-svg-" n ".svg"; inside = 1 }
        inside { print > file }
        /<\/svg>/ { if (inside) close(file); inside = 0 }
        END { print n + 0 > (dir "/" name "-svg-count") }' "$page"
    svgs=$(cat "$work/$name-svg-count")
    if [ "$svgs" -ge 2 ]; then ok; else bad "$name: $svgs plots, expected at least 2"; fi
    for svg in "$work/$name"-svg-*.svg; do
        [ -e "$svg" ] || continue
        if xmllint --noout "$svg" 2> "$work/svg.err"; then ok; else bad "$name: $(basename "$svg") is not well-formed: $(head -n 3 "$work/svg.err")"; fi
        grep -q '<title id=' "$svg" && grep -q '<desc id=' "$svg" && grep -q 'role="img"' "$svg" \
            && ok || bad "$name: $(basename "$svg") lacks role, title or desc"
    done
    # self-contained: no script, no external resource
    if grep -qi '<script' "$page"; then bad "$name: a script element"; else ok; fi
    if grep -Eqi '(src|href)=|@import|url\(' "$page"; then bad "$name: a resource reference"; else ok; fi
    # the funnel limits and the grand mean
    [ "$(grep -c 'class="lim998"' "$page")" -ge 2 ] && ok || bad "$name: no 99.8% limit curves"
    [ "$(grep -c 'class="lim95"' "$page")" -ge 2 ] && ok || bad "$name: no 95% limit curves"
    # no manager suppressed on every scale is named
    awk -F, 'NR > 1 { if ($12 == 1) hidden[$2] = 1; else shown[$2] = 1 }
             END { for (m in hidden) if (!(m in shown)) print m }' "$out/managers.csv" \
        > "$work/hidden-ids"
    if [ -s "$work/hidden-ids" ]; then ok; else bad "$name: no suppressed manager to check"; fi
    # (a leader's heatmap row carries the leader's id: their whole org is
    # shown, as in leaders.csv, even when their own team is not)
    if sed 's/<tr data-level="leader" data-group="[^"]*"//' "$page" | grep -F -w -f "$work/hidden-ids" > "$work/leaks"; then
        bad "$name: suppressed managers named: $(head -c 300 "$work/leaks")"
    else
        ok
    fi
    # listed in the manifest with its digest
    sum=$(sha256sum "$page" | cut -d ' ' -f 1)
    grep -q "$sum" "$out/manifest.json" && ok || bad "$name: manifest.json lacks report.html's SHA-256"
    # the heatmap: every cell is heatmap.csv's (tests/html/heatmap_cells.awk)
    awk -f tests/html/heatmap_cells.awk "$out/heatmap.csv" "$page" > "$work/$name-cells"
    if grep -q '^BAD' "$work/$name-cells"; then
        bad "$name: heatmap cells differ from heatmap.csv: $(grep '^BAD' "$work/$name-cells" | head -n 3)"
    else
        ok
    fi
    cells=$(sed -n 's/^cells=\([0-9]*\) .*/\1/p' "$work/$name-cells")
    [ "${cells:-0}" -gt 0 ] && ok || bad "$name: no heatmap cell"
    tail -n 1 "$work/$name-cells" > "$work/$name-cell-counts"
    # the ranking beside the caterpillar: the shown managers, highest mean first
    top=$(awk -F, 'NR > 1 && $12 == 0 && $1 == first { if (!seen || $4 > best) { best = $4; id = $2; seen = 1 } }
                   NR == 2 { first = $1; if ($12 == 0) { best = $4; id = $2; seen = 1 } }
                   END { print id }' "$out/managers.csv")
    got=$(grep -A 3 '<table class="ranking">' "$page" | sed -n 's/^<tr><td>1<\/td><td class="t">\([^<]*\)<\/td>.*/\1/p' | head -n 1)
    [ -n "$top" ] && [ "$got" = "$top" ] && ok || bad "$name: ranking starts with '$got', managers.csv's highest shown mean is '$top'"
    # rendered by chromium at 1280 and 400 pixels: nothing overflows, no text under 10 px
    if command -v chromium > /dev/null 2>&1; then
        for width in 1280 400; do
            png=$work/$name-$width.png
            verdict=$(sh tests/html/render.sh "$page" "$width" "$png")
            status=$?
            if [ $status -eq 0 ]; then ok; else bad "$name at $width px: $(echo "$verdict" | head -n 4)"; fi
            size=$(wc -c < "$png" 2> /dev/null || echo 0)
            if [ "$size" -gt 10240 ]; then ok; else bad "$name at $width px: PNG of $size bytes"; fi
        done
    else
        [ "$name" = demo ] && echo "e2e_html: chromium not installed, pages not rendered (apt-get install chromium)"
    fi
}

# --- the sample quarter ------------------------------------------------------
"$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/demo" datasets/sample-quarter.csv.gz
if [ $? -eq 0 ]; then ok; else bad "demo run"; fi
check_page demo "$work/demo"
"$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/demo2" datasets/sample-quarter.csv.gz
cmp -s "$work/demo/report.html" "$work/demo2/report.html" && ok || bad "two runs give different report.html"
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 "$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/demo3" \
    datasets/sample-quarter.csv.gz 2> /dev/null
cmp -s "$work/demo/report.html" "$work/demo3/report.html" && ok || bad "report.html depends on the locale"
grep -q '<h2>At a glance</h2>' "$work/demo/report.html" && ok || bad "demo: no first screen"
grep -q 'Appendix: the share of the variance that lies between managers' "$work/demo/report.html" && ok || bad "demo: no appendix"
grep -q 'Data quality' "$work/demo/report.html" && ok || bad "demo: no data-quality section"
if grep -q 'generated' "$work/demo/report.html"; then bad "demo: a date without SOURCE_DATE_EPOCH"; else ok; fi
SOURCE_DATE_EPOCH=86400 "$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/demo4" datasets/sample-quarter.csv.gz
grep -q 'generated 1970-01-02 00:00 UTC' "$work/demo4/report.html" && ok || bad "SOURCE_DATE_EPOCH not shown"

# --- a generated quarter against the previous one ------------------------------
"$GEN" --respondents 4000 --items 6 --reverse 6 --seed 11 --config "$work/waves.ini" -o "$work/now.csv.gz"
"$GEN" --respondents 4000 --items 6 --reverse 6 --seed 12 --mu 3.4 -o "$work/prev.csv.gz"
"$ENGAGE" run -q -c "$work/waves.ini" -o "$work/waves" --previous "$work/prev.csv.gz" "$work/now.csv.gz"
if [ $? -eq 0 ]; then ok; else bad "run with --previous"; fi
check_page waves "$work/waves"
grep -q 'Change since the previous wave' "$work/waves/report.html" && ok || bad "waves: no change section"
grep -q '<td class="t">previous</td>' "$work/waves/report.html" && ok || bad "waves: previous files not in data quality"

# --- a reporting tree: the heatmap of the top two levels' leaders ---------------
"$GEN" --hierarchy --respondents 4000 --depth 5 --seed 31 --missing 0.08 --roster "$work/tree.csv" \
    --config "$work/tree.ini" -o "$work/tree.csv.gz"
"$ENGAGE" run -q -c "$work/tree.ini" -o "$work/tree" "$work/tree.csv.gz"
if [ $? -eq 0 ]; then ok; else bad "run on a tree"; fi
check_page tree "$work/tree"
[ "$(grep -c '<tr data-level="leader"' "$work/tree/report.html")" -ge 2 ] && ok || bad "tree: no leader rows in the heatmap"
# every leader row is one leaders.csv shows, of depth 1 or 2
grep -o '<tr data-level="leader" data-group="[^"]*"' "$work/tree/report.html" | sed 's/.*data-group="//; s/"$//' \
    > "$work/tree-rows"
hidden=$(awk -F, 'FILENAME == ARGV[1] { row[$1] = 1; next }
                  FNR > 1 && ($NF != 0 || $5 > 2) && ($2 in row) { print $2 }' "$work/tree-rows" "$work/tree/leaders.csv")
[ -z "$hidden" ] && ok || bad "tree: heatmap rows of hidden or deeper leaders: $hidden"

# --- roster units (Google Forms headings: short labels as column heads) ---------
mkdir -p "$work/units-run"
cp datasets/sample-quarter-roster.csv datasets/sample-quarter-googleforms.ini "$work/units-run/"
"$ENGAGE" run -q -c "$work/units-run/sample-quarter-googleforms.ini" -o "$work/units" \
    datasets/sample-quarter-googleforms.csv.gz
if [ $? -eq 0 ]; then ok; else bad "run with units"; fi
check_page units "$work/units"
[ "$(grep -c '<tr data-level="unit"' "$work/units/report.html")" -ge 2 ] && ok || bad "units: no unit rows in the heatmap"
grep -q '<th scope="col" title="[^"]*\[' "$work/units/report.html" && ok || bad "units: no full item name as a column's title"

# over the three quarters, some cells are hidden and some flagged
cat "$work"/*-cell-counts | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2] } }
    END { print sum["hidden"] + 0, sum["flagged"] + 0 }' > "$work/sums"
[ "$(cut -d ' ' -f 1 "$work/sums")" -gt 0 ] && ok || bad "no hidden heatmap cell to check"
[ "$(cut -d ' ' -f 2 "$work/sums")" -gt 0 ] && ok || bad "no flagged heatmap cell to check"
# the check itself fails on a suppressed cell drawn with a figure, or a flag dropped
sed '0,/<td class="hm hid"[^>]*>&#8212;/s//<td class="hm z">55%/' "$work/demo/report.html" > "$work/bad1.html"
awk -f tests/html/heatmap_cells.awk "$work/demo/heatmap.csv" "$work/bad1.html" | grep -q '^BAD.*suppressed' \
    && ok || bad "the heatmap check misses a suppressed cell with a figure"
sed '0,/<td class="hm \([a-z0-9]*\) up"/s//<td class="hm \1"/' "$work/demo/report.html" > "$work/bad2.html"
awk -f tests/html/heatmap_cells.awk "$work/demo/heatmap.csv" "$work/bad2.html" | grep -q '^BAD.*expected' \
    && ok || bad "the heatmap check misses a dropped flag"

# --- many managers: the plots stay small ----------------------------------------
"$GEN" --respondents 60000 --items 4 --reverse 0 --seed 3 --config "$work/big.ini" -o "$work/big.csv.gz"
"$ENGAGE" run -q -c "$work/big.ini" -o "$work/big" "$work/big.csv.gz"
if [ $? -eq 0 ]; then ok; else bad "large run"; fi
size=$(wc -c < "$work/big/report.html")
if [ "$size" -lt 1500000 ]; then ok; else bad "report.html of a large run is $size bytes"; fi
grep -q 'too many to draw one by one' "$work/big/report.html" && ok || bad "large run: caterpillar not aggregated"
xmllint --noout "$work/big/report.html" && ok || bad "large run: not well-formed"

finish
