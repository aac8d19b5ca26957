/*
 * tests/report/test_packs.c — the file names of report/packs.c: ids kept
 * as they are in [A-Za-z0-9._-], every other byte %XX (so "%" itself, "/"
 * and UTF-8), the id "index" and ids starting with "." escaped from their
 * first byte, ids that escaping would make longer than PACKS_NAME_MAX cut
 * with "~" and 16 hex digits of the id's SHA-256, and distinct ids giving
 * distinct names.
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

#include "../../report/outdir.h"
#include "../../report/packs.h"

static void expect_name(const char *id, const char *want)
{
    char name[PACKS_NAME_MAX + 1];
    packs_file_name(id, name);
    assert_string_equal(name, want);
}

static void test_kept_and_escaped(void **state)
{
    (void)state;
    expect_name("E0000001", "E0000001");
    expect_name("a.b_c-D9", "a.b_c-D9");
    expect_name("a/b", "a%2Fb");
    expect_name("100%", "100%25");
    expect_name("x y", "x%20y");
    expect_name("Zoë", "Zo%C3%AB");
    expect_name("..", "%2E.");
    expect_name(".hidden", "%2Ehidden");
    expect_name("index", "%69ndex");
    expect_name("index2", "index2");
    expect_name("", "");
}

static void test_distinct_ids_distinct_names(void **state)
{
    (void)state;
    const char *ids[] = { "a/", "a%2F", "a%252F", "index", "%69ndex", "i", "I", ".a", "%2Ea" };
    size_t n = sizeof ids / sizeof ids[0];
    char names[sizeof ids / sizeof ids[0]][PACKS_NAME_MAX + 1];
    for (size_t i = 0; i < n; i++)
        packs_file_name(ids[i], names[i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(names[i], names[j]);
}

static void test_long_ids(void **state)
{
    (void)state;
    char id[400], want[PACKS_NAME_MAX + 1], hex[65];
    /* exactly PACKS_NAME_MAX bytes: kept whole */
    memset(id, 'a', PACKS_NAME_MAX);
    id[PACKS_NAME_MAX] = '\0';
    expect_name(id, id);
    /* one more: the first 183 bytes, "~", 16 hex digits of the id's SHA-256 */
    memset(id, 'a', PACKS_NAME_MAX + 1);
    id[PACKS_NAME_MAX + 1] = '\0';
    outdir_sha256_hex(id, strlen(id), hex);
    snprintf(want, sizeof want, "%.*s~%.16s", PACKS_NAME_MAX - 17, id, hex);
    expect_name(id, want);
    assert_int_equal(strlen(want), PACKS_NAME_MAX);
    /* 100 slashes escape to 300 bytes: whole escapes only, 61 of them (183 bytes) */
    memset(id, '/', 100);
    id[100] = '\0';
    outdir_sha256_hex(id, strlen(id), hex);
    char name[PACKS_NAME_MAX + 1];
    packs_file_name(id, name);
    assert_int_equal(strlen(name), 61 * 3 + 17);
    assert_int_equal(strncmp(name, "%2F%2F%2F", 9), 0);
    assert_int_equal(name[183], '~');
    assert_memory_equal(name + 184, hex, 16);
    /* two long ids sharing their first 300 bytes still differ */
    char other[400];
    memset(id, 'b', 350);
    id[350] = '\0';
    memcpy(other, id, 351);
    other[349] = 'c';
    char a[PACKS_NAME_MAX + 1], b[PACKS_NAME_MAX + 1];
    packs_file_name(id, a);
    packs_file_name(other, b);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_and_escaped),
        cmocka_unit_test(test_distinct_ids_distinct_names),
        cmocka_unit_test(test_long_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
