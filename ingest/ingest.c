/*
 * ingest/ingest.c — reads canonical survey files into the dataset (see
 * ingest.h) and writes the dataset back as a canonical archive.
 *
 * The first record of each file is its header.  The first file's header
 * fixes the dataset's columns and scales (the configured scales, or without
 * any, one scale `engagement` over every non-id column); every later file
 * must carry the same item columns.  Each data row is checked and either
 * added to the dataset or logged with a reason; nothing is dropped silently.
 * The log counts every row and lists the first rows of each reason up to a
 * cap, so rows thrown away take no memory (see ingest.h).
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
#include <glib.h>

#include "answers.h"
#include "csv_rows.h"
#include "formats.h"
#include "roster.h"
#include "source.h"

enum { QUOTE_MAX = 40, ANSWER_CACHE = 8, ANSWER_CACHE_TEXT = 40 };

/* The answers a column saw last: tools write text labels ("Strongly
 * agree"), and a column holds only a handful of distinct ones. */
typedef struct {
    struct {
        unsigned char len;     /* 0: empty slot */
        answer_kind_t kind;
        double value;
        char text[ANSWER_CACHE_TEXT];
    } slot[ANSWER_CACHE];
    unsigned next;             /* slot to replace */
} answer_cache_t;

static const char DEFAULT_RESPONDENT[] = "respondent_id";
static const char DEFAULT_MANAGER[] = "manager_id";
static const char ARCHIVE_UNIT[] = "unit";

typedef struct {
    config_t *cfg;
    dataset_t *ds;
    ingest_log_t *log;
    const ingest_options_t *options;
    size_t file;               /* index into log->files */
    const char *name;

    format_reader_t format;    /* this file's tool and header rows */
    bool header_done;
    long header_line;
    size_t n_header;
    GHashTable *header_index;  /* header name -> its first field + 1 */
    bool *header_twice;        /* per field: its name appears again later */
    size_t respondent_field;   /* SIZE_MAX: the row number is the id */
    size_t manager_field;      /* SIZE_MAX with a roster */
    size_t key_field;          /* the roster key, SIZE_MAX without a roster */
    size_t unit_field;         /* an archive's unit column, or SIZE_MAX */
    const char *respondent_name, *manager_name;
    size_t row_number;         /* data rows read in this wave, for ids */
    size_t file_rows_added;    /* rows this file has added to the dataset */
    bool rows_expected;        /* the dataset was told how many rows to expect */

    roster_t *roster;
    size_t row_employee;       /* the roster node of the row being read, SIZE_MAX: none */
    GHashTable *units;         /* manager -> unit, from an archive's unit column */
    GHashTable *unknown_index; /* "label set\x1fmatch form" -> index into log->unknowns + 1 */
    unsigned char **unknown_in_column; /* per kept unknown answer: a bit per dataset column */

    bool columns_ready;        /* dataset columns and scales exist */
    size_t n_columns;
    size_t *column_field;      /* header field of each dataset column */
    const config_label_set_t **column_labels;
    double *column_min, *column_max;
    double *values;            /* row buffer */
    answer_cache_t *answer_cache; /* per column */
    bool digit_is_missing[10]; /* one-digit answers that are missing words */
} ingest_ctx_t;

void ingest_log_init(ingest_log_t *log)
{
    memset(log, 0, sizeof *log);
}

/* Forget the unknown answers of a log. */
static void drop_unknowns(ingest_log_t *log)
{
    for (size_t i = 0; i < log->n_unknowns; i++) {
        free(log->unknowns[i].answer);
        free(log->unknowns[i].label_set);
        for (size_t c = 0; c < INGEST_UNKNOWN_COLUMNS_NAMED; c++)
            free(log->unknowns[i].columns[c]);
    }
    free(log->unknowns);
    log->unknowns = NULL;
    log->n_unknowns = 0;
    log->unlisted_unknowns = 0;
}

void ingest_log_fini(ingest_log_t *log)
{
    for (size_t i = 0; i < log->n_files; i++) {
        free(log->files[i].path);
        free(log->files[i].read_from);
        free(log->files[i].format);
        free(log->files[i].layout);
        free(log->files[i].respondent_column);
        free(log->files[i].manager_column);
        free(log->files[i].item_field);
        free(log->files[i].member);
        free(log->files[i].encoding);
        free(log->files[i].delimiter);
    }
    free(log->files);
    for (size_t i = 0; i < log->n_rejects; i++)
        free(log->rejects[i].respondent_id); /* the reason shares its allocation */
    free(log->rejects);
    drop_unknowns(log);
    free(log->roster_path);
    free(log->roster_note);
    memset(log, 0, sizeof *log);
}

static engage_status_t no_memory(ingest_ctx_t *ctx, engage_error_t *err)
{
    return engage_fail(err, ENGAGE_ENOMEM, ctx->name, 0, "out of memory");
}

/* How many bytes of text to show of at most max, not cutting a UTF-8
 * character in two. */
static int clip(const char *text, size_t max)
{
    size_t len = strnlen(text, max + 1);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
            len--;
    }
    return (int)len;
}

/* A cell quoted for a message: at most QUOTE_MAX bytes. */
static void quote_cell(char *out, size_t size, const char *text)
{
    int shown = clip(text, QUOTE_MAX);
    snprintf(out, size, text[shown] ? "'%.*s...'" : "'%.*s'", shown, text);
}

const char *ingest_reason_name(ingest_reason_t kind)
{
    switch (kind) {
    case INGEST_REASON_FIELD_COUNT: return "a field count that differs from the header's";
    case INGEST_REASON_NO_RESPONDENT: return "no respondent id";
    case INGEST_REASON_NO_MANAGER: return "no manager";
    case INGEST_REASON_NO_ROSTER_KEY: return "no employee key for the roster";
    case INGEST_REASON_NOT_IN_ROSTER: return "not in the roster";
    case INGEST_REASON_UNIT_CONFLICT: return "manager in another unit on an earlier row";
    case INGEST_REASON_OUT_OF_RANGE: return "an answer outside the scale's range";
    case INGEST_REASON_SUPERSEDED: return "superseded by a later response with the same respondent id";
    case INGEST_REASON_PREVIEW: return "a survey preview";
    case INGEST_REASON_TEST: return "a survey test";
    case INGEST_REASON_SPAM: return "marked as spam";
    case INGEST_REASON_NOT_SUBMITTED: return "incomplete response: never submitted";
    case INGEST_N_REASONS: break;
    }
    return "";
}

bool ingest_reason_excluded(ingest_reason_t kind)
{
    return kind >= INGEST_REASON_SUPERSEDED;
}

/* A rejected or excluded row into the log: listed while its reason has
 * fewer than the cap, else only counted. */
static engage_status_t add_log_entry(ingest_ctx_t *ctx, size_t file, long line, const char *respondent_id,
                                     ingest_reason_t kind, const char *reason)
{
    ingest_log_t *log = ctx->log;
    size_t cap = ctx->options && ctx->options->rejects_listed ? ctx->options->rejects_listed
                                                                : INGEST_REJECTS_LISTED;
    if (log->listed[kind] >= cap) {
        log->unlisted[kind]++;
        return ENGAGE_OK;
    }
    if (log->n_rejects % 256 == 0) {
        ingest_reject_t *grown = realloc(log->rejects, (log->n_rejects + 256) * sizeof *grown);
        if (!grown)
            return ENGAGE_ENOMEM;
        log->rejects = grown;
    }
    /* The id and the reason share one allocation (freed through the id). */
    if (!respondent_id)
        respondent_id = "";
    size_t id_size = strlen(respondent_id) + 1, reason_size = strlen(reason) + 1;
    char *text = malloc(id_size + reason_size);
    if (!text)
        return ENGAGE_ENOMEM;
    memcpy(text, respondent_id, id_size);
    memcpy(text + id_size, reason, reason_size);
    log->rejects[log->n_rejects++] = (ingest_reject_t){
        .file = file, .line = line, .respondent_id = text, .reason = text + id_size,
        .excluded = ingest_reason_excluded(kind), .kind = kind,
    };
    log->listed[kind]++;
    return ENGAGE_OK;
}

/* Log a rejected row; with --strict it stops the run. */
static engage_status_t reject_row(ingest_ctx_t *ctx, const csv_row_t *row, const char *respondent_id,
                                  ingest_reason_t kind, const char *reason, engage_error_t *err)
{
    ctx->log->files[ctx->file].rejected++;
    if (ctx->options && ctx->options->strict) {
        engage_fail(err, ENGAGE_EDATA, ctx->name, row->line, "%s", reason);
        engage_hint(err, "without --strict such rows are left out and listed in rejects.csv");
        return ENGAGE_EDATA;
    }
    if (add_log_entry(ctx, ctx->file, row->line, respondent_id, kind, reason) != ENGAGE_OK)
        return no_memory(ctx, err);
    return ENGAGE_OK;
}

/* ------------------------------------------------------------- the header */

/* Index this file's header names, so that finding each of many columns
 * costs one lookup. */
static engage_status_t index_header(ingest_ctx_t *ctx, engage_error_t *err)
{
    if (ctx->header_index)
        g_hash_table_remove_all(ctx->header_index);
    else
        ctx->header_index = g_hash_table_new(g_str_hash, g_str_equal);
    free(ctx->header_twice);
    ctx->header_twice = calloc(ctx->format.n_names + 1, sizeof *ctx->header_twice);
    if (!ctx->header_twice)
        return no_memory(ctx, err);
    for (size_t i = 0; i < ctx->format.n_names; i++) {
        gpointer first = g_hash_table_lookup(ctx->header_index, ctx->format.names[i]);
        if (first)
            ctx->header_twice[GPOINTER_TO_SIZE(first) - 1] = true;
        else
            g_hash_table_insert(ctx->header_index, ctx->format.names[i], GSIZE_TO_POINTER(i + 1));
    }
    return ENGAGE_OK;
}

/* The first field named `name` in this file's header, and whether another
 * has the same name. */
static bool find_field(const ingest_ctx_t *ctx, const char *name, size_t *index, bool *twice)
{
    gpointer found = g_hash_table_lookup(ctx->header_index, name);
    *twice = false;
    if (!found)
        return false;
    *index = GPOINTER_TO_SIZE(found) - 1;
    *twice = ctx->header_twice[*index];
    return true;
}

static engage_status_t twice_error(ingest_ctx_t *ctx, const char *column, engage_error_t *err)
{
    engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line, "column '%s' appears twice in the header",
                column);
    if (ctx->format.kind == FORMAT_SURVEYMONKEY)
        engage_hint(err, "SurveyMonkey columns are named 'Question - Statement'; two columns give the same name");
    return ENGAGE_EDATA;
}

/* The respondent id column: the configured one, else the tool's own id
 * column, else the canonical one (so that an archive written by `engage
 * ingest` reads back with the same config); a tool without ids (Google
 * Forms) numbers the rows. */
static engage_status_t find_respondent(ingest_ctx_t *ctx, engage_error_t *err)
{
    const char *configured = ctx->cfg->respondent;
    const char *tool = formats_default_respondent(&ctx->format);
    const char *candidates[] = {configured, tool, DEFAULT_RESPONDENT};
    bool twice;
    for (size_t i = 0; i < 3; i++) {
        if (candidates[i] && find_field(ctx, candidates[i], &ctx->respondent_field, &twice)) {
            ctx->respondent_name = candidates[i];
            return twice ? twice_error(ctx, candidates[i], err) : ENGAGE_OK;
        }
    }
    if (!configured && !tool) {
        ctx->respondent_field = SIZE_MAX;
        ctx->respondent_name = NULL;
        return ENGAGE_OK;
    }
    const char *wanted = configured ? configured : tool;
    engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line, "required column '%s' is missing", wanted);
    engage_hint(err, "the header must name it; set it in the config's [input] section if it has another name");
    return ENGAGE_EDATA;
}

/* The manager: through the roster's key column, or the configured column,
 * else the canonical manager_id. */
static engage_status_t find_manager(ingest_ctx_t *ctx, engage_error_t *err)
{
    const config_t *cfg = ctx->cfg;
    bool twice;
    ctx->manager_field = ctx->key_field = ctx->unit_field = SIZE_MAX;
    if (ctx->format.archive) {
        bool unit_twice;
        if (find_field(ctx, ARCHIVE_UNIT, &ctx->unit_field, &unit_twice) && unit_twice)
            return twice_error(ctx, ARCHIVE_UNIT, err);
    }
    if (ctx->roster && !ctx->format.archive) {
        if (!find_field(ctx, cfg->roster.key, &ctx->key_field, &twice)) {
            engage_fail(err, ENGAGE_ECONFIG, cfg->path, cfg->roster.key_line,
                        "[roster] key names column '%s', which %s does not have", cfg->roster.key, ctx->name);
            engage_hint(err, "key is the survey column holding the employee id or e-mail, spelt as in the header");
            return ENGAGE_ECONFIG;
        }
        ctx->manager_name = cfg->roster.key;
        return twice ? twice_error(ctx, cfg->roster.key, err) : ENGAGE_OK;
    }
    const char *configured = cfg->manager;
    const char *tool = formats_default_manager(&ctx->format);
    const char *candidates[] = {configured, tool, DEFAULT_MANAGER};
    for (size_t i = 0; i < 3; i++) {
        if (candidates[i] && find_field(ctx, candidates[i], &ctx->manager_field, &twice)) {
            ctx->manager_name = candidates[i];
            return twice ? twice_error(ctx, candidates[i], err) : ENGAGE_OK;
        }
    }
    if (!configured && !tool) {
        engage_fail(err, ENGAGE_ECONFIG, cfg->path, 0, "%s: a %s export has no manager column of its own",
                    ctx->name, formats_layout(ctx->format.kind));
        engage_hint(err, "name the column with manager = in [input], or join an HRIS export with [roster]");
        return ENGAGE_ECONFIG;
    }
    const char *wanted = configured ? configured : tool;
    engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line, "required column '%s' is missing", wanted);
    engage_hint(err, "the header must name it; set it in the config's [input] section if it has another name");
    return ENGAGE_EDATA;
}

static bool is_id_field(const ingest_ctx_t *ctx, size_t i)
{
    return i == ctx->respondent_field || i == ctx->manager_field || i == ctx->key_field || i == ctx->unit_field;
}

/* Without configured scales: one scale `engagement` on 1..5 over every
 * column but the ids (canonical files only: a tool's export has metadata
 * columns that are not answers). */
static engage_status_t derive_default_scale(ingest_ctx_t *ctx, engage_error_t *err)
{
    if (ctx->format.kind != FORMAT_CANONICAL) {
        engage_fail(err, ENGAGE_ECONFIG, ctx->name, ctx->header_line,
                    "a %s export needs a config naming each scale's items", formats_layout(ctx->format.kind));
        engage_hint(err, "write [scale NAME] with items = the question columns, and pass it with -c");
        return ENGAGE_ECONFIG;
    }
    size_t n_names = ctx->format.n_names;
    const char **items = malloc((n_names ? n_names : 1) * sizeof *items);
    if (!items)
        return no_memory(ctx, err);
    size_t n = 0;
    for (size_t i = 0; i < n_names; i++)
        if (!is_id_field(ctx, i))
            items[n++] = ctx->format.names[i];
    engage_status_t st = ENGAGE_OK;
    if (n == 0)
        st = engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line,
                         "no item columns: the header has only '%s' and '%s'",
                         ctx->respondent_name ? ctx->respondent_name : "", ctx->manager_name);
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
            .unfavourable = cs->unfavourable,
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
    ctx->answer_cache = calloc(n + 1, sizeof *ctx->answer_cache);
    if (!ctx->column_field || !ctx->column_labels || !ctx->column_min || !ctx->column_max || !ctx->values ||
        !ctx->answer_cache)
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

/* What this file's header became, for quality.csv and `engage check`. */
static engage_status_t record_columns(ingest_ctx_t *ctx, engage_error_t *err)
{
    ingest_file_t *file = &ctx->log->files[ctx->file];
    free(file->format);
    file->format = strdup(formats_name(ctx->format.kind));
    file->layout = strdup(formats_layout(ctx->format.kind));
    file->header_rows = ctx->format.header_rows;
    file->respondent_column = ctx->respondent_name ? strdup(ctx->respondent_name) : NULL;
    file->manager_column = strdup(ctx->manager_name);
    file->item_field = malloc((ctx->n_columns ? ctx->n_columns : 1) * sizeof *file->item_field);
    if (!file->format || !file->layout || (ctx->respondent_name && !file->respondent_column) ||
        !file->manager_column || !file->item_field)
        return no_memory(ctx, err);
    memcpy(file->item_field, ctx->column_field, ctx->n_columns * sizeof *file->item_field);
    file->n_item_fields = ctx->n_columns;
    return ENGAGE_OK;
}

/* The header rows are complete: map columns to ids and items. */
static engage_status_t read_header(ingest_ctx_t *ctx, engage_error_t *err)
{
    engage_status_t st;
    ctx->header_done = true;
    ctx->header_line = ctx->format.header_line;
    ctx->n_header = ctx->format.n_names;
    if ((st = index_header(ctx, err)) != ENGAGE_OK || (st = find_respondent(ctx, err)) != ENGAGE_OK ||
        (st = find_manager(ctx, err)) != ENGAGE_OK)
        return st;
    bool derived = ctx->cfg->n_scales == 0;
    if (derived && (st = derive_default_scale(ctx, err)) != ENGAGE_OK)
        return st;
    if (!ctx->columns_ready && (st = build_columns(ctx, err)) != ENGAGE_OK)
        return st;

    bool default_scale = ctx->cfg->scales[0].items_line == 0;
    for (size_t c = 0; c < ctx->n_columns; c++) {
        const char *column = dataset_column_name(ctx->ds, c);
        bool twice;
        if (!find_field(ctx, column, &ctx->column_field[c], &twice)) {
            if (default_scale)
                return engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line,
                                   "column '%s' of the first input is missing here", column);
            const char *scale_name;
            long line = config_line_of_item(ctx->cfg, column, &scale_name);
            engage_fail(err, ENGAGE_ECONFIG, ctx->cfg->path, line,
                        "scale '%s' names column '%s', which %s does not have", scale_name, column, ctx->name);
            if (ctx->format.kind == FORMAT_CANONICAL)
                engage_hint(err, "column names must match the header exactly, including case and spaces");
            else
                engage_hint(err, "this %s export names its columns as `engage check` lists them",
                            formats_layout(ctx->format.kind));
            return ENGAGE_ECONFIG;
        }
        if (twice)
            return twice_error(ctx, column, err);
    }
    if (default_scale) {
        /* Every column is an item: a later file may not bring new ones. */
        bool *item = calloc(ctx->n_header + 1, sizeof *item);
        if (!item)
            return no_memory(ctx, err);
        for (size_t c = 0; c < ctx->n_columns; c++)
            item[ctx->column_field[c]] = true;
        size_t i = 0;
        while (i < ctx->n_header && (item[i] || is_id_field(ctx, i)))
            i++;
        free(item);
        if (i < ctx->n_header)
            return engage_fail(err, ENGAGE_EDATA, ctx->name, ctx->header_line,
                               "column '%s' is not in the first input's header", ctx->format.names[i]);
    }
    return record_columns(ctx, err);
}

/* -------------------------------------------------------------- data rows */

/* A new unknown answer (its first cell), kept in the log with a bitmap of
 * the columns it appears in. */
static engage_status_t keep_unknown(ingest_ctx_t *ctx, const char *answer, size_t len, const char *label_set,
                                    long line, char *key, engage_error_t *err)
{
    ingest_log_t *log = ctx->log;
    ingest_unknown_t *grown = realloc(log->unknowns, (log->n_unknowns + 1) * sizeof *grown);
    if (grown)
        log->unknowns = grown;
    unsigned char **bitmaps = realloc(ctx->unknown_in_column, (log->n_unknowns + 1) * sizeof *bitmaps);
    if (bitmaps)
        ctx->unknown_in_column = bitmaps;
    if (!grown || !bitmaps) {
        g_free(key);
        return no_memory(ctx, err);
    }
    ingest_unknown_t *u = &grown[log->n_unknowns];
    memset(u, 0, sizeof *u);
    u->answer = strndup(answer, len);
    u->label_set = strdup(label_set);
    u->file = ctx->file;
    u->line = line;
    bitmaps[log->n_unknowns] = calloc(ctx->n_columns / 8 + 1, 1);
    if (!u->answer || !u->label_set || !bitmaps[log->n_unknowns]) {
        free(u->answer);
        free(u->label_set);
        free(bitmaps[log->n_unknowns]);
        g_free(key);
        return no_memory(ctx, err);
    }
    g_hash_table_insert(ctx->unknown_index, key, GSIZE_TO_POINTER(++log->n_unknowns));
    return ENGAGE_OK;
}

/* Count an answer that matches no label under the unknown answer it is (the
 * run stops after reading everything and lists each once). */
static engage_status_t note_unknown(ingest_ctx_t *ctx, size_t column, const char *text, size_t len, long line,
                                    engage_error_t *err)
{
    ingest_log_t *log = ctx->log;
    if (!ctx->unknown_index)
        ctx->unknown_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const config_label_set_t *set = ctx->column_labels[column];
    const char *label_set = set ? set->name : "";
    answers_trim(&text, &len);
    char *form = answers_match_form(text, len);
    if (!form)
        return no_memory(ctx, err);
    char *key = g_strdup_printf("%s\x1f%s", label_set, form);
    free(form);
    gpointer found = g_hash_table_lookup(ctx->unknown_index, key);
    if (found) {
        g_free(key);
    } else if (log->n_unknowns == INGEST_MAX_UNKNOWN) {
        g_free(key);
        log->unlisted_unknowns++;
        return ENGAGE_OK;
    } else {
        engage_status_t st = keep_unknown(ctx, text, len, label_set, line, key, err);
        if (st != ENGAGE_OK)
            return st;
        found = GSIZE_TO_POINTER(log->n_unknowns);
    }
    size_t i = GPOINTER_TO_SIZE(found) - 1;
    ingest_unknown_t *u = &log->unknowns[i];
    unsigned char *in_column = ctx->unknown_in_column[i];
    u->count++;
    if (!(in_column[column / 8] & (1u << column % 8))) {
        in_column[column / 8] |= (unsigned char)(1u << column % 8);
        u->n_columns++;
    }
    return ENGAGE_OK;
}

/* The first columns of each unknown answer, named from its bitmap. */
static engage_status_t name_unknown_columns(ingest_ctx_t *ctx, engage_error_t *err)
{
    for (size_t i = 0; i < ctx->log->n_unknowns; i++) {
        ingest_unknown_t *u = &ctx->log->unknowns[i];
        size_t named = 0;
        for (size_t c = 0; c < ctx->n_columns && named < INGEST_UNKNOWN_COLUMNS_NAMED; c++)
            if (ctx->unknown_in_column[i][c / 8] & (1u << c % 8))
                if (!(u->columns[named++] = strdup(dataset_column_name(ctx->ds, c))))
                    return no_memory(ctx, err);
    }
    return ENGAGE_OK;
}

/* answers_read through the column's cache. */
static answer_kind_t read_answer(ingest_ctx_t *ctx, size_t column, const char *text, size_t len, double *value)
{
    answer_cache_t *cache = &ctx->answer_cache[column];
    if (len == 0 || len >= ANSWER_CACHE_TEXT)
        return answers_read(ctx->cfg, ctx->column_labels[column], text, len, value);
    for (unsigned i = 0; i < ANSWER_CACHE; i++) {
        if (cache->slot[i].len == len && memcmp(cache->slot[i].text, text, len) == 0) {
            *value = cache->slot[i].value;
            return cache->slot[i].kind;
        }
    }
    answer_kind_t kind = answers_read(ctx->cfg, ctx->column_labels[column], text, len, value);
    unsigned i = cache->next;
    cache->next = (i + 1) % ANSWER_CACHE;
    cache->slot[i].len = (unsigned char)len;
    cache->slot[i].kind = kind;
    cache->slot[i].value = kind == ANSWER_VALUE ? *value : NAN;
    memcpy(cache->slot[i].text, text, len);
    return kind;
}

/* The manager of a row: its own column, or the roster's entry for its key.
 * NULL with *kind and *reason set when there is none. */
static const char *row_manager(ingest_ctx_t *ctx, const csv_row_t *row, ingest_reason_t *kind, char *reason,
                               size_t size)
{
    if (ctx->key_field == SIZE_MAX) {
        const char *manager_id = csv_row_field(row, ctx->manager_field);
        if (!manager_id[0]) {
            *kind = INGEST_REASON_NO_MANAGER;
            snprintf(reason, size, "no manager (column '%s' is empty)", ctx->manager_name);
            return NULL;
        }
        return manager_id;
    }
    const char *key = csv_row_field(row, ctx->key_field);
    const char *manager, *unit;
    size_t employee;
    if (!key[0]) {
        *kind = INGEST_REASON_NO_ROSTER_KEY;
        snprintf(reason, size, "no employee key for the roster (column '%s' is empty)", ctx->manager_name);
        return NULL;
    }
    if (!roster_find(ctx->roster, key, &manager, &unit, &employee)) {
        char cell[QUOTE_MAX + 8];
        quote_cell(cell, sizeof cell, key);
        *kind = INGEST_REASON_NOT_IN_ROSTER;
        snprintf(reason, size, "%s (column '%s') is not in the roster", cell, ctx->manager_name);
        return NULL;
    }
    if (!manager) {
        char cell[QUOTE_MAX + 8];
        quote_cell(cell, sizeof cell, key);
        *kind = INGEST_REASON_NO_MANAGER;
        snprintf(reason, size, "no manager: %s (column '%s') is a top of the roster's tree", cell,
                 ctx->manager_name);
        return NULL;
    }
    ctx->row_employee = employee;
    return manager;
}

/* An archive's unit column: one unit per manager, that of its first
 * accepted row (remember_unit).  The reason when this row's differs. */
static const char *check_unit(ingest_ctx_t *ctx, const csv_row_t *row, const char *manager, char *reason,
                              size_t size)
{
    const char *unit = csv_row_field(row, ctx->unit_field);
    const char *known = ctx->units ? g_hash_table_lookup(ctx->units, manager) : NULL;
    if (!known || strcmp(known, unit) == 0)
        return NULL;
    char m[QUOTE_MAX + 8], k[QUOTE_MAX + 8], u[QUOTE_MAX + 8];
    quote_cell(m, sizeof m, manager);
    quote_cell(k, sizeof k, known);
    quote_cell(u, sizeof u, unit);
    snprintf(reason, size, "manager %s is in unit %s on an earlier row, %s here", m, k, u);
    return reason;
}

static void remember_unit(ingest_ctx_t *ctx, const csv_row_t *row, const char *manager)
{
    if (!ctx->units)
        ctx->units = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!g_hash_table_contains(ctx->units, manager))
        g_hash_table_insert(ctx->units, g_strdup(manager), g_strdup(csv_row_field(row, ctx->unit_field)));
}

/* Once an eighth of a file's stored bytes is read, the dataset hears how
 * many rows to expect: as many again for the rest, in proportion (a
 * batch's share is ahead of its rows, so this errs low). */
#define EXPECT_ROWS_AT_SHARE 0.125

static engage_status_t expect_rows(ingest_ctx_t *ctx, const csv_row_t *row)
{
    if (ctx->rows_expected || row->share_read < EXPECT_ROWS_AT_SHARE)
        return ENGAGE_OK;
    ctx->rows_expected = true;
    double to_come = (double)ctx->file_rows_added * (1.0 / row->share_read - 1.0);
    double expected = (double)dataset_n_respondents(ctx->ds) + to_come;
    return expected < (double)UINT32_MAX ? dataset_expect_rows(ctx->ds, (size_t)expected) : ENGAGE_OK;
}

static engage_status_t read_row(ingest_ctx_t *ctx, const csv_row_t *row, engage_error_t *err)
{
    ingest_file_t *file = &ctx->log->files[ctx->file];
    char reason[ENGAGE_ERROR_TEXT];
    char cell[QUOTE_MAX + 8];
    char number[32];
    file->rows++;
    ctx->row_number++;

    const char *respondent_id;
    if (ctx->respondent_field == SIZE_MAX) {
        snprintf(number, sizeof number, "%zu", ctx->row_number);
        respondent_id = number;
    } else {
        respondent_id = ctx->respondent_field < row->n_fields ? csv_row_field(row, ctx->respondent_field) : "";
    }
    if (row->n_fields != ctx->n_header) {
        snprintf(reason, sizeof reason, "the row has %zu fields, the header has %zu", row->n_fields,
                 ctx->n_header);
        return reject_row(ctx, row, respondent_id, INGEST_REASON_FIELD_COUNT, reason, err);
    }
    ingest_reason_t problem;
    if (format_excluded(&ctx->format, row, &problem, reason, sizeof reason)) {
        file->excluded++;
        if (add_log_entry(ctx, ctx->file, row->line, respondent_id, problem, reason) != ENGAGE_OK)
            return no_memory(ctx, err);
        return ENGAGE_OK;
    }
    if (!respondent_id[0]) {
        snprintf(reason, sizeof reason, "no respondent id (column '%s' is empty)", ctx->respondent_name);
        return reject_row(ctx, row, respondent_id, INGEST_REASON_NO_RESPONDENT, reason, err);
    }
    ctx->row_employee = SIZE_MAX;
    const char *manager_id = row_manager(ctx, row, &problem, reason, sizeof reason);
    if (!manager_id)
        return reject_row(ctx, row, respondent_id, problem, reason, err);
    if (ctx->unit_field != SIZE_MAX && check_unit(ctx, row, manager_id, reason, sizeof reason))
        return reject_row(ctx, row, respondent_id, INGEST_REASON_UNIT_CONFLICT, reason, err);
    for (size_t c = 0; c < ctx->n_columns; c++) {
        size_t f = ctx->column_field[c];
        const char *text = csv_row_field(row, f);
        double v = NAN;
        unsigned digit = (unsigned char)text[0] - '0';
        answer_kind_t kind;
        if (digit < 10 && text[1] == '\0' && !ctx->digit_is_missing[digit]) {
            v = digit; /* the common answer, read without a call */
            kind = ANSWER_VALUE;
        } else if (format_is_missing_code(&ctx->format, text)) {
            kind = ANSWER_MISSING;
        } else {
            kind = read_answer(ctx, c, text, csv_row_length(row, f), &v);
        }
        if (kind == ANSWER_UNKNOWN) {
            engage_status_t st = note_unknown(ctx, c, text, csv_row_length(row, f), row->line, err);
            if (st != ENGAGE_OK)
                return st;
            kind = ANSWER_MISSING;
        }
        if (kind == ANSWER_VALUE && (v < ctx->column_min[c] || v > ctx->column_max[c])) {
            quote_cell(cell, sizeof cell, text);
            snprintf(reason, sizeof reason, "column '%s': %s is outside the scale's range %g..%g",
                     dataset_column_name(ctx->ds, c), cell, ctx->column_min[c], ctx->column_max[c]);
            return reject_row(ctx, row, respondent_id, INGEST_REASON_OUT_OF_RANGE, reason, err);
        }
        ctx->values[c] = kind == ANSWER_VALUE ? v : NAN;
    }

    size_t earlier_file;
    long earlier_line;
    if (dataset_add_row(ctx->ds, respondent_id, manager_id, ctx->values, ctx->file, row->line, &earlier_file,
                        &earlier_line) != ENGAGE_OK)
        return no_memory(ctx, err);
    ctx->file_rows_added++;
    if (expect_rows(ctx, row) != ENGAGE_OK)
        return no_memory(ctx, err);
    if (ctx->row_employee != SIZE_MAX)
        org_mark_responded(roster_org(ctx->roster), ctx->row_employee);
    else if (ctx->roster)
        org_mark_unmatched_response(roster_org(ctx->roster));
    if (ctx->unit_field != SIZE_MAX)
        remember_unit(ctx, row, manager_id);
    file->accepted++;
    if (earlier_file != SIZE_MAX) {
        ingest_file_t *earlier = &ctx->log->files[earlier_file];
        earlier->accepted--;
        earlier->excluded++;
        snprintf(reason, sizeof reason, "superseded by a later response with the same respondent id (%s:%ld)",
                 ctx->name, row->line);
        if (add_log_entry(ctx, earlier_file, earlier_line, respondent_id, INGEST_REASON_SUPERSEDED, reason) !=
            ENGAGE_OK)
            return no_memory(ctx, err);
    }
    return ENGAGE_OK;
}

static engage_status_t on_record(void *user, const csv_row_t *row, engage_error_t *err)
{
    ingest_ctx_t *ctx = user;
    if (ctx->header_done)
        return read_row(ctx, row, err);
    format_step_t step;
    engage_status_t st = format_reader_add(&ctx->format, ctx->cfg->format, ctx->name, row, &step, err);
    if (st != ENGAGE_OK || step == FORMAT_MORE)
        return st;
    st = read_header(ctx, err);
    if (st == ENGAGE_OK && step == FORMAT_DONE_BEFORE)
        st = read_row(ctx, row, err);
    return st;
}

/* ------------------------------------------------------------ the driver */

/* The configured delimiter, 0 to sniff it. */
static char delimiter_char(const config_t *cfg)
{
    if (strcmp(cfg->delimiter, ";") == 0)
        return ';';
    if (strcasecmp(cfg->delimiter, "tab") == 0)
        return '\t';
    if (strcmp(cfg->delimiter, ",") == 0)
        return ',';
    return 0;
}

static const char *delimiter_name(char delimiter)
{
    return delimiter == '\t' ? "tab" : delimiter == ';' ? ";" : ",";
}

static bool replace_text(char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return false;
    free(*field);
    *field = copy;
    return true;
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
    f->delimiter = strdup(delimiter_name(delimiter));
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
    ctx->header_done = false;
    ctx->file_rows_added = 0;
    ctx->rows_expected = false;
    if (ctx->header_index)
        g_hash_table_remove_all(ctx->header_index); /* its keys are the names freed next */
    format_reader_fini(&ctx->format);
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
    if (source_member(src) && !replace_text(&file->member, source_member(src)))
        return no_memory(ctx, err);
    file->bytes = source_bytes(src);
    source_sha256(src, file->sha256);
    if ((info.encoding && !replace_text(&file->encoding, info.encoding)) ||
        (info.delimiter && !replace_text(&file->delimiter, delimiter_name(info.delimiter))))
        return no_memory(ctx, err);
    if (st != ENGAGE_OK)
        return st;
    if (ctx->format.header_rows == 0)
        return engage_fail(err, ENGAGE_EDATA, name, 0, "empty file: no header and no data");
    if (!ctx->header_done || file->rows == 0)
        return engage_fail(err, ENGAGE_EDATA, name, 0, "no data rows: the file has only a header (line %ld)",
                           ctx->format.header_line);
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

void ingest_unknown_describe(const ingest_log_t *log, size_t i, engage_error_t *out)
{
    const ingest_unknown_t *u = &log->unknowns[i];
    char columns[ENGAGE_ERROR_TEXT / 2];
    size_t used = (size_t)snprintf(columns, sizeof columns, "%s", u->n_columns == 1 ? "column" : "columns");
    for (size_t c = 0; c < INGEST_UNKNOWN_COLUMNS_NAMED && u->columns[c] && used < sizeof columns; c++)
        used += (size_t)snprintf(columns + used, sizeof columns - used, "%s %.*s", c ? "," : "",
                                 clip(u->columns[c], 60), u->columns[c]);
    if (u->n_columns > INGEST_UNKNOWN_COLUMNS_NAMED && used < sizeof columns)
        snprintf(columns + used, sizeof columns - used, " and %zu more", u->n_columns - INGEST_UNKNOWN_COLUMNS_NAMED);
    char times[32];
    snprintf(times, sizeof times, u->count == 1 ? "once" : "%zu times", u->count);
    engage_fail(out, ENGAGE_EDATA, log->files[u->file].path, u->line, "'%.*s': %s, %s%s%s%s",
                clip(u->answer, 60), u->answer, times, columns, u->label_set[0] ? " (labels " : "",
                u->label_set, u->label_set[0] ? ")" : "");
}

/* The error of a run with unknown answers: how many, and the hint. */
static void describe_unknowns(const ingest_log_t *log, engage_error_t *err)
{
    size_t n = log->n_unknowns;
    if (log->unlisted_unknowns)
        engage_fail(err, ENGAGE_EDATA, NULL, 0, "more than %zu answers match no label; the first %zu:", n, n);
    else
        engage_fail(err, ENGAGE_EDATA, NULL, 0, "%zu answer%s no label:", n, n == 1 ? " matches" : "s match");
    engage_hint(err, "answers are read through [labels]: give each answer below its value, then paste the lines "
                     "into the config");
}

/* The unit of a manager (their tree node, ORG_NONE when not in it): with
 * [report] unit_depth the id of their ancestor at that depth of the
 * roster's tree (or their own, above it: unit_node, from
 * org_ancestors_at), else the archive's or the roster's unit column. */
static const char *unit_of_manager(const ingest_ctx_t *ctx, const char *id, size_t node, const uint32_t *unit_node)
{
    if (unit_node)
        return node == ORG_NONE ? "" : org_id(roster_org(ctx->roster), unit_node[node]);
    const char *unit = ctx->units ? g_hash_table_lookup(ctx->units, id) : NULL;
    if (!unit && ctx->roster)
        unit = roster_unit_of(ctx->roster, id);
    return unit ? unit : "";
}

/* Units of the dataset's managers, from the roster (its unit column or its
 * tree) or an archive; with a roster, the silent teams too: the tree's
 * managers with invited reports and no accepted row. */
static engage_status_t apply_units(ingest_ctx_t *ctx, engage_error_t *err)
{
    bool by_depth = ctx->roster && ctx->cfg->unit_depth > 0;
    if (!by_depth && !ctx->units && !(ctx->roster && ctx->cfg->roster.unit))
        return ENGAGE_OK;
    const org_t *org = ctx->roster ? roster_org(ctx->roster) : NULL;
    size_t V = org ? org_size(org) : 0;
    uint32_t *unit_node = by_depth ? malloc((V ? V : 1) * sizeof *unit_node) : NULL;
    uint32_t *silent = org ? calloc(V ? V : 1, sizeof *silent) : NULL;  /* UINT32_MAX: a team of the dataset */
    if ((by_depth && !unit_node) || (org && !silent)) {
        free(unit_node);
        free(silent);
        return no_memory(ctx, err);
    }
    if (by_depth)
        org_ancestors_at(org, (size_t)ctx->cfg->unit_depth, unit_node);
    engage_status_t st = ENGAGE_OK;
    for (size_t m = 0; st == ENGAGE_OK && m < dataset_n_managers(ctx->ds); m++) {
        const char *id = dataset_manager_id(ctx->ds, m);
        size_t node = org ? org_find(org, id) : ORG_NONE;
        if (node != ORG_NONE)
            silent[node] = UINT32_MAX;
        if (dataset_set_manager_unit(ctx->ds, m, unit_of_manager(ctx, id, node, unit_node)) != ENGAGE_OK)
            st = no_memory(ctx, err);
    }
    for (size_t v = 0; st == ENGAGE_OK && v < V; v++) {
        size_t manager = org_parent(org, v);
        if (manager != ORG_NONE && silent[manager] != UINT32_MAX && org_invited(org, v))
            silent[manager]++;
    }
    for (size_t v = 0; st == ENGAGE_OK && v < V; v++)
        if (silent[v] > 0 && silent[v] != UINT32_MAX &&
            dataset_add_silent_team(ctx->ds, unit_of_manager(ctx, org_id(org, v), v, unit_node), silent[v]) !=
                ENGAGE_OK)
            st = no_memory(ctx, err);
    free(unit_node);
    free(silent);
    return st;
}

static engage_status_t finish(ingest_ctx_t *ctx, engage_status_t st, engage_error_t *err)
{
    free(ctx->column_field);
    free(ctx->column_labels);
    free(ctx->column_min);
    free(ctx->column_max);
    free(ctx->values);
    free(ctx->answer_cache);
    format_reader_fini(&ctx->format);
    if (ctx->header_index)
        g_hash_table_destroy(ctx->header_index);
    free(ctx->header_twice);
    if (ctx->unknown_index)
        g_hash_table_destroy(ctx->unknown_index);
    bool stopped = st != ENGAGE_OK;   /* by another error: that one is reported */
    if (!stopped && ctx->log->n_unknowns) {
        st = name_unknown_columns(ctx, err);
        if (st == ENGAGE_OK) {
            describe_unknowns(ctx->log, err);
            st = ENGAGE_EDATA;
        }
    }
    for (size_t i = 0; ctx->unknown_in_column && i < ctx->log->n_unknowns; i++)
        free(ctx->unknown_in_column[i]);
    free(ctx->unknown_in_column);
    if (stopped)
        drop_unknowns(ctx->log);
    if (st == ENGAGE_OK && dataset_finish(ctx->ds) != ENGAGE_OK)
        st = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    if (st == ENGAGE_OK && ctx->options && ctx->options->forget_respondents)
        dataset_forget_respondents(ctx->ds);
    if (st == ENGAGE_OK)
        st = apply_units(ctx, err);
    if (ctx->units)
        g_hash_table_destroy(ctx->units);
    if (st == ENGAGE_OK && ctx->roster)
        dataset_set_org(ctx->ds, roster_take_org(ctx->roster));
    roster_free(ctx->roster);
    if (st != ENGAGE_OK)
        return st;
    if (ctx->log->n_rejects)
        qsort(ctx->log->rejects, ctx->log->n_rejects, sizeof *ctx->log->rejects, compare_rejects);
    if (dataset_n_respondents(ctx->ds) == 0) {
        size_t rows = 0;
        for (size_t i = 0; i < ctx->log->n_files; i++)
            rows += ctx->log->files[i].rows;
        const ingest_reject_t *first = ctx->log->n_rejects ? &ctx->log->rejects[0] : NULL;
        engage_fail(err, ENGAGE_EDATA, first ? ctx->log->files[first->file].path : NULL, first ? first->line : 0,
                    "no usable rows: all %zu data rows were rejected or excluded; the first: %s", rows,
                    first ? first->reason : "");
        return ENGAGE_EDATA;
    }
    return ENGAGE_OK;
}

/* The roster, recorded in the log for manifest.json. */
static engage_status_t load_roster(ingest_ctx_t *ctx, engage_error_t *err)
{
    engage_status_t st = roster_load(ctx->cfg, &ctx->roster, err);
    if (st != ENGAGE_OK)
        return st;
    free(ctx->log->roster_path);
    ctx->log->roster_path = strdup(ctx->cfg->roster.file);
    if (!ctx->log->roster_path)
        return no_memory(ctx, err);
    ctx->log->roster_bytes = roster_bytes(ctx->roster);
    const char *note = roster_note(ctx->roster);
    free(ctx->log->roster_note);
    ctx->log->roster_note = note ? strdup(note) : NULL;
    if (note && !ctx->log->roster_note)
        return no_memory(ctx, err);
    memcpy(ctx->log->roster_sha256, roster_sha256(ctx->roster), sizeof ctx->log->roster_sha256);
    return ENGAGE_OK;
}

/* A fresh context, with the roster read when the config has one. */
static engage_status_t start(ingest_ctx_t *ctx, config_t *cfg, dataset_t *ds, ingest_log_t *log,
                             const ingest_options_t *options, engage_error_t *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = cfg;
    ctx->ds = ds;
    ctx->log = log;
    ctx->options = options;
    format_reader_init(&ctx->format);
    if (cfg->unit_depth > 0 && !cfg->roster.file)
        return engage_fail(err, ENGAGE_ECONFIG, cfg->path, 0, "[report] unit_depth needs a [roster] to take the tree from");
    return cfg->roster.file ? load_roster(ctx, err) : ENGAGE_OK;
}

engage_status_t ingest_read(config_t *cfg, const char *const *paths, size_t n_paths,
                            const ingest_options_t *options, dataset_t *ds, ingest_log_t *log,
                            engage_error_t *err)
{
    ingest_ctx_t ctx;
    engage_status_t st = start(&ctx, cfg, ds, log, options, err);
    for (size_t i = 0; i < n_paths && st == ENGAGE_OK; i++) {
        source_t *src;
        const char *read_from = options && options->read_from ? options->read_from[i] : NULL;
        st = source_open_path(&src, read_from ? read_from : paths[i], err);
        if (st != ENGAGE_OK)
            break;
        st = read_source(&ctx, src, paths[i], err);
        source_close(src);
        if (read_from && st == ENGAGE_OK && !(log->files[log->n_files - 1].read_from = strdup(read_from)))
            st = no_memory(&ctx, err);
    }
    return finish(&ctx, st, err);
}

engage_status_t ingest_read_memory(config_t *cfg, const char *name, const void *bytes, size_t size,
                                   const ingest_options_t *options, dataset_t *ds, ingest_log_t *log,
                                   engage_error_t *err)
{
    ingest_ctx_t ctx;
    source_t *src;
    engage_status_t st = start(&ctx, cfg, ds, log, options, err);
    if (st == ENGAGE_OK)
        st = source_open_memory(&src, name, bytes, size, err);
    if (st == ENGAGE_OK) {
        st = read_source(&ctx, src, name, err);
        source_close(src);
    }
    return finish(&ctx, st, err);
}

void ingest_column_letters(size_t field, char out[16])
{
    char reversed[16];
    size_t n = 0;
    size_t x = field + 1;
    while (x > 0 && n < 15) {
        reversed[n++] = (char)('A' + (x - 1) % 26);
        x = (x - 1) / 26;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = reversed[n - 1 - i];
    out[n] = '\0';
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
        bool units = dataset_has_units(ds);
        if (units)
            csv_out_text(out, ARCHIVE_UNIT, false);
        size_t n_columns = dataset_n_columns(ds);
        for (size_t c = 0; c < n_columns; c++)
            csv_out_text(out, dataset_column_name(ds, c), false);
        csv_out_end_row(out);
        size_t n = dataset_n_respondents(ds);
        for (size_t r = 0; r < n; r++) {
            csv_out_text(out, dataset_respondent_id(ds, r), false);
            size_t manager = dataset_manager_of(ds, r);
            csv_out_text(out, dataset_manager_id(ds, manager), false);
            if (units)
                csv_out_text(out, dataset_manager_unit(ds, manager), false);
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
