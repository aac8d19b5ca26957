#!/bin/sh
# End-to-end tests of engage.xlsx on the bundled samples: it is written beside
# the CSVs, manifest.json carries its SHA-256, and a rerun (also with
# SOURCE_DATE_EPOCH) gives the same bytes.  When LibreOffice's soffice is on
# PATH, every sheet is exported to CSV with it and compared with engage's own
# CSV cell by cell (numbers numerically, text after taking off the CSVs'
# formula guard); without soffice that part is skipped with a note.
#   usage: tests/e2e_workbook.sh ENGAGE
suite=e2e_workbook
show_ok=1
ENGAGE=$1
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

# --- the sample quarter; a survey-tool sample with a roster and a previous wave
run demo -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
run demo2 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
run waves -c datasets/sample-quarter-googleforms.ini \
    --previous datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.csv.gz
SOURCE_DATE_EPOCH=1700000000 run dated1 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
SOURCE_DATE_EPOCH=1700000000 run dated2 -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz

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

# --- LibreOffice: each sheet exported to CSV equals engage's CSV ----------------
# same_table ENGINE_CSV OFFICE_CSV: cell by cell; numbers to 1e-12 relative,
# text with engage's leading ' (formula guard) taken off.  RFC 4180 quoting;
# a quoted field may span lines.
same_table() {
    awk '
        function parse(file, cells,    line, n, r, i, c, f, q, more) {
            r = 0; q = 0; f = ""; n = 0
            while ((getline line < file) > 0) {
                if (q) f = f "\n"; else { r++; n = 0; f = "" }
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
        BEGIN {
            rows = parse(ARGV[1], a); delete width; orows = parse(ARGV[2], b)
            if (rows != orows) { print "rows: " rows " vs " orows; exit 1 }
            for (k in a) {
                split(k, rc, SUBSEP)
                x = a[k]; y = (k in b) ? b[k] : ""
                if (num(x) && num(y)) {
                    d = x - y; if (d < 0) d = -d
                    m = x < 0 ? -x : x
                    if (d > 1e-12 * m) { print "row " rc[1] " col " rc[2] ": " x " vs " y; bad++ }
                } else if (unguard(x) != y) { print "row " rc[1] " col " rc[2] ": [" x "] vs [" y "]"; bad++ }
            }
            for (k in b) if (!(k in a) && b[k] != "") { print "extra cell " k ": " b[k]; bad++ }
            exit bad ? 1 : 0
        }' "$1" "$2"
}

if ! command -v soffice >/dev/null 2>&1; then
    echo "note  soffice (LibreOffice) is not on PATH: the workbook is not opened in a spreadsheet here"
else
    filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
    for d in demo waves; do
        mkdir -p "$work/lo-$d"
        if soffice -env:UserInstallation="file://$work/lo-profile" --headless \
                --convert-to "$filter" --outdir "$work/lo-$d" "$work/$d/engage.xlsx" >"$work/lo-$d.log" 2>&1 &&
            [ -f "$work/lo-$d/engage-Read me.csv" ]; then
            ok "$d: LibreOffice opens engage.xlsx and exports its sheets"
        else
            bad "$d: LibreOffice could not export engage.xlsx: $(cat "$work/lo-$d.log")"
            continue
        fi
        for t in managers variance items changes units leaders scales quality; do
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
    done
    if [ -f "$work/waves/changes.csv" ] && [ -f "$work/lo-waves/engage-changes.csv" ]; then
        ok "waves: a changes sheet with --previous"
    else bad "waves: no changes sheet with --previous"; fi
fi

finish
