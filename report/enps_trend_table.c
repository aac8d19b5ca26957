/*
 * report/enps_trend_table.c — the enps_trend.csv writer and the company's
 * published eNPS change (enps_trend_table.h).  Owns nothing past the call;
 * every figure comes from the view's eNPS history (analysis/enps_trend.h)
 * and whether it is shown from trend.csv's decision (trend_view.h).
 */
#include "enps_trend_table.h"

#include <math.h>

#include "../core/csv_out.h"
#include "tables.h"

bool enps_trend_table_wanted(const report_input_t *in, const view_t *view)
{
    return in->trend && view->trend && enps_trend_view_wanted(view->enps_trend);
}

bool enps_trend_table_company_change(const report_input_t *in, const view_t *view, size_t s,
                                     enps_change_t *out)
{
    *out = (enps_change_t){ NAN, NAN, NAN, NAN, NAN, NAN };
    if (!enps_trend_table_wanted(in, view) || !enps_trend_view_scale(view->enps_trend, s))
        return false;
    const trend_scale_t *ts = &in->trend->scales[s];
    for (size_t i = 0; i < ts->n_rows; i++)
        if (ts->rows[i].level == TREND_COMPANY && ts->rows[i].wave + 1 == in->trend->n_waves) {
            if (!view->enps_trend->scales[s].tested[i])
                return false;
            *out = view->enps_trend->figures->scales[s].change[i];
            return true;
        }
    return false;
}

static void figure(csv_out_t *out, bool shown, double value)
{
    if (shown)
        csv_out_number(out, value, TABLES_DIGITS);
    else
        csv_out_empty(out);
}

engage_status_t enps_trend_table_write(const report_input_t *in, const view_t *view, const char *path,
                                       char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "level", "group", "wave", "n", "promoters_pct", "passives_pct", "detractors_pct",
        "enps", "ci_low", "ci_high", "delta_previous", "delta_ci_low", "delta_ci_high", "p_value",
        "q_value", "suppressed",
    };
    csv_out_t *out;
    engage_status_t rc = tables_open(in, path, names, sizeof names / sizeof names[0], &out, err);
    if (rc != ENGAGE_OK)
        return rc;
    const trend_t *trend = in->trend;
    for (size_t s = 0; enps_trend_table_wanted(in, view) && s < trend->n_scales; s++) {
        if (!enps_trend_view_scale(view->enps_trend, s))
            continue;
        const trend_scale_t *ts = &trend->scales[s];
        const enps_trend_scale_t *es = &view->enps_trend->figures->scales[s];
        const enps_trend_view_scale_t *vs = &view->enps_trend->scales[s];
        for (size_t i = 0; i < ts->n_rows; i++) {
            const trend_row_t *row = &ts->rows[i];
            const enps_t *e = &es->rows[i];
            const enps_change_t *c = &es->change[i];
            bool shown = trend_view_shown(view->trend, s, i), tested = vs->tested[i];
            csv_out_text(out, ts->scale->name, true);
            csv_out_text(out, trend_level_name(row->level), true);
            csv_out_text(out, row->group, true);
            csv_out_text(out, in->wave_labels ? in->wave_labels[row->wave] : "", true);
            csv_out_integer(out, (long long)row->n);
            figure(out, shown, e->promoters_pct);
            figure(out, shown, e->passives_pct);
            figure(out, shown, e->detractors_pct);
            figure(out, shown, e->enps);
            figure(out, shown, e->ci_low);
            figure(out, shown, e->ci_high);
            figure(out, tested, c->delta);
            figure(out, tested, c->ci_low);
            figure(out, tested, c->ci_high);
            figure(out, tested, c->p_value);
            figure(out, tested, vs->q[i]);
            csv_out_integer(out, shown ? 0 : 1);
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}
