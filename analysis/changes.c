/*
 * analysis/changes.c — Welch's t-test and Benjamini–Hochberg adjustment
 * (see changes.h).  Owns nothing beyond a sort buffer inside changes_bh().
 */
#include "changes.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

changes_welch_t changes_welch(size_t n_previous, double mean_previous, double sd_previous, size_t n,
                              double mean, double sd)
{
    changes_welch_t w = {mean - mean_previous, NAN, NAN, NAN};
    if (!isfinite(w.delta))
        w.delta = NAN;
    if (n_previous < 2 || n < 2 || !isfinite(w.delta) || !isfinite(sd_previous) || !isfinite(sd))
        return w;
    double v_previous = sd_previous * sd_previous / (double)n_previous;
    double v = sd * sd / (double)n;
    double se2 = v_previous + v;
    if (!(se2 > 0))
        return w; /* no variance in either wave: R refuses ("essentially constant") */
    double se = sqrt(se2);
    double df = se2 * se2 / (v_previous * v_previous / (double)(n_previous - 1) + v * v / (double)(n - 1));
    double t = w.delta / se;
    double p = 2 * gsl_cdf_tdist_Q(fabs(t), df);
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    w.p_value = p > 1 ? 1 : p;
    w.ci_low = w.delta - half;
    w.ci_high = w.delta + half;
    return w;
}

typedef struct {
    double p;
    size_t index;
} ranked_t;

static int by_p(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

bool changes_bh(const double *p, const bool *include, size_t n, double *q)
{
    ranked_t *ranked = malloc((n ? n : 1) * sizeof *ranked);
    if (!ranked)
        return false;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        q[i] = NAN;
        if (include[i] && isfinite(p[i]))
            ranked[m++] = (ranked_t){p[i], i};
    }
    qsort(ranked, m, sizeof *ranked, by_p);
    /* q_(k) = min over j >= k of m / j * p_(j), at most 1 */
    double running = 1;
    for (size_t k = m; k-- > 0;) {
        double candidate = (double)m / (double)(k + 1) * ranked[k].p;
        if (candidate < running)
            running = candidate;
        q[ranked[k].index] = running;
    }
    free(ranked);
    return true;
}
