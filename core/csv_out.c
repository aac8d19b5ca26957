/*
 * core/csv_out.c — the CSV writer behind every CSV output (report tables and
 * the canonical archive).
 *
 * Cells are appended to a fixed buffer; when it fills, its bytes are hashed
 * (SHA-256 of the uncompressed text, so a digest does not depend on the zlib
 * version) and then written, either as they are or through deflate with a
 * gzip wrapper.  The gzip header is fixed (no name, mtime 0, OS 3 = Unix),
 * so the same text gives the same file on any machine with the same zlib.
 *
 * Errors are sticky: the first failure (write, deflate, out of memory) is
 * remembered, later cells are dropped, and csv_out_close() reports it once.
 * Owns: the FILE (unless it is stdout), the buffers and a copy of the path.
 * Assumes: text cells are UTF-8 (passed through byte for byte).
 */
#include "csv_out.h"

#include <csv.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { CSV_OUT_BUFFER = 64 * 1024 };

struct csv_out {
    FILE *fp;
    bool own_fp;            /* false for stdout: flushed, never closed */
    bool gzip;
    bool zinit;
    z_stream zs;
    gz_header head;         /* zlib keeps a pointer to it until the header is out */
    SHA2_CTX sha;
    bool row_open;          /* a cell was written on the current row */
    engage_status_t status; /* first failure, ENGAGE_OK until then */
    int errnum;
    const char *what;       /* what failed, for the message */
    char *path;             /* for messages: the path, or "stdout" */
    size_t len;
    unsigned char buf[CSV_OUT_BUFFER];
    unsigned char zbuf[CSV_OUT_BUFFER];
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

char *csv_out_format_number(double value, int digits, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    if (!isfinite(value)) {
        buf[0] = '\0';
        return buf;
    }
    if (value == 0.0)          /* also -0 */
        value = 0.0;
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    snprintf(buf, size, "%.*g", digits, value);
    fix_decimal_point(buf);
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

static void flush_buffer(csv_out_t *out)
{
    if (out->len == 0)
        return;
    if (out->status == ENGAGE_OK) {
        SHA256Update(&out->sha, out->buf, out->len);
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

static void begin_cell(csv_out_t *out)
{
    if (out->row_open)
        put(out, ",", 1);
    out->row_open = true;
}

engage_status_t csv_out_open(csv_out_t **out, const char *path, bool gzip, engage_error_t *err)
{
    *out = NULL;
    csv_out_t *o = calloc(1, sizeof *o);
    if (!o)
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    o->path = strdup(path ? path : "stdout");
    if (!o->path) {
        free(o);
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    }
    if (gzip) {
        /* windowBits 15 + 16: a gzip wrapper.  The explicit header keeps
         * mtime 0 and no file name, whatever zlib's defaults. */
        if (deflateInit2(&o->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            free(o->path);
            free(o);
            return engage_fail(err, ENGAGE_ENOMEM, path, 0, "cannot start gzip compression");
        }
        o->zinit = true;
        o->head.os = 3;
        if (deflateSetHeader(&o->zs, &o->head) != Z_OK) {
            deflateEnd(&o->zs);
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
            free(o->path);
            free(o);
            return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(e));
        }
        o->own_fp = true;
    } else {
        o->fp = stdout;
    }
    SHA256Init(&o->sha);
    *out = o;
    return ENGAGE_OK;
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

static bool looks_like_formula(const char *text)
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
    bool guard = guard_formula && looks_like_formula(text);
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

void csv_out_number(csv_out_t *out, double value, int digits)
{
    char buf[64];
    begin_cell(out);
    csv_out_format_number(value, digits, buf, sizeof buf);
    put(out, buf, strlen(buf));
}

void csv_out_integer(csv_out_t *out, long long value)
{
    char buf[32];
    begin_cell(out);
    int n = snprintf(buf, sizeof buf, "%lld", value);
    put(out, buf, (size_t)n);
}

void csv_out_empty(csv_out_t *out)
{
    begin_cell(out);
}

void csv_out_end_row(csv_out_t *out)
{
    put(out, "\n", 1);
    out->row_open = false;
}

static void to_hex(const uint8_t digest[SHA256_DIGEST_LENGTH], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

engage_status_t csv_out_close(csv_out_t *out, char sha256_hex[65], engage_error_t *err)
{
    if (!out)
        return ENGAGE_OK;
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
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256Final(digest, &out->sha);
    if (sha256_hex)
        to_hex(digest, sha256_hex);

    engage_status_t status = out->status;
    if (status != ENGAGE_OK)
        engage_fail(err, status, out->path, 0, "%s: %s", out->what, strerror(out->errnum));
    free(out->path);
    free(out);
    return status;
}
