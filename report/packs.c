/*
 * report/packs.c — engage run --packs: packs/LEADER.html per shown leader
 * and packs/index.html (packs.h says what a pack holds and how it is named).
 *
 * The tree is laid out once (each leader's child orgs and the managers
 * reporting to them, each manager's change row, each scale's stand-outs
 * in tree pre-order), then the packs are written through svg_out_t
 * (svg.c: data text escaped, numbers locale-independent), each from its own
 * rows only, by two threads that take the next pack in tree order (one
 * formats while the other waits for the file system).  Every figure is the
 * view's: an org's when view_leader_shown, a team's when
 * view_manager_shown, a heatmap cell's when view_heatmap_shown, a change
 * row's when view_change_shown.
 * Table rows carry data-g="LEVEL:ID" naming the group their figures are
 * of (leader, manager, company, change), so that a reader can check each
 * against the CSVs.  Owns its layout for the length of the call.
 */
#include "packs.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/digest.h"
#include "figures.h"
#include "html.h"
#include "item_labels.h"
#include "outdir.h"
#include "svg.h"

static const char STYLE[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;"
    "color:#1a1a1a;background:#fff;margin:0;line-height:1.45}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem 3rem}\n"
    "h1{font-size:1.6rem;margin:.6rem 0 .2rem}\n"
    "h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #bbb;padding-bottom:.2rem}\n"
    "h3{font-size:1.05rem;margin:1.4rem 0 .4rem}\n"
    "p.meta{color:#555;margin-top:0}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right;vertical-align:top;"
    "white-space:nowrap}\n"
    "th{border-bottom:2px solid #999;vertical-align:bottom;white-space:normal}\n"
    "th.t,td.t{text-align:left;white-space:normal;overflow-wrap:break-word;min-width:8em}\n"
    "td.hidden{color:#666;font-style:italic}\n"
    HTML_HEAT_CSS
    "td.above{font-weight:700;color:#174f8c}\n"
    "td.below{font-weight:700;color:#9c3d00}\n"
    "@media print{.scroll{overflow:visible}}\n";

/* ------------------------------------------------------------------------ */
/* names                                                                      */

static bool kept(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* Byte i of id as the name writes it: itself, or %XX. */
static size_t escape_byte(const char *id, size_t i, bool escape_first, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c = (unsigned char)id[i];
    if (kept(c) && !(i == 0 && escape_first)) {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '%';
    out[1] = hex[c >> 4];
    out[2] = hex[c & 15];
    return 3;
}

void packs_file_name(const char *leader_id, char *buf)
{
    bool escape_first = strcmp(leader_id, "index") == 0 || leader_id[0] == '.';
    size_t need = 0;
    for (size_t i = 0; leader_id[i]; i++)
        need += kept((unsigned char)leader_id[i]) && !(i == 0 && escape_first) ? 1 : 3;
    size_t room = need <= PACKS_NAME_MAX ? PACKS_NAME_MAX : PACKS_NAME_MAX - 17;
    size_t n = 0;
    char one[3];
    for (size_t i = 0; leader_id[i]; i++) {
        size_t k = escape_byte(leader_id, i, escape_first, one);
        if (n + k > room)
            break;
        memcpy(buf + n, one, k);
        n += k;
    }
    if (need > PACKS_NAME_MAX) {
        char full[65];
        outdir_sha256_hex(leader_id, strlen(leader_id), full);
        buf[n++] = '~';
        memcpy(buf + n, full, 16);
        n += 16;
    }
    buf[n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* the layout of the tree, once                                               */

typedef struct {
    size_t n_rows, n_managers;
    size_t *node_row;        /* [tree node] leaders row, SIZE_MAX for none */
    size_t *manager_node;    /* [manager] tree node, ORG_NONE */
    size_t *own_team;        /* [row] the manager index of the leader's own team, SIZE_MAX */
    size_t *child_start;     /* [row + 1] into child: rows whose parent_row is row */
    size_t *child;
    bool *has_pack;          /* [row] shown on some scale (row 0: false) */
    char (*names)[PACKS_NAME_MAX + 1]; /* [row] file names (row 0 unused) */
    /* per scale: the change row of each manager (SIZE_MAX), and the
     * stand-outs ordered by their node's pre-order position */
    size_t **change_of;
    size_t **stand_outs, *n_stand_outs;
} layout_t;

static void layout_free(layout_t *L, size_t n_scales)
{
    free(L->node_row);
    free(L->manager_node);
    free(L->own_team);
    free(L->child_start);
    free(L->child);
    free(L->has_pack);
    free(L->names);
    for (size_t s = 0; s < n_scales; s++) {
        if (L->change_of)
            free(L->change_of[s]);
        if (L->stand_outs)
            free(L->stand_outs[s]);
    }
    free(L->change_of);
    free(L->stand_outs);
    free(L->n_stand_outs);
}

/* A stand-out with its node's pre-order position, for sorting. */
typedef struct {
    size_t position, manager;
} placed_t;

static int by_position(const void *a, const void *b)
{
    const placed_t *x = a, *y = b;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    return x->manager < y->manager ? -1 : x->manager > y->manager;
}

static bool layout_build(const report_input_t *in, const view_t *view, layout_t *L)
{
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    size_t nodes = org_size(org);
    memset(L, 0, sizeof *L);
    L->n_rows = l->n_rows;
    L->n_managers = dataset_n_managers(in->dataset);
    L->node_row = malloc((nodes ? nodes : 1) * sizeof *L->node_row);
    L->manager_node = malloc((L->n_managers ? L->n_managers : 1) * sizeof *L->manager_node);
    L->own_team = malloc(L->n_rows * sizeof *L->own_team);
    L->child_start = calloc(L->n_rows + 1, sizeof *L->child_start);
    L->child = malloc(L->n_rows * sizeof *L->child);
    L->has_pack = calloc(L->n_rows, sizeof *L->has_pack);
    L->names = malloc(L->n_rows * sizeof *L->names);
    L->change_of = calloc(view->n_scales ? view->n_scales : 1, sizeof *L->change_of);
    L->stand_outs = calloc(view->n_scales ? view->n_scales : 1, sizeof *L->stand_outs);
    L->n_stand_outs = calloc(view->n_scales ? view->n_scales : 1, sizeof *L->n_stand_outs);
    if (!L->node_row || !L->manager_node || !L->own_team || !L->child_start || !L->child || !L->has_pack ||
        !L->names || !L->change_of || !L->stand_outs || !L->n_stand_outs)
        return false;
    for (size_t v = 0; v < nodes; v++)
        L->node_row[v] = SIZE_MAX;
    for (size_t r = 0; r < L->n_rows; r++) {
        L->own_team[r] = SIZE_MAX;
        if (l->node[r] != ORG_NONE)
            L->node_row[l->node[r]] = r;
    }
    leaders_manager_nodes(in->dataset, L->manager_node);
    for (size_t m = 0; m < L->n_managers; m++) {
        size_t v = L->manager_node[m];
        if (v != ORG_NONE && L->node_row[v] != SIZE_MAX)
            L->own_team[L->node_row[v]] = m;
    }
    /* children: a counting sort by parent row keeps pre-order within each */
    for (size_t r = 1; r < L->n_rows; r++)
        L->child_start[l->parent_row[r] + 1]++;
    for (size_t r = 0; r < L->n_rows; r++)
        L->child_start[r + 1] += L->child_start[r];
    size_t *fill = malloc(L->n_rows * sizeof *fill);
    if (!fill)
        return false;
    memcpy(fill, L->child_start, L->n_rows * sizeof *fill);
    for (size_t r = 1; r < L->n_rows; r++)
        L->child[fill[l->parent_row[r]]++] = r;
    free(fill);
    for (size_t r = 1; r < L->n_rows; r++) {
        const char *id = org_id(org, l->node[r]);
        for (size_t s = 0; id && s < view->n_scales && !L->has_pack[r]; s++)   /* a leader has an id */
            L->has_pack[r] = view_leader_shown(view, s, r);
        packs_file_name(id ? id : "", L->names[r]);
    }
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        if (vs->changes) {
            L->change_of[s] = malloc((L->n_managers ? L->n_managers : 1) * sizeof **L->change_of);
            if (!L->change_of[s])
                return false;
            for (size_t m = 0; m < L->n_managers; m++)
                L->change_of[s][m] = SIZE_MAX;
            for (size_t i = 0; i < vs->changes->n_rows; i++) {
                size_t m = vs->changes->rows[i].current_manager;
                if (m != CHANGES_ABSENT && m < L->n_managers)
                    L->change_of[s][m] = i;
            }
        }
        size_t n = 0, total = vs->n_above + vs->n_below;
        L->stand_outs[s] = malloc((total ? total : 1) * sizeof **L->stand_outs);
        placed_t *placed = malloc((total ? total : 1) * sizeof *placed);
        if (!L->stand_outs[s] || !placed) {
            free(placed);
            return false;
        }
        for (size_t k = 0; k < total; k++) {
            size_t m = k < vs->n_above ? vs->above[k] : vs->below[k - vs->n_above];
            if (L->manager_node[m] != ORG_NONE)
                placed[n++] = (placed_t){ org_position(org, L->manager_node[m]), m };
        }
        qsort(placed, n, sizeof *placed, by_position);
        for (size_t k = 0; k < n; k++)
            L->stand_outs[s][k] = placed[k].manager;
        free(placed);
        L->n_stand_outs[s] = n;
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* cells                                                                      */

static void cell_figure(svg_out_t *o, double v, int decimals)
{
    svg_raw(o, "<td>");
    if (isfinite(v))
        svg_raw(o, figure_fixed(v, decimals).s);
    svg_raw(o, "</td>");
}

static void cell_count(svg_out_t *o, size_t n)
{
    svg_rawf(o, "<td>%zu</td>", n);
}

static void cell_interval(svg_out_t *o, double low, double high)
{
    svg_raw(o, "<td>");
    if (isfinite(low) && isfinite(high)) {
        svg_raw(o, figure_fixed(low, 2).s);
        svg_raw(o, " – ");
        svg_raw(o, figure_fixed(high, 2).s);
    }
    svg_raw(o, "</td>");
}

static void row_begin(svg_out_t *o, const char *level, const char *id)
{
    svg_rawf(o, "<tr data-g=\"%s:", level);
    svg_text(o, id);
    svg_raw(o, "\">");
}

static void head(svg_out_t *o, const char *const *names, size_t n)
{
    svg_raw(o, "<div class=\"scroll\"><table><thead><tr>");
    for (size_t i = 0; i < n; i++)
        svg_rawf(o, "<th%s>%s</th>", i == 0 ? " class=\"t\"" : "", names[i]);
    svg_raw(o, "</tr></thead><tbody>\n");
}

static void tail(svg_out_t *o)
{
    svg_raw(o, "</tbody></table></div>\n");
}

static const char *leader_label(const org_t *org, size_t node)
{
    const char *name = figures_leader_name(org, node);
    return name && *name ? name : org_id(org, node);
}

/* ------------------------------------------------------------------------ */
/* one pack                                                                   */

static const char *const ORG_COLUMNS[] = { "", "n", "response rate %", "mean", "95% interval",
                                           "favourable %", "neutral %", "unfavourable %" };

/* An org's row (leaders row r; 0: the company), its figures when shown. */
static void org_row(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s, size_t r,
                    const char *what)
{
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    const char *id = r == 0 ? "" : org_id(org, l->node[r]);
    if (!view_leader_shown(view, s, r)) {
        svg_raw(o, "<tr>");
        svg_cell_text(o, what);
        svg_rawf(o, "<td class=\"hidden\" colspan=\"%d\">not shown (fewer than %ld respondents, or they could "
                    "be worked out)</td></tr>\n",
                 (int)(sizeof ORG_COLUMNS / sizeof ORG_COLUMNS[0]) - 1, view->smallest_shown);
        return;
    }
    const leaders_figures_t *f = &l->scales[s].orgs[r];
    row_begin(o, r == 0 ? "company" : "leader", id);
    svg_cell_text(o, what);
    cell_count(o, f->n);
    if (l->invited[r] > 0 && view_response_rate_shown(view, l->invited[r]))
        cell_figure(o, participation_rate(&(participation_count_t){ l->invited[r], l->responded[r] }), 1);
    else
        svg_raw(o, "<td></td>");
    cell_figure(o, f->mean, 2);
    cell_interval(o, f->ci_low, f->ci_high);
    cell_figure(o, f->favourable_pct, 1);
    cell_figure(o, f->neutral_pct, 1);
    cell_figure(o, f->unfavourable_pct, 1);
    svg_raw(o, "</tr>\n");
}

/* A team by its manager's name (the roster's, else the id). */
static const char *team_label(const report_input_t *in, const layout_t *L, size_t m)
{
    size_t v = L->manager_node[m];
    return v == ORG_NONE ? dataset_manager_id(in->dataset, m) : leader_label(dataset_org(in->dataset), v);
}

static void team_row(svg_out_t *o, const report_input_t *in, const view_t *view, const layout_t *L, size_t s,
                     size_t m)
{
    const analysis_manager_t *a = &view->scales[s].results->managers[m];
    const char *id = dataset_manager_id(in->dataset, m);
    row_begin(o, "manager", id);
    svg_cell_text(o, team_label(in, L, m));
    cell_count(o, a->n);
    participation_count_t count;
    if (view_manager_participation(view, m, &count) && count.invited > 0)
        cell_figure(o, participation_rate(&count), 1);
    else
        svg_raw(o, "<td></td>");
    cell_figure(o, a->mean, 2);
    cell_interval(o, a->ci_low, a->ci_high);
    cell_figure(o, a->favourable_pct, 1);
    cell_figure(o, a->neutral_pct, 1);
    cell_figure(o, a->unfavourable_pct, 1);
    svg_raw(o, "</tr>\n");
}

/* The groups of a pack's heatmap and team lists, for one scale. */
typedef struct {
    size_t *rows, n_rows;          /* shown child orgs */
    size_t *teams, n_teams;        /* shown direct teams: own first, then children's */
    size_t hidden_rows, hidden_teams;
} groups_t;

static void pick_groups(const view_t *view, const layout_t *L, size_t s, size_t r, groups_t *g)
{
    g->n_rows = g->n_teams = g->hidden_rows = g->hidden_teams = 0;
    size_t own = L->own_team[r];
    if (own != SIZE_MAX) {
        if (view_manager_shown(view, s, own))
            g->teams[g->n_teams++] = own;
        else if (view->scales[s].results->managers[own].n > 0)
            g->hidden_teams++;
    }
    for (size_t k = L->child_start[r]; k < L->child_start[r + 1]; k++) {
        size_t c = L->child[k];
        if (view_leader_shown(view, s, c))
            g->rows[g->n_rows++] = c;
        else
            g->hidden_rows++;
        size_t m = L->own_team[c];
        if (m != SIZE_MAX) {
            if (view_manager_shown(view, s, m))
                g->teams[g->n_teams++] = m;
            else if (view->scales[s].results->managers[m].n > 0)
                g->hidden_teams++;
        }
    }
}

static void heat_cell(svg_out_t *o, const view_t *view, size_t s, heatmap_level_t level, size_t g, size_t i)
{
    const heatmap_scale_t *hs = &view->heatmap->scales[s];
    if (!view_heatmap_shown(view, s, level, g, i)) {
        svg_raw(o, "<td class=\"hm hid hidden\">hidden</td>");
        return;
    }
    analysis_stands_out_t so = view_heatmap_stands_out(view, s, level, g, i);
    const heatmap_cell_t *c = heatmap_cell(hs, level, g, i);
    /* coloured as report.html colours its heatmap: by the difference from the company */
    const char *step = level == HEATMAP_COMPANY || !isfinite(c->delta_favourable) ? "z" : html_heat_class(c->delta_favourable);
    svg_rawf(o, "<td class=\"hm %s%s\">", step,
             so == ANALYSIS_ABOVE ? " up above" : so == ANALYSIS_BELOW ? " down below" : "");
    double v = c->favourable_pct;
    if (isfinite(v))
        svg_raw(o, figure_fixed(v, 1).s);
    svg_raw(o, so == ANALYSIS_ABOVE ? " ▲</td>" : so == ANALYSIS_BELOW ? " ▼</td>" : "</td>");
}

static void heatmap_section(svg_out_t *o, const report_input_t *in, const view_t *view, const layout_t *L,
                            size_t s, size_t r, const groups_t *g)
{
    const heatmap_scale_t *hs = &view->heatmap->scales[s];
    const org_t *org = dataset_org(in->dataset);
    item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, hs->scale);
    svg_raw(o, "<h3>Items: favourable share (%)</h3>\n<div class=\"scroll\"><table><thead><tr><th class=\"t\"></th>");
    for (size_t i = 0; i < hs->n_items; i++) {
        svg_raw(o, "<th>");
        svg_text(o, labels ? labels->text[i] : dataset_column_name(in->dataset, hs->scale->items[i]));
        svg_raw(o, "</th>");
    }
    svg_raw(o, "</tr></thead><tbody>\n");
    item_labels_free(labels);
    struct {
        heatmap_level_t level;
        size_t g;
        const char *kind, *id, *label;
    } line;
    size_t total = 2 + g->n_rows + g->n_teams;
    for (size_t k = 0; k < total; k++) {
        if (k == 0) {
            line.level = HEATMAP_COMPANY, line.g = 0, line.kind = "company", line.id = "", line.label = "Company";
        } else if (k <= 1 + g->n_rows) {
            size_t row = k == 1 ? r : g->rows[k - 2];
            size_t v = view->leaders->node[row];
            line.level = HEATMAP_LEADER, line.g = row - 1, line.kind = "leader", line.id = org_id(org, v);
            line.label = leader_label(org, v);
        } else {
            size_t m = g->teams[k - 2 - g->n_rows];
            line.level = HEATMAP_MANAGER, line.g = m, line.kind = "manager";
            line.id = dataset_manager_id(in->dataset, m);
            line.label = team_label(in, L, m);
        }
        bool any = false;
        for (size_t i = 0; i < hs->n_items && !any; i++)
            any = view_heatmap_shown(view, s, line.level, line.g, i);
        if (any)
            row_begin(o, line.kind, line.id);
        else
            svg_raw(o, "<tr>");
        svg_raw(o, "<td class=\"t\">");
        svg_text(o, k == 1 ? "This org" : line.label);
        if (k > 1)
            svg_raw(o, line.level == HEATMAP_LEADER ? " · org" : " · team");
        svg_raw(o, "</td>");
        for (size_t i = 0; i < hs->n_items; i++)
            heat_cell(o, view, s, line.level, line.g, i);
        svg_raw(o, "</tr>\n");
    }
    tail(o);
    svg_raw(o, "<p class=\"meta\">▲ and ▼: beyond the item's 99.8% funnel limit for a group of that size. "
               "A hidden cell is not shown: too few answered, or its figure could be worked out from others.</p>\n");
}

static void changes_section(svg_out_t *o, const report_input_t *in, const view_t *view, const layout_t *L,
                            size_t s, const groups_t *g)
{
    const view_scale_t *vs = &view->scales[s];
    static const char *const names[] = { "team", "n before", "mean before", "n now", "mean now", "change",
                                         "95% interval", "q-value" };
    svg_raw(o, "<h3>Changes since the previous wave</h3>\n");
    size_t shown = 0;
    for (size_t k = 0; k < g->n_teams; k++) {
        size_t i = L->change_of[s][g->teams[k]];
        if (i == SIZE_MAX || !view_change_shown(view, s, i))
            continue;
        if (shown++ == 0)
            head(o, names, sizeof names / sizeof names[0]);
        const changes_row_t *row = &vs->changes->rows[i];
        row_begin(o, "change", row->manager_id);
        svg_cell_text(o, team_label(in, L, g->teams[k]));
        cell_count(o, row->previous.n);
        cell_figure(o, row->previous.mean, 2);
        cell_count(o, row->current.n);
        cell_figure(o, row->current.mean, 2);
        svg_raw(o, "<td>");
        if (isfinite(row->welch.delta))
            svg_raw(o, figure_signed(row->welch.delta, 2).s);
        svg_raw(o, "</td>");
        cell_interval(o, row->welch.ci_low, row->welch.ci_high);
        double q = vs->change_decision->q[i];
        if (isfinite(q) && q < 0.001)
            svg_raw(o, "<td>&lt;0.001</td>");
        else
            cell_figure(o, q, 3);
        svg_raw(o, "</tr>\n");
    }
    if (shown)
        tail(o);
    else
        svg_raw(o, "<p>No change of a direct team is shown (a team is shown in both waves, or not at all).</p>\n");
}

static void stand_out_section(svg_out_t *o, const report_input_t *in, const view_t *view, const layout_t *L,
                              size_t s, size_t r)
{
    const org_t *org = dataset_org(in->dataset);
    size_t v = view->leaders->node[r];
    size_t from = org_position(org, v), to = org_subtree_end(org, v);
    const size_t *list = L->stand_outs[s];
    size_t n = L->n_stand_outs[s];
    /* the first stand-out at or after the leader's position */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (org_position(org, L->manager_node[list[mid]]) < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    static const char *const names[] = { "team", "n", "mean", "99.8% limits", "" };
    svg_raw(o, "<h3>Teams of the org that stand out</h3>\n");
    size_t shown = 0;
    for (size_t k = lo; k < n && org_position(org, L->manager_node[list[k]]) < to; k++) {
        size_t m = list[k];
        analysis_funnel_t f = view_funnel(view, s, m);
        const analysis_manager_t *a = &view->scales[s].results->managers[m];
        if (shown++ == 0)
            head(o, names, sizeof names / sizeof names[0]);
        const char *id = dataset_manager_id(in->dataset, m);
        row_begin(o, "manager", id);
        svg_cell_text(o, team_label(in, L, m));
        cell_count(o, a->n);
        cell_figure(o, a->mean, 2);
        cell_interval(o, f.low998, f.high998);
        svg_raw(o, f.stands_out == ANALYSIS_ABOVE ? "<td class=\"t\">above</td>" : "<td class=\"t\">below</td>");
        svg_raw(o, "</tr>\n");
    }
    if (shown)
        tail(o);
    else
        svg_raw(o, "<p>No shown team of the org lies beyond its 99.8% funnel limits.</p>\n");
}

static void page_begin(svg_out_t *o, const char *title)
{
    svg_raw(o, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
               "<meta charset=\"utf-8\"/>\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>");
    svg_text(o, title);
    svg_raw(o, "</title>\n<style>\n");
    svg_raw(o, STYLE);
    svg_raw(o, "</style>\n</head>\n<body>\n<main>\n");
}

static void page_end(svg_out_t *o)
{
    svg_raw(o, "</main>\n</body>\n</html>\n");
}

/* A link to leaders row r's pack: its file name as a URL path, whose only
 * byte to encode is the escapes' own "%" (written %25). */
static void link_to(svg_out_t *o, const layout_t *L, const org_t *org, const leaders_t *l, size_t r)
{
    svg_raw(o, "<a href=\"");
    for (const char *p = L->names[r]; *p; p++)
        if (*p == '%')
            svg_raw(o, "%25");
        else
            svg_rawf(o, "%c", *p);
    svg_raw(o, ".html\">");
    svg_text(o, leader_label(org, l->node[r]));
    svg_raw(o, "</a>");
}

static engage_status_t write_pack(const report_input_t *in, const view_t *view, const layout_t *L, size_t r,
                                  groups_t *g, const char *path, char hex[65], engage_error_t *err)
{
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    size_t v = l->node[r];
    svg_out_t *o;
    engage_status_t rc = svg_out_open(&o, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    page_begin(o, leader_label(org, v));
    svg_raw(o, "<h1>");
    svg_text(o, leader_label(org, v));
    svg_raw(o, "</h1>\n<p class=\"meta\">Leader ");
    svg_text(o, org_id(org, v));
    svg_raw(o, " · reports to ");
    size_t up = l->parent_row[r];
    if (up == 0)
        svg_raw(o, "the company");
    else if (L->has_pack[up])
        link_to(o, L, org, l, up);
    else
        svg_text(o, leader_label(org, l->node[up]));
    svg_raw(o, " · <a href=\"index.html\">all packs</a></p>\n");
    bool any_child = false;
    for (size_t k = L->child_start[r]; k < L->child_start[r + 1]; k++)
        if (L->has_pack[L->child[k]]) {
            svg_raw(o, any_child ? ", " : "<p>Child orgs: ");
            link_to(o, L, org, l, L->child[k]);
            any_child = true;
        }
    if (any_child)
        svg_raw(o, "</p>\n");
    svg_rawf(o, "<p>The org is everyone below this leader. Figures of a group with fewer than %ld respondents, "
                "or that could be worked out from what is shown, are not shown.</p>\n",
             view->smallest_shown);

    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        svg_raw(o, "<h2>");
        svg_text(o, vs->results->scale->name);
        svg_raw(o, "</h2>\n");
        if (!view_leader_shown(view, s, r)) {
            svg_raw(o, "<p>The org's figures on this scale are not shown.</p>\n");
            continue;
        }
        svg_raw(o, "<h3>The org, its parent's and the company</h3>\n");
        head(o, ORG_COLUMNS, sizeof ORG_COLUMNS / sizeof ORG_COLUMNS[0]);
        org_row(o, in, view, s, r, "This org");
        if (up != 0)
            org_row(o, in, view, s, up, "Parent's org");
        org_row(o, in, view, s, 0, "Company");
        tail(o);

        pick_groups(view, L, s, r, g);
        svg_raw(o, "<h3>Child orgs</h3>\n");
        if (g->n_rows > 0) {
            head(o, ORG_COLUMNS, sizeof ORG_COLUMNS / sizeof ORG_COLUMNS[0]);
            for (size_t k = 0; k < g->n_rows; k++)
                org_row(o, in, view, s, g->rows[k], leader_label(org, l->node[g->rows[k]]));
            tail(o);
        }
        if (g->hidden_rows > 0)
            svg_rawf(o, "<p>%zu child org%s not shown.</p>\n", g->hidden_rows, g->hidden_rows == 1 ? "" : "s");
        else if (g->n_rows == 0)
            svg_raw(o, "<p>No child org.</p>\n");

        svg_raw(o, "<h3>Direct teams</h3>\n");
        if (g->n_teams > 0) {
            head(o, ORG_COLUMNS, sizeof ORG_COLUMNS / sizeof ORG_COLUMNS[0]);
            for (size_t k = 0; k < g->n_teams; k++)
                team_row(o, in, view, L, s, g->teams[k]);
            tail(o);
        }
        if (g->hidden_teams > 0)
            svg_rawf(o, "<p>%zu team%s not shown.</p>\n", g->hidden_teams, g->hidden_teams == 1 ? "" : "s");
        else if (g->n_teams == 0)
            svg_raw(o, "<p>No direct team.</p>\n");

        if (view->heatmap && s < view->heatmap->n_scales)
            heatmap_section(o, in, view, L, s, r, g);
        if (vs->changes)
            changes_section(o, in, view, L, s, g);
        stand_out_section(o, in, view, L, s, r);
    }
    page_end(o);
    return svg_out_close(o, hex, err);
}

static engage_status_t write_index(const report_input_t *in, const view_t *view, const layout_t *L,
                                   const char *path, char hex[65], engage_error_t *err)
{
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    svg_out_t *o;
    engage_status_t rc = svg_out_open(&o, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    page_begin(o, "Leader packs");
    svg_raw(o, "<h1>Leader packs</h1>\n<p>One page per leader whose org is shown, in the order of the "
               "reporting tree; n is the org's scored respondents on each scale.</p>\n");
    svg_raw(o, "<div class=\"scroll\"><table><thead><tr><th class=\"t\">leader</th><th class=\"t\">id</th>"
               "<th>level</th>");
    for (size_t s = 0; s < view->n_scales; s++) {
        svg_raw(o, "<th>n: ");
        svg_text(o, view->scales[s].results->scale->name);
        svg_raw(o, "</th>");
    }
    svg_raw(o, "</tr></thead><tbody>\n");
    for (size_t r = 1; r < L->n_rows; r++) {
        if (!L->has_pack[r])
            continue;
        size_t v = l->node[r];
        row_begin(o, "leader", org_id(org, v));
        svg_raw(o, "<td class=\"t\">");
        link_to(o, L, org, l, r);
        svg_raw(o, "</td>");
        svg_cell_text(o, org_id(org, v));
        cell_count(o, org_depth(org, v));
        for (size_t s = 0; s < view->n_scales; s++) {
            if (view_leader_shown(view, s, r))
                cell_count(o, l->scales[s].orgs[r].n);
            else
                svg_raw(o, "<td class=\"hidden\">hidden</td>");
        }
        svg_raw(o, "</tr>\n");
    }
    tail(o);
    page_end(o);
    return svg_out_close(o, hex, err);
}

/* ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    char hex[65];
} listed_t;

static int by_file_name(const void *a, const void *b)
{
    return strcmp(((const listed_t *)a)->name, ((const listed_t *)b)->name);
}

/* The packs are written by PACK_WORKERS threads, each taking the next pack
 * in tree order, so that one formats while the other waits for the file
 * system.  Each pack's bytes are its own, so the files are the same
 * whichever thread writes them; a failure is the first pack's in tree
 * order that fails, as if they were written one by one (every pack before
 * it was taken, and is finished, before the workers stop). */
enum { PACK_WORKERS = 2 };

typedef struct {
    const report_input_t *in;
    const view_t *view;
    const layout_t *L;
    const char *dir;
    const size_t *pack_row;    /* [pack] its leaders row, in tree order */
    listed_t *listed;          /* [pack] */
    size_t n_packs, most_children;
    atomic_size_t next;        /* the next pack to take */
    atomic_bool stop;          /* a pack failed: take no more */
} pack_jobs_t;

typedef struct {
    pack_jobs_t *jobs;
    size_t failed;             /* the first pack this worker failed on, or SIZE_MAX */
    engage_status_t rc;
    engage_error_t err;
} pack_worker_t;

static void *pack_worker(void *arg)
{
    pack_worker_t *w = arg;
    pack_jobs_t *j = w->jobs;
    groups_t g = { 0 };
    g.rows = malloc((j->most_children + 1) * sizeof *g.rows);
    g.teams = malloc((j->most_children + 2) * sizeof *g.teams);
    char *path = malloc(strlen(j->dir) + PACKS_NAME_MAX + 16);
    w->failed = SIZE_MAX;
    w->rc = ENGAGE_OK;
    while (!atomic_load(&j->stop)) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->n_packs)
            break;
        size_t r = j->pack_row[k];
        if (!g.rows || !g.teams || !path)
            w->rc = engage_fail(&w->err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        else {
            sprintf(path, "%s/%s.html", j->dir, j->L->names[r]);
            w->rc = write_pack(j->in, j->view, j->L, r, &g, path, j->listed[k].hex, &w->err);
        }
        if (w->rc != ENGAGE_OK) {
            w->failed = k;
            atomic_store(&j->stop, true);
            break;
        }
    }
    free(g.rows);
    free(g.teams);
    free(path);
    return NULL;
}

/* Every leader's pack into dir, names and digests into listed[0 ..
 * n_packs - 1] in tree order. */
static engage_status_t write_leader_packs(pack_jobs_t *j, engage_error_t *err)
{
    pack_worker_t w[PACK_WORKERS];
    pthread_t thread[PACK_WORKERS];
    bool started[PACK_WORKERS] = { false };
    for (size_t t = 0; t < PACK_WORKERS; t++)
        w[t] = (pack_worker_t){ .jobs = j };
    /* worker 0 is this thread; a worker that cannot start leaves its
     * share to the others */
    for (size_t t = 1; t < PACK_WORKERS; t++)
        started[t] = pthread_create(&thread[t], NULL, pack_worker, &w[t]) == 0;
    pack_worker(&w[0]);
    for (size_t t = 1; t < PACK_WORKERS; t++)
        if (started[t])
            pthread_join(thread[t], NULL);
    size_t first = 0;
    for (size_t t = 1; t < PACK_WORKERS; t++)
        if (started[t] && w[t].failed < w[first].failed)
            first = t;
    if (w[first].failed == SIZE_MAX)
        return ENGAGE_OK;
    if (err)
        *err = w[first].err;
    return w[first].rc;
}

engage_status_t packs_write(const report_input_t *in, const view_t *view, const char *dir,
                            char sha256_hex[65], engage_error_t *err)
{
    if (mkdir(dir, 0777) != 0)
        return engage_fail(err, ENGAGE_ECANTCREAT, dir, 0, "cannot create the folder: %s", strerror(errno));
    layout_t L;
    listed_t *listed = NULL;
    size_t *pack_row = NULL;
    char *path = NULL;
    digest_t *d = NULL;
    engage_status_t rc = ENGAGE_OK;
    memset(&L, 0, sizeof L);
    if (view->with_tree && view->leaders && !layout_build(in, view, &L)) {
        rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    size_t most = 0;
    for (size_t r = 1; r < L.n_rows; r++)
        if (L.child_start[r + 1] - L.child_start[r] > most)
            most = L.child_start[r + 1] - L.child_start[r];
    listed = malloc((L.n_rows + 1) * sizeof *listed);
    pack_row = malloc((L.n_rows + 1) * sizeof *pack_row);
    path = malloc(strlen(dir) + PACKS_NAME_MAX + 16);
    d = digest_new();
    if (!listed || !pack_row || !path || !d) {
        rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    size_t n = 0;
    for (size_t r = 1; r < L.n_rows; r++)
        if (L.has_pack[r]) {
            pack_row[n] = r;
            listed[n].name = L.names[r];
            n++;
        }
    pack_jobs_t jobs = { .in = in, .view = view, .L = &L, .dir = dir, .pack_row = pack_row,
                         .listed = listed, .n_packs = n, .most_children = most };
    atomic_init(&jobs.next, 0);
    atomic_init(&jobs.stop, false);
    rc = write_leader_packs(&jobs, err);
    if (rc == ENGAGE_OK) {
        sprintf(path, "%s/index.html", dir);
        listed[n].name = "index.html";
        rc = write_index(in, view, &L, path, listed[n].hex, err);
        n++;
    }
    if (rc == ENGAGE_OK) {
        /* the listing names the files: LEADER.html */
        char (*file)[PACKS_NAME_MAX + 8] = malloc(n * sizeof *file);
        if (!file) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp(listed[k].name, "index.html") == 0)
                snprintf(file[k], sizeof file[k], "%s", listed[k].name);
            else
                snprintf(file[k], sizeof file[k], "%s.html", listed[k].name);
            listed[k].name = file[k];
        }
        qsort(listed, n, sizeof *listed, by_file_name);
        for (size_t k = 0; k < n; k++)
            digest_listing_line(d, listed[k].hex, listed[k].name);
        digest_hex(d, sha256_hex);
        free(file);
    }
done:
    layout_free(&L, view->n_scales);
    free(listed);
    free(pack_row);
    free(path);
    digest_free(d);
    return rc;
}
