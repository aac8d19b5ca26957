/*
 * report/drivers_html.h — report.html's "where to act" section: the key
 * drivers of each [drivers] outcome as published by the view, importance
 * against favourable share.
 */
#ifndef ENGAGE_DRIVERS_HTML_H
#define ENGAGE_DRIVERS_HTML_H

#include "report.h"
#include "svg.h"
#include "view.h"

/* Per company-level outcome: an SVG scatter of each driver's share of R²
 * (y) against its favourable share (x), with the two lines of where to act
 * and the drivers drivers.c marks named; a table of the same figures with
 * their intervals; or the reason the figures are empty.  Nothing without
 * [drivers]. */
void drivers_html_section(svg_out_t *o, const report_input_t *in, const view_t *view);

#endif
