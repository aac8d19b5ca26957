/*
 * tests/core/test_csv_out.c — the CSV writer: quoting, formula guard,
 * numbers, gzip, SHA-256 and write errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../core/csv_out.h"

static char tmpdir[] = "/tmp/engage-csv-out-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path_in_tmp(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

/* Read a whole file (plain or gzip, through gzread) into a NUL-terminated
 * buffer. */
static char *slurp(const char *path, size_t *size)
{
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    size_t cap = 1024, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 512 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        int n = gzread(gz, buf + len, 512);
        assert_true(n >= 0);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    assert_int_equal(gzclose(gz), Z_OK);
    buf[len] = '\0';
    if (size)
        *size = len;
    return buf;
}

/* Write one row of text cells and return the file's text. */
static char *one_text_cell(const char *text, bool guard)
{
    csv_out_t *out;
    const char *path = path_in_tmp("cell.csv");
    assert_int_equal(csv_out_open(&out, path, false, NULL), ENGAGE_OK);
    csv_out_text(out, text, guard);
    csv_out_end_row(out);
    assert_int_equal(csv_out_close(out, NULL, NULL), ENGAGE_OK);
    return slurp(path, NULL);
}

typedef struct {
    const char *in;
    bool guard;
    const char *want;
} text_case_t;

static void test_text_cells(void **state)
{
    (void)state;
    static const text_case_t cases[] = {
        { "plain", true, "plain\n" },
        { "", true, "\n" },
        { "007", true, "007\n" },
        { "Smith, Jane", true, "\"Smith, Jane\"\n" },
        { "say \"hi\"", true, "\"say \"\"hi\"\"\"\n" },
        { "two\nlines", true, "\"two\nlines\"\n" },
        { "cr\rhere", true, "\"cr\rhere\"\n" },
        { " lead", true, "\" lead\"\n" },
        { "trail ", true, "\"trail \"\n" },
        { "in side", true, "in side\n" },
        { "=HYPERLINK(\"http://x\",\"y\")", true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n" },
        { "=1+2", true, "'=1+2\n" },
        { "+cmd", true, "'+cmd\n" },
        { "-1+2", true, "'-1+2\n" },
        { "@SUM(A1)", true, "'@SUM(A1)\n" },
        { "\tx", true, "'\tx\n" },
        { "\rx", true, "\"'\rx\"\n" },
        { "-0.25", true, "-0.25\n" },
        { "+3", true, "+3\n" },
        { "-1e-5", true, "-1e-5\n" },
        { "=1+2", false, "=1+2\n" },
        { "\tx", false, "\"\tx\"\n" },
        { "caf\xc3\xa9", true, "caf\xc3\xa9\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = one_text_cell(cases[i].in, cases[i].guard);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: [%s] gave [%s], want [%s]", i, cases[i].in, got, cases[i].want);
        free(got);
    }
}

/* --- numbers against snprintf --------------------------------------------- */

/* splitmix64: a fixed sequence, so a failure reproduces. */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A double of one of many kinds: any bit pattern, means of small integers,
 * every magnitude, integers and halves, decimals at and next to a rounding
 * tie of the 12th digit, powers of ten and their neighbours, subnormals,
 * 0.999...9 near a carry, sums like 0.1 + 0.2; either sign. */
static double some_double(uint64_t *st)
{
    static const double p10[] = {
        1e-30, 1e-20, 1e-12, 1e-11, 1e-10, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1,
        10, 100, 1e3, 1e5, 1e6, 1e9, 1e11, 1e12, 1e13, 1e15, 1e17, 1e22, 1e25, 1e30,
    };
    double v;
    switch (next_u64(st) % 10) {
    case 0: {
        uint64_t bits = next_u64(st);
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            v = 1.5;
        break;
    }
    case 1:
        v = (double)(next_u64(st) % 100000) / (double)(1 + next_u64(st) % 1000);
        break;
    case 2:
        v = (1.0 + 9.0 * ldexp((double)(next_u64(st) >> 11), -53)) *
            pow(10.0, (int)(next_u64(st) % 51) - 25);
        break;
    case 3:
        v = (double)(next_u64(st) >> (next_u64(st) % 64)) / (double)(1u << (next_u64(st) % 3));
        break;
    case 4: {
        char text[64];
        int n_digits = 12 + (int)(next_u64(st) % 6);
        uint64_t m = 1 + next_u64(st) % 9;
        for (int i = 1; i < n_digits; i++)
            m = m * 10 + next_u64(st) % 10;
        if (next_u64(st) % 2)
            m = m / 10 * 10 + 5;
        snprintf(text, sizeof text, "%llue%d", (unsigned long long)m,
                 (int)(next_u64(st) % 41) - 30);
        v = strtod(text, NULL);
        int step = (int)(next_u64(st) % 3) - 1;
        if (step)
            v = nextafter(v, step > 0 ? INFINITY : 0);
        break;
    }
    case 5:
        v = p10[next_u64(st) % (sizeof p10 / sizeof p10[0])] * (double)(1 + next_u64(st) % 10);
        for (int step = (int)(next_u64(st) % 5) - 2; step != 0; step += step > 0 ? -1 : 1)
            v = nextafter(v, step > 0 ? INFINITY : 0);
        break;
    case 6:
        v = ldexp((double)(next_u64(st) >> 12), -1074 + (int)(next_u64(st) % 80));
        break;
    case 7:
        v = (1.0 - pow(10.0, -(double)(8 + next_u64(st) % 9)) *
                       ldexp((double)(next_u64(st) >> 11), -53) * 10) *
            pow(10.0, (int)(next_u64(st) % 30) - 15);
        break;
    case 8:
        v = (double)(next_u64(st) % 100) * 0.1 + (double)(next_u64(st) % 100) * 0.01;
        break;
    default:
        v = sqrt((double)(next_u64(st) % 1000000)) * pow(10.0, (int)(next_u64(st) % 30) - 15);
        break;
    }
    return next_u64(st) & 1 ? -v : v;
}

/* csv_out_format_number must give exactly snprintf's "%.<digits>g" (-0 as
 * 0): csv_out.c formats most numbers without snprintf. */
static void check_as_snprintf(double v, int digits)
{
    char got[64], want[64];
    csv_out_format_number(v, digits, got, sizeof got);
    snprintf(want, sizeof want, "%.*g", digits, v == 0.0 ? 0.0 : v);
    if (strcmp(got, want) != 0)
        fail_msg("%.17g with %d digits: gave %s, snprintf gives %s", v, digits, got, want);
}

static void test_numbers_as_snprintf(void **state)
{
    (void)state;
    static const double special[] = {
        0.1 + 0.2, 1e-5, 1e15, 123456789012.5, 4.9e-324, 2.2250738585072014e-308, DBL_MAX,
        0.5, 1.0, 100.0, 1e11, 1e12, 999999999999.5, 999999999999.4, 99999999999.95,
        1e-4, 9.99999999999949e-5, 1e22, 1e23, 9007199254740993.0, 0.1, 0.01, 2.5, 1e-11,
        1e-12, 0.0001234567890125, 2.67929292929, 12345678901.25, 4.5, 1875,
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        for (int digits = 1; digits <= 17; digits++) {
            check_as_snprintf(special[i], digits);
            check_as_snprintf(-special[i], digits);
        }
    }
    uint64_t st = 20240601;
    for (long i = 0; i < 2000000; i++)
        check_as_snprintf(some_double(&st), 12);
    for (long i = 0; i < 500000; i++)
        check_as_snprintf(some_double(&st), 1 + (int)(next_u64(&st) % 17));
}

static void test_numbers(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(csv_out_format_number(-0.25, 12, buf, sizeof buf), "-0.25");
    assert_string_equal(csv_out_format_number(-0.0, 12, buf, sizeof buf), "0");
    assert_string_equal(csv_out_format_number(0.0, 12, buf, sizeof buf), "0");
    assert_string_equal(csv_out_format_number(NAN, 12, buf, sizeof buf), "");
    assert_string_equal(csv_out_format_number(INFINITY, 12, buf, sizeof buf), "");
    assert_string_equal(csv_out_format_number(-INFINITY, 12, buf, sizeof buf), "");
    assert_string_equal(csv_out_format_number(1.0 / 3.0, 12, buf, sizeof buf), "0.333333333333");
    assert_string_equal(csv_out_format_number(2.0 / 3.0, 12, buf, sizeof buf), "0.666666666667");
    assert_string_equal(csv_out_format_number(123456789012345.0, 12, buf, sizeof buf),
                        "1.23456789012e+14");
    assert_string_equal(csv_out_format_number(4.5, 12, buf, sizeof buf), "4.5");
    assert_string_equal(csv_out_format_number(1875, 12, buf, sizeof buf), "1875");
    assert_string_equal(csv_out_format_number(0.1, 17, buf, sizeof buf), "0.10000000000000001");

    csv_out_t *out;
    const char *path = path_in_tmp("numbers.csv");
    assert_int_equal(csv_out_open(&out, path, false, NULL), ENGAGE_OK);
    csv_out_text(out, "x", true);
    csv_out_number(out, -0.25, 12);
    csv_out_number(out, NAN, 12);
    csv_out_number(out, -0.0, 12);
    csv_out_integer(out, -42);
    csv_out_empty(out);
    csv_out_number(out, 1.0 / 3.0, 12);
    csv_out_end_row(out);
    csv_out_integer(out, 7);
    csv_out_end_row(out);
    assert_int_equal(csv_out_close(out, NULL, NULL), ENGAGE_OK);
    char *got = slurp(path, NULL);
    assert_string_equal(got, "x,-0.25,,0,-42,,0.333333333333\n7\n");
    free(got);
}

/* Numbers written again and again, in different digits (the memo of
 * recent numbers), come out as csv_out_format_number makes them. */
static void test_repeated_numbers(void **state)
{
    (void)state;
    enum { VALUES = 3000, CELLS = 60000 };
    double *values = malloc(VALUES * sizeof *values);
    char *want = malloc((size_t)CELLS * 32 + 1);
    assert_non_null(values);
    assert_non_null(want);
    uint64_t st = 7;
    for (size_t i = 0; i < VALUES; i++)
        values[i] = i % 3 == 0 ? (double)(i % 31) / 7.0 : some_double(&st);
    csv_out_t *out;
    const char *path = path_in_tmp("repeated.csv");
    assert_int_equal(csv_out_open(&out, path, false, NULL), ENGAGE_OK);
    size_t len = 0;
    for (size_t c = 0; c < CELLS; c++) {
        double v = values[next_u64(&st) % VALUES];
        int digits = c % 5 == 0 ? 1 + (int)(next_u64(&st) % 17) : 12;
        char buf[64];
        csv_out_format_number(v, digits, buf, sizeof buf);
        len += (size_t)sprintf(want + len, "%s%s", c % 10 ? "," : "", buf);
        csv_out_number(out, v, digits);
        if (c % 10 == 9) {
            csv_out_end_row(out);
            want[len++] = '\n';
        }
    }
    want[len] = '\0';
    assert_int_equal(csv_out_close(out, NULL, NULL), ENGAGE_OK);
    char *got = slurp(path, NULL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(values);
}

static void test_sha256_known(void **state)
{
    (void)state;
    csv_out_t *out;
    char hex[65];
    assert_int_equal(csv_out_open(&out, path_in_tmp("abc.csv"), false, NULL), ENGAGE_OK);
    csv_out_text(out, "abc", true);
    assert_int_equal(csv_out_close(out, hex, NULL), ENGAGE_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    assert_int_equal(csv_out_open(&out, path_in_tmp("empty.csv"), false, NULL), ENGAGE_OK);
    assert_int_equal(csv_out_close(out, hex, NULL), ENGAGE_OK);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Many rows (several buffers' worth) written plain and gzip: the gzip file
 * decompresses to the plain bytes, and both report the same digest. */
static void write_many(const char *path, bool gzip, char hex[65])
{
    csv_out_t *out;
    assert_int_equal(csv_out_open(&out, path, gzip, NULL), ENGAGE_OK);
    csv_out_text(out, "id", true);
    csv_out_text(out, "value", true);
    csv_out_text(out, "note", true);
    csv_out_end_row(out);
    for (int i = 0; i < 20000; i++) {
        char id[32];
        snprintf(id, sizeof id, "R%06d", i);
        csv_out_text(out, id, true);
        csv_out_number(out, i / 7.0, 12);
        csv_out_text(out, i % 3 ? "Smith, Jane" : "=cmd", true);
        csv_out_end_row(out);
    }
    assert_int_equal(csv_out_close(out, hex, NULL), ENGAGE_OK);
}

static void test_gzip_roundtrip(void **state)
{
    (void)state;
    char hex_plain[65], hex_gz[65], hex_gz2[65];
    write_many(path_in_tmp("many.csv"), false, hex_plain);
    write_many(path_in_tmp("many.csv.gz"), true, hex_gz);
    write_many(path_in_tmp("many2.csv.gz"), true, hex_gz2);
    assert_string_equal(hex_plain, hex_gz);

    size_t n_plain, n_gz;
    char *plain = slurp(path_in_tmp("many.csv"), &n_plain);
    char *unz = slurp(path_in_tmp("many.csv.gz"), &n_gz);
    assert_true(n_plain > 2 * 64 * 1024);
    assert_int_equal(n_plain, n_gz);
    assert_memory_equal(plain, unz, n_plain);
    free(plain);
    free(unz);

    /* The gzip file itself: magic, no mtime, no name; same bytes twice. */
    FILE *a = fopen(path_in_tmp("many.csv.gz"), "rb");
    FILE *b = fopen(path_in_tmp("many2.csv.gz"), "rb");
    assert_non_null(a);
    assert_non_null(b);
    unsigned char ha[10];
    assert_int_equal(fread(ha, 1, 10, a), 10);
    assert_int_equal(ha[0], 0x1f);
    assert_int_equal(ha[1], 0x8b);
    assert_int_equal(ha[3] & 0x08, 0);         /* FNAME */
    assert_int_equal(ha[4] | ha[5] | ha[6] | ha[7], 0);  /* MTIME */
    rewind(a);
    int ca, cb;
    do {
        ca = getc(a);
        cb = getc(b);
        assert_int_equal(ca, cb);
    } while (ca != EOF);
    fclose(a);
    fclose(b);
}

static void test_open_fails(void **state)
{
    (void)state;
    csv_out_t *out = (csv_out_t *)1;
    engage_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(csv_out_open(&out, "/nonexistent-dir/x.csv", false, &err), ENGAGE_ECANTCREAT);
    assert_null(out);
    assert_string_equal(err.file, "/nonexistent-dir/x.csv");
}

static void test_disk_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    for (int gz = 0; gz <= 1; gz++) {
        csv_out_t *out;
        engage_error_t err;
        memset(&err, 0, sizeof err);
        assert_int_equal(csv_out_open(&out, "/dev/full", gz, &err), ENGAGE_OK);
        for (int i = 0; i < 10000; i++) {
            csv_out_text(out, "some text to fill the buffer", true);
            csv_out_end_row(out);
        }
        assert_int_equal(csv_out_close(out, NULL, &err), ENGAGE_EIO);
        assert_string_equal(err.file, "/dev/full");
        assert_non_null(strstr(err.message, "No space left"));
    }
    /* A short write that only fails at close. */
    csv_out_t *out;
    engage_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(csv_out_open(&out, "/dev/full", false, &err), ENGAGE_OK);
    csv_out_text(out, "x", true);
    csv_out_end_row(out);
    assert_int_equal(csv_out_close(out, NULL, &err), ENGAGE_EIO);
    assert_int_equal(err.status, ENGAGE_EIO);
}

static void test_long_cells(void **state)
{
    (void)state;
    /* Quoted cells longer than the buffer, with and without the guard. */
    size_t len = 200000;
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, 'a', len);
    text[0] = '=';
    text[1000] = ',';
    text[len] = '\0';
    csv_out_t *out;
    const char *path = path_in_tmp("long.csv");
    assert_int_equal(csv_out_open(&out, path, false, NULL), ENGAGE_OK);
    csv_out_text(out, text, true);
    csv_out_text(out, text + 1, true);
    csv_out_end_row(out);
    assert_int_equal(csv_out_close(out, NULL, NULL), ENGAGE_OK);
    size_t n;
    char *got = slurp(path, &n);
    assert_int_equal(n, (len + 3) + 1 + (len - 1 + 2) + 1);
    assert_memory_equal(got, "\"'=aaa", 6);
    assert_memory_equal(got + len + 3, ",\"aaa", 5);
    assert_memory_equal(got + n - 2, "\"\n", 2);
    free(got);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cells),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_repeated_numbers),
        cmocka_unit_test(test_numbers_as_snprintf),
        cmocka_unit_test(test_sha256_known),
        cmocka_unit_test(test_gzip_roundtrip),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_long_cells),
    };
    return cmocka_run_group_tests_name("csv_out", tests, setup, teardown);
}
