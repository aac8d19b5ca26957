#!/bin/sh
# tests/e2e_enps.sh ENGAGE GEN — enps.csv and kind = nps end to end.
#
# (i) A hand-counted quarter of three teams: the company's and the shown
# team's eNPS and interval as worked out in the comments, a team of 3
# hidden (primary) and the next-smallest team hidden with it (secondary),
# their figures empty; the NPS scale also in managers.csv, items.csv and
# variance.csv as a 0..10 scale.  (ii) Configs of kind = nps that must stop
# with status 78 at their line.  (iii) A generated reporting tree with units
# and a 0..10 item made from the answers: every enps.csv row against the
# answers counted here from the export and the roster (company, units), and
# against leaders.csv's and managers.csv's shares and suppression (leaders,
# managers); eNPS and the interval from the shares by the definition.
# (iv) engage-gen --waves: the wave files and their config, and the truth
# file's company eNPS, managers, turnover, drift per team and the recommend
# item's weights recovered from what engage publishes and the files hold.
suite=e2e_enps
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
. "$(dirname "$0")/e2e_lib.sh"

# --- (i) a hand-counted quarter ---------------------------------------------
cat > "$work/hand.csv" <<'CSV'
respondent_id,manager_id,Q1,Q2,R
a1,A,4,5,10
a2,A,3,4,9
a3,A,5,5,6
a4,A,2,3,8
a5,A,4,4,0
a6,A,3,3,9
b1,B,4,4,10
b2,B,5,5,10
b3,B,2,2,3
b4,B,3,4,7
b5,B,4,5,9
b6,B,3,3,5
b7,B,4,4,8
c1,C,1,2,2
c2,C,5,5,10
c3,C,4,4,6
CSV
cat > "$work/hand.ini" <<'INI'
[input]
format = canonical
[scale engagement]
items = Q1, Q2
[scale recommend]
kind = nps
items = R
INI
"$ENGAGE" run -q -c "$work/hand.ini" -o "$work/hand" "$work/hand.csv"
expect_status 0 $? "engage run of the hand-counted quarter"
# Company: 16 answers, promoters a1 a2 a6 b1 b2 b5 c2 = 7 (43.75%), passives
# a4 b4 b7 = 3 (18.75%), detractors a3 a5 b3 b6 c1 c3 = 6 (37.5%); eNPS 6.25;
# variance (0.4375 + 0.375 - 0.0625²) / 16 = 0.80859375 / 16 = 0.050537109375,
# se 100 √0.050537109375 = 22.4804602614, interval 6.25 ± 1.96 se =
# -37.8117021204 .. 50.3117021204.
# B: 7 answers, promoters b1 b2 b5 = 3/7, passives b4 b7 = 2/7, detractors b3
# b6 = 2/7: eNPS 100/7 = 14.2857142857; variance (5/7 - 1/49) / 7 = 34/343,
# se 100 √(34/343) = 31.4841808582, interval 14.2857142857 ± 61.7089944821.
# C (3 < 5) is hidden, and A (6, the next-smallest) with it: 3 hidden < 5.
cat > "$work/hand.want" <<'WANT'
scale,level,group,n,promoters_pct,passives_pct,detractors_pct,enps,ci_low,ci_high,suppressed
recommend,company,,16,43.75,18.75,37.5,6.25,-37.8117021204,50.3117021204,0
recommend,manager,A,6,,,,,,,1
recommend,manager,B,7,42.8571428571,28.5714285714,28.5714285714,14.2857142857,-47.4232801965,75.9947087679,0
recommend,manager,C,3,,,,,,,1
WANT
if cmp -s "$work/hand.want" "$work/hand/enps.csv"; then ok "enps.csv of the hand-counted quarter"
else bad "enps.csv of the hand-counted quarter:"; diff "$work/hand.want" "$work/hand/enps.csv" >&2; fi
# the NPS scale in the other tables, as a 0..10 scale: R's mean 112/16 = 7,
# favourable (promoters) 43.75% in items.csv; B's mean 52/7 in managers.csv
grep -qx 'recommend,R,16,7,[0-9.]*,43.75,' "$work/hand/items.csv" && ok "items.csv: the recommend item" ||
    bad "items.csv: $(grep recommend "$work/hand/items.csv")"
grep -q '^recommend,B,7,7.42857142857,' "$work/hand/managers.csv" && ok "managers.csv: B's mean of R" ||
    bad "managers.csv: $(grep recommend "$work/hand/managers.csv")"
grep -q '"enps.csv"' "$work/hand/manifest.json" && ok "manifest.json lists enps.csv" || bad "manifest.json lacks enps.csv"
# the readable reports: the company's eNPS 6.25 (+6.2 at one decimal, as
# printf rounds to even) and its interval -37.8 .. +50.3, the shares 44 / 19 / 38
tr -s ' \n' '  ' < "$work/hand/report.txt" | grep -q 'recommend: eNPS +6.2 (95% interval -37.8 to +50.3): 44% promoters, 19% passives and 38% detractors (enps.csv).' &&
    ok "report.txt: the company eNPS" || bad "report.txt: $(grep -A1 'recommend:' "$work/hand/report.txt")"
grep -q 'eNPS <strong>+6.2</strong> (95% interval -37.8 to +50.3): 44% promoters' "$work/hand/report.html" &&
    ok "report.html: the company eNPS" || bad "report.html lacks the company eNPS"
if command -v unzip > /dev/null 2>&1; then
    unzip -p "$work/hand/engage.xlsx" xl/workbook.xml | grep -q '<sheet name="enps"' &&
        ok "engage.xlsx: an enps sheet" || bad "engage.xlsx has no enps sheet"
fi
# without a scale of kind nps, no enps.csv
printf '[input]\nformat = canonical\n[scale engagement]\nitems = Q1, Q2, R\nmax = 10\n' > "$work/plain.ini"
"$ENGAGE" run -q -c "$work/plain.ini" -o "$work/plain" "$work/hand.csv"
expect_status 0 $? "engage run without an NPS scale"
[ ! -e "$work/plain/enps.csv" ] && ok "no enps.csv without a scale of kind nps" || bad "enps.csv written without an NPS scale"

# --- (ii) configs that must stop at their line -------------------------------
bad_config() { # TEXT LINE WHAT
    printf '%b' "$1" > "$work/bad.ini"
    "$ENGAGE" run -q -c "$work/bad.ini" -o "$work/bad" "$work/hand.csv" 2> "$work/bad.err"
    st=$?
    if [ "$st" = 78 ] && grep -q "^engage: $work/bad.ini:$2: .*$3" "$work/bad.err"; then ok "$3"
    else bad "config '$1': exit $st, $(cat "$work/bad.err")"; fi
    [ ! -e "$work/bad" ] || bad "an output folder after a config error"
}
bad_config '[input]\nformat = canonical\n[scale r]\nkind = nps\nitems = Q1, R\n' 5 "must have exactly one item"
bad_config '[input]\nformat = canonical\n[scale r]\nkind = nps\nitems = R\nmax = 5\n' 6 "is on 0..10"
bad_config '[input]\nformat = canonical\n[scale r]\nkind = nps\nitems = R\nfavourable = 8\n' 6 "has fixed thresholds"
bad_config '[input]\nformat = canonical\n[scale r]\nkind = nps!\nitems = R\n' 4 "unknown kind"
# an answer outside 0..10 is rejected as on any scale
printf 'respondent_id,manager_id,Q1,Q2,R\nz1,A,3,3,11\n' > "$work/eleven.csv"
cat "$work/hand.csv" > "$work/twelve.csv"; tail -n 1 "$work/eleven.csv" >> "$work/twelve.csv"
"$ENGAGE" run -q -c "$work/hand.ini" -o "$work/twelve" "$work/twelve.csv" 2> /dev/null
st=$?
if [ "$st" = 0 ] && grep -q '^recommend,company,,16,' "$work/twelve/enps.csv" && grep -q 'z1' "$work/twelve/rejects.csv"; then
    ok "an answer of 11 rejected"
else bad "an answer of 11: exit $st"; fi

# --- (iii) a reporting tree with units ---------------------------------------
( cd "$work" && "$GEN" --hierarchy --respondents 4000 --depth 4 --seed 11 --roster roster.csv \
      --config tree.ini -o tree0.csv ) || bad "engage-gen --hierarchy failed"
# R from the answers: round((Q1 + ... + Q5 - 5) / 2), 0..10; empty when Q1 is
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "R"; next }
    { s = 0; for (c = 2; c <= 6; c++) s += ($c == "" ? 3 : $c)
      print $0, ($2 == "" ? "" : int((s - 5) / 2 + 0.5)) }' "$work/tree0.csv" > "$work/tree.csv"
printf '\n[scale recommend]\nkind = nps\nitems = R\n' >> "$work/tree.ini"
"$ENGAGE" run -q -c "$work/tree.ini" -o "$work/tree" "$work/tree.csv"
expect_status 0 $? "engage run of the tree with a recommend item"
out=$work/tree
# company and units counted from the export and the roster: a top's own
# answer has no manager and is rejected; unit = the respondent's unit
problems=$(awk -F, -v OUT="$out/enps.csv" '
    function check(level, g, n, p, d,    key, e, se) {
        key = level SUBSEP g
        if (!(key in row)) { print "no row " level " " g; return }
        split(row[key], f, SUBSEP)
        if (f[1] != n) { print level " " g ": n " f[1] ", counted " n; return }
        if (f[8] == 1) return
        e = 100 * (p - d) / n; se = 100 * sqrt((p / n + d / n - ((p - d) / n) ^ 2) / n)
        if (abs(f[2] - 100 * p / n) > 1e-9 || abs(f[4] - 100 * d / n) > 1e-9 || abs(f[5] - e) > 1e-9 ||
            abs(f[6] - (e - 1.96 * se)) > 1e-9 || abs(f[7] - (e + 1.96 * se)) > 1e-9)
            print level " " g ": " row[key] " counted n " n " p " p " d " d
        checked++
    }
    function abs(x) { return x < 0 ? -x : x }
    FILENAME == OUT { if (FNR > 1 && $1 == "recommend") row[$2, $3] = $4 SUBSEP $5 SUBSEP $6 SUBSEP $7 SUBSEP $8 SUBSEP $9 SUBSEP $10 SUBSEP $11; next }
    FILENAME ~ /roster.csv$/ { if (FNR > 1) { up[$1] = $3; unit[$1] = $6 } next }
    FNR == 1 { next }
    {
        if (up[$1] == $1 || $NF == "") next
        r = $NF; u = unit[up[$1]]
        n[""]++; nu[u]++
        if (r >= 9) { p[""]++; pu[u]++ } else if (r <= 6) { d[""]++; du[u]++ }
    }
    END {
        check("company", "", n[""], p[""], d[""])
        for (u in nu) check("unit", u, nu[u], pu[u], du[u])
        if (checked < 2) print "only " checked " rows checked"
    }' "$out/enps.csv" "$work/roster.csv" "$work/tree.csv")
[ -z "$problems" ] && ok "tree: company and units as counted from the export" || bad "tree: $problems"
# leaders and managers: the shares and suppression of leaders.csv and
# managers.csv on the recommend scale (favourable = promoters, unfavourable
# = detractors), eNPS and the interval by the definition
problems=$(awk -F, '
    function abs(x) { return x < 0 ? -x : x }
    FNR == 1 { next }
    FILENAME ~ /leaders.csv$/ { if ($1 == "recommend" && $2 != "") L[$2] = $11 SUBSEP $18 SUBSEP $20 SUBSEP $21; next }
    FILENAME ~ /managers.csv$/ { if ($1 == "recommend") M[$2] = $3 SUBSEP $10 SUBSEP $22 SUBSEP $12; next }
    $1 == "recommend" && ($2 == "leader" || $2 == "manager") {
        src = $2 == "leader" ? L[$3] : M[$3]
        if (src == "") { print "no source row for " $2 " " $3; next }
        split(src, f, SUBSEP)
        if (f[1] != $4 || f[4] != $11) { print $2 " " $3 ": n/suppressed " $4 "/" $11 " vs " f[1] "/" f[4]; next }
        if ($11 == 1) { if ($5 $6 $7 $8 $9 $10 != "") print $2 " " $3 ": hidden with figures"; hidden[$2]++; next }
        n = $4; p = f[2] / 100; d = f[3] / 100; e = 100 * (p - d); se = 100 * sqrt((p + d - (p - d) ^ 2) / n)
        if (abs($5 - f[2]) > 1e-8 || abs($7 - f[3]) > 1e-8 || abs($5 + $6 + $7 - 100) > 1e-8 ||
            abs($8 - e) > 1e-8 || abs($9 - (e - 1.96 * se)) > 1e-8 || abs($10 - (e + 1.96 * se)) > 1e-8)
            print $2 " " $3 ": " $0
        shown[$2]++
        if (prev_level == $2 && !(prev < $3)) print "order: " prev " before " $3
        prev_level = $2; prev = $3
    }
    END { if (!shown["leader"] || !shown["manager"] || !hidden["manager"])
              print "shown leaders " shown["leader"] ", managers " shown["manager"] ", hidden managers " hidden["manager"] }
' "$out/leaders.csv" "$out/managers.csv" "$out/enps.csv")
[ -z "$problems" ] && ok "tree: leaders and managers as leaders.csv and managers.csv share them" || bad "tree: $problems"
levels=$(awk -F, 'NR > 1 && $1 == "recommend" { if ($2 != last) printf "%s ", $2; last = $2 }' "$out/enps.csv")
[ "$levels" = "company unit leader manager " ] && ok "levels in order" || bad "levels: $levels"

# --- (iv) engage-gen --waves: the truth recovered ---------------------------
# 4 waves of 300 teams of 20 (drift sd 0.2 per wave, turnover 0.15, the
# default weights 1.5, 1, 0.5, 0, 0, 0); engage reads each wave alone
# (a config without [waves]).
mkdir "$work/waves"
( cd "$work/waves" && "$GEN" --waves 4 --respondents 6000 --team-size 20 --seed 5 --drift 0.2 --turnover 0.15 \
      --missing 0.02 --truth truth.csv --config waves.ini -o q.csv ) || bad "engage-gen --waves failed"
w=$work/waves
[ -s "$w/q-w1.csv" ] && [ -s "$w/q-w4.csv" ] && [ ! -e "$w/q-w5.csv" ] && ok "four wave files" || bad "wave files: $(ls "$w")"
sed -n '/^\[waves\]/,$p' "$w/waves.ini" | tr '\n' ' ' | grep -qx '\[waves\] wave1 = q-w1.csv wave2 = q-w2.csv wave3 = q-w3.csv wave4 = q-w4.csv ' &&
    ok "[waves] lists the waves in order" || bad "[waves]: $(sed -n '/^\[waves\]/,$p' "$w/waves.ini")"
grep -A2 '^\[scale recommend\]' "$w/waves.ini" | tr '\n' ' ' | grep -q 'kind = nps items = R' &&
    ok "[scale recommend] kind = nps" || bad "no [scale recommend] of kind nps"
head -n 1 "$w/q-w2.csv" | grep -qx 'respondent_id,manager_id,Q1,Q2,Q3,Q4,Q5,Q6,R' && ok "the recommend column" ||
    bad "header $(head -n 1 "$w/q-w2.csv")"
sed '/^\[waves\]/,$d' "$w/waves.ini" > "$w/one.ini"
for k in 1 2 3 4; do
    "$ENGAGE" run -q -c "$w/one.ini" -o "$w/out$k" "$w/q-w$k.csv" || bad "engage run of wave $k"
done
# the company eNPS of each wave as the generator counted its answers
problems=$(awk -F, 'FILENAME ~ /truth.csv$/ { if ($1 == "enps") { n[$2] = $6; e[$2] = $7 } next }
    FNR == 1 { k++; next }
    $1 == "recommend" && $2 == "company" { got++; if ($4 != n[k] || ($8 - e[k]) ^ 2 > 1e-18) print "wave " k ": " $4 " " $8 ", truth " n[k] " " e[k] }
    END { if (got != 4) print got " company rows" }' "$w/truth.csv" "$w"/out[1234]/enps.csv)
[ -z "$problems" ] && ok "each wave's company eNPS as the truth file gives it" || bad "eNPS: $problems"
# managers: each wave's managers.csv lists the truth's managers of that
# wave; the share of teams with a new manager per wave near 0.15 (900 draws:
# sd 0.012)
problems=$(awk -F, 'FILENAME ~ /truth.csv$/ { if ($1 == "manager") { team[$2, $4] = $3; has[$2, $4] = 1; of[$2, $3] = $4; teams[$3] = 1 } next }
    FNR == 1 { k++; next }
    $1 == "engagement" { if (!has[k, $2]) print "wave " k ": manager " $2 " not in the truth"; listed[k, $2] = 1 }
    END { for (key in has) if (!listed[key]) { split(key, p, SUBSEP); print "wave " p[1] ": " p[2] " missing" }
          for (t in teams) { nt++; for (k = 2; k <= 4; k++) changed += of[k, t] != of[k - 1, t] }
          r = changed / (3 * nt); if (r < 0.1 || r > 0.2) print "turnover " r }' "$w/truth.csv" "$w"/out[1234]/managers.csv)
[ -z "$problems" ] && ok "managers and turnover as the truth gives them" || bad "managers: $problems"
# drift: per team, (mean in wave 4 - its manager effect) - (the same in wave
# 1), over 3, against the team's true drift: correlation above 0.9, slope
# 0.7 .. 1.05 (answers rounded and clamped to 1..5 shrink it a little)
fit=$(awk -F, 'FILENAME ~ /truth.csv$/ { if ($1 == "drift") d[$3] = $7; if ($1 == "manager") { team[$2, $4] = $3; u[$2, $3] = $7 } next }
    FNR == 1 { k++; next }
    $1 == "engagement" { m[k, team[k, $2]] = $4 }
    END { for (t in d) { x = d[t]; y = ((m[4, t] - u[4, t]) - (m[1, t] - u[1, t])) / 3
              n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y }
          c = sxy / n - sx * sy / n / n; vx = sxx / n - sx * sx / n / n; vy = syy / n - sy * sy / n / n
          printf "%.4f %.4f", c / sqrt(vx * vy), c / vx }' "$w/truth.csv" "$w"/out[1234]/managers.csv)
echo "$fit" | awk '{ exit !($1 > 0.9 && $2 > 0.7 && $2 < 1.05) }' && ok "drift recovered (r, slope: $fit)" ||
    bad "drift: r, slope $fit"
# the recommend item's weights: least squares of R on Q1..Q6 (Q6 reversed
# back) over wave 1's complete rows; rounding R and clamping it to 0..10
# shrink every weight alike, to about 0.85: each within 25% of its weight,
# the zero weights below 0.1
cat > "$w/ols.awk" <<'AWK'
# OLS of R on 1, Q1..Qk (the last reverse-coded back: 6 - Qk) over the
# complete rows; prints "Qj coefficient" per item
BEGIN { FS = "," }
NR == 1 { k = NF - 3; next }
{
    for (c = 1; c <= NF; c++) if ($c == "") next
    x[0] = 1
    for (j = 1; j <= k; j++) x[j] = (j == k ? 6 - $(j + 2) : $(j + 2))
    y = $NF
    for (a = 0; a <= k; a++) { b_[a] += x[a] * y; for (b = 0; b <= k; b++) A[a, b] += x[a] * x[b] }
}
END {
    p = k + 1
    for (i = 0; i < p; i++) {
        piv = i
        for (r = i + 1; r < p; r++) if ((A[r, i] < 0 ? -A[r, i] : A[r, i]) > (A[piv, i] < 0 ? -A[piv, i] : A[piv, i])) piv = r
        for (c = 0; c < p; c++) { t = A[i, c]; A[i, c] = A[piv, c]; A[piv, c] = t }
        t = b_[i]; b_[i] = b_[piv]; b_[piv] = t
        for (r = 0; r < p; r++) if (r != i) {
            f = A[r, i] / A[i, i]
            for (c = 0; c < p; c++) A[r, c] -= f * A[i, c]
            b_[r] -= f * b_[i]
        }
    }
    for (j = 1; j <= k; j++) printf "Q%d %.6f\n", j, b_[j] / A[j, j]
}
AWK
problems=$(awk -f "$w/ols.awk" "$w/q-w1.csv" | awk 'FILENAME == ARGV[1] { if ($0 ~ /^weight,/) { split($0, f, ","); want[f[5]] = f[7] } next }
    { got = $2; wt = want[$1]
      if (wt == 0 ? (got > 0.1 || got < -0.1) : (got / wt < 0.75 || got / wt > 1.25)) print $1 " " got " for " wt
      seen++ }
    END { if (seen != 6) print seen " weights" }' "$w/truth.csv" -)
[ -z "$problems" ] && ok "the recommend item's weights recovered" || bad "weights: $problems"
# the same waves as one history, through the [waves] section the generator
# wrote: trend.csv's company rows give each wave's n and mean of the
# engagement scores as awk works them out from the files (mean of the
# answered items, Q6 reversed, at least 3 of 6 answered), and the history's
# enps.csv is the last wave's alone
"$ENGAGE" run -q -c "$w/waves.ini" -o "$w/history" || bad "engage run of the generated [waves]"
problems=$(for k in 1 2 3 4; do
    awk -F, -v k=$k 'NR > 1 { s = 0; c = 0
            for (j = 3; j <= 8; j++) if ($j != "") { s += (j == 8 ? 6 - $j : $j); c++ }
            if (c >= 3) { n++; sum += s / c } }
        END { printf "wave%d %d %.10f\n", k, n, sum / n }' "$w/q-w$k.csv"
done | awk -F'[ ,]' 'FILENAME == "-" { n[$1] = $2; m[$1] = $3; next }
    $1 == "engagement" && $2 == "company" { got++
        if ($5 != n[$4] || ($6 - m[$4]) ^ 2 > 1e-16) print $4 ": " $5 " " $6 ", by hand " n[$4] " " m[$4] }
    END { if (got != 4) print got " company rows" }' - "$w/history/trend.csv")
[ -z "$problems" ] && ok "the generated history: trend.csv's company rows as counted by hand" || bad "trend: $problems"
cmp -s "$w/history/enps.csv" "$w/out4/enps.csv" && ok "the history's enps.csv is the last wave's" ||
    bad "history enps.csv differs from wave 4's"
# usage errors
"$GEN" --waves 3 --hierarchy --roster "$w/r.csv" -o "$w/x.csv" 2> /dev/null
expect_status 64 $? "--waves with --hierarchy"
"$GEN" --drift 0.3 -o "$w/x.csv" 2> /dev/null
expect_status 64 $? "--drift without --waves"
"$GEN" --waves 3 2> /dev/null
expect_status 64 $? "--waves without -o"
"$GEN" --waves 2 --weights 1,x -o "$w/x.csv" 2> /dev/null
expect_status 64 $? "--weights not numbers"

finish
