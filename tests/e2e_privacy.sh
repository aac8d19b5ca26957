#!/bin/sh
# tests/e2e_privacy.sh ENGAGE GEN — the subtraction attack on published tables.
#
# Runs (i) the sample quarter and (ii) a generated Google Forms quarter with
# a roster of many small teams and units (min_group 10, units split finely,
# some managers without a unit) and a previous wave, then attacks every
# published table by subtraction.  For each scale and level, with the
# published groups below a published total: hidden n = total n - sum of the
# shown n, hidden sum = total mean*n - sum of the shown mean*n.  Fails when
# a nonzero hidden n is below min_group.  Levels: company -> managers.csv;
# company -> units.csv; each shown unit -> its managers published anywhere
# (managers.csv, or changes.csv's current mean); company -> shown units and
# the published managers of hidden units; company -> changes.csv (this
# wave); company -> managers.csv and changes.csv together; previous wave's
# company -> changes.csv's previous means; previous <-> current per manager
# (a shown change row has both waves >= min_group, a hidden one no figure).
# report.txt shows no figure that the CSVs do not (its unit and manager
# rows repeat managers.csv and units.csv), so the CSVs are what is attacked.
# The company total is everyone scored (managers.csv's n, hidden rows
# included) with the company mean over everyone (variance.csv's
# company_mean with a previous wave, else the mean of the item means).
# variance.csv's decomposition itself must count exactly the shown teams'
# respondents (so that no hidden team enters it); tests/e2e_algebra.sh
# attacks it, and every other figure, with algebra.
ENGAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# attack OUTDIR MIN_GROUP [ROSTER]: prints one line per check
attack() {
    out=$1 k=$2 roster=${3:-/dev/null}
    units=$out/units.csv; [ -e "$units" ] || units=/dev/null
    changes=$out/changes.csv; [ -e "$changes" ] || changes=/dev/null
    awk -F, -v k="$k" -v VAR="$out/variance.csv" -v MGR="$out/managers.csv" -v UNI="$units" \
        -v ITM="$out/items.csv" \
        -v CHG="$changes" -v ROS="$roster" -v label="$(basename "$out")" '
    FNR == 1 { next }
    FILENAME == ROS { unit_of[$2] = $3; next }
    FILENAME == ITM { isum[$1] += $(NF - 3); icount[$1]++; next }  # item names may hold commas
    FILENAME == VAR { scale[$1] = 1; VN[$1] = $2; VJ[$1] = $3; VG[$1] = $4; VPN[$1] = $28
                      TP[$1] = $39; TPM[$1] = $40; CM[$1] = $42; next }
    FILENAME == MGR { if ($12 == 0) { inM[$1, $2] = 1; mean[$1, $2] = $4; shownN[$1] += $3; shownJ[$1]++ }
                      n[$1, $2] = $3; T[$1] += $3
                      mgrs[$1] = mgrs[$1] SUBSEP $2; next }
    FILENAME == UNI { have_units = 1; un[$1, $2] = $4; if ($13 == 0) { uShown[$1, $2] = 1; umean[$1, $2] = $5 }
                      ulist[$1] = ulist[$1] SUBSEP $2; next }
    FILENAME == CHG { have_changes = 1
                      if ($11 == 0) { inC[$1, $2] = 1; cmean[$1, $2] = $6; pmean[$1, $2] = $4
                                      if ($3 < k || $5 < k) bad_row[$1]++ }
                      else if ($4 != "" || $6 != "") bad_row[$1]++
                      np[$1, $2] = $3; cn[$1, $2] = $5; clist[$1] = clist[$1] SUBSEP $2; rows[$1]++; next }
    function check(what, tn, tsum, sn, ssum,    h) {
        h = tn - sn
        printf "%s %s: %s: hidden n %d, hidden sum %.6g: %s\n", label, s, what, h, tsum - ssum,
               (h > 0 && h < k) ? "REVEALED" : "ok"
        if (h > 0 && h < k) failed = 1
        checks++
    }
    END {
        for (s in scale) {
            if (VG[s] == "" && VJ[s] + 0 > 0) { printf "%s %s: scale suppressed, no total to subtract from: ok\n", label, s; continue }
            # the decomposition counts the shown teams, and only them
            printf "%s %s: variance.csv counts %d respondents of %d managers, the shown ones %d of %d: %s\n",
                   label, s, VN[s], VJ[s], shownN[s], shownJ[s], (VN[s] == shownN[s] && VJ[s] == shownJ[s]) ? "ok" : "HIDDEN TEAMS IN IT"
            if (VN[s] != shownN[s] || VJ[s] != shownJ[s]) failed = 1
            checks++
            TM = CM[s] != "" ? CM[s] : (icount[s] ? isum[s] / icount[s] : 0)
            tsum = T[s] * TM
            split(mgrs[s], ms, SUBSEP)
            # company -> managers.csv
            sn = ssum = 0
            for (i in ms) if (ms[i] != "" && inM[s, ms[i]]) { sn += n[s, ms[i]]; ssum += n[s, ms[i]] * mean[s, ms[i]] }
            check("company -> managers.csv", T[s], tsum, sn, ssum)
            if (have_units) {
                split(ulist[s], us, SUBSEP)
                sn = ssum = 0
                for (i in us) if (i > 1 && uShown[s, us[i]]) { sn += un[s, us[i]]; ssum += un[s, us[i]] * umean[s, us[i]] }
                check("company -> units.csv", T[s], tsum, sn, ssum)
                # each shown unit -> its published managers; company -> shown units + published managers of hidden units
                worst = -1; nunits = 0
                delete pn; delete psum
                for (i in ms) {
                    m = ms[i]; if (m == "") continue
                    u = unit_of[m]
                    if (!(inM[s, m] || inC[s, m])) continue
                    x = inM[s, m] ? mean[s, m] : cmean[s, m]
                    if (uShown[s, u]) { pn[u] += n[s, m]; psum[u] += n[s, m] * x }
                    else { hn += n[s, m]; hsum += n[s, m] * x }
                }
                for (i in us) {
                    u = us[i]; if (i == 1 || !uShown[s, u]) continue
                    nunits++
                    h = un[s, u] - pn[u]
                    if (h > 0 && h < k) { failed = 1; printf "%s %s: unit \"%s\" -> its managers: hidden n %d: REVEALED\n", label, s, u, h }
                    if (h > 0 && (worst < 0 || h < worst)) worst = h
                }
                printf "%s %s: each shown unit -> its published managers (%d units): smallest nonzero hidden n %s: %s\n",
                       label, s, nunits, worst < 0 ? "none" : worst, (worst > 0 && worst < k) ? "REVEALED" : "ok"
                checks++
                sn = ssum = 0
                for (i in us) if (i > 1 && uShown[s, us[i]]) { sn += un[s, us[i]]; ssum += un[s, us[i]] * umean[s, us[i]] }
                check("company -> shown units + published managers of hidden units", T[s], tsum, sn + hn, ssum + hsum)
                hn = hsum = 0
            }
            if (have_changes) {
                split(clist[s], cs, SUBSEP)
                sn = ssum = 0
                for (i in cs) if (i > 1 && inC[s, cs[i]]) { sn += cn[s, cs[i]]; ssum += cn[s, cs[i]] * cmean[s, cs[i]] }
                check("company -> changes.csv (this wave)", T[s], tsum, sn, ssum)
                sn = ssum = 0
                for (i in ms) { m = ms[i]; if (m == "" || !(inM[s, m] || inC[s, m])) continue
                                x = inM[s, m] ? mean[s, m] : cmean[s, m]; sn += n[s, m]; ssum += n[s, m] * x }
                check("company -> managers.csv + changes.csv (this wave)", T[s], tsum, sn, ssum)
                if (TPM[s] != "") {
                    sn = ssum = 0
                    for (i in cs) if (i > 1 && inC[s, cs[i]]) { sn += np[s, cs[i]]; ssum += np[s, cs[i]] * pmean[s, cs[i]] }
                    check("previous wave company -> changes.csv", TP[s], TP[s] * TPM[s], sn, ssum)
                    printf "%s %s: previous decomposition counts %d respondents, the shown change rows %d: %s\n",
                           label, s, VPN[s], sn, VPN[s] == sn ? "ok" : "HIDDEN TEAMS IN IT"
                    if (VPN[s] != sn) failed = 1
                    checks++
                } else {
                    printf "%s %s: previous wave below min_group, no total: ok\n", label, s
                }
                printf "%s %s: previous <-> current per manager (%d rows): %s\n", label, s, rows[s],
                       bad_row[s] ? "a row shows a wave below min_group or a hidden figure" : "ok"
                if (bad_row[s]) failed = 1
                checks++
            }
        }
        exit failed ? 1 : 0
    }' "$roster" "$out/items.csv" "$out/variance.csv" "$out/managers.csv" "$units" "$changes"
}

# (i) the sample quarter
if "$ENGAGE" run -q -c datasets/sample-quarter.ini -o "$work/sample" datasets/sample-quarter.csv.gz; then
    k=$(sed -n 's/^min_group *= *\([0-9]*\).*/\1/p' datasets/sample-quarter.ini)
    attack "$work/sample" "${k:-5}" || fail=1
else
    echo "FAIL: the sample quarter did not run"; fail=1
fi

# (ii) a generated quarter: many small teams (min_group 10, mean team 7.9) in
# 73 units, managers whose number is a multiple of 11 without a unit
mkdir "$work/gen"
( cd "$work/gen" && "$GEN" --respondents 3000 --items 6 --seed 7 --format googleforms \
      --roster roster0.csv --config quarter.ini -o now.csv.gz ) || { echo "FAIL: engage-gen"; exit 1; }
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next }
         { m = substr($2, 2) + 0; $3 = m % 11 == 0 ? "" : $3 "-" m % 9; print }' \
    "$work/gen/roster0.csv" > "$work/gen/R.csv"
sed -e 's/^file = roster0.csv/file = R.csv/' -e '/^min_group/d' "$work/gen/quarter.ini" > "$work/gen/C.ini"
printf '\n[report]\nmin_group = 10\n' >> "$work/gen/C.ini"
"$GEN" --respondents 2800 --items 6 --seed 8 --format googleforms -o "$work/gen/previous.csv.gz" ||
    { echo "FAIL: engage-gen (previous wave)"; exit 1; }
for run in units waves; do
    set -- "$work/gen/now.csv.gz"
    [ $run = waves ] && set -- --previous "$work/gen/previous.csv.gz" "$@"
    if "$ENGAGE" run -q -c "$work/gen/C.ini" -o "$work/$run" "$@"; then
        [ -e "$work/$run/units.csv" ] || { echo "FAIL: $run: no units.csv"; fail=1; }
        attack "$work/$run" 10 "$work/gen/R.csv" || fail=1
    else
        echo "FAIL: the generated quarter ($run) did not run"; fail=1
    fi
done
small=$(awk -F, 'NR > 1 && $3 > 0 && $3 < 10' "$work/units/managers.csv" | wc -l)
echo "generated quarter: $small teams below min_group; $(awk -F, 'NR > 1 && $13 == 1' "$work/waves/units.csv" | wc -l) of $(($(wc -l < "$work/waves/units.csv") - 1)) units hidden with --previous"

if [ $fail -eq 0 ]; then echo "e2e_privacy: every subtraction hides 0 or at least min_group people"; else echo "e2e_privacy: FAILED"; fi
exit $fail
