#!/bin/sh
# End-to-end tests of drivers.csv ([drivers]):
#   - base R's attitude data (tests/fixtures/drivers): r, relative weights,
#     shares of R², R² and LMG shares as R computed them, to 1e-7 relative;
#   - the sample quarter split in two scales: the default drivers (every
#     item of the other scale, one reverse coded) and a scale's score as
#     the one driver, against R (make_sample_quarter.R);
#   - the same seed twice: every output byte-identical; another seed: only
#     drivers.csv's interval columns change, the same intervals in
#     report.html's table and engage.xlsx's drivers sheet (and manifest.json's
#     record of the seed and of those files' digests);
#   - report.html's where-to-act section: well-formed, one dot per driver,
#     the drivers drivers.csv marks named and drawn apart, the table's rows;
#     engage.xlsx carries a drivers sheet (its cells: tests/e2e_workbook.sh);
#   - the rows in another order: the same drivers.csv, byte for byte;
#   - too few complete cases: empty figures, a note in report.txt and
#     report.html, exit 0;
#   - a generated quarter above 20,000 complete cases (no row kept: exact
#     integer sums) against R (make_large.R), to 1e-7 relative;
#   - per unit (roster units): a unit with at least 10 × min_group complete
#     cases has rows that equal, byte for byte, the company rows of a run on
#     that unit's respondents alone; a smaller unit has none; report.txt and
#     report.html give each such unit, and no other, a line naming its top
#     driver with its share of R² and interval;
#   - recovery: on waves from engage-gen --waves with three sets of known
#     weights, every item of a larger true weight than another has its
#     raw-weight and LMG intervals wholly above the other's;
#   - a run without [drivers] writes no drivers.csv and lists none.
#   usage: tests/e2e_drivers.sh ENGAGE
suite=e2e_drivers
. "$(dirname "$0")/e2e_lib.sh"
ENGAGE=$1
fixtures=tests/fixtures/drivers

# same_columns GOT WANT KEY_COLUMNS COLUMNS...: each row of WANT (matched on
# the first KEY_COLUMNS columns of GOT, the item in column 2) has the same
# figures in the named columns of GOT, to 1e-7 relative.
compare() { # got want what columns...
    got=$1 want=$2 what=$3
    shift 3
    awk -F, -v cols="$*" -v what="$what" '
        function rel(a, b) { d = a - b; if (d < 0) d = -d; m = (a < 0 ? -a : a); if ((b < 0 ? -b : b) > m) m = (b < 0 ? -b : b); return m == 0 ? d : d / m }
        FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
        FILENAME == ARGV[1] { for (i = 1; i <= NF; i++) g[$2, i] = $i; next }
        {
            n = split(cols, c, " ")
            for (k = 1; k <= n; k++) {
                gi = col[ARGV[1], c[k]]; wi = col[FILENAME, c[k]]
                if (!gi || !wi) { print what ": no column " c[k]; bad++; continue }
                if (!(($2, gi) in g)) { print what ": no row " $2; bad++; continue }
                if (rel(g[$2, gi] + 0, $wi + 0) > 1e-7 || g[$2, gi] == "") { print what " " $2 " " c[k] ": " g[$2, gi] " vs " $wi; bad++ }
                checked++
            }
        }
        END { if (!checked) { print what ": nothing compared"; bad++ } exit bad > 0 }' "$got" "$want"
}

# --- attitude against R -----------------------------------------------------
"$ENGAGE" run -q -c $fixtures/attitude.ini -o "$work/att" $fixtures/attitude.csv
expect_status 0 $? "attitude run"
if compare "$work/att/drivers.csv" $fixtures/attitude_drivers.csv attitude r raw_weight share_r2 r2 lmg_share_r2 n_complete favourable_pct where_to_act; then
    ok "attitude: figures as R's"
else
    bad "attitude: figures differ from R's"
fi
header=$(head -n 1 "$work/att/drivers.csv")
case $header in
outcome,item,n_complete,r,raw_weight,share_r2,r2,raw_weight_ci_low,raw_weight_ci_high,share_r2_ci_low,share_r2_ci_high,*) ok ;;
*) bad "drivers.csv header: $header" ;;
esac
# shares add to 1, raw weights to R²; each interval holds 0 <= low < high
awk -F, 'NR > 1 { s += $6; w += $5; r2 = $7; if (!($8 >= 0 && $8 < $9 && $10 < $11)) bad = 1 }
         END { d = s - 1; e = w - r2; if (d < 0) d = -d; if (e < 0) e = -e; exit (bad || d > 1e-9 || e > 1e-9) }' \
    "$work/att/drivers.csv" && ok "attitude: sums and intervals" || bad "attitude: shares or intervals"
if grep -q '"drivers.csv"' "$work/att/manifest.json"; then ok; else bad "manifest.json does not list drivers.csv"; fi

# --- report.html and engage.xlsx ----------------------------------------------
page=$work/att/report.html
if xmllint --noout "$page" 2> /dev/null; then ok; else bad "report.html is not well-formed"; fi
sed -n '/<section id="drivers">/,/<\/section>/p' "$page" > "$work/section.html"
dots=$(grep -o '<circle[^>]*class="dot[^"]*"' "$work/section.html" | wc -l)
if [ "$dots" = 6 ]; then ok "report.html: a dot per driver"; else bad "report.html: $dots dots for 6 drivers"; fi
act=$(awk -F, 'NR > 1 && $18 == 1 { print $2 }' "$work/att/drivers.csv" | sort | tr '\n' ' ')
drawn=$(grep -o '<circle[^>]*class="dot below"[^>]*>' "$work/section.html" | wc -l)
named=$(sed -n 's/.*<strong>Where to act:<\/strong> \([^<]*\)\.<\/p>.*/\1/p' "$work/section.html" | tr -d ',' | sed 's/ and / /g' | tr ' ' '\n' | sort | tr '\n' ' ')
if [ -n "$act" ] && [ "$named" = "$act" ] && [ "$drawn" = "$(echo $act | wc -w)" ]; then
    ok "report.html names and marks where to act: $act"
else
    bad "report.html: where to act [$named], $drawn marked, drivers.csv says [$act]"
fi
if grep -q 'id="drivers-1-title"' "$work/section.html"; then ok; else bad "report.html: no titled drivers plot"; fi
rows=$(grep -c '^<tr><td class="t">' "$work/section.html")
if [ "$rows" = 6 ]; then ok; else bad "report.html: $rows table rows for 6 drivers"; fi
if unzip -p "$work/att/engage.xlsx" xl/workbook.xml | grep -q '<sheet name="drivers"'; then ok; else bad "engage.xlsx: no drivers sheet"; fi

# --- same seed, other seed --------------------------------------------------
"$ENGAGE" run -q -c $fixtures/attitude.ini -o "$work/out" $fixtures/attitude.csv
mv "$work/out" "$work/seed1"
"$ENGAGE" run -q -c $fixtures/attitude.ini -o "$work/out" $fixtures/attitude.csv
if (cd "$work/seed1" && find . -type f | sort | xargs sha256sum) | (cd "$work/out" && sha256sum -c --quiet -); then
    ok "same seed: byte-identical"
else
    bad "same seed: outputs differ"
fi
mv "$work/out" "$work/seed1b"
"$ENGAGE" run -q --seed 2 -c $fixtures/attitude.ini -o "$work/out" $fixtures/attitude.csv
for f in $(cd "$work/seed1" && ls); do
    case $f in drivers.csv | manifest.json | report.html | engage.xlsx) continue ;; esac
    if cmp -s "$work/seed1/$f" "$work/out/$f"; then ok; else bad "another seed changed $f"; fi
done
# report.html: only the intervals of the drivers' table
for d in seed1 out; do sed 's|<td>[0-9.]* – [0-9.]*</td>|<td>interval</td>|g' "$work/$d/report.html" > "$work/$d.html"; done
if cmp -s "$work/seed1.html" "$work/out.html"; then ok "another seed: report.html differs in the intervals only"
else bad "another seed changed report.html beyond the intervals"; fi
# engage.xlsx: only the drivers sheet (whose cells equal drivers.csv: e2e_workbook.sh)
changed=""
for entry in $(unzip -Z1 "$work/seed1/engage.xlsx"); do
    pattern=$(printf '%s' "$entry" | sed 's/\[/[[]/g')   # unzip reads [ as a wildcard
    unzip -p "$work/seed1/engage.xlsx" "$pattern" > "$work/a.part"
    unzip -p "$work/out/engage.xlsx" "$pattern" > "$work/b.part"
    cmp -s "$work/a.part" "$work/b.part" || changed="$changed $entry"
    cmp -s "$work/a.part" "$work/b.part" || grep -q 'share_r2_ci_low' "$work/a.part" || bad "another seed changed $entry of engage.xlsx"
done
if [ "$(echo $changed | wc -w)" = 1 ]; then ok "another seed: engage.xlsx differs in the drivers sheet only"
else bad "another seed: engage.xlsx parts changed:$changed"; fi
# columns 1-7 and 12-19 equal, 8-11 and 20-21 (the intervals) not all equal
cut -d, -f1-7,12-19 "$work/seed1/drivers.csv" > "$work/a.fixed"
cut -d, -f1-7,12-19 "$work/out/drivers.csv" > "$work/b.fixed"
if cmp -s "$work/a.fixed" "$work/b.fixed"; then ok "another seed: estimates unchanged"; else bad "another seed changed an estimate"; fi
cut -d, -f8-11 "$work/seed1/drivers.csv" > "$work/a.ci"
cut -d, -f8-11 "$work/out/drivers.csv" > "$work/b.ci"
if cmp -s "$work/a.ci" "$work/b.ci"; then bad "another seed: the same intervals"; else ok "another seed: other intervals"; fi
cut -d, -f20-21 "$work/seed1/drivers.csv" > "$work/a.ci"
cut -d, -f20-21 "$work/out/drivers.csv" > "$work/b.ci"
if cmp -s "$work/a.ci" "$work/b.ci"; then bad "another seed: the same LMG intervals"; else ok "another seed: other LMG intervals"; fi
# LMG's interval: the last two columns, around lmg, inside 0..R²
if [ "$(head -n 1 "$work/seed1/drivers.csv" | cut -d, -f20-)" = "lmg_ci_low,lmg_ci_high" ]; then ok; else bad "drivers.csv: lmg_ci_low, lmg_ci_high are not the last columns"; fi
awk -F, 'NR > 1 && !($20 != "" && $20 >= 0 && $20 < $12 && $12 < $21 && $21 <= $7) { bad++ }
    END { exit bad > 0 }' "$work/seed1/drivers.csv" && ok "drivers.csv: each LMG interval holds its lmg, within 0..R²" ||
    bad "drivers.csv: an LMG interval does not hold its lmg"
# manifest.json: only the seed and drivers.csv's digest differ
diff "$work/seed1/manifest.json" "$work/out/manifest.json" | grep '^[<>]' |
    grep -v -e '"seed": [12]' -e '"--seed",' -e '^> *"2",$' -e '"drivers.csv": ' -e '"report.html": ' -e '"engage.xlsx": ' > "$work/manifest.diff"
if [ -s "$work/manifest.diff" ]; then bad "another seed: manifest.json differs in $(cat "$work/manifest.diff")"; else ok; fi

# the rows in another order (and so respondents moved between teams): the same drivers.csv
(head -n 1 $fixtures/attitude.csv; tail -n +2 $fixtures/attitude.csv | sort -r -t, -k3) > "$work/shuffled.csv"
"$ENGAGE" run -q -c $fixtures/attitude.ini -o "$work/shuffled" "$work/shuffled.csv"
if cmp -s "$work/seed1/drivers.csv" "$work/shuffled/drivers.csv"; then ok "rows in another order: the same drivers.csv"
else bad "the order of rows changed drivers.csv"; fi

# --- the sample quarter: default drivers, and a scale's score ---------------
"$ENGAGE" run -q -c $fixtures/sample_quarter.ini -o "$work/sq" datasets/sample-quarter.csv.gz
expect_status 0 $? "sample quarter run"
grep '^items,' $fixtures/sample_quarter_drivers.csv | sed 's/^items,/engagement,/' > "$work/want_items.csv"
(head -n 1 $fixtures/sample_quarter_drivers.csv | sed 's/^case,/outcome,/'; cat "$work/want_items.csv") > "$work/want.csv"
if compare "$work/sq/drivers.csv" "$work/want.csv" "sample quarter" n_complete r raw_weight share_r2 r2; then
    ok "sample quarter: Q4, Q5, reverse-coded Q6 as R's"
else
    bad "sample quarter: figures differ from R's"
fi
if [ "$(cut -d, -f2 "$work/sq/drivers.csv" | tr '\n' ' ')" = "item Q4 Q5 Q6 " ]; then ok; else bad "default drivers: $(cut -d, -f2 "$work/sq/drivers.csv" | tr '\n' ' ')"; fi
sed 's/^outcome = engagement$/outcome = engagement\nitems = climate/' $fixtures/sample_quarter.ini > "$work/scale.ini"
"$ENGAGE" run -q -c "$work/scale.ini" -o "$work/sc" datasets/sample-quarter.csv.gz
expect_status 0 $? "scale driver run"
(head -n 1 $fixtures/sample_quarter_drivers.csv | sed 's/^case,/outcome,/'; grep '^scale,' $fixtures/sample_quarter_drivers.csv) > "$work/want.csv"
if compare "$work/sc/drivers.csv" "$work/want.csv" "scale driver" n_complete r raw_weight share_r2 r2; then
    ok "a scale's score as the driver, as R's"
else
    bad "scale driver: figures differ from R's"
fi
if awk -F, 'NR == 2 { exit !($14 == "scale") }' "$work/sc/drivers.csv"; then ok; else bad "scale driver: kind is not scale"; fi

# --- too few complete cases ---------------------------------------------------
printf 'respondent_id,manager_id,rating,complaints,privileges,learning,raises,critical,advance\n' > "$work/few.csv"
head -n 5 $fixtures/attitude.csv | tail -n 4 >> "$work/few.csv"
"$ENGAGE" run -q -c $fixtures/attitude.ini -o "$work/few" "$work/few.csv"
expect_status 0 $? "four respondents, six drivers"
if awk -F, 'NR > 1 { if ($3 != 4 || $4 != "" || $5 != "" || $8 != "") bad = 1 } END { exit bad || NR != 7 }' "$work/few/drivers.csv"; then
    ok "too few: empty figures"
else
    bad "too few: $(sed -n 2p "$work/few/drivers.csv")"
fi
if grep -q 'complete cases' "$work/few/report.txt"; then ok; else bad "too few: no note in report.txt"; fi
if grep -q 'class="note">Over 4 complete cases' "$work/few/report.html"; then ok; else bad "too few: no note in report.html"; fi

# --- per unit -------------------------------------------------------------------
# The Google Forms sample's roster gives eight departments; as a canonical
# archive with a unit column and the items renamed Q1..Q6.  min_group 20:
# a unit's drivers need 200 complete cases.
"$ENGAGE" ingest -q -c datasets/sample-quarter-googleforms.ini -o "$work/gf.csv" datasets/sample-quarter-googleforms.csv.gz
(echo "respondent_id,manager_id,unit,Q1,Q2,Q3,Q4,Q5,Q6"; tail -n +2 "$work/gf.csv") > "$work/units.csv"
sed 's/^min_group = 5$/min_group = 20/' $fixtures/sample_quarter.ini > "$work/units.ini"
"$ENGAGE" run -q -c "$work/units.ini" -o "$work/un" "$work/units.csv"
expect_status 0 $? "run with units"
shown=0 hidden=0
for unit in $(tail -n +2 "$work/units.csv" | cut -d, -f3 | sort -u | tr ' ' '_'); do
    name=$(echo "$unit" | tr '_' ' ')
    (head -n 1 "$work/units.csv"; tail -n +2 "$work/units.csv" | awk -F, -v u="$name" '$3 == u') > "$work/one.csv"
    "$ENGAGE" run -q -c "$work/units.ini" -o "$work/one" "$work/one.csv"
    awk -F, 'NR > 1 && $19 == ""' "$work/one/drivers.csv" | cut -d, -f1-18,20-21 > "$work/alone"
    awk -F, -v u="$name" 'NR > 1 && $19 == u' "$work/un/drivers.csv" | cut -d, -f1-18,20-21 > "$work/within"
    complete=$(head -n 1 "$work/alone" | cut -d, -f3)
    if [ "$complete" -ge 200 ]; then
        shown=$((shown + 1))
        if [ -s "$work/within" ] && cmp -s "$work/alone" "$work/within"; then ok "unit $name: as its respondents alone"
        else bad "unit $name ($complete complete cases): rows differ from a run on its respondents"; fi
    else
        hidden=$((hidden + 1))
        if [ -s "$work/within" ]; then bad "unit $name has $complete complete cases but rows"; else ok; fi
    fi
    rm -rf "$work/one"
done
if [ $shown -ge 2 ] && [ $hidden -ge 2 ]; then ok "units: $shown shown, $hidden hidden"; else bad "units: $shown shown, $hidden hidden"; fi
# report.txt and report.html: a line and a row for each unit drivers.csv has rows for (and for no other),
# naming the unit's driver of largest raw weight, its share of R² and interval, worked out here from drivers.csv
awk -F, 'NR > 1 && $19 != "" { if (!($19 in best) || $5 + 0 > best[$19]) { best[$19] = $5 + 0; top[$19] = $2
        line[$19] = sprintf("%s|%s|%s|%.1f%% (%.1f to %.1f)", $19, $3, $2, 100 * $6, 100 * $10, 100 * $11) } }
    END { for (u in line) print line[u] }' "$work/un/drivers.csv" | sort > "$work/unit_tops"
units_listed=0
while IFS='|' read -r unit n top share; do
    units_listed=$((units_listed + 1))
    if grep -F "    $unit " "$work/un/report.txt" | grep -F " n $n  R² " | grep -qF "  top $top $share"; then
        ok "report.txt: unit $unit's top driver $top $share"
    else
        bad "report.txt: no line for unit $unit with top driver $top $share"
    fi
    if grep -qF "<tr><td class=\"t\">$unit</td><td>$n</td>" "$work/un/report.html" &&
        grep -F "<tr><td class=\"t\">$unit</td><td>$n</td>" "$work/un/report.html" | grep -qF "<td class=\"t\">$top</td>"; then
        ok "report.html: unit $unit's row names $top"
    else
        bad "report.html: no row for unit $unit naming $top"
    fi
done < "$work/unit_tops"
[ "$units_listed" -eq "$shown" ] && ok "report.txt: $shown units listed" || bad "report.txt: $units_listed units listed, $shown shown"
lines=$(sed -n '/^By unit/,/^Data quality/p' "$work/un/report.txt" | grep -c '^    [^ ].* n [0-9]*  R² ')
[ "$lines" -eq "$shown" ] && ok "report.txt: no line for a unit without rows" || bad "report.txt: $lines unit lines, $shown units shown"

# --- above 20,000 complete cases: no row kept, exact sums, against R ----------------
GEN=$(dirname "$ENGAGE")/engage-gen
if timeout 60 "$GEN" --respondents 26000 --items 8 --missing 0.01 --seed 21 -o "$work/large.csv"; then
    printf '[scale engagement]\nitems = Q1, Q2, Q3\nmin = 1\nmax = 5\n[scale work]\nitems = Q4, Q5, Q6, Q7, Q8\nreverse = Q8\nmin = 1\nmax = 5\n[drivers]\noutcome = engagement\nbootstrap = 50\n' \
        > "$work/large.ini"
    timeout 60 "$ENGAGE" run -q -c "$work/large.ini" -o "$work/large" "$work/large.csv"
    expect_status 0 $? "run above 20,000 complete cases"
    if compare "$work/large/drivers.csv" $fixtures/large_drivers.csv large r raw_weight r2 n_complete; then
        ok "above 20,000 complete cases: figures as R's"
    else
        bad "above 20,000 complete cases: figures differ from R's"
    fi
else
    bad "engage-gen failed"
fi

# --- recovery: generated waves with known weights ------------------------------
# engage-gen --waves makes the 0-10 recommend item from the answers with known
# weights; the last wave's drivers of it: wherever one item's true weight is
# larger than another's, its raw-weight and LMG intervals lie wholly above
# the other's, so the intervals give the true ranking (ties aside)
gen_abs=$(cd "$(dirname "$GEN")" && pwd)/engage-gen
engage_abs=$(cd "$(dirname "$ENGAGE")" && pwd)/$(basename "$ENGAGE")
for case in "5 1.5,1,0.5,0" "8 0.5,1.5,0,1" "13 1,0,2,0.5"; do
    set -- $case
    d=$work/recover$1
    mkdir -p "$d"
    if (cd "$d" && timeout 60 "$gen_abs" --waves 2 --respondents 6000 --team-size 20 --seed "$1" --weights "$2" \
            --truth truth.csv --config waves.ini -o q.csv); then
        printf '\n[drivers]\noutcome = recommend\n' >> "$d/waves.ini"
        (cd "$d" && timeout 60 "$engage_abs" run -q -c waves.ini -o out)
        expect_status 0 $? "recovery (seed $1): engage run"
        result=$(awk -F, 'FILENAME ~ /truth.csv$/ { if ($1 == "weight") w[$5] = $7; next }
            FNR == 1 { next }
            { item[++n] = $2; rlo[n] = $8; rhi[n] = $9; llo[n] = $20; lhi[n] = $21 }
            END { for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) {
                      if (!(item[i] in w) || !(item[j] in w) || w[item[i]] <= w[item[j]]) continue
                      pairs++
                      if (rlo[i] <= rhi[j] || llo[i] <= lhi[j]) { bad++; print "   " item[i] " not above " item[j] }
                  }
                  print (bad + 0) " " (pairs + 0) }' "$d/truth.csv" "$d/out/drivers.csv")
        last=$(echo "$result" | tail -1)
        if [ "${last%% *}" = 0 ] && [ "${last##* }" -ge 9 ]; then
            ok "recovery (seed $1, weights $2): all ${last##* } ordered pairs apart"
        else
            bad "recovery (seed $1, weights $2): $result"
        fi
    else
        bad "engage-gen --waves failed (seed $1)"
    fi
done

# --- without [drivers] ----------------------------------------------------------
"$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/plain" datasets/sample-quarter.csv.gz
if [ -e "$work/plain/drivers.csv" ] || grep -q '"drivers.csv"' "$work/plain/manifest.json"; then
    bad "a run without [drivers] wrote drivers.csv"
else
    ok
fi

finish
