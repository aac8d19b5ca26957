# report.html's heatmaps against heatmap.csv: every cell of every row
# (<tr data-level data-group> in a <section id="scale-N">) must be the
# view's cell of the same scale, level, group and item (the scale's items
# in heatmap.csv's order):
#   - a suppressed cell is drawn "hm hid" with "—" and nothing else: no
#     figure, no colour class, no flag;
#   - a shown cell prints favourable_pct rounded (within 0.5), has the colour
#     class of delta_favourable's step (2, 5, 10 points), and is flagged
#     ("up" with ▲, "down" with ▼) exactly when stands_out says so;
#   - a row has one cell per item.
# Prints "BAD: ..." lines and then "cells=N hidden=H flagged=F rows=R".
#   usage: awk -f heatmap_cells.awk heatmap.csv report.html
function csv_split(line, f,    n, i, c, q, cur) {
    n = 0; cur = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0
            } else cur = cur c
        } else if (c == "\"") q = 1
        else if (c == ",") { f[++n] = cur; cur = "" }
        else cur = cur c
    }
    f[++n] = cur
    return n
}
function unescape(s) {
    gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
    gsub(/&#39;/, "'", s); gsub(/&apos;/, "'", s); gsub(/&amp;/, "\\&", s)
    return s
}
function step(d) {
    if (d <= -10) return "n3"; if (d <= -5) return "n2"; if (d <= -2) return "n1"
    if (d < 2) return "z"; if (d < 5) return "p1"; if (d < 10) return "p2"; return "p3"
}
function bad(msg) { print "BAD: " msg; problems++ }
FNR == NR {
    if (FNR == 1) next
    sub(/\r$/, "")
    csv_split($0, f)
    if (!(f[1] in scale_of)) scale_of[f[1]] = ++n_scales
    s = scale_of[f[1]]
    if (!((s, f[2]) in item_of)) { item_of[s, f[2]] = ++n_items[s] }
    k = s SUBSEP f[3] SUBSEP f[4] SUBSEP item_of[s, f[2]]
    known[k] = 1; fav[k] = f[7]; delta[k] = f[8]; out[k] = f[9]; hidden[k] = f[10]
    next
}
/<section id="scale-[0-9]+">/ { s = $0; sub(/.*<section id="scale-/, "", s); sub(/".*/, "", s); s += 0 }
/<tr data-level="/ {
    rows++
    level = $0; sub(/.*<tr data-level="/, "", level); sub(/".*/, "", level)
    group = $0; sub(/.*data-group="/, "", group); sub(/".*/, "", group); group = unescape(group)
    rest = $0; i = 0
    while (match(rest, /<td class="hm[^"]*"[^>]*>[^<]*<\/td>/)) {
        td = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH); i++
        cls = td; sub(/^<td class="/, "", cls); sub(/".*/, "", cls)
        text = td; sub(/^<td[^>]*>/, "", text); sub(/<\/td>$/, "", text)
        k = s SUBSEP level SUBSEP group SUBSEP i
        where = "scale " s " " level " " group " item " i
        cells++
        if (!(k in known)) { bad(where ": no such row in heatmap.csv"); continue }
        if (hidden[k] == 1) {
            hid++
            if (cls != "hm hid" || text != "&#8212;") bad(where ": suppressed but drawn \"" cls "\" \"" text "\"")
            continue
        }
        flag = ""
        if (text ~ /^&#9650;/) { flag = "above"; sub(/^&#9650;/, "", text) }
        else if (text ~ /^&#9660;/) { flag = "below"; sub(/^&#9660;/, "", text) }
        if (flag != "") flagged++
        want = "hm " step(delta[k] + 0) (out[k] == "above" ? " up" : out[k] == "below" ? " down" : "")
        if (cls != want) bad(where ": class \"" cls "\", expected \"" want "\" (delta " delta[k] ", " out[k] ")")
        if (flag != out[k]) bad(where ": flag \"" flag "\", heatmap.csv \"" out[k] "\"")
        if (text !~ /^[0-9]+%$/) { bad(where ": prints \"" text "\""); continue }
        sub(/%$/, "", text)
        d = text - fav[k]
        if (d > 0.5 + 1e-6 || d < -0.5 - 1e-6) bad(where ": prints " text "%, heatmap.csv " fav[k])
    }
    if (i != n_items[s]) bad("scale " s " " level " " group ": " i " cells for " n_items[s] " items")
}
END { print "cells=" cells + 0 " hidden=" hid + 0 " flagged=" flagged + 0 " rows=" rows + 0 }
