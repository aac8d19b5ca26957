/*
 * tests/core/test_dataset.c — the dataset store: coded columns and their
 * switch to doubles, repeated respondents, manager order, bulk reads, many
 * columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/dataset.h"

static void test_values_round_trip_through_codes_and_doubles(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t small, wide;
    assert_int_equal(dataset_add_column(ds, "small", &small), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "wide", &wide), ENGAGE_OK);
    /* 600 rows: "small" cycles through 1..5 and missing; "wide" takes 600
     * distinct values, so it must leave the one-byte codes behind. */
    for (int r = 0; r < 600; r++) {
        char id[16];
        snprintf(id, sizeof id, "r%03d", r);
        double values[2] = {r % 6 == 5 ? NAN : r % 6 + 1, r * 0.25 - 7};
        assert_int_equal(dataset_add_row(ds, id, "m", values, 0, r + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), 600);
    double block[600];
    dataset_column_read(ds, small, 0, 600, block);
    for (int r = 0; r < 600; r++) {
        if (r % 6 == 5) {
            assert_true(isnan(dataset_value(ds, (size_t)r, small)));
            assert_true(isnan(block[r]));
        } else {
            assert_true(dataset_value(ds, (size_t)r, small) == r % 6 + 1);
            assert_true(block[r] == r % 6 + 1);
        }
    }
    dataset_column_read(ds, wide, 100, 200, block);
    for (int r = 0; r < 600; r++)
        assert_true(dataset_value(ds, (size_t)r, wide) == r * 0.25 - 7);
    for (int i = 0; i < 200; i++)
        assert_true(block[i] == (100 + i) * 0.25 - 7);
    dataset_free(ds);
}

static void test_repeated_respondent_replaces_earlier_row(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    size_t file;
    long line;
    double v1 = 1, v2 = 2, v3 = 3;
    assert_int_equal(dataset_add_row(ds, "a", "m2", &v1, 0, 2, &file, &line), ENGAGE_OK);
    assert_int_equal(file, SIZE_MAX);
    assert_int_equal(dataset_add_row(ds, "b", "m1", &v2, 0, 3, &file, &line), ENGAGE_OK);
    assert_int_equal(dataset_add_row(ds, "a", "m3", &v3, 1, 7, &file, &line), ENGAGE_OK);
    assert_int_equal(file, 0);
    assert_int_equal(line, 2);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    /* m2 lost its only respondent and disappears; m1 < m3 in byte order */
    assert_int_equal(dataset_n_managers(ds), 2);
    assert_string_equal(dataset_manager_id(ds, 0), "m1");
    assert_string_equal(dataset_manager_id(ds, 1), "m3");
    assert_int_equal(dataset_n_respondents(ds), 2);
    assert_string_equal(dataset_respondent_id(ds, 0), "b");
    assert_string_equal(dataset_respondent_id(ds, 1), "a");
    assert_true(dataset_value(ds, 1, q) == 3);
    assert_int_equal(dataset_manager_of(ds, 1), 1);
    assert_int_equal(dataset_respondent_file(ds, 1), 1);
    assert_int_equal(dataset_respondent_line(ds, 1), 7);
    dataset_free(ds);
}

static void test_managers_sorted_by_bytes(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    const char *managers[] = {"b", "B", "a10", "a9", "\xc3\xa9", "a10"};
    for (size_t i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        double v = (double)i;
        dataset_add_row(ds, id, managers[i], &v, 0, (long)i + 2, NULL, NULL);
    }
    dataset_finish(ds);
    const char *expected[] = {"B", "a10", "a9", "b", "\xc3\xa9"};
    assert_int_equal(dataset_n_managers(ds), 5);
    for (size_t m = 0; m < 5; m++)
        assert_string_equal(dataset_manager_id(ds, m), expected[m]);
    /* r2 and r5 share a10 */
    assert_int_equal(dataset_manager_of(ds, 2), 1);
    assert_int_equal(dataset_manager_of(ds, 5), 1);
    assert_int_equal(dataset_manager_of(ds, 4), 4);
    dataset_free(ds);
}

static void test_many_columns_by_name(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    enum { N = 100000 };
    char name[16];
    for (size_t c = 0; c < N; c++) {
        snprintf(name, sizeof name, "q%zu", c);
        size_t index;
        assert_int_equal(dataset_add_column(ds, name, &index), ENGAGE_OK);
        assert_int_equal(index, c);
    }
    size_t index;
    assert_int_equal(dataset_add_column(ds, "q77777", &index), ENGAGE_OK);
    assert_int_equal(index, 77777);
    assert_int_equal(dataset_n_columns(ds), N);
    assert_string_equal(dataset_column_name(ds, 99999), "q99999");
    double *values = calloc(N, sizeof *values);
    assert_non_null(values);
    values[12345] = 4;
    assert_int_equal(dataset_add_row(ds, "r", "m", values, 0, 2, NULL, NULL), ENGAGE_OK);
    /* columns are fixed once rows exist */
    assert_int_not_equal(dataset_add_column(ds, "late", &index), ENGAGE_OK);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_true(dataset_value(ds, 0, 12345) == 4);
    assert_true(dataset_value(ds, 0, 12346) == 0);
    free(values);
    dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_round_trip_through_codes_and_doubles),
        cmocka_unit_test(test_repeated_respondent_replaces_earlier_row),
        cmocka_unit_test(test_managers_sorted_by_bytes),
        cmocka_unit_test(test_many_columns_by_name),
    };
    return cmocka_run_group_tests_name("dataset", tests, NULL, NULL);
}
