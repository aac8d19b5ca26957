/*
 * tests/core/test_xml_text.c — what XML can hold: XML 1.0's Char production
 * at its edges, and text made safe with U+FFFD for the rest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../core/xml_text.h"

static void test_allowed(void **state)
{
    (void)state;
    static const long yes[] = { '\t', '\n', '\r', ' ', 'A', 0x7F, 0x85, 0xD7FF, 0xE000, 0xFFFD,
                                0x10000, 0x1FFFE, 0x10FFFF };
    static const long no[] = { -1, 0, 1, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0xD800, 0xDFFF, 0xFFFE,
                               0xFFFF, 0x110000 };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!xml_text_allowed(yes[i]))
            fail_msg("U+%04lX refused", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (xml_text_allowed(no[i]))
            fail_msg("U+%04lX allowed", no[i]);
}

static void test_decode(void **state)
{
    (void)state;
    long cp;
    assert_int_equal(xml_text_decode((const unsigned char *)"\xEF\xBF\xBE", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFE);
    assert_int_equal(xml_text_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    /* overlong, surrogate, cut short, lone continuation: one byte, invalid */
    static const char *const bad[] = { "\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80", "\xE2\x82",
                                       "\x80", "\xF5\x80\x80\x80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(xml_text_decode((const unsigned char *)bad[i], strlen(bad[i]), &cp), 1);
        assert_int_equal(cp, -1);
    }
}

static void test_safe(void **state)
{
    (void)state;
    bool failed = true;
    assert_null(xml_text_safe("plain \xC3\xA9 text\twith\r\nbreaks \xEF\xBF\xBD", &failed));
    assert_false(failed);
    char *s = xml_text_safe("a\x01" "b\xEF\xBF\xBE" "c\xEF\xBF\xBF" "d\x1b[2J\xFF" "e\xED\xA0\x80", &failed);
    assert_false(failed);
    assert_non_null(s);
    assert_string_equal(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d\xEF\xBF\xBD[2J\xEF\xBF\xBD"
                           "e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_safe),
    };
    return cmocka_run_group_tests_name("core/xml_text", tests, NULL, NULL);
}
