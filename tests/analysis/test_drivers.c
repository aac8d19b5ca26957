/*
 * tests/analysis/test_drivers.c — key drivers (analysis/drivers.c).
 *
 * The relative weights and LMG shares of base R's attitude data against the
 * figures R computed (tests/fixtures/drivers/make_attitude.R), to 1e-7
 * relative, both from the correlation matrix and through drivers_run on a
 * dataset; the seeded bootstrap; data whose true weights are known, and
 * the intervals' coverage over many samples of a known population; the
 * figures above DRIVERS_BOOTSTRAP_ROWS against every row's and in any
 * order of the rows; the cases with too few complete cases or a singular
 * correlation matrix.
 */
#include <csv.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../analysis/drivers.h"
#include "close.h"

#define FIXTURES_FROM_HERE "/../fixtures/drivers/"

enum { MAX_CELLS = 4096 };

/* A small CSV fixture: every cell of every row, row 0 the header. */
typedef struct {
    char *cell[MAX_CELLS];
    size_t n_cells, n_cols, col;
} table_t;

static void on_field(void *s, size_t len, void *data)
{
    table_t *t = data;
    assert_true(t->n_cells < MAX_CELLS);
    char *f = malloc(len + 1);
    assert_non_null(f);
    memcpy(f, s, len);
    f[len] = '\0';
    t->cell[t->n_cells++] = f;
    t->col++;
}

static void on_row(int c, void *data)
{
    (void)c;
    table_t *t = data;
    if (!t->n_cols)
        t->n_cols = t->col;
    assert_int_equal(t->col, t->n_cols);
    t->col = 0;
}

static table_t *table_read(const char *name)
{
    char path[4096];
    const char *here = __FILE__, *slash = strrchr(here, '/');
    snprintf(path, sizeof path, "%.*s%s%s", slash ? (int)(slash - here) : 1, slash ? here : ".", FIXTURES_FROM_HERE,
             name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    table_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(csv_parse(&p, buf, n, on_field, on_row, t), n);
    assert_int_equal(csv_fini(&p, on_field, on_row, t), 0);
    csv_free(&p);
    fclose(f);
    return t;
}

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->n_cells; i++)
        free(t->cell[i]);
    free(t);
}

static size_t table_rows(const table_t *t)
{
    return t->n_cells / t->n_cols - 1;
}

static const char *table_text(const table_t *t, size_t row, const char *column)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->cell[c], column) == 0)
            return t->cell[(row + 1) * t->n_cols + c];
    fail_msg("no column %s", column);
    return NULL;
}

static double table_number(const table_t *t, size_t row, const char *column)
{
    char *end;
    double v = strtod(table_text(t, row, column), &end);
    assert_true(*end == '\0');
    return v;
}

#define assert_r(got, want) check_close((got), (want), 1e-7, #got, __FILE__, __LINE__)

static const char *const ATTITUDE[] = {"rating", "complaints", "privileges", "learning", "raises", "critical",
                                       "advance"};
enum { ATTITUDE_P = 6, ATTITUDE_Q = 7 };

/* The attitude ratings as 30 rows of (rating, six drivers). */
static double *attitude_rows(size_t *n)
{
    table_t *t = table_read("attitude.csv");
    *n = table_rows(t);
    assert_int_equal(*n, 30);
    double *rows = malloc(*n * ATTITUDE_Q * sizeof *rows);
    assert_non_null(rows);
    for (size_t i = 0; i < *n; i++)
        for (size_t v = 0; v < ATTITUDE_Q; v++)
            rows[i * ATTITUDE_Q + v] = table_number(t, i, ATTITUDE[v]);
    table_free(t);
    return rows;
}

static void test_attitude_matrix(void **state)
{
    (void)state;
    size_t n;
    double *rows = attitude_rows(&n);
    double corr[ATTITUDE_Q * ATTITUDE_Q], rxx[ATTITUDE_P * ATTITUDE_P], rxy[ATTITUDE_P];
    assert_true(drivers_correlations(rows, ATTITUDE_Q, NULL, n, corr));
    for (size_t i = 0; i < ATTITUDE_P; i++) {
        rxy[i] = corr[(i + 1) * ATTITUDE_Q];
        for (size_t j = 0; j < ATTITUDE_P; j++)
            rxx[i * ATTITUDE_P + j] = corr[(i + 1) * ATTITUDE_Q + j + 1];
    }
    double raw[ATTITUDE_P], lmg[ATTITUDE_P], r2;
    assert_true(drivers_relative_weights(rxx, rxy, ATTITUDE_P, raw, &r2));
    assert_true(drivers_lmg(rxx, rxy, ATTITUDE_P, lmg));
    table_t *want = table_read("attitude_drivers.csv");
    assert_int_equal(table_rows(want), ATTITUDE_P);
    for (size_t j = 0; j < ATTITUDE_P; j++) {
        assert_string_equal(table_text(want, j, "item"), ATTITUDE[j + 1]);
        assert_r(rxy[j], table_number(want, j, "r"));
        assert_r(raw[j], table_number(want, j, "raw_weight"));
        assert_r(raw[j] / r2, table_number(want, j, "share_r2"));
        assert_r(lmg[j], table_number(want, j, "lmg"));
        assert_r(lmg[j] / r2, table_number(want, j, "lmg_share_r2"));
    }
    assert_r(r2, table_number(want, 0, "r2"));
    table_free(want);
    free(rows);
}

/* A dataset of one-item scales named like its columns, each on min..max,
 * an answer at or above `favourable` favourable; row i of `rows` is
 * respondent r<i+1>, added in the order `order` gives (NULL: as they come). */
static dataset_t *ordered_scales(const char *const *names, size_t q, const bool *reverse, double min, double max,
                                 double favourable, const double *rows, size_t n, const size_t *order)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    for (size_t v = 0; v < q; v++) {
        size_t index;
        assert_int_equal(dataset_add_column(ds, names[v], &index), ENGAGE_OK);
        bool rev = reverse && reverse[v];
        dataset_scale_t sc = {.name = (char *)names[v], .n_items = 1, .items = &index, .reverse = &rev,
                              .min = min, .max = max, .min_answered = 0.5, .favourable = favourable,
                              .unfavourable = min + 1};
        assert_int_equal(dataset_add_scale(ds, &sc), ENGAGE_OK);
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = order ? order[k] : k;
        char id[32];
        snprintf(id, sizeof id, "r%05zu", i + 1);
        assert_int_equal(dataset_add_row(ds, id, i % 2 ? "g001" : "g002", rows + i * q, 0, (long)k + 2, NULL, NULL),
                         ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    return ds;
}

static dataset_t *one_item_scales(const char *const *names, size_t q, const bool *reverse, double min, double max,
                                  double favourable, const double *rows, size_t n)
{
    return ordered_scales(names, q, reverse, min, max, favourable, rows, n, NULL);
}

static drivers_t *run(const dataset_t *ds, const char *outcome, unsigned long bootstrap, unsigned long seed)
{
    char *outcomes[] = {(char *)outcome};
    config_drivers_t cfg = {.outcomes = outcomes, .n_outcomes = 1, .bootstrap = bootstrap};
    drivers_t *d;
    engage_error_t err;
    assert_int_equal(drivers_run(ds, &cfg, seed, NULL, &d, &err), ENGAGE_OK);
    assert_int_equal(d->n_outcomes, 1);
    return d;
}

static void test_attitude_run(void **state)
{
    (void)state;
    size_t n;
    double *rows = attitude_rows(&n);
    dataset_t *ds = one_item_scales(ATTITUDE, ATTITUDE_Q, NULL, 0, 100, 60, rows, n);
    drivers_t *d = run(ds, "rating", 200, 1);
    const drivers_outcome_t *o = &d->outcomes[0];
    table_t *want = table_read("attitude_drivers.csv");
    assert_int_equal(o->n_complete, 30);
    assert_int_equal(o->n_items, ATTITUDE_P);
    assert_int_equal(o->notes, 0);
    assert_int_equal(o->n_bootstrap_rows, 30);
    assert_r(o->r2, table_number(want, 0, "r2"));
    for (size_t j = 0; j < ATTITUDE_P; j++) {
        const drivers_item_t *it = &o->items[j];
        assert_string_equal(it->name, table_text(want, j, "item"));
        assert_false(it->is_scale);
        assert_r(it->r, table_number(want, j, "r"));
        assert_r(it->raw_weight, table_number(want, j, "raw_weight"));
        assert_r(it->share_r2, table_number(want, j, "share_r2"));
        assert_r(it->lmg_share_r2, table_number(want, j, "lmg_share_r2"));
        assert_r(it->favourable_pct, table_number(want, j, "favourable_pct"));
        assert_int_equal(it->where_to_act, (int)table_number(want, j, "where_to_act"));
        /* a percentile interval of weights lies in 0..R² (shares in 0..1) */
        assert_true(it->raw_weight_ci_low >= 0 && it->raw_weight_ci_low < it->raw_weight_ci_high);
        assert_true(it->share_r2_ci_low >= 0 && it->share_r2_ci_high <= 1);
    }
    /* the strongest driver's interval holds its estimate */
    assert_true(o->items[0].raw_weight_ci_low < o->items[0].raw_weight &&
                o->items[0].raw_weight < o->items[0].raw_weight_ci_high);
    table_free(want);

    /* the same seed, the same intervals; another seed, other intervals, same estimates */
    drivers_t *again = run(ds, "rating", 200, 1), *other = run(ds, "rating", 200, 2);
    bool differs = false;
    for (size_t j = 0; j < ATTITUDE_P; j++) {
        assert_true(again->outcomes[0].items[j].raw_weight_ci_low == o->items[j].raw_weight_ci_low);
        assert_true(again->outcomes[0].items[j].share_r2_ci_high == o->items[j].share_r2_ci_high);
        assert_true(again->outcomes[0].items[j].lmg_ci_low == o->items[j].lmg_ci_low);
        assert_true(o->items[j].lmg_ci_low < o->items[j].lmg && o->items[j].lmg < o->items[j].lmg_ci_high);
        assert_true(other->outcomes[0].items[j].raw_weight == o->items[j].raw_weight);
        differs |= other->outcomes[0].items[j].raw_weight_ci_low != o->items[j].raw_weight_ci_low;
    }
    assert_true(differs);
    drivers_free(other);
    drivers_free(again);

    /* without a bootstrap: no intervals, the same estimates */
    drivers_t *none = run(ds, "rating", 0, 1);
    assert_int_equal(none->outcomes[0].n_bootstrap_rows, 0);
    assert_nan(none->outcomes[0].items[0].raw_weight_ci_low);
    assert_true(none->outcomes[0].items[0].raw_weight == o->items[0].raw_weight);
    drivers_free(none);
    drivers_free(d);
    dataset_free(ds);
    free(rows);
}

/* y = 0.6 x1 + 0.3 x2 + 0 x3 + e, the x independent N(0, 1), e ~ N(0, 0.5²):
 * var y = 0.36 + 0.09 + 0.25 = 0.70, and with uncorrelated drivers each
 * raw weight is r² = b² / var y: 0.36/0.70 = 0.5142857, 0.09/0.70 =
 * 0.1285714, 0; R² = 0.45/0.70 = 0.6428571.  x2 is stored negated in a
 * reverse-coded item on -10..10 (value -> 0 - value), so it drives y
 * positively once reverse coded. */
static double *known_rows(size_t N, unsigned long seed)
{
    enum { Q = 4 };
    double *rows = malloc(N * Q * sizeof *rows);
    assert_non_null(rows);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < N; i++) {
        double x1 = gsl_ran_gaussian(rng, 1), x2 = gsl_ran_gaussian(rng, 1), x3 = gsl_ran_gaussian(rng, 1);
        rows[i * Q] = 0.6 * x1 + 0.3 * x2 + gsl_ran_gaussian(rng, 0.5);
        rows[i * Q + 1] = x1;
        rows[i * Q + 2] = -x2;
        rows[i * Q + 3] = x3;
    }
    gsl_rng_free(rng);
    return rows;
}

static void test_known_weights(void **state)
{
    (void)state;
    enum { N = 3000, Q = 4 };
    static const char *const names[Q] = {"y", "x1", "x2", "x3"};
    static const bool reverse[Q] = {false, false, true, false};
    double *rows = known_rows(N, 2024);
    dataset_t *ds = one_item_scales(names, Q, reverse, -10, 10, 9, rows, N);
    drivers_t *d = run(ds, "y", 200, 7);
    const drivers_outcome_t *o = &d->outcomes[0];
    assert_int_equal(o->n_complete, N);
    assert_int_equal(o->n_bootstrap_valid, 200);
    const double truth[3] = {0.36 / 0.70, 0.09 / 0.70, 0};
    for (size_t j = 0; j < 3; j++) {
        const drivers_item_t *it = &o->items[j];
        assert_string_equal(it->name, names[j + 1]);
        /* each true weight inside its 95% interval (x3's true 0 at the edge: within 0.005) */
        assert_true(it->raw_weight_ci_low <= truth[j] + (j == 2 ? 0.005 : 0));
        assert_true(truth[j] <= it->raw_weight_ci_high);
        assert_true(fabs(it->raw_weight - truth[j]) < 0.03);
        /* uncorrelated drivers: LMG's split is r² too, and its interval holds it */
        assert_true(it->lmg_ci_low <= truth[j] + (j == 2 ? 0.005 : 0));
        assert_true(truth[j] <= it->lmg_ci_high);
        assert_true(it->lmg_ci_low <= it->lmg && it->lmg <= it->lmg_ci_high);
    }
    assert_true(o->items[1].r > 0);  /* reverse coded */
    assert_true(o->items[0].raw_weight > o->items[1].raw_weight && o->items[1].raw_weight > o->items[2].raw_weight);
    assert_true(fabs(o->r2 - 0.45 / 0.70) < 0.03);
    drivers_free(d);
    dataset_free(ds);
    free(rows);
}

/* The same model with 50,000 respondents: the bootstrap draws from a
 * subsample of DRIVERS_BOOTSTRAP_ROWS and scales its spread by √(m/n).
 * By the delta method, x1's r = √0.5142857 = 0.7171 has sd (1 - r²)/√n =
 * 0.4857/223.6 = 0.002172, so r² has sd 2 r · 0.002172 = 0.003116 and a 95%
 * interval about 2 · 1.96 · 0.003116 = 0.0122 wide; unscaled, the
 * subsample's would be √(50000/20000) = 1.58 times that, 0.0193. */
static void test_subsample_bootstrap(void **state)
{
    (void)state;
    enum { N = 50000, Q = 4 };
    static const char *const names[Q] = {"y", "x1", "x2", "x3"};
    static const bool reverse[Q] = {false, false, true, false};
    double *rows = known_rows(N, 99);
    dataset_t *ds = one_item_scales(names, Q, reverse, -10, 10, 9, rows, N);
    drivers_t *d = run(ds, "y", 200, 5);
    const drivers_outcome_t *o = &d->outcomes[0];
    assert_int_equal(o->n_complete, N);
    assert_int_equal(o->n_bootstrap_rows, DRIVERS_BOOTSTRAP_ROWS);
    assert_true(o->notes & DRIVERS_NOTE_SUBSAMPLE);
    const drivers_item_t *x1 = &o->items[0];
    double width = x1->raw_weight_ci_high - x1->raw_weight_ci_low;
    assert_true(width > 0.008 && width < 0.016);
    assert_true(x1->raw_weight_ci_low < 0.36 / 0.70 && 0.36 / 0.70 < x1->raw_weight_ci_high);
    assert_true(x1->raw_weight_ci_low < x1->raw_weight && x1->raw_weight < x1->raw_weight_ci_high);
    drivers_free(d);
    dataset_free(ds);
    free(rows);
}

/* Coverage over many datasets: 20 simulated samples of 400 respondents
 * from a population whose weights are known (tests/fixtures/drivers/
 * make_coverage.R: three correlated drivers x ~ N(0, Sx), y = b'x + e,
 * var y = 1; the population relative weights and LMG worked out there from
 * R_xx = Sx, r_xy = Sx b).  Each sample's 95% bootstrap intervals (B = 200,
 * the sample's number as seed) must cover the true raw weight and the true
 * LMG in at least 80% of the 20 × 3 intervals (were they independent at 95%
 * coverage, fewer than 48 of 60 would have probability 7e-6: R's
 * pbinom(47, 60, 0.95)), and the intervals must be as wide as the
 * spread of the 20 estimates says: x1's mean width within 0.6 to 1.6 times
 * 2 × 1.96 × the estimates' sd. */
static void test_bootstrap_coverage(void **state)
{
    (void)state;
    enum { SAMPLES = 20, N = 400, Q = 4, P = 3 };
    static const char *const names[Q] = {"y", "x1", "x2", "x3"};
    static const double sx[P * P] = {1.0, 0.3, 0.2, 0.3, 1.0, 0.4, 0.2, 0.4, 1.0};
    static const double b[P] = {0.5, 0.3, 0.1};
    table_t *truth = table_read("coverage_truth.csv");
    assert_int_equal(table_rows(truth), P);
    double error_sd = table_number(truth, 0, "error_sd");
    gsl_matrix *chol = gsl_matrix_alloc(P, P);
    assert_non_null(chol);
    for (size_t i = 0; i < P * P; i++)
        chol->data[i] = sx[i];
    assert_int_equal(gsl_linalg_cholesky_decomp1(chol), GSL_SUCCESS);   /* Sx = L L' (lower) */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *rows = malloc(N * Q * sizeof *rows);
    assert_non_null(rows);
    size_t covered_raw = 0, covered_lmg = 0;
    double est[SAMPLES], width = 0;
    for (size_t k = 0; k < SAMPLES; k++) {
        gsl_rng_set(rng, 1000 + k);
        for (size_t i = 0; i < N; i++) {
            double z[P], y = 0;
            for (size_t a = 0; a < P; a++)
                z[a] = gsl_ran_gaussian(rng, 1);
            for (size_t a = 0; a < P; a++) {
                double x = 0;
                for (size_t c = 0; c <= a; c++)
                    x += gsl_matrix_get(chol, a, c) * z[c];
                rows[i * Q + 1 + a] = x;
                y += b[a] * x;
            }
            rows[i * Q] = y + gsl_ran_gaussian(rng, error_sd);
        }
        dataset_t *ds = one_item_scales(names, Q, NULL, -10, 10, 9, rows, N);
        drivers_t *d = run(ds, "y", 200, k + 1);
        const drivers_outcome_t *o = &d->outcomes[0];
        assert_int_equal(o->n_complete, N);
        assert_int_equal(o->n_bootstrap_valid, 200);
        for (size_t j = 0; j < P; j++) {
            const drivers_item_t *it = &o->items[j];
            double raw = table_number(truth, j, "raw_weight"), lmg = table_number(truth, j, "lmg");
            covered_raw += it->raw_weight_ci_low <= raw && raw <= it->raw_weight_ci_high;
            covered_lmg += it->lmg_ci_low <= lmg && lmg <= it->lmg_ci_high;
        }
        est[k] = o->items[0].raw_weight;
        width += (o->items[0].raw_weight_ci_high - o->items[0].raw_weight_ci_low) / SAMPLES;
        drivers_free(d);
        dataset_free(ds);
    }
    print_message("coverage: raw weights %zu of %d, LMG %zu of %d; x1's mean width %.4f, 3.92 sd %.4f\n",
                  covered_raw, SAMPLES * P, covered_lmg, SAMPLES * P, width,
                  3.92 * gsl_stats_sd(est, 1, SAMPLES));
    assert_true(covered_raw >= 48);
    assert_true(covered_lmg >= 48);
    double spread = 3.92 * gsl_stats_sd(est, 1, SAMPLES);
    assert_true(width > 0.6 * spread && width < 1.6 * spread);
    free(rows);
    gsl_rng_free(rng);
    gsl_matrix_free(chol);
    table_free(truth);
}

/* Every figure of a drivers outcome bit for bit the same. */
static void assert_same_figures(const drivers_outcome_t *a, const drivers_outcome_t *b)
{
    assert_int_equal(a->n_complete, b->n_complete);
    assert_int_equal(a->n_bootstrap_valid, b->n_bootstrap_valid);
    assert_int_equal(a->top, b->top);
    assert_memory_equal(&a->r2, &b->r2, sizeof a->r2);
    for (size_t j = 0; j < a->n_items; j++) {
        const drivers_item_t *x = &a->items[j], *y = &b->items[j];
        const double fx[] = {x->r, x->raw_weight, x->share_r2, x->lmg, x->lmg_share_r2, x->raw_weight_ci_low,
                             x->raw_weight_ci_high, x->share_r2_ci_low, x->share_r2_ci_high, x->lmg_ci_low,
                             x->lmg_ci_high, x->favourable_pct};
        const double fy[] = {y->r, y->raw_weight, y->share_r2, y->lmg, y->lmg_share_r2, y->raw_weight_ci_low,
                             y->raw_weight_ci_high, y->share_r2_ci_low, y->share_r2_ci_high, y->lmg_ci_low,
                             y->lmg_ci_high, y->favourable_pct};
        assert_memory_equal(fx, fy, sizeof fx);
        assert_int_equal(x->where_to_act, y->where_to_act);
    }
}

/* 30,000 respondents answering 1..5 (above DRIVERS_BOOTSTRAP_ROWS, so no
 * row is kept): y = round(x1 + x2/2 + noise) clamped to 1..5, x3 pure
 * noise.  The estimates from the exact integer sums must agree with the
 * two-pass correlations of every row (drivers_correlations, in double
 * arithmetic) to 1e-12, and the same respondents in reverse order and in
 * a shuffled order must give every figure, the intervals included, bit
 * for bit. */
static void test_large_order_free(void **state)
{
    (void)state;
    enum { N = 30000, Q = 4, P = 3 };
    static const char *const names[Q] = {"y", "x1", "x2", "x3"};
    double *rows = malloc(N * Q * sizeof *rows);
    size_t *order = malloc(N * sizeof *order);
    assert_non_null(rows);
    assert_non_null(order);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 31);
    for (size_t i = 0; i < N; i++) {
        double x1 = 1 + (double)gsl_rng_uniform_int(rng, 5), x2 = 1 + (double)gsl_rng_uniform_int(rng, 5);
        double y = round(0.3 + 0.5 * x1 + 0.3 * x2 + gsl_ran_gaussian(rng, 0.7));
        rows[i * Q] = y < 1 ? 1 : y > 5 ? 5 : y;
        rows[i * Q + 1] = x1;
        rows[i * Q + 2] = x2;
        rows[i * Q + 3] = 1 + (double)gsl_rng_uniform_int(rng, 5);
    }
    double corr[Q * Q], rxx[P * P], rxy[P], raw[P], r2;
    assert_true(drivers_correlations(rows, Q, NULL, N, corr));
    for (size_t i = 0; i < P; i++) {
        rxy[i] = corr[(i + 1) * Q];
        for (size_t j = 0; j < P; j++)
            rxx[i * P + j] = corr[(i + 1) * Q + j + 1];
    }
    assert_true(drivers_relative_weights(rxx, rxy, P, raw, &r2));

    dataset_t *ds = one_item_scales(names, Q, NULL, 1, 5, 4, rows, N);
    drivers_t *d = run(ds, "y", 100, 3);
    const drivers_outcome_t *o = &d->outcomes[0];
    assert_int_equal(o->n_complete, N);
    assert_int_equal(o->n_bootstrap_rows, DRIVERS_BOOTSTRAP_ROWS);
    assert_true(o->notes & DRIVERS_NOTE_SUBSAMPLE);
    check_close(o->r2, r2, 1e-12, "r2", __FILE__, __LINE__);
    for (size_t j = 0; j < P; j++) {
        check_close(o->items[j].r, rxy[j], 1e-12, "r", __FILE__, __LINE__);
        check_close(o->items[j].raw_weight, raw[j], 1e-12, "raw_weight", __FILE__, __LINE__);
        assert_true(o->items[j].lmg_ci_low < o->items[j].lmg && o->items[j].lmg < o->items[j].lmg_ci_high);
    }
    assert_int_equal(o->top, 0);   /* x1, with twice x2's slope */

    for (size_t i = 0; i < N; i++)
        order[i] = N - 1 - i;
    dataset_t *reversed = ordered_scales(names, Q, NULL, 1, 5, 4, rows, N, order);
    drivers_t *dr = run(reversed, "y", 100, 3);
    assert_same_figures(o, &dr->outcomes[0]);
    for (size_t i = 0; i < N; i++)
        order[i] = i;
    gsl_ran_shuffle(rng, order, N, sizeof *order);
    dataset_t *shuffled = ordered_scales(names, Q, NULL, 1, 5, 4, rows, N, order);
    drivers_t *ds2 = run(shuffled, "y", 100, 3);
    assert_same_figures(o, &ds2->outcomes[0]);
    /* another seed draws another subsample: other intervals, the same estimates */
    drivers_t *other = run(shuffled, "y", 100, 4);
    assert_memory_equal(&other->outcomes[0].items[0].raw_weight, &o->items[0].raw_weight, sizeof(double));
    assert_true(other->outcomes[0].items[0].raw_weight_ci_low != o->items[0].raw_weight_ci_low);
    drivers_free(other);
    drivers_free(ds2);
    drivers_free(dr);
    drivers_free(d);
    dataset_free(shuffled);
    dataset_free(reversed);
    dataset_free(ds);
    gsl_rng_free(rng);
    free(order);
    free(rows);
}

/* 4 complete cases for 3 drivers (fewer than 3 + 2), and a driver that is
 * the sum of two others: empty figures with their note. */
static void test_degenerate(void **state)
{
    (void)state;
    static const char *const names[4] = {"y", "a", "b", "c"};
    const double few[4 * 4] = {1, 2, 3, 4, 2, 3, 1, 5, 4, 1, 2, 2, 3, 5, 5, 1};
    dataset_t *ds = one_item_scales(names, 4, NULL, 0, 20, 19, few, 4);
    drivers_t *d = run(ds, "y", 50, 1);
    assert_int_equal(d->outcomes[0].n_complete, 4);
    assert_int_equal(d->outcomes[0].notes, DRIVERS_NOTE_TOO_FEW);
    assert_nan(d->outcomes[0].r2);
    assert_nan(d->outcomes[0].items[0].raw_weight);
    assert_nan(d->outcomes[0].items[2].share_r2_ci_high);
    drivers_free(d);
    dataset_free(ds);

    double sum[8 * 4];
    for (size_t i = 0; i < 8; i++) {
        double a = (double)(i % 3), b = (double)(i * i % 5);
        sum[i * 4] = a + (double)(i % 2);
        sum[i * 4 + 1] = a;
        sum[i * 4 + 2] = b;
        sum[i * 4 + 3] = a + b;
    }
    ds = one_item_scales(names, 4, NULL, 0, 20, 19, sum, 8);
    d = run(ds, "y", 50, 1);
    assert_int_equal(d->outcomes[0].n_complete, 8);
    assert_int_equal(d->outcomes[0].notes, DRIVERS_NOTE_SINGULAR);
    assert_nan(d->outcomes[0].items[0].raw_weight);
    assert_nan(d->outcomes[0].items[0].lmg);
    assert_false(isnan(d->outcomes[0].items[0].r));
    drivers_free(d);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attitude_matrix),
        cmocka_unit_test(test_attitude_run),
        cmocka_unit_test(test_known_weights),
        cmocka_unit_test(test_subsample_bootstrap),
        cmocka_unit_test(test_large_order_free),
        cmocka_unit_test(test_bootstrap_coverage),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests_name("drivers", tests, NULL, NULL);
}
