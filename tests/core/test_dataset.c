/*
 * tests/core/test_dataset.c — the dataset store: coded columns and their
 * switch to doubles, repeated respondents (also in numbers that make the
 * store drop superseded rows and unused managers as it goes), manager
 * order, bulk reads, many columns, and rows expected ahead (whatever the
 * guess, the same dataset).
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

/* Ids that agree in their first 8 bytes, or are shorter than 8, or have
 * bytes past 0x7f, added in no order: managers come in strcmp's order, and
 * every row keeps its own manager. */
static int by_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_managers_sorted_by_bytes_past_eight(void **state)
{
    (void)state;
    static const char *const stems[] = {"abcdefgh", "abcdefg", "abcdefghi", "abc", "\xff\xfe", "abcdefg\x80",
                                        "abcdefgh\xff", "z", "abcdefgz", "abcdefgh\x01"};
    enum { STEMS = sizeof stems / sizeof stems[0], SUFFIXES = 30, M = STEMS * SUFFIXES };
    char ids[M][32];
    const char *want[M];
    for (size_t i = 0; i < M; i++) {
        size_t k = i % SUFFIXES;
        if (k == 0)
            snprintf(ids[i], sizeof ids[i], "%s", stems[i / SUFFIXES]);   /* the stem itself */
        else
            snprintf(ids[i], sizeof ids[i], "%s%c%zu", stems[i / SUFFIXES], (int)('A' + k % 3), k);
        want[i] = ids[i];
    }
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    srand(5);
    size_t perm[M];
    for (size_t i = 0; i < M; i++)
        perm[i] = i;
    for (size_t i = M - 1; i > 0; i--) {
        size_t j = (size_t)rand() % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < M; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%zu", i);
        double v = 1;
        assert_int_equal(dataset_add_row(ds, id, ids[perm[i]], &v, 0, (long)i + 2, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    qsort(want, M, sizeof *want, by_strcmp);
    assert_int_equal(dataset_n_managers(ds), M);
    for (size_t m = 0; m < M; m++)
        assert_string_equal(dataset_manager_id(ds, m), want[m]);
    for (size_t i = 0; i < M; i++)
        assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, i)), ids[perm[i]]);
    dataset_free(ds);
}

/* One id again and again, each time with a new manager: every add names
 * the row before as superseded, however often the store has compacted. */
static void test_one_id_repeated_keeps_one_row(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    enum { N = 20000 };
    for (long i = 0; i < N; i++) {
        char manager[32];
        snprintf(manager, sizeof manager, "m%ld", i);
        double v = (double)(i % 5 + 1);
        size_t file;
        long line;
        assert_int_equal(dataset_add_row(ds, "same", manager, &v, (size_t)(i % 3), i + 2, &file, &line), ENGAGE_OK);
        if (i == 0) {
            assert_int_equal(file, SIZE_MAX);
        } else {
            assert_int_equal(file, (size_t)((i - 1) % 3));
            assert_int_equal(line, i + 1);
        }
    }
    double v = 2;
    assert_int_equal(dataset_add_row(ds, "other", "mz", &v, 0, N + 2, NULL, NULL), ENGAGE_OK);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), 2);
    assert_string_equal(dataset_respondent_id(ds, 0), "same");
    assert_int_equal(dataset_respondent_line(ds, 0), N + 1);
    assert_int_equal(dataset_respondent_file(ds, 0), (N - 1) % 3);
    assert_true(dataset_value(ds, 0, q) == (N - 1) % 5 + 1);
    assert_string_equal(dataset_respondent_id(ds, 1), "other");
    assert_int_equal(dataset_n_managers(ds), 2);
    char last[16];
    snprintf(last, sizeof last, "m%d", N - 1);
    assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, 0)), last);
    assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, 1)), "mz");
    dataset_free(ds);
}

/* Forgetting the respondents keeps every value and manager. */
static void test_forget_respondents(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    double v[] = {4, 2, 5};
    assert_int_equal(dataset_add_row(ds, "r1", "m2", &v[0], 0, 2, NULL, NULL), ENGAGE_OK);
    assert_int_equal(dataset_add_row(ds, "r2", "m1", &v[1], 0, 3, NULL, NULL), ENGAGE_OK);
    assert_int_equal(dataset_add_row(ds, "r1", "m1", &v[2], 0, 4, NULL, NULL), ENGAGE_OK);
    dataset_forget_respondents(ds); /* not finished yet: no effect */
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_string_equal(dataset_respondent_id(ds, 1), "r1");
    dataset_forget_respondents(ds);
    assert_int_equal(dataset_n_respondents(ds), 2);
    assert_null(dataset_respondent_id(ds, 0));
    assert_int_equal(dataset_respondent_line(ds, 1), 0);
    assert_true(dataset_value(ds, 0, q) == 2 && dataset_value(ds, 1, q) == 5);
    assert_int_equal(dataset_n_managers(ds), 1);
    assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, 1)), "m1");
    dataset_free(ds);
}

/* Forgetting the answers keeps the respondents' count, the managers and
 * the scales; a column of doubles goes as a coded one does. */
static void test_forget_answers(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q, wide;
    dataset_add_column(ds, "Q1", &q);
    dataset_add_column(ds, "Q2", &wide);
    char id[16];
    for (int i = 0; i < 300; i++) {   /* Q2: more distinct values than codes */
        double v[2] = {3, 1.0 + i / 7.0};
        snprintf(id, sizeof id, "r%d", i);
        assert_int_equal(dataset_add_row(ds, id, i % 2 ? "m2" : "m1", v, 0, 2 + i, NULL, NULL), ENGAGE_OK);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_true(dataset_value(ds, 299, wide) == 1.0 + 299 / 7.0);
    dataset_forget_answers(ds);
    assert_int_equal(dataset_n_respondents(ds), 300);
    assert_int_equal(dataset_n_columns(ds), 2);
    assert_string_equal(dataset_column_name(ds, wide), "Q2");
    assert_int_equal(dataset_n_managers(ds), 2);
    assert_string_equal(dataset_manager_id(ds, 1), "m2");
    assert_string_equal(dataset_respondent_id(ds, 0), "r0");
    dataset_free(ds);
}

/* Three files, the third resending half of the first: after compaction
 * (while adding and at the end) each kept row still names its own file. */
static void test_files_of_kept_rows(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    enum { N = 10000 };
    char id[32];
    double v = 3;
    for (size_t file = 0; file < 3; file++)
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof id, "%c%05d", file == 1 ? 'b' : 'a', file == 2 ? 2 * i : i);
            if (file == 2 && 2 * i >= N)
                snprintf(id, sizeof id, "c%05d", i);
            size_t earlier;
            assert_int_equal(dataset_add_row(ds, id, "m", &v, file, i + 2, &earlier, NULL), ENGAGE_OK);
            assert_int_equal(earlier, file == 2 && 2 * i < N ? 0 : SIZE_MAX);
        }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), 3 * N - N / 2);
    for (size_t r = 0; r < dataset_n_respondents(ds); r++) {
        const char *name = dataset_respondent_id(ds, r);
        int i = atoi(name + 1);
        size_t file = name[0] == 'b' ? 1 : name[0] == 'c' || i % 2 == 0 ? 2 : 0;
        assert_int_equal(dataset_respondent_file(ds, r), file);
        assert_int_equal(dataset_respondent_line(ds, r), file == 2 && name[0] == 'a' ? i / 2 + 2 : i + 2);
    }
    dataset_free(ds);
}

/* Every id three times (the second pass in reverse), each pass with other
 * managers: each add names the row the pass before left; the kept rows are
 * the last pass, in its order, with their own values, lines and managers. */
static void test_every_id_thrice_keeps_the_last_rows_in_order(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    enum { N = 12000 };
    char id[32], manager[32];
    for (int pass = 0; pass < 3; pass++) {
        for (int k = 0; k < N; k++) {
            int i = pass == 1 ? N - 1 - k : k;
            snprintf(id, sizeof id, "r%05d", i);
            if (pass == 0)
                snprintf(manager, sizeof manager, "first%d", i); /* a manager each */
            else
                snprintf(manager, sizeof manager, "pass%d-%d", pass, i % 3);
            double v = pass < 2 ? 1 : i % 2 ? 5 : NAN;
            long line = (long)pass * N + k + 2;
            size_t file;
            long earlier;
            assert_int_equal(dataset_add_row(ds, id, manager, &v, (size_t)pass, line, &file, &earlier), ENGAGE_OK);
            if (pass == 0) {
                assert_int_equal(file, SIZE_MAX);
            } else {
                /* where pass - 1 put id i */
                int k_before = pass - 1 == 1 ? N - 1 - i : i;
                assert_int_equal(file, (size_t)(pass - 1));
                assert_int_equal(earlier, (long)(pass - 1) * N + k_before + 2);
            }
        }
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), N);
    assert_int_equal(dataset_n_managers(ds), 3); /* the earlier passes' managers are gone */
    for (size_t r = 0; r < N; r++) {
        int i = (int)r;
        snprintf(id, sizeof id, "r%05d", i);
        snprintf(manager, sizeof manager, "pass2-%d", i % 3);
        assert_string_equal(dataset_respondent_id(ds, r), id);
        assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, r)), manager);
        assert_int_equal(dataset_respondent_line(ds, r), 2L * N + i + 2);
        assert_int_equal(dataset_respondent_file(ds, r), 2);
        if (i % 2)
            assert_true(dataset_value(ds, r, q) == 5);
        else
            assert_true(isnan(dataset_value(ds, r, q)));
    }
    dataset_free(ds);
}

/* One row of the sequence test_expected_rows_change_nothing adds: ids
 * repeat (every fifth row names an id from earlier on, and a run in the
 * middle repeats the first 6,000 ids, so the store compacts as it goes),
 * managers come in runs, answers vary. */
enum { EXPECT_ROWS = 20000 };

static void expect_sequence_row(int k, char *id, size_t id_size, char *manager, size_t manager_size, double *v)
{
    unsigned h = (unsigned)k * 2654435761u;
    int who = k >= 8000 && k < 14000 ? k - 8000 : k % 5 == 4 ? (int)(h % (unsigned)(k + 1)) : k;
    snprintf(id, id_size, "id-%d", who);
    snprintf(manager, manager_size, "m%03d", (k / 7) % 311);
    v[0] = (double)(1 + h % 5);
    v[1] = h % 11 == 0 ? NAN : (double)(h % 7) / 2.0;
}

/* The rows above, with dataset_expect_rows(expect[i]) said before row
 * at[i]; what each add reported goes to file_of[k] and line_of[k]. */
static dataset_t *expect_build(const size_t *expect, const int *at, size_t n_expect, size_t *file_of,
                               long *line_of)
{
    dataset_t *ds = dataset_new();
    size_t c;
    assert_int_equal(dataset_add_column(ds, "Q1", &c), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "Q2", &c), ENGAGE_OK);
    size_t next = 0;
    for (int k = 0; k < EXPECT_ROWS; k++) {
        while (next < n_expect && at[next] == k)
            assert_int_equal(dataset_expect_rows(ds, expect[next++]), ENGAGE_OK);
        char id[32], manager[32];
        double v[2];
        expect_sequence_row(k, id, sizeof id, manager, sizeof manager, v);
        assert_int_equal(dataset_add_row(ds, id, manager, v, (size_t)(k / 10000), k + 2, &file_of[k], &line_of[k]),
                         ENGAGE_OK);
    }
    while (next < n_expect)
        assert_int_equal(dataset_expect_rows(ds, expect[next++]), ENGAGE_OK);
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    return ds;
}

static void test_expected_rows_change_nothing(void **state)
{
    (void)state;
    static size_t file_plain[EXPECT_ROWS], file_told[EXPECT_ROWS];
    static long line_plain[EXPECT_ROWS], line_told[EXPECT_ROWS];
    dataset_t *plain = expect_build(NULL, NULL, 0, file_plain, line_plain);
    size_t superseded = 0;
    for (int k = 0; k < EXPECT_ROWS; k++)
        superseded += file_plain[k] != SIZE_MAX;
    assert_true(superseded > 6000);   /* the repeats are there, and the store compacted */
    struct {
        size_t expect[3];
        int at[3];
        size_t n;
    } guesses[] = {
        { { EXPECT_ROWS }, { 0 }, 1 },                          /* right, from the start */
        { { 0 }, { 0 }, 1 },                                    /* nothing */
        { { 100 }, { 50 }, 1 },                                 /* far too few */
        { { 5000 }, { 2500 }, 1 },                              /* too few, late */
        { { 1000000 }, { 10 }, 1 },                             /* far too many */
        { { 3000, 30000, 10 }, { 1000, 9000, 15000 }, 3 },      /* told again, during the repeats */
        { { 12000 }, { 12000 }, 1 },                            /* just after the store compacted */
        { { 40000 }, { EXPECT_ROWS }, 1 },                      /* after the last row */
    };
    for (size_t g = 0; g < sizeof guesses / sizeof *guesses; g++) {
        dataset_t *told = expect_build(guesses[g].expect, guesses[g].at, guesses[g].n, file_told, line_told);
        for (int k = 0; k < EXPECT_ROWS; k++) {
            assert_int_equal(file_told[k], file_plain[k]);
            assert_int_equal(line_told[k], line_plain[k]);
        }
        size_t N = dataset_n_respondents(plain);
        assert_int_equal(dataset_n_respondents(told), N);
        assert_int_equal(dataset_n_managers(told), dataset_n_managers(plain));
        for (size_t m = 0; m < dataset_n_managers(plain); m++)
            assert_string_equal(dataset_manager_id(told, m), dataset_manager_id(plain, m));
        for (size_t r = 0; r < N; r++) {
            assert_string_equal(dataset_respondent_id(told, r), dataset_respondent_id(plain, r));
            assert_int_equal(dataset_manager_of(told, r), dataset_manager_of(plain, r));
            assert_int_equal(dataset_respondent_line(told, r), dataset_respondent_line(plain, r));
            assert_int_equal(dataset_respondent_file(told, r), dataset_respondent_file(plain, r));
            for (size_t c = 0; c < 2; c++) {
                double a = dataset_value(told, r, c), b = dataset_value(plain, r, c);
                assert_true(a == b || (isnan(a) && isnan(b)));
            }
        }
        dataset_free(told);
    }
    dataset_free(plain);
}

/* Ids longer than the string arena's block, repeated: each copy made for
 * a repeat is given back, and the first copy keeps naming the row. */
static void test_huge_ids_repeated(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    size_t q;
    dataset_add_column(ds, "Q1", &q);
    size_t len = (3u << 20) / 2;
    char *huge = malloc(len + 1);
    assert_non_null(huge);
    memset(huge, 'x', len);
    huge[len] = '\0';
    for (long i = 0; i < 6; i++) {
        double v = (double)(i + 1 > 5 ? 5 : i + 1);
        long line;
        huge[0] = i % 2 ? 'a' : 'b'; /* two huge ids, in turn */
        assert_int_equal(dataset_add_row(ds, huge, "m", &v, 0, i + 2, NULL, &line), ENGAGE_OK);
        assert_int_equal(line, i < 2 ? 0 : i);
        assert_int_equal(dataset_add_row(ds, i % 2 ? "s1" : "s2", "m", &v, 0, 100 + i, NULL, &line), ENGAGE_OK);
        assert_int_equal(line, i < 2 ? 0 : 100 + i - 2);
    }
    assert_int_equal(dataset_finish(ds), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), 4);
    assert_int_equal(dataset_respondent_line(ds, 0), 6);
    assert_int_equal(strlen(dataset_respondent_id(ds, 0)), len);
    assert_int_equal(dataset_respondent_id(ds, 0)[0], 'b');
    assert_string_equal(dataset_respondent_id(ds, 1), "s2");
    assert_int_equal(dataset_respondent_line(ds, 2), 7);
    assert_int_equal(dataset_respondent_id(ds, 2)[0], 'a');
    assert_true(dataset_value(ds, 2, q) == 5);
    free(huge);
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
        cmocka_unit_test(test_managers_sorted_by_bytes_past_eight),
        cmocka_unit_test(test_one_id_repeated_keeps_one_row),
        cmocka_unit_test(test_forget_respondents),
        cmocka_unit_test(test_forget_answers),
        cmocka_unit_test(test_files_of_kept_rows),
        cmocka_unit_test(test_every_id_thrice_keeps_the_last_rows_in_order),
        cmocka_unit_test(test_expected_rows_change_nothing),
        cmocka_unit_test(test_huge_ids_repeated),
        cmocka_unit_test(test_many_columns_by_name),
    };
    return cmocka_run_group_tests_name("dataset", tests, NULL, NULL);
}
