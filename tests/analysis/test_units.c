/*
 * tests/analysis/test_units.c — per-unit figures (analysis/units.c) on
 * small datasets built in memory: a unit's n, mean, sd, interval, median,
 * favourable share and rwg(j) against values worked out by hand over all
 * its respondents; a unit of one manager equal to that manager's figures;
 * managers without a unit pooled as the unit "", first in byte order; a
 * dataset without units as one unit equal to the whole scale.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "../../analysis/analysis.h"
#include "../../analysis/units.h"
#include "close.h"

/* Two items y1, y2 on 1..5, favourable from 4, min_answered 0.5. */
static dataset_t *new_dataset(void)
{
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t items[2];
    assert_int_equal(dataset_add_column(ds, "y1", &items[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "y2", &items[1]), ENGAGE_OK);
    bool reverse[2] = { false, false };
    dataset_scale_t scale = { "engagement", 2, items, reverse, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &scale), ENGAGE_OK);
    return ds;
}

static void add(dataset_t *ds, const char *manager, double y1, double y2)
{
    static int next = 0;
    char id[32];
    snprintf(id, sizeof id, "R%04d", ++next);
    double values[2] = { y1, y2 };
    assert_int_equal(dataset_add_row(ds, id, manager, values, 0, next + 1, NULL, NULL), ENGAGE_OK);
}

/* Managers A, B (North), C (South), D (no unit). */
static dataset_t *four_managers(void)
{
    dataset_t *ds = new_dataset();
    add(ds, "A", 4, 4);
    add(ds, "A", 2, 4);
    add(ds, "A", 5, 5);
    add(ds, "B", 3, 3);
    add(ds, "B", 1, NAN);   /* half the items: scored, left out of rwg(j) */
    add(ds, "C", 2, 2);
    add(ds, "C", 4, 2);
    add(ds, "D", 5, 3);
    add(ds, "D", NAN, NAN); /* not scored */
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 0, "North"), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 1, "North"), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 2, "South"), ENGAGE_OK);
    return ds;
}

static void test_hand_computed(void **state)
{
    (void)state;
    dataset_t *ds = four_managers();
    results_t *res;
    units_t *u;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &u, NULL), ENGAGE_OK);
    assert_int_equal(u->n_units, 3);
    assert_string_equal(u->names[0], "");
    assert_string_equal(u->names[1], "North");
    assert_string_equal(u->names[2], "South");
    assert_int_equal(u->unit_of[0], 1);
    assert_int_equal(u->unit_of[1], 1);
    assert_int_equal(u->unit_of[2], 2);
    assert_int_equal(u->unit_of[3], 0);

    /* North: scores 4, 3, 5, 3, 1 */
    const units_figures_t *north = &u->scales[0].units[1];
    assert_int_equal(north->n, 5);
    assert_int_equal(north->managers, 2);
    assert_close(north->mean, 3.2);
    assert_close(north->sd, sqrt(8.8 / 4.0));
    assert_close(north->se, sqrt(8.8 / 4.0) / sqrt(5.0));
    double t = gsl_cdf_tdist_Pinv(0.975, 4.0);
    assert_close(north->ci_low, 3.2 - t * sqrt(2.2 / 5.0));
    assert_close(north->ci_high, 3.2 + t * sqrt(2.2 / 5.0));
    assert_close(north->median, 3.0);
    assert_close(north->favourable_pct, 100.0 * 5.0 / 9.0);
    /* rwg(j) over the four who answered both: item variances 5/3 and 2/3,
     * mean 7/6 against the null 2: 2(1 - 7/12) / (2(1 - 7/12) + 7/12) */
    assert_close(north->rwg, 10.0 / 17.0);

    /* the unit of managers without one: D's one scored respondent */
    const units_figures_t *none = &u->scales[0].units[0];
    assert_int_equal(none->n, 1);
    assert_int_equal(none->managers, 1);
    assert_close(none->mean, 4.0);
    assert_nan(none->sd);
    assert_nan(none->ci_low);
    assert_nan(none->rwg);
    assert_close(none->favourable_pct, 50.0);

    /* a unit of one manager has exactly that manager's figures */
    const units_figures_t *south = &u->scales[0].units[2];
    const analysis_manager_t *c = &res->scales[0].managers[2];
    assert_int_equal(south->n, c->n);
    const double got[] = { south->mean, south->sd, south->se, south->ci_low, south->ci_high,
                           south->median, south->favourable_pct, south->rwg };
    const double want[] = { c->mean, c->sd, c->se, c->ci_low, c->ci_high, c->median,
                            c->favourable_pct, c->rwg };
    for (size_t i = 0; i < sizeof got / sizeof got[0]; i++)
        assert_memory_equal(&got[i], &want[i], sizeof got[i]);
    units_free(u);
    results_free(res);
    dataset_free(ds);
}

/* Without units every manager is in the unit "", whose figures are the
 * whole scale's: n and mean are the variance decomposition's N and grand
 * mean, the sd that of every score. */
static void test_no_units(void **state)
{
    (void)state;
    dataset_t *ds = new_dataset();
    add(ds, "A", 4, 4);
    add(ds, "A", 2, 4);
    add(ds, "B", 3, 3);
    add(ds, "C", 1, 2);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_false(dataset_has_units(ds));
    results_t *res;
    units_t *u;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &u, NULL), ENGAGE_OK);
    assert_int_equal(u->n_units, 1);
    assert_string_equal(u->names[0], "");
    const units_figures_t *all = &u->scales[0].units[0];
    const analysis_variance_t *v = &res->scales[0].variance;
    assert_int_equal(all->n, v->respondents);
    assert_int_equal(all->managers, 3);
    assert_close(all->mean, v->grand_mean);
    /* scores 4, 3, 3, 1.5: mean 2.875 */
    assert_close(all->mean, 2.875);
    assert_close(all->sd, sqrt((1.265625 + 0.015625 * 2 + 1.890625) / 3.0));
    assert_close(all->median, 3.0);
    units_free(u);
    results_free(res);
    dataset_free(ds);
}

/* A unit with no scored respondent: n 0, every figure NAN. */
static void test_empty_unit(void **state)
{
    (void)state;
    dataset_t *ds = new_dataset();
    add(ds, "A", 4, 4);
    add(ds, "B", NAN, NAN);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 0, "East"), ENGAGE_OK);
    assert_int_equal(dataset_set_manager_unit(ds, 1, "West"), ENGAGE_OK);
    results_t *res;
    units_t *u;
    assert_int_equal(analysis_run(ds, &res, NULL), ENGAGE_OK);
    assert_int_equal(units_run(ds, res, &u, NULL), ENGAGE_OK);
    assert_int_equal(u->n_units, 2);
    const units_figures_t *west = &u->scales[0].units[1];
    assert_int_equal(west->n, 0);
    assert_int_equal(west->managers, 0);
    assert_nan(west->mean);
    assert_nan(west->median);
    assert_nan(west->favourable_pct);
    units_free(u);
    results_free(res);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_no_units),
        cmocka_unit_test(test_empty_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
