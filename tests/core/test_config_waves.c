/*
 * tests/core/test_config_waves.c — [waves]: each line's label and files (as
 * the config's folder resolves them), a list continued on the next line,
 * and the lines its mistakes are reported at; [rosters]: each wave's own
 * roster file, found by config_wave_roster, and its mistakes' lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../core/config.h"

static engage_status_t load(const char *text, config_t *cfg, engage_error_t *err)
{
    assert_int_equal(config_init_default(cfg, err), ENGAGE_OK);
    return config_load_text(cfg, "surveys/year.ini", text, err);
}

static void test_waves_in_order(void **state)
{
    (void)state;
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(load("[report]\nmin_group = 5\n"
                          "[waves]\n"
                          "2026 Q1 = q1-north.csv, q1-south.csv\n"
                          "2026 Q2 = /archive/q2.csv.gz\n"
                          "2026 Q3 = q3a.csv,\n"
                          "  q3b.csv\n",
                          &cfg, &err),
                     ENGAGE_OK);
    assert_int_equal(cfg.n_waves, 3);
    assert_int_equal(cfg.waves_line, 3);
    assert_string_equal(cfg.waves[0].label, "2026 Q1");
    assert_int_equal(cfg.waves[0].line, 4);
    assert_int_equal(cfg.waves[0].n_files, 2);
    assert_string_equal(cfg.waves[0].files[0], "surveys/q1-north.csv");
    assert_string_equal(cfg.waves[0].files[1], "surveys/q1-south.csv");
    assert_string_equal(cfg.waves[1].label, "2026 Q2");
    assert_int_equal(cfg.waves[1].n_files, 1);
    assert_string_equal(cfg.waves[1].files[0], "/archive/q2.csv.gz");
    assert_string_equal(cfg.waves[2].label, "2026 Q3");
    assert_int_equal(cfg.waves[2].n_files, 2);
    assert_string_equal(cfg.waves[2].files[1], "surveys/q3b.csv");
    assert_int_equal(cfg.min_group, 5);
    config_fini(&cfg);
}

static void test_wave_mistakes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long line;
        const char *says;
    } cases[] = {
        { "[waves]\nQ1 = a.csv\nQ2 = b.csv\nQ1 = c.csv\n", 4, "wave 'Q1' is named twice (line 2 too)" },
        { "[waves]\nQ1 = a.csv\nQ2 =\n", 3, "wave 'Q2' names no file" },
        { "[waves]\nQ1 = a.csv, , b.csv\n", 2, "empty name in the list of files" },
        /* an unknown section is reported at its first key, as every unknown section is */
        { "[wave]\nQ1 = a.csv\n", 2, "unknown section [wave]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        config_t cfg;
        engage_error_t err = {0};
        assert_int_equal(load(cases[i].text, &cfg, &err), ENGAGE_ECONFIG);
        if (err.line != cases[i].line)
            fail_msg("case %zu: line %ld, expected %ld (%s)", i, err.line, cases[i].line, err.message);
        if (!strstr(err.message, cases[i].says))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
        config_fini(&cfg);
    }
}

static const char ROSTER[] = "[roster]\nfile = now.csv\nkey = Email\nemployee = id\nmanager = boss\n";

static void test_rosters(void **state)
{
    (void)state;
    config_t cfg;
    engage_error_t err = {0};
    /* [rosters] before [waves] reads as well as after */
    assert_int_equal(load("[rosters]\n"
                          "2026 Q2 = hris/q2.csv\n"
                          "2026 Q1 = /archive/q1 roster.csv\n"
                          "[waves]\n"
                          "2026 Q1 = q1.csv\n"
                          "2026 Q2 = q2.csv\n"
                          "2026 Q3 = q3.csv\n"
                          "[roster]\nfile = now.csv\nkey = Email\nemployee = id\nmanager = boss\n",
                          &cfg, &err),
                     ENGAGE_OK);
    assert_int_equal(cfg.n_rosters, 2);
    assert_int_equal(cfg.rosters_line, 1);
    assert_string_equal(cfg.rosters[0].label, "2026 Q2");
    assert_string_equal(cfg.rosters[0].file, "surveys/hris/q2.csv");
    assert_int_equal(cfg.rosters[0].line, 2);
    assert_string_equal(cfg.rosters[1].file, "/archive/q1 roster.csv");
    assert_ptr_equal(config_wave_roster(&cfg, 0), &cfg.rosters[1]);
    assert_ptr_equal(config_wave_roster(&cfg, 1), &cfg.rosters[0]);
    assert_null(config_wave_roster(&cfg, 2));
    assert_null(config_wave_roster(&cfg, 3));
    config_fini(&cfg);
    /* without [rosters] no wave has one */
    assert_int_equal(load("[waves]\nQ1 = a.csv\n", &cfg, &err), ENGAGE_OK);
    assert_int_equal(cfg.n_rosters, 0);
    assert_null(config_wave_roster(&cfg, 0));
    config_fini(&cfg);
}

static void test_roster_mistakes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long line;
        const char *says;
    } cases[] = {
        { "[waves]\nQ1 = a.csv\nQ2 = b.csv\n[rosters]\nQ1 = r1.csv\nQ3 = r3.csv\n", 6,
          "[rosters] names wave 'Q3', which [waves] does not list" },
        { "[waves]\nQ1 = a.csv\n[rosters]\nQ1 = r1.csv\nQ1 = r2.csv\n", 5,
          "wave 'Q1' is given a roster twice in [rosters] (line 4 too)" },
        { "[waves]\nQ1 = a.csv\n[rosters]\nQ1 =\n", 4, "wave 'Q1' is given no roster file" },
        /* without [waves] every label is unknown */
        { "[rosters]\nQ1 = r1.csv\n", 2, "[rosters] names wave 'Q1', which [waves] does not list" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        config_t cfg;
        engage_error_t err = {0};
        char text[512];
        snprintf(text, sizeof text, "%s%s", cases[i].text, ROSTER);
        assert_int_equal(load(text, &cfg, &err), ENGAGE_ECONFIG);
        if (err.line != cases[i].line)
            fail_msg("case %zu: line %ld, expected %ld (%s)", i, err.line, cases[i].line, err.message);
        if (!strstr(err.message, cases[i].says))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
        config_fini(&cfg);
    }
    /* the columns come from [roster]: [rosters] without it is at its header */
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(load("[waves]\nQ1 = a.csv\n\n[rosters]\nQ1 = r1.csv\n", &cfg, &err), ENGAGE_ECONFIG);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "[rosters] needs a [roster] section"));
    config_fini(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waves_in_order),
        cmocka_unit_test(test_wave_mistakes),
        cmocka_unit_test(test_rosters),
        cmocka_unit_test(test_roster_mistakes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
