#!/bin/sh
# End-to-end tests of the survey-tool readers: each committed sample in
# datasets/ (the sample quarter as Qualtrics, legacy Qualtrics, SurveyMonkey,
# Google Forms, Microsoft Forms and LimeSurvey export) must give the same
# variance.csv and managers.csv as the canonical sample, byte for byte; its
# quality.csv must name the format and count the rows left out (previews,
# spam, incomplete responses), and rejects.csv must list exactly those rows.
# The samples must also be what GEN writes today, so they never drift from it.
# report.txt and report.html name the items by their short labels (the
# statements, or the config's short_names), items.csv by the full names.
#   usage: tests/e2e_formats.sh ENGAGE GEN
suite=e2e_formats
show_ok=1
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

gen_args="--respondents 2000 --items 6 --reverse 6 --seed 1"

# --- the canonical sample: generator unchanged, reference figures ------------
# shellcheck disable=SC2086
"$GEN" $gen_args --config "$work/sample-quarter.ini" --truth "$work/sample-quarter.truth.csv" \
    -o "$work/sample-quarter.csv.gz"
expect_status 0 $? "canonical: engage-gen"
for f in sample-quarter.csv.gz sample-quarter.ini sample-quarter.truth.csv; do
    if cmp -s "$work/$f" "datasets/$f"; then ok "canonical: $f regenerates byte for byte"
    else bad "canonical: $f differs from what $GEN writes"; fi
done
"$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/canonical" datasets/sample-quarter.csv.gz
expect_status 0 $? "canonical: engage run"

# csv_column FILE NAME: column NAME of the first data row of a CSV file
# (RFC 4180 quoting; no field of these files holds a line break).
csv_column() {
    awk -v want="$2" "$CSV_SPLIT_AWK"'
        NR == 1 { n = split_csv($0, head); for (i = 1; i <= n; i++) if (head[i] == want) col = i }
        NR == 2 { split_csv($0, row); if (col) print row[col]; exit }' "$1"
}

# excluded_lines LAYOUT FILE: the physical lines of the rows a reader must
# leave out, found in the file itself (no field of these samples holds a
# line break, so a record is a line).
excluded_lines() {
    case $1 in
    qualtrics) # three header rows; Status is the third column
        gzip -dc "$2" | awk -F'","' 'NR > 3 && ($3 == "Survey Preview" || $3 == "Spam") { print NR }' ;;
    qualtrics-legacy) # two header rows; Status (V7) 1 = preview
        gzip -dc "$2" | awk -F, 'NR > 2 && $7 == "1" { print NR }' ;;
    limesurvey) # submitdate empty = not submitted
        gzip -dc "$2" | awk -F'";"' 'NR > 1 && $2 == "" { print NR }' ;;
    limesurvey-text)
        gzip -dc "$2" | awk -F'","' 'NR > 1 && $2 == "" { print NR }' ;;
    esac
}

# The sample's six statements, as engage-gen words them.
STATEMENTS='I am proud to work here
I would recommend this company as a great place to work
When I do good work, my manager recognises it
I have the tools and resources I need to do my job well
I see myself still working here in two years
I often think about leaving this company'

# item_labels REPORT: the items of report.txt's item table, one a line, a
# label wrapped over several lines joined again.
item_labels() {
    awk '/^Items \(after reverse coding/ { on = 1; next }
         on && /^  item / { table = 1; next }
         table && /^$/ { exit }
         table {
             line = $0
             if (sub(/  +[0-9]+  +[0-9.]+  +[0-9.]+  +[0-9.]+%  +-?[0-9.]+$/, "", line)) {
                 if (label != "") print label
                 sub(/^  /, "", line); label = line
             } else { sub(/^  /, "", line); label = label " " line }
         }
         END { if (label != "") print label }' "$1"
}

# items_column FILE: the item column of items.csv, one a line.
items_column() {
    awk "$CSV_SPLIT_AWK"'NR > 1 { split_csv($0, f); print f[2] }' "$1"
}

# item_figures FILE: items.csv without its item column.
item_figures() {
    awk "$CSV_SPLIT_AWK"'{ n = split_csv($0, f); line = f[1]; for (i = 3; i <= n; i++) line = line "," f[i]; print line }' "$1"
}

# --- each survey tool's layout ----------------------------------------------
# layout, format in quality.csv, rows excluded
for spec in qualtrics:qualtrics:5 qualtrics-legacy:qualtrics:2 surveymonkey:surveymonkey:0 \
            googleforms:googleforms:0 msforms:msforms:0 limesurvey:limesurvey:4 \
            limesurvey-text:limesurvey:4; do
    layout=${spec%%:*}
    rest=${spec#*:}
    want_format=${rest%%:*}
    want_excluded=${rest#*:}
    sample=datasets/sample-quarter-$layout.csv.gz
    config=datasets/sample-quarter-$layout.ini

    # the committed sample is what the generator writes
    roster=""
    case $layout in googleforms | msforms) roster="--roster $work/sample-quarter-roster.csv" ;; esac
    # shellcheck disable=SC2086
    "$GEN" $gen_args --format "$layout" --config "$work/sample-quarter-$layout.ini" $roster \
        -o "$work/sample-quarter-$layout.csv.gz"
    expect_status 0 $? "$layout: engage-gen --format $layout"
    for f in "sample-quarter-$layout.csv.gz" "sample-quarter-$layout.ini"; do
        if cmp -s "$work/$f" "datasets/$f"; then ok "$layout: $f regenerates byte for byte"
        else bad "$layout: datasets/$f differs from what $GEN writes"; fi
    done
    if [ -n "$roster" ]; then
        if cmp -s "$work/sample-quarter-roster.csv" datasets/sample-quarter-roster.csv; then
            ok "$layout: sample-quarter-roster.csv regenerates byte for byte"
        else
            bad "$layout: datasets/sample-quarter-roster.csv differs from what $GEN writes"
        fi
    fi

    # the same figures as the canonical quarter
    out=$work/out-$layout
    "$ENGAGE" run -q -c "$config" -o "$out" "$sample" 2> "$work/stderr"
    status=$?
    expect_status 0 $status "$layout: engage run"
    if [ "$status" != 0 ]; then
        bad "$layout: engage says: $(head -n 1 "$work/stderr")"
        continue
    fi
    # with roster units the nested fit fills variance.csv's columns 23-27, which
    # the canonical sample (no roster) leaves empty: the rest must be identical
    if grep -q '^unit *=' "$config"; then
        if awk -F, 'NR == 2 && ($23 == "" || $27 == "") { exit 1 }' "$out/variance.csv"; then
            ok "$layout: the nested fit with units"
        else
            bad "$layout: no nested fit with units"
        fi
        cut -d, -f1-22,28- "$out/variance.csv" > "$work/variance.cut"
        cut -d, -f1-22,28- "$work/canonical/variance.csv" > "$work/canonical.cut"
        if cmp -s "$work/canonical.cut" "$work/variance.cut"; then
            ok "$layout: variance.csv, but the nested fit, identical to the canonical sample's"
        else
            bad "$layout: variance.csv differs from the canonical sample's beyond the nested fit"
        fi
    fi
    # through a roster managers.csv adds participation (columns 18-20), empty without one
    if [ -n "$roster" ]; then
        if awk -F, 'NR > 1 && $18 != "" { n++ } END { exit n > 0 ? 0 : 1 }' "$out/managers.csv"; then
            ok "$layout: participation in managers.csv through the roster"
        else
            bad "$layout: no participation in managers.csv through the roster"
        fi
        cut -d, -f1-17,21- "$out/managers.csv" > "$out/managers.csv.cut"
        cut -d, -f1-17,21- "$work/canonical/managers.csv" > "$work/canonical/managers.csv.cut"
    fi
    for f in variance.csv managers.csv; do
        if [ $f = variance.csv ] && grep -q '^unit *=' "$config"; then
            continue
        fi
        if [ $f = managers.csv ] && [ -n "$roster" ]; then f=managers.csv.cut; fi
        if cmp -s "$work/canonical/$f" "$out/$f"; then
            ok "$layout: $f identical to the canonical sample's"
        else
            first=$(diff "$work/canonical/$f" "$out/$f" | sed -n '2p' | cut -c1-160)
            bad "$layout: $f differs from the canonical sample's, first: $first"
        fi
    done

    # quality.csv: the format and the counts, found by their header names
    # (a quoted comma as delimiter and later columns must not matter)
    got_format=$(csv_column "$out/quality.csv" format)
    if [ "$got_format" = "$want_format" ]; then ok "$layout: quality.csv format $got_format"
    else bad "$layout: quality.csv format '$got_format', expected $want_format"; fi
    counts=$(for c in rows accepted rejected excluded; do csv_column "$out/quality.csv" $c; done | tr '\n' ' ' | sed 's/ $//')
    want_counts="$((2000 + want_excluded)) 2000 0 $want_excluded"
    if [ "$counts" = "$want_counts" ]; then
        ok "$layout: quality.csv rows accepted rejected excluded = $counts"
    else
        bad "$layout: quality.csv rows accepted rejected excluded = $counts, expected $want_counts"
    fi

    # rejects.csv lists exactly the previews, spam and incomplete rows
    tail -n +2 "$out/rejects.csv" | cut -d, -f2 | sort -n > "$work/got-lines"
    excluded_lines "$layout" "$sample" | sort -n > "$work/want-lines"
    if [ "$(wc -l < "$work/want-lines")" != "$want_excluded" ]; then
        bad "$layout: the sample holds $(wc -l < "$work/want-lines") rows to exclude, expected $want_excluded"
    elif cmp -s "$work/got-lines" "$work/want-lines"; then
        lines=$(tr '\n' ' ' < "$work/want-lines")
        lines=${lines% }
        ok "$layout: rejects.csv lists the $want_excluded excluded rows (lines ${lines:-none})"
    else
        bad "$layout: rejects.csv lists lines '$(tr '\n' ' ' < "$work/got-lines")', expected '$(tr '\n' ' ' < "$work/want-lines")'"
    fi

    # items: report.txt and report.html name each by its short label, items.csv
    # by its full name, with the canonical sample's figures
    case $layout in
    qualtrics | qualtrics-legacy) full=$(seq 1 6 | sed 's/^/Q1_/'); labels=$full ;;
    limesurvey) full=$(seq 1 6 | sed 's/^/Q1[SQ00/; s/$/]/'); labels=$full ;;
    surveymonkey) full=$(echo "$STATEMENTS" | sed 's/^/How much do you agree with each statement? - /'); labels=$STATEMENTS ;;
    googleforms | limesurvey-text) full=$(echo "$STATEMENTS" | sed 's/^/How much do you agree with each statement? [/; s/$/]/'); labels=$STATEMENTS ;;
    msforms) full=$STATEMENTS; labels=$STATEMENTS ;;
    esac
    got=$(item_labels "$out/report.txt")
    if [ "$got" = "$labels" ]; then ok "$layout: report.txt names the items $(echo "$labels" | head -n 1), ..."
    else bad "$layout: report.txt names the items '$(echo "$got" | tr '\n' '|')', expected '$(echo "$labels" | tr '\n' '|')'"; fi
    if [ "$(items_column "$out/items.csv")" = "$full" ]; then ok "$layout: items.csv names the items in full"
    else bad "$layout: items.csv names the items '$(items_column "$out/items.csv" | tr '\n' '|')'"; fi
    if [ "$(item_figures "$out/items.csv")" = "$(item_figures "$work/canonical/items.csv")" ]; then
        ok "$layout: items.csv has the canonical sample's item figures"
    else
        bad "$layout: items.csv's figures differ from the canonical sample's"
    fi
    cells=$(paste -d'\t' "$(printf '%s\n' "$full" > "$work/full"; echo "$work/full")" \
                         "$(printf '%s\n' "$labels" > "$work/labels"; echo "$work/labels")" |
            while IFS="$(printf '\t')" read -r f l; do
                grep -cF "<tr><td class=\"t\" title=\"$f\">$l</td>" "$out/report.html"
            done | tr '\n' ' ')
    if [ "$cells" = "1 1 1 1 1 1 " ]; then ok "$layout: report.html names each item by its label, its full name the title"
    else bad "$layout: report.html's item cells found $cells times"; fi
    if [ "$labels" = "$full" ]; then
        if grep -q "tells them apart" "$out/report.txt" "$out/report.html"; then
            bad "$layout: a note on short labels though every label is the full name"
        else ok "$layout: no note on short labels"; fi
    fi
done

# --- the config's short_names ------------------------------------------------
# The SurveyMonkey sample with short names: report.txt shows them, items.csv and
# every other table are the same bytes as without them.
awk '{ print } /^\[scale engagement\]/ {
        print "short_names = Proud, \"Recommend, to friends\", Recognised,"
        print "    Tools, Staying, Leaving" }' datasets/sample-quarter-surveymonkey.ini > "$work/named.ini"
"$ENGAGE" run -q -c "$work/named.ini" -o "$work/named" datasets/sample-quarter-surveymonkey.csv.gz
expect_status 0 $? "surveymonkey with short_names: engage run"
want='Proud
Recommend, to friends
Recognised
Tools
Staying
Leaving'
got=$(item_labels "$work/named/report.txt")
if [ "$got" = "$want" ]; then ok "short_names: report.txt names the items by them"
else bad "short_names: report.txt names the items '$(echo "$got" | tr '\n' '|')'"; fi
if grep -qF '<tr><td class="t" title="How much do you agree with each statement? - When I do good work, my manager recognises it">Recognised</td>' "$work/named/report.html"; then
    ok "short_names: report.html names the items by them"
else bad "short_names: report.html does not name the items by them"; fi
for f in items.csv managers.csv variance.csv scales.csv quality.csv; do
    if cmp -s "$work/out-surveymonkey/$f" "$work/named/$f"; then ok "short_names: $f the same bytes as without them"
    else bad "short_names: $f differs from the run without them"; fi
done
tr -d ' \n' < "$work/named/manifest.json" | grep -q '"short_names":\["Proud","Recommend,tofriends","Recognised"' &&
    ok "short_names: recorded in manifest.json" || bad "short_names: not in manifest.json"
printf '[scale engagement]\nitems = Q1, Q2\nshort_names = Pay\n' > "$work/few.ini"
"$ENGAGE" check -q -c "$work/few.ini" datasets/sample-quarter.csv.gz 2> "$work/stderr"
expect_status 78 $? "short_names for fewer items than items"
grep -q "few.ini:3: scale 'engagement' has 2 items but 1 short_names" "$work/stderr" &&
    ok "short_names: the mismatch named with its line" || bad "short_names: $(head -n 1 "$work/stderr")"

# --- generator options -------------------------------------------------------
"$GEN" --respondents 10 --format qualtrics --roster "$work/r.csv" -o "$work/x.csv" 2> /dev/null
expect_status 64 $? "engage-gen: --roster with a layout that names managers"
"$GEN" --respondents 10 --format googleforms --config "$work/x.ini" -o "$work/x.csv" 2> /dev/null
expect_status 64 $? "engage-gen: --config for googleforms without --roster"
"$GEN" --respondents 10 --format spss -o "$work/x.csv" 2> /dev/null
expect_status 64 $? "engage-gen: unknown --format"
# a roster in another folder is named by its absolute path
mkdir -p "$work/cfg" "$work/hr"
"$GEN" --respondents 300 --format msforms --config "$work/cfg/ms.ini" --roster "$work/hr/roster.csv" \
    -o "$work/ms.csv"
expect_status 0 $? "engage-gen: roster in another folder"
if grep -qx "file = $(cd "$work/hr" && pwd -P)/roster.csv" "$work/cfg/ms.ini"; then
    ok "engage-gen: the config names a roster elsewhere by its absolute path"
else
    bad "engage-gen: config names the roster as '$(sed -n 's/^file = //p' "$work/cfg/ms.ini")'"
fi
"$ENGAGE" run -q -c "$work/cfg/ms.ini" -o "$work/ms-out" "$work/ms.csv" 2> "$work/stderr"
expect_status 0 $? "msforms with a roster in another folder"

# --- a tool's export archived with `engage ingest` reads back the same ------
# The Google Forms sample takes its managers and units from the roster; the
# canonical archive carries both, so the same config reproduces the figures.
"$ENGAGE" ingest -q -c datasets/sample-quarter-googleforms.ini -o "$work/gf-archive.csv.gz" \
    datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "googleforms: engage ingest"
if gzip -dc "$work/gf-archive.csv.gz" | head -1 | grep -q '^respondent_id,manager_id,unit,'; then
    ok "googleforms: the archive carries the roster's unit"
else
    bad "googleforms: archive header $(gzip -dc "$work/gf-archive.csv.gz" | head -1 | cut -c1-60)"
fi
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/gf-archived" "$work/gf-archive.csv.gz"
expect_status 0 $? "googleforms: engage run on the archive"
# the archive keeps the units: the same figures as the export, nested fit included;
# it does not say who of the roster responded, so managers.csv's participation is empty
if awk -F, 'NR > 1 && $18 $19 $20 != "" { n++ } END { exit n }' "$work/gf-archived/managers.csv"; then
    ok "googleforms: the archive's managers.csv has no participation"
else
    bad "googleforms: the archive's managers.csv shows participation"
fi
for d in out-googleforms gf-archived; do cut -d, -f1-17,21- "$work/$d/managers.csv" > "$work/$d/managers.cut"; done
for t in variance.csv managers.cut; do
    if cmp -s "$work/out-googleforms/$t" "$work/gf-archived/$t"; then
        ok "googleforms: the archive gives the export's $t"
    else
        bad "googleforms: the archive's $t differs"
    fi
done

finish
