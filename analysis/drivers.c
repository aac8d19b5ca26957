/*
 * analysis/drivers.c — key drivers of an outcome scale (drivers.h).
 *
 * Two passes over the dataset per outcome, a block of rows at a time: the
 * first counts the complete cases (scored on the outcome, every driver
 * answered or scored) and the range of each variable, the second works out
 * the correlations.  No figure depends on the order of the rows: up to
 * DRIVERS_BOOTSTRAP_ROWS complete cases they are kept, sorted, and the
 * figures worked out from them; above, memory stays bounded: the
 * correlations come from exact 128-bit sums of fixed-point values (a whole
 * answer, or a scale score of whole answers, is exact; other values are
 * rounded, still value by value) and the bootstrap draws from the
 * DRIVERS_BOOTSTRAP_ROWS complete cases of smallest key, a SHA-256 of the
 * seed and the respondent id, kept in a heap while the rows go by and then
 * sorted.
 * Relative weights follow Johnson (2000) as rwa::rwa computes them: from
 * R_xx = V Λ V', Λ^½ = V Λ^½ V', β = Λ^½⁻¹ r_xy, raw_j = Σ_k (Λ^½)²_jk β²_k.
 * The bootstrap resamples its rows with replacement, B times, from one
 * gsl_rng_mt19937 seeded with the run's seed, single-threaded, so the same
 * seed gives the same bytes; LMG's interval comes from the same resamples.
 * Owns: the drivers_t it returns; every workspace for the call.
 * Assumes: config has checked the outcome and driver names (config.c);
 * above DRIVERS_BOOTSTRAP_ROWS, that the dataset kept its respondent ids
 * (without them the row number keys the subsample, which then depends on
 * the order of the rows).
 */
#include "drivers.h"

#include <glib.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK_ROWS = 4096 };

/* An eigenvalue below this share of the largest counts as zero. */
#define DRIVERS_SINGULAR 1e-12

bool drivers_correlations(const double *rows, size_t q, const size_t *pick, size_t n, double *corr)
{
    if (n < 2)
        return false;
    double *mean = calloc(q, sizeof *mean);
    if (!mean)
        return false;
    for (size_t i = 0; i < n; i++) {
        const double *x = rows + (pick ? pick[i] : i) * q;
        for (size_t a = 0; a < q; a++)
            mean[a] += x[a];
    }
    for (size_t a = 0; a < q; a++)
        mean[a] /= (double)n;
    memset(corr, 0, q * q * sizeof *corr);
    for (size_t i = 0; i < n; i++) {
        const double *x = rows + (pick ? pick[i] : i) * q;
        for (size_t a = 0; a < q; a++) {
            double da = x[a] - mean[a];
            double *row = corr + a * q;
            for (size_t b = a; b < q; b++)
                row[b] += da * (x[b] - mean[b]);
        }
    }
    free(mean);
    bool ok = true;
    for (size_t a = 0; a < q; a++)
        ok = ok && corr[a * q + a] > 0;
    if (!ok)
        return false;
    for (size_t a = 0; a < q; a++)
        for (size_t b = a + 1; b < q; b++) {
            double c = corr[a * q + b] / sqrt(corr[a * q + a] * corr[b * q + b]);
            corr[a * q + b] = corr[b * q + a] = c;
        }
    for (size_t a = 0; a < q; a++)
        corr[a * q + a] = 1;
    return true;
}

bool drivers_relative_weights(const double *rxx, const double *rxy, size_t p, double *raw, double *r2)
{
    for (size_t j = 0; j < p; j++)
        raw[j] = NAN;
    *r2 = NAN;
    gsl_matrix *a = gsl_matrix_alloc(p, p), *v = gsl_matrix_alloc(p, p), *half = gsl_matrix_calloc(p, p);
    gsl_vector *eval = gsl_vector_alloc(p);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(p);
    double *beta = calloc(p, sizeof *beta);
    bool ok = a && v && half && eval && w && beta;
    if (ok) {
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                gsl_matrix_set(a, i, j, rxx[i * p + j]);
        ok = gsl_eigen_symmv(a, eval, v, w) == GSL_SUCCESS;
    }
    if (ok) {
        double largest = 0;
        for (size_t k = 0; k < p; k++)
            largest = fmax(largest, gsl_vector_get(eval, k));
        for (size_t k = 0; k < p; k++)
            ok = ok && largest > 0 && gsl_vector_get(eval, k) > DRIVERS_SINGULAR * largest;
    }
    if (ok) {
        /* Λ^½ = V diag(√λ) V', and β = V diag(1/√λ) V' r_xy */
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++) {
                double s = 0;
                for (size_t k = 0; k < p; k++)
                    s += gsl_matrix_get(v, i, k) * sqrt(gsl_vector_get(eval, k)) * gsl_matrix_get(v, j, k);
                gsl_matrix_set(half, i, j, s);
            }
        for (size_t k = 0; k < p; k++) {
            double vr = 0;
            for (size_t j = 0; j < p; j++)
                vr += gsl_matrix_get(v, j, k) * rxy[j];
            vr /= sqrt(gsl_vector_get(eval, k));
            for (size_t i = 0; i < p; i++)
                beta[i] += gsl_matrix_get(v, i, k) * vr;
        }
        double sum = 0;
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++) {
                double h = gsl_matrix_get(half, j, k);
                s += h * h * beta[k] * beta[k];
            }
            raw[j] = s;
            sum += beta[j] * beta[j];
        }
        *r2 = sum;
    }
    free(beta);
    gsl_eigen_symmv_free(w);
    gsl_vector_free(eval);
    gsl_matrix_free(half);
    gsl_matrix_free(v);
    gsl_matrix_free(a);
    return ok;
}

/* R² of the drivers in subset `mask`: r' R⁻¹ r by Cholesky; false when the
 * submatrix is not positive definite. */
static bool subset_r2(const double *rxx, const double *rxy, size_t p, unsigned mask, gsl_matrix *m, gsl_vector *r,
                      gsl_vector *x, double *out)
{
    size_t idx[DRIVERS_MAX_LMG], k = 0;
    for (size_t j = 0; j < p; j++)
        if (mask & (1u << j))
            idx[k++] = j;
    if (k == 0) {
        *out = 0;
        return true;
    }
    gsl_matrix_view mv = gsl_matrix_submatrix(m, 0, 0, k, k);
    gsl_vector_view rv = gsl_vector_subvector(r, 0, k), xv = gsl_vector_subvector(x, 0, k);
    for (size_t a = 0; a < k; a++) {
        gsl_vector_set(&rv.vector, a, rxy[idx[a]]);
        for (size_t b = 0; b < k; b++)
            gsl_matrix_set(&mv.matrix, a, b, rxx[idx[a] * p + idx[b]]);
    }
    if (gsl_linalg_cholesky_decomp1(&mv.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(&mv.matrix, &rv.vector, &xv.vector) != GSL_SUCCESS)
        return false;
    double s = 0;
    for (size_t a = 0; a < k; a++)
        s += rxy[idx[a]] * gsl_vector_get(&xv.vector, a);
    *out = s;
    return true;
}

bool drivers_lmg(const double *rxx, const double *rxy, size_t p, double *lmg)
{
    for (size_t j = 0; j < p; j++)
        lmg[j] = NAN;
    if (p == 0 || p > DRIVERS_MAX_LMG)
        return false;
    size_t subsets = (size_t)1 << p;
    double *r2 = malloc(subsets * sizeof *r2);
    double *weight = malloc(p * sizeof *weight);
    gsl_matrix *m = gsl_matrix_alloc(p, p);
    gsl_vector *r = gsl_vector_alloc(p), *x = gsl_vector_alloc(p);
    bool ok = r2 && weight && m && r && x;
    for (size_t s = 0; ok && s < subsets; s++)
        ok = subset_r2(rxx, rxy, p, (unsigned)s, m, r, x, &r2[s]);
    if (ok) {
        /* an order puts S (|S| = k) before j in k! (p-k-1)! of the p! orders */
        for (size_t k = 0; k < p; k++)
            weight[k] = exp(lgamma((double)k + 1) + lgamma((double)(p - k)) - lgamma((double)p + 1));
        for (size_t j = 0; j < p; j++) {
            double total = 0;
            for (size_t s = 0; s < subsets; s++) {
                if (s & ((size_t)1 << j))
                    continue;
                total += weight[__builtin_popcountll(s)] * (r2[s | ((size_t)1 << j)] - r2[s]);
            }
            lmg[j] = total;
        }
    }
    gsl_vector_free(x);
    gsl_vector_free(r);
    gsl_matrix_free(m);
    free(weight);
    free(r2);
    return ok;
}

/* ---------------------------------------------------------------- reading */

/* Scored respondents of a scale in one block: score[t] the mean of the
 * reverse-coded answers, NAN when too few are answered (the rule of
 * analysis.c); answered[t] and favourable[t] count its answers and its
 * favourable ones.  cols: n_items × BLOCK_ROWS scratch. */
static void block_scores(const dataset_t *ds, const dataset_scale_t *sc, size_t first, size_t count, double *cols,
                         double *score, size_t *answered, size_t *favourable)
{
    size_t k = sc->n_items;
    for (size_t t = 0; t < count; t++)
        score[t] = 0;
    memset(answered, 0, count * sizeof *answered);
    memset(favourable, 0, count * sizeof *favourable);
    for (size_t i = 0; i < k; i++) {
        double *x = cols + i * BLOCK_ROWS;
        dataset_column_read(ds, sc->items[i], first, count, x);
        for (size_t t = 0; t < count; t++) {
            double v = dataset_scale_answer(sc, i, x[t]);
            if (isnan(v))
                continue;
            score[t] += v;
            answered[t]++;
            favourable[t] += v >= sc->favourable;
        }
    }
    for (size_t t = 0; t < count; t++)
        score[t] = dataset_scale_scored(sc, answered[t]) ? score[t] / (double)answered[t] : NAN;
}

typedef struct {
    const dataset_t *ds;
    const drivers_outcome_t *o;
    size_t q;              /* 1 + drivers: the outcome first */
    double *cols;          /* scratch for block_scores */
    double *value;         /* BLOCK_ROWS values of one variable */
    double *rows;          /* BLOCK_ROWS × q */
    size_t *answered, *favourable; /* BLOCK_ROWS × q: answers behind each value */
    const size_t *unit_of; /* [manager] unit index, with o->unit != SIZE_MAX */
} reader_t;

/* Rows first .. first+count-1 as q values each (outcome, drivers) into
 * r->rows; a row with any NAN is not a complete case. */
static void block_rows(reader_t *r, size_t first, size_t count)
{
    for (size_t v = 0; v < r->q; v++) {
        const dataset_scale_t *sc = NULL;
        size_t *answered = r->answered + v * BLOCK_ROWS, *favourable = r->favourable + v * BLOCK_ROWS;
        if (v == 0) {
            sc = dataset_scale(r->ds, r->o->outcome);
            block_scores(r->ds, sc, first, count, r->cols, r->value, answered, favourable);
        } else {
            const drivers_item_t *it = &r->o->items[v - 1];
            sc = dataset_scale(r->ds, it->scale);
            if (it->is_scale) {
                block_scores(r->ds, sc, first, count, r->cols, r->value, answered, favourable);
            } else {
                dataset_column_read(r->ds, it->column, first, count, r->value);
                bool flip = sc->reverse[it->position];
                for (size_t t = 0; t < count; t++) {
                    if (!isfinite(r->value[t]))
                        r->value[t] = NAN;
                    else if (flip)
                        r->value[t] = sc->min + sc->max - r->value[t];
                    answered[t] = !isnan(r->value[t]);
                    favourable[t] = answered[t] && r->value[t] >= sc->favourable;
                }
            }
        }
        for (size_t t = 0; t < count; t++)
            r->rows[t * r->q + v] = r->value[t];
    }
    /* a unit's drivers: the other units' respondents are no complete cases */
    for (size_t t = 0; r->o->unit != SIZE_MAX && t < count; t++)
        if (r->unit_of[dataset_manager_of(r->ds, first + t)] != r->o->unit)
            r->rows[t * r->q] = NAN;
}

/* Rows of *width values in lexicographic order (qsort_r). */
static int compare_rows(const void *a, const void *b, void *width)
{
    const double *x = a, *y = b;
    for (size_t v = 0; v < *(const size_t *)width; v++)
        if (x[v] != y[v])
            return x[v] < y[v] ? -1 : 1;
    return 0;
}

static bool row_complete(const double *x, size_t q)
{
    for (size_t v = 0; v < q; v++)
        if (isnan(x[v]))
            return false;
    return true;
}

/* ---------------------------------------------------------------- outcome */

static bool is_driver(const drivers_outcome_t *o, size_t column, bool is_scale, size_t scale)
{
    for (size_t i = 0; i < o->n_items; i++)
        if (o->items[i].is_scale == is_scale && (is_scale ? o->items[i].scale == scale : o->items[i].column == column))
            return true;
    return false;
}

static bool scale_item(const dataset_scale_t *sc, size_t column, size_t *position)
{
    for (size_t i = 0; i < sc->n_items; i++)
        if (sc->items[i] == column) {
            *position = i;
            return true;
        }
    return false;
}

/* Whether dataset scale `s` or column `column` (is_scale false) is set
 * aside for the outcome: the outcome itself or one of its items. */
static bool excluded(const dataset_t *ds, size_t outcome, bool is_scale, size_t s, size_t column)
{
    size_t position;
    return is_scale ? s == outcome : scale_item(dataset_scale(ds, outcome), column, &position);
}

/* Add an item column as a driver, with the reverse coding of its first scale. */
static void add_item(const dataset_t *ds, drivers_outcome_t *o, size_t column)
{
    if (excluded(ds, o->outcome, false, 0, column) || is_driver(o, column, false, 0))
        return;
    for (size_t s = 0; s < dataset_n_scales(ds); s++) {
        size_t position;
        if (scale_item(dataset_scale(ds, s), column, &position)) {
            o->items[o->n_items++] = (drivers_item_t){.name = dataset_column_name(ds, column), .column = column,
                                                      .scale = s, .position = position};
            return;
        }
    }
}

static void add_scale(const dataset_t *ds, drivers_outcome_t *o, size_t s)
{
    if (excluded(ds, o->outcome, true, s, 0) || is_driver(o, 0, true, s))
        return;
    o->items[o->n_items++] = (drivers_item_t){.name = dataset_scale(ds, s)->name, .is_scale = true, .scale = s};
}

static bool find_scale(const dataset_t *ds, const char *name, size_t *s)
{
    for (size_t i = 0; i < dataset_n_scales(ds); i++)
        if (strcmp(dataset_scale(ds, i)->name, name) == 0) {
            *s = i;
            return true;
        }
    return false;
}

static bool find_column(const dataset_t *ds, const char *name, size_t *c)
{
    for (size_t i = 0; i < dataset_n_columns(ds); i++)
        if (strcmp(dataset_column_name(ds, i), name) == 0) {
            *c = i;
            return true;
        }
    return false;
}

/* The drivers of outcome o: items = as named (a scale's name first), else
 * every item of every other scale once, in scale then item order. */
static bool choose_drivers(const dataset_t *ds, const config_drivers_t *cfg, drivers_outcome_t *o)
{
    size_t cap = cfg->n_items;
    if (!cfg->n_items)
        for (size_t s = 0; s < dataset_n_scales(ds); s++)
            cap += dataset_scale(ds, s)->n_items;
    o->items = calloc(cap ? cap : 1, sizeof *o->items);
    if (!o->items)
        return false;
    if (cfg->n_items) {
        for (size_t i = 0; i < cfg->n_items; i++) {
            size_t s, c;
            if (find_scale(ds, cfg->items[i], &s))
                add_scale(ds, o, s);
            else if (find_column(ds, cfg->items[i], &c))
                add_item(ds, o, c);
        }
    } else {
        for (size_t s = 0; s < dataset_n_scales(ds); s++) {
            const dataset_scale_t *sc = dataset_scale(ds, s);
            for (size_t i = 0; s != o->outcome && i < sc->n_items; i++)
                add_item(ds, o, sc->items[i]);
        }
    }
    return true;
}

static void clear_figures(drivers_outcome_t *o)
{
    o->r2 = o->act_share = o->act_favourable = NAN;
    for (size_t j = 0; j < o->n_items; j++) {
        drivers_item_t *it = &o->items[j];
        it->r = it->raw_weight = it->share_r2 = it->lmg = it->lmg_share_r2 = NAN;
        it->raw_weight_ci_low = it->raw_weight_ci_high = it->share_r2_ci_low = it->share_r2_ci_high = NAN;
        it->lmg_ci_low = it->lmg_ci_high = NAN;
    }
}

/* Split a (p+1)² correlation matrix (outcome first) into rxx and rxy. */
static void split_corr(const double *corr, size_t p, double *rxx, double *rxy)
{
    size_t q = p + 1;
    for (size_t i = 0; i < p; i++) {
        rxy[i] = corr[(i + 1) * q];
        for (size_t j = 0; j < p; j++)
            rxx[i * p + j] = corr[(i + 1) * q + j + 1];
    }
}

/* The interval bound for quantile `qv` of the resampled figures: as it is
 * when the resamples drew from every complete case; from a subsample of m
 * of the n, the subsample's spread around its own estimate `sub`, scaled
 * by √(m/n) and put around the full estimate `full` (the m-out-of-n
 * bootstrap: √m (θ*ₘ − θ̂ₘ) stands for √n (θ̂ₙ − θ)). */
static double bound(double qv, double full, double sub, double scale)
{
    return scale == 1 ? qv : full + scale * (qv - sub);
}

/* The 95% percentile interval (R quantile type 7, as
 * gsl_stats_quantile_from_sorted_data) of `valid` resampled figures v
 * (sorted here), put around `full` by bound(). */
static void interval(double *v, size_t valid, double full, double sub, double scale, double *low, double *high)
{
    gsl_sort(v, 1, valid);
    *low = bound(gsl_stats_quantile_from_sorted_data(v, 1, valid, 0.025), full, sub, scale);
    *high = bound(gsl_stats_quantile_from_sorted_data(v, 1, valid, 0.975), full, sub, scale);
}

bool drivers_bootstrap(drivers_outcome_t *o, const double *rows, size_t m, gsl_rng *rng)
{
    size_t p = o->n_items, q = p + 1, B = o->n_bootstrap;
    bool with_lmg = p <= DRIVERS_MAX_LMG && p > 0 && !isnan(o->items[0].lmg);
    size_t *pick = malloc(m * sizeof *pick);
    double *corr = malloc(q * q * sizeof *corr), *rxx = malloc(p * p * sizeof *rxx), *rxy = malloc(p * sizeof *rxy);
    double *raw = malloc(p * sizeof *raw), *lmg = malloc(p * sizeof *lmg);
    /* [j][b]: raw weights, then shares of R², then LMG */
    double *draws = malloc(3 * p * (B ? B : 1) * sizeof *draws);
    bool ok = pick && corr && rxx && rxy && raw && lmg && draws;
    size_t valid = 0, valid_lmg = 0;
    for (size_t b = 0; ok && b < B; b++) {
        for (size_t i = 0; i < m; i++)
            pick[i] = gsl_rng_uniform_int(rng, m);
        double r2;
        if (!drivers_correlations(rows, q, pick, m, corr))
            continue;
        split_corr(corr, p, rxx, rxy);
        if (!drivers_relative_weights(rxx, rxy, p, raw, &r2) || !(r2 > 0))
            continue;
        for (size_t j = 0; j < p; j++) {
            draws[j * B + valid] = raw[j];
            draws[(p + j) * B + valid] = raw[j] / r2;
        }
        valid++;
        if (with_lmg && drivers_lmg(rxx, rxy, p, lmg)) {
            for (size_t j = 0; j < p; j++)
                draws[(2 * p + j) * B + valid_lmg] = lmg[j];
            valid_lmg++;
        }
    }
    o->n_bootstrap_valid = valid;
    /* a subsample's own estimates, the centre its resamples spread around */
    double scale = 1, sub_r2 = NAN;
    double *sub = raw, *sub_lmg = lmg;
    for (size_t j = 0; ok && j < p; j++)
        sub[j] = sub_lmg[j] = NAN;
    if (ok && m < o->n_complete) {
        scale = sqrt((double)m / (double)o->n_complete);
        if (drivers_correlations(rows, q, NULL, m, corr)) {
            split_corr(corr, p, rxx, rxy);
            drivers_relative_weights(rxx, rxy, p, sub, &sub_r2);
            if (with_lmg)
                drivers_lmg(rxx, rxy, p, sub_lmg);
        }
    }
    for (size_t j = 0; ok && valid >= 2 && j < p; j++) {
        drivers_item_t *it = &o->items[j];
        interval(draws + j * B, valid, it->raw_weight, sub[j], scale, &it->raw_weight_ci_low,
                 &it->raw_weight_ci_high);
        interval(draws + (p + j) * B, valid, it->share_r2, scale == 1 ? NAN : sub[j] / sub_r2, scale,
                 &it->share_r2_ci_low, &it->share_r2_ci_high);
        if (valid_lmg >= 2)
            interval(draws + (2 * p + j) * B, valid_lmg, it->lmg, sub_lmg[j], scale, &it->lmg_ci_low,
                     &it->lmg_ci_high);
    }
    free(draws);
    free(lmg);
    free(raw);
    free(rxy);
    free(rxx);
    free(corr);
    free(pick);
    return ok;
}

/* Where to act: a driver more important than the average one (share of
 * R² above 1/p) whose favourable share is below the drivers' median. */
static void mark_where_to_act(drivers_outcome_t *o)
{
    size_t p = o->n_items, n = 0;
    double *fav = malloc(p * sizeof *fav);
    if (!fav)
        return;
    for (size_t j = 0; j < p; j++)
        if (!isnan(o->items[j].favourable_pct))
            fav[n++] = o->items[j].favourable_pct;
    o->act_share = 1.0 / (double)p;
    if (n) {
        gsl_sort(fav, 1, n);
        double median = gsl_stats_median_from_sorted_data(fav, 1, n);
        o->act_favourable = median;
        for (size_t j = 0; j < p; j++)
            o->items[j].where_to_act = o->items[j].share_r2 > 1.0 / (double)p &&
                                       o->items[j].favourable_pct < median;
    }
    free(fav);
}

/* ------------------------------------------------------- large datasets */

/* Above DRIVERS_BOOTSTRAP_ROWS complete cases the rows are not kept: the
 * point estimates come from exact integer sums and the bootstrap from a
 * subsample chosen by a key of each respondent, so that neither depends on
 * the order of the rows. */

__extension__ typedef __int128 wide_t;

/* Values in fixed point: X = round((x - origin) · unit), 0 <= X <= 2^36.
 * unit is L · 2^t: L the least common multiple of the answered counts a
 * scale score can rest on (1 for an item), so that a score S / a of integer
 * answers is a whole X, and 2^t as large as the observed range allows. */
enum { FIXED_BITS = 36 };

/* n below this: n Σ XY - Σ X Σ Y is exact in wide_t (n² 2^72 < 2^127). */
#define EXACT_ROWS ((size_t)1 << 27)

static uint64_t lcm_u64(uint64_t a, uint64_t b)
{
    uint64_t x = a, y = b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return a / x * b;
}

static double fixed_unit(const dataset_scale_t *sc, bool is_score, double range)
{
    const double top = ldexp(1, FIXED_BITS);
    if (!(range > 0))
        range = 1;
    double l = 1;
    if (is_score) {
        uint64_t m = 1;
        for (size_t a = 1; a <= sc->n_items && (double)m * range <= top; a++)
            if (dataset_scale_scored(sc, a))
                m = lcm_u64(m, a);
        if ((double)m * range <= top)
            l = (double)m;
    }
    int t = 0;
    while (l * ldexp(range, t) > top)
        t--;
    while (l * ldexp(range, t + 1) <= top)
        t++;
    return ldexp(l, t);
}

/* The exact sums of the complete cases' fixed-point values. */
typedef struct {
    size_t q;
    double *origin, *unit; /* [v] */
    wide_t *sx, *sxy;      /* [v], [a·q + b] for b >= a */
    int64_t *fx;           /* [v] scratch: one row's X */
} sums_t;

static void sums_add(sums_t *s, const double *x)
{
    int64_t *fx = s->fx;
    size_t q = s->q;
    for (size_t v = 0; v < q; v++) {
        fx[v] = (int64_t)nearbyint((x[v] - s->origin[v]) * s->unit[v]);
        s->sx[v] += fx[v];
    }
    for (size_t a = 0; a < q; a++) {
        wide_t *row = s->sxy + a * q;
        for (size_t b = a; b < q; b++)
            row[b] += (wide_t)fx[a] * fx[b];
    }
}

/* n times the centred cross product of a and b: exact below EXACT_ROWS,
 * else from the exact sums in double arithmetic (still order-free). */
static double sums_centred(const sums_t *s, size_t n, size_t a, size_t b)
{
    wide_t sab = s->sxy[(a < b ? a : b) * s->q + (a < b ? b : a)];
    if (n < EXACT_ROWS)
        return (double)((wide_t)n * sab - s->sx[a] * s->sx[b]);
    return (double)n * ((double)sab - (double)s->sx[a] * ((double)s->sx[b] / (double)n));
}

/* The correlation matrix of the sums into corr (q × q); false when a
 * variable does not vary. */
static bool sums_correlations(const sums_t *s, size_t n, double *corr)
{
    size_t q = s->q;
    for (size_t a = 0; a < q; a++) {
        corr[a * q + a] = sums_centred(s, n, a, a);
        if (!(corr[a * q + a] > 0))
            return false;
    }
    for (size_t a = 0; a < q; a++)
        for (size_t b = a + 1; b < q; b++)
            corr[a * q + b] = corr[b * q + a] =
                sums_centred(s, n, a, b) / sqrt(corr[a * q + a] * corr[b * q + b]);
    for (size_t a = 0; a < q; a++)
        corr[a * q + a] = 1;
    return true;
}

/* The bootstrap's subsample: the m complete cases of smallest key, a
 * max-heap on (key, values) while the rows go by. */
typedef struct {
    size_t q, m, n;
    uint64_t *key;
    double *rows;          /* m × q */
    GChecksum *digest;
    char seed_text[32];
} sample_t;

static int sample_cmp(const sample_t *s, uint64_t key, const double *x, size_t i)
{
    if (key != s->key[i])
        return key < s->key[i] ? -1 : 1;
    size_t width = s->q;
    return compare_rows(x, s->rows + i * s->q, &width);
}

static void sample_swap(sample_t *s, size_t i, size_t j, double *tmp)
{
    uint64_t k = s->key[i];
    s->key[i] = s->key[j];
    s->key[j] = k;
    size_t bytes = s->q * sizeof *tmp;
    memcpy(tmp, s->rows + i * s->q, bytes);
    memcpy(s->rows + i * s->q, s->rows + j * s->q, bytes);
    memcpy(s->rows + j * s->q, tmp, bytes);
}

/* A respondent's key: the first 8 bytes of SHA-256 over the seed and the
 * respondent id (the row number when the dataset keeps no ids). */
static uint64_t sample_key(sample_t *s, const dataset_t *ds, size_t row)
{
    char number[32];
    const char *id = dataset_respondent_id(ds, row);
    if (!id) {
        snprintf(number, sizeof number, "#%zu", row);
        id = number;
    }
    g_checksum_reset(s->digest);
    g_checksum_update(s->digest, (const guchar *)s->seed_text, (gssize)strlen(s->seed_text) + 1);
    g_checksum_update(s->digest, (const guchar *)id, (gssize)strlen(id));
    guint8 bytes[32];
    gsize len = sizeof bytes;
    g_checksum_get_digest(s->digest, bytes, &len);
    uint64_t key = 0;
    for (size_t i = 0; i < 8; i++)
        key = key << 8 | bytes[i];
    return key;
}

/* Offer complete case x (dataset row `row`) to the subsample. */
static void sample_offer(sample_t *s, const dataset_t *ds, size_t row, const double *x, double *tmp)
{
    uint64_t key = sample_key(s, ds, row);
    size_t q = s->q;
    if (s->n < s->m) {   /* sift up */
        size_t i = s->n++;
        s->key[i] = key;
        memcpy(s->rows + i * q, x, q * sizeof *x);
        while (i > 0 && sample_cmp(s, s->key[i], s->rows + i * q, (i - 1) / 2) > 0) {
            sample_swap(s, i, (i - 1) / 2, tmp);
            i = (i - 1) / 2;
        }
        return;
    }
    if (sample_cmp(s, key, x, 0) >= 0)
        return;
    s->key[0] = key;   /* replace the largest, sift down */
    memcpy(s->rows, x, q * sizeof *x);
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, big = i;
        if (l < s->n && sample_cmp(s, s->key[l], s->rows + l * q, big) > 0)
            big = l;
        if (r < s->n && sample_cmp(s, s->key[r], s->rows + r * q, big) > 0)
            big = r;
        if (big == i)
            break;
        sample_swap(s, i, big, tmp);
        i = big;
    }
}

/* -------------------------------------------------------------- estimates */

/* The point estimates from the correlation matrix `corr` ((p+1)², outcome
 * first), then the bootstrap from the m rows kept. */
static engage_status_t estimate(drivers_outcome_t *o, const double *corr, const double *kept, size_t m,
                                gsl_rng *rng, engage_error_t *err)
{
    size_t p = o->n_items;
    double *rxx = malloc(p * p * sizeof *rxx), *rxy = malloc(p * sizeof *rxy);
    double *raw = malloc(p * sizeof *raw), *lmg = malloc(p * sizeof *lmg);
    engage_status_t st = ENGAGE_OK;
    if (!rxx || !rxy || !raw || !lmg) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    split_corr(corr, p, rxx, rxy);
    for (size_t j = 0; j < p; j++)
        o->items[j].r = rxy[j];
    double r2;
    if (!drivers_relative_weights(rxx, rxy, p, raw, &r2) || !(r2 > 0)) {
        o->notes |= DRIVERS_NOTE_SINGULAR;
        goto done;
    }
    o->r2 = r2;
    bool with_lmg = drivers_lmg(rxx, rxy, p, lmg);
    o->top = 0;
    for (size_t j = 0; j < p; j++) {
        o->items[j].raw_weight = raw[j];
        o->items[j].share_r2 = raw[j] / r2;
        if (raw[j] > raw[o->top])
            o->top = j;
        if (with_lmg) {
            o->items[j].lmg = lmg[j];
            o->items[j].lmg_share_r2 = lmg[j] / r2;
        }
    }
    mark_where_to_act(o);
    if (o->n_bootstrap && !drivers_bootstrap(o, kept, m, rng))
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
done:
    free(lmg);
    free(raw);
    free(rxy);
    free(rxx);
    return st;
}

static engage_status_t run_outcome(const dataset_t *ds, const config_drivers_t *cfg, unsigned long seed,
                                   const units_t *units, drivers_outcome_t *o, engage_error_t *err)
{
    o->top = SIZE_MAX;
    if (!choose_drivers(ds, cfg, o))
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    clear_figures(o);
    o->n_bootstrap = cfg->bootstrap;
    size_t p = o->n_items, q = p + 1, N = dataset_n_respondents(ds);
    size_t longest = 1;
    for (size_t s = 0; s < dataset_n_scales(ds); s++)
        if (dataset_scale(ds, s)->n_items > longest)
            longest = dataset_scale(ds, s)->n_items;
    reader_t r = {.ds = ds, .o = o, .q = q, .unit_of = units ? units->unit_of : NULL};
    r.cols = malloc(longest * BLOCK_ROWS * sizeof *r.cols);
    r.answered = malloc(q * BLOCK_ROWS * sizeof *r.answered);
    r.favourable = malloc(q * BLOCK_ROWS * sizeof *r.favourable);
    size_t *fav_sum = calloc(q, sizeof *fav_sum), *ans_sum = calloc(q, sizeof *ans_sum);
    r.value = malloc(BLOCK_ROWS * sizeof *r.value);
    r.rows = malloc(BLOCK_ROWS * q * sizeof *r.rows);
    double *low = malloc(q * sizeof *low), *high = malloc(q * sizeof *high);
    double *corr = malloc(q * q * sizeof *corr), *tmp = malloc(q * sizeof *tmp);
    sums_t sums = {.q = q};
    sample_t sample = {.q = q};
    double *kept = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    engage_status_t st = ENGAGE_OK;
    if (!r.cols || !r.value || !r.rows || !r.answered || !r.favourable || !fav_sum || !ans_sum || !low || !high ||
        !corr || !tmp || !rng) {
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    gsl_rng_set(rng, seed);

    /* pass 1: the complete cases, their answers and each variable's range */
    size_t n = 0;
    for (size_t first = 0; first < N; first += BLOCK_ROWS) {
        size_t count = N - first < BLOCK_ROWS ? N - first : BLOCK_ROWS;
        block_rows(&r, first, count);
        for (size_t t = 0; t < count; t++) {
            const double *x = r.rows + t * q;
            if (!row_complete(x, q))
                continue;
            for (size_t v = 0; v < q; v++) {
                low[v] = n ? fmin(low[v], x[v]) : x[v];
                high[v] = n ? fmax(high[v], x[v]) : x[v];
                ans_sum[v] += r.answered[v * BLOCK_ROWS + t];
                fav_sum[v] += r.favourable[v * BLOCK_ROWS + t];
            }
            n++;
        }
    }
    o->n_complete = n;
    for (size_t j = 0; j < p; j++)
        o->items[j].favourable_pct = ans_sum[j + 1] ? 100.0 * (double)fav_sum[j + 1] / (double)ans_sum[j + 1] : NAN;
    if (n < p + 2) {
        o->notes |= DRIVERS_NOTE_TOO_FEW;
        goto done;
    }
    bool whole = n <= DRIVERS_BOOTSTRAP_ROWS;
    size_t m = whole ? n : DRIVERS_BOOTSTRAP_ROWS;
    o->n_bootstrap_rows = o->n_bootstrap ? m : 0;
    if (whole || o->n_bootstrap) {
        kept = malloc(m * q * sizeof *kept);
        if (!kept) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
    }
    if (!whole) {
        if (o->n_bootstrap)
            o->notes |= DRIVERS_NOTE_SUBSAMPLE;
        sums.origin = low;
        sums.unit = high;
        for (size_t v = 0; v < q; v++) {
            const drivers_item_t *it = v ? &o->items[v - 1] : NULL;
            const dataset_scale_t *sc = dataset_scale(ds, it ? it->scale : o->outcome);
            high[v] = fixed_unit(sc, !it || it->is_scale, high[v] - low[v]);
        }
        sums.sx = calloc(q, sizeof *sums.sx);
        sums.sxy = calloc(q * q, sizeof *sums.sxy);
        sums.fx = malloc(q * sizeof *sums.fx);
        sample.m = m;
        sample.key = malloc(m * sizeof *sample.key);
        sample.rows = kept;
        sample.digest = g_checksum_new(G_CHECKSUM_SHA256);
        snprintf(sample.seed_text, sizeof sample.seed_text, "%lu", seed);
        if (!sums.sx || !sums.sxy || !sums.fx || !sample.key || !sample.digest) {
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
    }

    /* pass 2: every complete case kept, or the exact sums and the subsample */
    size_t taken = 0;
    for (size_t first = 0; first < N; first += BLOCK_ROWS) {
        size_t count = N - first < BLOCK_ROWS ? N - first : BLOCK_ROWS;
        block_rows(&r, first, count);
        for (size_t t = 0; t < count; t++) {
            const double *x = r.rows + t * q;
            if (!row_complete(x, q))
                continue;
            if (whole) {
                memcpy(kept + taken++ * q, x, q * sizeof *x);
                continue;
            }
            sums_add(&sums, x);
            if (kept)
                sample_offer(&sample, ds, first + t, x, tmp);
        }
    }
    /* in sorted order, the figures and the resamples depend on the set of
     * answers, not on the order of rows */
    size_t width = q;
    if (kept)
        qsort_r(kept, m, q * sizeof *kept, compare_rows, &width);
    if (!(whole ? drivers_correlations(kept, q, NULL, n, corr) : sums_correlations(&sums, n, corr))) {
        o->notes |= DRIVERS_NOTE_SINGULAR;
        goto done;
    }
    st = estimate(o, corr, kept, m, rng, err);
done:
    if (sample.digest)
        g_checksum_free(sample.digest);
    free(sample.key);
    free(sums.fx);
    free(sums.sxy);
    free(sums.sx);
    gsl_rng_free(rng);
    free(kept);
    free(tmp);
    free(corr);
    free(high);
    free(low);
    free(ans_sum);
    free(fav_sum);
    free(r.favourable);
    free(r.answered);
    free(r.rows);
    free(r.value);
    free(r.cols);
    return st;
}

engage_status_t drivers_run(const dataset_t *ds, const config_drivers_t *cfg, unsigned long seed,
                            const units_t *units, drivers_t **out, engage_error_t *err)
{
    *out = NULL;
    gsl_set_error_handler_off();
    drivers_t *d = calloc(1, sizeof *d);
    if (!d || !(d->outcomes = calloc(cfg->n_outcomes ? cfg->n_outcomes : 1, sizeof *d->outcomes))) {
        free(d);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    engage_status_t st = ENGAGE_OK;
    for (size_t i = 0; st == ENGAGE_OK && i < cfg->n_outcomes; i++) {
        size_t s;
        if (!find_scale(ds, cfg->outcomes[i], &s))
            continue;
        drivers_outcome_t *o = &d->outcomes[d->n_outcomes++];
        o->outcome = s;
        o->unit = SIZE_MAX;
        st = run_outcome(ds, cfg, seed, NULL, o, err);
    }
    if (st == ENGAGE_OK && units && units->n_units) {
        d->n_units = units->n_units;
        d->unit_names = units->names;
        d->unit_outcomes = calloc(d->n_outcomes * d->n_units, sizeof *d->unit_outcomes);
        if (!d->unit_outcomes)
            st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        for (size_t i = 0; st == ENGAGE_OK && i < d->n_outcomes; i++)
            for (size_t u = 0; st == ENGAGE_OK && u < d->n_units; u++) {
                drivers_outcome_t *o = &d->unit_outcomes[i * d->n_units + u];
                o->outcome = d->outcomes[i].outcome;
                o->unit = u;
                o->top = SIZE_MAX;
                if (units->names[u][0])   /* not the managers without a unit */
                    st = run_outcome(ds, cfg, seed, units, o, err);
            }
    }
    if (st != ENGAGE_OK) {
        drivers_free(d);
        return st;
    }
    *out = d;
    return ENGAGE_OK;
}

void drivers_free(drivers_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_outcomes; i++)
        free(d->outcomes[i].items);
    for (size_t i = 0; d->unit_outcomes && i < d->n_outcomes * d->n_units; i++)
        free(d->unit_outcomes[i].items);
    free(d->unit_outcomes);
    free(d->outcomes);
    free(d);
}
