#!/bin/sh
# End-to-end tests of `engage init` and `engage check --columns`: on each
# sample export in datasets/, each hand-made export of tests/inputs/init/
# (one per survey tool, in German, French, Spanish, Dutch and English, with
# answers in words, "5 - Agree" and "Agree (5)" forms and a "no answer"
# word) and a few exports GEN draws with other items, teams and layouts,
# the config init proposes must give the same managers.csv, variance.csv
# and items.csv as the hand-written config for every scale the hand-written
# one defines (scales matched by their items).  init flags reverse-keyed
# items in a comment only: the test checks that the commented line names
# exactly the hand-written config's reverse items, then removes its ';' as
# a user would.  Where the export has no manager column (Google Forms and
# Microsoft Forms samples), the test appends the hand-written config's
# [roster] section, as init's comment tells the user to.  Then the command
# line: -o never replaces a file without --force, 73 when it cannot be made,
# 66 and 65 for missing and unreadable exports, names that need quoting read
# back exactly, control characters never reach the config raw.
#   usage: tests/e2e_init.sh ENGAGE GEN
suite=e2e_init
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

run() { timeout 120 "$ENGAGE" "$@"; }

# scale_items ITEMS_CSV: "scale<TAB>item<US>item..." per scale of items.csv,
# the items in the order the config lists them.
scale_items() {
    awk "$CSV_SPLIT_AWK"'
        NR > 1 { split_csv($0, f); if (!(f[1] in set)) order[++n] = f[1]; set[f[1]] = set[f[1]] "\037" f[2] }
        END { for (i = 1; i <= n; i++) print order[i] "\t" set[order[i]] }' "$1"
}

# rows_of FILE SCALE: FILE's rows of SCALE with the scale's name made "S"
# (scale names are plain words, never quoted).
rows_of() {
    awk -F, -v s="$2" '$1 == s { sub(/^[^,]*/, "S"); print }' "$1"
}

# same_figures WHAT HAND_OUT INIT_OUT: every scale of the hand-written run
# has a scale of the init run with the same items, and the same figures.
same_figures() {
    scale_items "$2/items.csv" > "$work/hand-scales"
    scale_items "$3/items.csv" > "$work/init-scales"
    n_hand=0
    n_same=0
    while IFS="$(printf '\t')" read -r hand_scale items; do
        n_hand=$((n_hand + 1))
        init_scale=$(awk -F'\t' -v want="$items" '$2 == want { print $1; exit }' "$work/init-scales")
        if [ -z "$init_scale" ]; then
            bad "$1: no proposed scale has the items of [scale $hand_scale]"
            continue
        fi
        differs=""
        for f in managers.csv variance.csv items.csv; do
            rows_of "$2/$f" "$hand_scale" > "$work/hand-rows"
            rows_of "$3/$f" "$init_scale" > "$work/init-rows"
            if [ ! -s "$work/hand-rows" ] || ! cmp -s "$work/hand-rows" "$work/init-rows"; then
                differs="$differs $f"
            fi
        done
        if [ -z "$differs" ]; then
            n_same=$((n_same + 1))
        else
            bad "$1: [scale $init_scale] differs from [scale $hand_scale] in$differs"
        fi
    done < "$work/hand-scales"
    if [ "$n_hand" -gt 0 ] && [ "$n_same" = "$n_hand" ]; then
        ok "$1: the $n_same scale(s) of the hand-written config give the same figures"
    elif [ "$n_hand" = 0 ]; then
        bad "$1: the hand-written run has no scale"
    fi
}

# init_and_compare WHAT HAND_INI EXPORT...: init, the checks on its text,
# then both configs run and compared.
init_and_compare() {
    what=$1
    hand=$2
    shift 2
    proposed=$work/$what.ini
    run init -o "$proposed" "$@" 2> "$work/stderr"
    status=$?
    expect_status 0 $status "$what: engage init"
    if [ "$status" != 0 ]; then
        bad "$what: engage says: $(head -n 1 "$work/stderr")"
        return
    fi
    # what it proposes that the hand-written config says too
    for key in format manager; do
        want=$(sed -n '/^\[input\]/,/^\[/p' "$hand" | grep "^$key = ")
        got=$(sed -n '/^\[input\]/,/^\[/p' "$proposed" | grep "^$key = ")
        if [ -n "$want" ] && [ "$want" != "$got" ]; then
            bad "$what: proposes '$got', the hand-written config has '$want'"
        elif [ -n "$want" ]; then
            ok
        fi
    done
    want_reverse=$(grep '^reverse = ' "$hand" | sed 's/^reverse = //')
    got_reverse=$(grep '^; reverse = ' "$proposed" | sed 's/^; reverse = //')
    if [ "$want_reverse" = "$got_reverse" ]; then
        ok "$what: flags as reverse-keyed exactly: ${want_reverse:-none}"
    else
        bad "$what: flags '$got_reverse' as reverse-keyed, the hand-written config reverses '$want_reverse'"
    fi
    if grep -q '^reverse = ' "$proposed"; then bad "$what: init reversed an item itself"; else ok; fi
    # the user accepts the flags; without a manager column, joins the roster
    sed 's/^; reverse = /reverse = /' "$proposed" > "$work/$what-accepted.ini"
    if grep -q '^\[roster\]' "$hand" && ! grep -q '^manager = ' "$proposed"; then
        if grep -q '^;\[roster\]' "$proposed"; then ok; else bad "$what: no [roster] template"; fi
        dir=$(cd "$(dirname "$hand")" && pwd)
        sed -n '/^\[roster\]/,/^$/p' "$hand" | sed "s|^file = \([^/]\)|file = $dir/\1|" >> "$work/$what-accepted.ini"
    fi
    run run -q -c "$hand" -o "$work/$what-hand" "$@" 2> "$work/stderr"
    expect_status 0 $? "$what: engage run with the hand-written config"
    run run -q -c "$work/$what-accepted.ini" -o "$work/$what-init" "$@" 2> "$work/stderr"
    status=$?
    expect_status 0 $status "$what: engage run with the proposed config"
    if [ "$status" != 0 ]; then
        bad "$what: engage says: $(head -n 1 "$work/stderr")"
        return
    fi
    same_figures "$what" "$work/$what-hand" "$work/$what-init"
}

# --- the samples of datasets/ -------------------------------------------------
init_and_compare canonical datasets/sample-quarter.ini datasets/sample-quarter.csv.gz
for layout in qualtrics qualtrics-legacy surveymonkey googleforms msforms limesurvey limesurvey-text; do
    init_and_compare "$layout" "datasets/sample-quarter-$layout.ini" "datasets/sample-quarter-$layout.csv.gz"
done

# --- hand-made exports, one per tool and language ----------------------------
for f in qualtrics-de surveymonkey-fr googleforms-es limesurvey-nl msforms-en; do
    init_and_compare "$f" "tests/inputs/init/$f.ini" "tests/inputs/init/$f.csv"
done
# what each needed: the vocabulary, the label set of the second question,
# the "no answer" word
for want in "qualtrics-de:German agreement words, 5 points" "qualtrics-de:labels = frequency_5" \
            "surveymonkey-fr:French satisfaction words, 7 points" "surveymonkey-fr:Pas du tout d’accord = 1" \
            "googleforms-es:Totalmente de acuerdo (6) = 6" "limesurvey-nl:, Weet niet" \
            "msforms-en:7 - Strongly agree = 7"; do
    f=${want%%:*}
    line=${want#*:}
    if grep -qF "$line" "$work/$f.ini"; then ok; else bad "$f: the proposed config lacks '$line'"; fi
done

# --- exports GEN draws: other items, teams, layouts --------------------------
seed=${E2E_INIT_SEED:-$(date +%s)}
echo "$suite: generated exports from seed $seed (E2E_INIT_SEED=$seed repeats them)"
i=0
for shape in "qualtrics --items 4 --reverse 2 --team-size 3-12" "surveymonkey --items 12 --reverse 12" \
             "limesurvey --items 9 --reverse 0 --team-size 8" "msforms --items 7 --reverse 3 --team-size 5-40" \
             "googleforms --items 16 --reverse 6" "qualtrics-legacy --items 3 --reverse 3" \
             "canonical --items 10 --reverse 1 --team-size 2-6" "limesurvey-text --items 5 --reverse 4"; do
    i=$((i + 1))
    layout=${shape%% *}
    roster=""
    case $layout in googleforms | msforms) roster="--roster $work/gen$i-roster.csv" ;; esac
    # shellcheck disable=SC2086
    "$GEN" --respondents 1500 --seed $((seed + i)) --format $shape --config "$work/gen$i-hand.ini" $roster \
        -o "$work/gen$i.csv.gz"
    expect_status 0 $? "gen$i ($shape): engage-gen"
    init_and_compare "gen$i-$layout" "$work/gen$i-hand.ini" "$work/gen$i.csv.gz"
done

# --- engage check --columns ----------------------------------------------------
run check --columns datasets/sample-quarter-qualtrics.csv.gz > "$work/columns" 2> "$work/stderr"
expect_status 0 $? "check --columns"
for want in "datasets/sample-quarter-qualtrics.csv.gz: Qualtrics, utf-8, comma, 3 header rows, 2000 data rows" \
            'A   StartDate: ' 'R   Q1_1: "4", "3", "5", "1", "2", "-99" (6 distinct)' 'X   Manager: '; do
    if grep -qF "$want" "$work/columns"; then ok; else bad "check --columns lacks '$want'"; fi
done
if [ "$(wc -l < "$work/columns")" = 25 ]; then ok; else bad "check --columns: $(wc -l < "$work/columns") lines, expected 25"; fi
"$GEN" --respondents 50 --items 12 --format qualtrics -o "$work/wide.csv"
run check --columns "$work/wide.csv" > "$work/columns"
for want in 'Z   Q1_9: ' 'AA  Q1_10: ' 'AC  Q1_12: ' 'AD  Manager: '; do
    if grep -qF "$want" "$work/columns"; then ok; else bad "check --columns of 30 columns lacks '$want'"; fi
done
run check --columns -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz 2> /dev/null
expect_status 64 $? "check --columns with -c"
run run --columns datasets/sample-quarter.csv.gz 2> /dev/null
expect_status 64 $? "--columns with run"

# --- -o, --force, exit statuses --------------------------------------------------
export_file=datasets/sample-quarter-surveymonkey.csv.gz
run init "$export_file" > "$work/stdout.ini"
expect_status 0 $? "init to stdout"
run init -o "$work/survey.ini" "$export_file"
expect_status 0 $? "init -o"
if cmp -s "$work/stdout.ini" "$work/survey.ini"; then ok; else bad "init -o writes other text than stdout"; fi
echo "my own config" > "$work/mine.ini"
run init -o "$work/mine.ini" "$export_file" 2> "$work/stderr"
expect_status 73 $? "init -o over an existing file"
if [ "$(cat "$work/mine.ini")" = "my own config" ]; then ok; else bad "init -o replaced an existing file"; fi
if grep -q -- '--force' "$work/stderr"; then ok; else bad "the refusal does not name --force: $(cat "$work/stderr")"; fi
run init --force -o "$work/mine.ini" "$export_file"
expect_status 0 $? "init --force -o over an existing file"
if cmp -s "$work/stdout.ini" "$work/mine.ini"; then ok; else bad "init --force did not write the config"; fi
touch "$work/a-file"
run init -o "$work/a-file/survey.ini" "$export_file" 2> /dev/null
expect_status 73 $? "init -o under a file"
run init -o "$work/survey2.ini" "$work/no-such-export.csv" 2> /dev/null
expect_status 66 $? "init of a missing export"
: > "$work/empty.csv"
run init -o "$work/survey2.ini" "$work/empty.csv" 2> /dev/null
expect_status 65 $? "init of an empty export"
run init --format qualtrics "$export_file" > /dev/null 2>&1
expect_status 65 $? "init --format qualtrics of a SurveyMonkey export"
if [ ! -e "$work/survey2.ini" ] && [ -z "$(find "$work" -name '*.tmp-*')" ]; then ok
else bad "a failed init left a file behind"; fi
run init --format spss datasets/sample-quarter.csv.gz > /dev/null 2>&1
expect_status 64 $? "init --format spss"
run init -c datasets/sample-quarter.ini datasets/sample-quarter.csv.gz > /dev/null 2>&1
expect_status 64 $? "init with -c"

# --- names that need quoting, control characters --------------------------------
long="How much do you agree with each statement, all things considered, about the way this team, its lead and its tools work"
esc=$(printf '\033')
{
    printf 'respondent_id,manager_id,"Q1, with a comma","He said ""fine""","%s","Free %stext"\n' "$long" "$esc"
    awk -v esc="$esc" 'BEGIN { srand(3); for (r = 1; r <= 60; r++) {
        m = int((r - 1) / 10); v = 1 + (r * 7 + m) % 5
        printf "r%d,m%d,%d,%d,%d,\"line one\nline %s[2J two %d\"\n", r, m, v, 1 + (v + r % 2) % 5, 1 + (v + r % 3) % 5, esc, r } }'
} > "$work/quoted.csv"
run init -o "$work/quoted.ini" "$work/quoted.csv"
expect_status 0 $? "init of names that need quoting"
if grep -q "$esc" "$work/quoted.ini"; then bad "a control character reached the config raw"; else ok; fi
if grep -qF 'text: "line one\nline \x1b[2J two 1"' "$work/quoted.ini"; then ok
else bad "the answers with controls are not listed escaped: $(grep 'Free' "$work/quoted.ini")"; fi
run run -q -c "$work/quoted.ini" -o "$work/quoted-out" "$work/quoted.csv" 2> "$work/stderr"
expect_status 0 $? "run with the names init quoted: $(head -n 1 "$work/stderr")"
scale_items "$work/quoted-out/items.csv" | cut -f2 | tr '\037' '\n' | sed '/^$/d' > "$work/items-read"
printf '%s\n' "Q1, with a comma" 'He said "fine"' "$long" > "$work/items-want"
if cmp -s "$work/items-read" "$work/items-want"; then ok "names with commas and quotes read back exactly"
else bad "items read back as: $(tr '\n' '|' < "$work/items-read")"; fi

finish
