/*
 * tests/ingest/test_vocab.c — the rating vocabularies: every language and
 * kind at the point counts surveys use, answers carrying their number,
 * case and spacing, the "no answer" words, the choice between scales that
 * share words, and no match on free text, yes/no or mixed vocabularies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../ingest/vocab.h"

typedef struct {
    const char *language, *kind;
    int points;
    const char *answers[8];    /* lowest to highest */
} scale_case_t;

static const scale_case_t SCALES[] = {
    {"English", "agreement", 4, {"Strongly disagree", "Disagree", "Agree", "Strongly agree"}},
    {"English", "agreement", 5,
     {"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}},
    {"English", "agreement", 6,
     {"Strongly disagree", "Disagree", "Somewhat disagree", "Somewhat agree", "Agree", "Strongly agree"}},
    {"English", "agreement", 7,
     {"Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Agree",
      "Strongly agree"}},
    {"English", "frequency", 5, {"Never", "Rarely", "Sometimes", "Often", "Always"}},
    {"English", "satisfaction", 5,
     {"Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"}},
    {"German", "agreement", 4, {"Stimme überhaupt nicht zu", "Stimme nicht zu", "Stimme zu", "Stimme voll und ganz zu"}},
    {"German", "agreement", 5,
     {"Stimme überhaupt nicht zu", "Stimme nicht zu", "Weder noch", "Stimme zu", "Stimme voll und ganz zu"}},
    {"German", "frequency", 5, {"Nie", "Selten", "Manchmal", "Oft", "Immer"}},
    {"German", "satisfaction", 7,
     {"Sehr unzufrieden", "Unzufrieden", "Eher unzufrieden", "Weder zufrieden noch unzufrieden", "Eher zufrieden",
      "Zufrieden", "Sehr zufrieden"}},
    {"French", "agreement", 4, {"Pas du tout d’accord", "Pas d’accord", "D’accord", "Tout à fait d’accord"}},
    {"French", "agreement", 5,
     {"Pas du tout d'accord", "Pas d'accord", "Ni d'accord ni pas d'accord", "D'accord", "Tout à fait d'accord"}},
    {"French", "frequency", 6, {"Jamais", "Rarement", "Parfois", "Souvent", "Très souvent", "Toujours"}},
    {"French", "satisfaction", 7,
     {"Très insatisfait", "Insatisfait", "Plutôt insatisfait", "Ni satisfait ni insatisfait", "Plutôt satisfait",
      "Satisfait", "Très satisfait"}},
    {"Spanish", "agreement", 5,
     {"Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo", "De acuerdo",
      "Totalmente de acuerdo"}},
    {"Spanish", "agreement", 6,
     {"Totalmente en desacuerdo", "En desacuerdo", "Algo en desacuerdo", "Algo de acuerdo", "De acuerdo",
      "Totalmente de acuerdo"}},
    {"Spanish", "frequency", 7,
     {"Nunca", "Muy rara vez", "Rara vez", "A veces", "A menudo", "Muy a menudo", "Siempre"}},
    {"Spanish", "satisfaction", 4, {"Muy insatisfecho", "Insatisfecho", "Satisfecho", "Muy satisfecho"}},
    {"Dutch", "agreement", 5,
     {"Helemaal mee oneens", "Mee oneens", "Neutraal", "Mee eens", "Helemaal mee eens"}},
    {"Dutch", "frequency", 5, {"Nooit", "Zelden", "Soms", "Vaak", "Altijd"}},
    {"Dutch", "satisfaction", 6,
     {"Zeer ontevreden", "Ontevreden", "Enigszins ontevreden", "Enigszins tevreden", "Tevreden", "Zeer tevreden"}},
};

static void expect_scale(const char *const *answers, size_t n, const char *language, const char *kind, int points,
                         const int *positions)
{
    vocab_scale_t scale;
    vocab_answer_t read[16];
    assert_true(vocab_match(answers, n, &scale, read));
    assert_string_equal(scale.language, language);
    assert_string_equal(scale.kind, kind);
    assert_int_equal(scale.points, points);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(read[i].position, positions[i]);
}

static void test_every_language_kind_and_points(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof SCALES / sizeof *SCALES; c++) {
        const scale_case_t *sc = &SCALES[c];
        int positions[8];
        for (int i = 0; i < sc->points; i++)
            positions[i] = i + 1;
        expect_scale(sc->answers, (size_t)sc->points, sc->language, sc->kind, sc->points, positions);
        /* in another order, as an export's first appearances come */
        const char *reversed[8];
        int reversed_positions[8];
        for (int i = 0; i < sc->points; i++) {
            reversed[i] = sc->answers[sc->points - 1 - i];
            reversed_positions[i] = sc->points - i;
        }
        expect_scale(reversed, (size_t)sc->points, sc->language, sc->kind, sc->points, reversed_positions);
    }
}

static void test_answers_carrying_their_number(void **state)
{
    (void)state;
    const char *dash[] = {"1 - Strongly disagree", "2 - Disagree", "3 - Neither agree nor disagree", "4 - Agree",
                          "5 - Strongly agree"};
    vocab_scale_t scale;
    vocab_answer_t read[8];
    assert_true(vocab_match(dash, 5, &scale, read));
    assert_int_equal(scale.points, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(read[i].position, i + 1);
        assert_true(read[i].numbered);
        assert_true(read[i].number == i + 1);
    }
    assert_int_equal(read[4].words, 4);
    assert_int_equal(read[4].words_len, strlen("Strongly agree"));

    const char *others[] = {"0 – Nie", "1. Selten", "2 = Manchmal", "Oft (3)", "4) Immer"};
    assert_true(vocab_match(others, 5, &scale, read));
    assert_string_equal(scale.language, "German");
    assert_string_equal(scale.kind, "frequency");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(read[i].position, i + 1);
        assert_true(read[i].numbered);
        assert_true(read[i].number == i);
    }
    const char *plain[] = {"Agree", "Disagree"};
    assert_true(vocab_match(plain, 2, &scale, read));
    assert_false(read[0].numbered);
}

static void test_case_spaces_and_apostrophes(void **state)
{
    (void)state;
    const char *answers[] = {"  strongly   AGREE ", "disagree", "STRONGLY DISAGREE", "Agree\t"};
    int positions[] = {4, 2, 1, 3};
    expect_scale(answers, 4, "English", "agreement", 4, positions);
    const char *french[] = {"TOUT À FAIT D'ACCORD", "pas d’accord", "d´accord"};
    int french_positions[] = {4, 2, 3};
    expect_scale(french, 3, "French", "agreement", 4, french_positions);
}

static void test_no_answer_words(void **state)
{
    (void)state;
    const char *words[] = {"N/A", "Don't know", "Weiß nicht", "Keine Angabe", "Ne sais pas", "No sé", "Weet niet",
                           "weet NIET", "Niet van toepassing"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        assert_true(vocab_is_no_answer(words[i]));
    assert_false(vocab_is_no_answer("Never"));
    assert_false(vocab_is_no_answer("Neutral"));
    assert_false(vocab_is_no_answer(""));

    const char *answers[] = {"Vaak", "Weet niet", "Nooit", "Soms", "Zelden", "Altijd"};
    int positions[] = {4, 0, 1, 3, 2, 5};
    expect_scale(answers, 6, "Dutch", "frequency", 5, positions);
}

static void test_shared_words_pick_the_closest_scale(void **state)
{
    (void)state;
    /* the four words of a 4-point scale: not a 5-point one with the middle unused */
    const char *four[] = {"Strongly disagree", "Disagree", "Agree", "Strongly agree"};
    int four_positions[] = {1, 2, 3, 4};
    expect_scale(four, 4, "English", "agreement", 4, four_positions);
    /* "Neither ..." only a 5- or 7-point scale has; 5 leaves fewer unused */
    const char *five[] = {"Disagree", "Neither agree nor disagree", "Agree"};
    int five_positions[] = {2, 3, 4};
    expect_scale(five, 3, "English", "agreement", 5, five_positions);
    /* "Somewhat" without the middle: 6 points */
    const char *six[] = {"Somewhat agree", "Agree", "Somewhat disagree"};
    int six_positions[] = {4, 5, 3};
    expect_scale(six, 3, "English", "agreement", 6, six_positions);
}

static void test_no_false_match(void **state)
{
    (void)state;
    vocab_scale_t scale;
    vocab_answer_t read[8];
    const char *free_text[] = {"Good", "I like it here", "More training, please"};
    assert_false(vocab_match(free_text, 3, &scale, read));
    const char *yes_no[] = {"Yes", "No"};
    assert_false(vocab_match(yes_no, 2, &scale, read));
    const char *one_word[] = {"Agree"};
    assert_false(vocab_match(one_word, 1, &scale, read));
    const char *only_no_answer[] = {"N/A", "Don't know"};
    assert_false(vocab_match(only_no_answer, 2, &scale, read));
    const char *mixed[] = {"Agree", "Always", "Disagree"};
    assert_false(vocab_match(mixed, 3, &scale, read));
    const char *with_text[] = {"Agree", "Disagree", "Agree, mostly"};
    assert_false(vocab_match(with_text, 3, &scale, read));
    const char *two_languages[] = {"Stimme zu", "Agree", "Disagree"};
    assert_false(vocab_match(two_languages, 3, &scale, read));
    const char *sentence[] = {"3. I never know", "Sometimes I do"};
    assert_false(vocab_match(sentence, 2, &scale, read));
    const char *bad_utf8[] = {"Agree", "Dis\xff" "agree"};
    assert_false(vocab_match(bad_utf8, 2, &scale, read));
    assert_false(vocab_match(NULL, 0, &scale, read));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_language_kind_and_points),
        cmocka_unit_test(test_answers_carrying_their_number),
        cmocka_unit_test(test_case_spaces_and_apostrophes),
        cmocka_unit_test(test_no_answer_words),
        cmocka_unit_test(test_shared_words_pick_the_closest_scale),
        cmocka_unit_test(test_no_false_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
