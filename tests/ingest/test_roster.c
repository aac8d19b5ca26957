/*
 * tests/ingest/test_roster.c — the [roster] join: a survey carrying only an
 * employee key analysed by manager, units carried into the dataset and
 * through a canonical archive, and every roster problem named with the
 * roster's file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/config.h"
#include "../../core/dataset.h"
#include "../../ingest/ingest.h"

typedef struct {
    char dir[64];
    char config[96];
    char roster[96];
} files_t;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* A config naming "roster.csv" (relative: beside the config) and the
 * roster's text. */
static void make_files(files_t *fs, const char *roster_text, const char *extra_config)
{
    snprintf(fs->dir, sizeof fs->dir, "/tmp/engage-roster-XXXXXX");
    assert_non_null(mkdtemp(fs->dir));
    snprintf(fs->config, sizeof fs->config, "%s/survey.ini", fs->dir);
    snprintf(fs->roster, sizeof fs->roster, "%s/roster.csv", fs->dir);
    char config[1024];
    snprintf(config, sizeof config,
             "[input]\nrespondent = Response\n[scale engagement]\nitems = Q1\n"
             "[roster]\nfile = roster.csv\nkey = Email\nemployee = email\nmanager = manager_id\n%s",
             extra_config);
    write_file(fs->config, config);
    if (roster_text)
        write_file(fs->roster, roster_text);
}

static void remove_files(const files_t *fs)
{
    unlink(fs->config);
    unlink(fs->roster);
    rmdir(fs->dir);
}

static engage_status_t read_survey(const files_t *fs, const char *survey, dataset_t **ds, ingest_log_t *log,
                                   engage_error_t *err)
{
    config_t cfg;
    assert_int_equal(config_init_default(&cfg, err), ENGAGE_OK);
    engage_status_t st = config_load(&cfg, fs->config, err);
    assert_int_equal(st, ENGAGE_OK);
    *ds = dataset_new();
    ingest_log_init(log);
    ingest_options_t options = {0};
    st = ingest_read_memory(&cfg, "survey.csv", survey, strlen(survey), &options, *ds, log, err);
    config_fini(&cfg);
    return st;
}

static const char ROSTER[] = "email,manager_id,department\n"
                             "ann@example.com,M2,Sales\n"
                             "bob@example.com,M1,Finance\n"
                             "cy@example.com,M1,Finance\n"
                             "dee@example.com,M3,Sales\n";

static void test_join_by_key_with_units(void **state)
{
    (void)state;
    files_t fs;
    make_files(&fs, ROSTER, "unit = department\n");
    const char *survey = "Response,Email,Q1\n"
                         "1, Ann@Example.com ,4\n" /* case and spaces do not matter */
                         "2,bob@example.com,2\n"
                         "3,zed@example.com,5\n"   /* not in the roster */
                         "4,,3\n"                  /* no key */
                         "5,cy@example.com,3\n";
    dataset_t *ds;
    ingest_log_t log;
    engage_error_t err = {0};
    assert_int_equal(read_survey(&fs, survey, &ds, &log, &err), ENGAGE_OK);
    assert_int_equal(dataset_n_respondents(ds), 3);
    assert_int_equal(dataset_n_managers(ds), 2);
    assert_string_equal(dataset_manager_id(ds, 0), "M1");
    assert_string_equal(dataset_manager_id(ds, 1), "M2");
    assert_true(dataset_has_units(ds));
    assert_string_equal(dataset_manager_unit(ds, 0), "Finance");
    assert_string_equal(dataset_manager_unit(ds, 1), "Sales");
    assert_string_equal(dataset_respondent_id(ds, 0), "1");
    assert_string_equal(dataset_manager_id(ds, dataset_manager_of(ds, 0)), "M2");
    assert_int_equal(log.files[0].rejected, 2);
    assert_int_equal(log.rejects[0].line, 4);
    assert_string_equal(log.rejects[0].reason, "'zed@example.com' (column 'Email') is not in the roster");
    assert_int_equal(log.rejects[1].line, 5);
    assert_string_equal(log.rejects[1].reason, "no employee key for the roster (column 'Email' is empty)");
    assert_string_equal(log.files[0].manager_column, "Email");

    /* The units survive a canonical archive. */
    char archive[128];
    snprintf(archive, sizeof archive, "%s/archive.csv", fs.dir);
    assert_int_equal(ingest_write_canonical(ds, archive, &err), ENGAGE_OK);
    config_t plain;
    assert_int_equal(config_init_default(&plain, &err), ENGAGE_OK);
    dataset_t *back = dataset_new();
    ingest_log_t back_log;
    ingest_log_init(&back_log);
    const char *paths[] = {archive};
    assert_int_equal(ingest_read(&plain, paths, 1, NULL, back, &back_log, &err), ENGAGE_OK);
    assert_int_equal(dataset_n_columns(back), 1); /* the unit column is not an item */
    assert_string_equal(dataset_manager_unit(back, 0), "Finance");
    assert_string_equal(dataset_manager_unit(back, 1), "Sales");
    ingest_log_fini(&back_log);
    dataset_free(back);
    config_fini(&plain);
    unlink(archive);

    ingest_log_fini(&log);
    dataset_free(ds);
    remove_files(&fs);
}

typedef struct {
    const char *name;
    const char *roster;        /* NULL: no roster file */
    const char *extra_config;
    engage_status_t status;
    long line;
    const char *message;
} roster_problem_t;

static const roster_problem_t PROBLEMS[] = {
    {"employee twice", "email,manager_id\na@x.com,M1\nb@x.com,M1\nA@X.com,M2\n", "", ENGAGE_EDATA, 4,
     "employee 'A@X.com' is listed twice (first on line 2)"},
    {"missing column", "mail,manager_id\na@x.com,M1\n", "", ENGAGE_EDATA, 1, "the roster has no column 'email'"},
    {"missing unit column", "email,manager_id\na@x.com,M1\n", "unit = department\n", ENGAGE_EDATA, 1,
     "the roster has no column 'department'"},
    {"manager in two units", "email,manager_id,department\na@x.com,M1,Sales\nb@x.com,M1,Ops\n",
     "unit = department\n", ENGAGE_EDATA, 3, "manager 'M1' is in unit 'Ops' here but in 'Sales' on line 2"},
    {"reporting loop", "email,manager_id\nz@x.com,a@x.com\na@x.com,b@x.com\nb@x.com,c@x.com\nc@x.com,A@x.com\n", "",
     ENGAGE_EDATA, 3, "a reporting loop: 'A@x.com' (line 3), 'b@x.com' (line 4), 'c@x.com' (line 5)"},
    {"invited not a truth", "email,manager_id,inv\na@x.com,M1\n\nb@x.com,M1,maybe\n", "invited = inv\n",
     ENGAGE_EDATA, 2, "the row has 2 fields, the header has 3"},
    {"invited not yes or no", "email,manager_id,inv\na@x.com,M1,Yes\nb@x.com,M1,maybe\n", "invited = inv\n",
     ENGAGE_EDATA, 3, "'maybe' in column 'inv' is not true/false, 1/0 or yes/no"},
    {"missing name column", "email,manager_id\na@x.com,M1\n", "name = full_name\n", ENGAGE_EDATA, 1,
     "the roster has no column 'full_name'"},
    {"short row", "email,manager_id\na@x.com\n", "", ENGAGE_EDATA, 2, "the row has 1 fields, the header has 2"},
    {"empty roster", "", "", ENGAGE_EDATA, 0, "the roster is empty"},
    {"no roster file", NULL, "", ENGAGE_ENOINPUT, 0, "cannot open"},
};

static void test_roster_problems_name_file_and_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PROBLEMS / sizeof *PROBLEMS; i++) {
        const roster_problem_t *p = &PROBLEMS[i];
        files_t fs;
        make_files(&fs, p->roster, p->extra_config);
        dataset_t *ds;
        ingest_log_t log;
        engage_error_t err = {0};
        engage_status_t st = read_survey(&fs, "Response,Email,Q1\n1,a@x.com,4\n", &ds, &log, &err);
        if (st != p->status || err.line != p->line || !strstr(err.message, p->message) ||
            strcmp(err.file, fs.roster) != 0)
            fail_msg("%s: status %d %s:%ld '%s'", p->name, st, err.file, err.line, err.message);
        ingest_log_fini(&log);
        dataset_free(ds);
        remove_files(&fs);
    }
}

/* A roster that is a tree: b and c report to a, d to b; a reports to
 * nobody, e to themselves (both tops); f's manager M9 is not listed (a top
 * of its own, with a note).  Units are those of each manager's own row. */
static const char TREE[] = "email,manager_id,department,full_name,inv\n"
                           "a@x.com,,Board,Ann,yes\n"
                           "b@x.com,a@x.com,Sales,Bob,TRUE\n"
                           "c@x.com,A@x.com,Ops,Cy,0\n"
                           "d@x.com,b@x.com,Sales,Dee,1\n"
                           "e@x.com,e@x.com,Solo,Eve,no\n"
                           "f@x.com,M9,Lab,Fay,true\n"
                           "g@x.com,M9,Lab,Gus,True\n";

static void test_tree_from_the_roster(void **state)
{
    (void)state;
    files_t fs;
    make_files(&fs, TREE, "unit = department\nname = full_name\ninvited = inv\n");
    const char *survey = "Response,Email,Q1\n"
                         "1,b@x.com,4\n"
                         "2,d@x.com,2\n"
                         "3,a@x.com,5\n"   /* a top: no manager */
                         "4,e@x.com,3\n"   /* their own manager: a top */
                         "5,f@x.com,1\n";
    dataset_t *ds;
    ingest_log_t log;
    engage_error_t err = {0};
    if (read_survey(&fs, survey, &ds, &log, &err) != ENGAGE_OK)
        fail_msg("%s:%ld %s", err.file, err.line, err.message);
    assert_int_equal(dataset_n_respondents(ds), 3);
    assert_int_equal(log.files[0].rejected, 2);
    assert_string_equal(log.rejects[0].reason, "no manager: 'a@x.com' (column 'Email') is a top of the roster's tree");
    assert_string_equal(log.rejects[1].reason, "no manager: 'e@x.com' (column 'Email') is a top of the roster's tree");
    char note[512];
    snprintf(note, sizeof note,
             "%s: 1 manager is not listed as employees (the first, 'M9', on line 7): each heads a tree of their own",
             fs.roster);
    assert_non_null(log.roster_note);
    assert_string_equal(log.roster_note, note);

    /* managers a@x.com (team b), b@x.com (team d), M9 (team f) */
    assert_int_equal(dataset_n_managers(ds), 3);
    assert_string_equal(dataset_manager_id(ds, 0), "M9");
    assert_string_equal(dataset_manager_id(ds, 1), "a@x.com");
    assert_string_equal(dataset_manager_id(ds, 2), "b@x.com");
    assert_string_equal(dataset_manager_unit(ds, 0), "Lab");    /* M9 has no row: its reports' unit */
    assert_string_equal(dataset_manager_unit(ds, 1), "Board");  /* a's own row */
    assert_string_equal(dataset_manager_unit(ds, 2), "Sales");

    const org_t *org = dataset_org(ds);
    assert_non_null(org);
    assert_int_equal(org_size(org), 8);        /* seven employees and M9 */
    assert_int_equal(org_n_tops(org), 3);      /* a, e, M9 */
    size_t a = org_find(org, "a@x.com"), b = org_find(org, "b@x.com"), m9 = org_find(org, "M9");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(m9, 7);
    assert_int_equal(org_find(org, "A@x.com"), ORG_NONE);  /* ids as the first row naming them wrote them */
    assert_int_equal(org_parent(org, a), ORG_NONE);
    assert_int_equal(org_parent(org, 2), a);   /* c named a as A@x.com */
    assert_int_equal(org_parent(org, 3), b);
    assert_int_equal(org_parent(org, 4), ORG_NONE);
    assert_int_equal(org_parent(org, 5), m9);
    assert_int_equal(org_depth(org, 3), 3);
    assert_int_equal(org_n_children(org, a), 2);
    assert_string_equal(org_name(org, a), "Ann");
    assert_string_equal(org_name(org, b), "Bob");
    assert_null(org_name(org, m9));
    assert_null(org_id(org, 3));               /* d manages nobody */
    /* pre-order: a b d c e M9 f g */
    static const size_t order[] = {0, 1, 3, 2, 4, 7, 5, 6};
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(org_at(org, i), order[i]);
    assert_int_equal(org_subtree_end(org, a), 4);
    assert_int_equal(org_subtree_end(org, m9), 8);
    static const bool invited[] = {true, true, false, true, false, true, true, false};
    static const bool responded[] = {false, true, false, true, false, true, false, false};
    for (size_t v = 0; v < 8; v++) {
        assert_int_equal(org_invited(org, v), invited[v]);
        assert_int_equal(org_responded(org, v), responded[v]);
    }
    ingest_log_fini(&log);
    dataset_free(ds);
    remove_files(&fs);
}

/* [report] unit_depth: a team's unit is its manager's ancestor at depth D. */
static void test_unit_depth(void **state)
{
    (void)state;
    files_t fs;
    make_files(&fs, TREE, "[report]\nunit_depth = 1\n");
    dataset_t *ds;
    ingest_log_t log;
    engage_error_t err = {0};
    assert_int_equal(read_survey(&fs, "Response,Email,Q1\n1,b@x.com,4\n2,d@x.com,2\n3,g@x.com,1\n", &ds, &log,
                                 &err), ENGAGE_OK);
    assert_int_equal(dataset_n_managers(ds), 3);
    assert_true(dataset_has_units(ds));
    assert_string_equal(dataset_manager_unit(ds, 0), "M9");
    assert_string_equal(dataset_manager_unit(ds, 1), "a@x.com");
    assert_string_equal(dataset_manager_unit(ds, 2), "a@x.com");   /* b, below a */
    assert_true(org_invited(dataset_org(ds), 2));                  /* no invited column: everyone */
    ingest_log_fini(&log);
    dataset_free(ds);
    remove_files(&fs);
}

static void test_key_column_absent_is_a_config_error(void **state)
{
    (void)state;
    files_t fs;
    make_files(&fs, ROSTER, "");
    dataset_t *ds;
    ingest_log_t log;
    engage_error_t err = {0};
    assert_int_equal(read_survey(&fs, "Response,Mail,Q1\n1,a@x.com,4\n", &ds, &log, &err), ENGAGE_ECONFIG);
    assert_string_equal(err.file, fs.config);
    assert_int_equal(err.line, 7); /* key = Email */
    assert_non_null(strstr(err.message, "[roster] key names column 'Email', which survey.csv does not have"));
    ingest_log_fini(&log);
    dataset_free(ds);
    remove_files(&fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_by_key_with_units),
        cmocka_unit_test(test_tree_from_the_roster),
        cmocka_unit_test(test_unit_depth),
        cmocka_unit_test(test_roster_problems_name_file_and_line),
        cmocka_unit_test(test_key_column_absent_is_a_config_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
