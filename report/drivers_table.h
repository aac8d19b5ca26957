/*
 * report/drivers_table.h — drivers.csv: the key drivers of each [drivers]
 * outcome, rendered from the published view (view.h).
 */
#ifndef ENGAGE_DRIVERS_TABLE_H
#define ENGAGE_DRIVERS_TABLE_H

#include "report.h"
#include "view.h"

/* One row per outcome × driver, outcomes in [drivers] order, drivers in
 * theirs: outcome, item, n_complete, r, raw_weight, share_r2, r2, the 95%
 * bootstrap intervals of raw_weight and share_r2, lmg, lmg_share_r2, kind
 * ("item" or "scale"), bootstrap_resamples and bootstrap_rows,
 * favourable_pct and where_to_act (1 or 0; empty without weights), unit
 * (empty: the company).  The company's rows first; an outcome the view does
 * not show (view_drivers_shown) keeps outcome, item, n_complete and kind.
 * Then, per outcome, each unit the view shows (view_drivers_unit_shown), in
 * unit order. */
engage_status_t drivers_table_write(const report_input_t *in, const view_t *view, const char *path,
                                    char sha256_hex[65], engage_error_t *err);

#endif
