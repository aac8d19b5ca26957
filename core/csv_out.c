/*
 * core/csv_out.c — the CSV writer behind every CSV output (report tables and
 * the canonical archive).
 *
 * Cells are appended to a fixed buffer; when it fills, its bytes are hashed
 * (SHA-256 of the uncompressed text, so a digest does not depend on the zlib
 * version) and then written, either as they are or through deflate with a
 * gzip wrapper.  The gzip header is fixed (no name, mtime 0, OS 3 = Unix),
 * so the same text gives the same file on any machine with the same zlib.
 * SHA-256 comes from core/digest (the CPU's SHA instructions where there are
 * any): a report's managers.csv runs to megabytes.
 *
 * Numbers: "%.<digits>g" from snprintf is exact but slow (glibc prints with
 * multi-precision arithmetic), and a report writes about a million of them.
 * format_fast() produces the same bytes for the common cases (integers, and
 * values whose rounding to `digits` significant digits double arithmetic
 * decides with certainty) and says when it cannot; snprintf does the rest.
 * Each csv_out_t keeps the last numbers it formatted, by their bits, and
 * copies one that comes again (tables repeat their figures).
 *
 * A memory csv_out_t (csv_out_open_memory) collects its bytes in a growing
 * heap block instead, unhashed: a part of a table formatted on another
 * thread, which csv_out_append() then writes into the real output, where
 * it is hashed and written like any other bytes.
 *
 * Errors are sticky: the first failure (write, deflate, out of memory) is
 * remembered, later cells are dropped, and csv_out_close() reports it once.
 * Owns: the FILE (unless it is stdout), the digest, the buffers, the memory
 * block and a copy of the path.
 * Assumes: text cells are UTF-8 (passed through byte for byte); the
 * floating-point rounding mode is the default, round to nearest.
 */
#include "csv_out.h"

#include <csv.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "digest.h"

enum { CSV_OUT_BUFFER = 64 * 1024 };

/* Numbers recently formatted, by their bits: a table's figures repeat
 * (heatmap.csv's shares and means of small teams), and a copy is cheaper
 * than formatting again.  Direct-mapped, CSV_OUT_MEMO entries. */
enum { CSV_OUT_MEMO_BITS = 11, CSV_OUT_MEMO = 1 << CSV_OUT_MEMO_BITS, CSV_OUT_MEMO_TEXT = 24 };
typedef struct {
    uint64_t bits;
    unsigned char digits;   /* 0: empty */
    unsigned char len;
    char text[CSV_OUT_MEMO_TEXT];
} number_memo_t;

struct csv_out {
    FILE *fp;
    bool own_fp;            /* false for stdout: flushed, never closed */
    bool gzip;
    bool zinit;
    z_stream zs;
    gz_header head;         /* zlib keeps a pointer to it until the header is out */
    digest_t *sha;
    bool row_open;          /* a cell was written on the current row */
    engage_status_t status; /* first failure, ENGAGE_OK until then */
    int errnum;
    const char *what;       /* what failed, for the message */
    char *path;             /* for messages: the path, or "stdout" */
    bool memory;            /* csv_out_open_memory: bytes go to mem, not to a file */
    unsigned char *mem;
    size_t mem_len, mem_cap;
    size_t len;
    unsigned char buf[CSV_OUT_BUFFER];
    unsigned char zbuf[CSV_OUT_BUFFER];
    number_memo_t memo[CSV_OUT_MEMO];
};

/* ------------------------------------------------------------------------ */
/* numbers                                                                    */

/* snprintf follows LC_NUMERIC; the program never calls setlocale, but a
 * library or an embedding program might.  Put the C locale's '.' back. */
static void fix_decimal_point(char *buf)
{
    const struct lconv *lc = localeconv();
    const char *dp = lc && lc->decimal_point ? lc->decimal_point : ".";
    if (dp[0] == '\0' || strcmp(dp, ".") == 0)
        return;
    char *at = strstr(buf, dp);
    if (!at)
        return;
    size_t dplen = strlen(dp);
    *at = '.';
    memmove(at + 1, at + dplen, strlen(at + dplen) + 1);
}

/* 10^0 .. 10^22: the powers of ten that doubles hold exactly. */
static const double exact_pow10[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

enum { FAST_MAX_DIGITS = 15, EXACT_POW10_MAX = 22 };

/* Decimal digits of v, most significant first, into d; returns their
 * number. */
static int decimal_digits(uint64_t v, char d[20])
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        d[i] = tmp[n - 1 - i];
    return n;
}

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Exactly n digits of v < 10^n (leading zeros included), n <= 8: two at a
 * time, from the last. */
static void fixed_digits32(uint32_t v, int n, char *d)
{
    while (n >= 2) {
        n -= 2;
        memcpy(d + n, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (n)
        d[0] = (char)('0' + v);
}

/* Exactly n digits of v < 10^n, n <= 16, as two independent halves. */
static void fixed_digits(uint64_t v, int n, char *d)
{
    if (n > 8) {
        fixed_digits32((uint32_t)(v / 100000000u), n - 8, d);
        fixed_digits32((uint32_t)(v % 100000000u), 8, d + n - 8);
    } else {
        fixed_digits32((uint32_t)v, n, d);
    }
}

/*
 * "%.<digits>g" of a finite, non-zero value with 1 <= digits <= 17, exactly
 * as snprintf writes it in the C locale, when that can be guaranteed cheaply;
 * returns the length written into buf (at least 32 bytes), or 0 when the
 * caller must use snprintf.
 *
 * Integers below 10^digits (and 2^53) print as themselves.  Otherwise, with
 * 10^e <= |v| < 10^(e+1), y = |v|·10^(digits-1-e) is computed in one
 * correctly rounded operation, so it is within half an ulp, at most
 * 10^digits·2^-53, of the exact product Y.  When y lies at least that far
 * inside [10^(digits-1), 10^digits) and further than that from a half, the
 * nearest integer to y is also the correctly rounded Y: the digits snprintf
 * prints, with exponent e.  Anything closer to a tie or a power of ten, or
 * out of the range of exact powers of ten, is left to snprintf.
 */
static size_t format_fast(double value, int digits, char *buf)
{
    char *p = buf;
    double a = value;
    if (a < 0) {
        *p++ = '-';
        a = -a;
    }
    char d[20];
    if (a < 0x1p53 && a < exact_pow10[digits < EXACT_POW10_MAX ? digits : EXACT_POW10_MAX] &&
        a == (double)(uint64_t)a) {
        int n = decimal_digits((uint64_t)a, d);
        memcpy(p, d, (size_t)n);
        return (size_t)(p - buf) + (size_t)n;
    }
    if (digits > FAST_MAX_DIGITS)
        return 0;

    /* e from the binary exponent b (2^b <= a < 2^(b+1)): b·1233/4096, just
     * under b·log10 2, rounded down (the offset keeps the shift on a
     * positive number), is e or one off; the loop corrects it.  Subnormals
     * give a b far out of range and go to snprintf. */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int b = (int)((bits >> 52) & 0x7ff) - 1023;
    int e = (((b + 4096) * 1233) >> 12) - 1233;
    const double low = exact_pow10[digits - 1], high = exact_pow10[digits];
    const double margin = high * 0x1p-53;
    double y = 0.0;
    for (int attempt = 0; attempt < 3; attempt++) {
        int scale = digits - 1 - e;
        if (scale > EXACT_POW10_MAX || scale < -EXACT_POW10_MAX)
            return 0;
        y = scale >= 0 ? a * exact_pow10[scale] : a / exact_pow10[-scale];
        if (y >= high)
            e++;
        else if (y < low)
            e--;
        else
            break;
    }
    if (!(y >= low + margin && y <= high - margin - 1.0))
        return 0;
    /* q is the nearest integer unless y is within rounding of a half, which
     * the test rejects; y - q is exact (Sterbenz) */
    uint64_t q = (uint64_t)(y + 0.5);
    if (fabs(y - (double)q) >= 0.5 - 2.0 * margin)
        return 0;

    fixed_digits(q, digits, d);              /* q has exactly `digits` digits */
    int last = digits - 1;                   /* last digit kept: no trailing zeros */
    while (last > 0 && d[last] == '0')
        last--;
    if (e >= -4 && e < digits) {
        /* fixed notation */
        if (e >= 0) {
            memcpy(p, d, (size_t)e + 1);
            p += e + 1;
            if (last > e) {
                *p++ = '.';
                memcpy(p, d + e + 1, (size_t)(last - e));
                p += last - e;
            }
        } else {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *p++ = '0';
            memcpy(p, d, (size_t)last + 1);
            p += last + 1;
        }
    } else {
        /* exponent notation: d[.ddd]e±XX */
        *p++ = d[0];
        if (last > 0) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)last);
            p += last;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        int x = e < 0 ? -e : e;
        if (x < 10)
            *p++ = '0';
        char xd[20];
        int xn = decimal_digits((uint64_t)x, xd);
        memcpy(p, xd, (size_t)xn);
        p += xn;
    }
    return (size_t)(p - buf);
}

/* The number of csv_out_format_number into buf (at least 32 bytes);
 * returns its length. */
static size_t format_number(double value, int digits, char *buf, size_t size)
{
    if (!isfinite(value)) {
        buf[0] = '\0';
        return 0;
    }
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    if (value == 0.0) {        /* also -0 */
        buf[0] = '0';
        buf[1] = '\0';
        return 1;
    }
    size_t n = format_fast(value, digits, buf);
    if (n > 0) {
        buf[n] = '\0';
        return n;
    }
    snprintf(buf, size, "%.*g", digits, value);
    fix_decimal_point(buf);
    return strlen(buf);
}

char *csv_out_format_number(double value, int digits, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    char tmp[64];
    size_t n = format_number(value, digits, tmp, sizeof tmp);
    if (n >= size)
        n = size - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */
/* output                                                                     */

static void fail(csv_out_t *out, engage_status_t status, int errnum, const char *what)
{
    if (out->status != ENGAGE_OK)
        return;
    out->status = status;
    out->errnum = errnum;
    out->what = what;
}

static void write_raw(csv_out_t *out, const void *data, size_t size)
{
    if (size == 0 || out->status != ENGAGE_OK)
        return;
    errno = 0;
    if (fwrite(data, 1, size, out->fp) != size)
        fail(out, ENGAGE_EIO, errno ? errno : EIO, "cannot write");
}

/* Feed `size` bytes of the buffer to deflate (flush = Z_NO_FLUSH or
 * Z_FINISH) and write what comes out. */
static void deflate_some(csv_out_t *out, const unsigned char *data, size_t size, int flush)
{
    out->zs.next_in = (Bytef *)data;
    out->zs.avail_in = (uInt)size;
    for (;;) {
        out->zs.next_out = out->zbuf;
        out->zs.avail_out = sizeof out->zbuf;
        int rc = deflate(&out->zs, flush);
        if (rc == Z_STREAM_ERROR) {
            fail(out, ENGAGE_EIO, EIO, "cannot compress");
            return;
        }
        write_raw(out, out->zbuf, sizeof out->zbuf - out->zs.avail_out);
        if (out->status != ENGAGE_OK)
            return;
        if (flush == Z_FINISH ? rc == Z_STREAM_END
                              : (out->zs.avail_in == 0 && out->zs.avail_out != 0))
            return;
    }
}

/* A memory csv_out_t: append the buffer to the memory block. */
static void keep_buffer(csv_out_t *out)
{
    if (out->mem_cap - out->mem_len < out->len) {
        size_t cap = out->mem_cap ? out->mem_cap : 4 * CSV_OUT_BUFFER;
        while (cap - out->mem_len < out->len) {
            if (cap > SIZE_MAX / 2) {
                fail(out, ENGAGE_ENOMEM, ENOMEM, "out of memory");
                return;
            }
            cap *= 2;
        }
        unsigned char *grown = realloc(out->mem, cap);
        if (!grown) {
            fail(out, ENGAGE_ENOMEM, ENOMEM, "out of memory");
            return;
        }
        out->mem = grown;
        out->mem_cap = cap;
    }
    memcpy(out->mem + out->mem_len, out->buf, out->len);
    out->mem_len += out->len;
}

static void flush_buffer(csv_out_t *out)
{
    if (out->len == 0)
        return;
    if (out->status == ENGAGE_OK && out->memory) {
        keep_buffer(out);
    } else if (out->status == ENGAGE_OK) {
        digest_update(out->sha, out->buf, out->len);
        if (out->gzip)
            deflate_some(out, out->buf, out->len, Z_NO_FLUSH);
        else
            write_raw(out, out->buf, out->len);
    }
    out->len = 0;
}

static void put(csv_out_t *out, const void *data, size_t size)
{
    const unsigned char *p = data;
    if (size < sizeof out->buf - out->len) {   /* room to spare: one copy */
        memcpy(out->buf + out->len, p, size);
        out->len += size;
        return;
    }
    while (size > 0 && out->status == ENGAGE_OK) {
        size_t room = sizeof out->buf - out->len;
        size_t n = size < room ? size : room;
        memcpy(out->buf + out->len, p, n);
        out->len += n;
        p += n;
        size -= n;
        if (out->len == sizeof out->buf)
            flush_buffer(out);
    }
}

/* One byte, without put's loop while the buffer has room. */
static void put_byte(csv_out_t *out, unsigned char byte)
{
    if (out->len < sizeof out->buf - 1) {
        out->buf[out->len++] = byte;
        return;
    }
    put(out, &byte, 1);
}

static void begin_cell(csv_out_t *out)
{
    if (out->row_open)
        put_byte(out, ',');
    out->row_open = true;
}

engage_status_t csv_out_open(csv_out_t **out, const char *path, bool gzip, engage_error_t *err)
{
    *out = NULL;
    csv_out_t *o = calloc(1, sizeof *o);
    if (!o)
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    o->path = strdup(path ? path : "stdout");
    o->sha = digest_new();
    if (!o->path || !o->sha) {
        digest_free(o->sha);
        free(o->path);
        free(o);
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    }
    if (gzip) {
        /* windowBits 15 + 16: a gzip wrapper.  The explicit header keeps
         * mtime 0 and no file name, whatever zlib's defaults. */
        if (deflateInit2(&o->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            digest_free(o->sha);
            free(o->path);
            free(o);
            return engage_fail(err, ENGAGE_ENOMEM, path, 0, "cannot start gzip compression");
        }
        o->zinit = true;
        o->head.os = 3;
        if (deflateSetHeader(&o->zs, &o->head) != Z_OK) {
            deflateEnd(&o->zs);
            digest_free(o->sha);
            free(o->path);
            free(o);
            return engage_fail(err, ENGAGE_ENOMEM, path, 0, "cannot start gzip compression");
        }
    }
    o->gzip = gzip;
    if (path) {
        o->fp = fopen(path, "wb");
        if (!o->fp) {
            int e = errno;
            if (o->zinit)
                deflateEnd(&o->zs);
            digest_free(o->sha);
            free(o->path);
            free(o);
            return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(e));
        }
        o->own_fp = true;
    } else {
        o->fp = stdout;
    }
    *out = o;
    return ENGAGE_OK;
}

engage_status_t csv_out_open_memory(csv_out_t **out, engage_error_t *err)
{
    *out = NULL;
    csv_out_t *o = calloc(1, sizeof *o);
    if (o)
        o->path = strdup("memory");
    if (!o || !o->path) {
        free(o);
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    }
    o->memory = true;
    *out = o;
    return ENGAGE_OK;
}

void csv_out_append(csv_out_t *out, csv_out_t *part)
{
    flush_buffer(part);
    if (part->status != ENGAGE_OK) {
        fail(out, part->status, part->errnum, part->what);
        return;
    }
    put(out, part->mem, part->mem_len);
    out->row_open = part->row_open;
}

static bool needs_quotes(const char *text, size_t len)
{
    if (len == 0)
        return false;
    if (text[0] == ' ' || text[0] == '\t' || text[len - 1] == ' ' || text[len - 1] == '\t')
        return true;
    return strpbrk(text, ",\"\r\n") != NULL;
}

/* A plain decimal number ("-0.25", "+3", "1e-5", "007") is data, not a
 * formula: spreadsheets read it as a number, so it is never altered. */
static bool is_plain_number(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

bool csv_out_guards(const char *text)
{
    switch (text[0]) {
    case '=': case '@': case '\t': case '\r':
        return true;
    case '+': case '-':
        return !is_plain_number(text);
    default:
        return false;
    }
}

static void put_quoted(csv_out_t *out, const char *text, size_t len)
{
    size_t need = csv_write(NULL, 0, text, len);
    if (need == SIZE_MAX) {
        fail(out, ENGAGE_ENOMEM, ENOMEM, "cell too large");
        return;
    }
    if (need <= sizeof out->buf - out->len) {
        csv_write(out->buf + out->len, need, text, len);
        out->len += need;
        if (out->len == sizeof out->buf)
            flush_buffer(out);
        return;
    }
    char *tmp = malloc(need);
    if (!tmp) {
        fail(out, ENGAGE_ENOMEM, ENOMEM, "out of memory");
        return;
    }
    csv_write(tmp, need, text, len);
    put(out, tmp, need);
    free(tmp);
}

void csv_out_text(csv_out_t *out, const char *text, bool guard_formula)
{
    begin_cell(out);
    if (!text || out->status != ENGAGE_OK)
        return;
    size_t len = strlen(text);
    bool guard = guard_formula && csv_out_guards(text);
    if (!guard) {
        if (needs_quotes(text, len))
            put_quoted(out, text, len);
        else
            put(out, text, len);
        return;
    }
    /* The guard becomes part of the cell, so quoting sees "'" + text. */
    char small[256];
    char *cell = len + 2 <= sizeof small ? small : malloc(len + 2);
    if (!cell) {
        fail(out, ENGAGE_ENOMEM, ENOMEM, "out of memory");
        return;
    }
    cell[0] = '\'';
    memcpy(cell + 1, text, len + 1);
    if (needs_quotes(cell, len + 1))
        put_quoted(out, cell, len + 1);
    else
        put(out, cell, len + 1);
    if (cell != small)
        free(cell);
}

/* Room for a number cell: its comma, at most 24 characters of a number
 * and the terminating NUL that formatting writes. */
enum { NUMBER_ROOM = 64 };

/* Make NUMBER_ROOM bytes free at the end of the buffer (unless failed). */
static bool number_room(csv_out_t *out)
{
    if (sizeof out->buf - out->len < NUMBER_ROOM)
        flush_buffer(out);
    return out->status == ENGAGE_OK;
}

void csv_out_number(csv_out_t *out, double value, int digits)
{
    begin_cell(out);
    if (!number_room(out) || !isfinite(value))
        return;
    char *at = (char *)out->buf + out->len;
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    number_memo_t *m = &out->memo[(bits * 0x9E3779B97F4A7C15ULL) >> (64 - CSV_OUT_MEMO_BITS)];
    if (m->digits == digits && m->bits == bits && digits > 0) {
        memcpy(at, m->text, CSV_OUT_MEMO_TEXT);
        out->len += m->len;
        return;
    }
    size_t n = format_number(value, digits, at, NUMBER_ROOM);
    out->len += n;
    if (n <= CSV_OUT_MEMO_TEXT && digits > 0 && digits <= UCHAR_MAX) {
        m->bits = bits;
        m->digits = (unsigned char)digits;
        m->len = (unsigned char)n;
        memcpy(m->text, at, n);
    }
}

void csv_out_integer(csv_out_t *out, long long value)
{
    begin_cell(out);
    if (!number_room(out))
        return;
    unsigned char *at = out->buf + out->len;
    unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long)value
                                             : (unsigned long long)value;
    if (value < 0)
        *at++ = '-';
    char d[20];
    int n = decimal_digits(magnitude, d);
    memcpy(at, d, (size_t)n);
    out->len += (size_t)(at - (out->buf + out->len)) + (size_t)n;
}

void csv_out_empty(csv_out_t *out)
{
    begin_cell(out);
}

void csv_out_end_row(csv_out_t *out)
{
    put_byte(out, '\n');
    out->row_open = false;
}

engage_status_t csv_out_close(csv_out_t *out, char sha256_hex[65], engage_error_t *err)
{
    if (!out)
        return ENGAGE_OK;
    if (out->memory) {
        engage_status_t status = out->status;
        if (status != ENGAGE_OK)
            engage_fail(err, status, NULL, 0, "%s: %s", out->what, strerror(out->errnum));
        if (sha256_hex)
            sha256_hex[0] = '\0';
        free(out->mem);
        free(out->path);
        free(out);
        return status;
    }
    flush_buffer(out);
    if (out->gzip && out->status == ENGAGE_OK)
        deflate_some(out, out->buf, 0, Z_FINISH);
    if (out->zinit)
        deflateEnd(&out->zs);
    if (out->own_fp) {
        errno = 0;
        if (fclose(out->fp) != 0)
            fail(out, ENGAGE_EIO, errno ? errno : EIO, "cannot write");
    } else {
        errno = 0;
        if (fflush(out->fp) != 0 || ferror(out->fp))
            fail(out, ENGAGE_EIO, errno ? errno : EIO, "cannot write");
    }
    if (sha256_hex)
        digest_hex(out->sha, sha256_hex);
    digest_free(out->sha);

    engage_status_t status = out->status;
    if (status != ENGAGE_OK)
        engage_fail(err, status, out->path, 0, "%s: %s", out->what, strerror(out->errnum));
    free(out->path);
    free(out);
    return status;
}

void csv_out_bom(csv_out_t *out)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    put(out, bom, sizeof bom);
}
