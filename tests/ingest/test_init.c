/*
 * tests/ingest/test_init.c — what `engage init` builds on: spreadsheet
 * letters, the matrix question of each tool's columns, the escaped and cut
 * listing text, names and label keys written so that the config reader
 * reads them back exactly (or refused), and the no-clobber write.
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
#include "../../ingest/ingest.h"
#include "../../ingest/init.h"
#include "../../ingest/inspect.h"

static void test_column_letters(void **state)
{
    (void)state;
    static const struct {
        size_t field;
        const char *letters;
    } cases[] = {{0, "A"}, {1, "B"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {51, "AZ"}, {52, "BA"},
                 {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[16];
        ingest_column_letters(cases[i].field, out);
        assert_string_equal(out, cases[i].letters);
    }
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/engage-init-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* The matrix question of each column of a one-file export. */
static void expect_questions(const char *csv, const char *const *want, size_t n)
{
    char *path = write_temp(csv);
    const char *paths[] = {path};
    inspect_t *insp;
    engage_error_t err = {0};
    assert_int_equal(inspect_read(paths, 1, "auto", &insp, &err), ENGAGE_OK);
    assert_int_equal(insp->n_columns, n);
    for (size_t i = 0; i < n; i++) {
        const char *got = insp->columns[i].question;
        if (!want[i] || !got)
            assert_ptr_equal(got, want[i]);
        else
            assert_string_equal(got, want[i]);
    }
    inspect_free(insp);
    unlink(path);
    free(path);
}

static void test_questions_of_each_tool(void **state)
{
    (void)state;
    const char *qualtrics[] = {NULL, NULL, NULL, "Q2", "Q2", NULL, "Q10", NULL};
    expect_questions("StartDate,EndDate,ResponseId,Q2_1,Q2_2,Q3_1_TEXT,Q10_4,Manager\n"
                     "Start,End,Id,a,b,c,d,e\n"
                     "s,e,R_1,1,2,x,3,M1\n",
                     qualtrics, 8);
    /* the question's own answer (Open-Ended Response) is no matrix row */
    const char *surveymonkey[] = {NULL, NULL, "How much?", "How much?", NULL, NULL, "Other"};
    expect_questions("Respondent ID,Collector ID,How much?,,Tenure,Other,\n"
                     ",,Proud,Stay,Response,Open-Ended Response,Else\n"
                     "1,2,Agree,Agree,2 years,x,y\n",
                     surveymonkey, 7);
    const char *google[] = {NULL, "Agree?", "Agree?", NULL};
    expect_questions("Timestamp,\"Agree?  [Proud]\",Agree? [Stay],Team\n"
                     "t,Agree,Agree,T1\n",
                     google, 4);
    const char *lime[] = {NULL, NULL, NULL, "Q1", "Q1", NULL};
    expect_questions("id,submitdate,lastpage,Q1[SQ001],Q1[SQ002],manager\n"
                     "1,d,1,A1,A2,M\n",
                     lime, 6);
    const char *msforms[] = {NULL, NULL, NULL, NULL, NULL};
    expect_questions("ID,Start time,Completion time,I am proud,Q2_1\n"
                     "1,a,b,Agree,Agree\n",
                     msforms, 5);
}

static void test_quote_escapes_and_cuts(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    inspect_quote("a \"b\" \\ c\nd\te\x1b[2J\xc2\x85", 100, out);
    assert_string_equal(out->str, "a \\\"b\\\" \\\\ c\\nd\\te\\x1b[2J\\xc2\\x85");
    g_string_assign(out, "");
    inspect_quote("Strongly agree", 10, out);
    assert_string_equal(out->str, "Strongl...");
    g_string_assign(out, "");
    inspect_quote("Stimme über alles", 11, out); /* never half of "ü" */
    assert_string_equal(out->str, "Stimme ...");
    g_string_assign(out, "");
    inspect_quote("Stimme über alles", 12, out);
    assert_string_equal(out->str, "Stimme ü...");
    g_string_assign(out, "");
    inspect_quote("short", 5, out);
    assert_string_equal(out->str, "short");
    g_string_assign(out, "");
    inspect_quote("\n\n\n\n", 7, out); /* an escape is never cut */
    assert_string_equal(out->str, "\\n\\n...");
    g_string_free(out, TRUE);
}

/* Names written by init_list_name read back by the config reader. */
static void test_list_names_read_back_exactly(void **state)
{
    (void)state;
    const char *names[] = {"Q1", "Q3, with a comma", "He said \"fine\"", " leading space", "trailing space ",
                           "; starts like a comment", "# hash", "[bracket]", "colon: and = equals",
                           "über – ünïcödé", "How much do you agree with each statement? [When I do good work, my "
                           "manager recognises it]"};
    size_t n = sizeof names / sizeof *names;
    GString *text = g_string_new("[scale s]\nitems = ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            g_string_append(text, i % 2 ? ",\n    " : ", ");
        assert_true(init_list_name(names[i], text));
    }
    g_string_append(text, "\n");
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    assert_int_equal(config_load_text(&cfg, "test.ini", text->str, &err), ENGAGE_OK);
    assert_int_equal(cfg.n_scales, 1);
    assert_int_equal(cfg.scales[0].n_items, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cfg.scales[0].items[i], names[i]);
    config_fini(&cfg);
    g_string_free(text, TRUE);

    /* what no config line can hold */
    GString *ignored = g_string_new(NULL);
    assert_false(init_list_name("", ignored));
    assert_false(init_list_name("two\nlines", ignored));
    assert_false(init_list_name("a ;inline comment", ignored));
    assert_false(init_list_name("bell\x07", ignored));
    assert_int_equal(ignored->len, 0);
    g_string_free(ignored, TRUE);
}

static void test_label_keys(void **state)
{
    (void)state;
    assert_true(init_label_key("Strongly agree"));
    assert_true(init_label_key("5 - Strongly agree"));
    assert_true(init_label_key("Pas du tout d’accord"));
    assert_true(init_label_key("Niet mee eens, niet mee oneens"));
    assert_false(init_label_key("5: Agree"));
    assert_false(init_label_key("5 = Agree"));
    assert_false(init_label_key("[Agree]"));
    assert_false(init_label_key("; Agree"));
    assert_false(init_label_key("Agree ;really"));
    assert_false(init_label_key("4"));
    assert_false(init_label_key(" Agree"));
    assert_false(init_label_key(""));
    /* what it accepts, the config reads back as a label */
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    assert_int_equal(config_load_text(&cfg, "t.ini",
                                      "[labels]\n5 - Strongly agree = 5\nNiet mee eens, niet mee oneens = 3\n"
                                      "Pas du tout d’accord = 1\n[scale s]\nitems = Q1\n",
                                      &err),
                     ENGAGE_OK);
    assert_int_equal(cfg.label_sets[0].n_labels, 3);
    assert_string_equal(cfg.label_sets[0].labels[0].text, "5 - Strongly agree");
    assert_string_equal(cfg.label_sets[0].labels[1].text, "Niet mee eens, niet mee oneens");
    assert_string_equal(cfg.label_sets[0].labels[2].text, "Pas du tout d’accord");
    config_fini(&cfg);
}

/* A point of the matched scale that no answer used is labelled too, in the
 * vocabulary's words, so that the next wave's "Strongly disagree" reads;
 * numbered answers keep their numbers for it. */
static void test_unused_points_are_labelled(void **state)
{
    (void)state;
    struct {
        const char *csv;
        const char *labels;
    } cases[] = {
        {"Timestamp,Team,A? [x],A? [y]\n"
         "t,T1,Agree,Disagree\nt,T1,Strongly agree,Agree\nt,T2,Neither agree nor disagree,Agree\n",
         "[labels]\n"
         "Strongly disagree = 1   ; no answer of this export, a point of the scale\n"
         "Disagree = 2\nNeither agree nor disagree = 3\nAgree = 4\nStrongly agree = 5\n"},
        {"Timestamp,Team,A? [x],A? [y]\n"
         "t,T1,1 - Nie,3 - Manchmal\nt,T1,3 - Manchmal,4 - Oft\nt,T2,5 - Immer,4 - Oft\n",
         "[labels]\n"
         "1 - Nie = 1\n"
         "Selten = 2   ; no answer of this export, a point of the scale\n"
         "3 - Manchmal = 3\n4 - Oft = 4\n5 - Immer = 5\n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *path = write_temp(cases[c].csv);
        const char *paths[] = {path};
        inspect_t *insp;
        engage_error_t err = {0};
        assert_int_equal(inspect_read(paths, 1, "auto", &insp, &err), ENGAGE_OK);
        GString *out = g_string_new(NULL);
        assert_int_equal(init_propose(insp, out, &err), ENGAGE_OK);
        const char *labels = strstr(out->str, "[labels]\n");
        assert_non_null(labels);
        if (strncmp(labels, cases[c].labels, strlen(cases[c].labels)) != 0)
            fail_msg("case %zu:\n%s", c, labels);
        /* and the config reads: the proposed labels are valid config text */
        config_t cfg;
        assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
        assert_int_equal(config_load_text(&cfg, "proposed.ini", out->str, &err), ENGAGE_OK);
        assert_int_equal(cfg.label_sets[0].n_labels, 5);
        config_fini(&cfg);
        g_string_free(out, TRUE);
        inspect_free(insp);
        unlink(path);
        free(path);
    }
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buffer[256];
    size_t n = fread(buffer, 1, sizeof buffer - 1, f);
    buffer[n] = '\0';
    fclose(f);
    return buffer;
}

static void test_write_replaces_only_when_told(void **state)
{
    (void)state;
    char dir[] = "/tmp/engage-init-write-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/survey.ini", dir);
    engage_error_t err = {0};
    assert_int_equal(init_write_file(path, "first\n", 6, false, &err), ENGAGE_OK);
    assert_string_equal(read_all(path), "first\n");
    assert_int_equal(init_write_file(path, "second\n", 7, false, &err), ENGAGE_ECANTCREAT);
    assert_non_null(strstr(err.message, "already exists"));
    assert_string_equal(read_all(path), "first\n");
    assert_int_equal(init_write_file(path, "third\n", 6, true, &err), ENGAGE_OK);
    assert_string_equal(read_all(path), "third\n");
    char bad[96];
    snprintf(bad, sizeof bad, "%s/survey.ini/below.ini", dir);
    assert_int_equal(init_write_file(bad, "x", 1, true, &err), ENGAGE_ECANTCREAT);
    /* nothing else is left in the folder */
    char command[128];
    snprintf(command, sizeof command, "test \"$(ls -A %s)\" = survey.ini", dir);
    assert_int_equal(system(command), 0);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_column_letters),
        cmocka_unit_test(test_questions_of_each_tool),
        cmocka_unit_test(test_quote_escapes_and_cuts),
        cmocka_unit_test(test_list_names_read_back_exactly),
        cmocka_unit_test(test_label_keys),
        cmocka_unit_test(test_write_replaces_only_when_told),
        cmocka_unit_test(test_unused_points_are_labelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
