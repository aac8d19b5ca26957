/*
 * tests/core/test_error.c — what reaches the terminal: control characters
 * and bytes that are not UTF-8 escaped (engage_escape), valid text of any
 * script kept, and error lines formatted with the escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/error.h"

static void check_escape(const char *text, const char *expected)
{
    char out[256];
    engage_escape(text, out, sizeof out);
    if (strcmp(out, expected) != 0)
        fail_msg("escape of '%s' gave '%s', expected '%s'", text, out, expected);
}

static void test_control_characters_are_escaped(void **state)
{
    (void)state;
    check_escape("plain text, 1..5", "plain text, 1..5");
    check_escape("a\tb\nc\rd", "a\\tb\\nc\\rd");
    check_escape("\x1b[2J\x1b]0;owned\x07", "\\x1b[2J\\x1b]0;owned\\x07");
    check_escape("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
    /* C1 controls (U+0080..U+009F; U+009B is a one-character CSI) */
    check_escape("x\xc2\x9b" "31m", "x\\xc2\\x9b31m");
    check_escape("\xc2\x80", "\\xc2\\x80");
    check_escape("\\x1b stays a backslash", "\\x1b stays a backslash");
}

static void test_valid_utf8_is_kept_and_invalid_bytes_escaped(void **state)
{
    (void)state;
    check_escape("Müller, Jürgen", "Müller, Jürgen");
    const char *scripts = "東京 Αθήνα Москва ٱلْعَرَبِيَّة";
    check_escape(scripts, scripts);
    check_escape("\xc2\xa0no-break", "\xc2\xa0no-break"); /* U+00A0 is text, not a control */
    check_escape("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
    check_escape("bad \xff byte", "bad \\xff byte");
    check_escape("cut \xe2\x82", "cut \\xe2\\x82");
    check_escape("\xe9t\xe9", "\\xe9t\\xe9");               /* Windows-1252 bytes */
    check_escape("\xc0\xaf", "\\xc0\\xaf");                 /* overlong '/' */
    check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");        /* a UTF-16 surrogate */
}

static void test_a_short_buffer_cuts_before_an_escape(void **state)
{
    (void)state;
    char out[6];
    engage_escape("ab\x1b" "cd", out, sizeof out);
    assert_string_equal(out, "ab"); /* "\x1b" does not fit whole */
    engage_escape("abcdefgh", out, sizeof out);
    assert_string_equal(out, "abcde");
    char tiny[1] = {'x'};
    engage_escape("abc", tiny, sizeof tiny);
    assert_int_equal(tiny[0], '\0');
}

static void test_error_line_is_one_escaped_line(void **state)
{
    (void)state;
    engage_error_t err = {0};
    engage_fail(&err, ENGAGE_EDATA, "export\n\x1b[31m.csv", 7, "column 'Q\t1': answer '%s'", "\x1b]0;x\x1b\\");
    char line[ENGAGE_ERROR_LINE];
    engage_error_format(&err, line, sizeof line);
    assert_string_equal(line, "engage: export\\n\\x1b[31m.csv:7: column 'Q\\t1': answer '\\x1b]0;x\\x1b\\'");

    /* a message of nothing but control characters still fits whole */
    memset(err.message, '\x1b', sizeof err.message - 1);
    err.message[sizeof err.message - 1] = '\0';
    memset(err.file, '\n', sizeof err.file - 1);
    err.file[sizeof err.file - 1] = '\0';
    engage_error_format(&err, line, sizeof line);
    assert_int_equal(strlen(line), strlen("engage: :7: ") + 2 * (sizeof err.file - 1) + 4 * (sizeof err.message - 1));
    assert_null(strchr(line, '\n'));
    assert_null(strchr(line, '\x1b'));
}

static void test_print_line_escapes_everything_but_its_newline(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    assert_non_null(stream);
    assert_true(engage_print_line(stream, "engage: %s: %zu rows", "in\nput\x1b.csv", (size_t)3) != EOF);
    assert_true(engage_print_line(stream, "%s", "") != EOF);
    fclose(stream);
    assert_string_equal(text, "engage: in\\nput\\x1b.csv: 3 rows\n\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_characters_are_escaped),
        cmocka_unit_test(test_valid_utf8_is_kept_and_invalid_bytes_escaped),
        cmocka_unit_test(test_a_short_buffer_cuts_before_an_escape),
        cmocka_unit_test(test_error_line_is_one_escaped_line),
        cmocka_unit_test(test_print_line_escapes_everything_but_its_newline),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
