/*
 * tests/ingest/test_decode.c — encodings and delimiter sniffing, through
 * csv_rows_read (decode.c and csv_rows.c together), table-driven.
 *
 * Every case is fed at every chunk size from 1 byte up to the whole input
 * (so a BOM, a UTF-8 or UTF-16 character and a CRLF are cut at every
 * position), and once more whole through the reading thread.  A case gives
 * its text as UTF-8 and says how to store it (as is, or UTF-16 with or
 * without a byte order mark, encoded here by hand), plus raw bytes to
 * append.  It states the outcome: the records as "line:field|field\n", the
 * error's line, message and hint, and what csv_rows_info_t reports.
 * Records also say how far through the input the text read so far reaches
 * (csv_row_t.share_read): past their own end, never going back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ingest/csv_rows.h"
#include "../../ingest/source.h"

typedef enum { AS_IS, UTF16LE, UTF16LE_BOM, UTF16BE_BOM } store_t;

typedef struct {
    const char *name;
    const char *text;          /* UTF-8 (or raw bytes when AS_IS) */
    size_t text_len;           /* 0: strlen(text) */
    store_t store;
    const char *tail;          /* raw bytes appended after storing, or NULL */
    size_t tail_len;
    const char *encoding;      /* the setting */
    char delimiter;            /* 0: sniff */
    engage_status_t status;
    long error_line;
    const char *error_text;    /* substring of the message */
    const char *hint_text;     /* substring of the hint, or NULL */
    const char *rows;          /* records delivered (also before an error); NULL: not checked */
    const char *info_encoding; /* NULL: not checked */
    bool bom;
    char info_delimiter;
} decode_case_t;

#define OK_CASE ENGAGE_OK, 0, NULL, NULL

static const decode_case_t CASES[] = {
    {"ascii", "a,b\n1,2\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:a|b\n2:1|2\n", "utf-8", false, ','},
    {"empty", "", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "", "utf-8", false, ','},

    /* UTF-16 */
    {"utf-16le bom, tab, accents", "Name\tÉquipe\tQ1\r\nJosé\tMüller\t4\r\n", 0, UTF16LE_BOM, NULL, 0, "auto", 0,
     OK_CASE, "1:Name|Équipe|Q1\n2:José|Müller|4\n", "utf-16le", true, '\t'},
    {"utf-16be bom, surrogate pair", "name,team\nZoë,Ærø 😀\n", 0, UTF16BE_BOM, NULL, 0, "auto", 0, OK_CASE,
     "1:name|team\n2:Zoë|Ærø 😀\n", "utf-16be", true, ','},
    {"utf-16le bom under utf-8 setting: the mark wins", "a,ü\n", 0, UTF16LE_BOM, NULL, 0, "utf-8", 0, OK_CASE,
     "1:a|ü\n", "utf-16le", true, ','},
    {"utf-16 setting without bom is LE", "a;b\n1;ß\n", 0, UTF16LE, NULL, 0, "utf-16", 0, OK_CASE,
     "1:a|b\n2:1|ß\n", "utf-16le", false, ';'},
    {"utf-16 bom only", "", 0, UTF16LE_BOM, NULL, 0, "auto", 0, OK_CASE, "", "utf-16le", true, ','},
    {"utf-16 odd trailing byte", "a,b\nc,d\n", 0, UTF16LE_BOM, "x", 1, "auto", 0, ENGAGE_EDATA, 3,
     "the UTF-16 text ends inside a character", NULL, "1:a|b\n2:c|d\n", "utf-16le", true, ','},
    {"utf-16 lone high surrogate", "a,b\n", 0, UTF16LE_BOM, "\x00\xD8x\x00", 4, "auto", 0, ENGAGE_EDATA, 2,
     "not valid UTF-16 (a lone surrogate)", NULL, "1:a|b\n", "utf-16le", true, ','},
    {"utf-16 lone low surrogate", "a,b\nc,d\n", 0, UTF16LE_BOM, "\x00\xDC", 2, "auto", 0, ENGAGE_EDATA, 3,
     "not valid UTF-16", NULL, "1:a|b\n2:c|d\n", "utf-16le", true, ','},
    {"utf-16 high surrogate at the end", "a,b\n", 0, UTF16BE_BOM, "\xD8\x00", 2, "auto", 0, ENGAGE_EDATA, 2,
     "ends inside a character", NULL, "1:a|b\n", "utf-16be", true, ','},
    {"utf-16 without bom under auto: NUL bytes", "a,b\n", 0, UTF16LE, NULL, 0, "auto", 0, ENGAGE_EDATA, 1,
     "binary data (byte 0x00)", "if this is UTF-16 text, set encoding = utf-16", NULL, "utf-8", false, ','},

    /* Windows-1252 */
    {"cp1252 decided at the first non-ASCII byte",
     "name,team\nJos\xE9,M\xFCller\nStra\xDF" "e,\x93q\x94 \x80\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:name|team\n2:José|Müller\n3:Straße|“q” €\n", "windows-1252", false, ','},
    {"cp1252 setting", "\xC4rger;\x80\n\x9A\x9C\x9F;\xA0x\n", 0, AS_IS, NULL, 0, "windows-1252", 0, OK_CASE,
     "1:Ärger|€\n2:šœŸ|\xC2\xA0x\n", "windows-1252", false, ';'},
    {"cp1252 setting: valid UTF-8 bytes are converted too", "\xC3\xA9\n", 0, AS_IS, NULL, 0, "windows-1252", 0,
     OK_CASE, "1:Ã©\n", "windows-1252", false, ','},
    {"utf-8 bom under cp1252 setting: the mark wins", "\xEF\xBB\xBF\xC3\xA9\n", 0, AS_IS, NULL, 0,
     "windows-1252", 0, OK_CASE, "1:é\n", "utf-8", true, ','},
    {"cp1252 undefined byte", "a,b\nx,\x81\n", 0, AS_IS, NULL, 0, "auto", 0, ENGAGE_EDATA, 2,
     "byte 0x81 is not a character in Windows-1252", "neither UTF-8 nor Windows-1252", "1:a|b\n",
     "windows-1252", false, ','},
    {"cp1252 undefined byte later", "\xE9\n\r\n\x9D\n", 0, AS_IS, NULL, 0, "windows-1252", 0, ENGAGE_EDATA, 3,
     "byte 0x9D is not a character", "set encoding = auto", "1:é\n", "windows-1252", false, ','},
    {"overlong form is not UTF-8", "a\n\xC0\xAF\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:a\n2:À¯\n",
     "windows-1252", false, ','},
    {"surrogate in UTF-8 form is not UTF-8", "\xED\xA0\x80\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:í\xC2\xA0€\n", "windows-1252", false, ','},
    {"cut sequence at the end is not UTF-8", "a\n\xC3", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:a\n2:Ã\n",
     "windows-1252", false, ','},

    /* UTF-8 */
    {"utf-8 decided, 4-byte character", "a\n\xF0\x9F\x98\x80 x\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a\n2:😀 x\n", "utf-8", false, ','},
    {"utf-8 then an invalid byte", "name\nJos\xC3\xA9\nab\nJos\xE9\n", 0, AS_IS, NULL, 0, "auto", 0, ENGAGE_EDATA,
     4, "not valid UTF-8 (byte 0xE9) although earlier lines are", "set encoding = windows-1252 in [input]",
     "1:name\n2:José\n3:ab\n", "utf-8", false, ','},
    {"utf-8 then invalid after CRLF", "\xC3\xA9\r\n\xE9\n", 0, AS_IS, NULL, 0, "auto", 0, ENGAGE_EDATA, 2,
     "not valid UTF-8 (byte 0xE9)", NULL, "1:é\n", "utf-8", false, ','},
    {"utf-8 then invalid after bare CR", "\xC3\xA9\r\"\r\"\xE9\r", 0, AS_IS, NULL, 0, "auto", 0, ENGAGE_EDATA,
     3, "not valid UTF-8 (byte 0xE9)", NULL, "1:é\n", "utf-8", false, ','},
    {"utf-8 then a cut sequence at the end", "\xC3\xA9\n\xC3", 0, AS_IS, NULL, 0, "auto", 0, ENGAGE_EDATA, 2,
     "not valid UTF-8 (byte 0xC3)", NULL, "1:é\n", "utf-8", false, ','},
    {"utf-8 setting", "a\n\xE9\n", 0, AS_IS, NULL, 0, "utf-8", 0, ENGAGE_EDATA, 2, "not valid UTF-8 (byte 0xE9)",
     "set encoding = windows-1252 (or auto)", "1:a\n", "utf-8", false, ','},
    {"utf-8 bom and CRLF", "\xEF\xBB\xBF" "a,b\r\n1,\xC3\xA9\r\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a|b\n2:1|é\n", "utf-8", true, ','},
    {"utf-8 bom then an invalid byte", "\xEF\xBB\xBF" "a\r\n\xE9\r\n", 0, AS_IS, NULL, 0, "auto", 0,
     ENGAGE_EDATA, 2, "although the file begins with a UTF-8 byte order mark", NULL, "1:a\n", "utf-8", true, ','},
    {"bom prefix that is not a bom", "\xEF\xBBx\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:ï»x\n",
     "windows-1252", false, ','},
    {"unknown encoding", "a\n", 0, AS_IS, NULL, 0, "latin-9", 0, ENGAGE_ECONFIG, 0, "unknown encoding 'latin-9'",
     NULL, "", NULL, false, ','},

    /* delimiters */
    {"semicolon", "id;score\n1;2,5\n2;3,0\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:id|score\n2:1|2,5\n3:2|3,0\n",
     "utf-8", false, ';'},
    {"tab, spaces trimmed", "id\tname\tQ1\n1\t Ann \t4\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:id|name|Q1\n2:1|Ann|4\n", "utf-8", false, '\t'},
    {"quoted commas, semicolons and newlines in the header",
     "\"Q1, how; are\nyou?\";\"Q2, \"\"fine\"\"\";Q3\n1;2;3\n4;5;6\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:Q1, how; are\nyou?|Q2, \"fine\"|Q3\n3:1|2|3\n4:4|5|6\n", "utf-8", false, ';'},
    {"quoted semicolons, comma delimiter", "\"a;b\",\"c;d;e\",f\n1,2,3\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a;b|c;d;e|f\n2:1|2|3\n", "utf-8", false, ','},
    {"the consistent count wins", "a;b,c;d\n1;2;3\n\n4;5;6\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a|b,c|d\n2:1|2|3\n4:4|5|6\n", "utf-8", false, ';'},
    {"tie: the larger count in the first record", "a,b;c;d\n1,2;3;4\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a,b|c|d\n2:1,2|3|4\n", "utf-8", false, ';'},
    {"tie: comma before semicolon before tab", "a,b;c\td\n1,2;3\t4\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE,
     "1:a|b;c\td\n2:1|2;3\t4\n", "utf-8", false, ','},
    {"only five records count", "a;b,c\n1;2\n1;2\n1;2\n1;2\n1,2\n1,2\n1,2\n1,2\n1,2\n1,2\n1,2\n", 0, AS_IS,
     NULL, 0, "auto", 0, OK_CASE, NULL, "utf-8", false, ';'},
    {"none present", "single\n1\n", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:single\n2:1\n", "utf-8", false, ','},
    {"no final newline", "a;b", 0, AS_IS, NULL, 0, "auto", 0, OK_CASE, "1:a|b\n", "utf-8", false, ';'},
    {"delimiter given", "a,b;c\n", 0, AS_IS, NULL, 0, "auto", ';', OK_CASE, "1:a,b|c\n", "utf-8", false, ';'},
    {"sniffed through utf-16", "q\tr\ts\n1\t2\t3,5\n", 0, UTF16BE_BOM, NULL, 0, "auto", 0, OK_CASE,
     "1:q|r|s\n2:1|2|3,5\n", "utf-16be", true, '\t'},
    {"a decoding error inside the sniffed head comes after its records", "a;b\n1;2\n\xC3\xA9\n\xE9\n", 0, AS_IS,
     NULL, 0, "auto", 0, ENGAGE_EDATA, 4, "not valid UTF-8 (byte 0xE9)", NULL, "1:a|b\n2:1|2\n3:é\n", "utf-8",
     false, ';'},
    {"a parsing error inside the sniffed head comes after its records", "a;b\n1;2\nx;\"y\n", 0, AS_IS, NULL, 0, "auto",
     0, ENGAGE_EDATA, 3, "unterminated quoted field", NULL, "1:a|b\n2:1|2\n", "utf-8", false, ';'},
};

/* Append the UTF-16 form of UTF-8 text (valid, by construction). */
static size_t utf16(const char *text, size_t len, bool be, unsigned char *out)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t c = p[i];
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
        for (int k = 1; k <= extra; k++)
            c = c << 6 | (p[i + k] & 0x3F);
        i += (size_t)extra + 1;
        uint16_t units[2] = {(uint16_t)c, 0};
        int n_units = 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            units[0] = (uint16_t)(0xD800 | c >> 10);
            units[1] = (uint16_t)(0xDC00 | (c & 0x3FF));
            n_units = 2;
        }
        for (int u = 0; u < n_units; u++) {
            out[n++] = be ? units[u] >> 8 : units[u] & 0xFF;
            out[n++] = be ? units[u] & 0xFF : units[u] >> 8;
        }
    }
    return n;
}

/* The stored bytes of a case; returns their length. */
static size_t store_case(const decode_case_t *tc, unsigned char *out)
{
    size_t len = tc->text_len ? tc->text_len : strlen(tc->text);
    size_t n = 0;
    switch (tc->store) {
    case AS_IS:
        memcpy(out, tc->text, len);
        n = len;
        break;
    case UTF16LE_BOM:
        out[n++] = 0xFF;
        out[n++] = 0xFE;
        /* fall through */
    case UTF16LE:
        n += utf16(tc->text, len, false, out + n);
        break;
    case UTF16BE_BOM:
        out[n++] = 0xFE;
        out[n++] = 0xFF;
        n += utf16(tc->text, len, true, out + n);
        break;
    }
    if (tc->tail) {
        memcpy(out + n, tc->tail, tc->tail_len);
        n += tc->tail_len;
    }
    return n;
}

typedef struct {
    char *text;
    size_t used, cap;
} rows_t;

static engage_status_t collect(void *user, const csv_row_t *row, engage_error_t *err)
{
    (void)err;
    rows_t *r = user;
    size_t need = 32;
    for (size_t i = 0; i < row->n_fields; i++)
        need += csv_row_length(row, i) + 1;
    if (r->used + need > r->cap) {
        r->cap = (r->used + need) * 2;
        r->text = realloc(r->text, r->cap);
        assert_non_null(r->text);
    }
    r->used += (size_t)snprintf(r->text + r->used, r->cap - r->used, "%ld:", row->line);
    for (size_t i = 0; i < row->n_fields; i++)
        r->used += (size_t)snprintf(r->text + r->used, r->cap - r->used, "%s%s", i ? "|" : "",
                                    csv_row_field(row, i));
    r->used += (size_t)snprintf(r->text + r->used, r->cap - r->used, "\n");
    return ENGAGE_OK;
}

/* Read bytes at a chunk size (0: whole reads, with the reading thread);
 * rows receives the records. */
static engage_status_t read_rows(const unsigned char *bytes, size_t len, size_t chunk, const char *encoding,
                                 char delimiter, rows_t *rows, csv_rows_info_t *info, engage_error_t *err)
{
    source_t *src;
    assert_int_equal(source_open_memory(&src, "case.csv", bytes, len, err), ENGAGE_OK);
    source_set_chunk(src, chunk);
    csv_rows_options_t options = {encoding, delimiter, chunk == 0};
    memset(rows, 0, sizeof *rows);
    rows->cap = 1;
    rows->text = calloc(1, 1);
    engage_status_t st = csv_rows_read(src, "case.csv", &options, collect, rows, info, err);
    source_close(src);
    return st;
}

static void run_case(const decode_case_t *tc, const unsigned char *bytes, size_t len, size_t chunk)
{
    engage_error_t err = {0};
    rows_t rows;
    csv_rows_info_t info = {0};
    engage_status_t st = read_rows(bytes, len, chunk, tc->encoding, tc->delimiter, &rows, &info, &err);
    if (st != tc->status)
        fail_msg("case '%s' chunk %zu: status %d, expected %d (%s)", tc->name, chunk, st, tc->status, err.message);
    if (st != ENGAGE_OK) {
        if (err.line != tc->error_line || !strstr(err.message, tc->error_text) ||
            strcmp(err.file, "case.csv") != 0)
            fail_msg("case '%s' chunk %zu: error at %s:%ld '%s', expected line %ld '%s'", tc->name, chunk,
                     err.file, err.line, err.message, tc->error_line, tc->error_text);
        if (tc->hint_text && !strstr(err.hint, tc->hint_text))
            fail_msg("case '%s' chunk %zu: hint '%s', expected '%s'", tc->name, chunk, err.hint, tc->hint_text);
    }
    if (tc->rows && strcmp(rows.text, tc->rows) != 0)
        fail_msg("case '%s' chunk %zu: records\n%s\nexpected\n%s", tc->name, chunk, rows.text, tc->rows);
    if (tc->info_encoding && strcmp(info.encoding, tc->info_encoding) != 0)
        fail_msg("case '%s' chunk %zu: encoding %s, expected %s", tc->name, chunk, info.encoding,
                 tc->info_encoding);
    if (tc->status == ENGAGE_OK || tc->info_encoding) {
        if (info.bom != tc->bom || info.delimiter != tc->info_delimiter)
            fail_msg("case '%s' chunk %zu: bom %d delimiter '%c', expected %d '%c'", tc->name, chunk, info.bom,
                     info.delimiter, tc->bom, tc->info_delimiter);
    }
    free(rows.text);
}

static void test_cases_at_every_chunk_size(void **state)
{
    (void)state;
    unsigned char bytes[1024];
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const decode_case_t *tc = &CASES[i];
        size_t len = store_case(tc, bytes);
        for (size_t chunk = 1; chunk <= len + 1; chunk++)
            run_case(tc, bytes, len, chunk);
        run_case(tc, bytes, len, 0);
    }
}

static const size_t SOME_CHUNKS[] = {1, 2, 3, 7, 4096, 65535, 65536, 0};

/* A header, then `lines` ASCII records (over 64 KiB for 7000), then last. */
static char *late_text(size_t lines, const char *last, size_t *len)
{
    size_t cap = 64 + lines * 32 + strlen(last);
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "respondent_id;manager_id;Q1\n");
    for (size_t i = 0; i < lines; i++)
        n += (size_t)snprintf(text + n, cap - n, "r%zu;m%zu;4\n", i, i % 50);
    n += (size_t)snprintf(text + n, cap - n, "%s", last);
    *len = n;
    return text;
}

static void test_first_non_ascii_after_64k(void **state)
{
    (void)state;
    size_t len;
    /* Windows-1252 */
    char *text = late_text(7000, "r\xE9;M\xFCller;\x80\n", &len);
    assert_true(len > 70000);
    for (size_t c = 0; c < sizeof SOME_CHUNKS / sizeof *SOME_CHUNKS; c++) {
        engage_error_t err = {0};
        rows_t rows;
        csv_rows_info_t info = {0};
        assert_int_equal(read_rows((unsigned char *)text, len, SOME_CHUNKS[c], "auto", 0, &rows, &info, &err),
                         ENGAGE_OK);
        const char *expected_last = "7002:ré|Müller|€\n";
        assert_string_equal(rows.text + rows.used - strlen(expected_last), expected_last);
        assert_memory_equal(rows.text, "1:respondent_id|manager_id|Q1\n2:r0|m0|4\n", 40);
        assert_string_equal(info.encoding, "windows-1252");
        assert_int_equal(info.delimiter, ';');
        assert_int_equal(info.last_line, 7002);
        free(rows.text);
    }
    free(text);

    /* UTF-8, then a Windows-1252 byte further on */
    text = late_text(7000, "r\xC3\xA9;m;4\nr2;m;4\nr\xE9;m;4\n", &len);
    for (size_t c = 0; c < sizeof SOME_CHUNKS / sizeof *SOME_CHUNKS; c++) {
        engage_error_t err = {0};
        rows_t rows;
        csv_rows_info_t info = {0};
        assert_int_equal(read_rows((unsigned char *)text, len, SOME_CHUNKS[c], "auto", 0, &rows, &info, &err),
                         ENGAGE_EDATA);
        assert_int_equal(err.line, 7004);
        assert_string_equal(err.message, "not valid UTF-8 (byte 0xE9) although earlier lines are");
        assert_non_null(strstr(err.hint, "encoding = windows-1252"));
        const char *expected_last = "7002:ré|m|4\n7003:r2|m|4\n";
        assert_string_equal(rows.text + rows.used - strlen(expected_last), expected_last);
        assert_string_equal(info.encoding, "utf-8");
        free(rows.text);
    }
    free(text);
}

/* A header record longer than the 64 KiB the sniffer looks at: what it saw
 * of the first record decides. */
static void test_sniff_long_header(void **state)
{
    (void)state;
    size_t cap = 100000;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    for (size_t i = 0; n < 80000; i++)
        n += (size_t)snprintf(text + n, cap - n, "%sQ%zu", i ? "\t" : "", i);
    n += (size_t)snprintf(text + n, cap - n, "\n1\t2\n");
    for (size_t c = 0; c < sizeof SOME_CHUNKS / sizeof *SOME_CHUNKS; c++) {
        engage_error_t err = {0};
        rows_t rows;
        csv_rows_info_t info = {0};
        assert_int_equal(read_rows((unsigned char *)text, n, SOME_CHUNKS[c], "auto", 0, &rows, &info, &err),
                         ENGAGE_OK);
        assert_int_equal(info.delimiter, '\t');
        assert_string_equal(rows.text + rows.used - 6, "2:1|2\n");
        free(rows.text);
    }
    free(text);
}

/* The share each record says, checked against where it ends in the text. */
typedef struct {
    const size_t *line_end;    /* per line (from 1): offset one past its terminator */
    size_t len, rows;
    double last;
} shares_t;

static engage_status_t check_share(void *user, const csv_row_t *row, engage_error_t *err)
{
    (void)err;
    shares_t *s = user;
    assert_true(row->share_read >= s->last);
    assert_true(row->share_read <= 1.0);
    assert_true(row->share_read * (double)s->len >= (double)s->line_end[row->line] - 0.5);
    s->last = row->share_read;
    s->rows++;
    return ENGAGE_OK;
}

/* Each record's share_read is at least where the record ends, over a
 * text of many batches, at several chunk sizes, with and without the
 * reading thread; the last record's is the whole input. */
static void test_share_read_passes_each_record(void **state)
{
    (void)state;
    enum { LINES = 30000 };
    size_t cap = (size_t)LINES * 40, len = 0;
    char *text = malloc(cap);
    size_t *line_end = calloc(LINES + 2, sizeof *line_end);
    assert_non_null(text);
    assert_non_null(line_end);
    for (size_t l = 1; l <= LINES; l++) {
        len += (size_t)snprintf(text + len, cap - len, l == 1 ? "id,manager,Q1\r\n" : "r%zu,m%zu,%zu\n", l,
                                l / 9, l % 5 + 1);
        line_end[l] = len;
    }
    const size_t chunks[] = {0, 1000, 65536};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        source_t *src;
        engage_error_t err = {0};
        assert_int_equal(source_open_memory(&src, "shares.csv", text, len, &err), ENGAGE_OK);
        source_set_chunk(src, chunks[c]);
        csv_rows_options_t options = {"auto", 0, chunks[c] == 0};
        csv_rows_info_t info = {0};
        shares_t shares = {line_end, len, 0, 0.0};
        assert_int_equal(csv_rows_read(src, "shares.csv", &options, check_share, &shares, &info, &err), ENGAGE_OK);
        assert_int_equal(shares.rows, LINES);
        assert_true(shares.last == 1.0);
        source_close(src);
    }
    free(line_end);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_at_every_chunk_size),
        cmocka_unit_test(test_first_non_ascii_after_64k),
        cmocka_unit_test(test_sniff_long_header),
        cmocka_unit_test(test_share_read_passes_each_record),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
