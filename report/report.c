/*
 * report/report.c — report_write(): builds the published view once, has
 * every output render it into a temporary folder, and puts the folder in
 * place.
 *
 * The order of work: the view (view.c: the privacy decision of managers,
 * units and change rows, and every figure over the shown teams) → CSV
 * tables (tables.c; the analyst's rejects.csv and variance_all_teams.csv
 * beside them; enps.csv, enps_table.c, with a scale of kind = nps, and with
 * a history enps_trend.csv, enps_trend_table.c) →
 * report.txt (summary.c) → report.html (html.c) → with --packs, packs/ (packs.c) →
 * engage.xlsx (workbook.c, from those CSVs) →
 * manifest.json (manifest.c, which lists the
 * SHA-256 of every file before it) → swap into OUTDIR (outdir.c, which
 * first refuses an OUTDIR holding the run's inputs or files of the user's).  Any
 * failure removes the temporary folder; OUTDIR changes only at the swap.
 * Owns: the view and the texts, for the length of the call.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../core/progress.h"
#include "enps_table.h"
#include "enps_trend_table.h"
#include "drivers_table.h"
#include "html.h"
#include "manifest.h"
#include "outdir.h"
#include "packs.h"
#include "summary.h"
#include "tables.h"
#include "trend_table.h"
#include "view.h"
#include "workbook.h"

typedef engage_status_t (*table_writer_t)(const report_input_t *in, const view_t *view,
                                          const char *path, char sha256_hex[65],
                                          engage_error_t *err);

static engage_status_t write_quality(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    (void)view;
    return tables_write_quality(in, path, sha256_hex, err);
}

static engage_status_t write_rejects(const report_input_t *in, const view_t *view,
                                     const char *path, char sha256_hex[65], engage_error_t *err)
{
    (void)view;
    return tables_write_rejects(in, path, sha256_hex, err);
}

static engage_status_t write_variance_all_teams(const report_input_t *in, const view_t *view,
                                                const char *path, char sha256_hex[65],
                                                engage_error_t *err)
{
    (void)view;
    return tables_write_variance_all_teams(in, path, sha256_hex, err);
}

static const struct {
    const char *name;
    table_writer_t write;
    bool needs_previous;       /* written only with a previous wave */
    bool needs_units;          /* written only when the dataset has units */
    bool needs_tree;           /* written only when the dataset has a reporting tree */
    bool needs_drivers;        /* written only with [drivers] */
    bool analyst_only;         /* depends on hidden teams' own data: never hashed */
} tables[] = {
    { "managers.csv", tables_write_managers, false, false, false, false, false },
    { "variance.csv", tables_write_variance, false, false, false, false, false },
    { "items.csv", tables_write_items, false, false, false, false, false },
    { "changes.csv", tables_write_changes, true, false, false, false, false },
    { "trend.csv", trend_table_write, true, false, false, false, false },
    { "units.csv", tables_write_units, false, true, false, false, false },
    { "leaders.csv", tables_write_leaders, false, false, true, false, false },
    { "scales.csv", tables_write_scales, false, false, false, false, false },
    { "heatmap.csv", tables_write_heatmap, false, false, false, false, false },
    { "drivers.csv", drivers_table_write, false, false, false, true, false },
    { "quality.csv", write_quality, false, false, false, false, false },
    { "rejects.csv", write_rejects, false, false, false, false, false },
    { "variance_all_teams.csv", write_variance_all_teams, false, false, false, false, true },
};

/* the tables, enps.csv, enps_trend.csv, report.txt, report.html, packs and engage.xlsx */
enum { N_TABLES = sizeof tables / sizeof tables[0], N_OUTPUTS = N_TABLES + 6 };

static void add_input(outdir_input_t *list, size_t *n, const char *path, const char *role)
{
    if (path)
        list[(*n)++] = (outdir_input_t){ path, role };
}

/* The file an input was read from (a rerun reads a moved input under its
 * recorded name). */
static const char *file_read(const ingest_file_t *f)
{
    return f->read_from ? f->read_from : f->path;
}

/* The temporary folder beside OUTDIR, once OUTDIR is known to hold none of
 * the files the run read (survey files, previous wave, config, roster). */
static engage_status_t begin_outdir(const report_input_t *in, outdir_t *od, const char *outdir,
                                    engage_error_t *err)
{
    size_t cap = 2 + (in->log ? in->log->n_files : 0) + (in->previous_log ? in->previous_log->n_files : 0);
    for (size_t w = 0; w < in->n_waves; w++)
        cap += in->wave_logs[w]->n_files;
    outdir_input_t *inputs = calloc(cap, sizeof *inputs);
    if (!inputs)
        return engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
    size_t n = 0;
    for (size_t i = 0; in->log && i < in->log->n_files; i++)
        add_input(inputs, &n, file_read(&in->log->files[i]), "input");
    for (size_t i = 0; in->previous_log && i < in->previous_log->n_files; i++)
        add_input(inputs, &n, file_read(&in->previous_log->files[i]), "previous");
    for (size_t w = 0; w + 2 < in->n_waves; w++)   /* a history's earlier waves */
        for (size_t i = 0; i < in->wave_logs[w]->n_files; i++)
            add_input(inputs, &n, file_read(&in->wave_logs[w]->files[i]), "wave");
    add_input(inputs, &n, in->config ? in->config->path : NULL, "config");
    add_input(inputs, &n, in->log ? in->log->roster_path : NULL, "roster");
    outdir_options_t options = { .inputs = inputs, .n_inputs = n, .force = in->force };
    engage_status_t rc = outdir_begin(od, outdir, &options, err);
    free(inputs);
    return rc;
}

engage_status_t report_write(const report_input_t *in, const char *outdir, engage_error_t *err)
{
    view_t *view = NULL;
    outdir_t od;
    char *text = NULL;
    size_t size = 0;
    manifest_output_t outputs[N_OUTPUTS];
    memset(outputs, 0, sizeof outputs);
    memset(&od, 0, sizeof od);

    progress_stage("writing %s", outdir);
    engage_status_t rc = view_build(in, &view, err);
    if (rc != ENGAGE_OK)
        return rc;
    rc = begin_outdir(in, &od, outdir, err);
    if (rc != ENGAGE_OK)
        goto done;

    size_t n_outputs = 0;
    for (size_t i = 0; i < N_TABLES && rc == ENGAGE_OK; i++) {
        if ((tables[i].needs_previous && !in->changes) || (tables[i].needs_units && !in->units) ||
            (tables[i].needs_tree && !view->with_tree) || (tables[i].needs_drivers && !view->drivers))
            continue;
        char *path = outdir_path(&od, tables[i].name);
        if (!path) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            break;
        }
        outputs[n_outputs].name = tables[i].name;
        outputs[n_outputs].analyst_only = tables[i].analyst_only;
        progress_stage("writing %s/%s", outdir, tables[i].name);
        rc = tables[i].write(in, view, path, outputs[n_outputs].sha256, err);
        n_outputs++;
        free(path);
    }
    if (rc != ENGAGE_OK)
        goto done;

    /* enps.csv, with a scale of kind = nps */
    if (enps_table_wanted(in, view)) {
        char *path = outdir_path(&od, "enps.csv");
        if (!path) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
        outputs[n_outputs].name = "enps.csv";
        rc = enps_table_write(in, view, path, outputs[n_outputs].sha256, err);
        n_outputs++;
        free(path);
        if (rc != ENGAGE_OK)
            goto done;
    }

    /* enps_trend.csv, with a history and a scale of kind = nps */
    if (enps_trend_table_wanted(in, view)) {
        char *path = outdir_path(&od, "enps_trend.csv");
        if (!path) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
        outputs[n_outputs].name = "enps_trend.csv";
        rc = enps_trend_table_write(in, view, path, outputs[n_outputs].sha256, err);
        n_outputs++;
        free(path);
        if (rc != ENGAGE_OK)
            goto done;
    }

    progress_stage("writing %s/report.txt", outdir);
    rc = summary_build(in, view, &text, &size, err);
    if (rc != ENGAGE_OK)
        goto done;
    outputs[n_outputs].name = "report.txt";
    rc = outdir_write_file(&od, "report.txt", text, size, outputs[n_outputs].sha256, err);
    n_outputs++;
    free(text);
    text = NULL;
    if (rc != ENGAGE_OK)
        goto done;

    char *html = outdir_path(&od, "report.html");
    if (!html) {
        rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    outputs[n_outputs].name = "report.html";
    progress_stage("writing %s/report.html", outdir);
    rc = html_write(in, view, html, outputs[n_outputs].sha256, err);
    n_outputs++;
    free(html);
    if (rc != ENGAGE_OK)
        goto done;

    /* packs/: one digest over the folder (core/digest.h) */
    if (in->packs && view->with_tree) {
        char *packs = outdir_path(&od, "packs");
        if (!packs) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
        outputs[n_outputs].name = "packs";
        progress_stage("writing %s/packs", outdir);
        rc = packs_write(in, view, packs, outputs[n_outputs].sha256, err);
        n_outputs++;
        free(packs);
        if (rc != ENGAGE_OK)
            goto done;
    }

    /* engage.xlsx is read from the CSVs just written, so it shows what they show */
    if (!in->no_workbook) {
        char *xlsx = outdir_path(&od, "engage.xlsx");
        if (!xlsx) {
            rc = engage_fail(err, ENGAGE_ENOMEM, NULL, 0, "out of memory");
            goto done;
        }
        outputs[n_outputs].name = "engage.xlsx";
        progress_stage("writing %s/engage.xlsx", outdir);
        rc = workbook_write(in, view, od.tmpdir, xlsx, outputs[n_outputs].sha256, err);
        n_outputs++;
        free(xlsx);
        if (rc != ENGAGE_OK)
            goto done;
    }

    progress_stage("writing %s/manifest.json", outdir);
    rc = manifest_build(in, outputs, n_outputs, &text, &size, err);
    if (rc != ENGAGE_OK)
        goto done;
    rc = outdir_write_file(&od, "manifest.json", text, size, NULL, err);
    if (rc != ENGAGE_OK)
        goto done;

    rc = outdir_commit(&od, err);

done:
    if (rc != ENGAGE_OK)
        outdir_fix_error(&od, err);
    outdir_fini(&od);
    free(text);
    view_free(view);
    return rc;
}
