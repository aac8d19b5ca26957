/*
 * ingest/decode.c — source bytes to UTF-8 (see decode.h).
 *
 * UTF-8 and ASCII are handed out in place (the source's own buffer), after
 * validation; Windows-1252 and UTF-16 go through glibc's iconv into a buffer
 * of ours.  A character cut by a read boundary is held back in a few bytes
 * of "stage" and completed from the next chunk, one byte at a time, so the
 * result does not depend on where reads end.  The first bytes of the
 * stream wait in the same stage until a byte order mark is ruled in or out.
 *
 * Every good byte before an error is handed out first; the next call finds
 * the bad byte at the start of its input and reports it at the caller's
 * line, which is then exactly the line it sits on.
 *
 * Owns the iconv descriptor and the output buffer, not the source.
 */
#include "decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { OUT_BYTES = 1 << 16, STAGE_BYTES = 8 };

typedef enum { SET_AUTO, SET_UTF8, SET_UTF16, SET_CP1252 } setting_t;

typedef enum {
    MODE_HEAD,   /* waiting for the first bytes: a byte order mark or not */
    MODE_ASCII,  /* auto and only ASCII so far */
    MODE_UTF8,   /* validated, handed out in place */
    MODE_ICONV   /* converted */
} decode_mode_t;

/* Where a scan of pass-through bytes stopped. */
typedef enum { SCAN_END, SCAN_NON_ASCII, SCAN_INVALID, SCAN_CUT } scan_t;

struct decode {
    source_t *src;
    char *name;
    setting_t setting;
    decode_mode_t mode;
    const char *encoding;      /* decided so far */
    bool bom;
    bool guessed;              /* auto chose the encoding from the content */

    const unsigned char *in;   /* the source's current chunk */
    size_t in_len, in_pos;
    bool eof;

    unsigned char stage[STAGE_BYTES]; /* bytes held back, before in[in_pos] */
    size_t stage_len;
    unsigned char small[STAGE_BYTES]; /* staged bytes handed out as they are */

    iconv_t cd;
    bool cd_open;
    unsigned char *out;
};

engage_status_t decode_new(decode_t **out, source_t *src, const char *name, const char *encoding,
                           engage_error_t *err)
{
    setting_t setting;
    if (!encoding || !*encoding || strcasecmp(encoding, "auto") == 0)
        setting = SET_AUTO;
    else if (strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
        setting = SET_UTF8;
    else if (strcasecmp(encoding, "utf-16") == 0 || strcasecmp(encoding, "utf16") == 0)
        setting = SET_UTF16;
    else if (strcasecmp(encoding, "windows-1252") == 0 || strcasecmp(encoding, "cp1252") == 0 ||
             strcasecmp(encoding, "windows1252") == 0)
        setting = SET_CP1252;
    else
        return engage_fail(err, ENGAGE_ECONFIG, name, 0,
                           "unknown encoding '%s' (expected auto, utf-8, utf-16 or windows-1252)", encoding);

    decode_t *d = calloc(1, sizeof *d);
    if (d) {
        d->name = strdup(name);
        d->out = malloc(OUT_BYTES);
    }
    if (!d || !d->name || !d->out) {
        decode_free(d);
        return engage_fail(err, ENGAGE_ENOMEM, name, 0, "out of memory");
    }
    d->src = src;
    d->setting = setting;
    d->mode = MODE_HEAD;
    d->encoding = "utf-8";
    *out = d;
    return ENGAGE_OK;
}

/* Length of the ASCII run at the start of p[0..n), 8 bytes at a time. */
static size_t ascii_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* The UTF-8 sequence at p (n >= 1 bytes available): its length when valid,
 * 0 when the n bytes are a valid start cut short, -1 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static int utf8_sequence(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    int len;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return -1;
    if (c < 0xE0) {
        len = 2;
    } else if (c < 0xF0) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return -1;
    }
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return 0;
        unsigned b = p[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
            return -1;
    }
    return len;
}

/* How many bytes of p[0..n) go out unchanged in the current mode (*ok),
 * and what stops there. */
static scan_t scan_pass(const decode_t *d, const unsigned char *p, size_t n, size_t *ok)
{
    size_t i = ascii_prefix(p, n);
    if (d->mode == MODE_ASCII) {
        *ok = i;
        return i == n ? SCAN_END : SCAN_NON_ASCII;
    }
    while (i < n) {
        int len = utf8_sequence(p + i, n - i);
        if (len <= 0) {
            *ok = i;
            return len == 0 ? SCAN_CUT : SCAN_INVALID;
        }
        i += (size_t)len;
        i += ascii_prefix(p + i, n - i);
    }
    *ok = n;
    return SCAN_END;
}

static engage_status_t start_iconv(decode_t *d, const char *from, const char *encoding, long line,
                                   engage_error_t *err)
{
    d->cd = iconv_open("UTF-8", from);
    if (d->cd == (iconv_t)-1)
        return engage_fail(err, ENGAGE_ENOMEM, d->name, line, "cannot convert from %s: %s", from,
                           strerror(errno));
    d->cd_open = true;
    d->mode = MODE_ICONV;
    d->encoding = encoding;
    return ENGAGE_OK;
}

/* Could the staged bytes still grow into a byte order mark? */
static bool bom_pending(const decode_t *d)
{
    static const unsigned char utf8[] = {0xEF, 0xBB, 0xBF};
    size_t n = d->stage_len;
    if (n == 0)
        return true;
    if (n < 3 && memcmp(d->stage, utf8, n) == 0)
        return true;
    return n == 1 && (d->stage[0] == 0xFF || d->stage[0] == 0xFE);
}

static void drop_staged(decode_t *d, size_t n)
{
    memmove(d->stage, d->stage + n, d->stage_len - n);
    d->stage_len -= n;
}

/* The first bytes are staged: settle the encoding. */
static engage_status_t decide_head(decode_t *d, long line, engage_error_t *err)
{
    const unsigned char *s = d->stage;
    size_t n = d->stage_len;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        d->bom = true;
        drop_staged(d, 3);
        d->mode = MODE_UTF8;
        return ENGAGE_OK;
    }
    if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
        d->bom = true;
        bool le = s[0] == 0xFF;
        drop_staged(d, 2);
        return start_iconv(d, le ? "UTF-16LE" : "UTF-16BE", le ? "utf-16le" : "utf-16be", line, err);
    }
    switch (d->setting) {
    case SET_AUTO:
        d->mode = MODE_ASCII;
        return ENGAGE_OK;
    case SET_UTF8:
        d->mode = MODE_UTF8;
        return ENGAGE_OK;
    case SET_UTF16:
        return start_iconv(d, "UTF-16LE", "utf-16le", line, err);
    case SET_CP1252:
        break;
    }
    return start_iconv(d, "WINDOWS-1252", "windows-1252", line, err);
}

static engage_status_t utf8_error(const decode_t *d, unsigned byte, long line, engage_error_t *err)
{
    if (d->guessed) {
        engage_fail(err, ENGAGE_EDATA, d->name, line, "not valid UTF-8 (byte 0x%02X) although earlier lines are",
                    byte);
        engage_hint(err, "if the file was saved as Windows-1252 (\"ANSI\"), set encoding = windows-1252 in [input]");
    } else if (d->bom) {
        engage_fail(err, ENGAGE_EDATA, d->name, line,
                    "not valid UTF-8 (byte 0x%02X) although the file begins with a UTF-8 byte order mark", byte);
        engage_hint(err, "export the file again as CSV UTF-8");
    } else {
        engage_fail(err, ENGAGE_EDATA, d->name, line, "not valid UTF-8 (byte 0x%02X)", byte);
        engage_hint(err, "set encoding = windows-1252 (or auto) in [input]");
    }
    return ENGAGE_EDATA;
}

static engage_status_t iconv_error(const decode_t *d, int e, unsigned byte, long line, engage_error_t *err)
{
    if (d->encoding[0] == 'u') { /* utf-16le / utf-16be */
        if (e == EINVAL)
            engage_fail(err, ENGAGE_EDATA, d->name, line,
                        "the UTF-16 text ends inside a character (an odd number of bytes, or a lone surrogate)");
        else
            engage_fail(err, ENGAGE_EDATA, d->name, line, "not valid UTF-16 (a lone surrogate)");
        engage_hint(err, "the file is damaged, or not UTF-16: check encoding in [input]");
        return ENGAGE_EDATA;
    }
    engage_fail(err, ENGAGE_EDATA, d->name, line, "byte 0x%02X is not a character in Windows-1252", byte);
    if (d->guessed)
        engage_hint(err, "the file is neither UTF-8 nor Windows-1252: set encoding in [input] to the one it was "
                         "saved in");
    else
        engage_hint(err, "set encoding = auto (or utf-8) in [input] if the file is not Windows-1252");
    return ENGAGE_EDATA;
}

/* One step of ASCII / UTF-8 pass-through on p[0..n) (the stage when
 * staged).  more: bytes follow p[n - 1].  OK with *len > 0 when bytes go
 * out; OK with *len == 0 to go round again. */
static engage_status_t step_pass(decode_t *d, const unsigned char *p, size_t n, bool staged, bool more,
                                 const unsigned char **data, size_t *len, long line, engage_error_t *err)
{
    size_t ok;
    scan_t stop = scan_pass(d, p, n, &ok);
    if (ok > 0) {
        if (staged) {
            memcpy(d->small, p, ok);
            drop_staged(d, ok);
            *data = d->small;
        } else {
            *data = p;
            d->in_pos += ok;
        }
        *len = ok;
        return ENGAGE_OK;
    }
    if (stop == SCAN_NON_ASCII) {
        /* The first byte >= 0x80 decides the file's encoding. */
        int seq = utf8_sequence(p, n);
        if (seq > 0) {
            d->mode = MODE_UTF8;
            d->guessed = true;
            return ENGAGE_OK;
        }
        if (seq < 0 || !more) {
            engage_status_t st = start_iconv(d, "WINDOWS-1252", "windows-1252", line, err);
            d->guessed = true;
            return st;
        }
        stop = SCAN_CUT;
    }
    if (stop == SCAN_CUT && more) {
        if (!staged) {
            memcpy(d->stage, p, n); /* n < 4: a cut sequence */
            d->stage_len = n;
            d->in_pos = d->in_len;
        } else if (d->in_pos < d->in_len) {
            d->stage[d->stage_len++] = d->in[d->in_pos++];
        }
        return ENGAGE_OK;
    }
    return utf8_error(d, p[0], line, err);
}

/* One step of iconv conversion; as step_pass. */
static engage_status_t step_iconv(decode_t *d, const unsigned char *p, size_t n, bool staged, bool more,
                                  const unsigned char **data, size_t *len, long line, engage_error_t *err)
{
    char *ip = (char *)p, *op = (char *)d->out;
    size_t il = n, ol = OUT_BYTES;
    int e = iconv(d->cd, &ip, &il, &op, &ol) == (size_t)-1 ? errno : 0;
    size_t used = n - il, produced = OUT_BYTES - ol;
    if (staged)
        drop_staged(d, used);
    else
        d->in_pos += used;
    if (produced > 0) {
        *data = d->out;
        *len = produced;
        return ENGAGE_OK;
    }
    if (e == EINVAL && more) {
        if (!staged) {
            memcpy(d->stage, p + used, il); /* il < 4: a cut character */
            d->stage_len = il;
            d->in_pos = d->in_len;
        } else if (d->in_pos < d->in_len) {
            d->stage[d->stage_len++] = d->in[d->in_pos++];
        }
        return ENGAGE_OK;
    }
    if (e == EINVAL || e == EILSEQ)
        return iconv_error(d, e, p[used], line, err);
    if (e != 0)
        return engage_fail(err, ENGAGE_EDATA, d->name, line, "cannot convert from %s: %s", d->encoding,
                           strerror(e));
    return ENGAGE_OK;
}

engage_status_t decode_read(decode_t *d, const unsigned char **data, size_t *len, long line,
                            engage_error_t *err)
{
    *len = 0;
    for (;;) {
        if (d->in_pos == d->in_len && !d->eof) {
            engage_status_t st = source_read(d->src, &d->in, &d->in_len, line, err);
            if (st != ENGAGE_OK)
                return st;
            d->in_pos = 0;
            d->eof = d->in_len == 0;
        }
        if (d->mode == MODE_HEAD) {
            while (d->in_pos < d->in_len && d->stage_len < 3 && bom_pending(d))
                d->stage[d->stage_len++] = d->in[d->in_pos++];
            if (bom_pending(d) && d->stage_len < 3 && !d->eof)
                continue;
            engage_status_t st = decide_head(d, line, err);
            if (st != ENGAGE_OK)
                return st;
            continue;
        }
        bool staged = d->stage_len > 0;
        /* At the end of input the source may have given no buffer at all. */
        const unsigned char *p = staged ? d->stage : d->in ? d->in + d->in_pos : NULL;
        size_t n = staged ? d->stage_len : d->in_len - d->in_pos;
        bool more = staged ? d->in_pos < d->in_len || !d->eof : !d->eof;
        if (n == 0) {
            if (d->eof)
                return ENGAGE_OK;
            continue;
        }
        engage_status_t st = d->mode == MODE_ICONV ? step_iconv(d, p, n, staged, more, data, len, line, err)
                                                   : step_pass(d, p, n, staged, more, data, len, line, err);
        if (st != ENGAGE_OK || *len > 0)
            return st;
    }
}

const char *decode_encoding(const decode_t *d) { return d->encoding; }
bool decode_bom(const decode_t *d) { return d->bom; }

void decode_free(decode_t *d)
{
    if (!d)
        return;
    if (d->cd_open)
        iconv_close(d->cd);
    free(d->name);
    free(d->out);
    free(d);
}
