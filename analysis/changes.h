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

#endif
