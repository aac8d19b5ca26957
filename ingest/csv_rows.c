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
 * Records are packed into batches (their fields' bytes, NUL-terminated, in
 * one buffer).  With a reading thread, one thread reads, inflates and
 * tokenises into batches while the caller's thread takes full batches from
 * a small ring and hands their records to the callback, so both cores work;
 * without one, each batch is handed over as soon as it is full.  Either
 * way the callback sees the same records in the same order, and an error of
 * the input comes after every record before it.
 *
 * Without a configured delimiter, the decoded text is gathered until the
 * first five records are complete (at most 64 KiB, or the end) and the
 * delimiter is chosen from them (see sniff_choose) before any of it is
 * parsed.
 *
 * Owns the libcsv parser, the decoder, the batches and the thread.
 */
#include "csv_rows.h"

#include <csv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* Byte classes for the line scanner. */
enum { BYTE_PLAIN = 0, BYTE_LF, BYTE_CR, BYTE_BINARY };

#define BINARY_CONTROL(b) [b] = BYTE_BINARY
static const unsigned char byte_class[256] = {
    BINARY_CONTROL(0x00), BINARY_CONTROL(0x01), BINARY_CONTROL(0x02), BINARY_CONTROL(0x03),
    BINARY_CONTROL(0x04), BINARY_CONTROL(0x05), BINARY_CONTROL(0x06), BINARY_CONTROL(0x07),
    BINARY_CONTROL(0x08), [0x0a] = BYTE_LF, [0x0d] = BYTE_CR,
    BINARY_CONTROL(0x0e), BINARY_CONTROL(0x0f), BINARY_CONTROL(0x10), BINARY_CONTROL(0x11),
    BINARY_CONTROL(0x12), BINARY_CONTROL(0x13), BINARY_CONTROL(0x14), BINARY_CONTROL(0x15),
    BINARY_CONTROL(0x16), BINARY_CONTROL(0x17), BINARY_CONTROL(0x18), BINARY_CONTROL(0x19),
    BINARY_CONTROL(0x1c), BINARY_CONTROL(0x1d), BINARY_CONTROL(0x1e), BINARY_CONTROL(0x1f),
    /* tab, VT, FF, the DOS end-of-file mark 0x1a and ESC 0x1b are text */
};

/* 32 batches of 64 KiB: enough slack that the reading thread keeps going
 * while the other one pauses (a hash table growing, say). */
enum { BATCH_BYTES = 1 << 16, RING = 32 };

/* Records packed for handing over. */
typedef struct {
    char *bytes;               /* every field, NUL-terminated */
    size_t n_bytes, cap_bytes;
    uint32_t *field_start;     /* per field: offset of its first byte; one more
                                  entry holds n_bytes when the batch is handed over */
    size_t n_fields, cap_fields;
    size_t *row_end;           /* per record: index one past its last field */
    long *row_line;            /* per record: physical line where it starts */
    size_t n_rows, cap_rows;
    double share_read;         /* csv_row_t's, when the batch was handed over */
    bool last;                 /* nothing follows; status says why */
    engage_status_t status;
    engage_error_t err;
} batch_t;

typedef struct reader reader_t;

/* The hand-over between the reading thread and the caller's thread. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    batch_t batches[RING];
    size_t head, count;        /* full batches: head .. head+count-1 */
    bool stop;                 /* the caller wants no more */
} ring_t;

struct reader {
    source_t *src;
    const char *name;
    const char *encoding;      /* the setting (options->encoding) */
    const char *decided;       /* after reading: decode_encoding(), static */
    bool bom;
    char delimiter;            /* 0 until sniffed */
    decode_t *dec;
    csv_row_fn fn;
    void *user;
    engage_error_t *err;       /* where the reading side reports */

    /* written by the reading thread as it goes: a cache line of their own */
    _Alignas(64) engage_status_t status;
    long line;                 /* physical line of the next byte */
    long record_line;          /* where the current record began */
    bool in_record;
    bool after_cr;             /* the last byte seen was CR */
    bool head_checked;         /* the first chunk was searched for binary bytes */
    bool ends_with_terminator; /* the last byte seen ended a line */

    batch_t *batch;            /* being filled */
    size_t record_bytes;       /* n_bytes of the batch where the record began */

    ring_t *ring;              /* NULL without a reading thread */
    bool cancelled;            /* the caller stopped taking batches */
    batch_t direct;            /* the one batch without a thread */
};

/* With tab as the delimiter only spaces are trimmed around fields. */
static int is_space_only(unsigned char c)
{
    return c == ' ';
}

static bool grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *grown = realloc(*array, n * size);
    if (!grown)
        return false;
    *array = grown;
    *cap = n;
    return true;
}

static void out_of_memory(reader_t *r)
{
    r->status = engage_fail(r->err, ENGAGE_ENOMEM, r->name, r->record_line, "out of memory");
}

/* Make room for a field of len bytes; false (status set) when the record
 * grows too long or memory runs out. */
static bool make_room(reader_t *r, batch_t *b, size_t len)
{
    if (b->n_bytes - r->record_bytes + len + 1 > CSV_ROWS_MAX_RECORD) {
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, r->record_line,
                                "record longer than %d bytes", CSV_ROWS_MAX_RECORD);
        return false;
    }
    if (!grow((void **)&b->bytes, &b->cap_bytes, b->n_bytes + len + 1, 1) ||
        !grow((void **)&b->field_start, &b->cap_fields, b->n_fields + 2, sizeof *b->field_start)) {
        out_of_memory(r);
        return false;
    }
    return true;
}

static void on_field(void *data, size_t len, void *user)
{
    reader_t *r = user;
    batch_t *b = r->batch;
    if (r->status != ENGAGE_OK ||
        ((b->n_bytes + len + 1 > b->cap_bytes || b->n_fields + 2 > b->cap_fields) && !make_room(r, b, len)))
        return;
    /* Most answers are a byte or two: copy those without a call. */
    char *dst = b->bytes + b->n_bytes;
    if (len <= 8) {
        for (size_t i = 0; i < len; i++)
            dst[i] = ((const char *)data)[i];
    } else {
        memcpy(dst, data, len);
    }
    dst[len] = '\0';
    b->field_start[b->n_fields++] = (uint32_t)b->n_bytes;
    b->n_bytes += len + 1;
}

static void deliver(reader_t *r);

static void on_record(int terminator, void *user)
{
    (void)terminator;
    reader_t *r = user;
    if (!r->in_record)
        r->record_line = r->line;
    r->in_record = false;
    if (r->status != ENGAGE_OK)
        return;
    batch_t *b = r->batch;
    size_t cap = b->cap_rows;
    if (!grow((void **)&b->row_end, &cap, b->n_rows + 1, sizeof *b->row_end) ||
        !grow((void **)&b->row_line, &b->cap_rows, b->n_rows + 1, sizeof *b->row_line)) {
        out_of_memory(r);
        return;
    }
    if (b->n_bytes - r->record_bytes > CSV_ROWS_MAX_RECORD) {
        r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, r->record_line,
                                "record longer than %d bytes", CSV_ROWS_MAX_RECORD);
        return;
    }
    b->row_end[b->n_rows] = b->n_fields;
    b->row_line[b->n_rows++] = r->record_line;
    r->record_bytes = b->n_bytes;
    if (b->n_bytes >= BATCH_BYTES)
        deliver(r);
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
    /* UTF-16 without a byte order mark shows itself as NUL bytes. */
    if (data[at] == 0 && r->dec && strncmp(decode_encoding(r->dec), "utf-16", 6) != 0)
        engage_hint(r->err, "if this is UTF-16 text, set encoding = utf-16 in [input]");
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
        /* CR in the chunk: the next terminator is the nearer of the next CR
         * and the next LF, each found by memchr and remembered until passed.
         * CRLF is one line end, also when split between chunks. */
        size_t cr = SIZE_MAX, lf = SIZE_MAX, i = 0;
        while (i < len && r->status == ENGAGE_OK) {
            if (cr == SIZE_MAX || cr < i) {
                const unsigned char *at = memchr(data + i, '\r', len - i);
                cr = at ? (size_t)(at - data) : len;
            }
            if (lf == SIZE_MAX || lf < i) {
                const unsigned char *at = memchr(data + i, '\n', len - i);
                lf = at ? (size_t)(at - data) : len;
            }
            size_t end = cr < lf ? cr : lf;
            if (end > i)
                r->after_cr = false; /* text between: not a CRLF pair */
            if (end == len)
                break;
            parse_piece(r, p, data + start, end + 1 - start);
            start = end + 1;
            if (!(data[end] == '\n' && r->after_cr))
                r->line++;
            r->after_cr = data[end] == '\r';
            i = end + 1;
        }
    }
    if (r->status == ENGAGE_OK && start < len)
        parse_piece(r, p, data + start, len - start);
    r->ends_with_terminator = data[len - 1] == '\n' || data[len - 1] == '\r';
}

/* ------------------------------------------------------------ sniffing */

/* The delimiter is sniffed from the first records of the decoded text: up
 * to SNIFF_RECORDS records or SNIFF_BYTES bytes, whichever comes first. */
enum { SNIFF_RECORDS = 5, SNIFF_BYTES = 1 << 16, N_CANDIDATES = 3 };
static const char CANDIDATES[N_CANDIDATES] = {',', ';', '\t'}; /* in order of preference */

/* Delimiter candidates counted outside quotes, record by record. */
typedef struct {
    size_t counts[SNIFF_RECORDS][N_CANDIDATES];
    size_t current[N_CANDIDATES];
    int records;               /* complete records counted */
    bool quoted;
    bool current_started;      /* the current record has a byte other than a space */
    size_t seen;
} sniff_t;

static bool sniff_done(const sniff_t *s)
{
    return s->records == SNIFF_RECORDS || s->seen >= SNIFF_BYTES;
}

static void sniff_end_record(sniff_t *s)
{
    memcpy(s->counts[s->records++], s->current, sizeof s->current);
    memset(s->current, 0, sizeof s->current);
    s->current_started = false;
}

static void sniff_feed(sniff_t *s, const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < len && !sniff_done(s); i++, s->seen++) {
        unsigned char c = data[i];
        if (c == '"') {
            s->quoted = !s->quoted; /* a doubled quote toggles twice */
            s->current_started = true;
        } else if (s->quoted) {
            continue;
        } else if (c == '\n' || c == '\r') {
            if (s->current_started) /* blank lines are no records (as in libcsv) */
                sniff_end_record(s);
        } else {
            for (int k = 0; k < N_CANDIDATES; k++)
                if (c == (unsigned char)CANDIDATES[k])
                    s->current[k]++;
            if (c != ' ')
                s->current_started = true;
        }
    }
}

/* The candidate present in the first record whose count is the same in the
 * most records; ties go to the larger count in the first record, then to
 * the order of CANDIDATES.  ',' when none is present.  complete: the text
 * ended, so an unterminated last record counts too. */
static char sniff_choose(sniff_t *s, bool complete)
{
    if (s->current_started && s->records < SNIFF_RECORDS && (complete || s->records == 0))
        sniff_end_record(s);
    char best = ',';
    int best_agree = 0;
    size_t best_first = 0;
    for (int k = 0; k < N_CANDIDATES && s->records > 0; k++) {
        size_t first = s->counts[0][k];
        if (first == 0)
            continue;
        int agree = 0;
        for (int i = 0; i < s->records; i++)
            agree += s->counts[i][k] == first;
        if (agree > best_agree || (agree == best_agree && first > best_first)) {
            best = CANDIDATES[k];
            best_agree = agree;
            best_first = first;
        }
    }
    return best;
}

/* ------------------------------------------------------------ reading */

static void set_delimiter(reader_t *r, struct csv_parser *p, char delimiter)
{
    r->delimiter = delimiter;
    csv_set_delim(p, (unsigned char)delimiter);
    if (delimiter == '\t')
        csv_set_space_func(p, is_space_only);
}

/* Without a configured delimiter: gather the decoded head of the text, sniff
 * the delimiter from it, then parse the head.  An error of reading comes
 * after the records before it, as in the main loop. */
static void read_head(reader_t *r, struct csv_parser *p)
{
    unsigned char *head = NULL;
    size_t len = 0, cap = 0;
    sniff_t sniff = {0};
    long line = 1;             /* of the next byte, counted as scan_bytes will */
    bool after_cr = false, ended = false;
    engage_error_t head_err = {0};
    engage_status_t st = ENGAGE_OK;
    while (!sniff_done(&sniff)) {
        const unsigned char *data;
        size_t n;
        st = decode_read(r->dec, &data, &n, line, &head_err);
        if (st != ENGAGE_OK || n == 0) {
            ended = true;
            break;
        }
        if (!grow((void **)&head, &cap, len + n, 1)) {
            free(head);
            out_of_memory(r);
            return;
        }
        memcpy(head + len, data, n);
        len += n;
        sniff_feed(&sniff, data, n);
        for (size_t i = 0; i < n; i++) {
            if ((data[i] == '\n' && !after_cr) || data[i] == '\r')
                line++;
            after_cr = data[i] == '\r';
        }
    }
    set_delimiter(r, p, sniff_choose(&sniff, ended));
    if (len)
        scan_bytes(r, p, head, len);
    free(head);
    if (st != ENGAGE_OK && r->status == ENGAGE_OK) {
        r->status = st;
        if (r->err)
            *r->err = head_err;
    }
}

/* The callback's view of each complete record of a batch; stops at the
 * callback's first error. */
static engage_status_t dispatch(reader_t *r, batch_t *b, engage_error_t *err)
{
    /* Read once: the reading thread keeps writing next to these. */
    csv_row_fn fn = r->fn;
    void *user = r->user;
    size_t first = 0;
    if (b->n_rows)
        b->field_start[b->n_fields] = (uint32_t)b->n_bytes; /* ends the last field */
    for (size_t i = 0; i < b->n_rows; i++) {
        csv_row_t row = {b->row_end[i] - first, b->bytes, b->field_start + first, b->row_line[i],
                         b->share_read};
        engage_status_t st = fn(user, &row, err);
        if (st != ENGAGE_OK)
            return st;
        first = b->row_end[i];
    }
    return ENGAGE_OK;
}

static void empty_batch(batch_t *b)
{
    b->n_bytes = b->n_fields = b->n_rows = 0;
    b->last = false;
    b->status = ENGAGE_OK;
}

static void free_batch(batch_t *b)
{
    free(b->bytes);
    free(b->field_start);
    free(b->row_end);
    free(b->row_line);
}

/* How far through the source the batch being filled reaches. */
static void note_share_read(reader_t *r)
{
    uint64_t behind, size;
    double share = source_share_read(r->src, &behind, &size) ? (double)behind / (double)size : 0.0;
    r->batch->share_read = share < 1.0 ? share : 1.0;
}

/* Hand the full batch over and start a new one.  Without a thread the
 * callback runs now; with one, the batch joins the ring (waiting for room). */
static void deliver(reader_t *r)
{
    note_share_read(r);
    r->record_bytes = 0;
    if (!r->ring) {
        engage_status_t st = dispatch(r, r->batch, r->err);
        empty_batch(r->batch);
        if (st != ENGAGE_OK)
            r->status = st;
        return;
    }
    ring_t *ring = r->ring;
    pthread_mutex_lock(&ring->lock);
    ring->count++;
    pthread_cond_broadcast(&ring->changed);
    while (ring->count == RING && !ring->stop)
        pthread_cond_wait(&ring->changed, &ring->lock);
    if (ring->stop) {
        r->cancelled = true;
        r->status = ENGAGE_EIO; /* ends the reading loop; nobody sees it */
    } else
        r->batch = &ring->batches[(ring->head + ring->count) % RING];
    pthread_mutex_unlock(&ring->lock);
}

/* Read, decode, tokenise and deliver every record of the source; the last
 * batch (with last set) carries the reading status. */
static void read_all(reader_t *r)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        r->status = engage_fail(r->err, ENGAGE_ENOMEM, r->name, 0, "out of memory");
    } else {
        r->status = decode_new(&r->dec, r->src, r->name, r->encoding, r->err);
        if (r->status == ENGAGE_OK) {
            if (r->delimiter)
                set_delimiter(r, &p, r->delimiter);
            else
                read_head(r, &p);
        }
        while (r->status == ENGAGE_OK) {
            const unsigned char *data;
            size_t len;
            engage_status_t st = decode_read(r->dec, &data, &len, r->line, r->err);
            if (st != ENGAGE_OK) {
                r->status = st;
                break;
            }
            if (len == 0)
                break;
            scan_bytes(r, &p, data, len);
        }
        if (r->status == ENGAGE_OK && csv_fini(&p, on_field, on_record, r) != 0 && r->status == ENGAGE_OK)
            r->status = engage_fail(r->err, ENGAGE_EDATA, r->name, open_field_line(&p, r->line),
                                    "unterminated quoted field: the closing quote is missing");
        csv_free(&p);
    }
    if (r->dec) {
        r->decided = decode_encoding(r->dec);
        r->bom = decode_bom(r->dec);
        decode_free(r->dec);
        r->dec = NULL;
    }
    note_share_read(r);
    r->batch->last = true;
    r->batch->status = r->status;
    if (r->status != ENGAGE_OK && r->ring)
        r->batch->err = *r->err;
}

static void *reading_thread(void *arg)
{
    reader_t *r = arg;
    read_all(r);
    if (!r->cancelled) {
        pthread_mutex_lock(&r->ring->lock);
        r->ring->count++;
        pthread_cond_broadcast(&r->ring->changed);
        pthread_mutex_unlock(&r->ring->lock);
    }
    return NULL;
}

/* The caller's side of the ring: records to the callback until the last
 * batch or the callback's first error. */
static engage_status_t take_batches(reader_t *r, engage_error_t *err)
{
    ring_t *ring = r->ring;
    for (;;) {
        pthread_mutex_lock(&ring->lock);
        while (ring->count == 0)
            pthread_cond_wait(&ring->changed, &ring->lock);
        batch_t *b = &ring->batches[ring->head];
        pthread_mutex_unlock(&ring->lock);

        engage_status_t st = dispatch(r, b, err);
        bool last = b->last;
        engage_status_t reading = b->status;
        if (st == ENGAGE_OK && last && reading != ENGAGE_OK && err)
            *err = b->err;
        empty_batch(b);

        pthread_mutex_lock(&ring->lock);
        ring->head = (ring->head + 1) % RING;
        ring->count--;
        if (st != ENGAGE_OK)
            ring->stop = true;
        pthread_cond_broadcast(&ring->changed);
        pthread_mutex_unlock(&ring->lock);
        if (st != ENGAGE_OK)
            return st;
        if (last)
            return reading;
    }
}

engage_status_t csv_rows_read(source_t *src, const char *name, const csv_rows_options_t *options,
                              csv_row_fn fn, void *user, csv_rows_info_t *info, engage_error_t *err)
{
    bool thread = options->thread;
    reader_t r = {.src = src, .name = name, .encoding = options->encoding, .delimiter = options->delimiter,
                  .fn = fn, .user = user, .err = err, .status = ENGAGE_OK, .line = 1};
    engage_status_t st;
    ring_t ring = {0};
    engage_error_t reading_err = {0};
    /* With a reading thread, inflating gets a thread too. */
    source_read_ahead(src, thread);
    if (thread && pthread_mutex_init(&ring.lock, NULL) == 0) {
        pthread_cond_init(&ring.changed, NULL);
        r.ring = &ring;
        r.err = &reading_err;
        r.batch = &ring.batches[0];
        if (pthread_create(&ring.thread, NULL, reading_thread, &r) == 0) {
            st = take_batches(&r, err);
            pthread_join(ring.thread, NULL);
        } else {
            st = engage_fail(err, ENGAGE_ENOMEM, name, 0, "cannot start the reading thread");
        }
        pthread_cond_destroy(&ring.changed);
        pthread_mutex_destroy(&ring.lock);
        for (size_t i = 0; i < RING; i++)
            free_batch(&ring.batches[i]);
    } else {
        r.batch = &r.direct;
        read_all(&r);
        /* Records read before a reading error still reach the callback
         * (after a callback error the batch is empty). */
        st = r.status;
        engage_error_t records_err = {0};
        engage_status_t records = dispatch(&r, &r.direct, &records_err);
        if (records != ENGAGE_OK) {
            st = records;
            if (err)
                *err = records_err;
        }
        free_batch(&r.direct);
    }
    source_stop(src); /* its byte count and hash are final now */
    if (info) {
        info->delimiter = r.delimiter ? r.delimiter : ',';
        info->encoding = r.decided ? r.decided : "utf-8";
        info->bom = r.bom;
        info->last_line = r.ends_with_terminator ? r.line - 1 : r.line;
    }
    return st;
}
