/*
 * tests/report/test_item_labels.c — the short labels of report/item_labels.c
 * on the column names each survey tool writes: SurveyMonkey's
 * `Question - Statement`, Google Forms' and LimeSurvey's full text
 * `Question [Row]`, codes (Qualtrics `Q1_1`, LimeSurvey `Q1[SQ001]`) and
 * Microsoft Forms' bare statements left as they are; common suffixes; the
 * 60-character cut at a space and in UTF-8 text; labels a cut makes equal;
 * one-item scales; a prefix that is a whole item; the config's short_names,
 * also through item_labels_of_scale() on a dataset; and a scale of 20,000
 * columns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../report/item_labels.h"

/* The labels of names[0..n) must be want[0..n). */
static void expect_labels(const char *const *names, const char *const *given, size_t n,
                          const char *const *want)
{
    item_labels_t *l = item_labels_new(names, given, n);
    assert_non_null(l);
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->text[i], want[i]) != 0)
            fail_msg("item %zu '%s': label '%s', expected '%s'", i, names[i], l->text[i], want[i]);
    item_labels_free(l);
}

#define N(a) (sizeof(a) / sizeof(a)[0])

static const char *const STATEMENTS[] = {
    "I am proud to work here",
    "I would recommend this company as a great place to work",
    "When I do good work, my manager recognises it",
    "I have the tools and resources I need to do my job well",
    "I see myself still working here in two years",
    "I often think about leaving this company",
};

static void test_surveymonkey_question_statement(void **state)
{
    (void)state;
    char names[N(STATEMENTS)][200];
    const char *p[N(STATEMENTS)];
    for (size_t i = 0; i < N(STATEMENTS); i++) {
        snprintf(names[i], sizeof names[i], "How much do you agree with each statement? - %s",
                 STATEMENTS[i]);
        p[i] = names[i];
    }
    expect_labels(p, NULL, N(STATEMENTS), STATEMENTS);
    /* a statement holding " - " itself keeps it: only the shared part goes */
    const char *const dashed[] = { "How satisfied are you with... - Pay", "How satisfied are you with... - Work - life balance" };
    const char *const want[] = { "Pay", "Work - life balance" };
    expect_labels(dashed, NULL, 2, want);
    /* "Question: Statement" */
    const char *const colon[] = { "Engagement: I am proud", "Engagement: I would recommend us" };
    const char *const want_colon[] = { "I am proud", "I would recommend us" };
    expect_labels(colon, NULL, 2, want_colon);
}

static void test_grid_question_row(void **state)
{
    (void)state;
    /* Google Forms grids and LimeSurvey's full question text */
    char names[N(STATEMENTS)][200];
    const char *p[N(STATEMENTS)];
    for (size_t i = 0; i < N(STATEMENTS); i++) {
        snprintf(names[i], sizeof names[i], "How much do you agree with each statement? [%s]",
                 STATEMENTS[i]);
        p[i] = names[i];
    }
    expect_labels(p, NULL, N(STATEMENTS), STATEMENTS);
    /* a bracket that not every name closes is not a row: nothing dropped */
    const char *const open[] = { "Rate [pay]", "Rate [growth] now" };
    expect_labels(open, NULL, 2, open);
    /* a question ending in a bracketed note keeps the row's own brackets */
    const char *const nested[] = { "Rate (1 = low) [Pay [base]]", "Rate (1 = low) [Bonus]" };
    const char *const want_nested[] = { "Pay [base]", "Bonus" };
    expect_labels(nested, NULL, 2, want_nested);
}

static void test_codes_and_statements_stay(void **state)
{
    (void)state;
    const char *const qualtrics[] = { "Q1_1", "Q1_2", "Q1_3", "Q1_10" };
    expect_labels(qualtrics, NULL, N(qualtrics), qualtrics);
    const char *const limesurvey[] = { "Q1[SQ001]", "Q1[SQ002]", "Q1[SQ003]" };
    expect_labels(limesurvey, NULL, N(limesurvey), limesurvey);
    const char *const canonical[] = { "Q1", "Q2", "Q3", "Q4", "Q5", "Q6" };
    expect_labels(canonical, NULL, N(canonical), canonical);
    /* Microsoft Forms: the statements share "I ", a word, not a question */
    const char *const msforms[] = { "I am proud to work here", "I would recommend this company as a great place to work" };
    expect_labels(msforms, NULL, 2, msforms);
}

static void test_common_suffix(void **state)
{
    (void)state;
    const char *const dash[] = { "Pay - rate from 1 to 5", "Growth - rate from 1 to 5" };
    const char *const want[] = { "Pay", "Growth" };
    expect_labels(dash, NULL, 2, want);
    const char *const both[] = { "Q? - Pay (1 = low, 5 = high)", "Q? - Team spirit (1 = low, 5 = high)" };
    const char *const want_both[] = { "Pay", "Team spirit" };
    expect_labels(both, NULL, 2, want_both);
    /* SurveyMonkey's matrix of drop-downs: Question - Row - Column */
    const char *const columns[] = { "Rate each - Pay - Importance", "Rate each - Growth - Importance" };
    expect_labels(columns, NULL, 2, want);
}

static void test_prefix_that_is_a_whole_item(void **state)
{
    (void)state;
    /* the first name is the others' question: nothing may become empty */
    const char *const whole[] = { "Overall satisfaction", "Overall satisfaction - Pay" };
    expect_labels(whole, NULL, 2, whole);
    const char *const deeper[] = { "Q - Pay", "Q - Pay - base" };
    const char *const want_deeper[] = { "Pay", "Pay - base" };
    expect_labels(deeper, NULL, 2, want_deeper);
    const char *const dangling[] = { "Q - ", "Q - a" };
    const char *const want_dangling[] = { "Q -", "Q - a" };   /* trimmed, nothing dropped */
    expect_labels(dangling, NULL, 2, want_dangling);
    /* two rows that differ only in spaces the labels trim: every item by its full name */
    const char *const spaced[] = { "Q - a", "Q - a ", "Q - b" };
    expect_labels(spaced, NULL, 3, spaced);
}

/* Whether s is valid UTF-8. */
static bool valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int extra = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0)
            return false;
        u++;
        for (int k = 0; k < extra; k++, u++)
            if ((*u & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += (*s & 0xC0) != 0x80;
    return n;
}

static void test_cut_at_sixty_characters(void **state)
{
    (void)state;
    /* one item: the full name, cut at the last space before 60 characters */
    const char *const one[] = { "Overall, how satisfied are you with your job, your team, your manager and your pay?" };
    /* (61 characters to "your": the cut falls before it, and the comma goes) */
    const char *const want_one[] = { "Overall, how satisfied are you with your job, your team\xE2\x80\xA6" };
    expect_labels(one, NULL, 1, want_one);
    assert_true(chars(want_one[0]) <= ITEM_LABEL_MAX_CHARS);
    const char *const short_one[] = { "How satisfied are you?" };
    expect_labels(short_one, NULL, 1, short_one);
    /* no space: cut at a character, never inside one (é is two bytes) */
    char e[200] = "";
    for (int i = 0; i < 70; i++)
        strcat(e, "\xC3\xA9");
    const char *const accents[] = { e };
    item_labels_t *l = item_labels_new(accents, NULL, 1);
    assert_non_null(l);
    assert_int_equal(chars(l->text[0]), ITEM_LABEL_MAX_CHARS);
    assert_true(valid_utf8(l->text[0]));
    assert_memory_equal(l->text[0], e, 59 * 2);
    assert_string_equal(l->text[0] + 59 * 2, "\xE2\x80\xA6");
    item_labels_free(l);
    /* German grid rows with umlauts and a three-byte character around the cut */
    const char *const german[] = {
        "Wie sehr stimmen Sie zu? [Ich bin stolz darauf, hier zu arbeiten \xE2\x80\x93 jeden Tag, "
        "\xC3\xBC" "berall und f\xC3\xBCr immer]",
        "Wie sehr stimmen Sie zu? [Ich w\xC3\xBCrde das Unternehmen weiterempfehlen]",
    };
    l = item_labels_new(german, NULL, 2);
    assert_non_null(l);
    assert_string_equal(l->text[0], "Ich bin stolz darauf, hier zu arbeiten \xE2\x80\x93 jeden Tag, \xC3\xBC" "berall\xE2\x80\xA6");
    assert_string_equal(l->text[1], "Ich w\xC3\xBCrde das Unternehmen weiterempfehlen");
    for (size_t i = 0; i < 2; i++) {
        assert_true(valid_utf8(l->text[i]));
        assert_true(chars(l->text[i]) <= ITEM_LABEL_MAX_CHARS);
    }
    item_labels_free(l);
}

static void test_labels_a_cut_makes_equal(void **state)
{
    (void)state;
    /* the same first 60 characters: each keeps its start and its end */
    const char *const names[] = {
        "Q - I am satisfied with the pay I receive for the work I do here compared with similar jobs elsewhere",
        "Q - I am satisfied with the pay I receive for the work I do here compared with last year",
        "Q - Growth",
    };
    const char *const want[] = {
        "I am satisfied with the pay I\xE2\x80\xA6with similar jobs elsewhere",
        "I am satisfied with the pay I\xE2\x80\xA6here compared with last year",
        "Growth",
    };
    expect_labels(names, NULL, 3, want);
    /* still equal with both ends kept: every label is the full name */
    const char *const same_ends[] = {
        "Q - I am satisfied with the pay I receive here, yes, and this part differs: A, and it ends the same way always",
        "Q - I am satisfied with the pay I receive here, yes, and this part differs: B, and it ends the same way always",
        "Q - Growth",
    };
    expect_labels(same_ends, NULL, 3, same_ends);
    /* nothing but commas past the cut point: cut at the character, not to nothing */
    char commas[100];
    memset(commas, ',', 70);
    commas[70] = '\0';
    const char *const punctuation[] = { commas };
    item_labels_t *l = item_labels_new(punctuation, NULL, 1);
    assert_non_null(l);
    assert_int_equal(chars(l->text[0]), ITEM_LABEL_MAX_CHARS);
    assert_memory_equal(l->text[0], commas, 59);
    item_labels_free(l);
    for (size_t i = 0; i < 3; i++)
        assert_true(chars(want[i]) <= ITEM_LABEL_MAX_CHARS);
}

static void test_control_characters_kept_for_the_writers(void **state)
{
    (void)state;
    /* the label is a part of the name, bytes as they are: each writer escapes them */
    const char *const names[] = { "Q - \x1b[2Jbold\ttab", "Q - <b>&amp;</b>" };
    const char *const want[] = { "\x1b[2Jbold\ttab", "<b>&amp;</b>" };
    expect_labels(names, NULL, 2, want);
}

static void test_given_short_names(void **state)
{
    (void)state;
    const char *const names[] = { "How much do you agree? - I am proud to work here", "How much do you agree? - I would recommend us" };
    const char *const given[] = { "Proud", "Recommend, to friends" };
    expect_labels(names, given, 2, given);
    /* as given: not cut */
    const char *const long_given[] = { "A short name the config gives that is far longer than sixty characters", "B" };
    expect_labels(names, long_given, 2, long_given);
}

static void test_of_a_dataset_scale(void **state)
{
    (void)state;
    dataset_t *ds = dataset_new();
    assert_non_null(ds);
    size_t c[3];
    assert_int_equal(dataset_add_column(ds, "Q? [Pay]", &c[0]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "Q? [Growth]", &c[1]), ENGAGE_OK);
    assert_int_equal(dataset_add_column(ds, "Other", &c[2]), ENGAGE_OK);
    bool rev[2] = { false, false };
    size_t items_a[2] = { c[1], c[0] }, items_b[2] = { c[0], c[1] };
    dataset_scale_t a = { "derived", 2, items_a, rev, 1, 5, 0.5, 4, 2 };
    dataset_scale_t b = { "named", 2, items_b, rev, 1, 5, 0.5, 4, 2 };
    assert_int_equal(dataset_add_scale(ds, &a), ENGAGE_OK);
    assert_int_equal(dataset_add_scale(ds, &b), ENGAGE_OK);

    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    const char *const items[] = { "Q? [Pay]", "Q? [Growth]" };
    assert_int_equal(config_add_scale(&cfg, "derived", items, 2, 1, 5, &err), ENGAGE_OK);
    assert_int_equal(config_add_scale(&cfg, "named", items, 2, 1, 5, &err), ENGAGE_OK);
    config_scale_t *named = &cfg.scales[1];
    named->short_names = calloc(3, sizeof *named->short_names);
    assert_non_null(named->short_names);
    named->short_names[0] = strdup("Salary");
    named->short_names[1] = strdup("Learning");
    named->n_short_names = 2;

    item_labels_t *l = item_labels_of_scale(&cfg, ds, dataset_scale(ds, 0));
    assert_non_null(l);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->text[0], "Growth");   /* the scale's order, not the columns' */
    assert_string_equal(l->text[1], "Pay");
    item_labels_free(l);
    l = item_labels_of_scale(&cfg, ds, dataset_scale(ds, 1));
    assert_non_null(l);
    assert_string_equal(l->text[0], "Salary");
    assert_string_equal(l->text[1], "Learning");
    item_labels_free(l);
    /* no config (canonical input without -c): derived */
    l = item_labels_of_scale(NULL, ds, dataset_scale(ds, 1));
    assert_non_null(l);
    assert_string_equal(l->text[0], "Pay");
    item_labels_free(l);
    config_fini(&cfg);
    dataset_free(ds);
}

static void test_many_columns(void **state)
{
    (void)state;
    enum { MANY = 20000 };
    char (*names)[48] = malloc(MANY * sizeof *names);
    const char **p = malloc(MANY * sizeof *p);
    assert_non_null(names);
    assert_non_null(p);
    for (size_t i = 0; i < MANY; i++) {
        snprintf(names[i], sizeof names[i], "Rate each of these - statement %zu", i);
        p[i] = names[i];
    }
    item_labels_t *l = item_labels_new(p, NULL, MANY);
    assert_non_null(l);
    assert_string_equal(l->text[0], "statement 0");
    assert_string_equal(l->text[MANY - 1], "statement 19999");
    item_labels_free(l);
    free(p);
    free(names);
}

static void test_deterministic_and_empty(void **state)
{
    (void)state;
    const char *const names[] = { "Q - b", "Q - a" };
    item_labels_t *x = item_labels_new(names, NULL, 2), *y = item_labels_new(names, NULL, 2);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(x->text[i], y->text[i]);
    item_labels_free(x);
    item_labels_free(y);
    item_labels_t *none = item_labels_new(NULL, NULL, 0);
    assert_non_null(none);
    assert_int_equal(none->n, 0);
    item_labels_free(none);
    item_labels_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_surveymonkey_question_statement),
        cmocka_unit_test(test_grid_question_row),
        cmocka_unit_test(test_codes_and_statements_stay),
        cmocka_unit_test(test_common_suffix),
        cmocka_unit_test(test_prefix_that_is_a_whole_item),
        cmocka_unit_test(test_cut_at_sixty_characters),
        cmocka_unit_test(test_labels_a_cut_makes_equal),
        cmocka_unit_test(test_control_characters_kept_for_the_writers),
        cmocka_unit_test(test_given_short_names),
        cmocka_unit_test(test_of_a_dataset_scale),
        cmocka_unit_test(test_many_columns),
        cmocka_unit_test(test_deterministic_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
