#!/bin/sh
# End-to-end tests of what a run may replace and what it leaves behind:
# an OUTDIR holding the run's export and config (the quarter archived in
# one folder), a file of the user's, another program's manifest.json, an
# input reached through a symbolic link or `..`, --force, `engage rerun -o`;
# SIGINT, SIGTERM and SIGHUP in the middle of a run (no temporary folder
# left, the earlier OUTDIR as it was), a killed run's temporary folder
# removed by the next run and a look-alike kept; a full disk while the
# workbook is written (one engage line, no other lines);
# missing folders above OUTDIR and above `ingest -o FILE` made, and those
# a failed or stopped run made removed again.
#   usage: tests/e2e_outdir.sh ENGAGE GEN
suite=e2e_outdir
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
. "$(dirname "$0")/e2e_lib.sh"

same_tree() { # dir1 dir2: same files with the same bytes
    (cd "$1" && find . | sort && find . -type f | sort | xargs sha256sum) > "$work/a.sum"
    (cd "$2" && find . | sort && find . -type f | sort | xargs sha256sum) > "$work/b.sum"
    cmp -s "$work/a.sum" "$work/b.sum"
}

root=$(pwd)
sample=datasets/sample-quarter.csv.gz
config=datasets/sample-quarter.ini

# --- the quarter archived in one folder ---------------------------------
q=$work/q2
mkdir -p "$q"
cp $sample $config "$q/"
(cd "$q" && "$ENGAGE" run -q -c sample-quarter.ini -o out sample-quarter.csv.gz)
expect_status 0 $? "first run"
cp $sample $config "$q/out/"
cp -r "$q/out" "$work/out-before"
(cd "$q" && "$ENGAGE" run -q -c out/sample-quarter.ini -o out out/sample-quarter.csv.gz) 2> "$work/err"
expect_status 73 $? "OUTDIR holding its export and config"
grep -q "^engage: out: holds this run's input out/sample-quarter.csv.gz, config out/sample-quarter.ini; not replacing it$" \
    "$work/err" && ok || bad "inputs not named: $(cat "$work/err")"
(cd "$q" && "$ENGAGE" run -q --force -c out/sample-quarter.ini -o out out/sample-quarter.csv.gz) 2> /dev/null
expect_status 73 $? "--force does not replace a folder holding the inputs"
# from inside the folder, and through a symbolic link to it
(cd "$q/out" && "$ENGAGE" run -q -c sample-quarter.ini -o ../out sample-quarter.csv.gz) 2> /dev/null
expect_status 73 $? "-o ../out from the inputs' folder"
(cd "$q/out" && "$ENGAGE" run -q -c sample-quarter.ini -o . sample-quarter.csv.gz) 2> /dev/null
expect_status 73 $? "-o . from the inputs' folder"
ln -s out "$q/link"
(cd "$q" && "$ENGAGE" run -q -c sample-quarter.ini -o out link/sample-quarter.csv.gz) 2> "$work/err"
expect_status 73 $? "an input named through a link into OUTDIR"
grep -q "holds this run's input link/sample-quarter.csv.gz; not replacing it" "$work/err" && ok ||
    bad "linked input not named: $(cat "$work/err")"
(cd "$q" && "$ENGAGE" run -q -c sample-quarter.ini -o link sample-quarter.csv.gz) 2> /dev/null
expect_status 73 $? "OUTDIR named through a link, holding files no run wrote"
(cd "$q" && "$ENGAGE" run -q -c sample-quarter.ini -o out --previous out/sample-quarter.csv.gz \
    sample-quarter.csv.gz) 2> "$work/err"
expect_status 73 $? "OUTDIR holding the previous wave"
grep -q "holds this run's previous out/sample-quarter.csv.gz;" "$work/err" && ok || bad "previous wave not named: $(cat "$work/err")"
if same_tree "$q/out" "$work/out-before"; then ok; else bad "a refused run changed OUTDIR"; fi
if [ "$(find "$q" -maxdepth 1 -name 'out.*' | wc -l)" = 0 ]; then ok; else bad "a refused run left a temporary folder"; fi

# --- a roster inside OUTDIR ------------------------------------------------
mkdir -p "$work/hr"
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/hr/out" datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "a run with a roster"
cp datasets/sample-quarter-roster.csv "$work/hr/out/"
sed 's|^file = .*|file = out/sample-quarter-roster.csv|' datasets/sample-quarter-googleforms.ini > "$work/hr/gf.ini"
(cd "$work/hr" && "$ENGAGE" run -q --force -c gf.ini -o out "$root/datasets/sample-quarter-googleforms.csv.gz") 2> "$work/err"
expect_status 73 $? "OUTDIR holding the roster, even with --force"
grep -q "holds this run's roster out/sample-quarter-roster.csv; not replacing it" "$work/err" && ok ||
    bad "roster not named: $(cat "$work/err")"

# --- files of the user's -------------------------------------------------------
d=$work/d
"$ENGAGE" run -q -c $config -o "$d" $sample
echo "mine" > "$d/notes.txt"
mkdir "$d/drafts"
touch "$d/.keep"
"$ENGAGE" run -q -c $config -o "$d" $sample 2> "$work/err"
expect_status 73 $? "OUTDIR holding the user's files"
expect_line "$work/err" "^engage: $d: holds what no engage run wrote there: .keep, drafts/, notes.txt; not replacing it$" \
    "the user's files named"
[ "$(cat "$d/notes.txt")" = mine ] && [ -d "$d/drafts" ] && ok || bad "the user's files were touched"
for i in 1 2 3 4 5 6 7 8; do touch "$d/extra$i"; done
"$ENGAGE" run -q -c $config -o "$d" $sample 2> "$work/err"
grep -q ": .keep, drafts/, extra1, extra2, extra3 and 6 more; not replacing it$" "$work/err" && ok ||
    bad "many files: $(head -n 1 "$work/err")"
"$ENGAGE" run -q --force -c $config -o "$d" $sample
expect_status 0 $? "--force over the user's files"
if [ -e "$d/notes.txt" ] || [ -e "$d/drafts" ] || [ -e "$d/.keep" ]; then bad "--force kept a file"; else ok; fi
"$ENGAGE" verify "$d" > /dev/null 2>&1
expect_status 0 $? "verify after --force"
"$ENGAGE" check --force $sample > /dev/null 2>&1
expect_status 64 $? "check --force"

# --- another program's manifest.json -------------------------------------------
x=$work/extension
mkdir "$x"
printf '{"manifest_version": 3, "name": "Helper", "version": "1.2"}\n' > "$x/manifest.json"
echo 'console.log(1)' > "$x/background.js"
"$ENGAGE" run -q -c $config -o "$x" $sample 2> "$work/err"
expect_status 73 $? "a folder with another program's manifest.json"
expect_line "$work/err" ": holds what no engage run wrote there: background.js, manifest.json; not replacing it$" \
    "the extension's files named"
[ -f "$x/background.js" ] && ok || bad "the extension's files were touched"

# --- engage rerun -o goes through the same rules ------------------------------
"$ENGAGE" rerun "$d" -o "$x" > /dev/null 2> "$work/err"
expect_status 73 $? "rerun into a folder of other files"
mkdir -p "$work/r"
cp $sample $config "$work/r/"
(cd "$work/r" && "$ENGAGE" run -q -c sample-quarter.ini -o first sample-quarter.csv.gz)
(cd "$work/r" && "$ENGAGE" rerun first -o .) > /dev/null 2>&1
expect_status 73 $? "rerun -o . (the inputs' folder)"
(cd "$work/r" && "$ENGAGE" rerun first -o first > /dev/null)
expect_status 0 $? "rerun into the run's own OUTDIR"
"$ENGAGE" verify "$work/r/first" > /dev/null 2>&1
expect_status 0 $? "verify after rerunning into the same OUTDIR"

# --- missing folders above OUTDIR and above ingest's FILE -------------------
long=$(printf '%0300d' 0)   # a name longer than any file system takes
(cd "$work" && "$ENGAGE" run -q -c "$root/$config" -o reports/2026Q3 "$root/$sample")
expect_status 0 $? "-o reports/2026Q3 with no reports/"
"$ENGAGE" verify "$work/reports/2026Q3" > /dev/null 2>&1
expect_status 0 $? "verify of reports/2026Q3"
"$ENGAGE" run -q -c $config -o "$work/p/a/b/c" $sample
expect_status 0 $? "-o a/b/c"
[ "$(ls "$work/p/a/b/c" | wc -l)" = "$(ls "$work/reports/2026Q3" | wc -l)" ] && ok || bad "-o a/b/c: $(ls "$work/p/a/b/c")"
"$ENGAGE" ingest -c $config -o "$work/i/a/b/x.csv" $sample
expect_status 0 $? "ingest -o a/b/x.csv"
[ "$(head -n 1 "$work/i/a/b/x.csv" | cut -d, -f1-2)" = "respondent_id,manager_id" ] && ok || bad "ingest -o a/b/x.csv wrote no canonical CSV"
touch "$work/plain-file"
"$ENGAGE" run -q -c $config -o "$work/plain-file/x/out" $sample 2> "$work/err"
expect_status 73 $? "-o under a regular file"
expect_line "$work/err" "^engage: $work/plain-file/x/out: cannot create its folder: $work/plain-file is not a folder$" \
    "the file in the way named"
"$ENGAGE" ingest -c $config -o "$work/plain-file/x.csv" $sample 2> "$work/err"
expect_status 73 $? "ingest -o under a regular file"
# a failure after the folders were made removes those engage made, and only them
"$ENGAGE" run -q -c $config -o "$work/made/b/$long" $sample 2> "$work/err"
expect_status 73 $? "-o new/folders/NAME-TOO-LONG"
grep -q "^engage: $work/made/b/0*: cannot create a folder beside the output folder: File name too long$" "$work/err" && ok ||
    bad "name too long: $(cut -c 1-200 "$work/err")"
[ -e "$work/made" ] && bad "a failed run left the folders it made" || ok
"$ENGAGE" ingest -c $config -o "$work/made/b/$long.csv" $sample 2> /dev/null
expect_status 73 $? "ingest -o new/folders/NAME-TOO-LONG.csv"
[ -e "$work/made" ] && bad "a failed ingest left the folders it made" || ok
mkdir -p "$work/mine/kept"
"$ENGAGE" run -q -c $config -o "$work/mine/kept/new/$long" $sample 2> /dev/null
expect_status 73 $? "a failed run below the user's folders"
[ -d "$work/mine/kept" ] && [ ! -e "$work/mine/kept/new" ] && ok || bad "the user's folders: $(find "$work/mine")"
echo "respondent_id,manager_id,q1" > "$work/bad.csv"
"$ENGAGE" run -q -o "$work/never/out" "$work/bad.csv" 2> /dev/null
expect_status 65 $? "bad input with -o never/out"
[ -e "$work/never" ] && bad "a run that failed before writing made folders" || ok
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$work/locked" && chmod 555 "$work/locked"
    "$ENGAGE" run -q -c $config -o "$work/locked/a/out" $sample 2> "$work/err"
    expect_status 73 $? "-o below a folder without write permission"
    expect_line "$work/err" "cannot create the folder $work/locked/a: Permission denied$" "the folder not made named"
    chmod 755 "$work/locked"
else
    echo "note: permission case skipped (root may write anywhere)" >&2
fi

# --- signals in the middle of a run -----------------------------------------
"$GEN" --respondents 300000 --items 12 --level 1 -o "$work/big.csv.gz"
s=$work/sig
"$ENGAGE" run -q -c $config -o "$s" $sample
cp -r "$s" "$work/sig-before"
# Wait until the temporary folder holds a table (the run is writing), or
# the run has ended.
wait_for_tables() { # pid
    i=0
    while [ $i -lt 3000 ] && kill -0 "$1" 2> /dev/null; do
        for t in "$s".tmp-*; do [ -f "$t/managers.csv" ] && return 0; done
        sleep 0.01
        i=$((i + 1))
    done
    return 1
}
if env --default-signal=INT true 2> /dev/null; then unignore="env --default-signal=INT"; else unignore=""; fi
for case in "INT 130" "TERM 143" "HUP 129"; do
    set -- $case
    if [ "$1" = INT ] && [ -z "$unignore" ]; then
        echo "note: SIGINT case skipped (a background job ignores SIGINT; env --default-signal is missing)" >&2
        continue
    fi
    $unignore "$ENGAGE" run -q -o "$s" "$work/big.csv.gz" 2> "$work/sig.err" &
    pid=$!
    if wait_for_tables $pid; then ok; else bad "SIG$1: the run never wrote its tables"; fi
    kill -"$1" $pid
    wait $pid 2> /dev/null
    expect_status "$2" $? "SIG$1 in the middle of a run"
    expect_line "$work/sig.err" "^engage: stopped by SIG$1; the output folder is left as it was$" "SIG$1 said so"
    if [ "$(find "$work" -maxdepth 1 -name 'sig.tmp-*' | wc -l)" = 0 ]; then ok; else bad "SIG$1 left a temporary folder"; fi
    if same_tree "$s" "$work/sig-before"; then ok; else bad "SIG$1 changed the earlier OUTDIR"; fi
done
# A signal also removes the folders the run made above its OUTDIR.
"$ENGAGE" run -q -o "$work/fresh/deep/sig" "$work/big.csv.gz" 2> "$work/sig.err" &
pid=$!
s_saved=$s
s=$work/fresh/deep/sig
if wait_for_tables $pid; then ok; else bad "SIGTERM below new folders: the run never wrote its tables"; fi
s=$s_saved
kill -TERM $pid
wait $pid 2> /dev/null
expect_status 143 $? "SIGTERM in a run below new folders"
[ -e "$work/fresh" ] && bad "SIGTERM left the folders the run made: $(find "$work/fresh")" || ok
# A killed run cannot clean up; the next run removes what it left, and
# nothing that only looks like it.
"$ENGAGE" run -q -o "$s" "$work/big.csv.gz" &
pid=$!
wait_for_tables $pid
kill -KILL $pid
wait $pid 2> /dev/null
left=$(find "$work" -maxdepth 1 -name 'sig.tmp-*')
if [ -n "$left" ] && [ -f "$left/.engage-tmp" ] && grep -q "^pid $pid$" "$left/.engage-tmp"; then
    ok
else
    bad "a killed run left no marked temporary folder: $left"
fi
mkdir "$s.tmp-AbCdEf"
echo "R1,not engage's" > "$s.tmp-AbCdEf/rejects.csv"
"$ENGAGE" run -q -c $config -o "$s" $sample
expect_status 0 $? "the run after a killed one"
if [ -n "$left" ] && [ ! -e "$left" ]; then ok; else bad "the killed run's temporary folder was not removed"; fi
[ -f "$s.tmp-AbCdEf/rejects.csv" ] && ok || bad "an unmarked look-alike was removed"
if same_tree "$s" "$work/sig-before"; then ok; else bad "the run after a killed one differs"; fi

# --- a full disk while the workbook is written --------------------------------
# The tables and the page fit, the workbook does not.
pages=$(for f in "$work/sig-before"/*; do
    case $f in */engage.xlsx | */manifest.json) continue ;; esac
    echo $(( ($(wc -c < "$f") + 4095) / 4096 ))
done | awk '{ s += $1 } END { print s }')
full_disk_case "disk full in the workbook" "$pages" \
    "^engage: $work/tiny/out/engage.xlsx: cannot write the workbook: No space left on device$" \
    run -q -c $config -o "$work/tiny/out" $sample

finish
