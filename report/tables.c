/*
 * report/tables.c — managers.csv, variance.csv, items.csv, changes.csv,
 * units.csv, leaders.csv, scales.csv, heatmap.csv, quality.csv,
 * rejects.csv, variance_all_teams.csv.
 *
 * Pure formatting over csv_out: what is shown and every figure over the
 * shown teams come from the published view (view.h), per-manager and item
 * figures from the results, counts from the ingest log.  Only
 * variance_all_teams.csv, the analyst's file, reads the all-teams
 * decomposition.  Text cells are formula-guarded.  managers.csv and
 * heatmap.csv, the outputs that grow large, are formatted in blocks of
 * rows, by a second thread ahead into memory while this one writes them in
 * order (write_rows), so the same bytes come out sooner.
 * Owns nothing beyond each call.
 */
#include "tables.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <glib.h>
#include <string.h>

#include "../core/csv_out.h"

static void header(csv_out_t *out, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_out_text(out, names[i], true);
    csv_out_end_row(out);
}

#define HEADER(out, names) header((out), (names), sizeof(names) / sizeof((names)[0]))

static void figure(csv_out_t *out, double value)
{
    csv_out_number(out, value, TABLES_DIGITS);
}

/* invited, responded, response_rate: empty when not shown (view.h). */
static void participation_cells(csv_out_t *out, bool shown, const participation_count_t *count)
{
    if (!shown) {
        for (int k = 0; k < 3; k++)
            csv_out_empty(out);
        return;
    }
    csv_out_integer(out, (long long)count->invited);
    csv_out_integer(out, (long long)count->responded);
    figure(out, participation_rate(count));
}

/* One managers.csv row: manager j of scale s. */
static void manager_row(csv_out_t *out, const report_input_t *in, const view_t *view,
                        size_t s, size_t j)
{
    const analysis_scale_t *sc = view->scales[s].results;
    const analysis_manager_t *m = &sc->managers[j];
    csv_out_text(out, sc->scale->name, true);
    csv_out_text(out, dataset_manager_id(in->dataset, m->manager), true);
    csv_out_integer(out, (long long)m->n);
    participation_count_t count;
    bool participation_shown = view_manager_participation(view, m->manager, &count);
    if (!view_manager_shown(view, s, j)) {
        for (int k = 0; k < 8; k++)
            csv_out_empty(out);
        csv_out_integer(out, 1);
        for (int k = 0; k < 5; k++)
            csv_out_empty(out);
        participation_cells(out, participation_shown, &count);
        csv_out_empty(out);
        csv_out_empty(out);
    } else {
        figure(out, m->mean);
        figure(out, m->sd);
        figure(out, m->se);
        figure(out, m->ci_low);
        figure(out, m->ci_high);
        figure(out, m->median);
        figure(out, m->favourable_pct);
        figure(out, m->rwg);
        csv_out_integer(out, 0);
        analysis_funnel_t f = view_funnel(view, s, j);
        figure(out, f.low95);
        figure(out, f.high95);
        figure(out, f.low998);
        figure(out, f.high998);
        csv_out_text(out, tables_stands_out_name(f.stands_out), false);
        participation_cells(out, participation_shown, &count);
        figure(out, m->neutral_pct);
        figure(out, m->unfavourable_pct);
    }
    csv_out_end_row(out);
}

engage_status_t tables_open(const report_input_t *in, const char *path, const char *const *names,
                            size_t n_names, csv_out_t **out, engage_error_t *err)
{
    engage_status_t rc = csv_out_open(out, path, false, err);
    if (rc == ENGAGE_OK && in->excel)
        csv_out_bom(*out);
    if (rc == ENGAGE_OK && n_names)
        header(*out, names, n_names);
    return rc;
}

static engage_status_t open_table(const report_input_t *in, csv_out_t **out, const char *path,
                                  engage_error_t *err)
{
    return tables_open(in, path, NULL, 0, out, err);
}

/* A large table's body rows first .. first+count-1 (counted from 0 after
 * the header), written into out. */
typedef void (*rows_writer_t)(csv_out_t *out, const void *ctx, size_t first, size_t count);

/* Blocks formatted and not yet written, at most. */
enum { ROWS_WINDOW = 4 };

/* The hand-over of write_rows: block b (TABLES_PARALLEL_ROWS rows each) is
 * formatted into part[b % ROWS_WINDOW] by whichever thread took it. */
typedef struct {
    rows_writer_t write;
    const void *ctx;
    size_t rows, n_blocks;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    size_t next;                     /* the next block to take */
    size_t written;                  /* blocks written into out so far */
    csv_out_t *part[ROWS_WINDOW];    /* formatted, waiting to be written */
} rows_pipe_t;

static void rows_block(const rows_pipe_t *p, size_t b, csv_out_t *out)
{
    size_t first = b * TABLES_PARALLEL_ROWS, left = p->rows - first;
    p->write(out, p->ctx, first, left < TABLES_PARALLEL_ROWS ? left : TABLES_PARALLEL_ROWS);
}

/* Whether a block is left to take inside the window.  Called with the
 * lock held. */
static bool rows_room(const rows_pipe_t *p)
{
    return p->next < p->n_blocks && p->next < p->written + ROWS_WINDOW;
}

/* Takes the next block when it is inside the window; SIZE_MAX when none.
 * Called with the lock held. */
static size_t rows_take(rows_pipe_t *p)
{
    return rows_room(p) ? p->next++ : SIZE_MAX;
}

/* Formats block b, taken, into part and leaves it for the writer. */
static void rows_fill(rows_pipe_t *p, size_t b, csv_out_t *part)
{
    rows_block(p, b, part);
    pthread_mutex_lock(&p->lock);
    p->part[b % ROWS_WINDOW] = part;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* The second thread: formats blocks ahead until none is left to take (or
 * no memory is to be had: the writer then formats the rest itself). */
static void *rows_helper(void *arg)
{
    rows_pipe_t *p = arg;
    for (;;) {
        csv_out_t *part;
        if (csv_out_open_memory(&part, NULL) != ENGAGE_OK)
            return NULL;
        pthread_mutex_lock(&p->lock);
        size_t b;
        while ((b = rows_take(p)) == SIZE_MAX && p->next < p->n_blocks)
            pthread_cond_wait(&p->changed, &p->lock);
        pthread_mutex_unlock(&p->lock);
        if (b == SIZE_MAX) {
            csv_out_close(part, NULL, NULL);
            return NULL;
        }
        rows_fill(p, b, part);
    }
}

/* Every body row of a table of `rows` rows into out, in order, in blocks of
 * TABLES_PARALLEL_ROWS.  A second thread formats blocks ahead into memory;
 * this thread writes the blocks in order (hashing them as it goes), and
 * while the block it needs is not ready it formats one itself.  A block's
 * bytes depend only on its rows, so they are those of one thread writing
 * every row, however the blocks were shared; memory holds ROWS_WINDOW
 * blocks. */
static void write_rows(csv_out_t *out, size_t rows, rows_writer_t write, const void *ctx)
{
    rows_pipe_t p = { .write = write, .ctx = ctx, .rows = rows,
                      .n_blocks = (rows + TABLES_PARALLEL_ROWS - 1) / TABLES_PARALLEL_ROWS };
    pthread_t thread;
    bool threaded = p.n_blocks > 1 && pthread_mutex_init(&p.lock, NULL) == 0;
    if (threaded && pthread_cond_init(&p.changed, NULL) != 0) {
        pthread_mutex_destroy(&p.lock);
        threaded = false;
    }
    if (threaded && pthread_create(&thread, NULL, rows_helper, &p) != 0) {
        pthread_cond_destroy(&p.changed);
        pthread_mutex_destroy(&p.lock);
        threaded = false;
    }
    if (!threaded) {
        for (size_t b = 0; b < p.n_blocks; b++)
            rows_block(&p, b, out);
        return;
    }
    bool ahead_memory = true;   /* false once no memory was had for a block ahead */
    for (size_t b = 0; b < p.n_blocks; b++) {
        pthread_mutex_lock(&p.lock);
        csv_out_t *part;
        while (!(part = p.part[b % ROWS_WINDOW])) {
            if (p.next == b) {   /* not taken: written here directly */
                p.next++;
                break;
            }
            if (ahead_memory && rows_room(&p)) {
                pthread_mutex_unlock(&p.lock);
                csv_out_t *ahead;
                ahead_memory = csv_out_open_memory(&ahead, NULL) == ENGAGE_OK;
                pthread_mutex_lock(&p.lock);
                size_t a = ahead_memory ? rows_take(&p) : SIZE_MAX;
                if (a != SIZE_MAX) {
                    pthread_mutex_unlock(&p.lock);
                    rows_fill(&p, a, ahead);
                    pthread_mutex_lock(&p.lock);
                } else if (ahead_memory) {
                    csv_out_close(ahead, NULL, NULL);
                }
                continue;
            }
            pthread_cond_wait(&p.changed, &p.lock);
        }
        p.part[b % ROWS_WINDOW] = NULL;
        pthread_mutex_unlock(&p.lock);
        if (part) {
            csv_out_append(out, part);
            csv_out_close(part, NULL, NULL);
        } else {
            rows_block(&p, b, out);
        }
        pthread_mutex_lock(&p.lock);
        p.written = b + 1;
        pthread_cond_broadcast(&p.changed);
        pthread_mutex_unlock(&p.lock);
    }
    pthread_join(thread, NULL);
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
}

typedef struct {
    const report_input_t *in;
    const view_t *view;
} tables_ctx_t;

/* managers.csv's rows (scale order, then manager index order). */
static void manager_rows(csv_out_t *out, const void *arg, size_t first, size_t count)
{
    const tables_ctx_t *ctx = arg;
    const results_t *res = ctx->in->results;
    size_t row = 0, end = first + count;
    for (size_t s = 0; s < res->n_scales && row < end; s++) {
        size_t n = res->scales[s].n_managers;
        size_t j = first > row ? first - row : 0;
        for (; j < n && row + j < end; j++)
            manager_row(out, ctx->in, ctx->view, s, j);
        row += n;
    }
}

engage_status_t tables_write_managers(const report_input_t *in, const view_t *view,
                                      const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "manager_id", "n", "mean", "sd", "se", "ci_low", "ci_high",
        "median", "favourable_pct", "rwg", "suppressed",
        "funnel_low95", "funnel_high95", "funnel_low998", "funnel_high998", "stands_out",
        "invited", "responded", "response_rate", "neutral_pct", "unfavourable_pct",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    size_t rows = 0;
    for (size_t s = 0; s < in->results->n_scales; s++)
        rows += in->results->scales[s].n_managers;
    tables_ctx_t ctx = { in, view };
    write_rows(out, rows, manager_rows, &ctx);
    return csv_out_close(out, sha256_hex, err);
}

/* variance.csv's columns: the decomposition's, the nested one's (empty
 * without units), then with --previous what
 * report.txt says of the previous wave and of the company-level change, so
 * that report.txt shows only what the CSVs show.  variance_all_teams.csv
 * has the same columns. */
static const char *const VARIANCE_NAMES[] = {
    "scale", "respondents", "managers", "grand_mean", "ss_between", "ss_within",
    "df_between", "df_within", "ms_between", "ms_within", "f", "p_value", "k0",
    "icc1", "icc1_ci_low", "icc1_ci_high", "icc2", "eta_squared",
    "var_between_reml", "var_within_reml", "icc_reml", "alpha",
    "var_unit_reml", "var_manager_reml", "var_within_nested_reml", "share_unit", "share_manager",
};
static const char *const PREVIOUS_WAVE_NAMES[] = {
    "respondents_previous", "managers_previous", "grand_mean_previous", "f_previous",
    "p_value_previous", "icc1_previous", "icc_reml_previous", "delta", "delta_ci_low",
    "delta_ci_high", "delta_p_value", "company_respondents_previous", "company_mean_previous",
    "company_respondents", "company_mean",
};

static void variance_header(csv_out_t *out, bool with_previous)
{
    if (with_previous) {
        for (size_t i = 0; i < sizeof VARIANCE_NAMES / sizeof VARIANCE_NAMES[0]; i++)
            csv_out_text(out, VARIANCE_NAMES[i], true);
        HEADER(out, PREVIOUS_WAVE_NAMES);
    } else {
        HEADER(out, VARIANCE_NAMES);
    }
}

/* A decomposition's cells after `scale`: the counts, then its figures and
 * the nested fit's (NULL: none), or empty cells when hidden. */
static void variance_cells(csv_out_t *out, const analysis_variance_t *v, const nested_fit_t *nested,
                           bool hidden)
{
    csv_out_integer(out, (long long)v->respondents);
    csv_out_integer(out, (long long)v->managers);
    const double figures[] = {
        v->grand_mean, v->ss_between, v->ss_within, v->df_between, v->df_within,
        v->ms_between, v->ms_within, v->f, v->p_value, v->k0, v->icc1,
        v->icc1_ci_low, v->icc1_ci_high, v->icc2, v->eta_squared,
        v->var_between_reml, v->var_within_reml, v->icc_reml, v->alpha,
        nested ? nested->var_unit : NAN, nested ? nested->var_manager : NAN,
        nested ? nested->var_within : NAN, nested ? nested->share_unit : NAN,
        nested ? nested->share_manager : NAN,
    };
    _Static_assert(sizeof figures / sizeof figures[0] + 3 == sizeof VARIANCE_NAMES / sizeof VARIANCE_NAMES[0],
                   "a figure per column");
    for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
        figure(out, hidden ? NAN : figures[k]);
}

/* The previous wave's decomposition and the company-level change; each
 * part empty but its counts when hidden. */
static void previous_wave_cells(csv_out_t *out, const analysis_variance_t *v, bool previous_hidden,
                                const changes_scale_t *cs, bool change_hidden, bool current_hidden)
{
    csv_out_integer(out, (long long)v->respondents);
    csv_out_integer(out, (long long)v->managers);
    const double previous[] = {v->grand_mean, v->f, v->p_value, v->icc1, v->icc_reml};
    for (size_t i = 0; i < sizeof previous / sizeof previous[0]; i++)
        figure(out, previous_hidden ? NAN : previous[i]);
    const double change[] = {cs->welch.delta, cs->welch.ci_low, cs->welch.ci_high, cs->welch.p_value};
    for (size_t i = 0; i < sizeof change / sizeof change[0]; i++)
        figure(out, change_hidden ? NAN : change[i]);
    csv_out_integer(out, (long long)cs->previous.n);
    figure(out, previous_hidden ? NAN : cs->previous.mean);
    csv_out_integer(out, (long long)cs->current.n);
    figure(out, current_hidden ? NAN : cs->current.mean);
}

engage_status_t tables_write_variance(const report_input_t *in, const view_t *view,
                                      const char *path, char sha256_hex[65], engage_error_t *err)
{
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    variance_header(out, view->with_changes);
    for (size_t s = 0; s < view->n_scales; s++) {
        const view_scale_t *vs = &view->scales[s];
        csv_out_text(out, vs->results->scale->name, true);
        variance_cells(out, &vs->variance, view->with_units ? &vs->nested : NULL, vs->suppressed);
        if (view->with_changes)
            previous_wave_cells(out, &vs->variance_previous, vs->previous_suppressed, vs->changes,
                                vs->change_suppressed, vs->suppressed);
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_variance_all_teams(const report_input_t *in, const char *path,
                                                char sha256_hex[65], engage_error_t *err)
{
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    variance_header(out, in->changes != NULL);
    const results_t *res = in->results;
    for (size_t s = 0; s < res->n_scales; s++) {
        const analysis_scale_t *sc = &res->scales[s];
        csv_out_text(out, sc->scale->name, true);
        const units_t *units = in->units;
        variance_cells(out, &sc->variance, units && s < units->n_scales ? &units->scales[s].nested : NULL,
                       false);
        if (in->changes && s < in->changes->n_scales)
            previous_wave_cells(out, in->changes->scales[s].variance_previous, false,
                                &in->changes->scales[s], false, false);
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_items(const report_input_t *in, const view_t *view,
                                   const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "item", "n", "mean", "sd", "favourable_pct", "item_rest_r",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    for (size_t s = 0; s < view->n_scales; s++) {
        const analysis_scale_t *sc = view->scales[s].results;
        bool hidden = view->scales[s].suppressed;
        for (size_t i = 0; i < sc->n_items; i++) {
            const analysis_item_t *it = &sc->items[i];
            csv_out_text(out, sc->scale->name, true);
            csv_out_text(out, dataset_column_name(in->dataset, it->column), true);
            csv_out_integer(out, (long long)it->n);
            if (hidden) {
                for (int k = 0; k < 4; k++)
                    csv_out_empty(out);
            } else {
                figure(out, it->mean);
                figure(out, it->sd);
                figure(out, it->favourable_pct);
                figure(out, it->item_rest_r);
            }
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_units(const report_input_t *in, const view_t *view,
                                   const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "unit", "managers", "n", "mean", "sd", "se", "ci_low", "ci_high",
        "median", "favourable_pct", "rwg", "suppressed", "invited", "responded", "response_rate",
        "neutral_pct", "unfavourable_pct",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const units_t *units = in->units;
    for (size_t s = 0; units && s < units->n_scales && s < view->n_scales; s++) {
        const units_scale_t *us = &units->scales[s];
        for (size_t u = 0; u < units->n_units; u++) {
            const units_figures_t *f = &us->units[u];
            csv_out_text(out, us->scale->name, true);
            csv_out_text(out, units->names[u], true);
            csv_out_integer(out, (long long)f->managers);
            csv_out_integer(out, (long long)f->n);
            participation_count_t count;
            bool participation_shown = view_unit_participation(view, u, &count);
            if (!view_unit_shown(view, s, u)) {
                for (int k = 0; k < 8; k++)
                    csv_out_empty(out);
                csv_out_integer(out, 1);
                participation_cells(out, participation_shown, &count);
                csv_out_empty(out);
                csv_out_empty(out);
            } else {
                const double figures[] = { f->mean, f->sd, f->se, f->ci_low, f->ci_high,
                                           f->median, f->favourable_pct, f->rwg };
                for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
                    figure(out, figures[k]);
                csv_out_integer(out, 0);
                participation_cells(out, participation_shown, &count);
                figure(out, f->neutral_pct);
                figure(out, f->unfavourable_pct);
            }
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}

const char *tables_stands_out_name(int stands_out)
{
    return stands_out > 0 ? "above" : stands_out < 0 ? "below" : "";
}

const char *tables_delimiter_name(const char *delimiter)
{
    if (!delimiter)
        return "";
    return strcmp(delimiter, "\t") == 0 ? "tab" : delimiter;
}

/* Which columns of a file became each scale's items, as spreadsheet
 * columns: "engagement=R-W; wellbeing=X,Z". */
static char *item_columns(const dataset_t *ds, const ingest_file_t *f)
{
    GString *text = g_string_new(NULL);
    for (size_t s = 0; ds && s < dataset_n_scales(ds); s++) {
        const dataset_scale_t *scale = dataset_scale(ds, s);
        g_string_append_printf(text, "%s%s=", s ? "; " : "", scale->name);
        size_t i = 0;
        while (i < scale->n_items) {
            if (scale->items[i] >= f->n_item_fields)
                break;
            size_t first = f->item_field[scale->items[i]], j = i;
            while (j + 1 < scale->n_items && scale->items[j + 1] < f->n_item_fields &&
                   f->item_field[scale->items[j + 1]] == f->item_field[scale->items[j]] + 1)
                j++;
            char a[16], b[16];
            ingest_column_letters(first, a);
            ingest_column_letters(f->item_field[scale->items[j]], b);
            if (j > i)
                g_string_append_printf(text, "%s%s-%s", i ? "," : "", a, b);
            else
                g_string_append_printf(text, "%s%s", i ? "," : "", a);
            i = j + 1;
        }
    }
    return g_string_free(text, FALSE);
}

/* A wave's rows of quality.csv. */
static void quality_rows(csv_out_t *out, const ingest_log_t *log, const char *wave, const dataset_t *ds)
{
    for (size_t i = 0; log && i < log->n_files; i++) {
        const ingest_file_t *f = &log->files[i];
        csv_out_text(out, f->path, true);
        csv_out_text(out, f->format, true);
        csv_out_text(out, f->encoding, true);
        csv_out_text(out, tables_delimiter_name(f->delimiter), true);
        csv_out_integer(out, (long long)f->rows);
        csv_out_integer(out, (long long)f->accepted);
        csv_out_integer(out, (long long)f->rejected);
        csv_out_integer(out, (long long)f->excluded);
        csv_out_text(out, wave, true);
        csv_out_text(out, f->layout ? f->layout : "", true);
        csv_out_integer(out, (long long)f->header_rows);
        csv_out_text(out, f->respondent_column ? f->respondent_column : "(row number)", true);
        csv_out_text(out, f->manager_column ? f->manager_column : "", true);
        char *items = item_columns(ds, f);
        csv_out_text(out, items, true);
        g_free(items);
        csv_out_end_row(out);
    }
}

engage_status_t tables_write_quality(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "file", "format", "encoding", "delimiter", "rows", "accepted", "rejected", "excluded",
        "wave", "layout", "header_rows", "respondent_column", "manager_column", "item_columns",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    quality_rows(out, in->log, "current", in->dataset);
    quality_rows(out, in->previous_log, "previous", in->dataset);
    for (size_t w = 0; w + 2 < in->n_waves; w++)   /* a history's earlier waves, by label */
        quality_rows(out, in->wave_logs[w], in->wave_labels[w], in->dataset);
    return csv_out_close(out, sha256_hex, err);
}

/* A wave's rows of rejects.csv: the rows its log lists, then, for each
 * reason whose further rows the log only counted, one line that counts
 * them ("N more rows not listed: REASON", with file, line and id empty). */
static void reject_rows(csv_out_t *out, const ingest_log_t *log, const char *wave)
{
    for (size_t i = 0; log && i < log->n_rejects; i++) {
        const ingest_reject_t *r = &log->rejects[i];
        const char *file = r->file < log->n_files ? log->files[r->file].path : "";
        csv_out_text(out, file, true);
        csv_out_integer(out, r->line);
        csv_out_text(out, r->respondent_id, true);
        csv_out_text(out, r->reason, true);
        csv_out_text(out, wave, true);
        csv_out_end_row(out);
    }
    for (int kind = 0; log && kind < INGEST_N_REASONS; kind++) {
        if (!log->unlisted[kind])
            continue;
        char more[160];
        snprintf(more, sizeof more, "%zu more rows not listed: %s", log->unlisted[kind],
                 ingest_reason_name((ingest_reason_t)kind));
        csv_out_empty(out);
        csv_out_empty(out);
        csv_out_empty(out);
        csv_out_text(out, more, true);
        csv_out_text(out, wave, true);
        csv_out_end_row(out);
    }
}

engage_status_t tables_write_rejects(const report_input_t *in, const char *path,
                                     char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = { "file", "line", "respondent_id", "reason", "wave" };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    reject_rows(out, in->log, "current");
    reject_rows(out, in->previous_log, "previous");
    for (size_t w = 0; w + 2 < in->n_waves; w++)
        reject_rows(out, in->wave_logs[w], in->wave_labels[w]);
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_changes(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "manager_id", "n_previous", "mean_previous", "n", "mean", "delta",
        "ci_low", "ci_high", "p_value", "suppressed", "q_value",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const changes_t *ch = in->changes;
    for (size_t s = 0; ch && s < ch->n_scales; s++) {
        const changes_scale_t *cs = &ch->scales[s];
        for (size_t i = 0; i < cs->n_rows; i++) {
            const changes_row_t *row = &cs->rows[i];
            bool hidden = !view_change_shown(view, s, i);
            csv_out_text(out, cs->scale->name, true);
            csv_out_text(out, row->manager_id, true);
            csv_out_integer(out, (long long)row->previous.n);
            if (hidden)
                csv_out_empty(out);
            else
                figure(out, row->previous.mean);
            csv_out_integer(out, (long long)row->current.n);
            if (hidden) {
                for (int k = 0; k < 5; k++)
                    csv_out_empty(out);
                csv_out_integer(out, 1);
                csv_out_empty(out);
            } else {
                figure(out, row->current.mean);
                figure(out, row->welch.delta);
                figure(out, row->welch.ci_low);
                figure(out, row->welch.ci_high);
                figure(out, row->welch.p_value);
                csv_out_integer(out, 0);
                figure(out, view->scales[s].change_decision->q[i]);
            }
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}

/* A response rate, shown when the view shows it; empty otherwise. */
static void response_rate(csv_out_t *out, const view_t *view, size_t invited, size_t responded)
{
    if (invited > 0 && view_response_rate_shown(view, invited))
        figure(out, participation_rate(&(participation_count_t){ invited, responded }));
    else
        csv_out_empty(out);
}

/* The org figures of leaders row r, or empty cells when hidden. */
static void org_figures(csv_out_t *out, const leaders_figures_t *f, bool shown)
{
    const double figures[] = { f->mean, f->sd, f->se, f->ci_low, f->ci_high, f->median,
                               f->favourable_pct, f->neutral_pct, f->unfavourable_pct };
    for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
        if (shown)
            figure(out, figures[k]);
        else
            csv_out_empty(out);
    csv_out_integer(out, !shown);
}

engage_status_t tables_write_leaders(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "leader_id", "name", "parent_id", "depth", "team_managers", "org_managers",
        "invited", "responded", "response_rate", "n", "mean", "sd", "se", "ci_low", "ci_high",
        "median", "favourable_pct", "neutral_pct", "unfavourable_pct", "suppressed",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const leaders_t *l = view->leaders;
    const org_t *org = dataset_org(in->dataset);
    for (size_t s = 0; l && org && s < l->n_scales && s < view->n_scales; s++) {
        for (size_t r = 0; r < l->n_rows; r++) {
            const leaders_figures_t *f = &l->scales[s].orgs[r];
            size_t v = l->node[r];
            csv_out_text(out, l->scales[s].scale->name, true);
            if (v == ORG_NONE) {
                csv_out_empty(out);
                csv_out_empty(out);
                csv_out_empty(out);
                csv_out_integer(out, 0);
            } else {
                const char *name = org_name(org, v);
                size_t up = org_parent(org, v);
                csv_out_text(out, org_id(org, v), true);
                csv_out_text(out, name ? name : "", true);
                csv_out_text(out, up == ORG_NONE ? "" : org_id(org, up), true);
                csv_out_integer(out, (long long)org_depth(org, v));
            }
            csv_out_integer(out, (long long)l->team_managers[r]);
            csv_out_integer(out, (long long)l->org_managers[r]);
            csv_out_integer(out, (long long)l->invited[r]);
            csv_out_integer(out, (long long)l->responded[r]);
            response_rate(out, view, l->invited[r], l->responded[r]);
            csv_out_integer(out, (long long)f->n);
            org_figures(out, f, view_leader_shown(view, s, r));
            csv_out_end_row(out);
        }
    }
    return csv_out_close(out, sha256_hex, err);
}

engage_status_t tables_write_scales(const report_input_t *in, const view_t *view,
                                    const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "respondents", "invited", "response_rate", "mean", "sd", "favourable_pct",
        "neutral_pct", "unfavourable_pct", "share_between",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const leaders_t *l = view->leaders;
    for (size_t s = 0; l && s < l->n_scales && s < view->n_scales; s++) {
        const leaders_figures_t *f = &l->scales[s].orgs[0];
        bool shown = view_leader_shown(view, s, 0);
        csv_out_text(out, l->scales[s].scale->name, true);
        csv_out_integer(out, (long long)f->n);
        if (view->with_tree) {
            csv_out_integer(out, (long long)l->invited[0]);
            response_rate(out, view, l->invited[0], l->responded[0]);
        } else {
            csv_out_empty(out);
            csv_out_empty(out);
        }
        const double figures[] = { f->mean, f->sd, f->favourable_pct, f->neutral_pct, f->unfavourable_pct,
                                   view->scales[s].variance.icc_reml };
        for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
            if (shown)
                figure(out, figures[k]);
            else
                csv_out_empty(out);
        csv_out_end_row(out);
    }
    return csv_out_close(out, sha256_hex, err);
}

/* heatmap.csv's group cell: empty for the company, else the unit's name,
 * the leader's id or the manager's id. */
static const char *heatmap_group(const report_input_t *in, const view_t *view, heatmap_level_t level, size_t g)
{
    switch (level) {
    case HEATMAP_UNIT:
        return in->units->names[g];
    case HEATMAP_LEADER:
        return org_id(dataset_org(in->dataset), view->leaders->node[g + 1]);
    case HEATMAP_MANAGER:
        return dataset_manager_id(in->dataset, g);
    default:
        return "";
    }
}

/* heatmap.csv's rows: per scale, per item, the levels in order, each
 * level's groups in order. */
static void heatmap_rows(csv_out_t *out, const void *arg, size_t first, size_t count)
{
    static const char *const levels[HEATMAP_LEVELS] = { "company", "unit", "leader", "manager" };
    const tables_ctx_t *ctx = arg;
    const view_t *view = ctx->view;
    const heatmap_t *h = view->heatmap;
    size_t row = 0, end = first + count;
    for (size_t s = 0; s < h->n_scales && s < view->n_scales && row < end; s++) {
        const heatmap_scale_t *hs = &h->scales[s];
        size_t groups = 0;
        for (int level = 0; level < HEATMAP_LEVELS; level++)
            groups += hs->n_groups[level];
        if (row + hs->n_items * groups <= first) {
            row += hs->n_items * groups;
            continue;
        }
        for (size_t i = 0; i < hs->n_items && row < end; i++) {
            if (row + groups <= first) {
                row += groups;
                continue;
            }
            const char *item = dataset_column_name(ctx->in->dataset, hs->scale->items[i]);
            for (int level = 0; level < HEATMAP_LEVELS && row < end; level++) {
                size_t n = hs->n_groups[level];
                size_t g = first > row ? first - row : 0;
                if (g >= n) {
                    row += n;
                    continue;
                }
                /* scale, item and level, the same on every row of the level: formatted once */
                csv_out_t *lead = NULL;
                if (csv_out_open_memory(&lead, NULL) == ENGAGE_OK) {
                    csv_out_text(lead, hs->scale->name, true);
                    csv_out_text(lead, item, true);
                    csv_out_text(lead, levels[level], false);
                }
                for (; g < n && row + g < end; g++) {
                    const heatmap_cell_t *c = heatmap_cell(hs, (heatmap_level_t)level, g, i);
                    if (lead) {
                        csv_out_append(out, lead);
                    } else {
                        csv_out_text(out, hs->scale->name, true);
                        csv_out_text(out, item, true);
                        csv_out_text(out, levels[level], false);
                    }
                    csv_out_text(out, heatmap_group(ctx->in, view, (heatmap_level_t)level, g), true);
                    csv_out_integer(out, (long long)c->n);
                    if (view_heatmap_shown(view, s, (heatmap_level_t)level, g, i)) {
                        figure(out, c->mean);
                        figure(out, c->favourable_pct);
                        figure(out, c->delta_favourable);
                        csv_out_text(out,
                                     tables_stands_out_name(
                                         view_heatmap_stands_out(view, s, (heatmap_level_t)level, g, i)),
                                     false);
                        csv_out_integer(out, 0);
                    } else {
                        for (int k = 0; k < 4; k++)
                            csv_out_empty(out);
                        csv_out_integer(out, 1);
                    }
                    csv_out_end_row(out);
                }
                csv_out_close(lead, NULL, NULL);
                row += n;
            }
        }
    }
}

engage_status_t tables_write_heatmap(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    static const char *const names[] = {
        "scale", "item", "level", "group", "n", "mean", "favourable_pct", "delta_favourable",
        "stands_out", "suppressed",
    };
    csv_out_t *out;
    engage_status_t rc = open_table(in, &out, path, err);
    if (rc != ENGAGE_OK)
        return rc;
    HEADER(out, names);
    const heatmap_t *h = view->heatmap;
    size_t rows = 0;
    for (size_t s = 0; h && s < h->n_scales && s < view->n_scales; s++)
        for (int level = 0; level < HEATMAP_LEVELS; level++)
            rows += h->scales[s].n_items * h->scales[s].n_groups[level];
    tables_ctx_t ctx = { in, view };
    write_rows(out, rows, heatmap_rows, &ctx);
    return csv_out_close(out, sha256_hex, err);
}
