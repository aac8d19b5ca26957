/*
 * tests/core/test_config.c — the INI config: what it reads and which line
 * each mistake is reported at (table-driven).
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

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/engage-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static engage_status_t load_text(const char *text, config_t *cfg, engage_error_t *err)
{
    char *path = write_temp(text);
    assert_int_equal(config_init_default(cfg, err), ENGAGE_OK);
    engage_status_t st = config_load(cfg, path, err);
    unlink(path);
    free(path);
    return st;
}

static void test_full_config(void **state)
{
    (void)state;
    const char *text = "; survey settings\n"
                       "[input]\n"
                       "format = canonical\n"
                       "respondent = ResponseId\n"
                       "manager = Manager\n"
                       "missing = N/A, \"Don't know\"\n"
                       "\n"
                       "[labels]\n"
                       "Strongly disagree = 1\n"
                       "Strongly agree = 5   ; inline comment\n"
                       "[labels frequency]\n"
                       "Never = 0\n"
                       "Always = 4\n"
                       "[scale engagement]\n"
                       "items = Q1, Q2, \"Q3, with a comma\"\n"
                       "reverse = Q2\n"
                       "min = 1\n"
                       "max = 5\n"
                       "min_answered = 0.6\n"
                       "short_names = Proud,\n"
                       "   \"Recommend, to friends\", Tools\n"
                       "[scale frequency]\n"
                       "items = F1,\n"
                       "   F2\n"
                       "labels = frequency\n"
                       "min = 0\n"
                       "max = 4\n"
                       "favourable = 3\n"
                       "[report]\n"
                       "min_group = 7\n"
                       "seed = 42\n"
                       "[input]\n"
                       "delimiter = semicolon\n"
                       "encoding = CP1252\n"
                       "[roster]\n"
                       "file = hris.csv\n"
                       "key = Email\n"
                       "employee = id\n"
                       "manager = boss\n"
                       "unit = dept\n";
    config_t cfg;
    engage_error_t err = {0};
    engage_status_t st = load_text(text, &cfg, &err);
    if (st != ENGAGE_OK)
        fail_msg("line %ld: %s", err.line, err.message);
    assert_string_equal(cfg.format, "canonical");
    assert_string_equal(cfg.respondent, "ResponseId");
    assert_string_equal(cfg.manager, "Manager");
    assert_int_equal(cfg.n_missing, 2);
    assert_string_equal(cfg.missing[1], "Don't know");
    assert_int_equal(cfg.n_scales, 2);
    const config_scale_t *e = &cfg.scales[0];
    assert_string_equal(e->name, "engagement");
    assert_int_equal(e->n_items, 3);
    assert_string_equal(e->items[2], "Q3, with a comma");
    assert_false(e->reverse[0]);
    assert_true(e->reverse[1]);
    assert_false(e->reverse[2]);
    assert_true(e->min_answered == 0.6);
    assert_true(e->favourable == 4); /* default: max - 1 */
    assert_true(e->unfavourable == 2); /* default: min + 1 */
    assert_int_equal(e->items_line, 15);
    assert_int_equal(e->n_short_names, 3);
    assert_string_equal(e->short_names[1], "Recommend, to friends");
    assert_string_equal(e->short_names[2], "Tools");
    assert_int_equal(e->short_names_line, 20);
    const config_scale_t *f = &cfg.scales[1];
    assert_int_equal(f->n_items, 2);
    assert_int_equal(f->n_short_names, 0);
    assert_null(f->short_names);
    assert_string_equal(f->items[1], "F2");
    assert_true(f->favourable == 3);
    const config_label_set_t *labels = config_scale_labels(&cfg, f);
    assert_string_equal(labels->name, "frequency");
    assert_int_equal(labels->n_labels, 2);
    assert_true(labels->labels[1].value == 4);
    assert_int_equal(config_scale_labels(&cfg, e)->n_labels, 2);
    assert_int_equal(cfg.min_group, 7);
    assert_int_equal(cfg.seed, 42);
    assert_string_equal(cfg.delimiter, ";");
    assert_string_equal(cfg.encoding, "windows-1252");
    /* the roster file sits beside the config */
    const char *slash = strrchr(cfg.path, '/');
    assert_non_null(slash);
    assert_memory_equal(cfg.roster.file, cfg.path, (size_t)(slash - cfg.path) + 1);
    assert_string_equal(cfg.roster.file + (slash - cfg.path) + 1, "hris.csv");
    assert_string_equal(cfg.roster.key, "Email");
    assert_string_equal(cfg.roster.employee, "id");
    assert_string_equal(cfg.roster.manager, "boss");
    assert_string_equal(cfg.roster.unit, "dept");
    assert_int_equal(cfg.roster.key_line, 37);
    config_fini(&cfg);
}

typedef struct {
    const char *text;
    engage_status_t status;
    long line;
    const char *message;
} bad_config_t;

static const bad_config_t BAD[] = {
    {"[input]\nformat = canonical\n[colours]\nred = 1\n", ENGAGE_ECONFIG, 4, "unknown section [colours]"},
    {"[input]\nflavour = mint\n", ENGAGE_ECONFIG, 2, "unknown key 'flavour'"},
    {"[scale e]\nitems = Q1\nmin = 5\nmax = 1\n", ENGAGE_ECONFIG, 4, "min (5) must be less than max (1)"},
    {"[scale e]\nitems = Q1\nmin = 3\nmax = 3\n", ENGAGE_ECONFIG, 4, "must be less than max"},
    {"[report]\n\nmin_group = 2\n", ENGAGE_ECONFIG, 3, "min_group must be a whole number of at least 3"},
    {"[report]\nmin_group = five\n", ENGAGE_ECONFIG, 2, "min_group"},
    {"[scale e]\nitems = Q1\nmax = lots\n", ENGAGE_ECONFIG, 3, "max must be a number"},
    {"[scale e]\nitems = Q1\nreverse = Q2\n", ENGAGE_ECONFIG, 3, "reverse item 'Q2' is not among the items"},
    {"[scale e]\nitems = Q1, \"Q2\n", ENGAGE_ECONFIG, 2, "cannot read the list of items"},
    {"[scale e]\nmin = 1\n", ENGAGE_ECONFIG, 1, "scale 'e' has no items"},
    {"[scale e]\nitems = Q1\nlabels = freq\n", ENGAGE_ECONFIG, 3, "no [labels freq] section"},
    {"[labels]\nAgree = many\n", ENGAGE_ECONFIG, 2, "must be a number"},
    {"[labels]\nAgree = 4\nagree = 4\n", ENGAGE_ECONFIG, 3, "given twice"},
    {"[labels]\nAgree = 4\n[labels]\nAGREE = 4\n", ENGAGE_ECONFIG, 4, "given twice"},
    {"[labels]\n\"Say \"yes\"\" = 4\n", ENGAGE_ECONFIG, 2, "cannot read label \"Say \"yes\"\": a label in double"},
    {"[scale e]\nitems = Q1\n[scale e]\nitems = Q2\n", ENGAGE_ECONFIG, 4, "defined twice"},
    {"items = Q1\n", ENGAGE_ECONFIG, 1, "outside any section"},
    {"[input]\nthis line has no equals sign\n", ENGAGE_ECONFIG, 2, "not a 'key = value' line"},
    {"[scale e]\nitems = Q1\nmin_answered = 1.5\n", ENGAGE_ECONFIG, 3, "min_answered must be a share"},
    {"[scale e]\nitems = Q1\nfavourable = 9\n", ENGAGE_ECONFIG, 3, "favourable (9) must lie between"},
    {"[scale e]\nitems = Q1\nunfavourable = 0\n", ENGAGE_ECONFIG, 3, "unfavourable (0) must lie between"},
    {"[scale e]\nitems = Q1\nunfavourable = 4\n", ENGAGE_ECONFIG, 3, "unfavourable (4) must be below favourable (4)"},
    {"[scale e]\nitems = Q1\nfavourable = 3\nunfavourable = 3.5\n", ENGAGE_ECONFIG, 4, "unfavourable (3.5) must be below favourable (3)"},
    {"[input]\ndelimiter = |\n", ENGAGE_ECONFIG, 2, "unknown delimiter"},
    {"[input]\ndelimiter = ;\n", ENGAGE_ECONFIG, 2, "a bare ; starts a comment, so write semicolon"},
    {"[input]\nformat = spss\n", ENGAGE_ECONFIG, 2, "unknown format 'spss' (expected auto, canonical, qualtrics"},
    {"[input]\nencoding = latin-1\n", ENGAGE_ECONFIG, 2, "unknown encoding 'latin-1'"},
    {"[roster]\nfile = r.csv\nkey = Email\nemployee = id\n", ENGAGE_ECONFIG, 1, "[roster] needs 'manager ='"},
    {"[roster]\nfile = r.csv\nboss = x\n", ENGAGE_ECONFIG, 3, "unknown key 'boss' in [roster]"},
    {"[scale e]\nitems = Q1, Q1\n", ENGAGE_ECONFIG, 2, "lists item 'Q1' twice"},
    {"[scale e]\nitems = Q1, Q2, Q3\nshort_names = Pay,\n    Growth\n", ENGAGE_ECONFIG, 3,
     "scale 'e' has 3 items but 2 short_names: give one per item, in the order of items"},
    {"[scale e]\nitems = Q1\nshort_names = Pay, Growth\n", ENGAGE_ECONFIG, 3, "has 1 item but 2 short_names"},
    {"[scale e]\nitems = Q1, Q2\nshort_names = Pay, Pay\n", ENGAGE_ECONFIG, 3, "gives the short name 'Pay' twice"},
    {"[scale e]\nitems = Q1, Q2\nshort_names = Pay, , \n", ENGAGE_ECONFIG, 3, "empty name in the list of short_names"},
    {"[scale r]\nkind = promoters\nitems = R\n", ENGAGE_ECONFIG, 2, "unknown kind 'promoters' (expected score or nps)"},
    {"[scale r]\nkind = nps\nitems = R1, R2\n", ENGAGE_ECONFIG, 3,
     "scale 'r' of kind nps must have exactly one item (the 0-10 recommend question), not 2"},
    {"[scale r]\nkind = nps\n", ENGAGE_ECONFIG, 2, "of kind nps must have exactly one item"},
    {"[scale r]\nkind = nps\nitems = R\nmin = 1\n", ENGAGE_ECONFIG, 4, "is on 0..10 (min = 0, max = 10), not 1..10"},
    {"[scale r]\nkind = nps\nitems = R\nmin = 0\nmax = 5\n", ENGAGE_ECONFIG, 5, "not 0..5"},
    {"[scale r]\nkind = nps\nitems = R\nfavourable = 8\n", ENGAGE_ECONFIG, 4, "has fixed thresholds"},
    {"[scale r]\nitems = R\nunfavourable = 5\nkind = nps\n", ENGAGE_ECONFIG, 3, "remove favourable and unfavourable"},
    {"[scale r]\nkind = nps\nitems = R\nreverse = R\n", ENGAGE_ECONFIG, 4, "cannot reverse its item"},
};

/* kind = nps: min 0 and max 10 by default (or as given), thresholds 9 and 6. */
static void test_nps_scale(void **state)
{
    (void)state;
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(load_text("[scale e]\nitems = Q1, Q2\n[scale recommend]\nkind = NPS\nitems = R\n"
                               "[scale again]\nkind = nps\nitems = R2\nmin = 0\nmax = 10\n", &cfg, &err),
                     ENGAGE_OK);
    assert_int_equal(cfg.n_scales, 3);
    assert_false(cfg.scales[0].nps);
    assert_true(cfg.scales[0].min == 1 && cfg.scales[0].max == 5);
    for (size_t s = 1; s < 3; s++) {
        assert_true(cfg.scales[s].nps);
        assert_true(cfg.scales[s].min == 0 && cfg.scales[s].max == 10);
        assert_true(cfg.scales[s].favourable == 9 && cfg.scales[s].unfavourable == 6);
    }
    assert_int_equal(cfg.scales[1].kind_line, 4);
    config_fini(&cfg);
    assert_int_equal(load_text("[scale e]\nkind = score\nitems = Q1\n", &cfg, &err), ENGAGE_OK);
    assert_false(cfg.scales[0].nps);
    config_fini(&cfg);
}

static void test_bad_configs_name_their_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        config_t cfg;
        engage_error_t err = {0};
        engage_status_t st = load_text(BAD[i].text, &cfg, &err);
        if (st != BAD[i].status || err.line != BAD[i].line || !strstr(err.message, BAD[i].message))
            fail_msg("config %zu: status %d line %ld '%s'; expected %d line %ld '%s'", i, st, err.line,
                     err.message, BAD[i].status, BAD[i].line, BAD[i].message);
        config_fini(&cfg);
    }
}

/* A growing string for building configs. */
typedef struct {
    char *text;
    size_t len, cap;
} text_t;

static void add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->len + (size_t)n + 1);
        t->text = realloc(t->text, t->cap);
        assert_non_null(t->text);
    }
    vsnprintf(t->text + t->len, t->cap - t->len, fmt, again);
    va_end(again);
    t->len += (size_t)n;
}

/* A question text as long exports write it, numbered. */
static void question(char *out, size_t size, int i)
{
    snprintf(out, size, "How strongly do you agree: my manager, item %d, gives me feedback that helps me improve", i);
}

/* One line of `count` quoted question texts, then the same list continued
 * over indented lines of three: the two configs read the same items. */
static void test_lines_of_any_length(void **state)
{
    (void)state;
    enum { COUNT = 60 };
    char name[128];
    text_t one = {0}, split = {0};
    add(&one, "[scale e]\nitems = ");
    add(&split, "[scale e]\nitems = ");
    for (int i = 0; i < COUNT; i++) {
        question(name, sizeof name, i);
        add(&one, "%s\"%s\"", i ? ", " : "", name);
        add(&split, "\"%s\",%s", name, i % 3 == 2 && i < COUNT - 1 ? "\n    " : " ");
    }
    question(name, sizeof name, 7);
    add(&one, " ; a comment ; after the list\nreverse = \"%s\",\n", name);
    add(&split, "\nreverse = \"%s\"\n", name);
    assert_true(one.len > 5000);
    config_t a, b;
    engage_error_t err = {0};
    assert_int_equal(load_text(one.text, &a, &err), ENGAGE_OK);
    assert_int_equal(load_text(split.text, &b, &err), ENGAGE_OK);
    assert_int_equal(a.scales[0].n_items, COUNT);
    assert_int_equal(b.scales[0].n_items, COUNT);
    for (int i = 0; i < COUNT; i++) {
        question(name, sizeof name, i);
        assert_string_equal(a.scales[0].items[i], name);
        assert_string_equal(b.scales[0].items[i], name);
        assert_int_equal(a.scales[0].reverse[i], i == 7);
        assert_int_equal(b.scales[0].reverse[i], i == 7);
    }
    assert_int_equal(a.scales[0].items_line, 2);
    assert_int_equal(a.scales[0].reverse_line, 3);
    config_fini(&a);
    config_fini(&b);
    free(one.text);
    free(split.text);
}

/* A 1 MiB line, an indented continuation line of 300 KiB, long section,
 * key and answer names, and a long comment: all read whole. */
static void test_long_names_and_megabyte_lines(void **state)
{
    (void)state;
    text_t t = {0};
    char long_name[200];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    add(&t, "; %s %s\n", long_name, long_name);
    add(&t, "[labels]\nNeither agree nor disagree, but this answer text runs on past fifty = 3\n");
    add(&t, "%s = 4\n", long_name);
    add(&t, "\x01 = 5\n"); /* a stand-in's byte as text, after a carried key */
    add(&t, "[scale %s one]\nitems = ", long_name);
    size_t n_items = 0;
    while (t.len < (1u << 20) + 200)
        add(&t, "%sitem number %zu of a very long list", n_items ? ", " : "", n_items), n_items++;
    add(&t, ",\n   ");
    size_t first_continued = n_items;
    size_t start = t.len;
    while (t.len - start < 300u * 1024)
        add(&t, "%sitem number %zu of a very long list", n_items > first_continued ? ", " : "", n_items),
            n_items++;
    add(&t, "\nmin = 0 ; lowest\n[scale %s two]\nitems = a, b\n", long_name);
    config_t cfg;
    engage_error_t err = {0};
    engage_status_t st = load_text(t.text, &cfg, &err);
    if (st != ENGAGE_OK)
        fail_msg("%ld: %s", err.line, err.message);
    assert_int_equal(cfg.n_scales, 2);
    char expected[300];
    snprintf(expected, sizeof expected, "%s one", long_name);
    assert_string_equal(cfg.scales[0].name, expected);
    snprintf(expected, sizeof expected, "%s two", long_name);
    assert_string_equal(cfg.scales[1].name, expected);
    assert_int_equal(cfg.scales[0].n_items, n_items);
    char item[64];
    snprintf(item, sizeof item, "item number %zu of a very long list", n_items - 1);
    assert_string_equal(cfg.scales[0].items[n_items - 1], item);
    snprintf(item, sizeof item, "item number %zu of a very long list", first_continued);
    assert_string_equal(cfg.scales[0].items[first_continued], item);
    assert_true(cfg.scales[0].min == 0);
    const config_label_set_t *labels = &cfg.label_sets[0];
    assert_int_equal(labels->n_labels, 3);
    assert_string_equal(labels->labels[2].text, "\x01");
    assert_string_equal(labels->labels[0].text, "Neither agree nor disagree, but this answer text runs on past fifty");
    assert_string_equal(labels->labels[1].text, long_name);
    assert_true(labels->labels[1].value == 4);
    config_fini(&cfg);
    free(t.text);
}

/* Carried lines keep inih's errors and their lines. */
static void test_long_line_mistakes(void **state)
{
    (void)state;
    char long_name[300];
    memset(long_name, 'q', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct {
        const char *before, *after; /* around the long name */
        long line;
        const char *message;
    } cases[] = {
        {"[input]\n", "\n", 2, "not a 'key = value' line"},
        {"[input]\n", " = 1\n", 2, "unknown key 'qqqq"},
        {"[scale e]\nitems = a, b\nreverse = ", "\n", 3, "reverse item 'qqq"},
        {"[scale e]\nitems = a, , ", "\n", 2, "empty name in the list of items"},
        {"[scale e]\nitems = a\nreverse = a, , ", "\n", 3, "empty name in the list of reverse"},
        {"[scale e\n", " = 1\n", 1, "not a 'key = value' line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s%s", cases[i].before, long_name, cases[i].after);
        config_t cfg;
        engage_error_t err = {0};
        engage_status_t st = load_text(text, &cfg, &err);
        if (st != ENGAGE_ECONFIG || err.line != cases[i].line || !strstr(err.message, cases[i].message))
            fail_msg("case %zu: status %d line %ld '%s'", i, st, err.line, err.message);
        config_fini(&cfg);
    }
}

/* Every key of CONFIG_KEYS reads with its example, all in one config; a key
 * outside the table is refused with the table's keys. */
static void test_every_listed_key_reads(void **state)
{
    (void)state;
    text_t t = {0};
    add(&t, "[labels frequency]\nNever = 0\n");
    const char *kinds[] = {"input", "scale", "roster", "report"};
    size_t listed = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        if (strcmp(kinds[k], "scale") == 0)
            add(&t, "[scale e]\n");
        else
            add(&t, "[%s]\n", kinds[k]);
        for (const config_key_t *key = CONFIG_KEYS; key->section; key++)
            if (strcmp(key->section, kinds[k]) == 0)
                add(&t, "%s = %s\n", key->key, key->example), listed++;
    }
    assert_int_equal(listed, 26);
    config_t cfg;
    engage_error_t err = {0};
    engage_status_t st = load_text(t.text, &cfg, &err);
    if (st != ENGAGE_OK)
        fail_msg("%ld: %s", err.line, err.message);
    assert_string_equal(cfg.scales[0].labels, "frequency");
    assert_int_equal(cfg.scales[0].n_short_names, 3);
    assert_string_equal(cfg.scales[0].short_names[2], "Recognised, by my manager");
    assert_string_equal(cfg.roster.unit, "department");
    assert_string_equal(cfg.roster.name, "display_name");
    assert_string_equal(cfg.roster.invited, "invited");
    assert_int_equal(cfg.unit_depth, 2);
    config_fini(&cfg);
    free(t.text);
    assert_int_equal(load_text("[roster]\nfile = r.csv\nboss = x\n", &cfg, &err), ENGAGE_ECONFIG);
    assert_string_equal(err.message, "unknown key 'boss' in [roster] (expected file, key, employee, manager, unit, name or invited)");
    config_fini(&cfg);
}

static void test_missing_file_and_overrides(void **state)
{
    (void)state;
    config_t cfg;
    engage_error_t err = {0};
    assert_int_equal(config_init_default(&cfg, &err), ENGAGE_OK);
    assert_int_equal(cfg.min_group, 5);
    assert_int_equal(cfg.n_scales, 0);
    assert_int_equal(config_load(&cfg, "/nonexistent/engage.ini", &err), ENGAGE_ENOINPUT);
    assert_int_equal(config_override(&cfg, "min_group", "10", &err), ENGAGE_OK);
    assert_int_equal(cfg.min_group, 10);
    assert_int_equal(config_override(&cfg, "min_group", "2", &err), ENGAGE_EUSAGE);
    assert_int_equal(config_override(&cfg, "seed", "-1", &err), ENGAGE_EUSAGE);
    assert_int_equal(config_override(&cfg, "seed", "99", &err), ENGAGE_OK);
    assert_int_equal(cfg.seed, 99);
    config_fini(&cfg);
}

/* Every text config_label_writable accepts, written by config_label_key,
 * reads back as a label with that text. */
static void test_label_keys_read_back(void **state)
{
    (void)state;
    static const char *const writable[] = {
        "Somewhat agree", "[skipped]", "#N/A", "; odd", "\"Fully\" agree", "\"", "\"\"", "a;b", "Agree \"very\"",
        "x [y]", "5 - Agree (5)", "D\xc3\xa9j\xc3\xa0 vu",
    };
    for (size_t i = 0; i < sizeof writable / sizeof *writable; i++) {
        assert_true(config_label_writable(writable[i]));
        char *key = config_label_key(writable[i]);
        assert_non_null(key);
        char text[256];
        snprintf(text, sizeof text, "[labels]\nAgree = 4\n[scale e]\nitems = Q1\n[labels]\n%s = 3\n", key);
        config_t cfg;
        engage_error_t err = {0};
        if (load_text(text, &cfg, &err) != ENGAGE_OK)
            fail_msg("label '%s' written as %s: %s", writable[i], key, err.message);
        const config_label_set_t *set = config_scale_labels(&cfg, &cfg.scales[0]);
        assert_int_equal(set->n_labels, 2);
        assert_string_equal(set->labels[set->n_labels - 1].text, writable[i]);
        assert_true(set->labels[set->n_labels - 1].value == 3);
        config_fini(&cfg);
        free(key);
    }
    static const char *const not_writable[] = {"a = b", "a=b", "Yes: always", "a ;b", "a\t;b", "two\nlines",
                                               "cr\r", ""};
    for (size_t i = 0; i < sizeof not_writable / sizeof *not_writable; i++)
        assert_false(config_label_writable(not_writable[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_bad_configs_name_their_line),
        cmocka_unit_test(test_lines_of_any_length),
        cmocka_unit_test(test_long_names_and_megabyte_lines),
        cmocka_unit_test(test_long_line_mistakes),
        cmocka_unit_test(test_every_listed_key_reads),
        cmocka_unit_test(test_missing_file_and_overrides),
        cmocka_unit_test(test_label_keys_read_back),
        cmocka_unit_test(test_nps_scale),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
