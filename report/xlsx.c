/*
 * report/xlsx.c — an .xlsx file (Office Open XML) written as it is filled.
 *
 * The package holds the parts a spreadsheet needs and no more:
 * [Content_Types].xml, the relationships, docProps (core: the dates; app:
 * the sheet and print-range names), xl/workbook.xml (sheets, defined names
 * for autofilters, print areas and print titles), xl/styles.xml (a regular
 * and a bold font, the cell formats in the order they were made), the Office
 * theme (report/xlsx_theme.h) and one xl/worksheets/sheetN.xml per sheet
 * with its cells inline.  The XML is the one spreadsheet writers commonly
 * produce (the same elements, attributes and order as libxlsxwriter's), so
 * Excel and LibreOffice read it as they read theirs.
 *
 * A sheet's rows are XML text in a buffer; each full buffer (CHUNK bytes)
 * is handed to a worker thread, which deflates it on its own (zlib level
 * 1, a full flush, so that pieces can be joined as pigz joins them),
 * computes its CRC-32 and appends the result to the scratch file.  At
 * close each entry is put together in order: its head (deflated here, once
 * the dimension and column widths are known, at zlib's level 6, as are
 * the package's small parts), its chunks copied from the scratch file, its tail, and an
 * empty final block; the CRCs are combined
 * (zlib's crc32_combine).  Since a chunk's bytes depend only on its text,
 * the file is the same whatever the threads' timing.  Without threads
 * (none could be started) the chunks are deflated here.
 *
 * Zip: stored names in ASCII, method 8, 1980-01-01 00:00, no data
 * descriptors (sizes are known when an entry is written); the Zip64 extra
 * field and end records only when a size or offset reaches 4 GiB.
 * Owns: everything of one xlsx_t.
 */
#include "xlsx.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "xlsx_theme.h"

enum {
    CHUNK = 1 << 20,          /* bytes of sheet XML deflated as one piece */
    WORKERS = 2,              /* deflating threads */
    IN_FLIGHT = 2 * WORKERS + 2, /* chunks handed over and not yet deflated, at most */
    COPY_BUFFER = 1 << 20,
};

static uint64_t zip64_threshold = 0xFFFFFFFFu;
static size_t n_workers = WORKERS;

void xlsx_set_zip64_threshold(uint64_t bytes)
{
    zip64_threshold = bytes ? bytes : 0xFFFFFFFFu;
}

void xlsx_set_workers(size_t n)
{
    n_workers = n < WORKERS ? n : WORKERS;
}

/* ------------------------------------------------------------------------ */
/* growable text                                                              */

typedef struct {
    char *s;
    size_t len, cap;
    bool failed;              /* out of memory once: nothing more is kept */
} text_t;

static bool text_reserve(text_t *t, size_t more)
{
    if (t->failed)
        return false;
    if (t->len + more <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more)
        cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s) {
        t->failed = true;
        return false;
    }
    t->s = s;
    t->cap = cap;
    return true;
}

static inline void text_put(text_t *t, const char *s, size_t n)
{
    if (t->len + n > t->cap && !text_reserve(t, n))
        return;
    memcpy(t->s + t->len, s, n);
    t->len += n;
}

#define TEXT_LIT(t, lit) text_put((t), lit, sizeof lit - 1)

static void text_str(text_t *t, const char *s)
{
    text_put(t, s, strlen(s));
}

static void text_printf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    text_str(t, s);
    g_free(s);
}

/* s with & < > (and in attributes ") as entities; control characters but
 * tab and LF as OOXML's _xHHHH_ when `controls`. */
static void text_escaped(text_t *t, const char *s, size_t n, bool attribute, bool controls)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *with;
        char hex[8];
        if (c == '&')
            with = "&amp;";
        else if (c == '<')
            with = "&lt;";
        else if (c == '>')
            with = "&gt;";
        else if (c == '"' && attribute)
            with = "&quot;";
        else if (c < 0x20 && c != '\t' && c != '\n' && controls) {
            snprintf(hex, sizeof hex, "_x%04X_", c);
            with = hex;
        } else
            continue;
        text_put(t, s + from, i - from);
        text_str(t, with);
        from = i + 1;
    }
    text_put(t, s + from, n - from);
}

/* ------------------------------------------------------------------------ */
/* deflate: pieces of one zip entry                                           */

/* One piece of an entry's deflate stream: XML text until it is deflated,
 * then where its bytes are in the scratch file. */
typedef struct {
    char *xml;
    size_t xml_len;
    uint64_t at;              /* offset in the scratch file */
    size_t size;              /* deflated bytes */
    uint32_t crc;             /* of the XML */
    int error;                /* errno of a failure, 0 */
    bool done;
} piece_t;

/* Deflate in[0..n) on its own with zlib at `level`, byte-aligned and not
 * final (a full flush), into a new buffer (*out, *out_len); the CRC-32 of
 * the input into *crc.  false when out of memory.  zlib, not ISA-L: ISA-L's
 * deflate picks its code by the processor's features when a program
 * starts, and its output was seen to change between runs of one machine
 * (about one in 300) and would between machines; zlib's depends on its input
 * alone, so an archived quarter's workbook reruns byte for byte. */
static bool deflate_piece(const char *in, size_t n, int level, uint8_t **out, size_t *out_len,
                          uint32_t *crc)
{
    z_stream z = { 0 };
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    size_t cap = deflateBound(&z, (uLong)n) + 16;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return false;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FULL_FLUSH);   /* byte-aligned, not final */
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_OK || z.avail_in != 0 || z.avail_out == 0) {   /* all of it, flushed */
        free(buf);
        return false;
    }
    *out = buf;
    *crc = (uint32_t)crc32(0, (const Bytef *)in, (uInt)n);
    return true;
}

enum {
    LEVEL_CHUNK = 1,    /* a sheet's rows: fast, for the large sheets */
    LEVEL_SMALL = 6,    /* a sheet's head and tail, the package's own parts */
};

/* ------------------------------------------------------------------------ */
/* the file                                                                   */

typedef struct {
    bool bold;
    char *number_format;      /* NULL: General */
    int num_fmt_id;           /* 0: General */
} style_t;

typedef struct {
    uint32_t first_row, last_row, col;
    double value[3];
    uint32_t rgb[3];
} color_scale_t;

typedef struct {
    bool set;
    uint32_t first_row, first_col, last_row, last_col;
} range_t;

struct xlsx_sheet {
    xlsx_t *x;
    char *name;
    size_t index;             /* from 0, in workbook order */
    text_t xml;               /* rows not yet handed over */
    GPtrArray *pieces;        /* piece_t *, in order */
    bool in_row, row_open;    /* a row started; its <row> element written */
    uint32_t row, next_col;
    char row_text[12];        /* the row's number, from 1 */
    size_t row_text_len;
    bool any_cell;
    uint32_t dim_first_row, dim_last_row, dim_first_col, dim_last_col;
    bool freeze, landscape, fit_width, repeat_first_row, ignore_number_as_text;
    range_t print_area, autofilter;
    GArray *widths;           /* double per column; 0: not set */
    GArray *color_scales;     /* color_scale_t */
};

struct xlsx {
    char *path;
    FILE *out;
    int scratch;              /* file descriptor */
    time_t created;
    engage_status_t status;   /* first failure */
    int error;                /* its errno */
    GPtrArray *sheets;        /* xlsx_sheet_t * */
    GArray *styles;           /* style_t; style i + 1, in cellXfs at i + 1 */
    int n_num_fmts;

    /* the workers */
    pthread_mutex_t lock;
    pthread_cond_t work, finished;
    GQueue queue;             /* piece_t * waiting */
    size_t in_flight;         /* queued or being deflated */
    uint64_t scratch_end;
    bool stopping;
    pthread_t thread[WORKERS];
    size_t n_threads;
};

static void fail(xlsx_t *x, engage_status_t st, int errnum)
{
    if (x->status == ENGAGE_OK) {
        x->status = st;
        x->error = errnum;
    }
}

/* Deflate piece p and append it to the scratch file (p->error on failure). */
static void piece_run(xlsx_t *x, piece_t *p, bool threaded)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    uint32_t crc = 0;
    if (!deflate_piece(p->xml, p->xml_len, LEVEL_CHUNK, &out, &out_len, &crc)) {
        p->error = ENOMEM;
        return;
    }
    if (threaded)
        pthread_mutex_lock(&x->lock);
    uint64_t at = x->scratch_end;
    x->scratch_end += out_len;
    if (threaded)
        pthread_mutex_unlock(&x->lock);
    size_t done = 0;
    while (done < out_len) {
        ssize_t w = pwrite(x->scratch, out + done, out_len - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            p->error = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    free(out);
    p->at = at;
    p->size = out_len;
    p->crc = crc;
}

static void *worker(void *arg)
{
    xlsx_t *x = arg;
    pthread_mutex_lock(&x->lock);
    for (;;) {
        while (!x->stopping && g_queue_is_empty(&x->queue))
            pthread_cond_wait(&x->work, &x->lock);
        if (g_queue_is_empty(&x->queue))
            break;
        piece_t *p = g_queue_pop_head(&x->queue);
        pthread_mutex_unlock(&x->lock);
        piece_run(x, p, true);
        free(p->xml);
        p->xml = NULL;
        pthread_mutex_lock(&x->lock);
        p->done = true;
        x->in_flight--;
        pthread_cond_broadcast(&x->finished);
    }
    pthread_mutex_unlock(&x->lock);
    return NULL;
}

/* Hand sheet s's XML so far to the workers as its next piece. */
static void sheet_hand_over(xlsx_sheet_t *s)
{
    xlsx_t *x = s->x;
    if (s->xml.failed) {
        fail(x, ENGAGE_ENOMEM, ENOMEM);
        return;
    }
    if (s->xml.len == 0)
        return;
    piece_t *p = calloc(1, sizeof *p);
    if (!p) {
        fail(x, ENGAGE_ENOMEM, ENOMEM);
        return;
    }
    p->xml = s->xml.s;
    p->xml_len = s->xml.len;
    s->xml = (text_t){ 0 };
    g_ptr_array_add(s->pieces, p);
    if (x->n_threads == 0) {
        piece_run(x, p, false);
        free(p->xml);
        p->xml = NULL;
        p->done = true;
        return;
    }
    pthread_mutex_lock(&x->lock);
    while (x->in_flight >= IN_FLIGHT)
        pthread_cond_wait(&x->finished, &x->lock);
    g_queue_push_tail(&x->queue, p);
    x->in_flight++;
    pthread_cond_signal(&x->work);
    pthread_mutex_unlock(&x->lock);
}

static void stop_workers(xlsx_t *x)
{
    pthread_mutex_lock(&x->lock);
    x->stopping = true;
    pthread_cond_broadcast(&x->work);
    pthread_mutex_unlock(&x->lock);
    for (size_t i = 0; i < x->n_threads; i++)
        pthread_join(x->thread[i], NULL);
    x->n_threads = 0;
}

/* An unnamed file in dir for the deflated pieces; -1 when none can be made. */
static int open_scratch(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    char *name = g_strdup_printf("%s/.xlsx-scratch-XXXXXX", dir);
    int fd2 = g_mkstemp_full(name, O_RDWR | O_CLOEXEC, 0600);
    if (fd2 >= 0)
        unlink(name);
    g_free(name);
    return fd2;
}

engage_status_t xlsx_open(xlsx_t **out, const char *path, const char *scratch_dir, time_t created,
                          engage_error_t *err)
{
    *out = NULL;
    xlsx_t *x = calloc(1, sizeof *x);
    if (!x)
        return engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
    x->out = fopen(path, "wb");
    if (!x->out) {
        free(x);
        return engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
    }
    x->scratch = open_scratch(scratch_dir);
    if (x->scratch < 0) {
        int errnum = errno;
        fclose(x->out);
        free(x);
        return engage_fail(err, engage_output_status(errnum), path, 0, "cannot write the workbook: %s",
                           strerror(errnum));
    }
    x->path = g_strdup(path);
    x->created = created;
    x->sheets = g_ptr_array_new();
    x->styles = g_array_new(FALSE, TRUE, sizeof(style_t));
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->work, NULL);
    pthread_cond_init(&x->finished, NULL);
    g_queue_init(&x->queue);
    for (size_t i = 0; i < n_workers; i++)
        if (pthread_create(&x->thread[x->n_threads], NULL, worker, x) == 0)
            x->n_threads++;
    *out = x;
    return ENGAGE_OK;
}

xlsx_style_t xlsx_style(xlsx_t *x, bool bold, const char *number_format)
{
    style_t st = { .bold = bold, .number_format = number_format ? g_strdup(number_format) : NULL };
    /* a code already given keeps its id; a new one takes the next (164 on) */
    for (guint i = 0; number_format && i < x->styles->len; i++) {
        const style_t *o = &g_array_index(x->styles, style_t, i);
        if (o->number_format && strcmp(o->number_format, number_format) == 0)
            st.num_fmt_id = o->num_fmt_id;
    }
    if (number_format && !st.num_fmt_id)
        st.num_fmt_id = 164 + x->n_num_fmts++;
    g_array_append_val(x->styles, st);
    return (xlsx_style_t)x->styles->len;
}

xlsx_sheet_t *xlsx_sheet(xlsx_t *x, const char *name)
{
    xlsx_sheet_t *s = calloc(1, sizeof *s);
    if (!s) {
        fail(x, ENGAGE_ENOMEM, ENOMEM);
        return NULL;
    }
    s->x = x;
    s->name = g_strdup(name);
    s->index = x->sheets->len;
    s->pieces = g_ptr_array_new();
    s->widths = g_array_new(FALSE, TRUE, sizeof(double));
    s->color_scales = g_array_new(FALSE, TRUE, sizeof(color_scale_t));
    g_ptr_array_add(x->sheets, s);
    return s;
}

/* ------------------------------------------------------------------------ */
/* cells                                                                      */

/* Column col's letters (from 0: "A"), NUL-terminated; their count. */
static size_t col_letters(uint32_t col, char out[4])
{
    char tmp[4];
    size_t n = 0;
    uint32_t c = col + 1;
    while (c > 0 && n < 3) {
        tmp[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* v's decimal digits into out (at least 10 bytes), not NUL-terminated;
 * their count.  (snprintf, once a cell, was a tenth of a big sheet's
 * time.) */
static size_t decimal(uint32_t v, char *out)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static void row_close(xlsx_sheet_t *s)
{
    if (s->row_open)
        TEXT_LIT(&s->xml, "</row>");
    s->row_open = false;
}

/* Start row `row`. */
static void row_start(xlsx_sheet_t *s, uint32_t row)
{
    row_close(s);
    if (s->xml.len >= CHUNK)
        sheet_hand_over(s);
    s->in_row = true;
    s->row = row;
    s->next_col = 0;
    s->row_text_len = decimal(row + 1, s->row_text);
}

/* <c[ r="REF"][ s="N"] — the opening of a cell, and its row's when it is
 * the row's first; false (nothing written) for a cell before the last one.
 * A cell right after the one before it in its row goes without its
 * reference (ECMA-376 §18.3.1.4: it is then the next column), which takes
 * a fifth of a large sheet's XML away; the row's first cell and a cell
 * after a gap keep theirs. */
static bool cell_open(xlsx_sheet_t *s, uint32_t row, uint32_t col, xlsx_style_t style)
{
    if (!s->in_row || row > s->row)
        row_start(s, row);
    else if (row < s->row || col < s->next_col) {
        fail(s->x, ENGAGE_EIO, EINVAL);
        return false;
    }
    bool follows = s->row_open && col == s->next_col;
    if (!s->row_open) {
        TEXT_LIT(&s->xml, "<row r=\"");
        text_put(&s->xml, s->row_text, s->row_text_len);
        TEXT_LIT(&s->xml, "\">");
        s->row_open = true;
    }
    if (!s->any_cell) {
        s->dim_first_row = s->dim_last_row = s->row;
        s->dim_first_col = s->dim_last_col = col;
        s->any_cell = true;
    } else {
        s->dim_last_row = s->row;
        if (col < s->dim_first_col)
            s->dim_first_col = col;
        if (col > s->dim_last_col)
            s->dim_last_col = col;
    }
    if (follows) {
        TEXT_LIT(&s->xml, "<c");
    } else {
        char letters[4];
        size_t n = col_letters(col, letters);
        TEXT_LIT(&s->xml, "<c r=\"");
        text_put(&s->xml, letters, n);
        text_put(&s->xml, s->row_text, s->row_text_len);
        TEXT_LIT(&s->xml, "\"");
    }
    int xf = style > 0 && (guint)style <= s->x->styles->len ? style : 0;
    if (xf) {
        char num[10];
        TEXT_LIT(&s->xml, " s=\"");
        text_put(&s->xml, num, decimal((uint32_t)xf, num));
        TEXT_LIT(&s->xml, "\"");
    }
    s->next_col = col + 1;
    return true;
}

void xlsx_string(xlsx_sheet_t *s, uint32_t row, uint32_t col, const char *text, size_t len,
                 xlsx_style_t style)
{
    if (!s || len == 0 || !cell_open(s, row, col, style))
        return;
    /* leading or trailing white space is kept only when the element says so */
    char first = text[0], last = text[len - 1];
    bool space = first == ' ' || first == '\t' || first == '\n' || last == ' ' || last == '\t' ||
                 last == '\n';
    if (space)
        TEXT_LIT(&s->xml, " t=\"inlineStr\"><is><t xml:space=\"preserve\">");
    else
        TEXT_LIT(&s->xml, " t=\"inlineStr\"><is><t>");
    text_escaped(&s->xml, text, len, false, true);
    TEXT_LIT(&s->xml, "</t></is></c>");
}

void xlsx_number_text(xlsx_sheet_t *s, uint32_t row, uint32_t col, const char *text, size_t len,
                      xlsx_style_t style)
{
    if (!s || !cell_open(s, row, col, style))
        return;
    TEXT_LIT(&s->xml, "><v>");
    text_put(&s->xml, text, len);
    TEXT_LIT(&s->xml, "</v></c>");
}

void xlsx_number(xlsx_sheet_t *s, uint32_t row, uint32_t col, double value, xlsx_style_t style)
{
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(num, sizeof num, "%.16G", value);
    xlsx_number_text(s, row, col, num, strlen(num), style);
}

/* ------------------------------------------------------------------------ */
/* sheet settings                                                             */

void xlsx_freeze_first_row(xlsx_sheet_t *s)
{
    if (s)
        s->freeze = true;
}

void xlsx_landscape(xlsx_sheet_t *s)
{
    if (s)
        s->landscape = true;
}

void xlsx_fit_width(xlsx_sheet_t *s)
{
    if (s)
        s->fit_width = true;
}

void xlsx_repeat_first_row(xlsx_sheet_t *s)
{
    if (s)
        s->repeat_first_row = true;
}

void xlsx_ignore_number_as_text(xlsx_sheet_t *s)
{
    if (s)
        s->ignore_number_as_text = true;
}

void xlsx_print_area(xlsx_sheet_t *s, uint32_t first_row, uint32_t first_col, uint32_t last_row,
                     uint32_t last_col)
{
    if (s)
        s->print_area = (range_t){ true, first_row, first_col, last_row, last_col };
}

void xlsx_autofilter(xlsx_sheet_t *s, uint32_t first_row, uint32_t first_col, uint32_t last_row,
                     uint32_t last_col)
{
    if (s)
        s->autofilter = (range_t){ true, first_row, first_col, last_row, last_col };
}

void xlsx_column_width(xlsx_sheet_t *s, uint32_t col, double chars)
{
    if (!s || col >= XLSX_COL_MAX)
        return;
    if (col >= s->widths->len)
        g_array_set_size(s->widths, col + 1);
    g_array_index(s->widths, double, col) = chars;
}

void xlsx_color_scale(xlsx_sheet_t *s, uint32_t first_row, uint32_t last_row, uint32_t col, double low,
                      uint32_t low_rgb, double mid, uint32_t mid_rgb, double high, uint32_t high_rgb)
{
    if (!s)
        return;
    color_scale_t cs = { first_row, last_row, col, { low, mid, high }, { low_rgb, mid_rgb, high_rgb } };
    g_array_append_val(s->color_scales, cs);
}

/* ------------------------------------------------------------------------ */
/* the parts                                                                  */

#define XML_DECLARATION "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"

/* "A1" or "A1:C9" (absolute: "$A$1:$C$9"). */
static void put_range(text_t *t, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1, bool absolute)
{
    char a[4], b[4];
    col_letters(c0, a);
    col_letters(c1, b);
    if (absolute)
        text_printf(t, "$%s$%u:$%s$%u", a, r0 + 1, b, r1 + 1);
    else if (r0 == r1 && c0 == c1)
        text_printf(t, "%s%u", a, r0 + 1);
    else
        text_printf(t, "%s%u:%s%u", a, r0 + 1, b, r1 + 1);
}

static void put_double(text_t *t, double v)
{
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(num, sizeof num, "%.16g", v);
    text_str(t, num);
}

/* A sheet's name as a reference takes: quoted when it is not a plain word. */
static char *quoted_name(const char *name)
{
    bool plain = !g_ascii_isdigit(name[0]);
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.')
            plain = false;
    if (plain)
        return g_strdup(name);
    GString *q = g_string_new("'");
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            g_string_append_c(q, '\'');
        g_string_append_c(q, *p);
    }
    g_string_append_c(q, '\'');
    return g_string_free(q, FALSE);
}

static void sheet_head(const xlsx_sheet_t *s, text_t *t)
{
    TEXT_LIT(t, XML_DECLARATION "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">");
    if (s->fit_width)
        TEXT_LIT(t, "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>");
    TEXT_LIT(t, "<dimension ref=\"");
    if (s->any_cell)
        put_range(t, s->dim_first_row, s->dim_first_col, s->dim_last_row, s->dim_last_col, false);
    else
        TEXT_LIT(t, "A1");
    TEXT_LIT(t, "\"/><sheetViews><sheetView ");
    if (s->index == 0)
        TEXT_LIT(t, "tabSelected=\"1\" ");
    if (s->freeze)
        TEXT_LIT(t, "workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
                    "state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews>");
    else
        TEXT_LIT(t, "workbookViewId=\"0\"/></sheetViews>");
    TEXT_LIT(t, "<sheetFormatPr defaultRowHeight=\"15\"/>");
    bool any_width = false;
    for (guint c = 0; c < s->widths->len; c++) {
        double w = g_array_index(s->widths, double, c);
        if (w <= 0)
            continue;
        if (!any_width)
            TEXT_LIT(t, "<cols>");
        any_width = true;
        /* characters to the width a spreadsheet stores: Calibri 11's 7-pixel
         * digits and 5 pixels of padding, in 256ths */
        double stored = w < 1 ? (uint16_t)((uint16_t)(w * 12 + 0.5) / 7.0 * 256.0) / 256.0
                              : (uint16_t)(((uint16_t)(w * 7 + 0.5) + 5) / 7.0 * 256.0) / 256.0;
        text_printf(t, "<col min=\"%u\" max=\"%u\" width=\"", c + 1, c + 1);
        put_double(t, stored);
        TEXT_LIT(t, "\" customWidth=\"1\"/>");
    }
    if (any_width)
        TEXT_LIT(t, "</cols>");
    if (s->any_cell)
        TEXT_LIT(t, "<sheetData>");
    else
        TEXT_LIT(t, "<sheetData/>");
}

static int color_scale_order(const void *a, const void *b, void *data)
{
    (void)data;
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

static void sheet_tail(const xlsx_sheet_t *s, text_t *t)
{
    if (s->any_cell)
        TEXT_LIT(t, "</sheetData>");
    if (s->autofilter.set) {
        TEXT_LIT(t, "<autoFilter ref=\"");
        put_range(t, s->autofilter.first_row, s->autofilter.first_col, s->autofilter.last_row,
                  s->autofilter.last_col, false);
        TEXT_LIT(t, "\"/>");
    }
    /* colour scales in the order of their ranges' names, numbered in the
     * order they were set */
    guint n = s->color_scales->len;
    char **rules = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++) {
        const color_scale_t *cs = &g_array_index(s->color_scales, color_scale_t, i);
        text_t r = { 0 };
        put_range(&r, cs->first_row, cs->col, cs->last_row, cs->col, false);
        TEXT_LIT(&r, "\0");
        TEXT_LIT(&r, "\"><cfRule type=\"colorScale\" priority=\"");
        text_printf(&r, "%u", i + 1);
        TEXT_LIT(&r, "\"><colorScale>");
        for (int k = 0; k < 3; k++) {
            TEXT_LIT(&r, "<cfvo type=\"num\" val=\"");
            put_double(&r, cs->value[k]);
            TEXT_LIT(&r, "\"/>");
        }
        for (int k = 0; k < 3; k++)
            text_printf(&r, "<color rgb=\"FF%06X\"/>", cs->rgb[k] & 0xFFFFFFu);
        TEXT_LIT(&r, "</colorScale></cfRule></conditionalFormatting>");
        TEXT_LIT(&r, "\0");
        if (r.failed) {
            free(r.s);
            r.s = NULL;
        }
        rules[i] = r.s;
    }
    g_qsort_with_data(rules, (gint)n, sizeof *rules, color_scale_order, NULL);
    for (guint i = 0; i < n; i++) {
        if (!rules[i]) {
            t->failed = true;
            continue;
        }
        const char *ref = rules[i], *rest = ref + strlen(ref) + 1;
        TEXT_LIT(t, "<conditionalFormatting sqref=\"");
        text_str(t, ref);
        text_str(t, rest);
        free(rules[i]);
    }
    g_free(rules);
    TEXT_LIT(t, "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" "
                "footer=\"0.3\"/>");
    if (s->landscape || s->fit_width) {
        TEXT_LIT(t, "<pageSetup ");
        if (s->fit_width)
            TEXT_LIT(t, "fitToHeight=\"0\" ");
        if (s->landscape)
            TEXT_LIT(t, "orientation=\"landscape\"/>");
        else
            TEXT_LIT(t, "orientation=\"portrait\"/>");
    }
    if (s->ignore_number_as_text)
        TEXT_LIT(t, "<ignoredErrors><ignoredError sqref=\"A1:XFD1048576\" "
                    "numberStoredAsText=\"1\"/></ignoredErrors>");
    TEXT_LIT(t, "</worksheet>");
}

/* A defined name of workbook.xml, and how app.xml names it. */
typedef struct {
    char *name;               /* "_xlnm._FilterDatabase" */
    char *app_name;           /* "managers!_FilterDatabase" */
    char *key;                /* the order: the name without "_xlnm.", then app_name, lower case */
    char *formula;            /* "managers!$A$1:$V$242" */
    size_t sheet;
    bool hidden;
} defined_name_t;

static int defined_name_order(const void *a, const void *b)
{
    const defined_name_t *x = a, *y = b;
    return strcmp(x->key, y->key);
}

static void add_name(GArray *names, const char *name, const xlsx_sheet_t *s, const char *quoted,
                     const char *formula_range, bool hidden)
{
    defined_name_t d = { .name = g_strdup(name), .sheet = s->index, .hidden = hidden };
    const char *bare = g_str_has_prefix(name, "_xlnm.") ? name + 6 : name;
    d.app_name = g_strdup_printf("%s!%s", quoted, bare);
    char *lower_name = g_ascii_strdown(bare, -1), *lower_app = g_ascii_strdown(d.app_name, -1);
    d.key = g_strdup_printf("%s%c%s", lower_name, 1, lower_app);
    g_free(lower_name);
    g_free(lower_app);
    d.formula = g_strdup_printf("%s!%s", quoted, formula_range);
    g_array_append_val(names, d);
}

/* Every sheet's defined names, in the order spreadsheets keep them. */
static GArray *defined_names(const xlsx_t *x)
{
    GArray *names = g_array_new(FALSE, TRUE, sizeof(defined_name_t));
    for (guint i = 0; i < x->sheets->len; i++) {
        const xlsx_sheet_t *s = g_ptr_array_index(x->sheets, i);
        char *q = quoted_name(s->name);
        text_t r = { 0 };
        if (s->autofilter.set) {
            put_range(&r, s->autofilter.first_row, s->autofilter.first_col, s->autofilter.last_row,
                      s->autofilter.last_col, true);
            TEXT_LIT(&r, "\0");
            add_name(names, "_xlnm._FilterDatabase", s, q, r.s ? r.s : "", true);
            r.len = 0;
        }
        if (s->print_area.set) {
            put_range(&r, s->print_area.first_row, s->print_area.first_col, s->print_area.last_row,
                      s->print_area.last_col, true);
            TEXT_LIT(&r, "\0");
            add_name(names, "_xlnm.Print_Area", s, q, r.s ? r.s : "", false);
            r.len = 0;
        }
        if (s->repeat_first_row)
            add_name(names, "_xlnm.Print_Titles", s, q, "$1:$1", false);
        free(r.s);
        g_free(q);
    }
    g_array_sort(names, defined_name_order);
    return names;
}

static void free_names(GArray *names)
{
    for (guint i = 0; i < names->len; i++) {
        defined_name_t *d = &g_array_index(names, defined_name_t, i);
        g_free(d->name);
        g_free(d->app_name);
        g_free(d->key);
        g_free(d->formula);
    }
    g_array_free(names, TRUE);
}

static void content_types(const xlsx_t *x, text_t *t)
{
    static const char *const kinds[][2] = {
        { "/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml" },
        { "/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml" },
        { "/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml" },
        { "/xl/theme/theme1.xml", "application/vnd.openxmlformats-officedocument.theme+xml" },
        { "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" },
    };
    TEXT_LIT(t, XML_DECLARATION "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                "<Default Extension=\"xml\" ContentType=\"application/xml\"/>");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        text_printf(t, "<Override PartName=\"%s\" ContentType=\"%s\"/>", kinds[i][0], kinds[i][1]);
    for (guint i = 0; i < x->sheets->len; i++)
        text_printf(t, "<Override PartName=\"/xl/worksheets/sheet%u.xml\" ContentType=\"application/"
                       "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>", i + 1);
    TEXT_LIT(t, "</Types>");
}

static void root_rels(text_t *t)
{
    TEXT_LIT(t, XML_DECLARATION "<Relationships xmlns=\"" NS_PKG_REL "\">"
                "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
                "<Relationship Id=\"rId2\" Type=\"" NS_PKG_REL "/metadata/core-properties\" "
                "Target=\"docProps/core.xml\"/>"
                "<Relationship Id=\"rId3\" Type=\"" NS_REL "/extended-properties\" "
                "Target=\"docProps/app.xml\"/></Relationships>");
}

static void workbook_rels(const xlsx_t *x, text_t *t)
{
    guint n = x->sheets->len;
    TEXT_LIT(t, XML_DECLARATION "<Relationships xmlns=\"" NS_PKG_REL "\">");
    for (guint i = 0; i < n; i++)
        text_printf(t, "<Relationship Id=\"rId%u\" Type=\"" NS_REL "/worksheet\" "
                       "Target=\"worksheets/sheet%u.xml\"/>", i + 1, i + 1);
    text_printf(t, "<Relationship Id=\"rId%u\" Type=\"" NS_REL "/theme\" Target=\"theme/theme1.xml\"/>"
                   "<Relationship Id=\"rId%u\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
                   "</Relationships>", n + 1, n + 2);
}

static void workbook_xml(const xlsx_t *x, const GArray *names, text_t *t)
{
    TEXT_LIT(t, XML_DECLARATION "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
                "<fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>"
                "<workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" "
                "yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>");
    for (guint i = 0; i < x->sheets->len; i++) {
        const xlsx_sheet_t *s = g_ptr_array_index(x->sheets, i);
        TEXT_LIT(t, "<sheet name=\"");
        text_escaped(t, s->name, strlen(s->name), true, false);
        text_printf(t, "\" sheetId=\"%u\" r:id=\"rId%u\"/>", i + 1, i + 1);
    }
    TEXT_LIT(t, "</sheets>");
    if (names->len > 0) {
        TEXT_LIT(t, "<definedNames>");
        for (guint i = 0; i < names->len; i++) {
            const defined_name_t *d = &g_array_index(names, defined_name_t, i);
            text_printf(t, "<definedName name=\"%s\" localSheetId=\"%zu\"%s>", d->name, d->sheet,
                        d->hidden ? " hidden=\"1\"" : "");
            text_escaped(t, d->formula, strlen(d->formula), false, false);
            TEXT_LIT(t, "</definedName>");
        }
        TEXT_LIT(t, "</definedNames>");
    }
    TEXT_LIT(t, "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
}

static void styles_xml(const xlsx_t *x, text_t *t)
{
    guint n = x->styles->len;
    TEXT_LIT(t, XML_DECLARATION "<styleSheet xmlns=\"" NS_MAIN "\">");
    if (x->n_num_fmts > 0) {
        text_printf(t, "<numFmts count=\"%d\">", x->n_num_fmts);
        for (int id = 164; id < 164 + x->n_num_fmts; id++)
            for (guint i = 0; i < n; i++) {
                const style_t *st = &g_array_index(x->styles, style_t, i);
                if (st->num_fmt_id == id) {
                    text_printf(t, "<numFmt numFmtId=\"%d\" formatCode=\"", id);
                    text_escaped(t, st->number_format, strlen(st->number_format), true, false);
                    TEXT_LIT(t, "\"/>");
                    break;
                }
            }
        TEXT_LIT(t, "</numFmts>");
    }
    bool bold = false;
    for (guint i = 0; i < n; i++)
        bold |= g_array_index(x->styles, style_t, i).bold;
#define FONT_REST "<sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font>"
    text_printf(t, "<fonts count=\"%d\"><font>" FONT_REST, bold ? 2 : 1);
    if (bold)
        TEXT_LIT(t, "<font><b/>" FONT_REST);
#undef FONT_REST
    TEXT_LIT(t, "</fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill>"
                "<patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border><left/>"
                "<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf "
                "numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>");
    text_printf(t, "<cellXfs count=\"%u\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
                n + 1);
    for (guint i = 0; i < n; i++) {
        const style_t *st = &g_array_index(x->styles, style_t, i);
        int fmt = st->num_fmt_id, font = st->bold ? 1 : 0;
        text_printf(t, "<xf numFmtId=\"%d\" fontId=\"%d\" fillId=\"0\" borderId=\"0\" xfId=\"0\"%s%s/>", fmt,
                    font, fmt ? " applyNumberFormat=\"1\"" : "", font ? " applyFont=\"1\"" : "");
    }
    TEXT_LIT(t, "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
                "</cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" "
                "defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>");
}

static void core_xml(const xlsx_t *x, text_t *t)
{
    struct tm tm;
    char when[32];
    gmtime_r(&x->created, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    text_printf(t, XML_DECLARATION "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
                   "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\""
                   "http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\""
                   "http://www.w3.org/2001/XMLSchema-instance\"><dc:creator></dc:creator><cp:lastModifiedBy>"
                   "</cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">%s</dcterms:created>"
                   "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">%s</dcterms:modified></cp:coreProperties>",
                when, when);
}

static void app_xml(const xlsx_t *x, const GArray *names, text_t *t)
{
    guint n_sheets = x->sheets->len, n_ranges = 0;
    for (guint i = 0; i < names->len; i++)
        n_ranges += !g_str_has_suffix(g_array_index(names, defined_name_t, i).app_name, "!_FilterDatabase");
    TEXT_LIT(t, XML_DECLARATION "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                "extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                "docPropsVTypes\"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
                "<ScaleCrop>false</ScaleCrop><HeadingPairs>");
    text_printf(t, "<vt:vector size=\"%u\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>"
                   "</vt:variant><vt:variant><vt:i4>%u</vt:i4></vt:variant>", n_ranges ? 4 : 2, n_sheets);
    if (n_ranges)
        text_printf(t, "<vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>%u</vt:i4>"
                       "</vt:variant>", n_ranges);
    text_printf(t, "</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size=\"%u\" baseType=\"lpstr\">",
                n_sheets + n_ranges);
    for (guint i = 0; i < n_sheets; i++) {
        const xlsx_sheet_t *s = g_ptr_array_index(x->sheets, i);
        TEXT_LIT(t, "<vt:lpstr>");
        text_escaped(t, s->name, strlen(s->name), false, false);
        TEXT_LIT(t, "</vt:lpstr>");
    }
    for (guint i = 0; i < names->len; i++) {
        const char *app = g_array_index(names, defined_name_t, i).app_name;
        if (g_str_has_suffix(app, "!_FilterDatabase"))
            continue;
        TEXT_LIT(t, "<vt:lpstr>");
        text_escaped(t, app, strlen(app), false, false);
        TEXT_LIT(t, "</vt:lpstr>");
    }
    TEXT_LIT(t, "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "<AppVersion>12.0000</AppVersion></Properties>");
}

/* ------------------------------------------------------------------------ */
/* the zip                                                                    */

typedef struct {
    char *name;
    uint64_t offset;          /* of its local header */
    uint64_t size, csize;
    uint32_t crc;
} entry_t;

typedef struct {
    xlsx_t *x;
    uint64_t at;              /* bytes written */
    GArray *entries;          /* entry_t */
    uint8_t *copy;            /* COPY_BUFFER */
} zip_t;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void zip_write(zip_t *z, const void *data, size_t n)
{
    if (z->x->status != ENGAGE_OK)
        return;
    errno = 0;
    if (n && fwrite(data, 1, n, z->x->out) != n)
        fail(z->x, ENGAGE_EIO, errno ? errno : EIO);
    z->at += n;
}

enum { DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1 };   /* 1980-01-01 */
static const uint8_t FINAL_BLOCK[2] = { 0x03, 0x00 }; /* an empty, final, fixed-Huffman block */

static bool over(uint64_t v)
{
    return v >= zip64_threshold;
}

static void zip_local_header(zip_t *z, const entry_t *e)
{
    bool z64 = over(e->size) || over(e->csize);
    size_t name_len = strlen(e->name);
    uint8_t h[30 + 20];
    put32(h, 0x04034b50);
    put16(h + 4, z64 ? 45 : 20);
    put16(h + 6, 0);
    put16(h + 8, 8);
    put16(h + 10, 0);
    put16(h + 12, DOS_DATE_1980);
    put32(h + 14, e->crc);
    put32(h + 18, z64 ? 0xFFFFFFFFu : (uint32_t)e->csize);
    put32(h + 22, z64 ? 0xFFFFFFFFu : (uint32_t)e->size);
    put16(h + 26, (unsigned)name_len);
    put16(h + 28, z64 ? 20 : 0);
    zip_write(z, h, 30);
    zip_write(z, e->name, name_len);
    if (z64) {
        put16(h, 1);
        put16(h + 2, 16);
        put64(h + 4, e->size);
        put64(h + 12, e->csize);
        zip_write(z, h, 20);
    }
}

/* One entry: its local header, then the deflated pieces (heads and tails
 * deflated here, sheet chunks from the scratch file). */
typedef struct {
    const uint8_t *data;      /* deflated bytes here, or NULL: from the scratch file */
    uint64_t at;
    size_t size;
    size_t xml_len;
    uint32_t crc;
} part_t;

static void zip_entry(zip_t *z, const char *name, const part_t *parts, size_t n_parts)
{
    entry_t e = { .name = g_strdup(name), .offset = z->at };
    for (size_t i = 0; i < n_parts; i++) {
        e.crc = i == 0 ? parts[i].crc : (uint32_t)crc32_combine(e.crc, parts[i].crc, (z_off_t)parts[i].xml_len);
        e.size += parts[i].xml_len;
        e.csize += parts[i].size;
    }
    e.csize += sizeof FINAL_BLOCK;
    zip_local_header(z, &e);
    for (size_t i = 0; i < n_parts && z->x->status == ENGAGE_OK; i++) {
        if (parts[i].data) {
            zip_write(z, parts[i].data, parts[i].size);
            continue;
        }
        uint64_t done = 0;
        while (done < parts[i].size && z->x->status == ENGAGE_OK) {
            size_t want = parts[i].size - done < COPY_BUFFER ? (size_t)(parts[i].size - done) : COPY_BUFFER;
            ssize_t r = pread(z->x->scratch, z->copy, want, (off_t)(parts[i].at + done));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                fail(z->x, ENGAGE_EIO, r < 0 ? errno : EIO);
                break;
            }
            zip_write(z, z->copy, (size_t)r);
            done += (uint64_t)r;
        }
    }
    zip_write(z, FINAL_BLOCK, sizeof FINAL_BLOCK);
    g_array_append_val(z->entries, e);
}

/* An entry of one text, deflated here. */
static void zip_text(zip_t *z, const char *name, text_t *t)
{
    if (t->failed) {
        fail(z->x, ENGAGE_ENOMEM, ENOMEM);
        return;
    }
    uint8_t *out = NULL;
    part_t p = { .xml_len = t->len };
    if (!deflate_piece(t->s ? t->s : "", t->len, LEVEL_SMALL, &out, &p.size, &p.crc)) {
        fail(z->x, ENGAGE_ENOMEM, ENOMEM);
        return;
    }
    p.data = out;
    zip_entry(z, name, &p, 1);
    free(out);
}

static void zip_central(zip_t *z)
{
    uint64_t start = z->at;
    for (guint i = 0; i < z->entries->len; i++) {
        const entry_t *e = &g_array_index(z->entries, entry_t, i);
        uint8_t h[46], extra[28];
        size_t n_extra = 0;
        if (over(e->size) || over(e->csize) || over(e->offset)) {
            put16(extra, 1);
            n_extra = 4;
            if (over(e->size))
                put64(extra + n_extra, e->size), n_extra += 8;
            if (over(e->csize))
                put64(extra + n_extra, e->csize), n_extra += 8;
            if (over(e->offset))
                put64(extra + n_extra, e->offset), n_extra += 8;
            put16(extra + 2, (unsigned)(n_extra - 4));
        }
        size_t name_len = strlen(e->name);
        put32(h, 0x02014b50);
        put16(h + 4, (3u << 8) | (n_extra ? 45 : 20));   /* made by: Unix */
        put16(h + 6, n_extra ? 45 : 20);
        put16(h + 8, 0);
        put16(h + 10, 8);
        put16(h + 12, 0);
        put16(h + 14, DOS_DATE_1980);
        put32(h + 16, e->crc);
        put32(h + 20, over(e->csize) ? 0xFFFFFFFFu : (uint32_t)e->csize);
        put32(h + 24, over(e->size) ? 0xFFFFFFFFu : (uint32_t)e->size);
        put16(h + 28, (unsigned)name_len);
        put16(h + 30, (unsigned)n_extra);
        put16(h + 32, 0);
        put16(h + 34, 0);
        put16(h + 36, 0);
        put32(h + 38, 0100644u << 16);                    /* -rw-r--r-- */
        put32(h + 42, over(e->offset) ? 0xFFFFFFFFu : (uint32_t)e->offset);
        zip_write(z, h, 46);
        zip_write(z, e->name, name_len);
        zip_write(z, extra, n_extra);
    }
    uint64_t size = z->at - start, n = z->entries->len;
    if (over(start) || over(size)) {
        uint8_t h[56 + 20];
        uint64_t record = z->at;
        put32(h, 0x06064b50);
        put64(h + 4, 44);
        put16(h + 12, 45);
        put16(h + 14, 45);
        put32(h + 16, 0);
        put32(h + 20, 0);
        put64(h + 24, n);
        put64(h + 32, n);
        put64(h + 40, size);
        put64(h + 48, start);
        put32(h + 56, 0x07064b50);                        /* its locator */
        put32(h + 60, 0);
        put64(h + 64, record);
        put32(h + 72, 1);
        zip_write(z, h, sizeof h);
    }
    uint8_t h[22];
    put32(h, 0x06054b50);
    put16(h + 4, 0);
    put16(h + 6, 0);
    put16(h + 8, (unsigned)n);
    put16(h + 10, (unsigned)n);
    put32(h + 12, over(size) ? 0xFFFFFFFFu : (uint32_t)size);
    put32(h + 16, over(start) ? 0xFFFFFFFFu : (uint32_t)start);
    put16(h + 20, 0);
    zip_write(z, h, sizeof h);
}

/* Sheet s's entry: head, its pieces (all deflated by now), tail. */
static void zip_sheet(zip_t *z, xlsx_sheet_t *s)
{
    text_t head = { 0 }, tail = { 0 };
    sheet_head(s, &head);
    sheet_tail(s, &tail);
    uint8_t *head_out = NULL, *tail_out = NULL;
    size_t n = s->pieces->len + 2;
    part_t *parts = g_new0(part_t, n);
    parts[0].xml_len = head.len;
    parts[n - 1].xml_len = tail.len;
    if (head.failed || tail.failed ||
        !deflate_piece(head.s, head.len, LEVEL_SMALL, &head_out, &parts[0].size, &parts[0].crc) ||
        !deflate_piece(tail.s, tail.len, LEVEL_SMALL, &tail_out, &parts[n - 1].size, &parts[n - 1].crc))
        fail(z->x, ENGAGE_ENOMEM, ENOMEM);
    parts[0].data = head_out;
    parts[n - 1].data = tail_out;
    for (guint i = 0; i < s->pieces->len; i++) {
        const piece_t *p = g_ptr_array_index(s->pieces, i);
        if (p->error)
            fail(z->x, p->error == ENOMEM ? ENGAGE_ENOMEM : ENGAGE_EIO, p->error);
        parts[i + 1] = (part_t){ .at = p->at, .size = p->size, .xml_len = p->xml_len, .crc = p->crc };
    }
    if (z->x->status == ENGAGE_OK) {
        char name[64];
        snprintf(name, sizeof name, "xl/worksheets/sheet%zu.xml", s->index + 1);
        zip_entry(z, name, parts, n);
    }
    free(head_out);
    free(tail_out);
    free(head.s);
    free(tail.s);
    g_free(parts);
}

/* ------------------------------------------------------------------------ */

static void free_all(xlsx_t *x)
{
    if (x->n_threads)
        stop_workers(x);
    for (guint i = 0; i < x->sheets->len; i++) {
        xlsx_sheet_t *s = g_ptr_array_index(x->sheets, i);
        for (guint k = 0; k < s->pieces->len; k++) {
            piece_t *p = g_ptr_array_index(s->pieces, k);
            free(p->xml);
            free(p);
        }
        g_ptr_array_free(s->pieces, TRUE);
        free(s->xml.s);
        g_free(s->name);
        g_array_free(s->widths, TRUE);
        g_array_free(s->color_scales, TRUE);
        free(s);
    }
    g_ptr_array_free(x->sheets, TRUE);
    for (guint i = 0; i < x->styles->len; i++)
        g_free(g_array_index(x->styles, style_t, i).number_format);
    g_array_free(x->styles, TRUE);
    pthread_mutex_destroy(&x->lock);
    pthread_cond_destroy(&x->work);
    pthread_cond_destroy(&x->finished);
    g_queue_clear(&x->queue);
    if (x->scratch >= 0)
        close(x->scratch);
    g_free(x->path);
    free(x);
}

void xlsx_abandon(xlsx_t *x)
{
    if (!x)
        return;
    if (x->out)
        fclose(x->out);
    free_all(x);
}

engage_status_t xlsx_close(xlsx_t *x, engage_error_t *err)
{
    for (guint i = 0; i < x->sheets->len; i++) {
        xlsx_sheet_t *s = g_ptr_array_index(x->sheets, i);
        row_close(s);
        sheet_hand_over(s);
    }
    if (x->n_threads)
        stop_workers(x);     /* every piece is deflated once they are gone */

    zip_t z = { .x = x, .entries = g_array_new(FALSE, TRUE, sizeof(entry_t)), .copy = malloc(COPY_BUFFER) };
    if (!z.copy)
        fail(x, ENGAGE_ENOMEM, ENOMEM);
    GArray *names = defined_names(x);
    text_t t = { 0 };
#define TEXT_ENTRY(name, call)                                                                     \
    do {                                                                                           \
        t.len = 0;                                                                                 \
        call;                                                                                      \
        zip_text(&z, name, &t);                                                                    \
    } while (0)
    if (x->status == ENGAGE_OK) {
        TEXT_ENTRY("[Content_Types].xml", content_types(x, &t));
        TEXT_ENTRY("_rels/.rels", root_rels(&t));
        TEXT_ENTRY("xl/_rels/workbook.xml.rels", workbook_rels(x, &t));
    }
    for (guint i = 0; i < x->sheets->len && x->status == ENGAGE_OK; i++)
        zip_sheet(&z, g_ptr_array_index(x->sheets, i));
    if (x->status == ENGAGE_OK) {
        TEXT_ENTRY("xl/workbook.xml", workbook_xml(x, names, &t));
        t.len = 0;
        text_str(&t, xlsx_theme_xml);
        zip_text(&z, "xl/theme/theme1.xml", &t);
        TEXT_ENTRY("xl/styles.xml", styles_xml(x, &t));
        TEXT_ENTRY("docProps/core.xml", core_xml(x, &t));
        TEXT_ENTRY("docProps/app.xml", app_xml(x, names, &t));
        zip_central(&z);
    }
#undef TEXT_ENTRY
    free(t.s);
    free_names(names);
    for (guint i = 0; i < z.entries->len; i++)
        g_free(g_array_index(z.entries, entry_t, i).name);
    g_array_free(z.entries, TRUE);
    free(z.copy);

    errno = 0;
    if (fflush(x->out) != 0 || ferror(x->out))
        fail(x, ENGAGE_EIO, errno ? errno : EIO);
    if (fclose(x->out) != 0)
        fail(x, ENGAGE_EIO, errno ? errno : EIO);
    x->out = NULL;
    engage_status_t st = x->status;
    if (st == ENGAGE_ENOMEM)
        engage_fail(err, st, x->path, 0, "out of memory");
    else if (st != ENGAGE_OK)
        engage_fail(err, st, x->path, 0, "cannot write the workbook: %s", strerror(x->error));
    free_all(x);
    return st;
}
