/*
 * analysis/drivers.h — key drivers: how much each item (or scale) accounts
 * for an outcome scale across respondents, by relative weights (Johnson
 * 2000) and, for up to DRIVERS_MAX_LMG drivers, LMG shares (the R² gain of
 * a driver averaged over every order of entry).
 *
 * Pure: dataset and [drivers] settings in, figures out; no I/O.  The
 * company-level figures reveal no group (they are one regression over every
 * complete case), so they need no privacy decision.  Undefined figures are
 * NAN.  drivers_t owns its arrays; names point into the dataset, which
 * must outlive it.
 */
#ifndef ENGAGE_DRIVERS_H
#define ENGAGE_DRIVERS_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "../core/config.h"
#include "../core/dataset.h"
#include "../core/error.h"
#include "units.h"

enum {
    DRIVERS_MAX_LMG = 12,           /* LMG visits 2^p subsets: beyond this, NAN */
    DRIVERS_BOOTSTRAP_ROWS = 20000  /* complete cases a bootstrap resample draws at most */
};

/* Notes on an outcome whose figures are empty. */
enum {
    DRIVERS_NOTE_TOO_FEW = 1u << 0,   /* fewer complete cases than drivers + 2 */
    DRIVERS_NOTE_SINGULAR = 1u << 1,  /* a driver without variance, or drivers that are
                                         linear combinations of each other (or outcome
                                         without variance) */
    DRIVERS_NOTE_SUBSAMPLE = 1u << 2  /* the bootstrap drew from a subsample (see n_bootstrap_rows) */
};

typedef struct {
    const char *name;      /* item column or scale name (points into the dataset) */
    bool is_scale;         /* a scale's score rather than one item */
    size_t column;         /* dataset column (an item) */
    size_t scale;          /* dataset scale: the scale itself, or the item's first scale
                              (whose reverse coding the item takes) */
    size_t position;       /* the item's position in that scale */
    double r;              /* correlation with the outcome over the complete cases */
    double raw_weight;     /* relative weight: the driver's part of R² */
    double share_r2;       /* raw_weight / R² */
    double lmg, lmg_share_r2;
    double raw_weight_ci_low, raw_weight_ci_high;  /* 95% percentile bootstrap interval */
    double share_r2_ci_low, share_r2_ci_high;
    double lmg_ci_low, lmg_ci_high;  /* of lmg, from the same resamples (NAN without lmg) */
    double favourable_pct; /* 100 × favourable answers / answers over the complete cases
                              (a scale driver: its items' answers) */
    bool where_to_act;     /* more important than the average driver (share_r2 > 1/p)
                              and less favourable than the median driver */
} drivers_item_t;

typedef struct {
    size_t outcome;        /* dataset scale index */
    size_t unit;           /* units_t unit index; SIZE_MAX: the whole company */
    size_t n_complete;     /* respondents scored on the outcome who have every driver */
    double r2;             /* R² of the outcome on every driver: the sum of raw_weight */
    size_t n_items;
    drivers_item_t *items; /* in config order (items =), else the scales' order */
    size_t top;            /* the driver of largest raw weight (the first of equals);
                              SIZE_MAX without weights */
    size_t n_bootstrap;    /* resamples asked for ([drivers] bootstrap) */
    size_t n_bootstrap_valid; /* resamples whose correlation matrix could be inverted */
    size_t n_bootstrap_rows;  /* rows of each resample: min(n_complete, DRIVERS_BOOTSTRAP_ROWS) */
    unsigned notes;        /* DRIVERS_NOTE_* */
    /* where_to_act's two lines: share_r2 above act_share (1/p) and
     * favourable_pct below act_favourable (the drivers' median); NAN
     * without weights */
    double act_share, act_favourable;
} drivers_outcome_t;

typedef struct {
    size_t n_outcomes;
    drivers_outcome_t *outcomes;  /* in the order of [drivers] outcome */
    /* Per unit (with units): [outcome × n_units + unit], over the
     * respondents of the unit's managers; the unit "" (managers without
     * one) is left out (n_complete 0, no drivers).  Whether a unit's are
     * published is the view's decision (view_drivers_unit_shown). */
    size_t n_units;
    const char *const *unit_names;  /* units_t's names */
    drivers_outcome_t *unit_outcomes;
} drivers_t;

/* Every outcome of cfg (non-empty outcomes; names checked by config) over
 * ds, the bootstrap drawn from gsl_rng_mt19937 seeded with `seed` afresh
 * for each outcome and each unit; per unit too when units is not NULL
 * (units_run on ds, which drivers_t then points into).  ENGAGE_ENOMEM only. */
engage_status_t drivers_run(const dataset_t *ds, const config_drivers_t *cfg, unsigned long seed,
                            const units_t *units, drivers_t **out, engage_error_t *err);

void drivers_free(drivers_t *d);

/* The 95% percentile bootstrap intervals of o's raw weights, shares of R²
 * and (when o has them) LMG from o->n_bootstrap resamples with replacement
 * of the m rows (each 1 + n_items values, the outcome first), the row
 * indices drawn from rng.  o holds its point estimates and n_complete
 * (m <= n_complete); with m < n_complete the rows are a subsample and each
 * resampled figure's spread around the subsample's own estimate is scaled
 * by √(m / n_complete) and put around the point estimate (m-out-of-n).
 * Sets n_bootstrap_valid (resamples whose relative weights could be worked
 * out).  false only when out of memory. */
bool drivers_bootstrap(drivers_outcome_t *o, const double *rows, size_t m, gsl_rng *rng);

/* Relative weights of p drivers from their correlation matrix rxx (p × p,
 * row-major) and correlations with the outcome rxy: raw[j] and R² (*r2 =
 * Σ raw).  false (raw and *r2 NAN) when rxx is not positive definite to
 * working precision. */
bool drivers_relative_weights(const double *rxx, const double *rxy, size_t p, double *raw, double *r2);

/* LMG of p <= DRIVERS_MAX_LMG drivers: each one's R² increment averaged
 * over the p! orders of entry, so Σ lmg = R².  false (lmg NAN) when p is
 * too large or a subset's matrix is not positive definite. */
bool drivers_lmg(const double *rxx, const double *rxy, size_t p, double *lmg);

/* The correlation matrix (q × q, row-major) of n rows of q values (row i at
 * rows + pick[i]·q, or rows + i·q when pick is NULL), by two-pass centred
 * sums.  false when n < 2 or a column has no variance. */
bool drivers_correlations(const double *rows, size_t q, const size_t *pick, size_t n, double *corr);

#endif
