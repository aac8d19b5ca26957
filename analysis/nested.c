/*
 * analysis/nested.c — the exact REML optimum of the nested model (see
 * nested.h).
 *
 * With a = var_unit / var_within, b = var_manager / var_within, team j of
 * unit k with n_j respondents and mean m_j, N respondents and SSW the
 * within-team sum of squares, V_k / var_within = I + b Σ_j J_{n_j} + a J
 * for unit k's block.  The team blocks invert and factor alone (Woodbury
 * and the determinant lemma), then the unit's rank-one term on top:
 *   w_j = n_j / (1 + n_j b)                     (1' W^-1 1 over team j)
 *   s_k = Σ_j w_j,  mbar_k = Σ_j w_j m_j / s_k,  t_k = s_k / (1 + a s_k)
 *   mu  = Σ t_k mbar_k / Σ t_k                  (the GLS mean), T = Σ t_k
 *   Q   = SSW + Σ_k [Σ_j w_j (m_j - mbar_k)² + t_k (mbar_k - mu)²]  (= r'V^-1 r)
 *   log|V| = Σ_j log(1 + n_j b) + Σ_k log(1 + a s_k)
 * and lme4's REML criterion, profiled over var_within = Q/(N-1), is
 *   D(a, b) = (N-1)(1 + log(2 pi Q/(N-1))) + log|V| + log T.
 * Its gradient (mu drops out: it minimises Q), with e_k = mbar_k - mu and
 * W2_k = Σ_j w_j²:
 *   dD/da = -(N-1) Σ t_k² e_k² / Q + T - Σ t_k² / T
 *   dD/db = -(N-1) Σ_k Σ_j w_j² (m_j - mbar_k + e_k/(1 + a s_k))² / Q
 *           + Σ_j w_j - Σ_k a W2_k/(1 + a s_k) - Σ_k W2_k/(1 + a s_k)² / T.
 * Each evaluation is two passes over the teams grouped by unit: O(teams)
 * (the logarithms of the team blocks, the costly part, once per distinct
 * team size).
 *
 * The optimum: GSL's BFGS minimiser on D(θ_u², θ_m²) from θ = (1, 1), as
 * lme4 parametrises it (a component may reach 0 smoothly), gets close; then
 * each face of the constraint set is solved exactly — the interior as the
 * root of the gradient (GSL's hybrid solver, from the minimiser's point),
 * each edge (a = 0 or b = 0) as the root of its one partial derivative
 * (bracketed by doubling from 1 and solved with Brent, or 0 when it is
 * positive at 0) — and the point that satisfies the Karush-Kuhn-Tucker
 * conditions (a partial derivative >= 0 where its component is 0) with the
 * lowest D is the estimate.  A component on its boundary is exactly 0, as
 * lme4 reports a singular fit.  Owns: nothing beyond each call.
 */
#include "nested.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_vector.h>

/* Iteration bounds: of the minimiser, of the gradient's root finder, of the
 * doublings of a bracket and of Brent's steps (each far above what the tests
 * see; the bounds are for a function that misbehaves).  A root is accepted
 * when every partial derivative is below NESTED_ROOT_TOLERANCE of the sum of
 * its terms' magnitudes. */
enum { NESTED_MAX_MINIMISER = 500, NESTED_MAX_ROOT = 200, NESTED_MAX_DOUBLINGS = 1100,
       NESTED_MAX_BRENT = 400 };
#define NESTED_ROOT_TOLERANCE 1e-10

typedef struct {
    size_t units;          /* units with respondents */
    size_t *start;         /* [units + 1]: unit k's teams are start[k] .. start[k+1]-1 */
    double *size;          /* [teams] n_j */
    double *mean;          /* [teams] m_j - centre */
    double *unit_s;        /* [units] scratch: s_k */
    double *unit_mean;     /* [units] scratch: mbar_k */
    size_t n_sizes;        /* distinct team sizes, for Σ_j log(1 + n_j b) */
    double *sizes, *size_count;
    double ssw, n_minus_1;
    unsigned evaluations;
} nested_work_t;

/* D(a, b), its gradient and the magnitudes of the gradient's terms (either
 * may be NULL); *q receives Q when q is not NULL. */
static double nested_eval(nested_work_t *w, double a, double b, double grad[2], double scale[2],
                          double *q)
{
    w->evaluations++;
    double T = 0.0, sum_tm = 0.0, logdet = 0.0;
    for (size_t c = 0; c < w->n_sizes; c++)
        logdet += w->size_count[c] * log1p(w->sizes[c] * b);
    for (size_t k = 0; k < w->units; k++) {
        double s = 0.0, swm = 0.0;
        for (size_t j = w->start[k]; j < w->start[k + 1]; j++) {
            double wt = w->size[j] / (1.0 + w->size[j] * b);
            s += wt;
            swm += wt * w->mean[j];
        }
        double mbar = swm / s, t = s / (1.0 + a * s);
        w->unit_s[k] = s;
        w->unit_mean[k] = mbar;
        T += t;
        sum_tm += t * mbar;
        logdet += log1p(a * s);
    }
    double mu = sum_tm / T;
    double Q = w->ssw, ga_data = 0.0, ga_t2 = 0.0;
    double gb_data = 0.0, gb_w = 0.0, gb_unit = 0.0, gb_t = 0.0;
    for (size_t k = 0; k < w->units; k++) {
        double s = w->unit_s[k], mbar = w->unit_mean[k], e = mbar - mu;
        double denom = 1.0 + a * s, t = s / denom, f = e / denom;
        Q += t * e * e;
        ga_data += t * t * e * e;
        ga_t2 += t * t;
        double w2 = 0.0;
        for (size_t j = w->start[k]; j < w->start[k + 1]; j++) {
            double wt = w->size[j] / (1.0 + w->size[j] * b);
            double dm = w->mean[j] - mbar, g = dm + f;
            Q += wt * dm * dm;
            w2 += wt * wt;
            gb_data += wt * wt * g * g;
            gb_w += wt;
        }
        gb_unit += a * w2 / denom;
        gb_t += w2 / (denom * denom);
    }
    double nm1 = w->n_minus_1;
    if (q)
        *q = Q;
    if (grad) {
        grad[0] = -nm1 * ga_data / Q + T - ga_t2 / T;
        grad[1] = -nm1 * gb_data / Q + gb_w - gb_unit - gb_t / T;
    }
    if (scale) {
        scale[0] = nm1 * ga_data / Q + T + ga_t2 / T;
        scale[1] = nm1 * gb_data / Q + gb_w + gb_unit + gb_t / T;
    }
    return nm1 * (1.0 + log(2.0 * M_PI * Q / nm1)) + logdet + log(T);
}

/* The minimiser's view: D and its gradient in θ = (√a, √b). */
static double theta_f(const gsl_vector *x, void *params)
{
    double t0 = gsl_vector_get(x, 0), t1 = gsl_vector_get(x, 1);
    return nested_eval(params, t0 * t0, t1 * t1, NULL, NULL, NULL);
}

static void theta_fdf(const gsl_vector *x, void *params, double *f, gsl_vector *df)
{
    double t0 = gsl_vector_get(x, 0), t1 = gsl_vector_get(x, 1), g[2];
    double d = nested_eval(params, t0 * t0, t1 * t1, g, NULL, NULL);
    if (f)
        *f = d;
    if (df) {
        gsl_vector_set(df, 0, 2.0 * t0 * g[0]);
        gsl_vector_set(df, 1, 2.0 * t1 * g[1]);
    }
}

static void theta_df(const gsl_vector *x, void *params, gsl_vector *df)
{
    theta_fdf(x, params, NULL, df);
}

/* Close to the optimum: BFGS from θ = (1, 1); *a, *b receive θ². */
static void nested_minimise(nested_work_t *w, double *a, double *b)
{
    *a = *b = 1.0;
    gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 2);
    gsl_vector *x = gsl_vector_alloc(2);
    if (!m || !x) {
        gsl_multimin_fdfminimizer_free(m);
        gsl_vector_free(x);
        return;
    }
    gsl_vector_set_all(x, 1.0);
    gsl_multimin_function_fdf fn = { theta_f, theta_df, theta_fdf, 2, w };
    if (gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1) == GSL_SUCCESS) {
        for (int i = 0; i < NESTED_MAX_MINIMISER; i++) {
            if (gsl_multimin_fdfminimizer_iterate(m) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_gradient(m->gradient, 1e-8 * w->n_minus_1) == GSL_SUCCESS)
                break;
        }
        double t0 = gsl_vector_get(m->x, 0), t1 = gsl_vector_get(m->x, 1);
        if (isfinite(t0) && isfinite(t1)) {
            *a = t0 * t0;
            *b = t1 * t1;
        }
    }
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(x);
}

/* The gradient as the root finder sees it: NAN outside the domain. */
static int gradient_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    double g[2];
    nested_eval(params, gsl_vector_get(x, 0), gsl_vector_get(x, 1), g, NULL, NULL);
    gsl_vector_set(f, 0, g[0]);
    gsl_vector_set(f, 1, g[1]);
    return isfinite(g[0]) && isfinite(g[1]) ? GSL_SUCCESS : GSL_EBADFUNC;
}

/* Whether the gradient at (a, b) is zero relative to its terms, in the
 * components that are not held at 0. */
static bool nested_converged(nested_work_t *w, double a, double b, bool free_a, bool free_b)
{
    double g[2], sc[2];
    nested_eval(w, a, b, g, sc, NULL);
    return (!free_a || fabs(g[0]) <= NESTED_ROOT_TOLERANCE * sc[0]) &&
           (!free_b || fabs(g[1]) <= NESTED_ROOT_TOLERANCE * sc[1]);
}

/* The interior root of the gradient from (*a, *b); false when the solver
 * fails, leaves the interior or does not converge. */
static bool nested_interior(nested_work_t *w, double *a, double *b)
{
    gsl_multiroot_fsolver *s = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, 2);
    gsl_vector *x = gsl_vector_alloc(2);
    bool ok = s && x;
    if (ok) {
        gsl_vector_set(x, 0, fmax(*a, 1e-6));
        gsl_vector_set(x, 1, fmax(*b, 1e-6));
        gsl_multiroot_function fn = { gradient_f, 2, w };
        ok = gsl_multiroot_fsolver_set(s, &fn, x) == GSL_SUCCESS;
        for (int i = 0; ok && i < NESTED_MAX_ROOT; i++) {
            double x0 = gsl_vector_get(s->x, 0), x1 = gsl_vector_get(s->x, 1);
            if (x0 > 0.0 && x1 > 0.0 && nested_converged(w, x0, x1, true, true))
                break;
            int st = gsl_multiroot_fsolver_iterate(s);
            if (st != GSL_SUCCESS)
                ok = st == GSL_ENOPROG || st == GSL_ENOPROGJ;   /* judged below */
            if (st != GSL_SUCCESS)
                break;
        }
        if (ok) {
            *a = gsl_vector_get(s->x, 0);
            *b = gsl_vector_get(s->x, 1);
            ok = *a > 0.0 && *b > 0.0 && nested_converged(w, *a, *b, true, true);
        }
    }
    gsl_multiroot_fsolver_free(s);
    gsl_vector_free(x);
    return ok;
}

/* One edge: the other component held at 0, this one (index `which`) free. */
typedef struct {
    nested_work_t *w;
    int which;
} edge_t;

static double edge_slope(double x, void *params)
{
    edge_t *e = params;
    double g[2];
    nested_eval(e->w, e->which == 0 ? x : 0.0, e->which == 1 ? x : 0.0, g, NULL, NULL);
    return g[e->which];
}

/* The minimum of D along an edge: 0 when its slope at 0 is >= 0, else the
 * root of the slope; NAN if it cannot be found. */
static double nested_edge(nested_work_t *w, int which)
{
    edge_t e = { w, which };
    if (edge_slope(0.0, &e) >= 0.0)
        return 0.0;
    double lo = 0.0, hi = 1.0, slope = edge_slope(hi, &e);
    for (int i = 0; i < NESTED_MAX_DOUBLINGS && slope < 0.0 && isfinite(hi); i++) {
        lo = hi;
        hi *= 2.0;
        slope = edge_slope(hi, &e);
    }
    if (!(slope >= 0.0) || !isfinite(hi))
        return NAN;
    if (slope == 0.0)
        return hi;
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_function f = { edge_slope, &e };
    double root = NAN;
    if (gsl_root_fsolver_set(s, &f, lo, hi) == GSL_SUCCESS) {
        for (int i = 0; i < NESTED_MAX_BRENT; i++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) {
                root = NAN;
                break;
            }
            root = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0.0,
                                       4.0 * GSL_DBL_EPSILON) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(s);
    return root;
}

static void nested_undefined(nested_fit_t *out, unsigned evaluations)
{
    *out = (nested_fit_t){ NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, evaluations };
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Group the teams with respondents by unit (a counting sort), centred on
 * centre.  Returns false when out of memory; *buffers receive what to free. */
static bool nested_group(const size_t *n, const double *mean, const size_t *unit, size_t count,
                         size_t n_units, double centre, nested_work_t *w, void *buffers[2])
{
    size_t *start = calloc(n_units + 2, sizeof *start);
    if (!start)
        return false;
    size_t teams = 0;
    for (size_t j = 0; j < count; j++)
        if (n[j] > 0) {
            start[unit[j] + 2]++;
            teams++;
        }
    double *data = malloc((4 * teams + 2 * n_units + 1) * sizeof *data);
    if (!data) {
        free(start);
        free(data);
        return false;
    }
    for (size_t k = 0; k < n_units; k++)
        start[k + 2] += start[k + 1];
    w->size = data;
    w->mean = data + teams;
    w->unit_s = data + 2 * teams;
    w->unit_mean = data + 2 * teams + n_units;
    for (size_t j = 0; j < count; j++)
        if (n[j] > 0) {
            size_t at = start[unit[j] + 1]++;
            w->size[at] = (double)n[j];
            w->mean[at] = mean[j] - centre;
        }
    /* start[k + 1] is now the end of unit k; drop the empty units */
    size_t used = 0;
    for (size_t k = 0; k < n_units; k++)
        if (start[k + 1] > start[k])
            start[++used] = start[k + 1];
    w->start = start;
    w->units = used;
    /* the distinct sizes and their counts, from a sorted copy */
    w->sizes = data + 2 * teams + 2 * n_units;
    w->size_count = w->sizes + teams;
    memcpy(w->sizes, w->size, teams * sizeof *w->sizes);
    qsort(w->sizes, teams, sizeof *w->sizes, by_value);
    w->n_sizes = 0;
    for (size_t j = 0; j < teams; j++) {
        if (w->n_sizes == 0 || w->sizes[w->n_sizes - 1] != w->sizes[j]) {
            w->sizes[w->n_sizes] = w->sizes[j];
            w->size_count[w->n_sizes++] = 0.0;
        }
        w->size_count[w->n_sizes - 1] += 1.0;
    }
    buffers[0] = start;
    buffers[1] = data;
    return true;
}

/* Checks the data, groups it; *status 1 when a fit can be tried, 0 when
 * undefined (out set), -1 when out of memory. */
static int nested_prepare(const size_t *n, const double *mean, const size_t *unit, size_t count,
                          size_t n_units, double ss_within, nested_work_t *w, void *buffers[2],
                          nested_fit_t *out)
{
    nested_undefined(out, 0);
    size_t teams = 0;
    double N = 0.0, weighted = 0.0, lowest = INFINITY, highest = -INFINITY;
    for (size_t j = 0; j < count; j++) {
        if (n[j] == 0)
            continue;
        if (!isfinite(mean[j]) || unit[j] >= n_units)
            return 0;
        teams++;
        N += (double)n[j];
        weighted += (double)n[j] * mean[j];
        lowest = fmin(lowest, mean[j]);
        highest = fmax(highest, mean[j]);
    }
    if (teams < 2 || !(N > (double)teams) || !isfinite(ss_within) || ss_within < 0.0)
        return 0;
    if (ss_within == 0.0) {
        if (lowest == highest)
            *out = (nested_fit_t){ 0.0, 0.0, 0.0, NAN, NAN, NAN, NAN, NAN, 0 };
        return 0;
    }
    *w = (nested_work_t){ .ssw = ss_within, .n_minus_1 = N - 1.0 };
    if (!nested_group(n, mean, unit, count, n_units, weighted / N, w, buffers))
        return -1;
    if (w->units < 2 || w->units == teams) {   /* the unit level is not identified */
        free(buffers[0]);
        free(buffers[1]);
        return 0;
    }
    return 1;
}

engage_status_t nested_reml(const size_t *n, const double *mean, const size_t *unit, size_t count,
                            size_t n_units, double ss_within, nested_fit_t *out)
{
    nested_work_t w;
    void *buffers[2];
    int ready = nested_prepare(n, mean, unit, count, n_units, ss_within, &w, buffers, out);
    if (ready <= 0)
        return ready < 0 ? ENGAGE_ENOMEM : ENGAGE_OK;

    double close_a, close_b;
    nested_minimise(&w, &close_a, &close_b);
    /* the candidates: the interior root, each edge's minimum */
    double cand[3][2] = { { close_a, close_b }, { 0.0, nested_edge(&w, 1) }, { nested_edge(&w, 0), 0.0 } };
    bool valid[3];
    valid[0] = nested_interior(&w, &cand[0][0], &cand[0][1]);
    for (int c = 1; c < 3; c++) {
        double g[2];
        int held = c == 1 ? 0 : 1;   /* the component held at 0 */
        valid[c] = !isnan(cand[c][0]) && !isnan(cand[c][1]);
        if (valid[c]) {
            nested_eval(&w, cand[c][0], cand[c][1], g, NULL, NULL);
            /* KKT: D must not fall as the held component leaves 0; at the
             * corner both must hold */
            valid[c] = g[held] >= 0.0 && (cand[c][1 - held] > 0.0 || g[1 - held] >= 0.0);
        }
    }
    int best = -1;
    double best_d = INFINITY;
    for (int c = 0; c < 3; c++) {
        if (!valid[c])
            continue;
        double d = nested_eval(&w, cand[c][0], cand[c][1], NULL, NULL, NULL);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    if (best < 0) {
        free(buffers[0]);
        free(buffers[1]);
        nested_undefined(out, w.evaluations);
        return ENGAGE_OK;
    }
    double a = cand[best][0], b = cand[best][1], q;
    double d = nested_eval(&w, a, b, NULL, NULL, &q);
    free(buffers[0]);
    free(buffers[1]);
    double within = q / w.n_minus_1;
    double var_unit = a * within, var_manager = b * within;
    double total = within + var_unit + var_manager;
    if (!isfinite(d) || !isfinite(total) || !(total > 0.0)) {
        nested_undefined(out, w.evaluations);
        return ENGAGE_OK;
    }
    *out = (nested_fit_t){ var_unit, var_manager, within, var_unit / total, var_manager / total,
                           a, b, d, w.evaluations };
    return ENGAGE_OK;
}

engage_status_t nested_decompose(const analysis_manager_t *managers, size_t count,
                                 const bool *include, const size_t *unit_of, size_t n_units,
                                 nested_fit_t *out)
{
    nested_undefined(out, 0);
    size_t *n = calloc(count ? count : 1, sizeof *n);
    double *mean = calloc(count ? count : 1, sizeof *mean);
    if (!n || !mean) {
        free(n);
        free(mean);
        return ENGAGE_ENOMEM;
    }
    double ss_within = 0.0;
    for (size_t m = 0; m < count; m++) {
        if (managers[m].n == 0 || (include && !include[m]))
            continue;
        n[m] = managers[m].n;
        mean[m] = managers[m].mean;
        ss_within += managers[m].ss;
    }
    engage_status_t st = nested_reml(n, mean, unit_of, count, n_units, ss_within, out);
    free(n);
    free(mean);
    return st;
}

double nested_criterion_at(const size_t *n, const double *mean, const size_t *unit, size_t count,
                           size_t n_units, double ss_within, double a, double b, double grad[2],
                           double scale[2])
{
    nested_work_t w;
    void *buffers[2];
    nested_fit_t unused;
    grad[0] = grad[1] = scale[0] = scale[1] = NAN;
    if (nested_prepare(n, mean, unit, count, n_units, ss_within, &w, buffers, &unused) <= 0)
        return NAN;
    double d = nested_eval(&w, a, b, grad, scale, NULL);
    free(buffers[0]);
    free(buffers[1]);
    return d;
}
