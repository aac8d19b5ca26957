#!/bin/sh
# End-to-end tests of engage-gen --hierarchy, the reporting tree: every
# layout's export and config read in engage through the roster with the same
# figures; the tree keeps its depth, span and unit rules (checked on the
# roster alone, in one pass: every manager's row comes before their
# reports'); managers.csv's and units.csv's invited, responded and response_rate are those counted
# from the roster and the export (on the bundled Google Forms sample too), empty below min_group
# invited; the same seed gives the same bytes; and on a large tree engage's between-manager REML matches
# the generator's true unit + manager effects within their sampling error.
#   usage: tests/e2e_gen.sh ENGAGE GEN
suite=e2e_gen
show_ok=1
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

# --- every layout reads in engage, with the same figures ---------------------
for layout in canonical qualtrics qualtrics-legacy surveymonkey googleforms msforms limesurvey limesurvey-text; do
    "$GEN" --hierarchy --respondents 3000 --depth 4 --seed 7 --format "$layout" --roster "$work/r-$layout.csv" \
        --config "$work/$layout.ini" --truth "$work/t-$layout.csv" -o "$work/$layout.csv.gz"
    expect_status 0 $? "$layout: engage-gen --hierarchy"
    "$ENGAGE" run -q -c "$work/$layout.ini" -o "$work/out-$layout" "$work/$layout.csv.gz"
    expect_status 0 $? "$layout: engage run through the roster"
    respondents=$(awk -F, '$1 == "respondents" { print $3 }' "$work/t-$layout.csv")
    accepted=$(awk "$CSV_SPLIT_AWK"'
        { split_csv($0, f) } NR == 1 { for (i = 1; i in f; i++) if (f[i] == "accepted") c = i } NR == 2 { print f[c] }' \
        "$work/out-$layout/quality.csv")
    if [ -n "$respondents" ] && [ "$accepted" = "$respondents" ]; then ok "$layout: engage accepts all $accepted respondents"
    else bad "$layout: engage accepted '$accepted' rows, the truth says '$respondents' respondents"; fi
    if cmp -s "$work/r-$layout.csv" "$work/r-canonical.csv"; then ok "$layout: the same roster"
    else bad "$layout: the roster differs from the canonical run's"; fi
    if cmp -s "$work/out-$layout/variance.csv" "$work/out-canonical/variance.csv"; then ok "$layout: canonical variance.csv"
    else bad "$layout: variance.csv differs from the canonical export's"; fi
    case $layout in googleforms | msforms) ;; # managers named by e-mail
    *) if cmp -s "$work/out-$layout/managers.csv" "$work/out-canonical/managers.csv"; then ok "$layout: canonical managers.csv"
       else bad "$layout: managers.csv differs from the canonical export's"; fi ;;
    esac
done
units=$(awk 'END { print NR - 1 }' "$work/out-canonical/units.csv")
truth_units=$(awk -F, '$1 == "units" { print $3 }' "$work/t-canonical.csv")
if [ "$units" -ge "$truth_units" ] && [ "$truth_units" -ge 2 ]; then ok "units.csv has a row per unit ($truth_units)"
else bad "units.csv has $units rows for $truth_units units"; fi

# --- participation counted from the roster --------------------------------------
# check_participation K ROSTER EMPLOYEE MANAGER INVITED UNIT EXPORT KEY OUTDIR: counts each
# team's invited (the roster's rows naming the manager, a self-managed top aside; INVITED a
# field number, 0: everyone) and responded (of them, keys in EXPORT's column KEY) and each
# unit's sums over the roster's teams (silent ones too), and compares them with managers.csv and units.csv:
# shown where invited >= K, all three cells empty below.  Prints each disagreement, then
# "checked SHOWN HIDDEN UNITS".
check_participation() {
    awk -v k="$1" -v ek="$3" -v mk="$4" -v ik="$5" -v uk="$6" -v key="$8" "$CSV_SPLIT_AWK"'
        FNR == 1 { part++; delete h; split_csv($0, h); delete col; for (i = 1; i in h; i++) col[h[i]] = i; next }
        { delete f; split_csv($0, f) }
        part == 1 {
            unit_of[f[mk]] = f[uk]
            if (f[mk] != f[ek] && (ik == 0 || f[ik] == "yes")) { inv[f[mk]]++; manager_of[f[ek]] = f[mk] }
            next
        }
        part == 2 { if (f[col[key]] in manager_of && !(f[col[key]] in seen)) { seen[f[col[key]]] = 1; resp[manager_of[f[col[key]]]]++ }; next }
        {
            if (part == 4 && !summed) {   # every team of the roster, silent ones too
                summed = 1
                for (m in inv) { uinv[unit_of[m]] += inv[m]; uresp[unit_of[m]] += resp[m] }
            }
            i = part == 3 ? inv[f[col["manager_id"]]] + 0 : uinv[f[col["unit"]]] + 0
            r = part == 3 ? resp[f[col["manager_id"]]] + 0 : uresp[f[col["unit"]]] + 0
            what = part == 3 ? f[col["manager_id"]] : "unit " f[col["unit"]]
            cells = f[col["invited"]] "," f[col["responded"]] "," f[col["response_rate"]]
            if (i >= k) {
                if (part == 3) shown++; else units++
                d = f[col["response_rate"]] - 100 * r / i
                if (f[col["invited"]] != i || f[col["responded"]] != r || d * d > 1e-18 || f[col["response_rate"]] == "")
                    print what ": " cells ", counted " i "," r
            } else {
                if (part == 3) hidden++
                if (cells != ",,") print what ": " cells " shown, " i " invited"
            }
        }
        END { print "checked", shown + 0, hidden + 0, units + 0 }' "$2" "$7" "$9/managers.csv" "$9/units.csv"
}
grep -q '^invited *=' "$work/canonical.ini" || printf '\ninvited = invited\n' >> "$work/canonical.ini"
gzip -dc "$work/canonical.csv.gz" > "$work/canonical.csv"
for k in 5 12; do
    "$ENGAGE" run -q -c "$work/canonical.ini" --min-group "$k" -o "$work/invited-$k" "$work/canonical.csv.gz"
    expect_status 0 $? "tree, [roster] invited, min_group $k: engage run"
    got=$(check_participation "$k" "$work/r-canonical.csv" 1 3 7 6 "$work/canonical.csv" respondent_id "$work/invited-$k")
    tally=$(echo "$got" | tail -n 1)
    set -- $tally
    if [ "$(echo "$got" | wc -l)" = 1 ] && [ "$2" -gt 50 ] && [ "$3" -gt 0 ] && [ "$4" -ge 2 ]; then
        ok "tree, min_group $k: invited, responded, response_rate of $2 teams and $4 units as counted from the roster, $3 teams below $k invited empty"
    else bad "tree, min_group $k: $(echo "$got" | head -n 3 | tr '\n' ';')"; fi
done
# not invited: responded <= invited on every row, and some team's rate below 100
worst=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
                 $col["invited"] != "" { if ($col["responded"] > $col["invited"]) over++; if ($col["response_rate"] < 100) under++ }
                 END { print over + 0, under + 0 }' "$work/invited-5/managers.csv")
if [ "${worst% *}" = 0 ] && [ "${worst#* }" -gt 10 ]; then ok "tree: responded <= invited everywhere, ${worst#* } teams below 100%"
else bad "tree: responded above invited / rates below 100: $worst"; fi
# the bundled Google Forms sample: a flat roster (its managers are no employees), everyone invited
mkdir -p "$work/sample"
cp datasets/sample-quarter-roster.csv datasets/sample-quarter-googleforms.ini "$work/sample/"
gzip -dc datasets/sample-quarter-googleforms.csv.gz > "$work/sample/export.csv"
"$ENGAGE" run -q -c "$work/sample/sample-quarter-googleforms.ini" -o "$work/sample/out" "$work/sample/export.csv"
expect_status 0 $? "sample Google Forms quarter: engage run"
got=$(check_participation 5 "$work/sample/sample-quarter-roster.csv" 1 2 0 3 "$work/sample/export.csv" "Email address" "$work/sample/out")
set -- $(echo "$got" | tail -n 1)
if [ "$(echo "$got" | wc -l)" = 1 ] && [ "$2" -gt 100 ] && [ "$4" -ge 2 ]; then
    ok "sample quarter: participation of $2 teams and $4 units as counted from the roster, $3 below 5 invited empty"
else bad "sample quarter: $(echo "$got" | head -n 3 | tr '\n' ';')"; fi
rm -rf "$work/sample" "$work/canonical.csv" "$work"/invited-*

# --- the tree's shape, from the roster alone ----------------------------------
# check_tree ROSTER EXPORT DEPTH: prints what breaks a rule, nothing when all hold.
check_tree() {
    gzip -dc "$2" | awk -F, -v want="$3" '
        NR == FNR {
            if (FNR == 1) { if ($0 != "employee_id,email,manager_id,manager_email,name,unit,invited") print "roster header: " $0; next }
            if (NF != 7) print "line " FNR ": " NF " fields"
            if ($1 in depth) print $1 " listed twice"
            if ($3 == $1) { depth[$1] = 1; top[$1] = $1; tops++ }
            else if (!($3 in depth)) print $1 ": manager " $3 " not listed before them"
            else {
                depth[$1] = depth[$3] + 1; top[$1] = top[$3]; span[$3]++
                if ($6 != unit[$3]) print $1 ": unit " $6 " but their manager is in " unit[$3]
            }
            if ($4 != "e" substr($3, 2) "@example.com" || $2 != "e" substr($1, 2) "@example.com") print $1 ": e-mails"
            if ($7 != "yes" && $7 != "no") print $1 ": invited " $7
            unit[$1] = $6; invited[$1] = ($7 == "yes"); employees++; inv += invited[$1]
            if (depth[$1] > max) max = depth[$1]
            next
        }
        FNR == 1 { next }
        { if (!invited[$1]) print "respondent " $1 " was not invited"; answered++ }
        END {
            if (max != want) print "depth " max ", wanted " want
            for (m in span) { if (span[m] > 15) print m " has " span[m] " reports"; if (top[m] == m) divisions[unit[m]]++ }
            for (u in divisions) if (divisions[u] > 1) print "unit " u " has " divisions[u] " tops"
            if (inv < 0.9 * employees || inv == employees) print inv " of " employees " invited"
            if (answered < 0.7 * inv || answered == inv) print answered " of " inv " invited answered"
        }' "$1" -
}
for depth in 4 5 6 7; do
    "$GEN" --hierarchy --respondents 4000 --depth "$depth" --seed "$depth" --roster "$work/tree.csv" \
        -o "$work/tree.csv.gz"
    expect_status 0 $? "depth $depth: engage-gen"
    problems=$(check_tree "$work/tree.csv" "$work/tree.csv.gz" "$depth")
    if [ -z "$problems" ]; then ok "depth $depth: every employee $depth levels or fewer below a top, spans 1..15, units by division"
    else bad "depth $depth: $(echo "$problems" | head -n 3 | tr '\n' ';')"; fi
done
"$GEN" --hierarchy --respondents 1000 --depth 7 --seed 3 --top empty --roster "$work/empty.csv" -o /dev/null
expect_status 0 $? "--top empty"
tops=$(awk -F, 'NR > 1 && $3 == "" && $4 == ""' "$work/empty.csv" | wc -l)
if [ "$tops" -ge 1 ] && [ "$(awk -F, 'NR > 1 && $3 == $1' "$work/empty.csv" | wc -l)" = 0 ]; then
    ok "--top empty: $tops top(s) with an empty manager, none their own"
else bad "--top empty: $tops empty manager cells"; fi
"$GEN" --hierarchy --respondents 3 --depth 7 --roster "$work/x.csv" -o "$work/x.csv" 2> "$work/err"
expect_status 64 $? "too few employees for the depth"
"$GEN" --depth 5 -o /dev/null 2> "$work/err"
expect_status 64 $? "--depth without --hierarchy"
"$GEN" --hierarchy -o /dev/null 2> "$work/err"
expect_status 64 $? "--hierarchy without --roster"

# --- the same seed, the same bytes ---------------------------------------------
for run in a b; do
    "$GEN" --hierarchy --respondents 2000 --seed 11 --format qualtrics --roster "$work/same-$run.csv" \
        --truth "$work/same-$run.truth" -o "$work/same-$run.csv.gz"
done
if cmp -s "$work/same-a.csv.gz" "$work/same-b.csv.gz" && cmp -s "$work/same-a.csv" "$work/same-b.csv" &&
   cmp -s "$work/same-a.truth" "$work/same-b.truth"; then ok "the same seed gives the same export, roster and truth"
else bad "two runs with one seed differ"; fi
"$GEN" --hierarchy --respondents 2000 --seed 12 --format qualtrics --roster "$work/same-c.csv" -o "$work/same-c.csv.gz"
if cmp -s "$work/same-a.csv" "$work/same-c.csv"; then bad "another seed gives the same roster"
else ok "another seed gives another tree"; fi

# --- the variances match the truth ---------------------------------------------
# Twelve items without missing answers, a latent sd of 0.62 around 3 (few
# answers clamped) and item noise of sd 0.6 (so the mean of rounded answers
# follows the latent score): the between-manager REML of the flat model then
# estimates the variance of u_unit + u_manager, the within one
# sigma_e^2 + (sigma_item^2 + 1/12) / 12.
"$GEN" --hierarchy --respondents 60000 --depth 4 --items 12 --mu 3 --sigma-u 0.2 --sigma-b 0.3 --sigma-e 0.5 \
    --sigma-item 0.6 --missing 0 --seed 5 --roster "$work/big-r.csv" --config "$work/big.ini" \
    --truth "$work/big-t.csv" -o "$work/big.csv.gz"
expect_status 0 $? "large tree: engage-gen"
"$ENGAGE" run -q --no-workbook -c "$work/big.ini" -o "$work/big" "$work/big.csv.gz"
expect_status 0 $? "large tree: engage run"
# The shown managers' true team effects u_unit + u_manager, and engage's estimates.
verdict=$(awk -v FS=, "$CSV_SPLIT_AWK"'
    FILENAME ~ /big-r.csv$/ { if (FNR > 1) unit_of[$1] = $6; next }
    FILENAME ~ /big-t.csv$/ { if ($1 == "unit") u[$2] = $4; if ($1 == "effect") b[$2] = $4; next }
    FILENAME ~ /managers.csv$/ {
        split_csv($0, f)
        if (FNR == 1) { for (i = 1; i in f; i++) col[f[i]] = i; next }
        if (f[col["suppressed"]] == "" || f[col["suppressed"]] == "0" || f[col["suppressed"]] == "false") {
            t = u[unit_of[f[col["manager_id"]]]] + b[f[col["manager_id"]]]; J++; s += t; ss += t * t; n += f[col["n"]]
        }
        next
    }
    FILENAME ~ /variance.csv$/ {
        split_csv($0, f)
        if (FNR == 1) { for (i = 1; i in f; i++) vcol[f[i]] = i; next }
        between = f[vcol["var_between_reml"]]; within = f[vcol["var_within_reml"]]
    }
    END {
        realised = (ss - s * s / J) / (J - 1); nbar = n / J
        within_true = 0.25 + (0.36 + 1 / 12) / 12
        se = sqrt(2 / (J - 1)) * (realised + within_true / nbar)
        units = 0; for (k in u) { units++; us += u[k]; uss += u[k] * u[k] }
        se_pop = sqrt(se * se + (0.04 * 0.04) * 2 / (units - 1) + (0.09 * 0.09) * 2 / (J - 1))
        printf "%d %.6f %.6f %.6f %.6f %.6f %.6f\n", J, between, realised, se, within, within_true, se_pop
    }' "$work/big-r.csv" "$work/big-t.csv" "$work/big/managers.csv" "$work/big/variance.csv")
set -- $verdict
echo "      large tree: $1 shown teams; var_between_reml $2, true team effects' variance $3 (se $4);" \
     "var_within_reml $5, expected $6"
if awk -v e="$2" -v t="$3" -v se="$4" 'BEGIN { d = e - t; exit !(d <= 4 * se && -d <= 4 * se) }'; then
    ok "between managers: within 4 se of the true unit + manager effects"
else bad "between managers: $2 against the true $3 (se $4)"; fi
if awk -v e="$2" -v se="$7" 'BEGIN { d = e - 0.13; exit !(d <= 4 * se && -d <= 4 * se) }'; then
    ok "between managers: within 4 se of sigma_u^2 + sigma_b^2 = 0.13"
else bad "between managers: $2 against sigma_u^2 + sigma_b^2 = 0.13 (se $7)"; fi
# (rounding and the few clamped answers make it 2.9% lower here: within 5%)
if awk -v e="$5" -v t="$6" 'BEGIN { exit !(e / t > 0.95 && e / t < 1.05) }'; then
    ok "within managers: within 5% of sigma_e^2 + (sigma_item^2 + 1/12) / items"
else bad "within managers: $5 against $6"; fi
# Each unit's mean in units.csv follows its true effect.
corr=$(awk -v FS=, "$CSV_SPLIT_AWK"'
    FILENAME ~ /big-t.csv$/ { if ($1 == "unit") u[$2] = $4; next }
    { split_csv($0, f); if (FNR == 1) { for (i = 1; i in f; i++) col[f[i]] = i; next }
      if (!(f[col["unit"]] in u) || f[col["mean"]] == "") next
      x = u[f[col["unit"]]]; y = f[col["mean"]]; k++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y }
    END { printf "%d %.4f", k, (sxy - sx * sy / k) / sqrt((sxx - sx * sx / k) * (syy - sy * sy / k)) }' \
    "$work/big-t.csv" "$work/big/units.csv")
set -- $corr
if awk -v r="$2" 'BEGIN { exit !(r > 0.9) }'; then ok "units.csv: the $1 unit means follow the true unit effects (r = $2)"
else bad "units.csv: unit means against the true effects r = $2 over $1 units"; fi

# Past a million managers (and ten million respondents) the ids widen
# rather than wrap: teams of one, so 1,000,002 managers, every id unique.
"$GEN" --respondents 1000002 --team-size 1 --items 1 --level 1 -o "$work/wide.csv.gz" 2> "$work/wide.err"
wide=$(gzip -dc "$work/wide.csv.gz" | awk -F, 'NR > 1 { r[$1]++; m[$2]++; n++ } END { printf "%d %d %d %s %s", n, length(r), length(m), $1, $2 }')
if [ "$wide" = "1000002 1000002 1000002 R1000002 M1000002" ]; then
    ok "engage-gen: 1,000,002 teams of one: 1,000,002 distinct respondent and manager ids, the last M1000002"
else bad "engage-gen: 1,000,002 teams of one gave rows, ids, managers, last ids: $wide ($(cat "$work/wide.err"))"; fi

finish
