#!/bin/sh
# End-to-end tests of engage run --packs (packs/LEADER.html, packs/index.html):
#   - a hand-made tree: which packs are written (none for a hidden leader),
#     file names escaped (an id with "/" and the id "index"), and one pack's
#     figures as worked out by hand from the answers;
#   - trees from engage-gen --hierarchy, with a previous wave: one pack per
#     leader that leaders.csv shows and none for a hidden one; every page
#     well-formed XHTML with no script and no external resource; the
#     privacy check: every row of figures names its group (data-g), which
#     leaders.csv, managers.csv, heatmap.csv or changes.csv shows, and every
#     number in it is one of that group's published figures rounded; every
#     heatmap cell is the group's favourable share of that item, or
#     "hidden" exactly when heatmap.csv suppresses it; rows naming no group
#     hold no number;
#   - determinism (two runs byte-identical), a pack's bytes unchanged when
#     the tree gains a leader elsewhere, manifest.json's one digest over the
#     folder (as sha256sum lists it), verify and rerun, a second run into
#     the same OUTDIR, a packs folder holding a subfolder refused, and no
#     packs folder without --packs;
#   - where Chromium is installed (not again under ASan: the same pages),
#     three packs and the index rendered at 1280 and 400 pixels to PNGs and
#     checked from the DOM: the page no wider than the window, no element
#     outside its parent but inside a table's scrolling box, no text under
#     10 px.
#   usage: tests/e2e_packs.sh ENGAGE GEN
suite=e2e_packs
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

# --- a hand-made tree --------------------------------------------------------
# Ann (A) leads B/1 (Bob: b1..b4), index (Cat: c1..c3, c4 not invited), D
# (d1, d2) and E (e1, e2).  D and E are hidden (2 < min_group 3); their 4
# respondents together are no smaller group, so the rest is shown.
cat > "$work/roster.csv" <<'EOF'
employee_id,manager_id,name,invited
A,A,Ann,yes
B/1,A,Bob,yes
index,A,Cat,yes
D,A,Dan,yes
E,A,Eve,yes
b1,B/1,,yes
b2,B/1,,yes
b3,B/1,,yes
b4,B/1,,yes
c1,index,,yes
c2,index,,yes
c3,index,,yes
c4,index,,no
d1,D,,yes
d2,D,,yes
e1,E,,yes
e2,E,,yes
EOF
cat > "$work/hand.csv" <<'EOF'
respondent_id,Q1,Q2
b1,5,4
b2,4,4
b3,2,3
b4,1,5
c1,3,3
c2,4,5
c3,5,5
d1,2,2
d2,4,4
e1,1,1
e2,5,5
EOF
cat > "$work/hand.ini" <<EOF
[scale engagement]
items = Q1, Q2
min = 1
max = 5

[report]
min_group = 3

[roster]
file = $work/roster.csv
key = respondent_id
employee = employee_id
manager = manager_id
name = name
invited = invited
EOF
"$ENGAGE" run -q --packs -c "$work/hand.ini" -o "$work/hand" "$work/hand.csv"
expect_status 0 $? "hand-made tree: engage run --packs"
files=$(cd "$work/hand/packs" && LC_ALL=C ls | tr '\n' ' ')
[ "$files" = "%69ndex.html A.html B%2F1.html index.html " ] && ok "hand-made tree: a pack per shown leader, names escaped" \
    || bad "hand-made tree: packs/ holds $files"
# Bob's team: scores 4.5, 4, 2.5, 3 (mean 3.5, sd 0.913, t(3) 3.182: 2.05 to
# 4.95); answers 5 4 4 4 2 3 1 5: favourable (4, 5) 5/8, neutral (3) 1/8,
# unfavourable (1, 2) 2/8; Q1 favourable 2/4, Q2 3/4.  Ann's org: 11 of 15
# invited (Ann not counted, c4 not invited); the company: 11 of 16.  The
# heatmap colours as report.html's: Bob's Q1 50.0 is 4.5 points below the
# company's 54.5 (step n1, 2 to 5 below), his Q2 75.0 is 11.4 above 63.6 (p3).
pack=$work/hand/packs/B%2F1.html
for want in \
    '<tr data-g="leader:B/1"><td class="t">This org</td><td>4</td><td>100.0</td><td>3.50</td><td>2.05 – 4.95</td><td>62.5</td><td>12.5</td><td>25.0</td></tr>' \
    '<tr data-g="leader:A"><td class="t">Parent&#39;s org</td><td>11</td><td>73.3</td><td>3.50</td><td>2.62 – 4.38</td><td>59.1</td><td>13.6</td><td>27.3</td></tr>' \
    '<tr data-g="company:"><td class="t">Company</td><td>11</td><td>68.8</td><td>3.50</td><td>2.62 – 4.38</td><td>59.1</td><td>13.6</td><td>27.3</td></tr>' \
    '<tr data-g="manager:B/1"><td class="t">Bob</td><td>4</td><td>100.0</td><td>3.50</td><td>2.05 – 4.95</td><td>62.5</td><td>12.5</td><td>25.0</td></tr>' \
    '<tr data-g="leader:B/1"><td class="t">This org</td><td class="hm n1">50.0</td><td class="hm p3">75.0</td></tr>' \
    '<tr data-g="company:"><td class="t">Company</td><td class="hm z">54.5</td><td class="hm z">63.6</td></tr>' \
    '<p class="meta">Leader B/1 · reports to <a href="A.html">Ann</a> · <a href="index.html">all packs</a></p>'
do
    if grep -qF "$want" "$pack"; then ok "hand-made tree: Bob's pack: $want"; else bad "hand-made tree: Bob's pack lacks $want"; fi
done
grep -q '>2 child orgs not shown.<' "$work/hand/packs/A.html" && ok "hand-made tree: Ann's pack counts the hidden orgs" \
    || bad "hand-made tree: Ann's pack does not say 2 child orgs are hidden"
if grep -q 'data-g="[a-z]*:[DE]"' "$work/hand/packs/"*.html; then bad "hand-made tree: a hidden group's row in a pack"
else ok "hand-made tree: no row of D or E"; fi
grep -q 'href="B%252F1.html">Bob<' "$work/hand/packs/A.html" && grep -q 'href="%2569ndex.html">Cat<' "$work/hand/packs/A.html" \
    && ok "hand-made tree: Ann's pack links her shown child orgs" || bad "hand-made tree: Ann's pack lacks links to Bob and Cat"

# --- generated trees -----------------------------------------------------------
# check_pack_rows OUTDIR PACK...: prints each row of figures whose group is not
# shown or that holds a number no figure of its group rounds to, and each
# heatmap cell that differs from heatmap.csv's.
check_pack_rows() {
    out=$1
    shift
    awk -v out="$out" "$CSV_SPLIT_AWK"'
        function add_rounded(g, v,    d, x) {
            for (d = 0; d <= 3; d++) { x = sprintf("%.*f", d, v); if (x == "-0" || x ~ /^-0\.0*$/) x = substr(x, 2); ok[g SUBSEP x] = 1 }
        }
        # a figure to 0..3 places; the CSVs hold 12 digits, so a value on a
        # rounding boundary may round either way
        function add(g, v,    e) {
            if (v !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) return
            e = (v < 0 ? -v : v) * 1e-10 + 1e-12
            add_rounded(g, v); add_rounded(g, v + e); add_rounded(g, v - e)
        }
        function load(file, kind,    line, f, n, i, g, sup) {
            while ((getline line < file) > 0) {
                n = split_csv(line, f)
                if (f[1] == "scale") { for (i = 1; i <= n; i++) col[kind, f[i]] = i; continue }
                if (kind == "leaders") {
                    g = (f[2] == "" ? "company:" : "leader:" f[2]); sup = f[col[kind, "suppressed"]]
                } else if (kind == "managers") {
                    g = "manager:" f[2]; sup = f[col[kind, "suppressed"]]
                } else if (kind == "changes") {
                    g = "change:" f[2]; sup = f[col[kind, "suppressed"]]
                } else {
                    g = f[3] ":" (f[3] == "company" ? "" : f[4]); sup = f[10]
                    cell[f[1], f[2], g] = sup == 1 ? "hidden" : sprintf("%.1f", f[7])
                    if (item_seen[f[1], f[2]]++ == 0) item[f[1], ++n_items[f[1]]] = f[2]
                }
                if (sup == 1) continue
                shown[g] = 1
                for (i = (kind == "heatmap" ? 5 : 3); i <= n; i++) add(g, f[i])
            }
            close(file)
        }
        BEGIN {
            load(out "/leaders.csv", "leaders"); load(out "/managers.csv", "managers")
            load(out "/heatmap.csv", "heatmap")
            if ((getline line < (out "/changes.csv")) > 0) { close(out "/changes.csv"); load(out "/changes.csv", "changes") }
        }
        /^<h2>/ { scale = $0; gsub(/<\/?h2>/, "", scale); heat = 0 }
        /^<h3>/ { heat = ($0 ~ /Items: favourable share/) }
        /^<tr/ {
            g = ""
            if (match($0, /^<tr data-g="[^"]*"/)) g = substr($0, 13, RLENGTH - 13)
            gsub(/&#39;/, "\047", g); gsub(/&amp;/, "\\&", g)
            row = $0; sub(/^<tr[^>]*>/, "", row); sub(/<\/tr>$/, "", row)
            sub(/^<td class="t">[^<]*(<a [^>]*>[^<]*<\/a>)?[^<]*<\/td>/, "", row)   # the label
            sub(/<td class="t">(above|below)<\/td>/, "", row)
            gsub(/<td class="t">[^<]*<\/td>/, "", row)   # the index: the id
            if (g != "" && !(g in shown)) { print FILENAME ": row of " g ", which the CSVs hide"; next }
            k = 0
            while (match(row, /<td[^>]*>[^<]*<\/td>/)) {
                c = substr(row, RSTART, RLENGTH); row = substr(row, RSTART + RLENGTH)
                is_hidden = c ~ /^<td class="[^"]*hidden"/
                sub(/^<td[^>]*>/, "", c); sub(/<\/td>$/, "", c); k++
                if (heat) {
                    want = cell[scale, item[scale, k], g]; got = c; sub(/ (▲|▼)$/, "", got)
                    if (got != want) print FILENAME ": " g " item " item[scale, k] ": " got ", heatmap.csv " want
                }
                if (is_hidden) {   # "hidden", or why a row is not shown (min_group named)
                    if (c != "hidden" && c !~ /^not shown \(fewer than [0-9]+ respondents/) print FILENAME ": " g ": hidden cell " c
                    continue
                }
                gsub(/&lt;0\.001/, "", c); gsub(/ – /, " ", c); gsub(/▲|▼|\+/, "", c)
                n = split(c, t, " ")
                for (i = 1; i <= n; i++) {
                    if (t[i] == "hidden") continue
                    if (g == "") { print FILENAME ": a row of no group holds " t[i]; continue }
                    if (!((g SUBSEP t[i]) in ok)) print FILENAME ": " g ": " t[i] " is no published figure of it"
                }
            }
        }' "$@"
}

for case in "3000 4 7 0.85" "4000 6 3 0.6"; do
    set -- $case
    name="$1 respondents, depth $2"
    "$GEN" --hierarchy --respondents "$1" --depth "$2" --seed "$3" --response "$4" --roster "$work/r$3.csv" \
        --config "$work/c$3.ini" -o "$work/s$3.csv.gz"
    expect_status 0 $? "$name: engage-gen"
    # the previous wave: the same people, every third answer one lower
    gzip -dc "$work/s$3.csv.gz" | awk -F, -v OFS=, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "" && $i > 1 && (NR + i) % 3 == 0) $i = $i - 1 } { print }' \
        > "$work/p$3.csv"
    "$ENGAGE" run -q --packs -c "$work/c$3.ini" --previous "$work/p$3.csv" -o "$work/out$3" "$work/s$3.csv.gz"
    expect_status 0 $? "$name: engage run --packs --previous"
    out=$work/out$3
    want=$(awk -F, 'NR > 1 && $2 != "" && $NF == 0 { print $2 ".html" }' "$out/leaders.csv" | sort -u | LC_ALL=C sort)
    got=$(cd "$out/packs" && LC_ALL=C ls | grep -v '^index\.html$')
    [ -n "$want" ] && [ "$want" = "$got" ] && ok "$name: a pack for each of the $(echo "$want" | wc -l) shown leaders, none for a hidden one" \
        || bad "$name: packs differ from the shown leaders of leaders.csv"
    hidden=$(awk -F, 'NR > 1 && $2 != "" && $NF == 1' "$out/leaders.csv" | wc -l)
    [ "$hidden" -gt 0 ] && ok "$name: $hidden hidden leaders' rows (no pack)" || bad "$name: no hidden leader to test"
    if command -v xmllint > /dev/null 2>&1; then
        xmllint --noout "$out/packs/"*.html 2> "$work/xml" && ok "$name: every page well-formed XHTML" \
            || bad "$name: not well-formed: $(head -3 "$work/xml")"
    fi
    if cat "$out/packs/"*.html | sed 's|<html xmlns="http://www.w3.org/1999/xhtml"|<html|' |
        grep -q -i -E '<script|<link|<img|<iframe|<object|src=|url\(|https?:'; then
        bad "$name: a page with a script or an external resource"
    else ok "$name: no script, no external resource"; fi
    problems=$(check_pack_rows "$out" "$out/packs/"*.html | head -5)
    [ -z "$problems" ] && ok "$name: every figure of every pack is a shown group's published figure" \
        || bad "$name: $problems"
    rows=$(cat "$out/packs/"*.html | grep -c '^<tr data-g="change:')
    [ "$rows" -gt 0 ] && ok "$name: $rows change rows checked" || bad "$name: no change row in any pack"
    cells=$(cat "$out/packs/"*.html | grep -c 'class="hm hid hidden">hidden<')
    [ "$cells" -gt 0 ] && ok "$name: $cells hidden cells named hidden" || bad "$name: no hidden cell in any pack"
    digest=$(cd "$out/packs" && LC_ALL=C ls | while read -r f; do sha256sum "$f"; done | sha256sum | cut -d' ' -f1)
    grep -q "\"packs\": \"$digest\"" "$out/manifest.json" && ok "$name: manifest.json's packs digest is sha256sum's listing's" \
        || bad "$name: manifest.json's packs digest differs from $digest"
done

# --- determinism, independence, the folder's life --------------------------------
out=$work/out7
"$ENGAGE" run -q --packs -c "$work/c7.ini" --previous "$work/p7.csv" -o "$work/again" "$work/s7.csv.gz"
diff -r "$out/packs" "$work/again/packs" > /dev/null && ok "two runs: packs byte-identical" || bad "two runs: packs differ"
# a leader elsewhere (Zed and a report, neither invited nor answering)
cp "$work/r7.csv" "$work/r7-more.csv"
head -1 "$work/r7.csv" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%s", (i > 1 ? "," : ""), \
    ($i == "employee_id" ? "Z9" : $i == "manager_id" ? "Z9" : $i == "name" ? "Zed" : $i == "invited" ? "no" : ""); print "" }' >> "$work/r7-more.csv"
head -1 "$work/r7.csv" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%s", (i > 1 ? "," : ""), \
    ($i == "employee_id" ? "Z9a" : $i == "manager_id" ? "Z9" : $i == "invited" ? "no" : ""); print "" }' >> "$work/r7-more.csv"
sed "s|$work/r7.csv|$work/r7-more.csv|; s|^file = r7.csv|file = r7-more.csv|" "$work/c7.ini" > "$work/c7-more.ini"
grep -q 'r7-more.csv' "$work/c7-more.ini" || bad "the config names no roster to replace"
"$ENGAGE" run -q --packs -c "$work/c7-more.ini" --previous "$work/p7.csv" -o "$work/more" "$work/s7.csv.gz"
expect_status 0 $? "a tree with one more leader: engage run --packs"
more_leaders=$(awk -F, 'NR > 1' "$work/more/leaders.csv" | wc -l)
leaders=$(awk -F, 'NR > 1' "$out/leaders.csv" | wc -l)
[ "$more_leaders" -gt "$leaders" ] && ok "the tree gained a leader ($leaders -> $more_leaders rows)" || bad "the tree gained no leader"
changed=$(cd "$out/packs" && for f in *.html; do [ "$f" = index.html ] || cmp -s "$f" "$work/more/packs/$f" || echo "$f"; done | head -3)
[ -z "$changed" ] && ok "every pack byte-identical when the tree gains a leader elsewhere" || bad "packs changed: $changed"
"$ENGAGE" verify "$out" > "$work/verify" 2>&1
expect_status 0 $? "engage verify of a run with packs"
grep -q '^unchanged  packs$' "$work/verify" && ok "verify: packs unchanged" || bad "verify: $(grep packs "$work/verify")"
echo x >> "$out/packs/index.html"
"$ENGAGE" verify "$out" > "$work/verify" 2>&1
[ $? -ne 0 ] && grep -q 'packs' "$work/verify" && ok "verify: a changed pack is found" || bad "verify: a changed pack not found"
"$ENGAGE" rerun -q "$work/again" -o "$work/rerun" > "$work/rerun.log" 2>&1
expect_status 0 $? "engage rerun repeats --packs"
[ -d "$work/rerun/packs" ] && diff -r "$work/again/packs" "$work/rerun/packs" > /dev/null \
    && ok "rerun: the same packs" || bad "rerun: packs differ or are missing"
"$ENGAGE" run -q --packs -c "$work/c7.ini" -o "$work/again" "$work/s7.csv.gz"
expect_status 0 $? "a run into an OUTDIR with packs/ from an earlier run"
mkdir "$work/again/packs/sub"
"$ENGAGE" run -q --packs -c "$work/c7.ini" -o "$work/again" "$work/s7.csv.gz" 2> "$work/err"
expect_status 73 $? "an OUTDIR whose packs/ holds a folder no run wrote"
"$ENGAGE" run -q -c "$work/c7.ini" -o "$work/plain" "$work/s7.csv.gz"
[ ! -e "$work/plain/packs" ] && ! grep -q '"packs"' "$work/plain/manifest.json" && ok "without --packs: no packs folder" \
    || bad "without --packs: a packs folder or manifest entry"

# --- a full disk while the packs are written ------------------------------------
# The tables and the page fit, about half of the packs do not: one engage
# line naming a pack, exit 74, nothing left behind.
"$ENGAGE" run -q --no-workbook --packs -c "$work/c7.ini" -o "$work/fits" "$work/s7.csv.gz"
expect_status 0 $? "the run whose files size the small disk"
pages=$( (cd "$work/fits" && ls -d *.* && cd packs && ls -S | awk 'NR % 2 == 0' | sed 's|^|packs/|') |
    while read -r f; do
        [ -f "$work/fits/$f" ] && echo $(( ($(wc -c < "$work/fits/$f") + 4095) / 4096 ))
    done | awk '{ s += $1 } END { print s }')
full_disk_case "disk full in the packs" "$pages" \
    "^engage: $work/tiny/out/packs/[^/]*\\.html: cannot write: No space left on device$" \
    run -q --no-workbook --packs -c "$work/c7.ini" -o "$work/tiny/out" "$work/s7.csv.gz"

# --- rendered by Chromium (where installed) ---------------------------------------
# Three packs (the largest, a leaf's, the hand-made tree's) and the index at
# 1280 and 400 CSS pixels: the page no wider than the window, no element
# outside its parent but inside a scrolling table box, no text under 10 px.
# The check runs in a copy of each page with a script added (the pages have none).
render_check='<script>(function(){var bad=[];var w=document.documentElement.scrollWidth;if(w>window.innerWidth+1)bad.push("page "+w+"px wide");document.querySelectorAll("body *").forEach(function(e){if(e.tagName=="SCRIPT")return;var fs=parseFloat(getComputedStyle(e).fontSize);var own=false;e.childNodes.forEach(function(n){if(n.nodeType==3&&n.textContent.trim())own=true});if(own&&fs<10)bad.push("text of "+fs+"px in "+e.tagName);if(!e.closest(".scroll")){var r=e.getBoundingClientRect(),q=e.parentElement.getBoundingClientRect();if(r.right>q.right+1||r.left<q.left-1)bad.push(e.tagName+" outside its parent")}});var d=document.createElement("pre");d.id="render-check";d.textContent=bad.length?bad.slice(0,5).join("; "):"fine";document.body.appendChild(d)})();</script>'
case $ENGAGE in */asan/*) render=0 ;; *) render=1 ;; esac   # the pages are the same: rendered once
if [ "$render" = 1 ] && command -v chromium > /dev/null 2>&1; then
    largest=$(ls -S "$work/out7/packs/"*.html | grep -v '/index\.html$' | head -1)
    smallest=$(ls -S "$work/out7/packs/"*.html | tail -1)
    for page in "$largest" "$smallest" "$work/hand/packs/B%2F1.html" "$work/out7/packs/index.html"; do
        copy=$(dirname "$page")/render-check.html
        awk -v s="$render_check" '{ i = index($0, "</body>"); if (i) $0 = substr($0, 1, i - 1) s substr($0, i) } 1' \
            "$page" > "$copy"
        for width in 1280 400; do
            result=$(timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
                --window-size=$width,900 --dump-dom "file://$copy" 2> /dev/null |
                sed -n 's|.*<pre id="render-check">\([^<]*\)</pre>.*|\1|p')
            timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=$width,2000 \
                --screenshot="$work/$(basename "$page" .html)-$width.png" "file://$(echo "$page" | sed 's/%/%25/g')" > /dev/null 2>&1
            [ "$result" = fine ] && [ -s "$work/$(basename "$page" .html)-$width.png" ] \
                && ok "rendered at $width px: $(basename "$page")" \
                || bad "rendered at $width px: $(basename "$page"): ${result:-no result}"
        done
        rm -f "$copy"
    done
elif [ "$render" = 1 ]; then
    echo "e2e_packs: chromium not installed, packs not rendered (apt-get install chromium)"
fi

finish
