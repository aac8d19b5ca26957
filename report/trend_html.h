/*
 * report/trend_html.h — report.html's history of a scale: the company's
 * trend and each unit's as small multiples, a panel each, every shown wave's
 * mean with its 95% interval (trend.csv's rows, as the view shows them).
 */
#ifndef ENGAGE_TREND_HTML_H
#define ENGAGE_TREND_HTML_H

#include "report.h"
#include "svg.h"
#include "view.h"

/* The section of scale s (nothing without a history): a heading, one SVG
 * of small multiples and a sentence on what it shows.  Renders the view
 * only. */
void trend_html_section(svg_out_t *o, const report_input_t *in, const view_t *view, size_t s);

#endif
