/*
 * tests/ingest/test_source.c — zip input through source.c.
 *
 * The zip fixtures in tests/fixtures/encodings were made with Python's
 * zipfile (stored, deflated, bzip2, lzma; several, none, hidden and
 * __MACOSX entries) and `zip -P` (encrypted); method77.zip is stored.zip
 * with its local header's method set to 77.  Each good zip is read at every
 * chunk size; each bad one must fail with its message at every chunk size.
 * The byte count and SHA-256 of a zip source are those of the file (as
 * `stat -c %s` and `sha256sum` print them, and as libmd computes them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ingest/csv_rows.h"
#include "../../ingest/source.h"

#define FIXTURES_FROM_HERE "/../fixtures/encodings/"

static const char SURVEY[] = "respondent_id,manager_id,Q1\nr1,m1,4\nr2,m1,5\n";

/* The whole fixture file; *size receives its length. */
static unsigned char *load_fixture(const char *name, size_t *size)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    char path[4096];
    snprintf(path, sizeof path, "%.*s%s%s", slash ? (int)(slash - here) : 1, slash ? here : ".",
             FIXTURES_FROM_HERE, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    unsigned char *bytes = malloc(1 << 20);
    assert_non_null(bytes);
    *size = fread(bytes, 1, 1 << 20, f);
    fclose(f);
    return bytes;
}

typedef struct {
    engage_status_t status;
    engage_error_t err;
    char text[4096];
    size_t text_len;
    char member[256];
    bool zip;
    uint64_t bytes;
    char sha256[65];
} read_result_t;

/* Read every byte of a memory source at the given chunk size (0: default)
 * with the given zip cap (0: default). */
static void read_source(const unsigned char *bytes, size_t len, size_t chunk, uint64_t cap, read_result_t *out)
{
    memset(out, 0, sizeof *out);
    source_t *src;
    assert_int_equal(source_open_memory(&src, "x.zip", bytes, len, &out->err), ENGAGE_OK);
    source_set_chunk(src, chunk);
    source_set_zip_cap(src, cap);
    for (;;) {
        const unsigned char *data;
        size_t n;
        out->status = source_read(src, &data, &n, 1, &out->err);
        if (out->status != ENGAGE_OK || n == 0)
            break;
        assert_true(out->text_len + n < sizeof out->text);
        memcpy(out->text + out->text_len, data, n);
        out->text_len += n;
    }
    out->zip = source_is_zip(src);
    snprintf(out->member, sizeof out->member, "%s", source_member(src) ? source_member(src) : "(none)");
    out->bytes = source_bytes(src);
    source_sha256(src, out->sha256);
    source_close(src);
}

/* every_chunk: at every chunk size, else whole reads only */
static void check_good_zip(const char *fixture, const char *member, const char *sha256sum, bool every_chunk)
{
    size_t len;
    unsigned char *bytes = load_fixture(fixture, &len);
    char expected_sha[65];
    SHA256Data(bytes, len, expected_sha);
    if (sha256sum)
        assert_string_equal(expected_sha, sha256sum);
    read_result_t r;
    for (size_t chunk = 0; chunk <= (every_chunk ? len + 1 : 0); chunk++) {
        read_source(bytes, len, chunk, 0, &r);
        if (r.status != ENGAGE_OK)
            fail_msg("%s chunk %zu: %s", fixture, chunk, r.err.message);
        assert_true(r.zip);
        assert_string_equal(r.member, member);
        assert_int_equal(r.text_len, strlen(SURVEY));
        assert_memory_equal(r.text, SURVEY, r.text_len);
        assert_int_equal(r.bytes, len);
        assert_string_equal(r.sha256, expected_sha);
    }
    free(bytes);
}

static void test_zip_stored_and_deflated(void **state)
{
    (void)state;
    /* sha256sum tests/fixtures/encodings/stored.zip (176 bytes) */
    check_good_zip("stored.zip", "export/survey.csv",
                   "c9e8ff2d1e82ffa2d40e720e69fb2eaa4ab00aaa30868742b4a9e4ed770fde57", true);
    /* deflated.zip (573 bytes): readme.md, __MACOSX/._survey.csv, .hidden.csv
     * and dir/ come before the one entry read */
    check_good_zip("deflated.zip", "Survey.CSV", "1f751a6b2c83a2eff1be71ccd7dda97c88fd06136a62fbdefbc22f906493d802",
                   true);
    /* libarchive reads these methods too (LZMA only from whole reads: the
     * packaged libarchive 3.6.2 fails on LZMA data fed a few bytes at a
     * time, which reads of a file never are) */
    check_good_zip("bzip2.zip", "survey.csv", NULL, true);
    check_good_zip("lzma.zip", "survey.csv", NULL, false);
}

static void check_bad_zip(const unsigned char *bytes, size_t len, uint64_t cap, const char *what,
                          const char *message, const char *hint)
{
    read_result_t r;
    for (size_t chunk = 0; chunk <= len + 1; chunk++) {
        read_source(bytes, len, chunk, cap, &r);
        if (r.status != ENGAGE_EDATA || !strstr(r.err.message, message) || (hint && !strstr(r.err.hint, hint)))
            fail_msg("%s chunk %zu: status %d '%s' (hint '%s'), expected '%s'", what, chunk, r.status,
                     r.err.message, r.err.hint, message);
        assert_true(r.zip);
        assert_string_equal(r.err.file, "x.zip");
    }
}

static void check_bad_fixture(const char *fixture, const char *message, const char *hint)
{
    size_t len;
    unsigned char *bytes = load_fixture(fixture, &len);
    check_bad_zip(bytes, len, 0, fixture, message, hint);
    free(bytes);
}

static void test_zip_errors(void **state)
{
    (void)state;
    check_bad_fixture("several.zip", "the zip holds several CSV files (a.csv, b.csv)", "unzip the one to read");
    check_bad_fixture("no_csv.zip", "the zip holds no CSV file", ".csv, .tsv or .txt");
    check_bad_fixture("empty.zip", "the zip holds no CSV file", NULL);
    check_bad_fixture("encrypted.zip", "encrypted zip entries are not supported (survey.csv)", "password");
    check_bad_fixture("method77.zip", "unusable zip data (Unsupported ZIP compression method (77", "unzip it");
}

static void test_zip_cap(void **state)
{
    (void)state;
    size_t len;
    unsigned char *bytes = load_fixture("deflated.zip", &len);
    size_t size = strlen(SURVEY);
    check_bad_zip(bytes, len, size - 1, "cap", "zip entry larger than the 43-byte cap (Survey.CSV)", NULL);
    read_result_t r;
    read_source(bytes, len, 0, size, &r); /* exactly the cap is allowed */
    assert_int_equal(r.status, ENGAGE_OK);
    assert_int_equal(r.text_len, size);
    free(bytes);
}

/* A zip cut anywhere is an error, never a short read; the end record
 * (22 bytes) is what the last cuts remove. */
static void test_zip_truncated_anywhere(void **state)
{
    (void)state;
    const char *fixtures[] = {"stored.zip", "deflated.zip"};
    for (size_t f = 0; f < 2; f++) {
        size_t len;
        unsigned char *bytes = load_fixture(fixtures[f], &len);
        for (size_t cut = 4; cut < len; cut++) {
            for (size_t chunk = 0; chunk < 8; chunk += 7) {
                read_result_t r;
                read_source(bytes, cut, chunk, 0, &r);
                if (r.status != ENGAGE_EDATA)
                    fail_msg("%s cut at %zu chunk %zu: status %d, expected an error", fixtures[f], cut, chunk,
                             r.status);
                assert_true(r.zip);
                assert_int_equal(r.bytes, cut);
            }
        }
        free(bytes);
    }
}

typedef struct {
    char rows[1024];
    size_t used;
} rows_t;

static engage_status_t collect(void *user, const csv_row_t *row, engage_error_t *err)
{
    (void)err;
    rows_t *r = user;
    r->used += (size_t)snprintf(r->rows + r->used, sizeof r->rows - r->used, "%ld:", row->line);
    for (size_t i = 0; i < row->n_fields; i++)
        r->used += (size_t)snprintf(r->rows + r->used, sizeof r->rows - r->used, "%s%s", i ? "|" : "",
                                    csv_row_field(row, i));
    r->used += (size_t)snprintf(r->rows + r->used, sizeof r->rows - r->used, "\n");
    return ENGAGE_OK;
}

/* A zip reaches the records like any other input, the thread included. */
static void test_zip_records(void **state)
{
    (void)state;
    size_t len;
    unsigned char *bytes = load_fixture("deflated.zip", &len);
    for (int thread = 0; thread < 2; thread++) {
        source_t *src;
        engage_error_t err = {0};
        assert_int_equal(source_open_memory(&src, "x.zip", bytes, len, &err), ENGAGE_OK);
        rows_t rows = {0};
        csv_rows_options_t options = {"auto", 0, thread};
        csv_rows_info_t info = {0};
        assert_int_equal(csv_rows_read(src, "x.zip", &options, collect, &rows, &info, &err), ENGAGE_OK);
        assert_string_equal(rows.rows, "1:respondent_id|manager_id|Q1\n2:r1|m1|4\n3:r2|m1|5\n");
        assert_int_equal(info.delimiter, ',');
        assert_string_equal(info.encoding, "utf-8");
        assert_int_equal(source_bytes(src), len);
        uint64_t behind, size;
        assert_false(source_share_read(src, &behind, &size));   /* other entries count in a zip's size */
        source_close(src);
    }
    free(bytes);
}

/* Text that merely starts with "PK" is text. */
static void test_pk_text_is_not_zip(void **state)
{
    (void)state;
    read_result_t r;
    for (size_t chunk = 0; chunk < 5; chunk++) {
        read_source((const unsigned char *)"PK,x\n", 5, chunk, 0, &r);
        assert_int_equal(r.status, ENGAGE_OK);
        assert_false(r.zip);
        assert_string_equal(r.member, "(none)");
        assert_int_equal(r.text_len, 5);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_stored_and_deflated),
        cmocka_unit_test(test_zip_errors),
        cmocka_unit_test(test_zip_cap),
        cmocka_unit_test(test_zip_truncated_anywhere),
        cmocka_unit_test(test_zip_records),
        cmocka_unit_test(test_pk_text_is_not_zip),
    };
    return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}
