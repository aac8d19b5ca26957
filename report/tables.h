/*
 * report/tables.h — the CSV outputs of README.md: managers.csv,
 * variance.csv, items.csv, changes.csv, scales.csv, heatmap.csv,
 * quality.csv and rejects.csv, units.csv when the roster gives units and
 * leaders.csv when it gives the reporting tree.
 *
 * Each writer creates one file at `path`, renders the published view (view.h)
 * where figures are concerned, and returns the SHA-256 of what it wrote.
 */
#ifndef ENGAGE_TABLES_H
#define ENGAGE_TABLES_H

#include "../core/csv_out.h"
#include "report.h"
#include "view.h"

/* Creates a table's file at `path`: with --excel it begins with a byte order
 * mark; then the header row of names[0..n_names) (none when n_names is 0).
 * For every CSV output, so the rule lives here once. */
engage_status_t tables_open(const report_input_t *in, const char *path, const char *const *names,
                            size_t n_names, csv_out_t **out, engage_error_t *err);

/* Significant digits of every figure in the CSV outputs. */
enum { TABLES_DIGITS = 12 };

/* managers.csv and heatmap.csv are formatted in blocks of this many rows,
 * shared between two threads (the bytes do not change). */
enum { TABLES_PARALLEL_ROWS = 16384 };

/* One row per scale × manager (every manager, n may be 0), scale order then
 * manager index order: the contract's columns, then the funnel limits and
 * stands_out ("above", "below" or empty, against the 99.8% limits).  A
 * suppressed row keeps scale, manager_id and n, leaves every figure empty
 * (the funnel columns too) and has suppressed = 1. */
engage_status_t tables_write_managers(const report_input_t *in, const view_t *view,
                                      const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per scale: the decomposition over the shown managers (view.h),
 * whose respondents and managers it counts; with a previous wave, the
 * previous wave's decomposition over the teams whose change is shown, the
 * company-level change and each wave's company mean over every scored
 * respondent.  A scale with fewer than min_group scored respondents keeps
 * scale, respondents and managers and leaves every figure empty. */
engage_status_t tables_write_variance(const report_input_t *in, const view_t *view,
                                      const char *path, char sha256_hex[65], engage_error_t *err);

/* The analyst's variance_all_teams.csv: variance.csv's columns over every
 * team of each wave, nothing hidden.  Not a published output: it depends on
 * the hidden teams' own data. */
engage_status_t tables_write_variance_all_teams(const report_input_t *in, const char *path,
                                                char sha256_hex[65], engage_error_t *err);

/* One row per scale × item, scale order then the scale's item order.  Item
 * figures pool every scored respondent of the scale (no manager is singled
 * out), so they are hidden only with the scale: when it has fewer than
 * min_group scored respondents, a row keeps scale, item and n. */
engage_status_t tables_write_items(const report_input_t *in, const view_t *view,
                                   const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per scale × unit (in->units), scale order then unit byte order
 * (managers without a unit first, as an empty unit cell): scale, unit,
 * managers (with a scored respondent), n, mean, sd, se, ci_low, ci_high,
 * median, favourable_pct, rwg, suppressed.  A suppressed row keeps scale,
 * unit, managers and n and leaves every figure empty.  Written only when
 * the dataset has units. */
engage_status_t tables_write_units(const report_input_t *in, const view_t *view,
                                   const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per scale × leaders row (view->leaders: the company first, then
 * every leader in tree pre-order): scale, leader_id, name, parent_id,
 * depth, team_managers, org_managers, invited, responded, response_rate,
 * n, mean, sd, se, ci_low, ci_high, median, favourable_pct, neutral_pct,
 * unfavourable_pct, suppressed.  The company row has empty leader_id,
 * name and parent_id and depth 0; a top's parent_id is empty.  A
 * suppressed row keeps the head counts and n and leaves every figure
 * empty; response_rate is shown as view_response_rate_shown() says.
 * Written only when the dataset has a reporting tree. */
engage_status_t tables_write_leaders(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per scale, the company headline: scale, respondents (scored),
 * invited, response_rate (both empty without a roster's tree), mean, sd,
 * favourable_pct, neutral_pct, unfavourable_pct over every scored
 * respondent, and share_between (the REML share between managers over the
 * shown teams, variance.csv's icc_reml).  Figures are empty for a scale
 * with fewer than min_group scored respondents. */
engage_status_t tables_write_scales(const report_input_t *in, const view_t *view,
                                    const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per scale × item × level × group (view->heatmap): scale order,
 * then the scale's item order, then the levels company, unit, leader,
 * manager, then groups in byte order (units as units.csv, leaders in
 * leaders.csv's order, managers as managers.csv): scale, item, level,
 * group (empty for the company; the unit, leader_id or manager_id), n,
 * mean, favourable_pct, delta_favourable, stands_out, suppressed.  A
 * suppressed cell (view_heatmap_shown) keeps scale, item, level, group and
 * n and leaves every figure empty. */
engage_status_t tables_write_heatmap(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err);

/* "above", "below" or "" for an analysis_stands_out_t. */
const char *tables_stands_out_name(int stands_out);

/* One row per scale × manager of either wave (changes_t), scale order then
 * manager_id byte order: the contract's columns, then q_value (Benjamini-
 * Hochberg over the scale's shown rows).  A suppressed row keeps scale,
 * manager_id, n_previous and n, leaves every figure empty and has
 * suppressed = 1.  Written only with a previous wave. */
engage_status_t tables_write_changes(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err);

/* One row per input file of the ingest logs, then a column `wave`
 * (current, or previous for the previous wave's files). */
engage_status_t tables_write_quality(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err);

/* One row per rejected or excluded input row the logs list, in log order
 * (this wave's, then the previous wave's), then a column `wave` as in
 * quality.csv; after each wave's rows, one row per reason whose further
 * rows the log only counted: "N more rows not listed: REASON". */
engage_status_t tables_write_rejects(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err);

/* How a delimiter is named in outputs: "tab" for a tab, else as given. */
const char *tables_delimiter_name(const char *delimiter);

#endif
