#!/bin/sh
# tests/e2e_waves.sh ENGAGE ATTACK — a history of waves ([waves], trend.csv).
#
#  (a) four made-up waves (tests/fixtures/waves, made by make_waves.R): every
#      figure of trend.csv agrees with R (t.test(now, before), var.equal =
#      FALSE; p.adjust(p, "BH") per wave pair) to 1e-7 relative, and every
#      row is shown or hidden as the R script's rule says; the same
#      respondent ids in every wave are not taken for repeats;
#  (b) the last wave's outputs are those of `engage run LAST --previous
#      BEFORE`, byte for byte; --previous alone gives a two-wave trend.csv;
#  (c) the command line and the config: [waves] beside INPUT or --previous
#      (64), a wave's missing file (66, naming the config's line), a wave
#      named twice (78), no INPUT and no [waves] (64); a repeated id within
#      one wave is read once;
#  (d) a known drift: waves generated with every team 0.3 higher each wave
#      give company changes of 0.3 (within 0.08) and p < 0.001;
#  (e) privacy across waves: ATTACK (tests/privacy/trend_attack.c) finds no
#      combination of the published figures of any waves that reveals fewer
#      than min_group people, on the fixture and on a generated history of
#      small teams whose managers change; given a published figure of a
#      hidden team it does find one; shuffling the respondents among the
#      hidden teams of every wave leaves every published byte as it was;
#  (f) engage rerun repeats the whole history; verify notices a changed
#      earlier wave; two runs are byte-identical;
#  (g) eNPS across waves (enps_trend.csv): four made-up waves with a
#      recommend question (make_enps_waves.R): every figure agrees with R
#      (eNPS, its interval, the change, its interval, 2 * pnorm(-abs(z)),
#      p.adjust(p, "BH") per wave pair) to 1e-7 relative, the rows shown and
#      hidden as trend.csv's; the company's rows against the answers counted
#      here; report.txt's and report.html's change; the attack with the
#      promoters and detractors as unknowns on the fixture and on generated
#      histories with turnover (and units), its positive controls, the
#      shuffle of every wave's hidden teams; rerun;
#  (h) leaders across waves (a roster's reporting tree): on generated trees
#      of three shapes, each with a history of three waves and a recommend
#      question, the last wave's leader rows of trend.csv (response rate
#      included) and enps_trend.csv are leaders.csv's and enps.csv's, the
#      earlier waves (no roster of their own) without response rates; an earlier wave's
#      shown leader rows have the figures of that wave's own run; the
#      attack with every team's place in the tree finds nothing below
#      min_group (on the recommend question too for the smallest), and
#      finds the leak when the orgs the tree rule hid in earlier waves are
#      published; shuffling the complete answers of the earlier waves'
#      hidden teams within their cells (deepest shown org, shown unit, on
#      both scales) leaves every published byte as it was;
#  (i) each wave's own roster ([rosters]): four waves whose roster exports
#      differ (invited people, teams, units; managers leaving and joining, a
#      silent team), the first three named in [rosters], the last by
#      [roster] file: trend.csv's response_rate per wave and group is what
#      awk counts from each wave's roster and export (empty below min_group
#      invited, shown on suppressed rows), the last wave's is
#      managers.csv's, units.csv's and scales.csv's byte for byte; a wave
#      without a [rosters] line has none; the last wave read through
#      [rosters] gives the same outputs; a label [waves] lacks, a label given
#      twice, [rosters] without [roster] (78) and an unreadable file (66)
#      name the config's line; manifest.json records each file's path,
#      bytes and SHA-256; verify checks them, rerun repeats the run (a
#      moved roster found by its hash) and stops on a changed one.
suite=e2e_waves
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ATTACK=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
GEN=$(dirname "$ENGAGE")/engage-gen
. "$(dirname "$0")/e2e_lib.sh"

fixtures=tests/fixtures/waves
cp "$fixtures"/wave1.csv "$fixtures"/wave2.csv "$fixtures"/wave3.csv "$fixtures"/wave4.csv \
   "$fixtures"/waves.ini "$work/"

# ---------------------------------------------------------------- (a) R
if (cd "$work" && "$ENGAGE" run -q -c waves.ini -o out); then ok "four waves run"; else bad "four waves: engage run failed"; fi
# join engage's rows with R's by scale, level, group and wave
awk -F, -v OFS=, '
    function close_to(a, b) {
        if (a == "" || b == "") return a == b
        d = a - b; if (d < 0) d = -d
        m = b < 0 ? -b : b
        return d <= 1e-7 * m || d <= 1e-12
    }
    FNR == 1 { next }
    FILENAME ~ /trend_r.csv$/ { key = $1 "|" $2 "|" $3 "|" $4
        r_n[key] = $5; r_mean[key] = $6; r_fav[key] = $7; r_delta[key] = $8; r_p[key] = $9; r_q[key] = $10
        r_sup[key] = $11; rows++; next }
    { key = $1 "|" $2 "|" $3 "|" $4; seen++
      if (!(key in r_n)) { print "FAIL: trend.csv row " key " is not in R'"'"'s"; bad++; next }
      found++
      if ($5 != r_n[key] || $12 != r_sup[key]) { print "FAIL: " key ": n/suppressed " $5 "/" $12 ", R " r_n[key] "/" r_sup[key]; bad++ }
      if (!close_to($6, r_mean[key])) { print "FAIL: " key ": mean " $6 ", R " r_mean[key]; bad++ }
      if (!close_to($7, r_fav[key])) { print "FAIL: " key ": favourable_pct " $7 ", R " r_fav[key]; bad++ }
      if (!close_to($9, r_delta[key])) { print "FAIL: " key ": delta_previous " $9 ", R " r_delta[key]; bad++ }
      if (!close_to($10, r_p[key])) { print "FAIL: " key ": p_value " $10 ", R " r_p[key]; bad++ }
      if (!close_to($11, r_q[key])) { print "FAIL: " key ": q_value " $11 ", R " r_q[key]; bad++ }
      if ($8 != "") { print "FAIL: " key ": a response rate without invited counts"; bad++ }
      if ($10 != "") tested++ }
    END { if (found != rows || seen != rows) { print "FAIL: " seen " rows, R has " rows; bad++ }
          print "rows " rows " tested " tested " bad " bad + 0 }' \
    "$fixtures/trend_r.csv" "$work/out/trend.csv" > "$work/compare.txt"
if grep -q '^rows 24 tested 13 bad 0$' "$work/compare.txt"; then
    ok "trend.csv: 24 rows, 13 Welch tests and their q-values agree with R to 1e-7"
else
    bad "trend.csv against R: $(tr '\n' ' ' < "$work/compare.txt")"
fi
head -1 "$work/out/trend.csv" > "$work/header"
if [ "$(cat "$work/header")" = "scale,level,group,wave,n,mean,favourable_pct,response_rate,delta_previous,p_value,q_value,suppressed" ]; then
    ok "trend.csv: its columns"
else
    bad "trend.csv header: $(cat "$work/header")"
fi
if grep -q '"trend.csv"' "$work/out/manifest.json"; then ok "manifest.json lists trend.csv"; else bad "manifest.json lacks trend.csv"; fi

# ---------------------------------------------------------------- (b) the last wave
if (cd "$work" && "$ENGAGE" run -q -o pair --previous wave3.csv wave4.csv); then
    for f in managers.csv variance.csv items.csv changes.csv scales.csv heatmap.csv report.txt; do
        if cmp -s "$work/out/$f" "$work/pair/$f"; then ok "$f: the last wave as run with --previous"
        else bad "$f differs from a run of the last wave with --previous the wave before"; fi
    done
    # its trend.csv: the history's last two waves, labelled previous and
    # current, with no change before the previous one
    awk -F, -v OFS=, 'NR > 1 && ($4 == "2026 Q3" || $4 == "2026 Q4") {
            if ($4 == "2026 Q3") { $4 = "previous"; $9 = $10 = $11 = "" } else $4 = "current"
            print }' "$work/out/trend.csv" > "$work/pair.want"
    tail -n +2 "$work/pair/trend.csv" > "$work/pair.got"
    if cmp -s "$work/pair.got" "$work/pair.want" && [ -s "$work/pair.got" ]; then
        ok "--previous alone: the two-wave trend.csv the history gives for its last two waves"
    else
        bad "--previous alone: its trend.csv differs from the history's last two waves"
    fi
else
    bad "engage run --previous failed"
fi

# ---------------------------------------------------------------- (c) usage and config
(cd "$work" && "$ENGAGE" run -q -c waves.ini -o x wave4.csv) 2> "$work/err"
expect_status 64 $? "[waves] and INPUT"
grep -q 'waves.ini:1: .*give no INPUT' "$work/err" && ok || bad "[waves] and INPUT: $(cat "$work/err")"
(cd "$work" && "$ENGAGE" run -q -c waves.ini -o x --previous wave3.csv) 2> "$work/err"
expect_status 64 $? "[waves] and --previous"
grep -q 'give no --previous' "$work/err" && ok || bad "[waves] and --previous: $(cat "$work/err")"
sed 's/wave3.csv/gone.csv/' "$work/waves.ini" > "$work/gone.ini"
(cd "$work" && "$ENGAGE" run -q -c gone.ini -o x) 2> "$work/err"
expect_status 66 $? "a wave's missing file"
grep -q "gone.ini:4: wave '2026 Q3': cannot read gone.csv" "$work/err" && ok || bad "missing wave file: $(cat "$work/err")"
[ "$(wc -l < "$work/err")" = 1 ] && ok || bad "missing wave file: more than one line on stderr"
[ -e "$work/x" ] && bad "a failed run left its output folder"
sed 's/^2026 Q3 =/2026 Q1 =/' "$work/waves.ini" > "$work/twice.ini"
(cd "$work" && "$ENGAGE" run -q -c twice.ini -o x) 2> "$work/err"
expect_status 78 $? "a wave named twice"
grep -q "twice.ini:4: wave '2026 Q1' is named twice" "$work/err" && ok || bad "wave named twice: $(cat "$work/err")"
(cd "$work" && "$ENGAGE" run -q -o x) 2> "$work/err"
expect_status 64 $? "no INPUT and no [waves]"
# one wave's files: two, the second repeating a respondent of the first
head -1 "$work/wave2.csv" > "$work/wave2b.csv"
sed -n 2p "$work/wave2.csv" >> "$work/wave2b.csv"
sed 's|^2026 Q2 = wave2.csv|2026 Q2 = wave2.csv,\n    wave2b.csv|' "$work/waves.ini" > "$work/split.ini"
if (cd "$work" && "$ENGAGE" run -q -c split.ini -o split); then
    n2=$(awk -F, '$2 == "company" && $4 == "2026 Q2" { print $5 }' "$work/split/trend.csv")
    # wave2.csv has 33 respondents; the row repeated in wave2b.csv replaces its first reading
    if [ "$n2" = 33 ]; then ok "a repeated id within a wave is read once"; else bad "repeated id in a wave: n $n2, expected 33"; fi
    if grep -q 'wave2b.csv,.*,2026 Q2,' "$work/split/quality.csv"; then ok "quality.csv names an earlier wave's files"; else bad "quality.csv lacks wave2b.csv"; fi
else
    bad "a wave of two files: engage run failed"
fi

# ---------------------------------------------------------------- (d) drift
# 4 waves × 40 teams × 10 people, 4 items on 1..7; every answer centre + 0.3 per wave
awk -v dir="$work" 'BEGIN {
    srand(17)
    for (w = 1; w <= 4; w++) {
        f = dir "/drift" w ".csv"
        print "respondent_id,manager_id,Q1,Q2,Q3,Q4" > f
        r = 0
        for (t = 1; t <= 40; t++) {
            centre = 3 + (t % 5) * 0.2 + 0.3 * (w - 1)
            for (i = 0; i < 10; i++) {
                line = sprintf("p%04d,T%02d", ++r, t)
                for (q = 1; q <= 4; q++) {
                    a = int(centre + (rand() + rand() + rand() - 1.5) * 1.2 + 0.5)
                    line = line "," (a < 1 ? 1 : a > 7 ? 7 : a)
                }
                print line > f
            }
        }
        close(f)
    }
}'
printf '[scale engagement]\nitems = Q1, Q2, Q3, Q4\nmin = 1\nmax = 7\n[waves]\nw1 = drift1.csv\nw2 = drift2.csv\nw3 = drift3.csv\nw4 = drift4.csv\n' > "$work/drift.ini"
if (cd "$work" && "$ENGAGE" run -q -c drift.ini -o drift); then
    drift=$(awk -F, '$2 == "company" && $9 != "" {
            d = $9 - 0.3; if (d < 0) d = -d; if (d > 0.08 || $10 >= 0.001) badw++; n++ }
        END { print n " " badw + 0 }' "$work/drift/trend.csv")
    if [ "$drift" = "3 0" ]; then ok "a drift of 0.3 a wave is found in each of the 3 changes"; else bad "drift: $drift (changes, off)"; fi
else
    bad "drift waves: engage run failed"
fi

# ---------------------------------------------------------------- (e) privacy across waves
# same_outputs BEFORE AFTER WHAT: every published file of BEFORE is AFTER's
# byte for byte (the analyst's files and the manifest aside)
same_outputs() {
    for f in "$1"/*; do
        base=$(basename "$f")
        case $base in
        rejects.csv|manifest.json|variance_all_teams.csv) ;;
        *) if cmp -s "$f" "$2/$base"; then ok; else bad "$base differs $3"; fi ;;
        esac
    done
}
attack() { # NAME OUTDIR K [ATTACK OPTIONS]
    name=$1 dir=$2 k=$3
    shift 3
    "$ATTACK" "$dir" --min-group "$k" "$@" > "$work/attack.txt" 2>&1
    st=$?
    if [ $st = 0 ]; then ok "$name: $(cat "$work/attack.txt")"
    else bad "$name: the attack found something below $k (exit $st): $(tr '\n' ' ' < "$work/attack.txt")"; fi
}
attack "fixture" "$work/out" 5
# positive controls: a hidden team's mean, or a team hidden to cover it, published
awk -F, -v OFS=, '$3 == "D" && $4 == "2026 Q1" { $6 = "2.5" } { print }' "$work/out/trend.csv" > "$work/t1"
awk -F, -v OFS=, '$3 == "B" && $4 == "2026 Q1" { $6 = "2.5" } { print }' "$work/out/trend.csv" > "$work/t2"
for control in t1 t2; do
    mkdir -p "$work/$control.d"
    cp "$work/out/managers.csv" "$work/out/changes.csv" "$work/$control.d/"
    cp "$work/$control" "$work/$control.d/trend.csv"
    "$ATTACK" "$work/$control.d" --min-group 5 > "$work/attack.txt" 2>&1
    st=$?
    if [ $st = 1 ] && grep -q '^leak people=2 teams=D@2026 Q1$' "$work/attack.txt"; then
        ok "the attack finds team D of wave 1 when $control publishes what is hidden"
    else
        bad "control $control: the attack missed team D (exit $st): $(tr '\n' ' ' < "$work/attack.txt")"
    fi
done

# a history of many small teams, managers leaving and arriving, min_group 5
awk -v dir="$work" 'BEGIN {
    srand(29)
    for (w = 1; w <= 4; w++) {
        f = dir "/small" w ".csv"
        print "respondent_id,manager_id,Q1,Q2,Q3" > f
        r = 0
        for (t = 1; t <= 30; t++) {
            # every fourth team changes manager from the third wave on
            id = (t % 4 == 0 && w >= 3) ? sprintf("N%02d", t) : sprintf("M%02d", t)
            if (t % 7 == 0 && w == 2) continue          # away for a wave
            size = 1 + int(rand() * 9)
            for (i = 0; i < size; i++) {
                line = sprintf("s%04d,%s", ++r, id)
                for (q = 1; q <= 3; q++) line = line "," (1 + int(rand() * 5))
                print line > f
            }
        }
        close(f)
    }
}'
printf '[waves]\nw1 = small1.csv\nw2 = small2.csv\nw3 = small3.csv\nw4 = small4.csv\n[report]\nmin_group = 5\n' > "$work/small.ini"
if (cd "$work" && "$ENGAGE" run -q -c small.ini -o small); then
    attack "generated history with turnover" "$work/small" 5
    hidden=$(awk -F, 'NR > 1 && $12 == 1' "$work/small/trend.csv" | wc -l)
    [ "$hidden" -gt 20 ] && ok "generated history: $hidden hidden rows" || bad "generated history: only $hidden hidden rows"
else
    bad "generated history: engage run failed"
fi

# shuffle the respondents of every wave's hidden teams among them (complete
# rows keep their team's size): every published byte stays
shuffle_wave() { # CSV WAVE_LABEL OUTDIR SEED
    awk -F, -v wave="$2" 'FNR == 1 { next } $2 == "manager" && $4 == wave && $12 == 1 { print $3 }' \
        "$3/trend.csv" > "$work/hidden"
    # the last two waves: hidden where changes.csv and managers.csv hide them too (trend.csv covers both)
    awk -F, -v OFS=, -v seed="$4" 'FNR == NR { hidden[$1] = 1; next }
        FNR == 1 { print; next }
        { line[FNR] = $0; if (hidden[$2]) { n++; row[n] = FNR; mgr[n] = $2 } last = FNR }
        END { srand(seed)
              for (i = n; i > 1; i--) { j = int(rand() * i) + 1; t = mgr[i]; mgr[i] = mgr[j]; mgr[j] = t }
              for (i = 1; i <= n; i++) new[row[i]] = mgr[i]
              for (r = 2; r <= last; r++) {
                  if (r in new) { split(line[r], f, ","); f[2] = new[r]; out = f[1]
                      for (c = 2; c in f; c++) out = out "," f[c]; print out }
                  else print line[r] } }' "$work/hidden" "$1"
}
mkdir -p "$work/shuf"
cp "$work"/small1.csv "$work"/small2.csv "$work"/small3.csv "$work"/small4.csv "$work/small.ini" "$work/shuf/"
w=0
for label in w1 w2 w3 w4; do
    w=$((w + 1))
    shuffle_wave "$work/small$w.csv" "$label" "$work/small" "$w" > "$work/shuf/small$w.csv"
done
moved=0
for w in 1 2 3 4; do cmp -s "$work/small$w.csv" "$work/shuf/small$w.csv" || moved=$((moved + 1)); done
[ "$moved" = 4 ] && ok "the shuffle moved respondents in all 4 waves" || bad "the shuffle moved respondents in $moved waves"
if (cd "$work/shuf" && "$ENGAGE" run -q -c small.ini -o out); then
    same_outputs "$work/small" "$work/shuf/out" "after shuffling every wave's hidden teams"
    cmp -s "$work/small/variance_all_teams.csv" "$work/shuf/out/variance_all_teams.csv" &&
        bad "variance_all_teams.csv unchanged: the shuffle reached no hidden team"
else
    bad "shuffled history: engage run failed"
fi

# the same with units: canonical waves with a unit column, 6 units of 5
# teams, sizes 1 to 9, every fifth team under a new manager from the third
# wave, one team moving to another unit in the last
awk -v dir="$work" 'BEGIN {
    srand(41)
    for (w = 1; w <= 4; w++) {
        f = dir "/unit" w ".csv"
        print "respondent_id,manager_id,unit,Q1,Q2,Q3" > f
        r = 0
        for (t = 1; t <= 30; t++) {
            id = (t % 5 == 0 && w >= 3) ? sprintf("N%02d", t) : sprintf("M%02d", t)
            unit = sprintf("U%d", int((t - 1) / 5) + 1)
            if (t == 7 && w == 4) unit = "U6"
            size = 1 + int(rand() * 9)
            for (i = 0; i < size; i++) {
                line = sprintf("s%04d,%s,%s", ++r, id, unit)
                for (q = 1; q <= 3; q++) line = line "," (1 + int(rand() * 5))
                print line > f
            }
        }
        close(f)
    }
}'
printf '[waves]\nw1 = unit1.csv\nw2 = unit2.csv\nw3 = unit3.csv\nw4 = unit4.csv\n[report]\nmin_group = 5\n' > "$work/unit.ini"
for w in 1 2 3 4; do awk -F, -v w="w$w" 'NR > 1 { print w "," $2 "," $3 }' "$work/unit$w.csv"; done | sort -u > "$work/unit-of"
if (cd "$work" && "$ENGAGE" run -q -c unit.ini -o units); then
    "$ATTACK" "$work/units" --min-group 5 --units "$work/unit-of" > "$work/attack.txt" 2>&1
    st=$?
    if [ $st = 0 ]; then ok "units across waves: $(cat "$work/attack.txt")"
    else bad "units across waves: the attack found something below 5 (exit $st): $(tr '\n' ' ' < "$work/attack.txt")"; fi
    shown_units=$(awk -F, '$2 == "unit" && $12 == 0 && $4 != "w4"' "$work/units/trend.csv" | wc -l)
    hidden_units=$(awk -F, '$2 == "unit" && $12 == 1 && $4 != "w4"' "$work/units/trend.csv" | wc -l)
    if [ "$shown_units" -gt 0 ] && [ "$hidden_units" -gt 0 ]; then ok "units of earlier waves: $shown_units shown, $hidden_units hidden"
    else bad "units of earlier waves: $shown_units shown, $hidden_units hidden"; fi
    # the last wave's units as units.csv shows them
    last=$(awk -F, '$2 == "unit" && $4 == "w4" { print $3 "," $5 "," $12 }' "$work/units/trend.csv")
    csv=$(awk -F, -v OFS=, 'NR > 1 { print $2, $4, $13 }' "$work/units/units.csv")
    [ "$last" = "$csv" ] && ok "the last wave's units as units.csv shows them" || bad "last wave's units: $last against units.csv $csv"
    # report.html: the company's and the units' history as small multiples, a
    # dot per shown company or unit row of trend.csv
    dots=$(awk '/aria-labelledby="trend-1-title/ { on = 1 } on { print } on && /<\/svg>/ { exit }' \
        "$work/units/report.html" | grep -o '<circle' | wc -l)
    rows=$(awk -F, '$2 != "manager" && $12 == 0 && $6 != ""' "$work/units/trend.csv" | wc -l)
    if [ "$dots" = "$rows" ] && [ "$rows" -gt 0 ]; then ok "report.html: $dots waves of the company and units drawn"
    else bad "report.html's history: $dots dots for $rows shown company and unit rows"; fi
    panels=$(awk -F, 'NR > 1 && $2 != "manager" && $12 == 0 { seen[$2 "|" $3] = 1 } END { print length(seen) }' "$work/units/trend.csv")
    grep -q "$panels panels: the company and then each unit" "$work/units/report.html" && ok ||
        bad "report.html's history does not say $panels panels"
    # a positive control: one more unit figure of an earlier wave published
    mkdir -p "$work/uctl"
    cp "$work/units/managers.csv" "$work/units/changes.csv" "$work/units/units.csv" "$work/uctl/"
    awk -F, -v OFS=, '!done && $2 == "unit" && $12 == 1 && $4 != "w4" && $5 >= 5 { $6 = "3"; done = 1 } { print }' \
        "$work/units/trend.csv" > "$work/uctl/trend.csv"
    "$ATTACK" "$work/uctl" --min-group 5 --units "$work/unit-of" > "$work/attack.txt" 2>&1
    [ $? = 1 ] && ok "the attack finds what a hidden unit's mean would reveal" ||
        bad "control: a hidden unit's mean published and nothing found: $(tr '\n' ' ' < "$work/attack.txt")"
else
    bad "history with units: engage run failed"
fi
# every wave's hidden teams shuffled within their unit: every published byte stays
mkdir -p "$work/ushuf"
cp "$work/unit.ini" "$work/ushuf/"
w=0
for label in w1 w2 w3 w4; do
    w=$((w + 1))
    awk -F, -v wave="$label" 'FNR == 1 { next } $2 == "manager" && $4 == wave && $12 == 1 { print $3 }' \
        "$work/units/trend.csv" > "$work/hidden"
    awk -F, -v seed="$w" 'FNR == NR { hidden[$1] = 1; next }
        FNR == 1 { print; next }
        { line[FNR] = $0; last = FNR
          if (hidden[$2]) { g = $3; n = ++count[g]; row[g, n] = FNR; mgr[g, n] = $2
                            if (!(g in seen)) { seen[g] = 1; order[++ng] = g } } }
        END { srand(seed)
              for (k = 1; k <= ng; k++) { g = order[k]
                  for (i = count[g]; i > 1; i--) { j = int(rand() * i) + 1; t = mgr[g, i]; mgr[g, i] = mgr[g, j]; mgr[g, j] = t }
                  for (i = 1; i <= count[g]; i++) new[row[g, i]] = mgr[g, i] }
              for (r = 2; r <= last; r++) {
                  if (r in new) { split(line[r], f, ","); f[2] = new[r]; out = f[1]
                      for (c = 2; c in f; c++) out = out "," f[c]; print out }
                  else print line[r] } }' "$work/hidden" "$work/unit$w.csv" > "$work/ushuf/unit$w.csv"
done
moved=0
for w in 1 2 3 4; do cmp -s "$work/unit$w.csv" "$work/ushuf/unit$w.csv" || moved=$((moved + 1)); done
[ "$moved" -ge 3 ] && ok "the shuffle within units moved respondents in $moved waves" || bad "the shuffle within units moved respondents in $moved waves"
if (cd "$work/ushuf" && "$ENGAGE" run -q -c unit.ini -o out); then
    same_outputs "$work/units" "$work/ushuf/out" "after shuffling every wave's hidden teams within their units"
else
    bad "shuffled history with units: engage run failed"
fi

# ---------------------------------------------------------------- (f) archives
if (cd "$work" && "$ENGAGE" rerun -q out -o again > "$work/rerun.txt"); then
    ok "engage rerun repeats the four waves"
    grep -q '^identical *trend.csv$' "$work/rerun.txt" && ok || bad "rerun: $(tr '\n' ' ' < "$work/rerun.txt")"
else
    bad "engage rerun of the history: $(tr '\n' ' ' < "$work/rerun.txt")"
fi
if grep -q '"label": "2026 Q1"' "$work/out/manifest.json" &&
   [ "$(grep -c '"sha256": "[0-9a-f]\{64\}"' "$work/out/manifest.json")" -ge 6 ]; then
    ok "manifest.json records every wave's inputs"
else
    bad "manifest.json lacks the waves"
fi
(cd "$work" && "$ENGAGE" verify out > "$work/verify.txt" 2>&1)
expect_status 0 $? "verify of the history"
grep -q '^unchanged  *wave1.csv (wave)' "$work/verify.txt" && ok || bad "verify does not name wave1.csv: $(tr '\n' ' ' < "$work/verify.txt")"
cp "$work/wave1.csv" "$work/wave1.keep"
echo "r999,A,5,5,5,5" >> "$work/wave1.csv"
(cd "$work" && "$ENGAGE" verify out > /dev/null 2> "$work/err")
expect_status 65 $? "verify after an earlier wave changed"
(cd "$work" && "$ENGAGE" rerun -q out -o again2 > /dev/null 2> "$work/err")
expect_status 65 $? "rerun after an earlier wave changed"
mv "$work/wave1.keep" "$work/wave1.csv"
(cd "$work" && "$ENGAGE" run -q -c waves.ini -o out2)
same=1
for f in "$work/out"/*; do
    base=$(basename "$f")
    [ "$base" = manifest.json ] && continue
    cmp -s "$f" "$work/out2/$base" || same=0
done
[ $same = 1 ] && ok "two runs of the history: the same bytes" || bad "two runs of the history differ"

# ---------------------------------------------------------------- (g) eNPS across waves
# four waves with a recommend question (tests/fixtures/waves, made by
# make_enps_waves.R): every figure of enps_trend.csv agrees with R to 1e-7
# relative, and its rows are shown where trend.csv shows them
cp "$fixtures"/enps_wave1.csv "$fixtures"/enps_wave2.csv "$fixtures"/enps_wave3.csv "$fixtures"/enps_wave4.csv \
   "$fixtures"/enps_waves.ini "$work/"
if (cd "$work" && "$ENGAGE" run -q -c enps_waves.ini -o enps); then ok "four waves with a recommend question run"
else bad "four waves with a recommend question: engage run failed"; fi
awk -F, '
    function close_to(a, b) {
        if (a == "" || b == "") return a == b
        d = a - b; if (d < 0) d = -d
        m = b < 0 ? -b : b
        return d <= 1e-7 * m || d <= 1e-12
    }
    FNR == 1 { if (FILENAME ~ /enps_trend_r.csv$/) ncol = NF; else if (NF != ncol) { print "FAIL: " NF " columns"; bad++ } next }
    FILENAME ~ /enps_trend_r.csv$/ { key = $1 "|" $2 "|" $3 "|" $4; want[key] = $0; rows++; next }
    { key = $1 "|" $2 "|" $3 "|" $4; seen++
      if (!(key in want)) { print "FAIL: enps_trend.csv row " key " is not in R'"'"'s"; bad++; next }
      split(want[key], r, ",")
      if ($5 != r[5] || $17 != r[17]) { print "FAIL: " key ": n/suppressed " $5 "/" $17 ", R " r[5] "/" r[17]; bad++ }
      for (c = 6; c <= 16; c++)
          if (!close_to($c, r[c])) { print "FAIL: " key ": column " c " " $c ", R " r[c]; bad++ }
      if ($15 != "") tested++
      if ($17 == 1) hidden++ }
    END { if (seen != rows) { print "FAIL: " seen " rows, R has " rows; bad++ }
          print "rows " rows " tested " tested " hidden " hidden " bad " bad + 0 }' \
    "$fixtures/enps_trend_r.csv" "$work/enps/enps_trend.csv" > "$work/compare.txt"
if grep -q '^rows 28 tested 15 hidden 5 bad 0$' "$work/compare.txt"; then
    ok "enps_trend.csv: 28 rows, 5 hidden, 15 changes, their intervals, p and q agree with R to 1e-7"
else
    bad "enps_trend.csv against R: $(tr '\n' ' ' < "$work/compare.txt")"
fi
head -1 "$work/enps/enps_trend.csv" > "$work/header"
if [ "$(cat "$work/header")" = "scale,level,group,wave,n,promoters_pct,passives_pct,detractors_pct,enps,ci_low,ci_high,delta_previous,delta_ci_low,delta_ci_high,p_value,q_value,suppressed" ]; then
    ok "enps_trend.csv: its columns"
else
    bad "enps_trend.csv header: $(cat "$work/header")"
fi
# the same rows as trend.csv's recommend scale, in the same order, hidden alike
awk -F, -v OFS=, '$1 == "recommend" { print $1, $2, $3, $4, $5, $12 }' "$work/enps/trend.csv" > "$work/t.keys"
awk -F, -v OFS=, 'NR > 1 { print $1, $2, $3, $4, $5, $17 }' "$work/enps/enps_trend.csv" > "$work/e.keys"
cmp -s "$work/t.keys" "$work/e.keys" && ok "enps_trend.csv: trend.csv's rows, shown and hidden as there" ||
    bad "enps_trend.csv's rows differ from trend.csv's recommend rows"
# a change only between two shown rows, and exactly where trend.csv tests one
awk -F, 'NR > 1 && $15 != "" { if ($17 != 0 || prev_key != $1 "|" $2 "|" $3 || prev_sup != 0) bad++ }
    NR > 1 { prev_key = $1 "|" $2 "|" $3; prev_sup = $17 } END { exit bad > 0 }' "$work/enps/enps_trend.csv" &&
    ok "enps_trend.csv: every change between two shown rows" || bad "enps_trend.csv: a change next to a hidden row"
# the company, counted here from the files: n, promoters, detractors, eNPS,
# its interval (1.96 · 100 · √((p + d − (p − d)²)/n)), the change and its
# interval (√ of the two variances)
problems=$(for k in 1 2 3 4; do
    awk -F, -v k=$k 'NR > 1 { n++; if ($6 >= 9) p++; else if ($6 <= 6) d++ } END { print "2026 Q" k, n, p + 0, d + 0 }' \
        "$work/enps_wave$k.csv"
done | awk -F, '
    function abs(x) { return x < 0 ? -x : x }
    function near(a, b) { return abs(a - b) <= 1e-9 * (abs(b) > 1 ? abs(b) : 1) }
    FILENAME == "-" { split($0, f, " "); w = f[1] " " f[2]; n[w] = f[3]; p[w] = f[4]; d[w] = f[5]; order[++nw] = w; next }
    $2 == "company" { got[$4] = $0 }
    END {
        for (i = 1; i <= nw; i++) {
            w = order[i]; split(got[w], g, ",")
            e = 100 * (p[w] - d[w]) / n[w]; v = (p[w] / n[w] + d[w] / n[w] - ((p[w] - d[w]) / n[w]) ^ 2) / n[w]
            se = 100 * sqrt(v)
            if (g[5] != n[w] || !near(g[6], 100 * p[w] / n[w]) || !near(g[8], 100 * d[w] / n[w]) || !near(g[9], e) ||
                !near(g[10], e - 1.96 * se) || !near(g[11], e + 1.96 * se))
                print w ": " got[w] " counted " n[w] " " p[w] " " d[w]
            if (i > 1) {
                s = sqrt(se * se + prev_se * prev_se)
                if (!near(g[12], e - prev_e) || !near(g[13], e - prev_e - 1.96 * s) || !near(g[14], e - prev_e + 1.96 * s))
                    print w ": change " g[12] " " g[13] " " g[14] ", counted " e - prev_e
            }
            prev_e = e; prev_se = se
        }
        if (nw != 4) print nw " waves"
    }' - "$work/enps/enps_trend.csv")
[ -z "$problems" ] && ok "enps_trend.csv: the company's four waves as counted from the files" || bad "company eNPS: $problems"
# the last wave's company row is enps.csv's
a=$(awk -F, -v OFS=, '$2 == "company" && $4 == "2026 Q4" { print $5, $6, $7, $8, $9, $10, $11 }' "$work/enps/enps_trend.csv")
b=$(awk -F, -v OFS=, '$2 == "company" { print $4, $5, $6, $7, $8, $9, $10 }' "$work/enps/enps.csv")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "the last wave's company eNPS is enps.csv's" || bad "last wave $a, enps.csv $b"
grep -q '"enps_trend.csv"' "$work/enps/manifest.json" && ok "manifest.json lists enps_trend.csv" || bad "manifest.json lacks enps_trend.csv"
# the readable reports: the company's change since 2026 Q3 (27.142857 → +27.1,
# interval -4.512 .. +58.798 → -4.5 .. +58.8, p 0.09284 → 0.093, as the R
# fixture gives them)
tr -s ' \n' '  ' < "$work/enps/report.txt" |
    grep -q 'recommend: eNPS change since 2026 Q3 +27.1 (95% interval -4.5 to +58.8, p = 0.093; enps_trend.csv).' &&
    ok "report.txt: the company's eNPS change" || bad "report.txt: $(grep -A2 'recommend: eNPS' "$work/enps/report.txt")"
grep -q 'eNPS change since 2026 Q3 <strong>+27.1</strong> (95% interval -4.5 to +58.8, p = 0.093; enps_trend.csv)' "$work/enps/report.html" &&
    ok "report.html: the company's eNPS change" || bad "report.html lacks the company's eNPS change"
if command -v unzip > /dev/null 2>&1; then
    unzip -p "$work/enps/engage.xlsx" xl/workbook.xml | grep -q '<sheet name="enps_trend"' &&
        ok "engage.xlsx: an enps_trend sheet" || bad "engage.xlsx has no enps_trend sheet"
fi
# no history or no recommend question: no enps_trend.csv, and no change in report.txt
[ ! -e "$work/out/enps_trend.csv" ] && ok "no enps_trend.csv without a scale of kind nps" || bad "enps_trend.csv without an NPS scale"
sed '/^\[waves\]/,/^$/d' "$work/enps_waves.ini" > "$work/enps_one.ini"
if (cd "$work" && "$ENGAGE" run -q -c enps_one.ini -o enps_one enps_wave4.csv); then
    [ ! -e "$work/enps_one/enps_trend.csv" ] && ok "no enps_trend.csv without a history" || bad "enps_trend.csv without a history"
    grep -q 'eNPS change since' "$work/enps_one/report.txt" && bad "report.txt states a change without a history" || ok
else
    bad "one wave with a recommend question: engage run failed"
fi
# the attacker with the eNPS figures too: nothing below 5 on the fixture;
# given a hidden team's promoters, or the change into a hidden row, it finds one
attack "fixture with eNPS" "$work/enps" 5 --scale recommend
grep -q 'unknowns=72 ' "$work/attack.txt" && ok "the attack takes promoters and detractors as unknowns" ||
    bad "the attack did not read enps_trend.csv: $(cat "$work/attack.txt")"
enps_control() { # NAME AWK-PROGRAM EXPECTED-LEAK
    mkdir -p "$work/ectl"
    cp "$work/enps/managers.csv" "$work/enps/changes.csv" "$work/enps/trend.csv" "$work/enps/enps.csv" "$work/ectl/"
    awk -F, -v OFS=, "$2" "$work/enps/enps_trend.csv" > "$work/ectl/enps_trend.csv"
    "$ATTACK" "$work/ectl" --min-group 5 --scale recommend > "$work/attack.txt" 2>&1
    st=$?
    if [ $st = 1 ] && grep -q "^leak $3\$" "$work/attack.txt"; then ok "the attack finds $1"
    else bad "control $1 (exit $st): $(tr '\n' ' ' < "$work/attack.txt")"; fi
}
enps_control "team D of wave 1 from its promoters" '$3 == "D" && $4 == "2026 Q1" { $6 = "50"; $8 = "0" } { print }' \
    'people=2 teams=D@2026 Q1'
enps_control "teams D and G of wave 1 from the change of a team hidden there" \
    '$3 == "B" && $4 == "2026 Q2" { $12 = "5" } { print }' 'people=3 teams=D@2026 Q1,G@2026 Q1'

# a generated history of many small teams with a recommend question, managers
# leaving and arriving, min_group 5: the attack with every eNPS figure finds
# nothing, and shuffling every wave's hidden teams changes no published byte
awk -v dir="$work" 'BEGIN {
    srand(53)
    for (w = 1; w <= 4; w++) {
        f = dir "/nps" w ".csv"
        print "respondent_id,manager_id,Q1,Q2,R" > f
        r = 0
        for (t = 1; t <= 30; t++) {
            id = (t % 4 == 0 && w >= 3) ? sprintf("N%02d", t) : sprintf("M%02d", t)
            if (t % 7 == 0 && w == 2) continue
            size = 1 + int(rand() * 9)
            for (i = 0; i < size; i++)
                print sprintf("n%04d,%s,%d,%d,%d", ++r, id, 1 + int(rand() * 5), 1 + int(rand() * 5), int(rand() * 11)) > f
        }
        close(f)
    }
}'
printf '[scale engagement]\nitems = Q1, Q2\n[scale recommend]\nkind = nps\nitems = R\n[waves]\nw1 = nps1.csv\nw2 = nps2.csv\nw3 = nps3.csv\nw4 = nps4.csv\n[report]\nmin_group = 5\n' > "$work/nps.ini"
if (cd "$work" && "$ENGAGE" run -q -c nps.ini -o nps); then
    attack "generated history with a recommend question" "$work/nps" 5 --scale recommend
    hidden=$(awk -F, 'NR > 1 && $17 == 1' "$work/nps/enps_trend.csv" | wc -l)
    tested=$(awk -F, 'NR > 1 && $15 != ""' "$work/nps/enps_trend.csv" | wc -l)
    [ "$hidden" -gt 20 ] && [ "$tested" -gt 10 ] && ok "generated history: $hidden hidden rows, $tested changes" ||
        bad "generated history: $hidden hidden rows, $tested changes"
    mkdir -p "$work/nshuf"
    cp "$work/nps.ini" "$work/nshuf/"
    w=0
    for label in w1 w2 w3 w4; do
        w=$((w + 1))
        shuffle_wave "$work/nps$w.csv" "$label" "$work/nps" "$w" > "$work/nshuf/nps$w.csv"
    done
    if (cd "$work/nshuf" && "$ENGAGE" run -q -c nps.ini -o out); then
        for f in enps_trend.csv enps.csv trend.csv managers.csv report.txt; do
            cmp -s "$work/nps/$f" "$work/nshuf/out/$f" && ok || bad "$f differs after shuffling every wave's hidden teams"
        done
        cmp -s "$work/nps/variance_all_teams.csv" "$work/nshuf/out/variance_all_teams.csv" &&
            bad "variance_all_teams.csv unchanged: the shuffle reached no hidden team"
    else
        bad "shuffled history with a recommend question: engage run failed"
    fi
else
    bad "generated history with a recommend question: engage run failed"
fi
# the same with units (the insider knows each team's unit in each wave)
awk -v dir="$work" 'BEGIN {
    srand(59)
    for (w = 1; w <= 4; w++) {
        f = dir "/npsu" w ".csv"
        print "respondent_id,manager_id,unit,Q1,R" > f
        r = 0
        for (t = 1; t <= 30; t++) {
            id = (t % 5 == 0 && w >= 3) ? sprintf("N%02d", t) : sprintf("M%02d", t)
            unit = sprintf("U%d", int((t - 1) / 5) + 1)
            size = 1 + int(rand() * 9)
            for (i = 0; i < size; i++)
                print sprintf("u%04d,%s,%s,%d,%d", ++r, id, unit, 1 + int(rand() * 5), int(rand() * 11)) > f
        }
        close(f)
    }
}'
printf '[scale engagement]\nitems = Q1\n[scale recommend]\nkind = nps\nitems = R\n[waves]\nw1 = npsu1.csv\nw2 = npsu2.csv\nw3 = npsu3.csv\nw4 = npsu4.csv\n[report]\nmin_group = 5\n' > "$work/npsu.ini"
for w in 1 2 3 4; do awk -F, -v w="w$w" 'NR > 1 { print w "," $2 "," $3 }' "$work/npsu$w.csv"; done | sort -u > "$work/npsu-of"
if (cd "$work" && "$ENGAGE" run -q -c npsu.ini -o npsu); then
    attack "generated history with units and a recommend question" "$work/npsu" 5 --scale recommend --units "$work/npsu-of"
    units=$(awk -F, '$2 == "unit" && $6 != ""' "$work/npsu/enps_trend.csv" | wc -l)
    [ "$units" -gt 0 ] && ok "generated history with units: $units unit rows shown" || bad "no unit row shown"
else
    bad "generated history with units and a recommend question: engage run failed"
fi
if (cd "$work" && "$ENGAGE" rerun -q enps -o enps_again > "$work/rerun.txt"); then
    grep -q '^identical *enps_trend.csv$' "$work/rerun.txt" && ok "engage rerun reproduces enps_trend.csv" ||
        bad "rerun: $(tr '\n' ' ' < "$work/rerun.txt")"
else
    bad "engage rerun of the history with a recommend question: $(tr '\n' ' ' < "$work/rerun.txt")"
fi

# ---------------------------------------------------------------- (h) leaders
# RESPONDENTS DEPTH SEED RESPONSE K: a generated tree (its roster and the
# last wave), two earlier waves made from it (each row kept with chance
# 0.8, half its answers moved by one point), a 0-10 item R in every wave
controls=0
for case in "300 4 5 0.8 5" "250 5 7 0.85 5" "200 4 11 0.9 3"; do
    set -- $case
    k=$5
    tree_name="tree of $1 respondents, depth $2, k $k"
    d=$work/tree$3
    mkdir -p "$d"
    "$GEN" --hierarchy --respondents "$1" --depth "$2" --seed "$3" --response "$4" --roster "$d/r.csv" \
        --config "$d/c.ini" -o "$d/s.csv" || bad "$tree_name: engage-gen failed"
    for w in 1 2 3; do
        awk -F, -v OFS=, -v seed="$3$w" -v w=$w 'BEGIN { srand(seed) }
            NR == 1 { print $0, "R"; next }
            w == 3 || rand() < 0.8 {
                if (w < 3) for (i = 2; i <= NF; i++) if ($i != "" && rand() < 0.5) {
                    $i += rand() < 0.5 ? -1 : 1; if ($i < 1) $i = 1; if ($i > 5) $i = 5 }
                print $0, int(rand() * 11) }' "$d/s.csv" > "$d/w$w.csv"
    done
    sed -i "s/^min_group = .*/min_group = $k/" "$d/c.ini"
    printf '\n[scale recommend]\nkind = nps\nitems = R\n\n[waves]\nq1 = w1.csv\nq2 = w2.csv\nq3 = w3.csv\n' >> "$d/c.ini"
    if ! (cd "$d" && "$ENGAGE" run -q -c c.ini -o out); then bad "$tree_name: engage run failed"; continue; fi
    # the last wave: leaders.csv's rows (the company's aside) and enps.csv's
    for sc in engagement recommend; do
        awk -F, -v sc=$sc 'NR > 1 && $1 == sc && $2 != "" { print $2 "," $11 "," $12 "," $18 "," $10 "," $21 }' \
            "$d/out/leaders.csv" | sort > "$d/want"
        awk -F, -v sc=$sc '$1 == sc && $2 == "leader" && $4 == "q3" { print $3 "," $5 "," $6 "," $7 "," $8 "," $12 }' \
            "$d/out/trend.csv" | sort > "$d/got"
        if [ -s "$d/want" ] && cmp -s "$d/want" "$d/got"; then ok "$tree_name: $sc: the last wave's leaders as leaders.csv"
        else bad "$tree_name: $sc: the last wave's leader rows differ from leaders.csv"; fi
    done
    awk -F, 'NR > 1 && $2 == "leader" { print $3 "," $4 "," $8 "," $11 }' "$d/out/enps.csv" | sort > "$d/want"
    awk -F, '$2 == "leader" && $4 == "q3" { print $3 "," $5 "," $9 "," $17 }' "$d/out/enps_trend.csv" | sort > "$d/got"
    if [ -s "$d/want" ] && cmp -s "$d/want" "$d/got"; then ok "$tree_name: the last wave's leaders in enps_trend.csv as enps.csv"
    else bad "$tree_name: the last wave's leader rows of enps_trend.csv differ from enps.csv"; fi
    # report.html's History: the company and the units only, never the leaders
    want=$(for sc in engagement recommend; do
        awk -F, -v sc=$sc '$1 == sc && ($2 == "company" || $2 == "unit") && $12 == 0 { seen[$2 "|" $3] = 1 }
            END { print length(seen) }' "$d/out/trend.csv"; done | tr '\n' ' ')
    got=$(grep -o '[0-9]* panels: the company and then each unit' "$d/out/report.html" | awk '{ printf "%s ", $1 }')
    [ "$got" = "$want" ] && ok "$tree_name: report.html's history panels: $got" ||
        bad "$tree_name: report.html draws '$got' panels, the company and units shown are '$want'"
    # the earlier waves have no roster of their own here: no response rate
    rates=$(awk -F, 'NR > 1 && $4 != "q3" && $8 != ""' "$d/out/trend.csv" | wc -l)
    with=$(awk -F, '$2 == "leader" && $4 == "q3" && $8 != ""' "$d/out/trend.csv" | wc -l)
    [ "$rates" = 0 ] && [ "$with" -gt 0 ] && ok "$tree_name: response rates in the last wave only ($with leader rows)" ||
        bad "$tree_name: $rates earlier rows with a response rate, $with leader rows of the last wave"
    # an earlier wave: its shown leader rows have its own run's figures
    for w in 1 2; do
        cp "$d/c.ini" "$d/one.ini"
        sed -i '/^\[waves\]/,$d' "$d/one.ini"
        (cd "$d" && "$ENGAGE" run -q -c one.ini -o one$w w$w.csv) || bad "$tree_name: the run of wave $w alone failed"
        awk -F, 'NR > 1 && $1 == "engagement" && $2 != "" { print $2 "," $11 "," $12 "," $18 }' "$d/one$w/leaders.csv" |
            sort > "$d/own"
        awk -F, -v q=q$w '$1 == "engagement" && $2 == "leader" && $4 == q { print $3 "," $5 "," $6 "," $7 }' \
            "$d/out/trend.csv" | sort > "$d/hist"
        result=$(join -t, "$d/own" "$d/hist" | awk -F, '$2 != $5 { bad++ } $6 != "" { shown++; if ($3 != $6 || $4 != $7) bad++ }
            $6 == "" { hidden++ } END { print bad + 0, shown + 0, hidden + 0 }')
        rows=$(wc -l < "$d/hist")
        differ=${result%% *} hidden=${result##* } shown=${result#* }
        shown=${shown%% *}
        if [ "$differ" = 0 ] && [ "$shown" -gt 0 ] && [ $((shown + hidden)) = "$rows" ]; then
            ok "$tree_name: wave q$w: $shown leaders shown with their own run's figures, $hidden hidden"
        else bad "$tree_name: wave q$w: $differ rows differ from the wave's own run ($shown shown, $hidden hidden of $rows)"; fi
    done
    # the insider knows every team's unit and every leader above it in each wave
    for q in q1 q2 q3; do
        awk -F, -v q=$q 'FNR == NR { if (FNR > 1) unit[$1] = $6; next }
            $1 == "engagement" && $2 == "manager" && $4 == q { print q "," $3 "," unit[$3] }' "$d/r.csv" "$d/out/trend.csv"
    done > "$d/unit-of"
    for q in q1 q2 q3; do
        awk -F, -v q=$q 'FNR == NR { if (FNR > 1) up[$1] = $3; next }
            $1 == "engagement" && $2 == "manager" && $4 == q {
                m = $3; while (m != "") { print q "," $3 "," m; if (up[m] == m) break; m = up[m] } }' \
            "$d/r.csv" "$d/out/trend.csv"
    done > "$d/org-of"
    attack "$tree_name: engagement" "$d/out" "$k" --units "$d/unit-of" --orgs "$d/org-of"
    # the promoters and detractors too (three unknowns a team: the smallest system only)
    [ "$3" = 11 ] && attack "$tree_name: recommend" "$d/out" "$k" --scale recommend --units "$d/unit-of" --orgs "$d/org-of"
    # positive control: the earlier waves' orgs hidden by the tree rule, published
    mkdir -p "$d/ctl"
    cp "$d/out"/*.csv "$d/ctl/"
    rm -f "$d/ctl/enps_trend.csv" "$d/ctl/enps.csv"
    awk -F, -v OFS=, -v k="$k" '$2 == "leader" && $12 == 1 && $5 >= k && $4 != "q3" { $6 = 1; $12 = 0; n++ }
        { print } END { print n + 0 > "/dev/stderr" }' "$d/out/trend.csv" > "$d/ctl/trend.csv" 2> "$d/unhidden"
    if [ "$(cat "$d/unhidden")" -gt 0 ]; then
        if "$ATTACK" "$d/ctl" --min-group "$k" --units "$d/unit-of" --orgs "$d/org-of" > "$d/ctl.txt" 2>&1; then
            bad "$tree_name: the attack missed the orgs hidden in earlier waves: $(tail -1 "$d/ctl.txt")"
        else
            ok "$tree_name: positive control: $(grep -c '^leak' "$d/ctl.txt") leaks once $(cat "$d/unhidden") hidden orgs are shown"
            controls=$((controls + 1))
        fi
    fi
    # shuffle the complete answers of each earlier wave's hidden teams within
    # their cells (the deepest org trend.csv shows above the team, and its
    # unit when shown, on both scales): every published byte stays
    mkdir -p "$d/shuf"
    cp "$d/c.ini" "$d/r.csv" "$d/w3.csv" "$d/shuf/"
    for w in 1 2; do
        awk -F, -v q=q$w 'FNR == NR { if (FNR > 1) { up[$1] = $3; unit[$1] = $6 } next }
            FILENAME ~ /trend.csv$/ { if ($4 == q) { key = $1 "|" $2 "|" $3; shown[key] = $12 == 0; level[key] = 1
                                                     if ($2 == "manager") team[$3] = 1 }
                                      next }
            FNR == 1 { print; next }
            { m = up[$1]; cell = ""
              for (sc = 1; sc <= 2; sc++) {
                  name = sc == 1 ? "engagement" : "recommend"
                  if (!(m in team) || shown[name "|manager|" m]) { cell = ""; break }
                  o = m; while (o != "" && !shown[name "|leader|" o]) { if (up[o] == o) { o = ""; break } o = up[o] }
                  u = shown[name "|unit|" unit[m]] ? unit[m] : "-"
                  cell = cell o "/" u ";" }
              complete = index($0, ",,") == 0 && substr($0, length($0)) != ","
              if (cell == "" || !complete) { keep[FNR] = $0; next }
              n++; row[n] = FNR; id[n] = $1; rest[n] = substr($0, length($1) + 2); cellof[n] = cell; last = FNR }
            END { srand(7)
                  for (i = 1; i <= n; i++) { c = cellof[i]; k[c]++; members[c, k[c]] = i }
                  for (c in k) for (j = k[c]; j > 1; j--) { r = int(rand() * j) + 1
                      a = members[c, j]; b = members[c, r]; t = rest[a]; rest[a] = rest[b]; rest[b] = t }
                  for (i = 1; i <= n; i++) keep[row[i]] = id[i] "," rest[i]
                  for (r = 2; r in keep || r <= last; r++) if (r in keep) print keep[r] }' \
            "$d/r.csv" "$d/out/trend.csv" "$d/w$w.csv" > "$d/shuf/w$w.csv"
    done
    moved=0
    for w in 1 2; do cmp -s "$d/w$w.csv" "$d/shuf/w$w.csv" || moved=$((moved + 1)); done
    [ "$moved" = 2 ] && ok "$tree_name: the shuffle moved answers in both earlier waves" ||
        bad "$tree_name: the shuffle moved answers in $moved of the 2 earlier waves"
    if (cd "$d/shuf" && "$ENGAGE" run -q -c c.ini -o out); then
        same_outputs "$d/out" "$d/shuf/out" "in $tree_name after shuffling the earlier waves' hidden teams within their cells"
    else
        bad "$tree_name: the shuffled history: engage run failed"
    fi
done
[ "$controls" -gt 0 ] && ok "the tree rule hid orgs of earlier waves in $controls of 3 trees" ||
    bad "no tree had an org of an earlier wave hidden by the tree rule: the control tested nothing"

# ---------------------------------------------------------------- (i) each wave's own roster
hist=$work/rosters
mkdir -p "$hist"
# wave manager unit invited responded extra: a team of invited + 2 people (the
# last two not invited, the first of them answering when extra is 1); its
# manager reports to the top T and is invited; the first two managers of a
# wave answer too (T's team).  Employee ids stay from wave to wave.
printf '%s\n' 'Q1 A North 8 6 1' 'Q1 B North 6 5 0' 'Q1 C South 4 4 0' 'Q1 F South 6 2 0' \
    'Q2 A North 7 6 0' 'Q2 B North 6 3 1' 'Q2 D South 6 5 0' 'Q2 F South 7 6 0' 'Q2 H South 5 0 0' \
    'Q3 A North 9 8 0' 'Q3 D South 5 5 0' 'Q3 E South 6 4 1' 'Q3 F South 3 3 0' \
    'Q4 A North 8 7 0' 'Q4 D South 6 6 0' 'Q4 E North 4 3 0' 'Q4 G South 7 5 1' > "$hist/spec"
(cd "$hist" && awk '
    function answer() { seed = (seed * 1103515245 + 12345) % 2147483648; return 1 + int(seed / 2147483648 * 5) }
    BEGIN { seed = 7 }
    { w = $1; r = "roster-" w ".csv"; s = "survey-" w ".csv"
      if (!(w in started)) { started[w] = 1
          print "employee_id,manager_id,unit,invited" > r; print "T,,HQ,no" > r
          print "respondent_id,Q1,Q2,Q3" > s }
      print $2 ",T," $3 ",yes" > r
      if (++managers[w] <= 2) print $2 "," answer() "," answer() "," answer() > s
      for (i = 1; i <= $4 + 2; i++) {
          id = $2 "-" i
          print id "," $2 ",," (i <= $4 ? "yes" : "no") > r
          if (i <= $5 || (i == $4 + 1 && $6 == 1)) print id "," answer() "," answer() "," answer() > s
      } }' spec)
printf '%s\n' '[scale engagement]' 'items = Q1, Q2, Q3' '' '[report]' 'min_group = 5' '' \
    '[roster]' 'file = roster-Q4.csv' 'key = respondent_id' 'employee = employee_id' 'manager = manager_id' \
    'unit = unit' 'invited = invited' '' \
    '[waves]' '2026 Q1 = survey-Q1.csv' '2026 Q2 = survey-Q2.csv' '2026 Q3 = survey-Q3.csv' '2026 Q4 = survey-Q4.csv' '' \
    '[rosters]' '2026 Q1 = roster-Q1.csv' '2026 Q2 = roster-Q2.csv' '2026 Q3 = roster-Q3.csv' > "$hist/year.ini"
# want_rates LABEL ROSTER SURVEY OWN: "wave|level|group=rate" of every group of
# the wave, counted from its roster and export alone: a team is its manager's
# direct reports, responded counts its invited people with a survey row, a
# unit sums its managers' teams (the managers with a respondent) and its
# silent teams, a leader everyone below them, the company everyone invited; the rate empty below 5 invited
# or when the wave was not read with its own roster (OWN 0).
want_rates() {
    awk -F, -v wave="$1" -v own="$4" '
        function rate(i, r) { return own && i >= 5 ? sprintf("%.15g", 100 * r / i) : "" }
        FNR == NR { if (FNR > 1) { boss[$1] = $2; unit[$1] = $3; invited[$1] = ($4 == "yes"); ids[++n] = $1 } next }
        FNR > 1 && ($1 in boss) && boss[$1] != "" { answered[$1] = 1; run[boss[$1]] = 1 }
        END {
            for (i = 1; i <= n; i++) {
                e = ids[i]
                for (b = boss[e]; b != ""; b = boss[b]) leader[b] = 1
                if (!invited[e]) continue
                ci++; cr += (e in answered)
                if (boss[e] != "") { ti[boss[e]]++; tr[boss[e]] += (e in answered) }
                for (b = boss[e]; b != ""; b = boss[b]) { li[b]++; lr[b] += (e in answered) }
            }
            for (m in run) unit_run[unit[m]] = 1
            for (m in ti)
                if ((m in run) || (unit[m] in unit_run)) { ui[unit[m]] += ti[m]; if (m in run) ur[unit[m]] += tr[m] }
            print wave "|company|=" rate(ci, cr)
            for (u in unit_run) print wave "|unit|" u "=" rate(ui[u], ur[u])
            for (m in run) print wave "|manager|" m "=" rate(ti[m], tr[m])
            for (l in leader) print wave "|leader|" l "=" rate(li[l] + 0, lr[l] + 0)
        }' "$2" "$3"
}
# compare_rates WANT TREND: every row of TREND against WANT; prints the
# disagreements, then "rows N shown S empty E suppressed-with-rate H bad B".
compare_rates() {
    awk -F, '
        function same(a, b) { if (a == "" || b == "") return a == b; d = a - b; if (d < 0) d = -d; return d <= 1e-9 * b }
        FNR == NR { i = index($0, "="); want[substr($0, 1, i - 1)] = substr($0, i + 1); wanted++; next }
        FNR == 1 { next }
        { key = $4 "|" $2 "|" $3; rows++
          if (!(key in want)) { print "FAIL: " key " is not counted"; bad++; next }
          if (!same($8, want[key])) { print "FAIL: " key ": response_rate " $8 ", counted " want[key]; bad++ }
          if ($8 != "") shown++; else empty++
          if ($8 != "" && $12 == 1) hidden_rate++ }
        END { if (rows != wanted) { print "FAIL: " rows " rows, " wanted " groups counted"; bad++ }
              print "rows " rows " shown " shown + 0 " empty " empty + 0 " suppressed-with-rate " hidden_rate + 0 " bad " bad + 0 }' "$1" "$2"
}
all_want() { # OWN-Q1 OWN-Q2 OWN-Q3 OWN-Q4
    want_rates "2026 Q1" "$hist/roster-Q1.csv" "$hist/survey-Q1.csv" "$1"
    want_rates "2026 Q2" "$hist/roster-Q2.csv" "$hist/survey-Q2.csv" "$2"
    want_rates "2026 Q3" "$hist/roster-Q3.csv" "$hist/survey-Q3.csv" "$3"
    want_rates "2026 Q4" "$hist/roster-Q4.csv" "$hist/survey-Q4.csv" "$4"
}
if (cd "$hist" && "$ENGAGE" run -q -c year.ini -o out); then
    ok "four waves, each with its own roster"
    all_want 1 1 1 1 > "$hist/want"
    compare_rates "$hist/want" "$hist/out/trend.csv" > "$hist/compare.txt"
    if grep -q '^rows [0-9]* shown [1-9][0-9]* empty [1-9][0-9]* suppressed-with-rate [1-9][0-9]* bad 0$' "$hist/compare.txt"; then
        ok "trend.csv: every wave's response_rate as counted from its roster and export ($(tail -1 "$hist/compare.txt"))"
    else
        bad "trend.csv's response rates: $(tr '\n' ' ' < "$hist/compare.txt")"
    fi
    # below min_group invited: C of 2026 Q1 (4), E of 2026 Q4 (4), T (its 4 managers) but in 2026 Q2 (5)
    empty=$(awk -F, '$2 == "manager" && $8 == "" && (($3 == "C" && $4 == "2026 Q1") || ($3 == "E" && $4 == "2026 Q4") ||
                     ($3 == "T" && $4 != "2026 Q2"))' "$hist/out/trend.csv" | wc -l)
    t2=$(awk -F, '$2 == "manager" && $3 == "T" && $4 == "2026 Q2" { print $8 }' "$hist/out/trend.csv")
    [ "$empty" = 5 ] && [ "$t2" = 40 ] && ok "teams of fewer than 5 invited: no response_rate; T's 5 managers of 2026 Q2: 40" ||
        bad "teams below 5 invited: $empty of 5 empty, T in 2026 Q2 $t2"
    # the last wave's: managers.csv's, units.csv's and scales.csv's own cells
    got=$(awk -F, '$4 == "2026 Q4" && $2 == "manager" { print $3 "," $8 }' "$hist/out/trend.csv")
    csv=$(awk -F, 'NR > 1 { print $2 "," $20 }' "$hist/out/managers.csv")
    [ "$got" = "$csv" ] && [ -n "$got" ] && ok "the last wave's managers: managers.csv's response_rate" ||
        bad "last wave's managers: $got against managers.csv $csv"
    got=$(awk -F, '$4 == "2026 Q4" && $2 == "unit" { print $3 "," $8 }' "$hist/out/trend.csv")
    csv=$(awk -F, 'NR > 1 { print $2 "," $16 }' "$hist/out/units.csv")
    [ "$got" = "$csv" ] && [ -n "$got" ] && ok "the last wave's units: units.csv's response_rate" ||
        bad "last wave's units: $got against units.csv $csv"
    got=$(awk -F, '$4 == "2026 Q4" && $2 == "company" { print $1 "," $8 }' "$hist/out/trend.csv")
    csv=$(awk -F, 'NR > 1 { print $1 "," $4 }' "$hist/out/scales.csv")
    [ "$got" = "$csv" ] && [ -n "$got" ] && ok "the last wave's company: scales.csv's response_rate" ||
        bad "last wave's company: $got against scales.csv $csv"
    # manifest.json: each [rosters] file with its path, bytes and SHA-256, and [roster]'s
    for w in Q1 Q2 Q3 Q4; do
        sha=$(sha256sum "$hist/roster-$w.csv" | cut -d' ' -f1)
        bytes=$(wc -c < "$hist/roster-$w.csv" | tr -d ' ')
        if tr -d ' \n' < "$hist/out/manifest.json" |
            grep -q "\"roster\":{\"path\":\"roster-$w.csv\",\"bytes\":$bytes,\"sha256\":\"$sha\"}"; then
            ok "manifest.json records roster-$w.csv"
        else
            bad "manifest.json lacks roster-$w.csv with $bytes bytes and sha256 $sha"
        fi
    done
    (cd "$hist" && "$ENGAGE" verify out > "$hist/verify.txt" 2>&1)
    expect_status 0 $? "verify of a history with its rosters"
    for w in Q1 Q2 Q3; do
        grep -q "^unchanged  *roster-$w.csv (wave roster)$" "$hist/verify.txt" && ok ||
            bad "verify does not check roster-$w.csv: $(tr '\n' ' ' < "$hist/verify.txt")"
    done
    grep -q '^unchanged  *roster-Q4.csv (roster)$' "$hist/verify.txt" && ok || bad "verify does not check [roster]'s file"
    if (cd "$hist" && "$ENGAGE" rerun -q out -o again > "$hist/rerun.txt"); then
        ok "engage rerun repeats the history with its rosters"
        if ! grep -qv '^identical ' "$hist/rerun.txt" && grep -q '^identical  *trend.csv$' "$hist/rerun.txt"; then ok
        else bad "rerun: $(tr '\n' ' ' < "$hist/rerun.txt")"; fi
    else
        bad "engage rerun of the history with its rosters: $(tr '\n' ' ' < "$hist/rerun.txt")"
    fi
    # a roster moved away is found by its SHA-256 (--inputs); a changed one stops verify and rerun
    mkdir -p "$hist/moved"
    mv "$hist/roster-Q1.csv" "$hist/moved/"
    if (cd "$hist" && "$ENGAGE" rerun out --inputs moved -o again2 > "$hist/rerun.txt" 2> "$hist/err"); then
        grep -q "note: wave roster roster-Q1.csv is read from .*moved/roster-Q1.csv" "$hist/err" && ok ||
            bad "rerun with a moved roster: no note: $(cat "$hist/err")"
        if ! grep -qv '^identical ' "$hist/rerun.txt"; then ok "rerun reads a moved wave roster found by its SHA-256"
        else bad "rerun with a moved roster: $(tr '\n' ' ' < "$hist/rerun.txt")"; fi
    else
        bad "rerun with a moved wave roster: $(cat "$hist/err")"
    fi
    mv "$hist/moved/roster-Q1.csv" "$hist/"
    cp "$hist/roster-Q2.csv" "$hist/roster-Q2.keep"
    echo "Z-1,A,,yes" >> "$hist/roster-Q2.csv"
    (cd "$hist" && "$ENGAGE" verify out > /dev/null 2> "$hist/err")
    expect_status 65 $? "verify after a wave's roster changed"
    grep -q '^engage: roster-Q2.csv: wave roster changed since the run' "$hist/err" && ok ||
        bad "verify of a changed wave roster: $(cat "$hist/err")"
    (cd "$hist" && "$ENGAGE" rerun -q out -o again3 > /dev/null 2> "$hist/err")
    expect_status 65 $? "rerun after a wave's roster changed"
    mv "$hist/roster-Q2.keep" "$hist/roster-Q2.csv"
else
    bad "four waves with their own rosters: engage run failed"
fi
# a wave without a [rosters] line is read with [roster]'s file and has no response rate
sed '/^2026 Q2 = roster-Q2.csv$/d' "$hist/year.ini" > "$hist/noq2.ini"
if (cd "$hist" && "$ENGAGE" run -q -c noq2.ini -o noq2); then
    got=$(awk -F, '$4 == "2026 Q2" && $8 != ""' "$hist/noq2/trend.csv" | wc -l)
    all=$(awk -F, '$4 == "2026 Q2"' "$hist/noq2/trend.csv" | wc -l)
    [ "$got" = 0 ] && [ "$all" -gt 0 ] && ok "a wave without its own roster: no response_rate in its $all rows" ||
        bad "a wave without its own roster: $got of its $all rows have a response_rate"
    all_want 1 0 1 1 | grep -v '^2026 Q2|' > "$hist/want"
    awk -F, 'NR == 1 || $4 != "2026 Q2"' "$hist/noq2/trend.csv" > "$hist/noq2-trend.csv"
    compare_rates "$hist/want" "$hist/noq2-trend.csv" > "$hist/compare.txt"
    grep -q ' bad 0$' "$hist/compare.txt" && ok "the other waves keep their response rates" ||
        bad "without Q2's roster: $(tr '\n' ' ' < "$hist/compare.txt")"
else
    bad "a wave without its own roster: engage run failed"
fi
# the last wave read through [rosters]: the same outputs, [roster]'s file unread
cp "$hist/roster-Q4.csv" "$hist/roster-Q4-own.csv"
sed -e 's/^file = roster-Q4.csv$/file = roster-Q1.csv/' "$hist/year.ini" > "$hist/all4.ini"
echo '2026 Q4 = roster-Q4-own.csv' >> "$hist/all4.ini"
if (cd "$hist" && "$ENGAGE" run -q -c all4.ini -o all4); then
    same=1
    for f in "$hist/out"/*; do
        base=$(basename "$f")
        case $base in manifest.json|engage.xlsx) continue ;; esac   # they hold the config's text
        cmp -s "$f" "$hist/all4/$base" || { same=0; bad "the last wave through [rosters]: $base differs"; }
    done
    [ $same = 1 ] && ok "the last wave read with its [rosters] file: every output as with [roster]'s"
    if grep -q '"path": "roster-Q4-own.csv"' "$hist/all4/manifest.json" &&
       [ "$(grep -c '"roster": {' "$hist/all4/manifest.json")" = 4 ]; then
        ok "manifest.json: the four waves' rosters, not [roster]'s file that no wave read"
    else
        bad "manifest.json of the run read through [rosters] only: $(grep -A1 '"roster"' "$hist/all4/manifest.json" | tr -d '\n')"
    fi
else
    bad "the last wave through [rosters]: engage run failed"
fi
# the config's mistakes, at their lines
cp "$hist/year.ini" "$hist/unknown.ini"; echo '2027 Q1 = roster-Q1.csv' >> "$hist/unknown.ini"
(cd "$hist" && "$ENGAGE" run -q -c unknown.ini -o x) 2> "$hist/err"
expect_status 78 $? "[rosters] naming a wave [waves] lacks"
grep -q "^engage: unknown.ini:25: \[rosters\] names wave '2027 Q1', which \[waves\] does not list" "$hist/err" && ok ||
    bad "unknown wave in [rosters]: $(cat "$hist/err")"
cp "$hist/year.ini" "$hist/twice.ini"; echo '2026 Q2 = roster-Q3.csv' >> "$hist/twice.ini"
(cd "$hist" && "$ENGAGE" run -q -c twice.ini -o x) 2> "$hist/err"
expect_status 78 $? "a wave given two rosters"
grep -q "^engage: twice.ini:25: wave '2026 Q2' is given a roster twice in \[rosters\] (line 23 too)" "$hist/err" && ok ||
    bad "a wave given two rosters: $(cat "$hist/err")"
sed '7,13d' "$hist/year.ini" > "$hist/noroster.ini"
(cd "$hist" && "$ENGAGE" run -q -c noroster.ini -o x) 2> "$hist/err"
expect_status 78 $? "[rosters] without [roster]"
grep -q "^engage: noroster.ini:14: \[rosters\] needs a \[roster\] section" "$hist/err" && ok ||
    bad "[rosters] without [roster]: $(cat "$hist/err")"
sed 's/^2026 Q2 = roster-Q2.csv$/2026 Q2 = gone.csv/' "$hist/year.ini" > "$hist/gone.ini"
(cd "$hist" && "$ENGAGE" run -q -c gone.ini -o x) 2> "$hist/err"
expect_status 66 $? "a wave's roster file missing"
grep -q "^engage: gone.ini:23: wave '2026 Q2': cannot read roster gone.csv$" "$hist/err" && ok ||
    bad "a wave's missing roster: $(cat "$hist/err")"
[ "$(wc -l < "$hist/err")" = 1 ] && ok || bad "a wave's missing roster: more than one line on stderr"
[ -e "$hist/x" ] && bad "a failed run left its output folder"

finish
