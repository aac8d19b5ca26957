/*
 * report/drivers_table.c — writes drivers.csv (drivers_table.h) from the
 * view's drivers; decides nothing itself: whether an outcome is shown is
 * view_drivers_shown()'s answer.
 * Owns: the file it writes, for the length of the call.
 */
#include "drivers_table.h"

#include <math.h>

#include "../core/csv_out.h"
#include "tables.h"

/* One outcome's rows (the company's, unit "", or one unit's); a row not
 * shown keeps outcome, item, n_complete and kind. */
static void outcome_rows(csv_out_t *out, const report_input_t *in, const drivers_outcome_t *oc, bool shown,
                         const char *unit)
{
    for (size_t j = 0; j < oc->n_items; j++) {
        const drivers_item_t *it = &oc->items[j];
        csv_out_text(out, dataset_scale(in->dataset, oc->outcome)->name, true);
        csv_out_text(out, it->name, true);
        csv_out_integer(out, (long long)oc->n_complete);
        const double figures[] = {
            it->r, it->raw_weight, it->share_r2, oc->r2, it->raw_weight_ci_low, it->raw_weight_ci_high,
            it->share_r2_ci_low, it->share_r2_ci_high, it->lmg, it->lmg_share_r2,
        };
        for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
            csv_out_number(out, shown ? figures[k] : NAN, TABLES_DIGITS);
        csv_out_text(out, it->is_scale ? "scale" : "item", true);
        if (shown && oc->n_bootstrap_rows > 0) {
            csv_out_integer(out, (long long)oc->n_bootstrap_valid);
            csv_out_integer(out, (long long)oc->n_bootstrap_rows);
        } else {
            csv_out_empty(out);
            csv_out_empty(out);
        }
        csv_out_number(out, shown ? it->favourable_pct : NAN, TABLES_DIGITS);
        if (shown && !isnan(oc->r2))
            csv_out_integer(out, it->where_to_act);
        else
            csv_out_empty(out);
        csv_out_text(out, unit, true);
        csv_out_number(out, shown ? it->lmg_ci_low : NAN, TABLES_DIGITS);
        csv_out_number(out, shown ? it->lmg_ci_high : NAN, TABLES_DIGITS);
        csv_out_end_row(out);
    }
}

engage_status_t drivers_table_write(const report_input_t *in, const view_t *view, const char *path,
                                    char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "outcome", "item", "n_complete", "r", "raw_weight", "share_r2", "r2",
        "raw_weight_ci_low", "raw_weight_ci_high", "share_r2_ci_low", "share_r2_ci_high",
        "lmg", "lmg_share_r2", "kind", "bootstrap_resamples", "bootstrap_rows", "favourable_pct", "where_to_act", "unit",
        "lmg_ci_low", "lmg_ci_high",
    };
    csv_out_t *out;
    engage_status_t rc = tables_open(in, path, names, sizeof names / sizeof names[0], &out, err);
    if (rc != ENGAGE_OK)
        return rc;
    const drivers_t *d = view->drivers;
    for (size_t o = 0; d && o < d->n_outcomes; o++)
        outcome_rows(out, in, &d->outcomes[o], view_drivers_shown(view, o), "");
    for (size_t o = 0; d && o < d->n_outcomes; o++)
        for (size_t u = 0; u < d->n_units; u++)
            if (view_drivers_unit_shown(view, o, u))
                outcome_rows(out, in, &d->unit_outcomes[o * d->n_units + u], true, d->unit_names[u]);
    return csv_out_close(out, sha256_hex, err);
}
