/*
 * analysis/changes.h — what changed since the previous wave, per manager:
 * Welch's two-sample t-test on the scale scores (as R's t.test, unequal
 * variances) and Benjamini–Hochberg adjusted p-values over a set of managers
 * (as R's p.adjust(p, "BH")).  Pure functions on summary figures; undefined
 * figures are NAN.
 */
#ifndef ENGAGE_CHANGES_H
#define ENGAGE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"

typedef struct {
    double delta;              /* mean - mean_previous */
    double ci_low, ci_high;    /* 95% interval of delta */
    double p_value;            /* two-sided */
} changes_welch_t;

/* Welch's test of this wave (n, mean, sd) against the previous one.  Needs
 * n >= 2 in both waves and some variance; otherwise every figure but delta
 * (defined when both means are) is NAN. */
changes_welch_t changes_welch(size_t n_previous, double mean_previous, double sd_previous, size_t n,
                              double mean, double sd);

/* q[i] = the Benjamini–Hochberg adjusted p[i] over the entries with
 * include[i] and a defined p[i]; NAN elsewhere.  O(n log n). */
bool changes_bh(const double *p, const bool *include, size_t n, double *q);

/* One wave's figures of a group (a manager, or a whole scale): n scored
 * respondents, their mean and sd (n - 1); NAN when undefined. */
typedef struct {
    size_t n;
    double mean, sd;
} changes_wave_t;

/* Per scale × manager of the union of both waves' managers. */
typedef struct {
    const char *manager_id;    /* points into one of the datasets */
    changes_wave_t previous, current;  /* n = 0 for a wave the manager is absent from */
    changes_welch_t welch;
    size_t previous_manager, current_manager;  /* manager index in each wave's results;
                                                  CHANGES_ABSENT when absent from it */
} changes_row_t;

#define CHANGES_ABSENT SIZE_MAX

typedef struct {
    const dataset_scale_t *scale;      /* of the current dataset */
    const analysis_scale_t *previous_scale, *current_scale;  /* into the results */
    const analysis_variance_t *variance_previous, *variance;  /* over every team, into the
                                                                 results */
    changes_wave_t previous, current;  /* the whole scale: grand mean, sd from SS_total */
    changes_welch_t welch;             /* company-level change */
    size_t n_rows;
    changes_row_t *rows;               /* in manager_id byte order */
} changes_scale_t;

typedef struct {
    size_t n_scales;
    changes_scale_t *scales;           /* in scale order */
} changes_t;

/* Match the previous wave's results to the current one's, scale by scale
 * (both datasets read with one config, so their scales agree) and manager
 * by manager id, and test each change.  Pure; names point into the
 * datasets, which must outlive *out.  Fails only with ENGAGE_ENOMEM (or
 * ENGAGE_EDATA when the waves have different scales). */
engage_status_t changes_run(const dataset_t *previous_ds, const results_t *previous,
                            const dataset_t *ds, const results_t *current, changes_t **out,
                            engage_error_t *err);

void changes_free(changes_t *changes);

#endif
