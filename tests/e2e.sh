#!/bin/sh
# End-to-end tests of the engage binary: the bad-input folder (each case's
# exit status and message), byte-identical reruns, a failed run leaving an
# existing OUTDIR untouched, the canonical round trip, stdin, progress
# on stderr (--progress, a terminal through script(1), never otherwise),
# and exit statuses for usage and output errors.
#   usage: tests/e2e.sh ENGAGE GEN
suite=e2e
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

same_tree() { # dir1 dir2: same files with the same bytes
    (cd "$1" && find . -type f | sort | xargs sha256sum) > "$work/a.sum"
    (cd "$2" && find . -type f | sort | xargs sha256sum) > "$work/b.sum"
    cmp -s "$work/a.sum" "$work/b.sum"
}

# --- the bad-input folder ------------------------------------------------
# tests/bad/NAME.expect: "exit N", optional "args ...", "stderr LINE" (the
# first line engage prints).  Input: NAME.csv, NAME.csv.gz or NAME.zip;
# config NAME.ini.
for expect in tests/bad/*.expect; do
    name=${expect%.expect}
    input=$name.csv
    [ -f "$input" ] || input=$name.csv.gz
    [ -f "$input" ] || input=$name.zip
    want_exit=$(sed -n 's/^exit //p' "$expect")
    want_err=$(sed -n 's/^stderr //p' "$expect")
    args=$(sed -n 's/^args //p' "$expect")
    config=""
    [ -f "$name.ini" ] && config="-c $name.ini"
    # shellcheck disable=SC2086
    "$ENGAGE" run $config $args -o "$work/bad-out" "$input" > "$work/stdout" 2> "$work/stderr"
    status=$?
    expect_status "$want_exit" "$status" "$name"
    got_err=$(head -n 1 "$work/stderr")
    if [ "$got_err" = "$want_err" ]; then ok; else bad "$name: stderr '$got_err', expected '$want_err'"; fi
    if [ -s "$work/stdout" ]; then bad "$name: printed on stdout"; else ok; fi
    if [ -e "$work/bad-out" ]; then bad "$name: left an output folder"; else ok; fi
done

# --- demo run, reproducibility, atomic output ------------------------------
sample=datasets/sample-quarter.csv.gz
config=datasets/sample-quarter.ini
"$ENGAGE" run -q -c $config -o "$work/out" $sample
expect_status 0 $? "demo run"
for f in managers.csv variance.csv items.csv quality.csv rejects.csv report.txt manifest.json; do
    if [ -s "$work/out/$f" ]; then ok; else bad "demo run: $f missing"; fi
done
mv "$work/out" "$work/first"
LC_ALL=C.UTF-8 LANG=de_DE.UTF-8 "$ENGAGE" run -q -c $config -o "$work/out" $sample
if same_tree "$work/first" "$work/out"; then ok; else bad "two runs differ"; fi

# A failing run leaves the existing OUTDIR exactly as it was, and no debris.
(gzip -dc $sample | head -n 1500; printf 'R9,M9,"4\n') > "$work/cut.csv"
"$ENGAGE" run -q -c $config -o "$work/out" "$work/cut.csv" 2> /dev/null
expect_status 65 $? "failing run over an existing OUTDIR"
if same_tree "$work/first" "$work/out"; then ok; else bad "a failed run changed OUTDIR"; fi
if [ "$(find "$work" -maxdepth 1 -name 'out.*' | wc -l)" = 0 ]; then ok; else bad "temporary folders left behind"; fi

# A successful run replaces the folder as a whole: with a file no run
# wrote in it, only with --force (tests/e2e_outdir.sh has the rest).
echo stale > "$work/out/stale.txt"
"$ENGAGE" run -q -c $config -o "$work/out" $sample 2> /dev/null
expect_status 73 $? "run over an OUTDIR holding another file"
"$ENGAGE" run -q --force -c $config -o "$work/out" $sample
expect_status 0 $? "run --force over an existing OUTDIR"
if [ -e "$work/out/stale.txt" ]; then bad "old files survived the replacement"; else ok; fi

# --- the canonical archive reproduces the figures ---------------------------
"$ENGAGE" ingest -q -c $config -o "$work/archive.csv.gz" $sample
expect_status 0 $? "ingest to gzip"
"$ENGAGE" run -q -c $config -o "$work/from-archive" "$work/archive.csv.gz"
for f in managers.csv variance.csv; do
    if cmp -s "$work/first/$f" "$work/from-archive/$f"; then ok; else bad "archive gives a different $f"; fi
done
"$ENGAGE" ingest -q -c $config $sample > "$work/archive.csv"
gzip -dc "$work/archive.csv.gz" | cmp -s - "$work/archive.csv" && ok || bad "ingest to stdout differs from .gz"

# --- stdin, several inputs ----------------------------------------------------
gzip -dc $sample | "$ENGAGE" run -q -c $config -o "$work/stdin" -
expect_status 0 $? "stdin"
if cmp -s "$work/first/variance.csv" "$work/stdin/variance.csv"; then ok; else bad "stdin gives different figures"; fi
gzip -dc $sample | head -n 1001 > "$work/part1.csv"
(gzip -dc $sample | head -n 1; gzip -dc $sample | tail -n +1002) > "$work/part2.csv"
"$ENGAGE" run -q -c $config -o "$work/parts" "$work/part1.csv" "$work/part2.csv"
expect_status 0 $? "two inputs"
if cmp -s "$work/first/managers.csv" "$work/parts/managers.csv"; then ok; else bad "split inputs give different figures"; fi

# Options may follow the inputs.
"$ENGAGE" run $sample -q -c $config -o "$work/late-options"
if cmp -s "$work/first/variance.csv" "$work/late-options/variance.csv"; then ok; else bad "options after INPUT"; fi

# --- check prints, writes nothing ---------------------------------------------
"$ENGAGE" check -c $config $sample > "$work/check.txt"
expect_status 0 $? "check"
grep -q "rows 2000" "$work/check.txt" && ok || bad "check: no row count"

# --- progress on stderr: with --progress or on a terminal, never otherwise ------
"$ENGAGE" run --progress -c $config -o "$work/prog" $sample > "$work/prog.out" 2> "$work/prog.err"
expect_status 0 $? "run --progress"
[ -s "$work/prog.out" ] && bad "--progress wrote on stdout" || ok
cmp -s "$work/first/variance.csv" "$work/prog/variance.csv" && ok || bad "--progress changed variance.csv"
{
    printf 'engage: reading %s (%s)\n' $sample "$(wc -c < $sample | awk '{ printf "%.1f kB", $1 / 1000 }')"
    printf 'engage: scoring engagement (scale 1 of 1)\nengage: analysing engagement (scale 1 of 1)\n'
    printf 'engage: writing %s\nengage: analysing every item at every level\n' "$work/prog"
    for f in managers.csv variance.csv items.csv scales.csv heatmap.csv quality.csv rejects.csv variance_all_teams.csv report.txt \
             report.html engage.xlsx manifest.json; do
        printf 'engage: writing %s/%s\n' "$work/prog" $f
    done
} > "$work/prog.want"
cmp -s "$work/prog.want" "$work/prog.err" && ok || bad "--progress lines: $(cat "$work/prog.err")"
# not a terminal and no --progress: the notes only, as before; -q: nothing
"$ENGAGE" run --progress --min-group 3 -o "$work/prog-notes" tests/inputs/accents-cp1252.csv 2> "$work/prog.err"
"$ENGAGE" run --min-group 3 -o "$work/noprog-notes" tests/inputs/accents-cp1252.csv 2> "$work/noprog.err"
echo "engage: tests/inputs/accents-cp1252.csv: not UTF-8; read as Windows-1252 (set encoding in [input] to choose)" |
    cmp -s - "$work/noprog.err" && ok || bad "stderr without --progress: $(cat "$work/noprog.err")"
grep -v '^engage: \(reading\|scoring\|analysing\|writing\) ' "$work/prog.err" | cmp -s - "$work/noprog.err" && ok ||
    bad "--progress changed the notes: $(cat "$work/prog.err")"
"$ENGAGE" run -q --progress -c $config -o "$work/prog-q" $sample 2> "$work/prog.err"
[ -s "$work/prog.err" ] && bad "-q --progress printed: $(cat "$work/prog.err")" || ok
"$ENGAGE" ingest --progress -c $config $sample > "$work/prog.csv" 2> "$work/prog.err"
cmp -s "$work/archive.csv" "$work/prog.csv" && ok || bad "ingest --progress changed stdout"
[ "$(tail -n 1 "$work/prog.err")" = "engage: writing standard output" ] && ok || bad "ingest --progress: $(cat "$work/prog.err")"
"$ENGAGE" check --progress -c $config $sample > "$work/prog-check.txt" 2> /dev/null
cmp -s "$work/check.txt" "$work/prog-check.txt" && ok || bad "check --progress changed stdout"
# a read that takes a while (a pipe that pauses): its bytes are shown as they come
"$GEN" --respondents 30000 --items 12 --config "$work/slow.ini" -o "$work/slow.csv.gz"
cat > "$work/slow.sh" << SLOW
(head -c 100000 "$work/slow.csv.gz"; sleep 1.5; tail -c +100001 "$work/slow.csv.gz") |
    "$ENGAGE" run \$1 -c "$work/slow.ini" -o "\$2" - > "$work/slow.out"
SLOW
sh "$work/slow.sh" --progress "$work/slow" 2> "$work/slow.err"
expect_status 0 $? "a slow read with --progress"
grep -q '^engage: reading standard input: [0-9.]* kB$' "$work/slow.err" && ok || bad "no bytes line: $(cat "$work/slow.err")"
# On a terminal (script(1) makes one): one line redrawn with \r, cleared at the end, and nothing for a run
# shorter than a second.
if script -qec true /dev/null > /dev/null 2>&1; then
    script -qec "sh $work/slow.sh '' $work/slow-tty" /dev/null > "$work/tty.err"
    expect_status 0 $? "a slow run on a terminal"
    [ -s "$work/slow.out" ] && bad "progress on stdout" || ok
    grep -q "$(printf '\r')engage: reading standard input: [0-9.]* kB" "$work/tty.err" && ok || bad "terminal: no bytes line"
    grep -q "$(printf '\r')engage: writing $work/slow-tty/manifest.json" "$work/tty.err" && ok || bad "terminal: no stages"
    [ "$(tr -cd '\n' < "$work/tty.err" | wc -c)" = 0 ] && ok || bad "terminal: lines instead of one line redrawn"
    [ "$(tail -c 1 "$work/tty.err" | od -An -c | tr -d ' ')" = '\r' ] && ok || bad "terminal: the line is not cleared at the end"
    script -qec "$ENGAGE run --min-group 3 -o $work/fast-tty tests/inputs/accents-utf8.csv" /dev/null > "$work/tty.err"
    expect_status 0 $? "a short run on a terminal"
    [ -s "$work/tty.err" ] && bad "a short run showed progress: $(cat "$work/tty.err")" || ok
    script -qec "sh $work/slow.sh -q $work/slow-tty-q" /dev/null > "$work/tty.err"
    [ -s "$work/tty.err" ] && bad "-q on a terminal showed progress" || ok
else
    echo "note: terminal progress case skipped (script(1) cannot make a terminal)" >&2
fi

# --- --seed: accepted and recorded; without [drivers] it changes nothing ------
"$ENGAGE" run -q --seed 7 -c $config -o "$work/seed7" $sample
expect_status 0 $? "--seed 7"
grep -q '^  "seed": 7,$' "$work/seed7/manifest.json" && ok || bad "--seed 7 not recorded in manifest.json"
for f in $(ls "$work/first" | grep -v '^manifest.json$'); do
    cmp -s "$work/first/$f" "$work/seed7/$f" && ok || bad "--seed 7 changed $f"
done
"$ENGAGE" run -q --seed seven -c $config -o "$work/seed-bad" $sample 2> /dev/null
expect_status 64 $? "--seed that is not a whole number"

# --- a share between managers resting on few teams carries a caution -------
# The sample: 188 shown managers and an ICC(1) interval 0.083 wide, so none.
figures=$(awk -F, 'NR == 2 { printf "%d %.3f", $3, $16 - $15 }' "$work/first/variance.csv")
if [ "$figures" = "188 0.083" ]; then ok; else bad "sample quarter: managers and interval width $figures"; fi
if grep -q 'Caution' "$work/first/report.txt" "$work/first/report.html"; then bad "sample quarter: a caution"; else ok; fi
# Six teams of ten: fewer than 10 managers, and an interval wider than 0.3.
"$GEN" --respondents 60 --team-size 10 --seed 3 -o "$work/six.csv"
"$ENGAGE" run -q -o "$work/six" "$work/six.csv"
expect_status 0 $? "run on six teams"
interval=$(awk -F, 'NR == 2 && $3 == 6 && $16 - $15 > 0.3 { printf "%.3f to %.3f", $15, $16 }' "$work/six/variance.csv")
caution="Caution: this share rests on only 6 managers, and the 95% interval of ICC(1) runs from $interval. The split of the variance between managers and individuals cannot be estimated reliably from so few teams: treat the share as a rough indication."
if [ -n "$interval" ] && tr '\n' ' ' < "$work/six/report.txt" | grep -qF "$caution"; then ok
else bad "six teams: report.txt lacks the caution ($interval): $(grep -A3 Caution "$work/six/report.txt")"; fi
if grep -qF "<p class=\"caution\">$caution</p>" "$work/six/report.html"; then ok
else bad "six teams: report.html lacks the caution: $(grep -o '<p class="caution">[^<]*' "$work/six/report.html")"; fi
# Twelve teams of five: enough managers, but an interval wider than 0.3.
"$GEN" --respondents 60 --team-size 5 --seed 4 -o "$work/twelve.csv"
"$ENGAGE" run -q -o "$work/twelve" "$work/twelve.csv"
interval=$(awk -F, 'NR == 2 && $3 == 12 && $16 - $15 > 0.3 { printf "%.3f to %.3f", $15, $16 }' "$work/twelve/variance.csv")
caution="Caution: the 95% interval of ICC(1) runs from $interval, a wide range. The split of the variance between managers and individuals cannot be estimated reliably from these teams: treat the share as a rough indication."
if [ -n "$interval" ] && tr '\n' ' ' < "$work/twelve/report.txt" | grep -qF "$caution"; then ok
else bad "twelve teams: report.txt lacks the caution ($interval)"; fi
if grep -qF "<p class=\"caution\">$caution</p>" "$work/twelve/report.html"; then ok; else bad "twelve teams: report.html lacks the caution"; fi

# --- wave over wave: --previous ----------------------------------------------
"$GEN" --respondents 3000 --items 6 --reverse 6 --seed 1 --config "$work/waves.ini" -o "$work/now.csv.gz"
"$GEN" --respondents 3000 --items 6 --reverse 6 --seed 2 -o "$work/prev.csv.gz"
"$ENGAGE" run -q -c "$work/waves.ini" -o "$work/waves" --previous "$work/prev.csv.gz" "$work/now.csv.gz"
expect_status 0 $? "run with --previous"
head -n 1 "$work/waves/changes.csv" > "$work/changes.head"
if [ "$(cat "$work/changes.head")" = "scale,manager_id,n_previous,mean_previous,n,mean,delta,ci_low,ci_high,p_value,suppressed,q_value" ]; then
    ok
else
    bad "changes.csv header: $(cat "$work/changes.head")"
fi
# variance.csv carries the previous wave and the company-level change
if head -n 1 "$work/waves/variance.csv" | grep -q ',alpha,var_unit_reml,var_manager_reml,var_within_nested_reml,share_unit,share_manager,respondents_previous,managers_previous,grand_mean_previous,f_previous,p_value_previous,icc1_previous,icc_reml_previous,delta,delta_ci_low,delta_ci_high,delta_p_value,company_respondents_previous,company_mean_previous,company_respondents,company_mean$'; then
    ok
else
    bad "variance.csv lacks the previous wave's columns"
fi
# the previous wave's decomposition counts the teams whose change is shown;
# the company-level figures count everyone
shown_previous=$(awk -F, 'NR > 1 && $11 == 0 { n += $3; m++ } END { print n + 0, m + 0 }' "$work/waves/changes.csv")
counted=$(awk -F, 'NR == 2 { print $28, $29 }' "$work/waves/variance.csv")
if [ "$counted" = "$shown_previous" ] && [ "${counted% *}" -gt 0 ]; then ok; else bad "respondents_previous, managers_previous: $counted, shown change rows: $shown_previous"; fi
if [ "$(awk -F, 'NR == 2 { print $39 }' "$work/waves/variance.csv")" = 3000 ]; then ok; else bad "company_respondents_previous"; fi
# rows = the union of both waves' managers (managers.csv lists this wave's)
union=$( (gzip -dc "$work/now.csv.gz" | tail -n +2; gzip -dc "$work/prev.csv.gz" | tail -n +2) |
    cut -d, -f2 | sort -u | wc -l)
rows=$(tail -n +2 "$work/waves/changes.csv" | wc -l)
if [ "$union" = "$rows" ] && [ "$rows" -gt 0 ]; then ok; else bad "changes.csv has $rows rows, union of managers $union"; fi
if cut -d, -f2 "$work/waves/changes.csv" | tail -n +2 | LC_ALL=C sort -c 2> /dev/null; then ok; else bad "changes.csv not in manager_id order"; fi
if grep -qiE 'nan|inf' "$work/waves/changes.csv"; then bad "changes.csv has nan/inf"; else ok; fi
# a suppressed row shows nothing but its counts
if awk -F, 'NR > 1 && $11 == 1 && ($4 $6 $7 $8 $9 $10 $12) != "" { exit 1 }' "$work/waves/changes.csv"; then ok; else bad "a suppressed change row shows a figure"; fi
grep -q '"previous"' "$work/waves/manifest.json" && ok || bad "manifest: no previous inputs"
grep -q '"changes.csv"' "$work/waves/manifest.json" && ok || bad "manifest: changes.csv not listed"
grep -q 'prev.csv.gz,.*,previous,' "$work/waves/quality.csv" && ok || bad "quality.csv: previous file missing"
grep -q 'Change since the previous wave' "$work/waves/report.txt" && ok || bad "report.txt: no change section"
# report.txt's data quality lists both waves' files, each with its wave and rows, and their total
quality=$(sed -n '/^Data quality$/,/^Read: /p' "$work/waves/report.txt")
echo "$quality" | grep -qE '^  .*now\.csv\.gz +current +3000 +3000 ' &&
    echo "$quality" | grep -qE '^  .*prev\.csv\.gz +previous +3000 +3000 ' &&
    echo "$quality" | grep -qE '^  total +6000 +6000 ' && ok || bad "report.txt's data quality: $quality"
if awk 'length($0) > 80 { exit 1 }' "$work/waves/report.txt"; then ok; else bad "report.txt wider than 80 columns"; fi
cp -r "$work/waves" "$work/waves1"
"$ENGAGE" run -q -c "$work/waves.ini" -o "$work/waves" --previous "$work/prev.csv.gz" "$work/now.csv.gz"
if same_tree "$work/waves" "$work/waves1"; then ok; else bad "two runs with --previous differ"; fi
if [ -e "$work/out/changes.csv" ]; then bad "changes.csv without --previous"; else ok; fi
"$ENGAGE" check --previous "$work/prev.csv.gz" "$work/now.csv.gz" > /dev/null 2>&1
expect_status 64 $? "check --previous"
"$ENGAGE" ingest --previous "$work/prev.csv.gz" "$work/now.csv.gz" > /dev/null 2>&1
expect_status 64 $? "ingest --previous"
"$ENGAGE" run -q -c "$work/waves.ini" -o "$work/x" --previous "$work/no-such.csv" "$work/now.csv.gz" 2> /dev/null
expect_status 66 $? "missing previous wave"
printf 'respondent_id,manager_id,Q1\nR1,M1,3\n' > "$work/other-items.csv"
"$ENGAGE" run -q -o "$work/x" --previous "$work/other-items.csv" "$work/now.csv.gz" 2> "$work/stderr"
expect_status 65 $? "previous wave with other item columns"
grep -q "other-items.csv:1:" "$work/stderr" && ok || bad "previous wave error names no file:line: $(cat "$work/stderr")"
if [ -e "$work/x" ]; then bad "a failed --previous run left an OUTDIR"; else ok; fi

# --- command line and output errors -------------------------------------------
"$ENGAGE" --version | grep -q "^engage $(cat VERSION)$" && ok || bad "--version"
"$ENGAGE" --help | grep -q "usage: engage run" && ok || bad "--help"
"$ENGAGE" run --bogus $sample 2> /dev/null
expect_status 64 $? "unknown option"
"$ENGAGE" run 2> /dev/null
expect_status 64 $? "no input"
"$ENGAGE" run -o "$work/x" "$work/does-not-exist.csv" 2> /dev/null
expect_status 66 $? "missing input"
"$ENGAGE" run -c "$work/no-such.ini" -o "$work/x" $sample 2> /dev/null
expect_status 66 $? "missing config"
touch "$work/a-file"
"$ENGAGE" run -q -c $config -o "$work/a-file/out" $sample 2> /dev/null
expect_status 73 $? "OUTDIR under a regular file"
if [ "$(id -u)" = 0 ] && mkdir -p "$work/tiny" && mount -t tmpfs -o size=16k tmpfs "$work/tiny" 2> /dev/null; then
    "$ENGAGE" run -q -c $config -o "$work/tiny/out" $sample 2> /dev/null
    expect_status 74 $? "disk full"
    if [ -e "$work/tiny/out" ]; then bad "disk full left an OUTDIR"; else ok; fi
    "$ENGAGE" ingest -q -c $config -o "$work/tiny/archive.csv" $sample 2> /dev/null
    expect_status 74 $? "ingest on a full disk"
    if [ -z "$(ls -A "$work/tiny")" ]; then ok; else bad "ingest on a full disk left $(ls "$work/tiny")"; fi
    umount "$work/tiny"
else
    echo "note: disk-full case skipped (needs root and tmpfs)" >&2
fi

# --- one survey saved every way a spreadsheet or a download saves it -----
# tests/inputs/accents-*: the same nine answers as UTF-8, UTF-16 (Excel's
# "Unicode text", tab-delimited), Windows-1252, semicolons, BOM + CRLF with
# every field quoted, and a zip; each must give the UTF-8 file's
# managers.csv and variance.csv byte for byte, and say how it was read.
"$ENGAGE" run -q --min-group 3 -o "$work/acc-ref" tests/inputs/accents-utf8.csv
expect_status 0 $? "accents-utf8.csv"
grep -q '^engagement,"Müller, Jürgen",3,' "$work/acc-ref/managers.csv" && ok || bad "accents: Müller, Jürgen not in managers.csv"
for case in "utf16.txt utf-16le tab" "cp1252.csv windows-1252 ," "semicolon.csv utf-8 ;" "bom-crlf.csv utf-8 ," \
            "zip utf-8 ,"; do
    set -- $case
    file=tests/inputs/accents-$1
    [ "$1" = zip ] && file=tests/inputs/accents.zip
    rm -rf "$work/acc"
    "$ENGAGE" run --min-group 3 -o "$work/acc" "$file" 2> "$work/acc.err"
    expect_status 0 $? "$file"
    for t in managers.csv variance.csv; do
        if cmp -s "$work/acc-ref/$t" "$work/acc/$t"; then ok; else bad "$file: $t differs from the UTF-8 file's"; fi
    done
    delimiter=$3
    [ "$3" = , ] && delimiter='","'
    if sed -n 2p "$work/acc/quality.csv" | grep -qF "$file,canonical,$2,$delimiter,9,9,0,0,"; then
        ok
    else
        bad "$file: quality.csv says $(sed -n 2p "$work/acc/quality.csv"), expected encoding $2, delimiter $3"
    fi
    if [ "$2" = windows-1252 ]; then
        grep -q "^engage: $file: not UTF-8; read as Windows-1252" "$work/acc.err" && ok || bad "$file: no note on stderr"
    elif [ -s "$work/acc.err" ]; then
        bad "$file: unexpected stderr: $(cat "$work/acc.err")"
    else
        ok
    fi
done
"$ENGAGE" check tests/inputs/accents.zip | grep -q 'zip member Engagement Q3 2026/accents.csv' && ok || bad "check does not name the zip member"

# Unknown answers: each listed once (ignoring case and surrounding spaces),
# with its count, first line and columns, then the [labels] lines to paste,
# grouped by label set; `engage check` says the same.
unk=tests/bad/ten_unknowns
"$ENGAGE" run -c $unk.ini -o "$work/unk" $unk.csv 2> "$work/unk.err"
expect_status 65 $? "unknown labels"
cat > "$work/unk.want" << 'WANT'
engage: 10 answers match no label:
engage: tests/bad/ten_unknowns.csv:2: 'Somewhat agree': 4 times, columns Q1, Q2, Q3 and 1 more
engage: tests/bad/ten_unknowns.csv:2: 'Neither agree nor disagree': once, column Q2
engage: tests/bad/ten_unknowns.csv:3: 'Often': 2 times, column F1 (labels frequency)
engage: tests/bad/ten_unknowns.csv:4: 'Somewhat disagree': 2 times, columns Q1, Q3
engage: tests/bad/ten_unknowns.csv:4: '[skipped]': once, column Q3
engage: tests/bad/ten_unknowns.csv:5: 'Agree strongly': once, column Q4
engage: tests/bad/ten_unknowns.csv:5: 'Sometimes': 2 times, columns F1, F2 (labels frequency)
engage: tests/bad/ten_unknowns.csv:10: '"Fully" agree': once, column Q2
engage: tests/bad/ten_unknowns.csv:11: 'Rarely': once, column F2 (labels frequency)
engage: tests/bad/ten_unknowns.csv:12: 'Mostly agree': once, column Q1
engage: hint: answers are read through [labels]: give each answer below its value, then paste the lines into the config
[labels]
Somewhat agree = 
Neither agree nor disagree = 
Somewhat disagree = 
"[skipped]" = 
Agree strongly = 
"""Fully"" agree" = 
Mostly agree = 
[labels frequency]
Often = 
Sometimes = 
Rarely = 
WANT
if cmp -s "$work/unk.want" "$work/unk.err"; then ok; else bad "unknown labels: stderr was $(cat "$work/unk.err")"; fi
if [ -e "$work/unk" ]; then bad "unknown labels left an OUTDIR"; else ok; fi
"$ENGAGE" check -c $unk.ini $unk.csv > "$work/unk-check.out" 2> "$work/unk-check.err"
expect_status 65 $? "check with unknown labels"
if cmp -s "$work/unk.want" "$work/unk-check.err" && [ ! -s "$work/unk-check.out" ]; then ok
else bad "check with unknown labels: stderr was $(cat "$work/unk-check.err")"; fi
# Another error that stops the reading is the one reported, not the answers read before it.
"$ENGAGE" run -c $unk.ini -o "$work/unk" $unk.csv "$work/no-such.csv" 2> "$work/unk-missing.err"
expect_status 66 $? "unknown labels, then a missing input"
if [ "$(cat "$work/unk-missing.err")" = "engage: $work/no-such.csv: cannot open: No such file or directory" ]; then ok
else bad "unknown labels, then a missing input: stderr was $(cat "$work/unk-missing.err")"; fi
# The block pasted at the end of the config, each value filled in: the run succeeds.
{ cat $unk.ini; grep -v '^engage: ' "$work/unk.err" | sed 's/= $/= 3/'; } > "$work/unk-pasted.ini"
"$ENGAGE" run -q -c "$work/unk-pasted.ini" -o "$work/unk" $unk.csv
expect_status 0 $? "unknown labels pasted into the config"
same_items() { # WANT: items.csv's item,n pairs
    got=$(tail -n +2 "$work/unk/items.csv" | cut -d, -f2,3 | tr '\n' ' ')
    if [ "$got" = "$1" ]; then ok; else bad "unknown labels pasted: items.csv item,n '$got', expected '$1'"; fi
}
same_items "Q1,15 Q2,15 Q3,15 Q4,15 F1,15 F2,15 "

# --- config lines of any length ------------------------------------------
# Each sample config with its continued lists joined into one line (the
# Google Forms one is over 500 characters) gives the same published tables.
for ini in datasets/sample-quarter-googleforms.ini datasets/sample-quarter-surveymonkey.ini; do
    name=$(basename "$ini" .ini)
    mkdir -p "$work/joined"
    cp datasets/sample-quarter-roster.csv "$work/joined/"
    awk '/^[ \t]/ { sub(/^[ \t]+/, ""); line = line " " $0; next }
         { if (NR > 1) print line; line = $0 }
         END { print line }' "$ini" > "$work/joined/$name.ini"
    longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/joined/$name.ini")
    if grep -q '^[ \t]' "$work/joined/$name.ini"; then bad "$name: continuation left"; else ok; fi
    "$ENGAGE" run -q -c "$ini" -o "$work/split-out" "datasets/$name.csv.gz"
    expect_status 0 $? "$name with continued lists"
    "$ENGAGE" run -q -c "$work/joined/$name.ini" -o "$work/joined-out" "datasets/$name.csv.gz"
    expect_status 0 $? "$name with one line per list ($longest characters)"
    for f in managers.csv variance.csv items.csv units.csv report.txt; do
        [ -f "$work/split-out/$f" ] || [ "$f" = units.csv ] || bad "$name: $f missing"
        [ -f "$work/split-out/$f" ] || continue
        if cmp -s "$work/split-out/$f" "$work/joined-out/$f"; then ok; else bad "$name: $f differs with joined lines"; fi
    done
    rm -rf "$work/split-out" "$work/joined-out"
done
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/joined/sample-quarter-googleforms.ini")
if [ "$longest" -gt 500 ]; then ok; else bad "the joined Google Forms config's longest line is $longest"; fi
# Sixty SurveyMonkey question texts on one line of over 5,000 characters.
"$GEN" --respondents 600 --items 60 --format surveymonkey --seed 5 --config "$work/long60.ini" -o "$work/long60.csv"
awk '/^[ \t]/ { sub(/^[ \t]+/, ""); line = line " " $0; next }
     { if (NR > 1) print line; line = $0 }
     END { print line }' "$work/long60.ini" > "$work/long60-joined.ini"
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$work/long60-joined.ini")
if [ "$longest" -gt 5000 ]; then ok; else bad "the sixty-item line is $longest characters"; fi
"$ENGAGE" run -q -c "$work/long60.ini" -o "$work/split-out" "$work/long60.csv"
expect_status 0 $? "sixty items, continued"
"$ENGAGE" run -q -c "$work/long60-joined.ini" -o "$work/joined-out" "$work/long60.csv"
expect_status 0 $? "sixty items on one line of $longest characters"
for f in managers.csv variance.csv items.csv report.txt; do
    if cmp -s "$work/split-out/$f" "$work/joined-out/$f"; then ok; else bad "sixty items: $f differs with one line"; fi
done
if [ "$(awk -F, 'NR > 1 { n++ } END { print n }' "$work/joined-out/items.csv")" = 60 ]; then ok; else bad "sixty items: items.csv rows"; fi
rm -rf "$work/split-out" "$work/joined-out"

# --- favourable, neutral and unfavourable add to 100 at every level ---------
shares_add_up() { # file: every shown row's three shares add to 100 (neutral may be empty only as told)
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
             $col["suppressed"] == 0 && $col["favourable_pct"] != "" {
                 d = $col["favourable_pct"] + $col["neutral_pct"] + $col["unfavourable_pct"] - 100
                 if (d > 1e-6 || d < -1e-6) bad++
                 n++ }
             END { print n + 0, bad + 0 }' "$1"
}
got=$(shares_add_up "$work/first/managers.csv")
if [ "${got% *}" -gt 100 ] && [ "${got#* }" = 0 ]; then ok; else bad "managers.csv shares: $got (rows, off)"; fi
mkdir -p "$work/units-run"
cp datasets/sample-quarter-roster.csv datasets/sample-quarter-googleforms.ini "$work/units-run/"
"$ENGAGE" run -q -c "$work/units-run/sample-quarter-googleforms.ini" -o "$work/units-out" datasets/sample-quarter-googleforms.csv.gz
got=$(shares_add_up "$work/units-out/units.csv")
if [ "${got% *}" -gt 0 ] && [ "${got#* }" = 0 ]; then ok; else bad "units.csv shares: $got (rows, off)"; fi
# a 1..4 scale has no middle: neutral_pct is empty and the other two add to 100
printf 'respondent_id,manager_id,Q1\n' > "$work/four.csv"
for i in 1 2 3 4 5 6 7 8 9 10; do printf 'r%s,m1,%s\n' "$i" $(( (i % 4) + 1 )) >> "$work/four.csv"; done
printf '[report]\nmin_group = 3\n[scale four]\nitems = Q1\nmin = 1\nmax = 4\n' > "$work/four.ini"
"$ENGAGE" run -q -c "$work/four.ini" -o "$work/four-out" "$work/four.csv"
row=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
               { print $col["favourable_pct"] "/" $col["neutral_pct"] "/" $col["unfavourable_pct"] }' "$work/four-out/managers.csv")
if [ "$row" = "50//50" ]; then ok; else bad "a 1..4 scale's shares: $row"; fi
rm -rf "$work/units-run" "$work/units-out" "$work/four-out"

finish
