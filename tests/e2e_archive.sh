#!/bin/sh
# End-to-end tests of archived runs and spreadsheet safety: `engage rerun`
# repeats a run from its manifest.json and finds every output identical,
# names an edited or missing input (with both hashes) and exits non-zero;
# `engage verify` checks an OUTDIR and its inputs; relative paths resolve in
# the folder the run was made in, from wherever rerun and verify are run;
# the roster is recorded, verified and checked by rerun like an export;
# an archive folder moved with mv reruns from anywhere, its inputs found
# by their hashes beside manifest.json or under --inputs DIR (the previous
# wave's and the roster too), a changed copy named with both hashes;
# --excel puts a byte order mark before every CSV; hostile manager names
# stay text.
#   usage: tests/e2e_archive.sh ENGAGE GEN
suite=e2e_archive
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/e2e_lib.sh"

# --- the demo's manifest reruns identically --------------------------------
"$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/demo" datasets/sample-quarter.csv.gz
expect_status 0 $? "demo run"
"$ENGAGE" rerun "$work/demo/manifest.json" -o "$work/again" > "$work/rerun.out" 2> "$work/rerun.err"
expect_status 0 $? "rerun of the demo"
outputs=$(ls "$work/demo" | grep -vc '^manifest.json$')
if [ "$(grep -c '^identical ' "$work/rerun.out")" = "$outputs" ] && [ "$(wc -l < "$work/rerun.out")" = "$outputs" ]; then
    ok
else
    bad "rerun: expected $outputs 'identical' lines, got: $(cat "$work/rerun.out")"
fi
for f in $(ls "$work/demo" | grep -v '^manifest.json$'); do
    cmp -s "$work/demo/$f" "$work/again/$f" && ok || bad "rerun: $f differs"
done
"$ENGAGE" verify "$work/demo" > "$work/verify.out" 2>&1
expect_status 0 $? "verify of the demo"
# the analyst's variance_all_teams.csv: named in manifest.json without a hash,
# compared by rerun with the archived copy, listed by verify
grep -q '"analyst_only": \[' "$work/demo/manifest.json" && ok || bad "manifest.json has no analyst_only"
grep -q '"variance_all_teams.csv": "' "$work/demo/manifest.json" && bad "manifest.json hashes variance_all_teams.csv" || ok
grep -q "^identical  variance_all_teams.csv (against $work/demo/variance_all_teams.csv)$" "$work/rerun.out" && ok ||
    bad "rerun does not compare variance_all_teams.csv: $(cat "$work/rerun.out")"
grep -q "^present    variance_all_teams.csv (the analyst's: no hash is recorded)$" "$work/verify.out" && ok ||
    bad "verify does not list variance_all_teams.csv: $(cat "$work/verify.out")"
cp -r "$work/demo" "$work/analyst"
printf 'x' >> "$work/analyst/variance_all_teams.csv"
"$ENGAGE" rerun "$work/analyst" -o "$work/analyst-again" > "$work/analyst.out" 2> /dev/null
expect_status 1 $? "rerun against an edited variance_all_teams.csv"
grep -q '^DIFFERS    variance_all_teams.csv (against ' "$work/analyst.out" && ok || bad "rerun does not flag variance_all_teams.csv"
grep -q '^unchanged  datasets/sample-quarter.csv.gz (input)$' "$work/verify.out" && ok || bad "verify does not list the input"
grep -q '^unchanged  datasets/sample-quarter.ini (config)$' "$work/verify.out" && ok || bad "verify does not list the config"

# --- an edited input is named, with both hashes -----------------------------
mkdir -p "$work/copy"
cp datasets/sample-quarter.csv.gz datasets/sample-quarter.ini "$work/copy/"
(cd "$work/copy" && "$ENGAGE" run -q -c sample-quarter.ini -o out sample-quarter.csv.gz)
expect_status 0 $? "run on a copy"
before=$(sha256sum "$work/copy/sample-quarter.csv.gz" | cut -d' ' -f1)
printf '\001' | dd of="$work/copy/sample-quarter.csv.gz" bs=1 seek=100 conv=notrunc 2> /dev/null
after=$(sha256sum "$work/copy/sample-quarter.csv.gz" | cut -d' ' -f1)
(cd "$work/copy" && "$ENGAGE" rerun out -o again) > /dev/null 2> "$work/edited.err"
expect_status 65 $? "rerun after editing one byte of the input"
if grep -q "^engage: sample-quarter.csv.gz: input changed since the run: sha256 $before expected, $after found$" "$work/edited.err"; then
    ok
else
    bad "rerun does not name the edited input: $(cat "$work/edited.err")"
fi
[ -e "$work/copy/again" ] && bad "rerun with an edited input wrote outputs" || ok
(cd "$work/copy" && "$ENGAGE" verify out) > /dev/null 2> "$work/verify-edited.err"
expect_status 65 $? "verify after editing the input"
grep -q "sample-quarter.csv.gz: input changed since the run" "$work/verify-edited.err" && ok || bad "verify does not name the edited input"
rm "$work/copy/sample-quarter.csv.gz"
(cd "$work/copy" && "$ENGAGE" rerun out -o again) > /dev/null 2> "$work/missing.err"
expect_status 66 $? "rerun with the input missing"
grep -q "^engage: sample-quarter.csv.gz: input missing or unreadable: sha256 $before expected$" "$work/missing.err" && ok ||
    bad "rerun does not name the missing input: $(cat "$work/missing.err")"

# --- relative paths resolve in the folder the run was made in ----------------
mkdir -p "$work/made"
cp datasets/sample-quarter.csv.gz datasets/sample-quarter.ini "$work/made/"
(cd "$work/made" && "$ENGAGE" run -q -c sample-quarter.ini -o out sample-quarter.csv.gz)
grep -q "^  \"directory\": \"$(cd "$work/made" && pwd -P)\",$" "$work/made/out/manifest.json" && ok ||
    bad "manifest.json does not record the folder the run was made in"
(cd / && "$ENGAGE" rerun "$work/made/out" -o "$work/made-again") > "$work/made.out" 2> "$work/made.err"
expect_status 0 $? "rerun from another folder"
[ "$(grep -c '^identical ' "$work/made.out")" = "$outputs" ] && ok || bad "rerun from another folder: $(cat "$work/made.out" "$work/made.err")"
[ -f "$work/made-again/manifest.json" ] && [ ! -e /engage-rerun ] && ok || bad "rerun from another folder: DIR not where it was named"
(cd / && "$ENGAGE" verify "$work/made/out") > "$work/made.out" 2>&1
expect_status 0 $? "verify from another folder"
grep -q '^unchanged  sample-quarter.csv.gz (input)$' "$work/made.out" && ok || bad "verify from another folder: $(cat "$work/made.out")"
# the whole folder moved: relative paths are read from the current folder, with a note
mv "$work/made" "$work/moved"
(cd "$work/moved" && "$ENGAGE" rerun out -o again) > "$work/moved.out" 2> "$work/moved.err"
expect_status 0 $? "rerun of a moved folder from inside it"
grep -q "^engage: note: the run was made in .*/made, which is gone; its relative paths are read from the current folder$" \
    "$work/moved.err" && ok || bad "no note for a folder that is gone: $(cat "$work/moved.err")"
(cd / && "$ENGAGE" verify "$work/moved/out") > /dev/null 2>&1
expect_status 66 $? "verify of a moved folder from elsewhere (inputs not found)"

# --- an archive folder moved with mv: inputs found by their hashes -------------
mkdir -p "$work/arch"
cp datasets/sample-quarter.csv.gz datasets/sample-quarter.ini "$work/arch/"
(cd "$work/arch" && "$ENGAGE" run -q -c sample-quarter.ini -o out sample-quarter.csv.gz)
cp "$work/arch/sample-quarter.csv.gz" "$work/arch/sample-quarter.ini" "$work/arch/out/"   # archived with its inputs
mkdir -p "$work/shelf"
mv "$work/arch/out" "$work/shelf/2026Q3"
rm -r "$work/arch"
shelf=$work/shelf/2026Q3
(cd / && "$ENGAGE" rerun "$shelf" -o "$work/shelf-again") > "$work/shelf.out" 2> "$work/shelf.err"
expect_status 0 $? "rerun of an archive moved with mv, from another folder"
[ "$(grep -c '^identical ' "$work/shelf.out")" = "$outputs" ] && ok || bad "moved archive: $(cat "$work/shelf.out" "$work/shelf.err")"
grep -q "^engage: note: input sample-quarter.csv.gz is read from $shelf/sample-quarter.csv.gz, which has its recorded SHA-256$" \
    "$work/shelf.err" && ok || bad "moved archive: where the input was read not said: $(cat "$work/shelf.err")"
(cd / && "$ENGAGE" verify "$shelf") > "$work/shelf.out" 2>&1
expect_status 0 $? "verify of the moved archive from another folder"
grep -q "^unchanged  sample-quarter.csv.gz (input, found as $shelf/sample-quarter.csv.gz)$" "$work/shelf.out" && ok ||
    bad "verify does not say where the input was found: $(cat "$work/shelf.out")"
(cd / && "$ENGAGE" rerun "$shelf" -o "$shelf") > /dev/null 2> "$work/shelf.err"
expect_status 73 $? "rerun into the archive whose copy of the input it reads"
grep -q "^engage: $shelf: holds this run's input $shelf/sample-quarter.csv.gz; not replacing it$" "$work/shelf.err" && ok ||
    bad "rerun into the archive: $(cat "$work/shelf.err")"
# the copy beside the manifest edited: named with both hashes, nothing written
before=$(sha256sum "$shelf/sample-quarter.csv.gz" | cut -d' ' -f1)
printf '\001' | dd of="$shelf/sample-quarter.csv.gz" bs=1 seek=100 conv=notrunc 2> /dev/null
after=$(sha256sum "$shelf/sample-quarter.csv.gz" | cut -d' ' -f1)
(cd / && "$ENGAGE" rerun "$shelf" -o "$work/shelf-edited") > /dev/null 2> "$work/shelf.err"
expect_status 65 $? "rerun with the archived copy edited"
grep -q "^engage: sample-quarter.csv.gz: input changed since the run: sha256 $before expected, $after found in $shelf/sample-quarter.csv.gz$" \
    "$work/shelf.err" && ok || bad "the edited copy not named with both hashes: $(cat "$work/shelf.err")"
[ -e "$work/shelf-edited" ] && bad "rerun with an edited copy wrote outputs" || ok
# --inputs DIR: the exports kept in a store of their own, found by name below it
rm "$shelf/sample-quarter.csv.gz"
(cd / && "$ENGAGE" rerun "$shelf" -o "$work/shelf-missing") > /dev/null 2> "$work/shelf.err"
expect_status 66 $? "rerun of the moved archive without its input"
grep -q "^engage: hint: each input is looked for by its SHA-256 at its recorded path and by its name beside manifest.json; --inputs DIR looks under DIR too$" \
    "$work/shelf.err" && ok || bad "no hint for a missing input: $(cat "$work/shelf.err")"
mkdir -p "$work/store/2026/q2" "$work/store/2026/q3"
cp datasets/sample-quarter.csv.gz "$work/store/2026/q3/"
printf 'an older export of the same name\n' > "$work/store/2026/q2/sample-quarter.csv.gz"
(cd / && "$ENGAGE" rerun --inputs "$work/store" "$shelf" -o "$work/shelf-store") > "$work/shelf.out" 2> "$work/shelf.err"
expect_status 0 $? "rerun --inputs DIR"
[ "$(grep -c '^identical ' "$work/shelf.out")" = "$outputs" ] && ok || bad "rerun --inputs: $(cat "$work/shelf.out" "$work/shelf.err")"
grep -q "is read from $work/store/2026/q3/sample-quarter.csv.gz, which has its recorded SHA-256$" "$work/shelf.err" && ok ||
    bad "rerun --inputs read another file: $(cat "$work/shelf.err")"
(cd / && "$ENGAGE" verify --inputs "$work/store" "$shelf") > /dev/null 2>&1
expect_status 0 $? "verify --inputs DIR"
rm "$work/store/2026/q3/sample-quarter.csv.gz"
(cd / && "$ENGAGE" rerun --inputs "$work/store" "$shelf" -o "$work/shelf-other") > /dev/null 2> "$work/shelf.err"
expect_status 65 $? "rerun --inputs DIR holding only another file of that name"
grep -q "^engage: sample-quarter.csv.gz: input changed since the run: sha256 $before expected, [0-9a-f]* found in $work/store/2026/q2/sample-quarter.csv.gz$" \
    "$work/shelf.err" && ok || bad "the other file not named: $(cat "$work/shelf.err")"
"$ENGAGE" run -q --inputs "$work/store" -o "$work/x" datasets/sample-quarter.csv.gz 2> /dev/null
expect_status 64 $? "run --inputs"
# the previous wave and the roster, moved with the rest
mkdir -p "$work/hrq"
cp datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.ini datasets/sample-quarter-roster.csv "$work/hrq/"
cp datasets/sample-quarter-googleforms.csv.gz "$work/hrq/last-quarter.csv.gz"
(cd "$work/hrq" && "$ENGAGE" run -q -c sample-quarter-googleforms.ini --previous last-quarter.csv.gz -o out \
    sample-quarter-googleforms.csv.gz)
expect_status 0 $? "run with a roster and a previous wave"
hr_outputs=$(ls "$work/hrq/out" | grep -vc '^manifest.json$')
mv "$work/hrq/out" "$work/hr-archive"
mv "$work/hrq" "$work/hr-store"
(cd / && "$ENGAGE" rerun --inputs "$work/hr-store" "$work/hr-archive" -o "$work/hr-archive-again") > "$work/hrq.out" 2> "$work/hrq.err"
expect_status 0 $? "rerun --inputs with the roster and the previous wave moved"
[ "$(grep -c '^identical ' "$work/hrq.out")" = "$hr_outputs" ] && ok || bad "moved roster: $(cat "$work/hrq.out" "$work/hrq.err")"
for what in "input sample-quarter-googleforms.csv.gz" "previous last-quarter.csv.gz" "roster sample-quarter-roster.csv"; do
    grep -q "^engage: note: $what is read from $work/hr-store/" "$work/hrq.err" && ok || bad "$what: not found: $(cat "$work/hrq.err")"
done

# --- the roster is an input like the exports ----------------------------------
mkdir -p "$work/hr"
cp datasets/sample-quarter-googleforms.csv.gz datasets/sample-quarter-googleforms.ini datasets/sample-quarter-roster.csv "$work/hr/"
(cd "$work/hr" && "$ENGAGE" run -q -c sample-quarter-googleforms.ini -o out sample-quarter-googleforms.csv.gz)
expect_status 0 $? "run with a roster"
roster_sha=$(sha256sum "$work/hr/sample-quarter-roster.csv" | cut -d' ' -f1)
grep -A3 '"roster": {' "$work/hr/out/manifest.json" | grep -q "\"sha256\": \"$roster_sha\"" && ok ||
    bad "manifest.json lacks the roster's SHA-256"
(cd / && "$ENGAGE" verify "$work/hr/out") > "$work/hr.out" 2>&1
expect_status 0 $? "verify with a roster"
grep -q '^unchanged  sample-quarter-roster.csv (roster)$' "$work/hr.out" && ok || bad "verify does not list the roster"
(cd / && "$ENGAGE" rerun "$work/hr/out" -o "$work/hr-again") > "$work/hr.out" 2>&1
expect_status 0 $? "rerun with a roster"
sed '2s/^r/x/' "$work/hr/sample-quarter-roster.csv" > "$work/hr/r.tmp"   # one employee renamed
mv "$work/hr/r.tmp" "$work/hr/sample-quarter-roster.csv"
edited=$(sha256sum "$work/hr/sample-quarter-roster.csv" | cut -d' ' -f1)
"$ENGAGE" verify "$work/hr/out" > "$work/hr.out" 2> "$work/hr.err"
expect_status 65 $? "verify after the roster changed"
grep -q "^CHANGED    sample-quarter-roster.csv (roster)$" "$work/hr.out" && ok || bad "verify does not flag the roster"
"$ENGAGE" rerun "$work/hr/out" -o "$work/hr-again2" > /dev/null 2> "$work/hr.err"
expect_status 65 $? "rerun after the roster changed"
grep -q "^engage: sample-quarter-roster.csv: roster changed since the run: sha256 $roster_sha expected, $edited found$" \
    "$work/hr.err" && ok || bad "rerun does not name the changed roster: $(cat "$work/hr.err")"
[ -e "$work/hr-again2" ] && bad "rerun with a changed roster wrote outputs" || ok
rm "$work/hr/sample-quarter-roster.csv"
"$ENGAGE" rerun "$work/hr/out" -o "$work/hr-again2" > /dev/null 2> "$work/hr.err"
expect_status 66 $? "rerun with the roster missing"

# --- an edited output, an edited config -------------------------------------
cp -r "$work/demo" "$work/touched"
printf 'x' >> "$work/touched/variance.csv"
"$ENGAGE" verify "$work/touched" > "$work/touched.out" 2> /dev/null
expect_status 1 $? "verify of an edited output"
grep -q '^DIFFERS    variance.csv (sha256 ' "$work/touched.out" && ok || bad "verify does not flag variance.csv"
grep -q '^unchanged  managers.csv$' "$work/touched.out" && ok || bad "verify flags an unedited output"
mkdir -p "$work/cfg"
cp datasets/sample-quarter.ini "$work/cfg/q.ini"
"$ENGAGE" run -q -c "$work/cfg/q.ini" -o "$work/cfg/out" datasets/sample-quarter.csv.gz
echo "; a comment added later" >> "$work/cfg/q.ini"
"$ENGAGE" rerun "$work/cfg/out" -o "$work/cfg/again" > /dev/null 2>&1
expect_status 0 $? "rerun after the config file changed (its text is archived)"
"$ENGAGE" verify "$work/cfg/out" > "$work/cfg.out" 2> /dev/null
expect_status 65 $? "verify after the config file changed"
grep -q "^CHANGED    $work/cfg/q.ini (config)$" "$work/cfg.out" && ok || bad "verify does not flag the config"

# --- usage -------------------------------------------------------------------
"$ENGAGE" rerun 2> /dev/null
expect_status 64 $? "rerun without a manifest"
"$ENGAGE" verify "$work/demo" -o x 2> /dev/null
expect_status 64 $? "verify with -o"
"$ENGAGE" rerun "$work/demo" --min-group 9 2> /dev/null
expect_status 64 $? "rerun with a run option"
"$ENGAGE" verify "$work/nowhere" 2> /dev/null
expect_status 66 $? "verify of a folder without a manifest"
echo '{"version": "x"}' > "$work/not-a-manifest.json"
"$ENGAGE" rerun "$work/not-a-manifest.json" 2> /dev/null
expect_status 65 $? "rerun of a JSON file that is not a manifest"

# --- spreadsheet safety and --excel ------------------------------------------
"$ENGAGE" run -q --excel -c tests/inputs/spreadsheet-safety.ini -o "$work/safe" tests/inputs/spreadsheet-safety.csv
expect_status 0 $? "run --excel on hostile names"
for f in "$work"/safe/*.csv; do
    [ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' ')" = efbbbf ] && ok || bad "--excel: $f has no byte order mark"
done
[ "$(head -c 3 "$work/safe/report.txt" | od -An -tx1 | tr -d ' ')" != efbbbf ] && ok || bad "--excel touched report.txt"
"$ENGAGE" verify "$work/safe" > /dev/null 2>&1
expect_status 0 $? "verify after --excel (the manifest hashes the bytes on disk)"
"$ENGAGE" run -q -c tests/inputs/spreadsheet-safety.ini -o "$work/plain" tests/inputs/spreadsheet-safety.csv
for f in "$work"/plain/*.csv; do
    name=$(basename "$f")
    if tail -c +4 "$work/safe/$name" | cmp -s - "$f"; then ok; else bad "--excel: $name differs beyond its byte order mark"; fi
done
cmp -s "$work/safe/engage.xlsx" "$work/plain/engage.xlsx" && ok || bad "--excel changed engage.xlsx"
m=$work/safe/managers.csv
grep -q '^engagement,"'"'"'=HYPERLINK(""http://x"",""y"")",4,-0.25,0.5,' "$m" && ok || bad "formula name not guarded or -0.25 altered"
grep -q '^engagement,"Smith, Jane",3,' "$m" && ok || bad "Smith, Jane not quoted"
grep -q '^engagement,007,3,0.333333333333,' "$m" && ok || bad "007 lost its zeros"
if awk 'BEGIN { RS = "\n"; } /^engagement,"line$/ { getline nxt; if (nxt ~ /^one",3,1,1,/) found = 1 } END { exit !found }' "$m"; then
    ok
else
    bad "a name with a newline is not one quoted cell"
fi

finish
