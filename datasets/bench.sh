#!/usr/bin/env bash
# bench.sh ENGAGE GEN — how fast and how lean `engage run` is on a large quarter.
#
# Generates once (cached in $BENCH_DIR, default build/bench/) a quarter of
# 1,000,000 respondents x 12 items as gzip with GEN (engage-gen), then times
# `gzip -dc FILE > /dev/null` and `ENGAGE run -c CONFIG -o OUTDIR FILE`,
# $BENCH_REPS times each (default 5), and prints best and median wall seconds,
# peak RSS and the engage/gzip ratio, with PASS/FAIL against the targets:
#   median wall time of engage <= 3 x that of gzip -dc,  peak RSS <= 150 MB,
# for `engage run --no-workbook` (reading, analysis and every output but the
# workbook); the full run with engage.xlsx is timed too and shown beside it:
# compressing a workbook of 125,000 managers (66 MB of sheet XML, deflated by
# libxlsxwriter) takes longer than everything else together.
# Then the same quarter in each survey tool's layout (engage-gen --format,
# cached beside it): bytes, gzip -dc and engage medians, the ratio of engage
# to gzip -dc of that file, that ratio over the canonical file's (target
# <= 1.5: reading a tool's layout costs at most half as much again, per byte
# of text, as reading the canonical one), engage's time over the canonical
# run's (for information: the exports carry 4 to 8 times the bytes), and
# whether variance.csv and managers.csv match the canonical run's.
# Reading and decompressing the input is the floor no reader can go under, so
# the ratio says how much the rest of the work costs on top of it.
#
# It is a report: it exits 0 whatever the figures (1 only when it cannot make
# the input). A missing ENGAGE binary skips its rows with a message.
# Wall time is measured by the shell (EPOCHREALTIME); peak RSS by
# /usr/bin/time -f '%e %M' (MB here = KB / 1024).

set -u
export LC_ALL=C               # EPOCHREALTIME and awk with '.' as decimal point

if [ $# -ne 2 ]; then
    echo "usage: $0 ENGAGE GEN   (paths to the engage and engage-gen binaries)" >&2
    exit 64
fi
engage=$1
gen=$2
dir=${BENCH_DIR:-build/bench}
reps=${BENCH_REPS:-5}
respondents=1000000
items=12
data=$dir/quarter-1m.csv.gz
config=$dir/quarter-1m.ini
info=$dir/quarter-1m.info
gen_args=(--respondents "$respondents" --items "$items" --seed 1 --level 6)
target_ratio=3
target_rss_mb=150
target_layout=1.5             # a survey tool's layout: its engage/gzip ratio <= 1.5 x the canonical one

mkdir -p "$dir" || exit 1

# ---- the input, made once -------------------------------------------------
# Regenerated when missing, made with other arguments, or older than GEN.
stamp="engage-gen ${gen_args[*]}"
if [ ! -s "$data" ] || [ ! -s "$config" ] || [ ! -s "$info" ] \
   || [ "$(head -n 1 "$info" 2>/dev/null)" != "$stamp" ] \
   || { [ -x "$gen" ] && [ "$gen" -nt "$data" ]; }; then
    if [ ! -x "$gen" ]; then
        echo "bench: generator '$gen' not found or not executable, and no cached input in $dir" >&2
        exit 1
    fi
    echo "bench: generating $respondents respondents x $items items into $data ..."
    t0=$EPOCHREALTIME
    if ! "$gen" "${gen_args[@]}" --config "$config.tmp" -o "$data.tmp.gz"; then
        echo "bench: $gen failed" >&2
        rm -f "$data.tmp.gz" "$config.tmp"
        exit 1
    fi
    t1=$EPOCHREALTIME
    # An independent look at the teams: count, smallest, largest, mean size.
    teams=$(gzip -dc "$data.tmp.gz" | awk -F, '
        NR == 1 { next }
        $2 != prev { if (NR > 2) emit(); prev = $2; n = 0 }
        { n++ }
        function emit() { m++; s += n; if (!min || n < min) min = n; if (n > max) max = n }
        END { emit(); printf "%d managers, team size mean %.3f, min %d, max %d", m, s / m, min, max }')
    mv "$data.tmp.gz" "$data" && mv "$config.tmp" "$config" || exit 1
    printf '%s\n%s respondents, %s\ngenerated in %.2f s\n' "$stamp" "$respondents" "$teams" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" > "$info"
fi
echo "bench: input $data ($(du -k "$data" | cut -f1) KB): $(sed -n 2p "$info"); $(sed -n 3p "$info")"

# ---- measuring -------------------------------------------------------------
have_time=1
if [ ! -x /usr/bin/time ]; then
    have_time=0
    echo "bench: /usr/bin/time not found, so peak RSS is not measured; install it with: apt-get install time" >&2
fi

# measure CMD... : runs CMD $reps times with stdout to /dev/null and sets
# m_best, m_median (wall seconds), m_rss (largest peak RSS, MB, or n/a) and
# m_fail (empty, or why CMD failed).
measure() {
    local walls=() rsss=() i t0 t1 rc tf err sorted
    tf=$(mktemp) err=$(mktemp)
    m_fail=""
    for ((i = 0; i < reps; i++)); do
        t0=$EPOCHREALTIME
        if [ "$have_time" = 1 ]; then
            /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null 2> "$err"
        else
            "$@" > /dev/null 2> "$err"
        fi
        rc=$?
        t1=$EPOCHREALTIME
        if [ "$rc" -ne 0 ]; then
            m_fail="exit $rc: $(tail -n 3 "$err" | tr '\n' ' ')"
            break
        fi
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
        [ "$have_time" = 1 ] && rsss+=("$(awk 'END { printf "%.1f", $2 / 1024 }' "$tf")")
    done
    rm -f "$tf" "$err"
    sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
    m_best=$(head -n 1 <<< "$sorted")
    m_median=$(awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<< "$sorted")
    m_rss=n/a
    if [ ${#rsss[@]} -gt 0 ]; then
        m_rss=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -n 1)
    fi
}

cat "$data" > /dev/null       # page cache warm for both contenders

echo "bench: gzip -dc, $reps runs ..."
measure gzip -dc "$data"
best_gzip=$m_best median_gzip=$m_median rss_gzip=$m_rss

engage_ok=0
fail_engage=""
if [ ! -x "$engage" ]; then
    echo "bench: engage binary '$engage' not found or not executable (build it first); its rows are skipped" >&2
else
    echo "bench: $engage run, $reps runs ..."
    rm -rf "$dir/out"
    measure "$engage" run --no-workbook -c "$config" -o "$dir/out" "$data"
    best_engage=$m_best median_engage=$m_median rss_engage=$m_rss fail_engage=$m_fail
    if [ -n "$fail_engage" ]; then
        echo "bench: engage run failed: $fail_engage" >&2
    else
        engage_ok=1
        echo "bench: $engage run with engage.xlsx, $reps runs ..."
        rm -rf "$dir/out-workbook"
        measure "$engage" run -c "$config" -o "$dir/out-workbook" "$data"
        best_full=$m_best median_full=$m_median rss_full=$m_rss
    fi
fi

# ---- report ----------------------------------------------------------------
echo
printf '%-28s %10s %10s %14s\n' "1M respondents x 12 items" "best s" "median s" "peak RSS MB"
printf '%-28s %10s %10s %14s\n' "gzip -dc" "$best_gzip" "$median_gzip" "$rss_gzip"
if [ "$engage_ok" = 1 ]; then
    printf '%-28s %10s %10s %14s\n' "engage run --no-workbook" "$best_engage" "$median_engage" "$rss_engage"
    printf '%-28s %10s %10s %14s\n' "engage run (with .xlsx)" "$best_full" "$median_full" "$rss_full"
    ratio_best=$(awk -v e="$best_engage" -v g="$best_gzip" 'BEGIN { printf "%.2f", e / g }')
    ratio_median=$(awk -v e="$median_engage" -v g="$median_gzip" 'BEGIN { printf "%.2f", e / g }')
    printf '%-28s %10s %10s\n' "ratio engage / gzip" "$ratio_best" "$ratio_median"
    printf '%-28s %10s %10s\n' "ratio with .xlsx / gzip" \
        "$(awk -v e="$best_full" -v g="$best_gzip" 'BEGIN { printf "%.2f", e / g }')" \
        "$(awk -v e="$median_full" -v g="$median_gzip" 'BEGIN { printf "%.2f", e / g }')"
    echo
    verdict=$(awk -v r="$ratio_median" -v t="$target_ratio" 'BEGIN { print (r <= t) ? "PASS" : "FAIL" }')
    printf '%-4s  time: engage / gzip = %s (median) <= %s\n' "$verdict" "$ratio_median" "$target_ratio"
    if [ "$rss_engage" = "n/a" ]; then
        printf 'SKIP  memory: peak RSS not measured (apt-get install time)\n'
    else
        verdict=$(awk -v m="$rss_engage" -v t="$target_rss_mb" 'BEGIN { print (m <= t) ? "PASS" : "FAIL" }')
        printf '%-4s  memory: engage peak RSS = %s MB <= %s MB\n' "$verdict" "$rss_engage" "$target_rss_mb"
    fi
else
    printf '%-28s %10s\n' "engage run" "${fail_engage:-missing}" | cut -c1-120
    echo
    verdict=$([ -n "$fail_engage" ] && echo FAIL || echo SKIP)
    echo "$verdict  time: engage / gzip <= $target_ratio (no engage figures)"
    echo "$verdict  memory: engage peak RSS <= $target_rss_mb MB (no engage figures)"
fi

# ---- the same quarter as each survey tool exports it -----------------------
# engage-gen --format writes the same respondents, managers and answers in a
# tool's layout (plus the previews, spam or incomplete rows a reader must
# leave out); googleforms and msforms take the manager from the HRIS roster.
# Each is made once (gzip, like the canonical file) and timed like it: the
# ratio to the canonical engage median says what reading the layout costs.
layouts=(qualtrics qualtrics-legacy surveymonkey googleforms msforms limesurvey limesurvey-text)
roster=$dir/quarter-1m-roster.csv
rows=()
for layout in "${layouts[@]}"; do
    ldata=$dir/quarter-1m-$layout.csv.gz
    lconfig=$dir/quarter-1m-$layout.ini
    linfo=$dir/quarter-1m-$layout.info
    lstamp="engage-gen ${gen_args[*]} --format $layout"
    largs=(--format "$layout")
    needs_roster=0
    case $layout in googleforms | msforms) needs_roster=1; largs+=(--roster "$roster") ;; esac
    if [ ! -s "$ldata" ] || [ ! -s "$lconfig" ] || [ "$(cat "$linfo" 2>/dev/null)" != "$lstamp" ] \
       || { [ "$needs_roster" = 1 ] && [ ! -s "$roster" ]; } \
       || { [ -x "$gen" ] && [ "$gen" -nt "$ldata" ]; }; then
        if [ ! -x "$gen" ]; then
            echo "bench: generator '$gen' not found, and no cached $layout input; skipped" >&2
            rows+=("$(printf '%-18s %12s  %s' "$layout" - "no input")")
            continue
        fi
        echo "bench: generating the quarter as $layout into $ldata ..."
        if ! "$gen" "${gen_args[@]}" "${largs[@]}" --config "$lconfig.tmp" -o "$ldata.tmp.gz"; then
            echo "bench: $gen --format $layout failed" >&2
            rm -f "$ldata.tmp.gz" "$lconfig.tmp"
            rows+=("$(printf '%-18s %12s  %s' "$layout" - "engage-gen failed")")
            continue
        fi
        mv "$ldata.tmp.gz" "$ldata" && mv "$lconfig.tmp" "$lconfig" && echo "$lstamp" > "$linfo" || exit 1
    fi
    bytes=$(wc -c < "$ldata")
    cat "$ldata" > /dev/null
    echo "bench: $layout: gzip -dc and engage run, $reps runs each ..."
    measure gzip -dc "$ldata"
    lgzip=$m_median
    if [ ! -x "$engage" ]; then
        rows+=("$(printf '%-18s %12s %10s  %s' "$layout" "$bytes" "$lgzip" "engage missing")")
        continue
    fi
    rm -rf "$dir/out-$layout"
    measure "$engage" run --no-workbook -c "$lconfig" -o "$dir/out-$layout" "$ldata"
    if [ -n "$m_fail" ]; then
        echo "bench: engage run on $layout failed: $m_fail" >&2
        rows+=("$(printf '%-18s %12s %10s  FAIL %s' "$layout" "$bytes" "$lgzip" "$m_fail" | cut -c1-120)")
        continue
    fi
    to_gzip=$(awk -v e="$m_median" -v g="$lgzip" 'BEGIN { printf "%.2f", e / g }')
    to_canonical=n/a ratio_to_canonical=n/a verdict=SKIP same=n/a
    if [ "$engage_ok" = 1 ]; then
        to_canonical=$(awk -v e="$m_median" -v c="$median_engage" 'BEGIN { printf "%.2f", e / c }')
        ratio_to_canonical=$(awk -v r="$to_gzip" -v c="$ratio_median" 'BEGIN { printf "%.2f", r / c }')
        verdict=$(awk -v r="$ratio_to_canonical" -v t="$target_layout" 'BEGIN { print (r <= t) ? "PASS" : "FAIL" }')
        same=differ
        cmp -s "$dir/out/variance.csv" "$dir/out-$layout/variance.csv" &&
            cmp -s "$dir/out/managers.csv" "$dir/out-$layout/managers.csv" && same=same
    fi
    rows+=("$(printf '%-18s %12s %10s %10s %8s %7s %6s %7s %8s  %s' "$layout" "$bytes" "$lgzip" "$m_median" \
        "$m_rss" "$to_canonical" "$to_gzip" "$ratio_to_canonical" "$same" "$verdict")")
done

echo
echo "The same quarter in each survey tool's layout (median of $reps runs;"
echo "target: engage/gzip of the layout <= $target_layout x engage/gzip of the canonical file)"
printf '%-18s %12s %10s %10s %8s %7s %6s %7s %8s  %s\n' layout "gzip bytes" "gzip -dc s" "engage s" "RSS MB" \
    "/canon" "/gzip" "ratio/c" figures verdict
if [ "$engage_ok" = 1 ]; then
    printf '%-18s %12s %10s %10s %8s %7s %6s %7s\n' canonical "$(wc -c < "$data")" "$median_gzip" "$median_engage" \
        "$rss_engage" 1.00 "$ratio_median" 1.00
fi
printf '%s\n' "${rows[@]}"
exit 0
