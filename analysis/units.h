/*
 * analysis/units.h — per-unit figures: the managers.csv figures of every
 * unit of the HRIS roster, over all the respondents of its managers.
 *
 * A unit is the set of managers whose dataset_manager_unit() is its name;
 * managers without one form the unit "" (shown as "(no unit)" in
 * report.txt).  Pure: dataset and results in, units_t out, no I/O.  Figures
 * follow the README's per-manager definitions over the unit's scored
 * respondents; rwg is rwg(j) over those who answered every item (for one
 * item, rwg over all), so it measures agreement across the unit's teams,
 * between-team differences included.  Undefined figures are NAN.
 *
 * units_t owns its arrays (freed by units_free); unit names point into the
 * dataset, which must outlive it.
 */
#ifndef ENGAGE_UNITS_H
#define ENGAGE_UNITS_H

#include <stddef.h>

#include "../core/dataset.h"
#include "../core/error.h"
#include "analysis.h"
#include "nested.h"

/* One unit's figures on one scale. */
typedef struct {
    size_t n;              /* scored respondents of the unit's managers */
    size_t managers;       /* managers of the unit with at least one of them */
    double mean, sd, se, ci_low, ci_high, median;
    double favourable_pct; /* 100 × favourable answers / answered items */
    double neutral_pct, unfavourable_pct; /* the other two shares (analysis_shares) */
    double rwg;            /* rwg(j) over the respondents who answered every item
                              (rwg for one item); NAN for fewer than two */
} units_figures_t;

typedef struct {
    const dataset_scale_t *scale;   /* points into the dataset */
    units_figures_t *units;         /* [unit], in unit order */
    nested_fit_t nested;            /* unit and manager-within-unit REML over every team
                                       (nested.h; the unit "" is one more unit) */
} units_scale_t;

typedef struct {
    size_t n_units;
    const char **names;    /* [unit] in byte order; "" (first) for managers without a unit */
    size_t n_managers;
    size_t *unit_of;       /* [manager] its unit index */
    size_t n_scales;
    units_scale_t *scales; /* in dataset scale order */
} units_t;

/* The units of a dataset's managers and each unit's figures on each scale.
 * results must come from analysis_run() on the same dataset (managers' n
 * give the unit's manager count).  A dataset without units gives every
 * manager the unit "".  Each scale's nested fit is over every team (the
 * view refits it over the shown ones).  Fails only with ENGAGE_ENOMEM. */
engage_status_t units_run(const dataset_t *ds, const results_t *results, units_t **out,
                          engage_error_t *err);

/* Frees units and everything it owns; NULL is fine. */
void units_free(units_t *units);

#endif
