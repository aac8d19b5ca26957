/*
 * tests/e2e/test_reference.c — the whole pipeline against figures computed
 * with R.
 *
 * For each fixture of tests/fixtures/reference (made by make_reference.R:
 * multilevel::bh1996 and lq2002, a small set with missing answers and a
 * reverse item, and a set with no between-manager variance) the fixture's
 * CSV is read with its own .ini through ingest, analysed, and written by the
 * report into a temporary folder; every cell of variance.csv and
 * managers.csv that engage writes is then compared with R's figure to 1e-7
 * relative (an empty cell must be empty in both).  min_group is lowered to 3
 * so that as many managers as possible are shown; suppressed rows must have
 * every figure but n empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../analysis/analysis.h"
#include "../../core/config.h"
#include "../../core/dataset.h"
#include "../../ingest/ingest.h"
#include "../../report/report.h"

#define FIXTURES "tests/fixtures/reference/"

/* A CSV file as rows of cells. */
typedef struct {
    char ***rows;
    size_t *widths;
    size_t n_rows;
    char **cells;              /* the row being read */
    size_t n_cells;
} table_t;

static void on_cell(void *data, size_t len, void *user)
{
    table_t *t = user;
    t->cells = realloc(t->cells, (t->n_cells + 1) * sizeof *t->cells);
    char *cell = malloc(len + 1);
    memcpy(cell, data ? data : "", len);
    cell[len] = '\0';
    t->cells[t->n_cells++] = cell;
}

static void on_row(int c, void *user)
{
    (void)c;
    table_t *t = user;
    t->rows = realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    t->widths = realloc(t->widths, (t->n_rows + 1) * sizeof *t->widths);
    t->rows[t->n_rows] = t->cells;
    t->widths[t->n_rows++] = t->n_cells;
    t->cells = NULL;
    t->n_cells = 0;
}

static table_t read_table(const char *path)
{
    table_t t = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run the tests from the project root)", path);
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        assert_int_equal(csv_parse(&p, buf, n, on_cell, on_row, &t), n);
    assert_int_equal(csv_fini(&p, on_cell, on_row, &t), 0);
    csv_free(&p);
    fclose(f);
    return t;
}

static void free_table(table_t *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->widths[r]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    free(t->widths);
}

static long column(const table_t *t, const char *name)
{
    for (size_t c = 0; c < t->widths[0]; c++)
        if (strcmp(t->rows[0][c], name) == 0)
            return (long)c;
    return -1;
}

/* The row of `want` whose key columns equal those of got's row r. */
static size_t matching_row(const table_t *got, size_t r, const table_t *want, const char *const *keys,
                           size_t n_keys)
{
    for (size_t w = 1; w < want->n_rows; w++) {
        size_t k = 0;
        while (k < n_keys &&
               strcmp(got->rows[r][column(got, keys[k])], want->rows[w][column(want, keys[k])]) == 0)
            k++;
        if (k == n_keys)
            return w;
    }
    fail_msg("no reference row for %s", got->rows[r][0]);
    return 0;
}

static size_t compare_cell(const char *fixture, const char *got, const char *want, const char *what)
{
    if (!want[0] || !got[0]) {
        if (want[0] != got[0])
            fail_msg("%s %s: engage '%s', R '%s'", fixture, what, got, want);
        return 1;
    }
    double g = strtod(got, NULL), w = strtod(want, NULL);
    /* relative 1e-7; exact zeros (REML boundary) and tiny p-values absolutely */
    double tolerance = 1e-7 * fmax(fabs(w), 1e-300);
    if (fabs(w) < 1e-12)
        tolerance = 1e-12;
    if (!(fabs(g - w) <= tolerance))
        fail_msg("%s %s: engage %s, R %s (relative error %.3g)", fixture, what, got, want,
                 fabs(g - w) / fabs(w));
    return 1;
}

/* Every column of got (except keys and `suppressed`) against want. */
static size_t compare_tables(const char *fixture, const table_t *got, const table_t *want, const char *const *keys,
                             size_t n_keys, size_t *suppressed_rows)
{
    size_t compared = 0;
    long suppressed = column(got, "suppressed");
    for (size_t r = 1; r < got->n_rows; r++) {
        size_t w = matching_row(got, r, want, keys, n_keys);
        bool hidden = suppressed >= 0 && strcmp(got->rows[r][suppressed], "1") == 0;
        if (hidden)
            (*suppressed_rows)++;
        for (size_t c = 0; c < got->widths[0]; c++) {
            const char *name = got->rows[0][c];
            if ((long)c == suppressed)
                continue;
            bool is_key = false;
            for (size_t k = 0; k < n_keys; k++)
                is_key |= strcmp(name, keys[k]) == 0;
            if (is_key)
                continue;
            long wc = column(want, name);
            if (wc < 0)
                fail_msg("%s: R gives no column '%s'", fixture, name);
            char what[256];
            snprintf(what, sizeof what, "%s/%s %s", got->rows[r][0], got->rows[r][1], name);
            if (hidden && strcmp(name, "n") != 0) {
                if (got->rows[r][c][0])
                    fail_msg("%s %s: suppressed row shows '%s'", fixture, what, got->rows[r][c]);
                continue;
            }
            compared += compare_cell(fixture, got->rows[r][c], want->rows[w][wc], what);
        }
    }
    return compared;
}

static void run_fixture(const char *name, size_t expected_scales)
{
    char path[512], ini[512], outdir[512];
    snprintf(path, sizeof path, FIXTURES "%s.csv", name);
    snprintf(ini, sizeof ini, FIXTURES "%s.ini", name);
    snprintf(outdir, sizeof outdir, "/tmp/engage-reference-%s-%d", name, (int)getpid());

    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    if (config_load(&cfg, ini, &err) != ENGAGE_OK)
        fail_msg("%s:%ld: %s", ini, err.line, err.message);
    assert_int_equal(config_override(&cfg, "min_group", "3", &err), ENGAGE_OK);
    dataset_t *ds = dataset_new();
    ingest_log_t log;
    ingest_log_init(&log);
    const char *inputs[] = {path};
    if (ingest_read(&cfg, inputs, 1, NULL, ds, &log, &err) != ENGAGE_OK)
        fail_msg("%s:%ld: %s", err.file, err.line, err.message);
    assert_int_equal(log.files[0].rejected, 0);
    results_t *results = NULL;
    assert_int_equal(analysis_run(ds, &results, &err), ENGAGE_OK);
    char *argv[] = {"engage", "run", path};
    report_input_t in = {.config = &cfg, .dataset = ds, .results = results, .log = &log,
                         .argc = 3, .argv = argv, .version = "test"};
    if (report_write(&in, outdir, &err) != ENGAGE_OK)
        fail_msg("report: %s", err.message);

    char file[600];
    snprintf(file, sizeof file, "%s/variance.csv", outdir);
    table_t got_variance = read_table(file);
    snprintf(file, sizeof file, FIXTURES "%s_variance.csv", name);
    table_t want_variance = read_table(file);
    snprintf(file, sizeof file, "%s/managers.csv", outdir);
    table_t got_managers = read_table(file);
    snprintf(file, sizeof file, FIXTURES "%s_managers.csv", name);
    table_t want_managers = read_table(file);

    assert_int_equal(got_variance.n_rows, expected_scales + 1);
    assert_int_equal(got_managers.n_rows, want_managers.n_rows);
    const char *scale_key[] = {"scale"};
    const char *manager_key[] = {"scale", "manager_id"};
    size_t hidden = 0;
    size_t compared = compare_tables(name, &got_variance, &want_variance, scale_key, 1, &hidden);
    assert_int_equal(hidden, 0);
    assert_true(compared >= expected_scales * 14);
    compared = compare_tables(name, &got_managers, &want_managers, manager_key, 2, &hidden);
    assert_true(compared >= got_managers.n_rows - 1);
    printf("%s: %zu manager rows (%zu suppressed), figures match R to 1e-7\n", name, got_managers.n_rows - 1,
           hidden);

    free_table(&got_variance);
    free_table(&want_variance);
    free_table(&got_managers);
    free_table(&want_managers);
    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'", outdir);
    assert_int_equal(system(command), 0);
    results_free(results);
    dataset_free(ds);
    ingest_log_fini(&log);
    config_fini(&cfg);
}

static void test_bh1996(void **state)
{
    (void)state;
    run_fixture("bh1996", 5);
}

static void test_lq2002(void **state)
{
    (void)state;
    run_fixture("lq2002", 3);
}

static void test_missing_small(void **state)
{
    (void)state;
    run_fixture("missing_small", 1);
}

static void test_zero_between(void **state)
{
    (void)state;
    run_fixture("zero_between", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bh1996),
        cmocka_unit_test(test_lq2002),
        cmocka_unit_test(test_missing_small),
        cmocka_unit_test(test_zero_between),
    };
    return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
