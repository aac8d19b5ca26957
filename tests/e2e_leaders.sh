#!/bin/sh
# End-to-end tests of leaders.csv and scales.csv on trees from engage-gen
# --hierarchy: every leader's counts (org_managers, team_managers, invited,
# responded, n) and mean against an independent computation from the roster
# and the export alone; and the subtraction attack over the published
# counts: no shown org minus what is shown inside it (its shown team, and
# for each report its org when shown, else what is shown inside that) leaves
# 1 to min_group-1 people, nor does the company minus its shown leaders.
#   usage: tests/e2e_leaders.sh ENGAGE GEN
suite=e2e_leaders
ENGAGE=$1
GEN=$2
. "$(dirname "$0")/e2e_lib.sh"

# check_sums ROSTER EXPORT LEADERS: prints each row that disagrees.  A top's
# own response is rejected (no manager); everyone else counts in each
# ancestor of theirs.
check_sums() {
    gzip -dc "$2" | awk -F, '
        function top(e) { return up[e] == e }
        FILENAME == ARGV[1] {
            if (FNR == 1) next
            up[$1] = $3; invited[$1] = ($7 == "yes"); people[++np] = $1
            if ($3 != $1) manages[$3] = 1
            next
        }
        FILENAME == "-" {
            if (FNR == 1) { k = NF - 1; next }
            if (top($1)) next
            responded[$1] = 1
            answered = 0; sum = 0
            for (i = 2; i <= NF; i++) if ($i != "") { answered++; sum += (i == NF ? 6 - $i : $i) }
            if (answered / k < 0.5) next
            score = sum / answered; n[""]++; s[""] += score
            for (m = up[$1]; ; m = up[m]) { n[m]++; s[m] += score; if (top(m)) break }
            next
        }
        FNR == 1 {
            for (i = 1; i <= np; i++) {
                e = people[i]; r = invited[e] && (e in responded)
                wi[""] += invited[e]; wr[""] += r; om[""] += (e in manages)
                if (top(e)) { tm[""] += (e in manages); continue }
                if (e in manages) tm[up[e]]++
                for (m = up[e]; ; m = up[m]) { wi[m] += invited[e]; wr[m] += r; om[m] += (e in manages); if (top(m)) break }
            }
            next
        }
        {
            id = $2
            if ($6 != tm[id] + 0) print id ": team_managers " $6 ", want " tm[id] + 0
            if ($7 != om[id] + 0) print id ": org_managers " $7 ", want " om[id] + 0
            if ($8 != wi[id] + 0) print id ": invited " $8 ", want " wi[id] + 0
            if ($9 != wr[id] + 0) print id ": responded " $9 ", want " wr[id] + 0
            if ($11 != n[id] + 0) print id ": n " $11 ", want " n[id] + 0
            if ($21 == 0 && n[id] > 0) {
                d = $12 * n[id] - s[id]; if (d < 0) d = -d
                if (d > 1e-6 * s[id]) print id ": mean " $12 ", want " s[id] / n[id]
            }
            rows++
        }
        END { if (rows < 20) print "only " rows " rows" }' "$1" - "$3"
}

# check_cells ROSTER MANAGERS LEADERS K: prints each shown org whose cell is 1..K-1.
check_cells() {
    awk -F, -v k="$4" '
        function covered(v,    c, i, got) {
            if (org_shown[v]) return org_n[v]
            got = team_shown[v] ? team_n[v] : 0
            for (i = 1; i <= nkids[v]; i++) got += covered(kid[v, i])
            return got
        }
        FILENAME == ARGV[1] {
            if (FNR == 1) next
            if ($3 == $1) tops[++ntops] = $1; else { kid[$3, ++nkids[$3]] = $1 }
            next
        }
        FILENAME == ARGV[2] { if (FNR > 1) { team_n[$2] = $3; team_shown[$2] = ($12 == 0) } next }
        FNR == 1 { next }
        $2 == "" { company = $11; company_shown = ($21 == 0); next }
        { org_n[$2] = $11; org_shown[$2] = ($21 == 0); leaders[$2] = 1 }
        END {
            for (v in leaders) {
                if (!org_shown[v]) continue
                cell = org_n[v] - (team_shown[v] ? team_n[v] : 0)
                for (i = 1; i <= nkids[v]; i++) cell -= covered(kid[v, i])
                if (cell > 0 && cell < k) print "org " v ": " cell " people left"
                checked++
            }
            if (company_shown) {
                cell = company
                for (i = 1; i <= ntops; i++) cell -= covered(tops[i])
                if (cell > 0 && cell < k) print "company: " cell " people left"
            }
            if (checked < 10) print "only " checked " shown orgs"
        }' "$1" "$2" "$3"
}

# ranked_leaders LEADERS: the shown leaders of the top two levels of
# leaders.csv (one scale) as report.txt and report.html list them, by mean
# (highest first; ties: leader_id byte order), one a line:
# name TAB parent's name TAB n TAB response_rate TAB mean TAB favourable_pct
# TAB neutral_pct TAB unfavourable_pct (a name: the id when it has none).
ranked_leaders() {
    LC_ALL=C awk "$CSV_SPLIT_AWK"'
        FNR == 1 { next }
        { split_csv($0, f) }
        FNR == NR { name[f[2]] = f[3] != "" ? f[3] : f[2]; next }
        f[5] >= 1 && f[5] <= 2 && f[21] == 0 {
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[12], f[2], name[f[2]],
                f[4] == "" ? "" : name[f[4]], f[11], f[10], f[12], f[18], f[19], f[20]
        }' "$1" "$1" | LC_ALL=C sort -t "$(printf '\t')" -k1,1gr -k2,2 | cut -f 3-
}

# section_rows REPORT: the rows of report.txt's leaders table, as
# ranked_leaders gives them (the rate's "%", the interval dropped).
section_rows() {
    awk '
        /^  leader +(reports to +)?n +rate +mean +95% CI +fav neu unf$/ { inside = 1; next }
        inside && !/^  [^ ]/ { inside = 0 }
        inside && /^  \.\.\. and / { inside = 0 }
        inside {
            line = $0
            unf = $NF; neu = $(NF - 1); fav = $(NF - 2); mean = $(NF - 5); rate = $(NF - 6); n = $(NF - 7)
            sub(/ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ *$/, "", line)
            k = split(line, part, /  +/)
            sub(/%$/, "", rate)
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", part[2], (k > 2 ? part[3] : ""), n, rate, mean, fav, neu, unf
        }' "$1"
}

# page_rows REPORT_HTML: the rows of report.html's leaders table, likewise
# (without a "reports to" column, the parent empty).
page_rows() {
    tab=$(printf '\t')
    parents=$(grep -c '<th class="t" scope="col">reports to</th>' "$1")
    sed -n '/<h3>Leaders<\/h3>/,/<\/table>/p' "$1" | grep '^<tr><td class="t">' |
        sed -e 's|^<tr><td class="t">||' -e 's|</td></tr>$||' -e "s|</td><td[^>]*>|$tab|g" \
            -e 's|&#39;|'"'"'|g' -e 's|&quot;|"|g' -e 's|&lt;|<|g' -e 's|&gt;|>|g' -e 's|&amp;|\&|g' -e 's|%||g' |
        awk -F "$tab" -v OFS="$tab" -v parents="$parents" '
            parents > 0 { print $1, $2, $3, $4, $5, $7, $8, $9; next }
            { print $1, "", $2, $3, $4, $6, $7, $8 }'
}

# same_rows WANT GOT: prints each row of GOT that is not WANT's row of the
# same place: names equal (a name cut with "..." its start), n and the
# rate's dash equal, the figures within their printed rounding.
same_rows() {
    awk -F '\t' '
        function cut_ok(got, want) {
            if (got == want) return 1
            return got ~ /\.\.\.$/ && index(want, substr(got, 1, length(got) - 3)) == 1
        }
        function near(got, want, half) {
            if (want == "") return got == "n/a" || got == "\342\200\224"
            return got != "" && got - want <= half + 1e-9 && want - got <= half + 1e-9
        }
        FNR == NR { want[++nw] = $0; next }
        {
            if (!(FNR in want)) { print "row " FNR " is not a shown leader: " $0; next }
            split(want[FNR], w, "\t")
            if (!cut_ok($1, w[1]) || !cut_ok($2, w[2]) || $3 != w[3] || !near($4, w[4], 0.5) ||
                !near($5, w[5], 0.005) || !near($6, w[6], 0.5) || !near($7, w[7], 0.5) || !near($8, w[8], 0.5))
                print "row " FNR ": " $0 " / leaders.csv: " want[FNR]
        }' "$1" "$2"
}

# check_sections OUT K NAME: report.txt's and report.html's leaders tables
# are leaders.csv's shown leaders of the top two levels, ranked, at most 40,
# then a count of the rest; the hidden ones are counted by reason.
check_sections() {
    ranked_leaders "$1/leaders.csv" > "$work/want"
    head -n 40 "$work/want" > "$work/want40"
    shown=$(wc -l < "$work/want")
    [ "$shown" -ge 3 ] && ok || bad "$3: only $shown shown leaders in the top two levels"
    for kind in txt html; do
        if [ $kind = txt ]; then section_rows "$1/report.txt"; else page_rows "$1/report.html"; fi > "$work/got"
        rows=$(wc -l < "$work/got")
        [ "$rows" = "$(wc -l < "$work/want40")" ] && ok "$3: report.$kind lists $rows leaders" ||
            bad "$3: report.$kind lists $rows leaders, leaders.csv shows $shown in the top two levels"
        problems=$(same_rows "$work/want40" "$work/got" | head -3)
        [ -z "$problems" ] && ok "$3: report.$kind's leaders are leaders.csv's shown ones, ranked" ||
            bad "$3: report.$kind: $problems"
        more=$((shown - 40))
        if [ $more -gt 0 ]; then
            tr '\n' ' ' < "$1/report.$kind" | grep -q "and $more more in leaders.csv\." &&
                ok "$3: report.$kind counts the $more more" || bad "$3: report.$kind does not count the $more more"
        fi
        for reason in primary secondary; do
            hidden=$(awk -F, -v k="$2" -v reason=$reason 'NR > 1 && $5 >= 1 && $5 <= 2 && $21 == 1 &&
                     (reason == "primary") == ($11 < k)' "$1/leaders.csv" | wc -l)
            if [ $reason = primary ]; then prefix="Not shown:"; else prefix="Also not shown:"; fi
            if [ "$hidden" -gt 0 ]; then
                tr '\n' ' ' < "$1/report.$kind" | grep -q "$prefix $hidden organisations\? of the top two levels" &&
                    ok || bad "$3: report.$kind does not say '$prefix $hidden organisations'"
            elif tr '\n' ' ' < "$1/report.$kind" | grep -q "$prefix [0-9]* organisations\? of the top two levels"; then
                bad "$3: report.$kind counts hidden organisations ($reason) where leaders.csv has none"
            else
                ok
            fi
        done
    done
}

for case in "3000 4 7 0.85" "4000 6 3 0.6" "2500 7 5 0.5" "10000 4 9 0.85"; do
    set -- $case
    name="$1 respondents, depth $2, response $4"
    "$GEN" --hierarchy --respondents "$1" --depth "$2" --seed "$3" --response "$4" --roster "$work/r$3.csv" \
        --config "$work/c$3.ini" -o "$work/s$3.csv.gz"
    expect_status 0 $? "$name: engage-gen"
    printf 'name = name\ninvited = invited\n' >> "$work/c$3.ini"   # [roster] is the config's last section
    "$ENGAGE" run -q -c "$work/c$3.ini" -o "$work/out$3" "$work/s$3.csv.gz"
    expect_status 0 $? "$name: engage run"
    out=$work/out$3
    if [ "$(head -1 "$out/leaders.csv")" = "scale,leader_id,name,parent_id,depth,team_managers,org_managers,invited,responded,response_rate,n,mean,sd,se,ci_low,ci_high,median,favourable_pct,neutral_pct,unfavourable_pct,suppressed" ]
    then ok "$name: leaders.csv header"; else bad "$name: leaders.csv header $(head -1 "$out/leaders.csv")"; fi
    problems=$(check_sums "$work/r$3.csv" "$work/s$3.csv.gz" "$out/leaders.csv" | head -5)
    [ -z "$problems" ] && ok "$name: leaders.csv counts and means as the roster and export give them" \
        || bad "$name: leaders.csv: $problems"
    problems=$(check_cells "$work/r$3.csv" "$out/managers.csv" "$out/leaders.csv" 5 | head -5)
    [ -z "$problems" ] && ok "$name: no subtraction over the tree isolates 1 to 4 people" || bad "$name: $problems"
    hidden=$(awk -F, 'NR > 1 && $2 != "" && $21 == 1 && $11 >= 5' "$out/leaders.csv" | wc -l)
    [ "$hidden" -gt 0 ] && ok "$name: $hidden orgs of 5 or more hidden by the tree rule" \
        || bad "$name: no org of 5 or more hidden: the tree rule was not exercised"
    sheets=$(unzip -p "$out/engage.xlsx" xl/workbook.xml | grep -o 'sheet name="[a-z]*"' | tr '\n' ' ')
    case $sheets in *'"leaders"'*'"scales"'*) ok "$name: leaders and scales sheets" ;; *) bad "$name: sheets $sheets" ;; esac
    grep -q '"leaders.csv"' "$out/manifest.json" && grep -q '"scales.csv"' "$out/manifest.json" &&
        ok "$name: manifest.json lists leaders.csv and scales.csv" || bad "$name: manifest.json lacks leaders.csv or scales.csv"
    check_sections "$out" 5 "$name"
    # every employee id the readable reports name is a shown team's manager or a shown org's leader
    { awk -F, 'NR > 1 && $12 == 0 { print $2 }' "$out/managers.csv"
      awk -F, 'NR > 1 && $21 == 0 && $2 != "" { print $2 }' "$out/leaders.csv"; } | sort -u > "$work/shown-ids"
    named=$(cat "$out/report.html" "$out/report.txt" | grep -o 'E[0-9]\{7\}' | sort -u)
    stray=$(echo "$named" | comm -23 - "$work/shown-ids" | head -n 3)
    [ -n "$named" ] && [ -z "$stray" ] && ok "$name: the $(echo "$named" | wc -l) ids report.html and report.txt name are all shown groups'" ||
        bad "$name: report.html or report.txt names hidden groups: $stray"
    xmllint --noout "$out/report.html" 2> "$work/xml.err" && ok "$name: report.html is well-formed" ||
        bad "$name: report.html: $(head -n 3 "$work/xml.err")"
    # scales.csv: the company row of leaders.csv
    want=$(awk -F, 'NR > 1 && $2 == "" { print $1 "," $11 "," $8 "," $10 "," $12 "," $13 "," $18 "," $19 "," $20 }' "$out/leaders.csv")
    got=$(awk -F, 'NR > 1 { print $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 }' "$out/scales.csv")
    [ -n "$want" ] && [ "$want" = "$got" ] && ok "$name: scales.csv is the company's row" \
        || bad "$name: scales.csv '$got', leaders.csv's company '$want'"
done

# --- a roster that lists no manager: every leader a top, no "reports to" -------
"$ENGAGE" run -q -c datasets/sample-quarter-googleforms.ini -o "$work/tops" datasets/sample-quarter-googleforms.csv.gz
expect_status 0 $? "engage run of the Google Forms sample with its roster"
check_sections "$work/tops" 5 "tops only"
grep -q '^  leader  *n  *rate  *mean' "$work/tops/report.txt" && ! grep -q 'reports to' "$work/tops/report.txt" &&
    ! grep -q '>reports to<' "$work/tops/report.html" && ok "tops only: no reports-to column" ||
    bad "tops only: a reports-to column where every leader is a top"

# --- without a roster: scales.csv, and no leaders.csv --------------------------
"$ENGAGE" run -q -o "$work/flat" datasets/sample-quarter.csv.gz
expect_status 0 $? "engage run without a roster"
[ ! -e "$work/flat/leaders.csv" ] && ok "no leaders.csv without a tree" || bad "leaders.csv without a tree"
rows=$(awk -F, 'NR > 1 && $3 == "" && $4 == "" && $2 > 0 && $5 != ""' "$work/flat/scales.csv" | wc -l)
[ "$rows" = 1 ] && ok "scales.csv without a roster: no invited, figures shown" || bad "scales.csv: $(cat "$work/flat/scales.csv")"

# --- the first screen ("At a glance") against the CSVs and the exports ----------
# check_glance OUTDIR ROSTER EXPORT [PREVIOUS]: report.txt's first screen says
# scales.csv's favourable, neutral and unfavourable shares, the company's
# response rate (leaders.csv), items.csv's strongest and weakest items, the
# nested split of variance.csv and managers.csv's count of shown teams that
# stand out; with PREVIOUS, the change of the favourable share as counted here
# from both exports (answers >= 4 after reverse coding Q6 over the answered
# items of respondents with half their items answered, tops' rows aside).
favourable_of() {
    gzip -dc "$2" | awk -F, 'NR == FNR { if (FNR > 1) up[$1] = $3; next }
        FNR == 1 { k = NF - 1; next }
        {
            if (!($1 in up) || up[$1] == $1) next
            a = 0; f = 0
            for (i = 2; i <= NF; i++) if ($i != "") { a++; v = $i; if (i == NF) v = 6 - v; if (v >= 4) f++ }
            if (a / k >= 0.5) { A += a; F += f }
        }
        END { printf "%.6f\n", 100 * F / A }' "$1" -
}
check_glance() {
    out=$1
    glance=$(sed -n '/^At a glance$/,/^Scale: /p' "$out/report.txt" | tr '\n' ' ' | tr -s ' ')
    want=$(awk -F, 'NR == 2 { printf "engagement: %.0f%% of answers favourable, %.0f%% neutral and %.0f%% unfavourable.", $7, $8, $9 }' "$out/scales.csv")
    case $glance in *"$want"*) ok "$4: the first screen's shares are scales.csv's" ;; *) bad "$4: '$want' not in '$glance'" ;; esac
    want=$(awk -F, 'NR > 1 && $2 == "" { printf "%d of %d invited responded (%.0f%%).", $9, $8, 100 * $9 / $8 }' "$out/leaders.csv")
    case $glance in *"$want"*) ok "$4: the response rate is leaders.csv's company row" ;; *) bad "$4: '$want' not in '$glance'" ;; esac
    want=$(awk -F, 'NR > 1 { print $6 "\t" NR "\t" $2 }' "$out/items.csv" | sort -t "$(printf '\t')" -k1,1gr -k2,2n |
           awk -F'\t' '{ name[NR] = $3; fav[NR] = $1 } END { e = int(NR / 2); if (e > 3) e = 3
               s = "Strongest items:"; for (i = 1; i <= e; i++) s = s (i == 1 ? " " : i == e ? " and " : ", ") name[i] " (" (name[i] == "Q6" ? "reversed, " : "") sprintf("%.0f", fav[i]) "%)"
               w = "Weakest items:"; for (i = 1; i <= e; i++) { j = NR + 1 - i; w = w (i == 1 ? " " : i == e ? " and " : ", ") name[j] " (" (name[j] == "Q6" ? "reversed, " : "") sprintf("%.0f", fav[j]) "%)" }
               print s ". " w "." }')
    case $glance in *"$want"*) ok "$4: the strongest and weakest items are items.csv's" ;; *) bad "$4: '$want' not in '$glance'" ;; esac
    teams=$(awk -F, 'NR > 1 && $12 == 0 && $17 != ""' "$out/managers.csv" | wc -l)
    want=$(awk -F, -v t="$teams" 'NR == 2 { printf "%.0f%% lie between units and %.0f%% between managers within them; %d team%s out", 100 * $26, 100 * $27, t, t == 1 ? " stands" : "s stand" }' "$out/variance.csv")
    case $glance in *"$want"*) ok "$4: the split and the $teams stand-outs" ;; *) bad "$4: '$want' not in '$glance'" ;; esac
    if [ -n "${5:-}" ]; then
        change=$(awk -v a="$(favourable_of "$2" "$3")" -v b="$(favourable_of "$2" "$5")" 'BEGIN { d = a - b; printf "%s%.1f", (d > 0 ? "+" : ""), d }')
        case $glance in *"Since the previous wave: $change points favourable"*) ok "$4: the change of $change points" ;;
        *) bad "$4: 'Since the previous wave: $change points favourable' not in '$glance'" ;; esac
    fi
}
"$GEN" --hierarchy --respondents 3000 --depth 4 --seed 7 --response 0.85 --roster "$work/glance-r.csv" \
    --config "$work/glance.ini" -o "$work/glance.csv.gz" &&
"$GEN" --hierarchy --respondents 2900 --depth 4 --seed 8 --mu 3.4 --response 0.85 --roster "$work/glance-r8.csv" \
    -o "$work/glance-prev.csv.gz"
expect_status 0 $? "first screen: engage-gen"
printf 'invited = invited\n' >> "$work/glance.ini"
printf '\n[report]\nunit_depth = 2\n' >> "$work/glance.ini"
sed -i '/^unit = /d' "$work/glance.ini"
"$ENGAGE" run -q -c "$work/glance.ini" -o "$work/glance-out" "$work/glance.csv.gz"
expect_status 0 $? "first screen: engage run"
check_glance "$work/glance-out" "$work/glance-r.csv" "$work/glance.csv.gz" "first screen"
"$ENGAGE" run -q -c "$work/glance.ini" --previous "$work/glance-prev.csv.gz" -o "$work/glance-waves" "$work/glance.csv.gz"
expect_status 0 $? "first screen with a previous wave: engage run"
check_glance "$work/glance-waves" "$work/glance-r.csv" "$work/glance.csv.gz" "first screen, two waves" "$work/glance-prev.csv.gz"
grep -q '<section id="glance">' "$work/glance-waves/report.html" && ok "report.html opens with the first screen" ||
    bad "report.html has no first screen"

finish
