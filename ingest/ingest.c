/*
 * ingest/ingest.c — reads canonical survey files into the dataset (see
 * ingest.h) and writes the dataset back as a canonical archive.
 *
 * The first record of each file is its header.  The first file's header
 * fixes the dataset's columns and scales (the configured scales, or without
 * any, one scale `engagement` over every non-id column); every later file
 * must carry the same item columns.  Each data row is checked and either
 * added to the dataset or logged with a reason; nothing is dropped silently.
 *
 * Owns the per-file mapping from dataset columns to header fields and the
 * row buffer; the log and dataset belong to the caller.
 */
#include "ingest.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/csv_out.h"
#include "answers.h"
#include "csv_rows.h"
#include "source.h"

enum { QUOTE_MAX = 40 };

static const char DEFAULT_RESPONDENT[] = "respondent_id";
static const char DEFAULT_MANAGER[] = "manager_id";

typedef struct {
    config_t *cfg;
    dataset_t *ds;
    ingest_log_t *log;
    const ingest_options_t *options;
    size_t file;               /* index into log->files */
    const char *name;

    bool header_seen;
    long header_line;
    size_t n_header;
    size_t respondent_field, manager_field;
    const char *respondent_name, *manager_name;

    bool columns_ready;        /* dataset columns and scales exist */
    size_t n_columns;
    size_t *column_field;      /* header field of each dataset column */
    const config_label_set_t **column_labels;
    double *column_min, *column_max;
    double *values;            /* row buffer */
    bool digit_is_missing[10]; /* one-digit answers that are missing words */
} ingest_ctx_t;

void ingest_log_init(ingest_log_t *log)
{
    memset(log, 0, sizeof *log);
}

void ingest_log_fini(ingest_log_t *log)
{
    for (size_t i = 0; i < log->n_files; i++) {
        free(log->files[i].path);
        free(log->files[i].format);
        free(log->files[i].encoding);
        free(log->files[i].delimiter);
    }
    free(log->files);
    for (size_t i = 0; i < log->n_rejects; i++) {
        free(log->rejects[i].respondent_id);
        free(log->rejects[i].reason);
    }
    free(log->rejects);
    memset(log, 0, sizeof *log);
}

static engage_status_t no_memory(ingest_ctx_t *ctx, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, ctx->name, 0, "out of memory");
}

/* A cell quoted for a message: at most QUOTE_MAX bytes. */
static void quote_cell(char *out, size_t size, const char *text)
{
    size_t len = strlen(text);
    if (len > QUOTE_MAX)
        snprintf(out, size, "'%.*s...'", QUOTE_MAX, text);
    else
        snprintf(out, size, "'%s'", text);
}

static engage_status_t add_log_entry(ingest_log_t *log, size_t file, long line, const char *respondent_id,
                                     const char *reason, bool excluded)
{
    if (log->n_rejects % 256 == 0) {
        ingest_reject_t *grown = realloc(log->rejects, (log->n_rejects + 256) * sizeof *grown);
        if (!grown)
            return ENGAGE_ENOMEM;
        log->rejects = grown;
    }
    ingest_reject_t *r = &log->rejects[log->n_rejects];
    r->file = file;
    r->line = line;
    r->excluded = excluded;
    r->respondent_id = strdup(respondent_id ? respondent_id : "");
    r->reason = strdup(reason);
    if (!r->respondent_id || !r->reason) {
        free(r->respondent_id);
        free(r->reason);
        return ENGAGE_ENOMEM;
    }
    log->n_rejects++;
    return ENGAGE_OK;
}

/* Log a rejected row; with --strict it stops the run. */
static engage_status_t reject_row(ingest_ctx_t *ctx, const csv_row_t *row, const char *respondent_id,
                                  const char *reason, engage_error_t *err)
{
    ctx->log->files[ctx->file].rejected++;
    if (ctx->options && ctx->options->strict) {
        engage_fail(err, ENGAGE_EDATA, ctx->name, row->line, "%s", reason);
        engage_hint(err, "without --strict such rows are left out and listed in rejects.csv");
        return ENGAGE_EDATA;
    }
    if (add_log_entry(ctx->log, ctx->file, row->line, respondent_id, reason, false) != ENGAGE_OK)
        return no_memory(ctx, err);
    return ENGAGE_OK;
}

/* ------------------------------------------------------------- the header */

static bool find_field(const csv_row_t *row, const char *name, size_t *index, bool *twice)
{
    bool found = false;
    *twice = false;
    for (size_t i = 0; i < row->n_fields; i++) {
        if (strcmp(csv_row_field(row, i), name) == 0) {
            if (found)
                *twice = true;
            else
                *index = i;
            found = true;
        }
    }
    return found;
}

/* The id column: the configured name, else the canonical one (so that an
 * archive written by `engage ingest` reads back with the same config). */
static engage_status_t find_id_column(ingest_ctx_t *ctx, const csv_row_t *row, const char *configured,
                                      const char *canonical, size_t *index, const char **name,
                                      engage_error_t *err)
{
    bool twice;
    *name = configured ? configured : canonical;
    if (!find_field(row, *name, index, &twice)) {
        if (configured && find_field(row, canonical, index, &twice)) {
            *name = canonical;
        } else {
            engage_fail(err, ENGAGE_EDATA, ctx->name, row->line, "required column '%s' is missing", *name);
            engage_hint(err, "the header must name it; set it in the config's [input] section if it has another name");
            return ENGAGE_EDATA;
        }
    }
    if (twice)
        return engage_fail(err, ENGAGE_EDATA, ctx->name, row->line, "column '%s' appears twice in the header",
                           *name);
    return ENGAGE_OK;
}

/* Without configured scales: one scale `engagement` on 1..5 over every
 * column but the ids. */
static engage_status_t derive_default_scale(ingest_ctx_t *ctx, const csv_row_t *row, engage_error_t *err)
{
    const char **items = malloc((row->n_fields ? row->n_fields : 1) * sizeof *items);
    if (!items)
        return no_memory(ctx, err);
    size_t n = 0;
    for (size_t i = 0; i < row->n_fields; i++)
        if (i != ctx->respondent_field && i != ctx->manager_field)
            items[n++] = csv_row_field(row, i);
    engage_status_t st = ENGAGE_OK;
    if (n == 0)
        st = engage_fail(err, ENGAGE_EDATA, ctx->name, row->line,
                         "no item columns: the header has only '%s' and '%s'", ctx->respondent_name,
                         ctx->manager_name);
    else
        st = config_add_scale(ctx->cfg, "engagement", items, n, 1, 5, err);
    free(items);
    return st;
}

/* Create the dataset's columns and scales from the config (first file). */
static engage_status_t build_columns(ingest_ctx_t *ctx, engage_error_t *err)
{
    config_t *cfg = ctx->cfg;
    dataset_t *ds = ctx->ds;
    for (size_t s = 0; s < cfg->n_scales; s++) {
        const config_scale_t *cs = &cfg->scales[s];
        size_t *items = malloc(cs->n_items * sizeof *items);
        if (!items)
            return no_memory(ctx, err);
        for (size_t i = 0; i < cs->n_items; i++) {
            if (dataset_add_column(ds, cs->items[i], &items[i]) != ENGAGE_OK) {
                free(items);
                return no_memory(ctx, err);
            }
        }
        dataset_scale_t scale = {
            .name = cs->name, .n_items = cs->n_items, .items = items, .reverse = cs->reverse,
            .min = cs->min, .max = cs->max, .min_answered = cs->min_answered,
            .favourable = cs->favourable_set ? cs->favourable : cs->max - 1,
        };
        engage_status_t st = dataset_add_scale(ds, &scale);
        free(items);
        if (st != ENGAGE_OK)
            return no_memory(ctx, err);
    }
    size_t n = dataset_n_columns(ds);
    ctx->n_columns = n;
    ctx->column_field = calloc(n + 1, sizeof *ctx->column_field);
    ctx->column_labels = calloc(n + 1, sizeof *ctx->column_labels);
    ctx->column_min = calloc(n + 1, sizeof *ctx->column_min);
    ctx->column_max = calloc(n + 1, sizeof *ctx->column_max);
    ctx->values = calloc(n + 1, sizeof *ctx->values);
    if (!ctx->column_field || !ctx->column_labels || !ctx->column_min || !ctx->column_max || !ctx->values)
        return no_memory(ctx, err);
    for (size_t c = 0; c < n; c++) {
        ctx->column_min[c] = -INFINITY;
        ctx->column_max[c] = INFINITY;
    }
    /* A column shared by scales must fit every one of their ranges. */
    for (size_t s = 0; s < dataset_n_scales(ds); s++) {
        const dataset_scale_t *scale = dataset_scale(ds, s);
        for (size_t i = 0; i < scale->n_items; i++) {
            size_t c = scale->items[i];
            ctx->column_labels[c] = config_scale_labels(cfg, &cfg->scales[s]);
            if (scale->min > ctx->column_min[c])
                ctx->column_min[c] = scale->min;
            if (scale->max < ctx->column_max[c])
                ctx->column_max[c] = scale->max;
        }
    }
    for (size_t i = 0; i < cfg->n_missing; i++) {
        const char *word = cfg->missing[i];
        if (word[0] >= '0' && word[0] <= '9' && word[1] == '\0')
            ctx->digit_is_missing[word[0] - '0'] = true;
    }
    ctx->columns_ready = true;
    return ENGAGE_OK;
}

/* The config line that names a column, for "column missing" errors. */
static long config_line_of_item(const config_t *cfg, const char *item, const char **scale_name)
{
    for (size_t s = 0; s < cfg->n_scales; s++)
        for (size_t i = 0; i < cfg->scales[s].n_items; i++)
            if (strcmp(cfg->scales[s].items[i], item) == 0) {
                *scale_name = cfg->scales[s].name;
                return cfg->scales[s].items_line;
            }
    *scale_name = "";
    return 0;
}

static engage_status_t read_header(ingest_ctx_t *ctx, const csv_row_t *row, engage_error_t *err)
{
    engage_status_t st;
    ctx->header_seen = true;
    ctx->header_line = row->line;
    ctx->n_header = row->n_fields;
    st = find_id_column(ctx, row, ctx->cfg->respondent, DEFAULT_RESPONDENT, &ctx->respondent_field,
                        &ctx->respondent_name, err);
    if (st == ENGAGE_OK)
        st = find_id_column(ctx, row, ctx->cfg->manager, DEFAULT_MANAGER, &ctx->manager_field,
                            &ctx->manager_name, err);
    if (st != ENGAGE_OK)
        return st;
    bool derived = ctx->cfg->n_scales == 0;
    if (derived && (st = derive_default_scale(ctx, row, err)) != ENGAGE_OK)
        return st;
    if (!ctx->columns_ready && (st = build_columns(ctx, err)) != ENGAGE_OK)
        return st;

    bool default_scale = ctx->cfg->scales[0].items_line == 0;
    for (size_t c = 0; c < ctx->n_columns; c++) {
        const char *column = dataset_column_name(ctx->ds, c);
        bool twice;
        if (!find_field(row, column, &ctx->column_field[c], &twice)) {
            if (default_scale)
                return engage_fail(err, ENGAGE_EDATA, ctx->name, row->line,
                                   "column '%s' of the first input is missing here", column);
            const char *scale_name;
            long line = config_line_of_item(ctx->cfg, column, &scale_name);
            engage_fail(err, ENGAGE_ECONFIG, ctx->cfg->path, line,
                        "scale '%s' names column '%s', which %s does not have", scale_name, column, ctx->name);
            engage_hint(err, "column names must match the header exactly, including case and spaces");
            return ENGAGE_ECONFIG;
        }
        if (twice)
            return engage_fail(err, ENGAGE_EDATA, ctx->name, row->line, "column '%s' appears twice in the header",
                               column);
    }
    if (default_scale) {
        /* Every column is an item: a later file may not bring new ones. */
        for (size_t i = 0; i < row->n_fields; i++) {
            if (i == ctx->respondent_field || i == ctx->manager_field)
                continue;
            size_t c = 0;
            while (c < ctx->n_columns && ctx->column_field[c] != i)
                c++;
            if (c == ctx->n_columns)
                return engage_fail(err, ENGAGE_EDATA, ctx->name, row->line,
                                   "column '%s' is not in the first input's header", csv_row_field(row, i));
        }
    }
    return ENGAGE_OK;
}

/* -------------------------------------------------------------- data rows */

static engage_status_t read_row(ingest_ctx_t *ctx, const csv_row_t *row, engage_error_t *err)
{
    ingest_file_t *file = &ctx->log->files[ctx->file];
    char reason[ENGAGE_ERROR_TEXT];
    char cell[QUOTE_MAX + 8];
    file->rows++;

    const char *respondent_id =
        ctx->respondent_field < row->n_fields ? csv_row_field(row, ctx->respondent_field) : "";
    if (row->n_fields != ctx->n_header) {
        snprintf(reason, sizeof reason, "the row has %zu fields, the header has %zu", row->n_fields,
                 ctx->n_header);
        return reject_row(ctx, row, respondent_id, reason, err);
    }
    const char *manager_id = csv_row_field(row, ctx->manager_field);
    if (!respondent_id[0]) {
        snprintf(reason, sizeof reason, "no respondent id (column '%s' is empty)", ctx->respondent_name);
        return reject_row(ctx, row, respondent_id, reason, err);
    }
    if (!manager_id[0]) {
        snprintf(reason, sizeof reason, "no manager (column '%s' is empty)", ctx->manager_name);
        return reject_row(ctx, row, respondent_id, reason, err);
    }
    for (size_t c = 0; c < ctx->n_columns; c++) {
        size_t f = ctx->column_field[c];
        const char *text = csv_row_field(row, f);
        double v = NAN;
        unsigned digit = (unsigned char)text[0] - '0';
        answer_kind_t kind;
        if (digit < 10 && text[1] == '\0' && !ctx->digit_is_missing[digit]) {
            v = digit; /* the common answer, read without a call */
            kind = ANSWER_VALUE;
        } else {
            kind = answers_read(ctx->cfg, ctx->column_labels[c], text, csv_row_length(row, f), &v);
        }
        if (kind == ANSWER_UNKNOWN) {
            quote_cell(cell, sizeof cell, text);
            snprintf(reason, sizeof reason, "column '%s': %s is neither a number nor a label in [labels]",
                     dataset_column_name(ctx->ds, c), cell);
            return reject_row(ctx, row, respondent_id, reason, err);
        }
        if (kind == ANSWER_VALUE && (v < ctx->column_min[c] || v > ctx->column_max[c])) {
            quote_cell(cell, sizeof cell, text);
            snprintf(reason, sizeof reason, "column '%s': %s is outside the scale's range %g..%g",
                     dataset_column_name(ctx->ds, c), cell, ctx->column_min[c], ctx->column_max[c]);
            return reject_row(ctx, row, respondent_id, reason, err);
        }
        ctx->values[c] = kind == ANSWER_VALUE ? v : NAN;
    }

    size_t earlier_file;
    long earlier_line;
    if (dataset_add_row(ctx->ds, respondent_id, manager_id, ctx->values, ctx->file, row->line, &earlier_file,
                        &earlier_line) != ENGAGE_OK)
        return no_memory(ctx, err);
    file->accepted++;
    if (earlier_file != SIZE_MAX) {
        ingest_file_t *earlier = &ctx->log->files[earlier_file];
        earlier->accepted--;
        earlier->excluded++;
        snprintf(reason, sizeof reason, "superseded by a later response with the same respondent id (%s:%ld)",
                 ctx->name, row->line);
        if (add_log_entry(ctx->log, earlier_file, earlier_line, respondent_id, reason, true) != ENGAGE_OK)
            return no_memory(ctx, err);
    }
    return ENGAGE_OK;
}

static engage_status_t on_record(void *user, const csv_row_t *row, engage_error_t *err)
{
    ingest_ctx_t *ctx = user;
    if (!ctx->header_seen)
        return read_header(ctx, row, err);
    return read_row(ctx, row, err);
}

/* ------------------------------------------------------------ the driver */

static char delimiter_char(const config_t *cfg)
{
    if (strcmp(cfg->delimiter, ";") == 0)
        return ';';
    if (strcmp(cfg->delimiter, "tab") == 0)
        return '\t';
    return ',';
}

static engage_status_t add_file(ingest_log_t *log, const char *path, const config_t *cfg, size_t *index)
{
    ingest_file_t *grown = realloc(log->files, (log->n_files + 1) * sizeof *grown);
    if (!grown)
        return ENGAGE_ENOMEM;
    log->files = grown;
    ingest_file_t *f = &grown[log->n_files];
    memset(f, 0, sizeof *f);
    char delimiter = delimiter_char(cfg);
    f->path = strdup(path);
    f->format = strdup("canonical");
    f->encoding = strdup("utf-8");
    f->delimiter = strdup(delimiter == '\t' ? "tab" : delimiter == ';' ? ";" : ",");
    if (!f->path || !f->format || !f->encoding || !f->delimiter) {
        free(f->path);
        free(f->format);
        free(f->encoding);
        free(f->delimiter);
        return ENGAGE_ENOMEM;
    }
    *index = log->n_files++;
    return ENGAGE_OK;
}

static engage_status_t read_source(ingest_ctx_t *ctx, source_t *src, const char *name, engage_error_t *err)
{
    if (add_file(ctx->log, name, ctx->cfg, &ctx->file) != ENGAGE_OK)
        return no_memory(ctx, err);
    ctx->name = name;
    ctx->header_seen = false;
    if (ctx->options)
        source_set_chunk(src, ctx->options->chunk);
    /* A second thread reads and tokenises, unless tests cut the input into
     * small chunks to exercise the single-threaded path. */
    bool thread = !(ctx->options && ctx->options->chunk);
    csv_rows_options_t reading = {.encoding = ctx->cfg->encoding, .delimiter = delimiter_char(ctx->cfg),
                                  .thread = thread};
    csv_rows_info_t info = {0};
    engage_status_t st = csv_rows_read(src, name, &reading, on_record, ctx, &info, err);
    ingest_file_t *file = &ctx->log->files[ctx->file];
    file->gzip = source_is_gzip(src);
    file->bytes = source_bytes(src);
    source_sha256(src, file->sha256);
    if (st != ENGAGE_OK)
        return st;
    if (!ctx->header_seen)
        return engage_fail(err, ENGAGE_EDATA, name, 0, "empty file: no header and no data");
    if (file->rows == 0)
        return engage_fail(err, ENGAGE_EDATA, name, 0, "no data rows: the file has only a header (line %ld)",
                           ctx->header_line);
    return ENGAGE_OK;
}

static int compare_rejects(const void *a, const void *b)
{
    const ingest_reject_t *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return 0;
}

static engage_status_t finish(ingest_ctx_t *ctx, engage_status_t st, engage_error_t *err)
{
    free(ctx->column_field);
    free(ctx->column_labels);
    free(ctx->column_min);
    free(ctx->column_max);
    free(ctx->values);
    if (st != ENGAGE_OK)
        return st;
    if (dataset_finish(ctx->ds) != ENGAGE_OK)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (ctx->log->n_rejects)
        qsort(ctx->log->rejects, ctx->log->n_rejects, sizeof *ctx->log->rejects, compare_rejects);
    if (dataset_n_respondents(ctx->ds) == 0) {
        size_t rows = 0;
        for (size_t i = 0; i < ctx->log->n_files; i++)
            rows += ctx->log->files[i].rows;
        const ingest_reject_t *first = ctx->log->n_rejects ? &ctx->log->rejects[0] : NULL;
        engage_fail(err, ENGAGE_EDATA, first ? ctx->log->files[first->file].path : NULL, first ? first->line : 0,
                    "no usable rows: all %zu data rows were rejected; the first: %s", rows,
                    first ? first->reason : "");
        return ENGAGE_EDATA;
    }
    return ENGAGE_OK;
}

engage_status_t ingest_read(config_t *cfg, const char *const *paths, size_t n_paths,
                            const ingest_options_t *options, dataset_t *ds, ingest_log_t *log,
                            engage_error_t *err)
{
    ingest_ctx_t ctx = {.cfg = cfg, .ds = ds, .log = log, .options = options};
    engage_status_t st = ENGAGE_OK;
    for (size_t i = 0; i < n_paths && st == ENGAGE_OK; i++) {
        source_t *src;
        st = source_open_path(&src, paths[i], err);
        if (st != ENGAGE_OK)
            break;
        st = read_source(&ctx, src, paths[i], err);
        source_close(src);
    }
    return finish(&ctx, st, err);
}

engage_status_t ingest_read_memory(config_t *cfg, const char *name, const void *bytes, size_t size,
                                   const ingest_options_t *options, dataset_t *ds, ingest_log_t *log,
                                   engage_error_t *err)
{
    ingest_ctx_t ctx = {.cfg = cfg, .ds = ds, .log = log, .options = options};
    source_t *src;
    engage_status_t st = source_open_memory(&src, name, bytes, size, err);
    if (st == ENGAGE_OK) {
        st = read_source(&ctx, src, name, err);
        source_close(src);
    }
    return finish(&ctx, st, err);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A temporary file beside path for writing it whole, or NULL to write path
 * directly (stdout, devices, pipes). */
static char *temporary_beside(const char *path, engage_error_t *err, engage_status_t *st)
{
    struct stat info;
    *st = ENGAGE_OK;
    if (!path || (stat(path, &info) == 0 && !S_ISREG(info.st_mode)))
        return NULL;
    size_t size = strlen(path) + 16;
    char *tmp = malloc(size);
    if (!tmp) {
        *st = engage_fail(err, ENGAGE_ENOMEM, path, 0, "out of memory");
        return NULL;
    }
    snprintf(tmp, size, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
        free(tmp);
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    return tmp;
}

engage_status_t ingest_write_canonical(const dataset_t *ds, const char *path, engage_error_t *err)
{
    /* A regular file appears whole or not at all. */
    engage_status_t st;
    char *tmp = temporary_beside(path, err, &st);
    if (st != ENGAGE_OK)
        return st;
    csv_out_t *out;
    st = csv_out_open(&out, tmp ? tmp : path, path && ends_with(path, ".gz"), err);
    if (st == ENGAGE_OK) {
        csv_out_text(out, DEFAULT_RESPONDENT, false);
        csv_out_text(out, DEFAULT_MANAGER, false);
        size_t n_columns = dataset_n_columns(ds);
        for (size_t c = 0; c < n_columns; c++)
            csv_out_text(out, dataset_column_name(ds, c), false);
        csv_out_end_row(out);
        size_t n = dataset_n_respondents(ds);
        for (size_t r = 0; r < n; r++) {
            csv_out_text(out, dataset_respondent_id(ds, r), false);
            csv_out_text(out, dataset_manager_id(ds, dataset_manager_of(ds, r)), false);
            for (size_t c = 0; c < n_columns; c++)
                csv_out_number(out, dataset_value(ds, r, c), 17);
            csv_out_end_row(out);
        }
        st = csv_out_close(out, NULL, err);
    }
    if (tmp) {
        if (st == ENGAGE_OK && rename(tmp, path) != 0)
            st = engage_fail(err, ENGAGE_ECANTCREAT, path, 0, "cannot create: %s", strerror(errno));
        if (st != ENGAGE_OK) {
            unlink(tmp);
            if (err && strcmp(err->file, tmp) == 0)
                snprintf(err->file, sizeof err->file, "%s", path);
        }
        free(tmp);
    }
    return st;
}
