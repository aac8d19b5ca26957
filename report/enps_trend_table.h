/*
 * report/enps_trend_table.h — enps_trend.csv: the eNPS of every scale of
 * kind = nps in every wave of the history, in long form like trend.csv, and
 * the one lookup the readable reports use for the company's change since
 * the wave before (README.md, "enps_trend.csv").  Renders the view's
 * decision (view_t.trend, view_t.enps_trend) and nothing else.
 */
#ifndef ENGAGE_ENPS_TREND_TABLE_H
#define ENGAGE_ENPS_TREND_TABLE_H

#include <stdbool.h>

#include "../analysis/enps.h"
#include "report.h"
#include "view.h"

/* Whether enps_trend.csv is written: a history and a scale of kind = nps. */
bool enps_trend_table_wanted(const report_input_t *in, const view_t *view);

/* The company's eNPS change on scale s from the wave before the last to the
 * last into *out, and whether it is shown (both waves' company rows shown
 * and the change defined, as enps_trend.csv shows it). */
bool enps_trend_table_company_change(const report_input_t *in, const view_t *view, size_t s,
                                     enps_change_t *out);

/* enps_trend.csv: scale, level, group, wave, n, promoters_pct,
 * passives_pct, detractors_pct, enps, ci_low, ci_high, delta_previous,
 * delta_ci_low, delta_ci_high, p_value, q_value, suppressed; rows as
 * trend.csv's (scale, level, group, wave).  A suppressed row keeps scale,
 * level, group, wave and n.  Its SHA-256 into sha256_hex; ENGAGE_EIO when
 * writing fails. */
engage_status_t enps_trend_table_write(const report_input_t *in, const view_t *view, const char *path,
                                       char sha256_hex[65], engage_error_t *err);

#endif
