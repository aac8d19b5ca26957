/*
 * report/html.c — report.html: the first screen, per scale a funnel and a
 * caterpillar plot with the ranking of the shown managers beside it, the
 * items by their short labels (item_labels.h), the heatmap of the items over
 * units or the tree's top leaders (heatmap.csv's cells), the leaders of a
 * reporting tree's top two levels and the change since the previous wave,
 * the statistics appendix and the data-quality counts, as one
 * self-contained page that fits a 400-pixel window (wide tables and plots
 * scroll in their own box) and prints.
 *
 * Written in one pass straight to the file through svg_out_t (svg.c), scale
 * by scale; the only memory that grows with the data is the ordering of one
 * scale's shown managers (O(managers)) and, for a large funnel, a fixed
 * density grid.  Plot sizes are bounded whatever the number of managers:
 * above HTML_FUNNEL_MAX_DOTS shown managers the funnel is a density grid
 * with the labelled stand-outs drawn on top, above HTML_CATERPILLAR_MAX_EACH
 * the caterpillar is a band over rank groups with the most extreme managers
 * drawn one by one, and each caption says which.
 *
 * It renders the published view (view.h) as the CSVs do: what is shown,
 * the decomposition and funnel limits over the shown teams, the ranking,
 * the stand-outs and every heatmap cell (view_heatmap_shown,
 * view_heatmap_stands_out) all come from there.  Every text from the data (scale, item,
 * manager and file names) goes through svg_text().  Numbers use svg_fixed()
 * (locale-independent); the only time written is SOURCE_DATE_EPOCH's.
 * Owns nothing beyond each call.
 */
#include "html.h"
#include "enps_table.h"
#include "enps_trend_table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/source_date.h"
#include "drivers_html.h"
#include "figures.h"
#include "item_labels.h"
#include "svg.h"
#include "trend_html.h"

/* ------------------------------------------------------------------------ */
/* page furniture                                                             */

static const char STYLE[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;"
    "color:#1a1a1a;background:#fff;margin:0;line-height:1.45}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem 3rem}\n"
    "h1{font-size:1.6rem;margin:.6rem 0 .2rem}\n"
    "h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #bbb;padding-bottom:.2rem}\n"
    "h3{font-size:1.05rem;margin:1.4rem 0 .4rem}\n"
    "p.meta{color:#555;margin-top:0}\n"
    "p.headline{font-size:1.1rem}\n"
    ".share{font-size:1.8rem;font-weight:700}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}\n"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right;vertical-align:top;"
    "white-space:nowrap}\n"
    "th{border-bottom:2px solid #999;vertical-align:bottom;white-space:normal}\n"
    "th.t,td.t{text-align:left;white-space:normal;overflow-wrap:break-word}\n"
    "tr.total td{font-weight:600}\n"
    "table.leaders th{white-space:normal}\n"
    "figure{margin:1rem 0 1.6rem}\n"
    "figcaption{font-size:.9rem;color:#333;margin-top:.3rem;max-width:760px}\n"
    "svg.plot{display:block;width:100%;min-width:700px;max-width:760px;height:auto;font-family:inherit}\n"
    "svg .frame{fill:none;stroke:#888}\n"
    "svg .grid{stroke:#e6e6e6}\n"
    "svg .tickmark{stroke:#888}\n"
    "svg .tick{font-size:11px;fill:#333}\n"
    "svg .axis{font-size:12px;fill:#1a1a1a}\n"
    "svg .gm{stroke:#1a1a1a;stroke-width:1.2}\n"
    "svg .gmc{stroke:#1a1a1a;stroke-width:1;stroke-dasharray:2 3}\n"
    "svg .lim95{fill:none;stroke:#555;stroke-width:1.2;stroke-dasharray:6 4}\n"
    "svg .lim998{fill:none;stroke:#1a1a1a;stroke-width:1.6}\n"
    "svg .limtext{font-size:11px;fill:#333}\n"
    "svg .dot{fill:#7a7a7a;fill-opacity:.6}\n"
    "svg .dot.above{fill:#1f66b3;fill-opacity:1}\n"
    "svg .dot.below{fill:#c94f00;fill-opacity:1}\n"
    "svg .label{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;"
    "stroke-linejoin:round}\n"
    "svg .label.above{fill:#174f8c}\n"
    "svg .label.below{fill:#9c3d00}\n"
    "svg .leader{stroke:#9a9a9a;stroke-width:.8}\n"
    "svg .ci{stroke:#7f9fc4}\n"
    "svg .ci.edge{stroke:#4d78aa}\n"
    "svg .sep{stroke:#bbb;stroke-dasharray:3 3}\n"
    "svg .cm{fill:#1a1a1a}\n"
    "svg .band{fill:#c9d8ec}\n"
    "svg .bandmean{fill:none;stroke:#1a1a1a;stroke-width:1.4}\n"
    "svg .d1{fill:#333;fill-opacity:.15}\n"
    "svg .d2{fill:#333;fill-opacity:.3}\n"
    "svg .d3{fill:#333;fill-opacity:.5}\n"
    "svg .d4{fill:#333;fill-opacity:.7}\n"
    "svg .d5{fill:#333;fill-opacity:.9}\n"
    ".key{display:inline-block;width:.75em;height:.75em;border-radius:50%;margin:0 .2em}\n"
    ".key.above{background:#1f66b3}\n"
    ".key.below{background:#c94f00}\n"
    ".key.dot{background:#7a7a7a}\n"
    ".note{color:#444}\n"
    ".caution{border-left:.25rem solid #c94f00;padding-left:.6rem}\n"
    ".glance{margin:.6rem 0 1.4rem}\n"
    ".glance ul{margin:.4rem 0;padding-left:1.2rem}\n"
    ".bar{display:flex;max-width:36rem;height:1.6rem;border:1px solid #555;margin:.3rem 0;"
    "font-size:.85rem;line-height:1.6rem;overflow:hidden}\n"
    ".bar span{display:block;text-align:center;white-space:nowrap;overflow:hidden}\n"
    ".bar .fav{background:#1f4e79;color:#fff}\n"
    ".bar .neu{background:#e0e0e0;color:#1a1a1a}\n"
    ".bar .unf{background:#8c8c8c;color:#fff;"
    "background-image:repeating-linear-gradient(45deg,transparent 0 4px,rgba(255,255,255,.35) 4px 6px)}\n"
    "table.heatmap tbody th{border-bottom:1px solid #ddd}\n"
    "table.heatmap thead th:not(.t){text-align:center}\n"
    HTML_HEAT_CSS
    "ul.heatkey{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;"
    "font-size:.85rem}\n"
    "ul.heatkey span.hm{display:inline-block;min-width:1.4rem;height:1.15rem;line-height:1.15rem;"
    "margin-right:.3rem;vertical-align:middle;text-align:center;border:1px solid #999;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "@media (max-width:40rem){main{padding:.5rem .6rem 2rem}th,td{padding:.2rem .3rem}"
    ".share{font-size:1.4rem}}\n"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}"
    "h2,h3{break-after:avoid}figure,table,tr{break-inside:avoid}"
    "svg.plot{min-width:0;max-width:100%}.scroll{overflow:visible}}\n";

/* Plot geometry (SVG user units). */
enum { PLOT_W = 760, MARGIN_L = 62, MARGIN_R = 22, MARGIN_T = 30, MARGIN_B = 50 };

typedef struct {
    double left, top, width, height;  /* the plot area */
} frame_t;

typedef struct {
    double lo, hi, step;
    int decimals;
} axis_t;

/* A bound on the ticks drawn along one axis.  nice_axis's step is at least
 * (hi - lo) / ticks, and its ends move out by less than a step each, so an
 * axis has at most ticks + 3 of them (11 here); the bound only matters when
 * a step is lost in the rounding of the values (v + step == v), where the
 * tick loops would otherwise never end. */
enum { AXIS_MAX_TICKS = 32 };

static int decimals_of(double step)
{
    for (int d = 0; d < 6; d++) {
        double s = step * pow(10, d);
        if (fabs(s - round(s)) < 1e-6 * (s > 1 ? s : 1))
            return d;
    }
    return 6;
}

/* An axis over [lo, hi] widened to steps of 1, 2, 2.5 or 5 × 10^k, about
 * `ticks` of them; kept inside [floor_lo, ceil_hi] (NAN: no bound). */
static axis_t nice_axis(double lo, double hi, int ticks, double floor_lo, double ceil_hi)
{
    axis_t a;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (!(hi > lo)) {
        double pad = fabs(lo) > 1e-9 ? fabs(lo) * 0.05 : 0.5;
        lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / ticks;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    a.lo = floor(lo / step + 1e-9) * step;
    a.hi = ceil(hi / step - 1e-9) * step;
    if (isfinite(floor_lo) && a.lo < floor_lo && lo >= floor_lo)
        a.lo = floor_lo;
    if (isfinite(ceil_hi) && a.hi > ceil_hi && hi <= ceil_hi)
        a.hi = ceil_hi;
    if (!(a.hi > a.lo))
        a.hi = a.lo + step;
    a.step = step;
    a.decimals = decimals_of(step);
    return a;
}

static double map_x(const frame_t *f, const axis_t *a, double v)
{
    return f->left + (v - a->lo) / (a->hi - a->lo) * f->width;
}

static double map_y(const frame_t *f, const axis_t *a, double v)
{
    return f->top + f->height - (v - a->lo) / (a->hi - a->lo) * f->height;
}

/* Grid, ticks, frame and axis titles.  x ticks are skipped when x_ticks is
 * false (the caller draws its own). */
static void draw_axes(svg_out_t *o, const frame_t *f, const axis_t *ax, const axis_t *ay,
                      const char *x_title, const char *y_title)
{
    char num[64];
    double first = ceil(ay->lo / ay->step - 1e-9) * ay->step;
    int t = 0;
    for (double v = first; v <= ay->hi + 1e-9 * ay->step && t < AXIS_MAX_TICKS; v += ay->step, t++) {
        double y = map_y(f, ay, v);
        svg_line(o, f->left, y, f->left + f->width, y, "grid");
        svg_label(o, f->left - 6, y + 4, "end", "tick", svg_fixed(v, ay->decimals, num, sizeof num),
                  0);
    }
    first = ceil(ax->lo / ax->step - 1e-9) * ax->step;
    t = 0;
    for (double v = first; v <= ax->hi + 1e-9 * ax->step && t < AXIS_MAX_TICKS; v += ax->step, t++) {
        double x = map_x(f, ax, v);
        double y = f->top + f->height;
        svg_line(o, x, y, x, y + 5, "tickmark");
        svg_label(o, x, y + 18, "middle", "tick", svg_fixed(v, ax->decimals, num, sizeof num), 0);
    }
    svg_rect(o, f->left, f->top, f->width, f->height, "frame");
    svg_label(o, f->left + f->width / 2, f->top + f->height + 40, "middle", "axis", x_title, 0);
    svg_label(o, f->left - MARGIN_L + 4, f->top - 12, "start", "axis", y_title, 0);
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                    */

/* A malloc'd formatted string (NULL when out of memory). */
static char *afmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *afmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void cell(svg_out_t *o, const char *text, bool left)
{
    svg_raw(o, left ? "<td class=\"t\">" : "<td>");
    svg_text(o, text);
    svg_raw(o, "</td>");
}

static void head_cell(svg_out_t *o, const char *text, bool left)
{
    svg_raw(o, left ? "<th class=\"t\" scope=\"col\">" : "<th scope=\"col\">");
    svg_text(o, text);
    svg_raw(o, "</th>");
}

/* ------------------------------------------------------------------------ */
/* funnel plot                                                                */

typedef struct {
    double x, y;          /* the dot */
    double lx, ly;        /* the text's anchor point (baseline) */
    double x0, x1;        /* the text's horizontal extent */
    const char *anchor;
    const char *cls;
    const char *id;
} label_t;

enum { LABEL_CHARS = 32, LABEL_HEIGHT = 12 };  /* longer ids are cut with "…" */
#define CHAR_WIDTH 6.4

static int compare_label_y(const void *a, const void *b)
{
    const label_t *x = a, *y = b;
    if (x->y != y->y)
        return x->y < y->y ? -1 : 1;
    return x->x < y->x ? -1 : x->x > y->x;
}

/* Label baselines are whole pixels (see place_labels), so this distance is
 * exact: two labels LABEL_HEIGHT apart never overlap. */
static bool overlaps(const label_t *a, const label_t *b)
{
    return a->x0 < b->x1 + 2 && b->x0 < a->x1 + 2 && fabs(a->ly - b->ly) < LABEL_HEIGHT;
}

/* Place labels beside their dots, top to bottom, moving a label down past
 * any label it would overlap (a leader line then joins it to its dot).
 *
 * It ends whatever the coordinates: every baseline is a whole number of
 * pixels (the dot's y rounded, + 4), so a label moved to an earlier label's
 * baseline + LABEL_HEIGHT is exactly that far from it and no longer overlaps
 * it.  Each move puts label i strictly lower (an overlapped label k sits less
 * than LABEL_HEIGHT above it, or below it), at one of the i baselines
 * labels[k].ly + LABEL_HEIGHT, k < i: at most i moves, so at most i + 1
 * passes over the labels above, which the loop also counts as its bound. */
static void place_labels(label_t *labels, size_t n, const frame_t *f)
{
    qsort(labels, n, sizeof *labels, compare_label_y);
    for (size_t i = 0; i < n; i++) {
        label_t *l = &labels[i];
        size_t chars = svg_chars(l->id);
        if (chars > LABEL_CHARS)
            chars = LABEL_CHARS;
        double w = (double)chars * CHAR_WIDTH;
        if (l->x + 6 + w <= f->left + f->width) {
            l->anchor = "start";
            l->lx = l->x + 6;
            l->x0 = l->lx;
            l->x1 = l->lx + w;
        } else {
            l->anchor = "end";
            l->lx = l->x - 6;
            l->x0 = l->lx - w;
            l->x1 = l->lx;
        }
        l->ly = floor(l->y + 0.5) + 4;
        bool moved = true;
        for (size_t pass = 0; moved && pass <= i; pass++) {
            moved = false;
            for (size_t k = 0; k < i; k++)
                if (overlaps(l, &labels[k])) {
                    l->ly = labels[k].ly + LABEL_HEIGHT;
                    moved = true;
                }
        }
    }
}

static void limit_curve(svg_out_t *o, const frame_t *f, const axis_t *ax, const axis_t *ay,
                        double gm, double sigma, double z, const char *cls)
{
    enum { POINTS = 64 };
    double xy[2 * POINTS];
    double room = z > 0 ? ay->hi - gm : gm - ay->lo;
    double spread = fabs(z) * sigma;
    double n_start = 1;
    if (spread > 0 && room > 0 && (spread / room) * (spread / room) > n_start)
        n_start = (spread / room) * (spread / room);
    if (room <= 0)
        return;
    double n_end = ax->hi;
    if (n_start >= n_end)
        return;
    for (int i = 0; i < POINTS; i++) {
        double n = n_start * pow(n_end / n_start, (double)i / (POINTS - 1));
        double v = gm + z * sigma / sqrt(n);
        xy[2 * i] = map_x(f, ax, n);
        xy[2 * i + 1] = map_y(f, ay, v);
    }
    svg_polyline(o, xy, POINTS, cls);
}

static engage_status_t funnel(svg_out_t *o, const report_input_t *in, const view_t *view,
                              size_t s, engage_error_t *err)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    const analysis_variance_t *v = &vs->variance;
    size_t m = vs->n_ranked;
    double gm = v->grand_mean;
    double sigma = isfinite(v->ms_within) && v->ms_within >= 0 ? sqrt(v->ms_within) : NAN;
    bool limits = isfinite(gm) && isfinite(sigma);

    size_t n_min = SIZE_MAX, n_max = 0;
    size_t total_above = vs->n_above, total_below = vs->n_below;
    size_t n_above = total_above < HTML_LABELS_PER_SIDE ? total_above : HTML_LABELS_PER_SIDE;
    size_t n_below = total_below < HTML_LABELS_PER_SIDE ? total_below : HTML_LABELS_PER_SIDE;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        const analysis_manager_t *am = &sc->managers[vs->ranked[i]];
        if (am->n < n_min)
            n_min = am->n;
        if (am->n > n_max)
            n_max = am->n;
        if (am->mean < lo)
            lo = am->mean;
        if (am->mean > hi)
            hi = am->mean;
    }
    if (isfinite(gm)) {
        lo = fmin(lo, gm);
        hi = fmax(hi, gm);
    }
    if (limits) {
        double spread = ANALYSIS_Z998 * sigma / sqrt((double)(n_min > 0 ? n_min : 1));
        lo = fmin(lo, gm - spread);
        hi = fmax(hi, gm + spread);
    }
    double smin = sc->scale->min, smax = sc->scale->max;
    lo = fmax(lo, smin);
    hi = fmin(hi, smax);
    double pad = (hi - lo) * 0.04;
    axis_t ay = nice_axis(fmax(lo - pad, smin), fmin(hi + pad, smax), 6, smin, smax);
    axis_t ax = nice_axis(0, (double)n_max * 1.03 + 1, 8, 0, NAN);
    ax.lo = 0;

    size_t n_labels = n_above + n_below;
    double plot_h = 380;
    if ((double)n_labels * LABEL_HEIGHT + 40 > plot_h)
        plot_h = (double)n_labels * LABEL_HEIGHT + 40;
    frame_t f = { MARGIN_L, MARGIN_T, PLOT_W - MARGIN_L - MARGIN_R, plot_h };

    char id[48];
    snprintf(id, sizeof id, "funnel-%zu", s + 1);
    char *title = afmt("Funnel plot of %s: manager mean against team size",
             sc->scale->name);
    char desc[512];
    snprintf(desc, sizeof desc,
             "%zu managers shown, each a dot at team size n and mean score; %zu above and %zu "
             "below the 99.8%% limits. The grand mean is %s; the 95%% and 99.8%% limits are "
             "the grand mean plus or minus z times the within-team sd (%s) over the square "
             "root of n.",
             m, total_above, total_below, figure_fixed(gm, 2).s, figure_fixed(sigma, 3).s);
    if (!title)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    svg_begin(o, id, PLOT_W, MARGIN_T + plot_h + MARGIN_B, title, desc);
    free(title);
    draw_axes(o, &f, &ax, &ay, "team size n (scored respondents)", "mean score");

    if (limits) {
        svg_line(o, map_x(&f, &ax, ax.lo), map_y(&f, &ay, gm), map_x(&f, &ax, ax.hi),
                 map_y(&f, &ay, gm), "gm");
        const struct {
            double z;
            const char *cls;
        } curves[] = { { ANALYSIS_Z95, "lim95" }, { -ANALYSIS_Z95, "lim95" },
                       { ANALYSIS_Z998, "lim998" }, { -ANALYSIS_Z998, "lim998" } };
        for (size_t c = 0; c < 4; c++)
            limit_curve(o, &f, &ax, &ay, gm, sigma, curves[c].z, curves[c].cls);
        /* name the curves where they end, at the right edge */
        double x_end = f.left + f.width - 3;
        double y998 = map_y(&f, &ay, gm + ANALYSIS_Z998 * sigma / sqrt(ax.hi));
        double y95 = map_y(&f, &ay, gm + ANALYSIS_Z95 * sigma / sqrt(ax.hi));
        if (y95 - y998 >= 9) {
            svg_label(o, x_end, y998 - 3, "end", "limtext", "99.8%", 0);
            svg_label(o, x_end, y95 - 3, "end", "limtext", "95%", 0);
        }
    }

    /* the dots: every shown manager, or a density grid when there are many */
    bool grid = m > HTML_FUNNEL_MAX_DOTS;
    if (!grid) {
        double r = m > 500 ? 2.2 : 3.2;
        for (size_t j = 0; j < sc->n_managers; j++) {
            if (!view_manager_shown(view, s, j) || sc->managers[j].n == 0)
                continue;
            const analysis_manager_t *am = &sc->managers[j];
            analysis_stands_out_t out = view_funnel(view, s, j).stands_out;
            const char *cls = out == ANALYSIS_ABOVE   ? "dot above"
                              : out == ANALYSIS_BELOW ? "dot below"
                                                      : "dot";
            const char *mid = dataset_manager_id(in->dataset, am->manager);
            char *tip = malloc(strlen(mid) + 128);
            if (!tip)
                return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            sprintf(tip, "%s: mean %s, n %zu", mid, figure_fixed(am->mean, 2).s, am->n);
            svg_circle(o, map_x(&f, &ax, (double)am->n), map_y(&f, &ay, am->mean), r, cls, tip);
            free(tip);
        }
    } else {
        enum { GX = 150, GY = 75 };
        unsigned *cells = calloc((size_t)GX * GY, sizeof *cells);
        if (!cells)
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        for (size_t i = 0; i < m; i++) {
            const analysis_manager_t *am = &sc->managers[vs->ranked[i]];
            double fx = ((double)am->n - ax.lo) / (ax.hi - ax.lo);
            double fy = (am->mean - ay.lo) / (ay.hi - ay.lo);
            long cx = (long)(fx * GX), cy = (long)(fy * GY);
            cx = cx < 0 ? 0 : cx >= GX ? GX - 1 : cx;
            cy = cy < 0 ? 0 : cy >= GY ? GY - 1 : cy;
            cells[(size_t)cy * GX + (size_t)cx]++;
        }
        double cw = f.width / GX, ch = f.height / GY;
        for (size_t cy = 0; cy < GY; cy++)
            for (size_t cx = 0; cx < GX; cx++) {
                unsigned c = cells[cy * GX + cx];
                if (c == 0)
                    continue;
                const char *cls = c < 2 ? "d1" : c < 5 ? "d2" : c < 20 ? "d3" : c < 100 ? "d4" : "d5";
                svg_rect(o, f.left + (double)cx * cw, f.top + f.height - (double)(cy + 1) * ch, cw,
                         ch, cls);
            }
        free(cells);
    }

    /* labels of the farthest-out stand-outs (their dots drawn again on top
     * of a density grid) */
    label_t labels[2 * HTML_LABELS_PER_SIDE];
    size_t nl = 0;
    for (int side = 0; side < 2; side++) {
        const size_t *p = side == 0 ? vs->above : vs->below;
        size_t np = side == 0 ? n_above : n_below;
        for (size_t i = 0; i < np; i++) {
            const analysis_manager_t *am = &sc->managers[p[i]];
            label_t *l = &labels[nl++];
            memset(l, 0, sizeof *l);
            l->x = map_x(&f, &ax, (double)am->n);
            l->y = map_y(&f, &ay, am->mean);
            l->cls = side == 0 ? "label above" : "label below";
            l->id = dataset_manager_id(in->dataset, am->manager);
            if (grid)
                svg_circle(o, l->x, l->y, 2.6, side == 0 ? "dot above" : "dot below", NULL);
        }
    }
    place_labels(labels, nl, &f);
    for (size_t i = 0; i < nl; i++)
        if (fabs(labels[i].ly - 4 - labels[i].y) > 3)
            svg_line(o, labels[i].x, labels[i].y,
                     strcmp(labels[i].anchor, "start") == 0 ? labels[i].x0 - 1 : labels[i].x1 + 1,
                     labels[i].ly - 4, "leader");
    for (size_t i = 0; i < nl; i++)
        svg_label(o, labels[i].lx, labels[i].ly, labels[i].anchor, labels[i].cls, labels[i].id,
                  LABEL_CHARS);
    svg_end(o);
    svg_raw(o, "</div>\n");

    /* the caption */
    svg_raw(o, "<figcaption>Funnel plot: each dot is a shown manager, at their team size and "
               "mean score. ");
    if (grid)
        svg_rawf(o, "With %zu shown managers the dots are drawn as a density grid (darker: "
                    "more managers in a cell); the labelled stand-outs are drawn as dots. ", m);
    if (limits) {
        svg_raw(o, "The horizontal line is the grand mean (");
        svg_number(o, gm, 2);
        svg_raw(o, "); the dashed curves are the 95% limits and the solid curves the 99.8% "
                   "limits for a team of each size (grand mean &#177; z &#183; ");
        svg_number(o, sigma, 3);
        svg_raw(o, " / &#8730;n, with the pooled within-team sd). ");
        if (total_above + total_below == 0) {
            svg_raw(o, "No shown manager lies outside the 99.8% limits.");
        } else {
            svg_rawf(o, "<span class=\"key above\"></span>%zu above and "
                        "<span class=\"key below\"></span>%zu below the 99.8%% limits, which "
                        "chance alone would give about one team in 500",
                     total_above, total_below);
            if (total_above > n_above || total_below > n_below)
                svg_rawf(o, "; the %d farthest out on each side are labelled, all are flagged "
                            "in managers.csv (stands_out)", HTML_LABELS_PER_SIDE);
            svg_raw(o, ".");
        }
    } else {
        svg_raw(o, "No funnel limits: the variance within teams is not defined (every team "
                   "has a single scored respondent).");
    }
    svg_raw(o, "</figcaption>\n");
    return ENGAGE_OK;
}

/* ------------------------------------------------------------------------ */
/* caterpillar plot                                                           */

/* Where rank r (1..m) lies on the caterpillar's x axis. */
typedef struct {
    bool even;             /* evenly spaced; else three parts (lowest, band, highest) */
    double m, edge;        /* ranks; ranks in each outer part */
    double left, width, edge_w, gap;
} rank_axis_t;

static double rank_x(const rank_axis_t *a, double r)
{
    if (a->even)
        return a->left + (r - 0.5) / a->m * a->width;
    if (r <= a->edge + 0.5)
        return a->left + (r - 0.5) / a->edge * a->edge_w;
    if (r > a->m - a->edge + 0.5)
        return a->left + a->width - a->edge_w + (r - (a->m - a->edge) - 0.5) / a->edge * a->edge_w;
    double b0 = a->left + a->edge_w + a->gap, bw = a->width - 2 * (a->edge_w + a->gap);
    return b0 + (r - a->edge - 0.5) / (a->m - 2 * a->edge) * bw;
}

static void interval(svg_out_t *o, const frame_t *f, const axis_t *ay, const report_input_t *in,
                     const analysis_manager_t *am, double x, double r, bool tooltip)
{
    if (isfinite(am->ci_low) && isfinite(am->ci_high))
        svg_line(o, x, map_y(f, ay, fmax(am->ci_low, ay->lo)), x,
                 map_y(f, ay, fmin(am->ci_high, ay->hi)), NULL);
    char *tip = NULL;
    if (tooltip) {
        const char *mid = dataset_manager_id(in->dataset, am->manager);
        tip = malloc(strlen(mid) + 160);
        if (tip)
            sprintf(tip, "%s: mean %s, 95%% CI %s to %s, n %zu", mid, figure_fixed(am->mean, 2).s,
                    figure_fixed(am->ci_low, 2).s, figure_fixed(am->ci_high, 2).s, am->n);
    }
    svg_circle(o, x, map_y(f, ay, am->mean), r, "cm", tip);
    free(tip);
}

/* The shown manager of rank i (0-based) from the lowest mean: the view's
 * ranking read from its end. */
static const analysis_manager_t *rank_from_lowest(const view_scale_t *vs, size_t i)
{
    return &vs->results->managers[vs->ranked[vs->n_ranked - 1 - i]];
}

static engage_status_t caterpillar(svg_out_t *o, const report_input_t *in, const view_t *view,
                                   size_t s, engage_error_t *err)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    const analysis_variance_t *v = &vs->variance;
    size_t m = vs->n_ranked;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        const analysis_manager_t *am = rank_from_lowest(vs, i);
        lo = fmin(lo, isfinite(am->ci_low) ? am->ci_low : am->mean);
        hi = fmax(hi, isfinite(am->ci_high) ? am->ci_high : am->mean);
    }
    double smin = sc->scale->min, smax = sc->scale->max;
    lo = fmax(lo, smin);
    hi = fmin(hi, smax);
    axis_t ay = nice_axis(lo, hi, 6, smin, smax);
    axis_t ax = nice_axis(1, (double)m, 8, NAN, NAN);
    ax.lo = 0.5;
    ax.hi = (double)m + 0.5;
    frame_t f = { MARGIN_L, MARGIN_T, PLOT_W - MARGIN_L - MARGIN_R, 340 };

    bool each = m <= HTML_CATERPILLAR_MAX_EACH;
    char id[48], desc[512];
    snprintf(id, sizeof id, "caterpillar-%zu", s + 1);
    char *title = afmt("Caterpillar plot of %s: managers ranked by mean score",
             sc->scale->name);
    if (each)
        snprintf(desc, sizeof desc,
                 "%zu shown managers from the lowest mean (left) to the highest (right), each "
                 "with the 95%% confidence interval of the mean as a vertical line.", m);
    else
        snprintf(desc, sizeof desc,
                 "%zu shown managers ranked from the lowest mean (left) to the highest (right): "
                 "the %d lowest and the %d highest each with the 95%% confidence interval of "
                 "the mean as a vertical line; between them a band over %d groups of "
                 "neighbouring ranks, spanning the average interval, with their average mean.",
                 m, HTML_CATERPILLAR_EDGE, HTML_CATERPILLAR_EDGE, HTML_CATERPILLAR_GROUPS);
    if (!title)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    svg_begin(o, id, PLOT_W, MARGIN_T + f.height + MARGIN_B, title, desc);
    free(title);

    /* The rank axis.  Drawn one by one, ranks are evenly spaced.  As a band,
     * the axis has three parts: the HTML_CATERPILLAR_EDGE lowest ranks on
     * the left, the band of the ranks between them in the middle, the
     * HTML_CATERPILLAR_EDGE highest on the right, so that the managers drawn
     * one by one are as readable as in a small run. */
    const double E = HTML_CATERPILLAR_EDGE, gap = 10;
    double edge_w = f.width * 0.22;
    rank_axis_t ra = { each, (double)m, E, f.left, f.width, edge_w, gap };
    axis_t no_ticks = ax;
    no_ticks.step = ax.hi - ax.lo + 1;  /* draw_axes then draws no x tick */
    draw_axes(o, &f, &no_ticks, &ay, "managers ranked by mean score, lowest first", "mean score");
    char num[64];
    double base = f.top + f.height;
    if (each) {
        axis_t rank_ticks = nice_axis(0, (double)m, 8, NAN, NAN);
        int t = 0;
        for (double r = rank_ticks.step; r <= (double)m + 1e-9 && t < AXIS_MAX_TICKS;
             r += rank_ticks.step, t++) {
            double x = rank_x(&ra, r);
            svg_line(o, x, base, x, base + 5, "tickmark");
            svg_label(o, x, base + 18, "middle", "tick", svg_fixed(r, 0, num, sizeof num), 0);
        }
        svg_label(o, rank_x(&ra, 1), base + 18, "middle", "tick", "1", 0);
    } else {
        double ends[4] = { 1, E, (double)m - E + 1, (double)m };
        const char *anchor[4] = { "start", "end", "start", "end" };
        for (int t = 0; t < 4; t++) {
            double x = rank_x(&ra, ends[t]);
            svg_line(o, x, base, x, base + 5, "tickmark");
            svg_label(o, x, base + 18, anchor[t], "tick", svg_fixed(ends[t], 0, num, sizeof num), 0);
        }
        double b0 = f.left + edge_w + gap, b1 = f.left + f.width - edge_w - gap;
        axis_t mid = nice_axis(E + 1, (double)m - E, 4, NAN, NAN);
        int t = 0;
        for (double r = ceil((E + 1) / mid.step) * mid.step; r <= (double)m - E && t < AXIS_MAX_TICKS;
             r += mid.step, t++) {
            double x = rank_x(&ra, r);
            if (x < b0 + 30 || x > b1 - 30)
                continue;
            svg_line(o, x, base, x, base + 5, "tickmark");
            svg_label(o, x, base + 18, "middle", "tick", svg_fixed(r, 0, num, sizeof num), 0);
        }
        svg_line(o, b0 - gap / 2, f.top, b0 - gap / 2, base, "sep");
        svg_line(o, b1 + gap / 2, f.top, b1 + gap / 2, base, "sep");
    }
    if (isfinite(v->grand_mean) && v->grand_mean >= ay.lo && v->grand_mean <= ay.hi)
        svg_line(o, f.left, map_y(&f, &ay, v->grand_mean), f.left + f.width,
                 map_y(&f, &ay, v->grand_mean), "gmc");

    if (each) {
        double slot = f.width / (double)(m ? m : 1);
        double sw = fmax(0.3, fmin(2.5, slot * 0.5));
        double r = fmax(0.7, fmin(3.2, slot * 0.45));
        svg_raw(o, "<g class=\"ci\" stroke-width=\"");
        svg_coord(o, sw);
        svg_raw(o, "\">\n");
        for (size_t i = 0; i < m; i++)
            interval(o, &f, &ay, in, rank_from_lowest(vs, i), rank_x(&ra, (double)(i + 1)), r,
                     m <= HTML_FUNNEL_MAX_DOTS);
        svg_raw(o, "</g>\n");
    } else {
        enum { G = HTML_CATERPILLAR_GROUPS };
        double *band = malloc(sizeof(double) * 2 * (2 * G));
        double *line = malloc(sizeof(double) * 2 * G);
        if (!band || !line) {
            free(band);
            free(line);
            return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        }
        size_t first = HTML_CATERPILLAR_EDGE, middle = m - 2 * (size_t)HTML_CATERPILLAR_EDGE;
        for (size_t g = 0; g < G; g++) {
            size_t a = first + g * middle / G, b = first + (g + 1) * middle / G;
            double sl = 0, sh = 0, sm = 0;
            size_t nc = 0;
            for (size_t i = a; i < b; i++) {
                const analysis_manager_t *am = rank_from_lowest(vs, i);
                sm += am->mean;
                if (isfinite(am->ci_low) && isfinite(am->ci_high)) {
                    sl += am->ci_low;
                    sh += am->ci_high;
                    nc++;
                }
            }
            double cnt = (double)(b > a ? b - a : 1);
            double mean = sm / cnt;
            double x = rank_x(&ra, ((double)a + (double)b + 1) / 2);
            double yl = nc ? fmax(sl / (double)nc, ay.lo) : mean;
            double yh = nc ? fmin(sh / (double)nc, ay.hi) : mean;
            band[2 * g] = x;
            band[2 * g + 1] = map_y(&f, &ay, yh);
            band[2 * (2 * G - 1 - g)] = x;
            band[2 * (2 * G - 1 - g) + 1] = map_y(&f, &ay, yl);
            line[2 * g] = x;
            line[2 * g + 1] = map_y(&f, &ay, mean);
        }
        svg_polygon(o, band, 2 * G, "band");
        svg_polyline(o, line, G, "bandmean");
        free(band);
        free(line);
        double slot = edge_w / E;
        svg_raw(o, "<g class=\"ci edge\" stroke-width=\"");
        svg_coord(o, fmax(0.5, fmin(2.5, slot * 0.5)));
        svg_raw(o, "\">\n");
        for (size_t i = 0; i < m; i++) {
            if (i == HTML_CATERPILLAR_EDGE)
                i = m - HTML_CATERPILLAR_EDGE;
            interval(o, &f, &ay, in, rank_from_lowest(vs, i), rank_x(&ra, (double)(i + 1)),
                     fmax(0.8, fmin(3.2, slot * 0.45)), true);
        }
        svg_raw(o, "</g>\n");
    }
    svg_end(o);
    svg_raw(o, "</div>\n");

    svg_raw(o, "<figcaption>Caterpillar plot: ");
    if (each) {
        svg_rawf(o, "the %zu shown %s ranked by mean score, lowest on the left; each line is "
                    "the 95%% confidence interval of a manager's mean, the dot the mean.",
                 m, plural(m, "manager", "managers"));
        if (m > HTML_CATERPILLAR_FULL)
            svg_raw(o, " With this many managers the lines are thin.");
    } else {
        svg_rawf(o, "%zu shown managers are too many to draw one by one. They are ranked by "
                    "mean score, lowest on the left. The %d lowest (left part) and the %d "
                    "highest (right part) are drawn one by one, each line the 95%% confidence "
                    "interval of a manager's mean and the dot the mean. The middle part holds "
                    "the %zu managers between them, cut into %d groups of neighbouring ranks: "
                    "the shaded band spans each group's average 95%% confidence interval and the "
                    "line follows its average mean. managers.csv lists every manager.",
                 m, HTML_CATERPILLAR_EDGE, HTML_CATERPILLAR_EDGE,
                 m - 2 * (size_t)HTML_CATERPILLAR_EDGE, HTML_CATERPILLAR_GROUPS);
    }
    if (isfinite(v->grand_mean)) {
        svg_raw(o, " The dotted line is the grand mean (");
        svg_number(o, v->grand_mean, 2);
        svg_raw(o, ").");
    }
    svg_raw(o, "</figcaption>\n");
    return ENGAGE_OK;
}

/* ------------------------------------------------------------------------ */
/* sections                                                                   */

static void share_sentence(svg_out_t *o, const view_scale_t *vs, long k)
{
    const analysis_scale_t *sc = vs->results;
    const analysis_variance_t *v = &vs->variance;
    svg_raw(o, "<p class=\"headline\">");
    if (vs->suppressed) {
        svg_raw(o, "The share of the variance in <strong>");
        svg_text(o, sc->scale->name);
        if (vs->scored == 0)
            svg_raw(o, "</strong> that lies between managers is not known: no respondent was "
                       "scored on this scale.");
        else
            svg_rawf(o, "</strong> that lies between managers is not shown: fewer than %ld "
                        "respondents were scored on this scale.", k);
    } else if (!isfinite(v->icc_reml)) {
        svg_raw(o, "The share of the variance in <strong>");
        svg_text(o, sc->scale->name);
        svg_raw(o, "</strong> that lies between managers cannot be estimated with these data.");
    } else if (v->var_between_reml == 0.0) {
        svg_raw(o, "<span class=\"share\">0%</span> None of the variance in <strong>");
        svg_text(o, sc->scale->name);
        svg_raw(o, "</strong> can be placed between managers (the REML estimate of the "
                   "between-manager variance is 0).");
    } else {
        svg_raw(o, "<span class=\"share\">");
        svg_number(o, 100.0 * v->icc_reml, 1);
        svg_raw(o, "%</span> of the variance in <strong>");
        svg_text(o, sc->scale->name);
        svg_raw(o, "</strong> lies between managers (REML estimate).");
    }
    svg_raw(o, "</p>\n");
    figures_sentence_t nested;
    if (!vs->suppressed && figures_nested_split(&vs->nested, &nested)) {
        svg_raw(o, "<p class=\"nested\">");
        svg_text(o, nested.s);
        svg_raw(o, "</p>\n");
    }
    if (vs->split_caution) {
        svg_raw(o, "<p class=\"caution\">");
        svg_text(o, figures_split_caution(v, vs->split_caution & VIEW_CAUTION_FEW_MANAGERS,
                                          vs->split_caution & VIEW_CAUTION_WIDE_INTERVAL).s);
        svg_raw(o, "</p>\n");
    }
}

/* ------------------------------------------------------------------------ */
/* at a glance: report.txt's first screen, as a page                         */

/* Items idx of a scale by their short labels, each with its favourable
 * share and its full name as a title. */
static void glance_items(svg_out_t *o, const report_input_t *in, const item_labels_t *labels,
                         const analysis_scale_t *sc, const size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const analysis_item_t *it = &sc->items[idx[i]];
        if (i > 0)
            svg_raw(o, i + 1 == n ? " and " : ", ");
        svg_raw(o, "<span title=\"");
        svg_text(o, dataset_column_name(in->dataset, it->column));
        svg_raw(o, "\">");
        svg_text(o, labels->text[idx[i]]);
        svg_raw(o, "</span>");
        svg_raw(o, sc->scale->reverse[idx[i]] ? " (reversed, " : " (");
        svg_number(o, it->favourable_pct, 0);
        svg_raw(o, "%)");
    }
}

/* One share of the bar: its width and, when wide enough, its figure. */
static void bar_part(svg_out_t *o, const char *cls, const char *what, double pct)
{
    if (!isfinite(pct) || pct <= 0.0)
        return;
    svg_rawf(o, "<span class=\"%s\" style=\"width:%s%%\" title=\"%s\">", cls, figure_fixed(pct, 1).s, what);
    if (pct >= 8.0) {
        svg_number(o, pct, 0);
        svg_raw(o, "%");
    }
    svg_raw(o, "</span>");
}

static void glance_section(svg_out_t *o, const report_input_t *in, const view_t *view)
{
    svg_raw(o, "<section id=\"glance\">\n<h2>At a glance</h2>\n");
    if (view->n_scales == 0)
        svg_raw(o, "<p>No scale was analysed.</p>\n");
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        const analysis_scale_t *sc = vs->results;
        view_glance_t g;
        view_glance(view, s, &g);
        svg_raw(o, "<div class=\"glance\">\n<h3>");
        svg_text(o, sc->scale->name);
        svg_raw(o, "</h3>\n");
        if (!g.shown) {
            if (vs->scored == 0)
                svg_raw(o, "<p>No respondent was scored on this scale.</p>\n</div>\n");
            else
                svg_rawf(o, "<p>Not shown: fewer than %ld respondents were scored.</p>\n</div>\n",
                         view->smallest_shown);
            continue;
        }
        svg_raw(o, "<p><span class=\"share\">");
        svg_number(o, g.favourable_pct, 0);
        svg_raw(o, "%</span> of answers favourable");
        if (isfinite(g.neutral_pct)) {
            svg_raw(o, ", ");
            svg_number(o, g.neutral_pct, 0);
            svg_raw(o, "% neutral");
        }
        svg_raw(o, " and ");
        svg_number(o, g.unfavourable_pct, 0);
        svg_raw(o, "% unfavourable.</p>\n<div class=\"bar\" role=\"img\" aria-label=\"favourable, neutral and "
                   "unfavourable shares\">");
        bar_part(o, "fav", "favourable", g.favourable_pct);
        bar_part(o, "neu", "neutral", g.neutral_pct);
        bar_part(o, "unf", "unfavourable", g.unfavourable_pct);
        svg_raw(o, "</div>\n<ul>\n");
        enps_t e;
        if (enps_table_scale(in, view, s) && enps_table_group(in, view, s, HEATMAP_COMPANY, 0, &e) &&
            isfinite(e.enps))
            svg_rawf(o, "<li class=\"enps\">eNPS <strong>%s</strong> (95%% interval %s to %s): %s%% promoters "
                        "(9&#8211;10), %s%% passives and %s%% detractors (0&#8211;6).</li>\n",
                     figure_signed(e.enps, 1).s, figure_signed(e.ci_low, 1).s, figure_signed(e.ci_high, 1).s,
                     figure_fixed(e.promoters_pct, 0).s, figure_fixed(e.passives_pct, 0).s,
                     figure_fixed(e.detractors_pct, 0).s);
        enps_change_t ec;
        if (enps_table_scale(in, view, s) && isfinite(e.enps) && enps_trend_table_company_change(in, view, s, &ec)) {
            svg_raw(o, "<li class=\"enps\">eNPS change since ");
            svg_text(o, in->wave_labels[in->n_waves - 2]);
            svg_rawf(o, " <strong>%s</strong> (95%% interval %s to %s, p ", figure_signed(ec.delta, 1).s,
                     figure_signed(ec.ci_low, 1).s, figure_signed(ec.ci_high, 1).s);
            if (ec.p_value < 0.001)
                svg_raw(o, "&lt; 0.001");
            else
                svg_rawf(o, "= %s", figure_fixed(ec.p_value, 3).s);
            svg_raw(o, "; enps_trend.csv).</li>\n");
        }
        if (g.with_rate) {
            svg_rawf(o, "<li>%zu of %zu invited responded (", g.responded, g.invited);
            svg_number(o, participation_rate(&(participation_count_t){ g.invited, g.responded }), 0);
            svg_raw(o, "%).</li>\n");
        }
        if (g.with_change) {
            svg_raw(o, "<li>Since the previous wave: ");
            svg_raw(o, figure_signed(g.favourable_change, 1).s);
            svg_raw(o, " points favourable; the mean score went from ");
            svg_raw(o, figure_fixed(g.mean_previous, 2).s);
            svg_raw(o, " to ");
            svg_raw(o, figure_fixed(g.mean, 2).s);
            svg_raw(o, g.change_holds ? ", a change that holds" : ", a change chance alone could give");
            if (isfinite(g.p_value) && g.p_value < 0.001)
                svg_raw(o, " (Welch&#8217;s test, p &lt; 0.001).</li>\n");
            else
                svg_rawf(o, " (Welch&#8217;s test, p = %s).</li>\n", figure_fixed(g.p_value, 3).s);
        }
        item_labels_t *labels = g.n_strong > 0 ? item_labels_of_scale(in->config, in->dataset, sc->scale) : NULL;
        if (labels && labels->n == sc->n_items) {
            svg_raw(o, "<li>Strongest items: ");
            glance_items(o, in, labels, sc, g.strong, g.n_strong);
            svg_raw(o, ".</li>\n<li>Weakest items: ");
            glance_items(o, in, labels, sc, g.weak, g.n_weak);
            svg_raw(o, ".</li>\n");
        }
        item_labels_free(labels);
        svg_raw(o, "<li>");
        if (isfinite(g.share_unit) && isfinite(g.share_manager_within)) {
            svg_raw(o, "Of the differences in engagement between people, ");
            svg_number(o, 100.0 * g.share_unit, 0);
            svg_raw(o, "% lie between units and ");
            svg_number(o, 100.0 * g.share_manager_within, 0);
            svg_raw(o, "% between managers within them; ");
        } else if (isfinite(g.share_managers)) {
            svg_number(o, 100.0 * g.share_managers, 0);
            svg_raw(o, "% of the differences in engagement between people lie between managers; ");
        } else {
            svg_raw(o, "How much lies between managers cannot be estimated from these data; ");
        }
        svg_rawf(o, "%zu %s out beyond what %s size explains.</li>\n", g.stand_out,
                 plural(g.stand_out, "team stands", "teams stand"), plural(g.stand_out, "its", "their"));
        if (vs->split_caution)
            svg_raw(o, "<li class=\"caution\">That split is a rough indication only: there are too few teams, "
                       "or too much uncertainty, to estimate it reliably (see the appendix).</li>\n");
        svg_raw(o, "</ul>\n</div>\n");
    }
    svg_raw(o, "</section>\n");
}

static void headline(svg_out_t *o, const view_t *view)
{
    long k = view->smallest_shown;
    svg_raw(o, "<section id=\"headline\">\n<h2>Appendix: the share of the variance that lies between "
               "managers</h2>\n<p class=\"note\">In plain words: the variance measures how much scores differ "
               "from person to person, and its share between managers is the part that goes with who one&#8217;s "
               "manager is. The REML estimate is the one R&#8217;s lme4 gives. ICC(1) is the same share from the "
               "one-way analysis of variance, with its 95% interval. The F test asks whether teams differ more "
               "than chance alone would make them: p is the chance of differences this large if they did not. "
               "variance.csv also gives k0, the typical team size these estimates weigh teams by.</p>\n");
    if (view->n_scales == 0) {
        svg_raw(o, "<p>No scale was analysed.</p>\n</section>\n");
        return;
    }
    for (size_t s = 0; s < view->n_scales; s++)
        share_sentence(o, &view->scales[s], k);
    svg_raw(o, "<div class=\"scroll\"><table>\n<thead><tr>");
    head_cell(o, "scale", true);
    head_cell(o, "between managers (REML)", false);
    head_cell(o, "ICC(1)", false);
    head_cell(o, "95% CI of ICC(1)", false);
    head_cell(o, "F test", false);
    head_cell(o, "respondents", false);
    head_cell(o, "managers", false);
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        const analysis_variance_t *v = &vs->variance;
        svg_raw(o, "<tr>");
        cell(o, vs->results->scale->name, true);
        if (vs->suppressed) {
            svg_raw(o, "<td colspan=\"4\" class=\"t note\">not shown: fewer than ");
            svg_rawf(o, "%ld scored respondents</td>", k);
        } else {
            char share[80];
            if (isfinite(v->icc_reml))
                snprintf(share, sizeof share, "%s%%", figure_fixed(100.0 * v->icc_reml, 1).s);
            else
                snprintf(share, sizeof share, "n/a");
            cell(o, share, false);
            cell(o, figure_fixed(v->icc1, 3).s, false);
            char ci[160];
            if (isfinite(v->icc1_ci_low) && isfinite(v->icc1_ci_high))
                snprintf(ci, sizeof ci, "%s to %s", figure_fixed(v->icc1_ci_low, 3).s,
                         figure_fixed(v->icc1_ci_high, 3).s);
            else
                snprintf(ci, sizeof ci, "n/a");
            cell(o, ci, false);
            char ftext[320];
            if (isfinite(v->f)) {
                char p[96];
                if (isfinite(v->p_value) && v->p_value < 0.001)
                    snprintf(p, sizeof p, ", p < 0.001");
                else if (isfinite(v->p_value))
                    snprintf(p, sizeof p, ", p = %s", figure_fixed(v->p_value, 3).s);
                else
                    p[0] = '\0';
                snprintf(ftext, sizeof ftext, "F(%s, %s) = %s%s", figure_fixed(v->df_between, 0).s,
                         figure_fixed(v->df_within, 0).s, figure_fixed(v->f, 2).s, p);
            } else {
                snprintf(ftext, sizeof ftext, "n/a");
            }
            cell(o, ftext, false);
        }
        cell(o, figure_count(v->respondents).s, false);
        cell(o, figure_count(v->managers).s, false);
        svg_raw(o, "</tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n<p class=\"note\">k0, the typical team size ICC(1) weighs teams by:");
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        svg_raw(o, s ? "; " : " ");
        svg_text(o, vs->results->scale->name);
        svg_raw(o, " ");
        svg_raw(o, !vs->suppressed && isfinite(vs->variance.k0) ? figure_fixed(vs->variance.k0, 1).s : "n/a");
    }
    svg_raw(o, ".</p>\n<p class=\"note\">The REML share is the variance "
               "component between managers over the total (lme4's random-intercept model); "
               "ICC(1) is the one-way ANOVA estimate with its 95% interval; both are estimated "
               "over the respondents and managers counted here, those of the shown managers. "
               "variance.csv gives every figure to 12 significant digits.</p>\n</section>\n");
}

static void change_section(svg_out_t *o, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    if (!vs->changes)
        return;
    long k = view->smallest_shown;
    const changes_scale_t *cs = vs->changes;
    const privacy_change_scale_t *pc = vs->change_decision;
    svg_raw(o, "<h3>Change since the previous wave</h3>\n<p>");
    if (vs->change_suppressed) {
        svg_rawf(o, "The change is not shown: fewer than %ld respondents were scored on this "
                    "scale in %s (previous wave %zu, this wave %zu).", k,
                 vs->previous_suppressed && vs->suppressed ? "both waves"
                                                                         : "one of the waves",
                 cs->previous.n, cs->current.n);
    } else {
        const changes_welch_t *w = &cs->welch;
        svg_rawf(o, "Mean score: %s in the previous wave (%zu respondents), %s now (%zu); "
                    "change <strong>%s</strong>",
                 figure_fixed(cs->previous.mean, 2).s, cs->previous.n, figure_fixed(cs->current.mean, 2).s,
                 cs->current.n, figure_signed(w->delta, 2).s);
        if (isfinite(w->ci_low) && isfinite(w->ci_high)) {
            svg_rawf(o, " (95%% CI %s to %s", figure_signed(w->ci_low, 2).s,
                     figure_signed(w->ci_high, 2).s);
            if (isfinite(w->p_value) && w->p_value < 0.001)
                svg_raw(o, ", p &lt; 0.001");
            else if (isfinite(w->p_value))
                svg_rawf(o, ", p = %s", figure_fixed(w->p_value, 3).s);
            svg_raw(o, ")");
        }
        svg_raw(o, ", Welch's t-test.");
    }
    svg_raw(o, "</p>\n");
    if (vs->change_suppressed)
        return;

    const size_t *order = vs->notable;
    size_t m = vs->n_notable, tested = vs->n_tested;
    if (m == 0) {
        svg_rawf(o, "<p>No shown manager's change holds at q &lt; 0.05 (Welch t-tests, "
                    "Benjamini-Hochberg adjusted over the %zu shown %s with a test).</p>\n",
                 tested, plural(tested, "manager", "managers"));
        return;
    }
    size_t listed = m < HTML_CHANGES_LISTED ? m : HTML_CHANGES_LISTED;
    svg_rawf(o, "<p>Managers whose change holds at q &lt; 0.05 (Welch t-tests, "
                "Benjamini-Hochberg adjusted over the %zu shown %s with a test), largest "
                "change first:</p>\n",
             tested, plural(tested, "manager", "managers"));
    svg_raw(o, "<div class=\"scroll\"><table>\n<thead><tr>");
    static const char *const head[] = { "manager", "n before", "before", "n now", "now",
                                         "change", "q" };
    for (size_t c = 0; c < 7; c++)
        head_cell(o, head[c], c == 0);
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < listed; r++) {
        const changes_row_t *row = &cs->rows[order[r]];
        double q = pc->q[order[r]];
        svg_raw(o, "<tr>");
        cell(o, row->manager_id, true);
        cell(o, figure_count(row->previous.n).s, false);
        cell(o, figure_fixed(row->previous.mean, 2).s, false);
        cell(o, figure_count(row->current.n).s, false);
        cell(o, figure_fixed(row->current.mean, 2).s, false);
        cell(o, figure_signed(row->welch.delta, 2).s, false);
        cell(o, q < 0.001 ? "<0.001" : figure_fixed(q, 3).s, false);
        svg_raw(o, "</tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n");
    if (m > listed)
        svg_rawf(o, "<p class=\"note\">&#8230; and %zu more in changes.csv (q_value below "
                    "0.05).</p>\n", m - listed);
}

_Static_assert(VIEW_TOP_DEPTH == 2, "report.html speaks of the top two levels");

/* A percentage rounded to a whole number, "n/a" when undefined. */
static void percent_cell(svg_out_t *o, double pct)
{
    figure_t t = figure_fixed(pct, 0);
    if (isfinite(pct))
        strcat(t.s, "%");
    cell(o, t.s, false);
}

/* Leaders (leaders.csv) of a shown scale, with a reporting tree: the
 * company's line, then the view's list of the shown leaders of the top
 * levels, ranked by their org's mean (the rows and order of report.txt),
 * at most HTML_LEADERS_LISTED; then how many of those levels are hidden. */
static void leaders_section(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s)
{
    const view_scale_t *vs = &view->scales[s];
    const org_t *org = dataset_org(in->dataset);
    const leaders_t *l = view->leaders;
    if (!view_leaders_listed(view, s) || !org)
        return;
    long k = view->smallest_shown;
    svg_raw(o, "<h3>Leaders</h3>\n<p>");
    svg_text(o, figures_company_line(l, s, view_response_rate_shown(view, l->invited[0]), k).s);
    svg_raw(o, "</p>\n");
    size_t listed = vs->n_top_leaders < HTML_LEADERS_LISTED ? vs->n_top_leaders : HTML_LEADERS_LISTED;
    if (listed > 0) {
        svg_rawf(o, "<p>The top two levels of the reporting tree, each leader with their whole "
                    "organisation (everyone below them; leaders.csv has every level), ranked by "
                    "mean, highest first. A response rate is shown for an organisation of at least "
                    "%ld invited (&#8212; otherwise); favourable, neutral and unfavourable are "
                    "shares of the answers.</p>\n", k);
        /* no "reports to" when every listed leader is a top, as in report.txt */
        bool parents = false;
        for (size_t i = 0; i < listed; i++)
            parents = parents || org_parent(org, l->node[vs->top_leaders[i]]) != ORG_NONE;
        svg_raw(o, "<div class=\"scroll\"><table class=\"leaders\">\n<thead><tr>");
        static const char *const head[] = { "leader", "reports to", "n", "response rate", "mean",
                                             "95% CI", "favourable", "neutral", "unfavourable" };
        for (size_t c = 0; c < sizeof head / sizeof head[0]; c++)
            if (c != 1 || parents)
                head_cell(o, head[c], c < 2);
        svg_raw(o, "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < listed; i++) {
            size_t r = vs->top_leaders[i], v = l->node[r], up = org_parent(org, v);
            const leaders_figures_t *f = &l->scales[s].orgs[r];
            svg_raw(o, "<tr>");
            cell(o, figures_leader_name(org, v), true);
            if (parents)
                cell(o, up == ORG_NONE ? "" : figures_leader_name(org, up), true);
            cell(o, figure_count(f->n).s, false);
            if (view_response_rate_shown(view, l->invited[r]))
                percent_cell(o, participation_rate(&(participation_count_t){ l->invited[r], l->responded[r] }));
            else
                cell(o, "\u2014", false);
            cell(o, figure_fixed(f->mean, 2).s, false);
            char ci[96];
            if (isfinite(f->ci_low) && isfinite(f->ci_high))
                snprintf(ci, sizeof ci, "%s to %s", figure_fixed(f->ci_low, 2).s, figure_fixed(f->ci_high, 2).s);
            else
                snprintf(ci, sizeof ci, "n/a");
            cell(o, ci, false);
            percent_cell(o, f->favourable_pct);
            percent_cell(o, f->neutral_pct);
            percent_cell(o, f->unfavourable_pct);
            svg_raw(o, "</tr>\n");
        }
        svg_raw(o, "</tbody></table></div>\n");
        if (vs->n_top_leaders > listed)
            svg_rawf(o, "<p class=\"note\">&#8230; and %zu more in leaders.csv.</p>\n",
                     vs->n_top_leaders - listed);
    }
    if (vs->top_hidden_primary > 0 || vs->top_hidden_secondary > 0) {
        svg_raw(o, "<p class=\"note\">");
        if (vs->top_hidden_primary > 0)
            svg_rawf(o, "Not shown: %zu %s of the top two levels with fewer than %ld scored "
                        "respondents.%s", vs->top_hidden_primary,
                     plural(vs->top_hidden_primary, "organisation", "organisations"), k,
                     vs->top_hidden_secondary > 0 ? " " : "");
        if (vs->top_hidden_secondary > 0)
            svg_rawf(o, "Also not shown: %zu %s of the top two levels whose figures would let a group "
                        "of fewer than %ld people be worked out by subtraction of the organisations "
                        "and teams shown.", vs->top_hidden_secondary,
                     plural(vs->top_hidden_secondary, "organisation", "organisations"), k);
        svg_raw(o, "</p>\n");
    }
}

/* The items of a shown scale, with items.csv's figures rounded as
 * report.txt rounds them: each named by its short label (item_labels.h),
 * its full name in the cell's title. */
static engage_status_t items_section(svg_out_t *o, const report_input_t *in, const view_scale_t *vs,
                                     engage_error_t *err)
{
    const analysis_scale_t *sc = vs->results;
    if (sc->n_items == 0)
        return ENGAGE_OK;
    item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, sc->scale);
    if (!labels || labels->n != sc->n_items) {
        item_labels_free(labels);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    bool rest = sc->n_items >= 2, shortened = false;
    for (size_t i = 0; i < sc->n_items && !shortened; i++)
        shortened = strcmp(labels->text[i], dataset_column_name(in->dataset, sc->items[i].column)) != 0;
    svg_raw(o, "<h3>Items</h3>\n<p>After reverse coding; favourable is the share of favourable "
               "answers");
    if (rest)
        svg_raw(o, ", and item-rest r the correlation of an item with the sum of the others");
    svg_raw(o, ".");
    if (shortened)
        svg_raw(o, " Items are named by the part of their names that tells them apart (or by "
                   "the config's short_names); each item's full name is its cell's title, and "
                   "items.csv gives it too.");
    svg_raw(o, "</p>\n<div class=\"scroll\"><table class=\"items\">\n<thead><tr>");
    static const char *const head[] = { "item", "n", "mean", "sd", "favourable", "item-rest r" };
    for (size_t c = 0; c < (rest ? 6u : 5u); c++)
        head_cell(o, head[c], c == 0);
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < sc->n_items; i++) {
        const analysis_item_t *it = &sc->items[i];
        svg_raw(o, "<tr><td class=\"t\" title=\"");
        svg_text(o, dataset_column_name(in->dataset, it->column));
        svg_raw(o, "\">");
        svg_text(o, labels->text[i]);
        svg_raw(o, "</td>");
        cell(o, figure_count(it->n).s, false);
        cell(o, figure_fixed(it->mean, 2).s, false);
        cell(o, figure_fixed(it->sd, 2).s, false);
        figure_t fav = figure_fixed(it->favourable_pct, 1);
        if (isfinite(it->favourable_pct))
            strcat(fav.s, "%");
        cell(o, fav.s, false);
        if (rest)
            cell(o, figure_fixed(it->item_rest_r, 2).s, false);
        svg_raw(o, "</tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n");
    item_labels_free(labels);
    return ENGAGE_OK;
}

/* ------------------------------------------------------------------------ */
/* heatmap: groups × items, each cell's favourable share coloured by its     */
/* difference from the company (heatmap.csv's shown cells)                   */

/* The colour class of a difference from the company, in points: seven
 * steps of a blue (above) – light grey – orange (below) scale, the cells
 * below the company also hatched so that the side reads in greyscale. */
const char *html_heat_class(double delta)
{
    if (delta <= -HTML_HEAT_STRONG)
        return "n3";
    if (delta <= -HTML_HEAT_CLEAR)
        return "n2";
    if (delta <= -HTML_HEAT_NEAR)
        return "n1";
    if (delta < HTML_HEAT_NEAR)
        return "z";
    if (delta < HTML_HEAT_CLEAR)
        return "p1";
    if (delta < HTML_HEAT_STRONG)
        return "p2";
    return "p3";
}

static const char *const heat_level_name[HEATMAP_LEVELS] = { "company", "unit", "leader", "manager" };

/* One row of the heatmap: its name, then per item the view's cell.  The
 * row carries heatmap.csv's level and group (id: empty for the company). */
static void heat_row(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s,
                     heatmap_level_t level, size_t g, const char *id, const char *name)
{
    const heatmap_scale_t *hs = &view->heatmap->scales[s];
    long k = view->smallest_shown;
    svg_rawf(o, "<tr data-level=\"%s\" data-group=\"", heat_level_name[level]);
    svg_text(o, id);
    svg_raw(o, level == HEATMAP_COMPANY ? "\" class=\"total\">" : "\">");
    svg_raw(o, "<th class=\"t\" scope=\"row\">");
    svg_text(o, name);
    svg_raw(o, "</th>");
    for (size_t i = 0; i < hs->n_items; i++) {
        const char *item = dataset_column_name(in->dataset, hs->scale->items[i]);
        if (!view_heatmap_shown(view, s, level, g, i)) {
            svg_rawf(o, "<td class=\"hm hid\" title=\"not shown: fewer than %ld answers, or a group of "
                        "fewer than %ld could be worked out from it\">&#8212;</td>", k, k);
            continue;
        }
        const heatmap_cell_t *c = heatmap_cell(hs, level, g, i);
        analysis_stands_out_t out = view_heatmap_stands_out(view, s, level, g, i);
        const char *flag = out == ANALYSIS_ABOVE ? " up" : out == ANALYSIS_BELOW ? " down" : "";
        svg_rawf(o, "<td class=\"hm %s%s\" title=\"", html_heat_class(c->delta_favourable), flag);
        svg_text(o, name);
        svg_raw(o, ", ");
        svg_text(o, item);
        svg_rawf(o, ": %s%% favourable of %zu answers", figure_fixed(c->favourable_pct, 1).s, c->n);
        if (level != HEATMAP_COMPANY)
            svg_rawf(o, ", %s points against the company", figure_signed(c->delta_favourable, 1).s);
        if (*flag)
            svg_raw(o, out == ANALYSIS_ABOVE ? "; above its funnel limit" : "; below its funnel limit");
        svg_raw(o, "\">");
        if (*flag)
            svg_raw(o, out == ANALYSIS_ABOVE ? "&#9650;" : "&#9660;");
        svg_rawf(o, "%s%%</td>", figure_fixed(c->favourable_pct, 0).s);
    }
    svg_raw(o, "</tr>\n");
}

static void heat_legend(svg_out_t *o)
{
    static const struct {
        const char *cls, *text;
    } keys[] = {
        { "n3", "10 or more points below the company" }, { "n2", "5 to 10 below" },
        { "n1", "2 to 5 below" },                        { "z", "within 2 points" },
        { "p1", "2 to 5 above" },                        { "p2", "5 to 10 above" },
        { "p3", "10 or more above" },
    };
    _Static_assert(HTML_HEAT_NEAR == 2 && HTML_HEAT_CLEAR == 5 && HTML_HEAT_STRONG == 10,
                   "the legend states the steps");
    svg_raw(o, "<ul class=\"heatkey\">");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        svg_rawf(o, "<li><span class=\"hm %s\"></span>%s</li>", keys[i].cls, keys[i].text);
    svg_raw(o, "<li><span class=\"hm hid\">&#8212;</span>not shown</li>"
               "<li><span class=\"hm z up\">&#9650;</span><span class=\"hm z down\">&#9660;</span>beyond "
               "the funnel limit for a group of its size</li></ul>\n");
}

/* The heatmap of a shown scale: the company, then view_heatmap_rows'
 * groups, at most HTML_HEAT_ROWS. */
static engage_status_t heatmap_section(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s,
                                       engage_error_t *err)
{
    const heatmap_t *h = view->heatmap;
    if (!h || s >= h->n_scales || h->scales[s].n_items == 0)
        return ENGAGE_OK;
    const heatmap_scale_t *hs = &h->scales[s];
    const org_t *org = dataset_org(in->dataset);
    heatmap_level_t level;
    size_t rows[HTML_HEAT_ROWS], more = 0;
    size_t listed = view_heatmap_rows(view, org, s, &level, rows, HTML_HEAT_ROWS, &more);
    const char *what = level == HEATMAP_UNIT     ? "unit"
                     : level == HEATMAP_LEADER   ? "leader of the top two levels, each with their whole organisation,"
                                                 : "shown manager, ranked by mean score,";
    item_labels_t *labels = item_labels_of_scale(in->config, in->dataset, hs->scale);
    if (!labels || labels->n != hs->n_items) {
        item_labels_free(labels);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    svg_raw(o, "<h3>Heatmap</h3>\n<p>Each item&#8217;s favourable share for the company and each ");
    svg_raw(o, what);
    svg_raw(o, " coloured by its difference from the company&#8217;s share in points (heatmap.csv has every "
               "level, managers included, and the figures unrounded). Groups the scale does not show are not "
               "listed; a cell is not shown (&#8212;) when too few of the group answered the item.</p>\n");
    heat_legend(o);
    svg_raw(o, "<div class=\"scroll\"><table class=\"heatmap\">\n<thead><tr>");
    head_cell(o, level == HEATMAP_UNIT ? "unit" : level == HEATMAP_LEADER ? "leader" : "manager", true);
    for (size_t i = 0; i < hs->n_items; i++) {
        svg_raw(o, "<th scope=\"col\" title=\"");
        svg_text(o, dataset_column_name(in->dataset, hs->scale->items[i]));
        svg_raw(o, "\">");
        svg_text(o, labels->text[i]);
        svg_raw(o, "</th>");
    }
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    heat_row(o, in, view, s, HEATMAP_COMPANY, 0, "", "company");
    for (size_t k = 0; k < listed; k++) {
        size_t g = rows[k];
        if (level == HEATMAP_UNIT) {
            const char *name = in->units->names[g];
            heat_row(o, in, view, s, HEATMAP_UNIT, g, name, name[0] ? name : "(no unit)");
        } else if (level == HEATMAP_LEADER) {
            size_t node = view->leaders->node[g + 1];
            heat_row(o, in, view, s, HEATMAP_LEADER, g, org_id(org, node), figures_leader_name(org, node));
        } else {
            const char *id = dataset_manager_id(in->dataset, g);
            heat_row(o, in, view, s, HEATMAP_MANAGER, g, id, id);
        }
    }
    svg_raw(o, "</tbody></table></div>\n");
    if (more > 0)
        svg_rawf(o, "<p class=\"note\">&#8230; and %zu more in heatmap.csv%s.</p>\n", more,
                 level == HEATMAP_MANAGER ? " (the middle of the ranking)" : "");
    item_labels_free(labels);
    return ENGAGE_OK;
}

/* ------------------------------------------------------------------------ */
/* the ranking beside the caterpillar                                         */

/* One row of the ranking: rank (1 highest), manager, n, mean, interval,
 * and where the team lies against its funnel limits. */
static void rank_row(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s, size_t rank)
{
    const view_scale_t *vs = &view->scales[s];
    size_t j = vs->ranked[rank - 1];
    const analysis_manager_t *am = &vs->results->managers[j];
    analysis_stands_out_t out = view_funnel(view, s, j).stands_out;
    svg_raw(o, "<tr>");
    cell(o, figure_count(rank).s, false);
    cell(o, dataset_manager_id(in->dataset, am->manager), true);
    cell(o, figure_count(am->n).s, false);
    cell(o, figure_fixed(am->mean, 2).s, false);
    char ci[96];
    if (isfinite(am->ci_low) && isfinite(am->ci_high))
        snprintf(ci, sizeof ci, "%s to %s", figure_fixed(am->ci_low, 2).s, figure_fixed(am->ci_high, 2).s);
    else
        snprintf(ci, sizeof ci, "n/a");
    cell(o, ci, false);
    cell(o, out == ANALYSIS_ABOVE ? "above" : out == ANALYSIS_BELOW ? "below" : "", true);
    svg_raw(o, "</tr>\n");
}

/* The shown managers in the view's ranking, highest first, as report.txt
 * lists them: all up to HTML_RANKED_LISTED, else the HTML_RANKED_EDGE
 * highest and lowest. */
static void ranking_table(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s)
{
    size_t m = view->scales[s].n_ranked;
    if (m == 0)
        return;
    bool cut = m > HTML_RANKED_LISTED;
    svg_raw(o, "<p>The shown managers ranked by mean score, highest first, with the 95% confidence interval "
               "of the mean and whether the team lies beyond its 99.8% funnel limits:</p>\n"
               "<div class=\"scroll\"><table class=\"ranking\">\n<thead><tr>");
    static const char *const head[] = { "rank", "manager", "n", "mean", "95% CI", "stands out" };
    for (size_t c = 0; c < 6; c++)
        head_cell(o, head[c], c == 1 || c == 5);
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    for (size_t rank = 1; rank <= m; rank++) {
        if (cut && rank == (size_t)HTML_RANKED_EDGE + 1) {
            size_t skipped = m - 2 * (size_t)HTML_RANKED_EDGE;
            svg_rawf(o, "<tr><td></td><td class=\"t note\" colspan=\"5\">&#8230; %zu more %s (ranks %zu to %zu) "
                        "in managers.csv &#8230;</td></tr>\n",
                     skipped, plural(skipped, "manager", "managers"), (size_t)HTML_RANKED_EDGE + 1,
                     m - HTML_RANKED_EDGE);
            rank = m - HTML_RANKED_EDGE;
            continue;
        }
        rank_row(o, in, view, s, rank);
    }
    svg_raw(o, "</tbody></table></div>\n");
}

static engage_status_t scale_section(svg_out_t *o, const report_input_t *in, const view_t *view,
                                     size_t s, engage_error_t *err)
{
    const view_scale_t *vs = &view->scales[s];
    const analysis_scale_t *sc = vs->results;
    const privacy_summary_t *ps = &vs->decision->summary;
    long k = view->smallest_shown;
    size_t with_scores = sc->n_managers - ps->n_empty;
    svg_rawf(o, "<section id=\"scale-%zu\">\n<h2>Scale: ", s + 1);
    svg_text(o, sc->scale->name);
    svg_raw(o, "</h2>\n");
    engage_status_t rc = ENGAGE_OK;
    if (vs->suppressed) {
        if (vs->scored == 0)
            svg_raw(o, "<p>No respondent was scored on this scale, so it has no figures.</p>\n");
        else
            svg_rawf(o, "<p>Only %zu %s scored on this scale, fewer than %ld, so none of its "
                        "figures is shown and it has no plots.</p>\n",
                     vs->scored, plural(vs->scored, "respondent was", "respondents were"), k);
    } else {
        svg_rawf(o, "<p>%zu %s scored on the scale's %zu %s; they report to %zu %s, of whom "
                    "%zu %s shown.",
                 vs->scored, plural(vs->scored, "respondent was", "respondents were"),
                 sc->scale->n_items, plural(sc->scale->n_items, "item", "items"), with_scores,
                 plural(with_scores, "manager", "managers"), ps->n_shown,
                 plural(ps->n_shown, "is", "are"));
        size_t small = ps->n_primary - ps->n_empty;
        if (small > 0)
            svg_rawf(o, " Not shown: %zu %s with fewer than %ld scored respondents.", small,
                     plural(small, "manager", "managers"), k);
        if (ps->n_secondary > 0)
            svg_rawf(o, " Also not shown: %zu %s whose figures would let the hidden teams be "
                        "worked out by subtraction.",
                     ps->n_secondary, plural(ps->n_secondary, "manager", "managers"));
        svg_raw(o, "</p>\n");
        if (vs->n_ranked == 0) {
            svg_raw(o, "<p>No manager has enough scored respondents to be shown, so there are "
                       "no plots.</p>\n");
        } else {
            svg_raw(o, "<figure>\n<div class=\"scroll\">\n");
            rc = funnel(o, in, view, s, err);
            svg_raw(o, "</figure>\n");
            if (rc == ENGAGE_OK) {
                svg_raw(o, "<figure>\n<div class=\"scroll\">\n");
                rc = caterpillar(o, in, view, s, err);
                svg_raw(o, "</figure>\n");
            }
            if (rc == ENGAGE_OK)
                ranking_table(o, in, view, s);
        }
        if (rc == ENGAGE_OK)
            rc = items_section(o, in, vs, err);
        if (rc == ENGAGE_OK)
            rc = heatmap_section(o, in, view, s, err);
        leaders_section(o, in, view, s);
    }
    if (rc == ENGAGE_OK)
        change_section(o, view, s);
    if (rc == ENGAGE_OK)
        trend_html_section(o, in, view, s);
    svg_raw(o, "</section>\n");
    return rc;
}

static void quality_rows(svg_out_t *o, const ingest_log_t *log, const char *wave, size_t total[4])
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n_files; i++) {
        const ingest_file_t *f = &log->files[i];
        svg_raw(o, "<tr>");
        cell(o, f->path ? f->path : "", true);
        if (wave)
            cell(o, wave, true);
        cell(o, f->layout ? f->layout : f->format ? f->format : "", true);
        cell(o, f->encoding ? f->encoding : "", true);
        size_t v[4] = { f->rows, f->accepted, f->rejected, f->excluded };
        for (int c = 0; c < 4; c++) {
            cell(o, figure_count(v[c]).s, false);
            total[c] += v[c];
        }
        svg_raw(o, "</tr>\n");
    }
}

static void quality_section(svg_out_t *o, const report_input_t *in)
{
    svg_raw(o, "<section id=\"quality\">\n<h2>Data quality</h2>\n");
    const ingest_log_t *log = in->log;
    size_t n_files = (log ? log->n_files : 0) + (in->previous_log ? in->previous_log->n_files : 0);
    if (n_files == 0) {
        svg_raw(o, "<p>No input file was recorded.</p>\n</section>\n");
        return;
    }
    bool waves = in->previous_log != NULL;
    svg_raw(o, "<div class=\"scroll\"><table>\n<thead><tr>");
    head_cell(o, "file", true);
    if (waves)
        head_cell(o, "wave", true);
    head_cell(o, "format", true);
    head_cell(o, "encoding", true);
    static const char *const head[] = { "rows", "accepted", "rejected", "excluded" };
    for (int c = 0; c < 4; c++)
        head_cell(o, head[c], false);
    svg_raw(o, "</tr></thead>\n<tbody>\n");
    size_t total[4] = { 0 };
    quality_rows(o, log, waves ? "current" : NULL, total);
    quality_rows(o, in->previous_log, "previous", total);
    if (n_files > 1) {
        svg_rawf(o, "<tr class=\"total\"><td class=\"t\" colspan=\"%d\">total</td>", waves ? 4 : 3);
        for (int c = 0; c < 4; c++)
            cell(o, figure_count(total[c]).s, false);
        svg_raw(o, "</tr>\n");
    }
    svg_raw(o, "</tbody></table></div>\n<p>");
    if (total[2] == 0 && total[3] == 0)
        svg_raw(o, "No row was rejected or excluded.");
    else
        svg_text(o, figures_left_out(total[2], total[3],
                                     figures_log_capped(log) || figures_log_capped(in->previous_log)).s);
    svg_raw(o, "</p>\n</section>\n");
}

static void about_section(svg_out_t *o, long k)
{
    svg_rawf(o, "<section id=\"about\">\n<h2>About these figures</h2>\n<p>A manager's figures "
                "are shown only when at least %ld of their team were scored on the scale. When "
                "hiding the small teams alone would let a group of fewer than %ld people be "
                "worked out by subtraction from the scale totals, the next-smallest team is "
                "hidden too. Hidden managers appear nowhere on this page: no dot, label or "
                "interval. The share of the variance between managers, the ANOVA and ICC "
                "figures and the funnel limits are estimated over the respondents of the shown "
                "managers only, so that they say nothing of a hidden team. A change since the "
                "previous wave is named only when changes.csv shows it.</p>\n<p>Figures here "
                "are rounded; managers.csv, variance.csv and items.csv give them to 12 "
                "significant digits.</p>\n</section>\n", k, k);
}

/* "2024-05-01 12:00 UTC" from SOURCE_DATE_EPOCH, or false. */
static bool source_date(char *buf, size_t size)
{
    time_t t;
    struct tm tm;
    return source_date_epoch(&t) && gmtime_r(&t, &tm) && strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) > 0;
}

engage_status_t html_write(const report_input_t *in, const view_t *view, const char *path,
                           char sha256_hex[65], engage_error_t *err)
{
    svg_out_t *o = NULL;
    engage_status_t rc = svg_out_open(&o, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    svg_raw(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
               "<title>Employee engagement report</title>\n<style>\n");
    svg_raw(o, STYLE);
    svg_raw(o, "</style>\n</head>\n<body>\n<main>\n<h1>Employee engagement report</h1>\n"
               "<p class=\"meta\">engage ");
    svg_text(o, in->version ? in->version : "");
    char date[64];
    if (source_date(date, sizeof date)) {
        svg_raw(o, "; generated ");
        svg_text(o, date);
    }
    svg_raw(o, ". The same figures as report.txt and the CSV files beside this page.</p>\n");

    glance_section(o, in, view);
    for (size_t s = 0; s < view->n_scales && rc == ENGAGE_OK; s++)
        rc = scale_section(o, in, view, s, err);
    if (rc == ENGAGE_OK) {
        drivers_html_section(o, in, view);
        headline(o, view);
        quality_section(o, in);
        about_section(o, view->smallest_shown);
        svg_raw(o, "</main>\n</body>\n</html>\n");
    }
    engage_error_t close_err;
    engage_status_t crc = svg_out_close(o, sha256_hex, rc == ENGAGE_OK ? err : &close_err);
    return rc != ENGAGE_OK ? rc : crc;
}
