/*
 * report/html.h — report.html: one self-contained page an analyst can mail.
 *
 * The page shows what report.txt leads with — per scale the REML share of
 * the variance between managers with ICC(1), its interval, respondents and
 * managers — then per scale a funnel plot and a caterpillar plot drawn as
 * inline SVG (report/svg.c) with the ranking of the shown managers beside
 * it, a heatmap of the items over units or the tree's top leaders, the
 * change since the previous wave when there is one, and the data-quality
 * counts per file.  Every table and plot fits a narrow window (wide ones
 * scroll in their own box) and prints.  No script, no external
 * resource: one inline <style>.  The markup is well-formed XML (XHTML
 * syntax) so that it parses as HTML and as XML alike.
 *
 * Privacy: it renders the published view (view.h), as the CSVs do.  A
 * suppressed manager contributes no dot, label, interval or tooltip; a
 * scale suppressed as a whole has no plot; a heatmap cell hidden by the
 * view is drawn as hidden, with no figure and no colour.  A change is named only when
 * changes.csv shows it.
 */
#ifndef ENGAGE_HTML_H
#define ENGAGE_HTML_H

#include "report.h"
#include "view.h"

enum {
    HTML_LABELS_PER_SIDE = 20,        /* stand-out managers labelled on each side of the funnel */
    HTML_FUNNEL_MAX_DOTS = 2000,      /* more shown managers: the funnel draws a density grid */
    HTML_CATERPILLAR_FULL = 200,      /* up to this many: intervals drawn at full width */
    HTML_CATERPILLAR_MAX_EACH = 2000, /* up to this many: each interval, as a thin line */
    HTML_CATERPILLAR_GROUPS = 200,    /* more: a band over this many rank groups ... */
    HTML_CATERPILLAR_EDGE = 50,       /* ... and the most extreme this many on each side */
    HTML_CHANGES_LISTED = 20,         /* changed managers listed per scale, as report.txt */
    HTML_LEADERS_LISTED = 40,         /* leaders listed per scale, as report.txt */
    HTML_RANKED_LISTED = 40,          /* more shown managers: the ranking lists only ... */
    HTML_RANKED_EDGE = 20,            /* ... this many highest and lowest, as report.txt */
    HTML_HEAT_ROWS = 40,              /* groups drawn in a scale's heatmap, the company besides */
    /* the heatmap's colour steps: a cell's difference from the company, in points */
    HTML_HEAT_NEAR = 2,
    HTML_HEAT_CLEAR = 5,
    HTML_HEAT_STRONG = 10
};

/* The heatmap cell's style (td.hm with a colour step class, hidden .hid,
 * stand-outs .up/.down), for every page that draws heatmap cells. */
#define HTML_HEAT_CSS \
    "td.hm{width:3.6rem;min-width:3.6rem;text-align:center;-webkit-print-color-adjust:exact;print-color-adjust:exact}\n" \
    ".hm.n3{background:#b35806;color:#fff}\n" \
    ".hm.n2{background:#f1a340;color:#1a1a1a}\n" \
    ".hm.n1{background:#fee0b6;color:#1a1a1a}\n" \
    ".hm.z{background:#f2f2f2;color:#1a1a1a}\n" \
    ".hm.p1{background:#d1e5f0;color:#1a1a1a}\n" \
    ".hm.p2{background:#67a9cf;color:#1a1a1a}\n" \
    ".hm.p3{background:#2166ac;color:#fff}\n" \
    ".hm.n1,.hm.n2,.hm.n3{background-image:repeating-linear-gradient(135deg,transparent 0 5px," \
    "rgba(0,0,0,.14) 5px 7px)}\n" \
    ".hm.hid{background:repeating-linear-gradient(45deg,#fff 0 4px,#d4d4d4 4px 5px);color:#555}\n" \
    ".hm.up,.hm.down{font-weight:700;box-shadow:inset 0 0 0 2px #1a1a1a}\n"

/* The colour step of a heatmap cell whose share lies delta points from the
 * company's: "n3" .. "n1" below (orange, hatched), "z" near, "p1" .. "p3"
 * above (blue), at HTML_HEAT_NEAR, HTML_HEAT_CLEAR, HTML_HEAT_STRONG. */
const char *html_heat_class(double delta);

/* Write report.html to path, straight to the file through a buffer (memory
 * fixed beyond the view's own); sha256_hex receives
 * its digest.  Same inputs, same bytes: no clock unless SOURCE_DATE_EPOCH,
 * no locale.  ENGAGE_ECANTCREAT, ENGAGE_EIO, ENGAGE_ENOMEM. */
engage_status_t html_write(const report_input_t *in, const view_t *view, const char *path,
                           char sha256_hex[65], engage_error_t *err);

#endif
