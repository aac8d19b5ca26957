/*
 * ingest/csv_rows.c — libcsv driven line by line (see csv_rows.h).
 *
 * libcsv reports byte offsets only, so the caller must count lines.  Each
 * chunk from the source is cut after every line terminator and each piece
 * is handed to csv_parse() on its own: when libcsv ends a record during a
 * piece, the record ended on that piece's line, and when a piece leaves the
 * parser inside a record that had not begun, the record began there.  Lines
 * that libcsv skips (empty or blank) never begin a record.
 *
 * Owns the libcsv parser and the buffer the current record's fields are
 * copied into.
 */
#include "csv_rows.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Byte classes for the line scanner. */
enum { BYTE_PLAIN = 0, BYTE_LF, BYTE_CR, BYTE_BINARY };

typedef struct {
    const char *name;
    csv_row_fn fn;
    void *user;
    engage_error_t *err;
    engage_status_t status;

    long line;                 /* physical line of the next byte */
    long record_line;          /* where the current record began */
    bool in_record;
    bool after_cr;             /* the last byte seen was CR */
    bool head_checked;         /* the first chunk was searched for binary bytes */
    bool ends_with_terminator; /* the last byte seen ended a line */

    char *buf;                 /* field bytes of the current record */
    size_t buf_len, buf_cap;
    size_t *offsets, *lengths;
    char **fields;
    size_t n_fields, cap_fields;
} reader_t;

static unsigned char byte_class[256];

static void init_byte_classes(void)
{
    if (byte_class['\n'] == BYTE_LF)
        return;
    for (int b = 0; b < 0x20; b++)
        byte_class[b] = BYTE_BINARY;
    byte_class['\t'] = BYTE_PLAIN;
    byte_class['\f'] = BYTE_PLAIN;
    byte_class['\v'] = BYTE_PLAIN;
    byte_class[0x1a] = BYTE_PLAIN; /* DOS end-of-file mark */
    byte_class[0x1b] = BYTE_PLAIN; /* escape, seen in pasted terminal text */
    byte_class['\r'] = BYTE_CR;
    byte_class['\n'] = BYTE_LF;
}

/* With tab as the delimiter only spaces are trimmed around fields. */
static int is_space_only(unsigned char c)
{
    return c == ' ';
}

static void on_field(void *data, size_t len, void *user)
{
    reader_t *r = user;
    if (r->status != ENGAGE_OK)
        return;
    if (r->buf_len + len + 1 > CSV_ROWS_MAX_RECORD) {
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, r->record_line,
                                "record longer than %d bytes", CSV_ROWS_MAX_RECORD);
        return;
    }
    if (r->buf_len + len + 1 > r->buf_cap) {
        size_t cap = r->buf_cap ? r->buf_cap : 4096;
        while (cap < r->buf_len + len + 1)
            cap *= 2;
        char *grown = realloc(r->buf, cap);
        if (!grown) {
            r->status = engage_fail(r->err, ENGAGE_ENOMEM, r->name, r->record_line, "out of memory");
            return;
        }
        r->buf = grown;
        r->buf_cap = cap;
    }
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 64;
        size_t *offsets = realloc(r->offsets, cap * sizeof *offsets);
        if (offsets)
            r->offsets = offsets;
        size_t *lengths = realloc(r->lengths, cap * sizeof *lengths);
        if (lengths)
            r->lengths = lengths;
        char **fields = realloc(r->fields, cap * sizeof *fields);
        if (fields)
            r->fields = fields;
        if (!offsets || !lengths || !fields) {
            r->status = engage_fail(r->err, ENGAGE_ENOMEM, r->name, r->record_line, "out of memory");
            return;
        }
        r->cap_fields = cap;
    }
    /* Most answers are a byte or two: copy those without a call. */
    char *dst = r->buf + r->buf_len;
    if (len <= 8) {
        for (size_t i = 0; i < len; i++)
            dst[i] = ((const char *)data)[i];
    } else {
        memcpy(dst, data, len);
    }
    r->offsets[r->n_fields] = r->buf_len;
    r->lengths[r->n_fields] = len;
    r->buf_len += len;
    r->buf[r->buf_len++] = '\0';
    r->n_fields++;
}

static void on_record(int terminator, void *user)
{
    (void)terminator;
    reader_t *r = user;
    if (!r->in_record)
        r->record_line = r->line;
    r->in_record = false;
    if (r->status == ENGAGE_OK) {
        for (size_t i = 0; i < r->n_fields; i++)
            r->fields[i] = r->buf + r->offsets[i];
        csv_row_t row = {r->n_fields, r->fields, r->lengths, r->record_line};
        r->status = r->fn(r->user, &row, r->err);
    }
    r->n_fields = 0;
    r->buf_len = 0;
}

/* Hand one piece (ending at a line terminator or the chunk end) to libcsv. */
static void parse_piece(reader_t *r, struct csv_parser *p, const unsigned char *piece, size_t len)
{
    if (csv_parse(p, piece, len, on_field, on_record, r) != len && r->status == ENGAGE_OK)
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, r->line,
                                "malformed quoting: a quote inside an unquoted field, or text after a closing quote");
    if (!r->in_record && p->pstate != 0) {
        r->in_record = true;
        r->record_line = r->line;
    }
    if (r->status == ENGAGE_OK && p->entry_pos > CSV_ROWS_MAX_FIELD)
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, r->record_line,
                                "field longer than %d bytes (is a quote left open?)", CSV_ROWS_MAX_FIELD);
}

/* Line where the unterminated quoted field in the parser's buffer began:
 * the line after the last byte, less the line ends inside the field. */
static long open_field_line(const struct csv_parser *p, long line_after)
{
    long ends = 0;
    for (size_t i = 0; i < p->entry_pos; i++) {
        if (p->entry_buf[i] == '\n')
            ends++;
        else if (p->entry_buf[i] == '\r' && (i + 1 == p->entry_pos || p->entry_buf[i + 1] != '\n'))
            ends++;
    }
    return line_after - ends;
}

/* Position of the first binary byte (control characters other than tab,
 * CR, LF, FF, VT, ESC and the DOS end-of-file mark) in data, or len. */
static size_t find_binary(const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (byte_class[data[i]] == BYTE_BINARY)
            return i;
    return len;
}

/* Refuse binary bytes at data[at], naming the line they are on. */
static void fail_binary(reader_t *r, const unsigned char *data, size_t at)
{
    long line = r->line;
    bool after_cr = r->after_cr;
    for (size_t i = 0; i < at; i++) {
        if ((data[i] == '\n' && !after_cr) || data[i] == '\r')
            line++;
        after_cr = data[i] == '\r';
    }
    r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, line,
                            "binary data (byte 0x%02x): this is not a text file", data[at]);
}

/* Cut bytes into pieces after each line terminator, counting lines, and
 * parse them.  NUL bytes are refused anywhere, other control bytes in the
 * first chunk (where a binary file shows itself), before any record of the
 * chunk is judged on its garbled fields. */
static void scan_bytes(reader_t *r, struct csv_parser *p, const unsigned char *data, size_t len)
{
    if (r->status != ENGAGE_OK || len == 0)
        return;
    const unsigned char *nul = memchr(data, 0, len);
    size_t binary = r->head_checked ? (nul ? (size_t)(nul - data) : len) : find_binary(data, len);
    r->head_checked = true;
    if (binary < len) {
        fail_binary(r, data, binary);
        return;
    }
    size_t start = 0;
    if (!r->after_cr && !memchr(data, '\r', len)) {
        /* LF only: let memchr find the line ends. */
        const unsigned char *lf;
        while (r->status == ENGAGE_OK && (lf = memchr(data + start, '\n', len - start))) {
            size_t end = (size_t)(lf - data) + 1;
            parse_piece(r, p, data + start, end - start);
            r->line++;
            start = end;
        }
    } else {
        for (size_t i = 0; i < len && r->status == ENGAGE_OK; i++) {
            unsigned char c = byte_class[data[i]];
            if (c != BYTE_LF && c != BYTE_CR) {
                r->after_cr = false;
                continue;
            }
            parse_piece(r, p, data + start, i + 1 - start);
            start = i + 1;
            if (!(c == BYTE_LF && r->after_cr))
                r->line++;
            r->after_cr = c == BYTE_CR;
        }
    }
    if (r->status == ENGAGE_OK && start < len)
        parse_piece(r, p, data + start, len - start);
    r->ends_with_terminator = data[len - 1] == '\n' || data[len - 1] == '\r';
}

/* The first bytes of the stream: a UTF-8 BOM is dropped, UTF-16 refused. */
static void scan_head(reader_t *r, struct csv_parser *p, const unsigned char *head, size_t len)
{
    if (len >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, 1,
                                "UTF-16 text is not supported by this version of engage");
        engage_hint(r->err, "save the file as CSV UTF-8");
        return;
    }
    if (len == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        return;
    scan_bytes(r, p, head, len);
}

engage_status_t csv_rows_read(source_t *src, const char *name, char delimiter, csv_row_fn fn,
                              void *user, long *last_line, engage_error_t *err)
{
    init_byte_classes();
    reader_t r = {.name = name, .fn = fn, .user = user, .err = err, .status = ENGAGE_OK, .line = 1};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return engage_fail(err, ENGAGE_ENOMEM, name, 0, "out of memory");
    csv_set_delim(&p, (unsigned char)delimiter);
    if (delimiter == '\t')
        csv_set_space_func(&p, is_space_only);

    unsigned char head[3];     /* first bytes, to recognise a byte order mark */
    size_t head_len = 0;
    bool head_done = false;
    while (r.status == ENGAGE_OK) {
        const unsigned char *data;
        size_t len;
        r.status = source_read(src, &data, &len, r.line, err);
        if (r.status != ENGAGE_OK)
            break;
        size_t got = len;
        if (!head_done) {
            while (len && head_len < sizeof head) {
                head[head_len++] = *data++;
                len--;
            }
            if (head_len == sizeof head || got == 0) {
                head_done = true;
                scan_head(&r, &p, head, head_len);
            }
        }
        if (got == 0)
            break;
        scan_bytes(&r, &p, data, len);
    }

    if (r.status == ENGAGE_OK && csv_fini(&p, on_field, on_record, &r) != 0 && r.status == ENGAGE_OK)
        r.status = engage_fail(err, ENGAGE_EDATA, name, open_field_line(&p, r.line),
                               "unterminated quoted field: the closing quote is missing");
    csv_free(&p);
    free(r.buf);
    free(r.offsets);
    free(r.lengths);
    free(r.fields);
    if (last_line)
        *last_line = r.ends_with_terminator ? r.line - 1 : r.line;
    return r.status;
}
