#!/usr/bin/env bash
# bench.sh ENGAGE GEN — how fast and how lean `engage run` is on large quarters.
#
# Generates once with GEN (engage-gen; cached in $BENCH_DIR, default
# build/bench/) five quarters as gzip, each checked by an independent look at
# its teams (awk):
#   - 1,000,000 respondents x 12 items in the generator's own teams of 1 to
#     30 (125,282 managers) — the canonical quarter;
#   - the same size in 10,000 teams of 100 (seed 45, whose funnel labels once
#     made report.html loop forever);
#   - 1,000,000 x 30 items, teams of 1 to 30;
#   - 10,000,000 x 12 items, teams of 1 to 30 (1,254,452 managers);
#   - a reporting tree of 6 levels (--hierarchy: about 1,000,000 respondents
#     of 1,212,856 employees in about 127,000 teams, joined through a roster
#     of every employee, 107 MB of CSV).
# For each it runs rounds of three commands back to back: `gzip -dc FILE`,
# `ENGAGE run --no-workbook -c CONFIG -o OUTDIR FILE` and the same run with
# every output (CSVs, report.txt, report.html, engage.xlsx, manifest),
# $BENCH_REPS rounds (default 5; the 10M quarter $BENCH_REPS_10M, default
# 3).  Each round's two ratios are taken to that round's gzip -dc, and the
# table gives the medians of rounds: wall seconds, ratios and peak RSS.
# Targets (PASS / FAIL), on the flat quarters:
#   --no-workbook <= 1.5 x gzip -dc;  every output <= 3 x gzip -dc;
#   peak RSS <= 100 MB at 1M x 12 (118 MB with 30 items: their 18 MB more of
#   answers), <= 500 MB at 10M.
# The tree's run also reads and joins its roster, which gzip -dc of the
# export does not measure, so its ratios are shown for information (INFO);
# on it, its stages are timed (--progress, each line stamped as it arrives):
# following every leader's organisation (leaders.csv's figures and the
# tree's privacy rule) and the nested model of units and managers within
# them must add at most 20% to the rest of the run (PASS / FAIL); and
# `--no-workbook --packs` (about 127,000 managers' packs) must add at most
# 1 x gzip -dc to the --no-workbook run (PASS / FAIL), each run into a new
# folder; beside it, for information, the time `cp -r` takes to copy the
# packs folder: what the file system itself costs to create those files.
# Then the canonical quarter in each survey tool's layout (engage-gen
# --format, cached beside it): bytes, gzip -dc and engage medians, the ratio
# of engage to gzip -dc of that file, that ratio over the canonical file's
# (target <= 1.5: reading a tool's layout costs at most half as much again,
# per byte of text, as reading the canonical one), engage's time over the
# canonical run's (for information: the exports carry 4 to 8 times the
# bytes), and whether variance.csv and managers.csv match the canonical run's
# (with a roster: wherever the canonical run gives a figure).
# BENCH_SHAPES="quarter-1m quarter-10m" limits the run to those quarters
# (the layouts need quarter-1m).
# Reading and decompressing the input is the floor no reader can go under, so
# the ratio says how much the rest of the work costs on top of it.
#
# No run may hide a hang: each runs under `timeout` at ten times its expected
# time, and one that takes longer stops the benchmark at once with exit 1.
# Expected, from that round's gzip -dc time G: the targets (1.5 x G without
# the workbook, 3 x G with it); a survey tool's layout 1.5 x 1.5 x G of its
# own file; the tree, with its roster, 40 x G without the workbook and 60 x G
# with it or with its packs; gzip -dc itself 6 s; never less than 1 s, so no
# limit is under 10 s.
#
# It is a report: it exits 0 whatever the figures; 1 when it cannot make an
# input, when an engage run fails (shown as FAIL with its error) and, at
# once, when a run takes more than ten times its expected time.  A missing
# ENGAGE binary skips its rows with a message.
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
mkdir -p "$dir" || exit 73
reps=${BENCH_REPS:-5}
target_nowb=1.5              # engage run --no-workbook: at most 1.5 x gzip -dc of the same file
target_full=3                 # engage run, every output: at most 3 x gzip -dc
target_packs=1                # --packs adds at most 1 x gzip -dc to the --no-workbook run
target_ratio=$target_nowb     # the canonical quarter's ratio the survey-tool layouts are held to
target_layout=1.5             # a survey tool's layout: its engage/gzip ratio <= 1.5 x the canonical one
expect_tree=40                # the tree with its roster: --no-workbook expected at most 40 x gzip -dc
expect_tree_full=60           # and with the workbook
hang_factor=10                # a run taking more than 10 x its expected time is a hang
target_tree_added=20          # the tree: leaders' orgs + the nested model add at most 20% to the rest of the run

# The quarters: NAME|LABEL|engage-gen arguments|peak RSS target (MB, or -
# for the tree, shown for information).  The first is the canonical quarter
# the survey-tool layouts are compared with.  BENCH_SHAPES="NAME ..." runs
# only those.
shapes=(
    "quarter-1m|1M x 12, teams of 1-30|--respondents 1000000 --items 12 --seed 1 --level 6|100"
    "quarter-1m-teams100|1M x 12, 10,000 teams of 100|--respondents 1000000 --team-size 100 --items 12 --seed 45 --level 6|100"
    "quarter-1m-items30|1M x 30, teams of 1-30|--respondents 1000000 --items 30 --seed 2 --level 6|118"
    "quarter-10m|10M x 12, teams of 1-30|--respondents 10000000 --items 12 --seed 1 --level 6|500"
    "quarter-1m-tree|6-level tree, roster x 12|--hierarchy --depth 6 --respondents 1000000 --items 12 --seed 1 --level 6|-"
)

rm -rf "$dir"/out-*.tmp-*     # left by a run stopped at its limit
status=0

# ---- the inputs, made once ------------------------------------------------
# make_input NAME ARGS: $dir/NAME.csv.gz and .ini (and with --hierarchy the
# roster NAME-roster.csv the config names), regenerated when missing, made
# with other arguments, or older than GEN; $dir/NAME.info says how.
make_input() {
    local name=$1 args=$2 data=$dir/$1.csv.gz config=$dir/$1.ini info=$dir/$1.info t0 t1 teams
    local stamp="engage-gen $args" roster=$dir/$1-roster.csv tree=0 extra=()
    case " $args " in *" --hierarchy "*) tree=1 extra=(--roster "$roster") ;; esac
    if [ -s "$data" ] && [ -s "$config" ] && [ -s "$info" ] && { [ "$tree" = 0 ] || [ -s "$roster" ]; } \
       && [ "$(head -n 1 "$info" 2>/dev/null)" = "$stamp" ] \
       && ! { [ -x "$gen" ] && [ "$gen" -nt "$data" ]; }; then
        return 0
    fi
    if [ ! -x "$gen" ]; then
        echo "bench: generator '$gen' not found or not executable, and no cached input $data" >&2
        exit 1
    fi
    echo "bench: generating $name ($args) into $data ..."
    t0=$EPOCHREALTIME
    # shellcheck disable=SC2086
    # (the roster under its own name: the config names it)
    if ! "$gen" $args "${extra[@]}" --config "$config.tmp" -o "$data.tmp.gz"; then
        echo "bench: $gen failed" >&2
        rm -f "$data.tmp.gz" "$config.tmp" "$roster"
        exit 1
    fi
    t1=$EPOCHREALTIME
    # An independent look at the teams: count, smallest, largest, mean size
    # (for the tree: each respondent's manager looked up in the roster).
    if [ "$tree" = 1 ]; then
        teams=$(gzip -dc "$data.tmp.gz" | awk -F, '
            NR == FNR { if (FNR > 1) boss[$1] = $3; next }
            FNR > 1 { n[boss[$1]]++; r++ }
            END { for (b in n) { m++; if (!min || n[b] < min) min = n[b]; if (n[b] > max) max = n[b] }
                  printf "%d respondents, %d managers, team size mean %.3f, min %d, max %d", r, m, r / m, min, max }' \
            "$roster" -)
    else
        teams=$(gzip -dc "$data.tmp.gz" | awk -F, '
            NR == 1 { next }
            $2 != prev { if (NR > 2) emit(); prev = $2; n = 0 }
            { n++ }
            function emit() { m++; s += n; if (!min || n < min) min = n; if (n > max) max = n }
            END { emit(); printf "%d managers, team size mean %.3f, min %d, max %d", m, s / m, min, max }')
    fi
    mv "$data.tmp.gz" "$data" && mv "$config.tmp" "$config" || exit 1
    printf '%s\n%s\ngenerated in %.2f s\n' "$stamp" "$teams" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" > "$info"
}

# ---- measuring -------------------------------------------------------------
have_time=1
if [ ! -x /usr/bin/time ]; then
    have_time=0
    echo "bench: /usr/bin/time not found, so peak RSS is not measured; install it with: apt-get install time" >&2
fi

# limit_for EXPECTED_SECONDS: the timeout, ten times the expected time (at least 1 s).
limit_for() {
    awk -v e="$1" -v f="$hang_factor" 'BEGIN { if (e < 1) e = 1; printf "%.0f", e * f + 0.5 }'
}

# packs_aside FOLDER: moves FOLDER (if any) into $dir/deleted-at-end, which
# is removed when the benchmark ends.
packs_aside() {
    [ -e "$1" ] || return 0
    mkdir -p "$dir/deleted-at-end" && mv "$1" "$dir/deleted-at-end/$(basename "$1").$EPOCHREALTIME"
}
m_before=""
trap 'rm -rf "$dir/deleted-at-end"' EXIT

# measure WHAT EXPECTED CMD... : runs CMD $reps times with stdout to
# /dev/null, each under timeout at ten times EXPECTED seconds, and sets
# m_best, m_median (wall seconds), m_rss (largest peak RSS, MB, or n/a) and
# m_fail (empty, or why CMD failed).  A run over its limit stops the
# benchmark here with exit 1.  With m_before set, `$m_before I` runs before
# run I, untimed.
measure() {
    local what=$1 expected=$2 walls=() rsss=() i sorted
    shift 2
    m_fail=""
    for ((i = 0; i < reps; i++)); do
        [ -n "$m_before" ] && $m_before "$i"
        run_once "$what" "$expected" "$@"
        if [ -n "$r_fail" ]; then
            m_fail=$r_fail
            break
        fi
        walls+=("$r_wall")
        [ "$r_rss" != n/a ] && rsss+=("$r_rss")
    done
    m_best=n/a m_median=n/a m_rss=n/a
    [ ${#walls[@]} -gt 0 ] || return 0
    sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
    m_best=$(head -n 1 <<< "$sorted")
    m_median=$(awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<< "$sorted")
    if [ ${#rsss[@]} -gt 0 ]; then
        m_rss=$(printf '%s\n' "${rsss[@]}" | sort -g | tail -n 1)
    fi
}

# run_once WHAT EXPECTED CMD... : runs CMD once with stdout to /dev/null under
# timeout at ten times EXPECTED seconds; sets r_wall (seconds), r_rss (peak,
# MB, or n/a) and r_fail (empty, or why CMD failed).  A run over its limit
# stops the benchmark here with exit 1.
run_once() {
    local what=$1 expected=$2 t0 t1 rc tf err limit
    shift 2
    limit=$(limit_for "$expected")
    tf=$(mktemp) err=$(mktemp)
    r_fail="" r_rss=n/a
    t0=$EPOCHREALTIME
    if [ "$have_time" = 1 ]; then
        timeout "$limit" /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null 2> "$err"
    else
        timeout "$limit" "$@" > /dev/null 2> "$err"
    fi
    rc=$?
    t1=$EPOCHREALTIME
    if [ "$rc" -eq 124 ]; then
        rm -f "$tf" "$err"
        printf 'bench: %s did not end within %s s (%s x its expected %s s, at least 10 s): stopped\n' \
            "$what" "$limit" "$hang_factor" "$expected" >&2
        exit 1
    fi
    [ "$rc" -ne 0 ] && r_fail="exit $rc: $(tail -n 3 "$err" | tr '\n' ' ')"
    r_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    [ "$have_time" = 1 ] && [ "$rc" -eq 0 ] && r_rss=$(awk 'END { printf "%.1f", $2 / 1024 }' "$tf")
    rm -f "$tf" "$err"
}

# tree_stages CONFIG DATA OUTDIR EXPECTED: runs `engage run --no-workbook
# --progress` $reps times, each line it prints stamped as it arrives, and
# sets t_leaders (the stage "following every leader's organisation" to the
# next), t_nested (each "...: the variance between units and between
# managers within them" to the next), t_total (the run) and t_added, the
# median over runs of 100 x (leaders + nested) / (total - leaders - nested):
# what they add to the rest of the run; t_verdict PASS / FAIL against
# $target_tree_added.
tree_stages() {
    local config=$1 data=$2 out=$3 limit stamps i line t0 t1 shares=() leaders=() nested=() totals=()
    limit=$(limit_for "$4")
    stamps=$(mktemp)
    for ((i = 0; i < reps; i++)); do
        rm -rf "$out"
        t0=$EPOCHREALTIME
        timeout "$limit" "$engage" run --no-workbook --progress -c "$config" -o "$out" "$data" 2>&1 > /dev/null |
            while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done > "$stamps"
        t1=$EPOCHREALTIME
        read -r a b c d < <(awk -v t0="$t0" -v t1="$t1" '
            { t[NR] = $1; line[NR] = $0 }
            END {
                t[NR + 1] = t1
                for (i = 1; i <= NR; i++) {
                    if (line[i] ~ /following every leader.s organisation$/) l += t[i + 1] - t[i]
                    if (line[i] ~ /: the variance between units and between managers within them$/) n += t[i + 1] - t[i]
                }
                total = t1 - t0
                printf "%.3f %.3f %.3f %.2f\n", l, n, total, 100 * (l + n) / (total - l - n)
            }' "$stamps")
        leaders+=("$a") nested+=("$b") totals+=("$c") shares+=("$d")
    done
    rm -f "$stamps"
    median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    t_leaders=$(median_of "${leaders[@]}") t_nested=$(median_of "${nested[@]}") t_total=$(median_of "${totals[@]}")
    t_added=$(median_of "${shares[@]}")
    t_verdict=$(awk -v a="$t_added" -v t="$target_tree_added" 'BEGIN { print (a <= t) ? "PASS" : "FAIL" }')
}

product() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a * b }'; }
quotient() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

if [ ! -x "$engage" ]; then
    echo "bench: engage binary '$engage' not found or not executable (build it first); its rows are skipped" >&2
fi


# ---- each quarter -----------------------------------------------------------
# For each flat quarter, $reps rounds of three runs back to back: gzip -dc,
# engage --no-workbook, engage with every output.  Each round gives its own
# two ratios to that round's gzip -dc, so a load that comes and goes weighs
# on both sides of a ratio alike; the table gives the medians over rounds.
table=() verdicts=()
engage_ok=0                   # the canonical quarter's engage figures exist
median_of() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
max_of() { printf '%s\n' "$@" | sort -g | tail -n 1; }
verdict_le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "PASS" : "FAIL" }'; }
for spec in "${shapes[@]}"; do
    IFS='|' read -r name label args rss_target <<< "$spec"
    if [ -n "${BENCH_SHAPES:-}" ] && [[ " $BENCH_SHAPES " != *" $name "* ]]; then continue; fi
    make_input "$name" "$args"
    data=$dir/$name.csv.gz config=$dir/$name.ini
    tree=0
    case " $args " in *" --hierarchy "*) tree=1 ;; esac
    rounds=$reps
    case " $args " in *" --respondents 10000000 "*) rounds=${BENCH_REPS_10M:-3} ;; esac
    echo "bench: $label: $data ($(du -k "$data" | cut -f1) KB): $(sed -n 2p "$dir/$name.info"); $(sed -n 3p "$dir/$name.info")"
    cat "$data" > /dev/null   # page cache warm for both contenders
    [ "$tree" = 1 ] && cat "$dir/$name-roster.csv" > /dev/null
    if [ ! -x "$engage" ]; then
        measure "gzip -dc $data" 6 gzip -dc "$data"
        table+=("$(printf '%-30s %7s  %s' "$label" "$m_median" "engage missing")")
        verdicts+=("SKIP  $label: no engage figures")
        continue
    fi
    if [ "$tree" = 1 ]; then
        expect_nowb=$expect_tree expect_full=$expect_tree_full
    else
        expect_nowb=$target_nowb expect_full=$target_full
    fi
    gzips=() nowbs=() fulls=() r_nowb=() r_full=() rss_nowb=() rss_full=() failed=""
    echo "bench: $label: $rounds rounds of gzip -dc, engage run --no-workbook, engage run ..."
    for ((round = 0; round < rounds; round++)); do
        run_once "gzip -dc $data" 6 gzip -dc "$data"
        g=$r_wall
        rm -rf "$dir/out-$name"
        run_once "engage run --no-workbook on $label" "$(product "$expect_nowb" "$g")" \
            "$engage" run --no-workbook -c "$config" -o "$dir/out-$name" "$data"
        [ -n "$r_fail" ] && { failed="--no-workbook: $r_fail"; break; }
        nowbs+=("$r_wall") rss_nowb+=("$r_rss") r_nowb+=("$(quotient "$r_wall" "$g")")
        rm -rf "$dir/out-$name-workbook"
        run_once "engage run on $label" "$(product "$expect_full" "$g")" \
            "$engage" run -c "$config" -o "$dir/out-$name-workbook" "$data"
        [ -n "$r_fail" ] && { failed="every output: $r_fail"; break; }
        fulls+=("$r_wall") rss_full+=("$r_rss") r_full+=("$(quotient "$r_wall" "$g")")
        gzips+=("$g")
    done
    if [ -n "$failed" ]; then
        echo "bench: engage run on $label failed: $failed" >&2
        table+=("$(printf '%-30s  FAIL %s' "$label" "$failed" | cut -c1-140)")
        verdicts+=("FAIL  $label: engage run failed")
        status=1
        continue
    fi
    g_median=$(median_of "${gzips[@]}")
    e_median=$(median_of "${nowbs[@]}") e_ratio=$(median_of "${r_nowb[@]}") e_rss=$(max_of "${rss_nowb[@]}")
    f_median=$(median_of "${fulls[@]}") f_ratio=$(median_of "${r_full[@]}") f_rss=$(max_of "${rss_full[@]}")
    respondents=$(sed -n 's/.*--respondents \([0-9]*\).*/\1/p' <<< "$args")
    table+=("$(printf '%-30s %7s %8s %6s %7s %8s %6s %7s' "$label" "$g_median" \
        "$e_median" "$e_ratio" "$e_rss" "$f_median" "$f_ratio" "$f_rss")")
    if [ "$tree" = 1 ]; then
        echo "bench: $label: the stages of the run (--progress), $reps runs ..."
        tree_stages "$config" "$data" "$dir/out-$name-stages" "$(product "$expect_nowb" "$g_median")"
        verdicts+=("$(printf '%-4s  %s: the leaders'"'"' orgs and the nested model add %s%% to the rest of the run (median; leaders %s s, nested %s s, run %s s) <= %s%%' \
            "$t_verdict" "$label" "$t_added" "$t_leaders" "$t_nested" "$t_total" "$target_tree_added")")
        echo "bench: $label: $engage run --no-workbook --packs, $reps runs ..."
        # Every run writes into a folder of its own: a run into the last
        # one's would also delete its 100,000 files.  They are deleted when
        # the benchmark ends (ext4 with no journal then skips the deleted
        # inodes for minutes, slowing whatever creates files next).
        packs_aside "$dir/out-$name-packs"
        m_before="packs_aside $dir/out-$name-packs"
        measure "engage run --no-workbook --packs on $label" "$(product "$expect_tree_full" "$g_median")" \
            "$engage" run --no-workbook --packs -c "$config" -o "$dir/out-$name-packs" "$data"
        m_before=""
        if [ -n "$m_fail" ]; then
            echo "bench: engage run --packs on $label failed: $m_fail" >&2
            verdicts+=("FAIL  $label: engage run --packs failed")
            status=1
        else
            packs=$(($(ls "$dir/out-$name-packs/packs" | wc -l) - 1))
            # the floor of writing these files on this file system: copying them
            mkdir -p "$dir/deleted-at-end"
            t0=$EPOCHREALTIME
            cp -r "$dir/out-$name-packs/packs" "$dir/deleted-at-end/packs-copy.$t0"
            copy_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
            added=$(awk -v a="$m_median" -v b="$e_median" 'BEGIN { printf "%.2f", a - b }')
            verdicts+=("$(printf '%-4s  %s: --packs: %s packs (%s MB) add %s s = %s x gzip -dc to --no-workbook (median %s s, best %s s; peak RSS %s MB) <= %s x' \
                "$(verdict_le "$(quotient "$added" "$g_median")" "$target_packs")" "$label" "$packs" \
                "$(du -sm "$dir/out-$name-packs/packs" | cut -f1)" "$added" "$(quotient "$added" "$g_median")" \
                "$m_median" "$m_best" "$m_rss" "$target_packs")")
            verdicts+=("$(printf 'INFO  %s: copying the packs folder (cp -r, from the page cache) takes %s s = %s x gzip -dc: the file system'"'"'s own cost of these files' \
                "$label" "$copy_s" "$(quotient "$copy_s" "$g_median")")")
        fi
        verdicts+=("$(printf 'INFO  %s: engage / gzip = %s --no-workbook, %s every output (its roster of %s is read and joined too); peak RSS %s / %s MB' \
            "$label" "$e_ratio" "$f_ratio" "$(du -h "$dir/$name-roster.csv" | cut -f1)" "$e_rss" "$f_rss")")
        continue
    fi
    verdicts+=("$(printf '%-4s  %s: engage --no-workbook / gzip -dc = %s (median of %s rounds) <= %s' \
        "$(verdict_le "$e_ratio" "$target_nowb")" "$label" "$e_ratio" "$rounds" "$target_nowb")")
    verdicts+=("$(printf '%-4s  %s: engage, every output / gzip -dc = %s (median of %s rounds) <= %s' \
        "$(verdict_le "$f_ratio" "$target_full")" "$label" "$f_ratio" "$rounds" "$target_full")")
    if [ "$e_rss" = "n/a" ]; then
        verdicts+=("SKIP  $label: memory: peak RSS not measured (apt-get install time)")
    else
        rss=$(max_of "$e_rss" "$f_rss")
        per=n/a
        [ -n "$respondents" ] && per=$(awk -v m="$rss" -v r="$respondents" 'BEGIN { printf "%.0f", m * 1048576 / r }')
        verdicts+=("$(printf '%-4s  %s: memory: peak RSS %s MB (%s bytes per respondent) <= %s MB' \
            "$(verdict_le "$rss" "$rss_target")" "$label" "$rss" "$per" "$rss_target")")
    fi
    if [ "$name" = quarter-1m ]; then
        engage_ok=1 median_gzip=$g_median median_engage=$e_median rss_engage=$e_rss ratio_median=$e_ratio
    fi
done

# ---- report ----------------------------------------------------------------
echo
echo "Wall seconds (median of the rounds), engage / gzip -dc (median of each round's ratio) and peak RSS (MB)"
printf '%-30s %7s %8s %6s %7s %8s %6s %7s\n' quarter "gzip" "no-wb" "/gzip" "RSS" "all" "/gzip" "RSS"
printf '%-30s %7s %8s %6s %7s %8s %6s %7s\n' "" "-dc s" "s" "" "MB" "s" "" "MB"
printf '%s\n' "${table[@]}"
echo
printf '%s\n' "${verdicts[@]}"
[ -n "${BENCH_SHAPES:-}" ] && [[ " $BENCH_SHAPES " != *" quarter-1m "* ]] && exit "$status"

# ---- the same quarter as each survey tool exports it -----------------------
# engage-gen --format writes the same respondents, managers and answers in a
# tool's layout (plus the previews, spam or incomplete rows a reader must
# leave out); googleforms and msforms take the manager from the HRIS roster.
# Each is made once (gzip, like the canonical file) and timed like it: the
# ratio to the canonical engage median says what reading the layout costs.
layouts=(qualtrics qualtrics-legacy surveymonkey googleforms msforms limesurvey limesurvey-text)
IFS='|' read -r _ _ canonical_args _ <<< "${shapes[0]}"
read -r -a gen_args <<< "$canonical_args"
roster=$dir/quarter-1m-roster.csv
# same_where_canonical CANONICAL OTHER: the two tables have the same rows and
# columns, and every cell the canonical run fills holds the same text in the
# other (one the canonical leaves empty may hold a figure; the tables have
# no quoted commas)
same_where_canonical() {
    awk -F, 'NR == FNR { row[FNR] = $0; rows = FNR; next }
             { n = split(row[FNR], c, ","); if (n != NF) bad = 1
               for (i = 1; i <= n; i++) if (c[i] != "" && c[i] != $i) bad = 1 }
             END { exit (bad || FNR != rows) }' "$1" "$2"
}
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
    measure "gzip -dc $ldata" 6 gzip -dc "$ldata"
    lgzip=$m_median
    if [ ! -x "$engage" ]; then
        rows+=("$(printf '%-18s %12s %10s  %s' "$layout" "$bytes" "$lgzip" "engage missing")")
        continue
    fi
    rm -rf "$dir/out-$layout"
    measure "engage run --no-workbook on the $layout layout" \
        "$(product "$(product "$target_layout" "$target_ratio")" "$lgzip")" \
        "$engage" run --no-workbook -c "$lconfig" -o "$dir/out-$layout" "$ldata"
    if [ -n "$m_fail" ]; then
        echo "bench: engage run on $layout failed: $m_fail" >&2
        status=1
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
        if [ "$needs_roster" = 0 ]; then
            cmp -s "$dir/out-quarter-1m/variance.csv" "$dir/out-$layout/variance.csv" &&
                cmp -s "$dir/out-quarter-1m/managers.csv" "$dir/out-$layout/managers.csv" && same=same
        else
            # the roster adds invitations and response rates where the canonical run has none
            same_where_canonical "$dir/out-quarter-1m/variance.csv" "$dir/out-$layout/variance.csv" &&
                same_where_canonical "$dir/out-quarter-1m/managers.csv" "$dir/out-$layout/managers.csv" && same=same*
        fi
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
    printf '%-18s %12s %10s %10s %8s %7s %6s %7s\n' canonical "$(wc -c < "$dir/quarter-1m.csv.gz")" "$median_gzip" "$median_engage" \
        "$rss_engage" 1.00 "$ratio_median" 1.00
fi
printf '%s\n' "${rows[@]}"
echo "(same*: variance.csv and managers.csv equal the canonical run's wherever it gives a figure; the roster adds"
echo " invitations and response rates)"
exit "$status"
