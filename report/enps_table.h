/*
 * report/enps_table.h — enps.csv: the eNPS of every scale of kind = nps at
 * every level (README.md, "eNPS: the recommend question"), and the one
 * lookup the readable reports use for a group's published eNPS.
 *
 * Renders the published view (view.h): a group's eNPS is shown exactly when
 * the view shows the group on that scale (a kind = nps scale's n is the
 * number who answered its one item, so its groups are decided by the
 * scale's own primary and secondary suppression, units and leaders' orgs
 * included).  The figures come from the shares of the view's groups
 * (analysis/enps.h): nothing here reads min_group or applies a rule.
 */
#ifndef ENGAGE_ENPS_TABLE_H
#define ENGAGE_ENPS_TABLE_H

#include <stdbool.h>

#include "../analysis/enps.h"
#include "../analysis/heatmap.h"
#include "report.h"
#include "view.h"

/* Whether scale s of the view is of kind = nps in the run's config (by
 * name: the dataset's scales are the config's), and whether any is (then
 * enps.csv is written). */
bool enps_table_scale(const report_input_t *in, const view_t *view, size_t s);
bool enps_table_wanted(const report_input_t *in, const view_t *view);

/* Group g at `level` of scale s (HEATMAP_COMPANY: g 0; HEATMAP_UNIT: units_t's
 * unit g; HEATMAP_LEADER: leaders_t's row g, 1..; HEATMAP_MANAGER: manager
 * index g) into *out, and whether it is shown.  A hidden group's *out has n
 * alone, every figure NAN and every count 0. */
bool enps_table_group(const report_input_t *in, const view_t *view, size_t s, heatmap_level_t level, size_t g,
                      enps_t *out);

/* enps.csv: scale, level, group, n, promoters_pct, passives_pct,
 * detractors_pct, enps, ci_low, ci_high, suppressed.  Rows by scale (config
 * order), level (company, unit, leader, manager: units with a roster's units,
 * leaders with its reporting tree), group in byte order (the company's
 * empty).  A suppressed row keeps scale, level, group and n. */
engage_status_t enps_table_write(const report_input_t *in, const view_t *view, const char *path,
                                 char sha256_hex[65], engage_error_t *err);

#endif
