/*
 * analysis/reml.c — the exact REML optimum of the one-way random-effects
 * model (see reml.h).
 *
 * With gamma = var_between / var_within, team sizes n_j, team means m_j,
 * N respondents and SSW the within-team sum of squares:
 *   w_j   = n_j / (1 + n_j gamma)
 *   mu    = Σ w_j m_j / Σ w_j                       (the GLS mean)
 *   Q     = SSW + Σ w_j (m_j - mu)²                 (= r' V^-1 r)
 * and -2 × the restricted log-likelihood, profiled over var_within = Q/(N-1),
 * is up to a constant
 *   D(gamma) = (N-1) log Q + Σ log(1 + n_j gamma) + log Σ w_j.
 * Its derivative (mu drops out: it minimises Q; dw_j/dgamma = -w_j²) is
 *   D'(gamma) = -(N-1) Σ w_j² (m_j - mu)² / Q + Σ w_j - Σ w_j² / Σ w_j.
 * When D'(0) >= 0 the criterion rises from the boundary and the estimate is
 * gamma = 0, as lme4 gives it (var_between exactly 0, var_within =
 * SST/(N-1)); otherwise it is the root of D', bracketed by doubling an upper
 * end from 1 until D' > 0 (for large gamma D' ~ (J-1)/gamma > 0 when SSW >
 * 0) and solved with GSL's Brent solver to a few units in the last place.
 * Minimising D itself would stall about 1e-8 away: D is flat there.
 *
 * Teams of equal size share w_j, so each size is one class holding its team
 * count c, the mean of its team means mbar and their sum of squares S about
 * mbar; then Σ_{j in class} (m_j - mu)² = S + c (mbar - mu)², and every sum
 * above runs over classes.  Classes are found with a table from size to
 * class (4 bytes per size up to the largest team), so no sort is needed.
 * Owns: nothing beyond each call.
 */
#include "reml.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

/* The two loops' bounds: doublings of the bracket's upper end before giving
 * up (2^1100 > DBL_MAX, so hi is infinite before the bound is reached), and
 * Brent steps, after which the last estimate stands (tests/analysis/test_reml.c
 * checks for at most 100 evaluations of D' in all; the bound is for a D' that
 * misbehaves). */
enum { REML_MAX_DOUBLINGS = 1100, REML_MAX_ITERATIONS = 400 };

typedef struct {
    size_t n_classes;
    double *size;     /* [class] team size n */
    double *count;    /* [class] teams of that size */
    double *mean;     /* [class] mean of their team means */
    double *ss;       /* [class] Σ (m_j - mean)² over them */
    double ssw;       /* SSW */
    double n_minus_1; /* N - 1 */
    double centre;    /* a value near the data: mu is computed as centre + shift */
    unsigned evaluations;
} reml_work_t;

/* D'(gamma); *q receives Q(gamma) when q is not NULL. */
static double reml_slope(double gamma, reml_work_t *w, double *q)
{
    double sw = 0.0, swd = 0.0, sw2 = 0.0;
    for (size_t c = 0; c < w->n_classes; c++) {
        double wt = w->size[c] / (1.0 + w->size[c] * gamma);
        sw += w->count[c] * wt;
        swd += w->count[c] * wt * (w->mean[c] - w->centre);
        sw2 += w->count[c] * wt * wt;
    }
    double mu = w->centre + swd / sw;
    double qq = w->ssw, a = 0.0;
    for (size_t c = 0; c < w->n_classes; c++) {
        double wt = w->size[c] / (1.0 + w->size[c] * gamma);
        double d = w->mean[c] - mu;
        double dev2 = w->ss[c] + w->count[c] * d * d;
        qq += wt * dev2;
        a += wt * wt * dev2;
    }
    w->evaluations++;
    if (q)
        *q = qq;
    return -w->n_minus_1 * a / qq + sw - sw2 / sw;
}

static double reml_slope_gsl(double gamma, void *params)
{
    return reml_slope(gamma, params, NULL);
}

/* The root of D' in [lo, hi], where D'(lo) < 0 < D'(hi); NAN if GSL fails. */
static double reml_root(reml_work_t *w, double lo, double hi)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_function f = { reml_slope_gsl, w };
    double root = NAN;
    if (gsl_root_fsolver_set(s, &f, lo, hi) == GSL_SUCCESS) {
        for (int i = 0; i < REML_MAX_ITERATIONS; i++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) {
                root = NAN;
                break;
            }
            root = gsl_root_fsolver_root(s);
            double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            if (gsl_root_test_interval(a, b, 0.0, 4.0 * GSL_DBL_EPSILON) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(s);
    return root;
}

static void reml_undefined(reml_fit_t *out, unsigned evaluations)
{
    *out = (reml_fit_t){ NAN, NAN, NAN, NAN, false, evaluations };
}

/* Pool the teams into classes by size (see the top of the file): a table
 * from size to class (sizes up to the largest team), then the sums and the
 * sums of squares about the provisional means, two-pass.  Returns false
 * when out of memory. */
static bool reml_classes(const size_t *n, const double *mean, size_t count, size_t largest,
                         reml_work_t *w, double **buffer_out)
{
    if (largest >= UINT32_MAX)
        return false;
    uint32_t *class_of = calloc(largest + 1, sizeof *class_of);
    if (!class_of)
        return false;
    for (size_t j = 0; j < count; j++)
        class_of[n[j]] = 1;
    size_t classes = 0;
    for (size_t s = 1; s <= largest; s++)
        if (class_of[s])
            class_of[s] = (uint32_t)classes++;
    double *buffer = calloc(5 * classes, sizeof *buffer);
    if (!buffer) {
        free(class_of);
        return false;
    }
    w->n_classes = classes;
    w->size = buffer;
    w->count = buffer + classes;
    w->mean = buffer + 2 * classes;
    w->ss = buffer + 3 * classes;
    double *resid = buffer + 4 * classes;
    for (size_t j = 0; j < count; j++) {
        if (n[j] == 0)
            continue;
        size_t c = class_of[n[j]];
        w->size[c] = (double)n[j];
        w->count[c] += 1.0;
        w->mean[c] += mean[j];
    }
    for (size_t c = 0; c < classes; c++)
        w->mean[c] /= w->count[c];
    for (size_t j = 0; j < count; j++) {
        if (n[j] == 0)
            continue;
        size_t c = class_of[n[j]];
        double d = mean[j] - w->mean[c];
        resid[c] += d;
        w->ss[c] += d * d;
    }
    for (size_t c = 0; c < classes; c++) {
        w->mean[c] += resid[c] / w->count[c];
        w->ss[c] -= resid[c] * resid[c] / w->count[c];
        if (w->ss[c] < 0.0)
            w->ss[c] = 0.0;
    }
    free(class_of);
    *buffer_out = buffer;
    return true;
}

engage_status_t reml_oneway(const size_t *n, const double *mean, size_t count, double ss_within,
                            reml_fit_t *out)
{
    reml_undefined(out, 0);
    size_t teams = 0, largest = 0;
    double N = 0.0, weighted = 0.0, lowest = INFINITY, highest = -INFINITY;
    for (size_t j = 0; j < count; j++) {
        if (n[j] == 0)
            continue;
        if (!isfinite(mean[j]))
            return ENGAGE_OK;
        teams++;
        N += (double)n[j];
        weighted += (double)n[j] * mean[j];
        if (n[j] > largest)
            largest = n[j];
        lowest = fmin(lowest, mean[j]);
        highest = fmax(highest, mean[j]);
    }
    if (teams < 2 || N < 2.0 || !isfinite(ss_within) || ss_within < 0.0)
        return ENGAGE_OK;
    if (ss_within == 0.0) {
        /* every score equal: nothing to divide; else not identified or unbounded */
        if (lowest == highest)
            *out = (reml_fit_t){ 0.0, 0.0, NAN, NAN, true, 0 };
        return ENGAGE_OK;
    }

    reml_work_t w = { .ssw = ss_within, .n_minus_1 = N - 1.0, .centre = weighted / N };
    double *buffer = NULL;
    if (!reml_classes(n, mean, count, largest, &w, &buffer))
        return ENGAGE_ENOMEM;

    double gamma = 0.0, q = NAN;
    bool boundary = false;
    double slope0 = reml_slope(0.0, &w, &q);
    if (isnan(slope0)) {
        gamma = NAN;
    } else if (slope0 >= 0.0) {
        boundary = true;
    } else {
        double lo = 0.0, hi = 1.0, slope = reml_slope(hi, &w, NULL);
        for (int i = 0; i < REML_MAX_DOUBLINGS && slope < 0.0 && isfinite(hi); i++) {
            lo = hi;
            hi *= 2.0;
            slope = reml_slope(hi, &w, NULL);
        }
        if (!(slope >= 0.0) || !isfinite(hi))
            gamma = NAN;
        else if (slope == 0.0)
            gamma = hi;
        else
            gamma = reml_root(&w, lo, hi);
        if (!isnan(gamma))
            reml_slope(gamma, &w, &q);
    }
    free(buffer);
    if (isnan(gamma) || !isfinite(q)) {
        reml_undefined(out, w.evaluations);
        return ENGAGE_OK;
    }
    double within = q / (N - 1.0);
    double between = boundary ? 0.0 : gamma * within;
    double icc = between + within > 0.0 ? between / (between + within) : NAN;
    if (!isfinite(within) || !isfinite(between) || !isfinite(icc)) {
        reml_undefined(out, w.evaluations);
        return ENGAGE_OK;
    }
    *out = (reml_fit_t){ between, within, icc, gamma, boundary, w.evaluations };
    return ENGAGE_OK;
}
