#!/bin/sh
# End-to-end tests of engage.xlsx on the bundled samples and a generated
# reporting tree: it is written beside the CSVs, manifest.json carries its
# SHA-256, and a rerun (also with SOURCE_DATE_EPOCH) gives the same bytes.
#
# The workbook is read back here independently of its writer (unzip and awk over
# its XML): every cell of every table sheet equals its CSV (figures as
# numbers, ids and names as strings), each figure column carries its number
# format (styles.xml), every table sheet has an autofilter over its rows and
# columns, the managers sheet's own unit, leader and leader_name columns are
# the roster's, and Summary and Read me hold the run's figures.
#
# When LibreOffice's soffice is on PATH (or SOFFICE names it), every sheet is
# exported to CSV with it and compared with engage's own CSV cell by cell
# (numbers numerically, text after taking off the CSVs' formula guard), and
# the figures as LibreOffice shows them have their format's decimals; without
# soffice that part is skipped with a note.
#
# With REFERENCE_ENGAGE naming another engage binary, every sheet is also
# compared with that binary's workbook for the same runs (see below).
#   usage: [REFERENCE_ENGAGE=OTHER-ENGAGE] tests/e2e_workbook.sh ENGAGE [ENGAGE-GEN]
#   (ENGAGE-GEN defaults to engage-gen beside ENGAGE)
suite=e2e_workbook
show_ok=1
ENGAGE=$1
GEN=${2:-$(dirname "$1")/engage-gen}
SOFFICE=${SOFFICE:-soffice}
. "$(dirname "$0")/e2e_lib.sh"

run() { # NAME ARGS...: engage run into $work/NAME
    name=$1
    shift
    "$ENGAGE" run -q -o "$work/$name" "$@"
    st=$?
    if [ "$st" = 0 ] && [ -s "$work/$name/engage.xlsx" ]; then ok "$name: engage.xlsx written"
    else bad "$name: exit $st, engage.xlsx missing"; fi
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- the sample quarter; a survey-tool sample with a roster and a previous wave;
# a generated reporting tree with names and units
run demo -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
run demo2 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
run waves -c datasets/sample-quarter-googleforms.ini \
    --previous datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.csv.gz
SOURCE_DATE_EPOCH=1700000000 run dated1 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
SOURCE_DATE_EPOCH=1700000000 run dated2 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
"$GEN" --hierarchy --respondents 3000 --depth 4 --seed 7 --roster "$work/tree-roster.csv" \
    --config "$work/tree.ini" -o "$work/tree.csv.gz"
expect_status 0 $? "engage-gen --hierarchy"
grep -q '^name *=' "$work/tree.ini" || bad "the generated config names no [roster] name column"
run tree -c "$work/tree.ini" "$work/tree.csv.gz"

for d in demo waves; do
    if grep -q "\"engage.xlsx\": \"$(sha "$work/$d/engage.xlsx")\"" "$work/$d/manifest.json"; then
        ok "$d: manifest.json has engage.xlsx's SHA-256"
    else bad "$d: manifest.json lacks engage.xlsx's SHA-256"; fi
done
if cmp -s "$work/demo/engage.xlsx" "$work/demo2/engage.xlsx"; then ok "rerun: same bytes"
else bad "rerun: engage.xlsx differs"; fi
if cmp -s "$work/dated1/engage.xlsx" "$work/dated2/engage.xlsx"; then ok "SOURCE_DATE_EPOCH rerun: same bytes"
else bad "SOURCE_DATE_EPOCH rerun: engage.xlsx differs"; fi
if cmp -s "$work/demo/engage.xlsx" "$work/dated1/engage.xlsx"; then
    bad "SOURCE_DATE_EPOCH: the document date did not change"
else ok "SOURCE_DATE_EPOCH: the document date follows it"; fi

# --- the workbook's XML, read with unzip and awk ------------------------------

# The number format each figure column must carry; every other column is text.
FORMATS_AWK='function expected_format(col) {
    if (col ~ /^(n|invited|responded|suppressed|n_previous|managers_shown|managers_suppressed|units|depth|team_managers|org_managers|respondents|managers|df_between|df_within|respondents_previous|managers_previous|company_respondents_previous|company_respondents|rows|accepted|rejected|excluded|header_rows|bytes|n_complete|bootstrap_resamples|bootstrap_rows|where_to_act)$/)
        return "#,##0"
    if (col ~ /^(mean|sd|se|ci_low|ci_high|median|rwg|funnel_low95|funnel_high95|funnel_low998|funnel_high998|mean_previous|delta|item_rest_r|grand_mean|ss_between|ss_within|ms_between|ms_within|f|k0|icc2|alpha|grand_mean_previous|f_previous|delta_ci_low|delta_ci_high|company_mean_previous|company_mean|r)$/)
        return "0.00"
    if (col ~ /^var_.*_reml$/) return "0.000"
    if (col ~ /^(favourable_pct|neutral_pct|unfavourable_pct|response_rate)$/) return "0.0\"%\""
    if (col ~ /^(share_between|icc1|icc1_ci_low|icc1_ci_high|eta_squared|icc_reml|share_unit|share_manager|icc1_previous|icc_reml_previous|raw_weight|share_r2|r2|raw_weight_ci_low|raw_weight_ci_high|share_r2_ci_low|share_r2_ci_high|lmg|lmg_share_r2|lmg_ci_low|lmg_ci_high)$/)
        return "0.0%"
    if (col ~ /^(p_value|q_value|p_value_previous|delta_p_value)$/) return "[<0.001]0.00E+00;0.000"
    return ""
}'

# CSV_AWK: read_csv(file, cells, width) reads an RFC 4180 file whose quoted
# fields may span lines into cells[row, col] (from 1), width[row]; returns
# the rows.  unguard(s): the text a CSV text cell stands for.  num(s):
# whether s is a number as engage writes numbers.
CSV_AWK='function read_csv(file, cells, width,    line, n, r, i, c, f, q) {
    r = 0; q = 0; f = ""; n = 0
    while ((getline line < file) > 0) {
        if (q) f = f "\n"; else { r++; n = 0; f = "" }
        if (r == 1 && !q) sub(/^\357\273\277/, "", line)
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (q) {
                if (c == "\"" && substr(line, i + 1, 1) == "\"") { f = f c; i++ }
                else if (c == "\"") q = 0
                else f = f c
            } else if (c == "\"") q = 1
            else if (c == ",") { cells[r, ++n] = f; f = "" }
            else f = f c
        }
        if (!q) { cells[r, ++n] = f; width[r] = n }
    }
    close(file)
    return r
}
function num(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
function unguard(s) {
    if (s ~ /^\047[=@\t\r+-]/ && !(substr(s, 2) ~ /^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/))
        return substr(s, 2)
    return s
}
function abs(x) { return x < 0 ? -x : x }'

# xlsx_sheet XLSX NAME: the XML of sheet NAME (through workbook.xml and its
# relationships), on stdout; nothing when there is no such sheet.
xlsx_sheet() {
    rid=$(unzip -p "$1" xl/workbook.xml | tr '>' '\n' | grep "<sheet name=\"$2\" " |
          sed 's/.* r:id="\([^"]*\)".*/\1/')
    [ -n "$rid" ] || return 1
    target=$(unzip -p "$1" xl/_rels/workbook.xml.rels | tr '>' '\n' | grep " Id=\"$rid\"" |
             sed 's/.* Target="\([^"]*\)".*/\1/')
    unzip -p "$1" "xl/$target"
}

# xlsx_cells XLSX NAME > FILE: every cell of sheet NAME, one a line:
# row TAB col TAB type TAB format code TAB value (rows and columns from 1;
# type "n" for a number, "str" for a string, shared or inline; backslash,
# tab and line break in the value written \\ \t \n).
xlsx_cells() {
    unzip -p "$1" xl/styles.xml > "$work/styles.xml"
    if unzip -l "$1" xl/sharedStrings.xml > /dev/null 2>&1; then
        unzip -p "$1" xl/sharedStrings.xml > "$work/shared.xml"
    else : > "$work/shared.xml"; fi
    xlsx_sheet "$1" "$2" > "$work/sheet.xml" || return 1
    awk -v styles="$work/styles.xml" -v shared="$work/shared.xml" '
        function unxml(s) {
            gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s)
            gsub(/&amp;/, "\\&", s)
            return s
        }
        function attr(s, name,    m) {
            if (match(s, " " name "=\"[^\"]*\"") == 0) return ""
            m = substr(s, RSTART + length(name) + 3, RLENGTH - length(name) - 4)
            return m
        }
        function texts(s,    out, rest) {   # the text of every <t> in s
            out = ""
            while (match(s, /<t[ >]/)) {
                s = substr(s, RSTART); sub(/^<t[^>]*>/, "", s)
                rest = index(s, "</t>")
                out = out substr(s, 1, rest - 1); s = substr(s, rest + 4)
            }
            return unxml(out)
        }
        function col_number(ref,    c, i) {
            c = 0
            for (i = 1; substr(ref, i, 1) ~ /[A-Z]/; i++) c = c * 26 + index("ABCDEFGHIJKLMNOPQRSTUVWXYZ", substr(ref, i, 1))
            return c
        }
        function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\t/, "\\t", s); gsub(/\n/, "\\n", s); return s }
        BEGIN {
            RS = "<"
            while ((getline rec < styles) > 0) {
                if (rec ~ /^numFmt /) code[attr(rec, "numFmtId")] = unxml(attr(rec, "formatCode"))
                else if (rec ~ /^cellXfs/) inxfs = 1
                else if (rec ~ /^\/cellXfs/) inxfs = 0
                else if (inxfs && rec ~ /^xf /) {
                    id = attr(rec, "numFmtId")
                    fmt[nxf++] = id in code ? code[id] : (id == "" || id == 0 ? "General" : "builtin " id)
                }
            }
            RS = "<si>"; n_si = 0
            while ((getline rec < shared) > 0) if (n_si++ > 0) si[n_si - 2] = texts(rec)
            RS = "<c[ >]"     # a cell with attributes, or a bare <c>
        }
        # a record ends with any <row r="N"> that the next cells are in
        function note_row(rec) {
            if (match(rec, /<row r="[0-9]+"/)) { cur_row = substr(rec, RSTART + 8, RLENGTH - 9) + 0; cur_col = 0 }
        }
        NR == 1 { note_row($0); next }
        {
            head = substr($0, 1, 1) == "<" ? "" : substr($0, 1, index($0, ">"))
            ref = attr(" " head, "r"); t = attr(" " head, "t"); s = attr(" " head, "s")
            # without a reference, the cell after the one before it in its row
            if (ref != "") { row = ref; sub(/^[A-Z]+/, "", row); col = col_number(ref) }
            else { row = cur_row; col = cur_col + 1 }
            cur_col = col
            note_row($0)
            if (t == "inlineStr") { type = "str"; v = texts($0) }
            else if (t == "s") { type = "str"; match($0, /<v>[^<]*<\/v>/); v = si[substr($0, RSTART + 3, RLENGTH - 7) + 0] }
            else if (t == "" || t == "n") {
                if (!match($0, /<v>[^<]*<\/v>/)) next      # a formatted blank
                type = "n"; v = substr($0, RSTART + 3, RLENGTH - 7)
            } else { type = t; v = "" }
            printf "%d\t%d\t%s\t%s\t%s\n", row, col, type, fmt[s + 0], esc(v)
        }' "$work/sheet.xml"
}

# same_sheet CSV CELLS EXTRA: the sheet's cells (xlsx_cells) against the CSV
# cell by cell: figures as numbers with their format, text as strings,
# empty cells absent; EXTRA more columns may follow the CSV's.
same_sheet() {
    awk -F'\t' -v csv="$1" -v extra="$3" "$CSV_AWK
        $FORMATS_AWK"'
        function unesc(s,    out, i, c) {
            out = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (c == "\\") { c = substr(s, ++i, 1); out = out (c == "n" ? "\n" : c == "t" ? "\t" : c) }
                else out = out c
            }
            return out
        }
        BEGIN { rows = read_csv(csv, a, w) }
        { got[$1, $2] = 1; type[$1, $2] = $3; code[$1, $2] = $4; value[$1, $2] = unesc($5) }
        END {
            for (r = 1; r <= rows; r++) for (c = 1; c <= w[r]; c++) {
                x = a[r, c]; k = r SUBSEP c; col = a[1, c]
                if (x == "") { if (k in got) { print "row " r " col " c ": CSV empty, sheet [" value[k] "]"; bad++ } continue }
                if (!(k in got)) { print "row " r " col " c ": no cell for [" x "]"; bad++; continue }
                want = expected_format(col)
                if (r > 1 && want != "" && num(x)) {
                    if (type[k] != "n") { print "row " r " " col ": [" x "] is not a number"; bad++ }
                    else if (abs(x - value[k]) > 1e-12 * abs(x)) { print "row " r " " col ": " x " vs " value[k]; bad++ }
                    if (code[k] != want) { print "row " r " " col ": format [" code[k] "], not [" want "]"; bad++ }
                } else {
                    if (type[k] != "str") { print "row " r " " col ": [" x "] is not a string"; bad++ }
                    else if (value[k] != unguard(x)) { print "row " r " " col ": [" value[k] "] vs CSV [" x "]"; bad++ }
                    if (r > 1 && code[k] != "General") { print "row " r " " col ": text formatted [" code[k] "]"; bad++ }
                }
            }
            for (k in got) {
                split(k, rc, SUBSEP)
                if (rc[1] > rows || rc[2] > w[1] + extra) { print "extra cell " rc[1] ":" rc[2] " [" value[k] "]"; bad++ }
            }
            exit bad ? 1 : 0
        }' "$2"
}

col_letters() { # N: the column letters of column N (from 1)
    awk -v n="$1" 'BEGIN { s = ""; while (n > 0) { m = (n - 1) % 26; s = substr("ABCDEFGHIJKLMNOPQRSTUVWXYZ", m + 1, 1) s; n = int((n - 1) / 26) } print s }'
}

csv_rows() { awk "$CSV_AWK"' BEGIN { print read_csv(ARGV[1], a, w); exit }' "$1"; }
csv_width() { awk "$CSV_AWK"' BEGIN { read_csv(ARGV[1], a, w); print w[1]; exit }' "$1"; }

# check_tables DIR EXTRA: every table sheet of DIR/engage.xlsx against its CSV,
# with its autofilter; the managers sheet with EXTRA more columns.
check_tables() {
    d=$1
    for t in managers variance items changes units leaders scales drivers quality; do
        if [ ! -f "$work/$d/$t.csv" ]; then
            if xlsx_sheet "$work/$d/engage.xlsx" "$t" > /dev/null; then bad "$d: sheet $t without $t.csv"; fi
            continue
        fi
        if ! xlsx_cells "$work/$d/engage.xlsx" "$t" > "$work/cells"; then bad "$d: no sheet $t"; continue; fi
        extra=0
        [ "$t" = managers ] && extra=$2
        if out=$(same_sheet "$work/$d/$t.csv" "$work/cells" "$extra"); then
            ok "$d: sheet $t equals $t.csv: numbers with their formats, text as strings"
        else bad "$d: sheet $t differs from $t.csv: $(echo "$out" | head -5)"; fi
        want="A1:$(col_letters $(( $(csv_width "$work/$d/$t.csv") + extra )))$(csv_rows "$work/$d/$t.csv")"
        got=$(grep -o '<autoFilter ref="[^"]*"' "$work/sheet.xml" | sed 's/.*ref="//; s/"$//')
        if [ "$got" = "$want" ]; then ok "$d: sheet $t has an autofilter over $want"
        else bad "$d: sheet $t: autofilter [$got], not [$want]"; fi
        if grep -q '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' "$work/sheet.xml"
        then ok; else bad "$d: sheet $t: the header row is not frozen"; fi
    done
    if xlsx_sheet "$work/$d/engage.xlsx" rejects > /dev/null; then bad "$d: a rejects sheet"; else ok; fi
    order=$(unzip -p "$work/$d/engage.xlsx" xl/workbook.xml | grep -o '<sheet name="[^"]*"' | sed 's/.*="//; s/"$//' | head -3 | tr '\n' '|')
    if [ "$order" = "Summary|heatmap|Read me|" ]; then ok "$d: Summary first, then the heatmap and Read me"
    else bad "$d: the first sheets are $order"; fi
}

check_tables demo 0
check_tables waves 2     # unit and leader: the sample roster has no names
check_tables tree 3      # unit, leader, leader_name
# the key drivers' sheet (base R's attitude data with [drivers])
"$ENGAGE" run -q -c tests/fixtures/drivers/attitude.ini -o "$work/drivers" tests/fixtures/drivers/attitude.csv
check_tables drivers 0

# --- the managers sheet's own columns: the roster's ------------------------------
# check_roster_columns DIR ROSTER EMPLOYEE MANAGER UNIT NAME: for each row of
# managers.csv, unit is the unit of the roster's rows that name the manager,
# leader the roster's manager of the manager (empty for a top: self, empty or
# not listed), leader_name that leader's name (NAME empty: no such column).
check_roster_columns() {
    xlsx_cells "$work/$1/engage.xlsx" managers > "$work/cells"
    awk -F'\t' -v csv="$work/$1/managers.csv" -v roster="$2" -v e="$3" -v m="$4" -v u="$5" -v nm="$6" "$CSV_AWK"'
        BEGIN {
            rows = read_csv(csv, a, w); width = w[1]
            nr = read_csv(roster, b, bw)
            for (c = 1; c <= bw[1]; c++) col[b[1, c]] = c
            for (r = 2; r <= nr; r++) {
                id = b[r, col[e]]; boss = b[r, col[m]]
                manager_of[id] = boss; if (nm != "") name_of[id] = b[r, col[nm]]
                if (boss != "" && !(boss in unit_of)) unit_of[boss] = b[r, col[u]]
            }
        }
        { cell[$1, $2] = $5 }
        END {
            want_head[1] = "unit"; want_head[2] = "leader"; if (nm != "") want_head[3] = "leader_name"
            for (k = 1; k in want_head; k++)
                if (cell[1, width + k] != want_head[k]) { print "column " width + k ": [" cell[1, width + k] "], not " want_head[k]; bad++ }
            for (r = 2; r <= rows; r++) {
                id = unguard(a[r, 2])
                boss = id in manager_of && manager_of[id] != id ? manager_of[id] : ""
                want[1] = unit_of[id]; want[2] = boss; want[3] = boss != "" ? name_of[boss] : ""
                if (boss != "") leaders++
                for (k = 1; k in want_head; k++)
                    if (cell[r, width + k] != want[k]) { print id ": " want_head[k] " [" cell[r, width + k] "], not [" want[k] "]"; bad++ }
            }
            if (nm != "" && leaders == 0) { print "no manager with a leader: nothing checked"; bad++ }
            exit bad ? 1 : 0
        }' "$work/cells"
}
if out=$(check_roster_columns waves datasets/sample-quarter-roster.csv employee_email manager_id department ""); then
    ok "waves: the managers sheet's unit is the roster's department, leader empty (every manager a top)"
else bad "waves: managers sheet: $(echo "$out" | head -5)"; fi
if out=$(check_roster_columns tree "$work/tree-roster.csv" employee_id manager_id unit name); then
    ok "tree: the managers sheet's unit, leader and leader_name are the roster's"
else bad "tree: managers sheet: $(echo "$out" | head -5)"; fi
hidden=$(awk -F, 'NR > 1 && $12 == 1' "$work/tree/managers.csv" | wc -l)
[ "$hidden" -gt 0 ] && ok "tree: $hidden hidden managers keep their unit and leader" || bad "tree: no hidden manager"

# --- Summary: scales.csv's and variance.csv's figures, formatted -----------------
# check_summary DIR HEADINGS: the Summary's headings are HEADINGS (| between),
# and each cell of its scale rows is the CSV figure under that heading.
check_summary() {
    xlsx_cells "$work/$1/engage.xlsx" Summary > "$work/cells"
    awk -F'\t' -v scales="$work/$1/scales.csv" -v variance="$work/$1/variance.csv" -v headings="$2" "$CSV_AWK
        $FORMATS_AWK"'
        BEGIN {
            ns = read_csv(scales, s, sw); read_csv(variance, v, vw)
            split("scale|respondents|invited|response rate|favourable|neutral|unfavourable|mean|sd|between managers", h1, "|")
            split("scale|respondents|invited|response_rate|favourable_pct|neutral_pct|unfavourable_pct|mean|sd|share_between", c1, "|")
            for (i = 1; i in h1; i++) { file_of[h1[i]] = "s"; column_of[h1[i]] = c1[i] }
            split("between units|between managers within units|change in mean|p-value of the change", h2, "|")
            split("share_unit|share_manager|delta|delta_p_value", c2, "|")
            for (i = 1; i in h2; i++) { file_of[h2[i]] = "v"; column_of[h2[i]] = c2[i] }
            for (c = 1; c <= sw[1]; c++) scol[s[1, c]] = c
            for (c = 1; c <= vw[1]; c++) vcol[v[1, c]] = c
        }
        { type[$1, $2] = $3; code[$1, $2] = $4; cell[$1, $2] = $5; got[$1, $2] = 1 }
        END {
            n = split(headings, want, "|"); list = ""
            for (c = 1; (1 SUBSEP c) in got; c++) list = list (c > 1 ? "|" : "") cell[1, c]
            if (list != headings) { print "headings [" list "], not [" headings "]"; exit 1 }
            for (r = 2; r <= ns; r++) for (c = 1; c <= n; c++) {
                h = want[c]; col = column_of[h]
                if (!(h in file_of)) continue     # the first screen columns, checked below
                x = file_of[h] == "s" ? s[r, scol[col]] : v[r, vcol[col]]
                k = r SUBSEP c
                if (x == "") { if (k in got) { print h ": [" cell[k] "] for an empty figure"; bad++ } continue }
                if (!(k in got)) { print h ": no cell for [" x "]"; bad++; continue }
                if (col == "scale") { if (cell[k] != unguard(x)) { print "scale [" cell[k] "]"; bad++ } continue }
                if (type[k] != "n" || abs(cell[k] - x) > 1e-12 * abs(x)) { print h ": [" cell[k] "] vs " col " " x; bad++ }
                if (code[k] != expected_format(col)) { print h ": format [" code[k] "]"; bad++ }
                checked++
            }
            if (!checked) { print "no figure checked"; bad++ }
            exit bad ? 1 : 0
        }' "$work/cells" || return 1
    # the first screen's: the shown teams beyond their limits (managers.csv),
    # the favourable change as report.txt states it, the items it names first
    awk -F'\t' -v managers="$work/$1/managers.csv" -v report="$work/$1/report.txt" "$CSV_AWK"'
        BEGIN {
            nm = read_csv(managers, m, mw)
            for (r = 2; r <= nm; r++) if (m[r, 12] == 0 && m[r, 17] != "") out[m[r, 1]]++
            while ((getline line < report) > 0) {
                if (line ~ /Since the previous wave: /) { sub(/.*Since the previous wave: /, "", line); sub(/ points.*/, "", line); change = line }
                if (line ~ /^  Strongest items: / && first == "") { sub(/^  Strongest items: /, "", line); sub(/ \(.*/, "", line); first = line }
            }
        }
        { cell[$1, $2] = $5; type[$1, $2] = $3 }
        END {
            for (c = 1; (1 SUBSEP c) in cell; c++) col[cell[1, c]] = c
            c = col["teams standing out"]
            if (!c) { print "no teams standing out"; exit 1 }
            if (type[2, c] != "n" || cell[2, c] != out[cell[2, 1]] + 0) { print "teams standing out " cell[2, c] ", managers.csv " out[cell[2, 1]] + 0; exit 1 }
            if ((c = col["favourable change (points)"]) && (cell[2, c] - change > 0.05 || change - cell[2, c] > 0.05)) {
                print "favourable change " cell[2, c] ", report.txt " change; exit 1
            }
            c = col["strongest items"]
            if (!c || index(cell[2, c], first " (") != 1) { print "strongest items [" cell[2, c] "], report.txt names " first " first"; exit 1 }
        }' "$work/cells" || return 1
    rows=$(csv_rows "$work/$1/scales.csv")
    last=$(col_letters "$(echo "$2" | awk -F'|' '{ print NF }')")
    grep -q "<autoFilter ref=\"A1:$last$rows\"/>" "$work/sheet.xml" || { echo "no autofilter over A1:$last$rows"; return 1; }
}
base='scale|respondents|favourable|neutral|unfavourable|mean|sd|between managers|teams standing out|strongest items|weakest items'
if out=$(check_summary demo "$base"); then ok "demo: Summary holds scales.csv's headline figures"
else bad "demo: Summary: $out"; fi
if out=$(check_summary waves 'scale|respondents|invited|response rate|favourable|neutral|unfavourable|mean|sd|between managers|between units|between managers within units|change in mean|p-value of the change|teams standing out|favourable change (points)|strongest items|weakest items'); then
    ok "waves: Summary adds the response rate, the nested split and the change"
else bad "waves: Summary: $out"; fi
if out=$(check_summary tree 'scale|respondents|invited|response rate|favourable|neutral|unfavourable|mean|sd|between managers|between units|between managers within units|teams standing out|strongest items|weakest items'); then
    ok "tree: Summary adds the response rate and the nested split"
else bad "tree: Summary: $out"; fi

# --- the heatmap sheet: heatmap.csv's favourable shares, hidden cells as text ---
# check_heatmap DIR LEVEL COLOURED: the first scale's block — its company row
# and its LEVEL rows (unit, leader or manager) — cell by cell against heatmap.csv (numbers to
# heatmap.csv's 12 digits, "hidden" where it suppresses the cell); with
# COLOURED (1) one colour scale per item, else (the company alone) none.
check_heatmap() {
    xlsx_cells "$work/$1/engage.xlsx" heatmap > "$work/cells" || { echo "no heatmap sheet"; return 1; }
    awk -F'\t' -v heat="$work/$1/heatmap.csv" -v level="$2" "$CSV_AWK"'
        BEGIN {
            nh = read_csv(heat, h, hw)
            for (r = 2; r <= nh; r++) {
                if (scale == "") scale = h[r, 1]
                if (h[r, 1] != scale) continue
                if (!(h[r, 2] in seen)) { seen[h[r, 2]] = 1; items[++ni] = h[r, 2] }
                if (h[r, 3] != "company" && h[r, 3] != level) continue
                g = h[r, 3] == "company" ? "company" : (h[r, 4] == "" && level == "unit" ? "(no unit)" : h[r, 4])
                want[g, h[r, 2]] = h[r, 10] == 1 ? "hidden" : h[r, 7]
                groups[g] = 1
            }
        }
        { cell[$1, $2] = $5; type[$1, $2] = $3 }
        $2 == 1 && ($5 == "unit" || $5 == "leader" || $5 == "manager" || $5 == "group") && !head { head = $1 }
        END {
            if (!head) { print "no header row"; exit 1 }
            for (r = head + 1; (r SUBSEP 1) in cell && cell[r, 1] !~ /: favourable % by item$/; r++) {
                g = cell[r, 1]
                if (!(g in groups)) { print "row " g " is no group of heatmap.csv"; bad++; continue }
                rows++
                for (i = 1; i <= ni; i++) {
                    w = want[g, items[i]]; got = cell[r, i + 1]
                    if (w == "hidden") { if (got != "hidden" || type[r, i + 1] == "n") { print g " " items[i] ": [" got "] for a hidden cell"; bad++ } else hidden++ }
                    else if (type[r, i + 1] != "n" || abs(got - w) > 1e-10 * abs(w)) { print g " " items[i] ": [" got "] vs " w; bad++ }
                    else checked++
                }
            }
            if (!checked) { print "no cell checked"; bad++ }
            print rows " rows, " checked " figures, " hidden + 0 " hidden cells" > "/dev/stderr"
            exit bad ? 1 : 0
        }' "$work/cells" 2> "$work/heat.count" || return 1
    n_items=$(awk -F, 'NR > 1 && $3 == "company" { print $1 }' "$work/$1/heatmap.csv" | head -n 1 |
              xargs -I{} awk -F, -v s={} 'NR > 1 && $1 == s && $3 == "company"' "$work/$1/heatmap.csv" | wc -l)
    cf=$(grep -o '<conditionalFormatting' "$work/sheet.xml" | wc -l)
    if [ "$3" = 1 ]; then [ "$cf" -ge "$n_items" ] || { echo "$cf colour scales for $n_items items"; return 1; }
    else [ "$cf" = 0 ] || { echo "$cf colour scales with the company alone"; return 1; }; fi
}
if out=$(check_heatmap tree unit 1); then ok "tree: the heatmap sheet is heatmap.csv's company and units ($(cat "$work/heat.count"))"
else bad "tree: heatmap sheet: $out"; fi
if out=$(check_heatmap demo manager 1) && grep -q ' [1-9][0-9]* hidden cells' "$work/heat.count"; then
    ok "demo: the heatmap sheet is heatmap.csv's company and managers ($(cat "$work/heat.count"))"
else bad "demo: heatmap sheet: $out"; fi
# small units (each manager's ancestor at depth 3): some of their cells are hidden
sed -e '/^unit = /d' -e 's/^\[report\]$/[report]\nunit_depth = 3/' "$work/tree.ini" > "$work/small-units.ini"
run small-units -c "$work/small-units.ini" "$work/tree.csv.gz"
hidden=$(awk -F, 'NR > 1 && $3 == "unit" && $10 == 1' "$work/small-units/heatmap.csv" | wc -l)
if [ "$hidden" -gt 0 ] && out=$(check_heatmap small-units unit 1); then
    ok "small units: the heatmap sheet lists only shown units ($(cat "$work/heat.count"); $hidden unit cells hidden in heatmap.csv)"
else bad "small units: $hidden hidden cells; heatmap sheet: ${out:-}"; fi

# --- Read me: the rule with min_group, the config text ---------------------------
for d in demo tree; do
    xlsx_cells "$work/$d/engage.xlsx" "Read me" > "$work/cells"
    ini=datasets/sample-quarter.ini
    [ "$d" = tree ] && ini=$work/tree.ini
    if awk -F'\t' '$5 == "min_group" { r = $1 } $1 == r && $2 == 2 && $3 == "n" && $5 == 5 { found = 1 } END { exit !found }' "$work/cells"
    then ok "$d: Read me has min_group 5, as a number"; else bad "$d: Read me lacks min_group 5"; fi
    if grep -q 'at least 5 of their team were scored' "$work/cells"; then ok "$d: Read me states the rule with 5"
    else bad "$d: Read me lacks the rule"; fi
    missing=$(awk -F'\t' 'NR == FNR { have[$5] = 1; next } $0 != "" && !($0 in have)' "$work/cells" "$ini" | head -3)
    [ -z "$missing" ] && ok "$d: Read me has every line of the config" || bad "$d: Read me lacks config lines: $missing"
done

# --- against a reference engage's workbook (REFERENCE_ENGAGE) -----------------
# When REFERENCE_ENGAGE names another engage binary (an earlier build, say),
# its engage.xlsx for the same runs is read the same way and compared with
# ours sheet by sheet: the same sheets in the same order, the same cells
# with the same types and number formats, text exactly, numbers to 1e-15
# relative (the last of 16 digits); with soffice also every sheet as
# LibreOffice exports it, values and as shown, byte for byte.  Without
# REFERENCE_ENGAGE this part is skipped with a note.
same_cells() { # REFERENCE_CELLS CELLS: xlsx_cells of both
    awk -F'\t' 'function abs(x) { return x < 0 ? -x : x }
        NR == FNR { k = $1 SUBSEP $2; t[k] = $3; f[k] = $4; v[k] = $5; next }
        {
            k = $1 SUBSEP $2; seen[k] = 1
            if (!(k in t)) { print "cell " $1 ":" $2 " [" $5 "] not in the reference"; bad++; next }
            if ($3 != t[k] || $4 != f[k]) { print "cell " $1 ":" $2 ": " $3 " [" $4 "], reference " t[k] " [" f[k] "]"; bad++ }
            else if ($3 == "n" && abs($5 - v[k]) > 1e-15 * abs(v[k])) { print "cell " $1 ":" $2 ": " $5 " vs " v[k]; bad++ }
            else if ($3 != "n" && $5 != v[k]) { print "cell " $1 ":" $2 ": [" $5 "] vs [" v[k] "]"; bad++ }
            cells++
        }
        END {
            for (k in t) if (!(k in seen)) { split(k, rc, SUBSEP); print "no cell " rc[1] ":" rc[2] " [" v[k] "]"; bad++ }
            if (!cells) { print "no cells"; bad++ }
            exit bad ? 1 : 0
        }' "$1" "$2"
}
sheet_names() { unzip -p "$1" xl/workbook.xml | grep -o '<sheet name="[^"]*"' | sed 's/.*="//; s/"$//'; }
if [ -z "${REFERENCE_ENGAGE:-}" ]; then
    echo "note  REFERENCE_ENGAGE is not set: the workbook is not compared with a reference engage's"
else
    "$REFERENCE_ENGAGE" run -q -o "$work/ref-demo" -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
    "$REFERENCE_ENGAGE" run -q -o "$work/ref-waves" -c datasets/sample-quarter-googleforms.ini \
        --previous datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.csv.gz
    "$REFERENCE_ENGAGE" run -q -o "$work/ref-tree" -c "$work/tree.ini" "$work/tree.csv.gz"
    for d in demo waves tree; do
        names=$(sheet_names "$work/$d/engage.xlsx" | tr '\n' '|')
        if [ "$names" = "$(sheet_names "$work/ref-$d/engage.xlsx" | tr '\n' '|')" ]; then
            ok "$d: the reference's sheets, in its order"
        else bad "$d: sheets $names, the reference's $(sheet_names "$work/ref-$d/engage.xlsx" | tr '\n' '|')"; fi
        sheet_names "$work/$d/engage.xlsx" > "$work/names"
        while IFS= read -r t; do
            xlsx_cells "$work/ref-$d/engage.xlsx" "$t" > "$work/ref-cells"
            xlsx_cells "$work/$d/engage.xlsx" "$t" > "$work/cells"
            if out=$(same_cells "$work/ref-cells" "$work/cells"); then
                ok "$d: sheet $t: the reference's cells ($(wc -l < "$work/cells")), types, formats and values"
            else bad "$d: sheet $t differs from the reference's: $(echo "$out" | head -5)"; fi
        done < "$work/names"
        if command -v "$SOFFICE" >/dev/null 2>&1; then
            for mode in false true; do
                export="csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,$mode,false,false,-1"
                for v in ref- ""; do
                    mkdir -p "$work/lo-ref-$mode/$v$d"
                    "$SOFFICE" -env:UserInstallation="file://$work/lo-profile" --headless --convert-to "$export" \
                        --outdir "$work/lo-ref-$mode/$v$d" "$work/$v$d/engage.xlsx" > /dev/null 2>&1
                done
                n=$(ls "$work/lo-ref-$mode/$d" | wc -l)
                if [ "$n" -gt 0 ] && out=$(diff -r "$work/lo-ref-$mode/ref-$d" "$work/lo-ref-$mode/$d"); then
                    ok "$d: LibreOffice exports the reference's $n sheets (as shown: $mode)"
                else bad "$d: LibreOffice's export (as shown: $mode) differs from the reference's: $(echo "$out" | head -5)"; fi
            done
        fi
    done
fi

# --- LibreOffice: each sheet exported to CSV equals engage's CSV ----------------
# same_table ENGINE_CSV OFFICE_CSV: cell by cell; numbers to 1e-12 relative
# (a share LibreOffice exports with its % sign is divided back), text with
# engage's leading ' (formula guard) taken off; columns past the CSV's are
# the workbook's own and not compared.  RFC 4180 quoting; a quoted field may
# span lines.
same_table() {
    awk "$CSV_AWK"'
        BEGIN {
            rows = read_csv(ARGV[1], a, wa); orows = read_csv(ARGV[2], b, wb)
            if (rows != orows) { print "rows: " rows " vs " orows; exit 1 }
            for (k in a) {
                split(k, rc, SUBSEP)
                x = a[k]; y = (k in b) ? b[k] : ""
                if (y ~ /%$/ && num(substr(y, 1, length(y) - 1))) y = substr(y, 1, length(y) - 1) / 100
                if (num(x) && num(y "")) {
                    if (abs(x - y) > 1e-12 * abs(x)) { print "row " rc[1] " col " rc[2] ": " x " vs " y; bad++ }
                } else if (unguard(x) != y) { print "row " rc[1] " col " rc[2] ": [" x "] vs [" y "]"; bad++ }
            }
            for (k in b) { split(k, rc, SUBSEP); if (!(k in a) && b[k] != "" && rc[2] <= wa[1]) { print "extra cell " k ": " b[k]; bad++ } }
            exit bad ? 1 : 0
        }' "$1" "$2"
}

# shown_decimals ENGINE_CSV SHOWN_CSV KINDS: the figures as LibreOffice shows
# them (its "as shown" export): means 2 decimals, per cents 1 and a % sign,
# shares as a percentage, p-values 3 decimals or scientific below 0.001,
# counts whole; at least KINDS different formats among them.
shown_decimals() {
    awk -v kinds="$3" "$CSV_AWK
        $FORMATS_AWK"'
        BEGIN {
            rows = read_csv(ARGV[1], a, wa); read_csv(ARGV[2], b, wb)
            for (r = 2; r <= rows; r++) for (c = 1; c <= wa[1]; c++) {
                x = a[r, c]; y = b[r, c]; f = expected_format(a[1, c])
                if (f == "" || !num(x)) continue
                ok = 0
                if (f == "0.00") ok = y ~ /^-?[0-9]+\.[0-9][0-9]$/ && abs(y - x) <= 0.005 + 1e-9
                else if (f == "0.000") ok = y ~ /^-?[0-9]+\.[0-9][0-9][0-9]$/ && abs(y - x) <= 0.0005 + 1e-9
                else if (f == "#,##0") { z = y; gsub(/,/, "", z); ok = y ~ /^-?[0-9][0-9]?[0-9]?(,[0-9][0-9][0-9])*$/ && z == x }
                else if (f == "0.0\"%\"") ok = y ~ /^-?[0-9]+\.[0-9]%$/ && abs(substr(y, 1, length(y) - 1) - x) <= 0.05 + 1e-9
                else if (f == "0.0%") ok = y ~ /^-?[0-9]+\.[0-9]%$/ && abs(substr(y, 1, length(y) - 1) - 100 * x) <= 0.05 + 1e-9
                else if (x + 0 < 0.001) ok = y ~ /^[0-9]\.[0-9][0-9]E[-+][0-9]+$/ && abs(y - x) <= 0.005 * x + 1e-300
                else ok = y ~ /^[0-9]\.[0-9][0-9][0-9]$/ && abs(y - x) <= 0.0005 + 1e-9
                if (!ok) { print a[1, c] " row " r ": " x " shown as [" y "]"; bad++ }
                else checked[f] = 1
            }
            for (f in checked) n++
            if (n < kinds) { print "only " n " formats checked"; bad++ }
            exit bad ? 1 : 0
        }' "$1" "$2"
}

if ! command -v "$SOFFICE" >/dev/null 2>&1; then
    echo "note  soffice (LibreOffice) is not on PATH: the workbook is not opened in a spreadsheet here"
else
    raw='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
    shown='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
    for d in demo waves tree; do
        mkdir -p "$work/lo-$d" "$work/lo-shown-$d"
        if "$SOFFICE" -env:UserInstallation="file://$work/lo-profile" --headless \
                --convert-to "$raw" --outdir "$work/lo-$d" "$work/$d/engage.xlsx" >"$work/lo-$d.log" 2>&1 &&
            [ -f "$work/lo-$d/engage-Read me.csv" ]; then
            ok "$d: LibreOffice opens engage.xlsx and exports its sheets"
        else
            bad "$d: LibreOffice could not export engage.xlsx: $(cat "$work/lo-$d.log")"
            continue
        fi
        for t in managers variance items changes units leaders scales drivers quality; do
            if [ -f "$work/$d/$t.csv" ]; then
                if [ ! -f "$work/lo-$d/engage-$t.csv" ]; then bad "$d: no sheet $t"
                elif out=$(same_table "$work/$d/$t.csv" "$work/lo-$d/engage-$t.csv"); then
                    ok "$d: sheet $t equals $t.csv in LibreOffice"
                else bad "$d: sheet $t differs from $t.csv: $(echo "$out" | head -5)"; fi
            elif [ -f "$work/lo-$d/engage-$t.csv" ]; then
                bad "$d: sheet $t without $t.csv"
            fi
        done
        if [ -f "$work/lo-$d/engage-rejects.csv" ]; then bad "$d: rejects.csv in the workbook"
        else ok "$d: no rejects sheet"; fi
        if grep -q "^min_group,5" "$work/lo-$d/engage-Read me.csv"; then ok "$d: Read me has min_group"
        else bad "$d: Read me lacks min_group"; fi
        "$SOFFICE" -env:UserInstallation="file://$work/lo-profile" --headless \
            --convert-to "$shown" --outdir "$work/lo-shown-$d" "$work/$d/engage.xlsx" >"$work/lo-$d.log" 2>&1
        for t in managers:3 variance:5 changes:3; do
            kinds=${t#*:}
            t=${t%:*}
            [ -f "$work/$d/$t.csv" ] || continue
            if out=$(shown_decimals "$work/$d/$t.csv" "$work/lo-shown-$d/engage-$t.csv" "$kinds"); then
                ok "$d: LibreOffice shows the $t sheet's figures in their formats"
            else bad "$d: $t as shown: $(echo "$out" | head -5)"; fi
        done
    done
    if [ -f "$work/waves/changes.csv" ] && [ -f "$work/lo-waves/engage-changes.csv" ]; then
        ok "waves: a changes sheet with --previous"
    else bad "waves: no changes sheet with --previous"; fi
fi

finish
