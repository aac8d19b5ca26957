/*
 * report/drivers_html.c — the "Where to act" section of report.html
 * (drivers_html.h), rendered from the view's drivers: it draws and lists
 * what drivers.c computed and view.c publishes (the company's drivers, and
 * a row per unit the view shows), and decides nothing.
 * Owns: nothing beyond the call.
 * Assumes: the page's stylesheet (html.c) has the plot classes used here.
 */
#include "drivers_html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Plot geometry (SVG user units), as the page's other plots. */
enum { W = 760, LEFT = 62, RIGHT = 22, TOP = 30, BOTTOM = 50, PLOT_H = 340, LABEL_CHARS = 28 };

static double px(double fav)
{
    return LEFT + fav / 100.0 * (W - LEFT - RIGHT);
}

static double py(double share, double top_share)
{
    return TOP + PLOT_H - share / top_share * PLOT_H;
}

/* The y axis's top: the largest share rounded up to a tenth (at least 0.1). */
static double top_of(const drivers_outcome_t *oc)
{
    double top = 0.1;
    for (size_t j = 0; j < oc->n_items; j++)
        if (oc->items[j].share_r2 > top)
            top = oc->items[j].share_r2;
    return ceil(top * 10 - 1e-9) / 10;
}

static void scatter(svg_out_t *o, const char *outcome, const drivers_outcome_t *oc, size_t index)
{
    char id[48], title[512], desc[512], num[64], fav[64], share[64];
    snprintf(id, sizeof id, "drivers-%zu", index + 1);
    snprintf(title, sizeof title, "Where to act on %s: each driver's share of R² against its favourable share",
             outcome);
    snprintf(desc, sizeof desc,
             "%zu drivers, each a dot at its favourable share (per cent, across) and its share of the "
             "explained variance (up). Dots right of the line at %s%% are more favourable than the median "
             "driver; dots above the line at %s%% matter more than the average one. Orange dots, upper "
             "left, are where to act.",
             oc->n_items, svg_fixed(oc->act_favourable, 1, fav, sizeof fav),
             svg_fixed(100 * oc->act_share, 1, share, sizeof share));
    double top = top_of(oc);
    svg_begin(o, id, W, TOP + PLOT_H + BOTTOM, title, desc);
    double right = W - RIGHT;
    for (int t = 0; t <= 4; t++) {   /* favourable: 0, 25, ..., 100 */
        double x = px(25.0 * t);
        svg_line(o, x, TOP, x, TOP + PLOT_H, "grid");
        svg_line(o, x, TOP + PLOT_H, x, TOP + PLOT_H + 5, "tickmark");
        svg_label(o, x, TOP + PLOT_H + 18, "middle", "tick", svg_fixed(25.0 * t, 0, num, sizeof num), 0);
    }
    int steps = (int)lround(top * 10);
    for (int t = 0; t <= steps; t++) {   /* share of R²: tenths */
        double y = py(t / 10.0, top);
        svg_line(o, LEFT, y, right, y, "grid");
        svg_label(o, LEFT - 6, y + 4, "end", "tick", svg_fixed(10.0 * t, 0, num, sizeof num), 0);
    }
    svg_rect(o, LEFT, TOP, right - LEFT, PLOT_H, "frame");
    svg_label(o, LEFT + (right - LEFT) / 2, TOP + PLOT_H + 40, "middle", "axis", "favourable answers (%)", 0);
    svg_label(o, 4, TOP - 12, "start", "axis", "share of R² (%)", 0);
    if (isfinite(oc->act_favourable))
        svg_line(o, px(oc->act_favourable), TOP, px(oc->act_favourable), TOP + PLOT_H, "sep");
    if (isfinite(oc->act_share) && oc->act_share <= top)
        svg_line(o, LEFT, py(oc->act_share, top), right, py(oc->act_share, top), "sep");
    for (size_t j = 0; j < oc->n_items; j++) {
        const drivers_item_t *it = &oc->items[j];
        if (!isfinite(it->share_r2) || !isfinite(it->favourable_pct))
            continue;
        double x = px(it->favourable_pct), y = py(it->share_r2, top);
        char tip[512];
        snprintf(tip, sizeof tip, "%s: %s%% of R², %s%% favourable", it->name,
                 svg_fixed(100 * it->share_r2, 1, share, sizeof share), svg_fixed(it->favourable_pct, 1, fav, sizeof fav));
        svg_circle(o, x, y, 4, it->where_to_act ? "dot below" : "dot", tip);
        /* the ones to act on are named; the rest too while they are few */
        if (it->where_to_act || oc->n_items <= 12) {
            bool left_side = x > right - 180;
            svg_label(o, left_side ? x - 7 : x + 7, y + 4, left_side ? "end" : "start",
                      it->where_to_act ? "label below" : "label", it->name, LABEL_CHARS);
        }
    }
    svg_end(o);
}

static void cell_number(svg_out_t *o, double v, int decimals)
{
    svg_raw(o, "<td>");
    svg_number(o, v, decimals);
    svg_raw(o, "</td>");
}

static void table(svg_out_t *o, const drivers_outcome_t *oc)
{
    svg_raw(o, "<div class=\"scroll\"><table>\n<thead><tr><th class=\"t\">driver</th><th>r</th>"
               "<th>share of R² (%)</th><th>95% interval</th><th>favourable (%)</th>"
               "<th class=\"t\">where to act</th></tr></thead>\n<tbody>\n");
    for (size_t j = 0; j < oc->n_items; j++) {
        const drivers_item_t *it = &oc->items[j];
        char low[48], high[48];
        svg_raw(o, "<tr>");
        svg_cell_text(o, it->name);
        cell_number(o, it->r, 2);
        cell_number(o, 100 * it->share_r2, 1);
        svg_raw(o, "<td>");
        if (isfinite(it->share_r2_ci_low)) {
            svg_text(o, svg_fixed(100 * it->share_r2_ci_low, 1, low, sizeof low));
            svg_raw(o, " – ");
            svg_text(o, svg_fixed(100 * it->share_r2_ci_high, 1, high, sizeof high));
        }
        svg_raw(o, "</td>");
        cell_number(o, it->favourable_pct, 1);
        svg_cell_text(o, it->where_to_act ? "yes" : "");
        svg_raw(o, "</tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n");
}

/* The units whose drivers the view publishes for outcome `index`: a row
 * each with the unit's complete cases, R², the driver drivers.c found most
 * important with its share of R² and interval, and its drivers where to act. */
static void units_table(svg_out_t *o, const view_t *view, size_t index)
{
    const drivers_t *d = view->drivers;
    size_t shown = 0;
    for (size_t u = 0; u < d->n_units; u++)
        shown += view_drivers_unit_shown(view, index, u);
    if (!shown)
        return;
    svg_raw(o, "<h4>By unit</h4>\n<p>The units drivers.csv has rows for, each with its own regression over its "
               "managers' respondents: its most important driver, that driver's share of the unit's R² with its "
               "95% interval, and the unit's drivers where to act.</p>\n");
    svg_raw(o, "<div class=\"scroll\"><table>\n<thead><tr><th class=\"t\">unit</th><th>complete cases</th>"
               "<th>R² (%)</th><th class=\"t\">top driver</th><th>share of R² (%)</th><th>95% interval</th>"
               "<th class=\"t\">where to act</th></tr></thead>\n<tbody>\n");
    for (size_t u = 0; u < d->n_units; u++) {
        if (!view_drivers_unit_shown(view, index, u))
            continue;
        const drivers_outcome_t *uo = &d->unit_outcomes[index * d->n_units + u];
        const drivers_item_t *top = uo->top == SIZE_MAX ? NULL : &uo->items[uo->top];
        char low[48], high[48];
        svg_raw(o, "<tr>");
        svg_cell_text(o, d->unit_names[u]);
        svg_rawf(o, "<td>%zu</td>", uo->n_complete);
        cell_number(o, 100 * uo->r2, 1);
        svg_cell_text(o, top ? top->name : "");
        cell_number(o, top ? 100 * top->share_r2 : NAN, 1);
        svg_raw(o, "<td>");
        if (top && isfinite(top->share_r2_ci_low)) {
            svg_text(o, svg_fixed(100 * top->share_r2_ci_low, 1, low, sizeof low));
            svg_raw(o, " – ");
            svg_text(o, svg_fixed(100 * top->share_r2_ci_high, 1, high, sizeof high));
        }
        svg_raw(o, "</td><td class=\"t\">");
        const char *sep = "";
        for (size_t j = 0; j < uo->n_items; j++) {
            if (!uo->items[j].where_to_act)
                continue;
            svg_raw(o, sep);
            svg_text(o, uo->items[j].name);
            sep = ", ";
        }
        svg_raw(o, "</td></tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n");
}

void drivers_html_section(svg_out_t *o, const report_input_t *in, const view_t *view)
{
    const drivers_t *d = view->drivers;
    if (!d || !d->n_outcomes)
        return;
    svg_raw(o, "<section id=\"drivers\">\n<h2>Where to act: key drivers</h2>\n");
    for (size_t i = 0; i < d->n_outcomes; i++) {
        const drivers_outcome_t *oc = &d->outcomes[i];
        const char *name = dataset_scale(in->dataset, oc->outcome)->name;
        svg_raw(o, "<h3>");
        svg_text(o, name);
        svg_raw(o, "</h3>\n");
        if (!view_drivers_shown(view, i) || !isfinite(oc->r2)) {
            svg_rawf(o, "<p class=\"note\">Over %zu complete cases the drivers' weights cannot be shown: "
                        "too few respondents answered every driver, or a driver does not vary or repeats "
                        "others (report.txt says which).</p>\n", oc->n_complete);
            continue;
        }
        char r2[48];
        svg_rawf(o, "<p>Over %zu respondents scored on ", oc->n_complete);
        svg_text(o, name);
        svg_raw(o, " who answered every driver, the drivers together account for ");
        svg_text(o, svg_fixed(100 * oc->r2, 1, r2, sizeof r2));
        svg_raw(o, "% of its variance (R²). Each driver's share of it (relative weights) is plotted against "
                   "how favourably it is answered: the drivers upper left matter more than the average one "
                   "and are answered less favourably than most.</p>\n");
        size_t acts = 0;
        for (size_t j = 0; j < oc->n_items; j++)
            acts += oc->items[j].where_to_act;
        if (acts) {
            svg_raw(o, "<p><strong>Where to act:</strong> ");
            size_t said = 0;
            for (size_t j = 0; j < oc->n_items; j++) {
                if (!oc->items[j].where_to_act)
                    continue;
                svg_raw(o, said == 0 ? "" : said + 1 == acts ? " and " : ", ");
                svg_text(o, oc->items[j].name);
                said++;
            }
            svg_raw(o, ".</p>\n");
        } else {
            svg_raw(o, "<p>No driver is both more important than the average one and less favourable than "
                       "most.</p>\n");
        }
        svg_raw(o, "<figure>\n<div class=\"scroll\">\n");
        scatter(o, name, oc, i);
        svg_raw(o, "</div>\n</figure>\n");
        table(o, oc);
        units_table(o, view, i);
    }
    svg_raw(o, "</section>\n");
}
