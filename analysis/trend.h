/*
 * analysis/trend.h — the history of waves (trend.csv): per scale, the
 * company's, every unit's (when the waves have units), every leader's whole
 * org (when the waves have a reporting tree) and every manager's figures in
 * each wave, with their 95% intervals, and Welch's test of each
 * against the same group in the wave before.  Pure: results in,
 * figures out; which rows may be published is decided in report/trend_view.h.
 */
#ifndef ENGAGE_TREND_H
#define ENGAGE_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "changes.h"
#include "leaders.h"
#include "units.h"

typedef enum {
    TREND_COMPANY = 0,   /* every scored respondent of the wave */
    TREND_UNIT = 1,      /* the teams of one unit, matched across waves by name */
    TREND_LEADER = 2,    /* one leader's whole org, matched across waves by leader id */
    TREND_MANAGER = 3    /* one manager's team, matched across waves by manager id */
} trend_level_t;

/* The level's name in trend.csv and enps_trend.csv: "company", "unit",
 * "leader", "manager". */
const char *trend_level_name(trend_level_t level);

#define TREND_NONE SIZE_MAX

typedef struct {
    trend_level_t level;
    const char *group;         /* manager id, leader id or unit name ("" for the company
                                  and the managers without a unit); points into a dataset */
    size_t wave;               /* index into the history, 0 = earliest */
    size_t manager;            /* manager index in that wave's results, unit index in its
                                  units, or row of its leaders; TREND_NONE for the company */
    size_t n;                  /* scored respondents */
    double mean, sd;           /* NAN when undefined (sd: n < 2) */
    double ci_low, ci_high;    /* mean ± t(0.975, n - 1) · sd / √n; NAN for n < 2 */
    double favourable_pct;     /* 100 × favourable answers / answered items */
    size_t previous_row;       /* the same group's row of wave - 1; TREND_NONE when it has none */
    changes_welch_t welch;     /* against previous_row (NAN without one) */
} trend_row_t;

typedef struct {
    const dataset_scale_t *scale;  /* of the last wave's dataset */
    size_t n_rows;
    trend_row_t *rows;             /* company first, then units by name, leaders by id,
                                      managers by id (byte order); within a group by wave */
} trend_scale_t;

typedef struct {
    size_t n_waves;
    const dataset_t *const *datasets; /* [wave], not owned */
    const results_t *const *results;  /* [wave], not owned */
    units_t **units;                  /* [wave] its units (units_run), owned; NULL entries for
                                         a wave without units */
    leaders_t **leaders;              /* [wave] its leaders (leaders_run), owned; NULL entries
                                         for a wave without a reporting tree */
    size_t n_scales;
    trend_scale_t *scales;            /* in scale order */
} trend_t;

/* The history of n_waves waves, earliest first: datasets[w] and results[w]
 * of wave w, all read with one config (so their scales agree; otherwise
 * ENGAGE_EDATA).  A wave whose dataset has units gets its units' rows
 * (units_run, so the dataset's answers must still be there), and one with
 * a reporting tree its leaders' rows (leaders_run: every leader of that
 * wave's tree, row 0's company aside).  Datasets, names and results are
 * pointed into and must outlive *out.
 * Fails only with ENGAGE_ENOMEM or ENGAGE_EDATA. */
engage_status_t trend_run(size_t n_waves, const dataset_t *const *datasets, const results_t *const *results,
                          trend_t **out, engage_error_t *err);

void trend_free(trend_t *trend);

#endif
