/*
 * tests/ingest/test_gzip.c — gzip input through source.c.
 *
 * Streams are made here with zlib's deflate (one member or several, with
 * the optional header fields) and then cut, followed by stray bytes or
 * damaged.  Each is read from memory and from a file (with inflating on a
 * thread of its own, as a run reads), at several chunk sizes; good ones
 * must give back every byte and count and hash the stored bytes, bad ones
 * must fail with their message.  For damaged deflate data the expected
 * message is zlib's own verdict on the same bytes (inflate called here
 * directly), so the reader's errors are zlib's whatever decoder runs.
 * How far through its stored bytes a source says it is (source_share_read)
 * is checked against zlib inflating only those bytes.
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
#include <unistd.h>
#include <zlib.h>

#include "../../ingest/source.h"

enum { TEXT_CAP = 1 << 21 };

typedef enum { FROM_MEMORY, FROM_FILE, FROM_FILE_AHEAD } origin_t;

typedef struct {
    engage_status_t status;
    engage_error_t err;
    unsigned char *text;
    size_t text_len;
    uint64_t bytes;
    char sha256[65];
} read_result_t;

/* Read every byte of a gzip stream; chunk 0 is the default size. */
static void read_gzip(const unsigned char *bytes, size_t len, size_t chunk, origin_t origin, read_result_t *out)
{
    free(out->text);
    memset(out, 0, sizeof *out);
    out->text = malloc(TEXT_CAP);
    assert_non_null(out->text);
    char path[] = "/tmp/engage-test-gzip.XXXXXX";
    source_t *src;
    if (origin == FROM_MEMORY) {
        assert_int_equal(source_open_memory(&src, "x.csv.gz", bytes, len, &out->err), ENGAGE_OK);
    } else {
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, bytes, len), (ssize_t)len);
        close(fd);
        assert_int_equal(source_open_path(&src, path, &out->err), ENGAGE_OK);
        source_read_ahead(src, origin == FROM_FILE_AHEAD);
    }
    source_set_chunk(src, chunk);
    for (;;) {
        const unsigned char *data;
        size_t n;
        out->status = source_read(src, &data, &n, 1, &out->err);
        if (out->status != ENGAGE_OK || n == 0)
            break;
        assert_true(out->text_len + n <= TEXT_CAP);
        memcpy(out->text + out->text_len, data, n);
        out->text_len += n;
    }
    source_stop(src);
    assert_int_equal(source_is_gzip(src), len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b);
    out->bytes = source_bytes(src);
    source_sha256(src, out->sha256);
    source_close(src);
    if (origin != FROM_MEMORY)
        unlink(path);
}

/* One gzip member of text into out (level 6, or 0 for stored blocks);
 * with named, a header with every optional field.  Returns its size. */
static size_t gzip_member(const void *text, size_t len, int level, bool named, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gz_header head = {0};
    if (named) {
        static unsigned char extra[] = "AB\4\0data";
        head.extra = extra;
        head.extra_len = 8;
        head.name = (unsigned char *)"quarter.csv";
        head.comment = (unsigned char *)"a comment";
        head.hcrc = 1;
        head.os = 3;
        assert_int_equal(deflateSetHeader(&z, &head), Z_OK);
    }
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

/* Survey-like text of about `rows` lines (deflate makes dynamic blocks of it). */
static size_t survey_text(char *out, size_t cap, size_t rows, unsigned seed)
{
    size_t n = (size_t)snprintf(out, cap, "respondent_id,manager_id,Q1,Q2,Q3\n");
    for (size_t r = 0; r < rows; r++) {
        seed = seed ? seed * 1103515245u + 12345u : 0; /* seed 0: the same answers throughout */
        n += (size_t)snprintf(out + n, cap - n, "R%07zu,M%05zu,%u,%u,%u\n", r + 1, r / 7 + 1, seed >> 29 & 3,
                              (seed >> 25 & 3) + 1, (seed >> 21 & 3) + 2);
        assert_true(n < cap);
    }
    return n;
}

static const origin_t ORIGINS[] = {FROM_MEMORY, FROM_FILE, FROM_FILE_AHEAD};

static void expect_text(const unsigned char *gz, size_t gz_len, const void *text, size_t len, size_t chunk)
{
    char sha[65];
    SHA256Data(gz, gz_len, sha);
    read_result_t r = {0};
    for (size_t o = 0; o < sizeof ORIGINS / sizeof *ORIGINS; o++) {
        read_gzip(gz, gz_len, chunk, ORIGINS[o], &r);
        if (r.status != ENGAGE_OK)
            fail_msg("origin %zu chunk %zu: %s", o, chunk, r.err.message);
        assert_int_equal(r.text_len, len);
        assert_memory_equal(r.text, text, len);
        assert_int_equal(r.bytes, gz_len);
        assert_string_equal(r.sha256, sha);
    }
    free(r.text);
}

/* The stream fails with exactly this message wherever it is read from. */
static void expect_error(const unsigned char *gz, size_t gz_len, size_t chunk, const char *message)
{
    read_result_t r = {0};
    for (size_t o = 0; o < sizeof ORIGINS / sizeof *ORIGINS; o++) {
        read_gzip(gz, gz_len, chunk, ORIGINS[o], &r);
        if (r.status != ENGAGE_EDATA || strcmp(r.err.message, message) != 0)
            fail_msg("origin %zu chunk %zu: status %d '%s', expected '%s'", o, chunk, (int)r.status,
                     r.err.message, message);
    }
    free(r.text);
}

static const char *TRUNCATED = "gzip data is truncated (the file ends inside the compressed stream)";
static const char *STRAY = "unexpected bytes after the end of the gzip data";

/* Members of every kind one after the other: text, an empty one, stored
 * blocks, a header with every optional field, and a large one. */
static void test_members(void **state)
{
    (void)state;
    size_t cap = TEXT_CAP;
    char *text = malloc(cap);
    unsigned char *gz = malloc(cap);
    size_t parts[] = {0, 0, 0, 0, 0};
    size_t len = 0, gz_len = 0;
    len += parts[0] = survey_text(text, cap, 3, 1);
    gz_len += gzip_member(text, parts[0], 6, false, gz, cap);
    gz_len += gzip_member("", 0, 6, false, gz + gz_len, cap - gz_len);
    len += parts[2] = (size_t)snprintf(text + len, cap - len, "R9,M9,1,2,3\n");
    gz_len += gzip_member(text + len - parts[2], parts[2], 0, false, gz + gz_len, cap - gz_len);
    len += parts[3] = (size_t)snprintf(text + len, cap - len, "R10,M9,4,4,4\n");
    gz_len += gzip_member(text + len - parts[3], parts[3], 6, true, gz + gz_len, cap - gz_len);
    size_t small_gz = gz_len, small_len = len;
    for (size_t chunk = 0; chunk <= small_gz + 1; chunk++)
        expect_text(gz, small_gz, text, small_len, chunk);

    /* a large member (several output chunks) after them */
    parts[4] = survey_text(text + len, cap - len, 40000, 7);
    gz_len += gzip_member(text + len, parts[4], 6, false, gz + gz_len, cap - gz_len);
    len += parts[4];
    assert_true(len > 3 * (1 << 18));
    for (size_t chunk = 0; chunk < 3; chunk++)
        expect_text(gz, gz_len, text, len, chunk ? 4093 * chunk : 0);
    free(text);
    free(gz);
}

/* Cut anywhere: truncated, unless the cut falls between two members. */
static void test_truncated_anywhere(void **state)
{
    (void)state;
    char text[4096];
    unsigned char gz[4096];
    size_t a = survey_text(text, sizeof text, 4, 2);
    size_t b = survey_text(text + a, sizeof text - a, 3, 3);
    size_t n1 = gzip_member(text, a, 6, false, gz, sizeof gz);
    size_t n2 = gzip_member(text + a, b, 6, true, gz + n1, sizeof gz - n1);
    for (size_t cut = 2; cut < n1 + n2; cut++) { /* one byte is not gzip yet */
        if (cut == n1) {
            expect_text(gz, cut, text, a, 0);
            continue;
        }
        expect_error(gz, cut, 0, TRUNCATED);
        if (cut % 7 == 0)
            expect_error(gz, cut, 3, TRUNCATED);
    }
}

/* Bytes after the last member: they must start another one. */
static void test_after_the_end(void **state)
{
    (void)state;
    char text[1024];
    unsigned char gz[2048];
    size_t len = survey_text(text, sizeof text, 4, 4);
    size_t n = gzip_member(text, len, 6, false, gz, sizeof gz);
    static const struct {
        const char *bytes;
        size_t len;
        const char *message;
    } tails[] = {
        {"x", 1, NULL},
        {"\0\0\0\0", 4, NULL},
        {"\n", 1, NULL},
        {"\x1f", 1, NULL},                  /* a member that never came */
        {"\x1f\x8b", 2, NULL},
        {"\x1f\x8b\x08\0\0\0\0\0\0\3", 10, NULL},
        {"\x1f\x00\x08\0\0\0\0\0\0\3xxxxxxxx", 18, "corrupt gzip data (incorrect header check)"},
    };
    for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
        memcpy(gz + n, tails[t].bytes, tails[t].len);
        const char *message = tails[t].message ? tails[t].message : tails[t].bytes[0] == 0x1f ? TRUNCATED : STRAY;
        for (size_t chunk = 0; chunk < 4; chunk++)
            expect_error(gz, n + tails[t].len, chunk, message);
    }
}

/* A damaged header or trailer, in the first member and in a later one. */
static void test_damaged_wrapper(void **state)
{
    (void)state;
    char text[1024];
    unsigned char good[2048], gz[2048];
    size_t len = survey_text(text, sizeof text, 4, 5);
    size_t n1 = gzip_member(text, len, 6, false, good, sizeof good);
    size_t n2 = gzip_member(text, len, 6, true, good + n1, sizeof good - n1);
    static const struct {
        size_t at;        /* byte of the member */
        bool from_end;    /* ... counted back from its end */
        unsigned char xor_with;
        const char *message;
    } damage[] = {
        {1, false, 0x01, "corrupt gzip data (incorrect header check)"},
        {2, false, 0x0f, "corrupt gzip data (unknown compression method)"},
        {3, false, 0x20, "corrupt gzip data (unknown header flags set)"},
        {8, true, 0x01, "corrupt gzip data (incorrect data check)"},
        {5, true, 0x80, "corrupt gzip data (incorrect data check)"},
        {4, true, 0x01, "corrupt gzip data (incorrect length check)"},
        {1, true, 0x10, "corrupt gzip data (incorrect length check)"},
    };
    for (size_t d = 0; d < sizeof damage / sizeof *damage; d++)
        for (int member = damage[d].at == 1 && !damage[d].from_end; member < 2; member++) {
            /* (a first member without its magic is no gzip file) */
            memcpy(gz, good, n1 + n2);
            size_t start = member ? n1 : 0, size = member ? n2 : n1;
            gz[start + (damage[d].from_end ? size - damage[d].at : damage[d].at)] ^= damage[d].xor_with;
            for (size_t chunk = 0; chunk < 3; chunk++)
                expect_error(gz, n1 + n2, chunk, damage[d].message);
        }
    /* the header's own CRC (the named member's header ends 2 bytes after
     * its comment's NUL) */
    memcpy(gz, good, n1 + n2);
    unsigned char *comment_end = memchr(memmem(gz + n1, n2, "a comment", 9), 0, 16);
    assert_non_null(comment_end);
    comment_end[1] ^= 0x01;
    expect_error(gz, n1 + n2, 0, "corrupt gzip data (header crc mismatch)");
}

/* zlib's verdict on a single damaged member: its message, or NULL when
 * it reads the member without error (or wants more of it). */
static const char *zlib_verdict(const unsigned char *gz, size_t len, char *msg, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 31), Z_OK);
    unsigned char out[1 << 16];
    z.next_in = (unsigned char *)gz;
    z.avail_in = (uInt)len;
    int rc;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        rc = inflate(&z, Z_NO_FLUSH);
    } while (rc == Z_OK);
    const char *verdict = NULL;
    if (rc == Z_DATA_ERROR) {
        snprintf(msg, cap, "corrupt gzip data (%s)", z.msg ? z.msg : "inflate failed");
        verdict = msg;
    }
    inflateEnd(&z);
    return verdict;
}

/* How many bytes a reader made of zlib alone hands out before its error:
 * stored reads of `raw` bytes, each inflated into reads of at most `out`
 * bytes, a read cut short by an error handed out not at all. */
static size_t zlib_handed_out(const unsigned char *gz, size_t len, size_t raw, size_t out)
{
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 31), Z_OK);
    unsigned char *buffer = malloc(out);
    size_t handed = 0, pos = 0, end = 0;
    for (;;) {
        z.next_out = buffer;
        z.avail_out = (uInt)out;
        int rc = Z_OK;
        while (z.avail_out == out) {
            if (pos == end) {
                if (end == len)
                    break;
                end = end + raw < len ? end + raw : len;
            }
            z.next_in = (unsigned char *)gz + pos;
            z.avail_in = (uInt)(end - pos);
            rc = inflate(&z, Z_NO_FLUSH);
            pos = end - z.avail_in;
            if (rc == Z_STREAM_END || (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_in == 0)))
                break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            break;
        if (z.avail_out == out)
            break;
        handed += out - z.avail_out;
    }
    free(buffer);
    inflateEnd(&z);
    return handed;
}

/* Damaged deflate data: the same error as zlib's (after the same bytes,
 * at the reader's own read sizes), byte after byte of members of dynamic
 * blocks and of stored blocks. */
static void test_damaged_data(void **state)
{
    (void)state;
    size_t cap = TEXT_CAP;
    char *text = malloc(cap);
    unsigned char *good = malloc(cap), *gz = malloc(cap);
    size_t checked = 0;
    read_result_t r = {0};
    /* dynamic blocks, dynamic blocks that fill the reader's output chunks
     * (the same answers in every row), stored blocks */
    for (int kind = 0; kind < 3; kind++) {
        size_t len = survey_text(text, cap, kind == 1 ? 60000 : 10000, kind == 1 ? 0 : 6);
        int level = kind == 2 ? 0 : 6;
        size_t n = gzip_member(text, level ? len : 3000, level, false, good, cap);
        size_t step = n / (kind == 1 ? 20 : 120) + 1;
        for (size_t at = 10; at < n - 8; at += step) {
            for (unsigned x = 1; x < 256; x += 84) {
                memcpy(gz, good, n);
                gz[at] ^= (unsigned char)x;
                char msg[256];
                const char *verdict = zlib_verdict(gz, n, msg, sizeof msg);
                if (!verdict)
                    continue; /* an early end, then stray bytes: not this test's case */
                expect_error(gz, n, 0, verdict);
                read_gzip(gz, n, 0, FROM_FILE, &r);
                if (r.text_len != zlib_handed_out(gz, n, 1 << 16, 1 << 18))
                    fail_msg("kind %d, byte %zu ^ %u: %zu bytes before the error, zlib %zu", kind, at, x,
                             r.text_len, zlib_handed_out(gz, n, 1 << 16, 1 << 18));
                /* (reads cut this small may end elsewhere: only the error is the same) */
                if (at % 5 == 0)
                    expect_error(gz, n, 1000, verdict);
                checked++;
            }
        }
    }
    assert_true(checked > 350);
    free(r.text);
    free(text);
    free(good);
    free(gz);
}

/* Bytes zlib makes of the first `stored` bytes of a one-member stream. */
static size_t zlib_inflated_from(const unsigned char *gz, size_t stored, unsigned char *scratch, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 31), Z_OK);
    z.next_in = (unsigned char *)gz;
    z.avail_in = (uInt)stored;
    z.next_out = scratch;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
    size_t made = cap - z.avail_out;
    inflateEnd(&z);
    return made;
}

/* After each chunk, the stored bytes a source says are behind it never
 * go back, hold every byte handed out so far (zlib makes at least as much
 * of them alone), and at the end are the whole input; read from memory,
 * from a file and with the inflating thread, gzip and plain, at several
 * chunk sizes.  A device has no size to say. */
static void test_share_read(void **state)
{
    (void)state;
    char *text = malloc(TEXT_CAP);
    unsigned char *gz = malloc(TEXT_CAP), *scratch = malloc(TEXT_CAP);
    assert_non_null(text);
    assert_non_null(gz);
    assert_non_null(scratch);
    size_t len = survey_text(text, TEXT_CAP, 40000, 7);
    size_t gz_len = gzip_member(text, len, 6, false, gz, TEXT_CAP);
    const size_t chunks[] = {0, 4096, 777};
    for (int plain = 0; plain < 2; plain++) {
        const unsigned char *input = plain ? (const unsigned char *)text : gz;
        size_t input_len = plain ? len : gz_len;
        for (size_t o = 0; o < sizeof ORIGINS / sizeof *ORIGINS; o++) {
            for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
                char path[] = "/tmp/engage-test-share.XXXXXX";
                source_t *src;
                engage_error_t err = {0};
                if (ORIGINS[o] == FROM_MEMORY) {
                    assert_int_equal(source_open_memory(&src, "x", input, input_len, &err), ENGAGE_OK);
                } else {
                    int fd = mkstemp(path);
                    assert_true(fd >= 0);
                    assert_int_equal(write(fd, input, input_len), (ssize_t)input_len);
                    close(fd);
                    assert_int_equal(source_open_path(&src, path, &err), ENGAGE_OK);
                    source_read_ahead(src, ORIGINS[o] == FROM_FILE_AHEAD);
                }
                source_set_chunk(src, chunks[c]);
                uint64_t behind, size, before = 0;
                size_t handed = 0, reads = 0;
                for (;;) {
                    const unsigned char *data;
                    size_t n;
                    assert_int_equal(source_read(src, &data, &n, 1, &err), ENGAGE_OK);
                    assert_true(source_share_read(src, &behind, &size));
                    assert_int_equal(size, input_len);
                    assert_true(behind >= before && behind <= size);
                    before = behind;
                    if (n == 0)
                        break;
                    handed += n;
                    reads++;
                    if (plain)
                        assert_true(behind >= handed);
                    else if (reads % 5 == 1)   /* zlib from the start each time: every fifth read */
                        assert_true(zlib_inflated_from(gz, (size_t)behind, scratch, TEXT_CAP) >= handed);
                }
                assert_int_equal(handed, len);
                assert_int_equal(behind, input_len);
                assert_true(reads > 1);
                source_close(src);
                if (ORIGINS[o] != FROM_MEMORY)
                    unlink(path);
            }
        }
    }
    source_t *device;
    engage_error_t err = {0};
    assert_int_equal(source_open_path(&device, "/dev/null", &err), ENGAGE_OK);
    uint64_t behind, size;
    assert_false(source_share_read(device, &behind, &size));
    source_close(device);
    free(scratch);
    free(gz);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_truncated_anywhere),
        cmocka_unit_test(test_after_the_end),
        cmocka_unit_test(test_damaged_wrapper),
        cmocka_unit_test(test_damaged_data),
        cmocka_unit_test(test_share_read),
    };
    return cmocka_run_group_tests_name("gzip", tests, NULL, NULL);
}
