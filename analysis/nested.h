/*
 * analysis/nested.h — REML variance components of the nested model
 * y = mu + u_unit + u_manager(unit) + e, u_unit ~ N(0, var_unit),
 * u_manager ~ N(0, var_manager), e ~ N(0, var_within): the optimum of
 * lme4::lmer(y ~ 1 + (1 | unit) + (1 | unit:manager), REML = TRUE).
 *
 * Pure: the restricted likelihood depends on the data only through each
 * team's size, mean and unit and the pooled within-team sum of squares, and
 * each evaluation costs O(teams) through the block structure of V (see
 * nested.c).
 */
#ifndef ENGAGE_NESTED_H
#define ENGAGE_NESTED_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/error.h"
#include "analysis.h"

typedef struct {
    double var_unit;          /* REML sigma²_unit; exactly 0 on that boundary */
    double var_manager;       /* REML sigma²_manager(unit); exactly 0 on that boundary */
    double var_within;        /* REML sigma²_e */
    double share_unit;        /* var_unit / (the three summed) */
    double share_manager;     /* var_manager / (the three summed) */
    double ratio_unit, ratio_manager;  /* var_unit / var_within, var_manager / var_within */
    double criterion;         /* lme4's REML criterion (-2 restricted log-likelihood) there */
    unsigned evaluations;     /* of the criterion and its gradient, for the tests */
} nested_fit_t;

/* Fit the model to teams j < count with n[j] respondents (teams with n[j]
 * = 0 are skipped) whose scores have mean mean[j], in unit unit[j] < n_units,
 * and ss_within = Σ_j Σ_i (y_ij - mean_j)².  Every figure is NAN when the
 * model is not identified: fewer than two units with respondents, no unit
 * with two teams, no respondent beyond one per team, ss_within 0 with teams
 * that differ, or a non-finite mean.  Every score equal: the three
 * components 0, the shares NAN.  Fails only with ENGAGE_ENOMEM (out is
 * then all NAN). */
engage_status_t nested_reml(const size_t *n, const double *mean, const size_t *unit, size_t count,
                            size_t n_units, double ss_within, nested_fit_t *out);

/* The fit over the managers m < count with n >= 1 and include[m] (every one
 * when include is NULL), manager m in unit unit_of[m] < n_units, from their
 * n, mean and ss.  Fails only with ENGAGE_ENOMEM. */
engage_status_t nested_decompose(const analysis_manager_t *managers, size_t count,
                                 const bool *include, const size_t *unit_of, size_t n_units,
                                 nested_fit_t *out);

/* For the tests: at ratio_unit = a >= 0, ratio_manager = b >= 0, the REML
 * criterion (the return value; NAN when out of memory or undefined),
 * its gradient in (a, b) and, per component, the sum of the absolute
 * values of the terms the gradient adds up (so grad / scale is the
 * gradient relative to its parts). */
double nested_criterion_at(const size_t *n, const double *mean, const size_t *unit, size_t count,
                           size_t n_units, double ss_within, double a, double b, double grad[2],
                           double scale[2]);

#endif
