/*
 * analysis/analysis.c — every figure of results_t: scale scores, per-manager
 * summaries, the one-way ANOVA decomposition over managers and Cronbach's
 * alpha (CONTRACT.md, "Definitions").
 *
 * Owns: the results it returns (freed by results_free) and a workspace that
 * lives for one analysis_run call.  Assumes a finished dataset (managers
 * renumbered in byte order) that outlives the results.
 *
 * Cost: each cell of a scale is read once (dataset_value is the expensive
 * part at a million respondents), so a scale is O(respondents × items), plus
 * O(items²) per respondent for alpha and one small sort per manager.  Per
 * scale:
 *   1. one pass over respondents computes each score and drops it straight
 *      into its manager's slot of a buffer laid out by manager (a counting
 *      sort made once per run), counts favourable answers per manager, and
 *      feeds the scored respondents' item values to alpha by blocks;
 *   2. each manager's slot is compacted and sorted (median), its mean and
 *      sum of squared deviations computed two-pass;
 *   3. the ANOVA is built from the group figures: SS_between from the group
 *      means, SS_within from each group's own deviations — never
 *      sum y² - (sum y)²/n.
 *
 * Undefined figures are NAN, and only on purpose: a figure whose denominator
 * is zero (a mean square with zero degrees of freedom, F with MS_within = 0,
 * an ICC with a zero denominator, eta² with SS_total = 0, ...) is NAN, while
 * sums of squares and degrees of freedom are reported whenever someone is
 * scored (SS_between = 0 and df_between = 0 for one manager).  Every output
 * passes through analysis_finite(), so no inf leaves this file.  A group
 * whose scores are all equal gets exactly that value as its mean and zero as
 * its sum of squares, so "no variance" gives exact zeros, not rounding noise.
 */
#include "analysis.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

/* Item values buffered per alpha block: small enough to stay in cache,
 * large enough that the O(items²) merge per block costs nothing. */
enum { ANALYSIS_BLOCK_VALUES = 8192, ANALYSIS_BLOCK_MIN_ROWS = 32 };

/* Respondents whose deviations update the co-moments together; the loop in
 * analysis_alpha_flush names them z0 .. z3. */
enum { ANALYSIS_BATCH = 4 };

/*
 * Cronbach's alpha on pairwise-complete covariances, accumulated by blocks.
 * For items a, b, S_ab is the set of scored respondents answering both; for
 * each pair the state is n_ab = |S_ab|, the means of x_a and x_b over S_ab
 * and the co-moment C_ab = Σ_{S_ab} (x_a - mean)(x_b - mean), so that
 * cov_ab = C_ab / (n_ab - 1) and var_a = C_aa / (n_aa - 1).
 *
 * A block of scored respondents is handled two-pass: first the block's item
 * means c_a, then sums of products of deviations z_a = x_a - c_a (0 when a
 * is not answered, which drops the respondent from every pair with a):
 *   P_ab = Σ_{S_ab} z_a z_b,  E_ab = Σ_{S_ab} z_a,
 * giving the block's pair means c_a + E_ab/n_ab and its co-moment
 * P_ab - E_ab E_ba / n_ab (the second term only corrects for the pair's
 * means differing from the item means, and is small).  E_ab is the sum over
 * everyone answering a minus the sum over those answering a but not b,
 * which touches only the missing answers.  Blocks are merged into the
 * running state with the pairwise update of Chan, Golub & LeVeque:
 *   C += C_block + d_a d_b n n_block / (n + n_block),  d = block mean - mean.
 * Matrices are k × k, row-major, pair (a, b) at a·k + b; co-moments and
 * counts use a <= b, means both (a, b) (mean of x_a) and (b, a) (of x_b).
 */
typedef struct {
    size_t k;
    size_t cap_rows, rows;  /* block capacity and use, in respondents */
    double *block;          /* rows × k values after reverse coding, NAN = missing */
    double *shift;          /* [a] block mean of x_a */
    double *z;              /* ANALYSIS_BATCH respondents' deviations, k each */
    double *zsum;           /* [a] Σ z_a over the block's answers to a */
    size_t *count;          /* [a] block answers to a */
    double *p;              /* [a,b] Σ z_a z_b, a <= b */
    double *miss_z;         /* [a,b] Σ z_a over those answering a but not b */
    size_t *miss_n;         /* [a,b] how many answer a but not b */
    size_t *n;              /* [a,b] n_ab so far, a <= b */
    double *mean;           /* [a,b] mean of x_a over S_ab so far */
    double *comoment;       /* [a,b] C_ab so far, a <= b */
} analysis_alpha_t;

/* Buffers reused from one scale to the next. */
typedef struct {
    size_t n_respondents, n_managers;
    size_t *start;        /* [manager] first slot in grouped; [n_managers] = N */
    size_t *cursor;       /* [manager] next free slot in grouped */
    double *grouped;      /* [slot] scores laid out by manager, NAN = not scored */
    size_t *fav, *ans;    /* [manager] favourable / answered item values */
    double *tq;           /* t(0.975, df) by df, NAN until needed */
    size_t tq_size;
    double *x;            /* one respondent's values when alpha is not kept */
    size_t x_cap;
    double score_min, score_max;  /* over the scale's scores */
    analysis_alpha_t alpha;
} analysis_work_t;

/* A figure that came out infinite or NaN is undefined: NAN. */
static double analysis_finite(double v)
{
    return isfinite(v) ? v : NAN;
}

/* a / b, NAN when b is zero or either is undefined. */
static double analysis_ratio(double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0.0)
        return NAN;
    return analysis_finite(a / b);
}

/* calloc that never returns NULL for a zero count and refuses overflow. */
static void *analysis_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return calloc(n ? n : 1, size);
}

/* --- alpha ------------------------------------------------------------- */

static void analysis_alpha_fini(analysis_alpha_t *a)
{
    free(a->block);
    free(a->shift);
    free(a->z);
    free(a->zsum);
    free(a->count);
    free(a->p);
    free(a->miss_z);
    free(a->miss_n);
    free(a->n);
    free(a->mean);
    free(a->comoment);
    memset(a, 0, sizeof *a);
}

/* Fresh state for a scale of k >= 2 items. */
static engage_status_t analysis_alpha_init(analysis_alpha_t *a, size_t k)
{
    analysis_alpha_fini(a);
    if (k > SIZE_MAX / k)
        return ENGAGE_ENOMEM;
    size_t kk = k * k;
    a->k = k;
    a->cap_rows = ANALYSIS_BLOCK_VALUES / k;
    if (a->cap_rows < ANALYSIS_BLOCK_MIN_ROWS)
        a->cap_rows = ANALYSIS_BLOCK_MIN_ROWS;
    a->block = k > SIZE_MAX / a->cap_rows ? NULL : analysis_calloc(a->cap_rows * k, sizeof(double));
    a->shift = analysis_calloc(k, sizeof(double));
    a->z = analysis_calloc(ANALYSIS_BATCH * k, sizeof(double));
    a->zsum = analysis_calloc(k, sizeof(double));
    a->count = analysis_calloc(k, sizeof(size_t));
    a->p = analysis_calloc(kk, sizeof(double));
    a->miss_z = analysis_calloc(kk, sizeof(double));
    a->miss_n = analysis_calloc(kk, sizeof(size_t));
    a->n = analysis_calloc(kk, sizeof(size_t));
    a->mean = analysis_calloc(kk, sizeof(double));
    a->comoment = analysis_calloc(kk, sizeof(double));
    if (!a->block || !a->shift || !a->z || !a->zsum || !a->count || !a->p || !a->miss_z ||
        !a->miss_n || !a->n || !a->mean || !a->comoment)
        return ENGAGE_ENOMEM;
    return ENGAGE_OK;
}

/* Fold the buffered block into the running pairwise state; empties it.
 * Hot: local restrict pointers keep the loops free of reloads. */
static void analysis_alpha_flush(analysis_alpha_t *a)
{
    const size_t k = a->k, kk = k * k, rows = a->rows;
    if (rows == 0)
        return;
    const double *restrict block = a->block;
    double *restrict shift = a->shift, *restrict z = a->z, *restrict zsum = a->zsum;
    double *restrict p = a->p, *restrict miss_z = a->miss_z;
    size_t *restrict count = a->count, *restrict miss_n = a->miss_n;

    /* first pass: the block's item means */
    memset(shift, 0, k * sizeof *shift);
    memset(count, 0, k * sizeof *count);
    for (size_t r = 0; r < rows; r++) {
        const double *x = block + r * k;
        for (size_t i = 0; i < k; i++) {
            if (!isnan(x[i])) {
                shift[i] += x[i];
                count[i]++;
            }
        }
    }
    for (size_t i = 0; i < k; i++)
        shift[i] = count[i] ? shift[i] / (double)count[i] : 0.0;

    /* second pass: products of deviations, four respondents at a time so
     * that each p[i,j] is loaded and stored once per four (a last, short
     * batch is padded with zero deviations, which add nothing) */
    memset(zsum, 0, k * sizeof *zsum);
    memset(p, 0, kk * sizeof *p);
    memset(miss_z, 0, kk * sizeof *miss_z);
    memset(miss_n, 0, kk * sizeof *miss_n);
    for (size_t r0 = 0; r0 < rows; r0 += ANALYSIS_BATCH) {
        for (size_t q = 0; q < ANALYSIS_BATCH; q++) {
            double *restrict zq = z + q * k;
            if (r0 + q >= rows) {
                memset(zq, 0, k * sizeof *zq);
                continue;
            }
            const double *x = block + (r0 + q) * k;
            bool complete = true;
            for (size_t i = 0; i < k; i++) {
                if (isnan(x[i])) {
                    zq[i] = 0.0;
                    complete = false;
                } else {
                    zq[i] = x[i] - shift[i];
                    zsum[i] += zq[i];
                }
            }
            if (complete)
                continue;
            for (size_t j = 0; j < k; j++) {
                if (!isnan(x[j]))
                    continue;
                for (size_t i = 0; i < k; i++) {
                    if (!isnan(x[i])) {
                        miss_z[i * k + j] += zq[i];
                        miss_n[i * k + j]++;
                    }
                }
            }
        }
        const double *z0 = z, *z1 = z + k, *z2 = z + 2 * k, *z3 = z + 3 * k;
        for (size_t i = 0; i < k; i++) {
            double a0 = z0[i], a1 = z1[i], a2 = z2[i], a3 = z3[i];
            double *restrict pi = p + i * k;
            for (size_t j = i; j < k; j++)
                pi[j] += (a0 * z0[j] + a1 * z1[j]) + (a2 * z2[j] + a3 * z3[j]);
        }
    }

    /* merge, pair by pair */
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i; j < k; j++) {
            size_t ij = i * k + j, ji = j * k + i;
            size_t nb = count[i] - miss_n[ij];  /* answering i and j */
            if (nb == 0)
                continue;
            double nbd = (double)nb;
            double e_i = zsum[i] - miss_z[ij], e_j = zsum[j] - miss_z[ji];
            double mean_i = shift[i] + e_i / nbd, mean_j = shift[j] + e_j / nbd;
            double c = p[ij] - e_i * e_j / nbd;
            size_t n = a->n[ij];
            if (n == 0) {
                a->mean[ij] = mean_i;
                a->mean[ji] = mean_j;
                a->comoment[ij] = c;
            } else {
                double nd = (double)n, total = nd + nbd;
                double d_i = mean_i - a->mean[ij], d_j = mean_j - a->mean[ji];
                a->comoment[ij] += c + d_i * d_j * (nd * nbd / total);
                a->mean[ij] += d_i * (nbd / total);
                if (j != i)
                    a->mean[ji] += d_j * (nbd / total);
            }
            a->n[ij] = n + nb;
        }
    }
    a->rows = 0;
}

/* psych::alpha's raw_alpha, k/(k-1) · (1 - Σ_a var_a / Σ_{a,b} cov_ab), from
 * the state after the last flush.  NAN when some pair has fewer than two
 * respondents or the total Σ_{a,b} cov_ab is zero. */
static double analysis_alpha_value(const analysis_alpha_t *a)
{
    size_t k = a->k;
    double diagonal = 0.0, total = 0.0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i; j < k; j++) {
            size_t n = a->n[i * k + j];
            if (n < 2)
                return NAN;
            double cov = a->comoment[i * k + j] / (double)(n - 1);
            if (i == j) {
                diagonal += cov;
                total += cov;
            } else {
                total += 2.0 * cov;
            }
        }
    }
    /* With complete data Σ cov is the variance of the respondents' totals:
     * zero when everyone's answers add up the same, and then what is
     * computed is rounding noise that the ratio would blow up.  A total
     * within 1e-12 of Σ var counts as zero. */
    if (fabs(total) <= 1e-12 * diagonal)
        return NAN;
    double kd = (double)k;
    return analysis_finite(kd / (kd - 1.0) * (1.0 - analysis_ratio(diagonal, total)));
}

/* --- workspace --------------------------------------------------------- */

static void analysis_work_fini(analysis_work_t *w)
{
    free(w->start);
    free(w->cursor);
    free(w->grouped);
    free(w->fav);
    free(w->ans);
    free(w->tq);
    free(w->x);
    analysis_alpha_fini(&w->alpha);
    memset(w, 0, sizeof *w);
}

/* Per-run buffers and the counting sort of respondents by manager, which
 * does not depend on the scale: manager m owns slots start[m] ..
 * start[m+1]-1 of grouped, one per respondent. */
static engage_status_t analysis_work_init(analysis_work_t *w, const dataset_t *ds)
{
    memset(w, 0, sizeof *w);
    size_t N = dataset_n_respondents(ds), M = dataset_n_managers(ds);
    w->n_respondents = N;
    w->n_managers = M;
    w->grouped = analysis_calloc(N, sizeof *w->grouped);
    w->start = analysis_calloc(M + 1, sizeof *w->start);
    w->cursor = analysis_calloc(M, sizeof *w->cursor);
    w->fav = analysis_calloc(M, sizeof *w->fav);
    w->ans = analysis_calloc(M, sizeof *w->ans);
    if (!w->grouped || !w->start || !w->cursor || !w->fav || !w->ans)
        return ENGAGE_ENOMEM;

    for (size_t r = 0; r < N; r++)
        w->start[dataset_manager_of(ds, r) + 1]++;
    size_t largest = 0;
    for (size_t m = 0; m < M; m++) {
        if (w->start[m + 1] > largest)
            largest = w->start[m + 1];
        w->start[m + 1] += w->start[m];
    }
    /* t quantiles for df 1 .. largest team - 1 */
    w->tq_size = largest;
    w->tq = analysis_calloc(largest, sizeof *w->tq);
    if (!w->tq)
        return ENGAGE_ENOMEM;
    for (size_t i = 0; i < largest; i++)
        w->tq[i] = NAN;
    return ENGAGE_OK;
}

/* --- one scale --------------------------------------------------------- */

/* The respondent's item values after reverse coding into x (NAN when not
 * answered); returns how many are answered and their sum in *sum.  A value
 * that is not finite counts as not answered: ingest never stores one, and
 * one would turn every figure of its manager and scale into NAN. */
static size_t analysis_read_items(const dataset_t *ds, const dataset_scale_t *sc, size_t r,
                                  double *x, double *sum)
{
    size_t answered = 0;
    double s = 0.0;
    for (size_t i = 0; i < sc->n_items; i++) {
        double v = dataset_value(ds, r, sc->items[i]);
        if (!isfinite(v)) {
            x[i] = NAN;
            continue;
        }
        if (sc->reverse[i])
            v = sc->min + sc->max - v;
        x[i] = v;
        s += v;
        answered++;
    }
    *sum = s;
    return answered;
}

/* Step 1: scores into grouped, favourable counts, alpha's blocks.  Returns
 * the number of scored respondents. */
static size_t analysis_score_pass(const dataset_t *ds, const dataset_scale_t *sc,
                                  analysis_work_t *w, bool with_alpha)
{
    size_t k = sc->n_items, scored = 0;
    analysis_alpha_t *al = &w->alpha;
    memcpy(w->cursor, w->start, w->n_managers * sizeof *w->cursor);
    memset(w->fav, 0, w->n_managers * sizeof *w->fav);
    memset(w->ans, 0, w->n_managers * sizeof *w->ans);
    w->score_min = INFINITY;
    w->score_max = -INFINITY;

    for (size_t r = 0; r < w->n_respondents; r++) {
        double *x = with_alpha ? al->block + al->rows * k : w->x;
        double sum;
        size_t answered = analysis_read_items(ds, sc, r, x, &sum);
        size_t m = dataset_manager_of(ds, r);
        /* the share as a division, so that e.g. 7 of 10 meets 0.7 exactly */
        if (answered == 0 || (double)answered / (double)k < sc->min_answered) {
            w->grouped[w->cursor[m]++] = NAN;
            continue;
        }
        double score = sum / (double)answered;
        w->grouped[w->cursor[m]++] = score;
        scored++;
        if (score < w->score_min)
            w->score_min = score;
        if (score > w->score_max)
            w->score_max = score;

        size_t fav = 0;
        for (size_t i = 0; i < k; i++)
            fav += x[i] >= sc->favourable;  /* false for NAN */
        w->fav[m] += fav;
        w->ans[m] += answered;

        if (with_alpha && ++al->rows == al->cap_rows)
            analysis_alpha_flush(al);
    }
    if (with_alpha)
        analysis_alpha_flush(al);
    return scored;
}

/* Mean and sum of squared deviations of sorted data, two-pass: the sum's
 * mean is corrected by the mean of the residuals (as R's mean() does), and
 * data that are all equal get exactly that value and zero. */
static double analysis_mean_ss(const double *sorted, size_t n, double *ss)
{
    if (sorted[0] == sorted[n - 1]) {
        *ss = 0.0;
        return sorted[0];
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    double mean = sum / (double)n, resid = 0.0;
    for (size_t i = 0; i < n; i++)
        resid += sorted[i] - mean;
    mean += resid / (double)n;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = sorted[i] - mean;
        s += d * d;
    }
    *ss = s;
    return mean;
}

/* t(0.975, df), cached by df: team sizes repeat. */
static double analysis_t975(analysis_work_t *w, size_t df)
{
    if (df == 0)
        return NAN;
    if (df < w->tq_size) {
        if (isnan(w->tq[df]))
            w->tq[df] = analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
        return w->tq[df];
    }
    return analysis_finite(gsl_cdf_tdist_Pinv(0.975, (double)df));
}

/* Steps 2 and 3: out->managers from each manager's slots, then the ANOVA
 * in out->variance. */
static void analysis_summarise(analysis_work_t *w, analysis_scale_t *out, size_t scored)
{
    size_t M = w->n_managers, J = 0;
    double ss_within = 0.0, sum_n2 = 0.0;
    analysis_variance_t *v = &out->variance;

    for (size_t m = 0; m < M; m++) {
        analysis_manager_t *am = &out->managers[m];
        /* compact the scored ones to the front of the manager's slots */
        double *g = w->grouped + w->start[m];
        size_t slots = w->start[m + 1] - w->start[m], n = 0;
        for (size_t i = 0; i < slots; i++)
            if (!isnan(g[i]))
                g[n++] = g[i];
        am->manager = m;
        am->n = n;
        am->mean = am->sd = am->se = am->ci_low = am->ci_high = am->median = NAN;
        am->favourable_pct = NAN;
        if (n == 0)
            continue;
        gsl_sort(g, 1, n);
        double ss;
        double mean = analysis_mean_ss(g, n, &ss);
        am->mean = analysis_finite(mean);
        am->median = analysis_finite(gsl_stats_median_from_sorted_data(g, 1, n));
        am->favourable_pct = analysis_finite(100.0 * analysis_ratio((double)w->fav[m], (double)w->ans[m]));
        if (n > 1) {
            am->sd = analysis_finite(sqrt(ss / (double)(n - 1)));
            am->se = analysis_finite(am->sd / sqrt((double)n));
            double t = analysis_t975(w, n - 1);
            am->ci_low = analysis_finite(am->mean - t * am->se);
            am->ci_high = analysis_finite(am->mean + t * am->se);
        }
        J++;
        ss_within += ss;
        sum_n2 += (double)n * (double)n;
    }

    double N = (double)scored, Jd = (double)J;
    v->respondents = scored;
    v->managers = J;
    v->grand_mean = v->ss_between = v->ss_within = NAN;
    v->df_between = v->df_within = v->ms_between = v->ms_within = NAN;
    v->f = v->p_value = v->k0 = v->icc1 = v->icc2 = v->eta_squared = NAN;
    if (scored == 0)
        return;

    bool uniform = w->score_min == w->score_max;
    double grand = w->score_min;
    if (!uniform) {
        /* two-pass over the scores, group by group */
        double sum = 0.0, resid = 0.0;
        for (size_t m = 0; m < M; m++)
            for (size_t i = 0; i < out->managers[m].n; i++)
                sum += w->grouped[w->start[m] + i];
        grand = sum / N;
        for (size_t m = 0; m < M; m++)
            for (size_t i = 0; i < out->managers[m].n; i++)
                resid += w->grouped[w->start[m] + i] - grand;
        grand += resid / N;
    }
    double ss_between = 0.0;
    for (size_t m = 0; m < M && !uniform; m++) {
        if (out->managers[m].n == 0)
            continue;
        double d = out->managers[m].mean - grand;
        ss_between += (double)out->managers[m].n * d * d;
    }
    if (uniform)
        ss_within = 0.0;

    v->grand_mean = analysis_finite(grand);
    v->ss_between = analysis_finite(ss_between);
    v->ss_within = analysis_finite(ss_within);
    v->df_between = Jd - 1.0;
    v->df_within = N - Jd;
    v->ms_between = analysis_ratio(v->ss_between, v->df_between);
    v->ms_within = analysis_ratio(v->ss_within, v->df_within);
    v->f = analysis_ratio(v->ms_between, v->ms_within);
    if (!isnan(v->f))
        v->p_value = analysis_finite(gsl_cdf_fdist_Q(v->f, v->df_between, v->df_within));
    v->k0 = analysis_ratio(N - sum_n2 / N, v->df_between);
    double msb = v->ms_between, msw = v->ms_within;
    v->icc1 = analysis_ratio(msb - msw, msb + (v->k0 - 1.0) * msw);
    v->icc2 = analysis_ratio(msb - msw, msb);
    v->eta_squared = analysis_ratio(v->ss_between, v->ss_between + v->ss_within);
}

static engage_status_t analysis_scale(const dataset_t *ds, size_t s, analysis_work_t *w,
                                      analysis_scale_t *out)
{
    const dataset_scale_t *sc = dataset_scale(ds, s);
    size_t k = sc->n_items;
    out->scale = sc;
    out->n_managers = w->n_managers;
    out->managers = analysis_calloc(w->n_managers, sizeof *out->managers);
    if (!out->managers)
        return ENGAGE_ENOMEM;
    bool with_alpha = k >= 2;
    if (with_alpha) {
        if (analysis_alpha_init(&w->alpha, k) != ENGAGE_OK)
            return ENGAGE_ENOMEM;
    } else if (k > w->x_cap) {
        free(w->x);
        w->x = analysis_calloc(k, sizeof *w->x);
        w->x_cap = w->x ? k : 0;
        if (!w->x)
            return ENGAGE_ENOMEM;
    }

    size_t scored = analysis_score_pass(ds, sc, w, with_alpha);
    analysis_summarise(w, out, scored);
    analysis_variance_t *v = &out->variance;
    v->alpha = with_alpha ? analysis_alpha_value(&w->alpha) : NAN;

    unsigned notes = 0;
    if (scored == 0)
        notes |= ANALYSIS_NOTE_NO_SCORES;
    else if (v->managers < 2)
        notes |= ANALYSIS_NOTE_ONE_MANAGER;
    if (scored > 0 && scored == v->managers)
        notes |= ANALYSIS_NOTE_ALL_SINGLETONS;
    if (scored >= 2 && w->score_min == w->score_max)
        notes |= ANALYSIS_NOTE_ZERO_VARIANCE;
    if (k < 2)
        notes |= ANALYSIS_NOTE_ONE_ITEM;
    out->notes = notes;
    return ENGAGE_OK;
}

/* See analysis.h.  The notes are set as follows: NO_SCORES when nobody is
 * scored (then ONE_MANAGER and ALL_SINGLETONS are not set); ONE_MANAGER when
 * the scored respondents all have one manager; ALL_SINGLETONS when every
 * scored respondent is alone in their team; ZERO_VARIANCE when two or more
 * scores are all equal; ONE_ITEM when the scale has fewer than two items. */
engage_status_t analysis_run(const dataset_t *ds, results_t **out, engage_error_t *err)
{
    *out = NULL;
    /* GSL must never abort the process; its results are checked instead */
    gsl_set_error_handler_off();

    analysis_work_t w;
    engage_status_t st = analysis_work_init(&w, ds);
    size_t n_scales = dataset_n_scales(ds);
    results_t *res = analysis_calloc(1, sizeof *res);
    if (res && st == ENGAGE_OK) {
        res->scales = analysis_calloc(n_scales, sizeof *res->scales);
        if (!res->scales)
            st = ENGAGE_ENOMEM;
    } else {
        st = ENGAGE_ENOMEM;
    }
    for (size_t s = 0; st == ENGAGE_OK && s < n_scales; s++) {
        res->n_scales = s + 1;
        st = analysis_scale(ds, s, &w, &res->scales[s]);
    }
    analysis_work_fini(&w);
    if (st != ENGAGE_OK) {
        results_free(res);
        return engage_fail(err, st, NULL, 0, "out of memory while analysing %zu respondents",
                           dataset_n_respondents(ds));
    }
    *out = res;
    return ENGAGE_OK;
}

/* Frees results and everything they own; NULL is fine. */
void results_free(results_t *results)
{
    if (!results)
        return;
    if (results->scales)
        for (size_t s = 0; s < results->n_scales; s++)
            free(results->scales[s].managers);
    free(results->scales);
    free(results);
}
