/*
 * report/trend_html.c — the small multiples of report.html's history (see
 * trend_html.h).  Owns nothing past the call.  Draws only rows the view
 * shows (view_t.trend); the y axis spans the scale's range, so panels
 * compare at a glance; a panel is drawn for the company and for each unit
 * with a shown wave, in trend.csv's order.
 */
#include "trend_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"

/* Panel geometry (SVG user units): three panels a row in a 760 wide plot. */
enum { PANEL_W = 248, PANEL_H = 170, PANEL_COLS = 3, PAD_L = 34, PAD_R = 10, PAD_T = 22, PAD_B = 30 };

typedef struct {
    size_t first, count;   /* the group's rows in the trend: [first, first + count) */
} group_rows_t;

/* The groups drawn: the company, then each unit with a shown wave. */
static size_t panels(const trend_scale_t *ts, const trend_view_t *tv, size_t s, group_rows_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->n_rows;) {
        size_t j = i;
        bool any = false;
        while (j < ts->n_rows && ts->rows[j].level == ts->rows[i].level &&
               strcmp(ts->rows[j].group, ts->rows[i].group) == 0) {
            any = any || trend_view_shown(tv, s, j);
            j++;
        }
        if (any && (ts->rows[i].level == TREND_COMPANY || ts->rows[i].level == TREND_UNIT))
            out[n++] = (group_rows_t){ i, j - i };
        i = j;
    }
    return n;
}

static void panel(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s, const group_rows_t *g,
                  double x0, double y0)
{
    const trend_t *trend = in->trend;
    const trend_scale_t *ts = &trend->scales[s];
    const trend_row_t *first = &ts->rows[g->first];
    double lo = ts->scale->min, hi = ts->scale->max;
    double left = x0 + PAD_L, top = y0 + PAD_T, width = PANEL_W - PAD_L - PAD_R, height = PANEL_H - PAD_T - PAD_B;
    size_t W = trend->n_waves;
#define X(w) (left + (W > 1 ? (double)(w) / (double)(W - 1) * width : width / 2))
#define Y(v) (top + height - ((fmin(fmax((v), lo), hi) - lo) / (hi - lo)) * height)
    const char *name = first->level == TREND_COMPANY ? "Company" : first->group[0] ? first->group : "(no unit)";
    svg_label(o, x0 + PAD_L, y0 + 14, "start", "axis", name, 28);
    for (int t = 0; t <= 4; t++) {
        double v = lo + (hi - lo) * t / 4;
        svg_line(o, left, Y(v), left + width, Y(v), "grid");
        svg_label(o, left - 4, Y(v) + 4, "end", "tick", figure_fixed(v, fabs(v - round(v)) < 1e-9 ? 0 : 1).s, 0);
    }
    svg_rect(o, left, top, width, height, "frame");
    for (size_t w = 0; w < W; w++)
        if (w == 0 || w + 1 == W || W <= 4)
            svg_label(o, X(w), top + height + 14, w == 0 && W > 1 ? "start" : w + 1 == W && W > 1 ? "end" : "middle",
                      "tick", in->wave_labels[w], 10);
    /* the line through consecutive shown waves, then each wave's interval and mean */
    double *xy = malloc(2 * g->count * sizeof *xy);
    size_t run = 0;
    for (size_t k = 0; xy && k <= g->count; k++) {
        const trend_row_t *row = k < g->count ? &ts->rows[g->first + k] : NULL;
        bool shown = row && trend_view_shown(view->trend, s, g->first + k) && isfinite(row->mean);
        bool joined = shown && run > 0 && row->previous_row == g->first + k - 1;
        if (!joined && run > 1)
            svg_polyline(o, xy, run, "bandmean");
        if (!joined)
            run = 0;
        if (shown) {
            xy[2 * run] = X(row->wave);
            xy[2 * run + 1] = Y(row->mean);
            run++;
        }
    }
    free(xy);
    for (size_t k = 0; k < g->count; k++) {
        const trend_row_t *row = &ts->rows[g->first + k];
        if (!trend_view_shown(view->trend, s, g->first + k) || !isfinite(row->mean))
            continue;
        if (isfinite(row->ci_low) && isfinite(row->ci_high))
            svg_line(o, X(row->wave), Y(row->ci_low), X(row->wave), Y(row->ci_high), "ci");
        char tip[512];
        snprintf(tip, sizeof tip, "%s, %s: mean %s, 95%% CI %s to %s, n %zu", name, in->wave_labels[row->wave],
                 figure_fixed(row->mean, 2).s, figure_fixed(row->ci_low, 2).s, figure_fixed(row->ci_high, 2).s,
                 row->n);
        svg_circle(o, X(row->wave), Y(row->mean), 3.2, "cm", tip);
    }
#undef X
#undef Y
}

void trend_html_section(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s)
{
    if (!in->trend || !view->trend || s >= in->trend->n_scales)
        return;
    const trend_scale_t *ts = &in->trend->scales[s];
    group_rows_t *groups = malloc((ts->n_rows ? ts->n_rows : 1) * sizeof *groups);
    if (!groups)
        return;
    size_t n = panels(ts, view->trend, s, groups);
    svg_raw(o, "<h3>History</h3>\n");
    if (n == 0) {
        svg_raw(o, "<p>No wave of this scale has enough scored respondents to be shown.</p>\n");
        free(groups);
        return;
    }
    size_t rows = (n + PANEL_COLS - 1) / PANEL_COLS;
    char id[64], title[256], desc[512];
    snprintf(id, sizeof id, "trend-%zu", s + 1);
    snprintf(title, sizeof title, "History of %.200s over %zu waves", ts->scale->name, in->trend->n_waves);
    snprintf(desc, sizeof desc,
             "%zu panels: the company%s, each wave's mean score as a dot with its 95%% interval, joined "
             "where a group is shown in consecutive waves; the axis spans the scale from %g to %g.",
             n, n > 1 ? " and then each unit shown in some wave" : "", ts->scale->min, ts->scale->max);
    svg_raw(o, "<figure>\n<div class=\"scroll\">\n");
    svg_begin(o, id, PANEL_COLS * PANEL_W + 16, (double)rows * PANEL_H + 8, title, desc);
    for (size_t i = 0; i < n; i++)
        panel(o, in, view, s, &groups[i], 8 + (double)(i % PANEL_COLS) * PANEL_W, 4 + (double)(i / PANEL_COLS) * PANEL_H);
    svg_end(o);
    svg_raw(o, "</div>\n<figcaption>Each wave's mean with its 95% interval; a wave in which a group is not shown "
               "(too few respondents, or hidden so that no difference reveals a small group) leaves a gap. "
               "Every figure is in trend.csv.</figcaption>\n</figure>\n");
    free(groups);
}
