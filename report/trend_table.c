/*
 * report/trend_table.c — the trend.csv writer (see trend_table.h).  Owns
 * nothing past the call; every figure comes from the trend (analysis) and
 * whether it is shown from the view (trend_view.h); response_rate is the
 * view's (view_trend_response_rate).
 */
#include "trend_table.h"

#include <math.h>

#include "../core/csv_out.h"
#include "tables.h"

static void figure(csv_out_t *out, double value)
{
    csv_out_number(out, value, TABLES_DIGITS);
}

engage_status_t trend_table_write(const report_input_t *in, const view_t *view, const char *path,
                                  char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "level", "group", "wave", "n", "mean", "favourable_pct", "response_rate",
        "delta_previous", "p_value", "q_value", "suppressed",
    };
    csv_out_t *out;
    engage_status_t rc = tables_open(in, path, names, sizeof names / sizeof names[0], &out, err);
    if (rc != ENGAGE_OK)
        return rc;
    const trend_t *trend = in->trend;
    for (size_t s = 0; trend && view->trend && s < trend->n_scales; s++) {
        const trend_scale_t *ts = &trend->scales[s];
        const trend_view_scale_t *vs = &view->trend->scales[s];
        for (size_t i = 0; i < ts->n_rows; i++) {
            const trend_row_t *row = &ts->rows[i];
            bool shown = trend_view_shown(view->trend, s, i);
            csv_out_text(out, ts->scale->name, true);
            csv_out_text(out, trend_level_name(row->level), true);
            csv_out_text(out, row->group, true);
            csv_out_text(out, in->wave_labels ? in->wave_labels[row->wave] : "", true);
            csv_out_integer(out, (long long)row->n);
            figure(out, shown ? row->mean : NAN);
            figure(out, shown ? row->favourable_pct : NAN);
            figure(out, view_trend_response_rate(view, s, i));
            figure(out, vs->tested[i] ? row->welch.delta : NAN);
            figure(out, vs->tested[i] ? row->welch.p_value : NAN);
            figure(out, vs->tested[i] ? vs->q[i] : NAN);
            csv_out_integer(out, shown ? 0 : 1);
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}
